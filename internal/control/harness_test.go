package control

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/internal/devbroker"
	"github.com/raftconnect/raftconnect/internal/kafkaclient"
	_ "github.com/raftconnect/raftconnect/internal/testplugins" // the test converters the harness configures
	"github.com/raftconnect/raftconnect/internal/workerconfig"
	"github.com/raftconnect/raftconnect/raftstore"
	"github.com/raftconnect/raftconnect/restapi"
)

// seqSource emits "<prefix>-<n>" values with offset {"n": n}, resuming after its stored offset.
type seqSource struct{ cfg map[string]string }

func (s *seqSource) Start(_ connect.SourceConnectorContext, cfg map[string]string) error {
	s.cfg = cfg
	return nil
}
func (s *seqSource) TaskConfigs(max int) ([]map[string]string, error) {
	out := make([]map[string]string, max)
	for i := range out {
		out[i] = map[string]string{"task.id": fmt.Sprint(i), "topic": s.cfg["topic"], "limit": s.cfg["limit"], "fail.at": s.cfg["fail.at"]}
	}
	return out, nil
}
func (*seqSource) Stop() error { return nil }
func (*seqSource) ConfigDef() *connect.ConfigDef {
	return connect.NewConfigDef().
		Define(connect.ConfigKey{Name: "topic", Type: connect.ConfigString, Required: true, Validator: connect.NonEmptyString(), Importance: connect.High, Doc: "target topic"}).
		Define(connect.ConfigKey{Name: "limit", Type: connect.ConfigInt, Default: 1000000, Importance: connect.Low, Doc: "records per task"}).
		Define(connect.ConfigKey{Name: "fail.at", Type: connect.ConfigInt, Default: -1, Importance: connect.Low, Doc: "fail when reaching this number"})
}
func (*seqSource) NewTask() connect.SourceTask { return &seqSourceTask{} }

type seqSourceTask struct {
	topic, id string
	next      int64
	limit     int64
	failAt    int64
}

func (t *seqSourceTask) Start(ctx connect.SourceTaskContext, cfg map[string]string) error {
	t.topic, t.id = cfg["topic"], cfg["task.id"]
	fmt.Sscan(cfg["limit"], &t.limit)
	if t.limit == 0 {
		t.limit = 1000000
	}
	t.failAt = -1
	if s := cfg["fail.at"]; s != "" {
		fmt.Sscan(s, &t.failAt)
	}
	off, err := ctx.OffsetReader().Offset(map[string]any{"task": t.id})
	if err != nil {
		return err
	}
	if off != nil {
		t.next = off["n"].(int64) + 1
	}
	return nil
}

func (t *seqSourceTask) Poll(ctx context.Context) ([]*connect.SourceRecord, error) {
	if t.next >= t.limit {
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Millisecond):
		}
		return nil, nil
	}
	var out []*connect.SourceRecord
	for i := 0; i < 100 && t.next < t.limit; i++ {
		if t.next == t.failAt {
			return out, fmt.Errorf("boom at %d", t.next)
		}
		out = append(out, &connect.SourceRecord{
			Record:          connect.Record{Topic: t.topic, Partition: connect.PartitionAny, ValueSchema: connect.StringSchema, Value: fmt.Sprintf("v-%s-%d", t.id, t.next)},
			SourcePartition: map[string]any{"task": t.id},
			SourceOffset:    map[string]any{"n": t.next},
		})
		t.next++
	}
	return out, nil
}
func (t *seqSourceTask) Stop() error { return nil }

// memSink collects the values it receives, per connector name.
type memSink struct{ cfg map[string]string }

var sinkData = struct {
	sync.Mutex
	values  map[string][]string
	flushed map[string]int
	opens   map[string]int
}{values: map[string][]string{}, flushed: map[string]int{}, opens: map[string]int{}}

