package connect

import "time"

// PartitionAny, as a SourceRecord's Partition, lets the producer's partitioner choose.
const PartitionAny int32 = -1

// Header is one record header. Value is typed by Schema, or schemaless when Schema is nil.
type Header struct {
	Key    string
	Schema *Schema
	Value  any
}

// Headers is an ordered list of headers; a key may repeat.
type Headers []Header

// Add appends a header.
func (h *Headers) Add(key string, schema *Schema, value any) {
	*h = append(*h, Header{Key: key, Schema: schema, Value: value})
}

// Last returns the last header with the given key.
func (h Headers) Last(key string) (Header, bool) {
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].Key == key {
			return h[i], true
		}
	}
	return Header{}, false
}

// Without returns the headers without those named key; the receiver is not modified.
func (h Headers) Without(key string) Headers {
	out := make(Headers, 0, len(h))
	for _, x := range h {
		if x.Key != key {
			out = append(out, x)
		}
	}
	return out
}

// Record holds what every Connect record has. Transformations and predicates work on it.
type Record struct {
	Topic string
	// Partition is the Kafka partition; PartitionAny on a source record lets the producer choose.
	Partition   int32
	KeySchema   *Schema
	Key         any
	ValueSchema *Schema
	Value       any
	// Timestamp is the record time; the zero time means none (the producer sets the send time).
	Timestamp time.Time
	Headers   Headers
}

// SourceRecord is a record produced by a source task, with the position in the source system
// (SourcePartition and SourceOffset) that the runtime commits once Kafka has acknowledged it.
// Partition and offset maps hold only strings, numbers, booleans and nil, so they survive
// the JSON round trip of the offset store. The runtime keeps them until the record is
// committed: do not modify them after Poll returned the record (sharing one partition map
// between records is fine, and cheaper).
type SourceRecord struct {
	Record
	SourcePartition map[string]any
	SourceOffset    map[string]any
}

// TimestampType says where a consumed record's timestamp came from.
type TimestampType int8

// Timestamp types of consumed records.
const (
	NoTimestampType TimestampType = iota
	CreateTime
	LogAppendTime
)

// String returns Kafka's name of the timestamp type.
func (t TimestampType) String() string {
	switch t {
	case CreateTime:
		return "CreateTime"
	case LogAppendTime:
		return "LogAppendTime"
	}
	return "NoTimestampType"
}

// SinkRecord is a record a sink task receives, with its Kafka coordinates. Original* are the
// coordinates before transformations changed Topic or Partition; offsets a sink task reports
// back to the runtime refer to those.
type SinkRecord struct {
	Record
	Offset            int64
	TimestampType     TimestampType
	OriginalTopic     string
	OriginalPartition int32
	OriginalOffset    int64
}

// TopicPartition names one partition of a topic.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// RecordMetadata tells a source task where Kafka stored one of its records.
type RecordMetadata struct {
	Topic     string
	Partition int32
	Offset    int64
	Timestamp time.Time
}
