package httpserve

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testServer serves h with cfg on 127.0.0.1 and returns the server and its address.
func testServer(t *testing.T, cfg Config, h http.Handler) (*Server, string) {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := New(h, cfg)
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return s, ln.Addr().String()
}

var hello = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	_, _ = io.WriteString(w, "hello")
})

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within 5 s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// states counts the limiter's connections by state.
func states(l *Limiter) map[http.ConnState]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := map[http.ConnState]int{}
	for _, ci := range l.conns {
		m[ci.state]++
	}
	return m
}

// dial opens a connection and waits until the server has accepted it (open connections == want).
func dial(t *testing.T, s *Server, addr string, want int) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	waitFor(t, fmt.Sprintf("%d open connections", want), func() bool { return s.Limiter().Open() == want })
	return c
}

// roundTrip sends a GET on c and reads the answer, leaving c open (keep-alive).
func roundTrip(t *testing.T, c net.Conn, br *bufio.Reader) string {
	t.Helper()
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d %s", resp.StatusCode, b)
}

// closedByServer reports whether the server has closed c (a read ends in EOF or a reset
// within wait) rather than leaving it open.
func closedByServer(c net.Conn, wait time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(wait))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

func get(t *testing.T, addr string) (string, time.Duration) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	resp, err := client.Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, b), time.Since(start)
}

// At the cap, a new client is served at once: the server closes the connection that has
// waited longest without a request, whether it never sent one or is an idle keep-alive.
func TestLimiterClosesLongestWaitingFirst(t *testing.T) {
	s, addr := testServer(t, Config{MaxConnections: 3, ReadHeaderTimeout: time.Minute, IdleTimeout: time.Minute}, hello)

	silentOld := dial(t, s, addr, 1)
	keepAlive := dial(t, s, addr, 2)
	if got := roundTrip(t, keepAlive, bufio.NewReader(keepAlive)); got != "200 hello" {
		t.Fatalf("keep-alive request: %s", got)
	}
	waitFor(t, "keep-alive connection idle", func() bool { return states(s.Limiter())[http.StateIdle] == 1 })
	silentNew := dial(t, s, addr, 3)

	// A fourth connection, held open: the oldest silent connection makes room.
	hold := func(wantEvicted uint64) {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		waitFor(t, fmt.Sprintf("%d connections closed to make room", wantEvicted), func() bool {
			evicted, _ := s.Limiter().Stats()
			return evicted == wantEvicted
		})
	}
	hold(1)
	if !closedByServer(silentOld, 2*time.Second) {
		t.Fatal("the oldest silent connection is still open at the cap")
	}
	// Then the keep-alive connection, idle since before the newest silent one was opened.
	hold(2)
	if !closedByServer(keepAlive, 2*time.Second) {
		t.Fatal("the idle keep-alive connection is still open")
	}
	if closedByServer(silentNew, 100*time.Millisecond) {
		t.Fatal("the newest silent connection was closed before older ones")
	}
	// A normal client at the cap is answered at once.
	if got, took := get(t, addr); got != "200 hello" || took > time.Second {
		t.Fatalf("GET at the cap: %s after %v", got, took)
	}
	if !closedByServer(silentNew, 2*time.Second) {
		t.Fatal("the GET at the cap did not make room by closing the longest-waiting connection")
	}
	if evicted, refused := s.Limiter().Stats(); evicted != 3 || refused != 0 {
		t.Errorf("evicted %d, refused %d; want 3, 0", evicted, refused)
	}
	if open := s.Limiter().Open(); open > 3 {
		t.Errorf("%d connections open; the cap is 3", open)
	}
}

