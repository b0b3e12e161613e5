package raftstore

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkRaftLogAfterOffsetCommits applies 10,000 offset commits (CommitOffsets of one
// partition each, as a source task commits them: fenced, with realistic JSON partitions and
// offsets of file, JDBC and CDC sources, 50 connectors × 2 tasks × 4 partitions) and reports
// what they cost on disk: the bytes of Raft log they wrote (raft-wal preallocates its segment
// files to 64 MiB, so this is the extent up to the last commit frame, less what the log held
// before), the size of state.bin once a snapshot is taken, and the rate. Each commit is its
// own log entry (entry=1: one Apply at a time, each waiting for its own fsync, the worker's
// case when commits do not coincide), or 100 commits form one entry (entry=100), which shows
// what batching saves. single is a one-node store; 3-node a TCP cluster on 127.0.0.1, whose
// leader's log is measured (every node writes the same log).
func BenchmarkRaftLogAfterOffsetCommits(b *testing.B) {
	if testing.Short() {
		b.Skip("writes 10,000 log entries with fsync")
	}
	for _, nodes := range []int{1, 3} {
		for _, batch := range []int{1, 100} {
			name := fmt.Sprintf("single/entry=%d", batch)
			if nodes == 3 {
				name = fmt.Sprintf("3-node/entry=%d", batch)
			}
			b.Run(name, func(b *testing.B) {
				for range b.N {
					sizeRun(b, nodes, batch)
				}
			})
		}
	}
}

const (
	sizeCommits         = 10_000
	sizeConnectors      = 50
	sizeTasks           = 2 // per connector
	sizePartsPerTask    = 2
	sizeWorker          = "127.0.0.1:8083"
	sizeSnapshotTimeout = 30 * time.Second
)

// sizeRun is one run of BenchmarkRaftLogAfterOffsetCommits on a fresh store (or cluster) of
// nodes nodes with batch commits per log entry.
func sizeRun(b *testing.B, nodes, batch int) {
	b.StopTimer()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	stores := openSizeStores(b, ctx, nodes)
	defer func() {
		for _, s := range stores {
			if err := s.Close(); err != nil {
				b.Error(err)
			}
		}
	}()
	l := stores[0]

	// The connectors, their task configs and an assignment to one worker: the fences of the
	// commits carry its epochs, as a worker's do.
	var setup []Command
	tasks := make([]map[string]string, sizeTasks)
	for t := range tasks {
		tasks[t] = map[string]string{"task.id": strconv.Itoa(t)}
	}
	assign := SetAssignments{Connectors: map[string]string{}}
	for c := range sizeConnectors {
		name := sizeConnector(c)
		setup = append(setup,
			PutConnector{Name: name, Config: map[string]string{"connector.class": "io.example.Source", "tasks.max": strconv.Itoa(sizeTasks)}},
			PutTaskConfigs{Name: name, Tasks: tasks})
		assign.Connectors[name] = sizeWorker
		for t := range sizeTasks {
			assign.Tasks = append(assign.Tasks, TaskAssignment{Task: TaskID{name, t}, Worker: sizeWorker})
		}
	}
	applyOK(b, l, setup...)
	applyOK(b, l, assign)
	epochs := l.Assignments().Tasks
	for _, s := range stores[1:] {
		if err := waitIndex(ctx, s, l.LastIndex()); err != nil {
			b.Fatal(err)
		}
	}

	cmds := make([]Command, sizeCommits)
	for i := range cmds {
		c := i % sizeConnectors
		part := (i / sizeConnectors) % (sizeTasks * sizePartsPerTask)
		task := part % sizeTasks
		name := sizeConnector(c)
		p, o := sizeOffset(c, part, i/(sizeConnectors*sizeTasks*sizePartsPerTask))
		cmds[i] = CommitOffsets{
			Connector: name, Task: new(task),
			Fence:   Fence{Worker: sizeWorker, Epoch: epochs[TaskID{name, task}].Epoch},
			Entries: []OffsetEntry{{Partition: json.RawMessage(p), Offset: json.RawMessage(o)}},
		}
	}
	var payload int
	for i := 0; i < len(cmds); i += batch {
		data, err := encodeEntry(cmds[i:min(i+batch, len(cmds))])
		if err != nil {
			b.Fatal(err)
		}
		payload += len(data)
	}

	before := walWritten(b, l.cfg.Dir)
	entries := 0
	start := time.Now()
	b.StartTimer()
	for i := 0; i < len(cmds); i += batch {
		rs, err := l.Apply(ctx, cmds[i:min(i+batch, len(cmds))]...)
		if err != nil {
			b.Fatal(err)
		}
		for j, r := range rs {
			if r.Err != nil {
				b.Fatalf("commit %d: %v", i+j, r.Err)
			}
		}
		entries++
	}
	b.StopTimer()
	took := time.Since(start)
	logBytes := walWritten(b, l.cfg.Dir) - before

	if got := len(l.Snapshot().Offsets[sizeConnector(0)]); got != sizeTasks*sizePartsPerTask {
		b.Fatalf("%s holds %d offsets; want %d", sizeConnector(0), got, sizeTasks*sizePartsPerTask)
	}
	if err := l.raft.Snapshot().Error(); err != nil {
		b.Fatalf("snapshot: %v", err)
	}
	snap, err := verifySnapshots(l.cfg.Dir)
	if err != nil || snap == nil {
		b.Fatalf("newest snapshot: %v %v", snap, err)
	}
	fi, err := os.Stat(filepath.Join(snap.dir, "state.bin"))
	if err != nil {
		b.Fatal(err)
	}

	b.Logf("%d node(s), %d commits in %d entries of %d: %v; log %d bytes (%.0f per commit, %.0f per entry; payload %d bytes), snapshot state.bin %d bytes (snapshot index %d)",
		nodes, sizeCommits, entries, batch, took.Round(time.Millisecond), logBytes,
		float64(logBytes)/sizeCommits, float64(logBytes)/float64(entries), payload, fi.Size(), snap.meta.Index)
	b.ReportMetric(float64(logBytes), "log-B")
	b.ReportMetric(float64(logBytes)/sizeCommits, "log-B/commit")
	b.ReportMetric(float64(fi.Size()), "snapshot-B")
	b.ReportMetric(float64(entries)/took.Seconds(), "entries/s")
	b.ReportMetric(sizeCommits/took.Seconds(), "commits/s")
	b.ReportMetric(0, "ns/op")
}

func sizeConnector(c int) string { return fmt.Sprintf("orders-source-%02d", c) }

// sizeOffset returns the source partition part of connector c and its offset after round
// commits, in the shape of one of three kinds of source: FileStreamSource, a JDBC source and a
// MySQL CDC source.
func sizeOffset(c, part, round int) (partition, offset string) {
	switch c % 3 {
	case 0:
		return fmt.Sprintf(`{"filename":"/var/log/orders/app-%02d-%d.log"}`, c, part),
			fmt.Sprintf(`{"position":%d}`, 1_048_576+round*8_192+part*17)
	case 1:
		return fmt.Sprintf(`{"protocol":"1","table":"sales.public.orders_%02d_%d"}`, c, part),
			fmt.Sprintf(`{"incrementing":%d,"timestamp":%d,"timestamp_nanos":%d}`, 7_000_000+round*25, 1_718_000_000_000+int64(round)*1000, round*1_000_003%1_000_000_000)
	default:
		return fmt.Sprintf(`{"server":"mysql-%02d","shard":%d}`, c, part),
			fmt.Sprintf(`{"ts_sec":%d,"file":"mysql-bin.%06d","pos":%d,"row":1,"gtids":"3e11fa47-71ca-11e1-9e33-c80aa9429562:1-%d"}`,
				1_718_000_000+round, 3+round/1000, 154+round*311, 5000+round)
	}
}

// openSizeStores opens a single-node store, or a 3-node TCP cluster whose first store is the
// leader, and waits until every node has the configuration.
func openSizeStores(b *testing.B, ctx context.Context, n int) []*Store {
	b.Helper()
	if n == 1 {
		return []*Store{openTest(b, b.TempDir())}
	}
	var out []*Store
	open := func(id string, noBootstrap bool) *Store {
		s, err := Open(nodeConfig(id, b.TempDir(), "127.0.0.1:0", noBootstrap, testSecret))
		if err != nil {
			for _, s := range out {
				s.Close()
			}
			b.Fatalf("open %s: %v", id, err)
		}
		out = append(out, s)
		return s
	}
	first := open("n1", false)
	if err := first.WaitForLeader(ctx); err != nil {
		b.Fatal(err)
	}
	for i := 2; i <= n; i++ {
		s := open(fmt.Sprintf("n%d", i), true)
		if err := first.AddVoter(ctx, s.NodeID(), s.Addr()); err != nil {
			b.Fatalf("add %s: %v", s.NodeID(), err)
		}
	}
	if !first.IsLeader() {
		b.Fatal("n1 lost the leadership while the cluster formed")
	}
	return out
}

// walWritten sums, over the raft-wal segment files of the store in dir, the offset just past
// each one's last commit frame: the bytes of log written, where the files' sizes are their
// preallocated 64 MiB.
func walWritten(b *testing.B, dir string) int64 {
	b.Helper()
	segs, err := filepath.Glob(filepath.Join(dir, "wal", "*.wal"))
	if err != nil || len(segs) == 0 {
		b.Fatalf("segments in %s: %v %v", dir, segs, err)
	}
	var total int64
	for _, seg := range segs {
		f, err := os.Open(seg)
		if err != nil {
			b.Fatal(err)
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			b.Fatal(err)
		}
		w := walkFrames(f, 0, fi.Size(), 0)
		f.Close()
		if w.stopWhy != "" {
			b.Fatalf("%s: %s at offset %d", seg, w.stopWhy, w.stop)
		}
		total += w.good
	}
	return total
}
