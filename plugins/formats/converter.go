package formats

import (
	"fmt"
	"strings"

	"github.com/raftconnect/raftconnect/connect"
)

// RowConverter adapts a Format to connect.Converter for formats whose messages hold exactly one
// row (json, csv, avro, raw, protobuf, ...). Its settings are the format's options, given with
// or without the "<format>." prefix: value.converter.csv.field-delimiter and
// value.converter.field-delimiter both work.
//
// A schemaless struct-like value (a map[string]any without a schema, as a source connector
// without schemas hands it over) given to an encoder that requires a schema (avro without
// avro.schema, csv without csv.schema) is typed by a RowWidener per topic: each topic's values
// share one inferred schema that widens as they disagree.
type RowConverter struct {
	format Format
	dec    Decoder
	enc    Encoder
	widen  *RowWidener // set when enc requires schemas
}

// NewRowConverter returns an unconfigured converter for format name; register it with
// connect.Register(connect.Plugin{Class: ..., New: func() any { return formats.NewRowConverter("csv") }}).
func NewRowConverter(name string) *RowConverter {
	f, err := Lookup(name)
	if err != nil {
		// Registration order is a programming error: formats register before converters use them.
		panic(err)
	}
	return &RowConverter{format: f}
}

// Configure parses the format options and builds the codec.
func (c *RowConverter) Configure(config map[string]string, isKey bool) error {
	opts, err := ParseOptions(c.format, config)
	if err != nil {
		return err
	}
	if c.format.NewDecoder != nil {
		if c.dec, err = c.format.NewDecoder(opts); err != nil {
			return fmt.Errorf("%s decoder: %w", c.format.Name, err)
		}
	}
	if c.format.NewEncoder != nil {
		if c.enc, err = c.format.NewEncoder(opts); err != nil {
			return fmt.Errorf("%s encoder: %w", c.format.Name, err)
		}
		if RequiresSchema(c.enc) {
			c.widen = NewRowWidener()
		}
	}
	return nil
}

// ParseOptions parses format options from config, accepting keys with and without the
// "<format>." prefix and ignoring keys the format does not define (converter settings share a
// namespace with the runtime's own, such as converter.type).
func ParseOptions(f Format, config map[string]string) (*connect.Config, error) {
	prefix := f.Name + "."
	props := make(map[string]string, len(config))
	for k, v := range config {
		if _, ok := f.Options.Key(prefix + k); ok && !strings.HasPrefix(k, prefix) {
			props[prefix+k] = v
			continue
		}
		props[k] = v
	}
	cfg, err := f.Options.Parse(props)
	if err != nil {
		return nil, fmt.Errorf("format %s: %w", f.Name, err)
	}
	return cfg, nil
}

// FromConnectData encodes the value as one Insert row.
func (c *RowConverter) FromConnectData(topic string, headers *connect.Headers, schema *connect.Schema, value any) ([]byte, error) {
	if value == nil && schema == nil {
		return nil, nil
	}
	if c.enc == nil {
		return nil, fmt.Errorf("format %s cannot encode", c.format.Name)
	}
	rows := []Row{{Op: Insert, Schema: schema, Value: value}}
	if _, schemaless := value.(map[string]any); schemaless && schema == nil && c.widen != nil {
		rows[0].Table = topic
		if err := c.widen.Widen(rows); err != nil {
			return nil, fmt.Errorf("topic %s: %s: %w", topic, c.format.Name, err)
		}
	}
	msgs, err := c.enc.Encode(rows)
	if err != nil {
		return nil, fmt.Errorf("topic %s: %s: %w", topic, c.format.Name, err)
	}
	if len(msgs) != 1 {
		return nil, fmt.Errorf("topic %s: %s encoded one value into %d messages", topic, c.format.Name, len(msgs))
	}
	return msgs[0], nil
}

// ToConnectData decodes one message; it must hold at most one row.
func (c *RowConverter) ToConnectData(topic string, headers connect.Headers, data []byte) (connect.SchemaAndValue, error) {
	if data == nil {
		return connect.SchemaAndValue{}, nil
	}
	if c.dec == nil {
		return connect.SchemaAndValue{}, fmt.Errorf("format %s cannot decode", c.format.Name)
	}
	rows, err := c.dec.Decode(data)
	if err != nil {
		return connect.SchemaAndValue{}, &connect.DataError{Msg: fmt.Sprintf("topic %s: %s", topic, c.format.Name), Err: err}
	}
	switch len(rows) {
	case 0:
		return connect.SchemaAndValue{}, nil
	case 1:
		return connect.SchemaAndValue{Schema: rows[0].Schema, Value: rows[0].Value}, nil
	}
	return connect.SchemaAndValue{}, fmt.Errorf("topic %s: %s message holds %d rows; a converter returns one value", topic, c.format.Name, len(rows))
}

// ConfigDef returns the format's options.
func (c *RowConverter) ConfigDef() *connect.ConfigDef { return c.format.Options }
