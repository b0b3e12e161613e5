package avro

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
	"github.com/raftconnect/raftconnect/plugins/formats/javatext"
)

// ConnectToAvroJSON writes the Avro schema of a Connect schema as JSON, following Confluent's
// AvroData.fromConnectSchema (property names, union order for optional fields, defaults, the
// ConnectDefault/MapEntry naming) and Avro Java's layout of schema JSON (key order, relative
// namespaces), so that the same Connect schema gives the same schema text here and in Java.
func ConnectToAvroJSON(s *connect.Schema, opts Options) (string, error) {
	if s == nil {
		return "", fmt.Errorf("a schemaless value has no Avro schema; configure one")
	}
	e := &emitter{opts: opts, named: map[string]string{}, active: map[*connect.Schema]bool{}}
	if err := e.schema(s, false); err != nil {
		return "", err
	}
	return string(e.b), nil
}

type emitter struct {
	opts Options
	b    []byte
	// space is the enclosing record's namespace, against which names are written relative.
	space string
	// nameIdx numbers unnamed records ConnectDefault, ConnectDefault2, ...
	nameIdx int
	// named maps every named type written so far to its definition, so that a second use
	// becomes a reference and a conflicting redefinition an error, as in Avro Java.
	named map[string]string
	// reuse maps required Connect schemas already written to the name of their Avro type, as
	// AvroData's schemaMap makes equal Connect schemas share one Avro schema.
	reuse []reuseEntry
	// active guards against Connect schemas that contain themselves.
	active map[*connect.Schema]bool
}

type reuseEntry struct {
	schema *connect.Schema
	name   string
}

type prop struct {
	key string
	raw string // JSON
}

func nonOptional(s *connect.Schema) *connect.Schema {
	if !s.Optional {
		return s
	}
	c := *s
	c.Optional = false
	return &c
}

func isUnionStruct(s *connect.Schema) bool {
	return s.Type == connect.TypeStruct && s.Name == UnionName
}

func (e *emitter) isEnum(s *connect.Schema) bool {
	_, ok := s.Parameters[EnumParameter]
	return e.opts.EnhancedSchemaSupport && s.Type == connect.TypeString && ok
}

func isFixed(s *connect.Schema) bool {
	_, ok := s.Parameters[FixedSizeParameter]
	return s.Type == connect.TypeBytes && s.Name != "" && ok
}

func splitName(full string) (ns, name string) {
	if i := strings.LastIndexByte(full, '.'); i >= 0 {
		return full[:i], full[i+1:]
	}
	return "", full
}

func (e *emitter) nameOrDefault(name string) (ns, short string) {
	if name != "" {
		return splitName(name)
	}
	e.nameIdx++
	if e.nameIdx > 1 {
		return ConfluentNamespace, DefaultRecordName + strconv.Itoa(e.nameIdx)
	}
	return ConfluentNamespace, DefaultRecordName
}

func (e *emitter) schema(s *connect.Schema, ignoreOptional bool) error {
	if e.active[s] {
		return fmt.Errorf("schema %s contains itself", s.Name)
	}
	e.active[s] = true
	defer delete(e.active, s)
	if !s.Type.Valid() {
		return fmt.Errorf("unknown Connect type %q", s.Type)
	}
	if isUnionStruct(s) {
		e.b = append(e.b, '[')
		if s.Optional {
			e.b = append(e.b, `"null"`...)
		}
		for i, f := range s.Fields {
			if i > 0 || s.Optional {
				e.b = append(e.b, ',')
			}
			if err := e.schema(nonOptional(f.Schema), true); err != nil {
				return fmt.Errorf("union member %q: %w", f.Name, err)
			}
		}
		e.b = append(e.b, ']')
		return nil
	}
	if s.Type == connect.TypeStruct && s.Optional && !ignoreOptional {
		// An optional struct is always [null, record]: Avro Java cannot put a record default
		// in front of null, so the struct default does not make it into the union order.
		e.b = append(e.b, `["null",`...)
		if err := e.schema(nonOptional(s), false); err != nil {
			return err
		}
		e.b = append(e.b, ']')
		return nil
	}
	if !s.Optional || ignoreOptional {
		return e.base(s)
	}
	if s.Default != nil {
		e.b = append(e.b, '[')
		if err := e.base(s); err != nil {
			return err
		}
		e.b = append(e.b, `,"null"]`...)
		return nil
	}
	e.b = append(e.b, `["null",`...)
	if err := e.base(s); err != nil {
		return err
	}
	e.b = append(e.b, ']')
	return nil
}

