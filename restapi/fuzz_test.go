package restapi

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRequestBodies feeds arbitrary bytes to the three body decoders and to
// every body-carrying endpoint. Properties:
//   - nothing panics (a recovered panic would show up as "Internal server error");
//   - every response is JSON with Content-Type application/json, and errors
//     carry error_code == status;
//   - a body that is not valid for an endpoint (checked independently with
//     encoding/json) never gets a 2xx;
//   - a config body the decoder accepts decodes to exactly what encoding/json
//     reads from it (numbers and booleans as their JSON text).
//
// Run with: go test -fuzz=FuzzRequestBodies ./restapi/
func FuzzRequestBodies(f *testing.F) {
	for _, seed := range []string{
		``, ` `, `null`, `[]`, `{}`, `"x"`, `5`, `{} x`, `{}{}`,
		`{"name":"n","config":{"connector.class":"org.example.ClickSource","tasks.max":1}}`,
		`{"name":" n ","config":{"connector.class":"x","name":" n "},"initial_state":"paused"}`,
		`{"name":"n","config":{"connector.class":"x","a":null},"initial_state":"bogus"}`,
		`{"name":"n","config":{"a":{"b":1}}}`,
		`{"name":"n","config":{"a":[1]}}`,
		`{"name":"n","config":null,"extra":1}`,
		`{"connector.class":"org.apache.kafka.connect.file.FileStreamSinkConnector","topics":null,"x":1.5e3,"y":true}`,
		`{"connector.class":"x","name":"other"}`,
		`{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":1}}]}`,
		`{"offsets":[{"partition":{"a":[1,{"b":null}]},"offset":null}]}`,
		`{"offsets":[123]}`, `{"offsets":{}}`, `{"key":[]}`, `{"offsets":[{"partition":[]]}]}`,
		`{"offsets":[{"partition":{"p":1e999}}]}`,
		"\xEF\xBB\xBF{\"a\":1}", "{\"a\":\"\xff\"}", `{"a":"\u0000\ud800"}`,
		`{"a":` + strings.Repeat("[", 1100) + strings.Repeat("]", 1100) + `}`,
		`{"offsets":[{"partition":{"a":` + strings.Repeat(`{"a":`, 1100) + `1` + strings.Repeat("}", 1100) + `}}]}`,
	} {
		f.Add([]byte(seed))
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		checkConfigDecoder(t, body)
		_, _ = decodeCreateBody(body)
		_, _ = decodeOffsetsBody(body)

		h := newTestHandler(fuzzHerder(), Options{})
		for _, ep := range []struct {
			method, path string
			valid        func([]byte) bool
		}{
			{"POST", "/connectors", validCreateBody},
			{"PUT", "/connectors/n/config", validConfigBody},
			{"PATCH", "/connectors/orders-sink/config", validConfigBody},
			{"PUT", "/connector-plugins/FileStreamSink/config/validate", validConfigBody},
			{"PATCH", "/connectors/orders-sink/offsets", validOffsetsBody},
		} {
			req := httptest.NewRequest(ep.method, ep.path, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Fatalf("%s %s: Content-Type %q", ep.method, ep.path, ct)
			}
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%s %s: invalid JSON response %q", ep.method, ep.path, rec.Body)
			}
			ok := rec.Code >= 200 && rec.Code < 300
			if !ok {
				var em ErrorMessage
				if err := json.Unmarshal(rec.Body.Bytes(), &em); err != nil || em.ErrorCode != rec.Code || em.Message == "" {
					t.Fatalf("%s %s: bad error body %q", ep.method, ep.path, rec.Body)
				}
				if strings.HasPrefix(em.Message, "Internal server error") {
					t.Fatalf("%s %s: panic: %s", ep.method, ep.path, em.Message)
				}
			}
			if ok && !ep.valid(body) {
				t.Fatalf("%s %s: %d for invalid body %q: %s", ep.method, ep.path, rec.Code, body, rec.Body)
			}
		}
	})
}

