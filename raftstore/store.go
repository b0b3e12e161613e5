package raftstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"
	wal "github.com/hashicorp/raft-wal"
)

// Config configures a Store. Zero values mean the defaults documented on
// each field.
type Config struct {
	// Dir holds the Raft log (Dir/wal), snapshots (Dir/snapshots) and the
	// lock file (Dir/lock) that keeps a second process out. Required.
	Dir string
	// NodeID is this node's Raft server id (the worker id). Required.
	NodeID string
	// BindAddr is the TCP address Raft listens on ("127.0.0.1:0" picks a
	// free port). Empty means a single node on Raft's in-memory transport,
	// whose address is the node id.
	BindAddr string
	// AdvertiseAddr is the address peers dial, when it differs from the
	// listener's (for example BindAddr 0.0.0.0:7000).
	AdvertiseAddr string
	// NoBootstrap leaves a fresh node unbootstrapped, waiting to be added
	// to an existing cluster with AddVoter. By default a node whose Dir
	// holds no Raft state bootstraps a one-node cluster of itself; a node
	// with state just reopens it.
	NoBootstrap bool
	// Secret authenticates Raft connections: every TCP connection, inbound
	// and outbound, starts with a mutual challenge-response handshake in
	// which both ends prove they know it (see auth.go: authentication, not
	// encryption). Every node of a cluster has the same one. Required when
	// BindAddr is set; ignored for the in-memory single-node transport.
	Secret []byte
	// MaxVoters is the number of voters at most (default DefaultMaxVoters,
	// 5): Join adds further nodes as non-voters, which replicate the state
	// but do not vote, so writes do not wait for their fsyncs.
	MaxVoters int

	// Logger receives the store's log and, at RaftLogLevel and above,
	// Raft's. Default slog.Default().
	Logger *slog.Logger
	// RaftLogLevel is the lowest level of Raft's own messages that are
	// logged. Default slog.LevelWarn.
	RaftLogLevel slog.Leveler

	// HeartbeatTimeout, ElectionTimeout, LeaderLeaseTimeout and
	// CommitTimeout are Raft's timers for multi-node clusters (defaults
	// 1s, 1s, 500ms, 50ms, as in Raft). A node that is the only voter of
	// its cluster does not wait for them: it starts an election at once.
	HeartbeatTimeout   time.Duration
	ElectionTimeout    time.Duration
	LeaderLeaseTimeout time.Duration
	CommitTimeout      time.Duration

	// SnapshotThreshold is the number of new log entries after which Raft
	// takes a snapshot (checked every SnapshotInterval), and TrailingLogs
	// the number of entries kept behind a snapshot for slow followers.
	// Defaults 8192, 2m, 10240 (Raft's).
	SnapshotThreshold uint64
	SnapshotInterval  time.Duration
	TrailingLogs      uint64
	// SnapshotRetain is the number of snapshot files kept. Default 2.
	SnapshotRetain int

	// segmentSize overrides raft-wal's segment size (64 MiB), so tests can
	// fill several segments.
	segmentSize int
}

