// Package protobuf is the `protobuf` format: Protocol Buffers messages described by a
// descriptor set file (protoc --descriptor_set_out --include_imports) and a message name,
// mapped to Connect schemas and values in both directions.
//
// # Type mapping
//
//	protobuf                          Connect
//	int32, sint32, sfixed32           INT32
//	int64, sint64, sfixed64           INT64
//	uint32, fixed32                   INT64 (every value fits)
//	uint64, fixed64                   Decimal with scale 0 (exact over the whole range)
//	float, double                     FLOAT32, FLOAT64
//	bool, string, bytes               BOOLEAN, STRING, BYTES
//	enum                              STRING holding the value's name; a number the enum does
//	                                  not define (open enums) decodes as its decimal string
//	message, group                    STRUCT named after the message's full name
//	repeated T                        ARRAY of T; never null, elements never null
//	map<K, V>                         MAP; never null; string keys give map[string]any,
//	                                  other keys map[any]any, except uint64/fixed64 keys,
//	                                  which are STRING (decimal digits) because a Decimal
//	                                  cannot key a Go map
//	oneof members                     optional fields; at most one is set
//	google.protobuf.Timestamp         Timestamp logical type (time.Time, nanoseconds kept)
//	google.protobuf.*Value wrappers   optional primitive of the wrapped type
//
// uint64 maps to Decimal rather than INT64 because INT64 would show values above 2^63-1 as
// negative numbers; the encoder also accepts non-negative integers for uint64 fields.
//
// Other well-known types (Duration, Any, Empty, FieldMask) map as plain structs. Recursive
// messages (google.protobuf.Struct, trees) cannot map to a Connect schema, which is finite; they
// are rejected when the format is configured. A proto2 required field that is missing is a parse
// error, as in the reference implementation.
//
// # Nulls and defaults (protobuf.read-default-values)
//
// A field with presence (proto2 optional, proto3 `optional`, message fields, oneof members)
// decodes as null when the message does not carry it. A proto3 scalar field without presence
// cannot be told apart from one set to its zero value, so it always decodes as that zero value
// and its Connect field is required — as in Flink, which forces default values for proto3
// primitives because their presence cannot be checked. With protobuf.read-default-values=true,
// absent scalar and enum fields with presence decode as their default (the proto2 [default=]
// or the type's zero value) instead of null. Message fields and oneof members stay null in
// both modes: a message has no declared default, and a default on every oneof member would
// lose which member was set.
//
// The encoder follows Flink: null fields are left out, null elements of repeated and map
// fields are written as the element type's default value, and when a Connect value sets several
// members of one oneof the last one in schema order wins. Output is deterministic: fields outside
// oneofs by number, then oneof members, map entries sorted by key — the order Go's reference
// implementation uses for proto.MarshalOptions{Deterministic: true} on dynamic messages, so
// re-encoding a message it wrote gives the same bytes.
//
// Besides structs of any schema (matched to the message by field name, with integer widths and
// floats converted where the value fits), the encoder takes schemaless map[string]any values as
// a JSON decoder gives them: numbers as float64, map keys as strings, bytes as base64 strings,
// timestamps as text (RFC 3339, or the SQL and ISO-8601 forms the json format writes; UTC when
// the text has no zone) or epoch milliseconds, enums as names or numbers.
//
// The decoder reads the wire format directly with a plan computed per message type when the
// format is configured; it accepts everything the reference implementation accepts (fields in
// any order, packed or unpacked repeated scalars, repeated occurrences of a message merged,
// unknown fields skipped) and is checked against it by tests and a fuzz target.
package protobuf

