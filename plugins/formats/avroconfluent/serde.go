package avroconfluent

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats/avro"
)

// serde writes and reads Confluent wire-format messages; the format and the converter share it.
type serde struct {
	reg          *Registry
	cache        *avro.Cache
	autoRegister bool
	useLatest    bool
	// hint is the size of the last message, to allocate the next one at once.
	hint atomic.Int64

	mu      sync.RWMutex
	targets map[targetKey]target
}

// targetKey identifies what one encoded message depends on: the subject (or, for the
// converter, the topic that names it) and the Avro schema derived from the value's schema.
type targetKey struct {
	subjectOrTopic string
	schema         *avro.Schema
}

// target is where values of one targetKey go: the subject, schema id and writer schema.
type target struct {
	subject string
	id      int
	writer  *avro.Schema
}

func newSerde(reg *Registry, opts avro.Options, autoRegister, useLatest bool) *serde {
	return &serde{
		reg: reg, cache: avro.NewCache(opts), autoRegister: autoRegister, useLatest: useLatest,
		targets: map[targetKey]target{},
	}
}

// target finds the id and writer schema for values of key.schema.
func (sd *serde) target(key targetKey, subject func() (string, error)) (target, error) {
	sd.mu.RLock()
	t, ok := sd.targets[key]
	sd.mu.RUnlock()
	if !ok {
		subj, err := subject()
		if err != nil {
			return target{}, err
		}
		t = target{subject: subj, writer: key.schema}
		if !sd.useLatest {
			if t.id, err = sd.reg.ID(subj, key.schema, sd.autoRegister); err != nil {
				return target{}, err
			}
		}
		sd.mu.Lock()
		if len(sd.targets) >= 4096 {
			sd.targets = map[targetKey]target{}
		}
		sd.targets[key] = t
		sd.mu.Unlock()
	}
	if sd.useLatest {
		// The latest version may change; the registry's latest cache decides when to look.
		id, writer, err := sd.reg.Latest(t.subject)
		if err != nil {
			return target{}, err
		}
		t.id, t.writer = id, writer
	}
	return t, nil
}

// encode writes value in the wire format for target t.
func (sd *serde) encode(t target, value any) ([]byte, error) {
	b := AppendHeader(make([]byte, 0, sd.hint.Load()+16), t.id)
	b, err := t.writer.Append(b, value)
	if err != nil {
		return nil, fmt.Errorf("schema id %d: %w", t.id, err)
	}
	sd.hint.Store(int64(len(b)))
	return b, nil
}

// decode reads a wire-format message with the writer schema its id names.
func (sd *serde) decode(data []byte) (*avro.Schema, any, error) {
	id, body, err := SplitHeader(data)
	if err != nil {
		return nil, nil, err
	}
	s, err := sd.reg.SchemaByID(id)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.Decode(body)
	if err != nil {
		return nil, nil, fmt.Errorf("schema id %d: Avro body (offsets after the %d-byte header): %w", id, HeaderSize, err)
	}
	return s, v, nil
}

// schemaOf returns the Avro schema to write a value of Connect schema cs with: the
// configured one, or the one derived from cs.
func (sd *serde) schemaOf(fixed *avro.Schema, cs *connect.Schema, optionName string) (*avro.Schema, error) {
	if fixed != nil {
		return fixed, nil
	}
	if cs == nil {
		return nil, fmt.Errorf("schemaless value: set %s to encode it", optionName)
	}
	return sd.cache.Schema(cs)
}
