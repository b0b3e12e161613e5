package restapi

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestETagMatches(t *testing.T) {
	cases := []struct {
		ifMatch, etag string
		want          bool
	}{
		{`"7"`, `"7"`, true},
		{`"6", "7"`, `"7"`, true},
		{`*`, `"7"`, true},
		{`"6"`, `"7"`, false},
		{`W/"7"`, `"7"`, false}, // If-Match uses strong comparison
		{`7`, `"7"`, false},
		{``, `"7"`, false},
		{` , `, `"7"`, false},
	}
	for _, c := range cases {
		if got := ETagMatches(c.ifMatch, c.etag); got != c.want {
			t.Errorf("ETagMatches(%q, %q) = %v, want %v", c.ifMatch, c.etag, got, c.want)
		}
	}
}

func TestConfigIfMatch(t *testing.T) {
	const path = "/connectors/orders-sink/config"
	const body = `{"connector.class":"org.apache.kafka.connect.file.FileStreamSinkConnector","topics":"orders","file":"/tmp/o2.txt","tasks.max":"2"}`
	etagOf := func(t *testing.T, h http.Handler) string {
		t.Helper()
		rec := serve(h, http.MethodGet, path, "", nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET config: %d %s", rec.Code, rec.Body)
		}
		e := rec.Header().Get("ETag")
		if e == "" {
			t.Fatal("GET config has no ETag header")
		}
		return e
	}
	runEndpointCases(t, []endpointCase{
		{
			name: "put with a stale ETag is 412 and changes nothing", method: http.MethodPut, path: path, body: body,
			header: map[string]string{"If-Match": `"stale"`},
			status: http.StatusPreconditionFailed, want: "contains:does not match",
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				if got := f.conns["orders-sink"].config["file"]; got != "/tmp/o.txt" {
					t.Errorf("file = %s after a failed precondition, want it unchanged", got)
				}
			},
		},
		{
			name: "patch with a stale ETag is 412", method: http.MethodPatch, path: path, body: `{"file":"/tmp/x"}`,
			header: map[string]string{"If-Match": `"stale"`},
			status: http.StatusPreconditionFailed, want: "contains:does not match",
		},
		{
			name: "put on an unknown connector with If-Match * is 412", method: http.MethodPut,
			path: "/connectors/nope/config", body: `{"connector.class":"org.example.ClickSource"}`,
			header: map[string]string{"If-Match": `*`},
			status: http.StatusPreconditionFailed, want: "contains:does not match",
			check: func(t *testing.T, f *fakeHerder, _ *httptest.ResponseRecorder) {
				if _, ok := f.conns["nope"]; ok {
					t.Error("a failed precondition created the connector")
				}
			},
		},
	})

	t.Run("read, then write with the ETag read, then the old ETag fails", func(t *testing.T) {
		f := newFakeHerder()
		fixture(f)
		h := newTestHandler(f, Options{})
		e1 := etagOf(t, h)
		rec := serve(h, http.MethodPut, path, body, map[string]string{"If-Match": e1})
		if rec.Code != http.StatusOK {
			t.Fatalf("PUT with the current ETag: %d %s", rec.Code, rec.Body)
		}
		e2 := rec.Header().Get("ETag")
		if e2 == "" || e2 == e1 {
			t.Fatalf("PUT answered ETag %q, want a new one (old %q)", e2, e1)
		}
		if got := etagOf(t, h); got != e2 {
			t.Fatalf("GET after PUT has ETag %q, PUT answered %q", got, e2)
		}
		rec = serve(h, http.MethodPatch, path, `{"file":"/tmp/o3.txt"}`, map[string]string{"If-Match": e1})
		if rec.Code != http.StatusPreconditionFailed {
			t.Fatalf("PATCH with the old ETag: %d %s, want 412", rec.Code, rec.Body)
		}
		rec = serve(h, http.MethodPatch, path, `{"file":"/tmp/o3.txt"}`, map[string]string{"If-Match": e2})
		if rec.Code != http.StatusOK || rec.Header().Get("ETag") == e2 {
			t.Fatalf("PATCH with the current ETag: %d ETag %q %s", rec.Code, rec.Header().Get("ETag"), rec.Body)
		}
		// Without If-Match nothing changes for Kafka's clients.
		if rec := serve(h, http.MethodPut, path, body, nil); rec.Code != http.StatusOK {
			t.Fatalf("PUT without If-Match: %d %s", rec.Code, rec.Body)
		}
	})
}
