package control

// Internal requests to other workers, and forwarding store writes to the Raft leader.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/raftconnect/raftconnect/raftstore"
	"github.com/raftconnect/raftconnect/restapi"
)

// Paths of the internal API (served under /internal/ on the REST listener).
const (
	pathApply       = "/internal/store/apply"
	pathJoin        = "/internal/cluster/join"
	pathLeave       = "/internal/cluster/leave"
	pathRestartTask = "/internal/tasks/restart"

	// headerForwarded marks a join or leave a follower forwarded to the leader: a worker that
	// receives one and is not the leader answers 409 instead of forwarding it again, so two
	// workers with different ideas of the leader cannot bounce a request between them.
	headerForwarded = "X-Raftconnect-Forwarded"
	// headerStoreError marks an answer whose body is raftstore.EncodeError's: the batch failed
	// on the leader.
	headerStoreError = "X-Raftconnect-Store-Error"

	// maxInternalBody bounds internal request and answer bodies (a batch of task configs or
	// offsets is far smaller).
	maxInternalBody = 32 << 20
)

// peerClient sends signed internal requests to other workers. Its connection pool is bounded
// per worker, every dial and answer has a timeout, and it never goes through a proxy.
type peerClient struct {
	signer    *peerSigner
	transport *http.Transport
	client    *http.Client
}

func newPeerClient(secret []byte, node string) *peerClient {
	t := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   16,
		MaxConnsPerHost:       32, // 100 concurrent REST writes on a follower queue here, not in the leader's accept queue
		IdleConnTimeout:       60 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &peerClient{signer: newPeerSigner(secret, node), transport: t,
		// The overall timeout is a backstop: callers bound each call with their context.
		client: &http.Client{Transport: t, Timeout: 90 * time.Second}}
}

// close drops idle connections.
func (c *peerClient) close() { c.transport.CloseIdleConnections() }

// peerCallError is an internal request that got no answer.
type peerCallError struct {
	url string
	err error
	// dial is set when no connection was made: the request was not sent.
	dial bool
}

func (e *peerCallError) Error() string { return fmt.Sprintf("calling worker at %s: %v", e.url, e.err) }
func (e *peerCallError) Unwrap() error { return e.err }

// remoteRefusal is an error answer of another worker.
type remoteRefusal struct {
	url    string
	status int
	msg    string
}

func (e *remoteRefusal) Error() string {
	return fmt.Sprintf("worker at %s answered %d: %s", e.url, e.status, e.msg)
}

// peerURL turns a REST address (host:port, or a URL as registered) into a base URL.
func peerURL(addr string) string {
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	return strings.TrimRight(addr, "/")
}

// post sends a signed POST of body to base+path and returns the answer's status, headers and
// body. An error means there was no answer (a *peerCallError).
func (c *peerClient) post(ctx context.Context, base, path string, body []byte, forwarded bool) (int, http.Header, []byte, error) {
	url := peerURL(base) + path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, &peerCallError{url: url, err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	if forwarded {
		req.Header.Set(headerForwarded, "1")
	}
	c.signer.sign(req, body)
	resp, err := c.client.Do(req)
	if err != nil {
		var op *net.OpError
		return 0, nil, nil, &peerCallError{url: url, err: err, dial: errors.As(err, &op) && op.Op == "dial"}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxInternalBody))
	if err != nil {
		return 0, nil, nil, &peerCallError{url: url, err: fmt.Errorf("reading the answer: %w", err)}
	}
	return resp.StatusCode, resp.Header, b, nil
}

// refusal turns an error answer into an error with the other worker's message.
func refusal(base string, status int, body []byte) *remoteRefusal {
	var m restapi.ErrorMessage
	msg := strings.TrimSpace(string(body))
	if json.Unmarshal(body, &m) == nil && m.Message != "" {
		msg = m.Message
	}
	if len(msg) > 500 {
		msg = msg[:500] + "…"
	}
	return &remoteRefusal{url: peerURL(base), status: status, msg: msg}
}

// errMaybeApplied marks a write whose answer was lost: the leader may or may not have applied
// it (it died, or lost leadership, while the write was on its way).
var errMaybeApplied = errors.New("the write may or may not have been applied")

// errNoLeader is why a write waits: no leader is known yet, or this worker has not yet learnt
// the leader's REST URL from the store.
var errNoLeader = errors.New("no Raft leader is known yet (an election or a worker joining is under way)")

// leaderURL returns the leader's REST URL as registered in the store, when the leader is
// another worker.
func leaderURL(store *raftstore.Store) (string, bool) {
	_, id := store.Leader()
	if id == "" || id == store.NodeID() {
		return "", false
	}
	for _, wk := range store.Workers() {
		if wk.ID == id && wk.RestURL != "" {
			return wk.RestURL, true
		}
	}
	return "", false
}

