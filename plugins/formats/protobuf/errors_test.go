package protobuf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/raftconnect/raftconnect/connect"
)

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		name   string
		msg    string
		data   []byte
		field  string // DecodeError.Field
		number int
		offset int
		text   string // in Error()
	}{
		{"truncated varint", msgOrder, wire{}.raw(0x08, 0x80), "id", 1, 1, "unexpected EOF"},
		{"string runs past the end", msgOrder, wire{}.varint(oID, 1).raw(0x12, 0x05, 'a'), "customer", 2, 3, "string length"},
		{"invalid UTF-8 in a repeated message", msgOrder, wire{}.
			bytes(oItems, wire{}.str(iSku, "ok")).
			bytes(oItems, wire{}.varint(iQuantity, 1).str(iSku, "\xff")), "items[1].sku", 1, 12, "not valid UTF-8"},
		{"invalid UTF-8 in a map key", msgOrder, wire{}.bytes(oLabels, wire{}.str(1, "\xc3").str(2, "v")), "labels.<key>", 6, 4, "not valid UTF-8"},
		{"invalid UTF-8 in a wrapper", msgOrder, wire{}.bytes(oCoupon, wire{}.str(1, "\xed\xa0\x80")), "coupon", 16, 5, "not valid UTF-8"},
		{"truncated nested message field", msgOrder, wire{}.bytes(oShipping, []byte{0x12, 0x05, 'a'}), "shipping.city", 2, 3, "string length"},
		{"nested length past the end", msgOrder, wire{}.varint(oID, 1).raw(0x22, 0x7f, 0x00), "shipping", 4, 3, "length"},
		{"field number zero", msgOrder, wire{}.varint(oID, 1).raw(0x00), "", 0, 2, "invalid field tag"},
		{"reserved wire type", msgOrder, wire{}.raw(0x0e, 0x01), "id", 1, 1, "value with wire type 6 (not the field's 0)"},
		{"end group without start", msgOrder, protowire.AppendTag(nil, 5, protowire.EndGroupType), "items", 5, 1, "end group"},
		{"reserved wire type, unknown field", msgOrder, wire{}.raw(0xc6, 0x3e, 0x01), "", 0, 2, "unknown field 1000 with wire type 6"},
		{"unknown group never closed", msgOrder, wire{}.raw(0xa3, 0x3e).varint(1, 1), "", 0, 2, "unknown field 996"},
		{"field number above the maximum", msgOrder, protowire.AppendVarint(nil, uint64(protowire.MaxValidNumber+1)<<3), "", 0, 0, "above the maximum"},
		{"truncated packed element", msgOrder, wire{}.bytes(oDeltas, []byte{0x02, 0x80}), "deltas[1]", 9, 3, "unexpected EOF"},
		{"truncated timestamp", msgOrder, wire{}.bytes(oCreatedAt, []byte{0x08}), "created_at", 15, 3, "timestamp field 1"},
		{"group end mismatch", msgLegacy, wire{}.varint(lID, 1).raw(0x4b, 0x52, 0x00, 0x54), "meta", 9, 3, "group"},
		{"proto2 required field missing", msgLegacy, wire{}.str(lName, "x"), "id", 1, -1, "required field is not set"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			codec := testCodec(t, c.msg)
			_, err := NewDecoderFor(codec, false, false).Decode(c.data)
			if err == nil {
				t.Fatal("decoded malformed input")
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is a %T, want *DecodeError", err, err)
			}
			if de.Message != c.msg || de.Field != c.field || de.Number != c.number || de.Offset != c.offset {
				t.Errorf("got message=%s field=%q number=%d offset=%d, want %s %q %d %d (%v)",
					de.Message, de.Field, de.Number, de.Offset, c.msg, c.field, c.number, c.offset, err)
			}
			if !strings.Contains(err.Error(), c.text) {
				t.Errorf("error %q does not mention %q", err, c.text)
			}
			if _, refErr := refDecode(testMessage(t, c.msg), codec.Schema(), c.data, false); refErr == nil {
				t.Errorf("the reference implementation accepts this input")
			}
			// With protobuf.ignore-parse-errors the message is skipped.
			rows, err := NewDecoderFor(codec, false, true).Decode(c.data)
			if err != nil || len(rows) != 0 {
				t.Errorf("ignore-parse-errors: got %d rows, %v; want none", len(rows), err)
			}
		})
	}
}

