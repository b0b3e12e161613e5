// Package file provides the FileStream connectors of Apache Kafka Connect, the smallest complete
// source and sink there are. They are meant to be read: start here to learn how a raftconnect
// plugin is put together.
//
// The source connector ([SourceConnector], class
// org.apache.kafka.connect.file.FileStreamSourceConnector) reads a file, or standard input, line
// by line and produces one record per line to a single topic. Its only task, [SourceTask],
// remembers how far it got as the byte position after the last line, so a restarted task resumes
// where the last committed offset says, without losing or repeating a line.
//
// The sink connector ([SinkConnector], class
// org.apache.kafka.connect.file.FileStreamSinkConnector) appends the value of every record it
// receives as a line to a file, or to standard output. Its task, [SinkTask], fsyncs the file on
// Flush, so the runtime never commits consumer offsets ahead of data that is on disk.
//
// Both register themselves from init() (see register.go), so importing the package for its side
// effect is enough to make them available to the worker:
//
//	import _ "github.com/raftconnect/raftconnect/plugins/file"
//
// The configuration keys and their meaning are Kafka's: source `file` (absent or empty: standard
// input), `topic` (required, one topic) and `batch.size` (default 2000); sink `file` (absent or
// empty: standard output). Configurations written for Kafka Connect work unchanged.
package file

// Version is the plugin version the REST API reports for both connectors.
const Version = "1.0.0"

// Class names, as users write them in `connector.class` and as tasks are named in `task.class`.
// Lookups also accept the simple names ("FileStreamSourceConnector") and the simple names without
// the "Connector" suffix ("FileStreamSource").
const (
	SourceConnectorClass = "org.apache.kafka.connect.file.FileStreamSourceConnector"
	SourceTaskClass      = "org.apache.kafka.connect.file.FileStreamSourceTask"
	SinkConnectorClass   = "org.apache.kafka.connect.file.FileStreamSinkConnector"
	SinkTaskClass        = "org.apache.kafka.connect.file.FileStreamSinkTask"
)

// Configuration keys.
const (
	// FileConfig names the file to read (source) or append to (sink). Absent or empty means
	// standard input or standard output.
	FileConfig = "file"
	// TopicConfig is the one topic the source produces to.
	TopicConfig = "topic"
	// BatchSizeConfig is the most records one Poll returns.
	BatchSizeConfig = "batch.size"
	// DefaultBatchSize is the default of BatchSizeConfig.
	DefaultBatchSize = 2000
)

// Keys of the source partition and source offset maps of every record the source produces:
// partition {"filename": path}, offset {"position": byte position after the line}.
const (
	FilenameField = "filename"
	PositionField = "position"
)
