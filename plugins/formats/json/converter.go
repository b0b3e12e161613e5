package jsonformat

import (
	"bytes"
	"strings"
	"sync"

	"github.com/raftconnect/raftconnect/connect"
)

// ConverterClass is the class name Kafka Connect configurations use for this converter.
const ConverterClass = "org.apache.kafka.connect.json.JsonConverter"

// Configuration keys of the converter (Kafka's JsonConverterConfig and ConverterConfig).
const (
	SchemasEnableConfig          = "schemas.enable"
	SchemasCacheSizeConfig       = "schemas.cache.size"
	DecimalFormatConfig          = "decimal.format"
	ReplaceNullWithDefaultConfig = "replace.null.with.default"
	ConverterTypeConfig          = "converter.type"
)

func init() {
	connect.Register(connect.Plugin{
		Class:  ConverterClass,
		New:    func() any { return NewConverter() },
		Header: func() connect.HeaderConverter { return NewConverter().AsHeaderConverter() },
	})
}

// envelopeError is Kafka's message for schemas.enable data that is not a {"schema", "payload"}
// envelope; users meet it in task traces and search for it.
const envelopeError = `JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.`

// Converter is Kafka's JsonConverter. With schemas.enable (the default) each value is written as
// an envelope {"schema": <schema JSON>, "payload": <value JSON>} holding exactly those two fields,
// and read back with its schema; without it the value's JSON stands alone and reading infers the
// type. The schema JSON of each schema, and the schema read from each distinct schema JSON, are
// cached (schemas.cache.size entries each). A Converter is safe for concurrent use.
//
// Kafka's JsonConverter is also a header converter; AsHeaderConverter gives that face, which
// the registry hands out for header.converter.
type Converter struct {
	schemasEnabled bool
	enc            Encoder
	dec            Decoder

	mu sync.Mutex
	// toJSON caches schema JSON by schema pointer: schemas are immutable once in use.
	toJSON *lru[*connect.Schema, []byte]
	// toConnect caches schemas by the exact text of their JSON.
	toConnect *lru[string, *connect.Schema]
	// lastText and lastSchema remember the schema read most recently. Records of one topic
	// usually repeat it byte for byte, and recognising the same bytes is much cheaper than
	// scanning them to find where the schema ends.
	lastText   string
	lastSchema *connect.Schema
}

// NewConverter returns a converter with Kafka's defaults, ready to use without Configure.
func NewConverter() *Converter {
	c := &Converter{}
	c.setup(true, 1000, DefaultOptions())
	return c
}

func (c *Converter) setup(schemas bool, cacheSize int, opts Options) {
	c.schemasEnabled = schemas
	c.enc = Encoder{opts: opts}
	c.dec = Decoder{opts: opts}
	c.toJSON = newLRU[*connect.Schema, []byte](cacheSize)
	c.toConnect = newLRU[string, *connect.Schema](cacheSize)
	c.lastText, c.lastSchema = "", nil
}

// ConfigDef describes the converter's settings.
func (c *Converter) ConfigDef() *connect.ConfigDef { return configDef() }

