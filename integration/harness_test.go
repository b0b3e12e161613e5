package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/raftconnect/raftconnect/internal/kafkaclient"
)

// Paths of the binaries TestMain builds once for the whole package.
var (
	workerBin string
	brokerBin string
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "raftconnect-integration-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "integration: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	workerBin = filepath.Join(dir, "worker")
	brokerBin = filepath.Join(dir, "testbroker")
	for bin, pkg := range map[string]string{workerBin: "./cmd/worker", brokerBin: "./integration/testbroker"} {
		if err := goBuild(bin, pkg); err != nil {
			fmt.Fprintf(os.Stderr, "integration: %v\n", err)
			return 1
		}
	}
	return m.Run()
}

// goBuild builds pkg (relative to the module root) into bin.
func goBuild(bin, pkg string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("building %s: the go command is not in PATH: %w", pkg, err)
	}
	cmd := exec.Command(gobin, "build", "-o", bin, pkg)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	return nil
}

// moduleRoot is the directory holding go.mod, above the test's working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago. Ports are drawn below
// 32768, Linux's default ephemeral range, so an outgoing connection of another process cannot
// take one between this check and the child's listen; a rare collision with another listener
// is handled by the callers, which retry with another port.
func freePort(tb testing.TB) int {
	tb.Helper()
	for range 200 {
		p := 15000 + rand.IntN(32768-15000)
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err == nil {
			ln.Close()
			return p
		}
	}
	tb.Fatal("no free TCP port below 32768 after 200 tries")
	return 0
}

// proc is a child process whose output goes to a log file. It is killed in the test's cleanup
// if it is still running, whatever the test's outcome.
type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	started time.Time
	done    chan struct{} // closed when the process has exited and been reaped
	state   *os.ProcessState
}

