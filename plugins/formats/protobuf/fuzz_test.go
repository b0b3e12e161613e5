package protobuf

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode checks, for arbitrary bytes and the two test messages (proto3 and proto2):
// decoding never panics; it fails exactly when the reference implementation fails; when it
// succeeds it reads what the reference reads; and the value re-encodes to bytes that decode to
// the same value and that the reference reads the same way.
func FuzzDecode(f *testing.F) {
	bins, _ := filepath.Glob("testdata/*.bin")
	for _, p := range bins {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(wire{}.bytes(oLabels, wire{}.str(2, "v").str(1, "k"))))
	f.Add([]byte(wire{}.varint(lID, 1).group(lMeta, wire{}.str(lMetaSource, "s"))))
	f.Add([]byte(wire{}.bytes(oShipping, wire{}.str(aCity, "a")).bytes(oShipping, wire{}.str(aStreet, "b"))))

	type target struct {
		name  string
		codec *Codec
	}
	var targets []target
	for _, name := range []string{msgOrder, msgLegacy} {
		targets = append(targets, target{name, testCodec(f, name)})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, tg := range targets {
			md := testMessage(t, tg.name)
			for _, readDefaults := range []bool{false, true} {
				got, err := NewDecoderFor(tg.codec, readDefaults, false).DecodeStruct(data)
				want, refErr := refDecode(md, tg.codec.Schema(), data, readDefaults)
				var rp *refPanic
				if errors.As(refErr, &rp) {
					// No oracle for this input; the properties below still hold.
					want, refErr = got, err
				}
				if (err == nil) != (refErr == nil) {
					t.Fatalf("%s: decoder error %v, reference error %v", tg.name, err, refErr)
				}
				if err != nil {
					continue
				}
				if err := got.Validate(); err != nil {
					t.Fatalf("%s: decoded struct is invalid: %v", tg.name, err)
				}
				g := render(tg.codec.Schema(), got)
				if w := render(tg.codec.Schema(), want); g != w {
					t.Fatalf("%s: differs from the reference:\n%s", tg.name, diffLines(w, g))
				}
				out, err := NewEncoderFor(tg.codec).EncodeValue(tg.codec.Schema(), got)
				if err != nil {
					t.Fatalf("%s: cannot re-encode a decoded value: %v", tg.name, err)
				}
				again, err := NewDecoderFor(tg.codec, readDefaults, false).DecodeStruct(out)
				if err != nil {
					t.Fatalf("%s: cannot decode own output %x: %v", tg.name, out, err)
				}
				if r := render(tg.codec.Schema(), again); r != g {
					t.Fatalf("%s: round trip changed the value:\n%s", tg.name, diffLines(g, r))
				}
				ref, err := refDecode(md, tg.codec.Schema(), out, readDefaults)
				if err != nil {
					t.Fatalf("%s: reference rejects our output: %v", tg.name, err)
				}
				if r := render(tg.codec.Schema(), ref); r != g {
					t.Fatalf("%s: reference reads our output differently:\n%s", tg.name, diffLines(g, r))
				}
				if !readDefaults {
					// Encoding is deterministic and canonical: a second pass changes nothing.
					out2, err := NewEncoderFor(tg.codec).EncodeValue(tg.codec.Schema(), again)
					if err != nil || !bytes.Equal(out, out2) {
						t.Fatalf("%s: encoding is not stable: %x vs %x (%v)", tg.name, out, out2, err)
					}
				}
			}
		}
	})
}
