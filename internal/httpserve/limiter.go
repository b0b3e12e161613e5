// Package httpserve runs an HTTP/1.1 server that idle or slow clients cannot starve: it bounds
// how long a client may take to send a request, how long an answer may take, how long a
// keep-alive connection may stay idle, and how many connections may be open at once.
//
// At the connection cap, the server makes room instead of refusing the newcomer: it closes the
// connection that has been waiting longest without a request in progress (an idle keep-alive
// connection, or one that has not sent a complete request yet). Only when every open
// connection is busy with a request is the new one let in over the cap, to be answered 503 and
// closed (a request it sends is not served).
package httpserve

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Limiter caps the open connections of an http.Server. Install all of it:
//
//	srv.ConnState = l.ConnState
//	srv.ConnContext = l.ConnContext
//	srv.Handler = l.Guard(h)
//	srv.Serve(l.Listener(ln))
type Limiter struct {
	max int
	log *slog.Logger
	now func() time.Time // the clock, replaceable in tests

	mu      sync.Mutex
	conns   map[net.Conn]*connInfo
	evicted uint64 // connections closed to make room
	refused uint64 // new connections let in over the cap (and answered 503) as every open one was busy
	warned  time.Time
}

// connInfo is what the limiter knows of one open connection.
type connInfo struct {
	state    http.ConnState
	since    time.Time // when it entered state: accepted, or went idle
	overflow bool      // let in over the cap: its requests are answered 503
}

// warnEvery bounds how often the limiter logs that it is closing connections: under a flood
// it may close thousands a second.
const warnEvery = time.Minute

// NewLimiter returns a Limiter that keeps at most n connections open; n < 1 counts as 1.
// log receives a warning (at most once a minute) when connections are closed to make room;
// nil means slog.Default().
func NewLimiter(n int, log *slog.Logger) *Limiter {
	if log == nil {
		log = slog.Default()
	}
	return &Limiter{max: max(n, 1), log: log, now: time.Now, conns: map[net.Conn]*connInfo{}}
}

// Open returns how many connections are open.
func (l *Limiter) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}

// Stats returns how many connections were closed to make room and how many new ones were
// refused (answered 503) because every open connection was busy with a request.
func (l *Limiter) Stats() (evicted, refused uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.evicted, l.refused
}

// ConnState is the http.Server ConnState hook: it follows each connection's state, so the
// limiter knows which connections are idle and since when.
func (l *Limiter) ConnState(c net.Conn, s http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch s {
	case http.StateClosed, http.StateHijacked:
		delete(l.conns, c)
	default:
		ci, ok := l.conns[c]
		if !ok {
			// Not accepted through Listener, or already closed by evict: not ours to track.
			return
		}
		if ci.state != s {
			ci.state, ci.since = s, l.now()
		}
	}
}

// Listener wraps ln so that each accepted connection is counted, and room is made for it at
// the cap.
func (l *Limiter) Listener(ln net.Listener) net.Listener {
	return &listener{Listener: ln, l: l}
}

type listener struct {
	net.Listener
	l *Limiter
}

// maxEMFILERetries bounds how many connections Accept closes in a row to free a file
// descriptor when the process has none left, before letting http.Server back off.
const maxEMFILERetries = 8

func (ln *listener) Accept() (net.Conn, error) {
	fdRetries := 0
	for {
		c, err := ln.Listener.Accept()
		if err != nil {
			// Out of file descriptors: the waiting client cannot even be accepted. Closing an
			// idle connection frees one (Close returns once the descriptor is closed).
			if isFDExhausted(err) && fdRetries < maxEMFILERetries && ln.l.evictOne() {
				fdRetries++
				continue
			}
			return nil, err
		}
		ln.l.admit(c)
		return c, nil
	}
}

// admit counts c, closing the longest-waiting idle connection first if the cap is reached.
// When every open connection is busy with a request, c is let in over the cap, marked to be
// answered 503: writing that answer before the client has sent its request would confuse
// clients (Go's reports an unsolicited response), and closing it unanswered would tell the
// user nothing. Such a connection is itself the first to be closed for the next newcomer, so
// the excess stays small.
func (l *Limiter) admit(c net.Conn) {
	l.mu.Lock()
	var victim net.Conn
	overflow := false
	if len(l.conns) >= l.max {
		victim = l.pickVictimLocked()
		if victim == nil {
			overflow = true
			l.refused++
		}
	}
	l.conns[c] = &connInfo{state: http.StateNew, since: l.now(), overflow: overflow}
	warn := l.warnLocked(victim != nil)
	l.mu.Unlock()
	if victim != nil {
		// Closing makes the server's read on it fail; the server then drops the connection.
		_ = victim.Close()
	}
	if warn {
		l.logPressure()
	}
}

// connKey is the request context key of the connection a request came on.
type connKey struct{}

// ConnContext is the http.Server ConnContext hook: it lets Guard find a request's connection.
func (l *Limiter) ConnContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// Guard answers 503 (and closes the connection) to requests on connections let in over the
// cap, and passes the others to next.
func (l *Limiter) Guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := r.Context().Value(connKey{}).(net.Conn); ok && l.isOverflow(c) {
			h := w.Header()
			h.Set("Connection", "close")
			h.Set("Content-Type", "application/json")
			h.Set("Content-Length", strconv.Itoa(len(busyBody)))
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, busyBody)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (l *Limiter) isOverflow(c net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	ci, ok := l.conns[c]
	return ok && ci.overflow
}

// evictOne closes the longest-waiting idle connection, if there is one.
func (l *Limiter) evictOne() bool {
	l.mu.Lock()
	victim := l.pickVictimLocked()
	warn := l.warnLocked(victim != nil)
	l.mu.Unlock()
	if victim == nil {
		return false
	}
	_ = victim.Close()
	if warn {
		l.logPressure()
	}
	return true
}

// pickVictimLocked removes and returns the connection that has waited longest without a
// request in progress: idle keep-alive connections (since their last answer) and connections
// that have not sent a complete request (since they were accepted) compete on that time. A
// connection busy with a request is never chosen: its time is bounded by the read and write
// timeouts. Nil if every connection is busy.
func (l *Limiter) pickVictimLocked() net.Conn {
	var victim net.Conn
	var oldest time.Time
	for c, ci := range l.conns {
		if ci.state != http.StateNew && ci.state != http.StateIdle {
			continue
		}
		if victim == nil || ci.since.Before(oldest) {
			victim, oldest = c, ci.since
		}
	}
	if victim != nil {
		delete(l.conns, victim)
		l.evicted++
	}
	return victim
}

// warnLocked reports whether a warning about connection pressure is due.
func (l *Limiter) warnLocked(evicted bool) bool {
	if !evicted {
		return false
	}
	now := l.now()
	if !l.warned.IsZero() && now.Sub(l.warned) < warnEvery {
		return false
	}
	l.warned = now
	return true
}

func (l *Limiter) logPressure() {
	evicted, refused := l.Stats()
	l.log.Warn("REST connection limit reached: closing the longest-idle connections to make room for new ones",
		"max_connections", l.max, "closed_so_far", evicted, "refused_so_far", refused)
}

// busyBody answers a request on a connection let in over the cap, in Kafka's error shape.
const busyBody = `{"error_code":503,"message":"Too many REST requests in progress; try again later"}`

// isFDExhausted reports whether an Accept error means the process (or system) has no file
// descriptor left for the connection.
func isFDExhausted(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE)
}
