package avro

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/raftconnect/raftconnect/connect"
)

// viaEncodingJSON is the slow path AppendJSON must agree with: encoding/json (numbers kept
// exact) and Append.
func viaEncodingJSON(s *Schema, data []byte) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, json.Unmarshal(data, &v) // reports the trailing data
	}
	return s.Append(nil, v)
}

func TestAppendJSONGolden(t *testing.T) {
	schemas, _ := filepath.Glob("testdata/golden/*.avsc")
	for _, path := range schemas {
		name := strings.TrimSuffix(path, ".avsc")
		t.Run(filepath.Base(name), func(t *testing.T) {
			text, _ := os.ReadFile(path)
			s, err := Parse(string(text), ExactOptions())
			if err != nil {
				t.Fatal(err)
			}
			in, _ := os.ReadFile(name + ".json")
			h, _ := os.ReadFile(name + ".hex")
			want, _ := hex.DecodeString(strings.TrimSpace(string(h)))
			got, err := s.AppendJSON(nil, in)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("AppendJSON\n%x\nwant\n%x", got, want)
			}
		})
	}
}

func TestAppendJSON(t *testing.T) {
	s, err := Parse(`{"type":"record","name":"R","fields":[
		{"name":"i","type":"int"},
		{"name":"s","type":["null","string"],"default":null},
		{"name":"d","type":"string","default":"dflt"},
		{"name":"l","type":"long"},
		{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
		{"name":"day","type":["null",{"type":"int","logicalType":"date"}],"default":null},
		{"name":"m","type":{"type":"map","values":"int"}},
		{"name":"a","type":{"type":"array","items":["null","double"]}},
		{"name":"u","type":["boolean","long","string"],"default":true}]}`, ExactOptions())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, json string
		check      func(*connect.Struct) bool
	}{
		{"fields out of order, unknown keys skipped",
			`{"u":"x","zzz":{"deep":[1,{"a":null}]},"l":9007199254740993,"ts":"2024-01-02T03:04:05.678+01:00","i":-1,"m":{"b":2,"a":1},"a":[1.5,null,-0]}`,
			func(st *connect.Struct) bool {
				return st.GetInt32("i") == -1 && st.Get("s") == nil && st.GetString("d") == "dflt" &&
					st.GetInt64("l") == 9007199254740993 && st.Get("ts").(interface{ UnixMilli() int64 }).UnixMilli() == 1704161045678 &&
					st.Get("m").(map[string]any)["b"] == int32(2) && st.GetStruct("u").GetString("string") == "x"
			}},
		{"escapes and unicode", `{"i":1,"s":"a\"b\\c\/\u00e9\ud83d\ude80\n\t","l":0,"ts":0,"m":{},"a":[]}`,
			func(st *connect.Struct) bool {
				return st.GetString("s") == "a\"b\\c/é🚀\n\t" && st.GetStruct("u").Get("boolean") == true
			}},
		{"integral floats and dates as text", `{"i":1.0,"l":1e3,"ts":5,"day":"2024-02-29","m":{},"a":[],"u":7}`,
			func(st *connect.Struct) bool {
				return st.GetInt32("i") == 1 && st.GetInt64("l") == 1000 && st.GetStruct("u").GetInt64("long") == 7
			}},
		{"duplicate keys keep the last", `{"i":1,"i":2,"l":0,"ts":0,"m":{"k":1,"k":3},"a":[]}`,
			func(st *connect.Struct) bool {
				return st.GetInt32("i") == 2 && len(st.Get("m").(map[string]any)) == 1 && st.Get("m").(map[string]any)["k"] == int32(3)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.AppendJSON(nil, []byte(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			want, err := viaEncodingJSON(s, []byte(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("AppendJSON % x\nencoding/json % x", got, want)
			}
			v, err := s.Decode(got)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(v.(*connect.Struct)) {
				t.Fatalf("decoded %v", v)
			}
		})
	}
	for _, tc := range []struct{ json, want string }{
		{`{"i":1`, "json offset 6"},
		{`{"i":"1","l":0,"ts":0,"m":{},"a":[]}`, `field "i": string "1" for a number`},
		{`{"i":2147483648,"l":0,"ts":0,"m":{},"a":[]}`, `field "i": 2147483648 out of range`},
		{`{"i":1.5,"l":0,"ts":0,"m":{},"a":[]}`, `field "i": 1.5 is not an integer`},
		{`{"i":1,"ts":0,"m":{},"a":[]}`, `field "l": missing`},
		{`{"i":1,"l":0,"ts":0,"m":{},"a":[] } x`, "data after the JSON value"},
		{`{"i":1,"l":0,"ts":0,"m":[],"a":[]}`, `field "m": Avro map needs a JSON object`},
		{`{"i":1,"l":0,"ts":0,"m":{},"a":[],"u":[]}`, "no branch"},
		{`{"i":01}`, "json offset"},
		{"{\"i\":1,\"s\":\"\x01\"}", "control character"},
	} {
		_, err := s.AppendJSON(nil, []byte(tc.json))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.json, err, tc.want)
		}
	}
}

// FuzzAppendJSON compares the JSON fast path with encoding/json + Append on arbitrary text:
// never a panic, and where both accept the input they write the same bytes.
func FuzzAppendJSON(f *testing.F) {
	text, err := os.ReadFile("testdata/golden/all_types.avsc")
	if err != nil {
		f.Fatal(err)
	}
	s, err := Parse(string(text), ExactOptions())
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range []string{"all_types", "nulls"} {
		in, _ := os.ReadFile("testdata/golden/" + name + ".json")
		f.Add(in)
	}
	f.Add([]byte(`{"choice":1.5e3,"tags":["\u00e9"],"scores":{"a":1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ferr := s.AppendJSON(nil, data)
		if !utf8.Valid(data) {
			return // encoding/json replaces invalid UTF-8; the fast path keeps the bytes
		}
		slow, serr := viaEncodingJSON(s, data)
		switch {
		case ferr == nil && serr == nil:
			if !bytes.Equal(fast, slow) {
				t.Fatalf("fast % x\nslow % x", fast, slow)
			}
		case ferr == nil && serr != nil:
			t.Fatalf("fast path accepted what encoding/json + Append refuse: %v", serr)
		case ferr != nil && serr == nil:
			t.Fatalf("fast path refused what encoding/json + Append accept: %v", ferr)
		}
	})
}

// TestAppendJSONNestingLimit: unknown keys are skipped however deep, up to encoding/json's
// own limit, and refused beyond it in both paths.
func TestAppendJSONNestingLimit(t *testing.T) {
	s, err := Parse(`{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}`, ExactOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, depth := range []int{100, maxJSONDepth - 1, maxJSONDepth + 1} {
		doc := []byte(`{"a":1,"x":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`)
		_, ferr := s.AppendJSON(nil, doc)
		_, serr := viaEncodingJSON(s, doc)
		if (ferr == nil) != (serr == nil) || (depth < maxJSONDepth) != (ferr == nil) {
			t.Fatalf("depth %d: fast path %v, encoding/json %v", depth, ferr, serr)
		}
	}
}
