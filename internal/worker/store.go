package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/raftconnect/raftconnect/raftstore"
)

// storeOffsets adapts the Raft store to offsetStore. Offsets are JSON in the store; numbers
// come back as int64 when integral so tasks see the types they wrote (Kafka's JsonConverter
// gives Long for integral offsets too).
type storeOffsets struct {
	store  *raftstore.Store
	worker string
}

func (s storeOffsets) ReadOffset(connector string, partition map[string]any) (map[string]any, error) {
	raw, err := json.Marshal(partition)
	if err != nil {
		return nil, fmt.Errorf("source partition %s: %w", describePartition(partition), jsonValueError(err))
	}
	off, ok, err := s.store.Offset(connector, raw)
	if err != nil || !ok {
		return nil, err
	}
	m, err := decodeJSONMap(off)
	if err != nil {
		return nil, fmt.Errorf("stored offset of %s %s: %w", connector, raw, err)
	}
	return m, nil
}

func (s storeOffsets) CommitOffsets(ctx context.Context, id taskID, epoch uint64, offsets []committedOffset) error {
	entries := make([]raftstore.OffsetEntry, 0, len(offsets))
	for _, o := range offsets {
		var val json.RawMessage
		if o.offset == nil {
			val = json.RawMessage("null")
		} else {
			b, err := json.Marshal(o.offset)
			if err != nil {
				return fmt.Errorf("offset %s of source partition %s: %w", describePartition(o.offset), o.key, jsonValueError(err))
			}
			val = b
		}
		entries = append(entries, raftstore.OffsetEntry{Partition: json.RawMessage(o.key), Offset: val})
	}
	task := id.Task
	_, err := s.store.ApplyOne(ctx, raftstore.CommitOffsets{
		Connector: id.Connector, Task: &task,
		Fence:   raftstore.Fence{Worker: s.worker, Epoch: epoch},
		Entries: entries,
	})
	if errors.Is(err, raftstore.ErrFenced) || errors.Is(err, raftstore.ErrNotFound) {
		return fmt.Errorf("%w: %w", errNotOwner, err)
	}
	return err
}

// errNotOwner: the task's offsets were refused because the task is no longer this worker's
// (its connector was deleted or the task moved); retrying cannot help.
var errNotOwner = errors.New("task no longer assigned to this worker")

// decodeJSONMap decodes a JSON object keeping integral numbers as int64.
func decodeJSONMap(raw []byte) (map[string]any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	for k, v := range m {
		m[k] = fromJSONNumber(v)
	}
	return m, nil
}

func fromJSONNumber(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = fromJSONNumber(e)
		}
	case []any:
		for i, e := range x {
			x[i] = fromJSONNumber(e)
		}
	}
	return v
}

// statusWriter batches status updates into few Raft entries: a burst of task state changes
// (a connector with many tasks starting) costs one fsync, not one per task.
type statusWriter struct {
	store *raftstore.Store
	in    chan raftstore.StatusUpdate
	log   *slog.Logger
	limit *logLimiter // a store that is down fails every batch: log that at a bounded rate
	done  chan struct{}

	// mu guards closed: a connector or task that outlived the shutdown deadline may still
	// report, and must not send on the closed channel.
	mu     sync.RWMutex
	closed bool
}

func newStatusWriter(store *raftstore.Store, log *slog.Logger) *statusWriter {
	return &statusWriter{store: store, in: make(chan raftstore.StatusUpdate, 1024), log: log, done: make(chan struct{})}
}

func (w *statusWriter) put(u raftstore.StatusUpdate) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		w.log.Debug("status update after shutdown dropped", "connector", u.Connector, "state", u.State)
		return
	}
	w.in <- u
}

// run writes until in is closed and drained.
func (w *statusWriter) run() {
	defer close(w.done)
	for u := range w.in {
		batch := []raftstore.StatusUpdate{u}
	more:
		for len(batch) < 256 {
			select {
			case u, ok := <-w.in:
				if !ok {
					break more
				}
				batch = append(batch, u)
			default:
				break more
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		res, err := w.store.Apply(ctx, raftstore.PutStatuses{Updates: batch})
		cancel()
		if err != nil {
			w.limit.log(w.log, slog.LevelWarn, "writing statuses failed", "error", err, "count", len(batch))
			continue
		}
		if res[0].Err != nil {
			w.log.Debug("some status updates were rejected", "error", res[0].Err)
		}
	}
}

// close flushes pending updates and stops the writer.
func (w *statusWriter) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.in)
	}
	w.mu.Unlock()
	<-w.done
}