// startProc starts bin with args; its stdout and stderr go to <dir>/<name>.log (appended, so
// a restarted process keeps the earlier run's lines).
func startProc(tb testing.TB, dir, name, bin string, args ...string) *proc {
	tb.Helper()
	logPath := filepath.Join(dir, name+".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		tb.Fatal(err)
	}
	fmt.Fprintf(f, "=== %s %s %s\n", time.Now().Format(time.RFC3339Nano), bin, strings.Join(args, " "))
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = sysProcAttr()
	p := &proc{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		f.Close()
		tb.Fatalf("starting %s: %v", name, err)
	}
	f.Close() // the child has its own copy
	go func() {
		// The process's owner is this goroutine: it reaps it and records how it ended.
		_ = cmd.Wait()
		p.state = cmd.ProcessState
		close(p.done)
	}()
	tb.Cleanup(func() {
		p.kill()
		if tb.Failed() {
			tb.Logf("last lines of %s:\n%s", logPath, tail(logPath, 40))
		} else if errs := errorLines(logPath, 10); errs != "" {
			// Not a failure by itself, but worth seeing next to a passing result.
			tb.Logf("%s logged errors:\n%s", name, errs)
		}
	})
	return p
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill sends SIGKILL unless the process has ended, and waits for it.
func (p *proc) kill() {
	if !p.exited() {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-p.done
}

// wait waits up to timeout for the process to end and reports whether it did.
func (p *proc) wait(timeout time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// log returns the process's output so far.
func (p *proc) log() string {
	b, _ := os.ReadFile(p.logPath)
	return string(b)
}

// errorLines returns up to n lines of a log that record an error.
func errorLines(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, "level=ERROR") && len(out) < n {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// broker is a testbroker process.
type broker struct {
	*proc
	addr string // host:port
}

// startBroker starts testbroker on a free port and waits for the address line it prints.
func startBroker(tb testing.TB, dir string) *broker {
	tb.Helper()
	for attempt := 0; ; attempt++ {
		port := freePort(tb)
		p := startProc(tb, dir, fmt.Sprintf("broker-%d", port), brokerBin, "-port", strconv.Itoa(port))
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			for _, line := range strings.Split(p.log(), "\n") {
				if strings.HasPrefix(line, "127.0.0.1:") {
					return &broker{proc: p, addr: strings.TrimSpace(line)}
				}
			}
			if p.exited() {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		p.kill()
		if attempt == 3 || !strings.Contains(p.log(), "address already in use") {
			tb.Fatalf("broker did not start on port %d:\n%s", port, tail(p.logPath, 20))
		}
	}
}

// worker is a worker process and a REST client for it.
type worker struct {
	*proc
	port   int
	url    string
	client *http.Client
}

// workerSetup is what a worker process is started with.
type workerSetup struct {
	dir     string // where logs go
	broker  string
	dataDir string
	port    int      // 0 picks a free one
	extra   []string // more --set key=value settings
}

// args returns the command line of the brief's quickstart worker: String converters, a
// one-second offset flush so the tests need not wait long for commits.
func (s workerSetup) args() []string {
	args := []string{
		"--set", "bootstrap.servers=" + s.broker,
		"--listeners=http://127.0.0.1:" + strconv.Itoa(s.port),
		"--set", "data.dir=" + s.dataDir,
		"--set", "offset.flush.interval.ms=1000",
		"--set", "key.converter=org.apache.kafka.connect.storage.StringConverter",
		"--set", "value.converter=org.apache.kafka.connect.storage.StringConverter",
	}
	for _, kv := range s.extra {
		args = append(args, "--set", kv)
	}
	return args
}

// startWorker starts a worker and waits until GET / and GET /health answer 200. With
// s.port == 0 it picks a port, and picks another if that one turns out to be taken.
func startWorker(tb testing.TB, s workerSetup) *worker {
	tb.Helper()
	pick := s.port == 0
	for attempt := 0; ; attempt++ {
		if pick {
			s.port = freePort(tb)
		}
		w := launchWorker(tb, s)
		err := w.waitReady(30 * time.Second)
		if err == nil {
			return w
		}
		w.kill()
		if !pick || attempt == 3 || !strings.Contains(w.log(), "address already in use") {
			tb.Fatalf("worker on port %d: %v\n%s", s.port, err, tail(w.logPath, 30))
		}
	}
}

// launchWorker starts a worker process without waiting for it.
func launchWorker(tb testing.TB, s workerSetup) *worker {
	tb.Helper()
	p := startProc(tb, s.dir, "worker", workerBin, s.args()...)
	w := &worker{
		proc:   p,
		port:   s.port,
		url:    "http://127.0.0.1:" + strconv.Itoa(s.port),
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{}},
	}
	tb.Cleanup(w.client.CloseIdleConnections)
	return w
}

// waitReady polls GET / and then GET /health until both answer 200.
func (w *worker) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	last := "no answer"
	for _, path := range []string{"/", "/health"} {
		for {
			if w.exited() {
				return fmt.Errorf("worker exited (%v) before GET %s answered 200; last: %s", w.state, path, last)
			}
			status, body, err := w.try(http.MethodGet, path, nil)
			if err == nil && status == http.StatusOK {
				break
			}
			if err != nil {
				last = err.Error()
			} else {
				last = fmt.Sprintf("%d %s", status, body)
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("GET %s did not answer 200 within %v; last: %s", path, timeout, last)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return nil
}

// workerID is the worker_id the worker reports in statuses: its listener's host:port.
func (w *worker) workerID() string { return "127.0.0.1:" + strconv.Itoa(w.port) }

// try sends one request; body, if not nil, is sent as JSON.
func (w *worker) try(method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.url+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// call sends one request and fails the test if it could not be made.
func (w *worker) call(tb testing.TB, method, path string, body any) (int, []byte) {
	tb.Helper()
	status, b, err := w.try(method, path, body)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	return status, b
}

// expect sends one request and fails the test unless it answers want.
func (w *worker) expect(tb testing.TB, method, path string, body any, want int) []byte {
	tb.Helper()
	status, b := w.call(tb, method, path, body)
	if status != want {
		tb.Fatalf("%s %s = %d %s; want %d", method, path, status, b, want)
	}
	return b
}

// create POSTs /connectors and expects 201.
func (w *worker) create(tb testing.TB, name string, config map[string]string) {
	tb.Helper()
	w.expect(tb, http.MethodPost, "/connectors", map[string]any{"name": name, "config": config}, http.StatusCreated)
}

// connectorStatus is the body of GET /connectors/{c}/status.
type connectorStatus struct {
	Name      string `json:"name"`
	Connector struct {
		State    string `json:"state"`
		WorkerID string `json:"worker_id"`
		Trace    string `json:"trace"`
	} `json:"connector"`
	Tasks []struct {
		ID       int    `json:"id"`
		State    string `json:"state"`
		WorkerID string `json:"worker_id"`
		Trace    string `json:"trace"`
	} `json:"tasks"`
	Type string `json:"type"`
}

// states renders the connector's and its tasks' states, e.g. "RUNNING [RUNNING]".
func (s connectorStatus) states() string {
	var ts []string
	for _, t := range s.Tasks {
		ts = append(ts, t.State)
	}
	return s.Connector.State + " [" + strings.Join(ts, " ") + "]"
}

// waitState waits until the connector and all of its (at least one) tasks are in state.
func (w *worker) waitState(tb testing.TB, name, state string, timeout time.Duration) connectorStatus {
	tb.Helper()
	var st connectorStatus
	eventually(tb, timeout, name+" "+state, func() (bool, string) {
		status, body, err := w.try(http.MethodGet, "/connectors/"+name+"/status", nil)
		if err != nil || status != http.StatusOK {
			return false, fmt.Sprintf("%d %s %v", status, body, err)
		}
		st = connectorStatus{}
		if err := json.Unmarshal(body, &st); err != nil {
			return false, err.Error()
		}
		if st.Connector.State != state || len(st.Tasks) == 0 {
			return false, st.states()
		}
		for _, t := range st.Tasks {
			if t.State != state {
				return false, st.states()
			}
		}
		// As in Kafka, a task that has not started yet has no status and is left out: every
		// task config must have one.
		status, body, err = w.try(http.MethodGet, "/connectors/"+name+"/tasks", nil)
		if err != nil || status != http.StatusOK {
			return false, fmt.Sprintf("tasks: %d %s %v", status, body, err)
		}
		var tasks []json.RawMessage
		if err := json.Unmarshal(body, &tasks); err != nil {
			return false, err.Error()
		}
		if len(st.Tasks) != len(tasks) {
			return false, fmt.Sprintf("%s; %d of %d tasks have a status", st.states(), len(st.Tasks), len(tasks))
		}
		return true, ""
	})
	return st
}

// eventually polls cond until it reports true, failing the test after timeout with cond's
// last explanation.
func eventually(tb testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not reached within %v; last: %s", what, timeout, why)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// consistently checks cond for the whole of d, failing the test as soon as it is false. It is
// the only fixed wait in these tests: proving that something does not happen takes time.
func consistently(tb testing.TB, d time.Duration, what string, cond func() (bool, string)) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for {
		if ok, why := cond(); !ok {
			tb.Fatalf("%s: broken after %v: %s", what, d-time.Until(deadline), why)
		}
		if time.Now().After(deadline) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// appendLines appends lines to a file in one write, each with its newline.
func appendLines(tb testing.TB, path string, lines ...string) {
	tb.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(strings.Join(lines, "\n") + "\n"); err != nil {
		tb.Fatal(err)
	}
}

// readLines returns the complete lines of a file; a missing file has none.
func readLines(tb testing.TB, path string) []string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		tb.Fatal(err)
	}
	return splitLines(b)
}

// splitLines cuts b at "\n"; an unterminated last line is left out, as a reader of a file
// still being written would.
func splitLines(b []byte) []string {
	s := string(b)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	} else {
		return nil
	}
	return strings.Split(s, "\n")
}

// waitLines waits until the file holds exactly want.
func waitLines(tb testing.TB, path string, want []string, timeout time.Duration) {
	tb.Helper()
	eventually(tb, timeout, filepath.Base(path)+" holds the expected lines", func() (bool, string) {
		got := readLines(tb, path)
		if slices.Equal(got, want) {
			return true, ""
		}
		return false, fmt.Sprintf("%d lines %s; want %d lines %s", len(got), abbrev(got), len(want), abbrev(want))
	})
}

// abbrev shows the first and last few elements of a long list.
func abbrev(s []string) string {
	if len(s) <= 8 {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q … %q", s[:4], s[len(s)-4:])
}

// kcatPath returns kcat's path, or skips the test: kcat is the independent client that proves
// the topic is readable by something other than raftconnect.
func kcatPath(tb testing.TB) string {
	tb.Helper()
	p, err := exec.LookPath("kcat")
	if err != nil {
		tb.Skip("kcat is not installed (Debian package kcat; .ci/run installs it): skipping the check with an independent Kafka client")
	}
	return p
}

// kcatConsume reads every message value of topic with kcat, one per line.
func kcatConsume(tb testing.TB, kcat, brokerAddr, topic string) []string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, kcat, "-b", brokerAddr, "-C", "-t", topic, "-e", "-q", "-f", `%s\n`)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("kcat -C -t %s: %v\n%s", topic, err, stderr.String())
	}
	return splitLines(out)
}

// kafka is a sarama client of the broker, for the checks that need no independent client.
type kafka struct {
	client sarama.Client
}

func newKafka(tb testing.TB, brokerAddr string) *kafka {
	tb.Helper()
	c, err := sarama.NewClient([]string{brokerAddr}, kafkaclient.Base("integration-test"))
	if err != nil {
		tb.Fatalf("sarama client of %s: %v", brokerAddr, err)
	}
	tb.Cleanup(func() { c.Close() })
	return &kafka{client: c}
}

// count returns how many messages topic holds (the sum of its partitions' high watermarks);
// a topic that does not exist yet holds none.
func (k *kafka) count(topic string) (int64, error) {
	if err := k.client.RefreshMetadata(topic); err != nil {
		if errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
			return 0, nil
		}
		return 0, err
	}
	parts, err := k.client.Partitions(topic)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, p := range parts {
		hwm, err := k.client.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			return 0, err
		}
		n += hwm
	}
	return n, nil
}

// values reads every message value of topic, partition by partition.
func (k *kafka) values(tb testing.TB, topic string) []string {
	tb.Helper()
	if err := k.client.RefreshMetadata(topic); err != nil {
		tb.Fatalf("metadata of %s: %v", topic, err)
	}
	parts, err := k.client.Partitions(topic)
	if err != nil {
		tb.Fatalf("partitions of %s: %v", topic, err)
	}
	consumer, err := sarama.NewConsumerFromClient(k.client)
	if err != nil {
		tb.Fatal(err)
	}
	defer consumer.Close()
	var out []string
	for _, p := range parts {
		hwm, err := k.client.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			tb.Fatalf("high watermark of %s-%d: %v", topic, p, err)
		}
		if hwm == 0 {
			continue
		}
		pc, err := consumer.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			tb.Fatalf("consuming %s-%d: %v", topic, p, err)
		}
		timeout := time.After(60 * time.Second)
	read:
		for {
			select {
			case m := <-pc.Messages():
				out = append(out, string(m.Value))
				if m.Offset >= hwm-1 {
					break read
				}
			case err := <-pc.Errors():
				pc.Close()
				tb.Fatalf("consuming %s-%d: %v", topic, p, err)
			case <-timeout:
				pc.Close()
				tb.Fatalf("consuming %s-%d: only %d of %d messages within 60 s", topic, p, len(out), hwm)
			}
		}
		pc.Close()
	}
	return out
}

