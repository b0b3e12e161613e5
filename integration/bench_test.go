//go:build linux

package integration

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/raftconnect/raftconnect/internal/kafkaclient"
)

// The benchmarks run the worker binary as a user does and measure it from outside: wall-clock
// times, the process's resident memory, and messages counted in the broker. See README.md.

// benchFlush is the offset.flush.interval.ms of the benchmarks' worker. The file sink writes
// its last partial buffer only when it is flushed, so the end-to-end figure includes up to one
// interval; a quarter second keeps that small next to a run of several seconds.
const benchFlush = "offset.flush.interval.ms=250"

// skipShort skips a benchmark in -short mode: each one starts processes and moves real data.
func skipShort(b *testing.B) {
	b.Helper()
	if testing.Short() {
		b.Skip("multi-process benchmark; skipped in -short mode")
	}
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		b.Logf("load average before the run: %s", strings.TrimSpace(string(la)))
	}
}

// BenchmarkStartup measures the time from exec of the worker to the first 200 on GET / (and to
// the first 200 on GET /health), with a fresh data dir and with a reopened one that holds two
// connectors.
func BenchmarkStartup(b *testing.B) {
	skipShort(b)
	dir := b.TempDir()
	br := startBroker(b, dir)

	// measure starts a worker on dataDir, returns its times to GET / = 200 and GET /health =
	// 200, and stops it with SIGTERM.
	measure := func(b *testing.B, dataDir string) (root, health time.Duration) {
		b.Helper()
		w := launchWorker(b, workerSetup{dir: dir, broker: br.addr, dataDir: dataDir, port: freePort(b)})
		for _, path := range []string{"/", "/health"} {
			for {
				status, _, err := w.try(http.MethodGet, path, nil)
				if err == nil && status == http.StatusOK {
					break
				}
				if w.exited() {
					b.Fatalf("worker exited before GET %s = 200:\n%s", path, tail(w.logPath, 20))
				}
				if time.Since(w.started) > 60*time.Second {
					b.Fatalf("GET %s: no 200 within 60 s", path)
				}
				time.Sleep(time.Millisecond)
			}
			if path == "/" {
				root = time.Since(w.started)
			} else {
				health = time.Since(w.started)
			}
		}
		b.StopTimer()
		w.client.CloseIdleConnections()
		_ = w.cmd.Process.Signal(syscall.SIGTERM)
		if !w.wait(30 * time.Second) {
			b.Fatal("worker did not exit within 30 s of SIGTERM")
		}
		b.StartTimer()
		return root, health
	}
	report := func(b *testing.B, root, health time.Duration) {
		b.ReportMetric(float64(root.Microseconds())/1e3/float64(b.N), "ms/op")
		b.ReportMetric(float64(health.Microseconds())/1e3/float64(b.N), "health-ms/op")
	}

	b.Run("fresh", func(b *testing.B) {
		var root, health time.Duration
		for i := range b.N {
			r, h := measure(b, filepath.Join(dir, fmt.Sprintf("fresh-%d-%d", b.N, i)))
			root, health = root+r, health+h
		}
		report(b, root, health)
	})

	b.Run("reopened", func(b *testing.B) {
		// A data dir that has been used: two connectors created, offsets committed.
		dataDir := filepath.Join(dir, fmt.Sprintf("reopened-%d", b.N))
		w := startWorker(b, workerSetup{dir: dir, broker: br.addr, dataDir: dataDir})
		in := filepath.Join(dir, "startup-in.txt")
		appendLines(b, in, "a", "b", "c")
		w.create(b, "startup-src", map[string]string{"connector.class": "FileStreamSource", "file": in, "topic": "startup"})
		w.create(b, "startup-sink", map[string]string{"connector.class": "FileStreamSink", "file": filepath.Join(dir, "startup-out.txt"), "topics": "startup"})
		w.waitState(b, "startup-src", "RUNNING", 60*time.Second)
		w.waitState(b, "startup-sink", "RUNNING", 60*time.Second)
		_ = w.cmd.Process.Signal(syscall.SIGTERM)
		if !w.wait(30 * time.Second) {
			b.Fatal("worker did not exit within 30 s of SIGTERM")
		}
		b.ResetTimer()
		var root, health time.Duration
		for range b.N {
			r, h := measure(b, dataDir)
			root, health = root+r, health+h
		}
		report(b, root, health)
	})
}

