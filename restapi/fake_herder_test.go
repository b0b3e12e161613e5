package restapi

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// fakeHerder is an in-memory Herder with Kafka's semantics and messages, plus
// hooks to inject errors, hangs and panics and to inspect what restapi passed.
type fakeHerder struct {
	mu sync.Mutex

	conns                 map[string]*fakeConnector
	plugins               []PluginInfo
	pluginKeys            map[string][]ConfigKeyInfo
	topics                map[string][]string
	offsets               map[string]ConnectorOffsets
	topicTrackingDisabled bool
	health                func(ctx context.Context) (WorkerStatus, int)

	// errs makes a method return the error without doing anything. Keys are
	// "Method" or "Method firstArg" (the latter wins).
	errs map[string]error
	// hang makes the named method block until its context is done and then
	// return ctx.Err() (or, with ignoreCtx, block until release is closed).
	hang      map[string]bool
	ignoreCtx bool
	release   chan struct{}
	// hangErr, if set, is returned instead of ctx.Err() by a hung method.
	hangErr error
	// nilPlan makes RestartConnector return a nil plan in every form.
	nilPlan bool
	// panics makes the named method panic.
	panics map[string]bool

	calls        []string
	lastPut      putCall
	lastPatch    map[string]*string
	lastValidate validateCall
	lastAlter    ConnectorOffsets
	lastRestart  [2]bool
	lastPlugins  *bool
}

type fakeConnector struct {
	config map[string]string
	typ    string
	target string // RUNNING, PAUSED, STOPPED
	tasks  int
	// failed task id → trace
	failed map[int]string
	// connectorTrace set means the connector itself is FAILED
	connectorTrace string
	// version is bumped on every config write; the ETag is its quoted value.
	version int
}

func (c *fakeConnector) etag() string { return strconv.Quote(strconv.Itoa(c.version)) }

// checkIfMatch is the fake's If-Match precondition; the caller holds f.mu.
func (f *fakeHerder) checkIfMatch(name, ifMatch string) error {
	if ifMatch == "" {
		return nil
	}
	if c, ok := f.conns[name]; ok && ETagMatches(ifMatch, c.etag()) {
		return nil
	}
	return PreconditionFailed("Connector %s config does not match If-Match %s", name, ifMatch)
}

type putCall struct {
	name         string
	config       map[string]string
	createOnly   bool
	initialState string
}

type validateCall struct {
	plugin string
	config map[string]string
}

const workerID = "w1.example:8083"

func newFakeHerder() *fakeHerder {
	return &fakeHerder{
		conns:      map[string]*fakeConnector{},
		pluginKeys: map[string][]ConfigKeyInfo{},
		topics:     map[string][]string{},
		offsets:    map[string]ConnectorOffsets{},
		errs:       map[string]error{},
		hang:       map[string]bool{},
		panics:     map[string]bool{},
		release:    make(chan struct{}),
		plugins: []PluginInfo{
			{Class: "org.apache.kafka.connect.file.FileStreamSinkConnector", Type: "sink", Version: "9.9.9"},
			{Class: "org.apache.kafka.connect.file.FileStreamSourceConnector", Type: "source", Version: "9.9.9"},
			{Class: "org.apache.kafka.connect.transforms.Cast$Value", Type: "transformation", Version: "9.9.9"},
			{Class: "org.example.NoVersionPredicate", Type: "predicate"},
			{Class: "org.apache.kafka.connect.json.JsonConverter", Type: "converter", Version: "9.9.9"},
		},
	}
}

// addConnector stores a connector directly (bypassing validation).
func (f *fakeHerder) addConnector(name, typ string, tasks int, config map[string]string) *fakeConnector {
	f.mu.Lock()
	defer f.mu.Unlock()
	cfg := maps.Clone(config)
	if cfg == nil {
		cfg = map[string]string{}
	}
	cfg["name"] = name
	c := &fakeConnector{config: cfg, typ: typ, target: "RUNNING", tasks: tasks, failed: map[int]string{}}
	f.conns[name] = c
	return c
}

