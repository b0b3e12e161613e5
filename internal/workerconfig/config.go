// Package workerconfig parses and documents the worker configuration (a Kafka Connect
// worker.properties file, flags and --set overrides) and derives the Kafka client settings
// from it. The control plane, the runtime and cmd/worker all read the same Config.
package workerconfig

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/internal/kafkaclient"
)

// The worker-level converter keys: connectors inherit them unless they set their own.
const (
	keyKeyConverter   = "key.converter"
	keyValueConverter = "value.converter"
	keyHeaderConv     = "header.converter"
)

// Config is a parsed worker configuration.
type Config struct {
	BootstrapServers []string
	Listeners        []string
	AdvertisedHost   string
	AdvertisedPort   int

	// Converters holds key.converter, value.converter, header.converter and their
	// `<kind>.converter.*` settings, as connectors inherit them.
	Converters map[string]string

	OffsetFlushInterval time.Duration
	OffsetFlushTimeout  time.Duration
	ShutdownTimeout     time.Duration

	DataDir  string
	NodeID   string
	RaftBind string
	// RaftAdvertise is the Raft address peers dial when it differs from RaftBind
	// (raft.advertised.address, e.g. behind NAT or with RaftBind 0.0.0.0:port).
	RaftAdvertise string
	// ClusterJoin lists REST addresses (host:port) of cluster members to join through on
	// first start; empty starts a new cluster.
	ClusterJoin []string
	// ClusterSecret authenticates Raft and worker-to-worker traffic: every member must have
	// the same one (cluster.secret, or read from cluster.secret.file).
	ClusterSecret string
	// MaxVoters is how many workers vote in Raft; the rest replicate as non-voters.
	MaxVoters int
	// HeartbeatInterval is how often workers prove they are alive; FailureTimeout is how long
	// a silent worker has before its work is reassigned (and after which a worker that cannot
	// reach the leader stops its own tasks).
	HeartbeatInterval time.Duration
	FailureTimeout    time.Duration

	TopicTracking      bool
	TopicTrackingReset bool

	// REST server limits, so idle or slow clients cannot starve others (Jetty-like defaults).
	RestReadHeaderTimeout time.Duration
	RestReadTimeout       time.Duration
	RestWriteTimeout      time.Duration
	RestIdleTimeout       time.Duration
	RestMaxConnections    int
	// AllowOrigin is Kafka's access.control.allow.origin: origins (comma-separated, or "*")
	// whose browser requests are allowed besides same-origin ones. AllowMethods is
	// access.control.allow.methods.
	AllowOrigin  string
	AllowMethods string

	// TasksMaxPerConnector caps a connector's tasks.max; TasksMaxPerWorker caps the tasks.max
	// of all connectors together, per worker of the cluster.
	TasksMaxPerConnector int
	TasksMaxPerWorker    int

	// Client settings: common keys apply to every client, then the kind's own.
	ClientCommon map[string]string
	Producer     map[string]string
	Consumer     map[string]string
	Admin        map[string]string

	// Ignored lists Kafka Connect keys that configure its Kafka-topic storage, which the Raft
	// store replaces; they are accepted so existing files work, and logged.
	Ignored []string
}

