package runtime

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"

	"github.com/raftconnect/raftconnect/connect"
)

// sinkTask runs one sink task: consumer group `connect-<connector>` → converters →
// transforms → Put → Flush/PreCommit → commit of the group offsets.
//
// One goroutine (run's) owns the task and all its state; sarama's group callbacks hand it
// messages and rebalance events over channels and wait for it, so the task's methods are
// never called concurrently.
type sinkTask struct {
	id         TaskID
	config     map[string]string
	task       connect.SinkTask
	chain      *chain
	conv       *converters
	policy     errorPolicy
	client     sarama.Client
	group      sarama.ConsumerGroup
	topics     []string
	topicRe    *regexp.Regexp
	dlq        *deadLetterQueue
	status     statusFunc
	pause      *pauser
	log        *slog.Logger
	limit      *LogLimiter // shared by the worker's tasks: repeated lines are rate-limited
	maxRecords int
	groupID    string // the consumer group, for messages

	// rejoinTimeout and rejoinAttempts bound how long the task keeps trying to get back into
	// its consumer group: past both it fails with the last error instead of staying RUNNING
	// while delivering nothing. rejoinBase is the first retry delay, growing to rejoinMax.
	rejoinTimeout  time.Duration
	rejoinAttempts int
	rejoinBase     time.Duration
	rejoinMax      time.Duration
	// sessions counts consumer group sessions that started (Setup was called): a rejoin
	// that got that far succeeded, whatever ended the session later.
	sessions atomic.Uint64

	flushInterval time.Duration
	flushTimeout  time.Duration
	topicRefresh  time.Duration
	// onTopics is told the topics of each new assignment (KIP-558 topic tracking), and again
	// after a topic-tracking reset bumps topicsGen.
	onTopics  func(topics []string)
	topicsGen *atomic.Uint64
	seenGen   uint64

	msgs   chan claimMsg
	events chan groupEvent

	// Owned by the run goroutine.
	session     sarama.ConsumerGroupSession
	gen         int
	assignment  map[connect.TopicPartition]bool
	current     map[connect.TopicPartition]int64 // next offset after the last delivered record
	committed   map[connect.TopicPartition]int64
	seeks       map[connect.TopicPartition]int64
	taskPaused  map[connect.TopicPartition]bool
	wantCommit  bool
	backoff     time.Duration // requested by the task (SinkTaskContext.Backoff) for the next retry
	putRetry    *backoff      // delays of Put retries the task did not time itself
	restartCons chan struct{}
	// rewinding is set after a failed flush: until the group rejoins and consumption restarts
	// from the committed offsets, nothing is delivered or committed, so the records whose
	// flush failed are consumed again rather than skipped.
	rewinding bool
	// commitErrs carries the consumer group's asynchronous errors (failed offset commits).
	commitErrs <-chan error
}

type claimMsg struct {
	m   *sarama.ConsumerMessage
	gen int
}

type groupEvent struct {
	setup bool // true: partitions assigned; false: session ending
	sess  sarama.ConsumerGroupSession
	done  chan struct{}
}

// sinkTaskContext implements connect.SinkTaskContext on top of the owning goroutine's state;
// the task calls it only from Put/Flush/Open/Close, which run on that goroutine.
type sinkTaskContext struct{ t *sinkTask }

func (c sinkTaskContext) Config() map[string]string { return c.t.config }
func (c sinkTaskContext) Assignment() []connect.TopicPartition {
	return sortedTPs(c.t.assignment)
}
func (c sinkTaskContext) Seek(tp connect.TopicPartition, offset int64) { c.t.seeks[tp] = offset }
func (c sinkTaskContext) Pause(tps ...connect.TopicPartition) {
	for _, tp := range tps {
		c.t.taskPaused[tp] = true
	}
	c.t.group.Pause(groupPartitions(tps))
}
func (c sinkTaskContext) Resume(tps ...connect.TopicPartition) {
	for _, tp := range tps {
		delete(c.t.taskPaused, tp)
	}
	if paused, _ := c.t.pause.get(); !paused {
		c.t.group.Resume(groupPartitions(tps))
	}
}
func (c sinkTaskContext) Backoff(d time.Duration) { c.t.backoff = d }
func (c sinkTaskContext) RequestCommit()          { c.t.wantCommit = true }

