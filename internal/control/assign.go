package control

// Assignment, a leader duty: which worker runs each connector and task.

import (
	"maps"
	"slices"
	"sort"

	"github.com/raftconnect/raftconnect/internal/runtime"
	"github.com/raftconnect/raftconnect/raftstore"
)

// computeAssignment keeps every connector and task on its current worker while that worker is
// registered, and gives the rest to the least loaded workers: one connector changing never
// moves the others (no rebalance storms).
func computeAssignment(st *raftstore.State, self string) raftstore.SetAssignments {
	workers := slices.Sorted(maps.Keys(st.Workers))
	if len(workers) == 0 {
		workers = []string{self}
	}
	load := map[string]int{}
	live := func(w string) bool { _, ok := st.Workers[w]; return ok || w == self }
	pick := func() string {
		best := workers[0]
		for _, w := range workers[1:] {
			if load[w] < load[best] {
				best = w
			}
		}
		load[best]++
		return best
	}
	out := raftstore.SetAssignments{Connectors: map[string]string{}}
	names := st.ConnectorNames()
	for _, name := range names {
		if a, ok := st.ConnectorAssignments[name]; ok && live(a.Worker) {
			out.Connectors[name] = a.Worker
			load[a.Worker]++
		}
		for i := range st.Connectors[name].Tasks {
			id := raftstore.TaskID{Connector: name, Task: i}
			if a, ok := st.TaskAssignments[id]; ok && live(a.Worker) {
				out.Tasks = append(out.Tasks, raftstore.TaskAssignment{Task: id, Worker: a.Worker})
				load[a.Worker]++
			}
		}
	}
	for _, name := range names {
		if _, ok := out.Connectors[name]; !ok {
			out.Connectors[name] = pick()
		}
		for i := range st.Connectors[name].Tasks {
			id := raftstore.TaskID{Connector: name, Task: i}
			if a, ok := st.TaskAssignments[id]; !ok || !live(a.Worker) {
				out.Tasks = append(out.Tasks, raftstore.TaskAssignment{Task: id, Worker: pick()})
			}
		}
	}
	sort.Slice(out.Tasks, func(i, j int) bool {
		a, b := out.Tasks[i].Task, out.Tasks[j].Task
		return a.Connector < b.Connector || a.Connector == b.Connector && a.Task < b.Task
	})
	return out
}

func sameAssignment(a raftstore.SetAssignments, st *raftstore.State) bool {
	if len(a.Connectors) != len(st.ConnectorAssignments) || len(a.Tasks) != len(st.TaskAssignments) {
		return false
	}
	for n, wk := range a.Connectors {
		if cur, ok := st.ConnectorAssignments[n]; !ok || cur.Worker != wk {
			return false
		}
	}
	for _, t := range a.Tasks {
		if cur, ok := st.TaskAssignments[t.Task]; !ok || cur.Worker != t.Worker {
			return false
		}
	}
	return true
}

// keepStopping keeps the current assignment of the tasks still stopping on this worker (self)
// that a removes (a connector that now has fewer tasks): a stopping source task's final offset
// commit is fenced by its assignment, which must exist until the task has exited. The
// reconcile that follows the task's exit drops the assignment.
func keepStopping(a *raftstore.SetAssignments, st *raftstore.State, self string, stopping []runtime.TaskSpec) {
	kept := false
	for _, t := range stopping {
		id := raftstore.TaskID{Connector: t.ID.Connector, Task: t.ID.Task}
		cur, ok := st.TaskAssignments[id]
		if !ok || cur.Worker != self || cur.Epoch != t.Fence.Epoch {
			continue
		}
		if slices.ContainsFunc(a.Tasks, func(ta raftstore.TaskAssignment) bool { return ta.Task == id }) {
			continue
		}
		a.Tasks = append(a.Tasks, raftstore.TaskAssignment{Task: id, Worker: self})
		kept = true
	}
	if kept {
		sort.Slice(a.Tasks, func(i, j int) bool {
			x, y := a.Tasks[i].Task, a.Tasks[j].Task
			return x.Connector < y.Connector || x.Connector == y.Connector && x.Task < y.Task
		})
	}
}
