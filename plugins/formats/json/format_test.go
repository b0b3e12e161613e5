package jsonformat

import (
	"encoding/base64"
	"fmt"
	"math/big"
	mrand "math/rand"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// rowCodecs is the json format's decoder and encoder, built through the format registry as the
// Kafka plugins and `worker convert` build them.
type rowCodecs struct {
	dec formats.Decoder
	enc formats.Encoder
}

func jsonFormat(t testing.TB, kv ...string) rowCodecs {
	t.Helper()
	c, err := newJSONFormat(kv...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newJSONFormat(kv ...string) (rowCodecs, error) {
	conf := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		conf[kv[i]] = kv[i+1]
	}
	f, err := formats.Lookup(FormatName)
	if err != nil {
		return rowCodecs{}, err
	}
	opts, err := formats.ParseOptions(f, conf)
	if err != nil {
		return rowCodecs{}, err
	}
	dec, err := f.NewDecoder(opts)
	if err != nil {
		return rowCodecs{}, err
	}
	enc, err := f.NewEncoder(opts)
	if err != nil {
		return rowCodecs{}, err
	}
	return rowCodecs{dec, enc}, nil
}

// describe renders a decoded value with its Go types, so that tests and golden files show what
// a user of the rows gets: int64(1) and float64(1) differ, and so do a Decimal 1.50 and 1.5.
func describe(v any) string {
	var b strings.Builder
	describeTo(&b, v)
	return b.String()
}

func describeTo(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		b.WriteString(strconv.Quote(x))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int8, int16, int32, int64, float32, float64:
		fmt.Fprintf(b, "%T(%v)", x, x)
	case connect.Decimal:
		fmt.Fprintf(b, "decimal(%s)", x.String())
	case time.Time:
		fmt.Fprintf(b, "time(%s)", x.UTC().Format(time.RFC3339Nano))
	case []byte:
		fmt.Fprintf(b, "bytes(%s)", base64.StdEncoding.EncodeToString(x))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			describeTo(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteString("map{")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "%q: ", k)
			describeTo(b, x[k])
		}
		b.WriteByte('}')
	case map[any]any:
		entries := make([]string, 0, len(x))
		for k, e := range x {
			entries = append(entries, describe(k)+": "+describe(e))
		}
		slices.Sort(entries)
		b.WriteString("map{" + strings.Join(entries, ", ") + "}")
	case *connect.Struct:
		b.WriteString("struct{")
		for i, f := range x.Schema().Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(f.Name + "=")
			describeTo(b, x.GetIndex(i))
		}
		b.WriteByte('}')
	default:
		fmt.Fprintf(b, "%T(%v)", x, x)
	}
}

// decodeOne decodes msg and describes the result: the row's value, "no rows", or "err: ...".
func decodeOne(c rowCodecs, msg string) string {
	rows, err := c.dec.Decode([]byte(msg))
	switch {
	case err != nil:
		return "err: " + err.Error()
	case len(rows) == 0:
		return "no rows"
	case len(rows) > 1:
		return fmt.Sprintf("%d rows", len(rows))
	case rows[0].Op != formats.Insert:
		return "op " + rows[0].Op.String()
	}
	return describe(rows[0].Value)
}

// matches reports whether got is want, or, for want "err: x", an error containing x.
func matches(got, want string) bool {
	if w, ok := strings.CutPrefix(want, "err: "); ok {
		return strings.HasPrefix(got, "err: ") && strings.Contains(got, w)
	}
	return got == want
}

const (
	colsScalars  = "id BIGINT NOT NULL, n INT, s SMALLINT, b TINYINT, ok BOOLEAN, f FLOAT, d DOUBLE, name STRING"
	colsTemporal = "d DATE, t TIME(3), ts TIMESTAMP(9), at TIMESTAMP_LTZ(3)"
	colsNested   = "id INT, tags ARRAY<STRING>, m MAP<STRING, INT>, km MAP<INT, STRING>, r ROW<x INT, y ROW<z STRING>>"
)

