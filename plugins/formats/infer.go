package formats

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// ChangeKind says what a SchemaChange did.
type ChangeKind uint8

// Schema change kinds, as Flink CDC's schema change events name them.
const (
	CreateTable     ChangeKind = iota + 1 // the first schema
	AddColumn                             // a new optional column at the end
	AlterColumnType                       // a column widened, or became optional
)

// String names the kind.
func (k ChangeKind) String() string {
	switch k {
	case CreateTable:
		return "CREATE TABLE"
	case AddColumn:
		return "ADD COLUMN"
	case AlterColumnType:
		return "ALTER COLUMN TYPE"
	}
	return fmt.Sprintf("ChangeKind(%d)", uint8(k))
}

// SchemaChange is one change an observation made to an inferred schema.
type SchemaChange struct {
	Kind ChangeKind
	// Column is the dotted path of the column ("address.city"); empty for CreateTable.
	Column string
	// Old is the column's schema before the change (nil for CreateTable and AddColumn); New is
	// the column's (or for CreateTable the table's) schema after it.
	Old, New *connect.Schema
}

// String renders the change like DDL: "ADD COLUMN tags ARRAY<STRING>".
func (c SchemaChange) String() string {
	switch c.Kind {
	case CreateTable:
		return "CREATE TABLE (" + FormatColumns(c.New) + ")"
	case AddColumn:
		return "ADD COLUMN " + c.Column + " " + FormatType(c.New)
	case AlterColumnType:
		return "ALTER COLUMN " + c.Column + " TYPE " + FormatType(c.New) + " (was " + FormatType(c.Old) + ")"
	}
	return c.Kind.String()
}

// InferOptions configures an Inferrer.
type InferOptions struct {
	// Name is the name of the inferred STRUCT schema (for example "db.table"); may be empty.
	Name string
	// Initial is the schema to start from (Flink's scan.value.initial-schemas.ddls); nil starts
	// empty. It must be a STRUCT schema.
	Initial *connect.Schema
	// Static keeps the schema as it is after the first observation, or Initial if given (Flink's
	// schema.inference.strategy=static): values are converted to it, fields it lacks dropped.
	Static bool
	// PrimitiveAsString infers every scalar as STRING (json.infer-schema.primitive-as-string).
	PrimitiveAsString bool
}

// Inferrer derives one schema from a stream of schemaless values (JSON without a schema, CDC
// rows), widening it as values disagree, by the rules of Flink's Kafka pipeline connector (seed
// 000, "Schema解析和Schema變更"), which are those of Flink CDC's SchemaMergingUtils:
//
//   - a field the schema lacks is appended at the end as an optional column (fields new in one
//     value are appended in name order, since a Go map has none);
//   - a field the value lacks stays in the schema and reads as null; a field seen only as null
//     is not added until it has a value (its type is unknown until then);
//   - a field whose types differ widens to their nearest common parent in the lattice below.
//
// The lattice, as each type's ancestors from nearest to farthest; the nearest common parent of
// a and b is the first of a and its ancestors that is b or one of b's:
//
//	INT8      INT16, INT32, INT64, DECIMAL, FLOAT32, FLOAT64, STRING
//	INT16     INT32, INT64, DECIMAL, FLOAT32, FLOAT64, STRING
//	INT32     INT64, DECIMAL, FLOAT64, STRING
//	INT64     DECIMAL, FLOAT64, STRING
//	FLOAT32   FLOAT64, STRING
//	DATE      TIMESTAMP, STRING
//	others    STRING (FLOAT64, DECIMAL, BOOLEAN, BYTES, TIME, TIMESTAMP, ARRAY, MAP, STRUCT)
//
// So INT32 ∪ INT64 is INT64, INT32 ∪ FLOAT32 is FLOAT64, INT64 ∪ FLOAT64 is FLOAT64. DECIMAL has
// refinements: DECIMAL(p1,s1) ∪ DECIMAL(p2,s2) keeps every integer and fraction digit,
// DECIMAL(max(p1-s1,p2-s2)+max(s1,s2), max(s1,s2)); DECIMAL(p,s) ∪ an integer type of d digits
// (3, 5, 10, 19) is DECIMAL(max(p, s+d), s); a DECIMAL over 38 digits, and DECIMAL ∪ FLOAT, is
// STRING, because neither holds the other exactly. ARRAY ∪ ARRAY, MAP ∪ MAP and STRUCT ∪ STRUCT
// widen element-, value- and field-wise (Flink makes them STRING; widening inside keeps the
// structure and still holds every value).
//
// Every change yields a SchemaChange and a new schema version; Convert turns values into the
// widened schema with Coerce (an INT32 into INT64, anything into its text for STRING).
//
// Go values map to types as follows: bool BOOLEAN; int8, int16, int32, int64 themselves; int and
// uint32 INT64, uint8 INT16, uint16 INT32, uint64 INT64 or DECIMAL(20,0); float32 FLOAT32, float64
// FLOAT64; json.Number INT64 when integral (DECIMAL(p,0) beyond INT64), otherwise FLOAT64; string
// STRING (text is never guessed to be a date); []byte BYTES; connect.Decimal DECIMAL; time.Time
// TIMESTAMP; []any ARRAY; map[string]any STRUCT; map[any]any MAP; *connect.Struct its schema.
//
// An Inferrer is not safe for concurrent use: give each table (or task) its own.
type Inferrer struct {
	opts InferOptions
	// base is the schema the inferrer started from: opts.Initial, or the schema of the first
	// typed row. Widened schemas keep its name, doc and optionality.
	base *connect.Schema
	// fallbackName names the schema when neither opts.Name nor base does (TableInferrer's
	// "database.table").
	fallbackName string
	root         *node
	schema       *connect.Schema
	version      int
	// lastFit is the schema of the last *connect.Struct observed: typed rows of one table share
	// their schema pointer, so this skips re-checking it row after row.
	lastFit *connect.Schema
}

