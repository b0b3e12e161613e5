// Package formats holds raftconnect's data formats and their registry. Every format has two
// faces: a row-level Decoder/Encoder that the Kafka plugins and the `worker convert` command use,
// and a connect.Converter that workers select with `key.converter` / `value.converter`.
//
// Each format lives in its own subpackage and registers itself from init(); importing
// plugins/formats/all brings in every format.
//
// The package also holds what several formats share, so that they agree to the byte:
//
//   - text of dates and times as Flink writes them, by `*.timestamp-format.standard`
//     (TimestampFormat, AppendDate/Time/Timestamp/TimestampLTZ, ParseDate/Time/Timestamp,
//     ParseTimestampAny, DefineTimestampFormatOption);
//   - exact decimals (ParseDecimalScale, AppendDecimal, RescaleDecimal, RoundDecimal,
//     DecimalPrecision, DecimalDigits); Java's text of floats is package javatext;
//   - conversion of values between schemaless Go values and Connect schemas (Coerce, ToStruct,
//     StructToMap, StructToSparseMap, Schemaless);
//   - values as text and JSON, in the style each format needs (AppendText, AppendJSON, and
//     AppendTextStyle and AppendJSONStyle with a RenderStyle and a LogicalRenderer for a
//     format's own logical types; AppendQuoted with a producer's Quoting; AppendJSONFloat);
//   - column lists in Flink SQL syntax (ParseColumns, ParseType, FormatColumns, FormatType);
//   - schema inference with Flink CDC's widening rules (Inferrer, TableInferrer, InferSchema,
//     WidenSchemas), and RowWidener, which gives the rows of a stream one widening schema per
//     table for encoders that require schemas (SchemaRequirer);
//   - the policy of insert-only formats (json, csv, avro, avro-confluent, protobuf, raw) for
//     change rows: EncodeInsertOnly and InsertOnly;
//   - text of timestamps with and without time zone (ParseTimestampNoZone, LocalTimeZoneParameter);
//   - Java escapes in option values (UnescapeJava), and func adapters (DecoderFunc, EncoderFunc).
package formats

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// Op is the change operation a row carries, as in Flink's RowKind.
type Op int8

// Change operations. Plain (non-CDC) formats decode to Insert rows.
const (
	Insert       Op = iota // +I
	UpdateBefore           // -U: the row as it was before an update
	UpdateAfter            // +U: the row after an update
	Delete                 // -D
)

// String returns Flink's short form (+I, -U, +U, -D).
func (o Op) String() string {
	switch o {
	case Insert:
		return "+I"
	case UpdateBefore:
		return "-U"
	case UpdateAfter:
		return "+U"
	case Delete:
		return "-D"
	}
	return fmt.Sprintf("Op(%d)", int8(o))
}

// Row is one decoded row: the unit that CDC formats translate between. A plain format's message
// decodes to one Insert row whose Value is the whole message value.
type Row struct {
	Op Op
	// Schema describes Value; nil for schemaless values.
	Schema *connect.Schema
	// Value is the row: a *connect.Struct with Schema, or a schemaless value (map[string]any for
	// JSON objects).
	Value any
	// CDC metadata; empty for plain formats.
	Database   string
	Table      string
	PrimaryKey []string
	// Timestamp is when the change happened in the source database (zero if unknown).
	Timestamp time.Time
	// Source carries format-specific metadata (Debezium's source block, Canal's es/ts/sqlType,
	// Maxwell's xid/commit, ...) that an encoder of the same family may write back.
	Source map[string]any
	// DDL is set for schema-change messages (Canal isDdl, Debezium schema changes) when the
	// decoder is configured to surface them instead of skipping them.
	DDL string
}

// Decoder turns one Kafka message into rows. A CDC message may hold several rows (a Canal
// message carries an array); a tombstone or a skipped message holds none.
type Decoder interface {
	Decode(data []byte) ([]Row, error)
}

// Encoder turns rows into Kafka messages. It receives the rows decoded from one input message
// so that it can group them (a -U/+U pair becomes one Debezium "u" message) and returns the
// output messages in order.
type Encoder interface {
	Encode(rows []Row) ([][]byte, error)
}

// Format describes one data format.
type Format struct {
	// Name is the short name used in `format`, `value.format`, converters and `worker convert`,
	// e.g. "json", "debezium-json".
	Name string
	// Options defines the format's options, named "<format>.<option>" as in Flink.
	Options *connect.ConfigDef
	// Binary formats are hex- or base64-encoded one message per line by `worker convert`.
	Binary bool
	// NewDecoder and NewEncoder build a codec from parsed options.
	NewDecoder func(opts *connect.Config) (Decoder, error)
	NewEncoder func(opts *connect.Config) (Encoder, error)
}

var registry = struct {
	sync.RWMutex
	m map[string]Format
}{m: map[string]Format{}}

// Register adds a format; call it from init(). A duplicate name panics.
func Register(f Format) {
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.m[f.Name]; dup {
		panic("formats: format " + f.Name + " registered twice")
	}
	if f.Options == nil {
		f.Options = connect.NewConfigDef()
	}
	registry.m[f.Name] = f
}

// Lookup returns the format called name.
func Lookup(name string) (Format, error) {
	registry.RLock()
	defer registry.RUnlock()
	f, ok := registry.m[name]
	if !ok {
		return Format{}, fmt.Errorf("unknown format %q (known: %v)", name, namesLocked())
	}
	return f, nil
}

// Names lists the registered formats, sorted.
func Names() []string {
	registry.RLock()
	defer registry.RUnlock()
	return namesLocked()
}

func namesLocked() []string {
	out := make([]string, 0, len(registry.m))
	for n := range registry.m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
