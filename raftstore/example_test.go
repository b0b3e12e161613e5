package raftstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/raftconnect/raftconnect/raftstore"
)

// A worker opens its store, waits until it can write, and reconciles on
// every change notification.
func Example() {
	dir, err := os.MkdirTemp("", "raftstore-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	store, err := raftstore.Open(raftstore.Config{Dir: dir, NodeID: "worker-1"})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := store.WaitForLeader(ctx); err != nil {
		log.Fatal(err)
	}

	changes, unsubscribe := store.Subscribe()
	defer unsubscribe()

	// One Apply, one log entry: create a connector and give it a task.
	results, err := store.Apply(ctx,
		raftstore.PutConnector{Name: "file-source", Config: map[string]string{"connector.class": "FileStreamSource"}},
		raftstore.PutTaskConfigs{Name: "file-source", Tasks: []map[string]string{{"file": "/tmp/in.txt"}}},
	)
	if err != nil {
		log.Fatal(err) // not the leader, closed, ctx done
	}
	for _, r := range results {
		if r.Err != nil {
			log.Fatal(r.Err) // this command failed: ErrNotFound, ErrFenced, ...
		}
	}

	<-changes // a reconcile loop would re-read the state here
	state := store.Snapshot()
	c := state.Connectors["file-source"]
	fmt.Println(state.ConnectorNames(), c.Target, len(c.Tasks), "tasks, generation", c.TaskGeneration)
	// Output: [file-source] STARTED 1 tasks, generation 1
}
