package restapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const failTrace = "org.apache.kafka.connect.errors.ConnectException: disk full\n\tat org.example.Task.put(Task.java:42)\n"

// fixture installs three connectors:
//   - orders-sink: sink, 2 tasks, task 1 FAILED with a trace, topics tracked
//   - clicks-src: source, 1 task
//   - "a/b c": source, STOPPED, no tasks (a name that needs escaping)
func fixture(f *fakeHerder) {
	c := f.addConnector("orders-sink", "sink", 2, map[string]string{
		"connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
		"topics":          "orders",
		"file":            "/tmp/o.txt",
		"tasks.max":       "2",
	})
	c.failed[1] = failTrace
	f.addConnector("clicks-src", "source", 1, map[string]string{
		"connector.class": "org.example.ClickSource",
		"tasks.max":       "1",
		"topic":           "clicks",
	})
	s := f.addConnector("a/b c", "source", 0, map[string]string{
		"connector.class": "org.example.ClickSource",
		"topic":           "<&>",
	})
	s.target = "STOPPED"
	f.topics["orders-sink"] = []string{"orders"}
}

func stopped(name string) func(*fakeHerder) {
	return func(f *fakeHerder) {
		fixture(f)
		f.conns[name].target = "STOPPED"
		f.conns[name].tasks = 0
	}
}

func errBody(code int, msg string) string {
	b, _ := marshalNoEscape(ErrorMessage{ErrorCode: code, Message: msg})
	return string(b)
}

type endpointCase struct {
	name   string
	setup  func(*fakeHerder) // default: fixture
	opts   Options
	method string
	path   string
	body   string
	// header overrides request headers; an empty value removes the header.
	// By default a request with a body has Content-Type: application/json.
	header map[string]string

	status int
	// want is the exact response body; "golden:<file>" compares with
	// testdata/<file> (JSON, compared compactly); "contains:<s>" checks an
	// error message substring.
	want     string
	location string
	check    func(t *testing.T, f *fakeHerder, rec *httptest.ResponseRecorder)
}

func newTestHandler(f *fakeHerder, opts Options) http.Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return NewHandler(f, opts)
}

func serve(h http.Handler, method, target, body string, header map[string]string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func runEndpointCases(t *testing.T, cases []endpointCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeHerder()
			if tc.setup != nil {
				tc.setup(f)
			} else {
				fixture(f)
			}
			rec := serve(newTestHandler(f, tc.opts), tc.method, tc.path, tc.body, tc.header)
			checkResponse(t, rec, tc.status, tc.want)
			if tc.location != "" || rec.Header().Get("Location") != "" {
				if got := rec.Header().Get("Location"); got != tc.location {
					t.Errorf("Location = %q, want %q", got, tc.location)
				}
			}
			if tc.check != nil {
				tc.check(t, f, rec)
			}
		})
	}
}

func checkResponse(t *testing.T, rec *httptest.ResponseRecorder, status int, want string) {
	t.Helper()
	body := rec.Body.String()
	if rec.Code != status {
		t.Fatalf("status = %d, want %d; body %s", rec.Code, status, body)
	}
	ct := rec.Header().Get("Content-Type")
	if want == "" {
		if body != "" || ct != "" {
			t.Fatalf("want no body and no Content-Type, got Content-Type %q body %q", ct, body)
		}
		return
	}
	if ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("response is not valid JSON: %s", body)
	}
	switch {
	case strings.HasPrefix(want, "golden:"):
		compareGolden(t, strings.TrimPrefix(want, "golden:"), rec.Body.Bytes())
	case strings.HasPrefix(want, "contains:"):
		var em ErrorMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &em); err != nil {
			t.Fatal(err)
		}
		if em.ErrorCode != status {
			t.Errorf("error_code = %d, want %d", em.ErrorCode, status)
		}
		if sub := strings.TrimPrefix(want, "contains:"); !strings.Contains(em.Message, sub) {
			t.Errorf("message %q does not contain %q", em.Message, sub)
		}
	default:
		if body != want {
			t.Errorf("body mismatch\n got: %s\nwant: %s", body, want)
		}
	}
}

// compareGolden compares got with testdata/name. Both are compacted first, so
// the golden files can be indented; key order is compared too (Go's output is
// deterministic). Run with -update to rewrite them.
func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		var buf bytes.Buffer
		if err := json.Indent(&buf, got, "", "  "); err != nil {
			t.Fatal(err)
		}
		buf.WriteByte('\n')
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	var wantC, gotC bytes.Buffer
	if err := json.Compact(&wantC, want); err != nil {
		t.Fatalf("golden %s: %v", name, err)
	}
	if err := json.Compact(&gotC, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(wantC.Bytes(), gotC.Bytes()) {
		t.Errorf("response differs from %s\n got: %s\nwant: %s", path, gotC.String(), wantC.String())
	}
}

func wantCalls(t *testing.T, f *fakeHerder, want ...string) {
	t.Helper()
	got := f.callLog()
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("herder calls = %q, want %q", got, want)
	}
}

func TestRootAndHealth(t *testing.T) {
	runEndpointCases(t, []endpointCase{
		{name: "server info", method: "GET", path: "/", status: 200, want: "golden:server_info.json"},
		{name: "server info error", method: "GET", path: "/", status: 500, want: errBody(500, "Worker is shutting down"),
			setup: func(f *fakeHerder) { f.errs["ServerInfo"] = errors.New("Worker is shutting down") }},
		{name: "health ok", method: "GET", path: "/health", status: 200,
			want: `{"status":"healthy","message":"Worker has completed startup and is ready to handle requests."}`},
		{name: "health starting 503", method: "GET", path: "/health", status: 503,
			want: `{"status":"starting","message":"Worker is still starting up."}`,
			setup: func(f *fakeHerder) {
				f.health = func(context.Context) (WorkerStatus, int) {
					return WorkerStatus{Status: "starting", Message: "Worker is still starting up."}, 503
				}
			}},
		{name: "health herder unresponsive", method: "GET", path: "/health", status: 500,
			opts: Options{HealthCheckTimeout: 20 * time.Millisecond},
			want: `{"status":"unhealthy","message":"Worker was unable to handle this request and may be unable to handle other requests."}`,
			setup: func(f *fakeHerder) {
				f.health = func(ctx context.Context) (WorkerStatus, int) {
					time.Sleep(2 * time.Second) // ignores ctx
					return WorkerStatus{Status: "healthy"}, 200
				}
			}},
		{name: "health herder answers at its deadline", method: "GET", path: "/health", status: 503,
			opts: Options{HealthCheckTimeout: 20 * time.Millisecond},
			want: `{"status":"starting","message":"Worker is still starting up. The worker is currently reading to the end of internal topics."}`,
			setup: func(f *fakeHerder) {
				f.health = func(ctx context.Context) (WorkerStatus, int) {
					<-ctx.Done()
					return WorkerStatus{Status: "starting", Message: "Worker is still starting up. The worker is currently reading to the end of internal topics."}, 503
				}
			}},
		{name: "health panics", method: "GET", path: "/health", status: 500, want: `{"status":"unhealthy","message":"Health check failed: injected panic in Health"}`,
			setup: func(f *fakeHerder) { f.panics["Health"] = true }},
		{name: "health trailing slash", method: "GET", path: "/health/", status: 200,
			want: `{"status":"healthy","message":"Worker has completed startup and is ready to handle requests."}`},
	})
}

func TestListConnectors(t *testing.T) {
	runEndpointCases(t, []endpointCase{
		{name: "names", method: "GET", path: "/connectors", status: 200, want: `["a/b c","clicks-src","orders-sink"]`},
		{name: "trailing slash", method: "GET", path: "/connectors/", status: 200, want: `["a/b c","clicks-src","orders-sink"]`},
		{name: "empty is []", method: "GET", path: "/connectors", status: 200, want: `[]`, setup: func(*fakeHerder) {}},
		{name: "expand status", method: "GET", path: "/connectors?expand=status", status: 200, want: "golden:expand_status.json"},
		{name: "expand info", method: "GET", path: "/connectors?expand=info", status: 200, want: "golden:expand_info.json"},
		{name: "expand status and info", method: "GET", path: "/connectors?expand=status&expand=info", status: 200, want: "golden:expand_status_info.json"},
		{name: "expand unknown value gives {}", method: "GET", path: "/connectors?expand=bogus", status: 200,
			want: `{"a/b c":{},"clicks-src":{},"orders-sink":{}}`},
		{name: "expand is case-sensitive", method: "GET", path: "/connectors?expand=STATUS", status: 200,
			want: `{"a/b c":{},"clicks-src":{},"orders-sink":{}}`},
		{name: "expand without value", method: "GET", path: "/connectors?expand", status: 200,
			want: `{"a/b c":{},"clicks-src":{},"orders-sink":{}}`},
		{name: "expand with no connectors", method: "GET", path: "/connectors?expand=status", status: 200, want: `{}`, setup: func(*fakeHerder) {}},
		{name: "expand omits connector whose status is gone", method: "GET", path: "/connectors?expand=info&expand=status", status: 200,
			setup: func(f *fakeHerder) {
				fixture(f)
				f.errs["ConnectorStatus orders-sink"] = NotFound("No status found for connector orders-sink")
			},
			check: func(t *testing.T, _ *fakeHerder, rec *httptest.ResponseRecorder) {
				var m map[string]map[string]json.RawMessage
				if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
					t.Fatal(err)
				}
				if _, ok := m["orders-sink"]; ok || len(m) != 2 {
					t.Errorf("orders-sink should be omitted: %s", rec.Body)
				}
			},
			want: "golden:expand_omitted.json"},
		{name: "expand fails on other errors", method: "GET", path: "/connectors?expand=status", status: 500,
			want: errBody(500, "status store unavailable"),
			setup: func(f *fakeHerder) {
				fixture(f)
				f.errs["ConnectorStatus clicks-src"] = errors.New("status store unavailable")
			}},
		{name: "listing error", method: "GET", path: "/connectors", status: 409,
			want: errBody(409, "Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)"),
			setup: func(f *fakeHerder) {
				f.errs["Connectors"] = Conflict("Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)")
			}},
	})
}

