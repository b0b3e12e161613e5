package restapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
)

// Default timeouts, as in Kafka (DEFAULT_REST_REQUEST_TIMEOUT_MS and
// DEFAULT_HEALTH_CHECK_TIMEOUT_MS).
const (
	DefaultRequestTimeout     = 90 * time.Second
	DefaultHealthCheckTimeout = 10 * time.Second
)

// timeoutGrace is how long after a herder call's deadline we still wait for
// the herder's own answer (which may carry a more specific message) before
// answering "Request timed out" ourselves.
const timeoutGrace = 250 * time.Millisecond

// Options configures NewHandler. The zero value is usable.
type Options struct {
	// Logger receives a debug record per request (method, path, status,
	// latency), a warning per call of the deprecated tasks-config endpoint,
	// and an error record for unexpected failures. Nil means slog.Default().
	Logger *slog.Logger
	// RequestTimeout bounds each herder call. Zero means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// HealthCheckTimeout bounds Herder.Health. Zero means DefaultHealthCheckTimeout.
	HealthCheckTimeout time.Duration
	// AllowOrigin is Kafka's access.control.allow.origin: "*" or comma-separated origins
	// (scheme://host[:port], '*' as a wildcard) whose browser requests are allowed and
	// answered with CORS headers. Requests from any other site's pages (an Origin other than
	// the worker's own) are refused with 403. Empty allows only the worker's own origin.
	AllowOrigin string
	// AllowMethods is access.control.allow.methods: the methods allowed for cross-origin
	// requests, comma-separated. Empty means GET,POST,HEAD (Kafka's default).
	AllowMethods string
}

type server struct {
	h             Herder
	log           *slog.Logger
	timeout       time.Duration
	healthTimeout time.Duration
}

// NewHandler returns the Kafka Connect REST API (spec §1.1 rows 1–26) over h.
// It does not listen; the caller mounts it on an http.Server.
func NewHandler(h Herder, opts Options) http.Handler {
	s := &server{
		h:             h,
		log:           opts.Logger,
		timeout:       opts.RequestTimeout,
		healthTimeout: opts.HealthCheckTimeout,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.timeout <= 0 {
		s.timeout = DefaultRequestTimeout
	}
	if s.healthTimeout <= 0 {
		s.healthTimeout = DefaultHealthCheckTimeout
	}

	r := mux.NewRouter()
	// Match on the escaped path so a connector named "a/b" can be addressed
	// as /connectors/a%2Fb; path variables are unescaped by the handlers.
	r.UseEncodedPath()
	// mux's path cleaning answers 301 (even to PUT/POST) and re-escapes the
	// encoded path; Jersey would rather not match. Let unmatched paths 404.
	r.SkipClean(true)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.writeError(w, nil, errNotFound)
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.writeError(w, nil, errMethodNotAllowed)
	})

	for _, rt := range s.routes() {
		r.Handle(rt.path, rt)
	}
	return s.logRequests(s.recoverPanics(s.checkOrigin(newOriginPolicy(opts.AllowOrigin, opts.AllowMethods), stripTrailingSlash(r))))
}

// endpoint is one method on one path.
type endpoint struct {
	method  string
	handler http.HandlerFunc
	// body marks endpoints that consume a JSON request body (415 on other
	// content types).
	body bool
}

// route is one path with its methods. Method dispatch is done here rather
// than by mux so that 405, HEAD and OPTIONS behave like Jersey.
type route struct {
	s         *server
	path      string
	endpoints []endpoint
}

func (s *server) routes() []*route {
	rt := func(path string, eps ...endpoint) *route { return &route{s: s, path: path, endpoints: eps} }
	get := func(h http.HandlerFunc) endpoint { return endpoint{method: http.MethodGet, handler: h} }
	del := func(h http.HandlerFunc) endpoint { return endpoint{method: http.MethodDelete, handler: h} }
	put := func(h http.HandlerFunc) endpoint { return endpoint{method: http.MethodPut, handler: h} }
	post := func(h http.HandlerFunc) endpoint { return endpoint{method: http.MethodPost, handler: h} }
	withBody := func(e endpoint) endpoint { e.body = true; return e }
	patch := func(h http.HandlerFunc) endpoint { return endpoint{method: http.MethodPatch, handler: h} }

	return []*route{
		rt("/", get(s.serverInfo)),
		rt("/health", get(s.health)),
		rt("/connectors", get(s.listConnectors), withBody(post(s.createConnector))),
		rt("/connectors/{connector}", get(s.getConnector), del(s.deleteConnector)),
		rt("/connectors/{connector}/config", get(s.getConnectorConfig), withBody(put(s.putConnectorConfig)), withBody(patch(s.patchConnectorConfig))),
		rt("/connectors/{connector}/status", get(s.getConnectorStatus)),
		rt("/connectors/{connector}/tasks", get(s.getTaskConfigs)),
		rt("/connectors/{connector}/tasks-config", get(s.getTasksConfig)),
		rt("/connectors/{connector}/tasks/{task}/status", get(s.getTaskStatus)),
		rt("/connectors/{connector}/restart", post(s.restartConnector)),
		rt("/connectors/{connector}/tasks/{task}/restart", post(s.restartTask)),
		rt("/connectors/{connector}/pause", put(s.pauseConnector)),
		rt("/connectors/{connector}/resume", put(s.resumeConnector)),
		rt("/connectors/{connector}/stop", put(s.stopConnector)),
		rt("/connectors/{connector}/topics", get(s.getConnectorTopics)),
		rt("/connectors/{connector}/topics/reset", put(s.resetConnectorTopics)),
		rt("/connectors/{connector}/offsets", get(s.getOffsets), withBody(patch(s.alterOffsets)), del(s.resetOffsets)),
		rt("/connector-plugins", get(s.listPlugins)),
		rt("/connector-plugins/{plugin}/config", get(s.getPluginConfig)),
		rt("/connector-plugins/{plugin}/config/validate", withBody(put(s.validateConfig))),
	}
}

