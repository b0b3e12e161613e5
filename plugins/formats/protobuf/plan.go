package protobuf

import (
	"bytes"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/raftconnect/raftconnect/connect"
)

// The plan is computed once per message descriptor when the format is configured. Decoding and
// encoding then walk the wire bytes with it directly: no protoreflect, no dynamic messages, no
// per-record lookups beyond a slice index by field number.

// special marks message types that map to a Connect primitive instead of a STRUCT.
type special uint8

const (
	specialNone special = iota
	specialTimestamp
	specialWrapper
)

type cardinality uint8

const (
	singular cardinality = iota
	repeated
	mapped
)

// valuePlan describes one value of a field: the field itself when singular, an element of a
// repeated field, or a map key or value.
type valuePlan struct {
	kind    protoreflect.Kind
	wire    protowire.Type // the wire type a non-packed value arrives with
	special special
	msg     *msgPlan   // message and group kinds without special mapping
	inner   *valuePlan // the value of a wrapper type
	enum    *enumPlan
	utf8    bool // reject strings that are not valid UTF-8, as the reference implementation does
	// schema is the value's Connect schema where it cannot be null (elements, map entries,
	// required fields); optSchema where it can.
	schema    *connect.Schema
	optSchema *connect.Schema
	// dflt is the boxed Connect form of the value's default: the proto2 [default=], else the
	// type's zero value. nil for messages.
	dflt     any
	typeName string
}

// messageLike reports whether the value travels as a length-delimited message or a group.
func (vp *valuePlan) messageLike() bool {
	return vp.kind == protoreflect.MessageKind || vp.kind == protoreflect.GroupKind
}

// defaultValue returns the default, copied where sharing one value between records would let
// one record's consumer change another's.
func (vp *valuePlan) defaultValue() any {
	switch d := vp.dflt.(type) {
	case []byte:
		if len(d) > 0 {
			return bytes.Clone(d)
		}
	case connect.Decimal:
		return connect.Decimal{Unscaled: new(big.Int).Set(d.Unscaled)}
	}
	return vp.dflt
}

type enumPlan struct {
	name    string
	dense   []any // boxed names by number for numbers in [0, len)
	sparse  map[int32]any
	numbers map[string]int32
}

func (e *enumPlan) nameOf(n int32) any {
	if n >= 0 && int(n) < len(e.dense) {
		if s := e.dense[n]; s != nil {
			return s
		}
	} else if s, ok := e.sparse[n]; ok {
		return s
	}
	// Open enums carry numbers their definition does not list; keep the number.
	return strconv.FormatInt(int64(n), 10)
}

type fieldPlan struct {
	val       valuePlan  // the value, the element of a repeated field, or a map's value
	key       *valuePlan // a map's key
	name      string
	num       protowire.Number
	index     int // Connect field index = declaration index
	card      cardinality
	presence  bool
	required  bool // proto2 required
	oneof     int  // index into msgPlan.oneofs, or -1
	packed    bool // encode packed
	packable  bool // accept packed on decode
	slot      int  // msgState.raws slot (singular message-like) or msgState.lists slot (repeated)
	u64Keys   bool // map keyed by uint64/fixed64, whose Connect keys are decimal strings
	schema    *connect.Schema
	structOpt bool // a singular message-like field's struct takes the optional schema
}

type msgPlan struct {
	name      string
	fields    []fieldPlan
	dense     []int16 // field number → index+1, for numbers below len(dense)
	sparse    map[protowire.Number]int
	byName    map[string]int
	encOrder  []int   // field indices in the order the encoder writes them
	identity  []int   // proto index → Connect index for the plan's own schemas
	oneofs    [][]int // member field indices of each real oneof
	required  []int
	msgSlots  int
	listSlots int
	schema    *connect.Schema
	optSchema *connect.Schema
	// hasStrings is set when the message or a message inside it has string values.
	hasStrings bool
}

// wireFor is the wire type the field's values normally arrive with.
func (fp *fieldPlan) wireFor() protowire.Type {
	if fp.card == mapped || fp.packed {
		return protowire.BytesType
	}
	return fp.val.wire
}

func (mp *msgPlan) field(num protowire.Number) *fieldPlan {
	if int(num) < len(mp.dense) {
		if i := mp.dense[num]; i > 0 {
			return &mp.fields[i-1]
		}
		return nil
	}
	if i, ok := mp.sparse[num]; ok {
		return &mp.fields[i]
	}
	return nil
}

// NewCodecFor plans message md. It fails for message types that cannot map to a Connect
// schema: recursive ones.
func NewCodecFor(md protoreflect.MessageDescriptor) (*Codec, error) {
	p := planner{memo: map[protoreflect.FullName]*msgPlan{}, visiting: map[protoreflect.FullName]bool{}}
	mp, err := p.message(md)
	if err != nil {
		return nil, err
	}
	return &Codec{plan: mp}, nil
}

