package canal

import (
	"bytes"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
	"github.com/raftconnect/raftconnect/plugins/formats/cdc"
)

// Encoder encodes rows as canal-json flat messages. It is safe for concurrent use.
type Encoder struct {
	style cdc.TextStyle

	mu   sync.Mutex
	hint int
}

// NewEncoder builds an encoder from parsed options.
func NewEncoder(opts *connect.Config) (*Encoder, error) {
	zone, err := time.LoadLocation(opts.String(OptServerTimeZone))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", OptServerTimeZone, err)
	}
	return &Encoder{style: cdc.TextStyle{Zone: zone}}, nil
}

// Encode writes one message per run of consecutive change events of the same table, kind and
// schema, and one per DDL row. Tombstones (rows without a value) write nothing.
func (e *Encoder) Encode(rows []formats.Row) ([][]byte, error) {
	events := cdc.Events(rows)
	var out [][]byte
	for i := 0; i < len(events); {
		if events[i].Kind == cdc.Tombstone {
			i++
			continue
		}
		j := i + 1
		if events[i].Kind != cdc.SchemaChange {
			for j < len(events) && sameGroup(&events[i], &events[j]) {
				j++
			}
		}
		msg, err := e.message(events[i:j])
		if err != nil {
			return nil, fmt.Errorf("%s: event %d: %w", Name, i, err)
		}
		out = append(out, msg)
		i = j
	}
	return out, nil
}

func sameGroup(a, b *cdc.Event) bool {
	if a.Kind != b.Kind || b.Kind == cdc.SchemaChange {
		return false
	}
	ra, rb := a.Row(), b.Row()
	if ra.Database != rb.Database || ra.Table != rb.Table {
		return false
	}
	sa, sb := rowSchema(ra), rowSchema(rb)
	return sa == sb || (sa != nil && sa.Equal(sb))
}

func rowSchema(r *formats.Row) *connect.Schema {
	if st, ok := r.Value.(*connect.Struct); ok {
		return st.Schema()
	}
	return r.Schema
}

