package control

// Connector and task statuses, as the REST API shows them.

import (
	"context"

	"github.com/raftconnect/raftconnect/restapi"
)

// stateInfo is the status Kafka gives: what the owning workers wrote, nothing made up. A
// connector whose worker has not written a status yet has none (404), and tasks that have not
// written one are left out, as Kafka's AbstractHerder.connectorStatus does.
func (h *Herder) stateInfo(name string) (restapi.ConnectorStateInfo, error) {
	c, ok := h.store.Connector(name)
	sts := h.store.Statuses(name)
	if !ok || sts.Connector == nil {
		return restapi.ConnectorStateInfo{}, restapi.NotFound("No status found for connector %s", name)
	}
	info := restapi.ConnectorStateInfo{Name: name, Type: connectorType(c.Config), Tasks: []restapi.TaskState{}}
	info.Connector = restapi.ConnectorState{State: sts.Connector.State, WorkerID: sts.Connector.WorkerID, Trace: sts.Connector.Trace}
	for i := range c.Tasks {
		if ts, ok := sts.Tasks[i]; ok {
			info.Tasks = append(info.Tasks, restapi.TaskState{ID: i, State: ts.State, WorkerID: ts.WorkerID, Trace: ts.Trace})
		}
	}
	return info, nil
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