// NewInferrer returns an inferrer; with opts.Initial it starts from that schema.
func NewInferrer(opts InferOptions) (*Inferrer, error) {
	inf := &Inferrer{opts: opts}
	if opts.Initial != nil {
		if opts.Initial.Type != connect.TypeStruct {
			return nil, fmt.Errorf("initial schema must be a STRUCT, got %s", opts.Initial)
		}
		inf.root = nodeFromSchema(opts.Initial)
		inf.version = max(opts.Initial.Version, 1)
		inf.schema = opts.Initial
		inf.base = opts.Initial
	}
	return inf, nil
}

// Schema returns the current schema, nil before the first observation (without Initial).
func (inf *Inferrer) Schema() *connect.Schema { return inf.schema }

// Observe widens the schema so that it holds value (a map[string]any, or a *connect.Struct whose
// schema is observed) and returns the schema and the changes this value caused, none if it
// already fitted. Each change bumps the schema's Version. A value of an unsupported Go type is an
// error and changes nothing.
//
// A typed row (*connect.Struct) declares its columns' types, null or not, and the first one
// becomes the schema as it is (required columns, names and parameters included), so that rows
// of a schema that never changes pass through unchanged. One exception: CDC decoders that infer
// types from one message's JSON type a column they have seen only as null as the shared
// connect.OptionalStringSchema, so a null in a field of exactly that schema says nothing about
// the column — it neither adds nor widens one.
func (inf *Inferrer) Observe(value any) (*connect.Schema, []SchemaChange, error) {
	st, isStruct := value.(*connect.Struct)
	if inf.root == nil && isStruct && !hasUntypedNull(st) {
		s := st.Schema()
		if s.Type != connect.TypeStruct {
			return nil, nil, fmt.Errorf("a row must be a STRUCT, got %s", s)
		}
		inf.root, inf.base, inf.schema, inf.lastFit = nodeFromSchema(s), s, s, s
		inf.version = max(s.Version, 1)
		return s, []SchemaChange{{Kind: CreateTable, New: s}}, nil
	}
	if inf.root != nil {
		if inf.opts.Static || isStruct && st.Schema() == inf.lastFit || inf.fits(inf.root, value, nil) {
			if isStruct {
				inf.lastFit = st.Schema()
			}
			return inf.schema, nil, nil
		}
	}
	if isStruct {
		defer func() { inf.lastFit = st.Schema() }()
	}
	var vn *node
	if isStruct {
		vn = rowNode(st)
	} else {
		var err error
		if vn, err = inf.nodeOf(value, nil); err != nil {
			return inf.schema, nil, err
		}
	}
	if vn.kind != kStruct {
		return inf.schema, nil, fmt.Errorf("a row must be an object, got %T", value)
	}
	var changes []SchemaChange
	if inf.root == nil {
		vn.dropNulls()
		vn.required = true
		if isStruct {
			inf.base = st.Schema()
		}
		inf.root = vn
		inf.version = 1
		inf.schema = inf.build()
		return inf.schema, []SchemaChange{{Kind: CreateTable, New: inf.schema}}, nil
	}
	inf.root.mergeStruct(vn, "", &changes)
	if len(changes) == 0 {
		return inf.schema, nil, nil
	}
	inf.version++
	inf.schema = inf.build()
	return inf.schema, changes, nil
}

