package verifiable

import (
	"errors"
	"fmt"
	"maps"
	"strconv"

	"github.com/raftconnect/raftconnect/connect"
)

// outputFileKey is the definition of OutputFileConfig, which both connectors have.
func outputFileKey() connect.ConfigKey {
	return connect.ConfigKey{
		Name:       OutputFileConfig,
		Type:       connect.ConfigString,
		Default:    "",
		Importance: connect.Low,
		Doc: "raftconnect's own setting, not Kafka's: a file each task appends its JSON lines to " +
			"(the lines Kafka's task prints to standard output). Several tasks may share it. " +
			"If not set, the lines are only logged, at debug level",
	}
}

// sourceConfigDef describes the source's keys. Kafka's connector declares none and its task
// fails at start when `topic` or `throughput` is missing or not a number; declaring them lets
// the validate endpoint report those mistakes before anything runs. It returns a fresh
// definition on every call: a ConfigDef is mutable.
func sourceConfigDef() *connect.ConfigDef {
	return connect.NewConfigDef().
		Define(connect.ConfigKey{
			Name:       TopicConfig,
			Type:       connect.ConfigString,
			Required:   true,
			Validator:  connect.NonEmptyString(),
			Importance: connect.High,
			Doc:        "The topic the tasks produce their sequences to",
		}).
		Define(connect.ConfigKey{
			Name:       ThroughputConfig,
			Type:       connect.ConfigLong,
			Required:   true,
			Importance: connect.High,
			Doc: "Records per second each task produces. A negative number means as fast as " +
				"possible; 0 produces one record and then waits until the task stops",
		}).
		Define(connect.ConfigKey{
			Name:       CompleteRecordDataConfig,
			Type:       connect.ConfigBoolean,
			Default:    false,
			Importance: connect.Low,
			Doc: "If true, each record value is a struct of name, task, topic, time_ms and seqno; " +
				"if false, the value is the sequence number alone",
		}).
		Define(outputFileKey())
}

// sinkConfigDef describes the sink's one key; the runtime adds `topics` and the rest.
func sinkConfigDef() *connect.ConfigDef {
	return connect.NewConfigDef().Define(outputFileKey())
}

// idKey is the task number the connectors add to task configurations.
func idKey() connect.ConfigKey {
	return connect.ConfigKey{
		Name:       IDConfig,
		Type:       connect.ConfigInt,
		Required:   true,
		Importance: connect.High,
		Doc:        "The task number, set by the connector",
	}
}

// taskConfigs returns maxTasks copies of config, numbered 0 to maxTasks-1 in `id`, as both of
// Kafka's verifiable connectors do.
func taskConfigs(config map[string]string, maxTasks int) []map[string]string {
	out := make([]map[string]string, maxTasks)
	for i := range out {
		c := maps.Clone(config)
		if c == nil {
			c = map[string]string{}
		}
		c[IDConfig] = strconv.Itoa(i)
		out[i] = c
	}
	return out
}

// errNotStarted is what TaskConfigs returns before Start.
var errNotStarted = errors.New("TaskConfigs called before Start")

// parse validates props against def and returns every problem at once, naming the plugin.
func parse(def *connect.ConfigDef, class string, props map[string]string) (*connect.Config, error) {
	cfg, err := def.Parse(props)
	if err != nil {
		return nil, fmt.Errorf("%s: invalid configuration: %w", class, err)
	}
	return cfg, nil
}
