package protobuf

import (
	"errors"
	"fmt"
	"math/big"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/raftconnect/raftconnect/connect"
)

// refDecode is the oracle the direct wire decoder is checked against: the reference
// implementation parses into a dynamic message, and refStruct maps it to Connect field by field
// through protoreflect, following the documented mapping. It shares nothing with the decoder
// but the schema.
func refDecode(md protoreflect.MessageDescriptor, schema *connect.Schema, data []byte, readDefaults bool) (st *connect.Struct, err error) {
	defer func() {
		if r := recover(); r != nil {
			st, err = nil, &refPanic{r}
		}
	}()
	m := dynamicpb.NewMessage(md)
	if err := proto.Unmarshal(data, m); err != nil {
		return nil, err
	}
	return refStruct(m, schema, readDefaults), nil
}

// refPanic is a crash of the reference implementation, which has at least one: proto.Unmarshal
// into a dynamicpb message panics on a map entry whose key field appears a second time with
// another wire type (see TestMapEntryKeyRepeatedWithWrongWireType).
type refPanic struct{ v any }

func (p *refPanic) Error() string { return fmt.Sprintf("reference implementation panicked: %v", p.v) }

func refStruct(m protoreflect.Message, s *connect.Schema, readDefaults bool) *connect.Struct {
	st := connect.NewStruct(s)
	fds := m.Descriptor().Fields()
	for i := 0; i < fds.Len(); i++ {
		fd := fds.Get(i)
		fs := s.Fields[i].Schema
		var v any
		switch {
		case fd.IsList():
			l := m.Get(fd).List()
			arr := make([]any, 0, l.Len())
			for j := 0; j < l.Len(); j++ {
				arr = append(arr, refValue(fd, l.Get(j), fs.ValueSchema, readDefaults))
			}
			v = arr
		case fd.IsMap():
			mv := m.Get(fd).Map()
			var sm map[string]any
			var am map[any]any
			if k := fd.MapKey().Kind(); k == protoreflect.StringKind || k == protoreflect.Uint64Kind || k == protoreflect.Fixed64Kind {
				sm = map[string]any{}
				v = sm
			} else {
				am = map[any]any{}
				v = am
			}
			mv.Range(func(k protoreflect.MapKey, x protoreflect.Value) bool {
				val := refValue(fd.MapValue(), x, fs.ValueSchema, readDefaults)
				if sm != nil {
					sm[k.String()] = val // uint64 keys: their decimal digits
				} else {
					am[refValue(fd.MapKey(), k.Value(), fs.KeySchema, readDefaults)] = val
				}
				return true
			})
		case fd.Message() != nil:
			if m.Has(fd) {
				v = refValue(fd, m.Get(fd), fs, readDefaults)
			}
		default:
			inRealOneof := fd.ContainingOneof() != nil && !fd.ContainingOneof().IsSynthetic()
			if m.Has(fd) || !fd.HasPresence() || (readDefaults && !inRealOneof) {
				v = refValue(fd, m.Get(fd), fs, readDefaults)
			}
		}
		if err := st.PutIndex(i, v); err != nil {
			panic(err)
		}
	}
	return st
}

func refValue(fd protoreflect.FieldDescriptor, v protoreflect.Value, s *connect.Schema, readDefaults bool) any {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return v.Bool()
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return string(ev.Name())
		}
		return big.NewInt(int64(v.Enum())).String()
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return int32(v.Int())
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return v.Int()
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return int64(v.Uint())
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return connect.Decimal{Unscaled: new(big.Int).SetUint64(v.Uint())}
	case protoreflect.FloatKind:
		return float32(v.Float())
	case protoreflect.DoubleKind:
		return v.Float()
	case protoreflect.StringKind:
		return v.String()
	case protoreflect.BytesKind:
		return append([]byte{}, v.Bytes()...)
	}
	m := v.Message()
	md := m.Descriptor()
	switch md.FullName() {
	case "google.protobuf.Timestamp":
		return time.Unix(m.Get(md.Fields().ByName("seconds")).Int(), m.Get(md.Fields().ByName("nanos")).Int()).UTC()
	case "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
		"google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
		"google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue":
		inner := md.Fields().ByName("value")
		return refValue(inner, m.Get(inner), s, readDefaults)
	}
	return refStruct(m, s, readDefaults)
}

// wire builds protobuf bytes by hand, for inputs no compliant producer writes but parsers must
// accept.
type wire []byte

func (w wire) varint(num protowire.Number, v uint64) wire {
	return protowire.AppendVarint(protowire.AppendTag(w, num, protowire.VarintType), v)
}

func (w wire) bytes(num protowire.Number, b []byte) wire {
	return protowire.AppendBytes(protowire.AppendTag(w, num, protowire.BytesType), b)
}

