// Package worker is raftconnect's runtime: it reconciles what the Raft store says should run
// (connectors, task configs, target states, assignments) with what runs on this worker, runs
// source and sink tasks, commits their offsets, reports their statuses, and serves the REST
// API's herder interface. Plugins never import it.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/internal/kafkaclient"
	"github.com/raftconnect/raftconnect/internal/workerconfig"
	"github.com/raftconnect/raftconnect/raftstore"
)

// Options configure a Worker.
type Options struct {
	Config *workerconfig.Config
	Store  *raftstore.Store
	// WorkerID is the advertised host:port shown as worker_id in statuses.
	WorkerID string
	// RestURL is the advertised REST URL other workers use.
	RestURL string
	Logger  *slog.Logger
	// Version and Commit are reported by GET /.
	Version string
	Commit  string
}

// Worker runs connectors and tasks assigned to this node.
type Worker struct {
	cfg      *workerconfig.Config
	store    *raftstore.Store
	id       string // worker_id (host:port)
	node     string // Raft node id, the key of assignments
	restURL  string
	log      *slog.Logger
	version  string
	commit   string
	offsets  storeOffsets
	statuses *statusWriter
	ready    atomic.Bool
	started  time.Time
	kick     chan struct{}
	// limit rate-limits log lines that repeat per retry, across all of this worker's tasks.
	limit *logLimiter

	mu         sync.Mutex
	connectors map[string]*connRunner
	tasks      map[taskID]*taskHandle
	restartSeq uint64
	restarted  *sync.Cond // signalled when restartSeq advances

	// topicsMu is separate from mu: tasks record topics while reconcile (holding mu) may be
	// waiting for them to stop.
	topicsMu  sync.Mutex
	topics    map[string]map[string]bool
	topicsGen atomic.Uint64 // bumped by ResetConnectorTopics so tasks report topics again

	clusterMu    sync.Mutex
	clusterID    string
	clusterKnown chan struct{} // closed once clusterID is set
}

// New returns a worker; Run starts it.
func New(o Options) *Worker {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	w := &Worker{
		cfg: o.Config, store: o.Store, id: o.WorkerID, node: o.Store.NodeID(), restURL: o.RestURL,
		log: o.Logger, version: o.Version, commit: o.Commit,
		offsets:    storeOffsets{store: o.Store, worker: o.Store.NodeID()},
		statuses:   newStatusWriter(o.Store, o.Logger),
		kick:       make(chan struct{}, 1),
		limit:      newLogLimiter(logRepeatInterval),
		connectors: map[string]*connRunner{},
		tasks:      map[taskID]*taskHandle{},
		topics:     map[string]map[string]bool{},
		started:    time.Now(),

		clusterKnown: make(chan struct{}),
	}
	w.restarted = sync.NewCond(&w.mu)
	w.statuses.limit = w.limit
	return w
}

// logRepeatInterval is how often a repeating log line (a retry's) is logged at most.
const logRepeatInterval = 30 * time.Second

// Ready reports whether the worker has completed its first reconciliation.
func (w *Worker) Ready() bool { return w.ready.Load() }

// Run reconciles until ctx is done, then stops every connector and task within
// task.shutdown.graceful.timeout.ms and returns.
func (w *Worker) Run(ctx context.Context) error {
	statusDone := make(chan struct{})
	go func() {
		defer close(statusDone)
		w.statuses.run()
	}()
	defer func() {
		w.statuses.close()
		<-statusDone
	}()

	lookupDone := make(chan struct{})
	go func() {
		defer close(lookupDone)
		w.lookupClusterID(ctx)
	}()
	defer func() { <-lookupDone }()

	if err := w.store.WaitForLeader(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("waiting for the Raft store: %w", err)
	}
	if w.store.IsLeader() {
		if _, err := w.store.ApplyOne(ctx, raftstore.RegisterWorker{ID: w.node, RestURL: w.restURL, RaftAddr: w.store.Addr()}); err != nil {
			return fmt.Errorf("registering worker %s: %w", w.node, err)
		}
	}
	w.mu.Lock()
	w.restartSeq = w.store.Snapshot().RestartSeq
	w.mu.Unlock()

	changes, unsubscribe := w.store.Subscribe()
	defer unsubscribe()
	heal := time.NewTicker(5 * time.Second)
	defer heal.Stop()

	w.reconcile(ctx)
	w.ready.Store(true)
	w.log.Info("worker started", "worker_id", w.id, "node", w.node, "startup", time.Since(w.started).Round(time.Millisecond))
	for {
		select {
		case <-ctx.Done():
			w.shutdown()
			return nil
		case <-changes:
		case <-w.kick:
		case <-heal.C:
		}
		w.reconcile(ctx)
	}
}

