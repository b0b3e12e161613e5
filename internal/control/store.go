package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/internal/runtime"
	"github.com/raftconnect/raftconnect/raftstore"
)

// storeWriter is the one place where this worker writes to the Raft store: REST requests,
// leader duties, worker registration, and what the runtime reports (statuses, offsets, task
// configs; it implements that part of runtime.Reporter). On the leader it applies writes
// itself; a follower forwards them to the leader's /internal/store/apply (forward.go), so the
// herder's code is the same on every worker and only this call differs.
//
// Offsets are JSON in the store; numbers come back as int64 when integral so tasks see the
// types they wrote (Kafka's JsonConverter gives Long for integral offsets too). Status updates
// are batched into few Raft entries: a burst of task state changes (a connector with many
// tasks starting) costs one fsync, not one per task.
type storeWriter struct {
	store *raftstore.Store
	// peers sends forwarded writes to the leader; nil for a one-node worker, which has no
	// leader but itself.
	peers    *peerClient
	workerID string // worker_id (host:port) of the statuses written
	log      *slog.Logger
	limit    *runtime.LogLimiter // a store that is down fails every batch: log that at a bounded rate
	in       chan raftstore.StatusUpdate
	commits  chan *offsetCommit
	done     chan struct{}

	// mu guards closed: a connector or task that outlived the shutdown deadline may still
	// report, and must not send on the closed channel.
	mu     sync.RWMutex
	closed bool
}

func newStoreWriter(store *raftstore.Store, peers *peerClient, workerID string, log *slog.Logger, limit *runtime.LogLimiter) *storeWriter {
	return &storeWriter{store: store, peers: peers, workerID: workerID, log: log, limit: limit,
		in: make(chan raftstore.StatusUpdate, 1024), commits: make(chan *offsetCommit, 1024), done: make(chan struct{})}
}

// offsetCommit is one task's offset commit waiting for the writer's next entry.
type offsetCommit struct {
	cmd  raftstore.CommitOffsets
	done chan error // buffered: the writer never blocks on a caller that gave up
}

// apply writes commands a REST request asked for, on whichever worker the request arrived:
// during an election it waits for the next leader (bounded by the request's context) rather
// than answer 409, and it returns once this worker's state holds the write, so the request's
// answer and the client's next read see it.
func (w *storeWriter) apply(ctx context.Context, cmds ...raftstore.Command) ([]raftstore.Result, error) {
	return w.applyAnywhere(ctx, true, cmds...)
}

// write applies commands of the leader's own duties (assignments, joins) as they are. It is
// never forwarded: what a worker computed as leader is stale once it is not the leader, and
// the new leader computes its own.
func (w *storeWriter) write(ctx context.Context, cmds ...raftstore.Command) ([]raftstore.Result, error) {
	return w.store.Apply(ctx, cmds...)
}

// registerWorker records this worker in the store, through the leader.
func (w *storeWriter) registerWorker(ctx context.Context, cmd raftstore.RegisterWorker) error {
	res, err := w.applyAnywhere(ctx, true, cmd)
	if err != nil {
		return err
	}
	return res[0].Err
}

// ReadOffset implements runtime.Reporter.
func (w *storeWriter) ReadOffset(connector string, partition map[string]any) (map[string]any, error) {
	raw, err := json.Marshal(partition)
	if err != nil {
		return nil, fmt.Errorf("source partition %s: %w", runtime.DescribePartition(partition), runtime.JSONValueError(err))
	}
	off, ok, err := w.store.Offset(connector, raw)
	if err != nil || !ok {
		return nil, err
	}
	m, err := decodeJSONMap(off)
	if err != nil {
		return nil, fmt.Errorf("stored offset of %s %s: %w", connector, raw, err)
	}
	return m, nil
}

// CommitOffsets implements runtime.Reporter.
func (w *storeWriter) CommitOffsets(ctx context.Context, id runtime.TaskID, fence runtime.Fence, offsets []runtime.CommittedOffset) error {
	entries := make([]raftstore.OffsetEntry, 0, len(offsets))
	for _, o := range offsets {
		var val json.RawMessage
		if o.Offset == nil {
			val = json.RawMessage("null")
		} else {
			b, err := json.Marshal(o.Offset)
			if err != nil {
				return fmt.Errorf("offset %s of source partition %s: %w", runtime.DescribePartition(o.Offset), o.Key, runtime.JSONValueError(err))
			}
			val = b
		}
		entries = append(entries, raftstore.OffsetEntry{Partition: json.RawMessage(o.Key), Offset: val})
	}
	task := id.Task
	c := &offsetCommit{done: make(chan error, 1), cmd: raftstore.CommitOffsets{
		Connector: id.Connector, Task: &task,
		Fence:   raftstore.Fence{Worker: fence.Worker, Epoch: fence.Epoch},
		Entries: entries,
	}}
	// The writer's loop puts the commits of every task that flushes meanwhile, and pending
	// statuses, into one Raft entry: N tasks flushing together cost one fsync, not N. The
	// loop keeps them in order, so a task's later commit never lands before an earlier one.
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return errors.New("the worker is stopping: offsets not committed")
	}
	w.commits <- c
	w.mu.RUnlock()
	var err error
	select {
	case err = <-c.done:
	case <-ctx.Done():
		return fmt.Errorf("committing offsets: %w", ctx.Err())
	}
	if errors.Is(err, raftstore.ErrFenced) || errors.Is(err, raftstore.ErrNotFound) {
		return fmt.Errorf("%w: %w", runtime.ErrNotOwner, err)
	}
	return err
}

