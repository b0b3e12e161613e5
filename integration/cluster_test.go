package integration

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/plugins/verifiable"
	"github.com/raftconnect/raftconnect/raftstore"
)

// Tests of clustered workers (issue 7): several worker processes, one Raft store, tasks spread
// over them and moved when a worker dies or goes silent. The harness is cluster_harness_test.go.

// reassignBound is how long after a worker's death its tasks must be RUNNING elsewhere: the
// default cluster.failure.timeout.ms (10 s) and 5 s for the leader to notice, assign and for
// the new owners to start them.
const reassignBound = 15 * time.Second

// taskStart matches the line a VerifiableSource task logs when it starts.
var taskStart = regexp.MustCompile(`msg="started verifiable source task" connector=(\S+) task=(\d+)`)

// taskStarts counts, over every node's log, the starts of each source task ("name/id").
func (c *cluster) taskStarts() map[string]int {
	out := map[string]int{}
	seen := map[string]bool{}
	for _, n := range c.nodes {
		if seen[n.logPath] {
			continue
		}
		seen[n.logPath] = true
		for _, m := range taskStart.FindAllStringSubmatch(n.log(), -1) {
			out[m[1]+"/"+m[2]]++
		}
	}
	return out
}

// producedLine is one "produced" line of a VerifiableSource.
type producedLine struct {
	name  string
	task  int64
	seqno int64
}

// producedLines reads the source lines of an output.file that record a produced (not yet
// acknowledged) record, in file order.
func producedLines(tb testing.TB, path string) []producedLine {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var out []producedLine
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var l struct {
			Name      string `json:"name"`
			Task      int64  `json:"task"`
			Seqno     int64  `json:"seqno"`
			Committed bool   `json:"committed"`
			SinkTask  *int   `json:"sinkTask"`
		}
		if json.Unmarshal(sc.Bytes(), &l) != nil || l.Committed || l.SinkTask != nil {
			continue
		}
		out = append(out, producedLine{l.Name, l.Task, l.Seqno})
	}
	return out
}

// sequenceRestarts counts, per task ("name/id"), how often a produced seqno was not the
// previous one plus one: a task that started again from its committed offset, or two copies of
// one task running at once. Lines before skip are only used to learn where each task was.
func sequenceRestarts(lines []producedLine, skip int) map[string]int {
	last := map[string]int64{}
	out := map[string]int{}
	for i, l := range lines {
		k := l.name + "/" + strconv.FormatInt(l.task, 10)
		prev, ok := last[k]
		if ok && l.seqno != prev+1 && i >= skip {
			out[k]++
		}
		last[k] = l.seqno
	}
	return out
}

// committedReport checks the acknowledged lines of a VerifiableSource.
func committedReport(tb testing.TB, path, name string, tasks int) *verifiable.Report {
	tb.Helper()
	rep, err := verifiable.CheckFile(path, name, verifiable.Committed)
	if err != nil {
		tb.Fatal(err)
	}
	if err := rep.Verify(verifiable.Expect{Tasks: tasks, AllowDuplicates: true, MinSeqno: 1}); err != nil {
		tb.Errorf("%s: %v", name, err)
	}
	return rep
}

