package control

// The Kafka cluster id shown by GET /.

import (
	"context"
	"errors"
	"time"

	"github.com/IBM/sarama"
)

// kafkaClusterID returns the Kafka cluster id, waiting briefly for the lookup that starts
// with the worker.
func (h *Herder) kafkaClusterID(ctx context.Context) string {
	select {
	case <-h.clusterKnown:
	case <-ctx.Done():
	case <-time.After(2 * time.Second):
	}
	h.clusterMu.Lock()
	defer h.clusterMu.Unlock()
	return h.clusterID
}

// lookupClusterID asks the brokers for their cluster id until it succeeds or ctx is done.
func (h *Herder) lookupClusterID(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		if id, err := h.fetchClusterID(); err == nil {
			h.clusterMu.Lock()
			h.clusterID = id
			h.clusterMu.Unlock()
			close(h.clusterKnown)
			return
		} else {
			h.log.Debug("reading the Kafka cluster id failed", "error", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 10*time.Second)
	}
}

func (h *Herder) fetchClusterID() (string, error) {
	c, err := h.clients.Config("admin", "raftconnect-admin-"+h.node, nil)
	if err != nil {
		return "", err
	}
	c.Net.DialTimeout = 2 * time.Second
	c.Metadata.Retry.Max = 0
	client, err := sarama.NewClient(h.cfg.BootstrapServers, c)
	if err != nil {
		return "", err
	}
	defer client.Close()
	for _, b := range client.Brokers() {
		if err := b.Open(c); err != nil && !errors.Is(err, sarama.ErrAlreadyConnected) {
			continue
		}
		md, err := b.GetMetadata(&sarama.MetadataRequest{Version: 2})
		if err == nil && md.ClusterID != nil {
			return *md.ClusterID, nil
		}
	}
	return "", errors.New("no broker reported a cluster id")
}
