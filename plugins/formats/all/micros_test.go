package all_test

import (
	"encoding/hex"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats/avro"
	"github.com/raftconnect/raftconnect/plugins/formats/avroconfluent/srtest"
)

const microsSchema = `{"type":"record","name":"R","fields":[` +
	`{"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}},` +
	`{"name":"t","type":{"type":"long","logicalType":"time-micros"}},` +
	`{"name":"o","type":["null",{"type":"long","logicalType":"timestamp-micros"}],"default":null}]}`

// TestAvroMicrosKeptThroughConnect: timestamp-micros and time-micros decode to Connect's
// Timestamp and Time (millisecond types in Java) holding time.Time values with their
// microseconds, and the schema remembers the micros encoding, so writing them again — as plain
// Avro with the schema derived from the Connect one, or as Confluent Avro through the converters —
// keeps every microsecond.
func TestAvroMicrosKeptThroughConnect(t *testing.T) {
	as, err := avro.Parse(microsSchema, avro.ExactOptions())
	if err != nil {
		t.Fatal(err)
	}
	msg, err := as.AppendJSON(nil, []byte(`{"ts":1700000000123456,"t":3723000001,"o":-1}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{
		time.Date(2023, 11, 14, 22, 13, 20, 123456000, time.UTC),
		time.Date(1970, 1, 1, 1, 2, 3, 1000, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999999000, time.UTC),
	}

	// avro → avro, the output schema derived from the Connect schema: the same bytes.
	out, _ := runConvert(t, hex.EncodeToString(msg)+"\n", "--from", "avro", "--to", "avro", "--from-option", "avro.schema="+microsSchema)
	if out != hex.EncodeToString(msg)+"\n" {
		t.Errorf("avro → avro wrote %s, want %s", out, hex.EncodeToString(msg))
	}

	srv := srtest.New()
	defer srv.Close()
	converter := func(name string, config map[string]string) connect.Converter {
		p, err := connect.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		c := p.New().(connect.Converter)
		if err := c.Configure(config, false); err != nil {
			t.Fatal(err)
		}
		return c
	}
	plain := converter("avro", map[string]string{"schema": microsSchema})
	sv, err := plain.ToConnectData("t", nil, msg)
	if err != nil {
		t.Fatal(err)
	}
	st := sv.Value.(*connect.Struct)
	for i, f := range []string{"ts", "t", "o"} {
		if got, _ := st.Get(f).(time.Time); !got.Equal(want[i]) {
			t.Errorf("decoded %s = %v, want %v", f, st.Get(f), want[i])
		}
	}
	// A Connect value with nanoseconds is written to the microsecond, not the millisecond.
	nanos := connect.NewStruct(sv.Schema).MustPut("ts", want[0].Add(789)).MustPut("t", want[1].Add(999)).MustPut("o", want[2])
	for _, tc := range []struct {
		name string
		c    connect.Converter
	}{
		{"avro", converter("avro", nil)},
		{"avro-confluent", converter("avro-confluent", map[string]string{"schema.registry.url": srv.URL()})},
	} {
		for _, v := range []*connect.Struct{st, nanos} {
			b, err := tc.c.FromConnectData("t", nil, sv.Schema, v)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			reader := tc.c
			if tc.name == "avro" {
				reader = plain // plain Avro needs the schema to read
			}
			back, err := reader.ToConnectData("t", nil, b)
			if err != nil {
				t.Fatalf("%s: reading back: %v", tc.name, err)
			}
			if !connect.ValuesEqual(back.Value, st) {
				t.Errorf("%s: %v came back as %v, want %v", tc.name, v, back.Value, st)
			}
		}
	}
}