func (rt *route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet // net/http discards the body of HEAD responses
	}
	for _, ep := range rt.endpoints {
		if ep.method != method {
			continue
		}
		if ep.body && !jsonContentType(r.Header.Get("Content-Type")) {
			rt.s.writeError(w, r, errUnsupportedMedia)
			return
		}
		ep.handler(w, r)
		return
	}
	if r.Method == http.MethodOptions {
		// Jersey's automatic OPTIONS response: the allowed methods, as text.
		allow := rt.allowed()
		w.Header().Set("Allow", allow)
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", strconv.Itoa(len(allow)))
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, allow)
		return
	}
	rt.s.writeError(w, r, errMethodNotAllowed)
}

func (rt *route) allowed() string {
	var ms []string
	for _, ep := range rt.endpoints {
		ms = append(ms, ep.method)
		if ep.method == http.MethodGet {
			ms = append(ms, http.MethodHead)
		}
	}
	return strings.Join(append(ms, http.MethodOptions), ", ")
}

// jsonContentType reports whether a request Content-Type is acceptable for a
// JSON body, as for Jersey's @Consumes(application/json): application/json
// with any parameters, or a wildcard. An absent Content-Type is refused, as
// Jersey does: the three types a web page may send without a CORS preflight
// (text/plain, form encodings) and none at all must never reach a handler
// that changes anything.
func jsonContentType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "application/json", "application/*", "*/*":
		return true
	}
	return false
}

// stripTrailingSlash treats /connector-plugins/ like /connector-plugins (Jersey
// matches either). Only one slash is removed, and only from the escaped path,
// so a name ending in an encoded slash (%2F) is untouched.
func stripTrailingSlash(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ep := r.URL.EscapedPath()
		if len(ep) > 1 && strings.HasSuffix(ep, "/") {
			trimmed := ep[:len(ep)-1]
			if p, err := url.PathUnescape(trimmed); err == nil {
				r2 := new(http.Request)
				*r2 = *r
				u := *r.URL
				u.Path, u.RawPath = p, trimmed
				r2.URL = &u
				r = r2
			}
		}
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusRecorder) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.log.Enabled(r.Context(), slog.LevelDebug) {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		status := rec.status
		if !rec.wrote {
			status = http.StatusOK
		}
		s.log.LogAttrs(r.Context(), slog.LevelDebug, "REST request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.EscapedPath()),
			slog.String("query", r.URL.RawQuery),
			slog.Int("status", status),
			slog.Duration("latency", time.Since(start)),
		)
	})
}

func (s *server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic in REST handler", "method", r.Method, "path", r.URL.EscapedPath(),
					"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				s.writeError(w, r, Errorf(http.StatusInternalServerError, "Internal server error: %v", p))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// writeJSON writes v as the JSON body with the given status.
func (s *server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := marshalNoEscape(v)
	if err != nil {
		s.log.Error("cannot serialize REST response", "error", err)
		status = http.StatusInternalServerError
		body, _ = marshalNoEscape(ErrorMessage{ErrorCode: status, Message: "Cannot serialize response: " + err.Error()})
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError maps err to a status and an ErrorMessage body: *Error (also
// wrapped) keeps its status and code; anything else is a 500 with the error
// text. r may be nil.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if !errors.As(err, &e) || e == nil {
		if r != nil {
			s.log.Error("uncaught error in REST call", "method", r.Method, "path", r.URL.EscapedPath(), "error", err)
		}
		e = &Error{Status: http.StatusInternalServerError, Message: err.Error()}
	}
	status := e.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	code := e.Code
	if code == 0 {
		code = status
	}
	s.writeJSON(w, r, status, ErrorMessage{ErrorCode: code, Message: e.Message})
}

// writeResult answers the outcome of a herder call: err if it is not nil,
// otherwise v as the JSON body with the given status.
func (s *server) writeResult(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, status, v)
}

// noContent answers a bodiless status (202 or 204).
func noContent(w http.ResponseWriter, status int) {
	w.WriteHeader(status)
}

// await runs fn in its own goroutine and returns its result. If ctx is done
// first, it waits timeoutGrace more for the result (which may carry a more
// specific message) and then gives up with ok false; fn keeps running in the
// background, as a Kafka herder request would. If fn panics, the result is
// onPanic's, given the panic value and the panicking goroutine's stack.
func await[T any](ctx context.Context, fn func(ctx context.Context) T, onPanic func(p any, stack []byte) T) (res T, ok bool) {
	done := make(chan T, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- onPanic(p, debug.Stack())
			}
		}()
		done <- fn(ctx)
	}()

	select {
	case res = <-done:
		return res, true
	case <-ctx.Done():
		grace := time.NewTimer(timeoutGrace)
		defer grace.Stop()
		select {
		case res = <-done:
			return res, true
		case <-grace.C:
			return res, false
		}
	}
}

