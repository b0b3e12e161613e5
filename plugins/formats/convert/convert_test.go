package convert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
	_ "github.com/raftconnect/raftconnect/plugins/formats/csv"
	_ "github.com/raftconnect/raftconnect/plugins/formats/raw"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// test-jsonl stands in for the json format (written in parallel) in these tests: one JSON
// object per message, decoded schemaless with json.Number, encoded with formats.AppendJSON.
func init() {
	formats.Register(formats.Format{
		Name: "test-jsonl",
		NewDecoder: func(*connect.Config) (formats.Decoder, error) {
			return formats.DecoderFunc(func(data []byte) ([]formats.Row, error) {
				d := json.NewDecoder(bytes.NewReader(data))
				d.UseNumber()
				var m map[string]any
				if err := d.Decode(&m); err != nil {
					return nil, err
				}
				return []formats.Row{{Op: formats.Insert, Value: m}}, nil
			}), nil
		},
		NewEncoder: func(*connect.Config) (formats.Encoder, error) {
			return formats.EncoderFunc(func(rows []formats.Row) ([][]byte, error) {
				out := make([][]byte, len(rows))
				for i, r := range rows {
					b, err := formats.AppendJSON(nil, r.Value, r.Schema)
					if err != nil {
						return nil, err
					}
					out[i] = b
				}
				return out, nil
			}), nil
		},
	})
}

const ordersSchema = "csv.schema=id BIGINT NOT NULL, name STRING, price DECIMAL(10,2), ts TIMESTAMP_LTZ(3), tags ARRAY<STRING>"

