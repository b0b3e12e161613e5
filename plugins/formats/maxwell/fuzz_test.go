package maxwell_test

import (
	"path/filepath"
	"testing"

	"github.com/raftconnect/raftconnect/plugins/formats/cdctest"
	"github.com/raftconnect/raftconnect/plugins/formats/maxwell"
)

// FuzzDecode: malformed messages are errors, never panics; what decodes is valid and re-encodes.
func FuzzDecode(f *testing.F) {
	for _, m := range cdctest.Lines(f, filepath.Join("testdata", "maxwell.jsonl")) {
		f.Add(m)
	}
	dec, enc := cdctest.Codec(f, maxwell.Name, map[string]string{"ddl.handling": "surface"})
	exact, exactEnc := cdctest.Codec(f, maxwell.Name, map[string]string{"infer-schema.exact-decimal": "true"})
	f.Fuzz(func(t *testing.T, data []byte) {
		if rows, err := dec.Decode(data); err == nil {
			cdctest.CheckDecoded(t, dec, enc, rows)
		}
		if rows, err := exact.Decode(data); err == nil {
			cdctest.CheckDecoded(t, exact, exactEnc, rows)
		}
	})
}
