// Package debezium implements the debezium-json format: Debezium's change-event envelope
// {before, after, source, op, ts_ms}, optionally wrapped in Kafka's JsonConverter
// {"schema": ..., "payload": ...} form.
//
// Decoding: op c (create) and r (snapshot read) give an Insert row, u gives an UpdateBefore and an
// UpdateAfter row (only the UpdateAfter when the before image is null, as PostgreSQL writes it
// without REPLICA IDENTITY FULL: an update whose before image is unknown, which re-encodes as "u"
// with "before": null), d gives a Delete row. A tombstone (empty or null value, or a null
// payload) gives no rows; so does op m (a logical-decoding message). Truncates (op t) and
// schema-change events (the {source, databaseName, ddl, tableChanges} messages of Debezium's
// schema-history topic) follow debezium-json.ddl.handling: skipped, surfaced as a row whose DDL
// field holds the statement ("TRUNCATE TABLE db.table" for a truncate; an empty "ddl" stays
// empty, the row marked by cdc.MarkDDL), or an error.
//
// With an embedded schema (which the decoder uses whenever a message has one, whatever
// debezium-json.schema-include says), rows are typed exactly by it: Debezium's logical types stay
// as Debezium wrote them (io.debezium.time.MicroTimestamp is an INT64 of microseconds), Kafka's
// (Decimal, Date, Time, Timestamp) become Connect values. Without one, column types are inferred
// from the JSON values (see cdc.Inferrer): integers INT64, other numbers exact Decimals keeping
// their written scale (FLOAT64 with debezium-json.infer-schema.exact-decimal=false), strings,
// booleans, nested objects as structs.
//
// Row metadata: Database and Table come from source.db and source.table, Timestamp from
// source.ts_ms, when the change happened in the database (else the envelope's ts_ms);
// Row.Source holds the source block ("source"), the envelope's ts_ms (when Debezium processed
// the change), ts_us, ts_ns and transaction, for a Debezium encoder to write back. Debezium
// messages carry no primary key in their value, so PrimaryKey stays empty.
//
// Encoding: an UpdateBefore row followed by the UpdateAfter row of the same table becomes one "u"
// event; Insert rows become "c" (or "r" for snapshot reads decoded from Debezium), Delete rows
// "d", a lone UpdateAfter row "u" with "before": null (an update whose before image is unknown),
// and a lone UpdateBefore row "d" (Flink's changelog form). A row without a value (a tombstone:
// an Avro or JsonConverter null) becomes a nil message, Kafka's tombstone, as Debezium writes
// after a delete. The envelope's ts_ms is when the change was processed (Canal's ts for Canal
// rows) and source.ts_ms when it happened (Row.Timestamp: Canal's es, Maxwell's ts).
// debezium-json.schema-include (or the sink-side alias debezium-json.include-schema.enabled)
// wraps each event with its schema. Without a schema, Connect dates, times and timestamps are
// written as text in debezium-json.timestamp-format.standard and decimals as plain JSON
// numbers, as Flink's debezium-json writes them.
package debezium

import (
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
	"github.com/raftconnect/raftconnect/plugins/formats/cdc"
)

// Name is the format's registered name.
const Name = "debezium-json"

// Option names.
const (
	OptSchemaInclude        = Name + ".schema-include"
	OptIncludeSchemaEnabled = Name + ".include-schema.enabled"
	OptIgnoreParseErrors    = Name + "." + cdc.OptIgnoreParseErrors
	OptTimestampStandard    = Name + "." + cdc.OptTimestampStandard
	OptPrimitiveAsString    = Name + "." + cdc.OptPrimitiveAsString
	OptExactDecimal         = Name + "." + cdc.OptExactDecimal
	OptDDLHandling          = Name + "." + cdc.OptDDLHandling
)

