// Package verifiable provides Apache Kafka's verifiable connectors, VerifiableSourceConnector
// and VerifiableSinkConnector (org.apache.kafka.connect.tools), which Kafka's distributed
// Connect system tests use to check a cluster end to end: the source's tasks each produce a
// numbered sequence, the sink records every record it receives and flushes, and a check
// afterwards makes sure no sequence number went missing and counts the duplicates.
//
// The source ([SourceConnector], class org.apache.kafka.connect.tools.VerifiableSourceConnector)
// runs tasks.max tasks. Task i produces, to `topic`, records with key i (INT32) and value
// seqno (INT64) for seqno 0, 1, 2, ..., at `throughput` records per second (negative:
// unthrottled). Each record has source partition {"id": i} and source offset {"seqno": n}, so
// a restarted task continues after the last committed sequence number. With
// `complete.record.data=true` the value is a struct of name, task, topic, time_ms and seqno.
//
// The sink ([SinkConnector], class org.apache.kafka.connect.tools.VerifiableSinkConnector)
// consumes `topics` and records every record it receives and, when its offsets are committed,
// every record flushed.
//
// Both describe what they do as one JSON object per line, exactly the lines Kafka's tasks print
// to standard output:
//
//	{"task":0,"seqno":5,"time_ms":1700000000000,"name":"src","topic":"verifiable"}                  produced
//	{"committed":true,"task":0,"seqno":5,"time_ms":1700000000004,"name":"src","topic":"verifiable"} acknowledged by Kafka
//	{"task":0,"seqno":5,"offset":5,"time_ms":1700000000010,"name":"sink","topic":"verifiable","sinkTask":1}                received
//	{"task":0,"seqno":5,"offset":5,"time_ms":1700000000020,"name":"sink","topic":"verifiable","sinkTask":1,"flushed":true} flushed
//
// Kafka's system test reads those lines from the workers' standard output. raftconnect logs
// them at debug level instead, and adds one key of its own, `output.file`: when set, the task
// appends every line to that file, which is easier to collect than a worker's output. Several
// tasks, and both connectors, may share one file: each write holds whole lines and the file is
// opened for appending, so lines never mix. [CheckFile] reads such a file and makes the check
// Kafka's test makes, and [VerifyRun] compares the source's and the sink's reports.
//
// Both register themselves from init(), so a blank import makes them available:
//
//	import _ "github.com/raftconnect/raftconnect/plugins/verifiable"
package verifiable

// Version is the plugin version the REST API reports for both connectors.
const Version = "1.0.0"

// Class names, as users write them in `connector.class` and as tasks are named in `task.class`.
// Lookups also accept the simple names ("VerifiableSourceConnector") and the simple names
// without the "Connector" suffix ("VerifiableSource").
const (
	SourceConnectorClass = "org.apache.kafka.connect.tools.VerifiableSourceConnector"
	SourceTaskClass      = "org.apache.kafka.connect.tools.VerifiableSourceTask"
	SinkConnectorClass   = "org.apache.kafka.connect.tools.VerifiableSinkConnector"
	SinkTaskClass        = "org.apache.kafka.connect.tools.VerifiableSinkTask"
)

// Configuration keys. All but OutputFileConfig are Kafka's.
const (
	// NameConfig is the connector name, which the runtime puts in every configuration; the
	// tasks write it into every line so that several connectors can share an output.
	NameConfig = "name"
	// IDConfig is the task number, 0 to tasks.max-1, which the connectors set in the task
	// configurations; a value the user sets is replaced.
	IDConfig = "id"
	// TopicConfig is the topic the source produces to.
	TopicConfig = "topic"
	// ThroughputConfig is how many records per second each source task produces; a negative
	// number means as fast as possible, and 0 one record and then nothing.
	ThroughputConfig = "throughput"
	// CompleteRecordDataConfig makes the source's record values structs of name, task, topic,
	// time_ms and seqno instead of the bare seqno.
	CompleteRecordDataConfig = "complete.record.data"
	// OutputFileConfig is raftconnect's own key, of both connectors: a file every task appends
	// its JSON lines to. Unset or empty, the lines only go to the log, at debug level.
	OutputFileConfig = "output.file"
)

// Keys of the source partition and source offset of every source record: partition
// {"id": task number}, offset {"seqno": sequence number}.
const (
	IDField    = "id"
	SeqnoField = "seqno"
)
