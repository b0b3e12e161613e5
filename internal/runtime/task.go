package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// Observed states, as Kafka Connect reports them in statuses.
const (
	StateUnassigned = "UNASSIGNED"
	StateRunning    = "RUNNING"
	StatePaused     = "PAUSED"
	StateFailed     = "FAILED"
	StateRestarting = "RESTARTING"
	StateStopped    = "STOPPED"
)

// Target states, as stored.
const (
	targetStarted = "STARTED"
	targetPaused  = "PAUSED"
	targetStopped = "STOPPED"
)

// TaskID names a task.
type TaskID struct {
	Connector string
	Task      int
}

func (t TaskID) String() string { return fmt.Sprintf("%s-%d", t.Connector, t.Task) }

// offsetStore is what source tasks and connectors need from the offset store (a part of
// Reporter).
type offsetStore interface {
	ReadOffset(connector string, partition map[string]any) (map[string]any, error)
	CommitOffsets(ctx context.Context, task TaskID, fence Fence, offsets []CommittedOffset) error
}

// statusFunc reports a state change of a connector or task; trace is set for FAILED.
type statusFunc func(state, trace string)

// pauser carries the target state to a running task: tasks block while paused.
type pauser struct {
	mu      sync.Mutex
	paused  bool
	changed chan struct{}
}

func newPauser(paused bool) *pauser { return &pauser{paused: paused, changed: make(chan struct{})} }

func (p *pauser) set(paused bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paused != paused {
		p.paused = paused
		close(p.changed)
		p.changed = make(chan struct{})
	}
}

func (p *pauser) get() (bool, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused, p.changed
}

// waitUnpaused blocks while the task is paused; it reports false when ctx ended first.
func waitUnpaused(ctx context.Context, p *pauser) bool {
	for {
		paused, changed := p.get()
		if !paused {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-changed:
		}
	}
}

// trace renders a failure for the status `trace` field in the user's terms: the error's
// message chain and, when a panic in plugin code was recovered, the panic's stack (what Kafka
// shows is a stack trace too). Go type names never appear: they mean nothing to a user.
func trace(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	if pe, ok := errors.AsType[*panicError](err); ok && len(pe.stack) > 0 {
		return msg + "\n" + strings.TrimRight(string(pe.stack), "\n")
	}
	return msg
}

// panicError is a panic in plugin code turned into an error. Its message is the panic value;
// the stack is kept apart so that log lines and wrapped messages stay one line, and trace
// adds it to the task's status.
type panicError struct {
	what  string // the plugin method, e.g. "SinkTask.Put"
	value any
	stack []byte
}

func (e *panicError) Error() string {
	return fmt.Sprintf("%s panicked: %s", e.what, describeValue(e.value))
}

// describeValue renders a value from plugin code (a panic value) for a user: errors and
// strings as they are, other values as JSON where possible, rather than Go's syntax.
func describeValue(v any) string {
	switch x := v.(type) {
	case error:
		return x.Error()
	case string:
		return x
	case []byte:
		return strconv.Quote(string(x))
	case nil:
		return "null"
	case fmt.Stringer:
		return x.String()
	}
	if b, err := json.Marshal(v); err == nil {
		return string(b)
	}
	return fmt.Sprint(v)
}

func (e *panicError) Unwrap() error {
	err, _ := e.value.(error)
	return err
}

// recoverTo turns a panic in plugin code into an error, so one bad plugin fails its task and
// not the worker.
func recoverTo(err *error, what string) {
	if r := recover(); r != nil {
		*err = &panicError{what: what, value: r, stack: debug.Stack()}
	}
}

// backoff is an exponential retry delay with jitter: each delay is drawn from the upper half
// of base·2ⁿ (capped at max), so retries of many tasks spread out instead of arriving in
// step, yet the delay still grows every attempt.
type backoff struct {
	base, max time.Duration
	attempt   int
	jitter    func(n int64) int64 // rand.Int64N; replaced in tests
}

func newBackoff(base, max time.Duration) *backoff {
	return &backoff{base: base, max: max, jitter: rand.Int64N}
}

