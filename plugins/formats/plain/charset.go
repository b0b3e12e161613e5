package plain

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// charset is one of the Java character sets StringConverter's converter.encoding can name. It
// encodes and decodes as Java's String.getBytes and new String(bytes, charset) do: characters
// the charset cannot hold become '?', bytes that are not valid text become U+FFFD.
type charset struct {
	name   string
	encode func(dst []byte, s string) []byte
	decode func(b []byte) string
}

// charsetNames maps Java's canonical names and common aliases (upper case) to charsets.
var charsetNames = func() map[string]*charset {
	utf8cs := &charset{name: "UTF-8", encode: func(dst []byte, s string) []byte { return append(dst, s...) }, decode: decodeUTF8}
	utf16cs := &charset{name: "UTF-16", encode: encodeUTF16BOM, decode: decodeUTF16BOM}
	be := &charset{name: "UTF-16BE", encode: func(dst []byte, s string) []byte { return encodeUTF16(dst, s, false) },
		decode: func(b []byte) string { return decodeUTF16(b, false) }}
	le := &charset{name: "UTF-16LE", encode: func(dst []byte, s string) []byte { return encodeUTF16(dst, s, true) },
		decode: func(b []byte) string { return decodeUTF16(b, true) }}
	latin1 := &charset{name: "ISO-8859-1", encode: func(dst []byte, s string) []byte { return encodeSingleByte(dst, s, 0xff) },
		decode: func(b []byte) string { return decodeSingleByte(b, 0xff) }}
	ascii := &charset{name: "US-ASCII", encode: func(dst []byte, s string) []byte { return encodeSingleByte(dst, s, 0x7f) },
		decode: func(b []byte) string { return decodeSingleByte(b, 0x7f) }}
	m := map[string]*charset{}
	for cs, names := range map[*charset][]string{
		utf8cs:  {"UTF-8", "UTF8", "UNICODE-1-1-UTF-8"},
		utf16cs: {"UTF-16", "UTF16", "UTF_16", "UNICODE", "UNICODEBIG"},
		be:      {"UTF-16BE", "UTF_16BE", "X-UTF-16BE", "ISO-10646-UCS-2", "UNICODEBIGUNMARKED"},
		le:      {"UTF-16LE", "UTF_16LE", "X-UTF-16LE", "UNICODELITTLEUNMARKED"},
		latin1: {"ISO-8859-1", "ISO8859-1", "ISO8859_1", "ISO_8859_1", "ISO_8859-1", "ISO_8859-1:1987", "ISO-IR-100",
			"LATIN1", "L1", "IBM819", "IBM-819", "CP819", "CSISOLATIN1", "819", "8859_1"},
		ascii: {"US-ASCII", "ASCII", "US", "ISO646-US", "ISO_646.IRV:1991", "ISO_646.IRV:1983", "ANSI_X3.4-1968",
			"ANSI_X3.4-1986", "ISO-IR-6", "IBM367", "CP367", "CSASCII", "646", "DEFAULT", "ASCII7"},
	} {
		for _, n := range names {
			m[n] = cs
		}
	}
	return m
}()

// utf8Charset is the default, with a fast path in StringConverter.
var utf8Charset = charsetNames["UTF-8"]

// lookupCharset finds a charset by Java name or alias, ignoring case.
func lookupCharset(name string) (*charset, error) {
	if cs, ok := charsetNames[strings.ToUpper(strings.TrimSpace(name))]; ok {
		return cs, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q (supported: UTF-8, UTF-16, UTF-16BE, UTF-16LE, ISO-8859-1, US-ASCII)", name)
}

// decodeUTF8 keeps the bytes as they are: a Go string may hold invalid UTF-8, so nothing is lost
// (Java would replace invalid sequences with U+FFFD).
func decodeUTF8(b []byte) string { return string(b) }

// encodeUTF16BOM writes Java's "UTF-16": a big-endian byte-order mark, then big-endian units.
func encodeUTF16BOM(dst []byte, s string) []byte {
	if s == "" {
		return dst
	}
	return encodeUTF16(append(dst, 0xfe, 0xff), s, false)
}

// decodeUTF16BOM reads Java's "UTF-16": a byte-order mark picks the byte order and is dropped;
// without one the bytes are big-endian.
func decodeUTF16BOM(b []byte) string {
	if len(b) >= 2 {
		switch {
		case b[0] == 0xfe && b[1] == 0xff:
			return decodeUTF16(b[2:], false)
		case b[0] == 0xff && b[1] == 0xfe:
			return decodeUTF16(b[2:], true)
		}
	}
	return decodeUTF16(b, false)
}

func encodeUTF16(dst []byte, s string, little bool) []byte {
	put := func(u uint16) {
		if little {
			dst = append(dst, byte(u), byte(u>>8))
		} else {
			dst = append(dst, byte(u>>8), byte(u))
		}
	}
	for _, r := range s { // invalid UTF-8 reads as U+FFFD
		if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			put(uint16(r1))
			put(uint16(r2))
		} else {
			put(uint16(r))
		}
	}
	return dst
}

func decodeUTF16(b []byte, little bool) string {
	units := make([]uint16, len(b)/2)
	for i := range units {
		if little {
			units[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		} else {
			units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
	}
	runes := utf16.Decode(units) // unpaired surrogates become U+FFFD
	if len(b)%2 == 1 {
		runes = append(runes, utf8.RuneError)
	}
	return string(runes)
}

// encodeSingleByte writes a charset whose characters are the code points up to max.
func encodeSingleByte(dst []byte, s string, max rune) []byte {
	for _, r := range s {
		if r > max {
			r = '?'
		}
		dst = append(dst, byte(r))
	}
	return dst
}

func decodeSingleByte(b []byte, max rune) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		r := rune(c)
		if r > max {
			r = utf8.RuneError
		}
		sb.WriteRune(r)
	}
	return sb.String()
}
