package raftstore

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	wal "github.com/hashicorp/raft-wal"
)

// damageCase damages a closed store's directory; the next Open must fail
// with ErrDamaged and a message holding every string in want.
type damageCase struct {
	name string
	// snapshots: the store takes two snapshots (the second compacts the log)
	// before it is closed.
	snapshots bool
	damage    func(t *testing.T, dir string) (want []string)
	nodeID    string
}

func TestOpenRefusesDamagedStore(t *testing.T) {
	cases := []damageCase{
		{name: "segment truncated to half", damage: func(t *testing.T, dir string) []string {
			seg := tailSegment(t, dir)
			fi := stat(t, seg)
			if err := os.Truncate(seg, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
			return []string{seg, "is truncated", fmt.Sprintf("(%d of %d bytes)", fi.Size()/2, fi.Size()), "restore the data directory from a backup"}
		}},
		{name: "segment truncated inside its data", damage: func(t *testing.T, dir string) []string {
			seg := tailSegment(t, dir)
			end := written(t, seg)
			if err := os.Truncate(seg, end/2); err != nil {
				t.Fatal(err)
			}
			return []string{seg, "is truncated"}
		}},
		{name: "segment with no preallocation left", damage: func(t *testing.T, dir string) []string {
			// Cut exactly after the last commit frame: the frames alone
			// look complete, only the file size shows the loss.
			seg := tailSegment(t, dir)
			if err := os.Truncate(seg, written(t, seg)); err != nil {
				t.Fatal(err)
			}
			return []string{seg, "is truncated"}
		}},
		{name: "bytes flipped at a quarter of the data", damage: flipAt(1, 4)},
		{name: "bytes flipped in the middle of the data", damage: flipAt(1, 2)},
		{name: "bytes flipped at three quarters of the data", damage: flipAt(3, 4)},
		{name: "frame header zeroed in the middle", damage: func(t *testing.T, dir string) []string {
			seg := tailSegment(t, dir)
			at := frameNear(t, seg, written(t, seg)/2)
			writeAt(t, seg, at, make([]byte, frameHeaderLen))
			return []string{seg, "is damaged at byte", "acknowledged writes follow"}
		}},
		{name: "log metadata missing", damage: func(t *testing.T, dir string) []string {
			remove(t, filepath.Join(dir, "wal", "wal-meta.db"))
			return []string{"wal-meta.db is missing"}
		}},
		{name: "snapshot meta.json corrupt", snapshots: true, damage: func(t *testing.T, dir string) []string {
			meta := filepath.Join(newestSnapshot(t, dir), "meta.json")
			b := read(t, meta)
			if err := os.WriteFile(meta, b[:len(b)/2], 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{"raft snapshot metadata " + meta + " is corrupt"}
		}},
		{name: "snapshot meta.json with a changed index", snapshots: true, damage: func(t *testing.T, dir string) []string {
			// Still valid JSON, so only the log shows it is wrong.
			sd := newestSnapshot(t, dir)
			meta := filepath.Join(sd, "meta.json")
			var m map[string]any
			if err := json.Unmarshal(read(t, meta), &m); err != nil {
				t.Fatal(err)
			}
			m["Index"] = m["Index"].(float64) + 1000
			b, _ := json.Marshal(m)
			if err := os.WriteFile(meta, b, 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{"before the newest snapshot " + sd, "the log lost its end"}
		}},
		{name: "snapshot state.bin corrupt", snapshots: true, damage: func(t *testing.T, dir string) []string {
			state := filepath.Join(newestSnapshot(t, dir), "state.bin")
			flipByte(t, state, stat(t, state).Size()/2)
			return []string{"raft snapshot state " + state + " does not match its checksum"}
		}},
		{name: "snapshot state.bin truncated", snapshots: true, damage: func(t *testing.T, dir string) []string {
			state := filepath.Join(newestSnapshot(t, dir), "state.bin")
			if err := os.Truncate(state, stat(t, state).Size()-1); err != nil {
				t.Fatal(err)
			}
			return []string{state, "bytes, its metadata says"}
		}},
		{name: "gap between the newest snapshot and the log", snapshots: true, damage: func(t *testing.T, dir string) []string {
			// Without the newest snapshot the older one is the newest, and
			// the log (compacted by the newer one) no longer follows it.
			remove(t, newestSnapshot(t, dir))
			return []string{"starts at entry", "the newest snapshot", "are missing"}
		}},
		{name: "log without its snapshots", snapshots: true, damage: func(t *testing.T, dir string) []string {
			remove(t, filepath.Join(dir, "snapshots"))
			return []string{"starts at entry", "there is no snapshot holding entries 1 to"}
		}},
		{name: "node id not in the configuration", nodeID: "w2", damage: func(t *testing.T, dir string) []string {
			return []string{`this node's id "w2" is not a member of the Raft cluster stored in ` + dir, `members: "w1"`, "node-id file"}
		}},
		{name: "node id not in the snapshot's configuration", snapshots: true, nodeID: "w2", damage: func(t *testing.T, dir string) []string {
			return []string{`"w2" is not a member`, `members: "w1"`}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			fillStore(t, dir, 40, tc.snapshots)
			want := tc.damage(t, dir)
			id := cmp.Or(tc.nodeID, "w1")
			began := time.Now()
			s, err := Open(Config{Dir: dir, NodeID: id, Logger: quietLogger()})
			if err == nil {
				s.Close()
				t.Fatal("damaged store opened")
			}
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("error is not ErrDamaged: %v", err)
			}
			for _, w := range want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if d := time.Since(began); d > 5*time.Second {
				t.Errorf("refusal took %v", d)
			}
			t.Logf("%v", err)
			// The refusal released everything: a repaired store opens.
			if _, err := lockDir(dir); err != nil {
				t.Fatalf("lock still held after refusal: %v", err)
			}
		})
	}
}

func TestOpenRefusesSecondProcessAtOnce(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	applyOK(t, s, PutConnector{Name: "a"})

	began := time.Now()
	s2, err := Open(Config{Dir: dir, NodeID: "w1", Logger: quietLogger()})
	if err == nil {
		s2.Close()
		t.Fatal("second open of one directory succeeded")
	}
	if d := time.Since(began); d > time.Second {
		t.Errorf("refusal took %v", d)
	}
	want := fmt.Sprintf("data directory %s is in use by another worker process (pid %d)", dir, os.Getpid())
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want ErrInUse with %q", err, want)
	}
	// The first store is unharmed.
	applyOK(t, s, PutConnector{Name: "b"})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir)
	defer s.Close()
	if got := s.ConnectorNames(); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("connectors %v", got)
	}
}

