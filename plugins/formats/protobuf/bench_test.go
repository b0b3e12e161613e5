package protobuf

import (
	"os"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/dynamicpb"
)

func benchInput(b *testing.B, name string) []byte {
	b.Helper()
	data, err := os.ReadFile("testdata/" + name + ".bin")
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkDecode: event is the 10-field record (testdata/event.txtpb); order_full is a large
// message with nested structs, arrays, maps and timestamps.
func BenchmarkDecode(b *testing.B) {
	for _, c := range []struct{ name, msg string }{{"event", msgEvent}, {"order_full", msgOrder}} {
		b.Run(c.name, func(b *testing.B) {
			data := benchInput(b, c.name)
			dec := NewDecoderFor(testCodec(b, c.msg), false, false)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := dec.Decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncode(b *testing.B) {
	for _, c := range []struct{ name, msg string }{{"event", msgEvent}, {"order_full", msgOrder}} {
		b.Run(c.name, func(b *testing.B) {
			codec := testCodec(b, c.msg)
			st, err := NewDecoderFor(codec, false, false).DecodeStruct(benchInput(b, c.name))
			if err != nil {
				b.Fatal(err)
			}
			enc := NewEncoderFor(codec)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := enc.EncodeValue(codec.Schema(), st); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReferenceUnmarshal is the cost of merely parsing the same bytes into a dynamicpb
// message with the reference implementation, before any conversion to Connect: the baseline
// the direct decoder is measured against.
func BenchmarkReferenceUnmarshal(b *testing.B) {
	for _, c := range []struct{ name, msg string }{{"event", msgEvent}, {"order_full", msgOrder}} {
		b.Run(c.name, func(b *testing.B) {
			data := benchInput(b, c.name)
			md := testMessage(b, c.msg)
			b.ReportAllocs()
			for b.Loop() {
				if err := proto.Unmarshal(data, dynamicpb.NewMessage(md)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
