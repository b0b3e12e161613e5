package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRunRejectsBadConfiguration(t *testing.T) {
	dir := t.TempDir()
	props := filepath.Join(dir, "worker.properties")
	if err := os.WriteFile(props, []byte("bootstrap.servers=localhost:9092\nno.such.key=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown key in file", []string{props}, 1, "no.such.key: unknown or unsupported worker configuration key"},
		{"unknown key in --set", []string{"--set", "offset.flush.interval.ms=soon"}, 1, "offset.flush.interval.ms=soon: not a non-negative number of milliseconds"},
		{"bad --set syntax", []string{"--set", "novalue"}, 2, `want key=value, got "novalue"`},
		{"missing file", []string{filepath.Join(dir, "nope.properties")}, 1, "no such file"},
		{"two files", []string{props, props}, 2, "at most one properties file"},
		{"help", []string{"--help"}, 0, "worker --dev"},
		{"convert usage", []string{"convert"}, 2, "--from and --to are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errb, time.Now())
			if code != tt.code || !strings.Contains(errb.String()+out.String(), tt.want) {
				t.Fatalf("exit %d (want %d), output:\n%s%s\nwant it to contain %q", code, tt.code, out.String(), errb.String(), tt.want)
			}
		})
	}
}

// Handlers give up before the write timeout cuts the connection, so a client reads "Request
// timed out" rather than a broken answer.
func TestHandlerTimeoutsEndBeforeWriteTimeout(t *testing.T) {
	for _, tc := range []struct {
		write, request, health time.Duration
	}{
		{0, 90 * time.Second, 10 * time.Second},
		{120 * time.Second, 90 * time.Second, 10 * time.Second},
		{60 * time.Second, 55 * time.Second, 10 * time.Second},
		{8 * time.Second, 3 * time.Second, 3 * time.Second},
		{2 * time.Second, time.Second, time.Second},
	} {
		request, health := handlerTimeouts(tc.write)
		if request != tc.request || health != tc.health {
			t.Errorf("write timeout %v: request %v, health %v; want %v, %v", tc.write, request, health, tc.request, tc.health)
		}
	}
}
