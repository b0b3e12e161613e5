package cdc

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/raftconnect/raftconnect/plugins/formats"
)

// Kind is the JSON type of a Node.
type Kind uint8

// JSON node kinds.
const (
	Null Kind = iota
	False
	True
	Number
	String
	Object
	Array
)

// String names the JSON type.
func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case False, True:
		return "boolean"
	case Number:
		return "number"
	case String:
		return "string"
	case Object:
		return "object"
	case Array:
		return "array"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Node is a parsed JSON value. Objects keep their members in document order, because the order
// of a row's columns is part of the row. Strings and numbers keep their text: a number's literal
// is what decides between INT64, FLOAT64 and an exact Decimal, and it must not pass through a
// float64 on the way.
type Node struct {
	Kind Kind
	// Frac is set for numbers written with a fraction or an exponent.
	Frac bool
	// Text is the unescaped string, the number literal, or for objects and arrays the raw JSON
	// text of the value (used when a nested value becomes a STRING column).
	Text    string
	Members []Member
	Elems   []Node
}

// Member is one member of a JSON object.
type Member struct {
	Key   string
	Value Node
}

// Get returns the member called key.
func (n *Node) Get(key string) (*Node, bool) {
	for i := range n.Members {
		if n.Members[i].Key == key {
			return &n.Members[i].Value, true
		}
	}
	return nil, false
}

// SyntaxError is malformed JSON, with the byte offset where the parser gave up.
type SyntaxError struct {
	Offset int
	Msg    string
}

// Error describes the problem and where it is.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at byte offset %d: %s", e.Offset, e.Msg)
}

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 512

// Parser parses JSON text into Nodes. It keeps scratch stacks between calls so that building an
// object costs one allocation for its member slice; a Parser is not safe for concurrent use.
//
// Strings without escapes are substrings of the text given to Reset: parsing a message copies it
// to a string once and every column value shares that copy.
type Parser struct {
	s       string
	i       int
	depth   int
	members []Member
	elems   []Node
}

// Reset starts parsing s.
func (p *Parser) Reset(s string) {
	p.s, p.i, p.depth = s, 0, 0
	p.members = p.members[:0]
	p.elems = p.elems[:0]
}

// Offset is the current byte offset.
func (p *Parser) Offset() int { return p.i }

// Text returns the text being parsed.
func (p *Parser) Text() string { return p.s }

func (p *Parser) errf(format string, args ...any) error {
	return &SyntaxError{Offset: p.i, Msg: fmt.Sprintf(format, args...)}
}

// ParseAll parses one JSON value that must make up all of s (surrounding white space allowed).
func (p *Parser) ParseAll(s string) (Node, error) {
	p.Reset(s)
	n, err := p.Value()
	if err != nil {
		return Node{}, err
	}
	p.ws()
	if p.i != len(p.s) {
		return Node{}, p.errf("unexpected %q after the value", p.s[p.i])
	}
	return n, nil
}

// ParseSpan parses the value at s[start:end], which Scan reported.
func (p *Parser) ParseSpan(start, end int) (Node, error) {
	save := p.s
	p.s, p.i = save[:end], start
	n, err := p.Value()
	p.s = save
	return n, err
}

func (p *Parser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// Value parses the value at the current offset.
func (p *Parser) Value() (Node, error) {
	p.ws()
	if p.i >= len(p.s) {
		return Node{}, p.errf("unexpected end of input")
	}
	switch c := p.s[p.i]; {
	case c == '{' || c == '[':
		return p.container(c)
	case c == '"':
		s, err := p.str()
		return Node{Kind: String, Text: s}, err
	case c == 't':
		return Node{Kind: True}, p.lit("true")
	case c == 'f':
		return Node{Kind: False}, p.lit("false")
	case c == 'n':
		return Node{Kind: Null}, p.lit("null")
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.i
		frac, err := p.number()
		return Node{Kind: Number, Frac: frac, Text: p.s[start:p.i]}, err
	default:
		return Node{}, p.errf("unexpected %q", c)
	}
}

func (p *Parser) lit(w string) error {
	if !strings.HasPrefix(p.s[p.i:], w) {
		return p.errf("invalid literal, want %s", w)
	}
	p.i += len(w)
	return nil
}

// container parses the object or array at p.i (which holds open), one level deeper.
func (p *Parser) container(open byte) (Node, error) {
	p.depth++
	if p.depth > maxDepth {
		return Node{}, p.errf("nesting deeper than %d", maxDepth)
	}
	var n Node
	var err error
	if open == '{' {
		n, err = p.objectBody()
	} else {
		n, err = p.arrayBody()
	}
	p.depth--
	return n, err
}

func (p *Parser) objectBody() (Node, error) {
	start := p.i
	p.i++ // {
	base := len(p.members)
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return Node{Kind: Object, Text: p.s[start:p.i]}, nil
	}
	if err := p.appendMembers(); err != nil {
		p.members = p.members[:base]
		return Node{}, err
	}
	return Node{Kind: Object, Members: cut(&p.members, base), Text: p.s[start:p.i]}, nil
}

