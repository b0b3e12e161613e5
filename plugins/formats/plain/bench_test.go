package plain

import (
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
)

var benchText = strings.Repeat("The quick brown fox jumps over the lazy dog. ", 4)

// Sinks keep results alive so that the compiler cannot drop the calls.
var (
	sinkBytes []byte
	sinkSV    connect.SchemaAndValue
)

func BenchmarkStringFromConnectData(b *testing.B) {
	c := NewStringConverter()
	var value any = benchText
	b.SetBytes(int64(len(benchText)))
	b.ReportAllocs()
	for b.Loop() {
		out, err := c.FromConnectData("topic", nil, nil, value)
		if err != nil {
			b.Fatal(err)
		}
		sinkBytes = out
	}
}

func BenchmarkStringToConnectData(b *testing.B) {
	c := NewStringConverter()
	data := []byte(benchText)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		sv, err := c.ToConnectData("topic", nil, data)
		if err != nil {
			b.Fatal(err)
		}
		sinkSV = sv
	}
}

func BenchmarkByteArrayFromConnectData(b *testing.B) {
	c := NewByteArrayConverter()
	var value any = []byte(benchText)
	b.SetBytes(int64(len(benchText)))
	b.ReportAllocs()
	for b.Loop() {
		out, err := c.FromConnectData("topic", nil, nil, value)
		if err != nil {
			b.Fatal(err)
		}
		sinkBytes = out
	}
}

func BenchmarkByteArrayToConnectData(b *testing.B) {
	c := NewByteArrayConverter()
	data := []byte(benchText)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		sv, err := c.ToConnectData("topic", nil, data)
		if err != nil {
			b.Fatal(err)
		}
		sinkSV = sv
	}
}

func BenchmarkSimpleHeaderRoundTrip(b *testing.B) {
	c := NewSimpleHeaderConverter()
	value := map[string]any{"id": int64(123456789), "source": "orders-db", "retry": int8(3)}
	b.ReportAllocs()
	for b.Loop() {
		data, err := c.FromConnectHeader("topic", "h", nil, value)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.ToConnectHeader("topic", "h", data); err != nil {
			b.Fatal(err)
		}
	}
}
