package worker

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// Observed states, as Kafka Connect reports them.
const (
	stateUnassigned = "UNASSIGNED"
	stateRunning    = "RUNNING"
	statePaused     = "PAUSED"
	stateFailed     = "FAILED"
	stateRestarting = "RESTARTING"
	stateStopped    = "STOPPED"
)

// Target states, as stored.
const (
	targetStarted = "STARTED"
	targetPaused  = "PAUSED"
	targetStopped = "STOPPED"
)

// taskID names a task.
type taskID struct {
	Connector string
	Task      int
}

func (t taskID) String() string { return fmt.Sprintf("%s-%d", t.Connector, t.Task) }

// offsetStore is what source tasks and connectors need from the offset store.
type offsetStore interface {
	ReadOffset(connector string, partition map[string]any) (map[string]any, error)
	CommitOffsets(ctx context.Context, id taskID, epoch uint64, offsets []committedOffset) error
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

// trace renders a failure for the status `trace` field: the error chain, then where it was
// raised when a panic was recovered.
func trace(err error) string {
	if err == nil {
		return ""
	}
	return fmt.Sprintf("%T: %v", err, err)
}

// recoverTo turns a panic in plugin code into an error, so one bad plugin fails its task and
// not the worker.
func recoverTo(err *error, what string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s panicked: %v\n%s", what, r, debug.Stack())
	}
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
	return fmt.Sprintf("topic=%s partition=%d key=%v value=%v timestamp=%s", r.Topic, r.Partition, r.Key, r.Value, r.Timestamp.Format(time.RFC3339Nano))
}

type taskLogger = *slog.Logger
