package verifiable

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"

	"github.com/raftconnect/raftconnect/connect"
)

// output is where a task's JSON lines go: the log at debug level, as a stand-in for the
// standard output Kafka's tasks print to, and the output file when one is configured.
//
// The file is opened with O_APPEND and every write hands whole lines to one write(2), so the
// lines of several tasks appending to the same file never interleave: the kernel moves to the
// end of the file and writes the buffer as one step.
type output struct {
	log *slog.Logger
	msg string // the log message each line is logged under

	mu   sync.Mutex // guards file and closed: CommitRecord runs concurrently with Poll
	path string
	file *os.File // nil when no file is configured or after close
}

// openOutput opens path for appending, creating it if needed; "" means log only.
func openOutput(path string, log *slog.Logger, msg string) (*output, error) {
	o := &output{log: log, msg: msg, path: path}
	if path == "" {
		return o, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s %q for appending: %w", OutputFileConfig, path, err)
	}
	o.file = f
	return o, nil
}

// write logs lines (each ending in '\n') and appends them to the file in one write. After close
// the lines are only logged: a late acknowledgement must not fail a task that has stopped.
func (o *output) write(lines []byte) error {
	if len(lines) == 0 {
		return nil
	}
	if o.log.Enabled(context.Background(), slog.LevelDebug) {
		for start := 0; start < len(lines); {
			end := start
			for end < len(lines) && lines[end] != '\n' {
				end++
			}
			o.log.Debug(o.msg, "json", string(lines[start:end]))
			start = end + 1
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.file == nil {
		return nil
	}
	if _, err := o.file.Write(lines); err != nil {
		return fmt.Errorf("cannot append to %s %q: %w", OutputFileConfig, o.path, err)
	}
	return nil
}

// sync makes what was written durable.
func (o *output) sync() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.file == nil {
		return nil
	}
	if err := o.file.Sync(); err != nil {
		return fmt.Errorf("cannot sync %s %q: %w", OutputFileConfig, o.path, err)
	}
	return nil
}

// close syncs and closes the file. It may be called more than once.
func (o *output) close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.file == nil {
		return nil
	}
	err := o.file.Sync()
	if cerr := o.file.Close(); err == nil {
		err = cerr
	}
	o.file = nil
	if err != nil {
		return fmt.Errorf("cannot close %s %q: %w", OutputFileConfig, o.path, err)
	}
	return nil
}

// badData is the line Kafka's tasks print instead when a value cannot be written as JSON.
func badData(err error) []byte {
	return []byte("Bad data can't be written as json: " + err.Error())
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}

// appendValue appends a Connect value as JSON. Integers, the common case, skip reflection.
// A struct becomes an object of its fields in schema order; Kafka's Jackson cannot write a
// Struct at all, and an object keeps the sequence number readable for CheckFile.
func appendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case int32:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case string:
		return appendString(b, v), nil
	case *connect.Struct:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '{')
		for i, f := range v.Schema().Fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, f.Name)
			b = append(b, ':')
			var err error
			if b, err = appendValue(b, v.GetIndex(i)); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	}
	j, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, j...), nil
}
