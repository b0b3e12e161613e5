// Package kafkaclient turns Kafka client properties (the `producer.*`, `consumer.*` and common
// keys of a Kafka Connect worker configuration) into sarama configurations, with the defaults
// Kafka Connect's worker uses for its task clients.
package kafkaclient

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"
)

// MinVersion is the protocol version raftconnect speaks at least; older Produce versions are
// rejected by current brokers (and kfake).
var MinVersion = sarama.V2_8_0_0

// Base returns a sarama configuration with raftconnect's defaults for every client.
func Base(clientID string) *sarama.Config {
	c := sarama.NewConfig()
	c.Version = MinVersion
	c.ClientID = clientID
	c.Metadata.RefreshFrequency = 5 * time.Minute
	return c
}

// maxRetries bounds producer retries (about 8 minutes with the backoff below).
const maxRetries = 100

// Producer returns the configuration of a source task's producer: Kafka Connect's worker
// producer semantics (acks=all, per-partition order kept across retries, retrying for as long
// as it takes) using sarama's idempotent mode, which needs one request in flight per broker
// and additionally removes duplicates caused by retries. Flush settings batch records the way
// linger.ms/batch.size do, so the defaults are the fast path.
func Producer(clientID string) *sarama.Config {
	c := Base(clientID)
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Producer.Idempotent = true
	c.Net.MaxOpenRequests = 1
	// Kafka Connect retries sends without limit; sarama sizes per-partition state by
	// Retry.Max, so retry 100 times with a backoff growing to 5 s (about 8 minutes in all)
	// and then surface the error, which fails the task visibly.
	c.Producer.Retry.Max = maxRetries
	c.Producer.Retry.BackoffFunc = func(retries, _ int) time.Duration {
		return min(100*time.Millisecond<<min(retries, 6), 5*time.Second)
	}
	c.Producer.Return.Successes = true
	c.Producer.Return.Errors = true
	c.Producer.Flush.Bytes = 1 << 20
	c.Producer.Flush.Frequency = 5 * time.Millisecond
	c.Producer.MaxMessageBytes = 1 << 20
	c.Producer.Compression = sarama.CompressionNone
	c.ChannelBufferSize = 4096
	return c
}

// Group timeouts of a sink task's consumer.
const (
	// DefaultSessionTimeout is how long the coordinator keeps a member that stopped
	// heartbeating (sarama's default, Kafka's before 3.0). A restarted task does not wait for
	// it: it takes its dead predecessor's place as a static member (see StaticMemberID).
	DefaultSessionTimeout = 10 * time.Second
	// DefaultHeartbeat is Kafka's heartbeat.interval.ms.
	DefaultHeartbeat = 3 * time.Second
	// DefaultRebalanceTimeout (max.poll.interval.ms) is how long the coordinator waits for
	// live members to rejoin during a rebalance. Kafka's 300 s would let one wedged member
	// stall its group for five minutes; 60 s (sarama's default) is still well above what a
	// member needs to commit and rejoin (offset.flush.timeout.ms, 5 s by default).
	DefaultRebalanceTimeout = 60 * time.Second
	// joinMargin is what Kafka's consumer adds to the rebalance timeout for the JoinGroup
	// request timeout: the coordinator may legitimately hold a JoinGroup for the whole
	// rebalance timeout, and the answer needs time to arrive.
	joinMargin = 5 * time.Second
)

// Consumer returns the configuration of a sink task's consumer group member: manual commits
// (the runtime commits only what the task flushed) and earliest offsets for new groups, as
// Kafka Connect does. Call ConsumerTimeouts once every property has been applied.
func Consumer(clientID string) *sarama.Config {
	c := Base(clientID)
	c.Consumer.Offsets.AutoCommit.Enable = false
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	c.Consumer.Return.Errors = true
	c.Consumer.Fetch.Default = 4 << 20
	c.Consumer.MaxWaitTime = 250 * time.Millisecond
	c.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategyRange()}
	c.Consumer.Group.Session.Timeout = DefaultSessionTimeout
	c.Consumer.Group.Heartbeat.Interval = DefaultHeartbeat
	c.Consumer.Group.Rebalance.Timeout = DefaultRebalanceTimeout
	c.Net.ReadTimeout = DefaultRebalanceTimeout + joinMargin
	c.ChannelBufferSize = 1024
	return c
}

