// Package runtime is raftconnect's data plane: it runs the connectors and tasks it is told to
// run — connector instances that generate task configs, source and sink task pipelines
// (transforms, converters, error policy, dead letter queue, offset tracking) and the Kafka
// clients they use — and reports statuses, offsets and task configs through a Reporter. It
// knows nothing of Raft or REST: the control plane (internal/control) decides what runs where
// and calls StartTask, StopTask and the like. Plugins never import it.
package runtime

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/raftconnect/raftconnect/internal/workerconfig"
)

// Fence identifies the assignment a connector or task instance runs under. Its writes carry
// it, so that the store refuses those of an instance that lost the assignment (a zombie).
type Fence struct {
	Worker string // Raft node id of the worker the unit is assigned to
	Epoch  uint64 // the assignment's epoch
	// Issue 7 adds the assignment generation here.
}

// Status is a state change of a connector (Task nil) or of a task.
type Status struct {
	Connector string
	Task      *int
	State     string // one of the State constants
	Trace     string // why, for StateFailed
	Fence     Fence
}

// Reporter is what the runtime needs from the control plane: where statuses, offsets, task
// configs and topics go, and where committed offsets come from. Implementations must be safe
// for concurrent use by every running task.
type Reporter interface {
	// PutStatus records a state change. It must not block for long: implementations batch.
	PutStatus(s Status)
	// ReadOffset returns a connector's committed offset of a source partition, nil if none.
	ReadOffset(connector string, partition map[string]any) (map[string]any, error)
	// CommitOffsets stores a source task's offsets. The error wraps ErrNotOwner when the task
	// no longer holds fence (it moved, or its connector was deleted): retrying cannot help.
	CommitOffsets(ctx context.Context, task TaskID, fence Fence, offsets []CommittedOffset) error
	// PutTaskConfigs stores the task configs a connector instance generated from its config.
	// It writes nothing and returns nil when the connector was deleted, reconfigured, paused
	// or stopped meanwhile, or has these task configs already.
	PutTaskConfigs(ctx context.Context, connector string, fence Fence, config map[string]string, tasks []map[string]string) error
	// TrackTopic records a topic a task of connector uses (KIP-558 topic tracking).
	TrackTopic(connector, topic string)
}

// ErrNotOwner is wrapped by errors of writes refused because the task is no longer this
// worker's (its connector was deleted or the task moved); retrying cannot help.
var ErrNotOwner = errors.New("task no longer assigned to this worker")

// ConnectorSpec is what a connector instance runs with.
type ConnectorSpec struct {
	Name   string
	Config map[string]string
	Target string // target state, as stored: STARTED, PAUSED or STOPPED
	Fence  Fence
}

// TaskSpec is what a task instance runs with.
type TaskSpec struct {
	ID     TaskID
	Config map[string]string
	// ConnectorConfig is the connector configuration the task is built from (transforms,
	// converters, error handling, client overrides).
	ConnectorConfig map[string]string
	Fence           Fence
	Paused          bool
}

// Options configure a Runtime.
type Options struct {
	Config *workerconfig.Config
	// Node is this worker's Raft node id; it names the worker's Kafka admin clients.
	Node     string
	Reporter Reporter
	Logger   *slog.Logger
	// Limiter rate-limits log lines that repeat per retry; nil logs every line.
	Limiter *LogLimiter
	// OnStopped, if set, is called when an instance that was told to stop has exited, from
	// that instance's goroutine; it must not block.
	OnStopped func()
}

