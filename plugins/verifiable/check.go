package verifiable

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
)

// LineKind selects which lines of an output a check counts.
type LineKind int

// The four kinds of line the connectors write. Kafka's system test checks Committed for the
// source and Flushed for the sink: records that made it, as opposed to records attempted.
const (
	// Flushed lines are the sink's records whose offsets were being committed.
	Flushed LineKind = iota
	// Received lines are the sink's records as Put received them.
	Received
	// Committed lines are the source's records Kafka acknowledged.
	Committed
	// Produced lines are the source's records as Poll returned them.
	Produced
)

// String names the kind as the messages of Verify do.
func (k LineKind) String() string {
	switch k {
	case Flushed:
		return "flushed"
	case Received:
		return "received"
	case Committed:
		return "committed"
	case Produced:
		return "produced"
	}
	return "LineKind(" + strconv.Itoa(int(k)) + ")"
}

// Range is an inclusive range of sequence numbers.
type Range struct{ From, To int64 }

// String writes "7" or "7-9".
func (r Range) String() string {
	if r.From == r.To {
		return strconv.FormatInt(r.From, 10)
	}
	return strconv.FormatInt(r.From, 10) + "-" + strconv.FormatInt(r.To, 10)
}

// TaskReport is what one source task's sequence looked like in an output.
type TaskReport struct {
	// Task is the number of the source task that produced the sequence.
	Task int64
	// Records is how many lines of the task were counted, duplicates included.
	Records int
	// Max is the highest sequence number seen, 0 if none (as in Kafka's test).
	Max int64
	// Missing is how many of the sequence numbers 0 to Max were never seen, and Gaps lists them.
	Missing int64
	Gaps    []Range
	// Duplicates is how many records repeated a sequence number already seen, and Duplicated
	// lists the sequence numbers seen more than once.
	Duplicates int
	Duplicated []Range
}

// Report is the result of checking the lines of one connector and kind.
type Report struct {
	Connector string // "" counts the lines of every connector
	Kind      LineKind
	// Tasks has one entry per source task seen, by ascending task number.
	Tasks []TaskReport
	// Unreadable counts the connector's lines of the kind whose task or sequence number is not a
	// whole number (a sink reading a topic some other producer wrote to, for example).
	Unreadable int
}

// Task returns the report of source task n; a task that wrote nothing has an empty report.
func (r *Report) Task(n int64) TaskReport {
	for _, t := range r.Tasks {
		if t.Task == n {
			return t
		}
	}
	return TaskReport{Task: n}
}

// CheckFile reads an `output.file` and reports, per source task, the sequence numbers missing
// and repeated among the lines of the given kind written by the connector called name.
func CheckFile(path, name string, kind LineKind) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot check the verifiable connectors' output: %w", err)
	}
	defer f.Close()
	rep, err := Check(f, name, kind)
	if err != nil {
		return nil, fmt.Errorf("cannot check %s: %w", path, err)
	}
	return rep, nil
}

// Check is CheckFile on the lines r holds. As in Kafka's test, lines that are not JSON objects
// (log output mixed in, say) and lines of other connectors are ignored.
func Check(r io.Reader, name string, kind LineKind) (*Report, error) {
	seen := map[int64]map[int64]int{} // task -> seqno -> times seen
	rep := &Report{Connector: name, Kind: kind}
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			task, seqno, ok, counted := parseLine(line, name, kind)
			switch {
			case !counted:
			case !ok:
				rep.Unreadable++
			default:
				if seen[task] == nil {
					seen[task] = map[int64]int{}
				}
				seen[task][seqno]++
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	for _, task := range slices.Sorted(maps.Keys(seen)) {
		rep.Tasks = append(rep.Tasks, summarise(task, seen[task]))
	}
	return rep, nil
}

// parseLine returns the source task and sequence number of a line. counted says whether the
// line is one of name's of the given kind; ok whether its numbers could be read.
func parseLine(line []byte, name string, kind LineKind) (task, seqno int64, ok, counted bool) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' {
		return 0, 0, false, false
	}
	var data map[string]any
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if dec.Decode(&data) != nil {
		return 0, 0, false, false
	}
	if n, _ := data["name"].(string); name != "" && n != name {
		return 0, 0, false, false
	}
	_, sink := data["sinkTask"]
	committed, _ := data["committed"].(bool)
	flushed, _ := data["flushed"].(bool)
	switch kind {
	case Flushed:
		counted = sink && flushed
	case Received:
		counted = sink && !flushed
	case Committed:
		counted = !sink && committed
	case Produced:
		counted = !sink && !committed
	}
	if !counted {
		return 0, 0, false, false
	}
	s := data["seqno"]
	if m, isStruct := s.(map[string]any); isStruct {
		// complete.record.data: the sink's value is the source's struct.
		s = m["seqno"]
	}
	task, okTask := wholeNumber(data["task"])
	seqno, okSeqno := wholeNumber(s)
	return task, seqno, okTask && okSeqno, true
}