func TestCreateConnector(t *testing.T) {
	const src = `{"name":"new-src","config":{"connector.class":"org.example.ClickSource","tasks.max":1,"batch":true,"ratio":1.50,"big":12345678901234567890,"html":"<a&b>"}}`
	runEndpointCases(t, []endpointCase{
		{name: "created", method: "POST", path: "/connectors", body: src, status: 201,
			want: "golden:create_response.json", location: "http://example.com/connectors/new-src",
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				want := putCall{name: "new-src", createOnly: true, config: map[string]string{
					"connector.class": "org.example.ClickSource", "tasks.max": "1", "batch": "true", "ratio": "1.50",
					"big": "12345678901234567890", "html": "<a&b>", "name": "new-src"}}
				if fmt.Sprint(f.lastPut) != fmt.Sprint(want) {
					t.Errorf("PutConnectorConfig got %+v, want %+v", f.lastPut, want)
				}
			}},
		{name: "trailing slash", method: "POST", path: "/connectors/", body: src, status: 201,
			want: "golden:create_response.json", location: "http://example.com/connectors/new-src"},
		{name: "name is trimmed like Java", method: "POST", path: "/connectors", status: 201,
			body:     "{\"name\":\" \\t\\u0001spaced\\n \",\"config\":{\"connector.class\":\"org.example.ClickSource\"}}",
			want:     `{"name":"spaced","config":{"connector.class":"org.example.ClickSource","name":"spaced"},"tasks":[{"connector":"spaced","task":0}],"type":"source"}`,
			location: "http://example.com/connectors/spaced"},
		{name: "name needing escapes", method: "POST", path: "/connectors", status: 201,
			body:     `{"name":"a/b?c d%e","config":{"connector.class":"org.example.ClickSource","tasks.max":"0"}}`,
			want:     `{"name":"a/b?c d%e","config":{"connector.class":"org.example.ClickSource","name":"a/b?c d%e","tasks.max":"0"},"tasks":[],"type":"source"}`,
			location: "http://example.com/connectors/a%2Fb%3Fc%20d%25e"},
		{name: "numeric name is coerced", method: "POST", path: "/connectors", status: 201,
			body:     `{"name":42,"config":{"connector.class":"org.example.ClickSource","tasks.max":"0"}}`,
			want:     `{"name":"42","config":{"connector.class":"org.example.ClickSource","name":"42","tasks.max":"0"},"tasks":[],"type":"source"}`,
			location: "http://example.com/connectors/42"},
		{name: "initial_state paused (any case)", method: "POST", path: "/connectors", status: 201,
			body:     `{"name":"p","config":{"connector.class":"org.example.ClickSource"},"initial_state":"paused"}`,
			want:     `{"name":"p","config":{"connector.class":"org.example.ClickSource","name":"p"},"tasks":[],"type":"source"}`,
			location: "http://example.com/connectors/p",
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				if f.lastPut.initialState != "PAUSED" {
					t.Errorf("initialState = %q", f.lastPut.initialState)
				}
			}},
		{name: "initial_state Stopped", method: "POST", path: "/connectors", status: 201,
			body:     `{"name":"p","config":{"connector.class":"org.example.ClickSource"},"initial_state":"Stopped"}`,
			want:     `{"name":"p","config":{"connector.class":"org.example.ClickSource","name":"p"},"tasks":[],"type":"source"}`,
			location: "http://example.com/connectors/p",
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				if f.lastPut.initialState != "STOPPED" {
					t.Errorf("initialState = %q", f.lastPut.initialState)
				}
			}},
		{name: "initial_state RUNNING", method: "POST", path: "/connectors", status: 201,
			body:     `{"name":"p","config":{"connector.class":"org.example.ClickSource","tasks.max":"0"},"initial_state":"RUNNING"}`,
			want:     `{"name":"p","config":{"connector.class":"org.example.ClickSource","name":"p","tasks.max":"0"},"tasks":[],"type":"source"}`,
			location: "http://example.com/connectors/p",
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				if f.lastPut.initialState != "RUNNING" {
					t.Errorf("initialState = %q", f.lastPut.initialState)
				}
			}},
		{name: "initial_state null means default", method: "POST", path: "/connectors", status: 201,
			body:     `{"name":"p","config":{"connector.class":"org.example.ClickSource","tasks.max":"0"},"initial_state":null}`,
			want:     `{"name":"p","config":{"connector.class":"org.example.ClickSource","name":"p","tasks.max":"0"},"tasks":[],"type":"source"}`,
			location: "http://example.com/connectors/p"},
		{name: "initial_state invalid", method: "POST", path: "/connectors", status: 500,
			body: `{"name":"p","config":{"connector.class":"org.example.ClickSource"},"initial_state":"running-ish"}`,
			want: errBody(500, "Cannot construct instance of `InitialState`, problem: invalid initial_state \"running-ish\" (at byte offset 83): expected one of RUNNING, PAUSED, STOPPED (case-insensitive)"),
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				wantCalls(t, f)
			}},
		{name: "initial_state number", method: "POST", path: "/connectors", status: 500,
			body: `{"name":"p","config":{"connector.class":"org.example.ClickSource"},"initial_state":1}`,
			want: `contains:invalid initial_state "1"`},
		{name: "initial_state object", method: "POST", path: "/connectors", status: 500,
			body: `{"name":"p","config":{"connector.class":"org.example.ClickSource"},"initial_state":{}}`,
			want: "contains:Cannot deserialize value of type `InitialState` from Object value"},
		{name: "already exists", method: "POST", path: "/connectors", status: 409,
			body: `{"name":"orders-sink","config":{"connector.class":"org.apache.kafka.connect.file.FileStreamSinkConnector","topics":"t"}}`,
			want: errBody(409, "Connector orders-sink already exists")},
		{name: "name mismatch", method: "POST", path: "/connectors", status: 400,
			body: `{"name":"new-src","config":{"connector.class":"org.example.ClickSource","name":"other"}}`,
			want: errBody(400, "Connector name configuration (other) doesn't match connector name in the URL (new-src)"),
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				wantCalls(t, f)
			}},
		{name: "name compared after trimming", method: "POST", path: "/connectors", status: 400,
			body: `{"name":" x ","config":{"connector.class":"org.example.ClickSource","name":" x "}}`,
			want: errBody(400, "Connector name configuration ( x ) doesn't match connector name in the URL (x)")},
		{name: "config name null is replaced", method: "POST", path: "/connectors", status: 201,
			body:     `{"name":"n","config":{"name":null,"connector.class":"org.example.ClickSource","tasks.max":"0"}}`,
			want:     `{"name":"n","config":{"connector.class":"org.example.ClickSource","name":"n","tasks.max":"0"},"tasks":[],"type":"source"}`,
			location: "http://example.com/connectors/n"},
		{name: "missing name fails validation", method: "POST", path: "/connectors", status: 400,
			body: `{"config":{"connector.class":"org.example.ClickSource"}}`,
			want: errBody(400, "Connector configuration is invalid and contains the following 1 error(s):\nInvalid value  for configuration name: String must be non-empty\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`")},
		{name: "missing connector.class", method: "POST", path: "/connectors", status: 400,
			body: `{"name":"n","config":{"tasks.max":1,"file":null}}`,
			want: errBody(400, "Connector config {tasks.max=1, file=null, name=n} contains no connector type"),
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				wantCalls(t, f)
			}},
		{name: "null connector.class", method: "POST", path: "/connectors", status: 400,
			body: `{"name":"n","config":{"connector.class":null}}`,
			want: errBody(400, "Connector config {connector.class=null, name=n} contains no connector type")},
		{name: "invalid config", method: "POST", path: "/connectors", status: 400,
			body: `{"name":"n","config":{"connector.class":"org.example.ClickSource","tasks.max":"many"}}`,
			want: errBody(400, "Connector configuration is invalid and contains the following 1 error(s):\nInvalid value many for configuration tasks.max: Not a number of type INT\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`")},
		{name: "null value is a validation error listed with the others", method: "POST", path: "/connectors", status: 400,
			body: `{"name":"s","config":{"connector.class":"org.apache.kafka.connect.file.FileStreamSinkConnector","topics":null,"tasks.max":"x","other":null}}`,
			want: errBody(400, "Connector configuration is invalid and contains the following 4 error(s):\n"+
				"Invalid value x for configuration tasks.max: Not a number of type INT\n"+
				"Must configure one of topics or topics.regex\n"+
				"Null value can not be supplied as the configuration value.\n"+
				"Null value can not be supplied as the configuration value.\n"+
				"You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"),
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				wantCalls(t, f, "ValidateConfig org.apache.kafka.connect.file.FileStreamSinkConnector")
				if _, ok := f.lastValidate.config["topics"]; ok {
					t.Errorf("null key passed to ValidateConfig: %v", f.lastValidate.config)
				}
				if f.lastValidate.config["name"] != "s" {
					t.Errorf("name not set for validation: %v", f.lastValidate.config)
				}
			}},
		{name: "single null value", method: "POST", path: "/connectors", status: 400,
			body: `{"name":"s","config":{"connector.class":"org.example.ClickSource","file":null}}`,
			want: errBody(400, "Connector configuration is invalid and contains the following 1 error(s):\nNull value can not be supplied as the configuration value.\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`")},
		{name: "validation call fails", method: "POST", path: "/connectors", status: 500,
			body: `{"name":"s","config":{"connector.class":"NoSuchClass","file":null}}`,
			setup: func(f *fakeHerder) {
				f.errs["ValidateConfig"] = errors.New("Failed to find any class that implements Connector and which name matches NoSuchClass")
			},
			want: errBody(500, "Failed to find any class that implements Connector and which name matches NoSuchClass")},
		{name: "nested object value", method: "POST", path: "/connectors", status: 500,
			body: `{"name":"n","config":{"connector.class":"org.example.ClickSource","transforms":{"a":"b"}}}`,
			want: errBody(500, "Cannot deserialize value of type `String` from Object value for configuration property \"transforms\" (at byte offset 79): configuration values must be strings, numbers, booleans or null")},
		{name: "array value", method: "POST", path: "/connectors", status: 500,
			body: `{"name":"n","config":{"topics":["a","b"]}}`,
			want: `contains:Cannot deserialize value of type ` + "`String`" + ` from Array value for configuration property "topics"`},
		{name: "config is not an object", method: "POST", path: "/connectors", status: 500,
			body: `{"name":"n","config":"connector.class=x"}`,
			want: "contains:Cannot deserialize value of type `Map<String,String>` from String value: field \"config\" must be a JSON object"},
		{name: "missing config", method: "POST", path: "/connectors", status: 500,
			body: `{"name":"n"}`,
			want: errBody(500, `Cannot create connector "n": the request body has no "config" object`)},
		{name: "null config", method: "POST", path: "/connectors", status: 500,
			body: `{"name":"n","config":null}`,
			want: errBody(500, `Cannot create connector "n": the request body has no "config" object`)},
		{name: "unknown field", method: "POST", path: "/connectors", status: 500,
			body: `{"name":"n","config":{},"tasks":[]}`,
			want: errBody(500, `Unrecognized field "tasks" (class CreateConnectorRequest), not marked as ignorable (3 known properties: "name", "config", "initial_state") (at byte offset 24)`)},
		{name: "field names are case-sensitive", method: "POST", path: "/connectors", status: 500,
			body: `{"Name":"n","config":{}}`, want: `contains:Unrecognized field "Name"`},
		{name: "malformed JSON", method: "POST", path: "/connectors", status: 500,
			body: `{"name":"n","config":{"a":"b",}}`,
			want: errBody(500, "Malformed JSON in request body at byte offset 30: invalid character '}' looking for beginning of object key string")},
		{name: "truncated JSON", method: "POST", path: "/connectors", status: 500,
			body: `{"name":"n","config":{"a":`,
			want: errBody(500, "Malformed JSON in request body: unexpected end of input at byte offset 26")},
		{name: "trailing data", method: "POST", path: "/connectors", status: 500,
			body: `{"name":"n","config":{"connector.class":"org.example.ClickSource"}} {"name":"m"}`,
			want: errBody(500, "Malformed JSON in request body: unexpected data after the top-level JSON value at byte offset 68")},
		{name: "empty body", method: "POST", path: "/connectors", status: 500,
			header: map[string]string{"Content-Type": "application/json"},
			want:   errBody(500, "Request body is empty; expected a JSON object")},
		{name: "whitespace body", method: "POST", path: "/connectors", status: 500, body: " \n\t",
			want: errBody(500, "Request body is empty; expected a JSON object")},
		{name: "null body", method: "POST", path: "/connectors", status: 500, body: `null`,
			want: errBody(500, "Request body is JSON null; expected a JSON object")},
		{name: "array body", method: "POST", path: "/connectors", status: 500, body: `[]`,
			want: "contains:Cannot deserialize value of type `CreateConnectorRequest` from Array value"},
		{name: "invalid UTF-8", method: "POST", path: "/connectors", status: 500, body: "{\"name\":\"\xff\",\"config\":{}}",
			want: errBody(500, "Cannot read request body: it is not valid UTF-8")},
		{name: "byte order mark is skipped", method: "POST", path: "/connectors", status: 201,
			body:     "\xEF\xBB\xBF" + `{"name":"p","config":{"connector.class":"org.example.ClickSource","tasks.max":"0"}}`,
			want:     `{"name":"p","config":{"connector.class":"org.example.ClickSource","name":"p","tasks.max":"0"},"tasks":[],"type":"source"}`,
			location: "http://example.com/connectors/p"},
		{name: "deep nesting", method: "POST", path: "/connectors", status: 500,
			body: `{"x":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`,
			want: `contains:Unrecognized field "x"`},
		{name: "wrong content type", method: "POST", path: "/connectors", body: src, status: 415,
			header: map[string]string{"Content-Type": "text/plain"},
			want:   errBody(415, "HTTP 415 Unsupported Media Type"),
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				wantCalls(t, f)
			}},
		{name: "unparsable content type", method: "POST", path: "/connectors", body: src, status: 415,
			header: map[string]string{"Content-Type": "application/json; charset"},
			want:   errBody(415, "HTTP 415 Unsupported Media Type")},
		{name: "json with charset", method: "POST", path: "/connectors", body: src, status: 201,
			header: map[string]string{"Content-Type": "application/json; charset=UTF-8"},
			want:   "golden:create_response.json", location: "http://example.com/connectors/new-src"},
		{name: "no content type is refused", method: "POST", path: "/connectors", body: src, status: 415,
			header: map[string]string{"Content-Type": ""},
			want:   errBody(415, "HTTP 415 Unsupported Media Type"),
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				wantCalls(t, f)
			}},
		{name: "form content type is refused", method: "POST", path: "/connectors", body: src, status: 415,
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			want:   errBody(415, "HTTP 415 Unsupported Media Type"),
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				wantCalls(t, f)
			}},
		{name: "no content type and no body is refused", method: "POST", path: "/connectors", status: 415,
			want: errBody(415, "HTTP 415 Unsupported Media Type")},
		{name: "wildcard content type", method: "POST", path: "/connectors", body: src, status: 201,
			header: map[string]string{"Content-Type": "*/*"},
			want:   "golden:create_response.json", location: "http://example.com/connectors/new-src"},
		{name: "body too large", method: "POST", path: "/connectors", status: 413,
			body: `{"name":"` + strings.Repeat("x", maxBodyBytes) + `"}`,
			want: errBody(413, "Request body is larger than the limit of 33554432 bytes")},
	})
}

