package formats

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// TimestampFormat is the text form of timestamps chosen by Flink's
// `<format>.timestamp-format.standard` option (json, debezium-json, maxwell-json, canal-json).
type TimestampFormat uint8

// The two standards Flink defines. Both write the UTC wall clock with as many fractional digits
// as the value needs (none for whole seconds, up to nine):
//
//	SQL       2020-12-30 12:13:14.123   (date, space, HH:mm:ss[.fraction]; seconds required)
//	ISO-8601  2020-12-30T12:13:14.123   (ISO_LOCAL_DATE_TIME; seconds optional when parsing)
//
// The "with local time zone" variants (Flink's TIMESTAMP_LTZ) append a literal 'Z'.
const (
	TimestampSQL TimestampFormat = iota
	TimestampISO8601
)

// TimestampFormatOptionValues are the accepted values of `*.timestamp-format.standard`.
var TimestampFormatOptionValues = []string{"SQL", "ISO-8601"}

// String returns the option value: "SQL" or "ISO-8601".
func (f TimestampFormat) String() string {
	if f == TimestampISO8601 {
		return "ISO-8601"
	}
	return "SQL"
}

// ParseTimestampFormat parses a `*.timestamp-format.standard` value, case-insensitively.
func ParseTimestampFormat(s string) (TimestampFormat, error) {
	switch {
	case strings.EqualFold(s, "SQL"):
		return TimestampSQL, nil
	case strings.EqualFold(s, "ISO-8601"):
		return TimestampISO8601, nil
	}
	return 0, fmt.Errorf("unsupported timestamp format %q (want SQL or ISO-8601)", s)
}

// DefineTimestampFormatOption adds a `<key>` option (for example "json.timestamp-format.standard")
// with Flink's default SQL and a validator, so every format documents it the same way.
func DefineTimestampFormatOption(def *connect.ConfigDef, key string) *connect.ConfigDef {
	return def.Define(connect.ConfigKey{
		Name:        key,
		Type:        connect.ConfigString,
		Default:     "SQL",
		Validator:   connect.OneOf(true, TimestampFormatOptionValues...),
		Importance:  connect.Low,
		Recommended: TimestampFormatOptionValues,
		Doc: "Text form of TIMESTAMP values: 'SQL' writes and reads 'yyyy-MM-dd HH:mm:ss.s{precision}' " +
			"(e.g. 2020-12-30 12:13:14.123), 'ISO-8601' writes and reads 'yyyy-MM-ddTHH:mm:ss.s{precision}' " +
			"(e.g. 2020-12-30T12:13:14.123).",
	})
}

// AppendDate appends t's UTC date as ISO_LOCAL_DATE (yyyy-MM-dd). Years outside 0..9999 get a
// sign and more digits, as Java writes them (+10000-01-01, -0001-01-01).
func AppendDate(dst []byte, t time.Time) []byte {
	y, m, d := t.UTC().Date()
	switch {
	case y > 9999:
		dst = append(dst, '+')
		dst = appendInt(dst, y, 1)
	case y < 0:
		dst = append(dst, '-')
		dst = appendInt(dst, -y, 4)
	default:
		dst = appendInt(dst, y, 4)
	}
	dst = append(dst, '-')
	dst = appendInt(dst, int(m), 2)
	dst = append(dst, '-')
	return appendInt(dst, d, 2)
}

// AppendTime appends t's UTC time of day as HH:mm:ss with the fraction of a second in as few
// digits as needed (none for whole seconds), as Flink's SQL_TIME_FORMAT writes it.
func AppendTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	h, mi, s := t.Clock()
	dst = appendInt(dst, h, 2)
	dst = append(dst, ':')
	dst = appendInt(dst, mi, 2)
	dst = append(dst, ':')
	dst = appendInt(dst, s, 2)
	return appendFraction(dst, t.Nanosecond())
}

