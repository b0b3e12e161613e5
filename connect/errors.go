package connect

import "errors"

// RetriableError marks an error after which the operation may succeed if tried again: a source
// task's Poll is called again, a sink task's batch is redelivered.
type RetriableError struct{ Err error }

func (e *RetriableError) Error() string { return e.Err.Error() }
func (e *RetriableError) Unwrap() error { return e.Err }

// Retriable wraps err as retriable.
func Retriable(err error) error {
	if err == nil {
		return nil
	}
	return &RetriableError{Err: err}
}

// IsRetriable reports whether err, or an error it wraps, is retriable.
func IsRetriable(err error) bool {
	var r *RetriableError
	return errors.As(err, &r)
}

// DataError is returned by converters and transformations for data they cannot handle. The
// runtime's error policy (errors.tolerance) decides whether the record is skipped.
type DataError struct {
	Msg string
	Err error
}

func (e *DataError) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}
func (e *DataError) Unwrap() error { return e.Err }

// NewDataError returns a DataError with a message and an optional cause.
func NewDataError(msg string, cause error) error { return &DataError{Msg: msg, Err: cause} }
