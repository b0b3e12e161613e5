package kafkaclient

import (
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

func TestApply(t *testing.T) {
	c := Producer("p")
	if err := Apply(c, "producer", map[string]string{
		"acks": "1", "linger.ms": "20", "compression.type": "lz4", "retries": "2147483647",
		"client.id": "mine", "sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p w";`,
		"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN",
	}); err != nil {
		t.Fatal(err)
	}
	if c.Producer.RequiredAcks != sarama.WaitForLocal || c.Producer.Idempotent {
		t.Errorf("acks=1 must turn off idempotence: %+v", c.Producer)
	}
	if c.Producer.Retry.Max != maxRetries {
		t.Errorf("retries=MAX_INT gives Retry.Max %d, want the cap %d", c.Producer.Retry.Max, maxRetries)
	}
	if c.ClientID != "mine" || c.Net.SASL.User != "u" || c.Net.SASL.Password != "p w" || !c.Net.SASL.Enable {
		t.Errorf("common settings: %q %+v", c.ClientID, c.Net.SASL)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("resulting config is invalid: %v", err)
	}

	bad := []struct {
		kind string
		key  string
		val  string
		want string
	}{
		{"producer", "buffer.memory", "1", "producer.buffer.memory: not a supported producer setting"},
		{"producer", "retries", "-1", "must not be negative"},
		{"producer", "acks", "2", "invalid acks"},
		{"consumer", "auto.offset.reset", "none", "not supported"},
		{"consumer", "partition.assignment.strategy", "Cooperative", "not supported"},
		{"producer", "sasl.jaas.config", "x required username=", "no username"},
		{"producer", "security.protocol", "SSL", "not supported yet"},
	}
	for _, b := range bad {
		err := Apply(Base("x"), b.kind, map[string]string{b.key: b.val})
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s %s=%s: %v, want %q", b.kind, b.key, b.val, err, b.want)
		}
	}
}

// TestConsumerTimeouts maps the user's consumer keys to sarama's group and network timeouts:
// the read timeout that JoinGroup uses always exceeds the rebalance timeout, and combinations
// that cannot work are refused by the keys' names.
func TestConsumerTimeouts(t *testing.T) {
	cases := []struct {
		name      string
		props     map[string]string
		session   time.Duration
		heartbeat time.Duration
		rebalance time.Duration
		read      time.Duration
		note      string // substring of the one correction expected, "" for none
		err       string // substring of the refusal, "" for none
	}{
		{name: "defaults", session: 10 * time.Second, heartbeat: 3 * time.Second, rebalance: 60 * time.Second, read: 65 * time.Second},
		{name: "the reported setting: request timeout 90 s is kept, it already exceeds 60 s + 5 s",
			props:   map[string]string{"request.timeout.ms": "90000"},
			session: 10 * time.Second, heartbeat: 3 * time.Second, rebalance: 60 * time.Second, read: 90 * time.Second},
		{name: "Kafka's request timeout with the default rebalance timeout is raised",
			props:   map[string]string{"request.timeout.ms": "30000"},
			session: 10 * time.Second, heartbeat: 3 * time.Second, rebalance: 60 * time.Second, read: 65 * time.Second,
			note: "consumer.request.timeout.ms raised from 30000 to 65000: it must exceed consumer.max.poll.interval.ms=60000 by 5000"},
		{name: "Kafka Connect's consumer defaults",
			props:   map[string]string{"session.timeout.ms": "45000", "heartbeat.interval.ms": "3000", "max.poll.interval.ms": "300000", "request.timeout.ms": "30000"},
			session: 45 * time.Second, heartbeat: 3 * time.Second, rebalance: 300 * time.Second, read: 305 * time.Second,
			note: "raised from 30000 to 305000"},
		{name: "a short rebalance timeout keeps the request timeout",
			props:   map[string]string{"max.poll.interval.ms": "20000", "request.timeout.ms": "30000"},
			session: 10 * time.Second, heartbeat: 3 * time.Second, rebalance: 20 * time.Second, read: 30 * time.Second},
		{name: "heartbeat not below the session timeout",
			props: map[string]string{"session.timeout.ms": "6000", "heartbeat.interval.ms": "6000"},
			err:   "consumer.heartbeat.interval.ms=6000 must be lower than consumer.session.timeout.ms=6000"},
		{name: "zero rebalance timeout", props: map[string]string{"max.poll.interval.ms": "0"}, err: "consumer.max.poll.interval.ms=0: must be at least 1"},
		{name: "zero session timeout", props: map[string]string{"session.timeout.ms": "0"}, err: "consumer.session.timeout.ms=0: must be at least 1"},
		{name: "zero request timeout", props: map[string]string{"request.timeout.ms": "0"}, err: "consumer.request.timeout.ms=0: must be at least 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Consumer("c")
			if err := Apply(c, "consumer", tc.props); err != nil {
				t.Fatal(err)
			}
			notes, err := ConsumerTimeouts(c)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v; want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			g := c.Consumer.Group
			if g.Session.Timeout != tc.session || g.Heartbeat.Interval != tc.heartbeat || g.Rebalance.Timeout != tc.rebalance || c.Net.ReadTimeout != tc.read {
				t.Errorf("session %v heartbeat %v rebalance %v read %v; want %v %v %v %v",
					g.Session.Timeout, g.Heartbeat.Interval, g.Rebalance.Timeout, c.Net.ReadTimeout, tc.session, tc.heartbeat, tc.rebalance, tc.read)
			}
			if c.Net.ReadTimeout <= g.Rebalance.Timeout {
				t.Errorf("read timeout %v does not exceed the rebalance timeout %v: a held JoinGroup would be abandoned", c.Net.ReadTimeout, g.Rebalance.Timeout)
			}
			switch {
			case tc.note == "" && len(notes) > 0:
				t.Errorf("unexpected corrections %q", notes)
			case tc.note != "" && (len(notes) != 1 || !strings.Contains(notes[0], tc.note)):
				t.Errorf("corrections %q; want one containing %q", notes, tc.note)
			}
			for _, n := range notes {
				if strings.Contains(n, "Net.") || strings.Contains(n, "Consumer.Group") {
					t.Errorf("correction names sarama's fields, not the user's keys: %q", n)
				}
			}
			c.Consumer.Group.InstanceId = StaticMemberID("connector-consumer-x", 0)
			if err := c.Validate(); err != nil {
				t.Errorf("resulting config is invalid: %v", err)
			}
		})
	}
}

func TestStaticMemberID(t *testing.T) {
	cases := []struct{ prefix, want string }{
		{"connector-consumer-orders", "connector-consumer-orders-2"},
		{"connector-consumer-my.sink_v2", "connector-consumer-my.sink_v2-2"},
	}
	for _, c := range cases {
		if got := StaticMemberID(c.prefix, 2); got != c.want {
			t.Errorf("StaticMemberID(%q, 2) = %q; want %q", c.prefix, got, c.want)
		}
	}
	// Names Kafka would refuse as instance ids are made valid and stay distinct.
	a, b := StaticMemberID("connector-consumer-a b", 0), StaticMemberID("connector-consumer-a/b", 0)
	long := StaticMemberID("connector-consumer-"+strings.Repeat("x", 300), 0)
	for _, id := range []string{a, b, long} {
		c := Consumer("c")
		c.Consumer.Group.InstanceId = id
		if err := c.Validate(); err != nil {
			t.Errorf("instance id %q is refused: %v", id, err)
		}
	}
	if a == b {
		t.Errorf("different connector names give the same instance id %q", a)
	}
	if StaticMemberID("connector-consumer-a b", 1) == a {
		t.Errorf("tasks 0 and 1 share instance id %q", a)
	}
}
