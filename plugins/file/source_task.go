package file

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"sync"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// How Poll waits for data. Kafka's task sleeps a full second whenever it finds nothing; this
// one looks again every pollInterval, so a line appended to the file is picked up within
// ~100 ms, and gives up after maxPollWait so the runtime gets control back regularly.
const (
	defaultPollInterval = 100 * time.Millisecond
	defaultMaxPollWait  = time.Second
)

// SourceTask is Kafka's FileStreamSourceTask. It tails a file (or reads standard input) and
// turns every complete line into a record with a STRING value. Lines end at "\n", "\r\n" or a
// lone "\r"; a last line without its terminator waits until the terminator is written, because
// the writer may still be in the middle of it.
//
// Each record carries the source partition {"filename": path} and the source offset
// {"position": p}, p being the byte position just after the line, as an int64. When the task
// starts it asks the runtime for the last committed offset of its file and continues from
// there: lines before it are not produced again, lines after it are not lost. Standard input
// has no position, so its records carry no partition or offset and nothing is resumed.
//
// The task keeps reading the file it opened: like Kafka's, it does not notice a log rotation
// (the file renamed and a new one created under the name) and does not reopen the file.
//
// One goroutine calls Poll; Stop may be called from another one and makes a waiting Poll
// return at once, as cancelling Poll's context does.
type SourceTask struct {
	cfg sourceConfig
	log *slog.Logger
	// partition is the source partition of every record. The runtime only reads partition
	// maps, so all records share this one instead of allocating one per line.
	partition map[string]any
	// startPos is the committed position read at Start; Poll seeks there when it opens the file.
	startPos int64

	// Used only by the goroutine calling Poll.
	in            io.Reader // the open file or the standard input pump; nil until opened
	lines         lineReader
	pos           int64 // byte position after the last line returned
	warnedMissing bool  // logged once that the file does not exist yet

	mu      sync.Mutex    // guards file and closing stopped
	file    *os.File      // the open file, closed by Stop; nil for standard input
	stopped chan struct{} // closed by Stop

	// Settings tests change; zero values mean os.Stdin and the defaults above.
	stdin        io.Reader
	pollInterval time.Duration
	maxPollWait  time.Duration
}

var _ connect.SourceTask = (*SourceTask)(nil)

// Start parses the task configuration and reads the committed position of the file. The file
// itself is opened by Poll, because it may not exist yet.
func (t *SourceTask) Start(ctx connect.SourceTaskContext, config map[string]string) error {
	cfg, err := parseSourceConfig(config)
	if err != nil {
		return err
	}
	t.cfg = cfg
	t.log = slog.Default().With("task", SourceTaskClass, "file", cfg.describe(), "topic", cfg.topic)
	t.mu.Lock()
	t.stopped = make(chan struct{})
	t.mu.Unlock()
	if t.pollInterval <= 0 {
		t.pollInterval = defaultPollInterval
	}
	if t.maxPollWait <= 0 {
		t.maxPollWait = defaultMaxPollWait
	}
	if cfg.filename == "" {
		return nil
	}
	t.partition = map[string]any{FilenameField: cfg.filename}
	t.startPos, err = committedPosition(ctx, cfg.filename)
	if err != nil {
		return err
	}
	if t.startPos > 0 {
		t.log.Info("resuming from committed offset", "position", t.startPos)
	}
	return nil
}

// committedPosition returns the position stored in the last committed offset of filename, or
// 0 if there is none.
func committedPosition(ctx connect.SourceTaskContext, filename string) (int64, error) {
	if ctx == nil || ctx.OffsetReader() == nil {
		return 0, nil
	}
	offset, err := ctx.OffsetReader().Offset(map[string]any{FilenameField: filename})
	if err != nil {
		return 0, fmt.Errorf("file source %s: read committed offset: %w", filename, err)
	}
	v, ok := offset[PositionField]
	if !ok || v == nil {
		return 0, nil
	}
	pos, err := toPosition(v)
	if err != nil {
		return 0, fmt.Errorf("file source %s: committed offset %q: %w", filename, PositionField, err)
	}
	return pos, nil
}

