package protobuf

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/raftconnect/raftconnect/connect"
)

// DecodeError reports where a message could not be decoded.
type DecodeError struct {
	// Message is the full name of the message type being decoded.
	Message string
	// Field is the path of the field being decoded, such as "items[2].name"; empty when the
	// error is not within a known field.
	Field string
	// Number is the protobuf field number of the innermost field (0 if unknown).
	Number int
	// Offset is the byte offset in the input where the problem was found; -1 for problems
	// that belong to no position, such as a missing required field.
	Offset int
	Err    error
}

func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("protobuf message ")
	b.WriteString(e.Message)
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %s (number %d)", e.Field, e.Number)
	}
	if e.Offset >= 0 {
		fmt.Fprintf(&b, " at byte %d", e.Offset)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

func (e *DecodeError) Unwrap() error { return e.Err }

// within prefixes the error's field path with the enclosing field.
func (e *DecodeError) within(fp *fieldPlan, elem int) {
	name := fp.name
	if elem >= 0 {
		name += "[" + strconv.Itoa(elem) + "]"
	}
	if e.Number == 0 {
		e.Number = int(fp.num)
	}
	if e.Field == "" {
		e.Field = name
	} else {
		e.Field = name + "." + e.Field
	}
}

func errAt(off int, err error) *DecodeError { return &DecodeError{Offset: off, Err: err} }

func topLevelDecodeError(msg string, err error) error {
	var de *DecodeError
	if errors.As(err, &de) {
		de.Message = msg
		return de
	}
	return &DecodeError{Message: msg, Offset: -1, Err: err}
}

// errWireType marks a known field arriving with another wire type. The reference
// implementation keeps such a field as an unknown field; so do we, by skipping it.
var errWireType = errors.New("wire type does not match the field")

// emptyList is the value of an absent repeated field. It has no room to append in place, so
// sharing it between records is safe.
var emptyList any = []any{}

// decodeCtx carries one Decode call's settings.
type decodeCtx struct {
	// src is the whole input as a string when the message has string fields, so string values
	// are substrings of it; offsets index both src and the input.
	src          string
	readDefaults bool
}

type seg struct {
	b   []byte
	off int
}

// segList collects the occurrences of a singular message field: a message that appears more
// than once is the merge of all occurrences, which is what decoding them in turn gives.
type segList struct {
	n     int
	first seg
	more  []seg
}

func (l *segList) add(s seg) {
	if l.n == 0 {
		l.first = s
	} else {
		l.more = append(l.more, s)
	}
	l.n++
}

func (l *segList) at(i int) seg {
	if i == 0 {
		return l.first
	}
	return l.more[i-1]
}

// msgState is a message being decoded.
type msgState struct {
	mp    *msgPlan
	st    *connect.Struct
	raws  []segList
	lists [][]any
}

// message decodes one occurrence of mp (the top level, a repeated element, a map value).
func (dc *decodeCtx) message(mp *msgPlan, b []byte, off int) (*connect.Struct, error) {
	l := segList{n: 1, first: seg{b, off}}
	return dc.messageSegs(mp, mp.schema, &l)
}

func (dc *decodeCtx) messageSegs(mp *msgPlan, schema *connect.Schema, l *segList) (*connect.Struct, error) {
	s := msgState{mp: mp, st: connect.NewStruct(schema)}
	// Leaf messages (most nested ones) need neither.
	if mp.msgSlots > 0 {
		s.raws = make([]segList, mp.msgSlots)
	}
	if mp.listSlots > 0 {
		s.lists = make([][]any, mp.listSlots)
	}
	for i := 0; i < l.n; i++ {
		sg := l.at(i)
		if err := dc.scan(&s, sg.b, sg.off); err != nil {
			return nil, err
		}
	}
	if err := dc.finish(&s); err != nil {
		return nil, err
	}
	return s.st, nil
}

func (dc *decodeCtx) scan(s *msgState, b []byte, off int) error {
	mp := s.mp
	for i := 0; i < len(b); {
		num, wt, n := protowire.ConsumeTag(b[i:])
		if n < 0 {
			return errAt(off+i, fmt.Errorf("invalid field tag: %w", protowire.ParseError(n)))
		}
		if num > protowire.MaxValidNumber {
			return errAt(off+i, fmt.Errorf("field number %d is above the maximum %d", num, protowire.MaxValidNumber))
		}
		i += n
		fp := mp.field(num)
		if fp != nil {
			m, err := dc.field(s, fp, wt, b[i:], off+i)
			if err == nil {
				i += m
				continue
			}
			if err != errWireType {
				return err
			}
		}
		m := protowire.ConsumeFieldValue(num, wt, b[i:])
		if m < 0 {
			if fp != nil {
				// A known field with another wire type is skipped like an unknown one.
				return fieldErr(errAt(off+i, fmt.Errorf("value with wire type %d (not the field's %d): %w",
					wt, fp.wireFor(), protowire.ParseError(m))), fp, -1)
			}
			return errAt(off+i, fmt.Errorf("unknown field %d with wire type %d: %w", num, wt, protowire.ParseError(m)))
		}
		i += m
	}
	return nil
}

// body consumes a message-like value and returns its bytes and their offset.
func body(vp *valuePlan, num protowire.Number, wt protowire.Type, b []byte, off int) (seg, int, error) {
	if wt != vp.wire {
		return seg{}, 0, errWireType
	}
	if wt == protowire.StartGroupType {
		v, n := protowire.ConsumeGroup(num, b)
		if n < 0 {
			return seg{}, 0, errAt(off, fmt.Errorf("group: %w", protowire.ParseError(n)))
		}
		return seg{v, off}, n, nil
	}
	v, n := protowire.ConsumeBytes(b)
	if n < 0 {
		return seg{}, 0, errAt(off, fmt.Errorf("%s length: %w", vp.typeName, protowire.ParseError(n)))
	}
	return seg{v, off + n - len(v)}, n, nil
}

func (dc *decodeCtx) field(s *msgState, fp *fieldPlan, wt protowire.Type, b []byte, off int) (int, error) {
	switch fp.card {
	case singular:
		if fp.val.messageLike() {
			sg, n, err := body(&fp.val, fp.num, wt, b, off)
			if err != nil {
				return 0, fieldErr(err, fp, -1)
			}
			if fp.oneof >= 0 {
				s.clearOneof(fp)
			}
			s.raws[fp.slot].add(sg)
			return n, nil
		}
		v, n, err := dc.scalar(&fp.val, wt, b, off)
		if err != nil {
			return 0, fieldErr(err, fp, -1)
		}
		if fp.oneof >= 0 {
			s.clearOneof(fp)
		}
		return n, s.put(fp.index, v)

	case repeated:
		list := s.lists[fp.slot]
		if fp.val.messageLike() {
			sg, n, err := body(&fp.val, fp.num, wt, b, off)
			if err != nil {
				return 0, fieldErr(err, fp, len(list))
			}
			l := segList{n: 1, first: sg}
			v, err := dc.messageValue(&fp.val, fp.val.schema, &l)
			if err != nil {
				return 0, fieldErr(err, fp, len(list))
			}
			s.lists[fp.slot] = append(list, v)
			return n, nil
		}
		if wt == protowire.BytesType && fp.packable {
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return 0, fieldErr(errAt(off, fmt.Errorf("packed length: %w", protowire.ParseError(n))), fp, -1)
			}
			vo := off + n - len(v)
			switch fp.val.wire {
			case protowire.Fixed32Type:
				list = grow(list, len(v)/4)
			case protowire.Fixed64Type:
				list = grow(list, len(v)/8)
			}
			for j := 0; j < len(v); {
				x, m, err := dc.scalar(&fp.val, fp.val.wire, v[j:], vo+j)
				if err != nil {
					return 0, fieldErr(err, fp, len(list))
				}
				list = append(list, x)
				j += m
			}
			s.lists[fp.slot] = list
			return n, nil
		}
		x, n, err := dc.scalar(&fp.val, wt, b, off)
		if err != nil {
			return 0, fieldErr(err, fp, len(list))
		}
		s.lists[fp.slot] = append(list, x)
		return n, nil

	default: // mapped
		if wt != protowire.BytesType {
			return 0, errWireType
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return 0, fieldErr(errAt(off, fmt.Errorf("map entry length: %w", protowire.ParseError(n))), fp, -1)
		}
		if err := dc.mapEntry(s, fp, v, off+n-len(v)); err != nil {
			return 0, fieldErr(err, fp, -1)
		}
		return n, nil
	}
}

