package jsonformat

import (
	"bytes"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// converter returns a converter configured with the given settings (and Kafka's defaults).
func converter(t testing.TB, kv ...string) *Converter {
	t.Helper()
	conf := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		conf[kv[i]] = kv[i+1]
	}
	c := NewConverter()
	if err := c.Configure(conf, false); err != nil {
		t.Fatalf("Configure(%v): %v", conf, err)
	}
	return c
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	path = filepath.Join("testdata", path)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s\n got: %s\nwant: %s", path, got, want)
	}
}

func utcDays(days int) time.Time { return time.Unix(int64(days)*86400, 0).UTC() }

var (
	fourFieldStruct = connect.StructBuilder().
			Field("field1", connect.BooleanSchema).
			Field("field2", connect.StringSchema).
			Field("field3", connect.StringSchema).
			Field("field4", connect.BooleanSchema).MustBuild()
	nullDefaultField = connect.StructBuilder().
				Field("field1", connect.NewSchemaBuilder(connect.TypeString).Optional().Default("default").MustBuild()).
				MustBuild()
	specStruct = connect.StructBuilder().
			Field("line", connect.StringSchema).
			Field("ts", connect.TimestampSchema().Optional().MustBuild()).MustBuild()
	address = connect.StructBuilder().Name("com.example.Address").
		Field("street", connect.StringSchema).
		Field("zip", connect.OptionalInt32Schema).MustBuild()
	person = connect.StructBuilder().Name("com.example.Person").Version(2).Doc("a person").
		Field("name", connect.StringSchema).
		Field("addresses", connect.ArrayOf(address).MustBuild()).
		Field("tags", connect.MapOf(connect.StringSchema, connect.OptionalStringSchema).Optional().MustBuild()).
		Field("scores", connect.MapOf(connect.Int16Schema, connect.Float64Schema).MustBuild()).
		Field("balance", connect.DecimalSchema(3).Optional().MustBuild()).
		Field("born", connect.DateSchema().MustBuild()).
		Field("wakes", connect.TimeSchema().MustBuild()).
		Field("photo", connect.OptionalBytesSchema).MustBuild()
)

// point3 is 0.1+0.2 computed in float64 (a constant expression would be exact).
var point3 = func() float64 { a, b := 0.1, 0.2; return a + b }()

// listWithDefault has an optional array-of-structs field with a default.
var (
	itemStruct      = connect.StructBuilder().Field("n", connect.Int32Schema).MustBuild()
	listWithDefault = connect.StructBuilder().
			Field("items", connect.ArrayOf(itemStruct).Optional().
				Default([]any{connect.NewStruct(itemStruct).MustPut("n", int32(7))}).MustBuild()).
			MustBuild()
)

