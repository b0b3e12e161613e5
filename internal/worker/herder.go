package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/IBM/sarama"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/raftstore"
	"github.com/raftconnect/raftconnect/restapi"
)

var _ restapi.Herder = (*Worker)(nil)

// apply writes commands to the store and maps store errors to REST errors.
func (w *Worker) apply(ctx context.Context, cmds ...raftstore.Command) ([]raftstore.Result, error) {
	if !w.store.IsLeader() {
		// Right after start (or during an election) a leader is usually moments away: wait
		// for it rather than fail the request.
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_ = w.store.WaitForLeader(wctx)
		cancel()
	}
	res, err := w.store.Apply(ctx, cmds...)
	if errors.Is(err, raftstore.ErrNotLeader) {
		return nil, restapi.Conflict("Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway.")
	}
	return res, err
}

func (w *Worker) connectorState(name string) (raftstore.ConnectorState, error) {
	c, ok := w.store.Connector(name)
	if !ok {
		return c, restapi.NotFound("Connector %s not found", name)
	}
	return c, nil
}

func connectorType(config map[string]string) string {
	p, err := connect.Lookup(config[keyConnectorClass])
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

// ServerInfo implements restapi.Herder.
func (w *Worker) ServerInfo(ctx context.Context) (restapi.ServerInfo, error) {
	return restapi.ServerInfo{Version: w.version, Commit: w.commit, KafkaClusterID: w.kafkaClusterID(ctx)}, nil
}

// kafkaClusterID returns the Kafka cluster id, waiting briefly for the lookup that starts
// with the worker.
func (w *Worker) kafkaClusterID(ctx context.Context) string {
	select {
	case <-w.clusterKnown:
	case <-ctx.Done():
	case <-time.After(2 * time.Second):
	}
	w.clusterMu.Lock()
	defer w.clusterMu.Unlock()
	return w.clusterID
}

// lookupClusterID asks the brokers for their cluster id until it succeeds or ctx is done.
func (w *Worker) lookupClusterID(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		if id, err := w.fetchClusterID(); err == nil {
			w.clusterMu.Lock()
			w.clusterID = id
			w.clusterMu.Unlock()
			close(w.clusterKnown)
			return
		} else {
			w.log.Debug("reading the Kafka cluster id failed", "error", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 10*time.Second)
	}
}

func (w *Worker) fetchClusterID() (string, error) {
	c, err := w.clientConfig("admin", "raftconnect-admin-"+w.node, nil)
	if err != nil {
		return "", err
	}
	c.Net.DialTimeout = 2 * time.Second
	c.Metadata.Retry.Max = 0
	client, err := sarama.NewClient(w.cfg.BootstrapServers, c)
	if err != nil {
		return "", err
	}
	defer client.Close()
	for _, b := range client.Brokers() {
		if err := b.Open(c); err != nil && !errors.Is(err, sarama.ErrAlreadyConnected) {
			continue
		}
		md, err := b.GetMetadata(&sarama.MetadataRequest{Version: 2})
		if err == nil && md.ClusterID != nil {
			return *md.ClusterID, nil
		}
	}
	return "", errors.New("no broker reported a cluster id")
}

// Health implements restapi.Herder.
func (w *Worker) Health(ctx context.Context) (restapi.WorkerStatus, int) {
	if !w.Ready() {
		return restapi.WorkerStatus{Status: "starting", Message: fmt.Sprintf("Worker is still starting up. The worker is currently joining the Raft cluster and starting connectors, which began at %s.", w.started.UTC().Format(time.RFC3339Nano))}, http.StatusServiceUnavailable
	}
	if err := w.store.WaitForLeader(ctx); err != nil {
		return restapi.WorkerStatus{Status: "unhealthy", Message: "Worker was unable to handle this request and may be unable to handle other requests. No Raft leader is known: " + err.Error()}, http.StatusInternalServerError
	}
	return restapi.WorkerStatus{Status: "healthy", Message: "Worker has completed startup and is ready to handle requests."}, http.StatusOK
}

// Connectors implements restapi.Herder.
func (w *Worker) Connectors(ctx context.Context) ([]string, error) {
	return w.store.ConnectorNames(), nil
}

// ConnectorInfo implements restapi.Herder.
func (w *Worker) ConnectorInfo(ctx context.Context, name string) (restapi.ConnectorInfo, error) {
	c, err := w.connectorState(name)
	if err != nil {
		return restapi.ConnectorInfo{}, err
	}
	return connectorInfo(c), nil
}

// ConnectorConfig implements restapi.Herder.
func (w *Worker) ConnectorConfig(ctx context.Context, name string) (restapi.VersionedConfig, error) {
	c, err := w.connectorState(name)
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
func (w *Worker) PutConnectorConfig(ctx context.Context, name string, config map[string]string, createOnly bool, initialState, ifMatch string) (restapi.ConnectorInfo, bool, error) {
	cmd := raftstore.PutConnector{Name: name, Config: config, CreateOnly: createOnly}
	if ifMatch != "" {
		c, ok := w.store.Connector(name)
		if !ok || !restapi.ETagMatches(ifMatch, configETag(c.ConfigVersion())) {
			return restapi.ConnectorInfo{}, false, errConfigChanged(name, ifMatch)
		}
		// The store compares again when it applies the write, so a write between this
		// read and ours still fails the precondition.
		cmd.IfConfigIndex = c.ConfigVersion()
	}
	info, created, err := w.putConnectorConfig(ctx, cmd, initialState)
	if errors.Is(err, raftstore.ErrPreconditionFailed) {
		return restapi.ConnectorInfo{}, false, errConfigChanged(name, ifMatch)
	}
	return info, created, err
}

// putConnectorConfig validates and stores a connector configuration; nothing is written when
// validation fails. The answer is built from what was written, not read back from the store,
// so a create racing a delete still answers what it committed (201), never 404.
func (w *Worker) putConnectorConfig(ctx context.Context, cmd raftstore.PutConnector, initialState string) (restapi.ConnectorInfo, bool, error) {
	name, config := cmd.Name, cmd.Config
	infos, err := w.validateConnectorConfig(config)
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
	if prev, exists := w.store.Connector(name); exists {
		if initialState != "" {
			cmd.Target = nil // initial_state applies to new connectors only
		}
		tasks = prev.Tasks
	}
	res, err := w.apply(ctx, cmd)
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
func (w *Worker) PatchConnectorConfig(ctx context.Context, name string, patch map[string]*string, ifMatch string) (restapi.ConnectorInfo, error) {
	for attempt := 1; ; attempt++ {
		c, err := w.connectorState(name)
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
		if n, ok := config[keyName]; ok && n != name {
			return restapi.ConnectorInfo{}, restapi.BadRequest("Connector name configuration (%s) doesn't match connector name in the URL (%s)", n, name)
		}
		info, _, err := w.putConnectorConfig(ctx, raftstore.PutConnector{Name: name, Config: config, UpdateOnly: true, IfConfigIndex: c.ConfigVersion()}, "")
		switch {
		case errors.Is(err, raftstore.ErrNotFound):
			return restapi.ConnectorInfo{}, restapi.NotFound("Connector %s not found", name)
		case errors.Is(err, raftstore.ErrPreconditionFailed) && ifMatch != "":
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
func (w *Worker) DeleteConnector(ctx context.Context, name string) error {
	res, err := w.apply(ctx, raftstore.DeleteConnector{Name: name})
	if err != nil {
		return err
	}
	if errors.Is(res[0].Err, raftstore.ErrNotFound) {
		return restapi.NotFound("Connector %s not found", name)
	}
	w.topicsMu.Lock()
	delete(w.topics, name)
	w.topicsMu.Unlock()
	return res[0].Err
}

func (w *Worker) stateInfo(name string) (restapi.ConnectorStateInfo, error) {
	c, ok := w.store.Connector(name)
	if !ok {
		return restapi.ConnectorStateInfo{}, restapi.NotFound("No status found for connector %s", name)
	}
	sts := w.store.Statuses(name)
	info := restapi.ConnectorStateInfo{Name: name, Type: connectorType(c.Config), Tasks: []restapi.TaskState{}}
	if sts.Connector != nil {
		info.Connector = restapi.ConnectorState{State: sts.Connector.State, WorkerID: sts.Connector.WorkerID, Trace: sts.Connector.Trace}
	} else {
		info.Connector = restapi.ConnectorState{State: stateUnassigned, WorkerID: w.ownerURL(name)}
	}
	for i := range c.Tasks {
		ts, ok := sts.Tasks[i]
		if !ok {
			info.Tasks = append(info.Tasks, restapi.TaskState{ID: i, State: stateUnassigned, WorkerID: w.id})
			continue
		}
		info.Tasks = append(info.Tasks, restapi.TaskState{ID: i, State: ts.State, WorkerID: ts.WorkerID, Trace: ts.Trace})
	}
	return info, nil
}

// ownerURL names the worker a connector is assigned to, for statuses not written yet.
func (w *Worker) ownerURL(name string) string {
	a := w.store.Assignments()
	if ca, ok := a.Connectors[name]; ok && ca.Worker != w.node {
		return ca.Worker
	}
	return w.id
}

// ConnectorStatus implements restapi.Herder.
func (w *Worker) ConnectorStatus(ctx context.Context, name string) (restapi.ConnectorStateInfo, error) {
	return w.stateInfo(name)
}

// TaskStatus implements restapi.Herder.
func (w *Worker) TaskStatus(ctx context.Context, name string, task int) (restapi.TaskState, error) {
	info, err := w.stateInfo(name)
	if err == nil {
		for _, t := range info.Tasks {
			if t.ID == task {
				return t, nil
			}
		}
	}
	return restapi.TaskState{}, restapi.NotFound("No status found for task %s-%d", name, task)
}

// TaskConfigs implements restapi.Herder.
func (w *Worker) TaskConfigs(ctx context.Context, name string) ([]restapi.TaskInfo, error) {
	c, err := w.connectorState(name)
	if err != nil {
		return nil, err
	}
	out := make([]restapi.TaskInfo, 0, len(c.Tasks))
	for i, tc := range c.Tasks {
		out = append(out, restapi.TaskInfo{ID: restapi.ConnectorTaskID{Connector: name, Task: i}, Config: tc})
	}
	return out, nil
}

// RestartConnector implements restapi.Herder. Every form goes through the store as a restart
// request that the owning worker executes; the legacy form (both flags false) waits for it.
func (w *Worker) RestartConnector(ctx context.Context, name string, includeTasks, onlyFailed bool) (*restapi.ConnectorStateInfo, error) {
	if _, ok := w.store.Connector(name); !ok {
		return nil, restapi.NotFound("Unknown connector: %s", name)
	}
	var plan *restapi.ConnectorStateInfo
	if includeTasks || onlyFailed {
		info, err := w.stateInfo(name)
		if err != nil || w.store.Statuses(name).Connector == nil {
			return nil, restapi.NotFound("Status for connector %s not found", name)
		}
		if !onlyFailed || info.Connector.State == stateFailed {
			info.Connector.State = stateRestarting
		}
		if includeTasks {
			for i := range info.Tasks {
				if !onlyFailed || info.Tasks[i].State == stateFailed {
					info.Tasks[i].State = stateRestarting
				}
			}
		}
		plan = &info
	}
	res, err := w.apply(ctx, raftstore.RequestRestart{Connector: name, OnlyFailed: onlyFailed, IncludeTasks: includeTasks})
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
	return nil, w.waitRestart(ctx, res[0].Seq)
}

// waitRestart waits until this worker executed restart request seq.
func (w *Worker) waitRestart(ctx context.Context, seq uint64) error {
	stop := context.AfterFunc(ctx, func() {
		w.mu.Lock()
		w.restarted.Broadcast()
		w.mu.Unlock()
	})
	defer stop()
	w.trigger()
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.restartSeq < seq {
		if err := ctx.Err(); err != nil {
			return err
		}
		w.restarted.Wait()
	}
	return nil
}

// RestartTask implements restapi.Herder: the task is stopped and started again before it
// returns.
func (w *Worker) RestartTask(ctx context.Context, name string, task int) error {
	c, ok := w.store.Connector(name)
	if !ok {
		return restapi.NotFound("Unknown connector: %s", name)
	}
	if task < 0 || task >= len(c.Tasks) {
		return restapi.NotFound("Unknown task: %s-%d", name, task)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	id := taskID{name, task}
	h := w.tasks[id]
	if h == nil {
		return restapi.Conflict("Cannot complete request because task %s is not running on this worker; it is being assigned", id)
	}
	stopAll([]stopper{h}, w.cfg.ShutdownTimeout)
	w.tasks[id] = w.startTask(ctx, id, c, c.Tasks[task], h.epoch)
	return nil
}

func (w *Worker) setTarget(ctx context.Context, name string, t raftstore.TargetState, notFound string) error {
	res, err := w.apply(ctx, raftstore.SetTargetState{Name: name, Target: t})
	if err != nil {
		return err
	}
	if errors.Is(res[0].Err, raftstore.ErrNotFound) {
		return restapi.NotFound(notFound, name)
	}
	return res[0].Err
}

// PauseConnector implements restapi.Herder.
func (w *Worker) PauseConnector(ctx context.Context, name string) error {
	return w.setTarget(ctx, name, raftstore.TargetPaused, "Unknown connector %s")
}

// ResumeConnector implements restapi.Herder.
func (w *Worker) ResumeConnector(ctx context.Context, name string) error {
	return w.setTarget(ctx, name, raftstore.TargetStarted, "Unknown connector %s")
}

// StopConnector implements restapi.Herder.
func (w *Worker) StopConnector(ctx context.Context, name string) error {
	return w.setTarget(ctx, name, raftstore.TargetStopped, "Unknown connector %s")
}

// ConnectorTopics implements restapi.Herder.
func (w *Worker) ConnectorTopics(ctx context.Context, name string) ([]string, error) {
	if !w.cfg.TopicTracking {
		return nil, restapi.Forbidden("Topic tracking is disabled.")
	}
	w.topicsMu.Lock()
	defer w.topicsMu.Unlock()
	return slices.Sorted(maps.Keys(w.topics[name])), nil
}

// ResetConnectorTopics implements restapi.Herder.
func (w *Worker) ResetConnectorTopics(ctx context.Context, name string) error {
	if !w.cfg.TopicTracking {
		return restapi.Forbidden("Topic tracking is disabled.")
	}
	if !w.cfg.TopicTrackingReset {
		return restapi.Forbidden("Topic tracking reset is disabled.")
	}
	// Like Kafka, no existence check: resetting an unknown connector's topics is a no-op.
	w.topicsMu.Lock()
	defer w.topicsMu.Unlock()
	delete(w.topics, name)
	w.topicsGen.Add(1)
	return nil
}

// ConnectorOffsets implements restapi.Herder: source offsets from the store, sink offsets from
// the connector's consumer group.
func (w *Worker) ConnectorOffsets(ctx context.Context, name string) (restapi.ConnectorOffsets, error) {
	c, err := w.connectorState(name)
	if err != nil {
		return restapi.ConnectorOffsets{}, err
	}
	out := restapi.ConnectorOffsets{Offsets: []restapi.ConnectorOffset{}}
	if connectorType(c.Config) == restapi.ConnectorTypeSink {
		offs, err := w.sinkOffsets(name, c.Config)
		if err != nil {
			return out, err
		}
		for _, tp := range sortedTPKeys(offs) {
			out.Offsets = append(out.Offsets, restapi.ConnectorOffset{
				Partition: map[string]any{"kafka_topic": tp.Topic, "kafka_partition": tp.Partition},
				Offset:    map[string]any{"kafka_offset": offs[tp]},
			})
		}
		return out, nil
	}
	for _, e := range w.store.Offsets(name) {
		p, err := decodeJSONMap(e.Partition)
		if err != nil {
			return out, fmt.Errorf("stored partition %s: %w", e.Partition, err)
		}
		o, err := decodeJSONMap(e.Offset)
		if err != nil {
			return out, fmt.Errorf("stored offset %s: %w", e.Offset, err)
		}
		out.Offsets = append(out.Offsets, restapi.ConnectorOffset{Partition: p, Offset: o})
	}
	return out, nil
}

func sortedTPKeys(m map[connect.TopicPartition]int64) []connect.TopicPartition {
	keys := slices.Collect(maps.Keys(m))
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].Topic < keys[j].Topic || keys[i].Topic == keys[j].Topic && keys[i].Partition < keys[j].Partition
	})
	return keys
}

func sinkGroup(name string, config map[string]string) string {
	if g := config["consumer.override.group.id"]; g != "" {
		return g
	}
	return "connect-" + name
}

func (w *Worker) adminClient(config map[string]string) (sarama.ClusterAdmin, sarama.Client, error) {
	c, err := w.clientConfig("admin", "raftconnect-admin-"+w.node, config)
	if err != nil {
		return nil, nil, err
	}
	// Offset managers built on this client report failed commits only with Return.Errors.
	c.Consumer.Return.Errors = true
	client, err := sarama.NewClient(w.cfg.BootstrapServers, c)
	if err != nil {
		return nil, nil, fmt.Errorf("connecting to Kafka: %w", err)
	}
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		client.Close()
		return nil, nil, err
	}
	return admin, client, nil
}

func (w *Worker) sinkOffsets(name string, config map[string]string) (map[connect.TopicPartition]int64, error) {
	admin, client, err := w.adminClient(config)
	if err != nil {
		return nil, err
	}
	defer client.Close()
	resp, err := admin.ListConsumerGroupOffsets(sinkGroup(name, config), nil)
	if errors.Is(err, sarama.ErrGroupIDNotFound) {
		return map[connect.TopicPartition]int64{}, nil // never consumed, or reset
	}
	if err != nil {
		return nil, fmt.Errorf("reading offsets of consumer group %s: %w", sinkGroup(name, config), err)
	}
	out := map[connect.TopicPartition]int64{}
	for topic, parts := range resp.Blocks {
		for p, b := range parts {
			if b.Offset >= 0 {
				out[connect.TopicPartition{Topic: topic, Partition: p}] = b.Offset
			}
		}
	}
	return out, nil
}

// checkStopped enforces Kafka's precondition for offset changes.
func (w *Worker) checkStopped(name string) (raftstore.ConnectorState, error) {
	c, err := w.connectorState(name)
	if err != nil {
		return c, err
	}
	if c.Target != raftstore.TargetStopped || len(c.Tasks) > 0 {
		return c, restapi.BadRequest("Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/%s/stop' endpoint", name)
	}
	return c, nil
}

// AlterConnectorOffsets implements restapi.Herder.
func (w *Worker) AlterConnectorOffsets(ctx context.Context, name string, offsets restapi.ConnectorOffsets) (restapi.Message, error) {
	c, err := w.checkStopped(name)
	if err != nil {
		return restapi.Message{}, err
	}
	if connectorType(c.Config) == restapi.ConnectorTypeSink {
		offs, err := parseSinkOffsets(offsets)
		if err != nil {
			return restapi.Message{}, err
		}
		handled, err := sinkAlterHook(c.Config, offs)
		if err != nil {
			return restapi.Message{}, err
		}
		if err := w.writeSinkOffsets(name, c.Config, offs); err != nil {
			return restapi.Message{}, err
		}
		return offsetsMessage("altered", handled), nil
	}
	var entries []raftstore.OffsetEntry
	var hookOffsets []connect.SourceOffset
	for _, o := range offsets.Offsets {
		if o.Partition == nil {
			return restapi.Message{}, restapi.BadRequest("The partition for a source connector offset must be a non-null JSON object")
		}
		if err := primitiveMap(o.Partition); err != nil {
			return restapi.Message{}, fmt.Errorf("partition %v: %w", o.Partition, err)
		}
		if err := primitiveMap(o.Offset); err != nil {
			return restapi.Message{}, fmt.Errorf("offset %v: %w", o.Offset, err)
		}
		pb, _ := json.Marshal(o.Partition)
		ob := json.RawMessage("null")
		if o.Offset != nil {
			ob, _ = json.Marshal(o.Offset)
		}
		entries = append(entries, raftstore.OffsetEntry{Partition: pb, Offset: ob})
		hookOffsets = append(hookOffsets, connect.SourceOffset{Partition: o.Partition, Offset: o.Offset})
	}
	handled, err := sourceAlterHook(c.Config, hookOffsets)
	if err != nil {
		return restapi.Message{}, err
	}
	if _, err := w.commitOffsetsNow(ctx, name, entries); err != nil {
		return restapi.Message{}, err
	}
	return offsetsMessage("altered", handled), nil
}

// alterHook lets the connector check (and apply externally) offsets a user alters or resets,
// as Kafka's alterOffsets does: an error rejects the request with 400, and the result picks
// the message.
func alterHook(config map[string]string, call func(connect.Connector) (implemented, handled bool, err error)) (bool, error) {
	p, err := connect.Lookup(config[keyConnectorClass])
	if err != nil {
		return false, err
	}
	var implemented, handled bool
	err = safeCall("Connector.AlterOffsets", func() error {
		var err error
		implemented, handled, err = call(p.New().(connect.Connector))
		return err
	})
	if err != nil {
		return false, restapi.BadRequest("The connector rejected the offsets: %v", err)
	}
	return implemented && handled, nil
}

// sinkAlterHook runs a sink connector's SinkOffsetAlterer, if it has one.
func sinkAlterHook(config map[string]string, offs map[connect.TopicPartition]*int64) (bool, error) {
	return alterHook(config, func(conn connect.Connector) (bool, bool, error) {
		a, ok := conn.(connect.SinkOffsetAlterer)
		if !ok {
			return false, false, nil
		}
		h, err := a.AlterOffsets(maps.Clone(config), offs)
		return true, h, err
	})
}

// sourceAlterHook runs a source connector's SourceOffsetAlterer, if it has one.
func sourceAlterHook(config map[string]string, offs []connect.SourceOffset) (bool, error) {
	return alterHook(config, func(conn connect.Connector) (bool, bool, error) {
		a, ok := conn.(connect.SourceOffsetAlterer)
		if !ok {
			return false, false, nil
		}
		h, err := a.AlterOffsets(maps.Clone(config), offs)
		return true, h, err
	})
}

// offsetsMessage is Kafka's answer to an offsets change: short when the connector said it
// handled everything, else the warning that external offsets are untouched.
func offsetsMessage(verb string, handled bool) restapi.Message {
	if handled {
		return restapi.Message{Message: "The offsets for this connector have been " + verb + " successfully"}
	}
	return restapi.Message{Message: "The Connect framework-managed offsets for this connector have been " + verb + " successfully. However, if this connector manages offsets externally, they will need to be manually " + verb + " in the system that the connector uses."}
}

func (w *Worker) commitOffsetsNow(ctx context.Context, name string, entries []raftstore.OffsetEntry) ([]raftstore.Result, error) {
	res, err := w.apply(ctx, raftstore.CommitOffsets{Connector: name, Entries: entries})
	if err != nil {
		return nil, err
	}
	return res, res[0].Err
}

func primitiveMap(m map[string]any) error {
	for k, v := range m {
		switch v.(type) {
		case nil, string, bool, float64, json.Number, int64:
		default:
			return fmt.Errorf("value of %q must be a string, number, boolean or null, not %T", k, v)
		}
	}
	return nil
}

// parseSinkOffsets follows Kafka's SinkUtils.parseSinkConnectorOffsets, messages included:
// partitions need kafka_topic and kafka_partition, offsets are null (reset) or carry
// kafka_offset; numbers may be JSON numbers or strings.
func parseSinkOffsets(offsets restapi.ConnectorOffsets) (map[connect.TopicPartition]*int64, error) {
	out := map[connect.TopicPartition]*int64{}
	for _, o := range offsets.Offsets {
		if o.Partition == nil {
			return nil, restapi.BadRequest("The partition for a sink connector offset cannot be null or missing")
		}
		topicV, hasTopic := o.Partition["kafka_topic"]
		partV, hasPart := o.Partition["kafka_partition"]
		if !hasTopic || !hasPart {
			return nil, restapi.BadRequest("The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'")
		}
		if topicV == nil {
			return nil, restapi.BadRequest("Kafka topic names must be valid strings and may not be null")
		}
		if partV == nil {
			return nil, restapi.BadRequest("Kafka partitions must be valid numbers and may not be null")
		}
		part, err := strconv.ParseInt(javaString(partV), 10, 32)
		if err != nil {
			return nil, restapi.BadRequest("Failed to parse the following Kafka partition value in the provided offsets: '%s'. Partition values for sink connectors need to be integers.", javaString(partV))
		}
		tp := connect.TopicPartition{Topic: javaString(topicV), Partition: int32(part)}
		if o.Offset == nil {
			out[tp] = nil
			continue
		}
		offV, ok := o.Offset["kafka_offset"]
		if !ok {
			return nil, restapi.BadRequest("The offset for a sink connector should either be null or contain the key 'kafka_offset'")
		}
		off, err := strconv.ParseInt(javaString(offV), 10, 64)
		if err != nil {
			return nil, restapi.BadRequest("Failed to parse the following Kafka offset value in the provided offsets: '%s'. Offset values for sink connectors need to be integers.", javaString(offV))
		}
		if off < 0 {
			return nil, restapi.BadRequest("Invalid offset %d for %s-%d: sink connector offsets may not be negative", off, tp.Topic, tp.Partition)
		}
		out[tp] = &off
	}
	return out, nil
}

// javaString renders a decoded JSON value as Java's String.valueOf would (integral numbers
// without a fraction), which is what Kafka parses partition and offset values from.
func javaString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if x == float64(int64(x)) {
			return strconv.FormatInt(int64(x), 10) + ".0"
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

// writeSinkOffsets commits (or, for nil, deletes) consumer group offsets with one
// OffsetCommit request to the group coordinator, checking every partition's answer. The group
// must be empty: the connector is stopped.
func (w *Worker) writeSinkOffsets(name string, config map[string]string, offs map[connect.TopicPartition]*int64) error {
	admin, client, err := w.adminClient(config)
	if err != nil {
		return err
	}
	defer client.Close()
	group := sinkGroup(name, config)
	if err := groupIsEmpty(admin, group); err != nil {
		return err
	}
	req := &sarama.OffsetCommitRequest{ConsumerGroup: group, Version: 2, ConsumerGroupGeneration: -1, RetentionTime: -1}
	commits := 0
	for tp, off := range offs {
		parts, err := client.Partitions(tp.Topic)
		if err != nil {
			return fmt.Errorf("topic %s: %w", tp.Topic, err)
		}
		if !slices.Contains(parts, tp.Partition) {
			return fmt.Errorf("topic %s has no partition %d", tp.Topic, tp.Partition)
		}
		if off == nil {
			if err := admin.DeleteConsumerGroupOffset(group, tp.Topic, tp.Partition); err != nil &&
				!errors.Is(err, sarama.ErrGroupIDNotFound) && !errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
				return fmt.Errorf("resetting %s-%d of group %s: %w", tp.Topic, tp.Partition, group, err)
			}
			continue
		}
		req.AddBlock(tp.Topic, tp.Partition, *off, 0, "")
		commits++
	}
	if commits == 0 {
		return nil
	}
	coord, err := client.Coordinator(group)
	if err != nil {
		return fmt.Errorf("finding the coordinator of group %s: %w", group, err)
	}
	resp, err := coord.CommitOffset(req)
	if err != nil {
		return fmt.Errorf("committing offsets of group %s: %w", group, err)
	}
	for topic, parts := range resp.Errors {
		for p, kerr := range parts {
			if kerr != sarama.ErrNoError {
				return fmt.Errorf("committing offset of %s-%d for group %s: %w", topic, p, group, kerr)
			}
		}
	}
	return nil
}

// groupIsEmpty refuses to change a consumer group that still has members, as Kafka does: a
// task that is still stopping would overwrite the new offsets.
func groupIsEmpty(admin sarama.ClusterAdmin, group string) error {
	descs, err := admin.DescribeConsumerGroups([]string{group})
	if err != nil {
		return fmt.Errorf("describing consumer group %s: %w", group, err)
	}
	for _, d := range descs {
		if len(d.Members) > 0 {
			return fmt.Errorf("failed to alter consumer group offsets for connector's group %s: the group is not empty (%d members); wait until the connector's tasks have stopped", group, len(d.Members))
		}
	}
	return nil
}

// ResetConnectorOffsets implements restapi.Herder.
func (w *Worker) ResetConnectorOffsets(ctx context.Context, name string) (restapi.Message, error) {
	c, err := w.checkStopped(name)
	if err != nil {
		return restapi.Message{}, err
	}
	if connectorType(c.Config) == restapi.ConnectorTypeSink {
		admin, client, err := w.adminClient(c.Config)
		if err != nil {
			return restapi.Message{}, err
		}
		defer client.Close()
		current, err := w.sinkOffsets(name, c.Config)
		if err != nil {
			return restapi.Message{}, err
		}
		resets := make(map[connect.TopicPartition]*int64, len(current))
		for tp := range current {
			resets[tp] = nil
		}
		handled, err := sinkAlterHook(c.Config, resets)
		if err != nil {
			return restapi.Message{}, err
		}
		if err := admin.DeleteConsumerGroup(sinkGroup(name, c.Config)); err != nil && !errors.Is(err, sarama.ErrGroupIDNotFound) {
			return restapi.Message{}, fmt.Errorf("deleting consumer group %s: %w", sinkGroup(name, c.Config), err)
		}
		return offsetsMessage("reset", handled), nil
	}
	var entries []raftstore.OffsetEntry
	var resets []connect.SourceOffset
	for _, e := range w.store.Offsets(name) {
		entries = append(entries, raftstore.OffsetEntry{Partition: e.Partition, Offset: json.RawMessage("null")})
		p, err := decodeJSONMap(e.Partition)
		if err != nil {
			return restapi.Message{}, fmt.Errorf("stored partition %s: %w", e.Partition, err)
		}
		resets = append(resets, connect.SourceOffset{Partition: p})
	}
	handled, err := sourceAlterHook(c.Config, resets)
	if err != nil {
		return restapi.Message{}, err
	}
	if len(entries) > 0 {
		if _, err := w.commitOffsetsNow(ctx, name, entries); err != nil {
			return restapi.Message{}, err
		}
	}
	return offsetsMessage("reset", handled), nil
}

// Plugins implements restapi.Herder.
func (w *Worker) Plugins(ctx context.Context, connectorsOnly bool) ([]restapi.PluginInfo, error) {
	var out []restapi.PluginInfo
	for _, p := range connect.Plugins() {
		if connectorsOnly && p.Type != connect.PluginSource && p.Type != connect.PluginSink {
			continue
		}
		out = append(out, restapi.PluginInfo{Class: p.Class, Type: string(p.Type), Version: p.Version})
	}
	return out, nil
}

// PluginConfig implements restapi.Herder: a connector's own keys then the framework keys it
// does not define; other plugins' own keys.
func (w *Worker) PluginConfig(ctx context.Context, plugin string) ([]restapi.ConfigKeyInfo, error) {
	p, err := connect.Lookup(plugin)
	if err != nil {
		return nil, restapi.NotFound("Unknown plugin %s.", plugin)
	}
	def := pluginConfigDef(p)
	switch p.New().(type) {
	case connect.SourceConnector:
		def = def.With(sourceDef())
	case connect.SinkConnector:
		def = def.With(sinkDef())
	}
	out := []restapi.ConfigKeyInfo{}
	for _, k := range def.Keys() {
		out = append(out, *configKeyInfo(k))
	}
	return out, nil
}

// ValidateConfig implements restapi.Herder.
func (w *Worker) ValidateConfig(ctx context.Context, plugin string, config map[string]string) (restapi.ConfigInfos, error) {
	return w.validateConnectorConfig(config)
}
