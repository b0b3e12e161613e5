package plain

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// This file ports the parts of Kafka's org.apache.kafka.connect.data.Values that
// SimpleHeaderConverter uses: convertToString, which writes a value as text, and parseString,
// which reads text back, inferring the type. The tokenizer and the inference rules follow
// Kafka's closely, quirks included, so that headers written by one side read the same on the
// other. Times are written and read in UTC.

const msPerDay = 24 * 60 * 60 * 1000

// ConvertToString writes value as Kafka's Values.convertToString does: strings as they are,
// numbers and booleans as Java prints them, bytes in Base64, lists as [a,b], maps as {k:v},
// structs as {"field":value}, with strings inside lists, maps and structs quoted ("a\"b"), and
// dates as yyyy-MM-dd, times as HH:mm:ss.SSSZ and timestamps as yyyy-MM-ddTHH:mm:ss.SSSZ. Map
// entries are written sorted by key. A nil value gives "null".
func ConvertToString(value any) (string, error) {
	var sb strings.Builder
	if err := appendValue(&sb, value, false); err != nil {
		return "", err
	}
	return sb.String(), nil
}

func appendValue(sb *strings.Builder, v any, embedded bool) error {
	var buf [32]byte
	switch x := v.(type) {
	case nil:
		sb.WriteString("null")
	case string:
		if embedded {
			sb.WriteByte('"')
			escape(sb, x)
			sb.WriteByte('"')
		} else {
			sb.WriteString(x)
		}
	case []byte:
		if embedded {
			sb.WriteByte('"')
		}
		sb.WriteString(base64.StdEncoding.EncodeToString(x))
		if embedded {
			sb.WriteByte('"')
		}
	case bool, int8, int16, int32, int64, int, float32, float64, connect.Decimal, *big.Int:
		sb.WriteString(JavaString(x))
	case time.Time:
		sb.Write(appendTemporal(buf[:0], x))
	case []any:
		sb.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				sb.WriteByte(',')
			}
			if err := appendValue(sb, e, true); err != nil {
				return err
			}
		}
		sb.WriteByte(']')
	case *connect.Struct:
		sb.WriteByte('{')
		for i, f := range x.Schema().Fields {
			if i > 0 {
				sb.WriteByte(',')
			}
			appendValue(sb, f.Name, true)
			sb.WriteByte(':')
			if err := appendValue(sb, x.GetIndex(i), true); err != nil {
				return err
			}
		}
		sb.WriteByte('}')
	default:
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Map:
			entries := sortedEntries(rv, func(k any) string {
				var kb strings.Builder
				if appendValue(&kb, k, true) != nil {
					return fmt.Sprint(k)
				}
				return kb.String()
			})
			sb.WriteByte('{')
			for i, e := range entries {
				if i > 0 {
					sb.WriteByte(',')
				}
				if err := appendValue(sb, e.key, true); err != nil {
					return err
				}
				sb.WriteByte(':')
				if err := appendValue(sb, e.val, true); err != nil {
					return err
				}
			}
			sb.WriteByte('}')
		case reflect.Slice, reflect.Array:
			sb.WriteByte('[')
			for i := 0; i < rv.Len(); i++ {
				if i > 0 {
					sb.WriteByte(',')
				}
				if err := appendValue(sb, rv.Index(i).Interface(), true); err != nil {
					return err
				}
			}
			sb.WriteByte(']')
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			sb.WriteString(strconv.FormatInt(rv.Int(), 10))
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			sb.WriteString(strconv.FormatUint(rv.Uint(), 10))
		case reflect.String:
			return appendValue(sb, rv.String(), embedded)
		default:
			return fmt.Errorf("Failed to serialize unexpected value type %T: %v", v, v)
		}
	}
	return nil
}

// escape doubles backslashes and escapes double quotes, as Kafka does for quoted strings.
func escape(sb *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		default:
			sb.WriteByte(c)
		}
	}
}

// Layouts of Kafka's ISO 8601 temporal strings (SimpleDateFormat "HH:mm:ss.SSS'Z'", "yyyy-MM-dd"
// and "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").
const (
	timeLayout      = "15:04:05.000Z"
	dateLayout      = "2006-01-02"
	timestampLayout = "2006-01-02T15:04:05.000Z"
)