// next returns the delay before the next attempt.
func (b *backoff) next() time.Duration {
	d := b.max
	if b.attempt < 62 && b.base<<b.attempt > 0 && b.base<<b.attempt < b.max {
		d = b.base << b.attempt
	}
	b.attempt++
	half := d / 2
	if half <= 0 {
		return d
	}
	return d - half + time.Duration(b.jitter(int64(half)+1))
}

// reset starts over after a success.
func (b *backoff) reset() { b.attempt = 0 }

// sleepCtx waits for d or until ctx is done; it reports whether the full wait elapsed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// LogLimiter keeps a log line that repeats (a retry's, a failing commit's) from flooding the
// log: the first occurrence of a message is logged, then at most one line per interval,
// which carries how many were suppressed since the last one. A worker shares one limiter
// among its tasks, so a thousand tasks failing the same way log about one line per interval,
// not a thousand; each task's status still shows its own failure. The zero value and nil log
// every line.
type LogLimiter struct {
	interval time.Duration
	now      func() time.Time // time.Now; replaced in tests

	mu    sync.Mutex
	state map[string]*limitState // by message
}

type limitState struct {
	last       time.Time
	suppressed int
}

// limiterMaxKeys bounds the limiter's memory; messages are constants, so this is never
// reached in practice, and past it lines are simply logged.
const limiterMaxKeys = 1024

// NewLogLimiter returns a limiter that logs a repeating message at most once per interval.
func NewLogLimiter(interval time.Duration) *LogLimiter {
	return &LogLimiter{interval: interval, now: time.Now, state: map[string]*limitState{}}
}

// Log logs msg at level unless the same message was logged less than an interval ago.
func (l *LogLimiter) Log(log *slog.Logger, level slog.Level, msg string, args ...any) {
	if l != nil && l.interval > 0 {
		l.mu.Lock()
		now := l.now()
		st := l.state[msg]
		switch {
		case st == nil:
			if len(l.state) < limiterMaxKeys {
				l.state[msg] = &limitState{last: now}
			}
		case now.Sub(st.last) < l.interval:
			st.suppressed++
			l.mu.Unlock()
			return
		default:
			if st.suppressed > 0 {
				args = append(args, "suppressed", st.suppressed, "suppressed_over", now.Sub(st.last).Round(time.Second).String())
			}
			st.last, st.suppressed = now, 0
		}
		l.mu.Unlock()
	}
	log.Log(context.Background(), level, msg, args...)
}

// offsetReader reads a connector's committed offsets from the store.
type offsetReader struct {
	store     offsetStore
	connector string
}

func (r offsetReader) Offset(partition map[string]any) (map[string]any, error) {
	return r.store.ReadOffset(r.connector, partition)
}

// describeRecord renders a record for error logs.
func describeRecord(r *connect.Record) string {
	return fmt.Sprintf("topic=%s partition=%d key=%s value=%s timestamp=%s", r.Topic, r.Partition,
		describeValue(r.Key), describeValue(r.Value), r.Timestamp.Format(time.RFC3339Nano))
}

// DescribePartition renders a source partition or offset as the user sees it in the REST
// API (JSON), not in Go's map syntax.
func DescribePartition(m map[string]any) string {
	if b, err := json.Marshal(m); err == nil {
		return string(b)
	}
	keys := slices.Sorted(maps.Keys(m))
	return "{" + strings.Join(keys, ", ") + "}"
}

// errNotJSON says, in the user's terms, why a source partition or offset cannot be stored.
var errNotJSON = errors.New("it holds a value that cannot be stored as JSON (only strings, numbers, booleans, null, lists and maps with string keys can be)")

// JSONValueError replaces encoding/json's errors about unsupported values, which name Go
// types, by errNotJSON.
func JSONValueError(err error) error {
	var ut *json.UnsupportedTypeError
	var uv *json.UnsupportedValueError
	var me *json.MarshalerError
	if errors.As(err, &ut) || errors.As(err, &uv) || errors.As(err, &me) {
		return errNotJSON
	}
	return err
}

// taskHandle is a running task instance.
type taskHandle struct {
	unit
	spec  TaskSpec // guarded by the Runtime's mu (SetPaused updates Paused)
	pause *pauser
}