func TestClusterSpreadsTasks(t *testing.T) {
	c := startCluster(t, 3, clusterOpts{})
	out := filepath.Join(c.dir, "verifiable.jsonl")
	names := []string{"spread-a", "spread-b", "spread-c"}
	want := map[string]int{}
	for i, name := range names {
		// Each connector is created through another node.
		c.nodes[i].create(t, name, verifiableSource(name, out, 3, 20))
		want[name] = 3
	}
	start := time.Now()
	sts := c.waitTasks(t, want, 30*time.Second)
	placement := taskPlacement(sts)
	perWorker := tasksPerWorker(placement)
	connectorsPer := map[string]int{}
	for _, st := range sts {
		connectorsPer[st.Connector.WorkerID]++
	}
	t.Logf("9 tasks RUNNING %v after the creates; tasks per worker: %s; connectors per worker: %s",
		time.Since(start).Round(time.Millisecond), describeCounts(perWorker), describeCounts(connectorsPer))
	for _, n := range c.nodes {
		if perWorker[n.workerID()] != 3 {
			t.Errorf("%s (%s) runs %d tasks; want 3 of the 9 (%s)", n.name, n.workerID(), perWorker[n.workerID()], describeCounts(perWorker))
		}
		if connectorsPer[n.workerID()] != 1 {
			t.Errorf("%s (%s) runs %d connectors; want 1 of the 3 (%s)", n.name, n.workerID(), connectorsPer[n.workerID()], describeCounts(connectorsPer))
		}
	}
	// Every node reports the same placement.
	for _, n := range c.nodes {
		eventually(t, 5*time.Second, n.name+" reports the placement", func() (bool, string) {
			for _, name := range names {
				st, err := c.status(n.i, name)
				if err != nil {
					return false, err.Error()
				}
				for _, tk := range st.Tasks {
					if w := placement[name+"/"+strconv.Itoa(tk.ID)]; tk.WorkerID != w || tk.State != "RUNNING" {
						return false, fmt.Sprintf("%s task %d: %s on %s; the first node read said RUNNING on %s", name, tk.ID, tk.State, tk.WorkerID, w)
					}
				}
			}
			return true, ""
		})
	}

	// Let every task produce, then delete one connector through a third node.
	eventually(t, 15*time.Second, "every task produces", func() (bool, string) {
		seen := map[string]bool{}
		for _, l := range producedLines(t, out) {
			seen[l.name+"/"+strconv.FormatInt(l.task, 10)] = true
		}
		return len(seen) == 9, fmt.Sprintf("%d of 9 tasks produced", len(seen))
	})
	startsBefore := c.taskStarts()
	linesBefore := len(producedLines(t, out))
	c.nodes[2].expect(t, http.MethodDelete, "/connectors/spread-b", nil, http.StatusNoContent)
	delete(want, "spread-b")
	for _, n := range c.nodes {
		eventually(t, 10*time.Second, n.name+" forgets spread-b", func() (bool, string) {
			status, body, err := n.try(http.MethodGet, "/connectors/spread-b/status", nil)
			return err == nil && status == http.StatusNotFound, fmt.Sprintf("%d %s %v", status, body, err)
		})
	}
	// For a while after the delete, the other tasks stay where they were, RUNNING, and none
	// of them starts again.
	consistently(t, 4*time.Second, "the other connectors' tasks stay put", func() (bool, string) {
		for _, name := range []string{"spread-a", "spread-c"} {
			st, err := c.status(c.any().i, name)
			if err != nil {
				return false, err.Error()
			}
			for _, tk := range st.Tasks {
				if w := placement[name+"/"+strconv.Itoa(tk.ID)]; tk.WorkerID != w || tk.State != "RUNNING" {
					return false, fmt.Sprintf("%s task %d: %s on %s, was RUNNING on %s", name, tk.ID, tk.State, tk.WorkerID, w)
				}
			}
		}
		return true, ""
	})
	startsAfter := c.taskStarts()
	lines := producedLines(t, out)
	restarts := sequenceRestarts(lines, linesBefore)
	var moved []string
	for _, name := range []string{"spread-a", "spread-c"} {
		for id := range 3 {
			k := name + "/" + strconv.Itoa(id)
			if startsAfter[k] != startsBefore[k] || restarts[k] != 0 {
				moved = append(moved, fmt.Sprintf("%s: starts %d → %d, sequence restarts %d", k, startsBefore[k], startsAfter[k], restarts[k]))
			}
		}
	}
	t.Logf("after deleting spread-b: %d produced lines since (%d in all), task starts in the logs %s",
		len(lines)-linesBefore, len(lines), describeCounts(startsAfter))
	if len(moved) > 0 {
		t.Errorf("deleting spread-b restarted other tasks: %s", strings.Join(moved, "; "))
	}
	c.waitTasks(t, want, 5*time.Second)
}

