package runtime

import (
	"errors"
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
)

// upperTopic upper-cases the topic; dropValue drops records whose value is "drop".
type upperTopic struct{ suffix string }

func (u *upperTopic) Configure(cfg map[string]string) error { u.suffix = cfg["suffix"]; return nil }
func (u *upperTopic) Apply(r *connect.Record) (*connect.Record, error) {
	if r.Value == "fail" {
		return nil, errors.New("cannot transform fail")
	}
	r.Topic = strings.ToUpper(r.Topic) + u.suffix
	return r, nil
}
func (*upperTopic) ConfigDef() *connect.ConfigDef {
	return connect.NewConfigDef().Define(connect.ConfigKey{Name: "suffix", Type: connect.ConfigString, Default: "", Importance: connect.Low})
}
func (*upperTopic) Close() error { return nil }

type dropValue struct{}

func (dropValue) Configure(map[string]string) error { return nil }
func (dropValue) Apply(r *connect.Record) (*connect.Record, error) {
	if r.Value == "drop" {
		return nil, nil
	}
	return r, nil
}
func (dropValue) ConfigDef() *connect.ConfigDef { return connect.NewConfigDef() }
func (dropValue) Close() error                  { return nil }

// topicIs matches records whose topic equals `topic`.
type topicIs struct{ topic string }

func (p *topicIs) Configure(cfg map[string]string) error { p.topic = cfg["topic"]; return nil }
func (p *topicIs) Test(r *connect.Record) (bool, error)  { return r.Topic == p.topic, nil }
func (*topicIs) ConfigDef() *connect.ConfigDef           { return connect.NewConfigDef() }
func (*topicIs) Close() error                            { return nil }

func init() {
	connect.Register(connect.Plugin{Class: "test.worker.UpperTopic", New: func() any { return &upperTopic{} }})
	connect.Register(connect.Plugin{Class: "test.worker.DropValue", New: func() any { return dropValue{} }})
	connect.Register(connect.Plugin{Class: "test.worker.TopicIs", New: func() any { return &topicIs{} }})
}

func TestChain(t *testing.T) {
	tests := []struct {
		name      string
		config    map[string]string
		in        connect.Record
		wantTopic string // "" = dropped
		wantErr   string
	}{
		{"no transforms", map[string]string{}, connect.Record{Topic: "a", Value: "x"}, "a", ""},
		{"one transform with its config", map[string]string{"transforms": "up", "transforms.up.type": "test.worker.UpperTopic", "transforms.up.suffix": "-s"},
			connect.Record{Topic: "a", Value: "x"}, "A-s", ""},
		{"order is kept", map[string]string{"transforms": "drop,up", "transforms.drop.type": "test.worker.DropValue", "transforms.up.type": "test.worker.UpperTopic"},
			connect.Record{Topic: "a", Value: "drop"}, "", ""},
		{"predicate applies the transform", map[string]string{"transforms": "up", "transforms.up.type": "test.worker.UpperTopic", "transforms.up.predicate": "isA",
			"predicates": "isA", "predicates.isA.type": "test.worker.TopicIs", "predicates.isA.topic": "a"},
			connect.Record{Topic: "a", Value: "x"}, "A", ""},
		{"predicate skips the transform", map[string]string{"transforms": "up", "transforms.up.type": "test.worker.UpperTopic", "transforms.up.predicate": "isA",
			"predicates": "isA", "predicates.isA.type": "test.worker.TopicIs", "predicates.isA.topic": "a"},
			connect.Record{Topic: "b", Value: "x"}, "b", ""},
		{"negate inverts the predicate", map[string]string{"transforms": "up", "transforms.up.type": "test.worker.UpperTopic", "transforms.up.predicate": "isA", "transforms.up.negate": "true",
			"predicates": "isA", "predicates.isA.type": "test.worker.TopicIs", "predicates.isA.topic": "a"},
			connect.Record{Topic: "b", Value: "x"}, "B", ""},
		{"transform error names the alias", map[string]string{"transforms": "up", "transforms.up.type": "test.worker.UpperTopic"},
			connect.Record{Topic: "a", Value: "fail"}, "", "transformation up (test.worker.UpperTopic): cannot transform fail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := buildChain(tt.config)
			if err != nil {
				t.Fatal(err)
			}
			defer c.close()
			rec := tt.in
			out, err := c.apply(&rec)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if out != nil {
				got = out.Topic
			}
			if got != tt.wantTopic {
				t.Fatalf("topic = %q, want %q", got, tt.wantTopic)
			}
		})
	}
}