// message writes one flat message with Canal's (alphabetical) member order.
func (e *Encoder) message(events []cdc.Event) ([]byte, error) {
	meta := events[0].Row()
	csrc := cdc.SourceOf(meta, Name)
	e.mu.Lock()
	buf := make([]byte, 0, e.hint)
	e.mu.Unlock()

	var typ string
	var data, before []*connect.Struct
	switch events[0].Kind {
	case cdc.Create:
		typ = "INSERT"
	case cdc.Update:
		typ = "UPDATE"
	case cdc.Delete:
		typ = "DELETE"
	case cdc.SchemaChange:
		typ, _ = csrc["type"].(string)
		if typ == "" {
			typ = ddlTypeOf(meta.DDL)
		}
	}
	for i := range events {
		ev := &events[i]
		if ev.Kind == cdc.SchemaChange {
			break
		}
		img := ev.After
		if ev.Kind == cdc.Delete {
			img = ev.Before
		}
		st, err := cdc.RowStruct(img)
		if err != nil {
			return nil, err
		}
		data = append(data, st)
		if ev.Kind == cdc.Update {
			// An update without a before image has an empty old element: no column is
			// known to have changed.
			var b *connect.Struct
			if ev.Before != nil {
				if b, err = cdc.RowStruct(ev.Before); err != nil {
					return nil, err
				}
			}
			before = append(before, b)
		}
	}
	var schema *connect.Schema
	if len(data) > 0 {
		schema = data[0].Schema()
	}
	mysqlTypes, _ := csrc["mysqlType"].(map[string]any)
	sqlTypes, _ := csrc["sqlType"].(map[string]any)
	var err error
	var scratchBuf [64]byte
	scratch := scratchBuf[:0]

	buf = append(buf, `{"data":`...)
	if data == nil {
		buf = append(buf, "null"...)
	} else {
		buf = append(buf, '[')
		for i, st := range data {
			if i > 0 {
				buf = append(buf, ',')
			}
			if buf, err = e.appendRow(buf, st, nil, mysqlTypes, &scratch); err != nil {
				return nil, fmt.Errorf("data[%d]: %w", i, err)
			}
		}
		buf = append(buf, ']')
	}
	buf = append(buf, `,"database":`...)
	buf = cdc.AppendString(buf, meta.Database)
	es := int64(0)
	if !meta.Timestamp.IsZero() {
		es = meta.Timestamp.UnixMilli()
	}
	buf = append(buf, `,"es":`...)
	buf = strconv.AppendInt(buf, es, 10)
	if g, ok := csrc["gtid"].(string); ok {
		buf = append(buf, `,"gtid":`...)
		buf = cdc.AppendString(buf, g)
	}
	id, _ := csrc["id"].(int64)
	buf = append(buf, `,"id":`...)
	buf = strconv.AppendInt(buf, id, 10)
	buf = append(buf, `,"isDdl":`...)
	isDDL := events[0].Kind == cdc.SchemaChange
	buf = strconv.AppendBool(buf, isDDL)
	buf = append(buf, `,"mysqlType":`...)
	if schema == nil {
		buf = append(buf, "null"...)
	} else {
		buf = appendTypes(buf, schema, mysqlTypes, false)
	}
	buf = append(buf, `,"old":`...)
	if before == nil {
		buf = append(buf, "null"...)
	} else {
		buf = append(buf, '[')
		for i, b := range before {
			if i > 0 {
				buf = append(buf, ',')
			}
			if b == nil {
				buf = append(buf, "{}"...)
				continue
			}
			if buf, err = e.appendRow(buf, b, cdc.Changed(b, data[i]), mysqlTypes, &scratch); err != nil {
				return nil, fmt.Errorf("old[%d]: %w", i, err)
			}
		}
		buf = append(buf, ']')
	}
	buf = append(buf, `,"pkNames":`...)
	if len(meta.PrimaryKey) == 0 {
		buf = append(buf, "null"...)
	} else {
		buf = append(buf, '[')
		for i, k := range meta.PrimaryKey {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = cdc.AppendString(buf, k)
		}
		buf = append(buf, ']')
	}
	sql, _ := csrc["sql"].(string)
	if isDDL {
		sql = meta.DDL
	}
	buf = append(buf, `,"sql":`...)
	buf = cdc.AppendString(buf, sql)
	buf = append(buf, `,"sqlType":`...)
	if schema == nil {
		buf = append(buf, "null"...)
	} else {
		buf = appendTypes(buf, schema, sqlTypes, true)
	}
	buf = append(buf, `,"table":`...)
	buf = cdc.AppendString(buf, meta.Table)
	ts, ok := cdc.ProcessedAt(meta)
	if !ok {
		ts = es
	}
	buf = append(buf, `,"ts":`...)
	buf = strconv.AppendInt(buf, ts, 10)
	buf = append(buf, `,"type":`...)
	buf = cdc.AppendString(buf, typ)
	buf = append(buf, '}')

	e.mu.Lock()
	if len(buf) > e.hint {
		e.hint = len(buf) + len(buf)/8
	}
	e.mu.Unlock()
	return buf, nil
}

