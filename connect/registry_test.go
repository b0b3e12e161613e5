package connect_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
)

// Test-only plugins. Their class names live under test.registry so they cannot clash with real
// plugins; they do nothing.

type testSource struct{}

func (testSource) Start(connect.SourceConnectorContext, map[string]string) error { return nil }
func (testSource) TaskConfigs(int) ([]map[string]string, error)                  { return nil, nil }
func (testSource) Stop() error                                                   { return nil }
func (testSource) ConfigDef() *connect.ConfigDef                                 { return connect.NewConfigDef() }
func (testSource) NewTask() connect.SourceTask                                   { return nil }

type testSink struct{}

func (testSink) Start(connect.ConnectorContext, map[string]string) error { return nil }
func (testSink) TaskConfigs(int) ([]map[string]string, error)            { return nil, nil }
func (testSink) Stop() error                                             { return nil }
func (testSink) ConfigDef() *connect.ConfigDef                           { return connect.NewConfigDef() }
func (testSink) NewTask() connect.SinkTask                               { return nil }

type testConverter struct{}

func (testConverter) Configure(map[string]string, bool) error { return nil }
func (testConverter) FromConnectData(string, *connect.Headers, *connect.Schema, any) ([]byte, error) {
	return nil, nil
}
func (testConverter) ToConnectData(string, connect.Headers, []byte) (connect.SchemaAndValue, error) {
	return connect.SchemaAndValue{}, nil
}
func (testConverter) ConfigDef() *connect.ConfigDef { return connect.NewConfigDef() }

type testHeaderConverter struct{}

func (testHeaderConverter) Configure(map[string]string) error { return nil }
func (testHeaderConverter) ToConnectHeader(string, string, []byte) (connect.SchemaAndValue, error) {
	return connect.SchemaAndValue{}, nil
}
func (testHeaderConverter) FromConnectHeader(string, string, *connect.Schema, any) ([]byte, error) {
	return nil, nil
}
func (testHeaderConverter) ConfigDef() *connect.ConfigDef { return connect.NewConfigDef() }
func (testHeaderConverter) Close() error                  { return nil }

type testTransformation struct{}

func (testTransformation) Configure(map[string]string) error                { return nil }
func (testTransformation) Apply(r *connect.Record) (*connect.Record, error) { return r, nil }
func (testTransformation) ConfigDef() *connect.ConfigDef                    { return connect.NewConfigDef() }
func (testTransformation) Close() error                                     { return nil }

type testPredicate struct{}

func (testPredicate) Configure(map[string]string) error  { return nil }
func (testPredicate) Test(*connect.Record) (bool, error) { return true, nil }
func (testPredicate) ConfigDef() *connect.ConfigDef      { return connect.NewConfigDef() }
func (testPredicate) Close() error                       { return nil }

// testBoth is a transformation and a predicate at once, so it is registered as both kinds.
type testBoth struct{ testTransformation }

func (testBoth) Test(*connect.Record) (bool, error) { return true, nil }

var registerOnce sync.Once

// registerTestPlugins registers the test plugins once per process, whichever test runs first
// (go test -count=N runs tests repeatedly in one process).
func registerTestPlugins() {
	registerOnce.Do(func() {
		for _, p := range []connect.Plugin{
			{Class: "test.registry.FooConnector", Version: "1.2.3", Aliases: []string{"test-registry-foo"}, New: func() any { return testSource{} }},
			{Class: "test.registry.BarSinkConnector", TaskClass: "test.registry.CustomBarTask", New: func() any { return testSink{} }},
			{Class: "test.registry.a.DupConnector", New: func() any { return testSource{} }},
			{Class: "test.registry.b.DupConnector", New: func() any { return testSource{} }},
			{Class: "test.registry.UpperConverter", New: func() any { return testConverter{} }},
			{Class: "test.registry.LowerHeaderConverter", New: func() any { return testHeaderConverter{} }},
			{Class: "test.registry.Prefix$Value", New: func() any { return testTransformation{} }},
			{Class: "test.registry.IsFooPredicate", New: func() any { return testPredicate{} }},
			{Class: "test.registry.BothTransformation", New: func() any { return testBoth{} }},
		} {
			connect.Register(p)
		}
	})
}

