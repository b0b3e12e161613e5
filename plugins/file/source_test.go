package file

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

func TestSourceReadsLines(t *testing.T) {
	path := tempPath(t, "in.txt")
	// "\n", "\r\n" and a lone "\r" all end a line; "é" is two bytes, positions count bytes.
	appendFile(t, path, "a\nbb\r\nccc\ré\n\npartial")
	task := startSourceTask(t, map[string]string{"file": path, "topic": "lines"}, nil)

	recs := pollN(t, task, 5)
	if got, want := values(recs), []string{"a", "bb", "ccc", "é", ""}; !slices.Equal(got, want) {
		t.Errorf("values %q, want %q", got, want)
	}
	if got, want := positions(t, recs), []int64{2, 6, 10, 13, 14}; !slices.Equal(got, want) {
		t.Errorf("positions %v, want %v", got, want)
	}
	for i, r := range recs {
		if r.Topic != "lines" || r.Partition != connect.PartitionAny || r.Key != nil || r.KeySchema != nil {
			t.Errorf("record %d: topic %q partition %d key %v/%v", i, r.Topic, r.Partition, r.KeySchema, r.Key)
		}
		if r.ValueSchema != connect.StringSchema {
			t.Errorf("record %d: value schema %v, want STRING", i, r.ValueSchema)
		}
		if len(r.SourcePartition) != 1 || r.SourcePartition[FilenameField] != path {
			t.Errorf("record %d: source partition %v", i, r.SourcePartition)
		}
		if r.Timestamp.IsZero() {
			t.Errorf("record %d: no timestamp", i)
		}
	}

	// "partial" has no terminator yet: the writer may be in the middle of it.
	pollNone(t, task)
	appendFile(t, path, " line\n")
	recs = pollN(t, task, 1)
	if recs[0].Value != "partial line" || positions(t, recs)[0] != 27 {
		t.Errorf("completed line: %q at %d, want %q at 27", recs[0].Value, positions(t, recs)[0], "partial line")
	}
}

func TestSourceCarriageReturnAtEndWaits(t *testing.T) {
	path := tempPath(t, "in.txt")
	appendFile(t, path, "x\r")
	task := startSourceTask(t, map[string]string{"file": path, "topic": "t"}, nil)
	// The next byte decides whether "\r" ends the line or starts "\r\n".
	pollNone(t, task)
	appendFile(t, path, "\ny\r")
	recs := pollN(t, task, 1)
	if recs[0].Value != "x" || positions(t, recs)[0] != 3 {
		t.Errorf("got %q at %d, want \"x\" at 3 (after \\r\\n)", recs[0].Value, positions(t, recs)[0])
	}
	pollNone(t, task)
	appendFile(t, path, "z\n")
	recs = pollN(t, task, 2)
	if got := values(recs); !slices.Equal(got, []string{"y", "z"}) {
		t.Errorf("values %q, want [y z]", got)
	}
	if got := positions(t, recs); !slices.Equal(got, []int64{5, 7}) {
		t.Errorf("positions %v, want [5 7]", got)
	}
}

