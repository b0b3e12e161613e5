// Package canal implements the canal-json format: Alibaba Canal's flat messages
// ({"data":[...], "old":[...], "type":"UPDATE", "database":..., "table":..., "pkNames":[...],
// "isDdl":false, "sqlType":{...}, "mysqlType":{...}, "es":..., "ts":..., "id":..., "sql":...}).
//
// One message decodes to one row per element of data: INSERT gives Insert rows, DELETE Delete
// rows, UPDATE an UpdateBefore and an UpdateAfter row per element, the before image being the
// data element with the matching old element's (changed) columns put over it (Canal leaves out
// the old element of a row none of whose columns changed, so a missing one means "same as data").
// Messages whose
// database or table does not match canal-json.database.include / canal-json.table.include
// (regular expressions matched against the whole name) decode to no rows, as do DDL messages
// (isDdl true) unless canal-json.ddl.handling surfaces them as a row carrying the statement (sql,
// kept as written even when empty; cdc.IsDDL tells the row apart).
//
// Canal writes every value as a string. canal-json.infer-schema.strategy decides the column
// types: AUTO infers them from the JSON values (so Canal's strings stay STRING, while numbers and
// booleans written unquoted by other producers are typed), SQL_TYPE reads the JDBC type codes in
// sqlType (see sqlTypeColumn for the table), MYSQL_TYPE the column types in mysqlType (see
// mysqlTypeColumn); numbers that other producers write unquoted become exact Decimals keeping
// their written scale unless canal-json.infer-schema.exact-decimal is false. All columns are
// optional. Rows carry Database, Table, PrimaryKey (pkNames), Timestamp (es: when the change
// was executed in MySQL, the binlog event time) and, in Row.Source, the message's id, ts (when
// Canal processed it), type, sql and its sqlType and mysqlType maps (read-only, shared between
// messages), which a canal-json encoder writes back.
//
// Encoding groups consecutive change events of the same table, kind and schema into one message
// (an UpdateBefore row followed by the UpdateAfter row of the same table is one UPDATE element,
// its old object holding the before values of the columns that changed; a lone UpdateAfter row,
// an update whose before image is unknown, is an UPDATE element whose old object is empty, and a
// lone UpdateBefore row a DELETE, Flink's form). Rows without a value (tombstones) are skipped:
// Canal has no message for them. es is the rows' Timestamp and ts when their producer processed
// them (Debezium's envelope ts_ms), else es. Values are written as Canal writes them: strings,
// MySQL's text forms of dates and times (an instant as the wall clock in
// canal-json.mysql.server-time-zone), booleans as 1/0, bytes one ISO-8859-1 character per byte.
// sqlType and mysqlType come from the message the rows were decoded from, or else from their
// schema.
package canal

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
	"github.com/raftconnect/raftconnect/plugins/formats/cdc"
)

// Name is the format's registered name.
const Name = "canal-json"

// Option names.
const (
	OptDatabaseInclude    = Name + ".database.include"
	OptTableInclude       = Name + ".table.include"
	OptInferStrategy      = Name + ".infer-schema.strategy"
	OptTinyint1AsBoolean  = Name + ".mysql.treat-tinyint1-as-boolean.enabled"
	OptTimestampAsDateTme = Name + ".mysql.treat-mysql-timestamp-as-datetime-enabled"
	OptServerTimeZone     = Name + ".mysql.server-time-zone"
	OptIgnoreParseErrors  = Name + "." + cdc.OptIgnoreParseErrors
	OptPrimitiveAsString  = Name + "." + cdc.OptPrimitiveAsString
	OptExactDecimal       = Name + "." + cdc.OptExactDecimal
	OptDDLHandling        = Name + "." + cdc.OptDDLHandling
)

// Inference strategies.
const (
	StrategyAuto      = "AUTO"
	StrategySQLType   = "SQL_TYPE"
	StrategyMySQLType = "MYSQL_TYPE"
)

// ConverterClass is the class name of the canal-json converter.
const ConverterClass = "io.raftconnect.formats.CanalJsonConverter"