type planner struct {
	memo     map[protoreflect.FullName]*msgPlan
	visiting map[protoreflect.FullName]bool
	path     []string
}

func (p *planner) message(md protoreflect.MessageDescriptor) (*msgPlan, error) {
	name := md.FullName()
	if mp, ok := p.memo[name]; ok {
		return mp, nil
	}
	if p.visiting[name] {
		return nil, fmt.Errorf("message %s is recursive (%s → %s); a Connect schema cannot describe it",
			name, strings.Join(p.path, "."), name)
	}
	p.visiting[name] = true
	defer delete(p.visiting, name)

	fds := md.Fields()
	mp := &msgPlan{name: string(name), fields: make([]fieldPlan, fds.Len()), byName: make(map[string]int, fds.Len())}
	maxNum := protowire.Number(0)
	oneofIndex := map[protoreflect.FullName]int{}
	for i := 0; i < fds.Len(); i++ {
		fd := fds.Get(i)
		p.path = append(p.path, string(fd.Name()))
		fp, err := p.field(fd)
		p.path = p.path[:len(p.path)-1]
		if err != nil {
			return nil, err
		}
		fp.index = i
		fp.oneof = -1
		if od := fd.ContainingOneof(); od != nil && !od.IsSynthetic() {
			g, ok := oneofIndex[od.FullName()]
			if !ok {
				g = len(mp.oneofs)
				oneofIndex[od.FullName()] = g
				mp.oneofs = append(mp.oneofs, nil)
			}
			fp.oneof = g
			mp.oneofs[g] = append(mp.oneofs[g], i)
		}
		switch {
		case fp.card == singular && fp.val.messageLike():
			fp.slot = mp.msgSlots
			mp.msgSlots++
		case fp.card == repeated:
			fp.slot = mp.listSlots
			mp.listSlots++
		}
		if fp.required {
			mp.required = append(mp.required, i)
		}
		if fp.val.kind == protoreflect.StringKind || (fp.val.msg != nil && fp.val.msg.hasStrings) ||
			(fp.val.inner != nil && fp.val.inner.kind == protoreflect.StringKind) ||
			(fp.key != nil && fp.key.kind == protoreflect.StringKind) || fp.u64Keys {
			mp.hasStrings = true
		}
		maxNum = max(maxNum, fp.num)
		mp.byName[fp.name] = i
		mp.fields[i] = *fp
	}

	const denseLimit = 1024
	if maxNum < denseLimit {
		mp.dense = make([]int16, maxNum+1)
	} else {
		mp.sparse = make(map[protowire.Number]int, len(mp.fields))
	}
	mp.identity = make([]int, len(mp.fields))
	for i := range mp.fields {
		if num := mp.fields[i].num; int(num) < len(mp.dense) {
			mp.dense[num] = int16(i + 1)
		} else {
			mp.sparse[num] = i
		}
		mp.identity[i] = i
	}

	// Go's deterministic order (order.LegacyFieldOrder): fields outside oneofs by number, then
	// each oneof's members in oneof declaration order.
	mp.encOrder = make([]int, len(mp.fields))
	copy(mp.encOrder, mp.identity)
	sort.SliceStable(mp.encOrder, func(a, b int) bool {
		x, y := &mp.fields[mp.encOrder[a]], &mp.fields[mp.encOrder[b]]
		if (x.oneof >= 0) != (y.oneof >= 0) {
			return x.oneof < 0
		}
		if x.oneof != y.oneof {
			return x.oneof < y.oneof
		}
		return x.num < y.num
	})

	sb := connect.StructBuilder().Name(string(name))
	for i := range mp.fields {
		sb.Field(mp.fields[i].name, mp.fields[i].schema)
	}
	var err error
	if mp.schema, err = sb.Build(); err != nil {
		return nil, fmt.Errorf("message %s: %w", name, err)
	}
	if mp.optSchema, err = sb.Optional().Build(); err != nil {
		return nil, fmt.Errorf("message %s: %w", name, err)
	}
	p.memo[name] = mp
	return mp, nil
}