func TestFormatDecode(t *testing.T) {
	schema := func(cols string, kv ...string) []string { return append([]string{OptSchema, cols}, kv...) }
	cases := []struct {
		name string
		opts []string
		in   string
		want string
	}{
		// Schemaless: JsonConverter's types, with numbers exact by default: integers as int64,
		// other numbers as Decimals of the scale they are written with.
		{"schemaless object", nil, `{"a": 1, "b": 1.50, "c": "x", "d": [true, null, -0.0], "e": {"f": {}}}`,
			`map{"a": int64(1), "b": decimal(1.50), "c": "x", "d": [true, null, decimal(0.0)], "e": map{"f": map{}}}`},
		{"schemaless scalar", nil, ` "héllo" `, `"héllo"`},
		{"schemaless array", nil, `[1, 2.5e3]`, `[int64(1), decimal(2500)]`},
		{"schemaless integer beyond int64", nil, `{"n": 123456789012345678901234}`, `map{"n": decimal(123456789012345678901234)}`},
		{"schemaless repeated key keeps last", nil, `{"a": 1, "a": 2}`, `map{"a": int64(2)}`},
		{"numbers as decimal", nil,
			`{"i": 7, "f": 1.50, "e": 1e3, "tiny": 0.000000027, "big": 12345678901234567890123, "neg": -2.5E-1}`,
			`map{"big": decimal(12345678901234567890123), "e": decimal(1000), "f": decimal(1.50), "i": int64(7), "neg": decimal(-0.25), "tiny": decimal(0.000000027)}`},
		{"numbers as decimal, hostile exponent", nil, `[1e-999999]`, "err: scale"},
		// json.decode.numbers-as-decimal=false: JsonConverter's float64.
		{"numbers as double", []string{OptDecodeNumbersAsDecimal, "false"}, `{"a": 1, "b": 1.50, "d": [-0.0, 2.5e3]}`,
			`map{"a": int64(1), "b": float64(1.5), "d": [float64(-0), float64(2500)]}`},
		{"numbers as double, integer beyond int64", []string{OptDecodeNumbersAsDecimal, "false"}, `{"n": 12345678901234567890}`,
			`map{"n": float64(1.2345678901234567e+19)}`},
		{"empty message", nil, ``, "no rows"},
		{"blank message", nil, " \n\t", "no rows"},
		{"JSON null", schema(colsScalars), `null`, "no rows"},
		{"null then garbage", nil, `null x`, "err: unexpected character 'x'"},
		{"malformed", nil, `{"a": tru}`, "err: unrecognized token 'tru' at byte offset 6"},
		{"malformed skipped", []string{OptIgnoreParseErrors, "true"}, `{"a": tru}`, "no rows"},
		{"trailing data", nil, `{} {}`, "err: expected end of input at byte offset 3"},
		{"invalid UTF-8", nil, "\"\xff\"", "err: invalid UTF-8"},

		// Typed scalars, and Flink's leniency.
		{"scalars", schema(colsScalars),
			`{"id": 1, "n": -2, "s": 300, "b": -128, "ok": true, "f": 1.5, "d": 1e-7, "name": "x"}`,
			`struct{id=int64(1), n=int32(-2), s=int16(300), b=int8(-128), ok=true, f=float32(1.5), d=float64(1e-07), name="x"}`},
		{"scalars from strings", schema(colsScalars),
			`{"id": " 7 ", "n": "-2", "s": "300", "b": "5", "ok": "TRUE", "f": "1.5", "d": "NaN"}`,
			`struct{id=int64(7), n=int32(-2), s=int16(300), b=int8(5), ok=true, f=float32(1.5), d=float64(NaN), name=null}`},
		{"strings from other JSON", schema(colsScalars),
			`{"id": 1, "name": {"a": [1, 2.50, "b c"], "t": true}}`,
			`struct{id=int64(1), n=null, s=null, b=null, ok=null, f=null, d=null, name="{\"a\":[1,2.50,\"b c\"],\"t\":true}"}`},
		{"string from number keeps its text", schema(colsScalars), `{"id": 1, "name": 12.50}`,
			`struct{id=int64(1), n=null, s=null, b=null, ok=null, f=null, d=null, name="12.50"}`},
		{"string from boolean", schema(colsScalars), `{"id": 1, "name": false}`,
			`struct{id=int64(1), n=null, s=null, b=null, ok=null, f=null, d=null, name="false"}`},
		{"int out of range", schema(colsScalars), `{"id": 1, "b": 128}`, "err: Numeric value (128) out of range of INT8 (at b)"},
		{"int string out of range", schema(colsScalars), `{"id": 1, "s": "40000"}`, "err: Numeric value (40000) out of range of INT16 (at s)"},
		{"int not whole", schema(colsScalars), `{"id": 1.5}`, "err: not a whole number (at id)"},
		{"int from bad string", schema(colsScalars), `{"id": "seven"}`, `err: Invalid value "seven" for a INT64 value (at id)`},
		{"bool from bad string", schema(colsScalars), `{"id": 1, "ok": "yes"}`, `err: Invalid value "yes" for a BOOLEAN value (at ok)`},
		{"bool from number", schema(colsScalars), `{"id": 1, "ok": 1}`, `err: Invalid JSON NUMBER for a BOOLEAN value (at ok)`},
		{"bad value skipped", schema(colsScalars, OptIgnoreParseErrors, "true"), `{"id": "seven"}`, "no rows"},
		{"unknown fields ignored", schema(colsScalars), `{"zzz": [1, {"x": null}], "id": 3}`,
			`struct{id=int64(3), n=null, s=null, b=null, ok=null, f=null, d=null, name=null}`},
		{"not an object", schema(colsScalars), `[1]`, "err: Structs should be encoded as JSON objects, but found ARRAY"},
		{"unicode", schema("s STRING"), `{"s": "h\u00e9llo \ud83d\ude00 日本 \"q\" \\ \/"}`, `struct{s="héllo 😀 日本 \"q\" \\ /"}`},

		// Nulls, missing fields and json.fail-on-missing-field.
		{"missing is null", schema("a INT, b STRING"), `{"a": 1}`, `struct{a=int32(1), b=null}`},
		{"null is null", schema("a INT, b STRING"), `{"a": null, "b": null}`, `struct{a=null, b=null}`},
		{"missing required", schema("a INT NOT NULL"), `{}`, "err: Invalid null value for required INT32 field (at a)"},
		{"null required", schema("a INT NOT NULL"), `{"a": null}`, "err: Invalid null value for required INT32 field (at a)"},
		{"null required skipped", schema("a INT NOT NULL", OptIgnoreParseErrors, "true"), `{"a": null}`, "no rows"},
		{"fail on missing", schema("a INT, b STRING", OptFailOnMissingField, "true"), `{"a": 1}`, "err: Could not find field with name 'b'."},
		{"fail on missing, nested", schema("a INT, r ROW<x INT, y INT>", OptFailOnMissingField, "true"), `{"a": 1, "r": {"x": 2}}`,
			"err: Could not find field with name 'y'. (at r)"},
		{"fail on missing, null present", schema("a INT, b STRING", OptFailOnMissingField, "true"), `{"a": 1, "b": null}`,
			`struct{a=int32(1), b=null}`},
		{"fail on missing, all present", schema("a INT", OptFailOnMissingField, "true"), `{"a": 1, "z": 2}`, `struct{a=int32(1)}`},

		// Decimals: exact, into the column's scale.
		{"decimal from number", schema("p DECIMAL(10,2)"), `{"p": 12.5}`, `struct{p=decimal(12.50)}`},
		{"decimal from string", schema("p DECIMAL(10,2)"), `{"p": " -0.07 "}`, `struct{p=decimal(-0.07)}`},
		{"decimal from exponent", schema("p DECIMAL(10,2)"), `{"p": 1.5E+1}`, `struct{p=decimal(15.00)}`},
		{"decimal from scientific string", schema("p DECIMAL(20,9)"), `{"p": "2.7E-8"}`, `struct{p=decimal(0.000000027)}`},
		{"decimal would round", schema("p DECIMAL(10,2)"), `{"p": 12.345}`, "err: Invalid Decimal value: decimal 12.345 cannot be rescaled to scale 2 without rounding (at p)"},
		{"decimal beyond precision", schema("p DECIMAL(4,2)"), `{"p": 123.4}`, "err: Decimal 123.4 does not fit DECIMAL(4,2) (at p)"},
		{"decimal not a number", schema("p DECIMAL(4,2)"), `{"p": "abc"}`, `err: Invalid Decimal value: invalid decimal "abc" (at p)`},
		{"decimal from boolean", schema("p DECIMAL(4,2)"), `{"p": true}`, "err: Invalid type for Decimal"},

		// Dates, times and timestamps.
		{"temporal SQL", schema(colsTemporal),
			`{"d": "2020-12-30", "t": "12:13:14.5", "ts": "2020-12-30 12:13:14.123456789", "at": "2020-12-30 12:13:14.123Z"}`,
			`struct{d=time(2020-12-30T00:00:00Z), t=time(1970-01-01T12:13:14.5Z), ts=time(2020-12-30T12:13:14.123456789Z), at=time(2020-12-30T12:13:14.123Z)}`},
		{"temporal ISO", schema(colsTemporal, OptTimestampFormat, "ISO-8601"),
			`{"ts": "2020-12-30T12:13", "at": "2020-12-30T12:13:14Z"}`,
			`struct{d=null, t=null, ts=time(2020-12-30T12:13:00Z), at=time(2020-12-30T12:13:14Z)}`},
		// A TIMESTAMP is a wall clock, which a zone offset would shift: refused, as Flink refuses
		// it. A TIMESTAMP_LTZ is an instant: a zoned value is converted to UTC.
		{"TIMESTAMP with zone offset", schema(colsTemporal), `{"ts": "2020-12-30 12:13:14.1+08:00"}`,
			`err: Invalid Timestamp value: invalid SQL timestamp "2020-12-30 12:13:14.1+08:00": a TIMESTAMP without time zone cannot hold a zone offset (+08:00); declare the column TIMESTAMP_LTZ to read zoned values converted to UTC (at ts)`},
		{"TIMESTAMP with zone offset, ISO", schema(colsTemporal, OptTimestampFormat, "ISO-8601"), `{"ts": "2020-12-30T12:13:14-05:30"}`,
			`err: cannot hold a zone offset (-05:30); declare the column TIMESTAMP_LTZ to read zoned values converted to UTC (at ts)`},
		{"TIMESTAMP with zone offset skipped", schema(colsTemporal, OptIgnoreParseErrors, "true"), `{"ts": "2020-12-30 12:13:14+08:00"}`, "no rows"},
		{"TIMESTAMP in UTC", schema(colsTemporal), `{"ts": "2020-12-30 12:13:14.1Z"}`,
			`struct{d=null, t=null, ts=time(2020-12-30T12:13:14.1Z), at=null}`},
		{"TIMESTAMP_LTZ with zone offset", schema(colsTemporal),
			`{"at": "2020-12-30 00:30:00-05:30"}`,
			`struct{d=null, t=null, ts=null, at=time(2020-12-30T06:00:00Z)}`},
		{"nested TIMESTAMP with zone offset", schema("r ROW<ts TIMESTAMP(3)>, a ARRAY<TIMESTAMP_LTZ(3)>"), `{"a": ["2020-12-30 12:13:14+08:00"], "r": {"ts": "2020-12-30 12:13:14+08:00"}}`,
			`err: cannot hold a zone offset (+08:00); declare the column TIMESTAMP_LTZ to read zoned values converted to UTC (at r.ts)`},
		{"timestamp as epoch millis", schema(colsTemporal), `{"ts": 1609330394123, "d": 18626, "t": 43994500}`,
			`struct{d=time(2020-12-30T00:00:00Z), t=time(1970-01-01T12:13:14.5Z), ts=time(2020-12-30T12:13:14.123Z), at=null}`},
		{"ISO timestamp under SQL", schema(colsTemporal), `{"ts": "2020-12-30T12:13:14"}`,
			`err: Invalid Timestamp value: invalid SQL timestamp "2020-12-30T12:13:14": want ' ' after the date (at ts)`},
		{"SQL timestamp under ISO", schema(colsTemporal, OptTimestampFormat, "iso-8601"), `{"ts": "2020-12-30 12:13:14"}`,
			`err: want 'T' after the date (at ts)`},
		{"SQL timestamp needs seconds", schema(colsTemporal), `{"ts": "2020-12-30 12:13"}`, "err: bad time of day"},
		{"date that does not exist", schema(colsTemporal), `{"d": "2021-02-29"}`, "err: day 29 does not exist"},
		{"date with time", schema(colsTemporal), `{"d": "2021-02-01 00:00:00"}`, "err: Invalid Date value"},
		{"time out of range", schema(colsTemporal), `{"t": "24:00:00"}`, "err: Invalid Time value"},
		{"bad timestamp skipped", schema(colsTemporal, OptIgnoreParseErrors, "true"), `{"ts": "yesterday"}`, "no rows"},

		// Arrays, maps, nested rows.
		{"nested", schema(colsNested),
			`{"id": 1, "tags": ["a", null], "m": {"x": 1, "y": null}, "km": {"2": "b", "-1": "a"}, "r": {"x": 5, "y": {"z": "deep"}}}`,
			`struct{id=int32(1), tags=["a", null], m=map{"x": int32(1), "y": null}, km=map{int32(-1): "a", int32(2): "b"}, r=struct{x=int32(5), y=struct{z="deep"}}}`},
		{"empty containers", schema(colsNested), `{"tags": [], "m": {}, "km": {}, "r": {}}`,
			`struct{id=null, tags=[], m=map{}, km=map{}, r=struct{x=null, y=null}}`},
		{"map key of the wrong type", schema(colsNested), `{"km": {"one": "a"}}`, `err: Invalid map key: invalid INT32 "one" (at km["one"])`},
		{"map in Kafka's pair form", schema(colsNested), `{"km": [[1, "a"]]}`, `struct{id=null, tags=null, m=null, km=map{int32(1): "a"}, r=null}`},
		{"bytes", schema("b BYTES"), `{"b": "AQID"}`, `struct{b=bytes(AQID)}`},
		{"bytes not base64", schema("b BYTES"), `{"b": "%%"}`, "err: Invalid bytes field"},

		// Schema given as Kafka schema JSON.
		{"Kafka schema JSON", schema(`{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"},{"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp","field":"ts"}]}`),
			`{"id": "9", "ts": "2020-12-30 12:13:14"}`, `struct{id=int64(9), ts=time(2020-12-30T12:13:14Z)}`},
		{"top-level scalar schema", schema(`{"type":"string","optional":true}`), `42`, `"42"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := jsonFormat(t, tc.opts...)
			if got := decodeOne(c, tc.in); !matches(got, tc.want) {
				t.Errorf("Decode(%s)\n got: %s\nwant: %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestFormatDecodeEnvelope(t *testing.T) {
	kafka := converter(t) // Kafka's JsonConverter, schemas.enable=true, decimals as Base64
	s := connect.StructBuilder().Name("com.example.Order").
		Field("id", connect.Int64Schema).
		Field("amount", connect.DecimalSchema(2).MustBuild()).
		Field("at", connect.TimestampSchema().Optional().MustBuild()).
		Field("tags", connect.MapOf(connect.Int16Schema, connect.StringSchema).Optional().MustBuild()).
		MustBuild()
	st := connect.NewStruct(s).MustPut("id", int64(7)).MustPut("amount", connect.NewDecimal(-150, 2)).
		MustPut("at", time.UnixMilli(1609330394123).UTC()).MustPut("tags", map[any]any{int16(1): "a"})
	msg, err := kafka.FromConnectData("t", nil, s, st)
	if err != nil {
		t.Fatal(err)
	}
	want := `struct{id=int64(7), amount=decimal(-1.50), at=time(2020-12-30T12:13:14.123Z), tags=map{int16(1): "a"}}`
	if got := decodeOne(jsonFormat(t, OptSchemasEnable, "true"), string(msg)); got != want {
		t.Errorf("envelope written by Kafka's JsonConverter\n got: %s\nwant: %s", got, want)
	}
	// With json.schema the rows take that type, converted by field name.
	c := jsonFormat(t, OptSchemasEnable, "true", OptSchema, "amount STRING, id INT")
	if got, want := decodeOne(c, string(msg)), `struct{amount="-1.50", id=int32(7)}`; got != want {
		t.Errorf("envelope into json.schema\n got: %s\nwant: %s", got, want)
	}
	for _, tc := range []struct {
		opts     []string
		in, want string
	}{
		{nil, `{"id": 7}`, "err: JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields"},
		{[]string{OptIgnoreParseErrors, "true"}, `{"id": 7}`, "no rows"},
		{nil, `{"schema": null, "payload": null}`, "no rows"},
		{nil, `{"schema": null, "payload": {"a": 1.5}}`, `map{"a": decimal(1.5)}`},
		{[]string{OptDecodeNumbersAsDecimal, "false"}, `{"schema": null, "payload": {"a": 1.5}}`, `map{"a": float64(1.5)}`},
		{[]string{OptFailOnMissingField, "true"}, `{"schema": {"type": "struct", "fields": [{"type": "int32", "optional": true, "field": "a"}]}, "payload": {}}`,
			"err: Could not find field with name 'a'."},
		{[]string{OptSchema, "a INT NOT NULL"}, `{"schema": null, "payload": {"b": 1}}`, "err: the message does not fit json.schema"},
	} {
		c := jsonFormat(t, append([]string{OptSchemasEnable, "true"}, tc.opts...)...)
		if got := decodeOne(c, tc.in); !matches(got, tc.want) {
			t.Errorf("Decode(%s) with %v\n got: %s\nwant: %s", tc.in, tc.opts, got, tc.want)
		}
	}
}

// structOf builds a struct of the columns with the given field values.
func structOf(t testing.TB, cols string, kv ...any) *connect.Struct {
	t.Helper()
	s, err := ParseRowSchema(cols)
	if err != nil {
		t.Fatal(err)
	}
	st := connect.NewStruct(s)
	for i := 0; i+1 < len(kv); i += 2 {
		if err := st.Put(kv[i].(string), kv[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func dec(t testing.TB, s string) connect.Decimal {
	t.Helper()
	d, err := connect.ParseDecimal(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestFormatEncode(t *testing.T) {
	ts := time.Date(2020, 12, 30, 12, 13, 14, 123000000, time.UTC)
	temporal := func(t *testing.T) *connect.Struct {
		return structOf(t, colsTemporal, "d", time.Date(2020, 12, 30, 0, 0, 0, 0, time.UTC),
			"t", time.Date(1970, 1, 1, 1, 2, 3, 0, time.UTC), "ts", ts.Add(456789), "at", ts)
	}
	decimals := func(t *testing.T) *connect.Struct {
		return structOf(t, "a DECIMAL(9,6), b DECIMAL(20,0), c DECIMAL(11,9), d DECIMAL(10,2), e DECIMAL(10,2), f DECIMAL(10,2), g DECIMAL(38,2)",
			"a", dec(t, "123.456789"), "b", dec(t, "454621864049246170"), "c", dec(t, "0.000000027"),
			"d", dec(t, "100.00"), "e", dec(t, "-1.50"), "f", dec(t, "0.00"), "g", dec(t, "123456789012345678901234567890.10"))
	}
	nullKeys := func(*testing.T) any { return map[any]any{nil: int64(1), "a": int64(2)} }
	cases := []struct {
		name  string
		opts  []string
		value func(t *testing.T) any
		want  string
	}{
		{"schemaless", nil, func(*testing.T) any {
			return map[string]any{"b": []any{int64(1), 2.5, nil, "x"}, "a": map[string]any{"n": nil, "f": 1e7}, "u": "é\u2028\x01"}
		}, `{"a":{"f":1.0E7,"n":null},"b":[1,2.5,null,"x"],"u":"é` + "\u2028" + `\u0001"}`},
		{"schemaless, ignore null fields", []string{OptIgnoreNullFields, "true"}, func(*testing.T) any {
			return map[string]any{"b": []any{nil}, "a": map[string]any{"n": nil}, "z": nil}
		}, `{"a":{},"b":[null]}`},
		{"schemaless any-keyed map, ignore null fields", []string{OptIgnoreNullFields, "true"}, func(*testing.T) any {
			return map[any]any{"a": nil, "b": int64(1), int64(2): nil}
		}, `{"b":1}`},
		// A schemaless decimal is written as it was read: with its scale, in plain notation
		// unless its scale is negative (1E+3, read from 1e3).
		{"schemaless decimals, timestamps and structs", nil, func(t *testing.T) any {
			return map[string]any{"p": dec(t, "1.50"), "t": ts, "s": structOf(t, "x INT", "x", int32(1))}
		}, `{"p":1.50,"s":{"x":1},"t":"2020-12-30 12:13:14.123"}`},
		{"schemaless decimals keep their scale", nil, func(t *testing.T) any {
			return []any{dec(t, "0.000000027"), dec(t, "123456789012345678901234"), dec(t, "-0.0"), connect.NewDecimal(15, -2), dec(t, "100.00")}
		}, `[0.000000027,123456789012345678901234,0.0,1.5E+3,100.00]`},
		{"schemaless decimals plain", []string{OptDecimalAsPlainNumber, "true"}, func(t *testing.T) any {
			return []any{dec(t, "1.50"), connect.NewDecimal(15, -2)}
		}, `[1.50,1500]`},
		{"temporal SQL", nil, func(t *testing.T) any { return temporal(t) },
			`{"d":"2020-12-30","t":"01:02:03","ts":"2020-12-30 12:13:14.123456789","at":"2020-12-30 12:13:14.123Z"}`},
		{"temporal ISO-8601", []string{OptTimestampFormat, "ISO-8601"}, func(t *testing.T) any { return temporal(t) },
			`{"d":"2020-12-30","t":"01:02:03","ts":"2020-12-30T12:13:14.123456789","at":"2020-12-30T12:13:14.123Z"}`},
		{"timestamp in a zone is written in UTC", nil, func(t *testing.T) any {
			return structOf(t, "ts TIMESTAMP(3)", "ts", time.Date(2020, 12, 30, 20, 0, 0, 0, time.FixedZone("CST", 8*3600)))
		}, `{"ts":"2020-12-30 12:00:00"}`},
		{"date with a time", nil, func(t *testing.T) any {
			return structOf(t, "d DATE", "d", ts)
		}, "err: Kafka Connect Date type should not have any time fields set to non-zero values. (at d)"},
		{"decimals scientific", nil, func(t *testing.T) any { return decimals(t) },
			`{"a":123.456789,"b":4.5462186404924617E+17,"c":2.7E-8,"d":1E+2,"e":-1.5,"f":0,"g":123456789012345678901234567890.1}`},
		{"decimals plain", []string{OptDecimalAsPlainNumber, "true"}, func(t *testing.T) any { return decimals(t) },
			`{"a":123.456789,"b":454621864049246170,"c":0.000000027,"d":100,"e":-1.5,"f":0,"g":123456789012345678901234567890.1}`},
		{"null fields", nil, func(t *testing.T) any { return structOf(t, "a INT, b STRING, c ARRAY<INT>", "b", "x") },
			`{"a":null,"b":"x","c":null}`},
		{"ignore null fields", []string{OptIgnoreNullFields, "true"}, func(t *testing.T) any {
			st := structOf(t, "a INT, b STRING, c ARRAY<INT>, r ROW<x INT, y INT>", "b", "x", "c", []any{nil})
			return st.MustPut("r", connect.NewStruct(st.Schema().Field("r").Schema).MustPut("y", int32(2)))
		}, `{"b":"x","c":[null],"r":{"y":2}}`},
		{"ignore null fields keeps defaults", []string{OptIgnoreNullFields, "true"}, func(*testing.T) any {
			s := connect.StructBuilder().Field("a", connect.NewSchemaBuilder(connect.TypeInt32).Optional().Default(int32(5)).MustBuild()).
				Field("b", connect.OptionalStringSchema).MustBuild()
			return connect.NewStruct(s)
		}, `{"a":5}`},
		{"map null key fails by default", nil, nullKeys,
			"err: JSON format doesn't support to serialize map data with null keys. You can drop null key entries or encode null in literals by specifying json.map-null-key.mode option."},
		{"map null key FAIL", []string{OptMapNullKeyMode, "FAIL"}, nullKeys, "err: null keys"},
		{"map null key DROP", []string{OptMapNullKeyMode, "drop"}, nullKeys, `{"a":2}`},
		{"map null key LITERAL", []string{OptMapNullKeyMode, "LITERAL"}, nullKeys, `{"a":2,"null":1}`},
		{"map null key LITERAL custom", []string{OptMapNullKeyMode, "LITERAL", OptMapNullKeyLiteral, " <null> "}, nullKeys, `{" <null> ":1,"a":2}`},
		{"map null key LITERAL taken", []string{OptMapNullKeyMode, "LITERAL", OptMapNullKeyLiteral, "a"}, nullKeys, `{"a":2}`},
		{"map with schema and a null key", []string{OptMapNullKeyMode, "LITERAL"}, func(t *testing.T) any {
			return structOf(t, "m MAP<STRING, INT>", "m", map[any]any{nil: int32(1), "b": nil})
		}, `{"m":{"b":null,"null":1}}`},
		{"map with int keys", nil, func(t *testing.T) any {
			return structOf(t, "m MAP<INT, STRING>", "m", map[any]any{int32(10): "b", int32(9): "a"})
		}, `{"m":{"10":"b","9":"a"}}`},
		{"floats", nil, func(t *testing.T) any {
			return structOf(t, "a DOUBLE, b DOUBLE, c FLOAT", "a", 1e-4, "b", 100.0, "c", float32(0.1))
		}, `{"a":1.0E-4,"b":100.0,"c":0.1}`},
		{"bytes", nil, func(t *testing.T) any { return structOf(t, "b BYTES", "b", []byte{1, 2, 3}) }, `{"b":"AQID"}`},
		{"top-level scalar", nil, func(*testing.T) any { return "x" }, `"x"`},
		{"value not fitting its schema", nil, func(t *testing.T) any {
			return map[string]any{"m": map[any]any{"k": func() {}}}
		}, "err: does not have corresponding schema type"},
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
			got := ""
			switch {
			case err != nil:
				got = "err: " + err.Error()
			case len(msgs) != 1:
				got = fmt.Sprintf("%d messages", len(msgs))
			default:
				got = string(msgs[0])
			}
			if !matches(got, tc.want) {
				t.Errorf("Encode\n got: %s\nwant: %s", got, tc.want)
			}
		})
	}
}

func TestFormatEncodeRows(t *testing.T) {
	c := jsonFormat(t)
	st := structOf(t, "a INT", "a", int32(1))
	msgs, err := c.enc.Encode([]formats.Row{
		{Op: formats.Insert, Schema: st.Schema(), Value: st},
		{Op: formats.UpdateBefore, Schema: st.Schema(), Value: structOf(t, "a INT", "a", int32(0))},
		{Op: formats.UpdateAfter, Schema: st.Schema(), Value: structOf(t, "a INT", "a", int32(2))},
		{Op: formats.Insert, Schema: st.Schema()},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		if m == nil {
			got = append(got, "<tombstone>")
			continue
		}
		got = append(got, string(m))
	}
	if want := `{"a":1} {"a":2} <tombstone>`; strings.Join(got, " ") != want {
		t.Errorf("Encode wrote %q, want %s", got, want)
	}
	for _, bad := range []formats.Row{
		{Op: formats.Delete, Schema: st.Schema(), Value: st},
		{Op: formats.Insert, DDL: "ALTER TABLE t ADD c INT"},
	} {
		if _, err := c.enc.Encode([]formats.Row{{Op: formats.Insert, Value: st, Schema: st.Schema()}, bad}); err == nil {
			t.Errorf("Encode accepted a %s row (DDL %q)", bad.Op, bad.DDL)
		} else if !strings.HasPrefix(err.Error(), "row 2: ") {
			t.Errorf("error %q does not name the row", err)
		}
	}
}

// TestFormatEncodeIntoSchema checks that with json.schema rows are written in that type,
// whatever schema they carry.
func TestFormatEncodeIntoSchema(t *testing.T) {
	c := jsonFormat(t, OptSchema, "id BIGINT NOT NULL, price DECIMAL(10,2), at TIMESTAMP_LTZ(3)")
	other := structOf(t, "price STRING, id INT NOT NULL, extra STRING", "id", int32(7), "price", "19.9", "extra", "x")
	for _, tc := range []struct {
		name string
		row  formats.Row
		want string
	}{
		{"struct of another schema", formats.Row{Schema: other.Schema(), Value: other}, `{"id":7,"price":19.9,"at":null}`},
		{"schemaless map", formats.Row{Value: map[string]any{"id": int64(8), "at": "2020-12-30 12:13:14+01:00"}},
			`{"id":8,"price":null,"at":"2020-12-30 11:13:14Z"}`},
		{"missing required", formats.Row{Value: map[string]any{"price": "1"}}, "err: the row does not fit json.schema"},
		{"price that does not fit", formats.Row{Value: map[string]any{"id": 1, "price": "1.234"}}, "err: without rounding"},
	} {
		msgs, err := c.enc.Encode([]formats.Row{tc.row})
		got := ""
		if err != nil {
			got = "err: " + err.Error()
		} else {
			got = string(msgs[0])
		}
		if !matches(got, tc.want) {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
	// Rows decoded by the same configuration go through without conversion.
	rows, err := c.dec.Decode([]byte(`{"id": 1, "price": 2, "at": "2020-12-30 12:13:14Z"}`))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		msgs, err := c.enc.Encode(rows)
		if err != nil || string(msgs[0]) != `{"id":1,"price":2,"at":"2020-12-30 12:13:14Z"}` {
			t.Errorf("re-encoding a decoded row: %s, %v", msgs, err)
		}
	}
}

func TestFormatEnvelopeMatchesKafka(t *testing.T) {
	kafka := converter(t, "decimal.format", "NUMERIC")
	c := jsonFormat(t, OptSchemasEnable, "true")
	st := benchRecord()
	want, err := kafka.FromConnectData("t", nil, benchSchema, st)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := c.enc.Encode([]formats.Row{{Schema: benchSchema, Value: st}})
	if err != nil {
		t.Fatal(err)
	}
	if string(msgs[0]) != string(want) {
		t.Errorf("envelope differs from Kafka's JsonConverter (decimal.format=NUMERIC)\n got: %s\nwant: %s", msgs[0], want)
	}
	sv, err := kafka.ToConnectData("t", nil, msgs[0])
	if err != nil || !connect.ValuesEqual(sv.Value, st) {
		t.Errorf("Kafka's JsonConverter reads back %v, %v; want %v", sv.Value, err, st)
	}

	// The options that make sense in Kafka's representation apply to it.
	c = jsonFormat(t, OptSchemasEnable, "true", OptDecimalAsPlainNumber, "true", OptIgnoreNullFields, "true",
		OptMapNullKeyMode, "LITERAL", OptMapNullKeyLiteral, "nil")
	s := connect.StructBuilder().
		Field("p", connect.DecimalSchema(9).MustBuild()).
		Field("n", connect.OptionalStringSchema).
		Field("m", connect.MapOf(connect.OptionalStringSchema, connect.Int32Schema).MustBuild()).
		MustBuild()
	v := connect.NewStruct(s).MustPut("p", dec(t, "0.000000027")).MustPut("m", map[any]any{nil: int32(1)})
	msgs, err = c.enc.Encode([]formats.Row{{Schema: s, Value: v}})
	if err != nil {
		t.Fatal(err)
	}
	wantPayload := `"payload":{"p":0.000000027,"m":{"nil":1}}}`
	if !strings.HasSuffix(string(msgs[0]), wantPayload) {
		t.Errorf("envelope %s does not end with %s", msgs[0], wantPayload)
	}
}

func TestFormatOptions(t *testing.T) {
	f, err := formats.Lookup(FormatName)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, k := range f.Options.Keys() {
		names = append(names, k.Name)
	}
	want := "json.schema,json.ignore-parse-errors,json.fail-on-missing-field,json.timestamp-format.standard," +
		"json.map-null-key.mode,json.map-null-key.literal,json.encode.decimal-as-plain-number," +
		"json.encode.ignore-null-fields,json.schemas.enable,json.decode.numbers-as-decimal"
	if got := strings.Join(names, ","); got != want {
		t.Errorf("options\n got: %s\nwant: %s", got, want)
	}
	for _, tc := range []struct {
		kv   []string
		want string
	}{
		{[]string{OptIgnoreParseErrors, "true", OptFailOnMissingField, "true"}, "json.fail-on-missing-field and json.ignore-parse-errors shouldn't both be true"},
		{[]string{OptTimestampFormat, "RFC3339"}, "json.timestamp-format.standard"},
		{[]string{OptMapNullKeyMode, "IGNORE"}, "json.map-null-key.mode"},
		{[]string{OptIgnoreNullFields, "sometimes"}, "json.encode.ignore-null-fields"},
		{[]string{OptSchema, "id BIGINT NOT NULL,"}, "json.schema: "},
		{[]string{OptSchema, "id WHATEVER"}, `json.schema: column id: at offset 3: unknown type "WHATEVER"`},
		{[]string{OptSchema, `{"type": "struct"}`}, `json.schema: schema JSON: Struct schema's "fields" argument is not an array.`},
		{[]string{OptSchema, `{"type": `}, `json.schema: schema JSON: unexpected end of input`},
	} {
		_, err := newJSONFormat(tc.kv...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("options %v: error %v, want one containing %q", tc.kv, err, tc.want)
		}
	}
	// Options work without their "json." prefix too, as converter settings do.
	c := jsonFormat(t, "ignore-parse-errors", "true")
	if got := decodeOne(c, "{"); got != "no rows" {
		t.Errorf("ignore-parse-errors without the prefix: %s", got)
	}
}

