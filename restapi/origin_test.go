package restapi

import (
	"encoding/json"
	"strings"
	"testing"
)

// Browser requests from other sites are refused unless access.control.allow.origin allows
// them; allowed ones get Jetty CrossOriginFilter's CORS headers. httptest requests go to
// http://example.com, so that is the worker's own origin here.
func TestOriginCheck(t *testing.T) {
	const create = `{"name":"web","config":{"connector.class":"org.example.ClickSource","tasks.max":"1"}}`
	type headers = map[string]string
	cases := []struct {
		name         string
		opts         Options
		method, path string
		body         string
		header       headers
		status       int
		message      string  // for refusals: a substring of the error message
		cors         headers // response headers wanted; "" means absent
		created      bool    // the connector must (or must not) exist afterwards
	}{
		{name: "no Origin (curl)", method: "POST", path: "/connectors", body: create, status: 201, created: true,
			cors: headers{"Access-Control-Allow-Origin": ""}},
		{name: "same origin", method: "POST", path: "/connectors", body: create, status: 201, created: true,
			header: headers{"Origin": "http://example.com"}, cors: headers{"Access-Control-Allow-Origin": ""}},
		{name: "same origin, default port spelled out and other case", method: "POST", path: "/connectors", body: create, status: 201, created: true,
			header: headers{"Origin": "HTTP://Example.COM:80"}},
		{name: "foreign origin POST", method: "POST", path: "/connectors", body: create, status: 403,
			header:  headers{"Origin": "http://evil.example"},
			message: "Cross-origin request from http://evil.example refused", cors: headers{"Access-Control-Allow-Origin": ""}},
		{name: "foreign origin with a text/plain body (no-CORS form post)", method: "POST", path: "/connectors", body: create, status: 403,
			header:  headers{"Origin": "http://evil.example", "Content-Type": "text/plain"},
			message: "refused"},
		{name: "foreign origin GET", method: "GET", path: "/connectors", status: 403,
			header: headers{"Origin": "http://evil.example"}, message: "access.control.allow.origin"},
		{name: "same host, other port", method: "POST", path: "/connectors", body: create, status: 403,
			header: headers{"Origin": "http://example.com:3000"}, message: "refused"},
		{name: "same host, other scheme", method: "POST", path: "/connectors", body: create, status: 403,
			header: headers{"Origin": "https://example.com"}, message: "refused"},
		{name: "opaque origin null", method: "POST", path: "/connectors", body: create, status: 403,
			header: headers{"Origin": "null"}, message: "refused"},
		{name: "listed origin", opts: Options{AllowOrigin: "http://other.example, http://ui.example:3000"},
			method: "POST", path: "/connectors", body: create, status: 201, created: true,
			header: headers{"Origin": "http://ui.example:3000"},
			cors:   headers{"Access-Control-Allow-Origin": "http://ui.example:3000", "Access-Control-Allow-Credentials": "true", "Vary": "Origin"}},
		{name: "unlisted origin with a list", opts: Options{AllowOrigin: "http://ui.example:3000"},
			method: "POST", path: "/connectors", body: create, status: 403,
			header: headers{"Origin": "http://ui.example:3001"}, message: "refused"},
		{name: "wildcard pattern", opts: Options{AllowOrigin: "http://*.corp.example"},
			method: "GET", path: "/connectors", status: 200,
			header: headers{"Origin": "http://ui.corp.example"}, cors: headers{"Access-Control-Allow-Origin": "http://ui.corp.example"}},
		{name: "wildcard pattern is anchored", opts: Options{AllowOrigin: "http://*.corp.example"},
			method: "GET", path: "/connectors", status: 403,
			header: headers{"Origin": "http://ui.corp.example.evil"}, message: "refused"},
		{name: "any origin", opts: Options{AllowOrigin: "*"},
			method: "POST", path: "/connectors", body: create, status: 201, created: true,
			header: headers{"Origin": "http://anywhere.example"},
			cors:   headers{"Access-Control-Allow-Origin": "http://anywhere.example", "Vary": ""}},
		{name: "allowed origin, method not in access.control.allow.methods", opts: Options{AllowOrigin: "*"},
			method: "DELETE", path: "/connectors/orders-sink", status: 403,
			header: headers{"Origin": "http://ui.example"}, message: "access.control.allow.methods allows only GET,POST,HEAD"},
		{name: "allowed origin, method in access.control.allow.methods", opts: Options{AllowOrigin: "*", AllowMethods: "GET, POST, DELETE"},
			method: "DELETE", path: "/connectors/orders-sink", status: 204,
			header: headers{"Origin": "http://ui.example"}, cors: headers{"Access-Control-Allow-Origin": "http://ui.example"}},
		{name: "preflight of an allowed origin", opts: Options{AllowOrigin: "http://ui.example"},
			method: "OPTIONS", path: "/connectors", status: 200,
			header: headers{"Origin": "http://ui.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
			cors: headers{"Access-Control-Allow-Origin": "http://ui.example", "Access-Control-Allow-Methods": "GET,POST,HEAD",
				"Access-Control-Allow-Headers": corsAllowedHeaders, "Access-Control-Max-Age": "1800", "Allow": "GET, HEAD, POST, OPTIONS"}},
		{name: "preflight of a method not allowed", opts: Options{AllowOrigin: "http://ui.example"},
			method: "OPTIONS", path: "/connectors/orders-sink", status: 200,
			header: headers{"Origin": "http://ui.example", "Access-Control-Request-Method": "DELETE"},
			cors:   headers{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Methods": ""}},
		{name: "preflight asking for a header not allowed", opts: Options{AllowOrigin: "http://ui.example"},
			method: "OPTIONS", path: "/connectors", status: 200,
			header: headers{"Origin": "http://ui.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "X-Secret"},
			cors:   headers{"Access-Control-Allow-Origin": ""}},
		{name: "preflight of a foreign origin", method: "OPTIONS", path: "/connectors", status: 403,
			header: headers{"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}, message: "refused"},
		{name: "cross-site subresource without Origin", method: "GET", path: "/connectors", status: 403,
			header: headers{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}, message: "Cross-site browser request (Sec-Fetch-Site: cross-site) refused"},
		{name: "same-site page on another port without Origin", method: "GET", path: "/connectors", status: 403,
			header: headers{"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "no-cors"}, message: "refused"},
		{name: "following a link from another site", method: "GET", path: "/connectors", status: 200,
			header: headers{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}},
		{name: "typed into the address bar", method: "GET", path: "/connectors", status: 200,
			header: headers{"Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate"}},
		{name: "cross-site without Origin, any origin allowed", opts: Options{AllowOrigin: "*"}, method: "GET", path: "/connectors", status: 200,
			header: headers{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeHerder()
			fixture(f)
			rec := serve(newTestHandler(f, tc.opts), tc.method, tc.path, tc.body, tc.header)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tc.status, rec.Body)
			}
			if tc.status == 403 {
				var em ErrorMessage
				if err := json.Unmarshal(rec.Body.Bytes(), &em); err != nil || em.ErrorCode != 403 || !strings.Contains(em.Message, tc.message) {
					t.Errorf("body %s; want error_code 403 and a message containing %q", rec.Body, tc.message)
				}
				if calls := f.callLog(); len(calls) != 0 {
					t.Errorf("a refused request reached the herder: %q", calls)
				}
			}
			for k, want := range tc.cors {
				if got := rec.Header().Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
			_, exists := f.conns["web"]
			if tc.method == "POST" && exists != tc.created {
				t.Errorf("connector created: %v, want %v", exists, tc.created)
			}
		})
	}
}

func TestNormalizeOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"http://a.example":        "http://a.example",
		"HTTP://A.Example:80":     "http://a.example",
		"https://a.example:443/":  "https://a.example",
		"https://a.example:8443":  "https://a.example:8443",
		"http://[::1]:8083":       "http://[::1]:8083",
		"null":                    "",
		"file://":                 "",
		"http://a.example/path":   "",
		"http://user@a.example":   "",
		"chrome-extension://abcd": "",
	} {
		got, ok := normalizeOrigin(in)
		if got != want || ok != (want != "") {
			t.Errorf("normalizeOrigin(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
