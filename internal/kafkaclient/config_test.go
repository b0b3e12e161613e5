package kafkaclient

import (
	"strings"
	"testing"

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