func TestParseRowSchema(t *testing.T) {
	s, err := ParseRowSchema("a TIMESTAMP(3), b TIMESTAMP_LTZ(6) NOT NULL, `c d` TIMESTAMP WITH LOCAL TIME ZONE, " +
		"timestamp_ltz TIMESTAMP(3) WITHOUT TIME ZONE, e ARRAY<TIMESTAMP_LTZ>, f MAP<STRING, ROW<g TIMESTAMP(3) WITH TIME ZONE, h INT>>, " +
		"`with` ROW(i TIMESTAMP_LTZ(3), `timestamp` TIMESTAMP)")
	if err != nil {
		t.Fatal(err)
	}
	ltz := func(path string, sch *connect.Schema) {
		t.Helper()
		if !IsLocalTimeZone(sch) {
			t.Errorf("%s: %s is not marked TIMESTAMP_LTZ", path, sch)
		}
	}
	plain := func(path string, sch *connect.Schema) {
		t.Helper()
		if sch.Name != connect.TimestampName || IsLocalTimeZone(sch) {
			t.Errorf("%s: %s is not a plain Timestamp", path, sch)
		}
	}
	plain("a", s.Field("a").Schema)
	ltz("b", s.Field("b").Schema)
	if s.Field("b").Schema.Optional {
		t.Error("b lost NOT NULL")
	}
	ltz("c d", s.Field("c d").Schema)
	plain("timestamp_ltz", s.Field("timestamp_ltz").Schema)
	ltz("e[]", s.Field("e").Schema.ValueSchema)
	row := s.Field("f").Schema.ValueSchema
	ltz("f.g", row.Field("g").Schema)
	if row.Field("h").Schema.Type != connect.TypeInt32 {
		t.Errorf("f.h is %s", row.Field("h").Schema)
	}
	ltz("with.i", s.Field("with").Schema.Field("i").Schema)
	plain("with.timestamp", s.Field("with").Schema.Field("timestamp").Schema)
	if err := s.Check(); err != nil {
		t.Errorf("marked schema is invalid: %v", err)
	}
	// The column list parses as formats.ParseColumns parses it, apart from the marks.
	base, _ := formats.ParseColumns("a INT, b DECIMAL(5,2)")
	got, _ := ParseRowSchema("a INT, b DECIMAL(5,2)")
	if got != nil && !got.Equal(base) || got == nil {
		t.Errorf("ParseRowSchema = %s, want %s", got, base)
	}
	if s, err := ParseRowSchema("  "); s != nil || err != nil {
		t.Errorf("blank schema = %v, %v", s, err)
	}
}

