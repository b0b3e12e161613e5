package csv

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// encoder writes one record per row. Without csv.schema it writes each struct in its own
// schema's field order.
type encoder struct {
	cfg  *config
	cols []column // of cfg.schema; nil without one

	// byRowSchema caches the columns of row schemas seen when csv.schema is not set.
	mu          sync.Mutex
	byRowSchema map[*connect.Schema][]column
	// sizeHint is the length of a recent record, to allocate each output once.
	sizeHint atomic.Int32
	// sameAs is a row schema found equal to csv.schema (decoders and encoders parse the option
	// separately, so equal schemas are usually different pointers).
	sameAs atomic.Pointer[connect.Schema]
}

func newEncoder(cfg *config) *encoder {
	e := &encoder{cfg: cfg}
	e.sizeHint.Store(64)
	if cfg.schema != nil {
		e.cols = columnsOf(cfg.schema)
	}
	return e
}

// Encode writes each Insert and UpdateAfter row as one record. CSV holds no change operation
// (Flink's csv format is insert-only): formats.EncodeInsertOnly skips an UpdateBefore row and
// refuses a Delete or a DDL row. A row without a value (a tombstone) becomes a nil message.
func (e *encoder) Encode(rows []formats.Row) ([][]byte, error) {
	return formats.EncodeInsertOnly(Name, rows, e.encodeRow)
}

// RequiresSchema reports whether rows need a schema: without csv.schema a schemaless row has no
// column order.
func (e *encoder) RequiresSchema() bool { return e.cols == nil }

func (e *encoder) encodeRow(r *formats.Row) ([]byte, error) {
	hint := int(e.sizeHint.Load())
	dst := make([]byte, 0, hint+hint/4)
	var err error
	switch v := r.Value.(type) {
	case *connect.Struct:
		dst, err = e.appendStruct(dst, v)
	case map[string]any:
		if e.cols == nil {
			return nil, fmt.Errorf("a schemaless row has no column order; set %s", OptSchema)
		}
		for i := range e.cols {
			c := &e.cols[i]
			val, err := formats.Coerce(c.schema, v[c.name])
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", c.name, err)
			}
			if dst, err = e.appendField(dst, c, val, i); err != nil {
				return nil, fmt.Errorf("column %s: %w", c.name, err)
			}
		}
	default:
		// A lone value (from raw, say) is a one-column record.
		cols := e.cols
		if cols == nil {
			if r.Schema == nil {
				return nil, fmt.Errorf("a schemaless %T has no column type; set %s", v, OptSchema)
			}
			if err := checkColumn(r.Schema, 1); err != nil {
				return nil, err
			}
			cols = []column{newColumn("value", r.Schema)}
		}
		if len(cols) != 1 {
			return nil, fmt.Errorf("a single %T value cannot fill the %d columns of %s", v, len(cols), OptSchema)
		}
		val, err := formats.Coerce(cols[0].schema, v)
		if err != nil {
			return nil, err
		}
		dst, err = e.appendField(dst, &cols[0], val, 0)
		if err != nil {
			return nil, err
		}
	}
	if err != nil {
		return nil, err
	}
	e.sizeHint.Store(int32(min(len(dst), 1<<20)))
	return dst, nil
}

func (e *encoder) appendStruct(dst []byte, st *connect.Struct) ([]byte, error) {
	s := st.Schema()
	if e.cols == nil || e.sameSchema(s) {
		cols := e.cols
		if cols == nil {
			var err error
			if cols, err = e.rowColumns(s); err != nil {
				return nil, err
			}
		}
		for i := range cols {
			var err error
			if dst, err = e.appendField(dst, &cols[i], st.GetIndex(i), i); err != nil {
				return nil, fmt.Errorf("column %s: %w", cols[i].name, err)
			}
		}
		return dst, nil
	}
	// Another schema: columns by name, values converted to the configured types.
	for i := range e.cols {
		c := &e.cols[i]
		var val any
		if f := s.Field(c.name); f != nil {
			var err error
			if val, err = formats.Coerce(c.schema, st.GetIndex(f.Index)); err != nil {
				return nil, fmt.Errorf("column %s: %w", c.name, err)
			}
		}
		var err error
		if dst, err = e.appendField(dst, c, val, i); err != nil {
			return nil, fmt.Errorf("column %s: %w", c.name, err)
		}
	}
	return dst, nil
}

