package connect

import (
	"strings"
	"testing"
)

func personSchema(t testing.TB) (person, address *Schema) {
	t.Helper()
	address = StructBuilder().Name("Address").
		Field("city", StringSchema).
		Field("zip", OptionalStringSchema).
		MustBuild()
	person = StructBuilder().Name("Person").
		Field("id", Int64Schema).
		Field("name", OptionalStringSchema).
		Field("age", NewSchemaBuilder(TypeInt32).Default(int32(18)).MustBuild()).
		Field("active", BooleanSchema).
		Field("tags", ArrayOf(StringSchema).Optional().MustBuild()).
		Field("scores", MapOf(StringSchema, Int32Schema).Optional().MustBuild()).
		Field("address", address).
		MustBuild()
	return person, address
}

func TestNewStructNeedsStructSchema(t *testing.T) {
	for _, s := range []*Schema{nil, Int32Schema, ArrayOf(StringSchema).MustBuild()} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), "NewStruct needs a struct schema") {
					t.Errorf("NewStruct(%v): panic %v", s, r)
				}
			}()
			NewStruct(s)
		}()
	}
}

func TestStructPutChecksTypes(t *testing.T) {
	person, address := personSchema(t)
	otherAddress := StructBuilder().Name("Address").Field("city", StringSchema).MustBuild()
	tests := []struct {
		field string
		value any
		want  string // "" = accepted
	}{
		{"id", int64(1), ""},
		{"id", 1, "field id: invalid Go type int for schema type int64"},
		{"id", int32(1), "field id: invalid Go type int32 for schema type int64"},
		{"name", "x", ""},
		{"name", []byte("x"), "field name: invalid Go type []uint8 for schema type string"},
		{"age", int32(30), ""},
		{"active", "true", "field active: invalid Go type string for schema type boolean"},
		{"tags", []any{"a", "b"}, ""},
		{"tags", []string{"a"}, "field tags: invalid Go type []string for schema type array"},
		{"tags", []any{"a", 2}, "field tags[1]: invalid Go type int for schema type string"},
		{"tags", []any{"a", nil}, "field tags[1]: invalid value: null used for required field, schema type: string"},
		{"scores", map[string]any{"x": int32(1)}, ""},
		{"scores", map[string]any{"x": int64(1)}, `field scores["x"]: invalid Go type int64 for schema type int32`},
		{"scores", map[string]int32{"x": 1}, "field scores: invalid Go type map[string]int32 for schema type map"},
		{"address", NewStruct(address).MustPut("city", "Oslo"), ""},
		{"address", NewStruct(otherAddress), "field address: struct schema Address:STRUCT{city:STRING} does not match schema Address:STRUCT{city:STRING,zip:STRING?}"},
		{"address", *NewStruct(address), "field address: invalid Go type connect.Struct for schema type Address"},
		{"address", NewStruct(address), "field address.city: invalid value: null used for required field, schema type: string"},
		{"missing", "x", `"missing" is not a valid field name of Person:STRUCT{`},
	}
	for _, tt := range tests {
		st := NewStruct(person)
		err := st.Put(tt.field, tt.value)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Put(%q, %#v): %v", tt.field, tt.value, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Put(%q, %#v) = %v, want error containing %q", tt.field, tt.value, err, tt.want)
		case tt.want != "":
			if v, _ := st.Lookup(tt.field); v != nil && tt.field != "age" {
				t.Errorf("rejected Put(%q) still set the value to %v", tt.field, v)
			}
		}
	}
}

func TestStructGetAndDefaults(t *testing.T) {
	person, address := personSchema(t)
	st := NewStruct(person)
	if got := st.Get("age"); got != int32(18) {
		t.Errorf("unset age = %v, want the default 18", got)
	}
	if got := st.RawIndex(2); got != nil {
		t.Errorf("RawIndex of an unset field = %v", got)
	}
	if v, ok := st.Lookup("nope"); ok || v != nil {
		t.Errorf("Lookup of an unknown field = %v, %v", v, ok)
	}
	if v, ok := st.Lookup("name"); !ok || v != nil {
		t.Errorf("Lookup of an unset optional field = %v, %v", v, ok)
	}
	addr := NewStruct(address).MustPut("city", "Oslo")
	st.MustPut("id", int64(7)).MustPut("name", "Ann").MustPut("age", int32(40)).MustPut("active", true).MustPut("address", addr)
	if st.GetInt64("id") != 7 || st.GetString("name") != "Ann" || st.GetInt32("age") != 40 || !st.GetBool("active") || st.GetStruct("address") != addr {
		t.Errorf("getters: %v", st)
	}
	if st.GetIndex(2) != int32(40) || st.Get("address") != addr {
		t.Error("GetIndex/Get do not return what was put")
	}
	// Typed getters return the zero value for a field of another type or an unknown name.
	if st.GetString("id") != "" || st.GetInt64("nope") != 0 || st.GetStruct("name") != nil {
		t.Error("typed getter of the wrong type is not the zero value")
	}
	// A nil Put clears the field; the default shows again.
	if err := st.Put("age", nil); err != nil || st.Get("age") != int32(18) {
		t.Errorf("clearing age: %v, now %v", err, st.Get("age"))
	}
	if err := st.PutIndex(99, int64(1)); err == nil || !strings.Contains(err.Error(), "field index 99 out of range") {
		t.Errorf("PutIndex(99): %v", err)
	}
	if err := st.PutIndex(0, int64(9)); err != nil || st.GetInt64("id") != 9 {
		t.Errorf("PutIndex(0): %v", err)
	}
	if st.Schema() != person {
		t.Error("Schema() is not the schema the struct was made with")
	}
}