// reference writes a reference to a named type, relative to the current namespace.
func (e *emitter) reference(full string) {
	ns, short := splitName(full)
	if ns == "" || ns == e.space {
		e.b = appendJSONString(e.b, short)
		return
	}
	e.b = appendJSONString(e.b, full)
}

func (e *emitter) reused(s *connect.Schema) bool {
	if s.Optional {
		return false
	}
	for _, r := range e.reuse {
		if r.schema == s || r.schema.Equal(s) {
			e.reference(r.name)
			return true
		}
	}
	return false
}

// define writes a named type's definition, or a reference if an equal definition of that name
// was written before; write emits the definition.
func (e *emitter) define(full string, s *connect.Schema, write func() error) error {
	saved := e.b
	savedNamed := maps.Clone(e.named)
	e.b = nil
	if err := write(); err != nil {
		e.b = saved
		return err
	}
	def := string(e.b)
	e.b = saved
	if prev, ok := savedNamed[full]; ok {
		if prev != def {
			return fmt.Errorf("Avro name %s is defined twice with different definitions", full)
		}
		e.named = savedNamed
		e.reference(full)
	} else {
		e.named[full] = def
		e.b = append(e.b, def...)
	}
	if !s.Optional {
		e.reuse = append(e.reuse, reuseEntry{schema: s, name: full})
	}
	return nil
}

func (e *emitter) writeName(ns, short string) {
	e.b = append(e.b, `"name":`...)
	e.b = appendJSONString(e.b, short)
	if ns != "" {
		if ns != e.space {
			e.b = append(e.b, `,"namespace":`...)
			e.b = appendJSONString(e.b, ns)
		}
	} else if e.space != "" {
		e.b = append(e.b, `,"namespace":""`...)
	}
}

func fullOf(ns, short string) string {
	if ns == "" {
		return short
	}
	return ns + "." + short
}

func (e *emitter) writeProps(props []prop) {
	for _, p := range props {
		e.b = append(e.b, ',')
		e.b = appendJSONString(e.b, p.key)
		e.b = append(e.b, ':')
		e.b = append(e.b, p.raw...)
	}
}

// base writes the non-union Avro schema of s with its properties.
func (e *emitter) base(s *connect.Schema) error {
	if e.reused(s) {
		return nil
	}
	marker := s.Parameters[LogicalTypeParameter]
	var connectType string
	var pre []prop // properties the type itself adds before the connect.* ones
	avroType := ""
	switch s.Type {
	case connect.TypeInt8:
		avroType, connectType = "int", "int8"
	case connect.TypeInt16:
		avroType, connectType = "int", "int16"
	case connect.TypeInt32:
		avroType = "int"
		if s.Name == connect.TimeName && marker == "time-micros" {
			avroType = "long"
		}
	case connect.TypeInt64:
		avroType = "long"
	case connect.TypeFloat32:
		avroType = "float"
	case connect.TypeFloat64:
		avroType = "double"
	case connect.TypeBoolean:
		avroType = "boolean"
	case connect.TypeString:
		if e.isEnum(s) {
			return e.enum(s)
		}
		avroType = "string"
	case connect.TypeBytes:
		if s.Name == connect.DecimalName {
			scale, precision, err := decimalParams(s)
			if err != nil {
				return err
			}
			pre = append(pre, prop{propScale, strconv.Itoa(scale)}, prop{propPrecision, strconv.Itoa(precision)})
		}
		if isFixed(s) {
			return e.fixed(s, pre)
		}
		avroType = "bytes"
	case connect.TypeArray:
		props, err := e.props(s, "")
		if err != nil {
			return err
		}
		e.b = append(e.b, `{"type":"array","items":`...)
		if err := e.schema(s.ValueSchema, false); err != nil {
			return fmt.Errorf("array items: %w", err)
		}
		e.writeProps(props)
		e.b = append(e.b, '}')
		return nil
	case connect.TypeMap:
		return e.mapSchema(s)
	case connect.TypeStruct:
		return e.record(s)
	}
	props, err := e.props(s, connectType)
	if err != nil {
		return err
	}
	props = append(pre, props...)
	if len(props) == 0 {
		e.b = appendJSONString(e.b, avroType)
		return nil
	}
	e.b = append(e.b, `{"type":`...)
	e.b = appendJSONString(e.b, avroType)
	e.writeProps(props)
	e.b = append(e.b, '}')
	return nil
}

