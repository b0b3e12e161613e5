package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"

	"github.com/raftconnect/raftconnect/connect"
)

// sourceTask runs one source task: poll → transforms → converters → producer, and commits
// source offsets once Kafka acknowledged every earlier record of their source partition.
type sourceTask struct {
	id         TaskID
	fence      Fence             // the assignment this instance runs under; its offset commits carry it
	config     map[string]string // task config
	connConfig map[string]string
	task       connect.SourceTask
	chain      *chain
	conv       *converters
	policy     errorPolicy
	producer   sarama.AsyncProducer
	offsets    offsetStore
	tracker    *offsetTracker
	status     statusFunc
	pause      *pauser
	log        *slog.Logger
	limit      *LogLimiter // shared by the worker's tasks: repeated lines are rate-limited

	flushInterval time.Duration
	flushTimeout  time.Duration
	// onTopic is told each topic the task writes to, once (KIP-558 topic tracking).
	onTopic   func(topic string)
	topicsGen *atomic.Uint64 // bumped by a topic-tracking reset
	seen      map[string]bool
	seenGen   uint64
	pollRetry *backoff // delays of Poll retries after retriable errors

	failMu  sync.Mutex
	failure error // first untolerated asynchronous send failure

	// commitMu serialises CommitRecord: acknowledgements arrive on the results goroutine,
	// dropped records on the poll goroutine.
	commitMu sync.Mutex
}

// sourceTaskContext implements connect.SourceTaskContext.
type sourceTaskContext struct {
	cfg    map[string]string
	reader connect.OffsetReader
}

func (c sourceTaskContext) Config() map[string]string          { return c.cfg }
func (c sourceTaskContext) OffsetReader() connect.OffsetReader { return c.reader }

// run executes the task until ctx is done or the task fails. It returns the failure, or nil
// after a graceful stop with offsets committed.
func (t *sourceTask) run(ctx context.Context) (err error) {
	defer t.chain.close()
	results := make(chan struct{})
	go func() {
		defer close(results)
		t.handleResults()
	}()
	defer func() {
		t.producer.AsyncClose()
		// With the brokers gone sarama may retry for minutes; do not hold up the worker's
		// shutdown for it. The results goroutine ends when the producer gives up.
		select {
		case <-results:
		case <-time.After(t.flushTimeout):
			t.log.Warn("producer still retrying after the task stopped; leaving it to finish in the background", "timeout", t.flushTimeout)
		}
	}()

	if paused, _ := t.pause.get(); paused {
		t.status(StatePaused, "")
		if !waitUnpaused(ctx, t.pause) {
			return nil
		}
	}
	if err := t.start(); err != nil {
		return err
	}
	defer func() {
		stopErr := t.stop()
		if err == nil {
			err = stopErr
		}
	}()
	t.status(StateRunning, "")

	t.pollRetry = newBackoff(100*time.Millisecond, 30*time.Second)
	ticker := time.NewTicker(t.flushInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return t.finish()
		case <-ticker.C:
			t.commitOffsets(ctx)
		default:
		}
		if err := t.asyncFailure(); err != nil {
			return err
		}
		if paused, _ := t.pause.get(); paused {
			t.commitOffsets(ctx)
			t.status(StatePaused, "")
			if !waitUnpaused(ctx, t.pause) {
				return t.finish()
			}
			t.status(StateRunning, "")
			continue
		}
		recs, err := t.poll(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return t.finish()
			}
			if connect.IsRetriable(err) {
				// Poll again after a growing delay, not at once: a source whose system is
				// down would otherwise spin and log in a tight loop.
				wait := t.pollRetry.next()
				t.limit.Log(t.log, slog.LevelWarn, "source task poll failed with a retriable error; polling again", "error", err, "backoff", wait.Round(time.Millisecond))
				if !sleepCtx(ctx, wait) {
					return t.finish()
				}
				continue
			}
			return fmt.Errorf("task %s: poll: %w", t.id, err)
		}
		t.pollRetry.reset()
		for _, rec := range recs {
			if err := t.send(ctx, rec); err != nil {
				if ctx.Err() != nil {
					return t.finish()
				}
				return err
			}
		}
	}
}

