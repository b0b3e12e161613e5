package raftstore

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
)

// TargetState is the state a connector's owner wants it in.
type TargetState string

// Target states, as in Kafka Connect.
const (
	TargetStarted TargetState = "STARTED"
	TargetPaused  TargetState = "PAUSED"
	TargetStopped TargetState = "STOPPED"
)

// Valid reports whether t is one of the known target states.
func (t TargetState) Valid() bool {
	return t == TargetStarted || t == TargetPaused || t == TargetStopped
}

// Status states, as in Kafka Connect. The store does not restrict a status to
// these values (only to a non-empty string), so that a newer worker can add a
// state without older FSMs rejecting it during a rolling upgrade.
const (
	StatusUnassigned = "UNASSIGNED"
	StatusRunning    = "RUNNING"
	StatusPaused     = "PAUSED"
	StatusFailed     = "FAILED"
	StatusRestarting = "RESTARTING"
	StatusStopped    = "STOPPED"
)

// TaskID names one task of a connector.
type TaskID struct {
	Connector string `json:"connector"`
	Task      int    `json:"task"`
}

// String formats the id the way Kafka Connect does: "name-3".
func (id TaskID) String() string { return id.Connector + "-" + strconv.Itoa(id.Task) }

// ConnectorState is the desired state of one connector.
type ConnectorState struct {
	Name   string            `json:"name"`
	Config map[string]string `json:"config"`
	Target TargetState       `json:"target"`
	// Tasks are the task configs the connector generated, task i at index i.
	Tasks []map[string]string `json:"tasks"`
	// TaskGeneration is bumped whenever task configs are written, so the
	// runtime can tell new task configs from the ones it runs.
	TaskGeneration uint64 `json:"task_generation"`
	// CreatedIndex and UpdatedIndex are the Raft log indexes of the entries
	// that created and last changed the connector.
	CreatedIndex uint64 `json:"created_index"`
	UpdatedIndex uint64 `json:"updated_index"`
	// ConfigIndex is the Raft log index of the entry that last wrote Config
	// (zero in states written before it existed: see ConfigVersion).
	ConfigIndex uint64 `json:"config_index,omitempty"`
}

// ConfigVersion identifies the connector's current config: it changes
// whenever Config is written, and only then. PutConnector.IfConfigIndex
// compares against it.
func (c ConnectorState) ConfigVersion() uint64 {
	if c.ConfigIndex != 0 {
		return c.ConfigIndex
	}
	return c.CreatedIndex
}

func (c ConnectorState) clone() ConnectorState {
	c.Config = maps.Clone(c.Config)
	c.Tasks = cloneTasks(c.Tasks)
	return c
}

func cloneTasks(tasks []map[string]string) []map[string]string {
	if tasks == nil {
		return nil
	}
	out := make([]map[string]string, len(tasks))
	for i, t := range tasks {
		out[i] = maps.Clone(t)
	}
	return out
}

// Status is the observed state of a connector or task.
type Status struct {
	State    string `json:"state"`
	Trace    string `json:"trace,omitempty"`
	WorkerID string `json:"worker_id,omitempty"`
	// Epoch is the assignment epoch the writer held (its fence), 0 when the
	// write was unfenced.
	Epoch uint64 `json:"epoch,omitempty"`
	// Index is the Raft log index at which the status was written.
	Index uint64 `json:"index"`
}

// ConnectorStatuses are the statuses of one connector and its tasks.
type ConnectorStatuses struct {
	// Connector is nil when no connector status has been written.
	Connector *Status
	// Tasks maps task number to status.
	Tasks map[int]Status
}

// Assignment says which worker owns a connector or task. Epoch is the Raft
// log index at which the assignment last changed owner; writers present it
// as their fence.
type Assignment struct {
	Worker string `json:"worker"`
	Epoch  uint64 `json:"epoch"`
}

// Assignments is the whole assignment of connectors and tasks to workers.
type Assignments struct {
	Connectors map[string]Assignment
	Tasks      map[TaskID]Assignment
}

// OffsetEntry is one source partition and its offset, both JSON values. In
// state read from the store Partition is in canonical form (sorted keys, no
// insignificant space). In a CommitOffsets command an Offset of JSON null
// (or empty) deletes the partition's entry.
type OffsetEntry struct {
	Partition json.RawMessage `json:"partition"`
	Offset    json.RawMessage `json:"offset"`
}

// RestartRequest asks every worker to restart a connector (and optionally
// its tasks) that it runs. Seq increases with every request; a runtime
// remembers the highest Seq it executed, and starts from State.RestartSeq so
// that requests made before it started are not executed again.
type RestartRequest struct {
	Seq          uint64 `json:"seq"`
	Connector    string `json:"connector"`
	OnlyFailed   bool   `json:"only_failed"`
	IncludeTasks bool   `json:"include_tasks"`
	// Index is the Raft log index of the request.
	Index uint64 `json:"index"`
}

