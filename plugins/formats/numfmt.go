package formats

import (
	"math"
	"strconv"
)

// AppendJavaDouble appends f the way Java's Double.toString writes it, which is what Kafka's
// JsonConverter (through Jackson) and Flink's CSV and JSON formats write: the shortest digits that
// round-trip, in plain notation with at least one fractional digit for 1e-3 ≤ |f| < 1e7
// ("1.0", "0.001", "1234567.5"), otherwise in computerized scientific notation ("1.0E7",
// "1.5E-4"); "NaN", "Infinity", "-Infinity".
func AppendJavaDouble(dst []byte, f float64) []byte { return appendJavaFloat(dst, f, 64) }

// AppendJavaFloat appends f the way Java's Float.toString writes it (see AppendJavaDouble).
func AppendJavaFloat(dst []byte, f float32) []byte { return appendJavaFloat(dst, float64(f), 32) }

func appendJavaFloat(dst []byte, f float64, bits int) []byte {
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
	// 'e' with precision -1 gives the shortest round-tripping digits: d[.ddd]e±XX.
	var buf [32]byte
	var digits [24]byte
	d, exp := splitE(strconv.AppendFloat(buf[:0], f, 'e', -1, bits), digits[:0])
	nd := len(d)
	if f >= 1e-3 && f < 1e7 {
		if exp >= 0 {
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
		dst = append(dst, '0', '.')
		for k := 0; k < -exp-1; k++ {
			dst = append(dst, '0')
		}
		return append(dst, d...)
	}
	if nd == 1 {
		// Java prints at least two digits, the second chosen to be nearest to the value, which
		// is not always 0 for subnormals (4.9E-324, where the shortest form is 5e-324).
		d, exp = splitE(strconv.AppendFloat(buf[:0], f, 'e', 1, bits), digits[:0])
	}
	dst = append(dst, d[0], '.')
	dst = append(dst, d[1:]...)
	dst = append(dst, 'E')
	return strconv.AppendInt(dst, int64(exp), 10)
}

// splitE splits strconv's 'e' form d.ddde±XX into its digits (appended to digits) and exponent.
func splitE(e, digits []byte) ([]byte, int) {
	i := 0
	for ; e[i] != 'e'; i++ {
		if e[i] != '.' {
			digits = append(digits, e[i])
		}
	}
	exp := 0
	for _, c := range e[i+2:] {
		exp = exp*10 + int(c-'0')
	}
	if e[i+1] == '-' {
		exp = -exp
	}
	return digits, exp
}
