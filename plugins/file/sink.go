package file

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"strings"
	"sync"

	"github.com/raftconnect/raftconnect/connect"
)

// sinkConfigDef describes the sink connector's one key, as Kafka does. The runtime adds its
// own keys (topics, topics.regex, ...) around it.
func sinkConfigDef() *connect.ConfigDef {
	return connect.NewConfigDef().Define(connect.ConfigKey{
		Name:       FileConfig,
		Type:       connect.ConfigString,
		Importance: connect.High,
		Doc:        "Destination filename. If not specified, the standard output will be used",
	})
}

// parseSinkFile returns the configured file name, "" for standard output.
func parseSinkFile(props map[string]string) (string, error) {
	cfg, err := sinkConfigDef().Parse(props)
	if err != nil {
		return "", fmt.Errorf("%s: invalid configuration: %w", SinkConnectorClass, err)
	}
	// Kafka's ConfigDef trims STRING values; connect.ConfigDef keeps them as given.
	return strings.TrimSpace(cfg.String(FileConfig)), nil
}

// SinkConnector is Kafka's FileStreamSinkConnector: it appends record values to one file, or
// writes them to standard output. Its zero value is ready for Start.
type SinkConnector struct {
	config map[string]string
}

var _ connect.SinkConnector = (*SinkConnector)(nil)

// Start checks the configuration and keeps it for TaskConfigs.
func (c *SinkConnector) Start(_ connect.ConnectorContext, config map[string]string) error {
	filename, err := parseSinkFile(config)
	if err != nil {
		return err
	}
	c.config = maps.Clone(config)
	if filename == "" {
		filename = "standard output"
	}
	slog.Info("starting file sink connector", "file", filename)
	return nil
}

// TaskConfigs returns maxTasks identical configurations, as Kafka does. The tasks share the
// consumer group's partitions and all append to the same file; see SinkTask for why their lines
// do not mix.
func (c *SinkConnector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	if c.config == nil {
		return nil, errors.New("file sink connector: TaskConfigs called before Start")
	}
	configs := make([]map[string]string, maxTasks)
	for i := range configs {
		configs[i] = maps.Clone(c.config)
	}
	return configs, nil
}

// Stop has nothing to release.
func (c *SinkConnector) Stop() error { return nil }

// ConfigDef describes `file`.
func (c *SinkConnector) ConfigDef() *connect.ConfigDef { return sinkConfigDef() }

// NewTask returns a fresh SinkTask.
func (c *SinkConnector) NewTask() connect.SinkTask { return new(SinkTask) }

// writeBufferSize is the sink's write buffer; lines longer than it are written directly.
const writeBufferSize = 64 << 10

// SinkTask is Kafka's FileStreamSinkTask. It writes the value of every record as one line:
// strings as they are, a *connect.Struct as Struct{a=1,b=x}, a nil value as "null" (what Java
// prints for null), anything else formatted with fmt's %v.
//
// Put only buffers; Flush writes the buffer out and fsyncs the file, because the runtime
// commits the consumer offsets as soon as Flush returns and a line must not be lost after its
// offset was committed. The file is opened for appending and every write holds whole lines, so
// several tasks appending to one file (tasks.max > 1) never split each other's lines.
//
// The runtime calls Put and Flush from one goroutine; Stop may come from another.
type SinkTask struct {
	mu       sync.Mutex
	filename string        // "" writes to standard output
	file     *os.File      // nil for standard output
	w        *bufio.Writer // nil before Start and after Stop
	scratch  []byte        // reused to format non-string values

	// stdout is what tests write to instead of os.Stdout.
	stdout io.Writer
}

var _ connect.SinkTask = (*SinkTask)(nil)

// Start opens the file for appending, creating it if needed.
func (t *SinkTask) Start(_ connect.SinkTaskContext, config map[string]string) error {
	filename, err := parseSinkFile(config)
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.filename = filename
	if filename == "" {
		out := t.stdout
		if out == nil {
			out = os.Stdout
		}
		t.w = bufio.NewWriterSize(out, writeBufferSize)
		return nil
	}
	f, err := os.OpenFile(filename, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("file sink: couldn't find or create file for %s: %w", SinkTaskClass, err)
	}
	t.file = f
	t.w = bufio.NewWriterSize(f, writeBufferSize)
	slog.Debug("opened file for appending", "task", SinkTaskClass, "file", filename)
	return nil
}

