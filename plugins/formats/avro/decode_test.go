package avro

import (
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestDecodeMalformed(t *testing.T) {
	s, err := Parse(`{"type":"record","name":"R","fields":[
		{"name":"b","type":"boolean"},
		{"name":"u","type":["null","string"]},
		{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},
		{"name":"a","type":{"type":"array","items":{"type":"record","name":"Empty","fields":[]}}},
		{"name":"m","type":{"type":"map","values":"long"}},
		{"name":"i8","type":{"type":"int","connect.type":"int8"}}]}`, ExactOptions())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		hex       string
		want      string
		truncated bool
	}{
		{"empty", "", "byte offset 0: reading boolean", true},
		{"bad boolean", "02", "byte offset 0: invalid boolean byte 0x02", false},
		{"union index out of range", "0104", "byte offset 1: union branch 2 out of range", false},
		{"string longer than input", "010206", `field "u": byte offset 2: string length 3 exceeds the 0 bytes left`, true},
		{"negative string length", "010201", "negative string length -1", false},
		{"enum index out of range", "010004", "enum index 2 out of range", false},
		{"varint too long", "0100ffffffffffffffffffff01", "varint longer than 10 bytes", false},
		{"too many empty items", "010000feffffffffffffffff01", "exceeds the limit", false},
		{"map block larger than input", "01000000c801", "block of 100 items cannot fit", true},
		{"int8 out of range", "01000000009003", "int 200 out of range for int8", false},
		{"trailing bytes", "010000000000" + "00", "1 trailing bytes", false},
		{"missing last field", "0100000000", "reading varint", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data, err := hex.DecodeString(tc.hex)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Decode(data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if errors.Is(err, errTruncated) != tc.truncated {
				t.Fatalf("errors.Is(err, errTruncated) = %v for %v", !tc.truncated, err)
			}
		})
	}
}

// FuzzDecode feeds arbitrary bytes to the decoder of a schema with every kind of node:
// malformed input must give an error, never a panic, and what decodes must encode again to
// the same bytes.
func FuzzDecode(f *testing.F) {
	text, err := os.ReadFile("testdata/golden/all_types.avsc")
	if err != nil {
		f.Fatal(err)
	}
	s, err := Parse(string(text), ExactOptions())
	if err != nil {
		f.Fatal(err)
	}
	maps, err := Parse(`{"type":"record","name":"M","fields":[
		{"name":"e","type":{"type":"array","items":{"type":"record","name":"MapEntry","namespace":"io.confluent.connect.avro","fields":[{"name":"key","type":["null","int"]},{"name":"value","type":"string"}]}}},
		{"name":"n","type":{"type":"array","items":{"type":"record","name":"Empty","fields":[]}}}]}`, ExactOptions())
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range []string{"all_types", "nulls"} {
		h, err := os.ReadFile("testdata/golden/" + name + ".hex")
		if err != nil {
			f.Fatal(err)
		}
		b, _ := hex.DecodeString(strings.TrimSpace(string(h)))
		f.Add(b)
	}
	f.Add([]byte{0x02, 0x02, 0x00, 0x02, 0x61, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, sc := range []*Schema{s, maps} {
			v, err := sc.Decode(data)
			if err != nil {
				continue
			}
			out, err := sc.Append(nil, v)
			if err != nil {
				t.Fatalf("decoded %v but cannot encode it: %v", v, err)
			}
			// Re-encoding normalises (shortest varints, one block, sorted maps, one of several
			// equal NaN encodings), so compare values rather than bytes.
			back, err := sc.Decode(out)
			if err != nil {
				t.Fatalf("cannot decode our own encoding %x: %v", out, err)
			}
			if render(back) != render(v) {
				t.Fatalf("re-encoding changed the value:\n%s\n%s", render(v), render(back))
			}
		}
	})
}
