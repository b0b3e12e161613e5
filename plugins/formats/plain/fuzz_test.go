package plain

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/raftconnect/raftconnect/connect"
)

// FuzzStringConverter decodes arbitrary bytes in every supported charset: no panic, always a
// string, and text that fits the charset writes back to the same bytes.
func FuzzStringConverter(f *testing.F) {
	for _, s := range []string{"", "a string", "\xfe\xff\x00a", "\xff\xfe", "\xd8\x00", "é😀", "\x80\xff"} {
		f.Add([]byte(s))
	}
	encodings := []string{"UTF-8", "UTF-16", "UTF-16BE", "UTF-16LE", "ISO-8859-1", "US-ASCII"}
	convs := make([]*StringConverter, len(encodings))
	for i, e := range encodings {
		convs[i] = NewStringConverter()
		if err := convs[i].Configure(map[string]string{EncodingConfig: e}, false); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for i, c := range convs {
			sv, err := c.ToConnectData("topic", nil, data)
			if err != nil {
				t.Fatalf("%s: %v", encodings[i], err)
			}
			s, ok := sv.Value.(string)
			if !ok || sv.Schema != connect.OptionalStringSchema {
				t.Fatalf("%s: read %T with schema %v", encodings[i], sv.Value, sv.Schema)
			}
			out, err := c.FromConnectData("topic", nil, nil, s)
			if err != nil {
				t.Fatalf("%s: cannot write back %q: %v", encodings[i], s, err)
			}
			again, _ := c.ToConnectData("topic", nil, out)
			switch {
			case encodings[i] == "UTF-8" && !utf8.ValidString(s):
				// Kept as read; writing it is checked below.
			case encodings[i] == "US-ASCII" && strings.ContainsRune(s, utf8.RuneError):
				// U+FFFD stands for a byte that was not ASCII and is itself not ASCII.
			case again.Value != s:
				t.Fatalf("%s: %q wrote as %x, which reads as %q", encodings[i], s, out, again.Value)
			}
		}
		if got, _ := convs[0].FromConnectData("topic", nil, nil, string(data)); !bytes.Equal(got, data) {
			t.Fatalf("UTF-8 does not round-trip %x", data)
		}
	})
}

// FuzzNumberConverters decodes arbitrary bytes with every number converter and the boolean
// converter: either a value that writes back to the same bytes, or a DataError.
func FuzzNumberConverters(f *testing.F) {
	for _, s := range []string{"", "\x01", "\x02", "\x00\x01", "\x7f\xff\xff\xff", "\x7f\xf8\x00\x00\x00\x00\x0a\xbc"} {
		f.Add([]byte(s))
	}
	cases := numberCases()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, tc := range cases {
			sv, err := tc.conv.ToConnectData("topic", nil, data)
			if err != nil {
				if !isDataError(err) {
					t.Fatalf("%s: %T %v", tc.name, err, err)
				}
				continue
			}
			out, err := tc.conv.FromConnectData("topic", nil, sv.Schema, sv.Value)
			if err != nil || !bytes.Equal(out, data) {
				t.Fatalf("%s: %x read as %v, which writes as %x (%v)", tc.name, data, sv.Value, out, err)
			}
		}
	})
}

// FuzzByteArrayConverter: bytes read back as themselves.
func FuzzByteArrayConverter(f *testing.F) {
	f.Add([]byte("sample"))
	c := NewByteArrayConverter()
	f.Fuzz(func(t *testing.T, data []byte) {
		sv, err := c.ToConnectData("topic", nil, data)
		if err != nil || !bytes.Equal(sv.Value.([]byte), data) {
			t.Fatalf("read %x as %v, %v", data, sv.Value, err)
		}
		out, err := c.FromConnectData("topic", nil, sv.Schema, sv.Value)
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("wrote %x back as %x, %v", data, out, err)
		}
	})
}

// FuzzSimpleHeaderConverter parses arbitrary header bytes: no panic, no error, a value that fits
// the inferred schema, and a value that can be written again.
func FuzzSimpleHeaderConverter(f *testing.F) {
	for _, s := range []string{
		"", "true", "null", "123", "1.5", "1e400", "2019-03-07", "12:34:56.789Z", "2019-03-07T12:34:56.789Z",
		`{"foo":"123","bar":"baz"}`, "[1, 1000, 100000]", `["a", ["b"], {"c":[1.5]}]`, `{1:"a"}`, "[1,,2]",
		`"quoted\"", ["esc\\:aped"]`, "[2019-03-07, 5]", "{[1]:2}", "\xff",
	} {
		f.Add([]byte(s))
	}
	c := NewSimpleHeaderConverter()
	f.Fuzz(func(t *testing.T, data []byte) {
		sv, err := c.ToConnectHeader("topic", "h", data)
		if err != nil {
			t.Fatalf("ToConnectHeader(%q): %v", data, err)
		}
		if sv.Schema != nil && complete(sv.Schema) {
			if err := connect.ValidateValue(sv.Schema, sv.Value); err != nil {
				t.Fatalf("ToConnectHeader(%q) = %#v, which does not fit %v: %v", data, sv.Value, sv.Schema, err)
			}
		}
		if _, err := c.FromConnectHeader("topic", "h", sv.Schema, sv.Value); err != nil {
			t.Fatalf("cannot write back %#v read from %q: %v", sv.Value, data, err)
		}
	})
}

// complete reports whether a schema has all its element, key and value schemas: inferred
// schemas of mixed lists and maps lack them, and then only the container type is known.
func complete(s *connect.Schema) bool {
	switch s.Type {
	case connect.TypeArray:
		return s.ValueSchema != nil && complete(s.ValueSchema)
	case connect.TypeMap:
		return s.KeySchema != nil && s.ValueSchema != nil && complete(s.KeySchema) && complete(s.ValueSchema)
	}
	return true
}