// Convert returns value (a map[string]any or *connect.Struct) as a struct of the current schema,
// converting each field with Coerce; fields the schema lacks are dropped. Call it after Observe.
func (inf *Inferrer) Convert(value any) (*connect.Struct, error) {
	if inf.schema == nil {
		return nil, fmt.Errorf("no schema inferred yet")
	}
	switch v := value.(type) {
	case map[string]any:
		return ToStruct(inf.schema, v)
	case *connect.Struct:
		if v.Schema() == inf.schema {
			return v, nil
		}
		return structFromStruct(inf.schema, v)
	}
	return nil, fmt.Errorf("a row must be an object, got %T", value)
}

func (inf *Inferrer) build() *connect.Schema {
	b := connect.StructBuilder().Version(inf.version)
	name := inf.opts.Name
	if base := inf.base; base != nil {
		// The name stays what it was: a record renamed is a new type to an Avro reader.
		if name == "" {
			name = base.Name
		}
		b.Doc(base.Doc)
		if base.Optional {
			b.Optional()
		}
	} else if name == "" {
		name = inf.fallbackName
	}
	b.Name(name)
	for _, f := range inf.root.fields {
		b.Field(f.name, f.n.build())
	}
	return b.MustBuild()
}

// InferSchema returns the schema of one value on its own (what Observe would create from it).
func InferSchema(value any) (*connect.Schema, error) {
	var inf Inferrer
	n, err := inf.nodeOf(value, nil)
	if err != nil {
		return nil, err
	}
	n.dropNulls()
	if n.kind == kStruct {
		n.required = true
	}
	return n.build(), nil
}

// WidenSchemas returns the narrowest schema that holds the values of both a and b, by the rules
// above; struct fields of b that a lacks are appended as optional fields.
func WidenSchemas(a, b *connect.Schema) *connect.Schema {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	na, nb := nodeFromSchema(a), nodeFromSchema(b)
	if na.kind == kStruct && nb.kind == kStruct {
		var changes []SchemaChange
		na.mergeStruct(nb, "", &changes)
		if len(changes) == 0 {
			return a
		}
		s := na.build()
		s.Name, s.Version, s.Doc = a.Name, a.Version, a.Doc
		return s
	}
	w := lub(na, nb)
	if w == na {
		return a
	}
	return w.build()
}

// TableInferrer keeps one Inferrer per database table, for CDC streams that mix tables.
type TableInferrer struct {
	opts   InferOptions
	tables map[string]*Inferrer
}

// NewTableInferrer returns a TableInferrer whose per-table inferrers use opts; each table's schema
// is named "database.table" (or "table" without a database, and unnamed without either) unless
// opts.Name is set or the table's first row is typed, whose schema's name it keeps. opts.Initial,
// if set, is every table's start.
func NewTableInferrer(opts InferOptions) *TableInferrer {
	return &TableInferrer{opts: opts, tables: map[string]*Inferrer{}}
}

