package control

// The internal HTTP API: what workers ask each other, served under /internal/ on the REST
// listener (cmd/worker routes it before restapi). Every request is signed with the cluster
// secret (peerauth.go).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/raftconnect/raftconnect/raftstore"
	"github.com/raftconnect/raftconnect/restapi"
)

// internalTimeout bounds the work of one internal request on the receiving worker; the sender's
// context usually ends it sooner.
const internalTimeout = 30 * time.Second

// taskRestarter restarts a task this worker runs, without forwarding (Herder.restartLocalTask):
// two workers that disagree for a moment about the owner cannot bounce a request between them.
type taskRestarter interface {
	restartLocalTask(ctx context.Context, connector string, task int) error
}

// internalHandler serves the internal API of one worker.
type internalHandler struct {
	h       *Herder
	signer  *peerSigner // nil: clustering is off (no cluster.secret), every request is refused
	restart taskRestarter
	log     *slog.Logger
}

// InternalHandler returns the handler of the internal worker-to-worker API, to be mounted at
// /internal/ in front of the REST API. Without a cluster secret it refuses every request.
func (h *Herder) InternalHandler() http.Handler {
	ih := &internalHandler{h: h, restart: h, log: h.log}
	if h.peers != nil {
		ih.signer = h.peers.signer
	}
	return ih
}

func (ih *internalHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if ih.signer == nil {
		writeInternalError(w, http.StatusNotFound, "This worker is not part of a cluster (no cluster.secret): it has no internal API.")
		return
	}
	var serve func(context.Context, http.ResponseWriter, *http.Request, []byte)
	switch r.URL.Path {
	case pathApply:
		serve = ih.apply
	case pathJoin:
		serve = ih.join
	case pathLeave:
		serve = ih.leave
	case pathRestartTask:
		serve = ih.restartTask
	default:
		writeInternalError(w, http.StatusNotFound, "Unknown internal endpoint "+r.URL.Path)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeInternalError(w, http.StatusMethodNotAllowed, "HTTP method "+r.Method+" is not supported for "+r.URL.Path)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInternalBody))
	if err != nil {
		writeInternalError(w, http.StatusBadRequest, "Cannot read the request body: "+err.Error())
		return
	}
	if err := ih.signer.verify(r, body); err != nil {
		var ae *peerAuthError
		errors.As(err, &ae)
		// The sender's node id is its claim only; the remote address is what we know.
		ih.h.limit.Log(ih.log, slog.LevelWarn, "refused an internal request", "path", r.URL.Path,
			"remote", r.RemoteAddr, "claimed_node", r.Header.Get(headerNode), "reason", ae.msg)
		writeInternalError(w, ae.status, ae.msg)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), internalTimeout)
	defer cancel()
	serve(ctx, w, r, body)
}

