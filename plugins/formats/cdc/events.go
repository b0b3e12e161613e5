package cdc

import (
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
	// SchemaChange is a DDL statement surfaced as a row with Row.DDL set.
	SchemaChange
)

// Event is one change event: an insert, a delete, an update with its before and after image, or
// a DDL statement. Encoders of every CDC format work on events.
type Event struct {
	Kind EventKind
	// Before is set for Update and Delete, After for Create and Update, DDL for SchemaChange.
	Before, After, DDL *formats.Row
}

// Row returns the row that carries the event's metadata (after image, else before, else DDL).
func (e *Event) Row() *formats.Row {
	switch {
	case e.After != nil:
		return e.After
	case e.Before != nil:
		return e.Before
	}
	return e.DDL
}

// Events groups rows into change events. An UpdateBefore row immediately followed by an
// UpdateAfter row of the same table is one Update. Rows that arrive unpaired take Flink's
// changelog form: a lone UpdateAfter is a Create, a lone UpdateBefore is a Delete (the row as it
// was stops existing, the row as it is starts to).
func Events(rows []formats.Row) []Event {
	out := make([]Event, 0, len(rows))
	for i := 0; i < len(rows); i++ {
		r := &rows[i]
		if r.DDL != "" {
			out = append(out, Event{Kind: SchemaChange, DDL: r})
			continue
		}
		switch r.Op {
		case formats.Insert, formats.UpdateAfter:
			out = append(out, Event{Kind: Create, After: r})
		case formats.Delete:
			out = append(out, Event{Kind: Delete, Before: r})
		case formats.UpdateBefore:
			if i+1 < len(rows) && rows[i+1].Op == formats.UpdateAfter && rows[i+1].DDL == "" &&
				rows[i+1].Database == r.Database && rows[i+1].Table == r.Table {
				out = append(out, Event{Kind: Update, Before: r, After: &rows[i+1]})
				i++
				continue
			}
			out = append(out, Event{Kind: Delete, Before: r})
		default:
			// An unknown op is a programming error upstream; keep it visible as a create.
			out = append(out, Event{Kind: Create, After: r})
		}
	}
	return out
}

// RowStruct returns a row's value as a struct of its schema, accepting a schemaless
// map[string]any (its schema is inferred from the Go values).
func RowStruct(r *formats.Row) (*connect.Struct, error) {
	switch v := r.Value.(type) {
	case nil:
		return nil, nil
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
