package debezium_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/plugins/formats/cdc"
	"github.com/raftconnect/raftconnect/plugins/formats/cdctest"
	"github.com/raftconnect/raftconnect/plugins/formats/debezium"
)

// TestGolden decodes messages written the way Debezium writes them and compares the rows with
// golden dumps (regenerate with `go test ./plugins/formats/debezium -args -update`, then review the
// diff).
func TestGolden(t *testing.T) {
	cases := []struct {
		file    string
		golden  string
		options map[string]string
	}{
		// Numbers with a fraction are exact Decimals by default; -double pins the option off.
		{"mysql-schemaless.jsonl", "mysql-schemaless.golden", nil},
		{"mysql-schemaless.jsonl", "mysql-schemaless-double.golden", map[string]string{"infer-schema.exact-decimal": "false", "infer-schema.primitive-as-string": "false"}},
		{"mysql-schemaless.jsonl", "mysql-schemaless-strings.golden", map[string]string{"infer-schema.primitive-as-string": "true"}},
		{"mysql-schema.jsonl", "mysql-schema.golden", nil},
		{"postgres-schemaless.jsonl", "postgres-schemaless.golden", nil},
		{"postgres-schema.jsonl", "postgres-schema.golden", nil},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			opts := map[string]string{"ddl.handling": "surface"}
			for k, v := range c.options {
				opts[k] = v
			}
			dec, _ := cdctest.Codec(t, debezium.Name, opts)
			msgs := cdctest.Lines(t, filepath.Join("testdata", c.file))
			var b strings.Builder
			for i, m := range msgs {
				rows, err := dec.Decode(m)
				if err != nil {
					t.Fatalf("message %d: %v", i+1, err)
				}
				b.WriteString("# message " + itoa(i+1) + "\n")
				b.WriteString(cdctest.Dump(rows))
			}
			cdctest.Golden(t, filepath.Join("testdata", c.golden), b.String())
		})
	}
}

// TestReencodeExact re-encodes every golden message and expects Debezium's own bytes back: the
// decoder keeps what the encoder needs (schemas, source block, member order, envelope metadata).
// Schema-change events are compared by their decoded rows, since their tableChanges block comes
// back with inferred types.
func TestReencodeExact(t *testing.T) {
	for _, file := range []string{"mysql-schemaless.jsonl", "mysql-schema.jsonl", "postgres-schemaless.jsonl", "postgres-schema.jsonl"} {
		t.Run(file, func(t *testing.T) {
			schema := strings.Contains(file, "-schema.")
			dec, enc := cdctest.Codec(t, debezium.Name, map[string]string{
				"ddl.handling":   "surface",
				"schema-include": map[bool]string{true: "true", false: "false"}[schema],
			})
			for i, m := range cdctest.Lines(t, filepath.Join("testdata", file)) {
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
						t.Fatalf("message %d: no rows encoded to %d messages", i+1, len(out))
					}
					continue
				}
				if len(out) != 1 {
					t.Fatalf("message %d: %d rows encoded to %d messages, want 1", i+1, len(rows), len(out))
				}
				// An update without a before image (PostgreSQL's "u" with "before": null) is
				// an unpaired UpdateAfter row, which stays an update.
				if !cdc.IsDDL(&rows[0]) || strings.HasPrefix(rows[0].DDL, "TRUNCATE") {
					if !bytes.Equal(out[0], m) {
						t.Errorf("message %d re-encoded differently:\n got %s\nwant %s", i+1, out[0], m)
					}
				}
				again, err := dec.Decode(out[0])
				if err != nil {
					t.Fatalf("message %d: decoding the re-encoded message: %v\n%s", i+1, err, out[0])
				}
				if g, w := cdctest.Dump(again), cdctest.Dump(rows); g != w {
					t.Errorf("message %d: re-encoded message decodes to\n%s\nwant\n%s", i+1, g, w)
				}
			}
		})
	}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
