package cdc

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// InferOptions control how JSON values become typed columns when a message carries no types.
type InferOptions struct {
	// PrimitiveAsString types every number and boolean as STRING, keeping its JSON text
	// (Flink's `<format>.infer-schema.primitive-as-string`).
	PrimitiveAsString bool
	// ExactDecimal types numbers with a fraction or exponent as exact Decimals (the scale is the
	// largest the column's values are written with, never below 0) instead of FLOAT64. It is
	// what `<format>.infer-schema.exact-decimal` sets, by default: a number read this way is
	// written back digit for digit.
	ExactDecimal bool
}

// The inference lattice. Integers that fit int64 are INT64; larger ones are exact Decimals of
// scale 0 whatever the options say, since FLOAT64 would lose digits. Differing types meet at
// their nearest common parent: int → decimal/double → string; a boolean or a nested value meets
// anything else at string (its JSON text).
type tkind uint8

const (
	tNone tkind = iota // only nulls seen
	tBool
	tInt
	tDecimal
	tFloat
	tString
	tStruct
	tArray
)

type colType struct {
	kind   tkind
	scale  int32 // tDecimal
	fields []colField
	elem   *colType
}

type colField struct {
	name string
	t    colType
}

// Inferrer infers row schemas from parsed JSON objects and builds the typed row structs. It caches
// the schemas it builds, so that messages of the same table share one *connect.Schema (which also
// lets encoders cache what they derive from a schema). It is safe for concurrent use.
type Inferrer struct {
	opts InferOptions

	mu      sync.Mutex
	schemas map[string]*connect.Schema
}

// maxCachedSchemas bounds the schema cache; a stream with ever-changing columns resets it.
const maxCachedSchemas = 4096

// NewInferrer returns an Inferrer with the given options.
func NewInferrer(opts InferOptions) *Inferrer {
	return &Inferrer{opts: opts, schemas: map[string]*connect.Schema{}}
}

// Options returns the inference options.
func (in *Inferrer) Options() InferOptions { return in.opts }

// Scratch holds per-call state of an inference; reuse one per decoder to avoid allocations.
type Scratch struct {
	root colType
	sig  []byte
}

// Infer returns the optional STRUCT schema that describes every object in rows (nil entries and
// non-objects are ignored). Columns appear in order of first appearance; every column is
// optional, since any column of a changed row may be null.
func (in *Inferrer) Infer(sc *Scratch, rows ...*Node) (*connect.Schema, error) {
	sc.root.kind = tStruct
	clear(sc.root.fields)
	sc.root.fields = sc.root.fields[:0]
	for _, r := range rows {
		if r == nil || r.Kind != Object {
			continue
		}
		in.mergeObject(&sc.root, r)
	}
	sc.sig = appendSig(sc.sig[:0], &sc.root)
	in.mu.Lock()
	s, ok := in.schemas[string(sc.sig)]
	in.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := buildSchema(&sc.root)
	if err != nil {
		return nil, err
	}
	in.mu.Lock()
	if len(in.schemas) >= maxCachedSchemas {
		clear(in.schemas)
	}
	in.schemas[string(sc.sig)] = s
	in.mu.Unlock()
	return s, nil
}

func (in *Inferrer) mergeObject(t *colType, n *Node) {
	for j := range n.Members {
		m := &n.Members[j]
		var f *colField
		if j < len(t.fields) && t.fields[j].name == m.Key {
			f = &t.fields[j]
		} else {
			for k := range t.fields {
				if t.fields[k].name == m.Key {
					f = &t.fields[k]
					break
				}
			}
		}
		if f == nil {
			t.fields = append(t.fields, colField{name: m.Key})
			f = &t.fields[len(t.fields)-1]
		}
		in.merge(&f.t, &m.Value)
	}
}

