package file

import (
	"bytes"
	"io"
	"slices"
	"testing"
)

// referenceLines splits data the way Kafka's FileStreamSourceTask.extractLine does, one
// character at a time: lines end at "\n", "\r\n" or a lone "\r", and a '\r' at the very end
// is not a terminator yet. ends are the positions after each line's terminator.
func referenceLines(data []byte) (lines []string, ends []int) {
	start := 0
	for i := 0; i < len(data); i++ {
		end := -1
		switch data[i] {
		case '\n':
			end = i + 1
		case '\r':
			if i+1 == len(data) {
				return lines, ends
			}
			end = i + 1
			if data[i+1] == '\n' {
				end = i + 2
			}
		default:
			continue
		}
		lines = append(lines, string(data[start:i]))
		ends = append(ends, end)
		start = end
		i = end - 1
	}
	return lines, ends
}

func TestCutLine(t *testing.T) {
	tests := []struct {
		in   string
		line string
		n    int
	}{
		{"", "", 0},
		{"abc", "", 0},
		{"abc\n", "abc", 4},
		{"abc\ndef\n", "abc", 4},
		{"\n", "", 1},
		{"abc\r\n", "abc", 5},
		{"abc\rdef", "abc", 4},
		{"abc\r", "", 0}, // "\r" or "\r\n"? The next byte decides.
		{"\r\r", "", 1},
		{"a\n\r", "a", 2},
		{"a\r\r\n", "a", 2},
		{"a\x00b\n", "a\x00b", 4},
	}
	for _, tt := range tests {
		line, n := cutLine([]byte(tt.in))
		if string(line) != tt.line || n != tt.n {
			t.Errorf("cutLine(%q) = %q, %d; want %q, %d", tt.in, line, n, tt.line, tt.n)
		}
	}
}

func FuzzCutLine(f *testing.F) {
	for _, s := range []string{"", "a\n", "a\r\n", "a\r", "a\rb", "\r\n\r\n", "\n\r", "x\r\r\ny"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		line, n := cutLine(data)
		lines, ends := referenceLines(data)
		if len(lines) == 0 {
			if n != 0 {
				t.Fatalf("cutLine(%q) = %q, %d; the reference finds no complete line", data, line, n)
			}
			return
		}
		if string(line) != lines[0] || n != ends[0] {
			t.Fatalf("cutLine(%q) = %q, %d; want %q, %d", data, line, n, lines[0], ends[0])
		}
	})
}

// trickleReader delivers data in chunks whose sizes cycle through sizes, and reports io.EOF
// once between chunks, like a file that another process appends to bit by bit.
type trickleReader struct {
	data  []byte
	sizes []byte
	k     int
	atEOF bool
}

func (r *trickleReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 || r.atEOF {
		r.atEOF = false
		return 0, io.EOF
	}
	n := 1
	if len(r.sizes) > 0 {
		n = int(r.sizes[r.k%len(r.sizes)]) + 1
		r.k++
	}
	n = copy(p, r.data[:min(n, len(r.data))])
	r.data = r.data[n:]
	r.atEOF = true
	return n, nil
}

// readAll drives a lineReader over r until r is exhausted and returns the lines with the
// running positions after them, as the source task computes them.
func readAll(t testing.TB, r *trickleReader, bufSize int) (lines []string, ends []int) {
	lr := lineReader{size: bufSize}
	pos := 0
	for {
		if line, n, ok := lr.next(); ok {
			pos += n
			lines = append(lines, string(line))
			ends = append(ends, pos)
			continue
		}
		n, err := lr.fill(r)
		if n == 0 && err == io.EOF && len(r.data) == 0 {
			return lines, ends
		}
		if err != nil && err != io.EOF {
			t.Fatal(err)
		}
	}
}

func FuzzLineReader(f *testing.F) {
	f.Add([]byte("one\ntwo\r\nthree\rfour"), []byte{0})
	f.Add([]byte("a\r\nb\r\nc\r\n"), []byte{1, 0, 2})
	f.Add(bytes.Repeat([]byte("0123456789\r"), 20), []byte{200, 255, 3})
	f.Add([]byte("a line longer than the buffer\r\nand another one\r"), []byte{7, 1})
	f.Fuzz(func(t *testing.T, data, sizes []byte) {
		// A buffer of 1 to 16 bytes makes most lines overflow it, so that compaction and
		// growth run all the time.
		bufSize := 1
		if len(sizes) > 0 {
			bufSize += int(sizes[0] % 16)
		}
		lines, ends := readAll(t, &trickleReader{data: data, sizes: sizes}, bufSize)
		wantLines, wantEnds := referenceLines(data)
		if !slices.Equal(lines, wantLines) || !slices.Equal(ends, wantEnds) {
			t.Fatalf("chunked read of %q in sizes %v:\n got %q at %v\nwant %q at %v", data, sizes, lines, ends, wantLines, wantEnds)
		}
	})
}

func TestLineReaderReusesBuffer(t *testing.T) {
	data := bytes.Repeat([]byte("a line of moderate length\n"), 50000) // ~20 buffers' worth
	var lr lineReader
	r := bytes.NewReader(data)
	lines := 0
	for {
		if _, _, ok := lr.next(); ok {
			lines++
			continue
		}
		if n, _ := lr.fill(r); n == 0 {
			break
		}
	}
	if lines != 50000 {
		t.Fatalf("read %d lines, want 50000", lines)
	}
	if len(lr.buf) != initialBufferSize {
		t.Errorf("buffer grew to %d bytes for short lines; want it reused at %d", len(lr.buf), initialBufferSize)
	}
}
