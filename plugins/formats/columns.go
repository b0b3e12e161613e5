package formats

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/raftconnect/raftconnect/connect"
)

// ParseColumns parses a column list in Flink SQL's syntax, such as
//
//	id BIGINT NOT NULL, name STRING, price DECIMAL(10,2), tags ARRAY<STRING>, ts TIMESTAMP(3)
//
// into a STRUCT schema with one field per column, in order. Formats whose row schema comes from
// configuration (csv.schema, raw.type, json.infer-schema.fixed-types) share this syntax.
//
// Types (keywords in any case) map to Connect schemas as follows; a column is optional unless it
// says NOT NULL:
//
//	BOOLEAN                         boolean
//	TINYINT, SMALLINT               int8, int16
//	INT, INTEGER, BIGINT            int32, int64
//	FLOAT, REAL / DOUBLE            float32 / float64
//	DECIMAL(p,s), DEC, NUMERIC      Decimal with scale s ("connect.decimal.precision" = p);
//	                                DECIMAL alone is DECIMAL(10,0), DECIMAL(p) is DECIMAL(p,0)
//	CHAR(n), VARCHAR(n), STRING     string
//	BINARY(n), VARBINARY(n), BYTES  bytes
//	DATE, TIME(p)                   Date, Time
//	TIMESTAMP(p) [WITHOUT TIME ZONE], DATETIME
//	                                Timestamp (a wall clock: text with a zone offset is refused)
//	TIMESTAMP(p) WITH [LOCAL] TIME ZONE, TIMESTAMP_LTZ(p)
//	                                Timestamp marked with LocalTimeZoneParameter
//	ARRAY<T>                        array of T
//	MAP<K, V>                       map from K to V
//	ROW<name T, ...>, ROW(name T, ...)  struct
//
// A column name is an identifier, or any text in backquotes (`my col`) with a backquote inside
// written twice.
func ParseColumns(s string) (*connect.Schema, error) {
	p := &typeParser{src: s}
	p.next()
	b := connect.StructBuilder()
	for {
		name, err := p.name()
		if err != nil {
			return nil, err
		}
		t, err := p.typ()
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", name, err)
		}
		b.Field(name, t)
		if p.tok == "," {
			p.next()
			continue
		}
		if p.tok != "" {
			return nil, p.errorf("want ',' or the end, found %q", p.tok)
		}
		break
	}
	return b.Build()
}

// ParseType parses one type of the ParseColumns syntax, such as "DECIMAL(10,2) NOT NULL".
func ParseType(s string) (*connect.Schema, error) {
	p := &typeParser{src: s}
	p.next()
	t, err := p.typ()
	if err != nil {
		return nil, err
	}
	if p.tok != "" {
		return nil, p.errorf("unexpected %q after the type", p.tok)
	}
	return t, nil
}

// FormatColumns renders a STRUCT schema in the ParseColumns syntax, for messages and docs.
func FormatColumns(s *connect.Schema) string {
	var b strings.Builder
	for i, f := range s.Fields {
		if i > 0 {
			b.WriteString(", ")
		}
		writeName(&b, f.Name)
		b.WriteByte(' ')
		b.WriteString(FormatType(f.Schema))
	}
	return b.String()
}

// FormatType renders a schema in the ParseColumns syntax ("DECIMAL(10,2) NOT NULL"). A Decimal
// without a precision parameter renders as DECIMAL(38,s).
func FormatType(s *connect.Schema) string {
	var b strings.Builder
	writeType(&b, s)
	return b.String()
}

func writeName(b *strings.Builder, name string) {
	if isIdent(name) {
		b.WriteString(name)
		return
	}
	b.WriteByte('`')
	b.WriteString(strings.ReplaceAll(name, "`", "``"))
	b.WriteByte('`')
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '$') {
			continue
		}
		return false
	}
	return !typeKeywords[strings.ToUpper(s)]
}

var typeKeywords = map[string]bool{"NOT": true, "NULL": true, "WITH": true, "WITHOUT": true}

