package restapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/raftconnect/raftconnect/connect"
)

// Request bodies are decoded token by token, in document order, so the first
// problem reported is the one Jackson (Kafka's JSON library) would report, and
// every message names the byte offset at which it was found. Like Kafka, all
// body decoding problems are answered with 500; the message says what was
// wrong.

const (
	// maxBodyBytes bounds request bodies (connector configs are small; this is
	// only a guard against runaway clients).
	maxBodyBytes = 32 << 20
	// maxNestingDepth matches Jackson's default StreamReadConstraints.
	maxNestingDepth = 1000
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func bodyError(format string, args ...any) *Error {
	return Errorf(http.StatusInternalServerError, format, args...)
}

// configBody is a decoded configuration object. JSON numbers and booleans
// have become strings (Jackson's coercion into Map<String,String>); JSON null
// is kept as a nil value. Key order is the document order, with duplicates
// collapsed (last value wins, first position kept), like Java's LinkedHashMap.
type configBody struct {
	keys   []string
	values map[string]*string
}

func newConfigBody() *configBody {
	return &configBody{values: map[string]*string{}}
}

func (c *configBody) get(key string) (value string, present, null bool) {
	v, ok := c.values[key]
	if !ok {
		return "", false, false
	}
	if v == nil {
		return "", true, true
	}
	return *v, true, false
}

func (c *configBody) set(key string, value *string) {
	if _, ok := c.values[key]; !ok {
		c.keys = append(c.keys, key)
	}
	c.values[key] = value
}

// nullKeys returns the keys whose value is null, in document order.
func (c *configBody) nullKeys() []string {
	var out []string
	for _, k := range c.keys {
		if c.values[k] == nil {
			out = append(out, k)
		}
	}
	return out
}

// nonNull returns the configuration without its null-valued keys.
func (c *configBody) nonNull() map[string]string {
	out := make(map[string]string, len(c.values))
	for k, v := range c.values {
		if v != nil {
			out[k] = *v
		}
	}
	return out
}

// patch returns the configuration as a patch (nil = delete the key).
func (c *configBody) patch() map[string]*string {
	out := make(map[string]*string, len(c.values))
	for k, v := range c.values {
		out[k] = v
	}
	return out
}

// javaString renders the configuration like Java's Map.toString, which Kafka
// uses in "Connector config {...} contains no connector type".
func (c *configBody) javaString() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range c.keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteByte('=')
		if v := c.values[k]; v != nil && connect.IsSecretKey(k) {
			b.WriteString(connect.Hidden) // a secret never appears in an error message
		} else if v != nil {
			b.WriteString(*v)
		} else {
			b.WriteString("null")
		}
	}
	b.WriteByte('}')
	return b.String()
}

// createBody is a decoded POST /connectors body.
type createBody struct {
	name         *string     // nil when absent or null
	config       *configBody // nil when absent or null
	initialState string      // "" or one of the InitialState constants
}

// tokenReader walks a JSON document token by token.
type tokenReader struct {
	dec   *json.Decoder
	data  []byte // the document (after any byte-order mark)
	base  int64  // bytes skipped before data (the byte-order mark)
	depth int
	start int64 // offset in data of the last token returned by next
}

// newTokenReader checks the raw body and prepares to read it: invalid UTF-8
// and an empty body are rejected; a UTF-8 byte-order mark is skipped (Jackson
// does so too).
func newTokenReader(data []byte) (*tokenReader, error) {
	t := &tokenReader{}
	if bytes.HasPrefix(data, utf8BOM) {
		data, t.base = data[len(utf8BOM):], int64(len(utf8BOM))
	}
	if !utf8.Valid(data) {
		return nil, bodyError("Cannot read request body: it is not valid UTF-8")
	}
	if len(bytes.Trim(data, " \t\r\n")) == 0 {
		return nil, bodyError("Request body is empty; expected a JSON object")
	}
	t.data = data
	t.dec = json.NewDecoder(bytes.NewReader(data))
	t.dec.UseNumber()
	return t, nil
}

// skip returns the offset of the first byte at or after off that is not JSON
// whitespace or, if sep, a ':' or ',' separator.
func (t *tokenReader) skip(off int64, sep bool) int64 {
	for off < int64(len(t.data)) {
		switch t.data[off] {
		case ' ', '\t', '\r', '\n':
		case ':', ',':
			if !sep {
				return off
			}
		default:
			return off
		}
		off++
	}
	return off
}

