package cdc

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// toGo converts a Node to what encoding/json's Unmarshal into any gives (numbers as json.Number),
// the oracle the parser is checked against.
func toGo(n *Node) any {
	switch n.Kind {
	case Null:
		return nil
	case True:
		return true
	case False:
		return false
	case Number:
		return json.Number(n.Text)
	case String:
		return n.Text
	case Array:
		out := make([]any, len(n.Elems))
		for i := range n.Elems {
			out[i] = toGo(&n.Elems[i])
		}
		return out
	}
	out := map[string]any{}
	for i := range n.Members {
		out[n.Members[i].Key] = toGo(&n.Members[i].Value)
	}
	return out
}

func oracle(s string) (any, error) {
	if !json.Valid([]byte(s)) {
		return nil, errors.New("invalid JSON")
	}
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

func TestParserMatchesEncodingJSON(t *testing.T) {
	cases := []string{
		`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `-12.5e+3`, `1E-2`, `"x"`,
		`{"a":1,"b":[1,2,{"c":null}],"d":"\u00e9\n\t\"\\\/","e":-0.0}`,
		` { "a" : [ ] , "b" : { } } `,
		`"\ud83d\ude80 rocket"`, // surrogate pair
		`"\ud83d alone"`,        // lone high surrogate → U+FFFD
		`"\ude80"`,              // lone low surrogate → U+FFFD
		"\"caf\xc3\xa9\"",       // raw UTF-8
		"\"bad \xff byte\"",     // invalid UTF-8 → U+FFFD
		`{"dup":1,"dup":2}`,
		`123456789012345678901234567890`,
	}
	for _, c := range cases {
		var p Parser
		n, err := p.ParseAll(c)
		want, werr := oracle(c)
		if (err != nil) != (werr != nil) {
			t.Errorf("%q: parser error %v, encoding/json error %v", c, err, werr)
			continue
		}
		if err != nil {
			continue
		}
		if got := toGo(&n); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %#v, want %#v", c, got, want)
		}
	}
}

func TestParserErrors(t *testing.T) {
	cases := map[string]string{
		``:             "unexpected end of input",
		`{`:            "want a member name",
		`{"a"}`:        "want ':'",
		`{"a":1,}`:     "want a member name",
		`[1,]`:         `unexpected ']'`,
		`[1 2]`:        "want ',' or ']'",
		`01`:           "unexpected",
		`1.`:           "no digits after '.'",
		`1e`:           "no digits in exponent",
		`-`:            "invalid number",
		`"abc`:         "unterminated string",
		"\"a\x01b\"":   "control character",
		`"\x"`:         "invalid escape",
		`"\u12G4"`:     `invalid \u escape`,
		`tru`:          "want true",
		`nul`:          "want null",
		`{"a":1} x`:    "after the value",
		`{"a":"\u00"}`: `invalid \u escape`,
		`[` + `]`[:0]:  "unexpected end",
		`{"a":[1,2}`:   "want ',' or ']'",
		`{"a" 1}`:      "want ':'",
		`{1:2}`:        "want a member name",
		`"tab	inside"`: "control character",
	}
	for in, want := range cases {
		var p Parser
		_, err := p.ParseAll(in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: got %v, want a SyntaxError", in, err)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %q does not mention %q", in, err, want)
		}
		if se.Offset < 0 || se.Offset > len(in) {
			t.Errorf("%q: offset %d outside the input", in, se.Offset)
		}
	}
}

func TestParserDepthLimit(t *testing.T) {
	deep := strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)
	var p Parser
	if _, err := p.ParseAll(deep); err == nil || !strings.Contains(err.Error(), "nesting") {
		t.Fatalf("got %v, want a nesting error", err)
	}
	if err := p.ScanObject(`{"a":`+deep+`}`, func(string, Span) error { return nil }); err == nil {
		t.Fatal("ScanObject accepted nesting beyond the limit")
	}
	ok := strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1)
	if _, err := p.ParseAll(ok); err != nil {
		t.Fatalf("nesting within the limit: %v", err)
	}
}

func TestParserKeepsMemberOrderAndSubstrings(t *testing.T) {
	var p Parser
	n, err := p.ParseAll(`{"z":1,"a":"plain","m":[true]}`)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range n.Members {
		keys = append(keys, m.Key)
	}
	if got := strings.Join(keys, ","); got != "z,a,m" {
		t.Errorf("member order %s, want z,a,m", got)
	}
	if v, _ := n.Get("m"); v.Text != "[true]" {
		t.Errorf("raw text of an array: %q", v.Text)
	}
	if v, _ := n.Get("z"); v.Frac || v.Text != "1" {
		t.Errorf("integer literal: %+v", v)
	}
}