func TestConnectorInfoAndConfig(t *testing.T) {
	runEndpointCases(t, []endpointCase{
		{name: "info", method: "GET", path: "/connectors/orders-sink", status: 200, want: "golden:connector_info.json"},
		{name: "info trailing slash", method: "GET", path: "/connectors/orders-sink/", status: 200, want: "golden:connector_info.json"},
		{name: "info encoded name", method: "GET", path: "/connectors/a%2Fb%20c", status: 200,
			want: `{"name":"a/b c","config":{"connector.class":"org.example.ClickSource","name":"a/b c","topic":"<&>"},"tasks":[],"type":"source"}`},
		{name: "info plus is literal", method: "GET", path: "/connectors/a+b", status: 404, want: errBody(404, "Connector a+b not found")},
		{name: "info unknown", method: "GET", path: "/connectors/nope", status: 404, want: errBody(404, "Connector nope not found")},
		{name: "info rebalance", method: "GET", path: "/connectors/orders-sink", status: 500,
			setup: func(f *fakeHerder) {
				f.errs["ConnectorInfo"] = errors.New("Request cannot be completed because a rebalance is expected")
			},
			want: errBody(500, "Request cannot be completed because a rebalance is expected")},
		{name: "config", method: "GET", path: "/connectors/orders-sink/config", status: 200,
			want: `{"connector.class":"org.apache.kafka.connect.file.FileStreamSinkConnector","file":"/tmp/o.txt","name":"orders-sink","tasks.max":"2","topics":"orders"}`},
		{name: "config unknown", method: "GET", path: "/connectors/nope/config", status: 404, want: errBody(404, "Connector nope not found")},
		{name: "empty path segment", method: "GET", path: "/connectors//config", status: 404, want: errBody(404, "HTTP 404 Not Found")},
	})
}

