package avro

import (
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	hamba "github.com/hamba/avro/v2"

	"github.com/raftconnect/raftconnect/connect"
)

var (
	pst     = time.FixedZone("PST", -8*3600)
	kolkata = time.FixedZone("IST", 5*3600+1800)
)

func dec(s string) connect.Decimal {
	d, err := connect.ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// crossCheck makes hamba's independent codec read our bytes and write them back, and checks
// that we read its bytes as the original value: the two implementations agree on the wire.
func crossCheck(t *testing.T, s *Schema, data []byte, want any) {
	t.Helper()
	var generic any
	if err := hamba.Unmarshal(s.Avro(), data, &generic); err != nil {
		t.Fatalf("hamba cannot read our bytes %x: %v", data, err)
	}
	again, err := hamba.Marshal(s.Avro(), generic)
	if err != nil {
		t.Fatalf("hamba cannot write back %#v: %v", generic, err)
	}
	got, err := s.Decode(again)
	if err != nil {
		t.Fatalf("we cannot read hamba's bytes %x: %v", again, err)
	}
	if !connect.ValuesEqual(got, want) {
		t.Fatalf("value through hamba = %v, want %v", got, want)
	}
}

// TestRoundTripFromConnect encodes Connect values with the schema derived from their Connect
// schema, decodes them, and expects the same values back.
func TestRoundTripFromConnect(t *testing.T) {
	addr := connect.StructBuilder().Name("com.example.Address").
		Field("street", connect.StringSchema).
		Field("zip", connect.OptionalInt32Schema).MustBuild()
	optAddr := connect.StructBuilder().Name("com.example.Address").
		Field("street", connect.StringSchema).
		Field("zip", connect.OptionalInt32Schema).Optional().MustBuild()
	enum := connect.NewSchemaBuilder(connect.TypeString).Name("com.example.Suit").
		Parameter(EnumParameter, "com.example.Suit").
		Parameter(EnumParameter+".SPADES", "SPADES").Parameter(EnumParameter+".HEARTS", "HEARTS").
		Parameter(EnumParameter+".CLUBS", "CLUBS").
		Parameter(paramEnumSymbols, "SPADES,HEARTS,CLUBS").MustBuild()
	fixed := connect.NewSchemaBuilder(connect.TypeBytes).Name("com.example.MD5").
		Parameter(FixedSizeParameter, "4").MustBuild()
	union := connect.StructBuilder().Name(UnionName).
		Field("int", connect.OptionalInt32Schema).
		Field("string", connect.OptionalStringSchema).MustBuild()
	micros := connect.TimestampSchema().Parameter(LogicalTypeParameter, "timestamp-micros").MustBuild()
	timeMicros := connect.TimeSchema().Parameter(LogicalTypeParameter, "time-micros").MustBuild()
	uuid := connect.NewSchemaBuilder(connect.TypeString).Parameter(LogicalTypeParameter, "uuid").MustBuild()

	cases := []struct {
		name   string
		schema *connect.Schema
		value  any
	}{
		{"int8", connect.Int8Schema, int8(-128)},
		{"int16", connect.Int16Schema, int16(32767)},
		{"int32", connect.Int32Schema, int32(math.MinInt32)},
		{"int64", connect.Int64Schema, int64(math.MaxInt64)},
		{"float32", connect.Float32Schema, float32(3.25)},
		{"float64", connect.Float64Schema, -1e300},
		{"boolean", connect.BooleanSchema, true},
		{"string unicode", connect.StringSchema, "héllo, 世界 🚀 \x00"},
		{"empty string", connect.StringSchema, ""},
		{"bytes", connect.BytesSchema, []byte{0, 1, 0xfe, 0xff}},
		{"optional null", connect.OptionalStringSchema, nil},
		{"optional set", connect.OptionalStringSchema, "x"},
		{"decimal", connect.DecimalSchema(2).MustBuild(), dec("-12345678901234567890.99")},
		{"decimal zero", connect.DecimalSchema(4).MustBuild(), dec("0.0000")},
		{"decimal precision", connect.DecimalSchema(3).Parameter(DecimalPrecisionParameter, "10").MustBuild(), dec("9999999.999")},
		{"date", connect.DateSchema().MustBuild(), time.Date(1969, 7, 20, 0, 0, 0, 0, time.UTC)},
		{"time", connect.TimeSchema().MustBuild(), time.Date(1970, 1, 1, 23, 59, 59, 999e6, time.UTC)},
		{"timestamp with zone", connect.TimestampSchema().MustBuild(), time.Date(2024, 3, 10, 2, 30, 0, 123e6, pst)},
		{"timestamp before epoch", connect.TimestampSchema().MustBuild(), time.Date(1900, 1, 1, 0, 0, 0, 1e6, kolkata)},
		{"timestamp micros", micros, time.Date(2024, 3, 10, 2, 30, 0, 123456e3, pst)},
		{"time micros", timeMicros, time.Date(1970, 1, 1, 12, 0, 0, 654321e3, time.UTC)},
		{"uuid", uuid, "5f0c6b2a-1d3e-4f5a-9b7c-2d1e0f3a4b5c"},
		{"enum", enum, "CLUBS"},
		{"fixed", fixed, []byte("abcd")},
		{"array", connect.ArrayOf(connect.OptionalStringSchema).MustBuild(), []any{"a", nil, "ü"}},
		{"empty array", connect.ArrayOf(connect.Int64Schema).MustBuild(), []any{}},
		{"nested arrays", connect.ArrayOf(connect.ArrayOf(connect.Int32Schema).MustBuild()).MustBuild(), []any{[]any{int32(1)}, []any{}}},
		{"map", connect.MapOf(connect.StringSchema, connect.Float64Schema).MustBuild(), map[string]any{"a": 1.5, "b": -2.0, "": 0.0}},
		{"int-key map", connect.MapOf(connect.Int32Schema, connect.StringSchema).MustBuild(), map[any]any{int32(2): "two", int32(-1): "minus one"}},
		{"optional-key map", connect.MapOf(connect.OptionalStringSchema, connect.Int64Schema).MustBuild(), map[any]any{"a": int64(1), nil: int64(0)}},
		{"union int", union, connect.NewStruct(union).MustPut("int", int32(7))},
		{"union string", union, connect.NewStruct(union).MustPut("string", "seven")},
		{"struct", addr, connect.NewStruct(addr).MustPut("street", "Main St").MustPut("zip", int32(12345))},
		{"struct nulls", addr, connect.NewStruct(addr).MustPut("street", "")},
		{"optional struct", optAddr, connect.NewStruct(optAddr).MustPut("street", "x")},
		{"optional struct null", optAddr, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := FromConnect(tc.schema, ExactOptions())
			if err != nil {
				t.Fatal(err)
			}
			data, err := s.Append(nil, tc.value)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			got, err := s.Decode(data)
			if err != nil {
				t.Fatalf("decode %x: %v", data, err)
			}
			if !connect.ValuesEqual(got, tc.value) {
				t.Fatalf("round trip = %#v, want %#v (schema %s)", got, tc.value, s)
			}
			if got != nil {
				if err := connect.ValidateValue(s.ConnectSchema(), got); err != nil {
					t.Fatalf("decoded value does not fit the decoded schema: %v", err)
				}
			}
			crossCheck(t, s, data, tc.value)
			// The schema read back from the Avro text writes the same Avro text again.
			back, err := ConnectToAvroJSON(s.ConnectSchema(), ExactOptions())
			if err != nil {
				t.Fatal(err)
			}
			if back != s.String() {
				t.Fatalf("Avro → Connect → Avro changed the schema:\n got %s\nwant %s", back, s)
			}
		})
	}
}

