package control

// Restarts: REST restart requests, and their execution by the worker that runs the units.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"

	"github.com/raftconnect/raftconnect/internal/runtime"
	"github.com/raftconnect/raftconnect/raftstore"
	"github.com/raftconnect/raftconnect/restapi"
)

// RestartConnector implements restapi.Herder. Every form goes through the store as a restart
// request that the owning worker executes; the legacy form (both flags false) waits until it
// was executed: the old instance told to stop, the new one to start once the old has exited.
func (h *Herder) RestartConnector(ctx context.Context, name string, includeTasks, onlyFailed bool) (*restapi.ConnectorStateInfo, error) {
	if _, ok := h.store.Connector(name); !ok {
		return nil, restapi.NotFound("Unknown connector: %s", name)
	}
	var plan *restapi.ConnectorStateInfo
	if includeTasks || onlyFailed {
		info, err := h.stateInfo(name)
		if err != nil || h.store.Statuses(name).Connector == nil {
			return nil, restapi.NotFound("Status for connector %s not found", name)
		}
		if !onlyFailed || info.Connector.State == runtime.StateFailed {
			info.Connector.State = runtime.StateRestarting
		}
		if includeTasks {
			for i := range info.Tasks {
				if !onlyFailed || info.Tasks[i].State == runtime.StateFailed {
					info.Tasks[i].State = runtime.StateRestarting
				}
			}
		}
		plan = &info
	}
	res, err := h.writer.apply(ctx, raftstore.RequestRestart{Connector: name, OnlyFailed: onlyFailed, IncludeTasks: includeTasks})
	if err != nil {
		return nil, err
	}
	if errors.Is(res[0].Err, raftstore.ErrNotFound) {
		return nil, restapi.NotFound("Unknown connector: %s", name)
	}
	if res[0].Err != nil {
		return nil, res[0].Err
	}
	if plan != nil {
		return plan, nil
	}
	return nil, h.waitRestart(ctx, res[0].Seq)
}

// waitRestart waits until this worker executed restart request seq.
func (h *Herder) waitRestart(ctx context.Context, seq uint64) error {
	stop := context.AfterFunc(ctx, func() {
		h.mu.Lock()
		h.restarted.Broadcast()
		h.mu.Unlock()
	})
	defer stop()
	h.trigger()
	h.mu.Lock()
	defer h.mu.Unlock()
	for h.restartSeq < seq {
		if err := ctx.Err(); err != nil {
			return err
		}
		h.restarted.Wait()
	}
	return nil
}

// RestartTask implements restapi.Herder: the task is stopped and started again, by the worker
// that owns it, before it returns. On another worker's task the request goes to that worker,
// as Kafka forwards it to the owner.
func (h *Herder) RestartTask(ctx context.Context, name string, task int) error {
	if err := h.checkRestartTask(name, task); err != nil {
		return err
	}
	a, ok := h.store.Assignments().Tasks[raftstore.TaskID{Connector: name, Task: task}]
	if ok && a.Worker != h.node && h.peers != nil {
		for _, w := range h.store.Workers() {
			if w.ID == a.Worker && w.RestURL != "" {
				return h.restartRemoteTask(ctx, w.RestURL, name, task)
			}
		}
	}
	return h.restartLocalTask(ctx, name, task)
}

// checkRestartTask answers as Kafka does for a task that does not exist (yet).
func (h *Herder) checkRestartTask(name string, task int) error {
	c, ok := h.store.Connector(name)
	if !ok {
		return restapi.NotFound("Unknown connector: %s", name)
	}
	cs := h.store.Statuses(name).Connector
	failed := cs != nil && cs.State == runtime.StateFailed
	if task >= 0 && len(c.Tasks) == 0 && c.Target == raftstore.TargetStarted && !failed {
		// The connector's tasks are not generated yet: they will be, so this is a moment
		// too early, not a task that does not exist. Kafka answers the same while the
		// rebalance that follows a new connector is pending.
		return restapi.Conflict("Request cannot be completed because a rebalance is expected")
	}
	if task < 0 || task >= len(c.Tasks) {
		return restapi.NotFound("Unknown task: %s-%d", name, task)
	}
	return nil
}

