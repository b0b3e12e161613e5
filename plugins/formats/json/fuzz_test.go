package jsonformat

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
)

// FuzzToConnectData feeds arbitrary bytes to the converter in both schemas.enable modes. Reading
// must never panic and must fail only with a *connect.DataError. Whatever it reads must write
// back, unless the value is one Kafka also reads but cannot write (a Time of exactly 24:00), and
// writing is stable: reading and writing the output again gives the same bytes.
func FuzzToConnectData(f *testing.F) {
	for _, tc := range decodeCases(f) {
		f.Add([]byte(tc.in), len(tc.config) == 0)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "encode", "*.json"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, true)
		f.Add(data, false)
	}
	for _, s := range []string{`{"schema":{"type":"map","keys":{"type":"float"},"values":{"type":"int8"}},"payload":[["NaN",1]]}`, `[1e400]`, `"\ud800"`} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	readers := map[bool]*Converter{true: converter(f), false: converter(f, "schemas.enable", "false")}
	// Decimals read from JSON numbers keep their own scale, which Base64 cannot write.
	writers := map[bool]*Converter{
		true:  converter(f, "decimal.format", "NUMERIC"),
		false: converter(f, "schemas.enable", "false", "decimal.format", "NUMERIC"),
	}
	f.Fuzz(func(t *testing.T, data []byte, schemas bool) {
		r, w := readers[schemas], writers[schemas]
		sv, err := r.ToConnectData("topic", nil, data)
		if err != nil {
			var de *connect.DataError
			if !errors.As(err, &de) {
				t.Fatalf("ToConnectData(%q) failed with %T, not a DataError: %v", data, err, err)
			}
			return
		}
		if sv.Schema != nil {
			if err := sv.Schema.Check(); err != nil {
				t.Fatalf("ToConnectData(%q) built an invalid schema: %v", data, err)
			}
			if err := connect.ValidateValue(sv.Schema, sv.Value); err != nil {
				t.Fatalf("ToConnectData(%q) = %v, which does not fit its schema: %v", data, sv.Value, err)
			}
		}
		first, err := w.FromConnectData("topic", nil, sv.Schema, sv.Value)
		if err != nil {
			var de *connect.DataError
			if !errors.As(err, &de) {
				t.Fatalf("FromConnectData failed with %T, not a DataError: %v", err, err)
			}
			return
		}
		if sv.Schema == nil && sv.Value == nil {
			return // a tombstone: nil bytes
		}
		again, err := w.ToConnectData("topic", nil, first)
		if err != nil {
			t.Fatalf("cannot read back %s (written from %q): %v", first, data, err)
		}
		second, err := w.FromConnectData("topic", nil, again.Schema, again.Value)
		if err != nil {
			t.Fatalf("cannot write %v read from %s: %v", again.Value, first, err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("writing is not stable for %q:\n%s\n%s", data, first, second)
		}
	})
}
