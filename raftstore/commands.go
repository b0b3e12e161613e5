package raftstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Command is one typed write. The set of commands is closed: only the types
// of this package implement it. Several commands passed to one Store.Apply
// form one Raft log entry and are applied in order, each on its own: a
// failing command does not undo or skip the others, and a later command sees
// the effect of an earlier one.
type Command interface {
	// cmdType is the command's wire name, the key into the codec registry.
	cmdType() string
}

// PutConnector creates or updates a connector's config.
type PutConnector struct {
	Name   string            `json:"name"`
	Config map[string]string `json:"config"`
	// Target sets the target state; nil leaves it as it is on update and
	// means STARTED on create.
	Target *TargetState `json:"target,omitempty"`
	// CreateOnly fails the command with ErrAlreadyExists when the connector
	// exists.
	CreateOnly bool `json:"create_only,omitempty"`
	// UpdateOnly fails the command with ErrNotFound when the connector does
	// not exist, so an update racing a delete cannot recreate it.
	UpdateOnly bool `json:"update_only,omitempty"`
	// IfConfigIndex, when not zero, fails the command with
	// ErrPreconditionFailed unless the connector exists and its
	// ConfigVersion equals it: a compare-and-set, so a read-modify-write
	// (PATCH, If-Match) never loses a concurrent write.
	IfConfigIndex uint64 `json:"if_config_index,omitempty"`
}

// DeleteConnector removes a connector's config, task configs, statuses,
// assignments and pending restart. Its offsets stay, so a connector
// recreated under the same name resumes where it left off.
type DeleteConnector struct {
	Name string `json:"name"`
}

// SetTargetState changes a connector's target state. STOPPED also empties
// the task configs in the same step, as Kafka Connect writes an empty task
// set before it records STOPPED.
type SetTargetState struct {
	Name   string      `json:"name"`
	Target TargetState `json:"target"`
}

// PutTaskConfigs replaces a connector's task configs and bumps its task
// generation. Non-empty task configs for a STOPPED connector are refused with
// ErrInvalid: a stop that raced the generation of task configs wins.
type PutTaskConfigs struct {
	Name  string              `json:"name"`
	Tasks []map[string]string `json:"tasks"`
}

// Fence identifies the assignment a writer believes it holds. A zero Epoch
// means unfenced (REST offset changes, the leader's own writes).
type Fence struct {
	Worker string `json:"worker,omitempty"`
	Epoch  uint64 `json:"epoch,omitempty"`
}

// StatusUpdate is one connector or task status.
type StatusUpdate struct {
	Connector string `json:"connector"`
	// Task is the task number; nil (or negative) means the connector's own
	// status. Write new(3) for task 3.
	Task   *int   `json:"task,omitempty"`
	State  string `json:"state"`
	Trace  string `json:"trace,omitempty"`
	Worker string `json:"worker,omitempty"`
	Fence  Fence  `json:"fence,omitzero"`
}

// PutStatuses writes several statuses. Each update is applied on its own: a
// fenced or unknown one is rejected without stopping the rest, and the
// command's Result.Err joins the rejections.
type PutStatuses struct {
	Updates []StatusUpdate `json:"updates"`
}

// DeleteTaskStatuses removes the statuses of a connector's tasks numbered
// From and above (all task statuses when From is 0), for example after the
// task count shrank. The connector's own status stays.
type DeleteTaskStatuses struct {
	Connector string `json:"connector"`
	From      int    `json:"from"`
}

// TaskAssignment assigns one task to a worker.
type TaskAssignment struct {
	Task   TaskID `json:"task"`
	Worker string `json:"worker"`
}

// SetAssignments replaces the whole assignment. An entry whose owner did not
// change keeps its epoch; a new or moved entry gets the entry's log index as
// its epoch. Entries for connectors that do not exist are dropped, so an
// assignment computed just before a delete cannot resurrect anything.
type SetAssignments struct {
	// Connectors maps connector name → worker id.
	Connectors map[string]string `json:"connectors"`
	Tasks      []TaskAssignment  `json:"tasks"`
}