// BenchmarkIdleRSS measures the resident memory (VmRSS) of an idle worker, then of the same
// worker running 10 FileStreamSource connectors, each tailing its own file into its own topic.
func BenchmarkIdleRSS(b *testing.B) {
	skipShort(b)
	dir := b.TempDir()
	br := startBroker(b, dir)
	k := newKafka(b, br.addr)
	const connectors = 10
	const settle = 2 * time.Second // let startup work finish and the worker go idle

	var idle, busy float64
	for i := range b.N {
		w := startWorker(b, workerSetup{dir: dir, broker: br.addr, dataDir: filepath.Join(dir, fmt.Sprintf("rss-%d-%d", b.N, i))})
		time.Sleep(settle)
		idle += rssMB(b, w.cmd.Process.Pid)

		for j := range connectors {
			in := filepath.Join(dir, fmt.Sprintf("rss-%d-%d-%d.txt", b.N, i, j))
			appendLines(b, in, "one", "two", "three")
			name := fmt.Sprintf("rss-src-%d-%d-%d", b.N, i, j)
			w.create(b, name, map[string]string{"connector.class": "FileStreamSource", "file": in, "topic": name})
		}
		for j := range connectors {
			name := fmt.Sprintf("rss-src-%d-%d-%d", b.N, i, j)
			w.waitState(b, name, "RUNNING", 60*time.Second)
			eventually(b, 60*time.Second, name+" produced its lines", func() (bool, string) {
				n, err := k.count(name)
				return err == nil && n == 3, fmt.Sprintf("%d messages, %v", n, err)
			})
		}
		time.Sleep(settle)
		busy += rssMB(b, w.cmd.Process.Pid)
		w.kill()
	}
	b.ReportMetric(idle/float64(b.N), "idle-MB")
	b.ReportMetric(busy/float64(b.N), "10src-MB")
}

// rssMB reads VmRSS of a process in MiB.
func rssMB(b *testing.B, pid int) float64 {
	b.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				b.Fatalf("VmRSS line %q: %v", line, err)
			}
			return float64(kb) / 1024
		}
	}
	b.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}

// benchLines is how many lines BenchmarkFileStream moves: RAFTCONNECT_BENCH_LINES, default
// 1,000,000 (64 MB of 64-byte lines).
func benchLines(b *testing.B) int {
	b.Helper()
	if s := os.Getenv("RAFTCONNECT_BENCH_LINES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("RAFTCONNECT_BENCH_LINES=%q: want a positive number", s)
		}
		return n
	}
	return 1_000_000
}

