package runtime

import (
	"context"
	"errors"
	"log/slog"
	"strconv"

	"github.com/IBM/sarama"

	"github.com/raftconnect/raftconnect/connect"
)

// deadLetterQueue writes records that failed conversion or transformation to the connector's
// `errors.deadletterqueue.topic.name`, with their original key, value, headers and timestamp,
// plus Kafka Connect's `__connect.errors.*` context headers when enabled.
type deadLetterQueue struct {
	topic    string
	headers  bool
	producer sarama.SyncProducer
	log      *slog.Logger
}

func (d *deadLetterQueue) report(ctx context.Context, id TaskID, m *sarama.ConsumerMessage, stage string, err error) {
	cause := failureCause(err)
	msg := &sarama.ProducerMessage{Topic: d.topic, Timestamp: m.Timestamp}
	if m.Key != nil {
		msg.Key = sarama.ByteEncoder(m.Key)
	}
	if m.Value != nil {
		msg.Value = sarama.ByteEncoder(m.Value)
	}
	for _, h := range m.Headers {
		msg.Headers = append(msg.Headers, sarama.RecordHeader{Key: h.Key, Value: h.Value})
	}
	if d.headers {
		add := func(k, v string) {
			msg.Headers = append(msg.Headers, sarama.RecordHeader{Key: []byte(k), Value: []byte(v)})
		}
		add("__connect.errors.topic", m.Topic)
		add("__connect.errors.partition", strconv.Itoa(int(m.Partition)))
		add("__connect.errors.offset", strconv.FormatInt(m.Offset, 10))
		add("__connect.errors.connector.name", id.Connector)
		add("__connect.errors.task.id", strconv.Itoa(id.Task))
		add("__connect.errors.stage", stage)
		if cause != nil && !errors.Is(cause, errSkipped) {
			add("__connect.errors.exception.class.name", exceptionClass(cause))
			add("__connect.errors.exception.message", cause.Error())
			add("__connect.errors.exception.stacktrace", trace(cause))
		}
	}
	if _, _, perr := d.producer.SendMessage(msg); perr != nil {
		d.log.Error("writing a failed record to the dead letter queue failed", "topic", d.topic, "error", perr)
	}
}

// exceptionClass names a failure as Kafka Connect's header does, with the Java class of the
// matching Kafka exception: tools that read dead letter queues group records by it, and a
// Go type name (*fmt.wrapError) would mean nothing to them.
func exceptionClass(err error) string {
	switch {
	case connect.IsRetriable(err):
		return "org.apache.kafka.connect.errors.RetriableException"
	case errors.As(err, new(*connect.DataError)):
		return "org.apache.kafka.connect.errors.DataException"
	}
	return "org.apache.kafka.connect.errors.ConnectException"
}

func (d *deadLetterQueue) close() {
	if d != nil {
		_ = d.producer.Close()
	}
}
