package plain

import (
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

func isDataError(err error) bool {
	var de *connect.DataError
	return errors.As(err, &de)
}

// StringConverterTest.
func TestStringConverter(t *testing.T) {
	c := NewStringConverter()
	for _, tc := range []struct {
		schema *connect.Schema
		value  any
		want   []byte
	}{
		{connect.StringSchema, "a string", []byte("a string")},
		{connect.BooleanSchema, true, []byte("true")},
		{nil, true, []byte("true")}, // the schema is ignored
		{connect.OptionalStringSchema, nil, nil},
		{connect.Float64Schema, 1e7, []byte("1.0E7")},
	} {
		got, err := c.FromConnectData("topic", nil, tc.schema, tc.value)
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("FromConnectData(%v, %v) = %q, %v; want %q", tc.schema, tc.value, got, err, tc.want)
		}
	}
	sv, err := c.ToConnectData("topic", nil, []byte("a string"))
	if err != nil || sv.Schema != connect.OptionalStringSchema || sv.Value != "a string" {
		t.Errorf("ToConnectData = %v %v, %v", sv.Schema, sv.Value, err)
	}
	sv, err = c.ToConnectData("topic", nil, nil)
	if err != nil || sv.Schema != connect.OptionalStringSchema || sv.Value != nil {
		t.Errorf("ToConnectData(nil) = %v %v, %v; want an optional string schema and nil", sv.Schema, sv.Value, err)
	}
}

// testToBytesNonUtf8Encoding and testBytesToStringNonUtf8Encoding, and the other charsets.
func TestStringConverterEncodings(t *testing.T) {
	cases := []struct {
		encoding string
		text     string
		bytes    string // hex
		// read, when set, is what the bytes read back as (the text did not fit the charset).
		read string
	}{
		{"UTF-16", "a string", "feff006100200073007400720069006e0067", ""},
		{"utf16", "é😀", "feff00e9d83dde00", ""},
		{"UTF-16BE", "é😀", "00e9d83dde00", ""},
		{"UTF-16LE", "é😀", "e9003dd800de", ""},
		{"UTF8", "é😀", "c3a9f09f9880", ""},
		{"ISO-8859-1", "é€", "e93f", "é?"},
		{"latin1", "ÿ", "ff", ""},
		{"US-ASCII", "aé", "613f", "a?"},
		{"ascii", "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.encoding, func(t *testing.T) {
			c := NewStringConverter()
			if err := c.Configure(map[string]string{EncodingConfig: tc.encoding}, true); err != nil {
				t.Fatal(err)
			}
			got, err := c.FromConnectData("topic", nil, connect.StringSchema, tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(got) != tc.bytes {
				t.Errorf("%q encodes as %x, want %s", tc.text, got, tc.bytes)
			}
			raw, _ := hex.DecodeString(tc.bytes)
			sv, err := c.ToConnectData("topic", nil, raw)
			want := tc.text
			if tc.read != "" {
				want = tc.read
			}
			if err != nil || sv.Value != want {
				t.Errorf("%s reads as %q, %v; want %q", tc.bytes, sv.Value, err, want)
			}
		})
	}
	// Decoding details: a little-endian BOM, malformed UTF-16, bytes outside ASCII.
	for _, tc := range []struct{ encoding, hex, want string }{
		{"UTF-16", "fffe6100", "a"},
		{"UTF-16", "0061", "a"},
		{"UTF-16", "d800", "\uFFFD"},
		{"UTF-16", "006100", "a\uFFFD"},
		{"UTF-16BE", "feff0061", "\uFEFFa"},
		{"US-ASCII", "61ff", "a\uFFFD"},
	} {
		c := NewStringConverter()
		if err := c.Configure(map[string]string{EncodingConfig: tc.encoding}, false); err != nil {
			t.Fatal(err)
		}
		raw, _ := hex.DecodeString(tc.hex)
		if sv, _ := c.ToConnectData("topic", nil, raw); sv.Value != tc.want {
			t.Errorf("%s %s reads as %q, want %q", tc.encoding, tc.hex, sv.Value, tc.want)
		}
	}
	if err := NewStringConverter().Configure(map[string]string{EncodingConfig: "EBCDIC-XYZ"}, false); err == nil {
		t.Error("Configure accepted an unknown encoding")
	}
}