func configDef() *connect.ConfigDef {
	return connect.NewConfigDef().
		Define(connect.ConfigKey{
			Name: ConverterTypeConfig, Type: connect.ConfigString,
			Validator:  connect.OneOf(false, "key", "value", "header"),
			Importance: connect.Low,
			Doc:        "How this converter will be used.",
		}).
		Define(connect.ConfigKey{
			Name: SchemasEnableConfig, Type: connect.ConfigBoolean, Default: true,
			Importance: connect.High, Group: "Schemas", Order: 0, Width: connect.WidthMedium,
			DisplayName: "Enable Schemas",
			Doc:         "Include schemas within each of the serialized values and keys.",
		}).
		Define(connect.ConfigKey{
			Name: SchemasCacheSizeConfig, Type: connect.ConfigInt, Default: 1000,
			Importance: connect.High, Group: "Schemas", Order: 1, Width: connect.WidthMedium,
			DisplayName: "Schema Cache Size",
			Doc:         "The maximum number of schemas that can be cached in this converter instance.",
		}).
		Define(connect.ConfigKey{
			Name: DecimalFormatConfig, Type: connect.ConfigString, Default: "BASE64",
			Validator:  connect.OneOf(true, "BASE64", "NUMERIC"),
			Importance: connect.Low, Group: "Serialization", Order: 0, Width: connect.WidthMedium,
			DisplayName: "Decimal Format",
			Doc:         "Controls which format this converter will serialize decimals in. This value is case insensitive and can be either 'BASE64' (default) or 'NUMERIC'",
		}).
		Define(connect.ConfigKey{
			Name: ReplaceNullWithDefaultConfig, Type: connect.ConfigBoolean, Default: true,
			Importance: connect.Low, Group: "Serialization", Order: 1, Width: connect.WidthMedium,
			DisplayName: "Replace null with default",
			Doc:         "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.",
		})
}

// Configure applies the converter settings; isKey sets converter.type as Kafka does. Call it
// before the converter is in use.
func (c *Converter) Configure(config map[string]string, isKey bool) error {
	conf := make(map[string]string, len(config)+1)
	for k, v := range config {
		conf[k] = v
	}
	conf[ConverterTypeConfig] = "value"
	if isKey {
		conf[ConverterTypeConfig] = "key"
	}
	return c.configure(conf)
}

