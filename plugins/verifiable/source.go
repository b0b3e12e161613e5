package verifiable

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"strconv"
	"sync"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// SourceConnector is Kafka's VerifiableSourceConnector: it starts tasks.max tasks, numbered in
// their `id` setting, each producing its own sequence. Its zero value is ready for Start.
type SourceConnector struct {
	config map[string]string
}

var _ connect.SourceConnector = (*SourceConnector)(nil)

// Start checks the configuration, so that a mistake fails the connector at once rather than
// every task later, and keeps it for TaskConfigs.
func (c *SourceConnector) Start(_ connect.SourceConnectorContext, config map[string]string) error {
	cfg, err := parse(sourceConfigDef(), SourceConnectorClass, config)
	if err != nil {
		return err
	}
	// The runtime owns config and may reuse it; keep a copy.
	c.config = maps.Clone(config)
	slog.Info("starting verifiable source connector", "connector", config[NameConfig],
		"topic", cfg.String(TopicConfig), "throughput", cfg.Long(ThroughputConfig))
	return nil
}

// TaskConfigs returns maxTasks configurations, the i-th with `id` set to i.
func (c *SourceConnector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	if c.config == nil {
		return nil, fmt.Errorf("verifiable source connector: %w", errNotStarted)
	}
	return taskConfigs(c.config, maxTasks), nil
}

// Stop has nothing to release.
func (c *SourceConnector) Stop() error { return nil }

// ConfigDef describes `topic`, `throughput`, `complete.record.data` and `output.file`.
func (c *SourceConnector) ConfigDef() *connect.ConfigDef { return sourceConfigDef() }

// NewTask returns a fresh SourceTask.
func (c *SourceConnector) NewTask() connect.SourceTask { return new(SourceTask) }

// completeValueSchema is the value schema with complete.record.data, Kafka's field for field.
var completeValueSchema = connect.StructBuilder().
	Field("name", connect.StringSchema).
	Field("task", connect.Int32Schema).
	Field("topic", connect.StringSchema).
	Field("time_ms", connect.Int64Schema).
	Field("seqno", connect.Int64Schema).
	MustBuild()

// defaultMaxWait bounds how long one Poll waits: the runtime gets control back regularly even
// when throughput is 0, where Kafka's task blocks until it is stopped.
const defaultMaxWait = time.Second

// SourceTask is Kafka's VerifiableSourceTask. Each Poll returns one record, the next of the
// task's sequence, after waiting as long as the throughput asks. It writes one JSON line per
// record produced and one per record Kafka acknowledged (CommitRecord), as Kafka's task prints
// them.
//
// At Start the task reads the last committed offset of its partition {"id": n} and continues
// at the sequence number after it; with none it starts at 0. The throughput counts from Start,
// so a restarted task does not rush to catch up.
//
// One goroutine calls Poll; CommitRecord may run concurrently with it.
type SourceTask struct {
	name               string
	id                 int32
	topic              string
	completeRecordData bool
	partition          map[string]any // shared by every record; the runtime only reads it
	startingSeqno      int64
	seqno              int64 // the next sequence number, used only by the Poll goroutine
	throttle           *throttler
	out                *output

	stopOnce sync.Once
	stopped  chan struct{} // closed by Stop, ending a wait in Poll

	// Tests replace these; nil means the wall clock, a real sleep and defaultMaxWait.
	now     func() time.Time
	sleep   func(ctx context.Context, stop <-chan struct{}, d time.Duration) bool
	maxWait time.Duration
}

var _ interface {
	connect.SourceTask
	connect.RecordCommitter
	connect.SourceTaskCommitter
} = (*SourceTask)(nil)

