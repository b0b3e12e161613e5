package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

func TestBackoffGrowsWithJitterToCap(t *testing.T) {
	cases := []struct {
		name      string
		base, max time.Duration
		jitter    func(int64) int64
		want      []time.Duration
	}{
		{"lowest draw is half of each step", 100 * time.Millisecond, time.Second, func(int64) int64 { return 0 },
			[]time.Duration{50, 100, 200, 400, 500, 500, 500}},
		{"highest draw is the full step", 100 * time.Millisecond, time.Second, func(n int64) int64 { return n - 1 },
			[]time.Duration{100, 200, 400, 800, 1000, 1000}},
		{"base above cap", 5 * time.Second, time.Second, func(int64) int64 { return 0 },
			[]time.Duration{500, 500}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newBackoff(c.base, c.max)
			b.jitter = c.jitter
			for i, w := range c.want {
				if got := b.next(); got != w*time.Millisecond {
					t.Fatalf("delay %d = %v; want %v", i, got, w*time.Millisecond)
				}
			}
			b.reset()
			if got, first := b.next(), c.want[0]*time.Millisecond; got != first {
				t.Errorf("after reset: %v; want %v", got, first)
			}
		})
	}

	t.Run("real jitter stays within bounds and spreads", func(t *testing.T) {
		seen := map[time.Duration]bool{}
		for range 50 {
			b := newBackoff(100*time.Millisecond, 30*time.Second)
			for i := range 12 {
				step := min(100*time.Millisecond<<i, 30*time.Second)
				d := b.next()
				if d < step/2 || d > step {
					t.Fatalf("attempt %d: %v outside [%v, %v]", i, d, step/2, step)
				}
				if i == 3 {
					seen[d] = true
				}
			}
		}
		if len(seen) < 10 {
			t.Errorf("50 retries drew only %d distinct delays: no jitter", len(seen))
		}
	})

	t.Run("many attempts never overflow", func(t *testing.T) {
		b := newBackoff(time.Second, time.Minute)
		for range 200 {
			if d := b.next(); d <= 0 || d > time.Minute {
				t.Fatalf("delay %v", d)
			}
		}
	})
}