// WorkerKeys documents the worker configuration keys: name → (default, meaning).
var WorkerKeys = []struct{ Name, Default, Doc string }{
	{"bootstrap.servers", "localhost:9092", "Kafka brokers the tasks produce to and consume from."},
	{"listeners", "http://:8083", "REST listeners, comma-separated http://host:port."},
	{"rest.advertised.host.name", "", "Host name in worker_id and in URLs given to other workers."},
	{"rest.advertised.port", "", "Port in worker_id and in URLs given to other workers."},
	{"key.converter", "org.apache.kafka.connect.json.JsonConverter", "Default key converter; key.converter.* settings are passed to it."},
	{"value.converter", "org.apache.kafka.connect.json.JsonConverter", "Default value converter; value.converter.* settings are passed to it."},
	{"header.converter", "org.apache.kafka.connect.storage.SimpleHeaderConverter", "Default header converter."},
	{"offset.flush.interval.ms", "60000", "How often source offsets are committed and sink tasks flushed."},
	{"offset.flush.timeout.ms", "5000", "How long a flush or offset commit may take."},
	{"task.shutdown.graceful.timeout.ms", "5000", "Total time tasks get to stop gracefully."},
	{"data.dir", "raftconnect-data", "Directory of the Raft log and snapshots."},
	{"node.id", "(kept in data.dir; generated on first start)", "Raft node id of this worker."},
	{"raft.bind.address", "", "TCP address for Raft between workers; empty: single-node cluster."},
	{"raft.advertised.address", "", "Raft address other workers dial, when it differs from raft.bind.address."},
	{"cluster.join", "", "REST addresses (host:port, comma-separated) of cluster members to join through on first start; empty: start a new cluster."},
	{"cluster.secret", "", "Shared secret of the cluster: authenticates Raft and worker-to-worker requests. Required with raft.bind.address."},
	{"cluster.secret.file", "", "File holding cluster.secret (the first line)."},
	{"cluster.max.voters", "5", "Workers that vote in Raft; further workers replicate as non-voters, so a large cluster does not slow every write."},
	{"cluster.heartbeat.interval.ms", "1000", "How often workers prove they are alive."},
	{"cluster.failure.timeout.ms", "10000", "How long a silent worker has before its connectors and tasks are reassigned; a worker that cannot reach the leader for as long stops its own tasks."},
	{"topic.tracking.enable", "true", "Track the topics each connector uses (GET /connectors/{c}/topics)."},
	{"topic.tracking.allow.reset", "true", "Allow PUT /connectors/{c}/topics/reset."},
	{"rest.server.read.header.timeout.ms", "10000", "How long a client may take to send a request's headers."},
	{"rest.server.read.timeout.ms", "30000", "How long a client may take to send a whole request, body included."},
	{"rest.server.write.timeout.ms", "120000", "How long a request may take from its headers read to its answer written."},
	{"rest.server.idle.timeout.ms", "30000", "How long an idle keep-alive connection stays open (Jetty's default)."},
	{"rest.server.max.connections", "1000", "Open REST connections at most; past it, the longest-idle connections are closed first. Lowered to three quarters of the open-file limit when that is lower (a warning says so)."},
	{"access.control.allow.origin", "", "Origins allowed for browser (CORS) requests, comma-separated, or *; requests from other sites are refused."},
	{"access.control.allow.methods", "GET,POST,HEAD", "Methods allowed for cross-origin requests."},
	{"tasks.max.per.connector", "1000", "Largest tasks.max a connector may ask for."},
	{"tasks.max.per.worker", "2000", "Largest sum of tasks.max over all connectors, per worker of the cluster."},
	{"producer.*, consumer.*, admin.*", "", "Kafka client settings for task producers, consumers and admin clients."},
	{"client.id, security.protocol, sasl.mechanism, sasl.jaas.config, request.timeout.ms, metadata.max.age.ms, retry.backoff.ms", "", "Client settings shared by every client."},
}

// ignoredKeys configure Kafka Connect's internal topics and group protocol.
var ignoredKeys = []string{
	"group.id", "config.storage.topic", "offset.storage.topic", "status.storage.topic",
	"config.storage.replication.factor", "offset.storage.replication.factor", "status.storage.replication.factor",
	"offset.storage.partitions", "status.storage.partitions", "plugin.path", "plugin.discovery",
	"connect.protocol", "scheduled.rebalance.max.delay.ms", "session.timeout.ms", "heartbeat.interval.ms",
	"rebalance.timeout.ms", "worker.sync.timeout.ms", "worker.unsync.backoff.ms", "offset.storage.file.filename",
	"client.dns.lookup", "metrics.sample.window.ms", "metrics.num.samples", "metrics.recording.level", "metric.reporters",
	"exactly.once.source.support", "inter.worker.key.ttl.ms",
}

var clientCommonKeys = []string{"client.id", "security.protocol", "sasl.mechanism", "sasl.jaas.config", "request.timeout.ms",
	"metadata.max.age.ms", "retry.backoff.ms", "reconnect.backoff.ms", "connections.max.idle.ms"}

