package control

// Connector and task statuses, as the REST API shows them.

import (
	"context"

	"github.com/raftconnect/raftconnect/internal/runtime"
	"github.com/raftconnect/raftconnect/restapi"
)

func (h *Herder) stateInfo(name string) (restapi.ConnectorStateInfo, error) {
	c, ok := h.store.Connector(name)
	if !ok {
		return restapi.ConnectorStateInfo{}, restapi.NotFound("No status found for connector %s", name)
	}
	sts := h.store.Statuses(name)
	info := restapi.ConnectorStateInfo{Name: name, Type: connectorType(c.Config), Tasks: []restapi.TaskState{}}
	if sts.Connector != nil {
		info.Connector = restapi.ConnectorState{State: sts.Connector.State, WorkerID: sts.Connector.WorkerID, Trace: sts.Connector.Trace}
	} else {
		info.Connector = restapi.ConnectorState{State: runtime.StateUnassigned, WorkerID: h.ownerURL(name)}
	}
	for i := range c.Tasks {
		ts, ok := sts.Tasks[i]
		if !ok {
			info.Tasks = append(info.Tasks, restapi.TaskState{ID: i, State: runtime.StateUnassigned, WorkerID: h.id})
			continue
		}
		info.Tasks = append(info.Tasks, restapi.TaskState{ID: i, State: ts.State, WorkerID: ts.WorkerID, Trace: ts.Trace})
	}
	return info, nil
}

// ownerURL names the worker a connector is assigned to, for statuses not written yet.
func (h *Herder) ownerURL(name string) string {
	a := h.store.Assignments()
	if ca, ok := a.Connectors[name]; ok && ca.Worker != h.node {
		return ca.Worker
	}
	return h.id
}

// ConnectorStatus implements restapi.Herder.
func (h *Herder) ConnectorStatus(ctx context.Context, name string) (restapi.ConnectorStateInfo, error) {
	return h.stateInfo(name)
}

// TaskStatus implements restapi.Herder.
func (h *Herder) TaskStatus(ctx context.Context, name string, task int) (restapi.TaskState, error) {
	info, err := h.stateInfo(name)
	if err == nil {
		for _, t := range info.Tasks {
			if t.ID == task {
				return t, nil
			}
		}
	}
	return restapi.TaskState{}, restapi.NotFound("No status found for task %s-%d", name, task)
}
