package jsonformat

import (
	"cmp"
	"encoding/base64"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// DecimalFormat is how Decimal values are written (Kafka's decimal.format).
type DecimalFormat int8

const (
	// DecimalBase64 writes a Decimal's unscaled value as Base64 of its two's-complement bytes,
	// the way BYTES are written. Kafka's default.
	DecimalBase64 DecimalFormat = iota
	// DecimalNumeric writes a Decimal as a JSON number with its exact digits.
	DecimalNumeric
)

// Options tune the value encoder and decoder beyond what the schema says. The zero value is
// not Kafka's default: use DefaultOptions. Formats with their own option sets (Flink's json
// format: timestamp formats, map null keys, ignore-parse-errors, ...) extend this struct and
// the few places that consult it (logical types, map keys, null handling) rather than the
// envelope, which only JsonConverter uses.
//
// Every field after ReplaceNullWithDefault serves the `json` row format; at their zero values
// the encoder and decoder behave exactly as Kafka's JsonConverter.
type Options struct {
	// DecimalFormat is how Decimal values are written. Both forms are accepted when reading.
	DecimalFormat DecimalFormat
	// ReplaceNullWithDefault writes, and reads, a null value whose schema has a default as
	// that default (Kafka's replace.null.with.default).
	ReplaceNullWithDefault bool

	// Flink selects the JSON of Flink's json format instead of Kafka's (see the package
	// documentation): dates, times and timestamps as text, decimals as numbers without trailing
	// zeros, every map as an object, and lenient reading of scalars written as strings (and of
	// strings written as other JSON). DecimalFormat is not consulted: decimals are numbers.
	Flink bool
	// TimestampFormat is the text of Timestamp values when Flink is set
	// (json.timestamp-format.standard).
	TimestampFormat formats.TimestampFormat
	// DecimalPlain writes numeric decimals in plain notation, as BigDecimal.toPlainString does,
	// instead of BigDecimal.toString's, which switches to an exponent for large and small
	// values (json.encode.decimal-as-plain-number). It applies with DecimalNumeric and with
	// Flink.
	DecimalPlain bool
	// MapNullKey is what a null map key becomes where the map is written as a JSON object
	// (json.map-null-key.mode); MapNullKeyLiteral is the field name MapNullKeyAsLiteral uses.
	MapNullKey        MapNullKeyMode
	MapNullKeyLiteral string
	// IgnoreNullFields leaves struct fields whose value is null, and null entries of schemaless
	// objects, out of the JSON (json.encode.ignore-null-fields). Entries of maps with a schema
	// are kept, as Flink keeps them.
	IgnoreNullFields bool
	// FailOnMissingField makes a struct field missing from its JSON object an error instead of
	// null (json.fail-on-missing-field).
	FailOnMissingField bool
	// NumbersAsDecimal reads numbers without a schema exactly: those with a fraction or an
	// exponent, and integers beyond int64, become connect.Decimal (which is also written back
	// without a schema) instead of float64 (json.decode.numbers-as-decimal, which the json
	// format sets by default; Kafka's JsonConverter reads float64).
	NumbersAsDecimal bool
}

// MapNullKeyMode is what a null map key becomes in a JSON object.
type MapNullKeyMode int8

const (
	// MapNullKeyKafka writes the key as Kafka does: the text of its JSON, "null".
	MapNullKeyKafka MapNullKeyMode = iota
	// MapNullKeyFail makes a null key an error (Flink's FAIL, the json format's default).
	MapNullKeyFail
	// MapNullKeyDrop leaves the entry out (Flink's DROP).
	MapNullKeyDrop
	// MapNullKeyAsLiteral writes the key as Options.MapNullKeyLiteral (Flink's LITERAL). When
	// the map also holds a key with that text, the null key's entry is left out so that the
	// object has no duplicate field.
	MapNullKeyAsLiteral
)

// DefaultOptions are Kafka JsonConverter's defaults.
func DefaultOptions() Options {
	return Options{DecimalFormat: DecimalBase64, ReplaceNullWithDefault: true}
}

// Encoder writes Connect values as JSON exactly as Kafka's JsonConverter does (through
// Jackson): compact, struct fields in schema order, floats as Java prints them, bytes in
// Base64, maps with string keys as objects and other maps as arrays of [key, value] pairs.
// Go maps have no order, so map entries are written sorted by key to keep the output
// deterministic. An Encoder is safe for concurrent use.
type Encoder struct {
	opts Options
}

// NewEncoder returns an encoder with the given options.
func NewEncoder(opts Options) *Encoder { return &Encoder{opts: opts} }

// AppendValue appends the JSON of value, described by schema (nil for schemaless data), to dst.
// Errors are conversion errors that name the offending field.
func (e *Encoder) AppendValue(dst []byte, schema *connect.Schema, value any) ([]byte, error) {
	return e.value(dst, schema, value)
}

func (e *Encoder) value(dst []byte, s *connect.Schema, v any) ([]byte, error) {
	if v == nil {
		return e.null(dst, s)
	}
	if s == nil {
		return e.schemaless(dst, v)
	}
	if s.Name != "" {
		if lt := logicalOf(s.Name); lt != notLogical {
			return e.logical(dst, s, lt, v)
		}
	}
	switch s.Type {
	case connect.TypeInt8:
		if x, ok := v.(int8); ok {
			return strconv.AppendInt(dst, int64(x), 10), nil
		}
	case connect.TypeInt16:
		if x, ok := v.(int16); ok {
			return strconv.AppendInt(dst, int64(x), 10), nil
		}
	case connect.TypeInt32:
		if x, ok := v.(int32); ok {
			return strconv.AppendInt(dst, int64(x), 10), nil
		}
	case connect.TypeInt64:
		if x, ok := v.(int64); ok {
			return strconv.AppendInt(dst, x, 10), nil
		}
	case connect.TypeFloat32:
		if x, ok := v.(float32); ok {
			return formats.AppendJSONFloat(dst, float64(x), 32), nil
		}
	case connect.TypeFloat64:
		if x, ok := v.(float64); ok {
			return formats.AppendJSONFloat(dst, x, 64), nil
		}
	case connect.TypeBoolean:
		if x, ok := v.(bool); ok {
			return strconv.AppendBool(dst, x), nil
		}
	case connect.TypeString:
		if x, ok := v.(string); ok {
			return appendString(dst, x), nil
		}
	case connect.TypeBytes:
		if x, ok := v.([]byte); ok {
			return appendBase64(dst, x), nil
		}
	case connect.TypeArray:
		return e.array(dst, s.ValueSchema, v)
	case connect.TypeMap:
		return e.mapValue(dst, s, v)
	case connect.TypeStruct:
		return e.structValue(dst, s, v)
	default:
		return dst, convErrorf("Couldn't translate unsupported schema type %s.", s)
	}
	return dst, convErrorf("Invalid type for %s: %T", typeName(s), v)
}

// null writes a null value: the schema's default if it has one and defaults replace nulls,
// JSON null if the schema allows it.
func (e *Encoder) null(dst []byte, s *connect.Schema) ([]byte, error) {
	switch {
	case s == nil:
		return append(dst, "null"...), nil
	case s.Default != nil && e.opts.ReplaceNullWithDefault:
		return e.value(dst, s, s.Default)
	case s.Optional:
		return append(dst, "null"...), nil
	}
	return dst, convErrorf("Conversion error: null value for field that is required and has no default value")
}

// schemaless writes a value without a schema, inferring the type from the Go type as Kafka
// infers it from the Java class. Go integer and collection types that Connect does not name
// (int, []string, map[string]string, ...) are written like their Connect counterparts.
func (e *Encoder) schemaless(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case string:
		return appendString(dst, x), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int8:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case float64:
		return formats.AppendJSONFloat(dst, x, 64), nil
	case float32:
		return formats.AppendJSONFloat(dst, float64(x), 32), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case []byte:
		return appendBase64(dst, x), nil
	case []any:
		return e.array(dst, nil, x)
	case map[string]any:
		return e.stringMap(dst, nil, x, e.opts.IgnoreNullFields)
	case map[any]any:
		return e.anyMap(dst, nil, nil, x)
	case *connect.Struct:
		if e.opts.Flink {
			// A struct carries its schema: rows of CDC formats hold structs in schemaless maps.
			return e.structValue(dst, x.Schema(), x)
		}
		// Kafka compares the struct's schema with the (absent) record schema and fails.
		return dst, convErrorf("Mismatching schema.")
	case connect.Decimal:
		if e.opts.Flink {
			// Written as read (json.decode.numbers-as-decimal): the scale kept, so 1.50 stays
			// 1.50 and 0.000000027 stays plain. Only a negative scale (read from 1e3) needs an
			// exponent to come back as the same Decimal.
			return appendDecimalText(dst, x, false, x.Scale >= 0 || e.opts.DecimalPlain), nil
		}
		if e.opts.NumbersAsDecimal {
			return e.numericDecimal(dst, x), nil
		}
	case time.Time:
		if e.opts.Flink {
			dst = append(dst, '"')
			dst = formats.AppendTimestamp(dst, x, e.opts.TimestampFormat)
			return append(dst, '"'), nil
		}
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(dst, rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(dst, rv.Uint(), 10), nil
	case reflect.String:
		return appendString(dst, rv.String()), nil
	case reflect.Slice, reflect.Array, reflect.Map:
		return e.reflected(dst, nil, rv)
	}
	return dst, convErrorf("Go type %T does not have corresponding schema type.", v)
}

func (e *Encoder) array(dst []byte, elem *connect.Schema, v any) ([]byte, error) {
	list, ok := v.([]any)
	if !ok {
		rv := reflect.ValueOf(v)
		if k := rv.Kind(); (k != reflect.Slice && k != reflect.Array) || rv.Type().Elem().Kind() == reflect.Uint8 {
			return dst, convErrorf("Invalid type for ARRAY: %T", v)
		}
		return e.reflectedArray(dst, elem, rv)
	}
	dst = append(dst, '[')
	var err error
	for i, x := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		if dst, err = e.value(dst, elem, x); err != nil {
			return dst, inIndex(err, i)
		}
	}
	return append(dst, ']'), nil
}

