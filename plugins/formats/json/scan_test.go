package jsonformat

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	good := []string{
		``, ` `, `null`, `true`, `-0`, `0.5e-3`, `1E+2`, `"\u00e9\ud83d\ude00\/"`, `{}`, `[]`,
		`{"a":[1,{"b":null}],"c":"d"}`, " [ 1 , 2 ]\r\n", `"é"`, strings.Repeat("[", 1000) + strings.Repeat("]", 1000),
	}
	for _, in := range good {
		if err := validate([]byte(in)); err != nil {
			t.Errorf("validate(%q) = %v, want nil", in, err)
		}
	}
	bad := []struct{ in, want string }{
		{`{`, "unexpected end of input, expected a field name or '}' at byte offset 1"},
		{`[1,]`, "unexpected character ']', expected a value at byte offset 3"},
		{`01`, "unexpected character '1', expected end of input at byte offset 1"},
		{`1.`, "unexpected end of input, expected a digit after the decimal point at byte offset 2"},
		{`.5`, "unexpected character '.', expected a value at byte offset 0"},
		{`-`, "unexpected end of input, expected a digit at byte offset 1"},
		{`1e`, "unexpected end of input, expected a digit in the exponent at byte offset 2"},
		{`NaN`, "unexpected character 'N', expected a value at byte offset 0"},
		{`tru`, "unrecognized token 'tru' at byte offset 0"},
		{`nulll`, "unexpected character 'l', expected end of input at byte offset 4"},
		{`"\x"`, `unrecognized character escape 'x' at byte offset 1`},
		{`"\u12"`, `invalid \u escape in string at byte offset 1`},
		{"\"a\nb\"", "illegal unquoted control character (code 10) in string: it must be escaped at byte offset 2"},
		{"\"\xff\"", "invalid UTF-8 in string at byte offset 1"},
		{`"abc`, "unterminated string starting at byte offset 0 at byte offset 4"},
		{`{"a" 1}`, "unexpected character '1', expected ':' at byte offset 5"},
		{`{1:2}`, "unexpected character '1', expected a field name at byte offset 1"},
		{`[1 2]`, "unexpected character '2', expected ',' or ']' at byte offset 3"},
		{`{} {}`, "unexpected character '{', expected end of input at byte offset 3"},
		{"\x00", "unexpected byte 0x00, expected a value at byte offset 0"},
		{"\f1", "unexpected byte 0x0c, expected a value at byte offset 0"},
		{strings.Repeat("[", 1001) + strings.Repeat("]", 1001), "document nesting depth exceeds the maximum allowed (1000) at byte offset 1000"},
		{strings.Repeat("1", 1001), "number length (1001) exceeds the maximum allowed (1000) at byte offset 0"},
	}
	for _, tc := range bad {
		err := validate([]byte(tc.in))
		if err == nil {
			t.Errorf("validate(%q) accepted malformed JSON", tc.in)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("validate(%.20q) = %q\n                      want %q", tc.in, err, tc.want)
		}
	}
}

func TestUnquote(t *testing.T) {
	cases := map[string]string{
		`plain`:          "plain",
		`a\"b\\c\/d`:     `a"b\c/d`,
		`\b\f\n\r\t`:     "\b\f\n\r\t",
		`\u0041\u00e9`:   "Aé",
		`\ud83d\ude00`:   "😀",
		`\ud83d`:         "\uFFFD",
		`\ude00\ud83d x`: "\uFFFD\uFFFD x",
	}
	for in, want := range cases {
		if got := string(unquote([]byte(in), nil)); got != want {
			t.Errorf("unquote(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestAppendString(t *testing.T) {
	cases := map[string]string{
		"plain":            `"plain"`,
		"a\"b\\c/d":        `"a\"b\\c/d"`,
		"\b\f\n\r\t":       `"\b\f\n\r\t"`,
		"\x00\x01\x1f\x7f": `"\u0000\u0001\u001F` + "\x7f\"",
		"é😀\u2028<>&":      "\"é😀\u2028<>&\"",
		"bad\xffutf8":      "\"bad\uFFFDutf8\"",
	}
	for in, want := range cases {
		if got := string(appendString(nil, in)); got != want {
			t.Errorf("appendString(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestLRU(t *testing.T) {
	c := newLRU[string, int](2)
	c.put("a", 1)
	c.put("b", 2)
	if v, ok := c.get("a"); !ok || v != 1 {
		t.Fatalf("get(a) = %v, %v", v, ok)
	}
	c.put("c", 3) // evicts b, the least recently used
	if _, ok := c.get("b"); ok {
		t.Error("b survived eviction")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := c.get(k); !ok {
			t.Errorf("%s was evicted", k)
		}
	}
	c.put("c", 4)
	if v, _ := c.get("c"); v != 4 || c.len() != 2 {
		t.Errorf("after update: c = %d, len %d", v, c.len())
	}
}