func groupPartitions(tps []connect.TopicPartition) map[string][]int32 {
	out := map[string][]int32{}
	for _, tp := range tps {
		out[tp.Topic] = append(out[tp.Topic], tp.Partition)
	}
	return out
}

func sortedTPs(m map[connect.TopicPartition]bool) []connect.TopicPartition {
	out := make([]connect.TopicPartition, 0, len(m))
	for tp := range m {
		out = append(out, tp)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Topic != out[j].Topic {
			return out[i].Topic < out[j].Topic
		}
		return out[i].Partition < out[j].Partition
	})
	return out
}

// groupHandler adapts sarama's callbacks to the task goroutine.
type groupHandler struct{ t *sinkTask }

func (h groupHandler) Setup(s sarama.ConsumerGroupSession) error {
	h.t.sessions.Add(1)
	return h.t.sendEvent(s, true)
}

func (h groupHandler) Cleanup(s sarama.ConsumerGroupSession) error {
	return h.t.sendEvent(s, false)
}

func (h groupHandler) ConsumeClaim(s sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	gen := int(s.GenerationID())
	for {
		select {
		case m, ok := <-c.Messages():
			if !ok {
				return nil
			}
			select {
			case h.t.msgs <- claimMsg{m: m, gen: gen}:
			case <-s.Context().Done():
				return nil
			}
		case <-s.Context().Done():
			return nil
		}
	}
}

func (t *sinkTask) sendEvent(s sarama.ConsumerGroupSession, setup bool) error {
	ev := groupEvent{setup: setup, sess: s, done: make(chan struct{})}
	t.events <- ev
	<-ev.done
	return nil
}

// run executes the task until ctx is done or the task fails.
func (t *sinkTask) run(ctx context.Context) (err error) {
	defer t.chain.close()
	t.msgs = make(chan claimMsg, t.maxRecords)
	t.events = make(chan groupEvent)
	t.restartCons = make(chan struct{}, 1)
	t.assignment = map[connect.TopicPartition]bool{}
	t.current = map[connect.TopicPartition]int64{}
	t.committed = map[connect.TopicPartition]int64{}
	t.seeks = map[connect.TopicPartition]int64{}
	t.taskPaused = map[connect.TopicPartition]bool{}

	if paused, _ := t.pause.get(); paused {
		t.status(StatePaused, "")
		if !waitUnpaused(ctx, t.pause) {
			return nil
		}
	}
	if err := t.start(); err != nil {
		return err
	}
	t.status(StateRunning, "")

	consumeCtx, stopConsume := context.WithCancel(context.WithoutCancel(ctx))
	consumeDone := make(chan struct{})
	var consumeErr error
	go func() {
		defer close(consumeDone)
		consumeErr = t.consume(consumeCtx)
	}()
	t.commitErrs = t.group.Errors()

	loopErr := t.loop(ctx, consumeDone, &consumeErr)

	// Leave the group: sarama calls Cleanup, which commits what was delivered and closes the
	// partitions, so keep serving events until the consumer has stopped.
	stopConsume()
	for consumeRunning := true; consumeRunning; {
		select {
		case ev := <-t.events:
			t.handleEvent(ctx, ev, loopErr == nil)
		case <-consumeDone:
			consumeRunning = false
		case <-t.msgs:
		}
	}
	stopErr := t.stop()
	if loopErr != nil {
		return loopErr
	}
	return stopErr
}

func (t *sinkTask) start() (err error) {
	defer recoverTo(&err, "SinkTask.Start")
	if err := t.task.Start(sinkTaskContext{t}, t.config); err != nil {
		return fmt.Errorf("task %s: start: %w", t.id, err)
	}
	return nil
}

