package avro

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/raftconnect/raftconnect/connect"
)

// JSONEncoder is implemented by the encoders of the avro and avro-confluent formats that have
// a configured schema: EncodeJSON turns one JSON message (a schemaless JSON value, as the
// json format reads it) straight into one output message, without building Connect values
// or a map[string]any on the way. It accepts what encoding a schemaless value accepts, and is
// exact where encoding/json is not (integers beyond 2^53).
type JSONEncoder interface {
	EncodeJSON(msg []byte) ([]byte, error)
}

// AppendJSON appends the Avro binary encoding of a JSON value. The rules are those of
// Append for the value encoding/json would produce: object keys match record fields by name
// (unknown keys are ignored, missing ones take the default or null), numbers must fit the
// Avro type exactly, strings hold base64 for bytes and fixed, decimals are numbers or
// strings, and times are numbers (epoch units of the logical type) or ISO-8601 strings.
func (s *Schema) AppendJSON(dst, data []byte) ([]byte, error) {
	j := jreader{b: data}
	j.ws()
	out, err := s.root.fromJSON(dst, &j)
	if err != nil {
		return nil, err
	}
	j.ws()
	if j.i != len(j.b) {
		return nil, j.errorf("data after the JSON value")
	}
	return out, nil
}

// jreader reads one JSON text.
type jreader struct {
	b       []byte
	i       int
	scratch []byte // unescaped strings, decoded base64
}

var errJSON = errors.New("invalid JSON")

func (j *jreader) errorf(format string, args ...any) error {
	return fmt.Errorf("json offset %d: %w: "+format, append([]any{j.i, errJSON}, args...)...)
}

func (j *jreader) ws() {
	for j.i < len(j.b) {
		switch j.b[j.i] {
		case ' ', '\t', '\n', '\r':
			j.i++
		default:
			return
		}
	}
}

func (j *jreader) peek() byte {
	j.ws()
	if j.i >= len(j.b) {
		return 0
	}
	return j.b[j.i]
}

func (j *jreader) literal(lit string) error {
	if len(j.b)-j.i < len(lit) || string(j.b[j.i:j.i+len(lit)]) != lit {
		return j.errorf("expected %s", lit)
	}
	j.i += len(lit)
	return nil
}

// str reads a string and returns its content, unescaped (in scratch when it had escapes:
// valid until the next call).
func (j *jreader) str() ([]byte, error) {
	if j.peek() != '"' {
		return nil, j.errorf("expected a string")
	}
	j.i++
	start := j.i
	for j.i < len(j.b) {
		c := j.b[j.i]
		if c == '"' {
			s := j.b[start:j.i]
			j.i++
			return s, nil
		}
		if c == '\\' {
			return j.unescape(start)
		}
		if c < 0x20 {
			return nil, j.errorf("control character in string")
		}
		j.i++
	}
	return nil, j.errorf("unterminated string")
}

func (j *jreader) unescape(start int) ([]byte, error) {
	out := append(j.scratch[:0], j.b[start:j.i]...)
	for j.i < len(j.b) {
		c := j.b[j.i]
		switch {
		case c == '"':
			j.i++
			j.scratch = out
			return out, nil
		case c < 0x20:
			return nil, j.errorf("control character in string")
		case c != '\\':
			out = append(out, c)
			j.i++
			continue
		}
		if j.i+1 >= len(j.b) {
			return nil, j.errorf("unterminated escape")
		}
		e := j.b[j.i+1]
		j.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := j.hex4()
			if !ok {
				return nil, j.errorf("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if j.i+1 < len(j.b) && j.b[j.i] == '\\' && j.b[j.i+1] == 'u' {
					j.i += 2
					if lo, ok := j.hex4(); ok {
						r2 = utf16.DecodeRune(r, lo)
					}
				}
				// A lone surrogate becomes U+FFFD, as in encoding/json.
				r = r2
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, j.errorf("invalid escape \\%c", e)
		}
	}
	return nil, j.errorf("unterminated string")
}