// restartLocalTask restarts a task this worker runs; it never forwards, so two workers that
// disagree for a moment about the owner cannot bounce a request between them.
func (h *Herder) restartLocalTask(ctx context.Context, name string, task int) error {
	if err := h.checkRestartTask(name, task); err != nil {
		return err
	}
	id := runtime.TaskID{Connector: name, Task: task}
	stopped, ok := h.rt.RestartTask(id, h.cfg.ShutdownTimeout)
	if !ok {
		return restapi.Conflict("Cannot complete request because task %s is not running on this worker; it is being assigned", id)
	}
	// The new instance starts as soon as the old one has exited; no lock is held meanwhile.
	waitAll(h.cfg.ShutdownTimeout, stopped)
	return nil
}

// restartRemoteTask asks the worker at restURL to restart its task and relays its answer.
func (h *Herder) restartRemoteTask(ctx context.Context, restURL, name string, task int) error {
	body, err := json.Marshal(restartTaskRequest{Connector: name, Task: &task})
	if err != nil {
		return err
	}
	status, _, answer, err := h.peers.post(ctx, restURL, pathRestartTask, body, false)
	if err != nil {
		return restapi.Conflict("Cannot complete request: the worker running task %s-%d did not answer (%v)", name, task, err)
	}
	if status == http.StatusOK {
		return nil
	}
	var m restapi.ErrorMessage
	if json.Unmarshal(answer, &m) != nil || m.Message == "" {
		m.Message = strings.TrimSpace(string(answer))
	}
	return &restapi.Error{Status: status, Code: status, Message: m.Message}
}

// executeRestarts runs the restart requests written since the last call. Only the reconcile
// loop calls it.
func (h *Herder) executeRestarts(st *raftstore.State) {
	h.mu.Lock()
	done := h.restartSeq
	h.mu.Unlock()
	reqs := make([]raftstore.RestartRequest, 0, len(st.Restarts))
	for _, r := range st.Restarts {
		if r.Seq > done {
			reqs = append(reqs, r)
		}
	}
	if len(reqs) == 0 {
		return
	}
	sort.Slice(reqs, func(i, j int) bool { return reqs[i].Seq < reqs[j].Seq })
	for _, req := range reqs {
		if c, ok := st.Connectors[req.Connector]; ok {
			h.restart(st, c, req)
		}
	}
	h.mu.Lock()
	h.restartSeq = reqs[len(reqs)-1].Seq
	h.restarted.Broadcast()
	h.mu.Unlock()
}

// restart restarts what a request selects of a connector's units that run here: all of them
// at once, each new instance starting when its old one has exited. It does not wait for that.
func (h *Herder) restart(st *raftstore.State, c raftstore.ConnectorState, req raftstore.RestartRequest) {
	failed := func(s raftstore.Status, ok bool) bool { return ok && s.State == runtime.StateFailed }
	running, tasks := h.rt.Running()
	cs, hasCS := st.ConnectorStatuses[c.Name]
	if !req.OnlyFailed || failed(cs, hasCS) {
		for _, conn := range running {
			if conn.Name == c.Name {
				h.putStatus(c.Name, nil, runtime.StateRestarting, conn.Fence)
				h.rt.RestartConnector(c.Name, h.cfg.ShutdownTimeout)
			}
		}
	}
	if req.IncludeTasks {
		for _, ts := range tasks {
			if ts.ID.Connector != c.Name || ts.ID.Task >= len(c.Tasks) {
				continue
			}
			s, ok := st.TaskStatuses[raftstore.TaskID{Connector: c.Name, Task: ts.ID.Task}]
			if req.OnlyFailed && !failed(s, ok) {
				continue
			}
			t := ts.ID.Task
			h.putStatus(c.Name, &t, runtime.StateRestarting, ts.Fence)
			h.rt.RestartTask(ts.ID, h.cfg.ShutdownTimeout)
		}
	}
}
