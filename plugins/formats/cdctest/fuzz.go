package cdctest

import (
	"testing"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// CheckDecoded is the invariant a decoder's fuzz target checks on whatever it accepted: every row
// is a valid struct of its schema (or a DDL row), and the rows encode with enc and the result
// decodes again with dec.
func CheckDecoded(t *testing.T, dec formats.Decoder, enc formats.Encoder, rows []formats.Row) {
	t.Helper()
	for i, r := range rows {
		if r.DDL != "" {
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
