package connect

import (
	"bytes"
	"fmt"
	"reflect"
	"time"
)

// ValidateValue checks that value fits schema: the Go type matches the schema type (or the
// logical type), required values are present, structs carry the same schema, and elements of
// arrays and maps fit their schemas. A nil schema accepts any schemaless value.
func ValidateValue(s *Schema, value any) error {
	return validateValue(s, value, "")
}

func validateValue(s *Schema, value any, path string) error {
	if s == nil {
		return nil
	}
	if value == nil {
		if s.Optional || s.Default != nil {
			return nil
		}
		return fmt.Errorf("%sinvalid value: null used for required field, schema type: %s", pathPrefix(path), s.Type)
	}
	switch s.Name {
	case DecimalName:
		if _, ok := value.(Decimal); ok {
			return nil
		}
		return typeErr(path, s, value)
	case DateName, TimeName, TimestampName:
		if _, ok := value.(time.Time); ok {
			return nil
		}
		return typeErr(path, s, value)
	}
	switch s.Type {
	case TypeInt8:
		_, ok := value.(int8)
		return okOr(ok, path, s, value)
	case TypeInt16:
		_, ok := value.(int16)
		return okOr(ok, path, s, value)
	case TypeInt32:
		_, ok := value.(int32)
		return okOr(ok, path, s, value)
	case TypeInt64:
		_, ok := value.(int64)
		return okOr(ok, path, s, value)
	case TypeFloat32:
		_, ok := value.(float32)
		return okOr(ok, path, s, value)
	case TypeFloat64:
		_, ok := value.(float64)
		return okOr(ok, path, s, value)
	case TypeBoolean:
		_, ok := value.(bool)
		return okOr(ok, path, s, value)
	case TypeString:
		_, ok := value.(string)
		return okOr(ok, path, s, value)
	case TypeBytes:
		_, ok := value.([]byte)
		return okOr(ok, path, s, value)
	case TypeArray:
		arr, ok := value.([]any)
		if !ok {
			return typeErr(path, s, value)
		}
		for i, e := range arr {
			if err := validateValue(s.ValueSchema, e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case TypeMap:
		switch m := value.(type) {
		case map[string]any:
			for k, v := range m {
				if err := validateValue(s.KeySchema, k, path+"<key>"); err != nil {
					return err
				}
				if err := validateValue(s.ValueSchema, v, fmt.Sprintf("%s[%q]", path, k)); err != nil {
					return err
				}
			}
			return nil
		case map[any]any:
			for k, v := range m {
				if err := validateValue(s.KeySchema, k, path+"<key>"); err != nil {
					return err
				}
				if err := validateValue(s.ValueSchema, v, fmt.Sprintf("%s[%v]", path, k)); err != nil {
					return err
				}
			}
			return nil
		}
		return typeErr(path, s, value)
	case TypeStruct:
		st, ok := value.(*Struct)
		if !ok {
			return typeErr(path, s, value)
		}
		if st.schema != s && !st.schema.Equal(s) {
			return fmt.Errorf("%sstruct schema %s does not match schema %s", pathPrefix(path), st.schema, s)
		}
		return st.validate(path)
	}
	return fmt.Errorf("%sunknown schema type %q", pathPrefix(path), s.Type)
}

func okOr(ok bool, path string, s *Schema, v any) error {
	if ok {
		return nil
	}
	return typeErr(path, s, v)
}

func typeErr(path string, s *Schema, v any) error {
	want := string(s.Type)
	if s.Name != "" {
		want = s.Name
	}
	return fmt.Errorf("%sinvalid Go type %T for schema type %s", pathPrefix(path), v, want)
}

func pathPrefix(path string) string {
	if path == "" {
		return ""
	}
	return "field " + path + ": "
}

// valuesEqual compares Connect values deeply; []byte by content, Decimal numerically.
func valuesEqual(a, b any) bool {
	switch av := a.(type) {
	case []byte:
		bv, ok := b.([]byte)
		return ok && bytes.Equal(av, bv)
	case Decimal:
		bv, ok := b.(Decimal)
		return ok && av.Scale == bv.Scale && av.Cmp(bv) == 0
	case time.Time:
		bv, ok := b.(time.Time)
		return ok && av.Equal(bv)
	case *Struct:
		bv, ok := b.(*Struct)
		return ok && av.Equal(bv)
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for i := range av {
			if !valuesEqual(av[i], bv[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for k, v := range av {
			w, ok := bv[k]
			if !ok || !valuesEqual(v, w) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// ValuesEqual reports whether two Connect values are equal: bytes by content, decimals by value
// and scale, times by instant, structs by schema and fields.
func ValuesEqual(a, b any) bool { return valuesEqual(a, b) }