func (t *sourceTask) start() (err error) {
	defer recoverTo(&err, "SourceTask.Start")
	sctx := sourceTaskContext{cfg: t.config, reader: offsetReader{store: t.offsets, connector: t.id.Connector}}
	if err := t.task.Start(sctx, t.config); err != nil {
		return fmt.Errorf("task %s: start: %w", t.id, err)
	}
	return nil
}

func (t *sourceTask) poll(ctx context.Context) (recs []*connect.SourceRecord, err error) {
	defer recoverTo(&err, "SourceTask.Poll")
	return t.task.Poll(ctx)
}

func (t *sourceTask) stop() (err error) {
	defer recoverTo(&err, "SourceTask.Stop")
	if err := t.task.Stop(); err != nil {
		return fmt.Errorf("task %s: stop: %w", t.id, err)
	}
	return nil
}

// send transforms, converts and hands one record to the producer. Records are tracked before
// the producer sees them so their offsets stay in submission order.
func (t *sourceTask) send(ctx context.Context, src *connect.SourceRecord) error {
	rec := src.Record // the chain works on a copy; src stays as the task made it
	var out *connect.Record
	err := t.policy.run(ctx, stageTransformation, func() string { return describeRecord(&rec) }, func() error {
		var err error
		out, err = t.chain.apply(&rec)
		return err
	})
	if err == nil && out == nil {
		err = errSkipped // dropped by a transformation
	}
	if err != nil {
		return t.drop(src, err)
	}
	if t.onTopic != nil {
		if g := t.topicsGen.Load(); g != t.seenGen || t.seen == nil {
			// A topic-tracking reset happened: report topics again.
			t.seen, t.seenGen = map[string]bool{}, g
		}
		if !t.seen[out.Topic] {
			t.seen[out.Topic] = true
			t.onTopic(out.Topic)
		}
	}
	msg := &sarama.ProducerMessage{Topic: out.Topic, Timestamp: out.Timestamp}
	var hdrs connect.Headers = out.Headers
	if err := t.policy.run(ctx, stageKeyConverter, func() string { return describeRecord(out) }, func() error {
		b, err := t.conv.key.FromConnectData(out.Topic, &hdrs, out.KeySchema, out.Key)
		if b != nil {
			msg.Key = sarama.ByteEncoder(b)
		}
		return err
	}); err != nil {
		return t.drop(src, err)
	}
	if err := t.policy.run(ctx, stageValueConverter, func() string { return describeRecord(out) }, func() error {
		b, err := t.conv.value.FromConnectData(out.Topic, &hdrs, out.ValueSchema, out.Value)
		if b != nil {
			msg.Value = sarama.ByteEncoder(b)
		}
		return err
	}); err != nil {
		return t.drop(src, err)
	}
	if len(hdrs) > 0 {
		if err := t.policy.run(ctx, stageHeaderConv, func() string { return describeRecord(out) }, func() error {
			msg.Headers = make([]sarama.RecordHeader, 0, len(hdrs))
			for _, h := range hdrs {
				b, err := t.conv.header.FromConnectHeader(out.Topic, h.Key, h.Schema, h.Value)
				if err != nil {
					return fmt.Errorf("header %q: %w", h.Key, err)
				}
				msg.Headers = append(msg.Headers, sarama.RecordHeader{Key: []byte(h.Key), Value: b})
			}
			return nil
		}); err != nil {
			return t.drop(src, err)
		}
	}
	sub, err := t.tracker.submit(src.SourcePartition, src.SourceOffset, src)
	if err != nil {
		return fmt.Errorf("task %s: source partition %s: %w", t.id, DescribePartition(src.SourcePartition), JSONValueError(err))
	}
	sub.partition = out.Partition
	if out.Partition < 0 {
		sub.partition = -1
	}
	msg.Metadata = sub
	select {
	case t.producer.Input() <- msg:
		return nil
	case <-ctx.Done():
		// Never handed to the producer: forget it without committing its offset.
		t.tracker.cancel(sub)
		return ctx.Err()
	}
}

