// Package maxwell implements the maxwell-json format: Zendesk Maxwell's row events
// ({"database":..., "table":..., "type":"update", "ts":1477053234, "xid":23396, "commit":true,
// "data":{...}, "old":{...}, "primary_key":[...], "primary_key_columns":[...]}).
//
// One message is one row event: insert and bootstrap-insert give an Insert row, delete a Delete
// row, update an UpdateBefore and an UpdateAfter row, the before image being data with old's
// (changed) columns put over it. bootstrap-start and bootstrap-complete markers decode to no
// rows; DDL events (database-create, table-alter, ...; Maxwell writes them with --output_ddl)
// follow maxwell-json.ddl.handling. Maxwell writes typed JSON, so column types are inferred from
// the values: integers INT64, other numbers exact Decimals keeping their written scale (FLOAT64
// with maxwell-json.infer-schema.exact-decimal=false), strings (dates and times among them),
// booleans, JSON columns as structs, SET columns as arrays. All columns are optional. A DDL
// row's statement is sql as written, even empty (cdc.IsDDL tells the row apart).
//
// Rows carry Database, Table, PrimaryKey (primary_key_columns), Timestamp (ts: the binlog event's
// time, when the change happened in MySQL, in seconds; DDL events write milliseconds) and, in
// Row.Source, every other member (xid, xoffset, commit, position, server_id, thread_id, query,
// ...), which a maxwell-json encoder writes back. Maxwell writes no processing time: ts is
// Canal's es and Debezium's source.ts_ms, not their ts and ts_ms.
//
// Encoding writes one message per change event: an UpdateBefore row followed by the UpdateAfter
// row of the same table is one update whose old object holds the before values of the columns
// that changed; a lone UpdateAfter row, an update whose before image is unknown, is an update
// without old, and a lone UpdateBefore row a delete (Flink's form). Rows without a value
// (tombstones) write nothing. ts is the rows' Timestamp. Values are written as Maxwell writes
// them: numbers, decimals as plain numbers, dates as yyyy-MM-dd, times as HH:mm:ss[.f],
// timestamps in maxwell-json.timestamp-format.standard, bytes in base64, JSON columns as nested
// JSON.
package maxwell