func grow(l []any, n int) []any {
	if cap(l)-len(l) < n {
		nl := make([]any, len(l), len(l)+n)
		copy(nl, l)
		return nl
	}
	return l
}

func fieldErr(err error, fp *fieldPlan, elem int) error {
	if err == errWireType {
		return err
	}
	var de *DecodeError
	if errors.As(err, &de) {
		de.within(fp, elem)
		return de
	}
	de = &DecodeError{Offset: -1, Err: err}
	de.within(fp, elem)
	return de
}

func (s *msgState) put(i int, v any) error {
	if err := s.st.PutIndex(i, v); err != nil {
		return fmt.Errorf("internal error: %w", err)
	}
	return nil
}

// clearOneof unsets the other members of fp's oneof: the last member on the wire wins.
func (s *msgState) clearOneof(fp *fieldPlan) {
	for _, j := range s.mp.oneofs[fp.oneof] {
		if j == fp.index {
			continue
		}
		o := &s.mp.fields[j]
		if o.val.messageLike() {
			s.raws[o.slot] = segList{}
		} else {
			_ = s.st.PutIndex(j, nil)
		}
	}
}

func (dc *decodeCtx) mapEntry(s *msgState, fp *fieldPlan, b []byte, off int) error {
	var (
		key, val         any
		rawKey           uint64
		haveKey, haveVal bool
		valSegs          segList
	)
	for i := 0; i < len(b); {
		num, wt, n := protowire.ConsumeTag(b[i:])
		if n < 0 {
			return errAt(off+i, fmt.Errorf("map entry tag: %w", protowire.ParseError(n)))
		}
		if num > protowire.MaxValidNumber {
			return errAt(off+i, fmt.Errorf("map entry field number %d is above the maximum", num))
		}
		i += n
		var err error
		m := 0
		switch num {
		case 1:
			// Decode into temporaries: a later occurrence with the wrong wire type is skipped
			// and must not clear an earlier key.
			if fp.u64Keys {
				var k uint64
				if k, m, err = rawUint64(fp.key, wt, b[i:], off+i); err == nil {
					rawKey = k
				}
			} else {
				var k any
				if k, m, err = dc.scalar(fp.key, wt, b[i:], off+i); err == nil {
					key = k
				}
			}
			if err == nil {
				haveKey = true
			} else if err != errWireType {
				return keyErr(err)
			}
		case 2:
			if fp.val.messageLike() {
				var sg seg
				sg, m, err = body(&fp.val, 2, wt, b[i:], off+i)
				if err == nil {
					valSegs.add(sg)
				}
			} else {
				var v any
				if v, m, err = dc.scalar(&fp.val, wt, b[i:], off+i); err == nil {
					val = v
				}
			}
			if err == nil {
				haveVal = true
			} else if err != errWireType {
				return valueErr(err)
			}
		default:
			err = errWireType
		}
		if err == errWireType {
			m = protowire.ConsumeFieldValue(num, wt, b[i:])
			if m < 0 {
				return errAt(off+i, fmt.Errorf("map entry field %d: %w", num, protowire.ParseError(m)))
			}
		}
		i += m
	}
	if fp.val.messageLike() {
		v, err := dc.messageValue(&fp.val, fp.val.schema, &valSegs)
		if err != nil {
			return valueErr(err)
		}
		val = v
	} else if !haveVal {
		val = fp.val.defaultValue()
	}

	switch {
	case fp.u64Keys:
		key = strconv.FormatUint(rawKey, 10)
	case !haveKey:
		key = fp.key.dflt
	}
	// The map goes into the struct while empty, so the struct checks it once, cheaply; entries
	// are added in place afterwards.
	switch m := s.st.RawIndex(fp.index).(type) {
	case map[string]any:
		m[key.(string)] = val
		return nil
	case map[any]any:
		m[key] = val
		return nil
	}
	if fp.key.kind == protoreflect.StringKind || fp.u64Keys {
		m := map[string]any{}
		if err := s.put(fp.index, m); err != nil {
			return err
		}
		m[key.(string)] = val
		return nil
	}
	m := map[any]any{}
	if err := s.put(fp.index, m); err != nil {
		return err
	}
	m[key] = val
	return nil
}