// CommitOffsets writes source offsets of one connector.
type CommitOffsets struct {
	Connector string `json:"connector"`
	// Task is the committing task, checked against Fence; nil means the
	// connector itself.
	Task    *int          `json:"task,omitempty"`
	Fence   Fence         `json:"fence,omitzero"`
	Entries []OffsetEntry `json:"entries"`
}

// RequestRestart asks the workers to restart a connector. Its Result.Seq is
// the request's sequence number.
type RequestRestart struct {
	Connector    string `json:"connector"`
	OnlyFailed   bool   `json:"only_failed,omitempty"`
	IncludeTasks bool   `json:"include_tasks,omitempty"`
}

// RegisterWorker records (or refreshes) a worker.
type RegisterWorker struct {
	ID       string `json:"id"`
	RestURL  string `json:"rest_url"`
	RaftAddr string `json:"raft_addr"`
}

// RemoveWorker forgets a worker.
type RemoveWorker struct {
	ID string `json:"id"`
}

func (PutConnector) cmdType() string       { return "put_connector" }
func (DeleteConnector) cmdType() string    { return "delete_connector" }
func (SetTargetState) cmdType() string     { return "set_target_state" }
func (PutTaskConfigs) cmdType() string     { return "put_task_configs" }
func (PutStatuses) cmdType() string        { return "put_statuses" }
func (DeleteTaskStatuses) cmdType() string { return "delete_task_statuses" }
func (SetAssignments) cmdType() string     { return "set_assignments" }
func (CommitOffsets) cmdType() string      { return "commit_offsets" }
func (RequestRestart) cmdType() string     { return "request_restart" }
func (RegisterWorker) cmdType() string     { return "register_worker" }
func (RemoveWorker) cmdType() string       { return "remove_worker" }

// Wire format of a log entry:
//
//	byte 0:  entry format version (entryFormatV1)
//	byte 1…: JSON {"cmds":[{"type":…,"v":…,"ign":…,"data":{…}}, …]}
//
// JSON keeps entries readable in a log dump and lets a newer payload add
// fields that an older decoder ignores. Each command names its type and
// payload version; a command that an older FSM does not understand (type or
// version) is skipped when the writer marked it ignorable, and fails with
// ErrUnknownCommand otherwise.
const entryFormatV1 byte = 1

type wireEntry struct {
	Cmds []wireCmd `json:"cmds"`
}

type wireCmd struct {
	Type      string          `json:"type"`
	Version   uint16          `json:"v"`
	Ignorable bool            `json:"ign,omitempty"`
	Data      json.RawMessage `json:"data"`
}

// codec describes how one command type is written and read.
type codec struct {
	// version is the payload version this code writes; payloads of this
	// version or older decode (an older one by upgrade in decode).
	version uint16
	// ignorable is written with the command: may an FSM that does not know
	// it skip it? Only true for commands whose loss cannot corrupt the state
	// (hints, caches), never for the current set.
	ignorable bool
	decode    func(version uint16, data []byte) (Command, error)
}

// jsonDecoder decodes payloads that kept the same shape since version 1:
// a field added later is just absent in an older payload.
func jsonDecoder[T Command]() func(uint16, []byte) (Command, error) {
	return func(_ uint16, data []byte) (Command, error) {
		var c T
		if err := json.Unmarshal(data, &c); err != nil {
			return nil, err
		}
		return c, nil
	}
}

// codecs is the registry of known command types. When a payload changes
// shape incompatibly, bump version and teach decode to upgrade the old
// shape; never reuse a type name for a different command.
var codecs = map[string]codec{
	PutConnector{}.cmdType():       {version: 1, decode: jsonDecoder[PutConnector]()},
	DeleteConnector{}.cmdType():    {version: 1, decode: jsonDecoder[DeleteConnector]()},
	SetTargetState{}.cmdType():     {version: 1, decode: jsonDecoder[SetTargetState]()},
	PutTaskConfigs{}.cmdType():     {version: 1, decode: jsonDecoder[PutTaskConfigs]()},
	PutStatuses{}.cmdType():        {version: 1, decode: jsonDecoder[PutStatuses]()},
	DeleteTaskStatuses{}.cmdType(): {version: 1, decode: jsonDecoder[DeleteTaskStatuses]()},
	SetAssignments{}.cmdType():     {version: 1, decode: jsonDecoder[SetAssignments]()},
	CommitOffsets{}.cmdType():      {version: 1, decode: jsonDecoder[CommitOffsets]()},
	RequestRestart{}.cmdType():     {version: 1, decode: jsonDecoder[RequestRestart]()},
	RegisterWorker{}.cmdType():     {version: 1, decode: jsonDecoder[RegisterWorker]()},
	RemoveWorker{}.cmdType():       {version: 1, decode: jsonDecoder[RemoveWorker]()},
}

