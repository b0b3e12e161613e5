package protobuf

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/raftconnect/raftconnect/connect"
)

// fill sets a random subset of m's fields, recursively, to random values of every range.
func fill(r *rand.Rand, m protoreflect.Message, depth int) {
	fds := m.Descriptor().Fields()
	for i := 0; i < fds.Len(); i++ {
		fd := fds.Get(i)
		if r.IntN(3) == 0 {
			continue
		}
		switch {
		case fd.IsList():
			l := m.Mutable(fd).List()
			for n := r.IntN(4); n > 0; n-- {
				if fd.Message() != nil {
					e := l.NewElement()
					fillMsg(r, e.Message(), depth)
					l.Append(e)
				} else {
					l.Append(randScalar(r, fd))
				}
			}
		case fd.IsMap():
			mv := m.Mutable(fd).Map()
			for n := r.IntN(4); n > 0; n-- {
				k := randScalar(r, fd.MapKey()).MapKey()
				if fd.MapValue().Message() != nil {
					v := mv.NewValue()
					fillMsg(r, v.Message(), depth)
					mv.Set(k, v)
				} else {
					mv.Set(k, randScalar(r, fd.MapValue()))
				}
			}
		case fd.Message() != nil:
			fillMsg(r, m.Mutable(fd).Message(), depth)
		default:
			m.Set(fd, randScalar(r, fd))
		}
	}
}

func fillMsg(r *rand.Rand, m protoreflect.Message, depth int) {
	md := m.Descriptor()
	switch md.FullName() {
	case "google.protobuf.Timestamp":
		m.Set(md.Fields().ByName("seconds"), protoreflect.ValueOfInt64(r.Int64N(253402300800)-62135596800))
		m.Set(md.Fields().ByName("nanos"), protoreflect.ValueOfInt32(r.Int32N(1e9)))
		return
	}
	if depth > 0 {
		fill(r, m, depth-1)
	}
}

func randScalar(r *rand.Rand, fd protoreflect.FieldDescriptor) protoreflect.Value {
	u := r.Uint64()
	switch r.IntN(4) { // bias towards edges
	case 0:
		u = 0
	case 1:
		u = math.MaxUint64 >> r.UintN(64)
	}
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(u&1 == 1)
	case protoreflect.EnumKind:
		vals := fd.Enum().Values()
		return protoreflect.ValueOfEnum(vals.Get(r.IntN(vals.Len())).Number())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(u))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(int64(u))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(u))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(u)
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(math.Float32frombits(uint32(u)))
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(math.Float64frombits(u))
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(strings.Repeat("héllo✓", int(u%3)))
	}
	b := make([]byte, u%5)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return protoreflect.ValueOfBytes(b)
}

// TestRandomMessagesAgainstReference: for random messages written by the reference
// implementation, the decoder agrees with the reference reading, and encoding the decoded value
// reproduces the producer's bytes exactly.
func TestRandomMessagesAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, name := range []string{msgOrder, msgScalars, msgWrappers, msgLegacy, msgEvent} {
		md := testMessage(t, name)
		codec := testCodec(t, name)
		dec := NewDecoderFor(codec, false, false)
		enc := NewEncoderFor(codec)
		for i := 0; i < 300; i++ {
			m := dynamicpb.NewMessage(md)
			fill(r, m, 2)
			if name == msgLegacy {
				m.Set(md.Fields().ByName("id"), protoreflect.ValueOfInt64(r.Int64()))
			}
			data, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			got, err := dec.DecodeStruct(data)
			if err != nil {
				t.Fatalf("%s #%d: %v\n%x", name, i, err, data)
			}
			want, err := refDecode(md, codec.Schema(), data, false)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := render(codec.Schema(), got), render(codec.Schema(), want); g != w {
				t.Fatalf("%s #%d differs from the reference:\n%s", name, i, diffLines(w, g))
			}
			out, err := enc.EncodeValue(codec.Schema(), got)
			if err != nil {
				t.Fatalf("%s #%d: encode: %v", name, i, err)
			}
			if !bytes.Equal(out, data) {
				t.Fatalf("%s #%d: re-encoded bytes differ\n got %x\nwant %x", name, i, out, data)
			}
		}
	}
}