// call runs fn with a context that expires after the request timeout. It
// returns when fn returns or, if fn ignores its context, shortly after the
// deadline with "Request timed out". A panicking herder becomes a 500.
func call[T any](s *server, r *http.Request, fn func(ctx context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
	defer cancel()
	type result struct {
		v   T
		err error
	}
	res, ok := await(ctx, func(ctx context.Context) result {
		v, err := fn(ctx)
		return result{v, err}
	}, func(p any, stack []byte) result {
		s.log.Error("panic in herder call", "method", r.Method, "path", r.URL.EscapedPath(),
			"panic", fmt.Sprint(p), "stack", string(stack))
		return result{err: Errorf(http.StatusInternalServerError, "Internal server error: %v", p)}
	})
	if !ok {
		var zero T
		return zero, ctxError(r, ctx)
	}
	if res.err == nil {
		return res.v, nil
	}
	var e *Error
	if errors.As(res.err, &e) {
		return res.v, res.err
	}
	if ctx.Err() != nil && (errors.Is(res.err, context.DeadlineExceeded) || errors.Is(res.err, context.Canceled)) {
		return res.v, ctxError(r, ctx)
	}
	return res.v, res.err
}

// callWith is call for a herder method that takes one argument besides the
// context (a connector or plugin name, a flag).
func callWith[A, T any](s *server, r *http.Request, arg A, fn func(ctx context.Context, arg A) (T, error)) (T, error) {
	return call(s, r, func(ctx context.Context) (T, error) { return fn(ctx, arg) })
}

func ctxError(r *http.Request, ctx context.Context) error {
	if r.Context().Err() != nil {
		return errInterrupted // the client went away
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return errTimedOut
	}
	return errInterrupted
}

// do is call for herder methods that return only an error.
func do(s *server, r *http.Request, fn func(ctx context.Context) error) error {
	_, err := call(s, r, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fn(ctx)
	})
	return err
}

// pathVar returns the unescaped path variable; ok is false when it is not
// validly escaped.
func pathVar(r *http.Request, name string) (string, bool) {
	raw, ok := mux.Vars(r)[name]
	if !ok {
		return "", false
	}
	v, err := url.PathUnescape(raw)
	if err != nil {
		return "", false
	}
	return v, true
}

// pathParam returns the unescaped path variable, or answers 404.
func (s *server) pathParam(w http.ResponseWriter, r *http.Request, name string) (string, bool) {
	v, ok := pathVar(r, name)
	if !ok {
		s.writeError(w, r, errNotFound)
	}
	return v, ok
}

// boolParam parses a boolean query parameter like JAX-RS: absent or empty
// means def; otherwise "true" (any case) is true and anything else false.
func boolParam(r *http.Request, name string, def bool) bool {
	vs, ok := r.URL.Query()[name]
	if !ok || len(vs) == 0 || vs[0] == "" {
		return def
	}
	return strings.EqualFold(vs[0], "true")
}

// readBody reads a request body, bounded by maxBodyBytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, Errorf(http.StatusRequestEntityTooLarge, "Request body is larger than the limit of %d bytes", tooBig.Limit)
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			// The server's read timeout (rest.server.read.timeout.ms) cut a slow body.
			return nil, Errorf(http.StatusRequestTimeout, "Request body not received within the server's read timeout")
		}
		return nil, bodyError("Cannot read request body: %v", err)
	}
	return data, nil
}

// requestBody reads the request body and decodes it with decode, or answers
// the error.
func requestBody[T any](s *server, w http.ResponseWriter, r *http.Request, decode func(data []byte) (T, error)) (T, bool) {
	var zero T
	data, err := readBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return zero, false
	}
	v, err := decode(data)
	if err != nil {
		s.writeError(w, r, err)
		return zero, false
	}
	return v, true
}