// Options returns the format's option definitions.
func Options() *connect.ConfigDef {
	def := connect.NewConfigDef()
	def.Define(connect.ConfigKey{
		Name: OptDatabaseInclude, Type: connect.ConfigString, Default: "", Validator: connect.ValidRegex(),
		Importance: connect.Medium,
		Doc: "Regular expression matched against the whole database name of each message; " +
			"messages of other databases decode to no rows. Empty reads every database.",
	})
	def.Define(connect.ConfigKey{
		Name: OptTableInclude, Type: connect.ConfigString, Default: "", Validator: connect.ValidRegex(),
		Importance: connect.Medium,
		Doc: "Regular expression matched against the whole table name of each message; " +
			"messages of other tables decode to no rows. Empty reads every table.",
	})
	strategies := []string{StrategyAuto, StrategySQLType, StrategyMySQLType}
	def.Define(connect.ConfigKey{
		Name: OptInferStrategy, Type: connect.ConfigString, Default: StrategyAuto,
		Validator: connect.OneOf(true, strategies...), Recommended: strategies, Importance: connect.Medium,
		Doc: "How column types are decided: AUTO infers them from the JSON values (Canal's " +
			"strings stay STRING), SQL_TYPE reads the JDBC type codes in sqlType, MYSQL_TYPE the " +
			"MySQL column types in mysqlType.",
	})
	def.Define(connect.ConfigKey{
		Name: OptTinyint1AsBoolean, Type: connect.ConfigBoolean, Default: true, Importance: connect.Low,
		Doc: "With MYSQL_TYPE, whether tinyint(1) columns are BOOLEAN (any non-zero value is " +
			"true) rather than TINYINT.",
	})
	def.Define(connect.ConfigKey{
		Name: OptTimestampAsDateTme, Type: connect.ConfigBoolean, Default: true, Importance: connect.Low,
		Doc: "With MYSQL_TYPE, whether MySQL timestamp columns are read like datetime, as a " +
			"TIMESTAMP wall clock (true), or as instants (TIMESTAMP_LTZ, an " +
			"io.debezium.time.ZonedTimestamp string in UTC) taking the wall clock to be in " +
			OptServerTimeZone + " (false).",
	})
	def.Define(connect.ConfigKey{
		Name: OptServerTimeZone, Type: connect.ConfigString, Default: "UTC", Importance: connect.Low,
		Validator: connect.ValidatorFunc(func(name string, v any) error {
			s, _ := v.(string)
			if _, err := time.LoadLocation(s); err != nil {
				return fmt.Errorf("Invalid value %s for configuration %s: %v", s, name, err)
			}
			return nil
		}),
		Doc: "Time zone in which Canal wrote MySQL timestamp values (its server's zone): where " +
			"instants are read from and written as wall clocks.",
	})
	return cdc.DefineCommon(def, Name)
}

func init() {
	cdc.Register(Name, ConverterClass, Options(), NewDecoder, NewEncoder, NewConverter)
}

// NewConverter returns the canal-json Connect converter: a message converts to an ARRAY of change
// envelopes {before, after, op, source, ts_ms}, one per row event, whose source struct holds
// connector "canal", db, table, ts_ms (es), pkNames and the message's id, ts, type, sql, sqlType
// and mysqlType.
func NewConverter() *cdc.Converter {
	return cdc.NewConverter(cdc.ConverterSpec{Format: Name, Multi: true})
}

// Decoder decodes canal-json messages. It is safe for concurrent use.
type Decoder struct {
	common       cdc.Common
	strategy     string
	tinyint1Bool bool
	tsAsDatetime bool
	zone         *time.Location
	dbRe, tblRe  *regexp.Regexp
	infer        *cdc.Inferrer

	mu        sync.Mutex
	p         cdc.Parser
	sc        cdc.Scratch
	sig       []byte
	cols      []column
	schemas   map[string]*connect.Schema
	typeMap   map[string]map[string]any // raw sqlType/mysqlType JSON → parsed, shared read-only
	mysqlCols map[string]colType        // mysqlType string → column type
	// typeMapKey holds the cache's own copy of each key; lastTypes the sqlType and mysqlType
	// of the last message, which the next one most likely repeats byte for byte.
	typeMapKey map[string]string
	lastTypes  [2]lastTypeMap
}

type lastTypeMap struct {
	raw string
	m   map[string]any
}