// Runtime runs connector and task instances. One goroutine owns each instance. Stopping
// never waits under a lock: Stop signals the instance and returns a channel closed when it
// has exited, and the runtime keeps the stopping instance until then. A new instance of the
// same connector or task waits for its stopping predecessors (each at most until its stop
// deadline) before it starts; nothing else waits for them. An instance still running past
// its stop deadline is a zombie (see Zombies).
type Runtime struct {
	cfg       *workerconfig.Config
	rep       Reporter
	log       *slog.Logger
	limit     *LogLimiter
	clients   *Clients
	onStopped func()
	// topicsGen is bumped by ResetTopics so that tasks report their topics again.
	topicsGen atomic.Uint64

	mu            sync.Mutex
	closed        bool // set by StopAll: nothing starts after it
	connectors    map[string]*connRunner
	tasks         map[TaskID]*taskHandle
	stoppingConns map[string][]*connRunner
	stoppingTasks map[TaskID][]*taskHandle
}

// New returns a runtime that runs nothing yet.
func New(o Options) *Runtime {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Runtime{
		cfg: o.Config, rep: o.Reporter, log: o.Logger, limit: o.Limiter, onStopped: o.OnStopped,
		clients:       NewClients(o.Config, o.Node, o.Logger, o.Limiter),
		connectors:    map[string]*connRunner{},
		tasks:         map[TaskID]*taskHandle{},
		stoppingConns: map[string][]*connRunner{},
		stoppingTasks: map[TaskID][]*taskHandle{},
	}
}

// Clients returns the factory of this worker's Kafka clients.
func (r *Runtime) Clients() *Clients { return r.clients }

// unit is the life of one connector or task instance: its goroutine and, once told to stop,
// its deadline. The Runtime's mu guards the fields set after start.
type unit struct {
	kind, name string // "connector" or "task", and its name, for logs
	cancel     context.CancelFunc
	done       chan struct{} // closed when the instance's goroutine has exited

	stopping bool
	deadline time.Time
	zombie   bool        // still running past deadline
	timer    *time.Timer // marks the zombie at the deadline; stopped at exit
	forget   func()      // removes the unit from the runtime's stopping set
}

// predecessor is a stopping instance a new one waits for.
type predecessor struct {
	done     <-chan struct{}
	deadline time.Time
}

func predecessors[U interface{ base() *unit }](stopping []U) []predecessor {
	out := make([]predecessor, 0, len(stopping))
	for _, s := range stopping {
		out = append(out, predecessor{done: s.base().done, deadline: s.base().deadline})
	}
	return out
}

// launch starts u's goroutine: it waits for preds, then runs run until u is stopped.
// Called with mu held.
func (r *Runtime) launch(u *unit, preds []predecessor, run func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	u.cancel, u.done = cancel, make(chan struct{})
	go func() {
		defer r.exited(u)
		for _, p := range preds {
			t := time.NewTimer(time.Until(p.deadline))
			select {
			case <-p.done:
			case <-t.C:
				// The predecessor is a zombie: start anyway, as a stop that timed out always
				// let its successor start; the store fences the zombie's writes.
			case <-ctx.Done():
				t.Stop()
				return
			}
			t.Stop()
		}
		run(ctx)
	}()
}

// stop signals u and tracks it until it exits or its deadline passes. Called with mu held.
func (r *Runtime) stop(u *unit, timeout time.Duration, forget func()) {
	u.cancel()
	if u.stopping {
		return
	}
	u.stopping, u.deadline, u.forget = true, time.Now().Add(timeout), forget
	u.timer = time.AfterFunc(timeout, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		select {
		case <-u.done:
			return
		default:
		}
		u.zombie = true
		r.log.Warn(u.kind+" did not stop in time", u.kind, u.name, "timeout", timeout)
	})
}

// exited runs last on u's goroutine.
func (r *Runtime) exited(u *unit) {
	r.mu.Lock()
	wasStopping := u.stopping
	if u.timer != nil {
		u.timer.Stop()
	}
	if u.forget != nil {
		u.forget()
	}
	r.mu.Unlock()
	close(u.done)
	if wasStopping && r.onStopped != nil {
		r.onStopped()
	}
}

