package javatext

import (
	"math"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
)

// Expected strings are what Java 19+ prints for Double.toString / Float.toString.
func TestAppendFloat(t *testing.T) {
	cases := []struct {
		f    float64
		bits int
		want string
	}{
		{1, 64, "1.0"},
		{12.34, 64, "12.34"},
		{-12.34, 64, "-12.34"},
		{100, 64, "100.0"},
		{1e7, 64, "1.0E7"},
		{9999999, 64, "9999999.0"},
		{0.001, 64, "0.001"},
		{0.0001, 64, "1.0E-4"},
		{123456789, 64, "1.23456789E8"},
		{1e21, 64, "1.0E21"},
		{1e23, 64, "1.0E23"},
		{-1.5e-300, 64, "-1.5E-300"},
		{math.MaxFloat64, 64, "1.7976931348623157E308"},
		{math.SmallestNonzeroFloat64, 64, "4.9E-324"},
		{2 * math.SmallestNonzeroFloat64, 64, "9.9E-324"}, // JDK 19+; older JDKs print 1.0E-323
		{2.2250738585072014e-308, 64, "2.2250738585072014E-308"},
		{0, 64, "0.0"},
		{math.Copysign(0, -1), 64, "-0.0"},
		{math.NaN(), 64, "NaN"},
		{math.Inf(1), 64, "Infinity"},
		{math.Inf(-1), 64, "-Infinity"},
		{float64(float32(12.34)), 32, "12.34"},
		{float64(float32(0.1)), 32, "0.1"},
		{float64(float32(1e10)), 32, "1.0E10"},
		{float64(float32(16777216)), 32, "1.6777216E7"},
		{math.MaxFloat32, 32, "3.4028235E38"},
		{math.SmallestNonzeroFloat32, 32, "1.4E-45"},
		{float64(float32(0.001)), 32, "0.001"},
	}
	for _, tc := range cases {
		if got := string(appendFloat(nil, tc.f, tc.bits)); got != tc.want {
			t.Errorf("appendFloat(%v, %d) = %s, want %s", tc.f, tc.bits, got, tc.want)
		}
	}
}

// Expected strings are what Java prints for BigDecimal.toString.
func TestAppendBigDecimal(t *testing.T) {
	cases := []struct {
		unscaled int64
		scale    int32
		want     string
	}{
		{156, 2, "1.56"},
		{-156, 2, "-1.56"},
		{15600, 4, "1.5600"},
		{123, 0, "123"},
		{1, -3, "1E+3"},
		{123, -1, "1.23E+3"},
		{1234, 10, "1.234E-7"},
		{1, 6, "0.000001"},
		{1, 7, "1E-7"},
		{5, 1, "0.5"},
		{-5, 3, "-0.005"},
		{0, 2, "0.00"},
		{0, -2, "0E+2"},
		{12345, 2, "123.45"},
	}
	for _, tc := range cases {
		if got := string(AppendBigDecimal([]byte("x"), connect.NewDecimal(tc.unscaled, tc.scale))); got != "x"+tc.want {
			t.Errorf("AppendBigDecimal(%d, %d) = %s, want x%s", tc.unscaled, tc.scale, got, tc.want)
		}
	}
}

func TestPublicWrappers(t *testing.T) {
	if got := string(AppendDouble(nil, 1e7)); got != "1.0E7" {
		t.Errorf("AppendDouble(1e7) = %s", got)
	}
	if got := string(AppendFloat(nil, 1.1)); got != "1.1" {
		t.Errorf("AppendFloat(1.1) = %s", got)
	}
}
