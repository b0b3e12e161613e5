package jsonformat

import (
	"bytes"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// FormatName is the short name of the json row format.
const FormatName = "json"

// FormatConverterClass is the class name of the json format's converter (value.converter=json).
// It is not "io.raftconnect.formats.JsonConverter": the registry derives the aliases
// "JsonConverter" and "Json" from a class's simple name, and those must keep naming Kafka's
// JsonConverter.
const FormatConverterClass = "io.raftconnect.formats.JsonFormatConverter"

// Options of the json format, named as Flink names them; json.schemas.enable, json.schema and
// json.decode.numbers-as-decimal are ours.
const (
	OptIgnoreParseErrors      = "json.ignore-parse-errors"
	OptFailOnMissingField     = "json.fail-on-missing-field"
	OptTimestampFormat        = "json.timestamp-format.standard"
	OptMapNullKeyMode         = "json.map-null-key.mode"
	OptMapNullKeyLiteral      = "json.map-null-key.literal"
	OptDecimalAsPlainNumber   = "json.encode.decimal-as-plain-number"
	OptIgnoreNullFields       = "json.encode.ignore-null-fields"
	OptSchemasEnable          = "json.schemas.enable"
	OptSchema                 = "json.schema"
	OptDecodeNumbersAsDecimal = "json.decode.numbers-as-decimal"
)

// FormatOptions returns the json format's option definitions.
func FormatOptions() *connect.ConfigDef {
	def := connect.NewConfigDef().
		Define(connect.ConfigKey{Name: OptSchema, Type: connect.ConfigString, Importance: connect.High,
			Doc: "The row type, optional: a column list in Flink SQL syntax (e.g. 'id BIGINT NOT NULL, name STRING, " +
				"price DECIMAL(10,2), ts TIMESTAMP(3), at TIMESTAMP_LTZ(3), tags ARRAY<STRING>') or a Kafka " +
				"JsonConverter schema as JSON (e.g. {\"type\":\"struct\",\"fields\":[...]}). With it, messages decode " +
				"into structs of this type and rows are written in it; without it, messages decode schemaless " +
				"(objects as maps, integers as int64, other numbers as exact decimals, see json.decode.numbers-as-decimal) " +
				"and rows are written in their own schema."}).
		Define(connect.ConfigKey{Name: OptIgnoreParseErrors, Type: connect.ConfigBoolean, Default: false,
			Doc: "Skip a message that cannot be decoded (malformed JSON, or a value that does not fit the row " +
				"type) instead of failing: it decodes to no row."}).
		Define(connect.ConfigKey{Name: OptFailOnMissingField, Type: connect.ConfigBoolean, Default: false,
			Doc: "Fail when a field of the row type is missing from the message instead of reading it as null. " +
				"Cannot be combined with json.ignore-parse-errors."})
	formats.DefineTimestampFormatOption(def, OptTimestampFormat)
	return def.
		Define(connect.ConfigKey{Name: OptMapNullKeyMode, Type: connect.ConfigString, Default: "FAIL",
			Validator: connect.OneOf(true, "FAIL", "DROP", "LITERAL"), Recommended: []string{"FAIL", "DROP", "LITERAL"},
			Doc: "What a null map key becomes when writing: FAIL (an error), DROP (the entry is left out) or " +
				"LITERAL (the key is written as json.map-null-key.literal)."}).
		Define(connect.ConfigKey{Name: OptMapNullKeyLiteral, Type: connect.ConfigString, Default: "null",
			Doc: "The field name of a null map key when json.map-null-key.mode is LITERAL."}).
		Define(connect.ConfigKey{Name: OptDecimalAsPlainNumber, Type: connect.ConfigBoolean, Default: false,
			Doc: "Write decimals in plain notation (0.000000027) instead of the scientific notation Java's " +
				"BigDecimal.toString chooses for very large or small values (2.7E-8)."}).
		Define(connect.ConfigKey{Name: OptIgnoreNullFields, Type: connect.ConfigBoolean, Default: false,
			Doc: "Leave fields whose value is null out of the written objects."}).
		Define(connect.ConfigKey{Name: OptSchemasEnable, Type: connect.ConfigBoolean, Default: false,
			Doc: "Read and write Kafka JsonConverter's envelope {\"schema\": ..., \"payload\": ...}, with the " +
				"payload in Kafka's representation (dates, times and timestamps as numbers, decimals as JSON numbers), " +
				"so that Kafka Connect's JsonConverter with schemas.enable=true reads what this format writes and the " +
				"other way round."}).
		Define(connect.ConfigKey{Name: OptDecodeNumbersAsDecimal, Type: connect.ConfigBoolean, Default: true,
			Doc: "Without a row type, read numbers with a fraction or an exponent, and integers beyond 64 bits, as " +
				"exact decimals with the scale they are written with (1.50 stays 1.50, 123456789012345678901234 stays " +
				"whole), and write them back as written. false reads them as double-precision floats, as Kafka's " +
				"JsonConverter does (123456789012345678901234 becomes 1.2345678901234569E23)."})
}

func init() {
	formats.Register(formats.Format{
		Name:    FormatName,
		Options: FormatOptions(),
		NewDecoder: func(c *connect.Config) (formats.Decoder, error) {
			cfg, err := parseFormatConfig(c)
			if err != nil {
				return nil, err
			}
			return newRowCodec(cfg), nil
		},
		NewEncoder: func(c *connect.Config) (formats.Encoder, error) {
			cfg, err := parseFormatConfig(c)
			if err != nil {
				return nil, err
			}
			return newRowCodec(cfg), nil
		},
	})
	connect.Register(connect.Plugin{
		Class:   FormatConverterClass,
		Aliases: []string{FormatName},
		New:     func() any { return formats.NewRowConverter(FormatName) },
	})
}

// formatConfig is the parsed option set.
type formatConfig struct {
	schema       *connect.Schema // nil: schemaless
	envelope     bool
	ignoreErrors bool
	opts         Options
}

func parseFormatConfig(c *connect.Config) (*formatConfig, error) {
	cfg := &formatConfig{
		envelope:     c.Bool(OptSchemasEnable),
		ignoreErrors: c.Bool(OptIgnoreParseErrors),
	}
	if cfg.ignoreErrors && c.Bool(OptFailOnMissingField) {
		return nil, fmt.Errorf("%s and %s shouldn't both be true", OptFailOnMissingField, OptIgnoreParseErrors)
	}
	tf, err := formats.ParseTimestampFormat(c.String(OptTimestampFormat))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", OptTimestampFormat, err)
	}
	cfg.opts = Options{
		ReplaceNullWithDefault: true,
		Flink:                  !cfg.envelope,
		TimestampFormat:        tf,
		DecimalPlain:           c.Bool(OptDecimalAsPlainNumber),
		IgnoreNullFields:       c.Bool(OptIgnoreNullFields),
		FailOnMissingField:     c.Bool(OptFailOnMissingField),
		NumbersAsDecimal:       c.Bool(OptDecodeNumbersAsDecimal),
	}
	if cfg.envelope {
		// Kafka's representation; decimals as numbers, which every JsonConverter since Kafka
		// 2.4 reads, so that json.encode.decimal-as-plain-number has something to choose.
		cfg.opts.DecimalFormat = DecimalNumeric
	}
	switch strings.ToUpper(c.String(OptMapNullKeyMode)) {
	case "DROP":
		cfg.opts.MapNullKey = MapNullKeyDrop
	case "LITERAL":
		cfg.opts.MapNullKey = MapNullKeyAsLiteral
		// The literal as written: the configuration parser trims strings.
		lit, ok := c.Originals()[OptMapNullKeyLiteral]
		if !ok {
			lit = c.String(OptMapNullKeyLiteral)
		}
		cfg.opts.MapNullKeyLiteral = lit
	default:
		cfg.opts.MapNullKey = MapNullKeyFail
	}
	if cfg.schema, err = ParseRowSchema(c.String(OptSchema)); err != nil {
		return nil, fmt.Errorf("%s: %w", OptSchema, err)
	}
	return cfg, nil
}

