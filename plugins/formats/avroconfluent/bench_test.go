package avroconfluent

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
	"github.com/raftconnect/raftconnect/plugins/formats/avro"
	"github.com/raftconnect/raftconnect/plugins/formats/avroconfluent/srtest"
)

// The 10-field record of the benchmarks, as a Connect schema and as the JSON a producer writes.
var benchSchema = connect.StructBuilder().Name("bench.User").
	Field("id", connect.Int64Schema).
	Field("name", connect.StringSchema).
	Field("email", connect.OptionalStringSchema).
	Field("age", connect.Int32Schema).
	Field("score", connect.Float64Schema).
	Field("active", connect.BooleanSchema).
	Field("created_at", connect.TimestampSchema().MustBuild()).
	Field("country", connect.StringSchema).
	Field("visits", connect.Int64Schema).
	Field("ratio", connect.Float32Schema).MustBuild()

var benchJSON = []byte(`{"id":1234567890,"name":"Ada Lovelace","email":"ada@example.com","age":36,"score":98.5,` +
	`"active":true,"created_at":1700000000123,"country":"GB","visits":4242,"ratio":0.75}`)

func benchValue() *connect.Struct {
	return connect.NewStruct(benchSchema).
		MustPut("id", int64(1234567890)).MustPut("name", "Ada Lovelace").MustPut("email", "ada@example.com").
		MustPut("age", int32(36)).MustPut("score", 98.5).MustPut("active", true).
		MustPut("created_at", time.UnixMilli(1700000000123).UTC()).MustPut("country", "GB").
		MustPut("visits", int64(4242)).MustPut("ratio", float32(0.75))
}

func benchConverter(b *testing.B) (*Converter, *srtest.Server) {
	srv := srtest.New()
	b.Cleanup(srv.Close)
	p, _ := connect.Lookup(ConverterClass)
	c := p.New().(*Converter)
	if err := c.Configure(map[string]string{ConfigURL: srv.URL()}, false); err != nil {
		b.Fatal(err)
	}
	return c, srv
}

func BenchmarkConverterEncode10Fields(b *testing.B) {
	c, srv := benchConverter(b)
	v := benchValue()
	if _, err := c.FromConnectData("users", nil, benchSchema, v); err != nil {
		b.Fatal(err)
	}
	srv.ResetRequests()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.FromConnectData("users", nil, benchSchema, v); err != nil {
			b.Fatal(err)
		}
	}
	if n := srv.RequestCount(); n != 0 {
		b.Fatalf("%d registry requests in the loop", n)
	}
}

func BenchmarkConverterDecode10Fields(b *testing.B) {
	c, _ := benchConverter(b)
	data, err := c.FromConnectData("users", nil, benchSchema, benchValue())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.ToConnectData("users", nil, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJSONToConfluentAvro is the full conversion of one record: a schemaless JSON object
// (as text) parsed with encoding/json, then written as Confluent Avro by the avro-confluent
// format with a configured schema, its id already registered. The target is 200,000
// records/s on one core.
func BenchmarkJSONToConfluentAvro(b *testing.B) {
	srv := srtest.New()
	b.Cleanup(srv.Close)
	text, err := avro.ConnectToAvroJSON(benchSchema, avro.ExactOptions())
	if err != nil {
		b.Fatal(err)
	}
	f, _ := formats.Lookup(FormatName)
	opts, err := formats.ParseOptions(f, map[string]string{OptionURL: srv.URL(), OptionSubject: "users-value", OptionSchema: text})
	if err != nil {
		b.Fatal(err)
	}
	enc, err := f.NewEncoder(opts)
	if err != nil {
		b.Fatal(err)
	}
	rows := make([]formats.Row, 1)
	convert := func() []byte {
		var m map[string]any
		if err := json.Unmarshal(benchJSON, &m); err != nil {
			b.Fatal(err)
		}
		rows[0] = formats.Row{Op: formats.Insert, Value: m}
		msgs, err := enc.Encode(rows)
		if err != nil {
			b.Fatal(err)
		}
		return msgs[0]
	}
	convert()
	srv.ResetRequests()
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		convert()
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
	if n := srv.RequestCount(); n != 0 {
		b.Fatalf("%d registry requests in the loop", n)
	}
}

// BenchmarkJSONToConfluentAvroFastPath is the same conversion through the format's
// EncodeJSON, which reads the JSON text guided by the Avro schema and builds no map.
func BenchmarkJSONToConfluentAvroFastPath(b *testing.B) {
	srv := srtest.New()
	b.Cleanup(srv.Close)
	text, err := avro.ConnectToAvroJSON(benchSchema, avro.ExactOptions())
	if err != nil {
		b.Fatal(err)
	}
	f, _ := formats.Lookup(FormatName)
	opts, err := formats.ParseOptions(f, map[string]string{OptionURL: srv.URL(), OptionSubject: "users-value", OptionSchema: text})
	if err != nil {
		b.Fatal(err)
	}
	enc, err := f.NewEncoder(opts)
	if err != nil {
		b.Fatal(err)
	}
	je := enc.(avro.JSONEncoder)
	slow, err := enc.Encode([]formats.Row{{Value: mustJSON(b, benchJSON)}})
	if err != nil {
		b.Fatal(err)
	}
	fast, err := je.EncodeJSON(benchJSON)
	if err != nil || string(fast) != string(slow[0]) {
		b.Fatalf("fast path wrote % x (%v), encoding/json path % x", fast, err, slow[0])
	}
	srv.ResetRequests()
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		if _, err := je.EncodeJSON(benchJSON); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
	if n := srv.RequestCount(); n != 0 {
		b.Fatalf("%d registry requests in the loop", n)
	}
}

func mustJSON(b *testing.B, data []byte) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		b.Fatal(err)
	}
	return m
}
