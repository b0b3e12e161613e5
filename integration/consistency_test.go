package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// request sends one request with extra headers and returns the status, the response headers
// and the body.
func (w *worker) request(tb testing.TB, method, path string, body any, header map[string]string) (int, http.Header, []byte) {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.url+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, b
}

// stoppedSource is a FileStreamSource config created STOPPED, so these tests exercise the
// REST and store paths without data flowing.
func stoppedSource(name, file string) map[string]any {
	return map[string]any{"name": name, "initial_state": "STOPPED", "config": map[string]string{
		"connector.class": "FileStreamSource", "tasks.max": "1", "file": file, "topic": topic}}
}

// TestConfigWritesUnderConcurrency: what concurrent REST clients see of config writes: a create
// racing a delete of the same name is 201 or 409, never 404; 50 parallel PATCHes that each add
// a key all answer 200 and every key is stored; If-Match with a stale ETag is 412 and changes
// nothing.
func TestConfigWritesUnderConcurrency(t *testing.T) {
	q := newQuickstart(t)
	w := q.w

	t.Run("create racing delete", func(t *testing.T) {
		const rounds = 150
		var mu sync.Mutex
		counts := map[string]int{}
		var wg sync.WaitGroup
		for i := 0; i < rounds; i++ {
			wg.Add(2)
			go func() {
				defer wg.Done()
				status, _, body := w.request(t, http.MethodPost, "/connectors", stoppedSource("race", q.in), nil)
				mu.Lock()
				defer mu.Unlock()
				counts[fmt.Sprintf("POST %d", status)]++
				if status != http.StatusCreated && status != http.StatusConflict {
					t.Errorf("POST /connectors racing DELETE = %d %s; want 201 or 409", status, body)
				}
			}()
			go func() {
				defer wg.Done()
				status, _, body := w.request(t, http.MethodDelete, "/connectors/race", nil, nil)
				mu.Lock()
				defer mu.Unlock()
				counts[fmt.Sprintf("DELETE %d", status)]++
				if status != http.StatusNoContent && status != http.StatusNotFound {
					t.Errorf("DELETE racing POST = %d %s; want 204 or 404", status, body)
				}
			}()
		}
		wg.Wait()
		t.Logf("answers over %d rounds: %v", rounds, counts)
		if counts["POST 201"] == 0 {
			t.Errorf("no create succeeded in %d rounds: %v", rounds, counts)
		}
	})

	t.Run("50 parallel PATCHes keep 50 keys", func(t *testing.T) {
		w.expect(t, http.MethodPost, "/connectors", stoppedSource("patched", q.in), http.StatusCreated)
		const n = 50
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := fmt.Sprintf("x.patch.key%02d", i)
				status, _, body := w.request(t, http.MethodPatch, "/connectors/patched/config", map[string]string{key: "v"}, nil)
				if status != http.StatusOK {
					t.Errorf("PATCH %s = %d %s; want 200", key, status, body)
				}
			}()
		}
		wg.Wait()
		var cfg map[string]string
		if err := json.Unmarshal(w.expect(t, http.MethodGet, "/connectors/patched/config", nil, http.StatusOK), &cfg); err != nil {
			t.Fatal(err)
		}
		var missing []string
		for i := 0; i < n; i++ {
			if key := fmt.Sprintf("x.patch.key%02d", i); cfg[key] != "v" {
				missing = append(missing, key)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%d of %d patched keys were lost: %v", len(missing), n, missing)
		}
	})

	t.Run("If-Match", func(t *testing.T) {
		w.expect(t, http.MethodPost, "/connectors", stoppedSource("cas", q.in), http.StatusCreated)
		status, h, _ := w.request(t, http.MethodGet, "/connectors/cas/config", nil, nil)
		etag := h.Get("ETag")
		if status != http.StatusOK || etag == "" {
			t.Fatalf("GET config = %d with ETag %q; want 200 and an ETag", status, etag)
		}
		status, h, body := w.request(t, http.MethodPatch, "/connectors/cas/config", map[string]string{"x.note": "one"}, map[string]string{"If-Match": etag})
		if status != http.StatusOK || h.Get("ETag") == "" || h.Get("ETag") == etag {
			t.Fatalf("PATCH with the current ETag = %d ETag %q %s; want 200 and a new ETag", status, h.Get("ETag"), body)
		}
		full := map[string]string{"connector.class": "FileStreamSource", "tasks.max": "1", "file": q.in, "topic": topic, "x.note": "stale"}
		status, _, body = w.request(t, http.MethodPut, "/connectors/cas/config", full, map[string]string{"If-Match": etag})
		if status != http.StatusPreconditionFailed || !strings.Contains(string(body), `"error_code":412`) {
			t.Fatalf("PUT with a stale ETag = %d %s; want 412 with an error body", status, body)
		}
		var cfg map[string]string
		if err := json.Unmarshal(w.expect(t, http.MethodGet, "/connectors/cas/config", nil, http.StatusOK), &cfg); err != nil {
			t.Fatal(err)
		}
		if cfg["x.note"] != "one" {
			t.Errorf("after a 412 the config has x.note=%q; want the earlier write's \"one\"", cfg["x.note"])
		}
		status, _, body = w.request(t, http.MethodPut, "/connectors/nobody/config", full, map[string]string{"If-Match": "*"})
		if status != http.StatusPreconditionFailed {
			t.Errorf("PUT If-Match: * on an unknown connector = %d %s; want 412", status, body)
		}
		if status, _, _ := w.request(t, http.MethodGet, "/connectors/nobody", nil, nil); status != http.StatusNotFound {
			t.Errorf("a failed precondition created the connector (GET = %d)", status)
		}
	})
}

