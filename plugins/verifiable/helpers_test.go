package verifiable

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// fakeClock is a clock that moves only when told to: by step on every reading (so that time
// passes between polls, as it does for real) and by every sleep, which returns at once.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	step   time.Duration
	sleeps []time.Duration
}

func newFakeClock(step time.Duration) *fakeClock {
	return &fakeClock{now: time.UnixMilli(1_700_000_000_000), step: step}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.now
	c.now = c.now.Add(c.step)
	return t
}

func (c *fakeClock) Sleep(_ context.Context, _ <-chan struct{}, d time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return true
}

// offsets is an OffsetReader returning one committed offset for every partition, and
// remembering the partition it was asked about.
type offsets struct {
	offset map[string]any
	err    error
	asked  map[string]any
}

func (o *offsets) Offset(partition map[string]any) (map[string]any, error) {
	o.asked = partition
	return o.offset, o.err
}

type sourceTaskContext struct {
	config  map[string]string
	offsets connect.OffsetReader
}

func (c sourceTaskContext) Config() map[string]string          { return c.config }
func (c sourceTaskContext) OffsetReader() connect.OffsetReader { return c.offsets }

// startSource starts a source task on config with a fake clock and the committed offset, and
// stops it when the test ends.
func startSource(t *testing.T, config map[string]string, committed map[string]any) (*SourceTask, *fakeClock) {
	t.Helper()
	clock := newFakeClock(time.Millisecond)
	task := &SourceTask{now: clock.Now, sleep: clock.Sleep}
	if err := task.Start(sourceTaskContext{config, &offsets{offset: committed}}, config); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := task.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return task, clock
}

// pollN polls n times and fails unless every poll returned one record.
func pollN(t *testing.T, task *SourceTask, n int) []*connect.SourceRecord {
	t.Helper()
	var out []*connect.SourceRecord
	for range n {
		recs, err := task.Poll(context.Background())
		if err != nil {
			t.Fatalf("Poll: %v", err)
		}
		if len(recs) != 1 {
			t.Fatalf("Poll returned %d records, want 1", len(recs))
		}
		out = append(out, recs...)
	}
	return out
}

func tempFile(t *testing.T) string {
	return filepath.Join(t.TempDir(), "verifiable.jsonl")
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}