func (c *Config) setDefaults() error {
	if c.Dir == "" {
		return errors.New("config: Dir is required")
	}
	if c.NodeID == "" {
		return errors.New("config: NodeID is required")
	}
	if c.BindAddr != "" && len(c.Secret) == 0 {
		return errors.New("config: Secret is required when BindAddr is set: it authenticates Raft connections")
	}
	if c.MaxVoters <= 0 {
		c.MaxVoters = DefaultMaxVoters
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.RaftLogLevel == nil {
		c.RaftLogLevel = slog.LevelWarn
	}
	def := raft.DefaultConfig()
	setDur := func(p *time.Duration, d time.Duration) {
		if *p == 0 {
			*p = d
		}
	}
	setDur(&c.HeartbeatTimeout, def.HeartbeatTimeout)
	setDur(&c.ElectionTimeout, def.ElectionTimeout)
	setDur(&c.LeaderLeaseTimeout, def.LeaderLeaseTimeout)
	setDur(&c.CommitTimeout, def.CommitTimeout)
	setDur(&c.SnapshotInterval, def.SnapshotInterval)
	if c.SnapshotThreshold == 0 {
		c.SnapshotThreshold = def.SnapshotThreshold
	}
	if c.TrailingLogs == 0 {
		c.TrailingLogs = def.TrailingLogs
	}
	if c.SnapshotRetain == 0 {
		c.SnapshotRetain = 2
	}
	return nil
}

// Store is the replicated store of one node. Writes go through Apply on the
// leader; reads come from the local state. All methods are safe for
// concurrent use.
type Store struct {
	cfg   Config
	log   *slog.Logger
	fsm   *fsm
	raft  *raft.Raft
	wal   *wal.WAL
	trans raft.Transport
	lock  *dirLock // held from Open to Close: one process per Dir

	member membership // configuration changes and failing peers (membership.go)

	// readyTerm is the last term in which this node, as leader, saw a
	// barrier applied: from then on the local state holds every committed
	// entry.
	readyTerm atomic.Uint64

	// lifeMu guards closed and the start of every waiter goroutine, so
	// Close can wait for all of them.
	lifeMu  sync.RWMutex
	closed  bool
	waiters sync.WaitGroup
}

// Open opens (or creates) the store in cfg.Dir and starts Raft. It does not
// wait for a leader: call WaitForLeader before serving writes.
//
// Open fails with ErrInUse when another process has cfg.Dir open, and with
// ErrDamaged when the files cannot prove they hold every write the store
// acknowledged (a truncated or corrupt log, a corrupt snapshot, a gap
// between the newest snapshot and the log) or when cfg.NodeID is not a
// member of the cluster configuration they hold. It reads the whole log
// once to check it (about 70 ms for 20,000 entries).
func Open(cfg Config) (_ *Store, err error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, fmt.Errorf("raftstore: open: %w", err)
	}
	s := &Store{cfg: cfg, log: cfg.Logger.With("component", "raftstore", "node", cfg.NodeID), fsm: newFSM()}
	hlog := newHclogAdapter(cfg.Logger.With("node", cfg.NodeID), cfg.RaftLogLevel)

	// Undo what was opened if a later step fails.
	var closers []io.Closer
	defer func() {
		if err != nil {
			for _, c := range slices.Backward(closers) {
				c.Close()
			}
		}
	}()

	walDir := filepath.Join(cfg.Dir, "wal")
	if err := os.MkdirAll(walDir, 0o755); err != nil {
		return nil, fmt.Errorf("raftstore: open: create %s: %w", walDir, err)
	}
	// One process per directory, decided before raft-wal's own lock (which
	// blocks forever) and before reading files another process may be
	// writing.
	if s.lock, err = lockDir(cfg.Dir); err != nil {
		return nil, fmt.Errorf("raftstore: open: %w", err)
	}
	closers = append(closers, s.lock)

	// Refuse files that cannot prove they hold every acknowledged write
	// before raft-wal and Raft read them (see verify.go): raft-wal takes a
	// truncated segment for a torn write, and Raft panics on a log it
	// cannot read.
	began := time.Now()
	snap, err := verifySnapshots(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("raftstore: open: %w", err)
	}
	if err := verifyWALFiles(s.log, walDir, snap != nil); err != nil {
		return nil, fmt.Errorf("raftstore: open: %w", err)
	}
	s.wal, err = wal.Open(walDir, wal.WithLogger(hlog.Named("wal")),
		wal.WithSegmentSize(cmp.Or(cfg.segmentSize, wal.DefaultSegmentSize)))
	if err != nil {
		return nil, fmt.Errorf("raftstore: open wal in %s: %w", walDir, err)
	}
	closers = append(closers, s.wal)
	var snapIndex uint64
	if snap != nil {
		snapIndex = snap.meta.Index
	}
	lg, err := verifyLog(s.wal, walDir, snapIndex)
	if err != nil {
		return nil, fmt.Errorf("raftstore: open: %w", err)
	}
	term, err := s.wal.GetUint64([]byte("CurrentTerm")) // raft's key for its current term
	if err != nil {
		return nil, fmt.Errorf("raftstore: open: read current term in %s: %w", walDir, err)
	}
	if err := checkContinuity(cfg.Dir, cfg.NodeID, snap, lg, term, !cfg.NoBootstrap); err != nil {
		return nil, fmt.Errorf("raftstore: open: %w", err)
	}
	s.log.Debug("store files verified", "dir", cfg.Dir, "first_index", lg.first, "last_index", lg.last,
		"snapshot_index", snapIndex, "took", time.Since(began))

	snaps, err := raft.NewFileSnapshotStoreWithLogger(cfg.Dir, cfg.SnapshotRetain, hlog.Named("snapshot"))
	if err != nil {
		return nil, fmt.Errorf("raftstore: open snapshot store in %s: %w", cfg.Dir, err)
	}

	if cfg.BindAddr == "" {
		_, t := raft.NewInmemTransport(raft.ServerAddress(cfg.NodeID))
		s.trans = t
		closers = append(closers, t)
	} else {
		stream, err := newTCPStream(cfg.BindAddr, cfg.AdvertiseAddr)
		if err != nil {
			return nil, fmt.Errorf("raftstore: open transport: %w", err)
		}
		t := raft.NewNetworkTransportWithConfig(&raft.NetworkTransportConfig{
			Stream:  newAuthStream(stream, cfg.Secret, s.log),
			MaxPool: 3,
			Timeout: 10 * time.Second,
			Logger:  hlog.Named("transport"),
		})
		s.trans = t
		closers = append(closers, t)
	}

	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(cfg.NodeID)
	rc.Logger = hlog.Named("raft")
	rc.HeartbeatTimeout = cfg.HeartbeatTimeout
	rc.ElectionTimeout = cfg.ElectionTimeout
	rc.LeaderLeaseTimeout = cfg.LeaderLeaseTimeout
	rc.CommitTimeout = cfg.CommitTimeout
	rc.SnapshotThreshold = cfg.SnapshotThreshold
	rc.SnapshotInterval = cfg.SnapshotInterval
	rc.TrailingLogs = cfg.TrailingLogs
	rc.NoLegacyTelemetry = true
	if err := raft.ValidateConfig(rc); err != nil {
		return nil, fmt.Errorf("raftstore: open: raft config: %w", err)
	}

	existing, err := raft.HasExistingState(s.wal, s.wal, snaps)
	if err != nil {
		return nil, fmt.Errorf("raftstore: open: check existing state: %w", err)
	}
	if !existing && !cfg.NoBootstrap {
		conf := raft.Configuration{Servers: []raft.Server{{
			Suffrage: raft.Voter, ID: rc.LocalID, Address: s.trans.LocalAddr(),
		}}}
		if err := raft.BootstrapCluster(rc, s.wal, s.wal, snaps, s.trans, conf); err != nil {
			return nil, fmt.Errorf("raftstore: open: bootstrap: %w", err)
		}
		s.log.Info("bootstrapped single-node cluster", "addr", s.trans.LocalAddr())
	}

	s.raft, err = raft.NewRaft(rc, s.fsm, s.wal, s.wal, snaps, s.trans)
	if err != nil {
		return nil, fmt.Errorf("raftstore: open: start raft: %w", err)
	}
	s.registerObserver()
	if s.soleVoter() {
		s.kickElection()
	}
	s.log.Debug("opened", "dir", cfg.Dir, "addr", s.trans.LocalAddr(), "existing_state", existing)
	return s, nil
}

