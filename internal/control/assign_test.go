package control

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/raftstore"
)

// assignState is a store state with the given workers and connectors (name → task count),
// nothing assigned yet.
func assignState(workers []string, conns map[string]int) *raftstore.State {
	st := &raftstore.State{
		Connectors:           map[string]raftstore.ConnectorState{},
		ConnectorAssignments: map[string]raftstore.Assignment{},
		TaskAssignments:      map[raftstore.TaskID]raftstore.Assignment{},
		Workers:              map[string]raftstore.WorkerInfo{},
	}
	for _, w := range workers {
		st.Workers[w] = raftstore.WorkerInfo{ID: w}
	}
	for name, n := range conns {
		setTasks(st, name, n)
	}
	return st
}

func setTasks(st *raftstore.State, name string, n int) {
	c := raftstore.ConnectorState{Name: name, Config: map[string]string{}, Target: raftstore.TargetStarted}
	for i := range n {
		c.Tasks = append(c.Tasks, map[string]string{"task": fmt.Sprint(i)})
	}
	st.Connectors[name] = c
}

// applyAssign applies an assignment as the FSM does (epochs aside; entries of connectors
// that do not exist are dropped), and returns the units whose owner changed.
func applyAssign(st *raftstore.State, a raftstore.SetAssignments) (moved []string) {
	conns := map[string]raftstore.Assignment{}
	for name, w := range a.Connectors {
		if _, ok := st.Connectors[name]; !ok {
			continue
		}
		if cur, ok := st.ConnectorAssignments[name]; ok && cur.Worker != w {
			moved = append(moved, name)
		}
		conns[name] = raftstore.Assignment{Worker: w}
	}
	tasks := map[raftstore.TaskID]raftstore.Assignment{}
	for _, t := range a.Tasks {
		if c, ok := st.Connectors[t.Task.Connector]; !ok || t.Task.Task >= len(c.Tasks) {
			continue
		}
		if cur, ok := st.TaskAssignments[t.Task]; ok && cur.Worker != t.Worker {
			moved = append(moved, t.Task.String())
		}
		tasks[t.Task] = raftstore.Assignment{Worker: t.Worker}
	}
	st.ConnectorAssignments, st.TaskAssignments = conns, tasks
	slices.Sort(moved)
	return moved
}

// loads counts the tasks and connectors per worker.
func loads(st *raftstore.State) (tasks, conns map[string]int) {
	tasks, conns = map[string]int{}, map[string]int{}
	for w := range st.Workers {
		tasks[w], conns[w] = 0, 0
	}
	for _, a := range st.TaskAssignments {
		tasks[a.Worker]++
	}
	for _, a := range st.ConnectorAssignments {
		conns[a.Worker]++
	}
	return tasks, conns
}

// owners is the owner of every unit, to compare assignments.
func owners(st *raftstore.State) map[string]string {
	out := map[string]string{}
	for n, a := range st.ConnectorAssignments {
		out[n] = a.Worker
	}
	for id, a := range st.TaskAssignments {
		out[id.String()] = a.Worker
	}
	return out
}

func assignOnce(t *testing.T, st *raftstore.State, o assignOptions) (assignResult, []string) {
	t.Helper()
	if o.self == "" {
		o.self = "w1"
	}
	res := computeAssignment(st, o)
	return res, applyAssign(st, res.cmd)
}