func TestPutConnectorConfig(t *testing.T) {
	runEndpointCases(t, []endpointCase{
		{name: "create", method: "PUT", path: "/connectors/new-src/config", status: 201,
			body:     `{"connector.class":"org.example.ClickSource","tasks.max":2}`,
			want:     `{"name":"new-src","config":{"connector.class":"org.example.ClickSource","name":"new-src","tasks.max":"2"},"tasks":[{"connector":"new-src","task":0},{"connector":"new-src","task":1}],"type":"source"}`,
			location: "http://example.com/connectors/new-src",
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				if f.lastPut.createOnly || f.lastPut.initialState != "" {
					t.Errorf("PUT must not be createOnly and has no initial state: %+v", f.lastPut)
				}
			}},
		{name: "update", method: "PUT", path: "/connectors/clicks-src/config", status: 200,
			body: `{"connector.class":"org.example.ClickSource","tasks.max":"1","topic":"clicks2","name":"clicks-src"}`,
			want: `{"name":"clicks-src","config":{"connector.class":"org.example.ClickSource","name":"clicks-src","tasks.max":"1","topic":"clicks2"},"tasks":[{"connector":"clicks-src","task":0}],"type":"source"}`},
		{name: "create with encoded name", method: "PUT", path: "/connectors/x%2Fy/config", status: 201,
			body:     `{"connector.class":"org.example.ClickSource","tasks.max":0}`,
			want:     `{"name":"x/y","config":{"connector.class":"org.example.ClickSource","name":"x/y","tasks.max":"0"},"tasks":[],"type":"source"}`,
			location: "http://example.com/connectors/x%2Fy"},
		{name: "URL name is not trimmed", method: "PUT", path: "/connectors/%20x/config", status: 400,
			body: `{"connector.class":"org.example.ClickSource","name":"x"}`,
			want: errBody(400, "Connector name configuration (x) doesn't match connector name in the URL ( x)")},
		{name: "name mismatch", method: "PUT", path: "/connectors/clicks-src/config", status: 400,
			body: `{"connector.class":"org.example.ClickSource","name":"other"}`,
			want: errBody(400, "Connector name configuration (other) doesn't match connector name in the URL (clicks-src)")},
		{name: "missing connector.class", method: "PUT", path: "/connectors/clicks-src/config", status: 400,
			body: `{"topic":"t"}`,
			want: errBody(400, "Connector config {topic=t, name=clicks-src} contains no connector type")},
		{name: "invalid", method: "PUT", path: "/connectors/clicks-src/config", status: 400,
			body: `{"connector.class":"org.example.ClickSource","tasks.max":"-"}`,
			want: errBody(400, "Connector configuration is invalid and contains the following 1 error(s):\nInvalid value - for configuration tasks.max: Not a number of type INT\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`")},
		{name: "null value", method: "PUT", path: "/connectors/clicks-src/config", status: 400,
			body: `{"connector.class":"org.example.ClickSource","topic":null}`,
			want: errBody(400, "Connector configuration is invalid and contains the following 1 error(s):\nNull value can not be supplied as the configuration value.\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"),
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				wantCalls(t, f, "ValidateConfig org.example.ClickSource")
			}},
		{name: "booleans and numbers coerced", method: "PUT", path: "/connectors/n/config", status: 201,
			body:     `{"connector.class":"org.example.ClickSource","tasks.max":0,"complete.record.data":false,"throughput":1000,"exp":1e3,"neg":-0.5}`,
			want:     `{"name":"n","config":{"complete.record.data":"false","connector.class":"org.example.ClickSource","exp":"1e3","name":"n","neg":"-0.5","tasks.max":"0","throughput":"1000"},"tasks":[],"type":"source"}`,
			location: "http://example.com/connectors/n"},
		{name: "nested value", method: "PUT", path: "/connectors/n/config", status: 500,
			body: `{"connector.class":"x","a":{"b":1}}`,
			want: `contains:from Object value for configuration property "a"`},
		{name: "array body", method: "PUT", path: "/connectors/n/config", status: 500, body: `["a"]`,
			want: errBody(500, "Cannot deserialize value of type `Map<String,String>` from Array value: the request body must be a JSON object (at byte offset 0)")},
		{name: "empty body", method: "PUT", path: "/connectors/n/config", status: 500,
			header: map[string]string{"Content-Type": "application/json"},
			want:   errBody(500, "Request body is empty; expected a JSON object")},
		{name: "wrong content type", method: "PUT", path: "/connectors/n/config", status: 415, body: `{}`,
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			want:   errBody(415, "HTTP 415 Unsupported Media Type")},
		{name: "rebalance conflict", method: "PUT", path: "/connectors/clicks-src/config", status: 409,
			body: `{"connector.class":"org.example.ClickSource"}`,
			setup: func(f *fakeHerder) {
				f.errs["PutConnectorConfig"] = Conflict("Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway.")
			},
			want: errBody(409, "Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway.")},
	})
}

func TestPatchConnectorConfig(t *testing.T) {
	runEndpointCases(t, []endpointCase{
		{name: "patch sets and deletes", method: "PATCH", path: "/connectors/orders-sink/config", status: 200,
			body: `{"topics":"orders2","file":null,"tasks.max":3}`,
			want: `{"name":"orders-sink","config":{"connector.class":"org.apache.kafka.connect.file.FileStreamSinkConnector","name":"orders-sink","tasks.max":"3","topics":"orders2"},"tasks":[{"connector":"orders-sink","task":0},{"connector":"orders-sink","task":1}],"type":"sink"}`,
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				if v, ok := f.lastPatch["file"]; !ok || v != nil {
					t.Errorf("file should be passed as a nil (delete) value: %v", f.lastPatch)
				}
				if v := f.lastPatch["tasks.max"]; v == nil || *v != "3" {
					t.Errorf("tasks.max should be coerced to \"3\": %v", f.lastPatch)
				}
			}},
		{name: "empty patch", method: "PATCH", path: "/connectors/clicks-src/config", status: 200, body: `{}`,
			want: `{"name":"clicks-src","config":{"connector.class":"org.example.ClickSource","name":"clicks-src","tasks.max":"1","topic":"clicks"},"tasks":[{"connector":"clicks-src","task":0}],"type":"source"}`},
		{name: "patch unknown", method: "PATCH", path: "/connectors/nope/config", status: 404, body: `{"a":"b"}`,
			want: errBody(404, "Connector nope not found")},
		{name: "patch invalid result", method: "PATCH", path: "/connectors/orders-sink/config", status: 400, body: `{"topics":null}`,
			want: errBody(400, "Connector configuration is invalid and contains the following 1 error(s):\nMust configure one of topics or topics.regex\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`")},
		{name: "patch malformed", method: "PATCH", path: "/connectors/orders-sink/config", status: 500, body: `{"topics" "x"}`,
			want: errBody(500, "Malformed JSON in request body at byte offset 10: invalid character '\"' after object key")},
		{name: "patch nested", method: "PATCH", path: "/connectors/orders-sink/config", status: 500, body: `{"topics":["x"]}`,
			want: `contains:from Array value for configuration property "topics"`},
		{name: "patch wrong content type", method: "PATCH", path: "/connectors/orders-sink/config", status: 415, body: `{}`,
			header: map[string]string{"Content-Type": "text/xml"},
			want:   errBody(415, "HTTP 415 Unsupported Media Type")},
	})
}

