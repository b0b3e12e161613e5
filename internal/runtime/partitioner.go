package runtime

import (
	"sync/atomic"

	"github.com/IBM/sarama"
)

// partitioner places source records as Kafka's Java producer does, so that keyed records land
// on the same partitions whether a Java or a raftconnect worker wrote them: an explicit
// partition wins, a key is hashed with murmur2, and records without a key are spread round
// robin.
type partitioner struct{ next atomic.Uint32 }

func newPartitioner(topic string) sarama.Partitioner { return &partitioner{} }

func (p *partitioner) Partition(msg *sarama.ProducerMessage, numPartitions int32) (int32, error) {
	if s, ok := msg.Metadata.(*submitted); ok && s.partition >= 0 {
		if s.partition >= numPartitions {
			return 0, sarama.ErrInvalidPartition
		}
		return s.partition, nil
	}
	if msg.Key == nil {
		return int32(p.next.Add(1) % uint32(numPartitions)), nil
	}
	key, err := msg.Key.Encode()
	if err != nil {
		return 0, err
	}
	return int32((murmur2(key) & 0x7fffffff) % uint32(numPartitions)), nil
}

func (p *partitioner) RequiresConsistency() bool { return true }

// murmur2 is Kafka's Utils.murmur2 (seed 0x9747b28c), used by its default partitioner.
func murmur2(data []byte) uint32 {
	const (
		seed uint32 = 0x9747b28c
		m    uint32 = 0x5bd1e995
		r           = 24
	)
	length := len(data)
	h := seed ^ uint32(length)
	n := length / 4
	for i := 0; i < n; i++ {
		k := uint32(data[i*4]) | uint32(data[i*4+1])<<8 | uint32(data[i*4+2])<<16 | uint32(data[i*4+3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	tail := data[n*4:]
	switch len(tail) {
	case 3:
		h ^= uint32(tail[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(tail[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(tail[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return h
}
