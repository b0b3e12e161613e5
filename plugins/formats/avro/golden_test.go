package avro

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

var update = flag.Bool("update", false, "rewrite the .txt golden files and write missing .hex files")

// TestGolden runs every testdata/golden/<name>.avsc with <name>.json (the value, as JSON),
// <name>.hex (the Avro bytes) and <name>.txt (the decoded Connect value, rendered). The bytes
// must decode to the rendering, the JSON and the decoded value must both encode to the bytes,
// and hamba must read the bytes too. spec_example.hex is the Avro specification's own example
// and is never rewritten.
func TestGolden(t *testing.T) {
	schemas, err := filepath.Glob("testdata/golden/*.avsc")
	if err != nil || len(schemas) == 0 {
		t.Fatalf("no golden schemas: %v", err)
	}
	for _, path := range schemas {
		name := strings.TrimSuffix(path, ".avsc")
		t.Run(filepath.Base(name), func(t *testing.T) {
			text, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Parse(string(text), ExactOptions())
			if err != nil {
				t.Fatal(err)
			}
			in, err := os.ReadFile(name + ".json")
			if err != nil {
				t.Fatal(err)
			}
			d := json.NewDecoder(bytes.NewReader(in))
			d.UseNumber()
			var value any
			if err := d.Decode(&value); err != nil {
				t.Fatal(err)
			}
			fromJSON, err := s.Append(nil, value)
			if err != nil {
				t.Fatalf("encode JSON: %v", err)
			}
			hexText, err := os.ReadFile(name + ".hex")
			if os.IsNotExist(err) && *update {
				hexText = []byte(hex.EncodeToString(fromJSON) + "\n")
				if err := os.WriteFile(name+".hex", hexText, 0o644); err != nil {
					t.Fatal(err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			data, err := hex.DecodeString(strings.TrimSpace(string(hexText)))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(fromJSON, data) {
				t.Fatalf("JSON encodes to\n%x\nwant\n%x", fromJSON, data)
			}
			got, err := s.Decode(data)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			rendered := render(got) + "\n"
			if *update {
				if err := os.WriteFile(name+".txt", []byte(rendered), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(name + ".txt")
			if err != nil {
				t.Fatal(err)
			}
			if rendered != string(want) {
				t.Fatalf("decoded\n%s\nwant\n%s", rendered, want)
			}
			again, err := s.Append(nil, got)
			if err != nil {
				t.Fatalf("encode decoded value: %v", err)
			}
			if !bytes.Equal(again, data) {
				t.Fatalf("decoded value encodes to\n%x\nwant\n%x", again, data)
			}
			crossCheck(t, s, data, got)
		})
	}
}

// render writes a Connect value in a stable text form: struct fields in order, map keys
// sorted, times in UTC, bytes in hex.
func render(v any) string {
	var b strings.Builder
	renderTo(&b, v, "")
	return b.String()
}

func renderTo(b *strings.Builder, v any, indent string) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case *connect.Struct:
		s := x.Schema()
		name := s.Name
		if name == "" {
			name = "struct"
		}
		b.WriteString(name + " {\n")
		for i, f := range s.Fields {
			b.WriteString(indent + "  " + f.Name + ": ")
			renderTo(b, x.RawIndex(i), indent+"  ")
			b.WriteString("\n")
		}
		b.WriteString(indent + "}")
	case []any:
		b.WriteString("[")
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			renderTo(b, e, indent)
		}
		b.WriteString("]")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(k) + ": ")
			renderTo(b, x[k], indent)
		}
		b.WriteString("}")
	case string:
		b.WriteString(strconv.Quote(x))
	case []byte:
		b.WriteString("0x" + hex.EncodeToString(x))
	case time.Time:
		b.WriteString(x.UTC().Format(time.RFC3339Nano))
	case connect.Decimal:
		b.WriteString(x.String() + "d")
	default:
		fmt.Fprintf(b, "%v (%T)", x, x)
	}
}
