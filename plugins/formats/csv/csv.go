// Package csv is the `csv` format: one CSV record per Kafka message, with Flink's csv.* options
// and a row schema from configuration (csv.schema). It registers the format and a converter
// (io.raftconnect.formats.CsvConverter, alias "csv").
//
// # Text of each type
//
// Decoding and encoding agree, so every row round-trips exactly (see the limits below):
//
//	BOOLEAN            true / false (any case when reading)
//	TINYINT..BIGINT    decimal digits; surrounding spaces are ignored when reading
//	FLOAT, DOUBLE      as Java writes them (1.0, 1.0E-4, NaN, Infinity)
//	DECIMAL(p,s)       plain notation with exactly s fraction digits; reading never rounds: a
//	                   value with more fraction digits, or more than p digits, is an error
//	DATE               yyyy-MM-dd
//	TIME               HH:mm:ss[.fraction]
//	TIMESTAMP          yyyy-MM-dd HH:mm:ss[.fraction], UTC; reading also accepts a 'T' and a
//	                   zero offset (Z, +00:00); another offset (+08:00) would shift the wall
//	                   clock and is an error naming the column, as in Flink
//	TIMESTAMP_LTZ      the same; reading, a zone (Z, +08:00) is converted to UTC
//	BYTES              base64
//	STRING             as is
//	ARRAY<T>           elements joined by csv.array-element-delimiter (default ';')
//	ROW<...>           fields joined by csv.array-element-delimiter, positionally
//
// MAP columns, arrays of arrays or rows, and rows holding arrays or rows are rejected when the
// format is configured: their text would be ambiguous.
//
// # Nulls, quotes and escapes
//
// Writing, a field is quoted (RFC 4180: the quote character doubled inside) only when it needs
// to be: it holds the delimiter, the quote or escape character, or a line break; it is empty
// (so that an empty string differs from null); it equals csv.null-literal; or it is the first
// field, starts with '#' and csv.allow-comments is on. A null is written as csv.null-literal,
// or as an empty unquoted field when there is none. With csv.escape-character set, line breaks
// and the escape character itself are written as escape sequences (\n, \r, \\ for '\'), so a
// record always stays on one line; with csv.disable-quote-character, the escape character
// protects delimiters instead of quotes, and a value that needs protecting without an escape
// character is an error.
//
// Reading, a field written exactly as csv.null-literal (unquoted; matched before escapes are
// resolved, so a literal like \N works with '\' as the escape character) is null; without a
// null literal, an unquoted empty field is null. Otherwise an empty field is "" for STRING,
// empty for BYTES and ARRAY, and null for other types.
// The escape character makes the next character literal, except that \n, \r, \t and \0 stand
// for a newline, carriage return, tab and NUL, as in Jackson's CSV parser that Flink uses.
// A message holds one record: a trailing line break is allowed, a line break outside quotes
// before the end is an error. An empty message decodes to no row (as in Flink), except for a
// one-column schema, where it is a row holding null.
//
// Limits of exactness: with quoting disabled and no null literal, null and "" are both written
// as an empty field and read back as null; without a null literal, a null STRING element of an
// array or row reads back as "" (and an array holding only "" as an empty array); array elements
// and row fields cannot contain csv.array-element-delimiter (an error when writing). Everything a
// record decodes to encodes back to a record that decodes to the same row (FuzzDecode checks it).
package csv

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// Option names, as Flink names them; csv.schema is ours, since Flink takes the row type from the
// table's DDL.
const (
	OptSchema                = "csv.schema"
	OptFieldDelimiter        = "csv.field-delimiter"
	OptQuoteCharacter        = "csv.quote-character"
	OptDisableQuoteCharacter = "csv.disable-quote-character"
	OptAllowComments         = "csv.allow-comments"
	OptIgnoreParseErrors     = "csv.ignore-parse-errors"
	OptArrayElementDelimiter = "csv.array-element-delimiter"
	OptEscapeCharacter       = "csv.escape-character"
	OptNullLiteral           = "csv.null-literal"
)

// Name is the format's short name.
const Name = "csv"

// ConverterClass is the class name of the csv converter.
const ConverterClass = "io.raftconnect.formats.CsvConverter"