// encodeCases are Kafka's JsonConverterTest *ToJson cases (the expected output is Jackson's:
// compact, envelope schema first, schema members in Kafka's order) plus cases for details
// Kafka's tests leave implicit (Java float text, escaping, nesting, defaults).
var encodeCases = []struct {
	name   string
	config []string
	schema *connect.Schema
	value  any
	// want, when set, is the exact output a Kafka test or system test spells out.
	want string
}{
	{name: "boolean", schema: connect.BooleanSchema, value: true,
		want: `{"schema":{"type":"boolean","optional":false},"payload":true}`},
	{name: "int8", schema: connect.Int8Schema, value: int8(12)},
	{name: "int16", schema: connect.Int16Schema, value: int16(12)},
	{name: "int32", schema: connect.Int32Schema, value: int32(12)},
	{name: "int64", schema: connect.Int64Schema, value: int64(4398046511104)},
	{name: "float", schema: connect.Float32Schema, value: float32(12.34)},
	{name: "double", schema: connect.Float64Schema, value: 12.34},
	{name: "bytes", schema: connect.BytesSchema, value: []byte("test-string")},
	{name: "string", schema: connect.StringSchema, value: "test-string"},
	{name: "array", schema: connect.ArrayOf(connect.Int32Schema).MustBuild(), value: []any{int32(1), int32(2), int32(3)}},
	{name: "map_string_keys", schema: connect.MapOf(connect.StringSchema, connect.Int32Schema).MustBuild(),
		value: map[string]any{"key2": int32(15), "key1": int32(12)}},
	{name: "map_non_string_keys", schema: connect.MapOf(connect.Int32Schema, connect.Int32Schema).MustBuild(),
		value: map[any]any{int32(2): int32(15), int32(1): int32(12)}},
	{name: "struct", schema: fourFieldStruct,
		value: connect.NewStruct(fourFieldStruct).MustPut("field1", true).MustPut("field2", "string2").MustPut("field3", "string3").MustPut("field4", false)},
	{name: "decimal_base64", schema: connect.DecimalSchema(2).MustBuild(), value: connect.NewDecimal(156, 2)},
	{name: "decimal_numeric", config: []string{"decimal.format", "NUMERIC"}, schema: connect.DecimalSchema(2).MustBuild(), value: connect.NewDecimal(156, 2)},
	{name: "decimal_numeric_trailing_zeros", config: []string{"decimal.format", "numeric"}, schema: connect.DecimalSchema(4).MustBuild(), value: connect.NewDecimal(15600, 4)},
	{name: "decimal_numeric_tiny", config: []string{"decimal.format", "NUMERIC"}, schema: connect.DecimalSchema(10).MustBuild(), value: connect.NewDecimal(1234, 10)},
	{name: "decimal_negative", schema: connect.DecimalSchema(0).MustBuild(), value: connect.NewDecimal(-128, 0)},
	{name: "date", schema: connect.DateSchema().MustBuild(), value: utcDays(10000)},
	{name: "time", schema: connect.TimeSchema().MustBuild(), value: time.UnixMilli(14400000).UTC()},
	{name: "timestamp", schema: connect.TimestampSchema().MustBuild(), value: time.UnixMilli(4000000000).UTC()},
	{name: "null_schema_primitive", value: true, want: `{"schema":null,"payload":true}`},
	{name: "null_schema_array", value: []any{int32(1), "string", true}, want: `{"schema":null,"payload":[1,"string",true]}`},
	{name: "null_schema_map", value: map[string]any{"key1": int32(12), "key2": "string", "key3": true},
		want: `{"schema":null,"payload":{"key1":12,"key2":"string","key3":true}}`},
	{name: "null_schema_map_non_string_keys", value: map[any]any{"string": int32(12), int32(52): "string", false: true}},
	{name: "schema_metadata", schema: connect.NewSchemaBuilder(connect.TypeBoolean).Name("bool").Version(3).Doc("the documentation").Parameter("foo", "bar").MustBuild(), value: true},
	{name: "schema_default", schema: connect.NewSchemaBuilder(connect.TypeBoolean).Default(true).MustBuild(), value: true},
	{name: "optional_null", schema: connect.OptionalBooleanSchema, value: nil},
	{name: "schemas_disabled", config: []string{"schemas.enable", "false"}, value: true, want: `true`},
	{name: "schemas_disabled_struct", config: []string{"schemas.enable", "false"}, schema: fourFieldStruct,
		value: connect.NewStruct(fourFieldStruct).MustPut("field1", true).MustPut("field2", "a").MustPut("field3", "b").MustPut("field4", false),
		want:  `{"field1":true,"field2":"a","field3":"b","field4":false}`},
	// KIP-581 cases (serializeNullToDefault and friends), spelled out in Kafka's test.
	{name: "null_to_default", schema: connect.NewSchemaBuilder(connect.TypeString).Optional().Default("default").MustBuild(), value: nil,
		want: `{"schema":{"type":"string","optional":true,"default":"default"},"payload":"default"}`},
	{name: "null_to_null", config: []string{"replace.null.with.default", "false"}, schema: connect.NewSchemaBuilder(connect.TypeString).Optional().Default("default").MustBuild(), value: nil,
		want: `{"schema":{"type":"string","optional":true,"default":"default"},"payload":null}`},
	{name: "field_null_to_default", schema: nullDefaultField, value: connect.NewStruct(nullDefaultField),
		want: `{"schema":{"type":"struct","fields":[{"type":"string","optional":true,"default":"default","field":"field1"}],"optional":false},"payload":{"field1":"default"}}`},
	{name: "field_null_to_null", config: []string{"replace.null.with.default", "false"}, schema: nullDefaultField, value: connect.NewStruct(nullDefaultField),
		want: `{"schema":{"type":"struct","fields":[{"type":"string","optional":true,"default":"default","field":"field1"}],"optional":false},"payload":{"field1":null}}`},
	// The shapes the system tests check (FileStream lines, HoistField+InsertField output).
	{name: "file_line", schema: connect.StringSchema, value: "hello",
		want: `{"schema":{"type":"string","optional":false},"payload":"hello"}`},
	{name: "file_line_schemaless", config: []string{"schemas.enable", "false"}, schema: connect.StringSchema, value: "hello", want: `"hello"`},
	{name: "spec_struct", schema: specStruct, value: connect.NewStruct(specStruct).MustPut("line", "hello").MustPut("ts", time.UnixMilli(1700000000000)),
		want: `{"schema":{"type":"struct","fields":[{"type":"string","optional":false,"field":"line"},{"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"ts"}],"optional":false},"payload":{"line":"hello","ts":1700000000000}}`},
	{name: "nested", schema: person, value: connect.NewStruct(person).
		MustPut("name", "Ada \"Countess\" Lovelace\n\t/é\u2028\x01").
		MustPut("addresses", []any{
			connect.NewStruct(address).MustPut("street", "12 St James's Sq").MustPut("zip", int32(1234)),
			connect.NewStruct(address).MustPut("street", "Somewhere"),
		}).
		MustPut("tags", map[string]any{"b": nil, "a": "x"}).
		MustPut("scores", map[any]any{int16(10): 1.0, int16(-3): 1e7, int16(2): 0.001}).
		MustPut("balance", connect.NewDecimal(-1234567, 3)).
		MustPut("born", utcDays(-1)).
		MustPut("wakes", time.UnixMilli(25200000).UTC()).
		MustPut("photo", []byte{0xff, 0x00, 0xfe})},
	{name: "floats_schemaless", config: []string{"schemas.enable", "false"},
		value: []any{1.0, 100.0, 1e7, 9999999.0, 0.001, 1e-4, 1.5e-4, 123456789.0, math.MaxFloat64, 4.9e-324, math.Copysign(0, -1),
			point3, math.NaN(), math.Inf(1), math.Inf(-1), float32(1.1), float32(math.MaxFloat32), float32(1.4e-45), float32(16777216)},
		want: `[1.0,100.0,1.0E7,9999999.0,0.001,1.0E-4,1.5E-4,1.23456789E8,1.7976931348623157E308,4.9E-324,-0.0,0.30000000000000004,"NaN","Infinity","-Infinity",1.1,3.4028235E38,1.4E-45,1.6777216E7]`},
	{name: "struct_list_default", schema: listWithDefault, value: connect.NewStruct(listWithDefault),
		want: `{"schema":{"type":"struct","fields":[{"type":"array","items":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"n"}],"optional":false},"optional":true,"default":[{"n":7}],"field":"items"}],"optional":false},"payload":{"items":[{"n":7}]}}`},
}

