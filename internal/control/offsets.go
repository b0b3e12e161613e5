package control

// Reading, altering and resetting connector offsets: source offsets in the store, sink
// offsets in the connector's consumer group.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"

	"github.com/IBM/sarama"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/internal/runtime"
	"github.com/raftconnect/raftconnect/raftstore"
	"github.com/raftconnect/raftconnect/restapi"
)

// ConnectorOffsets implements restapi.Herder: source offsets from the store, sink offsets from
// the connector's consumer group.
func (h *Herder) ConnectorOffsets(ctx context.Context, name string) (restapi.ConnectorOffsets, error) {
	c, err := h.connectorState(name)
	if err != nil {
		return restapi.ConnectorOffsets{}, err
	}
	out := restapi.ConnectorOffsets{Offsets: []restapi.ConnectorOffset{}}
	if connectorType(c.Config) == restapi.ConnectorTypeSink {
		offs, err := h.sinkOffsets(name, c.Config)
		if err != nil {
			return out, err
		}
		for _, tp := range sortedTPKeys(offs) {
			out.Offsets = append(out.Offsets, restapi.ConnectorOffset{
				Partition: map[string]any{"kafka_topic": tp.Topic, "kafka_partition": tp.Partition},
				Offset:    map[string]any{"kafka_offset": offs[tp]},
			})
		}
		return out, nil
	}
	for _, e := range h.store.Offsets(name) {
		p, err := decodeJSONMap(e.Partition)
		if err != nil {
			return out, fmt.Errorf("stored partition %s: %w", e.Partition, err)
		}
		o, err := decodeJSONMap(e.Offset)
		if err != nil {
			return out, fmt.Errorf("stored offset %s: %w", e.Offset, err)
		}
		out.Offsets = append(out.Offsets, restapi.ConnectorOffset{Partition: p, Offset: o})
	}
	return out, nil
}

func sortedTPKeys(m map[connect.TopicPartition]int64) []connect.TopicPartition {
	keys := slices.Collect(maps.Keys(m))
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].Topic < keys[j].Topic || keys[i].Topic == keys[j].Topic && keys[i].Partition < keys[j].Partition
	})
	return keys
}

func sinkGroup(name string, config map[string]string) string {
	if g := config["consumer.override.group.id"]; g != "" {
		return g
	}
	return "connect-" + name
}

func (h *Herder) sinkOffsets(name string, config map[string]string) (map[connect.TopicPartition]int64, error) {
	admin, client, err := h.clients.Admin(config)
	if err != nil {
		return nil, err
	}
	defer client.Close()
	resp, err := admin.ListConsumerGroupOffsets(sinkGroup(name, config), nil)
	if errors.Is(err, sarama.ErrGroupIDNotFound) {
		return map[connect.TopicPartition]int64{}, nil // never consumed, or reset
	}
	if err != nil {
		return nil, fmt.Errorf("reading offsets of consumer group %s: %w", sinkGroup(name, config), err)
	}
	out := map[connect.TopicPartition]int64{}
	for topic, parts := range resp.Blocks {
		for p, b := range parts {
			if b.Offset >= 0 {
				out[connect.TopicPartition{Topic: topic, Partition: p}] = b.Offset
			}
		}
	}
	return out, nil
}

// checkStopped enforces Kafka's precondition for offset changes.
func (h *Herder) checkStopped(name string) (raftstore.ConnectorState, error) {
	c, err := h.connectorState(name)
	if err != nil {
		return c, err
	}
	if c.Target != raftstore.TargetStopped || len(c.Tasks) > 0 {
		return c, restapi.BadRequest("Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/%s/stop' endpoint", name)
	}
	return c, nil
}

