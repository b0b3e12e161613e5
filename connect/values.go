package connect

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"time"
)

// ValidateValue checks that value fits schema: the Go type matches the schema type (or the
// logical type), required values are present, structs carry the same schema, and elements of
// arrays and maps fit their schemas. A nil schema accepts any schemaless value.
func ValidateValue(s *Schema, value any) error {
	return validateValue(s, value, "")
}

// validateValue validates and, only when it fails, renders where: the hot path (a valid
// value) builds no path strings.
func validateValue(s *Schema, value any, path string) error {
	if err := checkValue(s, value); err != nil {
		return err.render(path)
	}
	return nil
}

// valueError is a validation failure with the path to it, collected while unwinding.
type valueError struct {
	segs []string // innermost last when rendered: built in reverse while unwinding
	msg  string
}

func (e *valueError) at(seg string) *valueError {
	e.segs = append(e.segs, seg)
	return e
}

func (e *valueError) render(base string) error {
	path := base
	for i := len(e.segs) - 1; i >= 0; i-- {
		seg := e.segs[i]
		if path != "" && seg != "" && seg[0] != '[' && seg[0] != '<' {
			path += "."
		}
		path += seg
	}
	return errors.New(pathPrefix(path) + e.msg)
}

func checkValue(s *Schema, value any) *valueError {
	if s == nil {
		return nil
	}
	if value == nil {
		if s.Optional || s.Default != nil {
			return nil
		}
		return &valueError{msg: fmt.Sprintf("invalid value: null used for required field, schema type: %s", s.Type)}
	}
	switch s.Name {
	case DecimalName:
		if _, ok := value.(Decimal); ok {
			return nil
		}
		return typeErr(s, value)
	case DateName, TimeName, TimestampName:
		if _, ok := value.(time.Time); ok {
			return nil
		}
		return typeErr(s, value)
	}
	var ok bool
	switch s.Type {
	case TypeInt8:
		_, ok = value.(int8)
	case TypeInt16:
		_, ok = value.(int16)
	case TypeInt32:
		_, ok = value.(int32)
	case TypeInt64:
		_, ok = value.(int64)
	case TypeFloat32:
		_, ok = value.(float32)
	case TypeFloat64:
		_, ok = value.(float64)
	case TypeBoolean:
		_, ok = value.(bool)
	case TypeString:
		_, ok = value.(string)
	case TypeBytes:
		_, ok = value.([]byte)
	case TypeArray:
		arr, isArr := value.([]any)
		if !isArr {
			return typeErr(s, value)
		}
		for i, e := range arr {
			if err := checkValue(s.ValueSchema, e); err != nil {
				return err.at("[" + strconv.Itoa(i) + "]")
			}
		}
		return nil
	case TypeMap:
		switch m := value.(type) {
		case map[string]any:
			for k, v := range m {
				if err := checkValue(s.KeySchema, k); err != nil {
					return err.at("<key>")
				}
				if err := checkValue(s.ValueSchema, v); err != nil {
					return err.at("[" + strconv.Quote(k) + "]")
				}
			}
			return nil
		case map[any]any:
			for k, v := range m {
				if err := checkValue(s.KeySchema, k); err != nil {
					return err.at("<key>")
				}
				if err := checkValue(s.ValueSchema, v); err != nil {
					return err.at(fmt.Sprintf("[%v]", k))
				}
			}
			return nil
		}
		return typeErr(s, value)
	case TypeStruct:
		st, isStruct := value.(*Struct)
		if !isStruct {
			return typeErr(s, value)
		}
		if st.schema != s && !st.schema.Equal(s) {
			return &valueError{msg: fmt.Sprintf("struct schema %s does not match schema %s", st.schema, s)}
		}
		return st.check()
	default:
		return &valueError{msg: fmt.Sprintf("unknown schema type %q", s.Type)}
	}
	if ok {
		return nil
	}
	return typeErr(s, value)
}

func typeErr(s *Schema, v any) *valueError {
	want := string(s.Type)
	if s.Name != "" {
		want = s.Name
	}
	return &valueError{msg: fmt.Sprintf("invalid Go type %T for schema type %s", v, want)}
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