func TestEncodeKafkaCases(t *testing.T) {
	for _, tc := range encodeCases {
		t.Run(tc.name, func(t *testing.T) {
			c := converter(t, tc.config...)
			got, err := c.FromConnectData("topic", nil, tc.schema, tc.value)
			if err != nil {
				t.Fatalf("FromConnectData: %v", err)
			}
			if tc.want != "" && string(got) != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			golden(t, filepath.Join("encode", tc.name+".json"), got)
			if err := validate(got); err != nil {
				t.Errorf("output is not valid JSON: %v", err)
			}
		})
	}
}

func TestEncodeTombstone(t *testing.T) {
	for _, conf := range [][]string{nil, {"schemas.enable", "false"}} {
		got, err := converter(t, conf...).FromConnectData("topic", nil, nil, nil)
		if err != nil || got != nil {
			t.Errorf("%v: FromConnectData(nil, nil) = %q, %v; want nil bytes (a tombstone)", conf, got, err)
		}
	}
}

func TestEncodeHeader(t *testing.T) {
	h := NewConverter().AsHeaderConverter()
	if err := h.Configure(map[string]string{}); err != nil {
		t.Fatal(err)
	}
	got, err := h.FromConnectHeader("topic", "headerName", connect.StringSchema, "test-string")
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"schema":{"type":"string","optional":false},"payload":"test-string"}`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
	sv, err := h.ToConnectHeader("topic", "headerName", []byte(`{ "schema": { "type": "string" }, "payload": "foo-bar-baz" }`))
	if err != nil || !sv.Schema.Equal(connect.StringSchema) || sv.Value != "foo-bar-baz" {
		t.Errorf("ToConnectHeader = %v %v, %v", sv.Schema, sv.Value, err)
	}
}

func TestEncodeErrors(t *testing.T) {
	otherStruct := connect.StructBuilder().Field("x", connect.Int32Schema).MustBuild()
	cases := []struct {
		name   string
		config []string
		schema *connect.Schema
		value  any
		want   string
	}{
		{"mismatch", nil, connect.Float64Schema, true, "Invalid type for FLOAT64: bool"},
		{"wrong int width", nil, connect.Int32Schema, int64(1), "Invalid type for INT32: int64"},
		{"required null", nil, connect.StringSchema, nil, "Conversion error: null value for field that is required and has no default value"},
		{"required null field", nil, fourFieldStruct, connect.NewStruct(fourFieldStruct).MustPut("field1", true),
			"Conversion error: null value for field that is required and has no default value (at field2)"},
		{"nested path", nil, connect.ArrayOf(address).MustBuild(),
			[]any{connect.NewStruct(address).MustPut("street", "s"), connect.NewStruct(address)},
			"(at [1].street)"},
		{"map value path", nil, connect.MapOf(connect.StringSchema, connect.Int32Schema).MustBuild(),
			map[string]any{"a": int32(1), "b": "x"}, "Invalid type for INT32: string (at b)"},
		{"struct schema mismatch", nil, fourFieldStruct, connect.NewStruct(otherStruct), "Mismatching schema."},
		{"schemaless struct", nil, nil, connect.NewStruct(otherStruct), "Mismatching schema."},
		{"schemaless decimal", nil, nil, connect.NewDecimal(156, 2), "Go type connect.Decimal does not have corresponding schema type."},
		{"decimal scale", nil, connect.DecimalSchema(2).MustBuild(), connect.NewDecimal(156, 3), "BigDecimal has mismatching scale value for given Decimal schema"},
		{"decimal type", nil, connect.DecimalSchema(2).MustBuild(), 1.56, "Invalid type for Decimal, expected connect.Decimal but was float64"},
		{"date with time", nil, connect.DateSchema().MustBuild(), time.UnixMilli(1), "Kafka Connect Date type should not have any time fields set to non-zero values."},
		{"time with date", nil, connect.TimeSchema().MustBuild(), utcDays(1), "Kafka Connect Time type should not have any date fields set to non-zero values."},
		{"timestamp type", nil, connect.TimestampSchema().MustBuild(), int64(5), "Invalid type for Timestamp, expected time.Time but was int64"},
		{"map key type", nil, connect.MapOf(connect.Int32Schema, connect.Int32Schema).MustBuild(), map[string]any{"a": int32(1)}, "Invalid type for INT32: string"},
		{"unknown go type", []string{"schemas.enable", "false"}, nil, struct{}{}, "Go type struct {} does not have corresponding schema type."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := converter(t, tc.config...).FromConnectData("topic", nil, tc.schema, tc.value)
			var de *connect.DataError
			if !errors.As(err, &de) {
				t.Fatalf("FromConnectData = %q, %v; want a *connect.DataError", got, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestEncodeSchemaCacheByPointer(t *testing.T) {
	c := converter(t)
	s1 := connect.NewSchemaBuilder(connect.TypeBoolean).MustBuild()
	for range 2 {
		if _, err := c.FromConnectData("topic", nil, s1, true); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.toJSON.len(); n != 1 {
		t.Errorf("after encoding one schema twice the cache holds %d schemas, want 1", n)
	}
	opt := connect.NewSchemaBuilder(connect.TypeBoolean).Optional().MustBuild()
	got, err := c.FromConnectData("topic", nil, opt, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"schema":{"type":"boolean","optional":true},"payload":true}`; string(got) != want {
		t.Errorf("second schema written as %s, want %s", got, want)
	}
	if n := c.toJSON.len(); n != 2 {
		t.Errorf("cache holds %d schemas, want 2", n)
	}

	// schemas.cache.size bounds the cache (Kafka's connect-test.properties sets 1).
	small := converter(t, "schemas.cache.size", "1")
	for _, s := range []*connect.Schema{s1, opt, s1} {
		if _, err := small.FromConnectData("topic", nil, s, true); err != nil {
			t.Fatal(err)
		}
	}
	if n := small.toJSON.len(); n != 1 {
		t.Errorf("with schemas.cache.size=1 the cache holds %d schemas", n)
	}
	none := converter(t, "schemas.cache.size", "0")
	if _, err := none.FromConnectData("topic", nil, s1, true); err != nil {
		t.Fatal(err)
	}
	if n := none.toJSON.len(); n != 0 {
		t.Errorf("with schemas.cache.size=0 the cache holds %d schemas", n)
	}
}

