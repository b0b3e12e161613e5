package connect

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// PluginType is the kind of a plugin, named as Kafka Connect's REST API names it.
type PluginType string

// Plugin types.
const (
	PluginSource          PluginType = "source"
	PluginSink            PluginType = "sink"
	PluginConverter       PluginType = "converter"
	PluginHeaderConverter PluginType = "header_converter"
	PluginTransformation  PluginType = "transformation"
	PluginPredicate       PluginType = "predicate"
)

// Plugin describes a registered plugin.
type Plugin struct {
	// Class is the full class name users put in configurations, for example
	// "org.apache.kafka.connect.file.FileStreamSourceConnector". Kafka's names keep configs
	// written for Kafka Connect working unchanged; new plugins may use Go-style names such
	// as "io.example.MySourceConnector".
	Class string
	// Aliases are extra names besides those derived from Class (see Lookup).
	Aliases []string
	// Version is reported by the REST API; "" leaves it out.
	Version string
	// TaskClass names the tasks of a connector in their `task.class` setting; by default the
	// class name with a trailing "Connector" replaced by "Task".
	TaskClass string
	// New returns a fresh instance: a SourceConnector, SinkConnector, Converter,
	// HeaderConverter, Transformation or Predicate.
	New func() any
	// Header, when set, returns the header-converter face of a converter class that also
	// serves as `header.converter` (Kafka's JsonConverter and StringConverter do). Go types
	// cannot have both Configure methods, so the face is a separate value.
	Header func() HeaderConverter
}

// NewHeaderConverter returns a fresh header converter of plugin p: its Header face, or New's
// value when that is a HeaderConverter.
func (p Plugin) NewHeaderConverter() (HeaderConverter, bool) {
	if p.Header != nil {
		return p.Header(), true
	}
	h, ok := p.New().(HeaderConverter)
	return h, ok
}

// Types returns the kinds of plugin p is.
func (p Plugin) Types() []PluginType { return p.types() }

func (p Plugin) types() []PluginType {
	ts := pluginTypes(p.New())
	if p.Header != nil && !slices.Contains(ts, PluginHeaderConverter) {
		ts = append(ts, PluginHeaderConverter)
	}
	return ts
}

func pluginTypes(v any) []PluginType {
	var ts []PluginType
	if _, ok := v.(SourceConnector); ok {
		ts = append(ts, PluginSource)
	}
	if _, ok := v.(SinkConnector); ok {
		ts = append(ts, PluginSink)
	}
	if _, ok := v.(Converter); ok {
		ts = append(ts, PluginConverter)
	}
	if _, ok := v.(HeaderConverter); ok {
		ts = append(ts, PluginHeaderConverter)
	}
	if _, ok := v.(Transformation); ok {
		ts = append(ts, PluginTransformation)
	}
	if _, ok := v.(Predicate); ok {
		ts = append(ts, PluginPredicate)
	}
	return ts
}

// SimpleName is the class name after its package: "FileStreamSourceConnector",
// "Cast$Value".
func (p Plugin) SimpleName() string {
	if i := strings.LastIndexByte(p.Class, '.'); i >= 0 {
		return p.Class[i+1:]
	}
	return p.Class
}

// registry is the process-wide plugin registry: the one piece of global state, because plugins
// join it from init().
var registry = struct {
	sync.RWMutex
	byClass map[string]*registered
	// byAlias maps an alias to every class claiming it; more than one makes it ambiguous.
	byAlias map[string][]string
}{byClass: map[string]*registered{}, byAlias: map[string][]string{}}

type registered struct {
	Plugin
	types []PluginType
}

