package srtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func get(t *testing.T, url, user, pass string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	return resp.StatusCode, m
}

func TestServer(t *testing.T) {
	s := New(WithBasicAuth("alice", "s3cret"))
	defer s.Close()
	id, err := s.Register("t-value", `{"type":"string"}`)
	if err != nil {
		t.Fatal(err)
	}

	status, body := get(t, s.URL()+"/schemas/ids/1", "alice", "s3cret")
	if status != 200 || id != 1 || body["schema"] != `{"type":"string"}` {
		t.Fatalf("GET schema: %d %v", status, body)
	}
	status, body = get(t, s.URL()+"/schemas/ids/1", "alice", "wrong")
	if status != 401 || body["error_code"] != 401.0 || body["message"] != "Unauthorized" {
		t.Fatalf("bad password: %d %v", status, body)
	}
	status, body = get(t, s.URL()+"/subjects/nope/versions/latest", "alice", "s3cret")
	if status != 404 || body["error_code"] != 40401.0 {
		t.Fatalf("unknown subject: %d %v", status, body)
	}

	s.Fail(http.MethodGet, "/schemas/ids/", 1, 500, 50001, "Error in the backend data store")
	status, body = get(t, s.URL()+"/schemas/ids/1", "alice", "s3cret")
	if status != 500 || body["error_code"] != 50001.0 || !strings.Contains(body["message"].(string), "backend") {
		t.Fatalf("injected failure: %d %v", status, body)
	}
	if status, _ = get(t, s.URL()+"/schemas/ids/1", "alice", "s3cret"); status != 200 {
		t.Fatalf("a one-time failure stayed: %d", status)
	}
	if n := s.RequestCount(); n != 5 {
		t.Fatalf("counted %d requests, want 5: %v", n, s.Requests())
	}
	s.ResetRequests()
	if s.RequestCount() != 0 {
		t.Fatal("ResetRequests kept requests")
	}
}