func TestConfigure(t *testing.T) {
	c := NewConverter()
	for _, bad := range []map[string]string{
		{"decimal.format": "HEX"},
		{"schemas.enable": "maybe"},
		{"schemas.cache.size": "many"},
	} {
		if err := c.Configure(bad, false); err == nil {
			t.Errorf("Configure(%v) accepted an invalid value", bad)
		}
	}
	keys := c.ConfigDef().Keys()
	var names []string
	for _, k := range keys {
		names = append(names, k.Name)
	}
	if got, want := strings.Join(names, ","), "converter.type,schemas.enable,schemas.cache.size,decimal.format,replace.null.with.default"; got != want {
		t.Errorf("config keys %s, want %s", got, want)
	}
}

func TestRegistered(t *testing.T) {
	for _, name := range []string{ConverterClass, "JsonConverter", "Json"} {
		p, err := connect.LookupType(name, connect.PluginConverter)
		if err != nil {
			t.Fatalf("LookupType(%q): %v", name, err)
		}
		if _, ok := p.New().(*Converter); !ok {
			t.Errorf("%s makes %T", name, p.New())
		}
	}
	// header.converter=org.apache.kafka.connect.json.JsonConverter works too.
	p, err := connect.LookupType(ConverterClass, connect.PluginHeaderConverter)
	if err != nil {
		t.Fatal(err)
	}
	h, ok := p.NewHeaderConverter()
	if !ok {
		t.Fatal("no header converter")
	}
	if err := h.Configure(map[string]string{"converter.type": "header", "schemas.enable": "false"}); err != nil {
		t.Fatal(err)
	}
	got, err := h.FromConnectHeader("topic", "h", connect.Int32Schema, int32(5))
	if err != nil || string(got) != "5" {
		t.Errorf("header written as %q, %v; want 5 (schemas disabled)", got, err)
	}
}
