// Package jsonformat is Kafka Connect's JsonConverter (org.apache.kafka.connect.json.JsonConverter),
// byte-compatible with Apache Kafka's: records written here read back in Kafka Connect and the
// other way round. Importing the package registers the converter:
//
//	import _ "github.com/raftconnect/raftconnect/plugins/formats/json"
//
// The package has two layers. Encoder and Decoder translate between Connect values and JSON,
// with or without a schema, following Kafka's rules for every type (Options holds the knobs that
// change those rules). Converter adds what only JsonConverter has: the {"schema", "payload"}
// envelope, the schema JSON and its caches, and the converter settings. A JSON row format with
// other options (Flink's json format) reuses the value layer without the envelope.
//
// Where Kafka's output depends on Java's hash order (map entries, schema parameters) the
// encoder writes keys sorted, so that output is deterministic.
package jsonformat
