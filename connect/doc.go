// Package connect is the public API of raftconnect: everything a plugin author imports to write a
// connector, a converter, a header converter, a transformation or a predicate, and nothing else.
//
// It mirrors Apache Kafka Connect's plugin contract (org.apache.kafka.connect.*) in plain Go:
//
//   - Data: [Schema] (every Connect type, optional, default, name, version, doc, parameters), the
//     logical types [Decimal], Date, Time and Timestamp, [Struct] values that validate against
//     their schema, and schemaless values (plain Go maps, slices and scalars).
//   - Records: [SourceRecord] (what a source task produces) and [SinkRecord] (what a sink task
//     receives), both built on [Record], which transformations and predicates see.
//   - Plugins: [SourceConnector], [SinkConnector], [SourceTask], [SinkTask], [Converter],
//     [HeaderConverter], [Transformation], [Predicate], each described by a [ConfigDef].
//   - The registry: plugins join it from init() with [Register], under their Kafka class name and
//     aliases, exactly as Kafka Connect resolves `connector.class`.
//
// Go value types per schema type: INT8 int8, INT16 int16, INT32 int32, INT64 int64, FLOAT32
// float32, FLOAT64 float64, BOOLEAN bool, STRING string, BYTES []byte, ARRAY []any, MAP
// map[string]any (string keys) or map[any]any (other keys), STRUCT *Struct. Logical types: Decimal
// is [Decimal], Date, Time and Timestamp are time.Time.
package connect
