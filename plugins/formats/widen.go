package formats

import (
	"fmt"
	"sync"

	"github.com/raftconnect/raftconnect/connect"
)

// SchemaRequirer is implemented by encoders that cannot write a schemaless row as configured —
// avro and avro-confluent without a configured schema, csv without csv.schema — so that callers
// holding schemaless rows (`worker convert`, RowConverter) know to give them a schema first,
// with a RowWidener.
type SchemaRequirer interface {
	// RequiresSchema reports whether every row must carry a schema (a *connect.Struct value).
	RequiresSchema() bool
}

// RequiresSchema reports whether enc is a SchemaRequirer that requires schemas.
func RequiresSchema(enc Encoder) bool {
	r, ok := enc.(SchemaRequirer)
	return ok && r.RequiresSchema()
}

// RowWidener gives the rows of a stream one schema per table that widens as rows disagree,
// with the rules of Inferrer (Flink CDC's schema evolution): a field new in a row becomes a new
// optional column, a field a row lacks is null, and a column whose types differ widens to their
// nearest common parent. Schemaless rows (a map[string]any value: JSON without a schema) get the
// table's inferred schema; typed rows (a *connect.Struct value, such as CDC rows whose types one
// message inferred) are converted to the table's widened schema, which is their own as long as
// it never changes. Encoders that derive a writer schema from the row's (avro, avro-confluent)
// then write one schema per table that evolves compatibly, instead of one unrelated schema per
// message.
//
// A row's table is its Database and Table (one table for plain formats). An inferred schema is
// unnamed (a typed table keeps its first schema's name): a name made up from the table could
// be one an Avro reader rejects, and renaming a record later would break compatibility. Rows
// without a value, DDL rows and values other than objects (a JSON array or scalar) pass
// unchanged. A RowWidener is safe for concurrent use.
type RowWidener struct {
	mu     sync.Mutex
	tables map[[2]string]*Inferrer
}

// NewRowWidener returns a RowWidener with no tables yet.
func NewRowWidener() *RowWidener {
	return &RowWidener{tables: map[[2]string]*Inferrer{}}
}

// Widen sets the schema and value of each row in place. An error (a value of a Go type that has
// no Connect type) names the row when there are several, and leaves the rows after it as they
// were.
func (w *RowWidener) Widen(rows []Row) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range rows {
		r := &rows[i]
		if r.DDL != "" {
			continue
		}
		switch r.Value.(type) {
		case map[string]any:
			if r.Schema != nil {
				continue
			}
		case *connect.Struct:
		default:
			continue
		}
		if err := w.widen(r); err != nil {
			err = tableError(r, err)
			if len(rows) > 1 {
				return fmt.Errorf("row %d: inferring its schema: %w", i+1, err)
			}
			return fmt.Errorf("inferring the row's schema: %w", err)
		}
	}
	return nil
}

func (w *RowWidener) widen(r *Row) error {
	key := [2]string{r.Database, r.Table}
	inf, ok := w.tables[key]
	if !ok {
		inf = &Inferrer{}
		w.tables[key] = inf
	}
	s, _, err := inf.Observe(r.Value)
	if err != nil {
		return err
	}
	st, err := inf.Convert(r.Value)
	if err != nil {
		return err
	}
	r.Schema, r.Value = s, st
	return nil
}

// Schema returns the current schema of a table (database and table as in Row), or nil.
func (w *RowWidener) Schema(database, table string) *connect.Schema {
	w.mu.Lock()
	defer w.mu.Unlock()
	if inf, ok := w.tables[[2]string{database, table}]; ok {
		return inf.Schema()
	}
	return nil
}
