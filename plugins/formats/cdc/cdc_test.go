package cdc

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

func parse(t *testing.T, s string) *Node {
	t.Helper()
	var p Parser
	n, err := p.ParseAll(s)
	if err != nil {
		t.Fatal(err)
	}
	return &n
}

func TestInferLattice(t *testing.T) {
	cases := []struct {
		name string
		opts InferOptions
		rows []string
		want string
	}{
		{"json types", InferOptions{}, []string{`{"i":1,"f":1.5,"s":"x","b":true,"n":null,"o":{"a":1},"a":[1,2]}`},
			"STRUCT{i:INT64?,f:FLOAT64?,s:STRING?,b:BOOLEAN?,n:STRING?,o:STRUCT{a:INT64?}?,a:ARRAY<INT64?>?}?"},
		{"int meets double", InferOptions{}, []string{`{"x":1}`, `{"x":2.5}`}, "STRUCT{x:FLOAT64?}?"},
		{"int meets exact decimal", InferOptions{ExactDecimal: true}, []string{`{"x":1}`, `{"x":2.50}`, `{"x":0.125}`},
			"STRUCT{x:org.apache.kafka.connect.data.Decimal:BYTES?}?"},
		{"big integer is exact", InferOptions{}, []string{`{"x":18446744073709551615}`}, "STRUCT{x:org.apache.kafka.connect.data.Decimal:BYTES?}?"},
		{"number meets string", InferOptions{}, []string{`{"x":1}`, `{"x":"a"}`}, "STRUCT{x:STRING?}?"},
		{"boolean meets number", InferOptions{}, []string{`{"x":true}`, `{"x":1}`}, "STRUCT{x:STRING?}?"},
		{"object meets string", InferOptions{}, []string{`{"x":{"a":1}}`, `{"x":"s"}`}, "STRUCT{x:STRING?}?"},
		{"objects merge", InferOptions{}, []string{`{"x":{"a":1}}`, `{"x":{"b":"s","a":2.5}}`}, "STRUCT{x:STRUCT{a:FLOAT64?,b:STRING?}?}?"},
		{"new columns append, missing ones stay", InferOptions{}, []string{`{"a":1,"b":2}`, `{"c":3,"a":4}`}, "STRUCT{a:INT64?,b:INT64?,c:INT64?}?"},
		{"empty array", InferOptions{}, []string{`{"x":[]}`}, "STRUCT{x:ARRAY<STRING?>?}?"},
		{"primitive as string", InferOptions{PrimitiveAsString: true}, []string{`{"i":1,"b":false,"o":{"f":1.5}}`},
			"STRUCT{i:STRING?,b:STRING?,o:STRUCT{f:STRING?}?}?"},
	}
	// With exact decimals (the formats' default) a column's scale is the largest its values are
	// written with, never below 0; an absurd exponent falls back to a double.
	exact := []struct {
		rows  []string
		scale int32
		vals  []string
	}{
		{[]string{`{"x":1.10}`}, 2, []string{"1.10"}},
		{[]string{`{"x":12345678901234567.89}`}, 2, []string{"12345678901234567.89"}},
		{[]string{`{"x":1.5E-3}`, `{"x":-2}`}, 4, []string{"0.0015", "-2.0000"}},
		{[]string{`{"x":1E+3}`}, 0, []string{"1000"}},
		{[]string{`{"x":2.5e2}`}, 0, []string{"250"}},
		{[]string{`{"x":0.000}`, `{"x":1e-1000}`}, 1000, nil},
	}
	for _, c := range exact {
		in := NewInferrer(InferOptions{ExactDecimal: true})
		var nodes []*Node
		for _, r := range c.rows {
			nodes = append(nodes, parse(t, r))
		}
		s, err := in.Infer(&Scratch{}, nodes...)
		if err != nil {
			t.Fatal(err)
		}
		f := s.Field("x").Schema
		if scale, err := connect.DecimalScale(f); err != nil || scale != c.scale {
			t.Errorf("%v: %s, want a decimal of scale %d", c.rows, f, c.scale)
			continue
		}
		for i, v := range c.vals {
			st, err := BuildStruct(s, nodes[i])
			if err != nil {
				t.Fatal(err)
			}
			if got := string(appendDecimal(nil, st.Get("x").(connect.Decimal))); got != v {
				t.Errorf("%v: row %d reads back as %s, want %s", c.rows, i, got, v)
			}
		}
	}
	in := NewInferrer(InferOptions{ExactDecimal: true})
	if s, err := in.Infer(&Scratch{}, parse(t, `{"x":1e1001}`)); err != nil || s.Field("x").Schema.Type != connect.TypeFloat64 {
		t.Errorf("an exponent beyond 1000 digits: %v %v, want a double", s, err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := NewInferrer(c.opts)
			var sc Scratch
			var nodes []*Node
			for _, r := range c.rows {
				nodes = append(nodes, parse(t, r))
			}
			s, err := in.Infer(&sc, nodes...)
			if err != nil {
				t.Fatal(err)
			}
			if s.String() != c.want {
				t.Errorf("got %s\nwant %s", s, c.want)
			}
			for i, n := range nodes {
				if _, err := BuildStruct(s, n); err != nil {
					t.Errorf("row %d does not fit its inferred schema: %v", i, err)
				}
			}
		})
	}
}

