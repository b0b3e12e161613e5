package httpserve

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Config holds a server's limits. A zero duration means no limit (net/http's meaning).
type Config struct {
	// ReadHeaderTimeout bounds how long a client may take to send a request's headers,
	// counted from its first byte (or, on a new connection, from the accept).
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds how long a client may take to send a whole request, body included.
	// Once the body is read it no longer applies (net/http lifts the read deadline when it
	// starts watching for the client going away): a slow answer is bounded by WriteTimeout.
	ReadTimeout time.Duration
	// WriteTimeout bounds a request from its headers read to its answer written; handlers
	// must answer well within it.
	WriteTimeout time.Duration
	// IdleTimeout bounds how long a keep-alive connection may wait for its next request.
	IdleTimeout time.Duration
	// MaxConnections caps the open connections (see Limiter); < 1 counts as 1.
	MaxConnections int
	// Logger receives the limiter's warnings and net/http's own errors (as warnings). Nil
	// means slog.Default().
	Logger *slog.Logger
}

// Server is an http.Server with the limits of a Config.
type Server struct {
	srv     *http.Server
	limiter *Limiter
}

// New returns a Server serving h with cfg's limits.
func New(h http.Handler, cfg Config) *Server {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	l := NewLimiter(cfg.MaxConnections, log)
	return &Server{
		limiter: l,
		srv: &http.Server{
			Handler:           l.Guard(h),
			ReadHeaderTimeout: cfg.ReadHeaderTimeout,
			ReadTimeout:       cfg.ReadTimeout,
			WriteTimeout:      cfg.WriteTimeout,
			IdleTimeout:       cfg.IdleTimeout,
			ConnState:         l.ConnState,
			ConnContext:       l.ConnContext,
			// net/http logs what a user should see: accept errors (such as running out of file
			// descriptors, with its retry delay) and handler bugs. Clients cut off by timeouts
			// or to make room are not logged.
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
	}
}

// Serve accepts connections on ln until Shutdown; like http.Server.Serve it returns
// http.ErrServerClosed after Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	return s.srv.Serve(s.limiter.Listener(ln))
}

// Shutdown stops accepting, closes idle connections and waits for requests in progress until
// ctx is done.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.srv.Shutdown(ctx)
}

// Limiter returns the server's connection limiter (for its figures).
func (s *Server) Limiter() *Limiter { return s.limiter }
