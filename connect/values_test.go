package connect

import (
	"math/big"
	"strings"
	"testing"
	"time"
)

func TestValidateValue(t *testing.T) {
	rec := StructBuilder().Name("R").Field("a", Int32Schema).MustBuild()
	recCopy := StructBuilder().Name("R").Field("a", Int32Schema).MustBuild()
	other := StructBuilder().Name("S").Field("a", Int32Schema).MustBuild()
	withDefault := NewSchemaBuilder(TypeString).Default("d").MustBuild()
	date := DateSchema().MustBuild()
	now := time.Now()

	tests := []struct {
		name   string
		schema *Schema
		value  any
		want   string // "" = valid
	}{
		{"int8", Int8Schema, int8(1), ""},
		{"int8 as int", Int8Schema, 1, "invalid Go type int for schema type int8"},
		{"int8 as int16", Int8Schema, int16(1), "invalid Go type int16 for schema type int8"},
		{"int16", Int16Schema, int16(1), ""},
		{"int16 as int32", Int16Schema, int32(1), "invalid Go type int32 for schema type int16"},
		{"int32", Int32Schema, int32(1), ""},
		{"int32 as int64", Int32Schema, int64(1), "invalid Go type int64 for schema type int32"},
		{"int32 as uint32", Int32Schema, uint32(1), "invalid Go type uint32 for schema type int32"},
		{"int64", Int64Schema, int64(1), ""},
		{"int64 as int", Int64Schema, 1, "invalid Go type int for schema type int64"},
		{"float32", Float32Schema, float32(1), ""},
		{"float32 as float64", Float32Schema, 1.0, "invalid Go type float64 for schema type float32"},
		{"float64", Float64Schema, 1.0, ""},
		{"float64 as float32", Float64Schema, float32(1), "invalid Go type float32 for schema type float64"},
		{"boolean", BooleanSchema, true, ""},
		{"boolean as string", BooleanSchema, "true", "invalid Go type string for schema type boolean"},
		{"string", StringSchema, "x", ""},
		{"string as bytes", StringSchema, []byte("x"), "invalid Go type []uint8 for schema type string"},
		{"bytes", BytesSchema, []byte{1}, ""},
		{"empty bytes", BytesSchema, []byte{}, ""},
		{"bytes as string", BytesSchema, "x", "invalid Go type string for schema type bytes"},
		{"array", ArrayOf(Int32Schema).MustBuild(), []any{int32(1), int32(2)}, ""},
		{"empty array", ArrayOf(Int32Schema).MustBuild(), []any{}, ""},
		{"typed slice", ArrayOf(Int32Schema).MustBuild(), []int32{1}, "invalid Go type []int32 for schema type array"},
		{"array element", ArrayOf(Int32Schema).MustBuild(), []any{int32(1), "x"}, "field [1]: invalid Go type string for schema type int32"},
		{"array null element", ArrayOf(OptionalInt32Schema).MustBuild(), []any{nil}, ""},
		{"array of arrays", ArrayOf(ArrayOf(StringSchema).MustBuild()).MustBuild(), []any{[]any{"a"}, []any{1}}, "field [1][0]: invalid Go type int for schema type string"},
		{"string map", MapOf(StringSchema, Int64Schema).MustBuild(), map[string]any{"a": int64(1)}, ""},
		{"string map value", MapOf(StringSchema, Int64Schema).MustBuild(), map[string]any{"a": 1}, `field ["a"]: invalid Go type int for schema type int64`},
		{"any map", MapOf(Int32Schema, StringSchema).MustBuild(), map[any]any{int32(1): "a"}, ""},
		{"any map key", MapOf(Int32Schema, StringSchema).MustBuild(), map[any]any{"k": "a"}, "invalid Go type string for schema type int32"},
		{"string keys for int keys", MapOf(Int32Schema, StringSchema).MustBuild(), map[string]any{"k": "a"}, "invalid Go type string for schema type int32"},
		{"typed map", MapOf(StringSchema, StringSchema).MustBuild(), map[string]string{"a": "b"}, "invalid Go type map[string]string for schema type map"},
		{"struct", rec, NewStruct(rec).MustPut("a", int32(1)), ""},
		{"struct of an equal schema", rec, NewStruct(recCopy).MustPut("a", int32(1)), ""},
		{"struct of another schema", rec, NewStruct(other).MustPut("a", int32(1)), "struct schema S:STRUCT{a:INT32} does not match schema R:STRUCT{a:INT32}"},
		{"incomplete struct", rec, NewStruct(rec), "field a: invalid value: null used for required field, schema type: int32"},
		{"struct as map", rec, map[string]any{"a": int32(1)}, "invalid Go type map[string]interface {} for schema type R"},
		{"decimal", DecimalSchema(2).MustBuild(), NewDecimal(1, 2), ""},
		{"decimal as bytes", DecimalSchema(2).MustBuild(), []byte{1}, "invalid Go type []uint8 for schema type " + DecimalName},
		{"decimal as big.Int", DecimalSchema(2).MustBuild(), big.NewInt(1), "invalid Go type *big.Int for schema type " + DecimalName},
		{"date", date, now, ""},
		{"date as days", date, int32(1), "invalid Go type int32 for schema type " + DateName},
		{"time", TimeSchema().MustBuild(), now, ""},
		{"timestamp", TimestampSchema().MustBuild(), now, ""},
		{"timestamp as pointer", TimestampSchema().MustBuild(), &now, "invalid Go type *time.Time for schema type " + TimestampName},
		{"required null", Int32Schema, nil, "invalid value: null used for required field, schema type: int32"},
		{"optional null", OptionalInt32Schema, nil, ""},
		{"null with a default", withDefault, nil, ""},
		{"schemaless", nil, map[string]any{"anything": []any{1, "x"}}, ""},
		{"schemaless null", nil, nil, ""},
		{"unknown type", &Schema{Type: "decimal"}, 1, `unknown schema type "decimal"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateValue(tt.schema, tt.value)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("ValidateValue(%v, %#v) = %v", tt.schema, tt.value, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("ValidateValue(%v, %#v) = %v, want error containing %q", tt.schema, tt.value, err, tt.want)
			}
		})
	}
}

func TestValuesEqual(t *testing.T) {
	s := StructBuilder().Field("b", BytesSchema).MustBuild()
	utc := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		a, b  any
		equal bool
	}{
		{"nil", nil, nil, true},
		{"nil and value", nil, int32(0), false},
		{"same int", int32(1), int32(1), true},
		{"different int types", int32(1), int64(1), false},
		{"bytes by content", []byte{1, 2}, []byte{1, 2}, true},
		{"different bytes", []byte{1, 2}, []byte{1, 3}, false},
		{"bytes and string", []byte("a"), "a", false},
		{"decimals", NewDecimal(100, 2), NewDecimal(100, 2), true},
		{"decimals of other scales", NewDecimal(100, 2), NewDecimal(10, 1), false},
		{"decimal values", NewDecimal(100, 2), NewDecimal(101, 2), false},
		{"times by instant", utc, utc.In(time.FixedZone("X", 3600)), true},
		{"different times", utc, utc.Add(time.Millisecond), false},
		{"structs", NewStruct(s).MustPut("b", []byte{1}), NewStruct(s).MustPut("b", []byte{1}), true},
		{"different structs", NewStruct(s).MustPut("b", []byte{1}), NewStruct(s).MustPut("b", []byte{2}), false},
		{"arrays", []any{[]byte{1}, NewDecimal(1, 0)}, []any{[]byte{1}, NewDecimal(1, 0)}, true},
		{"array lengths", []any{int32(1)}, []any{int32(1), int32(2)}, false},
		{"array and slice", []any{"a"}, []string{"a"}, false},
		{"maps", map[string]any{"k": []byte{1}}, map[string]any{"k": []byte{1}}, true},
		{"map values", map[string]any{"k": []byte{1}}, map[string]any{"k": []byte{2}}, false},
		{"map keys", map[string]any{"k": int32(1)}, map[string]any{"j": int32(1)}, false},
		{"map sizes", map[string]any{"k": int32(1)}, map[string]any{"k": int32(1), "j": int32(1)}, false},
		{"any maps", map[any]any{int32(1): "a"}, map[any]any{int32(1): "a"}, true},
	}
	for _, tt := range tests {
		if got := ValuesEqual(tt.a, tt.b); got != tt.equal {
			t.Errorf("%s: ValuesEqual(a, b) = %v, want %v", tt.name, got, tt.equal)
		}
		if got := ValuesEqual(tt.b, tt.a); got != tt.equal {
			t.Errorf("%s: ValuesEqual(b, a) = %v, want %v", tt.name, got, tt.equal)
		}
	}
}