// AlterConnectorOffsets implements restapi.Herder.
func (h *Herder) AlterConnectorOffsets(ctx context.Context, name string, offsets restapi.ConnectorOffsets) (restapi.Message, error) {
	c, err := h.checkStopped(name)
	if err != nil {
		return restapi.Message{}, err
	}
	if connectorType(c.Config) == restapi.ConnectorTypeSink {
		offs, err := parseSinkOffsets(offsets)
		if err != nil {
			return restapi.Message{}, err
		}
		handled, err := sinkAlterHook(c.Config, offs)
		if err != nil {
			return restapi.Message{}, err
		}
		if err := h.writeSinkOffsets(name, c.Config, offs); err != nil {
			return restapi.Message{}, err
		}
		return offsetsMessage("altered", handled), nil
	}
	var entries []raftstore.OffsetEntry
	var hookOffsets []connect.SourceOffset
	for _, o := range offsets.Offsets {
		if o.Partition == nil {
			return restapi.Message{}, restapi.BadRequest("The partition for a source connector offset must be a non-null JSON object")
		}
		if err := primitiveMap(o.Partition); err != nil {
			return restapi.Message{}, fmt.Errorf("partition %v: %w", o.Partition, err)
		}
		if err := primitiveMap(o.Offset); err != nil {
			return restapi.Message{}, fmt.Errorf("offset %v: %w", o.Offset, err)
		}
		pb, _ := json.Marshal(o.Partition)
		ob := json.RawMessage("null")
		if o.Offset != nil {
			ob, _ = json.Marshal(o.Offset)
		}
		entries = append(entries, raftstore.OffsetEntry{Partition: pb, Offset: ob})
		hookOffsets = append(hookOffsets, connect.SourceOffset{Partition: o.Partition, Offset: o.Offset})
	}
	handled, err := sourceAlterHook(c.Config, hookOffsets)
	if err != nil {
		return restapi.Message{}, err
	}
	if _, err := h.commitOffsetsNow(ctx, name, entries); err != nil {
		return restapi.Message{}, err
	}
	return offsetsMessage("altered", handled), nil
}

// alterHook lets the connector check (and apply externally) offsets a user alters or resets,
// as Kafka's alterOffsets does: an error rejects the request with 400, and the result picks
// the message.
func alterHook(config map[string]string, call func(connect.Connector) (implemented, handled bool, err error)) (bool, error) {
	p, err := connect.Lookup(config[runtime.KeyConnectorClass])
	if err != nil {
		return false, err
	}
	var implemented, handled bool
	err = runtime.SafeCall("Connector.AlterOffsets", func() error {
		var err error
		implemented, handled, err = call(p.New().(connect.Connector))
		return err
	})
	if err != nil {
		return false, restapi.BadRequest("The connector rejected the offsets: %v", err)
	}
	return implemented && handled, nil
}

// sinkAlterHook runs a sink connector's SinkOffsetAlterer, if it has one.
func sinkAlterHook(config map[string]string, offs map[connect.TopicPartition]*int64) (bool, error) {
	return alterHook(config, func(conn connect.Connector) (bool, bool, error) {
		a, ok := conn.(connect.SinkOffsetAlterer)
		if !ok {
			return false, false, nil
		}
		h, err := a.AlterOffsets(maps.Clone(config), offs)
		return true, h, err
	})
}

// sourceAlterHook runs a source connector's SourceOffsetAlterer, if it has one.
func sourceAlterHook(config map[string]string, offs []connect.SourceOffset) (bool, error) {
	return alterHook(config, func(conn connect.Connector) (bool, bool, error) {
		a, ok := conn.(connect.SourceOffsetAlterer)
		if !ok {
			return false, false, nil
		}
		h, err := a.AlterOffsets(maps.Clone(config), offs)
		return true, h, err
	})
}

// offsetsMessage is Kafka's answer to an offsets change: short when the connector said it
// handled everything, else the warning that external offsets are untouched.
func offsetsMessage(verb string, handled bool) restapi.Message {
	if handled {
		return restapi.Message{Message: "The offsets for this connector have been " + verb + " successfully"}
	}
	return restapi.Message{Message: "The Connect framework-managed offsets for this connector have been " + verb + " successfully. However, if this connector manages offsets externally, they will need to be manually " + verb + " in the system that the connector uses."}
}