func TestBuildStructValues(t *testing.T) {
	in := NewInferrer(InferOptions{ExactDecimal: true})
	var sc Scratch
	a, b := parse(t, `{"d":1.5,"s":"x","o":{"k":[true]}}`), parse(t, `{"d":2,"s":3,"o":null}`)
	s, err := in.Infer(&sc, a, b)
	if err != nil {
		t.Fatal(err)
	}
	st, err := BuildStruct(s, b)
	if err != nil {
		t.Fatal(err)
	}
	if d := st.Get("d").(connect.Decimal); d.String() != "2.0" {
		t.Errorf("integer in a scale-1 decimal column: %s, want 2.0", d)
	}
	if st.Get("s") != "3" {
		t.Errorf("number in a string column: %v, want its text", st.Get("s"))
	}
	st, _ = BuildStruct(s, a)
	if got := st.GetStruct("o").Get("k").([]any)[0]; got != true {
		t.Errorf("nested array element: %v", got)
	}
}

func TestInferCachesSchemas(t *testing.T) {
	in := NewInferrer(InferOptions{})
	var sc Scratch
	s1, _ := in.Infer(&sc, parse(t, `{"a":1,"b":"x"}`))
	s2, _ := in.Infer(&sc, parse(t, `{"a":7,"b":null}`))
	s3, _ := in.Infer(&sc, parse(t, `{"a":"7","b":"x"}`))
	if s1 != s2 {
		t.Error("messages of the same shape got different schema pointers")
	}
	if s1 == s3 {
		t.Error("different shapes share a schema")
	}
	if s1.Fields[0].Name != "a" || s1.Field("b") == nil {
		t.Errorf("schema fields: %s", s1)
	}
}

func TestRoundDecimal(t *testing.T) {
	cases := []struct {
		in        string
		scale     int32
		precision int
		want      string
		fits      bool
	}{
		{"12.345", 2, 38, "12.35", true},
		{"-12.345", 2, 38, "-12.35", true},
		{"12.344", 2, 38, "12.34", true},
		{"1.5", 0, 0, "2", true},
		{"7", 3, 4, "7.000", true},
		{"12345", 0, 4, "12345", false},
		{"99999999999999999999.5", 18, 38, "99999999999999999999.500000000000000000", true},
		{"999999999999999999999", 18, 38, "999999999999999999999.000000000000000000", false},
	}
	for _, c := range cases {
		d, err := connect.ParseDecimal(c.in)
		if err != nil {
			t.Fatal(err)
		}
		got, fits := formats.RoundDecimal(d, c.scale, c.precision)
		if got.String() != c.want || fits != c.fits {
			t.Errorf("RoundDecimal(%s, %d, %d) = %s, %v; want %s, %v", c.in, c.scale, c.precision, got, fits, c.want, c.fits)
		}
	}
	if _, err := formats.ParseDecimalScale("1.234", 2); err == nil {
		t.Error("ParseDecimalScale dropped a digit instead of failing")
	}
}

