package restapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// GET /
func (s *server) serverInfo(w http.ResponseWriter, r *http.Request) {
	info, err := call(s, r, s.h.ServerInfo)
	s.writeResult(w, r, http.StatusOK, info, err)
}

// unresponsiveMessage is what Kafka reports when the health check times out
// after startup.
const unresponsiveMessage = "Worker was unable to handle this request and may be unable to handle other requests."

// GET /health. The herder decides status and code (200 healthy, 503 starting,
// 500 unhealthy); if it does not answer within the health-check timeout we
// answer 500 "unhealthy" ourselves.
func (s *server) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.healthTimeout)
	defer cancel()
	type result struct {
		status WorkerStatus
		code   int
	}
	res, ok := await(ctx, func(ctx context.Context) result {
		st, code := s.h.Health(ctx)
		return result{st, code}
	}, func(p any, stack []byte) result {
		s.log.Error("panic in herder health check", "panic", fmt.Sprint(p), "stack", string(stack))
		return result{WorkerStatus{Status: "unhealthy", Message: fmt.Sprintf("Health check failed: %v", p)}, http.StatusInternalServerError}
	})
	if !ok {
		res = result{WorkerStatus{Status: "unhealthy", Message: unresponsiveMessage}, http.StatusInternalServerError}
	}
	code := res.code
	if code == 0 {
		code = http.StatusOK
	}
	if code < 100 || code > 599 {
		code = http.StatusInternalServerError
	}
	s.writeJSON(w, r, code, res.status)
}

// GET /connector-plugins[?connectorsOnly=false]
func (s *server) listPlugins(w http.ResponseWriter, r *http.Request) {
	connectorsOnly := boolParam(r, "connectorsOnly", true)
	plugins, err := callWith(s, r, connectorsOnly, s.h.Plugins)
	s.writeResult(w, r, http.StatusOK, nonNilSlice(plugins), err)
}

// GET /connector-plugins/{plugin}/config
func (s *server) getPluginConfig(w http.ResponseWriter, r *http.Request) {
	plugin, ok := s.pathParam(w, r, "plugin")
	if !ok {
		return
	}
	keys, err := callWith(s, r, plugin, s.h.PluginConfig)
	s.writeResult(w, r, http.StatusOK, nonNilSlice(keys), err)
}

// normalizedPluginName strips a trailing "Connector" (unless that is the whole
// name), so "FileStreamSink" and "org.x.FileStreamSinkConnector" compare.
func normalizedPluginName(name string) string {
	const suffix = "Connector"
	if len(name) > len(suffix) && strings.HasSuffix(name, suffix) {
		return name[:len(name)-len(suffix)]
	}
	return name
}

// PUT /connector-plugins/{plugin}/config/validate
func (s *server) validateConfig(w http.ResponseWriter, r *http.Request) {
	plugin, ok := s.pathParam(w, r, "plugin")
	if !ok {
		return
	}
	cfg, ok := requestBody(s, w, r, decodeConfigBody)
	if !ok {
		return
	}
	class, present, null := cfg.get(connectorClassConfig)
	if present && !null && !strings.HasSuffix(normalizedPluginName(class), normalizedPluginName(plugin)) {
		s.writeError(w, r, BadRequest("Included connector type %s does not match request type %s", class, plugin))
		return
	}
	if !present || null {
		s.writeError(w, r, BadRequest("Connector config %s contains no connector type", cfg.javaString()))
		return
	}
	infos, err := call(s, r, func(ctx context.Context) (ConfigInfos, error) {
		return s.h.ValidateConfig(ctx, plugin, cfg.nonNull())
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if nulls := cfg.nullKeys(); len(nulls) > 0 {
		infos = addNullValueErrors(infos, nulls)
	}
	s.writeJSON(w, r, http.StatusOK, infos)
}