// Infer observes row.Value (a map[string]any or *connect.Struct) under the row's database and
// table, then sets row.Schema and row.Value to the inferred schema and the converted struct. A
// row without a value (a tombstone) is left alone.
func (t *TableInferrer) Infer(row *Row) ([]SchemaChange, error) {
	if row.Value == nil {
		return nil, nil
	}
	key := row.Database + "." + row.Table
	inf, ok := t.tables[key]
	if !ok {
		var err error
		if inf, err = NewInferrer(t.opts); err != nil {
			return nil, err
		}
		switch {
		case row.Database != "":
			inf.fallbackName = key
		case row.Table != "":
			inf.fallbackName = row.Table
		}
		t.tables[key] = inf
	}
	s, changes, err := inf.Observe(row.Value)
	if err != nil {
		return nil, tableError(row, err)
	}
	st, err := inf.Convert(row.Value)
	if err != nil {
		return changes, tableError(row, err)
	}
	row.Schema, row.Value = s, st
	return changes, nil
}

// tableError names the row's table in err, if the row has one.
func tableError(row *Row, err error) error {
	if row.Database == "" && row.Table == "" {
		return err
	}
	return fmt.Errorf("table %s.%s: %w", row.Database, row.Table, err)
}

// Schema returns the current schema of database.table, or nil.
func (t *TableInferrer) Schema(database, table string) *connect.Schema {
	if inf, ok := t.tables[database+"."+table]; ok {
		return inf.Schema()
	}
	return nil
}

// kind is a node of the widening lattice.
type kind uint8

const (
	kNull kind = iota // no type known yet: a null, or the element of an empty array
	kBool
	kInt8
	kInt16
	kInt32
	kInt64
	kDecimal
	kFloat32
	kFloat64
	kString
	kBytes
	kDate
	kTime
	kTimestamp
	kArray
	kMap
	kStruct
	numKinds
)

// parents lists, for each simple kind, itself and its ancestors from nearest to farthest; the
// nearest common parent of a and b is the first of parents[a] that is in parents[b].
var parents = [numKinds][]kind{
	kBool:      {kBool, kString},
	kInt8:      {kInt8, kInt16, kInt32, kInt64, kDecimal, kFloat32, kFloat64, kString},
	kInt16:     {kInt16, kInt32, kInt64, kDecimal, kFloat32, kFloat64, kString},
	kInt32:     {kInt32, kInt64, kDecimal, kFloat64, kString},
	kInt64:     {kInt64, kDecimal, kFloat64, kString},
	kDecimal:   {kDecimal, kString},
	kFloat32:   {kFloat32, kFloat64, kString},
	kFloat64:   {kFloat64, kString},
	kString:    {kString},
	kBytes:     {kBytes, kString},
	kDate:      {kDate, kTimestamp, kString},
	kTime:      {kTime, kString},
	kTimestamp: {kTimestamp, kString},
	kArray:     {kArray, kString},
	kMap:       {kMap, kString},
	kStruct:    {kStruct, kString},
}

// intDigits is the number of decimal digits of each integer kind, for merging into DECIMAL.
var intDigits = [numKinds]int{kInt8: 3, kInt16: 5, kInt32: 10, kInt64: 19}

const maxDecimalPrecision = 38

type node struct {
	kind        kind
	prec, scale int   // kDecimal
	elem        *node // kArray element, kMap value
	key         *node // kMap key
	fields      []*field
	index       map[string]int
	required    bool            // only from an initial schema's required fields
	null        bool            // in an observed typed row: the field holds null (its type is declared)
	orig        *connect.Schema // the schema this node came from, while unchanged
}

type field struct {
	name string
	n    *node
}

func simple(k kind) *node { return &node{kind: k} }

func decimalNode(prec, scale int) *node {
	if prec > maxDecimalPrecision {
		return simple(kString)
	}
	return &node{kind: kDecimal, prec: prec, scale: scale}
}

func (n *node) add(name string, c *node) {
	if n.index == nil {
		n.index = map[string]int{}
	}
	n.index[name] = len(n.fields)
	n.fields = append(n.fields, &field{name: name, n: c})
}

// dropNulls removes struct fields whose type is still unknown, at any depth.
func (n *node) dropNulls() {
	if n.kind != kStruct {
		if n.elem != nil {
			n.elem.dropNulls()
		}
		return
	}
	kept := n.fields[:0]
	for _, f := range n.fields {
		if f.n.kind == kNull {
			continue
		}
		f.n.dropNulls()
		kept = append(kept, f)
	}
	n.fields = kept
	n.index = make(map[string]int, len(kept))
	for i, f := range kept {
		n.index[f.name] = i
	}
}