func logical(name string, t connect.Type) *connect.Schema {
	return connect.NewSchemaBuilder(t).Name(name).Optional().MustBuild()
}

func TestTemporalReadsEveryEncoding(t *testing.T) {
	day := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	ts := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	clock := time.Date(1970, 1, 1, 3, 4, 5, 123456000, time.UTC)
	cases := []struct {
		s    *connect.Schema
		v    any
		kind TemporalKind
		want time.Time
	}{
		{connect.DateSchema().MustBuild(), day, DateKind, day},
		{logical(DebeziumDate, connect.TypeInt32), int32(19724), DateKind, day},
		{logical(DebeziumTime, connect.TypeInt32), int32(11045123), TimeKind, clock.Truncate(time.Millisecond)},
		{logical(DebeziumMicroTime, connect.TypeInt64), int64(11045123456), TimeKind, clock},
		{logical(DebeziumNanoTime, connect.TypeInt64), int64(11045123456000), TimeKind, clock},
		{logical(DebeziumTimestamp, connect.TypeInt64), ts.UnixMilli(), TimestampKind, ts.Truncate(time.Millisecond)},
		{logical(DebeziumMicroTimestamp, connect.TypeInt64), ts.UnixMicro(), TimestampKind, ts},
		{logical(DebeziumNanoTimestamp, connect.TypeInt64), ts.UnixNano(), TimestampKind, ts},
		{logical(DebeziumZonedTimestamp, connect.TypeString), "2024-01-02T05:04:05.123456+02:00", InstantKind, ts},
		{logical(DebeziumZonedTime, connect.TypeString), "03:04:05.123456Z", TimeKind, clock},
	}
	for _, c := range cases {
		kind, got, ok, err := Temporal(c.s, c.v)
		if err != nil || !ok || kind != c.kind || !got.Equal(c.want) {
			t.Errorf("%s %v: got %v %v %v %v, want %v %v", c.s.Name, c.v, kind, got, ok, err, c.kind, c.want)
		}
	}
	if _, _, _, err := Temporal(logical(DebeziumDate, connect.TypeInt32), int64(1)); err == nil {
		t.Error("a value of the wrong Go type was accepted")
	}
	if k, _, ok, _ := Temporal(connect.OptionalStringSchema, "2024-01-02"); k != NotTemporal || ok {
		t.Error("a plain string was read as a date")
	}
}

