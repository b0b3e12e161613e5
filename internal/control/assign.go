package control

// Assignment, a leader duty: which worker runs each connector and task.

import (
	"cmp"
	"maps"
	"slices"

	"github.com/raftconnect/raftconnect/internal/runtime"
	"github.com/raftconnect/raftconnect/raftstore"
)

// balanceMoves is how many connectors and tasks at most the leader moves per heartbeat
// interval to a worker that joined or came back: it gets its share gradually, never in a
// storm that stops and starts many tasks at once.
const balanceMoves = 2

// assignOptions is what computeAssignment needs to know about the workers beyond the store.
type assignOptions struct {
	// self is the leader: always live, never dead, even before it has registered.
	self string
	// dead are registered workers the leader considers gone (failing for longer than
	// cluster.failure.timeout.ms, or no longer in the Raft configuration): their work moves.
	dead map[string]bool
	// suspect are workers whose heartbeats fail, not yet for long: they keep their work but
	// get no new work, which would only have to move again.
	suspect map[string]bool
	// returning are workers that joined or came back: they may take work from the most
	// loaded workers, maxMoves units at most.
	returning map[string]bool
	maxMoves  int
}

// assignResult is a computed assignment.
type assignResult struct {
	cmd raftstore.SetAssignments
	// moved counts the units moved towards returning workers (not orphans).
	moved int
	// fromDead counts the units taken from dead workers.
	fromDead int
	// short are the returning workers still below their share; the others have caught up.
	short map[string]bool
}

// computeAssignment keeps every connector and task on its current worker while that worker
// is live, and gives the rest (new units, and those of dead or removed workers, all in this
// one assignment) to the least loaded live workers: one connector changing, appearing or
// going never moves the others (no rebalance storms). Connectors and tasks are balanced
// separately, as a task usually weighs far more than a connector. Beyond that it moves at
// most o.maxMoves units from the most loaded workers to returning ones below their share,
// and nothing in a balanced cluster. The result depends only on its inputs.
func computeAssignment(st *raftstore.State, o assignOptions) assignResult {
	workers := slices.Sorted(maps.Keys(st.Workers))
	if _, ok := st.Workers[o.self]; !ok {
		workers = append(workers, o.self)
		slices.Sort(workers)
	}
	var takers []string // may receive work
	holds := map[string]bool{}
	for _, w := range workers {
		if w == o.self || !o.dead[w] {
			holds[w] = true
			if w == o.self || !o.suspect[w] {
				takers = append(takers, w)
			}
		}
	}
	connLoad, taskLoad := map[string]int{}, map[string]int{}
	conns := map[string]string{}
	tasks := map[raftstore.TaskID]string{}
	var orphanConns []string
	var orphanTasks []raftstore.TaskID
	fromDead := 0
	names := st.ConnectorNames()
	for _, name := range names {
		if a, ok := st.ConnectorAssignments[name]; ok && holds[a.Worker] {
			conns[name] = a.Worker
			connLoad[a.Worker]++
		} else {
			orphanConns = append(orphanConns, name)
			if ok && o.dead[a.Worker] {
				fromDead++
			}
		}
		for i := range st.Connectors[name].Tasks {
			id := raftstore.TaskID{Connector: name, Task: i}
			if a, ok := st.TaskAssignments[id]; ok && holds[a.Worker] {
				tasks[id] = a.Worker
				taskLoad[a.Worker]++
			} else {
				orphanTasks = append(orphanTasks, id)
				if ok && o.dead[a.Worker] {
					fromDead++
				}
			}
		}
	}
	// pick is the taker with the least load, then the least other load, then the first name.
	pick := func(load, other map[string]int) string {
		best := takers[0]
		for _, w := range takers[1:] {
			if load[w] < load[best] || load[w] == load[best] && other[w] < other[best] {
				best = w
			}
		}
		return best
	}
	for _, name := range orphanConns {
		w := pick(connLoad, taskLoad)
		conns[name] = w
		connLoad[w]++
	}
	for _, id := range orphanTasks {
		w := pick(taskLoad, connLoad)
		tasks[id] = w
		taskLoad[w]++
	}

	res := assignResult{short: map[string]bool{}, fromDead: fromDead}
	budget := o.maxMoves
	taskShare := len(tasks) / len(takers)
	res.moved += balance(tasks, taskLoad, takers, o.returning, taskShare, &budget, func(id raftstore.TaskID) string { return id.Connector })
	connShare := len(conns) / len(takers)
	res.moved += balance(conns, connLoad, takers, o.returning, connShare, &budget, func(string) string { return "" })
	for w := range o.returning {
		if slices.Contains(takers, w) && (taskLoad[w] < taskShare || connLoad[w] < connShare) {
			res.short[w] = true
		}
	}

	res.cmd = raftstore.SetAssignments{Connectors: conns}
	for id, w := range tasks {
		res.cmd.Tasks = append(res.cmd.Tasks, raftstore.TaskAssignment{Task: id, Worker: w})
	}
	sortTasks(res.cmd.Tasks)
	return res
}