// writeBenchInput writes n 64-byte lines (newline included).
func writeBenchInput(b *testing.B, path string, n int) int64 {
	b.Helper()
	var buf bytes.Buffer
	pad := strings.Repeat("x", 64-len("00000000 \n"))
	for i := range n {
		fmt.Fprintf(&buf, "%08d %s\n", i, pad)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	return int64(buf.Len())
}

// BenchmarkFileStream measures lines/s from a file into a topic through FileStreamSource,
// against a raw sarama pipe that produces the same lines with the producer settings source
// tasks use (acks=all, idempotent), and lines/s from a file through a topic into a file with
// FileStreamSource and FileStreamSink.
func BenchmarkFileStream(b *testing.B) {
	skipShort(b)
	n := benchLines(b)
	dir := b.TempDir()
	br := startBroker(b, dir)
	w := startWorker(b, workerSetup{dir: dir, broker: br.addr, dataDir: filepath.Join(dir, "data"), extra: []string{benchFlush}})
	k := newKafka(b, br.addr)
	in := filepath.Join(dir, "bench-in.txt")
	size := writeBenchInput(b, in, n)
	seq := 0 // makes every connector and topic name unique: each run starts from the first line
	next := func(prefix string) string { seq++; return fmt.Sprintf("%s-%d", prefix, seq) }

	pid := w.cmd.Process.Pid
	lines := float64(n)
	b.Run("source", func(b *testing.B) {
		var connect, raw, connectCPU, rawCPU time.Duration
		for range b.N {
			rawTopic := next("bench-raw")
			cpu0 := selfCPU(b)
			raw += rawPipe(b, br.addr, in, rawTopic, n)
			rawCPU += selfCPU(b) - cpu0

			name := next("bench-src")
			cpu0 = procCPU(b, pid)
			start := time.Now()
			w.create(b, name, map[string]string{"connector.class": "FileStreamSource", "file": in, "topic": name})
			waitCount(b, k, name, int64(n))
			connect += time.Since(start)
			connectCPU += procCPU(b, pid) - cpu0
			w.expect(b, http.MethodDelete, "/connectors/"+name, nil, http.StatusNoContent)
		}
		connectRate := lines * float64(b.N) / connect.Seconds()
		rawRate := lines * float64(b.N) / raw.Seconds()
		b.ReportMetric(connectRate, "connect-lines/s")
		b.ReportMetric(rawRate, "sarama-lines/s")
		b.ReportMetric(connectRate/rawRate, "connect/sarama")
		// CPU time per line depends less than wall-clock time on what else the machine runs.
		b.ReportMetric(float64(connectCPU.Nanoseconds())/lines/float64(b.N), "connect-cpu-ns/line")
		b.ReportMetric(float64(rawCPU.Nanoseconds())/lines/float64(b.N), "sarama-cpu-ns/line")
	})

	b.Run("end-to-end", func(b *testing.B) {
		var total, cpu time.Duration
		for range b.N {
			src, snk := next("bench-e2e-src"), next("bench-e2e-sink")
			out := filepath.Join(dir, snk+".txt")
			cpu0 := procCPU(b, pid)
			start := time.Now()
			w.create(b, src, map[string]string{"connector.class": "FileStreamSource", "file": in, "topic": src})
			w.create(b, snk, map[string]string{"connector.class": "FileStreamSink", "file": out, "topics": src})
			eventually(b, 10*time.Minute, "output complete", func() (bool, string) {
				fi, err := os.Stat(out)
				if errors.Is(err, os.ErrNotExist) {
					return false, "no output yet"
				}
				if err != nil {
					b.Fatal(err)
				}
				return fi.Size() >= size, fmt.Sprintf("%d of %d bytes", fi.Size(), size)
			})
			total += time.Since(start)
			cpu += procCPU(b, pid) - cpu0
			b.StopTimer()
			w.expect(b, http.MethodDelete, "/connectors/"+src, nil, http.StatusNoContent)
			w.expect(b, http.MethodDelete, "/connectors/"+snk, nil, http.StatusNoContent)
			got, err := os.ReadFile(out)
			if err != nil {
				b.Fatal(err)
			}
			want, err := os.ReadFile(in)
			if err != nil {
				b.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				b.Fatalf("output (%d bytes) differs from the input (%d bytes)", len(got), len(want))
			}
			b.StartTimer()
		}
		b.ReportMetric(lines*float64(b.N)/total.Seconds(), "lines/s")
		b.ReportMetric(float64(cpu.Nanoseconds())/lines/float64(b.N), "worker-cpu-ns/line")
	})
}

// procCPU returns the user and system CPU time a process has used, from /proc/<pid>/stat.
func procCPU(b *testing.B, pid int) time.Duration {
	b.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// Fields after the command name, which is in parentheses and may hold spaces: state is
	// field 3, utime 14 and stime 15, in clock ticks of 1/100 s (USER_HZ).
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		b.Fatalf("/proc/%d/stat: too few fields: %q", pid, s)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			b.Fatalf("/proc/%d/stat: %q: %v", pid, f, err)
		}
		ticks += v
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// selfCPU returns the user and system CPU time this process has used.
func selfCPU(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// waitCount waits until topic holds want messages, polling the high watermark.
func waitCount(b *testing.B, k *kafka, topic string, want int64) {
	b.Helper()
	deadline := time.Now().Add(10 * time.Minute)
	for {
		got, err := k.count(topic)
		if err == nil && got >= want {
			if got > want {
				b.Fatalf("%s holds %d messages; %d lines were written", topic, got, want)
			}
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s: %d of %d messages after 10 minutes (%v)", topic, got, want, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// rawPipe reads path line by line and produces each line to topic with an AsyncProducer set up
// as the worker sets up source task producers, and returns the time from creating the producer
// to the last acknowledgement.
func rawPipe(b *testing.B, brokerAddr, path, topic string, n int) time.Duration {
	b.Helper()
	start := time.Now()
	p, err := sarama.NewAsyncProducer([]string{brokerAddr}, kafkaclient.Producer("bench-raw-pipe"))
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	acked := make(chan error, 1)
	go func() {
		// Owned by rawPipe: it ends after n results, so the producer never blocks on them.
		var first error
		for got := 0; got < n; got++ {
			select {
			case <-p.Successes():
			case err := <-p.Errors():
				if first == nil {
					first = err
				}
			}
		}
		acked <- first
	}()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sent := 0
	for sc.Scan() {
		line := bytes.Clone(sc.Bytes()) // the scanner reuses its buffer; the producer keeps the value
		p.Input() <- &sarama.ProducerMessage{Topic: topic, Value: sarama.ByteEncoder(line)}
		sent++
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	if sent != n {
		b.Fatalf("read %d lines from %s; want %d", sent, path, n)
	}
	if err := <-acked; err != nil {
		b.Fatalf("raw sarama pipe: %v", err)
	}
	return time.Since(start)
}
