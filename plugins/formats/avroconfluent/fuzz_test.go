package avroconfluent

import (
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats/avroconfluent/srtest"
)

// FuzzDecodeWire feeds arbitrary messages to the converter's decoder against a registry that
// knows schemas 1 and 7: malformed headers, unknown ids and corrupt bodies must give errors,
// never panics, and what decodes must encode back to a message that decodes the same.
func FuzzDecodeWire(f *testing.F) {
	schema, err := os.ReadFile("testdata/debezium_mysql_envelope.avsc")
	if err != nil {
		f.Fatal(err)
	}
	h, err := os.ReadFile("testdata/debezium_mysql_update.hex")
	if err != nil {
		f.Fatal(err)
	}
	golden, _ := hex.DecodeString(strings.TrimSpace(string(h)))
	srv := srtest.New()
	f.Cleanup(srv.Close)
	srv.Registry().SeedSchema("people-value", 1, 1, srfakeSchema(`{"type":"record","name":"P","fields":[`+
		`{"name":"id","type":"long"},{"name":"tags","type":{"type":"map","values":["null","string"]}},`+
		`{"name":"u","type":["int","string",{"type":"enum","name":"E","symbols":["A","B"]}]}]}`))
	srv.Registry().SeedSchema("inventory.inventory.customers-value", 1, 7, srfakeSchema(strings.TrimSpace(string(schema))))

	p, _ := connect.Lookup(ConverterClass)
	c := p.New().(*Converter)
	if err := c.Configure(map[string]string{ConfigURL: srv.URL(), ConfigUseLatestVersion: "true"}, false); err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Add([]byte{0, 0, 0, 0, 1, 0x02, 0x02, 0x02, 0x61, 0x02, 0x02, 0x62, 0x00, 0x04})
	f.Add([]byte{0, 0, 0, 0, 2})
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, data []byte) {
		sv, err := c.ToConnectData("fuzz", nil, data)
		if err != nil || sv.Value == nil {
			return
		}
		id, _, _ := SplitHeader(data)
		s, err := c.sd.reg.SchemaByID(id)
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.sd.encode(target{id: id, writer: s}, sv.Value)
		if err != nil {
			t.Fatalf("decoded %v but cannot encode it: %v", sv.Value, err)
		}
		back, err := c.ToConnectData("fuzz", nil, out)
		if err != nil {
			t.Fatalf("cannot decode our own encoding %x: %v", out, err)
		}
		if !connect.ValuesEqual(back.Value, sv.Value) {
			t.Fatalf("re-encoding changed the value: %v → %v", sv.Value, back.Value)
		}
	})
}