// Start parses the configuration, reads the committed offset and opens the output file.
func (t *SourceTask) Start(ctx connect.SourceTaskContext, config map[string]string) error {
	cfg, err := parse(sourceConfigDef().Define(idKey()), SourceTaskClass, config)
	if err != nil {
		return err
	}
	t.name = config[NameConfig]
	t.id = int32(cfg.Int(IDConfig))
	t.topic = cfg.String(TopicConfig)
	t.completeRecordData = cfg.Bool(CompleteRecordDataConfig)
	t.partition = map[string]any{IDField: t.id}
	if t.now == nil {
		t.now = time.Now
	}
	if t.sleep == nil {
		t.sleep = sleep
	}
	if t.maxWait <= 0 {
		t.maxWait = defaultMaxWait
	}
	t.stopped = make(chan struct{})
	t.stopOnce = sync.Once{}

	t.seqno, err = t.resumeSeqno(ctx)
	if err != nil {
		return err
	}
	t.startingSeqno = t.seqno
	t.throttle = newThrottler(cfg.Long(ThroughputConfig), t.now())

	log := slog.Default().With("connector", t.name, "task", t.id)
	if t.out, err = openOutput(cfg.String(OutputFileConfig), log, "VerifiableSourceTask"); err != nil {
		return fmt.Errorf("verifiable source task %s-%d: %w", t.name, t.id, err)
	}
	log.Info("started verifiable source task", "topic", t.topic, "next_seqno", t.startingSeqno)
	return nil
}

// resumeSeqno returns the sequence number after the committed one, or 0 if there is none.
func (t *SourceTask) resumeSeqno(ctx connect.SourceTaskContext) (int64, error) {
	if ctx == nil || ctx.OffsetReader() == nil {
		return 0, nil
	}
	offset, err := ctx.OffsetReader().Offset(t.partition)
	if err != nil {
		return 0, fmt.Errorf("verifiable source task %s-%d: cannot read the committed offset: %w", t.name, t.id, err)
	}
	v, ok := offset[SeqnoField]
	if !ok || v == nil {
		return 0, nil
	}
	// The offset store returns integral JSON numbers as int64; accept what a hand-written
	// offset (PATCH /connectors/{name}/offsets) may hold as well.
	switch n := v.(type) {
	case int64:
		return n + 1, nil
	case int32:
		return int64(n) + 1, nil
	case int:
		return int64(n) + 1, nil
	case float64:
		if n == float64(int64(n)) {
			return int64(n) + 1, nil
		}
	}
	return 0, fmt.Errorf("verifiable source task %s-%d: the committed offset %v has %q %v, which is not a whole number",
		t.name, t.id, offset, SeqnoField, v)
}

// Poll returns the next record of the sequence, or nothing if the wait the throughput asks for
// was cut short by ctx or Stop (the record then comes with the next Poll).
func (t *SourceTask) Poll(ctx context.Context) ([]*connect.SourceRecord, error) {
	d, forever := t.throttle.delay(t.seqno-t.startingSeqno, t.now())
	if forever {
		// throughput 0: nothing more, ever. Wait a while and hand control back.
		t.sleep(ctx, t.stopped, t.maxWait)
		return nil, nil
	}
	if d > 0 && !t.sleep(ctx, t.stopped, d) {
		return nil, nil
	}
	nowMs := t.now().UnixMilli()

	line := t.line(nil, false, t.seqno, nowMs)
	if err := t.out.write(append(line, '\n')); err != nil {
		return nil, fmt.Errorf("verifiable source task %s-%d: %w", t.name, t.id, err)
	}

	rec := &connect.SourceRecord{
		Record: connect.Record{
			Topic:       t.topic,
			Partition:   connect.PartitionAny,
			KeySchema:   connect.Int32Schema,
			Key:         t.id,
			ValueSchema: connect.Int64Schema,
			Value:       t.seqno,
		},
		SourcePartition: t.partition,
		SourceOffset:    map[string]any{SeqnoField: t.seqno},
	}
	if t.completeRecordData {
		rec.ValueSchema = completeValueSchema
		rec.Value = connect.NewStruct(completeValueSchema).
			MustPut("name", t.name).
			MustPut("task", t.id).
			MustPut("topic", t.topic).
			MustPut("time_ms", nowMs).
			MustPut("seqno", t.seqno)
	}
	t.seqno++
	return []*connect.SourceRecord{rec}, nil
}

