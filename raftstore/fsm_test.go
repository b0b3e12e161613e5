package raftstore

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/hashicorp/raft"
)

func target(t TargetState) *TargetState { return &t }

// Setup commands of applyCases run one entry each at indexes 1, 2, ...;
// the command under test runs at applyIndex.
const applyIndex = 100

var (
	putC1      = PutConnector{Name: "c1", Config: map[string]string{"k": "v"}}
	twoTasks   = PutTaskConfigs{Name: "c1", Tasks: []map[string]string{{"t": "0"}, {"t": "1"}}}
	assignC1W1 = SetAssignments{
		Connectors: map[string]string{"c1": "w1"},
		Tasks:      []TaskAssignment{{Task: TaskID{"c1", 0}, Worker: "w1"}, {Task: TaskID{"c1", 1}, Worker: "w2"}},
	}
)

type applyCase struct {
	name    string
	setup   []Command
	cmd     Command
	wantErr error
	check   func(t *testing.T, st *State, r Result)
}

func runApplyCases(t *testing.T, cases []applyCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newState()
			for i, c := range tc.setup {
				mustOK(t, st, uint64(i+1), c)
			}
			r := applyTo(t, st, applyIndex, tc.cmd)[0]
			if !isErr(r.Err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", r.Err, tc.wantErr)
			}
			if r.Index != applyIndex {
				t.Errorf("result index = %d", r.Index)
			}
			if tc.check != nil {
				tc.check(t, st, r)
			}
		})
	}
}

func TestApplyConnectors(t *testing.T) {
	runApplyCases(t, []applyCase{
		{
			name: "create defaults to STARTED",
			cmd:  putC1,
			check: func(t *testing.T, st *State, r Result) {
				c := st.Connectors["c1"]
				if !r.Created || c.Target != TargetStarted || c.Config["k"] != "v" || c.CreatedIndex != applyIndex || c.UpdatedIndex != applyIndex {
					t.Fatalf("result %+v, connector %+v", r, c)
				}
			},
		},
		{
			name: "create with target",
			cmd:  PutConnector{Name: "c1", Target: target(TargetPaused)},
			check: func(t *testing.T, st *State, r Result) {
				if c := st.Connectors["c1"]; c.Target != TargetPaused || c.Config == nil {
					t.Fatalf("connector %+v", c)
				}
			},
		},
		{
			name:    "create-only duplicate",
			setup:   []Command{putC1},
			cmd:     PutConnector{Name: "c1", Config: map[string]string{"k": "other"}, CreateOnly: true},
			wantErr: ErrAlreadyExists,
			check: func(t *testing.T, st *State, r Result) {
				if st.Connectors["c1"].Config["k"] != "v" {
					t.Fatal("config changed by a failed create")
				}
			},
		},
		{
			name:  "update keeps target, tasks and created index",
			setup: []Command{PutConnector{Name: "c1", Target: target(TargetPaused)}, twoTasks},
			cmd:   PutConnector{Name: "c1", Config: map[string]string{"k": "new"}},
			check: func(t *testing.T, st *State, r Result) {
				c := st.Connectors["c1"]
				if r.Created || c.Target != TargetPaused || c.Config["k"] != "new" || len(c.Tasks) != 2 ||
					c.CreatedIndex != 1 || c.UpdatedIndex != applyIndex {
					t.Fatalf("result %+v, connector %+v", r, c)
				}
			},
		},
		{name: "empty name", cmd: PutConnector{}, wantErr: ErrInvalid},
		{name: "bad target", cmd: PutConnector{Name: "c1", Target: target("RUNNING")}, wantErr: ErrInvalid},
		{
			name: "delete removes all but offsets",
			setup: []Command{
				putC1, twoTasks, assignC1W1,
				PutStatuses{Updates: []StatusUpdate{{Connector: "c1", State: StatusRunning}, {Connector: "c1", Task: new(0), State: StatusRunning}}},
				CommitOffsets{Connector: "c1", Entries: []OffsetEntry{{Partition: json.RawMessage(`{"p":1}`), Offset: json.RawMessage(`5`)}}},
				RequestRestart{Connector: "c1"},
				PutConnector{Name: "c2"},
				PutStatuses{Updates: []StatusUpdate{{Connector: "c2", Task: new(0), State: StatusRunning}}},
			},
			cmd: DeleteConnector{Name: "c1"},
			check: func(t *testing.T, st *State, r Result) {
				if _, ok := st.Connectors["c1"]; ok {
					t.Error("connector still there")
				}
				if len(st.ConnectorStatuses) != 0 || len(st.TaskStatuses) != 1 || len(st.ConnectorAssignments) != 0 ||
					len(st.TaskAssignments) != 0 || len(st.Restarts) != 0 {
					t.Errorf("leftovers: %+v", st)
				}
				if len(st.Offsets["c1"]) != 1 {
					t.Errorf("offsets were deleted: %v", st.Offsets)
				}
			},
		},
		{name: "delete unknown", cmd: DeleteConnector{Name: "nope"}, wantErr: ErrNotFound},
	})
}