// A connection busy with a request is never closed to make room; when every connection is
// busy, the newcomer gets a 503 at once and the busy requests still complete.
func TestLimiterNeverClosesBusyConnections(t *testing.T) {
	release := make(chan struct{})
	var started sync.WaitGroup
	started.Add(2)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			started.Done()
			<-release
		}
		_, _ = io.WriteString(w, "done")
	})
	s, addr := testServer(t, Config{MaxConnections: 2}, h)

	results := make(chan string, 2)
	for range 2 {
		go func() {
			client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			resp, err := client.Get("http://" + addr + "/slow")
			if err != nil {
				results <- err.Error()
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			results <- fmt.Sprintf("%d %s", resp.StatusCode, b)
		}()
	}
	started.Wait()
	waitFor(t, "two busy connections", func() bool { return states(s.Limiter())[http.StateActive] == 2 })

	got, took := get(t, addr)
	if !strings.HasPrefix(got, "503 ") || !strings.Contains(got, `"error_code":503`) {
		t.Errorf("GET with every connection busy: %s; want a 503 error body", got)
	}
	if took > time.Second {
		t.Errorf("the 503 took %v; want it at once", took)
	}
	close(release)
	for range 2 {
		if r := <-results; r != "200 done" {
			t.Errorf("busy request: %s; want 200 done", r)
		}
	}
	if evicted, refused := s.Limiter().Stats(); evicted != 0 || refused != 1 {
		t.Errorf("evicted %d, refused %d; want 0, 1", evicted, refused)
	}
}

// Many silent connections, far more than the cap, never lock out a normal client, and the
// server never holds more than the cap.
func TestLimiterFloodOfSilentConnections(t *testing.T) {
	const limit, flood = 50, 400
	s, addr := testServer(t, Config{MaxConnections: limit, ReadHeaderTimeout: time.Minute}, hello)
	var conns []net.Conn
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	peak := 0
	for i := range flood {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
		peak = max(peak, s.Limiter().Open())
	}
	if got, took := get(t, addr); got != "200 hello" || took > 2*time.Second {
		t.Fatalf("GET during the flood: %s after %v", got, took)
	}
	if peak > limit {
		t.Errorf("%d connections open at once; the cap is %d", peak, limit)
	}
	waitFor(t, "the cap holds after the flood", func() bool { return s.Limiter().Open() <= limit })
}

// fakeListener returns the errors it is given before each real accept.
type fakeListener struct {
	net.Listener
	mu   sync.Mutex
	errs []error
}

func (f *fakeListener) Accept() (net.Conn, error) {
	f.mu.Lock()
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		f.mu.Unlock()
		return nil, err
	}
	f.mu.Unlock()
	return f.Listener.Accept()
}

// Out of file descriptors, Accept closes an idle connection and tries again, so the client
// waiting in the backlog is served instead of the server backing off.
func TestLimiterFreesADescriptorWhenThereIsNone(t *testing.T) {
	l := NewLimiter(10, slog.New(slog.DiscardHandler))
	real, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer real.Close()
	fl := &fakeListener{Listener: real}
	ln := l.Listener(fl)

	idle, err := net.Dial("tcp", real.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	serverSide, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer serverSide.Close()
	l.ConnState(serverSide, http.StateIdle)

	fl.mu.Lock()
	fl.errs = []error{&net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}}
	fl.mu.Unlock()
	newcomer, err := net.Dial("tcp", real.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer newcomer.Close()
	c, err := ln.Accept()
	if err != nil {
		t.Fatalf("Accept with no descriptor left and an idle connection to close: %v", err)
	}
	defer c.Close()
	if !closedByServer(idle, 2*time.Second) {
		t.Error("the idle connection was not closed to free a descriptor")
	}
	if evicted, _ := l.Stats(); evicted != 1 {
		t.Errorf("evicted %d; want 1", evicted)
	}

	// With nothing idle to close, the error goes to http.Server, which backs off and retries.
	l.ConnState(c, http.StateActive)
	fl.mu.Lock()
	fl.errs = []error{&net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}}
	fl.mu.Unlock()
	if _, err := ln.Accept(); !errors.Is(err, syscall.EMFILE) {
		t.Errorf("Accept with nothing to close: %v; want the EMFILE error", err)
	}
}

func TestCapForLimit(t *testing.T) {
	for _, tc := range []struct {
		n         int
		limit     uint64
		want      int
		wantLimit uint64
	}{
		{1000, 1 << 20, 1000, 0},
		{1000, 1024, 768, 1024},
		{1000, 256, 192, 256},
		{1000, 100, 36, 100},
		{1000, 64, 1, 64},
		{100, 1024, 100, 0},
	} {
		got, lim := capForLimit(tc.n, tc.limit)
		if got != tc.want || lim != tc.wantLimit {
			t.Errorf("capForLimit(%d, %d) = %d, %d; want %d, %d", tc.n, tc.limit, got, lim, tc.want, tc.wantLimit)
		}
	}
}
