package avro

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// debeziumEnvelope builds the Connect schema Debezium's MySQL connector gives the
// inventory.customers table.
func debeziumEnvelope() *connect.Schema {
	value := connect.StructBuilder().Name("inventory.inventory.customers.Value").
		Field("id", connect.Int32Schema).
		Field("first_name", connect.StringSchema).
		Field("last_name", connect.OptionalStringSchema).
		Field("email", connect.StringSchema).Optional().MustBuild()
	source := connect.StructBuilder().Name("io.debezium.connector.mysql.Source").
		Field("version", connect.StringSchema).
		Field("connector", connect.StringSchema).
		Field("name", connect.StringSchema).
		Field("ts_ms", connect.Int64Schema).
		Field("snapshot", connect.NewSchemaBuilder(connect.TypeString).Name("io.debezium.data.Enum").Version(1).
			Parameter("allowed", "true,last,false").Default("false").Optional().MustBuild()).
		Field("db", connect.StringSchema).
		Field("table", connect.OptionalStringSchema).
		Field("server_id", connect.Int64Schema).
		Field("gtid", connect.OptionalStringSchema).
		Field("file", connect.StringSchema).
		Field("pos", connect.Int64Schema).
		Field("row", connect.Int32Schema).
		Field("thread", connect.OptionalInt64Schema).
		Field("query", connect.OptionalStringSchema).MustBuild()
	tx := connect.StructBuilder().
		Field("id", connect.StringSchema).
		Field("total_order", connect.Int64Schema).
		Field("data_collection_order", connect.Int64Schema).Optional().MustBuild()
	return connect.StructBuilder().Name("inventory.inventory.customers.Envelope").
		Field("before", value).
		Field("after", value).
		Field("source", source).
		Field("op", connect.StringSchema).
		Field("ts_ms", connect.OptionalInt64Schema).
		Field("transaction", tx).MustBuild()
}