func TestApplyTargetStateAndTasks(t *testing.T) {
	runApplyCases(t, []applyCase{
		{
			name:  "pause keeps tasks",
			setup: []Command{putC1, twoTasks},
			cmd:   SetTargetState{Name: "c1", Target: TargetPaused},
			check: func(t *testing.T, st *State, r Result) {
				c := st.Connectors["c1"]
				if c.Target != TargetPaused || len(c.Tasks) != 2 || c.TaskGeneration != 1 || r.TaskGeneration != 1 {
					t.Fatalf("connector %+v result %+v", c, r)
				}
			},
		},
		{
			name:  "stop empties tasks and bumps generation",
			setup: []Command{putC1, twoTasks},
			cmd:   SetTargetState{Name: "c1", Target: TargetStopped},
			check: func(t *testing.T, st *State, r Result) {
				c := st.Connectors["c1"]
				if c.Target != TargetStopped || c.Tasks == nil || len(c.Tasks) != 0 || c.TaskGeneration != 2 || r.TaskGeneration != 2 {
					t.Fatalf("connector %+v result %+v", c, r)
				}
			},
		},
		{
			name:  "stop twice does not bump again",
			setup: []Command{putC1, twoTasks, SetTargetState{Name: "c1", Target: TargetStopped}},
			cmd:   SetTargetState{Name: "c1", Target: TargetStopped},
			check: func(t *testing.T, st *State, r Result) {
				if g := st.Connectors["c1"].TaskGeneration; g != 2 {
					t.Fatalf("generation %d", g)
				}
			},
		},
		{name: "target of unknown", cmd: SetTargetState{Name: "x", Target: TargetPaused}, wantErr: ErrNotFound},
		{name: "invalid target", setup: []Command{putC1}, cmd: SetTargetState{Name: "c1", Target: "x"}, wantErr: ErrInvalid},
		{
			name:  "task configs bump generation every write",
			setup: []Command{putC1, twoTasks},
			cmd:   PutTaskConfigs{Name: "c1", Tasks: []map[string]string{{"t": "only"}, nil}},
			check: func(t *testing.T, st *State, r Result) {
				c := st.Connectors["c1"]
				if c.TaskGeneration != 2 || r.TaskGeneration != 2 || c.Tasks[0]["t"] != "only" || c.Tasks[1] == nil || c.UpdatedIndex != applyIndex {
					t.Fatalf("connector %+v", c)
				}
			},
		},
		{name: "task configs of unknown", cmd: twoTasks, wantErr: ErrNotFound},
	})
}