func TestDeleteStatusAndTasks(t *testing.T) {
	runEndpointCases(t, []endpointCase{
		{name: "delete", method: "DELETE", path: "/connectors/orders-sink", status: 204,
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				if _, ok := f.conns["orders-sink"]; ok {
					t.Error("connector not deleted")
				}
			}},
		{name: "delete encoded", method: "DELETE", path: "/connectors/a%2Fb%20c", status: 204},
		{name: "delete unknown", method: "DELETE", path: "/connectors/nope", status: 404, want: errBody(404, "Connector nope not found")},
		{name: "status with trace", method: "GET", path: "/connectors/orders-sink/status", status: 200, want: "golden:connector_status.json"},
		{name: "status without trace", method: "GET", path: "/connectors/clicks-src/status", status: 200, want: "golden:connector_status_no_trace.json"},
		{name: "status stopped no tasks", method: "GET", path: "/connectors/a%2Fb%20c/status", status: 200,
			want: `{"name":"a/b c","connector":{"state":"STOPPED","worker_id":"w1.example:8083"},"tasks":[],"type":"source"}`},
		{name: "status unknown", method: "GET", path: "/connectors/nope/status", status: 404, want: errBody(404, "No status found for connector nope")},
		{name: "tasks", method: "GET", path: "/connectors/orders-sink/tasks", status: 200, want: "golden:task_infos.json"},
		{name: "tasks none is []", method: "GET", path: "/connectors/a%2Fb%20c/tasks", status: 200, want: `[]`},
		{name: "tasks unknown", method: "GET", path: "/connectors/nope/tasks", status: 404, want: errBody(404, "Connector nope not found")},
		{name: "tasks internal POST not served", method: "POST", path: "/connectors/orders-sink/tasks", status: 405, body: `[]`,
			want: errBody(405, "HTTP 405 Method Not Allowed")},
		{name: "tasks-config", method: "GET", path: "/connectors/orders-sink/tasks-config", status: 200, want: "golden:tasks_config.json"},
		{name: "tasks-config none", method: "GET", path: "/connectors/a%2Fb%20c/tasks-config", status: 200, want: `{}`},
		{name: "tasks-config unknown", method: "GET", path: "/connectors/nope/tasks-config", status: 404, want: errBody(404, "Connector nope not found")},
		{name: "task status failed", method: "GET", path: "/connectors/orders-sink/tasks/1/status", status: 200,
			want: `{"id":1,"state":"FAILED","worker_id":"w1.example:8083","trace":"org.apache.kafka.connect.errors.ConnectException: disk full\n\tat org.example.Task.put(Task.java:42)\n"}`},
		{name: "task status running", method: "GET", path: "/connectors/orders-sink/tasks/0/status", status: 200,
			want: `{"id":0,"state":"RUNNING","worker_id":"w1.example:8083"}`},
		{name: "task status plus sign", method: "GET", path: "/connectors/orders-sink/tasks/+0/status", status: 200,
			want: `{"id":0,"state":"RUNNING","worker_id":"w1.example:8083"}`},
		{name: "task status unknown task", method: "GET", path: "/connectors/orders-sink/tasks/7/status", status: 404,
			want: errBody(404, "No status found for task orders-sink-7")},
		{name: "task status negative", method: "GET", path: "/connectors/orders-sink/tasks/-1/status", status: 404,
			want: errBody(404, "No status found for task orders-sink--1")},
		{name: "task status unknown connector", method: "GET", path: "/connectors/nope/tasks/0/status", status: 404,
			want: errBody(404, "No status found for task nope-0")},
		{name: "task id not a number", method: "GET", path: "/connectors/orders-sink/tasks/abc/status", status: 404,
			want: errBody(404, "HTTP 404 Not Found"),
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				wantCalls(t, f)
			}},
		{name: "task id fraction", method: "GET", path: "/connectors/orders-sink/tasks/1.0/status", status: 404,
			want: errBody(404, "HTTP 404 Not Found")},
		{name: "task id overflows int", method: "GET", path: "/connectors/orders-sink/tasks/2147483648/status", status: 404,
			want: errBody(404, "HTTP 404 Not Found")},
	})
}

func TestRestart(t *testing.T) {
	failed := func(f *fakeHerder) { fixture(f); f.conns["orders-sink"].connectorTrace = failTrace }
	runEndpointCases(t, []endpointCase{
		{name: "legacy form", method: "POST", path: "/connectors/orders-sink/restart", status: 204,
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				wantCalls(t, f, "RestartConnector orders-sink false false")
			}},
		{name: "explicit false", method: "POST", path: "/connectors/orders-sink/restart?includeTasks=false&onlyFailed=false", status: 204},
		{name: "non-true values are false", method: "POST", path: "/connectors/orders-sink/restart?includeTasks=yes&onlyFailed=1", status: 204,
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				wantCalls(t, f, "RestartConnector orders-sink false false")
			}},
		{name: "empty values are false", method: "POST", path: "/connectors/orders-sink/restart?includeTasks=&onlyFailed=", status: 204},
		{name: "include tasks", method: "POST", path: "/connectors/orders-sink/restart?includeTasks=true", status: 202,
			want: "golden:restart_include_tasks.json"},
		{name: "include tasks, only failed (case-insensitive)", method: "POST", path: "/connectors/orders-sink/restart?includeTasks=TRUE&onlyFailed=True", status: 202,
			want: "golden:restart_only_failed_tasks.json",
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				wantCalls(t, f, "RestartConnector orders-sink true true")
			}},
		{name: "only failed, connector running", method: "POST", path: "/connectors/orders-sink/restart?onlyFailed=true", status: 202,
			want: "golden:restart_only_failed_none.json"},
		{name: "only failed, connector failed", method: "POST", path: "/connectors/orders-sink/restart?onlyFailed=true&includeTasks=false", status: 202,
			setup: failed, want: "golden:restart_only_failed_connector.json"},
		{name: "unknown legacy", method: "POST", path: "/connectors/nope/restart", status: 404, want: errBody(404, "Unknown connector: nope")},
		{name: "unknown with tasks", method: "POST", path: "/connectors/nope/restart?includeTasks=true", status: 404, want: errBody(404, "Unknown connector: nope")},
		{name: "no plan from herder", method: "POST", path: "/connectors/orders-sink/restart?includeTasks=true", status: 500,
			setup: func(f *fakeHerder) { fixture(f); f.nilPlan = true },
			want:  errBody(500, "Restart of connector orders-sink was accepted but no restart plan was returned")},
		{name: "GET restart", method: "GET", path: "/connectors/orders-sink/restart", status: 405, want: errBody(405, "HTTP 405 Method Not Allowed")},
		{name: "task restart", method: "POST", path: "/connectors/orders-sink/tasks/1/restart", status: 204,
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				wantCalls(t, f, "RestartTask orders-sink 1")
			}},
		{name: "task restart unknown task", method: "POST", path: "/connectors/orders-sink/tasks/5/restart", status: 404,
			want: errBody(404, "Unknown task: orders-sink-5")},
		{name: "task restart unknown connector", method: "POST", path: "/connectors/nope/tasks/0/restart", status: 404,
			want: errBody(404, "Unknown connector: nope")},
		{name: "task restart bad id", method: "POST", path: "/connectors/orders-sink/tasks/first/restart", status: 404,
			want: errBody(404, "HTTP 404 Not Found")},
		{name: "task restart start failure", method: "POST", path: "/connectors/orders-sink/tasks/0/restart", status: 500,
			setup: func(f *fakeHerder) {
				fixture(f)
				f.errs["RestartTask"] = errors.New("Failed to start task: orders-sink-0")
			},
			want: errBody(500, "Failed to start task: orders-sink-0")},
	})
}

func TestPauseResumeStop(t *testing.T) {
	runEndpointCases(t, []endpointCase{
		{name: "pause", method: "PUT", path: "/connectors/orders-sink/pause", status: 202,
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				if f.conns["orders-sink"].target != "PAUSED" {
					t.Error("not paused")
				}
			}},
		{name: "resume", method: "PUT", path: "/connectors/a%2Fb%20c/resume", status: 202,
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				if f.conns["a/b c"].target != "RUNNING" {
					t.Error("not resumed")
				}
			}},
		{name: "stop", method: "PUT", path: "/connectors/orders-sink/stop", status: 204,
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				if c := f.conns["orders-sink"]; c.target != "STOPPED" || c.tasks != 0 {
					t.Error("not stopped")
				}
			}},
		{name: "pause body is ignored", method: "PUT", path: "/connectors/orders-sink/pause", status: 202, body: "not json",
			header: map[string]string{"Content-Type": "text/plain"}},
		{name: "pause unknown", method: "PUT", path: "/connectors/nope/pause", status: 404, want: errBody(404, "Unknown connector nope")},
		{name: "resume unknown", method: "PUT", path: "/connectors/nope/resume", status: 404, want: errBody(404, "Unknown connector nope")},
		{name: "stop unknown", method: "PUT", path: "/connectors/nope/stop", status: 404, want: errBody(404, "Unknown connector nope")},
		{name: "pause with POST", method: "POST", path: "/connectors/orders-sink/pause", status: 405, want: errBody(405, "HTTP 405 Method Not Allowed")},
		{name: "stop with DELETE", method: "DELETE", path: "/connectors/orders-sink/stop", status: 405, want: errBody(405, "HTTP 405 Method Not Allowed")},
	})
}

func TestTopics(t *testing.T) {
	disabled := func(f *fakeHerder) { fixture(f); f.topicTrackingDisabled = true }
	runEndpointCases(t, []endpointCase{
		{name: "topics", method: "GET", path: "/connectors/orders-sink/topics", status: 200, want: `{"orders-sink":{"topics":["orders"]}}`},
		{name: "topics unknown connector is empty", method: "GET", path: "/connectors/nope/topics", status: 200, want: `{"nope":{"topics":[]}}`},
		{name: "topics encoded name", method: "GET", path: "/connectors/a%2Fb%20c/topics", status: 200, want: `{"a/b c":{"topics":[]}}`},
		{name: "topics disabled", method: "GET", path: "/connectors/orders-sink/topics", status: 403, setup: disabled,
			want: errBody(403, "Topic tracking is disabled.")},
		{name: "reset", method: "PUT", path: "/connectors/orders-sink/topics/reset", status: 202,
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				if len(f.topics["orders-sink"]) != 0 {
					t.Error("not reset")
				}
			}},
		{name: "reset disabled", method: "PUT", path: "/connectors/orders-sink/topics/reset", status: 403, setup: disabled,
			want: errBody(403, "Topic tracking is disabled.")},
		{name: "reset not allowed", method: "PUT", path: "/connectors/orders-sink/topics/reset", status: 403,
			setup: func(f *fakeHerder) {
				fixture(f)
				f.errs["ResetConnectorTopics"] = Forbidden("Topic tracking reset is disabled.")
			},
			want: errBody(403, "Topic tracking reset is disabled.")},
		{name: "reset with GET", method: "GET", path: "/connectors/orders-sink/topics/reset", status: 405, want: errBody(405, "HTTP 405 Method Not Allowed")},
	})
}

