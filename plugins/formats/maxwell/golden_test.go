package maxwell_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/plugins/formats/cdctest"
	"github.com/raftconnect/raftconnect/plugins/formats/maxwell"
)

var goldenCases = []struct {
	golden  string
	options map[string]string
	// exact: row events re-encode to Maxwell's own bytes (decimals keep their scale only when
	// typed exactly, as they are by default).
	exact bool
}{
	// Numbers with a fraction are exact Decimals by default; -double pins the option off.
	{"maxwell.golden", nil, true},
	{"maxwell-double.golden", map[string]string{"maxwell-json.infer-schema.exact-decimal": "false"}, false},
	{"maxwell-strings.golden", map[string]string{"infer-schema.primitive-as-string": "true"}, false},
}

// TestGolden decodes Maxwell's output and compares the rows with golden dumps (regenerate with
// -args -update and review the diff).
func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.golden, func(t *testing.T) {
			dec, _ := cdctest.Codec(t, maxwell.Name, withDDL(c.options))
			var b strings.Builder
			for i, m := range cdctest.Lines(t, filepath.Join("testdata", "maxwell.jsonl")) {
				rows, err := dec.Decode(m)
				if err != nil {
					t.Fatalf("message %d: %v", i+1, err)
				}
				fmt.Fprintf(&b, "# message %d\n%s", i+1, cdctest.Dump(rows))
			}
			cdctest.Golden(t, filepath.Join("testdata", c.golden), b.String())
		})
	}
}

func withDDL(o map[string]string) map[string]string {
	out := map[string]string{"ddl.handling": "surface"}
	for k, v := range o {
		out[k] = v
	}
	return out
}

// TestReencode encodes the decoded rows of every message back to maxwell-json: they decode to the
// same rows, and with exact decimals a row event's bytes are Maxwell's own.
func TestReencode(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.golden, func(t *testing.T) {
			dec, enc := cdctest.Codec(t, maxwell.Name, withDDL(c.options))
			for i, m := range cdctest.Lines(t, filepath.Join("testdata", "maxwell.jsonl")) {
				rows, err := dec.Decode(m)
				if err != nil {
					t.Fatalf("message %d: %v", i+1, err)
				}
				out, err := enc.Encode(rows)
				if err != nil {
					t.Fatalf("message %d: encode: %v", i+1, err)
				}
				if len(rows) == 0 {
					if len(out) != 0 {
						t.Fatalf("message %d: no rows encode to %d messages", i+1, len(out))
					}
					continue
				}
				if len(out) != 1 {
					t.Fatalf("message %d: %d rows encode to %d messages, want 1", i+1, len(rows), len(out))
				}
				if c.exact && rows[0].DDL == "" && !bytes.Equal(out[0], m) {
					t.Errorf("message %d re-encoded differently:\n got %s\nwant %s", i+1, out[0], m)
				}
				again, err := dec.Decode(out[0])
				if err != nil {
					t.Fatalf("message %d: decoding the re-encoded message: %v\n%s", i+1, err, out[0])
				}
				if g, w := cdctest.Dump(again), cdctest.Dump(rows); g != w {
					t.Errorf("message %d: re-encoded message\n%s\ndecodes to\n%s\nwant\n%s", i+1, out[0], g, w)
				}
			}
		})
	}
}
