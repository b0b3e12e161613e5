package integration

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// abuseNoFile is the open-file limit the flood test runs its worker under: the flood is as
// large as the limit, so only the connection cap keeps the worker reachable.
const abuseNoFile = 1024

// launchLimitedWorker starts a worker under an open-file limit of nofile (prlimit, or sh's
// ulimit) and waits until it is ready; it skips the test where neither is available.
func launchLimitedWorker(tb testing.TB, s workerSetup, nofile int) *worker {
	tb.Helper()
	var wrap []string
	if p, err := exec.LookPath("prlimit"); err == nil {
		wrap = []string{p, fmt.Sprintf("--nofile=%d:%d", nofile, nofile), workerBin}
	} else if sh, err := exec.LookPath("sh"); err == nil && runtime.GOOS != "windows" {
		wrap = []string{sh, "-c", fmt.Sprintf(`ulimit -n %d && exec "$0" "$@"`, nofile), workerBin}
	} else {
		tb.Skip("neither prlimit nor sh is available to lower the worker's open-file limit")
	}
	for attempt := 0; ; attempt++ {
		s.port = freePort(tb)
		p := startProc(tb, s.dir, "worker", wrap[0], append(wrap[1:], s.args()...)...)
		w := &worker{
			proc:   p,
			port:   s.port,
			url:    "http://127.0.0.1:" + strconv.Itoa(s.port),
			client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{}},
		}
		tb.Cleanup(w.client.CloseIdleConnections)
		err := w.waitReady(30 * time.Second)
		if err == nil {
			return w
		}
		w.kill()
		if attempt == 3 || !strings.Contains(w.log(), "address already in use") {
			tb.Fatalf("worker on port %d: %v\n%s", s.port, err, tail(w.logPath, 30))
		}
	}
}

// abuseRequest sends one request with the given headers (a body is sent as is) on a
// connection of its own, and returns the status, response headers and body.
func abuseRequest(tb testing.TB, w *worker, method, path, body string, header map[string]string) (int, http.Header, string) {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, w.url+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// abuseConnectors returns the names GET /connectors lists.
func abuseConnectors(tb testing.TB, w *worker) []string {
	tb.Helper()
	var names []string
	if err := json.Unmarshal(w.expect(tb, http.MethodGet, "/connectors", nil, http.StatusOK), &names); err != nil {
		tb.Fatal(err)
	}
	return names
}

// abuseError checks a Kafka-style error body {"error_code":status,"message":...}.
func abuseError(tb testing.TB, what, body string, status int, msgPart string) {
	tb.Helper()
	var em struct {
		ErrorCode int    `json:"error_code"`
		Message   string `json:"message"`
	}
	if err := json.Unmarshal([]byte(body), &em); err != nil || em.ErrorCode != status || !strings.Contains(em.Message, msgPart) {
		tb.Errorf("%s: body %s; want error_code %d and a message containing %q", what, body, status, msgPart)
	}
}

// openFiles counts a process's open file descriptors (Linux), or -1.
func openFiles(pid int) int {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return -1
	}
	return len(ents)
}

