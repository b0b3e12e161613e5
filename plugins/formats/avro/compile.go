package avro

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hamba/avro/v2"

	"github.com/raftconnect/raftconnect/connect"
)

type kind uint8

const (
	kNull kind = iota
	kBoolean
	kInt
	kLong
	kFloat
	kDouble
	kBytes
	kString
	kFixed
	kEnum
	kArray
	kMap
	kMapEntries // a Connect map with non-string keys: an array of {key, value} records
	kRecord
	kUnion
)

type logical uint8

const (
	lNone logical = iota
	lDecimal
	lDate
	lTimeMillis
	lTimeMicros
	lTimestampMillis
	lTimestampMicros
)

// node is one position of a compiled schema: how to read and write its Avro binary form and
// which Connect schema and Go values stand for it. Nodes are built once per schema and are
// read-only afterwards except for the record field-mapping cache, which is safe for concurrent
// use.
type node struct {
	kind    kind
	logical logical
	// connect is the Connect schema of decoded values at this position.
	connect *connect.Schema
	// ctype is the Go integer type decoded for an Avro int (int8, int16 or int32).
	ctype connect.Type
	// what names the Avro type in error messages.
	what string

	scale     int32    // decimal
	precision int      // decimal; 0 when the schema gives none
	precLimit *big.Int // decimal: 10^precision, the first unscaled value too wide; nil for none
	size      int      // fixed

	fields   []recField     // record
	fieldIdx map[string]int // record: field index by name

	symbols   []string       // enum
	symbolAny []any          // enum: the symbols boxed once, so decoding one allocates nothing
	symbolIdx map[string]int // enum

	items    *node // array items, map values
	key, val *node // map entries

	branches    []*node // union
	nullIdx     int     // union: index of the null branch or -1
	optional    bool    // union: [null, T] standing for an optional Connect schema
	branchField []int   // general union: Connect field index of each branch (-1 for null)
	fieldBranch []int   // general union: branch of each Connect field

	// minSize is the fewest bytes one value takes; it bounds block counts read from input.
	minSize int

	maps *fieldMaps // record: Connect struct layout → Avro field order
}

type recField struct {
	name       string
	node       *node
	hasDefault bool
	// defaultEnc is the Avro binary form of the field default, written when a value lacks the field.
	defaultEnc []byte
}

// fieldMaps caches, per Connect struct schema, where each Avro field's value is in the struct.
type fieldMaps struct {
	last atomic.Pointer[fieldMap]
	mu   sync.Mutex
	m    map[*connect.Schema]*fieldMap
}

type fieldMap struct {
	schema *connect.Schema
	idx    []int // per Avro field: Connect field index, or -1
}

type compiler struct {
	opts Options
	// active holds the records on the current path: Connect schemas cannot be recursive.
	active map[string]bool
}

// propsOf returns a schema's custom properties (nil when it has none).
func propsOf(s avro.Schema) map[string]any {
	if p, ok := s.(interface{ Props() map[string]any }); ok {
		return p.Props()
	}
	return nil
}

func logicalName(s avro.Schema, props map[string]any) string {
	if l, ok := s.(avro.LogicalTypeSchema); ok && l.Logical() != nil {
		return string(l.Logical().Type())
	}
	lt, _ := props[propLogicalType].(string)
	return lt
}

func deref(s avro.Schema) avro.Schema {
	if r, ok := s.(*avro.RefSchema); ok {
		return r.Schema()
	}
	return s
}

// schemaSpec collects the parts of a Connect schema while its Avro schema is read; build turns
// it into a checked connect.Schema.
type schemaSpec struct {
	typ      connect.Type
	name     string
	version  int
	doc      string
	params   map[string]string
	fields   []connect.Field
	key, val *connect.Schema
	optional bool
}

func (sp *schemaSpec) param(k, v string) {
	if sp.params == nil {
		sp.params = map[string]string{}
	}
	sp.params[k] = v
}

