package verifiable

import "github.com/raftconnect/raftconnect/connect"

// Plugins join the registry from init(), so that a blank import of the package makes them
// available. The aliases VerifiableSource(Connector) and VerifiableSink(Connector) come from
// the class names (see connect.Lookup).
func init() {
	connect.Register(connect.Plugin{
		Class:     SourceConnectorClass,
		TaskClass: SourceTaskClass,
		Version:   Version,
		// A fresh instance on every call: each connector keeps its own configuration.
		New: func() any { return new(SourceConnector) },
	})
	connect.Register(connect.Plugin{
		Class:     SinkConnectorClass,
		TaskClass: SinkTaskClass,
		Version:   Version,
		New:       func() any { return new(SinkConnector) },
	})
}