// appendMembers parses the members of a non-empty object onto p.members, through its '}'.
func (p *Parser) appendMembers() error {
	for {
		k, err := p.memberName()
		if err != nil {
			return err
		}
		v, err := p.Value()
		if err != nil {
			return err
		}
		p.members = append(p.members, Member{Key: k, Value: v})
		if more, err := p.more('}'); !more || err != nil {
			return err
		}
	}
}

func (p *Parser) arrayBody() (Node, error) {
	start := p.i
	p.i++ // [
	base := len(p.elems)
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return Node{Kind: Array, Text: p.s[start:p.i]}, nil
	}
	if err := p.appendElems(); err != nil {
		p.elems = p.elems[:base]
		return Node{}, err
	}
	return Node{Kind: Array, Elems: cut(&p.elems, base), Text: p.s[start:p.i]}, nil
}

// cut returns a copy of what the scratch stack *stack holds from base on and pops it, clearing
// the popped items so that the stack does not keep their values alive.
func cut[T any](stack *[]T, base int) []T {
	out := make([]T, len(*stack)-base)
	copy(out, (*stack)[base:])
	clear((*stack)[base:])
	*stack = (*stack)[:base]
	return out
}

// appendElems parses the elements of a non-empty array onto p.elems, through its ']'.
func (p *Parser) appendElems() error {
	for {
		v, err := p.Value()
		if err != nil {
			return err
		}
		p.elems = append(p.elems, v)
		if more, err := p.more(']'); !more || err != nil {
			return err
		}
	}
}

// memberName parses a member's name and the ':' after it.
func (p *Parser) memberName() (string, error) {
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return "", p.errf("want a member name")
	}
	k, err := p.str()
	if err != nil {
		return "", err
	}
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] != ':' {
		return "", p.errf("want ':' after member name %q", k)
	}
	p.i++
	return k, nil
}

// more consumes the ',' after an object member or array element, reporting true, or the closer
// ('}' or ']') that ends the object or array, reporting false.
func (p *Parser) more(closer byte) (bool, error) {
	p.ws()
	if p.i >= len(p.s) {
		if closer == '}' {
			return false, p.errf("unterminated object")
		}
		return false, p.errf("unterminated array")
	}
	switch p.s[p.i] {
	case ',':
		p.i++
		return true, nil
	case closer:
		p.i++
		return false, nil
	}
	if closer == '}' {
		return false, p.errf("want ',' or '}' in object")
	}
	return false, p.errf("want ',' or ']' in array")
}

// number scans a JSON number and reports whether it has a fraction or an exponent.
func (p *Parser) number() (frac bool, err error) {
	s, i := p.s, p.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		p.i = i
		return false, p.errf("invalid number")
	}
	if i < len(s) && s[i] == '.' {
		frac = true
		i++
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			p.i = i
			return false, p.errf("invalid number: no digits after '.'")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		frac = true
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			p.i = i
			return false, p.errf("invalid number: no digits in exponent")
		}
	}
	p.i = i
	return frac, nil
}

// str parses a string at p.i (which holds '"'). Without escapes and with valid UTF-8 the result
// is a substring of the input.
func (p *Parser) str() (string, error) {
	s := p.s
	i := p.i + 1
	start := i
	ascii := true
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			out := s[start:i]
			if !ascii && !utf8.ValidString(out) {
				out = replaceInvalid(out)
			}
			p.i = i + 1
			return out, nil
		case c == '\\':
			return p.strSlow(start)
		case c < 0x20:
			p.i = i
			return "", p.errf("control character %#02x in string", c)
		case c >= 0x80:
			ascii = false
		}
		i++
	}
	p.i = i
	return "", p.errf("unterminated string")
}