func (sp *schemaSpec) build() (*connect.Schema, error) {
	var b *connect.SchemaBuilder
	switch sp.typ {
	case connect.TypeArray:
		b = connect.ArrayOf(sp.val)
	case connect.TypeMap:
		b = connect.MapOf(sp.key, sp.val)
	default:
		b = connect.NewSchemaBuilder(sp.typ)
	}
	for _, f := range sp.fields {
		b.Field(f.Name, f.Schema)
	}
	if sp.name != "" {
		b.Name(sp.name)
	}
	if sp.version != 0 {
		b.Version(sp.version)
	}
	if sp.doc != "" {
		b.Doc(sp.doc)
	}
	for k, v := range sp.params {
		b.Parameter(k, v)
	}
	if sp.optional {
		b.Optional()
	}
	return b.Build()
}

// compile reads an Avro schema into a node, deriving the Connect schema as Confluent's
// AvroData.toConnectSchema does. forceOptional makes the Connect schema optional (a branch of
// [null, T]); def is the Avro field default when hasDef is set.
func (c *compiler) compile(as avro.Schema, forceOptional bool, def any, hasDef bool) (*node, error) {
	as = deref(as)
	if as.Type() == avro.Union {
		return c.compileUnion(as.(*avro.UnionSchema), forceOptional, def, hasDef)
	}
	props := propsOf(as)
	lt := logicalName(as, props)
	n := &node{nullIdx: -1, what: string(as.Type())}
	var sp schemaSpec
	// logicalFixedName is the Connect name a logical type fixes; an Avro name must agree with it.
	var logicalFixedName string

	marker := func() {
		if lt != "" {
			sp.param(LogicalTypeParameter, lt)
		}
	}
	switch as.Type() {
	case avro.Null:
		return nil, fmt.Errorf("a standalone Avro null schema has no Connect equivalent; use it in a union")
	case avro.Boolean:
		n.kind, n.minSize, sp.typ = kBoolean, 1, connect.TypeBoolean
	case avro.Int:
		n.kind, n.minSize, n.ctype, sp.typ = kInt, 1, connect.TypeInt32, connect.TypeInt32
		switch lt {
		case string(avro.Date):
			n.logical, sp.name, sp.version = lDate, connect.DateName, 1
		case string(avro.TimeMillis):
			n.logical, sp.name, sp.version = lTimeMillis, connect.TimeName, 1
		case "":
			switch ct, _ := props[propConnectType].(string); ct {
			case "":
			case "int8":
				n.ctype, sp.typ = connect.TypeInt8, connect.TypeInt8
			case "int16":
				n.ctype, sp.typ = connect.TypeInt16, connect.TypeInt16
			default:
				return nil, fmt.Errorf("connect.type %q is not valid on an Avro int", ct)
			}
		default:
			marker()
		}
		logicalFixedName = sp.name
	case avro.Long:
		n.kind, n.minSize, sp.typ = kLong, 1, connect.TypeInt64
		switch lt {
		case string(avro.TimestampMillis):
			n.logical, sp.name, sp.version = lTimestampMillis, connect.TimestampName, 1
		case string(avro.TimestampMicros):
			n.logical, sp.name, sp.version = lTimestampMicros, connect.TimestampName, 1
			marker()
		case string(avro.TimeMicros):
			// Connect's Time is an INT32 of milliseconds; the value is a time.Time either way, and
			// the parameter keeps the microsecond encoding.
			n.logical, sp.typ, sp.name, sp.version = lTimeMicros, connect.TypeInt32, connect.TimeName, 1
			marker()
		default:
			marker()
		}
		logicalFixedName = sp.name
	case avro.Float:
		n.kind, n.minSize, sp.typ = kFloat, 4, connect.TypeFloat32
	case avro.Double:
		n.kind, n.minSize, sp.typ = kDouble, 8, connect.TypeFloat64
	case avro.String:
		n.kind, n.minSize, sp.typ = kString, 1, connect.TypeString
		marker()
	case avro.Bytes, avro.Fixed:
		n.kind, n.minSize, sp.typ = kBytes, 1, connect.TypeBytes
		if f, ok := as.(*avro.FixedSchema); ok {
			n.kind, n.size, n.minSize = kFixed, f.Size(), f.Size()
			n.what = "fixed " + f.FullName()
			sp.param(FixedSizeParameter, strconv.Itoa(f.Size()))
		}
		if lt == string(avro.Decimal) {
			if err := c.decimal(as, props, n, &sp); err != nil {
				return nil, err
			}
			logicalFixedName = connect.DecimalName
			if f, ok := as.(*avro.FixedSchema); ok {
				sp.param(paramFixedName, f.FullName())
			}
		} else {
			marker()
		}
	case avro.Array:
		if err := c.array(as.(*avro.ArraySchema), n, &sp); err != nil {
			return nil, err
		}
	case avro.Map:
		vals, err := c.compile(as.(*avro.MapSchema).Values(), false, nil, false)
		if err != nil {
			return nil, fmt.Errorf("map values: %w", err)
		}
		n.kind, n.items, n.minSize = kMap, vals, 1
		sp.typ, sp.key, sp.val = connect.TypeMap, connect.StringSchema, vals.connect
	case avro.Record, avro.Error:
		if err := c.record(as.(*avro.RecordSchema), n, &sp); err != nil {
			return nil, err
		}
	case avro.Enum:
		c.enum(as.(*avro.EnumSchema), n, &sp)
	default:
		return nil, fmt.Errorf("unsupported Avro type %q", as.Type())
	}

	if err := c.metadata(as, props, &sp, hasDef, logicalFixedName); err != nil {
		return nil, err
	}
	sp.optional = forceOptional
	s, err := sp.build()
	if err != nil {
		return nil, fmt.Errorf("Avro %s: %w", n.what, err)
	}
	n.connect = s
	if n.kind == kRecord {
		if err := n.fieldDefaults(); err != nil {
			return nil, err
		}
	}
	if err := n.setDefault(props, def, hasDef); err != nil {
		return nil, fmt.Errorf("Avro %s: default: %w", n.what, err)
	}
	return n, nil
}