// TestOpenAfterCrash opens copies of a store's directory taken while it was
// open (what a crash leaves), with the kinds of unfinished write a crash
// during an append leaves after the last commit.
func TestOpenAfterCrash(t *testing.T) {
	for _, tc := range []struct {
		name      string
		snapshots bool
		torn      func(t *testing.T, seg string, at int64)
	}{
		{name: "nothing unfinished"},
		{name: "nothing unfinished, after snapshots", snapshots: true},
		{name: "entry frames without a commit", torn: func(t *testing.T, seg string, at int64) {
			writeAt(t, seg, at, slices.Concat(entryFrame(100), entryFrame(30)[:20]))
		}},
		{name: "a batch whose checksum does not match", torn: func(t *testing.T, seg string, at int64) {
			b := entryFrame(64)
			writeAt(t, seg, at, slices.Concat(b, commitFrame(crc32.Checksum(b, castagnoli)^1)))
		}},
		{name: "a torn frame header", torn: func(t *testing.T, seg string, at int64) {
			writeAt(t, seg, at, []byte{1, 0, 7, 0, 0xff, 0xff})
		}},
		{name: "leftovers of an earlier unfinished write", torn: func(t *testing.T, seg string, at int64) {
			// A crash left a long unfinished write; after a restart a
			// shorter batch was written over its start and acknowledged.
			old := slices.Concat(entryFrame(200), entryFrame(200), entryFrame(200))
			writeAt(t, seg, at, old)
			b := entryFrame(40)
			writeAt(t, seg, at, slices.Concat(b, commitFrame(crc32.Checksum(b, castagnoli)^0xdead)))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := fillOpenStore(t, dir, 40, tc.snapshots)
			want := s.Snapshot()
			crashed := t.TempDir()
			copyDir(t, dir, crashed)
			s.Close()
			if tc.torn != nil {
				seg := tailSegment(t, crashed)
				tc.torn(t, seg, written(t, seg))
			}
			s2 := openTest(t, crashed)
			defer s2.Close()
			got := s2.Snapshot()
			if got.Index < want.Index || !slices.Equal(got.ConnectorNames(), want.ConnectorNames()) {
				t.Fatalf("after the crash: index %d connectors %v, before: index %d connectors %v",
					got.Index, got.ConnectorNames(), want.Index, want.ConnectorNames())
			}
			// And it keeps working: the unfinished bytes are overwritten.
			applyOK(t, s2, PutConnector{Name: "after-crash"})
			s2.Close()
			s3 := openTest(t, crashed)
			defer s3.Close()
			if _, ok := s3.Connector("after-crash"); !ok {
				t.Fatal("write after the crash lost on reopen")
			}
		})
	}
}

