package debezium_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
	"github.com/raftconnect/raftconnect/plugins/formats/cdc"
	"github.com/raftconnect/raftconnect/plugins/formats/cdctest"
	"github.com/raftconnect/raftconnect/plugins/formats/debezium"
)

func TestTombstones(t *testing.T) {
	dec, _ := cdctest.Codec(t, debezium.Name, nil)
	for _, m := range []string{"", "  \n", "null", `{"schema":null,"payload":null}`, `{"schema":{"type":"struct","optional":false},"payload":null}`} {
		var data []byte
		if m != "" {
			data = []byte(m)
		}
		rows, err := dec.Decode(data)
		if err != nil || len(rows) != 0 {
			t.Errorf("%q: got %d rows, %v; want a tombstone (no rows)", m, len(rows), err)
		}
	}
}

func TestDDLHandling(t *testing.T) {
	msgs := cdctest.Lines(t, filepath.Join("testdata", "mysql-schemaless.jsonl"))
	truncate, schemaChange := msgs[4], msgs[5]
	for _, mode := range []string{"skip", "surface", "fail"} {
		for _, ignore := range []string{"false", "true"} {
			dec, _ := cdctest.Codec(t, debezium.Name, map[string]string{"ddl.handling": mode, "ignore-parse-errors": ignore})
			for name, m := range map[string][]byte{"truncate": truncate, "schema change": schemaChange} {
				rows, err := dec.Decode(m)
				switch mode {
				case "skip":
					if err != nil || len(rows) != 0 {
						t.Errorf("%s/%s: got %d rows, %v; want none", mode, name, len(rows), err)
					}
				case "surface":
					if err != nil || len(rows) != 1 || rows[0].DDL == "" || rows[0].Value != nil {
						t.Errorf("%s/%s: got %v, %v; want one DDL row", mode, name, rows, err)
					}
				case "fail":
					// ignore-parse-errors does not swallow a DDL the user asked to fail on.
					if !errors.Is(err, cdc.ErrDDL) {
						t.Errorf("%s/%s ignore=%s: got %v, want ErrDDL", mode, name, ignore, err)
					}
				}
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		`{"before":null,"after":{"id":1},"op":"c"`:  "byte offset",
		`{"before":null,"after":null,"op":"c"}`:     "without an after image",
		`{"before":null,"after":{"id":1},"op":"x"}`: `unknown op "x"`,
		`{"before":null,"after":{"id":1}}`:          "no op",
		`{"before":null,"after":null,"op":"d"}`:     "REPLICA IDENTITY FULL",
		`{"before":null,"after":[1],"op":"c"}`:      "JSON objects",
		`{"before":null,"after":{"id":1},"op":7}`:   "op: want a string",
		`[1,2]`: "want a JSON object",
		`{"before":null,"after":{"id":1},"source":"s","op":"c"}`:     "source: want an object",
		`{"schema":{"type":"nope"},"payload":{"op":"c","after":{}}}`: `unknown type "nope"`,
		`{"schema":{"type":"struct","fields":[{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":true,"field":"after"}],"optional":false},"payload":{"after":{"id":null},"op":"c"}}`: "null for a required int32",
		`{"schema":{"type":"struct","fields":[{"type":"struct","fields":[{"type":"int8","optional":true,"field":"n"}],"optional":true,"field":"after"}],"optional":false},"payload":{"after":{"n":300},"op":"c"}}`:      "does not fit 8 bits",
	}
	strict, _ := cdctest.Codec(t, debezium.Name, nil)
	lenient, _ := cdctest.Codec(t, debezium.Name, map[string]string{"debezium-json.ignore-parse-errors": "true"})
	for m, want := range cases {
		_, err := strict.Decode([]byte(m))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got error %v, want one mentioning %q", m, err, want)
		}
		if rows, err := lenient.Decode([]byte(m)); err != nil || len(rows) != 0 {
			t.Errorf("%s with ignore-parse-errors: got %d rows, %v; want it skipped", m, len(rows), err)
		}
	}
}

// connectRow is a row of Kafka Connect's own logical types, as a non-Debezium decoder or a
// converter hands it over.
func connectRow(t *testing.T, op formats.Op) formats.Row {
	t.Helper()
	s := connect.StructBuilder().Name("shop.items.Value").Optional().
		Field("id", connect.Int32Schema).
		Field("price", connect.DecimalSchema(2).Optional().MustBuild()).
		Field("day", connect.DateSchema().Optional().MustBuild()).
		Field("at", connect.TimeSchema().Optional().MustBuild()).
		Field("ts", connect.TimestampSchema().Optional().MustBuild()).
		MustBuild()
	st := connect.NewStruct(s).MustPut("id", int32(7)).MustPut("price", connect.NewDecimal(1999, 2)).
		MustPut("day", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)).
		MustPut("at", time.Date(1970, 1, 1, 13, 14, 15, 500000000, time.UTC)).
		MustPut("ts", time.Date(2024, 2, 29, 13, 14, 15, 123000000, time.UTC))
	return formats.Row{Op: op, Schema: s, Value: st, Database: "shop", Table: "items", PrimaryKey: []string{"id"},
		Timestamp: time.UnixMilli(1709212455000).UTC()}
}

