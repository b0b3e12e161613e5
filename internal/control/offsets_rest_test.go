package control

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/restapi"
)

func TestParseSinkOffsetsMatchesKafka(t *testing.T) {
	off := func(p map[string]any, o map[string]any) restapi.ConnectorOffsets {
		return restapi.ConnectorOffsets{Offsets: []restapi.ConnectorOffset{{Partition: p, Offset: o}}}
	}
	tests := []struct {
		in   restapi.ConnectorOffsets
		want string
	}{
		{off(nil, nil), "The partition for a sink connector offset cannot be null or missing"},
		{off(map[string]any{}, nil), "The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'"},
		{off(map[string]any{"kafka_topic": nil, "kafka_partition": int64(0)}, nil), "Kafka topic names must be valid strings and may not be null"},
		{off(map[string]any{"kafka_topic": "t", "kafka_partition": nil}, nil), "Kafka partitions must be valid numbers and may not be null"},
		{off(map[string]any{"kafka_topic": "t", "kafka_partition": "0abc"}, nil), "Failed to parse the following Kafka partition value in the provided offsets: '0abc'"},
		{off(map[string]any{"kafka_topic": "t", "kafka_partition": "1"}, map[string]any{}), "The offset for a sink connector should either be null or contain the key 'kafka_offset'"},
		{off(map[string]any{"kafka_topic": "t", "kafka_partition": int64(1)}, map[string]any{"kafka_offset": "1xyz"}), "Failed to parse the following Kafka offset value in the provided offsets: '1xyz'"},
		{off(map[string]any{"kafka_topic": "t", "kafka_partition": int64(1)}, map[string]any{"kafka_offset": int64(-5)}), "may not be negative"},
		{off(map[string]any{"kafka_topic": "t", "kafka_partition": "3"}, map[string]any{"kafka_offset": "10"}), ""},
	}
	for _, tt := range tests {
		got, err := parseSinkOffsets(tt.in)
		if tt.want == "" {
			if err != nil || len(got) != 1 {
				t.Errorf("%v: %v, %v", tt.in, got, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestSinkOffsetsThroughREST(t *testing.T) {
	c := newCluster(t, nil, "")
	produce(t, c, "so", "a", "b", "c", "d")
	c.do("POST", "/connectors", map[string]any{"name": "snk", "config": map[string]string{"connector.class": "test.worker.MemSinkConnector", "topics": "so", "sink.name": "snk"}, "initial_state": "STOPPED"}, nil)
	c.waitState("snk", "STOPPED")
	var offs restapi.ConnectorOffsets
	if code := c.do("GET", "/connectors/snk/offsets", nil, &offs); code != http.StatusOK || len(offs.Offsets) != 0 {
		t.Fatalf("offsets of a never-started sink: %d %+v", code, offs)
	}
	var msg restapi.Message
	body := map[string]any{"offsets": []map[string]any{{"partition": map[string]any{"kafka_topic": "so", "kafka_partition": 0}, "offset": map[string]any{"kafka_offset": 2}}}}
	if code := c.do("PATCH", "/connectors/snk/offsets", body, &msg); code != http.StatusOK {
		t.Fatalf("alter: %d %+v", code, msg)
	}
	c.do("GET", "/connectors/snk/offsets", nil, &offs)
	if len(offs.Offsets) != 1 || fmt.Sprint(offs.Offsets[0].Offset["kafka_offset"]) != "2" {
		t.Fatalf("offsets after alter: %+v", offs)
	}
	var e restapi.ErrorMessage
	bad := map[string]any{"offsets": []map[string]any{{"partition": map[string]any{"kafka_topic": "so", "kafka_partition": 7}, "offset": map[string]any{"kafka_offset": 1}}}}
	start := time.Now()
	if code := c.do("PATCH", "/connectors/snk/offsets", bad, &e); code != http.StatusInternalServerError || !strings.Contains(e.Message, "no partition 7") || time.Since(start) > 10*time.Second {
		t.Fatalf("alter of a missing partition: %d %+v after %s", code, e, time.Since(start))
	}
	// Resuming consumes from the altered offset.
	c.do("PUT", "/connectors/snk/resume", nil, nil)
	eventually(t, 20*time.Second, "records from offset 2", func() bool {
		sinkData.Lock()
		defer sinkData.Unlock()
		return strings.Join(sinkData.values["snk"], ",") == "c,d"
	})
	// PATCH of config after DELETE answers 404 and does not bring the connector back.
	c.do("DELETE", "/connectors/snk", nil, nil)
	if code := c.do("PATCH", "/connectors/snk/config", map[string]string{"x": "y"}, &e); code != http.StatusNotFound {
		t.Fatalf("PATCH after DELETE: %d %+v", code, e)
	}
	var names []string
	c.do("GET", "/connectors", nil, &names)
	if len(names) != 0 {
		t.Fatalf("connectors after PATCH of a deleted one: %v", names)
	}
}
