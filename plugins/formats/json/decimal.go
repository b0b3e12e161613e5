package jsonformat

import (
	"math/big"

	"github.com/raftconnect/raftconnect/connect"
)

// appendUnscaled appends a Decimal's unscaled value as Kafka writes it (Java's
// BigInteger.toByteArray: minimal big-endian two's complement, so -128 is one byte, 0x80, and
// 128 two, 0x00 0x80), without allocating for values that fit in an int64, the common case.
func appendUnscaled(dst []byte, u *big.Int) []byte {
	if u == nil || !u.IsInt64() {
		return append(dst, connect.DecimalToBytes(connect.Decimal{Unscaled: u})...)
	}
	v := u.Int64()
	n := 8
	// Drop leading bytes that are pure sign extension of the next one.
	for n > 1 {
		top := byte(v >> (8 * (n - 1)))
		next := byte(v >> (8 * (n - 2)))
		if !(top == 0 && next < 0x80 || top == 0xff && next >= 0x80) {
			break
		}
		n--
	}
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(8*i)))
	}
	return dst
}