// Put buffers one line per record. An error means the output is broken (a full disk, a closed
// pipe); it fails the task, whose restart reopens the file and receives the records again.
func (t *SinkTask) Put(_ context.Context, records []*connect.SinkRecord) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.w == nil {
		return errors.New("file sink: Put on a task that is not started")
	}
	for _, rec := range records {
		if err := t.writeLine(rec.Value); err != nil {
			return fmt.Errorf("file sink %s: record %s-%d@%d: %w",
				t.describe(), rec.Topic, rec.Partition, rec.Offset, err)
		}
	}
	// Hand the batch to the OS at once, as Kafka's sink does (its PrintStream writes through),
	// so `tail -f` shows lines as they arrive; Flush adds the fsync that makes them durable.
	if err := t.w.Flush(); err != nil {
		return fmt.Errorf("file sink %s: write: %w", t.describe(), err)
	}
	return nil
}

// writeLine appends value and a newline to the buffer. A write to the file never ends inside a
// line: if the line does not fit in what is left of the buffer, the buffer is written out
// first, and a line longer than the whole buffer goes out in one write with its newline.
func (t *SinkTask) writeLine(value any) error {
	var s string
	formatted := false // the line, newline included, is in t.scratch
	switch v := value.(type) {
	case string:
		s = v
	case nil:
		s = "null"
	case *connect.Struct:
		s = "null"
		if v != nil {
			s = v.String()
		}
	default:
		t.scratch = fmt.Appendf(t.scratch[:0], "%v\n", v)
		formatted = true
	}
	size := len(s) + 1
	if formatted {
		size = len(t.scratch)
	}
	if size > t.w.Available() && t.w.Buffered() > 0 {
		if err := t.w.Flush(); err != nil {
			return err
		}
	}
	if size > t.w.Available() && !formatted {
		t.scratch = append(append(t.scratch[:0], s...), '\n')
		formatted = true
	}
	if !formatted {
		t.w.WriteString(s)
		// bufio.Writer errors are sticky: the last write reports any error before it.
		return t.w.WriteByte('\n')
	}
	_, err := t.w.Write(t.scratch)
	if cap(t.scratch) > writeBufferSize {
		t.scratch = nil // do not keep one huge record's memory for the life of the task
	}
	return err
}

// Flush writes out the buffered lines and fsyncs the file. offsets is not needed: every record
// Put received is in the file when Flush returns.
func (t *SinkTask) Flush(_ context.Context, _ map[connect.TopicPartition]int64) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.w == nil {
		return errors.New("file sink: Flush on a task that is not started")
	}
	return t.flush()
}

func (t *SinkTask) flush() error {
	if err := t.w.Flush(); err != nil {
		return fmt.Errorf("file sink %s: write: %w", t.describe(), err)
	}
	if t.file == nil {
		// Standard output may be a pipe or a terminal, which cannot be fsynced.
		return nil
	}
	if err := t.file.Sync(); err != nil {
		return fmt.Errorf("file sink %s: fsync: %w", t.describe(), err)
	}
	return nil
}

// Stop writes out what is buffered and closes the file, as Kafka's task does. Records whose
// offsets were not committed are delivered again after a restart, so at worst a line appears
// twice, which at-least-once delivery allows.
func (t *SinkTask) Stop() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.w == nil {
		return nil
	}
	err := t.flush()
	t.w = nil
	if t.file != nil {
		if cerr := t.file.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("file sink %s: close: %w", t.describe(), cerr)
		}
		t.file = nil
	}
	return err
}

func (t *SinkTask) describe() string {
	if t.filename == "" {
		return "standard output"
	}
	return t.filename
}

// AlterOffsets accepts any offsets: the sink keeps no state of its own, so the consumer group's
// offsets are all there is (Kafka's FileStreamSinkConnector does the same).
func (c *SinkConnector) AlterOffsets(map[string]string, map[connect.TopicPartition]*int64) (bool, error) {
	return true, nil
}