// merge widens t so that it also describes n.
func (in *Inferrer) merge(t *colType, n *Node) {
	var k tkind
	var scale int32
	switch n.Kind {
	case Null:
		return
	case True, False:
		k = tBool
	case String:
		k = tString
	case Number:
		k, scale = in.numberKind(n)
	case Object:
		if t.kind == tNone {
			t.kind = tStruct
		}
		if t.kind == tStruct {
			in.mergeObject(t, n)
			return
		}
		k = tString
	case Array:
		if t.kind == tNone {
			t.kind = tArray
			t.elem = &colType{}
		}
		if t.kind == tArray {
			for i := range n.Elems {
				in.merge(t.elem, &n.Elems[i])
			}
			return
		}
		k = tString
	}
	if in.opts.PrimitiveAsString && k != tString {
		k = tString
	}
	widen(t, k, scale)
}

func (in *Inferrer) numberKind(n *Node) (tkind, int32) {
	if !n.Frac {
		if _, err := strconv.ParseInt(n.Text, 10, 64); err == nil {
			return tInt, 0
		}
		return tDecimal, 0
	}
	if !in.opts.ExactDecimal {
		return tFloat, 0
	}
	scale, ok := literalScale(n.Text)
	if !ok {
		// An absurd exponent would make the rescaled value enormous; a double holds it.
		return tFloat, 0
	}
	// A negative scale (1E+3) is the same integer at scale 0, which every format can declare
	// (Avro's decimal cannot have a negative scale).
	return tDecimal, max(scale, 0)
}

// literalScale returns the scale a JSON number literal is written with: its fraction digits
// less its exponent (1.10 → 2, 1.5E-3 → 4, 1E+3 → -3), without building the number. ok is false
// beyond ±1000.
func literalScale(lit string) (scale int32, ok bool) {
	mant, exp, hasExp := strings.Cut(lit, "e")
	if !hasExp {
		mant, exp, hasExp = strings.Cut(lit, "E")
	}
	var e int64
	if hasExp {
		var err error
		if e, err = strconv.ParseInt(exp, 10, 32); err != nil {
			return 0, false
		}
	}
	frac := int64(0)
	if _, f, dot := strings.Cut(mant, "."); dot {
		frac = int64(len(f))
	}
	sc := frac - e
	if sc > 1000 || sc < -1000 {
		return 0, false
	}
	return int32(sc), true
}

func widen(t *colType, k tkind, scale int32) {
	switch {
	case t.kind == tNone:
		t.kind, t.scale = k, scale
	case t.kind == k:
		if k == tDecimal && scale > t.scale {
			t.scale = scale
		}
	case isNumeric(t.kind) && isNumeric(k):
		switch {
		case t.kind == tFloat || k == tFloat:
			t.kind, t.scale = tFloat, 0
		default: // int and decimal
			t.kind, t.scale = tDecimal, max(t.scale, scale, 0)
		}
	default:
		t.kind, t.scale, t.fields, t.elem = tString, 0, nil, nil
	}
}

func isNumeric(k tkind) bool { return k == tInt || k == tDecimal || k == tFloat }

func appendSig(b []byte, t *colType) []byte {
	switch t.kind {
	case tNone, tString:
		// An all-null column is an optional STRING too: one schema for both.
		return append(b, 's')
	case tBool:
		return append(b, 'b')
	case tInt:
		return append(b, 'i')
	case tFloat:
		return append(b, 'f')
	case tDecimal:
		b = append(b, 'd')
		return strconv.AppendInt(b, int64(t.scale), 10)
	case tArray:
		b = append(b, '[')
		b = appendSig(b, t.elem)
		return append(b, ']')
	}
	b = append(b, '{')
	for i := range t.fields {
		b = strconv.AppendInt(b, int64(len(t.fields[i].name)), 10)
		b = append(b, ':')
		b = append(b, t.fields[i].name...)
		b = appendSig(b, &t.fields[i].t)
	}
	return append(b, '}')
}