// Options returns the format's option definitions.
func Options() *connect.ConfigDef {
	return connect.NewConfigDef().
		Define(connect.ConfigKey{Name: OptSchema, Type: connect.ConfigString, Importance: connect.High,
			Doc: "The row type: a column list in Flink SQL syntax, e.g. 'id BIGINT NOT NULL, name STRING, " +
				"price DECIMAL(10,2), tags ARRAY<STRING>, ts TIMESTAMP(3)'. Required to decode; when encoding " +
				"without it, rows are written in their own schema's field order."}).
		Define(connect.ConfigKey{Name: OptFieldDelimiter, Type: connect.ConfigString, Default: ",",
			Doc: "Field delimiter character (',' by default). Java escapes such as '\\t' or '\\u0001' are understood."}).
		Define(connect.ConfigKey{Name: OptDisableQuoteCharacter, Type: connect.ConfigBoolean, Default: false,
			Doc: "Disable the quote character for enclosing field values (false by default); if true, " +
				"csv.quote-character cannot be set."}).
		Define(connect.ConfigKey{Name: OptQuoteCharacter, Type: connect.ConfigString, Default: `"`,
			Doc: "Quote character for enclosing field values ('\"' by default)."}).
		Define(connect.ConfigKey{Name: OptAllowComments, Type: connect.ConfigBoolean, Default: false,
			Doc: "Ignore comment lines that start with '#' (disabled by default)."}).
		Define(connect.ConfigKey{Name: OptIgnoreParseErrors, Type: connect.ConfigBoolean, Default: false,
			Doc: "Skip fields and rows with parse errors instead of failing; fields are set to null in case of errors."}).
		Define(connect.ConfigKey{Name: OptArrayElementDelimiter, Type: connect.ConfigString, Default: ";",
			Doc: "Array element delimiter string for separating array and row element values (';' by default)."}).
		Define(connect.ConfigKey{Name: OptEscapeCharacter, Type: connect.ConfigString,
			Doc: "Escape character for escaping values (disabled by default)."}).
		Define(connect.ConfigKey{Name: OptNullLiteral, Type: connect.ConfigString,
			Doc: "Null literal string that is interpreted as a null value (disabled by default)."})
}

func init() {
	formats.Register(formats.Format{
		Name:    Name,
		Options: Options(),
		NewDecoder: func(c *connect.Config) (formats.Decoder, error) {
			cfg, err := parseConfig(c)
			if err != nil {
				return nil, err
			}
			return newDecoder(cfg)
		},
		NewEncoder: func(c *connect.Config) (formats.Encoder, error) {
			cfg, err := parseConfig(c)
			if err != nil {
				return nil, err
			}
			return newEncoder(cfg), nil
		},
	})
	connect.Register(connect.Plugin{
		Class:   ConverterClass,
		Aliases: []string{Name},
		New:     func() any { return formats.NewRowConverter(Name) },
	})
}

// config is the parsed option set.
type config struct {
	schema       *connect.Schema // nil when not configured (encoding only)
	delim        byte
	quote        byte
	quoting      bool
	escape       byte
	hasEscape    bool
	comments     bool
	ignoreErrors bool
	arrayDelim   string
	// arrayDelimBytes is arrayDelim for bytes.Contains on the hot path.
	arrayDelimBytes []byte
	null            string
	hasNull         bool
}

