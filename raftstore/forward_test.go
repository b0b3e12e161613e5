package raftstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// sentinels are the errors a result's Err may wrap.
var sentinels = []error{ErrNotFound, ErrAlreadyExists, ErrFenced, ErrPreconditionFailed, ErrInvalid, ErrUnknownCommand}

// sameResults fails unless got and want are the same to a caller: same
// fields, same messages, and errors.Is the same for every sentinel.
func sameResults(t *testing.T, what string, got, want []Result) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d results, want %d", what, len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Index != w.Index || g.Created != w.Created || g.Seq != w.Seq || g.TaskGeneration != w.TaskGeneration || g.Skipped != w.Skipped {
			t.Errorf("%s: result %d = %+v, want %+v", what, i, g, w)
		}
		if (g.Err == nil) != (w.Err == nil) {
			t.Errorf("%s: result %d err %v, want %v", what, i, g.Err, w.Err)
			continue
		}
		if w.Err == nil {
			continue
		}
		if g.Err.Error() != w.Err.Error() {
			t.Errorf("%s: result %d message %q, want %q", what, i, g.Err, w.Err)
		}
		for _, s := range sentinels {
			if errors.Is(g.Err, s) != errors.Is(w.Err, s) {
				t.Errorf("%s: result %d: errors.Is(%v, %v) = %v, want %v", what, i, g.Err, s, errors.Is(g.Err, s), errors.Is(w.Err, s))
			}
		}
	}
}

// TestApplyEncodedMatchesApply applies the same batches to two stores, one
// with Apply, the other with EncodeCommands and ApplyEncoded (and its
// results through the wire encoding), and expects the same results and the
// same state.
func TestApplyEncodedMatchesApply(t *testing.T) {
	direct := openTest(t, t.TempDir())
	defer direct.Close()
	forwarded := openTest(t, t.TempDir())
	defer forwarded.Close()
	ctx := context.Background()

	batches := []struct {
		name string
		cmds []Command
		// wantErr is the sentinel each command's result wraps (nil: none).
		wantErr []error
	}{
		{name: "every part of the state", cmds: richCommands()},
		{
			name: "per-command failures",
			cmds: []Command{
				PutConnector{Name: "src", CreateOnly: true},
				DeleteConnector{Name: "nope"},
				PutConnector{Name: "src", IfConfigIndex: 1},
				PutStatuses{Updates: []StatusUpdate{
					{Connector: "src", Task: new(0), State: StatusRunning, Fence: Fence{Worker: "w9", Epoch: 999}},
					{Connector: "nope", State: StatusRunning},
				}},
				PutConnector{Name: ""},
				PutConnector{Name: "new", Config: map[string]string{"a": "b"}},
			},
			wantErr: []error{ErrAlreadyExists, ErrNotFound, ErrPreconditionFailed, ErrFenced, ErrInvalid, nil},
		},
		{
			name: "sequence numbers and task generations",
			cmds: []Command{
				RequestRestart{Connector: "src"},
				PutTaskConfigs{Name: "src", Tasks: []map[string]string{{"n": "0"}}},
				SetTargetState{Name: "src", Target: TargetStopped},
			},
		},
		{name: "empty batch"},
	}
	for _, b := range batches {
		want, err := direct.Apply(ctx, b.cmds...)
		if err != nil {
			t.Fatalf("%s: apply: %v", b.name, err)
		}
		entry, err := EncodeCommands(b.cmds...)
		if err != nil {
			t.Fatalf("%s: encode: %v", b.name, err)
		}
		got, err := forwarded.ApplyEncoded(ctx, entry)
		if err != nil {
			t.Fatalf("%s: apply encoded: %v", b.name, err)
		}
		sameResults(t, b.name, got, want)
		wire, err := EncodeResults(got)
		if err != nil {
			t.Fatalf("%s: encode results: %v", b.name, err)
		}
		decoded, err := DecodeResults(wire)
		if err != nil {
			t.Fatalf("%s: decode results: %v", b.name, err)
		}
		sameResults(t, b.name+" (round trip)", decoded, want)
		for i, w := range b.wantErr {
			if !isErr(decoded[i].Err, w) {
				t.Errorf("%s: command %d: err %v, want %v", b.name, i, decoded[i].Err, w)
			}
		}
	}
	if a, b := direct.Snapshot(), forwarded.Snapshot(); !reflect.DeepEqual(a, b) {
		t.Fatalf("states differ:\napply:          %+v\napply encoded:  %+v", a, b)
	}
}