func decimalParams(s *connect.Schema) (scale, precision int, err error) {
	sc, err := connect.DecimalScale(s)
	if err != nil {
		return 0, 0, err
	}
	precision = defaultPrecision
	if p, ok := s.Parameters[DecimalPrecisionParameter]; ok {
		precision, err = strconv.Atoi(p)
		if err != nil {
			return 0, 0, fmt.Errorf("decimal schema: invalid %s %q", DecimalPrecisionParameter, p)
		}
	}
	return int(sc), precision, nil
}

// props returns the properties Confluent's fromConnectSchema adds to a base schema, in its order.
func (e *emitter) props(s *connect.Schema, connectType string) ([]prop, error) {
	var out []prop
	marker := s.Parameters[LogicalTypeParameter]
	// Microsecond times and timestamps are written as Avro's own logical types without
	// connect.name: Confluent's converter would read a Timestamp name as milliseconds.
	micros := (s.Name == connect.TimeName || s.Name == connect.TimestampName) &&
		(marker == "time-micros" || marker == "timestamp-micros")
	if e.opts.ConnectMetaData {
		if s.Doc != "" {
			out = append(out, prop{propConnectDoc, string(appendJSONString(nil, s.Doc))})
		}
		if s.Version != 0 && !micros {
			out = append(out, prop{propConnectVersion, strconv.Itoa(s.Version)})
		}
		var keys []string
		for k := range s.Parameters {
			if k != paramFieldDefault && !strings.HasPrefix(k, privatePrefix) {
				keys = append(keys, k)
			}
		}
		if len(keys) > 0 {
			sort.Strings(keys)
			raw := []byte{'{'}
			for i, k := range keys {
				if i > 0 {
					raw = append(raw, ',')
				}
				raw = appendJSONString(raw, k)
				raw = append(raw, ':')
				raw = appendJSONString(raw, s.Parameters[k])
			}
			out = append(out, prop{propConnectParams, string(append(raw, '}'))})
		}
		if _, fromField := s.Parameters[paramFieldDefault]; s.Default != nil && !fromField {
			raw, err := defaultJSON(nil, s, s.Default)
			if err != nil {
				return nil, fmt.Errorf("default of %s: %w", s, err)
			}
			out = append(out, prop{propConnectDefault, string(raw)})
		}
		if s.Name != "" && !micros {
			out = append(out, prop{propConnectName, string(appendJSONString(nil, s.Name))})
		}
		if connectType != "" {
			out = append(out, prop{propConnectType, `"` + connectType + `"`})
		}
	}
	lt := ""
	switch {
	case marker != "":
		lt = marker
	case s.Name == connect.DecimalName:
		lt = "decimal"
	case s.Name == connect.TimeName:
		lt = "time-millis"
	case s.Name == connect.TimestampName:
		lt = "timestamp-millis"
	case s.Name == connect.DateName:
		lt = "date"
	}
	if lt != "" {
		out = append(out, prop{propLogicalType, `"` + lt + `"`})
	}
	var avroKeys []string
	for k := range s.Parameters {
		if strings.HasPrefix(k, "avro") {
			avroKeys = append(avroKeys, k)
		}
	}
	sort.Strings(avroKeys)
	for _, k := range avroKeys {
		out = append(out, prop{k, string(appendJSONString(nil, s.Parameters[k]))})
	}
	return out, nil
}