func (c *compiler) decimal(as avro.Schema, props map[string]any, n *node, sp *schemaSpec) error {
	var scale, precision int
	hasPrecision := false
	if l, ok := as.(avro.LogicalTypeSchema); ok && l.Logical() != nil {
		d := l.Logical().(*avro.DecimalLogicalSchema)
		scale, precision, hasPrecision = d.Scale(), d.Precision(), true
	} else {
		// A decimal whose scale and precision break the Avro rules (Confluent writes such
		// "legacy" decimals when the scale exceeds the precision): read the properties as
		// Confluent's converter does.
		if v, ok := props[propScale].(float64); ok {
			scale = int(v)
		}
		if v, ok := props[propPrecision]; ok {
			f, isNum := v.(float64)
			if !isNum {
				return fmt.Errorf("decimal precision %v is not a number", v)
			}
			precision, hasPrecision = int(f), true
		}
	}
	if scale < math.MinInt32 || scale > math.MaxInt32 {
		return fmt.Errorf("decimal scale %d out of range", scale)
	}
	n.logical, n.scale = lDecimal, int32(scale)
	if hasPrecision && precision > 0 {
		n.precision = precision
		n.precLimit = new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(precision)), nil)
	}
	sp.name, sp.version = connect.DecimalName, 1
	sp.param(connect.DecimalScaleParameter, strconv.Itoa(scale))
	if hasPrecision && precision != defaultPrecision {
		sp.param(DecimalPrecisionParameter, strconv.Itoa(precision))
	}
	return nil
}

// isMapEntry reports whether an array's item record is Confluent's encoding of a map entry.
func isMapEntry(items avro.Schema) (*avro.RecordSchema, bool) {
	rec, ok := items.(*avro.RecordSchema)
	if !ok {
		return nil, false
	}
	if rec.FullName() == mapEntryFullName {
		return rec, true
	}
	if t, _ := rec.Prop(propInternalType).(string); t == mapEntryName {
		return rec, true
	}
	return nil, false
}