func TestAppendText(t *testing.T) {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 500000000, time.UTC)
	dec := connect.DecimalSchema(2).Optional().MustBuild()
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	vsd := connect.StructBuilder().Name(DebeziumVariableScaleDecimal).Optional().
		Field("scale", connect.Int32Schema).Field("value", connect.BytesSchema).MustBuild()
	cases := []struct {
		s    *connect.Schema
		v    any
		zone *time.Location
		want string
	}{
		{connect.OptionalBooleanSchema, true, nil, "1"},
		{connect.OptionalInt8Schema, int8(-7), nil, "-7"},
		{connect.OptionalFloat64Schema, 1e7, nil, "1.0E7"},
		{connect.OptionalFloat64Schema, 0.1, nil, "0.1"},
		{connect.OptionalFloat32Schema, float32(3.14), nil, "3.14"},
		{dec, connect.NewDecimal(-500, 2), nil, "-5.00"},
		{vsd, connect.NewStruct(vsd).MustPut("scale", int32(3)).MustPut("value", []byte{0x30, 0x39}), nil, "12.345"},
		{connect.DateSchema().MustBuild(), time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC), nil, "1969-12-31"},
		{connect.TimestampSchema().MustBuild(), ts, nil, "2024-01-02 03:04:05.5"},
		{logical(DebeziumMicroTimestamp, connect.TypeInt64), ts.UnixMicro(), nil, "2024-01-02 03:04:05.5"},
		{logical(DebeziumZonedTimestamp, connect.TypeString), "2024-01-02T03:04:05Z", shanghai, "2024-01-02 11:04:05"},
		{connect.OptionalBytesSchema, []byte{0xde, 0xad, 0x41}, nil, "Þ\u00adA"},
		{connect.ArrayOf(connect.OptionalStringSchema).MustBuild(), []any{"a", nil}, nil, `["a",null]`},
		{connect.OptionalStringSchema, "as is", nil, "as is"},
	}
	for _, c := range cases {
		got, err := AppendText(nil, c.s, c.v, TextStyle{Zone: c.zone})
		if err != nil {
			t.Errorf("%s: %v", c.s, err)
			continue
		}
		if string(got) != c.want {
			t.Errorf("%s %v: got %q, want %q", c.s, c.v, got, c.want)
		}
	}
	b, err := Latin1Bytes("Þ\u00adA")
	if err != nil || string(b) != "\xde\xad\x41" {
		t.Errorf("Latin1Bytes: %x %v", b, err)
	}
	if _, err := Latin1Bytes("张"); err == nil {
		t.Error("Latin1Bytes accepted a character beyond U+00FF")
	}
}