func keyErr(err error) error   { return entryErr(err, "key") }
func valueErr(err error) error { return entryErr(err, "value") }

func entryErr(err error, part string) error {
	var de *DecodeError
	if errors.As(err, &de) {
		if de.Field == "" {
			de.Field = "<" + part + ">"
		} else {
			de.Field = "<" + part + ">." + de.Field
		}
		return de
	}
	return &DecodeError{Field: "<" + part + ">", Offset: -1, Err: err}
}

func rawUint64(vp *valuePlan, wt protowire.Type, b []byte, off int) (uint64, int, error) {
	if wt != vp.wire {
		return 0, 0, errWireType
	}
	var v uint64
	var n int
	if wt == protowire.Fixed64Type {
		v, n = protowire.ConsumeFixed64(b)
	} else {
		v, n = protowire.ConsumeVarint(b)
	}
	if n < 0 {
		return 0, 0, errAt(off, fmt.Errorf("%s value: %w", vp.typeName, protowire.ParseError(n)))
	}
	return v, n, nil
}

// messageValue decodes a message-like value from its occurrences: a struct, or the Connect
// primitive of a Timestamp or wrapper.
func (dc *decodeCtx) messageValue(vp *valuePlan, schema *connect.Schema, l *segList) (any, error) {
	switch vp.special {
	case specialTimestamp:
		var secs, nanos int64
		err := eachField(l, func(num protowire.Number, wt protowire.Type, b []byte, off int) (int, error) {
			if (num != 1 && num != 2) || wt != protowire.VarintType {
				return 0, errWireType
			}
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return 0, errAt(off, fmt.Errorf("timestamp field %d: %w", num, protowire.ParseError(n)))
			}
			if num == 1 {
				secs = int64(v)
			} else {
				nanos = int64(int32(v))
			}
			return n, nil
		})
		if err != nil {
			return nil, err
		}
		return time.Unix(secs, nanos).UTC(), nil
	case specialWrapper:
		var val any
		err := eachField(l, func(num protowire.Number, wt protowire.Type, b []byte, off int) (int, error) {
			if num != 1 {
				return 0, errWireType
			}
			v, n, err := dc.scalar(vp.inner, wt, b, off)
			if err == nil {
				val = v
			}
			return n, err
		})
		if err != nil {
			return nil, err
		}
		if val == nil {
			val = vp.inner.defaultValue()
		}
		return val, nil
	}
	return dc.messageSegs(vp.msg, schema, l)
}

