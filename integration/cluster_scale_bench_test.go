package integration

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The scale figures of issue 7: a cluster of three workers running 1,000 connectors.

const (
	scaleConnectors = 1000
	scaleInFlight   = 16  // REST requests in flight while creating and resuming
	scalePatches    = 200 // store writes of the CPU window
	scaleTopic      = "scale"
	// scaleFlush is the workers' offset.flush.interval.ms: Kafka's default. With the tests'
	// one second, 1,000 tasks would commit 1,000 offsets a second, each a store write.
	scaleFlush = "offset.flush.interval.ms=60000"
	// scaleIdle is the length of the window without PATCHes whose CPU time and store writes
	// are the background of the PATCH window.
	scaleIdle = 10 * time.Second
)

// BenchmarkCluster1000Connectors creates 1,000 VerifiableSource connectors (tasks.max=1,
// throughput 1 record/s, one shared topic) through the REST API of three workers, the k-th on
// node k mod 3, 16 requests in flight, and reports:
//
//   - create-s: from the first POST /connectors to the last 201;
//   - running-s: from the first POST to every connector and its task RUNNING, read with
//     GET /connectors?expand=status on node 0 twice a second;
//   - rss-MB: the largest VmRSS of the three workers after that (each one is logged);
//   - cpu-ms-per-write: the CPU time (user + system) of the three worker processes over a
//     window of 200 sequential PATCHes, sent to the leader, of one more connector, STOPPED
//     (no task restarts: only the store writes and what they cost), while the 1,000 run,
//     divided by the store writes of the window: the entries added to node 0's Raft log (its
//     last index after the window less before it), which the log also names by command type.
//     A PATCH of a STOPPED connector makes two (put_connector, then the owner's put_statuses).
//     Every store write makes every worker reconcile, so this is the cluster's cost of one
//     write at this size. patch-cpu-ms is the CPU time per PATCH above that of a window of
//     10 s without PATCHes (the background: 1,000 tasks producing, which is checked by the
//     topic growing by about 1,000 records a second), scaled to the PATCH window's length.
//
// Sub-benchmark running creates the connectors RUNNING; stopped-resumed creates them STOPPED
// (create-s is then the store writes and REST alone) and then resumes them all (resume-s),
// with running-s counted from the first resume. The workers commit offsets every 60 s
// (Kafka's default), not every second as in the tests. The load average is logged before and
// after.
func BenchmarkCluster1000Connectors(b *testing.B) {
	for _, mode := range []string{"running", "stopped-resumed"} {
		b.Run(mode, func(b *testing.B) {
			skipShort(b)
			for range b.N {
				scaleRun(b, mode == "stopped-resumed")
			}
			if la, err := os.ReadFile("/proc/loadavg"); err == nil {
				b.Logf("load average after the run: %s", strings.TrimSpace(string(la)))
			}
		})
	}
}

func scaleName(k int) string { return fmt.Sprintf("scale-%04d", k) }

