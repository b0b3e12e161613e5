package control

// The reconcile loop: what the store says this worker should run, compared with what its
// runtime runs.

import (
	"context"
	"log/slog"
	"maps"
	"time"

	"github.com/raftconnect/raftconnect/internal/runtime"
	"github.com/raftconnect/raftconnect/raftstore"
)

// reconcile makes the running set match the store. It is idempotent: a missed notification is
// healed by the next call. Only the Run loop calls it.
func (h *Herder) reconcile(ctx context.Context) {
	st := h.store.Snapshot()
	// Stopping does not wait: a slow stop must not delay anything else. A new instance of a
	// stopping connector or task waits for the old one in the runtime, and the leader keeps
	// the assignments of stopping tasks until they have exited (see keepStopping).
	h.stopUnwanted(st)
	if h.store.IsLeader() && h.leaderDuties(ctx, st) {
		return // the new assignment triggers another reconcile
	}
	for _, name := range st.ConnectorNames() {
		c := st.Connectors[name]
		if a, ok := st.ConnectorAssignments[name]; ok && a.Worker == h.node {
			// A no-op when it runs already.
			h.rt.StartConnector(runtime.ConnectorSpec{Name: name, Config: c.Config, Target: string(c.Target), Fence: h.fence(a.Epoch)})
		}
		for i, tc := range c.Tasks {
			a, ok := st.TaskAssignments[raftstore.TaskID{Connector: name, Task: i}]
			if ok && a.Worker == h.node {
				h.rt.StartTask(runtime.TaskSpec{ID: runtime.TaskID{Connector: name, Task: i}, Config: tc,
					ConnectorConfig: c.Config, Fence: h.fence(a.Epoch), Paused: c.Target == raftstore.TargetPaused})
			}
		}
	}
	h.executeRestarts(st)
}

// stopUnwanted stops connectors and tasks the store no longer assigns to this worker, or whose
// configuration changed (a task also restarts when its connector's framework settings such
// as transforms or converters change), and applies target states to the rest. Each stop gets
// task.shutdown.graceful.timeout.ms plus offset.flush.timeout.ms; nothing waits for it.
func (h *Herder) stopUnwanted(st *raftstore.State) {
	timeout := h.cfg.ShutdownTimeout + h.cfg.OffsetFlushTimeout
	conns, tasks := h.rt.Running()
	for _, r := range conns {
		c, ok := st.Connectors[r.Name]
		a := st.ConnectorAssignments[r.Name]
		if !ok || a.Worker != h.node || a.Epoch != r.Fence.Epoch || !maps.Equal(c.Config, r.Config) {
			h.rt.StopConnector(r.Name, timeout)
			continue
		}
		h.rt.SetConnectorTarget(r.Name, string(c.Target))
	}
	for _, t := range tasks {
		id := t.ID
		c, ok := st.Connectors[id.Connector]
		a := st.TaskAssignments[raftstore.TaskID{Connector: id.Connector, Task: id.Task}]
		if !ok || id.Task >= len(c.Tasks) || a.Worker != h.node || a.Epoch != t.Fence.Epoch ||
			!maps.Equal(c.Tasks[id.Task], t.Config) || !maps.Equal(c.Config, t.ConnectorConfig) {
			h.rt.StopTask(id, timeout)
			continue
		}
		h.rt.SetPaused(id, c.Target == raftstore.TargetPaused)
	}
}

// waitAll waits until every channel is closed or timeout has passed.
func waitAll(timeout time.Duration, chans ...<-chan struct{}) {
	if len(chans) == 0 {
		return
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for _, c := range chans {
		select {
		case <-c:
		case <-deadline.C:
			return // the runtime logs who did not stop in time
		}
	}
}

// leaderDuties assigns connectors and tasks to workers and removes statuses of tasks that no
// longer exist. It reports whether it wrote a new assignment.
func (h *Herder) leaderDuties(ctx context.Context, st *raftstore.State) bool {
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
	assign := computeAssignment(st, h.node)
	_, stopping := h.rt.Stopping()
	keepStopping(&assign, st, h.node, stopping)
	if !sameAssignment(assign, st) {
		cmds = append(cmds, assign)
	}
	if len(cmds) == 0 {
		return false
	}
	if _, err := h.writer.write(ctx, cmds...); err != nil {
		h.limit.Log(h.log, slog.LevelWarn, "leader duties failed", "error", err)
		return false
	}
	return true
}

// shutdown stops everything this worker runs within task.shutdown.graceful.timeout.ms and
// marks it UNASSIGNED.
func (h *Herder) shutdown() {
	conns, tasks := h.rt.StopAll(h.cfg.ShutdownTimeout)
	for _, c := range conns {
		h.putStatus(c.Name, nil, runtime.StateUnassigned, c.Fence)
	}
	for _, t := range tasks {
		i := t.ID.Task
		h.putStatus(t.ID.Connector, &i, runtime.StateUnassigned, t.Fence)
	}
	h.log.Info("worker stopped")
}