func TestOffsets(t *testing.T) {
	const notStopped = "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/orders-sink/stop' endpoint"
	withOffsets := func(f *fakeHerder) {
		fixture(f)
		f.offsets["orders-sink"] = ConnectorOffsets{Offsets: []ConnectorOffset{
			{Partition: map[string]any{"kafka_topic": "orders", "kafka_partition": 0}, Offset: map[string]any{"kafka_offset": int64(1234)}},
			{Partition: map[string]any{"kafka_topic": "orders", "kafka_partition": 1}, Offset: nil},
		}}
	}
	const needOffsets = "Partitions / offsets need to be provided for an alter offsets request"
	runEndpointCases(t, []endpointCase{
		{name: "get", method: "GET", path: "/connectors/orders-sink/offsets", status: 200, setup: withOffsets, want: "golden:offsets.json"},
		{name: "get none is []", method: "GET", path: "/connectors/orders-sink/offsets", status: 200, want: `{"offsets":[]}`},
		{name: "get unknown", method: "GET", path: "/connectors/nope/offsets", status: 404, want: errBody(404, "Connector nope not found")},
		{name: "alter", method: "PATCH", path: "/connectors/orders-sink/offsets", status: 200, setup: stopped("orders-sink"),
			body: `{"offsets":[{"partition":{"kafka_topic":"orders","kafka_partition":3},"offset":{"kafka_offset":9007199254740993}},` +
				`{"partition":{"kafka_topic":"orders","kafka_partition":"4"},"offset":null},{"partition":{"file":"a","nested":{"x":[1.5,true,null,"s"]}}}]}`,
			want: `{"message":"The offsets for this connector have been altered successfully"}`,
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				want := ConnectorOffsets{Offsets: []ConnectorOffset{
					{Partition: map[string]any{"kafka_topic": "orders", "kafka_partition": int64(3)}, Offset: map[string]any{"kafka_offset": int64(9007199254740993)}},
					{Partition: map[string]any{"kafka_topic": "orders", "kafka_partition": "4"}},
					{Partition: map[string]any{"file": "a", "nested": map[string]any{"x": []any{1.5, true, nil, "s"}}}},
				}}
				if fmt.Sprintf("%#v", f.lastAlter) != fmt.Sprintf("%#v", want) {
					t.Errorf("herder got %#v\nwant %#v", f.lastAlter, want)
				}
			}},
		{name: "alter not stopped", method: "PATCH", path: "/connectors/orders-sink/offsets", status: 400,
			body: `{"offsets":[{"partition":{"kafka_topic":"orders","kafka_partition":0},"offset":{"kafka_offset":1}}]}`,
			want: errBody(400, notStopped)},
		{name: "alter unknown", method: "PATCH", path: "/connectors/nope/offsets", status: 404,
			body: `{"offsets":[{"partition":{},"offset":{}}]}`,
			want: errBody(404, "Connector nope not found")},
		// The bodies of Kafka's OffsetsApiIntegrationTest.testAlterSourceConnectorOffsetsInvalidRequestBody.
		{name: "alter top-level array", method: "PATCH", path: "/connectors/orders-sink/offsets", status: 500, body: `[]`,
			want: "contains:Cannot deserialize value"},
		{name: "alter empty object", method: "PATCH", path: "/connectors/orders-sink/offsets", status: 400, body: `{}`,
			want: errBody(400, needOffsets),
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				wantCalls(t, f)
			}},
		{name: "alter unknown field", method: "PATCH", path: "/connectors/orders-sink/offsets", status: 500, body: `{"key": []}`,
			want: errBody(500, `Unrecognized field "key" (class ConnectorOffsets), not marked as ignorable (one known property: "offsets") (at byte offset 1)`)},
		{name: "alter empty offsets", method: "PATCH", path: "/connectors/orders-sink/offsets", status: 400, body: `{"offsets": []}`,
			want: errBody(400, needOffsets)},
		{name: "alter offsets object", method: "PATCH", path: "/connectors/orders-sink/offsets", status: 500, body: `{"offsets": {}}`,
			want: "contains:Cannot deserialize value"},
		{name: "alter offsets number element", method: "PATCH", path: "/connectors/orders-sink/offsets", status: 500, body: `{"offsets": [123]}`,
			want: errBody(500, "Cannot construct instance of `ConnectorOffset` from Number value (123) for offsets[0] (at byte offset 13): expected an object with \"partition\" and \"offset\"")},
		{name: "alter unknown entry field", method: "PATCH", path: "/connectors/orders-sink/offsets", status: 500, body: `{"offsets": [{"key": "val"}]}`,
			want: "contains:Unrecognized field \"key\" (class ConnectorOffset)"},
		{name: "alter partition array (malformed later)", method: "PATCH", path: "/connectors/orders-sink/offsets", status: 500, body: `{"offsets": [{"partition": []]}]}`,
			want: "contains:Cannot deserialize value of type `Map<String,Object>` from Array value for offsets[0].partition"},
		// More bodies.
		{name: "alter null offsets", method: "PATCH", path: "/connectors/orders-sink/offsets", status: 400, body: `{"offsets": null}`,
			want: errBody(400, needOffsets)},
		{name: "alter null element", method: "PATCH", path: "/connectors/orders-sink/offsets", status: 500, body: `{"offsets": [null]}`,
			want: "contains:Cannot construct instance of `ConnectorOffset` from Null value for offsets[0]"},
		{name: "alter offset string", method: "PATCH", path: "/connectors/orders-sink/offsets", status: 500, body: `{"offsets": [{"partition":{},"offset":"5"}]}`,
			want: "contains:Cannot deserialize value of type `Map<String,Object>` from String value for offsets[0].offset"},
		{name: "alter number out of range", method: "PATCH", path: "/connectors/orders-sink/offsets", status: 500, body: `{"offsets": [{"partition":{"p":1e999}}]}`,
			want: "contains:number 1e999 is out of range"},
		{name: "alter empty body", method: "PATCH", path: "/connectors/orders-sink/offsets", status: 500,
			header: map[string]string{"Content-Type": "application/json"},
			want:   errBody(500, "Request body is empty; expected a JSON object")},
		{name: "alter wrong content type", method: "PATCH", path: "/connectors/orders-sink/offsets", status: 415, body: `{}`,
			header: map[string]string{"Content-Type": "text/plain; charset=utf-8"},
			want:   errBody(415, "HTTP 415 Unsupported Media Type")},
		{name: "reset", method: "DELETE", path: "/connectors/orders-sink/offsets", status: 200, setup: stopped("orders-sink"),
			want: `{"message":"The Connect framework-managed offsets for this connector have been reset successfully. However, if this connector manages offsets externally, they will need to be manually reset in the system that the connector uses."}`},
		{name: "reset not stopped", method: "DELETE", path: "/connectors/orders-sink/offsets", status: 400, want: errBody(400, notStopped)},
		{name: "reset unknown", method: "DELETE", path: "/connectors/nope/offsets", status: 404, want: errBody(404, "Connector nope not found")},
		{name: "offsets with POST", method: "POST", path: "/connectors/orders-sink/offsets", status: 405, body: `{}`,
			want: errBody(405, "HTTP 405 Method Not Allowed")},
	})
}

func TestPlugins(t *testing.T) {
	withKeys := func(f *fakeHerder) {
		fixture(f)
		f.pluginKeys["RegexRouter"] = []ConfigKeyInfo{
			{Name: "regex", Type: "STRING", Required: true, Importance: "HIGH", Documentation: "Regular expression to use for matching.", Order: -1, Width: "NONE", DisplayName: "regex"},
			{Name: "replacement", Type: "STRING", DefaultValue: ptr(""), Importance: "HIGH", Documentation: "Replacement string.", Group: ptr("Routing"), Order: 2, Width: "LONG", DisplayName: "Replacement", Dependents: []string{"regex"}},
		}
		f.pluginKeys["Empty"] = nil
	}
	runEndpointCases(t, []endpointCase{
		{name: "connectors only by default", method: "GET", path: "/connector-plugins", status: 200, want: "golden:plugins_connectors.json",
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				wantCalls(t, f, "Plugins true")
			}},
		{name: "trailing slash", method: "GET", path: "/connector-plugins/", status: 200, want: "golden:plugins_connectors.json"},
		{name: "all plugins", method: "GET", path: "/connector-plugins?connectorsOnly=false", status: 200, want: "golden:plugins_all.json"},
		{name: "connectorsOnly is case-insensitive", method: "GET", path: "/connector-plugins/?connectorsOnly=TRUE", status: 200, want: "golden:plugins_connectors.json"},
		{name: "connectorsOnly non-true is false", method: "GET", path: "/connector-plugins?connectorsOnly=no", status: 200, want: "golden:plugins_all.json"},
		{name: "connectorsOnly empty is default", method: "GET", path: "/connector-plugins?connectorsOnly=", status: 200, want: "golden:plugins_connectors.json"},
		{name: "no plugins is []", method: "GET", path: "/connector-plugins", status: 200, want: `[]`,
			setup: func(f *fakeHerder) { f.plugins = nil }},
		{name: "plugin config", method: "GET", path: "/connector-plugins/RegexRouter/config", status: 200, setup: withKeys, want: "golden:plugin_config.json"},
		{name: "plugin config empty is []", method: "GET", path: "/connector-plugins/Empty/config", status: 200, setup: withKeys, want: `[]`},
		{name: "plugin config unknown", method: "GET", path: "/connector-plugins/Nope/config", status: 404, want: errBody(404, "Unknown plugin Nope.")},
		{name: "plugin config nested class", method: "GET", path: "/connector-plugins/org.apache.kafka.connect.transforms.Cast$Value/config", status: 404,
			want: errBody(404, "Unknown plugin org.apache.kafka.connect.transforms.Cast$Value.")},
		{name: "plugin config invalid class", method: "GET", path: "/connector-plugins/java.lang.String/config", status: 400,
			setup: func(f *fakeHerder) { f.errs["PluginConfig"] = BadRequest("Invalid plugin class java.lang.String") },
			want:  errBody(400, "Invalid plugin class java.lang.String")},
		{name: "POST plugins", method: "POST", path: "/connector-plugins", status: 405, body: `{}`, want: errBody(405, "HTTP 405 Method Not Allowed")},
		{name: "DELETE plugins trailing slash", method: "DELETE", path: "/connector-plugins/", status: 405, want: errBody(405, "HTTP 405 Method Not Allowed")},
	})
}

