package csv

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// colKind is a column's type, resolved once so the per-field work is a switch.
type colKind uint8

const (
	cBool colKind = iota
	cInt8
	cInt16
	cInt32
	cInt64
	cFloat32
	cFloat64
	cDecimal
	cDate
	cTime
	cTimestamp
	cBytes
	cString
	cArray
	cRow
)

type column struct {
	name     string
	schema   *connect.Schema
	kind     colKind
	required bool
	scale    int32    // cDecimal
	prec     int      // cDecimal; 0 when the schema gives none
	elem     *column  // cArray
	fields   []column // cRow
}

func newColumn(name string, s *connect.Schema) column {
	c := column{name: name, schema: s, required: !s.Optional && s.Default == nil}
	switch s.Name {
	case connect.DecimalName:
		c.kind = cDecimal
		c.scale, _ = connect.DecimalScale(s)
		c.prec, _ = formats.DecimalPrecision(s)
		return c
	case connect.DateName:
		c.kind = cDate
		return c
	case connect.TimeName:
		c.kind = cTime
		return c
	case connect.TimestampName:
		c.kind = cTimestamp
		return c
	}
	switch s.Type {
	case connect.TypeBoolean:
		c.kind = cBool
	case connect.TypeInt8:
		c.kind = cInt8
	case connect.TypeInt16:
		c.kind = cInt16
	case connect.TypeInt32:
		c.kind = cInt32
	case connect.TypeInt64:
		c.kind = cInt64
	case connect.TypeFloat32:
		c.kind = cFloat32
	case connect.TypeFloat64:
		c.kind = cFloat64
	case connect.TypeBytes:
		c.kind = cBytes
	case connect.TypeArray:
		e := newColumn(name, s.ValueSchema)
		c.kind, c.elem = cArray, &e
	case connect.TypeStruct:
		c.kind = cRow
		for _, f := range s.Fields {
			c.fields = append(c.fields, newColumn(f.Name, f.Schema))
		}
	default:
		c.kind = cString
	}
	return c
}

func columnsOf(s *connect.Schema) []column {
	cols := make([]column, len(s.Fields))
	for i, f := range s.Fields {
		cols[i] = newColumn(f.Name, f.Schema)
	}
	return cols
}

// decoder parses one record per message. It keeps no state between calls, so one decoder may
// serve several goroutines.
type decoder struct {
	cfg      *config
	cols     []column
	required bool // some column is NOT NULL, so rows need validating
}

func newDecoder(cfg *config) (*decoder, error) {
	if cfg.schema == nil {
		return nil, fmt.Errorf("%s is required to decode CSV: it gives the columns and their types", OptSchema)
	}
	d := &decoder{cfg: cfg, cols: columnsOf(cfg.schema)}
	for _, f := range cfg.schema.Fields {
		if !f.Schema.Optional && f.Schema.Default == nil {
			d.required = true
		}
	}
	return d, nil
}

// errSkip marks a record dropped under csv.ignore-parse-errors.
var errSkip = errors.New("skip")

// Decode parses one CSV record into one Insert row.
func (d *decoder) Decode(data []byte) ([]formats.Row, error) {
	if string(data) == "\n" || string(data) == "\r\n" {
		data = data[:0]
	}
	if len(data) == 0 && len(d.cols) != 1 {
		return nil, nil
	}
	if d.cfg.comments && len(data) > 0 && data[0] == '#' {
		return nil, nil
	}
	// One copy of the line; unquoted, unescaped STRING fields are slices of it.
	line := string(data)
	values := make([]any, len(d.cols))
	p := fieldParser{cfg: d.cfg, s: line}
	n := 0
	for {
		start := p.pos
		text, raw, quoted, err := p.next()
		if err != nil {
			if d.cfg.ignoreErrors {
				return nil, nil
			}
			return nil, err
		}
		if n < len(d.cols) {
			v, err := d.cfg.fieldValue(&d.cols[n], text, raw, quoted)
			if err != nil {
				if !d.cfg.ignoreErrors {
					return nil, fmt.Errorf("column %d (%s) at offset %d: %w", n+1, d.cols[n].name, start, err)
				}
				v = nil
			}
			values[n] = v
		}
		n++
		if p.done {
			break
		}
	}
	if n != len(d.cols) && !d.cfg.ignoreErrors {
		return nil, fmt.Errorf("record has %d fields, %s has %d columns", n, OptSchema, len(d.cols))
	}
	st := connect.NewStruct(d.cfg.schema)
	for i, v := range values {
		if v != nil {
			if err := st.PutIndex(i, v); err != nil {
				return nil, err
			}
		}
	}
	if d.required {
		for i := range d.cols {
			if d.cols[i].required && values[i] == nil {
				if d.cfg.ignoreErrors {
					return nil, nil
				}
				return nil, fmt.Errorf("column %d (%s) is NOT NULL but the record holds null", i+1, d.cols[i].name)
			}
		}
	}
	return []formats.Row{{Op: formats.Insert, Schema: d.cfg.schema, Value: st}}, nil
}

