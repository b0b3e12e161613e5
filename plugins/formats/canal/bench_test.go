package canal_test

import (
	"testing"

	"github.com/raftconnect/raftconnect/plugins/formats/canal"
	"github.com/raftconnect/raftconnect/plugins/formats/cdctest"
)

// A Canal insert of one 10-column row (the benchmark row of every format).
const benchMsg = `{"data":[{"id":"1001","name":"Jürgen Straße","price":"12.34","qty":"3","weight":"0.75","active":"1","created":"2024-01-02 03:04:05.678","city":"Berlin","note":null,"score":"98765432101"}],"database":"shop","es":1706843100000,"id":12,"isDdl":false,"mysqlType":{"id":"bigint(20)","name":"varchar(255)","price":"decimal(10,2)","qty":"int(11)","weight":"double","active":"tinyint(1)","created":"datetime(3)","city":"varchar(64)","note":"text","score":"bigint(20)"},"old":null,"pkNames":["id"],"sql":"","sqlType":{"id":-5,"name":12,"price":3,"qty":4,"weight":8,"active":-6,"created":93,"city":12,"note":2005,"score":-5},"table":"orders","ts":1706843100523,"type":"INSERT"}`

func benchDecode(b *testing.B, strategy string) {
	dec, _ := cdctest.Codec(b, canal.Name, map[string]string{"infer-schema.strategy": strategy})
	data := []byte(benchMsg)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dec.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func benchEncode(b *testing.B, strategy string) {
	dec, enc := cdctest.Codec(b, canal.Name, map[string]string{"infer-schema.strategy": strategy})
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

func BenchmarkDecodeAuto(b *testing.B)      { benchDecode(b, "AUTO") }
func BenchmarkDecodeSQLType(b *testing.B)   { benchDecode(b, "SQL_TYPE") }
func BenchmarkDecodeMySQLType(b *testing.B) { benchDecode(b, "MYSQL_TYPE") }
func BenchmarkEncodeAuto(b *testing.B)      { benchEncode(b, "AUTO") }
func BenchmarkEncodeMySQLType(b *testing.B) { benchEncode(b, "MYSQL_TYPE") }
