package connect

import (
	"fmt"
	"maps"
	"strings"
)

// Type is the type of a Connect schema. Its string form is Kafka's lower-case type name.
type Type string

// The Connect schema types. The first nine are primitive.
const (
	TypeInt8    Type = "int8"
	TypeInt16   Type = "int16"
	TypeInt32   Type = "int32"
	TypeInt64   Type = "int64"
	TypeFloat32 Type = "float32"
	TypeFloat64 Type = "float64"
	TypeBoolean Type = "boolean"
	TypeString  Type = "string"
	TypeBytes   Type = "bytes"
	TypeArray   Type = "array"
	TypeMap     Type = "map"
	TypeStruct  Type = "struct"
)

// IsPrimitive reports whether t is one of the nine primitive types.
func (t Type) IsPrimitive() bool {
	switch t {
	case TypeInt8, TypeInt16, TypeInt32, TypeInt64, TypeFloat32, TypeFloat64, TypeBoolean, TypeString, TypeBytes:
		return true
	}
	return false
}

// Valid reports whether t is a known type.
func (t Type) Valid() bool {
	return t.IsPrimitive() || t == TypeArray || t == TypeMap || t == TypeStruct
}

// Schema describes a Connect value. Treat a Schema as immutable once it is in use: records,
// structs and converters share schemas between goroutines. Build one with a struct literal or
// with [SchemaBuilder]; nested schemas are pointers so they can be shared.
type Schema struct {
	Type     Type
	Optional bool
	// Default is the value used when a field is absent; it must be valid for the schema.
	Default any
	// Name is the schema's fully qualified name; logical types are marked by name.
	Name string
	// Version is the schema version; 0 means none.
	Version    int
	Doc        string
	Parameters map[string]string
	// KeySchema is the key schema of a MAP.
	KeySchema *Schema
	// ValueSchema is the value schema of a MAP and the element schema of an ARRAY.
	ValueSchema *Schema
	// Fields are the fields of a STRUCT, in order.
	Fields []Field

	// fieldIndex is filled by SchemaBuilder.Build; literal schemas fall back to a scan.
	fieldIndex map[string]int
}

// Field is one field of a STRUCT schema.
type Field struct {
	Name   string
	Index  int
	Schema *Schema
}

// Field returns the field called name, or nil.
func (s *Schema) Field(name string) *Field {
	if s == nil {
		return nil
	}
	if s.fieldIndex != nil {
		if i, ok := s.fieldIndex[name]; ok {
			return &s.Fields[i]
		}
		return nil
	}
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return &s.Fields[i]
		}
	}
	return nil
}

// AsOptional returns s marked optional: s itself when it already is, else a shallow copy that
// shares s's nested schemas, fields and parameters.
func (s *Schema) AsOptional() *Schema {
	if s == nil || s.Optional {
		return s
	}
	c := *s
	c.Optional = true
	return &c
}

// String renders the schema compactly for error messages.
func (s *Schema) String() string {
	if s == nil {
		return "<schemaless>"
	}
	var b strings.Builder
	if s.Name != "" {
		b.WriteString(s.Name)
		b.WriteByte(':')
	}
	b.WriteString(strings.ToUpper(string(s.Type)))
	switch s.Type {
	case TypeArray:
		fmt.Fprintf(&b, "<%s>", s.ValueSchema)
	case TypeMap:
		fmt.Fprintf(&b, "<%s,%s>", s.KeySchema, s.ValueSchema)
	case TypeStruct:
		b.WriteByte('{')
		for i, f := range s.Fields {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%s:%s", f.Name, f.Schema)
		}
		b.WriteByte('}')
	}
	if s.Optional {
		b.WriteByte('?')
	}
	return b.String()
}

