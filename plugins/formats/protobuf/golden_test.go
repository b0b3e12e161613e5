package protobuf

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/raftconnect/raftconnect/connect"
)

// go test -update . rewrites testdata/test.desc and the .bin files (TestGenerateGolden) and the
// .golden files (TestGolden); review the diff before committing.
var update = flag.Bool("update", false, "rewrite testdata/test.desc, *.bin and *.golden")

const descFile = "testdata/test.desc"

const (
	msgOrder    = pkgV1 + ".Order"
	msgScalars  = pkgV1 + ".Scalars"
	msgWrappers = pkgV1 + ".Wrappers"
	msgEvent    = pkgV1 + ".Event"
	msgLegacy   = pkgLegacy + ".Legacy"
)

// goldenCases pairs each hand-written testdata/NAME.txtpb with its message type. The .bin files
// are what Go's reference implementation writes for them (proto.MarshalOptions{Deterministic:
// true}), i.e. what a real producer sends.
var goldenCases = []struct{ name, msg string }{
	{"order_full", msgOrder},
	{"order_empty", msgOrder},
	{"order_oneof_voucher", msgOrder},
	{"scalars_extremes", msgScalars},
	{"scalars_float_edges", msgScalars},
	{"wrappers_set", msgWrappers},
	{"wrappers_zero", msgWrappers},
	{"legacy_minimal", msgLegacy},
	{"legacy_full", msgLegacy},
	{"event", msgEvent},
}

var testFiles = sync.OnceValues(func() (*protoregistry.Files, error) {
	data, err := os.ReadFile(descFile)
	if err != nil {
		return nil, err
	}
	return ParseDescriptorSet(data)
})

func testMessage(t testing.TB, name string) protoreflect.MessageDescriptor {
	t.Helper()
	files, err := testFiles()
	if err != nil {
		t.Fatalf("load %s (run go test -run TestGenerateGolden -update): %v", descFile, err)
	}
	md, err := FindMessage(files, name)
	if err != nil {
		t.Fatal(err)
	}
	return md
}

func testCodec(t testing.TB, name string) *Codec {
	t.Helper()
	c, err := NewCodecFor(testMessage(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// referenceBytes marshals testdata/NAME.txtpb with the reference implementation.
func referenceBytes(t testing.TB, name, msg string) []byte {
	t.Helper()
	txt, err := os.ReadFile(filepath.Join("testdata", name+".txtpb"))
	if err != nil {
		t.Fatal(err)
	}
	m := dynamicpb.NewMessage(testMessage(t, msg))
	if err := prototext.Unmarshal(txt, m); err != nil {
		t.Fatalf("%s.txtpb: %v", name, err)
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGenerateGolden writes the descriptor set and the .bin files with -update; without it, it
// checks that the committed files are what the sources in this package produce.
func TestGenerateGolden(t *testing.T) {
	set, err := proto.MarshalOptions{Deterministic: true}.Marshal(testDescriptorSet())
	if err != nil {
		t.Fatal(err)
	}
	checkOrWrite(t, descFile, set)
	for _, c := range goldenCases {
		checkOrWrite(t, filepath.Join("testdata", c.name+".bin"), referenceBytes(t, c.name, c.msg))
	}
}

func checkOrWrite(t *testing.T, path string, want []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGenerateGolden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale (run go test -run TestGenerateGolden -update)", path)
	}
}

// TestGolden decodes every golden .bin in both read-default-values modes and compares the
// Connect schema and value with the .golden files; re-encoding the value must give the
// producer's bytes back exactly.
func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		for _, readDefaults := range []bool{false, true} {
			suffix := ".golden"
			if readDefaults {
				suffix = ".defaults.golden"
			}
			t.Run(c.name+suffix, func(t *testing.T) {
				codec := testCodec(t, c.msg)
				bin, err := os.ReadFile(filepath.Join("testdata", c.name+".bin"))
				if err != nil {
					t.Fatal(err)
				}
				st, err := NewDecoderFor(codec, readDefaults, false).DecodeStruct(bin)
				if err != nil {
					t.Fatal(err)
				}
				if err := st.Validate(); err != nil {
					t.Fatalf("decoded struct is not valid: %v", err)
				}
				got := renderSchema(codec.Schema()) + "\n" + render(codec.Schema(), st)
				path := filepath.Join("testdata", c.name+suffix)
				if *update {
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if got != string(want) {
					t.Errorf("decoded value differs from %s (go test -run TestGolden -update accepts it):\n%s",
						path, diffLines(string(want), got))
				}
				if readDefaults {
					return // defaults are written back explicitly, so the bytes differ
				}
				enc, err := NewEncoderFor(codec).EncodeValue(codec.Schema(), st)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(enc, bin) {
					t.Errorf("re-encoded bytes differ from the producer's\n got %x\nwant %x", enc, bin)
				}
			})
		}
	}
}

func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var x, y string
		if i < len(w) {
			x = w[i]
		}
		if i < len(g) {
			y = g[i]
		}
		if x != y {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, x, y)
		}
	}
	return b.String()
}

