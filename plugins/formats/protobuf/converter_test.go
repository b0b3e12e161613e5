package protobuf

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

func newConverter(t *testing.T, name string, config map[string]string) connect.Converter {
	t.Helper()
	p, err := connect.LookupType(name, connect.PluginConverter)
	if err != nil {
		t.Fatal(err)
	}
	if p.Class != ConverterClass {
		t.Fatalf("%s resolves to %s", name, p.Class)
	}
	c := p.New().(connect.Converter)
	if err := c.Configure(config, false); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConverter(t *testing.T) {
	bin, err := os.ReadFile("testdata/event.bin")
	if err != nil {
		t.Fatal(err)
	}
	configs := map[string]map[string]string{
		// value.converter.descriptor-file=... and value.converter.protobuf.descriptor-file=... both work.
		"protobuf":          {"descriptor-file": descFile, "message-name": msgEvent, "converter.type": "value"},
		ConverterClass:      {OptDescriptorFile: descFile, OptMessageName: msgEvent},
		"ProtobufConverter": {OptDescriptorFile: descFile, "message-name": msgEvent},
	}
	for name, config := range configs {
		t.Run(name, func(t *testing.T) {
			c := newConverter(t, name, config)
			sv, err := c.ToConnectData("events", nil, bin)
			if err != nil {
				t.Fatal(err)
			}
			if sv.Schema == nil || sv.Schema.Name != msgEvent {
				t.Fatalf("schema %v", sv.Schema)
			}
			st := sv.Value.(*connect.Struct)
			if st.GetString("user") != "jdoe" || st.GetInt64("id") != 1234567890 || st.GetString("status") != "ACTIVE" {
				t.Errorf("value %v", st)
			}
			out, err := c.FromConnectData("events", nil, sv.Schema, sv.Value)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, bin) {
				t.Errorf("FromConnectData(ToConnectData(x)) != x:\n got %x\nwant %x", out, bin)
			}
			// Tombstones pass through.
			if sv, err := c.ToConnectData("events", nil, nil); err != nil || sv.Value != nil || sv.Schema != nil {
				t.Errorf("nil data: %v, %v", sv, err)
			}
			if b, err := c.FromConnectData("events", nil, nil, nil); err != nil || b != nil {
				t.Errorf("nil value: %x, %v", b, err)
			}
		})
	}
}

func TestConverterParseErrors(t *testing.T) {
	bad := []byte{0x12, 0x10, 'x'} // user: a 16-byte string with 1 byte
	c := newConverter(t, "protobuf", map[string]string{"descriptor-file": descFile, "message-name": msgEvent})
	_, err := c.ToConnectData("events", nil, bad)
	var de *connect.DataError
	var pe *DecodeError
	if !errors.As(err, &de) || !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) should be a connect.DataError wrapping a DecodeError", err, err)
	}
	if !strings.Contains(err.Error(), "topic events") || pe.Field != "user" {
		t.Errorf("error %q should name the topic and the field", err)
	}
	lenient := newConverter(t, "protobuf", map[string]string{
		"descriptor-file": descFile, "message-name": msgEvent, "ignore-parse-errors": "true",
	})
	if sv, err := lenient.ToConnectData("events", nil, bad); err != nil || sv.Value != nil {
		t.Errorf("ignore-parse-errors: %v, %v; want a skipped record", sv, err)
	}
}

func TestConverterConfigErrors(t *testing.T) {
	p, err := connect.Lookup("protobuf")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		config map[string]string
		want   string
	}{
		{map[string]string{"descriptor-file": descFile}, OptMessageName},
		{map[string]string{"message-name": msgEvent}, OptDescriptorFile},
		{map[string]string{"descriptor-file": descFile, "message-name": "no.Such"}, `"no.Such"`},
		{map[string]string{"descriptor-file": descFile, "message-name": msgEvent, "read-default-values": "maybe"}, OptReadDefaultValues},
	}
	for _, c := range cases {
		err := p.New().(connect.Converter).Configure(c.config, false)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Configure(%v) = %v, want an error naming %s", c.config, err, c.want)
		}
	}
}

// The row face: the format registry, options and one Insert row per message.
func TestFormatRows(t *testing.T) {
	f, err := formats.Lookup(FormatName)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Binary {
		t.Error("protobuf must be marked binary for `worker convert`")
	}
	opts, err := formats.ParseOptions(f, map[string]string{
		OptDescriptorFile: descFile, OptMessageName: msgLegacy, OptReadDefaultValues: "true",
	})
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
	bin, err := os.ReadFile("testdata/legacy_minimal.bin")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := dec.Decode(bin)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Op != formats.Insert || rows[0].Schema.Name != msgLegacy {
		t.Fatalf("rows = %+v", rows)
	}
	if name := rows[0].Value.(*connect.Struct).Get("name"); name != "anonymous" {
		t.Errorf("read-default-values: name = %v, want the declared default", name)
	}
	msgs, err := enc.Encode(append(rows, formats.Row{Op: formats.Insert}))
	if err != nil {
		t.Fatal(err)
	}
	// Insert-only: a delete would read back as a live record.
	if _, err := enc.Encode([]formats.Row{{Op: formats.Delete, Value: rows[0].Value}}); err == nil ||
		err.Error() != "protobuf cannot hold a -D (delete) row: the format is insert-only" {
		t.Errorf("Encode(delete) error = %v", err)
	}
	if len(msgs) != 2 || msgs[1] != nil {
		t.Fatalf("got %d messages, want the row and a tombstone", len(msgs))
	}
	back, err := dec.Decode(msgs[0])
	if err != nil {
		t.Fatal(err)
	}
	if !back[0].Value.(*connect.Struct).Equal(rows[0].Value.(*connect.Struct)) {
		t.Errorf("row round trip: %v != %v", back[0].Value, rows[0].Value)
	}
}