func (t *sinkTask) stop() (err error) {
	defer recoverTo(&err, "SinkTask.Stop")
	if err := t.task.Stop(); err != nil {
		return fmt.Errorf("task %s: stop: %w", t.id, err)
	}
	return nil
}

// Defaults of the rejoin bound: a task that could not get back into its group for five
// minutes and ten attempts fails. Kafka's consumer would retry forever while its task says
// RUNNING and delivers nothing; Kafka has no "degraded" state to show instead, so failing
// with the reason in the trace is what tells the user (and a restart, by the user or
// tooling, then starts from the committed offsets).
const (
	defaultRejoinTimeout  = 5 * time.Minute
	defaultRejoinAttempts = 10
	defaultRejoinBase     = 500 * time.Millisecond
	defaultRejoinMax      = 30 * time.Second
)

// consume keeps the group member joined until ctx is done, rejoining when the set of topics
// matching topics.regex changes or the task asked to rewind. Failed joins are retried with
// backoff; errors no retry can fix, or failing for longer than the rejoin bound, end it with
// an error that fails the task.
func (t *sinkTask) consume(ctx context.Context) error {
	retry := newBackoff(cmp.Or(t.rejoinBase, defaultRejoinBase), cmp.Or(t.rejoinMax, defaultRejoinMax))
	topicRetry := newBackoff(cmp.Or(t.rejoinBase, defaultRejoinBase), max(t.topicRefresh, time.Second))
	var (
		failingSince time.Time // first failure since the last session that started
		attempts     int
		seen         = t.sessions.Load()
	)
	for ctx.Err() == nil {
		topics, err := t.resolveTopics()
		if err != nil || len(topics) == 0 {
			wait := t.topicRefresh // no topic matches yet: look again at the refresh interval
			if err != nil {
				wait = topicRetry.next()
				t.limit.Log(t.log, slog.LevelWarn, "listing topics for topics.regex failed; retrying", "error", err, "backoff", wait.Round(time.Millisecond))
			}
			if !sleepCtx(ctx, wait) {
				return nil
			}
			continue
		}
		topicRetry.reset()
		sctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		if t.topicRe != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t.watchTopics(sctx, cancel, topics)
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-t.restartCons:
				cancel()
			case <-sctx.Done():
			}
		}()
		err = t.group.Consume(sctx, topics, groupHandler{t})
		cancel()
		wg.Wait()
		if n := t.sessions.Load(); n != seen {
			// A session started since the last failure: the member got back in.
			seen, attempts, failingSince = n, 0, time.Time{}
			retry.reset()
		}
		if err == nil || ctx.Err() != nil {
			continue
		}
		if errors.Is(err, sarama.ErrClosedConsumerGroup) {
			return err
		}
		if ferr := fatalGroupError(err, t.groupID); ferr != nil {
			return ferr
		}
		attempts++
		if failingSince.IsZero() {
			failingSince = time.Now()
		}
		limit := cmp.Or(t.rejoinTimeout, defaultRejoinTimeout)
		if since := time.Since(failingSince); attempts >= cmp.Or(t.rejoinAttempts, defaultRejoinAttempts) && since >= limit {
			return fmt.Errorf("could not rejoin consumer group %s for %v (%d attempts); the last attempt failed: %w",
				t.groupID, since.Round(time.Second), attempts, err)
		}
		wait := retry.next()
		t.limit.Log(t.log, slog.LevelWarn, "consumer group session ended with an error; rejoining",
			"group", t.groupID, "error", err, "attempt", attempts, "backoff", wait.Round(time.Millisecond))
		if !sleepCtx(ctx, wait) {
			return nil
		}
	}
	return nil
}

