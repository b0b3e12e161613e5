package cdc

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// Names of the Connect schemas the CDC converters produce.
const (
	// EnvelopeName names the envelope of rows whose schema has no Debezium-style "<x>.Value"
	// name (for "<x>.Value" rows the envelope is "<x>.Envelope", as Debezium names it).
	EnvelopeName = "io.raftconnect.cdc.Envelope"
	// SchemaChangeName names the value a surfaced DDL message converts to, shaped like
	// Debezium's schema-change event: {source, ts_ms, databaseName, tableName, ddl}.
	SchemaChangeName = "io.raftconnect.cdc.SchemaChange"
)

// SourceOp is the Row.Source key under which a decoder records the producer's own operation code
// when it carries more than the Row's Op does (Debezium's "r" for snapshot reads, "t" for
// truncates), so that an encoder of the same format can write it back.
const SourceOp = "op"

// SourceFormat is the Row.Source key naming the format that decoded the row; encoders write
// format-specific metadata back only for rows of their own format.
const SourceFormat = "format"

// SourceOf returns r.Source when it was decoded by format, else nil.
func SourceOf(r *formats.Row, format string) map[string]any {
	if r == nil || r.Source == nil {
		return nil
	}
	if f, _ := r.Source[SourceFormat].(string); f != format {
		return nil
	}
	return r.Source
}

// OpCode returns the Debezium op of an event: c, u, d, or r for a snapshot read that a Debezium
// decoder marked in Row.Source.
func OpCode(e *Event) string {
	switch e.Kind {
	case Update:
		return "u"
	case Delete:
		return "d"
	case SchemaChange, Tombstone:
		return ""
	}
	if op, _ := e.After.Source[SourceOp].(string); op == "r" {
		if f, _ := e.After.Source[SourceFormat].(string); f == "debezium-json" {
			return "r"
		}
	}
	return "c"
}

// EnvelopeTsMs returns the ts_ms of a Debezium-style envelope for a row: when the change was
// processed (ProcessedAt), else, for formats that do not record that, when it happened
// (Row.Timestamp). ok is false when the row has neither.
func EnvelopeTsMs(r *formats.Row) (ms int64, ok bool) {
	if ms, ok := ProcessedAt(r); ok {
		return ms, true
	}
	if r.Timestamp.IsZero() {
		return 0, false
	}
	return r.Timestamp.UnixMilli(), true
}

// ConverterSpec describes the Connect converter face of one CDC format.
type ConverterSpec struct {
	// Format is the format's registered name.
	Format string
	// Multi makes a message's value an ARRAY of envelopes, for formats whose messages carry
	// several rows (Canal); otherwise a message holds one event and its value is one envelope.
	Multi bool
	// Source returns the envelope's source struct for a row; nil uses DefaultSource.
	Source func(r *formats.Row) (*connect.Struct, error)
	// Restore fills a row's metadata from an envelope's source struct and ts_ms; nil uses
	// DefaultRestore.
	Restore func(r *formats.Row, source *connect.Struct, tsMs any) error
}

// Converter is the Connect converter face of a CDC format. A message's value is the Debezium-style
// change envelope STRUCT {before, after, op, source, ts_ms}: before and after are the row
// structs (before is null for an update whose before image the producer did not write), op is
// c (insert), u (update), d (delete) or r (snapshot read), source is the format's metadata
// (whose ts_ms, where the format has one, is when the change happened in the database) and
// ts_ms, as Debezium defines it, when the producer processed the change (Debezium's ts_ms,
// Canal's ts; the event time for Maxwell, which writes no processing time), in epoch
// milliseconds. Formats whose messages carry several rows (Canal) convert to an ARRAY of such
// envelopes; a surfaced DDL message converts to a SchemaChange struct. Tombstones (also rows
// without a value), skipped and filtered messages convert to a null value.
type Converter struct {
	spec ConverterSpec
	dec  formats.Decoder
	enc  formats.Encoder
	f    formats.Format

	mu        sync.Mutex
	envelopes map[[2]*connect.Schema]*connect.Schema
}

