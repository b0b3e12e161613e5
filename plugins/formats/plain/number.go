package plain

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/raftconnect/raftconnect/connect"
)

func dataErrorf(format string, args ...any) error {
	return &connect.DataError{Msg: fmt.Sprintf(format, args...)}
}

// number is a Go type one of Kafka's number converters carries.
type number interface {
	int16 | int32 | int64 | float32 | float64
}

// NumberConverter is one of Kafka's IntegerConverter, LongConverter, ShortConverter,
// FloatConverter and DoubleConverter: the value is written as Kafka's serializer for that type
// writes it (big-endian two's complement, or big-endian IEEE 754 bits) and read back with an
// optional schema of the type. The value must have exactly the Go type T, as Kafka requires
// exactly the Java class; the schema is not consulted.
type NumberConverter[T number] struct {
	name         string // Kafka's name of the type in messages: "integer", "long", ...
	deserializer string // the Kafka deserializer whose size check fails on bad input
	schema       *connect.Schema
}

// NewIntegerConverter returns Kafka's IntegerConverter: int32, 4 bytes.
func NewIntegerConverter() *NumberConverter[int32] {
	return &NumberConverter[int32]{name: "integer", deserializer: "IntegerDeserializer", schema: connect.OptionalInt32Schema}
}

// NewLongConverter returns Kafka's LongConverter: int64, 8 bytes.
func NewLongConverter() *NumberConverter[int64] {
	return &NumberConverter[int64]{name: "long", deserializer: "LongDeserializer", schema: connect.OptionalInt64Schema}
}

// NewShortConverter returns Kafka's ShortConverter: int16, 2 bytes.
func NewShortConverter() *NumberConverter[int16] {
	return &NumberConverter[int16]{name: "short", deserializer: "ShortDeserializer", schema: connect.OptionalInt16Schema}
}

// NewFloatConverter returns Kafka's FloatConverter: float32, 4 bytes.
func NewFloatConverter() *NumberConverter[float32] {
	return &NumberConverter[float32]{name: "float", deserializer: "Deserializer", schema: connect.OptionalFloat32Schema}
}

// NewDoubleConverter returns Kafka's DoubleConverter: float64, 8 bytes.
func NewDoubleConverter() *NumberConverter[float64] {
	return &NumberConverter[float64]{name: "double", deserializer: "Deserializer", schema: connect.OptionalFloat64Schema}
}

// ConfigDef describes the converter's settings (only converter.type).
func (c *NumberConverter[T]) ConfigDef() *connect.ConfigDef { return converterConfigDef() }

// Configure checks the settings; the converter has none of its own.
func (c *NumberConverter[T]) Configure(config map[string]string, isKey bool) error {
	return c.configure(withType(config, converterType(isKey), true))
}

func (c *NumberConverter[T]) configure(config map[string]string) error {
	_, err := c.ConfigDef().Parse(config)
	return err
}

// FromConnectData writes the number; nil stays nil.
func (c *NumberConverter[T]) FromConnectData(_ string, _ *connect.Headers, _ *connect.Schema, value any) ([]byte, error) {
	if value == nil {
		return nil, nil
	}
	v, ok := value.(T)
	if !ok {
		return nil, dataErrorf("Failed to serialize to %s (was %T)", c.name, value)
	}
	switch x := any(v).(type) {
	case int16:
		return binary.BigEndian.AppendUint16(make([]byte, 0, 2), uint16(x)), nil
	case int32:
		return binary.BigEndian.AppendUint32(make([]byte, 0, 4), uint32(x)), nil
	case int64:
		return binary.BigEndian.AppendUint64(make([]byte, 0, 8), uint64(x)), nil
	case float32:
		return binary.BigEndian.AppendUint32(make([]byte, 0, 4), math.Float32bits(x)), nil
	case float64:
		return binary.BigEndian.AppendUint64(make([]byte, 0, 8), math.Float64bits(x)), nil
	}
	panic("unreachable")
}

// ToConnectData reads the number with the converter's optional schema; nil bytes read as nil.
func (c *NumberConverter[T]) ToConnectData(_ string, _ connect.Headers, data []byte) (connect.SchemaAndValue, error) {
	if data == nil {
		return connect.SchemaAndValue{Schema: c.schema}, nil
	}
	var zero T
	var v any
	size := 0
	switch any(zero).(type) {
	case int16:
		size = 2
		if len(data) == size {
			v = int16(binary.BigEndian.Uint16(data))
		}
	case int32:
		size = 4
		if len(data) == size {
			v = int32(binary.BigEndian.Uint32(data))
		}
	case int64:
		size = 8
		if len(data) == size {
			v = int64(binary.BigEndian.Uint64(data))
		}
	case float32:
		size = 4
		if len(data) == size {
			v = math.Float32frombits(binary.BigEndian.Uint32(data))
		}
	case float64:
		size = 8
		if len(data) == size {
			v = math.Float64frombits(binary.BigEndian.Uint64(data))
		}
	}
	if v == nil {
		return connect.SchemaAndValue{}, &connect.DataError{
			Msg: "Failed to deserialize " + c.name,
			Err: fmt.Errorf("Size of data received by %s is not %d", c.deserializer, size),
		}
	}
	return connect.SchemaAndValue{Schema: c.schema, Value: v}, nil
}

