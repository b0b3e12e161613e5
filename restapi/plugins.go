package restapi

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
)

// GET /
func (s *server) serverInfo(w http.ResponseWriter, r *http.Request) {
	info, err := call(s, r, s.timeout, s.h.ServerInfo)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, info)
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
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic in herder health check", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				done <- result{WorkerStatus{Status: "unhealthy", Message: fmt.Sprintf("Health check failed: %v", p)}, http.StatusInternalServerError}
			}
		}()
		st, code := s.h.Health(ctx)
		done <- result{st, code}
	}()

	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		grace := time.NewTimer(timeoutGrace)
		defer grace.Stop()
		select {
		case res = <-done:
		case <-grace.C:
			res = result{WorkerStatus{Status: "unhealthy", Message: unresponsiveMessage}, http.StatusInternalServerError}
		}
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
	plugins, err := call(s, r, s.timeout, func(ctx context.Context) ([]PluginInfo, error) {
		return s.h.Plugins(ctx, connectorsOnly)
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if plugins == nil {
		plugins = []PluginInfo{}
	}
	s.writeJSON(w, r, http.StatusOK, plugins)
}

// GET /connector-plugins/{plugin}/config
func (s *server) getPluginConfig(w http.ResponseWriter, r *http.Request) {
	plugin, ok := pathVar(r, "plugin")
	if !ok {
		s.writeError(w, r, errNotFound)
		return
	}
	keys, err := call(s, r, s.timeout, func(ctx context.Context) ([]ConfigKeyInfo, error) {
		return s.h.PluginConfig(ctx, plugin)
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if keys == nil {
		keys = []ConfigKeyInfo{}
	}
	s.writeJSON(w, r, http.StatusOK, keys)
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
	plugin, ok := pathVar(r, "plugin")
	if !ok {
		s.writeError(w, r, errNotFound)
		return
	}
	data, err := readBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cfg, err := decodeConfigBody(data)
	if err != nil {
		s.writeError(w, r, err)
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
	infos, err := call(s, r, s.timeout, func(ctx context.Context) (ConfigInfos, error) {
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
