package verifiable

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

func sourceConfig(extra ...string) map[string]string {
	c := map[string]string{"name": "verifiable-source", "id": "2", "topic": "verifiable", "throughput": "-1"}
	for i := 0; i+1 < len(extra); i += 2 {
		c[extra[i]] = extra[i+1]
	}
	return c
}

// Each record is what Kafka's task makes: key the task number (INT32), value the sequence
// number (INT64), any partition, source partition {"id": task} and offset {"seqno": n}; and
// each one is described by the line Kafka prints.
func TestSourceSequence(t *testing.T) {
	path := tempFile(t)
	task, _ := startSource(t, sourceConfig("output.file", path), nil)
	recs := pollN(t, task, 3)
	for i, r := range recs {
		want := &connect.SourceRecord{
			Record: connect.Record{
				Topic: "verifiable", Partition: connect.PartitionAny,
				KeySchema: connect.Int32Schema, Key: int32(2),
				ValueSchema: connect.Int64Schema, Value: int64(i),
			},
			SourcePartition: map[string]any{"id": int32(2)},
			SourceOffset:    map[string]any{"seqno": int64(i)},
		}
		if !reflect.DeepEqual(r, want) {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, r, want)
		}
	}
	// The fake clock starts at 1700000000000 ms and moves 1 ms per reading; Start read it once.
	want := []string{
		`{"task":2,"seqno":0,"time_ms":1700000000002,"name":"verifiable-source","topic":"verifiable"}`,
		`{"task":2,"seqno":1,"time_ms":1700000000004,"name":"verifiable-source","topic":"verifiable"}`,
		`{"task":2,"seqno":2,"time_ms":1700000000006,"name":"verifiable-source","topic":"verifiable"}`,
	}
	if got := readLines(t, path); !reflect.DeepEqual(got, want) {
		t.Errorf("output:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSourceCompleteRecordData(t *testing.T) {
	task, _ := startSource(t, sourceConfig("complete.record.data", "true"), nil)
	r := pollN(t, task, 2)[1]
	st, ok := r.Value.(*connect.Struct)
	if !ok || r.ValueSchema != completeValueSchema {
		t.Fatalf("value %T with schema %v, want a struct of the complete schema", r.Value, r.ValueSchema)
	}
	if err := st.Validate(); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(st.Get("name"), " ", st.Get("task"), " ", st.Get("topic"), " ", st.Get("time_ms"), " ", st.Get("seqno"))
	if want := "verifiable-source 2 verifiable 1700000000004 1"; got != want {
		t.Errorf("struct fields %q, want %q", got, want)
	}
	if r.SourceOffset["seqno"] != int64(1) {
		t.Errorf("offset %v, want seqno 1", r.SourceOffset)
	}
}

// A restarted task continues after the committed sequence number, as Kafka's does.
func TestSourceResume(t *testing.T) {
	tests := []struct {
		name      string
		committed map[string]any
		readErr   error
		first     int64
		err       string
	}{
		{name: "nothing committed", committed: nil, first: 0},
		{name: "committed seqno", committed: map[string]any{"seqno": int64(41)}, first: 42},
		{name: "committed seqno 0", committed: map[string]any{"seqno": int64(0)}, first: 1},
		{name: "seqno written as a float", committed: map[string]any{"seqno": 41.0}, first: 42},
		{name: "offset without seqno", committed: map[string]any{"other": int64(1)}, first: 0},
		{name: "seqno not a number", committed: map[string]any{"seqno": "x"}, err: `the committed offset map[seqno:x] has "seqno" x, which is not a whole number`},
		{name: "seqno a fraction", committed: map[string]any{"seqno": 1.5}, err: "which is not a whole number"},
		{name: "offset store failing", readErr: errors.New("store unavailable"), err: "verifiable source task verifiable-source-2: cannot read the committed offset: store unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock(time.Millisecond)
			task := &SourceTask{now: clock.Now, sleep: clock.Sleep}
			reader := &offsets{offset: tt.committed, err: tt.readErr}
			config := sourceConfig()
			err := task.Start(sourceTaskContext{config, reader}, config)
			if !reflect.DeepEqual(reader.asked, map[string]any{"id": int32(2)}) {
				t.Errorf("asked for the offset of partition %v, want {id: 2}", reader.asked)
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Start error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer task.Stop()
			recs := pollN(t, task, 2)
			if recs[0].Value != tt.first || recs[1].Value != tt.first+1 {
				t.Errorf("sequence %v, %v; want %d, %d", recs[0].Value, recs[1].Value, tt.first, tt.first+1)
			}
		})
	}
}

// CommitRecord writes Kafka's "committed" line, also for a record a transformation dropped.
func TestSourceCommitRecord(t *testing.T) {
	path := tempFile(t)
	task, _ := startSource(t, sourceConfig("output.file", path, "complete.record.data", "true"), nil)
	recs := pollN(t, task, 2)
	if err := task.CommitRecord(recs[0], &connect.RecordMetadata{Topic: "verifiable", Partition: 1, Offset: 10}); err != nil {
		t.Fatal(err)
	}
	if err := task.CommitRecord(recs[1], nil); err != nil {
		t.Fatal(err)
	}
	if err := task.Commit(); err != nil {
		t.Fatal(err)
	}
	got := readLines(t, path)[2:]
	want := []string{
		`{"committed":true,"task":2,"seqno":0,"time_ms":1700000000005,"name":"verifiable-source","topic":"verifiable"}`,
		`{"committed":true,"task":2,"seqno":1,"time_ms":1700000000006,"name":"verifiable-source","topic":"verifiable"}`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("committed lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A late acknowledgement after Stop is not an error: the task is gone.
	if err := task.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := task.CommitRecord(recs[1], nil); err != nil {
		t.Errorf("CommitRecord after Stop: %v", err)
	}
}

// The throttler asks for the waits Kafka's ThroughputThrottler sleeps.
func TestThrottlerDelay(t *testing.T) {
	start := time.UnixMilli(0)
	at := func(ms int64) time.Time { return start.Add(time.Duration(ms) * time.Millisecond) }
	type step struct {
		sent    int64
		now     time.Time
		delay   time.Duration
		forever bool
	}
	tests := []struct {
		name   string
		target int64
		steps  []step
	}{
		{name: "unthrottled", target: -1, steps: []step{{1_000_000, at(1), 0, false}}},
		{name: "no time has passed yet", target: 10, steps: []step{{100, at(0), 0, false}}},
		{name: "on schedule", target: 10, steps: []step{{10, at(1000), 0, false}, {5, at(1000), 0, false}}},
		{name: "ahead: one record's worth", target: 10, steps: []step{{11, at(1000), 100 * time.Millisecond, false}, {12, at(1000), 100 * time.Millisecond, false}}},
		{
			// 1000/s is 1 ms a record, below the 2 ms worth sleeping: every second throttled
			// record sleeps 2 ms.
			name: "short waits add up", target: 1000,
			steps: []step{{20, at(10), 0, false}, {21, at(10), 2 * time.Millisecond, false}, {22, at(10), 0, false}, {23, at(10), 2 * time.Millisecond, false}},
		},
		{name: "zero: the first record only", target: 0, steps: []step{{0, at(5), 0, false}, {1, at(5), 0, true}, {1, at(60_000), 0, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := newThrottler(tt.target, start)
			for i, s := range tt.steps {
				d, forever := th.delay(s.sent, s.now)
				if d != s.delay || forever != s.forever {
					t.Errorf("step %d: delay(%d, +%v) = %v, %v; want %v, %v", i, s.sent, s.now.Sub(start), d, forever, s.delay, s.forever)
				}
			}
		})
	}
}

// Over a run, the task keeps to its throughput, measured on the fake clock, so the test does
// not depend on how busy the machine is.
func TestSourceKeepsThroughput(t *testing.T) {
	for _, throughput := range []int{10, 100, 400} {
		t.Run(fmt.Sprint(throughput), func(t *testing.T) {
			task, clock := startSource(t, sourceConfig("throughput", fmt.Sprint(throughput)), nil)
			start := clock.Now()
			n := 4 * throughput // four seconds' worth
			pollN(t, task, n)
			elapsed := clock.Now().Sub(start).Seconds()
			if rate := float64(n) / elapsed; rate > float64(throughput)*1.05 || rate < float64(throughput)*0.9 {
				t.Errorf("%d records in %.3fs of task time: %.1f/s, want about %d/s", n, elapsed, rate, throughput)
			}
		})
	}
}

// With throughput 0 the task produces one record and then waits, returning nothing, until it
// is stopped; each Poll hands control back to the runtime after maxWait.
func TestSourceThroughputZero(t *testing.T) {
	task, clock := startSource(t, sourceConfig("throughput", "0"), nil)
	pollN(t, task, 1)
	for range 3 {
		recs, err := task.Poll(context.Background())
		if err != nil || len(recs) != 0 {
			t.Fatalf("Poll = %v, %v; want nothing", recs, err)
		}
	}
	if want := []time.Duration{time.Second, time.Second, time.Second}; !reflect.DeepEqual(clock.sleeps, want) {
		t.Errorf("waits %v, want %v", clock.sleeps, want)
	}
}

// Stop, like Kafka's wakeup, and a cancelled context end a throttled wait at once; the record
// not produced yet comes with the next Poll, so no sequence number is skipped.
func TestSourceWaitInterrupted(t *testing.T) {
	for _, how := range []string{"stop", "cancel"} {
		t.Run(how, func(t *testing.T) {
			config := sourceConfig("throughput", "0")
			task := &SourceTask{maxWait: time.Hour} // the real clock: only an interruption ends the wait
			if err := task.Start(nil, config); err != nil {
				t.Fatal(err)
			}
			defer task.Stop()
			pollN(t, task, 1)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan []*connect.SourceRecord)
			go func() {
				recs, _ := task.Poll(ctx)
				done <- recs
			}()
			if how == "stop" {
				task.Stop()
			} else {
				cancel()
			}
			select {
			case recs := <-done:
				if len(recs) != 0 {
					t.Errorf("interrupted Poll returned %v", recs)
				}
			case <-time.After(time.Minute):
				t.Fatal("Poll still waiting after the interruption")
			}
		})
	}
	// A throttled wait cut short leaves the next seqno for the next Poll.
	clock := newFakeClock(time.Millisecond)
	interrupted := false
	task := &SourceTask{now: clock.Now, sleep: func(ctx context.Context, stop <-chan struct{}, d time.Duration) bool {
		if !interrupted {
			interrupted = true
			return false
		}
		return clock.Sleep(ctx, stop, d)
	}}
	config := sourceConfig("throughput", "1")
	if err := task.Start(nil, config); err != nil {
		t.Fatal(err)
	}
	defer task.Stop()
	if r := pollN(t, task, 1)[0]; r.Value != int64(0) {
		t.Fatalf("first record %v, want seqno 0", r.Value)
	}
	if recs, _ := task.Poll(context.Background()); len(recs) != 0 {
		t.Fatalf("interrupted Poll returned %v", recs)
	}
	if r := pollN(t, task, 1)[0]; r.Value != int64(1) {
		t.Errorf("record after the interruption %v, want seqno 1", r.Value)
	}
}
