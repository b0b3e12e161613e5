package protobuf

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// encoder writes Connect values as protobuf wire bytes with a message plan. Structs whose
// schema is not the plan's own are matched to the message by field name once per schema.
type encoder struct {
	mu       sync.RWMutex
	mappings map[mappingKey][]int
	hint     atomic.Int64
}

type mappingKey struct {
	schema *connect.Schema
	plan   *msgPlan
}

func newEncoder() *encoder { return &encoder{mappings: map[mappingKey][]int{}} }

// sizeHint is the capacity to start a message buffer with: the last message's size, so a
// steady stream of similar messages grows its buffer once.
func (e *encoder) sizeHint() int { return max(int(e.hint.Load()), 64) }

func (e *encoder) noteSize(n int) { e.hint.Store(int64(n + n/8)) }

type encError struct {
	path string
	err  error
}

func (e *encError) Error() string { return e.path + ": " + e.err.Error() }
func (e *encError) Unwrap() error { return e.err }

func encErr(err error, fp *fieldPlan, elem string) error {
	name := fp.name + elem
	var ee *encError
	if errors.As(err, &ee) {
		if strings.HasPrefix(ee.path, "[") {
			ee.path = name + ee.path
		} else {
			ee.path = name + "." + ee.path
		}
		return ee
	}
	return &encError{path: name, err: err}
}

// elemErr prefixes err's path with an element of the enclosing field, such as "[3]".
func elemErr(err error, elem string) error {
	var ee *encError
	if errors.As(err, &ee) {
		if strings.HasPrefix(ee.path, "[") {
			ee.path = elem + ee.path
		} else {
			ee.path = elem + "." + ee.path
		}
		return ee
	}
	return &encError{path: elem, err: err}
}

func topLevelEncodeError(msg string, err error) error {
	var ee *encError
	if errors.As(err, &ee) {
		return fmt.Errorf("protobuf message %s: field %s: %w", msg, ee.path, ee.err)
	}
	return fmt.Errorf("protobuf message %s: %w", msg, err)
}

// mapping returns, for each field of mp, the index of the Connect field of schema with the same
// name, or -1.
func (e *encoder) mapping(mp *msgPlan, schema *connect.Schema) ([]int, error) {
	if schema == mp.schema || schema == mp.optSchema {
		return mp.identity, nil
	}
	k := mappingKey{schema, mp}
	e.mu.RLock()
	m, ok := e.mappings[k]
	e.mu.RUnlock()
	if ok {
		return m, nil
	}
	m = make([]int, len(mp.fields))
	for i := range m {
		m[i] = -1
	}
	for ci, f := range schema.Fields {
		pi, ok := mp.byName[f.Name]
		if !ok {
			return nil, fmt.Errorf("the Connect schema's field %q is not a field of message %s", f.Name, mp.name)
		}
		m[pi] = ci
	}
	e.mu.Lock()
	e.mappings[k] = m
	e.mu.Unlock()
	return m, nil
}

func (e *encoder) message(b []byte, mp *msgPlan, v any) ([]byte, error) {
	switch x := v.(type) {
	case *connect.Struct:
		return e.structMessage(b, mp, x)
	case map[string]any:
		return e.mapMessage(b, mp, x)
	}
	return b, fmt.Errorf("cannot encode %T as message %s; want a struct or map[string]any", v, mp.name)
}

func (e *encoder) structMessage(b []byte, mp *msgPlan, st *connect.Struct) ([]byte, error) {
	m, err := e.mapping(mp, st.Schema())
	if err != nil {
		return b, err
	}
	var winBuf [4]int
	winners := oneofWinners(mp, winBuf[:0], func(pi int) (int, bool) {
		ci := m[pi]
		return ci, ci >= 0 && st.GetIndex(ci) != nil
	})
	for _, pi := range mp.encOrder {
		fp := &mp.fields[pi]
		ci := m[pi]
		var v any
		if ci >= 0 {
			v = st.GetIndex(ci)
		}
		if v != nil && fp.oneof >= 0 && winners[fp.oneof] != pi {
			continue
		}
		if b, err = e.field(b, fp, v); err != nil {
			return b, err
		}
	}
	return b, nil
}