func TestClusterFollowerKilled(t *testing.T) {
	c := startCluster(t, 3, clusterOpts{})
	out := filepath.Join(c.dir, "verifiable.jsonl")
	want := map[string]int{"fk-a": 3, "fk-b": 3}
	for name, tasks := range want {
		c.any().create(t, name, verifiableSource(name, out, tasks, 20))
	}
	sts := c.waitTasks(t, want, 30*time.Second)
	l := c.waitLeader(t, 5*time.Second)
	victim, perWorker := c.followerWithTasks(t, l, sts)
	dead := c.nodes[victim].workerID()
	t.Logf("killing follower %s (%s), which runs %d tasks; placement %s", c.nodes[victim].name, dead, perWorker[dead], describeCounts(perWorker))
	killed := time.Now()
	c.kill(victim)
	sts = c.waitTasks(t, want, reassignBound, dead)
	took := time.Since(killed)
	t.Logf("every task RUNNING on the other two workers %v after SIGKILL (bound %v); placement %s",
		took.Round(time.Millisecond), reassignBound, describeCounts(tasksPerWorker(taskPlacement(sts))))
	if l2 := c.waitLeader(t, 5*time.Second); l2 != l {
		t.Errorf("the leader changed from %s to %s when a follower died", c.nodes[l].name, c.nodes[l2].name)
	}
	// The moved tasks continue their sequences: nothing acknowledged is missing.
	eventually(t, 10*time.Second, "the moved tasks produce again", func() (bool, string) {
		offs, err := c.sourceOffsets(c.any().i, "fk-a")
		return err == nil && len(offs) == 3, fmt.Sprintf("%v %v", offs, err)
	})
	for name, tasks := range want {
		committedReport(t, out, name, tasks)
	}
}

func TestClusterLeaderKilled(t *testing.T) {
	c := startCluster(t, 3, clusterOpts{})
	out := filepath.Join(c.dir, "verifiable.jsonl")
	want := map[string]int{"lk-a": 3, "lk-b": 3}
	for name, tasks := range want {
		c.any().create(t, name, verifiableSource(name, out, tasks, 20))
	}
	c.waitTasks(t, want, 30*time.Second)
	l := c.waitLeader(t, 5*time.Second)
	// Acknowledged writes through every node, the last just before the kill.
	var created []string
	for i := range 30 {
		name := fmt.Sprintf("lk-stopped-%02d", i)
		c.nodes[i%3].expect(t, http.MethodPost, "/connectors", map[string]any{
			"name": name, "config": verifiableSource(name, out, 1, 1), "initial_state": "STOPPED",
		}, http.StatusCreated)
		created = append(created, name)
	}
	dead := c.nodes[l].workerID()
	killed := time.Now()
	c.kill(l)
	nl := c.waitLeader(t, reassignBound)
	elected := time.Since(killed)
	c.waitTasks(t, want, reassignBound-time.Since(killed), dead)
	running := time.Since(killed)
	t.Logf("leader %s SIGKILLed: %s leads after %v, every task RUNNING elsewhere after %v (bound %v)",
		c.nodes[l].name, c.nodes[nl].name, elected.Round(time.Millisecond), running.Round(time.Millisecond), reassignBound)
	all := append(slices.Clone(created), "lk-a", "lk-b")
	slices.Sort(all)
	for _, i := range c.upNodes() {
		eventually(t, 5*time.Second, c.nodes[i].name+" lists every acknowledged connector", func() (bool, string) {
			names, err := c.connectorNames(i)
			return err == nil && slices.Equal(names, all), fmt.Sprintf("%d connectors %v, want %d", len(names), err, len(all))
		})
	}
	for name, tasks := range want {
		committedReport(t, out, name, tasks)
	}
}

