package raftstore

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

var testSecret = []byte("raftstore test cluster secret!!!")

// Short Raft timers keep the cluster tests quick; they still leave room
// for a loaded 2-core machine running -race.
const (
	testHeartbeat = 300 * time.Millisecond
	testLease     = 150 * time.Millisecond
)

func nodeConfig(id, dir, bind string, noBootstrap bool, secret []byte) Config {
	return Config{
		Dir: dir, NodeID: id, BindAddr: bind, NoBootstrap: noBootstrap, Secret: secret,
		Logger:           quietLogger(),
		HeartbeatTimeout: testHeartbeat, ElectionTimeout: testHeartbeat,
		LeaderLeaseTimeout: testLease, CommitTimeout: 10 * time.Millisecond,
	}
}

// testCluster is a TCP cluster on 127.0.0.1 whose nodes tests close and
// reopen.
type testCluster struct {
	t     *testing.T
	nodes map[string]*Store // open nodes by id
	dirs  map[string]string
	order []string
}

func (c *testCluster) open(cfg Config) *Store {
	c.t.Helper()
	s, err := Open(cfg)
	if err != nil {
		c.t.Fatalf("open %s: %v", cfg.NodeID, err)
	}
	if _, ok := c.dirs[cfg.NodeID]; !ok {
		c.order = append(c.order, cfg.NodeID)
	}
	c.nodes[cfg.NodeID] = s
	c.dirs[cfg.NodeID] = cfg.Dir
	return s
}

// add opens a fresh node waiting to join.
func (c *testCluster) add(id string) *Store {
	return c.open(nodeConfig(id, c.t.TempDir(), "127.0.0.1:0", true, testSecret))
}

// close closes one node.
func (c *testCluster) close(id string) {
	c.t.Helper()
	if err := c.nodes[id].Close(); err != nil {
		c.t.Errorf("close %s: %v", id, err)
	}
	delete(c.nodes, id)
}

func (c *testCluster) closeAll() {
	for _, id := range c.order {
		if _, ok := c.nodes[id]; ok {
			c.close(id)
		}
	}
}

func (c *testCluster) live() []*Store {
	var out []*Store
	for _, id := range c.order {
		if s, ok := c.nodes[id]; ok {
			out = append(out, s)
		}
	}
	return out
}

// onLeader runs fn on the current leader (again on the next one if
// leadership moves) and fails the test on error.
func (c *testCluster) onLeader(ctx context.Context, fn func(l *Store) error) {
	c.t.Helper()
	if err := onLeader(ctx, c.live(), fn); err != nil {
		c.t.Fatal(err)
	}
}

func (c *testCluster) leader(ctx context.Context) *Store {
	c.t.Helper()
	var leader *Store
	c.onLeader(ctx, func(l *Store) error { leader = l; return nil })
	return leader
}

// servers returns the leader's configuration, voters and non-voters.
func (c *testCluster) servers(ctx context.Context) (all []Server, voters, nonvoters map[string]bool) {
	c.t.Helper()
	c.onLeader(ctx, func(l *Store) (err error) { all, err = l.Servers(); return err })
	voters, nonvoters = map[string]bool{}, map[string]bool{}
	for _, s := range all {
		switch {
		case s.Suffrage == SuffrageVoter && s.Voter:
			voters[s.ID] = true
		case s.Suffrage == SuffrageNonvoter && !s.Voter:
			nonvoters[s.ID] = true
		default:
			c.t.Fatalf("server %+v: suffrage and Voter disagree", s)
		}
	}
	return all, voters, nonvoters
}

