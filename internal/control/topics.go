package control

// KIP-558 topic tracking: the topics each connector's tasks use.

import (
	"context"
	"maps"
	"slices"
	"sync"

	"github.com/raftconnect/raftconnect/internal/runtime"
	"github.com/raftconnect/raftconnect/restapi"
)

// ConnectorTopics implements restapi.Herder.
func (h *Herder) ConnectorTopics(ctx context.Context, name string) ([]string, error) {
	if !h.cfg.TopicTracking {
		return nil, restapi.Forbidden("Topic tracking is disabled.")
	}
	return h.topics.list(name), nil
}

// ResetConnectorTopics implements restapi.Herder.
func (h *Herder) ResetConnectorTopics(ctx context.Context, name string) error {
	if !h.cfg.TopicTracking {
		return restapi.Forbidden("Topic tracking is disabled.")
	}
	if !h.cfg.TopicTrackingReset {
		return restapi.Forbidden("Topic tracking reset is disabled.")
	}
	// Like Kafka, no existence check: resetting an unknown connector's topics is a no-op.
	h.topics.reset(name)
	return nil
}

// topicTracker records the topics each connector's tasks use, as they report them.
type topicTracker struct {
	enabled bool
	rt      *runtime.Runtime // told to make tasks report their topics again after a reset

	mu     sync.Mutex
	topics map[string]map[string]bool // connector → topics
}

func newTopicTracker(enabled bool) *topicTracker {
	return &topicTracker{enabled: enabled, topics: map[string]map[string]bool{}}
}

// TrackTopic implements runtime.Reporter.
func (t *topicTracker) TrackTopic(connector, topic string) {
	if !t.enabled {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	m := t.topics[connector]
	if m == nil {
		m = map[string]bool{}
		t.topics[connector] = m
	}
	m[topic] = true
}

func (t *topicTracker) list(connector string) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Sorted(maps.Keys(t.topics[connector]))
}

// forget drops a deleted connector's topics.
func (t *topicTracker) forget(connector string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.topics, connector)
}

// reset forgets a connector's topics and has the running tasks report theirs again.
func (t *topicTracker) reset(connector string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.topics, connector)
	t.rt.ResetTopics()
}