func (e *encoder) mapMessage(b []byte, mp *msgPlan, x map[string]any) ([]byte, error) {
	var winBuf [4]int
	winners := oneofWinners(mp, winBuf[:0], func(pi int) (int, bool) {
		v := x[mp.fields[pi].name]
		return pi, v != nil
	})
	found := 0
	var err error
	for _, pi := range mp.encOrder {
		fp := &mp.fields[pi]
		v, ok := x[fp.name]
		if ok {
			found++
		}
		if v != nil && fp.oneof >= 0 && winners[fp.oneof] != pi {
			continue
		}
		if b, err = e.field(b, fp, v); err != nil {
			return b, err
		}
	}
	if found < len(x) {
		var unknown []string
		for k := range x {
			if _, ok := mp.byName[k]; !ok {
				unknown = append(unknown, strconv.Quote(k))
			}
		}
		slices.Sort(unknown)
		return b, fmt.Errorf("%s not in message %s", strings.Join(unknown, ", "), mp.name)
	}
	return b, nil
}

// oneofWinners picks, for each oneof of mp, the member to write: the set member that comes
// last in the value's field order (Flink's rule), as field index; -1 when none is set. order
// maps a field index to its position in the value and whether it is set.
func oneofWinners(mp *msgPlan, buf []int, order func(pi int) (int, bool)) []int {
	if len(mp.oneofs) == 0 {
		return nil
	}
	for _, members := range mp.oneofs {
		win, winPos := -1, -1
		for _, pi := range members {
			if pos, set := order(pi); set && pos > winPos {
				win, winPos = pi, pos
			}
		}
		buf = append(buf, win)
	}
	return buf
}

func (e *encoder) field(b []byte, fp *fieldPlan, v any) ([]byte, error) {
	if v == nil {
		if fp.required {
			return b, encErr(errors.New("required field is null"), fp, "")
		}
		return b, nil
	}
	var err error
	switch fp.card {
	case singular:
		start := len(b)
		b = protowire.AppendTag(b, fp.num, fp.val.wire)
		if fp.val.messageLike() {
			if b, err = e.messageValue(b, &fp.val, fp.num, v); err != nil {
				return b, encErr(err, fp, "")
			}
			return b, nil
		}
		var zero bool
		if b, zero, err = appendScalar(b, &fp.val, v); err != nil {
			return b, encErr(err, fp, "")
		}
		if zero && !fp.presence {
			b = b[:start] // proto3 leaves zero values of fields without presence out
		}
		return b, nil

	case repeated:
		list, ok := v.([]any)
		if !ok {
			return b, encErr(fmt.Errorf("cannot encode %T as a repeated field; want []any", v), fp, "")
		}
		if len(list) == 0 {
			return b, nil
		}
		if fp.packed {
			b = protowire.AppendTag(b, fp.num, protowire.BytesType)
			var pos int
			b, pos = beginLen(b)
			for i, x := range list {
				if b, _, err = appendScalar(b, &fp.val, orDefault(&fp.val, x)); err != nil {
					return b, encErr(err, fp, "["+strconv.Itoa(i)+"]")
				}
			}
			return endLen(b, pos), nil
		}
		for i, x := range list {
			b = protowire.AppendTag(b, fp.num, fp.val.wire)
			if fp.val.messageLike() {
				if x == nil {
					x = emptyValue(&fp.val)
				}
				b, err = e.messageValue(b, &fp.val, fp.num, x)
			} else {
				b, _, err = appendScalar(b, &fp.val, orDefault(&fp.val, x))
			}
			if err != nil {
				return b, encErr(err, fp, "["+strconv.Itoa(i)+"]")
			}
		}
		return b, nil

	default:
		if b, err = e.mapField(b, fp, v); err != nil {
			return b, encErr(err, fp, "")
		}
		return b, nil
	}
}

// orDefault replaces a null element, which protobuf cannot hold, by the type's default value,
// as Flink does.
func orDefault(vp *valuePlan, v any) any {
	if v == nil {
		return vp.dflt
	}
	return v
}

