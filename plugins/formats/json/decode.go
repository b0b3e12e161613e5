package jsonformat

import (
	"encoding/base64"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// Decoder reads JSON into Connect values as Kafka's JsonConverter does. With a schema, each
// JSON value must fit its schema type; without one the type is inferred: integral numbers
// become int64, other numbers float64, objects map[string]any, arrays []any. It walks the
// input once, building values straight from the tokens. A Decoder is safe for concurrent use.
//
// Where Kafka silently coerces a value that does not fit (a string where a number belongs reads
// as 0, an integer too large for its type wraps around), the decoder reports a conversion
// error instead.
type Decoder struct {
	opts Options
}

// NewDecoder returns a decoder with the given options.
func NewDecoder(opts Options) *Decoder { return &Decoder{opts: opts} }

// Decode reads one JSON document as a value of schema (nil to infer the type). Input holding
// only whitespace reads as null, as Jackson reads it as a missing value. The error is a
// *SyntaxError for malformed JSON, otherwise a conversion error naming the field.
func (d *Decoder) Decode(data []byte, schema *connect.Schema) (any, error) {
	s := scanner{data: data}
	s.skipWS()
	if s.eof() {
		return d.null(schema)
	}
	v, err := d.value(&s, schema)
	if err == nil {
		err = s.endOfDocument()
	}
	if err != nil {
		return nil, syntaxFirst(data, err)
	}
	return v, nil
}

// syntaxFirst orders errors as Kafka does: Jackson parses the whole document before anything
// is converted, so a syntax error anywhere wins over a conversion error.
func syntaxFirst(data []byte, err error) error {
	var ce *convError
	if errors.As(err, &ce) {
		if serr := validate(data); serr != nil {
			return serr
		}
	}
	return err
}

func (d *Decoder) value(s *scanner, sch *connect.Schema) (any, error) {
	c, err := s.next("a value")
	if err != nil {
		return nil, err
	}
	if c == 'n' {
		if err := s.literal("null"); err != nil {
			return nil, err
		}
		return d.null(sch)
	}
	if sch == nil {
		return d.anyValue(s, c)
	}
	if sch.Name != "" {
		if lt := logicalOf(sch.Name); lt != notLogical {
			return d.logical(s, sch, lt, c)
		}
	}
	switch sch.Type {
	case connect.TypeBoolean:
		switch c {
		case 't':
			return true, s.literal("true")
		case 'f':
			return false, s.literal("false")
		}
	case connect.TypeInt8:
		if isNumberStart(c) {
			n, err := d.integer(s, sch, math.MinInt8, math.MaxInt8)
			return int8(n), err
		}
	case connect.TypeInt16:
		if isNumberStart(c) {
			n, err := d.integer(s, sch, math.MinInt16, math.MaxInt16)
			return int16(n), err
		}
	case connect.TypeInt32:
		if isNumberStart(c) {
			n, err := d.integer(s, sch, math.MinInt32, math.MaxInt32)
			return int32(n), err
		}
	case connect.TypeInt64:
		if isNumberStart(c) {
			return d.integer(s, sch, math.MinInt64, math.MaxInt64)
		}
	case connect.TypeFloat32:
		f, err := d.float(s, sch, c, 32)
		return float32(f), err
	case connect.TypeFloat64:
		return d.float(s, sch, c, 64)
	case connect.TypeString:
		if c == '"' {
			return s.readString()
		}
	case connect.TypeBytes:
		if c == '"' {
			b, err := readBase64(s)
			if err != nil {
				return nil, err
			}
			if b == nil {
				return nil, &convError{msg: "Invalid bytes field", err: errBase64}
			}
			return b, nil
		}
	case connect.TypeArray:
		if c == '[' {
			return d.array(s, sch.ValueSchema)
		}
	case connect.TypeMap:
		return d.mapValue(s, sch, c)
	case connect.TypeStruct:
		if c != '{' {
			return nil, convErrorf("Structs should be encoded as JSON objects, but found %s", nodeType(c))
		}
		return d.structValue(s, sch)
	default:
		return nil, convErrorf("Unknown schema type: %s", sch.Type)
	}
	return d.lenient(s, sch, c)
}

func mismatch(sch *connect.Schema, c byte) error {
	return convErrorf("Invalid JSON %s for a %s value", nodeType(c), typeName(sch))
}

func isNumberStart(c byte) bool { return c == '-' || c >= '0' && c <= '9' }

// null reads a JSON null, or an absent struct field: the schema's default if it has one and
// defaults replace nulls, nil if the schema is optional.
func (d *Decoder) null(sch *connect.Schema) (any, error) {
	switch {
	case sch == nil:
		return nil, nil
	case sch.Default != nil && d.opts.ReplaceNullWithDefault:
		return sch.Default, nil
	case sch.Optional:
		return nil, nil
	}
	return nil, convErrorf("Invalid null value for required %s field", typeName(sch))
}

// anyValue reads a value without a schema.
func (d *Decoder) anyValue(s *scanner, c byte) (any, error) {
	switch c {
	case '{':
		return d.object(s, nil)
	case '[':
		return d.array(s, nil)
	case '"':
		return s.readString()
	case 't':
		return true, s.literal("true")
	case 'f':
		return false, s.literal("false")
	}
	if !isNumberStart(c) {
		return nil, s.unexpected("a value")
	}
	tok, integral, err := s.scanNumber()
	if err != nil {
		return nil, err
	}
	if integral {
		n, ok := parseInt64(tok)
		switch {
		case ok:
			return n, nil
		case d.opts.NumbersAsDecimal:
			return decimalToken(tok)
		case d.opts.Flink:
			// Beyond int64 without a schema: the nearest double, as JavaScript reads it.
			return parseFloat(tok, 64), nil
		}
		return nil, convErrorf("Numeric value (%s) out of range of INT64", tok)
	}
	if d.opts.NumbersAsDecimal {
		return decimalToken(tok)
	}
	return parseFloat(tok, 64), nil
}

// integer reads a number that must be a whole number within [lo, hi]. Kafka truncates a
// fraction and wraps an overflow; both are errors here.
func (d *Decoder) integer(s *scanner, sch *connect.Schema, lo, hi int64) (int64, error) {
	tok, integral, err := s.scanNumber()
	if err != nil {
		return 0, err
	}
	var n int64
	ok := false
	if integral {
		n, ok = parseInt64(tok)
	} else {
		var whole bool
		n, whole, ok = integralValue(tok)
		if !whole {
			return 0, convErrorf("Invalid value %s for a %s value: not a whole number", tok, typeName(sch))
		}
	}
	if !ok || n < lo || n > hi {
		return 0, convErrorf("Numeric value (%s) out of range of %s", tok, typeName(sch))
	}
	return n, nil
}

// float reads a number, or one of the strings Jackson writes for NaN and the infinities.
func (d *Decoder) float(s *scanner, sch *connect.Schema, c byte, bits int) (float64, error) {
	if c == '"' {
		str, err := s.readString()
		if err != nil {
			return 0, err
		}
		switch str {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
		if d.opts.Flink {
			return floatText(str, sch, bits)
		}
		return 0, mismatch(sch, c)
	}
	if !isNumberStart(c) {
		return 0, mismatch(sch, c)
	}
	tok, _, err := s.scanNumber()
	if err != nil {
		return 0, err
	}
	return parseFloat(tok, bits), nil
}

// parseFloat converts a number token already checked by the scanner. Out-of-range values
// become infinities or zero, as Java's conversions do.
func parseFloat(tok []byte, bits int) float64 {
	f, _ := strconv.ParseFloat(string(tok), bits)
	return f
}

// parseInt64 converts an integral number token; ok is false if it does not fit in an int64.
func parseInt64(tok []byte) (int64, bool) {
	neg := tok[0] == '-'
	if neg {
		tok = tok[1:]
	}
	if len(tok) > 19 {
		return 0, false
	}
	var u uint64
	for _, c := range tok {
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// integralValue converts a number token with a fraction or exponent ("12.0", "1.2e3") that
// might still be a whole number: whole reports that, ok that it fits in an int64.
func integralValue(tok []byte) (n int64, whole, ok bool) {
	dec, err := connect.ParseDecimal(string(tok))
	if err != nil {
		return 0, false, false
	}
	if dec.Unscaled.Sign() == 0 {
		return 0, true, true
	}
	// Bound the exponent before rescaling: the token is at most maxNumberLen digits, so a
	// larger scale cannot be whole and a scale below -19 cannot fit.
	if dec.Scale > maxNumberLen {
		return 0, false, false
	}
	if dec.Scale < -19 {
		return 0, true, false
	}
	r, err := dec.Rescale(0)
	if err != nil {
		return 0, false, false
	}
	if !r.Unscaled.IsInt64() {
		return 0, true, false
	}
	return r.Unscaled.Int64(), true, true
}

var errBase64 = errors.New("invalid Base64")

// readBase64 reads a string token holding Base64 (standard alphabet, with or without
// padding). It returns nil bytes, and no error, for text that is not Base64.
func readBase64(s *scanner) ([]byte, error) {
	start, end, escaped, err := s.scanString()
	if err != nil {
		return nil, err
	}
	raw := s.data[start:end]
	if escaped {
		raw = unquote(raw, nil)
	}
	// Unpadded input decodes to more bytes than DecodedLen of the padded encoding allows for.
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(raw)))
	n, err := base64.StdEncoding.Decode(out, raw)
	if err != nil {
		if n, err = base64.RawStdEncoding.Decode(out, raw); err != nil {
			return nil, nil
		}
	}
	return out[:n], nil
}

func (d *Decoder) array(s *scanner, elem *connect.Schema) ([]any, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	s.pos++
	c, err := s.next("a value or ']'")
	if err != nil {
		return nil, err
	}
	if c == ']' {
		s.pos++
		s.depth--
		return []any{}, nil
	}
	var out []any
	for i := 0; ; i++ {
		v, err := d.value(s, elem)
		if err != nil {
			return nil, inIndex(err, i)
		}
		out = append(out, v)
		more, err := s.more(']')
		if err != nil {
			return nil, err
		}
		if !more {
			return out, nil
		}
	}
}

func (d *Decoder) mapValue(s *scanner, sch *connect.Schema, c byte) (any, error) {
	if ks := sch.KeySchema; ks == nil || ks.Type == connect.TypeString {
		if c != '{' {
			return nil, convErrorf("Maps with string fields should be encoded as JSON objects, but found %s", nodeType(c))
		}
		return d.object(s, sch.ValueSchema)
	}
	if d.opts.Flink && c == '{' {
		return d.keyedObject(s, sch.KeySchema, sch.ValueSchema)
	}
	if c != '[' {
		return nil, convErrorf("Maps with non-string fields should be encoded as JSON array of tuples, but found %s", nodeType(c))
	}
	return d.pairs(s, sch.KeySchema, sch.ValueSchema)
}

// member is an object member read but not yet stored.
type member struct {
	key string
	val any
}

// object reads a JSON object into a string-keyed map; a repeated key keeps its last value, as
// Jackson's ObjectNode does. Members are collected first so that the map is made once at its
// final size: growing a map past eight entries costs more than the rest of the decoding.
func (d *Decoder) object(s *scanner, vs *connect.Schema) (map[string]any, error) {
	var small [16]member
	members := small[:0]
	err := s.fields(func() error {
		k, err := s.readString()
		if err != nil {
			return err
		}
		if err := s.colon(); err != nil {
			return err
		}
		v, err := d.value(s, vs)
		if err != nil {
			return inField(err, k)
		}
		members = append(members, member{k, v})
		return nil
	})
	if err != nil {
		return nil, err
	}
	m := make(map[string]any, len(members))
	for _, mb := range members {
		m[mb.key] = mb.val
	}
	return m, nil
}

// pairs reads a map with non-string keys, written as an array of [key, value] arrays.
func (d *Decoder) pairs(s *scanner, ks, vs *connect.Schema) (map[any]any, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	s.pos++
	m := make(map[any]any)
	c, err := s.next("a map entry or ']'")
	if err != nil {
		return nil, err
	}
	if c == ']' {
		s.pos++
		s.depth--
		return m, nil
	}
	for i := 0; ; i++ {
		if c != '[' {
			return nil, inIndex(convErrorf("Found invalid map entry instead of array tuple: %s", nodeType(c)), i)
		}
		k, v, err := d.pair(s, ks, vs)
		if err != nil {
			return nil, inIndex(err, i)
		}
		switch k.(type) {
		case []byte, []any, map[string]any, map[any]any:
			return nil, inIndex(convErrorf("Map key of type %T cannot be a Go map key", k), i)
		}
		m[k] = v
		more, err := s.more(']')
		if err != nil {
			return nil, err
		}
		if !more {
			return m, nil
		}
		if c, err = s.next("a map entry"); err != nil {
			return nil, err
		}
	}
}

// pair reads one [key, value] map entry.
func (d *Decoder) pair(s *scanner, ks, vs *connect.Schema) (k, v any, err error) {
	if err := s.enter(); err != nil {
		return nil, nil, err
	}
	s.pos++
	c, err := s.next("a value or ']'")
	if err != nil {
		return nil, nil, err
	}
	n := 0
	if c == ']' {
		s.pos++
		s.depth--
	} else {
		for more := true; more; n++ {
			switch n {
			case 0:
				k, err = d.value(s, ks)
			case 1:
				v, err = d.value(s, vs)
			default:
				err = s.skipValue()
			}
			if err != nil {
				return nil, nil, err
			}
			if more, err = s.more(']'); err != nil {
				return nil, nil, err
			}
		}
	}
	if n != 2 {
		return nil, nil, convErrorf("Found invalid map entry, expected length 2 but found :%d", n)
	}
	return k, v, nil
}

// structValue reads a JSON object into a struct. Fields come in any order; unknown fields are
// skipped; a missing field reads as null (so its default, if it has one); a repeated field
// keeps its last value.
func (d *Decoder) structValue(s *scanner, sch *connect.Schema) (*connect.Struct, error) {
	st := connect.NewStruct(sch)
	fields := sch.Fields
	var seenSmall [64]bool
	var seen []bool
	if len(fields) <= len(seenSmall) {
		seen = seenSmall[:len(fields)]
	} else {
		seen = make([]bool, len(fields))
	}
	hint := 0
	err := s.fields(func() error {
		start, end, escaped, err := s.scanString()
		if err != nil {
			return err
		}
		key := s.data[start:end]
		if escaped {
			key = unquote(key, nil)
		}
		if err := s.colon(); err != nil {
			return err
		}
		i := findField(sch, key, hint)
		if i < 0 {
			return s.skipValue()
		}
		f := &fields[i]
		v, err := d.value(s, f.Schema)
		if err != nil {
			return inField(err, f.Name)
		}
		if err := st.PutIndex(i, v); err != nil {
			return inField(&convError{msg: "Invalid value", err: err}, f.Name)
		}
		seen[i] = true
		hint = i + 1
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, ok := range seen {
		if ok {
			continue
		}
		f := &fields[i]
		if d.opts.FailOnMissingField {
			return nil, convErrorf("Could not find field with name '%s'.", f.Name)
		}
		v, err := d.null(f.Schema)
		if err != nil {
			return nil, inField(err, f.Name)
		}
		if v != nil {
			if err := st.PutIndex(i, v); err != nil {
				return nil, inField(&convError{msg: "Invalid value", err: err}, f.Name)
			}
		}
	}
	return st, nil
}

// findField returns the index of the field called key, trying hint first: JSON written from a
// struct lists the fields in schema order, so the next field is usually the one after the last.
func findField(sch *connect.Schema, key []byte, hint int) int {
	fs := sch.Fields
	if hint < len(fs) && fs[hint].Name == string(key) {
		return hint
	}
	if len(fs) > 16 {
		if f := sch.Field(string(key)); f != nil {
			if f.Index >= 0 && f.Index < len(fs) && fs[f.Index].Name == f.Name {
				return f.Index
			}
		} else {
			return -1
		}
	}
	for i := range fs {
		if fs[i].Name == string(key) {
			return i
		}
	}
	return -1
}

// logical reads a Decimal, Date, Time or Timestamp; Kafka picks the conversion by schema name.
func (d *Decoder) logical(s *scanner, sch *connect.Schema, lt logicalType, c byte) (any, error) {
	if d.opts.Flink && (c == '"' || lt == logicalDecimal && isNumberStart(c)) {
		return d.textLogical(s, sch, lt)
	}
	switch lt {
	case logicalDecimal:
		if c == '"' {
			b, err := readBase64(s)
			if err != nil {
				return nil, err
			}
			if len(b) == 0 {
				// Java's BigInteger rejects empty input; Base64 that does not decode fails too.
				return nil, &convError{msg: "Invalid bytes for Decimal field", err: errBase64}
			}
			scale, err := decimalScale(sch)
			if err != nil {
				return nil, &convError{msg: "Invalid bytes for Decimal field", err: err}
			}
			return connect.DecimalFromBytes(b, scale), nil
		}
		if !isNumberStart(c) {
			return nil, convErrorf("Invalid type for Decimal, underlying representation should be numeric or bytes but was %s", nodeType(c))
		}
		tok, _, err := s.scanNumber()
		if err != nil {
			return nil, err
		}
		dec, err := connect.ParseDecimal(string(tok))
		if err != nil {
			return nil, &convError{msg: "Invalid numeric Decimal value", err: err}
		}
		return dec, nil
	case logicalDate, logicalTime:
		name := logicalNames[lt]
		if !isNumberStart(c) {
			return nil, convErrorf("Invalid type for %s, underlying representation should be integer but was %s", name, nodeType(c))
		}
		tok, integral, err := s.scanNumber()
		if err != nil {
			return nil, err
		}
		n, ok := parseInt64(tok)
		if !integral || !ok || n < math.MinInt32 || n > math.MaxInt32 {
			return nil, convErrorf("Invalid type for %s, underlying representation should be integer but was NUMBER", name)
		}
		if lt == logicalDate {
			return connect.DaysToDate(int32(n)), nil
		}
		if n < 0 || n > msPerDay {
			return nil, convErrorf("Time values must use number of milliseconds greater than 0 and less than 86400000")
		}
		return time.UnixMilli(n).UTC(), nil
	default: // logicalTimestamp
		if !isNumberStart(c) {
			return nil, convErrorf("Invalid type for Timestamp, underlying representation should be integral but was %s", nodeType(c))
		}
		tok, integral, err := s.scanNumber()
		if err != nil {
			return nil, err
		}
		if !integral {
			return nil, convErrorf("Invalid type for Timestamp, underlying representation should be integral but was NUMBER")
		}
		n, ok := parseInt64(tok)
		if !ok {
			return nil, convErrorf("Numeric value (%s) out of range of INT64", tok)
		}
		return time.UnixMilli(n).UTC(), nil
	}
}