// appendTemporal writes a time as Kafka's dateFormatFor chooses by value: instants before
// 1970-01-02 as a time of day, midnights as dates, anything else as a timestamp.
func appendTemporal(dst []byte, t time.Time) []byte {
	ms := t.UnixMilli()
	t = time.UnixMilli(ms).UTC()
	switch {
	case ms < msPerDay:
		return t.AppendFormat(dst, timeLayout)
	case ms%msPerDay == 0:
		return t.AppendFormat(dst, dateLayout)
	}
	return t.AppendFormat(dst, timestampLayout)
}

// Schemas ParseString infers. Values' null, true and false are shared.
var (
	stringSV = func(s string) *connect.SchemaAndValue {
		return &connect.SchemaAndValue{Schema: connect.StringSchema, Value: s}
	}
	trueSV  = connect.SchemaAndValue{Schema: connect.BooleanSchema, Value: true}
	falseSV = connect.SchemaAndValue{Schema: connect.BooleanSchema, Value: false}

	dateSchema      = connect.DateSchema().MustBuild()
	timeSchema      = connect.TimeSchema().MustBuild()
	timestampSchema = connect.TimestampSchema().MustBuild()
)

// ParseString reads text as Kafka's Values.parseString does, inferring a schema: "true" and
// "false" are BOOLEAN; whole numbers are the narrowest of INT8, INT16, INT32 and INT64; other
// numbers FLOAT32 when finite as a float, else FLOAT64, else a Decimal; yyyy-MM-dd,
// HH:mm:ss.SSSZ and yyyy-MM-ddTHH:mm:ss.SSSZ are Date, Time and Timestamp; [a,b] is an ARRAY
// and {k:v} a MAP, with element, key and value schemas when the entries share one (numbers
// widen to a common type) and none when they do not; "null" is a nil value; anything else,
// including lists and maps that do not parse, is the STRING itself. The empty string is an
// empty STRING.
func ParseString(s string) connect.SchemaAndValue {
	if s == "" {
		return *stringSV("")
	}
	p := &valueParser{t: tokenizer{orig: s}}
	sv, err := p.parse(false)
	if err != nil {
		// Top-level parsing falls back to the string itself; this is a safety net.
		return *stringSV(s)
	}
	if sv == nil {
		return connect.SchemaAndValue{}
	}
	return *sv
}

// tokenizer splits text at Kafka's delimiters (: , { } [ ] and ") unless escaped by a backslash,
// keeping each delimiter as a token of its own. It can look one token ahead and rewind.
type tokenizer struct {
	orig    string
	pos     int
	peeked  string
	hasPeek bool
	prev    string
}

func (t *tokenizer) mark() int {
	if t.hasPeek {
		return t.pos - len(t.peeked)
	}
	return t.pos
}

func (t *tokenizer) rewindTo(pos int) {
	t.pos = pos
	t.peeked, t.hasPeek = "", false
	t.prev = ""
}

func (t *tokenizer) hasNext() bool { return t.hasPeek || t.pos < len(t.orig) }

func (t *tokenizer) next() string {
	if t.hasPeek {
		t.prev = t.peeked
		t.peeked, t.hasPeek = "", false
	} else {
		t.prev = t.consume()
	}
	return t.prev
}

// nextN consumes n tokens and returns the text they span; with fewer left it consumes nothing.
func (t *tokenizer) nextN(n int) (string, bool) {
	start := t.mark()
	for range n {
		if !t.hasNext() {
			t.rewindTo(start)
			return "", false
		}
		t.next()
	}
	return t.orig[start:t.pos], true
}

func (t *tokenizer) consume() string {
	escaped := false
	start := t.pos
	for t.pos < len(t.orig) {
		switch c := t.orig[t.pos]; c {
		case '\\':
			escaped = !escaped
		case ':', ',', '{', '}', '[', ']', '"':
			if !escaped {
				if start < t.pos {
					return t.orig[start:t.pos]
				}
				t.pos++
				return t.orig[start:t.pos]
			}
			escaped = false
		default:
			escaped = false
		}
		t.pos++
	}
	return t.orig[start:t.pos]
}