// emptyValue is what a null message element encodes as: the empty message.
func emptyValue(vp *valuePlan) any {
	switch vp.special {
	case specialTimestamp:
		return time.Unix(0, 0)
	case specialWrapper:
		return vp.inner.dflt
	}
	return map[string]any{}
}

// messageValue appends the body of a message-like value: length-prefixed, or for groups
// followed by the end-group tag.
func (e *encoder) messageValue(b []byte, vp *valuePlan, num protowire.Number, v any) ([]byte, error) {
	var pos int
	if vp.wire == protowire.BytesType {
		b, pos = beginLen(b)
	}
	var err error
	switch vp.special {
	case specialTimestamp:
		var t time.Time
		if t, err = toTime(v); err != nil {
			return b, err
		}
		if s := t.Unix(); s != 0 {
			b = protowire.AppendTag(b, 1, protowire.VarintType)
			b = protowire.AppendVarint(b, uint64(s))
		}
		if ns := t.Nanosecond(); ns != 0 {
			b = protowire.AppendTag(b, 2, protowire.VarintType)
			b = protowire.AppendVarint(b, uint64(ns))
		}
	case specialWrapper:
		start := len(b)
		b = protowire.AppendTag(b, 1, vp.inner.wire)
		var zero bool
		if b, zero, err = appendScalar(b, vp.inner, v); err != nil {
			return b, err
		}
		if zero {
			b = b[:start]
		}
	default:
		if b, err = e.message(b, vp.msg, v); err != nil {
			return b, err
		}
	}
	if vp.wire == protowire.BytesType {
		return endLen(b, pos), nil
	}
	return protowire.AppendTag(b, num, protowire.EndGroupType), nil
}

// beginLen reserves one byte for a length prefix; endLen writes the length of what followed,
// moving it when the length needs more than one byte.
func beginLen(b []byte) ([]byte, int) { return append(b, 0), len(b) }

func endLen(b []byte, pos int) []byte {
	n := len(b) - pos - 1
	if n < 0x80 {
		b[pos] = byte(n)
		return b
	}
	sz := protowire.SizeVarint(uint64(n))
	for k := 1; k < sz; k++ {
		b = append(b, 0)
	}
	copy(b[pos+sz:], b[pos+1:pos+1+n])
	protowire.AppendVarint(b[:pos], uint64(n))
	return b
}

type entry struct {
	key mapKey
	val any
}

// mapKey is a map key in its protobuf kind, comparable in protobuf's key order.
type mapKey struct {
	i int64
	u uint64
	s string
	b bool
}

func (e *encoder) mapField(b []byte, fp *fieldPlan, v any) ([]byte, error) {
	var entries []entry
	switch m := v.(type) {
	case map[string]any:
		entries = make([]entry, 0, len(m))
		for k, x := range m {
			mk, err := keyOf(fp.key, k)
			if err != nil {
				return b, err
			}
			entries = append(entries, entry{mk, x})
		}
	case map[any]any:
		entries = make([]entry, 0, len(m))
		for k, x := range m {
			mk, err := keyOf(fp.key, k)
			if err != nil {
				return b, err
			}
			entries = append(entries, entry{mk, x})
		}
	default:
		return b, fmt.Errorf("cannot encode %T as a map field; want map[string]any or map[any]any", v)
	}
	if len(entries) == 0 {
		return b, nil
	}
	// Sorted keys make the output deterministic, as proto.MarshalOptions{Deterministic: true}.
	slices.SortFunc(entries, func(x, y entry) int { return compareKeys(fp.key, x.key, y.key) })
	for i := 1; i < len(entries); i++ {
		if compareKeys(fp.key, entries[i-1].key, entries[i].key) == 0 {
			return b, fmt.Errorf("two map keys convert to the same %s key %s", fp.key.typeName, keyString(fp.key, entries[i].key))
		}
	}
	var err error
	for _, en := range entries {
		b = protowire.AppendTag(b, fp.num, protowire.BytesType)
		var pos int
		b, pos = beginLen(b)
		b = appendKey(b, fp.key, en.key)
		b = protowire.AppendTag(b, 2, fp.val.wire)
		x := en.val
		if fp.val.messageLike() {
			if x == nil {
				x = emptyValue(&fp.val)
			}
			b, err = e.messageValue(b, &fp.val, 2, x)
		} else {
			b, _, err = appendScalar(b, &fp.val, orDefault(&fp.val, x))
		}
		if err != nil {
			return b, elemErr(err, "["+keyString(fp.key, en.key)+"]")
		}
		b = endLen(b, pos)
	}
	return b, nil
}

