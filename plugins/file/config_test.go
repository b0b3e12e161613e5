package file

import (
	"slices"
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
)

func TestSourceConfigValidation(t *testing.T) {
	tests := []struct {
		name   string
		config map[string]string
		// errs maps a key to a fragment of its expected error; keys not listed must be valid.
		errs map[string]string
	}{
		{
			name:   "minimal",
			config: map[string]string{"topic": "lines"},
		},
		{
			name:   "everything",
			config: map[string]string{"file": "/tmp/in.txt", "topic": "lines", "batch.size": "10"},
		},
		{
			name:   "missing topic",
			config: map[string]string{"file": "/tmp/in.txt"},
			errs:   map[string]string{"topic": `Missing required configuration "topic" which has no default value.`},
		},
		{
			name:   "empty topic",
			config: map[string]string{"topic": ""},
			errs:   map[string]string{"topic": "String must be non-empty"},
		},
		{
			name:   "list of topics",
			config: map[string]string{"topic": "a,b"},
			errs:   map[string]string{"topic": "'topic' in FileStreamSourceConnector configuration requires definition of a single topic"},
		},
		{
			name:   "batch size zero",
			config: map[string]string{"topic": "t", "batch.size": "0"},
			errs:   map[string]string{"batch.size": "Invalid value 0 for configuration batch.size: Value must be at least 1"},
		},
		{
			name:   "batch size not a number",
			config: map[string]string{"topic": "t", "batch.size": "many"},
			errs:   map[string]string{"batch.size": "Invalid value many for configuration batch.size: Not a number of type INT"},
		},
		{
			name:   "every error at once",
			config: map[string]string{"topic": "a,b", "batch.size": "-1"},
			errs: map[string]string{
				"topic":      "single topic",
				"batch.size": "Value must be at least 1",
			},
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
			// The task checks its configuration too: it may run on a worker that did not
			// start the connector.
			task := new(SourceTask)
			if err := task.Start(nil, tt.config); (err != nil) != (len(tt.errs) > 0) {
				t.Errorf("task Start error %v, want error: %v", err, len(tt.errs) > 0)
			}
			task.Stop()
		})
	}
}

func TestSourceConfigParsed(t *testing.T) {
	cfg, err := parseSourceConfig(map[string]string{"topic": " lines ", "file": " in.txt"})
	if err != nil {
		t.Fatal(err)
	}
	// Trimmed as Kafka trims STRING values; batch.size defaults to Kafka's 2000.
	want := sourceConfig{filename: "in.txt", topic: "lines", batchSize: 2000}
	if cfg != want {
		t.Errorf("parsed %+v, want %+v", cfg, want)
	}
}

// keyInfo is what the REST API shows of a key.
type keyInfo struct {
	Name       string
	Type       connect.ConfigType
	Required   bool
	Default    any
	Importance connect.Importance
	Doc        string
}

func describeKeys(def *connect.ConfigDef) []keyInfo {
	var out []keyInfo
	for _, k := range def.Keys() {
		out = append(out, keyInfo{k.Name, k.Type, k.Required, k.Default, k.Importance, k.Doc})
	}
	return out
}

func TestConfigDefsMatchKafka(t *testing.T) {
	source := []keyInfo{
		{"file", connect.ConfigString, false, nil, connect.High, "Source filename. If not specified, the standard input will be used"},
		{"topic", connect.ConfigString, true, nil, connect.High, "The topic to publish data to"},
		{"batch.size", connect.ConfigInt, false, 2000, connect.Low, "The maximum number of records the source task can read from the file each time it is polled"},
	}
	if got := describeKeys(new(SourceConnector).ConfigDef()); !slices.Equal(got, source) {
		t.Errorf("source keys:\n got %+v\nwant %+v", got, source)
	}
	sink := []keyInfo{
		{"file", connect.ConfigString, false, nil, connect.High, "Destination filename. If not specified, the standard output will be used"},
	}
	if got := describeKeys(new(SinkConnector).ConfigDef()); !slices.Equal(got, sink) {
		t.Errorf("sink keys:\n got %+v\nwant %+v", got, sink)
	}
}

func TestConfigDefIsNotShared(t *testing.T) {
	var c SourceConnector
	c.ConfigDef().Define(connect.ConfigKey{Name: "extra", Type: connect.ConfigString})
	if _, ok := c.ConfigDef().Key("extra"); ok {
		t.Error("a key defined on one ConfigDef() result shows up in the next")
	}
}

func TestSinkConfigValidation(t *testing.T) {
	var c SinkConnector
	for _, config := range []map[string]string{{}, {"file": "/tmp/out.txt"}} {
		for _, v := range c.ConfigDef().Validate(config) {
			if len(v.Errors) > 0 {
				t.Errorf("config %v: %s: %q", config, v.Name, v.Errors)
			}
		}
		if err := c.Start(nil, config); err != nil {
			t.Errorf("config %v: Start: %v", config, err)
		}
	}
}

func TestSourceTaskConfigs(t *testing.T) {
	var c SourceConnector
	if _, err := c.TaskConfigs(1); err == nil {
		t.Error("TaskConfigs before Start succeeded")
	}
	config := map[string]string{"topic": "t", "file": "in.txt"}
	if err := c.Start(nil, config); err != nil {
		t.Fatal(err)
	}
	config["topic"] = "changed by the caller"
	for _, maxTasks := range []int{1, 5} {
		got, err := c.TaskConfigs(maxTasks)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0]["topic"] != "t" || got[0]["file"] != "in.txt" {
			t.Errorf("TaskConfigs(%d) = %v, want the one configuration given to Start", maxTasks, got)
		}
	}
}

func TestSinkTaskConfigs(t *testing.T) {
	var c SinkConnector
	if err := c.Start(nil, map[string]string{"file": "out.txt", "topics": "a"}); err != nil {
		t.Fatal(err)
	}
	got, err := c.TaskConfigs(3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("TaskConfigs(3) returned %d configurations, want 3 like Kafka", len(got))
	}
	got[0]["file"] = "changed"
	if got[1]["file"] != "out.txt" {
		t.Error("task configurations share one map")
	}
}

func TestRegistered(t *testing.T) {
	tests := []struct {
		names     []string
		class     string
		taskClass string
		typ       connect.PluginType
	}{
		{
			names:     []string{SourceConnectorClass, "FileStreamSourceConnector", "FileStreamSource"},
			class:     SourceConnectorClass,
			taskClass: "org.apache.kafka.connect.file.FileStreamSourceTask",
			typ:       connect.PluginSource,
		},
		{
			names:     []string{SinkConnectorClass, "FileStreamSinkConnector", "FileStreamSink"},
			class:     SinkConnectorClass,
			taskClass: "org.apache.kafka.connect.file.FileStreamSinkTask",
			typ:       connect.PluginSink,
		},
	}
	for _, tt := range tests {
		for _, name := range tt.names {
			p, err := connect.LookupType(name, tt.typ)
			if err != nil {
				t.Errorf("LookupType(%q): %v", name, err)
				continue
			}
			if p.Class != tt.class || p.TaskClass != tt.taskClass || p.Version != Version {
				t.Errorf("LookupType(%q) = class %s, task %s, version %q", name, p.Class, p.TaskClass, p.Version)
			}
			if a, b := p.New(), p.New(); a == b {
				t.Errorf("%s: New returned the same instance twice", name)
			}
		}
	}
}