// fatalGroupError returns the error that fails the task when err is one that retrying the
// join cannot fix (a refused configuration, missing permissions), or nil. Being fenced by
// another member with this task's group.instance.id is not fatal: that member is usually the
// previous instance of this very task, still stopping after its stop timed out, and the new
// instance must win once the old one is gone; if it keeps happening the rejoin bound fails
// the task.
func fatalGroupError(err error, group string) error {
	switch {
	case errors.Is(err, sarama.ErrInvalidSessionTimeout):
		return fmt.Errorf("the broker refused the consumer's session timeout for group %s (set consumer.session.timeout.ms within the broker's group.min.session.timeout.ms and group.max.session.timeout.ms): %w", group, err)
	case errors.Is(err, sarama.ErrGroupAuthorizationFailed), errors.Is(err, sarama.ErrTopicAuthorizationFailed):
		return fmt.Errorf("not authorized to consume with group %s: %w", group, err)
	case errors.Is(err, sarama.ErrInconsistentGroupProtocol):
		return fmt.Errorf("group %s is used by consumers with another partition.assignment.strategy: %w", group, err)
	case errors.Is(err, sarama.ErrInvalidGroupId), errors.Is(err, sarama.ErrGroupMaxSizeReached):
		return fmt.Errorf("cannot join consumer group %s: %w", group, err)
	}
	return nil
}