type column struct {
	name string
	t    colType
}

// anchored compiles a Java-style "matches the whole name" pattern.
func anchored(expr string) (*regexp.Regexp, error) {
	if expr == "" {
		return nil, nil
	}
	return regexp.Compile(`^(?:` + expr + `)$`)
}

// NewDecoder builds a decoder from parsed options.
func NewDecoder(opts *connect.Config) (*Decoder, error) {
	common, err := cdc.ParseCommon(opts, Name)
	if err != nil {
		return nil, err
	}
	d := &Decoder{
		common:       common,
		strategy:     strings.ToUpper(opts.String(OptInferStrategy)),
		tinyint1Bool: opts.Bool(OptTinyint1AsBoolean),
		tsAsDatetime: opts.Bool(OptTimestampAsDateTme),
		infer:        cdc.NewInferrer(common.Infer),
		schemas:      map[string]*connect.Schema{},
		typeMap:      map[string]map[string]any{},
		mysqlCols:    map[string]colType{},
		typeMapKey:   map[string]string{},
	}
	if d.zone, err = time.LoadLocation(opts.String(OptServerTimeZone)); err != nil {
		return nil, fmt.Errorf("%s: %w", OptServerTimeZone, err)
	}
	if d.dbRe, err = anchored(opts.String(OptDatabaseInclude)); err != nil {
		return nil, fmt.Errorf("%s: %w", OptDatabaseInclude, err)
	}
	if d.tblRe, err = anchored(opts.String(OptTableInclude)); err != nil {
		return nil, fmt.Errorf("%s: %w", OptTableInclude, err)
	}
	return d, nil
}

// Decode decodes one message.
func (d *Decoder) Decode(data []byte) ([]formats.Row, error) {
	return d.common.Decode(Name, &d.mu, data, d.decode)
}

// message holds a flat message's members: parsed in place, except sqlType and mysqlType, whose
// text is the key of their cache.
type message struct {
	data, old, pkNames              cdc.Node
	typ, database, table, sql, gtid cdc.Node
	isDdl, es, ts, id               cdc.Node
	sqlType, mysqlType              cdc.Span
	sqlTypes, mysqlTypes            map[string]any // when the last message's repeat
	hasPK, hasSQL, hasGTID          bool
}

