package formats

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats/javatext"
)

// Quoting says how AppendQuoted escapes what JSON leaves to the writer. Producers differ there,
// and byte-compatible output has to follow each: the zero value escapes every control character
// as \u00xx and writes invalid UTF-8 as the escape \ufffd.
type Quoting uint8

// Quoting flags.
const (
	// QuoteNamedControls writes backspace and form feed as \b and \f, as Jackson and the CDC
	// producers do, rather than as \u0008 and \u000c (encoding/json).
	QuoteNamedControls Quoting = 1 << iota
	// QuoteUpperHex writes the \u00XX escapes with upper-case hex digits, as Jackson does.
	QuoteUpperHex
	// QuoteInvalidRaw writes each byte of invalid UTF-8 as the character U+FFFD itself rather
	// than as the escape \ufffd.
	QuoteInvalidRaw
	// QuoteLineSeparators escapes U+2028 and U+2029, which break JavaScript parsers, as
	// encoding/json does.
	QuoteLineSeparators
)

// Quoting styles.
const (
	// QuoteGo is encoding/json's quoting without its HTML escapes: AppendJSON's.
	QuoteGo = QuoteLineSeparators
	// QuoteJackson is Jackson's: Kafka's JsonConverter and Flink's JSON formats. A Java string
	// cannot hold invalid UTF-8, so it has become U+FFFD before Jackson sees it.
	QuoteJackson = QuoteNamedControls | QuoteUpperHex | QuoteInvalidRaw
)

const (
	lowerHex = "0123456789abcdef"
	upperHex = "0123456789ABCDEF"
)

// AppendQuoted appends s as a JSON string: '"' and '\' escaped with a backslash, \n \r \t by
// name, other control characters as q says, everything else ('/', '<', '>', '&' and non-ASCII)
// as it is. Each byte of invalid UTF-8 becomes U+FFFD.
func AppendQuoted[T string | []byte](dst []byte, s T, q Quoting) []byte {
	hex := lowerHex
	if q&QuoteUpperHex != 0 {
		hex = upperHex
	}
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c == '\b' && q&QuoteNamedControls != 0:
				dst = append(dst, '\\', 'b')
			case c == '\f' && q&QuoteNamedControls != 0:
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		// At most 4 bytes: converting them to a string does not allocate.
		r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			if q&QuoteInvalidRaw != 0 {
				dst = append(dst, "\ufffd"...)
			} else {
				dst = append(dst, `\ufffd`...)
			}
		case (r == '\u2028' || r == '\u2029') && q&QuoteLineSeparators != 0:
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendJSONFloat appends f, a float64 or (bits 32) a float32, as JSON the way Jackson writes
// it: Java's digits (javatext), and NaN and the infinities as strings (Jackson's default
// WRITE_NAN_AS_STRINGS), since JSON has no such numbers.
func AppendJSONFloat(dst []byte, f float64, bits int) []byte {
	quote := math.IsNaN(f) || math.IsInf(f, 0)
	if quote {
		dst = append(dst, '"')
	}
	if bits == 32 {
		dst = javatext.AppendFloat(dst, float32(f))
	} else {
		dst = javatext.AppendDouble(dst, f)
	}
	if quote {
		dst = append(dst, '"')
	}
	return dst
}

// RenderStyle says how AppendTextStyle and AppendJSONStyle write what text and JSON leave to
// convention. Its zero value is AppendText's and AppendJSON's style but for Quoting (QuoteGo).
type RenderStyle struct {
	// Quoting is how JSON strings are escaped.
	Quoting Quoting
	// Timestamps is the text form of time.Time values whose schema is not a Date or Time.
	Timestamps TimestampFormat
	// PairMaps writes maps whose keys are not strings as JSON arrays of [key, value] pairs
	// sorted by the key's JSON, as Kafka's JsonConverter does, rather than as objects keyed by
	// the keys' text.
	PairMaps bool
	// StoredFields writes struct fields as they are stored, null when unset, rather than with
	// their schema's default.
	StoredFields bool
	// StrictSchema makes a STRUCT, ARRAY or MAP schema whose value is not a struct, []any or
	// map an error, rather than writing the value by its Go type.
	StrictSchema bool
	// BoolDigits writes booleans as the text 1 and 0, as a MySQL client prints them (text only).
	BoolDigits bool
	// Latin1Bytes writes bytes as text of one ISO-8859-1 character per byte, Canal's convention,
	// rather than in base64 (text only).
	Latin1Bytes bool
}

// LogicalRenderer writes the values a RenderStyle's rules do not cover, such as those of a
// format's own logical types. AppendTextStyle and AppendJSONStyle ask it first about every
// non-null value, nested ones too (s is nil for schemaless ones), with text telling which of
// them asks; when it returns handled false they go on by their own rules.
type LogicalRenderer interface {
	AppendLogical(dst []byte, s *connect.Schema, v any, text bool) (out []byte, handled bool, err error)
}

// NoLogical is the LogicalRenderer that handles nothing.
type NoLogical struct{}

// AppendLogical reports that it handled nothing.
func (NoLogical) AppendLogical(dst []byte, _ *connect.Schema, _ any, _ bool) ([]byte, bool, error) {
	return dst, false, nil
}

// AppendText appends v as text, the way a value is rendered when a column widens to STRING and
// the way text formats write scalars: strings as they are, booleans as true/false, integers in
// decimal, floats as Java writes them (javatext.AppendDouble), decimals in plain notation, bytes
// in base64, time.Time as a SQL timestamp, and arrays, maps and structs as JSON (AppendJSON).
// The schema, when known, picks the text of a Date (yyyy-MM-dd) or Time (HH:mm:ss) value.
func AppendText(dst []byte, v any, schema *connect.Schema) ([]byte, error) {
	return AppendTextStyle(dst, v, schema, RenderStyle{Quoting: QuoteGo}, NoLogical{})
}

// AppendJSON appends v as JSON: structs as objects in field order, maps with their keys sorted,
// decimals as plain numbers, bytes in base64, dates, times and timestamps as strings (ISO
// yyyy-MM-dd, HH:mm:ss, SQL timestamp), floats as Java writes them (NaN and infinities as
// strings, since JSON has no such numbers). schema may be nil.
func AppendJSON(dst []byte, v any, schema *connect.Schema) ([]byte, error) {
	return AppendJSONStyle(dst, v, schema, RenderStyle{Quoting: QuoteGo}, NoLogical{})
}

// AppendTextStyle is AppendText in style st, asking lr first about every value; nested values
// are written with AppendJSONStyle.
func AppendTextStyle[L LogicalRenderer](dst []byte, v any, s *connect.Schema, st RenderStyle, lr L) ([]byte, error) {
	if v != nil {
		out, ok, err := lr.AppendLogical(dst, s, v, true)
		if err != nil {
			return nil, err
		}
		if ok {
			return out, nil
		}
	}
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return append(dst, x...), nil
	case bool:
		if !st.BoolDigits {
			return strconv.AppendBool(dst, x), nil
		}
		if x {
			return append(dst, '1'), nil
		}
		return append(dst, '0'), nil
	case float32:
		return javatext.AppendFloat(dst, x), nil
	case float64:
		return javatext.AppendDouble(dst, x), nil
	case json.Number:
		return append(dst, x...), nil
	case []byte:
		if !st.Latin1Bytes {
			return base64.StdEncoding.AppendEncode(dst, x), nil
		}
		for _, c := range x {
			if c < 0x80 {
				dst = append(dst, c)
			} else {
				dst = append(dst, 0xC0|c>>6, 0x80|c&0x3F)
			}
		}
		return dst, nil
	case time.Time:
		return appendTimeText(dst, x, s, st), nil
	}
	if out, ok := appendNumber(dst, v); ok {
		return out, nil
	}
	return AppendJSONStyle(dst, v, s, st, lr)
}