// toPosition accepts the forms an int64 may take after a trip through an offset store: the
// int64 the task wrote, another integer type, an integral float64 (encoding/json's default) or
// a json.Number.
func toPosition(v any) (int64, error) {
	var pos int64
	switch n := v.(type) {
	case int64:
		pos = n
	case int:
		pos = int64(n)
	case int32:
		pos = int64(n)
	case float64:
		if n != math.Trunc(n) || n < 0 || n >= math.MaxInt64 { // MaxInt64 rounds up to 2^63
			return 0, fmt.Errorf("position %v is not a byte position", n)
		}
		pos = int64(n)
	case json.Number:
		p, err := n.Int64()
		if err != nil {
			return 0, fmt.Errorf("position %q is not a byte position", n.String())
		}
		pos = p
	default:
		// Kafka: "Offset position is the incorrect type".
		return 0, fmt.Errorf("offset position is the incorrect type %T", v)
	}
	if pos < 0 {
		return 0, fmt.Errorf("position %d is negative", pos)
	}
	return pos, nil
}

// Poll returns the complete lines written since the last call, at most batch.size of them.
// When there are none it checks again every ~100 ms and returns an empty batch after about a
// second, or as soon as ctx is done or Stop is called. A file that does not exist yet is
// waited for the same way.
func (t *SourceTask) Poll(ctx context.Context) ([]*connect.SourceRecord, error) {
	deadline := time.Now().Add(t.maxPollWait)
	for {
		if t.in == nil {
			opened, err := t.open()
			if err != nil {
				return nil, err
			}
			if !opened {
				if !t.wait(ctx, deadline) {
					return nil, nil
				}
				continue
			}
		}
		recs, err := t.readBatch()
		if err != nil || len(recs) > 0 {
			return recs, err
		}
		if !t.wait(ctx, deadline) {
			return nil, nil
		}
	}
}