func TestDecimalText(t *testing.T) {
	big1 := new(big.Int)
	big1.SetString("-123456789012345678901234567890000", 10)
	for _, tc := range []struct {
		d                 connect.Decimal
		strip             bool
		toString, toPlain string
	}{
		// BigDecimal.toString and toPlainString, as Java prints them.
		{connect.NewDecimal(0, 2), false, "0.00", "0.00"},
		{connect.NewDecimal(0, -2), false, "0E+2", "0"},
		{connect.NewDecimal(0, 2), true, "0", "0"},
		{connect.NewDecimal(123, -2), false, "1.23E+4", "12300"},
		{connect.NewDecimal(1, 7), false, "1E-7", "0.0000001"},
		{connect.NewDecimal(1, 6), false, "0.000001", "0.000001"},
		{connect.NewDecimal(-123456, 3), false, "-123.456", "-123.456"},
		{connect.NewDecimal(10000, 2), true, "1E+2", "100"},
		{connect.NewDecimal(-150, 2), true, "-1.5", "-1.5"},
		{connect.NewDecimal(-9223372036854775808, 0), false, "-9223372036854775808", "-9223372036854775808"},
		{connect.NewDecimal(-9223372036854775808, 0), true, "-9223372036854775808", "-9223372036854775808"},
		{connect.NewDecimal(-9223372036854775000, 0), true, "-9.223372036854775E+18", "-9223372036854775000"},
		{connect.Decimal{Unscaled: big1, Scale: 4}, true, "-12345678901234567890123456789", "-12345678901234567890123456789"},
		{connect.Decimal{Unscaled: big1, Scale: 40}, true, "-1.2345678901234567890123456789E-8", "-0.000000012345678901234567890123456789"},
		{connect.NewDecimal(5, -20000), false, "5E+20000", "5E+20000"},
	} {
		if got := string(appendDecimalText(nil, tc.d, tc.strip, false)); got != tc.toString {
			t.Errorf("toString(%s, strip %v) = %s, want %s", tc.d.Unscaled, tc.strip, got, tc.toString)
		}
		if got := string(appendDecimalText(nil, tc.d, tc.strip, true)); got != tc.toPlain {
			t.Errorf("toPlainString(%s scale %d, strip %v) = %s, want %s", tc.d.Unscaled, tc.d.Scale, tc.strip, got, tc.toPlain)
		}
		if !tc.strip {
			if want := string(javaToString(tc.d)); want != tc.toString {
				t.Errorf("javatext writes %s, this table says %s", want, tc.toString)
			}
		}
	}
	// Without stripping, toString is javatext's BigDecimal.toString, for any unscaled value and
	// scale.
	r := rand.New(rand.NewPCG(4, 5))
	for range 2000 {
		u := new(big.Int).Rand(mrand.New(mrand.NewSource(r.Int64())), new(big.Int).Lsh(big.NewInt(1), uint(r.IntN(100)+1)))
		if r.IntN(2) == 0 {
			u.Neg(u)
		}
		d := connect.Decimal{Unscaled: u, Scale: int32(r.IntN(60) - 30)}
		if got, want := string(appendDecimalText(nil, d, false, false)), string(javaToString(d)); got != want {
			t.Fatalf("toString(%s scale %d) = %s, javatext writes %s", u, d.Scale, got, want)
		}
	}
	// The int64 path does not allocate.
	d := connect.NewDecimal(-1234500, 4)
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { buf = appendDecimalText(buf[:0], d, true, false) }); n != 0 {
		t.Errorf("appendDecimalText allocates %v times", n)
	}
}

