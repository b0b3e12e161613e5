package control

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/raftstore"
)

// fakeView is a clusterView whose leadership, leader contact and failing peers a test sets;
// Servers and Leader come from the real store unless set.
type fakeView struct {
	store *raftstore.Store

	mu      sync.Mutex
	leader  bool
	contact time.Time
	failing map[string]time.Time
	servers []raftstore.Server
}

func (f *fakeView) set(fn func(f *fakeView)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeView) IsLeader() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.leader
}

func (f *fakeView) Leader() (string, string) { return f.store.Leader() }

func (f *fakeView) Servers() ([]raftstore.Server, error) {
	f.mu.Lock()
	servers := f.servers
	f.mu.Unlock()
	if servers != nil {
		return servers, nil
	}
	return f.store.Servers()
}

func (f *fakeView) FailingPeers() map[string]time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]time.Time{}
	for k, v := range f.failing {
		out[k] = v
	}
	return out
}

func (f *fakeView) LastLeaderContact() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.contact
}

func (c *cluster) useView(v *fakeView) {
	c.worker.live.mu.Lock()
	c.worker.live.view = v
	c.worker.live.mu.Unlock()
}

// running counts the connectors and tasks the worker's runtime runs.
func (c *cluster) running() (conns, tasks int) {
	cs, ts := c.worker.rt.Running()
	return len(cs), len(ts)
}

// A worker that has not heard from a leader for cluster.failure.timeout.ms (less a heartbeat)
// stops its connectors and tasks and says so in GET /health; when it hears from a leader
// again it starts what the store still assigns to it, under the same fences.
func TestSelfFenceStopsAndRestarts(t *testing.T) {
	c := newClusterWith(t, nil, "", map[string]string{
		"cluster.heartbeat.interval.ms": "100",
		"cluster.failure.timeout.ms":    "600",
	})
	cfg := map[string]string{"connector.class": "SeqSource", "topic": "fence", "tasks.max": "2", "limit": "10"}
	if code := c.do("POST", "/connectors", createReq("fence", cfg), nil); code != http.StatusCreated {
		t.Fatalf("create: %d", code)
	}
	c.waitState("fence", "RUNNING", "RUNNING", "RUNNING")
	before := c.store.Assignments()

	view := &fakeView{store: c.store, contact: time.Now()}
	c.useView(view)
	view.set(func(f *fakeView) { f.contact = time.Now().Add(-time.Minute) })
	eventually(t, 5*time.Second, "the cut-off worker to stop its connector and tasks", func() bool {
		c.worker.trigger()
		conns, tasks := c.running()
		return conns == 0 && tasks == 0
	})
	if cut, _ := c.worker.isCutOff(); !cut {
		t.Fatal("the worker stopped its work but does not say it is cut off")
	}
	var health map[string]any
	if code := c.do("GET", "/health", nil, &health); code != http.StatusInternalServerError || health["status"] != "unhealthy" {
		t.Fatalf("GET /health while cut off: %d %v", code, health)
	}
	// Further reconciles change nothing while the worker stays cut off.
	c.worker.trigger()
	time.Sleep(200 * time.Millisecond)
	if conns, tasks := c.running(); conns != 0 || tasks != 0 {
		t.Fatalf("a cut-off worker runs %d connectors and %d tasks", conns, tasks)
	}

	view.set(func(f *fakeView) { f.contact = time.Now().Add(time.Hour) }) // in contact from now on
	eventually(t, 5*time.Second, "the worker to start its connector and tasks again", func() bool {
		c.worker.trigger()
		conns, tasks := c.running()
		return conns == 1 && tasks == 2
	})
	conns, tasks := c.worker.rt.Running()
	if conns[0].Fence.Epoch != before.Connectors["fence"].Epoch {
		t.Fatalf("connector restarted with epoch %d, want its assignment's %d", conns[0].Fence.Epoch, before.Connectors["fence"].Epoch)
	}
	for _, ts := range tasks {
		if want := before.Tasks[raftstore.TaskID{Connector: "fence", Task: ts.ID.Task}].Epoch; ts.Fence.Epoch != want {
			t.Fatalf("task %s restarted with epoch %d, want %d", ts.ID, ts.Fence.Epoch, want)
		}
	}
	if cut, _ := c.worker.isCutOff(); cut {
		t.Fatal("still cut off after contact resumed")
	}
	c.waitState("fence", "RUNNING", "RUNNING", "RUNNING")
}

