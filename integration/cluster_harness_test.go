package integration

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// A cluster of worker processes sharing one broker process, for the clustered-worker tests
// (issue 7). Every node listens for REST and Raft on 127.0.0.1 with ports of its own below
// 32768; on Linux distinct loopback addresses (127.0.0.2, 127.0.0.3, ...) would work as well,
// without any setup, but distinct ports on one address work everywhere.
//
//	c := startCluster(t, 3, clusterOpts{})
//	l := c.waitLeader(t, 15*time.Second)      // index of the node every live node names
//	c.nodes[l].create(t, "src", cfg)          // every *worker method works on a node
//	c.kill(l); c.restart(l)                   // SIGKILL, then the same ports and data.dir
//	c.stop(1); c.cont(1)                      // SIGSTOP / SIGCONT
//	code := c.term(2, 10*time.Second)         // SIGTERM and the exit code
//	sts := c.waitTasks(t, want, 15*time.Second, avoid)  // every task RUNNING, none on avoid
//
// Each node's output goes to <dir>/node-<i>.log (a restarted node appends to it), and the last
// lines of every log are printed when the test fails.

// clusterOpts are the settings of a cluster.
type clusterOpts struct {
	// extra are --set key=value settings for every node (cluster.failure.timeout.ms=...).
	extra []string
	// secret is the cluster.secret; "" picks a random one.
	secret string
}

// clusterNode is one worker of a cluster: its fixed ports and data.dir, and its current
// process (the embedded *worker, replaced by restart).
type clusterNode struct {
	*worker
	i        int
	name     string // node.id, and the log file's name
	setup    workerSetup
	raftPort int
	stopped  bool // SIGSTOPped and not yet SIGCONTed
}

// cluster is a broker and the worker nodes using it.
type cluster struct {
	t      testing.TB
	dir    string
	broker *broker
	secret string
	opts   clusterOpts
	nodes  []*clusterNode
}

// clusterSupport remembers, for the whole test binary, what requireCluster found.
var clusterSupport struct {
	once    sync.Once
	missing string // "" when the worker binary forms clusters
}

// requireCluster skips the test, with "issue 7: " and what is missing, when the worker binary
// cannot take part in a cluster: it is asked once per test binary, by starting one worker with
// raft.bind.address and cluster.secret and reading GET /, which names the Raft leader once the
// cluster code is in. startCluster calls it first.
func requireCluster(t testing.TB) {
	t.Helper()
	clusterSupport.once.Do(func() { clusterSupport.missing = probeCluster(t) })
	if clusterSupport.missing != "" {
		t.Skip("issue 7: " + clusterSupport.missing)
	}
}

