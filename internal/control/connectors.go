package control

// The connector CRUD and target-state requests of the REST API.

import (
	"context"
	"errors"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/internal/runtime"
	"github.com/raftconnect/raftconnect/raftstore"
	"github.com/raftconnect/raftconnect/restapi"
)

func (h *Herder) connectorState(name string) (raftstore.ConnectorState, error) {
	c, ok := h.store.Connector(name)
	if !ok {
		return c, restapi.NotFound("Connector %s not found", name)
	}
	return c, nil
}

func connectorType(config map[string]string) string {
	p, err := connect.Lookup(config[runtime.KeyConnectorClass])
	if err != nil {
		return restapi.ConnectorTypeUnknown
	}
	switch p.New().(type) {
	case connect.SourceConnector:
		return restapi.ConnectorTypeSource
	case connect.SinkConnector:
		return restapi.ConnectorTypeSink
	}
	return restapi.ConnectorTypeUnknown
}

func connectorInfo(c raftstore.ConnectorState) restapi.ConnectorInfo {
	info := restapi.ConnectorInfo{Name: c.Name, Config: c.Config, Type: connectorType(c.Config), Tasks: []restapi.ConnectorTaskID{}}
	for i := range c.Tasks {
		info.Tasks = append(info.Tasks, restapi.ConnectorTaskID{Connector: c.Name, Task: i})
	}
	return info
}

// Connectors implements restapi.Herder.
func (h *Herder) Connectors(ctx context.Context) ([]string, error) {
	return h.store.ConnectorNames(), nil
}

// ConnectorInfo implements restapi.Herder.
func (h *Herder) ConnectorInfo(ctx context.Context, name string) (restapi.ConnectorInfo, error) {
	c, err := h.connectorState(name)
	if err != nil {
		return restapi.ConnectorInfo{}, err
	}
	return connectorInfo(c), nil
}

// ConnectorConfig implements restapi.Herder.
func (h *Herder) ConnectorConfig(ctx context.Context, name string) (restapi.VersionedConfig, error) {
	c, err := h.connectorState(name)
	if err != nil {
		return restapi.VersionedConfig{}, err
	}
	return restapi.VersionedConfig{Config: c.Config, ETag: configETag(c.ConfigVersion())}, nil
}

// configETag is the ETag of a config version: a strong, quoted entity tag.
func configETag(version uint64) string { return `"` + strconv.FormatUint(version, 10) + `"` }

// errConfigChanged is the 412 answer to an If-Match that no longer matches.
func errConfigChanged(name, ifMatch string) error {
	return restapi.PreconditionFailed("Connector %s config does not match If-Match %s: it was changed or deleted since it was read", name, ifMatch)
}

// PutConnectorConfig implements restapi.Herder. Validation runs first and a request that fails
// it writes nothing.
func (h *Herder) PutConnectorConfig(ctx context.Context, name string, config map[string]string, createOnly bool, initialState, ifMatch string) (restapi.ConnectorInfo, bool, error) {
	cmd := raftstore.PutConnector{Name: name, Config: config, CreateOnly: createOnly}
	if ifMatch != "" {
		c, ok := h.store.Connector(name)
		if !ok || !restapi.ETagMatches(ifMatch, configETag(c.ConfigVersion())) {
			return restapi.ConnectorInfo{}, false, errConfigChanged(name, ifMatch)
		}
		// The store compares again when it applies the write, so a write between this
		// read and ours still fails the precondition.
		cmd.IfConfigIndex = c.ConfigVersion()
	}
	info, created, err := h.putConnectorConfig(ctx, cmd, initialState)
	if errors.Is(err, raftstore.ErrPreconditionFailed) {
		return restapi.ConnectorInfo{}, false, errConfigChanged(name, ifMatch)
	}
	return info, created, err
}

// putConnectorConfig validates and stores a connector configuration; nothing is written when
// validation fails. The answer is built from what was written, not read back from the store,
// so a create racing a delete still answers what it committed (201), never 404.
func (h *Herder) putConnectorConfig(ctx context.Context, cmd raftstore.PutConnector, initialState string) (restapi.ConnectorInfo, bool, error) {
	name, config := cmd.Name, cmd.Config
	infos, err := h.validateConnectorConfig(config)
	if err != nil {
		return restapi.ConnectorInfo{}, false, err
	}
	if verr := restapi.ConfigValidationError(infos); verr != nil {
		return restapi.ConnectorInfo{}, false, verr
	}
	switch initialState {
	case restapi.InitialStatePaused:
		t := raftstore.TargetPaused
		cmd.Target = &t
	case restapi.InitialStateStopped:
		t := raftstore.TargetStopped
		cmd.Target = &t
	}
	var tasks []map[string]string
	if prev, exists := h.store.Connector(name); exists {
		if initialState != "" {
			cmd.Target = nil // initial_state applies to new connectors only
		}
		tasks = prev.Tasks
	}
	res, err := h.writer.apply(ctx, cmd)
	if err != nil {
		return restapi.ConnectorInfo{}, false, err
	}
	if res[0].Err != nil {
		if errors.Is(res[0].Err, raftstore.ErrAlreadyExists) {
			return restapi.ConnectorInfo{}, false, restapi.Conflict("Connector %s already exists", name)
		}
		return restapi.ConnectorInfo{}, false, res[0].Err
	}
	written := raftstore.ConnectorState{Name: name, Config: config, Tasks: tasks, ConfigIndex: res[0].Index}
	if res[0].Created {
		// A new connector has no task configs yet, even if a deleted one of the same name had.
		written.Tasks = nil
	}
	if c, ok := h.awaitStarted(ctx, name, res[0].Index, res[0].Created); ok {
		written.Tasks = c.Tasks
	}
	info := connectorInfo(written)
	info.ETag = configETag(res[0].Index)
	return info, res[0].Created, nil
}

