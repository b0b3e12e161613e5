package restapi

import "context"

// Herder is what the REST API needs from the worker. Errors of type *Error carry an HTTP status;
// any other error becomes 500 with err.Error() as the message.
//
// Every call gets a context that expires after Options.RequestTimeout (90 s by
// default); if the call has not returned by then (plus a short grace period in
// which an implementation may return its own, more detailed *Error) the client
// gets 500 "Request timed out". Calls may run concurrently.
//
// The messages Kafka uses, which clients and tests match on, are noted per
// method; use the constructors NotFound, Conflict, BadRequest, Forbidden.
type Herder interface {
	ServerInfo(ctx context.Context) (ServerInfo, error)
	// Health reports the worker's health and the HTTP status to send: 200
	// {"healthy","Worker has completed startup and is ready to handle requests."},
	// 503 {"starting","Worker is still starting up. ..."} or 500
	// {"unhealthy","Worker was unable to handle this request and may be unable to handle other requests. ..."}.
	// ctx expires after Options.HealthCheckTimeout (10 s by default).
	Health(ctx context.Context) (status WorkerStatus, httpStatus int)
	Connectors(ctx context.Context) ([]string, error)
	// ConnectorInfo: unknown → NotFound("Connector %s not found").
	ConnectorInfo(ctx context.Context, name string) (ConnectorInfo, error)
	// ConnectorConfig returns the raw (untransformed) config and its ETag; unknown →
	// NotFound("Connector %s not found").
	ConnectorConfig(ctx context.Context, name string) (VersionedConfig, error)
	// PutConnectorConfig creates or updates. createOnly is true for POST /connectors (exists → 409).
	// initialState is "", "RUNNING", "PAUSED" or "STOPPED" (already upper-cased and validated by restapi).
	//
	// restapi guarantees that config["name"] == name and that config has a
	// connector.class. The herder validates the rest; validation errors →
	// ConfigValidationError(infos); exists with createOnly →
	// Conflict("Connector %s already exists").
	//
	// ifMatch is the request's If-Match header ("" when absent): when set,
	// the write happens only if ETagMatches(ifMatch, current ETag), atomically
	// with the check, else PreconditionFailed. info.ETag is the new version's.
	PutConnectorConfig(ctx context.Context, name string, config map[string]string, createOnly bool, initialState, ifMatch string) (info ConnectorInfo, created bool, err error)
	// PatchConnectorConfig: nil values delete keys, applied atomically to the
	// stored config (a concurrent write is never lost). Unknown →
	// NotFound("Connector %s not found"); the patched config is validated like
	// PUT; ifMatch as for PutConnectorConfig.
	PatchConnectorConfig(ctx context.Context, name string, patch map[string]*string, ifMatch string) (ConnectorInfo, error)
	// DeleteConnector: unknown → NotFound("Connector %s not found").
	DeleteConnector(ctx context.Context, name string) error
	// ConnectorStatus: unknown → NotFound("No status found for connector %s").
	ConnectorStatus(ctx context.Context, name string) (ConnectorStateInfo, error)
	// TaskStatus: unknown → NotFound("No status found for task %s-%d").
	TaskStatus(ctx context.Context, name string, task int) (TaskState, error)
	// TaskConfigs: unknown → NotFound("Connector %s not found").
	TaskConfigs(ctx context.Context, name string) ([]TaskInfo, error)
	// RestartConnector returns a nil plan for the legacy form (both flags false) → 204; else 202 + plan.
	// Unknown → NotFound("Unknown connector: %s").
	RestartConnector(ctx context.Context, name string, includeTasks, onlyFailed bool) (*ConnectorStateInfo, error)
	// RestartTask: NotFound("Unknown connector: %s") / NotFound("Unknown task: %s-%d").
	RestartTask(ctx context.Context, name string, task int) error
	// PauseConnector, ResumeConnector, StopConnector: unknown → NotFound("Unknown connector %s").
	PauseConnector(ctx context.Context, name string) error
	ResumeConnector(ctx context.Context, name string) error
	StopConnector(ctx context.Context, name string) error
	// ConnectorTopics returns the active topics; an unknown connector has none (no 404).
	// Tracking disabled → Forbidden("Topic tracking is disabled.").
	ConnectorTopics(ctx context.Context, name string) ([]string, error)
	// ResetConnectorTopics: Forbidden("Topic tracking is disabled.") or
	// Forbidden("Topic tracking reset is disabled.").
	ResetConnectorTopics(ctx context.Context, name string) error
	// ConnectorOffsets, AlterConnectorOffsets, ResetConnectorOffsets: unknown →
	// NotFound("Connector %s not found"); not STOPPED → BadRequest. restapi
	// guarantees offsets.Offsets is non-empty; partition/offset semantics are
	// the herder's to check.
	ConnectorOffsets(ctx context.Context, name string) (ConnectorOffsets, error)
	AlterConnectorOffsets(ctx context.Context, name string, offsets ConnectorOffsets) (Message, error)
	ResetConnectorOffsets(ctx context.Context, name string) (Message, error)
	// Plugins lists sinks, sources and, unless connectorsOnly, transformations,
	// predicates, converters and header converters, in that order.
	Plugins(ctx context.Context, connectorsOnly bool) ([]PluginInfo, error)
	// PluginConfig: unknown → NotFound("Unknown plugin %s.").
	PluginConfig(ctx context.Context, plugin string) ([]ConfigKeyInfo, error)
	// ValidateConfig validates config; plugin is the name from the URL (or, when
	// restapi validates on behalf of a create/update, the connector.class).
	// restapi guarantees config has a connector.class and no null values (it
	// adds the NullValueMessage entries itself).
	ValidateConfig(ctx context.Context, plugin string, config map[string]string) (ConfigInfos, error)
}
