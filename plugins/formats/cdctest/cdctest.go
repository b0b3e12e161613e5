// Package cdctest holds test helpers shared by the CDC formats (debezium-json, canal-json,
// maxwell-json): a deterministic text dump of decoded rows for golden files, a canonical form of
// rows that two formats can be compared by, and golden-file plumbing.
package cdctest

import (
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
	"github.com/raftconnect/raftconnect/plugins/formats/cdc"
)

// Update rewrites golden files instead of comparing with them: go test ./... -args -update.
var Update = flag.Bool("update", false, "rewrite golden files")

// Codec builds a decoder and an encoder of a registered format with options.
func Codec(t testing.TB, format string, options map[string]string) (formats.Decoder, formats.Encoder) {
	t.Helper()
	f, err := formats.Lookup(format)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := formats.ParseOptions(f, options)
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
	return dec, enc
}

// Lines reads a file of one message per line, skipping blank lines and lines starting with "//".
func Lines(t testing.TB, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		l = bytes.TrimRight(l, "\r")
		if len(bytes.TrimSpace(l)) == 0 || bytes.HasPrefix(l, []byte("//")) {
			continue
		}
		out = append(out, l)
	}
	return out
}

// Golden compares got with the golden file at path, or rewrites it with -update.
func Golden(t testing.TB, path string, got string) {
	t.Helper()
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -args -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (run with -args -update to accept):\n%s", path, diff(string(want), got))
	}
}

func diff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, w, g)
			if b.Len() > 4000 {
				b.WriteString("...\n")
				break
			}
		}
	}
	return b.String()
}

// Dump renders rows deterministically: op, table, key, time and metadata on one line, then one
// line per column with its schema and value.
func Dump(rows []formats.Row) string {
	var b strings.Builder
	for i := range rows {
		DumpRow(&b, &rows[i])
	}
	return b.String()
}

// DumpRow renders one row (see Dump).
func DumpRow(b *strings.Builder, r *formats.Row) {
	ddl := cdc.IsDDL(r)
	if ddl {
		fmt.Fprintf(b, "DDL %s.%s ts=%s: %s\n", r.Database, r.Table, ts(r.Timestamp), r.DDL)
	} else {
		fmt.Fprintf(b, "%s %s.%s pk=%v ts=%s\n", r.Op, r.Database, r.Table, r.PrimaryKey, ts(r.Timestamp))
	}
	if src := Source(r.Source); src != "" {
		fmt.Fprintf(b, "  source: %s\n", src)
	}
	if ddl {
		return
	}
	st, ok := r.Value.(*connect.Struct)
	if !ok {
		fmt.Fprintf(b, "  value %T: %s\n", r.Value, Value(r.Value))
		return
	}
	if r.Schema != st.Schema() {
		b.WriteString("  (row schema differs from the struct's)\n")
	}
	for i, f := range st.Schema().Fields {
		fmt.Fprintf(b, "  %s %s = %s\n", f.Name, f.Schema, Value(st.RawIndex(i)))
	}
}