// Check reports the first structural problem of the schema: an unknown type, an ARRAY without
// element schema, a MAP without key or value schema, a STRUCT with a duplicate or unnamed field,
// or a default that does not fit.
func (s *Schema) Check() error {
	if s == nil {
		return nil
	}
	if !s.Type.Valid() {
		return fmt.Errorf("schema %q: unknown type %q", s.Name, s.Type)
	}
	switch s.Type {
	case TypeArray:
		if s.ValueSchema == nil {
			return fmt.Errorf("schema %s: array has no element schema", s)
		}
		if err := s.ValueSchema.Check(); err != nil {
			return err
		}
	case TypeMap:
		if s.KeySchema == nil || s.ValueSchema == nil {
			return fmt.Errorf("schema %s: map needs key and value schemas", s)
		}
		if err := s.KeySchema.Check(); err != nil {
			return err
		}
		if err := s.ValueSchema.Check(); err != nil {
			return err
		}
	case TypeStruct:
		seen := make(map[string]bool, len(s.Fields))
		for _, f := range s.Fields {
			if f.Name == "" {
				return fmt.Errorf("schema %s: struct field without a name", s)
			}
			if seen[f.Name] {
				return fmt.Errorf("schema %s: duplicate field %q", s, f.Name)
			}
			seen[f.Name] = true
			if f.Schema == nil {
				return fmt.Errorf("schema %s: field %q has no schema", s, f.Name)
			}
			if err := f.Schema.Check(); err != nil {
				return fmt.Errorf("field %q: %w", f.Name, err)
			}
		}
	}
	if s.Default != nil {
		if err := ValidateValue(s, s.Default); err != nil {
			return fmt.Errorf("schema %s: invalid default: %w", s, err)
		}
	}
	return nil
}

// Equal reports whether two schemas describe the same type, with the same attributes, fields and
// defaults, as Kafka's ConnectSchema.equals does.
func (s *Schema) Equal(o *Schema) bool {
	if s == o {
		return true
	}
	if s == nil || o == nil {
		return false
	}
	if s.Type != o.Type || s.Optional != o.Optional || s.Name != o.Name || s.Version != o.Version || s.Doc != o.Doc {
		return false
	}
	if len(s.Parameters) != len(o.Parameters) {
		return false
	}
	for k, v := range s.Parameters {
		if ov, ok := o.Parameters[k]; !ok || ov != v {
			return false
		}
	}
	if !valuesEqual(s.Default, o.Default) {
		return false
	}
	if !s.KeySchema.Equal(o.KeySchema) || !s.ValueSchema.Equal(o.ValueSchema) {
		return false
	}
	if len(s.Fields) != len(o.Fields) {
		return false
	}
	for i := range s.Fields {
		if s.Fields[i].Name != o.Fields[i].Name || !s.Fields[i].Schema.Equal(o.Fields[i].Schema) {
			return false
		}
	}
	return true
}

// Predefined primitive schemas. They are shared: do not modify them.
var (
	Int8Schema    = &Schema{Type: TypeInt8}
	Int16Schema   = &Schema{Type: TypeInt16}
	Int32Schema   = &Schema{Type: TypeInt32}
	Int64Schema   = &Schema{Type: TypeInt64}
	Float32Schema = &Schema{Type: TypeFloat32}
	Float64Schema = &Schema{Type: TypeFloat64}
	BooleanSchema = &Schema{Type: TypeBoolean}
	StringSchema  = &Schema{Type: TypeString}
	BytesSchema   = &Schema{Type: TypeBytes}

	OptionalInt8Schema    = &Schema{Type: TypeInt8, Optional: true}
	OptionalInt16Schema   = &Schema{Type: TypeInt16, Optional: true}
	OptionalInt32Schema   = &Schema{Type: TypeInt32, Optional: true}
	OptionalInt64Schema   = &Schema{Type: TypeInt64, Optional: true}
	OptionalFloat32Schema = &Schema{Type: TypeFloat32, Optional: true}
	OptionalFloat64Schema = &Schema{Type: TypeFloat64, Optional: true}
	OptionalBooleanSchema = &Schema{Type: TypeBoolean, Optional: true}
	OptionalStringSchema  = &Schema{Type: TypeString, Optional: true}
	OptionalBytesSchema   = &Schema{Type: TypeBytes, Optional: true}
)

