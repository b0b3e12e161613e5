// Command worker runs a raftconnect worker: a Kafka Connect–compatible worker whose cluster
// state lives in a Raft-replicated store.
//
//	worker --dev                       in-memory Kafka broker + worker, nothing to configure
//	worker [flags] [worker.properties] against a real Kafka cluster
//	worker convert --from F --to F ... convert messages between data formats
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/raftconnect/raftconnect/internal/control"
	"github.com/raftconnect/raftconnect/internal/devbroker"
	"github.com/raftconnect/raftconnect/internal/httpserve"
	"github.com/raftconnect/raftconnect/internal/workerconfig"
	"github.com/raftconnect/raftconnect/raftstore"
	"github.com/raftconnect/raftconnect/restapi"

	"github.com/raftconnect/raftconnect/plugins/formats/convert"

	_ "github.com/raftconnect/raftconnect/plugins/file"
	_ "github.com/raftconnect/raftconnect/plugins/formats/all"
	_ "github.com/raftconnect/raftconnect/plugins/verifiable"
)

// Set by the build (-ldflags "-X main.version=... -X main.commit=...").
var (
	version = "0.1.0-dev"
	commit  = "unknown"
)

func main() {
	start := time.Now()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, start))
}

// setFlags collects repeatable --set key=value flags.
type setFlags map[string]string

func (s setFlags) String() string { return "" }
func (s setFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("want key=value, got %q", v)
	}
	s[strings.TrimSpace(k)] = val
	return nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, start time.Time) int {
	if len(args) > 0 && args[0] == "convert" {
		return convert.Run(ctx, args[1:], os.Stdin, stdout, stderr)
	}
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(fs, stderr) }
	dev := fs.Bool("dev", false, "start an in-memory Kafka broker on 127.0.0.1:9092 and the worker on :8083, with data in a temporary directory")
	devPort := fs.Int("dev.broker.port", 9092, "port of the --dev broker")
	configFile := fs.String("config", "", "worker properties file (connect-distributed.properties style); may also be given as the only argument")
	logLevel := fs.String("log.level", "info", "log level: debug, info, warn, error")
	sets := setFlags{}
	fs.Var(sets, "set", "worker configuration key=value (repeatable), e.g. --set offset.flush.interval.ms=10000")
	direct := map[string]*string{}
	for _, k := range []string{"bootstrap.servers", "listeners", "key.converter", "value.converter", "offset.flush.interval.ms", "data.dir", "node.id", "raft.bind.address", "cluster.join"} {
		direct[k] = fs.String(k, "", "worker configuration "+k)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 1 || (fs.NArg() == 1 && *configFile != "") {
		fmt.Fprintln(stderr, "worker: give at most one properties file")
		return 2
	}
	if fs.NArg() == 1 {
		*configFile = fs.Arg(0)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "worker: --log.level: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	// Plugins log through slog's default logger; give them the worker's.
	slog.SetDefault(log)

	props := map[string]string{}
	if *configFile != "" {
		f, err := os.Open(*configFile)
		if err != nil {
			fmt.Fprintf(stderr, "worker: %v\n", err)
			return 1
		}
		props, err = workerconfig.ReadProperties(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "worker: %s: %v\n", *configFile, err)
			return 1
		}
	}
	for k, p := range direct {
		if *p != "" {
			props[k] = *p
		}
	}
	for k, v := range sets {
		props[k] = v
	}

	var broker *devbroker.Broker
	if *dev {
		tmp, err := os.MkdirTemp("", "raftconnect-dev-")
		if err != nil {
			fmt.Fprintf(stderr, "worker: %v\n", err)
			return 1
		}
		defer os.RemoveAll(tmp)
		if _, ok := props["data.dir"]; !ok {
			props["data.dir"] = filepath.Join(tmp, "data")
		}
		broker, err = devbroker.Start(*devPort, 1)
		if err != nil {
			fmt.Fprintf(stderr, "worker: %v\n", err)
			return 1
		}
		defer broker.Close()
		props["bootstrap.servers"] = strings.Join(broker.Addrs(), ",")
		defer devBanner(stdout, broker, props, tmp)()
	}

	cfg, err := workerconfig.ParseConfig(props)
	if err != nil {
		fmt.Fprintf(stderr, "worker: %v\n", err)
		return 1
	}
	for _, k := range cfg.Ignored {
		log.Warn("worker configuration key is accepted for compatibility and has no effect: the Raft store replaces Kafka Connect's internal topics and group protocol", "key", k)
	}
	if err := cfg.EnsureNodeID(); err != nil {
		fmt.Fprintf(stderr, "worker: %v\n", err)
		return 1
	}
	if err := serve(ctx, cfg, log, start); err != nil {
		fmt.Fprintf(stderr, "worker: %v\n", err)
		return 1
	}
	return 0
}

