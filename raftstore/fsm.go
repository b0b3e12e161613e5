package raftstore

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"

	"github.com/hashicorp/raft"
)

// Result is the outcome of one command of an applied batch.
type Result struct {
	// Index is the Raft log index of the entry the command was part of.
	Index uint64
	// Err is the command's own failure (ErrNotFound, ErrAlreadyExists,
	// ErrFenced, ErrInvalid, ErrUnknownCommand, wrapped with context).
	Err error
	// Skipped is true for an unknown command marked ignorable.
	Skipped bool
	// Created is true when PutConnector created the connector.
	Created bool
	// Seq is the sequence number given to a RequestRestart.
	Seq uint64
	// TaskGeneration is the connector's task generation after a
	// PutTaskConfigs or SetTargetState.
	TaskGeneration uint64

	// desired is true for commands that change desired state (configs, targets, task
	// configs, assignments, restarts, workers) rather than observed state (statuses,
	// offsets).
	desired bool
}

// applyResponse is what the FSM returns to raft for one log entry; the
// leader's Store.Apply gets it back through the ApplyFuture.
type applyResponse struct {
	results []Result
	err     error // entry-level failure: the entry could not be decoded
}

// fsm is the raft.FSM. Raft calls Apply/ApplyBatch/Snapshot/Restore from
// one goroutine; readers take mu.RLock.
type fsm struct {
	mu sync.RWMutex
	st *State
	// desiredIndex is the index of the last entry that changed desired state; entries of
	// statuses and offsets leave it alone. It is not part of snapshots: a restored state
	// counts as changed at its own index.
	desiredIndex uint64

	notify *notifier
}

var _ raft.BatchingFSM = (*fsm)(nil)

func newFSM() *fsm {
	return &fsm{st: newState(), notify: newNotifier()}
}

// Apply implements raft.FSM.
func (f *fsm) Apply(l *raft.Log) any {
	f.mu.Lock()
	resp := f.applyLocked(l)
	f.mu.Unlock()
	f.notify.broadcast()
	return resp
}

// ApplyBatch implements raft.BatchingFSM: under load raft hands over many
// entries at once, and taking the lock and notifying once per batch keeps
// the FSM goroutine cheap.
func (f *fsm) ApplyBatch(logs []*raft.Log) []any {
	out := make([]any, len(logs))
	f.mu.Lock()
	for i, l := range logs {
		if l.Type == raft.LogCommand {
			out[i] = f.applyLocked(l)
		}
	}
	f.mu.Unlock()
	f.notify.broadcast()
	return out
}

func (f *fsm) applyLocked(l *raft.Log) *applyResponse {
	f.st.Index = l.Index
	resp := applyEntry(f.st, l.Index, l.Data)
	for _, r := range resp.results {
		if r.Err == nil && r.desired {
			f.desiredIndex = l.Index
			break
		}
	}
	return resp
}

// applyEntry decodes one log entry and applies its commands to st. It is
// deterministic: every node computes the same state and results.
func applyEntry(st *State, index uint64, data []byte) *applyResponse {
	cmds, err := decodeEntry(data)
	if err != nil {
		return &applyResponse{err: fmt.Errorf("apply entry %d: %w", index, err)}
	}
	results := make([]Result, len(cmds))
	for i, dc := range cmds {
		r := Result{Index: index, Skipped: dc.skipped, Err: dc.err}
		if dc.cmd != nil {
			applyCommand(st, index, dc.cmd, &r)
		}
		results[i] = r
	}
	return &applyResponse{results: results}
}

