package runtime

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/raftconnect/raftconnect/connect"
)

// Connector configuration keys the runtime itself understands (Kafka's ConnectorConfig,
// SourceConnectorConfig and SinkConnectorConfig).
const (
	KeyName            = "name"
	KeyConnectorClass  = "connector.class"
	KeyTasksMax        = "tasks.max"
	keyTasksMaxEnf     = "tasks.max.enforce"
	KeyKeyConverter    = "key.converter"
	KeyValueConverter  = "value.converter"
	KeyHeaderConverter = "header.converter"
	KeyTransforms      = "transforms"
	KeyPredicates      = "predicates"
	KeyTopics          = "topics"
	KeyTopicsRegex     = "topics.regex"
	keyTaskClass       = "task.class"
	keyErrTolerance    = "errors.tolerance"
	keyErrRetry        = "errors.retry.timeout"
	keyErrRetryDelay   = "errors.retry.delay.max.ms"
	keyErrLog          = "errors.log.enable"
	keyErrLogMsgs      = "errors.log.include.messages"
	KeyDLQTopic        = "errors.deadletterqueue.topic.name"
	keyDLQRF           = "errors.deadletterqueue.topic.replication.factor"
	keyDLQHeaders      = "errors.deadletterqueue.context.headers.enable"
)

const (
	groupCommon     = "Common"
	GroupTransforms = "Transforms"
	GroupPredicates = "Predicates"
	groupErrors     = "Error Handling"
)

var nameValidator = connect.ValidatorFunc(func(name string, v any) error {
	s, _ := v.(string)
	if s == "" {
		return fmt.Errorf("Invalid value %s for configuration %s: String may not be empty", s, name)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("Invalid value %s for configuration %s: String may not contain control sequences but had the following ASCII chars: %d", s, name, r)
		}
	}
	return nil
})