// captureLog returns a logger writing text lines to buf.
func captureLog(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func logLines(buf *bytes.Buffer) []string {
	s := strings.TrimSpace(buf.String())
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestLogLimiter(t *testing.T) {
	var buf bytes.Buffer
	log := captureLog(&buf)
	now := time.Unix(1000, 0)
	l := NewLogLimiter(30 * time.Second)
	l.now = func() time.Time { return now }

	step := func(d time.Duration, msg string) {
		now = now.Add(d)
		l.Log(log, slog.LevelWarn, msg, "error", "broker down")
	}
	step(0, "rejoining") // logged: first occurrence
	for range 100 {
		step(100*time.Millisecond, "rejoining") // within 10 s: suppressed
	}
	step(0, "other message")          // a different message has its own budget
	step(19*time.Second, "rejoining") // 29 s after the first: suppressed
	step(time.Second, "rejoining")    // 30 s after the first: logged with the count
	step(time.Second, "rejoining")    // suppressed again

	lines := logLines(&buf)
	if len(lines) != 3 {
		t.Fatalf("%d lines logged; want 3:\n%s", len(lines), buf.String())
	}
	if strings.Contains(lines[0], "suppressed") || !strings.Contains(lines[0], `msg=rejoining error="broker down"`) {
		t.Errorf("first occurrence: %s", lines[0])
	}
	if !strings.Contains(lines[1], "other message") {
		t.Errorf("second line: %s", lines[1])
	}
	if !strings.Contains(lines[2], "suppressed=101 suppressed_over=30s") {
		t.Errorf("line after the interval does not carry the count of suppressed lines: %s", lines[2])
	}

	buf.Reset()
	var nilLimiter *LogLimiter
	nilLimiter.Log(log, slog.LevelInfo, "x")
	nilLimiter.Log(log, slog.LevelInfo, "x")
	if n := len(logLines(&buf)); n != 2 {
		t.Errorf("a nil limiter logged %d of 2 lines", n)
	}
}

func TestLogLimiterConcurrent(t *testing.T) {
	var buf syncBuffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	l := NewLogLimiter(time.Hour)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				l.Log(log, slog.LevelWarn, "same line")
			}
		})
	}
	wg.Wait()
	if n := strings.Count(buf.String(), "same line"); n != 1 {
		t.Errorf("8000 repeats from 8 goroutines logged %d lines; want 1", n)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// goTypeName matches what fmt's %T prints for common internal types.
var goTypeName = regexp.MustCompile(`\*?(fmt|errors|json|os|net|sarama|worker)\.[a-zA-Z]+|map\[string\]interface \{\}|interface \{\}`)

func TestTrace(t *testing.T) {
	panicked := func(v any) (err error) {
		defer recoverTo(&err, "SinkTask.Put")
		panic(v)
	}
	wrapped := fmt.Errorf("task orders-0: stage TASK_PUT: %w", errors.New("disk full"))

	cases := []struct {
		name      string
		err       error
		firstLine string
		stack     bool
	}{
		{"nil", nil, "", false},
		{"wrapped error: the message chain", wrapped, "task orders-0: stage TASK_PUT: disk full", false},
		{"panic with a string", fmt.Errorf("task orders-0: %w", panicked("index out of range")), "task orders-0: SinkTask.Put panicked: index out of range", true},
		{"panic with an error", panicked(errors.New("nil map")), "SinkTask.Put panicked: nil map", true},
		{"panic with a map", panicked(map[string]any{"a": 1}), `SinkTask.Put panicked: {"a":1}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := trace(c.err)
			first, rest, _ := strings.Cut(got, "\n")
			if first != c.firstLine {
				t.Errorf("first line %q; want %q", first, c.firstLine)
			}
			if m := goTypeName.FindString(first); m != "" {
				t.Errorf("trace shows the Go type %q: %q", m, first)
			}
			if c.stack != strings.Contains(rest, "goroutine ") || c.stack != strings.Contains(rest, "retry_test.go") {
				t.Errorf("stack shown: %v; want %v:\n%s", rest != "", c.stack, got)
			}
			if c.err != nil && strings.Contains(c.err.Error(), "\n") {
				t.Errorf("the error message (used in log lines) spans lines: %q", c.err.Error())
			}
		})
	}
}

// failingGroup is a consumer group whose every join fails with err.
type failingGroup struct {
	sarama.ConsumerGroup
	err   error
	calls int
}

func (g *failingGroup) Consume(ctx context.Context, _ []string, _ sarama.ConsumerGroupHandler) error {
	g.calls++
	return g.err
}

func TestRejoinFailsTheTaskAfterTheBound(t *testing.T) {
	joinTimeout := fmt.Errorf("read tcp 127.0.0.1:1->127.0.0.1:2: %w", errors.New("i/o timeout"))
	cases := []struct {
		name   string
		err    error
		calls  int // attempts before the task fails
		errMsg string
	}{
		{"retriable errors retry within the bound, then fail with the last error", joinTimeout, 6,
			"could not rejoin consumer group connect-orders for "},
		{"a fenced member (often its own stopping predecessor) retries within the bound", sarama.ErrFencedInstancedId, 6,
			"could not rejoin consumer group connect-orders for "},
		{"an invalid session timeout fails at once", sarama.ErrInvalidSessionTimeout, 1,
			"consumer.session.timeout.ms"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			g := &failingGroup{err: c.err}
			task := &sinkTask{
				id: TaskID{"orders", 0}, group: g, groupID: "connect-orders", topics: []string{"t"},
				log: captureLog(&buf), limit: NewLogLimiter(time.Hour), restartCons: make(chan struct{}, 1),
				rejoinTimeout: 50 * time.Millisecond, rejoinAttempts: 6, rejoinBase: time.Millisecond, rejoinMax: 20 * time.Millisecond,
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := task.consume(ctx)
			if ctx.Err() != nil {
				t.Fatal("the rejoin loop did not give up within 10 s")
			}
			if err == nil || !strings.Contains(err.Error(), c.errMsg) || !strings.Contains(err.Error(), c.err.Error()) {
				t.Fatalf("error %v; want one containing %q and the cause %q", err, c.errMsg, c.err)
			}
			if g.calls < c.calls || c.calls == 1 && g.calls != 1 {
				t.Errorf("%d join attempts; want %d", g.calls, c.calls)
			}
			if lines := logLines(&buf); len(lines) > 1 {
				t.Errorf("%d retries logged %d lines with a limiter of one per hour:\n%s", g.calls, len(lines), buf.String())
			}
			if m := goTypeName.FindString(trace(err)); m != "" {
				t.Errorf("trace shows the Go type %q: %s", m, trace(err))
			}
		})
	}
}