func (w wire) str(num protowire.Number, s string) wire { return w.bytes(num, []byte(s)) }

func (w wire) fixed32(num protowire.Number, v uint32) wire {
	return protowire.AppendFixed32(protowire.AppendTag(w, num, protowire.Fixed32Type), v)
}

func (w wire) fixed64(num protowire.Number, v uint64) wire {
	return protowire.AppendFixed64(protowire.AppendTag(w, num, protowire.Fixed64Type), v)
}

func (w wire) group(num protowire.Number, body []byte) wire {
	return protowire.AppendGroup(protowire.AppendTag(w, num, protowire.StartGroupType), num, body)
}

func (w wire) raw(b ...byte) wire { return append(w, b...) }

// Field numbers of Order, Address, Item and Legacy used by the hand-built inputs.
const (
	oID, oCustomer, oStatus, oShipping, oItems, oLabels, oWarehouses, oTags, oDeltas = 1, 2, 3, 4, 5, 6, 7, 8, 9
	oCardToken, oVoucherID, oInvoiceAddress, oNote, oPriority, oCreatedAt, oCoupon   = 10, 11, 12, 13, 14, 15, 16
	oDiscount, oUpdates, oLedger, oSignature, oScalars, oFlags                       = 17, 18, 19, 20, 21, 22
	aStreet, aCity, aCountry                                                         = 1, 2, 3
	iSku, iQuantity, iPrice                                                          = 1, 2, 3
	lID, lName, lCodes, lPackedCodes, lMeta, lMetaSource, lMetaSeq                   = 1, 2, 7, 8, 9, 10, 11
)

