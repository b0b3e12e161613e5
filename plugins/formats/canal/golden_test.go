package canal_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/plugins/formats/canal"
	"github.com/raftconnect/raftconnect/plugins/formats/cdctest"
)

var goldenCases = []struct {
	file, golden string
	options      map[string]string
	// exact: re-encoding reproduces Canal's bytes (the strategy keeps every value's text).
	exact bool
}{
	{"canal-flat.jsonl", "canal-flat-auto.golden", nil, true},
	{"canal-flat.jsonl", "canal-flat-sqltype.golden", map[string]string{"infer-schema.strategy": "SQL_TYPE"}, false},
	{"canal-flat.jsonl", "canal-flat-mysqltype.golden", map[string]string{"infer-schema.strategy": "MYSQL_TYPE"}, true},
	{"canal-flat.jsonl", "canal-flat-mysqltype-ltz.golden", map[string]string{
		"canal-json.infer-schema.strategy":                           "mysql_type",
		"canal-json.mysql.treat-tinyint1-as-boolean.enabled":         "false",
		"canal-json.mysql.treat-mysql-timestamp-as-datetime-enabled": "false",
		"canal-json.mysql.server-time-zone":                          "Asia/Shanghai",
	}, true},
	{"canal-flat.jsonl", "canal-flat-filtered.golden", map[string]string{
		"database.include": "sho.", "table.include": "ord.*|coupons", "ddl.handling": "skip",
	}, true},
	// Numbers with a fraction are exact Decimals by default; -double pins the option off.
	{"flink-canal.jsonl", "flink-canal-auto.golden", nil, true},
	{"flink-canal.jsonl", "flink-canal-double.golden", map[string]string{"infer-schema.exact-decimal": "false"}, false},
}

// TestGolden decodes Canal's flat messages under each inference strategy and compares the rows
// with golden dumps (regenerate with -args -update and review the diff).
func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.golden, func(t *testing.T) {
			dec, _ := cdctest.Codec(t, canal.Name, withDDL(c.options))
			var b strings.Builder
			for i, m := range cdctest.Lines(t, filepath.Join("testdata", c.file)) {
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

var canonical = cdctest.Canonical{PrimaryKey: true}

func withDDL(o map[string]string) map[string]string {
	out := map[string]string{"ddl.handling": "surface"}
	for k, v := range o {
		out[k] = v
	}
	return out
}

// TestReencode encodes the decoded rows of every message back to canal-json: the rows decode the
// same again, and where the strategy keeps each value's text, the bytes are Canal's own.
func TestReencode(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.golden, func(t *testing.T) {
			dec, enc := cdctest.Codec(t, canal.Name, withDDL(c.options))
			for i, m := range cdctest.Lines(t, filepath.Join("testdata", c.file)) {
				rows, err := dec.Decode(m)
				if err != nil {
					t.Fatalf("message %d: %v", i+1, err)
				}
				out, err := enc.Encode(rows)
				if err != nil {
					t.Fatalf("message %d: encode: %v", i+1, err)
				}
				if len(rows) == 0 {
					continue
				}
				if len(out) != 1 {
					t.Fatalf("message %d: %d rows encode to %d messages, want 1", i+1, len(rows), len(out))
				}
				if c.exact && c.file == "canal-flat.jsonl" && !bytes.Equal(out[0], m) {
					t.Errorf("message %d re-encoded differently:\n got %s\nwant %s", i+1, out[0], m)
				}
				again, err := dec.Decode(out[0])
				if err != nil {
					t.Fatalf("message %d: decoding the re-encoded message: %v\n%s", i+1, err, out[0])
				}
				// Rows decoded from Canal's own messages keep their sqlType and mysqlType, so they
				// come back with the same types; rows of typed JSON (Flink's canal-json) come back
				// as the strings Canal writes, with the same text.
				got, want := cdctest.Dump(again), cdctest.Dump(rows)
				if c.file != "canal-flat.jsonl" {
					got, want = canonical.Render(t, again), canonical.Render(t, rows)
				}
				if got != want {
					t.Errorf("message %d: re-encoded message\n%s\ndecodes to\n%s\nwant\n%s", i+1, out[0], got, want)
				}
			}
		})
	}
}
