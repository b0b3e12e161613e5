package raftstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hashicorp/raft"
)

// Forwarding writes to the leader.
//
// Only the leader writes. A follower that must write encodes its batch with
// EncodeCommands and sends the bytes to the leader (over whatever channel
// its caller has, HTTP for a worker), which applies them with ApplyEncoded
// and sends back EncodeResults' bytes; the follower decodes them with
// DecodeResults and, to read its own write, waits with WaitApplied for its
// local state to reach the Index of a result. A batch error travels the
// same way with EncodeError and DecodeError.

// EncodeCommands encodes a batch as one log entry, for a follower to forward
// to the leader. The entry is exactly what Apply would write; an empty batch
// is a valid entry that ApplyEncoded accepts without writing anything. The
// errors are Apply's: ErrInvalid for a command that cannot be encoded.
func EncodeCommands(cmds ...Command) ([]byte, error) {
	data, err := encodeEntry(cmds)
	if err != nil {
		return nil, fmt.Errorf("raftstore: encode commands: %w", err)
	}
	return data, nil
}

// ApplyEncoded applies an entry made by EncodeCommands, on the leader, with
// the same results and errors as Apply: ErrNotLeader on a follower,
// ErrClosed, ErrLeadershipLost or a context error when the outcome is
// unknown. The entry is checked before it is written, so nothing is written
// for a malformed one (ErrInvalid: not an entry, or a command whose payload
// does not decode) or for one holding a command this node does not know and
// that was not marked ignorable (ErrUnknownCommand, from a newer worker):
// applying that on some nodes and not others would split the state.
func (s *Store) ApplyEncoded(ctx context.Context, entry []byte) ([]Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("raftstore: apply: %w", err)
	}
	if s.isClosed() {
		return nil, fmt.Errorf("raftstore: apply: %w", ErrClosed)
	}
	cmds, err := decodeEntry(entry)
	if err != nil {
		return nil, fmt.Errorf("raftstore: apply: %w: %w", ErrInvalid, err)
	}
	for i, dc := range cmds {
		if dc.err != nil {
			return nil, fmt.Errorf("raftstore: apply: command %d: %w", i, dc.err)
		}
	}
	if len(cmds) == 0 {
		return nil, nil
	}
	return s.applyData(ctx, entry)
}

// applyData writes one encoded, well-formed entry on the leader and waits
// until it is applied locally.
func (s *Store) applyData(ctx context.Context, data []byte) ([]Result, error) {
	if s.raft.State() != raft.Leader {
		return nil, s.raftErr("apply", raft.ErrNotLeader)
	}
	f := s.raft.Apply(data, timeoutOf(ctx))
	if err := s.await(ctx, f); err != nil {
		return nil, s.raftErr("apply", err)
	}
	resp, ok := f.Response().(*applyResponse)
	if !ok {
		return nil, fmt.Errorf("raftstore: apply: unexpected FSM response %T", f.Response())
	}
	if resp.err != nil {
		return nil, fmt.Errorf("raftstore: apply: %w", resp.err)
	}
	return resp.results, nil
}

// AppliedIndex is the index of the last entry applied to this node's state
// (the same as LastIndex).
func (s *Store) AppliedIndex() uint64 { return s.LastIndex() }

// WaitApplied blocks until this node's state has applied the entry at index
// (a follower reading its own forwarded write), or ctx is done (the ctx
// error, wrapped), or the store closes (ErrClosed).
func (s *Store) WaitApplied(ctx context.Context, index uint64) error {
	if s.AppliedIndex() >= index {
		return nil
	}
	ch, cancel := s.Subscribe()
	defer cancel()
	for s.AppliedIndex() < index {
		select {
		case _, ok := <-ch:
			if !ok && s.AppliedIndex() < index {
				return fmt.Errorf("raftstore: wait for index %d: %w", index, ErrClosed)
			}
		case <-ctx.Done():
			return fmt.Errorf("raftstore: wait for index %d (applied %d): %w", index, s.AppliedIndex(), ctx.Err())
		}
	}
	return nil
}

// Results and errors on the wire -----------------------------------------------

