package raftstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestStoreApplyAndRead(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	if !s.IsLeader() || s.NodeID() != "w1" {
		t.Fatalf("leader %v id %s", s.IsLeader(), s.NodeID())
	}
	if addr, id := s.Leader(); id != "w1" || addr != "w1" {
		t.Fatalf("leader %s %s", addr, id)
	}

	rs := applyOK(t, s, richCommands()...) // one entry
	if rs[0].Index != s.LastIndex() || rs[1].Index != rs[0].Index {
		t.Fatalf("indexes %d %d, last %d", rs[0].Index, rs[1].Index, s.LastIndex())
	}
	if !rs[1].Created || rs[3].TaskGeneration != 1 || rs[8].Seq != 1 || rs[9].Seq != 2 {
		t.Fatalf("results %+v", rs)
	}

	// Read your write, through every getter.
	if got := s.ConnectorNames(); !reflect.DeepEqual(got, []string{"sink", "src"}) {
		t.Fatalf("names %v", got)
	}
	c, ok := s.Connector("src")
	if !ok || len(c.Tasks) != 2 || c.Target != TargetStarted {
		t.Fatalf("connector %+v %v", c, ok)
	}
	if _, ok := s.Connector("gone"); ok {
		t.Fatal("deleted connector visible")
	}
	st := s.Statuses("src")
	if st.Connector == nil || st.Connector.State != StatusRunning || st.Tasks[1].Trace != "java.lang.Boom" {
		t.Fatalf("statuses %+v", st)
	}
	a := s.Assignments()
	if a.Connectors["src"].Worker != "w1" || a.Tasks[TaskID{"src", 1}].Epoch != rs[0].Index {
		t.Fatalf("assignments %+v", a)
	}
	offs := s.Offsets("src")
	if len(offs) != 2 || string(offs[0].Partition) != `{"file":"a"}` || string(offs[1].Offset) != `{"pos":2}` {
		t.Fatalf("offsets %s", offs)
	}
	if o, ok, err := s.Offset("gone", json.RawMessage(` { "g" : 1 } `)); err != nil || !ok || string(o) != "9" {
		t.Fatalf("offset of deleted connector: %s %v %v", o, ok, err)
	}
	if _, ok, err := s.Offset("src", json.RawMessage(`{"file":"zzz"}`)); err != nil || ok {
		t.Fatalf("missing offset: %v %v", ok, err)
	}
	if _, _, err := s.Offset("src", json.RawMessage(`{`)); err == nil {
		t.Fatal("invalid partition accepted")
	}
	if w := s.Workers(); len(w) != 1 || w[0].RestURL != "http://127.0.0.1:8083" {
		t.Fatalf("workers %+v", w)
	}
	if r := s.PendingRestarts(); len(r) != 2 || r[0].Connector != "src" || r[1].Seq != 2 {
		t.Fatalf("restarts %+v", r)
	}
	snap := s.Snapshot()
	if snap.Index != s.LastIndex() || snap.RestartSeq != 2 || len(snap.Connectors) != 2 {
		t.Fatalf("snapshot %+v", snap)
	}

	// Getters return copies.
	c.Config["connector.class"] = "mutated"
	c.Tasks[0]["n"] = "mutated"
	snap.Connectors["src"].Config["tasks.max"] = "mutated"
	offs[0].Offset[0] = 'X'
	if c2, _ := s.Connector("src"); c2.Config["connector.class"] != "Src" || c2.Tasks[0]["n"] != "0" || c2.Config["tasks.max"] != "2" {
		t.Fatalf("store state was mutated through a copy: %+v", c2)
	}
	if string(s.Offsets("src")[0].Offset) != `{"pos":1}` {
		t.Fatal("offset mutated through a copy")
	}

	// ApplyOne returns the command's error.
	if _, err := s.ApplyOne(context.Background(), PutConnector{Name: "src", CreateOnly: true}); !errors.Is(err, ErrAlreadyExists) {
		t.Fatalf("err %v", err)
	}
	// An invalid command fails before it reaches the log.
	last := s.LastIndex()
	if _, err := s.Apply(context.Background(), CommitOffsets{Connector: "src", Entries: []OffsetEntry{{Partition: json.RawMessage(`{`)}}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("err %v", err)
	}
	if s.LastIndex() != last {
		t.Fatal("invalid command was logged")
	}
	if rs, err := s.Apply(context.Background()); rs != nil || err != nil {
		t.Fatalf("empty apply: %v %v", rs, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Apply(ctx, RegisterWorker{ID: "x"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled apply: %v", err)
	}
}

// TestFencedWritesThroughStore runs the zombie scenario end to end: a task
// moves, and the old owner's late writes are rejected.
func TestFencedWritesThroughStore(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	ctx := context.Background()
	applyOK(t, s, PutConnector{Name: "c"}, PutTaskConfigs{Name: "c", Tasks: []map[string]string{{}}})
	applyOK(t, s, SetAssignments{Tasks: []TaskAssignment{{Task: TaskID{"c", 0}, Worker: "old"}}})
	oldFence := Fence{Worker: "old", Epoch: s.Assignments().Tasks[TaskID{"c", 0}].Epoch}
	applyOK(t, s, SetAssignments{Tasks: []TaskAssignment{{Task: TaskID{"c", 0}, Worker: "new"}}})
	newFence := Fence{Worker: "new", Epoch: s.Assignments().Tasks[TaskID{"c", 0}].Epoch}

	commit := func(f Fence, off string) CommitOffsets {
		return CommitOffsets{Connector: "c", Task: new(0), Fence: f, Entries: []OffsetEntry{{Partition: json.RawMessage(`{}`), Offset: json.RawMessage(off)}}}
	}
	rs, err := s.Apply(ctx, commit(newFence, "1"), commit(oldFence, "2"),
		PutStatuses{Updates: []StatusUpdate{{Connector: "c", Task: new(0), State: StatusFailed, Fence: oldFence}}})
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Err != nil || !errors.Is(rs[1].Err, ErrFenced) || !errors.Is(rs[2].Err, ErrFenced) {
		t.Fatalf("results %+v", rs)
	}
	if o, _, _ := s.Offset("c", json.RawMessage(`{}`)); string(o) != "1" {
		t.Fatalf("offset %s", o)
	}
}

func TestSubscribe(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	ch, cancel := s.Subscribe()
	ch2, cancel2 := s.Subscribe()
	defer cancel2()

	applyOK(t, s, PutConnector{Name: "a"})
	applyOK(t, s, PutConnector{Name: "b"}) // coalesces with the first
	for _, c := range []<-chan struct{}{ch, ch2} {
		select {
		case _, ok := <-c:
			if !ok {
				t.Fatal("channel closed")
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no notification")
		}
	}
	// Readers see the latest state on a notification, whatever they missed.
	if n := s.ConnectorNames(); len(n) != 2 {
		t.Fatalf("names %v", n)
	}

	cancel()
	cancel() // idempotent
	if _, ok := <-drain(ch); ok {
		t.Fatal("cancelled channel still open")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-drain(ch2); ok {
		t.Fatal("channel open after Close")
	}
	ch3, cancel3 := s.Subscribe()
	defer cancel3()
	if _, ok := <-ch3; ok {
		t.Fatal("subscription after Close is open")
	}
}

// drain returns c after discarding a pending signal, so the next receive
// tells whether c is closed.
func drain(c <-chan struct{}) <-chan struct{} {
	select {
	case _, ok := <-c:
		if !ok {
			closed := make(chan struct{})
			close(closed)
			return closed
		}
	default:
	}
	return c
}

func TestCloseTwiceAndUseAfterClose(t *testing.T) {
	before := runtime.NumGoroutine()
	s := openTest(t, t.TempDir())
	applyOK(t, s, PutConnector{Name: "a"})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	ctx := context.Background()
	if _, err := s.Apply(ctx, PutConnector{Name: "b"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("apply after close: %v", err)
	}
	if err := s.WaitForLeader(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("wait after close: %v", err)
	}
	if err := s.AddVoter(ctx, "x", "x"); !errors.Is(err, ErrClosed) {
		t.Fatalf("add voter after close: %v", err)
	}
	// Reads keep working on the last state.
	if n := s.ConnectorNames(); len(n) != 1 {
		t.Fatalf("names %v", n)
	}
	checkGoroutines(t, before)
}

func TestReopen(t *testing.T) {
	for _, tc := range []struct {
		name string
		// snapshotAfter forces a snapshot after that many entries (0: none).
		snapshotAfter int
	}{
		{"log only", 0},
		{"snapshot then more entries", 5},
		{"snapshot last", len(richCommands())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			dir := t.TempDir()
			// Keep one log entry behind a snapshot, so the log before it is
			// really compacted away and reopening needs the snapshot.
			s := openTest(t, dir, func(c *Config) { c.TrailingLogs = 1 })
			for i, c := range richCommands() {
				applyOK(t, s, c)
				if i+1 == tc.snapshotAfter {
					if err := s.raft.Snapshot().Error(); err != nil {
						t.Fatalf("snapshot: %v", err)
					}
					if first, _ := s.wal.FirstIndex(); first <= 1 {
						t.Fatalf("log not compacted after snapshot: first index %d", first)
					}
				}
			}
			want := s.Snapshot()
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}

			s = openTest(t, dir)
			defer s.Close()
			if !s.IsLeader() {
				t.Fatal("reopened node is not leader")
			}
			if got := s.Snapshot(); !reflect.DeepEqual(got, want) {
				t.Fatalf("reopened state\n%+v\nwant\n%+v", got, want)
			}
			// And it takes writes again.
			rs := applyOK(t, s, RequestRestart{Connector: "src"})
			if rs[0].Seq != want.RestartSeq+1 {
				t.Fatalf("seq %d after reopen", rs[0].Seq)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			checkGoroutines(t, before)
		})
	}
}

// TestOpenToLeaderLatency measures how long a single node takes from Open
// to serving (WaitForLeader returned), fresh and reopened with a log to
// replay. The timers are set to 10s: without the early election a node
// would wait at least that long, so the bound below cannot flake on a busy
// machine and still proves that a lone node does not wait for them.
func TestOpenToLeaderLatency(t *testing.T) {
	dir := t.TempDir()
	slowTimers := func(c *Config) {
		c.HeartbeatTimeout, c.ElectionTimeout = 10*time.Second, 10*time.Second
	}
	measure := func() (time.Duration, *Store) {
		start := time.Now()
		s := openTest(t, dir, slowTimers)
		return time.Since(start), s
	}
	fresh, s := measure()
	for range 200 {
		applyOK(t, s, PutConnector{Name: "x"}, PutStatuses{Updates: []StatusUpdate{{Connector: "x", State: StatusRunning}}})
	}
	s.Close()
	reopened, s := measure()
	defer s.Close()
	if s.LastIndex() < 200 {
		t.Fatalf("not caught up: %d", s.LastIndex())
	}
	t.Logf("Open→leader: fresh %v, reopened (200 entries to replay) %v", fresh, reopened)
	if fresh > 5*time.Second || reopened > 5*time.Second {
		t.Fatalf("lone node waited for its election timer: fresh %v, reopened %v", fresh, reopened)
	}
}

func TestOpenConfigErrors(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no dir":     {NodeID: "a"},
		"no node id": {Dir: t.TempDir()},
		"bad timers": {Dir: t.TempDir(), NodeID: "a", HeartbeatTimeout: time.Second, LeaderLeaseTimeout: 2 * time.Second, Logger: quietLogger()},
		"bad bind":   {Dir: t.TempDir(), NodeID: "a", BindAddr: "256.0.0.1:x", Secret: testSecret, Logger: quietLogger()},
		"unspecified advertise": {
			Dir: t.TempDir(), NodeID: "a", BindAddr: "127.0.0.1:0", AdvertiseAddr: "0.0.0.0:7000", Secret: testSecret, Logger: quietLogger(),
		},
	} {
		t.Run(name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			s, err := Open(cfg)
			if err == nil {
				s.Close()
				t.Fatal("no error")
			}
			checkGoroutines(t, before)
		})
	}
}

func TestRaftLogAdapter(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug - 4}))
	h := newHclogAdapter(l, slog.LevelWarn).Named("raft").With("k", "v")
	h.Info("chatty")
	h.Debug("chattier")
	h.Warn("heartbeat timeout reached, starting election") // expected at start: demoted
	h.Warn("disk slow", "ms", 42)
	h.Error("boom")
	h.Error("failed to decode incoming command", "error", &net.OpError{Op: "read", Err: net.ErrClosed}) // our own close
	out := buf.String()
	if strings.Contains(out, "chatty") || strings.Contains(out, "starting election") || strings.Contains(out, "decode incoming") {
		t.Fatalf("unfiltered: %s", out)
	}
	if !strings.Contains(out, `level=WARN msg="disk slow" component=raft k=v ms=42`) || !strings.Contains(out, "level=ERROR msg=boom") {
		t.Fatalf("missing records: %s", out)
	}
	if !h.IsWarn() || h.IsInfo() {
		t.Fatal("level checks")
	}
	h.StandardLogger(nil).Print("std line")
	if strings.Contains(buf.String(), "std line") {
		t.Fatal("std logger at info not filtered")
	}
}