// golden reads testdata/name and replaces each $KEY by vars[KEY]. The files hold Kafka
// Connect's response shapes as the spec gives them, with placeholders for what each run
// chooses (paths, ports, positions).
func golden(tb testing.TB, name string, vars map[string]string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	var pairs []string
	for k, v := range vars {
		pairs = append(pairs, "$"+k, v)
	}
	return []byte(strings.NewReplacer(pairs...).Replace(string(b)))
}

// jsonString returns s JSON-escaped, without the quotes, for a golden file placeholder that
// sits inside a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// sameJSON fails the test unless got and want are the same JSON value (key order and
// whitespace aside).
func sameJSON(tb testing.TB, what string, got, want []byte) {
	tb.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		tb.Fatalf("%s: response is not JSON: %v\n%s", what, err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		tb.Fatalf("%s: expected value is not JSON: %v\n%s", what, err, want)
	}
	if !reflect.DeepEqual(g, w) {
		tb.Errorf("%s:\n got  %s\n want %s", what, compact(got), compact(want))
	}
}

// jsonEqual reports whether a and b are the same JSON value.
func jsonEqual(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

func compact(b []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return string(b)
	}
	return buf.String()
}

// lineWriter appends numbered fixed-width lines to a file from its own goroutine, pausing
// between chunks, as a log being written does.
type lineWriter struct {
	path    string
	total   int
	chunk   int
	pause   time.Duration
	holdAt  int           // stop before this line until release is closed (0: never)
	release chan struct{} // see holdAt

	mu      sync.Mutex
	written int
	err     error
	done    chan struct{}
}

