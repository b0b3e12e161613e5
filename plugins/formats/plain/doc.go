// Package plain holds Kafka Connect's simple built-in converters, byte-compatible with Apache
// Kafka's:
//
//   - org.apache.kafka.connect.storage.StringConverter: text in a configurable charset;
//   - org.apache.kafka.connect.converters.ByteArrayConverter: bytes as they are;
//   - org.apache.kafka.connect.converters.{Integer,Long,Short,Float,Double}Converter: numbers
//     in Kafka's serializer layouts (big-endian, IEEE 754 for floats);
//   - org.apache.kafka.connect.converters.BooleanConverter: one byte, 1 or 0;
//   - org.apache.kafka.connect.storage.SimpleHeaderConverter: Kafka's default header converter,
//     writing values as text and inferring types when reading (see ParseString).
//
// Importing the package registers them:
//
//	import _ "github.com/raftconnect/raftconnect/plugins/formats/plain"
//
// Kafka's versions of the first four are header converters too; here that face is
// AsHeaderConverter (a separate value, since connect.Converter and connect.HeaderConverter both
// declare a Configure method), which the registry hands out for header.converter.
package plain