// fuzzHerder accepts everything it can: orders-sink is stopped so offsets
// can be altered, and the validation knows only the fake's keys.
func fuzzHerder() *fakeHerder {
	f := newFakeHerder()
	fixture(f)
	f.conns["orders-sink"].target = "STOPPED"
	return f
}

// checkConfigDecoder compares decodeConfigBody with encoding/json.
func checkConfigDecoder(t *testing.T, body []byte) {
	cfg, err := decodeConfigBody(body)
	if err != nil {
		if e, ok := err.(*Error); !ok || e.Status != 500 || e.Message == "" {
			t.Fatalf("decoder error is not a 500 *Error: %#v", err)
		}
		return
	}
	if !validConfigBody(body) {
		t.Fatalf("decoder accepted invalid config body %q", body)
	}
	want := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(body, utf8BOM)))
	dec.UseNumber()
	if err := dec.Decode(&want); err != nil {
		t.Fatalf("encoding/json rejects accepted body %q: %v", body, err)
	}
	if len(want) != len(cfg.values) || len(cfg.keys) != len(cfg.values) {
		t.Fatalf("key count: got %v (keys %q), want %v", cfg.values, cfg.keys, want)
	}
	for k, w := range want {
		g, ok := cfg.values[k]
		if !ok {
			t.Fatalf("missing key %q", k)
		}
		var ws *string
		switch w := w.(type) {
		case string:
			ws = &w
		case json.Number:
			s := string(w)
			ws = &s
		case bool:
			s := strconv.FormatBool(w)
			ws = &s
		case nil:
		default:
			t.Fatalf("accepted nested value for %q", k)
		}
		if (g == nil) != (ws == nil) || (g != nil && *g != *ws) {
			t.Fatalf("key %q: got %v, want %v", k, g, ws)
		}
	}
}

// jsonObject parses body (after a BOM) as a JSON object with exact-case keys;
// ok is false if it is not valid UTF-8 JSON whose top level is an object.
func jsonObject(body []byte) (map[string]json.RawMessage, bool) {
	body = bytes.TrimPrefix(body, utf8BOM)
	if !utf8.Valid(body) || !json.Valid(body) {
		return nil, false
	}
	if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, false
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, false
	}
	return m, true
}

func firstByte(raw json.RawMessage) byte {
	if b := bytes.TrimLeft(raw, " \t\r\n"); len(b) > 0 {
		return b[0]
	}
	return 0
}

func validConfigBody(body []byte) bool {
	m, ok := jsonObject(body)
	if !ok {
		return false
	}
	for _, v := range m {
		if c := firstByte(v); c == '{' || c == '[' {
			return false
		}
	}
	return true
}

func validCreateBody(body []byte) bool {
	m, ok := jsonObject(body)
	if !ok {
		return false
	}
	for k, v := range m {
		switch k {
		case "name":
			if c := firstByte(v); c == '{' || c == '[' {
				return false
			}
		case "config":
			if firstByte(v) != '{' || !validConfigBody(v) {
				return false
			}
		case "initial_state":
			var s *string
			if json.Unmarshal(v, &s) != nil {
				return false
			}
			if s != nil {
				if _, ok := parseInitialState(*s); !ok {
					return false
				}
			}
		default:
			return false
		}
	}
	_, hasConfig := m["config"]
	return hasConfig
}

func validOffsetsBody(body []byte) bool {
	m, ok := jsonObject(body)
	if !ok || len(m) != 1 {
		return false
	}
	var list []json.RawMessage
	if err := json.Unmarshal(m["offsets"], &list); err != nil || len(list) == 0 {
		return false
	}
	for _, e := range list {
		if firstByte(e) != '{' {
			return false
		}
		var entry map[string]json.RawMessage
		if json.Unmarshal(e, &entry) != nil {
			return false
		}
		for k, v := range entry {
			if k != "partition" && k != "offset" {
				return false
			}
			if c := firstByte(v); c != '{' && c != 'n' {
				return false
			}
		}
	}
	return true
}