func mustStruct(t *testing.T, s *connect.Schema, kv ...any) *connect.Struct {
	t.Helper()
	st := connect.NewStruct(s)
	for i := 0; i < len(kv); i += 2 {
		if err := st.Put(kv[i].(string), kv[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func subSchema(t *testing.T, s *connect.Schema, path ...string) *connect.Schema {
	t.Helper()
	for _, p := range path {
		f := s.Field(p)
		if f == nil {
			t.Fatalf("no field %s in %s", p, s.Name)
		}
		s = f.Schema
		for s.Type == connect.TypeArray || s.Type == connect.TypeMap {
			s = s.ValueSchema
		}
	}
	return s
}

// TestConnectRoundTrip builds Connect values by hand, encodes them, and checks both the
// reference reading of the bytes and our decoding of them.
func TestConnectRoundTrip(t *testing.T) {
	codec := testCodec(t, msgOrder)
	s := codec.Schema()
	addr := subSchema(t, s, "shipping")
	item := subSchema(t, s, "items")
	whAddr := subSchema(t, s, "warehouses")
	scalars := subSchema(t, s, "scalars")
	created := time.Date(2024, 2, 29, 23, 59, 59, 987654321, time.FixedZone("NZDT", 13*3600))
	v := mustStruct(t, s,
		"id", int64(-1),
		"customer", "Ünïcode ✓",
		"status", "SUSPENDED",
		"shipping", mustStruct(t, addr, "street", "a", "city", "", "country_code", "NZ"),
		"items", []any{mustStruct(t, item, "sku", "x", "quantity", int32(3), "price", 1.25)},
		"labels", map[string]any{"b": "2", "a": "1"},
		"warehouses", map[any]any{int32(9): mustStruct(t, whAddr, "street", "", "city", "W", "country_code", "")},
		"tags", []any{"t1", "t2"},
		"deltas", []any{int64(math.MinInt64), int64(0), int64(7)},
		"card_token", "tok_1",
		"note", "",
		"priority", int32(0),
		"created_at", created,
		"coupon", "",
		"discount_cents", int64(0),
		"updates", []any{time.Unix(-5, 0)},
		"ledger", map[string]any{"5": "five"},
		"signature", []byte{0, 1},
		"scalars", mustStruct(t, scalars, "f_int32", int32(0), "f_int64", int64(1), "f_uint32", int64(math.MaxUint32),
			"f_uint64", uint64Decimal(math.MaxUint64), "f_sint32", int32(-5), "f_sint64", int64(-6),
			"f_fixed32", int64(7), "f_fixed64", uint64Decimal(8), "f_sfixed32", int32(-9), "f_sfixed64", int64(-10),
			"f_float", float32(1.5), "f_double", math.Inf(1), "f_bool", true, "f_string", "s",
			"f_bytes", []byte{}, "f_enum", "ACTIVE"),
		"flags", map[any]any{true: "ACTIVE"},
	)
	if err := v.Validate(); err != nil {
		t.Fatal(err)
	}
	data, err := NewEncoderFor(codec).EncodeValue(s, v)
	if err != nil {
		t.Fatal(err)
	}
	back, err := NewDecoderFor(codec, false, false).DecodeStruct(data)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := refDecode(testMessage(t, msgOrder), s, data, false)
	if err != nil {
		t.Fatalf("reference implementation rejects our bytes: %v", err)
	}
	if g, w := render(s, back), render(s, ref); g != w {
		t.Fatalf("our decoding and the reference differ:\n%s", diffLines(w, g))
	}
	// Everything survives except the time zone, which a protobuf Timestamp does not carry.
	if got := back.Get("created_at").(time.Time); !got.Equal(created) || got.Location() != time.UTC {
		t.Errorf("created_at = %v, want %v in UTC", got, created)
	}
	if g, w := render(s, back), render(s, v); g != w {
		t.Errorf("round trip changed the value:\n%s", diffLines(w, g))
	}
	if !back.Equal(v) {
		t.Errorf("round trip value not Equal")
	}
}

// A struct of another schema (from another converter) is matched to the message by field name
// and its values converted to the protobuf types; null elements become defaults, as in Flink.
func TestForeignSchemaAndNullElements(t *testing.T) {
	codec := testCodec(t, msgOrder)
	itemSchema := connect.StructBuilder().Name("other.Item").
		Field("quantity", connect.OptionalInt64Schema).Field("sku", connect.OptionalStringSchema).MustBuild()
	s := connect.StructBuilder().Name("other.Order").
		Field("priority", connect.OptionalInt64Schema).
		Field("id", connect.Int32Schema).
		Field("status", connect.OptionalInt32Schema).
		Field("tags", connect.ArrayOf(connect.OptionalStringSchema).MustBuild()).
		Field("items", connect.ArrayOf(itemSchema).Optional().MustBuild()).
		Field("warehouses", connect.MapOf(connect.StringSchema, connect.OptionalStringSchema).MustBuild()).
		Field("labels", connect.MapOf(connect.StringSchema, connect.OptionalStringSchema).MustBuild()).
		Field("created_at", connect.OptionalInt64Schema).
		Field("scalars", connect.StructBuilder().Name("other.S").Field("f_uint64", connect.Int64Schema).
			Field("f_float", connect.Float64Schema).Optional().MustBuild()).
		MustBuild()
	v := mustStruct(t, s,
		"priority", int64(12),
		"id", int32(5),
		"status", int32(2),
		"tags", []any{"a", nil, "c"},
		"items", []any{mustStruct(t, itemSchema, "quantity", int64(4))},
		"labels", map[string]any{"k": nil},
		"created_at", int64(1700000000123),
		"scalars", mustStruct(t, subSchema(t, s, "scalars"), "f_uint64", int64(42), "f_float", 0.1),
	)
	enc := NewEncoderFor(codec)
	data, err := enc.EncodeValue(s, v)
	if err != nil {
		t.Fatal(err)
	}
	// The second encode uses the cached field mapping.
	if again, err := enc.EncodeValue(s, v); err != nil || !bytes.Equal(again, data) {
		t.Fatalf("second encode: %v", err)
	}
	got, err := NewDecoderFor(codec, false, false).DecodeStruct(data)
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]string{
		"priority":   "int32(12)",
		"id":         "int64(5)",
		"status":     `"SUSPENDED"`,
		"created_at": "time(2023-11-14T22:13:20.123Z)",
	}
	for f, want := range checks {
		var b strings.Builder
		renderValue(&b, nil, got.Get(f), "")
		if b.String() != want {
			t.Errorf("%s = %s, want %s", f, b.String(), want)
		}
	}
	if tags := got.Get("tags").([]any); len(tags) != 3 || tags[1] != "" {
		t.Errorf("tags = %q, want the null element as \"\"", tags)
	}
	if it := got.Get("items").([]any)[0].(*connect.Struct); it.Get("quantity") != int32(4) || it.Get("sku") != "" {
		t.Errorf("items[0] = %v", it)
	}
	if l := got.Get("labels").(map[string]any); l["k"] != "" {
		t.Errorf("labels = %v, want the null value as \"\"", l)
	}
	sc := got.Get("scalars").(*connect.Struct)
	if d := sc.Get("f_uint64").(connect.Decimal); d.String() != "42" || sc.Get("f_float") != float32(0.1) {
		t.Errorf("scalars = %v", sc)
	}
}

// Schemaless values (maps, as a JSON decoder gives them) encode too: numbers arrive as float64,
// integer map keys as strings, bytes as base64 and timestamps as RFC 3339.
func TestSchemalessEncode(t *testing.T) {
	codec := testCodec(t, msgOrder)
	v := map[string]any{
		"id":         float64(12),
		"customer":   "c",
		"status":     "ACTIVE",
		"shipping":   map[string]any{"city": "Berlin"},
		"items":      []any{map[string]any{"sku": "s", "quantity": float64(2), "price": float64(3)}},
		"warehouses": map[string]any{"-4": map[string]any{"city": "Oslo"}},
		"ledger":     map[string]any{"18446744073709551615": "max"},
		"flags":      map[string]any{"true": "SUSPENDED"},
		"signature":  "AAH+/w==",
		"created_at": "2024-01-02T03:04:05.5+02:00",
		"card_token": "a",
		"voucher_id": float64(3),
		"note":       nil,
		"scalars":    map[string]any{"f_uint64": float64(1 << 53), "f_sint32": float64(-3)},
	}
	data, err := NewEncoderFor(codec).EncodeValue(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := NewDecoderFor(codec, false, false).DecodeStruct(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"id":         "int64(12)",
		"status":     `"ACTIVE"`,
		"signature":  "bytes(0001feff)",
		"created_at": "time(2024-01-02T01:04:05.5Z)",
		"card_token": "null", // two oneof members set: the last declared one wins
		"voucher_id": "int64(3)",
		"note":       "null",
		"warehouses": "{\n  int32(-4): {\n    street = \"\"\n    city = \"Oslo\"\n    country_code = \"\"\n  }\n}",
		"ledger":     "{\n  \"18446744073709551615\": \"max\"\n}",
		"flags":      "{\n  bool(true): \"SUSPENDED\"\n}",
	}
	for f, w := range want {
		var b strings.Builder
		renderValue(&b, codec.Schema().Field(f).Schema, got.Get(f), "")
		if b.String() != w {
			t.Errorf("%s = %s, want %s", f, b.String(), w)
		}
	}
}

// Timestamps arrive as text in the forms the json format writes (json.timestamp-format.standard
// SQL and ISO-8601, with 'Z' for TIMESTAMP_LTZ) as well as RFC 3339; text without a zone is UTC.
func TestSchemalessTimestampText(t *testing.T) {
	codec := testCodec(t, msgOrder)
	want := time.Date(2023, 11, 14, 22, 13, 20, 123456789, time.UTC)
	for _, text := range []string{
		"2023-11-14 22:13:20.123456789",  // json, SQL (the default)
		"2023-11-14T22:13:20.123456789",  // json, ISO-8601
		"2023-11-14 22:13:20.123456789Z", // json, SQL, TIMESTAMP_LTZ
		"2023-11-14T22:13:20.123456789Z", // RFC 3339
		"2023-11-15T03:43:20.123456789+05:30",
	} {
		data, err := NewEncoderFor(codec).EncodeValue(nil, map[string]any{"created_at": text})
		if err != nil {
			t.Errorf("%q: %v", text, err)
			continue
		}
		got, err := NewDecoderFor(codec, false, false).DecodeStruct(data)
		if err != nil {
			t.Fatal(err)
		}
		if ts, _ := got.Get("created_at").(time.Time); !ts.Equal(want) {
			t.Errorf("%q encoded as %v, want %v", text, got.Get("created_at"), want)
		}
	}
}

// When a Connect value sets several members of one oneof, the last one in schema order is
// written, as Flink documents.
func TestOneofLastInSchemaOrderWins(t *testing.T) {
	codec := testCodec(t, msgOrder)
	s := codec.Schema()
	v := mustStruct(t, s, "id", int64(0), "customer", "", "status", "ACTIVE", "signature", []byte{},
		"card_token", "tok", "voucher_id", int64(4), "invoice_address",
		mustStruct(t, subSchema(t, s, "invoice_address"), "street", "", "city", "x", "country_code", ""))
	data, err := NewEncoderFor(codec).EncodeValue(s, v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := NewDecoderFor(codec, false, false).DecodeStruct(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Get("card_token") != nil || got.Get("voucher_id") != nil || got.Get("invoice_address") == nil {
		t.Errorf("got %v, want only invoice_address", got)
	}
}

func TestNilValueIsTombstone(t *testing.T) {
	codec := testCodec(t, msgOrder)
	b, err := NewEncoderFor(codec).EncodeValue(codec.Schema(), nil)
	if err != nil || b != nil {
		t.Errorf("got %x, %v; want nil bytes", b, err)
	}
	// An empty message is not a tombstone: it decodes to the defaults.
	st, err := NewDecoderFor(codec, false, false).DecodeStruct([]byte{})
	if err != nil || st.Get("customer") != "" {
		t.Errorf("empty message: %v, %v", st, err)
	}
}