func TestAssignSpreadsEvenly(t *testing.T) {
	st := assignState([]string{"w1", "w2", "w3"}, map[string]int{"big": 9})
	assignOnce(t, st, assignOptions{})
	if tasks, _ := loads(st); !maps.Equal(tasks, map[string]int{"w1": 3, "w2": 3, "w3": 3}) {
		t.Fatalf("9 tasks on 3 workers: %v, want 3/3/3", tasks)
	}
	// Three more connectors of one task each: one per worker, and one connector each.
	for _, n := range []string{"a", "b", "c"} {
		setTasks(st, n, 1)
	}
	if _, moved := assignOnce(t, st, assignOptions{}); len(moved) != 0 {
		t.Fatalf("adding connectors moved %v", moved)
	}
	tasks, conns := loads(st)
	if !maps.Equal(tasks, map[string]int{"w1": 4, "w2": 4, "w3": 4}) || slices.Max(slices.Collect(maps.Values(conns)))-slices.Min(slices.Collect(maps.Values(conns))) > 1 {
		t.Fatalf("tasks %v, connectors %v: want 4/4/4 and connectors within one", tasks, conns)
	}
	// Computing again changes nothing.
	if res, moved := assignOnce(t, st, assignOptions{returning: map[string]bool{"w3": true}, maxMoves: balanceMoves}); len(moved) != 0 || res.moved != 0 {
		t.Fatalf("a balanced cluster moved %v", moved)
	}
}

// A dead worker's connectors and tasks all move in one assignment, to the live workers, and
// nothing else moves.
func TestAssignDeadWorkerReassignedInOneEntry(t *testing.T) {
	st := assignState([]string{"w1", "w2", "w3"}, map[string]int{"a": 4, "b": 3, "c": 2})
	assignOnce(t, st, assignOptions{})
	before := owners(st)
	res, moved := assignOnce(t, st, assignOptions{dead: map[string]bool{"w3": true}, maxMoves: balanceMoves})
	var want []string
	for u, w := range before {
		if w == "w3" {
			want = append(want, u)
		}
	}
	slices.Sort(want)
	if !slices.Equal(moved, want) {
		t.Fatalf("moved %v, want exactly w3's units %v", moved, want)
	}
	if res.fromDead != len(want) || res.moved != 0 {
		t.Fatalf("counted %d units from dead workers and %d balance moves; want %d and 0", res.fromDead, res.moved, len(want))
	}
	tasks, _ := loads(st)
	if tasks["w3"] != 0 || tasks["w1"]+tasks["w2"] != 9 || tasks["w1"]-tasks["w2"] > 1 || tasks["w2"]-tasks["w1"] > 1 {
		t.Fatalf("task loads after w3 died: %v", tasks)
	}
}

// A worker that answers again gets work back at most balanceMoves units per round, only
// from the most loaded workers, until the spread is even; then nothing moves.
func TestAssignReturnWithoutStorm(t *testing.T) {
	st := assignState([]string{"w1", "w2", "w3"}, map[string]int{"a": 6, "b": 3})
	assignOnce(t, st, assignOptions{dead: map[string]bool{"w3": true}})
	if tasks, _ := loads(st); tasks["w3"] != 0 {
		t.Fatalf("dead w3 holds tasks: %v", tasks)
	}
	returning := map[string]bool{"w3": true}
	rounds := 0
	for {
		before := owners(st)
		res, moved := assignOnce(t, st, assignOptions{returning: returning, maxMoves: balanceMoves})
		if len(moved) > balanceMoves || res.moved != len(moved) {
			t.Fatalf("round %d moved %v (counted %d), want at most %d", rounds, moved, res.moved, balanceMoves)
		}
		for _, u := range moved {
			if owners(st)[u] != "w3" || before[u] == "w3" {
				t.Fatalf("round %d moved %s from %s to %s; only moves to w3 are wanted", rounds, u, before[u], owners(st)[u])
			}
		}
		if len(moved) == 0 {
			if res.short["w3"] {
				t.Fatal("w3 is balanced but still reported short of its share")
			}
			break
		}
		if rounds++; rounds > 10 {
			t.Fatal("no balance after 10 rounds")
		}
	}
	tasks, conns := loads(st)
	if !maps.Equal(tasks, map[string]int{"w1": 3, "w2": 3, "w3": 3}) {
		t.Fatalf("after w3 returned: tasks %v, want 3/3/3", tasks)
	}
	t.Logf("balanced in %d rounds; connectors %v", rounds, conns)
	// With no budget (within a heartbeat interval of the last move) nothing moves at all.
	st2 := assignState([]string{"w1", "w2", "w3"}, map[string]int{"a": 6})
	assignOnce(t, st2, assignOptions{dead: map[string]bool{"w3": true}})
	if _, moved := assignOnce(t, st2, assignOptions{returning: returning}); len(moved) != 0 {
		t.Fatalf("moved %v without a budget", moved)
	}
}

