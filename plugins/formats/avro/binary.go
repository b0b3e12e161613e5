package avro

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// The Avro binary primitives are written by hand on plain byte slices: appending to the
// caller's buffer and reading from a slice with an offset keeps the hot path free of the
// io.Writer/io.Reader indirection and of per-call allocations.

func appendLong(b []byte, v int64) []byte {
	u := uint64(v<<1) ^ uint64(v>>63)
	for u >= 0x80 {
		b = append(b, byte(u)|0x80)
		u >>= 7
	}
	return append(b, byte(u))
}

func appendFloat(b []byte, f float32) []byte {
	return binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
}

func appendDouble(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

func appendBytes(b, p []byte) []byte {
	return append(appendLong(b, int64(len(p))), p...)
}

func appendString(b []byte, s string) []byte {
	return append(appendLong(b, int64(len(s))), s...)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// errTruncated is wrapped by every error about input that ends too early.
var errTruncated = errors.New("unexpected end of input")

// reader reads Avro binary data from one message.
type reader struct {
	buf []byte
	pos int
	// str is buf converted to a string once; decoded strings are substrings of it, so a record
	// with many string fields costs one allocation instead of one per field.
	str string
	// own is a private copy of buf; decoded bytes values are sub-slices of it for the same reason.
	own []byte
}

func (r *reader) errorf(format string, args ...any) error {
	return fmt.Errorf("byte offset %d: "+format, append([]any{r.pos}, args...)...)
}

func (r *reader) truncated(what string) error {
	return fmt.Errorf("byte offset %d: reading %s: %w", r.pos, what, errTruncated)
}

func (r *reader) long() (int64, error) {
	var u uint64
	var shift uint
	start := r.pos
	for i := 0; i < 10; i++ {
		if r.pos >= len(r.buf) {
			r.pos = start
			return 0, r.truncated("varint")
		}
		c := r.buf[r.pos]
		r.pos++
		u |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return int64(u>>1) ^ -int64(u&1), nil
		}
		shift += 7
	}
	r.pos = start
	return 0, r.errorf("varint longer than 10 bytes")
}

func (r *reader) int() (int32, error) {
	start := r.pos
	v, err := r.long()
	if err != nil {
		return 0, err
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		r.pos = start
		return 0, r.errorf("int %d out of range", v)
	}
	return int32(v), nil
}

func (r *reader) boolean() (bool, error) {
	if r.pos >= len(r.buf) {
		return false, r.truncated("boolean")
	}
	c := r.buf[r.pos]
	if c > 1 {
		return false, r.errorf("invalid boolean byte 0x%02x", c)
	}
	r.pos++
	return c == 1, nil
}

func (r *reader) float() (float32, error) {
	if len(r.buf)-r.pos < 4 {
		return 0, r.truncated("float")
	}
	v := math.Float32frombits(binary.LittleEndian.Uint32(r.buf[r.pos:]))
	r.pos += 4
	return v, nil
}

func (r *reader) double() (float64, error) {
	if len(r.buf)-r.pos < 8 {
		return 0, r.truncated("double")
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.buf[r.pos:]))
	r.pos += 8
	return v, nil
}

// span reads a length prefix and returns the bounds of the payload that follows.
func (r *reader) span(what string) (int, int, error) {
	start := r.pos
	n, err := r.long()
	if err != nil {
		return 0, 0, err
	}
	if n < 0 {
		r.pos = start
		return 0, 0, r.errorf("negative %s length %d", what, n)
	}
	if left := len(r.buf) - r.pos; n > int64(left) {
		r.pos = start
		return 0, 0, fmt.Errorf("byte offset %d: %s length %d exceeds the %d bytes left: %w", start, what, n, left, errTruncated)
	}
	a := r.pos
	r.pos += int(n)
	return a, r.pos, nil
}

func (r *reader) string() (string, error) {
	a, b, err := r.span("string")
	if err != nil || a == b {
		return "", err
	}
	if r.str == "" {
		r.str = string(r.buf)
	}
	return r.str[a:b], nil
}

// rawBytes returns the payload without copying; the caller must not keep it.
func (r *reader) rawBytes() ([]byte, error) {
	a, b, err := r.span("bytes")
	if err != nil {
		return nil, err
	}
	return r.buf[a:b], nil
}

// bytes returns a copy the caller may keep and modify.
func (r *reader) bytes() ([]byte, error) {
	a, b, err := r.span("bytes")
	if err != nil {
		return nil, err
	}
	return r.owned(a, b), nil
}

func (r *reader) fixed(size int) (a, b int, err error) {
	if len(r.buf)-r.pos < size {
		return 0, 0, r.truncated(fmt.Sprintf("fixed[%d]", size))
	}
	a = r.pos
	r.pos += size
	return a, r.pos, nil
}

// owned returns buf[a:b] as a slice of the private copy, capped so appends cannot clobber
// the values that follow it.
func (r *reader) owned(a, b int) []byte {
	if r.own == nil {
		r.own = append([]byte(nil), r.buf...)
	}
	return r.own[a:b:b]
}

// blockCount reads the item count of the next array or map block. A negative count is
// followed by the block's byte size, which we do not need.
func (r *reader) blockCount() (int64, error) {
	start := r.pos
	n, err := r.long()
	if err != nil {
		return 0, err
	}
	if n < 0 {
		if n == math.MinInt64 {
			r.pos = start
			return 0, r.errorf("invalid block count")
		}
		n = -n
		if _, err := r.long(); err != nil {
			return 0, err
		}
	}
	return n, nil
}
