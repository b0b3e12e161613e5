package formats

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// DecimalPrecisionParameter is the schema parameter that carries a Decimal's precision, as
// Debezium and Confluent's AvroConverter write it (Kafka's Decimal itself has only a scale).
const DecimalPrecisionParameter = "connect.decimal.precision"

// DecimalPrecision returns the precision recorded in a Decimal schema's
// "connect.decimal.precision" parameter, and whether there is one.
func DecimalPrecision(s *connect.Schema) (int, bool) {
	if s == nil {
		return 0, false
	}
	p, ok := s.Parameters[DecimalPrecisionParameter]
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(p)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// DecimalDigits returns the number of significant digits of d's unscaled value (1 for zero).
func DecimalDigits(d connect.Decimal) int {
	if d.Unscaled == nil || d.Unscaled.Sign() == 0 {
		return 1
	}
	if d.Unscaled.IsInt64() {
		v := d.Unscaled.Int64()
		if v < 0 {
			if v == math.MinInt64 {
				return 19
			}
			v = -v
		}
		n := 1
		for v >= 10 {
			v /= 10
			n++
		}
		return n
	}
	return len(new(big.Int).Abs(d.Unscaled).String())
}

// maxDecimalDigits bounds the digits a rescale may create when the schema gives no precision:
// far beyond any database's DECIMAL, and small enough that hostile input ("1e999999999")
// cannot make the big-integer arithmetic run for minutes.
const maxDecimalDigits = 1000

// RescaleDecimal is connect.Decimal.Rescale guarded against input that would make it compute
// numbers with millions of digits: it fails, without computing, when the result would have more
// than maxDigits digits or when the scales are so far apart that only zero could be exact.
func RescaleDecimal(d connect.Decimal, scale int32, maxDigits int) (connect.Decimal, error) {
	if d.Unscaled == nil || d.Unscaled.Sign() == 0 {
		return connect.Decimal{Unscaled: new(big.Int), Scale: scale}, nil
	}
	diff := int64(scale) - int64(d.Scale)
	digits := int64(DecimalDigits(d))
	switch {
	case diff > 0 && digits+diff > int64(maxDigits):
		return connect.Decimal{}, fmt.Errorf("decimal %s has more than %d digits at scale %d", DecimalString(d), maxDigits, scale)
	case diff < 0 && -diff > digits:
		return connect.Decimal{}, fmt.Errorf("decimal %s cannot be rescaled to scale %d without rounding", DecimalString(d), scale)
	}
	return d.Rescale(scale)
}

// RoundDecimal rescales d to scale, rounding half away from zero as Java's HALF_UP does, and
// reports whether the result has at most precision digits (precision ≤ 0: unbounded).
func RoundDecimal(d connect.Decimal, scale int32, precision int) (connect.Decimal, bool) {
	if d.Unscaled == nil {
		d.Unscaled = new(big.Int)
	}
	if scale >= d.Scale {
		r, _ := d.Rescale(scale)
		return r, precision <= 0 || DecimalDigits(r) <= precision
	}
	div := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale-scale)), nil)
	q, rem := new(big.Int).QuoRem(d.Unscaled, div, new(big.Int))
	rem.Abs(rem).Lsh(rem, 1)
	if rem.Cmp(div) >= 0 {
		if d.Unscaled.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	r := connect.Decimal{Unscaled: q, Scale: scale}
	return r, precision <= 0 || DecimalDigits(r) <= precision
}

// pow10 holds the powers of ten that fit an int64.
var pow10 = [19]int64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// ParseDecimalScale parses decimal text ("-12.5", "1.5E+3") into a Decimal of exactly the given
// scale, failing rather than rounding when the text has more fraction digits. Plain numbers of up
// to 18 digits take a path without big-number arithmetic, which is what text formats (CSV, JSON,
// Canal's string values) mostly carry.
func ParseDecimalScale(s string, scale int32) (connect.Decimal, error) {
	if d, ok := parseDecimalFast(s, scale); ok {
		return d, nil
	}
	d, err := connect.ParseDecimal(s)
	if err != nil {
		return connect.Decimal{}, err
	}
	return RescaleDecimal(d, scale, max(maxDecimalDigits, int(scale)+1))
}

