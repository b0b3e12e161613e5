package verifiable

import (
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
)

func TestRegistered(t *testing.T) {
	tests := []struct {
		name      string
		class     string
		typ       connect.PluginType
		taskClass string
	}{
		{"org.apache.kafka.connect.tools.VerifiableSourceConnector", SourceConnectorClass, connect.PluginSource, SourceTaskClass},
		{"VerifiableSourceConnector", SourceConnectorClass, connect.PluginSource, SourceTaskClass},
		{"VerifiableSource", SourceConnectorClass, connect.PluginSource, SourceTaskClass},
		{"org.apache.kafka.connect.tools.VerifiableSinkConnector", SinkConnectorClass, connect.PluginSink, SinkTaskClass},
		{"VerifiableSinkConnector", SinkConnectorClass, connect.PluginSink, SinkTaskClass},
		{"VerifiableSink", SinkConnectorClass, connect.PluginSink, SinkTaskClass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := connect.LookupType(tt.name, tt.typ)
			if err != nil {
				t.Fatal(err)
			}
			if p.Class != tt.class || p.TaskClass != tt.taskClass || p.Version != Version {
				t.Errorf("got class %s, task class %s, version %s; want %s, %s, %s",
					p.Class, p.TaskClass, p.Version, tt.class, tt.taskClass, Version)
			}
			// A fresh instance each time: two connectors of the class must not share state.
			if p.New() == p.New() {
				t.Error("New returned the same instance twice")
			}
		})
	}
}

func TestSourceConfigValidation(t *testing.T) {
	tests := []struct {
		name   string
		config map[string]string
		errs   map[string]string // key -> fragment of its one error; other keys must be valid
	}{
		{name: "Kafka's system test", config: map[string]string{"topic": "test", "throughput": "100", "complete.record.data": "false"}},
		{name: "unthrottled with output file", config: map[string]string{"topic": "t", "throughput": "-1", "output.file": "/tmp/v.jsonl"}},
		{name: "complete record data", config: map[string]string{"topic": "t", "throughput": "0", "complete.record.data": "TRUE"}},
		{
			name:   "nothing",
			config: map[string]string{},
			errs: map[string]string{
				"topic":      `Missing required configuration "topic" which has no default value.`,
				"throughput": `Missing required configuration "throughput" which has no default value.`,
			},
		},
		{
			name:   "empty topic",
			config: map[string]string{"topic": " ", "throughput": "1"},
			errs:   map[string]string{"topic": "String must be non-empty"},
		},
		{
			name:   "throughput not a number",
			config: map[string]string{"topic": "t", "throughput": "fast"},
			errs:   map[string]string{"throughput": "Invalid value fast for configuration throughput: Not a number of type LONG"},
		},
		{
			name:   "complete record data not a boolean",
			config: map[string]string{"topic": "t", "throughput": "1", "complete.record.data": "yes"},
			errs:   map[string]string{"complete.record.data": "Expected value to be either true or false"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c SourceConnector
			for _, v := range c.ConfigDef().Validate(tt.config) {
				want, bad := tt.errs[v.Name]
				switch {
				case !bad && len(v.Errors) > 0:
					t.Errorf("%s: unexpected errors %q", v.Name, v.Errors)
				case bad && (len(v.Errors) != 1 || !strings.Contains(v.Errors[0], want)):
					t.Errorf("%s: errors %q, want one containing %q", v.Name, v.Errors, want)
				}
			}
			err := c.Start(nil, tt.config)
			if (err != nil) != (len(tt.errs) > 0) {
				t.Fatalf("Start error %v, want error: %v", err, len(tt.errs) > 0)
			}
			for _, want := range tt.errs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Start error %q does not mention %q", err, want)
				}
			}
		})
	}
}

// Both connectors number their tasks in `id`, replacing one the user set, and keep every other
// key, as Kafka's do.
func TestTaskConfigsNumbered(t *testing.T) {
	config := map[string]string{"name": "v", "topic": "t", "throughput": "10", "id": "7", "output.file": "/tmp/x"}
	tests := []struct {
		name      string
		connector interface {
			TaskConfigs(int) ([]map[string]string, error)
		}
	}{
		{name: "source", connector: new(SourceConnector)},
		{name: "sink", connector: new(SinkConnector)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.connector.TaskConfigs(1); err == nil || !strings.Contains(err.Error(), "before Start") {
				t.Errorf("TaskConfigs before Start: error %v, want one saying Start was not called", err)
			}
			var err error
			switch c := tt.connector.(type) {
			case *SourceConnector:
				err = c.Start(nil, config)
			case *SinkConnector:
				err = c.Start(nil, config)
			}
			if err != nil {
				t.Fatal(err)
			}
			configs, err := tt.connector.TaskConfigs(3)
			if err != nil {
				t.Fatal(err)
			}
			if len(configs) != 3 {
				t.Fatalf("got %d task configs, want 3", len(configs))
			}
			for i, c := range configs {
				if want := string(rune('0' + i)); c["id"] != want {
					t.Errorf("task %d: id %q, want %q", i, c["id"], want)
				}
				if c["name"] != "v" || c["output.file"] != "/tmp/x" {
					t.Errorf("task %d: config %v lost the connector's keys", i, c)
				}
			}
			configs[0]["topic"] = "changed"
			if config["topic"] != "t" || configs[1]["topic"] != "t" {
				t.Error("task configs share their maps with each other or the connector config")
			}
		})
	}
}

func TestTaskStartErrors(t *testing.T) {
	missingDir := tempFile(t) + "/no/such/dir/out.jsonl"
	tests := []struct {
		name   string
		task   func(map[string]string) error
		config map[string]string
		want   string
	}{
		{
			name:   "source without id",
			task:   func(c map[string]string) error { return new(SourceTask).Start(nil, c) },
			config: map[string]string{"topic": "t", "throughput": "1"},
			want:   `org.apache.kafka.connect.tools.VerifiableSourceTask: invalid configuration: Missing required configuration "id"`,
		},
		{
			name:   "sink id not a number",
			task:   func(c map[string]string) error { return new(SinkTask).Start(nil, c) },
			config: map[string]string{"id": "first"},
			want:   "Invalid value first for configuration id: Not a number of type INT",
		},
		{
			name:   "source output file cannot be created",
			task:   func(c map[string]string) error { return new(SourceTask).Start(nil, c) },
			config: map[string]string{"name": "src", "id": "2", "topic": "t", "throughput": "1", "output.file": missingDir},
			want:   `verifiable source task src-2: cannot open output.file "` + missingDir + `" for appending`,
		},
		{
			name:   "sink output file cannot be created",
			task:   func(c map[string]string) error { return new(SinkTask).Start(nil, c) },
			config: map[string]string{"name": "snk", "id": "0", "output.file": missingDir},
			want:   `verifiable sink task snk-0: cannot open output.file "` + missingDir + `" for appending`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.task(tt.config)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
