package jsonformat

import (
	"fmt"
	"sync"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
)

// TestConcurrentUse shares one converter between goroutines writing and reading records of
// more schemas than the caches hold, so that entries are evicted while others use them. Run
// with -race.
func TestConcurrentUse(t *testing.T) {
	c := converter(t, "schemas.cache.size", "2")
	schemas := make([]*connect.Schema, 5)
	for i := range schemas {
		schemas[i] = connect.StructBuilder().Name(fmt.Sprintf("s%d", i)).Field("n", connect.Int32Schema).MustBuild()
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				s := schemas[(g+i)%len(schemas)]
				data, err := c.FromConnectData("topic", nil, s, connect.NewStruct(s).MustPut("n", int32(i)))
				if err != nil {
					errs <- err
					return
				}
				sv, err := c.ToConnectData("topic", nil, data)
				if err != nil {
					errs <- err
					return
				}
				if sv.Schema.Name != s.Name || sv.Value.(*connect.Struct).GetInt32("n") != int32(i) {
					errs <- fmt.Errorf("record %d of schema %s read back as %v %v", i, s.Name, sv.Schema, sv.Value)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := c.toJSON.len(); n > 2 {
		t.Errorf("schema JSON cache grew to %d entries, beyond schemas.cache.size=2", n)
	}
}