func javaToString(d connect.Decimal) []byte {
	return NewEncoder(DefaultOptions()).numericDecimal(nil, d)
}

// TestConverterFace checks the `json` converter: value.converter=json with Flink's options, and
// that Kafka's JsonConverter keeps its names and behaviour.
func TestConverterFace(t *testing.T) {
	p, err := connect.LookupType("json", connect.PluginConverter)
	if err != nil {
		t.Fatal(err)
	}
	if p.Class != FormatConverterClass {
		t.Errorf("json is %s", p.Class)
	}
	for _, name := range []string{ConverterClass, "JsonConverter", "Json"} {
		if p, err := connect.LookupType(name, connect.PluginConverter); err != nil || p.Class != ConverterClass {
			t.Errorf("%s resolves to %s, %v; want Kafka's JsonConverter", name, p.Class, err)
		}
	}
	c := p.New().(connect.Converter)
	if err := c.Configure(map[string]string{"json.ignore-parse-errors": "true", "schema": "id BIGINT, ts TIMESTAMP(3)", "converter.type": "value"}, false); err != nil {
		t.Fatal(err)
	}
	sv, err := c.ToConnectData("topic", nil, []byte(`{"id": "5", "ts": "2020-12-30 12:13:14.5"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := describe(sv.Value), `struct{id=int64(5), ts=time(2020-12-30T12:13:14.5Z)}`; got != want || sv.Schema == nil {
		t.Errorf("ToConnectData = %s (schema %s), want %s", got, sv.Schema, want)
	}
	if sv, err := c.ToConnectData("topic", nil, []byte(`{"id": oops}`)); err != nil || sv.Value != nil {
		t.Errorf("a malformed message with ignore-parse-errors = %v, %v; want nothing", sv, err)
	}
	out, err := c.FromConnectData("topic", nil, sv.Schema, sv.Value)
	if err != nil || string(out) != `{"id":5,"ts":"2020-12-30 12:13:14.5"}` {
		t.Errorf("FromConnectData = %s, %v", out, err)
	}
	if out, err := c.FromConnectData("topic", nil, nil, nil); out != nil || err != nil {
		t.Errorf("tombstone = %q, %v", out, err)
	}
	strict := p.New().(connect.Converter)
	if err := strict.Configure(map[string]string{}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := strict.ToConnectData("topic", nil, []byte(`{"id": oops}`)); err == nil || !strings.Contains(err.Error(), "byte offset 7") {
		t.Errorf("malformed message: %v, want an error naming the offset", err)
	}
}