// ConsumerTimeouts makes a consumer's timeouts consistent with each other, after its
// properties have been applied. sarama has one read timeout (Net.ReadTimeout, set by
// request.timeout.ms) for every request, and the coordinator holds a JoinGroup for up to the
// rebalance timeout (max.poll.interval.ms) while the other members rejoin or expire: a read
// timeout below that abandons the JoinGroup, and every retry joins a rebalance that again
// outlasts it, so the member never gets back into its group. Kafka's consumer avoids this by
// giving JoinGroup the rebalance timeout plus 5 s; here the read timeout is raised to that.
//
// It returns, in the user's terms, each setting it changed and why, and refuses combinations
// that cannot work, naming the keys.
func ConsumerTimeouts(c *sarama.Config) (notes []string, err error) {
	g := &c.Consumer.Group
	if g.Session.Timeout < time.Millisecond {
		return nil, fmt.Errorf("consumer.session.timeout.ms=%d: must be at least 1", ms(g.Session.Timeout))
	}
	if g.Rebalance.Timeout < time.Millisecond {
		return nil, fmt.Errorf("consumer.max.poll.interval.ms=%d: must be at least 1", ms(g.Rebalance.Timeout))
	}
	if g.Heartbeat.Interval < time.Millisecond {
		return nil, fmt.Errorf("consumer.heartbeat.interval.ms=%d: must be at least 1", ms(g.Heartbeat.Interval))
	}
	if g.Heartbeat.Interval >= g.Session.Timeout {
		return nil, fmt.Errorf("consumer.heartbeat.interval.ms=%d must be lower than consumer.session.timeout.ms=%d (Kafka recommends at most a third of it): the coordinator would expire the member between two heartbeats",
			ms(g.Heartbeat.Interval), ms(g.Session.Timeout))
	}
	if c.Net.ReadTimeout < time.Millisecond {
		return nil, fmt.Errorf("consumer.request.timeout.ms=%d: must be at least 1", ms(c.Net.ReadTimeout))
	}
	if want := g.Rebalance.Timeout + joinMargin; c.Net.ReadTimeout < want {
		notes = append(notes, fmt.Sprintf("consumer.request.timeout.ms raised from %d to %d: it must exceed consumer.max.poll.interval.ms=%d by %d, because the group coordinator may hold a JoinGroup request that long while other members rejoin, and a request abandoned earlier is retried into the same wait forever",
			ms(c.Net.ReadTimeout), ms(want), ms(g.Rebalance.Timeout), ms(joinMargin)))
		c.Net.ReadTimeout = want
	}
	return notes, nil
}

func ms(d time.Duration) int64 { return d.Milliseconds() }

// StaticMemberID returns a group.instance.id (KIP-345 static membership) for a connector's
// task: stable across restarts, so a task restarted after a crash takes its dead
// predecessor's place in the group at once instead of waiting for the old member's session
// to expire, and unique per task, so two tasks never fence each other. prefix is the
// connector's client id prefix, e.g. "connector-consumer-<connector>". Characters Kafka does
// not allow in an instance id are replaced, with a hash of the original name appended so
// that different names stay different.
func StaticMemberID(prefix string, task int) string {
	id := fmt.Sprintf("%s-%d", prefix, task)
	clean := strings.Map(func(r rune) rune {
		if r < 0x80 && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '_' || r == '-') {
			return r
		}
		return '_'
	}, id)
	if clean != id {
		h := fnv.New32a()
		h.Write([]byte(id))
		clean = fmt.Sprintf("%s-%08x", clean, h.Sum32())
	}
	if len(clean) > sarama.MAX_GROUP_INSTANCE_ID_LENGTH {
		h := fnv.New32a()
		h.Write([]byte(id))
		clean = fmt.Sprintf("%s-%08x", clean[:sarama.MAX_GROUP_INSTANCE_ID_LENGTH-9], h.Sum32())
	}
	return clean
}

// Admin returns the configuration of admin and metadata clients.
func Admin(clientID string) *sarama.Config { return Base(clientID) }

// setter applies one property to a sarama configuration.
type setter func(c *sarama.Config, v string) error

