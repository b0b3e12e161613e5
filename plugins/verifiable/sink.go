package verifiable

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// SinkConnector is Kafka's VerifiableSinkConnector: it starts tasks.max tasks, numbered in
// their `id` setting, which share the consumer group's partitions. Its zero value is ready for
// Start.
type SinkConnector struct {
	config map[string]string
}

var _ connect.SinkConnector = (*SinkConnector)(nil)

// Start checks the configuration and keeps it for TaskConfigs.
func (c *SinkConnector) Start(_ connect.ConnectorContext, config map[string]string) error {
	if _, err := parse(sinkConfigDef(), SinkConnectorClass, config); err != nil {
		return err
	}
	c.config = maps.Clone(config)
	slog.Info("starting verifiable sink connector", "connector", config[NameConfig])
	return nil
}

// TaskConfigs returns maxTasks configurations, the i-th with `id` set to i.
func (c *SinkConnector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	if c.config == nil {
		return nil, fmt.Errorf("verifiable sink connector: %w", errNotStarted)
	}
	return taskConfigs(c.config, maxTasks), nil
}

// Stop has nothing to release.
func (c *SinkConnector) Stop() error { return nil }

// ConfigDef describes `output.file`.
func (c *SinkConnector) ConfigDef() *connect.ConfigDef { return sinkConfigDef() }

// NewTask returns a fresh SinkTask.
func (c *SinkConnector) NewTask() connect.SinkTask { return new(SinkTask) }

// received is what the sink keeps of a record until it is flushed: the parts of its line that
// do not change.
type received struct {
	task   []byte // the record key as JSON: the number of the source task that produced it
	seqno  []byte // the record value as JSON
	offset int64
	topic  string
	bad    error // the key or value cannot be written as JSON
}

// SinkTask is Kafka's VerifiableSinkTask. Put writes one JSON line per record received; Flush
// writes the line again, with "flushed":true and the flush time, for every record of the
// partitions being committed, and fsyncs the output file before the runtime commits the
// offsets, so that a flushed line on disk means the record's offset may be committed.
//
// The runtime calls every method from one goroutine.
type SinkTask struct {
	name      string
	id        int32
	out       *output
	unflushed map[connect.TopicPartition][]received

	now func() time.Time // nil: the wall clock; tests replace it
}

var _ connect.SinkTask = (*SinkTask)(nil)

// Start parses the configuration and opens the output file.
func (t *SinkTask) Start(_ connect.SinkTaskContext, config map[string]string) error {
	cfg, err := parse(sinkConfigDef().Define(idKey()), SinkTaskClass, config)
	if err != nil {
		return err
	}
	t.name = config[NameConfig]
	t.id = int32(cfg.Int(IDConfig))
	t.unflushed = map[connect.TopicPartition][]received{}
	if t.now == nil {
		t.now = time.Now
	}
	log := slog.Default().With("connector", t.name, "task", t.id)
	if t.out, err = openOutput(cfg.String(OutputFileConfig), log, "VerifiableSinkTask"); err != nil {
		return fmt.Errorf("verifiable sink task %s-%d: %w", t.name, t.id, err)
	}
	return nil
}

// Put writes a line per record, all of the batch in one write.
func (t *SinkTask) Put(_ context.Context, records []*connect.SinkRecord) error {
	if t.out == nil {
		return fmt.Errorf("verifiable sink task %s-%d: Put on a task that is not started", t.name, t.id)
	}
	nowMs := t.now().UnixMilli()
	var buf []byte
	for _, rec := range records {
		r := received{offset: rec.Offset, topic: rec.Topic}
		if r.task, r.bad = appendValue(nil, rec.Key); r.bad == nil {
			r.seqno, r.bad = appendValue(nil, rec.Value)
		}
		buf = append(t.line(buf, r, nowMs, false), '\n')
		// The runtime's offsets name the partition the record was consumed from, before any
		// transformation renamed its topic; key by that so Flush finds it.
		tp := connect.TopicPartition{Topic: rec.OriginalTopic, Partition: rec.OriginalPartition}
		if tp.Topic == "" {
			tp = connect.TopicPartition{Topic: rec.Topic, Partition: rec.Partition}
		}
		t.unflushed[tp] = append(t.unflushed[tp], r)
	}
	if err := t.out.write(buf); err != nil {
		return fmt.Errorf("verifiable sink task %s-%d: %w", t.name, t.id, err)
	}
	return nil
}

// Flush writes the flushed lines of the records received from the partitions in offsets, and
// makes the output durable. Records of other partitions wait for a later flush, as in Kafka.
func (t *SinkTask) Flush(_ context.Context, offsets map[connect.TopicPartition]int64) error {
	if t.out == nil {
		return fmt.Errorf("verifiable sink task %s-%d: Flush on a task that is not started", t.name, t.id)
	}
	nowMs := t.now().UnixMilli()
	// Partition order makes the output reproducible; Kafka's follows its HashMap.
	tps := slices.SortedFunc(maps.Keys(offsets), func(a, b connect.TopicPartition) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
	var buf []byte
	for _, tp := range tps {
		for _, r := range t.unflushed[tp] {
			buf = append(t.line(buf, r, nowMs, true), '\n')
		}
		delete(t.unflushed, tp)
	}
	if len(buf) > 0 {
		if err := t.out.write(buf); err != nil {
			return fmt.Errorf("verifiable sink task %s-%d: %w", t.name, t.id, err)
		}
	}
	if err := t.out.sync(); err != nil {
		return fmt.Errorf("verifiable sink task %s-%d: %w", t.name, t.id, err)
	}
	return nil
}

// Stop closes the output file. Records not flushed yet are not written as flushed: their
// offsets were not committed, so they are delivered again after a restart.
func (t *SinkTask) Stop() error {
	if t.out == nil {
		return nil
	}
	return t.out.close()
}

// line appends the JSON line Kafka's task prints, keys in the order Jackson writes its HashMap.
func (t *SinkTask) line(b []byte, r received, timeMs int64, flushed bool) []byte {
	if r.bad != nil {
		return append(b, badData(r.bad)...)
	}
	b = append(b, `{"task":`...)
	b = append(b, r.task...)
	b = append(b, `,"seqno":`...)
	b = append(b, r.seqno...)
	b = append(b, `,"offset":`...)
	b = strconv.AppendInt(b, r.offset, 10)
	b = append(b, `,"time_ms":`...)
	b = strconv.AppendInt(b, timeMs, 10)
	b = append(b, `,"name":`...)
	b = appendString(b, t.name)
	b = append(b, `,"topic":`...)
	b = appendString(b, r.topic)
	b = append(b, `,"sinkTask":`...)
	b = strconv.AppendInt(b, int64(t.id), 10)
	if flushed {
		b = append(b, `,"flushed":true`...)
	}
	return append(b, '}')
}