func TestClusterStoppedWorkerFenced(t *testing.T) {
	const failureTimeout = 5 * time.Second
	c := startCluster(t, 3, clusterOpts{extra: []string{
		"cluster.failure.timeout.ms=" + strconv.Itoa(int(failureTimeout.Milliseconds())),
		"cluster.heartbeat.interval.ms=500",
	}})
	out := filepath.Join(c.dir, "verifiable.jsonl")
	const name = "fence"
	want := map[string]int{name: 3}
	c.any().create(t, name, verifiableSource(name, out, 3, 50))
	sts := c.waitTasks(t, want, 30*time.Second)
	l := c.waitLeader(t, 5*time.Second)
	victim, perWorker := c.followerWithTasks(t, l, sts)
	eventually(t, 10*time.Second, "offsets committed for every task", func() (bool, string) {
		offs, err := c.sourceOffsets(l, name)
		return err == nil && len(offs) == 3, fmt.Sprintf("%v %v", offs, err)
	})

	// Every node's view of the committed offsets, sampled over the whole test, must never go
	// backwards: a stale worker's commit must not overwrite a newer one.
	var mu sync.Mutex
	highest := map[int]map[int64]int64{} // node -> task -> seqno
	var backwards []string
	samples := 0
	done := make(chan struct{})
	stopSampling := sync.OnceFunc(func() { close(done) })
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
			mu.Lock()
			up := c.upNodes()
			mu.Unlock()
			for _, i := range up {
				offs, err := c.sourceOffsets(i, name)
				if err != nil {
					continue
				}
				mu.Lock()
				samples++
				if highest[i] == nil {
					highest[i] = map[int64]int64{}
				}
				for task, seqno := range offs {
					if prev, ok := highest[i][task]; ok && seqno < prev {
						backwards = append(backwards, fmt.Sprintf("%s: task %d %d → %d", c.nodes[i].name, task, prev, seqno))
					}
					highest[i][task] = max(highest[i][task], seqno)
				}
				mu.Unlock()
			}
		}
	}()
	defer func() { stopSampling(); <-sampled }()

	lost := c.nodes[victim].workerID()
	t.Logf("SIGSTOP %s (%s), which runs %d tasks; placement %v", c.nodes[victim].name, lost, perWorker[lost], taskPlacement(sts))
	mu.Lock()
	c.stop(victim)
	mu.Unlock()
	stopped := time.Now()
	// A stopped worker keeps its connections open, so the leader's heartbeats to it hang rather
	// than fail: the bound is looser than reassignBound for a dead one.
	c.waitTasks(t, want, failureTimeout+15*time.Second, lost)
	took := time.Since(stopped)
	t.Logf("its tasks RUNNING elsewhere %v after SIGSTOP (failure timeout %v)", took.Round(time.Millisecond), failureTimeout)
	if took > failureTimeout+5*time.Second {
		t.Logf("NOTE: that is %v past the failure timeout; a SIGKILLed worker's tasks move within 5 s of it", (took - failureTimeout).Round(time.Millisecond))
	}
	// Stay stopped well past the failure timeout, then come back.
	time.Sleep(time.Until(stopped.Add(failureTimeout + 2*time.Second)))
	mu.Lock()
	c.cont(victim)
	mu.Unlock()
	resumed := time.Now()
	linesAtCont := len(producedLines(t, out))
	offsAtCont, err := c.sourceOffsets(l, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("SIGCONT %s after %v", c.nodes[victim].name, resumed.Sub(stopped).Round(time.Millisecond))

	// The resumed worker answers again and sees the others' placement.
	eventually(t, 15*time.Second, c.nodes[victim].name+" answers again and names the leader", func() (bool, string) {
		l2, why := c.leaderSeenBy(victim)
		return l2 >= 0, why
	})
	// It stops the tasks it lost: after a grace of a few seconds, each task's produced
	// sequence has a single writer (two copies of a task would repeat sequence numbers).
	const grace = 3 * time.Second
	time.Sleep(time.Until(resumed.Add(grace)))
	linesAtGrace := len(producedLines(t, out))
	time.Sleep(4 * time.Second)
	lines := producedLines(t, out)
	restartsAfterGrace := sequenceRestarts(lines, linesAtGrace)
	restartsAfterCont := sequenceRestarts(lines, linesAtCont)
	t.Logf("produced lines: %d at SIGCONT, %d at SIGCONT+%v, %d at the end; sequence breaks after SIGCONT %s, after the grace %s",
		linesAtCont, linesAtGrace, grace, len(lines), describeCounts(restartsAfterCont), describeCounts(restartsAfterGrace))
	if len(restartsAfterGrace) > 0 {
		t.Errorf("a task ran twice %v after SIGCONT (sequence breaks %s): the resumed worker did not stop the tasks it lost",
			grace, describeCounts(restartsAfterGrace))
	}
	sts = c.waitTasks(t, want, 5*time.Second)
	for _, tk := range sts[name].Tasks {
		if tk.WorkerID == lost {
			t.Logf("task %d is back on %s", tk.ID, lost)
		}
	}
	// Every task, moved or not, still makes progress.
	eventually(t, 10*time.Second, "every task commits offsets after SIGCONT", func() (bool, string) {
		offs, err := c.sourceOffsets(l, name)
		if err != nil {
			return false, err.Error()
		}
		for task, seqno := range offsAtCont {
			if offs[task] <= seqno {
				return false, fmt.Sprintf("at SIGCONT %v, now %v", offsAtCont, offs)
			}
		}
		t.Logf("committed offsets on the leader: %v at SIGCONT, %v now", offsAtCont, offs)
		return true, ""
	})

	stopSampling()
	<-sampled
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d offset reads over %v; highest committed seqno per node %v", samples, time.Since(stopped).Round(time.Millisecond), highest)
	if samples == 0 {
		t.Error("no offsets read")
	}
	if len(backwards) > 0 {
		t.Errorf("committed offsets went backwards (%d times): %s", len(backwards), strings.Join(backwards[:min(10, len(backwards))], "; "))
	}
	rep := committedReport(t, out, name, 3)
	for _, tr := range rep.Tasks {
		t.Logf("task %d: committed lines up to seqno %d, %d duplicates; task placement at the end %v",
			tr.Task, tr.Max, tr.Duplicates, taskPlacement(sts))
	}
}