func applyCommand(st *State, index uint64, c Command, r *Result) {
	switch c.(type) {
	case PutStatuses, DeleteTaskStatuses, CommitOffsets:
	default:
		r.desired = true
	}
	switch c := c.(type) {
	case PutConnector:
		r.Err = applyPutConnector(st, index, c, r)
	case DeleteConnector:
		r.Err = applyDeleteConnector(st, c)
	case SetTargetState:
		r.Err = applySetTargetState(st, index, c, r)
	case PutTaskConfigs:
		r.Err = applyPutTaskConfigs(st, index, c, r)
	case PutStatuses:
		r.Err = applyPutStatuses(st, index, c)
	case DeleteTaskStatuses:
		r.Err = applyDeleteTaskStatuses(st, c)
	case SetAssignments:
		applySetAssignments(st, index, c)
	case CommitOffsets:
		r.Err = applyCommitOffsets(st, c)
	case RequestRestart:
		r.Err = applyRequestRestart(st, index, c, r)
	case RegisterWorker:
		r.Err = applyRegisterWorker(st, index, c)
	case RemoveWorker:
		r.Err = applyRemoveWorker(st, c)
	default:
		// Unreachable: decodeEntry only yields registered types.
		r.Err = fmt.Errorf("apply %T: %w", c, ErrUnknownCommand)
	}
}

func applyPutConnector(st *State, index uint64, c PutConnector, r *Result) error {
	if c.Name == "" {
		return fmt.Errorf("put connector: empty name: %w", ErrInvalid)
	}
	if c.Target != nil && !c.Target.Valid() {
		return fmt.Errorf("put connector %q: target state %q: %w", c.Name, *c.Target, ErrInvalid)
	}
	if c.Config == nil {
		c.Config = map[string]string{}
	}
	cur, exists := st.Connectors[c.Name]
	if exists && c.CreateOnly {
		return fmt.Errorf("put connector %q: %w", c.Name, ErrAlreadyExists)
	}
	if !exists && c.UpdateOnly {
		return fmt.Errorf("put connector %q: %w", c.Name, ErrNotFound)
	}
	if c.IfConfigIndex != 0 && (!exists || cur.ConfigVersion() != c.IfConfigIndex) {
		return fmt.Errorf("put connector %q: config version %d expected, found %d: %w", c.Name, c.IfConfigIndex, cur.ConfigVersion(), ErrPreconditionFailed)
	}
	if !exists {
		cur = ConnectorState{Name: c.Name, Target: TargetStarted, CreatedIndex: index}
		r.Created = true
	}
	cur.Config = c.Config
	cur.ConfigIndex = index
	if c.Target != nil {
		cur.Target = *c.Target
	}
	cur.UpdatedIndex = index
	st.Connectors[c.Name] = cur
	return nil
}

func applyDeleteConnector(st *State, c DeleteConnector) error {
	if _, ok := st.Connectors[c.Name]; !ok {
		return fmt.Errorf("delete connector %q: %w", c.Name, ErrNotFound)
	}
	delete(st.Connectors, c.Name)
	delete(st.ConnectorStatuses, c.Name)
	delete(st.ConnectorAssignments, c.Name)
	delete(st.Restarts, c.Name)
	maps.DeleteFunc(st.TaskStatuses, func(id TaskID, _ Status) bool { return id.Connector == c.Name })
	maps.DeleteFunc(st.TaskAssignments, func(id TaskID, _ Assignment) bool { return id.Connector == c.Name })
	return nil
}

func applySetTargetState(st *State, index uint64, c SetTargetState, r *Result) error {
	if !c.Target.Valid() {
		return fmt.Errorf("set target state of %q: target state %q: %w", c.Name, c.Target, ErrInvalid)
	}
	cur, ok := st.Connectors[c.Name]
	if !ok {
		return fmt.Errorf("set target state of %q: %w", c.Name, ErrNotFound)
	}
	cur.Target = c.Target
	// Stopping writes an empty task set, as Kafka Connect does, so no worker
	// keeps (or restarts) tasks of a stopped connector. Only a real change
	// bumps the generation, so stopping twice is not a task change.
	if c.Target == TargetStopped && len(cur.Tasks) > 0 {
		cur.Tasks = []map[string]string{}
		cur.TaskGeneration++
	}
	cur.UpdatedIndex = index
	st.Connectors[c.Name] = cur
	r.TaskGeneration = cur.TaskGeneration
	return nil
}