// PutTaskConfigs implements runtime.Reporter. The store does not fence task configs yet, so
// fence is unused until issue 7 adds generations.
func (w *storeWriter) PutTaskConfigs(ctx context.Context, connector string, fence runtime.Fence, config map[string]string, tasks []map[string]string) error {
	cur, ok := w.store.Connector(connector)
	if !ok || !maps.Equal(cur.Config, config) || cur.Target != raftstore.TargetStarted {
		return nil // deleted, reconfigured, paused or stopped meanwhile
	}
	if slices.EqualFunc(cur.Tasks, tasks, maps.Equal) {
		return nil
	}
	res, err := w.applyAnywhere(ctx, true, raftstore.PutTaskConfigs{Name: connector, Tasks: tasks})
	if err != nil {
		return err
	}
	return res[0].Err
}

// PutStatus implements runtime.Reporter: the update joins the next batch.
func (w *storeWriter) PutStatus(s runtime.Status) {
	trace := s.Trace
	if trace != "" {
		// A plugin's error may quote its config; the trace is shown by GET status.
		if c, ok := w.store.Connector(s.Connector); ok {
			for k, v := range c.Config {
				if connect.IsSecretKey(k) {
					trace = connect.RedactValue(trace, v)
				}
			}
		}
	}
	w.put(raftstore.StatusUpdate{
		Connector: s.Connector, Task: s.Task, State: s.State, Trace: trace, Worker: w.workerID,
		Fence: raftstore.Fence{Worker: s.Fence.Worker, Epoch: s.Fence.Epoch},
	})
}

func (w *storeWriter) put(u raftstore.StatusUpdate) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		w.log.Debug("status update after shutdown dropped", "connector", u.Connector, "state", u.State)
		return
	}
	w.in <- u
}

// run writes status batches until close.
func (w *storeWriter) run() {
	defer close(w.done)
	// failed holds statuses a batch could not write (no leader for 10 s, a store error): they
	// go again with the next batch, or after statusRetry when nothing new comes, so a state
	// change is never lost to a moment without a leader.
	var failed []raftstore.StatusUpdate
	for {
		statuses := failed
		failed = nil
		var commits []*offsetCommit
		closing := false
		var retry <-chan time.Time
		if len(statuses) > 0 {
			retry = time.After(statusRetry)
		}
		select {
		case <-retry:
		case u, ok := <-w.in:
			if !ok {
				closing = true
			} else {
				statuses = append(statuses, u)
			}
		case c := <-w.commits:
			commits = append(commits, c)
		}
	more:
		for !closing && len(statuses)+len(commits) < 256 {
			select {
			case u, ok := <-w.in:
				if !ok {
					closing = true
					break more
				}
				statuses = append(statuses, u)
			case c := <-w.commits:
				commits = append(commits, c)
			default:
				break more
			}
		}
		if closing {
			// No commit is sent once closed is set; write those already queued.
		drain:
			for {
				select {
				case c := <-w.commits:
					commits = append(commits, c)
				default:
					break drain
				}
			}
		}
		if !w.writeBatch(statuses, commits) && !closing {
			failed = latestStatuses(statuses)
		}
		if closing {
			return
		}
	}
}

// statusRetry is how soon statuses a batch could not write are tried again.
const statusRetry = time.Second

// latestStatuses keeps the newest update of each connector and task, in order.
func latestStatuses(us []raftstore.StatusUpdate) []raftstore.StatusUpdate {
	type unit struct {
		connector string
		task      int
	}
	key := func(u raftstore.StatusUpdate) unit {
		if u.Task == nil {
			return unit{u.Connector, -1}
		}
		return unit{u.Connector, *u.Task}
	}
	last := map[unit]int{}
	for i, u := range us {
		last[key(u)] = i
	}
	out := make([]raftstore.StatusUpdate, 0, len(last))
	for i, u := range us {
		if last[key(u)] == i {
			out = append(out, u)
		}
	}
	return out
}

// writeBatch writes statuses and offset commits as one entry and tells each commit its result.
// It reports whether the entry was written.
func (w *storeWriter) writeBatch(statuses []raftstore.StatusUpdate, commits []*offsetCommit) bool {
	if len(statuses) == 0 && len(commits) == 0 {
		return true
	}
	cmds := make([]raftstore.Command, 0, 1+len(commits))
	if len(statuses) > 0 {
		cmds = append(cmds, raftstore.PutStatuses{Updates: statuses})
	}
	for _, c := range commits {
		cmds = append(cmds, c.cmd)
	}
	// Not waiting for the local state: tasks read their offsets only when they start.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	res, err := w.applyAnywhere(ctx, false, cmds...)
	cancel()
	if err != nil {
		w.limit.Log(w.log, slog.LevelWarn, "writing statuses and offsets failed", "error", err, "statuses", len(statuses), "offset_commits", len(commits))
		for _, c := range commits {
			c.done <- err
		}
		return false
	}
	first := 0
	if len(statuses) > 0 {
		first = 1
		if res[0].Err != nil {
			w.log.Debug("some status updates were rejected", "error", res[0].Err)
		}
	}
	for i, c := range commits {
		c.done <- res[first+i].Err
	}
	return true
}

// close flushes pending status updates and stops the writer.
func (w *storeWriter) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.in)
	}
	w.mu.Unlock()
	<-w.done
}

// decodeJSONMap decodes a JSON object keeping integral numbers as int64.
func decodeJSONMap(raw []byte) (map[string]any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	for k, v := range m {
		m[k] = fromJSONNumber(v)
	}
	return m, nil
}

func fromJSONNumber(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = fromJSONNumber(e)
		}
	case []any:
		for i, e := range x {
			x[i] = fromJSONNumber(e)
		}
	}
	return v
}