// reconcile makes the running set match the store. It is idempotent: a missed notification is
// healed by the next call.
func (w *Worker) reconcile(ctx context.Context) {
	st := w.store.Snapshot()
	// Stop what should no longer run before the leader rewrites assignments: a stopping
	// source task's final offset commit is fenced by its assignment, which must still exist.
	w.stopUnwanted(st)
	if w.store.IsLeader() && w.leaderDuties(ctx, st) {
		return // the new assignment triggers another reconcile
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, name := range st.ConnectorNames() {
		c := st.Connectors[name]
		if a, ok := st.ConnectorAssignments[name]; ok && a.Worker == w.node && w.connectors[name] == nil {
			w.connectors[name] = w.startConnector(ctx, c, a.Epoch)
		}
		for i, tc := range c.Tasks {
			id := taskID{name, i}
			a, ok := st.TaskAssignments[raftstore.TaskID{Connector: name, Task: i}]
			if ok && a.Worker == w.node && w.tasks[id] == nil {
				w.tasks[id] = w.startTask(ctx, id, c, tc, a.Epoch)
			}
		}
	}
	w.executeRestarts(ctx, st)
}

// stopUnwanted stops connectors and tasks the store no longer assigns to this worker, or whose
// configuration changed (a task also restarts when its connector's framework settings such
// as transforms or converters change), and applies target states to the rest.
func (w *Worker) stopUnwanted(st *raftstore.State) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var stopping []stopper
	for name, r := range w.connectors {
		c, ok := st.Connectors[name]
		a := st.ConnectorAssignments[name]
		if !ok || a.Worker != w.node || a.Epoch != r.epoch || !maps.Equal(c.Config, r.config) {
			stopping = append(stopping, r)
			delete(w.connectors, name)
			continue
		}
		r.setTarget(string(c.Target))
	}
	for id, h := range w.tasks {
		c, ok := st.Connectors[id.Connector]
		a := st.TaskAssignments[raftstore.TaskID{Connector: id.Connector, Task: id.Task}]
		if !ok || id.Task >= len(c.Tasks) || a.Worker != w.node || a.Epoch != h.epoch ||
			!maps.Equal(c.Tasks[id.Task], h.config) || !maps.Equal(c.Config, h.connConfig) {
			stopping = append(stopping, h)
			delete(w.tasks, id)
			continue
		}
		h.pause.set(c.Target == raftstore.TargetPaused)
	}
	stopAll(stopping, w.cfg.ShutdownTimeout+w.cfg.OffsetFlushTimeout)
}

// leaderDuties assigns connectors and tasks to workers and removes statuses of tasks that no
// longer exist. It reports whether it wrote a new assignment.
func (w *Worker) leaderDuties(ctx context.Context, st *raftstore.State) bool {
	var cmds []raftstore.Command
	for _, name := range st.ConnectorNames() {
		c := st.Connectors[name]
		for id := range st.TaskStatuses {
			if id.Connector == name && id.Task >= len(c.Tasks) {
				cmds = append(cmds, raftstore.DeleteTaskStatuses{Connector: name, From: len(c.Tasks)})
				break
			}
		}
	}
	assign := computeAssignment(st, w.node)
	if !sameAssignment(assign, st) {
		cmds = append(cmds, assign)
	}
	if len(cmds) == 0 {
		return false
	}
	if _, err := w.store.Apply(ctx, cmds...); err != nil {
		w.limit.log(w.log, slog.LevelWarn, "leader duties failed", "error", err)
		return false
	}
	return true
}