import (
	"fmt"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// Option names, as in Flink's protobuf format (with a descriptor file in place of a class).
const (
	OptDescriptorFile    = "protobuf.descriptor-file"
	OptMessageName       = "protobuf.message-name"
	OptIgnoreParseErrors = "protobuf.ignore-parse-errors"
	OptReadDefaultValues = "protobuf.read-default-values"
)

// FormatName is the short name of the format.
const FormatName = "protobuf"

// ConverterClass is the class name of the converter face.
const ConverterClass = "io.raftconnect.formats.ProtobufConverter"

// Options returns the format's option definitions.
func Options() *connect.ConfigDef {
	return connect.NewConfigDef().
		Define(connect.ConfigKey{
			Name: OptDescriptorFile, Type: connect.ConfigString, Required: true,
			Validator: connect.NonEmptyString(), Importance: connect.High,
			Doc: "Path of a serialized google.protobuf.FileDescriptorSet, as written by " +
				"protoc --descriptor_set_out=FILE --include_imports.",
		}).
		Define(connect.ConfigKey{
			Name: OptMessageName, Type: connect.ConfigString, Required: true,
			Validator: connect.NonEmptyString(), Importance: connect.High,
			Doc: "Fully qualified name of the message type, e.g. com.example.UserEvent.",
		}).
		Define(connect.ConfigKey{
			Name: OptIgnoreParseErrors, Type: connect.ConfigBoolean, Default: false,
			Doc: "Skip messages that cannot be parsed instead of failing.",
		}).
		Define(connect.ConfigKey{
			Name: OptReadDefaultValues, Type: connect.ConfigBoolean, Default: false,
			Doc: "Decode absent scalar fields that have presence (proto2 optional, proto3 optional) " +
				"as their default value instead of null. proto3 fields without presence always " +
				"decode as their default value.",
		})
}

func init() {
	formats.Register(formats.Format{
		Name:       FormatName,
		Options:    Options(),
		Binary:     true,
		NewDecoder: func(opts *connect.Config) (formats.Decoder, error) { return NewDecoder(opts) },
		NewEncoder: func(opts *connect.Config) (formats.Encoder, error) { return NewEncoder(opts) },
	})
	connect.Register(connect.Plugin{
		Class:   ConverterClass,
		Aliases: []string{FormatName},
		New:     func() any { return formats.NewRowConverter(FormatName) },
	})
}

// Codec holds what the decoder and encoder share: the message's field plan and Connect schema.
type Codec struct {
	plan *msgPlan
}

// NewCodec loads the descriptor set at path and plans message name for conversion.
func NewCodec(path, name string) (*Codec, error) {
	md, err := LoadMessage(path, name)
	if err != nil {
		return nil, err
	}
	return NewCodecFor(md)
}

// Schema returns the Connect schema that decoded values carry.
func (c *Codec) Schema() *connect.Schema { return c.plan.schema }

func codecFromOptions(opts *connect.Config) (*Codec, error) {
	return NewCodec(opts.String(OptDescriptorFile), opts.String(OptMessageName))
}

// Decoder decodes protobuf messages into one Insert row each. It is safe for concurrent use.
type Decoder struct {
	codec        *Codec
	ignoreErrors bool
	readDefaults bool
}

// NewDecoder builds a decoder from parsed format options.
func NewDecoder(opts *connect.Config) (*Decoder, error) {
	c, err := codecFromOptions(opts)
	if err != nil {
		return nil, err
	}
	return &Decoder{
		codec:        c,
		ignoreErrors: opts.Bool(OptIgnoreParseErrors),
		readDefaults: opts.Bool(OptReadDefaultValues),
	}, nil
}

// NewDecoderFor returns a decoder for codec c.
func NewDecoderFor(c *Codec, readDefaults, ignoreParseErrors bool) *Decoder {
	return &Decoder{codec: c, readDefaults: readDefaults, ignoreErrors: ignoreParseErrors}
}

// Decode parses one message. A parse error is a *DecodeError, or no row at all when
// protobuf.ignore-parse-errors is set.
func (d *Decoder) Decode(data []byte) ([]formats.Row, error) {
	st, err := d.DecodeStruct(data)
	if err != nil {
		if d.ignoreErrors {
			return nil, nil
		}
		return nil, err
	}
	return []formats.Row{{Op: formats.Insert, Schema: d.codec.plan.schema, Value: st}}, nil
}

// DecodeStruct parses one message into a Connect struct of the codec's schema.
func (d *Decoder) DecodeStruct(data []byte) (*connect.Struct, error) {
	dc := decodeCtx{readDefaults: d.readDefaults}
	if d.codec.plan.hasStrings && len(data) > 0 {
		// One copy of the input backs every string field: substrings cost no allocation.
		dc.src = string(data)
	}
	st, err := dc.message(d.codec.plan, data, 0)
	if err != nil {
		return nil, topLevelDecodeError(d.codec.plan.name, err)
	}
	return st, nil
}

// Encoder encodes rows as protobuf messages, one per row. It is safe for concurrent use.
type Encoder struct {
	codec *Codec
	enc   *encoder
}

// NewEncoder builds an encoder from parsed format options.
func NewEncoder(opts *connect.Config) (*Encoder, error) {
	c, err := codecFromOptions(opts)
	if err != nil {
		return nil, err
	}
	return NewEncoderFor(c), nil
}

// NewEncoderFor returns an encoder for codec c.
func NewEncoderFor(c *Codec) *Encoder { return &Encoder{codec: c, enc: newEncoder()} }

// Encode writes each Insert and UpdateAfter row's value as one message; a row without a value
// becomes a nil message (a tombstone). Plain protobuf holds no change operation (Flink's
// protobuf format is insert-only): formats.EncodeInsertOnly skips an UpdateBefore row and
// refuses a Delete or a DDL row, which would otherwise read back as a live record.
func (e *Encoder) Encode(rows []formats.Row) ([][]byte, error) {
	return formats.EncodeInsertOnly(FormatName, rows, e.encodeRow)
}

func (e *Encoder) encodeRow(r *formats.Row) ([]byte, error) { return e.EncodeValue(r.Schema, r.Value) }

// EncodeValue encodes one value: a *connect.Struct, or a map[string]any keyed by field name
// for schemaless data. A nil value gives nil bytes.
func (e *Encoder) EncodeValue(schema *connect.Schema, value any) ([]byte, error) {
	if value == nil {
		return nil, nil
	}
	p := e.codec.plan
	if st, ok := value.(*connect.Struct); ok {
		schema = st.Schema()
	} else if schema != nil && schema.Type != connect.TypeStruct {
		return nil, fmt.Errorf("protobuf message %s: cannot encode a %s value; a message needs a STRUCT", p.name, schema)
	}
	b := make([]byte, 0, e.enc.sizeHint())
	b, err := e.enc.message(b, p, value)
	if err != nil {
		return nil, topLevelEncodeError(p.name, err)
	}
	e.enc.noteSize(len(b))
	return b, nil
}
