package restapi

import (
	"bytes"
	"encoding/json"
)

// The types in this file are the JSON entities of the Kafka Connect REST API
// (Kafka's runtime/rest/entities package). Field names follow Kafka's JSON
// exactly. Where Kafka emits an array or an object, a nil Go slice or map is
// written as [] or {} so clients never see null in those places.

// Connector types as Kafka reports them (lower case).
const (
	ConnectorTypeSource  = "source"
	ConnectorTypeSink    = "sink"
	ConnectorTypeUnknown = "unknown"
)

// Initial states accepted in CreateConnectorRequest.InitialState (after
// case-insensitive parsing) and passed to Herder.PutConnectorConfig.
const (
	InitialStateRunning = "RUNNING"
	InitialStatePaused  = "PAUSED"
	InitialStateStopped = "STOPPED"
)

// ServerInfo is the body of GET /. Version is the Kafka Connect version whose
// REST API the server implements (clients such as kcctl enable features by
// it); Commit names the server's own build.
type ServerInfo struct {
	Version        string `json:"version"`
	Commit         string `json:"commit"`
	KafkaClusterID string `json:"kafka_cluster_id"`
	// Leader is the worker that leads the cluster, nil when none is known. It
	// is not in Kafka's entity; Kafka clients ignore unknown fields.
	Leader *LeaderInfo `json:"leader,omitempty"`
}

// LeaderInfo names the worker that leads the cluster: the one that writes the
// store and assigns connectors and tasks.
type LeaderInfo struct {
	NodeID string `json:"node_id"`
	// RestURL is empty while the leader has not registered its REST URL.
	RestURL string `json:"rest_url,omitempty"`
}

// WorkerStatus is the body of GET /health. Status is "healthy", "starting" or
// "unhealthy".
type WorkerStatus struct {
	Status  string `json:"status"`
	Message string `json:"message"`
	// Leader is the worker that leads the cluster, nil when none is known (not
	// in Kafka's entity; clients ignore it).
	Leader *LeaderInfo `json:"leader,omitempty"`
}

// CreateConnectorRequest is the body of POST /connectors. InitialState is
// "", "RUNNING", "PAUSED" or "STOPPED"; the server parses it case-insensitively.
// The server decodes this body with its own strict decoder (unknown fields are
// rejected, JSON numbers and booleans in Config become strings); the type is
// exported for clients.
type CreateConnectorRequest struct {
	Name         string            `json:"name"`
	Config       map[string]string `json:"config"`
	InitialState string            `json:"initial_state,omitempty"`
}

// ConnectorTaskID identifies one task of a connector.
type ConnectorTaskID struct {
	Connector string `json:"connector"`
	Task      int    `json:"task"`
}

// ConnectorInfo is the body of GET /connectors/{c} and of successful config writes.
// Type is one of the ConnectorType constants.
type ConnectorInfo struct {
	Name   string            `json:"name"`
	Config map[string]string `json:"config"`
	Tasks  []ConnectorTaskID `json:"tasks"`
	Type   string            `json:"type"`
	// ETag identifies the stored config version; it is sent as the ETag
	// header, never in the body (Kafka's body has no such field).
	ETag string `json:"-"`
}

// VersionedConfig is a connector's raw config with the ETag of its version.
type VersionedConfig struct {
	Config map[string]string
	ETag   string
}

// MarshalJSON writes nil Config as {} and nil Tasks as [].
func (c ConnectorInfo) MarshalJSON() ([]byte, error) {
	type plain ConnectorInfo
	p := plain(c)
	p.Config = nonNilMap(p.Config)
	p.Tasks = nonNilSlice(p.Tasks)
	return marshalNoEscape(p)
}

// TaskInfo is one element of GET /connectors/{c}/tasks.
type TaskInfo struct {
	ID     ConnectorTaskID   `json:"id"`
	Config map[string]string `json:"config"`
}

// MarshalJSON writes nil Config as {}.
func (t TaskInfo) MarshalJSON() ([]byte, error) {
	type plain TaskInfo
	p := plain(t)
	p.Config = nonNilMap(p.Config)
	return marshalNoEscape(p)
}

// ConnectorState is the connector part of ConnectorStateInfo. State is one of
// UNASSIGNED, RUNNING, PAUSED, FAILED, RESTARTING, STOPPED. Trace (the failure
// stack trace) is omitted when empty, as in Kafka.
type ConnectorState struct {
	State    string `json:"state"`
	WorkerID string `json:"worker_id"`
	Trace    string `json:"trace,omitempty"`
}

// TaskState is the status of one task (GET /connectors/{c}/tasks/{t}/status and
// the elements of ConnectorStateInfo.Tasks).
type TaskState struct {
	ID       int    `json:"id"`
	State    string `json:"state"`
	WorkerID string `json:"worker_id"`
	Trace    string `json:"trace,omitempty"`
}

// ConnectorStateInfo is the body of GET /connectors/{c}/status and the restart
// plan of POST /connectors/{c}/restart. Tasks should be sorted by ID.
type ConnectorStateInfo struct {
	Name      string         `json:"name"`
	Connector ConnectorState `json:"connector"`
	Tasks     []TaskState    `json:"tasks"`
	Type      string         `json:"type"`
}

// MarshalJSON writes nil Tasks as [].
func (s ConnectorStateInfo) MarshalJSON() ([]byte, error) {
	type plain ConnectorStateInfo
	p := plain(s)
	p.Tasks = nonNilSlice(p.Tasks)
	return marshalNoEscape(p)
}

