package file

import (
	"bytes"
	"io"
)

// cutLine finds the first complete line in data and returns it without its terminator, with n,
// the number of bytes it takes up including the terminator. n == 0 means data holds no complete
// line yet.
//
// Like Kafka's FileStreamSourceTask, it ends lines at "\n", "\r\n" and a lone "\r". A '\r' that
// is the last byte of data does not end a line yet: only the next byte tells a lone "\r" from
// the first half of "\r\n", and cutting early would turn "\r\n" into a line and an empty line.
// The returned line aliases data.
func cutLine(data []byte) (line []byte, n int) {
	// Two IndexByte scans (vectorised) beat one IndexAny scan for the common "\n" case.
	nl := bytes.IndexByte(data, '\n')
	scan := data
	if nl >= 0 {
		scan = data[:nl]
	}
	if cr := bytes.IndexByte(scan, '\r'); cr >= 0 {
		switch {
		case cr+1 == len(data):
			return nil, 0
		case data[cr+1] == '\n':
			return data[:cr], cr + 2
		default:
			return data[:cr], cr + 1
		}
	}
	if nl >= 0 {
		return data[:nl], nl + 1
	}
	return nil, 0
}

// initialBufferSize is the read buffer of a lineReader. Lines longer than this grow the buffer.
const initialBufferSize = 64 << 10

// lineReader cuts lines out of a stream that may still be growing, such as a file that another
// process appends to. It reads into one buffer that it reuses: consumed bytes are dropped by
// moving the unconsumed tail (at most one partial line) to the front before the next read, and
// the buffer only grows when a single line does not fit.
//
// Unlike bufio.Scanner it does not stop for good at io.EOF: the caller can fill again later
// and pick up where the partial line left off.
type lineReader struct {
	buf        []byte
	start, end int // buf[start:end] has been read but not yet cut into lines
	// scanned counts the bytes after start known to hold no line terminator, so that a long
	// line arriving in many small reads is not scanned again from its beginning every time.
	scanned int
	// size is the initial buffer size; 0 means initialBufferSize. Tests make it tiny to
	// exercise compaction and growth.
	size int
}

// next returns the next complete line already in the buffer and the bytes it takes up
// including its terminator. The line aliases the buffer and is valid until the next fill.
func (lr *lineReader) next() (line []byte, n int, ok bool) {
	data := lr.buf[lr.start:lr.end]
	rest, n := cutLine(data[lr.scanned:])
	if n == 0 {
		lr.scanned = len(data)
		if lr.scanned > 0 && data[lr.scanned-1] == '\r' {
			lr.scanned-- // a trailing '\r' is decided by the next byte
		}
		return nil, 0, false
	}
	line, n = data[:lr.scanned+len(rest)], lr.scanned+n
	lr.start += n
	lr.scanned = 0
	return line, n, true
}

// fill reads once from r into the free end of the buffer and returns what r.Read returned.
func (lr *lineReader) fill(r io.Reader) (int, error) {
	if lr.buf == nil {
		if lr.size <= 0 {
			lr.size = initialBufferSize
		}
		lr.buf = make([]byte, lr.size)
	}
	if lr.start > 0 {
		lr.end = copy(lr.buf, lr.buf[lr.start:lr.end])
		lr.start = 0
	}
	if lr.end == len(lr.buf) {
		// One line fills the whole buffer: double it. Kafka's task has no limit either; a
		// file without line breaks is read into memory until one appears.
		lr.buf = append(lr.buf, make([]byte, len(lr.buf))...)
	}
	n, err := r.Read(lr.buf[lr.end:])
	lr.end += n
	return n, err
}

// buffered is the number of bytes read but not yet returned as lines.
func (lr *lineReader) buffered() int { return lr.end - lr.start }
