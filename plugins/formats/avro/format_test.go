package avro

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

const userSchema = `{"type":"record","name":"User","namespace":"ex","fields":[
	{"name":"id","type":"long"},{"name":"name","type":["null","string"],"default":null}]}`

func TestFormatRegistered(t *testing.T) {
	f, err := formats.Lookup("avro")
	if err != nil {
		t.Fatal(err)
	}
	if !f.Binary {
		t.Error("avro must be a binary format for `worker convert`")
	}
	if k, ok := f.Options.Key(OptionSchema); !ok || k.Doc == "" {
		t.Errorf("option %s is not documented", OptionSchema)
	}
}

func TestFormatDecodeEncode(t *testing.T) {
	f, _ := formats.Lookup("avro")
	opts, err := formats.ParseOptions(f, map[string]string{"avro.schema": userSchema})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := f.NewDecoder(opts)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := f.NewEncoder(opts)
	if err != nil {
		t.Fatal(err)
	}
	// id 1, name "ab": 02 02 04 61 62.
	rows, err := dec.Decode([]byte{0x02, 0x02, 0x04, 'a', 'b'})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Op != formats.Insert {
		t.Fatalf("rows = %+v", rows)
	}
	st := rows[0].Value.(*connect.Struct)
	if st.GetInt64("id") != 1 || st.GetString("name") != "ab" || rows[0].Schema.Name != "ex.User" {
		t.Fatalf("row = %v (%v)", st, rows[0].Schema)
	}
	msgs, err := enc.Encode(rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || string(msgs[0]) != "\x02\x02\x04ab" {
		t.Fatalf("encoded % x", msgs)
	}
	// Schemaless rows (a JSON object) encode against avro.schema.
	msgs, err = enc.Encode([]formats.Row{{Value: map[string]any{"id": 3.0}}})
	if err != nil || string(msgs[0]) != "\x06\x00" {
		t.Fatalf("schemaless: % x, %v", msgs, err)
	}
	// JSON messages go straight to Avro through the JSONEncoder face.
	je := enc.(JSONEncoder)
	if b, err := je.EncodeJSON([]byte(`{"name":"ab","id":1}`)); err != nil || string(b) != "\x02\x02\x04ab" {
		t.Fatalf("EncodeJSON = % x, %v", b, err)
	}
	// Errors name the byte offset.
	if _, err := dec.Decode([]byte{0x02, 0x02, 0x08, 'a'}); err == nil || !strings.Contains(err.Error(), "byte offset 2") {
		t.Fatalf("truncated message: %v", err)
	}
}

func TestFormatWithoutSchema(t *testing.T) {
	f, _ := formats.Lookup("avro")
	opts, err := formats.ParseOptions(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := f.NewDecoder(opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dec.Decode([]byte{0}); err == nil || !strings.Contains(err.Error(), "avro.schema") {
		t.Fatalf("decode without schema: %v", err)
	}
	enc, _ := f.NewEncoder(opts)
	if _, err := enc.Encode([]formats.Row{{Value: map[string]any{"a": 1.0}}}); err == nil || !strings.Contains(err.Error(), "avro.schema") {
		t.Fatalf("schemaless encode without schema: %v", err)
	}
	if _, err := enc.(JSONEncoder).EncodeJSON([]byte(`{}`)); err == nil || !strings.Contains(err.Error(), "avro.schema") {
		t.Fatalf("EncodeJSON without schema: %v", err)
	}
	// With a Connect schema the Avro schema is derived.
	s := connect.StructBuilder().Field("a", connect.Int16Schema).MustBuild()
	msgs, err := enc.Encode([]formats.Row{{Schema: s, Value: connect.NewStruct(s).MustPut("a", int16(-1))}})
	if err != nil || string(msgs[0]) != "\x01" {
		t.Fatalf("derived: % x, %v", msgs, err)
	}
	badOpts, err := formats.ParseOptions(f, map[string]string{"avro.schema": "{"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewDecoder(badOpts); err == nil || !strings.Contains(err.Error(), "avro.schema") {
		t.Fatalf("invalid schema: %v", err)
	}
}

func TestConverterFace(t *testing.T) {
	for _, name := range []string{"avro", ConverterClass, "AvroBinaryConverter"} {
		p, err := connect.LookupType(name, connect.PluginConverter)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p.Class != ConverterClass {
			t.Fatalf("%s resolves to %s", name, p.Class)
		}
	}
	p, _ := connect.Lookup("avro")
	c := p.New().(connect.Converter)
	// Without the format prefix, as value.converter.schema.
	if err := c.Configure(map[string]string{"schema": userSchema}, false); err != nil {
		t.Fatal(err)
	}
	sv, err := c.ToConnectData("t", nil, []byte{0x02, 0x00})
	if err != nil {
		t.Fatal(err)
	}
	if sv.Value.(*connect.Struct).GetInt64("id") != 1 {
		t.Fatalf("value %v", sv.Value)
	}
	out, err := c.FromConnectData("t", nil, sv.Schema, sv.Value)
	if err != nil || string(out) != "\x02\x00" {
		t.Fatalf("FromConnectData = % x, %v", out, err)
	}
	var de *connect.DataError
	if _, err := c.ToConnectData("t", nil, []byte{0x80}); !errors.As(err, &de) {
		t.Fatalf("bad bytes give %T %v, want a DataError", err, err)
	}
}

// TestConcurrentUse: one compiled schema serves many goroutines (the field-mapping cache is
// shared); run with -race.
func TestConcurrentUse(t *testing.T) {
	s, err := Parse(userSchema, ExactOptions())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				cs := connect.StructBuilder().Field("id", connect.Int64Schema).MustBuild()
				v := connect.NewStruct(cs).MustPut("id", int64(g*1000+i))
				data, err := s.Append(nil, v)
				if err != nil {
					t.Error(err)
					return
				}
				got, err := s.Decode(data)
				if err != nil || got.(*connect.Struct).GetInt64("id") != int64(g*1000+i) {
					t.Errorf("got %v, %v", got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestCacheDerivesOncePerStructure(t *testing.T) {
	c := NewCache(ExactOptions())
	build := func() *connect.Schema {
		return connect.StructBuilder().Name("a.B").Field("x", connect.Int32Schema).MustBuild()
	}
	s1, err := c.Schema(build())
	if err != nil {
		t.Fatal(err)
	}
	s2, err := c.Schema(build()) // a new pointer, the same structure
	if err != nil {
		t.Fatal(err)
	}
	if s1 != s2 {
		t.Fatal("an equal schema was derived again")
	}
	other := connect.StructBuilder().Name("a.B").Field("x", connect.Int64Schema).MustBuild()
	s3, err := c.Schema(other)
	if err != nil {
		t.Fatal(err)
	}
	if s3 == s1 || !strings.Contains(s3.String(), `"long"`) {
		t.Fatalf("a different schema got %s", s3)
	}
}

// TestEncodeJSONDecimals: schemaless JSON reads numbers as exact Decimals by default, and Avro
// numeric fields take them, rounded once like the JSON fast path rounds the text.
func TestEncodeJSONDecimals(t *testing.T) {
	s, err := Parse(`{"type":"record","name":"N","fields":[{"name":"d","type":"double"},{"name":"f","type":"float"},`+
		`{"name":"l","type":"long"},{"name":"i","type":"int"},{"name":"u","type":["null","long","double"]}]}`, ExactOptions())
	if err != nil {
		t.Fatal(err)
	}
	dec := func(v string) connect.Decimal {
		d, err := connect.ParseDecimal(v)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, tc := range []struct {
		d, f, l, i, u string
		err           string
	}{
		{"0.1", "0.1", "1.00", "1e2", "2.5", ""},
		{"12345678901234567890123", "3.4028235677973366e38", "-9223372036854775808", "2147483647", "7", ""},
		{"1", "1", "1.5", "1", "1", "1.5 is not a 64-bit integer"},
		{"1", "1", "9223372036854775808", "1", "1", "is not a 64-bit integer"},
	} {
		v := map[string]any{"d": dec(tc.d), "f": dec(tc.f), "l": dec(tc.l), "i": dec(tc.i), "u": dec(tc.u)}
		got, err := s.Append(nil, v)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v: error %v, want %q", v, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", v, err)
			continue
		}
		// The same message through the JSON fast path, which parses the number text itself.
		msg := fmt.Sprintf(`{"d":%s,"f":%s,"l":%s,"i":%s,"u":%s}`, tc.d, tc.f, tc.l, tc.i, tc.u)
		want, err := s.AppendJSON(nil, []byte(msg))
		if err != nil {
			t.Fatalf("AppendJSON(%s): %v", msg, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: Decimals encode as % x, the JSON text as % x", msg, got, want)
		}
	}
}

func TestRequiresSchema(t *testing.T) {
	f, _ := formats.Lookup(FormatName)
	for _, tc := range []struct {
		opts map[string]string
		want bool
	}{{nil, true}, {map[string]string{OptionSchema: userSchema}, false}} {
		opts, err := formats.ParseOptions(f, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		enc, _ := f.NewEncoder(opts)
		if got := formats.RequiresSchema(enc); got != tc.want {
			t.Errorf("RequiresSchema with %v = %v, want %v", tc.opts, got, tc.want)
		}
	}
}
