package control

import (
	"fmt"

	"github.com/IBM/sarama"

	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/internal/devbroker"
	"github.com/raftconnect/raftconnect/internal/kafkaclient"

	"github.com/raftconnect/raftconnect/restapi"
)

func createReq(name string, cfg map[string]string) map[string]any {
	return map[string]any{"name": name, "config": cfg}
}

func TestSourceToSinkPauseResumeRestartDelete(t *testing.T) {
	c := newCluster(t, nil, "")
	var info restapi.ConnectorInfo
	if code := c.do("POST", "/connectors", createReq("src", map[string]string{
		"connector.class": "SeqSource", "topic": "seq", "tasks.max": "2", "limit": "500",
	}), &info); code != http.StatusCreated {
		t.Fatalf("create source: %d", code)
	}
	if info.Type != "source" || info.Config["name"] != "src" {
		t.Fatalf("info = %+v", info)
	}
	c.waitState("src", "RUNNING", "RUNNING", "RUNNING")
	eventually(t, 20*time.Second, "1000 records in topic seq", func() bool { return len(topicValues(t, c.broker, "seq")) == 1000 })

	if code := c.do("POST", "/connectors", createReq("snk", map[string]string{
		"connector.class": "test.worker.MemSinkConnector", "topics": "seq", "sink.name": "snk",
	}), nil); code != http.StatusCreated {
		t.Fatalf("create sink: %d", code)
	}
	c.waitState("snk", "RUNNING", "RUNNING")
	eventually(t, 20*time.Second, "sink received 1000", func() bool {
		sinkData.Lock()
		defer sinkData.Unlock()
		return len(sinkData.values["snk"]) == 1000
	})
	sinkData.Lock()
	got := append([]string(nil), sinkData.values["snk"]...)
	sinkData.Unlock()
	sort.Strings(got)
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Fatalf("duplicate %s", got[i])
		}
	}

	// Offsets of the source are committed per source partition.
	eventually(t, 10*time.Second, "source offsets committed", func() bool {
		var offs restapi.ConnectorOffsets
		c.do("GET", "/connectors/src/offsets", nil, &offs)
		if len(offs.Offsets) != 2 {
			return false
		}
		for _, o := range offs.Offsets {
			if fmt.Sprint(o.Offset["n"]) != "499" {
				return false
			}
		}
		return true
	})

	if code := c.do("PUT", "/connectors/src/pause", nil, nil); code != http.StatusAccepted {
		t.Fatalf("pause: %d", code)
	}
	c.waitState("src", "PAUSED", "PAUSED", "PAUSED")
	if code := c.do("PUT", "/connectors/src/resume", nil, nil); code != http.StatusAccepted {
		t.Fatalf("resume: %d", code)
	}
	c.waitState("src", "RUNNING", "RUNNING", "RUNNING")

	var plan restapi.ConnectorStateInfo
	if code := c.do("POST", "/connectors/src/restart?includeTasks=true", nil, &plan); code != http.StatusAccepted {
		t.Fatalf("restart: %d", code)
	}
	if plan.Connector.State != "RESTARTING" || plan.Tasks[0].State != "RESTARTING" {
		t.Fatalf("plan = %+v", plan)
	}
	c.waitState("src", "RUNNING", "RUNNING", "RUNNING")
	if code := c.do("POST", "/connectors/src/restart", nil, nil); code != http.StatusNoContent {
		t.Fatalf("legacy restart: %d", code)
	}
	if code := c.do("POST", "/connectors/src/tasks/1/restart", nil, nil); code != http.StatusNoContent {
		t.Fatalf("task restart: %d", code)
	}
	// No record was duplicated by pause/resume/restarts: the source resumed from its offsets.
	time.Sleep(300 * time.Millisecond)
	if n := len(topicValues(t, c.broker, "seq")); n != 1000 {
		t.Fatalf("topic has %d records after restarts, want 1000", n)
	}

	if code := c.do("PUT", "/connectors/src/stop", nil, nil); code != http.StatusNoContent {
		t.Fatalf("stop: %d", code)
	}
	c.waitState("src", "STOPPED")
	var tasks []restapi.TaskInfo
	c.do("GET", "/connectors/src/tasks", nil, &tasks)
	if len(tasks) != 0 {
		t.Fatalf("tasks after stop = %v", tasks)
	}
	if code := c.do("DELETE", "/connectors/src", nil, nil); code != http.StatusNoContent {
		t.Fatalf("delete: %d", code)
	}
	if code := c.do("GET", "/connectors/src", nil, nil); code != http.StatusNotFound {
		t.Fatalf("get after delete: %d", code)
	}
}

