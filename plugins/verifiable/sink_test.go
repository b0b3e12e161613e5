package verifiable

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

func startSink(t *testing.T, config map[string]string) *SinkTask {
	t.Helper()
	clock := newFakeClock(time.Millisecond)
	task := &SinkTask{now: clock.Now}
	if err := task.Start(nil, config); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := task.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return task
}

// sourced is a record as the verifiable source writes it: key the source task, value seqno.
func sourced(topic string, partition int32, offset int64, task int32, seqno int64) *connect.SinkRecord {
	return &connect.SinkRecord{
		Record: connect.Record{Topic: topic, Partition: partition, KeySchema: connect.Int32Schema, Key: task,
			ValueSchema: connect.Int64Schema, Value: seqno},
		Offset: offset, OriginalTopic: topic, OriginalPartition: partition, OriginalOffset: offset,
	}
}

// Put writes Kafka's line per record; Flush writes it again, flushed, for the partitions being
// committed, and keeps the others for a later flush.
func TestSinkLines(t *testing.T) {
	path := tempFile(t)
	task := startSink(t, map[string]string{"name": "verifiable-sink", "id": "1", "output.file": path})
	ctx := context.Background()
	if err := task.Put(ctx, []*connect.SinkRecord{
		sourced("verifiable", 0, 7, 0, 3),
		sourced("verifiable", 1, 4, 2, 9),
		sourced("verifiable", 0, 8, 0, 4),
	}); err != nil {
		t.Fatal(err)
	}
	if err := task.Flush(ctx, map[connect.TopicPartition]int64{{Topic: "verifiable", Partition: 0}: 9}); err != nil {
		t.Fatal(err)
	}
	if err := task.Flush(ctx, map[connect.TopicPartition]int64{{Topic: "verifiable", Partition: 0}: 9, {Topic: "verifiable", Partition: 1}: 5}); err != nil {
		t.Fatal(err)
	}
	// The fake clock starts at 1700000000000 ms and moves 1 ms per reading, once per Put or Flush.
	want := []string{
		`{"task":0,"seqno":3,"offset":7,"time_ms":1700000000000,"name":"verifiable-sink","topic":"verifiable","sinkTask":1}`,
		`{"task":2,"seqno":9,"offset":4,"time_ms":1700000000000,"name":"verifiable-sink","topic":"verifiable","sinkTask":1}`,
		`{"task":0,"seqno":4,"offset":8,"time_ms":1700000000000,"name":"verifiable-sink","topic":"verifiable","sinkTask":1}`,
		`{"task":0,"seqno":3,"offset":7,"time_ms":1700000000001,"name":"verifiable-sink","topic":"verifiable","sinkTask":1,"flushed":true}`,
		`{"task":0,"seqno":4,"offset":8,"time_ms":1700000000001,"name":"verifiable-sink","topic":"verifiable","sinkTask":1,"flushed":true}`,
		`{"task":2,"seqno":9,"offset":4,"time_ms":1700000000002,"name":"verifiable-sink","topic":"verifiable","sinkTask":1,"flushed":true}`,
	}
	if got := readLines(t, path); !reflect.DeepEqual(got, want) {
		t.Errorf("output:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Keys and values that are not the source's numbers are written as JSON all the same, and one
// JSON cannot hold gives Kafka's "Bad data" line.
func TestSinkValues(t *testing.T) {
	schema := connect.StructBuilder().Field("seqno", connect.Int64Schema).Field("name", connect.OptionalStringSchema).MustBuild()
	tests := []struct {
		name       string
		key, value any
		want       string
	}{
		{name: "no key", key: nil, value: int64(1), want: `{"task":null,"seqno":1,`},
		{name: "string key and value", key: "0", value: "a \"quoted\" value", want: `{"task":"0","seqno":"a \"quoted\" value",`},
		{name: "complete record data", key: int32(1), value: connect.NewStruct(schema).MustPut("seqno", int64(5)).MustPut("name", "src"), want: `{"task":1,"seqno":{"seqno":5,"name":"src"},`},
		{name: "bytes", key: int32(1), value: []byte("hi"), want: `{"task":1,"seqno":"aGk=",`},
		{name: "not JSON", key: int32(1), value: make(chan int), want: "Bad data can't be written as json: json: unsupported type: chan int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tempFile(t)
			task := startSink(t, map[string]string{"name": "s", "id": "0", "output.file": path})
			rec := &connect.SinkRecord{Record: connect.Record{Topic: "t", Key: tt.key, Value: tt.value}, OriginalTopic: "t"}
			if err := task.Put(context.Background(), []*connect.SinkRecord{rec}); err != nil {
				t.Fatal(err)
			}
			if got := readLines(t, path)[0]; !strings.HasPrefix(got, tt.want) {
				t.Errorf("line %s, want it to start with %s", got, tt.want)
			}
		})
	}
}

// Offsets name the partition a record was consumed from; a transformation that renamed the
// topic must not keep the record from being flushed.
func TestSinkFlushAfterRenamingTransformation(t *testing.T) {
	path := tempFile(t)
	task := startSink(t, map[string]string{"name": "s", "id": "0", "output.file": path})
	rec := sourced("verifiable", 2, 0, 0, 0)
	rec.Topic, rec.Partition = "renamed", 0
	ctx := context.Background()
	if err := task.Put(ctx, []*connect.SinkRecord{rec}); err != nil {
		t.Fatal(err)
	}
	if err := task.Flush(ctx, map[connect.TopicPartition]int64{{Topic: "verifiable", Partition: 2}: 1}); err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, path)
	if len(lines) != 2 || !strings.Contains(lines[1], `"topic":"renamed","sinkTask":0,"flushed":true`) {
		t.Errorf("output %q, want the received line and its flushed line", lines)
	}
}

// Several tasks appending to one file never split each other's lines.
func TestSinkTasksShareFile(t *testing.T) {
	path := tempFile(t)
	const tasks, batches, perBatch = 4, 50, 20
	var wg sync.WaitGroup
	for id := range tasks {
		task := startSink(t, map[string]string{"name": "s", "id": fmt.Sprint(id), "output.file": path})
		wg.Go(func() {
			ctx := context.Background()
			for b := range batches {
				var recs []*connect.SinkRecord
				for i := range perBatch {
					n := int64(b*perBatch + i)
					recs = append(recs, sourced("verifiable", int32(id), n, int32(id), n))
				}
				if err := task.Put(ctx, recs); err != nil {
					t.Error(err)
					return
				}
				if err := task.Flush(ctx, map[connect.TopicPartition]int64{{Topic: "verifiable", Partition: int32(id)}: int64(b*perBatch + perBatch)}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	lines := readLines(t, path)
	if want := 2 * tasks * batches * perBatch; len(lines) != want {
		t.Fatalf("%d lines, want %d", len(lines), want)
	}
	for i, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Fatalf("line %d is not JSON: %s", i+1, l)
		}
	}
	rep, err := CheckFile(path, "s", Flushed)
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Verify(Expect{Tasks: tasks, MinSeqno: batches*perBatch - 1}); err != nil {
		t.Error(err)
	}
}

// Without an output file the lines go only to the log, at debug level.
func TestSinkLogsLines(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(old)

	task := startSink(t, map[string]string{"name": "s", "id": "3"})
	if err := task.Put(context.Background(), []*connect.SinkRecord{sourced("t", 0, 5, 1, 2)}); err != nil {
		t.Fatal(err)
	}
	var entry struct {
		Msg       string
		Connector string
		Task      int
		JSON      string
	}
	for l := range strings.Lines(buf.String()) {
		if strings.Contains(l, `"msg":"VerifiableSinkTask"`) {
			if err := json.Unmarshal([]byte(l), &entry); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := `{"task":1,"seqno":2,"offset":5,"time_ms":1700000000000,"name":"s","topic":"t","sinkTask":3}`
	if entry.JSON != want || entry.Connector != "s" || entry.Task != 3 {
		t.Errorf("log entry %+v, want connector s, task 3 and json %s\nlog:\n%s", entry, want, buf.String())
	}
}
