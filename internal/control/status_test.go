package control

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/internal/runtime"
	"github.com/raftconnect/raftconnect/raftstore"
	"github.com/raftconnect/raftconnect/restapi"
)

// gatedSource is a seqSource whose Start waits until the test opens its gate, so the test sees
// a connector that exists but whose worker has written no status yet.
type gatedSource struct{ seqSource }

var sourceGate = struct {
	sync.Mutex
	ch chan struct{}
}{ch: make(chan struct{})}

func (s *gatedSource) Start(ctx connect.SourceConnectorContext, cfg map[string]string) error {
	sourceGate.Lock()
	ch := sourceGate.ch
	sourceGate.Unlock()
	<-ch
	return s.seqSource.Start(ctx, cfg)
}

func init() {
	connect.Register(connect.Plugin{Class: "test.control.GatedSourceConnector", Version: "1.0", New: func() any { return &gatedSource{} }})
}

// TestStatusesAsKafkaGivesThem: no status is made up. Before the owning worker has written
// one, GET status is Kafka's 404 and a task restart is Kafka's 409 (its tasks are on their
// way); tasks that have not written a status are left out.
func TestStatusesAsKafkaGivesThem(t *testing.T) {
	c := newCluster(t, nil, "")
	sourceGate.Lock()
	gate := make(chan struct{})
	sourceGate.ch = gate
	sourceGate.Unlock()
	var once sync.Once
	open := func() { once.Do(func() { close(gate) }) }
	t.Cleanup(open)

	// Written to the store directly, as another node's REST write would arrive: nothing waits.
	cfg := map[string]string{"name": "gated", "connector.class": "test.control.GatedSourceConnector", "tasks.max": "2", "topic": "gated"}
	if _, err := c.store.ApplyOne(context.Background(), raftstore.PutConnector{Name: "gated", Config: cfg}); err != nil {
		t.Fatal(err)
	}
	var e restapi.ErrorMessage
	if code := c.do(http.MethodGet, "/connectors/gated/status", nil, &e); code != http.StatusNotFound || e.Message != "No status found for connector gated" {
		t.Fatalf("status before the connector started = %d %q; want 404 No status found for connector gated", code, e.Message)
	}
	if code := c.do(http.MethodGet, "/connectors/gated/tasks/0/status", nil, &e); code != http.StatusNotFound || e.Message != "No status found for task gated-0" {
		t.Fatalf("task status before it started = %d %q; want 404", code, e.Message)
	}
	if code := c.do(http.MethodPost, "/connectors/gated/tasks/0/restart", nil, &e); code != http.StatusConflict || e.Message != "Request cannot be completed because a rebalance is expected" {
		t.Fatalf("restart of a task not generated yet = %d %q; want Kafka's 409", code, e.Message)
	}
	open()
	c.waitState("gated", "RUNNING", "RUNNING", "RUNNING")
	if code := c.do(http.MethodPost, "/connectors/gated/tasks/5/restart", nil, &e); code != http.StatusNotFound || e.Message != "Unknown task: gated-5" {
		t.Fatalf("restart of a task that will not exist = %d %q; want 404 Unknown task", code, e.Message)
	}
}

// TestCreateAnswersOnceRunning: a client that creates a connector and reads its status at once
// sees it RUNNING, with its task configs stored (clients' integration suites do exactly this).
func TestCreateAnswersOnceRunning(t *testing.T) {
	c := newCluster(t, nil, "")
	for i, name := range []string{"first", "second", "third"} {
		var info restapi.ConnectorInfo
		start := time.Now()
		code := c.do(http.MethodPost, "/connectors", map[string]any{"name": name, "config": map[string]string{
			"connector.class": "test.worker.SeqSourceConnector", "tasks.max": "2", "topic": "t" + name, "limit": "5"}}, &info)
		if code != http.StatusCreated {
			t.Fatalf("create %s = %d", name, code)
		}
		took := time.Since(start)
		var st restapi.ConnectorStateInfo
		if code := c.do(http.MethodGet, "/connectors/"+name+"/status", nil, &st); code != http.StatusOK || st.Connector.State != "RUNNING" {
			t.Fatalf("status right after create %d = %d %+v; want 200 RUNNING", i, code, st)
		}
		if len(info.Tasks) != 2 {
			t.Errorf("create answered tasks %v; want the 2 task configs it stored", info.Tasks)
		}
		t.Logf("create %s answered in %v", name, took.Round(time.Millisecond))
		if took > startWait {
			t.Errorf("create took %v, more than the %v bound", took, startWait)
		}
	}
	// An update answers once the connector restarted with the new config.
	var st restapi.ConnectorStateInfo
	if code := c.do(http.MethodPut, "/connectors/first/config", map[string]string{
		"connector.class": "test.worker.SeqSourceConnector", "tasks.max": "1", "topic": "tfirst", "limit": "5"}, nil); code != http.StatusOK {
		t.Fatalf("update = %d", code)
	}
	if code := c.do(http.MethodGet, "/connectors/first/status", nil, &st); code != http.StatusOK || st.Connector.State != "RUNNING" {
		t.Fatalf("status right after update = %d %+v; want RUNNING", code, st)
	}
}

