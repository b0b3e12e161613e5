package jsonformat

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// The scanner is a small hand-written JSON tokenizer. Decoding walks the input once and builds
// Connect values directly from the tokens, with no intermediate tree: that is what keeps the
// converter cheap on the hot path. It accepts exactly what Jackson's default parser accepts
// (RFC 8259: no comments, no NaN tokens, no leading zeros, only the standard escapes, no raw
// control characters in strings, valid UTF-8), with Jackson's default limits on nesting depth
// and number length.

const (
	// maxDepth is Jackson's default StreamReadConstraints nesting limit.
	maxDepth = 1000
	// maxNumberLen is Jackson's default StreamReadConstraints number length limit.
	maxNumberLen = 1000
)

// SyntaxError is malformed JSON, with the byte offset where it was found.
type SyntaxError struct {
	Msg    string
	Offset int
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s at byte offset %d", e.Msg, e.Offset) }

type scanner struct {
	data  []byte
	pos   int
	depth int
}

func (s *scanner) errorf(format string, args ...any) *SyntaxError {
	return &SyntaxError{Msg: fmt.Sprintf(format, args...), Offset: s.pos}
}

func (s *scanner) eof() bool { return s.pos >= len(s.data) }

func (s *scanner) skipWS() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// unexpected describes the byte at the current position for an error message.
func (s *scanner) unexpected(what string) *SyntaxError {
	if s.eof() {
		return s.errorf("unexpected end of input, expected %s", what)
	}
	c := s.data[s.pos]
	if c >= 0x20 && c < 0x7f {
		return s.errorf("unexpected character %q, expected %s", c, what)
	}
	return s.errorf("unexpected byte 0x%02x, expected %s", c, what)
}

func (s *scanner) enter() error {
	s.depth++
	if s.depth > maxDepth {
		return s.errorf("document nesting depth exceeds the maximum allowed (%d)", maxDepth)
	}
	return nil
}

// next skips whitespace and returns the next byte without consuming it.
func (s *scanner) next(what string) (byte, error) {
	s.skipWS()
	if s.eof() {
		return 0, s.unexpected(what)
	}
	return s.data[s.pos], nil
}

// endOfDocument checks that only whitespace follows the top-level value.
func (s *scanner) endOfDocument() error {
	s.skipWS()
	if !s.eof() {
		return s.unexpected("end of input")
	}
	return nil
}

// literal consumes the literal word (true, false, null) at the current position.
func (s *scanner) literal(word string) error {
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		end := s.pos
		for end < len(s.data) && end-s.pos < 32 && isTokenChar(s.data[end]) {
			end++
		}
		if end == s.pos {
			end++
		}
		return s.errorf("unrecognized token '%s'", s.data[s.pos:min(end, len(s.data))])
	}
	s.pos += len(word)
	return nil
}

func isTokenChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '+' || c == '.'
}

// strPlain marks bytes a string can hold as they are: printable ASCII except '"' and '\'.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scanString consumes a string token starting at '"' and returns the bounds of its raw content
// and whether that content holds escapes (and so must go through unquote).
func (s *scanner) scanString() (start, end int, escaped bool, err error) {
	s.pos++ // opening quote
	start = s.pos
	data := s.data
	nonASCII := false
	i := s.pos
	for {
		for i < len(data) && strPlain[data[i]] {
			i++
		}
		if i >= len(data) {
			s.pos = i
			return 0, 0, false, s.errorf("unterminated string starting at byte offset %d", start-1)
		}
		c := data[i]
		switch {
		case c == '"':
			if nonASCII && !utf8.Valid(data[start:i]) {
				s.pos = start
				return 0, 0, false, s.errorf("invalid UTF-8 in string")
			}
			s.pos = i + 1
			return start, i, escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(data) {
				s.pos = i
				return 0, 0, false, s.errorf("unterminated string starting at byte offset %d", start-1)
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(data)-i < 6 || !isHex(data[i+2]) || !isHex(data[i+3]) || !isHex(data[i+4]) || !isHex(data[i+5]) {
					s.pos = i
					return 0, 0, false, s.errorf("invalid \\u escape in string")
				}
				i += 6
			default:
				s.pos = i
				return 0, 0, false, s.errorf("unrecognized character escape %q", data[i+1])
			}
		case c < 0x20:
			s.pos = i
			return 0, 0, false, s.errorf("illegal unquoted control character (code %d) in string: it must be escaped", c)
		default: // >= 0x80, checked as a whole when the string ends
			nonASCII = true
			i++
		}
	}
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func hexVal(c byte) rune {
	switch {
	case c <= '9':
		return rune(c - '0')
	case c >= 'a':
		return rune(c - 'a' + 10)
	}
	return rune(c - 'A' + 10)
}

// readString consumes a string token and returns its value.
func (s *scanner) readString() (string, error) {
	start, end, escaped, err := s.scanString()
	if err != nil {
		return "", err
	}
	if !escaped {
		return string(s.data[start:end]), nil
	}
	return string(unquote(s.data[start:end], nil)), nil
}

// unquote decodes the escapes of a validated string body, appending to dst. A \u escape that
// is half of a surrogate pair without its other half becomes U+FFFD, since Go strings hold
// UTF-8.
func unquote(raw, dst []byte) []byte {
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		switch raw[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hexVal(raw[i+2])<<12 | hexVal(raw[i+3])<<8 | hexVal(raw[i+4])<<4 | hexVal(raw[i+5])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					r2 := hexVal(raw[i+2])<<12 | hexVal(raw[i+3])<<8 | hexVal(raw[i+4])<<4 | hexVal(raw[i+5])
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						dst = utf8.AppendRune(dst, dec)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default: // '"', '\\', '/'
			dst = append(dst, raw[i+1])
		}
		i += 2
	}
	return dst
}