// NewConverter returns an unconfigured converter for a CDC format.
func NewConverter(spec ConverterSpec) *Converter {
	return &Converter{spec: spec, envelopes: map[[2]*connect.Schema]*connect.Schema{}}
}

// Configure parses the format's options (with or without the "<format>." prefix).
func (c *Converter) Configure(config map[string]string, isKey bool) error {
	f, err := formats.Lookup(c.spec.Format)
	if err != nil {
		return err
	}
	c.f = f
	opts, err := formats.ParseOptions(f, config)
	if err != nil {
		return err
	}
	if c.dec, err = f.NewDecoder(opts); err != nil {
		return fmt.Errorf("%s decoder: %w", f.Name, err)
	}
	if c.enc, err = f.NewEncoder(opts); err != nil {
		return fmt.Errorf("%s encoder: %w", f.Name, err)
	}
	return nil
}

// ConfigDef returns the format's options.
func (c *Converter) ConfigDef() *connect.ConfigDef {
	f, err := formats.Lookup(c.spec.Format)
	if err != nil {
		return connect.NewConfigDef()
	}
	return f.Options
}

// ToConnectData decodes one message to its envelope (or array of envelopes).
func (c *Converter) ToConnectData(topic string, headers connect.Headers, data []byte) (connect.SchemaAndValue, error) {
	if len(data) == 0 {
		return connect.SchemaAndValue{}, nil
	}
	if c.dec == nil {
		return connect.SchemaAndValue{}, fmt.Errorf("%s converter is not configured", c.spec.Format)
	}
	rows, err := c.dec.Decode(data)
	if err != nil {
		return connect.SchemaAndValue{}, connect.NewDataError(fmt.Sprintf("topic %s: %s", topic, c.spec.Format), err)
	}
	if len(rows) == 0 {
		return connect.SchemaAndValue{}, nil
	}
	events := Events(rows)
	// A row without a value is a tombstone, as a null message is.
	events = slices.DeleteFunc(events, func(e Event) bool { return e.Kind == Tombstone })
	if len(events) == 0 {
		return connect.SchemaAndValue{}, nil
	}
	if len(events) == 1 && events[0].Kind == SchemaChange {
		return c.schemaChange(events[0].DDL)
	}
	if !c.spec.Multi && len(events) != 1 {
		return connect.SchemaAndValue{}, fmt.Errorf("topic %s: %s message holds %d change events; want one", topic, c.spec.Format, len(events))
	}
	var envSchema *connect.Schema
	vals := make([]any, 0, len(events))
	for i := range events {
		if events[i].Kind == SchemaChange {
			return connect.SchemaAndValue{}, fmt.Errorf("topic %s: %s message mixes DDL and rows", topic, c.spec.Format)
		}
		s, v, err := c.envelope(&events[i])
		if err != nil {
			return connect.SchemaAndValue{}, connect.NewDataError(fmt.Sprintf("topic %s: %s event %d", topic, c.spec.Format, i), err)
		}
		if envSchema == nil {
			envSchema = s
		} else if s != envSchema && !s.Equal(envSchema) {
			return connect.SchemaAndValue{}, fmt.Errorf("topic %s: %s message holds rows of different schemas (%s and %s)", topic, c.spec.Format, envSchema.Name, s.Name)
		}
		vals = append(vals, v)
	}
	if !c.spec.Multi {
		return connect.SchemaAndValue{Schema: envSchema, Value: vals[0]}, nil
	}
	arr, err := c.arraySchema(envSchema)
	if err != nil {
		return connect.SchemaAndValue{}, err
	}
	return connect.SchemaAndValue{Schema: arr, Value: vals}, nil
}

func (c *Converter) arraySchema(env *connect.Schema) (*connect.Schema, error) {
	key := [2]*connect.Schema{env, nil}
	c.mu.Lock()
	s, ok := c.envelopes[key]
	c.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := connect.ArrayOf(env).Build()
	if err != nil {
		return nil, err
	}
	c.cache(key, s)
	return s, nil
}

