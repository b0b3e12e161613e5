package connect

import (
	"strings"
	"testing"
)

func TestTypeKinds(t *testing.T) {
	primitive := []Type{TypeInt8, TypeInt16, TypeInt32, TypeInt64, TypeFloat32, TypeFloat64, TypeBoolean, TypeString, TypeBytes}
	for _, ty := range primitive {
		if !ty.IsPrimitive() || !ty.Valid() {
			t.Errorf("%s: primitive %v, valid %v", ty, ty.IsPrimitive(), ty.Valid())
		}
	}
	for _, ty := range []Type{TypeArray, TypeMap, TypeStruct} {
		if ty.IsPrimitive() || !ty.Valid() {
			t.Errorf("%s: primitive %v, valid %v", ty, ty.IsPrimitive(), ty.Valid())
		}
	}
	for _, ty := range []Type{"", "INT32", "float", "double", "decimal"} {
		if ty.Valid() || ty.IsPrimitive() {
			t.Errorf("%q reported valid", ty)
		}
	}
}

func TestSchemaBuilder(t *testing.T) {
	address := StructBuilder().Name("Address").Field("city", StringSchema).Optional().MustBuild()
	s, err := StructBuilder().
		Name("com.example.Person").Version(3).Doc("a person").
		Parameter("connect.record.doc", "x").Parameter("owner", "team-a").
		Field("id", Int64Schema).
		Field("name", OptionalStringSchema).
		Field("tags", ArrayOf(StringSchema).MustBuild()).
		Field("attrs", MapOf(StringSchema, Int32Schema).Optional().MustBuild()).
		Field("address", address).
		Build()
	if err != nil {
		t.Fatal(err)
	}
	if s.Type != TypeStruct || s.Name != "com.example.Person" || s.Version != 3 || s.Doc != "a person" || s.Optional {
		t.Errorf("attributes: %+v", s)
	}
	if len(s.Parameters) != 2 || s.Parameters["owner"] != "team-a" {
		t.Errorf("parameters %v", s.Parameters)
	}
	for i, name := range []string{"id", "name", "tags", "attrs", "address"} {
		f := s.Field(name)
		if f == nil || f.Index != i || f.Name != name || s.Fields[i].Name != name {
			t.Errorf("Field(%q) = %+v, want index %d", name, f, i)
		}
	}
	if s.Field("missing") != nil {
		t.Error("Field of an unknown name is not nil")
	}
	if got := s.Field("address").Schema; got != address {
		t.Errorf("nested schema not shared: %v", got)
	}

	b := NewSchemaBuilder(TypeInt32).Optional().Required().Default(int32(5))
	if s := b.MustBuild(); s.Optional || s.Default != int32(5) {
		t.Errorf("Required after Optional: optional %v, default %v", s.Optional, s.Default)
	}
}

