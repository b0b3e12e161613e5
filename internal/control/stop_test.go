package control

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// slowStop is the shared state of the SlowStopSource connector's tasks: their Stop blocks
// while held, and every instance's life is counted.
var slowStop = struct {
	sync.Mutex
	held     chan struct{} // non-nil: Stop blocks until it is closed
	stopping bool          // a Stop is blocked
	starts   int           // task instances started
	live     int           // task instances started and not stopped
	maxLive  int
}{}

type slowStopSource struct{ cfg map[string]string }

func (s *slowStopSource) Start(_ connect.SourceConnectorContext, cfg map[string]string) error {
	s.cfg = cfg
	return nil
}
func (s *slowStopSource) TaskConfigs(int) ([]map[string]string, error) {
	return []map[string]string{{"topic": s.cfg["topic"]}}, nil
}
func (*slowStopSource) Stop() error                   { return nil }
func (*slowStopSource) ConfigDef() *connect.ConfigDef { return connect.NewConfigDef() }
func (*slowStopSource) NewTask() connect.SourceTask   { return &slowStopTask{} }

type slowStopTask struct{}

func (*slowStopTask) Start(connect.SourceTaskContext, map[string]string) error {
	slowStop.Lock()
	defer slowStop.Unlock()
	slowStop.starts++
	slowStop.live++
	slowStop.maxLive = max(slowStop.maxLive, slowStop.live)
	return nil
}

func (*slowStopTask) Poll(ctx context.Context) ([]*connect.SourceRecord, error) {
	select {
	case <-ctx.Done():
	case <-time.After(20 * time.Millisecond):
	}
	return nil, nil
}

func (*slowStopTask) Stop() error {
	slowStop.Lock()
	held := slowStop.held
	slowStop.stopping = held != nil
	slowStop.Unlock()
	if held != nil {
		<-held
	}
	slowStop.Lock()
	defer slowStop.Unlock()
	slowStop.stopping = false
	slowStop.live--
	return nil
}

func init() {
	connect.Register(connect.Plugin{Class: "test.worker.SlowStopSource", Version: "1.0", New: func() any { return &slowStopSource{} }})
}

// A task that is slow to stop delays neither another connector's start nor anything else the
// worker does; the new instance of that same task waits for the old one's exit, so the task
// never runs twice.
func TestSlowStopDoesNotDelayOtherConnectors(t *testing.T) {
	slowStop.Lock()
	slowStop.held, slowStop.stopping, slowStop.starts, slowStop.live, slowStop.maxLive = nil, false, 0, 0, 0
	slowStop.Unlock()
	// Stops may take 30 s: long enough that a worker waiting for one fails the test.
	c := newClusterWith(t, nil, "", map[string]string{"task.shutdown.graceful.timeout.ms": "30000"})
	release := sync.OnceFunc(func() {
		slowStop.Lock()
		defer slowStop.Unlock()
		if slowStop.held != nil {
			close(slowStop.held)
			slowStop.held = nil
		}
	})
	t.Cleanup(release) // runs before the cluster's cleanup, which stops the worker

	cfg := map[string]string{"connector.class": "test.worker.SlowStopSource", "topic": "slow"}
	if code := c.do("POST", "/connectors", createReq("slow", cfg), nil); code != http.StatusCreated {
		t.Fatalf("create slow: %d", code)
	}
	c.waitState("slow", "RUNNING", "RUNNING")

	slowStop.Lock()
	slowStop.held = make(chan struct{})
	slowStop.Unlock()
	// A connector config change restarts its task: the old instance's Stop now blocks.
	cfg["name"], cfg["note"] = "slow", "changed"
	if code := c.do("PUT", "/connectors/slow/config", cfg, nil); code != http.StatusOK {
		t.Fatalf("reconfigure slow: %d", code)
	}
	eventually(t, 10*time.Second, "the old slow task to be stopping", func() bool {
		slowStop.Lock()
		defer slowStop.Unlock()
		return slowStop.stopping
	})

	began := time.Now()
	if code := c.do("POST", "/connectors", createReq("fast", map[string]string{"connector.class": "SeqSource", "topic": "fast", "limit": "10"}), nil); code != http.StatusCreated {
		t.Fatalf("create fast: %d", code)
	}
	c.waitState("fast", "RUNNING", "RUNNING")
	t.Logf("fast started %s after it was created, while slow's task was stopping", time.Since(began).Round(time.Millisecond))

	slowStop.Lock()
	stopping, starts := slowStop.stopping, slowStop.starts
	slowStop.Unlock()
	if !stopping {
		t.Fatal("the old slow task finished stopping before the test released it")
	}
	if starts != 1 {
		t.Fatalf("%d slow task instances started while the first was still stopping; want 1", starts)
	}

	release()
	eventually(t, 10*time.Second, "the new slow task instance to start", func() bool {
		slowStop.Lock()
		defer slowStop.Unlock()
		return slowStop.starts == 2
	})
	c.waitState("slow", "RUNNING", "RUNNING")
	slowStop.Lock()
	defer slowStop.Unlock()
	if slowStop.maxLive != 1 {
		t.Fatalf("%d instances of the slow task ran at once; want 1", slowStop.maxLive)
	}
}
