package control

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/internal/kafkaclient"
	"github.com/raftconnect/raftconnect/internal/runtime"
	"github.com/raftconnect/raftconnect/restapi"
)

// connectorKind resolves a connector class and tells source from sink.
func connectorKind(class string) (connect.Plugin, bool, error) {
	p, err := connect.Lookup(class)
	if err != nil {
		return connect.Plugin{}, false, restapi.BadRequest("Failed to find any class that implements Connector and which name matches %s, available connectors are: %s", class, strings.Join(connectorClasses(), ", "))
	}
	switch p.New().(type) {
	case connect.SourceConnector:
		return p, true, nil
	case connect.SinkConnector:
		return p, false, nil
	}
	return connect.Plugin{}, false, restapi.BadRequest("%s is not a connector class", p.Class)
}

func connectorClasses() []string {
	var out []string
	for _, pi := range connect.Plugins() {
		if pi.Type == connect.PluginSource || pi.Type == connect.PluginSink {
			out = append(out, pi.Class)
		}
	}
	return out
}

// validatedKey is one validation entry: a definition (nil for values without one) and a value.
type validatedKey struct {
	def   *connect.ConfigKey
	value *connect.ConfigValue
}

// validateConnectorConfig validates a connector configuration the way Kafka's
// AbstractHerder.validateConnectorConfig does: the framework keys (enriched with each
// transform's and predicate's keys), the connector's own keys and checks, and the converters'
// keys when set. It never stops at the first problem.
func (h *Herder) validateConnectorConfig(config map[string]string) (restapi.ConfigInfos, error) {
	class := config[runtime.KeyConnectorClass]
	if class == "" {
		return restapi.ConfigInfos{}, restapi.BadRequest("Connector config %s contains no connector type", formatConfig(config))
	}
	p, isSource, err := connectorKind(class)
	if err != nil {
		return restapi.ConfigInfos{}, err
	}
	conn := p.New().(connect.Connector)
	framework := runtime.SinkDef()
	if isSource {
		framework = runtime.SourceDef()
	}
	var entries []validatedKey
	var groups []string
	addDef := func(def *connect.ConfigDef, props map[string]string, prefix string, extra func([]connect.ConfigValue) []connect.ConfigValue) {
		values := def.Validate(props)
		if extra != nil {
			values = extra(values)
		}
		keys := def.Keys()
		for i := range keys {
			k := keys[i]
			k.Name = prefix + k.Name
			var v *connect.ConfigValue
			for j := range values {
				if values[j].Name == keys[i].Name {
					cv := values[j]
					cv.Name = prefix + cv.Name
					v = &cv
					break
				}
			}
			entries = append(entries, validatedKey{def: &k, value: v})
			if k.Group != "" && !slices.Contains(groups, k.Group) {
				groups = append(groups, k.Group)
			}
		}
	}
	addDef(framework, config, "", func(vals []connect.ConfigValue) []connect.ConfigValue {
		for i := range vals {
			if vals[i].Name == runtime.KeyTasksMax && len(vals[i].Errors) == 0 {
				if msg := h.checkTaskCaps(config); msg != "" {
					vals[i].Errors = append(vals[i].Errors, msg)
				}
			}
		}
		if isSource {
			// Features Kafka validates for sources that this worker does not offer yet: refuse
			// them rather than run the connector silently without them.
			for i := range vals {
				switch vals[i].Name {
				case "exactly.once.support":
					if strings.EqualFold(config["exactly.once.support"], "required") {
						vals[i].Errors = append(vals[i].Errors, "This worker does not have exactly-once source support enabled.")
					}
				case "transaction.boundary":
					if strings.EqualFold(config["transaction.boundary"], "connector") {
						vals[i].Errors = append(vals[i].Errors, "The connector does not support connector-defined transaction boundaries with the given configuration. Please reconfigure it to use a different transaction boundary definition.")
					}
				case "topic.creation.groups":
					for k := range config {
						if strings.HasPrefix(k, "topic.creation.") {
							vals[i].Errors = append(vals[i].Errors, fmt.Sprintf("%s: this worker does not create topics for source connectors yet; create the topics beforehand or rely on the broker's auto.create.topics.enable", k))
							break
						}
					}
				}
			}
		}
		if !isSource {
			if _, _, err := runtime.SinkTopics(config); err != nil {
				for i := range vals {
					if vals[i].Name == runtime.KeyTopics || vals[i].Name == runtime.KeyTopicsRegex {
						vals[i].Errors = append(vals[i].Errors, err.Error())
					}
				}
			}
			if dlq := config[runtime.KeyDLQTopic]; dlq != "" {
				topics, re, _ := runtime.SinkTopics(config)
				if slices.Contains(topics, dlq) || (re != nil && re.MatchString(dlq)) {
					for i := range vals {
						if vals[i].Name == runtime.KeyDLQTopic {
							vals[i].Errors = append(vals[i].Errors, fmt.Sprintf("The DLQ topic '%s' may not be included in the list of topics ('%s=%s') consumed by the connector", dlq, runtime.KeyTopics, config[runtime.KeyTopics]))
						}
					}
				}
			}
		}
		return vals
	})
	// Each transform and predicate adds its type key and its own keys under its prefix.
	for _, kind := range []struct {
		list, prefix, group string
		ptype               connect.PluginType
	}{{runtime.KeyPredicates, "predicates.", runtime.GroupPredicates, connect.PluginPredicate}, {runtime.KeyTransforms, "transforms.", runtime.GroupTransforms, connect.PluginTransformation}} {
		for _, alias := range runtime.ListValue(config[kind.list]) {
			prefix := kind.prefix + alias + "."
			props := runtime.Prefixed(config, prefix)
			d := connect.NewConfigDef()
			typeKey := connect.ConfigKey{Name: "type", Type: connect.ConfigClass, Required: true, Importance: connect.High, Group: kind.group + ": " + alias, Order: 0,
				Doc: "Class for the '" + alias + "' " + string(kind.ptype) + "."}
			d.Define(typeKey)
			var pluginDef *connect.ConfigDef
			typeErr := ""
			if class := props["type"]; class != "" {
				pp, err := connect.LookupType(class, kind.ptype)
				if err != nil {
					typeErr = fmt.Sprintf("Invalid value %s for configuration %stype: %v", class, prefix, err)
				} else {
					pluginDef = pluginConfigDef(pp)
				}
			}
			if kind.ptype == connect.PluginTransformation {
				d.Define(connect.ConfigKey{Name: "predicate", Type: connect.ConfigString, Importance: connect.Medium, Group: kind.group + ": " + alias, Order: 1,
					Doc: "The alias of a predicate used to determine whether to apply this transformation."})
				d.Define(connect.ConfigKey{Name: "negate", Type: connect.ConfigBoolean, Default: false, Importance: connect.Medium, Group: kind.group + ": " + alias, Order: 2,
					Doc: "Whether the configured predicate should be negated."})
			}
			if pluginDef != nil {
				d = d.With(pluginDef)
			}
			addDef(d, props, prefix, func(vals []connect.ConfigValue) []connect.ConfigValue {
				for i := range vals {
					switch {
					case vals[i].Name == "type" && typeErr != "":
						vals[i].Errors = append(vals[i].Errors, typeErr)
					case vals[i].Name == "predicate" && props["predicate"] != "" && !slices.Contains(runtime.ListValue(config[runtime.KeyPredicates]), props["predicate"]):
						vals[i].Errors = append(vals[i].Errors, fmt.Sprintf("Invalid value %s for configuration %spredicate: there is no predicate with this alias in predicates", props["predicate"], prefix))
					case vals[i].Name == "negate" && props["negate"] == "true" && props["predicate"] == "":
						vals[i].Errors = append(vals[i].Errors, fmt.Sprintf("Invalid value true for configuration %snegate: negate requires a predicate", prefix))
					}
				}
				return vals
			})
		}
	}
	// The connector's own keys.
	own := conn.ConfigDef()
	if own == nil {
		return restapi.ConfigInfos{}, restapi.BadRequest("%s.config() must return a ConfigDef that is not null.", p.Class)
	}
	ownFiltered := connect.NewConfigDef()
	for _, k := range own.Keys() {
		if _, dup := framework.Key(k.Name); !dup {
			ownFiltered.Define(k)
		}
	}
	addDef(ownFiltered, config, "", func(vals []connect.ConfigValue) []connect.ConfigValue {
		if v, ok := conn.(connect.ConfigValidator); ok {
			return v.Validate(maps.Clone(config), vals)
		}
		return vals
	})
	// Converters named in the config are validated with their own keys.
	for _, ck := range []struct {
		key   string
		ptype connect.PluginType
	}{{runtime.KeyKeyConverter, connect.PluginConverter}, {runtime.KeyValueConverter, connect.PluginConverter}, {runtime.KeyHeaderConverter, connect.PluginHeaderConverter}} {
		class := config[ck.key]
		if class == "" {
			continue
		}
		cp, err := connect.LookupType(class, ck.ptype)
		if err != nil {
			for i := range entries {
				if entries[i].def != nil && entries[i].def.Name == ck.key && entries[i].value != nil {
					entries[i].value.Errors = append(entries[i].value.Errors, fmt.Sprintf("Invalid value %s for configuration %s: %v", class, ck.key, err))
				}
			}
			continue
		}
		if d := pluginConfigDef(cp); d != nil {
			props := runtime.Prefixed(config, ck.key+".")
			cd := connect.NewConfigDef()
			for _, k := range d.Keys() {
				if k.Name != "converter.type" {
					cd.Define(k)
				}
			}
			addDef(cd, props, ck.key+".", nil)
		}
	}

	// Client overrides are checked now, so a bad one fails the request instead of the task.
	for _, kind := range []string{"producer", "consumer", "admin"} {
		prefix := kind + ".override."
		for _, k := range slices.Sorted(maps.Keys(config)) {
			if !strings.HasPrefix(k, prefix) || k == "consumer.override.group.id" {
				continue
			}
			v := config[k]
			cv := &connect.ConfigValue{Name: k, Value: v, Visible: true}
			if err := kafkaclient.Apply(kafkaclient.Base("validate"), kind, map[string]string{k[len(prefix):]: v}); err != nil {
				cv.Errors = []string{fmt.Sprintf("Invalid value %s for configuration %s: %v", v, k, err)}
			}
			entries = append(entries, validatedKey{value: cv})
		}
	}
	if !isSource {
		h.checkConsumerTimeouts(config, entries)
	}

	secrets := secretValues(config, entries)
	infos := restapi.ConfigInfos{Name: class, Groups: groups}
	for _, e := range entries {
		ci := restapi.ConfigInfo{}
		if e.def != nil {
			ci.Definition = configKeyInfo(*e.def)
		}
		if e.value != nil {
			ci.Value = configValueInfo(*e.value, e.def)
			hideSecrets(ci.Value, e.def, secrets)
			infos.ErrorCount += len(e.value.Errors)
		}
		infos.Configs = append(infos.Configs, ci)
	}
	return infos, nil
}

