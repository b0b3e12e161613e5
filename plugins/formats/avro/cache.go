package avro

import (
	"sync"

	"github.com/raftconnect/raftconnect/connect"
)

// maxCached bounds a Cache; a producer that builds a new schema per record still hits it by
// structure, and the pointer index is dropped and rebuilt when it grows past this.
const maxCached = 4096

// Cache derives the Avro schema of each Connect schema once. It finds a schema first by
// pointer, then by structure, so that decoders which build a fresh but equal schema for every
// message (schema inference, for instance) still derive and register it once. A Cache is safe
// for concurrent use.
type Cache struct {
	opts   Options
	mu     sync.RWMutex
	byPtr  map[*connect.Schema]*Schema
	byHash map[uint64][]cached
}

type cached struct {
	connect *connect.Schema
	avro    *Schema
}

// NewCache returns an empty cache deriving with opts.
func NewCache(opts Options) *Cache {
	return &Cache{opts: opts, byPtr: map[*connect.Schema]*Schema{}, byHash: map[uint64][]cached{}}
}

// Schema returns the compiled Avro schema of s.
func (c *Cache) Schema(s *connect.Schema) (*Schema, error) {
	c.mu.RLock()
	as, ok := c.byPtr[s]
	c.mu.RUnlock()
	if ok {
		return as, nil
	}
	h := hashSchema(s)
	c.mu.RLock()
	for _, e := range c.byHash[h] {
		if e.connect.Equal(s) {
			as = e.avro
			break
		}
	}
	c.mu.RUnlock()
	if as == nil {
		var err error
		if as, err = FromConnect(s, c.opts); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byPtr) >= maxCached {
		c.byPtr = map[*connect.Schema]*Schema{}
	}
	c.byPtr[s] = as
	found := false
	for _, e := range c.byHash[h] {
		if e.avro == as {
			found = true
			break
		}
	}
	if !found {
		if len(c.byHash) >= maxCached {
			c.byHash = map[uint64][]cached{}
		}
		c.byHash[h] = append(c.byHash[h], cached{connect: s, avro: as})
	}
	return as, nil
}

// hashSchema hashes the parts of a schema that Equal compares, except default values;
// parameters are combined without regard to order. It allocates nothing: it runs for every
// record whose schema pointer is new.
func hashSchema(s *connect.Schema) uint64 {
	h := fnvHash(fnvOffset)
	h.walk(s, 0)
	return uint64(h)
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

type fnvHash uint64

func (h *fnvHash) byte(c byte) { *h = (*h ^ fnvHash(c)) * fnvPrime }

func (h *fnvHash) str(s string) {
	for i := 0; i < len(s); i++ {
		h.byte(s[i])
	}
	h.byte(0xff)
}

func (h *fnvHash) num(n uint64) {
	for range 8 {
		h.byte(byte(n))
		n >>= 8
	}
}

func (h *fnvHash) walk(s *connect.Schema, depth int) {
	if s == nil || depth > 64 {
		h.byte(0)
		return
	}
	h.str(string(s.Type))
	h.str(s.Name)
	h.str(s.Doc)
	h.num(uint64(s.Version))
	flags := byte(1)
	if s.Optional {
		flags |= 2
	}
	if s.Default != nil {
		flags |= 4
	}
	h.byte(flags)
	var params uint64
	for k, v := range s.Parameters {
		p := fnvHash(fnvOffset)
		p.str(k)
		p.str(v)
		params ^= uint64(p)
	}
	h.num(params)
	h.walk(s.KeySchema, depth+1)
	h.walk(s.ValueSchema, depth+1)
	for _, f := range s.Fields {
		h.str(f.Name)
		h.walk(f.Schema, depth+1)
	}
	h.byte(0xfe)
}
