package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// connRunner runs one connector instance on its own goroutine: it starts the connector,
// applies target states, and stores the task configs the connector generates.
type connRunner struct {
	unit
	rt   *Runtime
	spec ConnectorSpec // guarded by the Runtime's mu (SetConnectorTarget updates Target)

	// Immutable copies for the run goroutine.
	name   string
	config map[string]string
	fence  Fence

	target chan string
	reconf chan struct{}
}

func (r *connRunner) base() *unit { return &r.unit }

func (r *connRunner) setTarget(t string) {
	for {
		select {
		case r.target <- t:
			return
		default:
			select { // replace a stale pending target with the latest
			case <-r.target:
			default:
			}
		}
	}
}

// connectorContext implements connect.SourceConnectorContext for a running connector.
type connectorContext struct{ r *connRunner }

func (c connectorContext) RequestTaskReconfiguration() {
	select {
	case c.r.reconf <- struct{}{}:
	default:
	}
}
func (c connectorContext) RaiseError(err error) {
	c.r.rt.log.Error("connector raised an error", "connector", c.r.name, "error", err)
	c.r.rt.putStatus(c.r.name, nil, StateFailed, trace(err), c.r.fence)
}
func (c connectorContext) OffsetReader() connect.OffsetReader {
	return offsetReader{store: c.r.rt.rep, connector: c.r.name}
}

func newConnRunner(rt *Runtime, spec ConnectorSpec) *connRunner {
	spec.Config = maps.Clone(spec.Config)
	r := &connRunner{unit: unit{kind: "connector", name: spec.Name}, rt: rt, spec: spec,
		name: spec.Name, config: spec.Config, fence: spec.Fence,
		target: make(chan string, 1), reconf: make(chan struct{}, 1)}
	r.target <- spec.Target
	return r
}

func (r *connRunner) run(ctx context.Context) {
	log := r.rt.log.With("connector", r.name)
	p, err := connect.Lookup(r.config[KeyConnectorClass])
	if err != nil {
		r.rt.putStatus(r.name, nil, StateFailed, trace(err), r.fence)
		<-ctx.Done()
		return
	}
	var conn connect.Connector
	started := false
	failed := false
	current := "" // the target last applied: reconcile re-sends it on every store change
	stop := func() {
		if started {
			if err := SafeCall("Connector.Stop", conn.Stop); err != nil {
				log.Warn("stopping connector failed", "error", err)
			}
			started = false
		}
	}
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return
		case target := <-r.target:
			if target == current {
				continue
			}
			current = target
			if failed {
				if target == targetStopped {
					r.rt.putStatus(r.name, nil, StateStopped, "", r.fence)
				}
				continue
			}
			switch target {
			case targetStarted:
				if started {
					continue
				}
				conn = p.New().(connect.Connector)
				if err := startConnectorInstance(conn, connectorContext{r}, r.config); err != nil {
					log.Error("connector failed to start", "error", err)
					r.rt.putStatus(r.name, nil, StateFailed, trace(err), r.fence)
					failed = true
					continue
				}
				started = true
				r.rt.putStatus(r.name, nil, StateRunning, "", r.fence)
				if err := r.generateTasks(ctx, p, conn); err != nil {
					log.Error("generating task configs failed", "error", err)
					r.rt.putStatus(r.name, nil, StateFailed, trace(err), r.fence)
					failed = true
				}
			case targetPaused:
				stop()
				r.rt.putStatus(r.name, nil, StatePaused, "", r.fence)
			case targetStopped:
				stop()
				r.rt.putStatus(r.name, nil, StateStopped, "", r.fence)
			}
		case <-r.reconf:
			if started && !failed {
				if err := r.generateTasks(ctx, p, conn); err != nil {
					log.Error("generating task configs failed", "error", err)
					r.rt.putStatus(r.name, nil, StateFailed, trace(err), r.fence)
					failed = true
				}
			}
		}
	}
}

func startConnectorInstance(conn connect.Connector, cctx connectorContext, config map[string]string) (err error) {
	defer recoverTo(&err, "Connector.Start")
	switch c := conn.(type) {
	case connect.SourceConnector:
		return c.Start(cctx, config)
	case connect.SinkConnector:
		return c.Start(cctx, config)
	}
	return errors.New("the connector class is neither a source nor a sink connector")
}

// SafeCall calls plugin code, turning a panic into an error that names what panicked.
func SafeCall(what string, f func() error) (err error) {
	defer recoverTo(&err, what)
	return f()
}

// generateTasks asks the connector for task configs and stores them when they changed.
func (r *connRunner) generateTasks(ctx context.Context, p connect.Plugin, conn connect.Connector) (err error) {
	maxTasks, _ := strconv.Atoi(r.config[KeyTasksMax])
	if maxTasks < 1 {
		maxTasks = 1
	}
	var configs []map[string]string
	func() {
		defer recoverTo(&err, "Connector.TaskConfigs")
		configs, err = conn.TaskConfigs(maxTasks)
	}()
	if err != nil {
		return err
	}
	if len(configs) > maxTasks && !strings.EqualFold(r.config[keyTasksMaxEnf], "false") {
		return fmt.Errorf("The connector %s has generated %d tasks, which is greater than %d, the maximum number of tasks it is configured to create. This behaviour should be considered a bug and is disallowed. If necessary, it can be permitted by reconfiguring the connector with 'tasks.max.enforce' set to false; however, this option will be removed in a future release of Kafka Connect.", r.name, len(configs), maxTasks)
	}
	_, isSink := conn.(connect.SinkConnector)
	out := make([]map[string]string, len(configs))
	for i, c := range configs {
		tc := maps.Clone(c)
		if tc == nil {
			tc = map[string]string{}
		}
		tc[keyTaskClass] = p.TaskClass
		if isSink {
			if v, ok := r.config[KeyTopics]; ok {
				tc[KeyTopics] = v
			}
			if v, ok := r.config[KeyTopicsRegex]; ok {
				tc[KeyTopicsRegex] = v
			}
		}
		out[i] = tc
	}
	// Like Kafka's herder, retry storing with backoff: a store that is briefly unavailable
	// (an election) must not fail the connector for good.
	retry := newBackoff(250*time.Millisecond, time.Minute)
	for {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := r.rt.rep.PutTaskConfigs(wctx, r.name, r.fence, r.config, out)
		cancel()
		if err == nil || ctx.Err() != nil {
			return nil
		}
		wait := retry.next()
		r.rt.limit.Log(r.rt.log, slog.LevelWarn, "storing task configs failed; retrying", "connector", r.name, "error", err, "backoff", wait.Round(time.Millisecond))
		if !sleepCtx(ctx, wait) {
			return nil
		}
	}
}