func buildSchema(t *colType) (*connect.Schema, error) {
	switch t.kind {
	case tNone, tString:
		return connect.OptionalStringSchema, nil
	case tBool:
		return connect.OptionalBooleanSchema, nil
	case tInt:
		return connect.OptionalInt64Schema, nil
	case tFloat:
		return connect.OptionalFloat64Schema, nil
	case tDecimal:
		return connect.DecimalSchema(t.scale).Optional().Build()
	case tArray:
		elem, err := buildSchema(t.elem)
		if err != nil {
			return nil, err
		}
		return connect.ArrayOf(elem).Optional().Build()
	}
	b := connect.StructBuilder().Optional()
	for i := range t.fields {
		fs, err := buildSchema(&t.fields[i].t)
		if err != nil {
			return nil, err
		}
		// Clone: the name is a substring of the message, which the cached schema must not pin.
		b.Field(strings.Clone(t.fields[i].name), fs)
	}
	return b.Build()
}

// BuildStruct converts a JSON object to a struct of schema s (a STRUCT schema that Infer made,
// or one with the same shape). A member the schema lacks is an error naming it.
func BuildStruct(s *connect.Schema, n *Node) (*connect.Struct, error) {
	if n.Kind != Object {
		return nil, fmt.Errorf("want a JSON object, got %s", n.Kind)
	}
	st := connect.NewStruct(s)
	for j := range n.Members {
		m := &n.Members[j]
		var f *connect.Field
		if j < len(s.Fields) && s.Fields[j].Name == m.Key {
			f = &s.Fields[j]
		} else if f = s.Field(m.Key); f == nil {
			return nil, fmt.Errorf("column %q is not in schema %s", m.Key, s)
		}
		v, err := NodeValue(f.Schema, &m.Value)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", m.Key, err)
		}
		if err := st.PutIndex(f.Index, v); err != nil {
			return nil, fmt.Errorf("column %q: %w", m.Key, err)
		}
	}
	return st, nil
}

// NodeValue converts a JSON value to a Connect value of schema s. It accepts what inference
// produces from the node: any primitive as STRING (its text), integers as Decimal or FLOAT64.
func NodeValue(s *connect.Schema, n *Node) (any, error) {
	if n.Kind == Null {
		return nil, nil
	}
	if s.Name == connect.DecimalName {
		if n.Kind != Number {
			return nil, fmt.Errorf("want a number for %s, got %s", s, n.Kind)
		}
		scale, err := connect.DecimalScale(s)
		if err != nil {
			return nil, err
		}
		return formats.ParseDecimalScale(n.Text, scale)
	}
	switch s.Type {
	case connect.TypeString:
		switch n.Kind {
		case String, Number:
			return n.Text, nil
		case True:
			return "true", nil
		case False:
			return "false", nil
		}
		return string(AppendCompact(make([]byte, 0, len(n.Text)), n.Text)), nil
	case connect.TypeInt64:
		if n.Kind != Number || n.Frac {
			return nil, fmt.Errorf("want an integer, got %s %q", n.Kind, n.Text)
		}
		return strconv.ParseInt(n.Text, 10, 64)
	case connect.TypeFloat64:
		if n.Kind != Number {
			return nil, fmt.Errorf("want a number, got %s", n.Kind)
		}
		return strconv.ParseFloat(n.Text, 64)
	case connect.TypeBoolean:
		switch n.Kind {
		case True:
			return true, nil
		case False:
			return false, nil
		}
		return nil, fmt.Errorf("want a boolean, got %s", n.Kind)
	case connect.TypeStruct:
		return BuildStruct(s, n)
	case connect.TypeArray:
		if n.Kind != Array {
			return nil, fmt.Errorf("want an array, got %s", n.Kind)
		}
		out := make([]any, len(n.Elems))
		for i := range n.Elems {
			v, err := NodeValue(s.ValueSchema, &n.Elems[i])
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			out[i] = v
		}
		return out, nil
	}
	return nil, fmt.Errorf("cannot read a JSON %s as %s", n.Kind, s)
}