func TestApplyStatusesAndFencing(t *testing.T) {
	assigned := []Command{putC1, twoTasks, assignC1W1} // assignment at index 3
	runApplyCases(t, []applyCase{
		{
			name:  "connector and task statuses",
			setup: []Command{putC1},
			cmd: PutStatuses{Updates: []StatusUpdate{
				{Connector: "c1", State: StatusRunning, Worker: "w1"},
				{Connector: "c1", Task: new(0), State: StatusFailed, Trace: "boom", Worker: "w2"},
				{Connector: "c1", Task: new(-1), State: StatusPaused, Worker: "w1"}, // -1 = connector
			}},
			check: func(t *testing.T, st *State, r Result) {
				want := ConnectorStatuses{
					Connector: &Status{State: StatusPaused, WorkerID: "w1", Index: applyIndex},
					Tasks:     map[int]Status{0: {State: StatusFailed, Trace: "boom", WorkerID: "w2", Index: applyIndex}},
				}
				if got := st.StatusesOf("c1"); !reflect.DeepEqual(got, want) {
					t.Fatalf("got %+v, want %+v", got, want)
				}
			},
		},
		{name: "status of unknown connector", cmd: PutStatuses{Updates: []StatusUpdate{{Connector: "x", State: StatusRunning}}}, wantErr: ErrNotFound},
		{name: "empty state", setup: []Command{putC1}, cmd: PutStatuses{Updates: []StatusUpdate{{Connector: "c1"}}}, wantErr: ErrInvalid},
		{
			name:  "fence accepted",
			setup: assigned,
			cmd:   PutStatuses{Updates: []StatusUpdate{{Connector: "c1", Task: new(1), State: StatusRunning, Fence: Fence{Worker: "w2", Epoch: 3}}}},
			check: func(t *testing.T, st *State, r Result) {
				s := st.TaskStatuses[TaskID{"c1", 1}]
				if s.WorkerID != "w2" || s.Epoch != 3 {
					t.Fatalf("status %+v", s)
				}
			},
		},
		{
			name:    "fence on wrong epoch rejected",
			setup:   assigned,
			cmd:     PutStatuses{Updates: []StatusUpdate{{Connector: "c1", Task: new(1), State: StatusRunning, Fence: Fence{Worker: "w2", Epoch: 2}}}},
			wantErr: ErrFenced,
		},
		{
			name:    "fence of other worker rejected",
			setup:   assigned,
			cmd:     PutStatuses{Updates: []StatusUpdate{{Connector: "c1", State: StatusRunning, Fence: Fence{Worker: "w2", Epoch: 3}}}},
			wantErr: ErrFenced,
		},
		{
			name:    "fence of unassigned task rejected",
			setup:   assigned,
			cmd:     PutStatuses{Updates: []StatusUpdate{{Connector: "c1", Task: new(7), State: StatusRunning, Fence: Fence{Worker: "w1", Epoch: 3}}}},
			wantErr: ErrFenced,
		},
		{
			name:  "one fenced update does not block the others",
			setup: assigned,
			cmd: PutStatuses{Updates: []StatusUpdate{
				{Connector: "c1", Task: new(0), State: StatusRunning, Fence: Fence{Worker: "zombie", Epoch: 3}},
				{Connector: "c1", Task: new(1), State: StatusRunning, Fence: Fence{Worker: "w2", Epoch: 3}},
			}},
			wantErr: ErrFenced,
			check: func(t *testing.T, st *State, r Result) {
				if _, ok := st.TaskStatuses[TaskID{"c1", 0}]; ok {
					t.Error("fenced status written")
				}
				if _, ok := st.TaskStatuses[TaskID{"c1", 1}]; !ok {
					t.Error("valid status not written")
				}
			},
		},
		{
			name: "delete task statuses from n",
			setup: []Command{putC1, PutStatuses{Updates: []StatusUpdate{
				{Connector: "c1", State: StatusRunning},
				{Connector: "c1", Task: new(0), State: StatusRunning},
				{Connector: "c1", Task: new(1), State: StatusRunning},
				{Connector: "c1", Task: new(2), State: StatusRunning},
			}}},
			cmd: DeleteTaskStatuses{Connector: "c1", From: 1},
			check: func(t *testing.T, st *State, r Result) {
				got := st.StatusesOf("c1")
				if got.Connector == nil || len(got.Tasks) != 1 {
					t.Fatalf("statuses %+v", got)
				}
			},
		},
		{name: "delete task statuses of unknown", cmd: DeleteTaskStatuses{Connector: "x"}, wantErr: ErrNotFound},
	})
}

func TestApplyAssignments(t *testing.T) {
	runApplyCases(t, []applyCase{
		{
			name:  "epoch is the index of the last owner change",
			setup: []Command{putC1, twoTasks, assignC1W1}, // assigned at index 3
			cmd: SetAssignments{
				Connectors: map[string]string{"c1": "w1", "gone": "w1"},
				Tasks: []TaskAssignment{
					{Task: TaskID{"c1", 0}, Worker: "w1"}, // unchanged
					{Task: TaskID{"c1", 1}, Worker: "w3"}, // moved
					{Task: TaskID{"c1", 2}, Worker: "w3"}, // new
					{Task: TaskID{"gone", 0}, Worker: "w3"},
				},
			},
			check: func(t *testing.T, st *State, r Result) {
				wantConns := map[string]Assignment{"c1": {"w1", 3}}
				wantTasks := map[TaskID]Assignment{
					{"c1", 0}: {"w1", 3},
					{"c1", 1}: {"w3", applyIndex},
					{"c1", 2}: {"w3", applyIndex},
				}
				if !reflect.DeepEqual(st.ConnectorAssignments, wantConns) || !reflect.DeepEqual(st.TaskAssignments, wantTasks) {
					t.Fatalf("got %v %v", st.ConnectorAssignments, st.TaskAssignments)
				}
			},
		},
		{
			name:  "whole assignment is replaced",
			setup: []Command{putC1, twoTasks, assignC1W1},
			cmd:   SetAssignments{},
			check: func(t *testing.T, st *State, r Result) {
				if len(st.ConnectorAssignments)+len(st.TaskAssignments) != 0 {
					t.Fatalf("got %v %v", st.ConnectorAssignments, st.TaskAssignments)
				}
			},
		},
	})
}

