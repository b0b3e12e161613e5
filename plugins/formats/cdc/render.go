package cdc

import (
	"fmt"
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
// infinities as strings, since JSON has no literal for them), maps with non-string keys as
// arrays of [key, value] pairs.
func AppendJSON(dst []byte, s *connect.Schema, v any, st JSONStyle) ([]byte, error) {
	r := renderer{timestamps: st.Timestamps, keep: st.KeepDebezium, zone: st.InstantZone}
	return formats.AppendJSONStyle(dst, v, s, r.style(), r)
}

// renderer is the formats.LogicalRenderer of the CDC formats: it writes Debezium's logical
// types (unless keep asks for them as they are) and dates, times and decimals their way.
type renderer struct {
	timestamps formats.TimestampFormat
	keep       bool
	zone       *time.Location
}

// style is the rest of how CDC producers write values: strings quoted their way, struct fields
// as stored, values checked against container schemas, maps with non-string keys as pairs, and
// as text booleans as 1/0 and bytes one ISO-8859-1 character per byte.
func (r renderer) style() formats.RenderStyle {
	return formats.RenderStyle{
		Quoting: Quoting, Timestamps: r.timestamps, PairMaps: true, StoredFields: true,
		StrictSchema: true, BoolDigits: true, Latin1Bytes: true,
	}
}

// AppendLogical implements formats.LogicalRenderer.
func (r renderer) AppendLogical(dst []byte, s *connect.Schema, v any, text bool) ([]byte, bool, error) {
	if s != nil {
		d, ok, err := DecimalOf(s, v)
		switch {
		case err != nil:
			return nil, false, err
		case ok && !text && r.keep && s.Name == DebeziumVariableScaleDecimal:
			return dst, false, nil // written as the struct it is
		case ok:
			return appendDecimal(dst, d), true, nil
		}
		if text || !r.keep || !isDebeziumName(s.Name) {
			kind, t, ok, err := Temporal(s, v)
			if err != nil {
				return nil, false, err
			}
			if ok && text {
				return AppendTemporalText(dst, kind, t, r.timestamps, r.zone), true, nil
			}
			if ok {
				dst = append(dst, '"')
				dst = AppendTemporalText(dst, kind, t, r.timestamps, r.zone)
				return append(dst, '"'), true, nil
			}
			if s.Name == DebeziumJSON && !text && !r.keep {
				if str, ok := v.(string); ok {
					var p Parser
					if n, err := p.ParseAll(str); err == nil && (n.Kind == Object || n.Kind == Array) {
						return AppendCompact(dst, str), true, nil
					}
				}
			}
		}
	}
	if d, ok := v.(connect.Decimal); ok {
		return appendDecimal(dst, d), true, nil
	}
	return dst, false, nil
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
	r := renderer{zone: st.Zone}
	return formats.AppendTextStyle(dst, v, s, r.style(), r)
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

// appendDecimal writes d in plain notation, whatever its scale, without allocating for the
// common small ones.
func appendDecimal(dst []byte, d connect.Decimal) []byte {
	if d.Scale < -100 || d.Scale > 100 {
		// formats.AppendDecimal writes these with an exponent; CDC producers write plain numbers.
		return append(dst, d.String()...)
	}
	return formats.AppendDecimal(dst, d)
}