// WorkerInfo describes a registered worker.
type WorkerInfo struct {
	ID       string `json:"id"`
	RestURL  string `json:"rest_url"`
	RaftAddr string `json:"raft_addr"`
	// RegisteredIndex is the Raft log index of its last registration.
	RegisteredIndex uint64 `json:"registered_index"`
}

// State is the whole replicated state. Store.Snapshot returns a deep copy
// that the caller owns.
type State struct {
	// Index is the Raft log index of the last entry applied to this state.
	Index uint64

	Connectors           map[string]ConnectorState
	ConnectorStatuses    map[string]Status
	TaskStatuses         map[TaskID]Status
	ConnectorAssignments map[string]Assignment
	TaskAssignments      map[TaskID]Assignment
	// Offsets maps connector → canonical partition JSON → offset JSON.
	// Offsets outlive their connector, as in Kafka Connect.
	Offsets map[string]map[string]json.RawMessage
	// Restarts holds the latest pending restart request per connector. A new
	// request for a connector replaces the older one, as Kafka Connect's
	// herder does.
	Restarts map[string]RestartRequest
	// RestartSeq is the sequence number of the latest restart request.
	RestartSeq uint64
	Workers    map[string]WorkerInfo
}

func newState() *State {
	return &State{
		Connectors:           map[string]ConnectorState{},
		ConnectorStatuses:    map[string]Status{},
		TaskStatuses:         map[TaskID]Status{},
		ConnectorAssignments: map[string]Assignment{},
		TaskAssignments:      map[TaskID]Assignment{},
		Offsets:              map[string]map[string]json.RawMessage{},
		Restarts:             map[string]RestartRequest{},
		Workers:              map[string]WorkerInfo{},
	}
}

// Clone returns a deep copy of s.
func (s *State) Clone() *State {
	out := &State{
		Index:                s.Index,
		Connectors:           make(map[string]ConnectorState, len(s.Connectors)),
		ConnectorStatuses:    maps.Clone(s.ConnectorStatuses),
		TaskStatuses:         maps.Clone(s.TaskStatuses),
		ConnectorAssignments: maps.Clone(s.ConnectorAssignments),
		TaskAssignments:      maps.Clone(s.TaskAssignments),
		Offsets:              make(map[string]map[string]json.RawMessage, len(s.Offsets)),
		Restarts:             maps.Clone(s.Restarts),
		RestartSeq:           s.RestartSeq,
		Workers:              maps.Clone(s.Workers),
	}
	for k, c := range s.Connectors {
		out.Connectors[k] = c.clone()
	}
	for k, m := range s.Offsets {
		c := make(map[string]json.RawMessage, len(m))
		for p, o := range m {
			c[p] = slices.Clone(o)
		}
		out.Offsets[k] = c
	}
	return out
}

// CloneDesired is Clone without statuses and offsets (empty maps in the copy).
func (s *State) CloneDesired() *State {
	out := &State{
		Index:                s.Index,
		Connectors:           make(map[string]ConnectorState, len(s.Connectors)),
		ConnectorStatuses:    map[string]Status{},
		TaskStatuses:         map[TaskID]Status{},
		ConnectorAssignments: maps.Clone(s.ConnectorAssignments),
		TaskAssignments:      maps.Clone(s.TaskAssignments),
		Offsets:              map[string]map[string]json.RawMessage{},
		Restarts:             maps.Clone(s.Restarts),
		RestartSeq:           s.RestartSeq,
		Workers:              maps.Clone(s.Workers),
	}
	for k, c := range s.Connectors {
		out.Connectors[k] = c.clone()
	}
	return out
}

// ConnectorNames returns the connector names in sorted order.
func (s *State) ConnectorNames() []string {
	return slices.Sorted(maps.Keys(s.Connectors))
}

// StatusesOf returns the statuses of one connector and its tasks.
func (s *State) StatusesOf(connector string) ConnectorStatuses {
	out := ConnectorStatuses{Tasks: map[int]Status{}}
	if st, ok := s.ConnectorStatuses[connector]; ok {
		out.Connector = &st
	}
	for id, st := range s.TaskStatuses {
		if id.Connector == connector {
			out.Tasks[id.Task] = st
		}
	}
	return out
}

// OffsetsOf returns the offsets of one connector sorted by partition key.
func (s *State) OffsetsOf(connector string) []OffsetEntry {
	m := s.Offsets[connector]
	out := make([]OffsetEntry, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, OffsetEntry{Partition: json.RawMessage(k), Offset: slices.Clone(m[k])})
	}
	return out
}