// TestTaskCaps: a huge tasks.max is a 400 naming the limit and creates nothing; the per-worker
// budget counts every connector's tasks.max.
func TestTaskCaps(t *testing.T) {
	q := newQuickstart(t, "tasks.max.per.worker=10")
	w := q.w
	sink := func(name, tasks string) map[string]any {
		return map[string]any{"name": name, "config": map[string]string{
			"connector.class": "FileStreamSink", "tasks.max": tasks, "file": q.out, "topics": topic}}
	}
	status, _, body := w.request(t, http.MethodPost, "/connectors", sink("huge", "8000"), nil)
	if status != http.StatusBadRequest || !strings.Contains(string(body), "tasks.max.per.connector") {
		t.Fatalf("tasks.max=8000 = %d %s; want 400 naming tasks.max.per.connector", status, body)
	}
	w.expect(t, http.MethodPost, "/connectors", sink("six", "6"), http.StatusCreated)
	status, _, body = w.request(t, http.MethodPost, "/connectors", sink("five", "5"), nil)
	if status != http.StatusBadRequest || !strings.Contains(string(body), "tasks.max.per.worker") {
		t.Fatalf("6+5 tasks on a worker allowing 10 = %d %s; want 400 naming tasks.max.per.worker", status, body)
	}
	// Updating a connector counts its new tasks.max, not old + new.
	w.expect(t, http.MethodPut, "/connectors/six/config", sink("six", "10")["config"], http.StatusOK)
	sameJSON(t, "GET /connectors after refused creates", w.expect(t, http.MethodGet, "/connectors", nil, http.StatusOK), []byte(`["six"]`))
}

// TestSecretsNeverShown: a secret given in a connector config or a worker setting never appears
// in a REST answer or a log line, whatever the request did with it.
func TestSecretsNeverShown(t *testing.T) {
	const secret = "pa55-W0rd-never-shown"
	jaas := `org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="` + secret + `";`
	q := newQuickstart(t)
	w := q.w
	var answers []string
	record := func(status int, body []byte) { answers = append(answers, fmt.Sprintf("%d %s", status, body)) }

	// Validation shows a secret override as [hidden], as Kafka shows PASSWORD values.
	status, _, body := w.request(t, http.MethodPut, "/connector-plugins/FileStreamSink/config/validate", map[string]string{
		"connector.class": "FileStreamSink", "topics": topic, "file": q.out,
		"consumer.override.sasl.jaas.config": jaas, "consumer.override.ssl.key.password": secret,
		"consumer.override.security.protocol": "NO_SUCH_PROTOCOL",
	}, nil)
	record(status, body)
	if status != http.StatusOK || !strings.Contains(string(body), `"[hidden]"`) {
		t.Errorf("validate = %d %s; want 200 with the secret values shown as [hidden]", status, body)
	}
	// A config with no connector.class is echoed in Kafka's message; its secrets are not.
	status, _, body = w.request(t, http.MethodPost, "/connectors", map[string]any{"name": "leaky", "config": map[string]string{
		"topic": topic, "producer.override.sasl.jaas.config": jaas}}, nil)
	record(status, body)
	if status != http.StatusBadRequest || !strings.Contains(string(body), "contains no connector type") {
		t.Errorf("create without connector.class = %d %s; want 400", status, body)
	}
	// An invalid secret value is refused without quoting it.
	status, _, body = w.request(t, http.MethodPost, "/connectors", map[string]any{"name": "leaky", "config": map[string]string{
		"connector.class": "FileStreamSource", "file": q.in, "topic": topic,
		"producer.override.sasl.jaas.config": "not a jaas line " + secret}}, nil)
	record(status, body)
	if status != http.StatusBadRequest {
		t.Errorf("create with an invalid jaas config = %d %s; want 400", status, body)
	}
	// A connector that stores a secret: its config is the user's own to read back (Kafka shows
	// it too), but no status, task config listing or log line carries it.
	status, _, body = w.request(t, http.MethodPost, "/connectors", map[string]any{"name": "with-secret", "config": map[string]string{
		"connector.class": "FileStreamSource", "file": q.in, "topic": topic, "x.api.password": secret}}, nil)
	if status != http.StatusCreated {
		t.Fatalf("create with a password-named key = %d %s; want 201", status, body)
	}
	w.waitState(t, "with-secret", "RUNNING", flowTimeout)
	for _, path := range []string{"/connectors/with-secret/status", "/connectors?expand=status", "/connectors/with-secret/topics", "/"} {
		status, _, body := w.request(t, http.MethodGet, path, nil, nil)
		record(status, body)
	}
	for _, a := range answers {
		if strings.Contains(a, secret) {
			t.Errorf("a REST answer shows the secret: %s", a)
		}
	}

	// A worker refusing its own settings names the key but not the secret.
	cmd := exec.Command(workerBin, "--set", "bootstrap.servers="+q.broker.addr, "--set", "data.dir="+filepath.Join(q.dir, "other"),
		"--listeners=http://127.0.0.1:0", "--set", "consumer.sasl.jaas.config=broken "+secret, "--set", "consumer.sasl.mechanism=NOPE")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Errorf("a worker with an invalid consumer.sasl.mechanism started:\n%s", out)
	}
	if strings.Contains(string(out), secret) {
		t.Errorf("the worker's startup error shows the secret:\n%s", out)
	}

	// Nothing the worker logged carries it.
	time.Sleep(500 * time.Millisecond) // let the last log lines reach the file
	logged, err := os.ReadFile(w.logPath)
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(logged), "\n") {
		// The first line of each run is the test's own record of the command line.
		if strings.Contains(line, secret) && !strings.HasPrefix(line, "=== ") {
			t.Errorf("worker log line %d shows the secret: %s", i+1, line)
		}
	}
}
