package file

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
)

func sinkRecords(values ...any) []*connect.SinkRecord {
	out := make([]*connect.SinkRecord, len(values))
	for i, v := range values {
		out[i] = &connect.SinkRecord{Record: connect.Record{Topic: "t", Value: v}, Offset: int64(i)}
	}
	return out
}

func startSinkTask(t testing.TB, config map[string]string) *SinkTask {
	t.Helper()
	task := new(SinkTask)
	if err := task.Start(nil, config); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := task.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return task
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSinkWritesValues(t *testing.T) {
	schema := connect.StructBuilder().Field("id", connect.Int32Schema).Field("name", connect.OptionalStringSchema).MustBuild()
	st := connect.NewStruct(schema).MustPut("id", int32(7)).MustPut("name", "seven")
	var nilStruct *connect.Struct

	path := filepath.Join(t.TempDir(), "out.txt")
	appendFile(t, path, "existing\n")
	task := startSinkTask(t, map[string]string{"file": path})
	ctx := context.Background()
	if err := task.Put(ctx, sinkRecords("plain", "", int32(42), nil, st, nilStruct)); err != nil {
		t.Fatal(err)
	}
	if err := task.Put(ctx, sinkRecords(connect.NewDecimal(-1234, 2), []any{"a", int64(1)}, map[string]any{"k": true}, 1.5)); err != nil {
		t.Fatal(err)
	}
	// Put writes each batch through to the file, as Kafka's sink does, so readers (and the
	// quickstart's `cat`) see lines at once; Flush makes them durable.
	want := "existing\nplain\n\n42\nnull\nStruct{id=7,name=seven}\nnull\n-12.34\n[a 1]\nmap[k:true]\n1.5\n"
	if got := readFile(t, path); got != want {
		t.Errorf("file after Put:\n%s\nwant:\n%s", got, want)
	}
	if err := task.Flush(ctx, map[connect.TopicPartition]int64{{Topic: "t"}: 10}); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != want {
		t.Errorf("file after Flush:\n%s\nwant:\n%s", got, want)
	}
}

func TestSinkStopFlushesAndCloses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.txt")
	task := new(SinkTask)
	if err := task.Start(nil, map[string]string{"file": path}); err != nil {
		t.Fatal(err)
	}
	if err := task.Put(context.Background(), sinkRecords("last words")); err != nil {
		t.Fatal(err)
	}
	if err := task.Stop(); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != "last words\n" {
		t.Errorf("file after Stop: %q", got)
	}
	if err := task.Put(context.Background(), sinkRecords("late")); err == nil {
		t.Error("Put after Stop succeeded")
	}
	if err := task.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestSinkStdout(t *testing.T) {
	var out bytes.Buffer
	task := &SinkTask{stdout: &out}
	if err := task.Start(nil, map[string]string{}); err != nil {
		t.Fatal(err)
	}
	defer task.Stop()
	if err := task.Put(context.Background(), sinkRecords("to", "stdout")); err != nil {
		t.Fatal(err)
	}
	if err := task.Flush(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if out.String() != "to\nstdout\n" {
		t.Errorf("stdout got %q", out.String())
	}
}

func TestSinkOpenError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-dir", "out.txt")
	err := new(SinkTask).Start(nil, map[string]string{"file": path})
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Start error %v, want one naming %s", err, path)
	}
}

// writeRecorder records every write the sink makes to its output.
type writeRecorder struct {
	mu     sync.Mutex
	writes []string
}

func (w *writeRecorder) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

func TestSinkWritesWholeLines(t *testing.T) {
	// Tasks sharing one file each append whole lines; a write ending mid-line would let
	// another task's line land inside it.
	var out writeRecorder
	task := &SinkTask{stdout: &out}
	if err := task.Start(nil, nil); err != nil {
		t.Fatal(err)
	}
	defer task.Stop()
	var values []any
	var want strings.Builder
	for i := range 3000 {
		line := strings.Repeat(string(rune('a'+i%26)), i%97)
		if i%1000 == 999 {
			line = strings.Repeat("L", 3*writeBufferSize) // longer than the buffer
		}
		values = append(values, line)
		want.WriteString(line + "\n")
	}
	if err := task.Put(context.Background(), sinkRecords(values...)); err != nil {
		t.Fatal(err)
	}
	if err := task.Flush(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if len(out.writes) < 3 {
		t.Fatalf("only %d writes; the test needs several", len(out.writes))
	}
	for i, w := range out.writes {
		if !strings.HasSuffix(w, "\n") {
			t.Errorf("write %d of %d ends inside a line (%d bytes)", i, len(out.writes), len(w))
		}
	}
	if got := strings.Join(out.writes, ""); got != want.String() {
		t.Error("output differs from the lines put")
	}
}

// failingWriter fails every write, like a full disk or a closed pipe.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

func TestSinkWriteErrors(t *testing.T) {
	task := &SinkTask{stdout: failingWriter{}}
	if err := task.Start(nil, nil); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Put buffers, so the error shows at Flush at the latest, never silently.
	err := task.Put(ctx, sinkRecords("a"))
	if err == nil {
		err = task.Flush(ctx, nil)
	}
	if err == nil || !strings.Contains(err.Error(), "no space left on device") || !strings.Contains(err.Error(), "standard output") {
		t.Errorf("error %v, want one naming the output and the cause", err)
	}
	// A record too big for the buffer fails in Put, naming the record.
	err = task.Put(ctx, sinkRecords(strings.Repeat("x", 2*writeBufferSize)))
	if err == nil || !strings.Contains(err.Error(), "record t-0@0") {
		t.Errorf("Put error %v, want one naming the record", err)
	}
	if err := task.Stop(); err == nil {
		t.Error("Stop hid the write error of the final flush")
	}
	if err := task.Flush(ctx, nil); err == nil {
		t.Error("Flush after Stop succeeded")
	}
}

func TestSinkConnectorTask(t *testing.T) {
	var c SinkConnector
	if _, ok := c.NewTask().(*SinkTask); !ok {
		t.Error("NewTask does not return a *SinkTask")
	}
	if c.NewTask() == c.NewTask() {
		t.Error("NewTask returned the same task twice")
	}
	if err := c.Stop(); err != nil {
		t.Error(err)
	}
}
