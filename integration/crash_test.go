package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/raftconnect/raftconnect/internal/kafkaclient"
)

// crashTopic has three partitions so that three sink tasks each own one and a crash leaves
// three dead members in the sink's consumer group.
const (
	crashTopic      = "crash-test"
	crashPartitions = 3
	crashSink       = "crash-sink"
	crashSource     = "crash-source"
)

// recoveryBound is how long after the last restart every line must be in the output. A
// restarted sink task takes its dead predecessor's place in the group at once (static
// membership); without that the group waits for the dead members' sessions (10 s), so the
// bound is a session timeout plus a margin for a loaded two-core machine running -race.
const recoveryBound = 10*time.Second + 35*time.Second

// crashRun is one source → topic (3 partitions) → sink run with SIGKILLs along the way.
type crashRun struct {
	dir, in, out string
	broker       *broker
	setup        workerSetup
	w            *worker
	kafka        *kafka
}

func newCrashRun(t *testing.T) *crashRun {
	t.Helper()
	dir := t.TempDir()
	r := &crashRun{dir: dir, in: filepath.Join(dir, "in.txt"), out: filepath.Join(dir, "out.txt")}
	r.broker = startBroker(t, dir)
	createTopic(t, r.broker.addr, crashTopic, crashPartitions)
	r.setup = workerSetup{dir: dir, broker: r.broker.addr, dataDir: filepath.Join(dir, "data")}
	r.w = startWorker(t, r.setup)
	r.setup.port = r.w.port
	r.kafka = newKafka(t, r.broker.addr)
	if err := os.WriteFile(r.in, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r.w.create(t, crashSource, map[string]string{
		"connector.class": "FileStreamSource", "tasks.max": "1", "file": r.in, "topic": crashTopic,
	})
	r.w.create(t, crashSink, map[string]string{
		"connector.class": "FileStreamSink", "tasks.max": strconv.Itoa(crashPartitions), "file": r.out, "topics": crashTopic,
	})
	r.w.waitState(t, crashSource, "RUNNING", flowTimeout)
	st := r.w.waitState(t, crashSink, "RUNNING", flowTimeout)
	if len(st.Tasks) != crashPartitions {
		t.Fatalf("sink runs %d tasks; want %d", len(st.Tasks), crashPartitions)
	}
	return r
}

// createTopic creates a topic with the given partitions through the admin API, as a user
// would before starting connectors.
func createTopic(t *testing.T, addr, name string, partitions int32) {
	t.Helper()
	admin, err := sarama.NewClusterAdmin([]string{addr}, kafkaclient.Admin("crash-test-admin"))
	if err != nil {
		t.Fatalf("admin client of %s: %v", addr, err)
	}
	defer admin.Close()
	if err := admin.CreateTopic(name, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: 1}, false); err != nil {
		t.Fatalf("creating topic %s: %v", name, err)
	}
}

// kill SIGKILLs the worker and starts it again on the same port and data dir.
func (r *crashRun) killAndRestart(t *testing.T) {
	t.Helper()
	r.w.kill()
	r.w = startWorker(t, r.setup)
}

// sinkCommitted sums the consumer offsets the sink has committed over the topic's partitions
// (GET offsets), or -1 when they cannot be read.
func (r *crashRun) sinkCommitted() int64 {
	status, body, err := r.w.try(http.MethodGet, "/connectors/"+crashSink+"/offsets", nil)
	if err != nil || status != http.StatusOK {
		return -1
	}
	var offs struct {
		Offsets []struct {
			Offset struct {
				Offset int64 `json:"kafka_offset"`
			} `json:"offset"`
		} `json:"offsets"`
	}
	if json.Unmarshal(body, &offs) != nil {
		return -1
	}
	var n int64
	for _, o := range offs.Offsets {
		n += o.Offset.Offset
	}
	return n
}

// distinct counts the distinct lines of the output.
func distinct(lines []string) int {
	seen := make(map[string]struct{}, len(lines))
	for _, l := range lines {
		seen[l] = struct{}{}
	}
	return len(seen)
}