// forward sends an encoded batch to the leader at url. retry reports that nothing was written
// and the write may be tried again: the receiver is not the leader (any more), or could not be
// reached at all. Other failures are returned as they are: a write whose answer was lost may
// have been applied, and repeating it could, for example, turn a create into "already exists".
func (w *storeWriter) forward(ctx context.Context, url string, entry []byte) (res []raftstore.Result, retry bool, err error) {
	status, hdr, body, err := w.peers.post(ctx, url, pathApply, entry, false)
	if err != nil {
		var ce *peerCallError
		if errors.As(err, &ce) && ce.dial {
			return nil, true, err
		}
		if ctx.Err() != nil {
			return nil, false, fmt.Errorf("forwarding the write to the Raft leader: %w", ctx.Err())
		}
		return nil, false, fmt.Errorf("forwarding the write to the Raft leader failed: %w: %w", errMaybeApplied, err)
	}
	switch {
	case status == http.StatusOK:
		res, err := raftstore.DecodeResults(body)
		if err != nil {
			return nil, false, fmt.Errorf("the Raft leader at %s answered the write with something this worker cannot read: %w", url, err)
		}
		return res, false, nil
	case status == http.StatusConflict:
		return nil, true, refusal(url, status, body)
	case hdr.Get(headerStoreError) != "":
		err := raftstore.DecodeError(body)
		if errors.Is(err, raftstore.ErrNotLeader) {
			return nil, true, err // refused before anything was written
		}
		if errors.Is(err, raftstore.ErrLeadershipLost) || errors.Is(err, raftstore.ErrClosed) {
			// The leader stepped down or stopped with the write in flight: as for a lost answer.
			return nil, false, fmt.Errorf("the Raft leader at %s: %w: %w", url, errMaybeApplied, err)
		}
		return nil, false, fmt.Errorf("the Raft leader at %s: %w", url, err)
	case status == http.StatusBadRequest || status == http.StatusForbidden:
		return nil, false, fmt.Errorf("the Raft leader refused this worker's write; every worker of a cluster needs the same cluster.secret: %w", refusal(url, status, body))
	default:
		return nil, false, refusal(url, status, body)
	}
}

// applyAnywhere writes cmds as one entry: with Apply on the leader, or forwarded to the leader
// from a follower. While no leader is known (an election), or the leader changes under the
// request, it waits and tries again until ctx ends: cluster movement delays a write, it does
// not fail it. With waitLocal a forwarded write returns once this worker's state holds it, so
// the caller reads its own write.
func (w *storeWriter) applyAnywhere(ctx context.Context, waitLocal bool, cmds ...raftstore.Command) ([]raftstore.Result, error) {
	var entry []byte
	last := errNoLeader
	delay := 5 * time.Millisecond
	maybeApplied := false // an earlier attempt's answer was lost
	for {
		switch {
		case w.store.IsLeader():
			res, err := w.store.Apply(ctx, cmds...)
			if errors.Is(err, raftstore.ErrLeadershipLost) {
				maybeApplied, last = true, err
				break
			}
			if !errors.Is(err, raftstore.ErrNotLeader) {
				if err == nil && maybeApplied {
					res = w.settleRetried(cmds, res)
				}
				return res, err
			}
			last = err // lost leadership before writing anything
		case w.peers != nil:
			url, ok := leaderURL(w.store)
			if !ok {
				if storeClosed(w.store) {
					return nil, fmt.Errorf("writing to the Raft store: %w", raftstore.ErrClosed) // this worker is stopping
				}
				last = errNoLeader
				break
			}
			if entry == nil {
				var err error
				if entry, err = raftstore.EncodeCommands(cmds...); err != nil {
					return nil, err
				}
			}
			res, retry, err := w.forward(ctx, url, entry)
			if errors.Is(err, errMaybeApplied) && ctx.Err() == nil {
				// The leader died (or stepped down) with the write in flight. Write it again
				// once a leader is there; settleRetried answers what the first attempt did.
				maybeApplied, last = true, err
				break
			}
			if !retry {
				if err == nil && waitLocal {
					err = w.waitApplied(ctx, res)
				}
				if err == nil && maybeApplied {
					res = w.settleRetried(cmds, res)
				}
				return res, err
			}
			last = err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("writing to the Raft store: no leader took the write in time (%v): %w", last, ctx.Err())
		case <-t.C:
		}
		delay = min(delay*2, 200*time.Millisecond)
	}
}

// emptyEntry is a batch of no commands: ApplyEncoded accepts it on any worker without
// writing anything, and refuses it with ErrClosed once the store is closed.
var emptyEntry, _ = raftstore.EncodeCommands()

// storeClosed reports whether store was closed (the worker is stopping), so a write stops
// waiting for a leader that this worker will never learn of.
func storeClosed(store *raftstore.Store) bool {
	_, err := store.ApplyEncoded(context.Background(), emptyEntry)
	return errors.Is(err, raftstore.ErrClosed)
}

// waitApplied waits until the local state holds the entry of res.
func (w *storeWriter) waitApplied(ctx context.Context, res []raftstore.Result) error {
	var index uint64
	for _, r := range res {
		index = max(index, r.Index)
	}
	if err := w.store.WaitApplied(ctx, index); err != nil {
		return fmt.Errorf("the write was applied, but this worker has not caught up with it yet: %w", err)
	}
	return nil
}

// settleRetried answers a write that was sent again after its first attempt's answer was lost,
// as the first attempt would have been answered. Writing the same commands again is harmless
// for all but two: a create-only PutConnector (or one conditional on a config version) that
// the first attempt applied now fails, and so does a DeleteConnector. When the state shows the
// first attempt's effect (the config as written, the connector gone), the command succeeded.
func (w *storeWriter) settleRetried(cmds []raftstore.Command, res []raftstore.Result) []raftstore.Result {
	for i, c := range cmds {
		if i >= len(res) || res[i].Err == nil {
			continue
		}
		switch c := c.(type) {
		case raftstore.PutConnector:
			if !errors.Is(res[i].Err, raftstore.ErrAlreadyExists) && !errors.Is(res[i].Err, raftstore.ErrPreconditionFailed) {
				continue
			}
			if cur, ok := w.store.Connector(c.Name); ok && maps.Equal(cur.Config, c.Config) {
				res[i] = raftstore.Result{Index: cur.ConfigVersion(), Created: c.CreateOnly}
			}
		case raftstore.DeleteConnector:
			if errors.Is(res[i].Err, raftstore.ErrNotFound) {
				res[i].Err = nil
			}
		}
	}
	return res
}
