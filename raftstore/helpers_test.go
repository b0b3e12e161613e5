package raftstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"testing"
	"time"
)

// applyTo encodes cmds as one entry and applies it to st at index, the way
// the FSM does, without Raft.
func applyTo(t testing.TB, st *State, index uint64, cmds ...Command) []Result {
	t.Helper()
	data, err := encodeEntry(cmds)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	st.Index = index
	resp := applyEntry(st, index, data)
	if resp.err != nil {
		t.Fatalf("apply entry: %v", resp.err)
	}
	if len(resp.results) != len(cmds) {
		t.Fatalf("got %d results for %d commands", len(resp.results), len(cmds))
	}
	return resp.results
}

// mustOK applies cmds and fails on any per-command error.
func mustOK(t testing.TB, st *State, index uint64, cmds ...Command) []Result {
	t.Helper()
	rs := applyTo(t, st, index, cmds...)
	for i, r := range rs {
		if r.Err != nil {
			t.Fatalf("command %d (%T): %v", i, cmds[i], r.Err)
		}
	}
	return rs
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// openTest opens a single-node store in dir and waits until it leads.
func openTest(t testing.TB, dir string, opts ...func(*Config)) *Store {
	t.Helper()
	cfg := Config{Dir: dir, NodeID: "w1", Logger: quietLogger()}
	for _, o := range opts {
		o(&cfg)
	}
	s, err := Open(cfg)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitForLeader(ctx); err != nil {
		s.Close()
		t.Fatalf("wait for leader: %v", err)
	}
	return s
}

func applyOK(t testing.TB, s *Store, cmds ...Command) []Result {
	t.Helper()
	rs, err := s.Apply(context.Background(), cmds...)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	for i, r := range rs {
		if r.Err != nil {
			t.Fatalf("command %d (%T): %v", i, cmds[i], r.Err)
		}
	}
	return rs
}

// checkGoroutines fails when more goroutines run than before after the
// store(s) closed. A few may still be on their way out (raft-wal's rotation
// goroutine exits after its Close returns), so it waits a little.
func checkGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines after close, %d before:\n%s", n, before, buf)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func isErr(err, target error) bool {
	if target == nil {
		return err == nil
	}
	return errors.Is(err, target)
}

// richCommands build a state that touches every part of State (no fenced
// writes: their epochs depend on the log indexes).
func richCommands() []Command {
	return []Command{
		RegisterWorker{ID: "w1", RestURL: "http://127.0.0.1:8083", RaftAddr: "w1"},
		PutConnector{Name: "src", Config: map[string]string{"connector.class": "Src", "tasks.max": "2"}},
		PutConnector{Name: "sink", Config: map[string]string{"topics": "t"}, Target: target(TargetPaused)},
		PutTaskConfigs{Name: "src", Tasks: []map[string]string{{"n": "0"}, {"n": "1"}}},
		SetAssignments{
			Connectors: map[string]string{"src": "w1", "sink": "w1"},
			Tasks:      []TaskAssignment{{Task: TaskID{"src", 0}, Worker: "w1"}, {Task: TaskID{"src", 1}, Worker: "w1"}},
		},
		PutStatuses{Updates: []StatusUpdate{
			{Connector: "src", State: StatusRunning, Worker: "w1"},
			{Connector: "src", Task: new(0), State: StatusRunning, Worker: "w1"},
			{Connector: "src", Task: new(1), State: StatusFailed, Trace: "java.lang.Boom", Worker: "w1"},
		}},
		CommitOffsets{Connector: "src", Entries: []OffsetEntry{
			{Partition: json.RawMessage(`{"file":"a"}`), Offset: json.RawMessage(`{"pos":1}`)},
			{Partition: json.RawMessage(`{"file":"b"}`), Offset: json.RawMessage(`{"pos":2}`)},
		}},
		CommitOffsets{Connector: "sink", Entries: []OffsetEntry{{Partition: json.RawMessage(`{"x":1}`), Offset: json.RawMessage(`3`)}}},
		RequestRestart{Connector: "src", OnlyFailed: true},
		RequestRestart{Connector: "sink", IncludeTasks: true},
		PutConnector{Name: "gone"},
		CommitOffsets{Connector: "gone", Entries: []OffsetEntry{{Partition: json.RawMessage(`{"g":1}`), Offset: json.RawMessage(`9`)}}},
		DeleteConnector{Name: "gone"},
	}
}

// memSink is an in-memory raft.SnapshotSink.
type memSink struct {
	bytes.Buffer
	closed, cancelled bool
}

func (s *memSink) ID() string    { return "mem" }
func (s *memSink) Close() error  { s.closed = true; return nil }
func (s *memSink) Cancel() error { s.cancelled = true; return nil }
func (s *memSink) reader() io.ReadCloser {
	return io.NopCloser(bytes.NewReader(s.Bytes()))
}
