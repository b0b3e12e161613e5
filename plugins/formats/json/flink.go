package jsonformat

import (
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
	"github.com/raftconnect/raftconnect/plugins/formats/javatext"
)

// This file holds the value rules of Flink's json format (Options.Flink) that differ from
// Kafka's: see the package documentation for the table.

// LocalTimeZoneParameter marks a Timestamp schema as Flink's TIMESTAMP_LTZ (TIMESTAMP WITH LOCAL
// TIME ZONE) when its value is "true": the json format writes such a timestamp with a trailing
// 'Z' and reads a zoned value into it converted to UTC. It is formats.LocalTimeZoneParameter,
// which json.schema sets for columns declared TIMESTAMP_LTZ or TIMESTAMP WITH [LOCAL] TIME ZONE.
const LocalTimeZoneParameter = formats.LocalTimeZoneParameter

// IsLocalTimeZone reports whether s is a Timestamp schema marked as TIMESTAMP_LTZ.
func IsLocalTimeZone(s *connect.Schema) bool { return formats.IsLocalTimeZone(s) }

// maxPlainScale bounds the zeros a plain decimal may need: beyond it the decimal is written with
// an exponent, so that no value turns into megabytes of zeros (Jackson refuses such scales).
const maxPlainScale = 10000

// numericDecimal writes a Decimal as a JSON number. With Flink the number loses its trailing
// zeros first, as Flink's Jackson node factory strips them (DECIMAL(10,2) 1.50 is written 1.5,
// and 100.00 is 1E+2 unless DecimalPlain); otherwise it keeps its scale, as Kafka's NUMERIC does.
func (e *Encoder) numericDecimal(dst []byte, d connect.Decimal) []byte {
	if !e.opts.Flink && !e.opts.DecimalPlain {
		return javatext.AppendBigDecimal(dst, d)
	}
	return appendDecimalText(dst, d, e.opts.Flink, e.opts.DecimalPlain)
}

// appendDecimalText writes d as Java's BigDecimal.toString (plain false) or toPlainString (plain
// true), after stripTrailingZeros when strip is set (zero then becomes 0, Jackson's
// DecimalNode.ZERO). Decimals whose unscaled value fits an int64 are written without allocating.
func appendDecimalText(dst []byte, d connect.Decimal, strip, plain bool) []byte {
	var buf [24]byte
	var digits []byte
	neg := false
	scale := int64(d.Scale)
	switch u := d.Unscaled; {
	case u == nil || u.Sign() == 0:
		if strip {
			return append(dst, '0')
		}
		digits = append(buf[:0], '0')
	case u.IsInt64():
		v := u.Int64()
		neg = v < 0
		abs := uint64(v)
		if neg {
			abs = -abs // MinInt64 wraps to 1<<63, its absolute value
		}
		digits = strconv.AppendUint(buf[:0], abs, 10)
	default:
		neg = u.Sign() < 0
		digits = new(big.Int).Abs(u).Append(buf[:0], 10)
	}
	if strip {
		for len(digits) > 1 && digits[len(digits)-1] == '0' {
			digits = digits[:len(digits)-1]
			scale--
		}
	}
	if neg {
		dst = append(dst, '-')
	}
	n := int64(len(digits))
	adjusted := -scale + n - 1
	if plain && scale >= -maxPlainScale && scale <= maxPlainScale || !plain && scale >= 0 && adjusted >= -6 {
		switch {
		case scale <= 0:
			dst = append(dst, digits...)
			if len(digits) == 1 && digits[0] == '0' {
				return dst // toPlainString writes 0E+3 as 0
			}
			for ; scale < 0; scale++ {
				dst = append(dst, '0')
			}
			return dst
		case n > scale:
			dst = append(dst, digits[:n-scale]...)
			dst = append(dst, '.')
			return append(dst, digits[n-scale:]...)
		}
		dst = append(dst, '0', '.')
		for k := n; k < scale; k++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[0])
	if n > 1 {
		dst = append(dst, '.')
		dst = append(dst, digits[1:]...)
	}
	dst = append(dst, 'E')
	if adjusted > 0 {
		dst = append(dst, '+')
	}
	return strconv.AppendInt(dst, adjusted, 10)
}