// soleVoter reports whether this node is the only voter of its cluster.
func (s *Store) soleVoter() bool {
	f := s.raft.GetConfiguration()
	if f.Error() != nil {
		return false
	}
	servers := f.Configuration().Servers
	return len(servers) == 1 && servers[0].ID == raft.ServerID(s.cfg.NodeID) && servers[0].Suffrage == raft.Voter
}

// kickElection makes a follower start an election now instead of after a
// heartbeat timeout. A node that is its own cluster has no leader to hear
// from, so waiting (1s by default) only delays start-up. Raft has no call
// for this; lowering the heartbeat timeout makes it re-arm the follower's
// timer at zero, and since the node never heard from a leader the timer
// fires an election. The timeout is set back at once: the pending timer
// has already been re-armed, and multi-node clusters grown later keep safe
// timeouts.
func (s *Store) kickElection() {
	orig := s.raft.ReloadableConfig()
	lower := orig
	lower.HeartbeatTimeout = max(orig.HeartbeatTimeout-time.Millisecond, s.cfg.LeaderLeaseTimeout)
	if lower.HeartbeatTimeout >= orig.HeartbeatTimeout {
		return // cannot lower it without breaking the lease ≤ heartbeat rule
	}
	if err := s.raft.ReloadConfig(lower); err != nil {
		s.log.Warn("cannot start election early", "err", err)
		return
	}
	if err := s.raft.ReloadConfig(orig); err != nil {
		s.log.Warn("cannot restore heartbeat timeout", "err", err)
	}
}

