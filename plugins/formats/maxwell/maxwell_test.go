package maxwell_test

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
	"github.com/raftconnect/raftconnect/plugins/formats/maxwell"
)

func TestEventTypes(t *testing.T) {
	dec, _ := cdctest.Codec(t, maxwell.Name, map[string]string{"ddl.handling": "surface"})
	msgs := cdctest.Lines(t, filepath.Join("testdata", "maxwell.jsonl"))
	var ops []string
	for _, m := range msgs {
		rows, err := dec.Decode(m)
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, r := range rows {
			if r.DDL != "" {
				s = append(s, "DDL")
			} else {
				s = append(s, r.Op.String())
			}
		}
		ops = append(ops, strings.Join(s, "+"))
	}
	// insert, insert, update, update, delete, bootstrap-start, bootstrap-insert,
	// bootstrap-complete, table-alter, database-create
	want := "+I|+I|-U+ +U|-U+ +U|-D||+I||DDL|DDL"
	if got := strings.Join(ops, "|"); got != strings.ReplaceAll(want, "+ +", "++") {
		t.Errorf("got %s\nwant %s", got, strings.ReplaceAll(want, "+ +", "++"))
	}
}

func TestTimestamps(t *testing.T) {
	dec, _ := cdctest.Codec(t, maxwell.Name, map[string]string{"ddl.handling": "surface"})
	for m, want := range map[string]time.Time{
		`{"database":"d","table":"t","type":"insert","ts":1477053217,"data":{"id":1}}`:                          time.Unix(1477053217, 0),
		`{"database":"d","table":"t","type":"insert","ts":1477053217,"ts_ms":1477053217123,"data":{}}`:          time.UnixMilli(1477053217123),
		`{"type":"table-create","database":"d","table":"t","ts":1477053126000,"sql":"create table t (id int)"}`: time.UnixMilli(1477053126000),
	} {
		rows, err := dec.Decode([]byte(m))
		if err != nil || len(rows) != 1 || !rows[0].Timestamp.Equal(want) {
			t.Errorf("%s: %v %v, want ts %v", m, rows, err, want)
		}
	}
}

func TestErrorsAndDDL(t *testing.T) {
	bad := map[string]string{
		`{"database":"d","table":"t","type":"upsert","ts":1,"data":{}}`:                            `unknown type "upsert"`,
		`{"database":"d","table":"t","ts":1,"data":{}}`:                                            "no type",
		`{"database":"d","table":"t","type":"insert","ts":1}`:                                      "without a data object",
		`{"database":"d","table":"t","type":"insert","ts":1.5,"data":{}}`:                          "ts: want an integer",
		`{"database":"d","table":"t","type":"update","ts":1,"data":{},"old":3}`:                    "old: want an object",
		`{"database":1,"table":"t","type":"insert","ts":1,"data":{}}`:                              "database: want a string",
		`{"database":"d","table":"t","type":"insert","ts":1,"data":{},"primary_key_columns":"id"}`: "primary_key_columns: want an array",
		`{"database":"d"`: "byte offset",
		`[]`:              "want a JSON object",
	}
	strict, _ := cdctest.Codec(t, maxwell.Name, nil)
	lenient, _ := cdctest.Codec(t, maxwell.Name, map[string]string{"maxwell-json.ignore-parse-errors": "true"})
	for m, want := range bad {
		if _, err := strict.Decode([]byte(m)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error mentioning %q", m, err, want)
		}
		if rows, err := lenient.Decode([]byte(m)); err != nil || rows != nil {
			t.Errorf("%s with ignore-parse-errors: %v %v", m, rows, err)
		}
	}
	ddl := []byte(`{"type":"table-drop","database":"d","table":"t","ts":1,"sql":"DROP TABLE t"}`)
	if rows, err := strict.Decode(ddl); err != nil || rows != nil {
		t.Errorf("DDL skipped by default: %v %v", rows, err)
	}
	fail, _ := cdctest.Codec(t, maxwell.Name, map[string]string{"ddl.handling": "fail", "ignore-parse-errors": "true"})
	if _, err := fail.Decode(ddl); !errors.Is(err, cdc.ErrDDL) {
		t.Errorf("ddl.handling=fail: %v", err)
	}
	for _, m := range []string{"", "null", " "} {
		if rows, err := strict.Decode([]byte(m)); err != nil || rows != nil {
			t.Errorf("tombstone %q: %v %v", m, rows, err)
		}
	}
}

