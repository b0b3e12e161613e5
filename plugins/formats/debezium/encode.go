package debezium

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
	"github.com/raftconnect/raftconnect/plugins/formats/cdc"
)

// Encoder encodes rows as debezium-json messages, one per change event. It is safe for concurrent
// use.
type Encoder struct {
	withSchema bool
	style      cdc.JSONStyle

	mu      sync.Mutex
	schemas map[schemaKey][]byte
	hint    int
}

// schemaKey identifies an envelope schema: the schemas of its parts and which optional members it
// has.
type schemaKey struct {
	row, source, tx, env *connect.Schema
	tsUs, tsNs           bool
}

// NewEncoder builds an encoder from parsed options.
func NewEncoder(opts *connect.Config) (*Encoder, error) {
	ts, err := cdc.TimestampStandard(opts, Name)
	if err != nil {
		return nil, err
	}
	return &Encoder{
		withSchema: opts.Bool(OptSchemaInclude) || opts.Bool(OptIncludeSchemaEnabled),
		style:      timestampStyle(ts),
		schemas:    map[schemaKey][]byte{},
	}, nil
}

// Encode writes one message per change event; a tombstone (a row without a value) is a nil
// message.
func (e *Encoder) Encode(rows []formats.Row) ([][]byte, error) {
	events := cdc.Events(rows)
	out := make([][]byte, 0, len(events))
	for i := range events {
		if events[i].Kind == cdc.Tombstone {
			out = append(out, nil)
			continue
		}
		msg, err := e.encodeEvent(&events[i])
		if err != nil {
			return nil, fmt.Errorf("%s: event %d: %w", Name, i, err)
		}
		out = append(out, msg)
	}
	return out, nil
}

// parts is everything one envelope holds.
type parts struct {
	op            string
	row           *connect.Schema
	before, after *connect.Struct
	source        *connect.Struct
	tsMs          *int64
	tsUs, tsNs    *int64
	hasTx         bool
	tx            any
	env           *connect.Schema // the envelope schema the row was decoded with, if any
	legacy        bool            // Debezium 1.x member order
}

func (e *Encoder) encodeEvent(ev *cdc.Event) ([]byte, error) {
	meta := ev.Row()
	dsrc := cdc.SourceOf(meta, Name)
	var p parts
	var err error
	if ev.Kind == cdc.SchemaChange {
		if op, _ := dsrc[cdc.SourceOp].(string); op != "t" {
			return e.schemaChange(meta)
		}
		p.op = "t"
	} else {
		p.op = cdc.OpCode(ev)
		if ev.Before != nil {
			if p.before, err = cdc.RowStruct(ev.Before); err != nil {
				return nil, fmt.Errorf("before: %w", err)
			}
			p.row = p.before.Schema()
		}
		if ev.After != nil {
			if p.after, err = cdc.RowStruct(ev.After); err != nil {
				return nil, fmt.Errorf("after: %w", err)
			}
			p.row = p.after.Schema()
		}
	}
	if p.source, err = sourceStruct(meta); err != nil {
		return nil, err
	}
	if v, ok := cdc.EnvelopeTsMs(meta); ok {
		p.tsMs = &v
	}
	if v, ok := dsrc["ts_us"].(int64); ok {
		p.tsUs = &v
	}
	if v, ok := dsrc["ts_ns"].(int64); ok {
		p.tsNs = &v
	}
	p.tx, p.hasTx = dsrc["transaction"]
	p.env, _ = dsrc["envelope"].(*connect.Schema)
	_, p.legacy = dsrc["order"].([]string)

	e.mu.Lock()
	buf := make([]byte, 0, e.hint)
	e.mu.Unlock()
	if e.withSchema {
		buf, err = e.appendWithSchema(buf, &p)
	} else {
		buf, err = e.appendSchemaless(buf, &p)
	}
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	if len(buf) > e.hint {
		e.hint = len(buf) + len(buf)/8
	}
	e.mu.Unlock()
	return buf, nil
}