// devBanner prints what dev mode is and how to create a first connector once the worker is up;
// it returns a func that prints the goodbye line.
func devBanner(out io.Writer, b *devbroker.Broker, props map[string]string, tmp string) func() {
	listener := "http://:8083"
	if l, ok := props["listeners"]; ok {
		listener = strings.Split(l, ",")[0]
	}
	addr, _ := workerconfig.ListenAddr(listener)
	host, port, _ := net.SplitHostPort(addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	input := filepath.Join(tmp, "input.txt")
	_ = os.WriteFile(input, nil, 0o644)
	fmt.Fprintf(out, `raftconnect %s — dev mode
  Kafka broker: %s (IN MEMORY: every topic and message is lost when the worker stops)
  Worker REST API: http://%s
  Worker data (Raft store): %s (temporary, removed at exit)

Create a first connector (it copies lines appended to %s into topic connect-test):
  curl -s -X POST -H 'Content-Type: application/json' http://%s/connectors \
    -d '{"name":"local-file-source","config":{"connector.class":"FileStreamSource","tasks.max":"1","file":"%s","topic":"connect-test"}}'
Then:
  echo hello >> %s
  curl -s http://%s/connectors/local-file-source/status

`, version, strings.Join(b.Addrs(), ","), net.JoinHostPort(host, port), props["data.dir"], input,
		net.JoinHostPort(host, port), input, input, net.JoinHostPort(host, port))
	return func() { fmt.Fprintln(out, "dev mode: in-memory broker stopped; its data is gone") }
}

// serve runs the REST API, the Raft store and the worker until ctx is done.
func serve(ctx context.Context, cfg *workerconfig.Config, log *slog.Logger, start time.Time) error {
	// Listen first, so the port is taken (or the error shown) before anything slower happens.
	var listeners []net.Listener
	for _, l := range cfg.Listeners {
		addr, err := workerconfig.ListenAddr(l)
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("listener %s: %w", l, err)
		}
		listeners = append(listeners, ln)
	}
	defer func() {
		for _, ln := range listeners {
			ln.Close()
		}
	}()
	workerID, restURL := advertised(cfg, listeners[0])

	raftDir := filepath.Join(cfg.DataDir, "raft")
	join := cfg.ClusterJoin
	// A worker that left its cluster at its last clean stop is no longer a member: its Raft
	// files are of no use, and it joins again through the members it knew then.
	peers, left, err := control.LeftCluster(cfg.DataDir)
	if err != nil {
		return err
	}
	if left {
		if err := os.RemoveAll(raftDir); err != nil {
			return fmt.Errorf("removing the Raft files of the cluster this worker left: %w", err)
		}
		join = append(slices.Clone(join), peers...)
		log.Info("this worker left its cluster at its last stop; joining it again", "through", join)
	}
	store, err := raftstore.Open(raftstore.Config{
		Dir: raftDir, NodeID: cfg.NodeID, BindAddr: cfg.RaftBind, AdvertiseAddr: cfg.RaftAdvertise,
		Secret: []byte(cfg.ClusterSecret), MaxVoters: cfg.MaxVoters,
		// A follower learns that its forwarded write committed on the leader's next message;
		// Raft's 50 ms default made every REST write through a follower take ~75 ms. 10 ms
		// costs an idle leader ~100 tiny messages a second per follower.
		CommitTimeout: 10 * time.Millisecond,
		// A joining worker waits to be added; one with Raft state reopens it either way.
		NoBootstrap: len(join) > 0,
		Logger:      log,
	})
	if err != nil {
		return fmt.Errorf("opening the Raft store in %s: %w", cfg.DataDir, err)
	}
	defer store.Close()

	w := control.New(control.Options{Config: cfg, Store: store, WorkerID: workerID, RestURL: restURL, Logger: log, Version: version, Commit: commit, Join: join})
	srv := restServer(cfg, w, w.InternalHandler(), log)
	errc := make(chan error, len(listeners))
	for _, ln := range listeners {
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}
	log.Info("REST API listening", "listeners", cfg.Listeners, "worker_id", workerID, "after", time.Since(start).Round(time.Microsecond))

	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	werr := make(chan error, 1)
	go func() { werr <- w.Run(wctx) }()

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-errc:
		runErr = fmt.Errorf("REST server: %w", err)
	case err := <-werr:
		runErr = err
		werr = nil
	}
	cancel()
	if werr != nil {
		if err := <-werr; err != nil && runErr == nil {
			runErr = err
		}
	}
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	_ = srv.Shutdown(sctx)
	return runErr
}