// FromConnectHeader writes a header value as FromConnectData writes a record value.
func (c *NumberConverter[T]) FromConnectHeader(topic, _ string, schema *connect.Schema, value any) ([]byte, error) {
	return c.FromConnectData(topic, nil, schema, value)
}

// ToConnectHeader reads a header value as ToConnectData reads a record value.
func (c *NumberConverter[T]) ToConnectHeader(topic, _ string, data []byte) (connect.SchemaAndValue, error) {
	return c.ToConnectData(topic, nil, data)
}

// Close releases nothing.
func (c *NumberConverter[T]) Close() error { return nil }

// AsHeaderConverter returns the converter's header-converter face.
func (c *NumberConverter[T]) AsHeaderConverter() connect.HeaderConverter { return headerFace{c} }

// BooleanConverter is Kafka's BooleanConverter: one byte, 1 for true and 0 for false, read back
// with an optional BOOLEAN schema. The schema, if given, must be BOOLEAN.
type BooleanConverter struct{}

// NewBooleanConverter returns a boolean converter.
func NewBooleanConverter() *BooleanConverter { return &BooleanConverter{} }

// ConfigDef describes the converter's settings (only converter.type).
func (c *BooleanConverter) ConfigDef() *connect.ConfigDef { return converterConfigDef() }

// Configure checks the settings; the converter has none of its own.
func (c *BooleanConverter) Configure(config map[string]string, isKey bool) error {
	return c.configure(withType(config, converterType(isKey), true))
}

func (c *BooleanConverter) configure(config map[string]string) error {
	_, err := c.ConfigDef().Parse(config)
	return err
}

// FromConnectData writes the boolean; nil stays nil.
func (c *BooleanConverter) FromConnectData(_ string, _ *connect.Headers, schema *connect.Schema, value any) ([]byte, error) {
	if schema != nil && schema.Type != connect.TypeBoolean {
		return nil, &connect.DataError{Msg: "Invalid schema type for BooleanConverter: " + typeName(schema)}
	}
	if value == nil {
		return nil, nil
	}
	b, ok := value.(bool)
	if !ok {
		return nil, dataErrorf("BooleanConverter is not compatible with objects of type %T", value)
	}
	if b {
		return []byte{1}, nil
	}
	return []byte{0}, nil
}

// ToConnectData reads one byte: 1 is true, 0 is false, anything else is an error.
func (c *BooleanConverter) ToConnectData(_ string, _ connect.Headers, data []byte) (connect.SchemaAndValue, error) {
	if data == nil {
		return connect.SchemaAndValue{Schema: connect.OptionalBooleanSchema}, nil
	}
	var err error
	switch {
	case len(data) != 1:
		err = fmt.Errorf("Size of data received by BooleanDeserializer is not 1")
	case data[0] == 1:
		return connect.SchemaAndValue{Schema: connect.OptionalBooleanSchema, Value: true}, nil
	case data[0] == 0:
		return connect.SchemaAndValue{Schema: connect.OptionalBooleanSchema, Value: false}, nil
	default:
		err = fmt.Errorf("Unexpected byte received by BooleanDeserializer: %d", int8(data[0]))
	}
	return connect.SchemaAndValue{}, &connect.DataError{Msg: "Failed to deserialize boolean", Err: err}
}

// FromConnectHeader writes a header value as FromConnectData writes a record value.
func (c *BooleanConverter) FromConnectHeader(topic, _ string, schema *connect.Schema, value any) ([]byte, error) {
	return c.FromConnectData(topic, nil, schema, value)
}

// ToConnectHeader reads a header value as ToConnectData reads a record value.
func (c *BooleanConverter) ToConnectHeader(topic, _ string, data []byte) (connect.SchemaAndValue, error) {
	return c.ToConnectData(topic, nil, data)
}

// Close releases nothing.
func (c *BooleanConverter) Close() error { return nil }

// AsHeaderConverter returns the converter's header-converter face.
func (c *BooleanConverter) AsHeaderConverter() connect.HeaderConverter { return headerFace{c} }

var (
	_ connect.Converter = (*NumberConverter[int32])(nil)
	_ connect.Converter = (*BooleanConverter)(nil)
)