import (
	"fmt"
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
const Name = "maxwell-json"

// Option names.
const (
	OptIgnoreParseErrors = Name + "." + cdc.OptIgnoreParseErrors
	OptTimestampStandard = Name + "." + cdc.OptTimestampStandard
	OptPrimitiveAsString = Name + "." + cdc.OptPrimitiveAsString
	OptExactDecimal      = Name + "." + cdc.OptExactDecimal
	OptDDLHandling       = Name + "." + cdc.OptDDLHandling
)

// ConverterClass is the class name of the maxwell-json converter.
const ConverterClass = "io.raftconnect.formats.MaxwellJsonConverter"

// Options returns the format's option definitions.
func Options() *connect.ConfigDef {
	def := connect.NewConfigDef()
	formats.DefineTimestampFormatOption(def, OptTimestampStandard)
	return cdc.DefineCommon(def, Name)
}

func init() {
	cdc.Register(Name, ConverterClass, Options(), NewDecoder, NewEncoder, NewConverter)
}

// NewConverter returns the maxwell-json Connect converter: a message converts to one change
// envelope {before, after, op, source, ts_ms} whose source struct holds connector "maxwell", db,
// table, ts_ms, pkNames and the message's other members (xid, commit, position, ...).
func NewConverter() *cdc.Converter {
	return cdc.NewConverter(cdc.ConverterSpec{Format: Name})
}

// Decoder decodes maxwell-json messages. It is safe for concurrent use.
type Decoder struct {
	common cdc.Common
	infer  *cdc.Inferrer

	mu sync.Mutex
	p  cdc.Parser
	sc cdc.Scratch
}

// NewDecoder builds a decoder from parsed options.
func NewDecoder(opts *connect.Config) (*Decoder, error) {
	common, err := cdc.ParseCommon(opts, Name)
	if err != nil {
		return nil, err
	}
	return &Decoder{common: common, infer: cdc.NewInferrer(common.Infer)}, nil
}

// Decode decodes one message.
func (d *Decoder) Decode(data []byte) ([]formats.Row, error) {
	return d.common.Decode(Name, &d.mu, data, d.decode)
}

func ddlType(t string) bool {
	switch t {
	case "database-create", "database-alter", "database-drop", "table-create", "table-alter", "table-drop":
		return true
	}
	return false
}

func (d *Decoder) decode(text string) ([]formats.Row, error) {
	if text == "null" {
		return nil, nil
	}
	n, err := d.p.ParseAll(text)
	if err != nil {
		return nil, err
	}
	if n.Kind != cdc.Object {
		return nil, fmt.Errorf("want a JSON object, got %s", n.Kind)
	}
	r := formats.Row{Source: map[string]any{cdc.SourceFormat: Name}}
	var typ, sql string
	var data, old, pkCols *cdc.Node
	var ts, tsMs *cdc.Node
	str := func(m *cdc.Member) (string, error) {
		switch m.Value.Kind {
		case cdc.String:
			return m.Value.Text, nil
		case cdc.Null:
			return "", nil
		}
		return "", fmt.Errorf("%s: want a string, got %s", m.Key, m.Value.Kind)
	}
	for i := range n.Members {
		m := &n.Members[i]
		switch m.Key {
		case "database":
			r.Database, err = str(m)
		case "table":
			r.Table, err = str(m)
		case "type":
			typ, err = str(m)
		case "sql":
			sql, err = str(m)
		case "data":
			data = &m.Value
		case "old":
			old = &m.Value
		case "def", "primary_key":
			// A DDL event's table definition is not a row; the key's values are in data.
		case "primary_key_columns":
			pkCols = &m.Value
		case "ts":
			ts = &m.Value
		case "ts_ms":
			tsMs = &m.Value
			r.Source[m.Key] = m.Value.GoValue(false)
		default:
			r.Source[m.Key] = m.Value.GoValue(false)
		}
		if err != nil {
			return nil, err
		}
	}
	if typ == "" {
		return nil, fmt.Errorf("no type")
	}
	if ts != nil {
		if ts.Kind != cdc.Number || ts.Frac {
			return nil, fmt.Errorf("ts: want an integer, got %s %s", ts.Kind, ts.Text)
		}
		v, err := strconv.ParseInt(ts.Text, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("ts: %w", err)
		}
		if ddlType(typ) {
			r.Timestamp = time.UnixMilli(v).UTC() // Maxwell writes DDL times in milliseconds
		} else {
			r.Timestamp = time.Unix(v, 0).UTC()
		}
	}
	if tsMs != nil && tsMs.Kind == cdc.Number && !tsMs.Frac {
		if v, err := strconv.ParseInt(tsMs.Text, 10, 64); err == nil {
			r.Timestamp = time.UnixMilli(v).UTC()
		}
	}
	if pkCols != nil && pkCols.Kind != cdc.Null {
		if pkCols.Kind != cdc.Array {
			return nil, fmt.Errorf("primary_key_columns: want an array, got %s", pkCols.Kind)
		}
		r.PrimaryKey = make([]string, 0, len(pkCols.Elems))
		for _, e := range pkCols.Elems {
			if e.Kind != cdc.String {
				return nil, fmt.Errorf("primary_key_columns: want strings, got %s", e.Kind)
			}
			r.PrimaryKey = append(r.PrimaryKey, e.Text)
		}
	}
	var op formats.Op
	switch typ {
	case "insert", "bootstrap-insert":
		op = formats.Insert
		if typ != "insert" {
			r.Source["type"] = typ
		}
	case "update":
		op = formats.UpdateAfter
	case "delete":
		op = formats.Delete
	case "bootstrap-start", "bootstrap-complete":
		return nil, nil
	default:
		if !ddlType(typ) {
			return nil, fmt.Errorf("unknown type %q", typ)
		}
		switch d.common.DDL {
		case cdc.DDLSkip:
			return nil, nil
		case cdc.DDLFail:
			return nil, fmt.Errorf("%w (%s %s.%s: %s)", cdc.ErrDDL, typ, r.Database, r.Table, sql)
		}
		r.Source["type"] = typ
		// The statement as Maxwell wrote it, even empty: the mark makes the row DDL.
		r.DDL = sql
		cdc.MarkDDL(&r)
		return []formats.Row{r}, nil
	}
	if data == nil || data.Kind != cdc.Object {
		return nil, fmt.Errorf("%s event without a data object", typ)
	}
	if op != formats.UpdateAfter || (old != nil && old.Kind == cdc.Null) {
		old = nil
	}
	if old != nil && old.Kind != cdc.Object {
		return nil, fmt.Errorf("old: want an object, got %s", old.Kind)
	}
	schema, err := d.infer.Infer(&d.sc, data, old)
	if err != nil {
		return nil, err
	}
	st, err := cdc.BuildStruct(schema, data)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	r.Op, r.Schema, r.Value = op, schema, st
	if op != formats.UpdateAfter {
		return []formats.Row{r}, nil
	}
	before, err := cdc.Overlay(st, old, func(f *connect.Field, n *cdc.Node) (any, error) {
		return cdc.NodeValue(f.Schema, n)
	})
	if err != nil {
		return nil, err
	}
	b := r
	b.Op, b.Value = formats.UpdateBefore, before
	b.Source = make(map[string]any, len(r.Source))
	for k, v := range r.Source {
		b.Source[k] = v
	}
	return []formats.Row{b, r}, nil
}

// Encoder encodes rows as maxwell-json messages, one per change event. It is safe for concurrent
// use.
type Encoder struct {
	style cdc.JSONStyle

	mu   sync.Mutex
	hint int
}

// NewEncoder builds an encoder from parsed options.
func NewEncoder(opts *connect.Config) (*Encoder, error) {
	ts, err := cdc.TimestampStandard(opts, Name)
	if err != nil {
		return nil, err
	}
	return &Encoder{style: cdc.JSONStyle{Timestamps: ts}}, nil
}

// Encode writes one message per change event. Tombstones (rows without a value) write nothing:
// Maxwell has no message for them.
func (e *Encoder) Encode(rows []formats.Row) ([][]byte, error) {
	events := cdc.Events(rows)
	out := make([][]byte, 0, len(events))
	for i := range events {
		if events[i].Kind == cdc.Tombstone {
			continue
		}
		msg, err := e.event(&events[i])
		if err != nil {
			return nil, fmt.Errorf("%s: event %d: %w", Name, i, err)
		}
		out = append(out, msg)
	}
	return out, nil
}

// sourceOrder is where Maxwell puts its metadata members between ts and data.
var sourceOrder = []string{"xid", "xoffset", "commit", "position", "gtid", "server_id", "thread_id", "schema_id", "ts_ms"}

func (e *Encoder) event(ev *cdc.Event) ([]byte, error) {
	meta := ev.Row()
	msrc := cdc.SourceOf(meta, Name)
	e.mu.Lock()
	buf := make([]byte, 0, e.hint)
	e.mu.Unlock()
	var err error
	typ, _ := msrc["type"].(string)
	switch ev.Kind {
	case cdc.Create:
		if typ != "bootstrap-insert" {
			typ = "insert"
		}
	case cdc.Update:
		typ = "update"
	case cdc.Delete:
		typ = "delete"
	case cdc.SchemaChange:
		if !ddlType(typ) {
			typ = ddlTypeOf(meta.DDL)
		}
	}
	buf = append(buf, `{"database":`...)
	buf = cdc.AppendString(buf, meta.Database)
	buf = append(buf, `,"table":`...)
	buf = cdc.AppendString(buf, meta.Table)
	if q, ok := msrc["query"].(string); ok {
		buf = append(buf, `,"query":`...)
		buf = cdc.AppendString(buf, q)
	}
	buf = append(buf, `,"type":`...)
	buf = cdc.AppendString(buf, typ)
	buf = append(buf, `,"ts":`...)
	switch {
	case meta.Timestamp.IsZero():
		buf = append(buf, '0')
	case ev.Kind == cdc.SchemaChange:
		buf = strconv.AppendInt(buf, meta.Timestamp.UnixMilli(), 10)
	default:
		buf = strconv.AppendInt(buf, meta.Timestamp.Unix(), 10)
	}
	for _, k := range sourceOrder {
		if v, ok := msrc[k]; ok {
			if buf, err = appendMember(buf, k, v, e.style); err != nil {
				return nil, err
			}
		}
	}
	var extra []string
	for k := range msrc {
		switch k {
		case cdc.SourceFormat, cdc.SourceDDL, "type", "query", "primary_key", "primary_key_columns":
			continue
		}
		if !slices.Contains(sourceOrder, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	for _, k := range extra {
		if buf, err = appendMember(buf, k, msrc[k], e.style); err != nil {
			return nil, err
		}
	}
	if ev.Kind == cdc.SchemaChange {
		buf = append(buf, `,"sql":`...)
		buf = cdc.AppendString(buf, meta.DDL)
		return append(buf, '}'), nil
	}
	img := ev.After
	if ev.Kind == cdc.Delete {
		img = ev.Before
	}
	data, err := cdc.RowStruct(img)
	if err != nil {
		return nil, err
	}
	if len(meta.PrimaryKey) > 0 {
		buf = append(buf, `,"primary_key":[`...)
		for i, k := range meta.PrimaryKey {
			if i > 0 {
				buf = append(buf, ',')
			}
			f := data.Schema().Field(k)
			if f == nil {
				buf = append(buf, "null"...)
				continue
			}
			if buf, err = cdc.AppendJSON(buf, f.Schema, data.RawIndex(f.Index), e.style); err != nil {
				return nil, fmt.Errorf("primary key %s: %w", k, err)
			}
		}
		buf = append(buf, `],"primary_key_columns":[`...)
		for i, k := range meta.PrimaryKey {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = cdc.AppendString(buf, k)
		}
		buf = append(buf, ']')
	}
	buf = append(buf, `,"data":`...)
	if buf, err = cdc.AppendJSON(buf, data.Schema(), data, e.style); err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if ev.Kind == cdc.Update && ev.Before != nil {
		// An update without a before image has no old object: no column is known to have
		// changed.
		before, err := cdc.RowStruct(ev.Before)
		if err != nil {
			return nil, err
		}
		buf = append(buf, `,"old":{`...)
		s := before.Schema()
		for n, i := range cdc.Changed(before, data) {
			if n > 0 {
				buf = append(buf, ',')
			}
			f := &s.Fields[i]
			buf = cdc.AppendString(buf, f.Name)
			buf = append(buf, ':')
			if buf, err = cdc.AppendJSON(buf, f.Schema, before.RawIndex(i), e.style); err != nil {
				return nil, fmt.Errorf("old %s: %w", f.Name, err)
			}
		}
		buf = append(buf, '}')
	}
	buf = append(buf, '}')
	e.mu.Lock()
	if len(buf) > e.hint {
		e.hint = len(buf) + len(buf)/8
	}
	e.mu.Unlock()
	return buf, nil
}

func appendMember(dst []byte, k string, v any, style cdc.JSONStyle) ([]byte, error) {
	dst = append(dst, ',')
	dst = cdc.AppendString(dst, k)
	dst = append(dst, ':')
	out, err := cdc.AppendJSON(dst, nil, v, style)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", k, err)
	}
	return out, nil
}

// ddlTypeOf derives Maxwell's DDL event type from a statement's first words.
func ddlTypeOf(sql string) string {
	w := strings.Fields(strings.ToLower(sql))
	obj := "table"
	if len(w) > 1 && (w[1] == "database" || w[1] == "schema") {
		obj = "database"
	}
	if len(w) > 0 {
		switch w[0] {
		case "create":
			return obj + "-create"
		case "drop":
			return obj + "-drop"
		}
	}
	// ALTER, RENAME, TRUNCATE and anything else change a table (or database) definition.
	return obj + "-alter"
}