// ConnectorOffsets is the body of GET and PATCH /connectors/{c}/offsets.
type ConnectorOffsets struct {
	Offsets []ConnectorOffset `json:"offsets"`
}

// MarshalJSON writes nil Offsets as [].
func (o ConnectorOffsets) MarshalJSON() ([]byte, error) {
	type plain ConnectorOffsets
	p := plain(o)
	p.Offsets = nonNilSlice(p.Offsets)
	return marshalNoEscape(p)
}

// ConnectorOffset is one {partition, offset} pair. A nil Offset is written as
// null and, in an alter request, means "reset this partition".
//
// In request bodies decoded by this package, JSON numbers become int64 when
// they are integers that fit, float64 otherwise; objects become
// map[string]any and arrays []any.
type ConnectorOffset struct {
	Partition map[string]any `json:"partition"`
	Offset    map[string]any `json:"offset"`
}

// Message is a one-field response body, e.g. for the offsets endpoints.
type Message struct {
	Message string `json:"message"`
}

// ErrorMessage is the body of every error response:
// {"error_code":404,"message":"Connector x not found"}.
type ErrorMessage struct {
	ErrorCode int    `json:"error_code"`
	Message   string `json:"message"`
}

// ActiveTopicsInfo is the per-connector value of GET /connectors/{c}/topics,
// which answers {"<c>":{"topics":[...]}}.
type ActiveTopicsInfo struct {
	Topics []string `json:"topics"`
}

// MarshalJSON writes nil Topics as [].
func (a ActiveTopicsInfo) MarshalJSON() ([]byte, error) {
	type plain ActiveTopicsInfo
	p := plain(a)
	p.Topics = nonNilSlice(p.Topics)
	return marshalNoEscape(p)
}

// PluginInfo is one element of GET /connector-plugins. Type is one of source,
// sink, converter, header_converter, transformation, predicate. Version is
// omitted when empty; a herder should leave it empty where Kafka's plugin
// version would be the sentinel "undefined".
type PluginInfo struct {
	Class   string `json:"class"`
	Type    string `json:"type"`
	Version string `json:"version,omitempty"`
}

// ConfigInfos is the body of PUT /connector-plugins/{p}/config/validate. Name
// is the connector.class value as submitted; ErrorCount is the total number of
// error messages over all Configs.
type ConfigInfos struct {
	Name       string       `json:"name"`
	ErrorCount int          `json:"error_count"`
	Groups     []string     `json:"groups"`
	Configs    []ConfigInfo `json:"configs"`
}

// MarshalJSON writes nil Groups and Configs as [].
func (c ConfigInfos) MarshalJSON() ([]byte, error) {
	type plain ConfigInfos
	p := plain(c)
	p.Groups = nonNilSlice(p.Groups)
	p.Configs = nonNilSlice(p.Configs)
	return marshalNoEscape(p)
}

// ConfigInfo pairs a key's definition with its validated value; either may be
// nil (written as null).
type ConfigInfo struct {
	Definition *ConfigKeyInfo   `json:"definition"`
	Value      *ConfigValueInfo `json:"value"`
}

// ConfigKeyInfo describes one configuration key (elements of
// GET /connector-plugins/{p}/config, and ConfigInfo.Definition). Type is one
// of BOOLEAN, STRING, INT, SHORT, LONG, DOUBLE, LIST, CLASS, PASSWORD;
// Importance HIGH, MEDIUM or LOW; Width NONE, SHORT, MEDIUM or LONG.
// DefaultValue and Group are null when unset.
type ConfigKeyInfo struct {
	Name          string   `json:"name"`
	Type          string   `json:"type"`
	Required      bool     `json:"required"`
	DefaultValue  *string  `json:"default_value"`
	Importance    string   `json:"importance"`
	Documentation string   `json:"documentation"`
	Group         *string  `json:"group"`
	Order         int      `json:"order"`
	Width         string   `json:"width"`
	DisplayName   string   `json:"display_name"`
	Dependents    []string `json:"dependents"`
}

// MarshalJSON writes nil Dependents as [].
func (k ConfigKeyInfo) MarshalJSON() ([]byte, error) {
	type plain ConfigKeyInfo
	p := plain(k)
	p.Dependents = nonNilSlice(p.Dependents)
	return marshalNoEscape(p)
}

// ConfigValueInfo is the validated value of one key. Value is null when the
// key has no value; passwords should be rendered as "[hidden]".
type ConfigValueInfo struct {
	Name              string   `json:"name"`
	Value             *string  `json:"value"`
	RecommendedValues []string `json:"recommended_values"`
	Errors            []string `json:"errors"`
	Visible           bool     `json:"visible"`
}

// MarshalJSON writes nil RecommendedValues and Errors as [].
func (v ConfigValueInfo) MarshalJSON() ([]byte, error) {
	type plain ConfigValueInfo
	p := plain(v)
	p.RecommendedValues = nonNilSlice(p.RecommendedValues)
	p.Errors = nonNilSlice(p.Errors)
	return marshalNoEscape(p)
}

// nonNilSlice returns s, or an empty slice if s is nil, so that it is
// written as [] rather than null.
func nonNilSlice[E any](s []E) []E {
	if s == nil {
		return []E{}
	}
	return s
}

// nonNilMap returns m, or an empty map if m is nil, so that it is written as
// {} rather than null.
func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// marshalNoEscape is json.Marshal without HTML escaping of <, > and &, which
// Jackson does not do either (connector configs often hold such characters).
func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