// memberOrder is Debezium 2.x's envelope order; legacyOrder is Debezium 1.x's.
var (
	memberOrder = []string{"before", "after", "source", "transaction", "op", "ts_ms", "ts_us", "ts_ns"}
	legacyOrder = []string{"before", "after", "source", "op", "ts_ms", "ts_us", "ts_ns", "transaction"}
)

// order returns the envelope members to write, in the decoded envelope schema's order when there
// is one (so that a message re-encodes as it came), else in Debezium 2.x's order.
func (p *parts) order() []string {
	if p.env == nil {
		if p.legacy {
			return legacyOrder
		}
		return memberOrder
	}
	out := make([]string, 0, len(p.env.Fields))
	for _, f := range p.env.Fields {
		out = append(out, f.Name)
	}
	for _, k := range memberOrder {
		if p.env.Field(k) == nil && p.has(k) {
			out = append(out, k)
		}
	}
	return out
}

func (p *parts) has(k string) bool {
	switch k {
	case "before", "after", "op":
		return true
	case "source":
		return p.source != nil
	case "transaction":
		return p.hasTx
	case "ts_ms":
		return p.tsMs != nil
	case "ts_us":
		return p.tsUs != nil
	case "ts_ns":
		return p.tsNs != nil
	}
	return false
}

