package canal_test

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
	"github.com/raftconnect/raftconnect/plugins/formats/canal"
	"github.com/raftconnect/raftconnect/plugins/formats/cdc"
	"github.com/raftconnect/raftconnect/plugins/formats/cdctest"
)

// oneColumn builds a Canal INSERT of one column with the given types and value (JSON).
func oneColumn(sqlType int, mysqlType, value string) []byte {
	return []byte(fmt.Sprintf(`{"data":[{"c":%s}],"database":"d","es":1,"id":1,"isDdl":false,"mysqlType":{"c":%q},"old":null,"pkNames":null,"sql":"","sqlType":{"c":%d},"table":"t","ts":1,"type":"INSERT"}`,
		value, mysqlType, sqlType))
}

func decodeOne(t *testing.T, options map[string]string, msg []byte) (*connect.Schema, any, error) {
	t.Helper()
	dec, _ := cdctest.Codec(t, canal.Name, options)
	rows, err := dec.Decode(msg)
	if err != nil {
		return nil, nil, err
	}
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	st := rows[0].Value.(*connect.Struct)
	return st.Schema().Fields[0].Schema, st.Get("c"), nil
}

// TestSQLTypeTable checks the JDBC type-code table of seed 000 ("Canal JSON的Schema解析"), code by
// code. The seed prints -5 for SMALLINT as well as for BIGINT; java.sql.Types.SMALLINT is 5.
func TestSQLTypeTable(t *testing.T) {
	dec := "org.apache.kafka.connect.data.Decimal:BYTES?"
	cases := []struct {
		jdbc  string
		code  int
		value string
		want  string // schema
		text  string // the value's text form
	}{
		{"BIT", -7, `"1"`, "BOOLEAN?", "1"},
		{"BOOLEAN", 16, `"true"`, "BOOLEAN?", "1"},
		{"TINYINT", -6, `"-128"`, "INT8?", "-128"},
		{"SMALLINT", 5, `"32767"`, "INT16?", "32767"},
		{"INTEGER", 4, `"-2147483648"`, "INT32?", "-2147483648"},
		{"BIGINT", -5, `"9223372036854775807"`, "INT64?", "9223372036854775807"},
		{"DECIMAL", 3, `"12.5"`, dec, "12.500000000000000000"},
		{"NUMERIC", 2, `"-0.000000000000000001"`, dec, "-0.000000000000000001"},
		{"REAL", 7, `"3.25"`, "FLOAT32?", "3.25"},
		{"FLOAT", 6, `"1.0E7"`, "FLOAT64?", "1.0E7"},
		{"DOUBLE", 8, `"0.1"`, "FLOAT64?", "0.1"},
		{"BINARY", -2, `"\u00de\u00ad"`, "BYTES?", "\u00de\u00ad"},
		{"VARBINARY", -3, `"A"`, "BYTES?", "A"},
		{"LONGVARBINARY", -4, `""`, "BYTES?", ""},
		{"BLOB", 2004, `"\u00ff"`, "BYTES?", "\u00ff"},
		{"DATE", 91, `"2024-02-29"`, "org.apache.kafka.connect.data.Date:INT32?", "2024-02-29"},
		{"TIME", 92, `"23:59:59.5"`, "org.apache.kafka.connect.data.Time:INT32?", "23:59:59.5"},
		{"TIMESTAMP", 93, `"2024-02-29 23:59:59.123456"`, "org.apache.kafka.connect.data.Timestamp:INT64?", "2024-02-29 23:59:59.123456"},
		{"CHAR", 1, `"x"`, "STRING?", "x"},
		{"VARCHAR", 12, `"x"`, "STRING?", "x"},
		{"LONGVARCHAR", -1, `"x"`, "STRING?", "x"},
		{"CLOB (other)", 2005, `"x"`, "STRING?", "x"},
		{"OTHER", 1111, `"x"`, "STRING?", "x"},
	}
	for _, c := range cases {
		s, v, err := decodeOne(t, map[string]string{"infer-schema.strategy": "SQL_TYPE"}, oneColumn(c.code, "irrelevant", c.value))
		if err != nil {
			t.Errorf("%s (%d): %v", c.jdbc, c.code, err)
			continue
		}
		if s.String() != c.want {
			t.Errorf("%s (%d): type %s, want %s", c.jdbc, c.code, s, c.want)
		}
		text, err := cdc.AppendText(nil, s, v, cdc.TextStyle{})
		if err != nil || string(text) != c.text {
			t.Errorf("%s (%d): value %v reads back as %q (%v), want %q", c.jdbc, c.code, v, text, err, c.text)
		}
		if c.want == dec && (s.Parameters["scale"] != "18" || s.Parameters["connect.decimal.precision"] != "38") {
			t.Errorf("%s: DECIMAL parameters %v, want DECIMAL(38,18)", c.jdbc, s.Parameters)
		}
	}
}

