package runtime

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
)

// TestMessagesInUserTerms checks the runtime's messages about source partitions, offsets and
// dead-letter records: JSON as the REST API shows it, Kafka's exception classes, never Go's
// type names or map syntax.
func TestMessagesInUserTerms(t *testing.T) {
	part := map[string]any{"filename": "/var/log/app.log", "n": 3}
	if got, want := DescribePartition(part), `{"filename":"/var/log/app.log","n":3}`; got != want {
		t.Errorf("describePartition = %s; want %s", got, want)
	}
	bad := map[string]any{"f": func() {}, "ch": make(chan int)}
	if got := DescribePartition(bad); got != "{ch, f}" {
		t.Errorf("describePartition of values JSON cannot hold = %s; want the keys", got)
	}

	_, jerr := partitionKey(bad)
	err := fmt.Errorf("task src-0: source partition %s: %w", DescribePartition(bad), JSONValueError(jerr))
	if strings.Contains(err.Error(), "func()") || strings.Contains(err.Error(), "chan int") || strings.Contains(err.Error(), "json:") {
		t.Errorf("message names Go types: %s", err)
	}
	if !errors.Is(err, errNotJSON) {
		t.Errorf("message does not say why: %s", err)
	}
	// ReadOffset's message for such a partition is checked in control (TestReadOffsetInUserTerms).

	rec := &connect.Record{Topic: "t", Key: []byte("k"), Value: map[string]any{"a": 1}}
	if got := describeRecord(rec); !strings.Contains(got, `key="k" value={"a":1}`) || strings.Contains(got, "map[") {
		t.Errorf("describeRecord = %s", got)
	}

	for _, c := range []struct {
		err  error
		want string
	}{
		{connect.NewDataError("poison", nil), "org.apache.kafka.connect.errors.DataException"},
		{fmt.Errorf("converting: %w", connect.NewDataError("poison", nil)), "org.apache.kafka.connect.errors.DataException"},
		{connect.Retriable(errors.New("busy")), "org.apache.kafka.connect.errors.RetriableException"},
		{errors.New("other"), "org.apache.kafka.connect.errors.ConnectException"},
	} {
		if got := exceptionClass(c.err); got != c.want {
			t.Errorf("exceptionClass(%v) = %s; want %s", c.err, got, c.want)
		}
	}
}
