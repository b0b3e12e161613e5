package raftstore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

// syncBuffer is a log destination for several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newAuthPair(t *testing.T, dialSecret, acceptSecret []byte) (dialer, acceptor *authStream, log *syncBuffer) {
	t.Helper()
	log = &syncBuffer{}
	l := slog.New(slog.NewTextHandler(log, nil))
	mk := func(secret []byte) *authStream {
		s, err := newTCPStream("127.0.0.1:0", "")
		if err != nil {
			t.Fatal(err)
		}
		a := newAuthStream(s, secret, l)
		a.timeout = 300 * time.Millisecond
		t.Cleanup(func() { a.Close() })
		return a
	}
	return mk(dialSecret), mk(acceptSecret), log
}

// acceptRead accepts one connection on a and reads from it what the peer
// sends (until EOF or n bytes).
func acceptRead(a *authStream, n int) <-chan []byte {
	out := make(chan []byte, 1)
	go func() {
		c, err := a.Accept()
		if err != nil {
			out <- nil
			return
		}
		defer c.Close()
		buf := make([]byte, n)
		k, _ := io.ReadFull(c, buf)
		out <- buf[:k]
	}()
	return out
}

// TestAuthHandshake: only two ends with the same secret get a working
// connection; the acceptor of a failed handshake reads nothing.
func TestAuthHandshake(t *testing.T) {
	other := []byte("another secret")
	cases := []struct {
		name            string
		dial, accept    []byte
		wantConnected   bool
		wantLogIncoming bool
	}{
		{"same secret", testSecret, testSecret, true, false},
		{"different secrets", testSecret, other, false, true},
		{"secret is a prefix", testSecret[:8], testSecret, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, a, log := newAuthPair(t, c.dial, c.accept)
			got := acceptRead(a, 5)
			conn, err := d.Dial(raft.ServerAddress(a.Addr().String()), time.Second)
			if c.wantConnected {
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				if _, err := conn.Write([]byte("hello")); err != nil {
					t.Fatal(err)
				}
				if b := <-got; string(b) != "hello" {
					t.Fatalf("acceptor read %q", b)
				}
				conn.Close()
				if s := log.String(); s != "" {
					t.Fatalf("log after a good handshake: %s", s)
				}
				return
			}
			if err == nil || !errors.Is(err, errHandshake) {
				t.Fatalf("dial: %v, want a handshake failure", err)
			}
			if b := <-got; len(b) != 0 {
				t.Fatalf("acceptor read %q after a failed handshake", b)
			}
			s := log.String()
			if !strings.Contains(s, "direction=inbound") || !strings.Contains(s, "127.0.0.1:") {
				t.Fatalf("log of the refused connection: %s", s)
			}
			if strings.Contains(s, string(c.dial)) || strings.Contains(s, string(c.accept)) {
				t.Fatalf("log shows a secret: %s", s)
			}
		})
	}

	t.Run("silent client", func(t *testing.T) {
		_, a, _ := newAuthPair(t, testSecret, testSecret)
		got := acceptRead(a, 1)
		raw, err := net.Dial("tcp", a.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		select {
		case b := <-got:
			if len(b) != 0 {
				t.Fatalf("read %q", b)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a silent client was not dropped at the handshake deadline")
		}
	})

	t.Run("server that is not a raft node", func(t *testing.T) {
		d, _, _ := newAuthPair(t, testSecret, testSecret)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			c.Write([]byte(strings.Repeat("HTTP/1.1 400 Bad Request\r\n", 4)))
			io.Copy(io.Discard, c)
		}()
		if _, err := d.Dial(raft.ServerAddress(ln.Addr().String()), time.Second); !errors.Is(err, errHandshake) {
			t.Fatalf("dial: %v", err)
		}
	})
}

