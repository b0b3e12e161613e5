package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"

	"github.com/raftconnect/raftconnect/internal/kafkaclient"
	"github.com/raftconnect/raftconnect/internal/workerconfig"
)

// Clients is the factory of a worker's Kafka clients: task producers and consumer groups,
// dead letter queue producers and admin clients, configured from the worker's client
// settings and a connector's <kind>.override.* keys.
type Clients struct {
	cfg   *workerconfig.Config
	node  string // names admin clients
	log   *slog.Logger
	limit *LogLimiter
}

// NewClients returns the client factory of a worker; node is its Raft node id.
func NewClients(cfg *workerconfig.Config, node string, log *slog.Logger, limit *LogLimiter) *Clients {
	return &Clients{cfg: cfg, node: node, log: log, limit: limit}
}

// retryConnect calls connect until it succeeds or ctx is done: a broker that is down when a
// task starts delays it instead of failing it for good, as Kafka's clients keep retrying.
func (cl *Clients) retryConnect(ctx context.Context, log *slog.Logger, what string, connect func() error) error {
	retry := newBackoff(500*time.Millisecond, 10*time.Second)
	for {
		err := connect()
		if err == nil {
			return nil
		}
		if isConfigError(err) {
			return err
		}
		wait := retry.next()
		cl.limit.Log(log, slog.LevelWarn, what+" failed; retrying", "error", err, "backoff", wait.Round(time.Millisecond))
		if !sleepCtx(ctx, wait) {
			return ctx.Err()
		}
	}
}

func isConfigError(err error) bool {
	var ce sarama.ConfigurationError
	return errors.As(err, &ce)
}

// Config returns the sarama configuration of a client of kind producer, consumer or admin:
// the worker's settings, then the connector's <kind>.override.* keys (connConfig may be nil).
func (cl *Clients) Config(kind, clientID string, connConfig map[string]string) (*sarama.Config, error) {
	var c *sarama.Config
	switch kind {
	case "producer":
		c = kafkaclient.Producer(clientID)
	case "consumer":
		c = kafkaclient.Consumer(clientID)
	default:
		c = kafkaclient.Admin(clientID)
	}
	if err := kafkaclient.Apply(c, kind, cl.cfg.ClientConfig(kind)); err != nil {
		return nil, err
	}
	override := Prefixed(connConfig, kind+".override.")
	delete(override, "group.id")
	if err := kafkaclient.Apply(c, kind, override); err != nil {
		return nil, fmt.Errorf("connector override: %w", err)
	}
	if kind == "consumer" {
		notes, err := kafkaclient.ConsumerTimeouts(c)
		if err != nil {
			return nil, err
		}
		for _, n := range notes {
			cl.limit.Log(cl.log, slog.LevelWarn, "consumer setting corrected: "+n, "client", clientID)
		}
	}
	return c, nil
}

func (cl *Clients) newProducer(ctx context.Context, id TaskID, connConfig map[string]string, log *slog.Logger) (sarama.AsyncProducer, error) {
	c, err := cl.Config("producer", fmt.Sprintf("connector-producer-%s", id), connConfig)
	if err != nil {
		return nil, err
	}
	c.Producer.Partitioner = newPartitioner
	var p sarama.AsyncProducer
	err = cl.retryConnect(ctx, log, "connecting the producer to Kafka", func() (err error) {
		p, err = sarama.NewAsyncProducer(cl.cfg.BootstrapServers, c)
		return err
	})
	return p, err
}

// newConsumerGroup returns a sink task's client and consumer group member, and the group's
// name.
func (cl *Clients) newConsumerGroup(ctx context.Context, id TaskID, connConfig map[string]string, log *slog.Logger) (sarama.Client, sarama.ConsumerGroup, string, error) {
	c, err := cl.Config("consumer", fmt.Sprintf("connector-consumer-%s", id), connConfig)
	if err != nil {
		return nil, nil, "", err
	}
	c.Consumer.Group.InstanceId = staticMemberID(id, cl.cfg.ClientConfig("consumer"), Prefixed(connConfig, "consumer.override."))
	group := "connect-" + id.Connector
	if g := connConfig["consumer.override.group.id"]; g != "" {
		group = g
	}
	var client sarama.Client
	err = cl.retryConnect(ctx, log, "connecting the consumer to Kafka", func() (err error) {
		client, err = sarama.NewClient(cl.cfg.BootstrapServers, c)
		return err
	})
	if err != nil {
		return nil, nil, "", err
	}
	cg, err := sarama.NewConsumerGroupFromClient(group, client)
	if err != nil {
		client.Close()
		return nil, nil, "", fmt.Errorf("consumer group %s: %w", group, err)
	}
	return client, cg, group, nil
}

