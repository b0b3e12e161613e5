package jsonformat

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// Columns of the golden records.
const (
	goldenCols = "id BIGINT NOT NULL, name STRING, price DECIMAL(12,4), qty INT, ratio DOUBLE, ok BOOLEAN, " +
		"born DATE, wakes TIME(3), created TIMESTAMP(9), seen TIMESTAMP_LTZ(3), photo BYTES, " +
		"tags ARRAY<STRING>, attrs MAP<STRING, STRING>, address ROW<street STRING, zip INT, geo ROW<lat DOUBLE, lon DOUBLE>>, " +
		"history ARRAY<ROW<at TIMESTAMP(3), amount DECIMAL(12,4)>>, scores MAP<STRING, ARRAY<INT>>"
	decimalCols = "a DECIMAL(9,6), b DECIMAL(20,0), c DECIMAL(11,9), d DECIMAL(10,2), e DECIMAL(10,2), " +
		"f DECIMAL(10,2), g DECIMAL(38,2), h DECIMAL(38,10), i DECIMAL(10,0)"
)

func goldenRecord(t testing.TB) *connect.Struct {
	st := structOf(t, goldenCols)
	s := st.Schema()
	addr := s.Field("address").Schema
	geo := addr.Field("geo").Schema
	hist := s.Field("history").Schema.ValueSchema
	shanghai := time.FixedZone("CST", 8*3600)
	st.MustPut("id", int64(9007199254740993)).
		MustPut("name", "Zoë \"Z\" Ångström — 日本語 😀 tab\tnewline\n").
		MustPut("price", dec(t, "1234.5000")).
		MustPut("qty", int32(-3)).
		MustPut("ratio", point3).
		MustPut("ok", true).
		MustPut("born", time.Date(1815, 12, 10, 0, 0, 0, 0, time.UTC)).
		MustPut("wakes", time.Date(1970, 1, 1, 6, 30, 0, 250000000, time.UTC)).
		MustPut("created", time.Date(2020, 12, 31, 23, 59, 59, 999999999, time.UTC)).
		MustPut("seen", time.Date(2021, 1, 1, 7, 30, 0, 0, shanghai)).
		MustPut("photo", []byte{0, 1, 2, 0xfe, 0xff}).
		MustPut("tags", []any{"a", nil, "ü"}).
		MustPut("attrs", map[string]any{"z": "last", "a": "first", "n": nil}).
		MustPut("address", connect.NewStruct(addr).MustPut("street", "1 Main St").MustPut("zip", int32(12345)).
			MustPut("geo", connect.NewStruct(geo).MustPut("lat", 51.5).MustPut("lon", -0.125))).
		MustPut("history", []any{
			connect.NewStruct(hist).MustPut("at", time.Date(2019, 1, 2, 3, 4, 5, 6000000, time.UTC)).MustPut("amount", dec(t, "-0.0100")),
			nil,
			connect.NewStruct(hist),
		}).
		MustPut("scores", map[string]any{"math": []any{int32(1), int32(2)}, "none": []any{}})
	return st
}

func decimalRecord(t testing.TB) *connect.Struct {
	return structOf(t, decimalCols,
		"a", dec(t, "123.456789"), "b", dec(t, "454621864049246170"), "c", dec(t, "0.000000027"),
		"d", dec(t, "100.00"), "e", dec(t, "-1.50"), "f", dec(t, "0.00"),
		"g", dec(t, "123456789012345678901234567890123456.78"), "h", dec(t, "0.0000001000"), "i", dec(t, "1000000"))
}