func (c *compiler) array(as *avro.ArraySchema, n *node, sp *schemaSpec) error {
	items := deref(as.Items())
	if rec, ok := isMapEntry(items); ok {
		fs := rec.Fields()
		if len(fs) != 2 || fs[0].Name() != keyField || fs[1].Name() != valueField {
			return fmt.Errorf("array of %s looks like a map encoding but its fields are not [key, value]", rec.FullName())
		}
		k, err := c.compile(fs[0].Type(), false, nil, false)
		if err != nil {
			return fmt.Errorf("map keys: %w", err)
		}
		switch {
		case k.connect.Type == connect.TypeArray || k.connect.Type == connect.TypeMap ||
			(k.connect.Type == connect.TypeBytes && k.logical != lDecimal):
			return fmt.Errorf("map keys of type %s cannot be Go map keys", k.connect.Type)
		}
		v, err := c.compile(fs[1].Type(), false, nil, false)
		if err != nil {
			return fmt.Errorf("map values: %w", err)
		}
		n.kind, n.key, n.val, n.minSize = kMapEntries, k, v, 1
		n.what = "array of " + rec.FullName()
		sp.typ, sp.key, sp.val = connect.TypeMap, k.connect, v.connect
		return nil
	}
	it, err := c.compile(items, false, nil, false)
	if err != nil {
		return fmt.Errorf("array items: %w", err)
	}
	n.kind, n.items, n.minSize = kArray, it, 1
	sp.typ, sp.val = connect.TypeArray, it.connect
	return nil
}

func (c *compiler) record(rs *avro.RecordSchema, n *node, sp *schemaSpec) error {
	full := rs.FullName()
	if c.active[full] {
		return fmt.Errorf("record %s refers to itself; recursive Avro schemas have no Connect equivalent", full)
	}
	c.active[full] = true
	defer delete(c.active, full)
	n.kind, n.what = kRecord, "record "+full
	n.maps = &fieldMaps{}
	n.fieldIdx = make(map[string]int, len(rs.Fields()))
	sp.typ = connect.TypeStruct
	if c.opts.ConnectMetaData && rs.Doc() != "" {
		sp.param(paramRecordDoc, rs.Doc())
	}
	for _, f := range rs.Fields() {
		if c.opts.ConnectMetaData && f.Doc() != "" {
			sp.param(paramFieldDoc+f.Name(), f.Doc())
		}
		fn, err := c.compile(f.Type(), false, f.Default(), f.HasDefault())
		if err != nil {
			return fmt.Errorf("record %s field %q: %w", full, f.Name(), err)
		}
		n.fieldIdx[f.Name()] = len(n.fields)
		n.fields = append(n.fields, recField{name: f.Name(), node: fn, hasDefault: f.HasDefault()})
		sp.fields = append(sp.fields, connect.Field{Name: f.Name(), Schema: fn.connect})
		n.minSize += fn.minSize
	}
	return nil
}

func (c *compiler) enum(es *avro.EnumSchema, n *node, sp *schemaSpec) {
	n.kind, n.minSize, n.what = kEnum, 1, "enum "+es.FullName()
	n.symbols = es.Symbols()
	n.symbolIdx = make(map[string]int, len(n.symbols))
	n.symbolAny = make([]any, len(n.symbols))
	for i, s := range n.symbols {
		n.symbolIdx[s] = i
		n.symbolAny[i] = s
	}
	sp.typ = connect.TypeString
	if c.opts.ConnectMetaData {
		if es.Doc() != "" {
			sp.param(paramEnumDoc+es.Name(), es.Doc())
		}
		if es.HasDefault() {
			sp.param(paramEnumDefault+es.Name(), es.Default())
		}
	}
	sp.param(EnumParameter, es.FullName())
	for _, s := range n.symbols {
		sp.param(EnumParameter+"."+s, s)
	}
	// Go maps forget the order of parameters, and the order of symbols is the encoding.
	sp.param(paramEnumSymbols, strings.Join(n.symbols, ","))
}

