package connect_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// A plugin registers itself from its package's init(), under a class name users put in their
// configurations. Lookups also accept the simple name ("UpperCaseConverter") and, for converters,
// the simple name without "Converter" ("UpperCase").
func init() {
	connect.Register(connect.Plugin{
		Class:   "test.example.UpperCaseConverter",
		Version: "0.1.0",
		New:     func() any { return new(upperConverter) },
	})
	connect.Register(connect.Plugin{
		Class:   "test.example.TopicPrefix",
		Version: "0.1.0",
		New:     func() any { return new(topicPrefix) },
	})
}

// upperConverter is a converter for string values that stores them upper-cased. It shows the
// parts every converter has: a ConfigDef, Configure, and the two conversions with their
// handling of nil (tombstones).
type upperConverter struct {
	trim bool
}

// upperConverterConfig describes the converter's settings, which users write as
// value.converter.trim (the runtime strips the value.converter. prefix).
func upperConverterConfig() *connect.ConfigDef {
	return connect.NewConfigDef().Define(connect.ConfigKey{
		Name:       "trim",
		Type:       connect.ConfigBoolean,
		Default:    false,
		Importance: connect.Low,
		Doc:        "Whether to remove leading and trailing white space before storing a value.",
	})
}

func (c *upperConverter) Configure(config map[string]string, isKey bool) error {
	cfg, err := upperConverterConfig().Parse(config)
	if err != nil {
		return err
	}
	c.trim = cfg.Bool("trim")
	return nil
}

func (c *upperConverter) FromConnectData(topic string, _ *connect.Headers, schema *connect.Schema, value any) ([]byte, error) {
	if value == nil {
		return nil, nil // a tombstone stays a tombstone
	}
	s, ok := value.(string)
	if !ok || (schema != nil && schema.Type != connect.TypeString) {
		// A DataError lets the runtime's errors.tolerance decide whether to skip the record.
		return nil, connect.NewDataError(fmt.Sprintf("topic %s: upper converter needs a STRING value, got %T with schema %s", topic, value, schema), nil)
	}
	if c.trim {
		s = strings.TrimSpace(s)
	}
	return []byte(strings.ToUpper(s)), nil
}

func (c *upperConverter) ToConnectData(_ string, _ connect.Headers, data []byte) (connect.SchemaAndValue, error) {
	if data == nil {
		return connect.SchemaAndValue{}, nil
	}
	return connect.SchemaAndValue{Schema: connect.OptionalStringSchema, Value: strings.ToUpper(string(data))}, nil
}

func (c *upperConverter) ConfigDef() *connect.ConfigDef { return upperConverterConfig() }

func ExampleConverter() {
	// The runtime finds the converter by the name in value.converter, makes a fresh instance
	// and configures it.
	plugin, err := connect.LookupType("UpperCase", connect.PluginConverter)
	if err != nil {
		fmt.Println(err)
		return
	}
	conv := plugin.New().(connect.Converter)
	if err := conv.Configure(map[string]string{"trim": "true"}, false); err != nil {
		fmt.Println(err)
		return
	}

	data, err := conv.FromConnectData("greetings", nil, connect.StringSchema, "  hello ")
	fmt.Printf("%q %v\n", data, err)

	back, err := conv.ToConnectData("greetings", nil, []byte("world"))
	fmt.Println(back.Schema, back.Value, err)

	_, err = conv.FromConnectData("greetings", nil, connect.Int32Schema, int32(7))
	var dataErr *connect.DataError
	fmt.Println(errors.As(err, &dataErr), err)

	err = conv.Configure(map[string]string{"trim": "maybe"}, false)
	fmt.Println(err)
	// Output:
	// "HELLO" <nil>
	// STRING? WORLD <nil>
	// true topic greetings: upper converter needs a STRING value, got int32 with schema INT32
	// Invalid value maybe for configuration trim: Expected value to be either true or false
}