// mergeStruct widens struct node n in place to hold struct node v, recording the changes under
// path prefix. It reports whether n changed.
func (n *node) mergeStruct(v *node, path string, changes *[]SchemaChange) bool {
	before := len(*changes)
	for _, vf := range v.fields {
		i, ok := n.index[vf.name]
		if !ok {
			if vf.n.kind == kNull {
				continue
			}
			vf.n.dropNulls()
			if vf.n.required {
				// New columns are optional; an optional one keeps its declared schema.
				vf.n.required, vf.n.orig = false, nil
			}
			n.add(vf.name, vf.n)
			*changes = append(*changes, SchemaChange{Kind: AddColumn, Column: path + vf.name, New: vf.n.build()})
			continue
		}
		f := n.fields[i]
		if vf.n.kind == kNull {
			continue
		}
		if f.n.kind == kStruct && vf.n.kind == kStruct {
			if f.n.mergeStruct(vf.n, path+vf.name+".", changes) {
				f.n.orig = nil
			}
			continue
		}
		w := lub(f.n, vf.n)
		if w == f.n {
			continue
		}
		w.required, w.orig = f.n.required, nil
		if !w.equal(f.n) {
			*changes = append(*changes, SchemaChange{Kind: AlterColumnType, Column: path + vf.name, Old: f.n.build(), New: w.build()})
			f.n = w
		}
	}
	// A required column that this value lacks or holds null becomes optional.
	for _, f := range n.fields {
		if !f.n.required {
			continue
		}
		if i, ok := v.index[f.name]; ok && v.fields[i].n.kind != kNull && !v.fields[i].n.null {
			continue
		}
		old := f.n.build()
		f.n.required = false
		f.n.orig = nil
		*changes = append(*changes, SchemaChange{Kind: AlterColumnType, Column: path + f.name, Old: old, New: f.n.build()})
	}
	if len(*changes) > before {
		n.orig = nil
		return true
	}
	return false
}

// lub returns the nearest common parent of a and b. It returns a itself when a already holds b,
// and never modifies either.
func lub(a, b *node) *node {
	switch {
	case b.kind == kNull:
		return a
	case a.kind == kNull:
		return b
	}
	if a.kind == kDecimal || b.kind == kDecimal {
		return lubDecimal(a, b)
	}
	if a.kind == b.kind {
		switch a.kind {
		case kArray:
			e := lub(a.elem, b.elem)
			if e == a.elem {
				return a
			}
			return &node{kind: kArray, elem: e}
		case kMap:
			k, e := lub(a.key, b.key), lub(a.elem, b.elem)
			if k == a.key && e == a.elem {
				return a
			}
			return &node{kind: kMap, key: k, elem: e}
		case kStruct:
			c := a.clone()
			var changes []SchemaChange
			if !c.mergeStruct(b, "", &changes) {
				return a
			}
			return c
		}
		return a
	}
	for _, p := range parents[a.kind] {
		if slices.Contains(parents[b.kind], p) {
			if p == a.kind {
				return a
			}
			return simple(p)
		}
	}
	return simple(kString)
}

func lubDecimal(a, b *node) *node {
	if a.kind == kDecimal && b.kind == kDecimal {
		ints := max(a.prec-a.scale, b.prec-b.scale)
		scale := max(a.scale, b.scale)
		if ints+scale == a.prec && scale == a.scale {
			return a
		}
		return decimalNode(ints+scale, scale)
	}
	d, o := a, b
	if b.kind == kDecimal {
		d, o = b, a
	}
	if digits := intDigits[o.kind]; digits > 0 {
		prec := max(d.prec, d.scale+digits)
		if d == a && prec == a.prec {
			return a
		}
		return decimalNode(prec, d.scale)
	}
	if a.kind == kString {
		return a
	}
	return simple(kString)
}

func (n *node) clone() *node {
	c := *n
	c.fields = make([]*field, len(n.fields))
	c.index = make(map[string]int, len(n.fields))
	for i, f := range n.fields {
		c.fields[i] = &field{name: f.name, n: f.n.clone()}
		c.index[f.name] = i
	}
	if n.elem != nil {
		c.elem = n.elem.clone()
	}
	if n.key != nil {
		c.key = n.key.clone()
	}
	return &c
}

