package connect

import (
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ConfigType is the type of a configuration key, named as in Kafka's ConfigDef.
type ConfigType string

// Configuration key types.
const (
	ConfigBoolean  ConfigType = "BOOLEAN"
	ConfigString   ConfigType = "STRING"
	ConfigInt      ConfigType = "INT"
	ConfigShort    ConfigType = "SHORT"
	ConfigLong     ConfigType = "LONG"
	ConfigDouble   ConfigType = "DOUBLE"
	ConfigList     ConfigType = "LIST"
	ConfigClass    ConfigType = "CLASS"
	ConfigPassword ConfigType = "PASSWORD"
)

// Importance of a configuration key.
type Importance string

// Importance levels.
const (
	High   Importance = "HIGH"
	Medium Importance = "MEDIUM"
	Low    Importance = "LOW"
)

// Width is the display width hint of a configuration key.
type Width string

// Display widths.
const (
	WidthNone   Width = "NONE"
	WidthShort  Width = "SHORT"
	WidthMedium Width = "MEDIUM"
	WidthLong   Width = "LONG"
)

// Password is a secret configuration value. It prints as [hidden] so it never reaches logs or
// REST responses by accident; Value returns the secret.
type Password string

// String hides the secret.
func (Password) String() string { return "[hidden]" }

// GoString hides the secret from %#v.
func (Password) GoString() string { return "[hidden]" }

// MarshalText hides the secret from JSON and text encoders.
func (Password) MarshalText() ([]byte, error) { return []byte("[hidden]"), nil }

// LogValue hides the secret from log/slog.
func (Password) LogValue() slog.Value { return slog.StringValue("[hidden]") }

// Value returns the secret.
func (p Password) Value() string { return string(p) }

// Validator checks a parsed configuration value (nil when the key is unset and has no default).
type Validator interface {
	Validate(name string, value any) error
}

// ValidatorFunc adapts a function to a Validator.
type ValidatorFunc func(name string, value any) error

// Validate calls f.
func (f ValidatorFunc) Validate(name string, value any) error { return f(name, value) }

// ConfigKey defines one configuration key.
type ConfigKey struct {
	Name string
	Type ConfigType
	// Default is the value used when the key is absent: a typed value (int for INT, []string for
	// LIST, ...) or its string form. Leave it nil with Required unset for "no value".
	Default any
	// Required keys have no default: an absent key is an error.
	Required    bool
	Validator   Validator
	Importance  Importance
	Doc         string
	Group       string
	Order       int
	Width       Width
	DisplayName string
	Dependents  []string
	// Recommended lists suggested values shown by the validate endpoint.
	Recommended []string
}

// ConfigDef is an ordered set of configuration keys. It drives validation, parsing, and the
// REST endpoints that describe and validate plugin configurations.
type ConfigDef struct {
	keys  []ConfigKey
	index map[string]int
}

// NewConfigDef returns an empty definition.
func NewConfigDef() *ConfigDef { return &ConfigDef{index: map[string]int{}} }

// Define adds a key. A string default is parsed with the key's type; an invalid default or a
// repeated name is a programming error and panics, like Kafka's ConfigDef.
func (d *ConfigDef) Define(k ConfigKey) *ConfigDef {
	if _, dup := d.index[k.Name]; dup {
		panic(fmt.Sprintf("connect: configuration key %q defined twice", k.Name))
	}
	if k.Importance == "" {
		k.Importance = Medium
	}
	if k.Width == "" {
		k.Width = WidthNone
	}
	if k.DisplayName == "" {
		k.DisplayName = k.Name
	}
	if k.Group == "" && k.Order == 0 {
		k.Order = -1
	}
	if s, ok := k.Default.(string); ok && k.Type != ConfigString && k.Type != ConfigClass {
		v, err := ParseConfigValue(k.Type, s)
		if err != nil {
			panic(fmt.Sprintf("connect: default of %q: %v", k.Name, err))
		}
		k.Default = v
	} else if k.Default != nil {
		v, err := normalise(k.Type, k.Default)
		if err != nil {
			panic(fmt.Sprintf("connect: default of %q: %v", k.Name, err))
		}
		k.Default = v
	}
	if d.index == nil {
		d.index = map[string]int{}
	}
	d.index[k.Name] = len(d.keys)
	d.keys = append(d.keys, k)
	return d
}

// Keys returns the keys in definition order.
func (d *ConfigDef) Keys() []ConfigKey {
	if d == nil {
		return nil
	}
	return slices.Clone(d.keys)
}

// Key returns the key called name.
func (d *ConfigDef) Key(name string) (ConfigKey, bool) {
	if d == nil {
		return ConfigKey{}, false
	}
	i, ok := d.index[name]
	if !ok {
		return ConfigKey{}, false
	}
	return d.keys[i], true
}

// Groups returns the group names in order of first appearance.
func (d *ConfigDef) Groups() []string {
	var out []string
	for _, k := range d.Keys() {
		if k.Group != "" && !slices.Contains(out, k.Group) {
			out = append(out, k.Group)
		}
	}
	return out
}

// With returns a new definition with d's keys followed by other's keys that d lacks.
func (d *ConfigDef) With(other *ConfigDef) *ConfigDef {
	out := NewConfigDef()
	for _, k := range d.Keys() {
		out.Define(k)
	}
	for _, k := range other.Keys() {
		if _, ok := out.index[k.Name]; !ok {
			out.Define(k)
		}
	}
	return out
}

// ConfigValue is the validation result of one key.
type ConfigValue struct {
	Name              string
	Value             any
	RecommendedValues []string
	Errors            []string
	Visible           bool
}

// Validate checks props against every key and returns one result per key, in definition order.
// It never stops at the first error: the REST validate endpoint shows them all.
func (d *ConfigDef) Validate(props map[string]string) []ConfigValue {
	out := make([]ConfigValue, 0, len(d.Keys()))
	for _, k := range d.Keys() {
		cv := ConfigValue{Name: k.Name, Visible: true, RecommendedValues: k.Recommended}
		v, err := parseKey(k, props)
		cv.Value = v
		if err != nil {
			cv.Errors = append(cv.Errors, err.Error())
		}
		out = append(out, cv)
	}
	return out
}

// Parse validates props and returns the typed values. The error lists every problem.
func (d *ConfigDef) Parse(props map[string]string) (*Config, error) {
	values := make(map[string]any, len(d.Keys()))
	var errs []string
	for _, k := range d.Keys() {
		v, err := parseKey(k, props)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		values[k.Name] = v
	}
	if len(errs) > 0 {
		return nil, &ConfigError{Errors: errs}
	}
	return &Config{values: values, originals: props}, nil
}

// ConfigError lists every problem found in a configuration.
type ConfigError struct{ Errors []string }

func (e *ConfigError) Error() string {
	if len(e.Errors) == 1 {
		return e.Errors[0]
	}
	return fmt.Sprintf("%d configuration errors: %s", len(e.Errors), strings.Join(e.Errors, "; "))
}

func parseKey(k ConfigKey, props map[string]string) (any, error) {
	v, err := parseKeyValue(k, props)
	if k.IsSecret() {
		// A parse error or a validator may echo the value; a secret never leaves in an error.
		err = redactErr(err, props[k.Name])
	}
	return v, err
}

func parseKeyValue(k ConfigKey, props map[string]string) (any, error) {
	raw, present := props[k.Name]
	var v any
	switch {
	case present:
		p, err := ParseConfigValue(k.Type, raw)
		if err != nil {
			return nil, fmt.Errorf("Invalid value %s for configuration %s: %v", raw, k.Name, err)
		}
		v = p
	case k.Required:
		return nil, fmt.Errorf("Missing required configuration \"%s\" which has no default value.", k.Name)
	default:
		v = k.Default
	}
	if k.Validator != nil {
		if err := k.Validator.Validate(k.Name, v); err != nil {
			return v, err
		}
	}
	return v, nil
}

// ParseConfigValue parses the string form of a value of type t: "true"/"false" for BOOLEAN
// (case-insensitive), decimal numbers, comma-separated trimmed lists (empty string = empty list).
func ParseConfigValue(t ConfigType, s string) (any, error) {
	trimmed := strings.TrimSpace(s)
	switch t {
	case ConfigBoolean:
		switch strings.ToLower(trimmed) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("Expected value to be either true or false")
	case ConfigString, ConfigClass:
		// Kafka trims string values: "topic = orders " in a properties file means "orders".
		return trimmed, nil
	case ConfigPassword:
		return Password(trimmed), nil
	case ConfigInt:
		n, err := strconv.ParseInt(trimmed, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("Not a number of type INT")
		}
		return int(n), nil
	case ConfigShort:
		n, err := strconv.ParseInt(trimmed, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("Not a number of type SHORT")
		}
		return int(n), nil
	case ConfigLong:
		n, err := strconv.ParseInt(trimmed, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("Not a number of type LONG")
		}
		return n, nil
	case ConfigDouble:
		f, err := strconv.ParseFloat(trimmed, 64)
		if err != nil {
			return nil, fmt.Errorf("Not a number of type DOUBLE")
		}
		return f, nil
	case ConfigList:
		if trimmed == "" {
			return []string{}, nil
		}
		parts := strings.Split(trimmed, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return parts, nil
	}
	return nil, fmt.Errorf("unknown configuration type %q", t)
}

// normalise turns a typed default into the type Parse returns.
func normalise(t ConfigType, v any) (any, error) {
	switch t {
	case ConfigInt, ConfigShort:
		switch n := v.(type) {
		case int:
			return n, nil
		case int32:
			return int(n), nil
		case int64:
			return int(n), nil
		}
	case ConfigLong:
		switch n := v.(type) {
		case int:
			return int64(n), nil
		case int64:
			return n, nil
		}
	case ConfigDouble:
		switch n := v.(type) {
		case float64:
			return n, nil
		case int:
			return float64(n), nil
		}
	case ConfigBoolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case ConfigList:
		if l, ok := v.([]string); ok {
			return l, nil
		}
	case ConfigPassword:
		switch p := v.(type) {
		case Password:
			return p, nil
		case string:
			return Password(p), nil
		}
	case ConfigString, ConfigClass:
		if s, ok := v.(string); ok {
			return s, nil
		}
	}
	return nil, fmt.Errorf("value %v (%T) does not fit type %s", v, v, t)
}

// ConfigValueString renders a parsed value the way Kafka's REST API shows it: lists
// comma-joined, passwords as [hidden], nil as "".
func ConfigValueString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case Password:
		return x.String()
	case []string:
		return strings.Join(x, ",")
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

// Config holds parsed configuration values.
type Config struct {
	values    map[string]any
	originals map[string]string
}

// Get returns the parsed value of a key.
func (c *Config) Get(name string) any { return c.values[name] }

// String returns a STRING or CLASS value.
func (c *Config) String(name string) string { s, _ := c.values[name].(string); return s }

// Int returns an INT or SHORT value.
func (c *Config) Int(name string) int { n, _ := c.values[name].(int); return n }

// Long returns a LONG value.
func (c *Config) Long(name string) int64 { n, _ := c.values[name].(int64); return n }

// Double returns a DOUBLE value.
func (c *Config) Double(name string) float64 { f, _ := c.values[name].(float64); return f }

// Bool returns a BOOLEAN value.
func (c *Config) Bool(name string) bool { b, _ := c.values[name].(bool); return b }

// List returns a LIST value.
func (c *Config) List(name string) []string { l, _ := c.values[name].([]string); return l }

// Password returns a PASSWORD value.
func (c *Config) Password(name string) Password { p, _ := c.values[name].(Password); return p }

// Originals returns the configuration as given, including keys the definition does not know.
func (c *Config) Originals() map[string]string { return c.originals }

// Validators.

// AtLeast accepts numbers ≥ min (nil passes: pair with Required to forbid absence).
func AtLeast(min float64) Validator { return Range(min, float64Inf) }

const float64Inf = 1.797693134862315708145274237317043567981e+308

// Range accepts numbers within [min, max].
func Range(min, max float64) Validator {
	return ValidatorFunc(func(name string, v any) error {
		if v == nil {
			return nil
		}
		var f float64
		switch n := v.(type) {
		case int:
			f = float64(n)
		case int64:
			f = float64(n)
		case float64:
			f = n
		default:
			return nil
		}
		if f < min {
			return fmt.Errorf("Invalid value %v for configuration %s: Value must be at least %v", v, name, trimFloat(min))
		}
		if f > max {
			return fmt.Errorf("Invalid value %v for configuration %s: Value must be no more than %v", v, name, trimFloat(max))
		}
		return nil
	})
}

func trimFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// OneOf accepts one of the given strings, case-insensitively when fold is true.
func OneOf(fold bool, allowed ...string) Validator {
	return ValidatorFunc(func(name string, v any) error {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		for _, a := range allowed {
			if s == a || (fold && strings.EqualFold(s, a)) {
				return nil
			}
		}
		if fold {
			return fmt.Errorf("Invalid value %s for configuration %s: String must be one of (case insensitive): %s", s, name, strings.Join(allowed, ", "))
		}
		return fmt.Errorf("Invalid value %s for configuration %s: String must be one of: %s", s, name, strings.Join(allowed, ", "))
	})
}

// NonEmptyString rejects an empty (or blank) string; nil passes.
func NonEmptyString() Validator {
	return ValidatorFunc(func(name string, v any) error {
		if s, ok := v.(string); ok && strings.TrimSpace(s) == "" {
			return fmt.Errorf("Invalid value %s for configuration %s: String must be non-empty", s, name)
		}
		return nil
	})
}

// NonEmptyList rejects an empty list.
func NonEmptyList() Validator {
	return ValidatorFunc(func(name string, v any) error {
		if l, ok := v.([]string); ok && len(l) == 0 {
			return fmt.Errorf("Invalid value for configuration %s: Empty list", name)
		}
		return nil
	})
}

// ValidRegex accepts a string that compiles as a regular expression.
func ValidRegex() Validator {
	return ValidatorFunc(func(name string, v any) error {
		s, ok := v.(string)
		if !ok || s == "" {
			return nil
		}
		if _, err := regexp.Compile(s); err != nil {
			return fmt.Errorf("Invalid value %s for configuration %s: %v", s, name, err)
		}
		return nil
	})
}

// AllOf runs validators in order and returns the first error.
func AllOf(vs ...Validator) Validator {
	return ValidatorFunc(func(name string, v any) error {
		for _, x := range vs {
			if err := x.Validate(name, v); err != nil {
				return err
			}
		}
		return nil
	})
}