// ParseConfig validates worker properties. An unknown or unsupported key is an error that
// names it.
func ParseConfig(props map[string]string) (*Config, error) {
	c := &Config{
		BootstrapServers:    []string{"localhost:9092"},
		Listeners:           []string{"http://:8083"},
		Converters:          map[string]string{},
		OffsetFlushInterval: 60 * time.Second,
		OffsetFlushTimeout:  5 * time.Second,
		ShutdownTimeout:     5 * time.Second,
		DataDir:             "raftconnect-data",
		TopicTracking:       true,
		TopicTrackingReset:  true,

		RestReadHeaderTimeout: 10 * time.Second,
		RestReadTimeout:       30 * time.Second,
		RestWriteTimeout:      120 * time.Second,
		RestIdleTimeout:       30 * time.Second,
		RestMaxConnections:    1000,
		AllowMethods:          "GET,POST,HEAD",
		TasksMaxPerConnector:  1000,
		TasksMaxPerWorker:     2000,
		MaxVoters:             5,
		HeartbeatInterval:     time.Second,
		FailureTimeout:        10 * time.Second,

		ClientCommon: map[string]string{},
		Producer:     map[string]string{},
		Consumer:     map[string]string{},
		Admin:        map[string]string{},
	}
	c.Converters[keyKeyConverter] = "org.apache.kafka.connect.json.JsonConverter"
	c.Converters[keyValueConverter] = "org.apache.kafka.connect.json.JsonConverter"
	c.Converters[keyHeaderConv] = "org.apache.kafka.connect.storage.SimpleHeaderConverter"

	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []string
	bad := func(k, format string, args ...any) {
		v := props[k]
		if connect.IsSecretKey(k) {
			v = connect.Hidden
		}
		errs = append(errs, fmt.Sprintf("%s=%s: %s", k, v, fmt.Sprintf(format, args...)))
	}
	ms := func(k string, dst *time.Duration) {
		n, err := strconv.ParseInt(strings.TrimSpace(props[k]), 10, 64)
		if err != nil || n < 0 {
			bad(k, "not a non-negative number of milliseconds")
			return
		}
		*dst = time.Duration(n) * time.Millisecond
	}
	positive := func(k string, dst *int) {
		n, err := strconv.Atoi(strings.TrimSpace(props[k]))
		if err != nil || n <= 0 {
			bad(k, "not a positive whole number")
			return
		}
		*dst = n
	}
	boolean := func(k string, dst *bool) {
		b, err := strconv.ParseBool(strings.TrimSpace(props[k]))
		if err != nil {
			bad(k, "not true or false")
			return
		}
		*dst = b
	}
	// Keys that only set a field of their type.
	strs := map[string]*string{
		"data.dir": &c.DataDir, "node.id": &c.NodeID, "raft.bind.address": &c.RaftBind,
		"raft.advertised.address": &c.RaftAdvertise, "cluster.secret": &c.ClusterSecret,
		"access.control.allow.origin": &c.AllowOrigin, "access.control.allow.methods": &c.AllowMethods,
	}
	durations := map[string]*time.Duration{
		"offset.flush.timeout.ms": &c.OffsetFlushTimeout, "task.shutdown.graceful.timeout.ms": &c.ShutdownTimeout,
		"cluster.heartbeat.interval.ms": &c.HeartbeatInterval, "cluster.failure.timeout.ms": &c.FailureTimeout,
		"rest.server.read.header.timeout.ms": &c.RestReadHeaderTimeout, "rest.server.read.timeout.ms": &c.RestReadTimeout,
		"rest.server.write.timeout.ms": &c.RestWriteTimeout, "rest.server.idle.timeout.ms": &c.RestIdleTimeout,
	}
	ints := map[string]*int{
		"cluster.max.voters": &c.MaxVoters, "rest.server.max.connections": &c.RestMaxConnections,
		"tasks.max.per.connector": &c.TasksMaxPerConnector, "tasks.max.per.worker": &c.TasksMaxPerWorker,
	}
	bools := map[string]*bool{"topic.tracking.enable": &c.TopicTracking, "topic.tracking.allow.reset": &c.TopicTrackingReset}
	for _, k := range keys {
		v := strings.TrimSpace(props[k])
		if dst, ok := strs[k]; ok {
			*dst = v
			continue
		}
		if dst, ok := durations[k]; ok {
			ms(k, dst)
			continue
		}
		if dst, ok := ints[k]; ok {
			positive(k, dst)
			continue
		}
		if dst, ok := bools[k]; ok {
			boolean(k, dst)
			continue
		}
		switch {
		case k == "bootstrap.servers":
			c.BootstrapServers = splitList(v)
			if len(c.BootstrapServers) == 0 {
				bad(k, "needs at least one host:port")
			}
		case k == "listeners":
			c.Listeners = splitList(v)
			for _, l := range c.Listeners {
				if _, err := ListenAddr(l); err != nil {
					bad(k, "%v", err)
				}
			}
		case k == "rest.advertised.host.name":
			c.AdvertisedHost = v
		case k == "rest.advertised.port":
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 || n > 65535 {
				bad(k, "not a port number")
			}
			c.AdvertisedPort = n
		case k == "rest.advertised.listener":
			if !strings.EqualFold(v, "http") {
				bad(k, "only http listeners are supported")
			}
		case k == keyKeyConverter || k == keyValueConverter || k == keyHeaderConv ||
			strings.HasPrefix(k, "key.converter.") || strings.HasPrefix(k, "value.converter.") || strings.HasPrefix(k, "header.converter."):
			c.Converters[k] = props[k]
		case k == "offset.flush.interval.ms":
			ms(k, &c.OffsetFlushInterval)
			if c.OffsetFlushInterval == 0 {
				bad(k, "must be positive")
			}
		case k == "cluster.join":
			c.ClusterJoin = splitList(v)
		case k == "cluster.secret.file":
			b, err := os.ReadFile(v)
			if err != nil {
				bad(k, "cannot read the file: %v", err)
				break
			}
			c.ClusterSecret = strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
		case k == "topic.creation.enable":
			var b bool
			boolean(k, &b)
		case strings.HasPrefix(k, "producer."):
			c.Producer[k[len("producer."):]] = props[k]
		case strings.HasPrefix(k, "consumer."):
			c.Consumer[k[len("consumer."):]] = props[k]
		case strings.HasPrefix(k, "admin."):
			c.Admin[k[len("admin."):]] = props[k]
		case slices.Contains(clientCommonKeys, k):
			c.ClientCommon[k] = props[k]
		case slices.Contains(ignoredKeys, k) || strings.HasPrefix(k, "internal."):
			c.Ignored = append(c.Ignored, k)
		default:
			errs = append(errs, fmt.Sprintf("%s: unknown or unsupported worker configuration key", k))
		}
	}
	if c.RaftBind != "" && c.ClusterSecret == "" {
		errs = append(errs, "raft.bind.address: a multi-worker cluster needs cluster.secret (or cluster.secret.file), shared by every worker, so that no outsider can join it or call its internal endpoints")
	}
	if len(c.ClusterJoin) > 0 && c.RaftBind == "" {
		errs = append(errs, "cluster.join: joining a cluster needs raft.bind.address, the address other workers reach this one's Raft at")
	}
	if c.HeartbeatInterval <= 0 || c.FailureTimeout <= c.HeartbeatInterval {
		errs = append(errs, fmt.Sprintf("cluster.failure.timeout.ms (%d) must be longer than cluster.heartbeat.interval.ms (%d), which must be positive", c.FailureTimeout.Milliseconds(), c.HeartbeatInterval.Milliseconds()))
	}
	// Check client settings now, so a typo fails at start and not when the first task starts.
	for kind, m := range map[string]map[string]string{"producer": c.Producer, "consumer": c.Consumer, "admin": c.Admin} {
		if err := kafkaclient.Apply(kafkaclient.Base("check"), kind, m); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if err := kafkaclient.Apply(kafkaclient.Base("check"), "common", c.ClientCommon); err != nil {
		errs = append(errs, strings.Replace(err.Error(), "common.", "", 1))
	}
	if len(errs) > 0 {
		// Client settings' errors quote values; a secret never reaches the terminal or a log.
		for k, v := range props {
			if connect.IsSecretKey(k) {
				for i := range errs {
					errs[i] = connect.RedactValue(errs[i], v)
				}
			}
		}
		sort.Strings(errs)
		return nil, fmt.Errorf("invalid worker configuration:\n  %s", strings.Join(errs, "\n  "))
	}
	return c, nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ListenAddr turns a listener URL (http://host:port, empty host = all interfaces) into a
// net.Listen address.
func ListenAddr(listener string) (string, error) {
	u, err := url.Parse(listener)
	if err != nil || u.Scheme == "" {
		return "", fmt.Errorf("listener %q is not a URL like http://host:port", listener)
	}
	if u.Scheme != "http" {
		return "", fmt.Errorf("listener %q: only http is supported", listener)
	}
	if u.Port() == "" {
		return "", fmt.Errorf("listener %q has no port", listener)
	}
	return net.JoinHostPort(u.Hostname(), u.Port()), nil
}

// ClientConfig returns the settings for one client kind: the common keys, then the kind's own.
func (c *Config) ClientConfig(kind string) map[string]string {
	out := map[string]string{}
	for k, v := range c.ClientCommon {
		out[k] = v
	}
	var own map[string]string
	switch kind {
	case "producer":
		own = c.Producer
	case "consumer":
		own = c.Consumer
	default:
		own = c.Admin
	}
	for k, v := range own {
		out[k] = v
	}
	return out
}

// EnsureNodeID reads the node id kept in the data directory, or stores cfg.NodeID (or a
// generated one) there on first start, so a worker keeps its Raft identity across restarts.
func (c *Config) EnsureNodeID() error {
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return fmt.Errorf("data.dir %s: %w", c.DataDir, err)
	}
	path := filepath.Join(c.DataDir, "node-id")
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		stored := strings.TrimSpace(string(b))
		if c.NodeID != "" && c.NodeID != stored {
			return fmt.Errorf("node.id %s differs from %s stored in %s", c.NodeID, stored, path)
		}
		c.NodeID = stored
		return nil
	case !os.IsNotExist(err):
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if c.NodeID == "" {
		host, _ := os.Hostname()
		if host == "" {
			host = "worker"
		}
		c.NodeID = fmt.Sprintf("%s-%d", host, time.Now().UnixNano()%1_000_000)
	}
	if err := os.WriteFile(path, []byte(c.NodeID+"\n"), 0o640); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// ReadProperties parses a Java properties file, as connect-distributed.properties is written:
// `key=value`, `key: value` or `key value`, `#`/`!` comments, backslash line continuations and
// escapes.
func ReadProperties(r io.Reader) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	lineNo := 0
	var logical strings.Builder
	start := 0
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if logical.Len() == 0 {
			line = strings.TrimLeft(line, " \t\f")
			if line == "" || line[0] == '#' || line[0] == '!' {
				continue
			}
			start = lineNo
		} else {
			line = strings.TrimLeft(line, " \t\f")
		}
		if trailingBackslashes(line)%2 == 1 {
			logical.WriteString(line[:len(line)-1])
			continue
		}
		logical.WriteString(line)
		k, v, err := splitProperty(logical.String())
		logical.Reset()
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", start, err)
		}
		out[k] = v
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if logical.Len() > 0 {
		k, v, err := splitProperty(logical.String())
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", start, err)
		}
		out[k] = v
	}
	return out, nil
}

func trailingBackslashes(s string) int {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n
}

func splitProperty(line string) (string, string, error) {
	i := 0
	for i < len(line) {
		c := line[i]
		if c == '\\' {
			i += 2
			continue
		}
		if c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f' {
			break
		}
		i++
	}
	key := line[:min(i, len(line))]
	rest := ""
	if i < len(line) {
		rest = strings.TrimLeft(line[i:], " \t\f")
		if rest != "" && (rest[0] == '=' || rest[0] == ':') {
			rest = strings.TrimLeft(rest[1:], " \t\f")
		}
	}
	k, err := unescapeProperty(key)
	if err != nil {
		return "", "", err
	}
	v, err := unescapeProperty(rest)
	if err != nil {
		return "", "", err
	}
	return k, v, nil
}

func unescapeProperty(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			if i+5 > len(s) {
				return "", fmt.Errorf("malformed \\u escape in %q", s)
			}
			n, err := strconv.ParseUint(s[i+1:i+5], 16, 16)
			if err != nil {
				return "", fmt.Errorf("malformed \\u escape in %q", s)
			}
			b.WriteRune(rune(n))
			i += 4
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), nil
}