// replaceInvalid replaces each byte of invalid UTF-8 with U+FFFD, as encoding/json does (and
// unlike strings.ToValidUTF8, which replaces a run of them with one).
func replaceInvalid(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r)
		i += size
	}
	return b.String()
}

func (p *Parser) strSlow(start int) (string, error) {
	s := p.s
	var b strings.Builder
	b.Grow(len(s) - start)
	i := start
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			p.i = i + 1
			return b.String(), nil
		case c < 0x20:
			p.i = i
			return "", p.errf("control character %#02x in string", c)
		case c == '\\':
			if i+1 >= len(s) {
				p.i = i
				return "", p.errf("unterminated escape")
			}
			e := s[i+1]
			i += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, ok := hex4(s, i)
				if !ok {
					p.i = i
					return "", p.errf("invalid \\u escape")
				}
				i += 4
				if utf16.IsSurrogate(r) {
					r2, ok2 := rune(-1), false
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						r2, ok2 = hex4(s, i+2)
					}
					if dec := utf16.DecodeRune(r, r2); ok2 && dec != utf8.RuneError {
						i += 6
						r = dec
					} else {
						r = utf8.RuneError
					}
				}
				b.WriteRune(r)
			default:
				p.i = i - 1
				return "", p.errf("invalid escape '\\%c'", e)
			}
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			b.WriteRune(r) // RuneError for invalid bytes, as encoding/json does
			i += size
		}
	}
	p.i = i
	return "", p.errf("unterminated string")
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for k := 0; k < 4; k++ {
		c := s[i+k]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// Skip validates and skips the value at the current offset, building nothing.
func (p *Parser) Skip() error {
	p.ws()
	if p.i >= len(p.s) {
		return p.errf("unexpected end of input")
	}
	switch c := p.s[p.i]; {
	case c == '{' || c == '[':
		p.depth++
		if p.depth > maxDepth {
			return p.errf("nesting deeper than %d", maxDepth)
		}
		err := p.skipContainer(c)
		p.depth--
		return err
	case c == '"':
		return p.skipStr()
	case c == 't':
		return p.lit("true")
	case c == 'f':
		return p.lit("false")
	case c == 'n':
		return p.lit("null")
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := p.number()
		return err
	default:
		return p.errf("unexpected %q", c)
	}
}

func (p *Parser) skipContainer(c byte) error {
	{
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		p.i++
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == closer {
			p.i++
			return nil
		}
		for {
			if c == '{' {
				p.ws()
				if p.i >= len(p.s) || p.s[p.i] != '"' {
					return p.errf("want a member name")
				}
				if err := p.skipStr(); err != nil {
					return err
				}
				p.ws()
				if p.i >= len(p.s) || p.s[p.i] != ':' {
					return p.errf("want ':' after member name")
				}
				p.i++
			}
			if err := p.Skip(); err != nil {
				return err
			}
			p.ws()
			if p.i >= len(p.s) {
				if c == '{' {
					return p.errf("unterminated object")
				}
				return p.errf("unterminated array")
			}
			if p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.s[p.i] == closer {
				p.i++
				return nil
			}
			return p.errf("want ',' or %q", closer)
		}
	}
}

func (p *Parser) skipStr() error {
	s := p.s
	for i := p.i + 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			p.i = i + 1
			return nil
		case c < 0x20:
			p.i = i
			return p.errf("control character %#02x in string", c)
		case c == '\\':
			if i+1 >= len(s) {
				p.i = i
				return p.errf("unterminated escape")
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if _, ok := hex4(s, i+2); !ok {
					p.i = i
					return p.errf("invalid \\u escape")
				}
				i += 5
			default:
				p.i = i
				return p.errf("invalid escape")
			}
		}
	}
	p.i = len(s)
	return p.errf("unterminated string")
}

// Span is the position of one member's value in the scanned text.
type Span struct {
	Start, End int
}

// Set reports whether the member was present.
func (s Span) Set() bool { return s.End > s.Start }