// textLogical writes a Decimal as a number and a Date, Time or Timestamp as Flink's text:
// yyyy-MM-dd, HH:mm:ss[.fraction], and the timestamp in Options.TimestampFormat (with a
// trailing 'Z' for TIMESTAMP_LTZ), all in UTC with as many fraction digits as the value needs.
func (e *Encoder) textLogical(dst []byte, s *connect.Schema, lt logicalType, v any) ([]byte, error) {
	if lt == logicalDecimal {
		d, ok := v.(connect.Decimal)
		if !ok {
			return dst, convErrorf("Invalid type for Decimal, expected connect.Decimal but was %T", v)
		}
		return e.numericDecimal(dst, d), nil
	}
	t, ok := v.(time.Time)
	if !ok {
		return dst, convErrorf("Invalid type for %s, expected time.Time but was %T", logicalNames[lt], v)
	}
	dst = append(dst, '"')
	switch lt {
	case logicalDate:
		if t.UnixMilli()%msPerDay != 0 || t.Nanosecond()%1e6 != 0 {
			return dst, convErrorf("Kafka Connect Date type should not have any time fields set to non-zero values.")
		}
		dst = formats.AppendDate(dst, t)
	case logicalTime:
		if ms := t.UnixMilli(); ms < 0 || ms >= msPerDay {
			return dst, convErrorf("Kafka Connect Time type should not have any date fields set to non-zero values.")
		}
		dst = formats.AppendTime(dst, t)
	default:
		if IsLocalTimeZone(s) {
			dst = formats.AppendTimestampLTZ(dst, t, e.opts.TimestampFormat)
		} else {
			dst = formats.AppendTimestamp(dst, t, e.opts.TimestampFormat)
		}
	}
	return append(dst, '"'), nil
}

// textLogical reads a Decimal from a number or a string, and a Date, Time or Timestamp from its
// text (numbers take Kafka's path: days, milliseconds of the day, epoch milliseconds).
// Timestamps must use the separator of Options.TimestampFormat. A TIMESTAMP_LTZ may end in a
// zone (Z, ±HH:mm), which converts the value to UTC; a TIMESTAMP is a wall clock and refuses an
// offset other than zero, as Flink does, rather than shift it.
func (d *Decoder) textLogical(s *scanner, sch *connect.Schema, lt logicalType) (any, error) {
	var text string
	if s.data[s.pos] == '"' {
		str, err := s.readString()
		if err != nil {
			return nil, err
		}
		text = str
	} else {
		tok, _, err := s.scanNumber()
		if err != nil {
			return nil, err
		}
		text = string(tok)
	}
	var t time.Time
	var err error
	switch lt {
	case logicalDecimal:
		return decimalText(strings.TrimSpace(text), sch)
	case logicalDate:
		t, err = formats.ParseDate(text)
	case logicalTime:
		t, err = formats.ParseTime(text)
	default:
		if IsLocalTimeZone(sch) {
			t, err = formats.ParseTimestamp(text, d.opts.TimestampFormat)
		} else {
			t, err = formats.ParseTimestampNoZone(text, d.opts.TimestampFormat)
		}
	}
	if err != nil {
		return nil, &convError{msg: "Invalid " + logicalNames[lt] + " value", err: err}
	}
	return t, nil
}

// decimalText parses decimal text exactly into the schema's scale: more fraction digits than the
// scale, or more digits than a "connect.decimal.precision" parameter allows, is an error rather
// than a rounded value.
func decimalText(text string, sch *connect.Schema) (any, error) {
	scale, err := decimalScale(sch)
	if err != nil {
		return nil, err
	}
	dec, err := formats.ParseDecimalScale(text, scale)
	if err != nil {
		return nil, &convError{msg: "Invalid Decimal value", err: err}
	}
	if p, ok := formats.DecimalPrecision(sch); ok && formats.DecimalDigits(dec) > p {
		return nil, convErrorf("Decimal %s does not fit DECIMAL(%d,%d)", text, p, scale)
	}
	return dec, nil
}

// decimalToken reads a number token as an exact Decimal with the token's own scale. Plain
// tokens of up to 18 significant digits, most numbers, take a path that allocates only the
// big.Int.
func decimalToken(tok []byte) (any, error) {
	if d, ok := plainDecimalToken(tok); ok {
		return d, nil
	}
	dec, err := connect.ParseDecimal(string(tok))
	if err != nil {
		return nil, &convError{msg: "Invalid number", err: err}
	}
	return dec, nil
}

