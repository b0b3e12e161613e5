package csv

import (
	"testing"

	"github.com/raftconnect/raftconnect/plugins/formats"
)

// FuzzDecode feeds arbitrary records to decoders with several option sets. A record must either
// fail with an error or decode to a row that encodes and decodes back to itself.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"1,Alice,12.50,3,true,1990-04-01,08:30:00,2020-12-30 12:13:14.123,1.5,aGVsbG8=,a;b;c,1;2;3,Oslo;150",
		`2,"Smith, Bob",0.05,-7,FALSE,2000-02-29,23:59:59.999,2020-12-30T12:13:14Z,-0.0,,x,,Paris;`,
		`3,"He said ""hi""",100,0,false,1970-01-01,00:00:00,2020-12-30 20:13:14.5+08:00,1E-4,"",,"",;`,
		"4,\"\",,,,,,,,,\"\",,\r\n",
		`5,back\\slash,semi\;colon,NULL,\N,'q''q'`,
		"#comment",
		"",
	} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
		f.Add(s, uint8(2))
	}
	schema := "id BIGINT, name STRING, price DECIMAL(10,2), qty INT, ok BOOLEAN, born DATE, at TIME(3), " +
		"ts TIMESTAMP(3), score DOUBLE, raw BYTES, tags ARRAY<STRING>, dims ARRAY<INT>, addr ROW<city STRING, zip INT>"
	optionSets := []map[string]string{
		{"csv.schema": schema},
		{"csv.schema": schema, "csv.quote-character": "'", "csv.escape-character": `\`, "csv.null-literal": "NULL", "csv.allow-comments": "true"},
		{"csv.schema": schema, "csv.disable-quote-character": "true", "csv.escape-character": `\`, "csv.null-literal": `\N`, "csv.ignore-parse-errors": "true"},
	}
	codecs := make([][2]any, len(optionSets))
	for i, o := range optionSets {
		d, e := codec(f, o)
		codecs[i] = [2]any{d, e}
	}
	f.Fuzz(func(t *testing.T, in string, which uint8) {
		c := codecs[int(which)%len(codecs)]
		dec, enc := c[0].(formats.Decoder), c[1].(formats.Encoder)
		rows, err := dec.Decode([]byte(in))
		if err != nil || len(rows) == 0 {
			return
		}
		msgs, err := enc.Encode(rows)
		if err != nil {
			t.Fatalf("%q decoded to %v, which fails to encode: %v", in, rows[0].Value, err)
		}
		back, err := dec.Decode(msgs[0])
		if err != nil || len(back) != 1 {
			t.Fatalf("%q decoded to %v, encoded as %q, which fails to decode: %v", in, rows[0].Value, msgs[0], err)
		}
		if !sameRow(back[0].Value, rows[0].Value) {
			t.Fatalf("%q decoded to %v, encoded as %q, decoded back to %v", in, rows[0].Value, msgs[0], back[0].Value)
		}
	})
}