// renderSchema writes a schema tree, one field a line.
func renderSchema(s *connect.Schema) string {
	var b strings.Builder
	b.WriteString("schema " + schemaLabel(s) + "\n")
	var walk func(s *connect.Schema, indent string, seen map[*connect.Schema]bool)
	walk = func(s *connect.Schema, indent string, seen map[*connect.Schema]bool) {
		switch s.Type {
		case connect.TypeStruct:
			for _, f := range s.Fields {
				fmt.Fprintf(&b, "%s%s: %s\n", indent, f.Name, schemaLabel(f.Schema))
				walk(f.Schema, indent+"  ", seen)
			}
		case connect.TypeArray:
			walk(s.ValueSchema, indent, seen)
		case connect.TypeMap:
			walk(s.ValueSchema, indent, seen)
		}
	}
	walk(s, "  ", map[*connect.Schema]bool{})
	return b.String()
}

func schemaLabel(s *connect.Schema) string {
	var l string
	switch {
	case s.Name == connect.DecimalName:
		l = "Decimal(scale=" + s.Parameters[connect.DecimalScaleParameter] + ")"
	case s.Name == connect.TimestampName:
		l = "Timestamp"
	case s.Type == connect.TypeStruct:
		l = "STRUCT " + s.Name
	case s.Type == connect.TypeArray:
		l = "ARRAY<" + schemaLabel(s.ValueSchema) + ">"
	case s.Type == connect.TypeMap:
		l = "MAP<" + schemaLabel(s.KeySchema) + ", " + schemaLabel(s.ValueSchema) + ">"
	default:
		l = strings.ToUpper(string(s.Type))
	}
	if s.Optional {
		l += " (optional)"
	}
	return l
}

// render writes a value deterministically: map entries sorted, floats exact, bytes in hex.
func render(s *connect.Schema, v any) string {
	var b strings.Builder
	renderValue(&b, s, v, "")
	b.WriteByte('\n')
	return b.String()
}

func renderValue(b *strings.Builder, s *connect.Schema, v any, indent string) {
	if v == nil {
		b.WriteString("null")
		return
	}
	switch x := v.(type) {
	case *connect.Struct:
		b.WriteString("{\n")
		for i, f := range x.Schema().Fields {
			fmt.Fprintf(b, "%s  %s = ", indent, f.Name)
			renderValue(b, f.Schema, x.RawIndex(i), indent+"  ")
			b.WriteByte('\n')
		}
		b.WriteString(indent + "}")
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for _, e := range x {
			b.WriteString(indent + "  ")
			renderValue(b, s.ValueSchema, e, indent+"  ")
			b.WriteByte('\n')
		}
		b.WriteString(indent + "]")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		renderEntries(b, s, len(keys), func(i int) (string, any) { return strconv.Quote(keys[i]), x[keys[i]] }, indent)
	case map[any]any:
		type kv struct {
			k string
			v any
		}
		var entries []kv
		for k, e := range x {
			var sb strings.Builder
			renderValue(&sb, s.KeySchema, k, "")
			entries = append(entries, kv{sb.String(), e})
		}
		sort.Slice(entries, func(i, j int) bool { return entries[i].k < entries[j].k })
		renderEntries(b, s, len(entries), func(i int) (string, any) { return entries[i].k, entries[i].v }, indent)
	case string:
		b.WriteString(strconv.Quote(x))
	case []byte:
		fmt.Fprintf(b, "bytes(%x)", x)
	case float32:
		b.WriteString("float32(" + strconv.FormatFloat(float64(x), 'g', -1, 32) + ")")
	case float64:
		if x == 0 && math.Signbit(x) {
			b.WriteString("float64(-0)")
			return
		}
		b.WriteString("float64(" + strconv.FormatFloat(x, 'g', -1, 64) + ")")
	case time.Time:
		b.WriteString("time(" + x.UTC().Format(time.RFC3339Nano) + ")")
	case connect.Decimal:
		b.WriteString("decimal(" + x.String() + ")")
	default:
		fmt.Fprintf(b, "%T(%v)", v, v)
	}
}

func renderEntries(b *strings.Builder, s *connect.Schema, n int, at func(int) (string, any), indent string) {
	if n == 0 {
		b.WriteString("{}")
		return
	}
	b.WriteString("{\n")
	for i := 0; i < n; i++ {
		k, v := at(i)
		b.WriteString(indent + "  " + k + ": ")
		renderValue(b, s.ValueSchema, v, indent+"  ")
		b.WriteByte('\n')
	}
	b.WriteString(indent + "}")
}
