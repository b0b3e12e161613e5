package csv

import (
	"testing"

	"github.com/raftconnect/raftconnect/plugins/formats"
)

// benchSchema is the 10-field record the benchmarks use for every format.
const benchSchema = "id BIGINT NOT NULL, name STRING, price DECIMAL(10,2), qty INT, active BOOLEAN, " +
	"created TIMESTAMP(3), birthday DATE, score DOUBLE, note STRING, tags ARRAY<STRING>"

const benchRecord = `1234567,Alice Smith,1234.56,42,true,2024-05-06 07:08:09.123,1990-04-01,98.6,"Lives in Oslo, Norway",a;b;c`

func BenchmarkDecode(b *testing.B) {
	dec, _ := codec(b, map[string]string{"csv.schema": benchSchema})
	data := []byte(benchRecord)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := dec.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	dec, enc := codec(b, map[string]string{"csv.schema": benchSchema})
	rows, err := dec.Decode([]byte(benchRecord))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		msgs, err := enc.Encode(rows)
		if err != nil {
			b.Fatal(err)
		}
		if len(msgs[0]) != len(benchRecord) {
			b.Fatalf("encoded %q", msgs[0])
		}
	}
}

// BenchmarkEncodeMap is the path of schemaless rows (JSON without schema → CSV), which converts
// each value to the column type first.
func BenchmarkEncodeMap(b *testing.B) {
	_, enc := codec(b, map[string]string{"csv.schema": benchSchema})
	row := []formats.Row{{Value: map[string]any{
		"id": int64(1234567), "name": "Alice Smith", "price": "1234.56", "qty": int64(42), "active": true,
		"created": "2024-05-06 07:08:09.123", "birthday": "1990-04-01", "score": 98.6, "note": "Lives in Oslo, Norway",
		"tags": []any{"a", "b", "c"},
	}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := enc.Encode(row); err != nil {
			b.Fatal(err)
		}
	}
}
