package maxwell_test

import (
	"testing"

	"github.com/raftconnect/raftconnect/plugins/formats/cdctest"
	"github.com/raftconnect/raftconnect/plugins/formats/maxwell"
)

// A Maxwell insert of one 10-column row (the benchmark row of every format).
const benchMsg = `{"database":"shop","table":"orders","type":"insert","ts":1706843100,"xid":9001,"commit":true,"position":"mysql-bin.000003:805","server_id":1,"thread_id":42,"primary_key":[1001],"primary_key_columns":["id"],"data":{"id":1001,"name":"Jürgen Straße","price":12.34,"qty":3,"weight":0.75,"active":1,"created":"2024-01-02 03:04:05.678","city":"Berlin","note":null,"score":98765432101}}`

func BenchmarkDecode(b *testing.B) {
	dec, _ := cdctest.Codec(b, maxwell.Name, nil)
	data := []byte(benchMsg)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dec.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	dec, enc := cdctest.Codec(b, maxwell.Name, nil)
	rows, err := dec.Decode([]byte(benchMsg))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := enc.Encode(rows); err != nil {
			b.Fatal(err)
		}
	}
}
