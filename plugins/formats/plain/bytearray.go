package plain

import (
	"github.com/raftconnect/raftconnect/connect"
)

// ByteArrayConverter is Kafka's ByteArrayConverter: bytes pass through untouched in both
// directions (not copied). The schema must be BYTES or absent and the value []byte or nil.
type ByteArrayConverter struct{}

// NewByteArrayConverter returns a byte array converter.
func NewByteArrayConverter() *ByteArrayConverter { return &ByteArrayConverter{} }

// ConfigDef describes the converter's settings (only converter.type).
func (c *ByteArrayConverter) ConfigDef() *connect.ConfigDef { return converterConfigDef() }

// Configure accepts any settings: the converter has none of its own.
func (c *ByteArrayConverter) Configure(map[string]string, bool) error { return nil }

func (c *ByteArrayConverter) configure(map[string]string) error { return nil }

// FromConnectData returns the value's bytes.
func (c *ByteArrayConverter) FromConnectData(_ string, _ *connect.Headers, schema *connect.Schema, value any) ([]byte, error) {
	if schema != nil && schema.Type != connect.TypeBytes {
		return nil, &connect.DataError{Msg: "Invalid schema type for ByteArrayConverter: " + typeName(schema)}
	}
	if value == nil {
		return nil, nil
	}
	b, ok := value.([]byte)
	if !ok {
		return nil, dataErrorf("ByteArrayConverter is not compatible with objects of type %T", value)
	}
	return b, nil
}

// ToConnectData returns the bytes with an optional BYTES schema.
func (c *ByteArrayConverter) ToConnectData(_ string, _ connect.Headers, data []byte) (connect.SchemaAndValue, error) {
	if data == nil {
		return connect.SchemaAndValue{Schema: connect.OptionalBytesSchema}, nil
	}
	return connect.SchemaAndValue{Schema: connect.OptionalBytesSchema, Value: data}, nil
}

// FromConnectHeader writes a header value as FromConnectData writes a record value.
func (c *ByteArrayConverter) FromConnectHeader(topic, _ string, schema *connect.Schema, value any) ([]byte, error) {
	return c.FromConnectData(topic, nil, schema, value)
}

// ToConnectHeader reads a header value as ToConnectData reads a record value.
func (c *ByteArrayConverter) ToConnectHeader(topic, _ string, data []byte) (connect.SchemaAndValue, error) {
	return c.ToConnectData(topic, nil, data)
}

// Close releases nothing.
func (c *ByteArrayConverter) Close() error { return nil }

// AsHeaderConverter returns the converter's header-converter face.
func (c *ByteArrayConverter) AsHeaderConverter() connect.HeaderConverter { return headerFace{c} }

var _ connect.Converter = (*ByteArrayConverter)(nil)
