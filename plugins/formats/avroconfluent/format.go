package avroconfluent

import (
	"fmt"
	"strings"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
	"github.com/raftconnect/raftconnect/plugins/formats/avro"
)

// The avro-confluent format's options, named as in Flink.
const (
	FormatName              = "avro-confluent"
	OptionURL               = "avro-confluent.url"
	OptionSubject           = "avro-confluent.subject"
	OptionSchema            = "avro-confluent.schema"
	OptionCredentialsSource = "avro-confluent.basic-auth.credentials-source"
	OptionUserInfo          = "avro-confluent.basic-auth.user-info"
)

func init() {
	formats.Register(formats.Format{
		Name:    FormatName,
		Options: formatOptions(),
		Binary:  true,
		NewDecoder: func(opts *connect.Config) (formats.Decoder, error) {
			return newFormatCodec(opts)
		},
		NewEncoder: func(opts *connect.Config) (formats.Encoder, error) {
			return newFormatCodec(opts)
		},
	})
	connect.Register(connect.Plugin{
		Class:   ConverterClass,
		Aliases: []string{FormatName},
		New:     func() any { return &Converter{} },
	})
}

func formatOptions() *connect.ConfigDef {
	return connect.NewConfigDef().
		Define(connect.ConfigKey{
			Name: OptionURL, Type: connect.ConfigString, Required: true, Importance: connect.High,
			Validator: connect.NonEmptyString(),
			Doc:       "URL of the Confluent Schema Registry, for example http://registry:8081; several may be given separated by commas.",
		}).
		Define(connect.ConfigKey{
			Name: OptionSubject, Type: connect.ConfigString, Default: "", Importance: connect.Medium,
			Doc: "Subject under which the schema of encoded messages is registered, for example orders-value. " +
				"Required to encode; decoding finds schemas by the id in each message.",
		}).
		Define(connect.ConfigKey{
			Name: OptionSchema, Type: connect.ConfigString, Default: "", Importance: connect.Medium,
			Doc: "Avro schema (JSON) to encode with and register. When empty, the schema is derived from each row's " +
				"Connect schema as Confluent's AvroConverter derives it. Decoding always uses the writer schema from the registry.",
		}).
		Define(connect.ConfigKey{
			Name: OptionCredentialsSource, Type: connect.ConfigString, Default: "", Importance: connect.Medium,
			Validator: connect.OneOf(true, "", SourceUserInfo, SourceURL),
			Doc:       "Where the basic authentication credentials come from: USER_INFO (" + OptionUserInfo + ") or URL (user:password@ in the URL).",
		}).
		Define(connect.ConfigKey{
			Name: OptionUserInfo, Type: connect.ConfigPassword, Default: "", Importance: connect.Medium,
			Doc: "Basic authentication credentials as user:password, used when the credentials source is USER_INFO.",
		})
}

// formatCodec is the avro-confluent format's decoder and encoder.
type formatCodec struct {
	sd      *serde
	subject string
	fixed   *avro.Schema
}

func newFormatCodec(opts *connect.Config) (*formatCodec, error) {
	source := opts.String(OptionCredentialsSource)
	if source == "" && opts.Password(OptionUserInfo) != "" {
		source = SourceUserInfo
	}
	reg, err := NewRegistry(RegistryConfig{
		URLs:              strings.Split(opts.String(OptionURL), ","),
		CredentialsSource: source,
		UserInfo:          opts.Password(OptionUserInfo).Value(),
		Options:           avro.ExactOptions(),
		LatestTTL:         -1,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", OptionURL, err)
	}
	c := &formatCodec{sd: newSerde(reg, avro.ExactOptions(), true, false), subject: opts.String(OptionSubject)}
	if text := opts.String(OptionSchema); text != "" {
		if c.fixed, err = avro.Parse(text, avro.ExactOptions()); err != nil {
			return nil, fmt.Errorf("%s: %w", OptionSchema, err)
		}
	}
	return c, nil
}

// Decode reads one wire-format message into one Insert row; an empty message (a tombstone)
// holds none.
func (c *formatCodec) Decode(data []byte) ([]formats.Row, error) {
	if len(data) == 0 {
		return nil, nil
	}
	s, v, err := c.sd.decode(data)
	if err != nil {
		return nil, err
	}
	return []formats.Row{{Op: formats.Insert, Schema: s.ConnectSchema(), Value: v}}, nil
}

// Encode writes each Insert and UpdateAfter row's value as one message, registering its schema
// under avro-confluent.subject the first time. The wire format holds no change operation
// (Flink's avro-confluent format is insert-only): formats.EncodeInsertOnly skips an UpdateBefore
// row and refuses a Delete or a DDL row, which would otherwise read back as a live record. A row
// without a value becomes a nil message (a tombstone).
func (c *formatCodec) Encode(rows []formats.Row) ([][]byte, error) {
	if c.subject == "" {
		return nil, fmt.Errorf("%s is not set: it names the subject to register the schema under (for example <topic>-value)", OptionSubject)
	}
	return formats.EncodeInsertOnly(FormatName, rows, c.encodeRow)
}

func (c *formatCodec) encodeRow(r *formats.Row) ([]byte, error) {
	as, err := c.sd.schemaOf(c.fixed, r.Schema, OptionSchema)
	if err != nil {
		return nil, err
	}
	t, err := c.sd.target(targetKey{c.subject, as}, func() (string, error) { return c.subject, nil })
	if err != nil {
		return nil, err
	}
	b, err := c.sd.encode(t, r.Value)
	if err != nil {
		return nil, fmt.Errorf("subject %q: %w", c.subject, err)
	}
	return b, nil
}

// RequiresSchema reports whether rows need a Connect schema to derive the Avro schema from:
// without avro-confluent.schema, a schemaless row has none.
func (c *formatCodec) RequiresSchema() bool { return c.fixed == nil }

var _ avro.JSONEncoder = (*formatCodec)(nil)

// EncodeJSON writes one JSON message as Confluent Avro with avro-confluent.schema, without
// building Connect values; the schema is registered under avro-confluent.subject once.
func (c *formatCodec) EncodeJSON(msg []byte) ([]byte, error) {
	if c.subject == "" {
		return nil, fmt.Errorf("%s is not set: it names the subject to register the schema under (for example <topic>-value)", OptionSubject)
	}
	if c.fixed == nil {
		return nil, fmt.Errorf("schemaless JSON: set %s to encode it", OptionSchema)
	}
	t, err := c.sd.target(targetKey{c.subject, c.fixed}, func() (string, error) { return c.subject, nil })
	if err != nil {
		return nil, err
	}
	b := AppendHeader(make([]byte, 0, c.sd.hint.Load()+16), t.id)
	if b, err = t.writer.AppendJSON(b, msg); err != nil {
		return nil, fmt.Errorf("subject %q, schema id %d: %w", c.subject, t.id, err)
	}
	c.sd.hint.Store(int64(len(b)))
	return b, nil
}