// ScanObject walks the members of the object that makes up all of s, calling fn with each key and
// the span of its value, without building the values.
func (p *Parser) ScanObject(s string, fn func(key string, v Span) error) error {
	return p.ParseObject(s, func(key string) error {
		start := p.i
		if err := p.Skip(); err != nil {
			return err
		}
		return fn(key, Span{start, p.i})
	})
}

// ParseObject parses the object that makes up all of s member by member: see Members.
func (p *Parser) ParseObject(s string, fn func(key string) error) error {
	p.Reset(s)
	if err := p.Members(fn); err != nil {
		return err
	}
	p.ws()
	if p.i != len(p.s) {
		return p.errf("unexpected %q after the object", p.s[p.i])
	}
	return nil
}

// Members parses the object at the current offset one member at a time, calling fn with each key
// and the parser positioned at the member's value. fn reads the value it wants (Value, Skip, a
// nested Members) and leaves the others alone, which Members then skips: one pass over the text,
// building only what the caller needs. It is how envelope decoders pick their members (and step
// over a large embedded schema they have already parsed once).
func (p *Parser) Members(fn func(key string) error) error {
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		return p.errf("want a JSON object")
	}
	p.depth++
	if p.depth > maxDepth {
		return p.errf("nesting deeper than %d", maxDepth)
	}
	err := p.eachMember(fn)
	p.depth--
	return err
}

func (p *Parser) eachMember(fn func(key string) error) error {
	p.i++
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return nil
	}
	for {
		k, err := p.memberName()
		if err != nil {
			return err
		}
		p.ws()
		start := p.i
		if err := fn(k); err != nil {
			return err
		}
		if p.i == start {
			if err := p.Skip(); err != nil {
				return err
			}
		}
		if more, err := p.more('}'); !more || err != nil {
			return err
		}
	}
}

// SkipIfPrefix skips prefix, a complete JSON value seen before, if the text at the current
// offset starts with it and it ends there; it reports whether it did. Checking a large value
// against the last one seen (a schema, a type map) is a comparison of bytes, cheaper than
// scanning it again.
func (p *Parser) SkipIfPrefix(prefix string) bool {
	p.ws()
	if prefix == "" || !strings.HasPrefix(p.s[p.i:], prefix) {
		return false
	}
	// A value that is a prefix of a longer token ("12" of "123") is not the same value.
	if end := p.i + len(prefix); end < len(p.s) {
		switch p.s[end] {
		case ' ', '\t', '\n', '\r', ',', '}', ']':
		default:
			if c := prefix[len(prefix)-1]; c != '}' && c != ']' && c != '"' {
				return false
			}
		}
	}
	p.i += len(prefix)
	return true
}

// Peek returns the next non-space byte (0 at the end).
func (p *Parser) Peek() byte {
	p.ws()
	if p.i >= len(p.s) {
		return 0
	}
	return p.s[p.i]
}

// IsNullSpan reports whether the span holds the literal null.
func IsNullSpan(s string, sp Span) bool { return !sp.Set() || s[sp.Start:sp.End] == "null" }

// Quoting is how CDC producers (Debezium, Canal, Maxwell) escape JSON strings: \b and \f by
// name, invalid UTF-8 as U+FFFD, '<', '>' and '&' as they are (they do not HTML-escape).
const Quoting = formats.QuoteNamedControls | formats.QuoteInvalidRaw

// AppendString appends s as a JSON string quoted as CDC producers quote it.
func AppendString(dst []byte, s string) []byte { return formats.AppendQuoted(dst, s, Quoting) }

// AppendStringBytes is AppendString for text held in a byte slice.
func AppendStringBytes(dst []byte, b []byte) []byte { return formats.AppendQuoted(dst, b, Quoting) }

// AppendCompact appends the JSON value in text with insignificant white space removed; text must
// be valid JSON (a Node's Text of an object or array).
func AppendCompact(dst []byte, text string) []byte {
	inStr := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if inStr {
			dst = append(dst, c)
			switch c {
			case '\\':
				i++
				if i < len(text) {
					dst = append(dst, text[i])
				}
			case '"':
				inStr = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			inStr = true
		}
		dst = append(dst, c)
	}
	return dst
}
