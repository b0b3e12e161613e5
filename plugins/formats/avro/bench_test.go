package avro

import (
	"testing"
	"time"

	hamba "github.com/hamba/avro/v2"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// benchSchema is the 10-field record of the benchmarks (the shape dependencies.md measured
// hamba on): a few strings, numbers, a nullable field and a timestamp.
var benchConnect = connect.StructBuilder().Name("bench.User").
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

func benchValue() *connect.Struct {
	return connect.NewStruct(benchConnect).
		MustPut("id", int64(1234567890)).
		MustPut("name", "Ada Lovelace").
		MustPut("email", "ada@example.com").
		MustPut("age", int32(36)).
		MustPut("score", 98.5).
		MustPut("active", true).
		MustPut("created_at", time.UnixMilli(1700000000123).UTC()).
		MustPut("country", "GB").
		MustPut("visits", int64(4242)).
		MustPut("ratio", float32(0.75))
}

// hambaUser is the same record as a Go struct, for hamba's reflection codec.
type hambaUser struct {
	ID        int64     `avro:"id"`
	Name      string    `avro:"name"`
	Email     *string   `avro:"email"`
	Age       int32     `avro:"age"`
	Score     float64   `avro:"score"`
	Active    bool      `avro:"active"`
	CreatedAt time.Time `avro:"created_at"`
	Country   string    `avro:"country"`
	Visits    int64     `avro:"visits"`
	Ratio     float32   `avro:"ratio"`
}

func benchSchema(b *testing.B) *Schema {
	s, err := FromConnect(benchConnect, ExactOptions())
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkEncode10Fields(b *testing.B) {
	s, v := benchSchema(b), benchValue()
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = s.Append(buf[:0], v); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkFormatEncode10Fields goes through the format's Encoder, which allocates each
// message (the caller keeps it).
func BenchmarkFormatEncode10Fields(b *testing.B) {
	c, err := newCodec("")
	if err != nil {
		b.Fatal(err)
	}
	rows := []formats.Row{{Schema: benchConnect, Value: benchValue()}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Encode(rows); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode10Fields(b *testing.B) {
	s := benchSchema(b)
	data, err := s.Append(nil, benchValue())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeSchemaless10Fields(b *testing.B) {
	s := benchSchema(b)
	m := map[string]any{
		"id": 1234567890.0, "name": "Ada Lovelace", "email": "ada@example.com", "age": 36.0,
		"score": 98.5, "active": true, "created_at": 1700000000123.0, "country": "GB",
		"visits": 4242.0, "ratio": 0.75,
	}
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = s.Append(buf[:0], m); err != nil {
			b.Fatal(err)
		}
	}
}

// The hamba baselines: its reflection codec on a Go struct, and on map[string]any.

func BenchmarkHambaEncodeStruct(b *testing.B) {
	s := benchSchema(b)
	email := "ada@example.com"
	u := hambaUser{1234567890, "Ada Lovelace", &email, 36, 98.5, true, time.UnixMilli(1700000000123), "GB", 4242, 0.75}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := hamba.Marshal(s.Avro(), &u); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHambaDecodeStruct(b *testing.B) {
	s := benchSchema(b)
	data, _ := s.Append(nil, benchValue())
	b.ReportAllocs()
	for b.Loop() {
		var u hambaUser
		if err := hamba.Unmarshal(s.Avro(), data, &u); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHambaDecodeMap(b *testing.B) {
	s := benchSchema(b)
	data, _ := s.Append(nil, benchValue())
	b.ReportAllocs()
	for b.Loop() {
		var m map[string]any
		if err := hamba.Unmarshal(s.Avro(), data, &m); err != nil {
			b.Fatal(err)
		}
	}
}