func (c *Converter) configure(config map[string]string) error {
	cfg, err := configDef().Parse(config)
	if err != nil {
		return err
	}
	opts := Options{ReplaceNullWithDefault: cfg.Bool(ReplaceNullWithDefaultConfig)}
	if strings.EqualFold(cfg.String(DecimalFormatConfig), "NUMERIC") {
		opts.DecimalFormat = DecimalNumeric
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setup(cfg.Bool(SchemasEnableConfig), cfg.Int(SchemasCacheSizeConfig), opts)
	return nil
}

// bufPool recycles encoding buffers: each record is encoded into a pooled buffer and copied out
// at its exact size, so steady-state encoding allocates only the result.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxPooledBuf keeps one huge record from pinning a huge buffer in the pool.
const maxPooledBuf = 1 << 20

// FromConnectData writes value (described by schema) as JSON. A nil schema and nil value give
// nil bytes: a tombstone stays a tombstone. Errors are *connect.DataError.
func (c *Converter) FromConnectData(_ string, _ *connect.Headers, schema *connect.Schema, value any) ([]byte, error) {
	if schema == nil && value == nil {
		return nil, nil
	}
	bp := bufPool.Get().(*[]byte)
	buf, err := c.appendRecord((*bp)[:0], schema, value)
	var out []byte
	if err == nil {
		out = bytes.Clone(buf)
	}
	if cap(buf) <= maxPooledBuf {
		*bp = buf
		bufPool.Put(bp)
	}
	if err != nil {
		return nil, dataError(err)
	}
	return out, nil
}

func (c *Converter) appendRecord(dst []byte, schema *connect.Schema, value any) ([]byte, error) {
	if !c.schemasEnabled {
		return c.enc.value(dst, schema, value)
	}
	dst = append(dst, `{"schema":`...)
	dst, err := c.appendSchema(dst, schema)
	if err != nil {
		return dst, err
	}
	dst = append(dst, `,"payload":`...)
	if dst, err = c.enc.value(dst, schema, value); err != nil {
		return dst, err
	}
	return append(dst, '}'), nil
}

// appendSchema writes the schema JSON, from the cache when this schema was written before.
func (c *Converter) appendSchema(dst []byte, schema *connect.Schema) ([]byte, error) {
	if schema == nil {
		return append(dst, "null"...), nil
	}
	c.mu.Lock()
	js, ok := c.toJSON.get(schema)
	c.mu.Unlock()
	if ok {
		return append(dst, js...), nil
	}
	start := len(dst)
	dst, err := c.enc.AppendSchema(dst, schema)
	if err != nil {
		return dst, err
	}
	js = bytes.Clone(dst[start:])
	c.mu.Lock()
	c.toJSON.put(schema, js)
	c.mu.Unlock()
	return dst, nil
}

// ToConnectData reads JSON written by FromConnectData (or by Kafka's JsonConverter). Nil bytes
// (a tombstone) give a nil schema and value. Errors are *connect.DataError.
func (c *Converter) ToConnectData(_ string, _ connect.Headers, data []byte) (connect.SchemaAndValue, error) {
	if data == nil {
		return connect.SchemaAndValue{}, nil
	}
	if !c.schemasEnabled {
		v, err := c.dec.Decode(data, nil)
		if err != nil {
			return connect.SchemaAndValue{}, dataError(err)
		}
		return connect.SchemaAndValue{Value: v}, nil
	}
	sv, err := c.readEnvelope(data)
	if err != nil {
		return connect.SchemaAndValue{}, dataError(err)
	}
	return sv, nil
}

// readEnvelope reads {"schema": ..., "payload": ...}. In the usual layout (schema first) the
// payload is decoded in the same pass that scans the envelope; otherwise it is decoded from its
// bytes once the schema is known. Errors come in Kafka's order: malformed JSON, then a wrong
// envelope, then a bad schema, then a payload that does not fit the schema.
func (c *Converter) readEnvelope(data []byte) (connect.SchemaAndValue, error) {
	s := scanner{data: data}
	s.skipWS()
	if s.eof() || s.data[s.pos] != '{' {
		if err := validate(data); err != nil {
			return connect.SchemaAndValue{}, err
		}
		return connect.SchemaAndValue{}, &connect.DataError{Msg: envelopeError}
	}
	s.depth = 1
	s.pos++
	var (
		haveSchema, havePayload, extra bool
		sch                            *connect.Schema
		schErr                         error
		payload                        []byte
		val                            any
		valErr                         error
		decoded                        bool // val/valErr hold the payload decoded with sch
	)
	c0, err := s.next("a field name or '}'")
	if err != nil {
		return connect.SchemaAndValue{}, err
	}
	if c0 == '}' {
		s.pos++
	} else {
		for {
			if c0 != '"' {
				return connect.SchemaAndValue{}, s.unexpected("a field name")
			}
			start, end, escaped, err := s.scanString()
			if err != nil {
				return connect.SchemaAndValue{}, err
			}
			key := s.data[start:end]
			if escaped {
				key = unquote(key, nil)
			}
			if err := s.colon(); err != nil {
				return connect.SchemaAndValue{}, err
			}
			s.skipWS()
			vstart := s.pos
			switch string(key) {
			case envelopeSchema:
				haveSchema = true
				decoded = false
				if known, n := c.lastSchemaAt(s.data[vstart:]); n > 0 {
					// The same bytes as a schema object read before: the same, valid, value.
					sch, schErr = known, nil
					s.pos += n
					break
				}
				if err := s.skipValue(); err != nil {
					return connect.SchemaAndValue{}, err
				}
				sch, schErr = c.schemaFor(s.data[vstart:s.pos])
			case envelopePayload:
				havePayload = true
				decoded = false
				if haveSchema && schErr == nil {
					val, valErr = c.dec.value(&s, sch)
					decoded = true
					if valErr != nil {
						if _, ok := valErr.(*convError); !ok {
							return connect.SchemaAndValue{}, valErr
						}
						// Check the rest of the payload's syntax: it takes precedence.
						s.pos, s.depth = vstart, 1
						if err := s.skipValue(); err != nil {
							return connect.SchemaAndValue{}, err
						}
					}
				} else if err := s.skipValue(); err != nil {
					return connect.SchemaAndValue{}, err
				}
				payload = s.data[vstart:s.pos]
			default:
				extra = true
				if err := s.skipValue(); err != nil {
					return connect.SchemaAndValue{}, err
				}
			}
			more, err := s.more('}')
			if err != nil {
				return connect.SchemaAndValue{}, err
			}
			if !more {
				break
			}
			if c0, err = s.next("a field name"); err != nil {
				return connect.SchemaAndValue{}, err
			}
		}
	}
	if err := s.endOfDocument(); err != nil {
		return connect.SchemaAndValue{}, err
	}
	if extra || !haveSchema || !havePayload {
		return connect.SchemaAndValue{}, &connect.DataError{Msg: envelopeError}
	}
	if schErr != nil {
		return connect.SchemaAndValue{}, schErr
	}
	if !decoded {
		ps := scanner{data: payload}
		val, valErr = c.dec.value(&ps, sch)
	}
	if valErr != nil {
		return connect.SchemaAndValue{}, valErr
	}
	return connect.SchemaAndValue{Schema: sch, Value: val}, nil
}

// lastSchemaAt reports whether data starts with the text of the schema object read most
// recently, returning that schema and the text's length (0 if it does not).
func (c *Converter) lastSchemaAt(data []byte) (*connect.Schema, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.lastText)
	if n == 0 || len(data) < n || string(data[:n]) != c.lastText {
		return nil, 0
	}
	return c.lastSchema, n
}