// appendTypes writes the mysqlType (or, with sql, the sqlType) object: the message's own types
// where the rows came from Canal, else the types that describe each column's schema.
func appendTypes(dst []byte, s *connect.Schema, orig map[string]any, sql bool) []byte {
	dst = append(dst, '{')
	for i := range s.Fields {
		f := &s.Fields[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = cdc.AppendString(dst, f.Name)
		dst = append(dst, ':')
		if sql {
			code, ok := orig[f.Name].(int64)
			if !ok {
				_, c := columnTypes(f.Schema)
				code = int64(c)
			}
			dst = strconv.AppendInt(dst, code, 10)
			continue
		}
		t, ok := orig[f.Name].(string)
		if !ok {
			t, _ = columnTypes(f.Schema)
		}
		dst = cdc.AppendString(dst, t)
	}
	return append(dst, '}')
}

// appendRow writes a row object with every value as a string (or null); with only, just those
// fields (an old element).
func (e *Encoder) appendRow(dst []byte, st *connect.Struct, only []int, mysqlTypes map[string]any, scratch *[]byte) ([]byte, error) {
	s := st.Schema()
	dst = append(dst, '{')
	write := func(n, i int) error {
		f := &s.Fields[i]
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = cdc.AppendString(dst, f.Name)
		dst = append(dst, ':')
		v := st.RawIndex(i)
		if v == nil {
			dst = append(dst, "null"...)
			return nil
		}
		var err error
		if *scratch, err = e.text((*scratch)[:0], f, v, mysqlTypes); err != nil {
			return fmt.Errorf("column %q: %w", f.Name, err)
		}
		dst = cdc.AppendStringBytes(dst, *scratch)
		return nil
	}
	if only != nil {
		for n, i := range only {
			if err := write(n, i); err != nil {
				return nil, err
			}
		}
	} else {
		for i := range s.Fields {
			if err := write(i, i); err != nil {
				return nil, err
			}
		}
	}
	return append(dst, '}'), nil
}

// text renders one value as Canal does.
func (e *Encoder) text(dst []byte, f *connect.Field, v any, mysqlTypes map[string]any) ([]byte, error) {
	mt, ok := mysqlTypes[f.Name].(string)
	if b, isBytes := v.([]byte); isBytes && ok && strings.HasPrefix(strings.ToLower(mt), "bit(") {
		// BIT(n) values round-trip as the number Canal writes.
		return new(big.Int).SetBytes(b).Append(dst, 10), nil
	}
	start := len(dst)
	dst, err := cdc.AppendText(dst, f.Schema, v, e.style)
	if err != nil {
		return nil, err
	}
	if k := cdc.TemporalKindOf(f.Schema); k == cdc.TimeKind || k == cdc.TimestampKind || k == cdc.InstantKind {
		if !ok {
			mt, _ = columnTypes(f.Schema)
		}
		// Canal writes as many fractional digits as the column's precision: datetime(6) values
		// end in .500000, datetime(3) ones in .000.
		dst = padFraction(dst, start, fsp(mt))
	}
	return dst, nil
}

// fsp returns the fractional-seconds precision of a MySQL temporal type ("datetime(3)" → 3).
func fsp(mysqlType string) int {
	_, rest, ok := strings.Cut(mysqlType, "(")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), ")"))
	if err != nil || n < 0 || n > 9 {
		return 0
	}
	return n
}

// padFraction pads the fraction of the time written at b[start:] to n digits; it never drops
// digits the value has.
func padFraction(b []byte, start, n int) []byte {
	cur := 0
	if dot := bytes.LastIndexByte(b[start:], '.'); dot >= 0 {
		cur = len(b) - start - dot - 1
	} else if n > 0 {
		b = append(b, '.')
	}
	for ; cur < n; cur++ {
		b = append(b, '0')
	}
	return b
}

// ddlTypeOf derives Canal's event type from a DDL statement's first words.
func ddlTypeOf(sql string) string {
	w := strings.Fields(strings.ToUpper(sql))
	if len(w) == 0 {
		return "QUERY"
	}
	second := ""
	if len(w) > 1 {
		second = w[1]
	}
	switch w[0] {
	case "CREATE":
		if second == "INDEX" || second == "UNIQUE" || second == "FULLTEXT" || second == "SPATIAL" {
			return "CINDEX"
		}
		return "CREATE"
	case "ALTER":
		return "ALTER"
	case "DROP":
		if second == "INDEX" {
			return "DINDEX"
		}
		return "ERASE"
	case "TRUNCATE":
		return "TRUNCATE"
	case "RENAME":
		return "RENAME"
	}
	return "QUERY"
}
