package runtime

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/internal/devbroker"
	"github.com/raftconnect/raftconnect/internal/kafkaclient"
	"github.com/raftconnect/raftconnect/internal/workerconfig"
)

// nullOffsets accepts commits without a store.
type nullOffsets struct{}

func (nullOffsets) ReadOffset(string, map[string]any) (map[string]any, error) { return nil, nil }
func (nullOffsets) CommitOffsets(context.Context, TaskID, Fence, []CommittedOffset) error {
	return nil
}

// BenchmarkSourcePipeline measures the source task's per-record path — transforms, converters,
// offset tracking, the producer and its acknowledgements — against an in-process broker, and a
// raw sarama producer sending the same bytes in the same run.
func BenchmarkSourcePipeline(b *testing.B) {
	broker, err := devbroker.Start(0, 6)
	if err != nil {
		b.Fatal(err)
	}
	defer broker.Close()
	line := "a line of text in a file that a FileStreamSource task would read, 64 bytes."[:64]
	part := map[string]any{"filename": "/tmp/input.txt"}

	b.Run("raftconnect", func(b *testing.B) {
		cl := &Clients{cfg: &workerconfig.Config{BootstrapServers: broker.Addrs()}}
		producer, err := cl.newProducer(context.Background(), TaskID{"bench", 0}, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			b.Fatal(err)
		}
		ch, _ := buildChain(map[string]string{})
		conv, err := buildConverters(map[string]string{}, map[string]string{
			"key.converter": "test.worker.StringConverter", "value.converter": "test.worker.StringConverter", "header.converter": "test.worker.HeaderConverter"})
		if err != nil {
			b.Fatal(err)
		}
		st := &sourceTask{id: TaskID{"bench", 0}, chain: ch, conv: conv, producer: producer, offsets: nullOffsets{},
			tracker: newOffsetTracker(), log: slog.New(slog.NewTextHandler(io.Discard, nil)), status: func(string, string) {},
			pause: newPauser(false), flushInterval: time.Hour, flushTimeout: time.Minute}
		done := make(chan struct{})
		go func() { defer close(done); st.handleResults() }()
		topic := fmt.Sprintf("bench-rc-%d", time.Now().UnixNano())
		recs := make([]*connect.SourceRecord, b.N)
		for i := range recs {
			recs[i] = &connect.SourceRecord{Record: connect.Record{Topic: topic, Partition: connect.PartitionAny, ValueSchema: connect.StringSchema, Value: line},
				SourcePartition: part, SourceOffset: map[string]any{"position": int64(i * 65)}}
		}
		b.ReportAllocs()
		b.ResetTimer()
		ctx := context.Background()
		for _, r := range recs {
			if err := st.send(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
		<-st.tracker.waitDrained()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		b.StopTimer()
		producer.AsyncClose()
		<-done
	})

	b.Run("raw-sarama", func(b *testing.B) {
		p, err := sarama.NewAsyncProducer(broker.Addrs(), kafkaclient.Producer("raw"))
		if err != nil {
			b.Fatal(err)
		}
		topic := fmt.Sprintf("bench-raw-%d", time.Now().UnixNano())
		done := make(chan struct{})
		go func() {
			defer close(done)
			for n := 0; n < b.N; n++ {
				<-p.Successes()
			}
		}()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			p.Input() <- &sarama.ProducerMessage{Topic: topic, Value: sarama.ByteEncoder(line)}
		}
		<-done
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		b.StopTimer()
		p.AsyncClose()
		for range p.Successes() {
		}
	})
}