// staticMemberID chooses a sink task's group.instance.id. By default every task is a static
// member (KIP-345) with an id of its own, so a task restarted after a crash, here or on
// another worker, takes its dead predecessor's place in the group at once rather than after
// the dead member's session timeout, while every other member keeps its partitions. A
// group.instance.id the user set (worker consumer.* or connector consumer.override.*) is the
// prefix of the tasks' ids, since one id shared by several tasks would make them fence each
// other; set to the empty string it turns static membership off.
func staticMemberID(id TaskID, worker, override map[string]string) string {
	v, set := override["group.instance.id"]
	if !set {
		v, set = worker["group.instance.id"]
	}
	switch {
	case !set:
		return kafkaclient.StaticMemberID("connector-consumer-"+id.Connector, id.Task)
	case strings.TrimSpace(v) == "":
		return ""
	}
	return kafkaclient.StaticMemberID(strings.TrimSpace(v), id.Task)
}

func (cl *Clients) newDLQ(id TaskID, connConfig map[string]string, topic string, log *slog.Logger) (*deadLetterQueue, error) {
	c, err := cl.Config("producer", fmt.Sprintf("connector-dlq-producer-%s", id), connConfig)
	if err != nil {
		return nil, err
	}
	c.Producer.Flush.Bytes, c.Producer.Flush.Frequency = 0, 0
	// The sink loop waits for each DLQ write: retry briefly, then log the failure and go on.
	c.Producer.Retry.Max = 5
	if err := cl.ensureDLQTopic(topic, connConfig); err != nil {
		return nil, err
	}
	p, err := sarama.NewSyncProducer(cl.cfg.BootstrapServers, c)
	if err != nil {
		return nil, fmt.Errorf("dead letter queue producer: %w", err)
	}
	headers, _ := strconv.ParseBool(connConfig[keyDLQHeaders])
	return &deadLetterQueue{topic: topic, headers: headers, producer: p, log: log}, nil
}

// ensureDLQTopic creates the dead letter queue topic with one partition, as Kafka Connect does,
// so failed records stay in the order they failed.
func (cl *Clients) ensureDLQTopic(topic string, connConfig map[string]string) error {
	admin, client, err := cl.Admin(connConfig)
	if err != nil {
		return fmt.Errorf("dead letter queue topic %s: %w", topic, err)
	}
	defer client.Close()
	rf, _ := strconv.Atoi(connConfig[keyDLQRF])
	if rf <= 0 {
		rf = 3
	}
	if n := len(client.Brokers()); rf > n {
		cl.log.Warn("dead letter queue replication factor is larger than the cluster; using the number of brokers", "topic", topic, "replication.factor", rf, "brokers", n)
		rf = n
	}
	err = admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: int16(rf)}, false)
	if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
		return fmt.Errorf("creating dead letter queue topic %s: %w", topic, err)
	}
	return nil
}

// Admin returns an admin client and its underlying client, with the connector's
// admin.override.* keys applied; closing the client closes both.
func (cl *Clients) Admin(connConfig map[string]string) (sarama.ClusterAdmin, sarama.Client, error) {
	c, err := cl.Config("admin", "raftconnect-admin-"+cl.node, connConfig)
	if err != nil {
		return nil, nil, err
	}
	// Offset managers built on this client report failed commits only with Return.Errors.
	c.Consumer.Return.Errors = true
	client, err := sarama.NewClient(cl.cfg.BootstrapServers, c)
	if err != nil {
		return nil, nil, fmt.Errorf("connecting to Kafka: %w", err)
	}
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		client.Close()
		return nil, nil, err
	}
	return admin, client, nil
}