// commonDef returns the keys every connector has, in Kafka's groups and order.
func commonDef() *connect.ConfigDef {
	d := connect.NewConfigDef()
	d.Define(connect.ConfigKey{Name: KeyName, Type: connect.ConfigString, Required: true, Validator: nameValidator, Importance: connect.High, Group: groupCommon, Order: 1, Width: connect.WidthMedium, DisplayName: "Connector name",
		Doc: "Globally unique name to use for this connector."})
	d.Define(connect.ConfigKey{Name: KeyConnectorClass, Type: connect.ConfigString, Required: true, Importance: connect.High, Group: groupCommon, Order: 2, Width: connect.WidthLong, DisplayName: "Connector class",
		Doc: "Name or alias of the class for this connector, e.g. org.apache.kafka.connect.file.FileStreamSinkConnector, FileStreamSinkConnector or FileStreamSink."})
	d.Define(connect.ConfigKey{Name: KeyTasksMax, Type: connect.ConfigInt, Default: 1, Validator: connect.AtLeast(1), Importance: connect.High, Group: groupCommon, Order: 3, Width: connect.WidthShort, DisplayName: "Tasks max",
		Doc: "Maximum number of tasks to use for this connector."})
	d.Define(connect.ConfigKey{Name: keyTasksMaxEnf, Type: connect.ConfigBoolean, Default: true, Importance: connect.Low, Group: groupCommon, Order: 4, Width: connect.WidthShort, DisplayName: "Enforce tasks max",
		Doc: "(Deprecated) Whether to fail a connector that generates more task configurations than tasks.max."})
	d.Define(connect.ConfigKey{Name: KeyKeyConverter, Type: connect.ConfigClass, Importance: connect.Low, Group: groupCommon, Order: 5, Width: connect.WidthShort, DisplayName: "Key converter class",
		Doc: "Converter for the keys of this connector's records; defaults to the worker's key.converter."})
	d.Define(connect.ConfigKey{Name: KeyValueConverter, Type: connect.ConfigClass, Importance: connect.Low, Group: groupCommon, Order: 6, Width: connect.WidthShort, DisplayName: "Value converter class",
		Doc: "Converter for the values of this connector's records; defaults to the worker's value.converter."})
	d.Define(connect.ConfigKey{Name: KeyHeaderConverter, Type: connect.ConfigClass, Importance: connect.Low, Group: groupCommon, Order: 7, Width: connect.WidthShort, DisplayName: "Header converter class",
		Doc: "Header converter for this connector's records; defaults to the worker's header.converter."})
	d.Define(connect.ConfigKey{Name: "config.action.reload", Type: connect.ConfigString, Default: "restart", Validator: connect.OneOf(true, "none", "restart"), Importance: connect.Low, Group: groupCommon, Order: 8, Width: connect.WidthMedium, DisplayName: "Reload Action",
		Doc: "What the runtime does when configuration provider values change: none or restart."})
	d.Define(connect.ConfigKey{Name: KeyTransforms, Type: connect.ConfigList, Default: []string{}, Validator: uniqueAliases(), Importance: connect.Low, Group: GroupTransforms, Order: 1, Width: connect.WidthLong, DisplayName: "Transforms",
		Doc: "Aliases for the transformations to apply to records, in order."})
	d.Define(connect.ConfigKey{Name: KeyPredicates, Type: connect.ConfigList, Default: []string{}, Validator: uniqueAliases(), Importance: connect.Low, Group: GroupPredicates, Order: 1, Width: connect.WidthLong, DisplayName: "Predicates",
		Doc: "Aliases for the predicates used by transformations."})
	d.Define(connect.ConfigKey{Name: keyErrRetry, Type: connect.ConfigLong, Default: int64(0), Importance: connect.Medium, Group: groupErrors, Order: 1, Width: connect.WidthMedium, DisplayName: "Retry Timeout for Errors",
		Doc: "Maximum milliseconds to retry a failed operation; 0 means no retries, -1 infinite."})
	d.Define(connect.ConfigKey{Name: keyErrRetryDelay, Type: connect.ConfigLong, Default: int64(60000), Importance: connect.Medium, Group: groupErrors, Order: 2, Width: connect.WidthMedium, DisplayName: "Maximum Delay Between Retries for Errors",
		Doc: "Maximum milliseconds between consecutive retries of a failed operation."})
	d.Define(connect.ConfigKey{Name: keyErrTolerance, Type: connect.ConfigString, Default: "none", Validator: connect.OneOf(true, "none", "all"), Importance: connect.Medium, Group: groupErrors, Order: 3, Width: connect.WidthShort, DisplayName: "Error Tolerance",
		Doc: "none fails the task at the first conversion or transformation error; all skips the bad record."})
	d.Define(connect.ConfigKey{Name: keyErrLog, Type: connect.ConfigBoolean, Default: false, Importance: connect.Medium, Group: groupErrors, Order: 4, Width: connect.WidthShort, DisplayName: "Log Errors",
		Doc: "Log each error together with the failed operation and the problematic record."})
	d.Define(connect.ConfigKey{Name: keyErrLogMsgs, Type: connect.ConfigBoolean, Default: false, Importance: connect.Medium, Group: groupErrors, Order: 5, Width: connect.WidthShort, DisplayName: "Log Error Details",
		Doc: "Include the record's key, value and headers in error logs."})
	return d
}

// SourceDef is the framework definition of source connectors.
func SourceDef() *connect.ConfigDef {
	d := commonDef()
	d.Define(connect.ConfigKey{Name: "topic.creation.groups", Type: connect.ConfigList, Default: []string{}, Importance: connect.Low, Group: "Topic Creation", Order: 1, Width: connect.WidthLong, DisplayName: "Topic Creation Groups",
		Doc: "Groups of configurations for topics created by source connectors."})
	d.Define(connect.ConfigKey{Name: "exactly.once.support", Type: connect.ConfigString, Default: "requested", Validator: connect.OneOf(true, "requested", "required"), Importance: connect.Medium, Group: "Exactly Once Support", Order: 1, Width: connect.WidthShort, DisplayName: "Exactly once support",
		Doc: "Whether the connector must provide exactly-once delivery (required) or may run without it (requested)."})
	d.Define(connect.ConfigKey{Name: "transaction.boundary", Type: connect.ConfigString, Default: "poll", Validator: connect.OneOf(true, "poll", "interval", "connector"), Importance: connect.Medium, Group: "Exactly Once Support", Order: 2, Width: connect.WidthShort, DisplayName: "Transaction Boundary",
		Doc: "Transaction boundaries for exactly-once source connectors: poll, interval or connector."})
	d.Define(connect.ConfigKey{Name: "transaction.boundary.interval.ms", Type: connect.ConfigLong, Importance: connect.Low, Group: "Exactly Once Support", Order: 3, Width: connect.WidthShort, DisplayName: "Transaction boundary interval",
		Doc: "Transaction length when transaction.boundary is interval."})
	d.Define(connect.ConfigKey{Name: "offsets.storage.topic", Type: connect.ConfigString, Importance: connect.Low, Group: "offsets.storage", Order: 1, Width: connect.WidthLong, DisplayName: "Offsets topic",
		Doc: "Accepted for compatibility; raftconnect keeps source offsets in its Raft store."})
	return d
}