// unionMemberName is the Connect field name of a union branch, as Confluent names it.
func (c *compiler) unionMemberName(m avro.Schema) string {
	if ns, ok := m.(avro.NamedSchema); ok {
		if c.opts.EnhancedSchemaSupport {
			return ns.FullName()
		}
		return ns.Name()
	}
	return string(m.Type())
}

func (c *compiler) compileUnion(us *avro.UnionSchema, forceOptional bool, def any, hasDef bool) (*node, error) {
	types := us.Types()
	n := &node{kind: kUnion, nullIdx: -1, minSize: 1, what: "union"}
	if len(types) == 2 && (types[0].Type() == avro.Null || types[1].Type() == avro.Null) {
		inner := 1 - slices.IndexFunc(types, func(s avro.Schema) bool { return s.Type() == avro.Null })
		// The field default belongs to the first branch: pass it on only when that is T.
		var in *node
		var err error
		if inner == 0 {
			in, err = c.compile(types[inner], true, def, hasDef)
		} else {
			in, err = c.compile(types[inner], true, nil, false)
		}
		if err != nil {
			return nil, err
		}
		n.optional, n.nullIdx = true, 1-inner
		n.branches = make([]*node, 2)
		n.branches[n.nullIdx] = &node{kind: kNull, nullIdx: -1, what: "null"}
		n.branches[inner] = in
		n.connect = in.connect
		n.what = "union [null, " + in.what + "]"
		return n, nil
	}
	var sp schemaSpec
	sp.typ, sp.name, sp.optional = connect.TypeStruct, UnionName, forceOptional
	seen := map[string]bool{}
	n.branchField = make([]int, len(types))
	for i, m := range types {
		m = deref(m)
		if m.Type() == avro.Null {
			sp.optional = true
			n.nullIdx = i
			n.branchField[i] = -1
			n.branches = append(n.branches, &node{kind: kNull, nullIdx: -1, what: "null"})
			continue
		}
		name := c.unionMemberName(m)
		if seen[name] {
			return nil, fmt.Errorf("union branches map to the same Connect field name %q", name)
		}
		seen[name] = true
		bn, err := c.compile(m, true, nil, false)
		if err != nil {
			return nil, fmt.Errorf("union branch %s: %w", name, err)
		}
		n.branchField[i] = len(sp.fields)
		n.fieldBranch = append(n.fieldBranch, i)
		n.branches = append(n.branches, bn)
		sp.fields = append(sp.fields, connect.Field{Name: name, Schema: bn.connect})
	}
	s, err := sp.build()
	if err != nil {
		return nil, fmt.Errorf("union: %w", err)
	}
	n.connect = s
	if hasDef && types[0].Type() != avro.Null {
		v, err := n.fromDefault(def)
		if err != nil {
			return nil, fmt.Errorf("union default: %w", err)
		}
		s.Default = v
		if err := connect.ValidateValue(s, v); err != nil {
			return nil, fmt.Errorf("union default: %w", err)
		}
	}
	return n, nil
}

