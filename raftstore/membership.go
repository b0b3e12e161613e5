package raftstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// DefaultMaxVoters is the number of voters a cluster grows to before
// further nodes join as non-voters (Config.MaxVoters). Five voters survive
// two failures; more would make every write wait for more fsyncs without
// making the cluster much safer.
const DefaultMaxVoters = 5

// Suffrage values of Server.Suffrage.
const (
	SuffrageVoter    = "voter"
	SuffrageNonvoter = "nonvoter"
)

// membership is the Store's cluster-membership state: the lock that
// serialises configuration changes made by this node, and what its Raft
// observer learnt about failing peers.
type membership struct {
	// changeMu serialises Join, Rebalance and RemoveServer on this node, so
	// that counting voters and adding one is one step.
	changeMu sync.Mutex

	observer *raft.Observer

	mu          sync.Mutex
	leaderSince time.Time                   // zero unless this node leads
	failing     map[raft.ServerID]time.Time // peer → failing since
	// leaderID is the leader this node last followed; on winning an election it becomes
	// prevLeader, with when this node last heard from it. A leader that died has been
	// silent since then, not since the election: counting from there lets the dead
	// leader's work move one election earlier.
	leaderID          raft.ServerID
	prevLeader        raft.ServerID
	prevLeaderContact time.Time
}

// registerObserver registers the Raft observer that tracks heartbeat
// failures; Close deregisters it.
//
// The observer does its work in its filter and has no channel: raft calls
// the filter synchronously for every observation, so no observation is
// ever dropped (raft drops those a full non-blocking channel cannot take,
// and a lost "resumed" would leave a healthy peer failing forever) and no
// goroutine is needed. The filter only takes m.mu, briefly.
func (s *Store) registerObserver() {
	m := &s.member
	m.failing = map[raft.ServerID]time.Time{}
	m.observer = raft.NewObserver(nil, false, func(o *raft.Observation) bool {
		m.observe(o.Data, s.raft.LastContact)
		if _, ok := o.Data.(raft.RaftState); ok {
			// Subscribers hear of a leadership change too: a new leader has duties at once.
			s.fsm.notify.broadcast()
		}
		return false
	})
	s.raft.RegisterObserver(m.observer)
	if s.raft.State() == raft.Leader { // won before the observer was there
		m.mu.Lock()
		if m.leaderSince.IsZero() {
			m.leaderSince = time.Now()
		}
		m.mu.Unlock()
	}
}

func (s *Store) deregisterObserver() {
	if s.member.observer != nil {
		s.raft.DeregisterObserver(s.member.observer)
	}
}

func (m *membership) observe(data any, lastContact func() time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch d := data.(type) {
	case raft.LeaderObservation:
		if d.LeaderID != "" {
			m.leaderID = d.LeaderID
		}
	case raft.RaftState:
		// A new term of leadership starts with a clean slate.
		clear(m.failing)
		m.leaderSince = time.Time{}
		if d == raft.Leader {
			m.leaderSince = time.Now()
			m.prevLeader, m.prevLeaderContact = m.leaderID, lastContact()
		}
	case raft.FailedHeartbeatObservation:
		if _, ok := m.failing[d.PeerID]; ok {
			return
		}
		if m.leaderSince.IsZero() {
			m.leaderSince = time.Now()
		}
		// Raft starts a peer's LastContact when it starts replicating to it
		// (on winning the election, or when the peer is added), so a peer
		// that never answered counts from about then.
		since := d.LastContact
		if since.IsZero() || since.Before(m.leaderSince) {
			since = m.leaderSince
		}
		if d.PeerID == m.prevLeader && !m.prevLeaderContact.IsZero() && m.prevLeaderContact.Before(since) {
			since = m.prevLeaderContact
		}
		m.failing[d.PeerID] = since
	case raft.ResumedHeartbeatObservation:
		delete(m.failing, d.PeerID)
	case raft.PeerObservation:
		if d.Removed {
			delete(m.failing, d.Peer.ID)
		}
	}
}

// FailingPeers, on the leader, returns the peers whose Raft heartbeats are
// failing and since when: the last time the peer answered, or when this
// node became leader (or started replicating to the peer) for a peer that
// has not answered since. A peer leaves the map when its heartbeats succeed
// again or it is removed. Empty (not nil) on a follower. It does not block.
func (s *Store) FailingPeers() map[string]time.Time {
	out := map[string]time.Time{}
	if s.raft.State() != raft.Leader {
		return out
	}
	members := map[raft.ServerID]bool{}
	if f := s.raft.GetConfiguration(); f.Error() == nil { // does not block
		for _, srv := range f.Configuration().Servers {
			members[srv.ID] = true
		}
	}
	m := &s.member
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, since := range m.failing {
		if members[id] && id != raft.ServerID(s.cfg.NodeID) {
			out[string(id)] = since
		}
	}
	return out
}