func (h *Herder) commitOffsetsNow(ctx context.Context, name string, entries []raftstore.OffsetEntry) ([]raftstore.Result, error) {
	res, err := h.writer.apply(ctx, raftstore.CommitOffsets{Connector: name, Entries: entries})
	if err != nil {
		return nil, err
	}
	return res, res[0].Err
}

func primitiveMap(m map[string]any) error {
	for k, v := range m {
		switch v.(type) {
		case nil, string, bool, float64, json.Number, int64:
		default:
			return fmt.Errorf("value of %q must be a string, number, boolean or null, not %T", k, v)
		}
	}
	return nil
}

// parseSinkOffsets follows Kafka's SinkUtils.parseSinkConnectorOffsets, messages included:
// partitions need kafka_topic and kafka_partition, offsets are null (reset) or carry
// kafka_offset; numbers may be JSON numbers or strings.
func parseSinkOffsets(offsets restapi.ConnectorOffsets) (map[connect.TopicPartition]*int64, error) {
	out := map[connect.TopicPartition]*int64{}
	for _, o := range offsets.Offsets {
		if o.Partition == nil {
			return nil, restapi.BadRequest("The partition for a sink connector offset cannot be null or missing")
		}
		topicV, hasTopic := o.Partition["kafka_topic"]
		partV, hasPart := o.Partition["kafka_partition"]
		if !hasTopic || !hasPart {
			return nil, restapi.BadRequest("The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'")
		}
		if topicV == nil {
			return nil, restapi.BadRequest("Kafka topic names must be valid strings and may not be null")
		}
		if partV == nil {
			return nil, restapi.BadRequest("Kafka partitions must be valid numbers and may not be null")
		}
		part, err := strconv.ParseInt(javaString(partV), 10, 32)
		if err != nil {
			return nil, restapi.BadRequest("Failed to parse the following Kafka partition value in the provided offsets: '%s'. Partition values for sink connectors need to be integers.", javaString(partV))
		}
		tp := connect.TopicPartition{Topic: javaString(topicV), Partition: int32(part)}
		if o.Offset == nil {
			out[tp] = nil
			continue
		}
		offV, ok := o.Offset["kafka_offset"]
		if !ok {
			return nil, restapi.BadRequest("The offset for a sink connector should either be null or contain the key 'kafka_offset'")
		}
		off, err := strconv.ParseInt(javaString(offV), 10, 64)
		if err != nil {
			return nil, restapi.BadRequest("Failed to parse the following Kafka offset value in the provided offsets: '%s'. Offset values for sink connectors need to be integers.", javaString(offV))
		}
		if off < 0 {
			return nil, restapi.BadRequest("Invalid offset %d for %s-%d: sink connector offsets may not be negative", off, tp.Topic, tp.Partition)
		}
		out[tp] = &off
	}
	return out, nil
}

