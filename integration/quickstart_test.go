package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The names Kafka's file quickstart (config/connect-file-*.properties) uses.
const (
	srcName = "local-file-source"
	snkName = "local-file-sink"
	topic   = "connect-test"
)

// How long the tests wait for something that should happen within a second or two on an idle
// machine; generous, because the machine's two cores are shared.
const flowTimeout = 30 * time.Second

// quickstart is Kafka's file quickstart: a broker, one worker, an input and an output file.
type quickstart struct {
	dir, in, out string
	broker       *broker
	setup        workerSetup
	w            *worker
	kafka        *kafka
}

// newQuickstart starts a broker and a worker; extra are more worker settings (key=value).
func newQuickstart(t *testing.T, extra ...string) *quickstart {
	t.Helper()
	dir := t.TempDir() // before any process, so cleanups kill them before the directory goes
	q := &quickstart{dir: dir, in: filepath.Join(dir, "test.txt"), out: filepath.Join(dir, "test.sink.txt")}
	q.broker = startBroker(t, dir)
	q.setup = workerSetup{dir: dir, broker: q.broker.addr, dataDir: filepath.Join(dir, "data"), extra: extra}
	q.w = startWorker(t, q.setup)
	q.setup.port = q.w.port // restarts keep the listener, as a user's worker.properties would
	q.kafka = newKafka(t, q.broker.addr)
	return q
}

func (q *quickstart) sourceConfig() map[string]string {
	return map[string]string{"connector.class": "FileStreamSource", "tasks.max": "1", "file": q.in, "topic": topic}
}