// TestFormatGolden writes records with each option set, compares the bytes with
// testdata/row/<name>.json, and reads them back: every value must come back as it was (or as
// back says, where the option loses something on purpose).
func TestFormatGolden(t *testing.T) {
	nullKeys := func(t testing.TB) any {
		return structOf(t, "m MAP<STRING, INT>", "m", map[any]any{nil: int32(0), "a": int32(1), "null": nil})
	}
	cases := []struct {
		name  string
		opts  []string
		value func(testing.TB) any
		// back describes what reading the golden file gives when it differs from value.
		back string
	}{
		{"record_sql", []string{OptSchema, goldenCols}, func(t testing.TB) any { return goldenRecord(t) }, ""},
		{"record_iso8601", []string{OptSchema, goldenCols, OptTimestampFormat, "ISO-8601"}, func(t testing.TB) any { return goldenRecord(t) }, ""},
		{"record_ignore_null_fields", []string{OptSchema, goldenCols, OptIgnoreNullFields, "true"}, func(t testing.TB) any { return goldenRecord(t) }, ""},
		{"record_envelope", []string{OptSchemasEnable, "true"}, func(t testing.TB) any {
			// Kafka's representation holds milliseconds.
			st := goldenRecord(t)
			return st.MustPut("created", time.Date(2020, 12, 31, 23, 59, 59, 999000000, time.UTC))
		}, ""},
		{"decimals_scientific", []string{OptSchema, decimalCols}, func(t testing.TB) any { return decimalRecord(t) }, ""},
		{"decimals_plain", []string{OptSchema, decimalCols, OptDecimalAsPlainNumber, "true"}, func(t testing.TB) any { return decimalRecord(t) }, ""},
		{"nulls", []string{OptSchema, "a INT, b STRING, c ARRAY<INT>, d MAP<STRING, INT>, e ROW<f INT>, g TIMESTAMP(3), h DECIMAL(5,2)"},
			func(t testing.TB) any {
				st := structOf(t, "a INT, b STRING, c ARRAY<INT>, d MAP<STRING, INT>, e ROW<f INT>, g TIMESTAMP(3), h DECIMAL(5,2)")
				return st.MustPut("c", []any{nil}).MustPut("d", map[string]any{"k": nil}).
					MustPut("e", connect.NewStruct(st.Schema().Field("e").Schema))
			}, ""},
		// Floats read back as floats only with json.decode.numbers-as-decimal=false.
		{"schemaless", []string{OptDecodeNumbersAsDecimal, "false"}, func(testing.TB) any {
			return map[string]any{"s": "ünïcödé", "n": int64(-1), "f": 1e21, "small": 1e-5, "b": false, "z": nil,
				"list": []any{int64(1), "two", []any{}, map[string]any{}}, "obj": map[string]any{"deep": map[string]any{"er": 2.5}}}
		}, ""},
		// Decimals, which schemaless JSON reads by default, are written as they were read.
		{"schemaless_decimal", nil, func(t testing.TB) any {
			return map[string]any{"price": dec(t, "19.90"), "big": dec(t, "123456789012345678901234"), "tiny": dec(t, "0.000000027"),
				"zero": dec(t, "0.00"), "exp": connect.NewDecimal(15, -2), "n": int64(-1), "list": []any{dec(t, "-1.0"), int64(2)}}
		}, ""},
		{"map_null_key_drop", []string{OptMapNullKeyMode, "DROP"}, nullKeys, `struct{m=map{"a": int32(1), "null": null}}`},
		{"map_null_key_literal", []string{OptMapNullKeyMode, "LITERAL", OptMapNullKeyLiteral, "<null>"}, nullKeys,
			`struct{m=map{"<null>": int32(0), "a": int32(1), "null": null}}`},
		{"map_null_key_literal_taken", []string{OptMapNullKeyMode, "LITERAL"}, nullKeys, `struct{m=map{"a": int32(1), "null": null}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := jsonFormat(t, tc.opts...)
			v := tc.value(t)
			var schema *connect.Schema
			if st, ok := v.(*connect.Struct); ok {
				schema = st.Schema()
			}
			msgs, err := c.enc.Encode([]formats.Row{{Op: formats.Insert, Schema: schema, Value: v}})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("row", tc.name+".json"), append(msgs[0], '\n'))

			data, err := os.ReadFile(filepath.Join("testdata", "row", tc.name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			schemaOpt := tc.opts
			if schema != nil && !slicesContains(tc.opts, OptSchema) && !slicesContains(tc.opts, OptSchemasEnable) {
				// Read back with the record's own schema, which the writer took from the row.
				schemaOpt = append(append([]string(nil), tc.opts...), OptSchema, string(mustSchemaJSON(t, schema)))
			}
			back := jsonFormat(t, schemaOpt...)
			rows, err := back.dec.Decode(data)
			if err != nil || len(rows) != 1 {
				t.Fatalf("reading %s back: %d rows, %v", tc.name, len(rows), err)
			}
			if tc.back != "" {
				if got := describe(rows[0].Value); got != tc.back {
					t.Errorf("read back\n got: %s\nwant: %s", got, tc.back)
				}
				return
			}
			if !connect.ValuesEqual(rows[0].Value, v) {
				t.Errorf("read back\n got: %s\nwant: %s", describe(rows[0].Value), describe(v))
			}
		})
	}
	t.Run("map_null_key_fail", func(t *testing.T) {
		_, err := jsonFormat(t).enc.Encode([]formats.Row{{Value: map[any]any{nil: 1}}})
		if err == nil {
			t.Fatal("a null map key was written with json.map-null-key.mode=FAIL")
		}
		golden(t, filepath.Join("row", "map_null_key_fail.txt"), []byte(err.Error()+"\n"))
	})
}

func slicesContains(kv []string, key string) bool {
	for i := 0; i < len(kv); i += 2 {
		if kv[i] == key {
			return true
		}
	}
	return false
}

func mustSchemaJSON(t testing.TB, s *connect.Schema) []byte {
	t.Helper()
	b, err := NewEncoder(DefaultOptions()).AppendSchema(nil, s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFormatDecodeGolden reads messages written the way producers write them, one per line of
// testdata/row/decode/<name>.jsonl, and compares what each decodes to, or the error, with
// <name>.golden.
func TestFormatDecodeGolden(t *testing.T) {
	const flinkCols = "user_id BIGINT, item_id BIGINT, behavior STRING, price DECIMAL(10,2), ts TIMESTAMP(3), " +
		"ts_ltz TIMESTAMP_LTZ(3), dt DATE, tm TIME(0), tags ARRAY<STRING>, props MAP<STRING, STRING>, " +
		"device ROW<os STRING, version INT>"
	for _, tc := range []struct {
		name string
		opts []string
	}{
		// Flink's json format writing a table with the SQL standard (its default).
		{"flink_sql", []string{OptSchema, flinkCols}},
		// The same table written with json.timestamp-format.standard = 'ISO-8601'.
		{"flink_iso8601", []string{OptSchema, flinkCols, OptTimestampFormat, "ISO-8601"}},
		// Timestamps from producers in other zones, read with each standard.
		{"zones_sql", []string{OptSchema, "ts TIMESTAMP(9), ltz TIMESTAMP_LTZ(9)"}},
		{"zones_iso8601", []string{OptSchema, "ts TIMESTAMP(9), ltz TIMESTAMP_LTZ(9)", OptTimestampFormat, "ISO-8601"}},
		// Application JSON without a row type: nested objects, unicode, every kind of number.
		{"schemaless", []string{OptDecodeNumbersAsDecimal, "false"}},
		{"schemaless_decimal", nil}, // json.decode.numbers-as-decimal is the default
		// Malformed messages: the error names the byte offset or the field.
		{"errors", []string{OptSchema, "id BIGINT NOT NULL, price DECIMAL(6,2), ts TIMESTAMP(3)"}},
		{"errors_ignored", []string{OptSchema, "id BIGINT NOT NULL, price DECIMAL(6,2), ts TIMESTAMP(3)", OptIgnoreParseErrors, "true"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.name
			if in == "errors_ignored" {
				in = "errors"
			}
			f, err := os.Open(filepath.Join("testdata", "row", "decode", in+".jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			c := jsonFormat(t, tc.opts...)
			var out bytes.Buffer
			sc := bufio.NewScanner(f)
			for n := 1; sc.Scan(); n++ {
				line := sc.Text()
				if strings.HasPrefix(line, "#") {
					continue
				}
				out.WriteString(strings.TrimSpace(decodeOne(c, line)))
				out.WriteByte('\n')
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("row", "decode", tc.name+".golden"), out.Bytes())
		})
	}
}
