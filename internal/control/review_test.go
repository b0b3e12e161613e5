package control

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/restapi"
)

// A paused connector must settle: re-applying an unchanged target state writes nothing.
func TestPausedConnectorSettles(t *testing.T) {
	c := newCluster(t, nil, "")
	c.do("POST", "/connectors", map[string]any{"name": "p", "config": map[string]string{"connector.class": "SeqSource", "topic": "p"}, "initial_state": "PAUSED"}, nil)
	c.waitState("p", "PAUSED")
	time.Sleep(300 * time.Millisecond)
	before := c.store.LastIndex()
	time.Sleep(time.Second)
	if grew := c.store.LastIndex() - before; grew > 2 {
		t.Fatalf("the Raft log grew by %d entries in 1 s for an idle paused connector", grew)
	}
}

// Stopping a connector keeps the offsets its tasks committed while stopping.
func TestStopKeepsFinalSourceOffsets(t *testing.T) {
	c := newClusterWith(t, nil, "", map[string]string{"offset.flush.interval.ms": "3600000"})
	c.do("POST", "/connectors", createReq("s", map[string]string{"connector.class": "SeqSource", "topic": "s", "limit": "500"}), nil)
	eventually(t, 20*time.Second, "500 records", func() bool { return len(topicValues(t, c.broker, "s")) == 500 })
	if code := c.do("PUT", "/connectors/s/stop", nil, nil); code != http.StatusNoContent {
		t.Fatalf("stop: %d", code)
	}
	c.waitState("s", "STOPPED")
	eventually(t, 10*time.Second, "final offset committed on stop", func() bool {
		var offs restapi.ConnectorOffsets
		c.do("GET", "/connectors/s/offsets", nil, &offs)
		return len(offs.Offsets) == 1 && fmt.Sprint(offs.Offsets[0].Offset["n"]) == "499"
	})
	c.do("PUT", "/connectors/s/resume", nil, nil)
	c.waitState("s", "RUNNING", "RUNNING")
	time.Sleep(500 * time.Millisecond)
	if n := len(topicValues(t, c.broker, "s")); n != 500 {
		t.Fatalf("after stop and resume the topic holds %d records, want 500", n)
	}
}

// A failed flush rewinds to the committed offsets: nothing the sink lost is skipped.
func TestSinkFlushFailureLosesNothing(t *testing.T) {
	c := newCluster(t, nil, "")
	c.do("POST", "/connectors", createReq("src", map[string]string{"connector.class": "SeqSource", "topic": "f", "limit": "300"}), nil)
	eventually(t, 20*time.Second, "300 records", func() bool { return len(topicValues(t, c.broker, "f")) == 300 })
	c.do("POST", "/connectors", createReq("snk", map[string]string{"connector.class": "test.worker.MemSinkConnector", "topics": "f", "sink.name": "snk", "fail.first.flush": "true"}), nil)
	eventually(t, 30*time.Second, "every record flushed", func() bool {
		sinkData.Lock()
		defer sinkData.Unlock()
		seen := map[string]bool{}
		for _, v := range sinkData.values["snk"][:sinkData.flushed["snk"]] {
			seen[v] = true
		}
		return len(seen) == 300
	})
}

// A sink that seeks in Open (it keeps its own offsets) starts there, without rebalancing
// again and again.
func TestSinkSeekInOpen(t *testing.T) {
	c := newCluster(t, nil, "")
	produce(t, c, "seek", "r0", "r1", "r2", "r3", "r4")
	c.do("POST", "/connectors", createReq("snk", map[string]string{"connector.class": "test.worker.MemSinkConnector", "topics": "seek", "sink.name": "snk", "seek.open": "3"}), nil)
	eventually(t, 20*time.Second, "records from offset 3", func() bool {
		sinkData.Lock()
		defer sinkData.Unlock()
		got := append([]string(nil), sinkData.values["snk"]...)
		sort.Strings(got)
		return strings.Join(got, ",") == "r3,r4"
	})
	time.Sleep(time.Second)
	sinkData.Lock()
	defer sinkData.Unlock()
	if n := sinkData.opens["snk"]; n > 2 {
		t.Fatalf("Open called %d times: seeking must not rebalance in a loop", n)
	}
	if got := strings.Join(sinkData.values["snk"], ","); got != "r3,r4" {
		t.Fatalf("sink received %q", got)
	}
}

// Changing framework settings of a connector (here its transforms) restarts its tasks.
func TestConnectorConfigChangeRestartsTasks(t *testing.T) {
	c := newCluster(t, nil, "")
	cfg := map[string]string{"connector.class": "SeqSource", "topic": "lo", "limit": "1000000"}
	c.do("POST", "/connectors", createReq("s", cfg), nil)
	eventually(t, 20*time.Second, "records in lo", func() bool { return len(topicValues(t, c.broker, "lo")) > 0 })
	cfg["transforms"] = "up"
	cfg["transforms.up.type"] = "test.worker.UpperTopic"
	cfg["name"] = "s"
	if code := c.do("PUT", "/connectors/s/config", cfg, nil); code != http.StatusOK {
		t.Fatalf("put config: %d", code)
	}
	eventually(t, 20*time.Second, "records in LO after the transform was added", func() bool { return len(topicValues(t, c.broker, "LO")) > 0 })
	c.do("PUT", "/connectors/s/stop", nil, nil)
}
