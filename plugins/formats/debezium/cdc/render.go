package cdc

import (
	"encoding/base64"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// JSONStyle says how AppendJSON writes values whose JSON form is a matter of convention.
type JSONStyle struct {
	// Timestamps is the text form of timestamps (`<format>.timestamp-format.standard`).
	Timestamps formats.TimestampFormat
	// KeepDebezium writes values of Debezium's logical types (io.debezium.*) in Debezium's own
	// form (epoch numbers, ZonedTimestamp strings) instead of as text; the Debezium encoder sets
	// it, Maxwell does not.
	KeepDebezium bool
	// InstantZone is where instants (ZonedTimestamp) are written as a wall clock when
	// KeepDebezium is off; nil means UTC.
	InstantZone *time.Location
}

// AppendJSON appends v, of schema s (nil for a schemaless value), as JSON the way CDC producers
// write schemaless rows: decimals as plain numbers, dates as yyyy-MM-dd, times as HH:mm:ss[.f],
// timestamps in the chosen standard, bytes in base64, doubles as Java prints them (NaN and the
// infinities as strings, since JSON has no literal for them).
func AppendJSON(dst []byte, s *connect.Schema, v any, st JSONStyle) ([]byte, error) {
	if v == nil {
		return append(dst, "null"...), nil
	}
	if s == nil {
		return appendGoJSON(dst, v, st)
	}
	if d, ok, err := DecimalOf(s, v); ok || err != nil {
		if err != nil {
			return nil, err
		}
		if st.KeepDebezium && s.Name == DebeziumVariableScaleDecimal {
			return appendStructJSON(dst, v.(*connect.Struct), st)
		}
		return append(dst, d.String()...), nil
	}
	if st.KeepDebezium && isDebeziumName(s.Name) {
		return appendPlainJSON(dst, s, v, st)
	}
	kind, t, ok, err := Temporal(s, v)
	if err != nil {
		return nil, err
	}
	if ok {
		dst = append(dst, '"')
		dst = AppendTemporalText(dst, kind, t, st.Timestamps, st.InstantZone)
		return append(dst, '"'), nil
	}
	if s.Name == DebeziumJSON && !st.KeepDebezium {
		if str, ok := v.(string); ok {
			var p Parser
			if n, err := p.ParseAll(str); err == nil && (n.Kind == Object || n.Kind == Array) {
				return AppendCompact(dst, str), nil
			}
		}
	}
	return appendPlainJSON(dst, s, v, st)
}

func isDebeziumName(name string) bool {
	return len(name) > 12 && name[:12] == "io.debezium."
}

// AppendTemporalText appends the text form of a date/time: dates as yyyy-MM-dd, times as
// HH:mm:ss[.f], timestamps in standard f, instants as the wall clock in zone (UTC if nil).
func AppendTemporalText(dst []byte, kind TemporalKind, t time.Time, f formats.TimestampFormat, zone *time.Location) []byte {
	switch kind {
	case DateKind:
		return formats.AppendDate(dst, t)
	case TimeKind:
		return formats.AppendTime(dst, t)
	case InstantKind:
		if zone != nil && zone != time.UTC {
			t = wallClockIn(t, zone)
		}
	}
	return formats.AppendTimestamp(dst, t, f)
}

// wallClockIn returns the wall clock of instant t in zone, as a UTC time (the way TIMESTAMP
// values are held).
func wallClockIn(t time.Time, zone *time.Location) time.Time {
	l := t.In(zone)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}

// InstantFromWallClock reads a wall clock (held in UTC) as a time in zone.
func InstantFromWallClock(t time.Time, zone *time.Location) time.Time {
	if zone == nil || zone == time.UTC {
		return t
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), zone).UTC()
}

func appendPlainJSON(dst []byte, s *connect.Schema, v any, st JSONStyle) ([]byte, error) {
	switch s.Type {
	case connect.TypeStruct:
		x, ok := v.(*connect.Struct)
		if !ok {
			return nil, fmt.Errorf("value %T does not fit %s", v, s)
		}
		return appendStructJSON(dst, x, st)
	case connect.TypeArray:
		arr, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("value %T does not fit %s", v, s)
		}
		dst = append(dst, '[')
		for i, e := range arr {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = AppendJSON(dst, s.ValueSchema, e, st); err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
		}
		return append(dst, ']'), nil
	case connect.TypeMap:
		return appendMapJSON(dst, s, v, st)
	}
	return appendGoJSON(dst, v, st)
}

func appendStructJSON(dst []byte, x *connect.Struct, st JSONStyle) ([]byte, error) {
	dst = append(dst, '{')
	for i, f := range x.Schema().Fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, f.Name)
		dst = append(dst, ':')
		var err error
		if dst, err = AppendJSON(dst, f.Schema, x.RawIndex(i), st); err != nil {
			return nil, fmt.Errorf("field %s: %w", f.Name, err)
		}
	}
	return append(dst, '}'), nil
}

