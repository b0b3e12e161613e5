package control

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/internal/devbroker"
	"github.com/raftconnect/raftconnect/internal/workerconfig"
	"github.com/raftconnect/raftconnect/raftstore"
	"github.com/raftconnect/raftconnect/restapi"
)

// member is one worker of an in-process cluster: a TCP Raft store, a herder, and its REST and
// internal API on one httptest server, as cmd/worker wires them.
type member struct {
	t      *testing.T
	id     string
	store  *raftstore.Store
	h      *Herder
	srv    *httptest.Server
	url    string
	cancel context.CancelFunc
	done   chan error
}

// startMember starts worker id; join lists the REST addresses it joins through (none: it
// bootstraps the cluster).
func startMember(t *testing.T, broker *devbroker.Broker, id string, join ...string) *member {
	t.Helper()
	dir := t.TempDir()
	srv := httptest.NewUnstartedServer(nil)
	hostport := srv.Listener.Addr().String()
	props := map[string]string{
		"bootstrap.servers":                 strings.Join(broker.Addrs(), ","),
		"key.converter":                     "test.worker.StringConverter",
		"value.converter":                   "test.worker.StringConverter",
		"header.converter":                  "test.worker.HeaderConverter",
		"data.dir":                          dir,
		"node.id":                           id,
		"raft.bind.address":                 "127.0.0.1:0",
		"cluster.secret":                    testSecret,
		"task.shutdown.graceful.timeout.ms": "2000",
	}
	if len(join) > 0 {
		props["cluster.join"] = strings.Join(join, ",")
	}
	cfg, err := workerconfig.ParseConfig(props)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() && os.Getenv("MEMBER_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("worker", id)
	}
	store, err := raftstore.Open(raftstore.Config{
		Dir: dir + "/raft", NodeID: id, BindAddr: "127.0.0.1:0", Secret: []byte(testSecret),
		NoBootstrap: len(join) > 0, Logger: log,
		// Quick elections, so replacing a leader takes a moment, not seconds.
		HeartbeatTimeout: 300 * time.Millisecond, ElectionTimeout: 300 * time.Millisecond,
		LeaderLeaseTimeout: 150 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	m := &member{t: t, id: id, store: store, srv: srv, url: "http://" + hostport, done: make(chan error, 1)}
	m.h = New(Options{Config: cfg, Store: store, WorkerID: hostport, RestURL: m.url + "/", Logger: log, Version: "test"})
	rest := restapi.NewHandler(m.h, restapi.Options{Logger: log})
	internal := m.h.InternalHandler()
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/internal/") {
			internal.ServeHTTP(w, r)
			return
		}
		rest.ServeHTTP(w, r)
	})
	srv.Start()
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	go func() { m.done <- m.h.Run(ctx) }()
	t.Cleanup(func() {
		start := time.Now()
		m.stop()
		t.Logf("stopping %s took %s", id, time.Since(start).Round(time.Millisecond))
	})
	return m
}

// stop stops the worker (a clean stop: it leaves the cluster) and its store.
func (m *member) stop() {
	if m.cancel == nil {
		return
	}
	m.cancel()
	m.cancel = nil
	if err := <-m.done; err != nil {
		m.t.Errorf("%s: Run: %v", m.id, err)
	}
	m.srv.Close()
	m.store.Close()
}

func (m *member) do(method, path string, body any, out any) int {
	m.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, m.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		m.t.Errorf("%s %s on %s: %v", method, path, m.id, err)
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			m.t.Errorf("%s %s on %s: decoding %s: %v", method, path, m.id, b, err)
		}
	}
	return resp.StatusCode
}