func (q *quickstart) sinkConfig() map[string]string {
	return map[string]string{"connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "tasks.max": "1", "file": q.out, "topics": topic}
}

// createBoth creates the source and the sink and waits until they and their tasks run.
func (q *quickstart) createBoth(t *testing.T) {
	t.Helper()
	q.w.create(t, srcName, q.sourceConfig())
	q.w.create(t, snkName, q.sinkConfig())
	q.w.waitState(t, srcName, "RUNNING", flowTimeout)
	q.w.waitState(t, snkName, "RUNNING", flowTimeout)
}

// restartWorker starts the worker again on the same port and data directory.
func (q *quickstart) restartWorker(t *testing.T) {
	t.Helper()
	q.w = startWorker(t, q.setup)
}

// sourcePosition returns the position the source has committed for the input file (GET
// offsets), 0 before the first commit.
func (q *quickstart) sourcePosition(t *testing.T) (int64, error) {
	status, body, err := q.w.try(http.MethodGet, "/connectors/"+srcName+"/offsets", nil)
	if err != nil || status != http.StatusOK {
		return 0, fmt.Errorf("GET offsets: %d %s %v", status, body, err)
	}
	var offs struct {
		Offsets []struct {
			Partition map[string]any `json:"partition"`
			Offset    map[string]any `json:"offset"`
		} `json:"offsets"`
	}
	if err := json.Unmarshal(body, &offs); err != nil {
		return 0, fmt.Errorf("GET offsets: %w: %s", err, body)
	}
	for _, o := range offs.Offsets {
		if o.Partition["filename"] == q.in {
			p, ok := o.Offset["position"].(float64)
			if !ok {
				return 0, fmt.Errorf("GET offsets: position is not a number: %s", body)
			}
			return int64(p), nil
		}
	}
	return 0, nil
}

// sinkOffset returns the consumer offset the sink has committed for partition 0 of the topic
// (GET offsets), 0 before the first commit.
func (q *quickstart) sinkOffset(t *testing.T) (int64, error) {
	status, body, err := q.w.try(http.MethodGet, "/connectors/"+snkName+"/offsets", nil)
	if err != nil || status != http.StatusOK {
		return 0, fmt.Errorf("GET sink offsets: %d %s %v", status, body, err)
	}
	var offs struct {
		Offsets []struct {
			Partition struct {
				Topic     string `json:"kafka_topic"`
				Partition int    `json:"kafka_partition"`
			} `json:"partition"`
			Offset struct {
				Offset int64 `json:"kafka_offset"`
			} `json:"offset"`
		} `json:"offsets"`
	}
	if err := json.Unmarshal(body, &offs); err != nil {
		return 0, fmt.Errorf("GET sink offsets: %w: %s", err, body)
	}
	for _, o := range offs.Offsets {
		if o.Partition.Topic == topic && o.Partition.Partition == 0 {
			return o.Offset.Offset, nil
		}
	}
	return 0, nil
}

// TestFileQuickstart runs Kafka's file quickstart as a user does, with curl's requests: the
// data path, an independent Kafka client, Kafka's response shapes, pause/resume, the three
// restart forms and deletion.
func TestFileQuickstart(t *testing.T) {
	q := newQuickstart(t)
	var want []string

	ok := t.Run("lines flow from the input file to the output file", func(t *testing.T) {
		// As the quickstart does: the file exists, with two lines, before the connector.
		want = []string{"foo", "bar"}
		appendLines(t, q.in, want...)
		q.createBoth(t)
		waitLines(t, q.out, want, flowTimeout)
		more := []string{"Another line", "with unicode: héllo wörld ✓", "", "   spaces kept   "}
		appendLines(t, q.in, more...)
		want = append(want, more...)
		waitLines(t, q.out, want, flowTimeout)
	})
	if !ok {
		return
	}

	t.Run("an independent client reads exactly those lines from the topic", func(t *testing.T) {
		kcat := kcatPath(t)
		got := kcatConsume(t, kcat, q.broker.addr, topic)
		if !slices.Equal(got, want) {
			t.Fatalf("kcat read %d lines %q from %s; want %q", len(got), got, topic, want)
		}
	})

	t.Run("responses have Kafka Connect's shapes", func(t *testing.T) {
		vars := map[string]string{"INPUT": jsonString(q.in), "OUTPUT": jsonString(q.out), "WORKER_ID": q.w.workerID()}
		with := func(kv ...string) map[string]string {
			m := map[string]string{}
			for k, v := range vars {
				m[k] = v
			}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i]] = kv[i+1]
			}
			return m
		}
		get := func(path string) []byte { return q.w.expect(t, http.MethodGet, path, nil, http.StatusOK) }

		var names []string
		if err := json.Unmarshal(get("/connectors"), &names); err != nil {
			t.Fatal(err)
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{snkName, srcName}) {
			t.Errorf("GET /connectors = %q; want both connectors", names)
		}
		sameJSON(t, "GET source", get("/connectors/"+srcName), golden(t, "connector_info_source.json", vars))
		sameJSON(t, "GET sink", get("/connectors/"+snkName), golden(t, "connector_info_sink.json", vars))
		sameJSON(t, "GET source config", get("/connectors/"+srcName+"/config"), golden(t, "config_source.json", vars))
		sameJSON(t, "GET source tasks", get("/connectors/"+srcName+"/tasks"), golden(t, "tasks_source.json", vars))
		sameJSON(t, "GET sink tasks", get("/connectors/"+snkName+"/tasks"), golden(t, "tasks_sink.json", vars))
		sameJSON(t, "GET source status", get("/connectors/"+srcName+"/status"),
			golden(t, "status.json", with("NAME", srcName, "TYPE", "source", "STATE", "RUNNING")))
		sameJSON(t, "GET sink status", get("/connectors/"+snkName+"/status"),
			golden(t, "status.json", with("NAME", snkName, "TYPE", "sink", "STATE", "RUNNING")))
		sameJSON(t, "GET source task 0 status", get("/connectors/"+srcName+"/tasks/0/status"),
			golden(t, "task_status.json", with("STATE", "RUNNING")))
		sameJSON(t, "GET source topics", get("/connectors/"+srcName+"/topics"), golden(t, "topics_source.json", vars))

		// Offsets are committed every offset.flush.interval.ms (1 s here): wait for the commit
		// that covers every line, then compare the whole body.
		fi, err := os.Stat(q.in)
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, flowTimeout, "source offset covers the whole input", func() (bool, string) {
			pos, err := q.sourcePosition(t)
			return err == nil && pos == fi.Size(), fmt.Sprintf("position %d of %d, %v", pos, fi.Size(), err)
		})
		sameJSON(t, "GET source offsets", get("/connectors/"+srcName+"/offsets"),
			golden(t, "offsets_source.json", with("POSITION", strconv.FormatInt(fi.Size(), 10))))
		wantSink := golden(t, "offsets_sink.json", with("KAFKA_OFFSET", strconv.Itoa(len(want))))
		eventually(t, flowTimeout, "sink offset covers every record", func() (bool, string) {
			status, body, err := q.w.try(http.MethodGet, "/connectors/"+snkName+"/offsets", nil)
			return err == nil && status == http.StatusOK && jsonEqual(body, wantSink), fmt.Sprintf("%d %s %v", status, body, err)
		})
	})

	ok = t.Run("a paused source produces nothing until resumed", func(t *testing.T) {
		q.w.expect(t, http.MethodPut, "/connectors/"+srcName+"/pause", nil, http.StatusAccepted)
		q.w.waitState(t, srcName, "PAUSED", flowTimeout)
		sameJSON(t, "GET paused source status", q.w.expect(t, http.MethodGet, "/connectors/"+srcName+"/status", nil, http.StatusOK),
			golden(t, "status.json", map[string]string{"NAME": srcName, "TYPE": "source", "STATE": "PAUSED", "WORKER_ID": q.w.workerID()}))
		inTopic, err := q.kafka.count(topic)
		if err != nil {
			t.Fatal(err)
		}
		paused := []string{"written while paused 1", "written while paused 2"}
		appendLines(t, q.in, paused...)
		consistently(t, 3*time.Second, "nothing flows while the source is paused", func() (bool, string) {
			n, err := q.kafka.count(topic)
			if err != nil {
				return false, err.Error()
			}
			got := readLines(t, q.out)
			return n == inTopic && slices.Equal(got, want), fmt.Sprintf("topic %d messages (was %d), output %s", n, inTopic, abbrev(got))
		})
		q.w.expect(t, http.MethodPut, "/connectors/"+srcName+"/resume", nil, http.StatusAccepted)
		q.w.waitState(t, srcName, "RUNNING", flowTimeout)
		want = append(want, paused...)
		waitLines(t, q.out, want, flowTimeout)
	})
	if !ok {
		return
	}

	ok = t.Run("restarts", func(t *testing.T) {
		// Legacy form: the connector instance only, 204 and no body.
		if body := q.w.expect(t, http.MethodPost, "/connectors/"+srcName+"/restart", nil, http.StatusNoContent); len(body) != 0 {
			t.Errorf("POST restart: 204 with body %q", body)
		}
		q.w.waitState(t, srcName, "RUNNING", flowTimeout)

		// KIP-745 form: 202 and the plan, everything RESTARTING.
		plan := q.w.expect(t, http.MethodPost, "/connectors/"+srcName+"/restart?includeTasks=true", nil, http.StatusAccepted)
		sameJSON(t, "POST restart?includeTasks=true", plan,
			golden(t, "status.json", map[string]string{"NAME": srcName, "TYPE": "source", "STATE": "RESTARTING", "WORKER_ID": q.w.workerID()}))
		q.w.waitState(t, srcName, "RUNNING", flowTimeout)
		appendLines(t, q.in, "after restarting connector and tasks")
		want = append(want, "after restarting connector and tasks")
		waitLines(t, q.out, want, flowTimeout)

		if body := q.w.expect(t, http.MethodPost, "/connectors/"+srcName+"/tasks/0/restart", nil, http.StatusNoContent); len(body) != 0 {
			t.Errorf("POST tasks/0/restart: 204 with body %q", body)
		}
		if body := q.w.expect(t, http.MethodPost, "/connectors/"+snkName+"/tasks/0/restart", nil, http.StatusNoContent); len(body) != 0 {
			t.Errorf("POST sink tasks/0/restart: 204 with body %q", body)
		}
		q.w.waitState(t, srcName, "RUNNING", flowTimeout)
		q.w.waitState(t, snkName, "RUNNING", flowTimeout)
		// Graceful restarts commit offsets first: nothing is lost and nothing repeated.
		appendLines(t, q.in, "after restarting the tasks")
		want = append(want, "after restarting the tasks")
		waitLines(t, q.out, want, flowTimeout)
		// The restarted task commits offsets again: a restart that left it unable to commit
		// would repeat lines after the next crash.
		fi, err := os.Stat(q.in)
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, flowTimeout, "the restarted source commits offsets", func() (bool, string) {
			pos, err := q.sourcePosition(t)
			return err == nil && pos == fi.Size(), fmt.Sprintf("position %d of %d, %v", pos, fi.Size(), err)
		})
	})
	if !ok {
		return
	}

	t.Run("deleted connectors stop", func(t *testing.T) {
		for _, name := range []string{srcName, snkName} {
			if body := q.w.expect(t, http.MethodDelete, "/connectors/"+name, nil, http.StatusNoContent); len(body) != 0 {
				t.Errorf("DELETE %s: 204 with body %q", name, body)
			}
		}
		sameJSON(t, "GET /connectors after DELETE", q.w.expect(t, http.MethodGet, "/connectors", nil, http.StatusOK), []byte(`[]`))
		q.w.expect(t, http.MethodGet, "/connectors/"+srcName+"/status", nil, http.StatusNotFound)

		// Deletion stops the tasks asynchronously, as in Kafka. Keep appending to the input and
		// require the topic and the output to go quiet for 2 s while the input keeps growing.
		ctx, cancel := context.WithCancel(context.Background())
		lw := &lineWriter{path: q.in, total: 1000, chunk: 1, pause: 100 * time.Millisecond}
		lw.start(ctx)
		defer func() { cancel(); <-lw.done }()
		const quiet = 2 * time.Second
		var lastN int64 = -1
		lastOut, lastWritten := -1, 0
		since := time.Now()
		eventually(t, 20*time.Second, "topic and output stop growing", func() (bool, string) {
			n, err := q.kafka.count(topic)
			if err != nil {
				return false, err.Error()
			}
			out := len(readLines(t, q.out))
			written, err := lw.progress()
			if err != nil {
				t.Fatal(err)
			}
			if n != lastN || out != lastOut {
				lastN, lastOut, lastWritten, since = n, out, written, time.Now()
			}
			grew := written - lastWritten
			why := fmt.Sprintf("topic %d, output %d lines, unchanged for %v while %d lines were appended",
				n, out, time.Since(since).Round(time.Millisecond), grew)
			return time.Since(since) >= quiet && grew >= 5, why
		})
		written, _ := lw.progress()
		t.Logf("after DELETE: %d of %d lines appended meanwhile reached the output", lastOut-len(want), written)
	})
}