// LastLeaderContact is when this node last heard from a leader: raft's
// LastContact on a follower (or candidate), time.Now() on the leader, zero
// if it never heard from one.
func (s *Store) LastLeaderContact() time.Time {
	if s.raft.State() == raft.Leader {
		return time.Now()
	}
	return s.raft.LastContact()
}

// latestConfig returns the latest (maybe uncommitted) Raft configuration
// and its log index.
func (s *Store) latestConfig(op string) ([]raft.Server, uint64, error) {
	f := s.raft.GetConfiguration()
	if err := f.Error(); err != nil {
		return nil, 0, s.raftErr(op, err)
	}
	return f.Configuration().Servers, f.Index(), nil
}

// Join adds a node on the leader: a voter while the cluster has fewer than
// MaxVoters voters, else a non-voter, and reports which. Re-adding a known
// id with the same address is a no-op success (reporting its suffrage); a
// known id with a new address updates the address and keeps its suffrage.
// An address held by another id is refused with ErrAlreadyExists (remove
// that node first). ErrNotLeader on a follower.
//
// The node joining must be running (opened with NoBootstrap) and reachable:
// a voter that cannot be reached counts against the quorum.
func (s *Store) Join(ctx context.Context, id, addr string) (voter bool, err error) {
	op := "join " + id
	if id == "" || addr == "" {
		return false, fmt.Errorf("raftstore: join: node id and address are required: %w", ErrInvalid)
	}
	if s.isClosed() {
		return false, fmt.Errorf("raftstore: %s: %w", op, ErrClosed)
	}
	s.member.changeMu.Lock()
	defer s.member.changeMu.Unlock()
	if s.raft.State() != raft.Leader {
		return false, s.raftErr(op, raft.ErrNotLeader)
	}
	servers, index, err := s.latestConfig(op)
	if err != nil {
		return false, err
	}
	voters := 0
	for _, srv := range servers {
		if srv.Suffrage == raft.Voter {
			voters++
		}
	}
	for _, srv := range servers {
		if srv.ID != raft.ServerID(id) && srv.Address == raft.ServerAddress(addr) {
			return false, fmt.Errorf("raftstore: %s: address %s belongs to node %s: %w", op, addr, srv.ID, ErrAlreadyExists)
		}
	}
	var f raft.IndexFuture
	if i := slices.IndexFunc(servers, func(srv raft.Server) bool { return srv.ID == raft.ServerID(id) }); i >= 0 {
		srv := servers[i]
		voter = srv.Suffrage == raft.Voter
		if srv.Address == raft.ServerAddress(addr) {
			return voter, nil
		}
		if voter {
			f = s.raft.AddVoter(srv.ID, raft.ServerAddress(addr), index, timeoutOf(ctx))
		} else {
			f = s.raft.AddNonvoter(srv.ID, raft.ServerAddress(addr), index, timeoutOf(ctx))
		}
		s.log.Info("updating node address", "peer", id, "from", srv.Address, "to", addr)
	} else if voter = voters < s.cfg.MaxVoters; voter {
		f = s.raft.AddVoter(raft.ServerID(id), raft.ServerAddress(addr), index, timeoutOf(ctx))
		s.log.Info("node joins as voter", "peer", id, "addr", addr, "voters", voters+1)
	} else {
		f = s.raft.AddNonvoter(raft.ServerID(id), raft.ServerAddress(addr), index, timeoutOf(ctx))
		s.log.Info("node joins as non-voter", "peer", id, "addr", addr, "voters", voters)
	}
	if err := s.await(ctx, f); err != nil {
		return false, s.raftErr(op, err)
	}
	return voter, nil
}

// Rebalance, on the leader, brings the number of voters to MaxVoters when
// the cluster has the nodes: it promotes non-voters while there are fewer
// voters (ones whose heartbeats are failing are not promoted: a voter that
// cannot be reached counts against the quorum) and demotes voters other
// than itself while there are more (failing ones first). RemoveServer calls
// it; the control plane calls it too when it becomes leader, since a leader
// that removed itself cannot. ErrNotLeader on a follower.
func (s *Store) Rebalance(ctx context.Context) error {
	if s.isClosed() {
		return fmt.Errorf("raftstore: rebalance: %w", ErrClosed)
	}
	s.member.changeMu.Lock()
	defer s.member.changeMu.Unlock()
	return s.rebalanceLocked(ctx)
}