// canConsume consumes the next token if it is expected, ignoring surrounding whitespace (and
// whitespace-only tokens, as Kafka does).
func (t *tokenizer) canConsume(expected string) bool {
	if !t.hasPeek {
		if !t.hasNext() {
			return false
		}
		t.peeked, t.hasPeek = t.consume(), true
	}
	for javaTrim(t.peeked) == "" && t.pos < len(t.orig) {
		t.peeked = t.consume()
	}
	if javaTrim(t.peeked) == expected {
		t.peeked, t.hasPeek = "", false
		return true
	}
	return false
}

// javaTrim is Java's String.trim: it strips characters up to and including the space.
func javaTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
}

type valueParser struct {
	t tokenizer
}

var errParse = errors.New("failed to parse embedded value")

func (p *valueParser) literal(embedded bool, word string) bool {
	start := p.t.mark()
	if p.t.canConsume(word) && (embedded || !p.t.hasNext()) {
		// Embedded, whatever follows is the caller's; at the top level the word must be all
		// there is ("true}" is a string).
		return true
	}
	p.t.rewindTo(start)
	return false
}

// parse reads one value; nil is Kafka's null.
func (p *valueParser) parse(embedded bool) (*connect.SchemaAndValue, error) {
	if !p.t.hasNext() {
		return nil, nil
	}
	if embedded && p.t.canConsume(`"`) {
		return p.quoted(), nil
	}
	switch {
	case p.literal(embedded, "null"):
		return nil, nil
	case p.literal(embedded, "true"):
		sv := trueSV
		return &sv, nil
	case p.literal(embedded, "false"):
		sv := falseSV
		return &sv, nil
	}
	start := p.t.mark()
	var sv *connect.SchemaAndValue
	var err error
	switch {
	case p.t.canConsume("["):
		sv, err = p.array()
	case p.t.canConsume("{"):
		sv, err = p.mapValue()
	default:
		err = errNotContainer
	}
	if err == nil {
		return sv, nil
	}
	if err != errNotContainer {
		p.t.rewindTo(start) // not a list or map after all: read it as a plain token
	}
	token := p.t.next()
	if javaTrim(token) == "" {
		return stringSV(token), nil
	}
	return p.token(embedded, javaTrim(token))
}

var errNotContainer = errors.New("not a list or map")

// token reads a single token: a temporal value, a number, or (at the top level) the whole
// input as a string.
func (p *valueParser) token(embedded bool, token string) (*connect.SchemaAndValue, error) {
	first := token[0]
	digit := first >= '0' && first <= '9'
	if digit {
		// A time or timestamp spans five tokens, because ':' is a delimiter.
		pos := p.t.mark()
		if rest, ok := p.t.nextN(4); ok {
			if sv := parseTemporal(token + rest); sv != nil {
				return sv, nil
			}
		}
		p.t.rewindTo(pos)
		if sv := parseTemporal(token); sv != nil {
			return sv, nil
		}
	}
	if digit || first == '+' || first == '-' {
		if sv := parseNumber(token); sv != nil {
			return sv, nil
		}
	}
	if embedded {
		return nil, errParse
	}
	return stringSV(p.t.orig), nil
}

// quoted reads the rest of a quoted string; a temporal value in quotes is still temporal.
// Escapes are kept as written, as Kafka keeps them.
func (p *valueParser) quoted() *connect.SchemaAndValue {
	var sb strings.Builder
	for p.t.hasNext() {
		if p.t.canConsume(`"`) {
			break
		}
		sb.WriteString(p.t.next())
	}
	content := sb.String()
	if sv := parseTemporal(content); sv != nil {
		return sv
	}
	return stringSV(content)
}