// scanNumber consumes a number token and returns its text and whether it is integral (no
// fraction and no exponent), as Jackson tells int tokens from float tokens.
func (s *scanner) scanNumber() (tok []byte, integral bool, err error) {
	data := s.data
	start := s.pos
	i := s.pos
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i] >= '1' && data[i] <= '9':
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	default:
		s.pos = i
		return nil, false, s.unexpected("a digit")
	}
	integral = true
	if i < len(data) && data[i] == '.' {
		integral = false
		i++
		if i >= len(data) || data[i] < '0' || data[i] > '9' {
			s.pos = i
			return nil, false, s.unexpected("a digit after the decimal point")
		}
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		integral = false
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || data[i] < '0' || data[i] > '9' {
			s.pos = i
			return nil, false, s.unexpected("a digit in the exponent")
		}
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	}
	if i-start > maxNumberLen {
		s.pos = start
		return nil, false, s.errorf("number length (%d) exceeds the maximum allowed (%d)", i-start, maxNumberLen)
	}
	s.pos = i
	return data[start:i], integral, nil
}

// skipValue consumes one value of any kind, checking its syntax.
func (s *scanner) skipValue() error {
	c, err := s.next("a value")
	if err != nil {
		return err
	}
	switch c {
	case '{':
		return s.skipObject()
	case '[':
		return s.skipArray()
	case '"':
		_, _, _, err := s.scanString()
		return err
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	}
	if c == '-' || c >= '0' && c <= '9' {
		_, _, err := s.scanNumber()
		return err
	}
	return s.unexpected("a value")
}

// fields walks the JSON object that starts at s.pos: for each member it calls field with s.pos
// at the opening quote of the member's name, and field reads the name, the colon and the value.
// It leaves the object after its closing '}'.
func (s *scanner) fields(field func() error) error {
	if err := s.enter(); err != nil {
		return err
	}
	s.pos++
	c, err := s.next("a field name or '}'")
	if err != nil {
		return err
	}
	if c == '}' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		if c != '"' {
			return s.unexpected("a field name")
		}
		if err := field(); err != nil {
			return err
		}
		more, err := s.more('}')
		if err != nil || !more {
			return err
		}
		if c, err = s.next("a field name"); err != nil {
			return err
		}
	}
}

func (s *scanner) skipObject() error {
	return s.fields(func() error {
		if _, _, _, err := s.scanString(); err != nil {
			return err
		}
		if err := s.colon(); err != nil {
			return err
		}
		return s.skipValue()
	})
}

func (s *scanner) skipArray() error {
	if err := s.enter(); err != nil {
		return err
	}
	s.pos++
	c, err := s.next("a value or ']'")
	if err != nil {
		return err
	}
	if c == ']' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		if err := s.skipValue(); err != nil {
			return err
		}
		more, err := s.more(']')
		if err != nil || !more {
			return err
		}
	}
}

// colon consumes the ':' after a field name.
func (s *scanner) colon() error {
	c, err := s.next("':'")
	if err != nil {
		return err
	}
	if c != ':' {
		return s.unexpected("':'")
	}
	s.pos++
	return nil
}

// more consumes the ',' between members or the closing bracket; it reports whether another
// member follows. Closing a container leaves it.
func (s *scanner) more(closing byte) (bool, error) {
	s.skipWS()
	if !s.eof() {
		switch s.data[s.pos] {
		case ',':
			s.pos++
			return true, nil
		case closing:
			s.pos++
			s.depth--
			return false, nil
		}
	}
	if closing == '}' {
		return false, s.unexpected("',' or '}'")
	}
	return false, s.unexpected("',' or ']'")
}

// validate checks that data is one well-formed JSON document (or only whitespace, which
// Jackson reads as a missing value).
func validate(data []byte) error {
	s := scanner{data: data}
	s.skipWS()
	if s.eof() {
		return nil
	}
	if err := s.skipValue(); err != nil {
		return err
	}
	return s.endOfDocument()
}

// nodeType names the kind of the value at the current position as Jackson's JsonNodeType does,
// for error messages.
func nodeType(c byte) string {
	switch c {
	case '{':
		return "OBJECT"
	case '[':
		return "ARRAY"
	case '"':
		return "STRING"
	case 't', 'f':
		return "BOOLEAN"
	case 'n':
		return "NULL"
	}
	return "NUMBER"
}
