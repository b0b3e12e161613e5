package cdc

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// DDLMode says what a decoder does with schema-change messages (Canal isDdl, Maxwell's
// table-create/..., Debezium's schema-change events and truncates).
type DDLMode uint8

// DDL modes.
const (
	// DDLSkip drops them: the message decodes to no rows.
	DDLSkip DDLMode = iota
	// DDLSurface returns one row with Row.DDL holding the statement.
	DDLSurface
	// DDLFail makes them a decode error.
	DDLFail
)

// DDLModeValues are the accepted values of `<format>.ddl.handling`.
var DDLModeValues = []string{"skip", "surface", "fail"}

// ParseDDLMode parses a `<format>.ddl.handling` value, case-insensitively.
func ParseDDLMode(s string) (DDLMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "skip":
		return DDLSkip, nil
	case "surface":
		return DDLSurface, nil
	case "fail":
		return DDLFail, nil
	}
	return 0, fmt.Errorf("unsupported DDL handling %q (want skip, surface or fail)", s)
}

// Option names shared by the CDC formats, without the "<format>." prefix.
const (
	OptIgnoreParseErrors = "ignore-parse-errors"
	OptTimestampStandard = "timestamp-format.standard"
	OptPrimitiveAsString = "infer-schema.primitive-as-string"
	OptExactDecimal      = "infer-schema.exact-decimal"
	OptDDLHandling       = "ddl.handling"
)

// DefineCommon adds the options every CDC format has, named "<format>.<option>".
func DefineCommon(def *connect.ConfigDef, format string) *connect.ConfigDef {
	def.Define(connect.ConfigKey{
		Name: format + "." + OptIgnoreParseErrors, Type: connect.ConfigBoolean, Default: false,
		Importance: connect.Medium,
		Doc: "Skip messages that cannot be parsed (they decode to no rows) instead of failing. " +
			"Tombstones and filtered messages are never errors.",
	})
	def.Define(connect.ConfigKey{
		Name: format + "." + OptPrimitiveAsString, Type: connect.ConfigBoolean, Default: false,
		Importance: connect.Low,
		Doc: "When column types are inferred from JSON values, type every number and boolean " +
			"as STRING (keeping its JSON text).",
	})
	def.Define(connect.ConfigKey{
		Name: format + "." + OptExactDecimal, Type: connect.ConfigBoolean, Default: true,
		Importance: connect.Low,
		Doc: "When column types are inferred from JSON values, type numbers with a fraction or " +
			"exponent as exact DECIMALs keeping their written scale (1.10 stays 1.10, " +
			"12345678901234567.89 keeps every digit), so that no round trip changes a number. " +
			"false types them as DOUBLE, as Flink does. Integers beyond the 64-bit range are " +
			"always exact DECIMALs.",
	})
	def.Define(connect.ConfigKey{
		Name: format + "." + OptDDLHandling, Type: connect.ConfigString, Default: "skip",
		Validator: connect.OneOf(true, DDLModeValues...), Recommended: DDLModeValues,
		Importance: connect.Medium,
		Doc: "What to do with schema-change (DDL) messages: 'skip' drops them, 'surface' " +
			"returns one row carrying the statement (Row.DDL), 'fail' makes them an error.",
	})
	return def
}

// Common holds the parsed common options.
type Common struct {
	IgnoreParseErrors bool
	Infer             InferOptions
	DDL               DDLMode
}

// ParseCommon reads the common options of format from opts.
func ParseCommon(opts *connect.Config, format string) (Common, error) {
	ddl, err := ParseDDLMode(opts.String(format + "." + OptDDLHandling))
	if err != nil {
		return Common{}, err
	}
	return Common{
		IgnoreParseErrors: opts.Bool(format + "." + OptIgnoreParseErrors),
		Infer: InferOptions{
			PrimitiveAsString: opts.Bool(format + "." + OptPrimitiveAsString),
			ExactDecimal:      opts.Bool(format + "." + OptExactDecimal),
		},
		DDL: ddl,
	}, nil
}

// TimestampStandard reads `<format>.timestamp-format.standard`.
func TimestampStandard(opts *connect.Config, format string) (formats.TimestampFormat, error) {
	return formats.ParseTimestampFormat(opts.String(format + "." + OptTimestampStandard))
}

// ErrDDL is returned (wrapped) for a DDL message when the DDL mode is DDLFail.
var ErrDDL = fmt.Errorf("schema-change message")

// Register registers a CDC format and its Connect converter, whose plugin class is class with
// the format's name as an alias. Call it from init().
func Register[D formats.Decoder, E formats.Encoder](name, class string, options *connect.ConfigDef,
	newDecoder func(*connect.Config) (D, error), newEncoder func(*connect.Config) (E, error), newConverter func() *Converter) {
	formats.Register(formats.Format{
		Name:    name,
		Options: options,
		NewDecoder: func(opts *connect.Config) (formats.Decoder, error) {
			return newDecoder(opts)
		},
		NewEncoder: func(opts *connect.Config) (formats.Encoder, error) {
			return newEncoder(opts)
		},
	})
	connect.Register(connect.Plugin{
		Class:   class,
		Aliases: []string{name},
		New:     func() any { return newConverter() },
	})
}

// Decode is the Decode method of every CDC decoder: an empty or blank message is a tombstone
// (no rows); decode runs under mu on the message's text; its error is named after format, or
// dropped (no rows) when c.IgnoreParseErrors says so, except a DDL message refused by DDLFail.
func (c *Common) Decode(format string, mu *sync.Mutex, data []byte, decode func(text string) ([]formats.Row, error)) ([]formats.Row, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	mu.Lock()
	defer mu.Unlock()
	rows, err := decode(string(data))
	if err != nil {
		if c.IgnoreParseErrors && !errors.Is(err, ErrDDL) {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: %w", format, err)
	}
	return rows, nil
}