func TestClusterRESTOnEveryNode(t *testing.T) {
	c := startCluster(t, 3, clusterOpts{})
	out := filepath.Join(c.dir, "verifiable.jsonl")
	l := c.waitLeader(t, 5*time.Second)
	f := c.followers(l)
	stoppedConfig := func(name string) map[string]any {
		return map[string]any{"name": name, "config": verifiableSource(name, out, 1, 1), "initial_state": "STOPPED"}
	}

	// Create on a follower, read on the other follower, delete on the leader.
	start := time.Now()
	c.nodes[f[0]].expect(t, http.MethodPost, "/connectors", stoppedConfig("everywhere"), http.StatusCreated)
	created := time.Since(start)
	firstRead, _, _ := c.nodes[f[1]].try(http.MethodGet, "/connectors/everywhere", nil)
	eventually(t, 5*time.Second, "the other follower reads the connector", func() (bool, string) {
		status, body, err := c.nodes[f[1]].try(http.MethodGet, "/connectors/everywhere", nil)
		if err != nil || status != http.StatusOK {
			return false, fmt.Sprintf("%d %s %v", status, body, err)
		}
		var info struct {
			Config map[string]string `json:"config"`
		}
		if err := json.Unmarshal(body, &info); err != nil || info.Config["topic"] != "everywhere" {
			return false, string(body)
		}
		return true, ""
	})
	c.nodes[l].expect(t, http.MethodDelete, "/connectors/everywhere", nil, http.StatusNoContent)
	for _, i := range c.upNodes() {
		eventually(t, 5*time.Second, c.nodes[i].name+" forgets the connector", func() (bool, string) {
			status, body, err := c.nodes[i].try(http.MethodGet, "/connectors/everywhere", nil)
			return err == nil && status == http.StatusNotFound, fmt.Sprintf("%d %s %v", status, body, err)
		})
	}
	t.Logf("create on follower %s: %v; first read on follower %s: %d; delete on leader %s: done",
		c.nodes[f[0]].name, created.Round(time.Microsecond), c.nodes[f[1]].name, firstRead, c.nodes[l].name)

	// 100 concurrent creates over the three nodes.
	const creates = 100
	type result struct {
		status int
		body   string
		err    error
		took   time.Duration
	}
	results := make([]result, creates)
	var wg sync.WaitGroup
	start = time.Now()
	for i := range creates {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			status, body, err := c.nodes[i%3].try(http.MethodPost, "/connectors", stoppedConfig(fmt.Sprintf("many-%03d", i)))
			results[i] = result{status, string(body), err, time.Since(t0)}
		}()
	}
	wg.Wait()
	all := time.Since(start)
	var took []time.Duration
	var want []string
	for i, r := range results {
		want = append(want, fmt.Sprintf("many-%03d", i))
		took = append(took, r.took)
		if r.err != nil || r.status != http.StatusCreated {
			t.Errorf("create many-%03d on %s: %d %s %v", i, c.nodes[i%3].name, r.status, r.body, r.err)
		}
	}
	t.Logf("%d concurrent creates over 3 nodes in %v: median %v, slowest %v", creates, all.Round(time.Millisecond),
		median(took).Round(time.Microsecond), slices.Max(took).Round(time.Microsecond))
	for _, i := range c.upNodes() {
		eventually(t, 5*time.Second, c.nodes[i].name+" lists the 100 connectors", func() (bool, string) {
			names, err := c.connectorNames(i)
			return err == nil && slices.Equal(names, want), fmt.Sprintf("%d connectors %v", len(names), err)
		})
	}

}