// closedChan is returned by stops of instances that do not run.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// StartConnector starts an instance of a connector unless one runs already; it reports
// whether it started one. The instance starts once its stopping predecessors have exited.
func (r *Runtime) StartConnector(spec ConnectorSpec) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.connectors[spec.Name] != nil {
		return false
	}
	r.startConnectorLocked(spec)
	return true
}

// StopConnector tells a connector instance to stop within timeout; the channel is closed
// when it has exited.
func (r *Runtime) StopConnector(name string, timeout time.Duration) <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	cr := r.connectors[name]
	if cr == nil {
		return closedChan
	}
	r.stopConnectorLocked(cr, timeout)
	return cr.done
}

// RestartConnector stops a running connector instance within timeout and starts a new one
// with the same spec once the old one has exited. ok is false when the connector does not
// run here; stopped is closed when the old instance has exited.
func (r *Runtime) RestartConnector(name string, timeout time.Duration) (stopped <-chan struct{}, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cr := r.connectors[name]
	if cr == nil || r.closed {
		return closedChan, false
	}
	r.stopConnectorLocked(cr, timeout)
	r.startConnectorLocked(cr.spec)
	return cr.done, true
}

// SetConnectorTarget applies a target state to a running connector instance.
func (r *Runtime) SetConnectorTarget(name, target string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cr := r.connectors[name]; cr != nil {
		cr.spec.Target = target
		cr.setTarget(target)
	}
}

func (r *Runtime) startConnectorLocked(spec ConnectorSpec) {
	cr := newConnRunner(r, spec)
	r.connectors[spec.Name] = cr
	r.launch(&cr.unit, predecessors(r.stoppingConns[spec.Name]), cr.run)
}

func (r *Runtime) stopConnectorLocked(cr *connRunner, timeout time.Duration) {
	name := cr.spec.Name
	if r.connectors[name] == cr {
		delete(r.connectors, name)
	}
	if cr.stopping {
		return
	}
	r.stoppingConns[name] = append(r.stoppingConns[name], cr)
	r.stop(&cr.unit, timeout, func() {
		if rest := slices.DeleteFunc(r.stoppingConns[name], func(c *connRunner) bool { return c == cr }); len(rest) > 0 {
			r.stoppingConns[name] = rest
		} else {
			delete(r.stoppingConns, name)
		}
	})
}

// StartTask starts an instance of a task unless one runs already; it reports whether it
// started one. The instance starts once its stopping predecessors have exited.
func (r *Runtime) StartTask(spec TaskSpec) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.tasks[spec.ID] != nil {
		return false
	}
	r.startTaskLocked(spec)
	return true
}

// StopTask tells a task instance to stop within timeout; the channel is closed when it has
// exited.
func (r *Runtime) StopTask(id TaskID, timeout time.Duration) <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.tasks[id]
	if h == nil {
		return closedChan
	}
	r.stopTaskLocked(h, timeout)
	return h.done
}

// RestartTask stops a running task instance within timeout and starts a new one with the
// same spec once the old one has exited. ok is false when the task does not run here;
// stopped is closed when the old instance has exited.
func (r *Runtime) RestartTask(id TaskID, timeout time.Duration) (stopped <-chan struct{}, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.tasks[id]
	if h == nil || r.closed {
		return closedChan, false
	}
	r.stopTaskLocked(h, timeout)
	r.startTaskLocked(h.spec)
	return h.done, true
}

// SetPaused pauses or resumes a running task instance.
func (r *Runtime) SetPaused(id TaskID, paused bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if h := r.tasks[id]; h != nil {
		h.spec.Paused = paused
		h.pause.set(paused)
	}
}

func (r *Runtime) startTaskLocked(spec TaskSpec) {
	spec.Config, spec.ConnectorConfig = maps.Clone(spec.Config), maps.Clone(spec.ConnectorConfig)
	h := &taskHandle{unit: unit{kind: "task", name: spec.ID.String()}, spec: spec, pause: newPauser(spec.Paused)}
	r.tasks[spec.ID] = h
	r.launch(&h.unit, predecessors(r.stoppingTasks[spec.ID]), func(ctx context.Context) { r.runTaskInstance(ctx, h) })
}

