package restapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

const (
	nameConfig           = "name"
	connectorClassConfig = "connector.class"
)

// connectorName returns the {connector} path variable, or answers 404.
func (s *server) connectorName(w http.ResponseWriter, r *http.Request) (string, bool) {
	return s.pathParam(w, r, "connector")
}

// connectorTask returns the {connector} and {task} path variables, or
// answers 404 (like Jersey when an Integer path parameter does not parse).
func (s *server) connectorTask(w http.ResponseWriter, r *http.Request) (string, int, bool) {
	name, ok := s.connectorName(w, r)
	if !ok {
		return "", 0, false
	}
	raw, ok := pathVar(r, "task")
	if ok {
		if n, err := strconv.ParseInt(raw, 10, 32); err == nil {
			return name, int(n), true
		}
	}
	s.writeError(w, r, errNotFound)
	return "", 0, false
}

// connectorJSON answers 200 with what fn returns for the {connector}.
func connectorJSON[T any](s *server, w http.ResponseWriter, r *http.Request, fn func(ctx context.Context, name string) (T, error)) {
	name, ok := s.connectorName(w, r)
	if !ok {
		return
	}
	v, err := callWith(s, r, name, fn)
	s.writeResult(w, r, http.StatusOK, v, err)
}

// connectorAction calls fn for the {connector} and answers status without a
// body.
func (s *server) connectorAction(w http.ResponseWriter, r *http.Request, status int, fn func(ctx context.Context, name string) error) {
	name, ok := s.connectorName(w, r)
	if !ok {
		return
	}
	if err := do(s, r, func(ctx context.Context) error { return fn(ctx, name) }); err != nil {
		s.writeError(w, r, err)
		return
	}
	noContent(w, status)
}

// GET /connectors[?expand=status&expand=info]
func (s *server) listConnectors(w http.ResponseWriter, r *http.Request) {
	expand, expanded := r.URL.Query()["expand"]
	if !expanded {
		names, err := call(s, r, s.h.Connectors)
		s.writeResult(w, r, http.StatusOK, nonNilSlice(names), err)
		return
	}
	// One deadline for the whole listing, not one per connector.
	out, err := callWith(s, r, expand, s.expandedConnectors)
	s.writeResult(w, r, http.StatusOK, out, err)
}

// expandedConnectors maps each connector to the expansions asked for
// ("status", "info"); connectors deleted meanwhile are left out.
func (s *server) expandedConnectors(ctx context.Context, expand []string) (map[string]map[string]any, error) {
	names, err := s.h.Connectors(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]any, len(names))
connectors:
	for _, name := range names {
		exp := map[string]any{}
		for _, e := range expand {
			var v any
			var err error
			switch e {
			case "status":
				v, err = s.h.ConnectorStatus(ctx, name)
			case "info":
				v, err = s.h.ConnectorInfo(ctx, name)
			default:
				continue // Kafka ignores unknown expansions
			}
			if err != nil {
				if isNotFound(err) {
					// Deleted while we were listing: leave it out, as Kafka does.
					continue connectors
				}
				return nil, err
			}
			exp[e] = v
		}
		out[name] = exp
	}
	return out, nil
}

func isNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e != nil && e.Status == http.StatusNotFound
}

// javaTrim is Java's String.trim: it strips code points <= U+0020.
func javaTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
}

// POST /connectors
func (s *server) createConnector(w http.ResponseWriter, r *http.Request) {
	req, ok := requestBody(s, w, r, decodeCreateBody)
	if !ok {
		return
	}
	name := ""
	if req.name != nil {
		name = javaTrim(*req.name)
	}
	if req.config == nil {
		// Kafka fails here with a NullPointerException (500, null message).
		s.writeError(w, r, bodyError("Cannot create connector %q: the request body has no \"config\" object", name))
		return
	}
	info, _, err := s.submitConfig(r, name, req.config, true, req.initialState)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", connectorLocation(r, name))
	setETag(w, info.ETag)
	s.writeJSON(w, r, http.StatusCreated, info)
}

// PUT /connectors/{connector}/config
func (s *server) putConnectorConfig(w http.ResponseWriter, r *http.Request) {
	name, ok := s.connectorName(w, r)
	if !ok {
		return
	}
	cfg, ok := requestBody(s, w, r, decodeConfigBody)
	if !ok {
		return
	}
	info, created, err := s.submitConfig(r, name, cfg, false, "")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setETag(w, info.ETag)
	if created {
		w.Header().Set("Location", connectorLocation(r, name))
		s.writeJSON(w, r, http.StatusCreated, info)
		return
	}
	s.writeJSON(w, r, http.StatusOK, info)
}