// apply applies a batch a follower forwarded. A worker that is not the leader answers 409,
// and the sender looks for the leader again; it writes nothing then.
func (ih *internalHandler) apply(ctx context.Context, w http.ResponseWriter, _ *http.Request, body []byte) {
	store := ih.h.store
	if !store.IsLeader() {
		writeInternalError(w, http.StatusConflict, "not the leader")
		return
	}
	res, err := store.ApplyEncoded(ctx, body)
	if errors.Is(err, raftstore.ErrNotLeader) {
		writeInternalError(w, http.StatusConflict, "not the leader")
		return
	}
	if err != nil {
		status := http.StatusServiceUnavailable
		if errors.Is(err, raftstore.ErrInvalid) || errors.Is(err, raftstore.ErrUnknownCommand) {
			status = http.StatusBadRequest
		}
		w.Header().Set(headerStoreError, "1")
		writeInternalBody(w, status, raftstore.EncodeError(err))
		return
	}
	b, err := raftstore.EncodeResults(res)
	if err != nil {
		writeInternalError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeInternalBody(w, http.StatusOK, b)
}

// joinRequest asks the leader to add a worker to the cluster.
type joinRequest struct {
	NodeID   string `json:"node_id"`
	RaftAddr string `json:"raft_addr"`
	RestURL  string `json:"rest_url"`
}

type joinResponse struct {
	Voter bool `json:"voter"`
}

type leaveRequest struct {
	NodeID string `json:"node_id"`
}

// join adds a worker to the Raft cluster and registers it. A follower forwards the request to
// the leader, so a new worker may name any member in cluster.join.
func (ih *internalHandler) join(ctx context.Context, w http.ResponseWriter, r *http.Request, body []byte) {
	var req joinRequest
	if err := json.Unmarshal(body, &req); err != nil || req.NodeID == "" || req.RaftAddr == "" ||
		!(strings.HasPrefix(req.RestURL, "http://") || strings.HasPrefix(req.RestURL, "https://")) {
		writeInternalError(w, http.StatusBadRequest, "A join request needs node_id, raft_addr and an http(s) rest_url")
		return
	}
	store := ih.h.store
	if !store.IsLeader() {
		ih.toLeader(ctx, w, r, body)
		return
	}
	voter, err := store.Join(ctx, req.NodeID, req.RaftAddr)
	switch {
	case errors.Is(err, raftstore.ErrNotLeader):
		ih.toLeader(ctx, w, r, body)
		return
	case errors.Is(err, raftstore.ErrAlreadyExists):
		writeInternalError(w, http.StatusConflict, fmt.Sprintf("Cannot add worker %s: %v", req.NodeID, err))
		return
	case err != nil:
		writeInternalError(w, http.StatusServiceUnavailable, fmt.Sprintf("Cannot add worker %s to the Raft cluster: %v", req.NodeID, err))
		return
	}
	// The worker registers itself once it runs, too; registering now lets it take work at once.
	if res, err := ih.h.writer.write(ctx, raftstore.RegisterWorker{ID: req.NodeID, RestURL: req.RestURL, RaftAddr: req.RaftAddr}); err != nil || res[0].Err != nil {
		ih.log.Warn("a joining worker was added to Raft but not registered yet; it registers itself when it starts", "node", req.NodeID, "error", errors.Join(err, firstErr(res)))
	}
	kind := "voter"
	if !voter {
		kind = "non-voter"
	}
	ih.log.Info("worker joined the cluster", "node", req.NodeID, "raft_addr", req.RaftAddr, "rest_url", req.RestURL, "as", kind)
	b, _ := json.Marshal(joinResponse{Voter: voter})
	writeInternalBody(w, http.StatusOK, b)
}

// leave removes a worker that is shutting down: its registration first, so its connectors
// and tasks are reassigned at once, then its Raft membership. The leader hands over
// leadership before it leaves, so it never removes itself here.
func (ih *internalHandler) leave(ctx context.Context, w http.ResponseWriter, r *http.Request, body []byte) {
	var req leaveRequest
	if err := json.Unmarshal(body, &req); err != nil || req.NodeID == "" {
		writeInternalError(w, http.StatusBadRequest, "A leave request needs node_id")
		return
	}
	store := ih.h.store
	if !store.IsLeader() {
		ih.toLeader(ctx, w, r, body)
		return
	}
	if req.NodeID == store.NodeID() {
		writeInternalError(w, http.StatusConflict, "The leader cannot remove itself; it transfers leadership first")
		return
	}
	res, err := ih.h.writer.write(ctx, raftstore.RemoveWorker{ID: req.NodeID})
	if errors.Is(err, raftstore.ErrNotLeader) {
		ih.toLeader(ctx, w, r, body)
		return
	}
	if err == nil && res[0].Err != nil && !errors.Is(res[0].Err, raftstore.ErrNotFound) {
		err = res[0].Err
	}
	if err == nil {
		if why := quorumAfterRemoval(store, req.NodeID); why != "" {
			// Its work is reassigned (RemoveWorker above), but it stays a Raft member: a
			// restart on its own files then restores the majority, where a rejoin could not.
			ih.log.Warn("worker stops but stays a Raft member", "node", req.NodeID, "reason", why)
			writeInternalError(w, http.StatusConflict, fmt.Sprintf("%s %s: %s", stayMemberPrefix, req.NodeID, why))
			return
		}
		err = store.RemoveServer(ctx, req.NodeID)
	}
	if err != nil {
		writeInternalError(w, http.StatusServiceUnavailable, fmt.Sprintf("Cannot remove worker %s: %v", req.NodeID, err))
		return
	}
	ih.log.Info("worker left the cluster", "node", req.NodeID)
	writeInternalBody(w, http.StatusOK, []byte("{}"))
}

// toLeader relays a join or leave to the leader and its answer back.
func (ih *internalHandler) toLeader(ctx context.Context, w http.ResponseWriter, r *http.Request, body []byte) {
	if r.Header.Get(headerForwarded) != "" {
		writeInternalError(w, http.StatusConflict, "not the leader")
		return
	}
	url, ok := leaderURL(ih.h.store)
	if !ok {
		writeInternalError(w, http.StatusServiceUnavailable, "No Raft leader is known yet; try again")
		return
	}
	status, hdr, b, err := ih.h.peers.post(ctx, url, r.URL.Path, body, true)
	if err != nil {
		writeInternalError(w, http.StatusServiceUnavailable, fmt.Sprintf("Cannot reach the Raft leader: %v", err))
		return
	}
	if ct := hdr.Get("Content-Type"); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	writeInternalBody(w, status, b)
}

// restartTaskRequest asks the worker that runs a task to restart it.
type restartTaskRequest struct {
	Connector string `json:"connector"`
	Task      *int   `json:"task"`
}

func (ih *internalHandler) restartTask(ctx context.Context, w http.ResponseWriter, _ *http.Request, body []byte) {
	var req restartTaskRequest
	if err := json.Unmarshal(body, &req); err != nil || req.Connector == "" || req.Task == nil {
		writeInternalError(w, http.StatusBadRequest, "A task restart request needs connector and task")
		return
	}
	if err := ih.restart.restartLocalTask(ctx, req.Connector, *req.Task); err != nil {
		var e *restapi.Error
		if errors.As(err, &e) {
			writeInternalError(w, e.Status, e.Message)
			return
		}
		writeInternalError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeInternalBody(w, http.StatusOK, []byte("{}"))
}

func firstErr(res []raftstore.Result) error {
	if len(res) == 0 {
		return nil
	}
	return res[0].Err
}

// writeInternalError answers Kafka's error body.
func writeInternalError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(restapi.ErrorMessage{ErrorCode: status, Message: msg})
	writeInternalBody(w, status, b)
}

func writeInternalBody(w http.ResponseWriter, status int, b []byte) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// stayMemberPrefix starts the answer to a leave that keeps the worker a Raft member.
const stayMemberPrefix = "Worker stays a Raft member:"

// voterView is what quorumAfterRemoval reads of the store.
type voterView interface {
	Servers() ([]raftstore.Server, error)
	FailingPeers() map[string]time.Time
}

// quorumAfterRemoval explains why removing node from Raft now would leave the cluster without
// a healthy majority of voters (some voters' heartbeats are failing), or returns "".
func quorumAfterRemoval(store voterView, node string) string {
	servers, err := store.Servers()
	if err != nil {
		return ""
	}
	failing := store.FailingPeers()
	voters, healthy := 0, 0
	var down []string
	for _, s := range servers {
		if !s.Voter || s.ID == node {
			continue
		}
		voters++
		if _, bad := failing[s.ID]; bad {
			down = append(down, s.ID)
		} else {
			healthy++
		}
	}
	if voters == 0 || healthy > voters/2 {
		return ""
	}
	return fmt.Sprintf("removing it would leave %d healthy of %d voters (not answering: %s)", healthy, voters, strings.Join(down, ", "))
}
