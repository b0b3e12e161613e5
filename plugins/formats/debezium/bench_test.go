package debezium_test

import (
	"testing"

	"github.com/raftconnect/raftconnect/plugins/formats/cdctest"
	"github.com/raftconnect/raftconnect/plugins/formats/debezium"
)

// A Debezium MySQL insert of a 10-column row (the benchmark row of every format).
const benchSchemaless = `{"before":null,"after":{"id":1001,"name":"Jürgen Straße","price":"12.34","qty":3,"weight":0.75,"active":true,"created":1704164645678,"city":"Berlin","note":null,"score":98765432101},"source":{"version":"2.7.3.Final","connector":"mysql","name":"dbserver1","ts_ms":1706843100000,"snapshot":"false","db":"shop","sequence":null,"table":"orders","server_id":223344,"gtid":null,"file":"mysql-bin.000003","pos":805,"row":0,"thread":7,"query":null},"transaction":null,"op":"c","ts_ms":1706843100312}`

const benchSchema = `{"schema":{"type":"struct","fields":[{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"},{"type":"string","optional":true,"field":"name"},{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.precision":"10"},"field":"price"},{"type":"int32","optional":true,"field":"qty"},{"type":"double","optional":true,"field":"weight"},{"type":"boolean","optional":true,"field":"active"},{"type":"int64","optional":true,"name":"io.debezium.time.Timestamp","version":1,"field":"created"},{"type":"string","optional":true,"field":"city"},{"type":"string","optional":true,"field":"note"},{"type":"int64","optional":true,"field":"score"}],"optional":true,"name":"dbserver1.shop.orders.Value","field":"before"},{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"},{"type":"string","optional":true,"field":"name"},{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.precision":"10"},"field":"price"},{"type":"int32","optional":true,"field":"qty"},{"type":"double","optional":true,"field":"weight"},{"type":"boolean","optional":true,"field":"active"},{"type":"int64","optional":true,"name":"io.debezium.time.Timestamp","version":1,"field":"created"},{"type":"string","optional":true,"field":"city"},{"type":"string","optional":true,"field":"note"},{"type":"int64","optional":true,"field":"score"}],"optional":true,"name":"dbserver1.shop.orders.Value","field":"after"},{"type":"struct","fields":[{"type":"string","optional":false,"field":"version"},{"type":"string","optional":false,"field":"connector"},{"type":"string","optional":false,"field":"name"},{"type":"int64","optional":false,"field":"ts_ms"},{"type":"string","optional":false,"field":"db"},{"type":"string","optional":true,"field":"table"}],"optional":false,"name":"io.debezium.connector.mysql.Source","field":"source"},{"type":"string","optional":false,"field":"op"},{"type":"int64","optional":true,"field":"ts_ms"}],"optional":false,"name":"dbserver1.shop.orders.Envelope"},"payload":{"before":null,"after":{"id":1001,"name":"Jürgen Straße","price":"BNI=","qty":3,"weight":0.75,"active":true,"created":1704164645678,"city":"Berlin","note":null,"score":98765432101},"source":{"version":"2.7.3.Final","connector":"mysql","name":"dbserver1","ts_ms":1706843100000,"db":"shop","table":"orders"},"op":"c","ts_ms":1706843100312}}`

func benchDecode(b *testing.B, msg string, opts map[string]string) {
	dec, _ := cdctest.Codec(b, debezium.Name, opts)
	data := []byte(msg)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dec.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func benchEncode(b *testing.B, msg string, opts map[string]string) {
	dec, enc := cdctest.Codec(b, debezium.Name, opts)
	rows, err := dec.Decode([]byte(msg))
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

func BenchmarkDecodeSchemaless(b *testing.B) { benchDecode(b, benchSchemaless, nil) }
func BenchmarkDecodeSchema(b *testing.B)     { benchDecode(b, benchSchema, nil) }
func BenchmarkEncodeSchemaless(b *testing.B) { benchEncode(b, benchSchemaless, nil) }
func BenchmarkEncodeSchema(b *testing.B) {
	benchEncode(b, benchSchema, map[string]string{"schema-include": "true"})
}