func (e *emitter) enum(s *connect.Schema) error {
	_, short := e.nameOrDefault(s.Name)
	full := s.Parameters[EnumParameter]
	ns, name := splitName(full)
	var symbols []string
	if list, ok := s.Parameters[paramEnumSymbols]; ok {
		symbols = strings.Split(list, ",")
	}
	prefix := EnumParameter + "."
	var fromParams []string
	for k := range s.Parameters {
		if strings.HasPrefix(k, prefix) {
			fromParams = append(fromParams, k[len(prefix):])
		}
	}
	sort.Strings(fromParams)
	if sorted := slices.Sorted(slices.Values(symbols)); !slices.Equal(sorted, fromParams) {
		// Without our ordered list (a schema built by hand or in Java) the best order left is
		// the sorted one.
		symbols = fromParams
	}
	if len(symbols) == 0 {
		return fmt.Errorf("enum %s has no symbols", full)
	}
	props, err := e.props(s, "")
	if err != nil {
		return err
	}
	return e.define(fullOf(ns, name), s, func() error {
		e.b = append(e.b, `{"type":"enum",`...)
		e.writeName(ns, name)
		if doc := s.Parameters[paramEnumDoc+short]; doc != "" {
			e.b = append(e.b, `,"doc":`...)
			e.b = appendJSONString(e.b, doc)
		}
		e.b = append(e.b, `,"symbols":[`...)
		for i, sym := range symbols {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.b = appendJSONString(e.b, sym)
		}
		e.b = append(e.b, ']')
		e.writeProps(props)
		if def, ok := s.Parameters[paramEnumDefault+short]; ok {
			e.b = append(e.b, `,"default":`...)
			e.b = appendJSONString(e.b, def)
		}
		e.b = append(e.b, '}')
		return nil
	})
}

func (e *emitter) fixed(s *connect.Schema, pre []prop) error {
	size, err := strconv.Atoi(s.Parameters[FixedSizeParameter])
	if err != nil || size < 0 {
		return fmt.Errorf("invalid %s %q", FixedSizeParameter, s.Parameters[FixedSizeParameter])
	}
	ns, name := e.nameOrDefault(s.Name)
	if fn := s.Parameters[paramFixedName]; fn != "" {
		ns, name = splitName(fn)
	}
	props, err := e.props(s, "")
	if err != nil {
		return err
	}
	props = append(pre, props...)
	return e.define(fullOf(ns, name), s, func() error {
		e.b = append(e.b, `{"type":"fixed",`...)
		e.writeName(ns, name)
		e.b = append(e.b, `,"size":`...)
		e.b = strconv.AppendInt(e.b, int64(size), 10)
		e.writeProps(props)
		e.b = append(e.b, '}')
		return nil
	})
}

func (e *emitter) mapSchema(s *connect.Schema) error {
	if s.KeySchema == nil || s.ValueSchema == nil {
		return fmt.Errorf("map schema needs key and value schemas")
	}
	props, err := e.props(s, "")
	if err != nil {
		return err
	}
	if s.KeySchema.Type == connect.TypeString && !s.KeySchema.Optional {
		e.b = append(e.b, `{"type":"map","values":`...)
		if err := e.schema(s.ValueSchema, false); err != nil {
			return fmt.Errorf("map values: %w", err)
		}
		e.writeProps(props)
		e.b = append(e.b, '}')
		return nil
	}
	// Avro maps have string keys: other keys become an array of key/value records.
	ns, name := ConfluentNamespace, mapEntryName
	var entryProps []prop
	if s.Name != "" {
		ns, name = e.nameOrDefault(s.Name)
		entryProps = []prop{{propInternalType, `"` + mapEntryName + `"`}}
	}
	e.b = append(e.b, `{"type":"array","items":`...)
	err = e.define(fullOf(ns, name), &connect.Schema{Type: connect.TypeStruct, Optional: true}, func() error {
		e.b = append(e.b, `{"type":"record",`...)
		e.writeName(ns, name)
		saved := e.space
		e.space = ns
		defer func() { e.space = saved }()
		e.b = append(e.b, `,"fields":[`...)
		if err := e.field(keyField, s.KeySchema, ""); err != nil {
			return fmt.Errorf("map keys: %w", err)
		}
		e.b = append(e.b, ',')
		if err := e.field(valueField, s.ValueSchema, ""); err != nil {
			return fmt.Errorf("map values: %w", err)
		}
		e.b = append(e.b, ']')
		e.writeProps(entryProps)
		e.b = append(e.b, '}')
		return nil
	})
	if err != nil {
		return err
	}
	e.writeProps(props)
	e.b = append(e.b, '}')
	return nil
}