func TestSourceResumesFromCommittedOffset(t *testing.T) {
	path := tempPath(t, "in.txt")
	var want []string
	for i := range 20 {
		line := strings.Repeat("x", i) + "|" + string(rune('a'+i))
		want = append(want, line)
		appendFile(t, path, line+"\r\n")
	}
	config := map[string]string{"file": path, "topic": "t"}
	first := startSourceTask(t, config, nil)
	recs := pollN(t, first, 20)
	if got := values(recs); !slices.Equal(got, want) {
		t.Fatalf("first run read %q", got)
	}
	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}

	// The offset store may hand the position back as the int64 the task wrote, or as what a
	// JSON round trip makes of it.
	committed := recs[6].SourceOffset[PositionField].(int64)
	forms := map[string]any{
		"int64":       committed,
		"float64":     float64(committed),
		"json.Number": json.Number(strings.TrimSpace(string(mustJSON(t, committed)))),
	}
	for name, pos := range forms {
		t.Run(name, func(t *testing.T) {
			offsets := map[string]map[string]any{path: {PositionField: pos}}
			task := startSourceTask(t, config, offsets)
			got := pollN(t, task, 13)
			if !slices.Equal(values(got), want[7:]) {
				t.Errorf("resumed with %q, want %q", values(got), want[7:])
			}
			if !slices.Equal(positions(t, got), positions(t, recs[7:])) {
				t.Errorf("resumed positions %v, want %v", positions(t, got), positions(t, recs[7:]))
			}
		})
	}

	t.Run("offset of another file", func(t *testing.T) {
		offsets := map[string]map[string]any{path + ".old": {PositionField: committed}}
		task := startSourceTask(t, config, offsets)
		if got := pollN(t, task, 20); !slices.Equal(values(got), want) {
			t.Errorf("read %q, want the whole file", values(got))
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSourceBadCommittedOffset(t *testing.T) {
	path := tempPath(t, "in.txt")
	config := map[string]string{"file": path, "topic": "t"}
	tests := []struct {
		name    string
		store   *offsetStore
		wantErr string
	}{
		{"string", &offsetStore{offsets: map[string]map[string]any{path: {PositionField: "12"}}}, "incorrect type string"},
		{"negative", &offsetStore{offsets: map[string]map[string]any{path: {PositionField: int64(-1)}}}, "negative"},
		{"fraction", &offsetStore{offsets: map[string]map[string]any{path: {PositionField: 1.5}}}, "not a byte position"},
		{"reader fails", &offsetStore{err: errors.New("offset topic unavailable")}, "offset topic unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := new(SourceTask).Start(&sourceTaskContext{config: config, offsets: tt.store}, config)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
				t.Errorf("Start error %v, want one naming %s and %q", err, path, tt.wantErr)
			}
		})
	}
}

func TestSourceBatchSize(t *testing.T) {
	path := tempPath(t, "in.txt")
	appendFile(t, path, "1\n2\n3\n4\n5\n")
	task := startSourceTask(t, map[string]string{"file": path, "topic": "t", "batch.size": "2"}, nil)
	var sizes []int
	var all []string
	for len(all) < 5 {
		recs, err := task.Poll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(recs))
		all = append(all, values(recs)...)
	}
	if !slices.Equal(sizes, []int{2, 2, 1}) || !slices.Equal(all, []string{"1", "2", "3", "4", "5"}) {
		t.Errorf("batches of %v with %q, want [2 2 1] with 1..5", sizes, all)
	}
}

func TestSourceLongLine(t *testing.T) {
	path := tempPath(t, "in.txt")
	long := strings.Repeat("0123456789", 3*initialBufferSize/10)
	appendFile(t, path, "short\n"+long+"\nafter\n")
	task := startSourceTask(t, map[string]string{"file": path, "topic": "t"}, nil)
	recs := pollN(t, task, 3)
	if recs[1].Value != long || recs[2].Value != "after" {
		t.Errorf("long line lost: lengths %d, %q", len(recs[1].Value.(string)), recs[2].Value)
	}
	if got, want := positions(t, recs)[2], int64(6+len(long)+1+6); got != want {
		t.Errorf("position after the long line %d, want %d", got, want)
	}
}

func TestSourceWaitsForFile(t *testing.T) {
	path := tempPath(t, "later.txt")
	task := startSourceTask(t, map[string]string{"file": path, "topic": "t"}, nil)
	pollNone(t, task)
	appendFile(t, path, "finally\n")
	if recs := pollN(t, task, 1); recs[0].Value != "finally" {
		t.Errorf("read %q", recs[0].Value)
	}
}

func TestSourceOpenError(t *testing.T) {
	// A directory cannot be read as lines; unlike a missing file that is not worth waiting for.
	dir := t.TempDir()
	task := startSourceTask(t, map[string]string{"file": dir, "topic": "t"}, nil)
	_, err := task.Poll(context.Background())
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("Poll on a directory: error %v, want one naming %s", err, dir)
	}
}

