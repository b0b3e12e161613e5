package file

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// benchLine is a typical log line, 100 bytes with its newline.
var benchLine = strings.Repeat("0123456789", 9) + "abcdefghi"

// BenchmarkSourcePoll drives a SourceTask directly over a file of b.N lines; one op is one
// line, and lines/s is the throughput the task can feed the runtime.
func BenchmarkSourcePoll(b *testing.B) {
	path := filepath.Join(b.TempDir(), "in.txt")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for range b.N {
		w.WriteString(benchLine)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()

	task := &SourceTask{pollInterval: time.Millisecond, maxPollWait: time.Millisecond}
	if err := task.Start(nil, map[string]string{"file": path, "topic": "t"}); err != nil {
		b.Fatal(err)
	}
	defer task.Stop()
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(benchLine) + 1))
	b.ResetTimer()
	start := time.Now()
	for n := 0; n < b.N; {
		recs, err := task.Poll(ctx)
		if err != nil {
			b.Fatal(err)
		}
		n += len(recs)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "lines/s")
}

// BenchmarkSinkPut puts b.N records in batches of 500, as the runtime delivers them, and
// flushes (fsyncs) once at the end; one op is one line.
func BenchmarkSinkPut(b *testing.B) {
	path := filepath.Join(b.TempDir(), "out.txt")
	task := new(SinkTask)
	if err := task.Start(nil, map[string]string{"file": path}); err != nil {
		b.Fatal(err)
	}
	defer task.Stop()
	batch := make([]*connect.SinkRecord, 500)
	for i := range batch {
		batch[i] = &connect.SinkRecord{Record: connect.Record{Topic: "t", ValueSchema: connect.StringSchema, Value: benchLine}}
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(benchLine) + 1))
	b.ResetTimer()
	start := time.Now()
	for n := 0; n < b.N; n += len(batch) {
		if err := task.Put(ctx, batch[:min(len(batch), b.N-n)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := task.Flush(ctx, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "lines/s")
}

func BenchmarkCutLine(b *testing.B) {
	data := []byte(strings.Repeat(benchLine+"\n", 1000))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rest := data
		for {
			_, n := cutLine(rest)
			if n == 0 {
				break
			}
			rest = rest[n:]
		}
	}
}
