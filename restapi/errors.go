package restapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Error is an error with an HTTP status. A Herder returns it (possibly
// wrapped) to choose the response status; the body is
// {"error_code":Code,"message":Message}. Any other error becomes a 500 with
// err.Error() as the message.
type Error struct {
	// Status is the HTTP status code; anything outside 400–599 is sent as 500.
	Status int
	// Code is the error_code in the body. Zero means "same as Status". It
	// differs from Status only when relaying an error from another worker.
	Code int
	// Message is the human-readable message, matched on by some clients.
	Message string
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given HTTP status and a formatted message.
func Errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Code: status, Message: sprintf(format, args...)}
}

// NotFound returns a 404 *Error, e.g. NotFound("Connector %s not found", name).
func NotFound(format string, args ...any) *Error {
	return Errorf(http.StatusNotFound, format, args...)
}

// Conflict returns a 409 *Error, e.g. Conflict("Connector %s already exists", name).
func Conflict(format string, args ...any) *Error {
	return Errorf(http.StatusConflict, format, args...)
}

// BadRequest returns a 400 *Error.
func BadRequest(format string, args ...any) *Error {
	return Errorf(http.StatusBadRequest, format, args...)
}

// Forbidden returns a 403 *Error, e.g. Forbidden("Topic tracking is disabled.").
func Forbidden(format string, args ...any) *Error {
	return Errorf(http.StatusForbidden, format, args...)
}

// PreconditionFailed returns a 412 *Error, for an If-Match that does not match.
func PreconditionFailed(format string, args ...any) *Error {
	return Errorf(http.StatusPreconditionFailed, format, args...)
}

// ETagMatches reports whether an If-Match header value matches etag, with
// RFC 9110's strong comparison: "*" matches any current config, otherwise
// one of the comma-separated entity tags must equal etag exactly (weak tags
// never match).
func ETagMatches(ifMatch, etag string) bool {
	for _, t := range strings.Split(ifMatch, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || (t != "" && t == etag) {
			return true
		}
	}
	return false
}

// sprintf leaves a format without arguments untouched, so a message that
// happens to contain '%' is not mangled.
func sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// NullValueMessage is the validation error Kafka attaches to a configuration
// property whose value is JSON null.
const NullValueMessage = "Null value can not be supplied as the configuration value."

// ConfigValidationError returns the 400 error Kafka sends when a connector
// configuration fails validation on create, update or patch:
//
//	Connector configuration is invalid and contains the following N error(s):
//	<one error message per line>
//	You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`
//
// N is infos.ErrorCount. It returns nil when infos.ErrorCount is zero; check
// for nil before returning the result as an error.
func ConfigValidationError(infos ConfigInfos) *Error {
	if infos.ErrorCount <= 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("Connector configuration is invalid and contains the following ")
	b.WriteString(strconv.Itoa(infos.ErrorCount))
	b.WriteString(" error(s):")
	for _, c := range infos.Configs {
		if c.Value == nil {
			continue
		}
		for _, msg := range c.Value.Errors {
			b.WriteByte('\n')
			b.WriteString(msg)
		}
	}
	b.WriteString("\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`")
	return &Error{Status: http.StatusBadRequest, Code: http.StatusBadRequest, Message: b.String()}
}

// Errors produced by the REST layer itself (Jersey's default texts).
var (
	errNotFound         = &Error{Status: http.StatusNotFound, Code: http.StatusNotFound, Message: "HTTP 404 Not Found"}
	errMethodNotAllowed = &Error{Status: http.StatusMethodNotAllowed, Code: http.StatusMethodNotAllowed, Message: "HTTP 405 Method Not Allowed"}
	errUnsupportedMedia = &Error{Status: http.StatusUnsupportedMediaType, Code: http.StatusUnsupportedMediaType, Message: "HTTP 415 Unsupported Media Type"}
	errTimedOut         = &Error{Status: http.StatusInternalServerError, Code: http.StatusInternalServerError, Message: "Request timed out"}
	errInterrupted      = &Error{Status: http.StatusInternalServerError, Code: http.StatusInternalServerError, Message: "Request interrupted"}
)