func keyOf(vp *valuePlan, k any) (mapKey, error) {
	var mk mapKey
	var err error
	if s, ok := k.(string); ok && vp.kind != protoreflect.StringKind {
		// Schemaless maps (JSON objects) have string keys for every key type.
		switch vp.kind {
		case protoreflect.BoolKind:
			mk.b, err = strconv.ParseBool(s)
		case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
			mk.u, err = strconv.ParseUint(s, 10, 32)
		case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
			mk.u, err = strconv.ParseUint(s, 10, 64)
		case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
			mk.i, err = strconv.ParseInt(s, 10, 32)
		default:
			mk.i, err = strconv.ParseInt(s, 10, 64)
		}
		if err != nil {
			return mk, fmt.Errorf("map key %q does not parse as %s", s, vp.typeName)
		}
		return mk, nil
	}
	switch vp.kind {
	case protoreflect.StringKind:
		s, ok := k.(string)
		if !ok {
			return mk, fmt.Errorf("cannot encode map key %T as string", k)
		}
		if vp.utf8 && !utf8.ValidString(s) {
			return mk, fmt.Errorf("map key %q is not valid UTF-8", s)
		}
		mk.s = s
	case protoreflect.BoolKind:
		b, ok := k.(bool)
		if !ok {
			return mk, fmt.Errorf("cannot encode map key %T as bool", k)
		}
		mk.b = b
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		n, err := toInt32(k)
		mk.i = int64(n)
		return mk, err
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		mk.i, err = toInt64(k)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		n, err := toUint32(k)
		mk.u = uint64(n)
		return mk, err
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		mk.u, err = toUint64(k)
	default:
		return mk, fmt.Errorf("%s cannot be a map key", vp.typeName)
	}
	return mk, err
}

func compareKeys(vp *valuePlan, x, y mapKey) int {
	switch vp.kind {
	case protoreflect.StringKind:
		return strings.Compare(x.s, y.s)
	case protoreflect.BoolKind:
		switch {
		case x.b == y.b:
			return 0
		case !x.b:
			return -1
		}
		return 1
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		switch {
		case x.u < y.u:
			return -1
		case x.u > y.u:
			return 1
		}
		return 0
	}
	switch {
	case x.i < y.i:
		return -1
	case x.i > y.i:
		return 1
	}
	return 0
}

func keyString(vp *valuePlan, k mapKey) string {
	switch vp.kind {
	case protoreflect.StringKind:
		return strconv.Quote(k.s)
	case protoreflect.BoolKind:
		return strconv.FormatBool(k.b)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return strconv.FormatUint(k.u, 10)
	}
	return strconv.FormatInt(k.i, 10)
}

func appendKey(b []byte, vp *valuePlan, k mapKey) []byte {
	b = protowire.AppendTag(b, 1, vp.wire)
	switch vp.kind {
	case protoreflect.StringKind:
		return protowire.AppendString(b, k.s)
	case protoreflect.BoolKind:
		return protowire.AppendVarint(b, protowire.EncodeBool(k.b))
	case protoreflect.Int32Kind, protoreflect.Int64Kind:
		return protowire.AppendVarint(b, uint64(k.i))
	case protoreflect.Sint32Kind, protoreflect.Sint64Kind:
		return protowire.AppendVarint(b, protowire.EncodeZigZag(k.i))
	case protoreflect.Sfixed32Kind:
		return protowire.AppendFixed32(b, uint32(k.i))
	case protoreflect.Sfixed64Kind:
		return protowire.AppendFixed64(b, uint64(k.i))
	case protoreflect.Fixed32Kind:
		return protowire.AppendFixed32(b, uint32(k.u))
	case protoreflect.Fixed64Kind:
		return protowire.AppendFixed64(b, k.u)
	}
	return protowire.AppendVarint(b, k.u) // uint32, uint64
}