// appendNumber appends integers, decimals and big integers in decimal.
func appendNumber(dst []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case int8:
		return strconv.AppendInt(dst, int64(x), 10), true
	case int16:
		return strconv.AppendInt(dst, int64(x), 10), true
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), true
	case int64:
		return strconv.AppendInt(dst, x, 10), true
	case int:
		return strconv.AppendInt(dst, int64(x), 10), true
	case uint8:
		return strconv.AppendUint(dst, uint64(x), 10), true
	case uint16:
		return strconv.AppendUint(dst, uint64(x), 10), true
	case uint32:
		return strconv.AppendUint(dst, uint64(x), 10), true
	case uint64:
		return strconv.AppendUint(dst, x, 10), true
	case uint:
		return strconv.AppendUint(dst, uint64(x), 10), true
	case connect.Decimal:
		return AppendDecimal(dst, x), true
	case *big.Int:
		return x.Append(dst, 10), true
	}
	return dst, false
}

// appendTimeText writes a Date as yyyy-MM-dd, a Time as HH:mm:ss[.f] and any other time.Time
// as a timestamp in st.Timestamps.
func appendTimeText(dst []byte, t time.Time, s *connect.Schema, st RenderStyle) []byte {
	if s != nil {
		switch s.Name {
		case connect.DateName:
			return AppendDate(dst, t)
		case connect.TimeName:
			return AppendTime(dst, t)
		}
	}
	return AppendTimestamp(dst, t, st.Timestamps)
}