// open opens the input. It reports false, without an error, while the file does not exist or
// after Stop.
func (t *SourceTask) open() (bool, error) {
	if t.cfg.filename == "" {
		if t.isStopped() {
			return false, nil
		}
		stdin := t.stdin
		if stdin == nil {
			stdin = os.Stdin
		}
		t.in = startPump(stdin, t.stopped)
		return true, nil
	}
	f, err := os.Open(t.cfg.filename)
	if errors.Is(err, fs.ErrNotExist) {
		// Kafka waits for a missing file too, so a connector can be created before its input.
		if !t.warnedMissing {
			t.log.Warn("file not found; waiting for it to be created")
			t.warnedMissing = true
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("file source: %w", err)
	}
	if t.startPos > 0 {
		if _, err := f.Seek(t.startPos, io.SeekStart); err != nil {
			f.Close()
			return false, fmt.Errorf("file source %s: seek to committed position %d: %w", t.cfg.filename, t.startPos, err)
		}
		if fi, err := f.Stat(); err == nil && fi.Size() < t.startPos {
			// Reads return nothing until the file grows past the position, as in Kafka.
			t.log.Warn("file is shorter than the committed position; was it truncated or replaced?",
				"size", fi.Size(), "position", t.startPos)
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if isClosed(t.stopped) {
		// Stop ran while the file was being opened; it cannot have closed this one.
		f.Close()
		return false, nil
	}
	t.file, t.in, t.pos = f, f, t.startPos
	t.log.Debug("opened file", "position", t.pos)
	return true, nil
}

// readBatch cuts complete lines from the buffer, reading more as long as the input has data,
// until batch.size records are collected or the input has nothing more for now.
func (t *SourceTask) readBatch() ([]*connect.SourceRecord, error) {
	var recs []*connect.SourceRecord
	now := time.Now()
	for len(recs) < t.cfg.batchSize {
		if line, n, ok := t.lines.next(); ok {
			t.pos += int64(n)
			recs = append(recs, t.record(line, now))
			continue
		}
		n, err := t.lines.fill(t.in)
		switch {
		case n > 0:
			continue
		case err == nil, errors.Is(err, io.EOF):
			// Nothing more for now; a file is only at its end until someone appends.
			return recs, nil
		case errors.Is(err, os.ErrClosed):
			// Stop closed the file under us.
			return recs, nil
		default:
			// The records are dropped with the error: their offsets were never committed, so a
			// restarted task reads them again.
			return nil, fmt.Errorf("file source %s: read at byte %d: %w",
				t.cfg.describe(), t.pos+int64(t.lines.buffered()), err)
		}
	}
	return recs, nil
}

// record builds the record of one line; line aliases the read buffer and is copied.
func (t *SourceTask) record(line []byte, now time.Time) *connect.SourceRecord {
	rec := &connect.SourceRecord{Record: connect.Record{
		Topic:       t.cfg.topic,
		Partition:   connect.PartitionAny,
		ValueSchema: connect.StringSchema,
		Value:       string(line),
		Timestamp:   now,
	}}
	if t.partition != nil {
		rec.SourcePartition = t.partition
		rec.SourceOffset = map[string]any{PositionField: t.pos}
	}
	return rec
}

// wait sleeps one poll interval, but not past deadline. It reports false when Poll should
// return instead: the deadline has passed, ctx is done or the task was stopped.
func (t *SourceTask) wait(ctx context.Context, deadline time.Time) bool {
	d := time.Until(deadline)
	if d <= 0 {
		return false
	}
	timer := time.NewTimer(min(d, t.pollInterval))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	case <-t.stopped:
		return false
	}
}

// Stop closes the file and wakes up a waiting Poll. It may be called more than once.
func (t *SourceTask) Stop() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped != nil && !isClosed(t.stopped) {
		close(t.stopped)
	}
	if t.file == nil {
		return nil
	}
	f := t.file
	t.file = nil
	// A Read running in Poll at this moment fails with os.ErrClosed, which Poll expects.
	if err := f.Close(); err != nil {
		return fmt.Errorf("file source %s: close: %w", t.cfg.filename, err)
	}
	return nil
}

func (t *SourceTask) isStopped() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return isClosed(t.stopped)
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// pump hands standard input to Poll without ever blocking it. A read from a terminal or pipe
// blocks until input arrives and cannot be interrupted, so a goroutine does the reading and
// passes chunks over a channel; pump.Read takes what has arrived and reports io.EOF when
// nothing has, which Poll treats like the end of a file that may still grow.
//
// The goroutine belongs to the task: it stops when the task is stopped, or at the end of the
// input. If it is blocked reading at that moment it exits after that read returns, which for a
// terminal is the next line typed.
type pump struct {
	chunks chan []byte
	err    error // the read error that ended the input; set before chunks is closed
	rest   []byte
}

func startPump(r io.Reader, stop <-chan struct{}) *pump {
	p := &pump{chunks: make(chan []byte, 4)}
	go func() {
		defer close(p.chunks)
		for {
			// A fresh buffer per read: Poll may still be cutting lines from the last chunk.
			buf := make([]byte, 32<<10)
			n, err := r.Read(buf)
			if n > 0 {
				select {
				case p.chunks <- buf[:n]:
				case <-stop:
					return
				}
			}
			if err != nil {
				if !errors.Is(err, io.EOF) {
					p.err = err
				}
				return
			}
		}
	}()
	return p
}

// Read copies input that has already arrived and never blocks.
func (p *pump) Read(b []byte) (int, error) {
	if len(p.rest) == 0 {
		select {
		case chunk, ok := <-p.chunks:
			if !ok {
				if p.err != nil {
					return 0, fmt.Errorf("standard input: %w", p.err)
				}
				return 0, io.EOF
			}
			p.rest = chunk
		default:
			return 0, io.EOF
		}
	}
	n := copy(b, p.rest)
	p.rest = p.rest[n:]
	return n, nil
}
