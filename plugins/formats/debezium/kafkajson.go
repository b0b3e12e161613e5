package debezium

import (
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
	"github.com/raftconnect/raftconnect/plugins/formats/cdc"
)

// This file reads and writes Kafka's JsonConverter envelope form ({"schema": ..., "payload": ...}
// with schemas.enable=true), which is what debezium-json.schema-include means: the schema part
// describes the payload with Connect types, and logical types are written as JsonConverter writes
// them (Decimal as base64 two's-complement bytes, Date as epoch days, Time and Timestamp as
// milliseconds).

// schemaFromNode converts a JsonConverter schema to a Connect schema.
func schemaFromNode(n *cdc.Node, path string) (*connect.Schema, error) {
	if n.Kind != cdc.Object {
		return nil, fmt.Errorf("schema %s: want an object, got %s", path, n.Kind)
	}
	var typ, name, doc string
	var optional bool
	version := 0
	var params map[string]string
	var fields, items, keys, values, def *cdc.Node
	for i := range n.Members {
		m := &n.Members[i]
		v := &m.Value
		switch m.Key {
		case "type":
			typ = v.Text
		case "optional":
			optional = v.Kind == cdc.True
		case "name":
			if v.Kind == cdc.String {
				name = v.Text
			}
		case "doc":
			if v.Kind == cdc.String {
				doc = v.Text
			}
		case "version":
			if v.Kind == cdc.Number {
				n, err := strconv.Atoi(v.Text)
				if err != nil {
					return nil, fmt.Errorf("schema %s: bad version %q", path, v.Text)
				}
				version = n
			}
		case "parameters":
			if v.Kind == cdc.Object {
				params = make(map[string]string, len(v.Members))
				for _, p := range v.Members {
					params[p.Key] = p.Value.Text
				}
			}
		case "fields":
			fields = v
		case "items":
			items = v
		case "keys":
			keys = v
		case "values":
			values = v
		case "default":
			if v.Kind != cdc.Null {
				def = v
			}
		}
	}
	var b *connect.SchemaBuilder
	switch typ {
	case "int8", "int16", "int32", "int64", "boolean", "string", "bytes":
		b = connect.NewSchemaBuilder(connect.Type(typ))
	case "float", "float32":
		b = connect.NewSchemaBuilder(connect.TypeFloat32)
	case "double", "float64":
		b = connect.NewSchemaBuilder(connect.TypeFloat64)
	case "array":
		if items == nil {
			return nil, fmt.Errorf("schema %s: array without items", path)
		}
		elem, err := schemaFromNode(items, path+"[]")
		if err != nil {
			return nil, err
		}
		b = connect.ArrayOf(elem)
	case "map":
		if keys == nil || values == nil {
			return nil, fmt.Errorf("schema %s: map without keys or values", path)
		}
		ks, err := schemaFromNode(keys, path+"<key>")
		if err != nil {
			return nil, err
		}
		vs, err := schemaFromNode(values, path+"<value>")
		if err != nil {
			return nil, err
		}
		b = connect.MapOf(ks, vs)
	case "struct":
		b = connect.StructBuilder()
		if fields != nil {
			if fields.Kind != cdc.Array {
				return nil, fmt.Errorf("schema %s: fields is not an array", path)
			}
			for i := range fields.Elems {
				f := &fields.Elems[i]
				fn, ok := f.Get("field")
				if !ok || fn.Kind != cdc.String {
					return nil, fmt.Errorf("schema %s: field %d has no name", path, i)
				}
				fs, err := schemaFromNode(f, joinPath(path, fn.Text))
				if err != nil {
					return nil, err
				}
				b.Field(fn.Text, fs)
			}
		}
	case "":
		return nil, fmt.Errorf("schema %s: no type", path)
	default:
		return nil, fmt.Errorf("schema %s: unknown type %q", path, typ)
	}
	if optional {
		b.Optional()
	}
	b.Name(name).Version(version).Doc(doc)
	for k, v := range params {
		b.Parameter(k, v)
	}
	s, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", path, err)
	}
	if s.Name == connect.DecimalName {
		scale, err := connect.DecimalScale(s)
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", path, err)
		}
		if scale > cdc.MaxDecimalScale || scale < -cdc.MaxDecimalScale {
			return nil, fmt.Errorf("schema %s: decimal scale %d out of range ±%d", path, scale, cdc.MaxDecimalScale)
		}
	}
	if def != nil {
		dv, err := valueFromNode(s, def, path+" default")
		if err != nil {
			return nil, err
		}
		// s is new and not shared yet.
		s.Default = dv
		if err := s.Check(); err != nil {
			return nil, fmt.Errorf("schema %s: %w", path, err)
		}
	}
	return s, nil
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// valueFromNode converts a JSON payload value to a Connect value of schema s, as JsonConverter's
// toConnectData does. A null for a required field without a default is an error.
func valueFromNode(s *connect.Schema, n *cdc.Node, path string) (any, error) {
	if n.Kind == cdc.Null {
		if !s.Optional && s.Default == nil {
			return nil, fmt.Errorf("%s: null for a required %s", pathName(path), s.Type)
		}
		return nil, nil
	}
	fail := func() (any, error) {
		return nil, fmt.Errorf("%s: JSON %s does not fit %s", pathName(path), n.Kind, s)
	}
	switch s.Name {
	case connect.DecimalName:
		scale, err := connect.DecimalScale(s)
		if err != nil {
			return nil, err
		}
		switch n.Kind {
		case cdc.String:
			b, err := base64.StdEncoding.DecodeString(n.Text)
			if err != nil {
				return nil, fmt.Errorf("%s: decimal bytes: %w", pathName(path), err)
			}
			return connect.DecimalFromBytes(b, scale), nil
		case cdc.Number: // JsonConverter's decimal.format=NUMERIC
			d, err := formats.ParseDecimalScale(n.Text, scale)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", pathName(path), err)
			}
			return d, nil
		}
		return fail()
	case connect.DateName:
		days, err := intNode(n, 32)
		if err != nil {
			return nil, fmt.Errorf("%s: date: %w", pathName(path), err)
		}
		return connect.DaysToDate(int32(days)), nil
	case connect.TimeName:
		ms, err := intNode(n, 32)
		if err != nil {
			return nil, fmt.Errorf("%s: time: %w", pathName(path), err)
		}
		return connect.MillisToTime(int32(ms)), nil
	case connect.TimestampName:
		ms, err := intNode(n, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: timestamp: %w", pathName(path), err)
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	switch s.Type {
	case connect.TypeInt8, connect.TypeInt16, connect.TypeInt32, connect.TypeInt64:
		bits := 64
		switch s.Type {
		case connect.TypeInt8:
			bits = 8
		case connect.TypeInt16:
			bits = 16
		case connect.TypeInt32:
			bits = 32
		}
		v, err := intNode(n, bits)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pathName(path), err)
		}
		switch s.Type {
		case connect.TypeInt8:
			return int8(v), nil
		case connect.TypeInt16:
			return int16(v), nil
		case connect.TypeInt32:
			return int32(v), nil
		}
		return v, nil
	case connect.TypeFloat32, connect.TypeFloat64:
		bits := 64
		if s.Type == connect.TypeFloat32 {
			bits = 32
		}
		var f float64
		var err error
		switch n.Kind {
		case cdc.Number:
			f, err = strconv.ParseFloat(n.Text, bits)
		case cdc.String:
			switch n.Text {
			case "NaN":
				f = math.NaN()
			case "Infinity":
				f = math.Inf(1)
			case "-Infinity":
				f = math.Inf(-1)
			default:
				return fail()
			}
		default:
			return fail()
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pathName(path), err)
		}
		if bits == 32 {
			return float32(f), nil
		}
		return f, nil
	case connect.TypeBoolean:
		switch n.Kind {
		case cdc.True:
			return true, nil
		case cdc.False:
			return false, nil
		}
		return fail()
	case connect.TypeString:
		if n.Kind != cdc.String {
			return fail()
		}
		return n.Text, nil
	case connect.TypeBytes:
		if n.Kind != cdc.String {
			return fail()
		}
		b, err := base64.StdEncoding.DecodeString(n.Text)
		if err != nil {
			return nil, fmt.Errorf("%s: bytes: %w", pathName(path), err)
		}
		return b, nil
	case connect.TypeArray:
		if n.Kind != cdc.Array {
			return fail()
		}
		out := make([]any, len(n.Elems))
		for i := range n.Elems {
			v, err := valueFromNode(s.ValueSchema, &n.Elems[i], fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case connect.TypeMap:
		return mapFromNode(s, n, path)
	case connect.TypeStruct:
		if n.Kind != cdc.Object {
			return fail()
		}
		return structFromNode(s, n, path)
	}
	return fail()
}

