package control

// The plugin listing and connector validation requests of the REST API.

import (
	"context"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/internal/runtime"
	"github.com/raftconnect/raftconnect/restapi"
)

// Plugins implements restapi.Herder.
func (h *Herder) Plugins(ctx context.Context, connectorsOnly bool) ([]restapi.PluginInfo, error) {
	var out []restapi.PluginInfo
	for _, p := range connect.Plugins() {
		if connectorsOnly && p.Type != connect.PluginSource && p.Type != connect.PluginSink {
			continue
		}
		out = append(out, restapi.PluginInfo{Class: p.Class, Type: string(p.Type), Version: p.Version})
	}
	return out, nil
}

// PluginConfig implements restapi.Herder: a connector's own keys then the framework keys it
// does not define; other plugins' own keys.
func (h *Herder) PluginConfig(ctx context.Context, plugin string) ([]restapi.ConfigKeyInfo, error) {
	p, err := connect.Lookup(plugin)
	if err != nil {
		return nil, restapi.NotFound("Unknown plugin %s.", plugin)
	}
	def := pluginConfigDef(p)
	switch p.New().(type) {
	case connect.SourceConnector:
		def = def.With(runtime.SourceDef())
	case connect.SinkConnector:
		def = def.With(runtime.SinkDef())
	}
	out := []restapi.ConfigKeyInfo{}
	for _, k := range def.Keys() {
		out = append(out, *configKeyInfo(k))
	}
	return out, nil
}

// ValidateConfig implements restapi.Herder.
func (h *Herder) ValidateConfig(ctx context.Context, plugin string, config map[string]string) (restapi.ConfigInfos, error) {
	return h.validateConnectorConfig(config)
}
