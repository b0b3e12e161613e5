package cdctest

import (
	"testing"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
	"github.com/raftconnect/raftconnect/plugins/formats/cdc"
)

// CheckDecoded is the invariant a decoder's fuzz target checks on whatever it accepted: every row
// is a valid struct of its schema (or a DDL row), and the rows encode with enc and the result
// decodes again with dec.
func CheckDecoded(t *testing.T, dec formats.Decoder, enc formats.Encoder, rows []formats.Row) {
	t.Helper()
	for i := range rows {
		r := &rows[i]
		if cdc.IsDDL(r) {
			continue
		}
		st, ok := r.Value.(*connect.Struct)
		if !ok {
			t.Fatalf("row %d: value %T, want a struct", i, r.Value)
		}
		if err := st.Validate(); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if err := connect.ValidateValue(st.Schema(), st); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
	}
	out, err := enc.Encode(rows)
	if err != nil {
		t.Fatalf("decoded rows do not encode: %v\n%s", err, Dump(rows))
	}
	for i, m := range out {
		if _, err := dec.Decode(m); err != nil {
			t.Fatalf("re-encoded message %d does not decode: %v\n%s", i, err, m)
		}
	}
}

// Translator is one CDC format that CheckTranslated writes decoded rows with.
type Translator struct {
	Name string
	Dec  formats.Decoder
	Enc  formats.Encoder
}

// Translators returns a Translator for each CDC format that is registered (the test must import
// them): debezium-json with and without its schema, canal-json and maxwell-json, each decoding
// with DDL surfaced.
func Translators(t testing.TB) []Translator {
	t.Helper()
	var out []Translator
	for _, c := range []struct {
		name, format string
		opts         map[string]string
	}{
		{"debezium-json", "debezium-json", nil},
		{"debezium-json with schema", "debezium-json", map[string]string{"schema-include": "true"}},
		{"canal-json", "canal-json", nil},
		{"maxwell-json", "maxwell-json", nil},
	} {
		if _, err := formats.Lookup(c.format); err != nil {
			continue
		}
		opts := map[string]string{"ddl.handling": "surface"}
		for k, v := range c.opts {
			opts[k] = v
		}
		dec, enc := Codec(t, c.format, opts)
		out = append(out, Translator{Name: c.name, Dec: dec, Enc: enc})
	}
	return out
}

// CheckTranslated is the invariant of translation on whatever a decoder accepted: writing the
// rows in another CDC format never panics, and what it writes, that format reads. (A format may
// refuse a value it cannot hold, with an error.)
func CheckTranslated(t *testing.T, trs []Translator, rows []formats.Row) {
	t.Helper()
	for _, tr := range trs {
		out, err := tr.Enc.Encode(rows)
		if err != nil {
			continue
		}
		for i, m := range out {
			if _, err := tr.Dec.Decode(m); err != nil {
				t.Fatalf("rows written as %s: message %d does not decode: %v\n%s\nrows:\n%s", tr.Name, i, err, m, Dump(rows))
			}
		}
	}
}

// Converter returns the Connect converter of a CDC format, configured with options.
func Converter(t testing.TB, format string, options map[string]string) connect.Converter {
	t.Helper()
	p, err := connect.LookupType(format, connect.PluginConverter)
	if err != nil {
		t.Fatal(err)
	}
	c, ok := p.New().(connect.Converter)
	if !ok {
		t.Fatalf("%s: plugin %T is not a converter", format, p.New())
	}
	if err := c.Configure(options, false); err != nil {
		t.Fatal(err)
	}
	return c
}

// CheckConverter is the invariant of a converter on any message: converting it never panics,
// and what it converts to is a valid value that converts back to a message.
func CheckConverter(t *testing.T, c connect.Converter, data []byte) {
	t.Helper()
	sv, err := c.ToConnectData("topic", nil, data)
	if err != nil || sv.Value == nil {
		return
	}
	if err := connect.ValidateValue(sv.Schema, sv.Value); err != nil {
		t.Fatalf("ToConnectData gave an invalid value: %v", err)
	}
	if _, err := c.FromConnectData("topic", nil, sv.Schema, sv.Value); err != nil {
		t.Fatalf("the converter's own value does not convert back: %v", err)
	}
}