func pathName(path string) string {
	if path == "" {
		return "value"
	}
	return "field " + path
}

func intNode(n *cdc.Node, bits int) (int64, error) {
	if n.Kind != cdc.Number || n.Frac {
		return 0, fmt.Errorf("want an integer, got %s %s", n.Kind, n.Text)
	}
	v, err := strconv.ParseInt(n.Text, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("integer %s does not fit %d bits", n.Text, bits)
	}
	return v, nil
}

func structFromNode(s *connect.Schema, n *cdc.Node, path string) (*connect.Struct, error) {
	st := connect.NewStruct(s)
	for j := range n.Members {
		m := &n.Members[j]
		var f *connect.Field
		if j < len(s.Fields) && s.Fields[j].Name == m.Key {
			f = &s.Fields[j]
		} else if f = s.Field(m.Key); f == nil {
			continue // JsonConverter reads the schema's fields and ignores others
		}
		v, err := valueFromNode(f.Schema, &m.Value, joinPath(path, m.Key))
		if err != nil {
			return nil, err
		}
		if err := st.PutIndex(f.Index, v); err != nil {
			return nil, fmt.Errorf("%s: %w", pathName(path), err)
		}
	}
	for i, f := range s.Fields {
		if st.RawIndex(i) == nil && !f.Schema.Optional && f.Schema.Default == nil {
			return nil, fmt.Errorf("%s: required field missing", pathName(joinPath(path, f.Name)))
		}
	}
	return st, nil
}

