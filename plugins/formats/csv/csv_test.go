package csv

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// codec builds a decoder (nil without csv.schema) and encoder from options.
func codec(t testing.TB, opts map[string]string) (formats.Decoder, formats.Encoder) {
	t.Helper()
	f, err := formats.Lookup(Name)
	if err != nil {
		t.Fatal(err)
	}
	c, err := formats.ParseOptions(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	var dec formats.Decoder
	if opts["csv.schema"] != "" {
		if dec, err = f.NewDecoder(c); err != nil {
			t.Fatal(err)
		}
	}
	enc, err := f.NewEncoder(c)
	if err != nil {
		t.Fatal(err)
	}
	return dec, enc
}

func readOpts(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	opts := map[string]string{}
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: bad line %q", path, line)
		}
		opts[k] = v
	}
	return opts
}

// TestGolden decodes every line of testdata/<case>.csv with the options of <case>.opts, writes
// the row as JSON (or the error) and the row encoded again, and compares with <case>.golden.
// Every encoded row must decode back to the same row.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.csv")
	if len(files) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, in := range files {
		name := strings.TrimSuffix(filepath.Base(in), ".csv")
		t.Run(name, func(t *testing.T) {
			dec, enc := codec(t, readOpts(t, "testdata/"+name+".opts"))
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			sc := bufio.NewScanner(bytes.NewReader(data))
			for n := 1; sc.Scan(); n++ {
				line := sc.Bytes()
				fmt.Fprintf(&got, "%d in:  %s\n", n, line)
				rows, err := dec.Decode(line)
				if err != nil {
					fmt.Fprintf(&got, "%d err: %v\n", n, err)
					continue
				}
				if len(rows) == 0 {
					fmt.Fprintf(&got, "%d (no row)\n", n)
					continue
				}
				js, err := formats.AppendJSON(nil, rows[0].Value, rows[0].Schema)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&got, "%d row: %s\n", n, js)
				msgs, err := enc.Encode(rows)
				if err != nil {
					fmt.Fprintf(&got, "%d encode err: %v\n", n, err)
					continue
				}
				fmt.Fprintf(&got, "%d out: %s\n", n, msgs[0])
				back, err := dec.Decode(msgs[0])
				if err != nil || len(back) != 1 || !sameRow(back[0].Value, rows[0].Value) {
					t.Errorf("line %d: %q decoded to %v, encoded as %q, decoded back to %v, %v", n, line, rows[0].Value, msgs[0], back, err)
				}
			}
			golden := "testdata/" + name + ".golden"
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", golden, got.Bytes(), want)
			}
		})
	}
}

