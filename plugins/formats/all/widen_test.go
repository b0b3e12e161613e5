package all_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	hamba "github.com/hamba/avro/v2"

	"github.com/raftconnect/raftconnect/plugins/formats"
	"github.com/raftconnect/raftconnect/plugins/formats/avro"
	"github.com/raftconnect/raftconnect/plugins/formats/avroconfluent/srtest"
	"github.com/raftconnect/raftconnect/plugins/formats/convert"
)

func runConvert(t *testing.T, input string, args ...string) (stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	if code := convert.Run(context.Background(), args, strings.NewReader(input), &out, &errb); code != 0 {
		t.Fatalf("convert %v: exit %d: %s", args, code, errb.String())
	}
	return out.String(), errb.String()
}

// registered returns the schemas registered under subject, oldest first, read over the
// registry's REST API.
func registered(t *testing.T, srv *srtest.Server, subject string) []string {
	t.Helper()
	get := func(path string, v any) {
		resp, err := http.Get(srv.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s %s", path, resp.Status, body)
		}
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	var versions []int
	get("/subjects/"+subject+"/versions", &versions)
	var out []string
	for _, v := range versions {
		var s struct{ Schema string }
		get(fmt.Sprintf("/subjects/%s/versions/%d", subject, v), &s)
		out = append(out, s.Schema)
	}
	return out
}

// checkEvolution fails unless each registered version can read data written with the one before
// (Avro schema resolution, which Confluent's BACKWARD compatibility check applies).
func checkEvolution(t *testing.T, schemas []string) {
	t.Helper()
	for i := 1; i < len(schemas); i++ {
		reader, err := hamba.Parse(schemas[i])
		if err != nil {
			t.Fatal(err)
		}
		writer, err := hamba.Parse(schemas[i-1])
		if err != nil {
			t.Fatal(err)
		}
		if err := hamba.NewSchemaCompatibility().Compatible(reader, writer); err != nil {
			t.Errorf("version %d cannot read version %d: %v\n%s\n%s", i+1, i, err, schemas[i-1], schemas[i])
		}
	}
}

// decodeLines decodes hex lines of avro-confluent output back to rows, as JSON.
func decodeLines(t *testing.T, srv *srtest.Server, out string) []string {
	t.Helper()
	f, _ := formats.Lookup("avro-confluent")
	opts, err := formats.ParseOptions(f, map[string]string{"avro-confluent.url": srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := f.NewDecoder(opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		msg, err := hex.DecodeString(line)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := dec.Decode(msg)
		if err != nil || len(rows) != 1 {
			t.Fatalf("decoding %s: %v", line, err)
		}
		b, err := formats.AppendJSON(nil, rows[0].Value, rows[0].Schema)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(b))
	}
	return got
}

// TestConvertJSONToAvroConfluentEvolves: schemaless JSON messages whose fields come and go and
// whose types change used to make one unrelated schema each (or no schema at all); now each
// table has one schema that widens, and the registry sees versions that read each other's data.
func TestConvertJSONToAvroConfluentEvolves(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     []string
		input    string
		versions int
		want     []string // each message decoded with its writer schema
	}{
		{
			// The reported case: long, then double, then a null, with float numbers.
			name:     "type widens",
			opts:     []string{"--from-option", "json.decode.numbers-as-decimal=false"},
			input:    "{\"v\":5}\n{\"v\":5.5}\n{\"v\":null}\n",
			versions: 2,
			want:     []string{`{"v":5}`, `{"v":5.5}`, `{"v":null}`},
		},
		{
			// Fields come and go; exact numbers (the default) keep their scale.
			name: "fields added and missing",
			input: `{"id":1,"name":"tea","price":2.50}` + "\n" +
				`{"id":2,"name":"cake","price":3.10,"tags":["sweet"]}` + "\n" +
				`{"id":3,"note":"no name"}` + "\n" +
				`{"id":4,"name":"jam","price":1.00}` + "\n",
			versions: 3,
			want: []string{
				`{"id":1,"name":"tea","price":2.50}`,
				`{"id":2,"name":"cake","price":3.10,"tags":["sweet"]}`,
				`{"id":3,"name":null,"price":null,"tags":null,"note":"no name"}`,
				`{"id":4,"name":"jam","price":1.00,"tags":null,"note":null}`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := srtest.New()
			defer srv.Close()
			args := append([]string{"--from", "json", "--to", "avro-confluent",
				"--option", "avro-confluent.url=" + srv.URL(), "--option", "avro-confluent.subject=t-value"}, tc.opts...)
			out, _ := runConvert(t, tc.input, args...)
			schemas := registered(t, srv, "t-value")
			if len(schemas) != tc.versions {
				t.Errorf("%d versions registered, want %d:\n%s", len(schemas), tc.versions, strings.Join(schemas, "\n"))
			}
			checkEvolution(t, schemas)
			got := decodeLines(t, srv, out)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("decoded\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestConvertJSONToAvroWidensType: plain Avro carries no schema, so each message is written with
// the table's schema as it stands after that message; a type that changes widens to STRING and
// later messages keep the widened schema.
func TestConvertJSONToAvroWidensType(t *testing.T) {
	out, _ := runConvert(t, "{\"id\":1,\"v\":5}\n{\"id\":2,\"v\":\"five\"}\n{\"id\":3}\n{\"id\":4,\"v\":6}\n", "--from", "json", "--to", "avro")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines: %s", len(lines), out)
	}
	for i, tc := range []struct{ cols, want string }{
		{"id BIGINT, v BIGINT", `{"id":1,"v":5}`},
		{"id BIGINT, v STRING", `{"id":2,"v":"five"}`},
		{"id BIGINT, v STRING", `{"id":3,"v":null}`},
		{"id BIGINT, v STRING", `{"id":4,"v":"6"}`}, // written into the widened column
	} {
		cs, err := formats.ParseColumns(tc.cols)
		if err != nil {
			t.Fatal(err)
		}
		s, err := avro.NewCache(avro.ExactOptions()).Schema(cs)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := hex.DecodeString(lines[i])
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.Decode(msg)
		if err != nil {
			t.Errorf("message %d does not decode with %s: %v", i+1, tc.cols, err)
			continue
		}
		b, _ := formats.AppendJSON(nil, v, s.ConnectSchema())
		if string(b) != tc.want {
			t.Errorf("message %d = %s, want %s", i+1, b, tc.want)
		}
	}
	// Without widening a schemaless row has no Avro schema at all; with avro.schema the rows
	// are written in it and nothing is inferred.
	out, _ = runConvert(t, "{\"id\":1}\n", "--from", "json", "--to", "avro", "--option", `avro.schema={"type":"record","name":"R","fields":[{"name":"id","type":"long"}]}`)
	if out != "02\n" {
		t.Errorf("with avro.schema: %q", out)
	}
}

// TestConvertCDCWidens: CDC rows typed per message (Maxwell infers from each message's JSON; a
// column seen only as null is typed STRING there) widen per table instead of registering one
// schema per message; tables keep schemas of their own.
func TestConvertCDCWidens(t *testing.T) {
	srv := srtest.New()
	defer srv.Close()
	input := `{"database":"shop","table":"t","type":"insert","ts":1,"data":{"id":1,"v":5}}
{"database":"shop","table":"t","type":"insert","ts":2,"data":{"id":2,"v":6,"w":"x"}}
{"database":"shop","table":"t","type":"insert","ts":3,"data":{"id":3,"v":null}}
{"database":"shop","table":"u","type":"insert","ts":4,"data":{"id":"x"}}
{"database":"shop","table":"t","type":"insert","ts":5,"data":{"id":5,"v":5.5}}
`
	out, _ := runConvert(t, input, "--from", "maxwell-json", "--to", "avro-confluent",
		"--option", "avro-confluent.url="+srv.URL(), "--option", "avro-confluent.subject=t-value")
	got := decodeLines(t, srv, out)
	want := []string{`{"id":1,"v":5}`, `{"id":2,"v":6,"w":"x"}`, `{"id":3,"v":null,"w":null}`, `{"id":"x"}`, `{"id":5,"v":5.5,"w":null}`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("decoded\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// t: (id, v BIGINT), then w added, the null fitting the BIGINT column; u is another table,
	// another schema, registered under the one subject the option names; then t's v widens to
	// DECIMAL, the lattice's parent of BIGINT and an exact 5.5 — a change Avro's schema
	// resolution cannot read long data through, so only the first evolution is checked.
	schemas := registered(t, srv, "t-value")
	if len(schemas) != 4 {
		t.Errorf("%d versions, want 4:\n%s", len(schemas), strings.Join(schemas, "\n"))
	}
	checkEvolution(t, schemas[:2])
}

// BenchmarkJSONToAvroConfluentInferred measures `worker convert --from json --to avro-confluent`
// without a configured schema: each schemaless record is typed by the widening schema of its
// table (which stops changing after the first record) and written with the derived Avro schema.
func BenchmarkJSONToAvroConfluentInferred(b *testing.B) {
	srv := srtest.New()
	b.Cleanup(srv.Close)
	var in bytes.Buffer
	for i := 0; i < b.N; i++ {
		in.WriteString(`{"id":12345,"name":"Alice Smith","email":"alice@example.com","age":42,"score":87.5,"active":true,` +
			`"status":"ACTIVE","created":"2024-05-06 07:08:09.123","country":"NZ","balance":-19.99}` + "\n")
	}
	var out, errb bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	if code := convert.Run(context.Background(), []string{"--from", "json", "--to", "avro-confluent",
		"--option", "avro-confluent.url=" + srv.URL(), "--option", "avro-confluent.subject=users-value"}, &in, &out, &errb); code != 0 {
		b.Fatalf("exit %d: %s", code, errb.String())
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