func (t *sinkTask) resolveTopics() ([]string, error) {
	if t.topicRe == nil {
		return t.topics, nil
	}
	if err := t.client.RefreshMetadata(); err != nil {
		return nil, err
	}
	all, err := t.client.Topics()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, topic := range all {
		if t.topicRe.MatchString(topic) {
			out = append(out, topic)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (t *sinkTask) watchTopics(ctx context.Context, cancel context.CancelFunc, current []string) {
	tick := time.NewTicker(t.topicRefresh)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			now, err := t.resolveTopics()
			if err == nil && !slices.Equal(now, current) {
				t.log.Info("topics matching topics.regex changed; rejoining the group", "topics", now)
				cancel()
				return
			}
		}
	}
}

// loop is the task goroutine's main loop.
func (t *sinkTask) loop(ctx context.Context, consumeDone <-chan struct{}, consumeErr *error) error {
	ticker := time.NewTicker(t.flushInterval)
	defer ticker.Stop()
	batch := make([]claimMsg, 0, t.maxRecords)
	for {
		paused, pauseChanged := t.pause.get()
		msgs := t.msgs
		if paused {
			msgs = nil // hold records back while paused; the claims block and fetch stops
		}
		select {
		case <-ctx.Done():
			return nil
		case <-consumeDone:
			return fmt.Errorf("task %s: consumer stopped: %w", t.id, *consumeErr)
		case err, ok := <-t.commitErrs:
			if !ok {
				t.commitErrs = nil
				continue
			}
			// A failed commit leaves the group behind what we recorded; forget our record so
			// the next commit writes the offsets again.
			t.limit.Log(t.log, slog.LevelWarn, "consumer group error; offsets will be committed again", "error", err)
			clear(t.committed)
		case ev := <-t.events:
			if err := t.handleEvent(ctx, ev, true); err != nil {
				return err
			}
		case <-pauseChanged:
			if p, _ := t.pause.get(); p {
				t.group.PauseAll()
				if err := t.commit(ctx); err != nil {
					return err
				}
				t.status(StatePaused, "")
			} else {
				t.group.ResumeAll()
				if len(t.taskPaused) > 0 {
					t.group.Pause(groupPartitions(sortedTPs(t.taskPaused)))
				}
				t.status(StateRunning, "")
			}
		case <-ticker.C:
			if t.onTopics != nil && t.topicsGen != nil && t.session != nil {
				if g := t.topicsGen.Load(); g != t.seenGen {
					t.seenGen = g
					t.onTopics(slices.Collect(maps.Keys(t.session.Claims())))
				}
			}
			// Kafka calls put with an empty batch when nothing arrived, so sinks that write on
			// a timer (rolling files) get called.
			if t.session != nil && !t.rewinding {
				if err := t.put(ctx, nil); err != nil && !connect.IsRetriable(err) {
					return fmt.Errorf("task %s: stage %s: %w", t.id, stageTaskPut, err)
				}
			}
			if err := t.commit(ctx); err != nil {
				return err
			}
		case m := <-msgs:
			batch = append(batch[:0], m)
		drain:
			for len(batch) < t.maxRecords {
				select {
				case m := <-t.msgs:
					batch = append(batch, m)
				default:
					break drain
				}
			}
			if err := t.deliver(ctx, batch); err != nil {
				return err
			}
		}
		if t.wantCommit {
			t.wantCommit = false
			if err := t.commit(ctx); err != nil {
				return err
			}
		}
		if len(t.seeks) > 0 && t.session != nil {
			t.moveOffsets(true)
		}
	}
}

func (t *sinkTask) handleEvent(ctx context.Context, ev groupEvent, commit bool) (err error) {
	defer close(ev.done)
	t.log.Debug("consumer group event", "setup", ev.setup, "generation", ev.sess.GenerationID(), "claims", ev.sess.Claims())
	if ev.setup {
		t.session = ev.sess
		t.gen = int(ev.sess.GenerationID())
		var assigned []connect.TopicPartition
		for topic, parts := range ev.sess.Claims() {
			for _, p := range parts {
				tp := connect.TopicPartition{Topic: topic, Partition: p}
				assigned = append(assigned, tp)
				t.assignment[tp] = true
			}
		}
		sort.Slice(assigned, func(i, j int) bool {
			return assigned[i].Topic < assigned[j].Topic || assigned[i].Topic == assigned[j].Topic && assigned[i].Partition < assigned[j].Partition
		})
		if t.onTopics != nil {
			t.onTopics(slices.Collect(maps.Keys(ev.sess.Claims())))
		}
		t.rewinding = false
		if pt, ok := t.task.(connect.PartitionTracker); ok && len(assigned) > 0 {
			if err := callOpen(pt, assigned); err != nil {
				return fmt.Errorf("task %s: open partitions: %w", t.id, err)
			}
		}
		// Seeks requested in Open apply before the claims start: sarama starts each claim
		// at its partition's next offset, so no rejoin is needed.
		t.moveOffsets(false)
		if paused, _ := t.pause.get(); paused {
			t.group.PauseAll()
		} else if len(t.taskPaused) > 0 {
			t.group.Pause(groupPartitions(sortedTPs(t.taskPaused)))
		}
		return nil
	}
	// The session ends: commit what was delivered, then close the partitions.
	if commit && !t.rewinding {
		err = t.commit(ctx)
	}
	revoked := sortedTPs(t.assignment)
	if pt, ok := t.task.(connect.PartitionTracker); ok && len(revoked) > 0 {
		if cerr := callClose(pt, revoked); cerr != nil && err == nil {
			err = fmt.Errorf("task %s: close partitions: %w", t.id, cerr)
		}
	}
	clear(t.assignment)
	clear(t.current)
	clear(t.committed)
	t.session = nil
	return err
}

func callOpen(pt connect.PartitionTracker, tps []connect.TopicPartition) (err error) {
	defer recoverTo(&err, "SinkTask.Open")
	return pt.Open(tps)
}

func callClose(pt connect.PartitionTracker, tps []connect.TopicPartition) (err error) {
	defer recoverTo(&err, "SinkTask.Close")
	return pt.Close(tps)
}

// deliver converts and transforms a batch and hands it to Put, redelivering the same batch
// after a retriable failure.
func (t *sinkTask) deliver(ctx context.Context, batch []claimMsg) error {
	if t.rewinding {
		return nil // consumed again from the committed offsets after the rejoin
	}
	recs := make([]*connect.SinkRecord, 0, len(batch))
	advanced := make(map[connect.TopicPartition]int64, 4)
	for _, cm := range batch {
		if cm.gen != t.gen || t.session == nil {
			continue // from a session that has ended: its partitions may be elsewhere now
		}
		m := cm.m
		tp := connect.TopicPartition{Topic: m.Topic, Partition: m.Partition}
		advanced[tp] = m.Offset + 1
		rec, err := t.convert(ctx, m)
		if err != nil {
			if errors.Is(err, errSkipped) {
				continue
			}
			return err
		}
		if rec != nil {
			recs = append(recs, rec)
		}
	}
	t.log.Debug("delivering batch", "messages", len(batch), "records", len(recs), "partitions", len(advanced))
	if len(advanced) == 0 {
		return nil
	}
	for {
		err := t.put(ctx, recs)
		if err == nil {
			break
		}
		if !connect.IsRetriable(err) {
			return fmt.Errorf("task %s: stage %s: %w", t.id, stageTaskPut, err)
		}
		if t.putRetry == nil {
			t.putRetry = newBackoff(250*time.Millisecond, 30*time.Second)
		}
		// A delay the task asked for (SinkTaskContext.Backoff, Kafka's context.timeout) is
		// used as it is; otherwise the delay grows with each failure of the batch.
		wait := t.backoff
		if wait <= 0 {
			wait = t.putRetry.next()
		}
		t.backoff = 0
		t.limit.Log(t.log, slog.LevelWarn, "sink task Put failed with a retriable error; redelivering the batch", "error", err, "backoff", wait.Round(time.Millisecond))
		gen := t.gen
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-timer.C:
		case ev := <-t.events:
			timer.Stop()
			// A rebalance while waiting: serve it (the group cannot wait for us), and drop
			// the batch if its partitions were revoked; whoever owns them consumes it again.
			if err := t.handleEvent(ctx, ev, true); err != nil {
				return err
			}
			if t.gen != gen || t.session == nil {
				return nil
			}
		}
	}
	if t.putRetry != nil {
		t.putRetry.reset()
	}
	maps.Copy(t.current, advanced)
	return nil
}