func (e *encoder) sameSchema(s *connect.Schema) bool {
	if s == e.cfg.schema || s == e.sameAs.Load() {
		return true
	}
	if s.Equal(e.cfg.schema) {
		e.sameAs.Store(s)
		return true
	}
	return false
}

func (e *encoder) rowColumns(s *connect.Schema) ([]column, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if cols, ok := e.byRowSchema[s]; ok {
		return cols, nil
	}
	if err := checkSchema(s); err != nil {
		return nil, fmt.Errorf("row schema: %w", err)
	}
	if e.byRowSchema == nil || len(e.byRowSchema) > 64 {
		e.byRowSchema = map[*connect.Schema][]column{}
	}
	cols := columnsOf(s)
	e.byRowSchema[s] = cols
	return cols, nil
}

// appendField writes the delimiter (for all but the first field) and the field.
func (e *encoder) appendField(dst []byte, c *column, v any, index int) ([]byte, error) {
	cfg := e.cfg
	if index > 0 {
		dst = append(dst, cfg.delim)
	}
	if v == nil {
		if cfg.hasNull {
			return append(dst, cfg.null...), nil
		}
		return dst, nil
	}
	start := len(dst)
	var err error
	switch c.kind {
	case cArray:
		dst, err = e.appendArray(dst, c, v)
	case cRow:
		dst, err = e.appendRow(dst, c, v)
	default:
		dst, err = appendScalar(dst, c, v)
	}
	if err != nil {
		return nil, err
	}
	return e.protect(dst, start, index == 0)
}

func (e *encoder) appendArray(dst []byte, c *column, v any) ([]byte, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("want []any for ARRAY, got %T", v)
	}
	for i, el := range arr {
		if i > 0 {
			dst = append(dst, e.cfg.arrayDelim...)
		}
		var err error
		if dst, err = e.appendElement(dst, c.elem, el); err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
	}
	return dst, nil
}

func (e *encoder) appendRow(dst []byte, c *column, v any) ([]byte, error) {
	st, ok := v.(*connect.Struct)
	if !ok {
		return nil, fmt.Errorf("want *connect.Struct for ROW, got %T", v)
	}
	same := st.Schema() == c.schema || st.Schema().Equal(c.schema)
	for i := range c.fields {
		if i > 0 {
			dst = append(dst, e.cfg.arrayDelim...)
		}
		f := &c.fields[i]
		var val any
		if same {
			val = st.GetIndex(i)
		} else if sf := st.Schema().Field(f.name); sf != nil {
			var err error
			if val, err = formats.Coerce(f.schema, st.GetIndex(sf.Index)); err != nil {
				return nil, fmt.Errorf("field %s: %w", f.name, err)
			}
		}
		var err error
		if dst, err = e.appendElement(dst, f, val); err != nil {
			return nil, fmt.Errorf("field %s: %w", f.name, err)
		}
	}
	return dst, nil
}

// appendElement writes an array element or row field, which must not contain the element
// delimiter (nothing could tell them apart when reading).
func (e *encoder) appendElement(dst []byte, c *column, v any) ([]byte, error) {
	if v == nil {
		if e.cfg.hasNull {
			return append(dst, e.cfg.null...), nil
		}
		return dst, nil
	}
	start := len(dst)
	dst, err := appendScalar(dst, c, v)
	if err != nil {
		return nil, err
	}
	if bytes.Contains(dst[start:], e.cfg.arrayDelimBytes) {
		return nil, fmt.Errorf("value %q contains the array element delimiter %q", dst[start:], e.cfg.arrayDelim)
	}
	return dst, nil
}