func (n *node) equal(o *node) bool {
	if n.kind != o.kind || n.prec != o.prec || n.scale != o.scale || n.required != o.required || len(n.fields) != len(o.fields) {
		return false
	}
	if (n.elem == nil) != (o.elem == nil) || n.elem != nil && !n.elem.equal(o.elem) {
		return false
	}
	if (n.key == nil) != (o.key == nil) || n.key != nil && !n.key.equal(o.key) {
		return false
	}
	for i, f := range n.fields {
		if f.name != o.fields[i].name || !f.n.equal(o.fields[i].n) {
			return false
		}
	}
	return true
}

// build returns the Connect schema of the node: optional unless required, unknown types as
// optional STRING.
func (n *node) build() *connect.Schema {
	if n.orig != nil {
		return n.orig
	}
	var b *connect.SchemaBuilder
	switch n.kind {
	case kNull, kString:
		b = connect.NewSchemaBuilder(connect.TypeString)
	case kBool:
		b = connect.NewSchemaBuilder(connect.TypeBoolean)
	case kInt8:
		b = connect.NewSchemaBuilder(connect.TypeInt8)
	case kInt16:
		b = connect.NewSchemaBuilder(connect.TypeInt16)
	case kInt32:
		b = connect.NewSchemaBuilder(connect.TypeInt32)
	case kInt64:
		b = connect.NewSchemaBuilder(connect.TypeInt64)
	case kDecimal:
		b = connect.DecimalSchema(int32(n.scale)).Parameter(DecimalPrecisionParameter, strconv.Itoa(n.prec))
	case kFloat32:
		b = connect.NewSchemaBuilder(connect.TypeFloat32)
	case kFloat64:
		b = connect.NewSchemaBuilder(connect.TypeFloat64)
	case kBytes:
		b = connect.NewSchemaBuilder(connect.TypeBytes)
	case kDate:
		b = connect.DateSchema()
	case kTime:
		b = connect.TimeSchema()
	case kTimestamp:
		b = connect.TimestampSchema()
	case kArray:
		b = connect.ArrayOf(n.elem.build())
	case kMap:
		b = connect.MapOf(n.key.build(), n.elem.build())
	case kStruct:
		b = connect.StructBuilder()
		for _, f := range n.fields {
			b.Field(f.name, f.n.build())
		}
	}
	if !n.required {
		b.Optional()
	}
	return b.MustBuild()
}

// nodeFromSchema returns the lattice node of a Connect schema.
func nodeFromSchema(s *connect.Schema) *node {
	n := &node{required: !s.Optional && s.Default == nil, orig: s}
	switch s.Name {
	case connect.DecimalName:
		scale, _ := connect.DecimalScale(s)
		prec, ok := DecimalPrecision(s)
		if !ok {
			prec = maxDecimalPrecision
		}
		n.kind, n.scale = kDecimal, max(int(scale), 0)
		n.prec = max(prec, n.scale)
		if scale < 0 {
			// Connect allows a negative scale; the lattice does not, so such columns are text.
			n.kind, n.orig = kString, nil
		}
		return n
	case connect.DateName:
		n.kind = kDate
		return n
	case connect.TimeName:
		n.kind = kTime
		return n
	case connect.TimestampName:
		n.kind = kTimestamp
		return n
	}
	switch s.Type {
	case connect.TypeBoolean:
		n.kind = kBool
	case connect.TypeInt8:
		n.kind = kInt8
	case connect.TypeInt16:
		n.kind = kInt16
	case connect.TypeInt32:
		n.kind = kInt32
	case connect.TypeInt64:
		n.kind = kInt64
	case connect.TypeFloat32:
		n.kind = kFloat32
	case connect.TypeFloat64:
		n.kind = kFloat64
	case connect.TypeString:
		n.kind = kString
	case connect.TypeBytes:
		n.kind = kBytes
	case connect.TypeArray:
		n.kind, n.elem = kArray, nodeFromSchema(s.ValueSchema)
	case connect.TypeMap:
		n.kind, n.key, n.elem = kMap, nodeFromSchema(s.KeySchema), nodeFromSchema(s.ValueSchema)
	case connect.TypeStruct:
		n.kind = kStruct
		for _, f := range s.Fields {
			n.add(f.Name, nodeFromSchema(f.Schema))
		}
	default:
		n.kind = kString
	}
	return n
}

