package raftstore

import (
	"errors"

	"github.com/hashicorp/raft"
)

// Sentinel errors. Errors returned by the store wrap one of these with
// context, so test them with errors.Is.
var (
	// ErrNotLeader is returned by writes on a node that is not the Raft
	// leader. The caller forwards the write to the leader (see Store.Leader).
	ErrNotLeader = errors.New("raftstore: not the leader")
	// ErrLeadershipLost is returned by a write whose node lost leadership
	// before the entry committed. Unlike ErrNotLeader the entry may still be
	// applied by the new leader, so a retry must tolerate a duplicate.
	ErrLeadershipLost = raft.ErrLeadershipLost
	// ErrNotFound is a command result for a connector (or worker) that does
	// not exist.
	ErrNotFound = errors.New("raftstore: not found")
	// ErrAlreadyExists is the result of a create-only PutConnector for a
	// connector that exists.
	ErrAlreadyExists = errors.New("raftstore: already exists")
	// ErrFenced is the result of a fenced status update or offset commit
	// whose worker and epoch do not match the current assignment: the writer
	// is a zombie that lost the task.
	ErrFenced = errors.New("raftstore: fenced")
	// ErrPreconditionFailed is the result of a PutConnector whose
	// IfConfigIndex does not match the connector's current ConfigIndex: the
	// config changed since the writer read it.
	ErrPreconditionFailed = errors.New("raftstore: precondition failed")
	// ErrClosed is returned by a store that has been closed.
	ErrClosed = errors.New("raftstore: closed")
	// ErrInvalid is a command result for a malformed command (empty name,
	// unknown target state, invalid JSON partition, ...).
	ErrInvalid = errors.New("raftstore: invalid command")
	// ErrUnknownCommand is the result of a command type or version that this
	// FSM does not understand and that was not marked ignorable.
	ErrUnknownCommand = errors.New("raftstore: unknown command")
)
