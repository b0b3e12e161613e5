package formats

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
)

func TestEncodeInsertOnly(t *testing.T) {
	calls := 0
	enc := InsertOnly("fmt", func(r *Row) ([]byte, error) {
		calls++
		if r.Value == "bad" {
			return nil, fmt.Errorf("bad value")
		}
		return []byte(fmt.Sprint(r.Value)), nil
	})
	for _, tc := range []struct {
		name string
		rows []Row
		want string // the messages, or "err: ..."
	}{
		{"insert", []Row{{Op: Insert, Value: "a"}}, `["a"]`},
		{"update pair: the before image is skipped", []Row{{Op: UpdateBefore, Value: "old"}, {Op: UpdateAfter, Value: "new"}}, `["new"]`},
		{"tombstone", []Row{{Op: Insert}}, `[nil]`},
		{"delete", []Row{{Op: Delete, Value: "a"}}, "err: fmt cannot hold a -D (delete) row: the format is insert-only"},
		{"delete among others names the row", []Row{{Op: Insert, Value: "a"}, {Op: Delete, Value: "a"}},
			"err: row 2: fmt cannot hold a -D (delete) row: the format is insert-only"},
		{"DDL", []Row{{DDL: "ALTER TABLE t ADD c INT"}}, `err: fmt cannot hold a schema change (DDL "ALTER TABLE t ADD c INT")`},
		{"encoder error", []Row{{Value: "a"}, {Value: "bad"}}, "err: row 2: bad value"},
	} {
		msgs, err := enc.Encode(tc.rows)
		var got string
		if err != nil {
			got = "err: " + err.Error()
		} else {
			var parts []string
			for _, m := range msgs {
				if m == nil {
					parts = append(parts, "nil")
				} else {
					parts = append(parts, fmt.Sprintf("%q", m))
				}
			}
			got = "[" + strings.Join(parts, " ") + "]"
		}
		if got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
	if calls != 5 {
		t.Errorf("encodeRow called %d times, want 5 (never for skipped, refused or empty rows)", calls)
	}
}

func TestRowWidener(t *testing.T) {
	w := NewRowWidener()
	rows := []Row{
		{Value: map[string]any{"v": int64(5)}},
		{Value: map[string]any{"v": 5.5, "note": "x"}},
		{Value: map[string]any{"v": nil}},
		{Value: []any{int64(1)}}, // not an object: passes unchanged
		{Database: "db", Table: "t", Value: map[string]any{"v": "other table"}},
		{},                    // tombstone
		{DDL: "DROP TABLE t"}, // DDL
		{Value: map[string]any{}, Schema: connect.OptionalStringSchema}, // a map with a schema is typed already
	}
	if err := w.Widen(rows); err != nil {
		t.Fatal(err)
	}
	last := w.Schema("", "")
	if got := FormatColumns(last); got != "v DOUBLE, note STRING" {
		t.Fatalf("table schema = %s", got)
	}
	if last.Name != "" {
		t.Errorf("inferred schema is named %q; want it unnamed", last.Name)
	}
	// Every row after a change carries the table's schema at that point; the last one the widest.
	for i, want := range []string{"v BIGINT", "v DOUBLE, note STRING", "v DOUBLE, note STRING"} {
		if got := FormatColumns(rows[i].Schema); got != want {
			t.Errorf("row %d schema = %s, want %s", i, got, want)
		}
		if st, ok := rows[i].Value.(*connect.Struct); !ok || st.Schema() != rows[i].Schema {
			t.Errorf("row %d value = %#v, want a struct of its schema", i, rows[i].Value)
		}
	}
	if rows[2].Schema != last || rows[2].Value.(*connect.Struct).Get("v") != nil {
		t.Errorf("row 2 = %v", rows[2].Value)
	}
	if _, ok := rows[3].Value.([]any); !ok || rows[3].Schema != nil {
		t.Errorf("array row changed: %v %v", rows[3].Schema, rows[3].Value)
	}
	if got := FormatColumns(rows[4].Schema); got != "v STRING" {
		t.Errorf("other table's schema = %s", got)
	}
	if rows[5].Value != nil || rows[6].Value != nil || rows[7].Schema != connect.OptionalStringSchema {
		t.Error("a tombstone, DDL or typed map row was changed")
	}

	err := w.Widen([]Row{{Value: map[string]any{"a": 1}}, {Database: "db", Table: "t", Value: map[string]any{"c": make(chan int)}}})
	if err == nil || !strings.Contains(err.Error(), "row 2") || !strings.Contains(err.Error(), "table db.t") || !strings.Contains(err.Error(), "field c") {
		t.Errorf("error = %v; want one naming the row, table and field", err)
	}
}

func TestRowWidenerConcurrent(t *testing.T) {
	w := NewRowWidener()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				rows := []Row{{Value: map[string]any{"id": int64(i), fmt.Sprintf("c%d", g): "x"}}}
				if err := w.Widen(rows); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if got := FormatColumns(w.Schema("", "")); !strings.Contains(got, "id BIGINT") || strings.Count(got, "STRING") != 4 {
		t.Errorf("schema after concurrent rows = %s", got)
	}
}

// test-schemaful requires schemas, as avro does without avro.schema: it writes the row's columns
// and the value.
type schemafulCodec struct{}

func (schemafulCodec) RequiresSchema() bool { return true }

func (schemafulCodec) Encode(rows []Row) ([][]byte, error) {
	return EncodeInsertOnly("test-schemaful", rows, func(r *Row) ([]byte, error) {
		st, ok := r.Value.(*connect.Struct)
		if !ok {
			return nil, fmt.Errorf("schemaless value")
		}
		return []byte(FormatColumns(r.Schema) + " = " + st.String()), nil
	})
}

func init() {
	Register(Format{Name: "test-schemaful", NewEncoder: func(*connect.Config) (Encoder, error) { return schemafulCodec{}, nil }})
}

func TestRowConverterWidensSchemalessValues(t *testing.T) {
	c := NewRowConverter("test-schemaful")
	if err := c.Configure(nil, false); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		topic string
		value any
		want  string
	}{
		{"a", map[string]any{"v": int64(5)}, "v BIGINT = Struct{v=5}"},
		{"a", map[string]any{"v": 5.5}, "v DOUBLE = Struct{v=5.5}"},
		{"b", map[string]any{"v": true}, "v BOOLEAN = Struct{v=true}"}, // per topic
		{"a", map[string]any{"w": "x"}, "v DOUBLE, w STRING = Struct{w=x}"},
	} {
		b, err := c.FromConnectData(tc.topic, nil, nil, tc.value)
		if err != nil || string(b) != tc.want {
			t.Errorf("FromConnectData(%s, %v) = %q, %v; want %q", tc.topic, tc.value, b, err, tc.want)
		}
	}
}