// TestRESTUnderIdleConnectionFlood holds 1,000 idle connections to a worker whose open-file
// limit is 1,024 (half never send a byte, half stay open after one request), then 300 more,
// and checks that a normal client's GET and POST /connectors are still answered promptly:
// the worker closes the longest-idle connections to make room, and keeps a quarter of its
// file descriptors for everything else.
func TestRESTUnderIdleConnectionFlood(t *testing.T) {
	dir := t.TempDir()
	b := startBroker(t, dir)
	w := launchLimitedWorker(t, workerSetup{
		dir: dir, broker: b.addr, dataDir: filepath.Join(dir, "data"),
		// Keep silent connections past the test's length, so that only the cap, not the header
		// timeout, is what keeps the worker reachable.
		extra: []string{"rest.server.read.header.timeout.ms=120000"},
	}, abuseNoFile)
	pid := w.cmd.Process.Pid
	if lim, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid)); err == nil {
		for _, l := range strings.Split(string(lim), "\n") {
			if strings.HasPrefix(l, "Max open files") {
				t.Logf("worker %s", strings.Join(strings.Fields(l), " "))
				if !strings.Contains(l, strconv.Itoa(abuseNoFile)) {
					t.Fatalf("the worker's open-file limit is not %d: %s", abuseNoFile, l)
				}
			}
		}
	}

	const flood = 1000
	held := make([]net.Conn, 0, flood)
	t.Cleanup(func() {
		for _, c := range held {
			c.Close()
		}
	})
	dialer := net.Dialer{Timeout: 5 * time.Second}
	addr := "127.0.0.1:" + strconv.Itoa(w.port)
	start := time.Now()
	peakFDs := 0
	for i := range flood {
		c, err := dialer.Dial("tcp", addr)
		if errors.Is(err, syscall.EMFILE) {
			t.Skipf("this test process ran out of file descriptors after %d connections (raise ulimit -n)", i)
		}
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		held = append(held, c)
		if i%2 == 1 {
			// A keep-alive client: one request, then silence. The server may already have
			// closed this connection to make room for the next one; that is its right.
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", addr); err == nil {
				if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
			_ = c.SetDeadline(time.Time{})
		}
		if i%100 == 99 {
			peakFDs = max(peakFDs, openFiles(pid))
		}
	}
	t.Logf("%d connections opened (every other one after a request) in %v", flood, time.Since(start).Round(time.Millisecond))

	// The normal client: a fresh connection for each request, the hard case at the cap.
	src := filepath.Join(dir, "in.txt")
	appendLines(t, src, "one")
	var slowest time.Duration
	var took []string
	timed := func(what string, fn func()) {
		t0 := time.Now()
		fn()
		d := time.Since(t0)
		slowest = max(slowest, d)
		took = append(took, fmt.Sprintf("%s %v", what, d.Round(100*time.Microsecond)))
	}
	for i := range 3 {
		timed("GET", func() {
			if status, _, body := abuseRequest(t, w, http.MethodGet, "/connectors", "", nil); status != http.StatusOK {
				t.Fatalf("GET /connectors with %d idle connections held: %d %s", flood, status, body)
			}
		})
		name := fmt.Sprintf("flood-%d", i)
		create, _ := json.Marshal(map[string]any{"name": name, "config": map[string]string{
			"connector.class": "FileStreamSource", "tasks.max": "1", "file": src, "topic": "flood"}})
		timed("POST", func() {
			status, _, body := abuseRequest(t, w, http.MethodPost, "/connectors", string(create), map[string]string{"Content-Type": "application/json"})
			if status != http.StatusCreated {
				t.Fatalf("POST /connectors with %d idle connections held: %d %s", flood, status, body)
			}
		})
		peakFDs = max(peakFDs, openFiles(pid))
	}
	t.Logf("normal client's answers with %d idle connections held: %s (slowest %v)", flood, strings.Join(took, ", "), slowest.Round(100*time.Microsecond))
	if slowest > 3*time.Second {
		t.Errorf("the slowest answer took %v with %d idle connections held; want under 3 s", slowest, flood)
	}

	// More silent connections than the worker has file descriptors: without the cap, its
	// accept would fail and a new client would wait until some connection timed out.
	const more = 300
	for i := range more {
		c, err := dialer.Dial("tcp", addr)
		if errors.Is(err, syscall.EMFILE) {
			t.Skipf("this test process ran out of file descriptors after %d connections (raise ulimit -n)", flood+i)
		}
		if err != nil {
			t.Fatalf("connection %d: %v", flood+i, err)
		}
		held = append(held, c)
	}
	peakFDs = max(peakFDs, openFiles(pid))
	took = took[:0]
	t0 := time.Now()
	timed("GET", func() {
		if status, _, body := abuseRequest(t, w, http.MethodGet, "/connectors", "", nil); status != http.StatusOK {
			t.Fatalf("GET /connectors after %d connections: %d %s", flood+more, status, body)
		}
	})
	t.Logf("after %d connections in all (more than the open-file limit): %s", flood+more, took[0])
	if d := time.Since(t0); d > 3*time.Second {
		t.Errorf("GET took %v after %d connections; want under 3 s", d, flood+more)
	}

	// How many of the held connections the worker kept: at most its cap, which leaves
	// descriptors for the rest of the worker.
	stillOpen := 0
	for _, c := range held {
		_ = c.SetReadDeadline(time.Now().Add(time.Millisecond))
		_, err := c.Read(make([]byte, 1))
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			stillOpen++
		}
	}
	t.Logf("%d of the %d held connections still open; worker's open files peaked at %d of %d", stillOpen, len(held), peakFDs, abuseNoFile)
	// The worker caps REST connections at three quarters of its open-file limit (768 of
	// 1,024), so Raft segments, Kafka connections and connectors' files still find descriptors.
	if stillOpen > abuseNoFile*3/4 {
		t.Errorf("%d held connections are still open; want at most %d under an open-file limit of %d", stillOpen, abuseNoFile*3/4, abuseNoFile)
	}
	if peakFDs > abuseNoFile*7/8 {
		t.Errorf("the worker used %d file descriptors of its %d: REST connections left too few for the rest", peakFDs, abuseNoFile)
	}
	if w.exited() {
		t.Fatalf("the worker exited during the flood: %v", w.state)
	}
	log := w.log()
	for _, want := range []string{"REST connections capped below rest.server.max.connections", "REST connection limit reached"} {
		if !strings.Contains(log, want) {
			t.Errorf("the worker's log has no %q", want)
		}
	}
	if strings.Contains(log, "too many open files") {
		t.Errorf("the worker ran out of file descriptors:\n%s", tail(w.logPath, 20))
	}
	w.waitState(t, "flood-0", "RUNNING", 30*time.Second)
}

