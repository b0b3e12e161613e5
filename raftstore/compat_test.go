package raftstore

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// readGoldenEntries returns the log entries of testdata/entries_v1.jsonl:
// entries as version 1 of this package writes them, some with optional
// fields left out as an older writer would. They must decode forever.
func readGoldenEntries(t testing.TB) [][]byte {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "entries_v1.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			out = append(out, append([]byte{entryFormatV1}, line...))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGoldenEntriesDecode checks that stored version-1 entries still decode
// and apply to the same state, and that the snapshot of that state (also a
// golden file) still restores to it.
func TestGoldenEntriesDecode(t *testing.T) {
	st := newState()
	for i, e := range readGoldenEntries(t) {
		resp := applyEntry(st, uint64(i+1), e)
		st.Index = uint64(i + 1)
		if resp.err != nil {
			t.Fatalf("entry %d: %v", i+1, resp.err)
		}
		for j, r := range resp.results {
			if r.Err != nil {
				t.Fatalf("entry %d command %d: %v", i+1, j, r.Err)
			}
		}
	}
	if st.Workers["w1"].RestURL != "http://w1:8083" || st.Connectors["sink"].Target != TargetStopped ||
		st.TaskStatuses[TaskID{"src", 0}].Epoch != 4 || len(st.Offsets["src"]) != 1 || st.RestartSeq != 1 {
		t.Fatalf("unexpected state %+v", st)
	}

	snap, err := encodeSnapshot(st)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "snapshot_v1.json")
	if *update {
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, snap, "", "  "); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, append(pretty.Bytes(), '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	restored, err := decodeSnapshot(want)
	if err != nil {
		t.Fatal(err)
	}
	// Snapshots written before ConfigIndex existed lack it; their config version is the
	// creation index, which is what replaying the same entries gives.
	for _, s := range []*State{restored, st} {
		for n, c := range s.Connectors {
			c.ConfigIndex = c.ConfigVersion()
			s.Connectors[n] = c
		}
	}
	if !reflect.DeepEqual(restored, st) {
		t.Fatalf("golden snapshot restores to\n%+v\nwant\n%+v", restored, st)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	f := newFSM()
	for i, c := range richCommands() {
		mustOK(t, f.st, uint64(i+1), c)
	}
	snap, err := f.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	if err := snap.Persist(sink); err != nil {
		t.Fatal(err)
	}
	snap.Release()

	g := newFSM()
	mustOK(t, g.st, 1, PutConnector{Name: "to-be-replaced"})
	ch, cancel := g.notify.subscribe()
	defer cancel()
	if err := g.Restore(sink.reader()); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g.st, f.st) {
		t.Fatalf("restored\n%+v\nwant\n%+v", g.st, f.st)
	}
	select {
	case <-ch:
	default:
		t.Fatal("restore did not notify")
	}
}

func TestSnapshotRejectsUnknownFormat(t *testing.T) {
	for _, data := range []string{`{"format":2}`, `{}`, `nope`} {
		if _, err := decodeSnapshot([]byte(data)); err == nil {
			t.Errorf("%s: no error", data)
		}
	}
}
