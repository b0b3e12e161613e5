package jsonformat

// lru is a bounded least-recently-used cache, like Kafka's LRUCache that JsonConverter sizes
// with schemas.cache.size. It is not safe for concurrent use; the converter guards it.
type lru[K comparable, V any] struct {
	capacity int
	m        map[K]*lruEntry[K, V]
	// head is the most recently used entry, tail the least.
	head, tail *lruEntry[K, V]
}

type lruEntry[K comparable, V any] struct {
	key        K
	val        V
	prev, next *lruEntry[K, V]
}

// newLRU returns a cache holding at most capacity entries; capacity <= 0 caches nothing.
func newLRU[K comparable, V any](capacity int) *lru[K, V] {
	return &lru[K, V]{capacity: capacity, m: make(map[K]*lruEntry[K, V])}
}

func (c *lru[K, V]) get(k K) (V, bool) {
	e, ok := c.m[k]
	if !ok {
		var zero V
		return zero, false
	}
	c.touch(e)
	return e.val, true
}

// touch marks e as the most recently used entry.
func (c *lru[K, V]) touch(e *lruEntry[K, V]) {
	if c.head == e {
		return
	}
	c.unlink(e)
	c.pushFront(e)
}

func (c *lru[K, V]) put(k K, v V) {
	if c.capacity <= 0 {
		return
	}
	if e, ok := c.m[k]; ok {
		e.val = v
		c.touch(e)
		return
	}
	e := &lruEntry[K, V]{key: k, val: v}
	c.m[k] = e
	c.pushFront(e)
	for len(c.m) > c.capacity {
		old := c.tail
		c.unlink(old)
		delete(c.m, old.key)
	}
}

func (c *lru[K, V]) len() int { return len(c.m) }

func (c *lru[K, V]) unlink(e *lruEntry[K, V]) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		c.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		c.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

func (c *lru[K, V]) pushFront(e *lruEntry[K, V]) {
	e.next = c.head
	if c.head != nil {
		c.head.prev = e
	}
	c.head = e
	if c.tail == nil {
		c.tail = e
	}
}
