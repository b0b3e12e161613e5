package raftstore

import (
	"testing"
)

// FuzzDecodeEntry feeds arbitrary bytes to the log entry decoder and
// applies whatever decodes to a state that already holds data: malformed
// input must give an error or per-command errors, never a panic, and the
// state must stay snapshot-able.
//
//	go test -run '^$' -fuzz FuzzDecodeEntry ./raftstore/
func FuzzDecodeEntry(f *testing.F) {
	for _, e := range readGoldenEntries(f) {
		f.Add(e)
	}
	if e, err := encodeEntry(richCommands()); err == nil {
		f.Add(e)
	}
	f.Add([]byte{})
	f.Add([]byte{entryFormatV1})
	f.Add([]byte{entryFormatV1, '{', '}'})
	f.Add(append([]byte{entryFormatV1}, `{"cmds":[{"type":"put_task_configs","v":1,"data":{"name":"src","tasks":[null]}}]}`...))
	f.Add(append([]byte{entryFormatV1}, `{"cmds":[{"type":"commit_offsets","v":1,"data":{"connector":"src","task":-5,"fence":{"epoch":1},"entries":[{}]}}]}`...))
	f.Add(append([]byte{entryFormatV1}, `{"cmds":[null,{"type":"x","v":65535,"ign":true}]}`...))

	f.Fuzz(func(t *testing.T, data []byte) {
		cmds, err := decodeEntry(data)
		if err != nil {
			return
		}
		st := newState()
		for i, c := range richCommands() {
			mustOK(t, st, uint64(i+1), c)
		}
		resp := applyEntry(st, 1000, data)
		if resp.err != nil {
			t.Fatalf("decoded entry failed to apply: %v", resp.err)
		}
		if len(resp.results) != len(cmds) {
			t.Fatalf("%d results for %d commands", len(resp.results), len(cmds))
		}
		snap, err := encodeSnapshot(st)
		if err != nil {
			t.Fatalf("snapshot after apply: %v", err)
		}
		if _, err := decodeSnapshot(snap); err != nil {
			t.Fatalf("restore after apply: %v", err)
		}
	})
}