func (t *sinkTask) put(ctx context.Context, recs []*connect.SinkRecord) (err error) {
	defer recoverTo(&err, "SinkTask.Put")
	return t.task.Put(ctx, recs)
}

// convert turns a consumer message into a sink record. errSkipped means the error policy (or a
// transformation) dropped it.
func (t *sinkTask) convert(ctx context.Context, m *sarama.ConsumerMessage) (*connect.SinkRecord, error) {
	rec := &connect.SinkRecord{
		Record:            connect.Record{Topic: m.Topic, Partition: m.Partition, Timestamp: m.Timestamp},
		Offset:            m.Offset,
		TimestampType:     connect.CreateTime,
		OriginalTopic:     m.Topic,
		OriginalPartition: m.Partition,
		OriginalOffset:    m.Offset,
	}
	describe := func() string { return fmt.Sprintf("topic=%s partition=%d offset=%d", m.Topic, m.Partition, m.Offset) }
	fail := func(stage string, err error) (*connect.SinkRecord, error) {
		if t.dlq != nil && (errors.Is(err, errSkipped) || isTolerance(err)) {
			t.dlq.report(ctx, t.id, m, stage, err)
		}
		if errors.Is(err, errSkipped) {
			return nil, err
		}
		return nil, fmt.Errorf("task %s: %w", t.id, err)
	}
	if len(m.Headers) > 0 {
		if err := t.policy.run(ctx, stageHeaderConv, describe, func() error {
			rec.Headers = make(connect.Headers, 0, len(m.Headers))
			for _, h := range m.Headers {
				sv, err := t.conv.header.ToConnectHeader(m.Topic, string(h.Key), h.Value)
				if err != nil {
					return fmt.Errorf("header %q: %w", h.Key, err)
				}
				rec.Headers = append(rec.Headers, connect.Header{Key: string(h.Key), Schema: sv.Schema, Value: sv.Value})
			}
			return nil
		}); err != nil {
			return fail(stageHeaderConv, err)
		}
	}
	if err := t.policy.run(ctx, stageKeyConverter, describe, func() error {
		sv, err := t.conv.key.ToConnectData(m.Topic, rec.Headers, m.Key)
		rec.KeySchema, rec.Key = sv.Schema, sv.Value
		return err
	}); err != nil {
		return fail(stageKeyConverter, err)
	}
	if err := t.policy.run(ctx, stageValueConverter, describe, func() error {
		sv, err := t.conv.value.ToConnectData(m.Topic, rec.Headers, m.Value)
		rec.ValueSchema, rec.Value = sv.Schema, sv.Value
		return err
	}); err != nil {
		return fail(stageValueConverter, err)
	}
	var out *connect.Record
	if err := t.policy.run(ctx, stageTransformation, describe, func() error {
		var err error
		out, err = t.chain.apply(&rec.Record)
		return err
	}); err != nil {
		return fail(stageTransformation, err)
	}
	if out == nil {
		return nil, errSkipped
	}
	if out != &rec.Record {
		rec.Record = *out
	}
	return rec, nil
}