// TestCrashKeepsEveryLine kills the worker with SIGKILL while lines are being written, starts it
// again on the same data.dir and checks at-least-once delivery: every line reaches the output,
// and the source resumed from its committed offset rather than from the start.
func TestCrashKeepsEveryLine(t *testing.T) {
	q := newQuickstart(t)
	if err := os.WriteFile(q.in, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	q.createBoth(t)

	const total = 20000
	ctx, cancel := context.WithCancel(context.Background())
	// holdAt guarantees the kill happens mid-stream however slow the machine is: the writer
	// waits there until the worker has been killed.
	lw := &lineWriter{path: q.in, total: total, chunk: 50, pause: 10 * time.Millisecond, holdAt: 14000, release: make(chan struct{})}
	lw.start(ctx)
	t.Cleanup(func() { cancel(); <-lw.done })

	// Mid-stream: both connectors have committed offsets and lines are still being written.
	var srcCommitted, snkCommitted int64
	eventually(t, 60*time.Second, "source and sink committed offsets", func() (bool, string) {
		if _, err := lw.progress(); err != nil {
			t.Fatal(err)
		}
		pos, err := q.sourcePosition(t)
		if err != nil {
			return false, err.Error()
		}
		off, err := q.sinkOffset(t)
		if err != nil {
			return false, err.Error()
		}
		srcCommitted, snkCommitted = pos, off
		return pos >= 3000*int64(lineLen) && off >= 2000, fmt.Sprintf("source position %d (line %d), sink offset %d", pos, pos/int64(lineLen), off)
	})
	q.w.kill()
	// Read after the kill: upper bounds of what the killed worker read and wrote.
	writtenAtKill, _ := lw.progress()
	outAtKill := len(readLines(t, q.out))
	close(lw.release)
	t.Logf("SIGKILL with %d lines written, %d in the output; committed: source line %d, sink offset %d",
		writtenAtKill, outAtKill, srcCommitted/int64(lineLen), snkCommitted)

	q.restartWorker(t)
	select {
	case <-lw.done:
	case <-time.After(60 * time.Second):
		t.Fatal("the writer did not finish within 60 s")
	}
	if _, err := lw.progress(); err != nil {
		t.Fatal(err)
	}

	var out []string
	eventually(t, 90*time.Second, "every input line in the output", func() (bool, string) {
		out = readLines(t, q.out)
		seen := make(map[string]bool, total)
		for _, l := range out {
			seen[l] = true
		}
		return len(seen) >= total, fmt.Sprintf("%d distinct of %d lines", len(seen), total)
	})
	outDups := checkLines(t, "output", out, total)
	inTopic := q.kafka.values(t, topic)
	topicDups := checkLines(t, "topic", inTopic, total)
	t.Logf("at-least-once after SIGKILL: output %d lines, %d duplicates; topic %d messages, %d duplicates (of %d lines)",
		len(out), outDups, len(inTopic), topicDups, total)

	// The restarted source resumed at a committed position no earlier than the one seen before
	// the kill, so it can only have repeated lines written after that position.
	if bound := writtenAtKill - int(srcCommitted/int64(lineLen)); topicDups > bound {
		t.Errorf("topic holds %d duplicates; resuming from the committed source offset allows at most %d", topicDups, bound)
	}
	if topicDups >= total/4 {
		t.Errorf("topic holds %d duplicates of %d lines: far more than a resume from the committed offset gives", topicDups, total)
	}
	// The sink repeats what it wrote after its committed offset, plus the topic's duplicates.
	if bound := outAtKill - int(snkCommitted) + topicDups; outDups > bound {
		t.Errorf("output holds %d duplicates; resuming from the committed sink offset allows at most %d", outDups, bound)
	}
}

// checkLines checks that lines holds every lineText(0..total-1), nothing else, each copy of a
// line in order after its first (a source that re-reads repeats a run of lines), and returns
// how many lines are duplicates.
func checkLines(t *testing.T, what string, lines []string, total int) int {
	t.Helper()
	count := make([]int, total)
	for _, l := range lines {
		n, err := strconv.Atoi(strings.TrimPrefix(l, "line-"))
		if err != nil || !strings.HasPrefix(l, "line-") || n < 0 || n >= total || l != lineText(n) {
			t.Errorf("%s holds a line that was never written: %q", what, l)
			continue
		}
		count[n]++
	}
	dups := 0
	var missing []int
	for i, c := range count {
		if c == 0 {
			missing = append(missing, i)
		}
		dups += max(c-1, 0)
	}
	if len(missing) > 0 {
		t.Errorf("%s lost %d lines, the first %s", what, len(missing), lineText(missing[0]))
	}
	return dups
}

// TestSigtermKeepsConnectors stops the worker with SIGTERM: it exits 0 within
// task.shutdown.graceful.timeout.ms and a margin, and the restarted worker has the connectors
// with their target states (kept in the Raft store) and neither loses nor repeats a line.
func TestSigtermKeepsConnectors(t *testing.T) {
	const graceful = 2 * time.Second
	// What the worker may take beyond the tasks' graceful timeout: the final offset commit,
	// closing the REST server and the Raft store, on a loaded machine.
	const margin = 6 * time.Second
	q := newQuickstart(t, fmt.Sprintf("task.shutdown.graceful.timeout.ms=%d", graceful.Milliseconds()))
	appendLines(t, q.in, "one", "two")
	q.createBoth(t)
	waitLines(t, q.out, []string{"one", "two"}, flowTimeout)
	q.w.expect(t, http.MethodPut, "/connectors/"+srcName+"/pause", nil, http.StatusAccepted)
	q.w.waitState(t, srcName, "PAUSED", flowTimeout)

	start := time.Now()
	if err := q.w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if !q.w.wait(graceful + margin) {
		t.Fatalf("worker still running %v after SIGTERM", graceful+margin)
	}
	took := time.Since(start)
	if code := q.w.state.ExitCode(); code != 0 {
		t.Fatalf("worker exited with %v after SIGTERM; want exit code 0", q.w.state)
	}
	t.Logf("worker exited 0 %v after SIGTERM (task.shutdown.graceful.timeout.ms=%d)", took.Round(time.Millisecond), graceful.Milliseconds())

	q.restartWorker(t)
	var names []string
	if err := json.Unmarshal(q.w.expect(t, http.MethodGet, "/connectors", nil, http.StatusOK), &names); err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{snkName, srcName}) {
		t.Fatalf("after restart GET /connectors = %q; want both connectors", names)
	}
	q.w.waitState(t, srcName, "PAUSED", flowTimeout)
	q.w.waitState(t, snkName, "RUNNING", flowTimeout)

	appendLines(t, q.in, "three")
	consistently(t, 2*time.Second, "the source stays paused after the restart", func() (bool, string) {
		got := readLines(t, q.out)
		return slices.Equal(got, []string{"one", "two"}), abbrev(got)
	})
	q.w.expect(t, http.MethodPut, "/connectors/"+srcName+"/resume", nil, http.StatusAccepted)
	q.w.waitState(t, srcName, "RUNNING", flowTimeout)
	// After a clean stop only new lines are processed (Kafka's test_file_source_and_sink).
	waitLines(t, q.out, []string{"one", "two", "three"}, flowTimeout)
}