func appendMapJSON(dst []byte, s *connect.Schema, v any, st JSONStyle) ([]byte, error) {
	switch m := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, k)
			dst = append(dst, ':')
			var err error
			if dst, err = AppendJSON(dst, s.ValueSchema, m[k], st); err != nil {
				return nil, fmt.Errorf("key %q: %w", k, err)
			}
		}
		return append(dst, '}'), nil
	case map[any]any:
		// Keys that are not strings: an array of [key, value] pairs, as Kafka's JsonConverter does.
		type kv struct {
			k   []byte
			val any
			key any
		}
		pairs := make([]kv, 0, len(m))
		for k, val := range m {
			kb, err := AppendJSON(nil, s.KeySchema, k, st)
			if err != nil {
				return nil, err
			}
			pairs = append(pairs, kv{kb, val, k})
		}
		slices.SortFunc(pairs, func(a, b kv) int { return compareBytes(a.k, b.k) })
		dst = append(dst, '[')
		for i, p := range pairs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '[')
			dst = append(dst, p.k...)
			dst = append(dst, ',')
			var err error
			if dst, err = AppendJSON(dst, s.ValueSchema, p.val, st); err != nil {
				return nil, err
			}
			dst = append(dst, ']')
		}
		return append(dst, ']'), nil
	}
	return nil, fmt.Errorf("value %T does not fit %s", v, s)
}

func compareBytes(a, b []byte) int {
	return slices.Compare(a, b)
}

// appendGoJSON writes a primitive or schemaless Go value.
func appendGoJSON(dst []byte, v any, st JSONStyle) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return AppendString(dst, x), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int8:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case uint64:
		return strconv.AppendUint(dst, x, 10), nil
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return AppendString(dst, string(formats.AppendJavaFloat(nil, x))), nil
		}
		return formats.AppendJavaFloat(dst, x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return AppendString(dst, string(formats.AppendJavaDouble(nil, x))), nil
		}
		return formats.AppendJavaDouble(dst, x), nil
	case []byte:
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, x)
		return append(dst, '"'), nil
	case connect.Decimal:
		return append(dst, x.String()...), nil
	case *big.Int:
		return x.Append(dst, 10), nil
	case time.Time:
		dst = append(dst, '"')
		dst = formats.AppendTimestamp(dst, x, st.Timestamps)
		return append(dst, '"'), nil
	case *connect.Struct:
		return appendStructJSON(dst, x, st)
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendGoJSON(dst, e, st); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case map[string]any:
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
			dst = AppendString(dst, k)
			dst = append(dst, ':')
			var err error
			if dst, err = appendGoJSON(dst, x[k], st); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	}
	return nil, fmt.Errorf("cannot write %T as JSON", v)
}

// TextStyle says how Text writes values as text (Canal's all-string rows).
type TextStyle struct {
	// Zone is the time zone in which instants are written as a wall clock (Canal writes a MySQL
	// TIMESTAMP in its server's zone); nil means UTC.
	Zone *time.Location
}

// AppendText appends the text form of a non-nil value of schema s as a MySQL client prints it:
// booleans as 1/0, doubles as Java prints them, decimals in plain notation, dates and times in
// SQL form, bytes as ISO-8859-1 characters (each byte one character, Canal's convention), nested
// values as JSON.
func AppendText(dst []byte, s *connect.Schema, v any, st TextStyle) ([]byte, error) {
	if d, ok, err := DecimalOf(s, v); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return append(dst, d.String()...), nil
	}
	kind, t, ok, err := Temporal(s, v)
	if err != nil {
		return nil, err
	}
	if ok {
		return AppendTemporalText(dst, kind, t, formats.TimestampSQL, st.Zone), nil
	}
	switch x := v.(type) {
	case string:
		return append(dst, x...), nil
	case bool:
		if x {
			return append(dst, '1'), nil
		}
		return append(dst, '0'), nil
	case float32:
		return formats.AppendJavaFloat(dst, x), nil
	case float64:
		return formats.AppendJavaDouble(dst, x), nil
	case []byte:
		for _, c := range x {
			if c < 0x80 {
				dst = append(dst, c)
			} else {
				dst = append(dst, 0xC0|c>>6, 0x80|c&0x3F)
			}
		}
		return dst, nil
	case time.Time:
		return formats.AppendTimestamp(dst, x, formats.TimestampSQL), nil
	case int8, int16, int32, int64, int, uint64, connect.Decimal, *big.Int:
		return appendGoJSON(dst, v, JSONStyle{})
	}
	return AppendJSON(dst, s, v, JSONStyle{InstantZone: st.Zone})
}

// Latin1Bytes reverses AppendText's bytes convention: each character of s (which must be below
// U+0100) is one byte.
func Latin1Bytes(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i, r := range s {
		if r > 0xFF {
			return nil, fmt.Errorf("character %q at byte %d is not ISO-8859-1; Canal writes binary columns one byte per character", r, i)
		}
		out = append(out, byte(r))
	}
	return out, nil
}