func scaleRun(b *testing.B, stoppedFirst bool) {
	b.StopTimer()
	c := startCluster(b, 3, clusterOpts{extra: []string{scaleFlush}})
	config := func() map[string]string {
		cfg := verifiableSource(scaleTopic, "", 1, 1)
		delete(cfg, "output.file") // 1,000 tasks appending lines to one file would measure the file
		return cfg
	}

	// forAll runs req(k) for every connector, scaleInFlight at a time, each on node k mod 3.
	forAll := func(what string, req func(k int, n *clusterNode) error) time.Duration {
		b.Helper()
		start := time.Now()
		work := make(chan int)
		errs := make(chan error, scaleConnectors)
		var wg sync.WaitGroup
		for range scaleInFlight {
			wg.Go(func() {
				for k := range work {
					if err := req(k, c.nodes[k%len(c.nodes)]); err != nil {
						errs <- err
					}
				}
			})
		}
		for k := range scaleConnectors {
			work <- k
		}
		close(work)
		wg.Wait()
		took := time.Since(start)
		close(errs)
		var failed []string
		for err := range errs {
			failed = append(failed, err.Error())
		}
		if len(failed) > 0 {
			b.Fatalf("%s: %d of %d requests failed; first: %s", what, len(failed), scaleConnectors, failed[0])
		}
		return took
	}

	var createTook, running time.Duration
	var placement map[string]int
	setup := c.window(b, func() {
		t0 := time.Now()
		createTook = forAll("create", func(k int, n *clusterNode) error {
			body := map[string]any{"name": scaleName(k), "config": config()}
			if stoppedFirst {
				body["initial_state"] = "STOPPED"
			}
			return scaleRequest(n, http.MethodPost, "/connectors", body, http.StatusCreated)
		})
		b.Logf("%d connectors created (%s) in %v, %.0f/s", scaleConnectors, map[bool]string{false: "RUNNING", true: "STOPPED"}[stoppedFirst],
			createTook.Round(time.Millisecond), scaleConnectors/createTook.Seconds())
		if stoppedFirst {
			c.waitAllState(b, "STOPPED", 0, 2*time.Minute)
			t0 = time.Now()
			resumeTook := forAll("resume", func(k int, n *clusterNode) error {
				return scaleRequest(n, http.MethodPut, "/connectors/"+scaleName(k)+"/resume", nil, http.StatusAccepted)
			})
			b.Logf("%d connectors resumed in %v", scaleConnectors, resumeTook.Round(time.Millisecond))
			b.ReportMetric(resumeTook.Seconds(), "resume-s")
		}
		placement = c.waitAllState(b, "RUNNING", 1, 3*time.Minute)
		running = time.Since(t0)
	})
	b.Logf("every connector and task RUNNING %v after the first %s; from the first create: %s",
		running.Round(time.Millisecond), map[bool]string{false: "create", true: "resume"}[stoppedFirst], setup)
	b.Logf("tasks per worker: %s", describeCounts(placement))
	b.ReportMetric(createTook.Seconds(), "create-s")
	b.ReportMetric(running.Seconds(), "running-s")

	var maxRSS float64
	var rss []string
	for _, n := range c.nodes {
		mb := rssMB(b, n.cmd.Process.Pid)
		maxRSS = max(maxRSS, mb)
		rss = append(rss, fmt.Sprintf("%s (%s) %.1f MB", n.name, n.workerID(), mb))
	}
	b.Logf("VmRSS with %d connectors RUNNING: %s (broker %.1f MB)", scaleConnectors, strings.Join(rss, ", "), rssMB(b, c.broker.cmd.Process.Pid))
	b.ReportMetric(maxRSS, "rss-MB")

	// The CPU windows. First the background: the same length of time, no PATCHes.
	const patched = "scale-patched"
	c.nodes[0].expect(b, http.MethodPost, "/connectors", map[string]any{
		"name": patched, "config": config(), "initial_state": "STOPPED",
	}, http.StatusCreated)
	k := newKafka(b, c.broker.addr)
	var produced int64
	idle := c.window(b, func() {
		n0, err := k.count(scaleTopic)
		if err != nil {
			b.Fatalf("count %s: %v", scaleTopic, err)
		}
		time.Sleep(scaleIdle)
		n1, err := k.count(scaleTopic)
		if err != nil {
			b.Fatalf("count %s: %v", scaleTopic, err)
		}
		produced = n1 - n0
	})
	// Each task produces one record a second: the 1,000 run when the topic grows by about
	// 1,000 records a second.
	b.Logf("%s grew by %d records in the background window (%.0f/s)", scaleTopic, produced, float64(produced)/idle.took.Seconds())
	if float64(produced) < 0.8*scaleConnectors*idle.took.Seconds() {
		b.Errorf("%s grew by %d records in %v; 1,000 tasks at 1 record/s make about %d", scaleTopic, produced, idle.took.Round(time.Millisecond), int(scaleConnectors*idle.took.Seconds()))
	}
	l := c.waitLeader(b, 10*time.Second)
	patch := c.window(b, func() {
		for i := range scalePatches {
			c.nodes[l].expect(b, http.MethodPatch, "/connectors/"+patched+"/config",
				map[string]string{"bench.patch": strconv.Itoa(i)}, http.StatusOK)
		}
	})
	b.Logf("background window: %s", idle)
	b.Logf("window of %d PATCHes on %s (the leader): %s", scalePatches, c.nodes[l].name, patch)
	if patch.writes < scalePatches {
		b.Fatalf("the Raft log grew by %d entries over %d PATCHes", patch.writes, scalePatches)
	}
	perWrite := float64(patch.cpu.Microseconds()) / 1000 / float64(patch.writes)
	background := time.Duration(float64(idle.cpu) * patch.took.Seconds() / idle.took.Seconds())
	perPatch := float64((patch.cpu - background).Microseconds()) / 1000 / scalePatches
	b.Logf("CPU per store write %.2f ms (%v / %d writes); per PATCH above the background %.2f ms ((%v - %v) / %d)",
		perWrite, patch.cpu.Round(10*time.Millisecond), patch.writes, perPatch,
		patch.cpu.Round(10*time.Millisecond), background.Round(10*time.Millisecond), scalePatches)
	b.ReportMetric(perWrite, "cpu-ms-per-write")
	b.ReportMetric(perPatch, "patch-cpu-ms")
	b.ReportMetric(0, "ns/op")
}