func applyPutTaskConfigs(st *State, index uint64, c PutTaskConfigs, r *Result) error {
	cur, ok := st.Connectors[c.Name]
	if !ok {
		return fmt.Errorf("put task configs of %q: %w", c.Name, ErrNotFound)
	}
	tasks := c.Tasks
	if tasks == nil {
		tasks = []map[string]string{}
	}
	if cur.Target == TargetStopped && len(tasks) > 0 {
		return fmt.Errorf("put task configs of %q: the connector is STOPPED: %w", c.Name, ErrInvalid)
	}
	for i := range tasks {
		if tasks[i] == nil {
			tasks[i] = map[string]string{}
		}
	}
	cur.Tasks = tasks
	cur.TaskGeneration++
	cur.UpdatedIndex = index
	st.Connectors[c.Name] = cur
	r.TaskGeneration = cur.TaskGeneration
	return nil
}

// checkFence rejects a fenced write whose worker and epoch do not match the
// current assignment of the task (or of the connector when task is nil).
func checkFence(st *State, connector string, task *int, f Fence) error {
	if f.Epoch == 0 {
		return nil
	}
	var a Assignment
	var ok bool
	if task == nil || *task < 0 {
		a, ok = st.ConnectorAssignments[connector]
	} else {
		a, ok = st.TaskAssignments[TaskID{Connector: connector, Task: *task}]
	}
	if !ok {
		return fmt.Errorf("fence %s@%d: not assigned: %w", f.Worker, f.Epoch, ErrFenced)
	}
	if a.Worker != f.Worker || a.Epoch != f.Epoch {
		return fmt.Errorf("fence %s@%d: assigned to %s@%d: %w", f.Worker, f.Epoch, a.Worker, a.Epoch, ErrFenced)
	}
	return nil
}