func (p *planner) field(fd protoreflect.FieldDescriptor) (*fieldPlan, error) {
	fp := &fieldPlan{
		name:     string(fd.Name()),
		num:      fd.Number(),
		presence: fd.HasPresence(),
		required: fd.Cardinality() == protoreflect.Required,
	}
	var err error
	switch {
	case fd.IsMap():
		fp.card = mapped
		if fp.key, err = p.value(fd.MapKey()); err != nil {
			return nil, err
		}
		vp, err := p.value(fd.MapValue())
		if err != nil {
			return nil, err
		}
		fp.val = *vp
		keySchema := fp.key.schema
		if fp.key.kind == protoreflect.Uint64Kind || fp.key.kind == protoreflect.Fixed64Kind {
			// A Decimal cannot key a Go map (it holds a pointer), so 64-bit unsigned keys are
			// their decimal digits.
			fp.u64Keys = true
			keySchema = connect.StringSchema
		}
		fp.schema, err = connect.MapOf(keySchema, fp.val.schema).Build()
	case fd.IsList():
		fp.card = repeated
		vp, err := p.value(fd)
		if err != nil {
			return nil, err
		}
		fp.val = *vp
		fp.packable = !fp.val.messageLike() && fp.val.kind != protoreflect.StringKind && fp.val.kind != protoreflect.BytesKind
		fp.packed = fp.packable && fd.IsPacked()
		fp.schema, err = connect.ArrayOf(fp.val.schema).Build()
	default:
		vp, err := p.value(fd)
		if err != nil {
			return nil, err
		}
		fp.val = *vp
		fp.schema = fp.val.schema
		if fp.presence && !fp.required {
			fp.schema = fp.val.optSchema
			fp.structOpt = true
		}
	}
	if err != nil {
		return nil, fmt.Errorf("field %s: %w", fd.FullName(), err)
	}
	return fp, nil
}

var wrapperKinds = map[protoreflect.FullName]protoreflect.Kind{
	"google.protobuf.DoubleValue": protoreflect.DoubleKind,
	"google.protobuf.FloatValue":  protoreflect.FloatKind,
	"google.protobuf.Int64Value":  protoreflect.Int64Kind,
	"google.protobuf.UInt64Value": protoreflect.Uint64Kind,
	"google.protobuf.Int32Value":  protoreflect.Int32Kind,
	"google.protobuf.UInt32Value": protoreflect.Uint32Kind,
	"google.protobuf.BoolValue":   protoreflect.BoolKind,
	"google.protobuf.StringValue": protoreflect.StringKind,
	"google.protobuf.BytesValue":  protoreflect.BytesKind,
}

// value plans the value of fd (for repeated fields, one element).
func (p *planner) value(fd protoreflect.FieldDescriptor) (*valuePlan, error) {
	vp := &valuePlan{kind: fd.Kind(), typeName: fd.Kind().String()}
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		vp.wire = protowire.BytesType
		if fd.Kind() == protoreflect.GroupKind {
			vp.wire = protowire.StartGroupType
		}
		md := fd.Message()
		vp.typeName = string(md.FullName())
		if md.FullName() == "google.protobuf.Timestamp" {
			vp.special = specialTimestamp
			vp.schema = connect.TimestampSchema().MustBuild()
			vp.optSchema = connect.TimestampSchema().Optional().MustBuild()
			return vp, nil
		}
		if k, ok := wrapperKinds[md.FullName()]; ok {
			if f := md.Fields().ByNumber(1); f == nil || f.Kind() != k || f.IsList() {
				return nil, fmt.Errorf("%s does not have the well-known wrapper layout", md.FullName())
			}
			inner, err := p.value(md.Fields().ByNumber(1))
			if err != nil {
				return nil, err
			}
			vp.special = specialWrapper
			vp.inner = inner
			vp.schema, vp.optSchema = inner.schema, inner.optSchema
			return vp, nil
		}
		mp, err := p.message(md)
		if err != nil {
			return nil, err
		}
		vp.msg = mp
		vp.schema, vp.optSchema = mp.schema, mp.optSchema
		return vp, nil
	case protoreflect.EnumKind:
		vp.wire = protowire.VarintType
		vp.enum = p.enum(fd.Enum())
		vp.typeName = "enum " + vp.enum.name
		vp.schema, vp.optSchema = connect.StringSchema, connect.OptionalStringSchema
	case protoreflect.BoolKind:
		vp.wire = protowire.VarintType
		vp.schema, vp.optSchema = connect.BooleanSchema, connect.OptionalBooleanSchema
	case protoreflect.Int32Kind, protoreflect.Sint32Kind:
		vp.wire = protowire.VarintType
		vp.schema, vp.optSchema = connect.Int32Schema, connect.OptionalInt32Schema
	case protoreflect.Sfixed32Kind:
		vp.wire = protowire.Fixed32Type
		vp.schema, vp.optSchema = connect.Int32Schema, connect.OptionalInt32Schema
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Uint32Kind:
		vp.wire = protowire.VarintType
		vp.schema, vp.optSchema = connect.Int64Schema, connect.OptionalInt64Schema
	case protoreflect.Sfixed64Kind:
		vp.wire = protowire.Fixed64Type
		vp.schema, vp.optSchema = connect.Int64Schema, connect.OptionalInt64Schema
	case protoreflect.Fixed32Kind:
		vp.wire = protowire.Fixed32Type
		vp.schema, vp.optSchema = connect.Int64Schema, connect.OptionalInt64Schema
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		vp.wire = protowire.VarintType
		if fd.Kind() == protoreflect.Fixed64Kind {
			vp.wire = protowire.Fixed64Type
		}
		vp.schema = connect.DecimalSchema(0).MustBuild()
		vp.optSchema = connect.DecimalSchema(0).Optional().MustBuild()
	case protoreflect.FloatKind:
		vp.wire = protowire.Fixed32Type
		vp.schema, vp.optSchema = connect.Float32Schema, connect.OptionalFloat32Schema
	case protoreflect.DoubleKind:
		vp.wire = protowire.Fixed64Type
		vp.schema, vp.optSchema = connect.Float64Schema, connect.OptionalFloat64Schema
	case protoreflect.StringKind:
		vp.wire = protowire.BytesType
		vp.utf8 = enforceUTF8(fd)
		vp.schema, vp.optSchema = connect.StringSchema, connect.OptionalStringSchema
	case protoreflect.BytesKind:
		vp.wire = protowire.BytesType
		vp.schema, vp.optSchema = connect.BytesSchema, connect.OptionalBytesSchema
	default:
		return nil, fmt.Errorf("unsupported protobuf kind %s", fd.Kind())
	}
	d := fd.Default()
	if fd.IsList() {
		// Elements have no declared default: the type's, with an enum's first value, as Flink
		// writes for null elements.
		d = zeroOf(fd)
	}
	vp.dflt = vp.fromReflect(d)
	return vp, nil
}