func TestEncodeTimestampStandard(t *testing.T) {
	for std, want := range map[string]string{
		"SQL":      `"after":{"id":7,"price":19.99,"day":"2024-02-29","at":"13:14:15.5","ts":"2024-02-29 13:14:15.123"}`,
		"ISO-8601": `"after":{"id":7,"price":19.99,"day":"2024-02-29","at":"13:14:15.5","ts":"2024-02-29T13:14:15.123"}`,
	} {
		_, enc := cdctest.Codec(t, debezium.Name, map[string]string{"timestamp-format.standard": std})
		out, err := enc.Encode([]formats.Row{connectRow(t, formats.Insert)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 1 || !strings.Contains(string(out[0]), want) {
			t.Errorf("%s: got %s\nwant it to contain %s", std, out, want)
		}
		if !strings.Contains(string(out[0]), `"source":{"connector":null,"ts_ms":1709212455000,"db":"shop","table":"items"}`) {
			t.Errorf("%s: the source block should say where the row came from: %s", std, out[0])
		}
	}
}

func TestEncodeWithSchemaRoundTripsConnectTypes(t *testing.T) {
	for _, opt := range []string{"debezium-json.schema-include", "debezium-json.include-schema.enabled"} {
		dec, enc := cdctest.Codec(t, debezium.Name, map[string]string{opt: "true"})
		in := connectRow(t, formats.Insert)
		out, err := enc.Encode([]formats.Row{in})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(out[0]), `{"schema":{"type":"struct","fields":[{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"field":"price"}`) {
			t.Errorf("%s: schema part: %s", opt, out[0])
		}
		if !strings.Contains(string(out[0]), `"after":{"id":7,"price":"B88=","day":19782,"at":47655500,"ts":1709212455123}`) {
			t.Errorf("%s: payload in JsonConverter form: %s", opt, out[0])
		}
		rows, err := dec.Decode(out[0])
		if err != nil {
			t.Fatal(err)
		}
		got, want := rows[0].Value.(*connect.Struct), in.Value.(*connect.Struct)
		for _, f := range want.Schema().Fields {
			if !connect.ValuesEqual(got.Get(f.Name), want.Get(f.Name)) {
				t.Errorf("%s: %s came back as %v, want %v", opt, f.Name, got.Get(f.Name), want.Get(f.Name))
			}
		}
		if rows[0].Database != "shop" || rows[0].Table != "items" || !rows[0].Timestamp.Equal(in.Timestamp) {
			t.Errorf("%s: metadata %s.%s %v", opt, rows[0].Database, rows[0].Table, rows[0].Timestamp)
		}
	}
}

func TestEncodeChangelogForms(t *testing.T) {
	_, enc := cdctest.Codec(t, debezium.Name, nil)
	I, UB, UA, D := formats.Insert, formats.UpdateBefore, formats.UpdateAfter, formats.Delete
	cases := []struct {
		ops  []formats.Op
		want []string
	}{
		{[]formats.Op{I}, []string{`"before":null,"after":{`, `"op":"c"`}},
		{[]formats.Op{D}, []string{`"after":null`, `"op":"d"`}},
		{[]formats.Op{UB, UA}, []string{`"before":{`, `"after":{`, `"op":"u"`}},
		// A lone +U is an update whose before image is unknown, as PostgreSQL writes it.
		{[]formats.Op{UA}, []string{`"before":null,"after":{`, `"op":"u"`}},
		{[]formats.Op{UB}, []string{`"after":null`, `"op":"d"`}},
	}
	for _, c := range cases {
		var rows []formats.Row
		for _, op := range c.ops {
			rows = append(rows, connectRow(t, op))
		}
		out, err := enc.Encode(rows)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 1 {
			t.Fatalf("%v: %d messages, want 1", c.ops, len(out))
		}
		for _, w := range c.want {
			if !strings.Contains(string(out[0]), w) {
				t.Errorf("%v: %s lacks %s", c.ops, out[0], w)
			}
		}
	}
}

func TestEncodeForeignDDL(t *testing.T) {
	dec, enc := cdctest.Codec(t, debezium.Name, map[string]string{"ddl.handling": "surface"})
	ddl := formats.Row{DDL: "ALTER TABLE t ADD c INT", Database: "shop", Table: "t", Timestamp: time.UnixMilli(1000).UTC(),
		Source: map[string]any{cdc.SourceFormat: "canal-json", "type": "ALTER"}}
	out, err := enc.Encode([]formats.Row{ddl})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"source":{"connector":"mysql","ts_ms":1000,"db":"shop","table":"t"},"databaseName":"shop","schemaName":null,"ddl":"ALTER TABLE t ADD c INT","tableChanges":[]}`
	if string(out[0]) != want {
		t.Errorf("got  %s\nwant %s", out[0], want)
	}
	rows, err := dec.Decode(out[0])
	if err != nil || len(rows) != 1 || rows[0].DDL != ddl.DDL || rows[0].Database != "shop" {
		t.Errorf("decoded back: %v %v", rows, err)
	}
}

func TestConverter(t *testing.T) {
	for _, name := range []string{debezium.Name, debezium.ConverterClass, "DebeziumJsonConverter", "DebeziumJson"} {
		if _, err := connect.LookupType(name, connect.PluginConverter); err != nil {
			t.Errorf("converter %q: %v", name, err)
		}
	}
	p, _ := connect.Lookup(debezium.Name)
	c := p.New().(connect.Converter)
	if err := c.Configure(map[string]string{"schema-include": "true", "ddl.handling": "surface"}, false); err != nil {
		t.Fatal(err)
	}
	msgs := cdctest.Lines(t, filepath.Join("testdata", "mysql-schema.jsonl"))

	sv, err := c.ToConnectData("orders", nil, msgs[2]) // the update
	if err != nil {
		t.Fatal(err)
	}
	env, ok := sv.Value.(*connect.Struct)
	if !ok || sv.Schema.Name != "dbserver1.inventory.orders.Envelope" {
		t.Fatalf("got %s %T, want the envelope struct", sv.Schema, sv.Value)
	}
	if err := env.Validate(); err != nil {
		t.Fatal(err)
	}
	if env.Get("op") != "u" || env.GetStruct("before") == nil || env.GetStruct("after") == nil ||
		env.GetStruct("source").Get("file") != "mysql-bin.000003" ||
		// ts_ms is when Debezium processed the change, source.ts_ms when MySQL made it.
		env.Get("ts_ms") != int64(1706843200789) || env.GetStruct("source").Get("ts_ms") != int64(1706843200000) {
		t.Errorf("envelope %v", env)
	}
	if got := env.GetStruct("after").Get("note"); got != "rush" {
		t.Errorf("after.note = %v", got)
	}
	back, err := c.FromConnectData("orders", nil, sv.Schema, sv.Value)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.ToConnectData("orders", nil, back)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Value.(*connect.Struct).GetStruct("after").Equal(env.GetStruct("after")) ||
		again.Value.(*connect.Struct).Get("op") != "u" {
		t.Errorf("FromConnectData → ToConnectData changed the envelope:\n%v\n%v", again.Value, env)
	}

	sv, err = c.ToConnectData("orders", nil, msgs[4]) // the truncate, surfaced
	if err != nil || sv.Schema.Name != cdc.SchemaChangeName || sv.Value.(*connect.Struct).Get("ddl") != "TRUNCATE TABLE inventory.orders" {
		t.Errorf("truncate: %v %v", sv.Value, err)
	}
	if sv, err := c.ToConnectData("orders", nil, nil); err != nil || sv.Value != nil || sv.Schema != nil {
		t.Errorf("tombstone: %v %v", sv, err)
	}
	if b, err := c.FromConnectData("orders", nil, nil, nil); err != nil || b != nil {
		t.Errorf("null value: %v %v", b, err)
	}
	if _, err := c.FromConnectData("orders", nil, connect.StringSchema, "x"); err == nil {
		t.Error("a string value was accepted as a change event")
	}
	_, err = c.ToConnectData("orders", nil, []byte(`{"op":"c"`))
	var de *connect.DataError
	if !errors.As(err, &de) {
		t.Errorf("malformed message: %v, want a DataError", err)
	}
}
