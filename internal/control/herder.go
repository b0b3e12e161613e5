// Package control is raftconnect's control plane: it decides what runs where. It serves the
// REST API's herder (connector configs, statuses, restarts, offsets, plugins and validation),
// reconciles the desired state in the Raft store with what the runtime (internal/runtime)
// runs on this worker, does the leader's duties (assignments), executes restart requests, and
// writes every store update of the worker through one writer. Plugins never import it.
package control

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/raftconnect/raftconnect/internal/runtime"
	"github.com/raftconnect/raftconnect/internal/workerconfig"
	"github.com/raftconnect/raftconnect/raftstore"
	"github.com/raftconnect/raftconnect/restapi"
)

var _ restapi.Herder = (*Herder)(nil)

// Options configure a Herder.
type Options struct {
	Config *workerconfig.Config
	Store  *raftstore.Store
	// WorkerID is the advertised host:port shown as worker_id in statuses.
	WorkerID string
	// RestURL is the advertised REST URL other workers use.
	RestURL string
	Logger  *slog.Logger
	// Version and Commit are reported by GET /.
	Version string
	Commit  string
	// Join lists the REST addresses (host:port or URLs) of members to ask to add this
	// worker when its store holds no cluster yet. Default Config.ClusterJoin; the caller adds
	// the members a worker knew when it left (LeftCluster).
	Join []string
}

// Herder is the control plane of one worker: the REST API's herder and the reconciler of
// what this worker's runtime runs.
type Herder struct {
	cfg     *workerconfig.Config
	store   *raftstore.Store
	id      string // worker_id (host:port)
	node    string // Raft node id, the key of assignments
	restURL string
	log     *slog.Logger
	version string
	commit  string
	started time.Time
	ready   atomic.Bool
	kick    chan struct{}
	// limit rate-limits log lines that repeat per retry, across all of this worker's tasks.
	limit *runtime.LogLimiter

	writer *storeWriter
	// peers sends signed requests to other workers (forwarded writes, join, leave); nil
	// without a cluster secret, for a one-node worker.
	peers   *peerClient
	join    []string // REST addresses to join through (Options.Join)
	topics  *topicTracker
	rt      *runtime.Runtime
	clients *runtime.Clients

	// mu guards restartSeq: the reconcile loop advances it, REST requests wait for it.
	mu         sync.Mutex
	restartSeq uint64
	restarted  *sync.Cond // signalled when restartSeq advances

	clusterMu    sync.Mutex
	clusterID    string
	clusterKnown chan struct{} // closed once clusterID is set

	// live is what liveness.go remembers of the cluster's health; its zero value is ready.
	live liveness
}

// New returns the control plane of a worker, with the runtime it drives; Run starts both.
func New(o Options) *Herder {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	h := &Herder{
		cfg: o.Config, store: o.Store, id: o.WorkerID, node: o.Store.NodeID(), restURL: o.RestURL,
		log: o.Logger, version: o.Version, commit: o.Commit, started: time.Now(),
		kick:         make(chan struct{}, 1),
		limit:        runtime.NewLogLimiter(logRepeatInterval),
		clusterKnown: make(chan struct{}),
	}
	h.restarted = sync.NewCond(&h.mu)
	if o.Config.ClusterSecret != "" {
		h.peers = newPeerClient([]byte(o.Config.ClusterSecret), h.node)
	}
	h.join = o.Join
	if h.join == nil {
		h.join = o.Config.ClusterJoin
	}
	h.writer = newStoreWriter(o.Store, h.peers, o.WorkerID, o.Logger, h.limit)
	h.topics = newTopicTracker(o.Config.TopicTracking)
	h.rt = runtime.New(runtime.Options{
		Config: o.Config, Node: h.node, Logger: o.Logger, Limiter: h.limit,
		Reporter: reporter{h.writer, h.topics},
		// A unit that stopped may free an assignment the leader kept for it (keepStopping).
		OnStopped: h.trigger,
	})
	h.topics.rt = h.rt
	h.clients = h.rt.Clients()
	return h
}

// reporter is what the runtime reports through: store reads and writes go to the writer,
// topics to the tracker.
type reporter struct {
	*storeWriter
	*topicTracker
}

var _ runtime.Reporter = reporter{}

// logRepeatInterval is how often a repeating log line (a retry's) is logged at most.
const logRepeatInterval = 30 * time.Second

// Ready reports whether the worker has completed its first reconciliation.
func (h *Herder) Ready() bool { return h.ready.Load() }