func probeCluster(t testing.TB) string {
	dir := t.TempDir()
	port, raftPort := freePort(t), freePort(t)
	w := launchNode(t, "probe", workerSetup{
		dir: dir, broker: "127.0.0.1:1", dataDir: filepath.Join(dir, "data"), port: port,
		extra: []string{"raft.bind.address=127.0.0.1:" + strconv.Itoa(raftPort), "cluster.secret=" + randomSecret()},
	})
	defer w.kill()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) && !w.exited() {
		status, body, err := w.try(http.MethodGet, "/", nil)
		if err == nil && status == http.StatusOK {
			var info serverInfo
			if json.Unmarshal(body, &info) == nil && info.Leader != nil {
				return ""
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if w.exited() {
		return "a worker with raft.bind.address and cluster.secret exits: " + tail(w.logPath, 1)
	}
	return "GET / of a worker with raft.bind.address and cluster.secret names no leader (the worker's cluster code has not landed)"
}

// startCluster starts a broker and n workers: node 0 starts a new cluster, and each other node
// joins through the nodes started before it. It returns when every node answers GET / and
// GET /health and all of them name the same leader.
func startCluster(t testing.TB, n int, opts clusterOpts) *cluster {
	t.Helper()
	requireCluster(t)
	dir := t.TempDir()
	c := &cluster{t: t, dir: dir, opts: opts, secret: opts.secret}
	if c.secret == "" {
		c.secret = randomSecret()
	}
	c.broker = startBroker(t, dir)
	start := time.Now()
	for range n {
		c.addNode(t, c.secret)
	}
	c.waitLeader(t, 30*time.Second)
	t.Logf("cluster of %d workers formed in %v (ports %s)", n, time.Since(start).Round(time.Millisecond), c.ports())
	return c
}

func randomSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ports lists every node's REST/Raft ports, for the log.
func (c *cluster) ports() string {
	var s []string
	for _, n := range c.nodes {
		s = append(s, fmt.Sprintf("%s rest %d raft %d", n.name, n.port, n.raftPort))
	}
	return strings.Join(s, ", ")
}

// joinList is the cluster.join value of a new node: the REST addresses of the nodes so far.
func (c *cluster) joinList() string {
	var s []string
	for _, n := range c.nodes {
		s = append(s, "127.0.0.1:"+strconv.Itoa(n.port))
	}
	return strings.Join(s, ",")
}

// nodeSetup is the command line of a node: the cluster's settings, then extra.
func (c *cluster) nodeSetup(name string, port, raftPort int, secret string, extra ...string) workerSetup {
	s := workerSetup{
		dir:     c.dir,
		broker:  c.broker.addr,
		dataDir: filepath.Join(c.dir, name+"-"+strconv.Itoa(port)),
		port:    port,
	}
	s.extra = append(s.extra,
		"node.id="+name,
		"raft.bind.address=127.0.0.1:"+strconv.Itoa(raftPort),
		"cluster.secret="+secret,
	)
	if join := c.joinList(); join != "" {
		s.extra = append(s.extra, "cluster.join="+join)
	}
	s.extra = append(s.extra, c.opts.extra...)
	s.extra = append(s.extra, extra...)
	return s
}

// addNode starts one more node, joining the cluster (or starting it, for the first), with the
// given secret, and waits until it answers GET / and GET /health. It picks new ports (and a
// fresh data.dir) when the ones drawn turn out to be taken.
func (c *cluster) addNode(t testing.TB, secret string, extra ...string) *clusterNode {
	t.Helper()
	i := len(c.nodes)
	name := "node-" + strconv.Itoa(i)
	for attempt := 0; ; attempt++ {
		n := &clusterNode{i: i, name: name, raftPort: freePort(t)}
		n.setup = c.nodeSetup(name, freePort(t), n.raftPort, secret, extra...)
		n.worker = launchNode(t, name, n.setup)
		err := n.waitReady(45 * time.Second)
		if err == nil {
			c.nodes = append(c.nodes, n)
			return n
		}
		n.kill()
		if attempt == 3 || !strings.Contains(n.log(), "address already in use") {
			t.Fatalf("%s (rest %d, raft %d): %v\n%s", name, n.port, n.raftPort, err, tail(n.logPath, 30))
		}
	}
}

// launchNode starts a worker process logging to <dir>/<name>.log, without waiting for it.
func launchNode(tb testing.TB, name string, s workerSetup) *worker {
	tb.Helper()
	p := startProc(tb, s.dir, name, workerBin, s.args()...)
	w := &worker{
		proc:   p,
		port:   s.port,
		url:    "http://127.0.0.1:" + strconv.Itoa(s.port),
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{}},
	}
	tb.Cleanup(w.client.CloseIdleConnections)
	return w
}

// up reports whether the node's process runs and is not stopped.
func (n *clusterNode) up() bool { return !n.exited() && !n.stopped }

// signal sends sig to the node's process.
func (c *cluster) signal(i int, sig syscall.Signal) {
	c.t.Helper()
	n := c.nodes[i]
	if n.exited() {
		c.t.Fatalf("%s: cannot send %v: the process has exited (%v)", n.name, sig, n.state)
	}
	if err := n.cmd.Process.Signal(sig); err != nil {
		c.t.Fatalf("%s: %v: %v", n.name, sig, err)
	}
}

// kill SIGKILLs node i and waits for it to be gone.
func (c *cluster) kill(i int) {
	c.t.Helper()
	c.nodes[i].stopped = false
	c.nodes[i].kill()
}

// stop SIGSTOPs node i: it keeps its sockets and state but does nothing until cont.
func (c *cluster) stop(i int) {
	c.t.Helper()
	c.signal(i, syscall.SIGSTOP)
	c.nodes[i].stopped = true
}

// cont SIGCONTs node i.
func (c *cluster) cont(i int) {
	c.t.Helper()
	c.signal(i, syscall.SIGCONT)
	c.nodes[i].stopped = false
}

// term SIGTERMs node i and returns its exit code, failing the test if it has not ended within
// timeout.
func (c *cluster) term(i int, timeout time.Duration) int {
	c.t.Helper()
	n := c.nodes[i]
	if n.stopped {
		c.cont(i)
	}
	c.signal(i, syscall.SIGTERM)
	if !n.wait(timeout) {
		c.t.Fatalf("%s did not exit within %v of SIGTERM", n.name, timeout)
	}
	return n.state.ExitCode()
}

// restart starts node i again on the same ports and data.dir (after kill or term) and waits
// until it answers GET / and GET /health.
func (c *cluster) restart(i int) {
	c.t.Helper()
	n := c.nodes[i]
	if !n.exited() {
		c.t.Fatalf("%s: restart of a process that still runs", n.name)
	}
	n.worker = launchNode(c.t, n.name, n.setup)
	n.stopped = false
	if err := n.waitReady(45 * time.Second); err != nil {
		c.t.Fatalf("%s restarted: %v\n%s", n.name, err, tail(n.logPath, 30))
	}
}

// upNodes returns the indexes of the nodes that run and are not stopped.
func (c *cluster) upNodes() []int {
	var out []int
	for _, n := range c.nodes {
		if n.up() {
			out = append(out, n.i)
		}
	}
	return out
}

// any returns a node that is up, the lowest-numbered one not in avoid.
func (c *cluster) any(avoid ...int) *clusterNode {
	c.t.Helper()
	for _, i := range c.upNodes() {
		if !slices.Contains(avoid, i) {
			return c.nodes[i]
		}
	}
	c.t.Fatal("no node of the cluster is up")
	return nil
}

// serverInfo is the part of GET / (and GET /health) the cluster tests read.
type serverInfo struct {
	Leader *struct {
		NodeID  string `json:"node_id"`
		RestURL string `json:"rest_url"`
	} `json:"leader"`
}

// leaderSeenBy returns the index of the node that node i names as leader in GET /, or -1
// with the reason when it names none (or one that is not in the cluster).
func (c *cluster) leaderSeenBy(i int) (int, string) {
	n := c.nodes[i]
	status, body, err := n.try(http.MethodGet, "/", nil)
	if err != nil || status != http.StatusOK {
		return -1, fmt.Sprintf("%s: GET / = %d %s %v", n.name, status, body, err)
	}
	var info serverInfo
	if err := json.Unmarshal(body, &info); err != nil || info.Leader == nil {
		return -1, fmt.Sprintf("%s names no leader: %s", n.name, body)
	}
	if l := c.nodeFor(info.Leader.NodeID, info.Leader.RestURL); l >= 0 {
		return l, ""
	}
	return -1, fmt.Sprintf("%s names a leader not in the cluster: %s", n.name, body)
}

// nodeFor finds a node by node id or REST URL (host:port), -1 if none matches.
func (c *cluster) nodeFor(nodeID, restURL string) int {
	hostPort := restURL
	if u, err := url.Parse(restURL); err == nil && u.Host != "" {
		hostPort = u.Host
	}
	for _, n := range c.nodes {
		if nodeID == n.name || (hostPort != "" && hostPort == n.workerID()) {
			return n.i
		}
	}
	return -1
}

// waitLeader waits until every node that is up names the same leader, itself up, and returns
// its index.
func (c *cluster) waitLeader(tb testing.TB, timeout time.Duration) int {
	tb.Helper()
	leader := -1
	eventually(tb, timeout, "every live node names the same live leader", func() (bool, string) {
		leader = -1
		var seen []string
		for _, i := range c.upNodes() {
			l, why := c.leaderSeenBy(i)
			if l < 0 {
				return false, why
			}
			seen = append(seen, c.nodes[i].name+"→"+c.nodes[l].name)
			if leader >= 0 && l != leader {
				return false, strings.Join(seen, " ")
			}
			leader = l
		}
		if leader < 0 || !c.nodes[leader].up() {
			return false, "leader not up: " + strings.Join(seen, " ")
		}
		return true, ""
	})
	return leader
}

// followers returns the indexes of the up nodes other than the leader l.
func (c *cluster) followers(l int) []int {
	var out []int
	for _, i := range c.upNodes() {
		if i != l {
			out = append(out, i)
		}
	}
	return out
}

// status reads GET /connectors/{name}/status on node i.
func (c *cluster) status(i int, name string) (connectorStatus, error) {
	var st connectorStatus
	status, body, err := c.nodes[i].try(http.MethodGet, "/connectors/"+name+"/status", nil)
	if err != nil {
		return st, err
	}
	if status != http.StatusOK {
		return st, fmt.Errorf("GET /connectors/%s/status = %d %s", name, status, body)
	}
	return st, json.Unmarshal(body, &st)
}

// waitTasks waits until, as read on one up node, every connector of want is RUNNING with
// want[name] tasks, all RUNNING, none of them (nor the connector) on a worker_id of avoid.
// It returns the statuses.
func (c *cluster) waitTasks(tb testing.TB, want map[string]int, timeout time.Duration, avoid ...string) map[string]connectorStatus {
	tb.Helper()
	out := map[string]connectorStatus{}
	eventually(tb, timeout, fmt.Sprintf("%d connectors and their tasks RUNNING (not on %v)", len(want), avoid), func() (bool, string) {
		up := c.upNodes()
		if len(up) == 0 {
			return false, "no node up"
		}
		i := up[0]
		names := mapKeys(want)
		slices.Sort(names)
		for _, name := range names {
			st, err := c.status(i, name)
			if err != nil {
				return false, err.Error()
			}
			if st.Connector.State != "RUNNING" || slices.Contains(avoid, st.Connector.WorkerID) {
				return false, fmt.Sprintf("%s: connector %s on %s", name, st.Connector.State, st.Connector.WorkerID)
			}
			if len(st.Tasks) != want[name] {
				return false, fmt.Sprintf("%s: %d tasks, want %d", name, len(st.Tasks), want[name])
			}
			for _, tk := range st.Tasks {
				if tk.State != "RUNNING" || slices.Contains(avoid, tk.WorkerID) {
					return false, fmt.Sprintf("%s task %d: %s on %s", name, tk.ID, tk.State, tk.WorkerID)
				}
			}
			out[name] = st
		}
		return true, ""
	})
	return out
}

// taskPlacement maps each task ("name/id") of the statuses to its worker_id.
func taskPlacement(sts map[string]connectorStatus) map[string]string {
	out := map[string]string{}
	for name, st := range sts {
		for _, tk := range st.Tasks {
			out[name+"/"+strconv.Itoa(tk.ID)] = tk.WorkerID
		}
	}
	return out
}

// tasksPerWorker counts the tasks of a placement per worker_id.
func tasksPerWorker(placement map[string]string) map[string]int {
	out := map[string]int{}
	for _, w := range placement {
		out[w]++
	}
	return out
}

// describeCounts writes counts sorted by key, "a=1 b=2".
func describeCounts(m map[string]int) string {
	keys := mapKeys(m)
	sort.Strings(keys)
	var s []string
	for _, k := range keys {
		s = append(s, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(s, " ")
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// internalRequest sends method path with body to node i's internal endpoint, signed with secret
// as a worker of the cluster signs it, or unsigned when secret is "". It returns the status
// and body.
func (c *cluster) internalRequest(i int, method, path, secret string, body []byte) (int, []byte, error) {
	n := c.nodes[i]
	req, err := http.NewRequest(method, n.url+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	if secret != "" {
		signRequest(req, secret, "intruder", body)
	}
	resp, err := n.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// signRequest sets the headers of a worker-to-worker request: X-Raftconnect-Signature is
// base64(HMAC-SHA256(secret, method + "\n" + path + "\n" + timestamp + "\n" + sha256hex(body))).
func signRequest(req *http.Request, secret, node string, body []byte) {
	ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
	sum := sha256.Sum256(body)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(req.Method + "\n" + req.URL.Path + "\n" + ts + "\n" + hex.EncodeToString(sum[:])))
	req.Header.Set("X-Raftconnect-Node", node)
	req.Header.Set("X-Raftconnect-Timestamp", ts)
	req.Header.Set("X-Raftconnect-Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}

// connectorNames reads GET /connectors on node i.
func (c *cluster) connectorNames(i int) ([]string, error) {
	status, body, err := c.nodes[i].try(http.MethodGet, "/connectors", nil)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("GET /connectors = %d %s", status, body)
	}
	var names []string
	err = json.Unmarshal(body, &names)
	sort.Strings(names)
	return names, err
}

// sourceOffsets reads GET /connectors/{name}/offsets of a VerifiableSource on node i: the
// committed seqno per task (source partition {"id": n}).
func (c *cluster) sourceOffsets(i int, name string) (map[int64]int64, error) {
	status, body, err := c.nodes[i].try(http.MethodGet, "/connectors/"+name+"/offsets", nil)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("GET /connectors/%s/offsets = %d %s", name, status, body)
	}
	var offs struct {
		Offsets []struct {
			Partition struct {
				ID int64 `json:"id"`
			} `json:"partition"`
			Offset struct {
				Seqno int64 `json:"seqno"`
			} `json:"offset"`
		} `json:"offsets"`
	}
	if err := json.Unmarshal(body, &offs); err != nil {
		return nil, fmt.Errorf("GET /connectors/%s/offsets: %w: %s", name, err, body)
	}
	out := map[int64]int64{}
	for _, o := range offs.Offsets {
		out[o.Partition.ID] = o.Offset.Seqno
	}
	return out, nil
}

// verifiableSource is the config of a VerifiableSource writing its lines to out.
func verifiableSource(topic, out string, tasks, throughput int) map[string]string {
	return map[string]string{
		"connector.class": "VerifiableSource", "tasks.max": strconv.Itoa(tasks), "topic": topic,
		"throughput": strconv.Itoa(throughput), "output.file": out,
		// Kafka's system test runs the verifiable connectors with JSON: the sink must read the
		// source's numbers back as numbers.
		"key.converter":   "org.apache.kafka.connect.json.JsonConverter",
		"value.converter": "org.apache.kafka.connect.json.JsonConverter",
	}
}

// verifiableSink is the config of a VerifiableSink of topic writing its lines to out.
func verifiableSink(topic, out string, tasks int) map[string]string {
	return map[string]string{
		"connector.class": "VerifiableSink", "tasks.max": strconv.Itoa(tasks), "topics": topic,
		"output.file":     out,
		"key.converter":   "org.apache.kafka.connect.json.JsonConverter",
		"value.converter": "org.apache.kafka.connect.json.JsonConverter",
	}
}

// median of durations (sorted copy); 0 for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// followerWithTasks returns a follower of leader l that runs at least one of the tasks in
// sts, and the number of tasks each worker runs; it fails the test when no follower runs one.
func (c *cluster) followerWithTasks(tb testing.TB, l int, sts map[string]connectorStatus) (int, map[string]int) {
	tb.Helper()
	perWorker := tasksPerWorker(taskPlacement(sts))
	for _, f := range c.followers(l) {
		if perWorker[c.nodes[f].workerID()] > 0 {
			return f, perWorker
		}
	}
	tb.Fatalf("no follower runs a task: %s", describeCounts(perWorker))
	return -1, nil
}
