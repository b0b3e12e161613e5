package kafkaclient

import (
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/raftconnect/raftconnect/internal/devbroker"
)

// BenchmarkProducerModes measures the two ways sarama can keep per-partition order across
// retries, as Kafka Connect's worker producer does (acks=all): the idempotent producer (which
// requires one request in flight and also drops retry duplicates) and a plain producer with one
// request in flight. "five-in-flight" is the unordered reference. Producer() uses the
// idempotent mode: it measures within noise of one-in-flight and is strictly safer.
func BenchmarkProducerModes(b *testing.B) {
	broker, err := devbroker.Start(0, 6)
	if err != nil {
		b.Fatal(err)
	}
	defer broker.Close()
	value := make([]byte, 1024)
	modes := []struct {
		name string
		set  func(*sarama.Config)
	}{
		{"idempotent", func(c *sarama.Config) {}},
		{"one-in-flight", func(c *sarama.Config) { c.Producer.Idempotent = false; c.Net.MaxOpenRequests = 1 }},
		{"five-in-flight-unordered", func(c *sarama.Config) { c.Producer.Idempotent = false; c.Net.MaxOpenRequests = 5 }},
	}
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			cfg := Producer("bench")
			m.set(cfg)
			p, err := sarama.NewAsyncProducer(broker.Addrs(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			topic := fmt.Sprintf("bench-%s-%d", m.name, time.Now().UnixNano())
			done := make(chan int)
			go func() {
				n := 0
				for range p.Successes() {
					n++
					if n == b.N {
						break
					}
				}
				done <- n
			}()
			go func() {
				for e := range p.Errors() {
					b.Error(e)
				}
			}()
			b.SetBytes(int64(len(value)))
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				p.Input() <- &sarama.ProducerMessage{Topic: topic, Value: sarama.ByteEncoder(value)}
			}
			<-done
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
			b.StopTimer()
			p.AsyncClose()
			for range p.Successes() {
			}
		})
	}
}
