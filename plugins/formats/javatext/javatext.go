// Package javatext writes numbers as Java prints them: Double.toString, Float.toString and
// BigDecimal.toString. Kafka Connect's converters produce those texts (JsonConverter through
// Jackson, StringConverter and SimpleHeaderConverter through toString), so byte-compatible
// output needs the same algorithms. Every format writes floats through it.
package javatext

import (
	"math"
	"math/big"
	"strconv"

	"github.com/raftconnect/raftconnect/connect"
)

// AppendDouble appends f as Java's Double.toString prints it.
func AppendDouble(dst []byte, f float64) []byte { return appendFloat(dst, f, 64) }

// AppendFloat appends f as Java's Float.toString prints it.
func AppendFloat(dst []byte, f float32) []byte { return appendFloat(dst, float64(f), 32) }

// appendFloat appends f as Java's Double.toString (bits 64) or Float.toString (bits 32)
// prints it on JDK 19 and later: the shortest digits that identify the value, in plain notation
// with at least one fractional digit when 1e-3 <= |f| < 1e7 ("12.34", "100.0", "0.001"), otherwise
// in computerized scientific notation ("1.0E7", "1.5E-4"). NaN and the infinities are spelled as
// Java spells them.
func appendFloat(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	var buf [32]byte
	var digits [24]byte
	nd, exp := floatDigits(strconv.AppendFloat(buf[:0], f, 'e', -1, bits), &digits)
	if nd == 1 {
		// Java always prints two significant digits (d.d) and, when one digit would identify
		// the value, picks the two-digit decimal nearest to it: 4.9E-324, not 5.0E-324. For
		// normal numbers that is d.0; only subnormals differ.
		nd, exp = floatDigits(strconv.AppendFloat(buf[:0], f, 'e', 1, bits), &digits)
		for nd > 1 && digits[nd-1] == '0' {
			nd--
		}
	}
	d := digits[:nd]
	if exp >= -3 && exp < 7 {
		if exp < 0 {
			dst = append(dst, '0', '.')
			for k := 0; k < -exp-1; k++ {
				dst = append(dst, '0')
			}
			return append(dst, d...)
		}
		intLen := exp + 1
		if intLen >= nd {
			dst = append(dst, d...)
			for k := nd; k < intLen; k++ {
				dst = append(dst, '0')
			}
			return append(dst, '.', '0')
		}
		dst = append(dst, d[:intLen]...)
		dst = append(dst, '.')
		return append(dst, d[intLen:]...)
	}
	dst = append(dst, d[0], '.')
	if nd > 1 {
		dst = append(dst, d[1:]...)
	} else {
		dst = append(dst, '0')
	}
	dst = append(dst, 'E')
	return strconv.AppendInt(dst, int64(exp), 10)
}

// floatDigits splits strconv's 'e' form "d[.ddd]e±XX" into its significant digits and the
// decimal exponent of the first digit.
func floatDigits(e []byte, digits *[24]byte) (nd, exp int) {
	i := 0
	for ; e[i] != 'e'; i++ {
		if e[i] != '.' {
			digits[nd] = e[i]
			nd++
		}
	}
	neg := e[i+1] == '-'
	for _, c := range e[i+2:] {
		exp = exp*10 + int(c-'0')
	}
	if neg {
		exp = -exp
	}
	return nd, exp
}

// AppendBigDecimal appends d as Java's BigDecimal.toString prints it: plain notation when the
// scale is non-negative and the adjusted exponent is at least -6 ("1.56", "0.000100"), otherwise
// scientific notation with an explicit exponent sign ("1E+3", "1.23E-7").
func AppendBigDecimal(dst []byte, d connect.Decimal) []byte {
	u := d.Unscaled
	if u == nil {
		u = new(big.Int)
	}
	if u.Sign() < 0 {
		dst = append(dst, '-')
	}
	start := len(dst)
	dst = new(big.Int).Abs(u).Append(dst, 10)
	coeff := len(dst) - start
	scale := int64(d.Scale)
	if scale == 0 {
		return dst
	}
	adjusted := -scale + int64(coeff-1)
	if scale > 0 && adjusted >= -6 {
		if pad := int(scale) - coeff; pad >= 0 {
			// 0.000ddd: shift the digits right to make room for "0." and the zeros.
			n := pad + 2
			dst = append(dst, make([]byte, n)...)
			copy(dst[start+n:], dst[start:start+coeff])
			dst[start], dst[start+1] = '0', '.'
			for k := 0; k < pad; k++ {
				dst[start+2+k] = '0'
			}
			return dst
		}
		point := start + coeff - int(scale)
		dst = append(dst, 0)
		copy(dst[point+1:], dst[point:len(dst)-1])
		dst[point] = '.'
		return dst
	}
	if coeff > 1 {
		dst = append(dst, 0)
		copy(dst[start+2:], dst[start+1:len(dst)-1])
		dst[start+1] = '.'
	}
	if adjusted != 0 {
		dst = append(dst, 'E')
		if adjusted > 0 {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, adjusted, 10)
	}
	return dst
}