// schemaFor returns the schema of a (well-formed) schema JSON, from the cache when the same
// text was read before.
func (c *Converter) schemaFor(raw []byte) (*connect.Schema, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	c.mu.Lock()
	if e, ok := c.toConnect.m[string(raw)]; ok {
		c.toConnect.touch(e)
		// Read the entry under the lock: another goroutine may put the same text again.
		sch := e.val
		c.lastText, c.lastSchema = e.key, sch
		c.mu.Unlock()
		return sch, nil
	}
	c.mu.Unlock()
	sch, _, err := c.dec.parseSchema(raw)
	if err != nil {
		return nil, err
	}
	text := string(raw)
	c.mu.Lock()
	c.toConnect.put(text, sch)
	if c.toConnect.capacity > 0 {
		// Only an object is self-delimiting; schemaFor is not called for null.
		c.lastText, c.lastSchema = text, sch
	}
	c.mu.Unlock()
	return sch, nil
}

// FromConnectHeader writes a header value exactly as FromConnectData writes a record value.
func (c *Converter) FromConnectHeader(topic, _ string, schema *connect.Schema, value any) ([]byte, error) {
	return c.FromConnectData(topic, nil, schema, value)
}

// ToConnectHeader reads a header value exactly as ToConnectData reads a record value.
func (c *Converter) ToConnectHeader(topic, _ string, data []byte) (connect.SchemaAndValue, error) {
	return c.ToConnectData(topic, nil, data)
}

// Close releases nothing; it is part of the header converter contract.
func (c *Converter) Close() error { return nil }

// AsHeaderConverter returns the converter's header-converter face, configured through
// Configure(config) with converter.type defaulting to "header". It is a separate value because
// connect.Converter and connect.HeaderConverter both name a Configure method, with different
// parameters.
func (c *Converter) AsHeaderConverter() connect.HeaderConverter { return headerConverter{c} }

type headerConverter struct{ *Converter }

// Configure applies the converter settings for header use.
func (h headerConverter) Configure(config map[string]string) error {
	conf := make(map[string]string, len(config)+1)
	for k, v := range config {
		conf[k] = v
	}
	if _, ok := conf[ConverterTypeConfig]; !ok {
		conf[ConverterTypeConfig] = "header"
	}
	return h.configure(conf)
}

var (
	_ connect.Converter       = (*Converter)(nil)
	_ connect.HeaderConverter = headerConverter{}
)