func parseConfig(c *connect.Config) (*config, error) {
	cfg := &config{
		quoting:      !c.Bool(OptDisableQuoteCharacter),
		comments:     c.Bool(OptAllowComments),
		ignoreErrors: c.Bool(OptIgnoreParseErrors),
	}
	var err error
	if cfg.delim, err = parseChar(OptFieldDelimiter, untrimmed(c, OptFieldDelimiter)); err != nil {
		return nil, err
	}
	if _, set := c.Originals()[OptQuoteCharacter]; set && !cfg.quoting {
		return nil, fmt.Errorf("%s cannot be set when %s is true", OptQuoteCharacter, OptDisableQuoteCharacter)
	}
	if cfg.quoting {
		if cfg.quote, err = parseChar(OptQuoteCharacter, untrimmed(c, OptQuoteCharacter)); err != nil {
			return nil, err
		}
	}
	if e, set := c.Originals()[OptEscapeCharacter]; set {
		if cfg.escape, err = parseChar(OptEscapeCharacter, e); err != nil {
			return nil, err
		}
		cfg.hasEscape = true
	}
	if n, set := c.Originals()[OptNullLiteral]; set {
		cfg.null, cfg.hasNull = n, true
	}
	cfg.arrayDelim = untrimmed(c, OptArrayElementDelimiter)
	cfg.arrayDelimBytes = []byte(cfg.arrayDelim)
	switch {
	case cfg.quoting && cfg.quote == cfg.delim:
		return nil, fmt.Errorf("%s and %s are both %q", OptQuoteCharacter, OptFieldDelimiter, cfg.delim)
	case cfg.hasEscape && cfg.escape == cfg.delim:
		return nil, fmt.Errorf("%s and %s are both %q", OptEscapeCharacter, OptFieldDelimiter, cfg.delim)
	case cfg.hasEscape && cfg.quoting && cfg.escape == cfg.quote:
		return nil, fmt.Errorf("%s and %s are both %q (a quote is escaped by doubling it)", OptEscapeCharacter, OptQuoteCharacter, cfg.quote)
	case cfg.arrayDelim == "":
		return nil, fmt.Errorf("%s must not be empty", OptArrayElementDelimiter)
	case strings.ContainsAny(cfg.arrayDelim, "\r\n"):
		return nil, fmt.Errorf("%s must not contain a line break", OptArrayElementDelimiter)
	case cfg.hasNull && strings.ContainsAny(cfg.null, "\r\n"):
		return nil, fmt.Errorf("%s must not contain a line break", OptNullLiteral)
	case cfg.hasNull && cfg.comments && strings.HasPrefix(cfg.null, "#"):
		return nil, fmt.Errorf("%s %q starts with '#', which %s reads as a comment", OptNullLiteral, cfg.null, OptAllowComments)
	}
	if s := c.String(OptSchema); strings.TrimSpace(s) != "" {
		schema, err := formats.ParseColumns(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", OptSchema, err)
		}
		if err := checkSchema(schema); err != nil {
			return nil, fmt.Errorf("%s: %w", OptSchema, err)
		}
		cfg.schema = schema
	}
	return cfg, nil
}

// untrimmed returns an option as the user wrote it: the configuration parser trims strings as
// Kafka does, which would turn a space or tab delimiter into nothing.
func untrimmed(c *connect.Config, name string) string {
	if v, ok := c.Originals()[name]; ok {
		return v
	}
	return c.String(name)
}

// parseChar reads a one-character option, understanding Java escapes as Flink does
// (formats.UnescapeJava).
// The character must be ASCII and not a line break, since records are byte-scanned lines.
func parseChar(name, v string) (byte, error) {
	u, err := formats.UnescapeJava(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	if utf8.RuneCountInString(u) != 1 {
		return 0, fmt.Errorf("%s must be a single character, got %q", name, v)
	}
	if u[0] >= utf8.RuneSelf {
		return 0, fmt.Errorf("%s must be an ASCII character, got %q", name, v)
	}
	if u[0] == '\n' || u[0] == '\r' {
		return 0, fmt.Errorf("%s must not be a line break", name)
	}
	return u[0], nil
}

// checkSchema rejects types whose CSV text would be ambiguous.
func checkSchema(s *connect.Schema) error {
	for _, f := range s.Fields {
		if err := checkColumn(f.Schema, 0); err != nil {
			return fmt.Errorf("column %s: %w", f.Name, err)
		}
	}
	return nil
}

// checkColumn allows scalars anywhere, and arrays and rows of scalars at the top level.
func checkColumn(s *connect.Schema, depth int) error {
	switch s.Type {
	case connect.TypeMap:
		return fmt.Errorf("csv cannot hold a MAP")
	case connect.TypeArray:
		if depth > 0 {
			return fmt.Errorf("csv cannot hold an ARRAY inside an ARRAY or ROW")
		}
		return checkColumn(s.ValueSchema, depth+1)
	case connect.TypeStruct:
		if depth > 0 {
			return fmt.Errorf("csv cannot hold a ROW inside an ARRAY or ROW")
		}
		for _, f := range s.Fields {
			if err := checkColumn(f.Schema, depth+1); err != nil {
				return fmt.Errorf("field %s: %w", f.Name, err)
			}
		}
	}
	return nil
}