// computeAssignment keeps every connector and task on its current worker while that worker is
// registered, and gives the rest to the least loaded workers: one connector changing never
// moves the others (no rebalance storms).
func computeAssignment(st *raftstore.State, self string) raftstore.SetAssignments {
	workers := slices.Sorted(maps.Keys(st.Workers))
	if len(workers) == 0 {
		workers = []string{self}
	}
	load := map[string]int{}
	live := func(w string) bool { _, ok := st.Workers[w]; return ok || w == self }
	pick := func() string {
		best := workers[0]
		for _, w := range workers[1:] {
			if load[w] < load[best] {
				best = w
			}
		}
		load[best]++
		return best
	}
	out := raftstore.SetAssignments{Connectors: map[string]string{}}
	names := st.ConnectorNames()
	for _, name := range names {
		if a, ok := st.ConnectorAssignments[name]; ok && live(a.Worker) {
			out.Connectors[name] = a.Worker
			load[a.Worker]++
		}
		for i := range st.Connectors[name].Tasks {
			id := raftstore.TaskID{Connector: name, Task: i}
			if a, ok := st.TaskAssignments[id]; ok && live(a.Worker) {
				out.Tasks = append(out.Tasks, raftstore.TaskAssignment{Task: id, Worker: a.Worker})
				load[a.Worker]++
			}
		}
	}
	for _, name := range names {
		if _, ok := out.Connectors[name]; !ok {
			out.Connectors[name] = pick()
		}
		for i := range st.Connectors[name].Tasks {
			id := raftstore.TaskID{Connector: name, Task: i}
			if a, ok := st.TaskAssignments[id]; !ok || !live(a.Worker) {
				out.Tasks = append(out.Tasks, raftstore.TaskAssignment{Task: id, Worker: pick()})
			}
		}
	}
	sort.Slice(out.Tasks, func(i, j int) bool {
		a, b := out.Tasks[i].Task, out.Tasks[j].Task
		return a.Connector < b.Connector || a.Connector == b.Connector && a.Task < b.Task
	})
	return out
}

func sameAssignment(a raftstore.SetAssignments, st *raftstore.State) bool {
	if len(a.Connectors) != len(st.ConnectorAssignments) || len(a.Tasks) != len(st.TaskAssignments) {
		return false
	}
	for n, wk := range a.Connectors {
		if cur, ok := st.ConnectorAssignments[n]; !ok || cur.Worker != wk {
			return false
		}
	}
	for _, t := range a.Tasks {
		if cur, ok := st.TaskAssignments[t.Task]; !ok || cur.Worker != t.Worker {
			return false
		}
	}
	return true
}

// stopper is a running connector or task.
type stopper interface {
	signalStop()
	wait(timeout time.Duration) bool
}

// stopAll stops runners in parallel within one shared timeout, as Kafka's
// task.shutdown.graceful.timeout.ms is a total, not a per-task, limit.
func stopAll(rs []stopper, timeout time.Duration) {
	for _, r := range rs {
		r.signalStop()
	}
	deadline := time.Now().Add(timeout)
	for _, r := range rs {
		r.wait(time.Until(deadline))
	}
}

func (w *Worker) shutdown() {
	w.mu.Lock()
	defer w.mu.Unlock()
	var rs []stopper
	for _, r := range w.connectors {
		rs = append(rs, r)
	}
	for _, h := range w.tasks {
		rs = append(rs, h)
	}
	stopAll(rs, w.cfg.ShutdownTimeout)
	for name, r := range w.connectors {
		w.putStatus(name, nil, stateUnassigned, "", r.epoch)
	}
	for id, h := range w.tasks {
		t := id.Task
		w.putStatus(id.Connector, &t, stateUnassigned, "", h.epoch)
	}
	clear(w.connectors)
	clear(w.tasks)
	w.log.Info("worker stopped")
}

func (w *Worker) putStatus(connector string, task *int, state, tr string, epoch uint64) {
	w.statuses.put(raftstore.StatusUpdate{
		Connector: connector, Task: task, State: state, Trace: tr, Worker: w.id,
		Fence: raftstore.Fence{Worker: w.node, Epoch: epoch},
	})
}