// TestStatusTracesHideSecrets: a plugin error that quotes its config does not show a secret
// in GET status.
func TestStatusTracesHideSecrets(t *testing.T) {
	c := newCluster(t, nil, "")
	const secret = "s3cr3t-in-a-trace"
	// The gated connector writes no status of its own while its gate is closed.
	sourceGate.Lock()
	gate := make(chan struct{})
	sourceGate.ch = gate
	sourceGate.Unlock()
	t.Cleanup(func() { close(gate) })
	cfg := map[string]string{"name": "leaky", "connector.class": "test.control.GatedSourceConnector", "topic": "leaky", "x.db.password": secret}
	if _, err := c.store.ApplyOne(context.Background(), raftstore.PutConnector{Name: "leaky", Config: cfg}); err != nil {
		t.Fatal(err)
	}
	c.worker.writer.PutStatus(runtime.Status{Connector: "leaky", State: runtime.StateFailed, Trace: "cannot connect with password " + secret})
	var st restapi.ConnectorStateInfo
	deadline := time.Now().Add(5 * time.Second)
	for st.Connector.State != runtime.StateFailed && time.Now().Before(deadline) {
		c.do(http.MethodGet, "/connectors/leaky/status", nil, &st)
		time.Sleep(20 * time.Millisecond)
	}
	if st.Connector.State != runtime.StateFailed {
		t.Fatalf("status = %+v; want the FAILED status written", st)
	}
	if strings.Contains(st.Connector.Trace, secret) || !strings.Contains(st.Connector.Trace, "[hidden]") {
		t.Fatalf("trace %q shows the secret or does not say it was hidden", st.Connector.Trace)
	}
}

// TestOffsetCommitsShareEntries: offset commits of many tasks flushing at once go into few
// Raft entries (one fsync each), and every commit is applied.
func TestOffsetCommitsShareEntries(t *testing.T) {
	c := newCluster(t, nil, "")
	stopped := raftstore.TargetStopped
	cfg := map[string]string{"name": "many", "connector.class": "test.worker.SeqSourceConnector", "topic": "many"}
	if _, err := c.store.ApplyOne(context.Background(), raftstore.PutConnector{Name: "many", Config: cfg, Target: &stopped}); err != nil {
		t.Fatal(err)
	}
	const tasks = 64
	before := c.store.LastIndex()
	var wg sync.WaitGroup
	errs := make([]error, tasks)
	for i := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			off := []runtime.CommittedOffset{{Key: fmt.Sprintf(`{"task":%d}`, i), Offset: map[string]any{"n": int64(i)}}}
			errs[i] = c.worker.writer.CommitOffsets(context.Background(), runtime.TaskID{Connector: "many", Task: i}, runtime.Fence{}, off)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("commit %d: %v", i, err)
		}
	}
	entries := c.store.LastIndex() - before
	if got := len(c.store.Offsets("many")); got != tasks {
		t.Fatalf("%d offsets stored, want %d", got, tasks)
	}
	t.Logf("%d concurrent offset commits took %d Raft entries", tasks, entries)
	if entries > tasks/4 {
		t.Errorf("%d concurrent offset commits took %d Raft entries; want them batched (at most %d)", tasks, entries, tasks/4)
	}
}

// TestValidateChecksConsumerTimeoutsTogether: consumer overrides that are each valid but cannot
// work together are refused at validation, not by a task that fails after the create.
func TestValidateChecksConsumerTimeoutsTogether(t *testing.T) {
	c := newCluster(t, nil, "")
	cfg := map[string]string{"name": "timeouts", "connector.class": "test.worker.MemSinkConnector", "topics": "t",
		"consumer.override.heartbeat.interval.ms": "20000"}
	var infos restapi.ConfigInfos
	if code := c.do(http.MethodPut, "/connector-plugins/test.worker.MemSinkConnector/config/validate", cfg, &infos); code != http.StatusOK {
		t.Fatalf("validate = %d", code)
	}
	var msgs []string
	for _, ci := range infos.Configs {
		if ci.Value != nil && ci.Value.Name == "consumer.override.heartbeat.interval.ms" {
			msgs = ci.Value.Errors
		}
	}
	if len(msgs) != 1 || !strings.Contains(msgs[0], "session.timeout.ms") {
		t.Fatalf("errors on consumer.override.heartbeat.interval.ms = %q; want one naming the session timeout it exceeds", msgs)
	}
	cfg["consumer.override.heartbeat.interval.ms"] = "3000"
	if code := c.do(http.MethodPut, "/connector-plugins/test.worker.MemSinkConnector/config/validate", cfg, &infos); code != http.StatusOK || infos.ErrorCount != 0 {
		t.Fatalf("a consistent set: %d with %d errors", code, infos.ErrorCount)
	}
}

func TestLatestStatuses(t *testing.T) {
	task := func(i int) *int { return &i }
	in := []raftstore.StatusUpdate{
		{Connector: "a", State: "RUNNING"},
		{Connector: "a", Task: task(0), State: "RUNNING"},
		{Connector: "b", State: "RUNNING"},
		{Connector: "a", Task: task(0), State: "FAILED"},
		{Connector: "a", State: "PAUSED"},
	}
	got := latestStatuses(in)
	want := []string{"b RUNNING", "a-0 FAILED", "a PAUSED"}
	var names []string
	for _, u := range got {
		n := u.Connector
		if u.Task != nil {
			n = fmt.Sprintf("%s-%d", n, *u.Task)
		}
		names = append(names, n+" "+u.State)
	}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("latestStatuses = %v, want %v (the newest of each unit, in order)", names, want)
	}
}