// errorKinds names the sentinel errors that survive a round trip. Names
// are part of the wire format: never reuse one for another error.
var errorKinds = []struct {
	name string
	err  error
}{
	{"not_found", ErrNotFound},
	{"already_exists", ErrAlreadyExists},
	{"fenced", ErrFenced},
	{"precondition_failed", ErrPreconditionFailed},
	{"invalid", ErrInvalid},
	{"unknown_command", ErrUnknownCommand},
	{"not_leader", ErrNotLeader},
	{"leadership_lost", ErrLeadershipLost},
	{"closed", ErrClosed},
	{"canceled", context.Canceled},
	{"deadline_exceeded", context.DeadlineExceeded},
}

// wireError is an error as sent: its message and the sentinels it wraps.
type wireError struct {
	Msg   string   `json:"msg"`
	Kinds []string `json:"kinds,omitempty"`
}

type wireResult struct {
	Index          uint64     `json:"index"`
	Err            *wireError `json:"err,omitempty"`
	Skipped        bool       `json:"skipped,omitempty"`
	Created        bool       `json:"created,omitempty"`
	Seq            uint64     `json:"seq,omitempty"`
	TaskGeneration uint64     `json:"task_generation,omitempty"`
}

type wireResults struct {
	Results []wireResult `json:"results"`
}

func toWireError(err error) *wireError {
	if err == nil {
		return nil
	}
	w := &wireError{Msg: err.Error()}
	for _, k := range errorKinds {
		if errors.Is(err, k.err) {
			w.Kinds = append(w.Kinds, k.name)
		}
	}
	return w
}

// remoteError is an error decoded from the wire: the same message, and
// errors.Is holds for the sentinels the original wrapped. Kinds this
// version does not know are dropped.
type remoteError struct {
	msg   string
	kinds []error
}

func (e *remoteError) Error() string   { return e.msg }
func (e *remoteError) Unwrap() []error { return e.kinds }

func (w *wireError) toError() error {
	if w == nil {
		return nil
	}
	e := &remoteError{msg: w.Msg}
	for _, name := range w.Kinds {
		for _, k := range errorKinds {
			if k.name == name {
				e.kinds = append(e.kinds, k.err)
			}
		}
	}
	return e
}

// EncodeResults and DecodeResults carry results across the wire: after a
// round trip, errors.Is(r.Err, ErrNotFound / ErrAlreadyExists / ErrFenced /
// ErrPreconditionFailed / ErrInvalid / ErrUnknownCommand) holds as before
// (for each of them a joined error wrapped) and r.Err.Error() is the same
// message; Index, Created, Seq, TaskGeneration and Skipped are kept. The
// encoding is JSON.
func EncodeResults(res []Result) ([]byte, error) {
	w := wireResults{Results: make([]wireResult, len(res))}
	for i, r := range res {
		w.Results[i] = wireResult{
			Index: r.Index, Err: toWireError(r.Err), Skipped: r.Skipped,
			Created: r.Created, Seq: r.Seq, TaskGeneration: r.TaskGeneration,
		}
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("raftstore: encode results: %w", err)
	}
	return b, nil
}

// DecodeResults decodes what EncodeResults made; anything else is
// ErrInvalid.
func DecodeResults(data []byte) ([]Result, error) {
	var w wireResults
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("raftstore: decode results: %w: %w", ErrInvalid, err)
	}
	if w.Results == nil {
		return nil, fmt.Errorf("raftstore: decode results: no results field: %w", ErrInvalid)
	}
	out := make([]Result, len(w.Results))
	for i, r := range w.Results {
		out[i] = Result{
			Index: r.Index, Err: r.Err.toError(), Skipped: r.Skipped,
			Created: r.Created, Seq: r.Seq, TaskGeneration: r.TaskGeneration,
		}
	}
	return out, nil
}

// EncodeError carries a batch error (ApplyEncoded's, or a leader's
// WaitForLeader's) across the wire like EncodeResults does a command's:
// DecodeError gives back an error with the same message for which
// errors.Is holds for the same sentinels, including ErrNotLeader,
// ErrLeadershipLost, ErrClosed and the context errors. A nil error encodes
// as JSON null and decodes as nil.
func EncodeError(err error) []byte {
	b, _ := json.Marshal(toWireError(err)) // cannot fail: strings only
	return b
}

// DecodeError decodes what EncodeError made. Data it cannot decode gives
// an error wrapping ErrInvalid.
func DecodeError(data []byte) error {
	var w *wireError
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("raftstore: decode error: %w: %w", ErrInvalid, err)
	}
	return w.toError()
}