// eachField runs fn on every field of the occurrences in l; fn returns errWireType for fields
// it does not know, which are skipped.
func eachField(l *segList, fn func(num protowire.Number, wt protowire.Type, b []byte, off int) (int, error)) error {
	for k := 0; k < l.n; k++ {
		sg := l.at(k)
		b := sg.b
		for i := 0; i < len(b); {
			num, wt, n := protowire.ConsumeTag(b[i:])
			if n < 0 {
				return errAt(sg.off+i, fmt.Errorf("invalid field tag: %w", protowire.ParseError(n)))
			}
			if num > protowire.MaxValidNumber {
				return errAt(sg.off+i, fmt.Errorf("field number %d is above the maximum", num))
			}
			i += n
			m, err := fn(num, wt, b[i:], sg.off+i)
			if err == errWireType {
				m = protowire.ConsumeFieldValue(num, wt, b[i:])
				if m < 0 {
					return errAt(sg.off+i, fmt.Errorf("unknown field %d: %w", num, protowire.ParseError(m)))
				}
			} else if err != nil {
				return err
			}
			i += m
		}
	}
	return nil
}

// scalar decodes one non-message value arriving with wire type wt.
func (dc *decodeCtx) scalar(vp *valuePlan, wt protowire.Type, b []byte, off int) (any, int, error) {
	if wt != vp.wire {
		return nil, 0, errWireType
	}
	switch wt {
	case protowire.VarintType:
		v, n := protowire.ConsumeVarint(b)
		if n < 0 {
			return nil, 0, errAt(off, fmt.Errorf("%s value: %w", vp.typeName, protowire.ParseError(n)))
		}
		switch vp.kind {
		case protoreflect.BoolKind:
			return v != 0, n, nil
		case protoreflect.EnumKind:
			return vp.enum.nameOf(int32(v)), n, nil
		case protoreflect.Int32Kind:
			return int32(v), n, nil
		case protoreflect.Sint32Kind:
			return int32(protowire.DecodeZigZag(v & math.MaxUint32)), n, nil
		case protoreflect.Uint32Kind:
			return int64(uint32(v)), n, nil
		case protoreflect.Int64Kind:
			return int64(v), n, nil
		case protoreflect.Sint64Kind:
			return protowire.DecodeZigZag(v), n, nil
		default: // Uint64Kind
			return uint64Decimal(v), n, nil
		}
	case protowire.Fixed32Type:
		v, n := protowire.ConsumeFixed32(b)
		if n < 0 {
			return nil, 0, errAt(off, fmt.Errorf("%s value: %w", vp.typeName, protowire.ParseError(n)))
		}
		switch vp.kind {
		case protoreflect.Sfixed32Kind:
			return int32(v), n, nil
		case protoreflect.Fixed32Kind:
			return int64(v), n, nil
		default: // FloatKind
			return math.Float32frombits(v), n, nil
		}
	case protowire.Fixed64Type:
		v, n := protowire.ConsumeFixed64(b)
		if n < 0 {
			return nil, 0, errAt(off, fmt.Errorf("%s value: %w", vp.typeName, protowire.ParseError(n)))
		}
		switch vp.kind {
		case protoreflect.Sfixed64Kind:
			return int64(v), n, nil
		case protoreflect.Fixed64Kind:
			return uint64Decimal(v), n, nil
		default: // DoubleKind
			return math.Float64frombits(v), n, nil
		}
	default: // BytesType: string or bytes
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return nil, 0, errAt(off, fmt.Errorf("%s length: %w", vp.typeName, protowire.ParseError(n)))
		}
		if vp.kind == protoreflect.BytesKind {
			return append([]byte{}, v...), n, nil
		}
		start := off + n - len(v)
		var s string
		if dc.src != "" {
			s = dc.src[start : start+len(v)]
		} else {
			s = string(v)
		}
		if vp.utf8 && !utf8.ValidString(s) {
			return nil, 0, errAt(start, errors.New("string is not valid UTF-8"))
		}
		return s, n, nil
	}
}

