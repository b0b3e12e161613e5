package jsonformat

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/raftconnect/raftconnect/connect"
)

// convError is a value that does not fit its schema, in either direction: msg is Kafka's message
// for the same failure, path locates the value in the record ("address.lines[2]"). The path is
// collected on the way out of the recursion, innermost segment first, so it costs nothing unless
// something failed.
type convError struct {
	msg  string
	err  error
	path []string
}

func (e *convError) Error() string {
	msg := e.msg
	if e.err != nil {
		msg += ": " + e.err.Error()
	}
	if len(e.path) == 0 {
		return msg
	}
	var b strings.Builder
	b.WriteString(msg)
	b.WriteString(" (at ")
	for i := len(e.path) - 1; i >= 0; i-- {
		seg := e.path[i]
		if i < len(e.path)-1 && !strings.HasPrefix(seg, "[") {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	b.WriteByte(')')
	return b.String()
}

func (e *convError) Unwrap() error { return e.err }

func convErrorf(format string, args ...any) error {
	return &convError{msg: fmt.Sprintf(format, args...)}
}

// inField adds a struct field or map key to the path of a conversion error.
func inField(err error, name string) error {
	if ce, ok := err.(*convError); ok {
		ce.path = append(ce.path, name)
	}
	return err
}

// inIndex adds an array index to the path of a conversion error.
func inIndex(err error, i int) error {
	if ce, ok := err.(*convError); ok {
		ce.path = append(ce.path, "["+strconv.Itoa(i)+"]")
	}
	return err
}

// inKey adds a map key to the path of a conversion error.
func inKey(err error, key any) error {
	if ce, ok := err.(*convError); ok {
		ce.path = append(ce.path, fmt.Sprintf("[%v]", key))
	}
	return err
}

// typeName is Kafka's upper-case name of a schema type, as its messages print it.
func typeName(s *connect.Schema) string { return strings.ToUpper(string(s.Type)) }

// dataError turns an error from the encoder, decoder or scanner into the connect.DataError the
// runtime's error policy acts on. Syntax errors get Kafka's serialization-error prefix.
func dataError(err error) error {
	var ce *convError
	if errors.As(err, &ce) {
		// The message is Kafka's text plus the location; a cause would print twice.
		return &connect.DataError{Msg: ce.Error()}
	}
	var se *SyntaxError
	if errors.As(err, &se) {
		return &connect.DataError{Msg: "Converting byte[] to Kafka Connect data failed due to serialization error", Err: se}
	}
	var de *connect.DataError
	if errors.As(err, &de) {
		return err
	}
	return &connect.DataError{Msg: err.Error()}
}
