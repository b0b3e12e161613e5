package runtime

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/raftconnect/raftconnect/connect"
)

// stage is one configured transformation with its optional predicate.
type stage struct {
	alias     string
	class     string
	t         connect.Transformation
	predicate connect.Predicate
	negate    bool
}

// chain is a task's transformation chain, built once per task.
type chain struct {
	stages     []stage
	predicates []connect.Predicate
}

// apply runs the stages in order. A nil record means a stage dropped it. The error names the
// transformation that failed.
func (c *chain) apply(r *connect.Record) (*connect.Record, error) {
	for i := range c.stages {
		s := &c.stages[i]
		if s.predicate != nil {
			ok, err := s.predicate.Test(r)
			if err != nil {
				return nil, fmt.Errorf("predicate of transformation %s: %w", s.alias, err)
			}
			if ok == s.negate {
				continue
			}
		}
		out, err := s.t.Apply(r)
		if err != nil {
			return nil, fmt.Errorf("transformation %s (%s): %w", s.alias, s.class, err)
		}
		if out == nil {
			return nil, nil
		}
		r = out
	}
	return r, nil
}

func (c *chain) close() {
	for _, s := range c.stages {
		_ = s.t.Close()
	}
	for _, p := range c.predicates {
		_ = p.Close()
	}
}

// buildChain instantiates and configures the transformations and predicates of a connector
// configuration (`transforms`, `transforms.<a>.type|predicate|negate`, `predicates`,
// `predicates.<p>.type`), as Kafka's ConnectorConfig does.
func buildChain(config map[string]string) (*chain, error) {
	c := &chain{}
	preds := map[string]connect.Predicate{}
	for _, alias := range ListValue(config[KeyPredicates]) {
		prefix := "predicates." + alias + "."
		class := config[prefix+"type"]
		if class == "" {
			c.close()
			return nil, fmt.Errorf("Missing required configuration \"%stype\" which has no default value.", prefix)
		}
		p, err := connect.LookupType(class, connect.PluginPredicate)
		if err != nil {
			c.close()
			return nil, fmt.Errorf("%stype: %w", prefix, err)
		}
		pred := p.New().(connect.Predicate)
		if err := pred.Configure(Prefixed(config, prefix)); err != nil {
			c.close()
			return nil, fmt.Errorf("predicate %s (%s): %w", alias, p.Class, err)
		}
		preds[alias] = pred
		c.predicates = append(c.predicates, pred)
	}
	for _, alias := range ListValue(config[KeyTransforms]) {
		prefix := "transforms." + alias + "."
		class := config[prefix+"type"]
		if class == "" {
			c.close()
			return nil, fmt.Errorf("Missing required configuration \"%stype\" which has no default value.", prefix)
		}
		p, err := connect.LookupType(class, connect.PluginTransformation)
		if err != nil {
			c.close()
			return nil, fmt.Errorf("%stype: %w", prefix, err)
		}
		st := stage{alias: alias, class: p.Class, t: p.New().(connect.Transformation)}
		if pa := config[prefix+"predicate"]; pa != "" {
			st.predicate = preds[pa]
			if st.predicate == nil {
				c.close()
				return nil, fmt.Errorf("%spredicate: unknown predicate alias %q (add it to predicates)", prefix, pa)
			}
		}
		if n, ok := config[prefix+"negate"]; ok {
			b, err := strconv.ParseBool(n)
			if err != nil {
				c.close()
				return nil, fmt.Errorf("%snegate: %q is not true or false", prefix, n)
			}
			if b && st.predicate == nil {
				c.close()
				return nil, fmt.Errorf("%snegate is set but %spredicate is not", prefix, prefix)
			}
			st.negate = b
		}
		if err := st.t.Configure(Prefixed(config, prefix)); err != nil {
			_ = st.t.Close()
			c.close()
			return nil, fmt.Errorf("transformation %s (%s): %w", alias, p.Class, err)
		}
		c.stages = append(c.stages, st)
	}
	return c, nil
}

// ListValue parses a comma-separated list value of a connector configuration.
func ListValue(s string) []string {
	l, _ := connect.ParseConfigValue(connect.ConfigList, s)
	return l.([]string)
}

// converters are a task's key, value and header converters.
type converters struct {
	key, value connect.Converter
	header     connect.HeaderConverter
	keyClass   string
	valueClass string
}

// buildConverters resolves the converters of a connector: its own `key.converter` etc. when
// set, else the worker's, each configured with its `<kind>.converter.` settings from the same
// place the class came from.
func buildConverters(connConfig, workerConfig map[string]string) (*converters, error) {
	pick := func(key string) (string, map[string]string) {
		if c := connConfig[key]; c != "" {
			return c, Prefixed(connConfig, key+".")
		}
		return workerConfig[key], Prefixed(workerConfig, key+".")
	}
	var cv converters
	var err error
	kc, kcfg := pick(KeyKeyConverter)
	if cv.key, err = newConverter(kc, kcfg, true); err != nil {
		return nil, fmt.Errorf("%s: %w", KeyKeyConverter, err)
	}
	vc, vcfg := pick(KeyValueConverter)
	if cv.value, err = newConverter(vc, vcfg, false); err != nil {
		return nil, fmt.Errorf("%s: %w", KeyValueConverter, err)
	}
	hc, hcfg := pick(KeyHeaderConverter)
	if hc == "" {
		hc = "org.apache.kafka.connect.storage.SimpleHeaderConverter"
	}
	p, err := connect.LookupType(hc, connect.PluginHeaderConverter)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", KeyHeaderConverter, err)
	}
	cv.header, _ = p.NewHeaderConverter()
	if hcfg == nil {
		hcfg = map[string]string{}
	}
	hcfg["converter.type"] = "header"
	if err := cv.header.Configure(hcfg); err != nil {
		return nil, fmt.Errorf("%s %s: %w", KeyHeaderConverter, p.Class, err)
	}
	cv.keyClass, cv.valueClass = kc, vc
	return &cv, nil
}

func newConverter(class string, cfg map[string]string, isKey bool) (connect.Converter, error) {
	if class == "" {
		return nil, errors.New("no converter configured (set it on the worker or the connector)")
	}
	p, err := connect.LookupType(class, connect.PluginConverter)
	if err != nil {
		return nil, err
	}
	c := p.New().(connect.Converter)
	if isKey {
		cfg["converter.type"] = "key"
	} else {
		cfg["converter.type"] = "value"
	}
	if err := c.Configure(cfg, isKey); err != nil {
		return nil, fmt.Errorf("%s: %w", p.Class, err)
	}
	return c, nil
}