// AppendTimestamp appends t's UTC wall clock in format f, without a zone designator (Flink's
// TIMESTAMP type).
func AppendTimestamp(dst []byte, t time.Time, f TimestampFormat) []byte {
	dst = AppendDate(dst, t)
	if f == TimestampISO8601 {
		dst = append(dst, 'T')
	} else {
		dst = append(dst, ' ')
	}
	return AppendTime(dst, t)
}

// AppendTimestampLTZ appends t as AppendTimestamp does followed by 'Z' (Flink's TIMESTAMP_LTZ).
func AppendTimestampLTZ(dst []byte, t time.Time, f TimestampFormat) []byte {
	return append(AppendTimestamp(dst, t, f), 'Z')
}

// FormatDate returns AppendDate as a string.
func FormatDate(t time.Time) string { return string(AppendDate(make([]byte, 0, 10), t)) }

// FormatTime returns AppendTime as a string.
func FormatTime(t time.Time) string { return string(AppendTime(make([]byte, 0, 18), t)) }

// FormatTimestamp returns AppendTimestamp as a string.
func FormatTimestamp(t time.Time, f TimestampFormat) string {
	return string(AppendTimestamp(make([]byte, 0, 29), t, f))
}

// ParseDate parses an ISO_LOCAL_DATE (yyyy-MM-dd, with an optional sign and more year digits) to
// midnight UTC, the value of the Connect Date type.
func ParseDate(s string) (time.Time, error) {
	p := tparser{s: s}
	y, m, d, ok := p.date()
	if !ok || p.i != len(s) {
		return time.Time{}, fmt.Errorf("invalid date %q: want yyyy-MM-dd", s)
	}
	return checkedDate(s, y, m, d, 0, 0, 0, 0)
}

// ParseTime parses HH:mm[:ss[.fraction]] with an optional trailing 'Z' to that time on 1970-01-01
// UTC, the value of the Connect Time type.
func ParseTime(s string) (time.Time, error) {
	p := tparser{s: s}
	h, mi, sec, ns, ok := p.clock(false)
	if ok && p.i < len(s) && (s[p.i] == 'Z' || s[p.i] == 'z') {
		p.i++
	}
	if !ok || p.i != len(s) {
		return time.Time{}, fmt.Errorf("invalid time %q: want HH:mm:ss[.fraction]", s)
	}
	return time.Date(1970, 1, 1, h, mi, sec, ns, time.UTC), nil
}

// ParseTimestamp parses a timestamp written in format f: the date and time separated by a space
// (SQL, seconds required) or by 'T' (ISO-8601, seconds optional), up to nine fractional digits,
// then optionally a zone: 'Z', ±HH, ±HHmm or ±HH:mm. A timestamp without a zone is a UTC wall
// clock; one with a zone is converted to UTC.
func ParseTimestamp(s string, f TimestampFormat) (time.Time, error) {
	sep := byte(' ')
	if f == TimestampISO8601 {
		sep = 'T'
	}
	t, err := parseTimestamp(s, sep)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid %s timestamp %q: %w", f, s, err)
	}
	return t, nil
}

// LocalTimeZoneParameter marks a Timestamp schema as Flink's TIMESTAMP_LTZ (TIMESTAMP WITH LOCAL
// TIME ZONE) when its value is "true". Connect has a single Timestamp type, so the mark travels as
// a schema parameter; ParseColumns sets it for columns declared TIMESTAMP_LTZ or TIMESTAMP WITH
// [LOCAL] TIME ZONE. Text formats write such a timestamp with a trailing 'Z' and read a zoned
// value into it converted to UTC; an unmarked Timestamp is Flink's TIMESTAMP, a wall clock, which
// refuses a zone offset (ParseTimestampNoZone).
const LocalTimeZoneParameter = "io.raftconnect.timestamp.local-time-zone"

