package connect

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// Names of the logical types, as Kafka Connect writes them.
const (
	DecimalName   = "org.apache.kafka.connect.data.Decimal"
	DateName      = "org.apache.kafka.connect.data.Date"
	TimeName      = "org.apache.kafka.connect.data.Time"
	TimestampName = "org.apache.kafka.connect.data.Timestamp"
	// DecimalScaleParameter is the schema parameter holding a Decimal's scale.
	DecimalScaleParameter = "scale"
)

// Decimal is an exact decimal number: Unscaled × 10^-Scale. It is the value of the Decimal
// logical type, whose schema carries the scale as the "scale" parameter.
type Decimal struct {
	Unscaled *big.Int
	Scale    int32
}

// NewDecimal returns unscaled × 10^-scale.
func NewDecimal(unscaled int64, scale int32) Decimal {
	return Decimal{Unscaled: big.NewInt(unscaled), Scale: scale}
}

// ParseDecimal parses a plain or exponent decimal string such as "-12.340" or "1.5E+3".
func ParseDecimal(s string) (Decimal, error) {
	orig := s
	exp := int64(0)
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.ParseInt(s[i+1:], 10, 32)
		if err != nil {
			return Decimal{}, fmt.Errorf("invalid decimal %q: bad exponent", orig)
		}
		exp = e
		s = s[:i]
	}
	scale := int64(0)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		scale = int64(len(s) - i - 1)
		s = s[:i] + s[i+1:]
	}
	if s == "" || s == "-" || s == "+" {
		return Decimal{}, fmt.Errorf("invalid decimal %q", orig)
	}
	u, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return Decimal{}, fmt.Errorf("invalid decimal %q", orig)
	}
	scale -= exp
	// Bound the scale: a text like "1e-999999999" would otherwise make String and Rescale
	// build gigabytes. No database decimal comes near this.
	if scale < -maxDecimalScale || scale > maxDecimalScale {
		return Decimal{}, fmt.Errorf("invalid decimal %q: scale %d out of range ±%d", orig, scale, maxDecimalScale)
	}
	return Decimal{Unscaled: u, Scale: int32(scale)}, nil
}

// String renders the decimal in plain notation with exactly Scale fractional digits.
func (d Decimal) String() string {
	if d.Unscaled == nil {
		return "0"
	}
	s := d.Unscaled.String()
	if d.Scale <= 0 {
		if d.Unscaled.Sign() == 0 {
			return "0" // 0E+2 is zero, not "000", which no JSON reader accepts
		}
		return s + strings.Repeat("0", int(-d.Scale))
	}
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	if len(s) <= int(d.Scale) {
		s = strings.Repeat("0", int(d.Scale)-len(s)+1) + s
	}
	p := len(s) - int(d.Scale)
	s = s[:p] + "." + s[p:]
	if neg {
		s = "-" + s
	}
	return s
}

// Rescale returns the same number with the given scale, or an error if precision would be lost.
func (d Decimal) Rescale(scale int32) (Decimal, error) {
	if d.Unscaled == nil {
		return Decimal{Unscaled: new(big.Int), Scale: scale}, nil
	}
	if scale == d.Scale {
		return d, nil
	}
	if scale > d.Scale {
		m := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale-d.Scale)), nil)
		return Decimal{Unscaled: m.Mul(m, d.Unscaled), Scale: scale}, nil
	}
	div := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale-scale)), nil)
	q, r := new(big.Int).QuoRem(d.Unscaled, div, new(big.Int))
	if r.Sign() != 0 {
		return Decimal{}, fmt.Errorf("decimal %s cannot be rescaled to scale %d without rounding", d, scale)
	}
	return Decimal{Unscaled: q, Scale: scale}, nil
}

// Float64 returns the nearest float64.
func (d Decimal) Float64() float64 {
	f, _ := strconv.ParseFloat(d.String(), 64)
	return f
}

// Cmp compares two decimals numerically (-1, 0, +1), whatever their scales.
func (d Decimal) Cmp(o Decimal) int {
	a, b := d, o
	s := max(a.Scale, b.Scale)
	a, _ = a.Rescale(s)
	b, _ = b.Rescale(s)
	return a.Unscaled.Cmp(b.Unscaled)
}

