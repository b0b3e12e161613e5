package cdctest_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
	"github.com/raftconnect/raftconnect/plugins/formats/cdc"
	"github.com/raftconnect/raftconnect/plugins/formats/cdctest"
)

// targets are the encoders every test below writes with: each CDC format, Debezium also with
// its schema.
var targets = []struct {
	name, format string
	options      map[string]string
}{
	{"debezium", "debezium-json", nil},
	{"debezium-schema", "debezium-json", map[string]string{"debezium-json.schema-include": "true"}},
	{"canal", "canal-json", nil},
	{"maxwell", "maxwell-json", nil},
}

func encoder(t *testing.T, format string, options map[string]string) formats.Encoder {
	t.Helper()
	_, enc := cdctest.Codec(t, format, options)
	return enc
}

// TestRowsWithoutValue: a row without a value, as the avro formats decode a null (a ["null",
// record] union's null, a Confluent Avro null), is a tombstone: Debezium writes a nil message
// (Kafka's tombstone), Canal and Maxwell write nothing, and no encoder fails or panics. The rows
// around it are written as usual.
func TestRowsWithoutValue(t *testing.T) {
	s := connect.StructBuilder().Optional().Field("id", connect.OptionalInt64Schema).MustBuild()
	data := func(op formats.Op, id int64) formats.Row {
		return formats.Row{Op: op, Database: "d", Table: "t", Schema: s, Value: connect.NewStruct(s).MustPut("id", id)}
	}
	var nilStruct *connect.Struct
	null := []formats.Row{
		{Op: formats.Insert, Database: "d", Table: "t", Schema: s},                   // avro null
		{Op: formats.Delete, Database: "d", Table: "t", Schema: s, Value: nilStruct}, // a typed nil
		{Op: formats.UpdateBefore, Database: "d", Table: "t"},
		{Op: formats.UpdateAfter, Database: "d", Table: "t"},
	}
	want := map[string]int{"debezium": 1, "debezium-schema": 1, "canal": 0, "maxwell": 0}
	for _, tg := range targets {
		enc := encoder(t, tg.format, tg.options)
		for i, r := range null {
			out, err := enc.Encode([]formats.Row{r})
			if err != nil {
				t.Errorf("%s: row %d: %v", tg.name, i, err)
				continue
			}
			if len(out) != want[tg.name] || (len(out) == 1 && out[0] != nil) {
				t.Errorf("%s: row %d (%s without a value) encodes to %q, want %d nil messages", tg.name, i, r.Op, out, want[tg.name])
			}
		}
		// Between rows: the tombstone is its own (nil) message or nothing, never part of an
		// update or a Canal message.
		out, err := enc.Encode([]formats.Row{data(formats.UpdateBefore, 1), null[3], data(formats.Insert, 2)})
		if err != nil {
			t.Fatalf("%s: %v", tg.name, err)
		}
		var kinds []string
		for _, m := range out {
			switch {
			case m == nil:
				kinds = append(kinds, "tombstone")
			case bytes.Contains(m, []byte(`"op":"d"`)), bytes.Contains(m, []byte(`"type":"DELETE"`)), bytes.Contains(m, []byte(`"type":"delete"`)):
				kinds = append(kinds, "delete")
			default:
				kinds = append(kinds, "insert")
			}
		}
		wantKinds := "delete tombstone insert"
		if want[tg.name] == 0 {
			wantKinds = "delete insert"
		}
		if got := strings.Join(kinds, " "); got != wantKinds {
			t.Errorf("%s: -U, null +U, +I encode to %s, want %s:\n%s", tg.name, got, wantKinds, bytes.Join(out, []byte("\n")))
		}
	}
}