func writeType(b *strings.Builder, s *connect.Schema) {
	switch s.Name {
	case connect.DecimalName:
		scale, _ := connect.DecimalScale(s)
		p, ok := DecimalPrecision(s)
		if !ok {
			p = 38
		}
		fmt.Fprintf(b, "DECIMAL(%d,%d)", p, scale)
	case connect.DateName:
		b.WriteString("DATE")
	case connect.TimeName:
		b.WriteString("TIME(3)")
	case connect.TimestampName:
		if IsLocalTimeZone(s) {
			b.WriteString("TIMESTAMP_LTZ(3)")
		} else {
			b.WriteString("TIMESTAMP(3)")
		}
	default:
		switch s.Type {
		case connect.TypeBoolean:
			b.WriteString("BOOLEAN")
		case connect.TypeInt8:
			b.WriteString("TINYINT")
		case connect.TypeInt16:
			b.WriteString("SMALLINT")
		case connect.TypeInt32:
			b.WriteString("INT")
		case connect.TypeInt64:
			b.WriteString("BIGINT")
		case connect.TypeFloat32:
			b.WriteString("FLOAT")
		case connect.TypeFloat64:
			b.WriteString("DOUBLE")
		case connect.TypeString:
			b.WriteString("STRING")
		case connect.TypeBytes:
			b.WriteString("BYTES")
		case connect.TypeArray:
			b.WriteString("ARRAY<")
			writeType(b, s.ValueSchema)
			b.WriteByte('>')
		case connect.TypeMap:
			b.WriteString("MAP<")
			writeType(b, s.KeySchema)
			b.WriteString(", ")
			writeType(b, s.ValueSchema)
			b.WriteByte('>')
		case connect.TypeStruct:
			b.WriteString("ROW<")
			b.WriteString(FormatColumns(s))
			b.WriteByte('>')
		default:
			b.WriteString(strings.ToUpper(string(s.Type)))
		}
	}
	if !s.Optional {
		b.WriteString(" NOT NULL")
	}
}

// typeParser is a small tokenizer and recursive-descent parser of the column syntax.
type typeParser struct {
	src    string
	pos    int    // offset after the current token
	tok    string // current token; "" at the end
	tokPos int
	quoted bool // the current token was a backquoted name
	err    error
}

func (p *typeParser) errorf(format string, args ...any) error {
	if p.err != nil {
		return p.err
	}
	return fmt.Errorf("at offset %d: %s", p.tokPos, fmt.Sprintf(format, args...))
}

func (p *typeParser) next() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
	p.tokPos = p.pos
	p.quoted = false
	if p.pos >= len(p.src) {
		p.tok = ""
		return
	}
	c := p.src[p.pos]
	switch {
	case c == '`':
		var b strings.Builder
		i := p.pos + 1
		for {
			j := strings.IndexByte(p.src[i:], '`')
			if j < 0 {
				p.err = fmt.Errorf("at offset %d: unterminated `name`", p.pos)
				p.tok, p.pos = "", len(p.src)
				return
			}
			b.WriteString(p.src[i : i+j])
			i += j + 1
			if i < len(p.src) && p.src[i] == '`' {
				b.WriteByte('`')
				i++
				continue
			}
			break
		}
		p.tok, p.pos, p.quoted = b.String(), i, true
	case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80:
		i := p.pos
		for i < len(p.src) {
			c := p.src[i]
			if c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80 {
				i++
				continue
			}
			break
		}
		p.tok, p.pos = p.src[p.pos:i], i
	default:
		p.tok, p.pos = p.src[p.pos:p.pos+1], p.pos+1
	}
}

func (p *typeParser) keyword() string {
	if p.quoted {
		return ""
	}
	return strings.ToUpper(p.tok)
}

func (p *typeParser) name() (string, error) {
	if p.tok == "" || (!p.quoted && !isNameToken(p.tok)) {
		if p.tok == "" {
			return "", p.errorf("want a column name, found the end")
		}
		return "", p.errorf("want a column name, found %q", p.tok)
	}
	n := p.tok
	p.next()
	return n, nil
}

