package avroconfluent

import (
	"fmt"
	"strings"

	"github.com/raftconnect/raftconnect/plugins/formats/avro"
)

// SubjectNameStrategy names the registry subject under which the schema of a record's key
// or value is registered, as Confluent's key/value.subject.name.strategy does.
type SubjectNameStrategy func(topic string, isKey bool, schema *avro.Schema) (string, error)

// TopicNameStrategy names the subject <topic>-key or <topic>-value (Confluent's default).
func TopicNameStrategy(topic string, isKey bool, _ *avro.Schema) (string, error) {
	if isKey {
		return topic + "-key", nil
	}
	return topic + "-value", nil
}

// RecordNameStrategy names the subject after the schema: a record's full name.
func RecordNameStrategy(_ string, _ bool, s *avro.Schema) (string, error) {
	return s.Name(), nil
}

// TopicRecordNameStrategy names the subject <topic>-<record full name>.
func TopicRecordNameStrategy(topic string, _ bool, s *avro.Schema) (string, error) {
	return topic + "-" + s.Name(), nil
}

// LookupSubjectNameStrategy finds a strategy by Confluent's class name
// (io.confluent.kafka.serializers.subject.TopicNameStrategy, also in the older
// ...subject.strategy package) or its simple name, case-insensitively.
func LookupSubjectNameStrategy(name string) (SubjectNameStrategy, error) {
	simple := strings.TrimSpace(name)
	if i := strings.LastIndexByte(simple, '.'); i >= 0 {
		simple = simple[i+1:]
	}
	switch strings.ToLower(simple) {
	case "topicnamestrategy":
		return TopicNameStrategy, nil
	case "recordnamestrategy":
		return RecordNameStrategy, nil
	case "topicrecordnamestrategy":
		return TopicRecordNameStrategy, nil
	}
	return nil, fmt.Errorf("unknown subject name strategy %q (TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy)", name)
}
