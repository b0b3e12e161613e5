// Package avro is the `avro` format: plain Avro binary, one value per message, with no header
// and no schema in the message. It also holds the Avro ⇄ Connect mapping and the codec that
// the avro-confluent format shares.
//
// # Options
//
//	avro.schema   the Avro schema (JSON). Required to decode; when encoding, optional: without
//	              it each row's Connect schema is turned into an Avro schema.
//
// The converter face is `io.raftconnect.formats.AvroBinaryConverter`, short name `avro`;
// its settings are the options with or without the "avro." prefix
// (value.converter.avro.schema or value.converter.schema).
//
// # Type mapping
//
// The mapping is Confluent's AvroData (io.confluent.connect.avro) with connect.meta.data on,
// so bytes and schemas interoperate with Confluent's AvroConverter:
//
//	Connect                          Avro
//	int8, int16                      int with "connect.type": "int8" / "int16"
//	int32, int64                     int, long
//	float32, float64                 float, double
//	boolean, string, bytes           boolean, string, bytes
//	struct                           record (unnamed: io.confluent.connect.avro.ConnectDefault,
//	                                 ConnectDefault2, ...); field docs in parameters
//	                                 io.confluent.connect.avro.field.doc.<field>
//	array                            array
//	map with string keys             map
//	map with other keys              array of records {key, value} named MapEntry
//	optional T                       ["null", T] with default null; [T, "null"] with T's
//	                                 default when the schema has one
//	string + io.confluent.connect.avro.Enum parameters
//	                                 enum (symbols keep their order)
//	bytes + connect.fixed.size       fixed
//	struct io.confluent.connect.avro.Union
//	                                 any other union, one optional field per branch
//	Decimal (scale, connect.decimal.precision, default 64)
//	                                 bytes or fixed with logicalType decimal
//	Date, Time, Timestamp            int date, int time-millis, long timestamp-millis
//	Time, Timestamp + parameter io.raftconnect.avro.logicalType
//	                                 long time-micros, long timestamp-micros (values keep
//	                                 microseconds; written without connect.name so that Java
//	                                 readers see plain longs rather than misread milliseconds)
//	string + that parameter = uuid   string with logicalType uuid
//
// Schema docs, versions, parameters and defaults travel in the connect.doc, connect.version,
// connect.parameters and connect.default properties; Avro field defaults become Connect
// defaults. Recursive Avro schemas have no Connect equivalent and are rejected.
//
// Values: Connect values as package connect defines them (time.Time for the logical types,
// connect.Decimal, *connect.Struct, []any, map[string]any, map[any]any for non-string keys).
// Encoding also takes schemaless values as encoding/json produces them: a JSON object for a
// record (unknown keys ignored, missing keys take the field default or null), float64 or
// json.Number for numbers (which must fit the Avro type exactly), base64 strings for bytes,
// numbers or strings for decimals.
//
// # Speed
//
// Encoding and decoding walk a tree compiled once per schema and read and write the binary
// form directly; no map[string]any is built on the way. Decoded strings share one copy of the
// message.
package avro