func (w *Worker) trigger() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// executeRestarts runs the restart requests written since the last call. Called with mu held.
func (w *Worker) executeRestarts(ctx context.Context, st *raftstore.State) {
	reqs := make([]raftstore.RestartRequest, 0, len(st.Restarts))
	for _, r := range st.Restarts {
		if r.Seq > w.restartSeq {
			reqs = append(reqs, r)
		}
	}
	sort.Slice(reqs, func(i, j int) bool { return reqs[i].Seq < reqs[j].Seq })
	for _, req := range reqs {
		c, ok := st.Connectors[req.Connector]
		if ok {
			w.restartLocked(ctx, st, c, req)
		}
		w.restartSeq = req.Seq
	}
	if len(reqs) > 0 {
		w.restarted.Broadcast()
	}
}

func (w *Worker) restartLocked(ctx context.Context, st *raftstore.State, c raftstore.ConnectorState, req raftstore.RestartRequest) {
	failed := func(s raftstore.Status, ok bool) bool { return ok && s.State == stateFailed }
	var stopping []stopper
	cs, hasCS := st.ConnectorStatuses[c.Name]
	conn := w.connectors[c.Name]
	if conn != nil && (!req.OnlyFailed || failed(cs, hasCS)) {
		w.putStatus(c.Name, nil, stateRestarting, "", conn.epoch)
		stopping = append(stopping, conn)
	} else {
		conn = nil
	}
	var tasks []int
	for i := range c.Tasks {
		h := w.tasks[taskID{c.Name, i}]
		if !req.IncludeTasks || h == nil {
			continue
		}
		ts, ok := st.TaskStatuses[raftstore.TaskID{Connector: c.Name, Task: i}]
		if req.OnlyFailed && !failed(ts, ok) {
			continue
		}
		t := i
		w.putStatus(c.Name, &t, stateRestarting, "", h.epoch)
		stopping = append(stopping, h)
		tasks = append(tasks, i)
	}
	// Stop everything selected at once, then start it again.
	stopAll(stopping, w.cfg.ShutdownTimeout)
	if conn != nil {
		w.connectors[c.Name] = w.startConnector(ctx, c, conn.epoch)
	}
	for _, i := range tasks {
		id := taskID{c.Name, i}
		w.tasks[id] = w.startTask(ctx, id, c, c.Tasks[i], w.tasks[id].epoch)
	}
}