// Options returns the format's option definitions.
func Options() *connect.ConfigDef {
	def := connect.NewConfigDef()
	def.Define(connect.ConfigKey{
		Name: OptSchemaInclude, Type: connect.ConfigBoolean, Default: false, Importance: connect.High,
		Doc: "Whether messages carry their schema in Kafka's JsonConverter form " +
			"({\"schema\":...,\"payload\":...}, value.converter.schemas.enable=true). The encoder " +
			"writes it when true; the decoder reads either form and types rows by the schema " +
			"whenever a message has one.",
	})
	def.Define(connect.ConfigKey{
		Name: OptIncludeSchemaEnabled, Type: connect.ConfigBoolean, Default: false, Importance: connect.Low,
		Doc: "Sink-side alias of " + OptSchemaInclude + ": the encoder writes the schema when either is true.",
	})
	formats.DefineTimestampFormatOption(def, OptTimestampStandard)
	return cdc.DefineCommon(def, Name)
}

// ConverterClass is the class name of the debezium-json converter.
const ConverterClass = "io.raftconnect.formats.DebeziumJsonConverter"

func init() {
	cdc.Register(Name, ConverterClass, Options(), NewDecoder, NewEncoder, NewConverter)
}

// NewConverter returns the debezium-json Connect converter: a message converts to its envelope
// struct {before, after, op, source, ts_ms}, whose source is the message's source block.
func NewConverter() *cdc.Converter {
	return cdc.NewConverter(cdc.ConverterSpec{Format: Name, Source: converterSource, Restore: converterRestore})
}

// Decoder decodes debezium-json messages. It is safe for concurrent use.
type Decoder struct {
	common cdc.Common
	infer  *cdc.Inferrer
	// meta types schemaless source blocks exactly, whatever the row inference options say: they
	// are written back as they came.
	meta *cdc.Inferrer

	mu      sync.Mutex
	p       cdc.Parser
	sc      cdc.Scratch
	schemas map[string]*envelopeSchemas
	// lastSchema is the text of the last embedded schema, which the next message most likely
	// repeats byte for byte.
	lastSchema  string
	lastSchemas *envelopeSchemas
}

// envelopeSchemas is what an embedded envelope schema says about its parts.
type envelopeSchemas struct {
	env, row, source, transaction *connect.Schema
}

// NewDecoder builds a decoder from parsed options.
func NewDecoder(opts *connect.Config) (*Decoder, error) {
	common, err := cdc.ParseCommon(opts, Name)
	if err != nil {
		return nil, err
	}
	return &Decoder{
		common:  common,
		infer:   cdc.NewInferrer(common.Infer),
		meta:    cdc.NewInferrer(cdc.InferOptions{ExactDecimal: true}),
		schemas: map[string]*envelopeSchemas{},
	}, nil
}

// Decode decodes one message.
func (d *Decoder) Decode(data []byte) ([]formats.Row, error) {
	return d.common.Decode(Name, &d.mu, data, d.decode)
}

// envelope holds an envelope's members, parsed in place.
type envelope struct {
	nodes [len(memberNames)]cdc.Node // by member, in the order of memberNames
	has   uint16                     // bit per member present
	// opAt and txAt are the members' positions, which tell Debezium 1.x's member order.
	opAt, txAt int
}

// The envelope's member bits, one per name in memberNames and in its order.
const (
	hasBefore = 1 << iota
	hasAfter
	hasSource
	hasOp
	hasTs
	hasTsUs
	hasTsNs
	hasTx
	hasDDL
	hasDBName
	hasSchemaName
	hasTableChanges
)

// memberNames are the envelope members kept, in the order of their bits.
var memberNames = [...]string{
	"before", "after", "source", "op", "ts_ms", "ts_us", "ts_ns", "transaction",
	"ddl", "databaseName", "schemaName", "tableChanges",
}

// member parses one envelope member at the parser's position.
func (e *envelope) member(p *cdc.Parser, k string) error {
	i := slices.Index(memberNames[:], k)
	if i < 0 {
		return nil // skipped
	}
	bit := uint16(1) << i
	switch bit {
	case hasOp:
		e.opAt = p.Offset()
	case hasTx:
		e.txAt = p.Offset()
	}
	n, err := p.Value()
	if err != nil {
		return fmt.Errorf("%s: %w", k, err)
	}
	e.nodes[i] = n
	e.has |= bit
	return nil
}