func (p *valueParser) array() (*connect.SchemaAndValue, error) {
	result := []any{}
	elems := merger{compatible: true}
	for p.t.hasNext() {
		if p.t.canConsume("]") {
			if elems.common == nil {
				return &connect.SchemaAndValue{Schema: &connect.Schema{Type: connect.TypeArray}, Value: result}, nil
			}
			for i, v := range result {
				cv, err := convertTo(elems.common, v)
				if err != nil {
					return nil, err
				}
				result[i] = cv
			}
			return &connect.SchemaAndValue{Schema: &connect.Schema{Type: connect.TypeArray, ValueSchema: elems.common}, Value: result}, nil
		}
		if p.t.canConsume(",") {
			return nil, fmt.Errorf("Unable to parse an empty array element: %s", p.t.orig)
		}
		el, err := p.parse(true)
		if err != nil {
			return nil, err
		}
		elems.merge(el)
		if el != nil {
			result = append(result, el.Value)
		} else {
			result = append(result, nil)
		}
		pos := p.t.mark()
		if p.t.canConsume("]") {
			p.t.rewindTo(pos)
		} else if !p.t.canConsume(",") {
			return nil, errors.New("Array elements missing ',' delimiter")
		}
	}
	if p.t.prev == "," {
		return nil, fmt.Errorf("Array is missing element after ',': %s", p.t.orig)
	}
	return nil, fmt.Errorf("Array is missing terminating ']': %s", p.t.orig)
}

func (p *valueParser) mapValue() (*connect.SchemaAndValue, error) {
	var entries []mapEntry
	keys, vals := merger{compatible: true}, merger{compatible: true}
	for p.t.hasNext() {
		if p.t.canConsume("}") {
			return buildMap(entries, keys.common, vals.common)
		}
		if p.t.canConsume(",") {
			return nil, fmt.Errorf("Unable to parse a map entry with no key or value: %s", p.t.orig)
		}
		key, err := p.parse(true)
		if err != nil {
			return nil, err
		}
		if key == nil || key.Value == nil {
			return nil, fmt.Errorf("Map entry may not have a null key: %s", p.t.orig)
		}
		if !p.t.canConsume(":") {
			return nil, fmt.Errorf("Map entry is missing ':' at %d in %s", p.t.pos, p.t.orig)
		}
		val, err := p.parse(true)
		if err != nil {
			return nil, err
		}
		var v any
		if val != nil {
			v = val.Value
		}
		entries = append(entries, mapEntry{key.Value, v})
		p.t.canConsume(",")
		keys.merge(key)
		vals.merge(val)
	}
	if p.t.prev == "," {
		return nil, fmt.Errorf("Map is missing element after ',': %s", p.t.orig)
	}
	return nil, fmt.Errorf("Map is missing terminating '}': %s", p.t.orig)
}

// mapEntry is a parsed map entry, kept in order until the map's schemas are known.
type mapEntry struct{ k, v any }

// buildMap converts the entries to the common key and value schemas, when there are some, and
// returns the map: string-keyed when the keys are strings (or there are none).
func buildMap(entries []mapEntry, ks, vs *connect.Schema) (*connect.SchemaAndValue, error) {
	schema := &connect.Schema{Type: connect.TypeMap, KeySchema: ks}
	if ks != nil {
		schema.ValueSchema = vs
	}
	stringKeys := ks != nil && ks.Type == connect.TypeString || len(entries) == 0
	var sm map[string]any
	var am map[any]any
	if stringKeys {
		sm = make(map[string]any, len(entries))
	} else {
		am = make(map[any]any, len(entries))
	}
	for _, e := range entries {
		k, v := e.k, e.v
		var err error
		if ks != nil {
			if k, err = convertTo(ks, k); err != nil {
				return nil, err
			}
			if vs != nil {
				if v, err = convertTo(vs, v); err != nil {
					return nil, err
				}
			}
		}
		if stringKeys {
			sm[k.(string)] = v
			continue
		}
		switch k.(type) {
		case []any, map[string]any, map[any]any, []byte:
			return nil, fmt.Errorf("map key of type %T cannot be a Go map key", k)
		}
		am[k] = v
	}
	if stringKeys {
		return &connect.SchemaAndValue{Schema: schema, Value: sm}, nil
	}
	return &connect.SchemaAndValue{Schema: schema, Value: am}, nil
}

// merger finds the schema common to a list's elements (or a map's keys or values): the first
// schema, widened for numbers; once two are incompatible there is none.
type merger struct {
	common     *connect.Schema
	compatible bool
}

func (m *merger) merge(latest *connect.SchemaAndValue) {
	if latest == nil || latest.Schema == nil || !m.compatible {
		return
	}
	if m.common == nil {
		m.common = latest.Schema
		return
	}
	m.common = mergeSchemas(m.common, latest.Schema)
	m.compatible = m.common != nil
}