func TestTaskFailureAndRestart(t *testing.T) {
	c := newCluster(t, nil, "")
	c.do("POST", "/connectors", createReq("bad", map[string]string{
		"connector.class": "SeqSource", "topic": "bad", "fail.at": "150",
	}), nil)
	c.waitState("bad", "RUNNING", "FAILED")
	st := c.status("bad")
	if !strings.Contains(st.Tasks[0].Trace, "boom at 150") {
		t.Fatalf("trace = %q", st.Tasks[0].Trace)
	}
	var plan restapi.ConnectorStateInfo
	if code := c.do("POST", "/connectors/bad/restart?includeTasks=true&onlyFailed=true", nil, &plan); code != http.StatusAccepted {
		t.Fatalf("restart: %d", code)
	}
	if plan.Connector.State != "RUNNING" || plan.Tasks[0].State != "RESTARTING" {
		t.Fatalf("plan = %+v", plan)
	}
	// It fails again at 150, but after resuming from its committed offset.
	c.waitState("bad", "RUNNING", "FAILED")
}

func TestValidationWritesNothing(t *testing.T) {
	c := newCluster(t, nil, "")
	var e restapi.ErrorMessage
	code := c.do("POST", "/connectors", createReq("x", map[string]string{"connector.class": "SeqSource", "tasks.max": "0"}), &e)
	if code != http.StatusBadRequest || !strings.Contains(e.Message, "tasks.max") || !strings.Contains(e.Message, `"topic"`) {
		t.Fatalf("code %d, %+v", code, e)
	}
	var names []string
	c.do("GET", "/connectors", nil, &names)
	if len(names) != 0 {
		t.Fatalf("connectors after failed create: %v", names)
	}
	code = c.do("POST", "/connectors", createReq("x", map[string]string{"connector.class": "NoSuchConnector"}), &e)
	if code != http.StatusBadRequest || !strings.Contains(e.Message, "NoSuchConnector") {
		t.Fatalf("unknown class: %d %+v", code, e)
	}
	var infos restapi.ConfigInfos
	c.do("PUT", "/connector-plugins/MemSink/config/validate", map[string]string{"connector.class": "test.worker.MemSinkConnector", "name": "s"}, &infos)
	if infos.ErrorCount != 2 {
		t.Fatalf("validate sink without topics: %+v", infos)
	}
}

func produce(t *testing.T, c *cluster, topic string, values ...string) {
	t.Helper()
	cfg := kafkaclient.Producer("test-producer")
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	p, err := sarama.NewSyncProducer(c.broker.Addrs(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, v := range values {
		if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: topic, Partition: 0, Value: sarama.StringEncoder(v)}); err != nil {
			t.Fatal(err)
		}
	}
}

func readTopic(t *testing.T, c *cluster, topic string, n int) []*sarama.ConsumerMessage {
	t.Helper()
	cons, err := sarama.NewConsumer(c.broker.Addrs(), kafkaclient.Consumer("test-dlq-reader"))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	pc, err := cons.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	var out []*sarama.ConsumerMessage
	timeout := time.After(10 * time.Second)
	for len(out) < n {
		select {
		case m := <-pc.Messages():
			out = append(out, m)
		case <-timeout:
			t.Fatalf("read %d of %d messages from %s", len(out), n, topic)
		}
	}
	return out
}

