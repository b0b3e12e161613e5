package all

import (
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// TestFormatsConform checks what every registered format owes the convert command and the
// converters: options named "<format>.<option>", both codecs, and (for the short-named
// converters) a converter plugin.
func TestFormatsConform(t *testing.T) {
	names := formats.Names()
	shortNames := []string{"json", "csv", "avro", "avro-confluent", "debezium-json", "canal-json", "maxwell-json", "raw", "protobuf"}
	for _, want := range shortNames {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("format %s is not registered (have %v)", want, names)
		}
	}
	for _, n := range names {
		f, err := formats.Lookup(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range f.Options.Keys() {
			if !strings.HasPrefix(k.Name, n+".") {
				t.Errorf("format %s: option %q lacks the %q prefix", n, k.Name, n+".")
			}
		}
		if f.NewDecoder == nil || f.NewEncoder == nil {
			t.Errorf("format %s: decoder %v, encoder %v", n, f.NewDecoder != nil, f.NewEncoder != nil)
		}
	}
	// Every format is a converter by its short name, and Kafka's and Confluent's converters
	// resolve by their class names (and Kafka's aliases).
	classes := []string{
		"org.apache.kafka.connect.json.JsonConverter", "JsonConverter",
		"org.apache.kafka.connect.storage.StringConverter", "StringConverter",
		"org.apache.kafka.connect.converters.ByteArrayConverter", "ByteArrayConverter",
		"org.apache.kafka.connect.converters.IntegerConverter", "org.apache.kafka.connect.converters.LongConverter",
		"io.confluent.connect.avro.AvroConverter", "AvroConverter",
	}
	for _, name := range append(shortNames, classes...) {
		if _, err := connect.LookupType(name, connect.PluginConverter); err != nil {
			t.Errorf("converter %s: %v", name, err)
		}
	}
	for _, name := range []string{"org.apache.kafka.connect.storage.SimpleHeaderConverter", "org.apache.kafka.connect.json.JsonConverter", "StringConverter"} {
		if _, err := connect.LookupType(name, connect.PluginHeaderConverter); err != nil {
			t.Errorf("header converter %s: %v", name, err)
		}
	}
}