func parseDecimalFast(s string, scale int32) (connect.Decimal, bool) {
	i, neg := 0, false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg, i = s[0] == '-', 1
	}
	var v int64
	sig, frac, all, dot := 0, 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' && !dot {
			dot = true
			continue
		}
		if c < '0' || c > '9' {
			return connect.Decimal{}, false
		}
		all++
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
	up := int(scale) - frac
	if all == 0 || up < 0 || sig+up > 18 {
		return connect.Decimal{}, false
	}
	v *= pow10[up]
	if neg {
		v = -v
	}
	return connect.Decimal{Unscaled: big.NewInt(v), Scale: scale}, true
}

// AppendDecimal appends d in plain notation with exactly Scale fraction digits, as
// Decimal.String writes it, without allocating when the unscaled value fits an int64 and the
// scale is within ±100 (beyond, it uses DecimalString's exponent form).
func AppendDecimal(dst []byte, d connect.Decimal) []byte {
	if d.Unscaled == nil || !d.Unscaled.IsInt64() || d.Scale < -100 || d.Scale > 100 {
		return append(dst, DecimalString(d)...)
	}
	v := d.Unscaled.Int64()
	if d.Scale <= 0 {
		dst = strconv.AppendInt(dst, v, 10)
		for i := int32(0); i < -d.Scale && v != 0; i++ {
			dst = append(dst, '0')
		}
		return dst
	}
	var buf [24]byte
	digits := strconv.AppendUint(buf[:0], absInt64(v), 10)
	if v < 0 {
		dst = append(dst, '-')
	}
	scale := int(d.Scale)
	if len(digits) <= scale {
		dst = append(dst, '0', '.')
		for i := len(digits); i < scale; i++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[:len(digits)-scale]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-scale:]...)
}

func absInt64(v int64) uint64 {
	if v < 0 {
		return uint64(-v) // MinInt64 wraps to 1<<63, its absolute value
	}
	return uint64(v)
}

// DecimalString renders d in plain notation as Decimal.String does, except that a scale beyond
// ±100 is written in exponent form (12E+400), so that no input makes a giant string.
func DecimalString(d connect.Decimal) string {
	if d.Scale >= -100 && d.Scale <= 100 || d.Unscaled == nil {
		return d.String()
	}
	return d.Unscaled.String() + "E" + strconv.FormatInt(-int64(d.Scale), 10)
}

// DecimalFloat64 returns the float64 nearest to d, for any scale.
func DecimalFloat64(d connect.Decimal) float64 {
	if d.Unscaled == nil {
		return 0
	}
	f, _ := strconv.ParseFloat(d.Unscaled.String()+"e"+strconv.FormatInt(-int64(d.Scale), 10), 64)
	return f
}

// StructToMap converts a struct to a schemaless map, recursively: nested structs become maps too,
// inside arrays and maps as well. Unset fields hold their default, or nil. It is the inverse of
// ToStruct for formats that write schemaless JSON.
func StructToMap(st *connect.Struct) map[string]any { return structToMap(st, false) }

// StructToSparseMap is StructToMap for readers that take a missing key for null: fields whose
// value is null are left out (unset fields are null here, whatever their default), in nested
// structs too.
func StructToSparseMap(st *connect.Struct) map[string]any { return structToMap(st, true) }

func structToMap(st *connect.Struct, sparse bool) map[string]any {
	if st == nil {
		return nil
	}
	s := st.Schema()
	m := make(map[string]any, len(s.Fields))
	for i, f := range s.Fields {
		if !sparse {
			m[f.Name] = schemaless(st.GetIndex(i), false)
		} else if v := st.RawIndex(i); v != nil {
			m[f.Name] = schemaless(v, true)
		}
	}
	return m
}

// Schemaless returns v with every *connect.Struct inside it (at any depth) replaced by a map.
// Other values are returned as they are.
func Schemaless(v any) any { return schemaless(v, false) }

func schemaless(v any, sparse bool) any {
	switch x := v.(type) {
	case *connect.Struct:
		return structToMap(x, sparse)
	case []any:
		if !slices.ContainsFunc(x, needsSchemaless) {
			return x
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = schemaless(e, sparse)
		}
		return out
	case map[string]any:
		convert := false
		for _, e := range x {
			if needsSchemaless(e) {
				convert = true
				break
			}
		}
		if !convert {
			return x
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = schemaless(e, sparse)
		}
		return out
	case map[any]any:
		out := make(map[any]any, len(x))
		for k, e := range x {
			out[k] = schemaless(e, sparse)
		}
		return out
	}
	return v
}

