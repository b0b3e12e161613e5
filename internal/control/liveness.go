package control

// Liveness: which workers the leader considers alive (their work moves when they are not),
// and self-fencing (a worker cut off from the leader stops its own work, because the leader
// gives it to others after the same timeout).

import (
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/raftconnect/raftconnect/raftstore"
	"github.com/raftconnect/raftconnect/restapi"
)

// clusterView is what liveness reads of the Raft cluster. *raftstore.Store implements it;
// tests use a fake to fail heartbeats and cut workers off without real networks.
type clusterView interface {
	IsLeader() bool
	// Leader returns the leader's Raft address and node id, empty when none is known.
	Leader() (addr, id string)
	Servers() ([]raftstore.Server, error)
	// FailingPeers, on the leader, returns the peers whose heartbeats fail and since when.
	FailingPeers() map[string]time.Time
	// LastLeaderContact is when this node last heard from a leader (now on the leader).
	LastLeaderContact() time.Time
}

var _ clusterView = (*raftstore.Store)(nil)

// liveness is the Herder's memory of the cluster's health. The reconcile loop updates it;
// mu also lets Health read it.
type liveness struct {
	mu sync.Mutex
	// view and now replace the store and the clock in tests; nil means the real ones.
	view clusterView
	now  func() time.Time

	start    time.Time // first evaluation: a worker counts as in contact from then
	leaderAt time.Time // when this node was last seen leading
	cutOff   bool      // this worker stopped its work: no leader for too long
	lastSeen time.Time // the last leader contact when cutOff was set

	// The leader's memory, reset when it stops leading.
	known       map[string]bool // live workers at the last evaluation; nil before the first
	returning   map[string]bool // workers that joined or came back and are below their share
	lastBalance time.Time       // when units last moved towards a returning worker
	// statusesChecked maps connector → the task generation whose leftover task statuses
	// the leader last removed (or found none of).
	statusesChecked map[string]uint64
}

func (h *Herder) cluster() clusterView {
	h.live.mu.Lock()
	defer h.live.mu.Unlock()
	if h.live.view != nil {
		return h.live.view
	}
	return h.store
}

func (h *Herder) clock() time.Time {
	h.live.mu.Lock()
	now := h.live.now
	h.live.mu.Unlock()
	if now != nil {
		return now()
	}
	return time.Now()
}

// selfFenceAfter is how long a worker runs its work without hearing from a leader. It is one
// heartbeat interval short of cluster.failure.timeout.ms, after which the leader reassigns
// the work, because this worker notices only at its next reconcile (at least once per
// heartbeat interval): it should have stopped by the time another worker starts the same
// tasks. Writes of a late stopper are fenced by the store in any case.
func (h *Herder) selfFenceAfter() time.Duration {
	return max(h.cfg.FailureTimeout-h.cfg.HeartbeatInterval, h.cfg.FailureTimeout/2)
}

// checkCutOff reports whether this worker has not heard from a leader for longer than
// selfFenceAfter, and logs when that starts and ends. A one-node worker (no
// raft.bind.address) leads itself and is never cut off.
func (h *Herder) checkCutOff() bool {
	v := h.cluster()
	now := h.clock()
	leading := v.IsLeader()
	contact := v.LastLeaderContact()

	h.live.mu.Lock()
	if h.live.start.IsZero() {
		h.live.start = now
	}
	if leading {
		h.live.leaderAt = now
	}
	// A worker that just stepped down has not heard from the next leader yet: its own
	// leadership counts as contact, so a leader change does not stop its work.
	last := latest(contact, h.live.leaderAt, h.live.start)
	cut := now.Sub(last) > h.selfFenceAfter()
	was := h.live.cutOff
	h.live.cutOff = cut
	if cut && !was {
		h.live.lastSeen = last
	}
	lastSeen := h.live.lastSeen
	h.live.mu.Unlock()

	switch {
	case cut && !was:
		h.log.Warn("no contact with the cluster leader: stopping this worker's connectors and tasks, which the leader gives to other workers after cluster.failure.timeout.ms",
			"last_contact", last.UTC().Format(time.RFC3339Nano), "failure_timeout", h.cfg.FailureTimeout)
	case !cut && was:
		h.log.Info("in contact with the cluster leader again: starting the connectors and tasks still assigned to this worker",
			"cut_off_for", now.Sub(lastSeen).Round(time.Millisecond))
	}
	return cut
}