// startCluster starts three workers, the second and third joining through the first, and
// waits until each is ready and registered.
func startCluster(t *testing.T) []*member {
	t.Helper()
	broker, err := devbroker.Start(0, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(broker.Close)
	first := startMember(t, broker, "w1")
	eventually(t, 10*time.Second, "w1 ready", first.h.Ready)
	hp := strings.TrimPrefix(first.url, "http://")
	ms := []*member{first, startMember(t, broker, "w2", hp), startMember(t, broker, "w3", hp)}
	for _, m := range ms {
		eventually(t, 20*time.Second, m.id+" ready with 3 workers registered", func() bool {
			return m.h.Ready() && len(m.store.Workers()) == 3
		})
	}
	servers, err := first.store.Servers()
	if err != nil || len(servers) != 3 {
		t.Fatalf("raft servers %+v, %v", servers, err)
	}
	return ms
}

func leaderOf(t *testing.T, ms []*member) (leader *member, followers []*member) {
	t.Helper()
	eventually(t, 10*time.Second, "a leader", func() bool {
		leader, followers = nil, nil
		for _, m := range ms {
			if m.cancel != nil && m.store.IsLeader() {
				leader = m
			} else if m.cancel != nil {
				followers = append(followers, m)
			}
		}
		return leader != nil
	})
	return leader, followers
}

func stoppedConnector(name string) map[string]any {
	return map[string]any{"name": name, "initial_state": "STOPPED",
		"config": map[string]string{"connector.class": "test.worker.SeqSourceConnector", "topic": "t-" + name, "tasks.max": "1"}}
}

// TestClusterForwardsWrites: REST writes on any worker are answered as on the leader and seen
// everywhere; 100 concurrent creates spread over the workers all succeed; a write made while
// the leader is replaced waits for the next one; a wrongly signed internal write changes
// nothing.
func TestClusterForwardsWrites(t *testing.T) {
	saved := leaveTimeout
	t.Cleanup(func() { leaveTimeout = saved }) // registered first, so it runs after the members' stops
	ms := startCluster(t)
	leader, followers := leaderOf(t, ms)
	f1, f2 := followers[0], followers[1]

	t.Run("create on a follower, delete on another", func(t *testing.T) {
		if st := f1.do("POST", "/connectors", stoppedConnector("fwd"), nil); st != 201 {
			t.Fatalf("create through follower %s: %d", f1.id, st)
		}
		// The follower that took the write reads it at once.
		if st := f1.do("GET", "/connectors/fwd", nil, nil); st != 200 {
			t.Fatalf("read own write on %s: %d", f1.id, st)
		}
		for _, m := range ms {
			eventually(t, 5*time.Second, "fwd on "+m.id, func() bool { return m.do("GET", "/connectors/fwd", nil, nil) == 200 })
		}
		if st := f2.do("DELETE", "/connectors/fwd", nil, nil); st != 204 {
			t.Fatalf("delete through follower %s: %d", f2.id, st)
		}
		if st := f2.do("GET", "/connectors/fwd", nil, nil); st != 404 {
			t.Fatalf("read own delete on %s: %d", f2.id, st)
		}
		for _, m := range ms {
			eventually(t, 5*time.Second, "fwd gone on "+m.id, func() bool { return m.do("GET", "/connectors/fwd", nil, nil) == 404 })
		}
	})

	t.Run("latency", func(t *testing.T) {
		if st := leader.do("POST", "/connectors", stoppedConnector("lat"), nil); st != 201 {
			t.Fatalf("create: %d", st)
		}
		const n = 30
		measure := func(m *member) time.Duration {
			start := time.Now()
			for range n {
				if st := m.do("PUT", "/connectors/lat/pause", nil, nil); st != 202 {
					t.Fatalf("pause on %s: %d", m.id, st)
				}
			}
			return time.Since(start) / n
		}
		onLeader, onFollower := measure(leader), measure(f1)
		t.Logf("REST write (PUT /connectors/lat/pause) mean latency over %d: on the leader %s, through a follower %s", n, onLeader, onFollower)
	})

	t.Run("100 concurrent creates", func(t *testing.T) {
		var wg sync.WaitGroup
		codes := make([]int, 100)
		start := time.Now()
		for i := range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = ms[i%3].do("POST", "/connectors", stoppedConnector(fmt.Sprintf("many-%03d", i)), nil)
			}()
		}
		wg.Wait()
		t.Logf("100 concurrent creates over 3 workers took %s", time.Since(start).Round(time.Millisecond))
		for i, c := range codes {
			if c != 201 {
				t.Errorf("create many-%03d on %s: %d", i, ms[i%3].id, c)
			}
		}
		for _, m := range ms {
			eventually(t, 10*time.Second, "100 connectors on "+m.id, func() bool {
				var names []string
				m.do("GET", "/connectors", nil, &names)
				n := 0
				for _, name := range names {
					if strings.HasPrefix(name, "many-") {
						n++
					}
				}
				return n == 100
			})
		}
	})

	t.Run("wrong secret", func(t *testing.T) {
		entry, _ := raftstore.EncodeCommands(raftstore.PutConnector{Name: "intruder", Config: map[string]string{}})
		intruder := newPeerClient([]byte("not-the-secret"), "intruder")
		defer intruder.close()
		status, _, body, err := intruder.post(context.Background(), leader.url, pathApply, entry, false)
		if err != nil || status != 403 {
			t.Fatalf("wrongly signed write: %d %s %v", status, body, err)
		}
		join, _ := json.Marshal(joinRequest{NodeID: "intruder", RaftAddr: "127.0.0.1:1", RestURL: "http://127.0.0.1:1"})
		if status, _, body, _ := intruder.post(context.Background(), f1.url, pathJoin, join, false); status != 403 {
			t.Fatalf("wrongly signed join: %d %s", status, body)
		}
		time.Sleep(100 * time.Millisecond)
		for _, m := range ms {
			if _, ok := m.store.Connector("intruder"); ok {
				t.Fatalf("the intruder's connector is on %s", m.id)
			}
			if servers, _ := m.store.Servers(); len(servers) != 3 {
				t.Fatalf("servers on %s: %+v", m.id, servers)
			}
		}
	})

	t.Run("write while the leader is replaced", func(t *testing.T) {
		// The dead leader stays a Raft member, so the others cannot remove themselves when
		// they stop at the end (a configuration without them needs the dead one's vote): do
		// not wait long for that.
		leaveTimeout = time.Second
		old := leader
		// The leader's store goes away at once, as in a crash of its Raft; its REST server
		// stays up and answers "not the leader".
		old.store.Close()
		start := time.Now()
		st := f1.do("POST", "/connectors", stoppedConnector("during-election"), nil)
		took := time.Since(start)
		if st != 201 {
			t.Fatalf("create during the election through %s: %d", f1.id, st)
		}
		t.Logf("a create issued as the leader's store closed succeeded after %s", took.Round(time.Millisecond))
		stopStart := time.Now()
		old.stop()
		t.Logf("stopping the old leader took %s", time.Since(stopStart).Round(time.Millisecond))
		newLeader, _ := leaderOf(t, ms)
		if newLeader == old {
			t.Fatal("old leader still leads")
		}
		for _, m := range []*member{f1, f2} {
			eventually(t, 5*time.Second, "during-election on "+m.id, func() bool {
				return m.do("GET", "/connectors/during-election", nil, nil) == 200
			})
		}
	})
}