// drop handles a record the pipeline could not or would not send. A tolerated or intended drop
// still advances the offset (Kafka commits offsets of skipped records); anything else fails
// the task.
func (t *sourceTask) drop(src *connect.SourceRecord, err error) error {
	if !errors.Is(err, errSkipped) {
		return fmt.Errorf("task %s: %w", t.id, err)
	}
	sub, serr := t.tracker.submit(src.SourcePartition, src.SourceOffset, src)
	if serr != nil {
		return fmt.Errorf("task %s: source partition %s: %w", t.id, DescribePartition(src.SourcePartition), JSONValueError(serr))
	}
	t.tracker.ack(sub)
	t.commitRecord(src, nil)
	return nil
}

// handleResults consumes the producer's acknowledgements until the producer is closed.
func (t *sourceTask) handleResults() {
	succ, errs := t.producer.Successes(), t.producer.Errors()
	for succ != nil || errs != nil {
		select {
		case m, ok := <-succ:
			if !ok {
				succ = nil
				continue
			}
			sub := m.Metadata.(*submitted)
			t.tracker.ack(sub)
			t.commitRecord(sub.rec.(*connect.SourceRecord), &connect.RecordMetadata{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, Timestamp: m.Timestamp})
		case pe, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			sub := pe.Msg.Metadata.(*submitted)
			if t.policy.tolerateAll {
				if t.policy.logErrors {
					t.log.Error("failed to send record, skipping it (errors.tolerance=all)", "topic", pe.Msg.Topic, "error", pe.Err)
				}
				t.tracker.ack(sub)
				t.commitRecord(sub.rec.(*connect.SourceRecord), nil)
				continue
			}
			t.failMu.Lock()
			if t.failure == nil {
				t.failure = fmt.Errorf("task %s: stage %s: send to topic %s failed: %w", t.id, stageKafkaProduce, pe.Msg.Topic, pe.Err)
			}
			t.failMu.Unlock()
		}
	}
}

func (t *sourceTask) asyncFailure() error {
	t.failMu.Lock()
	defer t.failMu.Unlock()
	return t.failure
}

func (t *sourceTask) commitRecord(rec *connect.SourceRecord, meta *connect.RecordMetadata) {
	rc, ok := t.task.(connect.RecordCommitter)
	if !ok {
		return
	}
	t.commitMu.Lock()
	defer t.commitMu.Unlock()
	if err := rc.CommitRecord(rec, meta); err != nil {
		t.limit.Log(t.log, slog.LevelWarn, "the source task failed to commit a record", "error", err)
	}
}

// commitOffsets writes the committable offsets to the store, then tells the task.
func (t *sourceTask) commitOffsets(ctx context.Context) {
	ready := t.tracker.take()
	if len(ready) > 0 {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.flushTimeout)
		err := t.offsets.CommitOffsets(cctx, t.id, t.fence, ready)
		cancel()
		if errors.Is(err, ErrNotOwner) {
			// Deleted or moved: the new owner starts from the last committed offsets.
			t.log.Info("source offsets not committed: the task is no longer assigned here", "error", err)
			t.tracker.done(ready)
			return
		}
		if err != nil {
			t.limit.Log(t.log, slog.LevelError, "committing source offsets failed; they will be retried", "error", err)
			return
		}
		t.tracker.done(ready)
	}
	if c, ok := t.task.(connect.SourceTaskCommitter); ok {
		if err := c.Commit(); err != nil {
			t.limit.Log(t.log, slog.LevelWarn, "the source task failed to commit", "error", err)
		}
	}
}

// finish waits (bounded by offset.flush.timeout.ms) for outstanding records and commits their
// offsets: a graceful stop loses nothing and duplicates nothing.
func (t *sourceTask) finish() error {
	select {
	case <-t.tracker.waitDrained():
	case <-time.After(t.flushTimeout):
		t.log.Warn("timed out waiting for outstanding records before the final offset commit", "timeout", t.flushTimeout)
	}
	t.commitOffsets(context.Background())
	return t.asyncFailure()
}
