package raftstore

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// TestThreeNodeCluster grows a cluster from one node over TCP on
// 127.0.0.1, replicates writes to followers, and checks that followers
// refuse writes. It finds the leader instead of assuming it, so a
// leadership change on a loaded machine does not fail it.
func TestThreeNodeCluster(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()

	open := func(id string, noBootstrap bool) *Store {
		s, err := Open(Config{
			Dir: t.TempDir(), NodeID: id, BindAddr: "127.0.0.1:0", NoBootstrap: noBootstrap, Secret: testSecret,
			Logger: quietLogger(),
		})
		if err != nil {
			t.Fatalf("open %s: %v", id, err)
		}
		return s
	}
	n1 := open("n1", false)
	n2 := open("n2", true)
	n3 := open("n3", true)
	nodes := []*Store{n1, n2, n3}
	defer func() {
		for _, n := range nodes {
			if err := n.Close(); err != nil {
				t.Errorf("close %s: %v", n.NodeID(), err)
			}
		}
		checkGoroutines(t, before)
	}()

	if err := n1.WaitForLeader(ctx); err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes[1:] {
		err := onLeader(ctx, nodes, func(l *Store) error { return l.AddVoter(ctx, n.NodeID(), n.Addr()) })
		if err != nil {
			t.Fatalf("add %s: %v", n.NodeID(), err)
		}
	}
	var servers []Server
	err := onLeader(ctx, nodes, func(l *Store) (err error) { servers, err = l.Servers(); return err })
	if err != nil || len(servers) != 3 {
		t.Fatalf("servers %+v %v", servers, err)
	}

	var index uint64
	err = onLeader(ctx, nodes, func(l *Store) error {
		rs, err := l.Apply(ctx, PutConnector{Name: "c", Config: map[string]string{"k": "v"}},
			RegisterWorker{ID: "n1", RestURL: "http://127.0.0.1:8083", RaftAddr: n1.Addr()})
		if err == nil {
			index = rs[0].Index
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	followers := 0
	for _, n := range nodes {
		if err := waitIndex(ctx, n, index); err != nil {
			t.Fatalf("%s: %v", n.NodeID(), err)
		}
		if c, ok := n.Connector("c"); !ok || c.Config["k"] != "v" {
			t.Fatalf("%s: connector %+v %v", n.NodeID(), c, ok)
		}
		if n.IsLeader() {
			continue
		}
		followers++
		if err := n.WaitForLeader(ctx); err != nil {
			t.Fatal(err)
		}
		if _, id := n.Leader(); id == "" || id == n.NodeID() {
			t.Fatalf("%s: leader %q", n.NodeID(), id)
		}
		if _, err := n.Apply(ctx, PutConnector{Name: "d"}); !errors.Is(err, ErrNotLeader) {
			t.Fatalf("%s: apply on follower: %v", n.NodeID(), err)
		}
		if err := n.AddVoter(ctx, "x", "127.0.0.1:1"); !errors.Is(err, ErrNotLeader) {
			t.Fatalf("%s: add voter on follower: %v", n.NodeID(), err)
		}
	}
	if followers < 2 {
		t.Fatalf("%d followers", followers)
	}

	// Remove a follower; the remaining two still replicate.
	var removed, kept *Store
	err = onLeader(ctx, nodes, func(l *Store) error {
		removed, kept = nil, nil
		for _, n := range nodes {
			switch {
			case n == l:
			case removed == nil:
				removed = n
			default:
				kept = n
			}
		}
		return l.RemoveServer(ctx, removed.NodeID())
	})
	if err != nil {
		t.Fatal(err)
	}
	err = onLeader(ctx, nodes, func(l *Store) error {
		if servers, err := l.Servers(); err != nil || len(servers) != 2 {
			return fmt.Errorf("servers after remove %+v %v", servers, err)
		}
		rs, err := l.Apply(ctx, DeleteConnector{Name: "c"})
		if err == nil {
			index = rs[0].Index
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := waitIndex(ctx, kept, index); err != nil {
		t.Fatal(err)
	}
	if _, ok := kept.Connector("c"); ok {
		t.Fatal("delete not replicated")
	}
}

// onLeader runs fn on the current leader, and again on the next one when
// leadership moves under it.
func onLeader(ctx context.Context, nodes []*Store, fn func(leader *Store) error) error {
	for {
		for _, n := range nodes {
			if !n.IsLeader() {
				continue
			}
			err := fn(n)
			if err == nil || !(errors.Is(err, ErrNotLeader) || errors.Is(err, ErrLeadershipLost)) {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no leader: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// waitIndex waits until s has applied the entry at index.
func waitIndex(ctx context.Context, s *Store, index uint64) error {
	ch, cancel := s.Subscribe()
	defer cancel()
	for s.LastIndex() < index {
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("index %d not applied (at %d): %w", index, s.LastIndex(), ctx.Err())
		}
	}
	return nil
}