// javaString renders a decoded JSON value as Java's String.valueOf would (integral numbers
// without a fraction), which is what Kafka parses partition and offset values from.
func javaString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if x == float64(int64(x)) {
			return strconv.FormatInt(int64(x), 10) + ".0"
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

// writeSinkOffsets commits (or, for nil, deletes) consumer group offsets with one
// OffsetCommit request to the group coordinator, checking every partition's answer. The group
// must be empty: the connector is stopped.
func (h *Herder) writeSinkOffsets(name string, config map[string]string, offs map[connect.TopicPartition]*int64) error {
	admin, client, err := h.clients.Admin(config)
	if err != nil {
		return err
	}
	defer client.Close()
	group := sinkGroup(name, config)
	if err := groupIsEmpty(admin, group); err != nil {
		return err
	}
	req := &sarama.OffsetCommitRequest{ConsumerGroup: group, Version: 2, ConsumerGroupGeneration: -1, RetentionTime: -1}
	commits := 0
	for tp, off := range offs {
		parts, err := client.Partitions(tp.Topic)
		if err != nil {
			return fmt.Errorf("topic %s: %w", tp.Topic, err)
		}
		if !slices.Contains(parts, tp.Partition) {
			return fmt.Errorf("topic %s has no partition %d", tp.Topic, tp.Partition)
		}
		if off == nil {
			if err := admin.DeleteConsumerGroupOffset(group, tp.Topic, tp.Partition); err != nil &&
				!errors.Is(err, sarama.ErrGroupIDNotFound) && !errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
				return fmt.Errorf("resetting %s-%d of group %s: %w", tp.Topic, tp.Partition, group, err)
			}
			continue
		}
		req.AddBlock(tp.Topic, tp.Partition, *off, 0, "")
		commits++
	}
	if commits == 0 {
		return nil
	}
	coord, err := client.Coordinator(group)
	if err != nil {
		return fmt.Errorf("finding the coordinator of group %s: %w", group, err)
	}
	resp, err := coord.CommitOffset(req)
	if err != nil {
		return fmt.Errorf("committing offsets of group %s: %w", group, err)
	}
	for topic, parts := range resp.Errors {
		for p, kerr := range parts {
			if kerr != sarama.ErrNoError {
				return fmt.Errorf("committing offset of %s-%d for group %s: %w", topic, p, group, kerr)
			}
		}
	}
	return nil
}

// groupIsEmpty refuses to change a consumer group that still has members, as Kafka does: a
// task that is still stopping would overwrite the new offsets.
func groupIsEmpty(admin sarama.ClusterAdmin, group string) error {
	descs, err := admin.DescribeConsumerGroups([]string{group})
	if err != nil {
		return fmt.Errorf("describing consumer group %s: %w", group, err)
	}
	for _, d := range descs {
		if len(d.Members) > 0 {
			return fmt.Errorf("failed to alter consumer group offsets for connector's group %s: the group is not empty (%d members); wait until the connector's tasks have stopped", group, len(d.Members))
		}
	}
	return nil
}

// ResetConnectorOffsets implements restapi.Herder.
func (h *Herder) ResetConnectorOffsets(ctx context.Context, name string) (restapi.Message, error) {
	c, err := h.checkStopped(name)
	if err != nil {
		return restapi.Message{}, err
	}
	if connectorType(c.Config) == restapi.ConnectorTypeSink {
		admin, client, err := h.clients.Admin(c.Config)
		if err != nil {
			return restapi.Message{}, err
		}
		defer client.Close()
		current, err := h.sinkOffsets(name, c.Config)
		if err != nil {
			return restapi.Message{}, err
		}
		resets := make(map[connect.TopicPartition]*int64, len(current))
		for tp := range current {
			resets[tp] = nil
		}
		handled, err := sinkAlterHook(c.Config, resets)
		if err != nil {
			return restapi.Message{}, err
		}
		if err := admin.DeleteConsumerGroup(sinkGroup(name, c.Config)); err != nil && !errors.Is(err, sarama.ErrGroupIDNotFound) {
			return restapi.Message{}, fmt.Errorf("deleting consumer group %s: %w", sinkGroup(name, c.Config), err)
		}
		return offsetsMessage("reset", handled), nil
	}
	var entries []raftstore.OffsetEntry
	var resets []connect.SourceOffset
	for _, e := range h.store.Offsets(name) {
		entries = append(entries, raftstore.OffsetEntry{Partition: e.Partition, Offset: json.RawMessage("null")})
		p, err := decodeJSONMap(e.Partition)
		if err != nil {
			return restapi.Message{}, fmt.Errorf("stored partition %s: %w", e.Partition, err)
		}
		resets = append(resets, connect.SourceOffset{Partition: p})
	}
	handled, err := sourceAlterHook(c.Config, resets)
	if err != nil {
		return restapi.Message{}, err
	}
	if len(entries) > 0 {
		if _, err := h.commitOffsetsNow(ctx, name, entries); err != nil {
			return restapi.Message{}, err
		}
	}
	return offsetsMessage("reset", handled), nil
}