// enter records the call and applies injected behaviour. It must be called
// without f.mu held.
func (f *fakeHerder) enter(ctx context.Context, method string, args ...string) error {
	f.mu.Lock()
	f.calls = append(f.calls, strings.TrimSpace(method+" "+strings.Join(args, " ")))
	err, hang, panics, hangErr := f.errs[method], f.hang[method], f.panics[method], f.hangErr
	if len(args) > 0 {
		if e, ok := f.errs[method+" "+args[0]]; ok {
			err = e
		}
	}
	f.mu.Unlock()
	if panics {
		panic("injected panic in " + method)
	}
	if hang {
		if f.ignoreCtx {
			<-f.release
		} else {
			<-ctx.Done()
			if hangErr != nil {
				return hangErr
			}
			return ctx.Err()
		}
	}
	return err
}

// onConnector is the shape of most per-connector methods: record the call
// (see enter), then run fn under f.mu on the named connector, or fail with
// NotFound(notFound, name) if there is none.
func (f *fakeHerder) onConnector(ctx context.Context, method, name, notFound string, fn func(c *fakeConnector)) error {
	if err := f.enter(ctx, method, name); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.conns[name]
	if !ok {
		return NotFound(notFound, name)
	}
	fn(c)
	return nil
}

// connectorValue is onConnector for methods that return a value (the zero
// value on error).
func connectorValue[T any](ctx context.Context, f *fakeHerder, method, name, notFound string, fn func(c *fakeConnector) T) (T, error) {
	var v T
	err := f.onConnector(ctx, method, name, notFound, func(c *fakeConnector) { v = fn(c) })
	return v, err
}

func (f *fakeHerder) callLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeHerder) ServerInfo(ctx context.Context) (ServerInfo, error) {
	if err := f.enter(ctx, "ServerInfo"); err != nil {
		return ServerInfo{}, err
	}
	return ServerInfo{Version: "9.9.9", Commit: "0123abcd4567ef89", KafkaClusterID: "aBcDeFgHiJkLmNoPqRsTuV"}, nil
}

func (f *fakeHerder) Health(ctx context.Context) (WorkerStatus, int) {
	_ = f.enter(ctx, "Health")
	if f.health != nil {
		return f.health(ctx)
	}
	return WorkerStatus{Status: "healthy", Message: "Worker has completed startup and is ready to handle requests."}, 200
}