func TestClusterWritesDuringElection(t *testing.T) {
	c := startCluster(t, 3, clusterOpts{})
	out := filepath.Join(c.dir, "verifiable.jsonl")
	l := c.waitLeader(t, 5*time.Second)
	f := c.followers(l)
	stoppedConfig := func(name string) map[string]any {
		return map[string]any{"name": name, "config": verifiableSource(name, out, 1, 1), "initial_state": "STOPPED"}
	}
	type result struct {
		status int
		body   string
		err    error
		took   time.Duration
	}
	var wg sync.WaitGroup
	var took []time.Duration
	want, err := c.connectorNames(l)
	if err != nil {
		t.Fatal(err)
	}

	// Writes issued right after the leader dies answer once a new leader is there.
	c.kill(l)
	killed := time.Now()
	results := make([]result, 6)
	during := make([]string, len(results))
	for i := range during {
		during[i] = fmt.Sprintf("during-%d", i)
	}
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			status, body, err := c.nodes[f[i%2]].try(http.MethodPost, "/connectors", stoppedConfig(during[i]))
			results[i] = result{status, string(body), err, time.Since(t0)}
		}()
	}
	wg.Wait()
	for i, r := range results {
		took = append(took, r.took)
		if r.err != nil || r.status != http.StatusCreated {
			t.Errorf("create %s on %s right after the leader's death: %d %s %v", during[i], c.nodes[f[i%2]].name, r.status, r.body, r.err)
		}
	}
	// The writes are what this part checks; the election's time is only reported (the leader
	// test bounds it).
	nl := c.waitLeader(t, 30*time.Second)
	t.Logf("%d creates issued on the followers right after SIGKILL of leader %s: answered after median %v, slowest %v; new leader %s after %v",
		len(results), c.nodes[l].name, median(took).Round(time.Millisecond), slices.Max(took).Round(time.Millisecond),
		c.nodes[nl].name, time.Since(killed).Round(time.Millisecond))
	want = append(want, during...)
	slices.Sort(want)
	for _, i := range c.upNodes() {
		eventually(t, 5*time.Second, c.nodes[i].name+" lists every connector", func() (bool, string) {
			names, err := c.connectorNames(i)
			return err == nil && slices.Equal(names, want), fmt.Sprintf("%d connectors %v, want %d", len(names), err, len(want))
		})
	}
}