func applyPutStatuses(st *State, index uint64, c PutStatuses) error {
	var errs []error
	for _, u := range c.Updates {
		if err := applyStatus(st, index, u); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func applyStatus(st *State, index uint64, u StatusUpdate) error {
	what := "status of connector " + u.Connector
	isTask := u.Task != nil && *u.Task >= 0
	if isTask {
		what = fmt.Sprintf("status of task %s", TaskID{Connector: u.Connector, Task: *u.Task})
	}
	if u.State == "" {
		return fmt.Errorf("put %s: empty state: %w", what, ErrInvalid)
	}
	if _, ok := st.Connectors[u.Connector]; !ok {
		return fmt.Errorf("put %s: connector: %w", what, ErrNotFound)
	}
	if err := checkFence(st, u.Connector, u.Task, u.Fence); err != nil {
		return fmt.Errorf("put %s: %w", what, err)
	}
	worker := u.Worker
	if worker == "" {
		worker = u.Fence.Worker
	}
	s := Status{State: u.State, Trace: u.Trace, WorkerID: worker, Epoch: u.Fence.Epoch, Index: index}
	if isTask {
		st.TaskStatuses[TaskID{Connector: u.Connector, Task: *u.Task}] = s
	} else {
		st.ConnectorStatuses[u.Connector] = s
	}
	return nil
}

func applyDeleteTaskStatuses(st *State, c DeleteTaskStatuses) error {
	if _, ok := st.Connectors[c.Connector]; !ok {
		return fmt.Errorf("delete task statuses of %q: %w", c.Connector, ErrNotFound)
	}
	maps.DeleteFunc(st.TaskStatuses, func(id TaskID, _ Status) bool {
		return id.Connector == c.Connector && id.Task >= c.From
	})
	return nil
}

func applySetAssignments(st *State, index uint64, c SetAssignments) {
	conns := make(map[string]Assignment, len(c.Connectors))
	for name, worker := range c.Connectors {
		if _, ok := st.Connectors[name]; !ok {
			continue
		}
		a := Assignment{Worker: worker, Epoch: index}
		if old, ok := st.ConnectorAssignments[name]; ok && old.Worker == worker {
			a.Epoch = old.Epoch
		}
		conns[name] = a
	}
	tasks := make(map[TaskID]Assignment, len(c.Tasks))
	for _, t := range c.Tasks {
		if _, ok := st.Connectors[t.Task.Connector]; !ok || t.Task.Task < 0 {
			continue
		}
		a := Assignment{Worker: t.Worker, Epoch: index}
		if old, ok := st.TaskAssignments[t.Task]; ok && old.Worker == t.Worker {
			a.Epoch = old.Epoch
		}
		tasks[t.Task] = a
	}
	st.ConnectorAssignments = conns
	st.TaskAssignments = tasks
}

func applyCommitOffsets(st *State, c CommitOffsets) error {
	if err := checkFence(st, c.Connector, c.Task, c.Fence); err != nil {
		return fmt.Errorf("commit offsets of %q: %w", c.Connector, err)
	}
	if _, ok := st.Connectors[c.Connector]; !ok {
		return fmt.Errorf("commit offsets of %q: %w", c.Connector, ErrNotFound)
	}
	// Validate every entry before changing anything: the command applies
	// whole or not at all.
	type kv struct {
		key    string
		offset json.RawMessage // nil deletes
	}
	kvs := make([]kv, 0, len(c.Entries))
	for i, e := range c.Entries {
		key, err := canonicalJSON(e.Partition)
		if err == nil && string(key) == "null" {
			err = errors.New("null partition")
		}
		if err != nil {
			return fmt.Errorf("commit offsets of %q: entry %d partition: %w: %w", c.Connector, i, ErrInvalid, err)
		}
		var off json.RawMessage
		if t := bytes.TrimSpace(e.Offset); len(t) > 0 && !bytes.Equal(t, []byte("null")) {
			var buf bytes.Buffer
			if err := json.Compact(&buf, t); err != nil {
				return fmt.Errorf("commit offsets of %q: entry %d offset: %w: %w", c.Connector, i, ErrInvalid, err)
			}
			off = buf.Bytes()
		}
		kvs = append(kvs, kv{key: string(key), offset: off})
	}
	m := st.Offsets[c.Connector]
	if m == nil {
		m = map[string]json.RawMessage{}
	}
	for _, e := range kvs {
		if e.offset == nil {
			delete(m, e.key)
		} else {
			m[e.key] = e.offset
		}
	}
	if len(m) == 0 {
		delete(st.Offsets, c.Connector)
	} else {
		st.Offsets[c.Connector] = m
	}
	return nil
}

func applyRequestRestart(st *State, index uint64, c RequestRestart, r *Result) error {
	if _, ok := st.Connectors[c.Connector]; !ok {
		return fmt.Errorf("request restart of %q: %w", c.Connector, ErrNotFound)
	}
	st.RestartSeq++
	st.Restarts[c.Connector] = RestartRequest{
		Seq: st.RestartSeq, Connector: c.Connector, OnlyFailed: c.OnlyFailed, IncludeTasks: c.IncludeTasks, Index: index,
	}
	r.Seq = st.RestartSeq
	return nil
}

func applyRegisterWorker(st *State, index uint64, c RegisterWorker) error {
	if c.ID == "" {
		return fmt.Errorf("register worker: empty id: %w", ErrInvalid)
	}
	st.Workers[c.ID] = WorkerInfo{ID: c.ID, RestURL: c.RestURL, RaftAddr: c.RaftAddr, RegisteredIndex: index}
	return nil
}

func applyRemoveWorker(st *State, c RemoveWorker) error {
	if _, ok := st.Workers[c.ID]; !ok {
		return fmt.Errorf("remove worker %q: %w", c.ID, ErrNotFound)
	}
	delete(st.Workers, c.ID)
	return nil
}

// canonicalJSON re-encodes a JSON value with sorted object keys and no
// insignificant space, so one logical partition always maps to one key.
// Numbers keep their literal text (UseNumber): a 64-bit offset or id must
// not be rounded through float64.
func canonicalJSON(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("invalid JSON: trailing data")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// CanonicalPartition returns the canonical form of a JSON source partition,
// the key under which the store keeps its offset.
func CanonicalPartition(partition json.RawMessage) (string, error) {
	b, err := canonicalJSON(partition)
	if err != nil {
		return "", fmt.Errorf("canonical partition: %w", err)
	}
	return string(b), nil
}

// Snapshots -----------------------------------------------------------------

// snapshotFormatV1 is the version of the persisted snapshot document.
const snapshotFormatV1 = 1

// snapshotV1 is the persisted form of State. Maps keyed by TaskID become
// lists, and every list is sorted so equal states give equal bytes.
type snapshotV1 struct {
	Format               int              `json:"format"`
	Index                uint64           `json:"index"`
	Connectors           []ConnectorState `json:"connectors"`
	ConnectorStatuses    []snapConnStatus `json:"connector_statuses"`
	TaskStatuses         []snapTaskStatus `json:"task_statuses"`
	ConnectorAssignments []snapConnAssign `json:"connector_assignments"`
	TaskAssignments      []snapTaskAssign `json:"task_assignments"`
	Offsets              []snapOffsets    `json:"offsets"`
	Restarts             []RestartRequest `json:"restarts"`
	RestartSeq           uint64           `json:"restart_seq"`
	Workers              []WorkerInfo     `json:"workers"`
}

type snapConnStatus struct {
	Connector string `json:"connector"`
	Status    Status `json:"status"`
}

type snapTaskStatus struct {
	Task   TaskID `json:"task"`
	Status Status `json:"status"`
}

type snapConnAssign struct {
	Connector  string     `json:"connector"`
	Assignment Assignment `json:"assignment"`
}

type snapTaskAssign struct {
	Task       TaskID     `json:"task"`
	Assignment Assignment `json:"assignment"`
}

type snapOffsets struct {
	Connector string        `json:"connector"`
	Entries   []OffsetEntry `json:"entries"`
}

func cmpTaskID(a, b TaskID) int {
	return cmp.Or(cmp.Compare(a.Connector, b.Connector), cmp.Compare(a.Task, b.Task))
}

func encodeSnapshot(st *State) ([]byte, error) {
	s := snapshotV1{Format: snapshotFormatV1, Index: st.Index, RestartSeq: st.RestartSeq}
	for _, name := range st.ConnectorNames() {
		s.Connectors = append(s.Connectors, st.Connectors[name])
	}
	for _, name := range slices.Sorted(maps.Keys(st.ConnectorStatuses)) {
		s.ConnectorStatuses = append(s.ConnectorStatuses, snapConnStatus{name, st.ConnectorStatuses[name]})
	}
	for _, id := range slices.SortedFunc(maps.Keys(st.TaskStatuses), cmpTaskID) {
		s.TaskStatuses = append(s.TaskStatuses, snapTaskStatus{id, st.TaskStatuses[id]})
	}
	for _, name := range slices.Sorted(maps.Keys(st.ConnectorAssignments)) {
		s.ConnectorAssignments = append(s.ConnectorAssignments, snapConnAssign{name, st.ConnectorAssignments[name]})
	}
	for _, id := range slices.SortedFunc(maps.Keys(st.TaskAssignments), cmpTaskID) {
		s.TaskAssignments = append(s.TaskAssignments, snapTaskAssign{id, st.TaskAssignments[id]})
	}
	for _, name := range slices.Sorted(maps.Keys(st.Offsets)) {
		s.Offsets = append(s.Offsets, snapOffsets{name, st.OffsetsOf(name)})
	}
	for _, name := range slices.Sorted(maps.Keys(st.Restarts)) {
		s.Restarts = append(s.Restarts, st.Restarts[name])
	}
	for _, id := range slices.Sorted(maps.Keys(st.Workers)) {
		s.Workers = append(s.Workers, st.Workers[id])
	}
	b, err := json.Marshal(&s)
	if err != nil {
		return nil, fmt.Errorf("encode snapshot: %w", err)
	}
	return b, nil
}

func decodeSnapshot(data []byte) (*State, error) {
	var hdr struct {
		Format int `json:"format"`
	}
	if err := json.Unmarshal(data, &hdr); err != nil {
		return nil, fmt.Errorf("decode snapshot: %w", err)
	}
	if hdr.Format != snapshotFormatV1 {
		return nil, fmt.Errorf("decode snapshot: format %d not supported (max %d)", hdr.Format, snapshotFormatV1)
	}
	var s snapshotV1
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("decode snapshot: %w", err)
	}
	st := newState()
	st.Index, st.RestartSeq = s.Index, s.RestartSeq
	for _, c := range s.Connectors {
		if c.Config == nil {
			c.Config = map[string]string{}
		}
		st.Connectors[c.Name] = c
	}
	for _, e := range s.ConnectorStatuses {
		st.ConnectorStatuses[e.Connector] = e.Status
	}
	for _, e := range s.TaskStatuses {
		st.TaskStatuses[e.Task] = e.Status
	}
	for _, e := range s.ConnectorAssignments {
		st.ConnectorAssignments[e.Connector] = e.Assignment
	}
	for _, e := range s.TaskAssignments {
		st.TaskAssignments[e.Task] = e.Assignment
	}
	for _, o := range s.Offsets {
		m := make(map[string]json.RawMessage, len(o.Entries))
		for _, e := range o.Entries {
			// Re-canonicalize: a snapshot may have been reformatted (the
			// golden test file is indented), and keys must stay canonical.
			key, err := canonicalJSON(e.Partition)
			if err != nil {
				return nil, fmt.Errorf("decode snapshot: offsets of %q: %w", o.Connector, err)
			}
			var off bytes.Buffer
			if err := json.Compact(&off, e.Offset); err != nil {
				return nil, fmt.Errorf("decode snapshot: offsets of %q: %w", o.Connector, err)
			}
			m[string(key)] = off.Bytes()
		}
		st.Offsets[o.Connector] = m
	}
	for _, r := range s.Restarts {
		st.Restarts[r.Connector] = r
	}
	for _, w := range s.Workers {
		st.Workers[w.ID] = w
	}
	return st, nil
}

// Snapshot implements raft.FSM. It encodes the state right away, under the
// read lock: the state is small (configs, statuses, offsets), encoding it is
// about as cheap as a deep copy, and Persist then only writes bytes.
func (f *fsm) Snapshot() (raft.FSMSnapshot, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	b, err := encodeSnapshot(f.st)
	if err != nil {
		return nil, err
	}
	return fsmSnapshot(b), nil
}

// Restore implements raft.FSM: it replaces the whole state.
func (f *fsm) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return fmt.Errorf("restore snapshot: read: %w", err)
	}
	st, err := decodeSnapshot(data)
	if err != nil {
		return fmt.Errorf("restore snapshot: %w", err)
	}
	f.mu.Lock()
	f.st = st
	f.desiredIndex = st.Index
	f.mu.Unlock()
	f.notify.broadcast()
	return nil
}