// A worker that is cut off but whose work the leader gave to another worker meanwhile does
// not start it again: the store decides, not the worker's memory.
func TestSelfFenceDoesNotRestartReassignedWork(t *testing.T) {
	c := newClusterWith(t, nil, "", map[string]string{
		"cluster.heartbeat.interval.ms": "100",
		"cluster.failure.timeout.ms":    "600",
	})
	cfg := map[string]string{"connector.class": "SeqSource", "topic": "moved", "tasks.max": "1", "limit": "10"}
	if code := c.do("POST", "/connectors", createReq("moved", cfg), nil); code != http.StatusCreated {
		t.Fatalf("create: %d", code)
	}
	c.waitState("moved", "RUNNING", "RUNNING")
	view := &fakeView{store: c.store, contact: time.Now().Add(-time.Minute)}
	c.useView(view)
	eventually(t, 5*time.Second, "the cut-off worker to stop", func() bool {
		c.worker.trigger()
		conns, tasks := c.running()
		return conns == 0 && tasks == 0
	})
	// Meanwhile the leader gave the work to n2 (written here directly: this test's worker
	// is a follower in its own eyes and does no leader duties).
	if _, err := c.store.Apply(t.Context(),
		raftstore.RegisterWorker{ID: "n2", RestURL: "http://n2:8083"},
		raftstore.SetAssignments{Connectors: map[string]string{"moved": "n2"},
			Tasks: []raftstore.TaskAssignment{{Task: raftstore.TaskID{Connector: "moved", Task: 0}, Worker: "n2"}}}); err != nil {
		t.Fatal(err)
	}
	view.set(func(f *fakeView) { f.contact = time.Now().Add(time.Hour) })
	for range 5 {
		c.worker.trigger()
		time.Sleep(50 * time.Millisecond)
	}
	if conns, tasks := c.running(); conns != 0 || tasks != 0 {
		t.Fatalf("the worker restarted %d connectors and %d tasks that are n2's now", conns, tasks)
	}
}

// The leader reassigns the work of a registered worker whose heartbeats failed for longer
// than cluster.failure.timeout.ms, in one assignment, and not before; a worker removed on
// leave is gone at once.
func TestLeaderReassignsDeadWorker(t *testing.T) {
	c := newClusterWith(t, nil, "", map[string]string{
		"cluster.heartbeat.interval.ms": "100",
		"cluster.failure.timeout.ms":    "600",
	})
	view := &fakeView{store: c.store, leader: true, contact: time.Now().Add(time.Hour),
		servers: []raftstore.Server{{ID: "n1", Voter: true}, {ID: "n2", Voter: true}}}
	c.useView(view)
	if _, err := c.store.ApplyOne(t.Context(), raftstore.RegisterWorker{ID: "n2", RestURL: "http://n2:8083"}); err != nil {
		t.Fatal(err)
	}
	cfg := map[string]string{"connector.class": "SeqSource", "topic": "dead", "tasks.max": "4", "limit": "10"}
	if code := c.do("POST", "/connectors", createReq("dead", cfg), nil); code != http.StatusCreated {
		t.Fatalf("create: %d", code)
	}
	perWorker := func() map[string]int {
		out := map[string]int{}
		for _, a := range c.store.Assignments().Tasks {
			out[a.Worker]++
		}
		return out
	}
	eventually(t, 10*time.Second, "4 tasks spread over n1 and n2", func() bool {
		w := perWorker()
		return w["n1"] == 2 && w["n2"] == 2
	})

	failingSince := time.Now()
	view.set(func(f *fakeView) { f.failing = map[string]time.Time{"n2": failingSince} })
	eventually(t, 5*time.Second, "n2's tasks to move to n1", func() bool {
		c.worker.trigger()
		return perWorker()["n1"] == 4
	})
	if waited := time.Since(failingSince); waited < 600*time.Millisecond {
		t.Fatalf("n2's tasks moved %s after its heartbeats started failing, before cluster.failure.timeout.ms", waited)
	}

	// n2 answers again: it gets work back, balanceMoves units per heartbeat interval at most.
	view.set(func(f *fakeView) { f.failing = nil })
	eventually(t, 10*time.Second, "n2 to get its share back", func() bool {
		c.worker.trigger()
		w := perWorker()
		return w["n1"] == 2 && w["n2"] == 2
	})

	// n2 leaves: its work moves at once.
	if _, err := c.store.ApplyOne(t.Context(), raftstore.RemoveWorker{ID: "n2"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Second, "n2's tasks to move at once after it left", func() bool {
		return perWorker()["n1"] == 4
	})
	c.waitState("dead", "RUNNING", "RUNNING", "RUNNING", "RUNNING", "RUNNING")
}

// GET / reports the Kafka Connect version whose REST API the worker serves, raftconnect's
// own version in "commit", and the leader; GET /health names the leader too.
func TestServerInfoAndHealthNameTheLeader(t *testing.T) {
	c := newCluster(t, nil, "")
	var info map[string]any
	if code := c.do("GET", "/", nil, &info); code != http.StatusOK {
		t.Fatalf("GET /: %d", code)
	}
	leader, _ := info["leader"].(map[string]any)
	if info["version"] != "4.0.0" || info["commit"] != "raftconnect test" || leader["node_id"] != "n1" {
		t.Fatalf("GET / = %v; want version 4.0.0, commit \"raftconnect test\", leader n1", info)
	}
	if _, ok := info["kafka_cluster_id"]; !ok {
		t.Fatalf("GET / = %v: kafka_cluster_id is missing", info)
	}
	var health map[string]any
	if code := c.do("GET", "/health", nil, &health); code != http.StatusOK {
		t.Fatalf("GET /health: %d %v", code, health)
	}
	if leader, _ := health["leader"].(map[string]any); health["status"] != "healthy" || leader["node_id"] != "n1" {
		t.Fatalf("GET /health = %v; want healthy, leader n1", health)
	}
}