func TestChainConfigErrors(t *testing.T) {
	tests := []struct {
		name   string
		config map[string]string
		want   string
	}{
		{"missing type", map[string]string{"transforms": "x"}, `Missing required configuration "transforms.x.type"`},
		{"unknown type", map[string]string{"transforms": "x", "transforms.x.type": "nope.Nope"}, "transforms.x.type: unknown plugin: nope.Nope"},
		{"not a transformation", map[string]string{"transforms": "x", "transforms.x.type": "test.worker.TopicIs"}, "is not a transformation plugin"},
		{"unknown predicate alias", map[string]string{"transforms": "x", "transforms.x.type": "test.worker.UpperTopic", "transforms.x.predicate": "p"}, `unknown predicate alias "p"`},
		{"negate without predicate", map[string]string{"transforms": "x", "transforms.x.type": "test.worker.UpperTopic", "transforms.x.negate": "true"}, "negate is set but"},
		{"bad negate", map[string]string{"transforms": "x", "transforms.x.type": "test.worker.UpperTopic", "transforms.x.negate": "maybe"}, `"maybe" is not true or false`},
		{"missing predicate type", map[string]string{"predicates": "p"}, `"predicates.p.type"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := buildChain(tt.config)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestOffsetTrackerCommitsOnlyContiguousAcks(t *testing.T) {
	tr := newOffsetTracker()
	part := map[string]any{"file": "a"}
	var subs []*submitted
	for i := int64(0); i < 5; i++ {
		s, err := tr.submit(part, map[string]any{"pos": i}, nil)
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, s)
	}
	other, _ := tr.submit(map[string]any{"file": "b"}, map[string]any{"pos": int64(9)}, nil)
	tr.ack(subs[1])
	tr.ack(subs[2])
	if got := tr.take(); len(got) != 0 {
		t.Fatalf("committable before record 0 is acked: %v", got)
	}
	tr.ack(subs[0])
	tr.ack(other)
	got := tr.take()
	want := map[string]int64{`{"file":"a"}`: 2, `{"file":"b"}`: 9}
	if len(got) != 2 {
		t.Fatalf("take = %v", got)
	}
	for _, c := range got {
		if c.Offset["pos"] != want[c.Key] {
			t.Fatalf("%s: offset %v, want %d", c.Key, c.Offset, want[c.Key])
		}
	}
	tr.done(got)
	select {
	case <-tr.waitDrained():
		t.Fatal("drained with records 3 and 4 pending")
	default:
	}
	tr.ack(subs[4])
	tr.ack(subs[3])
	<-tr.waitDrained()
	got = tr.take()
	if len(got) != 1 || got[0].Offset["pos"] != int64(4) {
		t.Fatalf("after all acks: %v", got)
	}
}

func TestMurmur2MatchesKafka(t *testing.T) {
	// Values from Kafka's UtilsTest.testMurmur2.
	cases := map[string]int32{
		"21":                         -973932308,
		"foobar":                     -790332482,
		"a-little-bit-long-string":   -985981536,
		"a-little-bit-longer-string": -1486304829,
		"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
	}
	for in, want := range cases {
		if got := int32(murmur2([]byte(in))); got != want {
			t.Errorf("murmur2(%q) = %d, want %d", in, got, want)
		}
	}
}