func TestValidate(t *testing.T) {
	const sinkClass = "org.apache.kafka.connect.file.FileStreamSinkConnector"
	runEndpointCases(t, []endpointCase{
		{name: "valid with alias", method: "PUT", path: "/connector-plugins/FileStreamSink/config/validate", status: 200,
			body: `{"connector.class":"` + sinkClass + `","name":"s1","topics":"t","tasks.max":1}`,
			want: "golden:validate_ok.json",
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				if f.lastValidate.plugin != "FileStreamSink" || f.lastValidate.config["tasks.max"] != "1" {
					t.Errorf("ValidateConfig got %+v", f.lastValidate)
				}
				if _, ok := f.lastValidate.config["connector.class"]; !ok {
					t.Error("connector.class missing")
				}
			}},
		{name: "valid with class name", method: "PUT", path: "/connector-plugins/" + sinkClass + "/config/validate", status: 200,
			body: `{"connector.class":"` + sinkClass + `","name":"s1","topics":"t","tasks.max":1}`,
			want: "golden:validate_ok.json"},
		{name: "valid with alias including Connector", method: "PUT", path: "/connector-plugins/FileStreamSinkConnector/config/validate", status: 200,
			body: `{"connector.class":"FileStreamSink","name":"s1","topics":"t","tasks.max":1}`,
			want: "golden:validate_alias.json"},
		{name: "errors still 200", method: "PUT", path: "/connector-plugins/FileStreamSink/config/validate", status: 200,
			body: `{"connector.class":"` + sinkClass + `","name":"s1","tasks.max":"x"}`,
			want: "golden:validate_errors.json"},
		{name: "null values reported", method: "PUT", path: "/connector-plugins/FileStreamSink/config/validate", status: 200,
			body: `{"connector.class":"` + sinkClass + `","name":"s1","topics":null,"extra":null}`,
			want: "golden:validate_nulls.json",
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				if _, ok := f.lastValidate.config["topics"]; ok {
					t.Errorf("null key passed to herder: %v", f.lastValidate.config)
				}
			}},
		{name: "type mismatch", method: "PUT", path: "/connector-plugins/FileStreamSource/config/validate", status: 400,
			body: `{"connector.class":"` + sinkClass + `"}`,
			want: errBody(400, "Included connector type "+sinkClass+" does not match request type FileStreamSource"),
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				wantCalls(t, f)
			}},
		{name: "suffix must be a whole word match", method: "PUT", path: "/connector-plugins/Connector/config/validate", status: 400,
			body: `{"connector.class":"org.example.MyConnector"}`,
			want: errBody(400, "Included connector type org.example.MyConnector does not match request type Connector")},
		{name: "missing connector.class", method: "PUT", path: "/connector-plugins/FileStreamSink/config/validate", status: 400,
			body: `{"topics":"t","name":"x"}`,
			want: errBody(400, "Connector config {topics=t, name=x} contains no connector type")},
		{name: "null connector.class", method: "PUT", path: "/connector-plugins/FileStreamSink/config/validate", status: 400,
			body: `{"connector.class":null}`,
			want: errBody(400, "Connector config {connector.class=null} contains no connector type")},
		{name: "nested value", method: "PUT", path: "/connector-plugins/FileStreamSink/config/validate", status: 500,
			body: `{"connector.class":"` + sinkClass + `","x":{}}`,
			want: `contains:from Object value for configuration property "x"`},
		{name: "timeout", method: "PUT", path: "/connector-plugins/FileStreamSink/config/validate", status: 500,
			opts:  Options{RequestTimeout: 20 * time.Millisecond},
			setup: func(f *fakeHerder) { f.hang["ValidateConfig"] = true },
			body:  `{"connector.class":"` + sinkClass + `"}`,
			want:  errBody(500, "Request timed out")},
		{name: "wrong content type", method: "PUT", path: "/connector-plugins/FileStreamSink/config/validate", status: 415, body: `{}`,
			header: map[string]string{"Content-Type": "text/plain"},
			want:   errBody(415, "HTTP 415 Unsupported Media Type")},
		{name: "POST validate", method: "POST", path: "/connector-plugins/FileStreamSink/config/validate", status: 405, body: `{}`,
			want: errBody(405, "HTTP 405 Method Not Allowed")},
	})
}

func TestRoutingErrors(t *testing.T) {
	runEndpointCases(t, []endpointCase{
		{name: "unknown path", method: "GET", path: "/nope", status: 404, want: errBody(404, "HTTP 404 Not Found")},
		{name: "unknown subpath", method: "GET", path: "/connectors/x/y/z", status: 404, want: errBody(404, "HTTP 404 Not Found")},
		{name: "internal fence not served", method: "PUT", path: "/connectors/x/fence", status: 404, want: errBody(404, "HTTP 404 Not Found")},
		{name: "loggers not served yet", method: "GET", path: "/admin/loggers", status: 404, want: errBody(404, "HTTP 404 Not Found")},
		{name: "two trailing slashes", method: "GET", path: "/connectors//", status: 404, want: errBody(404, "HTTP 404 Not Found")},
		{name: "wrong method on list", method: "PATCH", path: "/connectors", status: 405, body: `{}`, want: errBody(405, "HTTP 405 Method Not Allowed")},
		{name: "wrong method on root", method: "POST", path: "/", status: 405, want: errBody(405, "HTTP 405 Method Not Allowed")},
		{name: "wrong method on health", method: "PUT", path: "/health", status: 405, want: errBody(405, "HTTP 405 Method Not Allowed")},
		{name: "wrong method on connector", method: "POST", path: "/connectors/orders-sink", status: 405, body: `{}`, want: errBody(405, "HTTP 405 Method Not Allowed")},
		{name: "405 before 415", method: "POST", path: "/connectors/orders-sink/config", status: 405, body: `x`,
			header: map[string]string{"Content-Type": "text/plain"},
			want:   errBody(405, "HTTP 405 Method Not Allowed")},
	})
}