func TestApplyOffsets(t *testing.T) {
	part := func(s string) json.RawMessage { return json.RawMessage(s) }
	commit := func(entries ...OffsetEntry) CommitOffsets { return CommitOffsets{Connector: "c1", Entries: entries} }
	runApplyCases(t, []applyCase{
		{
			name:  "canonical partition key",
			setup: []Command{putC1, commit(OffsetEntry{part(`{"topic":"a", "partition":1}`), part(`{"pos": 1}`)})},
			cmd:   commit(OffsetEntry{part(`{ "partition" : 1 , "topic" : "a" }`), part(`{"pos":2}`)}),
			check: func(t *testing.T, st *State, r Result) {
				want := map[string]json.RawMessage{`{"partition":1,"topic":"a"}`: part(`{"pos":2}`)}
				if !reflect.DeepEqual(st.Offsets["c1"], want) {
					t.Fatalf("offsets %s", st.Offsets["c1"])
				}
			},
		},
		{
			name:  "large numbers are not rounded",
			setup: []Command{putC1},
			cmd:   commit(OffsetEntry{part(`{"id":12345678901234567891,"f":"<&>"}`), part(`18446744073709551615`)}),
			check: func(t *testing.T, st *State, r Result) {
				if o := st.Offsets["c1"][`{"f":"<&>","id":12345678901234567891}`]; string(o) != "18446744073709551615" {
					t.Fatalf("offsets %s", st.Offsets["c1"])
				}
			},
		},
		{
			name:  "null offset deletes",
			setup: []Command{putC1, commit(OffsetEntry{part(`{"p":1}`), part(`1`)}, OffsetEntry{part(`{"p":2}`), part(`2`)})},
			cmd:   commit(OffsetEntry{part(`{"p":1}`), part(`null`)}, OffsetEntry{part(`{"p":3}`), nil}),
			check: func(t *testing.T, st *State, r Result) {
				if len(st.Offsets["c1"]) != 1 || string(st.Offsets["c1"][`{"p":2}`]) != "2" {
					t.Fatalf("offsets %s", st.Offsets["c1"])
				}
			},
		},
		{
			name:  "deleting the last offset drops the connector entry",
			setup: []Command{putC1, commit(OffsetEntry{part(`{"p":1}`), part(`1`)})},
			cmd:   commit(OffsetEntry{part(`{"p":1}`), part(`null`)}),
			check: func(t *testing.T, st *State, r Result) {
				if _, ok := st.Offsets["c1"]; ok {
					t.Fatal("empty offsets map kept")
				}
			},
		},
		{
			name:    "null partition rejects the whole command",
			setup:   []Command{putC1},
			cmd:     commit(OffsetEntry{part(`{"p":1}`), part(`1`)}, OffsetEntry{nil, part(`2`)}),
			wantErr: ErrInvalid,
			check: func(t *testing.T, st *State, r Result) {
				if len(st.Offsets) != 0 {
					t.Fatalf("partial write: %v", st.Offsets)
				}
			},
		},
		{name: "unknown connector", cmd: commit(OffsetEntry{part(`{}`), part(`1`)}), wantErr: ErrNotFound},
		{
			name:  "fenced commit accepted",
			setup: []Command{putC1, twoTasks, assignC1W1},
			cmd:   CommitOffsets{Connector: "c1", Task: new(0), Fence: Fence{"w1", 3}, Entries: []OffsetEntry{{part(`{}`), part(`1`)}}},
		},
		{
			name:    "zombie commit rejected",
			setup:   []Command{putC1, twoTasks, assignC1W1},
			cmd:     CommitOffsets{Connector: "c1", Task: new(1), Fence: Fence{"w1", 3}, Entries: []OffsetEntry{{part(`{}`), part(`1`)}}},
			wantErr: ErrFenced,
		},
		{
			name: "offsets survive delete and recreate",
			setup: []Command{
				putC1, commit(OffsetEntry{part(`{"p":1}`), part(`7`)}),
				DeleteConnector{Name: "c1"}, putC1,
			},
			cmd: commit(OffsetEntry{part(`{"p":2}`), part(`8`)}),
			check: func(t *testing.T, st *State, r Result) {
				got := st.OffsetsOf("c1")
				want := []OffsetEntry{{part(`{"p":1}`), part(`7`)}, {part(`{"p":2}`), part(`8`)}}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("got %s", got)
				}
			},
		},
	})
}

