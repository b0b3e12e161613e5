package runtime

import (
	"encoding/json"
	"reflect"
	"sync"
	"unsafe"
)

// submitted is one source record on its way to Kafka.
type submitted struct {
	part      *partQueue // nil when the record carries no source offset
	offset    map[string]any
	acked     bool
	partition int32 // explicit Kafka partition, or -1
	rec       any   // the original *connect.SourceRecord, for CommitRecord
}

type partQueue struct {
	key       string
	partition map[string]any
	q         []*submitted
}

// CommittedOffset is a source offset ready to be written to the store: every record of its
// source partition up to it has been acknowledged by Kafka.
type CommittedOffset struct {
	Key       string         // the source partition rendered canonically (JSON, sorted keys)
	Partition map[string]any // the source partition
	Offset    map[string]any // nil: the partition's offset is reset
	seq       uint64         // distinguishes successive offsets of one partition
}

// offsetTracker implements Kafka Connect's SubmittedRecords: a source offset becomes
// committable only when its record and every earlier record of the same source partition have
// been acknowledged, so a crash never commits past a record Kafka did not store.
type offsetTracker struct {
	mu      sync.Mutex
	parts   map[string]*partQueue
	pending int
	drained chan struct{} // closed and replaced as pending reaches 0
	ready   map[string]CommittedOffset
	seq     uint64

	// Most tasks reuse one partition map for many records (a file, a table): remember the
	// last map's key so it is rendered once, not per record.
	lastPart unsafe.Pointer
	lastLen  int
	lastKey  string
}

func newOffsetTracker() *offsetTracker {
	return &offsetTracker{parts: map[string]*partQueue{}, drained: make(chan struct{}), ready: map[string]CommittedOffset{}}
}

// partitionKey renders a source partition canonically: encoding/json sorts map keys, so equal
// maps give equal keys.
func partitionKey(p map[string]any) (string, error) {
	b, err := json.Marshal(p)
	return string(b), err
}

// submit records a record in submission order.
func (t *offsetTracker) submit(part map[string]any, offset map[string]any, rec any) (*submitted, error) {
	s := &submitted{offset: offset, partition: -1, rec: rec}
	t.mu.Lock()
	defer t.mu.Unlock()
	if part != nil && offset != nil {
		key := t.lastKey
		if p := reflect.ValueOf(part).UnsafePointer(); p != t.lastPart || len(part) != t.lastLen {
			var err error
			if key, err = partitionKey(part); err != nil {
				return nil, err
			}
			t.lastPart, t.lastLen, t.lastKey = p, len(part), key
		}
		pq := t.parts[key]
		if pq == nil {
			pq = &partQueue{key: key, partition: part}
			t.parts[key] = pq
		}
		pq.q = append(pq.q, s)
		s.part = pq
	}
	t.pending++
	return s, nil
}

// ack marks a record acknowledged (or deliberately dropped) and advances its partition.
func (t *offsetTracker) ack(s *submitted) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.settle(s) {
		return
	}
	pq := s.part
	if pq == nil {
		return
	}
	n := 0
	for n < len(pq.q) && pq.q[n].acked {
		n++
	}
	if n == 0 {
		return
	}
	last := pq.q[n-1]
	t.seq++
	t.ready[pq.key] = CommittedOffset{Key: pq.key, Partition: pq.partition, Offset: last.offset, seq: t.seq}
	clear(pq.q[:n])
	pq.q = pq.q[n:]
	if len(pq.q) == 0 {
		delete(t.parts, pq.key)
		// Later records of this partition get a fresh queue; the old backing array is released.
	}
}

// cancel forgets the most recently submitted record s, which never reached the producer: it
// stops counting as pending and its offset is never committed.
func (t *offsetTracker) cancel(s *submitted) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.settle(s) {
		return
	}
	if pq := s.part; pq != nil && len(pq.q) > 0 && pq.q[len(pq.q)-1] == s {
		pq.q = pq.q[:len(pq.q)-1]
		if len(pq.q) == 0 {
			delete(t.parts, pq.key)
		}
	}
}

// settle marks s as no longer pending; it reports false if it already was. Called with mu held.
func (t *offsetTracker) settle(s *submitted) bool {
	if s.acked {
		return false
	}
	s.acked = true
	t.pending--
	if t.pending == 0 {
		close(t.drained)
		t.drained = make(chan struct{})
	}
	return true
}

// waitDrained returns a channel closed when no record is pending.
func (t *offsetTracker) waitDrained() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pending == 0 {
		c := make(chan struct{})
		close(c)
		return c
	}
	return t.drained
}

// take returns the offsets ready to commit. After a successful write, call done with them so
// that only offsets not superseded meanwhile are forgotten.
func (t *offsetTracker) take() []CommittedOffset {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]CommittedOffset, 0, len(t.ready))
	for _, c := range t.ready {
		out = append(out, c)
	}
	return out
}

func (t *offsetTracker) done(written []CommittedOffset) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, w := range written {
		if cur, ok := t.ready[w.Key]; ok && cur.seq == w.seq {
			delete(t.ready, w.Key)
		}
	}
}