// connRunner runs one connector instance on its own goroutine.
type connRunner struct {
	w      *Worker
	name   string
	config map[string]string
	epoch  uint64
	target chan string
	reconf chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

func (r *connRunner) setTarget(t string) {
	for {
		select {
		case r.target <- t:
			return
		default:
			select { // replace a stale pending target with the latest
			case <-r.target:
			default:
			}
		}
	}
}

func (r *connRunner) signalStop() { r.cancel() }
func (r *connRunner) wait(d time.Duration) bool {
	select {
	case <-r.done:
		return true
	case <-time.After(d):
		r.w.log.Warn("connector did not stop in time", "connector", r.name)
		return false
	}
}

// connectorContext implements connect.SourceConnectorContext for a running connector.
type connectorContext struct{ r *connRunner }

func (c connectorContext) RequestTaskReconfiguration() {
	select {
	case c.r.reconf <- struct{}{}:
	default:
	}
}
func (c connectorContext) RaiseError(err error) {
	c.r.w.log.Error("connector raised an error", "connector", c.r.name, "error", err)
	c.r.w.putStatus(c.r.name, nil, stateFailed, trace(err), c.r.epoch)
}
func (c connectorContext) OffsetReader() connect.OffsetReader {
	return offsetReader{store: c.r.w.offsets, connector: c.r.name}
}

func (w *Worker) startConnector(ctx context.Context, c raftstore.ConnectorState, epoch uint64) *connRunner {
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r := &connRunner{w: w, name: c.Name, config: maps.Clone(c.Config), epoch: epoch,
		target: make(chan string, 1), reconf: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	r.target <- string(c.Target)
	go func() {
		defer close(r.done)
		r.run(rctx)
	}()
	return r
}

func (r *connRunner) run(ctx context.Context) {
	log := r.w.log.With("connector", r.name)
	p, err := connect.Lookup(r.config[keyConnectorClass])
	if err != nil {
		r.w.putStatus(r.name, nil, stateFailed, trace(err), r.epoch)
		<-ctx.Done()
		return
	}
	var conn connect.Connector
	started := false
	failed := false
	current := "" // the target last applied: reconcile re-sends it on every store change
	stop := func() {
		if started {
			if err := safeCall("Connector.Stop", conn.Stop); err != nil {
				log.Warn("stopping connector failed", "error", err)
			}
			started = false
		}
	}
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return
		case target := <-r.target:
			if target == current {
				continue
			}
			current = target
			if failed {
				if target == targetStopped {
					r.w.putStatus(r.name, nil, stateStopped, "", r.epoch)
				}
				continue
			}
			switch target {
			case targetStarted:
				if started {
					continue
				}
				conn = p.New().(connect.Connector)
				if err := startConnectorInstance(conn, connectorContext{r}, r.config); err != nil {
					log.Error("connector failed to start", "error", err)
					r.w.putStatus(r.name, nil, stateFailed, trace(err), r.epoch)
					failed = true
					continue
				}
				started = true
				r.w.putStatus(r.name, nil, stateRunning, "", r.epoch)
				if err := r.generateTasks(ctx, p, conn); err != nil {
					log.Error("generating task configs failed", "error", err)
					r.w.putStatus(r.name, nil, stateFailed, trace(err), r.epoch)
					failed = true
				}
			case targetPaused:
				stop()
				r.w.putStatus(r.name, nil, statePaused, "", r.epoch)
			case targetStopped:
				stop()
				r.w.putStatus(r.name, nil, stateStopped, "", r.epoch)
			}
		case <-r.reconf:
			if started && !failed {
				if err := r.generateTasks(ctx, p, conn); err != nil {
					log.Error("generating task configs failed", "error", err)
					r.w.putStatus(r.name, nil, stateFailed, trace(err), r.epoch)
					failed = true
				}
			}
		}
	}
}

func startConnectorInstance(conn connect.Connector, cctx connectorContext, config map[string]string) (err error) {
	defer recoverTo(&err, "Connector.Start")
	switch c := conn.(type) {
	case connect.SourceConnector:
		return c.Start(cctx, config)
	case connect.SinkConnector:
		return c.Start(cctx, config)
	}
	return errors.New("the connector class is neither a source nor a sink connector")
}

func safeCall(what string, f func() error) (err error) {
	defer recoverTo(&err, what)
	return f()
}

// generateTasks asks the connector for task configs and stores them when they changed.
func (r *connRunner) generateTasks(ctx context.Context, p connect.Plugin, conn connect.Connector) (err error) {
	maxTasks, _ := strconv.Atoi(r.config[keyTasksMax])
	if maxTasks < 1 {
		maxTasks = 1
	}
	var configs []map[string]string
	func() {
		defer recoverTo(&err, "Connector.TaskConfigs")
		configs, err = conn.TaskConfigs(maxTasks)
	}()
	if err != nil {
		return err
	}
	if len(configs) > maxTasks && !strings.EqualFold(r.config[keyTasksMaxEnf], "false") {
		return fmt.Errorf("The connector %s has generated %d tasks, which is greater than %d, the maximum number of tasks it is configured to create. This behaviour should be considered a bug and is disallowed. If necessary, it can be permitted by reconfiguring the connector with 'tasks.max.enforce' set to false; however, this option will be removed in a future release of Kafka Connect.", r.name, len(configs), maxTasks)
	}
	_, isSink := conn.(connect.SinkConnector)
	out := make([]map[string]string, len(configs))
	for i, c := range configs {
		tc := maps.Clone(c)
		if tc == nil {
			tc = map[string]string{}
		}
		tc[keyTaskClass] = p.TaskClass
		if isSink {
			if v, ok := r.config[keyTopics]; ok {
				tc[keyTopics] = v
			}
			if v, ok := r.config[keyTopicsRegex]; ok {
				tc[keyTopicsRegex] = v
			}
		}
		out[i] = tc
	}
	// Like Kafka's herder, retry storing with backoff: a store that is briefly unavailable
	// (an election) must not fail the connector for good.
	retry := newBackoff(250*time.Millisecond, time.Minute)
	for {
		cur, ok := r.w.store.Connector(r.name)
		if !ok || !maps.Equal(cur.Config, r.config) || cur.Target != raftstore.TargetStarted {
			return nil // deleted, reconfigured, paused or stopped meanwhile
		}
		if slices.EqualFunc(cur.Tasks, out, maps.Equal) {
			return nil
		}
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err := r.w.store.ApplyOne(wctx, raftstore.PutTaskConfigs{Name: r.name, Tasks: out})
		cancel()
		if err == nil || ctx.Err() != nil {
			return nil
		}
		wait := retry.next()
		r.w.limit.log(r.w.log, slog.LevelWarn, "storing task configs failed; retrying", "connector", r.name, "error", err, "backoff", wait.Round(time.Millisecond))
		if !sleepCtx(ctx, wait) {
			return nil
		}
	}
}

