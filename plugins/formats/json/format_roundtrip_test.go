package jsonformat

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// randomValue returns a random value of schema s (nil one time in nullEvery when optional).
// millis limits times to whole milliseconds, all that Kafka's representation holds.
func randomValue(r *rand.Rand, s *connect.Schema, millis bool) any {
	if s.Optional && r.IntN(5) == 0 {
		return nil
	}
	frac := func(max int64) int64 {
		n := r.Int64N(max)
		if millis {
			n -= n % 1e6
		}
		return n
	}
	switch s.Name {
	case connect.DecimalName:
		scale, _ := connect.DecimalScale(s)
		p, _ := formats.DecimalPrecision(s)
		var digits strings.Builder
		if r.IntN(2) == 0 {
			digits.WriteByte('-')
		}
		for range r.IntN(p) + 1 {
			digits.WriteByte(byte('0' + r.IntN(10)))
		}
		u, _ := new(big.Int).SetString(digits.String(), 10)
		if r.IntN(4) == 0 {
			u.SetInt64(int64(r.IntN(3)) * 100) // trailing zeros, and zero
		}
		return connect.Decimal{Unscaled: u, Scale: scale}
	case connect.DateName:
		return connect.DaysToDate(int32(r.IntN(6_000_000) - 3_000_000))
	case connect.TimeName:
		return time.Unix(0, frac(24*3600*1e9)).UTC()
	case connect.TimestampName:
		return time.Unix(r.Int64N(2e11)-1e11, frac(1e9)).UTC()
	}
	switch s.Type {
	case connect.TypeBoolean:
		return r.IntN(2) == 0
	case connect.TypeInt8:
		return int8(r.Uint32())
	case connect.TypeInt16:
		return int16(r.Uint32())
	case connect.TypeInt32:
		return int32(r.Uint32())
	case connect.TypeInt64:
		return int64(r.Uint64())
	case connect.TypeFloat32:
		return float32(randomFloat(r))
	case connect.TypeFloat64:
		return randomFloat(r)
	case connect.TypeString:
		return randomString(r)
	case connect.TypeBytes:
		b := make([]byte, r.IntN(8))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	case connect.TypeArray:
		out := make([]any, r.IntN(4))
		for i := range out {
			out[i] = randomValue(r, s.ValueSchema, millis)
		}
		return out
	case connect.TypeMap:
		m := map[string]any{}
		for range r.IntN(4) {
			m[randomString(r)] = randomValue(r, s.ValueSchema, millis)
		}
		return m
	case connect.TypeStruct:
		st := connect.NewStruct(s)
		for i, f := range s.Fields {
			if err := st.PutIndex(i, randomValue(r, f.Schema, millis)); err != nil {
				panic(err)
			}
		}
		return st
	}
	panic("no random value for " + s.String())
}

func randomFloat(r *rand.Rand) float64 {
	switch r.IntN(8) {
	case 0:
		return math.Inf(1 - 2*r.IntN(2))
	case 1:
		return float64(r.IntN(1000))
	case 2:
		return math.Float64frombits(r.Uint64() & 0x000fffffffffffff) // subnormal
	}
	f := math.Float64frombits(r.Uint64())
	if math.IsNaN(f) {
		return 0.5
	}
	return f
}

var alphabet = []rune("aZ09 \"\\/\t\n\x00\x1f\u007fé日本😀\u2028\ufffd")

func randomString(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(6) {
		b.WriteRune(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

// TestFormatRoundTrip writes random records of every type with every option set and reads them
// back: the values must come back equal.
func TestFormatRoundTrip(t *testing.T) {
	for _, opts := range [][]string{
		{},
		{OptTimestampFormat, "ISO-8601"},
		{OptDecimalAsPlainNumber, "true"},
		{OptIgnoreNullFields, "true", OptTimestampFormat, "ISO-8601", OptDecimalAsPlainNumber, "true"},
		{OptFailOnMissingField, "true"},
		{OptSchemasEnable, "true"},
		{OptSchemasEnable, "true", OptDecimalAsPlainNumber, "true", OptIgnoreNullFields, "true"},
	} {
		envelope := slicesContains(opts, OptSchemasEnable)
		c := jsonFormat(t, append([]string{OptSchema, goldenCols}, opts...)...)
		schema, err := ParseRowSchema(goldenCols)
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(1, uint64(len(opts))))
		for i := range 300 {
			v := randomValue(r, schema, envelope).(*connect.Struct)
			msgs, err := c.enc.Encode([]formats.Row{{Schema: schema, Value: v}})
			if err != nil {
				t.Fatalf("options %v, record %d: Encode(%s): %v", opts, i, describe(v), err)
			}
			rows, err := c.dec.Decode(msgs[0])
			if err != nil || len(rows) != 1 {
				t.Fatalf("options %v, record %d: Decode(%s): %d rows, %v", opts, i, msgs[0], len(rows), err)
			}
			if !connect.ValuesEqual(rows[0].Value, v) {
				t.Fatalf("options %v, record %d: %s\nread back as %s\nwritten from %s", opts, i, msgs[0], describe(rows[0].Value), describe(v))
			}
		}
	}
}

// TestFormatRoundTripSchemaless writes random schemaless values and reads them back.
func TestFormatRoundTripSchemaless(t *testing.T) {
	for _, asDecimal := range []bool{false, true} {
		c := jsonFormat(t, OptDecodeNumbersAsDecimal, map[bool]string{false: "false", true: "true"}[asDecimal])
		r := rand.New(rand.NewPCG(2, 3))
		var gen func(depth int) any
		gen = func(depth int) any {
			switch k := r.IntN(8); {
			case k == 0 && depth < 3:
				m := map[string]any{}
				for range r.IntN(4) {
					m[randomString(r)] = gen(depth + 1)
				}
				return m
			case k == 1 && depth < 3:
				a := make([]any, r.IntN(4))
				for i := range a {
					a[i] = gen(depth + 1)
				}
				return a
			case k == 2:
				return randomString(r)
			case k == 3:
				return int64(r.Uint64())
			case k == 4:
				if asDecimal {
					// Without trailing zeros, which are not written, and with a fraction or
					// an exponent, since an integer reads back as int64.
					u := r.Int64N(1e12) + 1
					if u%10 == 0 {
						u++
					}
					if r.IntN(2) == 0 {
						u = -u
					}
					scale := int32(r.IntN(12) - 4)
					if scale == 0 {
						scale = 3
					}
					return connect.NewDecimal(u, scale)
				}
				f := randomFloat(r)
				if math.IsInf(f, 0) {
					return "Infinity" // written as this string, so it reads back as one
				}
				return f
			case k == 5:
				return nil
			}
			return r.IntN(2) == 0
		}
		for i := range 500 {
			v := gen(0)
			msgs, err := c.enc.Encode([]formats.Row{{Value: v}})
			if err != nil {
				t.Fatalf("Encode(%s): %v", describe(v), err)
			}
			if v == nil {
				if msgs[0] != nil {
					t.Fatalf("a nil value was written as %q", msgs[0])
				}
				continue
			}
			rows, err := c.dec.Decode(msgs[0])
			if err != nil || len(rows) != 1 {
				t.Fatalf("record %d: Decode(%s): %v", i, msgs[0], err)
			}
			if !connect.ValuesEqual(rows[0].Value, v) {
				t.Fatalf("record %d (decimals %v): %s\nread back as %s\nwritten from %s", i, asDecimal, msgs[0], describe(rows[0].Value), describe(v))
			}
		}
	}
}