// IsLocalTimeZone reports whether s is a Timestamp schema marked as TIMESTAMP_LTZ.
func IsLocalTimeZone(s *connect.Schema) bool {
	return s != nil && s.Name == connect.TimestampName && s.Parameters[LocalTimeZoneParameter] == "true"
}

// ErrZonedTimestamp is returned (wrapped) by ParseTimestampNoZone and ParseTimestampAnyNoZone for a
// timestamp with a zone offset other than zero.
var ErrZonedTimestamp = errors.New("a TIMESTAMP without time zone cannot hold a zone offset")

// ParseTimestampNoZone parses the text of a TIMESTAMP (WITHOUT TIME ZONE) column as
// ParseTimestamp does, except that a zone offset other than zero is an error (wrapping
// ErrZonedTimestamp): the column holds a wall clock, which an offset would shift, as Flink
// refuses it. 'Z' and +00:00 are accepted, since they shift nothing.
func ParseTimestampNoZone(s string, f TimestampFormat) (time.Time, error) {
	t, err := ParseTimestamp(s, f)
	if err == nil {
		err = checkNoZone(s, f.String()+" timestamp")
	}
	return t, err
}

// ParseTimestampAnyNoZone is ParseTimestampAny for a TIMESTAMP (WITHOUT TIME ZONE) column: a
// zone offset other than zero is an error, as in ParseTimestampNoZone.
func ParseTimestampAnyNoZone(s string) (time.Time, error) {
	t, err := ParseTimestampAny(s)
	if err == nil {
		err = checkNoZone(s, "timestamp")
	}
	return t, err
}

// checkNoZone fails for a well-formed timestamp s that ends in a non-zero offset.
func checkNoZone(s, what string) error {
	p := tparser{s: s}
	p.date()
	p.i++
	p.clock(false)
	if p.i >= len(s) {
		return nil
	}
	zone := s[p.i:]
	if offset, ok := p.zone(); ok && offset == 0 {
		return nil
	}
	return fmt.Errorf("invalid %s %q: %w (%s); declare the column TIMESTAMP_LTZ to read zoned values converted to UTC", what, s, ErrZonedTimestamp, zone)
}

// ParseTimestampAny parses a timestamp in either standard (space or 'T' between date and time,
// seconds optional, optional zone), for readers that accept what any producer writes.
func ParseTimestampAny(s string) (time.Time, error) {
	t, err := parseTimestamp(s, 0)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid timestamp %q: %w", s, err)
	}
	return t, nil
}

// parseTimestamp parses with separator sep, or either separator when sep is 0.
func parseTimestamp(s string, sep byte) (time.Time, error) {
	p := tparser{s: s}
	y, m, d, ok := p.date()
	if !ok {
		return time.Time{}, fmt.Errorf("bad date")
	}
	if p.i >= len(s) {
		return time.Time{}, fmt.Errorf("no time")
	}
	c := s[p.i]
	switch {
	case sep == 0 && (c == ' ' || c == 'T' || c == 't'):
	case sep == 'T' && (c == 'T' || c == 't'):
	case sep == ' ' && c == ' ':
	default:
		if sep == 0 {
			return time.Time{}, fmt.Errorf("want ' ' or 'T' after the date")
		}
		return time.Time{}, fmt.Errorf("want %q after the date", sep)
	}
	p.i++
	h, mi, sec, ns, ok := p.clock(sep == ' ')
	if !ok {
		return time.Time{}, fmt.Errorf("bad time of day")
	}
	offset := 0
	if p.i < len(s) {
		var ok bool
		if offset, ok = p.zone(); !ok || p.i != len(s) {
			return time.Time{}, fmt.Errorf("unexpected %q after the time", s[p.i:])
		}
	}
	t, err := checkedDate(s, y, m, d, h, mi, sec, ns)
	if err != nil {
		return time.Time{}, err
	}
	return t.Add(-time.Duration(offset) * time.Second), nil
}

