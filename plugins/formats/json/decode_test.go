package jsonformat

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

func mustDecimal(t testing.TB, s string) connect.Decimal {
	t.Helper()
	d, err := connect.ParseDecimal(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// sameDecimal compares decimals by unscaled value and scale: Kafka keeps the scale it read, so
// 1.5600 and 1.56 are different results.
func sameDecimal(a, b connect.Decimal) bool {
	return a.Scale == b.Scale && a.Unscaled.Cmp(b.Unscaled) == 0
}

// decodeCases are Kafka's JsonConverterTest *ToConnect cases and the KIP-581 deserialize cases.
func decodeCases(t testing.TB) []struct {
	name   string
	config []string
	in     string
	schema *connect.Schema
	value  any
} {
	structSchema := connect.StructBuilder().Field("field1", connect.BooleanSchema).Field("field2", connect.StringSchema).MustBuild()
	optStruct := connect.StructBuilder().
		Field("optional", connect.OptionalStringSchema).
		Field("required", connect.StringSchema).MustBuild()
	strDefault := connect.NewSchemaBuilder(connect.TypeString).Optional().Default("default").MustBuild()
	fieldDefault := connect.StructBuilder().Field("field1", strDefault).MustBuild()
	return []struct {
		name   string
		config []string
		in     string
		schema *connect.Schema
		value  any
	}{
		{"boolean", nil, `{ "schema": { "type": "boolean" }, "payload": true }`, connect.BooleanSchema, true},
		{"boolean false", nil, `{ "schema": { "type": "boolean" }, "payload": false }`, connect.BooleanSchema, false},
		{"optional boolean null", nil, `{ "schema": { "type": "boolean", "optional": true }, "payload": null }`, connect.OptionalBooleanSchema, nil},
		{"optional only if literally true", nil, `{ "schema": { "type": "boolean", "optional": "true" }, "payload": true }`, connect.BooleanSchema, true},
		{"default used for null", nil, `{ "schema": { "type": "boolean", "default": true }, "payload": null }`,
			connect.NewSchemaBuilder(connect.TypeBoolean).Default(true).MustBuild(), true},
		{"metadata", nil, `{ "schema": { "type": "boolean", "optional": false, "name": "bool", "version": 2, "doc": "the documentation", "parameters": { "foo": "bar" }}, "payload": true }`,
			connect.NewSchemaBuilder(connect.TypeBoolean).Name("bool").Version(2).Doc("the documentation").Parameter("foo", "bar").MustBuild(), true},
		{"int8", nil, `{ "schema": { "type": "int8" }, "payload": 12 }`, connect.Int8Schema, int8(12)},
		{"int16", nil, `{ "schema": { "type": "int16" }, "payload": 12 }`, connect.Int16Schema, int16(12)},
		{"int32", nil, `{ "schema": { "type": "int32" }, "payload": 12 }`, connect.Int32Schema, int32(12)},
		{"int64", nil, `{ "schema": { "type": "int64" }, "payload": 12 }`, connect.Int64Schema, int64(12)},
		{"int64 large", nil, `{ "schema": { "type": "int64" }, "payload": 4398046511104 }`, connect.Int64Schema, int64(4398046511104)},
		{"int64 min", nil, `{ "schema": { "type": "int64" }, "payload": -9223372036854775808 }`, connect.Int64Schema, int64(math.MinInt64)},
		{"int32 written as float", nil, `{ "schema": { "type": "int32" }, "payload": 1.2e1 }`, connect.Int32Schema, int32(12)},
		{"float", nil, `{ "schema": { "type": "float" }, "payload": 12.34 }`, connect.Float32Schema, float32(12.34)},
		{"double", nil, `{ "schema": { "type": "double" }, "payload": 12.34 }`, connect.Float64Schema, 12.34},
		{"double from int", nil, `{ "schema": { "type": "double" }, "payload": 12 }`, connect.Float64Schema, 12.0},
		{"double infinity", nil, `{ "schema": { "type": "double" }, "payload": "-Infinity" }`, connect.Float64Schema, math.Inf(-1)},
		{"bytes", nil, `{ "schema": { "type": "bytes" }, "payload": "dGVzdC1zdHJpbmc=" }`, connect.BytesSchema, []byte("test-string")},
		{"bytes escaped slash", nil, `{ "schema": { "type": "bytes" }, "payload": "\/wD+" }`, connect.BytesSchema, []byte{0xff, 0, 0xfe}},
		{"string", nil, `{ "schema": { "type": "string" }, "payload": "foo-bar-baz" }`, connect.StringSchema, "foo-bar-baz"},
		{"string escapes", nil, `{ "schema": { "type": "string" }, "payload": "a\"b\\c\/d\n\u00e9\ud83d\ude00\u0001" }`, connect.StringSchema, "a\"b\\c/d\né😀\x01"},
		{"array", nil, `{ "schema": { "type": "array", "items": { "type" : "int32" } }, "payload": [1, 2, 3] }`,
			connect.ArrayOf(connect.Int32Schema).MustBuild(), []any{int32(1), int32(2), int32(3)}},
		{"map string keys", nil, `{ "schema": { "type": "map", "keys": { "type" : "string" }, "values": { "type" : "int32" } }, "payload": { "key1": 12, "key2": 15} }`,
			connect.MapOf(connect.StringSchema, connect.Int32Schema).MustBuild(), map[string]any{"key1": int32(12), "key2": int32(15)}},
		{"map non-string keys", nil, `{ "schema": { "type": "map", "keys": { "type" : "int32" }, "values": { "type" : "int32" } }, "payload": [ [1, 12], [2, 15] ] }`,
			connect.MapOf(connect.Int32Schema, connect.Int32Schema).MustBuild(), map[any]any{int32(1): int32(12), int32(2): int32(15)}},
		{"struct", nil, `{ "schema": { "type": "struct", "fields": [{ "field": "field1", "type": "boolean" }, { "field": "field2", "type": "string" }] }, "payload": { "field1": true, "field2": "string" } }`,
			structSchema, connect.NewStruct(structSchema).MustPut("field1", true).MustPut("field2", "string")},
		{"struct fields out of order, unknown and repeated", nil, `{ "schema": { "type": "struct", "fields": [{ "field": "field1", "type": "boolean" }, { "field": "field2", "type": "string" }] }, "payload": { "field2": "a", "extra": [1,{}], "field1": true, "field2": "b" } }`,
			structSchema, connect.NewStruct(structSchema).MustPut("field1", true).MustPut("field2", "b")},
		{"struct with optional field", nil, `{ "schema": { "type": "struct", "fields": [{ "field":"optional", "type": "string", "optional": true }, { "field": "required", "type": "string" }] }, "payload": { "required": "required" } }`,
			optStruct, connect.NewStruct(optStruct).MustPut("required", "required")},
		{"payload before schema", nil, `{"payload": {"field1": false, "field2": "x"}, "schema": { "type": "struct", "fields": [{ "field": "field1", "type": "boolean" }, { "field": "field2", "type": "string" }] }}`,
			structSchema, connect.NewStruct(structSchema).MustPut("field1", false).MustPut("field2", "x")},
		{"null schema null payload", nil, `{ "schema": null, "payload": null }`, nil, nil},
		{"null schema boolean", nil, `{ "schema": null, "payload": true }`, nil, true},
		{"null schema integer", nil, `{ "schema": null, "payload": 12 }`, nil, int64(12)},
		{"null schema float", nil, `{ "schema": null, "payload": 12.24 }`, nil, 12.24},
		{"null schema float with exponent", nil, `{ "schema": null, "payload": 1e2 }`, nil, 100.0},
		{"null schema string", nil, `{ "schema": null, "payload": "a string" }`, nil, "a string"},
		{"null schema array", nil, `{ "schema": null, "payload": [1, "2", 3] }`, nil, []any{int64(1), "2", int64(3)}},
		{"null schema object", nil, `{ "schema": null, "payload": { "field1": 1, "field2": 2} }`, nil, map[string]any{"field1": int64(1), "field2": int64(2)}},
		{"decimal base64", nil, `{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "parameters": { "scale": "2" } }, "payload": "AJw=" }`,
			connect.DecimalSchema(2).MustBuild(), connect.NewDecimal(156, 2)},
		{"decimal optional null", nil, `{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "optional": true, "parameters": { "scale": "2" } }, "payload": null }`,
			connect.DecimalSchema(2).Optional().MustBuild(), nil},
		{"decimal default", nil, `{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "default": "AJw=", "parameters": { "scale": "2" } }, "payload": null }`,
			connect.DecimalSchema(2).Default(connect.NewDecimal(156, 2)).MustBuild(), connect.NewDecimal(156, 2)},
		{"decimal optional default", nil, `{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "optional": true, "default": "AJw=", "parameters": { "scale": "2" } }, "payload": null }`,
			connect.DecimalSchema(2).Optional().Default(connect.NewDecimal(156, 2)).MustBuild(), connect.NewDecimal(156, 2)},
		{"decimal numeric", nil, `{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "parameters": { "scale": "2" } }, "payload": 1.56 }`,
			connect.DecimalSchema(2).MustBuild(), connect.NewDecimal(156, 2)},
		{"decimal numeric trailing zeros", nil, `{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "parameters": { "scale": "4" } }, "payload": 1.5600 }`,
			connect.DecimalSchema(4).MustBuild(), connect.NewDecimal(15600, 4)},
		{"decimal numeric high precision", nil, `{ "schema": { "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "parameters": { "scale": "17" } }, "payload": 1.23456789123456789 }`,
			connect.DecimalSchema(17).MustBuild(), mustDecimal(t, "1.23456789123456789")},
		{"date", nil, `{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Date", "version": 1 }, "payload": 10000 }`,
			connect.DateSchema().MustBuild(), utcDays(10000)},
		{"date optional null", nil, `{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Date", "version": 1, "optional": true }, "payload": null }`,
			connect.DateSchema().Optional().MustBuild(), nil},
		{"date default", nil, `{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Date", "version": 1, "default": 0 }, "payload": null }`,
			connect.DateSchema().Default(utcDays(0)).MustBuild(), utcDays(0)},
		{"time", nil, `{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Time", "version": 1 }, "payload": 14400000 }`,
			connect.TimeSchema().MustBuild(), time.UnixMilli(14400000).UTC()},
		{"time default", nil, `{ "schema": { "type": "int32", "name": "org.apache.kafka.connect.data.Time", "version": 1, "optional": true, "default": 0 }, "payload": null }`,
			connect.TimeSchema().Optional().Default(time.UnixMilli(0).UTC()).MustBuild(), time.UnixMilli(0).UTC()},
		{"timestamp", nil, `{ "schema": { "type": "int64", "name": "org.apache.kafka.connect.data.Timestamp", "version": 1 }, "payload": 4000000000 }`,
			connect.TimestampSchema().MustBuild(), time.UnixMilli(4000000000).UTC()},
		{"timestamp default", nil, `{ "schema": { "type": "int64", "name": "org.apache.kafka.connect.data.Timestamp", "version": 1, "default": 42 }, "payload": null }`,
			connect.TimestampSchema().Default(time.UnixMilli(42).UTC()).MustBuild(), time.UnixMilli(42).UTC()},
		{"null to default", nil, `{"schema":{"type":"string","optional":true,"default":"default"},"payload":null}`, strDefault, "default"},
		{"null to null", []string{"replace.null.with.default", "false"}, `{"schema":{"type":"string","optional":true,"default":"default"},"payload":null}`, strDefault, nil},
		{"field null to default", nil, `{"schema":{"type":"struct","fields":[{"type":"string","optional":true,"default":"default","field":"field1"}],"optional":false},"payload":{"field1":null}}`,
			fieldDefault, connect.NewStruct(fieldDefault).MustPut("field1", "default")},
		{"field null to null", []string{"replace.null.with.default", "false"}, `{"schema":{"type":"struct","fields":[{"type":"string","optional":true,"default":"default","field":"field1"}],"optional":false},"payload":{"field1":null}}`,
			fieldDefault, connect.NewStruct(fieldDefault)},
		{"schemaless", []string{"schemas.enable", "false"}, `true`, nil, true},
		{"schemaless empty", []string{"schemas.enable", "false"}, ``, nil, nil},
		{"schemaless whitespace", []string{"schemas.enable", "false"}, " \n\t", nil, nil},
		{"schemaless empty field value", []string{"schemas.enable", "false"}, `{ "a": "", "b": null}`, nil, map[string]any{"a": "", "b": nil}},
		{"schemaless envelope-looking", []string{"schemas.enable", "false"}, `{"schema":null,"payload":1}`, nil, map[string]any{"schema": nil, "payload": int64(1)}},
	}
}

func TestDecodeKafkaCases(t *testing.T) {
	for _, tc := range decodeCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			got, err := converter(t, tc.config...).ToConnectData("topic", nil, []byte(tc.in))
			if err != nil {
				t.Fatalf("ToConnectData: %v", err)
			}
			if !got.Schema.Equal(tc.schema) {
				t.Errorf("schema %v, want %v", got.Schema, tc.schema)
			}
			if wd, ok := tc.value.(connect.Decimal); ok {
				if gd, ok := got.Value.(connect.Decimal); !ok || !sameDecimal(gd, wd) {
					t.Errorf("value %#v, want %v", got.Value, wd)
				}
				return
			}
			if !connect.ValuesEqual(got.Value, tc.value) {
				t.Errorf("value %#v, want %#v", got.Value, tc.value)
			}
		})
	}
}