// metadata applies the connect.* properties, the avro* properties and the name, as
// Confluent's toConnectSchema does after the type switch.
func (c *compiler) metadata(as avro.Schema, props map[string]any, sp *schemaSpec, hasDef bool, logicalFixedName string) error {
	if c.opts.ConnectMetaData {
		if d, ok := props[propConnectDoc].(string); ok {
			sp.doc = d
		}
	}
	if v, ok := props[propConnectVersion]; ok {
		f, isNum := v.(float64)
		if !isNum || f != math.Trunc(f) {
			return fmt.Errorf("invalid connect.version %v", v)
		}
		if sp.version != 0 && sp.version != int(f) {
			return fmt.Errorf("connect.version %d differs from the version %d of %s", int(f), sp.version, sp.name)
		}
		sp.version = int(f)
	}
	if c.opts.ConnectMetaData {
		if p, ok := props[propConnectParams]; ok {
			pm, isMap := p.(map[string]any)
			if !isMap {
				return fmt.Errorf("connect.parameters is not a JSON object")
			}
			for k, v := range pm {
				s, isStr := v.(string)
				if !isStr {
					return fmt.Errorf("connect.parameters %q is not a string", k)
				}
				sp.param(k, s)
			}
		}
	}
	for k, v := range props {
		if strings.HasPrefix(k, "avro") {
			if s, ok := v.(string); ok {
				sp.param(k, s)
			} else {
				b, _ := json.Marshal(v)
				sp.param(k, string(b))
			}
		}
	}
	if _, hasConnectDefault := props[propConnectDefault]; hasDef && !hasConnectDefault && c.opts.ConnectMetaData {
		sp.param(paramFieldDefault, "true")
	}
	name, _ := props[propConnectName].(string)
	if name == "" {
		if ns, ok := as.(avro.NamedSchema); ok {
			name = ns.FullName()
		}
	}
	if name != "" && !strings.HasPrefix(name, defaultRecordFull) {
		switch {
		case sp.name == "":
			sp.name = name
		case sp.name != name && logicalFixedName == connect.DecimalName && as.Type() == avro.Fixed:
			// A fixed decimal keeps Connect's Decimal name; fixed.name remembers its own.
		case sp.name != name:
			return fmt.Errorf("name %q differs from the name %q its logical type gives", name, sp.name)
		}
	}
	return nil
}

// setDefault sets the Connect default from the Avro field default, or else from a
// connect.default property.
func (n *node) setDefault(props map[string]any, def any, hasDef bool) error {
	if !hasDef {
		cd, ok := props[propConnectDefault]
		if !ok {
			return nil
		}
		def = cd
	}
	if def == nil {
		return nil
	}
	v, err := n.fromDefault(def)
	if err != nil {
		return err
	}
	if v == nil {
		return nil
	}
	n.connect.Default = v
	return connect.ValidateValue(n.connect, v)
}

// fieldDefaults precomputes the binary form of every record field default.
func (n *node) fieldDefaults() error {
	for i := range n.fields {
		f := &n.fields[i]
		if !f.hasDefault {
			continue
		}
		dv := f.node.connect.Default
		enc, err := f.node.encode(nil, dv)
		if err != nil {
			return fmt.Errorf("field %q: default: %w", f.name, err)
		}
		f.defaultEnc = enc
	}
	return nil
}