func checkedDate(s string, y, m, d, h, mi, sec, ns int) (time.Time, error) {
	t := time.Date(y, time.Month(m), d, h, mi, sec, ns, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return time.Time{}, fmt.Errorf("invalid date %q: day %d does not exist in %04d-%02d", s, d, y, m)
	}
	return t, nil
}

// tparser is a cursor over a date/time string; its methods return ok=false on malformed input.
type tparser struct {
	s string
	i int
}

// digits reads exactly n digits.
func (p *tparser) digits(n int) (int, bool) {
	if p.i+n > len(p.s) {
		return 0, false
	}
	v := 0
	for k := 0; k < n; k++ {
		c := p.s[p.i+k]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	p.i += n
	return v, true
}

func (p *tparser) lit(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *tparser) date() (y, m, d int, ok bool) {
	neg := false
	if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
		neg = p.s[p.i] == '-'
		p.i++
	}
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' && p.i-start < 10 {
		y = y*10 + int(p.s[p.i]-'0')
		p.i++
	}
	if p.i-start < 4 {
		return 0, 0, 0, false
	}
	if neg {
		y = -y
	}
	if !p.lit('-') {
		return 0, 0, 0, false
	}
	if m, ok = p.digits(2); !ok || m < 1 || m > 12 || !p.lit('-') {
		return 0, 0, 0, false
	}
	if d, ok = p.digits(2); !ok || d < 1 || d > 31 {
		return 0, 0, 0, false
	}
	return y, m, d, true
}

// clock reads HH:mm[:ss[.fraction]]; needSeconds makes the seconds mandatory.
func (p *tparser) clock(needSeconds bool) (h, mi, sec, ns int, ok bool) {
	if h, ok = p.digits(2); !ok || h > 23 || !p.lit(':') {
		return 0, 0, 0, 0, false
	}
	if mi, ok = p.digits(2); !ok || mi > 59 {
		return 0, 0, 0, 0, false
	}
	if !p.lit(':') {
		return h, mi, 0, 0, !needSeconds
	}
	if sec, ok = p.digits(2); !ok || sec > 59 {
		return 0, 0, 0, 0, false
	}
	if !p.lit('.') {
		return h, mi, sec, 0, true
	}
	n := 0
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		if n == 9 {
			return 0, 0, 0, 0, false
		}
		ns = ns*10 + int(p.s[p.i]-'0')
		n++
		p.i++
	}
	if n == 0 {
		return 0, 0, 0, 0, false
	}
	for k := n; k < 9; k++ {
		ns *= 10
	}
	return h, mi, sec, ns, true
}

// zone reads Z, ±HH, ±HHmm or ±HH:mm and returns the offset east of UTC in seconds.
func (p *tparser) zone() (int, bool) {
	if p.lit('Z') || p.lit('z') {
		return 0, true
	}
	sign := 1
	switch {
	case p.lit('+'):
	case p.lit('-'):
		sign = -1
	default:
		return 0, false
	}
	h, ok := p.digits(2)
	if !ok || h > 18 {
		return 0, false
	}
	m := 0
	if p.i < len(p.s) {
		p.lit(':')
		if m, ok = p.digits(2); !ok || m > 59 {
			return 0, false
		}
	}
	return sign * (h*3600 + m*60), true
}

// appendInt appends a non-negative v with at least width digits.
func appendInt(dst []byte, v, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for v >= 10 || width > 1 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	i--
	buf[i] = byte('0' + v)
	return append(dst, buf[i:]...)
}

// appendFraction appends .fraction with trailing zeros removed, or nothing for 0.
func appendFraction(dst []byte, ns int) []byte {
	if ns == 0 {
		return dst
	}
	var buf [9]byte
	for i := 8; i >= 0; i-- {
		buf[i] = byte('0' + ns%10)
		ns /= 10
	}
	n := 9
	for buf[n-1] == '0' {
		n--
	}
	dst = append(dst, '.')
	return append(dst, buf[:n]...)
}