// fieldParser splits a record into fields.
type fieldParser struct {
	cfg  *config
	s    string
	pos  int
	done bool
}

// next returns the next field's text with quotes and escapes resolved, its raw text as written
// (for unquoted fields; the null literal is matched against it, so a literal like \N works
// with '\' as escape character), and whether it was quoted. After the last field, p.done is set.
func (p *fieldParser) next() (text, raw string, quoted bool, err error) {
	cfg, s, i := p.cfg, p.s, p.pos
	if cfg.quoting && i < len(s) && s[i] == cfg.quote {
		return p.quoted()
	}
	escaped := false
	j := i
	for ; j < len(s); j++ {
		c := s[j]
		switch {
		case c == cfg.delim:
			p.pos = j + 1
			return p.finish(s[i:j], escaped, false), s[i:j], false, nil
		case cfg.hasEscape && c == cfg.escape:
			if j+1 == len(s) {
				return "", "", false, fmt.Errorf("escape character at the end of the record (offset %d)", j)
			}
			escaped = true
			j++
		case c == '\n' || c == '\r':
			if err := p.lineEnd(j); err != nil {
				return "", "", false, err
			}
			return p.finish(s[i:j], escaped, false), s[i:j], false, nil
		}
	}
	p.pos, p.done = j, true
	return p.finish(s[i:j], escaped, false), s[i:j], false, nil
}

func (p *fieldParser) quoted() (text, raw string, quoted bool, err error) {
	cfg, s := p.cfg, p.s
	open := p.pos
	escaped := false
	for j := open + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == cfg.quote:
			if j+1 < len(s) && s[j+1] == cfg.quote {
				escaped = true
				j++
				continue
			}
			text = p.finish(s[open+1:j], escaped, true)
			switch {
			case j+1 == len(s):
				p.pos, p.done = j+1, true
			case s[j+1] == cfg.delim:
				p.pos = j + 2
			case s[j+1] == '\n' || s[j+1] == '\r':
				if err := p.lineEnd(j + 1); err != nil {
					return "", "", true, err
				}
			default:
				return "", "", true, fmt.Errorf("unexpected %q after the closing quote at offset %d", s[j+1], j)
			}
			return text, "", true, nil
		case cfg.hasEscape && c == cfg.escape:
			if j+1 == len(s) {
				break
			}
			escaped = true
			j++
		}
	}
	return "", "", true, fmt.Errorf("quoted field starting at offset %d is not closed", open)
}

// lineEnd accepts a line break at j only as the end of the record.
func (p *fieldParser) lineEnd(j int) error {
	rest := p.s[j:]
	if rest == "\n" || rest == "\r\n" || rest == "\r" {
		p.pos, p.done = len(p.s), true
		return nil
	}
	return fmt.Errorf("line break at offset %d inside the record (a message holds one CSV record; quote the field or set %s)", j, OptEscapeCharacter)
}

// finish resolves escape sequences, and inside quotes doubled quotes, when there are any.
func (p *fieldParser) finish(raw string, escaped, inQuotes bool) string {
	if !escaped {
		return raw
	}
	cfg := p.cfg
	b := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case inQuotes && c == cfg.quote && i+1 < len(raw) && raw[i+1] == cfg.quote:
			i++
		case cfg.hasEscape && c == cfg.escape && i+1 < len(raw):
			i++
			switch c = raw[i]; c {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case '0':
				c = 0
			}
		}
		b = append(b, c)
	}
	return string(b)
}