// fromDefault converts a default value as hamba parsed it from JSON (or as a connect.default
// property holds it) into the Connect value for this position.
func (n *node) fromDefault(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch n.kind {
	case kBoolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case kInt, kLong, kFloat, kDouble, kString, kEnum:
		// The same conversion as for a schemaless value.
		w, err := n.encode(nil, v)
		if err != nil {
			return nil, err
		}
		return n.decodeOne(w)
	case kBytes, kFixed:
		var raw []byte
		switch x := v.(type) {
		case []byte:
			raw = x
		case string:
			for _, r := range x {
				if r > 255 {
					return nil, fmt.Errorf("bytes default %q has a character above U+00FF", x)
				}
				raw = append(raw, byte(r))
			}
		default:
			rv := reflect.ValueOf(v)
			if rv.Kind() != reflect.Array || rv.Type().Elem().Kind() != reflect.Uint8 {
				return nil, fmt.Errorf("invalid bytes default %v", v)
			}
			raw = make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(raw), rv)
		}
		if n.logical == lDecimal {
			return connect.DecimalFromBytes(raw, n.scale), nil
		}
		return raw, nil
	case kArray:
		arr, ok := v.([]any)
		if !ok {
			break
		}
		out := make([]any, len(arr))
		for i, e := range arr {
			c, err := n.items.fromDefault(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = c
		}
		return out, nil
	case kMap:
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			c, err := n.items.fromDefault(e)
			if err != nil {
				return nil, fmt.Errorf("[%q]: %w", k, err)
			}
			out[k] = c
		}
		return out, nil
	case kMapEntries:
		arr, ok := v.([]any)
		if !ok {
			break
		}
		out := make(map[any]any, len(arr))
		for i, e := range arr {
			var kv, vv any
			switch x := e.(type) {
			case map[string]any:
				kv, vv = x[keyField], x[valueField]
			case []any:
				if len(x) != 2 {
					return nil, fmt.Errorf("[%d]: map entry default needs a key and a value", i)
				}
				kv, vv = x[0], x[1]
			default:
				return nil, fmt.Errorf("[%d]: invalid map entry default %v", i, e)
			}
			k, err := n.key.fromDefault(kv)
			if err != nil {
				return nil, fmt.Errorf("[%d] key: %w", i, err)
			}
			val, err := n.val.fromDefault(vv)
			if err != nil {
				return nil, fmt.Errorf("[%d] value: %w", i, err)
			}
			out[k] = val
		}
		return out, nil
	case kRecord:
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		st := connect.NewStruct(n.connect)
		for i, f := range n.fields {
			fv, present := m[f.name]
			var c any
			var err error
			if present {
				c, err = f.node.fromDefault(fv)
			} else {
				c = f.node.connect.Default
			}
			if err != nil {
				return nil, fmt.Errorf("field %q: %w", f.name, err)
			}
			if c != nil {
				if err := st.PutIndex(i, c); err != nil {
					return nil, err
				}
			}
		}
		return st, nil
	case kUnion:
		first := n.branches[0]
		if first.kind == kNull {
			return nil, nil
		}
		c, err := first.fromDefault(v)
		if err != nil || n.optional {
			return c, err
		}
		st := connect.NewStruct(n.connect)
		if err := st.PutIndex(n.branchField[0], c); err != nil {
			return nil, err
		}
		return st, nil
	}
	return nil, fmt.Errorf("invalid default %v (%T) for Avro %s", v, v, n.what)
}

// decodeOne decodes a single value that must take all of b.
func (n *node) decodeOne(b []byte) (any, error) {
	r := reader{buf: b}
	v, err := n.decode(&r)
	if err != nil {
		return nil, err
	}
	if r.pos != len(b) {
		return nil, r.errorf("%d trailing bytes", len(b)-r.pos)
	}
	return v, nil
}

// mapping returns, for a Connect struct schema, the struct field index of every Avro field.
func (n *node) mapping(s *connect.Schema) (*fieldMap, error) {
	if m := n.maps.last.Load(); m != nil && m.schema == s {
		return m, nil
	}
	n.maps.mu.Lock()
	defer n.maps.mu.Unlock()
	m := n.maps.m[s]
	if m == nil {
		m = &fieldMap{schema: s, idx: make([]int, len(n.fields))}
		used := 0
		for i, f := range n.fields {
			m.idx[i] = -1
			if cf := s.Field(f.name); cf != nil {
				m.idx[i] = cf.Index
				used++
			}
		}
		if used != len(s.Fields) {
			var extra []string
			for _, cf := range s.Fields {
				if !slices.ContainsFunc(n.fields, func(f recField) bool { return f.name == cf.Name }) {
					extra = append(extra, cf.Name)
				}
			}
			sort.Strings(extra)
			return nil, fmt.Errorf("struct fields %s are not in Avro %s", strings.Join(extra, ", "), n.what)
		}
		// Schemas are usually long-lived; a producer that builds a new one per record must
		// not grow this cache without bound.
		if n.maps.m == nil || len(n.maps.m) >= 256 {
			n.maps.m = map[*connect.Schema]*fieldMap{}
		}
		n.maps.m[s] = m
	}
	n.maps.last.Store(m)
	return m, nil
}

// checkPrecision refuses a decimal with more digits than the schema's precision, on both
// sides: a value that decodes can always be written back.
func (n *node) checkPrecision(u *big.Int) error {
	if n.precLimit != nil && u.CmpAbs(n.precLimit) >= 0 {
		return fmt.Errorf("decimal %s has more than %d digits, the precision of Avro %s",
			connect.Decimal{Unscaled: u, Scale: n.scale}, n.precision, n.what)
	}
	return nil
}