// taskHandle is a running task.
type taskHandle struct {
	w      *Worker
	id     taskID
	config map[string]string
	// connConfig is the connector configuration the task was built from (transforms,
	// converters, error handling, client overrides); a change restarts the task.
	connConfig map[string]string
	epoch      uint64
	pause      *pauser
	cancel     context.CancelFunc
	done       chan struct{}
}

func (h *taskHandle) signalStop() { h.cancel() }
func (h *taskHandle) wait(d time.Duration) bool {
	select {
	case <-h.done:
		return true
	case <-time.After(d):
		h.w.log.Warn("task did not stop in time", "task", h.id.String())
		return false
	}
}

func (w *Worker) startTask(ctx context.Context, id taskID, c raftstore.ConnectorState, tc map[string]string, epoch uint64) *taskHandle {
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	connConfig := maps.Clone(c.Config)
	h := &taskHandle{w: w, id: id, config: maps.Clone(tc), connConfig: connConfig, epoch: epoch,
		pause: newPauser(c.Target == raftstore.TargetPaused), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		t := id.Task
		status := func(state, tr string) { w.putStatus(id.Connector, &t, state, tr, epoch) }
		err := w.runTask(rctx, h, connConfig, status)
		if err != nil && rctx.Err() == nil {
			w.log.Error("task failed", "task", id.String(), "error", err)
			status(stateFailed, trace(err))
		} else if err != nil {
			w.log.Warn("task stopped with an error", "task", id.String(), "error", err)
		}
	}()
	return h
}