// sameRow compares rows by value, and by JSON text so that NaN equals NaN.
func sameRow(a, b any) bool {
	if connect.ValuesEqual(a, b) {
		return true
	}
	ja, err1 := formats.AppendJSON(nil, a, nil)
	jb, err2 := formats.AppendJSON(nil, b, nil)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

func TestOptions(t *testing.T) {
	f, _ := formats.Lookup(Name)
	base := "id INT"
	tests := []struct {
		opts map[string]string
		err  string
	}{
		{map[string]string{"csv.field-delimiter": ";;"}, "single character"},
		{map[string]string{"csv.field-delimiter": "é"}, "ASCII"},
		{map[string]string{"csv.field-delimiter": `\n`}, "line break"},
		{map[string]string{"csv.field-delimiter": `\u00`}, "incomplete"},
		{map[string]string{"csv.quote-character": "'", "csv.disable-quote-character": "true"}, "cannot be set"},
		{map[string]string{"csv.quote-character": ","}, "both"},
		{map[string]string{"csv.escape-character": ","}, "both"},
		{map[string]string{"csv.escape-character": `"`}, "doubling"},
		{map[string]string{"csv.array-element-delimiter": ""}, "must not be empty"},
		{map[string]string{"csv.null-literal": "#N/A", "csv.allow-comments": "true"}, "comment"},
		{map[string]string{"csv.schema": "m MAP<STRING, INT>"}, "MAP"},
		{map[string]string{"csv.schema": "a ARRAY<ARRAY<INT>>"}, "inside an ARRAY"},
		{map[string]string{"csv.schema": "r ROW<a ARRAY<INT>>"}, "inside an ARRAY or ROW"},
		{map[string]string{"csv.schema": "id SOMETYPE"}, "csv.schema"},
		{map[string]string{"csv.allow-comments": "maybe"}, "csv.allow-comments"},
	}
	for _, tc := range tests {
		if _, ok := tc.opts["csv.schema"]; !ok {
			tc.opts["csv.schema"] = base
		}
		err := func() error {
			c, err := formats.ParseOptions(f, tc.opts)
			if err != nil {
				return err
			}
			_, err = f.NewDecoder(c)
			return err
		}()
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("options %v: error %v, want one containing %q", tc.opts, err, tc.err)
		}
	}
	// Java escapes and the Unicode form work for the delimiter, as in Flink.
	for in, want := range map[string]byte{`\t`: '\t', `\u0001`: 1, `\001`: 1, "|": '|'} {
		c, err := parseChar("x", in)
		if err != nil || c != want {
			t.Errorf("parseChar(%q) = %q, %v; want %q", in, c, err, want)
		}
	}
	// A literal space or tab survives the configuration parser's trimming.
	for opt, delim := range map[string]string{" ": " ", "\t": "\t", `\t`: "\t", "\t ": "err"} {
		f, _ := formats.Lookup(Name)
		c, _ := formats.ParseOptions(f, map[string]string{"csv.schema": "a STRING, b ARRAY<INT>", "csv.field-delimiter": opt, "csv.array-element-delimiter": " | "})
		dec, err := f.NewDecoder(c)
		if delim == "err" {
			if err == nil {
				t.Errorf("delimiter %q accepted", opt)
			}
			continue
		}
		if err != nil {
			t.Errorf("delimiter %q: %v", opt, err)
			continue
		}
		enc, _ := f.NewEncoder(c)
		line := "x\t1 | 2"
		if delim == " " {
			line = `x "1 | 2"` // the array text holds the delimiter, so it is quoted
		}
		rows, err := dec.Decode([]byte(line))
		if err != nil || !connect.ValuesEqual(rows[0].Value.(*connect.Struct).Get("b"), []any{int32(1), int32(2)}) {
			t.Errorf("delimiter %q: %v, %v", opt, rows, err)
			continue
		}
		if msgs, _ := enc.Encode(rows); string(msgs[0]) != line {
			t.Errorf("delimiter %q: encoded %q", opt, msgs[0])
		}
	}
	// csv.schema is needed to decode, not to encode.
	c, _ := formats.ParseOptions(f, nil)
	if _, err := f.NewDecoder(c); err == nil || !strings.Contains(err.Error(), "csv.schema is required") {
		t.Errorf("decoder without schema: %v", err)
	}
	if _, err := f.NewEncoder(c); err != nil {
		t.Errorf("encoder without schema: %v", err)
	}
}