// Run reconciles until ctx is done, then stops every connector and task within
// task.shutdown.graceful.timeout.ms and returns.
func (h *Herder) Run(ctx context.Context) error {
	statusDone := make(chan struct{})
	go func() {
		defer close(statusDone)
		h.writer.run()
	}()
	defer func() {
		h.writer.close()
		<-statusDone
	}()

	lookupDone := make(chan struct{})
	go func() {
		defer close(lookupDone)
		h.lookupClusterID(ctx)
	}()
	defer func() { <-lookupDone }()
	if h.peers != nil {
		defer h.peers.close()
	}

	if h.needsJoin() {
		if err := h.joinCluster(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
	if err := h.store.WaitForLeader(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("waiting for the Raft store: %w", err)
	}
	// Every start registers (a follower through the leader): a worker that rejoined after a
	// leave, or whose REST URL changed, is known again with its current addresses.
	if err := h.writer.registerWorker(ctx, raftstore.RegisterWorker{ID: h.node, RestURL: h.restURL, RaftAddr: h.store.Addr()}); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("registering worker %s: %w", h.node, err)
	}
	h.mu.Lock()
	h.restartSeq = h.store.Snapshot().RestartSeq
	h.mu.Unlock()

	changes, unsubscribe := h.store.Subscribe()
	defer unsubscribe()
	// Every heartbeat interval: the leader notices dead workers and a cut-off follower fences
	// itself even when no store change arrives.
	heal := time.NewTicker(h.cfg.HeartbeatInterval)
	defer heal.Stop()

	seen, wasLeader := h.store.DesiredIndex(), h.store.IsLeader()
	h.reconcile(ctx)
	h.ready.Store(true)
	h.log.Info("worker started", "worker_id", h.id, "node", h.node, "startup", time.Since(h.started).Round(time.Millisecond))
	for {
		select {
		case <-ctx.Done():
			h.shutdown()
			// The UNASSIGNED statuses are written before this worker leaves the cluster.
			h.writer.close()
			h.leave()
			return nil
		case _, ok := <-changes:
			if !ok {
				changes = nil // the store closed under us; the ticker still drives shutdown paths
				break
			}
			if h.store.DesiredIndex() == seen && h.store.IsLeader() == wasLeader {
				// Only statuses or offsets were written: nothing to start, stop or assign. Most
				// writes are these, and at 1,000 connectors a pass costs every worker ~24 ms of
				// CPU; the ticker still runs liveness and leader duties.
				continue
			}
		case <-h.kick:
		case <-heal.C:
		}
		seen, wasLeader = h.store.DesiredIndex(), h.store.IsLeader()
		h.reconcile(ctx)
	}
}

// trigger asks the reconcile loop for another pass.
func (h *Herder) trigger() {
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// fence is the fence of a unit assigned to this worker at epoch.
func (h *Herder) fence(epoch uint64) runtime.Fence {
	return runtime.Fence{Worker: h.node, Epoch: epoch}
}

// putStatus records a state change the control plane decided (RESTARTING, UNASSIGNED).
func (h *Herder) putStatus(connector string, task *int, state string, fence runtime.Fence) {
	h.writer.PutStatus(runtime.Status{Connector: connector, Task: task, State: state, Fence: fence})
}

// kafkaConnectVersion is the Kafka Connect version whose REST API this worker serves
// (../shared/connect-rest-spec.md is Kafka 4.0's). GET / reports it as "version", because
// clients such as kcctl enable features by that number; raftconnect's own version is in
// "commit".
const kafkaConnectVersion = "4.0.0"

// ServerInfo implements restapi.Herder.
func (h *Herder) ServerInfo(ctx context.Context) (restapi.ServerInfo, error) {
	return restapi.ServerInfo{
		Version:        kafkaConnectVersion,
		Commit:         h.buildName(),
		KafkaClusterID: h.kafkaClusterID(ctx),
		Leader:         h.leaderInfo(),
	}, nil
}

// buildName is raftconnect's own version and commit, as GET / reports them in "commit".
func (h *Herder) buildName() string {
	if h.commit == "" {
		return "raftconnect " + h.version
	}
	return fmt.Sprintf("raftconnect %s (%s)", h.version, h.commit)
}

// Health implements restapi.Herder.
func (h *Herder) Health(ctx context.Context) (restapi.WorkerStatus, int) {
	if !h.Ready() {
		return restapi.WorkerStatus{Status: "starting", Message: fmt.Sprintf("Worker is still starting up. The worker is currently joining the Raft cluster and starting connectors, which began at %s.", h.started.UTC().Format(time.RFC3339Nano))}, http.StatusServiceUnavailable
	}
	if cut, lastSeen := h.isCutOff(); cut {
		return restapi.WorkerStatus{Status: "unhealthy", Message: cutOffMessage(lastSeen)}, http.StatusInternalServerError
	}
	if err := h.store.WaitForLeader(ctx); err != nil {
		return restapi.WorkerStatus{Status: "unhealthy", Message: "Worker was unable to handle this request and may be unable to handle other requests. No Raft leader is known: " + err.Error()}, http.StatusInternalServerError
	}
	return restapi.WorkerStatus{Status: "healthy", Message: "Worker has completed startup and is ready to handle requests.", Leader: h.leaderInfo()}, http.StatusOK
}