// startCluster starts n nodes: n1 bootstraps and the others Join it.
func startCluster(t *testing.T, ctx context.Context, n int) *testCluster {
	t.Helper()
	c := &testCluster{t: t, nodes: map[string]*Store{}, dirs: map[string]string{}}
	first := c.open(nodeConfig("n1", t.TempDir(), "127.0.0.1:0", false, testSecret))
	if err := first.WaitForLeader(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= n; i++ {
		s := c.add(fmt.Sprintf("n%d", i))
		c.onLeader(ctx, func(l *Store) error { _, err := l.Join(ctx, s.NodeID(), s.Addr()); return err })
	}
	return c
}

// eventually polls cond until it holds or d passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestClusterForwardAndMembership: a follower's write forwarded to the
// leader, read back on the follower; Join caps the voters at MaxVoters
// and RemoveServer of a voter promotes a non-voter.
func TestClusterForwardAndMembership(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	c := startCluster(t, ctx, 3)
	defer func() {
		c.closeAll()
		checkGoroutines(t, before)
	}()

	// A follower forwards a write and reads it back.
	var follower *Store
	for _, n := range c.live() {
		if !n.IsLeader() {
			follower = n
			break
		}
	}
	entry, err := EncodeCommands(PutConnector{Name: "c", Config: map[string]string{"k": "v"}}, DeleteConnector{Name: "missing"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := follower.ApplyEncoded(ctx, entry); !errors.Is(err, ErrNotLeader) {
		t.Fatalf("apply encoded on a follower: %v", err)
	}
	var wire []byte
	c.onLeader(ctx, func(l *Store) error {
		rs, err := l.ApplyEncoded(ctx, entry)
		if err == nil {
			wire, err = EncodeResults(rs)
		}
		return err
	})
	rs, err := DecodeResults(wire)
	if err != nil || len(rs) != 2 || rs[0].Err != nil || !errors.Is(rs[1].Err, ErrNotFound) || rs[0].Index == 0 {
		t.Fatalf("forwarded results %+v %v", rs, err)
	}
	if err := follower.WaitApplied(ctx, rs[0].Index); err != nil {
		t.Fatal(err)
	}
	if got, ok := follower.Connector("c"); !ok || got.Config["k"] != "v" {
		t.Fatalf("follower reads its own write: %+v %v", got, ok)
	}

	// Membership errors.
	if _, err := follower.Join(ctx, "x", "127.0.0.1:1"); !errors.Is(err, ErrNotLeader) {
		t.Fatalf("join on a follower: %v", err)
	}
	c.onLeader(ctx, func(l *Store) error {
		if _, err := l.Join(ctx, "", "127.0.0.1:1"); !errors.Is(err, ErrInvalid) {
			return fmt.Errorf("join without id: %v", err)
		}
		if _, err := l.Join(ctx, "x", c.nodes["n2"].Addr()); !errors.Is(err, ErrAlreadyExists) && !errors.Is(err, ErrNotLeader) {
			return fmt.Errorf("join with another node's address: %v", err)
		}
		return nil
	})

	// n4..n7 join: two more voters, then non-voters.
	for i := 4; i <= 7; i++ {
		s := c.add(fmt.Sprintf("n%d", i))
		var voter bool
		c.onLeader(ctx, func(l *Store) (err error) { voter, err = l.Join(ctx, s.NodeID(), s.Addr()); return err })
		if want := i <= 5; voter != want {
			t.Fatalf("%s joined as voter=%v, want %v", s.NodeID(), voter, want)
		}
	}
	all, voters, nonvoters := c.servers(ctx)
	if len(all) != 7 || len(voters) != 5 || len(nonvoters) != 2 || !nonvoters["n6"] || !nonvoters["n7"] {
		t.Fatalf("servers %+v", all)
	}
	// Joining again is a no-op that reports the suffrage.
	for _, id := range []string{"n4", "n7"} {
		var voter bool
		c.onLeader(ctx, func(l *Store) (err error) { voter, err = l.Join(ctx, id, c.nodes[id].Addr()); return err })
		if voter != voters[id] {
			t.Fatalf("join %s again: voter=%v", id, voter)
		}
	}
	if again, _, _ := c.servers(ctx); len(again) != 7 {
		t.Fatalf("servers after joining again %+v", again)
	}
	// Non-voters replicate.
	var index uint64
	c.onLeader(ctx, func(l *Store) error {
		rs, err := l.Apply(ctx, PutConnector{Name: "d"})
		if err == nil {
			index = rs[0].Index
		}
		return err
	})
	if err := c.nodes["n7"].WaitApplied(ctx, index); err != nil {
		t.Fatal(err)
	}

	// Removing a voter promotes a non-voter.
	var removed string
	c.onLeader(ctx, func(l *Store) error {
		for _, id := range []string{"n2", "n3", "n4", "n5", "n1"} {
			if id != l.NodeID() {
				removed = id
				break
			}
		}
		return l.RemoveServer(ctx, removed)
	})
	c.close(removed)
	all, voters, nonvoters = c.servers(ctx)
	if len(all) != 6 || len(voters) != 5 || len(nonvoters) != 1 || voters[removed] || nonvoters[removed] || !voters["n6"] {
		t.Fatalf("servers after removing %s: %+v", removed, all)
	}
	// Rebalance has nothing to do now.
	c.onLeader(ctx, func(l *Store) error { return l.Rebalance(ctx) })
	if again, v, _ := c.servers(ctx); len(again) != 6 || len(v) != 5 {
		t.Fatalf("servers after rebalance %+v", again)
	}
}

// TestFailingPeersAndLeaderContact: a closed follower shows in the
// leader's FailingPeers and leaves it when it comes back; a follower's
// LastLeaderContact advances while a leader runs and stops when none does.
func TestFailingPeersAndLeaderContact(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	c := startCluster(t, ctx, 3)
	defer func() {
		c.closeAll()
		checkGoroutines(t, before)
	}()

	leader := c.leader(ctx)
	var followers []*Store
	for _, n := range c.live() {
		if n != leader {
			followers = append(followers, n)
		}
	}
	victim, other := followers[0], followers[1]
	eventually(t, 5*time.Second, "followers reached", func() bool { return len(leader.FailingPeers()) == 0 })
	if fp := other.FailingPeers(); fp == nil || len(fp) != 0 {
		t.Fatalf("FailingPeers on a follower: %v", fp)
	}
	if d := time.Since(leader.LastLeaderContact()); d < 0 || d > time.Second {
		t.Fatalf("leader's LastLeaderContact %v ago", d)
	}
	if err := other.WaitForLeader(ctx); err != nil {
		t.Fatal(err)
	}
	first := other.LastLeaderContact()
	eventually(t, 5*time.Second, "follower's LastLeaderContact advances", func() bool {
		return other.LastLeaderContact().After(first)
	})

	// Kill the victim: the leader reports it within a few heartbeat timeouts.
	id, addr, dir := victim.NodeID(), victim.Addr(), c.dirs[victim.NodeID()]
	closed := time.Now()
	c.close(id)
	var since time.Time
	eventually(t, 5*testHeartbeat, id+" in FailingPeers", func() bool {
		var ok bool
		since, ok = leader.FailingPeers()[id]
		return ok
	})
	if since.After(time.Now()) || since.Before(closed.Add(-2*testHeartbeat)) {
		t.Fatalf("failing since %v, closed at %v", since, closed)
	}
	if !leader.IsLeader() {
		t.Skip("leadership moved on a loaded machine")
	}

	// Restart it at the same address: it leaves FailingPeers.
	c.open(nodeConfig(id, dir, addr, true, testSecret))
	eventually(t, 10*testHeartbeat, id+" leaves FailingPeers", func() bool {
		_, ok := leader.FailingPeers()[id]
		return !ok
	})

	// With no leader left, the survivor's LastLeaderContact stops.
	c.close(leader.NodeID())
	c.close(id)
	eventually(t, 5*time.Second, "survivor steps down", func() bool { return !other.IsLeader() })
	last := other.LastLeaderContact()
	time.Sleep(3 * testHeartbeat)
	if now := other.LastLeaderContact(); !now.Equal(last) || now.IsZero() {
		t.Fatalf("LastLeaderContact moved from %v to %v with no leader", last, now)
	}
	if fp := other.FailingPeers(); len(fp) != 0 {
		t.Fatalf("FailingPeers without leadership: %v", fp)
	}
}

// TestTransferLeadership: the leader hands over to another voter;
// followers refuse; a single node has nobody to hand over to. Rebalance
// then demotes and promotes voters to MaxVoters.
func TestTransferLeadership(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	c := startCluster(t, ctx, 3)
	defer func() {
		c.closeAll()
		checkGoroutines(t, before)
	}()

	old := c.leader(ctx)
	for _, n := range c.live() {
		if n != old {
			if err := n.TransferLeadership(ctx); !errors.Is(err, ErrNotLeader) {
				t.Fatalf("transfer on follower %s: %v", n.NodeID(), err)
			}
		}
	}
	if err := old.TransferLeadership(ctx); err != nil {
		t.Fatal(err)
	}
	if _, id := old.Leader(); id == "" || id == old.NodeID() || old.IsLeader() {
		t.Fatalf("leader after transfer: %q (old %s, still leader %v)", id, old.NodeID(), old.IsLeader())
	}
	if l := c.leader(ctx); l == old {
		t.Fatalf("%s leads again", old.NodeID())
	}

	// Rebalance follows MaxVoters both ways (set here in place of a
	// leader opened with another MaxVoters), never demoting the leader.
	for _, maxV := range []int{2, 1, DefaultMaxVoters} {
		var leaderID string
		c.onLeader(ctx, func(l *Store) error { l.cfg.MaxVoters = maxV; leaderID = l.NodeID(); return l.Rebalance(ctx) })
		_, voters, nonvoters := c.servers(ctx)
		if want := min(maxV, 3); len(voters) != want || len(nonvoters) != 3-want || !voters[leaderID] {
			t.Fatalf("MaxVoters %d: voters %v, non-voters %v (leader %s)", maxV, voters, nonvoters, leaderID)
		}
	}

	single := openTest(t, t.TempDir())
	defer single.Close()
	if err := single.TransferLeadership(ctx); err != nil || !single.IsLeader() {
		t.Fatalf("transfer on a single node: %v (leader %v)", err, single.IsLeader())
	}
}

// TestOpenConfig: a TCP node needs a secret; MaxVoters defaults to 5.
func TestOpenConfig(t *testing.T) {
	cases := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"tcp without secret", Config{NodeID: "a", BindAddr: "127.0.0.1:0"}, "Secret is required"},
		{"tcp with secret", Config{NodeID: "a", BindAddr: "127.0.0.1:0", Secret: testSecret}, ""},
		{"in-memory without secret", Config{NodeID: "a"}, ""},
	}
	for _, c := range cases {
		c.cfg.Dir, c.cfg.Logger = t.TempDir(), quietLogger()
		s, err := Open(c.cfg)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: Open error %v, want %q", c.name, err, c.wantErr)
			}
			if s != nil {
				s.Close()
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if s.cfg.MaxVoters != DefaultMaxVoters {
			t.Errorf("%s: MaxVoters %d", c.name, s.cfg.MaxVoters)
		}
		if err := s.Close(); err != nil {
			t.Errorf("%s: close: %v", c.name, err)
		}
	}
}

// TestDeadLeaderFailsSinceLastContact: a new leader counts the dead previous leader as failing
// since it last heard from it, not since its own election, so the dead leader's work moves one
// election earlier.
func TestDeadLeaderFailsSinceLastContact(t *testing.T) {
	var m membership
	m.failing = map[raft.ServerID]time.Time{}
	heard := time.Now().Add(-3 * time.Second)
	lastContact := func() time.Time { return heard }
	m.observe(raft.LeaderObservation{LeaderID: "old"}, lastContact)
	m.observe(raft.RaftState(raft.Candidate), lastContact)
	m.observe(raft.RaftState(raft.Leader), lastContact)
	m.observe(raft.LeaderObservation{LeaderID: "me"}, lastContact)
	m.observe(raft.FailedHeartbeatObservation{PeerID: "old"}, lastContact)
	m.observe(raft.FailedHeartbeatObservation{PeerID: "other"}, lastContact)
	if got := m.failing["old"]; !got.Equal(heard) {
		t.Errorf("the dead leader fails since %v, want the last contact %v", got, heard)
	}
	if got := m.failing["other"]; !got.Equal(m.leaderSince) {
		t.Errorf("another peer fails since %v, want the election %v", got, m.leaderSince)
	}
}
