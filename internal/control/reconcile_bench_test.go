package control

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/internal/workerconfig"
	"github.com/raftconnect/raftconnect/raftstore"
)

// BenchmarkReconcile measures one reconcile pass, which runs after every store write (every
// offset or status batch), on a leader with 50 connectors of 4 tasks and 200 source
// partitions of offsets each, all assigned to another worker so that the pass compares and
// starts nothing. "snapshot" reads the store as reconcile did before (a deep copy of the
// whole state, offsets and statuses included); "desired" reads what reconcile reads now.
func BenchmarkReconcile(b *testing.B) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := raftstore.Open(raftstore.Config{Dir: b.TempDir(), NodeID: "n1", Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	if err := store.WaitForLeader(ctx); err != nil {
		b.Fatal(err)
	}
	apply := func(cmds ...raftstore.Command) {
		if _, err := store.Apply(ctx, cmds...); err != nil {
			b.Fatal(err)
		}
	}
	apply(raftstore.RegisterWorker{ID: "n1"}, raftstore.RegisterWorker{ID: "n2"})
	assign := raftstore.SetAssignments{Connectors: map[string]string{}}
	for c := range 50 {
		name := fmt.Sprintf("conn-%02d", c)
		var tasks []map[string]string
		for i := range 4 {
			tasks = append(tasks, map[string]string{"task.id": fmt.Sprint(i), "topic": "t"})
			assign.Tasks = append(assign.Tasks, raftstore.TaskAssignment{Task: raftstore.TaskID{Connector: name, Task: i}, Worker: "n2"})
		}
		assign.Connectors[name] = "n2"
		var offsets []raftstore.OffsetEntry
		for p := range 200 {
			offsets = append(offsets, raftstore.OffsetEntry{
				Partition: json.RawMessage(fmt.Sprintf(`{"file":"/data/input-%03d.log"}`, p)),
				Offset:    json.RawMessage(fmt.Sprintf(`{"position":%d}`, 1000000+p)),
			})
		}
		apply(raftstore.PutConnector{Name: name, Config: map[string]string{"connector.class": "SeqSource", "topic": "t", "tasks.max": "4"}},
			raftstore.PutTaskConfigs{Name: name, Tasks: tasks},
			raftstore.CommitOffsets{Connector: name, Entries: offsets})
	}
	apply(assign)
	var statuses []raftstore.StatusUpdate
	for c := range 50 {
		for i := range 4 {
			statuses = append(statuses, raftstore.StatusUpdate{Connector: fmt.Sprintf("conn-%02d", c), Task: new(i), State: raftstore.StatusRunning, Worker: "n2:8083"})
		}
	}
	apply(raftstore.PutStatuses{Updates: statuses})

	cfg, err := workerconfig.ParseConfig(map[string]string{"bootstrap.servers": "127.0.0.1:1", "data.dir": b.TempDir(), "node.id": "n1"})
	if err != nil {
		b.Fatal(err)
	}
	h := New(Options{Config: cfg, Store: store, WorkerID: "n1:8083", Logger: log})
	// n2 is a Raft member in this view, so the leader keeps its work where it is.
	h.live.view = &fakeView{store: store, leader: true, contact: time.Now().Add(time.Hour),
		servers: []raftstore.Server{{ID: "n1", Voter: true}, {ID: "n2", Voter: true}}}
	index := store.LastIndex()
	h.reconcile(ctx)
	if store.LastIndex() != index {
		b.Fatal("the first reconcile wrote to the store; the benchmark wants a settled state")
	}
	b.Run("snapshot", func(b *testing.B) {
		for b.Loop() {
			h.reconcileState(ctx, store.Snapshot())
		}
	})
	b.Run("desired", func(b *testing.B) {
		for b.Loop() {
			h.reconcile(ctx)
		}
	})
	if store.LastIndex() != index {
		b.Fatal("a reconcile wrote to the store")
	}
}