func (s *memSink) Start(_ connect.ConnectorContext, cfg map[string]string) error {
	s.cfg = cfg
	return nil
}
func (s *memSink) TaskConfigs(max int) ([]map[string]string, error) {
	return []map[string]string{{"sink.name": s.cfg["sink.name"], "fail.first.flush": s.cfg["fail.first.flush"], "seek.open": s.cfg["seek.open"]}}, nil
}
func (*memSink) Stop() error                   { return nil }
func (*memSink) ConfigDef() *connect.ConfigDef { return connect.NewConfigDef() }
func (*memSink) NewTask() connect.SinkTask     { return &memSinkTask{} }

// memSinkTask can be told (in its connector config) to fail its first flush
// ("fail.first.flush") or to seek partition 0 of its topic in Open ("seek.open").
type memSinkTask struct {
	name      string
	ctx       connect.SinkTaskContext
	failFlush bool
	seek      int64
	topic     string
}

func (t *memSinkTask) Start(ctx connect.SinkTaskContext, cfg map[string]string) error {
	t.name, t.ctx, t.topic = cfg["sink.name"], ctx, cfg["topics"]
	t.failFlush = cfg["fail.first.flush"] == "true"
	t.seek = -1
	if s := cfg["seek.open"]; s != "" {
		fmt.Sscan(s, &t.seek)
	}
	return nil
}

func (t *memSinkTask) Open(tps []connect.TopicPartition) error {
	sinkData.Lock()
	sinkData.opens[t.name]++
	sinkData.Unlock()
	if t.seek >= 0 {
		t.ctx.Seek(connect.TopicPartition{Topic: t.topic, Partition: 0}, t.seek)
	}
	return nil
}
func (t *memSinkTask) Close([]connect.TopicPartition) error { return nil }
func (t *memSinkTask) Put(ctx context.Context, recs []*connect.SinkRecord) error {
	sinkData.Lock()
	defer sinkData.Unlock()
	for _, r := range recs {
		sinkData.values[t.name] = append(sinkData.values[t.name], fmt.Sprint(r.Value))
	}
	return nil
}
func (t *memSinkTask) Flush(ctx context.Context, offs map[connect.TopicPartition]int64) error {
	sinkData.Lock()
	defer sinkData.Unlock()
	if t.failFlush {
		// Lose what was put since the last flush, as a sink whose write failed would.
		t.failFlush = false
		sinkData.values[t.name] = sinkData.values[t.name][:sinkData.flushed[t.name]]
		return fmt.Errorf("disk full")
	}
	sinkData.flushed[t.name] = len(sinkData.values[t.name])
	return nil
}
func (t *memSinkTask) Stop() error { return nil }

func init() {
	connect.Register(connect.Plugin{Class: "test.worker.SeqSourceConnector", Version: "1.0", New: func() any { return &seqSource{} }})
	connect.Register(connect.Plugin{Class: "test.worker.MemSinkConnector", Version: "1.0", New: func() any { return &memSink{} }})
	connect.Register(connect.Plugin{Class: "test.worker.UpperTopic", New: func() any { return &upperTopic{} }})
}

// upperTopic upper-cases the topic (runtime's tests have the same transformation).
type upperTopic struct{ suffix string }

func (u *upperTopic) Configure(cfg map[string]string) error { u.suffix = cfg["suffix"]; return nil }
func (u *upperTopic) Apply(r *connect.Record) (*connect.Record, error) {
	r.Topic = strings.ToUpper(r.Topic) + u.suffix
	return r, nil
}
func (*upperTopic) ConfigDef() *connect.ConfigDef {
	return connect.NewConfigDef().Define(connect.ConfigKey{Name: "suffix", Type: connect.ConfigString, Default: "", Importance: connect.Low})
}
func (*upperTopic) Close() error { return nil }

// cluster is a broker, a store, a worker and its REST API in one process.
type cluster struct {
	t      *testing.T
	broker *devbroker.Broker
	store  *raftstore.Store
	worker *Herder
	srv    *httptest.Server
	cancel context.CancelFunc
	done   chan error
	dir    string
}