func TestMySQLTypeMapping(t *testing.T) {
	type opts = map[string]string
	noBool := opts{"mysql.treat-tinyint1-as-boolean.enabled": "false"}
	ltz := opts{"mysql.treat-mysql-timestamp-as-datetime-enabled": "false", "mysql.server-time-zone": "America/New_York"}
	cases := []struct {
		mysqlType, value string
		options          opts
		want             string
	}{
		{"tinyint(1)", `"1"`, nil, "BOOLEAN? true"},
		{"tinyint(1)", `"2"`, nil, "BOOLEAN? true"},
		{"tinyint(1)", `"0"`, nil, "BOOLEAN? false"},
		{"tinyint(1)", `"1"`, noBool, "INT8? 1"},
		{"tinyint(4)", `"-1"`, nil, "INT8? -1"},
		{"tinyint(3) unsigned", `"255"`, nil, "INT16? 255"},
		{"smallint(6) unsigned zerofill", `"65535"`, nil, "INT32? 65535"},
		{"mediumint(9) unsigned", `"16777215"`, nil, "INT32? 16777215"},
		{"INTEGER", `"101"`, nil, "INT32? 101"},
		{"int(10) unsigned", `"4294967295"`, nil, "INT64? 4294967295"},
		{"bigint(20)", `"-9223372036854775808"`, nil, "INT64? -9223372036854775808"},
		{"bigint(20) unsigned", `"18446744073709551615"`, nil, "org.apache.kafka.connect.data.Decimal:BYTES? 18446744073709551615"},
		{"bit(1)", `"1"`, noBool, "BOOLEAN? true"},
		{"bit(10)", `"513"`, nil, "BYTES? 0x0201"},
		{"float", `"3.25"`, nil, "FLOAT32? 3.25"},
		{"FLOAT", `"0.75"`, nil, "FLOAT32? 0.75"},
		{"float(53)", `"0.1"`, nil, "FLOAT64? 0.1"},
		{"double", `"1.0E-5"`, nil, "FLOAT64? 1.0E-5"},
		{"decimal(10,2)", `"-12.30"`, nil, "org.apache.kafka.connect.data.Decimal:BYTES? -12.30"},
		{"decimal", `"42"`, nil, "org.apache.kafka.connect.data.Decimal:BYTES? 42"},
		{"date", `"0000-00-00"`, nil, "org.apache.kafka.connect.data.Date:INT32? null"},
		{"time(3)", `"08:00:00.250"`, nil, "org.apache.kafka.connect.data.Time:INT32? 08:00:00.25"},
		{"datetime(6)", `"2024-01-02 03:04:05.000006"`, nil, "org.apache.kafka.connect.data.Timestamp:INT64? 2024-01-02 03:04:05.000006"},
		{"datetime", `"0000-00-00 00:00:00"`, nil, "org.apache.kafka.connect.data.Timestamp:INT64? null"},
		{"timestamp(3)", `"2024-07-01 12:00:00.5"`, nil, "org.apache.kafka.connect.data.Timestamp:INT64? 2024-07-01 12:00:00.5"},
		{"timestamp(3)", `"2024-07-01 12:00:00.5"`, ltz, `io.debezium.time.ZonedTimestamp:STRING? "2024-07-01T16:00:00.5Z"`},
		{"year(4)", `"2024"`, nil, "INT32? 2024"},
		{"varchar(255)", `"张三"`, nil, `STRING? "张三"`},
		{"enum('a','b')", `"b"`, nil, `STRING? "b"`},
		{"set('a','b')", `"a,b"`, nil, `STRING? "a,b"`},
		{"json", `"{\"k\": 1}"`, nil, `STRING? "{\"k\": 1}"`},
		{"varbinary(8)", `"\u00ff\u0000"`, nil, "BYTES? 0xff00"},
		{"geometry", `""`, nil, "BYTES? 0x"},
		{"some_future_type", `"v"`, nil, `STRING? "v"`},
	}
	for _, c := range cases {
		o := opts{"infer-schema.strategy": "MYSQL_TYPE"}
		for k, v := range c.options {
			o[k] = v
		}
		s, v, err := decodeOne(t, o, oneColumn(12, c.mysqlType, c.value))
		if err != nil {
			t.Errorf("%s %s: %v", c.mysqlType, c.value, err)
			continue
		}
		got := s.String() + " "
		switch x := v.(type) {
		case nil:
			got += "null"
		case []byte:
			got += cdctest.Value(x)
		case string:
			got += fmt.Sprintf("%q", x)
		case bool:
			got += fmt.Sprint(x)
		default:
			text, err := cdc.AppendText(nil, s, x, cdc.TextStyle{})
			if err != nil {
				t.Fatal(err)
			}
			got += string(text)
		}
		if got != c.want {
			t.Errorf("%s %s %v: got %s, want %s", c.mysqlType, c.value, c.options, got, c.want)
		}
	}
}