// encodeEntry encodes cmds as one log entry.
func encodeEntry(cmds []Command) ([]byte, error) {
	e := wireEntry{Cmds: make([]wireCmd, 0, len(cmds))}
	for i, c := range cmds {
		if c == nil {
			return nil, fmt.Errorf("encode command %d: nil command: %w", i, ErrInvalid)
		}
		cd, ok := codecs[c.cmdType()]
		if !ok {
			// Unreachable unless a type is added without registering it.
			return nil, fmt.Errorf("encode command %d: type %q not registered: %w", i, c.cmdType(), ErrUnknownCommand)
		}
		data, err := json.Marshal(c)
		if err != nil {
			// Only invalid json.RawMessage values (partitions, offsets) fail.
			return nil, fmt.Errorf("encode command %d (%s): %w: %w", i, c.cmdType(), ErrInvalid, err)
		}
		e.Cmds = append(e.Cmds, wireCmd{Type: c.cmdType(), Version: cd.version, Ignorable: cd.ignorable, Data: data})
	}
	return marshalWireEntry(e)
}

func marshalWireEntry(e wireEntry) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte(entryFormatV1)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return nil, fmt.Errorf("encode entry: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// decodedCmd is one command of a decoded entry: either a command to apply,
// or the reason it cannot be applied (err), or an ignorable unknown command
// to skip.
type decodedCmd struct {
	cmd     Command
	err     error
	skipped bool
}

// errBadEntry marks entry-level decode failures (as opposed to one bad
// command in a well-formed entry).
var errBadEntry = errors.New("malformed log entry")

// decodeEntry decodes a log entry. A malformed entry (unknown format
// version, invalid envelope JSON) is an error; a bad command inside a
// well-formed entry is reported in its decodedCmd so the others still apply.
// It never panics, whatever the input.
func decodeEntry(data []byte) ([]decodedCmd, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("decode entry: empty: %w", errBadEntry)
	}
	if data[0] != entryFormatV1 {
		return nil, fmt.Errorf("decode entry: format version %d not supported (max %d): %w", data[0], entryFormatV1, errBadEntry)
	}
	var e wireEntry
	if err := json.Unmarshal(data[1:], &e); err != nil {
		return nil, fmt.Errorf("decode entry: %w: %w", errBadEntry, err)
	}
	out := make([]decodedCmd, len(e.Cmds))
	for i, w := range e.Cmds {
		out[i] = decodeCmd(w)
	}
	return out, nil
}

func decodeCmd(w wireCmd) decodedCmd {
	cd, known := codecs[w.Type]
	if !known || w.Version > cd.version || w.Version == 0 {
		if w.Ignorable {
			return decodedCmd{skipped: true}
		}
		if !known {
			return decodedCmd{err: fmt.Errorf("command type %q: %w", w.Type, ErrUnknownCommand)}
		}
		return decodedCmd{err: fmt.Errorf("command %s version %d (known up to %d): %w", w.Type, w.Version, cd.version, ErrUnknownCommand)}
	}
	data := []byte(w.Data)
	if len(data) == 0 {
		data = []byte("null")
	}
	c, err := cd.decode(w.Version, data)
	if err != nil {
		return decodedCmd{err: fmt.Errorf("decode %s v%d: %w: %w", w.Type, w.Version, ErrInvalid, err)}
	}
	return decodedCmd{cmd: c}
}