func (e *Encoder) appendSchemaless(dst []byte, p *parts) ([]byte, error) {
	dst = append(dst, '{')
	first := true
	var err error
	for _, k := range p.order() {
		if !p.has(k) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = cdc.AppendString(dst, k)
		dst = append(dst, ':')
		switch k {
		case "before":
			dst, err = e.appendRow(dst, p.before)
		case "after":
			dst, err = e.appendRow(dst, p.after)
		case "source":
			dst, err = cdc.AppendJSON(dst, p.source.Schema(), p.source, e.style)
		case "transaction":
			dst, err = cdc.AppendJSON(dst, nil, p.tx, e.style)
		case "op":
			dst = cdc.AppendString(dst, p.op)
		case "ts_ms":
			dst, err = cdc.AppendJSON(dst, nil, *p.tsMs, e.style)
		case "ts_us":
			dst, err = cdc.AppendJSON(dst, nil, *p.tsUs, e.style)
		case "ts_ns":
			dst, err = cdc.AppendJSON(dst, nil, *p.tsNs, e.style)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
	}
	return append(dst, '}'), nil
}

func (e *Encoder) appendRow(dst []byte, st *connect.Struct) ([]byte, error) {
	if st == nil {
		return append(dst, "null"...), nil
	}
	return cdc.AppendJSON(dst, st.Schema(), st, e.style)
}

func (e *Encoder) appendWithSchema(dst []byte, p *parts) ([]byte, error) {
	var txSchema *connect.Schema
	if st, ok := p.tx.(*connect.Struct); ok {
		txSchema = st.Schema()
	} else if p.tx != nil {
		s, v, err := cdc.FromGo(p.tx)
		if err != nil {
			return nil, fmt.Errorf("transaction: %w", err)
		}
		p.tx, txSchema = v, s
	}
	var srcSchema *connect.Schema
	if p.source != nil {
		srcSchema = p.source.Schema()
	}
	key := schemaKey{row: p.row, source: srcSchema, tx: txSchema, env: p.env, tsUs: p.tsUs != nil, tsNs: p.tsNs != nil}
	e.mu.Lock()
	sj, ok := e.schemas[key]
	e.mu.Unlock()
	if !ok {
		env, err := p.envelopeSchema(srcSchema, txSchema)
		if err != nil {
			return nil, err
		}
		if sj, err = appendSchemaJSON(nil, env, ""); err != nil {
			return nil, err
		}
		e.mu.Lock()
		if len(e.schemas) >= 1024 {
			clear(e.schemas)
		}
		e.schemas[key] = sj
		e.mu.Unlock()
	}
	dst = append(dst, `{"schema":`...)
	dst = append(dst, sj...)
	dst = append(dst, `,"payload":{`...)
	first := true
	var err error
	for _, k := range p.order() {
		if !p.has(k) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = cdc.AppendString(dst, k)
		dst = append(dst, ':')
		switch k {
		case "before":
			dst, err = appendRowValue(dst, p.row, p.before)
		case "after":
			dst, err = appendRowValue(dst, p.row, p.after)
		case "source":
			dst, err = appendValueJSON(dst, srcSchema, p.source)
		case "transaction":
			if txSchema == nil {
				dst = append(dst, "null"...)
			} else {
				dst, err = appendValueJSON(dst, txSchema, p.tx)
			}
		case "op":
			dst = cdc.AppendString(dst, p.op)
		case "ts_ms":
			dst, err = cdc.AppendJSON(dst, nil, *p.tsMs, e.style)
		case "ts_us":
			dst, err = cdc.AppendJSON(dst, nil, *p.tsUs, e.style)
		case "ts_ns":
			dst, err = cdc.AppendJSON(dst, nil, *p.tsNs, e.style)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
	}
	return append(dst, "}}"...), nil
}

func appendRowValue(dst []byte, s *connect.Schema, st *connect.Struct) ([]byte, error) {
	if st == nil || s == nil {
		return append(dst, "null"...), nil
	}
	return appendValueJSON(dst, s, st)
}

// envelopeSchema builds the envelope schema of p.
func (p *parts) envelopeSchema(src, tx *connect.Schema) (*connect.Schema, error) {
	name, version := "", 0
	if p.env != nil {
		name, version = p.env.Name, p.env.Version
	} else if p.row != nil {
		if base, ok := strings.CutSuffix(p.row.Name, ".Value"); ok && base != "" {
			name = base + ".Envelope"
		}
	}
	if name == "" {
		name = cdc.EnvelopeName
	}
	row := p.row
	if row == nil {
		// A truncate has no row image; Debezium still declares before and after.
		row = emptyRow
	} else {
		row = row.AsOptional()
	}
	b := connect.StructBuilder().Name(name).Version(version)
	for _, k := range p.order() {
		if !p.has(k) {
			continue
		}
		switch k {
		case "before", "after":
			if p.row == nil && p.env != nil {
				if f := p.env.Field(k); f != nil {
					b.Field(k, f.Schema)
					continue
				}
			}
			b.Field(k, row)
		case "source":
			s := src
			if p.env != nil {
				if f := p.env.Field("source"); f != nil && f.Schema.Equal(src) {
					s = f.Schema
				}
			}
			b.Field(k, s)
		case "transaction":
			if p.env != nil {
				if f := p.env.Field("transaction"); f != nil && (tx == nil || f.Schema.Equal(tx)) {
					tx = f.Schema
				}
			}
			if tx == nil {
				tx = emptyRow
			} else {
				tx = tx.AsOptional()
			}
			b.Field(k, tx)
		case "op":
			b.Field(k, connect.StringSchema)
		case "ts_ms", "ts_us", "ts_ns":
			b.Field(k, connect.OptionalInt64Schema)
		}
	}
	return b.Build()
}

var emptyRow = connect.StructBuilder().Optional().MustBuild()

// sourceSchema describes the source block written for rows that did not come from Debezium: what
// the row's metadata can tell.
var sourceSchema = connect.StructBuilder().Name("io.raftconnect.cdc.Source").
	Field("connector", connect.OptionalStringSchema).
	Field("ts_ms", connect.OptionalInt64Schema).
	Field("db", connect.OptionalStringSchema).
	Field("table", connect.OptionalStringSchema).
	MustBuild()

// sourceStruct returns the source block of a row: the one it was decoded with, or one made from
// its metadata.
func sourceStruct(r *formats.Row) (*connect.Struct, error) {
	if dsrc := cdc.SourceOf(r, Name); dsrc != nil {
		switch s := dsrc["source"].(type) {
		case *connect.Struct:
			return s, nil
		case nil:
			return nil, nil
		case map[string]any:
			_, v, err := cdc.FromGo(s)
			if err != nil {
				return nil, fmt.Errorf("source: %w", err)
			}
			return v.(*connect.Struct), nil
		default:
			return nil, fmt.Errorf("source block is %T", s)
		}
	}
	st := connect.NewStruct(sourceSchema)
	// Canal and Maxwell read MySQL binlogs.
	if f, _ := r.Source[cdc.SourceFormat].(string); f == "canal-json" || f == "maxwell-json" {
		st.MustPut("connector", "mysql")
	}
	if !r.Timestamp.IsZero() {
		st.MustPut("ts_ms", r.Timestamp.UnixMilli())
	}
	if r.Database != "" {
		st.MustPut("db", r.Database)
	}
	if r.Table != "" {
		st.MustPut("table", r.Table)
	}
	return st, nil
}

// schemaChange writes a DDL row as a Debezium schema-change event: {source, databaseName,
// schemaName, ddl, tableChanges}.
func (e *Encoder) schemaChange(r *formats.Row) ([]byte, error) {
	src, err := sourceStruct(r)
	if err != nil {
		return nil, err
	}
	dsrc := cdc.SourceOf(r, Name)
	schemaName := dsrc["schemaName"]
	changes, ok := dsrc["tableChanges"]
	if !ok {
		changes = []any{}
	}
	ts, hasTs := dsrc["ts_ms"].(int64)
	if dsrc == nil {
		// A foreign DDL row: its producer's processing time, if it wrote one (Canal's ts).
		ts, hasTs = cdc.ProcessedAt(r)
	}
	if !e.withSchema {
		dst := []byte(`{"source":`)
		if dst, err = appendRowOrNull(dst, src, e.style); err != nil {
			return nil, err
		}
		if hasTs {
			dst = append(dst, `,"ts_ms":`...)
			dst = strconv.AppendInt(dst, ts, 10)
		}
		dst = append(dst, `,"databaseName":`...)
		dst = cdc.AppendString(dst, r.Database)
		dst = append(dst, `,"schemaName":`...)
		if dst, err = cdc.AppendJSON(dst, nil, schemaName, e.style); err != nil {
			return nil, err
		}
		dst = append(dst, `,"ddl":`...)
		dst = cdc.AppendString(dst, r.DDL)
		dst = append(dst, `,"tableChanges":`...)
		if dst, err = cdc.AppendJSON(dst, nil, changes, e.style); err != nil {
			return nil, err
		}
		return append(dst, '}'), nil
	}
	b := connect.StructBuilder().Name("io.debezium.connector.mysql.SchemaChangeValue")
	if src != nil {
		b.Field("source", src.Schema())
	}
	if hasTs {
		b.Field("ts_ms", connect.OptionalInt64Schema)
	}
	b.Field("databaseName", connect.OptionalStringSchema).
		Field("schemaName", connect.OptionalStringSchema).
		Field("ddl", connect.OptionalStringSchema)
	cs, cv, err := cdc.FromGo(changes)
	if err != nil {
		return nil, fmt.Errorf("tableChanges: %w", err)
	}
	b.Field("tableChanges", cs)
	s, err := b.Build()
	if err != nil {
		return nil, err
	}
	st := connect.NewStruct(s)
	if src != nil {
		st.MustPut("source", src)
	}
	if hasTs {
		st.MustPut("ts_ms", ts)
	}
	st.MustPut("databaseName", r.Database)
	if sn, ok := schemaName.(string); ok {
		st.MustPut("schemaName", sn)
	}
	st.MustPut("ddl", r.DDL)
	if err := st.Put("tableChanges", cv); err != nil {
		return nil, fmt.Errorf("tableChanges: %w", err)
	}
	dst := []byte(`{"schema":`)
	if dst, err = appendSchemaJSON(dst, s, ""); err != nil {
		return nil, err
	}
	dst = append(dst, `,"payload":`...)
	if dst, err = appendValueJSON(dst, s, st); err != nil {
		return nil, err
	}
	return append(dst, '}'), nil
}

func appendRowOrNull(dst []byte, st *connect.Struct, style cdc.JSONStyle) ([]byte, error) {
	if st == nil {
		return append(dst, "null"...), nil
	}
	return cdc.AppendJSON(dst, st.Schema(), st, style)
}