func mapFromNode(s *connect.Schema, n *cdc.Node, path string) (any, error) {
	if s.KeySchema.Type == connect.TypeString && n.Kind == cdc.Object {
		out := make(map[string]any, len(n.Members))
		for i := range n.Members {
			v, err := valueFromNode(s.ValueSchema, &n.Members[i].Value, fmt.Sprintf("%s[%q]", path, n.Members[i].Key))
			if err != nil {
				return nil, err
			}
			out[n.Members[i].Key] = v
		}
		return out, nil
	}
	if n.Kind != cdc.Array {
		return nil, fmt.Errorf("%s: JSON %s does not fit %s", pathName(path), n.Kind, s)
	}
	switch s.KeySchema.Type {
	case connect.TypeBytes, connect.TypeArray, connect.TypeMap, connect.TypeStruct:
		// Go map keys must be comparable by value; Kafka allows these but no CDC producer writes them.
		return nil, fmt.Errorf("%s: map keys of type %s are not supported", pathName(path), s.KeySchema.Type)
	}
	out := make(map[any]any, len(n.Elems))
	for i := range n.Elems {
		e := &n.Elems[i]
		if e.Kind != cdc.Array || len(e.Elems) != 2 {
			return nil, fmt.Errorf("%s: map entry %d is not a [key, value] pair", pathName(path), i)
		}
		k, err := valueFromNode(s.KeySchema, &e.Elems[0], fmt.Sprintf("%s<key %d>", path, i))
		if err != nil {
			return nil, err
		}
		v, err := valueFromNode(s.ValueSchema, &e.Elems[1], fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// appendSchemaJSON writes s as JsonConverter does: type, fields/items/keys+values, optional, name,
// version, doc, parameters, default, and field (for struct fields).
func appendSchemaJSON(dst []byte, s *connect.Schema, field string) ([]byte, error) {
	dst = append(dst, `{"type":`...)
	switch s.Type {
	case connect.TypeFloat32:
		dst = append(dst, `"float"`...)
	case connect.TypeFloat64:
		dst = append(dst, `"double"`...)
	default:
		dst = cdc.AppendString(dst, string(s.Type))
	}
	var err error
	switch s.Type {
	case connect.TypeStruct:
		dst = append(dst, `,"fields":[`...)
		for i, f := range s.Fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = appendSchemaJSON(dst, f.Schema, f.Name); err != nil {
				return nil, err
			}
		}
		dst = append(dst, ']')
	case connect.TypeArray:
		dst = append(dst, `,"items":`...)
		if dst, err = appendSchemaJSON(dst, s.ValueSchema, ""); err != nil {
			return nil, err
		}
	case connect.TypeMap:
		dst = append(dst, `,"keys":`...)
		if dst, err = appendSchemaJSON(dst, s.KeySchema, ""); err != nil {
			return nil, err
		}
		dst = append(dst, `,"values":`...)
		if dst, err = appendSchemaJSON(dst, s.ValueSchema, ""); err != nil {
			return nil, err
		}
	}
	dst = append(dst, `,"optional":`...)
	dst = strconv.AppendBool(dst, s.Optional)
	if s.Name != "" {
		dst = append(dst, `,"name":`...)
		dst = cdc.AppendString(dst, s.Name)
	}
	if s.Version != 0 {
		dst = append(dst, `,"version":`...)
		dst = strconv.AppendInt(dst, int64(s.Version), 10)
	}
	if s.Doc != "" {
		dst = append(dst, `,"doc":`...)
		dst = cdc.AppendString(dst, s.Doc)
	}
	if len(s.Parameters) > 0 {
		dst = append(dst, `,"parameters":{`...)
		for i, k := range paramOrder(s.Parameters) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = cdc.AppendString(dst, k)
			dst = append(dst, ':')
			dst = cdc.AppendString(dst, s.Parameters[k])
		}
		dst = append(dst, '}')
	}
	if s.Default != nil {
		dst = append(dst, `,"default":`...)
		if dst, err = appendValueJSON(dst, s, s.Default); err != nil {
			return nil, fmt.Errorf("default of %s: %w", s, err)
		}
	}
	if field != "" {
		dst = append(dst, `,"field":`...)
		dst = cdc.AppendString(dst, field)
	}
	return append(dst, '}'), nil
}

// paramOrder lists parameter names with Decimal's scale first (as Kafka and Debezium insert it),
// the rest sorted.
func paramOrder(p map[string]string) []string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if a == connect.DecimalScaleParameter {
			return -1
		}
		if b == connect.DecimalScaleParameter {
			return 1
		}
		return strings.Compare(a, b)
	})
	return keys
}

