package file

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// offsetStore is an OffsetReader over offsets keyed by file name, as the runtime would return
// them after committing.
type offsetStore struct {
	offsets map[string]map[string]any
	err     error
}

func (s *offsetStore) Offset(partition map[string]any) (map[string]any, error) {
	if s.err != nil {
		return nil, s.err
	}
	name, _ := partition[FilenameField].(string)
	return s.offsets[name], nil
}

// sourceTaskContext is the minimal runtime side of a source task.
type sourceTaskContext struct {
	config  map[string]string
	offsets connect.OffsetReader
}

func (c *sourceTaskContext) Config() map[string]string          { return c.config }
func (c *sourceTaskContext) OffsetReader() connect.OffsetReader { return c.offsets }

// startSourceTask starts a task on config with the given committed offsets and fast polling,
// and stops it when the test ends.
func startSourceTask(t testing.TB, config map[string]string, offsets map[string]map[string]any) *SourceTask {
	t.Helper()
	task := &SourceTask{pollInterval: 2 * time.Millisecond, maxPollWait: 40 * time.Millisecond}
	ctx := &sourceTaskContext{config: config, offsets: &offsetStore{offsets: offsets}}
	if err := task.Start(ctx, config); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := task.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return task
}

// pollN polls until it has n records, failing the test after a few seconds.
func pollN(t testing.TB, task *SourceTask, n int) []*connect.SourceRecord {
	t.Helper()
	var out []*connect.SourceRecord
	deadline := time.Now().Add(5 * time.Second)
	for len(out) < n {
		if time.Now().After(deadline) {
			t.Fatalf("got %d records, want %d: %v", len(out), n, values(out))
		}
		recs, err := task.Poll(context.Background())
		if err != nil {
			t.Fatalf("Poll: %v", err)
		}
		out = append(out, recs...)
	}
	if len(out) != n {
		t.Fatalf("got %d records, want %d: %v", len(out), n, values(out))
	}
	return out
}

// pollNone polls once and fails if it returns records.
func pollNone(t testing.TB, task *SourceTask) {
	t.Helper()
	recs, err := task.Poll(context.Background())
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	if len(recs) > 0 {
		t.Fatalf("Poll returned %q, want nothing", values(recs))
	}
}

func values(recs []*connect.SourceRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i], _ = r.Value.(string)
	}
	return out
}

func positions(t testing.TB, recs []*connect.SourceRecord) []int64 {
	t.Helper()
	out := make([]int64, len(recs))
	for i, r := range recs {
		p, ok := r.SourceOffset[PositionField].(int64)
		if !ok {
			t.Fatalf("record %d: offset position is %T, want int64", i, r.SourceOffset[PositionField])
		}
		out[i] = p
	}
	return out
}

func appendFile(t testing.TB, path, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func tempPath(t testing.TB, name string) string {
	return filepath.Join(t.TempDir(), name)
}