// offset is the position (0-based, in the request body) of the last token
// read, for messages.
func (t *tokenReader) offset() int64 { return t.base + t.start }

// next returns the next token. Running out of input is an error here: callers
// only ask for a token where the document needs one.
func (t *tokenReader) next() (json.Token, error) {
	before := t.dec.InputOffset()
	tok, err := t.dec.Token()
	if err == nil {
		t.start = t.skip(before, true)
		return tok, nil
	}
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		// The decoder's offsets are off by one for some errors; a full scan
		// pinpoints the first invalid byte (the document is valid up to the
		// token that failed, so it is the same error).
		off, msg := syn.Offset, syn.Error()
		var full *json.SyntaxError
		if errors.As(json.Unmarshal(t.data, new(json.RawMessage)), &full) && full.Offset > 0 {
			off, msg = full.Offset-1, full.Error()
		}
		return nil, bodyError("Malformed JSON in request body at byte offset %d: %s", t.base+off, msg)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return nil, bodyError("Malformed JSON in request body: unexpected end of input at byte offset %d", t.base+int64(len(t.data)))
	default:
		return nil, bodyError("Malformed JSON in request body at byte offset %d: %v", t.base+t.skip(before, true), err)
	}
}

// end checks that nothing but whitespace follows the top-level value.
// (Jackson ignores trailing content; we reject it so a truncated or
// concatenated body is never half-applied.)
func (t *tokenReader) end() error {
	off := t.skip(t.dec.InputOffset(), false)
	if _, err := t.dec.Token(); errors.Is(err, io.EOF) {
		return nil
	}
	return bodyError("Malformed JSON in request body: unexpected data after the top-level JSON value at byte offset %d", t.base+off)
}

// closeDelim consumes the '}' or ']' that must follow the last member.
func (t *tokenReader) closeDelim() error {
	_, err := t.next()
	t.depth--
	return err
}

func (t *tokenReader) enter() error {
	t.depth++
	if t.depth > maxNestingDepth {
		return bodyError("Cannot deserialize request body: nesting depth exceeds the maximum of %d at byte offset %d", maxNestingDepth, t.offset())
	}
	return nil
}

// members reads the members of an object whose '{' has just been read,
// calling member with each key in document order; member must read the value
// (t.next gives its first token). It also consumes the closing '}'.
func (t *tokenReader) members(member func(key string) error) error {
	if err := t.enter(); err != nil {
		return err
	}
	for t.dec.More() {
		k, err := t.key()
		if err != nil {
			return err
		}
		if err := member(k); err != nil {
			return err
		}
	}
	return t.closeDelim()
}

// elements is members for an array whose '[' has just been read: element
// reads the i'th element.
func (t *tokenReader) elements(element func(i int) error) error {
	if err := t.enter(); err != nil {
		return err
	}
	for i := 0; t.dec.More(); i++ {
		if err := element(i); err != nil {
			return err
		}
	}
	return t.closeDelim()
}

// key reads an object member name. The decoder guarantees it is a string.
func (t *tokenReader) key() (string, error) {
	tok, err := t.next()
	if err != nil {
		return "", err
	}
	k, ok := tok.(string)
	if !ok { // not reachable with encoding/json's state machine, but be safe
		return "", bodyError("Malformed JSON in request body at byte offset %d: expected an object key", t.offset())
	}
	return k, nil
}

// kind names a token's JSON type the way Jackson's messages do.
func kind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "Array"
		}
		return "Object"
	case string:
		return "String"
	case json.Number:
		return "Number"
	case bool:
		return "Boolean"
	case nil:
		return "Null"
	}
	return "unknown"
}

// scalarToString converts a scalar token the way Jackson deserializes it into
// a Java String: strings as is, numbers as written, booleans as true/false.
// ok is false for objects and arrays; null reports isNull.
func scalarToString(tok json.Token) (s string, isNull, ok bool) {
	switch v := tok.(type) {
	case string:
		return v, false, true
	case json.Number:
		return string(v), false, true
	case bool:
		return strconv.FormatBool(v), false, true
	case nil:
		return "", true, true
	}
	return "", false, false
}

