package cdc

import (
	"errors"
	"fmt"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// EventKind is the kind of one change event: what a Debezium envelope's op says.
type EventKind uint8

// Event kinds.
const (
	Create EventKind = iota
	Update
	Delete
	// SchemaChange is a DDL statement surfaced as a row (see IsDDL).
	SchemaChange
	// Tombstone is a row without a value: what a Kafka null value, an Avro null under a
	// ["null", record] schema or a JsonConverter null payload decodes to. It carries no image,
	// so it is no insert, update or delete; each encoder documents what it writes for one.
	Tombstone
)

// Event is one change event: an insert, a delete, an update with its before and after image, a
// DDL statement, or a tombstone. Encoders of every CDC format work on events.
type Event struct {
	Kind EventKind
	// After is set for Create and Update, Before for Delete and for an Update whose before
	// image is known (nil when the producer did not write it, as Debezium's PostgreSQL connector
	// does without REPLICA IDENTITY FULL). DDL is set for SchemaChange, Null for Tombstone.
	Before, After, DDL, Null *formats.Row
}

// Row returns the row that carries the event's metadata (after image, else before, else the
// DDL or tombstone row).
func (e *Event) Row() *formats.Row {
	switch {
	case e.After != nil:
		return e.After
	case e.Before != nil:
		return e.Before
	case e.DDL != nil:
		return e.DDL
	}
	return e.Null
}

// SourceDDL is the Row.Source key under which MarkDDL marks a schema-change row. Its value has a
// type of this package's own, which no JSON member or Connect struct field decodes to, so a
// message cannot forge the mark; encoders never write it.
const SourceDDL = "cdc.ddl"

type ddlMark struct{}

// MarkDDL marks r as a schema-change row, so that it is one even when its statement is empty
// (a Canal DDL message with "sql":"", a Debezium schema change with "ddl":""): Row.DDL alone
// cannot tell an empty statement from a data row.
func MarkDDL(r *formats.Row) {
	if r.Source == nil {
		r.Source = map[string]any{}
	}
	r.Source[SourceDDL] = ddlMark{}
}

// IsDDL reports whether r is a schema-change row: its DDL is set, or MarkDDL marked it.
func IsDDL(r *formats.Row) bool {
	if r.DDL != "" {
		return true
	}
	_, ok := r.Source[SourceDDL].(ddlMark)
	return ok
}

// Events groups rows into change events. A DDL row (IsDDL) is a SchemaChange and a row without
// a value a Tombstone, whatever their Op. An UpdateBefore row immediately followed by an
// UpdateAfter row of the same table is one Update. An UpdateAfter row without one before it is
// an Update whose before image is unknown (Debezium's "u" with "before": null): the change was
// an update, and every CDC format can say so. A lone UpdateBefore row takes Flink's changelog
// form, a Delete (the row as it was stops existing; no format can carry an update without its
// after image).
func Events(rows []formats.Row) []Event {
	out := make([]Event, 0, len(rows))
	for i := 0; i < len(rows); i++ {
		r := &rows[i]
		if IsDDL(r) {
			out = append(out, Event{Kind: SchemaChange, DDL: r})
			continue
		}
		if isNull(r.Value) {
			out = append(out, Event{Kind: Tombstone, Null: r})
			continue
		}
		switch r.Op {
		case formats.Insert:
			out = append(out, Event{Kind: Create, After: r})
		case formats.UpdateAfter:
			out = append(out, Event{Kind: Update, After: r})
		case formats.Delete:
			out = append(out, Event{Kind: Delete, Before: r})
		case formats.UpdateBefore:
			if i+1 < len(rows) {
				n := &rows[i+1]
				if n.Op == formats.UpdateAfter && !IsDDL(n) && !isNull(n.Value) &&
					n.Database == r.Database && n.Table == r.Table {
					out = append(out, Event{Kind: Update, Before: r, After: n})
					i++
					continue
				}
			}
			out = append(out, Event{Kind: Delete, Before: r})
		default:
			// An unknown op is a programming error upstream; keep it visible as a create.
			out = append(out, Event{Kind: Create, After: r})
		}
	}
	return out
}

// isNull reports a missing row value, including a typed nil struct or map.
func isNull(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case *connect.Struct:
		return x == nil
	case map[string]any:
		return x == nil
	}
	return false
}

// ErrNoValue is returned (wrapped) by RowStruct for a row without a value.
var ErrNoValue = errors.New("row has no value (a tombstone)")

// RowStruct returns a row's value as a struct of its schema, accepting a schemaless
// map[string]any (its schema is inferred from the Go values). A row without a value is an
// ErrNoValue error: Events makes such rows Tombstones, which carry no image.
func RowStruct(r *formats.Row) (*connect.Struct, error) {
	if isNull(r.Value) {
		return nil, ErrNoValue
	}
	switch v := r.Value.(type) {
	case *connect.Struct:
		return v, nil
	case map[string]any:
		_, x, err := FromGo(v)
		if err != nil {
			return nil, err
		}
		return x.(*connect.Struct), nil
	}
	return nil, fmt.Errorf("row value is %T; a change row must be a struct or a JSON object", r.Value)
}

// Changed returns the indexes of the fields whose values differ between before and after,
// compared by field name (before's schema may list the fields in another order). A field that
// after lacks counts as changed.
func Changed(before, after *connect.Struct) []int {
	var out []int
	bs, as := before.Schema(), after.Schema()
	for i, f := range bs.Fields {
		var av any
		if af := as.Field(f.Name); af != nil {
			av = after.RawIndex(af.Index)
		} else if before.RawIndex(i) == nil {
			continue
		}
		if !connect.ValuesEqual(before.RawIndex(i), av) {
			out = append(out, i)
		}
	}
	return out
}

// ProcessedAt returns when the producer processed a row's change (Debezium's envelope ts_ms,
// Canal's ts), as opposed to Row.Timestamp, when the change happened in the database
// (Debezium's source.ts_ms, Canal's es, Maxwell's ts). Maxwell writes no processing time, nor do
// rows of other formats: ok is false for them.
func ProcessedAt(r *formats.Row) (ms int64, ok bool) {
	switch f, _ := r.Source[SourceFormat].(string); f {
	case "debezium-json":
		ms, ok = r.Source["ts_ms"].(int64)
	case "canal-json":
		ms, ok = r.Source["ts"].(int64)
	}
	return ms, ok
}

// Overlay returns a copy of data with the members of old put over it: the before image of an
// update in Canal and Maxwell, whose old object holds only the changed columns.
func Overlay(data *connect.Struct, old *Node, convert func(f *connect.Field, n *Node) (any, error)) (*connect.Struct, error) {
	s := data.Schema()
	out := connect.NewStruct(s)
	for i := range s.Fields {
		if v := data.RawIndex(i); v != nil {
			if err := out.PutIndex(i, v); err != nil {
				return nil, err
			}
		}
	}
	if old == nil || old.Kind == Null {
		return out, nil
	}
	if old.Kind != Object {
		return nil, fmt.Errorf("old image is a JSON %s, want an object", old.Kind)
	}
	for j := range old.Members {
		m := &old.Members[j]
		f := s.Field(m.Key)
		if f == nil {
			return nil, fmt.Errorf("old column %q is not in the row", m.Key)
		}
		v, err := convert(f, &m.Value)
		if err != nil {
			return nil, fmt.Errorf("old column %q: %w", m.Key, err)
		}
		if err := out.PutIndex(f.Index, v); err != nil {
			return nil, fmt.Errorf("old column %q: %w", m.Key, err)
		}
	}
	return out, nil
}
