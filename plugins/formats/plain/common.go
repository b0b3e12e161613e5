package plain

import (
	"github.com/raftconnect/raftconnect/connect"
)

// Class names Kafka Connect configurations use for these converters.
const (
	StringConverterClass       = "org.apache.kafka.connect.storage.StringConverter"
	ByteArrayConverterClass    = "org.apache.kafka.connect.converters.ByteArrayConverter"
	IntegerConverterClass      = "org.apache.kafka.connect.converters.IntegerConverter"
	LongConverterClass         = "org.apache.kafka.connect.converters.LongConverter"
	ShortConverterClass        = "org.apache.kafka.connect.converters.ShortConverter"
	FloatConverterClass        = "org.apache.kafka.connect.converters.FloatConverter"
	DoubleConverterClass       = "org.apache.kafka.connect.converters.DoubleConverter"
	BooleanConverterClass      = "org.apache.kafka.connect.converters.BooleanConverter"
	SimpleHeaderConverterClass = "org.apache.kafka.connect.storage.SimpleHeaderConverter"
)

// ConverterTypeConfig is the setting the runtime passes to say how a converter is used: "key",
// "value" or "header" (Kafka's ConverterConfig).
const ConverterTypeConfig = "converter.type"

func init() {
	register(StringConverterClass, func() dual { return NewStringConverter() })
	register(ByteArrayConverterClass, func() dual { return NewByteArrayConverter() })
	register(IntegerConverterClass, func() dual { return NewIntegerConverter() })
	register(LongConverterClass, func() dual { return NewLongConverter() })
	register(ShortConverterClass, func() dual { return NewShortConverter() })
	register(FloatConverterClass, func() dual { return NewFloatConverter() })
	register(DoubleConverterClass, func() dual { return NewDoubleConverter() })
	register(BooleanConverterClass, func() dual { return NewBooleanConverter() })
	connect.Register(connect.Plugin{Class: SimpleHeaderConverterClass, New: func() any { return NewSimpleHeaderConverter() }})
}

// dual is a converter that is also a header converter through its AsHeaderConverter face.
type dual interface {
	connect.Converter
	AsHeaderConverter() connect.HeaderConverter
}

func register(class string, newConv func() dual) {
	connect.Register(connect.Plugin{
		Class:  class,
		New:    func() any { return newConv() },
		Header: func() connect.HeaderConverter { return newConv().AsHeaderConverter() },
	})
}

// converterConfigDef is Kafka's ConverterConfig: converter.type alone. The runtime sets it, so
// it is not required here (Kafka requires it but always gets it).
func converterConfigDef() *connect.ConfigDef {
	return connect.NewConfigDef().Define(connect.ConfigKey{
		Name: ConverterTypeConfig, Type: connect.ConfigString,
		Validator:  connect.OneOf(false, "key", "value", "header"),
		Importance: connect.Low,
		Doc:        "How this converter will be used.",
	})
}

// withType returns a copy of config with converter.type set as Kafka's configure(map, isKey)
// sets it.
func withType(config map[string]string, typ string, override bool) map[string]string {
	conf := make(map[string]string, len(config)+1)
	for k, v := range config {
		conf[k] = v
	}
	if _, ok := conf[ConverterTypeConfig]; override || !ok {
		conf[ConverterTypeConfig] = typ
	}
	return conf
}

func converterType(isKey bool) string {
	if isKey {
		return "key"
	}
	return "value"
}

// dualConverter is a converter whose header methods are its own; headerFace gives it the
// connect.HeaderConverter method set.
type dualConverter interface {
	configure(config map[string]string) error
	ConfigDef() *connect.ConfigDef
	FromConnectHeader(topic, key string, schema *connect.Schema, value any) ([]byte, error)
	ToConnectHeader(topic, key string, data []byte) (connect.SchemaAndValue, error)
	Close() error
}

type headerFace struct{ c dualConverter }

// Configure applies the settings for header use; converter.type defaults to "header".
func (h headerFace) Configure(config map[string]string) error {
	return h.c.configure(withType(config, "header", false))
}

func (h headerFace) ToConnectHeader(topic, key string, data []byte) (connect.SchemaAndValue, error) {
	return h.c.ToConnectHeader(topic, key, data)
}

func (h headerFace) FromConnectHeader(topic, key string, schema *connect.Schema, value any) ([]byte, error) {
	return h.c.FromConnectHeader(topic, key, schema, value)
}

func (h headerFace) ConfigDef() *connect.ConfigDef { return h.c.ConfigDef() }
func (h headerFace) Close() error                  { return h.c.Close() }

var _ connect.HeaderConverter = headerFace{}

// typeName is Kafka's upper-case name of a schema type, as its messages print it.
func typeName(s *connect.Schema) string {
	b := []byte(s.Type)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