// lineLen is the length of every line lineWriter writes, newline included.
const lineLen = len("line-000000\n")

func lineText(i int) string { return fmt.Sprintf("line-%06d", i) }

func (lw *lineWriter) start(ctx context.Context) {
	lw.done = make(chan struct{})
	go func() {
		defer close(lw.done)
		f, err := os.OpenFile(lw.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			lw.setErr(err)
			return
		}
		defer f.Close()
		var buf []byte
		for i := 0; i < lw.total; {
			if i == lw.holdAt && lw.release != nil {
				select {
				case <-lw.release:
				case <-ctx.Done():
					return
				}
			}
			buf = buf[:0]
			n := min(lw.chunk, lw.total-i)
			if lw.holdAt > i {
				n = min(n, lw.holdAt-i)
			}
			for j := range n {
				buf = fmt.Appendf(buf, "%s\n", lineText(i+j))
			}
			// One write per chunk: the source never sees a line being written half.
			if _, err := f.Write(buf); err != nil {
				lw.setErr(err)
				return
			}
			i += n
			lw.mu.Lock()
			lw.written = i
			lw.mu.Unlock()
			select {
			case <-time.After(lw.pause):
			case <-ctx.Done():
				return
			}
		}
	}()
}

func (lw *lineWriter) setErr(err error) {
	lw.mu.Lock()
	lw.err = err
	lw.mu.Unlock()
}

// progress returns how many lines have been written, and the write error if any.
func (lw *lineWriter) progress() (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.written, lw.err
}