func needsSchemaless(v any) bool {
	switch v.(type) {
	case *connect.Struct, []any, map[string]any, map[any]any:
		return true
	}
	return false
}

// ToStruct builds a struct of schema s (a STRUCT schema) from a schemaless map, converting each
// value with Coerce. Keys the schema lacks are ignored, as Flink ignores JSON fields its table
// does not declare; fields the map lacks stay unset (null, or their default). The result is
// validated, so a required field without a value is an error naming the field.
func ToStruct(s *connect.Schema, m map[string]any) (*connect.Struct, error) {
	if s == nil || s.Type != connect.TypeStruct {
		return nil, fmt.Errorf("ToStruct needs a struct schema, got %s", s)
	}
	return fillStruct(s, func(f *connect.Field) (any, *connect.Schema) { return m[f.Name], nil })
}

// fillStruct builds a struct of schema s from the value (and its former schema, when known)
// that get finds for each field; a nil value leaves the field unset.
func fillStruct(s *connect.Schema, get func(f *connect.Field) (any, *connect.Schema)) (*connect.Struct, error) {
	st := connect.NewStruct(s)
	for i := range s.Fields {
		f := &s.Fields[i]
		v, src := get(f)
		if v == nil {
			continue
		}
		cv, err := coerce(f.Schema, v, src)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.Name, err)
		}
		if err := st.PutIndex(i, cv); err != nil {
			return nil, err
		}
	}
	if err := st.Validate(); err != nil {
		return nil, err
	}
	return st, nil
}

// Coerce converts v to the Go type that schema s requires (see package connect for the mapping),
// exactly or not at all:
//
//   - integers from any Go integer, from integral floats, json.Number or decimal strings, with a
//     range check; floats from any number or numeric string; booleans from bool, "true"/"false"
//     (any case) or the integers 0 and 1 (MySQL's tinyint(1));
//   - Decimal from integers, Decimals, json.Number, strings and floats (through their shortest
//     decimal form), rescaled to the schema's scale only when no digit is lost, and checked
//     against the precision parameter if there is one;
//   - Date, Time and Timestamp from time.Time, from strings (ParseDate, ParseTime,
//     ParseTimestampAny) and from integers (days, milliseconds of the day, epoch milliseconds);
//   - bytes from []byte or base64 text; strings from strings, or from any other value rendered
//     as text (AppendText) — the widening target of every type;
//   - arrays, maps and structs element by element, structs from maps or from structs of another
//     schema by field name.
//
// A nil v stays nil. The error says what could not be converted and why.
func Coerce(s *connect.Schema, v any) (any, error) {
	out, err := coerce(s, v, nil)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// coerce is Coerce with src, the schema v had before, when known (it tells a Date's time.Time
// from a Timestamp's when rendering text).
func coerce(s *connect.Schema, v any, src *connect.Schema) (any, error) {
	if v == nil || s == nil || hasType(s, v) {
		// Returning v itself, not a re-boxed copy, keeps the common case free of allocations.
		return v, nil
	}
	switch s.Name {
	case connect.DecimalName:
		return coerceDecimal(s, v)
	case connect.DateName:
		t, err := coerceTime(v, connect.DateName)
		if err != nil {
			return nil, err
		}
		y, m, d := t.UTC().Date()
		if !t.Equal(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) {
			return nil, fmt.Errorf("cannot use %s as a DATE: it is not midnight UTC", FormatTimestamp(t, TimestampSQL))
		}
		return t.UTC(), nil
	case connect.TimeName:
		t, err := coerceTime(v, connect.TimeName)
		if err != nil {
			return nil, err
		}
		t = t.UTC()
		return time.Date(1970, 1, 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), nil
	case connect.TimestampName:
		t, err := coerceTime(v, connect.TimestampName)
		if err != nil {
			return nil, err
		}
		return t.UTC(), nil
	}
	switch s.Type {
	case connect.TypeInt8:
		n, err := coerceInt(v, math.MinInt8, math.MaxInt8, "INT8")
		return int8(n), err
	case connect.TypeInt16:
		n, err := coerceInt(v, math.MinInt16, math.MaxInt16, "INT16")
		return int16(n), err
	case connect.TypeInt32:
		n, err := coerceInt(v, math.MinInt32, math.MaxInt32, "INT32")
		return int32(n), err
	case connect.TypeInt64:
		return coerceInt(v, math.MinInt64, math.MaxInt64, "INT64")
	case connect.TypeFloat32:
		f, err := coerceFloat(v, 32)
		return float32(f), err
	case connect.TypeFloat64:
		return coerceFloat(v, 64)
	case connect.TypeBoolean:
		return coerceBool(v)
	case connect.TypeString:
		if str, ok := v.(string); ok {
			return str, nil
		}
		b, err := AppendText(nil, v, src)
		if err != nil {
			return nil, err
		}
		return string(b), nil
	case connect.TypeBytes:
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			b, err := base64.StdEncoding.DecodeString(x)
			if err != nil {
				return nil, fmt.Errorf("cannot use string as BYTES: not base64: %w", err)
			}
			return b, nil
		}
	case connect.TypeArray:
		return coerceArray(s, v, src)
	case connect.TypeMap:
		return coerceMap(s, v, src)
	case connect.TypeStruct:
		switch x := v.(type) {
		case *connect.Struct:
			if x.Schema() == s || x.Schema().Equal(s) {
				return x, nil
			}
			return structFromStruct(s, x)
		case map[string]any:
			return ToStruct(s, x)
		}
	default:
		return nil, fmt.Errorf("unknown schema type %q", s.Type)
	}
	return nil, fmt.Errorf("cannot use %T as %s", v, typeName(s))
}