func TestEncode(t *testing.T) {
	s := connect.StructBuilder().Optional().
		Field("id", connect.Int64Schema).
		Field("ts", connect.TimestampSchema().Optional().MustBuild()).
		Field("day", connect.NewSchemaBuilder(connect.TypeInt32).Name(cdc.DebeziumDate).Optional().MustBuild()).
		Field("amount", connect.DecimalSchema(3).Optional().MustBuild()).
		Field("raw", connect.OptionalBytesSchema).
		Field("doc", connect.NewSchemaBuilder(connect.TypeString).Name(cdc.DebeziumJSON).Optional().MustBuild()).
		MustBuild()
	mk := func(op formats.Op, amount int64) formats.Row {
		return formats.Row{Op: op, Database: "d", Table: "t", Schema: s, PrimaryKey: []string{"id"},
			Timestamp: time.Date(2024, 3, 1, 10, 0, 0, 900000000, time.UTC),
			Value: connect.NewStruct(s).MustPut("id", int64(5)).
				MustPut("ts", time.Date(2024, 3, 1, 10, 0, 0, 250000000, time.UTC)).MustPut("day", int32(19783)).
				MustPut("amount", connect.NewDecimal(amount, 3)).MustPut("raw", []byte{1, 2}).MustPut("doc", `{"k": [1]}`)}
	}
	for std, data := range map[string]string{
		"SQL":      `"data":{"id":5,"ts":"2024-03-01 10:00:00.25","day":"2024-03-01","amount":1.500,"raw":"AQI=","doc":{"k":[1]}}`,
		"ISO-8601": `"data":{"id":5,"ts":"2024-03-01T10:00:00.25","day":"2024-03-01","amount":1.500,"raw":"AQI=","doc":{"k":[1]}}`,
	} {
		_, enc := cdctest.Codec(t, maxwell.Name, map[string]string{"timestamp-format.standard": std})
		out, err := enc.Encode([]formats.Row{mk(formats.UpdateBefore, 1000), mk(formats.UpdateAfter, 1500), mk(formats.UpdateAfter, 2000), mk(formats.UpdateBefore, 1)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 3 {
			t.Fatalf("%s: %d messages, want 3 (update, unpaired +U, unpaired -U)", std, len(out))
		}
		want := `{"database":"d","table":"t","type":"update","ts":1709287200,"primary_key":[5],"primary_key_columns":["id"],` + data + `,"old":{"amount":1.000}}`
		if string(out[0]) != want {
			t.Errorf("%s:\n got %s\nwant %s", std, out[0], want)
		}
		// The unpaired +U is an update whose before image is unknown: no old. The unpaired -U
		// is a delete.
		if !strings.Contains(string(out[1]), `"type":"update"`) || strings.Contains(string(out[1]), `"old"`) ||
			!strings.Contains(string(out[2]), `"type":"delete"`) {
			t.Errorf("%s: unpaired rows: %s / %s", std, out[1], out[2])
		}
	}
}

func TestConverter(t *testing.T) {
	p, err := connect.LookupType(maxwell.Name, connect.PluginConverter)
	if err != nil || p.Class != maxwell.ConverterClass {
		t.Fatalf("%v %v", p.Class, err)
	}
	c := p.New().(connect.Converter)
	if err := c.Configure(map[string]string{"infer-schema.exact-decimal": "true"}, false); err != nil {
		t.Fatal(err)
	}
	msgs := cdctest.Lines(t, filepath.Join("testdata", "maxwell.jsonl"))
	sv, err := c.ToConnectData("t", nil, msgs[2])
	if err != nil {
		t.Fatal(err)
	}
	e := sv.Value.(*connect.Struct)
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	src := e.GetStruct("source")
	if e.Get("op") != "u" || src.Get("xid") != int64(9002) || src.Get("commit") != true || src.Get("connector") != "maxwell" ||
		e.GetStruct("before").Get("note") != nil || e.GetStruct("after").Get("note") != "rush" || e.Get("ts_ms") != int64(1706843200000) {
		t.Errorf("envelope %v", e)
	}
	out, err := c.FromConnectData("t", nil, sv.Schema, sv.Value)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != string(msgs[2]) {
		t.Errorf("FromConnectData:\n got %s\nwant %s", out, msgs[2])
	}
	if sv, err := c.ToConnectData("t", nil, msgs[5]); err != nil || sv.Value != nil {
		t.Errorf("bootstrap-start: %v %v", sv, err)
	}
}