// readConfig reads a JSON object of configuration properties whose first
// token (already read) is tok. what describes the value for messages.
func (t *tokenReader) readConfig(tok json.Token, what string) (*configBody, error) {
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, bodyError("Cannot deserialize value of type `Map<String,String>` from %s value: %s must be a JSON object (at byte offset %d)", kind(tok), what, t.offset())
	}
	cfg := newConfigBody()
	err := t.members(func(k string) error {
		vt, err := t.next()
		if err != nil {
			return err
		}
		s, isNull, ok := scalarToString(vt)
		if !ok {
			return bodyError("Cannot deserialize value of type `String` from %s value for configuration property %q (at byte offset %d): configuration values must be strings, numbers, booleans or null", kind(vt), k, t.offset())
		}
		if isNull {
			cfg.set(k, nil)
		} else {
			cfg.set(k, &s)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// first reads the first token of the body; a top-level JSON null is reported
// here (Kafka would fail later with a NullPointerException).
func (t *tokenReader) first() (json.Token, error) {
	tok, err := t.next()
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, bodyError("Request body is JSON null; expected a JSON object")
	}
	return tok, nil
}

// decodeDocument decodes a whole request body: read reads the top-level
// value, given its first token, and nothing but whitespace may follow it.
func decodeDocument[T any](data []byte, read func(t *tokenReader, tok json.Token) (T, error)) (T, error) {
	var zero T
	t, err := newTokenReader(data)
	if err != nil {
		return zero, err
	}
	tok, err := t.first()
	if err != nil {
		return zero, err
	}
	v, err := read(t, tok)
	if err != nil {
		return zero, err
	}
	if err := t.end(); err != nil {
		return zero, err
	}
	return v, nil
}

// decodeConfigBody decodes a flat configuration object (PUT/PATCH config and
// validate bodies).
func decodeConfigBody(data []byte) (*configBody, error) {
	return decodeDocument(data, func(t *tokenReader, tok json.Token) (*configBody, error) {
		return t.readConfig(tok, "the request body")
	})
}

// parseInitialState mirrors Kafka's InitialState.forValue: upper-case, then
// match exactly.
func parseInitialState(v string) (string, bool) {
	switch u := strings.ToUpper(v); u {
	case InitialStateRunning, InitialStatePaused, InitialStateStopped:
		return u, true
	}
	return "", false
}

// decodeCreateBody decodes a POST /connectors body.
func decodeCreateBody(data []byte) (*createBody, error) {
	return decodeDocument(data, (*tokenReader).readCreate)
}

// readCreate reads the CreateConnectorRequest object whose first token is tok.
func (t *tokenReader) readCreate(tok json.Token) (*createBody, error) {
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, bodyError("Cannot deserialize value of type `CreateConnectorRequest` from %s value: the request body must be a JSON object with \"name\" and \"config\" (at byte offset %d)", kind(tok), t.offset())
	}
	req := &createBody{}
	err := t.members(func(k string) error {
		if k != "name" && k != "config" && k != "initial_state" {
			return bodyError("Unrecognized field %q (class CreateConnectorRequest), not marked as ignorable (3 known properties: \"name\", \"config\", \"initial_state\") (at byte offset %d)", k, t.offset())
		}
		vt, err := t.next()
		if err != nil {
			return err
		}
		switch k {
		case "name":
			s, isNull, ok := scalarToString(vt)
			if !ok {
				return bodyError("Cannot deserialize value of type `String` from %s value for field \"name\" (at byte offset %d)", kind(vt), t.offset())
			}
			req.name = nil
			if !isNull {
				req.name = &s
			}
		case "config":
			req.config = nil
			if vt == nil {
				return nil
			}
			req.config, err = t.readConfig(vt, "field \"config\"")
			return err
		case "initial_state":
			req.initialState = ""
			if vt == nil {
				return nil
			}
			s, _, ok := scalarToString(vt)
			if !ok {
				return bodyError("Cannot deserialize value of type `InitialState` from %s value for field \"initial_state\" (at byte offset %d): expected one of RUNNING, PAUSED, STOPPED", kind(vt), t.offset())
			}
			state, valid := parseInitialState(s)
			if !valid {
				return bodyError("Cannot construct instance of `InitialState`, problem: invalid initial_state %q (at byte offset %d): expected one of RUNNING, PAUSED, STOPPED (case-insensitive)", s, t.offset())
			}
			req.initialState = state
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return req, nil
}

// decodeOffsetsBody decodes a PATCH /connectors/{c}/offsets body. A missing or
// null "offsets" gives a nil slice; the caller rejects it with 400.
func decodeOffsetsBody(data []byte) (ConnectorOffsets, error) {
	return decodeDocument(data, (*tokenReader).readOffsets)
}

// readOffsets reads the ConnectorOffsets object whose first token is tok.
func (t *tokenReader) readOffsets(tok json.Token) (ConnectorOffsets, error) {
	var out ConnectorOffsets
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return out, bodyError("Cannot deserialize value of type `ConnectorOffsets` from %s value: the request body must be a JSON object with an \"offsets\" array (at byte offset %d)", kind(tok), t.offset())
	}
	err := t.members(func(k string) error {
		if k != "offsets" {
			return bodyError("Unrecognized field %q (class ConnectorOffsets), not marked as ignorable (one known property: \"offsets\") (at byte offset %d)", k, t.offset())
		}
		vt, err := t.next()
		if err != nil {
			return err
		}
		out.Offsets, err = t.readOffsetList(vt)
		return err
	})
	return out, err
}

func (t *tokenReader) readOffsetList(tok json.Token) ([]ConnectorOffset, error) {
	if tok == nil {
		return nil, nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, bodyError("Cannot deserialize value of type `List<ConnectorOffset>` from %s value for field \"offsets\" (at byte offset %d): expected an array", kind(tok), t.offset())
	}
	list := []ConnectorOffset{}
	err := t.elements(func(i int) error {
		entry, err := t.readOffsetEntry(i)
		if err != nil {
			return err
		}
		list = append(list, entry)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

// readOffsetEntry reads offsets[i]: {"partition":{...}|null,"offset":{...}|null}.
func (t *tokenReader) readOffsetEntry(i int) (ConnectorOffset, error) {
	var entry ConnectorOffset
	tok, err := t.next()
	if err != nil {
		return entry, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return entry, bodyError("Cannot construct instance of `ConnectorOffset` from %s value%s for offsets[%d] (at byte offset %d): expected an object with \"partition\" and \"offset\"", kind(tok), tokenSuffix(tok), i, t.offset())
	}
	err = t.members(func(k string) error {
		if k != "partition" && k != "offset" {
			return bodyError("Unrecognized field %q (class ConnectorOffset), not marked as ignorable (2 known properties: \"partition\", \"offset\") (at byte offset %d)", k, t.offset())
		}
		vt, err := t.next()
		if err != nil {
			return err
		}
		var m map[string]any
		if vt != nil {
			if d, ok := vt.(json.Delim); !ok || d != '{' {
				return bodyError("Cannot deserialize value of type `Map<String,Object>` from %s value for offsets[%d].%s (at byte offset %d): expected an object or null", kind(vt), i, k, t.offset())
			}
			v, err := t.readAny(vt)
			if err != nil {
				return err
			}
			m = v.(map[string]any)
		}
		if k == "partition" {
			entry.Partition = m
		} else {
			entry.Offset = m
		}
		return nil
	})
	return entry, err
}

func tokenSuffix(tok json.Token) string {
	switch v := tok.(type) {
	case json.Number:
		return " (" + string(v) + ")"
	case string:
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		return fmt.Sprintf(" (%q)", v)
	case bool:
		return " (" + strconv.FormatBool(v) + ")"
	}
	return ""
}

// readAny reads a generic JSON value whose first token is tok.
func (t *tokenReader) readAny(tok json.Token) (any, error) {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			m := map[string]any{}
			err := t.members(func(k string) error {
				vt, err := t.next()
				if err != nil {
					return err
				}
				m[k], err = t.readAny(vt)
				return err
			})
			if err != nil {
				return nil, err
			}
			return m, nil
		}
		a := []any{}
		err := t.elements(func(int) error {
			et, err := t.next()
			if err != nil {
				return err
			}
			e, err := t.readAny(et)
			if err != nil {
				return err
			}
			a = append(a, e)
			return nil
		})
		if err != nil {
			return nil, err
		}
		return a, nil
	case json.Number:
		if i, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return i, nil
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, bodyError("Cannot deserialize value: number %s is out of range (at byte offset %d)", v, t.offset())
		}
		return f, nil
	default:
		return v, nil // string, bool or nil
	}
}