// Close shuts Raft down and closes the log. It waits for every goroutine
// the store started. Subscriber channels are closed. Calling Close again
// returns nil.
func (s *Store) Close() error {
	s.lifeMu.Lock()
	if s.closed {
		s.lifeMu.Unlock()
		return nil
	}
	s.closed = true
	s.lifeMu.Unlock()

	var errs []error
	s.deregisterObserver()
	// Shutdown waits for raft's goroutines and closes the transport.
	if err := s.raft.Shutdown().Error(); err != nil {
		errs = append(errs, fmt.Errorf("shutdown raft: %w", err))
	}
	// Pending futures resolve with ErrRaftShutdown once raft is down.
	s.waiters.Wait()
	if err := s.wal.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close wal: %w", err))
	}
	// Last, so no other process opens the files while they are in use.
	if err := s.lock.Close(); err != nil {
		errs = append(errs, fmt.Errorf("release lock: %w", err))
	}
	s.fsm.notify.close()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("raftstore: close: %w", err)
	}
	return nil
}

// await waits for a raft future, or for ctx. When ctx ends first the
// operation may still complete later.
func (s *Store) await(ctx context.Context, f raft.Future) error {
	if ctx.Done() == nil {
		return f.Error()
	}
	s.lifeMu.RLock()
	if s.closed {
		s.lifeMu.RUnlock()
		return ErrClosed
	}
	done := make(chan error, 1)
	s.waiters.Add(1)
	s.lifeMu.RUnlock()
	go func() {
		defer s.waiters.Done()
		done <- f.Error()
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Store) isClosed() bool {
	s.lifeMu.RLock()
	defer s.lifeMu.RUnlock()
	return s.closed
}

// raftErr turns a raft error into the store's sentinels.
func (s *Store) raftErr(op string, err error) error {
	switch {
	case errors.Is(err, raft.ErrNotLeader), errors.Is(err, raft.ErrLeadershipTransferInProgress):
		// While leadership is being handed over nothing is written: for the caller it is a
		// moment without a leader, and the write is retried on the next one.
		addr, id := s.raft.LeaderWithID()
		return fmt.Errorf("raftstore: %s: %w (leader %q at %q)", op, ErrNotLeader, id, addr)
	case errors.Is(err, raft.ErrRaftShutdown):
		return fmt.Errorf("raftstore: %s: %w", op, ErrClosed)
	default:
		return fmt.Errorf("raftstore: %s: %w", op, err)
	}
}

// timeoutOf is the time raft may wait to enqueue an operation: ctx's
// deadline, or no limit.
func timeoutOf(ctx context.Context) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		return max(time.Until(d), time.Millisecond)
	}
	return 0
}

// Apply writes cmds as one Raft log entry and returns one Result per
// command, in order, after the entry has been applied to the local state
// (so a read right after sees it). The error is for the batch as a whole:
// ErrNotLeader on a follower (nothing was written), ErrClosed, ErrInvalid
// for a command that cannot be encoded, and ErrLeadershipLost or a context
// error when the outcome is unknown (the entry may still be applied).
// Per-command failures are in Result.Err.
func (s *Store) Apply(ctx context.Context, cmds ...Command) ([]Result, error) {
	if len(cmds) == 0 {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("raftstore: apply: %w", err)
	}
	if s.isClosed() {
		return nil, fmt.Errorf("raftstore: apply: %w", ErrClosed)
	}
	data, err := encodeEntry(cmds)
	if err != nil {
		return nil, fmt.Errorf("raftstore: apply: %w", err)
	}
	return s.applyData(ctx, data)
}

// ApplyOne applies a single command and returns its result; the error is
// the batch error or else the command's own.
func (s *Store) ApplyOne(ctx context.Context, cmd Command) (Result, error) {
	rs, err := s.Apply(ctx, cmd)
	if err != nil {
		return Result{}, err
	}
	return rs[0], rs[0].Err
}