func zeroOf(fd protoreflect.FieldDescriptor) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(false)
	case protoreflect.EnumKind:
		return protoreflect.ValueOfEnum(fd.Enum().Values().Get(0).Number())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(0)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(0)
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(0)
	case protoreflect.StringKind:
		return protoreflect.ValueOfString("")
	}
	return protoreflect.ValueOfBytes(nil)
}

// enforceUTF8 mirrors the reference implementation: proto3 strings must be UTF-8, proto2
// strings need not be, and editions files say per field.
func enforceUTF8(fd protoreflect.FieldDescriptor) bool {
	if fd.Syntax() == protoreflect.Editions {
		if f, ok := fd.(interface{ EnforceUTF8() bool }); ok {
			return f.EnforceUTF8()
		}
	}
	return fd.Syntax() == protoreflect.Proto3
}

func (p *planner) enum(ed protoreflect.EnumDescriptor) *enumPlan {
	vals := ed.Values()
	e := &enumPlan{name: string(ed.FullName()), numbers: make(map[string]int32, vals.Len())}
	const denseLimit = 256
	maxDense := -1
	for i := 0; i < vals.Len(); i++ {
		if n := int(vals.Get(i).Number()); n >= 0 && n < denseLimit {
			maxDense = max(maxDense, n)
		}
	}
	e.dense = make([]any, maxDense+1)
	for i := 0; i < vals.Len(); i++ {
		v := vals.Get(i)
		n := int32(v.Number())
		e.numbers[string(v.Name())] = n
		// With allow_alias several names share a number; the first declared one names it, as
		// ByNumber does.
		name := any(string(v.Name()))
		if n >= 0 && int(n) < len(e.dense) {
			if e.dense[n] == nil {
				e.dense[n] = name
			}
			continue
		}
		if e.sparse == nil {
			e.sparse = map[int32]any{}
		}
		if _, ok := e.sparse[n]; !ok {
			e.sparse[n] = name
		}
	}
	return e
}

// fromReflect converts a scalar protoreflect value (a default) to its Connect form.
func (vp *valuePlan) fromReflect(v protoreflect.Value) any {
	switch vp.kind {
	case protoreflect.BoolKind:
		return v.Bool()
	case protoreflect.EnumKind:
		return vp.enum.nameOf(int32(v.Enum()))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return int32(v.Int())
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return v.Int()
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return int64(v.Uint())
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return uint64Decimal(v.Uint())
	case protoreflect.FloatKind:
		return float32(v.Float())
	case protoreflect.DoubleKind:
		return v.Float()
	case protoreflect.StringKind:
		return v.String()
	case protoreflect.BytesKind:
		if b := v.Bytes(); len(b) > 0 {
			return bytes.Clone(b)
		}
		return []byte{}
	}
	return nil
}

func uint64Decimal(u uint64) connect.Decimal {
	return connect.Decimal{Unscaled: new(big.Int).SetUint64(u)}
}