// Common keys apply to every client.
var common = map[string]setter{
	"client.id": func(c *sarama.Config, v string) error { c.ClientID = v; return nil },
	"request.timeout.ms": msSetter(func(c *sarama.Config, d time.Duration) {
		c.Net.ReadTimeout, c.Net.WriteTimeout, c.Producer.Timeout = d, d, d
	}),
	"metadata.max.age.ms":     msSetter(func(c *sarama.Config, d time.Duration) { c.Metadata.RefreshFrequency = d }),
	"retry.backoff.ms":        msSetter(func(c *sarama.Config, d time.Duration) { c.Metadata.Retry.Backoff = d; c.Producer.Retry.Backoff = d }),
	"reconnect.backoff.ms":    msSetter(func(c *sarama.Config, d time.Duration) { c.Metadata.Retry.Backoff = d }),
	"connections.max.idle.ms": msSetter(func(c *sarama.Config, d time.Duration) { c.Net.KeepAlive = d }),
	"security.protocol": func(c *sarama.Config, v string) error {
		switch strings.ToUpper(v) {
		case "PLAINTEXT":
			c.Net.TLS.Enable, c.Net.SASL.Enable = false, false
		case "SASL_PLAINTEXT":
			c.Net.TLS.Enable, c.Net.SASL.Enable = false, true
		case "SSL", "SASL_SSL":
			return fmt.Errorf("security.protocol %s is not supported yet (no TLS client settings); use PLAINTEXT or SASL_PLAINTEXT", v)
		default:
			return fmt.Errorf("unknown security.protocol %q", v)
		}
		return nil
	},
	"sasl.mechanism": func(c *sarama.Config, v string) error {
		switch strings.ToUpper(v) {
		case "PLAIN":
			c.Net.SASL.Mechanism = sarama.SASLTypePlaintext
		default:
			return fmt.Errorf("sasl.mechanism %q is not supported (PLAIN is)", v)
		}
		return nil
	},
	"sasl.jaas.config": func(c *sarama.Config, v string) error {
		user, pass, err := parseJAAS(v)
		if err != nil {
			return err
		}
		c.Net.SASL.User, c.Net.SASL.Password = user, pass
		return nil
	},
}

var producerKeys = map[string]setter{
	"acks": func(c *sarama.Config, v string) error {
		switch strings.ToLower(v) {
		case "all", "-1":
			c.Producer.RequiredAcks = sarama.WaitForAll
		case "1":
			c.Producer.RequiredAcks = sarama.WaitForLocal
			c.Producer.Idempotent = false
		case "0":
			c.Producer.RequiredAcks = sarama.NoResponse
			c.Producer.Idempotent = false
		default:
			return fmt.Errorf("invalid acks %q (all, -1, 1 or 0)", v)
		}
		return nil
	},
	"enable.idempotence": boolSetter(func(c *sarama.Config, b bool) { c.Producer.Idempotent = b }),
	"max.in.flight.requests.per.connection": intSetter(func(c *sarama.Config, n int) error {
		if n < 1 {
			return fmt.Errorf("must be at least 1")
		}
		c.Net.MaxOpenRequests = n
		if n > 1 {
			// sarama's idempotent producer needs one request in flight.
			c.Producer.Idempotent = false
		}
		return nil
	}),
	"retries": intSetter(func(c *sarama.Config, n int) error {
		if n < 0 {
			return fmt.Errorf("must not be negative")
		}
		// sarama keeps per-partition state sized by Retry.Max; Kafka's default (2147483647,
		// "retry forever") would exhaust memory, so large values mean our longest retry.
		c.Producer.Retry.Max = min(n, maxRetries)
		return nil
	}),
	"linger.ms":        msSetter(func(c *sarama.Config, d time.Duration) { c.Producer.Flush.Frequency = max(d, time.Millisecond) }),
	"batch.size":       intSetter(func(c *sarama.Config, n int) error { c.Producer.Flush.Bytes = n; return nil }),
	"max.request.size": intSetter(func(c *sarama.Config, n int) error { c.Producer.MaxMessageBytes = n; return nil }),
	"compression.type": func(c *sarama.Config, v string) error {
		switch strings.ToLower(v) {
		case "none":
			c.Producer.Compression = sarama.CompressionNone
		case "gzip":
			c.Producer.Compression = sarama.CompressionGZIP
		case "snappy":
			c.Producer.Compression = sarama.CompressionSnappy
		case "lz4":
			c.Producer.Compression = sarama.CompressionLZ4
		case "zstd":
			c.Producer.Compression = sarama.CompressionZSTD
		default:
			return fmt.Errorf("unknown compression.type %q", v)
		}
		return nil
	},
	"delivery.timeout.ms": msSetter(func(c *sarama.Config, d time.Duration) {}),
	"max.block.ms":        msSetter(func(c *sarama.Config, d time.Duration) {}),
}