// TestEmptyDDL: a DDL message whose statement is empty stays a DDL message with an empty
// statement through every format, instead of becoming a data row (which crashed the encoders)
// or taking its type name as the statement.
func TestEmptyDDL(t *testing.T) {
	sources := []struct {
		name, format, msg string
		// want is what the source format writes back.
		want string
	}{
		{"debezium", "debezium-json", `{"ddl":""}`,
			`{"source":null,"databaseName":"","schemaName":null,"ddl":"","tableChanges":[]}`},
		{"canal", "canal-json",
			`{"data":null,"database":"d","es":1000,"id":1,"isDdl":true,"mysqlType":null,"old":null,"pkNames":null,"sql":"","sqlType":null,"table":"t","ts":2000,"type":"QUERY"}`,
			`{"data":null,"database":"d","es":1000,"id":1,"isDdl":true,"mysqlType":null,"old":null,"pkNames":null,"sql":"","sqlType":null,"table":"t","ts":2000,"type":"QUERY"}`},
		{"maxwell", "maxwell-json", `{"database":"d","table":"t","type":"table-alter","ts":1700000000000,"sql":""}`,
			`{"database":"d","table":"t","type":"table-alter","ts":1700000000000,"sql":""}`},
	}
	surface := func(format string, o map[string]string) map[string]string {
		out := map[string]string{format + ".ddl.handling": "surface"}
		for k, v := range o {
			out[k] = v
		}
		return out
	}
	for _, src := range sources {
		dec, enc := cdctest.Codec(t, src.format, surface(src.format, nil))
		rows, err := dec.Decode([]byte(src.msg))
		if err != nil {
			t.Fatalf("%s: %v", src.name, err)
		}
		if len(rows) != 1 || !cdc.IsDDL(&rows[0]) || rows[0].DDL != "" {
			t.Fatalf("%s: decodes to %s, want one DDL row with an empty statement", src.name, cdctest.Dump(rows))
		}
		out, err := enc.Encode(rows)
		if err != nil || len(out) != 1 || string(out[0]) != src.want {
			t.Errorf("%s re-encoded: %q %v\nwant %s", src.name, out, err, src.want)
		}
		// The Connect converter face keeps the empty statement too.
		p, err := connect.Lookup(src.format)
		if err != nil {
			t.Fatal(err)
		}
		c := p.New().(connect.Converter)
		if err := c.Configure(map[string]string{"ddl.handling": "surface"}, false); err != nil {
			t.Fatal(err)
		}
		sv, err := c.ToConnectData("t", nil, []byte(src.msg))
		if err != nil || sv.Schema == nil || sv.Schema.Name != cdc.SchemaChangeName || sv.Value.(*connect.Struct).Get("ddl") != "" {
			t.Errorf("%s converter: %v %v, want a SchemaChange with an empty ddl", src.name, sv.Value, err)
		} else if b, err := c.FromConnectData("t", nil, sv.Schema, sv.Value); err != nil || string(b) != src.want {
			t.Errorf("%s converter: FromConnectData %s %v, want %s", src.name, b, err, src.want)
		}
		for _, tg := range targets {
			tdec, tenc := cdctest.Codec(t, tg.format, surface(tg.format, tg.options))
			out, err := tenc.Encode(rows)
			if err != nil || len(out) != 1 {
				t.Errorf("%s to %s: %q %v", src.name, tg.name, out, err)
				continue
			}
			back, err := tdec.Decode(out[0])
			if err != nil || len(back) != 1 || !cdc.IsDDL(&back[0]) || back[0].DDL != "" {
				t.Errorf("%s to %s: %s decodes to %s %v, want an empty DDL row", src.name, tg.name, out[0], cdctest.Dump(back), err)
			}
		}
	}
}