// TestDebeziumEnvelopeMatchesConfluent compares with the schema Confluent's AvroConverter
// registered for this envelope (testdata/golden/debezium_mysql_envelope.avsc, as a registry returned
// it): the same Connect schema must give the same text, character for character.
func TestDebeziumEnvelopeMatchesConfluent(t *testing.T) {
	want, err := os.ReadFile("testdata/golden/debezium_mysql_envelope.avsc")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ConnectToAvroJSON(debeziumEnvelope(), ExactOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got != strings.TrimSpace(string(want)) {
		t.Fatalf("schema text differs from Confluent's:\n got %s\nwant %s", got, want)
	}

	// Reading Confluent's text gives back the Connect schema, which writes the same text.
	s, err := Parse(string(want), ExactOptions())
	if err != nil {
		t.Fatal(err)
	}
	cs := s.ConnectSchema()
	snap := cs.Field("source").Schema.Field("snapshot").Schema
	if snap.Name != "io.debezium.data.Enum" || snap.Version != 1 || !snap.Optional || snap.Default != "false" ||
		snap.Parameters["allowed"] != "true,last,false" {
		t.Fatalf("snapshot schema = %+v", snap)
	}
	if tx := cs.Field("transaction").Schema; tx.Name != "" || !tx.Optional || len(tx.Fields) != 3 {
		t.Fatalf("transaction schema = %v", tx)
	}
	if before, after := cs.Field("before").Schema, cs.Field("after").Schema; !before.Equal(after) ||
		before.Name != "inventory.inventory.customers.Value" {
		t.Fatalf("before %v and after %v differ", before, after)
	}
	back, err := ConnectToAvroJSON(cs, ExactOptions())
	if err != nil {
		t.Fatal(err)
	}
	if back != s.String() {
		t.Fatalf("Avro → Connect → Avro changed the schema:\n got %s\nwant %s", back, s)
	}
}

func TestConnectToAvroJSON(t *testing.T) {
	unnamed := func(f string) *connect.Schema {
		return connect.StructBuilder().Field(f, connect.Int32Schema).MustBuild()
	}
	enum := connect.NewSchemaBuilder(connect.TypeString).Name("a.Suit").
		Parameter(EnumParameter, "a.Suit").
		Parameter(EnumParameter+".B", "B").Parameter(EnumParameter+".A", "A").MustBuild()
	cases := []struct {
		name   string
		schema *connect.Schema
		opts   Options
		want   string
	}{
		{"int8 and int16 keep their type", connect.StructBuilder().Name("R").
			Field("a", connect.Int8Schema).Field("b", connect.OptionalInt16Schema).MustBuild(), ExactOptions(),
			`{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"int","connect.type":"int8"}},{"name":"b","type":["null",{"type":"int","connect.type":"int16"}],"default":null}],"connect.name":"R"}`},
		{"optional with default puts null last", connect.NewSchemaBuilder(connect.TypeInt64).Default(int64(7)).Optional().MustBuild(), ExactOptions(),
			`[{"type":"long","connect.default":7},"null"]`},
		{"unnamed structs are ConnectDefault, ConnectDefault2", connect.StructBuilder().
			Field("x", unnamed("a")).Field("y", unnamed("b")).Field("z", unnamed("a")).MustBuild(), ExactOptions(),
			`{"type":"record","name":"ConnectDefault","namespace":"io.confluent.connect.avro","fields":[` +
				`{"name":"x","type":{"type":"record","name":"ConnectDefault2","fields":[{"name":"a","type":"int"}]}},` +
				`{"name":"y","type":{"type":"record","name":"ConnectDefault3","fields":[{"name":"b","type":"int"}]}},` +
				`{"name":"z","type":"ConnectDefault2"}]}`},
		{"non-string keys become MapEntry records", connect.MapOf(connect.Int64Schema, connect.OptionalStringSchema).MustBuild(), ExactOptions(),
			`{"type":"array","items":{"type":"record","name":"MapEntry","namespace":"io.confluent.connect.avro","fields":[{"name":"key","type":"long"},{"name":"value","type":["null","string"],"default":null}]}}`},
		{"named map entry", connect.MapOf(connect.Int32Schema, connect.Int32Schema).Name("a.b.Counts").MustBuild(), ExactOptions(),
			`{"type":"array","items":{"type":"record","name":"Counts","namespace":"a.b","fields":[{"name":"key","type":"int"},{"name":"value","type":"int"}],"connect.internal.type":"MapEntry"},"connect.name":"a.b.Counts"}`},
		{"enum with enhanced support (sorted without an order)", enum, ExactOptions(),
			`{"type":"enum","name":"Suit","namespace":"a","symbols":["A","B"],"connect.parameters":{"io.confluent.connect.avro.Enum":"a.Suit","io.confluent.connect.avro.Enum.A":"A","io.confluent.connect.avro.Enum.B":"B"},"connect.name":"a.Suit"}`},
		{"enum without enhanced support is a string", enum, Options{ConnectMetaData: true},
			`{"type":"string","connect.parameters":{"io.confluent.connect.avro.Enum":"a.Suit","io.confluent.connect.avro.Enum.A":"A","io.confluent.connect.avro.Enum.B":"B"},"connect.name":"a.Suit"}`},
		{"docs", connect.StructBuilder().Name("n.R").Doc("a record").
			Parameter(paramRecordDoc, "record doc").Parameter(paramFieldDoc+"f", "field doc").
			Field("f", connect.NewSchemaBuilder(connect.TypeString).Doc("type doc").MustBuild()).MustBuild(), ExactOptions(),
			`{"type":"record","name":"R","namespace":"n","doc":"record doc","fields":[{"name":"f","type":{"type":"string","connect.doc":"type doc"},"doc":"field doc"}],"connect.doc":"a record","connect.parameters":{"io.confluent.connect.avro.field.doc.f":"field doc","io.confluent.connect.avro.record.doc":"record doc"},"connect.name":"n.R"}`},
		{"no connect metadata", connect.StructBuilder().Name("R").Field("a", connect.Int8Schema).
			Field("t", connect.TimestampSchema().MustBuild()).MustBuild(), Options{},
			`{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"t","type":{"type":"long","logicalType":"timestamp-millis"}}]}`},
		{"legacy decimal when scale exceeds precision", connect.DecimalSchema(70).MustBuild(), ExactOptions(),
			`{"type":"bytes","scale":70,"precision":64,"connect.version":1,"connect.parameters":{"scale":"70"},"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}`},
		{"microsecond timestamp without connect.name", connect.TimestampSchema().Parameter(LogicalTypeParameter, "timestamp-micros").MustBuild(), ExactOptions(),
			`{"type":"long","logicalType":"timestamp-micros"}`},
		{"defaults of logical types", connect.StructBuilder().Name("D").
			Field("d", connect.DecimalSchema(2).Default(dec("1.00")).MustBuild()).
			Field("f", connect.NewSchemaBuilder(connect.TypeFloat64).Default(1e10).MustBuild()).
			Field("b", connect.NewSchemaBuilder(connect.TypeBytes).Default([]byte{0, 0xe9}).MustBuild()).MustBuild(), ExactOptions(),
			`{"type":"record","name":"D","fields":[` +
				`{"name":"d","type":{"type":"bytes","scale":2,"precision":64,"connect.version":1,"connect.parameters":{"scale":"2"},"connect.default":"d","connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"},"default":"d"},` +
				`{"name":"f","type":{"type":"double","connect.default":1.0E10},"default":1.0E10},` +
				`{"name":"b","type":{"type":"bytes","connect.default":"\u0000é"},"default":"\u0000é"}],"connect.name":"D"}`},
		{"union struct", connect.StructBuilder().Name(UnionName).Field("int", connect.OptionalInt32Schema).
			Field("string", connect.OptionalStringSchema).Optional().MustBuild(), ExactOptions(),
			`["null","int","string"]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ConnectToAvroJSON(tc.schema, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("\n got %s\nwant %s", got, tc.want)
			}
			if _, err := Parse(got, tc.opts); err != nil {
				t.Fatalf("the written schema does not parse: %v", err)
			}
		})
	}
}

func TestConnectToAvroJSONErrors(t *testing.T) {
	a1 := connect.StructBuilder().Name("x.A").Field("f", connect.Int32Schema).MustBuild()
	a2 := connect.StructBuilder().Name("x.A").Field("g", connect.Int32Schema).MustBuild()
	cases := []struct {
		name   string
		schema *connect.Schema
		want   string
	}{
		{"schemaless", nil, "schemaless"},
		{"redefined name", connect.StructBuilder().Field("a", a1).Field("b", a2).MustBuild(), "defined twice"},
		{"invalid Avro name", connect.StructBuilder().Name("my-topic.Value").Field("a", connect.Int32Schema).MustBuild(), "invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromConnect(tc.schema, ExactOptions())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestAvroToConnect checks what Avro-only features become in Connect.
func TestAvroToConnect(t *testing.T) {
	s, err := Parse(`{"type":"record","name":"R","namespace":"ns","doc":"the record","fields":[
		{"name":"e","type":{"type":"enum","name":"Color","doc":"colors","symbols":["RED","GREEN","BLUE"],"default":"RED"},"doc":"enum field"},
		{"name":"u","type":["int","string","Color"]},
		{"name":"t","type":{"type":"long","logicalType":"timestamp-micros"}},
		{"name":"id","type":{"type":"string","logicalType":"uuid"}},
		{"name":"lt","type":{"type":"long","logicalType":"local-timestamp-millis"}},
		{"name":"f","type":{"type":"fixed","name":"Hash","size":2}},
		{"name":"n","type":["string","null"],"default":"x"},
		{"name":"j","type":{"type":"string","avro.java.string":"String"}}]}`, ExactOptions())
	if err != nil {
		t.Fatal(err)
	}
	cs := s.ConnectSchema()
	if cs.Name != "ns.R" || cs.Parameters[paramRecordDoc] != "the record" || cs.Parameters[paramFieldDoc+"e"] != "enum field" {
		t.Fatalf("record %v %v", cs, cs.Parameters)
	}
	e := cs.Field("e").Schema
	if e.Type != connect.TypeString || e.Name != "ns.Color" || e.Parameters[EnumParameter] != "ns.Color" ||
		e.Parameters[EnumParameter+".GREEN"] != "GREEN" || e.Parameters[paramEnumDoc+"Color"] != "colors" ||
		e.Parameters[paramEnumDefault+"Color"] != "RED" {
		t.Fatalf("enum %v %v", e, e.Parameters)
	}
	u := cs.Field("u").Schema
	if u.Name != UnionName || len(u.Fields) != 3 || u.Fields[2].Name != "ns.Color" || !u.Fields[0].Schema.Optional {
		t.Fatalf("union %v", u)
	}
	if ts := cs.Field("t").Schema; ts.Name != connect.TimestampName || ts.Parameters[LogicalTypeParameter] != "timestamp-micros" {
		t.Fatalf("timestamp-micros %v %v", ts, ts.Parameters)
	}
	if id := cs.Field("id").Schema; id.Type != connect.TypeString || id.Parameters[LogicalTypeParameter] != "uuid" {
		t.Fatalf("uuid %v", id)
	}
	if lt := cs.Field("lt").Schema; lt.Type != connect.TypeInt64 || lt.Name != "" {
		t.Fatalf("local-timestamp-millis %v", lt)
	}
	if f := cs.Field("f").Schema; f.Type != connect.TypeBytes || f.Name != "ns.Hash" || f.Parameters[FixedSizeParameter] != "2" {
		t.Fatalf("fixed %v", f)
	}
	if n := cs.Field("n").Schema; !n.Optional || n.Default != "x" {
		t.Fatalf("[string, null] default x: %+v", n)
	}
	if j := cs.Field("j").Schema; j.Parameters["avro.java.string"] != "String" {
		t.Fatalf("avro.* property: %v", j.Parameters)
	}
	back, err := ConnectToAvroJSON(cs, ExactOptions())
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(back, ExactOptions())
	if err != nil {
		t.Fatal(err)
	}
	// Every Avro detail that decides the bytes survives: the canonical forms agree.
	if again.Avro().String() != s.Avro().String() {
		t.Fatalf("canonical form changed:\n got %s\nwant %s", again.Avro().String(), s.Avro().String())
	}

	// Enum symbol order is the encoding: GREEN is index 1 both ways.
	st := connect.NewStruct(cs).MustPut("e", "GREEN").
		MustPut("u", connect.NewStruct(u).MustPut("ns.Color", "BLUE")).
		MustPut("id", "x").MustPut("lt", int64(1)).MustPut("f", []byte("ab")).MustPut("n", "x").MustPut("j", "j")
	st.MustPut("t", mustTime("2024-01-02T03:04:05.123456Z"))
	data, err := again.Append(nil, st)
	if err != nil {
		t.Fatal(err)
	}
	if data[0] != 2 || data[1] != 4 || data[2] != 4 {
		t.Fatalf("enum GREEN / union branch 2 / BLUE encoded as % x", data[:3])
	}
	got, err := s.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if !got.(*connect.Struct).Equal(st) {
		t.Fatalf("decoded %v, want %v", got, st)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ schema, want string }{
		{`{"type":"record","name":"R","fields":[{"name":"next","type":["null","R"]}]}`, "refers to itself"},
		{`"null"`, "standalone"},
		{`{"type":"int","connect.type":"int64"}`, "connect.type"},
		{`{"type":`, "invalid Avro schema"},
		{`{"type":"long","connect.name":"x","logicalType":"timestamp-millis"}`, "differs from the name"},
		{`{"type":"array","items":{"type":"record","name":"MapEntry","namespace":"io.confluent.connect.avro","fields":[{"name":"key","type":"bytes"},{"name":"value","type":"int"}]}}`, "cannot be Go map keys"},
	}
	for _, tc := range cases {
		_, err := Parse(tc.schema, ExactOptions())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%s): err = %v, want %q", tc.schema, err, tc.want)
		}
	}
}

func mustTime(s string) any {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}