func TestOptionsAndHead(t *testing.T) {
	f := newFakeHerder()
	fixture(f)
	srv := httptest.NewServer(newTestHandler(f, Options{}))
	defer srv.Close()

	for _, tc := range []struct{ path, allow string }{
		{"/connectors", "GET, HEAD, POST, OPTIONS"},
		{"/connectors/orders-sink/config", "GET, HEAD, PUT, PATCH, OPTIONS"},
		{"/connector-plugins/", "GET, HEAD, OPTIONS"},
		{"/connectors/a%2Fb/offsets", "GET, HEAD, PATCH, DELETE, OPTIONS"},
	} {
		req, _ := http.NewRequest(http.MethodOptions, srv.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != tc.allow || resp.Header.Get("Allow") != tc.allow ||
			resp.Header.Get("Content-Type") != "text/plain" {
			t.Errorf("OPTIONS %s: %d %q Allow=%q Content-Type=%q", tc.path, resp.StatusCode, body, resp.Header.Get("Allow"), resp.Header.Get("Content-Type"))
		}
	}

	resp, err := http.Head(srv.URL + "/connectors/orders-sink")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("HEAD: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, err = http.Head(srv.URL + "/connectors/nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("HEAD unknown: %d", resp.StatusCode)
	}
}

// TestRealServer runs requests through net/http's URL parsing and response
// writing: encoded names, Location round trip, and bodiless 202/204.
func TestRealServer(t *testing.T) {
	f := newFakeHerder()
	srv := httptest.NewServer(newTestHandler(f, Options{}))
	defer srv.Close()

	name := "weird/name ?#%&=+é"
	body := `{"name":` + fmt.Sprintf("%q", name) + `,"config":{"connector.class":"org.example.ClickSource","tasks.max":1}}`
	resp, err := http.Post(srv.URL+"/connectors", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 201 || !strings.HasPrefix(loc, srv.URL+"/connectors/") {
		t.Fatalf("create: %d Location %q", resp.StatusCode, loc)
	}

	resp, err = http.Get(loc + "/status")
	if err != nil {
		t.Fatal(err)
	}
	var st ConnectorStateInfo
	err = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || st.Name != name {
		t.Fatalf("status via Location: %d %+v %v", resp.StatusCode, st, err)
	}

	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"PUT", "/pause", 202},
		{"PUT", "/resume", 202},
		{"POST", "/restart", 204},
		{"POST", "/tasks/0/restart", 204},
		{"PUT", "/stop", 204},
		{"PUT", "/topics/reset", 202},
		{"DELETE", "", 204},
	} {
		req, _ := http.NewRequest(tc.method, loc+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || len(b) != 0 || resp.Header.Get("Content-Type") != "" {
			t.Errorf("%s %s: %d Content-Type %q body %q", tc.method, tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
	}
}

func TestHerderErrorsAndTimeouts(t *testing.T) {
	runEndpointCases(t, []endpointCase{
		{name: "plain error is 500", method: "GET", path: "/connectors/orders-sink", status: 500,
			setup: func(f *fakeHerder) { fixture(f); f.errs["ConnectorInfo"] = errors.New("kafka write failed") },
			want:  errBody(500, "kafka write failed")},
		{name: "wrapped *Error keeps its status", method: "GET", path: "/connectors/orders-sink", status: 404,
			setup: func(f *fakeHerder) {
				fixture(f)
				f.errs["ConnectorInfo"] = fmt.Errorf("lookup: %w", NotFound("Connector %s not found", "orders-sink"))
			},
			want: errBody(404, "Connector orders-sink not found")},
		{name: "relayed error code differs from status", method: "DELETE", path: "/connectors/orders-sink", status: 409,
			setup: func(f *fakeHerder) { f.errs["DeleteConnector"] = &Error{Status: 409, Code: 40901, Message: "relayed"} },
			want:  errBody(40901, "relayed")},
		{name: "zero code means status", method: "DELETE", path: "/connectors/orders-sink", status: 403,
			setup: func(f *fakeHerder) { f.errs["DeleteConnector"] = &Error{Status: 403, Message: "no"} },
			want:  errBody(403, "no")},
		{name: "invalid status becomes 500", method: "DELETE", path: "/connectors/orders-sink", status: 500,
			setup: func(f *fakeHerder) { f.errs["DeleteConnector"] = &Error{Status: 200, Message: "odd"} },
			want:  errBody(500, "odd")},
		{name: "timeout, herder honours ctx", method: "GET", path: "/connectors/orders-sink", status: 500,
			opts:  Options{RequestTimeout: 20 * time.Millisecond},
			setup: func(f *fakeHerder) { fixture(f); f.hang["ConnectorInfo"] = true },
			want:  errBody(500, "Request timed out")},
		{name: "timeout, herder ignores ctx", method: "PUT", path: "/connectors/orders-sink/stop", status: 500,
			opts:  Options{RequestTimeout: 20 * time.Millisecond},
			setup: func(f *fakeHerder) { fixture(f); f.hang["StopConnector"] = true; f.ignoreCtx = true },
			want:  errBody(500, "Request timed out"),
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) { close(f.release) }},
		{name: "timeout with the herder's stage message", method: "POST", path: "/connectors/orders-sink/restart", status: 500,
			opts: Options{RequestTimeout: 20 * time.Millisecond},
			setup: func(f *fakeHerder) {
				fixture(f)
				f.hang["RestartConnector"] = true
				f.hangErr = Errorf(500, "Request timed out. The worker is currently flushing updates to the status topic, which began at 2024-01-01T00:00:00Z.")
			},
			want: errBody(500, "Request timed out. The worker is currently flushing updates to the status topic, which began at 2024-01-01T00:00:00Z.")},
		{name: "herder's own deadline error is not a request timeout", method: "GET", path: "/connectors/orders-sink", status: 500,
			setup: func(f *fakeHerder) {
				fixture(f)
				f.errs["ConnectorInfo"] = fmt.Errorf("admin call: %w", context.DeadlineExceeded)
			},
			want: errBody(500, "admin call: context deadline exceeded")},
		{name: "expand shares one deadline", method: "GET", path: "/connectors?expand=info", status: 500,
			opts:  Options{RequestTimeout: 20 * time.Millisecond},
			setup: func(f *fakeHerder) { fixture(f); f.hang["ConnectorInfo"] = true },
			want:  errBody(500, "Request timed out")},
		{name: "panic", method: "GET", path: "/connectors/orders-sink/status", status: 500,
			setup: func(f *fakeHerder) { fixture(f); f.panics["ConnectorStatus"] = true },
			want:  errBody(500, "Internal server error: injected panic in ConnectorStatus")},
	})
}

func TestClientGoneIsInterrupted(t *testing.T) {
	f := newFakeHerder()
	fixture(f)
	f.hang["ConnectorInfo"] = true
	h := newTestHandler(f, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest("GET", "/connectors/orders-sink", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	go func() { time.Sleep(10 * time.Millisecond); cancel() }()
	h.ServeHTTP(rec, req)
	checkResponse(t, rec, 500, errBody(500, "Request interrupted"))
}

func TestLogging(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := newFakeHerder()
	fixture(f)
	h := NewHandler(f, Options{Logger: logger})

	serve(h, "GET", "/connectors/orders-sink/tasks-config", "", nil)
	serve(h, "GET", "/connectors/nope?x=1", "", nil)

	var records []map[string]any
	for line := range strings.Lines(buf.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		records = append(records, m)
	}
	if len(records) != 3 {
		t.Fatalf("want 3 log records, got %d:\n%s", len(records), buf.String())
	}
	if w := records[0]; w["level"] != "WARN" || !strings.Contains(w["msg"].(string), "deprecated") || w["connector"] != "orders-sink" {
		t.Errorf("deprecation warning: %v", w)
	}
	for i, want := range []struct {
		path   string
		status float64
	}{{"/connectors/orders-sink/tasks-config", 200}, {"/connectors/nope", 404}} {
		r := records[i+1]
		if r["level"] != "DEBUG" || r["method"] != "GET" || r["path"] != want.path || r["status"] != want.status || r["latency"] == nil {
			t.Errorf("request log %d: %v", i, r)
		}
	}
	if records[2]["query"] != "x=1" {
		t.Errorf("query not logged: %v", records[2])
	}
}

// TestConcurrentRequests exercises the handler under -race.
func TestConcurrentRequests(t *testing.T) {
	f := newFakeHerder()
	fixture(f)
	h := newTestHandler(f, Options{})
	done := make(chan struct{})
	for i := range 40 {
		go func() {
			defer func() { done <- struct{}{} }()
			name := fmt.Sprintf("c%d", i)
			serve(h, "POST", "/connectors", `{"name":"`+name+`","config":{"connector.class":"org.example.ClickSource"}}`, nil)
			serve(h, "GET", "/connectors?expand=status&expand=info", "", nil)
			serve(h, "PUT", "/connectors/"+name+"/pause", "", nil)
			serve(h, "DELETE", "/connectors/"+name, "", nil)
		}()
	}
	for range 40 {
		<-done
	}
	rec := serve(h, "GET", "/connectors", "", nil)
	checkResponse(t, rec, 200, `["a/b c","clicks-src","orders-sink"]`)
}

func TestUnserializableResponse(t *testing.T) {
	f := newFakeHerder()
	fixture(f)
	f.offsets["orders-sink"] = ConnectorOffsets{Offsets: []ConnectorOffset{{Partition: map[string]any{"p": math.NaN()}}}}
	rec := serve(newTestHandler(f, Options{}), "GET", "/connectors/orders-sink/offsets", "", nil)
	checkResponse(t, rec, 500, "contains:unsupported value: NaN")
	if !strings.HasPrefix(rec.Body.String(), `{"error_code":500,"message":"Cannot serialize response: `) {
		t.Errorf("body %s", rec.Body)
	}
}

func TestHandlerPanicRecovered(t *testing.T) {
	s := &server{log: slog.New(slog.DiscardHandler)}
	h := s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := serve(h, "GET", "/x", "", nil)
	checkResponse(t, rec, 500, errBody(500, "Internal server error: boom"))
}

func TestConnectorLocation(t *testing.T) {
	r := httptest.NewRequest("POST", "/connectors", nil)
	r.Host = ""
	if got := connectorLocation(r, "a/b"); got != "/connectors/a%2Fb" {
		t.Errorf("no host: %q", got)
	}
	r = httptest.NewRequest("POST", "https://connect.example:8443/connectors", nil)
	if got := connectorLocation(r, "x y"); got != "https://connect.example:8443/connectors/x%20y" {
		t.Errorf("TLS: %q", got)
	}
}

func TestHealthStatusCodes(t *testing.T) {
	for _, tc := range []struct{ herder, want int }{{0, 200}, {503, 503}, {42, 500}, {1000, 500}} {
		f := newFakeHerder()
		f.health = func(context.Context) (WorkerStatus, int) { return WorkerStatus{Status: "x", Message: "y"}, tc.herder }
		rec := serve(newTestHandler(f, Options{}), "GET", "/health", "", nil)
		checkResponse(t, rec, tc.want, `{"status":"x","message":"y"}`)
	}
}
