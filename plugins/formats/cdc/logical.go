package cdc

import (
	"fmt"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// Names of Debezium's logical types. A row decoded from a Debezium message with an embedded schema
// keeps them exactly as Debezium wrote them (an io.debezium.time.MicroTimestamp column is an INT64
// of microseconds), so that it re-encodes to Debezium unchanged and reaches other Connect
// converters as Kafka Connect would hand it over. Encoders that write text (Canal, Maxwell) read
// them through Temporal and DecimalOf.
const (
	DebeziumDate                 = "io.debezium.time.Date"           // INT32 days since the epoch
	DebeziumTime                 = "io.debezium.time.Time"           // INT32 ms past midnight
	DebeziumMicroTime            = "io.debezium.time.MicroTime"      // INT64 µs past midnight
	DebeziumNanoTime             = "io.debezium.time.NanoTime"       // INT64 ns past midnight
	DebeziumTimestamp            = "io.debezium.time.Timestamp"      // INT64 ms since the epoch, no zone
	DebeziumMicroTimestamp       = "io.debezium.time.MicroTimestamp" // INT64 µs since the epoch, no zone
	DebeziumNanoTimestamp        = "io.debezium.time.NanoTimestamp"  // INT64 ns since the epoch, no zone
	DebeziumZonedTimestamp       = "io.debezium.time.ZonedTimestamp" // STRING, ISO-8601 with offset
	DebeziumZonedTime            = "io.debezium.time.ZonedTime"      // STRING, ISO-8601 time with offset
	DebeziumYear                 = "io.debezium.time.Year"           // INT32
	DebeziumVariableScaleDecimal = "io.debezium.data.VariableScaleDecimal"
	DebeziumJSON                 = "io.debezium.data.Json"
	DebeziumEnum                 = "io.debezium.data.Enum"
	DebeziumEnumSet              = "io.debezium.data.EnumSet"
	DebeziumUUID                 = "io.debezium.data.Uuid"
	DebeziumBits                 = "io.debezium.data.Bits"
)

// MaxDecimalScale bounds the decimal scales read from messages (as connect.ParseDecimal bounds
// literals): a scale is a count of digits to write, and one from hostile input must not make a
// value render as gigabytes of zeros.
const MaxDecimalScale = 10000

// TemporalKind is what a date/time value means, whichever way it is encoded.
type TemporalKind uint8

// Temporal kinds.
const (
	NotTemporal TemporalKind = iota
	// DateKind is a calendar date (midnight UTC).
	DateKind
	// TimeKind is a time of day (on 1970-01-01 UTC).
	TimeKind
	// TimestampKind is a date and wall-clock time without a zone (MySQL DATETIME, SQL TIMESTAMP),
	// held as that wall clock in UTC.
	TimestampKind
	// InstantKind is a point in time (MySQL TIMESTAMP, PostgreSQL timestamptz, SQL
	// TIMESTAMP_LTZ).
	InstantKind
)

// TemporalKindOf reports the kind of date/time values schema s holds, from its logical name.
func TemporalKindOf(s *connect.Schema) TemporalKind {
	if s == nil {
		return NotTemporal
	}
	switch s.Name {
	case connect.DateName, DebeziumDate:
		return DateKind
	case connect.TimeName, DebeziumTime, DebeziumMicroTime, DebeziumNanoTime, DebeziumZonedTime:
		return TimeKind
	case connect.TimestampName, DebeziumTimestamp, DebeziumMicroTimestamp, DebeziumNanoTimestamp:
		return TimestampKind
	case DebeziumZonedTimestamp:
		return InstantKind
	}
	return NotTemporal
}

// Temporal returns the time a date/time value of schema s stands for. ok is false when s is not
// a date/time schema.
func Temporal(s *connect.Schema, v any) (kind TemporalKind, t time.Time, ok bool, err error) {
	kind = TemporalKindOf(s)
	if kind == NotTemporal || v == nil {
		return kind, time.Time{}, false, nil
	}
	bad := func() (TemporalKind, time.Time, bool, error) {
		return kind, time.Time{}, false, fmt.Errorf("value %v (%T) does not fit %s", v, v, s.Name)
	}
	switch s.Name {
	case connect.DateName, connect.TimeName, connect.TimestampName:
		tt, ok := v.(time.Time)
		if !ok {
			return bad()
		}
		return kind, tt.UTC(), true, nil
	case DebeziumDate:
		n, ok := v.(int32)
		if !ok {
			return bad()
		}
		return kind, connect.DaysToDate(n), true, nil
	case DebeziumTime:
		n, ok := v.(int32)
		if !ok {
			return bad()
		}
		return kind, time.UnixMilli(int64(n)).UTC(), true, nil
	case DebeziumMicroTime, DebeziumMicroTimestamp:
		n, ok := v.(int64)
		if !ok {
			return bad()
		}
		return kind, time.UnixMicro(n).UTC(), true, nil
	case DebeziumNanoTime, DebeziumNanoTimestamp:
		n, ok := v.(int64)
		if !ok {
			return bad()
		}
		return kind, time.Unix(0, n).UTC(), true, nil
	case DebeziumTimestamp:
		n, ok := v.(int64)
		if !ok {
			return bad()
		}
		return kind, time.UnixMilli(n).UTC(), true, nil
	case DebeziumZonedTimestamp:
		str, ok := v.(string)
		if !ok {
			return bad()
		}
		tt, err := formats.ParseTimestamp(str, formats.TimestampISO8601)
		if err != nil {
			return kind, time.Time{}, false, err
		}
		return kind, tt, true, nil
	case DebeziumZonedTime:
		str, ok := v.(string)
		if !ok {
			return bad()
		}
		tt, err := formats.ParseTimestamp("1970-01-01T"+str, formats.TimestampISO8601)
		if err != nil {
			return kind, time.Time{}, false, err
		}
		return kind, time.Date(1970, 1, 1, tt.Hour(), tt.Minute(), tt.Second(), tt.Nanosecond(), time.UTC), true, nil
	}
	return bad()
}

// DecimalOf returns the exact decimal a value of schema s stands for: Kafka's Decimal or
// Debezium's VariableScaleDecimal. ok is false for other schemas.
func DecimalOf(s *connect.Schema, v any) (d connect.Decimal, ok bool, err error) {
	if s == nil || v == nil {
		return connect.Decimal{}, false, nil
	}
	switch s.Name {
	case connect.DecimalName:
		d, ok := v.(connect.Decimal)
		if !ok {
			return connect.Decimal{}, false, fmt.Errorf("value %T does not fit %s", v, s.Name)
		}
		return d, true, nil
	case DebeziumVariableScaleDecimal:
		st, ok := v.(*connect.Struct)
		if !ok {
			return connect.Decimal{}, false, fmt.Errorf("value %T does not fit %s", v, s.Name)
		}
		scale, _ := st.Get("scale").(int32)
		if scale > MaxDecimalScale || scale < -MaxDecimalScale {
			return connect.Decimal{}, false, fmt.Errorf("%s scale %d out of range ±%d", s.Name, scale, MaxDecimalScale)
		}
		b, _ := st.Get("value").([]byte)
		return connect.DecimalFromBytes(b, scale), true, nil
	}
	return connect.Decimal{}, false, nil
}
