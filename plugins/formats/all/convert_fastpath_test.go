package all_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	_ "github.com/raftconnect/raftconnect/plugins/formats/all"
	"github.com/raftconnect/raftconnect/plugins/formats/convert"
)

const orderSchema = `{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"item","type":"string"},{"name":"price","type":"double"},{"name":"note","type":["null","string"],"default":null}]}`

// TestJSONToAvroFastPathMatchesGeneralPath checks that `worker convert`'s direct JSON → Avro encoding gives
// the same bytes as decoding JSON into Connect values and encoding those.
func TestJSONToAvroFastPathMatchesGeneralPath(t *testing.T) {
	// Lines the general path reads as no row (the JSON null, blank text) give no output on
	// either path; lines that fail (an array, a value that does not fit) fail alike.
	input := `{"id":1,"item":"tea","price":2.5,"note":null}
null
{"id":2,"item":"café","price":10,"note":"gift"}
  null ` + "\t" + `
{"id":9007199254740993,"item":"big","price":0.1}
` + "   \n\t\n" + `[{"id":3,"item":"x","price":1}]
{"id":"four","item":"x","price":1}
{"id":5,"item":"x","price":1} trailing
 {"id":6,"item":"spaced","price":1e-3}
`
	// A nullable top-level schema is where the fast path used to write a null record for the
	// JSON null, which the general path reads as no row.
	for _, schema := range []string{orderSchema, `["null",` + orderSchema + `]`} {
		run := func(args ...string) (string, string) {
			var out, errb bytes.Buffer
			code := convert.Run(context.Background(), append([]string{"--from", "json", "--to", "avro", "--skip-errors", "--option", "avro.schema=" + schema}, args...), strings.NewReader(input), &out, &errb)
			if code != 0 {
				t.Fatalf("convert %v: exit %d: %s", args, code, errb.String())
			}
			return out.String(), errb.String()
		}
		fast, fastErr := run()
		// Any json option disables the fast path; this one keeps the default behaviour.
		general, generalErr := run("--from-option", "json.ignore-parse-errors=false")
		if fast != general {
			t.Fatalf("schema %s: fast path output differs:\nfast:    %s\ngeneral: %s", schema, fast, general)
		}
		if fastErr != generalErr {
			t.Fatalf("schema %s: fast path errors differ:\nfast:    %s\ngeneral: %s", schema, fastErr, generalErr)
		}
		if lines := strings.Count(fast, "\n"); lines != 4 {
			t.Fatalf("schema %s: %d output lines, want 4 (the null and blank lines give none):\n%s", schema, lines, fast)
		}
		for _, want := range []string{"line 8: encoding avro", "line 9: encoding avro", "line 10: decoding json", "3 of 11 messages skipped"} {
			if !strings.Contains(fastErr, want) {
				t.Errorf("schema %s: stderr lacks %q:\n%s", schema, want, fastErr)
			}
		}
	}
}

// BenchmarkJSONToAvro measures `worker convert --from json --to avro` per record.
func BenchmarkJSONToAvro(b *testing.B) {
	var in bytes.Buffer
	for i := 0; i < b.N; i++ {
		in.WriteString(`{"id":12345,"item":"a cup of tea","price":2.5,"note":"gift"}` + "\n")
	}
	var out, errb bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	if code := convert.Run(context.Background(), []string{"--from", "json", "--to", "avro", "--option", "avro.schema=" + orderSchema}, &in, &out, &errb); code != 0 {
		b.Fatalf("exit %d: %s", code, errb.String())
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