// TestRESTRefusesSlowAndForeignRequests checks what a worker answers to a trickled body, a
// body without Content-Type, and requests from other sites' web pages, and that none of them
// creates a connector while normal requests still work.
func TestRESTRefusesSlowAndForeignRequests(t *testing.T) {
	dir := t.TempDir()
	b := startBroker(t, dir)
	const ui = "http://ui.example:3000"
	w := startWorker(t, workerSetup{
		dir: dir, broker: b.addr, dataDir: filepath.Join(dir, "data"),
		extra: []string{"rest.server.read.timeout.ms=2000", "access.control.allow.origin=" + ui},
	})
	src := filepath.Join(dir, "in.txt")
	appendLines(t, src, "one")
	create := func(name string) string {
		b, _ := json.Marshal(map[string]any{"name": name, "config": map[string]string{
			"connector.class": "FileStreamSource", "tasks.max": "1", "file": src, "topic": "web"}})
		return string(b)
	}
	jsonCT := map[string]string{"Content-Type": "application/json"}
	with := func(kv ...string) map[string]string {
		h := map[string]string{"Content-Type": "application/json"}
		for i := 0; i+1 < len(kv); i += 2 {
			h[kv[i]] = kv[i+1]
		}
		return h
	}

	t.Run("trickled body is cut by the read timeout", func(t *testing.T) {
		body := create("trickled")
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(w.port))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		start := time.Now()
		if _, err := fmt.Fprintf(c, "POST /connectors HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", w.port, len(body)); err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		trickled := make(chan int, 1)
		go func() {
			// One byte a second: the whole body would take minutes.
			n := 0
			defer func() { trickled <- n }()
			for ; n < len(body); n++ {
				if _, err := c.Write([]byte{body[n]}); err != nil {
					return
				}
				select {
				case <-stop:
					return
				case <-time.After(time.Second):
				}
			}
		}()
		_ = c.SetReadDeadline(time.Now().Add(15 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		cut := time.Since(start)
		close(stop)
		sent := <-trickled
		switch {
		case err == nil:
			rb, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestTimeout {
				t.Errorf("answer to the trickled body: %d %s; want 408", resp.StatusCode, rb)
			}
			abuseError(t, "trickled body", string(rb), http.StatusRequestTimeout, "read timeout")
		case errors.Is(err, os.ErrDeadlineExceeded):
			t.Fatalf("the trickled request was neither answered nor cut within 15 s (%d of %d bytes sent)", sent, len(body))
		default:
			t.Logf("the connection was cut without an answer: %v", err)
		}
		t.Logf("trickled body cut after %v, %d of %d bytes sent (read timeout 2 s)", cut.Round(10*time.Millisecond), sent, len(body))
		if cut < 1500*time.Millisecond || cut > 6*time.Second {
			t.Errorf("cut after %v; want about the 2 s read timeout", cut)
		}
		if slices.Contains(abuseConnectors(t, w), "trickled") {
			t.Error("the trickled request created its connector")
		}
	})

	t.Run("POST without Content-Type", func(t *testing.T) {
		status, _, body := abuseRequest(t, w, http.MethodPost, "/connectors", create("no-type"), nil)
		if status != http.StatusUnsupportedMediaType {
			t.Errorf("POST without Content-Type: %d %s; want 415", status, body)
		}
		abuseError(t, "POST without Content-Type", body, 415, "HTTP 415 Unsupported Media Type")
		status, _, body = abuseRequest(t, w, http.MethodPost, "/connectors", create("no-type"), map[string]string{"Content-Type": "text/plain"})
		if status != http.StatusUnsupportedMediaType {
			t.Errorf("POST with Content-Type text/plain: %d %s; want 415", status, body)
		}
		if slices.Contains(abuseConnectors(t, w), "no-type") {
			t.Error("a POST without a JSON Content-Type created its connector")
		}
	})

	t.Run("foreign origin is refused", func(t *testing.T) {
		for _, h := range []map[string]string{
			with("Origin", "http://evil.example"),
			{"Origin": "http://evil.example", "Content-Type": "text/plain"}, // what a form or no-CORS fetch sends
			with("Origin", "http://127.0.0.1:"+strconv.Itoa(w.port+1)),
		} {
			status, hdr, body := abuseRequest(t, w, http.MethodPost, "/connectors", create("evil"), h)
			if status != http.StatusForbidden {
				t.Errorf("POST with Origin %s: %d %s; want 403", h["Origin"], status, body)
			}
			abuseError(t, "foreign Origin", body, 403, "refused")
			if acao := hdr.Get("Access-Control-Allow-Origin"); acao != "" {
				t.Errorf("refusal carries Access-Control-Allow-Origin %q", acao)
			}
		}
		status, _, body := abuseRequest(t, w, http.MethodGet, "/connectors", "", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"})
		if status != http.StatusForbidden {
			t.Errorf("cross-site GET without Origin: %d %s; want 403", status, body)
		}
		if slices.Contains(abuseConnectors(t, w), "evil") {
			t.Error("a request from a foreign origin created its connector")
		}
	})

	t.Run("allowed origin gets CORS", func(t *testing.T) {
		status, hdr, body := abuseRequest(t, w, http.MethodOptions, "/connectors", "", map[string]string{
			"Origin": ui, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Content-Type"})
		if status != http.StatusOK || hdr.Get("Access-Control-Allow-Origin") != ui ||
			hdr.Get("Access-Control-Allow-Methods") != "GET,POST,HEAD" || !strings.Contains(hdr.Get("Access-Control-Allow-Headers"), "Content-Type") {
			t.Errorf("preflight from %s: %d %s, headers %v", ui, status, body, hdr)
		}
		status, hdr, body = abuseRequest(t, w, http.MethodPost, "/connectors", create("from-ui"), with("Origin", ui))
		if status != http.StatusCreated || hdr.Get("Access-Control-Allow-Origin") != ui || hdr.Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("POST from %s: %d %s, Access-Control-Allow-Origin %q", ui, status, body, hdr.Get("Access-Control-Allow-Origin"))
		}
		// DELETE is not in access.control.allow.methods (GET,POST,HEAD by default).
		status, _, body = abuseRequest(t, w, http.MethodDelete, "/connectors/from-ui", "", map[string]string{"Origin": ui})
		if status != http.StatusForbidden {
			t.Errorf("DELETE from %s: %d %s; want 403", ui, status, body)
		}
		if !slices.Contains(abuseConnectors(t, w), "from-ui") {
			t.Error("the connector created from the allowed origin is missing")
		}
	})

	t.Run("same origin and no origin work", func(t *testing.T) {
		status, hdr, body := abuseRequest(t, w, http.MethodPost, "/connectors", create("same-origin"), with("Origin", w.url))
		if status != http.StatusCreated {
			t.Errorf("POST with Origin %s (the worker's own): %d %s", w.url, status, body)
		}
		if acao := hdr.Get("Access-Control-Allow-Origin"); acao != "" {
			t.Errorf("same-origin answer carries Access-Control-Allow-Origin %q", acao)
		}
		status, _, body = abuseRequest(t, w, http.MethodPost, "/connectors", create("plain"), jsonCT)
		if status != http.StatusCreated {
			t.Errorf("POST without Origin: %d %s", status, body)
		}
		status, _, body = abuseRequest(t, w, http.MethodGet, "/connectors", "", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"})
		if status != http.StatusOK {
			t.Errorf("following a link from another site: %d %s", status, body)
		}
		got := abuseConnectors(t, w)
		slices.Sort(got)
		if want := []string{"from-ui", "plain", "same-origin"}; !slices.Equal(got, want) {
			t.Errorf("connectors %q; want %q", got, want)
		}
	})
}