func TestJavaString(t *testing.T) {
	st := connect.StructBuilder().Field("a", connect.Int32Schema).Field("b", connect.OptionalStringSchema).Field("c", connect.Float64Schema).MustBuild()
	cases := []struct {
		in   any
		want string
	}{
		{"x", "x"},
		{int8(-5), "-5"},
		{int64(1234567890123), "1234567890123"},
		{float32(1.1), "1.1"},
		{1.0, "1.0"},
		{1e-5, "1.0E-5"},
		{connect.NewDecimal(1234, 10), "1.234E-7"},
		{connect.NewDecimal(156, 2), "1.56"},
		{true, "true"},
		{[]byte("raw"), "raw"},
		{time.UnixMilli(0).UTC(), "Thu Jan 01 00:00:00 UTC 1970"},
		{[]any{int32(1), "a", nil, 2.5}, "[1, a, null, 2.5]"},
		{map[string]any{"b": int32(2), "a": "x"}, "{a=x, b=2}"},
		{map[any]any{int32(2): "y", int32(1): "x"}, "{1=x, 2=y}"},
		{connect.NewStruct(st).MustPut("a", int32(1)).MustPut("c", 2.0), "Struct{a=1,c=2.0}"},
		{big.NewInt(7), "7"},
	}
	for _, tc := range cases {
		if got := JavaString(tc.in); got != tc.want {
			t.Errorf("JavaString(%#v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// ByteArrayConverterTest.
func TestByteArrayConverter(t *testing.T) {
	c := NewByteArrayConverter()
	sample := []byte("sample")
	for _, schema := range []*connect.Schema{connect.BytesSchema, connect.OptionalBytesSchema, nil} {
		got, err := c.FromConnectData("topic", nil, schema, sample)
		if err != nil || !bytes.Equal(got, sample) {
			t.Errorf("FromConnectData(%v) = %q, %v", schema, got, err)
		}
	}
	if got, err := c.FromConnectData("topic", nil, connect.BytesSchema, nil); got != nil || err != nil {
		t.Errorf("FromConnectData(nil) = %q, %v", got, err)
	}
	if _, err := c.FromConnectData("topic", nil, connect.Int32Schema, sample); !isDataError(err) || err.Error() != "Invalid schema type for ByteArrayConverter: INT32" {
		t.Errorf("INT32 schema: %v", err)
	}
	if _, err := c.FromConnectData("topic", nil, nil, int32(12)); !isDataError(err) || err.Error() != "ByteArrayConverter is not compatible with objects of type int32" {
		t.Errorf("int32 value: %v", err)
	}
	sv, err := c.ToConnectData("topic", nil, sample)
	if err != nil || sv.Schema != connect.OptionalBytesSchema || !bytes.Equal(sv.Value.([]byte), sample) {
		t.Errorf("ToConnectData = %v %v, %v", sv.Schema, sv.Value, err)
	}
	sv, err = c.ToConnectData("topic", nil, nil)
	if err != nil || sv.Schema != connect.OptionalBytesSchema || sv.Value != nil {
		t.Errorf("ToConnectData(nil) = %v %v, %v", sv.Schema, sv.Value, err)
	}
}

// numberCase runs NumberConverterTest's checks for one converter: the sample values convert to
// the serializer's bytes and back, as data and as headers.
type numberCase struct {
	name    string
	conv    connect.Converter
	header  connect.HeaderConverter
	schema  *connect.Schema
	samples []any
}

func numberCases() []numberCase {
	i, l, s, f, d, b := NewIntegerConverter(), NewLongConverter(), NewShortConverter(), NewFloatConverter(), NewDoubleConverter(), NewBooleanConverter()
	return []numberCase{
		{"integer", i, i.AsHeaderConverter(), connect.OptionalInt32Schema, []any{int32(math.MinInt32), int32(1234), int32(math.MaxInt32)}},
		{"long", l, l.AsHeaderConverter(), connect.OptionalInt64Schema, []any{int64(math.MinInt64), int64(1234), int64(math.MaxInt64)}},
		{"short", s, s.AsHeaderConverter(), connect.OptionalInt16Schema, []any{int16(math.MinInt16), int16(1234), int16(math.MaxInt16)}},
		{"float", f, f.AsHeaderConverter(), connect.OptionalFloat32Schema, []any{float32(math.SmallestNonzeroFloat32), float32(1234.31), float32(math.MaxFloat32)}},
		{"double", d, d.AsHeaderConverter(), connect.OptionalFloat64Schema, []any{math.SmallestNonzeroFloat64, 1234.31, math.MaxFloat64}},
		{"boolean", b, b.AsHeaderConverter(), connect.OptionalBooleanSchema, []any{true, false}},
	}
}

// TestNumberConverters checks the byte layouts against testdata/number_layouts.txt, which lists
// what Kafka's IntegerSerializer, LongSerializer, ShortSerializer, FloatSerializer,
// DoubleSerializer and BooleanSerializer write for NumberConverterTest's samples.
func TestNumberConverters(t *testing.T) {
	var layout bytes.Buffer
	for _, tc := range numberCases() {
		for _, sample := range tc.samples {
			data, err := tc.conv.FromConnectData("topic", nil, tc.schema, sample)
			if err != nil {
				t.Fatalf("%s: FromConnectData(%v): %v", tc.name, sample, err)
			}
			fmt.Fprintf(&layout, "%s %v %x\n", tc.name, sample, data)
			sv, err := tc.conv.ToConnectData("topic", nil, data)
			if err != nil || sv.Schema != tc.schema || sv.Value != sample {
				t.Errorf("%s: ToConnectData(%x) = %v %v, %v; want %v", tc.name, data, sv.Schema, sv.Value, err, sample)
			}
			hdata, err := tc.header.FromConnectHeader("topic", "header", tc.schema, sample)
			if err != nil || !bytes.Equal(hdata, data) {
				t.Errorf("%s: FromConnectHeader(%v) = %x, %v; want %x", tc.name, sample, hdata, err, data)
			}
			hsv, err := tc.header.ToConnectHeader("topic", "header", data)
			if err != nil || hsv.Schema != tc.schema || hsv.Value != sample {
				t.Errorf("%s: ToConnectHeader(%x) = %v, %v", tc.name, data, hsv.Value, err)
			}
		}
		// testNullToBytes and testBytesNullToNumber.
		if data, err := tc.conv.FromConnectData("topic", nil, tc.schema, nil); data != nil || err != nil {
			t.Errorf("%s: FromConnectData(nil) = %x, %v", tc.name, data, err)
		}
		if sv, err := tc.conv.ToConnectData("topic", nil, nil); err != nil || sv.Schema != tc.schema || sv.Value != nil {
			t.Errorf("%s: ToConnectData(nil) = %v %v, %v; want the schema and nil", tc.name, sv.Schema, sv.Value, err)
		}
	}
	golden(t, "number_layouts.txt", layout.Bytes())
}

func TestNumberConverterErrors(t *testing.T) {
	cases := []struct {
		conv connect.Converter
		data []byte
		want string
	}{
		{NewIntegerConverter(), []byte{1, 2, 3}, "Failed to deserialize integer: Size of data received by IntegerDeserializer is not 4"},
		{NewLongConverter(), []byte{1}, "Failed to deserialize long: Size of data received by LongDeserializer is not 8"},
		{NewShortConverter(), []byte{}, "Failed to deserialize short: Size of data received by ShortDeserializer is not 2"},
		{NewFloatConverter(), []byte{1, 2}, "Failed to deserialize float: Size of data received by Deserializer is not 4"},
		{NewDoubleConverter(), []byte{1, 2, 3, 4}, "Failed to deserialize double: Size of data received by Deserializer is not 8"},
		{NewBooleanConverter(), []byte{1, 0}, "Failed to deserialize boolean: Size of data received by BooleanDeserializer is not 1"},
		{NewBooleanConverter(), []byte{2}, "Failed to deserialize boolean: Unexpected byte received by BooleanDeserializer: 2"},
	}
	for _, tc := range cases {
		_, err := tc.conv.ToConnectData("topic", nil, tc.data)
		if !isDataError(err) || err.Error() != tc.want {
			t.Errorf("%T.ToConnectData(%x) = %v, want %q", tc.conv, tc.data, err, tc.want)
		}
	}
	for _, tc := range []struct {
		conv   connect.Converter
		schema *connect.Schema
		value  any
		want   string
	}{
		{NewIntegerConverter(), nil, int64(1), "Failed to serialize to integer (was int64)"},
		{NewDoubleConverter(), connect.Float64Schema, float32(1), "Failed to serialize to double (was float32)"},
		{NewBooleanConverter(), nil, "true", "BooleanConverter is not compatible with objects of type string"},
		{NewBooleanConverter(), connect.StringSchema, true, "Invalid schema type for BooleanConverter: STRING"},
	} {
		_, err := tc.conv.FromConnectData("topic", nil, tc.schema, tc.value)
		if !isDataError(err) || err.Error() != tc.want {
			t.Errorf("%T.FromConnectData(%v) = %v, want %q", tc.conv, tc.value, err, tc.want)
		}
	}
	// NaN keeps its bits, as floatToRawIntBits does.
	nan := math.Float64frombits(0x7ff8000000000abc)
	data, _ := NewDoubleConverter().FromConnectData("topic", nil, nil, nan)
	if hex.EncodeToString(data) != "7ff8000000000abc" {
		t.Errorf("NaN payload written as %x", data)
	}
}

func TestConfigure(t *testing.T) {
	for name, c := range map[string]connect.Converter{
		"string": NewStringConverter(), "bytes": NewByteArrayConverter(), "integer": NewIntegerConverter(), "boolean": NewBooleanConverter(),
	} {
		if err := c.Configure(map[string]string{"unrelated": "x"}, true); err != nil {
			t.Errorf("%s: Configure: %v", name, err)
		}
		if _, ok := c.ConfigDef().Key(ConverterTypeConfig); !ok {
			t.Errorf("%s: ConfigDef lacks %s", name, ConverterTypeConfig)
		}
	}
	h := NewStringConverter().AsHeaderConverter()
	if err := h.Configure(map[string]string{EncodingConfig: "UTF-16BE"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := h.FromConnectHeader("t", "k", nil, "a"); !bytes.Equal(got, []byte{0, 'a'}) {
		t.Errorf("header face ignores its configuration: %x", got)
	}
	if err := h.Configure(map[string]string{ConverterTypeConfig: "sideways"}); err == nil {
		t.Error("accepted an invalid converter.type")
	}
}

func TestRegistered(t *testing.T) {
	classes := map[string]connect.PluginType{
		StringConverterClass:       connect.PluginConverter,
		ByteArrayConverterClass:    connect.PluginConverter,
		IntegerConverterClass:      connect.PluginConverter,
		LongConverterClass:         connect.PluginConverter,
		ShortConverterClass:        connect.PluginConverter,
		FloatConverterClass:        connect.PluginConverter,
		DoubleConverterClass:       connect.PluginConverter,
		BooleanConverterClass:      connect.PluginConverter,
		SimpleHeaderConverterClass: connect.PluginHeaderConverter,
	}
	for class, typ := range classes {
		p, err := connect.LookupType(class, typ)
		if err != nil {
			t.Errorf("%s: %v", class, err)
			continue
		}
		if class != SimpleHeaderConverterClass {
			hp, err := connect.LookupType(class, connect.PluginHeaderConverter)
			if err != nil {
				t.Errorf("%s as a header converter: %v", class, err)
			} else if h, ok := hp.NewHeaderConverter(); !ok || h.Configure(map[string]string{}) != nil {
				t.Errorf("%s: no working header converter", class)
			}
		}
		simple := class[strings.LastIndexByte(class, '.')+1:]
		if q, err := connect.Lookup(simple); err != nil || q.Class != p.Class {
			t.Errorf("alias %s: %v, %v", simple, q.Class, err)
		}
	}
}
