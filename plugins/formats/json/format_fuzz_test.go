package jsonformat

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// fuzzConfigs are the option sets FuzzRowDecode reads with, chosen by the fuzzer.
var fuzzConfigs = [][]string{
	nil, // exact numbers, the default
	{OptDecodeNumbersAsDecimal, "false"},
	{OptSchema, goldenCols},
	{OptSchema, goldenCols, OptTimestampFormat, "ISO-8601", OptDecimalAsPlainNumber, "true", OptIgnoreNullFields, "true"},
	{OptSchema, goldenCols, OptFailOnMissingField, "true"},
	{OptSchema, "k MAP<INT, ARRAY<DECIMAL(5,1)>>, s STRING NOT NULL, b BOOLEAN, d DATE, t TIME, f FLOAT"},
	{OptSchemasEnable, "true"},
	{OptSchemasEnable, "true", OptDecodeNumbersAsDecimal, "false", OptSchema, "a STRING, b DOUBLE"},
	{OptSchema, goldenCols, OptIgnoreParseErrors, "true"},
}

// FuzzRowDecode feeds arbitrary messages to the json format's decoder under each option set.
// Decoding must never panic; with json.ignore-parse-errors it must never fail. A decoded row
// must fit its schema and write back (with the same options), and writing is stable: reading and
// writing the output again gives the same bytes.
func FuzzRowDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "row", "decode", "*.jsonl"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			if line := sc.Bytes(); !bytes.HasPrefix(line, []byte("#")) {
				for i := range fuzzConfigs {
					f.Add(bytes.Clone(line), uint8(i))
				}
			}
		}
	}
	golden, _ := filepath.Glob(filepath.Join("testdata", "row", "*.json"))
	for _, name := range golden {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for i := range fuzzConfigs {
			f.Add(data, uint8(i))
		}
	}
	for _, s := range []string{`{"k": {"1": [1.5, "2"]}, "s": {"a": [ 1 , 2 ]}}`, `{"k": {"x": []}}`, `{"t": 86400000}`, `{"d": 2147483647}`, `1e400`} {
		f.Add([]byte(s), uint8(5))
	}
	codecs := make([]rowCodecs, len(fuzzConfigs))
	for i, kv := range fuzzConfigs {
		codecs[i] = jsonFormat(f, kv...)
	}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		cfg := int(which) % len(codecs)
		c := codecs[cfg]
		rows, err := c.dec.Decode(data)
		if err != nil {
			if slicesContains(fuzzConfigs[cfg], OptIgnoreParseErrors) {
				t.Fatalf("Decode(%q) failed with json.ignore-parse-errors: %v", data, err)
			}
			return
		}
		if len(rows) == 0 {
			return
		}
		if len(rows) != 1 || rows[0].Op != formats.Insert {
			t.Fatalf("Decode(%q) = %d rows, op %s", data, len(rows), rows[0].Op)
		}
		if err := connect.ValidateValue(rows[0].Schema, rows[0].Value); err != nil {
			t.Fatalf("Decode(%q) = %s, which does not fit its schema: %v", data, describe(rows[0].Value), err)
		}
		first, err := c.enc.Encode(rows)
		if err != nil {
			// Kafka reads a Time of exactly 24:00 (86400000 ms) that neither representation
			// can write.
			if strings.Contains(err.Error(), "Time type") {
				return
			}
			t.Fatalf("cannot write %s read from %q: %v", describe(rows[0].Value), data, err)
		}
		again, err := c.dec.Decode(first[0])
		if err != nil || len(again) != 1 {
			t.Fatalf("cannot read back %s (written from %q): %d rows, %v", first[0], data, len(again), err)
		}
		second, err := c.enc.Encode(again)
		if err != nil {
			t.Fatalf("cannot write %s read from %s: %v", describe(again[0].Value), first[0], err)
		}
		if !bytes.Equal(first[0], second[0]) {
			t.Fatalf("writing is not stable for %q:\n%s\n%s", data, first[0], second[0])
		}
	})
}