func TestDecodeCases(t *testing.T) {
	dec, _ := codec(t, map[string]string{"csv.schema": "a INT, b STRING"})
	tests := []struct {
		in   string
		want string // JSON of the row; "-" for no row; "err: ..." for an error substring
	}{
		{"1,x\r\n", `{"a":1,"b":"x"}`},
		{"1,x\n", `{"a":1,"b":"x"}`},
		{"1,\"x\"\r\n", `{"a":1,"b":"x"}`},
		{"1,\"two\nlines\"", `{"a":1,"b":"two\nlines"}`},
		{"1,\"two\r\nlines\"\n", `{"a":1,"b":"two\r\nlines"}`},
		{"", "-"},
		{"\n", "-"},
		{"1,x\n2,y", "err: line break at offset 3"},
		{"1", "err: record has 1 fields, csv.schema has 2"},
		{"1,x,", "err: record has 3 fields"},
		{"q,x", "err: column 1 (a) at offset 0: invalid INT32"},
		{"1,\"x", "err: quoted field starting at offset 2 is not closed"},
		{"1,\"x\"y", "err: unexpected 'y' after the closing quote at offset 4"},
		{"1,a\"b", `{"a":1,"b":"a\"b"}`}, // a quote inside an unquoted field is literal
		{"#1,x", "err: invalid INT32"},   // comments are off by default
	}
	for _, tc := range tests {
		rows, err := dec.Decode([]byte(tc.in))
		var got string
		switch {
		case err != nil:
			got = "err: " + err.Error()
		case len(rows) == 0:
			got = "-"
		default:
			b, _ := formats.AppendJSON(nil, rows[0].Value, nil)
			got = string(b)
		}
		if strings.HasPrefix(tc.want, "err: ") && strings.HasPrefix(got, "err: ") {
			if !strings.Contains(got, tc.want[5:]) {
				t.Errorf("Decode(%q) = %s, want an error containing %q", tc.in, got, tc.want[5:])
			}
			continue
		}
		if got != tc.want {
			t.Errorf("Decode(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}

	// A TIMESTAMP column is a wall clock, which a zone offset would shift: refused, naming the
	// column. A TIMESTAMP_LTZ column converts a zoned value to UTC.
	ts, _ := codec(t, map[string]string{"csv.schema": "id INT, ts TIMESTAMP(3), at TIMESTAMP_LTZ(3)"})
	for _, tc := range []struct{ in, want string }{
		{"1,2020-12-30 12:13:14+08:00,", `err: column 2 (ts) at offset 2: invalid timestamp "2020-12-30 12:13:14+08:00": a TIMESTAMP without time zone cannot hold a zone offset (+08:00); declare the column TIMESTAMP_LTZ`},
		{"1,2020-12-30T12:13:14.5-05:30,", "err: column 2 (ts) at offset 2: invalid timestamp"},
		{"1,2020-12-30 12:13:14Z,2020-12-30 12:13:14+08:00", `{"id":1,"ts":"2020-12-30 12:13:14","at":"2020-12-30 04:13:14"}`},
		{"1,2020-12-30 12:13:14,2020-12-30T12:13:14", `{"id":1,"ts":"2020-12-30 12:13:14","at":"2020-12-30 12:13:14"}`},
	} {
		rows, err := ts.Decode([]byte(tc.in))
		got := ""
		if err != nil {
			got = "err: " + err.Error()
		} else {
			b, _ := formats.AppendJSON(nil, rows[0].Value, nil)
			got = string(b)
		}
		if strings.HasPrefix(tc.want, "err: ") && strings.HasPrefix(got, tc.want) || got == tc.want {
			continue
		}
		t.Errorf("Decode(%q) = %s, want %s", tc.in, got, tc.want)
	}

	one, _ := codec(t, map[string]string{"csv.schema": "a STRING"})
	rows, err := one.Decode(nil)
	if err != nil || len(rows) != 1 || rows[0].Value.(*connect.Struct).Get("a") != nil {
		t.Errorf("empty message with one column = %v, %v; want one row holding null", rows, err)
	}
	rows, _ = one.Decode([]byte(`""`))
	if rows[0].Value.(*connect.Struct).Get("a") != "" {
		t.Errorf(`"" with one column = %v; want the empty string`, rows[0].Value)
	}
	if rows[0].Op != formats.Insert || rows[0].Schema == nil {
		t.Errorf("row = %+v; want an Insert with the configured schema", rows[0])
	}
}

func TestEncodeCases(t *testing.T) {
	s, _ := formats.ParseColumns("a INT, b STRING")
	st := connect.NewStruct(s).MustPut("a", int32(1)).MustPut("b", "x")
	_, enc := codec(t, map[string]string{"csv.schema": "a INT, b STRING"})
	_, free := codec(t, nil)
	other, _ := formats.ParseColumns("b STRING, a BIGINT, c BOOLEAN")
	ost := connect.NewStruct(other).MustPut("a", int64(2)).MustPut("b", "y")
	tests := []struct {
		name string
		enc  formats.Encoder
		rows []formats.Row
		want string
	}{
		{"struct", enc, []formats.Row{{Value: st}}, "1,x"},
		{"map by name", enc, []formats.Row{{Value: map[string]any{"b": "z", "a": 3.0}}}, "3,z"},
		{"other schema by name", enc, []formats.Row{{Value: ost}}, "2,y"},
		{"no csv.schema: row order", free, []formats.Row{{Value: ost}}, "y,2,"},
		{"lone value", free, []formats.Row{{Schema: connect.StringSchema, Value: "a,b"}}, `"a,b"`},
		{"update pair", enc, []formats.Row{{Op: formats.UpdateBefore, Value: st}, {Op: formats.UpdateAfter, Value: st}}, "1,x"},
		{"tombstone", enc, []formats.Row{{}}, ""},
		{"delete", enc, []formats.Row{{Op: formats.Delete, Value: st}}, "err: csv cannot hold a -D (delete) row: the format is insert-only"},
		{"delete after an insert", enc, []formats.Row{{Value: st}, {Op: formats.Delete, Value: st}}, "err: row 2: csv cannot hold a -D (delete) row"},
		{"ddl", enc, []formats.Row{{DDL: "ALTER TABLE t ADD c INT"}}, "err: schema change (DDL"},
		{"schemaless map without csv.schema", free, []formats.Row{{Value: map[string]any{"a": 1}}}, "err: set csv.schema"},
		{"bad value", enc, []formats.Row{{Value: map[string]any{"a": "one"}}}, "err: column a: invalid INT32"},
		{"map column", free, []formats.Row{{Value: connect.NewStruct(connect.StructBuilder().Field("m", connect.MapOf(connect.StringSchema, connect.StringSchema).Optional().MustBuild()).MustBuild())}}, "err: MAP"},
	}
	if formats.RequiresSchema(enc) || !formats.RequiresSchema(free) {
		t.Errorf("RequiresSchema: with csv.schema %v, without %v; want false, true", formats.RequiresSchema(enc), formats.RequiresSchema(free))
	}
	for _, tc := range tests {
		msgs, err := tc.enc.Encode(tc.rows)
		got := ""
		if err != nil {
			got = "err: " + err.Error()
		} else {
			if len(msgs) != 1 {
				t.Errorf("%s: %d messages, want 1", tc.name, len(msgs))
				continue
			}
			got = string(msgs[0])
		}
		if strings.HasPrefix(tc.want, "err: ") && strings.Contains(got, tc.want[5:]) {
			continue
		}
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestEncodeProtection(t *testing.T) {
	schema := "a STRING, b STRING"
	tests := []struct {
		opts map[string]string
		a, b any
		want string
	}{
		{nil, "x,y", `q"q`, `"x,y","q""q"`},
		{nil, "", nil, `"",`},
		{nil, "line\nbreak", "ok", "\"line\nbreak\",ok"},
		{map[string]string{"csv.escape-character": `\`}, "line\nbreak", `back\slash`, `"line\nbreak","back\\slash"`},
		{map[string]string{"csv.null-literal": "NULL"}, "NULL", nil, `"NULL",NULL`},
		{map[string]string{"csv.allow-comments": "true"}, "#not a comment", "#fine", `"#not a comment",#fine`},
		{map[string]string{"csv.disable-quote-character": "true", "csv.escape-character": `\`}, "a,b", "#x", `a\,b,#x`},
		{map[string]string{"csv.disable-quote-character": "true", "csv.escape-character": `\`, "csv.allow-comments": "true"}, "#x", "y", `\#x,y`},
		{map[string]string{"csv.disable-quote-character": "true", "csv.escape-character": `\`, "csv.null-literal": "NULL"}, "NULL", nil, `\NULL,NULL`},
		{map[string]string{"csv.disable-quote-character": "true", "csv.escape-character": `\`, "csv.null-literal": "nt"}, "nt", nil, "err: cannot be escaped"},
		{map[string]string{"csv.disable-quote-character": "true"}, "a,b", "x", "err: needs quoting"},
		{map[string]string{"csv.disable-quote-character": "true"}, "", nil, ","},
	}
	for _, tc := range tests {
		opts := map[string]string{"csv.schema": schema}
		for k, v := range tc.opts {
			opts[k] = v
		}
		dec, enc := codec(t, opts)
		s, _ := formats.ParseColumns(schema)
		st := connect.NewStruct(s)
		st.Put("a", tc.a)
		st.Put("b", tc.b)
		msgs, err := enc.Encode([]formats.Row{{Value: st}})
		if err != nil {
			if !strings.HasPrefix(tc.want, "err: ") || !strings.Contains(err.Error(), tc.want[5:]) {
				t.Errorf("%v: error %v, want %q", tc.opts, err, tc.want)
			}
			continue
		}
		if got := string(msgs[0]); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.opts, got, tc.want)
			continue
		}
		rows, err := dec.Decode(msgs[0])
		wantBack := tc.a
		if tc.opts["csv.disable-quote-character"] == "true" && tc.a == "" && tc.opts["csv.null-literal"] == "" {
			wantBack = nil // the documented limit: no quotes, no null literal
		}
		if err != nil || rows[0].Value.(*connect.Struct).Get("a") != wantBack || rows[0].Value.(*connect.Struct).Get("b") != tc.b {
			t.Errorf("%v: %q decoded to %v, %v", tc.opts, msgs[0], rows, err)
		}
	}
}

// allTypes is a schema of every type csv holds.
const allTypes = "b BOOLEAN, i8 TINYINT, i16 SMALLINT, i32 INT, i64 BIGINT NOT NULL, f FLOAT, d DOUBLE, " +
	"dec DECIMAL(20,4), day DATE, t TIME(3), ts TIMESTAMP(3), by BYTES, s STRING, arr ARRAY<STRING>, " +
	"nums ARRAY<DECIMAL(5,1)>, r ROW<x INT, y STRING, z DATE>"

// randomRow fills every column with a random value, or null, drawing strings from a set heavy
// with the characters CSV must protect.
func randomRow(r *rand.Rand, s *connect.Schema, elemDelim string) *connect.Struct {
	st := connect.NewStruct(s)
	for i, f := range s.Fields {
		if f.Schema.Optional && r.IntN(6) == 0 {
			continue
		}
		st.PutIndex(i, randomValue(r, f.Schema, false, elemDelim))
	}
	return st
}

var nasty = []string{"", " ", ",", ";", "|", "\"", "'", "\\", "\n", "\r\n", "\t", "#", "NULL", "\\N", "null", "é", "東京", "🚀", "a\"b\"c", "x,y;z", "plain"}

func randomString(r *rand.Rand, inElement bool, elemDelim string) string {
	var b strings.Builder
	for n := r.IntN(4); n >= 0; n-- {
		b.WriteString(nasty[r.IntN(len(nasty))])
	}
	s := b.String()
	if inElement {
		// Elements cannot hold the element delimiter, and an empty one reads back as null
		// or as no element at all.
		s = strings.ReplaceAll(s, elemDelim, "_")
		if s == "" || s == "NULL" || s == `\N` {
			s = "e"
		}
	}
	return s
}

func randomValue(r *rand.Rand, s *connect.Schema, inElement bool, elemDelim string) any {
	switch s.Name {
	case connect.DecimalName:
		scale, _ := connect.DecimalScale(s)
		p, _ := formats.DecimalPrecision(s)
		limit := int64(math.Pow10(min(p, 18))) - 1
		return connect.NewDecimal(r.Int64N(2*limit+1)-limit, scale)
	case connect.DateName:
		return connect.DaysToDate(int32(r.IntN(200000) - 100000))
	case connect.TimeName:
		return connect.MillisToTime(int32(r.IntN(86_400_000)))
	case connect.TimestampName:
		return time.UnixMilli(r.Int64N(1<<42) - 1<<41).UTC()
	}
	switch s.Type {
	case connect.TypeBoolean:
		return r.IntN(2) == 0
	case connect.TypeInt8:
		return int8(r.Uint32())
	case connect.TypeInt16:
		return int16(r.Uint32())
	case connect.TypeInt32:
		return int32(r.Uint32())
	case connect.TypeInt64:
		return int64(r.Uint64())
	case connect.TypeFloat32:
		return []float32{0, -1.5, float32(math.Inf(1)), 3.4028235e38, 1e-7, r.Float32()}[r.IntN(6)]
	case connect.TypeFloat64:
		return []float64{0, math.Copysign(0, -1), math.Inf(-1), 5e-324, 1e21, r.NormFloat64() * 1e6}[r.IntN(6)]
	case connect.TypeBytes:
		b := make([]byte, r.IntN(6))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	case connect.TypeString:
		return randomString(r, inElement, elemDelim)
	case connect.TypeArray:
		arr := make([]any, 1+r.IntN(3))
		for i := range arr {
			arr[i] = randomValue(r, s.ValueSchema, true, elemDelim)
		}
		return arr
	case connect.TypeStruct:
		st := connect.NewStruct(s)
		for i, f := range s.Fields {
			st.PutIndex(i, randomValue(r, f.Schema, true, elemDelim))
		}
		return st
	}
	panic(s.Type)
}

// TestRoundTrip writes random rows of every type under several option sets and reads them back.
func TestRoundTrip(t *testing.T) {
	optionSets := []map[string]string{
		{},
		{"csv.field-delimiter": ";", "csv.quote-character": "'", "csv.array-element-delimiter": "|"},
		{"csv.escape-character": `\`, "csv.null-literal": "NULL", "csv.allow-comments": "true"},
		{"csv.disable-quote-character": "true", "csv.escape-character": `\`, "csv.null-literal": `\N`, "csv.field-delimiter": `\t`},
		{"csv.field-delimiter": "|", "csv.array-element-delimiter": "::", "csv.null-literal": ""},
	}
	r := rand.New(rand.NewPCG(1, 2))
	s, _ := formats.ParseColumns(allTypes)
	for i, opts := range optionSets {
		opts["csv.schema"] = allTypes
		dec, enc := codec(t, opts)
		elemDelim := opts["csv.array-element-delimiter"]
		if elemDelim == "" {
			elemDelim = ";"
		}
		for n := 0; n < 2000; n++ {
			st := randomRow(r, s, elemDelim)
			msgs, err := enc.Encode([]formats.Row{{Value: st}})
			if err != nil {
				t.Fatalf("options %d: encode %v: %v", i, st, err)
			}
			if bytes.ContainsAny(msgs[0], "\n\r") && opts["csv.escape-character"] != "" {
				t.Errorf("options %d: %q holds a line break although an escape character is set", i, msgs[0])
			}
			rows, err := dec.Decode(msgs[0])
			if err != nil {
				t.Fatalf("options %d: decode %q (from %v): %v", i, msgs[0], st, err)
			}
			if !connect.ValuesEqual(rows[0].Value, st) {
				t.Fatalf("options %d: %v\nencoded %q\ndecoded %v", i, st, msgs[0], rows[0].Value)
			}
		}
	}
}

func TestIgnoreParseErrors(t *testing.T) {
	dec, _ := codec(t, map[string]string{"csv.schema": "a INT, b DATE, c STRING", "csv.ignore-parse-errors": "true"})
	rows, err := dec.Decode([]byte("x,2020-01-01,ok"))
	if err != nil || len(rows) != 1 {
		t.Fatalf("Decode = %v, %v", rows, err)
	}
	st := rows[0].Value.(*connect.Struct)
	if st.Get("a") != nil || st.Get("c") != "ok" || st.Get("b") == nil {
		t.Errorf("bad field not nulled alone: %v", st)
	}
	rows, err = dec.Decode([]byte("1"))
	if err != nil || len(rows) != 1 || rows[0].Value.(*connect.Struct).Get("a") != int32(1) {
		t.Errorf("short record = %v, %v; want missing fields null", rows, err)
	}
	rows, err = dec.Decode([]byte(`1,"open`))
	if err != nil || len(rows) != 0 {
		t.Errorf("unparseable record = %v, %v; want it skipped", rows, err)
	}
}

func TestConverter(t *testing.T) {
	p, err := connect.LookupType("csv", connect.PluginConverter)
	if err != nil {
		t.Fatal(err)
	}
	if p.Class != ConverterClass {
		t.Errorf("class %s", p.Class)
	}
	c := p.New().(connect.Converter)
	if err := c.Configure(map[string]string{"schema": "id INT, name STRING", "field-delimiter": ";"}, false); err != nil {
		t.Fatal(err)
	}
	sv, err := c.ToConnectData("t", nil, []byte("7;seven"))
	if err != nil {
		t.Fatal(err)
	}
	st := sv.Value.(*connect.Struct)
	if st.Get("id") != int32(7) || st.Get("name") != "seven" || sv.Schema != st.Schema() {
		t.Errorf("ToConnectData = %v", sv)
	}
	b, err := c.FromConnectData("t", nil, sv.Schema, sv.Value)
	if err != nil || string(b) != "7;seven" {
		t.Errorf("FromConnectData = %q, %v", b, err)
	}
}