func latest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

// isCutOff reports what the last checkCutOff found.
func (h *Herder) isCutOff() (bool, time.Time) {
	h.live.mu.Lock()
	defer h.live.mu.Unlock()
	return h.live.cutOff, h.live.lastSeen
}

// stopAllOwn tells every connector and task of this worker to stop and does not wait: a
// task that does not stop in time stays tracked as a zombie by the runtime, and the store
// fences its writes once the leader reassigned it. No statuses are written: the store
// cannot be reached, and the next owner writes them.
func (h *Herder) stopAllOwn() {
	timeout := h.cfg.ShutdownTimeout + h.cfg.OffsetFlushTimeout
	conns, tasks := h.rt.Running()
	for _, c := range conns {
		h.rt.StopConnector(c.Name, timeout)
	}
	for _, t := range tasks {
		h.rt.StopTask(t.ID, timeout)
	}
}

// workerHealth is the leader's view of the registered workers: dead ones (heartbeats failing
// for longer than cluster.failure.timeout.ms, or no longer in the Raft configuration, which
// they can then not hear from), suspect ones (failing, not yet for long), and returning ones
// (joined, or live again after being dead). It advances the leader's memory of returning
// workers and says how many units may move towards them now.
func (h *Herder) workerHealth(st *raftstore.State) assignOptions {
	v := h.cluster()
	now := h.clock()
	o := assignOptions{self: h.node, dead: map[string]bool{}, suspect: map[string]bool{}}
	failing := v.FailingPeers()
	members := map[string]bool{}
	servers, err := v.Servers()
	for _, s := range servers {
		members[s.ID] = true
	}
	for id := range st.Workers {
		if id == h.node {
			continue
		}
		since, fails := failing[id]
		switch {
		case fails && now.Sub(since) > h.cfg.FailureTimeout, err == nil && !members[id]:
			o.dead[id] = true
		case fails:
			o.suspect[id] = true
		}
	}

	live := map[string]bool{h.node: true}
	for id := range st.Workers {
		if !o.dead[id] && !o.suspect[id] {
			live[id] = true
		}
	}
	h.live.mu.Lock()
	defer h.live.mu.Unlock()
	if h.live.returning == nil {
		h.live.returning = map[string]bool{}
	}
	if h.live.known != nil {
		for id := range live {
			if !h.live.known[id] {
				h.live.returning[id] = true
			}
		}
	}
	maps.DeleteFunc(h.live.returning, func(id string, _ bool) bool { return !live[id] })
	h.live.known = live
	o.returning = maps.Clone(h.live.returning)
	if now.Sub(h.live.lastBalance) >= h.cfg.HeartbeatInterval {
		o.maxMoves = balanceMoves
	}
	return o
}

// assigned records, on the leader, that an assignment was written: which returning workers
// are still short of their share, and when units last moved towards them.
func (h *Herder) assigned(r assignResult) {
	now := h.clock()
	h.live.mu.Lock()
	defer h.live.mu.Unlock()
	maps.DeleteFunc(h.live.returning, func(id string, _ bool) bool { return !r.short[id] })
	if r.moved > 0 {
		h.live.lastBalance = now
	}
}

// notLeading forgets the leader's memory: a later leadership starts from what it sees then.
func (h *Herder) notLeading() {
	h.live.mu.Lock()
	defer h.live.mu.Unlock()
	h.live.known, h.live.returning, h.live.lastBalance = nil, nil, time.Time{}
	h.live.statusesChecked = nil
}

// leaderInfo names the current leader for GET / and GET /health, nil when none is known.
func (h *Herder) leaderInfo() *restapi.LeaderInfo {
	_, id := h.cluster().Leader()
	if id == "" {
		return nil
	}
	info := &restapi.LeaderInfo{NodeID: id}
	for _, w := range h.store.Workers() {
		if w.ID == id {
			info.RestURL = w.RestURL
		}
	}
	return info
}

// cutOffMessage explains GET /health's answer on a worker that stopped its work.
func cutOffMessage(lastSeen time.Time) string {
	return fmt.Sprintf("Worker was unable to handle this request and may be unable to handle other requests. It has not heard from the cluster leader since %s and has stopped its connectors and tasks; other workers take them over.",
		lastSeen.UTC().Format(time.RFC3339Nano))
}