// AppendJSONStyle is AppendJSON in style st, asking lr first about every non-null value.
func AppendJSONStyle[L LogicalRenderer](dst []byte, v any, s *connect.Schema, st RenderStyle, lr L) ([]byte, error) {
	if v == nil {
		return append(dst, "null"...), nil
	}
	out, ok, err := lr.AppendLogical(dst, s, v, false)
	if err != nil {
		return nil, err
	}
	if ok {
		return out, nil
	}
	if st.StrictSchema && s != nil && !fitsContainer(s, v) {
		return nil, fmt.Errorf("value %T does not fit %s", v, s)
	}
	switch x := v.(type) {
	case string:
		return AppendQuoted(dst, x, st.Quoting), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case json.Number:
		if x == "" {
			return append(dst, '0'), nil
		}
		return append(dst, x...), nil
	case float32:
		return AppendJSONFloat(dst, float64(x), 32), nil
	case float64:
		return AppendJSONFloat(dst, x, 64), nil
	case []byte:
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, x)
		return append(dst, '"'), nil
	case time.Time:
		dst = append(dst, '"')
		dst = appendTimeText(dst, x, s, st)
		return append(dst, '"'), nil
	case *connect.Struct:
		dst = append(dst, '{')
		for i, f := range x.Schema().Fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendQuoted(dst, f.Name, st.Quoting)
			dst = append(dst, ':')
			fv := x.RawIndex(i)
			if !st.StoredFields {
				fv = x.GetIndex(i)
			}
			var err error
			if dst, err = AppendJSONStyle(dst, fv, f.Schema, st, lr); err != nil {
				return nil, fmt.Errorf("field %s: %w", f.Name, err)
			}
		}
		return append(dst, '}'), nil
	case []any:
		var es *connect.Schema
		if s != nil {
			es = s.ValueSchema
		}
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = AppendJSONStyle(dst, e, es, st, lr); err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
		}
		return append(dst, ']'), nil
	case map[string]any:
		var vs *connect.Schema
		if s != nil {
			vs = s.ValueSchema
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendQuoted(dst, k, st.Quoting)
			dst = append(dst, ':')
			var err error
			if dst, err = AppendJSONStyle(dst, x[k], vs, st, lr); err != nil {
				return nil, fmt.Errorf("key %q: %w", k, err)
			}
		}
		return append(dst, '}'), nil
	case map[any]any:
		return appendAnyMapJSON(dst, x, s, st, lr)
	}
	if out, ok := appendNumber(dst, v); ok {
		return out, nil
	}
	return nil, fmt.Errorf("cannot render %T as JSON", v)
}

// fitsContainer reports whether v has the Go type of a STRUCT, ARRAY or MAP schema s (any
// value fits another schema).
func fitsContainer(s *connect.Schema, v any) bool {
	switch s.Type {
	case connect.TypeStruct:
		_, ok := v.(*connect.Struct)
		return ok
	case connect.TypeArray:
		_, ok := v.([]any)
		return ok
	case connect.TypeMap:
		switch v.(type) {
		case map[string]any, map[any]any:
			return true
		}
		return false
	}
	return true
}

// appendAnyMapJSON writes a map with keys of any type: an object keyed by the keys' text, or
// with st.PairMaps an array of [key, value] pairs.
func appendAnyMapJSON[L LogicalRenderer](dst []byte, m map[any]any, s *connect.Schema, st RenderStyle, lr L) ([]byte, error) {
	var ks, vs *connect.Schema
	if s != nil {
		ks, vs = s.KeySchema, s.ValueSchema
	}
	type entry struct {
		k []byte // the key's text, or with PairMaps its JSON
		v any
	}
	entries := make([]entry, 0, len(m))
	for k, e := range m {
		var kb []byte
		var err error
		if st.PairMaps {
			kb, err = AppendJSONStyle(nil, k, ks, st, lr)
		} else {
			kb, err = AppendTextStyle(nil, k, ks, st, lr)
		}
		if err != nil {
			return nil, err
		}
		entries = append(entries, entry{kb, e})
	}
	slices.SortFunc(entries, func(a, b entry) int { return bytes.Compare(a.k, b.k) })
	first, last := byte('{'), byte('}')
	if st.PairMaps {
		first, last = '[', ']'
	}
	dst = append(dst, first)
	for i, e := range entries {
		if i > 0 {
			dst = append(dst, ',')
		}
		if st.PairMaps {
			dst = append(dst, '[')
			dst = append(dst, e.k...)
			dst = append(dst, ',')
		} else {
			dst = AppendQuoted(dst, e.k, st.Quoting)
			dst = append(dst, ':')
		}
		var err error
		if dst, err = AppendJSONStyle(dst, e.v, vs, st, lr); err != nil {
			return nil, err
		}
		if st.PairMaps {
			dst = append(dst, ']')
		}
	}
	return append(dst, last), nil
}
