package formats

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats/javatext"
)

func TestTimestampFormatOption(t *testing.T) {
	for in, want := range map[string]TimestampFormat{"SQL": TimestampSQL, "sql": TimestampSQL, "ISO-8601": TimestampISO8601, "iso-8601": TimestampISO8601} {
		got, err := ParseTimestampFormat(in)
		if err != nil || got != want {
			t.Errorf("ParseTimestampFormat(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseTimestampFormat("RFC3339"); err == nil {
		t.Error("ParseTimestampFormat(RFC3339) succeeded")
	}
	if TimestampSQL.String() != "SQL" || TimestampISO8601.String() != "ISO-8601" {
		t.Error("TimestampFormat.String does not give the option values")
	}

	def := DefineTimestampFormatOption(connect.NewConfigDef(), "x.timestamp-format.standard")
	c, err := def.Parse(nil)
	if err != nil || c.String("x.timestamp-format.standard") != "SQL" {
		t.Errorf("default = %q, %v; want SQL", c.String("x.timestamp-format.standard"), err)
	}
	if _, err := def.Parse(map[string]string{"x.timestamp-format.standard": "ISO-8601"}); err != nil {
		t.Error(err)
	}
	if _, err := def.Parse(map[string]string{"x.timestamp-format.standard": "epoch"}); err == nil || !strings.Contains(err.Error(), "ISO-8601") {
		t.Errorf("invalid value error = %v; want it to list the allowed values", err)
	}
}

func TestAppendDateTime(t *testing.T) {
	ts := time.Date(2020, 12, 30, 12, 13, 14, 123_000_000, time.UTC)
	tests := []struct {
		got, want string
	}{
		{FormatDate(ts), "2020-12-30"},
		{FormatDate(time.Date(10000, 1, 2, 0, 0, 0, 0, time.UTC)), "+10000-01-02"},
		{FormatDate(time.Date(-1, 1, 2, 0, 0, 0, 0, time.UTC)), "-0001-01-02"},
		{FormatDate(time.Date(5, 3, 4, 0, 0, 0, 0, time.UTC)), "0005-03-04"},
		{FormatTime(ts), "12:13:14.123"},
		{FormatTime(time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)), "00:00:00"},
		{FormatTime(time.Date(1970, 1, 1, 1, 2, 3, 100_000_000, time.UTC)), "01:02:03.1"},
		{FormatTime(time.Date(1970, 1, 1, 1, 2, 3, 1, time.UTC)), "01:02:03.000000001"},
		{FormatTimestamp(ts, TimestampSQL), "2020-12-30 12:13:14.123"},
		{FormatTimestamp(ts, TimestampISO8601), "2020-12-30T12:13:14.123"},
		{FormatTimestamp(ts.Truncate(time.Second), TimestampSQL), "2020-12-30 12:13:14"},
		// Another zone prints as the UTC wall clock.
		{FormatTimestamp(ts.In(time.FixedZone("CST", 8*3600)), TimestampSQL), "2020-12-30 12:13:14.123"},
		{string(AppendTimestampLTZ(nil, ts, TimestampSQL)), "2020-12-30 12:13:14.123Z"},
		{string(AppendTimestampLTZ(nil, ts, TimestampISO8601)), "2020-12-30T12:13:14.123Z"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestParseTimestamp(t *testing.T) {
	base := time.Date(2020, 12, 30, 12, 13, 14, 0, time.UTC)
	tests := []struct {
		in   string
		f    TimestampFormat
		want time.Time
		err  bool
	}{
		{in: "2020-12-30 12:13:14", f: TimestampSQL, want: base},
		{in: "2020-12-30 12:13:14.123", f: TimestampSQL, want: base.Add(123 * time.Millisecond)},
		{in: "2020-12-30 12:13:14.123456789", f: TimestampSQL, want: base.Add(123456789)},
		{in: "2020-12-30 12:13:14Z", f: TimestampSQL, want: base},
		{in: "2020-12-30 20:13:14+08:00", f: TimestampSQL, want: base},
		{in: "2020-12-30 04:13:14-0800", f: TimestampSQL, want: base},
		{in: "2020-12-30 20:13:14+08", f: TimestampSQL, want: base},
		{in: "2020-12-30T12:13:14", f: TimestampISO8601, want: base},
		{in: "2020-12-30T12:13", f: TimestampISO8601, want: base.Add(-14 * time.Second)},
		{in: "2020-12-30T12:13:14.5Z", f: TimestampISO8601, want: base.Add(500 * time.Millisecond)},
		{in: "2020-12-30T12:13:14", f: TimestampSQL, err: true},     // wrong separator
		{in: "2020-12-30 12:13:14", f: TimestampISO8601, err: true}, // wrong separator
		{in: "2020-12-30 12:13", f: TimestampSQL, err: true},        // SQL needs seconds
		{in: "2020-12-30 12:13:14.", f: TimestampSQL, err: true},
		{in: "2020-12-30 12:13:14.1234567891", f: TimestampSQL, err: true},
		{in: "2020-02-30 12:13:14", f: TimestampSQL, err: true},
		{in: "2020-13-01 12:13:14", f: TimestampSQL, err: true},
		{in: "2020-12-30 24:00:00", f: TimestampSQL, err: true},
		{in: "2020-12-30 12:13:14 UTC", f: TimestampSQL, err: true},
		{in: "2020-12-30", f: TimestampSQL, err: true},
		{in: "", f: TimestampSQL, err: true},
	}
	for _, tc := range tests {
		got, err := ParseTimestamp(tc.in, tc.f)
		if tc.err {
			if err == nil {
				t.Errorf("ParseTimestamp(%q, %v) = %v; want an error", tc.in, tc.f, got)
			} else if !strings.Contains(err.Error(), tc.in) {
				t.Errorf("ParseTimestamp(%q) error %q does not quote the input", tc.in, err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("ParseTimestamp(%q, %v) = %v, %v; want %v UTC", tc.in, tc.f, got, err, tc.want)
		}
	}
	for _, in := range []string{"2020-12-30 12:13:14", "2020-12-30T12:13:14", "2020-12-30t12:13:14Z"} {
		if got, err := ParseTimestampAny(in); err != nil || !got.Equal(base) {
			t.Errorf("ParseTimestampAny(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseTimestampAny("2020-12-30/12:13:14"); err == nil {
		t.Error("ParseTimestampAny accepted '/' as separator")
	}
}

func TestParseDateTime(t *testing.T) {
	d, err := ParseDate("2020-02-29")
	if err != nil || !d.Equal(time.Date(2020, 2, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ParseDate = %v, %v", d, err)
	}
	for _, in := range []string{"+10000-01-02", "-0001-01-02", "0005-03-04"} {
		d, err := ParseDate(in)
		if err != nil || FormatDate(d) != in {
			t.Errorf("ParseDate(%q) round trip = %q, %v", in, FormatDate(d), err)
		}
	}
	for _, in := range []string{"2021-02-29", "2020-1-5", "20-01-05", "2020-01-05 ", "2020/01/05", ""} {
		if _, err := ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) succeeded", in)
		}
	}
	tm, err := ParseTime("23:59:59.999")
	if err != nil || !tm.Equal(time.Date(1970, 1, 1, 23, 59, 59, 999_000_000, time.UTC)) {
		t.Errorf("ParseTime = %v, %v", tm, err)
	}
	if tm, err := ParseTime("08:30"); err != nil || tm.Hour() != 8 || tm.Minute() != 30 {
		t.Errorf("ParseTime(08:30) = %v, %v", tm, err)
	}
	if _, err := ParseTime("12:00:00Z"); err != nil {
		t.Errorf("ParseTime with Z: %v", err)
	}
	for _, in := range []string{"24:00:00", "12:60:00", "12:00:61", "1:00:00", "12:00:00+01:00", ""} {
		if _, err := ParseTime(in); err == nil {
			t.Errorf("ParseTime(%q) succeeded", in)
		}
	}
}

// point3 is 0.1+0.2 computed at run time (as a constant expression it would be exactly 0.3).
var point1, point2 = 0.1, 0.2
var point3 = point1 + point2

func TestAppendJavaDouble(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{1, "1.0"},
		{-1, "-1.0"},
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{100, "100.0"},
		{1.5, "1.5"},
		{0.001, "0.001"},
		{0.0001, "1.0E-4"},
		{1.5e-4, "1.5E-4"},
		{9999999, "9999999.0"},
		{1e7, "1.0E7"},
		{1234567.5, "1234567.5"},
		{123456789, "1.23456789E8"},
		{point3, "0.30000000000000004"},
		{1e100, "1.0E100"},
		{math.MaxFloat64, "1.7976931348623157E308"},
		{5e-324, "4.9E-324"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
	}
	for _, tc := range tests {
		if got := string(javatext.AppendDouble(nil, tc.f)); got != tc.want {
			t.Errorf("javatext.AppendDouble(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
	for f, want := range map[float32]string{0.1: "0.1", 3.4028235e38: "3.4028235E38", 1e7: "1.0E7", 16777216: "1.6777216E7", 2.5: "2.5"} {
		if got := string(javatext.AppendFloat(nil, f)); got != want {
			t.Errorf("javatext.AppendFloat(%v) = %q, want %q", f, got, want)
		}
	}
}

func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"2020-12-30 12:13:14.123", "2020-12-30T12:13Z", "+10000-01-01 00:00:00+18:00", "2020-12-30 12:13:14.", "9999999999-01-01 00:00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, ft := range []TimestampFormat{TimestampSQL, TimestampISO8601} {
			ts, err := ParseTimestamp(s, ft)
			if err != nil {
				continue
			}
			// What parses formats back to something that parses to the same instant.
			back, err := ParseTimestamp(FormatTimestamp(ts, ft), ft)
			if err != nil || !back.Equal(ts) {
				t.Fatalf("%q parsed to %v, which formats as %q and parses back to %v, %v", s, ts, FormatTimestamp(ts, ft), back, err)
			}
			// Without a zone it is the same instant, or refused for its offset only.
			wall, err := ParseTimestampNoZone(s, ft)
			if err == nil && !wall.Equal(ts) || err != nil && !errors.Is(err, ErrZonedTimestamp) {
				t.Fatalf("%q: ParseTimestamp = %v, ParseTimestampNoZone = %v, %v", s, ts, wall, err)
			}
		}
		if ts, err := ParseTimestampAny(s); err == nil {
			wall, err := ParseTimestampAnyNoZone(s)
			if err == nil && !wall.Equal(ts) || err != nil && !errors.Is(err, ErrZonedTimestamp) {
				t.Fatalf("%q: ParseTimestampAny = %v, ParseTimestampAnyNoZone = %v, %v", s, ts, wall, err)
			}
		}
		_, _ = ParseDate(s)
		_, _ = ParseTime(s)
	})
}

func TestParseTimestampNoZone(t *testing.T) {
	wall := time.Date(2020, 12, 30, 12, 13, 14, 123000000, time.UTC)
	for _, tc := range []struct {
		in   string
		f    TimestampFormat
		want string // "" for wall; else an error substring
	}{
		{"2020-12-30 12:13:14.123", TimestampSQL, ""},
		{"2020-12-30 12:13:14.123Z", TimestampSQL, ""},      // UTC shifts nothing
		{"2020-12-30 12:13:14.123+00:00", TimestampSQL, ""}, // nor does a zero offset
		{"2020-12-30T12:13:14.123-0000", TimestampISO8601, ""},
		{"2020-12-30 12:13:14.123+08:00", TimestampSQL, `invalid SQL timestamp "2020-12-30 12:13:14.123+08:00": a TIMESTAMP without time zone cannot hold a zone offset (+08:00); declare the column TIMESTAMP_LTZ`},
		{"2020-12-30T12:13:14.123-05", TimestampISO8601, "cannot hold a zone offset (-05)"},
		{"2020-12-30 12:13:1x", TimestampSQL, "bad time of day"},
	} {
		for _, any := range []bool{false, true} {
			var got time.Time
			var err error
			if any {
				got, err = ParseTimestampAnyNoZone(tc.in)
			} else {
				got, err = ParseTimestampNoZone(tc.in, tc.f)
			}
			switch {
			case tc.want == "" && (err != nil || !got.Equal(wall)):
				t.Errorf("%q (any %v) = %v, %v; want %v", tc.in, any, got, err, wall)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(tc.want, "invalid SQL "))):
				t.Errorf("%q (any %v): error %v, want one containing %q", tc.in, any, err, tc.want)
			case tc.want != "" && !any && !strings.Contains(err.Error(), tc.want):
				t.Errorf("%q: error %v, want one containing %q", tc.in, err, tc.want)
			case strings.Contains(tc.want, "offset") && !errors.Is(err, ErrZonedTimestamp):
				t.Errorf("%q (any %v): %v does not wrap ErrZonedTimestamp", tc.in, any, err)
			}
		}
	}
	// ParseTimestamp itself keeps converting zoned text to UTC (Debezium's ZonedTimestamp needs it).
	if got, err := ParseTimestamp("2020-12-30 20:13:14.123+08:00", TimestampSQL); err != nil || !got.Equal(wall) {
		t.Errorf("ParseTimestamp with a zone = %v, %v", got, err)
	}
}
