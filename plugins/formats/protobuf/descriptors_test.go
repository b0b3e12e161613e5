package protobuf

import (
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// The test schemas are built here rather than with protoc, which the build machines lack. Each
// message carries its .proto equivalent in a comment; TestGenerateGolden writes the set to
// testdata/test.desc, the file the tests load, exactly as protoc --include_imports would.

type fdp = descriptorpb.FieldDescriptorProto

const (
	tInt32    = descriptorpb.FieldDescriptorProto_TYPE_INT32
	tInt64    = descriptorpb.FieldDescriptorProto_TYPE_INT64
	tUint32   = descriptorpb.FieldDescriptorProto_TYPE_UINT32
	tUint64   = descriptorpb.FieldDescriptorProto_TYPE_UINT64
	tSint32   = descriptorpb.FieldDescriptorProto_TYPE_SINT32
	tSint64   = descriptorpb.FieldDescriptorProto_TYPE_SINT64
	tFixed32  = descriptorpb.FieldDescriptorProto_TYPE_FIXED32
	tFixed64  = descriptorpb.FieldDescriptorProto_TYPE_FIXED64
	tSfixed32 = descriptorpb.FieldDescriptorProto_TYPE_SFIXED32
	tSfixed64 = descriptorpb.FieldDescriptorProto_TYPE_SFIXED64
	tFloat    = descriptorpb.FieldDescriptorProto_TYPE_FLOAT
	tDouble   = descriptorpb.FieldDescriptorProto_TYPE_DOUBLE
	tBool     = descriptorpb.FieldDescriptorProto_TYPE_BOOL
	tString   = descriptorpb.FieldDescriptorProto_TYPE_STRING
	tBytes    = descriptorpb.FieldDescriptorProto_TYPE_BYTES
	tEnum     = descriptorpb.FieldDescriptorProto_TYPE_ENUM
	tMessage  = descriptorpb.FieldDescriptorProto_TYPE_MESSAGE
	tGroup    = descriptorpb.FieldDescriptorProto_TYPE_GROUP

	lOptional = descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL
	lRepeated = descriptorpb.FieldDescriptorProto_LABEL_REPEATED
	lRequired = descriptorpb.FieldDescriptorProto_LABEL_REQUIRED
)

type fieldOpt func(*fdp)

func field(name string, num int32, typ descriptorpb.FieldDescriptorProto_Type, opts ...fieldOpt) *fdp {
	f := &fdp{Name: proto.String(name), Number: proto.Int32(num), Type: typ.Enum(), Label: lOptional.Enum()}
	for _, o := range opts {
		o(f)
	}
	return f
}

func ofType(name string) fieldOpt { return func(f *fdp) { f.TypeName = proto.String(name) } }
func rep() fieldOpt               { return func(f *fdp) { f.Label = lRepeated.Enum() } }
func req() fieldOpt               { return func(f *fdp) { f.Label = lRequired.Enum() } }
func inOneof(i int32) fieldOpt    { return func(f *fdp) { f.OneofIndex = proto.Int32(i) } }
func dflt(v string) fieldOpt      { return func(f *fdp) { f.DefaultValue = proto.String(v) } }
func packed() fieldOpt {
	return func(f *fdp) { f.Options = &descriptorpb.FieldOptions{Packed: proto.Bool(true)} }
}

// proto3Optional marks a proto3 `optional` field; its synthetic oneof is index i.
func proto3Optional(i int32) fieldOpt {
	return func(f *fdp) { f.Proto3Optional = proto.Bool(true); f.OneofIndex = proto.Int32(i) }
}

func message(name string, fields ...*fdp) *descriptorpb.DescriptorProto {
	return &descriptorpb.DescriptorProto{Name: proto.String(name), Field: fields}
}

// mapEntry is the synthetic message protoc generates for map<k, v> field.
func mapEntry(fieldName string, key, val *fdp) *descriptorpb.DescriptorProto {
	camel := ""
	for _, part := range strings.Split(fieldName, "_") {
		camel += strings.ToUpper(part[:1]) + part[1:]
	}
	key.Name, key.Number = proto.String("key"), proto.Int32(1)
	val.Name, val.Number = proto.String("value"), proto.Int32(2)
	return &descriptorpb.DescriptorProto{
		Name:    proto.String(camel + "Entry"),
		Field:   []*fdp{key, val},
		Options: &descriptorpb.MessageOptions{MapEntry: proto.Bool(true)},
	}
}

// enum builds an enum from "NAME=NUMBER" pairs.
func enum(name string, values ...string) *descriptorpb.EnumDescriptorProto {
	e := &descriptorpb.EnumDescriptorProto{Name: proto.String(name)}
	for _, v := range values {
		n, num, _ := strings.Cut(v, "=")
		x, err := strconv.Atoi(num)
		if err != nil {
			panic(err)
		}
		e.Value = append(e.Value, &descriptorpb.EnumValueDescriptorProto{Name: proto.String(n), Number: proto.Int32(int32(x))})
	}
	return e
}

const (
	pkgV1     = "raftconnect.test.v1"
	pkgLegacy = "raftconnect.test.legacy"
)

// exampleProto3 is raftconnect/test/v1/example.proto.
func exampleProto3() *descriptorpb.FileDescriptorProto {
	p := "." + pkgV1 + "."
	// enum Status { STATUS_UNSPECIFIED = 0; ACTIVE = 1; SUSPENDED = 2; }
	status := enum("Status", "STATUS_UNSPECIFIED=0", "ACTIVE=1", "SUSPENDED=2")

	// message Address { string street = 1; string city = 2; string country_code = 3; }
	address := message("Address",
		field("street", 1, tString), field("city", 2, tString), field("country_code", 3, tString))

	// message Scalars { one field of every scalar type, numbered 1..16 }
	scalars := message("Scalars",
		field("f_int32", 1, tInt32), field("f_int64", 2, tInt64),
		field("f_uint32", 3, tUint32), field("f_uint64", 4, tUint64),
		field("f_sint32", 5, tSint32), field("f_sint64", 6, tSint64),
		field("f_fixed32", 7, tFixed32), field("f_fixed64", 8, tFixed64),
		field("f_sfixed32", 9, tSfixed32), field("f_sfixed64", 10, tSfixed64),
		field("f_float", 11, tFloat), field("f_double", 12, tDouble),
		field("f_bool", 13, tBool), field("f_string", 14, tString),
		field("f_bytes", 15, tBytes), field("f_enum", 16, tEnum, ofType(p+"Status")))

	// message Order {
	//   message Item { string sku = 1; int32 quantity = 2; double price = 3; }
	//   int64 id = 1;
	//   string customer = 2;
	//   Status status = 3;
	//   Address shipping = 4;
	//   repeated Item items = 5;
	//   map<string, string> labels = 6;
	//   map<int32, Address> warehouses = 7;
	//   repeated string tags = 8;
	//   repeated sint64 deltas = 9;
	//   oneof payment { string card_token = 10; int64 voucher_id = 11; Address invoice_address = 12; }
	//   optional string note = 13;
	//   optional int32 priority = 14;
	//   google.protobuf.Timestamp created_at = 15;
	//   google.protobuf.StringValue coupon = 16;
	//   google.protobuf.Int64Value discount_cents = 17;
	//   repeated google.protobuf.Timestamp updates = 18;
	//   map<uint64, string> ledger = 19;
	//   bytes signature = 20;
	//   Scalars scalars = 21;
	//   map<bool, Status> flags = 22;
	// }
	item := message("Item", field("sku", 1, tString), field("quantity", 2, tInt32), field("price", 3, tDouble))
	order := message("Order",
		field("id", 1, tInt64),
		field("customer", 2, tString),
		field("status", 3, tEnum, ofType(p+"Status")),
		field("shipping", 4, tMessage, ofType(p+"Address")),
		field("items", 5, tMessage, rep(), ofType(p+"Order.Item")),
		field("labels", 6, tMessage, rep(), ofType(p+"Order.LabelsEntry")),
		field("warehouses", 7, tMessage, rep(), ofType(p+"Order.WarehousesEntry")),
		field("tags", 8, tString, rep()),
		field("deltas", 9, tSint64, rep()),
		field("card_token", 10, tString, inOneof(0)),
		field("voucher_id", 11, tInt64, inOneof(0)),
		field("invoice_address", 12, tMessage, inOneof(0), ofType(p+"Address")),
		field("note", 13, tString, proto3Optional(1)),
		field("priority", 14, tInt32, proto3Optional(2)),
		field("created_at", 15, tMessage, ofType(".google.protobuf.Timestamp")),
		field("coupon", 16, tMessage, ofType(".google.protobuf.StringValue")),
		field("discount_cents", 17, tMessage, ofType(".google.protobuf.Int64Value")),
		field("updates", 18, tMessage, rep(), ofType(".google.protobuf.Timestamp")),
		field("ledger", 19, tMessage, rep(), ofType(p+"Order.LedgerEntry")),
		field("signature", 20, tBytes),
		field("scalars", 21, tMessage, ofType(p+"Scalars")),
		field("flags", 22, tMessage, rep(), ofType(p+"Order.FlagsEntry")),
	)
	order.NestedType = []*descriptorpb.DescriptorProto{
		item,
		mapEntry("labels", field("", 0, tString), field("", 0, tString)),
		mapEntry("warehouses", field("", 0, tInt32), field("", 0, tMessage, ofType(p+"Address"))),
		mapEntry("ledger", field("", 0, tUint64), field("", 0, tString)),
		mapEntry("flags", field("", 0, tBool), field("", 0, tEnum, ofType(p+"Status"))),
	}
	order.OneofDecl = []*descriptorpb.OneofDescriptorProto{
		{Name: proto.String("payment")}, {Name: proto.String("_note")}, {Name: proto.String("_priority")},
	}

	// message Wrappers { one field of every google.protobuf wrapper type, numbered 1..9 }
	wrappers := message("Wrappers",
		field("double_value", 1, tMessage, ofType(".google.protobuf.DoubleValue")),
		field("float_value", 2, tMessage, ofType(".google.protobuf.FloatValue")),
		field("int64_value", 3, tMessage, ofType(".google.protobuf.Int64Value")),
		field("uint64_value", 4, tMessage, ofType(".google.protobuf.UInt64Value")),
		field("int32_value", 5, tMessage, ofType(".google.protobuf.Int32Value")),
		field("uint32_value", 6, tMessage, ofType(".google.protobuf.UInt32Value")),
		field("bool_value", 7, tMessage, ofType(".google.protobuf.BoolValue")),
		field("string_value", 8, tMessage, ofType(".google.protobuf.StringValue")),
		field("bytes_value", 9, tMessage, ofType(".google.protobuf.BytesValue")),
	)

	// message Event {  // the 10-field benchmark record
	//   int64 id = 1; string user = 2; string email = 3; int32 age = 4; double score = 5;
	//   bool active = 6; Status status = 7; google.protobuf.Timestamp created_at = 8;
	//   string country = 9; int64 balance_cents = 10;
	// }
	event := message("Event",
		field("id", 1, tInt64), field("user", 2, tString), field("email", 3, tString),
		field("age", 4, tInt32), field("score", 5, tDouble), field("active", 6, tBool),
		field("status", 7, tEnum, ofType(p+"Status")),
		field("created_at", 8, tMessage, ofType(".google.protobuf.Timestamp")),
		field("country", 9, tString), field("balance_cents", 10, tInt64))

	// message Node { string name = 1; repeated Node children = 2; }  // recursive: rejected
	node := message("Node", field("name", 1, tString), field("children", 2, tMessage, rep(), ofType(p+"Node")))

	return &descriptorpb.FileDescriptorProto{
		Name:        proto.String("raftconnect/test/v1/example.proto"),
		Package:     proto.String(pkgV1),
		Syntax:      proto.String("proto3"),
		Dependency:  []string{"google/protobuf/timestamp.proto", "google/protobuf/wrappers.proto"},
		EnumType:    []*descriptorpb.EnumDescriptorProto{status},
		MessageType: []*descriptorpb.DescriptorProto{address, scalars, order, wrappers, event, node},
	}
}

// legacyProto2 is raftconnect/test/legacy/legacy.proto.
func legacyProto2() *descriptorpb.FileDescriptorProto {
	p := "." + pkgLegacy + "."
	// enum Level { LOW = 1; MEDIUM = 2; HIGH = 3; }
	level := enum("Level", "LOW=1", "MEDIUM=2", "HIGH=3")
	// message Legacy {
	//   required int64 id = 1;
	//   optional string name = 2 [default = "anonymous"];
	//   optional int32 retries = 3 [default = 3];
	//   optional Level level = 4 [default = MEDIUM];
	//   optional bool enabled = 5;
	//   optional bytes blob = 6 [default = "\001\002"];
	//   repeated int32 codes = 7;
	//   repeated int32 packed_codes = 8 [packed = true];
	//   optional group Meta = 9 { optional string source = 10; optional int64 seq = 11; }
	//   optional double ratio = 12 [default = 0.5];
	//   optional uint64 big = 13 [default = 18446744073709551615];
	//   optional float temp = 14 [default = -40];
	//   optional Level fallback_level = 15;
	// }
	legacy := message("Legacy",
		field("id", 1, tInt64, req()),
		field("name", 2, tString, dflt("anonymous")),
		field("retries", 3, tInt32, dflt("3")),
		field("level", 4, tEnum, ofType(p+"Level"), dflt("MEDIUM")),
		field("enabled", 5, tBool),
		field("blob", 6, tBytes, dflt(`\001\002`)),
		field("codes", 7, tInt32, rep()),
		field("packed_codes", 8, tInt32, rep(), packed()),
		field("meta", 9, tGroup, ofType(p+"Legacy.Meta")),
		field("ratio", 12, tDouble, dflt("0.5")),
		field("big", 13, tUint64, dflt("18446744073709551615")),
		field("temp", 14, tFloat, dflt("-40")),
		field("fallback_level", 15, tEnum, ofType(p+"Level")),
	)
	legacy.NestedType = []*descriptorpb.DescriptorProto{
		message("Meta", field("source", 10, tString), field("seq", 11, tInt64)),
	}
	return &descriptorpb.FileDescriptorProto{
		Name:        proto.String("raftconnect/test/legacy/legacy.proto"),
		Package:     proto.String(pkgLegacy),
		Syntax:      proto.String("proto2"),
		EnumType:    []*descriptorpb.EnumDescriptorProto{level},
		MessageType: []*descriptorpb.DescriptorProto{legacy},
	}
}

// testDescriptorSet is what protoc --include_imports writes for example.proto and legacy.proto.
func testDescriptorSet() *descriptorpb.FileDescriptorSet {
	return &descriptorpb.FileDescriptorSet{File: []*descriptorpb.FileDescriptorProto{
		protodesc.ToFileDescriptorProto(timestamppb.File_google_protobuf_timestamp_proto),
		protodesc.ToFileDescriptorProto(wrapperspb.File_google_protobuf_wrappers_proto),
		exampleProto3(),
		legacyProto2(),
	}}
}