// runTask builds the task's pipeline and runs it until ctx is done or it fails.
func (w *Worker) runTask(ctx context.Context, h *taskHandle, connConfig map[string]string, status statusFunc) error {
	log := w.log.With("task", h.id.String())
	p, err := connect.Lookup(connConfig[keyConnectorClass])
	if err != nil {
		return err
	}
	ch, err := buildChain(connConfig)
	if err != nil {
		return err
	}
	conv, err := buildConverters(connConfig, w.cfg.Converters)
	if err != nil {
		ch.close()
		return err
	}
	switch conn := p.New().(type) {
	case connect.SourceConnector:
		producer, err := w.newProducer(ctx, h.id, connConfig, log)
		if err != nil {
			ch.close()
			return err
		}
		st := &sourceTask{
			id: h.id, epoch: h.epoch, config: h.config, connConfig: connConfig, task: conn.NewTask(),
			chain: ch, conv: conv, policy: newErrorPolicy(connConfig, log), producer: producer,
			offsets: w.offsets, tracker: newOffsetTracker(), status: status, pause: h.pause, log: log,
			flushInterval: w.cfg.OffsetFlushInterval, flushTimeout: w.cfg.OffsetFlushTimeout,
			onTopic:   func(topic string) { w.trackTopic(h.id.Connector, topic) },
			topicsGen: &w.topicsGen,
			limit:     w.limit,
		}
		return st.run(ctx)
	case connect.SinkConnector:
		topics, re, err := sinkTopics(h.config)
		if err != nil {
			ch.close()
			return err
		}
		sk := &sinkTask{
			id: h.id, config: h.config, task: conn.NewTask(), chain: ch, conv: conv,
			policy: newErrorPolicy(connConfig, log), topics: topics, topicRe: re, status: status,
			pause: h.pause, log: log, limit: w.limit, maxRecords: 500,
			flushInterval: w.cfg.OffsetFlushInterval, flushTimeout: w.cfg.OffsetFlushTimeout, topicRefresh: 5 * time.Second,
			onTopics: func(topics []string) {
				for _, t := range topics {
					w.trackTopic(h.id.Connector, t)
				}
			},
			topicsGen: &w.topicsGen,
		}
		if n, err := strconv.Atoi(w.cfg.Consumer["max.poll.records"]); err == nil && n > 0 {
			sk.maxRecords = n
		}
		if n, err := strconv.Atoi(connConfig["consumer.override.max.poll.records"]); err == nil && n > 0 {
			sk.maxRecords = n
		}
		client, group, groupID, err := w.newConsumerGroup(ctx, h.id, connConfig, log)
		if err != nil {
			ch.close()
			return err
		}
		sk.groupID = groupID
		defer client.Close()
		defer group.Close()
		sk.client, sk.group = client, group
		if dlqTopic := connConfig[keyDLQTopic]; dlqTopic != "" {
			dlq, err := w.newDLQ(h.id, connConfig, dlqTopic, log)
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

// retryConnect calls connect until it succeeds or ctx is done: a broker that is down when a
// task starts delays it instead of failing it for good, as Kafka's clients keep retrying.
func (w *Worker) retryConnect(ctx context.Context, log *slog.Logger, what string, connect func() error) error {
	retry := newBackoff(500*time.Millisecond, 10*time.Second)
	for {
		err := connect()
		if err == nil {
			return nil
		}
		if isConfigError(err) {
			return err
		}
		wait := retry.next()
		w.limit.log(log, slog.LevelWarn, what+" failed; retrying", "error", err, "backoff", wait.Round(time.Millisecond))
		if !sleepCtx(ctx, wait) {
			return ctx.Err()
		}
	}
}

func isConfigError(err error) bool {
	var ce sarama.ConfigurationError
	return errors.As(err, &ce)
}

func (w *Worker) clientConfig(kind, clientID string, connConfig map[string]string) (*sarama.Config, error) {
	var c *sarama.Config
	switch kind {
	case "producer":
		c = kafkaclient.Producer(clientID)
	case "consumer":
		c = kafkaclient.Consumer(clientID)
	default:
		c = kafkaclient.Admin(clientID)
	}
	if err := kafkaclient.Apply(c, kind, w.cfg.ClientConfig(kind)); err != nil {
		return nil, err
	}
	override := prefixed(connConfig, kind+".override.")
	delete(override, "group.id")
	if err := kafkaclient.Apply(c, kind, override); err != nil {
		return nil, fmt.Errorf("connector override: %w", err)
	}
	if kind == "consumer" {
		notes, err := kafkaclient.ConsumerTimeouts(c)
		if err != nil {
			return nil, err
		}
		for _, n := range notes {
			w.limit.log(w.log, slog.LevelWarn, "consumer setting corrected: "+n, "client", clientID)
		}
	}
	return c, nil
}

func (w *Worker) newProducer(ctx context.Context, id taskID, connConfig map[string]string, log *slog.Logger) (sarama.AsyncProducer, error) {
	c, err := w.clientConfig("producer", fmt.Sprintf("connector-producer-%s", id), connConfig)
	if err != nil {
		return nil, err
	}
	c.Producer.Partitioner = newPartitioner
	var p sarama.AsyncProducer
	err = w.retryConnect(ctx, log, "connecting the producer to Kafka", func() (err error) {
		p, err = sarama.NewAsyncProducer(w.cfg.BootstrapServers, c)
		return err
	})
	return p, err
}

// newConsumerGroup returns a sink task's client and consumer group member, and the group's
// name.
func (w *Worker) newConsumerGroup(ctx context.Context, id taskID, connConfig map[string]string, log *slog.Logger) (sarama.Client, sarama.ConsumerGroup, string, error) {
	c, err := w.clientConfig("consumer", fmt.Sprintf("connector-consumer-%s", id), connConfig)
	if err != nil {
		return nil, nil, "", err
	}
	c.Consumer.Group.InstanceId = staticMemberID(id, w.cfg.ClientConfig("consumer"), prefixed(connConfig, "consumer.override."))
	group := "connect-" + id.Connector
	if g := connConfig["consumer.override.group.id"]; g != "" {
		group = g
	}
	var client sarama.Client
	err = w.retryConnect(ctx, log, "connecting the consumer to Kafka", func() (err error) {
		client, err = sarama.NewClient(w.cfg.BootstrapServers, c)
		return err
	})
	if err != nil {
		return nil, nil, "", err
	}
	cg, err := sarama.NewConsumerGroupFromClient(group, client)
	if err != nil {
		client.Close()
		return nil, nil, "", fmt.Errorf("consumer group %s: %w", group, err)
	}
	return client, cg, group, nil
}

// staticMemberID chooses a sink task's group.instance.id. By default every task is a static
// member (KIP-345) with an id of its own, so a task restarted after a crash, here or on
// another worker, takes its dead predecessor's place in the group at once rather than after
// the dead member's session timeout, while every other member keeps its partitions. A
// group.instance.id the user set (worker consumer.* or connector consumer.override.*) is the
// prefix of the tasks' ids, since one id shared by several tasks would make them fence each
// other; set to the empty string it turns static membership off.
func staticMemberID(id taskID, worker, override map[string]string) string {
	v, set := override["group.instance.id"]
	if !set {
		v, set = worker["group.instance.id"]
	}
	switch {
	case !set:
		return kafkaclient.StaticMemberID("connector-consumer-"+id.Connector, id.Task)
	case strings.TrimSpace(v) == "":
		return ""
	}
	return kafkaclient.StaticMemberID(strings.TrimSpace(v), id.Task)
}

func (w *Worker) newDLQ(id taskID, connConfig map[string]string, topic string, log *slog.Logger) (*deadLetterQueue, error) {
	c, err := w.clientConfig("producer", fmt.Sprintf("connector-dlq-producer-%s", id), connConfig)
	if err != nil {
		return nil, err
	}
	c.Producer.Flush.Bytes, c.Producer.Flush.Frequency = 0, 0
	// The sink loop waits for each DLQ write: retry briefly, then log the failure and go on.
	c.Producer.Retry.Max = 5
	if err := w.ensureDLQTopic(topic, connConfig); err != nil {
		return nil, err
	}
	p, err := sarama.NewSyncProducer(w.cfg.BootstrapServers, c)
	if err != nil {
		return nil, fmt.Errorf("dead letter queue producer: %w", err)
	}
	headers, _ := strconv.ParseBool(connConfig[keyDLQHeaders])
	return &deadLetterQueue{topic: topic, headers: headers, producer: p, log: log}, nil
}

// ensureDLQTopic creates the dead letter queue topic with one partition, as Kafka Connect does,
// so failed records stay in the order they failed.
func (w *Worker) ensureDLQTopic(topic string, connConfig map[string]string) error {
	admin, client, err := w.adminClient(connConfig)
	if err != nil {
		return fmt.Errorf("dead letter queue topic %s: %w", topic, err)
	}
	defer client.Close()
	rf, _ := strconv.Atoi(connConfig[keyDLQRF])
	if rf <= 0 {
		rf = 3
	}
	if n := len(client.Brokers()); rf > n {
		w.log.Warn("dead letter queue replication factor is larger than the cluster; using the number of brokers", "topic", topic, "replication.factor", rf, "brokers", n)
		rf = n
	}
	err = admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: int16(rf)}, false)
	if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
		return fmt.Errorf("creating dead letter queue topic %s: %w", topic, err)
	}
	return nil
}

func (w *Worker) trackTopic(connector, topic string) {
	if !w.cfg.TopicTracking {
		return
	}
	w.topicsMu.Lock()
	defer w.topicsMu.Unlock()
	m := w.topics[connector]
	if m == nil {
		m = map[string]bool{}
		w.topics[connector] = m
	}
	m[topic] = true
}
