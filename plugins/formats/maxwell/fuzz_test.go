package maxwell_test

import (
	"path/filepath"
	"testing"

	_ "github.com/raftconnect/raftconnect/plugins/formats/canal"
	"github.com/raftconnect/raftconnect/plugins/formats/cdctest"
	_ "github.com/raftconnect/raftconnect/plugins/formats/debezium"
	"github.com/raftconnect/raftconnect/plugins/formats/maxwell"
)

// FuzzDecode: malformed messages are errors, never panics; what decodes is valid, re-encodes,
// and translates to the other CDC formats.
func FuzzDecode(f *testing.F) {
	for _, m := range cdctest.Lines(f, filepath.Join("testdata", "maxwell.jsonl")) {
		f.Add(m)
	}
	dec, enc := cdctest.Codec(f, maxwell.Name, map[string]string{"ddl.handling": "surface"})
	double, doubleEnc := cdctest.Codec(f, maxwell.Name, map[string]string{"infer-schema.exact-decimal": "false"})
	trs := cdctest.Translators(f)
	conv := cdctest.Converter(f, maxwell.Name, map[string]string{"ddl.handling": "surface"})
	f.Fuzz(func(t *testing.T, data []byte) {
		cdctest.CheckConverter(t, conv, data)
		if rows, err := dec.Decode(data); err == nil {
			cdctest.CheckDecoded(t, dec, enc, rows)
			cdctest.CheckTranslated(t, trs, rows)
		}
		if rows, err := double.Decode(data); err == nil {
			cdctest.CheckDecoded(t, double, doubleEnc, rows)
		}
	})
}
