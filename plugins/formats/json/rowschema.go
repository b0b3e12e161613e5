package jsonformat

import (
	"fmt"
	"maps"
	"strings"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// ParseRowSchema reads the json.schema option: either a Kafka JsonConverter schema (JSON text
// starting with '{', as the "schema" of the envelope) or a column list in Flink SQL syntax
// (formats.ParseColumns), such as
//
//	id BIGINT NOT NULL, name STRING, price DECIMAL(10,2), ts TIMESTAMP(3), at TIMESTAMP_LTZ(3)
//
// Columns declared TIMESTAMP_LTZ or TIMESTAMP WITH [LOCAL] TIME ZONE, at any depth, get the
// LocalTimeZoneParameter mark, which formats.ParseColumns does not record. Blank text is no
// schema (nil).
func ParseRowSchema(text string) (*connect.Schema, error) {
	t := strings.TrimSpace(text)
	if t == "" {
		return nil, nil
	}
	if t[0] == '{' {
		s, err := NewDecoder(DefaultOptions()).ParseSchema([]byte(t))
		if err != nil {
			return nil, fmt.Errorf("schema JSON: %w", err)
		}
		return s, nil
	}
	s, err := formats.ParseColumns(t)
	if err != nil {
		return nil, err
	}
	p := &ltzParser{toks: tokenize(t)}
	var cols []ltzNode
	for !p.done() {
		p.i++ // the column name
		cols = append(cols, p.typ())
		p.accept(",")
	}
	return markLTZ(s, ltzNode{children: cols}), nil
}

// ltzNode mirrors a schema tree and says where TIMESTAMP_LTZ columns are: children are the
// fields of a ROW, the element of an ARRAY, or the key and value of a MAP.
type ltzNode struct {
	ltz      bool
	children []ltzNode
}

func (n ltzNode) any() bool {
	if n.ltz {
		return true
	}
	for _, c := range n.children {
		if c.any() {
			return true
		}
	}
	return false
}

// markLTZ returns s with LocalTimeZoneParameter set on the Timestamp schemas n marks, copying
// only the schemas on the way to them.
func markLTZ(s *connect.Schema, n ltzNode) *connect.Schema {
	if s == nil || !n.any() {
		return s
	}
	c := *s
	switch {
	case n.ltz && s.Name == connect.TimestampName:
		c.Parameters = maps.Clone(s.Parameters)
		if c.Parameters == nil {
			c.Parameters = map[string]string{}
		}
		c.Parameters[LocalTimeZoneParameter] = "true"
	case s.Type == connect.TypeStruct:
		c.Fields = make([]connect.Field, len(s.Fields))
		for i, f := range s.Fields {
			if i < len(n.children) {
				f.Schema = markLTZ(f.Schema, n.children[i])
			}
			c.Fields[i] = f
		}
	case s.Type == connect.TypeArray && len(n.children) == 1:
		c.ValueSchema = markLTZ(s.ValueSchema, n.children[0])
	case s.Type == connect.TypeMap && len(n.children) == 2:
		c.KeySchema = markLTZ(s.KeySchema, n.children[0])
		c.ValueSchema = markLTZ(s.ValueSchema, n.children[1])
	}
	return &c
}

// token is one token of a column list, as formats.ParseColumns splits it.
type token struct {
	text   string
	quoted bool // a `backquoted` name
}

func tokenize(s string) []token {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '`':
			var b strings.Builder
			i++
			for i < len(s) {
				if s[i] == '`' {
					if i+1 < len(s) && s[i+1] == '`' {
						b.WriteByte('`')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			out = append(out, token{text: b.String(), quoted: true})
		case isIdentByte(c):
			j := i
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			out = append(out, token{text: s[i:j]})
			i = j
		default:
			out = append(out, token{text: s[i : i+1]})
			i++
		}
	}
	return out
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// ltzParser walks a column list that formats.ParseColumns has already accepted, following the
// same grammar, to find which types are TIMESTAMP_LTZ. It never fails: on text it does not
// expect it stops marking.
type ltzParser struct {
	toks []token
	i    int
}

func (p *ltzParser) done() bool { return p.i >= len(p.toks) }

func (p *ltzParser) keyword() string {
	if p.done() || p.toks[p.i].quoted {
		return ""
	}
	return strings.ToUpper(p.toks[p.i].text)
}

func (p *ltzParser) accept(t string) bool {
	if !p.done() && !p.toks[p.i].quoted && p.toks[p.i].text == t {
		p.i++
		return true
	}
	return false
}

// words consumes a sequence of keywords if all of them follow.
func (p *ltzParser) words(ws ...string) bool {
	save := p.i
	for _, w := range ws {
		if p.keyword() != w {
			p.i = save
			return false
		}
		p.i++
	}
	return true
}

// params skips an optional (n[, m]) list.
func (p *ltzParser) params() {
	if !p.accept("(") {
		return
	}
	for !p.done() && !p.accept(")") {
		p.i++
	}
}

func (p *ltzParser) typ() ltzNode {
	kw := p.keyword()
	p.i++
	var n ltzNode
	switch kw {
	case "TIMESTAMP_LTZ":
		p.params()
		n.ltz = true
	case "TIMESTAMP":
		p.params()
		switch {
		case p.words("WITHOUT", "TIME", "ZONE"):
		case p.words("WITH", "LOCAL", "TIME", "ZONE"), p.words("WITH", "TIME", "ZONE"):
			n.ltz = true
		}
	case "ARRAY":
		p.accept("<")
		n.children = []ltzNode{p.typ()}
		p.accept(">")
	case "MAP":
		p.accept("<")
		k := p.typ()
		p.accept(",")
		v := p.typ()
		p.accept(">")
		n.children = []ltzNode{k, v}
	case "ROW", "STRUCT":
		closer := ">"
		if p.accept("(") {
			closer = ")"
		} else {
			p.accept("<")
		}
		for !p.done() && !p.accept(closer) {
			p.i++ // the field name
			n.children = append(n.children, p.typ())
			p.accept(",")
		}
	default:
		p.params()
		p.words("PRECISION")
		p.words("WITHOUT", "TIME", "ZONE")
	}
	if !p.words("NOT", "NULL") {
		p.words("NULL")
	}
	return n
}
