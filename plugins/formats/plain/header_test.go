package plain

import (
	"bytes"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

func roundTrip(t *testing.T, schema *connect.Schema, value any) ([]byte, connect.SchemaAndValue) {
	t.Helper()
	c := NewSimpleHeaderConverter()
	data, err := c.FromConnectHeader("topic", "header", schema, value)
	if err != nil {
		t.Fatalf("FromConnectHeader(%v): %v", value, err)
	}
	sv, err := c.ToConnectHeader("topic", "header", data)
	if err != nil {
		t.Fatalf("ToConnectHeader(%q): %v", data, err)
	}
	return data, sv
}

// assertRoundTrip is SimpleHeaderConverterTest.assertRoundTrip: the value comes back with its
// schema, and converting the result again gives the same result.
func assertRoundTrip(t *testing.T, schema *connect.Schema, value any) {
	t.Helper()
	data, sv := roundTrip(t, schema, value)
	if value == nil {
		if data != nil || sv.Schema != nil || sv.Value != nil {
			t.Errorf("nil round trip gave %q, %v, %v", data, sv.Schema, sv.Value)
		}
		return
	}
	if !connect.ValuesEqual(sv.Value, value) || !sv.Schema.Equal(schema) {
		t.Errorf("%v (%v) read back as %v (%v) from %q", value, schema, sv.Value, sv.Schema, data)
	}
	_, again := roundTrip(t, sv.Schema, sv.Value)
	if !connect.ValuesEqual(again.Value, value) || !again.Schema.Equal(schema) {
		t.Errorf("second round trip of %v gave %v (%v)", value, again.Value, again.Schema)
	}
}

func TestSimpleHeaderConverterKafkaCases(t *testing.T) {
	stringMap := map[string]any{"foo": "123", "bar": "baz"}
	stringMapSchema := connect.MapOf(connect.StringSchema, connect.StringSchema).MustBuild()
	shortMap := map[string]any{"foo": int16(12345), "bar": int16(0), "baz": int16(-4321)}
	shortMapSchema := connect.MapOf(connect.StringSchema, connect.Int16Schema).MustBuild()
	intMap := map[string]any{"foo": int32(1234567890), "bar": int32(0), "baz": int32(-987654321)}
	intMapSchema := connect.MapOf(connect.StringSchema, connect.Int32Schema).MustBuild()

	t.Run("null", func(t *testing.T) {
		assertRoundTrip(t, connect.StringSchema, nil)
		assertRoundTrip(t, connect.OptionalStringSchema, nil)
	})
	t.Run("strings", func(t *testing.T) {
		assertRoundTrip(t, connect.StringSchema, "simple")
		assertRoundTrip(t, connect.StringSchema, "")
		assertRoundTrip(t, connect.StringSchema, `three"blind\"mice`)
		assertRoundTrip(t, connect.StringSchema, `string with delimiters: <>?,./\=+-!@#$%^&*(){}[]|;':`)
	})
	t.Run("maps", func(t *testing.T) {
		assertRoundTrip(t, stringMapSchema, stringMap)
		assertRoundTrip(t, shortMapSchema, shortMap)
		assertRoundTrip(t, intMapSchema, intMap)
	})
	t.Run("lists", func(t *testing.T) {
		assertRoundTrip(t, connect.ArrayOf(connect.StringSchema).MustBuild(), []any{"foo", "bar"})
		assertRoundTrip(t, connect.ArrayOf(connect.Int32Schema).MustBuild(), []any{int32(1234567890), int32(-987654321)})
	})
	parses := []struct {
		in     string
		schema *connect.Schema
		value  any
	}{
		{`{"foo":"123","bar":"baz"}`, stringMapSchema, stringMap},
		{"{ \"foo\" : \"123\", \n\"bar\" : \"baz\" } ", stringMapSchema, stringMap},
		{`{"foo":12345,"bar":0,"baz":-4321}`, shortMapSchema, shortMap},
		{` { "foo" :  12345 , "bar" : 0,  "baz" : -4321 }  `, shortMapSchema, shortMap},
		{`{"foo":1234567890,"bar":0,"baz":-987654321}`, intMapSchema, intMap},
		{` { "foo" :  1234567890 , "bar" : 0,  "baz" : -987654321 }  `, intMapSchema, intMap},
	}
	for _, tc := range parses {
		_, sv := roundTrip(t, connect.StringSchema, tc.in)
		if !sv.Schema.Equal(tc.schema) || !connect.ValuesEqual(sv.Value, tc.value) {
			t.Errorf("%q parsed as %v (%v), want %v (%v)", tc.in, sv.Value, sv.Schema, tc.value, tc.schema)
		}
	}
	t.Run("mixed values", func(t *testing.T) {
		m := map[string]any{"foo": "bar", "baz": int16(3456)}
		_, sv := roundTrip(t, nil, m)
		if sv.Schema.Type != connect.TypeMap || sv.Schema.KeySchema.Type != connect.TypeString || sv.Schema.ValueSchema != nil {
			t.Errorf("schema %v; want a map with string keys and no value schema", sv.Schema)
		}
		if !connect.ValuesEqual(sv.Value, m) {
			t.Errorf("value %v, want %v", sv.Value, m)
		}
		list := []any{"foo", int16(13344)}
		_, sv = roundTrip(t, nil, list)
		if sv.Schema.Type != connect.TypeArray || sv.Schema.ValueSchema != nil || !connect.ValuesEqual(sv.Value, list) {
			t.Errorf("mixed list read back as %v (%v)", sv.Value, sv.Schema)
		}
	})
	t.Run("empty", func(t *testing.T) {
		_, sv := roundTrip(t, nil, map[string]any{})
		if sv.Schema.Type != connect.TypeMap || sv.Schema.KeySchema != nil || sv.Schema.ValueSchema != nil || !connect.ValuesEqual(sv.Value, map[string]any{}) {
			t.Errorf("empty map read back as %v (%v)", sv.Value, sv.Schema)
		}
		_, sv = roundTrip(t, nil, []any{})
		if sv.Schema.Type != connect.TypeArray || sv.Schema.ValueSchema != nil || !connect.ValuesEqual(sv.Value, []any{}) {
			t.Errorf("empty list read back as %v (%v)", sv.Value, sv.Schema)
		}
	})
}

func TestParseString(t *testing.T) {
	d := func(s string) connect.Decimal { v, _ := connect.ParseDecimal(s); return v }
	cases := []struct {
		in     string
		schema *connect.Schema
		value  any
	}{
		{"true", connect.BooleanSchema, true},
		{"false", connect.BooleanSchema, false},
		{"null", nil, nil},
		{"true}", connect.StringSchema, "true}"},
		{"0", connect.Int8Schema, int8(0)},
		{"127", connect.Int8Schema, int8(127)},
		{"-129", connect.Int16Schema, int16(-129)},
		{"40000", connect.Int32Schema, int32(40000)},
		{"1e2", connect.Int8Schema, int8(100)},
		{"1.0", connect.Int8Schema, int8(1)},
		{"3000000000", connect.Int64Schema, int64(3000000000)},
		{"-9223372036854775808", connect.Int64Schema, int64(math.MinInt64)},
		{"1.5", connect.Float32Schema, float32(1.5)},
		{"0.1", connect.Float32Schema, float32(0.1)},
		{"1e300", connect.Float64Schema, 1e300},
		{"12345678901234567890", connect.DecimalSchema(0).MustBuild(), d("12345678901234567890")},
		{"+5", connect.Int8Schema, int8(5)},
		{"2019-03-07", connect.DateSchema().MustBuild(), time.Date(2019, 3, 7, 0, 0, 0, 0, time.UTC)},
		{"12:34:56.789Z", connect.TimeSchema().MustBuild(), time.UnixMilli(45296789).UTC()},
		{"2019-03-07T12:34:56.789Z", connect.TimestampSchema().MustBuild(), time.Date(2019, 3, 7, 12, 34, 56, 789e6, time.UTC)},
		{"2019-02-30", connect.StringSchema, "2019-02-30"},
		{"hello world", connect.StringSchema, "hello world"},
		{"   ", connect.StringSchema, "   "},
		{"[1, 1000, 100000]", connect.ArrayOf(connect.Int32Schema).MustBuild(), []any{int32(1), int32(1000), int32(100000)}},
		{"[1, 2.5]", connect.ArrayOf(connect.Float32Schema).MustBuild(), []any{float32(1), float32(2.5)}},
		{`["a", "b"]`, connect.ArrayOf(connect.StringSchema).MustBuild(), []any{"a", "b"}},
		{"[true, false]", connect.ArrayOf(connect.BooleanSchema).MustBuild(), []any{true, false}},
		{"[null, null]", &connect.Schema{Type: connect.TypeArray}, []any{nil, nil}},
		{"[1, null]", connect.StringSchema, "[1, null]"}, // a null does not fit INT8: not a list
		{"[1, 2", connect.StringSchema, "[1, 2"},
		{"[1,,2]", connect.StringSchema, "[1,,2]"},
		{"[[1, 2], [3]]", connect.ArrayOf(connect.ArrayOf(connect.Int8Schema).MustBuild()).MustBuild(), []any{[]any{int8(1), int8(2)}, []any{int8(3)}}},
		{`["2019-03-07", "x"]`, &connect.Schema{Type: connect.TypeArray}, []any{time.Date(2019, 3, 7, 0, 0, 0, 0, time.UTC), "x"}},
		{"[12:34:56.789Z]", connect.ArrayOf(connect.TimeSchema().MustBuild()).MustBuild(), []any{time.UnixMilli(45296789).UTC()}},
		{`{1:"a", 2:"b"}`, connect.MapOf(connect.Int8Schema, connect.StringSchema).MustBuild(), map[any]any{int8(1): "a", int8(2): "b"}},
		{`{"a":null}`, &connect.Schema{Type: connect.TypeMap, KeySchema: connect.StringSchema}, map[string]any{"a": nil}},
		{`{"a":1, "a":2}`, connect.MapOf(connect.StringSchema, connect.Int8Schema).MustBuild(), map[string]any{"a": int8(2)}},
		{`{null:1}`, connect.StringSchema, `{null:1}`},
		{`{a:1}`, connect.StringSchema, `{a:1}`},
		{`{"k":[1,2]}`, connect.MapOf(connect.StringSchema, connect.ArrayOf(connect.Int8Schema).MustBuild()).MustBuild(), map[string]any{"k": []any{int8(1), int8(2)}}},
	}
	for _, tc := range cases {
		got := ParseString(tc.in)
		if !got.Schema.Equal(tc.schema) {
			t.Errorf("ParseString(%q) schema %v, want %v", tc.in, got.Schema, tc.schema)
		}
		if !connect.ValuesEqual(got.Value, tc.value) {
			t.Errorf("ParseString(%q) = %#v, want %#v", tc.in, got.Value, tc.value)
		}
	}
}

// TestConvertToString writes testdata/header_strings.txt: the text SimpleHeaderConverter
// writes for each kind of value (Kafka's Values.convertToString), one per line.
func TestConvertToString(t *testing.T) {
	st := connect.StructBuilder().Field("name", connect.StringSchema).Field("n", connect.NewSchemaBuilder(connect.TypeInt32).Optional().Default(int32(7)).MustBuild()).MustBuild()
	values := []any{
		"plain", true, int8(-1), int16(300), int32(70000), int64(1) << 40, float32(1.1), 1e7, 0.001, math.NaN(),
		connect.NewDecimal(156, 2), connect.NewDecimal(1, -3), []byte{0xff, 0, 1},
		time.UnixMilli(45296789).UTC(), time.UnixMilli(-1).UTC(), time.Date(2019, 3, 7, 0, 0, 0, 0, time.UTC), time.Date(2019, 3, 7, 12, 34, 56, 789e6, time.UTC),
		[]any{"a\"b\\c", int32(1), nil, []byte("x"), []any{}},
		map[string]any{"z": int8(1), "a": "x"},
		map[any]any{int32(2): "b", int32(1): "a"},
		connect.NewStruct(st).MustPut("name", "ada"),
		[]string{"typed", "slice"},
	}
	var out bytes.Buffer
	for _, v := range values {
		s, err := ConvertToString(v)
		if err != nil {
			t.Fatalf("ConvertToString(%#v): %v", v, err)
		}
		fmt.Fprintf(&out, "%T\t%s\n", v, s)
	}
	golden(t, "header_strings.txt", out.Bytes())
	if _, err := ConvertToString(struct{}{}); err == nil {
		t.Error("ConvertToString accepted a Go struct")
	}
}

func TestSimpleHeaderConverterBytes(t *testing.T) {
	c := NewSimpleHeaderConverter()
	raw := []byte{0xff, 0xfe, 'x'}
	sv, err := c.ToConnectHeader("topic", "trace", raw)
	if err != nil || sv.Schema != connect.BytesSchema || !bytes.Equal(sv.Value.([]byte), raw) {
		t.Errorf("non-UTF-8 header read as %v (%v), %v; want its bytes", sv.Value, sv.Schema, err)
	}
	if sv, err := c.ToConnectHeader("topic", "h", nil); sv.Schema != nil || sv.Value != nil || err != nil {
		t.Errorf("nil header read as %v, %v", sv, err)
	}
	if _, err := c.FromConnectHeader("topic", "h", nil, struct{}{}); !isDataError(err) {
		t.Errorf("unsupported value: %v", err)
	}
}