func TestSourcePollReturnsWhenIdle(t *testing.T) {
	path := tempPath(t, "in.txt")
	appendFile(t, path, "")
	config := map[string]string{"file": path, "topic": "t"}

	t.Run("after about a second", func(t *testing.T) {
		task := new(SourceTask) // default timing
		if err := task.Start(nil, config); err != nil {
			t.Fatal(err)
		}
		defer task.Stop()
		start := time.Now()
		pollNone(t, task)
		if d := time.Since(start); d < 800*time.Millisecond || d > 3*time.Second {
			t.Errorf("idle Poll took %v, want about 1s", d)
		}
	})

	t.Run("when ctx is cancelled", func(t *testing.T) {
		task := new(SourceTask)
		if err := task.Start(nil, config); err != nil {
			t.Fatal(err)
		}
		defer task.Stop()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		start := time.Now()
		if recs, err := task.Poll(ctx); err != nil || len(recs) > 0 {
			t.Errorf("Poll = %v, %v", recs, err)
		}
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("Poll took %v after its context was cancelled", d)
		}
	})

	t.Run("when stopped", func(t *testing.T) {
		for _, file := range []string{path, path + ".missing"} {
			task := new(SourceTask)
			cfg := map[string]string{"file": file, "topic": "t"}
			if err := task.Start(nil, cfg); err != nil {
				t.Fatal(err)
			}
			time.AfterFunc(30*time.Millisecond, func() { task.Stop() })
			start := time.Now()
			if recs, err := task.Poll(context.Background()); err != nil || len(recs) > 0 {
				t.Errorf("%s: Poll = %v, %v", file, recs, err)
			}
			if d := time.Since(start); d > 500*time.Millisecond {
				t.Errorf("%s: Poll took %v after Stop", file, d)
			}
			if err := task.Stop(); err != nil {
				t.Errorf("second Stop: %v", err)
			}
		}
	})
}

func TestSourceStopDuringReading(t *testing.T) {
	path := tempPath(t, "in.txt")
	appendFile(t, path, strings.Repeat("line\n", 100000))
	task := &SourceTask{pollInterval: time.Millisecond, maxPollWait: 10 * time.Millisecond}
	if err := task.Start(nil, map[string]string{"file": path, "topic": "t", "batch.size": "10"}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		for {
			if _, err := task.Poll(context.Background()); err != nil {
				done <- err
				return
			}
			select {
			case <-task.stopped:
				done <- nil
				return
			default:
			}
		}
	}()
	time.Sleep(5 * time.Millisecond)
	if err := task.Stop(); err != nil {
		t.Fatal(err)
	}
	// Closing the file under a running Poll is a normal way to stop, not an error.
	if err := <-done; err != nil {
		t.Errorf("Poll after Stop: %v", err)
	}
}

func TestSourceStdin(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	task := &SourceTask{stdin: r, pollInterval: 2 * time.Millisecond, maxPollWait: 40 * time.Millisecond}
	store := &offsetStore{err: errors.New("standard input has no offsets to read")}
	config := map[string]string{"topic": "t"}
	if err := task.Start(&sourceTaskContext{config: config, offsets: store}, config); err != nil {
		t.Fatal(err)
	}
	defer task.Stop()
	pollNone(t, task)
	go w.Write([]byte("one\r\ntwo\n"))
	recs := pollN(t, task, 2)
	if got := values(recs); !slices.Equal(got, []string{"one", "two"}) {
		t.Errorf("values %q", got)
	}
	for _, r := range recs {
		if r.SourcePartition != nil || r.SourceOffset != nil {
			t.Errorf("stdin record has partition %v and offset %v, want none", r.SourcePartition, r.SourceOffset)
		}
	}
}

func TestSourceStdinReadError(t *testing.T) {
	r, w := io.Pipe()
	task := &SourceTask{stdin: r, pollInterval: time.Millisecond, maxPollWait: 20 * time.Millisecond}
	if err := task.Start(nil, map[string]string{"topic": "t"}); err != nil {
		t.Fatal(err)
	}
	defer task.Stop()
	w.CloseWithError(errors.New("terminal gone"))
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := task.Poll(context.Background()); err != nil {
			if !strings.Contains(err.Error(), "terminal gone") {
				t.Errorf("error %v does not carry the cause", err)
			}
			return
		}
	}
	t.Error("a failing standard input never failed Poll")
}

func TestSourceCommittedPositionBeyondEnd(t *testing.T) {
	// The file was truncated or replaced since the offset was committed. As in Kafka, the task
	// waits for the file to grow past the position rather than reading it again from the start.
	path := tempPath(t, "in.txt")
	appendFile(t, path, "short\n")
	task := startSourceTask(t, map[string]string{"file": path, "topic": "t"}, map[string]map[string]any{path: {PositionField: int64(12)}})
	pollNone(t, task)
	appendFile(t, path, "12345\nnew\n")
	recs := pollN(t, task, 1)
	if recs[0].Value != "new" || positions(t, recs)[0] != 16 {
		t.Errorf("read %q at %d, want \"new\" at 16", recs[0].Value, positions(t, recs)[0])
	}
}