func TestLookupAliases(t *testing.T) {
	registerTestPlugins()
	tests := []struct {
		name  string
		class string
	}{
		{"test.registry.FooConnector", "test.registry.FooConnector"},
		{"FooConnector", "test.registry.FooConnector"},
		{"Foo", "test.registry.FooConnector"},
		{"test-registry-foo", "test.registry.FooConnector"},
		{"BarSinkConnector", "test.registry.BarSinkConnector"},
		{"BarSink", "test.registry.BarSinkConnector"},
		{"test.registry.a.DupConnector", "test.registry.a.DupConnector"},
		{"UpperConverter", "test.registry.UpperConverter"},
		{"Upper", "test.registry.UpperConverter"},
		{"LowerHeaderConverter", "test.registry.LowerHeaderConverter"},
		{"Lower", "test.registry.LowerHeaderConverter"},
		{"Prefix$Value", "test.registry.Prefix$Value"},
		{"IsFooPredicate", "test.registry.IsFooPredicate"},
		{"IsFoo", "test.registry.IsFooPredicate"},
		{"Both", "test.registry.BothTransformation"},
	}
	for _, tt := range tests {
		p, err := connect.Lookup(tt.name)
		if err != nil || p.Class != tt.class {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tt.name, p.Class, err, tt.class)
		}
	}
}

func TestLookupErrors(t *testing.T) {
	registerTestPlugins()
	for _, name := range []string{"DupConnector", "Dup"} {
		_, err := connect.Lookup(name)
		if !errors.Is(err, connect.ErrAmbiguousPlugin) {
			t.Errorf("Lookup(%q) = %v, want ErrAmbiguousPlugin", name, err)
			continue
		}
		for _, class := range []string{"test.registry.a.DupConnector", "test.registry.b.DupConnector"} {
			if !strings.Contains(err.Error(), class) {
				t.Errorf("ambiguity error %q does not list %s", err, class)
			}
		}
	}
	for _, name := range []string{"test.registry.Nope", "Nope", "foo", "test.registry.fooconnector", ""} {
		if _, err := connect.Lookup(name); !errors.Is(err, connect.ErrUnknownPlugin) {
			t.Errorf("Lookup(%q) = %v, want ErrUnknownPlugin", name, err)
		}
	}
}

func TestLookupType(t *testing.T) {
	registerTestPlugins()
	if p, err := connect.LookupType("Foo", connect.PluginSource); err != nil || p.Class != "test.registry.FooConnector" {
		t.Errorf("LookupType(Foo, source) = %v, %v", p.Class, err)
	}
	_, err := connect.LookupType("Foo", connect.PluginSink)
	if !errors.Is(err, connect.ErrWrongPluginType) || !strings.Contains(err.Error(), "test.registry.FooConnector is not a sink plugin") {
		t.Errorf("LookupType(Foo, sink) = %v", err)
	}
	for _, typ := range []connect.PluginType{connect.PluginTransformation, connect.PluginPredicate} {
		if _, err := connect.LookupType("Both", typ); err != nil {
			t.Errorf("LookupType(Both, %s): %v", typ, err)
		}
	}
	if _, err := connect.LookupType("Dup", connect.PluginSource); !errors.Is(err, connect.ErrAmbiguousPlugin) {
		t.Errorf("LookupType of an ambiguous alias: %v", err)
	}
}