// topicPrefix is a transformation that renames the topic of every record, like Kafka's
// RegexRouter with a fixed replacement. It shows the rule for Apply: change the record's own
// fields (Topic here) in place, but never values reachable from it.
type topicPrefix struct {
	prefix string
}

func topicPrefixConfig() *connect.ConfigDef {
	return connect.NewConfigDef().Define(connect.ConfigKey{
		Name:       "prefix",
		Type:       connect.ConfigString,
		Required:   true,
		Validator:  connect.NonEmptyString(),
		Importance: connect.High,
		Doc:        "Text put in front of every topic name.",
	})
}

func (t *topicPrefix) Configure(config map[string]string) error {
	cfg, err := topicPrefixConfig().Parse(config)
	if err != nil {
		return err
	}
	t.prefix = cfg.String("prefix")
	return nil
}

func (t *topicPrefix) Apply(rec *connect.Record) (*connect.Record, error) {
	rec.Topic = t.prefix + rec.Topic
	return rec, nil
}

func (t *topicPrefix) ConfigDef() *connect.ConfigDef { return topicPrefixConfig() }
func (t *topicPrefix) Close() error                  { return nil }

func ExampleTransformation() {
	// transforms=route, transforms.route.type=TopicPrefix, transforms.route.prefix=dc1.
	plugin, err := connect.LookupType("TopicPrefix", connect.PluginTransformation)
	if err != nil {
		fmt.Println(err)
		return
	}
	tr := plugin.New().(connect.Transformation)
	defer tr.Close()

	fmt.Println(tr.Configure(map[string]string{}))
	if err := tr.Configure(map[string]string{"prefix": "dc1."}); err != nil {
		fmt.Println(err)
		return
	}
	rec := &connect.Record{Topic: "orders", ValueSchema: connect.StringSchema, Value: "o-1"}
	out, err := tr.Apply(rec)
	fmt.Println(out.Topic, out.Value, err)
	// Output:
	// Missing required configuration "prefix" which has no default value.
	// dc1.orders o-1 <nil>
}

func ExampleStruct() {
	// Schemas are built once and shared: a record's value carries a pointer to its schema.
	address := connect.StructBuilder().Name("com.example.Address").
		Field("city", connect.StringSchema).
		Field("zip", connect.OptionalStringSchema).
		MustBuild()
	order := connect.StructBuilder().Name("com.example.Order").Version(1).
		Field("id", connect.Int64Schema).
		Field("amount", connect.DecimalSchema(2).MustBuild()).
		Field("placed", connect.DateSchema().MustBuild()).
		Field("status", connect.NewSchemaBuilder(connect.TypeString).Default("NEW").MustBuild()).
		Field("lines", connect.ArrayOf(connect.StringSchema).MustBuild()).
		Field("ship_to", address).
		MustBuild()

	amount, err := connect.ParseDecimal("19.90")
	if err != nil {
		fmt.Println(err)
		return
	}
	o := connect.NewStruct(order).
		MustPut("id", int64(42)).
		MustPut("amount", amount).
		MustPut("placed", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)).
		MustPut("lines", []any{"book", "pen"})

	// Put checks every value against its field's schema: Go int is not INT64.
	fmt.Println(o.Put("id", 43))
	// Validate finds required fields still missing.
	fmt.Println(o.Validate())

	o.MustPut("ship_to", connect.NewStruct(address).MustPut("city", "Oslo"))
	fmt.Println(o.Validate())
	fmt.Println(o.GetString("status"), o.GetStruct("ship_to").GetString("city"))
	fmt.Println(order)
	// Output:
	// field id: invalid Go type int for schema type int64
	// field ship_to: invalid value: null used for required field, schema type: struct
	// <nil>
	// NEW Oslo
	// com.example.Order:STRUCT{id:INT64,amount:org.apache.kafka.connect.data.Decimal:BYTES,placed:org.apache.kafka.connect.data.Date:INT32,status:STRING,lines:ARRAY<STRING>,ship_to:com.example.Address:STRUCT{city:STRING,zip:STRING?}}
}