// TestOpenVerifyTime measures Open on a log of about 20,000 entries (the
// log is bounded by snapshots: 8192 new entries trigger one, 10240 are
// kept behind it).
func TestOpenVerifyTime(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 20,000 entries")
	}
	dir := t.TempDir()
	s := openTest(t, dir, func(c *Config) { c.SnapshotThreshold = 1 << 30 })
	const n, writers = 20000, 64
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := w; i < n; i += writers {
				_, err := s.Apply(t.Context(), CommitOffsets{Connector: "c", Entries: []OffsetEntry{{
					Partition: []byte(fmt.Sprintf(`{"p":%d}`, i%500)), Offset: []byte(fmt.Sprintf(`{"o":%d}`, i)),
				}}})
				if err != nil {
					errc <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	last := s.LastIndex()
	s.Close()

	began := time.Now()
	s2, err := Open(Config{Dir: dir, NodeID: "w1", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	opened := time.Since(began)
	if err := s2.WaitForLeader(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := s2.LastIndex(); got < last {
		t.Fatalf("reopened at index %d, had %d", got, last)
	}
	s2.Close()
	snap, _ := verifySnapshots(dir)
	files, entries := timeVerify(t, dir, snap)
	t.Logf("Open of a log of %d entries (%d segment files): %v, of which checking the segment files %v and reading every entry %v",
		last, len(glob(t, filepath.Join(dir, "wal", "*.wal"))), opened, files, entries)
}

// timeVerify times the checks on a closed store: the segment files, and
// reading every entry through raft-wal.
func timeVerify(t *testing.T, dir string, snap *snapshotInfo) (files, entries time.Duration) {
	t.Helper()
	began := time.Now()
	if err := verifyWALFiles(quietLogger(), filepath.Join(dir, "wal"), snap != nil); err != nil {
		t.Fatal(err)
	}
	files = time.Since(began)
	l, err := wal.Open(filepath.Join(dir, "wal"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	began = time.Now()
	if _, err := verifyLog(l, dir, 0); err != nil {
		t.Fatal(err)
	}
	return files, time.Since(began)
}

// fillStore writes n entries (and snapshots) to a new store in dir and
// closes it.
func fillStore(t *testing.T, dir string, n int, snapshots bool) {
	t.Helper()
	if err := fillOpenStore(t, dir, n, snapshots).Close(); err != nil {
		t.Fatal(err)
	}
}

func fillOpenStore(t *testing.T, dir string, n int, snapshots bool) *Store {
	t.Helper()
	s := openTest(t, dir, func(c *Config) {
		c.TrailingLogs = 2 // so a snapshot compacts the log
		c.SnapshotThreshold = 1 << 30
		c.SnapshotInterval = time.Hour
	})
	for i := range n {
		applyOK(t, s, PutConnector{Name: fmt.Sprintf("c%02d", i), Config: map[string]string{"k": strings.Repeat("v", i)}})
		if snapshots && (i == n/3 || i == 2*n/3) {
			if err := s.raft.Snapshot().Error(); err != nil {
				t.Fatalf("snapshot: %v", err)
			}
		}
	}
	return s
}

func glob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(m)
	return m
}

func tailSegment(t *testing.T, dir string) string {
	t.Helper()
	segs := glob(t, filepath.Join(dir, "wal", "*.wal"))
	if len(segs) == 0 {
		t.Fatalf("no segment in %s", dir)
	}
	return segs[len(segs)-1]
}

func newestSnapshot(t *testing.T, dir string) string {
	t.Helper()
	snap, err := verifySnapshots(dir)
	if err != nil || snap == nil {
		t.Fatalf("newest snapshot: %v %v", snap, err)
	}
	return snap.dir
}

// written returns the offset just past the segment's last good commit.
func written(t *testing.T, seg string) int64 {
	t.Helper()
	f, err := os.Open(seg)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := walkFrames(f, 0, stat(t, seg).Size(), 0)
	if w.commits < 10 {
		t.Fatalf("%s has %d commits", seg, w.commits)
	}
	return w.good
}

// frameNear returns the offset of the first frame header at or after off.
func frameNear(t *testing.T, seg string, off int64) int64 {
	t.Helper()
	f, err := os.Open(seg)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	at := int64(segHeaderLen)
	var hb [frameHeaderLen]byte
	for at < off {
		if _, err := f.ReadAt(hb[:], at); err != nil {
			t.Fatal(err)
		}
		at += frameHeaderLen
		if hb[0] != frameCommit {
			n := int64(binary.LittleEndian.Uint32(hb[4:]))
			at += n + (frameHeaderLen-n%frameHeaderLen)%frameHeaderLen
		}
	}
	return at
}

func flipAt(num, den int64) func(t *testing.T, dir string) []string {
	return func(t *testing.T, dir string) []string {
		seg := tailSegment(t, dir)
		flipByte(t, seg, written(t, seg)*num/den)
		return []string{seg, "is damaged at byte", "acknowledged writes follow", "restore the data directory from a backup"}
	}
}

func flipByte(t *testing.T, path string, at int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := []byte{0}
	if _, err := f.ReadAt(b, at); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x5a
	if _, err := f.WriteAt(b, at); err != nil {
		t.Fatal(err)
	}
}

func writeAt(t *testing.T, path string, at int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, at); err != nil {
		t.Fatal(err)
	}
}

// entryFrame is an entry frame with an n-byte payload, padded.
func entryFrame(n int) []byte {
	b := make([]byte, frameHeaderLen+n+(frameHeaderLen-n%frameHeaderLen)%frameHeaderLen)
	b[0] = frameEntry
	binary.LittleEndian.PutUint32(b[4:], uint32(n))
	for i := range n {
		b[frameHeaderLen+i] = byte(i*7 + 1)
	}
	return b
}

func commitFrame(crc uint32) []byte {
	b := make([]byte, frameHeaderLen)
	b[0] = frameCommit
	binary.LittleEndian.PutUint32(b[4:], crc)
	return b
}

func stat(t *testing.T, path string) fs.FileInfo {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func remove(t *testing.T, path string) {
	t.Helper()
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
}

// copyDir copies src to dst, keeping segment files at their full size.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
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
		t.Fatal(err)
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

// TestOpenChecksSealedSegments fills several small segments: a clean
// reopen works, and damage to a sealed (not the last) segment is refused.
func TestOpenChecksSealedSegments(t *testing.T) {
	const segSize = 16 << 10
	fill := func(t *testing.T) string {
		dir := t.TempDir()
		s := openTest(t, dir, func(c *Config) { c.segmentSize = segSize })
		for i := range 120 {
			applyOK(t, s, PutConnector{Name: fmt.Sprintf("c%03d", i), Config: map[string]string{"k": strings.Repeat("v", 200)}})
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if segs := glob(t, filepath.Join(dir, "wal", "*.wal")); len(segs) < 3 {
			t.Fatalf("only %d segments", len(segs))
		}
		return dir
	}
	open := func(dir string) (*Store, error) {
		return Open(Config{Dir: dir, NodeID: "w1", Logger: quietLogger(), segmentSize: segSize})
	}

	t.Run("clean reopen", func(t *testing.T) {
		dir := fill(t)
		s := openTest(t, dir, func(c *Config) { c.segmentSize = segSize })
		defer s.Close()
		if n := len(s.ConnectorNames()); n != 120 {
			t.Fatalf("%d connectors after reopen", n)
		}
	})
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, seg string)
		want   string
	}{
		{"truncated", func(t *testing.T, seg string) {
			if err := os.Truncate(seg, stat(t, seg).Size()-100); err != nil {
				t.Fatal(err)
			}
		}, "is truncated"},
		{"bytes flipped", func(t *testing.T, seg string) {
			flipByte(t, seg, stat(t, seg).Size()/2)
		}, "is damaged at byte"},
		{"removed", func(t *testing.T, seg string) { remove(t, seg) }, "is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := fill(t)
			seg := glob(t, filepath.Join(dir, "wal", "*.wal"))[1]
			tc.damage(t, seg)
			s, err := open(dir)
			if err == nil {
				s.Close()
				t.Fatal("damaged store opened")
			}
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), seg) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want ErrDamaged naming %s and %q", err, seg, tc.want)
			}
			t.Log(err)
		})
	}
}
