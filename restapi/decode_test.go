package restapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestDecodeConfigBody(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		// want is the Java rendering of the result (keys in document order).
		want string
		err  string
	}{
		{name: "strings", in: `{"a":"x","b":""}`, want: "{a=x, b=}"},
		{name: "numbers as written", in: `{"i":1,"f":1.50,"e":1E3,"n":-0,"big":123456789012345678901234567890}`,
			want: "{i=1, f=1.50, e=1E3, n=-0, big=123456789012345678901234567890}"},
		{name: "booleans", in: `{"t":true,"f":false}`, want: "{t=true, f=false}"},
		{name: "null kept", in: `{"a":null}`, want: "{a=null}"},
		{name: "duplicate keeps first position, last value", in: `{"a":"1","b":"2","a":"3"}`, want: "{a=3, b=2}"},
		{name: "escapes", in: `{"k\u00e9y":"line\nbreak \"q\" \ud83d\ude00"}`, want: "{kéy=line\nbreak \"q\" 😀}"},
		{name: "empty object", in: ` { } `, want: "{}"},
		{name: "BOM", in: "\xEF\xBB\xBF{\"a\":1}", want: "{a=1}"},
		{name: "BOM shifts offsets", in: "\xEF\xBB\xBF{\"a\":{}}", err: "(at byte offset 8)"},
		{name: "nested object", in: `{"a":{"b":1}}`, err: "Cannot deserialize value of type `String` from Object value for configuration property \"a\" (at byte offset 5)"},
		{name: "nested array", in: `{"a":[1]}`, err: "from Array value for configuration property \"a\""},
		{name: "top-level string", in: `"x"`, err: "from String value: the request body must be a JSON object (at byte offset 0)"},
		{name: "top-level number", in: ` 5`, err: "from Number value: the request body must be a JSON object (at byte offset 1)"},
		{name: "top-level null", in: `null`, err: "Request body is JSON null; expected a JSON object"},
		{name: "empty", in: ``, err: "Request body is empty; expected a JSON object"},
		{name: "missing colon", in: `{"a" 1}`, err: "Malformed JSON in request body at byte offset 5: invalid character '1' after object key"},
		{name: "trailing comma", in: `{"a":1,}`, err: "Malformed JSON in request body at byte offset 7"},
		{name: "single quotes", in: `{'a':1}`, err: "Malformed JSON in request body at byte offset 1"},
		{name: "unterminated string", in: `{"a":"b`, err: "unexpected end of input at byte offset 7"},
		{name: "unclosed object", in: `{"a":"b"`, err: "unexpected end of input at byte offset 8"},
		{name: "trailing garbage", in: `{} x`, err: "unexpected data after the top-level JSON value at byte offset 3"},
		{name: "two objects", in: `{}{}`, err: "unexpected data after the top-level JSON value at byte offset 2"},
		{name: "bad escape", in: `{"a":"\x"}`, err: "Malformed JSON in request body at byte offset 7"},
		{name: "NaN", in: `{"a":NaN}`, err: "Malformed JSON in request body at byte offset 5"},
		{name: "invalid UTF-8", in: "{\"a\":\"\xc3\x28\"}", err: "not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := decodeConfigBody([]byte(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want it to contain %q", err, tc.err)
				}
				if e, ok := err.(*Error); !ok || e.Status != 500 {
					t.Errorf("want a 500 *Error, got %#v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.javaString(); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestDecodeCreateBody(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     string // fmt of name/config/state
		err      string
	}{
		{name: "full", in: `{"name":"n","config":{"a":1},"initial_state":"stopped"}`, want: "n {a=1} STOPPED"},
		{name: "minimal", in: `{"name":"n","config":{}}`, want: "n {} "},
		{name: "no name", in: `{"config":{}}`, want: "<nil> {} "},
		{name: "null name", in: `{"name":null,"config":{}}`, want: "<nil> {} "},
		{name: "boolean name", in: `{"name":true,"config":{}}`, want: "true {} "},
		{name: "later fields win", in: `{"name":"a","name":"b","config":{"x":"1"},"config":{"y":"2"},"initial_state":"paused","initial_state":null}`, want: "b {y=2} "},
		{name: "no config", in: `{"name":"n"}`, want: "n <nil> "},
		{name: "unicode upper-casing like Java", in: `{"config":{},"initial_state":"runnıng"}`, want: "<nil> {} RUNNING"},
		{name: "name object", in: `{"name":{},"config":{}}`, err: "Cannot deserialize value of type `String` from Object value for field \"name\" (at byte offset 8)"},
		{name: "bad state", in: `{"initial_state":"GO"}`, err: `invalid initial_state "GO" (at byte offset 17)`},
		{name: "empty state", in: `{"initial_state":""}`, err: `invalid initial_state ""`},
		{name: "unknown field first", in: `{"x":{"deeply":[1,2,{}]},"name":"n"}`, err: `Unrecognized field "x" (class CreateConnectorRequest), not marked as ignorable (3 known properties: "name", "config", "initial_state") (at byte offset 1)`},
		{name: "array", in: `[{"name":"n"}]`, err: "Cannot deserialize value of type `CreateConnectorRequest` from Array value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := decodeCreateBody([]byte(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want it to contain %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			name, cfg := "<nil>", "<nil>"
			if req.name != nil {
				name = *req.name
			}
			if req.config != nil {
				cfg = req.config.javaString()
			}
			if got := fmt.Sprintf("%s %s %s", name, cfg, req.initialState); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDecodeOffsetsBody(t *testing.T) {
	got, err := decodeOffsetsBody([]byte(`{"offsets":[
		{"partition":{"kafka_topic":"t","kafka_partition":2},"offset":{"kafka_offset":9223372036854775807}},
		{"offset":null,"partition":{"f":1.25,"big":9223372036854775808,"list":[1,"a",null,{"k":false}]}},
		{}
	]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := ConnectorOffsets{Offsets: []ConnectorOffset{
		{Partition: map[string]any{"kafka_topic": "t", "kafka_partition": int64(2)}, Offset: map[string]any{"kafka_offset": int64(9223372036854775807)}},
		{Partition: map[string]any{"f": 1.25, "big": 9223372036854775808.0, "list": []any{int64(1), "a", nil, map[string]any{"k": false}}}},
		{},
	}}
	if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
	// What the handler writes back must be the same JSON shape.
	b, _ := json.Marshal(got)
	if !strings.Contains(string(b), `"kafka_offset":9223372036854775807`) || !strings.Contains(string(b), `"offset":null`) {
		t.Errorf("re-encoded: %s", b)
	}

	for _, tc := range []struct{ in, err string }{
		{`{"offsets":[]}`, ""},
		{`{}`, ""},
		{`{"offsets":null}`, ""},
		{`{"offsets":"x"}`, "Cannot deserialize value of type `List<ConnectorOffset>` from String value"},
		{`{"offsets":[true]}`, "Cannot construct instance of `ConnectorOffset` from Boolean value (true)"},
		{`{"offsets":["` + strings.Repeat("s", 50) + `"]}`, `from String value ("` + strings.Repeat("s", 40) + `...")`},
		{`{"offsets":[{"partition":[]}]}`, "from Array value for offsets[0].partition (at byte offset 25)"},
		{`{"offsets":[{},{"offset":7}]}`, "from Number value for offsets[1].offset"},
		{`{"offsets":[{"Partition":{}}]}`, `Unrecognized field "Partition" (class ConnectorOffset)`},
		{`{"offsets":[{"partition":{"a":` + strings.Repeat("[", 1200) + strings.Repeat("]", 1200) + `}}]}`, "nesting depth exceeds the maximum of 1000"},
	} {
		got, err := decodeOffsetsBody([]byte(tc.in))
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.in, err)
		case tc.err == "" && len(got.Offsets) != 0:
			t.Errorf("%s: want no offsets, got %v", tc.in, got)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%.60s: error %v, want it to contain %q", tc.in, err, tc.err)
		}
	}
}
