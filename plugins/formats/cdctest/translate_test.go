package cdctest_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
	_ "github.com/raftconnect/raftconnect/plugins/formats/canal"
	"github.com/raftconnect/raftconnect/plugins/formats/cdctest"
	_ "github.com/raftconnect/raftconnect/plugins/formats/debezium"
	_ "github.com/raftconnect/raftconnect/plugins/formats/maxwell"
)

// A variant is one CDC format with the options a pipeline would use, and a file holding the same
// changes (an insert of two rows, an update, a delete of shop.orders) the way its producer
// writes them.
type variant struct {
	name, format, file string
	options            map[string]string
	// typed: column types survive (the format carries them); pk: the primary key does.
	typed, pk bool
}

var variants = []variant{
	{name: "debezium-schema", format: "debezium-json", file: "debezium-schema.jsonl", typed: true,
		options: map[string]string{"debezium-json.schema-include": "true"}},
	{name: "debezium", format: "debezium-json", file: "debezium.jsonl",
		options: map[string]string{"debezium-json.infer-schema.exact-decimal": "true"}},
	{name: "canal", format: "canal-json", file: "canal.jsonl", typed: true, pk: true,
		options: map[string]string{
			"canal-json.infer-schema.strategy": "MYSQL_TYPE",
			// MySQL TIMESTAMP columns as instants, as Debezium reads them.
			"canal-json.mysql.treat-mysql-timestamp-as-datetime-enabled": "false",
		}},
	{name: "maxwell", format: "maxwell-json", file: "maxwell.jsonl", pk: true,
		options: map[string]string{"maxwell-json.infer-schema.exact-decimal": "true"}},
}

// lossy lists the translations whose rows are not expected to compare equal, and why; their
// output is still pinned by a golden file.
var lossy = map[[2]string]string{
	{"debezium-schema", "debezium"}: "without a schema Debezium's logical types are their raw encodings (epoch days, epoch ms)",
}

// TestTranslate translates the changes of every variant into every variant (each source message
// encoded on its own, as a pipeline does) and checks the rows the target decodes: the same
// operations, tables, event times (to the second, Maxwell's precision) and values (compared as
// text), the same primary keys where both formats carry them, and the same kinds of column types
// where both are typed. Every translation is also pinned by a golden file.
func TestTranslate(t *testing.T) {
	for _, from := range variants {
		for _, to := range variants {
			t.Run(from.name+"-to-"+to.name, func(t *testing.T) {
				srcDec, _ := cdctest.Codec(t, from.format, from.options)
				dstDec, dstEnc := cdctest.Codec(t, to.format, to.options)
				msgs := cdctest.Lines(t, filepath.Join("testdata", from.file))
				want := cdctest.DecodeAll(t, srcDec, msgs)
				out := cdctest.EncodeAll(t, srcDec, dstEnc, msgs)
				got := cdctest.DecodeAll(t, dstDec, out)

				c := cdctest.Canonical{Timestamp: time.Second, PrimaryKey: from.pk && to.pk, Classes: from.typed && to.typed}
				var g strings.Builder
				for _, m := range out {
					fmt.Fprintf(&g, "%s\n", m)
				}
				g.WriteString("--- decoded\n")
				g.WriteString(c.Render(t, got))
				cdctest.Golden(t, filepath.Join("testdata", "translate", from.name+"-to-"+to.name+".golden"), g.String())

				if why, ok := lossy[[2]string{from.name, to.name}]; ok {
					t.Logf("not compared: %s", why)
					return
				}
				if w, g := c.Render(t, want), c.Render(t, got); w != g {
					t.Errorf("rows differ after translation\n got:\n%s\nwant:\n%s", g, w)
				}
			})
		}
	}
}

// TestCanalMultiRowToDebezium: one Canal message with two inserted rows becomes two Debezium
// messages, and a Canal update becomes one "u" message holding both images.
func TestCanalMultiRowToDebezium(t *testing.T) {
	dec, _ := cdctest.Codec(t, "canal-json", map[string]string{"infer-schema.strategy": "MYSQL_TYPE"})
	dbzDec, enc := cdctest.Codec(t, "debezium-json", nil)
	msgs := cdctest.Lines(t, filepath.Join("testdata", "canal.jsonl"))

	rows, err := dec.Decode(msgs[0])
	if err != nil {
		t.Fatal(err)
	}
	out, err := enc.Encode(rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || len(out) != 2 {
		t.Fatalf("2-row insert: %d rows became %d Debezium messages, want 2 and 2", len(rows), len(out))
	}
	for i, m := range out {
		got, err := dbzDec.Decode(m)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Op != formats.Insert || !bytes.Contains(m, []byte(`"op":"c"`)) {
			t.Errorf("message %d: want one create, got %s", i, m)
		}
		if id := got[0].Value.(interface{ Get(string) any }).Get("id"); id != int64(i+1) {
			t.Errorf("message %d holds id %v, want %d", i, id, i+1)
		}
	}

	rows, err = dec.Decode(msgs[1])
	if err != nil {
		t.Fatal(err)
	}
	out, err = enc.Encode(rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || !bytes.Contains(out[0], []byte(`"op":"u"`)) {
		t.Fatalf("update: want one \"u\" message, got %q", out)
	}
	got, err := dbzDec.Decode(out[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Op != formats.UpdateBefore || got[1].Op != formats.UpdateAfter {
		t.Fatalf("update decodes to %s, want -U +U", cdctest.Dump(got))
	}
	// The before image is the data row with old's columns put over it; the decimal comes back
	// exact, with its scale.
	before := got[0].Value.(interface{ Get(string) any })
	if p, ok := before.Get("price").(connect.Decimal); before.Get("note") != nil || !ok || p.String() != "12.34" {
		t.Errorf("before image: note=%v price=%v, want null and the decimal 12.34", before.Get("note"), before.Get("price"))
	}
}

// TestDebeziumRowsToOneCanalMessage: rows of consecutive Debezium inserts of one table, encoded
// together, become one Canal message; an update pair becomes one UPDATE whose old holds only the
// changed columns.
func TestDebeziumRowsToOneCanalMessage(t *testing.T) {
	dec, _ := cdctest.Codec(t, "debezium-json", nil)
	canalDec, enc := cdctest.Codec(t, "canal-json", map[string]string{"infer-schema.strategy": "MYSQL_TYPE"})
	msgs := cdctest.Lines(t, filepath.Join("testdata", "debezium-schema.jsonl"))
	rows := cdctest.DecodeAll(t, dec, msgs)
	out, err := enc.Encode(rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 {
		t.Fatalf("insert, insert, update, delete became %d Canal messages, want 3 (INSERT of 2 rows, UPDATE, DELETE):\n%s", len(out), bytes.Join(out, []byte("\n")))
	}
	for i, want := range []string{`"type":"INSERT"`, `"type":"UPDATE"`, `"type":"DELETE"`} {
		if !bytes.Contains(out[i], []byte(want)) {
			t.Errorf("message %d: want %s in %s", i, want, out[i])
		}
	}
	if !bytes.Contains(out[1], []byte(`"old":[{"price":"12.34","updated":"2024-01-02 03:04:05.123456","note":null}]`)) {
		t.Errorf("UPDATE's old should hold exactly the changed columns: %s", out[1])
	}
	got := cdctest.DecodeAll(t, canalDec, out)
	c := cdctest.Canonical{Timestamp: time.Second}
	if g, w := c.Render(t, got), c.Render(t, rows); g != w {
		t.Errorf("got\n%s\nwant\n%s", g, w)
	}
}
