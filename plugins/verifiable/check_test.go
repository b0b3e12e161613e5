package verifiable

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// lines builds an output: "s<task>:<seqno>" is a flushed sink line, "c<task>:<seqno>" a
// committed source line, "r" and "p" the received and produced ones; anything else is copied.
func lines(specs ...string) string {
	var b strings.Builder
	for _, s := range specs {
		task, seqno, ok := strings.Cut(s[1:], ":")
		if !ok {
			b.WriteString(s + "\n")
			continue
		}
		switch s[0] {
		case 's':
			b.WriteString(`{"task":` + task + `,"seqno":` + seqno + `,"offset":0,"time_ms":1,"name":"sink","topic":"t","sinkTask":0,"flushed":true}` + "\n")
		case 'r':
			b.WriteString(`{"task":` + task + `,"seqno":` + seqno + `,"offset":0,"time_ms":1,"name":"sink","topic":"t","sinkTask":0}` + "\n")
		case 'c':
			b.WriteString(`{"committed":true,"task":` + task + `,"seqno":` + seqno + `,"time_ms":1,"name":"src","topic":"t"}` + "\n")
		case 'p':
			b.WriteString(`{"task":` + task + `,"seqno":` + seqno + `,"time_ms":1,"name":"src","topic":"t"}` + "\n")
		default:
			b.WriteString(s + "\n")
		}
	}
	return b.String()
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name       string
		output     string
		connector  string
		kind       LineKind
		want       []TaskReport
		unreadable int
	}{
		{name: "empty", output: "", connector: "sink", kind: Flushed},
		{
			name:   "complete sequence, in any order",
			output: lines("s0:2", "s0:0", "s0:1", "r0:5"), connector: "sink", kind: Flushed,
			want: []TaskReport{{Task: 0, Records: 3, Max: 2}},
		},
		{
			name:   "gaps",
			output: lines("s0:0", "s0:3", "s0:4", "s0:9", "s1:5"), connector: "sink", kind: Flushed,
			want: []TaskReport{
				{Task: 0, Records: 4, Max: 9, Missing: 6, Gaps: []Range{{1, 2}, {5, 8}}},
				{Task: 1, Records: 1, Max: 5, Missing: 5, Gaps: []Range{{0, 4}}},
			},
		},
		{
			name:   "duplicates",
			output: lines("s2:0", "s2:1", "s2:1", "s2:2", "s2:2", "s2:2", "s2:4", "s2:3", "s2:4"), connector: "sink", kind: Flushed,
			want: []TaskReport{{Task: 2, Records: 9, Max: 4, Duplicates: 4, Duplicated: []Range{{1, 2}, {4, 4}}}},
		},
		{
			name:   "the other kinds",
			output: lines("s0:0", "r0:0", "r0:1", "c0:0", "p0:0", "p0:2"), connector: "sink", kind: Received,
			want: []TaskReport{{Task: 0, Records: 2, Max: 1}},
		},
		{
			name:   "committed source lines",
			output: lines("s0:0", "c0:0", "c0:2", "p0:1"), connector: "src", kind: Committed,
			want: []TaskReport{{Task: 0, Records: 2, Max: 2, Missing: 1, Gaps: []Range{{1, 1}}}},
		},
		{
			name:   "produced source lines",
			output: lines("c0:0", "p0:1", "p0:0"), connector: "src", kind: Produced,
			want: []TaskReport{{Task: 0, Records: 2, Max: 1}},
		},
		{
			name: "log output, other connectors and torn lines ignored",
			output: lines("s0:0", "[2024-01-01 INFO] Started worker", `{"task":0,"seqno":1,"offset":0,"name":"other","sinkTask":0,"flushed":true}`,
				`{"task":0,"seqno":1,"offs`, "Bad data can't be written as json: x", "s0:1"),
			connector: "sink", kind: Flushed,
			want: []TaskReport{{Task: 0, Records: 2, Max: 1}},
		},
		{
			name:   "any connector",
			output: lines("s0:0", `{"task":0,"seqno":1,"offset":0,"name":"other","sinkTask":0,"flushed":true}`), connector: "", kind: Flushed,
			want: []TaskReport{{Task: 0, Records: 2, Max: 1}},
		},
		{
			name: "complete record data",
			output: `{"task":1,"seqno":{"name":"src","task":1,"topic":"t","time_ms":5,"seqno":0},"offset":0,"name":"sink","sinkTask":0,"flushed":true}` + "\n" +
				`{"task":1,"seqno":{"name":"src","task":1,"topic":"t","time_ms":5,"seqno":1},"offset":1,"name":"sink","sinkTask":0,"flushed":true}`,
			connector: "sink", kind: Flushed,
			want: []TaskReport{{Task: 1, Records: 2, Max: 1}},
		},
		{
			name:      "numbers that are not sequence numbers",
			output:    lines("s0:1.5", `s"a":0`, "snull:3", "s0:0"),
			connector: "sink", kind: Flushed,
			want:       []TaskReport{{Task: 0, Records: 1, Max: 0}},
			unreadable: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Check(strings.NewReader(tt.output), tt.connector, tt.kind)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rep.Tasks, tt.want) || rep.Unreadable != tt.unreadable {
				t.Errorf("got %+v, %d unreadable\nwant %+v, %d unreadable", rep.Tasks, rep.Unreadable, tt.want, tt.unreadable)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name   string
		output string
		expect Expect
		want   []string // the problems, nil when the run passes
	}{
		{name: "clean run", output: lines("s0:0", "s0:1", "s1:0", "s1:1"), expect: Expect{Tasks: 2, MinSeqno: 1}},
		{
			name:   "missing and duplicates",
			output: lines("s0:0", "s0:3", "s0:3", "s0:5"),
			expect: Expect{Tasks: 1},
			want: []string{
				"sink task 0 (flushed records): 3 sequence numbers missing below 5: 1-2, 4",
				"sink task 0 (flushed records): 1 duplicate record, of sequence numbers 3",
			},
		},
		{name: "duplicates allowed after a crash", output: lines("s0:0", "s0:0", "s0:1"), expect: Expect{Tasks: 1, AllowDuplicates: true}},
		{
			name:   "not enough records, and a task that wrote nothing",
			output: lines("s0:0", "s0:1"),
			expect: Expect{Tasks: 2, MinSeqno: 1000},
			want: []string{
				"sink task 0 (flushed records): not enough records: highest sequence number 1, want at least 1000",
				"sink task 1 (flushed records): no records, want sequence numbers up to at least 1000",
			},
		},
		{
			name:   "a task beyond tasks.max is checked too",
			output: lines("s0:0", "s5:1"),
			expect: Expect{Tasks: 1},
			want:   []string{"sink task 5 (flushed records): 1 sequence number missing below 1: 0"},
		},
		{
			name:   "long lists are cut short",
			output: lines("s0:0", "s0:2", "s0:4", "s0:6", "s0:8", "s0:10", "s0:12", "s0:14", "s0:16", "s0:18", "s0:20", "s0:22", "s0:24"),
			want:   []string{"sink task 0 (flushed records): 12 sequence numbers missing below 24: 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, and 2 more ranges"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Check(strings.NewReader(tt.output), "sink", Flushed)
			if err != nil {
				t.Fatal(err)
			}
			err = rep.Verify(tt.expect)
			var got []string
			if ve, ok := err.(*VerifyError); ok {
				got = ve.Problems
			} else if err != nil {
				t.Fatalf("Verify returned %T %v, want a *VerifyError", err, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// VerifyRun makes test_bounce's checks on both connectors of a run, from one shared file.
func TestVerifyRun(t *testing.T) {
	tests := []struct {
		name   string
		output string
		want   string // "" when the run passes
	}{
		{name: "sink behind the source", output: lines("c0:0", "c0:1", "c0:2", "s0:0", "s0:1")},
		{
			name:   "sink ahead of the source",
			output: lines("c0:0", "c0:1", "s0:0", "s0:1", "s0:2"),
			want:   "verifiable connectors: task 0: the sink flushed sequence number 2, beyond the highest the source committed (1)",
		},
		{
			name:   "both broken",
			output: lines("c0:1", "s0:0", "s0:0"),
			want: "verifiable connectors: src task 0 (committed records): 1 sequence number missing below 1: 0; " +
				"sink task 0 (flushed records): 1 duplicate record, of sequence numbers 0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tempFile(t)
			if err := os.WriteFile(path, []byte(tt.output), 0o644); err != nil {
				t.Fatal(err)
			}
			src, err := CheckFile(path, "src", Committed)
			if err != nil {
				t.Fatal(err)
			}
			sink, err := CheckFile(path, "sink", Flushed)
			if err != nil {
				t.Fatal(err)
			}
			err = VerifyRun(src, sink, Expect{Tasks: 1})
			if got := errString(err); got != tt.want {
				t.Errorf("VerifyRun:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
	if _, err := CheckFile(tempFile(t), "sink", Flushed); err == nil || !strings.Contains(err.Error(), "cannot check the verifiable connectors' output: open ") {
		t.Errorf("CheckFile of a missing file: %v", err)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