// balance moves units, at most *budget of them, to the returning takers below share, each
// time from the most loaded worker, while that one holds at least two more than the
// receiver. From a worker it moves a unit of the group (connector) it holds most of, so a
// connector's tasks spread. It returns how many units it moved.
func balance[K string | raftstore.TaskID](owner map[K]string, load map[string]int, takers []string, returning map[string]bool, share int, budget *int, group func(K) string) int {
	moved := 0
	for *budget > 0 {
		to := ""
		for _, w := range takers {
			if returning[w] && load[w] < share && (to == "" || load[w] < load[to]) {
				to = w
			}
		}
		if to == "" {
			break
		}
		from := ""
		for _, w := range slices.Sorted(maps.Keys(load)) {
			if from == "" || load[w] > load[from] {
				from = w
			}
		}
		if from == "" || load[from] <= load[to]+1 {
			break
		}
		var units []K
		perGroup := map[string]int{}
		for k, w := range owner {
			if w == from {
				units = append(units, k)
				perGroup[group(k)]++
			}
		}
		slices.SortFunc(units, compareUnits[K])
		unit := units[len(units)-1]
		for _, k := range slices.Backward(units) {
			if perGroup[group(k)] > perGroup[group(unit)] {
				unit = k
			}
		}
		owner[unit] = to
		load[from]--
		load[to]++
		*budget--
		moved++
	}
	return moved
}

// compareUnits orders connector names and task ids.
func compareUnits[K string | raftstore.TaskID](a, b K) int {
	switch x := any(a).(type) {
	case string:
		return cmp.Compare(x, any(b).(string))
	case raftstore.TaskID:
		y := any(b).(raftstore.TaskID)
		return cmp.Or(cmp.Compare(x.Connector, y.Connector), cmp.Compare(x.Task, y.Task))
	}
	return 0
}

func sortTasks(ts []raftstore.TaskAssignment) {
	slices.SortFunc(ts, func(a, b raftstore.TaskAssignment) int { return compareUnits(a.Task, b.Task) })
}

// assignmentSettled reports whether computeAssignment would return st's assignment as it is:
// every connector and task, and nothing else, is assigned to a live worker, and no units may
// move towards a returning worker. It allocates nothing, so the leader checks it on every
// store write and computes an assignment only when something changed.
func assignmentSettled(st *raftstore.State, o assignOptions) bool {
	if o.maxMoves > 0 && len(o.returning) > 0 {
		return false
	}
	holds := func(w string) bool {
		_, registered := st.Workers[w]
		return w == o.self || registered && !o.dead[w]
	}
	if len(st.ConnectorAssignments) != len(st.Connectors) {
		return false
	}
	tasks := 0
	for name, c := range st.Connectors {
		if a, ok := st.ConnectorAssignments[name]; !ok || !holds(a.Worker) {
			return false
		}
		for i := range c.Tasks {
			if a, ok := st.TaskAssignments[raftstore.TaskID{Connector: name, Task: i}]; !ok || !holds(a.Worker) {
				return false
			}
		}
		tasks += len(c.Tasks)
	}
	return tasks == len(st.TaskAssignments)
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
		sortTasks(a.Tasks)
	}
}