// hasType reports whether v already has the Go type of a primitive, non-logical schema.
func hasType(s *connect.Schema, v any) bool {
	if s.Name != "" {
		return false
	}
	switch v.(type) {
	case string:
		return s.Type == connect.TypeString
	case int64:
		return s.Type == connect.TypeInt64
	case int32:
		return s.Type == connect.TypeInt32
	case bool:
		return s.Type == connect.TypeBoolean
	case float64:
		return s.Type == connect.TypeFloat64
	case int8:
		return s.Type == connect.TypeInt8
	case int16:
		return s.Type == connect.TypeInt16
	case float32:
		return s.Type == connect.TypeFloat32
	case []byte:
		return s.Type == connect.TypeBytes
	}
	return false
}

func typeName(s *connect.Schema) string {
	if s.Name != "" {
		return s.Name
	}
	return strings.ToUpper(string(s.Type))
}

func structFromStruct(s *connect.Schema, from *connect.Struct) (*connect.Struct, error) {
	fs := from.Schema()
	return fillStruct(s, func(f *connect.Field) (any, *connect.Schema) {
		src := fs.Field(f.Name)
		if src == nil {
			return nil, nil
		}
		return from.GetIndex(src.Index), src.Schema
	})
}

func coerceArray(s *connect.Schema, v any, src *connect.Schema) (any, error) {
	var esrc *connect.Schema
	if src != nil {
		esrc = src.ValueSchema
	}
	if arr, ok := v.([]any); ok {
		var out []any
		for i, e := range arr {
			ce, err := coerce(s.ValueSchema, e, esrc)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			if out == nil && !sameValue(ce, e) {
				out = make([]any, len(arr))
				copy(out, arr[:i])
			}
			if out != nil {
				out[i] = ce
			}
		}
		if out == nil {
			return arr, nil
		}
		return out, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, fmt.Errorf("cannot use %T as ARRAY", v)
	}
	if _, isBytes := v.([]byte); isBytes {
		return nil, fmt.Errorf("cannot use []byte as ARRAY")
	}
	out := make([]any, rv.Len())
	for i := range out {
		ce, err := coerce(s.ValueSchema, rv.Index(i).Interface(), esrc)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		out[i] = ce
	}
	return out, nil
}

// sameValue reports whether coercing left a value as it was, so slices are copied only when an
// element changed.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case int8, int16, int32, int64, float32, float64, bool, string:
		return a == b
	case []byte:
		y, ok := b.([]byte)
		return ok && len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0])
	case *connect.Struct:
		y, ok := b.(*connect.Struct)
		return ok && x == y
	}
	return false
}