// appendScalar appends one non-message value and reports whether it was the zero value, which
// fields without presence leave out.
func appendScalar(b []byte, vp *valuePlan, v any) ([]byte, bool, error) {
	switch vp.kind {
	case protoreflect.BoolKind:
		x, ok := v.(bool)
		if !ok {
			return b, false, typeErr(vp, v)
		}
		return protowire.AppendVarint(b, protowire.EncodeBool(x)), !x, nil
	case protoreflect.EnumKind:
		n, err := enumNumber(vp.enum, v)
		if err != nil {
			return b, false, err
		}
		return protowire.AppendVarint(b, uint64(int64(n))), n == 0, nil
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		n, err := toInt32(v)
		if err != nil {
			return b, false, err
		}
		switch vp.kind {
		case protoreflect.Int32Kind:
			b = protowire.AppendVarint(b, uint64(int64(n)))
		case protoreflect.Sint32Kind:
			b = protowire.AppendVarint(b, protowire.EncodeZigZag(int64(n)))
		default:
			b = protowire.AppendFixed32(b, uint32(n))
		}
		return b, n == 0, nil
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		n, err := toInt64(v)
		if err != nil {
			return b, false, err
		}
		switch vp.kind {
		case protoreflect.Int64Kind:
			b = protowire.AppendVarint(b, uint64(n))
		case protoreflect.Sint64Kind:
			b = protowire.AppendVarint(b, protowire.EncodeZigZag(n))
		default:
			b = protowire.AppendFixed64(b, uint64(n))
		}
		return b, n == 0, nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		n, err := toUint32(v)
		if err != nil {
			return b, false, err
		}
		if vp.kind == protoreflect.Uint32Kind {
			b = protowire.AppendVarint(b, uint64(n))
		} else {
			b = protowire.AppendFixed32(b, n)
		}
		return b, n == 0, nil
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		n, err := toUint64(v)
		if err != nil {
			return b, false, err
		}
		if vp.kind == protoreflect.Uint64Kind {
			b = protowire.AppendVarint(b, n)
		} else {
			b = protowire.AppendFixed64(b, n)
		}
		return b, n == 0, nil
	case protoreflect.FloatKind:
		f, err := toFloat32(v)
		if err != nil {
			return b, false, err
		}
		return protowire.AppendFixed32(b, math.Float32bits(f)), f == 0 && !math.Signbit(float64(f)), nil
	case protoreflect.DoubleKind:
		f, err := toFloat64(v)
		if err != nil {
			return b, false, err
		}
		return protowire.AppendFixed64(b, math.Float64bits(f)), f == 0 && !math.Signbit(f), nil
	case protoreflect.StringKind:
		s, ok := v.(string)
		if !ok {
			return b, false, typeErr(vp, v)
		}
		if vp.utf8 && !utf8.ValidString(s) {
			return b, false, errors.New("string is not valid UTF-8")
		}
		return protowire.AppendString(b, s), s == "", nil
	case protoreflect.BytesKind:
		switch x := v.(type) {
		case []byte:
			return protowire.AppendBytes(b, x), len(x) == 0, nil
		case string:
			// Schemaless input (JSON) carries bytes as base64, as Flink's JSON format does.
			d, err := base64.StdEncoding.DecodeString(x)
			if err != nil {
				return b, false, fmt.Errorf("bytes given as a string must be base64: %w", err)
			}
			return protowire.AppendBytes(b, d), len(d) == 0, nil
		}
		return b, false, typeErr(vp, v)
	}
	return b, false, fmt.Errorf("cannot encode protobuf %s", vp.typeName)
}

func typeErr(vp *valuePlan, v any) error {
	return fmt.Errorf("cannot encode Go type %T as protobuf %s", v, vp.typeName)
}

