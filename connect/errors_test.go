package connect_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
)

func TestRetriable(t *testing.T) {
	if connect.Retriable(nil) != nil {
		t.Error("Retriable(nil) is not nil")
	}
	err := connect.Retriable(io.ErrUnexpectedEOF)
	if err.Error() != io.ErrUnexpectedEOF.Error() {
		t.Errorf("Error() = %q, want the cause's message", err)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Error("the cause is not reachable through errors.Is")
	}
	wrapped := fmt.Errorf("poll table orders: %w", err)
	if !connect.IsRetriable(wrapped) {
		t.Error("a wrapped retriable error is not retriable")
	}
	var re *connect.RetriableError
	if !errors.As(wrapped, &re) || re.Err != io.ErrUnexpectedEOF {
		t.Errorf("errors.As found %v", re)
	}
	for _, e := range []error{nil, io.EOF, fmt.Errorf("x: %w", io.EOF), connect.NewDataError("bad", nil)} {
		if connect.IsRetriable(e) {
			t.Errorf("IsRetriable(%v) = true", e)
		}
	}
}

func TestDataError(t *testing.T) {
	plain := connect.NewDataError("field id: not a number", nil)
	if plain.Error() != "field id: not a number" {
		t.Errorf("Error() = %q", plain)
	}
	if errors.Unwrap(plain) != nil {
		t.Error("a DataError without cause unwraps to something")
	}
	caused := connect.NewDataError("record 3", io.ErrUnexpectedEOF)
	if caused.Error() != "record 3: unexpected EOF" {
		t.Errorf("Error() = %q", caused)
	}
	if !errors.Is(caused, io.ErrUnexpectedEOF) {
		t.Error("the cause is not reachable through errors.Is")
	}
	var de *connect.DataError
	if !errors.As(fmt.Errorf("convert: %w", caused), &de) || de.Msg != "record 3" {
		t.Errorf("errors.As found %v", de)
	}
	// A retriable data error is both: the policy may retry it, and it is about the data.
	both := connect.Retriable(caused)
	if !connect.IsRetriable(both) || !errors.As(both, &de) {
		t.Error("Retriable(DataError) lost one of its kinds")
	}
}