func TestApplyRestartsAndWorkers(t *testing.T) {
	runApplyCases(t, []applyCase{
		{
			name:  "restart seq increases and the latest request per connector wins",
			setup: []Command{putC1, PutConnector{Name: "c2"}, RequestRestart{Connector: "c1"}, RequestRestart{Connector: "c2"}},
			cmd:   RequestRestart{Connector: "c1", OnlyFailed: true, IncludeTasks: true},
			check: func(t *testing.T, st *State, r Result) {
				if r.Seq != 3 || st.RestartSeq != 3 {
					t.Fatalf("seq %d / %d", r.Seq, st.RestartSeq)
				}
				want := RestartRequest{Seq: 3, Connector: "c1", OnlyFailed: true, IncludeTasks: true, Index: applyIndex}
				if st.Restarts["c1"] != want || st.Restarts["c2"].Seq != 2 {
					t.Fatalf("restarts %+v", st.Restarts)
				}
			},
		},
		{name: "restart of unknown", cmd: RequestRestart{Connector: "x"}, wantErr: ErrNotFound},
		{
			name:  "register worker",
			setup: []Command{RegisterWorker{ID: "w1", RestURL: "http://old"}},
			cmd:   RegisterWorker{ID: "w1", RestURL: "http://a:8083", RaftAddr: "a:7000"},
			check: func(t *testing.T, st *State, r Result) {
				want := WorkerInfo{ID: "w1", RestURL: "http://a:8083", RaftAddr: "a:7000", RegisteredIndex: applyIndex}
				if st.Workers["w1"] != want {
					t.Fatalf("worker %+v", st.Workers["w1"])
				}
			},
		},
		{name: "register without id", cmd: RegisterWorker{}, wantErr: ErrInvalid},
		{name: "remove worker", setup: []Command{RegisterWorker{ID: "w1"}}, cmd: RemoveWorker{ID: "w1"}},
		{name: "remove unknown worker", cmd: RemoveWorker{ID: "w1"}, wantErr: ErrNotFound},
	})
}

func TestBatchCommandsApplyInOrderAndIndependently(t *testing.T) {
	st := newState()
	rs := applyTo(t, st, 5,
		PutConnector{Name: "c1", CreateOnly: true},
		PutConnector{Name: "c1", CreateOnly: true}, // sees the first
		PutTaskConfigs{Name: "c1", Tasks: []map[string]string{{}}},
		DeleteConnector{Name: "nope"},
		RequestRestart{Connector: "c1"},
	)
	wantErrs := []error{nil, ErrAlreadyExists, nil, ErrNotFound, nil}
	for i, r := range rs {
		if !isErr(r.Err, wantErrs[i]) {
			t.Errorf("command %d: err %v, want %v", i, r.Err, wantErrs[i])
		}
	}
	if !rs[0].Created || rs[2].TaskGeneration != 1 || rs[4].Seq != 1 {
		t.Errorf("results %+v", rs)
	}
}