// TestRaftPortDropsGarbage: raw TCP clients sending garbage are dropped,
// logged with their address at a bounded rate and never with the secret,
// and the node keeps working.
func TestRaftPortDropsGarbage(t *testing.T) {
	before := runtime.NumGoroutine()
	log := &syncBuffer{}
	cfg := nodeConfig("g1", t.TempDir(), "127.0.0.1:0", false, testSecret)
	cfg.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		checkGoroutines(t, before)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitForLeader(ctx); err != nil {
		t.Fatal(err)
	}

	garbage := []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + strings.Repeat("A", 40),
		string(make([]byte, 64)),
		authMagic + strings.Repeat("\x01", 32) + strings.Repeat("\x02", 32), // right magic, bogus proof
	}
	var firstAddr string
	for i := range 20 {
		c, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			firstAddr = c.LocalAddr().String()
		}
		c.Write([]byte(garbage[i%len(garbage)]))
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		// The node closes the connection: EOF (or a reset), not a timeout
		// and not a reply beyond its own hello.
		n, err := io.Copy(io.Discard, c)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("garbage client %d not dropped", i)
		}
		if n > int64(len(authMagic)+authNonceLen) {
			t.Fatalf("garbage client %d got %d bytes", i, n)
		}
		c.Close()
	}
	if _, err := s.Apply(ctx, PutConnector{Name: "still-works"}); err != nil {
		t.Fatalf("apply after garbage: %v", err)
	}
	out := log.String()
	lines := strings.Count(out, "authentication failed")
	if lines < 1 || lines > 2 {
		t.Fatalf("%d handshake failure lines for 20 clients:\n%s", lines, out)
	}
	if !strings.Contains(out, firstAddr) {
		t.Fatalf("log does not name the client %s:\n%s", firstAddr, out)
	}
	if strings.Contains(out, string(testSecret)) {
		t.Fatalf("log shows the secret:\n%s", out)
	}
}

// TestWrongSecretCannotJoin: a node with another secret, added to the
// configuration anyway, never receives the log or learns the leader, and
// shows in FailingPeers; its own cluster cannot reach the good node either.
func TestWrongSecretCannotJoin(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	goodCfg := nodeConfig("good", t.TempDir(), "127.0.0.1:0", false, testSecret)
	goodCfg.MaxVoters = 1 // the stranger joins as a non-voter: the quorum stays reachable
	good, err := Open(goodCfg)
	if err != nil {
		t.Fatal(err)
	}
	badCfg := nodeConfig("bad", t.TempDir(), "127.0.0.1:0", false, []byte("not the cluster secret"))
	badCfg.MaxVoters = 1
	bad, err := Open(badCfg)
	if err != nil {
		good.Close()
		t.Fatal(err)
	}
	defer func() {
		good.Close()
		bad.Close()
		checkGoroutines(t, before)
	}()
	for _, s := range []*Store{good, bad} {
		if err := s.WaitForLeader(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// Each adds the other; neither gets through.
	if voter, err := good.Join(ctx, "bad", bad.Addr()); err != nil || voter {
		t.Fatalf("good joins bad: voter=%v %v", voter, err)
	}
	if voter, err := bad.Join(ctx, "good", good.Addr()); err != nil || voter {
		t.Fatalf("bad joins good: voter=%v %v", voter, err)
	}
	rs := applyOK(t, good, PutConnector{Name: "good-only"})
	applyOK(t, bad, PutConnector{Name: "bad-only"})
	eventually(t, 5*time.Second, "bad in the good leader's FailingPeers", func() bool {
		_, ok := good.FailingPeers()["bad"]
		return ok
	})
	eventually(t, 5*time.Second, "good in the bad leader's FailingPeers", func() bool {
		_, ok := bad.FailingPeers()["good"]
		return ok
	})
	if _, ok := bad.Connector("good-only"); ok {
		t.Fatal("the stranger received the cluster's log")
	}
	if _, ok := good.Connector("bad-only"); ok {
		t.Fatal("the stranger wrote to the cluster")
	}
	if !good.IsLeader() || good.AppliedIndex() < rs[0].Index {
		t.Fatalf("good node: leader %v, applied %d", good.IsLeader(), good.AppliedIndex())
	}
	if _, id := good.Leader(); id != "good" {
		t.Fatalf("good node follows %q", id)
	}
}