// TestExactNumbers: by default numbers keep every digit and their written scale through
// same-format and cross-format round trips (a DECIMAL(20,2) of 12345678901234567.89 used to come
// back as 1.2345678901234568E16, a 1.10 as 1.1); exact-decimal=false still types them as DOUBLE.
func TestExactNumbers(t *testing.T) {
	sources := []struct{ name, format, msg string }{
		{"maxwell", "maxwell-json",
			`{"database":"d","table":"t","type":"insert","ts":1700000000,"data":{"id":1,"big":12345678901234567.89,"scaled":1.10,"small":-0.000100,"huge":123456789012345678901234567890}}`},
		{"debezium", "debezium-json",
			`{"before":null,"after":{"id":1,"big":12345678901234567.89,"scaled":1.10,"small":-0.000100,"huge":123456789012345678901234567890},"source":{"connector":"mysql","ts_ms":1700000000000,"db":"d","table":"t"},"op":"c","ts_ms":1700000000000}`},
		// Flink's canal-json writes typed JSON numbers; AUTO inference reads them.
		{"canal", "canal-json",
			`{"data":[{"id":1,"big":12345678901234567.89,"scaled":1.10,"small":-0.000100,"huge":123456789012345678901234567890}],"database":"d","es":1700000000000,"id":0,"isDdl":false,"mysqlType":null,"old":null,"pkNames":null,"sql":"","sqlType":null,"table":"t","ts":1700000000000,"type":"INSERT"}`},
	}
	want := map[string]string{"big": "12345678901234567.89", "scaled": "1.10", "small": "-0.000100", "huge": "123456789012345678901234567890"}
	for _, src := range sources {
		dec, enc := cdctest.Codec(t, src.format, nil)
		rows, err := dec.Decode([]byte(src.msg))
		if err != nil {
			t.Fatalf("%s: %v", src.name, err)
		}
		if src.name != "canal" {
			// Canal writes its values as strings; the others write the message back as it came.
			out, err := enc.Encode(rows)
			if err != nil || len(out) != 1 || string(out[0]) != src.msg {
				t.Errorf("%s re-encoded:\n got %q %v\nwant %s", src.name, out, err, src.msg)
			}
		}
		for _, tg := range targets {
			tdec, tenc := cdctest.Codec(t, tg.format, tg.options)
			out, err := tenc.Encode(rows)
			if err != nil || len(out) != 1 {
				t.Fatalf("%s to %s: %q %v", src.name, tg.name, out, err)
			}
			// There and back: the source format writes the same numbers.
			again, err := tdec.Decode(out[0])
			if err != nil {
				t.Fatalf("%s to %s: %v\n%s", src.name, tg.name, err, out[0])
			}
			back, err := enc.Encode(again)
			if err != nil || len(back) != 1 {
				t.Fatalf("%s to %s and back: %q %v", src.name, tg.name, back, err)
			}
			for col, text := range want {
				if got := columnText(t, again, col); got != text {
					t.Errorf("%s to %s: %s decodes as %s, want %s\n%s", src.name, tg.name, col, got, text, out[0])
				}
				if tg.name != "debezium-schema" && !bytes.Contains(out[0], []byte(text)) {
					t.Errorf("%s to %s: %s is not written as %s:\n%s", src.name, tg.name, col, text, out[0])
				}
				if !bytes.Contains(back[0], []byte(text)) {
					t.Errorf("%s to %s and back: %s is not written as %s:\n%s", src.name, tg.name, col, text, back[0])
				}
			}
		}
	}
	// The option still turns exactness off.
	dec, enc := cdctest.Codec(t, "maxwell-json", map[string]string{"maxwell-json.infer-schema.exact-decimal": "false"})
	rows, err := dec.Decode([]byte(sources[0].msg))
	if err != nil {
		t.Fatal(err)
	}
	if f := rows[0].Value.(*connect.Struct).Get("scaled"); f != 1.1 {
		t.Errorf("exact-decimal=false: scaled is %v (%T), want the double 1.1", f, f)
	}
	if out, err := enc.Encode(rows); err != nil || !bytes.Contains(out[0], []byte(`"big":1.2345678901234568E16,"scaled":1.1,`)) {
		t.Errorf("exact-decimal=false: %q %v", out, err)
	}
}

