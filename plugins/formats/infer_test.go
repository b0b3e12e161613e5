package formats

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// widenKinds are one sample type of every node of the lattice, in ParseType syntax.
var widenKinds = []string{
	"BOOLEAN", "TINYINT", "SMALLINT", "INT", "BIGINT", "DECIMAL(10,2)", "FLOAT", "DOUBLE", "STRING",
	"BYTES", "DATE", "TIME(3)", "TIMESTAMP(3)", "ARRAY<BIGINT>", "MAP<STRING, BIGINT>", "ROW<a BIGINT>",
}

// widenNotString lists every pair whose nearest common parent is not STRING (either order);
// every other pair of widenKinds widens to STRING.
var widenNotString = map[[2]string]string{
	{"TINYINT", "SMALLINT"}:       "SMALLINT",
	{"TINYINT", "INT"}:            "INT",
	{"TINYINT", "BIGINT"}:         "BIGINT",
	{"TINYINT", "DECIMAL(10,2)"}:  "DECIMAL(10,2)", // max(10, 2+3)
	{"TINYINT", "FLOAT"}:          "FLOAT",
	{"TINYINT", "DOUBLE"}:         "DOUBLE",
	{"SMALLINT", "INT"}:           "INT",
	{"SMALLINT", "BIGINT"}:        "BIGINT",
	{"SMALLINT", "DECIMAL(10,2)"}: "DECIMAL(10,2)", // max(10, 2+5)
	{"SMALLINT", "FLOAT"}:         "FLOAT",
	{"SMALLINT", "DOUBLE"}:        "DOUBLE",
	{"INT", "BIGINT"}:             "BIGINT",
	{"INT", "DECIMAL(10,2)"}:      "DECIMAL(12,2)", // max(10, 2+10)
	{"INT", "FLOAT"}:              "DOUBLE",        // INT's parents skip FLOAT, as in Flink CDC
	{"INT", "DOUBLE"}:             "DOUBLE",
	{"BIGINT", "DECIMAL(10,2)"}:   "DECIMAL(21,2)", // max(10, 2+19)
	{"BIGINT", "FLOAT"}:           "DOUBLE",
	{"BIGINT", "DOUBLE"}:          "DOUBLE",
	{"FLOAT", "DOUBLE"}:           "DOUBLE",
	{"DATE", "TIMESTAMP(3)"}:      "TIMESTAMP(3)",
}

func TestWidenEveryPair(t *testing.T) {
	for _, a := range widenKinds {
		for _, b := range widenKinds {
			want := "STRING"
			switch {
			case a == b:
				want = a
			case widenNotString[[2]string{a, b}] != "":
				want = widenNotString[[2]string{a, b}]
			case widenNotString[[2]string{b, a}] != "":
				want = widenNotString[[2]string{b, a}]
			}
			got := WidenSchemas(mustType(t, a), mustType(t, b))
			if g := strings.TrimSuffix(FormatType(got), " NOT NULL"); g != want {
				t.Errorf("%s ∪ %s = %s, want %s", a, b, g, want)
			}
		}
	}
}

func TestWidenStructured(t *testing.T) {
	tests := []struct{ a, b, want string }{
		{"DECIMAL(10,2)", "DECIMAL(5,4)", "DECIMAL(12,4)"},
		{"DECIMAL(38,2)", "DECIMAL(38,10)", "STRING"}, // 36 integer + 10 fraction digits > 38
		{"DECIMAL(30,0)", "BIGINT", "DECIMAL(30,0)"},
		{"DECIMAL(30,20)", "BIGINT", "STRING"}, // needs 39 digits
		{"DECIMAL(10,2)", "DOUBLE", "STRING"},  // neither holds the other exactly
		{"ARRAY<INT>", "ARRAY<BIGINT>", "ARRAY<BIGINT>"},
		{"ARRAY<INT>", "ARRAY<STRING>", "ARRAY<STRING>"},
		{"ARRAY<INT>", "INT", "STRING"},
		{"MAP<STRING, INT>", "MAP<STRING, DOUBLE>", "MAP<STRING, DOUBLE>"},
		{"ROW<a INT, b STRING>", "ROW<a BIGINT, c DATE>", "ROW<a BIGINT, b STRING, c DATE>"},
		{"ROW<a INT>", "MAP<STRING, INT>", "STRING"},
		{"ARRAY<ROW<a INT>>", "ARRAY<ROW<b BOOLEAN>>", "ARRAY<ROW<a INT, b BOOLEAN>>"},
	}
	for _, tc := range tests {
		got := WidenSchemas(mustType(t, tc.a), mustType(t, tc.b))
		if g := FormatType(got); g != tc.want {
			t.Errorf("%s ∪ %s = %s, want %s", tc.a, tc.b, g, tc.want)
		}
	}
	a := mustType(t, "BIGINT")
	if WidenSchemas(a, mustType(t, "INT")) != a {
		t.Error("widening to a schema that already holds the other did not return it unchanged")
	}
	if WidenSchemas(nil, a) != a || WidenSchemas(a, nil) != a {
		t.Error("WidenSchemas with nil")
	}
}