// node returns a member, or nil when it is absent or null.
func (e *envelope) node(bit uint16) *cdc.Node {
	if e.has&bit == 0 {
		return nil
	}
	n := &e.nodes[bits.TrailingZeros16(bit)]
	if n.Kind == cdc.Null {
		return nil
	}
	return n
}

func (d *Decoder) decode(text string) ([]formats.Row, error) {
	if text == "null" {
		return nil, nil
	}
	var env envelope
	var schema cdc.Span
	wrapped, nullPayload, lastHit := false, false, false
	p := &d.p
	err := p.ParseObject(text, func(k string) error {
		switch k {
		case "schema":
			if p.SkipIfPrefix(d.lastSchema) {
				lastHit = true
				return nil
			}
			start := p.Offset()
			if err := p.Skip(); err != nil {
				return fmt.Errorf("schema: %w", err)
			}
			schema = cdc.Span{Start: start, End: p.Offset()}
			return nil
		case "payload":
			// Kafka's {"schema":..., "payload":...} wrapper: the envelope is the payload.
			wrapped = true
			switch p.Peek() {
			case 'n':
				nullPayload = true
				_, err := p.Value()
				return err
			case '{':
				if err := p.Members(func(k string) error { return env.member(p, k) }); err != nil {
					return fmt.Errorf("payload: %w", err)
				}
				return nil
			}
			return fmt.Errorf("payload: want an object")
		}
		return env.member(p, k)
	})
	if err != nil {
		return nil, err
	}
	if nullPayload {
		return nil, nil // a JsonConverter null
	}
	var es *envelopeSchemas
	switch {
	case !wrapped:
	case lastHit:
		es = d.lastSchemas
	case schema.Set() && !cdc.IsNullSpan(text, schema):
		if es, err = d.envelopeSchema(text[schema.Start:schema.End]); err != nil {
			return nil, err
		}
	}
	return d.event(&env, es)
}

// envelopeSchema parses (or finds in the cache) an embedded envelope schema.
func (d *Decoder) envelopeSchema(raw string) (*envelopeSchemas, error) {
	if es, ok := d.schemas[raw]; ok {
		d.lastSchema, d.lastSchemas = raw, es
		return es, nil
	}
	var p cdc.Parser
	n, err := p.ParseAll(raw)
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	s, err := schemaFromNode(&n, "")
	if err != nil {
		return nil, err
	}
	if s.Type != connect.TypeStruct {
		return nil, fmt.Errorf("schema: envelope schema is %s, want a struct", s.Type)
	}
	es := &envelopeSchemas{env: s}
	if f := s.Field("after"); f != nil {
		es.row = f.Schema
	} else if f := s.Field("before"); f != nil {
		es.row = f.Schema
	}
	if es.row != nil && es.row.Type != connect.TypeStruct {
		return nil, fmt.Errorf("schema: row schema is %s, want a struct", es.row.Type)
	}
	if f := s.Field("source"); f != nil {
		es.source = f.Schema
	}
	if f := s.Field("transaction"); f != nil {
		es.transaction = f.Schema
	}
	if len(d.schemas) >= 1024 {
		clear(d.schemas)
	}
	raw = strings.Clone(raw) // the cache must not pin the message
	d.schemas[raw] = es
	d.lastSchema, d.lastSchemas = raw, es
	return es, nil
}

