package integration

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/plugins/verifiable"
)

// TestClusterBounce is Kafka's distributed Connect system test test_bounce
// (tests/kafkatest/tests/connect/connect_distributed_test.py): VerifiableSource → topic →
// VerifiableSink on three workers while each worker in turn is restarted, three rounds, then
// the check that no sequence number went missing. Kafka runs it clean or hard; this runs both,
// alternating SIGTERM and SIGKILL, and instead of Kafka's fixed 15 s after each bounce it waits
// for every task to be RUNNING and the sink to flush more records.
func TestClusterBounce(t *testing.T) {
	if testing.Short() {
		t.Skip("about 90 s")
	}
	testStart := time.Now()
	c := startCluster(t, 3, clusterOpts{})
	const (
		topic  = "bounce"
		source = "bounce-source"
		sink   = "bounce-sink"
		tasks  = 3
		rounds = 3
		// After each bounce the sink must have flushed progress more records (the source
		// makes about 300 a second) and the next bounce waits until spacing has passed.
		progress = 500
		spacing  = 6 * time.Second
	)
	createTopic(t, c.broker.addr, topic, tasks)
	out := filepath.Join(c.dir, "verifiable.jsonl")
	c.nodes[0].create(t, source, verifiableSource(topic, out, tasks, 100))
	c.nodes[1].create(t, sink, verifiableSink(topic, out, tasks))
	want := map[string]int{source: tasks, sink: tasks}
	c.waitTasks(t, want, 30*time.Second)
	flushed := func() int {
		rep, err := verifiable.CheckFile(out, sink, verifiable.Flushed)
		if err != nil {
			return 0
		}
		n := 0
		for _, tr := range rep.Tasks {
			n += tr.Records
		}
		return n
	}
	eventually(t, 20*time.Second, "the sink flushes records", func() (bool, string) {
		n := flushed()
		return n > 0, fmt.Sprintf("%d flushed", n)
	})

	hard, clean := 0, 0
	for round := range rounds {
		for i := range c.nodes {
			n := c.nodes[i]
			before := flushed()
			t0 := time.Now()
			how := "clean"
			if (round+i)%2 == 1 {
				how = "hard"
				hard++
				c.kill(i)
			} else {
				clean++
				if code := c.term(i, 30*time.Second); code != 0 {
					t.Errorf("round %d: %s exited %d after SIGTERM; want 0", round+1, n.name, code)
				}
			}
			down := time.Since(t0)
			c.restart(i)
			up := time.Since(t0)
			c.waitTasks(t, want, 30*time.Second)
			running := time.Since(t0)
			eventually(t, 30*time.Second, "the sink flushes more records", func() (bool, string) {
				n := flushed()
				return n > before+progress, fmt.Sprintf("%d flushed, %d before the bounce", n, before)
			})
			t.Logf("round %d, %s bounce of %s: stopped in %v, answering after %v, every task RUNNING after %v, %d more records flushed after %v",
				round+1, how, n.name, down.Round(time.Millisecond), up.Round(time.Millisecond), running.Round(time.Millisecond),
				progress, time.Since(t0).Round(time.Millisecond))
			// Kafka's test sleeps 15 s after each bounce for the groups to settle; this keeps
			// the bounces at least spacing apart.
			time.Sleep(time.Until(t0.Add(spacing)))
		}
	}

	// Stop the source and let the sink catch up with everything it acknowledged.
	c.any().expect(t, http.MethodPut, "/connectors/"+source+"/pause", nil, http.StatusAccepted)
	c.any().waitState(t, source, "PAUSED", 20*time.Second)
	var srcRep, sinkRep *verifiable.Report
	eventually(t, 30*time.Second, "the sink flushed every record the source committed", func() (bool, string) {
		var err error
		if srcRep, err = verifiable.CheckFile(out, source, verifiable.Committed); err != nil {
			return false, err.Error()
		}
		if sinkRep, err = verifiable.CheckFile(out, sink, verifiable.Flushed); err != nil {
			return false, err.Error()
		}
		for id := range int64(tasks) {
			if s, k := srcRep.Task(id).Max, sinkRep.Task(id).Max; k < s {
				return false, fmt.Sprintf("task %d: source committed up to %d, sink flushed up to %d", id, s, k)
			}
		}
		return true, ""
	})
	for _, rep := range []*verifiable.Report{srcRep, sinkRep} {
		for _, tr := range rep.Tasks {
			t.Logf("%s task %d (%s): %d records, highest seqno %d, %d missing, %d duplicates",
				rep.Connector, tr.Task, rep.Kind, tr.Records, tr.Max, tr.Missing, tr.Duplicates)
		}
	}
	if err := verifiable.VerifyRun(srcRep, sinkRep, verifiable.Expect{Tasks: tasks, AllowDuplicates: true, MinSeqno: 1000}); err != nil {
		t.Error(err)
	}
	t.Logf("%d clean and %d hard bounces over %d rounds; the test took %v", clean, hard, rounds, time.Since(testStart).Round(time.Millisecond))
}