func TestClusterRefusesOutsiders(t *testing.T) {
	c := startCluster(t, 3, clusterOpts{})
	l := c.waitLeader(t, 5*time.Second)
	before, err := c.connectorNames(l)
	if err != nil {
		t.Fatal(err)
	}

	// A worker with another secret, told to join through every node.
	port, raftPort := freePort(t), freePort(t)
	setup := c.nodeSetup("outsider", port, raftPort, "not-the-cluster-secret")
	o := launchNode(t, "outsider", setup)
	mentions := func(body []byte) bool {
		s := string(body)
		return strings.Contains(s, "outsider") || strings.Contains(s, ":"+strconv.Itoa(port)) || strings.Contains(s, ":"+strconv.Itoa(raftPort))
	}
	outsiderListed := func() (bool, string) {
		for _, i := range c.upNodes() {
			for _, path := range []string{"/", "/health"} {
				_, body, err := c.nodes[i].try(http.MethodGet, path, nil)
				if err == nil && mentions(body) {
					return false, fmt.Sprintf("%s GET %s: %s", c.nodes[i].name, path, body)
				}
			}
		}
		return true, ""
	}
	// Three seconds, five more if the outsider still runs.
	consistently(t, 3*time.Second, "no node lists the outsider", outsiderListed)
	if !o.exited() {
		consistently(t, 5*time.Second, "no node lists the outsider", outsiderListed)
	}
	if o.exited() {
		t.Logf("the outsider exited with %v:\n%s", o.state, tail(o.logPath, 2))
		if o.state.ExitCode() == 0 {
			t.Errorf("the outsider exited 0; want a failure:\n%s", tail(o.logPath, 10))
		}
	} else {
		status, body, _ := o.try(http.MethodGet, "/", nil)
		t.Logf("the outsider still runs, outside the cluster: GET / = %d %s", status, body)
		var info serverInfo
		if json.Unmarshal(body, &info) == nil && info.Leader != nil {
			if l2 := c.nodeFor(info.Leader.NodeID, info.Leader.RestURL); l2 >= 0 {
				t.Errorf("the outsider names %s, a node of the cluster, as its leader: it joined", c.nodes[l2].name)
			}
		}
	}
	if l2 := c.waitLeader(t, 5*time.Second); l2 != l {
		t.Errorf("the leader changed from %s to %s", c.nodes[l].name, c.nodes[l2].name)
	}

	// An entry that would create a connector, sent to the store's internal endpoint unsigned
	// and signed with the wrong secret, to the leader and to a follower.
	entry, err := raftstore.EncodeCommands(raftstore.PutConnector{
		Name:       "intruder",
		Config:     map[string]string{"connector.class": "VerifiableSource", "tasks.max": "1", "topic": "intruder", "throughput": "1"},
		CreateOnly: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{l, c.followers(l)[0]} {
		for _, tc := range []struct {
			what   string
			secret string
			want   int
		}{
			{"unsigned", "", http.StatusBadRequest},
			{"signed with another secret", "not-the-cluster-secret", http.StatusForbidden},
		} {
			status, body, err := c.internalRequest(i, http.MethodPost, "/internal/store/apply", tc.secret, entry)
			if err != nil {
				t.Fatalf("POST /internal/store/apply to %s: %v", c.nodes[i].name, err)
			}
			t.Logf("%s POST /internal/store/apply to %s: %d %s", tc.what, c.nodes[i].name, status, strings.TrimSpace(string(body)))
			if status != tc.want {
				t.Errorf("%s POST /internal/store/apply to %s = %d %s; want %d", tc.what, c.nodes[i].name, status, body, tc.want)
			}
		}
	}
	for _, i := range c.upNodes() {
		names, err := c.connectorNames(i)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(names, before) {
			t.Errorf("%s lists %v after the refused requests; want %v", c.nodes[i].name, names, before)
		}
		if st, err := c.status(i, "intruder"); err == nil {
			t.Errorf("%s has a status for the intruder: %+v", c.nodes[i].name, st)
		}
	}
	// The control: the same entry signed with the cluster's secret is what a follower
	// forwards, and the leader applies it.
	status, body, err := c.internalRequest(l, http.MethodPost, "/internal/store/apply", c.secret, entry)
	t.Logf("the same entry signed with the cluster secret, to the leader: %d %d bytes %v", status, len(body), err)
	if err == nil && status == http.StatusOK {
		eventually(t, 5*time.Second, "the signed entry's connector on every node", func() (bool, string) {
			for _, i := range c.upNodes() {
				if names, err := c.connectorNames(i); err != nil || !slices.Contains(names, "intruder") {
					return false, fmt.Sprintf("%s: %v %v", c.nodes[i].name, names, err)
				}
			}
			return true, ""
		})
	}
}