// CommitRecord writes the "committed" line of a record Kafka acknowledged. Like Kafka's task it
// does so also when meta is nil (a transformation dropped the record).
func (t *SourceTask) CommitRecord(rec *connect.SourceRecord, _ *connect.RecordMetadata) error {
	// Kafka prints the record value, which with complete.record.data is a struct Jackson cannot
	// write; the offset always holds the bare sequence number.
	seqno, _ := rec.SourceOffset[SeqnoField].(int64)
	line := t.line(nil, true, seqno, t.now().UnixMilli())
	if err := t.out.write(append(line, '\n')); err != nil {
		return fmt.Errorf("verifiable source task %s-%d: %w", t.name, t.id, err)
	}
	return nil
}

// Commit makes the lines written so far durable, once the runtime has committed the offsets.
func (t *SourceTask) Commit() error { return t.out.sync() }

// Stop ends a wait in Poll and closes the output file.
func (t *SourceTask) Stop() error {
	if t.stopped != nil {
		t.stopOnce.Do(func() { close(t.stopped) })
	}
	if t.out == nil {
		return nil
	}
	return t.out.close()
}

// line appends the JSON line Kafka's task prints, keys in the order Jackson writes its HashMap.
func (t *SourceTask) line(b []byte, committed bool, seqno, timeMs int64) []byte {
	b = append(b, '{')
	if committed {
		b = append(b, `"committed":true,`...)
	}
	b = append(b, `"task":`...)
	b = strconv.AppendInt(b, int64(t.id), 10)
	b = append(b, `,"seqno":`...)
	b = strconv.AppendInt(b, seqno, 10)
	b = append(b, `,"time_ms":`...)
	b = strconv.AppendInt(b, timeMs, 10)
	b = append(b, `,"name":`...)
	b = appendString(b, t.name)
	b = append(b, `,"topic":`...)
	b = appendString(b, t.topic)
	return append(b, '}')
}

// sleep waits d, and reports false if ctx or stop ended the wait first.
func sleep(ctx context.Context, stop <-chan struct{}, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	case <-stop:
		return false
	}
}

// minSleep is the shortest wait the throttler asks for; shorter ones accumulate.
const minSleep = 2 * time.Millisecond

// throttler is Kafka's ThroughputThrottler (org.apache.kafka.server.util), so the source keeps
// the rate Kafka's does. It returns the wait instead of sleeping, so that Poll can wait
// interruptibly and tests can check the waits without a clock.
type throttler struct {
	start     time.Time
	target    float64       // records per second; negative: unthrottled
	perRecord time.Duration // 1/target
	deficit   time.Duration // waits too short to bother with yet
}

func newThrottler(target int64, start time.Time) *throttler {
	t := &throttler{start: start, target: float64(target)}
	if target > 0 {
		t.perRecord = time.Duration(float64(time.Second) / t.target)
	}
	return t
}

// delay returns how long to wait before sending the next record, sent having been sent since
// start; forever means never send another one (a target of 0). Waits shorter than minSleep
// add up until they are worth a sleep, as in Kafka.
func (t *throttler) delay(sent int64, now time.Time) (d time.Duration, forever bool) {
	if t.target < 0 {
		return 0, false
	}
	elapsed := now.Sub(t.start).Seconds()
	if elapsed <= 0 || float64(sent)/elapsed <= t.target {
		return 0, false
	}
	if t.target == 0 {
		return 0, true
	}
	t.deficit += t.perRecord
	if t.deficit < minSleep {
		return 0, false
	}
	d, t.deficit = t.deficit, 0
	return d, false
}