func isTolerance(err error) bool {
	var te *toleranceError
	return errors.As(err, &te)
}

// commit asks the task which offsets are durable (PreCommit, or Flush of everything delivered)
// and commits them to the consumer group.
func (t *sinkTask) commit(ctx context.Context) error {
	if t.session == nil || len(t.current) == 0 || t.rewinding {
		return nil
	}
	offsets := make(map[connect.TopicPartition]int64, len(t.current))
	changed := false
	for tp, off := range t.current {
		if t.assignment[tp] {
			offsets[tp] = off
			if t.committed[tp] != off {
				changed = true
			}
		}
	}
	if !changed {
		return nil
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.flushTimeout)
	defer cancel()
	toCommit, err := t.preCommit(fctx, offsets)
	if err != nil {
		// Kafka rewinds to the last committed offsets so nothing the task failed to write is
		// lost: rejoin, which restarts consumption from the committed offsets.
		t.limit.Log(t.log, slog.LevelError, "flushing the sink task failed; rewinding to the last committed offsets", "error", err)
		clear(t.current)
		t.rewinding = true
		select {
		case t.restartCons <- struct{}{}:
		default:
		}
		return nil
	}
	marked := false
	for tp, off := range toCommit {
		if !t.assignment[tp] || off > offsets[tp] || off <= t.committed[tp] {
			continue // only offsets we delivered, for partitions we own, and only forward
		}
		t.session.MarkOffset(tp.Topic, tp.Partition, off, "")
		t.committed[tp] = off
		marked = true
	}
	if marked {
		t.session.Commit()
	}
	return nil
}

func (t *sinkTask) preCommit(ctx context.Context, offsets map[connect.TopicPartition]int64) (out map[connect.TopicPartition]int64, err error) {
	defer recoverTo(&err, "SinkTask.Flush")
	if pc, ok := t.task.(connect.PreCommitter); ok {
		return pc.PreCommit(ctx, offsets)
	}
	if err := t.task.Flush(ctx, offsets); err != nil {
		return nil, err
	}
	return offsets, nil
}

// moveOffsets applies the positions the task asked for with Seek. Both directions work:
// ResetOffset only moves a partition's position back and MarkOffset only forward. From Setup
// (rejoin false) the claims have not started yet and begin at the new positions; later seeks
// commit the positions and rejoin so consumption restarts there.
func (t *sinkTask) moveOffsets(rejoin bool) {
	if len(t.seeks) == 0 {
		return
	}
	for tp, off := range t.seeks {
		if t.assignment[tp] {
			t.session.ResetOffset(tp.Topic, tp.Partition, off, "")
			t.session.MarkOffset(tp.Topic, tp.Partition, off, "")
			t.committed[tp] = off
			delete(t.current, tp)
		}
	}
	clear(t.seeks)
	t.session.Commit()
	if rejoin {
		select {
		case t.restartCons <- struct{}{}:
		default:
		}
	}
}