// waitDelivered waits until the output holds every one of total lines, failing after bound,
// and returns how long it took.
func (r *crashRun) waitDelivered(t *testing.T, total int, bound time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	last, lastChange := -1, start
	for {
		n := distinct(readLines(t, r.out))
		if n >= total {
			return time.Since(start)
		}
		if n != last {
			last, lastChange = n, time.Now()
		}
		if time.Since(start) > bound {
			t.Fatalf("after the last restart the output holds %d distinct of %d lines after %v (no progress for %v); sink status: %s",
				n, total, bound, time.Since(lastChange).Round(time.Millisecond), r.sinkStatus())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// sinkStatus renders the sink's status for a failure message.
func (r *crashRun) sinkStatus() string {
	status, body, err := r.w.try(http.MethodGet, "/connectors/"+crashSink+"/status", nil)
	if err != nil || status != http.StatusOK {
		return fmt.Sprintf("%d %s %v", status, body, err)
	}
	var st connectorStatus
	if err := json.Unmarshal(body, &st); err != nil {
		return string(body)
	}
	var traces []string
	for _, tk := range st.Tasks {
		if tk.Trace != "" {
			traces = append(traces, fmt.Sprintf("task %d: %s", tk.ID, firstLine(tk.Trace)))
		}
	}
	return st.states() + " " + strings.Join(traces, "; ")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// check verifies the output and reports missing (a failure) and duplicated lines, and that
// every partition of the topic carried lines.
func (r *crashRun) check(t *testing.T, total int) (outDups, topicDups int) {
	t.Helper()
	out := readLines(t, r.out)
	outDups = checkLines(t, "output", out, total)
	topicDups = checkLines(t, "topic", r.kafka.values(t, crashTopic), total)
	for p := range int32(crashPartitions) {
		hwm, err := r.kafka.client.GetOffset(crashTopic, p, sarama.OffsetNewest)
		if err != nil {
			t.Fatalf("high watermark of %s-%d: %v", crashTopic, p, err)
		}
		if hwm == 0 {
			t.Errorf("partition %d of %s received no records: the run did not exercise %d sink tasks", p, crashTopic, crashPartitions)
		}
	}
	r.w.waitState(t, crashSink, "RUNNING", flowTimeout)
	return outDups, topicDups
}

// TestSinkRecoversAfterFiveCrashes is the reported run: a file source into a topic with three
// partitions, a file sink with three tasks, and five SIGKILLs spread over the lines, each
// followed by a restart on the same data dir. After the last restart every line must reach
// the output within recoveryBound. Before the fix the sink's group never settled: a JoinGroup
// the coordinator held while dead members expired outlived the client's 30 s read timeout and
// was retried forever.
func TestSinkRecoversAfterFiveCrashes(t *testing.T) {
	if testing.Short() {
		t.Skip("five worker crashes take about a minute")
	}
	const total, kills = 100_000, 5
	r := newCrashRun(t)
	ctx, cancel := context.WithCancel(context.Background())
	lw := &lineWriter{path: r.in, total: total, chunk: 500, pause: 100 * time.Millisecond}
	lw.start(ctx)
	t.Cleanup(func() { cancel(); <-lw.done })

	var lastRestart time.Time
	for k := 1; k <= kills; k++ {
		at := k * total / (kills + 1)
		eventually(t, 120*time.Second, fmt.Sprintf("line %d written", at), func() (bool, string) {
			n, err := lw.progress()
			if err != nil {
				t.Fatal(err)
			}
			return n >= at, fmt.Sprintf("%d lines written", n)
		})
		n, _ := lw.progress()
		committed := r.sinkCommitted()
		out := len(readLines(t, r.out))
		r.killAndRestart(t)
		lastRestart = time.Now()
		t.Logf("kill %d: SIGKILL with %d lines written, sink committed %d, %d lines in the output; restarted", k, n, committed, out)
	}
	select {
	case <-lw.done:
	case <-time.After(120 * time.Second):
		t.Fatal("the writer did not finish within 120 s")
	}
	if _, err := lw.progress(); err != nil {
		t.Fatal(err)
	}
	took := r.waitDelivered(t, total, recoveryBound)
	outDups, topicDups := r.check(t, total)
	t.Logf("five crashes, %d lines: every line in the output %v after the last restart, %v after the writer finished (bound %v); missing 0, duplicated %d in the output, %d in the topic",
		total, time.Since(lastRestart).Round(time.Millisecond), took.Round(time.Millisecond), recoveryBound, outDups, topicDups)
}

// TestRandomCrashes kills the worker at random points of a source → topic → sink run. The
// seed is logged, and RAFTCONNECT_CRASH_SEED replays a run.
func TestRandomCrashes(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("RAFTCONNECT_CRASH_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("RAFTCONNECT_CRASH_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("seed %d (RAFTCONNECT_CRASH_SEED=%d replays this run)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	const total, kills = 30_000, 3
	r := newCrashRun(t)
	ctx, cancel := context.WithCancel(context.Background())
	lw := &lineWriter{path: r.in, total: total, chunk: 200, pause: 50 * time.Millisecond}
	lw.start(ctx)
	t.Cleanup(func() { cancel(); <-lw.done })

	lastRestart := time.Now()
	for k := 1; k <= kills; k++ {
		// Anywhere from just after the restart (the group still rebalancing) to well into
		// steady delivery.
		d := time.Duration(rng.Int64N(int64(3 * time.Second)))
		time.Sleep(d)
		n, _ := lw.progress()
		committed := r.sinkCommitted()
		out := len(readLines(t, r.out))
		r.killAndRestart(t)
		lastRestart = time.Now()
		t.Logf("kill %d: %v after the previous restart, %d lines written, sink committed %d, %d lines in the output", k, d.Round(time.Millisecond), n, committed, out)
	}
	select {
	case <-lw.done:
	case <-time.After(120 * time.Second):
		t.Fatal("the writer did not finish within 120 s")
	}
	took := r.waitDelivered(t, total, recoveryBound)
	outDups, topicDups := r.check(t, total)
	t.Logf("random crashes (seed %d), %d lines: every line in the output %v after the last restart (%v after the writer finished); missing 0, duplicated %d in the output, %d in the topic",
		seed, total, time.Since(lastRestart).Round(time.Millisecond), took.Round(time.Millisecond), outDups, topicDups)
}
