package workerconfig

import (
	"strings"
	"testing"
	"time"
)

func TestReadProperties(t *testing.T) {
	in := `# Kafka's connect-distributed.properties style
bootstrap.servers=localhost:9092
! another comment
key.converter = org.apache.kafka.connect.json.JsonConverter
value.converter: org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable true
listeners=http://:8083,\
    http://127.0.0.1:8084
escaped\ key=tab\there \u00e9
empty=
`
	got, err := ReadProperties(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"bootstrap.servers":            "localhost:9092",
		"key.converter":                "org.apache.kafka.connect.json.JsonConverter",
		"value.converter":              "org.apache.kafka.connect.json.JsonConverter",
		"key.converter.schemas.enable": "true",
		"listeners":                    "http://:8083,http://127.0.0.1:8084",
		"escaped key":                  "tab\there é",
		"empty":                        "",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d keys: %v", len(got), got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%q = %q, want %q", k, got[k], v)
		}
	}
	if _, err := ReadProperties(strings.NewReader(`bad=\u12`)); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("malformed escape: %v", err)
	}
}

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig(map[string]string{
		"bootstrap.servers":              "a:1, b:2",
		"offset.flush.interval.ms":       "1500",
		"value.converter.schemas.enable": "false",
		"producer.linger.ms":             "10",
		"consumer.max.poll.records":      "100",
		"group.id":                       "connect-cluster",
		"config.storage.topic":           "connect-configs",
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.BootstrapServers, "|") != "a:1|b:2" || c.OffsetFlushInterval != 1500*time.Millisecond {
		t.Errorf("parsed %+v", c)
	}
	if c.Converters["value.converter.schemas.enable"] != "false" || c.Converters["key.converter"] == "" {
		t.Errorf("converters %v", c.Converters)
	}
	if c.Producer["linger.ms"] != "10" || c.Consumer["max.poll.records"] != "100" {
		t.Errorf("clients %v %v", c.Producer, c.Consumer)
	}
	if strings.Join(c.Ignored, ",") != "config.storage.topic,group.id" {
		t.Errorf("ignored %v", c.Ignored)
	}

	bad := []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{"no.such.key": "1"}, "no.such.key: unknown or unsupported worker configuration key"},
		{map[string]string{"offset.flush.interval.ms": "soon"}, "offset.flush.interval.ms=soon: not a non-negative number"},
		{map[string]string{"listeners": "https://:8443"}, "only http is supported"},
		{map[string]string{"listeners": "http://host"}, "has no port"},
		{map[string]string{"producer.buffer.memory": "1"}, "producer.buffer.memory: not a supported producer setting"},
		{map[string]string{"consumer.auto.offset.reset": "none"}, "consumer.auto.offset.reset=none"},
		{map[string]string{"security.protocol": "SSL"}, "security.protocol"},
	}
	for _, b := range bad {
		if _, err := ParseConfig(b.props); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%v: err = %v, want it to contain %q", b.props, err, b.want)
		}
	}
}

func TestEnsureNodeIDIsStable(t *testing.T) {
	dir := t.TempDir()
	c := &Config{DataDir: dir}
	if err := c.EnsureNodeID(); err != nil {
		t.Fatal(err)
	}
	first := c.NodeID
	c2 := &Config{DataDir: dir}
	if err := c2.EnsureNodeID(); err != nil || c2.NodeID != first {
		t.Fatalf("second start: %q, %v; want %q", c2.NodeID, err, first)
	}
	c3 := &Config{DataDir: dir, NodeID: "other"}
	if err := c3.EnsureNodeID(); err == nil {
		t.Fatal("a different node.id for the same data.dir must be refused")
	}
}

func TestParseClusterAndRESTKeys(t *testing.T) {
	c, err := ParseConfig(map[string]string{
		"raft.bind.address": "127.0.0.1:7001", "raft.advertised.address": "10.0.0.1:7001",
		"cluster.join": "a:8083, b:8083", "cluster.secret": " s ", "cluster.max.voters": "3",
		"cluster.heartbeat.interval.ms": "500", "cluster.failure.timeout.ms": "4000",
		"rest.server.idle.timeout.ms": "1000", "rest.server.max.connections": "64",
		"access.control.allow.origin": "http://ui:3000", "tasks.max.per.worker": "10",
		"topic.tracking.enable": "false",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.RaftBind != "127.0.0.1:7001" || c.RaftAdvertise != "10.0.0.1:7001" || len(c.ClusterJoin) != 2 || c.ClusterSecret != "s" ||
		c.MaxVoters != 3 || c.HeartbeatInterval != 500*time.Millisecond || c.FailureTimeout != 4*time.Second ||
		c.RestIdleTimeout != time.Second || c.RestMaxConnections != 64 || c.AllowOrigin != "http://ui:3000" ||
		c.TasksMaxPerWorker != 10 || c.TopicTracking {
		t.Fatalf("parsed %+v", c)
	}
	for _, bad := range []map[string]string{
		{"raft.bind.address": "127.0.0.1:7001"}, // no secret
		{"cluster.join": "a:8083"},              // no raft address
		{"cluster.heartbeat.interval.ms": "5000", "cluster.failure.timeout.ms": "1000"},
		{"tasks.max.per.connector": "0"},
	} {
		if _, err := ParseConfig(bad); err == nil {
			t.Errorf("ParseConfig(%v) accepted it", bad)
		}
	}
}