// Changing, adding or deleting one connector moves none of the others' units, even when that
// leaves the cluster unbalanced: only a worker that joined or came back takes work from
// others.
func TestAssignOneConnectorChangeMovesOnlyItsTasks(t *testing.T) {
	st := assignState([]string{"w1", "w2", "w3"}, map[string]int{"a": 3, "b": 3, "c": 3})
	assignOnce(t, st, assignOptions{})
	o := assignOptions{maxMoves: balanceMoves}
	check := func(what string, changed string) {
		t.Helper()
		before := owners(st)
		_, moved := assignOnce(t, st, o)
		for _, u := range moved {
			if u != changed && !strings.HasPrefix(u, changed+"-") {
				t.Fatalf("%s moved %s of another connector (moved %v)", what, u, moved)
			}
		}
		for u, w := range owners(st) {
			if old, ok := before[u]; ok && old != w && u != changed && !strings.HasPrefix(u, changed+"-") {
				t.Fatalf("%s moved %s from %s to %s", what, u, old, w)
			}
		}
	}
	setTasks(st, "b", 5)
	check("growing b", "b")
	setTasks(st, "b", 1)
	check("shrinking b", "b")
	setTasks(st, "d", 4)
	check("adding d", "d")
	delete(st.Connectors, "a")
	check("deleting a", "a")
	if tasks, _ := loads(st); tasks["w1"]+tasks["w2"]+tasks["w3"] != 8 {
		t.Fatalf("tasks %v, want 8 in all", tasks)
	}
}

// A worker removed on leave is gone at once: no timeout.
func TestAssignLeaveIsImmediate(t *testing.T) {
	st := assignState([]string{"w1", "w2"}, map[string]int{"a": 4})
	assignOnce(t, st, assignOptions{})
	delete(st.Workers, "w2")
	assignOnce(t, st, assignOptions{})
	if tasks, conns := loads(st); tasks["w1"] != 4 || conns["w1"] != 1 {
		t.Fatalf("after w2 left: tasks %v, connectors %v; want all on w1", tasks, conns)
	}
	for _, a := range st.TaskAssignments {
		if a.Worker != "w1" {
			t.Fatalf("a task stayed on %s", a.Worker)
		}
	}
}

// A suspect worker (heartbeats failing, not yet for long) keeps its work and gets none.
func TestAssignSuspectKeepsWorkGetsNone(t *testing.T) {
	st := assignState([]string{"w1", "w2"}, map[string]int{"a": 2})
	assignOnce(t, st, assignOptions{})
	setTasks(st, "b", 4)
	_, moved := assignOnce(t, st, assignOptions{suspect: map[string]bool{"w2": true}})
	if len(moved) != 0 {
		t.Fatalf("moved %v", moved)
	}
	tasks, _ := loads(st)
	if tasks["w2"] != 1 || tasks["w1"] != 5 {
		t.Fatalf("tasks %v: want w2 to keep its 1 and get none of b's", tasks)
	}
}

// The leader itself always counts, even before it has registered.
func TestAssignUnregisteredLeader(t *testing.T) {
	st := assignState(nil, map[string]int{"a": 2})
	assignOnce(t, st, assignOptions{self: "n1"})
	if tasks, conns := loads(st); tasks["n1"] != 2 || conns["n1"] != 1 {
		t.Fatalf("tasks %v, connectors %v: want everything on the leader", tasks, conns)
	}
}
