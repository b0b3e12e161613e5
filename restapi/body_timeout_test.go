package restapi

import (
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// deadlineReader yields some bytes and then the error a connection read gives when the
// server's read timeout passes.
type deadlineReader struct{ r io.Reader }

func (d *deadlineReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if err == io.EOF {
		return n, fmt.Errorf("read tcp 127.0.0.1:8083->127.0.0.1:50000: %w", os.ErrDeadlineExceeded)
	}
	return n, err
}

// A body cut by the server's read timeout is answered 408, and nothing is created.
func TestBodyCutByReadTimeout(t *testing.T) {
	f := newFakeHerder()
	req := httptest.NewRequest("POST", "/connectors", &deadlineReader{strings.NewReader(`{"name":"slow","con`)})
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	newTestHandler(f, Options{}).ServeHTTP(rec, req)
	checkResponse(t, rec, 408, errBody(408, "Request body not received within the server's read timeout"))
	wantCalls(t, f)
}