func enumNumber(e *enumPlan, v any) (int32, error) {
	if s, ok := v.(string); ok {
		if n, ok := e.numbers[s]; ok {
			return n, nil
		}
		// A number the enum does not name decodes as its decimal string; accept it back.
		if n, err := strconv.ParseInt(s, 10, 32); err == nil {
			return int32(n), nil
		}
		return 0, fmt.Errorf("%q is not a value of enum %s", s, e.name)
	}
	n, err := toInt32(v)
	if err != nil {
		return 0, fmt.Errorf("enum %s: %w", e.name, err)
	}
	return n, nil
}

func toTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case int64:
		return time.UnixMilli(x), nil
	case string:
		// RFC 3339, and what the json format writes (SQL or ISO-8601, with 'Z' for
		// TIMESTAMP_LTZ); text without a zone is UTC.
		t, err := formats.ParseTimestampAny(strings.TrimSpace(x))
		if err != nil {
			return time.Time{}, fmt.Errorf("%w: want yyyy-MM-dd HH:mm:ss[.fraction] or RFC 3339", err)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("cannot encode Go type %T as google.protobuf.Timestamp", v)
}

// Integer conversions accept any Go integer, an integral float (schemaless JSON numbers), a
// json.Number and a Decimal of integral value, within the target's range.

func toInt64(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int32:
		return int64(x), nil
	case int:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return 0, rangeErr(v, "int64")
		}
		return int64(x), nil
	case uint:
		if uint64(x) > math.MaxInt64 {
			return 0, rangeErr(v, "int64")
		}
		return int64(x), nil
	case float64:
		if x != math.Trunc(x) || x < -(1<<63) || x >= 1<<63 {
			return 0, rangeErr(v, "int64")
		}
		return int64(x), nil
	case float32:
		return toInt64(float64(x))
	case json.Number:
		n, err := x.Int64()
		if err != nil {
			return 0, rangeErr(v, "int64")
		}
		return n, nil
	case connect.Decimal:
		u, err := decimalInt(x)
		if err != nil || !u.IsInt64() {
			return 0, rangeErr(v, "int64")
		}
		return u.Int64(), nil
	}
	return 0, fmt.Errorf("cannot encode Go type %T as an integer", v)
}

func toInt32(v any) (int32, error) {
	if x, ok := v.(int32); ok {
		return x, nil
	}
	n, err := toInt64(v)
	if err != nil {
		return 0, err
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, rangeErr(v, "int32")
	}
	return int32(n), nil
}

func toUint32(v any) (uint32, error) {
	n, err := toUint64(v)
	if err != nil {
		return 0, err
	}
	if n > math.MaxUint32 {
		return 0, rangeErr(v, "uint32")
	}
	return uint32(n), nil
}

func toUint64(v any) (uint64, error) {
	switch x := v.(type) {
	case connect.Decimal:
		u, err := decimalInt(x)
		if err != nil || !u.IsUint64() {
			return 0, rangeErr(v, "uint64")
		}
		return u.Uint64(), nil
	case uint64:
		return x, nil
	case uint:
		return uint64(x), nil
	case float64:
		if x != math.Trunc(x) || x < 0 || x >= 1<<64 {
			return 0, rangeErr(v, "uint64")
		}
		return uint64(x), nil
	case json.Number:
		n, err := strconv.ParseUint(string(x), 10, 64)
		if err != nil {
			return 0, rangeErr(v, "uint64")
		}
		return n, nil
	}
	n, err := toInt64(v)
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, rangeErr(v, "an unsigned type")
	}
	return uint64(n), nil
}

func decimalInt(d connect.Decimal) (*big.Int, error) {
	if d.Unscaled == nil {
		return new(big.Int), nil
	}
	r, err := d.Rescale(0)
	if err != nil {
		return nil, err
	}
	return r.Unscaled, nil
}

func rangeErr(v any, typ string) error {
	return fmt.Errorf("value %v does not fit %s", v, typ)
}

func toFloat64(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case json.Number:
		return x.Float64()
	case connect.Decimal:
		return x.Float64(), nil
	}
	n, err := toInt64(v)
	if err != nil {
		return 0, fmt.Errorf("cannot encode Go type %T as a floating-point number", v)
	}
	return float64(n), nil
}

func toFloat32(v any) (float32, error) {
	if x, ok := v.(float32); ok {
		return x, nil
	}
	f, err := toFloat64(v)
	return float32(f), err
}