// rowCodec is both the decoder and the encoder of the json format. It is safe for concurrent
// use.
type rowCodec struct {
	cfg *formatConfig
	dec Decoder
	enc Encoder
	// conv reads and writes the envelope (json.schemas.enable) with its schema caches.
	conv *Converter
	// sameAs is a row schema found equal to json.schema: the decoder and the encoder parse the
	// option separately, so equal schemas are usually different pointers.
	sameAs atomic.Pointer[connect.Schema]
}

func newRowCodec(cfg *formatConfig) *rowCodec {
	rc := &rowCodec{cfg: cfg, dec: Decoder{opts: cfg.opts}, enc: Encoder{opts: cfg.opts}}
	if cfg.envelope {
		rc.conv = &Converter{}
		rc.conv.setup(true, 1000, cfg.opts)
	}
	return rc
}

// Decode reads one message into one Insert row. A tombstone, an empty message and the JSON
// null decode to no row; so does a message that fails to decode when json.ignore-parse-errors
// is set. Errors name the byte offset of malformed JSON or the field that does not fit.
func (rc *rowCodec) Decode(data []byte) ([]formats.Row, error) {
	sv, err := rc.decode(data)
	if err != nil {
		if rc.cfg.ignoreErrors {
			return nil, nil
		}
		return nil, err
	}
	if sv.Value == nil {
		return nil, nil
	}
	return []formats.Row{{Op: formats.Insert, Schema: sv.Schema, Value: sv.Value}}, nil
}