func (j *jreader) hex4() (rune, bool) {
	if len(j.b)-j.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range j.b[j.i : j.i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	j.i += 4
	return r, true
}

// number reads a number token, checking JSON's number grammar.
func (j *jreader) number() ([]byte, bool, error) {
	j.ws()
	start := j.i
	isFloat := false
	if j.i < len(j.b) && j.b[j.i] == '-' {
		j.i++
	}
	digits := func() int {
		n := 0
		for j.i < len(j.b) && j.b[j.i] >= '0' && j.b[j.i] <= '9' {
			j.i++
			n++
		}
		return n
	}
	if j.i < len(j.b) && j.b[j.i] == '0' {
		j.i++
	} else if digits() == 0 {
		j.i = start
		return nil, false, j.errorf("expected a number")
	}
	if j.i < len(j.b) && j.b[j.i] == '.' {
		j.i++
		isFloat = true
		if digits() == 0 {
			return nil, false, j.errorf("digits expected after the decimal point")
		}
	}
	if j.i < len(j.b) && (j.b[j.i] == 'e' || j.b[j.i] == 'E') {
		j.i++
		isFloat = true
		if j.i < len(j.b) && (j.b[j.i] == '+' || j.b[j.i] == '-') {
			j.i++
		}
		if digits() == 0 {
			return nil, false, j.errorf("digits expected in the exponent")
		}
	}
	return j.b[start:j.i], isFloat, nil
}

// skip passes over one value of any type.
func (j *jreader) skip(depth int) error {
	if depth > maxJSONDepth {
		return j.errorf("nesting deeper than %d", maxJSONDepth)
	}
	switch c := j.peek(); c {
	case '"':
		_, err := j.str()
		return err
	case '{':
		j.i++
		if j.peek() == '}' {
			j.i++
			return nil
		}
		for {
			if _, err := j.str(); err != nil {
				return err
			}
			if j.peek() != ':' {
				return j.errorf("expected ':'")
			}
			j.i++
			if err := j.skip(depth + 1); err != nil {
				return err
			}
			switch j.peek() {
			case ',':
				j.i++
			case '}':
				j.i++
				return nil
			default:
				return j.errorf("expected ',' or '}'")
			}
		}
	case '[':
		j.i++
		if j.peek() == ']' {
			j.i++
			return nil
		}
		for {
			if err := j.skip(depth + 1); err != nil {
				return err
			}
			switch j.peek() {
			case ',':
				j.i++
			case ']':
				j.i++
				return nil
			default:
				return j.errorf("expected ',' or ']'")
			}
		}
	case 't':
		return j.literal("true")
	case 'f':
		return j.literal("false")
	case 'n':
		return j.literal("null")
	default:
		_, _, err := j.number()
		return err
	}
}

// maxJSONDepth is encoding/json's own limit, so both paths refuse the same input.
const maxJSONDepth = 10000

// fromJSON reads one JSON value at this position and appends its Avro encoding.
func (n *node) fromJSON(dst []byte, j *jreader) ([]byte, error) {
	c := j.peek()
	if c == 'n' {
		if err := j.literal("null"); err != nil {
			return nil, err
		}
		return n.encode(dst, nil)
	}
	switch n.kind {
	case kBoolean:
		switch c {
		case 't':
			return appendBool(dst, true), j.literal("true")
		case 'f':
			return appendBool(dst, false), j.literal("false")
		}
	case kInt, kLong:
		if c == '"' {
			return n.timeFromJSON(dst, j)
		}
		tok, isFloat, err := j.number()
		if err != nil {
			return nil, err
		}
		var v int64
		if isFloat {
			f, err := strconv.ParseFloat(string(tok), 64)
			if err != nil || f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
				return nil, fmt.Errorf("%s is not an integer", tok)
			}
			v = int64(f)
		} else if v, err = strconv.ParseInt(string(tok), 10, 64); err != nil {
			return nil, fmt.Errorf("%s is not a 64-bit integer", tok)
		}
		if err := n.checkInt(v); err != nil {
			return nil, err
		}
		return appendLong(dst, v), nil
	case kFloat, kDouble:
		tok, _, err := j.number()
		if err != nil {
			return nil, err
		}
		if n.kind == kFloat {
			f, err := strconv.ParseFloat(string(tok), 32)
			if err != nil {
				return nil, fmt.Errorf("%s is not a float: %w", tok, err)
			}
			return appendFloat(dst, float32(f)), nil
		}
		f, err := strconv.ParseFloat(string(tok), 64)
		if err != nil {
			return nil, fmt.Errorf("%s is not a double: %w", tok, err)
		}
		return appendDouble(dst, f), nil
	case kString:
		s, err := j.str()
		if err != nil {
			return nil, err
		}
		return appendBytes(dst, s), nil
	case kEnum:
		s, err := j.str()
		if err != nil {
			return nil, err
		}
		i, ok := n.symbolIdx[string(s)]
		if !ok {
			return nil, fmt.Errorf("%q is not a symbol of Avro %s", s, n.what)
		}
		return appendLong(dst, int64(i)), nil
	case kBytes, kFixed:
		if n.logical == lDecimal {
			var tok []byte
			var err error
			if c == '"' {
				tok, err = j.str()
			} else {
				tok, _, err = j.number()
			}
			if err != nil {
				return nil, err
			}
			d, err := connect.ParseDecimal(string(tok))
			if err != nil {
				return nil, err
			}
			return n.encode(dst, d)
		}
		s, err := j.str()
		if err != nil {
			return nil, err
		}
		raw, err := base64.StdEncoding.AppendDecode(nil, s)
		if err != nil {
			return nil, fmt.Errorf("string for Avro %s is not base64: %w", n.what, err)
		}
		return n.encode(dst, raw)
	case kArray:
		return n.arrayFromJSON(dst, j)
	case kMap, kMapEntries:
		return n.mapFromJSON(dst, j)
	case kRecord:
		if c == '{' {
			return n.recordFromJSON(dst, j)
		}
	case kUnion:
		return n.unionFromJSON(dst, j)
	}
	if err := j.skip(0); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("Avro %s cannot hold JSON %s", n.what, jsonKind(c))
}