func (f *fakeHerder) Connectors(ctx context.Context) ([]string, error) {
	if err := f.enter(ctx, "Connectors"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(maps.Keys(f.conns)), nil
}

func (f *fakeHerder) info(name string, c *fakeConnector) ConnectorInfo {
	tasks := []ConnectorTaskID{}
	for i := range c.tasks {
		tasks = append(tasks, ConnectorTaskID{Connector: name, Task: i})
	}
	return ConnectorInfo{Name: name, Config: maps.Clone(c.config), Tasks: tasks, Type: c.typ, ETag: c.etag()}
}

func (f *fakeHerder) ConnectorInfo(ctx context.Context, name string) (ConnectorInfo, error) {
	return connectorValue(ctx, f, "ConnectorInfo", name, "Connector %s not found", func(c *fakeConnector) ConnectorInfo {
		return f.info(name, c)
	})
}

func (f *fakeHerder) ConnectorConfig(ctx context.Context, name string) (VersionedConfig, error) {
	return connectorValue(ctx, f, "ConnectorConfig", name, "Connector %s not found", func(c *fakeConnector) VersionedConfig {
		return VersionedConfig{Config: maps.Clone(c.config), ETag: c.etag()}
	})
}

func connectorType(class string) string {
	switch {
	case strings.Contains(class, "Sink"):
		return ConnectorTypeSink
	case strings.Contains(class, "Source"):
		return ConnectorTypeSource
	}
	return ConnectorTypeUnknown
}

func (f *fakeHerder) PutConnectorConfig(ctx context.Context, name string, config map[string]string, createOnly bool, initialState, ifMatch string) (ConnectorInfo, bool, error) {
	if err := f.enter(ctx, "PutConnectorConfig", name); err != nil {
		return ConnectorInfo{}, false, err
	}
	f.mu.Lock()
	f.lastPut = putCall{name: name, config: maps.Clone(config), createOnly: createOnly, initialState: initialState}
	f.mu.Unlock()
	if e := ConfigValidationError(fakeValidate(config)); e != nil {
		return ConnectorInfo{}, false, e
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, exists := f.conns[name]
	if exists && createOnly {
		return ConnectorInfo{}, false, Conflict("Connector %s already exists", name)
	}
	if err := f.checkIfMatch(name, ifMatch); err != nil {
		return ConnectorInfo{}, false, err
	}
	tasks, err := strconv.Atoi(config["tasks.max"])
	if err != nil {
		tasks = 1
	}
	if !exists {
		c = &fakeConnector{typ: connectorType(config["connector.class"]), target: "RUNNING", failed: map[int]string{}}
		if initialState != "" {
			c.target = initialState
		}
		f.conns[name] = c
	}
	c.config = maps.Clone(config)
	c.version++
	if c.target == "RUNNING" {
		c.tasks = tasks
	}
	return f.info(name, c), !exists, nil
}

func (f *fakeHerder) PatchConnectorConfig(ctx context.Context, name string, patch map[string]*string, ifMatch string) (ConnectorInfo, error) {
	if err := f.enter(ctx, "PatchConnectorConfig", name); err != nil {
		return ConnectorInfo{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastPatch = maps.Clone(patch)
	c, ok := f.conns[name]
	if !ok {
		return ConnectorInfo{}, NotFound("Connector %s not found", name)
	}
	if err := f.checkIfMatch(name, ifMatch); err != nil {
		return ConnectorInfo{}, err
	}
	cfg := maps.Clone(c.config)
	for k, v := range patch {
		if v == nil {
			delete(cfg, k)
		} else {
			cfg[k] = *v
		}
	}
	if e := ConfigValidationError(fakeValidate(cfg)); e != nil {
		return ConnectorInfo{}, e
	}
	c.config = cfg
	c.version++
	return f.info(name, c), nil
}

func (f *fakeHerder) DeleteConnector(ctx context.Context, name string) error {
	return f.onConnector(ctx, "DeleteConnector", name, "Connector %s not found", func(*fakeConnector) {
		delete(f.conns, name)
	})
}

func (f *fakeHerder) status(name string, c *fakeConnector) ConnectorStateInfo {
	st := ConnectorStateInfo{Name: name, Type: c.typ, Tasks: []TaskState{}}
	st.Connector = ConnectorState{State: c.target, WorkerID: workerID}
	if c.connectorTrace != "" {
		st.Connector.State, st.Connector.Trace = "FAILED", c.connectorTrace
	}
	for i := range c.tasks {
		ts := TaskState{ID: i, State: c.target, WorkerID: workerID}
		if tr, ok := c.failed[i]; ok {
			ts.State, ts.Trace = "FAILED", tr
		}
		st.Tasks = append(st.Tasks, ts)
	}
	return st
}

func (f *fakeHerder) ConnectorStatus(ctx context.Context, name string) (ConnectorStateInfo, error) {
	return connectorValue(ctx, f, "ConnectorStatus", name, "No status found for connector %s", func(c *fakeConnector) ConnectorStateInfo {
		return f.status(name, c)
	})
}

func (f *fakeHerder) TaskStatus(ctx context.Context, name string, task int) (TaskState, error) {
	if err := f.enter(ctx, "TaskStatus", name, strconv.Itoa(task)); err != nil {
		return TaskState{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.conns[name]
	if !ok || task < 0 || task >= c.tasks {
		return TaskState{}, NotFound("No status found for task %s-%d", name, task)
	}
	return f.status(name, c).Tasks[task], nil
}

func (f *fakeHerder) TaskConfigs(ctx context.Context, name string) ([]TaskInfo, error) {
	return connectorValue(ctx, f, "TaskConfigs", name, "Connector %s not found", func(c *fakeConnector) []TaskInfo {
		var out []TaskInfo // nil for zero tasks: restapi must still write []
		for i := range c.tasks {
			cfg := maps.Clone(c.config)
			cfg["task.class"] = strings.TrimSuffix(c.config["connector.class"], "Connector") + "Task"
			out = append(out, TaskInfo{ID: ConnectorTaskID{Connector: name, Task: i}, Config: cfg})
		}
		return out
	})
}

func (f *fakeHerder) RestartConnector(ctx context.Context, name string, includeTasks, onlyFailed bool) (*ConnectorStateInfo, error) {
	if err := f.enter(ctx, "RestartConnector", name, strconv.FormatBool(includeTasks), strconv.FormatBool(onlyFailed)); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastRestart = [2]bool{includeTasks, onlyFailed}
	c, ok := f.conns[name]
	if !ok {
		return nil, NotFound("Unknown connector: %s", name)
	}
	if f.nilPlan || (!includeTasks && !onlyFailed) {
		return nil, nil
	}
	plan := f.status(name, c)
	if !onlyFailed || plan.Connector.State == "FAILED" {
		plan.Connector.State = "RESTARTING"
	}
	for i := range plan.Tasks {
		if includeTasks && (!onlyFailed || plan.Tasks[i].State == "FAILED") {
			plan.Tasks[i].State = "RESTARTING"
		}
	}
	return &plan, nil
}

func (f *fakeHerder) RestartTask(ctx context.Context, name string, task int) error {
	if err := f.enter(ctx, "RestartTask", name, strconv.Itoa(task)); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.conns[name]
	if !ok {
		return NotFound("Unknown connector: %s", name)
	}
	if task < 0 || task >= c.tasks {
		return NotFound("Unknown task: %s-%d", name, task)
	}
	return nil
}

func (f *fakeHerder) setTarget(ctx context.Context, method, name, target string) error {
	return f.onConnector(ctx, method, name, "Unknown connector %s", func(c *fakeConnector) {
		c.target = target
		if target == "STOPPED" {
			c.tasks = 0
		}
	})
}

func (f *fakeHerder) PauseConnector(ctx context.Context, name string) error {
	return f.setTarget(ctx, "PauseConnector", name, "PAUSED")
}

func (f *fakeHerder) ResumeConnector(ctx context.Context, name string) error {
	return f.setTarget(ctx, "ResumeConnector", name, "RUNNING")
}

func (f *fakeHerder) StopConnector(ctx context.Context, name string) error {
	return f.setTarget(ctx, "StopConnector", name, "STOPPED")
}

func (f *fakeHerder) ConnectorTopics(ctx context.Context, name string) ([]string, error) {
	if err := f.enter(ctx, "ConnectorTopics", name); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.topicTrackingDisabled {
		return nil, Forbidden("Topic tracking is disabled.")
	}
	return slices.Clone(f.topics[name]), nil
}

func (f *fakeHerder) ResetConnectorTopics(ctx context.Context, name string) error {
	if err := f.enter(ctx, "ResetConnectorTopics", name); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.topicTrackingDisabled {
		return Forbidden("Topic tracking is disabled.")
	}
	delete(f.topics, name)
	return nil
}

func (f *fakeHerder) ConnectorOffsets(ctx context.Context, name string) (ConnectorOffsets, error) {
	return connectorValue(ctx, f, "ConnectorOffsets", name, "Connector %s not found", func(*fakeConnector) ConnectorOffsets {
		return f.offsets[name]
	})
}

func (f *fakeHerder) checkStopped(name string) error {
	c, ok := f.conns[name]
	if !ok {
		return NotFound("Connector %s not found", name)
	}
	if c.target != "STOPPED" {
		return BadRequest("Connectors must be in the STOPPED state before their offsets can be modified. This can be done "+
			"for the specified connector by issuing a 'PUT' request to the '/connectors/%s/stop' endpoint", name)
	}
	return nil
}

func (f *fakeHerder) AlterConnectorOffsets(ctx context.Context, name string, offsets ConnectorOffsets) (Message, error) {
	if err := f.enter(ctx, "AlterConnectorOffsets", name); err != nil {
		return Message{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastAlter = offsets
	if err := f.checkStopped(name); err != nil {
		return Message{}, err
	}
	f.offsets[name] = offsets
	return Message{Message: "The offsets for this connector have been altered successfully"}, nil
}

func (f *fakeHerder) ResetConnectorOffsets(ctx context.Context, name string) (Message, error) {
	if err := f.enter(ctx, "ResetConnectorOffsets", name); err != nil {
		return Message{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.checkStopped(name); err != nil {
		return Message{}, err
	}
	delete(f.offsets, name)
	return Message{Message: "The Connect framework-managed offsets for this connector have been reset successfully. " +
		"However, if this connector manages offsets externally, they will need to be manually reset in the system that the connector uses."}, nil
}

func (f *fakeHerder) Plugins(ctx context.Context, connectorsOnly bool) ([]PluginInfo, error) {
	if err := f.enter(ctx, "Plugins", strconv.FormatBool(connectorsOnly)); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastPlugins = &connectorsOnly
	var out []PluginInfo
	for _, p := range f.plugins {
		if !connectorsOnly || p.Type == "source" || p.Type == "sink" {
			out = append(out, p)
		}
	}
	return out, nil
}

func (f *fakeHerder) PluginConfig(ctx context.Context, plugin string) ([]ConfigKeyInfo, error) {
	if err := f.enter(ctx, "PluginConfig", plugin); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	keys, ok := f.pluginKeys[plugin]
	if !ok {
		return nil, NotFound("Unknown plugin %s.", plugin)
	}
	return keys, nil
}

func (f *fakeHerder) ValidateConfig(ctx context.Context, plugin string, config map[string]string) (ConfigInfos, error) {
	if err := f.enter(ctx, "ValidateConfig", plugin); err != nil {
		return ConfigInfos{}, err
	}
	f.mu.Lock()
	f.lastValidate = validateCall{plugin: plugin, config: maps.Clone(config)}
	f.mu.Unlock()
	return fakeValidate(config), nil
}

func ptr(s string) *string { return &s }

// fakeValidate knows four keys: name, connector.class, tasks.max (an INT,
// default 1) and, for sinks, topics (required for sinks).
func fakeValidate(config map[string]string) ConfigInfos {
	common := ptr("Common")
	def := func(name, typ string, dflt *string, order int, width, display string) *ConfigKeyInfo {
		return &ConfigKeyInfo{Name: name, Type: typ, Required: dflt == nil, DefaultValue: dflt, Importance: "HIGH",
			Documentation: "Doc for " + name + ".", Group: common, Order: order, Width: width, DisplayName: display}
	}
	val := func(name string, errs ...string) *ConfigValueInfo {
		v := &ConfigValueInfo{Name: name, Visible: true, Errors: errs}
		if s, ok := config[name]; ok {
			v.Value = ptr(s)
		}
		return v
	}
	infos := ConfigInfos{Name: config["connector.class"], Groups: []string{"Common"}}
	add := func(d *ConfigKeyInfo, v *ConfigValueInfo) {
		infos.Configs = append(infos.Configs, ConfigInfo{Definition: d, Value: v})
		infos.ErrorCount += len(v.Errors)
	}
	var nameErrs []string
	if config["name"] == "" {
		nameErrs = append(nameErrs, "Invalid value  for configuration name: String must be non-empty")
	}
	add(def("name", "STRING", nil, 1, "MEDIUM", "Connector name"), val("name", nameErrs...))
	add(def("connector.class", "STRING", nil, 2, "LONG", "Connector class"), val("connector.class"))
	var taskErrs []string
	if s, ok := config["tasks.max"]; ok {
		if _, err := strconv.Atoi(s); err != nil {
			taskErrs = append(taskErrs, "Invalid value "+s+" for configuration tasks.max: Not a number of type INT")
		}
	}
	tm := val("tasks.max", taskErrs...)
	if tm.Value == nil {
		tm.Value = ptr("1")
	}
	add(def("tasks.max", "INT", ptr("1"), 3, "SHORT", "Tasks max"), tm)
	if connectorType(config["connector.class"]) == ConnectorTypeSink {
		var errs []string
		if config["topics"] == "" {
			errs = append(errs, "Must configure one of topics or topics.regex")
		}
		tv := val("topics", errs...)
		add(def("topics", "LIST", ptr(""), 4, "LONG", "Topics"), tv)
	}
	return infos
}