func (h *taskHandle) base() *unit { return &h.unit }

// runTaskInstance runs a task until ctx is done or it fails, and reports a failure.
func (r *Runtime) runTaskInstance(ctx context.Context, h *taskHandle) {
	id, fence := h.spec.ID, h.spec.Fence
	t := id.Task
	status := func(state, tr string) { r.putStatus(id.Connector, &t, state, tr, fence) }
	err := r.runTask(ctx, h, status)
	if err != nil && ctx.Err() == nil {
		r.log.Error("task failed", "task", id.String(), "error", err)
		status(StateFailed, trace(err))
	} else if err != nil {
		r.log.Warn("task stopped with an error", "task", id.String(), "error", err)
	}
}

// runTask builds the task's pipeline and runs it until ctx is done or it fails.
func (r *Runtime) runTask(ctx context.Context, h *taskHandle, status statusFunc) error {
	id, connConfig := h.spec.ID, h.spec.ConnectorConfig
	log := r.log.With("task", id.String())
	p, err := connect.Lookup(connConfig[KeyConnectorClass])
	if err != nil {
		return err
	}
	ch, err := buildChain(connConfig)
	if err != nil {
		return err
	}
	conv, err := buildConverters(connConfig, r.cfg.Converters)
	if err != nil {
		ch.close()
		return err
	}
	switch conn := p.New().(type) {
	case connect.SourceConnector:
		producer, err := r.clients.newProducer(ctx, id, connConfig, log)
		if err != nil {
			ch.close()
			return err
		}
		st := &sourceTask{
			id: id, fence: h.spec.Fence, config: h.spec.Config, connConfig: connConfig, task: conn.NewTask(),
			chain: ch, conv: conv, policy: newErrorPolicy(connConfig, log), producer: producer,
			offsets: r.rep, tracker: newOffsetTracker(), status: status, pause: h.pause, log: log,
			flushInterval: r.cfg.OffsetFlushInterval, flushTimeout: r.cfg.OffsetFlushTimeout,
			onTopic:   func(topic string) { r.rep.TrackTopic(id.Connector, topic) },
			topicsGen: &r.topicsGen,
			limit:     r.limit,
		}
		return st.run(ctx)
	case connect.SinkConnector:
		topics, re, err := SinkTopics(h.spec.Config)
		if err != nil {
			ch.close()
			return err
		}
		sk := &sinkTask{
			id: id, config: h.spec.Config, task: conn.NewTask(), chain: ch, conv: conv,
			policy: newErrorPolicy(connConfig, log), topics: topics, topicRe: re, status: status,
			pause: h.pause, log: log, limit: r.limit, maxRecords: 500,
			flushInterval: r.cfg.OffsetFlushInterval, flushTimeout: r.cfg.OffsetFlushTimeout, topicRefresh: 5 * time.Second,
			onTopics: func(topics []string) {
				for _, t := range topics {
					r.rep.TrackTopic(id.Connector, t)
				}
			},
			topicsGen: &r.topicsGen,
		}
		if n, err := strconv.Atoi(r.cfg.Consumer["max.poll.records"]); err == nil && n > 0 {
			sk.maxRecords = n
		}
		if n, err := strconv.Atoi(connConfig["consumer.override.max.poll.records"]); err == nil && n > 0 {
			sk.maxRecords = n
		}
		client, group, groupID, err := r.clients.newConsumerGroup(ctx, id, connConfig, log)
		if err != nil {
			ch.close()
			return err
		}
		sk.groupID = groupID
		defer client.Close()
		defer group.Close()
		sk.client, sk.group = client, group
		if dlqTopic := connConfig[KeyDLQTopic]; dlqTopic != "" {
			dlq, err := r.clients.newDLQ(id, connConfig, dlqTopic, log)
			if err != nil {
				ch.close()
				return err
			}
			defer dlq.close()
			sk.dlq = dlq
		}
		return sk.run(ctx)
	}
	ch.close()
	return fmt.Errorf("%s is neither a source nor a sink connector", p.Class)
}