func isNameToken(t string) bool {
	c := t[0]
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func (p *typeParser) expect(t string) error {
	if p.tok != t {
		if p.tok == "" {
			return p.errorf("want %q, found the end", t)
		}
		return p.errorf("want %q, found %q", t, p.tok)
	}
	p.next()
	return nil
}

// params reads an optional (n[, m]) list.
func (p *typeParser) params(max int) ([]int, error) {
	if p.tok != "(" {
		return nil, nil
	}
	p.next()
	var out []int
	for {
		n, err := strconv.Atoi(p.tok)
		if err != nil || n < 0 {
			return nil, p.errorf("want a number, found %q", p.tok)
		}
		out = append(out, n)
		p.next()
		if p.tok == "," && len(out) < max {
			p.next()
			continue
		}
		break
	}
	return out, p.expect(")")
}

// words consumes a sequence of keywords if all of them follow.
func (p *typeParser) words(ws ...string) bool {
	save := *p
	for _, w := range ws {
		if p.keyword() != w {
			*p = save
			return false
		}
		p.next()
	}
	return true
}

func (p *typeParser) typ() (*connect.Schema, error) {
	kw := p.keyword()
	if kw == "" {
		if p.tok == "" {
			return nil, p.errorf("want a type, found the end")
		}
		return nil, p.errorf("want a type, found %q", p.tok)
	}
	at := p.tokPos
	p.next()
	var b *connect.SchemaBuilder
	switch kw {
	case "BOOLEAN", "BOOL":
		b = connect.NewSchemaBuilder(connect.TypeBoolean)
	case "TINYINT":
		b = connect.NewSchemaBuilder(connect.TypeInt8)
	case "SMALLINT":
		b = connect.NewSchemaBuilder(connect.TypeInt16)
	case "INT", "INTEGER":
		b = connect.NewSchemaBuilder(connect.TypeInt32)
	case "BIGINT":
		b = connect.NewSchemaBuilder(connect.TypeInt64)
	case "FLOAT", "REAL":
		b = connect.NewSchemaBuilder(connect.TypeFloat32)
	case "DOUBLE":
		p.words("PRECISION")
		b = connect.NewSchemaBuilder(connect.TypeFloat64)
	case "DECIMAL", "DEC", "NUMERIC":
		ps, err := p.params(2)
		if err != nil {
			return nil, err
		}
		prec, scale := 10, 0
		if len(ps) > 0 {
			prec = ps[0]
		}
		if len(ps) > 1 {
			scale = ps[1]
		}
		if prec < 1 || prec > 38 || scale > prec {
			return nil, p.errorf("DECIMAL(%d,%d): precision must be 1..38 and scale 0..precision", prec, scale)
		}
		b = connect.DecimalSchema(int32(scale)).Parameter(DecimalPrecisionParameter, strconv.Itoa(prec))
	case "CHAR", "VARCHAR", "STRING", "TEXT":
		if _, err := p.params(1); err != nil {
			return nil, err
		}
		b = connect.NewSchemaBuilder(connect.TypeString)
	case "BINARY", "VARBINARY", "BYTES":
		if _, err := p.params(1); err != nil {
			return nil, err
		}
		b = connect.NewSchemaBuilder(connect.TypeBytes)
	case "DATE":
		b = connect.DateSchema()
	case "TIME":
		if _, err := p.params(1); err != nil {
			return nil, err
		}
		p.words("WITHOUT", "TIME", "ZONE")
		b = connect.TimeSchema()
	case "TIMESTAMP", "TIMESTAMP_LTZ", "DATETIME":
		if _, err := p.params(1); err != nil {
			return nil, err
		}
		ltz := kw == "TIMESTAMP_LTZ"
		if kw == "TIMESTAMP" && !p.words("WITHOUT", "TIME", "ZONE") {
			ltz = p.words("WITH", "LOCAL", "TIME", "ZONE") || p.words("WITH", "TIME", "ZONE")
		}
		b = connect.TimestampSchema()
		if ltz {
			b.Parameter(LocalTimeZoneParameter, "true")
		}
	case "ARRAY":
		if err := p.expect("<"); err != nil {
			return nil, err
		}
		e, err := p.typ()
		if err != nil {
			return nil, fmt.Errorf("ARRAY element: %w", err)
		}
		if err := p.expect(">"); err != nil {
			return nil, err
		}
		b = connect.ArrayOf(e)
	case "MAP":
		if err := p.expect("<"); err != nil {
			return nil, err
		}
		k, err := p.typ()
		if err != nil {
			return nil, fmt.Errorf("MAP key: %w", err)
		}
		if err := p.expect(","); err != nil {
			return nil, err
		}
		v, err := p.typ()
		if err != nil {
			return nil, fmt.Errorf("MAP value: %w", err)
		}
		if err := p.expect(">"); err != nil {
			return nil, err
		}
		b = connect.MapOf(k, v)
	case "ROW", "STRUCT":
		closer := ">"
		switch p.tok {
		case "<":
		case "(":
			closer = ")"
		default:
			return nil, p.errorf("want '<' or '(' after ROW, found %q", p.tok)
		}
		p.next()
		b = connect.StructBuilder()
		for {
			name, err := p.name()
			if err != nil {
				return nil, err
			}
			t, err := p.typ()
			if err != nil {
				return nil, fmt.Errorf("ROW field %s: %w", name, err)
			}
			b.Field(name, t)
			if p.tok == "," {
				p.next()
				continue
			}
			break
		}
		if err := p.expect(closer); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("at offset %d: unknown type %q", at, kw)
	}
	if p.err != nil {
		return nil, p.err
	}
	switch {
	case p.words("NOT", "NULL"):
	case p.words("NULL"):
		b.Optional()
	default:
		b.Optional()
	}
	return b.Build()
}