// SchemaBuilder builds a Schema fluently, as Kafka's SchemaBuilder does. Errors (such as a
// duplicate field) are collected and returned by Build.
type SchemaBuilder struct {
	s   Schema
	err error
}

// NewSchemaBuilder starts a schema of type t.
func NewSchemaBuilder(t Type) *SchemaBuilder { return &SchemaBuilder{s: Schema{Type: t}} }

// StructBuilder starts a STRUCT schema.
func StructBuilder() *SchemaBuilder { return NewSchemaBuilder(TypeStruct) }

// ArrayOf returns an ARRAY schema with element schema elem.
func ArrayOf(elem *Schema) *SchemaBuilder {
	b := NewSchemaBuilder(TypeArray)
	b.s.ValueSchema = elem
	return b
}

// MapOf returns a MAP schema with the given key and value schemas.
func MapOf(key, value *Schema) *SchemaBuilder {
	b := NewSchemaBuilder(TypeMap)
	b.s.KeySchema, b.s.ValueSchema = key, value
	return b
}

// Optional marks the schema optional.
func (b *SchemaBuilder) Optional() *SchemaBuilder { b.s.Optional = true; return b }

// Required marks the schema required (the default).
func (b *SchemaBuilder) Required() *SchemaBuilder { b.s.Optional = false; return b }

// Name sets the schema name.
func (b *SchemaBuilder) Name(n string) *SchemaBuilder { b.s.Name = n; return b }

// Version sets the schema version.
func (b *SchemaBuilder) Version(v int) *SchemaBuilder { b.s.Version = v; return b }

// Doc sets the documentation.
func (b *SchemaBuilder) Doc(d string) *SchemaBuilder { b.s.Doc = d; return b }

// Default sets the default value; Build checks it against the schema.
func (b *SchemaBuilder) Default(v any) *SchemaBuilder { b.s.Default = v; return b }

// Parameter sets one parameter.
func (b *SchemaBuilder) Parameter(k, v string) *SchemaBuilder {
	if b.s.Parameters == nil {
		b.s.Parameters = map[string]string{}
	}
	b.s.Parameters[k] = v
	return b
}

// Field appends a field to a STRUCT schema.
func (b *SchemaBuilder) Field(name string, s *Schema) *SchemaBuilder {
	if b.s.Type != TypeStruct {
		b.setErr(fmt.Errorf("cannot add field %q to a %s schema", name, b.s.Type))
		return b
	}
	for _, f := range b.s.Fields {
		if f.Name == name {
			b.setErr(fmt.Errorf("duplicate field %q", name))
			return b
		}
	}
	b.s.Fields = append(b.s.Fields, Field{Name: name, Index: len(b.s.Fields), Schema: s})
	return b
}

func (b *SchemaBuilder) setErr(err error) {
	if b.err == nil {
		b.err = err
	}
}

// Build returns the schema, or the first error met while building or checking it.
func (b *SchemaBuilder) Build() (*Schema, error) {
	if b.err != nil {
		return nil, b.err
	}
	s := b.s
	s.Fields = append([]Field(nil), b.s.Fields...)
	s.Parameters = maps.Clone(b.s.Parameters)
	if len(s.Fields) > 0 {
		s.fieldIndex = make(map[string]int, len(s.Fields))
		for i := range s.Fields {
			s.Fields[i].Index = i
			s.fieldIndex[s.Fields[i].Name] = i
		}
	}
	if err := s.Check(); err != nil {
		return nil, err
	}
	return &s, nil
}

// MustBuild is Build for schemas known at compile time; it panics on error.
func (b *SchemaBuilder) MustBuild() *Schema {
	s, err := b.Build()
	if err != nil {
		panic(err)
	}
	return s
}

// SchemaAndValue pairs a value with its schema (nil for schemaless data).
type SchemaAndValue struct {
	Schema *Schema
	Value  any
}