// plainDecimalToken parses a number token without an exponent whose significant digits fit an
// int64; ok is false for any other token. The scanner has checked the token's grammar.
func plainDecimalToken(tok []byte) (connect.Decimal, bool) {
	i, neg := 0, false
	if len(tok) > 0 && tok[0] == '-' {
		neg, i = true, 1
	}
	var v int64
	sig, frac, dot := 0, 0, false
	for ; i < len(tok); i++ {
		c := tok[i]
		switch {
		case c == '.':
			dot = true
			continue
		case c < '0' || c > '9':
			return connect.Decimal{}, false
		}
		if dot {
			frac++
		}
		if sig > 0 || c != '0' {
			if sig++; sig > 18 {
				return connect.Decimal{}, false
			}
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return connect.Decimal{Unscaled: big.NewInt(v), Scale: int32(frac)}, true
}

// lenient reads, with Options.Flink, a value whose JSON kind does not match its schema the way
// Flink does: a number or boolean written as a string, and anything at all as a STRING (numbers
// as their token, objects and arrays as their compact JSON text). Without Flink, and for other
// mismatches, it is Kafka's error.
func (d *Decoder) lenient(s *scanner, sch *connect.Schema, c byte) (any, error) {
	if !d.opts.Flink {
		return nil, mismatch(sch, c)
	}
	if sch.Type == connect.TypeString {
		switch {
		case c == '{' || c == '[':
			start := s.pos
			if err := s.skipValue(); err != nil {
				return nil, err
			}
			return string(compactJSON(make([]byte, 0, s.pos-start), s.data[start:s.pos])), nil
		case c == 't':
			return "true", s.literal("true")
		case c == 'f':
			return "false", s.literal("false")
		case isNumberStart(c):
			tok, _, err := s.scanNumber()
			return string(tok), err
		}
		return nil, mismatch(sch, c)
	}
	if c != '"' {
		return nil, mismatch(sch, c)
	}
	str, err := s.readString()
	if err != nil {
		return nil, err
	}
	text := strings.TrimSpace(str)
	switch sch.Type {
	case connect.TypeBoolean:
		switch {
		case strings.EqualFold(text, "true"):
			return true, nil
		case strings.EqualFold(text, "false"):
			return false, nil
		}
	case connect.TypeInt8, connect.TypeInt16, connect.TypeInt32, connect.TypeInt64:
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			break
		}
		switch sch.Type {
		case connect.TypeInt8:
			if n >= math.MinInt8 && n <= math.MaxInt8 {
				return int8(n), nil
			}
		case connect.TypeInt16:
			if n >= math.MinInt16 && n <= math.MaxInt16 {
				return int16(n), nil
			}
		case connect.TypeInt32:
			if n >= math.MinInt32 && n <= math.MaxInt32 {
				return int32(n), nil
			}
		default:
			return n, nil
		}
		return nil, convErrorf("Numeric value (%s) out of range of %s", text, typeName(sch))
	}
	return nil, convErrorf("Invalid value %q for a %s value", str, typeName(sch))
}

// floatText parses a FLOAT or DOUBLE written as a string, as Java's parseFloat/parseDouble do:
// surrounding spaces are ignored and a value out of range is an infinity.
func floatText(str string, sch *connect.Schema, bits int) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(str), bits)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, convErrorf("Invalid value %q for a %s value", str, typeName(sch))
	}
	return f, nil
}

// keyedObject reads a JSON object as a map whose keys are not strings: each field name is read
// as text of the key schema (formats.Coerce: "12" for INT, "2020-12-30" for a Date, ...).
func (d *Decoder) keyedObject(s *scanner, ks, vs *connect.Schema) (map[any]any, error) {
	m := make(map[any]any)
	err := s.fields(func() error {
		name, err := s.readString()
		if err != nil {
			return err
		}
		if err := s.colon(); err != nil {
			return err
		}
		k, err := formats.Coerce(ks, name)
		if err != nil {
			return inKey(&convError{msg: "Invalid map key", err: err}, strconv.Quote(name))
		}
		switch k.(type) {
		case []byte, []any, map[string]any, map[any]any:
			return inKey(convErrorf("Map key of type %T cannot be a Go map key", k), strconv.Quote(name))
		}
		v, err := d.value(s, vs)
		if err != nil {
			return inKey(err, strconv.Quote(name))
		}
		m[k] = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// compactJSON appends well-formed JSON without the whitespace between its tokens, the way
// Jackson's JsonNode.toString writes a node that Flink reads into a STRING column.
func compactJSON(dst, raw []byte) []byte {
	inString := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case inString:
			dst = append(dst, c)
			if c == '\\' {
				i++
				dst = append(dst, raw[i])
			} else if c == '"' {
				inString = false
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			dst = append(dst, c)
			inString = c == '"'
		}
	}
	return dst
}