// numericRank orders the types numbers widen through.
var numericRank = map[connect.Type]int{
	connect.TypeInt8: 1, connect.TypeInt16: 2, connect.TypeInt32: 3, connect.TypeInt64: 4,
	connect.TypeFloat32: 5, connect.TypeFloat64: 6,
}

func mergeSchemas(prev, latest *connect.Schema) *connect.Schema {
	if prev.Type != latest.Type {
		pr, lr := numericRank[prev.Type], numericRank[latest.Type]
		switch {
		case pr == 0 || lr == 0:
			return nil
		case lr > pr:
			return latest
		}
		return prev
	}
	if prev.Optional == latest.Optional {
		if prev.Optional {
			return prev
		}
		return latest
	}
	if !prev.Equal(latest) {
		return nil
	}
	return prev
}

// parseTemporal reads Kafka's date, time and timestamp forms; colons may be escaped.
func parseTemporal(s string) *connect.SchemaAndValue {
	s = strings.ReplaceAll(s, `\:`, ":")
	var layout string
	var schema *connect.Schema
	switch len(s) {
	case len(timeLayout):
		layout, schema = timeLayout, timeSchema
	case len(timestampLayout):
		layout, schema = timestampLayout, timestampSchema
	case len(dateLayout):
		layout, schema = dateLayout, dateSchema
	default:
		return nil
	}
	if s[0] < '0' || s[0] > '9' {
		return nil
	}
	t, err := time.ParseInLocation(layout, s, time.UTC)
	if err != nil {
		return nil
	}
	if layout == timeLayout {
		// A time of day is on 1970-01-01, as Java's parser makes it.
		t = time.UnixMilli(int64(t.Hour())*3600000 + int64(t.Minute())*60000 + int64(t.Second())*1000 + int64(t.Nanosecond()/1e6)).UTC()
	}
	return &connect.SchemaAndValue{Schema: schema, Value: t}
}

// maxNumberText bounds the tokens read as numbers, as JSON parsers bound number length.
const maxNumberText = 1000

var (
	bigTen    = big.NewInt(10)
	tenPow19  = new(big.Int).Exp(bigTen, big.NewInt(19), nil)
	minInt64B = big.NewInt(math.MinInt64)
	maxInt64B = big.NewInt(math.MaxInt64)
)

// parseNumber reads a number as Kafka does: whole numbers up to 1e19 as the narrowest integer
// type, then FLOAT32 or FLOAT64 if finite and not written as an integer, else a Decimal.
func parseNumber(token string) *connect.SchemaAndValue {
	if len(token) > maxNumberText {
		return nil
	}
	d, err := connect.ParseDecimal(token)
	if err != nil {
		return nil
	}
	if sv := exactInteger(d); sv != nil {
		return sv
	}
	if f, _ := strconv.ParseFloat(token, 32); !math.IsInf(f, 0) && d.Scale != 0 {
		return &connect.SchemaAndValue{Schema: connect.Float32Schema, Value: float32(f)}
	}
	if f, _ := strconv.ParseFloat(token, 64); !math.IsInf(f, 0) && d.Scale != 0 {
		return &connect.SchemaAndValue{Schema: connect.Float64Schema, Value: f}
	}
	return &connect.SchemaAndValue{Schema: connect.DecimalSchema(d.Scale).MustBuild(), Value: d}
}

// exactInteger returns d as the narrowest integer type if it is a whole number between 1 and
// 1e19 in magnitude (or zero) that fits in an int64.
func exactInteger(d connect.Decimal) *connect.SchemaAndValue {
	u := d.Unscaled
	if u.Sign() == 0 {
		return &connect.SchemaAndValue{Schema: connect.Int8Schema, Value: int8(0)}
	}
	abs := new(big.Int).Abs(u)
	// The decimal exponent of the leading digit bounds the magnitude without building it.
	adjusted := int64(len(abs.String())) - 1 - int64(d.Scale)
	if adjusted < 0 || adjusted > 19 {
		return nil // below 1, or above 1e19
	}
	n := new(big.Int).Set(u)
	if d.Scale > 0 {
		q, r := new(big.Int).QuoRem(u, new(big.Int).Exp(bigTen, big.NewInt(int64(d.Scale)), nil), new(big.Int))
		if r.Sign() != 0 {
			return nil
		}
		n = q
	} else if d.Scale < 0 {
		n.Mul(n, new(big.Int).Exp(bigTen, big.NewInt(int64(-d.Scale)), nil))
	}
	if new(big.Int).Abs(n).Cmp(tenPow19) > 0 || n.Cmp(minInt64B) < 0 || n.Cmp(maxInt64B) > 0 {
		return nil
	}
	v := n.Int64()
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		return &connect.SchemaAndValue{Schema: connect.Int8Schema, Value: int8(v)}
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return &connect.SchemaAndValue{Schema: connect.Int16Schema, Value: int16(v)}
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return &connect.SchemaAndValue{Schema: connect.Int32Schema, Value: int32(v)}
	}
	return &connect.SchemaAndValue{Schema: connect.Int64Schema, Value: v}
}