// BenchmarkClusterFailover measures the time from SIGKILL of a worker running tasks to every
// task RUNNING on the others: the median of at least three runs (b.N if more), with the
// default failure timeout and with cluster.failure.timeout.ms=1000.
func BenchmarkClusterFailover(b *testing.B) {
	if testing.Short() {
		b.Skip("multi-process benchmark")
	}
	for _, bc := range []struct {
		name  string
		extra []string
	}{
		{"default", nil},
		{"timeout-1s", []string{"cluster.failure.timeout.ms=1000", "cluster.heartbeat.interval.ms=200"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := startCluster(b, 3, clusterOpts{extra: bc.extra})
			out := filepath.Join(c.dir, "verifiable.jsonl")
			want := map[string]int{"fo-a": 3, "fo-b": 3}
			for name, n := range want {
				c.any().create(b, name, verifiableSource(name, out, n, 10))
			}
			var runs []time.Duration
			b.ResetTimer()
			for r := 0; r < max(3, b.N); r++ {
				sts := c.waitTasks(b, want, 60*time.Second)
				l := c.waitLeader(b, 30*time.Second)
				victim, _ := c.followerWithTasks(b, l, sts)
				dead := c.nodes[victim].workerID()
				t0 := time.Now()
				c.kill(victim)
				c.waitTasks(b, want, 60*time.Second, dead)
				runs = append(runs, time.Since(t0))
				c.restart(victim)
			}
			b.StopTimer()
			b.Logf("%s: SIGKILL → every task RUNNING: %v", bc.name, runs)
			b.ReportMetric(float64(median(runs).Milliseconds()), "recover-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkClusterRESTWrite measures POST /connectors (a stopped connector) answered by the
// leader and by a follower, which forwards it: the median of 50 creates each.
func BenchmarkClusterRESTWrite(b *testing.B) {
	if testing.Short() {
		b.Skip("multi-process benchmark")
	}
	c := startCluster(b, 3, clusterOpts{})
	out := filepath.Join(c.dir, "verifiable.jsonl")
	l := c.waitLeader(b, 10*time.Second)
	f := c.followers(l)[0]
	const writes = 50
	n := 0
	measure := func(i int) time.Duration {
		var took []time.Duration
		for range max(writes, b.N) {
			name := "w-" + strconv.Itoa(n)
			n++
			t0 := time.Now()
			c.nodes[i].expect(b, http.MethodPost, "/connectors", map[string]any{
				"name": name, "config": verifiableSource(name, out, 1, 1), "initial_state": "STOPPED",
			}, http.StatusCreated)
			took = append(took, time.Since(t0))
		}
		return median(took)
	}
	b.ResetTimer()
	leader := measure(l)
	follower := measure(f)
	b.StopTimer()
	b.Logf("POST /connectors median: leader %s %v, follower %s %v", c.nodes[l].name, leader, c.nodes[f].name, follower)
	b.ReportMetric(float64(leader.Microseconds())/1000, "leader-ms")
	b.ReportMetric(float64(follower.Microseconds())/1000, "follower-ms")
	b.ReportMetric(0, "ns/op")
}