// submitConfig performs the checks Kafka makes before and during a config
// write, in Kafka's order, then calls PutConnectorConfig:
//  1. a "name" property must equal the connector name (400); if absent or
//     null it is set to the name;
//  2. connector.class must be present and non-null (400 "... contains no
//     connector type");
//  3. null values fail validation (400 with Kafka's "Connector configuration
//     is invalid" message, which lists all validation errors, so the herder
//     is asked to validate the rest of the config).
func (s *server) submitConfig(r *http.Request, name string, cfg *configBody, createOnly bool, initialState string) (ConnectorInfo, bool, error) {
	if included, present, null := cfg.get(nameConfig); present && !null && included != name {
		return ConnectorInfo{}, false, BadRequest("Connector name configuration (%s) doesn't match connector name in the URL (%s)", included, name)
	}
	cfg.set(nameConfig, &name)

	class, present, null := cfg.get(connectorClassConfig)
	if !present || null {
		return ConnectorInfo{}, false, BadRequest("Connector config %s contains no connector type", cfg.javaString())
	}

	if nulls := cfg.nullKeys(); len(nulls) > 0 {
		infos, err := call(s, r, func(ctx context.Context) (ConfigInfos, error) {
			return s.h.ValidateConfig(ctx, class, cfg.nonNull())
		})
		if err != nil {
			return ConnectorInfo{}, false, err
		}
		return ConnectorInfo{}, false, ConfigValidationError(addNullValueErrors(infos, nulls))
	}

	type result struct {
		info    ConnectorInfo
		created bool
	}
	res, err := call(s, r, func(ctx context.Context) (result, error) {
		info, created, err := s.h.PutConnectorConfig(ctx, name, cfg.nonNull(), createOnly, initialState, r.Header.Get("If-Match"))
		return result{info, created}, err
	})
	return res.info, res.created, err
}

// addNullValueErrors adds Kafka's null-value error to the entry of each null
// key (creating an entry without definition for undeclared keys), as Kafka's
// validation does. It does not modify infos' slices.
func addNullValueErrors(infos ConfigInfos, nullKeys []string) ConfigInfos {
	configs := append([]ConfigInfo(nil), infos.Configs...)
	for _, key := range nullKeys {
		found := false
		for i, c := range configs {
			entry := ""
			switch {
			case c.Value != nil:
				entry = c.Value.Name
			case c.Definition != nil:
				entry = c.Definition.Name
			}
			if entry != key {
				continue
			}
			v := ConfigValueInfo{Name: key, Visible: true}
			if c.Value != nil {
				v = *c.Value
			}
			v.Value = nil
			v.Errors = append(append([]string(nil), v.Errors...), NullValueMessage)
			configs[i].Value = &v
			found = true
			break
		}
		if !found {
			configs = append(configs, ConfigInfo{Value: &ConfigValueInfo{
				Name:              key,
				RecommendedValues: []string{},
				Errors:            []string{NullValueMessage},
				Visible:           true,
			}})
		}
		infos.ErrorCount++
	}
	infos.Configs = configs
	return infos
}