// Register adds a plugin. Call it from init(). A class registered twice, a nil New, or a New
// whose value is no plugin kind is a programming error and panics.
func Register(p Plugin) {
	if p.Class == "" || p.New == nil {
		panic("connect: Register needs Class and New")
	}
	types := p.types()
	if len(types) == 0 {
		panic(fmt.Sprintf("connect: %s: New returns %T, which implements no plugin interface", p.Class, p.New()))
	}
	if (slices.Contains(types, PluginSource) || slices.Contains(types, PluginSink)) && p.TaskClass == "" {
		p.TaskClass = strings.TrimSuffix(p.Class, "Connector") + "Task"
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.byClass[p.Class]; dup {
		panic(fmt.Sprintf("connect: plugin %s registered twice", p.Class))
	}
	registry.byClass[p.Class] = &registered{Plugin: p, types: types}
	for _, a := range aliases(p, types) {
		if !slices.Contains(registry.byAlias[a], p.Class) {
			registry.byAlias[a] = append(registry.byAlias[a], p.Class)
		}
	}
}

// aliases derives the short names Kafka Connect accepts: the simple class name and, for
// connectors, converters and transformations, the simple name without its kind suffix.
func aliases(p Plugin, types []PluginType) []string {
	simple := p.SimpleName()
	out := []string{simple}
	for _, t := range types {
		var suffix string
		switch t {
		case PluginSource, PluginSink:
			suffix = "Connector"
		case PluginConverter:
			suffix = "Converter"
		case PluginHeaderConverter:
			suffix = "HeaderConverter"
		case PluginTransformation:
			suffix = "Transformation"
		case PluginPredicate:
			suffix = "Predicate"
		}
		if pruned := strings.TrimSuffix(simple, suffix); pruned != simple && pruned != "" && !slices.Contains(out, pruned) {
			out = append(out, pruned)
		}
	}
	for _, a := range p.Aliases {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// Lookup finds a plugin by its full class name or by an unambiguous alias: the simple class
// name, or the simple name without "Connector" (for connectors), as Kafka Connect resolves
// `connector.class`. So "org.apache.kafka.connect.file.FileStreamSourceConnector",
// "FileStreamSourceConnector" and "FileStreamSource" name the same plugin.
func Lookup(name string) (Plugin, error) {
	registry.RLock()
	defer registry.RUnlock()
	if r, ok := registry.byClass[name]; ok {
		return r.Plugin, nil
	}
	classes := registry.byAlias[name]
	switch len(classes) {
	case 0:
		return Plugin{}, fmt.Errorf("%w: %s", ErrUnknownPlugin, name)
	case 1:
		return registry.byClass[classes[0]].Plugin, nil
	}
	return Plugin{}, fmt.Errorf("%w: %s matches %s; use the full class name", ErrAmbiguousPlugin, name, strings.Join(classes, ", "))
}

// LookupType finds a plugin by name, as Lookup does, and checks that it is of type t.
func LookupType(name string, t PluginType) (Plugin, error) {
	p, err := Lookup(name)
	if err != nil {
		return Plugin{}, err
	}
	if !slices.Contains(p.types(), t) {
		return Plugin{}, fmt.Errorf("%w: %s is not a %s plugin", ErrWrongPluginType, p.Class, t)
	}
	return p, nil
}

// PluginInfo is one row of the plugin listing.
type PluginInfo struct {
	Class   string
	Type    PluginType
	Version string
}

// Plugins lists every registered plugin once per kind, in the order Kafka Connect's REST API
// uses: sinks, sources, transformations, predicates, converters, header converters, each sorted
// by class name.
func Plugins() []PluginInfo {
	registry.RLock()
	defer registry.RUnlock()
	order := []PluginType{PluginSink, PluginSource, PluginTransformation, PluginPredicate, PluginConverter, PluginHeaderConverter}
	var out []PluginInfo
	for _, t := range order {
		var group []PluginInfo
		for _, r := range registry.byClass {
			if slices.Contains(r.types, t) {
				group = append(group, PluginInfo{Class: r.Class, Type: t, Version: r.Version})
			}
		}
		sort.Slice(group, func(i, j int) bool { return group[i].Class < group[j].Class })
		out = append(out, group...)
	}
	return out
}

// Errors returned by Lookup.
var (
	ErrUnknownPlugin   = fmt.Errorf("unknown plugin")
	ErrAmbiguousPlugin = fmt.Errorf("ambiguous plugin alias")
	ErrWrongPluginType = fmt.Errorf("wrong plugin type")
)