// scalarKind returns the kind of a scalar Go value, with a DECIMAL's precision and scale; ok is
// false for values that are not scalars.
func scalarKind(v any) (k kind, prec, scale int, ok bool) {
	switch x := v.(type) {
	case nil:
		return kNull, 0, 0, true
	case bool:
		return kBool, 0, 0, true
	case int8:
		return kInt8, 0, 0, true
	case int16, uint8:
		return kInt16, 0, 0, true
	case int32, uint16:
		return kInt32, 0, 0, true
	case int64, int, uint32:
		return kInt64, 0, 0, true
	case uint64:
		if x > math.MaxInt64 {
			return kDecimal, 20, 0, true
		}
		return kInt64, 0, 0, true
	case uint:
		if uint64(x) > math.MaxInt64 {
			return kDecimal, 20, 0, true
		}
		return kInt64, 0, 0, true
	case float32:
		return kFloat32, 0, 0, true
	case float64:
		return kFloat64, 0, 0, true
	case json.Number:
		s := string(x)
		if !strings.ContainsAny(s, ".eE") {
			if _, err := strconv.ParseInt(s, 10, 64); err == nil {
				return kInt64, 0, 0, true
			}
			digits := len(strings.TrimLeft(s, "+-"))
			if digits > maxDecimalPrecision {
				return kString, 0, 0, true
			}
			return kDecimal, digits, 0, true
		}
		return kFloat64, 0, 0, true
	case string:
		return kString, 0, 0, true
	case []byte:
		return kBytes, 0, 0, true
	case connect.Decimal:
		prec, scale := DecimalDigits(x), int(x.Scale)
		if scale < 0 {
			prec, scale = prec-scale, 0
		}
		prec = max(prec, scale)
		if prec > maxDecimalPrecision {
			return kString, 0, 0, true
		}
		return kDecimal, prec, scale, true
	case time.Time:
		return kTimestamp, 0, 0, true
	}
	return 0, 0, 0, false
}

// nodeOf returns the node of one value; s is the value's schema when known (a field of a
// *connect.Struct), which then decides.
func (inf *Inferrer) nodeOf(v any, s *connect.Schema) (*node, error) {
	if s != nil {
		n := nodeFromSchema(s)
		n.required, n.orig = false, nil
		return n, nil
	}
	if k, prec, scale, ok := scalarKind(v); ok {
		if inf.opts.PrimitiveAsString && k != kNull {
			k = kString
		}
		if k == kDecimal {
			return decimalNode(prec, scale), nil
		}
		return simple(k), nil
	}
	switch x := v.(type) {
	case *connect.Struct:
		n := nodeFromSchema(x.Schema())
		clearRequired(n)
		return n, nil
	case map[string]any:
		n := &node{kind: kStruct, index: make(map[string]int, len(x))}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			c, err := inf.nodeOf(x[k], nil)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", k, err)
			}
			n.add(k, c)
		}
		return n, nil
	case []any:
		e := simple(kNull)
		for i, el := range x {
			c, err := inf.nodeOf(el, nil)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			e = lub(e, c)
		}
		return &node{kind: kArray, elem: e}, nil
	case map[any]any:
		k, e := simple(kNull), simple(kNull)
		for mk, mv := range x {
			kn, err := inf.nodeOf(mk, nil)
			if err != nil {
				return nil, fmt.Errorf("map key %v: %w", mk, err)
			}
			vn, err := inf.nodeOf(mv, nil)
			if err != nil {
				return nil, fmt.Errorf("map value [%v]: %w", mk, err)
			}
			k, e = lub(k, kn), lub(e, vn)
		}
		return &node{kind: kMap, key: k, elem: e}, nil
	}
	return nil, fmt.Errorf("cannot infer a type for %T", v)
}