func wholeNumber(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

// summarise finds the gaps and repeats of one task's sequence numbers.
func summarise(task int64, counts map[int64]int) TaskReport {
	tr := TaskReport{Task: task}
	seqnos := slices.Sorted(maps.Keys(counts))
	var next int64 // the lowest sequence number not accounted for yet
	for _, s := range seqnos {
		n := counts[s]
		tr.Records += n
		tr.Max = max(tr.Max, s)
		if s >= next {
			if s > next {
				tr.Gaps = append(tr.Gaps, Range{next, s - 1})
				tr.Missing += s - next
			}
			next = s + 1
		}
		if n > 1 {
			tr.Duplicates += n - 1
			if last := len(tr.Duplicated) - 1; last >= 0 && tr.Duplicated[last].To == s-1 {
				tr.Duplicated[last].To = s
			} else {
				tr.Duplicated = append(tr.Duplicated, Range{s, s})
			}
		}
	}
	return tr
}

// Expect is what a run must show to pass Verify.
type Expect struct {
	// Tasks is the number of source tasks (tasks.max of the source): tasks 0 to Tasks-1 are
	// checked even if they wrote nothing.
	Tasks int
	// AllowDuplicates accepts repeated sequence numbers, which at-least-once delivery permits
	// after a worker crashed; Kafka's test allows them after unclean bounces only.
	AllowDuplicates bool
	// MinSeqno is the highest sequence number each task must at least have reached; Kafka's
	// test asks for 1000, to be sure the run did enough to prove something.
	MinSeqno int64
}

// VerifyError lists everything wrong with a run, one problem per entry.
type VerifyError struct{ Problems []string }

func (e *VerifyError) Error() string {
	return "verifiable connectors: " + strings.Join(e.Problems, "; ")
}

// Verify checks the report against e, as Kafka's system test checks each connector's lines:
// no sequence number below the highest may be missing, none may repeat unless allowed, and each
// task must have got far enough. It returns nil or a *VerifyError.
func (r *Report) Verify(e Expect) error {
	var problems []string
	for _, t := range r.tasks(e.Tasks) {
		problems = append(problems, r.problems(t, e)...)
	}
	if len(problems) == 0 {
		return nil
	}
	return &VerifyError{Problems: problems}
}

// VerifyRun checks the source's Committed report and the sink's Flushed report of one run: each
// must pass Verify, and the sink must not have seen a sequence number the source never
// committed, the full check of Kafka's test_bounce.
func VerifyRun(source, sink *Report, e Expect) error {
	var problems []string
	for _, r := range []*Report{source, sink} {
		var ve *VerifyError
		if err := r.Verify(e); errors.As(err, &ve) {
			problems = append(problems, ve.Problems...)
		}
	}
	for _, st := range sink.tasks(e.Tasks) {
		if src := source.Task(st.Task); st.Max > src.Max {
			problems = append(problems, fmt.Sprintf("task %d: the sink %s sequence number %d, beyond the highest the source %s (%d)",
				st.Task, sink.Kind, st.Max, source.Kind, src.Max))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return &VerifyError{Problems: problems}
}

// tasks returns the reports of tasks 0 to n-1 and of any other task seen, by task number.
func (r *Report) tasks(n int) []TaskReport {
	var out []TaskReport
	for i := range int64(n) {
		out = append(out, r.Task(i))
	}
	for _, t := range r.Tasks {
		if t.Task < 0 || t.Task >= int64(n) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b TaskReport) int { return cmp.Compare(a.Task, b.Task) })
	return out
}

// problems describes what is wrong with one task, in the terms of the connector's output.
func (r *Report) problems(t TaskReport, e Expect) []string {
	who := fmt.Sprintf("task %d (%s records)", t.Task, r.Kind)
	if r.Connector != "" {
		who = r.Connector + " " + who
	}
	var out []string
	if t.Missing > 0 {
		out = append(out, fmt.Sprintf("%s: %s missing below %d: %s", who, count(t.Missing, "sequence number"), t.Max, ranges(t.Gaps)))
	}
	if t.Duplicates > 0 && !e.AllowDuplicates {
		out = append(out, fmt.Sprintf("%s: %s, of sequence numbers %s", who, count(int64(t.Duplicates), "duplicate record"), ranges(t.Duplicated)))
	}
	if t.Max < e.MinSeqno {
		if t.Records == 0 {
			out = append(out, fmt.Sprintf("%s: no records, want sequence numbers up to at least %d", who, e.MinSeqno))
		} else {
			out = append(out, fmt.Sprintf("%s: not enough records: highest sequence number %d, want at least %d", who, t.Max, e.MinSeqno))
		}
	}
	return out
}

// ranges lists at most the first ten ranges, so that a message stays readable.
func ranges(rs []Range) string {
	const most = 10
	var parts []string
	for i, r := range rs {
		if i == most {
			parts = append(parts, fmt.Sprintf("and %d more ranges", len(rs)-most))
			break
		}
		parts = append(parts, r.String())
	}
	return strings.Join(parts, ", ")
}

// count writes "1 thing" or "n things".
func count(n int64, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.FormatInt(n, 10) + " " + thing + "s"
}