func (e *emitter) record(s *connect.Schema) error {
	ns, name := e.nameOrDefault(s.Name)
	props, err := e.props(s, "")
	if err != nil {
		return err
	}
	return e.define(fullOf(ns, name), s, func() error {
		e.b = append(e.b, `{"type":"record",`...)
		e.writeName(ns, name)
		saved := e.space
		e.space = ns
		defer func() { e.space = saved }()
		if doc := s.Parameters[paramRecordDoc]; doc != "" {
			e.b = append(e.b, `,"doc":`...)
			e.b = appendJSONString(e.b, doc)
		}
		e.b = append(e.b, `,"fields":[`...)
		for i, f := range s.Fields {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			if f.Schema == nil {
				return fmt.Errorf("field %q has no schema", f.Name)
			}
			if err := e.field(f.Name, f.Schema, s.Parameters[paramFieldDoc+f.Name]); err != nil {
				return fmt.Errorf("field %q: %w", f.Name, err)
			}
		}
		e.b = append(e.b, ']')
		e.writeProps(props)
		e.b = append(e.b, '}')
		return nil
	})
}

// field writes a record field as Confluent's addAvroRecordField does: the schema's default
// becomes the field default, an optional field without one defaults to null, and a default
// Avro would reject is left out.
func (e *emitter) field(name string, s *connect.Schema, doc string) error {
	e.b = append(e.b, `{"name":`...)
	e.b = appendJSONString(e.b, name)
	e.b = append(e.b, `,"type":`...)
	if err := e.schema(s, false); err != nil {
		return err
	}
	if doc != "" {
		e.b = append(e.b, `,"doc":`...)
		e.b = appendJSONString(e.b, doc)
	}
	switch {
	case s.Default != nil && fieldDefaultValid(s):
		raw, err := defaultJSON(nil, s, s.Default)
		if err != nil {
			return fmt.Errorf("default: %w", err)
		}
		e.b = append(e.b, `,"default":`...)
		e.b = append(e.b, raw...)
	case s.Default == nil && s.Optional:
		e.b = append(e.b, `,"default":null`...)
	}
	e.b = append(e.b, '}')
	return nil
}

// fieldDefaultValid reports whether Avro accepts the schema's default as a field default; Avro
// Java rejects the others and Confluent then writes the field without one.
func fieldDefaultValid(s *connect.Schema) bool {
	switch {
	case isUnionStruct(s):
		// The default must fit the first branch: null for an optional union, else the first member.
		st, ok := s.Default.(*connect.Struct)
		return !s.Optional && ok && len(s.Fields) > 0 && st.GetIndex(0) != nil
	case s.Type == connect.TypeStruct && s.Optional:
		// [null, record]: only null fits.
		return false
	case s.Type == connect.TypeMap && !(s.KeySchema.Type == connect.TypeString && !s.KeySchema.Optional):
		// Confluent writes [[key, value], ...], which is no array of records.
		m, _ := s.Default.(map[any]any)
		ms, _ := s.Default.(map[string]any)
		return len(m) == 0 && len(ms) == 0
	}
	return true
}