// TestClusterLeaveAndRejoin: a worker that stops cleanly leaves (its registration and Raft
// membership go at once), a stopping leader hands over leadership first, and a left worker's
// record lets it rejoin.
func TestClusterLeaveAndRejoin(t *testing.T) {
	ms := startCluster(t)
	leader, followers := leaderOf(t, ms)
	f := followers[0]
	dataDir := f.h.cfg.DataDir
	f.stop()
	for _, m := range []*member{leader, followers[1]} {
		eventually(t, 10*time.Second, f.id+" gone on "+m.id, func() bool {
			servers, _ := m.store.Servers()
			return len(m.store.Workers()) == 2 && len(servers) == 2
		})
	}
	peers, left, err := LeftCluster(dataDir)
	if err != nil || !left || len(peers) != 2 {
		t.Fatalf("left record: %v %v %v", peers, left, err)
	}
	sort.Strings(peers)
	t.Logf("left record names %v", peers)

	// The leader stops: it hands over leadership, then leaves through the new leader.
	rest := followers[1]
	start := time.Now()
	leader.stop()
	t.Logf("the leader's clean stop (hand-over and leave) took %s", time.Since(start).Round(time.Millisecond))
	eventually(t, 10*time.Second, "the last worker leads alone", func() bool {
		servers, _ := rest.store.Servers()
		return rest.store.IsLeader() && len(servers) == 1 && len(rest.store.Workers()) == 1
	})
	if st := rest.do("POST", "/connectors", stoppedConnector("after-leaves"), nil); st != 201 {
		t.Fatalf("create on the last worker: %d", st)
	}
}