func coerceMap(s *connect.Schema, v any, src *connect.Schema) (any, error) {
	var ksrc, vsrc *connect.Schema
	if src != nil {
		ksrc, vsrc = src.KeySchema, src.ValueSchema
	}
	stringKeys := s.KeySchema != nil && s.KeySchema.Type == connect.TypeString && s.KeySchema.Name == ""
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Map {
		return nil, fmt.Errorf("cannot use %T as MAP", v)
	}
	var outS map[string]any
	var outA map[any]any
	if stringKeys {
		outS = make(map[string]any, rv.Len())
	} else {
		outA = make(map[any]any, rv.Len())
	}
	it := rv.MapRange()
	for it.Next() {
		k, err := coerce(s.KeySchema, it.Key().Interface(), ksrc)
		if err != nil {
			return nil, fmt.Errorf("map key %v: %w", it.Key().Interface(), err)
		}
		e, err := coerce(s.ValueSchema, it.Value().Interface(), vsrc)
		if err != nil {
			return nil, fmt.Errorf("map value [%v]: %w", it.Key().Interface(), err)
		}
		if stringKeys {
			outS[k.(string)] = e
		} else {
			if k != nil && !reflect.TypeOf(k).Comparable() {
				return nil, fmt.Errorf("map key %v: %T cannot be a Go map key", k, k)
			}
			outA[k] = e
		}
	}
	if stringKeys {
		return outS, nil
	}
	return outA, nil
}

// coerceInt converts integers, integral floats, json.Number and numeric strings within [lo, hi].
func coerceInt(v any, lo, hi int64, name string) (int64, error) {
	var n int64
	switch x := v.(type) {
	case int8:
		n = int64(x)
	case int16:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	case int:
		n = int64(x)
	case uint8:
		n = int64(x)
	case uint16:
		n = int64(x)
	case uint32:
		n = int64(x)
	case uint:
		if uint64(x) > math.MaxInt64 {
			return 0, fmt.Errorf("%d overflows %s", x, name)
		}
		n = int64(x)
	case uint64:
		if x > math.MaxInt64 {
			return 0, fmt.Errorf("%d overflows %s", x, name)
		}
		n = int64(x)
	case float32:
		return floatToInt(float64(x), lo, hi, name)
	case float64:
		return floatToInt(x, lo, hi, name)
	case json.Number:
		return parseIntText(string(x), lo, hi, name)
	case string:
		return parseIntText(x, lo, hi, name)
	case connect.Decimal:
		d, err := RescaleDecimal(x, 0, 19)
		if err != nil || !d.Unscaled.IsInt64() {
			return 0, fmt.Errorf("decimal %s does not fit %s", DecimalString(x), name)
		}
		n = d.Unscaled.Int64()
	case bool:
		return 0, fmt.Errorf("cannot use a boolean as %s", name)
	default:
		return 0, fmt.Errorf("cannot use %T as %s", v, name)
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%d overflows %s", n, name)
	}
	return n, nil
}

func floatToInt(f float64, lo, hi int64, name string) (int64, error) {
	if f != math.Trunc(f) || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("%v is not an integer (%s)", f, name)
	}
	// float64(MaxInt64) rounds up to 2^63, so compare against 2^63 exclusively.
	if f < float64(lo) || f >= float64(hi)+1 {
		return 0, fmt.Errorf("%v overflows %s", f, name)
	}
	return int64(f), nil
}

func parseIntText(s string, lo, hi int64, name string) (int64, error) {
	t := strings.TrimSpace(s)
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		// "5.0" and "1e3" are integral numbers too.
		if d, derr := connect.ParseDecimal(t); derr == nil {
			if r, rerr := RescaleDecimal(d, 0, 19); rerr == nil && r.Unscaled.IsInt64() {
				n, err = r.Unscaled.Int64(), nil
			}
		}
		if err != nil {
			return 0, fmt.Errorf("invalid %s %q", name, s)
		}
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%s overflows %s", t, name)
	}
	return n, nil
}

func coerceFloat(v any, bits int) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int8:
		return float64(x), nil
	case int16:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case int:
		return float64(x), nil
	case uint8:
		return float64(x), nil
	case uint16:
		return float64(x), nil
	case uint32:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case uint:
		return float64(x), nil
	case connect.Decimal:
		return DecimalFloat64(x), nil
	case json.Number:
		return parseFloatText(string(x), bits)
	case string:
		return parseFloatText(x, bits)
	}
	return 0, fmt.Errorf("cannot use %T as FLOAT%d", v, bits)
}

func parseFloatText(s string, bits int) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), bits)
	if err != nil {
		return 0, fmt.Errorf("invalid FLOAT%d %q", bits, s)
	}
	return f, nil
}

func coerceBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		t := strings.TrimSpace(x)
		switch {
		case strings.EqualFold(t, "true"):
			return true, nil
		case strings.EqualFold(t, "false"):
			return false, nil
		case t == "1":
			return true, nil
		case t == "0":
			return false, nil
		}
		return false, fmt.Errorf("invalid BOOLEAN %q", x)
	case int8, int16, int32, int64, int, uint8, uint16, uint32, uint64, uint, json.Number:
		n, err := coerceInt(v, math.MinInt64, math.MaxInt64, "BOOLEAN")
		if err != nil || (n != 0 && n != 1) {
			return false, fmt.Errorf("cannot use %v as BOOLEAN (only 0 and 1)", v)
		}
		return n == 1, nil
	}
	return false, fmt.Errorf("cannot use %T as BOOLEAN", v)
}

func coerceDecimal(s *connect.Schema, v any) (connect.Decimal, error) {
	scale, err := connect.DecimalScale(s)
	if err != nil {
		return connect.Decimal{}, err
	}
	var d connect.Decimal
	switch x := v.(type) {
	case connect.Decimal:
		d = x
	case int8, int16, int32, int64, int, uint8, uint16, uint32:
		n, _ := coerceInt(x, math.MinInt64, math.MaxInt64, "DECIMAL")
		d = connect.NewDecimal(n, 0)
	case uint64:
		d = connect.Decimal{Unscaled: new(big.Int).SetUint64(x)}
	case uint:
		d = connect.Decimal{Unscaled: new(big.Int).SetUint64(uint64(x))}
	case float32:
		if d, err = floatDecimal(float64(x), 32); err != nil {
			return connect.Decimal{}, err
		}
	case float64:
		if d, err = floatDecimal(x, 64); err != nil {
			return connect.Decimal{}, err
		}
	case json.Number:
		if d, err = ParseDecimalScale(string(x), scale); err != nil {
			return connect.Decimal{}, err
		}
	case string:
		if d, err = ParseDecimalScale(strings.TrimSpace(x), scale); err != nil {
			return connect.Decimal{}, err
		}
	case []byte:
		// Kafka's wire form of a Decimal: the unscaled two's complement value.
		d = connect.DecimalFromBytes(x, scale)
	default:
		return connect.Decimal{}, fmt.Errorf("cannot use %T as DECIMAL", v)
	}
	p, hasPrec := DecimalPrecision(s)
	r, err := RescaleDecimal(d, scale, max(p, maxDecimalDigits))
	if err != nil {
		return connect.Decimal{}, err
	}
	if hasPrec && DecimalDigits(r) > p {
		return connect.Decimal{}, fmt.Errorf("decimal %s does not fit DECIMAL(%d,%d)", DecimalString(d), p, scale)
	}
	return r, nil
}

func floatDecimal(f float64, bits int) (connect.Decimal, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return connect.Decimal{}, fmt.Errorf("cannot use %v as DECIMAL", f)
	}
	return connect.ParseDecimal(strconv.FormatFloat(f, 'f', -1, bits))
}

// coerceTime converts to the time.Time of a Date, Time or Timestamp (name), reading strings with
// the matching parser and integers as days, milliseconds of the day or epoch milliseconds.
func coerceTime(v any, name string) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case string:
		s := strings.TrimSpace(x)
		switch name {
		case connect.DateName:
			if t, err := ParseDate(s); err == nil {
				return t, nil
			}
			return ParseTimestampAny(s)
		case connect.TimeName:
			return ParseTime(s)
		}
		return ParseTimestampAny(s)
	case int8, int16, int32, int64, int, uint8, uint16, uint32, uint64, uint, json.Number:
		n, err := coerceInt(v, math.MinInt64, math.MaxInt64, "time")
		if err != nil {
			return time.Time{}, err
		}
		switch name {
		case connect.DateName:
			if n < math.MinInt32 || n > math.MaxInt32 {
				return time.Time{}, fmt.Errorf("%d days overflows DATE", n)
			}
			return connect.DaysToDate(int32(n)), nil
		case connect.TimeName:
			if n < 0 || n >= 24*3600*1000 {
				return time.Time{}, fmt.Errorf("%d ms is not a time of day", n)
			}
		}
		return time.UnixMilli(n).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("cannot use %T as %s", v, strings.TrimPrefix(name, "org.apache.kafka.connect.data."))
}