// NodeID returns this node's Raft server id.
func (s *Store) NodeID() string { return s.cfg.NodeID }

// Addr returns this node's Raft address (the node id on the in-memory
// transport).
func (s *Store) Addr() string { return string(s.trans.LocalAddr()) }

// IsLeader reports whether this node is the Raft leader.
func (s *Store) IsLeader() bool { return s.raft.State() == raft.Leader }

// Leader returns the current leader's Raft address and id, empty when none
// is known.
func (s *Store) Leader() (addr, id string) {
	a, i := s.raft.LeaderWithID()
	return string(a), string(i)
}

// WaitForLeader waits until a leader is known. When this node is the
// leader it also waits until every committed entry has been applied to the
// local state (after a restart raft re-applies the log that follows the
// last snapshot), so reads are complete when it returns.
func (s *Store) WaitForLeader(ctx context.Context) error {
	delay := 500 * time.Microsecond
	for {
		if s.isClosed() {
			return fmt.Errorf("raftstore: wait for leader: %w", ErrClosed)
		}
		_, id := s.raft.LeaderWithID()
		if id == raft.ServerID(s.cfg.NodeID) && s.raft.State() == raft.Leader {
			term := s.raft.CurrentTerm()
			if s.readyTerm.Load() == term {
				return nil
			}
			err := s.await(ctx, s.raft.Barrier(timeoutOf(ctx)))
			if err == nil {
				s.readyTerm.Store(term)
				return nil
			}
			if ctx.Err() != nil {
				return fmt.Errorf("raftstore: wait for leader: %w", ctx.Err())
			}
			// Leadership was lost during the barrier: wait for the next leader.
		} else if id != "" {
			return nil
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("raftstore: wait for leader: %w", ctx.Err())
		case <-t.C:
		}
		delay = min(delay*2, 20*time.Millisecond)
	}
}

// Server is a member of the Raft cluster.
type Server struct {
	ID      string
	Address string
	Voter   bool
	// Suffrage is SuffrageVoter ("voter") or SuffrageNonvoter
	// ("nonvoter").
	Suffrage string
}

// Servers returns the latest Raft cluster configuration.
func (s *Store) Servers() ([]Server, error) {
	f := s.raft.GetConfiguration()
	if err := f.Error(); err != nil {
		return nil, s.raftErr("servers", err)
	}
	var out []Server
	for _, srv := range f.Configuration().Servers {
		out = append(out, Server{ID: string(srv.ID), Address: string(srv.Address), Voter: srv.Suffrage == raft.Voter,
			Suffrage: suffrageName(srv.Suffrage)})
	}
	return out, nil
}

// AddVoter adds a voting node to the cluster (or updates its address). It
// must be called on the leader; the new node is opened with NoBootstrap.
func (s *Store) AddVoter(ctx context.Context, id, addr string) error {
	if s.isClosed() {
		return fmt.Errorf("raftstore: add voter %s: %w", id, ErrClosed)
	}
	f := s.raft.AddVoter(raft.ServerID(id), raft.ServerAddress(addr), 0, timeoutOf(ctx))
	if err := s.await(ctx, f); err != nil {
		return s.raftErr("add voter "+id, err)
	}
	return nil
}

// RemoveServer removes a node from the cluster. It must be called on the
// leader. When the node was a voter and non-voters exist, it then promotes
// one (Rebalance), so the cluster keeps MaxVoters voters; an error from
// that says the node was removed. A leader that removes itself steps down
// and promotes nobody: the next leader's Rebalance does.
func (s *Store) RemoveServer(ctx context.Context, id string) error {
	if s.isClosed() {
		return fmt.Errorf("raftstore: remove server %s: %w", id, ErrClosed)
	}
	s.member.changeMu.Lock()
	defer s.member.changeMu.Unlock()
	f := s.raft.RemoveServer(raft.ServerID(id), 0, timeoutOf(ctx))
	if err := s.await(ctx, f); err != nil {
		return s.raftErr("remove server "+id, err)
	}
	if id == s.cfg.NodeID || s.raft.State() != raft.Leader {
		return nil
	}
	if err := s.rebalanceLocked(ctx); err != nil {
		return fmt.Errorf("raftstore: remove server %s: removed, but: %w", id, err)
	}
	return nil
}