// columnText is a column's value of the single row in rows as Canal would write it.
func columnText(t *testing.T, rows []formats.Row, col string) string {
	t.Helper()
	if len(rows) != 1 {
		t.Fatalf("%d rows, want 1", len(rows))
	}
	st, err := cdc.RowStruct(&rows[0])
	if err != nil {
		t.Fatal(err)
	}
	f := st.Schema().Field(col)
	if f == nil {
		t.Fatalf("no column %s in %s", col, st.Schema())
	}
	b, err := cdc.AppendText(nil, f.Schema, st.RawIndex(f.Index), cdc.TextStyle{})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestUpdateWithoutBefore: Debezium's PostgreSQL connector writes an update without REPLICA
// IDENTITY FULL as "op":"u" with "before":null. It stays an update: Debezium writes it back
// unchanged, Canal as an UPDATE whose old element is empty, Maxwell as an update without old.
func TestUpdateWithoutBefore(t *testing.T) {
	msg := `{"before":null,"after":{"id":1,"name":"a"},"source":{"version":"2.7.3.Final","connector":"postgresql","name":"pg","ts_ms":1700000000000,"db":"shop","schema":"public","table":"t"},"op":"u","ts_ms":1700000000500}`
	dec, _ := cdctest.Codec(t, "debezium-json", nil)
	rows, err := dec.Decode([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"debezium":        {msg},
		"debezium-schema": {`"payload":{"before":null,"after":{"id":1,"name":"a"},`, `"op":"u","ts_ms":1700000000500}}`},
		"canal":           {`"old":[{}]`, `"type":"UPDATE"`},
		"maxwell":         {`"type":"update"`, `"data":{"id":1,"name":"a"}}`},
	}
	for _, tg := range targets {
		tdec, tenc := cdctest.Codec(t, tg.format, tg.options)
		out, err := tenc.Encode(rows)
		if err != nil || len(out) != 1 {
			t.Fatalf("%s: %q %v", tg.name, out, err)
		}
		for _, w := range want[tg.name] {
			if !bytes.Contains(out[0], []byte(w)) {
				t.Errorf("%s: %s\nwant it to contain %s", tg.name, out[0], w)
			}
		}
		if bytes.Contains(out[0], []byte(`"op":"c"`)) || bytes.Contains(out[0], []byte(`INSERT`)) ||
			bytes.Contains(out[0], []byte(`"insert"`)) || bytes.Contains(out[0], []byte(`"old":{`)) {
			t.Errorf("%s: the update became something else: %s", tg.name, out[0])
		}
		back, err := tdec.Decode(out[0])
		if err != nil || len(back) == 0 || back[len(back)-1].Op != formats.UpdateAfter {
			t.Errorf("%s: %s decodes to %s %v, want an update", tg.name, out[0], cdctest.Dump(back), err)
		}
	}
	// The Connect converter face says the same: op u, before null, and back.
	p, err := connect.Lookup("debezium-json")
	if err != nil {
		t.Fatal(err)
	}
	c := p.New().(connect.Converter)
	if err := c.Configure(nil, false); err != nil {
		t.Fatal(err)
	}
	sv, err := c.ToConnectData("t", nil, []byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	env := sv.Value.(*connect.Struct)
	if env.Get("op") != "u" || env.Get("before") != nil || env.GetStruct("after") == nil || env.Get("ts_ms") != int64(1700000000500) {
		t.Errorf("envelope %v", env)
	}
	b, err := c.FromConnectData("t", nil, sv.Schema, sv.Value)
	if err != nil || string(b) != msg {
		t.Errorf("FromConnectData:\n got %s %v\nwant %s", b, err, msg)
	}
}

// TestEventTimes: each format's times keep their meaning in translation. Canal's es and
// Maxwell's ts are when MySQL executed the change, as Debezium's source.ts_ms is; Canal's ts is
// when Canal processed it, as Debezium's envelope ts_ms is. Maxwell writes no processing time, so
// its event time stands in for one.
func TestEventTimes(t *testing.T) {
	canalMsg := `{"data":[{"id":"1"}],"database":"d","es":1700000000000,"id":1,"isDdl":false,"mysqlType":{"id":"int"},"old":null,"pkNames":["id"],"sql":"","sqlType":{"id":4},"table":"t","ts":1700000002500,"type":"INSERT"}`
	canalDDL := `{"data":null,"database":"d","es":1700000000000,"id":1,"isDdl":true,"mysqlType":null,"old":null,"pkNames":null,"sql":"ALTER TABLE t ADD c INT","sqlType":null,"table":"t","ts":1700000002500,"type":"ALTER"}`
	dbzMsg := `{"before":null,"after":{"id":1},"source":{"connector":"mysql","ts_ms":1700000000000,"db":"d","table":"t"},"op":"c","ts_ms":1700000002500}`
	maxwellMsg := `{"database":"d","table":"t","type":"insert","ts":1700000000,"data":{"id":1}}`
	type times struct{ event, processed int64 } // epoch ms; Maxwell's seconds ×1000
	cases := []struct {
		from, msg, to string
		want          times
	}{
		{"canal-json", canalMsg, "debezium-json", times{1700000000000, 1700000002500}},
		{"canal-json", canalDDL, "debezium-json", times{1700000000000, 1700000002500}},
		{"canal-json", canalMsg, "maxwell-json", times{1700000000000, 0}},
		{"debezium-json", dbzMsg, "canal-json", times{1700000000000, 1700000002500}},
		{"debezium-json", dbzMsg, "maxwell-json", times{1700000000000, 0}},
		{"maxwell-json", maxwellMsg, "debezium-json", times{1700000000000, 1700000000000}},
		{"maxwell-json", maxwellMsg, "canal-json", times{1700000000000, 1700000000000}},
	}
	for _, c := range cases {
		dec, _ := cdctest.Codec(t, c.from, map[string]string{c.from + ".ddl.handling": "surface"})
		enc := encoder(t, c.to, nil)
		rows, err := dec.Decode([]byte(c.msg))
		if err != nil {
			t.Fatal(err)
		}
		out, err := enc.Encode(rows)
		if err != nil || len(out) != 1 {
			t.Fatalf("%s to %s: %q %v", c.from, c.to, out, err)
		}
		var got times
		var m struct {
			TsMs   *int64 `json:"ts_ms"`
			Ts     *int64 `json:"ts"`
			Es     *int64 `json:"es"`
			Source *struct {
				TsMs *int64 `json:"ts_ms"`
			} `json:"source"`
		}
		if err := json.Unmarshal(out[0], &m); err != nil {
			t.Fatal(err)
		}
		v := func(p *int64) int64 {
			if p == nil {
				return -1 // absent
			}
			return *p
		}
		switch c.to {
		case "debezium-json":
			if m.Source == nil {
				t.Fatalf("%s to %s: no source block: %s", c.from, c.to, out[0])
			}
			got = times{v(m.Source.TsMs), v(m.TsMs)}
		case "canal-json":
			got = times{v(m.Es), v(m.Ts)}
		case "maxwell-json":
			got = times{v(m.Ts) * int64(time.Second/time.Millisecond), 0}
		}
		if got != c.want {
			t.Errorf("%s to %s: event time %d, processed %d; want %d, %d\n%s", c.from, c.to, got.event, got.processed, c.want.event, c.want.processed, out[0])
		}
	}
}

// TestExactMetadata: numbers in a message's metadata (Maxwell's members, Debezium's source and
// transaction blocks) come back digit for digit, whatever the row inference options say.
func TestExactMetadata(t *testing.T) {
	for _, c := range []struct{ format, msg string }{
		{"maxwell-json", `{"database":"d","table":"t","type":"insert","ts":1700000000,"xid":18446744073709551615,"commit":true,"big":1E+3,"weight":1.50,"data":{"id":1}}`},
		{"debezium-json", `{"before":null,"after":{"id":1},"source":{"connector":"mysql","ts_ms":1700000000000,"db":"d","table":"t","lsn":18446744073709551615,"lag":0.250},"transaction":{"id":"x","total_order":1.0},"op":"c","ts_ms":1700000000000}`},
	} {
		for _, exact := range []string{"true", "false"} {
			dec, enc := cdctest.Codec(t, c.format, map[string]string{c.format + ".infer-schema.exact-decimal": exact})
			rows, err := dec.Decode([]byte(c.msg))
			if err != nil {
				t.Fatal(err)
			}
			out, err := enc.Encode(rows)
			want := strings.Replace(c.msg, "1E+3", "1000", 1) // the same number, in plain notation
			if err != nil || len(out) != 1 || string(out[0]) != want {
				t.Errorf("%s (exact-decimal=%s):\n got %q %v\nwant %s", c.format, exact, out, err, want)
			}
		}
	}
}