func TestValueErrors(t *testing.T) {
	cases := []struct {
		strategy, mysqlType string
		sqlType             int
		value, want         string
	}{
		{"MYSQL_TYPE", "tinyint(4)", 0, `"128"`, `"128" does not fit TINYINT`},
		{"MYSQL_TYPE", "int(11)", 0, `"12a"`, `"12a" does not fit INT`},
		{"MYSQL_TYPE", "decimal(4,2)", 0, `"123.45"`, "does not fit DECIMAL(4,2)"},
		{"MYSQL_TYPE", "time", 0, `"838:59:59"`, "MySQL TIME outside"},
		{"MYSQL_TYPE", "date", 0, `"2023-02-29"`, "does not exist"},
		{"MYSQL_TYPE", "bit(4)", 0, `"300"`, "does not fit BIT(4)"},
		{"MYSQL_TYPE", "varbinary(2)", 0, `"张"`, "not ISO-8859-1"},
		{"MYSQL_TYPE", "int(11)", 0, `{"a":1}`, "JSON object does not fit a INT column"},
		{"SQL_TYPE", "", 3, `"1e40"`, "does not fit DECIMAL(38,18)"},
		{"SQL_TYPE", "", 91, `"yesterday"`, "invalid date"},
	}
	for _, c := range cases {
		_, _, err := decodeOne(t, map[string]string{"infer-schema.strategy": c.strategy}, oneColumn(c.sqlType, c.mysqlType, c.value))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), `column "c"`) {
			t.Errorf("%s %s/%d %s: got %v, want an error naming column \"c\" and %q", c.strategy, c.mysqlType, c.sqlType, c.value, err, c.want)
		}
	}
}