// fieldValue converts one field's text for column c.
func (cfg *config) fieldValue(c *column, text, raw string, quoted bool) (any, error) {
	// With a null literal, only it (unquoted, as written) is null; without one, an unquoted
	// empty field is.
	if !quoted && (cfg.hasNull && raw == cfg.null || !cfg.hasNull && raw == "") {
		return nil, nil
	}
	if text == "" {
		switch c.kind {
		case cString:
			return "", nil
		case cBytes:
			return []byte{}, nil
		case cArray:
			return []any{}, nil
		}
		return nil, nil
	}
	switch c.kind {
	case cArray:
		parts := strings.Split(text, cfg.arrayDelim)
		out := make([]any, len(parts))
		for i, part := range parts {
			v, err := cfg.elementValue(c.elem, part)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			out[i] = v
		}
		return out, nil
	case cRow:
		parts := strings.Split(text, cfg.arrayDelim)
		if len(parts) != len(c.fields) {
			return nil, fmt.Errorf("row has %d fields, want %d", len(parts), len(c.fields))
		}
		st := connect.NewStruct(c.schema)
		for i, part := range parts {
			v, err := cfg.elementValue(&c.fields[i], part)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", c.fields[i].name, err)
			}
			if err := st.PutIndex(i, v); err != nil {
				return nil, err
			}
		}
		if err := st.Validate(); err != nil {
			return nil, err
		}
		return st, nil
	}
	return scalarValue(c, text)
}

// elementValue converts an array element or row field: the null literal and, except for
// strings, an empty text are null.
func (cfg *config) elementValue(c *column, text string) (any, error) {
	if cfg.hasNull && text == cfg.null {
		return nil, nil
	}
	if text == "" && c.kind != cString {
		return nil, nil
	}
	return scalarValue(c, text)
}

func scalarValue(c *column, text string) (any, error) {
	switch c.kind {
	case cString:
		return text, nil
	case cBool:
		switch t := strings.TrimSpace(text); {
		case strings.EqualFold(t, "true"):
			return true, nil
		case strings.EqualFold(t, "false"):
			return false, nil
		}
		return nil, fmt.Errorf("invalid BOOLEAN %q", text)
	case cInt8, cInt16, cInt32, cInt64:
		bits := [...]int{cInt8: 8, cInt16: 16, cInt32: 32, cInt64: 64}[c.kind]
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, bits)
		if err != nil {
			return nil, fmt.Errorf("invalid %s %q", strings.ToUpper(string(c.schema.Type)), text)
		}
		switch c.kind {
		case cInt8:
			return int8(n), nil
		case cInt16:
			return int16(n), nil
		case cInt32:
			return int32(n), nil
		}
		return n, nil
	case cFloat32:
		f, err := strconv.ParseFloat(strings.TrimSpace(text), 32)
		if err != nil {
			return nil, fmt.Errorf("invalid FLOAT %q", text)
		}
		return float32(f), nil
	case cFloat64:
		f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil {
			return nil, fmt.Errorf("invalid DOUBLE %q", text)
		}
		return f, nil
	case cDecimal:
		d, err := formats.ParseDecimalScale(strings.TrimSpace(text), c.scale)
		if err != nil {
			return nil, err
		}
		if c.prec > 0 && formats.DecimalDigits(d) > c.prec {
			return nil, fmt.Errorf("decimal %s does not fit DECIMAL(%d,%d)", text, c.prec, c.scale)
		}
		return d, nil
	case cDate:
		return formats.ParseDate(strings.TrimSpace(text))
	case cTime:
		return formats.ParseTime(strings.TrimSpace(text))
	case cTimestamp:
		// A TIMESTAMP is a wall clock: an offset would shift it, so it is refused, as Flink
		// refuses it; a TIMESTAMP_LTZ is an instant, which a zoned value gives in UTC.
		if formats.IsLocalTimeZone(c.schema) {
			return formats.ParseTimestampAny(strings.TrimSpace(text))
		}
		return formats.ParseTimestampAnyNoZone(strings.TrimSpace(text))
	case cBytes:
		enc := base64.StdEncoding
		if len(text)%4 != 0 {
			enc = base64.RawStdEncoding
		}
		b, err := enc.DecodeString(text)
		if err != nil {
			return nil, fmt.Errorf("invalid base64 BYTES: %w", err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("column type %s cannot be read from CSV", c.schema)
}
