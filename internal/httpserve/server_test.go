package httpserve

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A handler that takes longer than the read timeout keeps its request: the read timeout bounds
// reading the request, not answering it. REST handlers wait up to 90 s for the herder, well
// past the 30 s read timeout; net/http lifts the read deadline once the request is read, and
// this test holds the server to that.
func TestSlowAnswerOutlivesReadTimeout(t *testing.T) {
	const readTimeout = 300 * time.Millisecond
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-time.After(3 * readTimeout):
			_, _ = io.WriteString(w, "answered")
		case <-r.Context().Done():
			// The client sees no answer: the connection is dropped.
		}
	})
	_, addr := testServer(t, Config{ReadTimeout: readTimeout, WriteTimeout: 10 * time.Second}, h)
	client := &http.Client{Timeout: 5 * time.Second}
	for _, tc := range []struct {
		method string
		body   string
	}{{"GET", ""}, {"POST", `{"a":1}`}} {
		req, _ := http.NewRequest(tc.method, "http://"+addr+"/", strings.NewReader(tc.body))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s with a slow answer: %v", tc.method, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "answered" {
			t.Errorf("%s with a slow answer: %d %q", tc.method, resp.StatusCode, b)
		}
	}
}

// A body trickled slower than the read timeout allows is cut at the read timeout.
func TestTrickledBodyIsCut(t *testing.T) {
	const readTimeout = 500 * time.Millisecond
	readErr := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		readErr <- err
		w.WriteHeader(http.StatusRequestTimeout)
	})
	_, addr := testServer(t, Config{ReadTimeout: readTimeout}, h)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	if _, err := io.WriteString(c, "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	go func() {
		// One byte every 100 ms: 10 s for the whole body, far past the read timeout. The
		// writes fail once the server has closed the connection.
		for range 100 {
			if _, err := c.Write([]byte("x")); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	select {
	case err := <-readErr:
		if err == nil {
			t.Fatal("the trickled body was read to its end")
		}
		if took := time.Since(start); took < readTimeout || took > readTimeout+time.Second {
			t.Errorf("body read cut after %v; want about %v", took, readTimeout)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the trickled body was not cut within 5 s")
	}
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestTimeout {
			t.Errorf("answer to the trickled request: %d", resp.StatusCode)
		}
	}
	// Either way the connection ends: the rest of its body will never be read.
	if !closedByServer(c, 2*time.Second) {
		t.Error("the connection of the trickled request is still open")
	}
}

// Idle keep-alive connections are closed after the idle timeout.
func TestIdleTimeoutClosesKeepAlive(t *testing.T) {
	s, addr := testServer(t, Config{IdleTimeout: 200 * time.Millisecond}, hello)
	c := dial(t, s, addr, 1)
	if got := roundTrip(t, c, bufio.NewReader(c)); got != "200 hello" {
		t.Fatalf("request: %s", got)
	}
	start := time.Now()
	if !closedByServer(c, 3*time.Second) {
		t.Fatal("idle keep-alive connection still open after 3 s")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("closed after %v; want about 200ms", took)
	}
	waitFor(t, "connection forgotten", func() bool { return s.Limiter().Open() == 0 })
}