// TestSQLTypeWidensLikeCanal: Canal raises an unsigned value's type code by one size only for the
// rows that need it, and a message's sqlType keeps the last row's code. A column whose values
// overflow the declared code widens instead of failing.
func TestSQLTypeWidensLikeCanal(t *testing.T) {
	msg := []byte(`{"data":[{"c":"200"},{"c":"7"}],"database":"d","es":1,"id":1,"isDdl":false,"mysqlType":{"c":"tinyint(3) unsigned"},"old":null,"pkNames":null,"sql":"","sqlType":{"c":-6},"table":"t","ts":1,"type":"INSERT"}`)
	dec, _ := cdctest.Codec(t, canal.Name, map[string]string{"infer-schema.strategy": "SQL_TYPE"})
	rows, err := dec.Decode(msg)
	if err != nil {
		t.Fatal(err)
	}
	if s := rows[0].Schema.Fields[0].Schema; s.Type != connect.TypeInt16 {
		t.Errorf("column type %s, want INT16", s)
	}
	if v := rows[0].Value.(*connect.Struct).Get("c"); v != int16(200) {
		t.Errorf("value %v (%T)", v, v)
	}
	// Beyond BIGINT: an integer DECIMAL, which writes back as the same integer text.
	dec, enc := cdctest.Codec(t, canal.Name, map[string]string{"infer-schema.strategy": "SQL_TYPE"})
	msg = oneColumn(5, "", `"10000000000000000000"`)
	rows, err = dec.Decode(msg)
	if err != nil {
		t.Fatal(err)
	}
	if s := rows[0].Schema.Fields[0].Schema; s.Name != connect.DecimalName || s.Parameters["scale"] != "0" {
		t.Errorf("column type %s %v, want DECIMAL(38,0)", s, s.Parameters)
	}
	out, err := enc.Encode(rows)
	if err != nil || !bytes.Contains(out[0], []byte(`"c":"10000000000000000000"`)) {
		t.Errorf("re-encoded: %s %v", out, err)
	}
}

func TestMissingTypeInfo(t *testing.T) {
	msg := []byte(`{"data":[{"id":"1"}],"database":"d","table":"t","type":"INSERT"}`)
	for _, s := range []string{"SQL_TYPE", "MYSQL_TYPE"} {
		dec, _ := cdctest.Codec(t, canal.Name, map[string]string{"infer-schema.strategy": s})
		if _, err := dec.Decode(msg); err == nil || !strings.Contains(err.Error(), "AUTO") {
			t.Errorf("%s without type information: %v, want an error suggesting AUTO", s, err)
		}
	}
}

func TestIncludeFiltersMatchWholeNames(t *testing.T) {
	msg := func(db, table string) []byte {
		return []byte(fmt.Sprintf(`{"data":[{"id":"1"}],"database":%q,"table":%q,"type":"INSERT","isDdl":false}`, db, table))
	}
	dec, _ := cdctest.Codec(t, canal.Name, map[string]string{"database.include": "shop", "table.include": "order_[0-9]+"})
	cases := []struct {
		db, table string
		want      int
	}{
		{"shop", "order_1", 1}, {"shop", "order_12", 1}, {"shop2", "order_1", 0}, {"myshop", "order_1", 0},
		{"shop", "order_1_bak", 0}, {"shop", "xorder_1", 0}, {"shop", "order_", 0},
	}
	for _, c := range cases {
		rows, err := dec.Decode(msg(c.db, c.table))
		if err != nil || len(rows) != c.want {
			t.Errorf("%s.%s: %d rows (%v), want %d", c.db, c.table, len(rows), err, c.want)
		}
	}
	f, _ := formats.Lookup(canal.Name)
	if _, err := formats.ParseOptions(f, map[string]string{"table.include": "a("}); err == nil {
		t.Error("an invalid regular expression was accepted")
	}
	if _, err := formats.ParseOptions(f, map[string]string{"mysql.server-time-zone": "Mars/Olympus"}); err == nil {
		t.Error("an unknown time zone was accepted")
	}
}

