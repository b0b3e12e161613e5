package cdc

import (
	"fmt"
	"slices"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// GoSchema returns an optional schema describing a schemaless Go value: the JSON-like values
// (map[string]any, []any, string, bool, numbers) and Connect's own (Decimal, time.Time as a
// Timestamp, []byte, *connect.Struct). Map keys become struct fields in sorted order.
func GoSchema(v any) (*connect.Schema, error) {
	switch x := v.(type) {
	case nil, string:
		return connect.OptionalStringSchema, nil
	case bool:
		return connect.OptionalBooleanSchema, nil
	case int8:
		return connect.OptionalInt8Schema, nil
	case int16:
		return connect.OptionalInt16Schema, nil
	case int32:
		return connect.OptionalInt32Schema, nil
	case int64, int:
		return connect.OptionalInt64Schema, nil
	case float32:
		return connect.OptionalFloat32Schema, nil
	case float64:
		return connect.OptionalFloat64Schema, nil
	case []byte:
		return connect.OptionalBytesSchema, nil
	case connect.Decimal:
		return connect.DecimalSchema(x.Scale).Optional().Build()
	case time.Time:
		return connect.TimestampSchema().Optional().Build()
	case *connect.Struct:
		return x.Schema(), nil
	case []string:
		return connect.ArrayOf(connect.OptionalStringSchema).Optional().Build()
	case []any:
		var elem *connect.Schema
		for i, e := range x {
			if e == nil {
				continue
			}
			s, err := GoSchema(e)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			if elem == nil {
				elem = s
			} else if !elem.Equal(s) {
				return nil, fmt.Errorf("array mixes %s and %s", elem, s)
			}
		}
		if elem == nil {
			elem = connect.OptionalStringSchema
		}
		return connect.ArrayOf(elem).Optional().Build()
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b := connect.StructBuilder().Optional()
		for _, k := range keys {
			s, err := GoSchema(x[k])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			b.Field(k, s)
		}
		return b.Build()
	}
	return nil, fmt.Errorf("no Connect schema for %T", v)
}

// GoValue converts a schemaless Go value to a value of schema s (one GoSchema returned, or a
// compatible one): maps become structs, []string becomes []any, int becomes int64.
func GoValue(s *connect.Schema, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch s.Type {
	case connect.TypeStruct:
		switch x := v.(type) {
		case *connect.Struct:
			return x, nil
		case map[string]any:
			st := connect.NewStruct(s)
			for k, e := range x {
				f := s.Field(k)
				if f == nil {
					return nil, fmt.Errorf("field %q is not in %s", k, s)
				}
				cv, err := GoValue(f.Schema, e)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", k, err)
				}
				if err := st.PutIndex(f.Index, cv); err != nil {
					return nil, err
				}
			}
			return st, nil
		}
	case connect.TypeArray:
		switch x := v.(type) {
		case []string:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = e
			}
			return out, nil
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				cv, err := GoValue(s.ValueSchema, e)
				if err != nil {
					return nil, fmt.Errorf("element %d: %w", i, err)
				}
				out[i] = cv
			}
			return out, nil
		}
	case connect.TypeInt64:
		if n, ok := v.(int); ok {
			return int64(n), nil
		}
	}
	return v, nil
}

// StructToGo converts a Connect value back to schemaless Go values: structs become
// map[string]any (null fields left out), everything else stays as it is.
func StructToGo(v any) any {
	switch x := v.(type) {
	case *connect.Struct:
		m := make(map[string]any, len(x.Schema().Fields))
		for i, f := range x.Schema().Fields {
			if fv := x.RawIndex(i); fv != nil {
				m[f.Name] = StructToGo(fv)
			}
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = StructToGo(e)
		}
		return out
	}
	return v
}
