package control

// The reconcile loop: what the store says this worker should run, compared with what its
// runtime runs.

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/raftconnect/raftconnect/internal/runtime"
	"github.com/raftconnect/raftconnect/raftstore"
)

// reconcile makes the running set match the store. It is idempotent: a missed notification is
// healed by the next call. Only the Run loop calls it.
func (h *Herder) reconcile(ctx context.Context) {
	if h.checkCutOff() {
		// The leader gives this worker's work to others after cluster.failure.timeout.ms:
		// stop it before they start it. Once a leader is heard from again, the reconcile
		// after that starts what the store still assigns to this worker.
		h.stopAllOwn()
		return
	}
	h.reconcileState(ctx, h.desiredState())
}

// reconcileState is reconcile on the state st read from the store.
func (h *Herder) reconcileState(ctx context.Context, st *raftstore.State) {
	// Stopping does not wait: a slow stop must not delay anything else. A new instance of a
	// stopping connector or task waits for the old one in the runtime, and the leader keeps
	// the assignments of stopping tasks until they have exited (see keepStopping).
	h.stopUnwanted(st)
	if !h.cluster().IsLeader() {
		h.notLeading()
	} else if h.leaderDuties(ctx, st) {
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

// desiredState reads what reconcile needs: connectors, assignments, workers and pending
// restarts, plus the statuses of connectors with a restart request this worker has not
// executed (restarts of failed units only need them). It reads neither offsets nor other
// statuses, which grow with the data and change on almost every store write: its cost grows
// with the number of connectors and tasks only. Each accessor reads under the store's lock
// on its own; when the store changed meanwhile it reads again, and after a few tries it
// goes on with what it has: the change that interfered notifies another reconcile.
func (h *Herder) desiredState() *raftstore.State {
	h.mu.Lock()
	executed := h.restartSeq
	h.mu.Unlock()
	for try := 0; ; try++ {
		index := h.store.LastIndex()
		st := &raftstore.State{
			Index:             index,
			Connectors:        map[string]raftstore.ConnectorState{},
			ConnectorStatuses: map[string]raftstore.Status{},
			TaskStatuses:      map[raftstore.TaskID]raftstore.Status{},
			Offsets:           map[string]map[string]json.RawMessage{},
			Restarts:          map[string]raftstore.RestartRequest{},
			Workers:           map[string]raftstore.WorkerInfo{},
		}
		for _, name := range h.store.ConnectorNames() {
			if c, ok := h.store.Connector(name); ok {
				st.Connectors[name] = c
			}
		}
		a := h.store.Assignments()
		st.ConnectorAssignments, st.TaskAssignments = a.Connectors, a.Tasks
		for _, w := range h.store.Workers() {
			st.Workers[w.ID] = w
		}
		for _, r := range h.store.PendingRestarts() {
			st.Restarts[r.Connector] = r
			st.RestartSeq = max(st.RestartSeq, r.Seq)
			if r.Seq > executed && r.OnlyFailed {
				addStatuses(st, r.Connector, h.store.Statuses(r.Connector))
			}
		}
		if h.store.LastIndex() == index || try == 2 {
			return st
		}
	}
}

func addStatuses(st *raftstore.State, connector string, s raftstore.ConnectorStatuses) {
	if s.Connector != nil {
		st.ConnectorStatuses[connector] = *s.Connector
	}
	for i, ts := range s.Tasks {
		st.TaskStatuses[raftstore.TaskID{Connector: connector, Task: i}] = ts
	}
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
	cleaned := map[string]uint64{}
	h.live.mu.Lock()
	checked := h.live.statusesChecked
	h.live.mu.Unlock()
	for _, name := range st.ConnectorNames() {
		c := st.Connectors[name]
		// Task statuses only outlive their task when the task count shrank, that is with a
		// new task generation: look at a connector's statuses (a scan of all task statuses)
		// only then, not on every store write.
		if gen, ok := checked[name]; ok && gen == c.TaskGeneration {
			continue
		}
		cleaned[name] = c.TaskGeneration
		for i := range h.store.Statuses(name).Tasks {
			if i >= len(c.Tasks) {
				cmds = append(cmds, raftstore.DeleteTaskStatuses{Connector: name, From: len(c.Tasks)})
				break
			}
		}
	}
	opts := h.workerHealth(st)
	var res assignResult
	wrote := false
	if !assignmentSettled(st, opts) {
		res = computeAssignment(st, opts)
		_, stopping := h.rt.Stopping()
		keepStopping(&res.cmd, st, h.node, stopping)
		if wrote = !sameAssignment(res.cmd, st); wrote {
			cmds = append(cmds, res.cmd)
		}
	}
	if len(cmds) > 0 {
		if _, err := h.writer.write(ctx, cmds...); err != nil {
			h.limit.Log(h.log, slog.LevelWarn, "leader duties failed", "error", err)
			return false
		}
		if res.fromDead > 0 && wrote {
			h.log.Info("reassigned the connectors and tasks of workers that stopped answering",
				"workers", slices.Sorted(maps.Keys(opts.dead)), "units", res.fromDead, "failure_timeout", h.cfg.FailureTimeout)
		}
	}
	h.live.mu.Lock()
	if h.live.statusesChecked == nil {
		h.live.statusesChecked = map[string]uint64{}
	}
	maps.Copy(h.live.statusesChecked, cleaned)
	maps.DeleteFunc(h.live.statusesChecked, func(name string, _ uint64) bool { _, ok := st.Connectors[name]; return !ok })
	h.live.mu.Unlock()
	if res.cmd.Connectors != nil {
		h.assigned(res)
	}
	return wrote
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