func observe(t *testing.T, inf *Inferrer, v any) []SchemaChange {
	t.Helper()
	_, ch, err := inf.Observe(v)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func changeStrings(ch []SchemaChange) []string {
	out := make([]string, len(ch))
	for i, c := range ch {
		out[i] = c.String()
	}
	return out
}

func TestInferrerSequence(t *testing.T) {
	inf, err := NewInferrer(InferOptions{Name: "shop.orders"})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		value   string // JSON, decoded with UseNumber as a JSON decoder hands it over
		changes []string
		schema  string
	}{
		{`{"id": 1, "name": "a", "gone": null}`,
			[]string{"CREATE TABLE (id BIGINT, name STRING)"},
			"id BIGINT, name STRING"},
		{`{"id": 2, "name": "b"}`, nil, "id BIGINT, name STRING"},
		{`{"id": 3}`, nil, "id BIGINT, name STRING"}, // missing field: null, no change
		{`{"id": 4.5, "qty": 2, "gone": null, "addr": {"city": "x"}}`,
			[]string{"ADD COLUMN addr ROW<city STRING>", "ALTER COLUMN id TYPE DOUBLE (was BIGINT)", "ADD COLUMN qty BIGINT"},
			"id DOUBLE, name STRING, addr ROW<city STRING>, qty BIGINT"},
		{`{"addr": {"zip": 1234}, "gone": true}`,
			[]string{"ADD COLUMN addr.zip BIGINT", "ADD COLUMN gone BOOLEAN"},
			"id DOUBLE, name STRING, addr ROW<city STRING, zip BIGINT>, qty BIGINT, gone BOOLEAN"},
		{`{"id": "X-1", "tags": []}`,
			[]string{"ALTER COLUMN id TYPE STRING (was DOUBLE)", "ADD COLUMN tags ARRAY<STRING>"},
			"id STRING, name STRING, addr ROW<city STRING, zip BIGINT>, qty BIGINT, gone BOOLEAN, tags ARRAY<STRING>"},
		// The element type of an array seen only empty is learned from the first element.
		{`{"tags": [1, null]}`,
			[]string{"ALTER COLUMN tags TYPE ARRAY<BIGINT> (was ARRAY<STRING>)"},
			"id STRING, name STRING, addr ROW<city STRING, zip BIGINT>, qty BIGINT, gone BOOLEAN, tags ARRAY<BIGINT>"},
		{`{"qty": 99999999999999999999999}`,
			[]string{"ALTER COLUMN qty TYPE DECIMAL(23,0) (was BIGINT)"},
			"id STRING, name STRING, addr ROW<city STRING, zip BIGINT>, qty DECIMAL(23,0), gone BOOLEAN, tags ARRAY<BIGINT>"},
	}
	version := 0
	for i, st := range steps {
		s, ch, err := inf.Observe(decodeJSON(t, st.value))
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := changeStrings(ch); fmt.Sprint(got) != fmt.Sprint(st.changes) {
			t.Errorf("step %d %s: changes\n%q\nwant\n%q", i, st.value, got, st.changes)
		}
		if got := FormatColumns(s); got != st.schema {
			t.Errorf("step %d: schema\n%s\nwant\n%s", i, got, st.schema)
		}
		if len(ch) > 0 {
			version++
		}
		if s.Version != version || s.Name != "shop.orders" || s.Optional {
			t.Errorf("step %d: version %d name %q optional %v; want %d shop.orders false", i, s.Version, s.Name, s.Optional, version)
		}
	}

	// Earlier values convert to the widened schema.
	st, err := inf.Convert(decodeJSON(t, `{"id": 1, "name": "a", "tags": [7], "addr": {"city": "c"}, "unknown": 5}`))
	if err != nil {
		t.Fatal(err)
	}
	if st.Get("id") != "1" || st.GetStruct("addr").Get("city") != "c" || !connect.ValuesEqual(st.Get("tags"), []any{int64(7)}) {
		t.Errorf("Convert = %v", st)
	}
	if st.Get("qty") != nil || st.Get("gone") != nil {
		t.Errorf("missing fields are not null: %v", st)
	}
	st, err = inf.Convert(decodeJSON(t, `{"id": 4.5}`))
	if err != nil || st.Get("id") != "4.5" {
		t.Errorf("Convert(4.5 into STRING) = %v, %v", st, err)
	}
}

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestInferGoTypes(t *testing.T) {
	ts := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	s, err := InferSchema(map[string]any{
		"b": true, "i8": int8(1), "i16": int16(1), "i32": int32(1), "i64": int64(1), "i": 1, "u8": uint8(1),
		"u64": ^uint64(0), "f32": float32(1), "f64": 1.5, "n": json.Number("1e3"), "s": "x", "by": []byte("x"),
		"dec": connect.NewDecimal(-12345, 3), "neg": connect.NewDecimal(5, -2), "ts": ts,
		"arr": []any{int8(1), int64(2)}, "m": map[any]any{int32(1): "x"}, "null": nil,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "arr ARRAY<BIGINT>, b BOOLEAN, by BYTES, dec DECIMAL(5,3), f32 FLOAT, f64 DOUBLE, i BIGINT, i16 SMALLINT, " +
		"i32 INT, i64 BIGINT, i8 TINYINT, m MAP<INT, STRING>, n DOUBLE, neg DECIMAL(3,0), s STRING, ts TIMESTAMP(3), " +
		"u64 DECIMAL(20,0), u8 SMALLINT"
	if got := FormatColumns(s); got != want {
		t.Errorf("InferSchema =\n%s\nwant\n%s", got, want)
	}
	if _, err := InferSchema(map[string]any{"c": make(chan int)}); err == nil || !strings.Contains(err.Error(), "field c") {
		t.Errorf("InferSchema(chan) error = %v", err)
	}
}

func TestInferrerTypedRows(t *testing.T) {
	// CDC decoders that know column types hand over structs; their schemas are observed.
	s1 := mustColumns(t, "id INT NOT NULL, d DATE")
	s2 := mustColumns(t, "id BIGINT NOT NULL, d TIMESTAMP(3), note STRING")
	inf, _ := NewInferrer(InferOptions{})
	day := time.Date(2020, 5, 6, 0, 0, 0, 0, time.UTC)
	first := connect.NewStruct(s1).MustPut("id", int32(1)).MustPut("d", day)
	ch := observe(t, inf, first)
	if len(ch) != 1 || ch[0].Kind != CreateTable {
		t.Fatalf("first typed row: %v", changeStrings(ch))
	}
	// The first typed row's schema is the table's as it is, and its rows pass unchanged.
	if inf.Schema() != s1 {
		t.Errorf("schema after the first typed row = %s, want it unchanged: %s", FormatColumns(inf.Schema()), FormatColumns(s1))
	}
	if st, err := inf.Convert(first); err != nil || st != first {
		t.Errorf("Convert of a row of the table's own schema = %v, %v; want it unchanged", st, err)
	}
	if ch := observe(t, inf, connect.NewStruct(s1).MustPut("id", int32(2))); len(ch) != 0 {
		t.Errorf("same schema again changed: %v", changeStrings(ch))
	}
	ch = observe(t, inf, connect.NewStruct(s2).MustPut("id", int64(3)))
	if got := fmt.Sprint(changeStrings(ch)); got != "[ALTER COLUMN id TYPE BIGINT NOT NULL (was INT NOT NULL) ALTER COLUMN d TYPE TIMESTAMP(3) (was DATE) ADD COLUMN note STRING]" {
		t.Errorf("changes = %s", got)
	}
	// A DATE written into the widened TIMESTAMP column keeps its instant.
	st, err := inf.Convert(connect.NewStruct(s1).MustPut("id", int32(9)).MustPut("d", day))
	if err != nil || st.GetInt64("id") != 9 || !st.Get("d").(time.Time).Equal(day) {
		t.Errorf("Convert = %v, %v", st, err)
	}
}

// TestInferrerUntypedNulls feeds rows as CDC decoders that infer types from one message build them:
// a column seen only as null is the shared connect.OptionalStringSchema, which must not widen the
// column to STRING (the debezium → avro-confluent case: long, then double, then a null).
func TestInferrerUntypedNulls(t *testing.T) {
	row := func(v *connect.Schema, x any) *connect.Struct {
		s := connect.StructBuilder().Optional().Field("id", connect.OptionalInt64Schema).Field("v", v).MustBuild()
		return connect.NewStruct(s).MustPut("id", int64(1)).MustPut("v", x)
	}
	inf, _ := NewInferrer(InferOptions{})
	var all []string
	for _, r := range []*connect.Struct{
		row(connect.OptionalStringSchema, nil), // v is unknown: not a column yet
		row(connect.OptionalInt64Schema, int64(5)),
		row(connect.OptionalFloat64Schema, 5.5),
		row(connect.OptionalStringSchema, nil), // fits the DOUBLE column
		row(connect.OptionalInt64Schema, nil),  // a declared BIGINT null: fits too
	} {
		all = append(all, changeStrings(observe(t, inf, r))...)
	}
	want := "[CREATE TABLE (id BIGINT) ADD COLUMN v BIGINT ALTER COLUMN v TYPE DOUBLE (was BIGINT)]"
	if fmt.Sprint(all) != want {
		t.Errorf("changes = %v\nwant %s", all, want)
	}
	st, err := inf.Convert(row(connect.OptionalStringSchema, nil))
	if err != nil || st.Get("v") != nil || st.GetInt64("id") != 1 || st.Schema() != inf.Schema() {
		t.Errorf("Convert = %v, %v", st, err)
	}
	// A required column becomes optional when a typed row holds null in it, even one that
	// declares it.
	req, _ := NewInferrer(InferOptions{})
	s1 := connect.StructBuilder().Field("id", connect.Int64Schema).MustBuild()
	s2 := connect.StructBuilder().Field("id", connect.OptionalInt64Schema).MustBuild()
	observe(t, req, connect.NewStruct(s1).MustPut("id", int64(1)))
	nullID := connect.NewStruct(s2)
	if ch := changeStrings(observe(t, req, nullID)); fmt.Sprint(ch) != "[ALTER COLUMN id TYPE BIGINT (was BIGINT NOT NULL)]" {
		t.Errorf("null in a required column: changes = %v", ch)
	}
	if st, err := req.Convert(nullID); err != nil || st.Get("id") != nil {
		t.Errorf("Convert = %v, %v", st, err)
	}
	// A declared column that is null is still a column.
	s := connect.StructBuilder().Field("id", connect.OptionalInt64Schema).Field("note", connect.OptionalBytesSchema).MustBuild()
	if ch := changeStrings(observe(t, inf, connect.NewStruct(s).MustPut("id", int64(2)))); fmt.Sprint(ch) != "[ADD COLUMN note BYTES]" {
		t.Errorf("declared null column: changes = %v", ch)
	}
}

func TestInferrerInitialAndStatic(t *testing.T) {
	initial := mustColumns(t, "id BIGINT NOT NULL, name VARCHAR(10)")
	initial.Name = "db1.t1"
	inf, err := NewInferrer(InferOptions{Initial: initial})
	if err != nil {
		t.Fatal(err)
	}
	if inf.Schema() != initial {
		t.Error("Schema() before any observation is not the initial schema")
	}
	if ch := observe(t, inf, map[string]any{"id": int64(1), "name": "x"}); len(ch) != 0 {
		t.Errorf("fitting value changed the initial schema: %v", changeStrings(ch))
	}
	// A value without the NOT NULL column makes it optional (it reads as null from now on).
	ch := observe(t, inf, map[string]any{"name": "x"})
	if got := fmt.Sprint(changeStrings(ch)); got != "[ALTER COLUMN id TYPE BIGINT (was BIGINT NOT NULL)]" {
		t.Errorf("changes = %s", got)
	}
	if inf.Schema().Name != "db1.t1" {
		t.Errorf("name = %q", inf.Schema().Name)
	}

	static, _ := NewInferrer(InferOptions{Initial: initial, Static: true})
	s, ch, err := static.Observe(map[string]any{"id": "not a number", "extra": 1})
	if err != nil || len(ch) != 0 || s != initial {
		t.Errorf("static Observe = %v, %v, %v", s, ch, err)
	}
	if _, err := static.Convert(map[string]any{"id": "not a number"}); err == nil || !strings.Contains(err.Error(), "field id") {
		t.Errorf("static Convert of a bad value: %v", err)
	}
	if _, err := NewInferrer(InferOptions{Initial: connect.Int32Schema}); err == nil {
		t.Error("NewInferrer accepted a non-struct initial schema")
	}
	if _, _, err := inf.Observe([]any{1}); err == nil {
		t.Error("Observe accepted an array as a row")
	}
	var empty Inferrer
	if _, err := empty.Convert(map[string]any{}); err == nil {
		t.Error("Convert before any observation succeeded")
	}
}

func TestInferPrimitiveAsString(t *testing.T) {
	inf, _ := NewInferrer(InferOptions{PrimitiveAsString: true})
	s, _, err := inf.Observe(decodeJSON(t, `{"a": 1.50, "b": true, "c": [1], "d": {"e": 2}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := FormatColumns(s); got != "a STRING, b STRING, c ARRAY<STRING>, d ROW<e STRING>" {
		t.Errorf("schema = %s", got)
	}
	st, err := inf.Convert(decodeJSON(t, `{"a": 1.50, "b": true}`))
	if err != nil || st.Get("a") != "1.50" || st.Get("b") != "true" {
		t.Errorf("Convert = %v, %v; want the numbers' own text", st, err)
	}
}

func TestTableInferrer(t *testing.T) {
	ti := NewTableInferrer(InferOptions{})
	rows := []Row{
		{Database: "db", Table: "a", Value: map[string]any{"x": int32(1)}},
		{Database: "db", Table: "b", Value: map[string]any{"y": "s"}},
		{Database: "db", Table: "a", Value: map[string]any{"x": int64(2)}},
		{Database: "db", Table: "a"}, // a tombstone
	}
	var all []string
	for i := range rows {
		ch, err := ti.Infer(&rows[i])
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, changeStrings(ch)...)
	}
	want := "[CREATE TABLE (x INT) CREATE TABLE (y STRING) ALTER COLUMN x TYPE BIGINT (was INT)]"
	if fmt.Sprint(all) != want {
		t.Errorf("changes = %v\nwant %s", all, want)
	}
	if rows[2].Schema.Name != "db.a" || rows[2].Value.(*connect.Struct).GetInt64("x") != 2 {
		t.Errorf("row 2 = %v %v", rows[2].Schema, rows[2].Value)
	}
	if ti.Schema("db", "b") == nil || ti.Schema("db", "zzz") != nil {
		t.Error("TableInferrer.Schema lookup")
	}
	if rows[3].Value != nil || rows[3].Schema != nil {
		t.Error("tombstone row was changed")
	}
}

func BenchmarkInferObserveConvert(b *testing.B) {
	inf, _ := NewInferrer(InferOptions{})
	v := map[string]any{
		"id": json.Number("12345"), "name": "Zoë", "price": json.Number("9.99"), "qty": json.Number("3"),
		"ok": true, "tags": []any{"a", "b"}, "note": nil, "city": "Oslo", "zip": json.Number("150"), "score": json.Number("0.5"),
	}
	if _, _, err := inf.Observe(v); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ch, err := inf.Observe(v); err != nil || len(ch) > 0 {
			b.Fatal(err, ch)
		}
		if _, err := inf.Convert(v); err != nil {
			b.Fatal(err)
		}
	}
}
