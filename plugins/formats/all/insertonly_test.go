package all_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
	"github.com/raftconnect/raftconnect/plugins/formats/avroconfluent/srtest"
	"github.com/raftconnect/raftconnect/plugins/formats/convert"
)

func encoder(t *testing.T, name string, options map[string]string) formats.Encoder {
	t.Helper()
	f, err := formats.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := formats.ParseOptions(f, options)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := f.NewEncoder(opts)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

// TestInsertOnlyFormats: the formats whose messages hold no change operation agree on what they
// do with one — an update's before image is skipped, a delete or a schema change is refused with
// the same words — so that a change stream never turns into extra live records.
func TestInsertOnlyFormats(t *testing.T) {
	srv := srtest.New()
	defer srv.Close()
	s := connect.StructBuilder().Name("ex.Row").Field("city", connect.StringSchema).MustBuild()
	row := func(op formats.Op, name string) formats.Row {
		return formats.Row{Op: op, Schema: s, Value: connect.NewStruct(s).MustPut("city", name)}
	}
	for _, tc := range []struct {
		format string
		opts   map[string]string
	}{
		{"json", nil},
		{"csv", nil},
		{"avro", nil},
		{"avro-confluent", map[string]string{"avro-confluent.url": srv.URL(), "avro-confluent.subject": "rows-value"}},
		{"protobuf", map[string]string{"protobuf.descriptor-file": "../protobuf/testdata/test.desc", "protobuf.message-name": "raftconnect.test.v1.Address"}},
		{"raw", map[string]string{"raw.type": "STRING"}},
	} {
		t.Run(tc.format, func(t *testing.T) {
			enc := encoder(t, tc.format, tc.opts)
			msgs, err := enc.Encode([]formats.Row{row(formats.Insert, "a"), row(formats.UpdateBefore, "a"), row(formats.UpdateAfter, "b"), {Op: formats.Insert}})
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 3 || msgs[0] == nil || msgs[1] == nil || msgs[2] != nil || bytes.Equal(msgs[0], msgs[1]) {
				t.Errorf("insert, update pair, tombstone: %d messages %q; want the insert, the new row and a tombstone", len(msgs), msgs)
			}
			for _, bad := range []struct {
				rows []formats.Row
				want string
			}{
				{[]formats.Row{row(formats.Delete, "a")}, tc.format + " cannot hold a -D (delete) row: the format is insert-only"},
				{[]formats.Row{row(formats.Insert, "a"), row(formats.Delete, "a")}, "row 2: " + tc.format + " cannot hold a -D (delete) row: the format is insert-only"},
				{[]formats.Row{{DDL: "DROP TABLE t"}}, tc.format + ` cannot hold a schema change (DDL "DROP TABLE t")`},
			} {
				if _, err := enc.Encode(bad.rows); err == nil || err.Error() != bad.want {
					t.Errorf("error = %v, want %q", err, bad.want)
				}
			}
		})
	}
}

// TestDebeziumToAvroConfluentKeepsDeletesOut is the reported case: four Debezium events (two
// inserts, an update, a delete) used to become five Avro records, the update's before image and
// the deleted row among them. Now the update gives its new row only and the delete is an error.
func TestDebeziumToAvroConfluentKeepsDeletesOut(t *testing.T) {
	srv := srtest.New()
	defer srv.Close()
	data, err := os.ReadFile("../cdctest/testdata/debezium.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var in strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "//") {
			in.WriteString(line + "\n")
		}
	}
	var out, errb bytes.Buffer
	code := convert.Run(context.Background(), []string{"--from", "debezium-json", "--to", "avro-confluent", "--skip-errors",
		"--option", "avro-confluent.url=" + srv.URL(), "--option", "avro-confluent.subject=orders-value"}, strings.NewReader(in.String()), &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if n := strings.Count(out.String(), "\n"); n != 3 {
		t.Errorf("%d records for 2 inserts, an update and a delete, want 3:\n%s", n, out.String())
	}
	if !strings.Contains(errb.String(), "line 4: encoding avro-confluent: avro-confluent cannot hold a -D (delete) row: the format is insert-only (skipped)") {
		t.Errorf("stderr = %s", errb.String())
	}
}

// TestProtobufReadsJSONOutput: protobuf → json → protobuf gives the original bytes; the json
// format writes the google.protobuf.Timestamp as SQL text (2024-06-10 06:13:20.25), which the
// protobuf encoder used to refuse for not being RFC 3339. Both timestamp standards, and
// TIMESTAMP_LTZ's trailing 'Z', read back.
func TestProtobufReadsJSONOutput(t *testing.T) {
	bin, err := os.ReadFile("../protobuf/testdata/event.bin")
	if err != nil {
		t.Fatal(err)
	}
	pb := []string{"--option", "protobuf.descriptor-file=../protobuf/testdata/test.desc", "--option", "protobuf.message-name=raftconnect.test.v1.Event"}
	for _, standard := range []string{"SQL", "ISO-8601"} {
		jsonOut, _ := runConvert(t, hex.EncodeToString(bin)+"\n", append([]string{"--from", "protobuf", "--to", "json",
			"--option", "json.timestamp-format.standard=" + standard}, pb...)...)
		if !strings.Contains(jsonOut, `"2024-06-10`) {
			t.Fatalf("%s: json output holds no timestamp text: %s", standard, jsonOut)
		}
		back, _ := runConvert(t, jsonOut, append([]string{"--from", "json", "--to", "protobuf"}, pb...)...)
		if back != hex.EncodeToString(bin)+"\n" {
			t.Errorf("%s: protobuf → json → protobuf\n got %s want %s\n(json %s)", standard, back, hex.EncodeToString(bin), jsonOut)
		}
	}
}