var goldenCases = []struct {
	name  string
	args  []string
	stdin string // a testdata file fed on standard input, if not given as FILE
}{
	{"csv_to_json", []string{"--from", "csv", "--to", "test-jsonl", "--option", ordersSchema, "testdata/orders.csv"}, ""},
	{"json_to_csv", []string{"--from", "test-jsonl", "--to", "csv", "--option", ordersSchema, "--skip-errors"}, "orders.jsonl"},
	// Without csv.schema the rows get one widening schema: columns in name order, new ones
	// appended, types widened (id BIGINT then STRING for "four").
	{"json_to_csv_widened", []string{"--from", "test-jsonl", "--to", "csv", "--skip-errors"}, "orders.jsonl"},
	{"json_to_csv_escaped", []string{"--from", "test-jsonl", "--to", "csv", "--option", ordersSchema, "--option", `csv.escape-character=\`, "--skip-errors", "testdata/orders.jsonl"}, ""},
	{"csv_redelimit", []string{"--from", "csv", "--to", "csv", "--option", ordersSchema,
		"--to-option", "csv.field-delimiter=|", "--to-option", "csv.quote-character='", "--to-option", "csv.null-literal=NULL", "-"}, "orders.csv"},
	{"csv_crlf", []string{"--from", "csv", "--to", "csv", "--option", ordersSchema, "testdata/crlf.csv"}, ""},
	{"errors_stop", []string{"--from", "csv", "--to", "test-jsonl", "--option", ordersSchema, "testdata/orders_bad.csv"}, ""},
	{"errors_skip", []string{"--from", "csv", "--to", "test-jsonl", "--option", ordersSchema, "--skip-errors", "testdata/orders_bad.csv"}, ""},
	{"errors_all_bad", []string{"--from", "csv", "--to", "test-jsonl", "--option", "csv.schema=id INT, name STRING", "--skip-errors", "testdata/orders_allbad.csv"}, ""},
	{"csv_to_raw_hex", []string{"--from", "csv", "--to", "raw", "--option", "csv.schema=name STRING", "--option", "raw.type=STRING",
		"--option", "raw.charset=UTF-16LE", "testdata/names.csv"}, ""},
	{"csv_to_raw_base64", []string{"--from", "csv", "--to", "raw", "--option", "csv.schema=name STRING", "--option", "raw.type=STRING",
		"--binary-encoding", "base64"}, "names.csv"},
	{"csv_to_raw_two_columns", []string{"--from", "csv", "--to", "raw", "--option", "csv.schema=id INT, name STRING",
		"--option", "csv.field-delimiter=;", "testdata/orders_allbad.csv"}, ""},
	{"raw_base64_to_csv", []string{"--from", "raw", "--to", "csv", "--option", "raw.type=STRING", "--binary-encoding", "base64", "testdata/text.b64"}, ""},
	{"raw_charset", []string{"--from", "raw", "--to", "raw", "--from-option", "raw.type=STRING", "--from-option", "raw.charset=UTF-16LE",
		"--to-option", "raw.type=STRING", "testdata/utf16le.hex"}, ""},
	{"raw_multirow", []string{"--from", "raw", "--to", "csv", "--option", "raw.type=STRING", "--option", `raw.line-delimiter=\n`, "testdata/lines.hex"}, ""},
	{"raw_bad_hex", []string{"--from", "raw", "--to", "csv", "--option", "raw.type=STRING", "--skip-errors", "testdata/badhex.hex"}, ""},
	{"output_line_break", []string{"--from", "raw", "--to", "csv", "--option", "raw.type=STRING", "testdata/newline.hex"}, ""},
	{"output_line_break_escaped", []string{"--from", "raw", "--to", "csv", "--option", "raw.type=STRING", "--option", `csv.escape-character=\`, "testdata/newline.hex"}, ""},
	{"usage_unknown_format", []string{"--from", "xml", "--to", "csv"}, ""},
	{"usage_unknown_option", []string{"--from", "csv", "--to", "raw", "--option", "csv.delimiter=;"}, ""},
	{"usage_one_sided_option", []string{"--from", "csv", "--to", "raw", "--to-option", "csv.schema=a INT"}, ""},
	{"usage_bad_option_value", []string{"--from", "csv", "--to", "raw", "--option", "csv.schema=a INT", "--option", "csv.field-delimiter=;;"}, ""},
	{"usage_missing_to", []string{"--from", "csv"}, ""},
	{"usage_two_files", []string{"--from", "csv", "--to", "raw", "a", "b"}, ""},
	{"usage_binary_encoding", []string{"--from", "raw", "--to", "raw", "--binary-encoding", "base32"}, ""},
	{"usage_no_file", []string{"--from", "raw", "--to", "raw", "testdata/does-not-exist"}, ""},
}

// TestGolden runs each case and compares exit status, stdout and stderr with
// testdata/<case>.golden.
func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			var stdin io.Reader = strings.NewReader("")
			if tc.stdin != "" {
				f, err := os.Open("testdata/" + tc.stdin)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				stdin = f
			}
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), tc.args, stdin, &stdout, &stderr)
			got := fmt.Sprintf("args: %q\nexit: %d\n--- stdout\n%s--- stderr\n%s", tc.args, code, stdout.String(), stderr.String())
			golden := "testdata/" + tc.name + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{"--help"}, nil, &stdout, &stderr); code != ExitOK {
		t.Errorf("--help exit %d", code)
	}
	for _, want := range []string{"Usage: worker convert", "--binary-encoding", "csv ", "raw ", "binary", "csv.field-delimiter", "raw.charset",
		"Schema widening", "csv without csv.schema"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, stderr.String())
		}
	}
	if code := Run(context.Background(), []string{"--bogus"}, nil, &stdout, &stderr); code != ExitUsage {
		t.Errorf("unknown flag exit %d", code)
	}
}

// TestLongLine feeds a message longer than the reader's buffer.
func TestLongLine(t *testing.T) {
	long := strings.Repeat("x", 200_000)
	in := "1," + long + "\n2,short"
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"--from", "csv", "--to", "csv", "--option", "csv.schema=a INT, b STRING"}, strings.NewReader(in), &stdout, &stderr)
	if code != ExitOK || stdout.String() != in+"\n" {
		t.Errorf("exit %d, %d bytes out, stderr %q", code, stdout.Len(), stderr.String())
	}
}

// blockingReader returns its data, then blocks until released, like a pipe from a live consumer.
type blockingReader struct {
	data    []byte
	release chan struct{}
	reading chan struct{}
}

func (r *blockingReader) Read(p []byte) (int, error) {
	if len(r.data) > 0 {
		n := copy(p, r.data)
		r.data = r.data[n:]
		return n, nil
	}
	close(r.reading)
	<-r.release
	return 0, io.EOF
}

// syncBuffer is a bytes.Buffer safe to read while Run writes.
type syncBuffer struct {
	mu  chan struct{}
	buf bytes.Buffer
}

func newSyncBuffer() *syncBuffer { b := &syncBuffer{mu: make(chan struct{}, 1)}; return b }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.String()
}

// TestFlushBeforeBlocking checks that converted output is written before Run waits for input.
func TestFlushBeforeBlocking(t *testing.T) {
	r := &blockingReader{data: []byte("1,a\n2,b\n"), release: make(chan struct{}), reading: make(chan struct{})}
	out := newSyncBuffer()
	done := make(chan int, 1)
	go func() {
		done <- Run(context.Background(), []string{"--from", "csv", "--to", "csv", "--option", "csv.schema=a INT, b STRING"}, r, out, io.Discard)
	}()
	select {
	case <-r.reading:
	case <-time.After(10 * time.Second):
		t.Fatal("Run never blocked on input")
	}
	if got := out.String(); got != "1,a\n2,b\n" {
		t.Errorf("while blocked on input, output is %q; want both lines flushed", got)
	}
	close(r.release)
	if code := <-done; code != ExitOK {
		t.Errorf("exit %d", code)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("interrupt"))
	var stderr bytes.Buffer
	code := Run(ctx, []string{"--from", "csv", "--to", "csv", "--option", "csv.schema=a INT"}, strings.NewReader("1\n2\n"), io.Discard, &stderr)
	if code != ExitData || !strings.Contains(stderr.String(), "stopped after line 0: interrupt") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestWriteError(t *testing.T) {
	var stderr bytes.Buffer
	code := Run(context.Background(), []string{"--from", "csv", "--to", "csv", "--option", "csv.schema=a INT", "--skip-errors"},
		strings.NewReader("1\n2\n"), failWriter{}, &stderr)
	if code != ExitData || !strings.Contains(stderr.String(), "writing output: broken pipe") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

// BenchmarkConvert measures the whole loop per record: read a line, decode, encode, write.
func BenchmarkConvert(b *testing.B) {
	const schema = "csv.schema=id BIGINT NOT NULL, name STRING, price DECIMAL(10,2), qty INT, active BOOLEAN, " +
		"created TIMESTAMP(3), birthday DATE, score DOUBLE, note STRING, tags ARRAY<STRING>"
	const record = `1234567,Alice Smith,1234.56,42,true,2024-05-06 07:08:09.123,1990-04-01,98.6,"Lives in Oslo, Norway",a;b;c` + "\n"
	for _, tc := range []struct {
		name string
		args []string
		line string
	}{
		{"csv-to-csv", []string{"--from", "csv", "--to", "csv", "--option", schema, "--to-option", "csv.field-delimiter=;", "--to-option", "csv.array-element-delimiter=|"}, record},
		{"csv-to-jsonl", []string{"--from", "csv", "--to", "test-jsonl", "--option", schema}, record},
		{"raw-hex-to-raw-hex", []string{"--from", "raw", "--to", "raw", "--binary-encoding", "hex"}, strings.Repeat("ab", 100) + "\n"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			const n = 10_000
			input := strings.Repeat(tc.line, n)
			b.ReportAllocs()
			b.SetBytes(int64(len(input)))
			for b.Loop() {
				var stderr bytes.Buffer
				if code := Run(context.Background(), tc.args, strings.NewReader(input), io.Discard, &stderr); code != 0 {
					b.Fatal(stderr.String())
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
		})
	}
}
