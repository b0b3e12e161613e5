package file

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"

	"github.com/raftconnect/raftconnect/connect"
)

// sourceConfigDef describes the source connector's keys exactly as Kafka does (names, types,
// defaults, importance and documentation), because the REST validate endpoint shows them to
// users. It returns a fresh definition on every call: a ConfigDef is mutable, and a shared one
// would be global state.
func sourceConfigDef() *connect.ConfigDef {
	return connect.NewConfigDef().
		Define(connect.ConfigKey{
			Name:       FileConfig,
			Type:       connect.ConfigString,
			Importance: connect.High,
			Doc:        "Source filename. If not specified, the standard input will be used",
		}).
		Define(connect.ConfigKey{
			Name:       TopicConfig,
			Type:       connect.ConfigString,
			Required:   true,
			Validator:  connect.AllOf(connect.NonEmptyString(), singleTopic()),
			Importance: connect.High,
			Doc:        "The topic to publish data to",
		}).
		Define(connect.ConfigKey{
			Name:    BatchSizeConfig,
			Type:    connect.ConfigInt,
			Default: DefaultBatchSize,
			// Kafka accepts any int here; a batch of zero records would never make progress.
			Validator:  connect.AtLeast(1),
			Importance: connect.Low,
			Doc:        "The maximum number of records the source task can read from the file each time it is polled",
		})
}

// singleTopic rejects a comma-separated list of topics: every line goes to one topic. The
// message is the one Kafka's FileStreamSourceConnector gave when `topic` was a list.
func singleTopic() connect.Validator {
	return connect.ValidatorFunc(func(name string, v any) error {
		if s, ok := v.(string); ok && strings.Contains(s, ",") {
			return fmt.Errorf("Invalid value %s for configuration %s: "+
				"'topic' in FileStreamSourceConnector configuration requires definition of a single topic", s, name)
		}
		return nil
	})
}

// sourceConfig is the parsed configuration shared by the connector and its task.
type sourceConfig struct {
	filename  string // "" reads standard input
	topic     string
	batchSize int
}

// parseSourceConfig validates props against the definition and returns every problem at once.
func parseSourceConfig(props map[string]string) (sourceConfig, error) {
	cfg, err := sourceConfigDef().Parse(props)
	if err != nil {
		return sourceConfig{}, fmt.Errorf("%s: invalid configuration: %w", SourceConnectorClass, err)
	}
	return sourceConfig{
		// Kafka's ConfigDef trims STRING values; connect.ConfigDef keeps them as given.
		filename:  strings.TrimSpace(cfg.String(FileConfig)),
		topic:     strings.TrimSpace(cfg.String(TopicConfig)),
		batchSize: cfg.Int(BatchSizeConfig),
	}, nil
}

// describe names the input for log messages.
func (c sourceConfig) describe() string {
	if c.filename == "" {
		return "standard input"
	}
	return c.filename
}

// SourceConnector is Kafka's FileStreamSourceConnector: it reads one file, or standard input,
// with a single task. Its zero value is ready for Start.
type SourceConnector struct {
	config map[string]string
}

var _ connect.SourceConnector = (*SourceConnector)(nil)

// Start checks the configuration, so that a mistake fails the connector at once rather than
// its task later, and keeps it for TaskConfigs.
func (c *SourceConnector) Start(_ connect.SourceConnectorContext, config map[string]string) error {
	cfg, err := parseSourceConfig(config)
	if err != nil {
		return err
	}
	// The runtime owns config and may reuse it; keep a copy.
	c.config = maps.Clone(config)
	slog.Info("starting file source connector", "file", cfg.describe(), "topic", cfg.topic)
	return nil
}

// TaskConfigs returns one task configuration whatever maxTasks is: a file has one reading
// position, and one reader keeps its lines in order.
func (c *SourceConnector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	if c.config == nil {
		return nil, errors.New("file source connector: TaskConfigs called before Start")
	}
	return []map[string]string{maps.Clone(c.config)}, nil
}

// Stop has nothing to release: the connector watches nothing in the background.
func (c *SourceConnector) Stop() error { return nil }

// ConfigDef describes `file`, `topic` and `batch.size`.
func (c *SourceConnector) ConfigDef() *connect.ConfigDef { return sourceConfigDef() }

// NewTask returns a fresh SourceTask.
func (c *SourceConnector) NewTask() connect.SourceTask { return new(SourceTask) }

// AlterOffsets checks offsets set through the REST API, as Kafka's FileStreamSourceConnector
// does: the partition names the file and the offset is a non-negative byte position. The
// connector keeps no offsets of its own, so the runtime's copy is everything.
func (c *SourceConnector) AlterOffsets(_ map[string]string, offsets []connect.SourceOffset) (bool, error) {
	for _, o := range offsets {
		if _, ok := o.Partition[FilenameField].(string); !ok {
			return false, fmt.Errorf("the partition of a file source offset must contain the key %q naming the file, got %v", FilenameField, o.Partition)
		}
		if o.Offset == nil {
			continue // a reset
		}
		pos, ok := o.Offset[PositionField]
		if !ok {
			return false, fmt.Errorf("the offset of a file source partition must contain the key %q, got %v", PositionField, o.Offset)
		}
		var n int64
		switch v := pos.(type) {
		case int64:
			n = v
		case float64:
			if v != float64(int64(v)) {
				return false, fmt.Errorf("offset %q must be an integer byte position, got %v", PositionField, v)
			}
			n = int64(v)
		default:
			return false, fmt.Errorf("offset %q must be an integer byte position, got %v (%T)", PositionField, pos, pos)
		}
		if n < 0 {
			return false, fmt.Errorf("offset %q must not be negative, got %d", PositionField, n)
		}
	}
	return true, nil
}