func (d *Decoder) event(env *envelope, es *envelopeSchemas) ([]formats.Row, error) {
	opNode := env.node(hasOp)
	meta, err := d.metadata(env, es)
	if err != nil {
		return nil, err
	}
	if opNode == nil {
		if env.has&hasDDL != 0 {
			return d.schemaChange(env, meta)
		}
		return nil, fmt.Errorf("not a Debezium change event: no op")
	}
	if opNode.Kind != cdc.String {
		return nil, fmt.Errorf("op: want a string, got %s", opNode.Kind)
	}
	op := opNode.Text
	before, after := env.node(hasBefore), env.node(hasAfter)
	switch op {
	case "c", "r":
		if after == nil {
			return nil, fmt.Errorf("op %q without an after image", op)
		}
		before = nil
	case "u":
		if after == nil {
			return nil, fmt.Errorf("op \"u\" without an after image")
		}
	case "d":
		if before == nil {
			return nil, fmt.Errorf("op \"d\" without a before image (PostgreSQL needs REPLICA IDENTITY FULL or a primary key)")
		}
		after = nil
	case "t":
		return d.truncate(meta)
	case "m":
		return nil, nil
	default:
		return nil, fmt.Errorf("unknown op %q", op)
	}
	var schema *connect.Schema
	var bv, av *connect.Struct
	if es != nil && es.row != nil {
		schema = es.row
		if before != nil {
			if bv, err = structFromNode(schema, before, ""); err != nil {
				return nil, fmt.Errorf("before: %w", err)
			}
		}
		if after != nil {
			if av, err = structFromNode(schema, after, ""); err != nil {
				return nil, fmt.Errorf("after: %w", err)
			}
		}
	} else {
		if (before != nil && before.Kind != cdc.Object) || (after != nil && after.Kind != cdc.Object) {
			return nil, fmt.Errorf("before and after must be JSON objects")
		}
		if schema, err = d.infer.Infer(&d.sc, before, after); err != nil {
			return nil, err
		}
		if before != nil {
			if bv, err = cdc.BuildStruct(schema, before); err != nil {
				return nil, fmt.Errorf("before: %w", err)
			}
		}
		if after != nil {
			if av, err = cdc.BuildStruct(schema, after); err != nil {
				return nil, fmt.Errorf("after: %w", err)
			}
		}
	}
	mk := func(o formats.Op, v *connect.Struct) formats.Row {
		r := meta
		r.Op, r.Schema, r.Value = o, schema, v
		return r
	}
	switch op {
	case "c":
		return []formats.Row{mk(formats.Insert, av)}, nil
	case "r":
		r := mk(formats.Insert, av)
		r.Source[cdc.SourceOp] = "r"
		return []formats.Row{r}, nil
	case "d":
		return []formats.Row{mk(formats.Delete, bv)}, nil
	}
	if bv == nil {
		return []formats.Row{mk(formats.UpdateAfter, av)}, nil
	}
	b, a := mk(formats.UpdateBefore, bv), mk(formats.UpdateAfter, av)
	// The two rows must not share one Source map: a consumer may change one.
	a.Source = cloneMap(b.Source)
	return []formats.Row{b, a}, nil
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// metadata reads the source block and envelope timestamps into a Row template.
func (d *Decoder) metadata(env *envelope, es *envelopeSchemas) (formats.Row, error) {
	r := formats.Row{Source: map[string]any{cdc.SourceFormat: Name}}
	if es != nil {
		r.Source["envelope"] = es.env
	}
	if src := env.node(hasSource); src != nil {
		if src.Kind != cdc.Object {
			return r, fmt.Errorf("source: want an object, got %s", src.Kind)
		}
		if es != nil && es.source != nil && es.source.Type == connect.TypeStruct {
			st, err := structFromNode(es.source, src, "source")
			if err != nil {
				return r, err
			}
			r.Source["source"] = st
		} else {
			st, err := d.inferStruct(src)
			if err != nil {
				return r, fmt.Errorf("source: %w", err)
			}
			r.Source["source"] = st
		}
		for _, m := range src.Members {
			switch m.Key {
			case "db":
				r.Database = m.Value.Text
			case "table":
				r.Table = m.Value.Text
			case "ts_ms":
				if ms, err := strconv.ParseInt(m.Value.Text, 10, 64); err == nil && m.Value.Kind == cdc.Number {
					r.Timestamp = time.UnixMilli(ms).UTC()
				}
			}
		}
	}
	for _, x := range []struct {
		key string
		bit uint16
	}{{"ts_ms", hasTs}, {"ts_us", hasTsUs}, {"ts_ns", hasTsNs}} {
		n := env.node(x.bit)
		if n == nil {
			continue
		}
		v, err := intNode(n, 64)
		if err != nil {
			return r, fmt.Errorf("%s: %w", x.key, err)
		}
		r.Source[x.key] = v
	}
	if ms, ok := r.Source["ts_ms"].(int64); ok && r.Timestamp.IsZero() {
		r.Timestamp = time.UnixMilli(ms).UTC()
	}
	if env.has&hasTx != 0 {
		if env.has&hasOp != 0 && env.txAt > env.opAt {
			// Debezium 1.x writes the transaction block last; remember it so that the message
			// re-encodes in its own member order.
			r.Source["order"] = legacyOrder
		}
		tx := env.node(hasTx)
		switch {
		case tx == nil:
			r.Source["transaction"] = nil
		case es != nil && es.transaction != nil && es.transaction.Type == connect.TypeStruct && tx.Kind == cdc.Object:
			st, err := structFromNode(es.transaction, tx, "transaction")
			if err != nil {
				return r, err
			}
			r.Source["transaction"] = st
		case tx.Kind == cdc.Object:
			st, err := d.inferStruct(tx)
			if err != nil {
				return r, fmt.Errorf("transaction: %w", err)
			}
			r.Source["transaction"] = st
		default:
			return r, fmt.Errorf("transaction: want an object, got %s", tx.Kind)
		}
	}
	return r, nil
}

// inferStruct types a metadata object (source block, transaction) by its JSON values, keeping
// its member order so that it re-encodes as it came.
func (d *Decoder) inferStruct(n *cdc.Node) (*connect.Struct, error) {
	s, err := d.meta.Infer(&d.sc, n)
	if err != nil {
		return nil, err
	}
	return cdc.BuildStruct(s, n)
}

func (d *Decoder) ddl(r formats.Row) ([]formats.Row, error) {
	switch d.common.DDL {
	case cdc.DDLSkip:
		return nil, nil
	case cdc.DDLFail:
		return nil, fmt.Errorf("%w (%s)", cdc.ErrDDL, r.DDL)
	}
	return []formats.Row{r}, nil
}

func (d *Decoder) truncate(r formats.Row) ([]formats.Row, error) {
	r.Source[cdc.SourceOp] = "t"
	r.DDL = "TRUNCATE TABLE " + qualified(r.Database, r.Table)
	cdc.MarkDDL(&r)
	return d.ddl(r)
}

func qualified(db, table string) string {
	if db == "" {
		return table
	}
	return db + "." + table
}

func (d *Decoder) schemaChange(env *envelope, r formats.Row) ([]formats.Row, error) {
	n := env.node(hasDDL)
	if n == nil || n.Kind != cdc.String {
		return nil, fmt.Errorf("ddl: want a string")
	}
	r.DDL = n.Text
	cdc.MarkDDL(&r)
	if db := env.node(hasDBName); db != nil && db.Kind == cdc.String && db.Text != "" {
		r.Database = db.Text
	}
	if sn := env.node(hasSchemaName); sn != nil {
		r.Source["schemaName"] = sn.GoValue(true)
	}
	if tc := env.node(hasTableChanges); tc != nil {
		// Typed by inference (as structs, in member order) so that it re-encodes as it came.
		wrap := cdc.Node{Kind: cdc.Object, Members: []cdc.Member{{Key: "tableChanges", Value: *tc}}}
		st, err := d.inferStruct(&wrap)
		if err != nil {
			return nil, fmt.Errorf("tableChanges: %w", err)
		}
		r.Source["tableChanges"] = st.Get("tableChanges")
	}
	return d.ddl(r)
}

// converterSource is the envelope's source: the message's own source block.
func converterSource(r *formats.Row) (*connect.Struct, error) { return sourceStruct(r) }

// converterRestore reverses converterSource.
func converterRestore(r *formats.Row, src *connect.Struct, tsMs any) error {
	r.Source = map[string]any{cdc.SourceFormat: Name}
	if ms, ok := tsMs.(int64); ok {
		r.Source["ts_ms"] = ms
		r.Timestamp = time.UnixMilli(ms).UTC()
	}
	if src == nil {
		return nil
	}
	r.Source["source"] = src
	s := src.Schema()
	if f := s.Field("db"); f != nil {
		r.Database, _ = src.Get("db").(string)
	}
	if f := s.Field("table"); f != nil {
		r.Table, _ = src.Get("table").(string)
	}
	if f := s.Field("ts_ms"); f != nil {
		if ms, ok := src.Get("ts_ms").(int64); ok {
			r.Timestamp = time.UnixMilli(ms).UTC()
		}
	}
	return nil
}
