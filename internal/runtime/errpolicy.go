package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// Stages of the record pipeline, named as Kafka Connect names them in error reports.
const (
	stageTaskPoll       = "TASK_POLL"
	stageTaskPut        = "TASK_PUT"
	stageTransformation = "TRANSFORMATION"
	stageKeyConverter   = "KEY_CONVERTER"
	stageValueConverter = "VALUE_CONVERTER"
	stageHeaderConv     = "HEADER_CONVERTER"
	stageKafkaProduce   = "KAFKA_PRODUCE"
	stageKafkaConsume   = "KAFKA_CONSUME"
)

// errSkipped reports that a record is dropped: by a transformation, or because the error
// policy tolerated its failure (then as a *skippedError carrying the cause).
var errSkipped = errors.New("record skipped")

type skippedError struct{ cause error }

func (e *skippedError) Error() string {
	return "record skipped by errors.tolerance=all: " + e.cause.Error()
}
func (e *skippedError) Is(target error) bool { return target == errSkipped }
func (e *skippedError) Unwrap() error        { return e.cause }

// failureCause returns the error behind a skip or tolerance failure.
func failureCause(err error) error {
	var se *skippedError
	if errors.As(err, &se) {
		return se.cause
	}
	var te *toleranceError
	if errors.As(err, &te) {
		return te.err
	}
	return err
}

// errorPolicy is a connector's `errors.*` configuration: how long to retry retriable failures
// of converters and transformations, whether to skip records that still fail, and whether to
// log them.
type errorPolicy struct {
	tolerateAll  bool
	retryTimeout time.Duration // 0: no retries; <0: forever
	maxDelay     time.Duration
	logErrors    bool
	logMessages  bool
	log          *slog.Logger
}

func newErrorPolicy(config map[string]string, log *slog.Logger) errorPolicy {
	p := errorPolicy{maxDelay: time.Minute, log: log}
	p.tolerateAll = strings.EqualFold(config[keyErrTolerance], "all")
	if n, err := strconv.ParseInt(config[keyErrRetry], 10, 64); err == nil {
		p.retryTimeout = time.Duration(n) * time.Millisecond
	}
	if n, err := strconv.ParseInt(config[keyErrRetryDelay], 10, 64); err == nil && n >= 0 {
		p.maxDelay = time.Duration(n) * time.Millisecond
	}
	p.logErrors, _ = strconv.ParseBool(config[keyErrLog])
	p.logMessages, _ = strconv.ParseBool(config[keyErrLogMsgs])
	return p
}

// toleranceError is a failure the policy did not tolerate; it fails the task.
type toleranceError struct {
	stage string
	err   error
}

func (e *toleranceError) Error() string {
	return fmt.Sprintf("Tolerance exceeded in error handler: stage %s: %v", e.stage, e.err)
}
func (e *toleranceError) Unwrap() error { return e.err }

// run executes op under the policy. It returns nil on success, errSkipped when the failure is
// tolerated, or a *toleranceError that should fail the task. describe renders the record for
// the error log and is only called when needed.
func (p *errorPolicy) run(ctx context.Context, stage string, describe func() string, op func() error) error {
	err := op()
	if err == nil {
		return nil
	}
	if connect.IsRetriable(err) && p.retryTimeout != 0 {
		deadline := time.Now().Add(p.retryTimeout)
		// Kafka's errors.retry.delay.max.ms caps an exponential delay; jitter keeps the
		// tasks of a connector from retrying against the failing system in step.
		retry := newBackoff(min(300*time.Millisecond, p.maxDelay), p.maxDelay)
		for err != nil && connect.IsRetriable(err) && (p.retryTimeout < 0 || time.Now().Before(deadline)) {
			if !sleepCtx(ctx, retry.next()) {
				return ctx.Err()
			}
			err = op()
		}
		if err == nil {
			return nil
		}
	}
	if p.logErrors {
		attrs := []any{"stage", stage, "error", err}
		if p.logMessages && describe != nil {
			attrs = append(attrs, "record", describe())
		}
		p.log.Error("error in record pipeline", attrs...)
	}
	if p.tolerateAll {
		return &skippedError{cause: err}
	}
	return &toleranceError{stage: stage, err: err}
}