func newCluster(t *testing.T, broker *devbroker.Broker, dir string) *cluster {
	t.Helper()
	return newClusterWith(t, broker, dir, nil)
}

// newClusterWith starts a cluster whose worker configuration is overridden by props.
func newClusterWith(t *testing.T, broker *devbroker.Broker, dir string, props map[string]string) *cluster {
	t.Helper()
	if broker == nil {
		var err error
		broker, err = devbroker.Start(0, 3)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(broker.Close)
	}
	if dir == "" {
		dir = t.TempDir()
	}
	// Tests run one at a time; each starts with an empty in-memory sink (also under -count=N).
	sinkData.Lock()
	clear(sinkData.values)
	clear(sinkData.flushed)
	clear(sinkData.opens)
	sinkData.Unlock()
	wprops := map[string]string{
		"bootstrap.servers":        strings.Join(broker.Addrs(), ","),
		"key.converter":            "test.worker.StringConverter",
		"value.converter":          "test.worker.StringConverter",
		"header.converter":         "test.worker.HeaderConverter",
		"offset.flush.interval.ms": "100",
		"data.dir":                 dir,
		"node.id":                  "n1",
	}
	maps.Copy(wprops, props)
	cfg, err := workerconfig.ParseConfig(wprops)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	store, err := raftstore.Open(raftstore.Config{Dir: dir + "/raft", NodeID: "n1", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	w := New(Options{Config: cfg, Store: store, WorkerID: "test:8083", Logger: log, Version: "test"})
	srv := httptest.NewServer(restapi.NewHandler(w, restapi.Options{Logger: log}))
	ctx, cancel := context.WithCancel(context.Background())
	c := &cluster{t: t, broker: broker, store: store, worker: w, srv: srv, cancel: cancel, done: make(chan error, 1), dir: dir}
	go func() { c.done <- w.Run(ctx) }()
	t.Cleanup(c.close)
	eventually(t, 10*time.Second, "worker ready", w.Ready)
	return c
}

func (c *cluster) close() {
	if c.cancel == nil {
		return
	}
	c.cancel()
	c.cancel = nil
	if err := <-c.done; err != nil {
		c.t.Errorf("worker.Run: %v", err)
	}
	c.srv.Close()
	c.store.Close()
}

// do sends a REST request and decodes the JSON response into out (if non-nil).
func (c *cluster) do(method, path string, body any, out any) int {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: decoding %s: %v", method, path, b, err)
		}
	}
	return resp.StatusCode
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", timeout, what)
}

func (c *cluster) status(name string) restapi.ConnectorStateInfo {
	var st restapi.ConnectorStateInfo
	c.do("GET", "/connectors/"+name+"/status", nil, &st)
	return st
}

func (c *cluster) waitState(name, connState string, taskStates ...string) {
	c.t.Helper()
	eventually(c.t, 20*time.Second, fmt.Sprintf("%s to be %s %v", name, connState, taskStates), func() bool {
		st := c.status(name)
		if st.Connector.State != connState || len(st.Tasks) != len(taskStates) {
			return false
		}
		for i, ts := range taskStates {
			if st.Tasks[i].State != ts {
				return false
			}
		}
		return true
	})
}

// topicValues reads every record value of a topic from the start.
func topicValues(t *testing.T, broker *devbroker.Broker, topic string) []string {
	t.Helper()
	cfg := kafkaclient.Consumer("test-reader")
	client, err := sarama.NewClient(broker.Addrs(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	parts, err := client.Partitions(topic)
	if err != nil {
		return nil
	}
	cons, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	var out []string
	for _, p := range parts {
		hi, err := client.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			t.Fatal(err)
		}
		if hi == 0 {
			continue
		}
		pc, err := cons.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatal(err)
		}
		for m := range pc.Messages() {
			out = append(out, string(m.Value))
			if m.Offset+1 >= hi {
				break
			}
		}
		pc.Close()
	}
	return out
}