// convertTo converts a parsed value to the common schema of its list or map, as Kafka's
// Values.convertTo does for the cases parsing produces: numbers widen (or, toward a logical
// type, become dates and times), everything else must already fit.
func convertTo(to *connect.Schema, v any) (any, error) {
	if v == nil {
		if to.Optional {
			return nil, nil
		}
		return nil, errors.New("Unable to convert a null value to a schema that requires a value")
	}
	switch to.Name {
	case connect.DateName, connect.TimeName, connect.TimestampName:
		if t, ok := v.(time.Time); ok {
			return t, nil
		}
		n, err := asLong(v)
		if err != nil {
			return nil, err
		}
		switch to.Name {
		case connect.DateName:
			return connect.DaysToDate(int32(n)), nil
		case connect.TimeName:
			if int32(n) < 0 || int32(n) > msPerDay {
				return nil, errors.New("Time values must use number of milliseconds greater than 0 and less than 86400000")
			}
			return time.UnixMilli(int64(int32(n))).UTC(), nil
		}
		return time.UnixMilli(n).UTC(), nil
	}
	switch to.Type {
	case connect.TypeInt8, connect.TypeInt16, connect.TypeInt32, connect.TypeInt64:
		n, err := asLong(v)
		if err != nil {
			return nil, err
		}
		switch to.Type {
		case connect.TypeInt8:
			return int8(n), nil
		case connect.TypeInt16:
			return int16(n), nil
		case connect.TypeInt32:
			return int32(n), nil
		}
		return n, nil
	case connect.TypeFloat32, connect.TypeFloat64:
		f, err := asDouble(v)
		if err != nil {
			return nil, err
		}
		if to.Type == connect.TypeFloat32 {
			return float32(f), nil
		}
		return f, nil
	case connect.TypeString:
		return ConvertToString(v)
	}
	return v, nil // same type: booleans, decimals, lists, maps
}

// asLong converts a number as Java's Number.longValue does (floats truncate and saturate).
func asLong(v any) (int64, error) {
	switch x := v.(type) {
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case float32:
		return javaLong(float64(x)), nil
	case float64:
		return javaLong(x), nil
	case connect.Decimal:
		// BigDecimal.longValue: the integer part's low 64 bits.
		u := x.Unscaled
		switch {
		case u == nil:
			return 0, nil
		case x.Scale > 0:
			if int(x.Scale) > len(u.String()) {
				return 0, nil // |x| < 1
			}
			u = new(big.Int).Quo(u, new(big.Int).Exp(bigTen, big.NewInt(int64(x.Scale)), nil))
		case x.Scale < 0:
			if -x.Scale >= 64 {
				return 0, nil // a multiple of 10^64, so of 2^64
			}
			u = new(big.Int).Mul(u, new(big.Int).Exp(bigTen, big.NewInt(int64(-x.Scale)), nil))
		}
		return u.Int64(), nil // big.Int.Int64 keeps the low 64 bits
	}
	return 0, fmt.Errorf("Unable to convert %v (%T) to a number", v, v)
}

// javaLong is Java's (long) cast of a double.
func javaLong(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

func asDouble(v any) (float64, error) {
	switch x := v.(type) {
	case float32:
		return float64(x), nil
	case float64:
		return x, nil
	case connect.Decimal:
		return x.Float64(), nil
	}
	n, err := asLong(v)
	return float64(n), err
}