func TestScanObject(t *testing.T) {
	var p Parser
	src := `{"schema": {"type":"struct"}, "payload" : {"op":"c"} }`
	got := map[string]string{}
	err := p.ScanObject(src, func(k string, sp Span) error {
		got[k] = src[sp.Start:sp.End]
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"schema": `{"type":"struct"}`, "payload": `{"op":"c"}`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, bad := range []string{`[1]`, `{"a":1`, `{"a":1} {}`, `{"a":}`, `{"a":"\q"}`} {
		if err := p.ScanObject(bad, func(string, Span) error { return nil }); err == nil {
			t.Errorf("ScanObject(%q) accepted malformed input", bad)
		}
	}
	stop := errors.New("stop")
	if err := p.ScanObject(`{"a":1}`, func(string, Span) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("callback error not returned: %v", err)
	}
}

func TestAppendStringRoundTrips(t *testing.T) {
	for _, s := range []string{"", "plain", "quote\" back\\slash", "ctl \x00\x01\x1f\n\r\t\b\f", "<&> 张三 🚀", "bad\xffutf8", "\u2028"} {
		enc := AppendString(nil, s)
		if string(AppendStringBytes(nil, []byte(s))) != string(enc) {
			t.Errorf("AppendStringBytes differs from AppendString for %q", s)
		}
		var back string
		if err := json.Unmarshal(enc, &back); err != nil {
			t.Fatalf("%q encoded as invalid JSON %s: %v", s, enc, err)
		}
		want := replaceInvalid(s)
		if back != want {
			t.Errorf("%q came back as %q", s, back)
		}
		if strings.Contains(string(enc), `\u003c`) {
			t.Errorf("%q: HTML-escaped: %s", s, enc)
		}
	}
}

func TestAppendCompact(t *testing.T) {
	in := "{ \"a\" : [ 1 , 2 ] ,\n \"b\" : \"x y \\\" z\" }"
	if got := string(AppendCompact(nil, in)); got != `{"a":[1,2],"b":"x y \" z"}` {
		t.Errorf("got %s", got)
	}
}

// FuzzParser checks the parser against encoding/json: the same inputs are accepted, they yield
// the same values, and malformed input is an error, never a panic.
func FuzzParser(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5,"x",null,true,{"b":{}}]}`, `"\ud83d\ude80"`, `-0.0e-0`, `[[[]]]`, `{"a":"\u0000"}`, "\"\xff\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var p Parser
		n, err := p.ParseAll(s)
		want, werr := oracle(s)
		if strings.Count(s, "[")+strings.Count(s, "{") >= maxDepth {
			return // encoding/json allows deeper nesting than the parser
		}
		if (err != nil) != (werr != nil) {
			t.Fatalf("%q: parser error %v, encoding/json error %v", s, err, werr)
		}
		if err == nil {
			if got := toGo(&n); !reflect.DeepEqual(got, want) {
				t.Fatalf("%q: got %#v, want %#v", s, got, want)
			}
			// Strings come out as valid UTF-8.
			var check func(*Node)
			check = func(n *Node) {
				if n.Kind == String && !utf8.ValidString(n.Text) {
					t.Fatalf("%q: invalid UTF-8 in %q", s, n.Text)
				}
				for i := range n.Members {
					check(&n.Members[i].Value)
				}
				for i := range n.Elems {
					check(&n.Elems[i])
				}
			}
			check(&n)
		}
		if err := p.ScanObject(s, func(string, Span) error { return nil }); err == nil {
			if _, ok := want.(map[string]any); !ok || werr != nil {
				t.Fatalf("%q: ScanObject accepted what is not one JSON object", s)
			}
		}
	})
}

func TestMembersParsesInPlace(t *testing.T) {
	var p Parser
	src := `{"skip":{"deep":[1,{"x":"}"}]},"take":{"a":[1,2]},"inner":{"k":"v","n":2},"tail":true}`
	var took Node
	var inner []string
	err := p.ParseObject(src, func(k string) error {
		switch k {
		case "take":
			n, err := p.Value()
			took = n
			return err
		case "inner":
			return p.Members(func(k string) error {
				inner = append(inner, k)
				return nil // left alone: Members skips it
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if took.Text != `{"a":[1,2]}` || len(took.Members) != 1 {
		t.Errorf("take: %+v", took)
	}
	if strings.Join(inner, ",") != "k,n" {
		t.Errorf("inner keys %v", inner)
	}
	for _, bad := range []string{`{"a":1`, `{"a":[}`, `{"a":1}x`, `[]`} {
		if err := p.ParseObject(bad, func(string) error { return nil }); err == nil {
			t.Errorf("ParseObject(%q) accepted malformed input", bad)
		}
	}
}

func TestSkipIfPrefix(t *testing.T) {
	cases := []struct {
		text, prefix string
		want         bool
		rest         string
	}{
		{`{"a":1},"b"`, `{"a":1}`, true, `,"b"`},
		{` {"a":1}}`, `{"a":1}`, true, `}`},
		{`{"a":2}`, `{"a":1}`, false, ``},
		{`123,`, `12`, false, ``},
		{`12,`, `12`, true, `,`},
		{`"ab"x`, `"ab"`, true, `x`},
		{`x`, ``, false, ``},
	}
	for _, c := range cases {
		var p Parser
		p.Reset(c.text)
		got := p.SkipIfPrefix(c.prefix)
		if got != c.want || (got && p.Text()[p.Offset():] != c.rest) {
			t.Errorf("SkipIfPrefix(%q, %q) = %v, rest %q", c.text, c.prefix, got, p.Text()[p.Offset():])
		}
	}
}
