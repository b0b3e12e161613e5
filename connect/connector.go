package connect

import (
	"context"
	"time"
)

// Connector is what source and sink connectors share. A connector splits its job into task
// configurations; the runtime starts tasks from them, possibly on other workers.
//
// The runtime calls Start, then TaskConfigs (after start and whenever the connector requests a
// reconfiguration), and Stop. A config change, restart or pause stops the instance; a new start
// may reuse it (after pause) or use a fresh one.
type Connector interface {
	// TaskConfigs returns at most maxTasks task configurations.
	TaskConfigs(maxTasks int) ([]map[string]string, error)
	// Stop releases what Start acquired. It must return promptly.
	Stop() error
	// ConfigDef describes the connector's own configuration keys. The runtime validates
	// configurations against it and serves it on the REST API.
	ConfigDef() *ConfigDef
}

// ConfigValidator is implemented by connectors that validate more than their ConfigDef says,
// for example a key that is required only when another is set. The runtime starts from
// ConfigDef().Validate(config) and passes the result here to add errors.
type ConfigValidator interface {
	Validate(config map[string]string, values []ConfigValue) []ConfigValue
}

// ConnectorContext lets a running connector talk to the runtime.
type ConnectorContext interface {
	// RequestTaskReconfiguration asks the runtime to call TaskConfigs again, for example after
	// the connector noticed new tables to copy.
	RequestTaskReconfiguration()
	// RaiseError marks the connector FAILED with err. Its tasks keep running.
	RaiseError(err error)
}

// OffsetReader reads committed source offsets.
type OffsetReader interface {
	// Offset returns the last committed offset of a source partition, or nil if none.
	// Offsets go through JSON in the store: integral numbers come back as int64, other
	// numbers as float64, strings, booleans and nil as themselves.
	Offset(partition map[string]any) (map[string]any, error)
}

// SourceConnectorContext is the context of a source connector.
type SourceConnectorContext interface {
	ConnectorContext
	OffsetReader() OffsetReader
}

// SourceConnector reads from an external system into Kafka.
type SourceConnector interface {
	Connector
	Start(ctx SourceConnectorContext, config map[string]string) error
	// NewTask returns a fresh, unstarted task.
	NewTask() SourceTask
}

// SinkConnector writes from Kafka into an external system. The runtime adds `topics` or
// `topics.regex` to every task configuration.
type SinkConnector interface {
	Connector
	Start(ctx ConnectorContext, config map[string]string) error
	// NewTask returns a fresh, unstarted task.
	NewTask() SinkTask
}

// SourceTaskContext lets a source task reach the runtime.
type SourceTaskContext interface {
	// Config returns the task configuration.
	Config() map[string]string
	// OffsetReader reads the offsets committed for this connector, to resume after a restart.
	OffsetReader() OffsetReader
}

// SourceTask produces records. One goroutine calls Start, then Poll in a loop, then Stop once
// Poll has returned for the last time; cancelling Poll's ctx is how the runtime interrupts a
// blocked Poll. A record whose SourcePartition or SourceOffset is nil is delivered, but no
// offset is committed for it.
type SourceTask interface {
	Start(ctx SourceTaskContext, config map[string]string) error
	// Poll returns the next batch of records, or an empty batch when nothing is ready. It should
	// not block for long (about a second at most) and must return when ctx is done. An error
	// wrapped by Retriable makes the runtime poll again; any other error fails the task.
	Poll(ctx context.Context) ([]*SourceRecord, error)
	Stop() error
}

// SourceTaskCommitter is implemented by source tasks that want to know when the runtime has
// committed their offsets, for example to acknowledge messages upstream.
type SourceTaskCommitter interface {
	Commit() error
}

// RecordCommitter is implemented by source tasks that want a callback per record once Kafka
// acknowledged it. meta is nil when a transformation dropped the record or the error policy
// skipped it. CommitRecord is called from the runtime's acknowledgement goroutine, concurrently
// with Poll.
type RecordCommitter interface {
	CommitRecord(rec *SourceRecord, meta *RecordMetadata) error
}

// SinkTaskContext lets a sink task steer its consumer.
type SinkTaskContext interface {
	// Config returns the task configuration.
	Config() map[string]string
	// Assignment returns the partitions the task currently owns.
	Assignment() []TopicPartition
	// Seek asks the runtime to consume tp from offset next, for example after the task read
	// its own committed position from the external system.
	Seek(tp TopicPartition, offset int64)
	// Pause stops fetching from the partitions until Resume.
	Pause(tps ...TopicPartition)
	// Resume fetches again from paused partitions.
	Resume(tps ...TopicPartition)
	// Backoff asks the runtime to wait d before redelivering a batch after Put returned a
	// retriable error.
	Backoff(d time.Duration)
	// RequestCommit asks for an offset commit as soon as possible.
	RequestCommit()
}

// SinkTask writes records. Put may buffer; Flush makes everything delivered so far durable, and
// only then does the runtime commit the consumer group offsets. Every method, and the
// SinkTaskContext, is called from the task's one goroutine.
type SinkTask interface {
	Start(ctx SinkTaskContext, config map[string]string) error
	// Put delivers a batch. A Retriable error redelivers the same batch later; any other error
	// fails the task.
	Put(ctx context.Context, records []*SinkRecord) error
	// Flush writes out everything Put received. offsets are, per partition, the offset of the
	// next record to consume.
	Flush(ctx context.Context, offsets map[TopicPartition]int64) error
	Stop() error
}

// PreCommitter is implemented by sink tasks that commit fewer offsets than were delivered, for
// example because they write asynchronously. It replaces Flush at commit time and returns the
// offsets that may be committed (the next offset to read, per partition).
type PreCommitter interface {
	PreCommit(ctx context.Context, offsets map[TopicPartition]int64) (map[TopicPartition]int64, error)
}

// PartitionTracker is implemented by sink tasks that keep per-partition state (writers, files).
// Open is called when partitions are assigned, Close when they are revoked, after a final commit.
type PartitionTracker interface {
	Open(partitions []TopicPartition) error
	Close(partitions []TopicPartition) error
}

// SourceOffset is one source partition and its offset; a nil Offset resets the partition.
type SourceOffset struct {
	Partition map[string]any
	Offset    map[string]any
}

// SourceOffsetAlterer is implemented by source connectors that check (or also apply in the
// external system) offsets a user sets or resets through the REST API
// (PATCH/DELETE /connectors/{c}/offsets) while the connector is stopped. An error rejects
// the request (400) and nothing is written. Returning true says the offsets are fully handled,
// so the user is told they were altered; false says only the runtime's copy was changed.
type SourceOffsetAlterer interface {
	AlterOffsets(config map[string]string, offsets []SourceOffset) (bool, error)
}

// SinkOffsetAlterer is the sink counterpart: offsets are the next offset to consume per
// partition, nil to reset the partition.
type SinkOffsetAlterer interface {
	AlterOffsets(config map[string]string, offsets map[TopicPartition]*int64) (bool, error)
}