func (s *Store) rebalanceLocked(ctx context.Context) error {
	const op = "rebalance"
	if s.raft.State() != raft.Leader {
		return s.raftErr(op, raft.ErrNotLeader)
	}
	servers, index, err := s.latestConfig(op)
	if err != nil {
		return err
	}
	failing := s.FailingPeers()
	var voters, nonvoters []raft.Server
	for _, srv := range servers {
		switch srv.Suffrage {
		case raft.Voter:
			voters = append(voters, srv)
		case raft.Nonvoter:
			if _, bad := failing[string(srv.ID)]; !bad {
				nonvoters = append(nonvoters, srv)
			}
		}
	}
	byID := func(a, b raft.Server) int { return cmp.Compare(a.ID, b.ID) }
	slices.SortFunc(nonvoters, byID)
	for n := len(voters); n < s.cfg.MaxVoters && len(nonvoters) > 0; n++ {
		srv := nonvoters[0]
		nonvoters = nonvoters[1:]
		s.log.Info("promoting non-voter", "peer", srv.ID, "voters", n+1)
		f := s.raft.AddVoter(srv.ID, srv.Address, index, timeoutOf(ctx))
		if err := s.await(ctx, f); err != nil {
			return s.raftErr(op+": promote "+string(srv.ID), err)
		}
		index = f.Index()
	}
	if excess := len(voters) - s.cfg.MaxVoters; excess > 0 {
		// Failing voters first, then the highest ids; never this node.
		slices.SortFunc(voters, func(a, b raft.Server) int {
			_, fa := failing[string(a.ID)]
			_, fb := failing[string(b.ID)]
			if fa != fb {
				if fa {
					return -1
				}
				return 1
			}
			return -byID(a, b)
		})
		for _, srv := range voters {
			if excess == 0 {
				break
			}
			if srv.ID == raft.ServerID(s.cfg.NodeID) {
				continue
			}
			s.log.Info("demoting voter", "peer", srv.ID, "max_voters", s.cfg.MaxVoters)
			f := s.raft.DemoteVoter(srv.ID, index, timeoutOf(ctx))
			if err := s.await(ctx, f); err != nil {
				return s.raftErr(op+": demote "+string(srv.ID), err)
			}
			index = f.Index()
			excess--
		}
	}
	return nil
}

// TransferLeadership hands leadership to another voter and waits until a
// leader other than this node is known (a leader leaving cleanly). Raft
// picks the most up-to-date voter, or, when some voters' heartbeats are
// failing, the first healthy one by id; it catches the target up before
// handing over. ErrNotLeader on a follower; nil and a no-op when this node
// is the only voter.
func (s *Store) TransferLeadership(ctx context.Context) error {
	const op = "transfer leadership"
	if s.isClosed() {
		return fmt.Errorf("raftstore: %s: %w", op, ErrClosed)
	}
	if s.raft.State() != raft.Leader {
		return s.raftErr(op, raft.ErrNotLeader)
	}
	servers, _, err := s.latestConfig(op)
	if err != nil {
		return err
	}
	failing := s.FailingPeers()
	var others, healthy []raft.Server
	for _, srv := range servers {
		if srv.Suffrage != raft.Voter || srv.ID == raft.ServerID(s.cfg.NodeID) {
			continue
		}
		others = append(others, srv)
		if _, bad := failing[string(srv.ID)]; !bad {
			healthy = append(healthy, srv)
		}
	}
	if len(others) == 0 {
		return nil
	}
	var f raft.Future
	if len(healthy) > 0 && len(healthy) < len(others) {
		slices.SortFunc(healthy, func(a, b raft.Server) int { return cmp.Compare(a.ID, b.ID) })
		f = s.raft.LeadershipTransferToServer(healthy[0].ID, healthy[0].Address)
	} else {
		f = s.raft.LeadershipTransfer()
	}
	if err := s.await(ctx, f); err != nil {
		return s.raftErr(op, err)
	}
	for delay := time.Millisecond; ; delay = min(delay*2, 20*time.Millisecond) {
		if _, id := s.raft.LeaderWithID(); id != "" && id != raft.ServerID(s.cfg.NodeID) {
			s.log.Info("leadership transferred", "leader", id)
			return nil
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("raftstore: %s: waiting for the new leader: %w", op, ctx.Err())
		case <-t.C:
		}
	}
}

// suffrageName is Server.Suffrage for raft's suffrage.
func suffrageName(s raft.ServerSuffrage) string {
	switch s {
	case raft.Voter:
		return SuffrageVoter
	case raft.Nonvoter:
		return SuffrageNonvoter
	default:
		return "staging"
	}
}