func (r *Runtime) stopTaskLocked(h *taskHandle, timeout time.Duration) {
	id := h.spec.ID
	if r.tasks[id] == h {
		delete(r.tasks, id)
	}
	if h.stopping {
		return
	}
	r.stoppingTasks[id] = append(r.stoppingTasks[id], h)
	r.stop(&h.unit, timeout, func() {
		if rest := slices.DeleteFunc(r.stoppingTasks[id], func(t *taskHandle) bool { return t == h }); len(rest) > 0 {
			r.stoppingTasks[id] = rest
		} else {
			delete(r.stoppingTasks, id)
		}
	})
}

// Running returns the specs of the instances that run (or wait for a predecessor to exit),
// for the control plane to compare with what should run.
func (r *Runtime) Running() (connectors []ConnectorSpec, tasks []TaskSpec) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, cr := range r.connectors {
		connectors = append(connectors, cr.spec)
	}
	for _, h := range r.tasks {
		tasks = append(tasks, h.spec)
	}
	return connectors, tasks
}

// Stopping returns the specs of the instances told to stop that have neither exited nor
// passed their stop deadline.
func (r *Runtime) Stopping() (connectors []ConnectorSpec, tasks []TaskSpec) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.stoppingConns {
		for _, cr := range l {
			if !cr.zombie {
				connectors = append(connectors, cr.spec)
			}
		}
	}
	for _, l := range r.stoppingTasks {
		for _, h := range l {
			if !h.zombie {
				tasks = append(tasks, h.spec)
			}
		}
	}
	return connectors, tasks
}

// Zombies returns the specs of the instances still running past their stop deadline. Their
// store writes are fenced; they are tracked until they exit.
func (r *Runtime) Zombies() (connectors []ConnectorSpec, tasks []TaskSpec) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.stoppingConns {
		for _, cr := range l {
			if cr.zombie {
				connectors = append(connectors, cr.spec)
			}
		}
	}
	for _, l := range r.stoppingTasks {
		for _, h := range l {
			if h.zombie {
				tasks = append(tasks, h.spec)
			}
		}
	}
	return connectors, tasks
}

// StopAll stops every instance within one shared timeout, as Kafka's
// task.shutdown.graceful.timeout.ms is a total, not a per-task, limit, and waits for them
// (and for instances stopping already) until then. It returns the specs of the instances
// that were running. Nothing starts afterwards.
func (r *Runtime) StopAll(timeout time.Duration) (connectors []ConnectorSpec, tasks []TaskSpec) {
	r.mu.Lock()
	r.closed = true
	for _, cr := range r.connectors {
		connectors = append(connectors, cr.spec)
		r.stopConnectorLocked(cr, timeout)
	}
	for _, h := range r.tasks {
		tasks = append(tasks, h.spec)
		r.stopTaskLocked(h, timeout)
	}
	var waits []<-chan struct{}
	for _, l := range r.stoppingConns {
		for _, cr := range l {
			waits = append(waits, cr.done)
		}
	}
	for _, l := range r.stoppingTasks {
		for _, h := range l {
			waits = append(waits, h.done)
		}
	}
	r.mu.Unlock()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for _, done := range waits {
		select {
		case <-done:
		case <-deadline.C:
			return connectors, tasks // the stop timers log who did not stop in time
		}
	}
	return connectors, tasks
}

// ResetTopics makes every running task report its topics again (after a topic-tracking reset).
func (r *Runtime) ResetTopics() { r.topicsGen.Add(1) }

func (r *Runtime) putStatus(connector string, task *int, state, tr string, fence Fence) {
	r.rep.PutStatus(Status{Connector: connector, Task: task, State: state, Trace: tr, Fence: fence})
}
