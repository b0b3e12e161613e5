package connect

import (
	"fmt"
	"strings"
)

// Struct is a value of a STRUCT schema. Put type-checks every value against its field schema,
// and Validate checks that every required field without a default is set.
type Struct struct {
	schema *Schema
	values []any
}

// NewStruct returns an empty struct of schema s, which must be a STRUCT schema.
func NewStruct(s *Schema) *Struct {
	if s == nil || s.Type != TypeStruct {
		panic(fmt.Sprintf("connect: NewStruct needs a struct schema, got %s", s))
	}
	return &Struct{schema: s, values: make([]any, len(s.Fields))}
}

// Schema returns the struct's schema.
func (st *Struct) Schema() *Schema { return st.schema }

func (st *Struct) index(name string) (int, error) {
	if st.schema.fieldIndex != nil {
		if i, ok := st.schema.fieldIndex[name]; ok {
			return i, nil
		}
	} else {
		for i := range st.schema.Fields {
			if st.schema.Fields[i].Name == name {
				return i, nil
			}
		}
	}
	return -1, fmt.Errorf("%q is not a valid field name of %s", name, st.schema)
}

// Put sets a field after checking value against the field's schema; a nil value clears it.
func (st *Struct) Put(name string, value any) error {
	i, err := st.index(name)
	if err != nil {
		return err
	}
	return st.PutIndex(i, value)
}

// MustPut is Put for values known to fit; it panics on error and returns st for chaining.
func (st *Struct) MustPut(name string, value any) *Struct {
	if err := st.Put(name, value); err != nil {
		panic(err)
	}
	return st
}

// PutIndex sets the i-th field after checking the value.
func (st *Struct) PutIndex(i int, value any) error {
	if i < 0 || i >= len(st.values) {
		return fmt.Errorf("field index %d out of range for %s", i, st.schema)
	}
	f := &st.schema.Fields[i]
	if err := validateValue(f.Schema, value, f.Name); err != nil {
		return err
	}
	st.values[i] = value
	return nil
}

// Get returns a field's value, or the field schema's default if it is unset.
// It returns nil for an unknown field name; use Lookup to tell the two apart.
func (st *Struct) Get(name string) any {
	v, _ := st.Lookup(name)
	return v
}

// Lookup returns a field's value (or its default) and whether the field exists.
func (st *Struct) Lookup(name string) (any, bool) {
	i, err := st.index(name)
	if err != nil {
		return nil, false
	}
	return st.GetIndex(i), true
}

// GetIndex returns the i-th field's value, or its default if unset.
func (st *Struct) GetIndex(i int) any {
	v := st.values[i]
	if v == nil {
		return st.schema.Fields[i].Schema.Default
	}
	return v
}

// RawIndex returns the i-th field's value without applying the default.
func (st *Struct) RawIndex(i int) any { return st.values[i] }

// GetString returns a STRING field's value ("" when null).
func (st *Struct) GetString(name string) string { s, _ := st.Get(name).(string); return s }

// GetInt64 returns an INT64 field's value (0 when null).
func (st *Struct) GetInt64(name string) int64 { v, _ := st.Get(name).(int64); return v }

// GetInt32 returns an INT32 field's value (0 when null).
func (st *Struct) GetInt32(name string) int32 { v, _ := st.Get(name).(int32); return v }

// GetBool returns a BOOLEAN field's value (false when null).
func (st *Struct) GetBool(name string) bool { v, _ := st.Get(name).(bool); return v }

// GetStruct returns a STRUCT field's value (nil when null).
func (st *Struct) GetStruct(name string) *Struct { v, _ := st.Get(name).(*Struct); return v }

// Validate checks that every required field without a default has a value.
func (st *Struct) Validate() error {
	if err := st.check(); err != nil {
		return err.render("")
	}
	return nil
}

func (st *Struct) check() *valueError {
	for i := range st.schema.Fields {
		f := &st.schema.Fields[i]
		if err := checkValue(f.Schema, st.values[i]); err != nil {
			return err.at(f.Name)
		}
	}
	return nil
}

// Equal reports whether two structs have equal schemas and field values.
func (st *Struct) Equal(o *Struct) bool {
	if st == o {
		return true
	}
	if st == nil || o == nil || !st.schema.Equal(o.schema) {
		return false
	}
	for i := range st.values {
		if !valuesEqual(st.values[i], o.values[i]) {
			return false
		}
	}
	return true
}

// String renders the struct like Kafka's Struct.toString: Struct{a=1,b=x}.
func (st *Struct) String() string {
	var b strings.Builder
	b.WriteString("Struct{")
	first := true
	for i, f := range st.schema.Fields {
		if st.values[i] == nil {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		fmt.Fprintf(&b, "%s=%v", f.Name, st.values[i])
	}
	b.WriteByte('}')
	return b.String()
}
