package canal_test

import (
	"path/filepath"
	"testing"

	"github.com/raftconnect/raftconnect/plugins/formats/canal"
	"github.com/raftconnect/raftconnect/plugins/formats/cdctest"
	_ "github.com/raftconnect/raftconnect/plugins/formats/debezium"
	_ "github.com/raftconnect/raftconnect/plugins/formats/maxwell"
)

// FuzzDecode: malformed messages are errors, never panics; what decodes (under every inference
// strategy) is valid, re-encodes, and translates to the other CDC formats.
func FuzzDecode(f *testing.F) {
	for _, file := range []string{"canal-flat.jsonl", "flink-canal.jsonl"} {
		for _, m := range cdctest.Lines(f, filepath.Join("testdata", file)) {
			f.Add(m)
		}
	}
	type codec struct {
		name string
		opts map[string]string
	}
	trs := cdctest.Translators(f)
	conv := cdctest.Converter(f, canal.Name, map[string]string{"ddl.handling": "surface"})
	var decs []func(t *testing.T, data []byte)
	for _, c := range []codec{
		{"auto", map[string]string{"ddl.handling": "surface"}},
		{"double", map[string]string{"infer-schema.exact-decimal": "false"}},
		{"sql", map[string]string{"infer-schema.strategy": "SQL_TYPE"}},
		{"mysql", map[string]string{"infer-schema.strategy": "MYSQL_TYPE"}},
		{"mysql-ltz", map[string]string{"infer-schema.strategy": "MYSQL_TYPE", "mysql.treat-mysql-timestamp-as-datetime-enabled": "false",
			"mysql.treat-tinyint1-as-boolean.enabled": "false", "mysql.server-time-zone": "Asia/Kolkata"}},
	} {
		dec, enc := cdctest.Codec(f, canal.Name, c.opts)
		decs = append(decs, func(t *testing.T, data []byte) {
			if rows, err := dec.Decode(data); err == nil {
				cdctest.CheckDecoded(t, dec, enc, rows)
				cdctest.CheckTranslated(t, trs, rows)
			}
		})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cdctest.CheckConverter(t, conv, data)
		for _, d := range decs {
			d(t, data)
		}
	})
}
