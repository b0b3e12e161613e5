package connect_test

import (
	"testing"

	"github.com/raftconnect/raftconnect/connect"
)

func TestHeaders(t *testing.T) {
	var h connect.Headers
	h.Add("trace", connect.StringSchema, "a")
	h.Add("other", nil, int32(1))
	h.Add("trace", connect.StringSchema, "b")
	if len(h) != 3 || h[0].Key != "trace" || h[2].Value != "b" {
		t.Fatalf("headers after Add: %+v", h)
	}
	if last, ok := h.Last("trace"); !ok || last.Value != "b" {
		t.Errorf("Last(trace) = %+v, %v; want the later value b", last, ok)
	}
	if _, ok := h.Last("missing"); ok {
		t.Error("Last of a missing key reported found")
	}
	without := h.Without("trace")
	if len(without) != 1 || without[0].Key != "other" {
		t.Errorf("Without(trace) = %+v", without)
	}
	if len(h) != 3 {
		t.Error("Without changed its receiver")
	}
	var none connect.Headers
	if got := none.Without("x"); len(got) != 0 {
		t.Errorf("Without on no headers = %v", got)
	}
}

func TestTimestampTypeString(t *testing.T) {
	for ty, want := range map[connect.TimestampType]string{
		connect.NoTimestampType:  "NoTimestampType",
		connect.CreateTime:       "CreateTime",
		connect.LogAppendTime:    "LogAppendTime",
		connect.TimestampType(9): "NoTimestampType",
	} {
		if got := ty.String(); got != want {
			t.Errorf("TimestampType(%d).String() = %q, want %q", ty, got, want)
		}
	}
}