// TestNestedRecordRoundTrip covers a realistic nested value: structs in structs, arrays of
// structs, maps of arrays, nulls at every level.
func TestNestedRecordRoundTrip(t *testing.T) {
	line := connect.StructBuilder().Name("shop.Line").
		Field("sku", connect.StringSchema).
		Field("qty", connect.Int16Schema).
		Field("price", connect.DecimalSchema(2).MustBuild()).MustBuild()
	order := connect.StructBuilder().Name("shop.Order").
		Field("id", connect.Int64Schema).
		Field("placed", connect.TimestampSchema().MustBuild()).
		Field("customer", connect.StructBuilder().Name("shop.Customer").
			Field("name", connect.StringSchema).
			Field("born", connect.DateSchema().Optional().MustBuild()).Optional().MustBuild()).
		Field("lines", connect.ArrayOf(line).MustBuild()).
		Field("tags", connect.MapOf(connect.StringSchema, connect.ArrayOf(connect.StringSchema).Optional().MustBuild()).MustBuild()).
		MustBuild()
	cust := connect.NewStruct(order.Field("customer").Schema).MustPut("name", "Zoë 山田")
	v := connect.NewStruct(order).
		MustPut("id", int64(1)<<40).
		MustPut("placed", time.Date(2023, 12, 31, 23, 59, 59, 999e6, kolkata)).
		MustPut("customer", cust).
		MustPut("lines", []any{
			connect.NewStruct(line).MustPut("sku", "A-1").MustPut("qty", int16(2)).MustPut("price", dec("19.99")),
			connect.NewStruct(line).MustPut("sku", "B-2").MustPut("qty", int16(-1)).MustPut("price", dec("-0.01")),
		}).
		MustPut("tags", map[string]any{"gift": []any{"wrap", "card"}, "none": nil})
	s, err := FromConnect(order, ExactOptions())
	if err != nil {
		t.Fatal(err)
	}
	data, err := s.Append(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	st := got.(*connect.Struct)
	if !connect.ValuesEqual(st.Get("lines"), v.Get("lines")) || !connect.ValuesEqual(st.Get("tags"), v.Get("tags")) ||
		st.Get("id") != v.Get("id") || !st.Get("placed").(time.Time).Equal(v.Get("placed").(time.Time)) ||
		st.GetStruct("customer").GetString("name") != "Zoë 山田" || st.GetStruct("customer").Get("born") != nil {
		t.Fatalf("round trip = %v, want %v", st, v)
	}
	crossCheck(t, s, data, got)
	// Equal bytes for equal values, map order included.
	again, _ := s.Append(nil, v)
	if string(again) != string(data) {
		t.Fatal("encoding the same value twice gave different bytes")
	}
}

// TestEncodeDefaultsAndMissingFields: a struct of another schema is matched by field name, and
// Avro fields it lacks take their defaults.
func TestEncodeDefaultsAndMissingFields(t *testing.T) {
	s, err := Parse(`{"type":"record","name":"R","fields":[
		{"name":"a","type":"long"},
		{"name":"b","type":"string","default":"dflt"},
		{"name":"c","type":["null","int"],"default":null},
		{"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":5,"scale":2},"default":"\u0000\u00ff"}]}`, ExactOptions())
	if err != nil {
		t.Fatal(err)
	}
	small := connect.StructBuilder().Field("a", connect.Int64Schema).MustBuild()
	data, err := s.Append(nil, connect.NewStruct(small).MustPut("a", int64(5)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	st := got.(*connect.Struct)
	if st.GetInt64("a") != 5 || st.GetString("b") != "dflt" || st.Get("c") != nil {
		t.Fatalf("got %v", st)
	}
	if d := st.Get("d").(connect.Decimal); d.String() != "2.55" {
		t.Fatalf("decimal default = %s, want 2.55 (bytes 00 ff)", d)
	}
	// The Connect schema carries the Avro defaults.
	if def := s.ConnectSchema().Field("b").Schema.Default; def != "dflt" {
		t.Fatalf("Connect default of b = %v", def)
	}

	// A struct field the Avro schema lacks is an error, not silent loss.
	extra := connect.StructBuilder().Field("a", connect.Int64Schema).Field("zzz", connect.StringSchema).MustBuild()
	_, err = s.Append(nil, connect.NewStruct(extra).MustPut("a", int64(1)).MustPut("zzz", "x"))
	if err == nil || !strings.Contains(err.Error(), "zzz") {
		t.Fatalf("extra field: err = %v", err)
	}
	// A required Avro field without default that the struct lacks is an error naming it.
	onlyB := connect.StructBuilder().Field("b", connect.StringSchema).MustBuild()
	_, err = s.Append(nil, connect.NewStruct(onlyB).MustPut("b", "x"))
	if err == nil || !strings.Contains(err.Error(), `field "a"`) {
		t.Fatalf("missing field: err = %v", err)
	}
}

// TestEncodeSchemaless covers values as encoding/json produces them.
func TestEncodeSchemaless(t *testing.T) {
	s, err := Parse(`{"type":"record","name":"R","fields":[
		{"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"f","type":"float"},
		{"name":"d","type":"double"},{"name":"s","type":["null","string"],"default":null},
		{"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
		{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
		{"name":"tags","type":{"type":"array","items":"string"}},
		{"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]}},
		{"name":"blob","type":"bytes"},
		{"name":"u","type":["null","long","string"]}]}`, ExactOptions())
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]any{
		"i": 42.0, "l": 9007199254740991.0, "f": 0.5, "d": 1e-9, "amount": "123.40",
		"ts": 1700000000123.0, "tags": []any{"a"}, "e": "Y", "blob": "AAH/", "u": "str", "ignored": true,
	}
	data, err := s.Append(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	st := got.(*connect.Struct)
	if st.GetInt32("i") != 42 || st.GetInt64("l") != 9007199254740991 || st.Get("f") != float32(0.5) ||
		st.Get("s") != nil || st.Get("amount").(connect.Decimal).String() != "123.40" ||
		!st.Get("ts").(time.Time).Equal(time.UnixMilli(1700000000123)) || st.GetString("e") != "Y" ||
		string(st.Get("blob").([]byte)) != "\x00\x01\xff" {
		t.Fatalf("got %v", st)
	}
	if u := st.GetStruct("u"); u == nil || u.GetString("string") != "str" {
		t.Fatalf("union = %v", st.Get("u"))
	}

	for _, tc := range []struct {
		field string
		value any
		want  string
	}{
		{"i", 1.5, "not an integer"},
		{"i", 3e9, "out of range"},
		{"amount", "1.234", "without rounding"},
		{"amount", "123456789.00", "precision"},
		{"e", "Z", "not a symbol"},
		{"tags", "a", "cannot hold string"},
		{"blob", "***", "base64"},
	} {
		m := map[string]any{}
		for k, v := range in {
			m[k] = v
		}
		m[tc.field] = tc.value
		_, err := s.Append(nil, m)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `"`+tc.field+`"`) {
			t.Errorf("%s = %v: err = %v, want it to name the field and say %q", tc.field, tc.value, err, tc.want)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	cases := []struct {
		name   string
		schema *connect.Schema
		value  any
		want   string
	}{
		{"null for required", connect.StringSchema, nil, "null for non-nullable"},
		{"date not midnight", connect.DateSchema().MustBuild(), time.Date(2024, 1, 1, 0, 0, 0, 0, pst), "not midnight UTC"},
		{"time not on epoch day", connect.TimeSchema().MustBuild(), time.Date(2024, 1, 1, 1, 0, 0, 0, time.UTC), "not on 1970-01-01"},
		{"wrong Go type", connect.Int64Schema, "12", "cannot hold string"},
		{"fixed size", connect.NewSchemaBuilder(connect.TypeBytes).Name("F").Parameter(FixedSizeParameter, "2").MustBuild(), []byte{1}, "size 2"},
		{"decimal scale loss", connect.DecimalSchema(1).MustBuild(), dec("1.25"), "without rounding"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := FromConnect(tc.schema, ExactOptions())
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Append(nil, tc.value)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestDecimalRescaleAndFixed(t *testing.T) {
	s, err := Parse(`{"type":"fixed","name":"Money","size":4,"logicalType":"decimal","precision":8,"scale":3}`, ExactOptions())
	if err != nil {
		t.Fatal(err)
	}
	cs := s.ConnectSchema()
	if cs.Name != connect.DecimalName || cs.Parameters["scale"] != "3" || cs.Parameters[DecimalPrecisionParameter] != "8" ||
		cs.Parameters[FixedSizeParameter] != "4" {
		t.Fatalf("Connect schema %v %v", cs, cs.Parameters)
	}
	for _, in := range []string{"-1.5", "12345.678", "0"} {
		data, err := s.Append(nil, dec(in))
		if err != nil {
			t.Fatal(err)
		}
		if len(data) != 4 {
			t.Fatalf("fixed decimal took %d bytes", len(data))
		}
		got, err := s.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		if d := got.(connect.Decimal); d.Scale != 3 || d.Cmp(dec(in)) != 0 {
			t.Fatalf("%s came back as %s", in, d)
		}
	}
	// -1.5 at scale 3 is -1500: two's complement ff ff fa 24, sign-extended to the fixed size.
	data, _ := s.Append(nil, dec("-1.5"))
	if want := []byte{0xff, 0xff, 0xfa, 0x24}; string(data) != string(want) {
		t.Fatalf("bytes %x, want %x", data, want)
	}
	back, err := ConnectToAvroJSON(cs, ExactOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(back, `"type":"fixed","name":"Money","size":4`) || !strings.Contains(back, `"logicalType":"decimal"`) {
		t.Fatalf("fixed decimal written back as %s", back)
	}
	if _, err := s.Append(nil, connect.Decimal{Unscaled: new(big.Int).Lsh(big.NewInt(1), 40), Scale: 3}); err == nil {
		t.Fatal("a decimal too wide for the fixed was accepted")
	}
}
