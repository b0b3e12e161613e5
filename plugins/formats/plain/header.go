package plain

import (
	"log/slog"
	"unicode/utf8"

	"github.com/raftconnect/raftconnect/connect"
)

// SimpleHeaderConverter is Kafka's SimpleHeaderConverter, the default header.converter: it
// writes header values as UTF-8 text (see ConvertToString) and reads text back inferring the
// type (see ParseString). Schemas are not written; they are inferred on reading.
type SimpleHeaderConverter struct{}

// NewSimpleHeaderConverter returns a simple header converter.
func NewSimpleHeaderConverter() *SimpleHeaderConverter { return &SimpleHeaderConverter{} }

// ConfigDef describes the converter's settings: it has none.
func (c *SimpleHeaderConverter) ConfigDef() *connect.ConfigDef { return connect.NewConfigDef() }

// Configure accepts any settings.
func (c *SimpleHeaderConverter) Configure(map[string]string) error { return nil }

// ToConnectHeader reads a header value. Bytes that are not UTF-8 text come back as they are,
// with a BYTES schema: Kafka's fallback for values it cannot parse (Kafka itself would decode
// them with U+FFFD in place of the bad bytes, losing them).
func (c *SimpleHeaderConverter) ToConnectHeader(topic, key string, data []byte) (connect.SchemaAndValue, error) {
	if data == nil {
		return connect.SchemaAndValue{}, nil
	}
	if !utf8.Valid(data) {
		slog.Debug("header value is not UTF-8 text; using its bytes", "topic", topic, "header", key)
		return connect.SchemaAndValue{Schema: connect.BytesSchema, Value: data}, nil
	}
	return ParseString(string(data)), nil
}

// FromConnectHeader writes a header value as text; nil stays nil.
func (c *SimpleHeaderConverter) FromConnectHeader(topic, key string, _ *connect.Schema, value any) ([]byte, error) {
	if value == nil {
		return nil, nil
	}
	if s, ok := value.(string); ok {
		return []byte(s), nil
	}
	s, err := ConvertToString(value)
	if err != nil {
		return nil, &connect.DataError{Msg: "Failed to serialize value for header '" + key + "' on topic '" + topic + "'", Err: err}
	}
	return []byte(s), nil
}

// Close releases nothing.
func (c *SimpleHeaderConverter) Close() error { return nil }

var _ connect.HeaderConverter = (*SimpleHeaderConverter)(nil)
