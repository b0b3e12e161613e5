package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/raftstore"
)

// damageConnectors is how many connectors the worker acknowledged before
// its files are damaged.
const damageConnectors = 30

// TestStoreRefusesDamage: a worker killed with 30 acknowledged connectors
// restarts with all 30; with its Raft files damaged (truncated or corrupt
// log, corrupt snapshot, a gap between snapshot and log, a changed node id)
// it exits non-zero within seconds, naming the file and what is wrong, and
// never answers /health with 200 in between.
func TestStoreRefusesDamage(t *testing.T) {
	dir := t.TempDir()
	b := startBroker(t, dir)
	setup := workerSetup{dir: dir, broker: b.addr, dataDir: filepath.Join(dir, "data")}
	w := startWorker(t, setup)
	in := filepath.Join(dir, "in.txt")
	for i := range damageConnectors {
		w.expect(t, http.MethodPost, "/connectors", map[string]any{
			"name": fmt.Sprintf("c%02d", i), "initial_state": "STOPPED",
			"config": map[string]string{"connector.class": "FileStreamSource", "tasks.max": "1", "file": in, "topic": "damage"},
		}, http.StatusCreated)
	}
	w.kill() // SIGKILL: no clean shutdown
	setup.port = w.port

	// Two starting points, copied for each case: the log alone, and a
	// snapshot (taken by opening the store in this process: a worker only
	// snapshots after 8192 entries) with the log compacted behind it.
	plain := filepath.Join(dir, "plain")
	copyTree(t, setup.dataDir, plain)
	snapped := filepath.Join(dir, "snapped")
	copyTree(t, setup.dataDir, snapped)
	takeSnapshot(t, snapped)

	for _, from := range []string{plain, snapped} {
		t.Run("clean restart after SIGKILL from "+filepath.Base(from), func(t *testing.T) {
			s := setup
			s.dataDir = t.TempDir()
			copyTree(t, from, s.dataDir)
			w := startWorker(t, s)
			var names []string
			if err := json.Unmarshal(w.expect(t, http.MethodGet, "/connectors", nil, http.StatusOK), &names); err != nil {
				t.Fatal(err)
			}
			if len(names) != damageConnectors {
				t.Fatalf("%d connectors after the restart, want %d: %v", len(names), damageConnectors, names)
			}
			w.kill()
		})
	}

	segment := func(t *testing.T, data string) string {
		segs, _ := filepath.Glob(filepath.Join(data, "raft", "wal", "*.wal"))
		if len(segs) == 0 {
			t.Fatalf("no raft log segment in %s", data)
		}
		slices.Sort(segs)
		return segs[len(segs)-1]
	}
	snapshotDir := func(t *testing.T, data string) string {
		ents, _ := os.ReadDir(filepath.Join(data, "raft", "snapshots"))
		for _, e := range ents {
			if e.IsDir() && !strings.HasSuffix(e.Name(), ".tmp") {
				return filepath.Join(data, "raft", "snapshots", e.Name())
			}
		}
		t.Fatalf("no snapshot in %s", data)
		return ""
	}
	for _, tc := range []struct {
		name   string
		from   string
		damage func(t *testing.T, data string) []string // what stderr must say
	}{
		{"log segment truncated to half", plain, func(t *testing.T, data string) []string {
			seg := segment(t, data)
			fi, err := os.Stat(seg)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(seg, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
			return []string{"raft log segment " + seg + " is truncated", "restore the data directory from a backup"}
		}},
		{"bytes flipped in the middle of the log", plain, func(t *testing.T, data string) []string {
			seg := segment(t, data)
			flipBytes(t, seg, dataEnd(t, seg)/2, 4)
			return []string{"raft log segment " + seg + " is damaged at byte", "acknowledged writes follow"}
		}},
		{"snapshot meta.json corrupt", snapped, func(t *testing.T, data string) []string {
			meta := filepath.Join(snapshotDir(t, data), "meta.json")
			if err := os.WriteFile(meta, []byte(`{"Version":1,"ID":`), 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{"raft snapshot metadata " + meta + " is corrupt"}
		}},
		{"snapshot state corrupt", snapped, func(t *testing.T, data string) []string {
			state := filepath.Join(snapshotDir(t, data), "state.bin")
			fi, err := os.Stat(state)
			if err != nil {
				t.Fatal(err)
			}
			flipBytes(t, state, fi.Size()/2, 1)
			return []string{"raft snapshot state " + state + " does not match its checksum"}
		}},
		{"gap between snapshot and log", snapped, func(t *testing.T, data string) []string {
			if err := os.RemoveAll(snapshotDir(t, data)); err != nil {
				t.Fatal(err)
			}
			return []string{"raft log in " + filepath.Join(data, "raft", "wal") + " starts at entry", "there is no snapshot holding entries 1 to"}
		}},
		{"node-id file changed", plain, func(t *testing.T, data string) []string {
			if err := os.WriteFile(filepath.Join(data, "node-id"), []byte("someone-else\n"), 0o640); err != nil {
				t.Fatal(err)
			}
			return []string{`this node's id "someone-else" is not a member of the Raft cluster stored in ` + filepath.Join(data, "raft"), "node-id file"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := setup
			s.dir = t.TempDir()
			s.dataDir = filepath.Join(s.dir, "data")
			copyTree(t, tc.from, s.dataDir)
			want := tc.damage(t, s.dataDir)
			w := launchWorker(t, s)
			healthy := expectExit(t, w, 10*time.Second)
			if healthy {
				t.Error("the worker answered GET /health with 200 before exiting")
			}
			out := w.log()
			for _, msg := range want {
				if !strings.Contains(out, msg) {
					t.Errorf("worker output lacks %q:\n%s", msg, tail(w.logPath, 10))
				}
			}
			if strings.Contains(out, "panic:") || strings.Contains(out, "goroutine ") {
				t.Errorf("worker panicked:\n%s", tail(w.logPath, 30))
			}
		})
	}
}

// TestSecondWorkerOnOneDataDir: a second worker started on a data directory
// in use exits non-zero at once, naming the directory and the first
// worker's pid; the first keeps serving.
func TestSecondWorkerOnOneDataDir(t *testing.T) {
	dir := t.TempDir()
	b := startBroker(t, dir)
	setup := workerSetup{dir: dir, broker: b.addr, dataDir: filepath.Join(dir, "data")}
	first := startWorker(t, setup)
	in := filepath.Join(dir, "in.txt")
	create := func(name string) {
		first.expect(t, http.MethodPost, "/connectors", map[string]any{
			"name": name, "initial_state": "STOPPED",
			"config": map[string]string{"connector.class": "FileStreamSource", "tasks.max": "1", "file": in, "topic": "two"},
		}, http.StatusCreated)
	}
	create("before")

	s := setup
	s.dir = t.TempDir() // its own log file
	s.port = freePort(t)
	began := time.Now()
	second := launchWorker(t, s)
	if healthy := expectExit(t, second, 5*time.Second); healthy {
		t.Error("the second worker answered GET /health with 200")
	}
	t.Logf("second worker refused after %v", time.Since(began).Round(time.Millisecond))
	want := fmt.Sprintf("data directory %s is in use by another worker process (pid %d)",
		filepath.Join(setup.dataDir, "raft"), first.cmd.Process.Pid)
	if !strings.Contains(second.log(), want) {
		t.Errorf("second worker output lacks %q:\n%s", want, tail(second.logPath, 10))
	}

	first.expect(t, http.MethodGet, "/health", nil, http.StatusOK)
	create("after")
	var names []string
	if err := json.Unmarshal(first.expect(t, http.MethodGet, "/connectors", nil, http.StatusOK), &names); err != nil {
		t.Fatal(err)
	}
	if slices.Sort(names); !slices.Equal(names, []string{"after", "before"}) {
		t.Fatalf("first worker's connectors: %v", names)
	}
}

// expectExit polls GET /health until w exits, failing the test unless it
// exits non-zero within timeout. It reports whether /health ever answered
// 200.
func expectExit(t *testing.T, w *worker, timeout time.Duration) (healthy bool) {
	t.Helper()
	client := &http.Client{Timeout: 200 * time.Millisecond, Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(timeout)
	for !w.exited() {
		if time.Now().After(deadline) {
			// A goroutine dump shows where it hangs.
			_ = w.cmd.Process.Signal(syscall.SIGQUIT)
			w.wait(5 * time.Second)
			t.Fatalf("worker still running after %v:\n%s", timeout, tail(w.logPath, 60))
		}
		if resp, err := client.Get(w.url + "/health"); err == nil {
			healthy = healthy || resp.StatusCode == http.StatusOK
			resp.Body.Close()
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code := w.state.ExitCode(); code == 0 {
		t.Errorf("worker exited with status 0:\n%s", tail(w.logPath, 20))
	}
	return healthy
}

// takeSnapshot opens the store of a stopped worker's data directory in this
// process, waits for a snapshot (which compacts the log behind it) and
// closes it.
func takeSnapshot(t *testing.T, data string) {
	t.Helper()
	id, err := os.ReadFile(filepath.Join(data, "node-id"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := raftstore.Open(raftstore.Config{
		Dir: filepath.Join(data, "raft"), NodeID: strings.TrimSpace(string(id)),
		Logger:            slog.New(slog.NewTextHandler(io.Discard, nil)),
		SnapshotThreshold: 1, SnapshotInterval: 20 * time.Millisecond, TrailingLogs: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitForLeader(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "a snapshot", func() (bool, string) {
		ents, _ := os.ReadDir(filepath.Join(data, "raft", "snapshots"))
		for _, e := range ents {
			if e.IsDir() && !strings.HasSuffix(e.Name(), ".tmp") {
				return true, ""
			}
		}
		return false, strconv.Itoa(len(ents)) + " entries in snapshots/"
	})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// dataEnd returns the offset just past the last non-zero byte of a file
// (a segment file is preallocated with zeros).
func dataEnd(t *testing.T, path string) int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] != 0 {
			return int64(i + 1)
		}
	}
	t.Fatalf("%s holds only zeros", path)
	return 0
}

func flipBytes(t *testing.T, path string, at int64, n int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, n)
	if _, err := f.ReadAt(b, at); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] ^= 0xa5
	}
	if _, err := f.WriteAt(b, at); err != nil {
		t.Fatal(err)
	}
}

// copyTree copies directory src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(to)
		if err != nil {
			return err
		}
		if err := copySparse(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		t.Fatalf("copy %s to %s: %v", src, dst, err)
	}
}

// copySparse copies in to out without writing its runs of zeros (segment
// files are 64 MiB, almost all preallocated zeros), keeping its size.
func copySparse(out, in *os.File) error {
	buf := make([]byte, 1<<20)
	var off int64
	for {
		n, err := in.ReadAt(buf, off)
		if n > 0 && slices.ContainsFunc(buf[:n], func(b byte) bool { return b != 0 }) {
			if _, werr := out.WriteAt(buf[:n], off); werr != nil {
				return werr
			}
		}
		off += int64(n)
		if errors.Is(err, io.EOF) {
			return out.Truncate(off)
		}
		if err != nil {
			return err
		}
	}
}
