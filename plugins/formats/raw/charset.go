package raw

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// charset converts between a Go string (UTF-8) and bytes in one of the charsets Flink's raw
// format documents. Conversions are strict: bytes or characters the charset cannot represent are
// an error naming the offset, where Java would substitute '?' or U+FFFD and lose data silently.
// UTF-8 is the exception, as in Flink: its bytes become the string unchecked, so every message
// round-trips byte for byte.
type charset struct {
	name   string
	decode func(b []byte) (string, error)
	encode func(dst []byte, s string) ([]byte, error)
}

var (
	utf8Charset   = &charset{name: "UTF-8", decode: func(b []byte) (string, error) { return string(b), nil }, encode: func(dst []byte, s string) ([]byte, error) { return append(dst, s...), nil }}
	latin1Charset = &charset{name: "ISO-8859-1", decode: decodeLatin1, encode: encodeLatin1}
	asciiCharset  = &charset{name: "US-ASCII", decode: decodeASCII, encode: encodeASCII}
	utf16BE       = &charset{name: "UTF-16BE", decode: func(b []byte) (string, error) { return decodeUTF16(b, true, 0) }, encode: func(dst []byte, s string) ([]byte, error) { return encodeUTF16(dst, s, true) }}
	utf16LE       = &charset{name: "UTF-16LE", decode: func(b []byte) (string, error) { return decodeUTF16(b, false, 0) }, encode: func(dst []byte, s string) ([]byte, error) { return encodeUTF16(dst, s, false) }}
	utf16BOM      = &charset{name: "UTF-16", decode: decodeUTF16BOM, encode: func(dst []byte, s string) ([]byte, error) {
		// Java's UTF-16 encoder writes big-endian behind a byte-order mark.
		return encodeUTF16(append(dst, 0xfe, 0xff), s, true)
	}}
)

// charsets maps the lower-case names and aliases Java accepts to the supported charsets.
var charsets = map[string]*charset{}

func init() {
	for cs, names := range map[*charset][]string{
		utf8Charset:   {"utf-8", "utf8", "unicode-1-1-utf-8"},
		latin1Charset: {"iso-8859-1", "iso8859-1", "iso8859_1", "iso_8859_1", "iso_8859-1", "iso_8859-1:1987", "latin1", "l1", "8859_1", "cp819", "ibm819", "ibm-819", "819", "iso-ir-100", "iso-latin-1", "csisolatin1"},
		asciiCharset:  {"us-ascii", "ascii", "us", "iso646-us", "646", "ascii7", "default", "cp367", "ibm367", "csascii", "iso-ir-6", "ansi_x3.4-1968", "ansi_x3.4-1986", "iso_646.irv:1991", "iso_646.irv:1983"},
		utf16BE:       {"utf-16be", "utf_16be", "x-utf-16be", "iso-10646-ucs-2", "unicodebigunmarked"},
		utf16LE:       {"utf-16le", "utf_16le", "x-utf-16le", "unicodelittleunmarked"},
		utf16BOM:      {"utf-16", "utf_16", "utf16", "unicode", "unicodebig"},
	} {
		for _, n := range names {
			charsets[n] = cs
		}
	}
}

func lookupCharset(name string) (*charset, error) {
	if cs, ok := charsets[strings.ToLower(strings.TrimSpace(name))]; ok {
		return cs, nil
	}
	return nil, fmt.Errorf("unsupported charset %q (supported: UTF-8, ISO-8859-1, US-ASCII, UTF-16BE, UTF-16LE, UTF-16, and their Java aliases)", name)
}

func decodeLatin1(b []byte) (string, error) {
	ascii := true
	for _, c := range b {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b), nil
	}
	out := make([]byte, 0, len(b)+len(b)/2)
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return string(out), nil
}

func encodeLatin1(dst []byte, s string) ([]byte, error) {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && isInvalidAt(s, i):
			return nil, fmt.Errorf("invalid UTF-8 at offset %d of the string", i)
		case r > 0xff:
			return nil, fmt.Errorf("character %q at offset %d of the string has no ISO-8859-1 byte", r, i)
		}
		dst = append(dst, byte(r))
	}
	return dst, nil
}

func decodeASCII(b []byte) (string, error) {
	for i, c := range b {
		if c >= 0x80 {
			return "", fmt.Errorf("byte 0x%02x at offset %d is not US-ASCII", c, i)
		}
	}
	return string(b), nil
}

func encodeASCII(dst []byte, s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			r, _ := utf8.DecodeRuneInString(s[i:])
			return nil, fmt.Errorf("character %q at offset %d of the string is not US-ASCII", r, i)
		}
	}
	return append(dst, s...), nil
}

func isInvalidAt(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size == 1
}

// decodeUTF16 decodes b; base is the offset of b in the message, for error messages.
func decodeUTF16(b []byte, bigEndian bool, base int) (string, error) {
	if len(b)%2 != 0 {
		return "", fmt.Errorf("UTF-16 text has an odd number of bytes (%d)", len(b)+base)
	}
	out := make([]byte, 0, len(b))
	unit := func(i int) rune {
		if bigEndian {
			return rune(b[i])<<8 | rune(b[i+1])
		}
		return rune(b[i+1])<<8 | rune(b[i])
	}
	for i := 0; i < len(b); i += 2 {
		u := unit(i)
		switch {
		case utf16.IsSurrogate(u):
			if u >= 0xdc00 || i+3 >= len(b) {
				return "", fmt.Errorf("unpaired UTF-16 surrogate 0x%04x at offset %d", u, i+base)
			}
			r := utf16.DecodeRune(u, unit(i+2))
			if r == utf8.RuneError {
				return "", fmt.Errorf("unpaired UTF-16 surrogate 0x%04x at offset %d", u, i+base)
			}
			out = utf8.AppendRune(out, r)
			i += 2
		default:
			out = utf8.AppendRune(out, u)
		}
	}
	return string(out), nil
}

func decodeUTF16BOM(b []byte) (string, error) {
	if len(b) >= 2 {
		switch {
		case b[0] == 0xfe && b[1] == 0xff:
			return decodeUTF16(b[2:], true, 2)
		case b[0] == 0xff && b[1] == 0xfe:
			return decodeUTF16(b[2:], false, 2)
		}
	}
	return decodeUTF16(b, true, 0)
}

func encodeUTF16(dst []byte, s string, bigEndian bool) ([]byte, error) {
	put := func(u uint16) {
		if bigEndian {
			dst = append(dst, byte(u>>8), byte(u))
		} else {
			dst = append(dst, byte(u), byte(u>>8))
		}
	}
	for i, r := range s {
		if r == utf8.RuneError && isInvalidAt(s, i) {
			return nil, fmt.Errorf("invalid UTF-8 at offset %d of the string", i)
		}
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			put(uint16(r1))
			put(uint16(r2))
			continue
		}
		put(uint16(r))
	}
	return dst, nil
}
