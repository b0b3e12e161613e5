package cdc

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
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

// FromGo types a schemaless Go value: it returns the schema GoSchema gives v and v converted to
// that schema (formats.Coerce: maps become structs, []string becomes []any, int becomes int64).
func FromGo(v any) (*connect.Schema, any, error) {
	s, err := GoSchema(v)
	if err != nil {
		return nil, nil, err
	}
	cv, err := formats.Coerce(s, v)
	if err != nil {
		return nil, nil, err
	}
	return s, cv, nil
}

// GoValue converts n to schemaless Go values: objects to map[string]any, arrays to []any,
// integers that fit int64 to int64, other numbers to exact connect.Decimals of their written
// scale (never below 0), so that metadata written back keeps every digit. A number whose
// exponent puts it beyond ±1000 digits becomes its text when keepHuge is set, else a float64
// (±Inf or 0).
func (n *Node) GoValue(keepHuge bool) any {
	switch n.Kind {
	case Null:
		return nil
	case True:
		return true
	case False:
		return false
	case String:
		return n.Text
	case Number:
		if !n.Frac {
			if v, err := strconv.ParseInt(n.Text, 10, 64); err == nil {
				return v
			}
		}
		if d, err := connect.ParseDecimal(n.Text); err == nil && d.Scale <= 1000 && d.Scale >= -1000 {
			if d.Scale < 0 {
				d, _ = d.Rescale(0) // exact: a negative scale only adds zeros
			}
			return d
		}
		if keepHuge {
			return n.Text
		}
		f, _ := strconv.ParseFloat(n.Text, 64)
		return f
	case Array:
		out := make([]any, len(n.Elems))
		for i := range n.Elems {
			out[i] = n.Elems[i].GoValue(keepHuge)
		}
		return out
	}
	out := make(map[string]any, len(n.Members))
	for i := range n.Members {
		out[n.Members[i].Key] = n.Members[i].Value.GoValue(keepHuge)
	}
	return out
}
