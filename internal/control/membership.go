package control

// Membership: a new worker joins the cluster through cluster.join, and a worker that stops
// cleanly leaves it, so its work moves at once instead of after cluster.failure.timeout.ms.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

var (
	// joinTimeout bounds how long a new worker asks the join addresses before it gives up
	// (a variable for tests).
	joinTimeout = 60 * time.Second
	// leaveTimeout bounds a clean leave at shutdown: handing over leadership and asking the
	// leader to remove this worker.
	leaveTimeout = 15 * time.Second
)

// leftFile, in data.dir, records that this worker left its cluster cleanly, and the REST
// addresses of the members it knew. Its Raft files are then of no use (the cluster no longer
// counts it as a member, and Raft would refuse to run on them), so the next start removes
// them and joins again through those members: a worker restarted after a clean stop comes
// back by itself, even one that has no cluster.join (the cluster's first worker).
const leftFile = "cluster-left.json"

type leftRecord struct {
	Node  string   `json:"node"`
	Peers []string `json:"peers"`
}

// LeftCluster reports whether the worker whose data directory is dataDir left its cluster at
// its last clean stop, and the REST addresses of the members it knew then. The caller removes
// the Raft files, opens the store with NoBootstrap and passes the addresses in Options.Join.
func LeftCluster(dataDir string) (peers []string, left bool, err error) {
	b, err := os.ReadFile(filepath.Join(dataDir, leftFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading the record of this worker's clean leave: %w", err)
	}
	var rec leftRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, false, fmt.Errorf("the record of this worker's clean leave %s is damaged (remove it and the raft directory, and set cluster.join): %w",
			filepath.Join(dataDir, leftFile), err)
	}
	return rec.Peers, true, nil
}

// needsJoin reports whether this worker must ask the cluster to add it: it has join addresses
// and its store holds no cluster yet (first start, or after a clean leave).
func (h *Herder) needsJoin() bool {
	if len(h.join) == 0 || h.peers == nil {
		return false
	}
	servers, err := h.store.Servers()
	return err == nil && len(servers) == 0
}

// joinCluster asks each join address in turn to add this worker, with backoff, until one
// does or joinTimeout passes.
func (h *Herder) joinCluster(ctx context.Context) error {
	body, _ := json.Marshal(joinRequest{NodeID: h.node, RaftAddr: h.store.Addr(), RestURL: h.restURL})
	ctx, cancel := context.WithTimeout(ctx, joinTimeout)
	defer cancel()
	delay := 200 * time.Millisecond
	var last error
	for {
		for _, addr := range h.join {
			actx, acancel := context.WithTimeout(ctx, 10*time.Second)
			status, _, b, err := h.peers.post(actx, addr, pathJoin, body, false)
			acancel()
			if err == nil && status == http.StatusOK {
				var resp joinResponse
				_ = json.Unmarshal(b, &resp)
				h.log.Info("joined the cluster", "through", addr, "voter", resp.Voter)
				if err := os.Remove(filepath.Join(h.cfg.DataDir, leftFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
					h.log.Warn("cannot remove the record of the last clean leave", "error", err)
				}
				return nil
			}
			if err == nil {
				err = refusal(addr, status, b)
				if isAuthRefusal(err) {
					return fmt.Errorf("joining the cluster: %w; every worker of a cluster needs the same cluster.secret", err)
				}
			}
			last = err
			h.log.Debug("join attempt failed", "through", addr, "error", err)
			if ctx.Err() != nil {
				break
			}
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("joining the cluster through cluster.join (%s): no worker added this one within %s: %w",
					strings.Join(h.join, ", "), joinTimeout, last)
			}
			return ctx.Err()
		case <-t.C:
		}
		delay = min(delay*2, 5*time.Second)
	}
}

// leave removes this worker from the cluster at a clean stop, after its connectors and tasks
// stopped: the leader reassigns them at once. A leader hands over leadership first and leaves
// through the new leader. The only member of a cluster stays: there is nobody to hand the
// state to. Failing to leave is not an error of the stop: the leader's failure detection
// reassigns the work after cluster.failure.timeout.ms instead.
func (h *Herder) leave() {
	if h.peers == nil {
		return
	}
	servers, err := h.store.Servers()
	if err != nil || len(servers) <= 1 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), leaveTimeout)
	defer cancel()
	if h.store.IsLeader() {
		if err := h.store.TransferLeadership(ctx); err != nil {
			h.log.Warn("cannot hand over leadership at shutdown; the other workers elect a new leader and take over this worker's work after cluster.failure.timeout.ms", "error", err)
			return
		}
	}
	// Remember the members before leaving: once removed, this worker hears nothing more.
	var peers []string
	for _, wk := range h.store.Workers() {
		if wk.ID != h.node && wk.RestURL != "" {
			peers = append(peers, wk.RestURL)
		}
	}
	for _, a := range h.join {
		if !slices.Contains(peers, peerURL(a)) && !slices.Contains(peers, peerURL(a)+"/") {
			peers = append(peers, a)
		}
	}
	body, _ := json.Marshal(leaveRequest{NodeID: h.node})
	delay := 20 * time.Millisecond
	var last error = errNoLeader
	for {
		if url, ok := leaderURL(h.store); ok {
			status, _, b, err := h.peers.post(ctx, url, pathLeave, body, false)
			if err == nil && status == http.StatusOK {
				break
			}
			if err == nil && status == http.StatusConflict && strings.Contains(string(b), stayMemberPrefix) {
				// The leader handed this worker's work over but keeps it in Raft, for the
				// cluster's majority: it restarts on its own files, with no leave record.
				h.log.Info("stopped without leaving Raft: the cluster needs this worker's vote", "answer", refusal(url, status, b).msg)
				return
			}
			if err == nil {
				err = refusal(url, status, b)
				if isAuthRefusal(err) {
					h.log.Warn("cannot leave the cluster", "error", err)
					return
				}
			}
			last = err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			h.log.Warn("cannot leave the cluster at shutdown; the leader takes over this worker's work after cluster.failure.timeout.ms", "error", last)
			return
		case <-t.C:
		}
		delay = min(delay*2, 500*time.Millisecond)
	}
	rec, _ := json.Marshal(leftRecord{Node: h.node, Peers: peers})
	if err := writeFileAtomic(filepath.Join(h.cfg.DataDir, leftFile), rec); err != nil {
		h.log.Warn("left the cluster, but cannot record it; the next start fails until the raft directory is removed and cluster.join is set", "error", err)
		return
	}
	h.log.Info("left the cluster", "members", len(servers)-1)
}

// writeFileAtomic writes a small file so that a crash leaves the old content or the new one.
func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