// rowNode returns the node of a typed row: each field's declared schema, required or not and kept
// as is while it stays unchanged, except that a null in a field whose schema is the shared
// connect.OptionalStringSchema is of unknown type (see Observe).
func rowNode(st *connect.Struct) *node {
	s := st.Schema()
	n := &node{kind: kStruct, index: make(map[string]int, len(s.Fields))}
	for i := range s.Fields {
		f := &s.Fields[i]
		v := st.GetIndex(i)
		if untypedNull(f.Schema, v) {
			n.add(f.Name, simple(kNull))
			continue
		}
		fn := nodeFromSchema(f.Schema)
		fn.null = v == nil
		n.add(f.Name, fn)
	}
	return n
}

// untypedNull reports whether a field value is a null whose schema says nothing of its type.
func untypedNull(s *connect.Schema, v any) bool {
	return v == nil && s == connect.OptionalStringSchema
}

// hasUntypedNull reports whether a typed row has a field of unknown type (see Observe).
func hasUntypedNull(st *connect.Struct) bool {
	for i := range st.Schema().Fields {
		if untypedNull(st.Schema().Fields[i].Schema, st.GetIndex(i)) {
			return true
		}
	}
	return false
}

func clearRequired(n *node) {
	n.required, n.orig = false, nil
	for _, f := range n.fields {
		clearRequired(f.n)
	}
	if n.elem != nil {
		clearRequired(n.elem)
	}
	if n.key != nil {
		clearRequired(n.key)
	}
}

// fits reports whether v already fits node n, without allocating: the fast path of Observe.
func (inf *Inferrer) fits(n *node, v any, s *connect.Schema) bool {
	if v == nil {
		// A typed null still declares its type (see rowNode), unless it is untyped.
		if n.required || s == nil || untypedNull(s, v) {
			return !n.required
		}
	}
	if n.kind == kString {
		return true
	}
	if s != nil {
		// Typed values: compare the schema's node (rare enough to allocate).
		vn := nodeFromSchema(s)
		vn.required = n.required
		w := lub(n, vn)
		return w == n || w.equal(n)
	}
	switch x := v.(type) {
	case map[string]any:
		if n.kind != kStruct {
			return false
		}
		for k, e := range x {
			i, ok := n.index[k]
			if !ok {
				if e != nil {
					return false
				}
				continue
			}
			if !inf.fits(n.fields[i].n, e, nil) {
				return false
			}
		}
		for _, f := range n.fields {
			if f.n.required {
				if e, ok := x[f.name]; !ok || e == nil {
					return false
				}
			}
		}
		return true
	case *connect.Struct:
		if n.kind != kStruct {
			return false
		}
		for i, f := range x.Schema().Fields {
			e := x.GetIndex(i)
			j, ok := n.index[f.Name]
			if !ok {
				// A declared column is new even while null; only an untyped null is not.
				if !untypedNull(f.Schema, e) {
					return false
				}
				continue
			}
			if !inf.fits(n.fields[j].n, e, f.Schema) {
				return false
			}
		}
		return true
	case []any:
		if n.kind != kArray {
			return false
		}
		for _, e := range x {
			if e != nil && (n.elem.kind == kNull || !inf.fits(n.elem, e, nil)) {
				return false
			}
		}
		return true
	case map[any]any:
		if n.kind != kMap {
			return false
		}
		for k, e := range x {
			if k != nil && (n.key.kind == kNull || !inf.fits(n.key, k, nil)) {
				return false
			}
			if e != nil && (n.elem.kind == kNull || !inf.fits(n.elem, e, nil)) {
				return false
			}
		}
		return true
	}
	k, prec, scale, ok := scalarKind(v)
	if !ok {
		return false
	}
	if inf.opts.PrimitiveAsString {
		k = kString
	}
	if k == kDecimal || n.kind == kDecimal {
		if n.kind != kDecimal {
			return false
		}
		if k == kDecimal {
			return max(prec-scale, n.prec-n.scale)+max(scale, n.scale) == n.prec && scale <= n.scale
		}
		d := intDigits[k]
		return d > 0 && n.scale+d <= n.prec
	}
	if k == n.kind {
		return true
	}
	for _, p := range parents[k] {
		if slices.Contains(parents[n.kind], p) {
			return p == n.kind
		}
	}
	return false
}