func (c *Converter) cache(key [2]*connect.Schema, s *connect.Schema) {
	c.mu.Lock()
	if len(c.envelopes) >= maxCachedSchemas {
		clear(c.envelopes)
	}
	c.envelopes[key] = s
	c.mu.Unlock()
}

func (c *Converter) source(r *formats.Row) (*connect.Struct, error) {
	if c.spec.Source != nil {
		return c.spec.Source(r)
	}
	return DefaultSource(c.spec.Format)(r)
}

// envelope builds the envelope struct of one row event.
func (c *Converter) envelope(e *Event) (*connect.Schema, *connect.Struct, error) {
	var before, after *connect.Struct
	var err error
	if e.Before != nil {
		if before, err = RowStruct(e.Before); err != nil {
			return nil, nil, fmt.Errorf("before: %w", err)
		}
	}
	if e.After != nil {
		if after, err = RowStruct(e.After); err != nil {
			return nil, nil, fmt.Errorf("after: %w", err)
		}
	}
	var rowSchema *connect.Schema
	switch {
	case after != nil:
		rowSchema = after.Schema()
	case before != nil:
		rowSchema = before.Schema()
	default:
		return nil, nil, fmt.Errorf("change event without a row")
	}
	if before != nil && after != nil && before.Schema() != rowSchema && !before.Schema().Equal(rowSchema) {
		return nil, nil, fmt.Errorf("before and after images have different schemas")
	}
	if !rowSchema.Optional {
		rowSchema = rowSchema.AsOptional()
		if before, err = withSchema(before, rowSchema); err != nil {
			return nil, nil, err
		}
		if after, err = withSchema(after, rowSchema); err != nil {
			return nil, nil, err
		}
	}
	src, err := c.source(e.Row())
	if err != nil {
		return nil, nil, fmt.Errorf("source: %w", err)
	}
	var srcSchema *connect.Schema
	if src != nil {
		srcSchema = src.Schema()
	}
	env, err := c.envelopeSchema(rowSchema, srcSchema)
	if err != nil {
		return nil, nil, err
	}
	st := connect.NewStruct(env)
	put := func(name string, v any) {
		if err == nil && v != nil {
			err = st.Put(name, v)
		}
	}
	if before != nil {
		put("before", before)
	}
	if after != nil {
		put("after", after)
	}
	put("op", OpCode(e))
	if src != nil {
		put("source", src)
	}
	if ms, ok := EnvelopeTsMs(e.Row()); ok {
		put("ts_ms", ms)
	}
	if err != nil {
		return nil, nil, err
	}
	return env, st, nil
}