// TestWireQuirks feeds inputs that are legal protobuf but that no deterministic producer writes
// and checks that the decoder reads them exactly as the reference implementation does.
func TestWireQuirks(t *testing.T) {
	unknownGroup := wire{}.varint(1, 5).group(2, wire{}.str(3, "x"))
	cases := []struct {
		name string
		msg  string
		data []byte
	}{
		{"fields in reverse order", msgOrder, wire{}.str(oNote, "n").varint(oStatus, 2).str(oCustomer, "c").varint(oID, 7)},
		{"repeated scalar keeps the last", msgOrder, wire{}.varint(oID, 1).varint(oID, 2).str(oCustomer, "a").str(oCustomer, "b")},
		{"message twice merges", msgOrder, wire{}.
			bytes(oShipping, wire{}.str(aStreet, "s1").str(aCity, "c1")).
			bytes(oShipping, wire{}.str(aCity, "c2").str(aCountry, "NO"))},
		{"oneof: last member wins", msgOrder, wire{}.str(oCardToken, "tok").varint(oVoucherID, 9)},
		{"oneof: message member after scalar", msgOrder, wire{}.varint(oVoucherID, 9).bytes(oInvoiceAddress, wire{}.str(aCity, "x"))},
		{"oneof: message, scalar, message again does not merge the first", msgOrder, wire{}.
			bytes(oInvoiceAddress, wire{}.str(aStreet, "old")).str(oCardToken, "t").
			bytes(oInvoiceAddress, wire{}.str(aCity, "new"))},
		{"unknown fields of every wire type", msgOrder, wire{}.varint(1000, 1).fixed32(1001, 2).fixed64(1002, 3).
			str(1003, "u").group(1004, unknownGroup).varint(oID, 3)},
		{"known field with the wrong wire type is skipped", msgOrder, wire{}.fixed32(oID, 5).varint(oCustomer, 1).str(oStatus, "x").varint(oShipping, 1)},
		{"unpacked repeated sint64 in proto3", msgOrder, wire{}.varint(oDeltas, protowire.EncodeZigZag(-2)).varint(oDeltas, protowire.EncodeZigZag(5))},
		{"packed and unpacked mixed", msgOrder, wire{}.
			bytes(oDeltas, protowire.AppendVarint(protowire.AppendVarint(nil, 2), 4)).
			varint(oDeltas, protowire.EncodeZigZag(-9))},
		{"padded varints", msgOrder, wire{}.raw(byte(oID<<3), 0x81, 0x80, 0x80, 0x00)},
		{"int32 from a 64-bit varint", msgOrder, wire{}.varint(oPriority, uint64(1<<40|7))},
		{"enum number not in the enum", msgOrder, wire{}.varint(oStatus, 42)},
		{"negative enum number", msgOrder, wire{}.varint(oStatus, uint64(1<<64-3))},
		{"map entry without key", msgOrder, wire{}.bytes(oLabels, wire{}.str(2, "v"))},
		{"map entry without value", msgOrder, wire{}.bytes(oLabels, wire{}.str(1, "k")).bytes(oWarehouses, wire{}.varint(1, 4))},
		{"map entry value before key, with unknown field", msgOrder, wire{}.bytes(oLabels, wire{}.str(2, "v").varint(9, 1).str(1, "k"))},
		{"duplicate map key keeps the last", msgOrder, wire{}.bytes(oLabels, wire{}.str(1, "k").str(2, "a")).bytes(oLabels, wire{}.str(1, "k").str(2, "b"))},
		{"map entry key twice", msgOrder, wire{}.bytes(oLabels, wire{}.str(1, "k1").str(1, "k2").str(2, "v"))},
		{"map message value twice merges", msgOrder, wire{}.bytes(oWarehouses, wire{}.varint(1, 1).
			bytes(2, wire{}.str(aStreet, "s")).bytes(2, wire{}.str(aCity, "c")))},
		{"uint64 map keys repeat", msgOrder, wire{}.bytes(oLedger, wire{}.varint(1, 1<<63).str(2, "a")).bytes(oLedger, wire{}.varint(1, 1<<63).str(2, "b"))},
		{"timestamp twice merges", msgOrder, wire{}.bytes(oCreatedAt, wire{}.varint(1, 100)).bytes(oCreatedAt, wire{}.varint(2, 5))},
		{"timestamp with negative nanos", msgOrder, wire{}.bytes(oCreatedAt, wire{}.varint(1, 10).varint(2, uint64(1<<64-1)))},
		{"wrapper twice merges", msgOrder, wire{}.bytes(oDiscount, wire{}.varint(1, 5)).bytes(oDiscount, wire{})},
		{"wrapper with unknown field", msgOrder, wire{}.bytes(oCoupon, wire{}.varint(7, 1).str(1, "c"))},
		{"repeated message elements do not merge", msgOrder, wire{}.bytes(oItems, wire{}.str(iSku, "a")).bytes(oItems, wire{}.varint(iQuantity, 2))},
		{"empty packed field", msgOrder, wire{}.bytes(oDeltas, nil)},
		{"nested Scalars fixed types", msgOrder, wire{}.bytes(oScalars, wire{}.fixed32(7, 1<<31).fixed64(8, 1<<63).fixed32(9, 1<<31).fixed64(10, 1<<63))},
		{"proto2 packed field sent unpacked and unpacked sent packed", msgLegacy, wire{}.varint(lID, 1).
			varint(lPackedCodes, 3).bytes(lCodes, protowire.AppendVarint(protowire.AppendVarint(nil, 1), 2))},
		{"group twice merges", msgLegacy, wire{}.varint(lID, 1).group(lMeta, wire{}.str(lMetaSource, "a")).group(lMeta, wire{}.varint(lMetaSeq, 3))},
		{"group with unknown nested group", msgLegacy, wire{}.varint(lID, 1).group(lMeta, wire{}.group(20, wire{}.varint(1, 1)).str(lMetaSource, "s"))},
		{"proto2 string with invalid UTF-8", msgLegacy, wire{}.varint(lID, 1).str(lName, "\xff\xfe")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			md := testMessage(t, c.msg)
			codec := testCodec(t, c.msg)
			for _, readDefaults := range []bool{false, true} {
				want, err := refDecode(md, codec.Schema(), c.data, readDefaults)
				if err != nil {
					t.Fatalf("reference implementation rejects the input: %v", err)
				}
				got, err := NewDecoderFor(codec, readDefaults, false).DecodeStruct(c.data)
				if err != nil {
					t.Fatalf("readDefaults=%v: %v", readDefaults, err)
				}
				if g, w := render(codec.Schema(), got), render(codec.Schema(), want); g != w {
					t.Errorf("readDefaults=%v differs from the reference:\n%s", readDefaults, diffLines(w, g))
				}
			}
		})
	}
}

// The reference implementation panics on this input (google.golang.org/protobuf v1.36, the
// reflective path dynamicpb uses: unmarshalMap keeps the invalid value of the skipped second key
// and then converts it to a map key). The decoder skips the second key like any field with the
// wrong wire type and keeps the first.
func TestMapEntryKeyRepeatedWithWrongWireType(t *testing.T) {
	data := wire{}.bytes(oLabels, wire{}.str(1, "k").varint(1, 5).str(2, "v"))
	codec := testCodec(t, msgOrder)
	got, err := NewDecoderFor(codec, false, false).DecodeStruct(data)
	if err != nil {
		t.Fatal(err)
	}
	if l := got.Get("labels").(map[string]any); len(l) != 1 || l["k"] != "v" {
		t.Errorf("labels = %v, want map[k:v]", l)
	}
	var rp *refPanic
	if _, err := refDecode(testMessage(t, msgOrder), codec.Schema(), data, false); !errors.As(err, &rp) {
		t.Logf("the reference implementation no longer panics (%v): this test's comment is stale", err)
	}
}
