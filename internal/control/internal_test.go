package control

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/internal/workerconfig"
	"github.com/raftconnect/raftconnect/raftstore"
	"github.com/raftconnect/raftconnect/restapi"
)

const testSecret = "test-cluster-secret"

// internalHerder returns a herder (not running) over an in-memory store: the leader of its
// own cluster, or, with noBootstrap, a store that never has a leader.
func internalHerder(t *testing.T, noBootstrap bool) (*Herder, *raftstore.Store) {
	t.Helper()
	dir := t.TempDir()
	cfg, err := workerconfig.ParseConfig(map[string]string{
		"bootstrap.servers": "127.0.0.1:1", "data.dir": dir, "node.id": "n1", "cluster.secret": testSecret,
	})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := raftstore.Open(raftstore.Config{Dir: dir + "/raft", NodeID: "n1", NoBootstrap: noBootstrap, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if !noBootstrap {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := store.WaitForLeader(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return New(Options{Config: cfg, Store: store, WorkerID: "n1:8083", Logger: log}), store
}

func signedRequest(t *testing.T, secret, path string, body []byte, at time.Time) *http.Request {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	s := newPeerSigner([]byte(secret), "n2")
	s.now = func() time.Time { return at }
	s.sign(req, body)
	return req
}

func serveInternal(h http.Handler, req *http.Request) (int, restapi.ErrorMessage, []byte) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var m restapi.ErrorMessage
	_ = json.Unmarshal(rec.Body.Bytes(), &m)
	return rec.Code, m, rec.Body.Bytes()
}

// TestInternalSignatures: only a request signed with the cluster secret, recently, is served;
// the refusals are Kafka's (400 missing, 403 invalid) and write nothing.
func TestInternalSignatures(t *testing.T) {
	h, store := internalHerder(t, false)
	ih := h.InternalHandler()
	entry, err := raftstore.EncodeCommands(raftstore.PutConnector{Name: "c1", Config: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()

	unsigned := httptest.NewRequest(http.MethodPost, pathApply, bytes.NewReader(entry))
	tampered := signedRequest(t, testSecret, pathApply, entry, now)
	tampered.Body = io.NopCloser(bytes.NewReader(append(bytes.Clone(entry), ' ')))
	otherPath := signedRequest(t, testSecret, pathJoin, entry, now)
	otherPath.URL.Path = pathApply
	garbled := signedRequest(t, testSecret, pathApply, entry, now)
	garbled.Header.Set(headerSignature, "not base64!")
	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
		msg    string
	}{
		{"missing", unsigned, 400, "Internal request missing required signature"},
		{"wrong secret", signedRequest(t, "another-secret", pathApply, entry, now), 403, "Internal request contained invalid signature."},
		{"tampered body", tampered, 403, "Internal request contained invalid signature."},
		{"signed for another path", otherPath, 403, "Internal request contained invalid signature."},
		{"garbled", garbled, 403, "Internal request contained invalid signature."},
		{"expired", signedRequest(t, testSecret, pathApply, entry, now.Add(-6*time.Minute)), 403, "Internal request timestamp is more than 5 minutes away"},
		{"from the future", signedRequest(t, testSecret, pathApply, entry, now.Add(6*time.Minute)), 403, "Internal request timestamp is more than 5 minutes away"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, m, body := serveInternal(ih, tc.req)
			if status != tc.status || m.ErrorCode != tc.status || !strings.HasPrefix(m.Message, tc.msg) {
				t.Fatalf("got %d %s, want %d %q", status, body, tc.status, tc.msg)
			}
			if _, ok := store.Connector("c1"); ok {
				t.Fatal("a refused request wrote the connector")
			}
			if strings.Contains(string(body), testSecret) {
				t.Fatal("the answer holds the secret")
			}
		})
	}

	// A slightly skewed clock is fine, and the write is applied.
	status, _, body := serveInternal(ih, signedRequest(t, testSecret, pathApply, entry, now.Add(-4*time.Minute)))
	if status != 200 {
		t.Fatalf("good signature: %d %s", status, body)
	}
	res, err := raftstore.DecodeResults(body)
	if err != nil || len(res) != 1 || res[0].Err != nil || !res[0].Created || res[0].Index == 0 {
		t.Fatalf("results %+v, %v", res, err)
	}
	if _, ok := store.Connector("c1"); !ok {
		t.Fatal("connector not written")
	}
	// A command's own failure travels back in its result.
	again, _ := raftstore.EncodeCommands(raftstore.PutConnector{Name: "c1", Config: map[string]string{}, CreateOnly: true})
	_, _, body = serveInternal(ih, signedRequest(t, testSecret, pathApply, again, now))
	res, err = raftstore.DecodeResults(body)
	if err != nil || len(res) != 1 || res[0].Err == nil {
		t.Fatalf("create-only twice: %+v, %v", res, err)
	}
	// A malformed entry is refused as a batch error that the sender can decode.
	status, _, body = serveInternal(ih, signedRequest(t, testSecret, pathApply, []byte("nonsense"), now))
	if status != 400 || raftstore.DecodeError(body) == nil {
		t.Fatalf("malformed entry: %d %s", status, body)
	}
	// Only POST.
	get := signedRequest(t, testSecret, pathApply, nil, now)
	get.Method = http.MethodGet
	if status, _, _ := serveInternal(ih, get); status != 405 {
		t.Fatalf("GET: %d", status)
	}
}

// TestInternalNotLeader: a worker that is not the leader answers a forwarded write with 409
// "not the leader" and writes nothing; without a leader it cannot relay a join either.
func TestInternalNotLeader(t *testing.T) {
	h, store := internalHerder(t, true)
	ih := h.InternalHandler()
	entry, _ := raftstore.EncodeCommands(raftstore.PutConnector{Name: "c1", Config: map[string]string{}})
	status, m, body := serveInternal(ih, signedRequest(t, testSecret, pathApply, entry, time.Now()))
	if status != 409 || m.ErrorCode != 409 || m.Message != "not the leader" {
		t.Fatalf("got %d %s", status, body)
	}
	if store.AppliedIndex() != 0 {
		t.Fatal("a follower wrote")
	}
	join, _ := json.Marshal(joinRequest{NodeID: "n2", RaftAddr: "127.0.0.1:1", RestURL: "http://127.0.0.1:2"})
	if status, _, body := serveInternal(ih, signedRequest(t, testSecret, pathJoin, join, time.Now())); status != 503 {
		t.Fatalf("join without a leader: %d %s", status, body)
	}
	// A join forwarded once is not forwarded again.
	req := signedRequest(t, testSecret, pathJoin, join, time.Now())
	req.Header.Set(headerForwarded, "1")
	if status, _, body := serveInternal(ih, req); status != 409 {
		t.Fatalf("forwarded join on a follower: %d %s", status, body)
	}
}

// TestInternalWithoutSecret: a one-node worker has no internal API at all.
func TestInternalWithoutSecret(t *testing.T) {
	dir := t.TempDir()
	cfg, err := workerconfig.ParseConfig(map[string]string{"bootstrap.servers": "127.0.0.1:1", "data.dir": dir, "node.id": "n1"})
	if err != nil {
		t.Fatal(err)
	}
	store, err := raftstore.Open(raftstore.Config{Dir: dir + "/raft", NodeID: "n1", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h := New(Options{Config: cfg, Store: store, WorkerID: "n1:8083"})
	entry, _ := raftstore.EncodeCommands(raftstore.PutConnector{Name: "c1", Config: map[string]string{}})
	// Even a request signed with an empty secret: HMAC with no key proves nothing.
	if status, _, body := serveInternal(h.InternalHandler(), signedRequest(t, "", pathApply, entry, time.Now())); status != 404 {
		t.Fatalf("got %d %s", status, body)
	}
}

// TestInternalRestartTask: the restart endpoint reaches the worker's local restart and
// relays its REST error.
func TestInternalRestartTask(t *testing.T) {
	h, _ := internalHerder(t, false)
	body, _ := json.Marshal(map[string]any{"connector": "nope", "task": 0})
	status, m, raw := serveInternal(h.InternalHandler(), signedRequest(t, testSecret, pathRestartTask, body, time.Now()))
	if status != 404 || m.Message != "Unknown connector: nope" {
		t.Fatalf("got %d %s", status, raw)
	}
	body, _ = json.Marshal(map[string]any{"connector": "nope"})
	if status, _, raw := serveInternal(h.InternalHandler(), signedRequest(t, testSecret, pathRestartTask, body, time.Now())); status != 400 {
		t.Fatalf("no task: %d %s", status, raw)
	}
}