func TestDecodeTombstone(t *testing.T) {
	for _, conf := range [][]string{nil, {"schemas.enable", "false"}} {
		got, err := converter(t, conf...).ToConnectData("topic", nil, nil)
		if err != nil || got.Schema != nil || got.Value != nil {
			t.Errorf("%v: ToConnectData(nil) = %v, %v; want an empty SchemaAndValue", conf, got, err)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	const envelope = `JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.`
	const serialization = "Converting byte[] to Kafka Connect data failed due to serialization error: "
	cases := []struct {
		name   string
		config []string
		in     string
		want   string // the whole message when it ends in '.', else a substring
	}{
		{"plain json", nil, `{"a":1}`, envelope},
		{"not an object", nil, `[1,2]`, envelope},
		{"empty", nil, ``, envelope},
		{"missing payload", nil, `{"schema":null}`, envelope},
		{"extra field", nil, `{"schema":null,"payload":1,"x":2}`, envelope},
		{"syntax before envelope", nil, `[1,2`, serialization + "unexpected end of input"},
		{"syntax after bad payload", nil, `{"schema":{"type":"int32"},"payload":"x","extra":}`, serialization + "unexpected character '}', expected a value at byte offset 49"},
		{"trailing data", nil, `{"schema":null,"payload":1} x`, serialization + "unexpected character 'x', expected end of input at byte offset 28"},
		{"schema without type", nil, `{"schema":{},"payload":1}`, "Schema must contain 'type' field"},
		{"unknown type", nil, `{"schema":{"type":"int128"},"payload":1}`, "Unknown schema type: int128"},
		{"array without items", nil, `{"schema":{"type":"array"},"payload":[]}`, "Array schema did not specify the element type"},
		{"map without keys", nil, `{"schema":{"type":"map","values":{"type":"int8"}},"payload":{}}`, "Map schema did not specify the key type"},
		{"map without values", nil, `{"schema":{"type":"map","keys":{"type":"int8"}},"payload":{}}`, "Map schema did not specify the value type"},
		{"struct without fields", nil, `{"schema":{"type":"struct"},"payload":{}}`, `Struct schema's "fields" argument is not an array.`},
		{"struct field without name", nil, `{"schema":{"type":"struct","fields":[{"type":"int8"}]},"payload":{}}`, "Struct schema's field name not specified properly"},
		{"duplicate field", nil, `{"schema":{"type":"struct","fields":[{"type":"int8","field":"a"},{"type":"int8","field":"a"}]},"payload":{}}`, "duplicate field"},
		{"parameters not strings", nil, `{"schema":{"type":"int8","parameters":{"a":1}},"payload":1}`, "Schema parameters must have string values."},
		{"required null", nil, `{"schema":{"type":"int32"},"payload":null}`, "Invalid null value for required INT32 field"},
		{"required field missing", nil, `{"schema":{"type":"struct","fields":[{"type":"int32","field":"a"}]},"payload":{}}`, "Invalid null value for required INT32 field (at a)"},
		{"int overflow", nil, `{"schema":{"type":"int8"},"payload":300}`, "Numeric value (300) out of range of INT8"},
		{"int64 overflow", nil, `{"schema":null,"payload":9223372036854775808}`, "Numeric value (9223372036854775808) out of range of INT64"},
		{"fraction for int", nil, `{"schema":{"type":"int32"},"payload":1.5}`, "Invalid value 1.5 for a INT32 value: not a whole number"},
		{"string for int", nil, `{"schema":{"type":"int32"},"payload":"1"}`, "Invalid JSON STRING for a INT32 value"},
		{"bad base64", nil, `{"schema":{"type":"bytes"},"payload":"!!"}`, "Invalid bytes field"},
		{"struct not object", nil, `{"schema":{"type":"struct","fields":[]},"payload":[]}`, "Structs should be encoded as JSON objects, but found ARRAY"},
		{"string map not object", nil, `{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int8"}},"payload":[]}`, "Maps with string fields should be encoded as JSON objects, but found ARRAY"},
		{"pair map not array", nil, `{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":{}}`, "Maps with non-string fields should be encoded as JSON array of tuples, but found OBJECT"},
		{"pair not array", nil, `{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":[1]}`, "Found invalid map entry instead of array tuple: NUMBER"},
		{"pair too long", nil, `{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":[[1,2,3]]}`, "Found invalid map entry, expected length 2 but found :3"},
		{"unhashable key", nil, `{"schema":{"type":"map","keys":{"type":"bytes"},"values":{"type":"int8"}},"payload":[["AA==",1]]}`, "Map key of type []uint8 cannot be a Go map key"},
		{"decimal wrong type", nil, `{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":true}`, "Invalid type for Decimal, underlying representation should be numeric or bytes but was BOOLEAN"},
		{"decimal empty bytes", nil, `{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":""}`, "Invalid bytes for Decimal field"},
		{"decimal without scale", nil, `{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal"},"payload":"AJw="}`, "Invalid bytes for Decimal field: Invalid Decimal schema: scale parameter not found."},
		{"struct default", nil, `{"schema":{"type":"struct","fields":[{"type":"int8","field":"a"}],"optional":true,"default":{"a":1}},"payload":null}`, "Invalid default value"},
		{"date not int", nil, `{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date"},"payload":3000000000}`, "Invalid type for Date, underlying representation should be integer but was NUMBER"},
		{"time out of range", nil, `{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Time"},"payload":86400001}`, "Time values must use number of milliseconds greater than 0 and less than 86400000"},
		{"timestamp not integral", nil, `{"schema":{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp"},"payload":1.5}`, "Invalid type for Timestamp, underlying representation should be integral but was NUMBER"},
		{"nested path", nil, `{"schema":{"type":"array","items":{"type":"struct","fields":[{"type":"int8","field":"a"}]}},"payload":[{"a":1},{"a":"x"}]}`, "Invalid JSON STRING for a INT8 value (at [1].a)"},
		{"schemaless syntax", []string{"schemas.enable", "false"}, `{"a":}`, serialization + "unexpected character '}', expected a value at byte offset 5"},
		{"schemaless syntax wins over range", []string{"schemas.enable", "false"}, `[99999999999999999999, tru]`, serialization + "unrecognized token 'tru'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := converter(t, tc.config...).ToConnectData("topic", nil, []byte(tc.in))
			var de *connect.DataError
			if !errors.As(err, &de) {
				t.Fatalf("ToConnectData = %v, %v; want a *connect.DataError", got, err)
			}
			if strings.HasSuffix(tc.want, ".") {
				if err.Error() != tc.want {
					t.Errorf("error %q\nwant      %q", err, tc.want)
				}
			} else if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestDecodeSchemaCache(t *testing.T) {
	c := converter(t)
	decode := func(in string) *connect.Schema {
		t.Helper()
		sv, err := c.ToConnectData("topic", nil, []byte(in))
		if err != nil {
			t.Fatal(err)
		}
		return sv.Schema
	}
	first := decode(`{ "schema": { "type": "boolean" }, "payload": true }`)
	second := decode(`{ "schema": { "type": "boolean" }, "payload": false }`)
	if first != second {
		t.Error("the same schema JSON decoded to two schema values; the second should come from the cache")
	}
	if n := c.toConnect.len(); n != 1 {
		t.Errorf("cache holds %d schemas, want 1", n)
	}
	decode(`{ "schema": { "type": "boolean", "optional": true }, "payload": true }`)
	// Equivalent schema JSON spelled differently is a different cache entry, as in Kafka.
	decode(`{ "schema": { "type": "boolean", "optional": false }, "payload": true }`)
	if n := c.toConnect.len(); n != 3 {
		t.Errorf("cache holds %d schemas, want 3", n)
	}

	small := converter(t, "schemas.cache.size", "1")
	for _, in := range []string{`{"schema":{"type":"int8"},"payload":1}`, `{"schema":{"type":"int16"},"payload":1}`} {
		if _, err := small.ToConnectData("topic", nil, []byte(in)); err != nil {
			t.Fatal(err)
		}
	}
	if n := small.toConnect.len(); n != 1 {
		t.Errorf("with schemas.cache.size=1 the cache holds %d schemas", n)
	}
}

// TestRoundTrip writes values with the converter and reads them back.
func TestRoundTrip(t *testing.T) {
	values := []struct {
		schema *connect.Schema
		value  any
	}{
		{person, connect.NewStruct(person).
			MustPut("name", "Ada\u2028\x00").
			MustPut("addresses", []any{connect.NewStruct(address).MustPut("street", "a").MustPut("zip", int32(-5))}).
			MustPut("tags", map[string]any{"k": "v", "n": nil}).
			MustPut("scores", map[any]any{int16(1): 0.5, int16(-7): math.MaxFloat64}).
			MustPut("balance", connect.Decimal{Unscaled: new(big.Int).Lsh(big.NewInt(-1), 100), Scale: 3}).
			MustPut("born", utcDays(-20000)).
			MustPut("wakes", time.UnixMilli(86399999).UTC()).
			MustPut("photo", []byte{})},
		{listWithDefault, connect.NewStruct(listWithDefault)},
		{connect.ArrayOf(connect.OptionalFloat32Schema).MustBuild(), []any{float32(1.5), nil, float32(math.Inf(1))}},
		{nil, map[string]any{"a": []any{int64(1), "x", nil, map[string]any{}}, "b": false}},
	}
	for _, conf := range [][]string{nil, {"decimal.format", "NUMERIC"}} {
		c := converter(t, conf...)
		for i, v := range values {
			data, err := c.FromConnectData("topic", nil, v.schema, v.value)
			if err != nil {
				t.Fatalf("%v #%d: FromConnectData: %v", conf, i, err)
			}
			got, err := c.ToConnectData("topic", nil, data)
			if err != nil {
				t.Fatalf("%v #%d: ToConnectData(%s): %v", conf, i, data, err)
			}
			if !got.Schema.Equal(v.schema) {
				t.Errorf("%v #%d: schema %v, want %v", conf, i, got.Schema, v.schema)
			}
			want := v.value
			if v.schema == listWithDefault {
				// The null field was written as its default, so it reads back as the default.
				want = connect.NewStruct(listWithDefault).MustPut("items", listWithDefault.Fields[0].Schema.Default)
			}
			// The decoded struct refers to the decoded schema; compare by content.
			if !connect.ValuesEqual(rebind(got.Value, v.schema), want) {
				t.Errorf("%v #%d: read back %v from %s, want %v", conf, i, got.Value, data, want)
			}
		}
	}
}

// rebind re-creates a decoded struct on the original schema so that ValuesEqual compares
// values rather than schema pointers.
func rebind(v any, s *connect.Schema) any {
	st, ok := v.(*connect.Struct)
	if !ok || s == nil {
		return v
	}
	out := connect.NewStruct(s)
	for i, f := range s.Fields {
		fv := st.RawIndex(i)
		if inner, ok := fv.(*connect.Struct); ok {
			fv = rebind(inner, f.Schema)
		}
		if list, ok := fv.([]any); ok && f.Schema.ValueSchema != nil && f.Schema.ValueSchema.Type == connect.TypeStruct {
			re := make([]any, len(list))
			for j, e := range list {
				re[j] = rebind(e, f.Schema.ValueSchema)
			}
			fv = re
		}
		_ = out.PutIndex(i, fv)
	}
	return out
}

func TestParseSchema(t *testing.T) {
	d := NewDecoder(DefaultOptions())
	e := NewEncoder(DefaultOptions())
	for _, s := range []*connect.Schema{person, specStruct, listWithDefault, connect.DecimalSchema(5).Optional().Doc("money").MustBuild()} {
		js, err := e.AppendSchema(nil, s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := d.ParseSchema(js)
		if err != nil {
			t.Fatalf("ParseSchema(%s): %v", js, err)
		}
		again, err := e.AppendSchema(nil, got)
		if err != nil {
			t.Fatal(err)
		}
		if string(again) != string(js) {
			t.Errorf("schema JSON changed on a round trip:\n%s\n%s", js, again)
		}
	}
	if s, err := d.ParseSchema([]byte(" null ")); s != nil || err != nil {
		t.Errorf("ParseSchema(null) = %v, %v", s, err)
	}
	if _, err := d.ParseSchema([]byte(`{"type":`)); err == nil {
		t.Error("ParseSchema accepted malformed JSON")
	}
}
