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
	input := `{"id":1,"item":"tea","price":2.5,"note":null}
{"id":2,"item":"café","price":10,"note":"gift"}
{"id":9007199254740993,"item":"big","price":0.1}
`
	run := func(args ...string) string {
		var out, errb bytes.Buffer
		code := convert.Run(context.Background(), append([]string{"--from", "json", "--to", "avro", "--option", "avro.schema=" + orderSchema}, args...), strings.NewReader(input), &out, &errb)
		if code != 0 {
			t.Fatalf("convert %v: exit %d: %s", args, code, errb.String())
		}
		return out.String()
	}
	fast := run()
	// Any json option disables the fast path; this one keeps the default behaviour.
	general := run("--from-option", "json.ignore-parse-errors=false")
	if fast != general {
		t.Fatalf("fast path output differs:\nfast:    %s\ngeneral: %s", fast, general)
	}
	if lines := strings.Count(fast, "\n"); lines != 3 {
		t.Fatalf("%d output lines, want 3", lines)
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