// finish fills what the wire did not carry and decodes singular message fields.
func (dc *decodeCtx) finish(s *msgState) error {
	mp := s.mp
	for i := range mp.fields {
		fp := &mp.fields[i]
		switch fp.card {
		case repeated:
			var v any = emptyList
			if l := s.lists[fp.slot]; l != nil {
				v = l
			}
			if err := s.put(i, v); err != nil {
				return err
			}
		case mapped:
			if s.st.RawIndex(i) != nil {
				continue
			}
			var m any = map[any]any{}
			if fp.key.kind == protoreflect.StringKind || fp.u64Keys {
				m = map[string]any{}
			}
			if err := s.put(i, m); err != nil {
				return err
			}
		default:
			if fp.val.messageLike() {
				l := &s.raws[fp.slot]
				if l.n == 0 {
					if fp.required {
						return missingRequired(fp)
					}
					continue
				}
				schema := fp.val.schema
				if fp.structOpt {
					schema = fp.val.optSchema
				}
				v, err := dc.messageValue(&fp.val, schema, l)
				if err != nil {
					return fieldErr(err, fp, -1)
				}
				if err := s.put(i, v); err != nil {
					return err
				}
				continue
			}
			if s.st.RawIndex(i) != nil {
				continue
			}
			switch {
			case !fp.presence:
				if err := s.put(i, fp.val.defaultValue()); err != nil {
					return err
				}
			case fp.required:
				return missingRequired(fp)
			case dc.readDefaults && fp.oneof < 0:
				if err := s.put(i, fp.val.defaultValue()); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func missingRequired(fp *fieldPlan) error {
	de := &DecodeError{Offset: -1, Err: errors.New("required field is not set")}
	de.within(fp, -1)
	return de
}