// appendScalar writes a scalar in formats.AppendText's form, which is Flink's: Java's digits,
// plain decimals, base64 bytes, SQL dates, times and timestamps.
func appendScalar(dst []byte, c *column, v any) ([]byte, error) {
	switch v.(type) {
	case string, bool, int8, int16, int32, int64, float32, float64, connect.Decimal, []byte, time.Time:
		return formats.AppendText(dst, v, c.schema)
	}
	return nil, fmt.Errorf("cannot write %T as %s", v, formats.FormatType(c.schema))
}

// protect quotes or escapes the field text written at dst[start:] if reading it back needs it.
// The common case — nothing to protect — costs one scan and no copy.
func (e *encoder) protect(dst []byte, start int, first bool) ([]byte, error) {
	cfg := e.cfg
	text := dst[start:]
	need := len(text) == 0 || cfg.hasNull && string(text) == cfg.null || first && cfg.comments && text[0] == '#'
	if !need {
		for _, c := range text {
			if c == cfg.delim || c == '\n' || c == '\r' || cfg.quoting && c == cfg.quote || cfg.hasEscape && c == cfg.escape {
				need = true
				break
			}
		}
	}
	if !need {
		return dst, nil
	}
	if cfg.quoting {
		return quoteInPlace(dst, start, cfg), nil
	}
	raw := string(text) // the rare path may copy
	dst = dst[:start]
	if !cfg.hasEscape {
		if raw == "" {
			// Without quotes or escapes, "" can only be written as empty (read back as null).
			return dst, nil
		}
		return nil, fmt.Errorf("value %q needs quoting, but %s is true and %s is not set", raw, OptDisableQuoteCharacter, OptEscapeCharacter)
	}
	// The null literal, or a leading '#' read as a comment, is told apart by escaping one of its
	// characters: one that does not form an escape sequence (\n, \r, \t, \0).
	mark := -1
	if cfg.hasNull && raw == cfg.null {
		mark = strings.IndexFunc(raw, func(r rune) bool { return !strings.ContainsRune("nrt0", r) })
		if mark < 0 {
			return nil, fmt.Errorf("value %q equals %s and cannot be escaped; enable quoting", raw, OptNullLiteral)
		}
	} else if first && cfg.comments && raw[0] == '#' {
		mark = 0
	}
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '\n':
			dst = append(dst, cfg.escape, 'n')
		case c == '\r':
			dst = append(dst, cfg.escape, 'r')
		case c == cfg.delim || c == cfg.escape || i == mark:
			dst = append(dst, cfg.escape, c)
		default:
			dst = append(dst, c)
		}
	}
	if cfg.hasNull && string(dst[start:]) == cfg.null {
		return nil, fmt.Errorf("value %q is written as %q, the %s; enable quoting", raw, cfg.null, OptNullLiteral)
	}
	return dst, nil
}

// quoteInPlace encloses dst[start:] in quotes, doubling quote characters and, with an escape
// character, doubling it and writing line breaks as escape sequences. It widens the text in
// place from the end, so quoting allocates only if dst has to grow.
func quoteInPlace(dst []byte, start int, cfg *config) []byte {
	width := func(c byte) int {
		if c == cfg.quote || cfg.hasEscape && (c == cfg.escape || c == '\n' || c == '\r') {
			return 2
		}
		return 1
	}
	extra := 2
	for _, c := range dst[start:] {
		extra += width(c) - 1
	}
	old := len(dst)
	dst = append(dst, make([]byte, extra)...)
	w := len(dst) - 1
	dst[w] = cfg.quote
	w--
	for r := old - 1; r >= start; r-- {
		c := dst[r]
		if width(c) == 1 {
			dst[w] = c
			w--
			continue
		}
		switch {
		case c == cfg.quote || cfg.hasEscape && c == cfg.escape:
			dst[w], dst[w-1] = c, c
		case c == '\n':
			dst[w], dst[w-1] = 'n', cfg.escape
		case c == '\r':
			dst[w], dst[w-1] = 'r', cfg.escape
		}
		w -= 2
	}
	dst[w] = cfg.quote
	return dst
}