// Unknown commands, as a newer worker writes them.
func TestUnknownCommands(t *testing.T) {
	entry := func(cmds ...wireCmd) []byte {
		b, err := marshalWireEntry(wireEntry{Cmds: cmds})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	put := wireCmd{Type: "put_connector", Version: 1, Data: json.RawMessage(`{"name":"c1"}`)}
	tests := []struct {
		name        string
		cmd         wireCmd
		wantErr     error
		wantSkipped bool
	}{
		{"unknown ignorable type is skipped", wireCmd{Type: "set_hint", Version: 1, Ignorable: true, Data: json.RawMessage(`{"x":1}`)}, nil, true},
		{"unknown type fails", wireCmd{Type: "set_quota", Version: 1, Data: json.RawMessage(`{}`)}, ErrUnknownCommand, false},
		{"newer version ignorable is skipped", wireCmd{Type: "request_restart", Version: 9, Ignorable: true, Data: json.RawMessage(`{}`)}, nil, true},
		{"newer version fails", wireCmd{Type: "request_restart", Version: 9, Data: json.RawMessage(`{}`)}, ErrUnknownCommand, false},
		{"version zero fails", wireCmd{Type: "request_restart", Data: json.RawMessage(`{}`)}, ErrUnknownCommand, false},
		{"bad payload fails", wireCmd{Type: "put_connector", Version: 1, Data: json.RawMessage(`[1]`)}, ErrInvalid, false},
		{"missing payload decodes as empty", wireCmd{Type: "put_connector", Version: 1}, ErrInvalid /* empty name */, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newState()
			resp := applyEntry(st, 1, entry(tc.cmd, put))
			if resp.err != nil {
				t.Fatal(resp.err)
			}
			r := resp.results[0]
			if !isErr(r.Err, tc.wantErr) || r.Skipped != tc.wantSkipped {
				t.Fatalf("result %+v, want err %v skipped %v", r, tc.wantErr, tc.wantSkipped)
			}
			// The rest of the batch still applies.
			if resp.results[1].Err != nil || st.Connectors["c1"].Name != "c1" {
				t.Fatalf("following command: %+v", resp.results[1])
			}
		})
	}
}

func TestMalformedEntries(t *testing.T) {
	for name, data := range map[string][]byte{
		"empty":          nil,
		"unknown format": append([]byte{2}, `{"cmds":[]}`...),
		"bad json":       append([]byte{entryFormatV1}, `{"cmds":[`...),
		"wrong shape":    append([]byte{entryFormatV1}, `{"cmds":{}}`...),
	} {
		t.Run(name, func(t *testing.T) {
			st := newState()
			resp := applyEntry(st, 1, data)
			if !errors.Is(resp.err, errBadEntry) {
				t.Fatalf("err %v", resp.err)
			}
		})
	}
}

func TestEncodeInvalidCommands(t *testing.T) {
	for name, c := range map[string]Command{
		"nil":               nil,
		"invalid partition": CommitOffsets{Connector: "c", Entries: []OffsetEntry{{Partition: json.RawMessage(`{"p":`)}}},
		"trailing data":     CommitOffsets{Connector: "c", Entries: []OffsetEntry{{Partition: json.RawMessage(`{} {}`)}}},
		"invalid offset":    CommitOffsets{Connector: "c", Entries: []OffsetEntry{{Partition: json.RawMessage(`{}`), Offset: json.RawMessage(`x`)}}},
	} {
		if _, err := encodeEntry([]Command{c}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err %v", name, err)
		}
	}
}

