package jsonformat

import (
	"bytes"
	stdjson "encoding/json"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// benchSchema is a typical 10-field record: ids, text, numbers, a flag, a timestamp, a
// decimal and a null.
var benchSchema = connect.StructBuilder().Name("com.example.Order").
	Field("id", connect.Int64Schema).
	Field("customer", connect.StringSchema).
	Field("email", connect.OptionalStringSchema).
	Field("quantity", connect.Int32Schema).
	Field("price", connect.Float64Schema).
	Field("paid", connect.BooleanSchema).
	Field("created", connect.TimestampSchema().MustBuild()).
	Field("amount", connect.DecimalSchema(2).MustBuild()).
	Field("note", connect.OptionalStringSchema).
	Field("status", connect.Int16Schema).
	MustBuild()

func benchRecord() *connect.Struct {
	return connect.NewStruct(benchSchema).
		MustPut("id", int64(1234567890123)).
		MustPut("customer", "Ada Lovelace").
		MustPut("email", "ada@example.com").
		MustPut("quantity", int32(42)).
		MustPut("price", 19.99).
		MustPut("paid", true).
		MustPut("created", time.UnixMilli(1700000000123).UTC()).
		MustPut("amount", connect.NewDecimal(83958, 2)).
		MustPut("status", int16(3))
}

func benchEncode(b *testing.B, c *Converter) {
	rec := benchRecord()
	out, err := c.FromConnectData("topic", nil, benchSchema, rec)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.FromConnectData("topic", nil, benchSchema, rec); err != nil {
			b.Fatal(err)
		}
	}
}

func benchDecode(b *testing.B, c *Converter) {
	data, err := c.FromConnectData("topic", nil, benchSchema, benchRecord())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.ToConnectData("topic", nil, data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeStructWithSchema(b *testing.B) { benchEncode(b, converter(b)) }

func BenchmarkEncodeStructWithoutSchema(b *testing.B) {
	benchEncode(b, converter(b, "schemas.enable", "false"))
}

// BenchmarkDecodeStructWithSchema reads the envelope: the struct comes back typed.
func BenchmarkDecodeStructWithSchema(b *testing.B) { benchDecode(b, converter(b)) }

// BenchmarkDecodeStructWithoutSchema reads the same record as plain JSON into a map.
func BenchmarkDecodeStructWithoutSchema(b *testing.B) {
	benchDecode(b, converter(b, "schemas.enable", "false"))
}

// BenchmarkBaselineStdlibEnvelope is the alternative this package's scanner was measured
// against: encoding/json splitting the envelope with RawMessage, then decoding the payload into
// a generic tree (which a typed decoder would still have to walk to build the struct).
func BenchmarkBaselineStdlibEnvelope(b *testing.B) {
	data, err := converter(b).FromConnectData("topic", nil, benchSchema, benchRecord())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var env struct {
			Schema  stdjson.RawMessage `json:"schema"`
			Payload stdjson.RawMessage `json:"payload"`
		}
		if err := stdjson.Unmarshal(data, &env); err != nil {
			b.Fatal(err)
		}
		dec := stdjson.NewDecoder(bytes.NewReader(env.Payload))
		dec.UseNumber()
		var payload map[string]any
		if err := dec.Decode(&payload); err != nil {
			b.Fatal(err)
		}
	}
}

// benchCols is benchSchema as a json.schema column list.
const benchCols = "id BIGINT NOT NULL, customer STRING NOT NULL, email STRING, quantity INT NOT NULL, " +
	"price DOUBLE NOT NULL, paid BOOLEAN NOT NULL, created TIMESTAMP(3) NOT NULL, amount DECIMAL(10,2) NOT NULL, " +
	"note STRING, status SMALLINT NOT NULL"

// benchRow is the 10-field record as a row decoded with json.schema.
func benchRow(b *testing.B) []formats.Row {
	rows, err := jsonFormat(b, OptSchema, benchCols).dec.Decode([]byte(`{"id":1234567890123,"customer":"Ada Lovelace","email":"ada@example.com","quantity":42,` +
		`"price":19.99,"paid":true,"created":"2023-11-14 22:13:20.123","amount":839.58,"note":null,"status":3}`))
	if err != nil || len(rows) != 1 {
		b.Fatalf("%d rows, %v", len(rows), err)
	}
	return rows
}

func benchFormatEncode(b *testing.B, kv ...string) {
	c := jsonFormat(b, append([]string{OptSchema, benchCols}, kv...)...)
	rows := benchRow(b)
	msgs, err := c.enc.Encode(rows)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(msgs[0])))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.enc.Encode(rows); err != nil {
			b.Fatal(err)
		}
	}
}

func benchFormatDecode(b *testing.B, kv ...string) {
	c := jsonFormat(b, append([]string{OptSchema, benchCols}, kv...)...)
	msgs, err := c.enc.Encode(benchRow(b))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(msgs[0])))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.dec.Decode(msgs[0]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFormatEncode writes the 10-field record through the json format's row face, as
// Flink writes it (timestamps as text, the decimal as a number).
func BenchmarkFormatEncode(b *testing.B) { benchFormatEncode(b) }

// BenchmarkFormatDecode reads the record into a typed struct of json.schema.
func BenchmarkFormatDecode(b *testing.B) { benchFormatDecode(b) }

// BenchmarkFormatDecodeSchemaless reads the same message without json.schema, into a map.
func BenchmarkFormatDecodeSchemaless(b *testing.B) {
	c := jsonFormat(b, OptSchema, benchCols)
	msgs, err := c.enc.Encode(benchRow(b))
	if err != nil {
		b.Fatal(err)
	}
	reader := jsonFormat(b)
	b.SetBytes(int64(len(msgs[0])))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := reader.dec.Decode(msgs[0]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFormatEncodeEnvelope and BenchmarkFormatDecodeEnvelope use Kafka's envelope
// (json.schemas.enable).
func BenchmarkFormatEncodeEnvelope(b *testing.B) { benchFormatEncode(b, OptSchemasEnable, "true") }

func BenchmarkFormatDecodeEnvelope(b *testing.B) { benchFormatDecode(b, OptSchemasEnable, "true") }