// DecimalSchema returns a builder for a Decimal schema of the given scale.
func DecimalSchema(scale int32) *SchemaBuilder {
	return NewSchemaBuilder(TypeBytes).Name(DecimalName).Version(1).
		Parameter(DecimalScaleParameter, strconv.Itoa(int(scale)))
}

// DateSchema returns a builder for the Date logical type (days since the epoch, INT32).
func DateSchema() *SchemaBuilder { return NewSchemaBuilder(TypeInt32).Name(DateName).Version(1) }

// TimeSchema returns a builder for the Time logical type (milliseconds since midnight, INT32).
func TimeSchema() *SchemaBuilder { return NewSchemaBuilder(TypeInt32).Name(TimeName).Version(1) }

// TimestampSchema returns a builder for the Timestamp logical type (epoch milliseconds, INT64).
func TimestampSchema() *SchemaBuilder {
	return NewSchemaBuilder(TypeInt64).Name(TimestampName).Version(1)
}

// DecimalScale returns the scale of a Decimal schema.
func DecimalScale(s *Schema) (int32, error) {
	p, ok := s.Parameters[DecimalScaleParameter]
	if !ok {
		return 0, fmt.Errorf("decimal schema %s has no %q parameter", s, DecimalScaleParameter)
	}
	n, err := strconv.ParseInt(p, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("decimal schema %s: invalid scale %q", s, p)
	}
	return int32(n), nil
}

// DecimalToBytes encodes d's unscaled value as big-endian two's complement, as Kafka does.
func DecimalToBytes(d Decimal) []byte {
	u := d.Unscaled
	if u == nil || u.Sign() == 0 {
		return []byte{0}
	}
	if u.Sign() > 0 {
		b := u.Bytes()
		if b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return b
	}
	// Negative: two's complement over the minimal number of bytes, as Java's
	// BigInteger.toByteArray writes it (-128 is one byte, 0x80).
	n := new(big.Int).Not(u).BitLen()/8 + 1
	m := new(big.Int).Lsh(big.NewInt(1), uint(n*8))
	m.Add(m, u)
	b := m.Bytes()
	for len(b) < n {
		b = append([]byte{0}, b...)
	}
	return b
}

// DecimalFromBytes decodes a big-endian two's complement unscaled value with the given scale.
func DecimalFromBytes(b []byte, scale int32) Decimal {
	u := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		u.Sub(u, new(big.Int).Lsh(big.NewInt(1), uint(len(b)*8)))
	}
	return Decimal{Unscaled: u, Scale: scale}
}

// maxDecimalScale bounds the scale ParseDecimal accepts.
const maxDecimalScale = 10000

const msPerDay = 24 * 60 * 60 * 1000

// DateToDays converts a Date value (midnight UTC) to days since the epoch.
func DateToDays(t time.Time) (int32, error) {
	ms := t.UnixMilli()
	if ms%msPerDay != 0 {
		return 0, fmt.Errorf("date %s is not midnight UTC", t.UTC().Format(time.RFC3339Nano))
	}
	days := ms / msPerDay
	if days < math.MinInt32 || days > math.MaxInt32 {
		return 0, fmt.Errorf("date %s is out of the Date range (int32 days since the epoch)", t.UTC().Format(time.RFC3339))
	}
	return int32(days), nil
}

// DaysToDate converts days since the epoch to a Date value.
func DaysToDate(days int32) time.Time { return time.UnixMilli(int64(days) * msPerDay).UTC() }

// TimeToMillis converts a Time value (a time on 1970-01-01 UTC) to milliseconds since midnight.
func TimeToMillis(t time.Time) (int32, error) {
	ms := t.UnixMilli()
	if ms < 0 || ms > msPerDay {
		return 0, fmt.Errorf("time %s is not on 1970-01-01 UTC", t.UTC().Format(time.RFC3339Nano))
	}
	return int32(ms), nil
}

// MillisToTime converts milliseconds since midnight to a Time value.
func MillisToTime(ms int32) time.Time { return time.UnixMilli(int64(ms)).UTC() }