func TestSinkErrorToleranceAndDeadLetterQueue(t *testing.T) {
	c := newCluster(t, nil, "")
	produce(t, c, "in", "a", "poison-1", "b", "poison-2", "c")

	// errors.tolerance=all: good records reach the task, bad ones go to the DLQ with context.
	c.do("POST", "/connectors", createReq("tolerant", map[string]string{
		"connector.class": "test.worker.MemSinkConnector", "topics": "in", "sink.name": "tolerant",
		"errors.tolerance": "all", "errors.deadletterqueue.topic.name": "dlq",
		"errors.deadletterqueue.context.headers.enable": "true", "errors.log.enable": "true",
	}), nil)
	eventually(t, 20*time.Second, "good records delivered", func() bool {
		sinkData.Lock()
		defer sinkData.Unlock()
		return strings.Join(sinkData.values["tolerant"], ",") == "a,b,c"
	})
	dlq := readTopic(t, c, "dlq", 2)
	headers := map[string]string{}
	for _, h := range dlq[0].Headers {
		headers[string(h.Key)] = string(h.Value)
	}
	if string(dlq[0].Value) != "poison-1" || string(dlq[1].Value) != "poison-2" {
		t.Fatalf("dlq values %q %q", dlq[0].Value, dlq[1].Value)
	}
	for k, want := range map[string]string{
		"__connect.errors.topic": "in", "__connect.errors.partition": "0", "__connect.errors.offset": "1",
		"__connect.errors.connector.name": "tolerant", "__connect.errors.task.id": "0", "__connect.errors.stage": "VALUE_CONVERTER",
	} {
		if headers[k] != want {
			t.Errorf("DLQ header %s = %q, want %q", k, headers[k], want)
		}
	}
	if !strings.Contains(headers["__connect.errors.exception.message"], "poison bytes poison-1") {
		t.Errorf("exception message header = %q", headers["__connect.errors.exception.message"])
	}

	// errors.tolerance=none (the default): the first bad record fails the task, after it went
	// to the DLQ, and nothing after it is delivered.
	c.do("POST", "/connectors", createReq("strict", map[string]string{
		"connector.class": "test.worker.MemSinkConnector", "topics": "in", "sink.name": "strict",
		"errors.deadletterqueue.topic.name": "dlq-strict",
	}), nil)
	c.waitState("strict", "RUNNING", "FAILED")
	st := c.status("strict")
	if !strings.Contains(st.Tasks[0].Trace, "Tolerance exceeded") || !strings.Contains(st.Tasks[0].Trace, "poison bytes poison-1") {
		t.Fatalf("trace = %q", st.Tasks[0].Trace)
	}
	if m := readTopic(t, c, "dlq-strict", 1); string(m[0].Value) != "poison-1" {
		t.Fatalf("dlq-strict holds %q", m[0].Value)
	}
	sinkData.Lock()
	defer sinkData.Unlock()
	if got := strings.Join(sinkData.values["strict"], ","); got != "" && got != "a" {
		t.Fatalf("strict sink received %q; nothing after the poison record may be delivered", got)
	}
}

func TestWorkerRestartKeepsConnectorsStatesAndOffsets(t *testing.T) {
	broker, err := devbroker.Start(0, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer broker.Close()
	dir := t.TempDir()
	c := newCluster(t, broker, dir)
	c.do("POST", "/connectors", createReq("src", map[string]string{"connector.class": "SeqSource", "topic": "r", "limit": "300"}), nil)
	c.do("POST", "/connectors", map[string]any{"name": "idle", "config": map[string]string{"connector.class": "SeqSource", "topic": "r2"}, "initial_state": "PAUSED"}, nil)
	eventually(t, 20*time.Second, "300 records", func() bool { return len(topicValues(t, broker, "r")) == 300 })
	c.waitState("idle", "PAUSED")
	c.close() // graceful: the final offset commit happens here

	c2 := newCluster(t, broker, dir)
	c2.waitState("src", "RUNNING", "RUNNING")
	c2.waitState("idle", "PAUSED")
	var offs restapi.ConnectorOffsets
	c2.do("GET", "/connectors/src/offsets", nil, &offs)
	if len(offs.Offsets) != 1 || fmt.Sprint(offs.Offsets[0].Offset["n"]) != "299" {
		t.Fatalf("offsets after restart: %+v", offs)
	}
	time.Sleep(500 * time.Millisecond)
	if n := len(topicValues(t, broker, "r")); n != 300 {
		t.Fatalf("topic has %d records after a graceful restart, want exactly 300", n)
	}
}