func ts(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// Source renders a Row.Source map with sorted keys, leaving out the entries that only steer
// re-encoding (the envelope schema, member order).
func Source(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if k == "envelope" || k == "order" || k == cdc.SourceDDL {
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%s", k, Value(m[k]))
	}
	return b.String()
}

// Value renders a Connect or Go value unambiguously: strings quoted, bytes in hex, decimals with
// their scale, times in RFC 3339 UTC.
func Value(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q", x)
	case []byte:
		return "0x" + hex.EncodeToString(x)
	case connect.Decimal:
		return fmt.Sprintf("%s(scale %d)", x, x.Scale)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case *connect.Struct:
		var b strings.Builder
		b.WriteByte('{')
		for i, f := range x.Schema().Fields {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%s=%s", f.Name, Value(x.RawIndex(i)))
		}
		b.WriteByte('}')
		return b.String()
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = Value(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case []string:
		return fmt.Sprintf("%q", x)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ":" + Value(x[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	case *connect.Schema:
		return x.String()
	}
	return fmt.Sprintf("%v(%T)", v, v)
}

// Class is the kind of data a column holds, whatever the format's representation: what survives
// a translation between CDC formats whose type systems differ.
func Class(s *connect.Schema) string {
	if s == nil {
		return "?"
	}
	switch cdc.TemporalKindOf(s) {
	case cdc.DateKind:
		return "date"
	case cdc.TimeKind:
		return "time"
	case cdc.TimestampKind:
		return "timestamp"
	case cdc.InstantKind:
		return "instant"
	}
	switch s.Name {
	case connect.DecimalName, cdc.DebeziumVariableScaleDecimal:
		return "decimal"
	}
	switch s.Type {
	case connect.TypeInt8, connect.TypeInt16, connect.TypeInt32, connect.TypeInt64:
		return "integer"
	case connect.TypeFloat32, connect.TypeFloat64:
		return "float"
	}
	return string(s.Type)
}

// Canonical renders rows in a form two CDC formats agree on when they carry the same changes:
// op, database, table, and each column's value as text (cdc.AppendText: what Canal would write),
// optionally with its Class. Metadata a format cannot carry is left out by the flags.
type Canonical struct {
	// Classes adds each column's type class.
	Classes bool
	// PrimaryKey adds the primary key (Debezium values carry none).
	PrimaryKey bool
	// Timestamp adds the event time truncated to this precision (zero: left out).
	Timestamp time.Duration
}

// Render renders rows.
func (c Canonical) Render(t testing.TB, rows []formats.Row) string {
	t.Helper()
	var b strings.Builder
	for i := range rows {
		r := &rows[i]
		if cdc.IsDDL(r) {
			fmt.Fprintf(&b, "DDL %s.%s %s\n", r.Database, r.Table, r.DDL)
			continue
		}
		fmt.Fprintf(&b, "%s %s.%s", r.Op, r.Database, r.Table)
		if c.PrimaryKey {
			fmt.Fprintf(&b, " pk=%v", r.PrimaryKey)
		}
		if c.Timestamp > 0 {
			fmt.Fprintf(&b, " ts=%s", ts(r.Timestamp.Truncate(c.Timestamp)))
		}
		b.WriteByte('\n')
		st, err := cdc.RowStruct(r)
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range st.Schema().Fields {
			v := st.RawIndex(i)
			text := "null"
			if v != nil {
				out, err := cdc.AppendText(nil, f.Schema, v, cdc.TextStyle{})
				if err != nil {
					t.Fatalf("column %s: %v", f.Name, err)
				}
				if s, ok := v.(string); ok && cdc.TemporalKindOf(f.Schema) == cdc.NotTemporal {
					// A schemaless format carries a timestamp as text in its own style
					// (2024-01-02T03:04:05Z, 2024-01-02 03:04:05.000000): compare the instant.
					if ts, err := formats.ParseTimestampAny(s); err == nil {
						out = formats.AppendTimestamp(nil, ts, formats.TimestampSQL)
					}
				}
				text = fmt.Sprintf("%q", out)
			}
			if c.Classes {
				fmt.Fprintf(&b, "  %s %s = %s\n", f.Name, Class(f.Schema), text)
			} else {
				fmt.Fprintf(&b, "  %s = %s\n", f.Name, text)
			}
		}
	}
	return b.String()
}

// DecodeAll decodes every message, failing the test on an error, and returns the rows in order.
func DecodeAll(t testing.TB, dec formats.Decoder, msgs [][]byte) []formats.Row {
	t.Helper()
	var rows []formats.Row
	for i, m := range msgs {
		r, err := dec.Decode(m)
		if err != nil {
			t.Fatalf("message %d: %v\n%s", i+1, err, m)
		}
		rows = append(rows, r...)
	}
	return rows
}

// EncodeAll encodes the rows of each message separately (as a pipeline does) and returns every
// output message.
func EncodeAll(t testing.TB, dec formats.Decoder, enc formats.Encoder, msgs [][]byte) [][]byte {
	t.Helper()
	var out [][]byte
	for i, m := range msgs {
		rows, err := dec.Decode(m)
		if err != nil {
			t.Fatalf("message %d: %v", i+1, err)
		}
		o, err := enc.Encode(rows)
		if err != nil {
			t.Fatalf("message %d: encode: %v", i+1, err)
		}
		out = append(out, o...)
	}
	return out
}
