// Package devbroker starts an in-memory Kafka broker (franz-go's kfake) that speaks the real
// Kafka wire protocol. `worker --dev` and the tests use it; nothing it stores survives the
// process.
package devbroker

import (
	"fmt"
	"net"
	"strconv"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Broker is a running in-memory broker.
type Broker struct {
	c *kfake.Cluster
}

// Start starts a one-node broker on 127.0.0.1:port (0 picks a free port). Topics are created on
// first use with partitions partitions, as a Kafka broker with auto.create.topics.enable does;
// transactions and consumer groups work.
func Start(port, partitions int) (*Broker, error) {
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(partitions),
		kfake.ClusterID("raftconnect-dev"),
	}
	if port != 0 {
		opts = append(opts, kfake.Ports(port))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("starting the in-memory Kafka broker on port %d: %w", port, err)
	}
	return &Broker{c: c}, nil
}

// Addrs returns the broker's host:port addresses.
func (b *Broker) Addrs() []string { return b.c.ListenAddrs() }

// Port returns the port of the first listener.
func (b *Broker) Port() int {
	_, p, _ := net.SplitHostPort(b.c.ListenAddrs()[0])
	n, _ := strconv.Atoi(p)
	return n
}

// Close stops the broker.
func (b *Broker) Close() { b.c.Close() }
