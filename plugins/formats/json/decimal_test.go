package jsonformat

import (
	"bytes"
	"math"
	"math/big"
	"math/rand"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
)

func TestUnscaledBytes(t *testing.T) {
	cases := []struct {
		v    int64
		want []byte
	}{
		{156, []byte{0, 0x9c}}, // Kafka's decimalToJson: new byte[]{0, -100}
		{0, []byte{0}},
		{-1, []byte{0xff}},
		{127, []byte{0x7f}},
		{128, []byte{0, 0x80}},
		{-128, []byte{0x80}},
		{-129, []byte{0xff, 0x7f}},
		{255, []byte{0, 0xff}},
		{-32768, []byte{0x80, 0x00}},
		{math.MinInt64, []byte{0x80, 0, 0, 0, 0, 0, 0, 0}},
		{math.MaxInt64, []byte{0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	}
	for _, tc := range cases {
		if got := appendUnscaled(nil, big.NewInt(tc.v)); !bytes.Equal(got, tc.want) {
			t.Errorf("appendUnscaled(%d) = %x, want %x", tc.v, got, tc.want)
		}
	}
	// Any value decodes back, and the encoding is minimal: dropping the first byte would
	// change the sign or the value.
	r := rand.New(rand.NewSource(1))
	for range 2000 {
		u := new(big.Int).Rand(r, new(big.Int).Lsh(big.NewInt(1), uint(r.Intn(200)+1)))
		if r.Intn(2) == 0 {
			u.Neg(u)
		}
		b := appendUnscaled(nil, u)
		if back := connect.DecimalFromBytes(b, 0).Unscaled; back.Cmp(u) != 0 {
			t.Fatalf("%v encodes as %x, which decodes to %v", u, b, back)
		}
		if len(b) > 1 && connect.DecimalFromBytes(b[1:], 0).Unscaled.Cmp(u) == 0 {
			t.Fatalf("%v encodes as %x, which is not minimal", u, b)
		}
	}
}

// TestDecimalToken: the fast path for plain tokens gives what connect.ParseDecimal gives, scale
// included, and leaves other tokens to it.
func TestDecimalToken(t *testing.T) {
	for _, tok := range []string{"0", "-0", "0.0", "-0.0", "1.50", "-2.5", "0.000000027", "123456789012345678",
		"999999999999999999.9", "1234567890123456789", "-9223372036854775808", "12345678901234567890123", "1e3", "-2.5E-1", "1.0e+2"} {
		want, err := connect.ParseDecimal(tok)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decimalToken([]byte(tok))
		if err != nil {
			t.Fatalf("%s: %v", tok, err)
		}
		d := got.(connect.Decimal)
		if d.Scale != want.Scale || d.Unscaled.Cmp(want.Unscaled) != 0 {
			t.Errorf("%s = %s (scale %d), want %s (scale %d)", tok, d, d.Scale, want, want.Scale)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = decimalToken([]byte("-1234.5678")) }); n > 3 {
		t.Errorf("a plain token costs %v allocations, want at most 3", n)
	}
}
