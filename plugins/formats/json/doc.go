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
//
// # The json format
//
// The package also registers the `json` row format (formats.Register), which the Kafka plugins
// and `worker convert` use, and its converter face, io.raftconnect.formats.JsonFormatConverter
// with the alias "json" (value.converter=json, value.converter.json.ignore-parse-errors=true;
// the "json." prefix may be left out). It writes JSON as Flink's json format does, with Flink's
// option names:
//
//	json.ignore-parse-errors            skip a message that fails to decode: no row, no error
//	json.fail-on-missing-field          a field of the row type missing from the message is
//	                                    an error (not with json.ignore-parse-errors)
//	json.timestamp-format.standard      SQL (2020-12-30 12:13:14.123) or ISO-8601
//	                                    (2020-12-30T12:13:14.123)
//	json.map-null-key.mode              FAIL, DROP or LITERAL: what a null map key becomes
//	json.map-null-key.literal           the key LITERAL writes ("null")
//	json.encode.decimal-as-plain-number 0.000000027 instead of 2.7E-8
//	json.encode.ignore-null-fields      leave null fields out
//
// and three of ours: json.schema, the row type (a Flink SQL column list, or a Kafka
// JsonConverter schema as JSON); json.schemas.enable, Kafka's envelope; and
// json.decode.numbers-as-decimal (true by default), exact numbers without a row type.
//
// Without json.schema a message decodes schemaless, as JsonConverter with schemas.enable=false
// reads it — objects as map[string]any, arrays as []any, integers as int64 — except that
// numbers are exact: those with a fraction or an exponent, and integers beyond int64, are
// connect.Decimal with the scale they are written with (1.50 is 150 at scale 2,
// 123456789012345678901234 is itself at scale 0), and schemaless decimals are written back as
// written: with their scale, in plain notation (an exponent only for a negative scale, 1e3 being
// 1E+3). So json → json keeps every number. json.decode.numbers-as-decimal=false reads them as
// float64 instead, as JsonConverter does (integers beyond int64 as the nearest float64). With
// json.schema, decimals are read exactly into their column's scale.
//
// With json.schema a message decodes into a *connect.Struct of that type. Values are read and
// written as Flink writes them:
//
//	BOOLEAN, TINYINT..BIGINT,  JSON booleans and numbers (NaN and infinities as "NaN",
//	FLOAT, DOUBLE              "Infinity", "-Infinity"); strings holding them ("12", "true")
//	                           are read too, as Flink reads them
//	DECIMAL(p,s)               a number, written as Flink's Jackson writes it: trailing zeros
//	                           stripped, then BigDecimal.toString (100.00 is 1E+2, 0.000000027
//	                           is 2.7E-8) or, with json.encode.decimal-as-plain-number,
//	                           toPlainString (100, 0.000000027). Read from a number or a
//	                           string, exactly: more fraction digits than s, or more digits
//	                           than p, is an error, never a rounded value
//	STRING                     a string; any other JSON is read as its text (numbers as
//	                           written, objects and arrays as compact JSON)
//	BYTES                      base64
//	DATE                       "yyyy-MM-dd"
//	TIME                       "HH:mm:ss[.fraction]"
//	TIMESTAMP                  "yyyy-MM-dd HH:mm:ss[.fraction]" (SQL) or
//	                           "yyyy-MM-ddTHH:mm:ss[.fraction]" (ISO-8601), the UTC wall clock
//	TIMESTAMP_LTZ              the same followed by 'Z' (see LocalTimeZoneParameter)
//	ARRAY, ROW                 arrays and objects
//	MAP<K,V>                   an object whose field names are the keys' text; a null key as
//	                           json.map-null-key.mode says
//
// Fractions have as many digits as the value needs, none for whole seconds, as Flink's
// formatters write them. Reading, the date and time must be separated as the standard says
// (a space for SQL, 'T' for ISO-8601, as in Flink), the seconds may be left out in ISO-8601, a
// zone suffix (Z, +08:00) on a TIMESTAMP_LTZ converts the value to UTC, a TIMESTAMP (a wall
// clock, which an offset would shift) refuses an offset other than zero with an error naming the
// field, as Flink refuses it, and dates, times and timestamps written as numbers are read as
// Kafka writes them (days, milliseconds of the day, epoch milliseconds).
//
// Null handling: a null, or missing, field is null, or its default when the schema has one; a
// required field without a default that is null is an error (json.ignore-parse-errors turns it
// into a skipped message). An empty message and the JSON null decode to no row.
//
// With json.schemas.enable the format reads and writes Kafka's envelope, with the payload in
// Kafka's representation (dates, times and timestamps as numbers, decimals as JSON numbers),
// so that JsonConverter with schemas.enable=true reads what it writes and the other way round.
// The message's schema describes the row; with json.schema too, rows are converted to that
// type. json.timestamp-format.standard has no effect on the envelope's payload; the other
// options apply.
//
// Writing, each Insert and UpdateAfter row becomes one message; an UpdateBefore row is skipped
// and a Delete or DDL row is an error, since plain JSON holds no change operation. Rows are
// written in json.schema's type when it is set (converted by field name), else in their own.
package jsonformat
