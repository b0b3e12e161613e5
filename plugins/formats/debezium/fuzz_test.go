package debezium_test

import (
	"path/filepath"
	"testing"

	_ "github.com/raftconnect/raftconnect/plugins/formats/canal"
	"github.com/raftconnect/raftconnect/plugins/formats/cdctest"
	"github.com/raftconnect/raftconnect/plugins/formats/debezium"
	_ "github.com/raftconnect/raftconnect/plugins/formats/maxwell"
)

// FuzzDecode: malformed messages are errors, never panics; what decodes is valid, re-encodes,
// and translates to the other CDC formats.
func FuzzDecode(f *testing.F) {
	for _, file := range []string{"mysql-schemaless.jsonl", "mysql-schema.jsonl", "postgres-schemaless.jsonl", "postgres-schema.jsonl"} {
		for _, m := range cdctest.Lines(f, filepath.Join("testdata", file)) {
			f.Add(m)
		}
	}
	f.Add([]byte(`{"schema":{"type":"struct","fields":[{"type":"struct","fields":[{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"string","optional":true},"optional":true,"field":"m"},{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"-2"},"field":"d"}],"optional":true,"field":"after"}],"optional":false},"payload":{"after":{"m":[[1,"a"],[2,null]],"d":"AQ=="},"op":"c"}}`))
	schemaless, _ := cdctest.Codec(f, debezium.Name, map[string]string{"ddl.handling": "surface"})
	withSchema, withSchemaEnc := cdctest.Codec(f, debezium.Name, map[string]string{"ddl.handling": "surface", "schema-include": "true"})
	double, doubleEnc := cdctest.Codec(f, debezium.Name, map[string]string{"infer-schema.exact-decimal": "false", "ddl.handling": "surface"})
	_, plainEnc := cdctest.Codec(f, debezium.Name, nil)
	trs := cdctest.Translators(f)
	conv := cdctest.Converter(f, debezium.Name, map[string]string{"ddl.handling": "surface"})
	f.Fuzz(func(t *testing.T, data []byte) {
		cdctest.CheckConverter(t, conv, data)
		if rows, err := schemaless.Decode(data); err == nil {
			cdctest.CheckDecoded(t, schemaless, plainEnc, rows)
			cdctest.CheckDecoded(t, withSchema, withSchemaEnc, rows)
			cdctest.CheckTranslated(t, trs, rows)
		}
		if rows, err := double.Decode(data); err == nil {
			cdctest.CheckDecoded(t, double, doubleEnc, rows)
		}
	})
}
