package avroconfluent

import (
	"bytes"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
	"github.com/raftconnect/raftconnect/plugins/formats/avro"
	"github.com/raftconnect/raftconnect/plugins/formats/avroconfluent/srtest"
)

func codecs(t *testing.T, options map[string]string) (formats.Decoder, formats.Encoder) {
	t.Helper()
	f, err := formats.Lookup(FormatName)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := formats.ParseOptions(f, options)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := f.NewDecoder(opts)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := f.NewEncoder(opts)
	if err != nil {
		t.Fatal(err)
	}
	return dec, enc
}

func TestFormatRoundTrip(t *testing.T) {
	srv := srtest.New()
	defer srv.Close()
	dec, enc := codecs(t, map[string]string{OptionURL: srv.URL(), OptionSubject: "orders-value"})
	msgs, err := enc.Encode([]formats.Row{
		{Op: formats.Insert, Schema: orderSchema, Value: order(1)},
		{Op: formats.Insert, Schema: orderSchema, Value: order(2)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || !srv.Registry().SubjectExists("orders-value") {
		t.Fatalf("%d messages; subjects registered: %v", len(msgs), srv.Requests())
	}
	for i, m := range msgs {
		rows, err := dec.Decode(m)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Value.(*connect.Struct).GetInt64("id") != int64(i+1) || !rows[0].Schema.Equal(orderSchema) {
			t.Fatalf("message %d decoded to %+v", i, rows)
		}
	}
	if rows, err := dec.Decode(nil); err != nil || len(rows) != 0 {
		t.Fatalf("tombstone: %v %v", rows, err)
	}
}

// TestFormatJSONRows encodes schemaless rows (JSON objects) with avro-confluent.schema.
func TestFormatJSONRows(t *testing.T) {
	srv := srtest.New()
	defer srv.Close()
	schema := `{"type":"record","name":"Click","namespace":"web","fields":[{"name":"user","type":"string"},` +
		`{"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"ref","type":["null","string"],"default":null}]}`
	dec, enc := codecs(t, map[string]string{OptionURL: srv.URL(), OptionSubject: "clicks-value", OptionSchema: schema})
	msgs, err := enc.Encode([]formats.Row{{Value: map[string]any{"user": "ü", "at": 1.7e12}}})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := srv.Registry().GetSchema("clicks-value", 1)
	if !ok || got.Schema.Schema != schema {
		t.Fatalf("registered %+v", got)
	}
	rows, err := dec.Decode(msgs[0])
	if err != nil {
		t.Fatal(err)
	}
	if st := rows[0].Value.(*connect.Struct); st.GetString("user") != "ü" || st.Get("ref") != nil || rows[0].Schema.Name != "web.Click" {
		t.Fatalf("decoded %v", st)
	}
	// The JSON fast path writes the same message, with no further registry request.
	srv.ResetRequests()
	fast, err := enc.(avro.JSONEncoder).EncodeJSON([]byte(`{"at": 1700000000000, "user": "\u00fc"}`))
	if err != nil || !bytes.Equal(fast, msgs[0]) {
		t.Fatalf("EncodeJSON = % x, %v; want % x", fast, err, msgs[0])
	}
	if _, err := enc.(avro.JSONEncoder).EncodeJSON([]byte(`{"user": 5}`)); err == nil ||
		!strings.Contains(err.Error(), `subject "clicks-value"`) || !strings.Contains(err.Error(), `field "user"`) {
		t.Fatalf("bad JSON row: %v", err)
	}
	if n := srv.RequestCount(); n != 0 {
		t.Fatalf("%d registry requests", n)
	}
}

func TestFormatOptions(t *testing.T) {
	f, _ := formats.Lookup(FormatName)
	if _, err := formats.ParseOptions(f, nil); err == nil || !strings.Contains(err.Error(), OptionURL) {
		t.Fatalf("missing URL: %v", err)
	}
	for _, key := range []string{OptionURL, OptionSubject, OptionSchema, OptionCredentialsSource, OptionUserInfo} {
		if k, ok := f.Options.Key(key); !ok || k.Doc == "" {
			t.Errorf("option %s undefined or undocumented", key)
		}
	}
	srv := srtest.New(srtest.WithBasicAuth("u", "p"))
	defer srv.Close()
	// Without a subject decoding works and encoding says what is missing.
	dec, enc := codecs(t, map[string]string{OptionURL: srv.URL(), OptionUserInfo: "u:p"})
	if _, err := enc.Encode([]formats.Row{{Schema: orderSchema, Value: order(1)}}); err == nil || !strings.Contains(err.Error(), OptionSubject) {
		t.Fatalf("no subject: %v", err)
	}
	// Credentials from the options (the source defaults to USER_INFO when user info is given).
	_, enc = codecs(t, map[string]string{OptionURL: srv.URL(), OptionSubject: "s", OptionUserInfo: "u:p"})
	msgs, err := enc.Encode([]formats.Row{{Schema: orderSchema, Value: order(1)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dec.Decode(msgs[0]); err != nil {
		t.Fatal(err)
	}
	_, enc = codecs(t, map[string]string{OptionURL: srv.URL(), OptionSubject: "s", OptionCredentialsSource: "USER_INFO", OptionUserInfo: "u:wrong"})
	if _, err := enc.Encode([]formats.Row{{Schema: orderSchema, Value: order(1)}}); err == nil || !strings.Contains(err.Error(), "error_code 401") {
		t.Fatalf("wrong credentials: %v", err)
	}
	_, enc = codecs(t, map[string]string{OptionURL: srv.URL(), OptionSubject: "s"})
	if _, err := enc.Encode([]formats.Row{{Value: map[string]any{}}}); err == nil || !strings.Contains(err.Error(), OptionSchema) {
		t.Fatalf("schemaless row without a schema: %v", err)
	}
}

// TestGoldenConfluentBytes decodes a Debezium update event as Confluent's serializer lays it
// out (testdata/debezium_mysql_update.hex: 00, schema id 7, the Avro body), with the schema
// Confluent's converter registered for it, and writes the same bytes back.
func TestGoldenConfluentBytes(t *testing.T) {
	schema, err := os.ReadFile("testdata/debezium_mysql_envelope.avsc")
	if err != nil {
		t.Fatal(err)
	}
	h, err := os.ReadFile("testdata/debezium_mysql_update.hex")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := hex.DecodeString(strings.TrimSpace(string(h)))
	if err != nil {
		t.Fatal(err)
	}
	srv := srtest.New()
	defer srv.Close()
	const subject = "inventory.inventory.customers-value"
	srv.Registry().SeedSchema(subject, 1, 7, srfakeSchema(strings.TrimSpace(string(schema))))

	c := newConverter(t, map[string]string{ConfigURL: srv.URL()}, false)
	sv, err := c.ToConnectData("inventory.inventory.customers", nil, msg)
	if err != nil {
		t.Fatal(err)
	}
	env := sv.Value.(*connect.Struct)
	before, after, source := env.GetStruct("before"), env.GetStruct("after"), env.GetStruct("source")
	if env.GetString("op") != "u" || before.GetString("first_name") != "Anne" || after.GetString("first_name") != "Anne Marie" ||
		after.Get("last_name") != nil || source.GetString("file") != "mysql-bin.000003" || source.GetInt64("pos") != 805 ||
		source.Get("snapshot") != "false" || env.Get("transaction") != nil {
		t.Fatalf("decoded %v", env)
	}
	// The converter derives the same schema text from the Connect schema, so registering it
	// finds id 7 and the bytes come out identical.
	out, err := c.FromConnectData("inventory.inventory.customers", nil, sv.Schema, env)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, msg) {
		t.Fatalf("re-encoded\n%x\nwant\n%x", out, msg)
	}
}