// SinkDef is the framework definition of sink connectors.
func SinkDef() *connect.ConfigDef {
	d := commonDef()
	d.Define(connect.ConfigKey{Name: KeyTopics, Type: connect.ConfigList, Default: []string{}, Importance: connect.High, Group: groupCommon, Order: 4, Width: connect.WidthLong, DisplayName: "Topics",
		Doc: "List of topics to consume, separated by commas."})
	d.Define(connect.ConfigKey{Name: KeyTopicsRegex, Type: connect.ConfigString, Default: "", Validator: connect.ValidRegex(), Importance: connect.High, Group: groupCommon, Order: 4, Width: connect.WidthLong, DisplayName: "Topics regex",
		Doc: "Regular expression giving the topics to consume; the whole topic name must match."})
	d.Define(connect.ConfigKey{Name: KeyDLQTopic, Type: connect.ConfigString, Default: "", Importance: connect.Medium, Group: groupErrors, Order: 6, Width: connect.WidthMedium, DisplayName: "Dead Letter Queue Topic Name",
		Doc: "Topic that receives records that failed conversion or transformation; empty disables it."})
	d.Define(connect.ConfigKey{Name: keyDLQRF, Type: connect.ConfigShort, Default: 3, Importance: connect.Medium, Group: groupErrors, Order: 7, Width: connect.WidthMedium, DisplayName: "Dead Letter Queue Topic Replication Factor",
		Doc: "Replication factor of the dead letter queue topic when the worker creates it."})
	d.Define(connect.ConfigKey{Name: keyDLQHeaders, Type: connect.ConfigBoolean, Default: false, Importance: connect.Medium, Group: groupErrors, Order: 8, Width: connect.WidthMedium, DisplayName: "Enable Error Context Headers",
		Doc: "Add __connect.errors.* headers describing the error to dead letter queue records."})
	return d
}

func uniqueAliases() connect.Validator {
	return connect.ValidatorFunc(func(name string, v any) error {
		l, _ := v.([]string)
		seen := map[string]bool{}
		for _, a := range l {
			if a == "" {
				return fmt.Errorf("Invalid value %s for configuration %s: empty alias", strings.Join(l, ","), name)
			}
			if seen[a] {
				return fmt.Errorf("Invalid value %s for configuration %s: Duplicate alias provided.", strings.Join(l, ","), name)
			}
			seen[a] = true
		}
		return nil
	})
}

// SinkTopics checks the sink rule that exactly one of topics and topics.regex is set and
// returns them.
func SinkTopics(config map[string]string) (topics []string, re *regexp.Regexp, err error) {
	if t := strings.TrimSpace(config[KeyTopics]); t != "" {
		for _, s := range strings.Split(t, ",") {
			if s = strings.TrimSpace(s); s != "" {
				topics = append(topics, s)
			}
		}
	}
	rs := strings.TrimSpace(config[KeyTopicsRegex])
	switch {
	case len(topics) > 0 && rs != "":
		return nil, nil, fmt.Errorf("topics and topics.regex are mutually exclusive options, but both are set.")
	case len(topics) == 0 && rs == "":
		return nil, nil, fmt.Errorf("Must configure one of topics or topics.regex")
	case rs != "":
		re, err = regexp.Compile("^(?:" + rs + ")$")
		if err != nil {
			return nil, nil, fmt.Errorf("Invalid regex %q for topics.regex: %v", rs, err)
		}
	}
	return topics, re, nil
}

// Prefixed returns the keys of config under prefix, with the prefix removed.
func Prefixed(config map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range config {
		if strings.HasPrefix(k, prefix) {
			out[k[len(prefix):]] = v
		}
	}
	return out
}