// TestResultsRoundTrip: results keep every field, their messages and
// errors.Is through EncodeResults and DecodeResults, joined errors
// included.
func TestResultsRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		res  []Result
	}{
		{"none", []Result{}},
		{"ok with every field", []Result{{Index: 7, Created: true, Seq: 3, TaskGeneration: 4}, {Index: 7, Skipped: true}}},
		{"each sentinel", func() []Result {
			var rs []Result
			for _, s := range sentinels {
				rs = append(rs, Result{Index: 9, Err: fmt.Errorf("put connector %q: %w", "c", s)})
			}
			return rs
		}()},
		{"joined", []Result{{Index: 2, Err: errors.Join(
			fmt.Errorf("put status of task c/0: %w", ErrFenced),
			fmt.Errorf("put status of connector d: connector: %w", ErrNotFound))}}},
		{"no sentinel", []Result{{Index: 1, Err: errors.New("boom")}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wire, err := EncodeResults(c.res)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeResults(wire)
			if err != nil {
				t.Fatal(err)
			}
			sameResults(t, c.name, got, c.res)
		})
	}
	for _, bad := range []string{"", "null", "[]", "{", `{"results":"x"}`, `{}`} {
		if _, err := DecodeResults([]byte(bad)); !errors.Is(err, ErrInvalid) {
			t.Errorf("DecodeResults(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}

// TestErrorRoundTrip: a batch error keeps its message and errors.Is.
func TestErrorRoundTrip(t *testing.T) {
	for _, e := range []error{
		nil,
		fmt.Errorf("raftstore: apply: %w (leader %q at %q)", ErrNotLeader, "n1", "127.0.0.1:1"),
		fmt.Errorf("raftstore: apply: %w", ErrLeadershipLost),
		fmt.Errorf("raftstore: apply: %w", context.DeadlineExceeded),
		fmt.Errorf("raftstore: apply: %w", ErrClosed),
		fmt.Errorf("raftstore: apply: %w: bad", ErrInvalid),
	} {
		got := DecodeError(EncodeError(e))
		if (got == nil) != (e == nil) || (e != nil && got.Error() != e.Error()) {
			t.Errorf("round trip of %v = %v", e, got)
			continue
		}
		for _, s := range append(sentinels, ErrNotLeader, ErrLeadershipLost, ErrClosed, context.DeadlineExceeded, context.Canceled) {
			if errors.Is(got, s) != errors.Is(e, s) {
				t.Errorf("round trip of %v: errors.Is(%v) = %v", e, s, errors.Is(got, s))
			}
		}
	}
	if err := DecodeError([]byte("{")); !errors.Is(err, ErrInvalid) {
		t.Errorf("DecodeError of garbage = %v", err)
	}
}

// TestApplyEncodedRefusesBadEntries: an entry that is not one, or holds a
// command that does not decode or is unknown, is refused and writes
// nothing; an ignorable unknown command is skipped as Apply would.
func TestApplyEncodedRefusesBadEntries(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	applyOK(t, s, PutConnector{Name: "c"})
	ctx := context.Background()
	entry := func(js string) []byte { return append([]byte{entryFormatV1}, js...) }
	cases := []struct {
		name  string
		entry []byte
		want  error
	}{
		{"nil", nil, ErrInvalid},
		{"format version", append([]byte{2}, `{"cmds":[]}`...), ErrInvalid},
		{"not JSON", entry("{"), ErrInvalid},
		{"not an envelope", entry(`[1,2]`), ErrInvalid},
		{"payload of the wrong shape", entry(`{"cmds":[{"type":"put_connector","v":1,"data":"x"}]}`), ErrInvalid},
		{"good command then bad", entry(`{"cmds":[{"type":"delete_connector","v":1,"data":{"name":"c"}},{"type":"put_connector","v":1,"data":[]}]}`), ErrInvalid},
		{"unknown type", entry(`{"cmds":[{"type":"future","v":1,"data":{}}]}`), ErrUnknownCommand},
		{"newer version", entry(`{"cmds":[{"type":"delete_connector","v":9,"data":{"name":"c"}}]}`), ErrUnknownCommand},
	}
	for _, c := range cases {
		before := s.Snapshot()
		rs, err := s.ApplyEncoded(ctx, c.entry)
		if !errors.Is(err, c.want) || rs != nil {
			t.Errorf("%s: ApplyEncoded = %v, %v; want %v", c.name, rs, err, c.want)
		}
		if after := s.Snapshot(); !reflect.DeepEqual(before, after) {
			t.Errorf("%s: state changed:\n%+v\n%+v", c.name, before, after)
		}
	}
	rs, err := s.ApplyEncoded(ctx, entry(`{"cmds":[{"type":"future_hint","v":1,"ign":true,"data":{}},{"type":"delete_connector","v":1,"data":{"name":"c"}}]}`))
	if err != nil || len(rs) != 2 || !rs[0].Skipped || rs[1].Err != nil {
		t.Fatalf("ignorable unknown command: %+v %v", rs, err)
	}
	if _, ok := s.Connector("c"); ok {
		t.Fatal("the command after an ignorable one was not applied")
	}
	if _, err := EncodeCommands(CommitOffsets{Connector: "c", Entries: []OffsetEntry{{Partition: json.RawMessage("{"), Offset: json.RawMessage("1")}}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("EncodeCommands of an invalid partition: %v", err)
	}
}

// TestWaitApplied: it returns once the index is applied, and otherwise
// with the context's error or ErrClosed.
func TestWaitApplied(t *testing.T) {
	s := openTest(t, t.TempDir())
	ctx := context.Background()
	idx := s.AppliedIndex()
	if idx != s.LastIndex() {
		t.Fatalf("AppliedIndex %d, LastIndex %d", idx, s.LastIndex())
	}
	if err := s.WaitApplied(ctx, idx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.WaitApplied(ctx, idx+1) }()
	rs := applyOK(t, s, PutConnector{Name: "c"})
	if err := <-done; err != nil || s.AppliedIndex() < rs[0].Index {
		t.Fatalf("wait for the next entry: %v (applied %d, wrote %d)", err, s.AppliedIndex(), rs[0].Index)
	}
	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	if err := s.WaitApplied(short, idx+100); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait for a future index: %v", err)
	}
	go func() { done <- s.WaitApplied(ctx, idx+100) }()
	time.Sleep(10 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("wait across Close: %v", err)
	}
	if err := s.WaitApplied(ctx, idx+100); !errors.Is(err, ErrClosed) {
		t.Fatalf("wait on a closed store: %v", err)
	}
}