func TestSchemaBuilderErrors(t *testing.T) {
	tests := []struct {
		name string
		b    *SchemaBuilder
		want string
	}{
		{"field on a primitive", NewSchemaBuilder(TypeInt32).Field("a", Int32Schema), `cannot add field "a" to a int32 schema`},
		{"duplicate field", StructBuilder().Field("a", Int32Schema).Field("a", StringSchema), `duplicate field "a"`},
		{"first error wins", StructBuilder().Field("a", Int32Schema).Field("a", StringSchema).Field("b", nil), `duplicate field "a"`},
		{"field without schema", StructBuilder().Field("a", nil), `field "a" has no schema`},
		{"array without elements", ArrayOf(nil), "array has no element schema"},
		{"map without key", MapOf(nil, StringSchema), "map needs key and value schemas"},
		{"default of the wrong type", NewSchemaBuilder(TypeInt32).Default(int64(1)), "invalid default: invalid Go type int64 for schema type int32"},
		{"decimal default", DecimalSchema(2).Default(int64(1)), "invalid Go type int64 for schema type " + DecimalName},
		{"unknown type", NewSchemaBuilder("decimal"), `unknown type "decimal"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.b.Build()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Build() = %v, %v; want error containing %q", s, err, tt.want)
			}
			defer func() {
				if recover() == nil {
					t.Error("MustBuild did not panic")
				}
			}()
			tt.b.MustBuild()
		})
	}
}

func TestSchemaBuilderBuildsIndependentSchemas(t *testing.T) {
	b := StructBuilder().Field("a", Int32Schema)
	first := b.MustBuild()
	b.Field("b", StringSchema)
	second := b.MustBuild()
	if len(first.Fields) != 1 || first.Field("b") != nil || len(second.Fields) != 2 {
		t.Errorf("building again changed the first schema: %v, %v", first, second)
	}

	p := NewSchemaBuilder(TypeBytes).Parameter("k", "1")
	firstP := p.MustBuild()
	p.Parameter("k", "2")
	// Build copies Fields but shares the Parameters map with the builder.
	got := firstP.Parameters["k"]
	if got != "1" {
		t.Errorf("changing the builder changed a built schema's parameter to %q", got)
	}
}

func TestSchemaCheck(t *testing.T) {
	tests := []struct {
		name   string
		schema *Schema
		want   string // "" = valid
	}{
		{"nil", nil, ""},
		{"primitive", Int8Schema, ""},
		{"unknown type", &Schema{Type: "int"}, `unknown type "int"`},
		{"array", &Schema{Type: TypeArray, ValueSchema: StringSchema}, ""},
		{"array without element", &Schema{Type: TypeArray}, "ARRAY<<schemaless>>: array has no element schema"},
		{"array of invalid", &Schema{Type: TypeArray, ValueSchema: &Schema{Type: "x"}}, `unknown type "x"`},
		{"map", &Schema{Type: TypeMap, KeySchema: StringSchema, ValueSchema: Int32Schema}, ""},
		{"map without value", &Schema{Type: TypeMap, KeySchema: StringSchema}, "map needs key and value schemas"},
		{"map of invalid key", &Schema{Type: TypeMap, KeySchema: &Schema{Type: "x"}, ValueSchema: Int32Schema}, `unknown type "x"`},
		{"map of invalid value", &Schema{Type: TypeMap, KeySchema: StringSchema, ValueSchema: &Schema{Type: TypeArray}}, "array has no element schema"},
		{"struct without fields", &Schema{Type: TypeStruct}, ""},
		{"unnamed field", &Schema{Type: TypeStruct, Fields: []Field{{Schema: Int32Schema}}}, "struct field without a name"},
		{"duplicate field", &Schema{Type: TypeStruct, Fields: []Field{{Name: "a", Schema: Int32Schema}, {Name: "a", Index: 1, Schema: Int32Schema}}}, `duplicate field "a"`},
		{"field without schema", &Schema{Type: TypeStruct, Fields: []Field{{Name: "a"}}}, `field "a" has no schema`},
		{"nested error names the field", &Schema{Type: TypeStruct, Fields: []Field{{Name: "inner", Schema: &Schema{Type: TypeMap}}}}, `field "inner": schema MAP<<schemaless>,<schemaless>>: map needs key and value schemas`},
		{"default fits", &Schema{Type: TypeString, Default: "x"}, ""},
		{"default does not fit", &Schema{Type: TypeString, Default: 1}, "invalid default: invalid Go type int for schema type string"},
		{"array default element", &Schema{Type: TypeArray, ValueSchema: Int32Schema, Default: []any{int32(1), "2"}}, "invalid default: field [1]: invalid Go type string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.schema.Check()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Check() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Check() = %v, want error containing %q", err, tt.want)
			}
		})
	}
}

func TestSchemaEqual(t *testing.T) {
	base := func() *Schema {
		return &Schema{
			Type: TypeStruct, Name: "n", Version: 1, Doc: "d", Parameters: map[string]string{"p": "v"},
			Fields: []Field{{Name: "a", Schema: Int32Schema}, {Name: "b", Index: 1, Schema: OptionalStringSchema}},
		}
	}
	built := StructBuilder().Name("n").Version(1).Doc("d").Parameter("p", "v").
		Field("a", Int32Schema).Field("b", OptionalStringSchema).MustBuild()
	tests := []struct {
		name  string
		a, b  *Schema
		equal bool
	}{
		{"same pointer", Int32Schema, Int32Schema, true},
		{"nil and nil", nil, nil, true},
		{"nil and schema", nil, Int32Schema, false},
		{"schema and nil", Int32Schema, nil, false},
		{"equal literals", &Schema{Type: TypeInt32}, &Schema{Type: TypeInt32}, true},
		{"literal and built", base(), built, true},
		{"type", Int32Schema, Int64Schema, false},
		{"optional", Int32Schema, OptionalInt32Schema, false},
		{"name", base(), func() *Schema { s := base(); s.Name = "m"; return s }(), false},
		{"version", base(), func() *Schema { s := base(); s.Version = 2; return s }(), false},
		{"doc", base(), func() *Schema { s := base(); s.Doc = ""; return s }(), false},
		{"parameter value", base(), func() *Schema { s := base(); s.Parameters = map[string]string{"p": "w"}; return s }(), false},
		{"parameter key", base(), func() *Schema { s := base(); s.Parameters = map[string]string{"q": "v"}; return s }(), false},
		{"no parameters", base(), func() *Schema { s := base(); s.Parameters = nil; return s }(), false},
		{"field name", base(), func() *Schema { s := base(); s.Fields[1].Name = "c"; return s }(), false},
		{"field schema", base(), func() *Schema { s := base(); s.Fields[1].Schema = StringSchema; return s }(), false},
		{"field count", base(), func() *Schema { s := base(); s.Fields = s.Fields[:1]; return s }(), false},
		{"field order", base(), func() *Schema { s := base(); s.Fields[0], s.Fields[1] = s.Fields[1], s.Fields[0]; return s }(), false},
		{"bytes defaults by content", &Schema{Type: TypeBytes, Default: []byte{1, 2}}, &Schema{Type: TypeBytes, Default: []byte{1, 2}}, true},
		{"different defaults", &Schema{Type: TypeInt32, Default: int32(1)}, &Schema{Type: TypeInt32, Default: int32(2)}, false},
		{"default and none", &Schema{Type: TypeInt32, Default: int32(1)}, &Schema{Type: TypeInt32}, false},
		{"array elements", ArrayOf(Int32Schema).MustBuild(), ArrayOf(Int64Schema).MustBuild(), false},
		{"equal arrays", ArrayOf(Int32Schema).MustBuild(), ArrayOf(&Schema{Type: TypeInt32}).MustBuild(), true},
		{"map keys", MapOf(StringSchema, Int32Schema).MustBuild(), MapOf(Int32Schema, Int32Schema).MustBuild(), false},
		{"map values", MapOf(StringSchema, Int32Schema).MustBuild(), MapOf(StringSchema, OptionalInt32Schema).MustBuild(), false},
		{"decimal scales", DecimalSchema(2).MustBuild(), DecimalSchema(3).MustBuild(), false},
		{"logical and base", DateSchema().MustBuild(), Int32Schema, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Equal(tt.b); got != tt.equal {
				t.Errorf("a.Equal(b) = %v, want %v\na: %v\nb: %v", got, tt.equal, tt.a, tt.b)
			}
			if got := tt.b.Equal(tt.a); got != tt.equal {
				t.Errorf("b.Equal(a) = %v, want %v", got, tt.equal)
			}
		})
	}
}

func TestSchemaString(t *testing.T) {
	tests := []struct {
		schema *Schema
		want   string
	}{
		{nil, "<schemaless>"},
		{Int32Schema, "INT32"},
		{OptionalStringSchema, "STRING?"},
		{ArrayOf(Int64Schema).MustBuild(), "ARRAY<INT64>"},
		{MapOf(StringSchema, OptionalFloat64Schema).Optional().MustBuild(), "MAP<STRING,FLOAT64?>?"},
		{DecimalSchema(2).MustBuild(), DecimalName + ":BYTES"},
		{StructBuilder().Name("p").Field("a", Int32Schema).Field("b", ArrayOf(StringSchema).MustBuild()).MustBuild(), "p:STRUCT{a:INT32,b:ARRAY<STRING>}"},
		{StructBuilder().MustBuild(), "STRUCT{}"},
	}
	for _, tt := range tests {
		if got := tt.schema.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestPredefinedSchemas(t *testing.T) {
	pairs := []struct {
		required, optional *Schema
		typ                Type
	}{
		{Int8Schema, OptionalInt8Schema, TypeInt8},
		{Int16Schema, OptionalInt16Schema, TypeInt16},
		{Int32Schema, OptionalInt32Schema, TypeInt32},
		{Int64Schema, OptionalInt64Schema, TypeInt64},
		{Float32Schema, OptionalFloat32Schema, TypeFloat32},
		{Float64Schema, OptionalFloat64Schema, TypeFloat64},
		{BooleanSchema, OptionalBooleanSchema, TypeBoolean},
		{StringSchema, OptionalStringSchema, TypeString},
		{BytesSchema, OptionalBytesSchema, TypeBytes},
	}
	for _, p := range pairs {
		if p.required.Type != p.typ || p.required.Optional || p.optional.Type != p.typ || !p.optional.Optional {
			t.Errorf("%s: %v / %v", p.typ, p.required, p.optional)
		}
	}
}

func TestAsOptional(t *testing.T) {
	s := StructBuilder().Name("p").Field("a", Int32Schema).MustBuild()
	o := s.AsOptional()
	if !o.Optional || s.Optional || o.Field("a") == nil || o.Name != "p" {
		t.Fatalf("AsOptional: %+v from %+v", o, s)
	}
	if o.AsOptional() != o {
		t.Fatal("AsOptional of an optional schema must return it unchanged")
	}
}