func TestDecodeErrorText(t *testing.T) {
	codec := testCodec(t, msgOrder)
	_, err := NewDecoderFor(codec, false, false).Decode(wire{}.bytes(oItems, wire{}.str(iSku, "\xff")))
	want := "protobuf message raftconnect.test.v1.Order: field items[0].sku (number 1) at byte 4: string is not valid UTF-8"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func writeSet(t *testing.T, files ...*descriptorpb.FileDescriptorProto) string {
	t.Helper()
	b, err := proto.Marshal(&descriptorpb.FileDescriptorSet{File: files})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "set.desc")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigurationErrors(t *testing.T) {
	garbage := filepath.Join(t.TempDir(), "garbage.desc")
	if err := os.WriteFile(garbage, []byte("not a descriptor set\xff"), 0o644); err != nil {
		t.Fatal(err)
	}
	importsMissing := exampleProto3()
	importsMissing.Dependency = append(importsMissing.Dependency, "acme/common.proto")
	missingImport := writeSet(t, importsMissing)

	cases := []struct {
		name, path, msg string
		want            []string
	}{
		{"missing descriptor file", "testdata/no-such.desc", msgOrder,
			[]string{"protobuf.descriptor-file", "testdata/no-such.desc", "no such file"}},
		{"not a descriptor set", garbage, msgOrder,
			[]string{garbage, "not a serialized google.protobuf.FileDescriptorSet"}},
		{"unknown message", descFile, "raftconnect.test.v1.Ordr",
			[]string{`protobuf.message-name "raftconnect.test.v1.Ordr"`, descFile, "no such message", "raftconnect.test.v1.Order,"}},
		{"enum instead of message", descFile, "raftconnect.test.v1.Status",
			[]string{"raftconnect.test.v1.Status is an enum, not a message"}},
		{"map entry", descFile, "raftconnect.test.v1.Order.LabelsEntry", []string{"synthetic map entry"}},
		{"recursive message", descFile, "raftconnect.test.v1.Node",
			[]string{"raftconnect.test.v1.Node is recursive", "children"}},
		{"import missing from the set", missingImport, msgOrder,
			[]string{`imports "acme/common.proto"`, "--include_imports"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewCodec(c.path, c.msg)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// A descriptor set built without --include_imports still works when it imports only
// well-known types, which the program carries.
func TestWellKnownImportsResolveWithoutIncludeImports(t *testing.T) {
	path := writeSet(t, exampleProto3())
	c, err := NewCodec(path, "."+msgOrder)
	if err != nil {
		t.Fatal(err)
	}
	if c.Schema().Name != msgOrder {
		t.Errorf("schema name %q", c.Schema().Name)
	}
}

func TestEncodeErrors(t *testing.T) {
	order := testCodec(t, msgOrder)
	legacy := testCodec(t, msgLegacy)
	foreign := connect.StructBuilder().Name("x.Order").
		Field("id", connect.Int64Schema).Field("nickname", connect.OptionalStringSchema).MustBuild()
	cases := []struct {
		name  string
		codec *Codec
		value any
		want  string
	}{
		{"field not in message", order, connect.NewStruct(foreign).MustPut("id", int64(1)),
			`the Connect schema's field "nickname" is not a field of message raftconnect.test.v1.Order`},
		{"schemaless unknown keys", order, map[string]any{"id": 1, "nope": 2, "also": 3},
			`"also", "nope" not in message raftconnect.test.v1.Order`},
		{"wrong Go type", order, map[string]any{"customer": 12},
			"field customer: cannot encode Go type int as protobuf string"},
		{"int32 out of range", order, map[string]any{"priority": int64(1) << 40},
			"field priority: value 1099511627776 does not fit int32"},
		{"fraction into an integer", order, map[string]any{"id": 1.5}, "field id: value 1.5 does not fit int64"},
		{"negative into uint64", order, map[string]any{"scalars": map[string]any{"f_uint64": int64(-1)}},
			"field scalars.f_uint64: value -1 does not fit an unsigned type"},
		{"decimal with a fraction into uint64", order, map[string]any{"scalars": map[string]any{"f_fixed64": connect.NewDecimal(15, 1)}},
			"field scalars.f_fixed64: value 1.5 does not fit uint64"},
		{"unknown enum name", order, map[string]any{"status": "PAUSED"},
			`field status: "PAUSED" is not a value of enum raftconnect.test.v1.Status`},
		{"invalid UTF-8", order, map[string]any{"customer": "\xff"}, "field customer: string is not valid UTF-8"},
		{"nested path", order, map[string]any{"items": []any{map[string]any{}, map[string]any{"quantity": "two"}}},
			"field items[1].quantity: cannot encode Go type string"},
		{"map value path", order, map[string]any{"warehouses": map[string]any{"1": map[string]any{"city": 5}}},
			"field warehouses[1].city: cannot encode Go type int"},
		{"bad map key", order, map[string]any{"warehouses": map[string]any{"north": map[string]any{}}},
			`field warehouses: map key "north" does not parse as int32`},
		{"repeated field not a list", order, map[string]any{"tags": "a,b"}, "field tags: cannot encode string as a repeated field"},
		{"bad timestamp", order, map[string]any{"created_at": "yesterday"}, `field created_at: invalid timestamp "yesterday": bad date: want yyyy-MM-dd HH:mm:ss[.fraction] or RFC 3339`},
		{"bad base64", order, map[string]any{"signature": "!!"}, "field signature: bytes given as a string must be base64"},
		{"required field null", legacy, map[string]any{"name": "x"}, "field id: required field is null"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewEncoderFor(c.codec).EncodeValue(nil, c.value)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
	if _, err := NewEncoderFor(order).EncodeValue(connect.StringSchema, "x"); err == nil ||
		!strings.Contains(err.Error(), "needs a STRUCT") {
		t.Errorf("non-struct schema: %v", err)
	}
}