func TestAppendJSON(t *testing.T) {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	row := connect.StructBuilder().Optional().
		Field("d", connect.DecimalSchema(2).Optional().MustBuild()).
		Field("t", connect.TimestampSchema().Optional().MustBuild()).
		Field("day", logical(DebeziumDate, connect.TypeInt32)).
		Field("z", logical(DebeziumZonedTimestamp, connect.TypeString)).
		Field("j", logical(DebeziumJSON, connect.TypeString)).
		Field("b", connect.OptionalBytesSchema).
		Field("nan", connect.OptionalFloat64Schema).
		Field("m", connect.MapOf(connect.StringSchema, connect.OptionalInt32Schema).Optional().MustBuild()).
		MustBuild()
	st := connect.NewStruct(row).
		MustPut("d", connect.NewDecimal(1234, 2)).MustPut("t", ts).MustPut("day", int32(1)).
		MustPut("z", "2024-01-02T03:04:05Z").MustPut("j", `{"a": [1, 2]}`).MustPut("b", []byte("hi")).
		MustPut("nan", math.NaN()).MustPut("m", map[string]any{"y": int32(2), "x": int32(1)})
	maxwell, err := AppendJSON(nil, row, st, JSONStyle{Timestamps: formats.TimestampISO8601})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"d":12.34,"t":"2024-01-02T03:04:05","day":"1970-01-02","z":"2024-01-02T03:04:05","j":{"a":[1,2]},"b":"aGk=","nan":"NaN","m":{"x":1,"y":2}}`
	if string(maxwell) != want {
		t.Errorf("text style:\n got %s\nwant %s", maxwell, want)
	}
	dbz, err := AppendJSON(nil, row, st, JSONStyle{KeepDebezium: true})
	if err != nil {
		t.Fatal(err)
	}
	want = `{"d":12.34,"t":"2024-01-02 03:04:05","day":1,"z":"2024-01-02T03:04:05Z","j":"{\"a\": [1, 2]}","b":"aGk=","nan":"NaN","m":{"x":1,"y":2}}`
	if string(dbz) != want {
		t.Errorf("Debezium style:\n got %s\nwant %s", dbz, want)
	}
}

func row(t *testing.T, op formats.Op, table string) formats.Row {
	t.Helper()
	s := connect.StructBuilder().Optional().Field("id", connect.OptionalInt64Schema).MustBuild()
	return formats.Row{Op: op, Table: table, Schema: s, Value: connect.NewStruct(s).MustPut("id", int64(1))}
}

func TestEventsPairing(t *testing.T) {
	I, UB, UA, D := formats.Insert, formats.UpdateBefore, formats.UpdateAfter, formats.Delete
	cases := []struct {
		ops    []formats.Op
		tables []string
		want   string
	}{
		{[]formats.Op{I, UB, UA, D}, nil, "c u d"},
		{[]formats.Op{UA}, nil, "u"},                        // lone +U: an update without its before image
		{[]formats.Op{UB}, nil, "d"},                        // lone -U: Flink's delete
		{[]formats.Op{UB, UB, UA}, nil, "d u"},              // the second -U pairs
		{[]formats.Op{UB, UA}, []string{"t1", "t2"}, "d u"}, // different tables never pair
		{[]formats.Op{UA, UB, UA, UB}, nil, "u u d"},        // out of order
		{[]formats.Op{UB, UA, UB, UA}, []string{"a", "a", "b", "b"}, "u u"},
	}
	for _, c := range cases {
		var rows []formats.Row
		for i, op := range c.ops {
			table := "t"
			if c.tables != nil {
				table = c.tables[i]
			}
			rows = append(rows, row(t, op, table))
		}
		var got []string
		for _, e := range Events(rows) {
			got = append(got, OpCode(&e))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%v: got %v, want %s", c.ops, got, c.want)
		}
	}
	ddl := []formats.Row{{DDL: "DROP TABLE t"}}
	if e := Events(ddl); len(e) != 1 || e[0].Kind != SchemaChange || e[0].Row() != &ddl[0] {
		t.Errorf("DDL row: %+v", e)
	}
	// A lone +U has no before image: encoders write an update without one.
	if e := Events([]formats.Row{row(t, UA, "t")}); len(e) != 1 || e[0].Kind != Update || e[0].Before != nil || e[0].After == nil {
		t.Errorf("lone +U: %+v", e)
	}
}

// TestEventsTombstonesAndEmptyDDL: a row without a value is a Tombstone whatever its op, never an
// image of another event; a marked DDL row with an empty statement is a SchemaChange, not a data
// row; RowStruct refuses a row without a value instead of returning a nil struct.
func TestEventsTombstonesAndEmptyDDL(t *testing.T) {
	I, UB, UA, D := formats.Insert, formats.UpdateBefore, formats.UpdateAfter, formats.Delete
	var nilStruct *connect.Struct
	empty := formats.Row{Database: "d", Table: "t"}
	MarkDDL(&empty)
	rows := []formats.Row{
		{Op: I, Table: "t"},                   // an Avro null under ["null", record]
		{Op: D, Table: "t", Value: nilStruct}, // a typed nil
		{Op: UB, Table: "t"}, row(t, UA, "t"), // a valueless -U does not pair
		row(t, UB, "t"), {Op: UA, Table: "t"}, // nor a valueless +U
		empty,
		{Op: I, Table: "t", Source: map[string]any{SourceDDL: true}}, // a forged mark is no mark
	}
	var kinds []EventKind
	events := Events(rows)
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	if events[0].Row() != &rows[0] || events[0].Before != nil || events[0].After != nil {
		t.Errorf("tombstone event %+v, want the row as Null and no images", events[0])
	}
	want := []EventKind{Tombstone, Tombstone, Tombstone, Update, Delete, Tombstone, SchemaChange, Tombstone}
	if !slices.Equal(kinds, want) {
		t.Errorf("kinds %v, want %v", kinds, want)
	}
	if !IsDDL(&empty) || empty.DDL != "" || IsDDL(&rows[0]) || IsDDL(&rows[7]) {
		t.Error("IsDDL does not follow the mark")
	}
	for i := range 2 {
		if st, err := RowStruct(&rows[i]); !errors.Is(err, ErrNoValue) || st != nil {
			t.Errorf("RowStruct of row %d without a value: %v %v", i, st, err)
		}
	}
}

func TestProcessedAt(t *testing.T) {
	at := time.UnixMilli(1000).UTC()
	cases := []struct {
		src    map[string]any
		want   int64
		ok     bool
		envTs  int64
		envHas bool
	}{
		{map[string]any{SourceFormat: "debezium-json", "ts_ms": int64(2000)}, 2000, true, 2000, true},
		{map[string]any{SourceFormat: "canal-json", "ts": int64(3000)}, 3000, true, 3000, true},
		{map[string]any{SourceFormat: "maxwell-json", "ts_ms": int64(4000)}, 0, false, 1000, true},
		{nil, 0, false, 1000, true},
	}
	for _, c := range cases {
		r := formats.Row{Timestamp: at, Source: c.src}
		if ms, ok := ProcessedAt(&r); ms != c.want || ok != c.ok {
			t.Errorf("ProcessedAt(%v) = %d %v, want %d %v", c.src, ms, ok, c.want, c.ok)
		}
		if ms, ok := EnvelopeTsMs(&r); ms != c.envTs || ok != c.envHas {
			t.Errorf("EnvelopeTsMs(%v) = %d %v, want %d %v", c.src, ms, ok, c.envTs, c.envHas)
		}
	}
	if _, ok := EnvelopeTsMs(&formats.Row{}); ok {
		t.Error("a row without times has an envelope ts_ms")
	}
}

func TestChangedAndOverlay(t *testing.T) {
	s := connect.StructBuilder().Optional().
		Field("id", connect.OptionalInt64Schema).Field("a", connect.OptionalStringSchema).Field("b", connect.OptionalStringSchema).MustBuild()
	after := connect.NewStruct(s).MustPut("id", int64(1)).MustPut("a", "new").MustPut("b", "same")
	old := parse(t, `{"a":"old","b":null}`)
	before, err := Overlay(after, old, func(f *connect.Field, n *Node) (any, error) { return NodeValue(f.Schema, n) })
	if err != nil {
		t.Fatal(err)
	}
	if before.Get("a") != "old" || before.Get("b") != nil || before.Get("id") != int64(1) {
		t.Errorf("before image %v", before)
	}
	if after.Get("a") != "new" {
		t.Error("Overlay changed the data row")
	}
	var names []string
	for _, i := range Changed(before, after) {
		names = append(names, s.Fields[i].Name)
	}
	if strings.Join(names, ",") != "a,b" {
		t.Errorf("changed columns %v, want a,b", names)
	}
	if _, err := Overlay(after, parse(t, `{"nope":1}`), nil); err == nil {
		t.Error("an old column missing from the row was accepted")
	}
}

func TestGoSchemaAndValue(t *testing.T) {
	m := map[string]any{"s": "x", "n": int64(1), "i": 2, "l": []string{"a"}, "o": map[string]any{"b": true}, "d": connect.NewDecimal(5, 1), "nil": nil}
	s, err := GoSchema(m)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.String(); got != "STRUCT{d:org.apache.kafka.connect.data.Decimal:BYTES?,i:INT64?,l:ARRAY<STRING?>?,n:INT64?,nil:STRING?,o:STRUCT{b:BOOLEAN?}?,s:STRING?}?" {
		t.Errorf("schema %s", got)
	}
	v, err := formats.Coerce(s, m)
	if err != nil {
		t.Fatal(err)
	}
	st := v.(*connect.Struct)
	if err := st.Validate(); err != nil {
		t.Fatal(err)
	}
	back := formats.StructToSparseMap(st)
	if back["i"] != int64(2) || back["o"].(map[string]any)["b"] != true || len(back["l"].([]any)) != 1 {
		t.Errorf("round trip: %v", back)
	}
	if _, err := GoSchema([]any{"a", int64(1)}); err == nil {
		t.Error("an array of mixed types was accepted")
	}
}
