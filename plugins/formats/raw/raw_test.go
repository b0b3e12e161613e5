package raw

import (
	"bytes"
	"encoding/hex"
	"math"
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

func newTestCodec(t testing.TB, opts map[string]string) *codec {
	t.Helper()
	f, err := formats.Lookup(Name)
	if err != nil {
		t.Fatal(err)
	}
	c, err := formats.ParseOptions(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	cd, err := newCodec(c)
	if err != nil {
		t.Fatal(err)
	}
	return cd
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestNumbers pins the bytes of every numeric type in both byte orders, as Flink writes them.
func TestNumbers(t *testing.T) {
	tests := []struct {
		typ       string
		value     any
		big, lttl string
	}{
		{"BOOLEAN", true, "01", "01"},
		{"BOOLEAN", false, "00", "00"},
		{"TINYINT", int8(-1), "ff", "ff"},
		{"SMALLINT", int16(-2), "fffe", "feff"},
		{"SMALLINT", int16(0x0102), "0102", "0201"},
		{"INT", int32(0x01020304), "01020304", "04030201"},
		{"INT", int32(math.MinInt32), "80000000", "00000080"},
		{"BIGINT", int64(0x0102030405060708), "0102030405060708", "0807060504030201"},
		{"BIGINT", int64(-1), "ffffffffffffffff", "ffffffffffffffff"},
		{"FLOAT", float32(1.5), "3fc00000", "0000c03f"},
		{"DOUBLE", 1.5, "3ff8000000000000", "000000000000f83f"},
		{"DOUBLE", math.Inf(-1), "fff0000000000000", "000000000000f0ff"},
	}
	for _, tc := range tests {
		for order, want := range map[string]string{"big-endian": tc.big, "little-endian": tc.lttl} {
			cd := newTestCodec(t, map[string]string{"raw.type": tc.typ, "raw.endianness": order})
			msgs, err := cd.Encode([]formats.Row{{Value: tc.value}})
			if err != nil || hex.EncodeToString(msgs[0]) != want {
				t.Errorf("%s %v %s: encoded %x, %v; want %s", tc.typ, tc.value, order, msgs[0], err, want)
				continue
			}
			rows, err := cd.Decode(unhex(t, want))
			if err != nil || rows[0].Value != tc.value {
				t.Errorf("%s %s: decoded %s to %#v, %v; want %#v", tc.typ, order, want, rows[0].Value, err, tc.value)
			}
			if rows[0].Schema.Type != connect.Schema(*mustType(t, tc.typ)).Type || !rows[0].Schema.Optional {
				t.Errorf("%s: row schema %s", tc.typ, rows[0].Schema)
			}
		}
	}
	// Any non-zero byte is true, as in Flink.
	cd := newTestCodec(t, map[string]string{"raw.type": "BOOLEAN"})
	if rows, _ := cd.Decode([]byte{7}); rows[0].Value != true {
		t.Error("0x07 is not true")
	}
	// Values of other types convert.
	cd = newTestCodec(t, map[string]string{"raw.type": "INT"})
	if msgs, err := cd.Encode([]formats.Row{{Value: "258"}}); err != nil || hex.EncodeToString(msgs[0]) != "00000102" {
		t.Errorf(`INT from "258" = %x, %v`, msgs[0], err)
	}
	if _, err := cd.Encode([]formats.Row{{Value: int64(1) << 40}}); err == nil || !strings.Contains(err.Error(), "overflows") {
		t.Errorf("INT overflow: %v", err)
	}
}

func mustType(t testing.TB, s string) *connect.Schema {
	sc, err := formats.ParseType(s)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestSizeErrors(t *testing.T) {
	for typ, n := range map[string]int{"BOOLEAN": 1, "TINYINT": 1, "SMALLINT": 2, "INT": 4, "BIGINT": 8, "FLOAT": 4, "DOUBLE": 8} {
		cd := newTestCodec(t, map[string]string{"raw.type": typ})
		_, err := cd.Decode(make([]byte, n+1))
		want := "must have " + string(rune('0'+n)) + " bytes, this one has " + string(rune('0'+n+1))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s with %d bytes: %v; want %q", typ, n+1, err, want)
		}
		if _, err := cd.Decode([]byte{}); err == nil {
			t.Errorf("%s accepted an empty message", typ)
		}
	}
}

func TestCharsets(t *testing.T) {
	tests := []struct {
		charset string
		text    string
		hex     string
	}{
		{"UTF-8", "Zoë 東京 🚀", "5a6fc3ab20e69db1e4baac20f09f9a80"},
		{"utf8", "a", "61"},
		{"ISO-8859-1", "Zoë ÿ", "5a6feb20ff"},
		{"latin1", "abc", "616263"},
		{"US-ASCII", "plain", "706c61696e"},
		{"UTF-16BE", "Zoë🚀", "005a006f00ebd83dde80"},
		{"UTF-16LE", "Zoë🚀", "5a006f00eb003dd880de"},
		{"UTF-16", "Zo", "feff005a006f"},
		{"UnicodeLittleUnmarked", "Z", "5a00"},
	}
	for _, tc := range tests {
		cd := newTestCodec(t, map[string]string{"raw.type": "STRING", "raw.charset": tc.charset})
		msgs, err := cd.Encode([]formats.Row{{Value: tc.text}})
		if err != nil || hex.EncodeToString(msgs[0]) != tc.hex {
			t.Errorf("%s: encoded %q as %x, %v; want %s", tc.charset, tc.text, msgs[0], err, tc.hex)
		}
		rows, err := cd.Decode(unhex(t, tc.hex))
		if err != nil || rows[0].Value != tc.text {
			t.Errorf("%s: decoded %s as %q, %v; want %q", tc.charset, tc.hex, rows[0].Value, err, tc.text)
		}
	}
	// UTF-16 reads a little-endian byte-order mark, and big-endian without one.
	cd := newTestCodec(t, map[string]string{"raw.type": "STRING", "raw.charset": "UTF-16"})
	for h, want := range map[string]string{"fffe5a00": "Z", "005a": "Z", "feff005a": "Z"} {
		if rows, err := cd.Decode(unhex(t, h)); err != nil || rows[0].Value != want {
			t.Errorf("UTF-16 %s = %v, %v", h, rows, err)
		}
	}
	// UTF-8 bytes pass unchecked, so even invalid ones round-trip byte for byte.
	cd = newTestCodec(t, map[string]string{"raw.type": "STRING"})
	bad := []byte{0xff, 0xfe, 'a'}
	rows, _ := cd.Decode(bad)
	if msgs, _ := cd.Encode(rows); !bytes.Equal(msgs[0], bad) {
		t.Errorf("invalid UTF-8 round trip: %x", msgs[0])
	}

	errs := []struct {
		charset, hex, text, want string
	}{
		{"US-ASCII", "61e9", "", "byte 0xe9 at offset 1 is not US-ASCII"},
		{"US-ASCII", "", "é", "not US-ASCII"},
		{"ISO-8859-1", "", "東", "has no ISO-8859-1 byte"},
		{"ISO-8859-1", "", "a\xff", "invalid UTF-8 at offset 1"},
		{"UTF-16BE", "005a00", "", "odd number of bytes"},
		{"UTF-16BE", "d83d005a", "", "unpaired UTF-16 surrogate 0xd83d at offset 0"},
		{"UTF-16LE", "5a0000dc", "", "unpaired UTF-16 surrogate 0xdc00 at offset 2"},
		{"UTF-16", "feffd83d", "", "unpaired UTF-16 surrogate 0xd83d at offset 2"},
		{"UTF-16LE", "", "\xed\xa0\x80", "invalid UTF-8"},
	}
	for _, tc := range errs {
		cd := newTestCodec(t, map[string]string{"raw.type": "STRING", "raw.charset": tc.charset})
		var err error
		if tc.hex != "" {
			_, err = cd.Decode(unhex(t, tc.hex))
		} else {
			_, err = cd.Encode([]formats.Row{{Value: tc.text}})
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s%q: %v; want %q", tc.charset, tc.hex, tc.text, err, tc.want)
		}
	}
}

func TestOptions(t *testing.T) {
	f, _ := formats.Lookup(Name)
	for opts, want := range map[string]string{
		"raw.charset=EBCDIC":        "unsupported charset",
		"raw.endianness=middle":     "big-endian, little-endian",
		"raw.type=DECIMAL(10,2)":    "does not support DECIMAL",
		"raw.type=ARRAY<INT>":       "one scalar column",
		"raw.type=NOPE":             "raw.type",
		"raw.line-delimiter=\\u00z": "raw.line-delimiter",
		"raw.line-delimiter=é":      "",
	} {
		k, v, _ := strings.Cut(opts, "=")
		c, err := formats.ParseOptions(f, map[string]string{k: v, "raw.charset": map[bool]string{true: "US-ASCII", false: "UTF-8"}[k == "raw.line-delimiter" && v == "é"]})
		if k == "raw.charset" {
			c, err = formats.ParseOptions(f, map[string]string{k: v})
		}
		if err == nil {
			_, err = newCodec(c)
		}
		if want == "" {
			want = "not US-ASCII"
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want %q", opts, err, want)
		}
	}
	// Defaults: BYTES, UTF-8, big-endian; the type names of Flink SQL work.
	cd := newTestCodec(t, nil)
	if cd.kind != kBytes || cd.cs != utf8Charset || cd.order.String() != "BigEndian" {
		t.Errorf("defaults: %+v", cd)
	}
	if cd := newTestCodec(t, map[string]string{"raw.type": "varchar(10)"}); cd.kind != kString {
		t.Error("VARCHAR(10) is not a STRING column")
	}
}

func TestLineDelimiter(t *testing.T) {
	cd := newTestCodec(t, map[string]string{"raw.type": "STRING", "raw.line-delimiter": `\n`})
	rows, err := cd.Decode([]byte("a\nb\n\nc\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Value.(string))
	}
	if strings.Join(got, "|") != "a|b||c" {
		t.Errorf("lines = %q; want a, b, empty, c (a trailing delimiter ends the last line)", got)
	}
	msgs, err := cd.Encode(rows)
	if err != nil || string(bytes.Join(msgs, nil)) != "a\nb\n\nc\n" {
		t.Errorf("Encode = %q, %v", msgs, err)
	}
	// Numbers: each line is re-encoded in the charset and must have the type's size.
	cd = newTestCodec(t, map[string]string{"raw.type": "SMALLINT", "raw.line-delimiter": ";", "raw.charset": "latin1"})
	rows, err = cd.Decode([]byte("\x00\x01;\x01\x00;"))
	if err != nil || len(rows) != 2 || rows[0].Value != int16(1) || rows[1].Value != int16(256) {
		t.Errorf("SMALLINT lines = %v, %v", rows, err)
	}
	if _, err := cd.Decode([]byte("\x00\x01;\x01")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("short second line: %v", err)
	}
	cd = newTestCodec(t, map[string]string{"raw.type": "STRING", "raw.charset": "UTF-16LE", "raw.line-delimiter": `\r\n`})
	msgs, _ = cd.Encode([]formats.Row{{Value: "x"}})
	if hex.EncodeToString(msgs[0]) != "78000d000a00" {
		t.Errorf("UTF-16LE line = %x", msgs[0])
	}
}

func TestRowShapes(t *testing.T) {
	cd := newTestCodec(t, map[string]string{"raw.type": "BYTES"})
	one := connect.NewStruct(connect.StructBuilder().Field("v", connect.OptionalStringSchema).MustBuild()).MustPut("v", "héllo")
	two := connect.NewStruct(connect.StructBuilder().Field("a", connect.OptionalStringSchema).Field("b", connect.OptionalStringSchema).MustBuild())
	tests := []struct {
		value any
		want  string // hex; "nil" for a null message; "err: ..." for an error
	}{
		{[]byte{1, 2}, "0102"},
		{"héllo", "68c3a96c6c6f"}, // text becomes its UTF-8 bytes, not base64-decoded
		{one, "68c3a96c6c6f"},
		{map[string]any{"only": []byte{9}}, "09"},
		{nil, "nil"},
		{map[string]any{"only": nil}, "nil"},
		{two, "err: holds one column; the row has 2 (a STRING, b STRING)"},
		{map[string]any{"a": 1, "b": 2}, "err: the row has 2 fields"},
		{int64(5), "err: cannot write int64 as BYTES"},
		{"ddl", "err: schema change"},
	}
	for _, tc := range tests {
		row := formats.Row{Value: tc.value}
		if tc.value == "ddl" {
			row = formats.Row{DDL: "DROP TABLE t"}
		}
		msgs, err := cd.Encode([]formats.Row{row})
		got := "nil"
		switch {
		case err != nil:
			got = "err: " + err.Error()
		case msgs[0] != nil:
			got = hex.EncodeToString(msgs[0])
		}
		if got != tc.want && !(strings.HasPrefix(tc.want, "err: ") && strings.Contains(got, tc.want[5:])) {
			t.Errorf("Encode(%v) = %s, want %s", tc.value, got, tc.want)
		}
	}
	// A Kafka null is a row holding null; bytes are copied, not aliased.
	rows, err := cd.Decode(nil)
	if err != nil || len(rows) != 1 || rows[0].Value != nil {
		t.Errorf("Decode(nil) = %v, %v", rows, err)
	}
	in := []byte{1, 2, 3}
	rows, _ = cd.Decode(in)
	in[0] = 9
	if rows[0].Value.([]byte)[0] != 1 {
		t.Error("decoded bytes alias the message buffer")
	}
	// Bytes for a STRING column are taken as text in the charset: kept if valid there.
	s := newTestCodec(t, map[string]string{"raw.type": "STRING", "raw.charset": "UTF-16BE"})
	if msgs, err := s.Encode([]formats.Row{{Value: []byte{0, 'h'}}}); err != nil || hex.EncodeToString(msgs[0]) != "0068" {
		t.Errorf("STRING from []byte = %x, %v", msgs[0], err)
	}
	if _, err := s.Encode([]formats.Row{{Value: []byte("odd")}}); err == nil {
		t.Error("STRING from bytes that are not UTF-16 succeeded")
	}
	if msgs, err := s.Encode([]formats.Row{{Value: int32(7)}}); err != nil || hex.EncodeToString(msgs[0]) != "0037" {
		t.Errorf("STRING from int32 = %x, %v", msgs[0], err)
	}
}

func TestConverter(t *testing.T) {
	p, err := connect.LookupType("raw", connect.PluginConverter)
	if err != nil {
		t.Fatal(err)
	}
	c := p.New().(connect.Converter)
	if err := c.Configure(map[string]string{"type": "BIGINT", "endianness": "little-endian"}, true); err != nil {
		t.Fatal(err)
	}
	sv, err := c.ToConnectData("t", nil, unhex(t, "0100000000000000"))
	if err != nil || sv.Value != int64(1) || sv.Schema.Type != connect.TypeInt64 {
		t.Errorf("ToConnectData = %v, %v", sv, err)
	}
	b, err := c.FromConnectData("t", nil, sv.Schema, int64(2))
	if err != nil || hex.EncodeToString(b) != "0200000000000000" {
		t.Errorf("FromConnectData = %x, %v", b, err)
	}
}

// FuzzDecode decodes arbitrary messages with every type, charset and byte order: a message
// either fails with an error or decodes to values that encode back to the same message (for
// UTF-16 with a byte-order mark, to the same values).
func FuzzDecode(f *testing.F) {
	f.Add([]byte("hello"), uint8(0))
	f.Add([]byte{0xfe, 0xff, 0, 'a'}, uint8(5))
	f.Add([]byte{0xd8, 0x3d, 0xde, 0x80}, uint8(3))
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8}, uint8(8))
	f.Add([]byte("a\nb\n"), uint8(16))
	types := []string{"BYTES", "STRING", "BOOLEAN", "TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "DOUBLE"}
	charsets := []string{"UTF-8", "ISO-8859-1", "US-ASCII", "UTF-16BE", "UTF-16LE", "UTF-16"}
	var codecs []*codec
	for _, ty := range types {
		for _, cs := range charsets {
			for _, order := range []string{"big-endian", "little-endian"} {
				codecs = append(codecs, newTestCodec(f, map[string]string{"raw.type": ty, "raw.charset": cs, "raw.endianness": order}))
			}
		}
		codecs = append(codecs, newTestCodec(f, map[string]string{"raw.type": ty, "raw.line-delimiter": `\n`, "raw.charset": "latin1"}))
	}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		cd := codecs[int(which)%len(codecs)]
		if data == nil {
			data = []byte{} // nil is a Kafka null, tested apart
		}
		rows, err := cd.Decode(data)
		if err != nil {
			return
		}
		msgs, err := cd.Encode(rows)
		if err != nil {
			t.Fatalf("%x decoded to %v, which fails to encode: %v", data, rows, err)
		}
		joined := []byte{}
		for _, m := range msgs {
			joined = append(joined, m...)
		}
		back, err := cd.Decode(joined)
		if err != nil || len(back) != len(rows) {
			t.Fatalf("%x → %v → %x → %v, %v", data, rows, joined, back, err)
		}
		for i := range rows {
			if !connect.ValuesEqual(rows[i].Value, back[i].Value) && !bothNaN(rows[i].Value, back[i].Value) {
				t.Fatalf("%x row %d: %#v → %#v", data, i, rows[i].Value, back[i].Value)
			}
		}
		exact := cd.cs != utf16BOM && cd.kind != kBool && cd.delim == ""
		if exact && !bytes.Equal(joined, data) {
			t.Fatalf("%x re-encoded as %x", data, joined)
		}
	})
}

func bothNaN(a, b any) bool {
	switch x := a.(type) {
	case float32:
		y, ok := b.(float32)
		return ok && x != x && y != y
	case float64:
		y, ok := b.(float64)
		return ok && x != x && y != y
	}
	return false
}

func BenchmarkDecode(b *testing.B) {
	for _, tc := range []struct{ name, typ, charset, data string }{
		{"bytes", "BYTES", "UTF-8", strings.Repeat("x", 100)},
		{"string-utf8", "STRING", "UTF-8", strings.Repeat("x", 100)},
		{"string-utf16le", "STRING", "UTF-16LE", strings.Repeat("x\x00", 50)},
		{"bigint", "BIGINT", "UTF-8", "12345678"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cd := newTestCodec(b, map[string]string{"raw.type": tc.typ, "raw.charset": tc.charset})
			data := []byte(tc.data)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cd.Decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncode(b *testing.B) {
	for _, tc := range []struct {
		name, typ, charset string
		value              any
	}{
		{"bytes", "BYTES", "UTF-8", []byte(strings.Repeat("x", 100))},
		{"string-utf8", "STRING", "UTF-8", strings.Repeat("x", 100)},
		{"string-utf16le", "STRING", "UTF-16LE", strings.Repeat("x", 50)},
		{"bigint", "BIGINT", "UTF-8", int64(12345678)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cd := newTestCodec(b, map[string]string{"raw.type": tc.typ, "raw.charset": tc.charset})
			rows := []formats.Row{{Value: tc.value}}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cd.Encode(rows); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
