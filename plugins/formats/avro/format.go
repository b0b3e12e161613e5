package avro

import (
	"fmt"
	"sync/atomic"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

const (
	// FormatName is the format's name in `format`, `value.format` and `worker convert`.
	FormatName = "avro"
	// OptionSchema is the Avro schema (JSON) of the messages. Plain Avro carries no schema, so
	// decoding needs it; encoding uses it when set and otherwise derives the schema from each
	// row's Connect schema.
	OptionSchema = "avro.schema"
	// ConverterClass is the converter's class name; it is also found by the short name "avro".
	ConverterClass = "io.raftconnect.formats.AvroBinaryConverter"
)

func init() {
	formats.Register(formats.Format{
		Name:    FormatName,
		Options: optionDefs(),
		Binary:  true,
		NewDecoder: func(opts *connect.Config) (formats.Decoder, error) {
			return newCodec(opts.String(OptionSchema))
		},
		NewEncoder: func(opts *connect.Config) (formats.Encoder, error) {
			return newCodec(opts.String(OptionSchema))
		},
	})
	connect.Register(connect.Plugin{
		Class:   ConverterClass,
		Aliases: []string{FormatName},
		New:     func() any { return formats.NewRowConverter(FormatName) },
	})
}

func optionDefs() *connect.ConfigDef {
	return connect.NewConfigDef().Define(connect.ConfigKey{
		Name:       OptionSchema,
		Type:       connect.ConfigString,
		Default:    "",
		Importance: connect.High,
		Doc: "Avro schema of the messages, as JSON, for example " +
			`{"type":"record","name":"User","fields":[{"name":"id","type":"long"}]}. ` +
			"Plain Avro binary carries no schema, so decoding requires it. When encoding, values are " +
			"matched to its fields by name; when it is empty the schema is derived from each row's " +
			"Connect schema the way Confluent's AvroConverter derives it.",
	})
}

// codec is the avro format's decoder and encoder.
type codec struct {
	schema *Schema // from avro.schema; nil when unset
	cache  *Cache
	// hint is the size of the last message, to allocate the next one at once.
	hint atomic.Int64
}

func newCodec(text string) (*codec, error) {
	c := &codec{cache: NewCache(ExactOptions())}
	if text != "" {
		s, err := Parse(text, ExactOptions())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", OptionSchema, err)
		}
		c.schema = s
	}
	return c, nil
}

// Decode reads one message into one Insert row.
func (c *codec) Decode(data []byte) ([]formats.Row, error) {
	if c.schema == nil {
		return nil, fmt.Errorf("plain Avro carries no schema: set %s to decode", OptionSchema)
	}
	v, err := c.schema.Decode(data)
	if err != nil {
		return nil, err
	}
	return []formats.Row{{Op: formats.Insert, Schema: c.schema.ConnectSchema(), Value: v}}, nil
}

// Encode writes each Insert and UpdateAfter row's value as one message. Plain Avro holds no
// change operation (Flink's avro format is insert-only): formats.EncodeInsertOnly skips an
// UpdateBefore row and refuses a Delete or a DDL row, which would otherwise read back as a live
// record. A row without a value becomes a nil message (a tombstone).
func (c *codec) Encode(rows []formats.Row) ([][]byte, error) {
	return formats.EncodeInsertOnly(FormatName, rows, c.encodeRow)
}

func (c *codec) encodeRow(r *formats.Row) ([]byte, error) {
	s := c.schema
	if s == nil {
		if r.Schema == nil {
			return nil, fmt.Errorf("schemaless value: set %s to encode it", OptionSchema)
		}
		var err error
		if s, err = c.cache.Schema(r.Schema); err != nil {
			return nil, err
		}
	}
	b, err := s.Append(make([]byte, 0, c.hint.Load()+16), r.Value)
	if err != nil {
		return nil, err
	}
	c.hint.Store(int64(len(b)))
	return b, nil
}

// RequiresSchema reports whether rows need a Connect schema to derive the Avro schema from:
// without avro.schema, a schemaless row has none.
func (c *codec) RequiresSchema() bool { return c.schema == nil }

var _ JSONEncoder = (*codec)(nil)

// EncodeJSON writes one JSON message as Avro with avro.schema, without building Connect values.
func (c *codec) EncodeJSON(msg []byte) ([]byte, error) {
	if c.schema == nil {
		return nil, fmt.Errorf("schemaless JSON: set %s to encode it", OptionSchema)
	}
	b, err := c.schema.AppendJSON(make([]byte, 0, c.hint.Load()+16), msg)
	if err != nil {
		return nil, err
	}
	c.hint.Store(int64(len(b)))
	return b, nil
}
