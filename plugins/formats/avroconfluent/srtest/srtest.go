// Package srtest runs a Confluent Schema Registry for tests: a real HTTP server (httptest)
// speaking the REST API that srclient and Confluent's serializers use — POST
// /subjects/{s}/versions, GET /schemas/ids/{id}, GET /subjects/{s}/versions/{v|latest},
// POST /subjects/{s} — with Confluent's error bodies ({"error_code":40401,"message":...}).
//
// It wraps franz-go's in-memory srfake registry and adds what tests of a client need: HTTP
// basic authentication answered as the real registry answers it, a count of the requests
// received, and injected failures.
package srtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"
)

// Server is a running test registry. Stop it with Close.
type Server struct {
	reg *srfake.Registry
	srv *httptest.Server

	user, pass string

	mu       sync.Mutex
	requests []Request
	faults   []*fault
}

// Request is one request the server received.
type Request struct {
	Method string
	Path   string
}

type fault struct {
	method, pathPrefix string
	status, code       int
	message            string
	left               int // <0: forever
}

// Option configures a Server.
type Option func(*Server)

// WithBasicAuth makes the server require HTTP basic authentication with these credentials;
// other requests get 401 and Confluent's {"error_code":401,"message":"Unauthorized"}.
func WithBasicAuth(user, password string) Option {
	return func(s *Server) { s.user, s.pass = user, password }
}

// New starts a server.
func New(opts ...Option) *Server {
	s := &Server{reg: srfake.NewRegistry()}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the server's base URL.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server; later requests fail as against a registry that is down.
func (s *Server) Close() { s.srv.Close() }

// Registry is the in-memory registry behind the server, for seeding and inspection.
func (s *Server) Registry() *srfake.Registry { return s.reg }

// Register registers an Avro schema under subject directly, without going through HTTP or
// counting a request, and returns its id.
func (s *Server) Register(subject, schema string) (int, error) {
	id, _, err := s.reg.RegisterSchema(subject, sr.Schema{Schema: schema, Type: sr.TypeAvro})
	return id, err
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestCount is the number of requests received so far.
func (s *Server) RequestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// ResetRequests forgets the requests received so far.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// Fail makes the next times requests whose method matches (empty for any) and whose path
// starts with pathPrefix fail with the HTTP status and a Confluent error body; times < 0
// fails them until ClearFailures.
func (s *Server) Fail(method, pathPrefix string, times, status, code int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method, pathPrefix, status, code, message, times})
}

// ClearFailures removes every injected failure.
func (s *Server) ClearFailures() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path})
	var hit *fault
	for _, f := range s.faults {
		if f.left != 0 && (f.method == "" || f.method == r.Method) && strings.HasPrefix(r.URL.Path, f.pathPrefix) {
			hit = f
			if f.left > 0 {
				f.left--
			}
			break
		}
	}
	s.mu.Unlock()
	if hit != nil {
		writeError(w, hit.status, hit.code, hit.message)
		return
	}
	if s.user != "" || s.pass != "" {
		u, p, ok := r.BasicAuth()
		if !ok || u != s.user || p != s.pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="SchemaRegistry"`)
			writeError(w, http.StatusUnauthorized, http.StatusUnauthorized, "Unauthorized")
			return
		}
	}
	s.reg.Handler().ServeHTTP(w, r)
}

func writeError(w http.ResponseWriter, status, code int, message string) {
	w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error_code": code, "message": message})
}