func (e *Encoder) mapValue(dst []byte, s *connect.Schema, v any) ([]byte, error) {
	switch m := v.(type) {
	case map[string]any:
		if s.KeySchema == nil || s.KeySchema.Type == connect.TypeString {
			return e.stringMap(dst, s.ValueSchema, m, false)
		}
		// A string-keyed Go map under a non-string key schema: the keys do not fit, which
		// the pair encoding reports as Kafka does.
		pairs := make(map[any]any, len(m))
		for k, x := range m {
			pairs[k] = x
		}
		return e.anyMap(dst, s.KeySchema, s.ValueSchema, pairs)
	case map[any]any:
		return e.anyMap(dst, s.KeySchema, s.ValueSchema, m)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Map {
		return dst, convErrorf("Invalid type for MAP: %T", v)
	}
	return e.reflectedMap(dst, s.KeySchema, s.ValueSchema, rv)
}

// stringMap writes a string-keyed map as a JSON object, keys sorted; skipNulls leaves out the
// entries whose value is nil.
func (e *Encoder) stringMap(dst []byte, vs *connect.Schema, m map[string]any, skipNulls bool) ([]byte, error) {
	var small [16]string
	keys := small[:0]
	for k, v := range m {
		if skipNulls && v == nil {
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	var err error
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		if dst, err = e.value(dst, vs, m[k]); err != nil {
			return dst, inField(err, k)
		}
	}
	return append(dst, '}'), nil
}

// anyMap writes a map with keys of any type: as a JSON object when the key schema is STRING
// (or, schemaless, when every key is a string), otherwise as an array of [key, value] pairs.
// With Options.Flink every map is an object, keyed by the text of each key's JSON.
func (e *Encoder) anyMap(dst []byte, ks, vs *connect.Schema, m map[any]any) ([]byte, error) {
	objectMode := e.opts.Flink || ks != nil && ks.Type == connect.TypeString
	if ks == nil && !objectMode {
		objectMode = true
		for k := range m {
			if _, ok := k.(string); !ok {
				objectMode = false
				break
			}
		}
	}
	type entry struct {
		key      []byte // the key's JSON, to sort and write
		text     string // object mode: the key as a field name
		val      any
		original any
	}
	entries := make([]entry, 0, len(m))
	var scratch []byte
	nullKey := -1 // the entry of a null key written as MapNullKeyLiteral
	for k, x := range m {
		if x == nil && ks == nil && vs == nil && e.opts.IgnoreNullFields {
			continue // a schemaless object's null entry
		}
		if k == nil && objectMode && e.opts.MapNullKey != MapNullKeyKafka {
			switch e.opts.MapNullKey {
			case MapNullKeyDrop:
				continue
			case MapNullKeyAsLiteral:
				nullKey = len(entries)
				entries = append(entries, entry{text: e.opts.MapNullKeyLiteral, val: x})
				continue
			}
			return dst, convErrorf("JSON format doesn't support to serialize map data with null keys. You can drop null key entries or encode null in literals by specifying json.map-null-key.mode option.")
		}
		start := len(scratch)
		var err error
		if scratch, err = e.value(scratch, ks, k); err != nil {
			return dst, inKey(err, k)
		}
		en := entry{key: scratch[start:len(scratch):len(scratch)], val: x, original: k}
		if objectMode {
			en.text = keyText(k, en.key)
		}
		entries = append(entries, en)
	}
	if nullKey >= 0 {
		for i := range entries {
			if i != nullKey && entries[i].text == e.opts.MapNullKeyLiteral {
				entries = slices.Delete(entries, nullKey, nullKey+1)
				break
			}
		}
	}
	if objectMode {
		slices.SortFunc(entries, func(a, b entry) int { return cmp.Compare(a.text, b.text) })
		dst = append(dst, '{')
	} else {
		slices.SortFunc(entries, func(a, b entry) int { return compareBytes(a.key, b.key) })
		dst = append(dst, '[')
	}
	var err error
	for i, en := range entries {
		if i > 0 {
			dst = append(dst, ',')
		}
		if objectMode {
			dst = appendString(dst, en.text)
			dst = append(dst, ':')
		} else {
			dst = append(dst, '[')
			dst = append(dst, en.key...)
			dst = append(dst, ',')
		}
		if dst, err = e.value(dst, vs, en.val); err != nil {
			return dst, inKey(err, en.original)
		}
		if !objectMode {
			dst = append(dst, ']')
		}
	}
	if objectMode {
		return append(dst, '}'), nil
	}
	return append(dst, ']'), nil
}

// keyText is the field name Kafka uses for a key in object mode: the text of the key's JSON
// node, which for a null key is "null".
func keyText(k any, js []byte) string {
	if s, ok := k.(string); ok {
		return s
	}
	if len(js) >= 2 && js[0] == '"' {
		return string(unquote(js[1:len(js)-1], nil))
	}
	return string(js)
}

func compareBytes(a, b []byte) int {
	return cmp.Compare(string(a), string(b))
}

func (e *Encoder) structValue(dst []byte, s *connect.Schema, v any) ([]byte, error) {
	st, ok := v.(*connect.Struct)
	if !ok || (st.Schema() != s && !st.Schema().Equal(s)) {
		return dst, convErrorf("Mismatching schema.")
	}
	dst = append(dst, '{')
	var err error
	first := true
	for i := range s.Fields {
		f := &s.Fields[i]
		// The raw value, so that null handling (default or null) follows the options.
		v := st.RawIndex(i)
		if v == nil && e.opts.IgnoreNullFields && (f.Schema.Default == nil || !e.opts.ReplaceNullWithDefault) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendString(dst, f.Name)
		dst = append(dst, ':')
		if dst, err = e.value(dst, f.Schema, v); err != nil {
			return dst, inField(err, f.Name)
		}
	}
	return append(dst, '}'), nil
}

// reflected writes Go slices and maps of element types Connect does not use directly.
func (e *Encoder) reflected(dst []byte, s *connect.Schema, rv reflect.Value) ([]byte, error) {
	if rv.Kind() == reflect.Map {
		return e.reflectedMap(dst, nil, nil, rv)
	}
	if rv.Type().Elem().Kind() == reflect.Uint8 {
		return appendBase64(dst, rv.Bytes()), nil
	}
	return e.reflectedArray(dst, s, rv)
}

func (e *Encoder) reflectedArray(dst []byte, elem *connect.Schema, rv reflect.Value) ([]byte, error) {
	dst = append(dst, '[')
	var err error
	for i := 0; i < rv.Len(); i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		if dst, err = e.value(dst, elem, rv.Index(i).Interface()); err != nil {
			return dst, inIndex(err, i)
		}
	}
	return append(dst, ']'), nil
}

func (e *Encoder) reflectedMap(dst []byte, ks, vs *connect.Schema, rv reflect.Value) ([]byte, error) {
	m := make(map[any]any, rv.Len())
	it := rv.MapRange()
	for it.Next() {
		m[it.Key().Interface()] = it.Value().Interface()
	}
	return e.anyMap(dst, ks, vs, m)
}

// logicalType identifies Kafka's four logical types by schema name.
type logicalType int8

const (
	notLogical logicalType = iota
	logicalDecimal
	logicalDate
	logicalTime
	logicalTimestamp
)

func logicalOf(name string) logicalType {
	switch name {
	case connect.DecimalName:
		return logicalDecimal
	case connect.DateName:
		return logicalDate
	case connect.TimeName:
		return logicalTime
	case connect.TimestampName:
		return logicalTimestamp
	}
	return notLogical
}

const msPerDay = 24 * 60 * 60 * 1000

// logical writes a Decimal, Date, Time or Timestamp. Kafka picks the logical conversion by
// schema name alone, whatever the schema type says, and so does this.
func (e *Encoder) logical(dst []byte, s *connect.Schema, lt logicalType, v any) ([]byte, error) {
	if e.opts.Flink {
		return e.textLogical(dst, s, lt, v)
	}
	if lt == logicalDecimal {
		d, ok := v.(connect.Decimal)
		if !ok {
			return dst, convErrorf("Invalid type for Decimal, expected connect.Decimal but was %T", v)
		}
		if e.opts.DecimalFormat == DecimalNumeric {
			return e.numericDecimal(dst, d), nil
		}
		scale, err := decimalScale(s)
		if err != nil {
			return dst, err
		}
		if d.Scale != scale {
			return dst, convErrorf("BigDecimal has mismatching scale value for given Decimal schema")
		}
		var buf [16]byte
		return appendBase64(dst, appendUnscaled(buf[:0], d.Unscaled)), nil
	}
	t, ok := v.(time.Time)
	if !ok {
		return dst, convErrorf("Invalid type for %s, expected time.Time but was %T", logicalNames[lt], v)
	}
	ms := t.UnixMilli()
	switch lt {
	case logicalDate:
		if ms%msPerDay != 0 {
			return dst, convErrorf("Kafka Connect Date type should not have any time fields set to non-zero values.")
		}
		return strconv.AppendInt(dst, ms/msPerDay, 10), nil
	case logicalTime:
		if ms < 0 || ms >= msPerDay {
			return dst, convErrorf("Kafka Connect Time type should not have any date fields set to non-zero values.")
		}
	}
	return strconv.AppendInt(dst, ms, 10), nil
}

var logicalNames = [...]string{logicalDecimal: "Decimal", logicalDate: "Date", logicalTime: "Time", logicalTimestamp: "Timestamp"}

// decimalScale reads a Decimal schema's scale parameter, with Kafka's messages.
func decimalScale(s *connect.Schema) (int32, error) {
	p, ok := s.Parameters[connect.DecimalScaleParameter]
	if !ok {
		return 0, convErrorf("Invalid Decimal schema: scale parameter not found.")
	}
	n, err := strconv.ParseInt(p, 10, 32)
	if err != nil {
		return 0, convErrorf("Invalid scale parameter found in Decimal schema: %q", p)
	}
	return int32(n), nil
}

func appendBase64(dst, b []byte) []byte {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}

// appendString writes s as a JSON string escaped as Jackson escapes it: '"' and '\' with a
// backslash, \b \t \n \f \r by name, other control characters as \u00XX (upper-case hex), and
// everything else, '/' and non-ASCII included, as it is.
func appendString(dst []byte, s string) []byte {
	return formats.AppendQuoted(dst, s, formats.QuoteJackson)
}