func jsonKind(c byte) string {
	switch c {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

func (n *node) timeFromJSON(dst []byte, j *jreader) ([]byte, error) {
	s, err := j.str()
	if err != nil {
		return nil, err
	}
	t, err := parseTime(n.logical, string(s))
	if err != nil {
		return nil, err
	}
	return n.encode(dst, t)
}

// parseTime reads an ISO-8601 text for a date, time or timestamp field.
func parseTime(l logical, s string) (time.Time, error) {
	var layouts []string
	switch l {
	case lDate:
		layouts = []string{time.DateOnly}
	case lTimeMillis, lTimeMicros:
		layouts = []string{"15:04:05.999999999", "15:04:05.999999999Z07:00"}
	case lTimestampMillis, lTimestampMicros:
		layouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"}
	default:
		return time.Time{}, fmt.Errorf("string %q for a number", s)
	}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, s); err == nil {
			if l == lTimeMillis || l == lTimeMicros {
				t = time.Date(1970, 1, 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO-8601 %s", s, map[logical]string{
		lDate: "date", lTimeMillis: "time", lTimeMicros: "time", lTimestampMillis: "timestamp", lTimestampMicros: "timestamp"}[l])
}

func (n *node) arrayFromJSON(dst []byte, j *jreader) ([]byte, error) {
	if j.peek() != '[' {
		if err := j.skip(0); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("Avro %s needs a JSON array", n.what)
	}
	// Count the items first: the block count comes before them.
	save := j.i
	count := 0
	j.i++
	if j.peek() != ']' {
		for {
			if err := j.skip(1); err != nil {
				return nil, err
			}
			count++
			if j.peek() == ',' {
				j.i++
				continue
			}
			if j.peek() != ']' {
				return nil, j.errorf("expected ',' or ']'")
			}
			break
		}
	}
	j.i = save + 1
	if count > 0 {
		dst = appendLong(dst, int64(count))
		var err error
		for k := range count {
			if k > 0 {
				j.peek()
				j.i++ // the ','
			}
			if dst, err = n.items.fromJSON(dst, j); err != nil {
				return nil, fmt.Errorf("[%d]: %w", k, err)
			}
		}
	}
	j.peek()
	j.i++ // the ']'
	return append(dst, 0), nil
}

type jsonMember struct {
	key        string
	start, end int
}

// mapFromJSON writes a JSON object as an Avro map, keys sorted as Append sorts them.
func (n *node) mapFromJSON(dst []byte, j *jreader) ([]byte, error) {
	if j.peek() != '{' {
		if err := j.skip(0); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("Avro %s needs a JSON object", n.what)
	}
	j.i++
	var members []jsonMember
	if j.peek() != '}' {
		for {
			k, err := j.str()
			if err != nil {
				return nil, err
			}
			key := string(k)
			if j.peek() != ':' {
				return nil, j.errorf("expected ':'")
			}
			j.i++
			j.ws()
			start := j.i
			if err := j.skip(1); err != nil {
				return nil, err
			}
			members = append(members, jsonMember{key, start, j.i})
			if j.peek() == ',' {
				j.i++
				continue
			}
			if j.peek() != '}' {
				return nil, j.errorf("expected ',' or '}'")
			}
			break
		}
	}
	j.i++
	end := j.i
	if len(members) == 0 {
		return append(dst, 0), nil
	}
	slices.SortStableFunc(members, func(a, b jsonMember) int { return strings.Compare(a.key, b.key) })
	// A repeated key keeps its last value, as in encoding/json; the stable sort put it last.
	w := 0
	for r := range members {
		if r+1 < len(members) && members[r+1].key == members[r].key {
			continue
		}
		members[w] = members[r]
		w++
	}
	members = members[:w]
	dst = appendLong(dst, int64(len(members)))
	var err error
	for _, m := range members {
		j.i = m.start
		if n.kind == kMap {
			dst = appendString(dst, m.key)
			dst, err = n.items.fromJSON(dst, j)
		} else {
			if dst, err = n.key.encode(dst, m.key); err == nil {
				dst, err = n.val.fromJSON(dst, j)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("[%q]: %w", m.key, err)
		}
	}
	j.i = end
	return append(dst, 0), nil
}

type span struct{ start, end int }

func (n *node) recordFromJSON(dst []byte, j *jreader) ([]byte, error) {
	// Fields may come in any order; Avro writes them in schema order. Note where each value
	// is, then write them in order.
	var buf [24]span
	spans := buf[:0]
	if len(n.fields) > len(buf) {
		spans = make([]span, len(n.fields))
	} else {
		spans = buf[:len(n.fields)]
	}
	for i := range spans {
		spans[i].start = -1
	}
	j.i++ // '{'
	if j.peek() != '}' {
		for {
			k, err := j.str()
			if err != nil {
				return nil, err
			}
			idx, known := n.fieldIdx[string(k)]
			if j.peek() != ':' {
				return nil, j.errorf("expected ':'")
			}
			j.i++
			j.ws()
			start := j.i
			if err := j.skip(1); err != nil {
				return nil, err
			}
			if known {
				spans[idx] = span{start, j.i}
			}
			if j.peek() == ',' {
				j.i++
				continue
			}
			if j.peek() != '}' {
				return nil, j.errorf("expected ',' or '}'")
			}
			break
		}
	}
	j.i++
	end := j.i
	var err error
	for i := range n.fields {
		f := &n.fields[i]
		sp := spans[i]
		if sp.start < 0 {
			if f.hasDefault {
				dst = append(dst, f.defaultEnc...)
				continue
			}
			if dst, err = f.node.encode(dst, nil); err != nil {
				return nil, fmt.Errorf("field %q: missing: %w", f.name, err)
			}
			continue
		}
		j.i = sp.start
		if dst, err = f.node.fromJSON(dst, j); err != nil {
			return nil, fmt.Errorf("field %q: %w", f.name, err)
		}
	}
	j.i = end
	return dst, nil
}

// unionFromJSON picks the branch as Append picks it for the value encoding/json would give.
func (n *node) unionFromJSON(dst []byte, j *jreader) ([]byte, error) {
	c := j.peek()
	if n.optional {
		i := 1 - n.nullIdx
		return n.branches[i].fromJSON(appendLong(dst, int64(i)), j)
	}
	var like any
	switch c {
	case '"':
		like = ""
	case '{':
		like = map[string]any(nil)
	case '[':
		like = []any(nil)
	case 't', 'f':
		like = true
	default:
		like = 0.5
	}
	start, mark := j.i, len(dst)
	for i, br := range n.branches {
		if br.kind == kNull || !br.accepts(like) {
			continue
		}
		j.i = start
		if out, err := br.fromJSON(appendLong(dst[:mark], int64(i)), j); err == nil {
			return out, nil
		}
	}
	j.i = start
	if err := j.skip(0); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("no branch of Avro %s takes JSON %s", n.what, jsonKind(c))
}