// secretValues lists the config's secret values: those of PASSWORD keys and of keys whose
// names say they are secrets, longest first so a secret containing another is hidden whole.
func secretValues(config map[string]string, entries []validatedKey) []string {
	var out []string
	for k, v := range config {
		if v != "" && connect.IsSecretKey(k) {
			out = append(out, v)
		}
	}
	for _, e := range entries {
		if e.def != nil && e.def.IsSecret() && config[e.def.Name] != "" {
			out = append(out, config[e.def.Name])
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(out)
}

// hideSecrets shows a secret value as [hidden], as Kafka shows PASSWORD values, and removes
// every secret of the config from the messages, whichever key they are reported on (a
// connector's own validation may quote another key's value).
func hideSecrets(v *restapi.ConfigValueInfo, def *connect.ConfigKey, secrets []string) {
	if v.Value != nil && *v.Value != "" && (connect.IsSecretKey(v.Name) || (def != nil && def.IsSecret())) {
		h := connect.Hidden
		v.Value = &h
	}
	if len(secrets) == 0 || len(v.Errors) == 0 {
		return
	}
	errs := make([]string, len(v.Errors))
	for i, msg := range v.Errors {
		for _, s := range secrets {
			msg = connect.RedactValue(msg, s)
		}
		errs[i] = msg
	}
	v.Errors = errs
}

// pluginConfigDef returns the ConfigDef of any plugin kind.
func pluginConfigDef(p connect.Plugin) *connect.ConfigDef {
	switch v := p.New().(type) {
	case connect.Connector:
		return v.ConfigDef()
	case connect.Converter:
		return v.ConfigDef()
	case connect.HeaderConverter:
		return v.ConfigDef()
	case connect.Transformation:
		return v.ConfigDef()
	case connect.Predicate:
		return v.ConfigDef()
	}
	return nil
}

func configKeyInfo(k connect.ConfigKey) *restapi.ConfigKeyInfo {
	info := &restapi.ConfigKeyInfo{
		Name: k.Name, Type: string(k.Type), Required: k.Required, Importance: string(k.Importance),
		Documentation: k.Doc, Order: k.Order, Width: string(k.Width), DisplayName: k.DisplayName,
		Dependents: k.Dependents,
	}
	if !k.Required && k.Default != nil {
		s := connect.ConfigValueString(k.Default)
		info.DefaultValue = &s
	} else if !k.Required && (k.Type == connect.ConfigList) {
		s := ""
		info.DefaultValue = &s
	}
	if k.Group != "" {
		g := k.Group
		info.Group = &g
	}
	return info
}

func configValueInfo(v connect.ConfigValue, def *connect.ConfigKey) *restapi.ConfigValueInfo {
	info := &restapi.ConfigValueInfo{Name: v.Name, RecommendedValues: v.RecommendedValues, Errors: v.Errors, Visible: v.Visible}
	if v.Value != nil {
		s := connect.ConfigValueString(v.Value)
		info.Value = &s
	}
	return info
}

func formatConfig(config map[string]string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range slices.Sorted(maps.Keys(config)) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteByte('=')
		if connect.IsSecretKey(k) {
			b.WriteString(connect.Hidden)
		} else {
			b.WriteString(config[k])
		}
	}
	b.WriteByte('}')
	return b.String()
}

// checkTaskCaps bounds the tasks a connector may ask for, so one config cannot exhaust the
// workers' file descriptors, memory or the cluster's consumer groups: tasks.max is at most
// tasks.max.per.connector, and the tasks.max of all connectors together at most
// tasks.max.per.worker for each worker of the cluster. It returns the validation message, or
// "" when the config fits.
func (h *Herder) checkTaskCaps(config map[string]string) string {
	n, err := strconv.Atoi(strings.TrimSpace(config[runtime.KeyTasksMax]))
	if err != nil {
		return "" // the type check reports it
	}
	if n > h.cfg.TasksMaxPerConnector {
		return fmt.Sprintf("Invalid value %d for configuration %s: Value must be no more than %d (this worker's tasks.max.per.connector)", n, runtime.KeyTasksMax, h.cfg.TasksMaxPerConnector)
	}
	if cur, ok := h.store.Connector(config[runtime.KeyName]); ok {
		if old, err := strconv.Atoi(strings.TrimSpace(cur.Config[runtime.KeyTasksMax])); err == nil && n <= old {
			// An update that does not ask for more tasks is never refused, even when the
			// cluster has shrunk below what its connectors ask for: a worker being down must
			// not freeze every config change.
			return ""
		}
	}
	workers := max(len(h.store.Workers()), 1)
	limit := h.cfg.TasksMaxPerWorker * workers
	total := n
	for _, name := range h.store.ConnectorNames() {
		if name == config[runtime.KeyName] {
			continue // the connector being updated counts with its new value
		}
		if c, ok := h.store.Connector(name); ok {
			if m, err := strconv.Atoi(strings.TrimSpace(c.Config[runtime.KeyTasksMax])); err == nil {
				total += m
			}
		}
	}
	if total > limit {
		return fmt.Sprintf("Invalid value %d for configuration %s: the cluster's connectors would ask for %d tasks in all, more than the %d its %d worker(s) allow (tasks.max.per.worker=%d)", n, runtime.KeyTasksMax, total, limit, workers, h.cfg.TasksMaxPerWorker)
	}
	return ""
}

// consumerTimeoutKeys are the consumer settings kafkaclient.ConsumerTimeouts checks together.
var consumerTimeoutKeys = []string{"session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms", "request.timeout.ms"}

// checkConsumerTimeouts checks a sink's consumer timeouts together, as the task will when it
// starts, so an inconsistent set is a validation error (on the overrides that set them) rather
// than a task that fails later. Each override alone was checked above.
func (h *Herder) checkConsumerTimeouts(config map[string]string, entries []validatedKey) {
	var set []*connect.ConfigValue
	for _, e := range entries {
		if e.def != nil || e.value == nil {
			continue
		}
		if len(e.value.Errors) > 0 {
			return // a single key is already wrong: that error says more
		}
		for _, k := range consumerTimeoutKeys {
			if e.value.Name == "consumer.override."+k {
				set = append(set, e.value)
			}
		}
	}
	if len(set) == 0 {
		return // the worker's own settings were checked at its start
	}
	c := kafkaclient.Consumer("validate")
	if kafkaclient.Apply(c, "consumer", h.cfg.ClientConfig("consumer")) != nil {
		return
	}
	if kafkaclient.Apply(c, "consumer", runtime.Prefixed(config, "consumer.override.")) != nil {
		return
	}
	if _, err := kafkaclient.ConsumerTimeouts(c); err != nil {
		for _, v := range set {
			v.Errors = append(v.Errors, fmt.Sprintf("Invalid value %s for configuration %s: %v (consumer.* here means the worker's consumer settings with this connector's consumer.override.* applied)", config[v.Name], v.Name, err))
		}
	}
}