type fsmSnapshot []byte

func (s fsmSnapshot) Persist(sink raft.SnapshotSink) error {
	if _, err := sink.Write(s); err != nil {
		_ = sink.Cancel()
		return fmt.Errorf("persist snapshot: %w", err)
	}
	if err := sink.Close(); err != nil {
		return fmt.Errorf("persist snapshot: close: %w", err)
	}
	return nil
}

func (fsmSnapshot) Release() {}

// Notifications ---------------------------------------------------------------

// notifier fans out "state changed" signals to subscribers. Each subscriber
// channel has a buffer of one and sends never block: a signal sent while one
// is pending merges with it, which is harmless because subscribers re-read
// the latest state.
type notifier struct {
	mu     sync.Mutex
	subs   map[uint64]chan struct{}
	next   uint64
	closed bool
}

func newNotifier() *notifier { return &notifier{subs: map[uint64]chan struct{}{}} }

func (n *notifier) subscribe() (<-chan struct{}, func()) {
	n.mu.Lock()
	defer n.mu.Unlock()
	ch := make(chan struct{}, 1)
	if n.closed {
		close(ch)
		return ch, func() {}
	}
	id := n.next
	n.next++
	n.subs[id] = ch
	return ch, func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		if c, ok := n.subs[id]; ok {
			delete(n.subs, id)
			close(c)
		}
	}
}

func (n *notifier) broadcast() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, ch := range n.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// close closes every subscriber channel, telling subscribers the store is
// gone; later subscriptions get a closed channel.
func (n *notifier) close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closed = true
	for id, ch := range n.subs {
		delete(n.subs, id)
		close(ch)
	}
}