func TestRegisteredAttributes(t *testing.T) {
	registerTestPlugins()
	tests := []struct {
		class     string
		taskClass string
		version   string
		types     []connect.PluginType
	}{
		{"test.registry.FooConnector", "test.registry.FooTask", "1.2.3", []connect.PluginType{connect.PluginSource}},
		{"test.registry.BarSinkConnector", "test.registry.CustomBarTask", "", []connect.PluginType{connect.PluginSink}},
		{"test.registry.UpperConverter", "", "", []connect.PluginType{connect.PluginConverter}},
		{"test.registry.LowerHeaderConverter", "", "", []connect.PluginType{connect.PluginHeaderConverter}},
		{"test.registry.BothTransformation", "", "", []connect.PluginType{connect.PluginTransformation, connect.PluginPredicate}},
	}
	for _, tt := range tests {
		p, err := connect.Lookup(tt.class)
		if err != nil {
			t.Fatal(err)
		}
		if p.TaskClass != tt.taskClass || p.Version != tt.version || !slices.Equal(p.Types(), tt.types) {
			t.Errorf("%s: task class %q version %q types %v; want %q %q %v", tt.class, p.TaskClass, p.Version, p.Types(), tt.taskClass, tt.version, tt.types)
		}
	}
	if got := (connect.Plugin{Class: "org.apache.kafka.connect.transforms.Cast$Value"}).SimpleName(); got != "Cast$Value" {
		t.Errorf("SimpleName = %q", got)
	}
	if got := (connect.Plugin{Class: "NoPackage"}).SimpleName(); got != "NoPackage" {
		t.Errorf("SimpleName = %q", got)
	}
}

func TestPluginsOrder(t *testing.T) {
	registerTestPlugins()
	var got []string
	for _, p := range connect.Plugins() {
		if strings.HasPrefix(p.Class, "test.registry.") {
			got = append(got, string(p.Type)+" "+p.Class+" "+p.Version)
		}
	}
	want := []string{
		"sink test.registry.BarSinkConnector ",
		"source test.registry.FooConnector 1.2.3",
		"source test.registry.a.DupConnector ",
		"source test.registry.b.DupConnector ",
		"transformation test.registry.BothTransformation ",
		"transformation test.registry.Prefix$Value ",
		"predicate test.registry.BothTransformation ",
		"predicate test.registry.IsFooPredicate ",
		"converter test.registry.UpperConverter ",
		"header_converter test.registry.LowerHeaderConverter ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Plugins():\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestRegisterPanics(t *testing.T) {
	registerTestPlugins()
	tests := []struct {
		name string
		p    connect.Plugin
		want string
	}{
		{"no class", connect.Plugin{New: func() any { return testSource{} }}, "Register needs Class and New"},
		{"no New", connect.Plugin{Class: "test.registry.NoNew"}, "Register needs Class and New"},
		{"not a plugin", connect.Plugin{Class: "test.registry.NotAPlugin", New: func() any { return struct{}{} }}, "test.registry.NotAPlugin: New returns struct {}, which implements no plugin interface"},
		{"twice", connect.Plugin{Class: "test.registry.FooConnector", New: func() any { return testSource{} }}, "plugin test.registry.FooConnector registered twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if msg, _ := r.(string); !strings.Contains(msg, tt.want) {
					t.Errorf("panic %v, want one containing %q", r, tt.want)
				}
			}()
			connect.Register(tt.p)
		})
	}
	// A failed registration leaves nothing behind, and the registry still works.
	if _, err := connect.Lookup("test.registry.NotAPlugin"); !errors.Is(err, connect.ErrUnknownPlugin) {
		t.Errorf("a rejected plugin was registered: %v", err)
	}
	if _, err := connect.Lookup("Foo"); err != nil {
		t.Errorf("registry unusable after a panic: %v", err)
	}
}

var concurrentRuns atomic.Int32

// The registry is read from many goroutines (REST handlers, workers) while tests register.
func TestRegistryConcurrentReads(t *testing.T) {
	registerTestPlugins()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				if _, err := connect.Lookup("Foo"); err != nil {
					t.Error(err)
					return
				}
				connect.Plugins()
			}
		})
	}
	// Outside test.registry., so TestPluginsOrder does not see them; a package per run, so
	// go test -count=N does not register a class twice.
	pkg := fmt.Sprintf("test.concurrent.run%d.", concurrentRuns.Add(1))
	for i := range 50 {
		connect.Register(connect.Plugin{Class: pkg + strings.Repeat("C", i+1) + "Converter", New: func() any { return testConverter{} }})
	}
	cancel()
	wg.Wait()
}