// TestErrorsUsersSee checks the status and message of the mistakes a user makes with curl.
func TestErrorsUsersSee(t *testing.T) {
	q := newQuickstart(t)
	q.w.create(t, "dup", q.sourceConfig())

	create := func(name string, kv ...string) map[string]any {
		cfg := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			cfg[kv[i]] = kv[i+1]
		}
		return map[string]any{"name": name, "config": cfg}
	}
	tests := []struct {
		name    string
		method  string
		path    string
		body    any
		status  int
		message string // the body's message contains it (whole message when exact)
		exact   bool
	}{
		{"unknown connector.class", http.MethodPost, "/connectors",
			create("bad-class", "connector.class", "com.example.NoSuchConnector", "topic", topic), 400, "com.example.NoSuchConnector", false},
		{"no connector.class", http.MethodPost, "/connectors",
			create("no-class", "topic", topic), 400, "contains no connector type", false},
		{"duplicate", http.MethodPost, "/connectors",
			create("dup", "connector.class", "FileStreamSource", "file", q.in, "topic", topic), 409, "Connector dup already exists", true},
		{"tasks.max not a number", http.MethodPost, "/connectors",
			create("bad-tasks", "connector.class", "FileStreamSource", "file", q.in, "topic", topic, "tasks.max", "two"), 400, "tasks.max", false},
		{"tasks.max zero", http.MethodPost, "/connectors",
			create("zero-tasks", "connector.class", "FileStreamSource", "file", q.in, "topic", topic, "tasks.max", "0"), 400, "tasks.max", false},
		{"missing required topic", http.MethodPost, "/connectors",
			create("no-topic", "connector.class", "FileStreamSource", "file", q.in), 400, "topic", false},
		{"GET unknown", http.MethodGet, "/connectors/nope", nil, 404, "Connector nope not found", true},
		{"GET unknown config", http.MethodGet, "/connectors/nope/config", nil, 404, "Connector nope not found", true},
		{"GET unknown status", http.MethodGet, "/connectors/nope/status", nil, 404, "No status found for connector nope", true},
		{"DELETE unknown", http.MethodDelete, "/connectors/nope", nil, 404, "Connector nope not found", true},
		{"pause unknown", http.MethodPut, "/connectors/nope/pause", nil, 404, "Unknown connector nope", true},
		{"restart unknown", http.MethodPost, "/connectors/nope/restart", nil, 404, "Unknown connector: nope", true},
		{"restart unknown task", http.MethodPost, "/connectors/dup/tasks/7/restart", nil, 404, "Unknown task: dup-7", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := q.w.call(t, tc.method, tc.path, tc.body)
			var e struct {
				ErrorCode *int    `json:"error_code"`
				Message   *string `json:"message"`
			}
			if err := json.Unmarshal(body, &e); err != nil || e.ErrorCode == nil || e.Message == nil {
				t.Fatalf("%s %s = %d %s; want a {error_code, message} body", tc.method, tc.path, status, body)
			}
			if status != tc.status || *e.ErrorCode != tc.status {
				t.Errorf("%s %s = %d (error_code %d); want %d", tc.method, tc.path, status, *e.ErrorCode, tc.status)
			}
			if tc.exact && *e.Message != tc.message || !strings.Contains(*e.Message, tc.message) {
				t.Errorf("%s %s message %q; want %s %q", tc.method, tc.path, *e.Message, map[bool]string{true: "exactly", false: "one naming"}[tc.exact], tc.message)
			}
		})
	}

	// Rejected creations leave nothing behind.
	sameJSON(t, "GET /connectors after the errors", q.w.expect(t, http.MethodGet, "/connectors", nil, http.StatusOK), []byte(`["dup"]`))
}