// restServer returns the REST API server with the worker's limits (rest.server.*,
// access.control.*), and the internal worker-to-worker API under /internal/ (signed with the
// cluster secret; restapi knows nothing of it).
func restServer(cfg *workerconfig.Config, h restapi.Herder, internal http.Handler, log *slog.Logger) *httpserve.Server {
	maxConns, limit := httpserve.CapToFileLimit(cfg.RestMaxConnections)
	if limit > 0 {
		log.Warn("REST connections capped below rest.server.max.connections to leave file descriptors for the rest of the worker; raise the open-file limit (ulimit -n) to allow more",
			"rest.server.max.connections", cfg.RestMaxConnections, "cap", maxConns, "open_file_limit", limit)
	}
	requestTimeout, healthTimeout := handlerTimeouts(cfg.RestWriteTimeout)
	rest := restapi.NewHandler(h, restapi.Options{
		Logger:             log,
		RequestTimeout:     requestTimeout,
		HealthCheckTimeout: healthTimeout,
		AllowOrigin:        cfg.AllowOrigin,
		AllowMethods:       cfg.AllowMethods,
	})
	// A plain prefix check rather than a ServeMux: a mux cleans and redirects paths, and the
	// REST API must see every path (odd connector names included) exactly as sent.
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/internal/") {
			internal.ServeHTTP(w, r)
			return
		}
		rest.ServeHTTP(w, r)
	})
	return httpserve.New(handler, httpserve.Config{
		ReadHeaderTimeout: cfg.RestReadHeaderTimeout,
		ReadTimeout:       cfg.RestReadTimeout,
		WriteTimeout:      cfg.RestWriteTimeout,
		IdleTimeout:       cfg.RestIdleTimeout,
		MaxConnections:    maxConns,
		Logger:            log,
	})
}

// writeTimeoutMargin is how long before the write timeout a handler must have given up, so
// the client reads "Request timed out" instead of a connection cut mid-answer.
const writeTimeoutMargin = 5 * time.Second

// handlerTimeouts returns the REST request and health-check timeouts for a server write
// timeout: Kafka's 90 s and 10 s, shortened to end before the write timeout (which bounds
// the whole request in net/http). 0 means no write timeout.
func handlerTimeouts(write time.Duration) (request, health time.Duration) {
	request, health = restapi.DefaultRequestTimeout, restapi.DefaultHealthCheckTimeout
	if write <= 0 {
		return request, health
	}
	room := write - writeTimeoutMargin
	if room <= 0 {
		room = write / 2
	}
	return min(request, room), min(health, room)
}

// advertised returns the worker_id (host:port) and REST URL other workers use.
func advertised(cfg *workerconfig.Config, ln net.Listener) (string, string) {
	host := cfg.AdvertisedHost
	_, lport, _ := net.SplitHostPort(ln.Addr().String())
	port := lport
	if cfg.AdvertisedPort != 0 {
		port = strconv.Itoa(cfg.AdvertisedPort)
	}
	if host == "" {
		addr, _ := workerconfig.ListenAddr(cfg.Listeners[0])
		host, _, _ = net.SplitHostPort(addr)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		if h, err := os.Hostname(); err == nil {
			host = h
		} else {
			host = "localhost"
		}
	}
	hp := net.JoinHostPort(host, port)
	return hp, "http://" + hp + "/"
}

func usage(fs *flag.FlagSet, out io.Writer) {
	fmt.Fprintf(out, `Usage:
  worker --dev                          in-memory Kafka broker on 127.0.0.1:9092 + worker on :8083
  worker [flags] [worker.properties]    run against a Kafka cluster
  worker convert --help                 convert messages between data formats (json, csv, avro,
                                        avro-confluent, debezium-json, canal-json, maxwell-json,
                                        raw, protobuf)

Flags:
`)
	fs.PrintDefaults()
	fmt.Fprintf(out, "\nWorker configuration keys (file, flags or --set):\n")
	for _, k := range workerconfig.WorkerKeys {
		fmt.Fprintf(out, "  %s\n    %s", k.Name, k.Doc)
		if k.Default != "" {
			fmt.Fprintf(out, " Default: %s.", k.Default)
		}
		fmt.Fprintln(out)
	}
}
