package cdctest_test

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/raftconnect/raftconnect/plugins/formats"
	"github.com/raftconnect/raftconnect/plugins/formats/cdctest"
)

// TestConcurrentUse shares one decoder and one encoder of each format between goroutines (run
// with -race): the caches and scratch space they keep between messages are guarded.
func TestConcurrentUse(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			dec, enc := cdctest.Codec(t, v.format, v.options)
			msgs := cdctest.Lines(t, filepath.Join("testdata", v.file))
			want := cdctest.Dump(cdctest.DecodeAll(t, dec, msgs))
			var wg sync.WaitGroup
			errs := make(chan string, 4)
			for g := 0; g < 4; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 20; i++ {
						// Not DecodeAll: a goroutine must not call t.Fatal.
						var rows []formats.Row
						for _, m := range msgs {
							r, err := dec.Decode(m)
							if err != nil {
								errs <- err.Error()
								return
							}
							rows = append(rows, r...)
						}
						if got := cdctest.Dump(rows); got != want {
							errs <- got
							return
						}
						if _, err := enc.Encode(rows); err != nil {
							errs <- err.Error()
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for e := range errs {
				t.Errorf("concurrent use: %s", e)
			}
		})
	}
}