// appendValueJSON writes a value of schema s as JsonConverter does.
func appendValueJSON(dst []byte, s *connect.Schema, v any) ([]byte, error) {
	if v == nil {
		return append(dst, "null"...), nil
	}
	switch s.Name {
	case connect.DecimalName:
		d, ok := v.(connect.Decimal)
		if !ok {
			return nil, fmt.Errorf("value %T does not fit %s", v, s)
		}
		scale, err := connect.DecimalScale(s)
		if err != nil {
			return nil, err
		}
		if d, err = d.Rescale(scale); err != nil {
			return nil, err
		}
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, connect.DecimalToBytes(d))
		return append(dst, '"'), nil
	case connect.DateName:
		t, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("value %T does not fit %s", v, s)
		}
		days, err := connect.DateToDays(t)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(dst, int64(days), 10), nil
	case connect.TimeName:
		t, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("value %T does not fit %s", v, s)
		}
		ms, err := connect.TimeToMillis(t)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(dst, int64(ms), 10), nil
	case connect.TimestampName:
		t, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("value %T does not fit %s", v, s)
		}
		return strconv.AppendInt(dst, t.UnixMilli(), 10), nil
	}
	switch s.Type {
	case connect.TypeStruct:
		st, ok := v.(*connect.Struct)
		if !ok {
			return nil, fmt.Errorf("value %T does not fit %s", v, s)
		}
		dst = append(dst, '{')
		for i, f := range st.Schema().Fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = cdc.AppendString(dst, f.Name)
			dst = append(dst, ':')
			var err error
			if dst, err = appendValueJSON(dst, f.Schema, st.RawIndex(i)); err != nil {
				return nil, fmt.Errorf("%s: %w", f.Name, err)
			}
		}
		return append(dst, '}'), nil
	case connect.TypeArray:
		arr, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("value %T does not fit %s", v, s)
		}
		dst = append(dst, '[')
		for i, e := range arr {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendValueJSON(dst, s.ValueSchema, e); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case connect.TypeMap:
		return appendMapValueJSON(dst, s, v)
	case connect.TypeBytes:
		b, ok := v.([]byte)
		if !ok {
			return nil, fmt.Errorf("value %T does not fit %s", v, s)
		}
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, b)
		return append(dst, '"'), nil
	}
	if err := connect.ValidateValue(s, v); err != nil {
		return nil, err
	}
	return cdc.AppendJSON(dst, nil, v, cdc.JSONStyle{})
}

func appendMapValueJSON(dst []byte, s *connect.Schema, v any) ([]byte, error) {
	type entry struct {
		k   []byte
		key any
		val any
	}
	var entries []entry
	switch m := v.(type) {
	case map[string]any:
		for k, e := range m {
			entries = append(entries, entry{[]byte(k), k, e})
		}
	case map[any]any:
		for k, e := range m {
			kb, err := appendValueJSON(nil, s.KeySchema, k)
			if err != nil {
				return nil, err
			}
			entries = append(entries, entry{kb, k, e})
		}
	default:
		return nil, fmt.Errorf("value %T does not fit %s", v, s)
	}
	slices.SortFunc(entries, func(a, b entry) int { return slices.Compare(a.k, b.k) })
	var err error
	if s.KeySchema.Type == connect.TypeString && s.KeySchema.Name == "" {
		dst = append(dst, '{')
		for i, e := range entries {
			if i > 0 {
				dst = append(dst, ',')
			}
			ks, _ := e.key.(string)
			dst = cdc.AppendString(dst, ks)
			dst = append(dst, ':')
			if dst, err = appendValueJSON(dst, s.ValueSchema, e.val); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	}
	dst = append(dst, '[')
	for i, e := range entries {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '[')
		if dst, err = appendValueJSON(dst, s.KeySchema, e.key); err != nil {
			return nil, err
		}
		dst = append(dst, ',')
		if dst, err = appendValueJSON(dst, s.ValueSchema, e.val); err != nil {
			return nil, err
		}
		dst = append(dst, ']')
	}
	return append(dst, ']'), nil
}

// timestampStyle is the JSON style of schemaless Debezium output.
func timestampStyle(f formats.TimestampFormat) cdc.JSONStyle {
	return cdc.JSONStyle{Timestamps: f, KeepDebezium: true}
}