func withSchema(st *connect.Struct, s *connect.Schema) (*connect.Struct, error) {
	if st == nil {
		return nil, nil
	}
	out := connect.NewStruct(s)
	for i := range s.Fields {
		if err := out.PutIndex(i, st.RawIndex(i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (c *Converter) envelopeSchema(row, src *connect.Schema) (*connect.Schema, error) {
	key := [2]*connect.Schema{row, src}
	c.mu.Lock()
	s, ok := c.envelopes[key]
	c.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := EnvelopeSchema(row, src)
	if err != nil {
		return nil, err
	}
	c.cache(key, s)
	return s, nil
}

// EnvelopeSchema returns the change-envelope schema for rows of schema row (which must be an
// optional STRUCT) and a source struct of schema src (nil for none).
func EnvelopeSchema(row, src *connect.Schema) (*connect.Schema, error) {
	name := EnvelopeName
	if base, ok := strings.CutSuffix(row.Name, ".Value"); ok && base != "" {
		name = base + ".Envelope"
	}
	b := connect.StructBuilder().Name(name).
		Field("before", row).
		Field("after", row).
		Field("op", connect.StringSchema)
	if src != nil {
		b.Field("source", src) // required when the format's source block is (Debezium's is)
	}
	b.Field("ts_ms", connect.OptionalInt64Schema)
	return b.Build()
}

// schemaChange converts a surfaced DDL row.
func (c *Converter) schemaChange(r *formats.Row) (connect.SchemaAndValue, error) {
	src, err := c.source(r)
	if err != nil {
		return connect.SchemaAndValue{}, err
	}
	b := connect.StructBuilder().Name(SchemaChangeName)
	if src != nil {
		if ss := src.Schema(); !ss.Optional {
			if src, err = withSchema(src, ss.AsOptional()); err != nil {
				return connect.SchemaAndValue{}, err
			}
		}
		b.Field("source", src.Schema())
	}
	s, err := b.Field("ts_ms", connect.OptionalInt64Schema).
		Field("databaseName", connect.OptionalStringSchema).
		Field("tableName", connect.OptionalStringSchema).
		Field("ddl", connect.StringSchema).Build()
	if err != nil {
		return connect.SchemaAndValue{}, err
	}
	st := connect.NewStruct(s)
	if src != nil {
		st.MustPut("source", src)
	}
	if ms, ok := EnvelopeTsMs(r); ok {
		st.MustPut("ts_ms", ms)
	}
	if r.Database != "" {
		st.MustPut("databaseName", r.Database)
	}
	if r.Table != "" {
		st.MustPut("tableName", r.Table)
	}
	st.MustPut("ddl", r.DDL)
	return connect.SchemaAndValue{Schema: s, Value: st}, nil
}

// FromConnectData encodes an envelope, an array of envelopes or a SchemaChange struct; the
// result must fit one message.
func (c *Converter) FromConnectData(topic string, headers *connect.Headers, schema *connect.Schema, value any) ([]byte, error) {
	if value == nil {
		return nil, nil
	}
	if c.enc == nil {
		return nil, fmt.Errorf("%s converter is not configured", c.spec.Format)
	}
	var rows []formats.Row
	var err error
	switch v := value.(type) {
	case *connect.Struct:
		rows, err = c.rowsOf(v, rows)
	case []any:
		for i, e := range v {
			st, ok := e.(*connect.Struct)
			if !ok {
				return nil, fmt.Errorf("topic %s: element %d is %T, want a change envelope struct", topic, i, e)
			}
			if rows, err = c.rowsOf(st, rows); err != nil {
				err = fmt.Errorf("element %d: %w", i, err)
				break
			}
		}
	default:
		return nil, fmt.Errorf("topic %s: %s converter needs a change envelope struct, got %T", topic, c.spec.Format, value)
	}
	if err != nil {
		return nil, connect.NewDataError(fmt.Sprintf("topic %s: %s", topic, c.spec.Format), err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	msgs, err := c.enc.Encode(rows)
	if err != nil {
		return nil, connect.NewDataError(fmt.Sprintf("topic %s: %s", topic, c.spec.Format), err)
	}
	if len(msgs) != 1 {
		return nil, fmt.Errorf("topic %s: %s value encodes to %d messages; a converter writes one", topic, c.spec.Format, len(msgs))
	}
	return msgs[0], nil
}

func (c *Converter) restore(r *formats.Row, src *connect.Struct, ts any) error {
	if c.spec.Restore != nil {
		return c.spec.Restore(r, src, ts)
	}
	return DefaultRestore(c.spec.Format)(r, src, ts)
}

// rowsOf appends the rows of one envelope or SchemaChange struct.
func (c *Converter) rowsOf(st *connect.Struct, rows []formats.Row) ([]formats.Row, error) {
	s := st.Schema()
	get := func(name string) any {
		if s.Field(name) == nil {
			return nil
		}
		return st.Get(name)
	}
	src, _ := get("source").(*connect.Struct)
	if s.Name == SchemaChangeName {
		r := formats.Row{}
		if err := c.restore(&r, src, get("ts_ms")); err != nil {
			return nil, err
		}
		ddl, ok := get("ddl").(string)
		if !ok {
			return nil, fmt.Errorf("schema change without ddl")
		}
		// An empty statement is kept as it came: the mark, not the text, makes the row DDL.
		r.DDL = ddl
		MarkDDL(&r)
		if db, _ := get("databaseName").(string); db != "" {
			r.Database = db
		}
		if t, _ := get("tableName").(string); t != "" {
			r.Table = t
		}
		return append(rows, r), nil
	}
	if s.Field("op") == nil {
		return nil, fmt.Errorf("struct %s is not a change envelope (no op field)", s.Name)
	}
	op, _ := get("op").(string)
	before, _ := get("before").(*connect.Struct)
	after, _ := get("after").(*connect.Struct)
	mk := func(o formats.Op, v *connect.Struct) (formats.Row, error) {
		r := formats.Row{Op: o, Schema: v.Schema(), Value: v}
		err := c.restore(&r, src, get("ts_ms"))
		return r, err
	}
	add := func(o formats.Op, v *connect.Struct, what string) error {
		if v == nil {
			return fmt.Errorf("op %q without %s", op, what)
		}
		r, err := mk(o, v)
		if err != nil {
			return err
		}
		if op == "r" {
			if r.Source == nil {
				r.Source = map[string]any{}
			}
			r.Source[SourceOp] = "r"
		}
		rows = append(rows, r)
		return nil
	}
	var err error
	switch op {
	case "c", "r":
		err = add(formats.Insert, after, "after")
	case "d":
		err = add(formats.Delete, before, "before")
	case "u":
		if before != nil {
			if err = add(formats.UpdateBefore, before, "before"); err != nil {
				return nil, err
			}
		}
		err = add(formats.UpdateAfter, after, "after")
	default:
		return nil, fmt.Errorf("unsupported op %q", op)
	}
	return rows, err
}

// DefaultSource returns a Source function that describes a row's metadata the way Debezium's
// source block does (connector, db, table, ts_ms), plus pkNames and the format-specific
// Row.Source entries, as an optional struct.
func DefaultSource(format string) func(r *formats.Row) (*connect.Struct, error) {
	connector := strings.TrimSuffix(format, "-json")
	return func(r *formats.Row) (*connect.Struct, error) {
		m := map[string]any{"connector": connector}
		if r.Database != "" {
			m["db"] = r.Database
		}
		if r.Table != "" {
			m["table"] = r.Table
		}
		if !r.Timestamp.IsZero() {
			m["ts_ms"] = r.Timestamp.UnixMilli()
		}
		if len(r.PrimaryKey) > 0 {
			m["pkNames"] = append([]string(nil), r.PrimaryKey...)
		}
		for k, v := range SourceOf(r, format) {
			if k != SourceFormat && k != SourceDDL {
				m[k] = v
			}
		}
		_, v, err := FromGo(m)
		if err != nil {
			return nil, err
		}
		return v.(*connect.Struct), nil
	}
}

// DefaultRestore reverses DefaultSource.
func DefaultRestore(format string) func(r *formats.Row, src *connect.Struct, tsMs any) error {
	return func(r *formats.Row, src *connect.Struct, tsMs any) error {
		if src == nil {
			if ms, ok := tsMs.(int64); ok {
				r.Timestamp = time.UnixMilli(ms).UTC()
			}
			return nil
		}
		m := formats.StructToSparseMap(src)
		r.Database, _ = m["db"].(string)
		r.Table, _ = m["table"].(string)
		if ms, ok := m["ts_ms"].(int64); ok {
			r.Timestamp = time.UnixMilli(ms).UTC()
		} else if ms, ok := tsMs.(int64); ok {
			r.Timestamp = time.UnixMilli(ms).UTC()
		}
		if pk, ok := m["pkNames"].([]any); ok {
			for _, k := range pk {
				if s, ok := k.(string); ok {
					r.PrimaryKey = append(r.PrimaryKey, s)
				}
			}
		}
		for _, k := range []string{"connector", "db", "table", "ts_ms", "pkNames"} {
			delete(m, k)
		}
		m[SourceFormat] = format
		r.Source = m
		return nil
	}
}
