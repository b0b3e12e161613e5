package formats

import (
	"encoding/json"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

func mustColumns(t testing.TB, s string) *connect.Schema {
	t.Helper()
	sc, err := ParseColumns(s)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func mustType(t testing.TB, s string) *connect.Schema {
	t.Helper()
	sc, err := ParseType(s)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestCoerce(t *testing.T) {
	day := time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC)
	ts := time.Date(2021, 3, 4, 5, 6, 7, 890_000_000, time.UTC)
	tests := []struct {
		typ  string
		in   any
		want any
		err  string
	}{
		{typ: "TINYINT", in: int64(127), want: int8(127)},
		{typ: "TINYINT", in: int64(128), err: "overflows INT8"},
		{typ: "SMALLINT", in: float64(-32768), want: int16(-32768)},
		{typ: "INT", in: json.Number("42"), want: int32(42)},
		{typ: "INT", in: " 42 ", want: int32(42)},
		{typ: "INT", in: "4.0", want: int32(4)},
		{typ: "INT", in: 4.5, err: "not an integer"},
		{typ: "INT", in: "x", err: `invalid INT32 "x"`},
		{typ: "INT", in: true, err: "boolean"},
		{typ: "BIGINT", in: uint64(math.MaxUint64), err: "overflows"},
		{typ: "BIGINT", in: float64(1 << 63), err: "overflows"},
		{typ: "BIGINT", in: connect.NewDecimal(1200, 2), want: int64(12)},
		{typ: "BIGINT", in: connect.NewDecimal(1201, 2), err: "12.01 does not fit INT64"},
		{typ: "FLOAT", in: int32(3), want: float32(3)},
		{typ: "DOUBLE", in: "1e3", want: float64(1000)},
		{typ: "DOUBLE", in: connect.NewDecimal(15, 1), want: 1.5},
		{typ: "BOOLEAN", in: "TRUE", want: true},
		{typ: "BOOLEAN", in: "0", want: false},
		{typ: "BOOLEAN", in: int8(1), want: true},
		{typ: "BOOLEAN", in: int8(2), err: "only 0 and 1"},
		{typ: "BOOLEAN", in: "yes", err: "invalid BOOLEAN"},
		{typ: "DECIMAL(10,2)", in: "12.3", want: connect.NewDecimal(1230, 2)},
		{typ: "DECIMAL(10,2)", in: int32(7), want: connect.NewDecimal(700, 2)},
		{typ: "DECIMAL(10,2)", in: 0.1, want: connect.NewDecimal(10, 2)},
		{typ: "DECIMAL(10,2)", in: json.Number("1.005"), err: "without rounding"},
		{typ: "DECIMAL(4,2)", in: "123.4", err: "does not fit DECIMAL(4,2)"},
		{typ: "DECIMAL(10,2)", in: math.Inf(1), err: "cannot use"},
		// Hostile exponents fail at once instead of computing 10^999999999 (found by FuzzDecode).
		{typ: "DECIMAL(10,2)", in: "1e9999", err: "more than 1000 digits"},
		{typ: "DECIMAL(10,2)", in: "0e9999", want: connect.NewDecimal(0, 2)},
		{typ: "DECIMAL(10,2)", in: "1e-9999", err: "without rounding"},
		{typ: "DECIMAL(10,2)", in: connect.Decimal{Unscaled: big.NewInt(1), Scale: -2000000000}, err: "more than 1000 digits"},
		{typ: "BIGINT", in: "1e9999", err: "invalid INT64"},
		{typ: "DOUBLE", in: connect.Decimal{Unscaled: big.NewInt(15), Scale: -400}, want: math.Inf(1)},
		{typ: "DECIMAL(10,2)", in: []byte{0x04, 0xd2}, want: connect.NewDecimal(1234, 2)},
		{typ: "DATE", in: "2021-03-04", want: day},
		{typ: "DATE", in: int32(18690), want: day},
		{typ: "DATE", in: ts, err: "not midnight"},
		{typ: "DATE", in: "2021-03-04 00:00:00", want: day},
		{typ: "TIME", in: "05:06:07.89", want: time.Date(1970, 1, 1, 5, 6, 7, 890_000_000, time.UTC)},
		{typ: "TIME", in: ts, want: time.Date(1970, 1, 1, 5, 6, 7, 890_000_000, time.UTC)},
		{typ: "TIME", in: int64(86_400_000), err: "not a time of day"},
		{typ: "TIMESTAMP(3)", in: "2021-03-04T05:06:07.89Z", want: ts},
		{typ: "TIMESTAMP(3)", in: "2021-03-04 13:06:07.89+08:00", want: ts},
		{typ: "TIMESTAMP(3)", in: ts.UnixMilli(), want: ts},
		{typ: "TIMESTAMP(3)", in: ts.In(time.FixedZone("X", 3600)), want: ts},
		{typ: "TIMESTAMP(3)", in: "yesterday", err: "invalid timestamp"},
		{typ: "STRING", in: int64(5), want: "5"},
		{typ: "STRING", in: 2.0, want: "2.0"},
		{typ: "STRING", in: true, want: "true"},
		{typ: "STRING", in: []byte("hi"), want: "aGk="},
		{typ: "STRING", in: connect.NewDecimal(-5, 3), want: "-0.005"},
		{typ: "STRING", in: ts, want: "2021-03-04 05:06:07.89"},
		{typ: "STRING", in: []any{int64(1), "a", nil}, want: `[1,"a",null]`},
		{typ: "STRING", in: map[string]any{"b": 1.5, "a": "x\n"}, want: `{"a":"x\n","b":1.5}`},
		{typ: "BYTES", in: "aGk=", want: []byte("hi")},
		{typ: "BYTES", in: "not base64!", err: "not base64"},
		{typ: "BYTES", in: 5, err: "cannot use int as BYTES"},
		{typ: "ARRAY<BIGINT>", in: []any{int32(1), nil, json.Number("3")}, want: []any{int64(1), nil, int64(3)}},
		{typ: "ARRAY<BIGINT>", in: []int{4, 5}, want: []any{int64(4), int64(5)}},
		{typ: "ARRAY<BIGINT>", in: []any{"x"}, err: "element 0"},
		{typ: "ARRAY<BIGINT>", in: "x", err: "cannot use string as ARRAY"},
		{typ: "MAP<STRING, INT>", in: map[string]any{"a": int64(1)}, want: map[string]any{"a": int32(1)}},
		{typ: "MAP<INT, STRING>", in: map[string]any{"7": "x"}, want: map[any]any{int32(7): "x"}},
		{typ: "MAP<STRING, INT>", in: map[string]any{"a": "b"}, err: "map value"},
		{typ: "NULL STRING", in: nil, want: nil},
	}
	for _, tc := range tests {
		typ := strings.TrimPrefix(tc.typ, "NULL ")
		got, err := Coerce(mustType(t, typ), tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Coerce(%s, %#v) = %#v, %v; want error containing %q", tc.typ, tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Coerce(%s, %#v): %v", tc.typ, tc.in, err)
			continue
		}
		if !connect.ValuesEqual(got, tc.want) {
			// ValuesEqual compares map[any]any by DeepEqual, which is what we want here.
			t.Errorf("Coerce(%s, %#v) = %#v, want %#v", tc.typ, tc.in, got, tc.want)
		}
		if err := connect.ValidateValue(mustType(t, typ), got); err != nil {
			t.Errorf("Coerce(%s, %#v) returned an invalid value: %v", tc.typ, tc.in, err)
		}
	}
}

func TestToStructAndBack(t *testing.T) {
	s := mustColumns(t, "id BIGINT NOT NULL, name STRING, price DECIMAL(10,2), addr ROW<city STRING, zip INT>, tags ARRAY<STRING>")
	m := map[string]any{
		"id":    json.Number("7"),
		"name":  "Zoë",
		"price": "9.90",
		"addr":  map[string]any{"city": "Oslo", "zip": float64(150)},
		"tags":  []any{"a", "b"},
		"extra": "ignored like Flink ignores undeclared JSON fields",
	}
	st, err := ToStruct(s, m)
	if err != nil {
		t.Fatal(err)
	}
	if st.GetInt64("id") != 7 || st.GetString("name") != "Zoë" || st.GetStruct("addr").GetInt32("zip") != 150 {
		t.Errorf("ToStruct = %v", st)
	}
	back := StructToMap(st)
	want := map[string]any{
		"id": int64(7), "name": "Zoë", "price": connect.NewDecimal(990, 2),
		"addr": map[string]any{"city": "Oslo", "zip": int32(150)}, "tags": []any{"a", "b"},
	}
	if !connect.ValuesEqual(back, want) {
		t.Errorf("StructToMap = %#v\nwant %#v", back, want)
	}
	// A required field without a value is an error naming it.
	if _, err := ToStruct(s, map[string]any{"name": "x"}); err == nil || !strings.Contains(err.Error(), "id") {
		t.Errorf("missing required field: %v", err)
	}
	if _, err := ToStruct(s, map[string]any{"id": 1, "price": "abc"}); err == nil || !strings.Contains(err.Error(), "field price") {
		t.Errorf("bad field: %v", err)
	}
	// Structs of another schema convert by field name.
	other := mustColumns(t, "name STRING, id INT NOT NULL")
	o := connect.NewStruct(other).MustPut("name", "n").MustPut("id", int32(3))
	cv, err := Coerce(s, o)
	if err != nil || cv.(*connect.Struct).GetInt64("id") != 3 {
		t.Errorf("Coerce(struct of other schema) = %v, %v", cv, err)
	}
	if StructToMap(nil) != nil {
		t.Error("StructToMap(nil) != nil")
	}
}

func TestSchemaless(t *testing.T) {
	inner := connect.NewStruct(mustColumns(t, "a INT")).MustPut("a", int32(1))
	plain := []any{int64(1), "x"}
	if got := Schemaless(plain); &got.([]any)[0] != &plain[0] {
		t.Error("Schemaless copied a slice with nothing to convert")
	}
	got := Schemaless(map[string]any{"s": inner, "l": []any{inner}, "m": map[any]any{1: inner}})
	want := map[string]any{"s": map[string]any{"a": int32(1)}, "l": []any{map[string]any{"a": int32(1)}}, "m": map[any]any{1: map[string]any{"a": int32(1)}}}
	if !connect.ValuesEqual(got, want) {
		t.Errorf("Schemaless = %#v", got)
	}
}

func TestAppendJSON(t *testing.T) {
	s := mustColumns(t, "d DATE, t TIME, ts TIMESTAMP, b BYTES, n DECIMAL(5,2), f DOUBLE, x DOUBLE, s STRING, l ARRAY<DATE>, m MAP<INT, STRING>")
	st := connect.NewStruct(s).
		MustPut("d", time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)).
		MustPut("t", time.Date(1970, 1, 1, 3, 4, 5, 0, time.UTC)).
		MustPut("ts", time.Date(2020, 1, 2, 3, 4, 5, 6_000_000, time.UTC)).
		MustPut("b", []byte{0xff}).
		MustPut("n", connect.NewDecimal(-150, 2)).
		MustPut("f", 1.0).
		MustPut("x", math.NaN()).
		MustPut("s", "q\"\\\t\x01\u2028é\xff").
		MustPut("l", []any{time.Date(2020, 1, 3, 0, 0, 0, 0, time.UTC)}).
		MustPut("m", map[any]any{int32(2): "b", int32(10): "a"})
	got, err := AppendJSON(nil, st, s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"d":"2020-01-02","t":"03:04:05","ts":"2020-01-02 03:04:05.006","b":"/w==","n":-1.50,"f":1.0,"x":"NaN",` +
		`"s":"q\"\\\t\u0001\u2028é\ufffd","l":["2020-01-03"],"m":{"10":"a","2":"b"}}`
	if string(got) != want {
		t.Errorf("AppendJSON =\n%s\nwant\n%s", got, want)
	}
	// Everything but the NaN and the invalid byte is valid JSON that encoding/json reads back.
	var v any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Errorf("AppendJSON output is not JSON: %v", err)
	}
	if _, err := AppendJSON(nil, make(chan int), nil); err == nil {
		t.Error("AppendJSON(chan) succeeded")
	}
}

func TestParseDecimalScale(t *testing.T) {
	tests := []struct {
		in    string
		scale int32
		want  string // "err" for an error
	}{
		{"12.5", 2, "12.50"}, {"-12.5", 2, "-12.50"}, {"+7", 0, "7"}, {"007.10", 3, "7.100"}, {".5", 1, "0.5"},
		{"5.", 0, "5"}, {"1.500", 2, "1.50"}, {"1.505", 2, "err"}, {"1e3", 0, "1000"}, {"-1.5E-1", 2, "-0.15"},
		{"999999999999999999", 0, "999999999999999999"}, {"9999999999999999999", 0, "9999999999999999999"},
		{"123456789012345678.9", 1, "123456789012345678.9"}, {"0.000000000000000000001", 21, "0.000000000000000000001"},
		{"", 0, "err"}, {"-", 0, "err"}, {".", 0, "err"}, {"1.2.3", 1, "err"}, {"1,5", 1, "err"}, {" 1", 0, "err"},
	}
	for _, tc := range tests {
		d, err := ParseDecimalScale(tc.in, tc.scale)
		got := "err"
		if err == nil {
			got = d.String()
			if d.Scale != tc.scale {
				t.Errorf("ParseDecimalScale(%q, %d) has scale %d", tc.in, tc.scale, d.Scale)
			}
		}
		if got != tc.want {
			t.Errorf("ParseDecimalScale(%q, %d) = %s (%v), want %s", tc.in, tc.scale, got, err, tc.want)
		}
		// The fast path and connect.ParseDecimal agree.
		if ref, rerr := connect.ParseDecimal(tc.in); rerr == nil && err == nil && ref.Cmp(d) != 0 {
			t.Errorf("ParseDecimalScale(%q) = %s, ParseDecimal = %s", tc.in, d, ref)
		}
	}
}

func FuzzParseDecimalScale(f *testing.F) {
	for _, s := range []string{"12.5", "-0.001", "1e3", "999999999999999999.99", ".5"} {
		f.Add(s, int8(2))
	}
	f.Fuzz(func(t *testing.T, s string, scale int8) {
		d, err := ParseDecimalScale(s, int32(scale))
		ref, rerr := connect.ParseDecimal(s)
		if err == nil {
			if rerr != nil || ref.Cmp(d) != 0 || d.Scale != int32(scale) {
				t.Fatalf("ParseDecimalScale(%q, %d) = %s; ParseDecimal = %s, %v", s, scale, d, ref, rerr)
			}
		} else if rerr == nil {
			if _, e := RescaleDecimal(ref, int32(scale), 1000); e == nil {
				t.Fatalf("ParseDecimalScale(%q, %d) failed (%v) although %s rescales", s, scale, err, ref)
			}
		}
	})
}

func TestAppendDecimal(t *testing.T) {
	for _, d := range []connect.Decimal{
		connect.NewDecimal(0, 0), connect.NewDecimal(0, 3), connect.NewDecimal(-5, 3), connect.NewDecimal(12345, 2),
		connect.NewDecimal(-12345, 2), connect.NewDecimal(7, -3), connect.NewDecimal(0, -3), connect.NewDecimal(-7, -2),
		connect.NewDecimal(math.MinInt64, 5), connect.NewDecimal(math.MaxInt64, 19), connect.NewDecimal(1, 40),
		{Unscaled: new(big.Int).Lsh(big.NewInt(1), 70), Scale: 3}, {Unscaled: big.NewInt(3), Scale: 200},
	} {
		want := d.String()
		switch {
		case d.Scale > 100:
			want = "3E-200"
		case d.Unscaled.Sign() == 0 && d.Scale < 0:
			want = "0" // as Java's toPlainString writes 0E+3 (connect's String pads zeros)
		}
		if got := string(AppendDecimal(nil, d)); got != want {
			t.Errorf("AppendDecimal(%v×10^-%d) = %s, want %s", d.Unscaled, d.Scale, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { AppendDecimal(make([]byte, 0, 32), connect.NewDecimal(-123456, 2)) }); n > 1 {
		t.Errorf("AppendDecimal allocates %v times", n)
	}
}

func TestDecimalDigits(t *testing.T) {
	for d, want := range map[string]int{"0": 1, "5": 1, "-99": 2, "1.000": 4, "-0.001": 1, "123456789012345678901234567890": 30, "-9223372036854775808": 19} {
		dec, err := connect.ParseDecimal(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := DecimalDigits(dec); got != want {
			t.Errorf("DecimalDigits(%s) = %d, want %d", d, got, want)
		}
	}
	if _, ok := DecimalPrecision(connect.DecimalSchema(2).MustBuild()); ok {
		t.Error("DecimalPrecision found a precision in a schema without one")
	}
}
