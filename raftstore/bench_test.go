package raftstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
)

// BenchmarkApplyBatch measures one Apply at a time (the worst case: every
// Apply waits for its own fsync) with 1, 10 and 100 offset commits per
// Apply, that is per log entry. It reports log entries per second and
// offset commits per second.
func BenchmarkApplyBatch(b *testing.B) {
	for _, batch := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("commits=%d", batch), func(b *testing.B) {
			s := openTest(b, b.TempDir())
			defer s.Close()
			applyOK(b, s, PutConnector{Name: "src"})
			cmds := make([]Command, batch)
			for i := range cmds {
				cmds[i] = CommitOffsets{Connector: "src", Entries: []OffsetEntry{{
					Partition: json.RawMessage(`{"file":"/var/log/app-` + strconv.Itoa(i) + `.log"}`),
					Offset:    json.RawMessage(`{"position":1234567890}`),
				}}}
			}
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				rs, err := s.Apply(ctx, cmds...)
				if err != nil || rs[0].Err != nil {
					b.Fatal(err, rs[0].Err)
				}
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(float64(b.N)/sec, "entries/s")
			b.ReportMetric(float64(b.N*batch)/sec, "commits/s")
		})
	}
}
