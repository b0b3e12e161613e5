package file

import "github.com/raftconnect/raftconnect/connect"

// Plugins join the registry from init(), so that a blank import of the package makes them
// available. Register panics on a duplicate class name: that is a build mistake, not a runtime
// condition.
func init() {
	connect.Register(connect.Plugin{
		Class:     SourceConnectorClass,
		TaskClass: SourceTaskClass,
		Version:   Version,
		// New must return a fresh instance on every call: the runtime may run several
		// connectors of the same class, each with its own state.
		New: func() any { return new(SourceConnector) },
	})
	connect.Register(connect.Plugin{
		Class:     SinkConnectorClass,
		TaskClass: SinkTaskClass,
		Version:   Version,
		New:       func() any { return new(SinkConnector) },
	})
}