// connectorLocation is the absolute URL of a connector, as Jersey builds it
// from the request's base URI. The name is escaped as one path segment
// ("a/b" → a%2Fb) so the URL routes back to the connector.
func connectorLocation(r *http.Request, name string) string {
	path := "/connectors/" + url.PathEscape(name)
	if r.Host == "" {
		return path
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

// PATCH /connectors/{connector}/config
func (s *server) patchConnectorConfig(w http.ResponseWriter, r *http.Request) {
	name, ok := s.connectorName(w, r)
	if !ok {
		return
	}
	cfg, ok := requestBody(s, w, r, decodeConfigBody)
	if !ok {
		return
	}
	info, err := call(s, r, func(ctx context.Context) (ConnectorInfo, error) {
		return s.h.PatchConnectorConfig(ctx, name, cfg.patch(), r.Header.Get("If-Match"))
	})
	if err == nil {
		setETag(w, info.ETag)
	}
	s.writeResult(w, r, http.StatusOK, info, err)
}

// GET /connectors/{connector}
func (s *server) getConnector(w http.ResponseWriter, r *http.Request) {
	connectorJSON(s, w, r, s.h.ConnectorInfo)
}

// GET /connectors/{connector}/config
func (s *server) getConnectorConfig(w http.ResponseWriter, r *http.Request) {
	name, ok := s.connectorName(w, r)
	if !ok {
		return
	}
	cfg, err := callWith(s, r, name, s.h.ConnectorConfig)
	if err == nil {
		setETag(w, cfg.ETag)
	}
	s.writeResult(w, r, http.StatusOK, nonNilMap(cfg.Config), err)
}

// setETag sends a config version, so a client can make its next write
// conditional on it with If-Match (Kafka has no such header; clients that do
// not send If-Match are unaffected).
func setETag(w http.ResponseWriter, etag string) {
	if etag != "" {
		w.Header().Set("ETag", etag)
	}
}

// DELETE /connectors/{connector}
func (s *server) deleteConnector(w http.ResponseWriter, r *http.Request) {
	s.connectorAction(w, r, http.StatusNoContent, s.h.DeleteConnector)
}

// PUT /connectors/{connector}/pause
func (s *server) pauseConnector(w http.ResponseWriter, r *http.Request) {
	s.connectorAction(w, r, http.StatusAccepted, s.h.PauseConnector)
}

// PUT /connectors/{connector}/resume
func (s *server) resumeConnector(w http.ResponseWriter, r *http.Request) {
	s.connectorAction(w, r, http.StatusAccepted, s.h.ResumeConnector)
}

// PUT /connectors/{connector}/stop
func (s *server) stopConnector(w http.ResponseWriter, r *http.Request) {
	s.connectorAction(w, r, http.StatusNoContent, s.h.StopConnector)
}

// PUT /connectors/{connector}/topics/reset
func (s *server) resetConnectorTopics(w http.ResponseWriter, r *http.Request) {
	s.connectorAction(w, r, http.StatusAccepted, s.h.ResetConnectorTopics)
}

// GET /connectors/{connector}/status
func (s *server) getConnectorStatus(w http.ResponseWriter, r *http.Request) {
	connectorJSON(s, w, r, s.h.ConnectorStatus)
}

// GET /connectors/{connector}/tasks
func (s *server) getTaskConfigs(w http.ResponseWriter, r *http.Request) {
	name, ok := s.connectorName(w, r)
	if !ok {
		return
	}
	tasks, err := callWith(s, r, name, s.h.TaskConfigs)
	s.writeResult(w, r, http.StatusOK, nonNilSlice(tasks), err)
}

// GET /connectors/{connector}/tasks-config (deprecated by KIP-970)
func (s *server) getTasksConfig(w http.ResponseWriter, r *http.Request) {
	name, ok := s.connectorName(w, r)
	if !ok {
		return
	}
	s.log.WarnContext(r.Context(), "The GET /connectors/{connector}/tasks-config endpoint is deprecated and will be removed; use GET /connectors/{connector}/tasks instead",
		"connector", name)
	tasks, err := callWith(s, r, name, s.h.TaskConfigs)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make(map[string]map[string]string, len(tasks))
	for _, t := range tasks {
		out[t.ID.Connector+"-"+strconv.Itoa(t.ID.Task)] = nonNilMap(t.Config)
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

// GET /connectors/{connector}/tasks/{task}/status
func (s *server) getTaskStatus(w http.ResponseWriter, r *http.Request) {
	name, task, ok := s.connectorTask(w, r)
	if !ok {
		return
	}
	st, err := call(s, r, func(ctx context.Context) (TaskState, error) {
		return s.h.TaskStatus(ctx, name, task)
	})
	s.writeResult(w, r, http.StatusOK, st, err)
}

// POST /connectors/{connector}/restart[?includeTasks=&onlyFailed=]
func (s *server) restartConnector(w http.ResponseWriter, r *http.Request) {
	name, ok := s.connectorName(w, r)
	if !ok {
		return
	}
	includeTasks := boolParam(r, "includeTasks", false)
	onlyFailed := boolParam(r, "onlyFailed", false)
	plan, err := call(s, r, func(ctx context.Context) (*ConnectorStateInfo, error) {
		return s.h.RestartConnector(ctx, name, includeTasks, onlyFailed)
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !includeTasks && !onlyFailed {
		// Legacy form: the connector instance was restarted synchronously.
		noContent(w, http.StatusNoContent)
		return
	}
	if plan == nil {
		s.writeError(w, r, Errorf(http.StatusInternalServerError, "Restart of connector %s was accepted but no restart plan was returned", name))
		return
	}
	s.writeJSON(w, r, http.StatusAccepted, *plan)
}

// POST /connectors/{connector}/tasks/{task}/restart
func (s *server) restartTask(w http.ResponseWriter, r *http.Request) {
	name, task, ok := s.connectorTask(w, r)
	if !ok {
		return
	}
	if err := do(s, r, func(ctx context.Context) error { return s.h.RestartTask(ctx, name, task) }); err != nil {
		s.writeError(w, r, err)
		return
	}
	noContent(w, http.StatusNoContent)
}

// GET /connectors/{connector}/topics
func (s *server) getConnectorTopics(w http.ResponseWriter, r *http.Request) {
	name, ok := s.connectorName(w, r)
	if !ok {
		return
	}
	topics, err := callWith(s, r, name, s.h.ConnectorTopics)
	s.writeResult(w, r, http.StatusOK, map[string]ActiveTopicsInfo{name: {Topics: topics}}, err)
}

// GET /connectors/{connector}/offsets
func (s *server) getOffsets(w http.ResponseWriter, r *http.Request) {
	connectorJSON(s, w, r, s.h.ConnectorOffsets)
}

// PATCH /connectors/{connector}/offsets
func (s *server) alterOffsets(w http.ResponseWriter, r *http.Request) {
	name, ok := s.connectorName(w, r)
	if !ok {
		return
	}
	offsets, ok := requestBody(s, w, r, decodeOffsetsBody)
	if !ok {
		return
	}
	if len(offsets.Offsets) == 0 {
		s.writeError(w, r, BadRequest("Partitions / offsets need to be provided for an alter offsets request"))
		return
	}
	msg, err := call(s, r, func(ctx context.Context) (Message, error) {
		return s.h.AlterConnectorOffsets(ctx, name, offsets)
	})
	s.writeResult(w, r, http.StatusOK, msg, err)
}

// DELETE /connectors/{connector}/offsets
func (s *server) resetOffsets(w http.ResponseWriter, r *http.Request) {
	connectorJSON(s, w, r, s.h.ResetConnectorOffsets)
}