// maxPatchAttempts bounds how often a PATCH is re-applied when concurrent writes keep
// changing the config between its read and its compare-and-set.
const maxPatchAttempts = 100

// PatchConnectorConfig implements restapi.Herder. The patch is applied to the config as
// stored, with a compare-and-set on its version: when another write lands in between, the
// patch is applied again to the new config, so no concurrent write is lost.
func (h *Herder) PatchConnectorConfig(ctx context.Context, name string, patch map[string]*string, ifMatch string) (restapi.ConnectorInfo, error) {
	for attempt := 1; ; attempt++ {
		c, err := h.connectorState(name)
		if err != nil {
			return restapi.ConnectorInfo{}, err
		}
		etag := configETag(c.ConfigVersion())
		if ifMatch != "" && !restapi.ETagMatches(ifMatch, etag) {
			return restapi.ConnectorInfo{}, errConfigChanged(name, ifMatch)
		}
		config := maps.Clone(c.Config)
		for k, v := range patch {
			if v == nil {
				delete(config, k)
			} else {
				config[k] = *v
			}
		}
		if n, ok := config[runtime.KeyName]; ok && n != name {
			return restapi.ConnectorInfo{}, restapi.BadRequest("Connector name configuration (%s) doesn't match connector name in the URL (%s)", n, name)
		}
		info, _, err := h.putConnectorConfig(ctx, raftstore.PutConnector{Name: name, Config: config, UpdateOnly: true, IfConfigIndex: c.ConfigVersion()}, "")
		switch {
		case errors.Is(err, raftstore.ErrNotFound):
			return restapi.ConnectorInfo{}, restapi.NotFound("Connector %s not found", name)
		case errors.Is(err, raftstore.ErrPreconditionFailed) && ifMatch != "" && strings.TrimSpace(ifMatch) != "*":
			return restapi.ConnectorInfo{}, errConfigChanged(name, ifMatch)
		case errors.Is(err, raftstore.ErrPreconditionFailed) && attempt < maxPatchAttempts && ctx.Err() == nil:
			continue // another write landed first: patch the config it wrote
		case errors.Is(err, raftstore.ErrPreconditionFailed):
			return restapi.ConnectorInfo{}, restapi.Conflict("Connector %s config kept changing while the patch was applied; try again", name)
		}
		return info, err
	}
}

// DeleteConnector implements restapi.Herder.
func (h *Herder) DeleteConnector(ctx context.Context, name string) error {
	res, err := h.writer.apply(ctx, raftstore.DeleteConnector{Name: name})
	if err != nil {
		return err
	}
	if errors.Is(res[0].Err, raftstore.ErrNotFound) {
		return restapi.NotFound("Connector %s not found", name)
	}
	h.topics.forget(name)
	return res[0].Err
}

// TaskConfigs implements restapi.Herder.
func (h *Herder) TaskConfigs(ctx context.Context, name string) ([]restapi.TaskInfo, error) {
	c, err := h.connectorState(name)
	if err != nil {
		return nil, err
	}
	out := make([]restapi.TaskInfo, 0, len(c.Tasks))
	for i, tc := range c.Tasks {
		out = append(out, restapi.TaskInfo{ID: restapi.ConnectorTaskID{Connector: name, Task: i}, Config: tc})
	}
	return out, nil
}

func (h *Herder) setTarget(ctx context.Context, name string, t raftstore.TargetState, notFound string) error {
	res, err := h.writer.apply(ctx, raftstore.SetTargetState{Name: name, Target: t})
	if err != nil {
		return err
	}
	if errors.Is(res[0].Err, raftstore.ErrNotFound) {
		return restapi.NotFound(notFound, name)
	}
	return res[0].Err
}

// PauseConnector implements restapi.Herder.
func (h *Herder) PauseConnector(ctx context.Context, name string) error {
	return h.setTarget(ctx, name, raftstore.TargetPaused, "Unknown connector %s")
}

// ResumeConnector implements restapi.Herder.
func (h *Herder) ResumeConnector(ctx context.Context, name string) error {
	return h.setTarget(ctx, name, raftstore.TargetStarted, "Unknown connector %s")
}

// StopConnector implements restapi.Herder.
func (h *Herder) StopConnector(ctx context.Context, name string) error {
	return h.setTarget(ctx, name, raftstore.TargetStopped, "Unknown connector %s")
}

// startWait bounds how long a create or config update waits for the owning worker.
const startWait = 10 * time.Second

// awaitStarted waits until the worker that owns connector name has (re)started it with the
// config written at index: its status was written after that entry, and when it runs, a
// new connector's task configs are stored too. Clients create a connector and read its
// status right away, expecting RUNNING, as Kafka's answers appear to them. It returns the
// connector as it then is, and false when it was deleted or replaced meanwhile or the wait
// ran out (the write stands either way; only the answer's task list is at stake).
func (h *Herder) awaitStarted(ctx context.Context, name string, index uint64, created bool) (raftstore.ConnectorState, bool) {
	ctx, cancel := context.WithTimeout(ctx, startWait)
	defer cancel()
	changes, unsubscribe := h.store.Subscribe()
	defer unsubscribe()
	for {
		c, ok := h.store.Connector(name)
		if !ok || c.ConfigVersion() != index {
			return c, false
		}
		if s := h.store.Statuses(name).Connector; s != nil && s.Index > index {
			if s.State != runtime.StateRunning || !created || len(c.Tasks) > 0 || c.TaskGeneration > 0 {
				return c, true
			}
		}
		select {
		case <-ctx.Done():
			return c, false
		case _, open := <-changes:
			if !open {
				return c, false
			}
		}
	}
}