func TestDDLAndParseErrors(t *testing.T) {
	msgs := cdctest.Lines(t, filepath.Join("testdata", "canal-flat.jsonl"))
	ddl := msgs[4]
	skip, _ := cdctest.Codec(t, canal.Name, nil)
	if rows, err := skip.Decode(ddl); err != nil || len(rows) != 0 {
		t.Errorf("skip: %v %v", rows, err)
	}
	fail, _ := cdctest.Codec(t, canal.Name, map[string]string{"ddl.handling": "fail", "ignore-parse-errors": "true"})
	if _, err := fail.Decode(ddl); !errors.Is(err, cdc.ErrDDL) || !strings.Contains(err.Error(), "ALTER TABLE orders") {
		t.Errorf("fail: %v", err)
	}
	bad := map[string]string{
		`{"data":[{"id":"1"}],"database":"d","table":"t","type":"UPSERT"}`:               `unknown type "UPSERT"`,
		`{"data":{"id":"1"},"database":"d","table":"t","type":"INSERT"}`:                 "data: want an array",
		`{"data":[1],"database":"d","table":"t","type":"INSERT"}`:                        "data[0]: want an object",
		`{"data":[{"id":"1"}],"database":7,"table":"t","type":"INSERT"}`:                 "database: want a string",
		`{"data":[{"id":"1"}],"database":"d","table":"t","type":"INSERT","es":"x"}`:      "es: want an integer",
		`{"data":[{"id":"1"}],"database":"d","table":"t","type":"INSERT","pkNames":[1]}`: "pkNames: want strings",
		`{"data":[{"id":"1"}]`: "byte offset",
	}
	strict, _ := cdctest.Codec(t, canal.Name, nil)
	lenient, _ := cdctest.Codec(t, canal.Name, map[string]string{"canal-json.ignore-parse-errors": "true"})
	for m, want := range bad {
		if _, err := strict.Decode([]byte(m)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error mentioning %q", m, err, want)
		}
		if rows, err := lenient.Decode([]byte(m)); err != nil || rows != nil {
			t.Errorf("%s with ignore-parse-errors: %v %v", m, rows, err)
		}
	}
	// Canal leaves out the old image of a row none of whose columns changed: its before image is
	// its data.
	rows, err := strict.Decode([]byte(`{"data":[{"id":"1"}],"database":"d","table":"t","type":"UPDATE"}`))
	if err != nil || len(rows) != 2 || rows[0].Op != formats.UpdateBefore ||
		!rows[0].Value.(*connect.Struct).Equal(rows[1].Value.(*connect.Struct)) {
		t.Errorf("UPDATE without old: %v %v", rows, err)
	}
}