func TestStructMustPutPanics(t *testing.T) {
	person, _ := personSchema(t)
	defer func() {
		if r := recover(); r == nil {
			t.Error("MustPut of a wrong type did not panic")
		}
	}()
	NewStruct(person).MustPut("id", "not a number")
}

func TestStructValidate(t *testing.T) {
	person, address := personSchema(t)
	full := func() *Struct {
		return NewStruct(person).MustPut("id", int64(1)).MustPut("active", false).
			MustPut("address", NewStruct(address).MustPut("city", "Oslo"))
	}
	if err := full().Validate(); err != nil {
		t.Errorf("complete struct: %v", err)
	}
	tests := []struct {
		name  string
		clear string
		want  string
	}{
		{"required field", "id", "field id: invalid value: null used for required field, schema type: int64"},
		{"required bool", "active", "field active: invalid value: null used for required field, schema type: boolean"},
		{"nested struct", "address", "field address: invalid value: null used for required field, schema type: struct"},
		{"field with default", "age", ""},
		{"optional field", "name", ""},
	}
	for _, tt := range tests {
		st := full()
		// Put rejects null for a required field at once, as Kafka's Struct.put does ...
		if perr := st.Put(tt.clear, nil); (perr != nil) != (tt.want != "") {
			t.Errorf("%s: Put(nil) = %v", tt.name, perr)
		}
		// ... and Validate catches a field that was never set.
		i, _ := st.index(tt.clear)
		st.values[i] = nil
		err := st.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || err.Error() != tt.want):
			t.Errorf("%s: Validate() = %v, want %q", tt.name, err, tt.want)
		}
	}
	// A nested struct missing a required field is reported with its path. Put validates the
	// nested struct, so clear its field after putting it.
	inner := NewStruct(address).MustPut("city", "Oslo")
	st := full().MustPut("address", inner)
	inner.values[0] = nil
	if err := st.Validate(); err == nil || err.Error() != "field address.city: invalid value: null used for required field, schema type: string" {
		t.Errorf("nested required field: %v", err)
	}
}

func TestStructEqual(t *testing.T) {
	person, address := personSchema(t)
	mk := func(name string) *Struct {
		return NewStruct(person).MustPut("id", int64(1)).MustPut("name", name).MustPut("active", true).
			MustPut("tags", []any{"a"}).MustPut("scores", map[string]any{"x": int32(1)}).
			MustPut("address", NewStruct(address).MustPut("city", "Oslo"))
	}
	literal := &Schema{Type: TypeStruct, Name: "Address", Fields: []Field{
		{Name: "city", Schema: StringSchema}, {Name: "zip", Index: 1, Schema: OptionalStringSchema},
	}}
	tests := []struct {
		name  string
		a, b  *Struct
		equal bool
	}{
		{"same values", mk("Ann"), mk("Ann"), true},
		{"different values", mk("Ann"), mk("Bob"), false},
		{"nil and nil", nil, nil, true},
		{"nil and struct", nil, mk("Ann"), false},
		{"equal schemas, different pointers", NewStruct(address).MustPut("city", "x"), NewStruct(literal).MustPut("city", "x"), true},
		{"different schemas", NewStruct(address), NewStruct(StructBuilder().Field("city", StringSchema).MustBuild()), false},
		// Like Kafka's Struct.equals, unset differs from set to the default.
		{"unset and default", NewStruct(person), NewStruct(person).MustPut("age", int32(18)), false},
		{"nested difference", mk("Ann"), mk("Ann").MustPut("address", NewStruct(address).MustPut("city", "Rome")), false},
		{"array difference", mk("Ann"), mk("Ann").MustPut("tags", []any{"b"}), false},
	}
	for _, tt := range tests {
		if got := tt.a.Equal(tt.b); got != tt.equal {
			t.Errorf("%s: a.Equal(b) = %v, want %v", tt.name, got, tt.equal)
		}
		if got := tt.b.Equal(tt.a); got != tt.equal {
			t.Errorf("%s: b.Equal(a) = %v, want %v", tt.name, got, tt.equal)
		}
	}
}

func TestStructString(t *testing.T) {
	person, address := personSchema(t)
	st := NewStruct(person).MustPut("id", int64(1)).MustPut("tags", []any{"a", "b"}).
		MustPut("address", NewStruct(address).MustPut("city", "Oslo"))
	// Unset fields are left out, defaults included, as Kafka's Struct.toString does.
	if got, want := st.String(), "Struct{id=1,tags=[a b],address=Struct{city=Oslo}}"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := NewStruct(address).String(); got != "Struct{}" {
		t.Errorf("empty struct: %q", got)
	}
}