// defaultJSON writes a Connect value as the JSON of an Avro default, as Confluent's
// defaultValueFromConnect does.
func defaultJSON(b []byte, s *connect.Schema, v any) ([]byte, error) {
	if v == nil {
		return append(b, "null"...), nil
	}
	marker := s.Parameters[LogicalTypeParameter]
	switch s.Name {
	case connect.DecimalName:
		d, ok := v.(connect.Decimal)
		if !ok {
			return nil, fmt.Errorf("decimal default is %T", v)
		}
		scale, err := connect.DecimalScale(s)
		if err != nil {
			return nil, err
		}
		if d, err = d.Rescale(scale); err != nil {
			return nil, err
		}
		return appendLatin1(b, connect.DecimalToBytes(d)), nil
	case connect.DateName, connect.TimeName, connect.TimestampName:
		t, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("%s default is %T", s.Name, v)
		}
		switch {
		case s.Name == connect.DateName:
			d, err := connect.DateToDays(t)
			if err != nil {
				return nil, err
			}
			return strconv.AppendInt(b, int64(d), 10), nil
		case marker == "time-micros":
			return strconv.AppendInt(b, t.UnixMicro(), 10), nil
		case s.Name == connect.TimeName:
			ms, err := connect.TimeToMillis(t)
			if err != nil {
				return nil, err
			}
			return strconv.AppendInt(b, int64(ms), 10), nil
		case marker == "timestamp-micros":
			return strconv.AppendInt(b, t.UnixMicro(), 10), nil
		}
		return strconv.AppendInt(b, t.UnixMilli(), 10), nil
	}
	switch x := v.(type) {
	case int8:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case float32:
		return appendJavaFloat(b, float64(x), 32)
	case float64:
		return appendJavaFloat(b, x, 64)
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		return appendJSONString(b, x), nil
	case []byte:
		return appendLatin1(b, x), nil
	case []any:
		b = append(b, '[')
		for i, el := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = defaultJSON(b, s.ValueSchema, el); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		if s.KeySchema != nil && s.KeySchema.Type == connect.TypeString && !s.KeySchema.Optional {
			keys := slices.Sorted(maps.Keys(x))
			b = append(b, '{')
			for i, k := range keys {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendJSONString(b, k)
				b = append(b, ':')
				var err error
				if b, err = defaultJSON(b, s.ValueSchema, x[k]); err != nil {
					return nil, err
				}
			}
			return append(b, '}'), nil
		}
		m := make(map[any]any, len(x))
		for k, el := range x {
			m[k] = el
		}
		return defaultPairs(b, s, m)
	case map[any]any:
		return defaultPairs(b, s, x)
	case *connect.Struct:
		if isUnionStruct(s) {
			if len(s.Fields) == 0 {
				return append(b, "null"...), nil
			}
			return defaultJSON(b, s.Fields[0].Schema, x.GetIndex(0))
		}
		b = append(b, '{')
		for i, f := range s.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, f.Name)
			b = append(b, ':')
			var err error
			if b, err = defaultJSON(b, f.Schema, x.GetIndex(i)); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	return nil, fmt.Errorf("cannot write %T as an Avro default", v)
}

// defaultPairs writes a map with non-string keys as [[key, value], ...], sorted for stable text.
func defaultPairs(b []byte, s *connect.Schema, m map[any]any) ([]byte, error) {
	type pair struct{ k, v []byte }
	pairs := make([]pair, 0, len(m))
	for k, v := range m {
		kb, err := defaultJSON(nil, s.KeySchema, k)
		if err != nil {
			return nil, err
		}
		vb, err := defaultJSON(nil, s.ValueSchema, v)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, pair{kb, vb})
	}
	slices.SortFunc(pairs, func(a, c pair) int { return strings.Compare(string(a.k), string(c.k)) })
	b = append(b, '[')
	for i, p := range pairs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = append(b, p.k...)
		b = append(b, ',')
		b = append(b, p.v...)
		b = append(b, ']')
	}
	return append(b, ']'), nil
}

// appendLatin1 writes bytes as Avro's JSON form of a bytes default: one character per byte.
func appendLatin1(b, raw []byte) []byte {
	var sb strings.Builder
	for _, c := range raw {
		sb.WriteRune(rune(c))
	}
	return appendJSONString(b, sb.String())
}

// appendJavaFloat writes a number the way Java's Double.toString does (1.0, 1.5E10), so
// defaults read the same as in schemas Confluent's converter registers.
func appendJavaFloat(b []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("%v cannot be written as a JSON default", f)
	}
	if bits == 32 {
		return javatext.AppendFloat(b, float32(f)), nil
	}
	return javatext.AppendDouble(b, f), nil
}

// appendJSONString quotes s as Jackson does: quotes, backslashes and control characters are
// escaped, everything else (including non-ASCII) is written as is.
func appendJSONString(b []byte, s string) []byte {
	return formats.AppendQuoted(b, s, formats.QuoteNamedControls)
}