func TestEncodeGroupsRuns(t *testing.T) {
	s := connect.StructBuilder().Optional().
		Field("id", connect.Int32Schema).Field("flag", connect.OptionalBooleanSchema).
		Field("at", connect.NewSchemaBuilder(connect.TypeString).Name(cdc.DebeziumZonedTimestamp).Optional().MustBuild()).
		MustBuild()
	mk := func(op formats.Op, table string, id int32, flag bool) formats.Row {
		return formats.Row{Op: op, Database: "d", Table: table, Schema: s, PrimaryKey: []string{"id"},
			Value: connect.NewStruct(s).MustPut("id", id).MustPut("flag", flag).MustPut("at", "2024-07-01T16:00:00Z")}
	}
	rows := []formats.Row{
		mk(formats.Insert, "a", 1, true), mk(formats.Insert, "a", 2, false), mk(formats.Insert, "b", 3, true),
		mk(formats.UpdateBefore, "a", 1, true), mk(formats.UpdateAfter, "a", 1, false),
		mk(formats.UpdateBefore, "a", 2, false), mk(formats.UpdateAfter, "a", 2, true),
		mk(formats.UpdateAfter, "a", 9, true), // unpaired: an update without a before image
		mk(formats.Delete, "a", 1, false),
		{DDL: "DROP TABLE b", Database: "d", Table: "b"},
	}
	_, enc := cdctest.Codec(t, canal.Name, map[string]string{"mysql.server-time-zone": "America/New_York"})
	out, err := enc.Encode(rows)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"data":[{"id":"1","flag":"1","at":"2024-07-01 12:00:00.000000"},{"id":"2","flag":"0","at":"2024-07-01 12:00:00.000000"}],"database":"d","es":0,"id":0,"isDdl":false,"mysqlType":{"id":"int(11)","flag":"bit(1)","at":"timestamp(6)"},"old":null,"pkNames":["id"],"sql":"","sqlType":{"id":4,"flag":-7,"at":93},"table":"a","ts":0,"type":"INSERT"}`,
		`"data":[{"id":"3","flag":"1","at":"2024-07-01 12:00:00.000000"}],"database":"d"`,
		`"data":[{"id":"1","flag":"0","at":"2024-07-01 12:00:00.000000"},{"id":"2","flag":"1","at":"2024-07-01 12:00:00.000000"},{"id":"9","flag":"1","at":"2024-07-01 12:00:00.000000"}],`,
		`"type":"DELETE"`,
		`{"data":null,"database":"d","es":0,"id":0,"isDdl":true,"mysqlType":null,"old":null,"pkNames":null,"sql":"DROP TABLE b","sqlType":null,"table":"b","ts":0,"type":"ERASE"}`,
	}
	if len(out) != len(want) {
		t.Fatalf("%d messages, want %d:\n%s", len(out), len(want), bytes.Join(out, []byte("\n")))
	}
	for i, w := range want {
		if !bytes.Contains(out[i], []byte(w)) {
			t.Errorf("message %d:\n%s\nwant it to contain\n%s", i, out[i], w)
		}
	}
	// The update without a before image has an empty old element: no column is known to have
	// changed.
	if !bytes.Contains(out[2], []byte(`"old":[{"flag":"1"},{"flag":"0"},{}]`)) || !bytes.Contains(out[2], []byte(`"type":"UPDATE"`)) {
		t.Errorf("UPDATE old should hold only the changed columns: %s", out[2])
	}
	// The instants come back in the server's zone.
	dec, _ := cdctest.Codec(t, canal.Name, map[string]string{"infer-schema.strategy": "MYSQL_TYPE",
		"mysql.treat-mysql-timestamp-as-datetime-enabled": "false", "mysql.server-time-zone": "America/New_York"})
	back, err := dec.Decode(out[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := back[0].Value.(*connect.Struct).Get("at"); got != "2024-07-01T16:00:00Z" {
		t.Errorf("instant read back as %v", got)
	}
}

func TestConverterArrayOfEnvelopes(t *testing.T) {
	p, err := connect.LookupType("canal-json", connect.PluginConverter)
	if err != nil || p.Class != canal.ConverterClass {
		t.Fatalf("lookup: %v %v", p.Class, err)
	}
	c := p.New().(connect.Converter)
	if err := c.Configure(map[string]string{"canal-json.infer-schema.strategy": "MYSQL_TYPE"}, false); err != nil {
		t.Fatal(err)
	}
	msgs := cdctest.Lines(t, filepath.Join("testdata", "canal-flat.jsonl"))
	sv, err := c.ToConnectData("t", nil, msgs[1]) // UPDATE of two rows
	if err != nil {
		t.Fatal(err)
	}
	arr, ok := sv.Value.([]any)
	if !ok || len(arr) != 2 || sv.Schema.Type != connect.TypeArray {
		t.Fatalf("got %s %T", sv.Schema, sv.Value)
	}
	if err := connect.ValidateValue(sv.Schema, sv.Value); err != nil {
		t.Fatal(err)
	}
	e := arr[1].(*connect.Struct)
	src := e.GetStruct("source")
	if e.Get("op") != "u" || e.GetStruct("before").Get("active") != false || e.GetStruct("after").Get("active") != true ||
		src.Get("db") != "shop" || src.Get("table") != "orders" || src.Get("connector") != "canal" || src.Get("id") != int64(13) {
		t.Errorf("envelope %v", e)
	}
	// As Debezium defines them: ts_ms is when Canal processed the change (ts), source.ts_ms when
	// MySQL executed it (es).
	if e.Get("ts_ms") != int64(1706843200611) || src.Get("ts_ms") != int64(1706843200000) {
		t.Errorf("envelope ts_ms %v, source.ts_ms %v; want Canal's ts and es", e.Get("ts_ms"), src.Get("ts_ms"))
	}
	out, err := c.FromConnectData("t", nil, sv.Schema, sv.Value)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, msgs[1]) {
		t.Errorf("FromConnectData:\n got %s\nwant %s", out, msgs[1])
	}
	if sv, err := c.ToConnectData("t", nil, msgs[3]); err != nil || sv.Value != nil {
		t.Errorf("skipped DDL: %v %v", sv, err)
	}
}