// scaleRequest sends one request and wants status; a request the worker could not answer
// (a transport error or 5xx) is sent once more, and a create repeated that way may find its
// connector already there (409).
func scaleRequest(n *clusterNode, method, path string, body any, want int) error {
	var status int
	var resp []byte
	var err error
	for attempt := range 2 {
		status, resp, err = n.try(method, path, body)
		if err == nil && status == want {
			return nil
		}
		if attempt > 0 && err == nil && status == http.StatusConflict && method == http.MethodPost {
			return nil
		}
		if err == nil && status < 500 {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("%s %s on %s: %w", method, path, n.name, err)
	}
	return fmt.Errorf("%s %s on %s = %d %s; want %d", method, path, n.name, status, resp, want)
}

// waitAllState waits until GET /connectors?expand=status on node 0 lists the 1,000
// connectors, each in state with tasks tasks, all in state, polling twice a second.
// It returns the number of tasks per worker_id.
func (c *cluster) waitAllState(b *testing.B, state string, tasks int, timeout time.Duration) map[string]int {
	b.Helper()
	polled := false
	perWorker := map[string]int{}
	eventually(b, timeout, fmt.Sprintf("%d connectors %s with %d task(s) each", scaleConnectors, state, tasks), func() (bool, string) {
		if polled {
			time.Sleep(450 * time.Millisecond) // and eventually's 50 ms: a GET of 1,000 statuses costs the node
		}
		polled = true
		status, body, err := c.nodes[0].try(http.MethodGet, "/connectors?expand=status", nil)
		if err != nil || status != http.StatusOK {
			return false, fmt.Sprintf("GET /connectors?expand=status = %d %.200s %v", status, body, err)
		}
		var all map[string]struct {
			Status connectorStatus `json:"status"`
		}
		if err := json.Unmarshal(body, &all); err != nil {
			return false, err.Error()
		}
		ready, first := 0, ""
		clear(perWorker)
		for k := range scaleConnectors {
			st, ok := all[scaleName(k)]
			good := ok && st.Status.Connector.State == state && len(st.Status.Tasks) == tasks
			for _, tk := range st.Status.Tasks {
				good = good && tk.State == state
				perWorker[tk.WorkerID]++
			}
			if good {
				ready++
			} else if first == "" {
				first = fmt.Sprintf("%s: %s", scaleName(k), st.Status.states())
			}
		}
		return ready == scaleConnectors, fmt.Sprintf("%d of %d ready; %s", ready, scaleConnectors, first)
	})
	return perWorker
}

// nodeCPU is the CPU time each worker process has used.
func (c *cluster) nodeCPU(b *testing.B) []time.Duration {
	b.Helper()
	out := make([]time.Duration, len(c.nodes))
	for i, n := range c.nodes {
		out[i] = procCPU(b, n.cmd.Process.Pid)
	}
	return out
}

// scaleWindow is what the workers did while a function ran.
type scaleWindow struct {
	took   time.Duration
	cpu    time.Duration   // of the three workers
	perCPU []time.Duration // of each worker
	writes uint64          // store writes: entries added to node 0's Raft log
	kinds  map[string]int  // the commands of those entries by type
}

func (w scaleWindow) String() string {
	var per []string
	for i, d := range w.perCPU {
		per = append(per, fmt.Sprintf("node-%d %v", i, d.Round(10*time.Millisecond)))
	}
	return fmt.Sprintf("%v CPU of the workers (%s), %d store writes in %v (%.1f writes/s, CPU %.0f%% of one core; commands: %s)",
		w.cpu.Round(10*time.Millisecond), strings.Join(per, ", "), w.writes, w.took.Round(time.Millisecond),
		float64(w.writes)/w.took.Seconds(), 100*w.cpu.Seconds()/w.took.Seconds(), describeCounts(w.kinds))
}

// window runs fn and measures the workers' CPU time and the store writes meanwhile.
func (c *cluster) window(b *testing.B, fn func()) scaleWindow {
	b.Helper()
	dir := filepath.Join(c.nodes[0].setup.dataDir, "raft", "wal")
	index0, _ := raftEntries(b, dir, ^uint64(0))
	per0, t0 := c.nodeCPU(b), time.Now()
	fn()
	w := scaleWindow{took: time.Since(t0), perCPU: c.nodeCPU(b)}
	for i := range w.perCPU {
		w.perCPU[i] -= per0[i]
		w.cpu += w.perCPU[i]
	}
	var index uint64
	index, w.kinds = raftEntries(b, dir, index0)
	w.writes = index - index0
	return w
}

// raftEntries reads the raft-wal segments in dir, which a running worker is writing, and
// returns the index of the last committed entry and the command types of the committed
// entries after index after ("raft" for Raft's own entries).
//
// raft-wal's format: a 32-byte file header, then frames of an 8-byte header (type, three zero
// bytes, length as uint32 little-endian) and the payload padded to 8 bytes; a commit frame
// ends each batch; a zero header ends the written part. An entry's payload is raft-wal's
// binary codec: uvarints index, term and log type, then the data prefixed by its length as a
// uvarint. The store's data is a format byte and {"cmds":[{"type":...},...]}.
func raftEntries(b *testing.B, dir string, after uint64) (uint64, map[string]int) {
	b.Helper()
	segs, err := filepath.Glob(filepath.Join(dir, "*.wal"))
	if err != nil || len(segs) == 0 {
		b.Fatalf("raft-wal segments in %s: %v %v", dir, segs, err)
	}
	var last uint64
	kinds := map[string]int{}
	for _, seg := range segs {
		last = max(last, segmentEntries(b, seg, after, kinds))
	}
	return last, kinds
}

func segmentEntries(b *testing.B, path string, after uint64, kinds map[string]int) uint64 {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	if _, err := r.Discard(32); err != nil {
		return 0
	}
	var last uint64
	var pending []uint64
	var pendingKinds []string
	var h [8]byte
	for {
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return last
		}
		n := int(binary.LittleEndian.Uint32(h[4:]))
		padded := n + (8-n%8)%8
		switch h[0] {
		case 0: // the end of what was written
			return last
		case 1: // entry
			payload := make([]byte, padded)
			if _, err := io.ReadFull(r, payload); err != nil {
				return last
			}
			payload = payload[:n]
			var v [4]uint64 // index, term, type, data length
			for i := range v {
				x, k := binary.Uvarint(payload)
				if k <= 0 {
					b.Fatalf("%s: undecodable entry frame", path)
				}
				v[i], payload = x, payload[k:]
			}
			pending = append(pending, v[0])
			if v[0] > after {
				pendingKinds = append(pendingKinds, entryKinds(v[2], payload[:min(int(v[3]), len(payload))])...)
			}
		case 2: // index
			if _, err := r.Discard(padded); err != nil {
				return last
			}
		case 3: // commit
			for _, i := range pending {
				last = max(last, i)
			}
			for _, k := range pendingKinds {
				kinds[k]++
			}
			pending, pendingKinds = pending[:0], pendingKinds[:0]
		default:
			b.Fatalf("%s: unknown frame type %d", path, h[0])
		}
	}
}

// entryKinds names the commands of one entry's data.
func entryKinds(logType uint64, data []byte) []string {
	if logType != 0 || len(data) == 0 { // 0 is raft.LogCommand
		return []string{"raft"}
	}
	var e struct {
		Cmds []struct {
			Type string `json:"type"`
		} `json:"cmds"`
	}
	if json.Unmarshal(data[1:], &e) != nil {
		return []string{"undecodable"}
	}
	var out []string
	for _, c := range e.Cmds {
		out = append(out, c.Type)
	}
	return out
}
