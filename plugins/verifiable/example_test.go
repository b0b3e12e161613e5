package verifiable_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/verifiable"
)

// noOffsets is the runtime's offset store of a connector that never ran.
type noOffsets struct{}

func (noOffsets) Offset(map[string]any) (map[string]any, error) { return nil, nil }

type taskContext struct{ config map[string]string }

func (c taskContext) Config() map[string]string          { return c.config }
func (c taskContext) OffsetReader() connect.OffsetReader { return noOffsets{} }

// The package registers both connectors under Kafka's class names, so the short aliases
// Kafka Connect accepts resolve too.
func Example_registration() {
	for _, name := range []string{"org.apache.kafka.connect.tools.VerifiableSourceConnector", "VerifiableSource", "VerifiableSinkConnector", "VerifiableSink"} {
		p, err := connect.Lookup(name)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %v, tasks %s\n", name, p.Types(), p.TaskClass)
	}
	// Output:
	// org.apache.kafka.connect.tools.VerifiableSourceConnector: [source], tasks org.apache.kafka.connect.tools.VerifiableSourceTask
	// VerifiableSource: [source], tasks org.apache.kafka.connect.tools.VerifiableSourceTask
	// VerifiableSinkConnector: [sink], tasks org.apache.kafka.connect.tools.VerifiableSinkTask
	// VerifiableSink: [sink], tasks org.apache.kafka.connect.tools.VerifiableSinkTask
}

// A run end to end, the runtime's part played by hand: two source tasks produce their
// sequences, Kafka acknowledges every record, a sink task receives them all but one and flushes,
// and the check over the shared output file finds the record that went missing.
func Example() {
	dir, err := os.MkdirTemp("", "verifiable")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	output := filepath.Join(dir, "verifiable.jsonl")
	ctx := context.Background()

	source := new(verifiable.SourceConnector)
	if err := source.Start(nil, map[string]string{
		"name": "verifiable-source", "topic": "verifiable", "throughput": "-1", "output.file": output,
	}); err != nil {
		log.Fatal(err)
	}
	taskConfigs, err := source.TaskConfigs(2)
	if err != nil {
		log.Fatal(err)
	}
	var produced []*connect.SourceRecord
	for _, config := range taskConfigs {
		task := source.NewTask()
		if err := task.Start(taskContext{config}, config); err != nil {
			log.Fatal(err)
		}
		for range 5 {
			recs, err := task.Poll(ctx)
			if err != nil {
				log.Fatal(err)
			}
			for _, r := range recs {
				// Kafka acknowledged the record.
				task.(connect.RecordCommitter).CommitRecord(r, &connect.RecordMetadata{Topic: r.Topic})
				produced = append(produced, r)
			}
		}
		task.Stop()
	}

	sink := new(verifiable.SinkTask)
	if err := sink.Start(nil, map[string]string{"name": "verifiable-sink", "id": "0", "output.file": output}); err != nil {
		log.Fatal(err)
	}
	var delivered []*connect.SinkRecord
	for i, r := range produced {
		if i == 7 {
			continue // lost on the way: task 1's seqno 2
		}
		delivered = append(delivered, &connect.SinkRecord{
			Record: connect.Record{Topic: r.Topic, Key: r.Key, Value: r.Value}, Offset: int64(i), OriginalTopic: r.Topic})
	}
	if err := sink.Put(ctx, delivered); err != nil {
		log.Fatal(err)
	}
	if err := sink.Flush(ctx, map[connect.TopicPartition]int64{{Topic: "verifiable"}: int64(len(produced))}); err != nil {
		log.Fatal(err)
	}
	sink.Stop()

	committed, err := verifiable.CheckFile(output, "verifiable-source", verifiable.Committed)
	if err != nil {
		log.Fatal(err)
	}
	flushed, err := verifiable.CheckFile(output, "verifiable-sink", verifiable.Flushed)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range flushed.Tasks {
		fmt.Printf("task %d: %d records flushed, highest seqno %d, %d missing %v\n", t.Task, t.Records, t.Max, t.Missing, t.Gaps)
	}
	fmt.Println(verifiable.VerifyRun(committed, flushed, verifiable.Expect{Tasks: 2}))
	// Output:
	// task 0: 5 records flushed, highest seqno 4, 0 missing []
	// task 1: 4 records flushed, highest seqno 4, 1 missing [2]
	// verifiable connectors: verifiable-sink task 1 (flushed records): 1 sequence number missing below 4: 2
}