func TestCanonicalPartition(t *testing.T) {
	a, err := CanonicalPartition(json.RawMessage(`{"b":[1,{"z":1,"y":2}],"a":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if a != `{"a":null,"b":[1,{"y":2,"z":1}]}` {
		t.Fatalf("got %s", a)
	}
	if _, err := CanonicalPartition(json.RawMessage(`nope`)); err == nil {
		t.Fatal("want error")
	}
}

func TestRaceGuards(t *testing.T) {
	st := newState()
	var r Result
	if err := applyPutConnector(st, 1, PutConnector{Name: "c", Config: map[string]string{"a": "1"}, UpdateOnly: true}, &r); !errors.Is(err, ErrNotFound) {
		t.Fatalf("update-only of a missing connector: %v, want ErrNotFound", err)
	}
	if _, ok := st.Connectors["c"]; ok {
		t.Fatal("update-only created the connector")
	}
	if err := applyPutConnector(st, 2, PutConnector{Name: "c", Config: map[string]string{}}, &r); err != nil {
		t.Fatal(err)
	}
	if err := applySetTargetState(st, 3, SetTargetState{Name: "c", Target: TargetStopped}, &r); err != nil {
		t.Fatal(err)
	}
	if err := applyPutTaskConfigs(st, 4, PutTaskConfigs{Name: "c", Tasks: []map[string]string{{"k": "v"}}}, &r); !errors.Is(err, ErrInvalid) {
		t.Fatalf("task configs for a STOPPED connector: %v, want ErrInvalid", err)
	}
	if n := len(st.Connectors["c"].Tasks); n != 0 {
		t.Fatalf("a STOPPED connector got %d tasks", n)
	}
}

func TestPutConnectorIfConfigIndex(t *testing.T) {
	st := newState()
	var r Result
	put := func(index uint64, c PutConnector) error { return applyPutConnector(st, index, c, &r) }
	if err := put(1, PutConnector{Name: "c", Config: map[string]string{"a": "1"}, IfConfigIndex: 7}); !errors.Is(err, ErrPreconditionFailed) {
		t.Fatalf("conditional put of a missing connector: %v, want ErrPreconditionFailed", err)
	}
	if err := put(2, PutConnector{Name: "c", Config: map[string]string{"a": "1"}}); err != nil {
		t.Fatal(err)
	}
	if v := st.Connectors["c"].ConfigVersion(); v != 2 {
		t.Fatalf("config version after create = %d, want 2", v)
	}
	// Target and task changes are not config changes.
	if err := applyPutTaskConfigs(st, 3, PutTaskConfigs{Name: "c", Tasks: []map[string]string{{}}}, &r); err != nil {
		t.Fatal(err)
	}
	if err := applySetTargetState(st, 4, SetTargetState{Name: "c", Target: TargetPaused}, &r); err != nil {
		t.Fatal(err)
	}
	if v := st.Connectors["c"].ConfigVersion(); v != 2 {
		t.Fatalf("config version after task and target changes = %d, want 2", v)
	}
	if err := put(5, PutConnector{Name: "c", Config: map[string]string{"a": "2"}, IfConfigIndex: 1}); !errors.Is(err, ErrPreconditionFailed) {
		t.Fatalf("stale conditional put: %v, want ErrPreconditionFailed", err)
	}
	if got := st.Connectors["c"].Config["a"]; got != "1" {
		t.Fatalf("a failed conditional put changed the config: a=%s", got)
	}
	if err := put(6, PutConnector{Name: "c", Config: map[string]string{"a": "3"}, IfConfigIndex: 2}); err != nil {
		t.Fatalf("matching conditional put: %v", err)
	}
	if c := st.Connectors["c"]; c.Config["a"] != "3" || c.ConfigVersion() != 6 {
		t.Fatalf("after matching put: config %v version %d, want a=3 version 6", c.Config, c.ConfigVersion())
	}
	// A state from before ConfigIndex existed: the version is the creation index.
	old := ConnectorState{Name: "o", CreatedIndex: 9, UpdatedIndex: 12}
	if v := old.ConfigVersion(); v != 9 {
		t.Fatalf("legacy config version = %d, want 9", v)
	}
}

func TestDesiredIndexIgnoresObservedState(t *testing.T) {
	f := newFSM()
	apply := func(index uint64, cmds ...Command) {
		t.Helper()
		data, err := encodeEntry(cmds)
		if err != nil {
			t.Fatal(err)
		}
		f.mu.Lock()
		resp := f.applyLocked(&raft.Log{Index: index, Type: raft.LogCommand, Data: data})
		f.mu.Unlock()
		for _, r := range resp.results {
			if r.Err != nil {
				t.Fatalf("entry %d: %v", index, r.Err)
			}
		}
	}
	apply(1, PutConnector{Name: "c", Config: map[string]string{"a": "1"}})
	apply(2, PutStatuses{Updates: []StatusUpdate{{Connector: "c", State: "RUNNING", Worker: "w"}}})
	apply(3, CommitOffsets{Connector: "c", Entries: []OffsetEntry{{Partition: json.RawMessage(`{"p":1}`), Offset: json.RawMessage(`{"o":1}`)}}})
	if f.desiredIndex != 1 {
		t.Fatalf("desired index after status and offset writes = %d, want 1", f.desiredIndex)
	}
	apply(4, SetTargetState{Name: "c", Target: TargetPaused})
	if f.desiredIndex != 4 {
		t.Fatalf("desired index after a target change = %d, want 4", f.desiredIndex)
	}
	d := f.st.CloneDesired()
	if len(d.Offsets) != 0 || len(d.ConnectorStatuses) != 0 || d.Connectors["c"].Target != TargetPaused {
		t.Fatalf("CloneDesired = %+v; want the connector without statuses or offsets", d)
	}
}