func (rc *rowCodec) decode(data []byte) (connect.SchemaAndValue, error) {
	s := scanner{data: data}
	s.skipWS()
	if s.eof() {
		return connect.SchemaAndValue{}, nil
	}
	if data[s.pos] == 'n' {
		if err := s.literal("null"); err != nil {
			return connect.SchemaAndValue{}, err
		}
		return connect.SchemaAndValue{}, s.endOfDocument()
	}
	if !rc.cfg.envelope {
		v, err := rc.dec.value(&s, rc.cfg.schema)
		if err == nil {
			err = s.endOfDocument()
		}
		if err != nil {
			return connect.SchemaAndValue{}, syntaxFirst(data, err)
		}
		return connect.SchemaAndValue{Schema: rc.cfg.schema, Value: v}, nil
	}
	sv, err := rc.conv.readEnvelope(data)
	if err != nil || rc.cfg.schema == nil || sv.Value == nil {
		return sv, err
	}
	// The envelope says what the message holds; json.schema says what the rows are.
	v, err := formats.Coerce(rc.cfg.schema, sv.Value)
	if err != nil {
		return connect.SchemaAndValue{}, fmt.Errorf("the message does not fit %s: %w", OptSchema, err)
	}
	return connect.SchemaAndValue{Schema: rc.cfg.schema, Value: v}, nil
}

// Encode writes each Insert and UpdateAfter row as one message. JSON holds no change operation
// (Flink's json format is insert-only): formats.EncodeInsertOnly skips an UpdateBefore row and
// refuses a Delete or a DDL row. A row without a value becomes a nil message (a tombstone).
func (rc *rowCodec) Encode(rows []formats.Row) ([][]byte, error) {
	return formats.EncodeInsertOnly(FormatName, rows, rc.encodeRow)
}

func (rc *rowCodec) encodeRow(r *formats.Row) ([]byte, error) {
	schema, value := r.Schema, r.Value
	if want := rc.cfg.schema; want != nil && schema != want && (schema == nil || schema != rc.sameAs.Load()) {
		if schema != nil && schema.Equal(want) {
			rc.sameAs.Store(schema)
		} else {
			v, err := formats.Coerce(want, value)
			if err != nil {
				return nil, fmt.Errorf("the row does not fit %s: %w", OptSchema, err)
			}
			value = v
		}
		schema = want
	}
	bp := bufPool.Get().(*[]byte)
	var buf []byte
	var err error
	if rc.cfg.envelope {
		buf, err = rc.conv.appendRecord((*bp)[:0], schema, value)
	} else {
		buf, err = rc.enc.value((*bp)[:0], schema, value)
	}
	var out []byte
	if err == nil {
		out = bytes.Clone(buf)
	}
	if cap(buf) <= maxPooledBuf {
		*bp = buf
		bufPool.Put(bp)
	}
	return out, err
}