func (d *Decoder) decode(text string) ([]formats.Row, error) {
	if text == "null" {
		return nil, nil
	}
	var m message
	p := &d.p
	err := p.ParseObject(text, func(k string) error {
		var err error
		switch k {
		case "data":
			m.data, err = p.Value()
		case "old":
			m.old, err = p.Value()
		case "pkNames":
			m.pkNames, err = p.Value()
			m.hasPK = true
		case "type":
			m.typ, err = p.Value()
		case "database":
			m.database, err = p.Value()
		case "table":
			m.table, err = p.Value()
		case "sql":
			m.sql, err = p.Value()
			m.hasSQL = true
		case "gtid":
			m.gtid, err = p.Value()
			m.hasGTID = true
		case "isDdl":
			m.isDdl, err = p.Value()
		case "es":
			m.es, err = p.Value()
		case "ts":
			m.ts, err = p.Value()
		case "id":
			m.id, err = p.Value()
		case "sqlType", "mysqlType":
			last := &d.lastTypes[0]
			if k == "mysqlType" {
				last = &d.lastTypes[1]
			}
			if p.SkipIfPrefix(last.raw) {
				if k == "sqlType" {
					m.sqlTypes = last.m
				} else {
					m.mysqlTypes = last.m
				}
				break
			}
			start := p.Offset()
			if err = p.Skip(); err == nil {
				if k == "sqlType" {
					m.sqlType = cdc.Span{Start: start, End: p.Offset()}
				} else {
					m.mysqlType = cdc.Span{Start: start, End: p.Offset()}
				}
			}
		}
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	db, err := str(&m.database, "database")
	if err != nil {
		return nil, err
	}
	table, err := str(&m.table, "table")
	if err != nil {
		return nil, err
	}
	if (d.dbRe != nil && !d.dbRe.MatchString(db)) || (d.tblRe != nil && !d.tblRe.MatchString(table)) {
		return nil, nil
	}
	typ, err := str(&m.typ, "type")
	if err != nil {
		return nil, err
	}
	isDdl := m.isDdl.Kind == cdc.True
	meta := formats.Row{Database: db, Table: table, Source: map[string]any{cdc.SourceFormat: Name, "type": typ}}
	for _, x := range []struct {
		key string
		n   *cdc.Node
	}{{"es", &m.es}, {"ts", &m.ts}, {"id", &m.id}} {
		if x.n.Kind == cdc.Null {
			continue
		}
		v, err := strconv.ParseInt(x.n.Text, 10, 64)
		if err != nil || x.n.Kind != cdc.Number {
			return nil, fmt.Errorf("%s: want an integer, got %s %s", x.key, x.n.Kind, x.n.Text)
		}
		meta.Source[x.key] = v
	}
	if es, ok := meta.Source["es"].(int64); ok && es != 0 {
		meta.Timestamp = time.UnixMilli(es).UTC()
	}
	sql, err := str(&m.sql, "sql")
	if err != nil {
		return nil, err
	}
	if m.hasSQL {
		meta.Source["sql"] = sql
	}
	if m.hasGTID {
		g, err := str(&m.gtid, "gtid")
		if err != nil {
			return nil, err
		}
		meta.Source["gtid"] = g
	}
	op := strings.ToUpper(typ)
	if isDdl || ddlType(op) {
		if sql == "" && typ == "" {
			return nil, fmt.Errorf("DDL message without sql or type")
		}
		switch d.common.DDL {
		case cdc.DDLSkip:
			return nil, nil
		case cdc.DDLFail:
			return nil, fmt.Errorf("%w (%s %s.%s: %s)", cdc.ErrDDL, typ, db, table, sql)
		}
		// The statement as Canal wrote it, even empty: the mark makes the row DDL.
		meta.DDL = sql
		cdc.MarkDDL(&meta)
		return []formats.Row{meta}, nil
	}
	switch op {
	case "INSERT", "UPDATE", "DELETE":
	default:
		return nil, fmt.Errorf("unknown type %q", typ)
	}
	if m.hasPK {
		n := &m.pkNames
		switch n.Kind {
		case cdc.Null:
		case cdc.Array:
			meta.PrimaryKey = make([]string, 0, len(n.Elems))
			for _, e := range n.Elems {
				if e.Kind != cdc.String {
					return nil, fmt.Errorf("pkNames: want strings, got %s", e.Kind)
				}
				meta.PrimaryKey = append(meta.PrimaryKey, e.Text)
			}
		default:
			return nil, fmt.Errorf("pkNames: want an array, got %s", n.Kind)
		}
	}
	sqlTypes, mysqlTypes := m.sqlTypes, m.mysqlTypes
	if sqlTypes == nil {
		if sqlTypes, err = d.typeMapOf(text, m.sqlType, 0); err != nil {
			return nil, err
		}
	}
	if mysqlTypes == nil {
		if mysqlTypes, err = d.typeMapOf(text, m.mysqlType, 1); err != nil {
			return nil, err
		}
	}
	if sqlTypes != nil {
		meta.Source["sqlType"] = sqlTypes
	}
	if mysqlTypes != nil {
		meta.Source["mysqlType"] = mysqlTypes
	}
	data, err := array(&m.data, "data")
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, nil
	}
	var old []cdc.Node
	if op == "UPDATE" {
		if old, err = array(&m.old, "old"); err != nil {
			return nil, err
		}
	}
	schema, convert, err := d.schema(data, old, sqlTypes, mysqlTypes)
	if err != nil {
		return nil, err
	}
	n := len(data)
	if op == "UPDATE" {
		n *= 2
	}
	rows := make([]formats.Row, 0, n)
	for i := range data {
		st, err := d.build(schema, &data[i], convert)
		if err != nil {
			return nil, fmt.Errorf("data[%d]: %w", i, err)
		}
		r := meta
		r.Schema, r.Value = schema, st
		switch op {
		case "INSERT":
			r.Op = formats.Insert
		case "DELETE":
			r.Op = formats.Delete
		case "UPDATE":
			var o *cdc.Node
			if i < len(old) {
				o = &old[i]
			}
			before, err := cdc.Overlay(st, o, convert)
			if err != nil {
				return nil, fmt.Errorf("old[%d]: %w", i, err)
			}
			b := r
			b.Op, b.Value = formats.UpdateBefore, before
			rows = append(rows, b)
			r.Op = formats.UpdateAfter
		}
		rows = append(rows, r)
	}
	for i := 1; i < len(rows); i++ {
		// Rows must not share one Source map: a consumer may change one.
		rows[i].Source = cloneSource(meta.Source)
	}
	return rows, nil
}

func cloneSource(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ddlType reports Canal's DDL event types.
func ddlType(op string) bool {
	switch op {
	case "CREATE", "ALTER", "ERASE", "TRUNCATE", "RENAME", "CINDEX", "DINDEX", "QUERY":
		return true
	}
	return false
}

// str reads a member that must be a string (or null, read as "").
func str(n *cdc.Node, what string) (string, error) {
	switch n.Kind {
	case cdc.Null:
		return "", nil
	case cdc.String:
		return n.Text, nil
	}
	return "", fmt.Errorf("%s: want a string, got %s", what, n.Kind)
}

// array reads data or old: an array of objects (or null).
func array(n *cdc.Node, what string) ([]cdc.Node, error) {
	switch n.Kind {
	case cdc.Null:
		return nil, nil
	case cdc.Array:
		for i := range n.Elems {
			if k := n.Elems[i].Kind; k != cdc.Object && k != cdc.Null {
				return nil, fmt.Errorf("%s[%d]: want an object, got %s", what, i, k)
			}
		}
		return n.Elems, nil
	}
	return nil, fmt.Errorf("%s: want an array, got %s", what, n.Kind)
}

// typeMapOf parses a sqlType or mysqlType object, caching it by its text: every message of a table
// carries the same one.
func (d *Decoder) typeMapOf(text string, sp cdc.Span, which int) (map[string]any, error) {
	if !sp.Set() || cdc.IsNullSpan(text, sp) {
		return nil, nil
	}
	what := [2]string{"sqlType", "mysqlType"}[which]
	raw := text[sp.Start:sp.End]
	if m, ok := d.typeMap[raw]; ok {
		d.lastTypes[which] = lastTypeMap{raw: d.typeMapKey[raw], m: m}
		return m, nil
	}
	n, err := d.p.ParseSpan(sp.Start, sp.End)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if n.Kind != cdc.Object {
		return nil, fmt.Errorf("%s: want an object, got %s", what, n.Kind)
	}
	m := make(map[string]any, len(n.Members))
	for _, e := range n.Members {
		switch e.Value.Kind {
		case cdc.Number:
			v, err := strconv.ParseInt(e.Value.Text, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: want an integer, got %s", what, e.Key, e.Value.Text)
			}
			m[strings.Clone(e.Key)] = v
		case cdc.String:
			m[strings.Clone(e.Key)] = strings.Clone(e.Value.Text)
		case cdc.Null:
		default:
			return nil, fmt.Errorf("%s.%s: JSON %s", what, e.Key, e.Value.Kind)
		}
	}
	if len(d.typeMap) >= 1024 {
		clear(d.typeMap)
		clear(d.typeMapKey)
	}
	raw = strings.Clone(raw) // the cache must not pin the message
	d.typeMap[raw] = m
	d.typeMapKey[raw] = raw
	d.lastTypes[which] = lastTypeMap{raw: raw, m: m}
	return m, nil
}

// schema decides the message's row schema and how values convert to it.
func (d *Decoder) schema(data, old []cdc.Node, sqlTypes, mysqlTypes map[string]any) (*connect.Schema, func(*connect.Field, *cdc.Node) (any, error), error) {
	if d.strategy == StrategyAuto {
		ptrs := make([]*cdc.Node, 0, len(data)+len(old))
		for i := range data {
			ptrs = append(ptrs, &data[i])
		}
		for i := range old {
			ptrs = append(ptrs, &old[i])
		}
		s, err := d.infer.Infer(&d.sc, ptrs...)
		if err != nil {
			return nil, nil, err
		}
		return s, autoConvert, nil
	}
	// Columns in order of first appearance, typed from sqlType or mysqlType.
	d.cols = d.cols[:0]
	add := func(rows []cdc.Node) error {
		for i := range rows {
			for j := range rows[i].Members {
				m := &rows[i].Members[j]
				k := -1
				if j < len(d.cols) && d.cols[j].name == m.Key {
					k = j
				} else {
					for c := range d.cols {
						if d.cols[c].name == m.Key {
							k = c
							break
						}
					}
				}
				if k < 0 {
					t, err := d.columnType(m.Key, sqlTypes, mysqlTypes)
					if err != nil {
						return err
					}
					d.cols = append(d.cols, column{name: m.Key, t: t})
					k = len(d.cols) - 1
				}
				if d.strategy == StrategySQLType && (m.Value.Kind == cdc.String || m.Value.Kind == cdc.Number) {
					for !d.cols[k].t.fits(m.Value.Text) {
						d.cols[k].t = d.cols[k].t.widen()
					}
				}
			}
		}
		return nil
	}
	if err := add(data); err != nil {
		return nil, nil, err
	}
	if err := add(old); err != nil {
		return nil, nil, err
	}
	d.sig = d.sig[:0]
	for _, c := range d.cols {
		d.sig = strconv.AppendInt(d.sig, int64(len(c.name)), 10)
		d.sig = append(d.sig, ':')
		d.sig = append(d.sig, c.name...)
		d.sig = c.t.appendSig(d.sig)
	}
	s, ok := d.schemas[string(d.sig)]
	if !ok {
		b := connect.StructBuilder().Optional()
		for _, c := range d.cols {
			fs, err := c.t.schema()
			if err != nil {
				return nil, nil, err
			}
			b.Field(strings.Clone(c.name), fs)
		}
		var err error
		if s, err = b.Build(); err != nil {
			return nil, nil, err
		}
		if len(d.schemas) >= 1024 {
			clear(d.schemas)
		}
		d.schemas[string(d.sig)] = s
	}
	types := make([]colType, len(d.cols))
	for i, c := range d.cols {
		types[i] = c.t
	}
	zone := d.zone
	return s, func(f *connect.Field, n *cdc.Node) (any, error) {
		return types[f.Index].parse(n, zone)
	}, nil
}

func autoConvert(f *connect.Field, n *cdc.Node) (any, error) { return cdc.NodeValue(f.Schema, n) }

func (d *Decoder) columnType(name string, sqlTypes, mysqlTypes map[string]any) (colType, error) {
	if d.strategy == StrategySQLType {
		code, ok := sqlTypes[name].(int64)
		if !ok {
			return colType{}, fmt.Errorf("column %q has no sqlType (use %s %s for messages without one)", name, OptInferStrategy, StrategyAuto)
		}
		return sqlTypeColumn(code), nil
	}
	mt, ok := mysqlTypes[name].(string)
	if !ok {
		return colType{}, fmt.Errorf("column %q has no mysqlType (use %s %s for messages without one)", name, OptInferStrategy, StrategyAuto)
	}
	if c, ok := d.mysqlCols[mt]; ok {
		return c, nil
	}
	c := mysqlTypeColumn(mt, d.tinyint1Bool, d.tsAsDatetime)
	if len(d.mysqlCols) >= 1024 {
		clear(d.mysqlCols)
	}
	d.mysqlCols[mt] = c // mt is a cached type map's value: it pins no message
	return c, nil
}

// build converts one data element.
func (d *Decoder) build(s *connect.Schema, n *cdc.Node, convert func(*connect.Field, *cdc.Node) (any, error)) (*connect.Struct, error) {
	if n.Kind != cdc.Object {
		return nil, fmt.Errorf("want an object, got %s", n.Kind)
	}
	st := connect.NewStruct(s)
	for j := range n.Members {
		m := &n.Members[j]
		var f *connect.Field
		if j < len(s.Fields) && s.Fields[j].Name == m.Key {
			f = &s.Fields[j]
		} else if f = s.Field(m.Key); f == nil {
			return nil, fmt.Errorf("column %q is not in the schema", m.Key)
		}
		v, err := convert(f, &m.Value)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", m.Key, err)
		}
		if err := st.PutIndex(f.Index, v); err != nil {
			return nil, fmt.Errorf("column %q: %w", m.Key, err)
		}
	}
	return st, nil
}