// Subscribe returns a channel that receives a signal after state changes
// (coalesced: one pending signal at most; also when this node's Raft state changes, e.g. it
// becomes leader) and a func that unsubscribes and
// closes the channel. The channel is also closed when the store closes.
// Subscribers re-read the state on each signal.
func (s *Store) Subscribe() (<-chan struct{}, func()) { return s.fsm.notify.subscribe() }

// Reads -----------------------------------------------------------------------

func (s *Store) read(fn func(st *State)) {
	s.fsm.mu.RLock()
	defer s.fsm.mu.RUnlock()
	fn(s.fsm.st)
}

// DesiredIndex is the log index of the last entry applied here that changed desired state:
// connector configs, target states, task configs, assignments, restart requests or workers.
// Status and offset writes leave it unchanged, so a reconciler that saw this index has
// nothing new to do.
func (s *Store) DesiredIndex() uint64 {
	var i uint64
	s.read(func(*State) { i = s.fsm.desiredIndex })
	return i
}

// Desired returns a deep copy of the desired state only: connectors (configs, targets, task
// configs), assignments, restart requests and workers. Statuses and offsets, which grow with
// tasks and partitions, are left empty; its cost does not grow with them.
func (s *Store) Desired() *State {
	var out *State
	s.read(func(st *State) { out = st.CloneDesired() })
	return out
}

// Snapshot returns a deep copy of the whole local state. Its Index is the
// log index of the last applied entry.
func (s *Store) Snapshot() *State {
	var out *State
	s.read(func(st *State) { out = st.Clone() })
	return out
}

// LastIndex returns the Raft log index of the last entry applied to the
// local state.
func (s *Store) LastIndex() uint64 {
	var i uint64
	s.read(func(st *State) { i = st.Index })
	return i
}

// Connector returns a copy of one connector's state.
func (s *Store) Connector(name string) (ConnectorState, bool) {
	var c ConnectorState
	var ok bool
	s.read(func(st *State) {
		c, ok = st.Connectors[name]
		c = c.clone()
	})
	return c, ok
}

// ConnectorNames returns the connector names in sorted order.
func (s *Store) ConnectorNames() []string {
	var out []string
	s.read(func(st *State) { out = st.ConnectorNames() })
	return out
}

// Statuses returns the statuses of a connector and its tasks.
func (s *Store) Statuses(connector string) ConnectorStatuses {
	var out ConnectorStatuses
	s.read(func(st *State) { out = st.StatusesOf(connector) })
	return out
}

// Assignments returns a copy of the whole assignment.
func (s *Store) Assignments() Assignments {
	var out Assignments
	s.read(func(st *State) {
		out = Assignments{Connectors: maps.Clone(st.ConnectorAssignments), Tasks: maps.Clone(st.TaskAssignments)}
	})
	return out
}

// Offsets returns a connector's source offsets sorted by partition key.
func (s *Store) Offsets(connector string) []OffsetEntry {
	var out []OffsetEntry
	s.read(func(st *State) { out = st.OffsetsOf(connector) })
	return out
}

// Offset returns the offset stored for one source partition (any JSON
// spelling of it), or ok false when there is none.
func (s *Store) Offset(connector string, partition json.RawMessage) (offset json.RawMessage, ok bool, err error) {
	key, err := canonicalJSON(partition)
	if err != nil {
		return nil, false, fmt.Errorf("raftstore: offset of %q: partition: %w", connector, err)
	}
	s.read(func(st *State) {
		var o json.RawMessage
		o, ok = st.Offsets[connector][string(key)]
		offset = slices.Clone(o)
	})
	return offset, ok, nil
}

// Workers returns the registered workers sorted by id.
func (s *Store) Workers() []WorkerInfo {
	var out []WorkerInfo
	s.read(func(st *State) {
		for _, id := range slices.Sorted(maps.Keys(st.Workers)) {
			out = append(out, st.Workers[id])
		}
	})
	return out
}

// PendingRestarts returns the latest restart request of each connector,
// sorted by sequence number.
func (s *Store) PendingRestarts() []RestartRequest {
	var out []RestartRequest
	s.read(func(st *State) {
		out = slices.SortedFunc(maps.Values(st.Restarts), func(a, b RestartRequest) int {
			return cmp.Compare(a.Seq, b.Seq)
		})
	})
	return out
}
