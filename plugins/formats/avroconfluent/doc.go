// Package avroconfluent is the `avro-confluent` format and Confluent's AvroConverter:
// Avro in Confluent's wire format — a magic byte 0, the schema id as 4 big-endian bytes, then
// the Avro binary body — with schemas kept in a Confluent Schema Registry, reached through
// github.com/riferrei/srclient. Values map to and from Avro as package avro describes.
//
// # Format options (Flink's names)
//
//	avro-confluent.url                            registry URL (required)
//	avro-confluent.subject                        subject to register written schemas under
//	                                              (required to encode)
//	avro-confluent.schema                         Avro schema to write with; default: derived
//	                                              from each row's Connect schema
//	avro-confluent.basic-auth.credentials-source  USER_INFO or URL
//	avro-confluent.basic-auth.user-info           user:password
//
// Decoding needs only the URL: each message names its writer schema's id.
//
// # Converter (Confluent's settings)
//
// io.confluent.connect.avro.AvroConverter, short name avro-confluent: schema.registry.url,
// basic.auth.credentials.source (URL, USER_INFO), basic.auth.user.info (or
// schema.registry.basic.auth.user.info), auto.register.schemas (true), use.latest.version
// (false), latest.cache.ttl.sec (-1), key.subject.name.strategy and
// value.subject.name.strategy (TopicNameStrategy, RecordNameStrategy,
// TopicRecordNameStrategy by Confluent's class name or simple name), connect.meta.data
// (true), enhanced.avro.schema.support (false). Not supported: SASL_INHERIT credentials,
// bearer tokens, TLS settings, schema references, latest.compatibility.strict.
//
// # Registry traffic
//
// A Registry caches schemas by id and ids by (subject, schema fingerprint), so each new
// schema costs one registration (srclient then reads the new id back: two HTTP requests) or
// one lookup, and each new id one fetch; records after that make no request. Registry
// failures are *RegistryError values naming the registry, subject or schema id; unreachable
// registries and 5xx answers are also connect.Retriable.
package avroconfluent
