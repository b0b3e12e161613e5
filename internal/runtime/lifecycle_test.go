package runtime

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/internal/workerconfig"
)

// fakeReporter records statuses and accepts everything else.
type fakeReporter struct {
	mu       sync.Mutex
	statuses []Status
}

func (f *fakeReporter) PutStatus(s Status) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.statuses = append(f.statuses, s)
}
func (f *fakeReporter) ReadOffset(string, map[string]any) (map[string]any, error) { return nil, nil }
func (f *fakeReporter) CommitOffsets(context.Context, TaskID, Fence, []CommittedOffset) error {
	return nil
}
func (f *fakeReporter) PutTaskConfigs(context.Context, string, Fence, map[string]string, []map[string]string) error {
	return nil
}
func (f *fakeReporter) TrackTopic(string, string) {}

func (f *fakeReporter) count(state string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, s := range f.statuses {
		if s.State == state {
			n++
		}
	}
	return n
}

// blockingConnector's Stop blocks until its release channel is closed.
type blockingConnector struct{ release chan struct{} }

func (*blockingConnector) Start(connect.ConnectorContext, map[string]string) error { return nil }
func (*blockingConnector) TaskConfigs(int) ([]map[string]string, error)            { return nil, nil }
func (c *blockingConnector) Stop() error {
	<-c.release
	return nil
}
func (*blockingConnector) ConfigDef() *connect.ConfigDef { return connect.NewConfigDef() }
func (*blockingConnector) NewTask() connect.SinkTask     { return nil }

// blockingRelease releases the blocked Stops of the current test.
var blockingRelease chan struct{}

func init() {
	connect.Register(connect.Plugin{Class: "test.worker.BlockingConnector", New: func() any { return &blockingConnector{release: blockingRelease} }})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A stop returns at once; an instance still running past its stop deadline is a tracked
// zombie, which its successor stops waiting for, and which leaves the runtime when it exits.
func TestStopReturnsAtOnceAndTracksZombies(t *testing.T) {
	blockingRelease = make(chan struct{})
	rep := &fakeReporter{}
	rt := New(Options{Config: &workerconfig.Config{}, Reporter: rep, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	spec := ConnectorSpec{Name: "b", Config: map[string]string{KeyConnectorClass: "test.worker.BlockingConnector"}, Target: targetStarted, Fence: Fence{Worker: "n1", Epoch: 1}}
	if !rt.StartConnector(spec) {
		t.Fatal("StartConnector did not start")
	}
	if rt.StartConnector(spec) {
		t.Fatal("a second StartConnector of a running connector started another instance")
	}
	waitFor(t, "RUNNING", func() bool { return rep.count(StateRunning) == 1 })

	began := time.Now()
	stopped := rt.StopConnector("b", 100*time.Millisecond)
	if d := time.Since(began); d > 50*time.Millisecond {
		t.Fatalf("StopConnector blocked for %s", d)
	}
	if _, stopping := rt.Stopping(); len(stopping) != 0 {
		t.Fatalf("tasks stopping: %v", stopping)
	}
	if conns, _ := rt.Stopping(); len(conns) != 1 {
		t.Fatalf("connectors stopping: %v; want b", conns)
	}
	// The successor waits for the old instance until its deadline, then starts.
	rt.StartConnector(spec)
	if rep.count(StateRunning) != 1 {
		t.Fatal("the new instance started before the old one's stop deadline")
	}
	waitFor(t, "a zombie", func() bool { conns, _ := rt.Zombies(); return len(conns) == 1 })
	waitFor(t, "the successor RUNNING", func() bool { return rep.count(StateRunning) == 2 })
	select {
	case <-stopped:
		t.Fatal("the blocked instance reported its exit")
	default:
	}

	close(blockingRelease)
	<-stopped
	waitFor(t, "the zombie to leave", func() bool { conns, _ := rt.Zombies(); return len(conns) == 0 })
	conns, _ := rt.StopAll(time.Second)
	if len(conns) != 1 || conns[0].Name != "b" {
		t.Fatalf("StopAll stopped %v; want b", conns)
	}
	if rt.StartConnector(spec) {
		t.Fatal("StartConnector started an instance after StopAll")
	}
}