var consumerKeys = map[string]setter{
	"auto.offset.reset": func(c *sarama.Config, v string) error {
		switch strings.ToLower(v) {
		case "earliest":
			c.Consumer.Offsets.Initial = sarama.OffsetOldest
		case "latest":
			c.Consumer.Offsets.Initial = sarama.OffsetNewest
		default:
			return fmt.Errorf("auto.offset.reset %q is not supported (earliest or latest)", v)
		}
		return nil
	},
	"isolation.level": func(c *sarama.Config, v string) error {
		switch strings.ToLower(v) {
		case "read_uncommitted":
			c.Consumer.IsolationLevel = sarama.ReadUncommitted
		case "read_committed":
			c.Consumer.IsolationLevel = sarama.ReadCommitted
		default:
			return fmt.Errorf("unknown isolation.level %q", v)
		}
		return nil
	},
	"fetch.min.bytes":           intSetter(func(c *sarama.Config, n int) error { c.Consumer.Fetch.Min = int32(n); return nil }),
	"fetch.max.wait.ms":         msSetter(func(c *sarama.Config, d time.Duration) { c.Consumer.MaxWaitTime = d }),
	"max.partition.fetch.bytes": intSetter(func(c *sarama.Config, n int) error { c.Consumer.Fetch.Default = int32(n); return nil }),
	"fetch.max.bytes":           intSetter(func(c *sarama.Config, n int) error { c.Consumer.Fetch.Max = int32(n); return nil }),
	"session.timeout.ms":        msSetter(func(c *sarama.Config, d time.Duration) { c.Consumer.Group.Session.Timeout = d }),
	"heartbeat.interval.ms":     msSetter(func(c *sarama.Config, d time.Duration) { c.Consumer.Group.Heartbeat.Interval = d }),
	"max.poll.interval.ms":      msSetter(func(c *sarama.Config, d time.Duration) { c.Consumer.Group.Rebalance.Timeout = d }),
	"group.instance.id":         func(c *sarama.Config, v string) error { c.Consumer.Group.InstanceId = v; return nil },
	"partition.assignment.strategy": func(c *sarama.Config, v string) error {
		var out []sarama.BalanceStrategy
		for _, s := range strings.Split(v, ",") {
			s = strings.TrimSpace(s)
			switch s[strings.LastIndexByte(s, '.')+1:] {
			case "RangeAssignor", "range":
				out = append(out, sarama.NewBalanceStrategyRange())
			case "RoundRobinAssignor", "roundrobin":
				out = append(out, sarama.NewBalanceStrategyRoundRobin())
			case "StickyAssignor", "sticky":
				out = append(out, sarama.NewBalanceStrategySticky())
			default:
				return fmt.Errorf("partition.assignment.strategy %q is not supported (Range, RoundRobin, Sticky)", s)
			}
		}
		c.Consumer.Group.Rebalance.GroupStrategies = out
		return nil
	},
	// max.poll.records is read by the sink runtime itself, not by sarama.
	"max.poll.records":   intSetter(func(c *sarama.Config, n int) error { return nil }),
	"enable.auto.commit": boolSetter(func(c *sarama.Config, b bool) {}),
}

// Apply sets the properties on c. kind is "producer", "consumer" or "admin": it selects which
// client-specific keys are understood besides the common ones. A key sarama has no equivalent
// for is an error that names it, so a setting never silently does nothing.
func Apply(c *sarama.Config, kind string, props map[string]string) error {
	var specific map[string]setter
	switch kind {
	case "producer":
		specific = producerKeys
	case "consumer":
		specific = consumerKeys
	}
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		set, ok := specific[k]
		if !ok {
			set, ok = common[k]
		}
		if !ok {
			return fmt.Errorf("%s.%s: not a supported %s setting (supported: %s)", kind, k, kind, strings.Join(Supported(kind), ", "))
		}
		if err := set(c, props[k]); err != nil {
			return fmt.Errorf("%s.%s=%s: %w", kind, k, props[k], err)
		}
	}
	return nil
}

// Supported lists the keys Apply understands for a client kind.
func Supported(kind string) []string {
	var out []string
	for k := range common {
		out = append(out, k)
	}
	switch kind {
	case "producer":
		for k := range producerKeys {
			out = append(out, k)
		}
	case "consumer":
		for k := range consumerKeys {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func msSetter(f func(*sarama.Config, time.Duration)) setter {
	return func(c *sarama.Config, v string) error {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("not a non-negative number of milliseconds")
		}
		f(c, time.Duration(n)*time.Millisecond)
		return nil
	}
}

func intSetter(f func(*sarama.Config, int) error) setter {
	return func(c *sarama.Config, v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("not an integer")
		}
		return f(c, n)
	}
}

func boolSetter(f func(*sarama.Config, bool)) setter {
	return func(c *sarama.Config, v string) error {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("not true or false")
		}
		f(c, b)
		return nil
	}
}

// parseJAAS reads username and password from a PlainLoginModule JAAS line.
func parseJAAS(v string) (user, pass string, err error) {
	get := func(key string) string {
		i := strings.Index(v, key+"=")
		if i < 0 {
			return ""
		}
		rest := strings.TrimSpace(v[i+len(key)+1:])
		if strings.HasPrefix(rest, `"`) {
			if j := strings.IndexByte(rest[1:], '"'); j >= 0 {
				return rest[1 : j+1]
			}
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return ""
		}
		return strings.TrimRight(fields[0], ";")
	}
	user, pass = get("username"), get("password")
	if user == "" {
		return "", "", fmt.Errorf("sasl.jaas.config has no username")
	}
	return user, pass, nil
}
