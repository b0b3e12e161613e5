// Package raw is the `raw` format, Flink's raw format: a message is one value, bytes or text in
// a charset or a fixed-size binary number. It registers the format and a converter
// (io.raftconnect.formats.RawConverter, alias "raw").
//
// The column type comes from raw.type (Flink takes it from the table's single column):
//
//	BYTES (default), BINARY, VARBINARY   the message bytes as they are
//	STRING, VARCHAR, CHAR                the message decoded with raw.charset
//	BOOLEAN                              1 byte, non-zero is true (written as 0 or 1)
//	TINYINT                              1 byte
//	SMALLINT, INT, BIGINT                2, 4, 8 bytes, two's complement, in raw.endianness
//	FLOAT, DOUBLE                        4, 8 bytes, IEEE 754, in raw.endianness
//
// A message of the wrong size for a numeric type is an error, as in Flink. A Kafka null is a
// row holding null, and a null encodes to a null message. With raw.line-delimiter, a message is
// decoded as text in raw.charset, split at the delimiter (a trailing one ends the last line), and
// each part is one row; encoding appends the delimiter to each value.
//
// The format is binary: `worker convert` reads and writes its messages hex- or base64-encoded.
package raw

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// Option names; raw.charset, raw.endianness and raw.line-delimiter are Flink's, raw.type is ours.
const (
	OptCharset       = "raw.charset"
	OptEndianness    = "raw.endianness"
	OptLineDelimiter = "raw.line-delimiter"
	OptType          = "raw.type"
)

// Name is the format's short name.
const Name = "raw"

// ConverterClass is the class name of the raw converter.
const ConverterClass = "io.raftconnect.formats.RawConverter"

// Options returns the format's option definitions.
func Options() *connect.ConfigDef {
	return connect.NewConfigDef().
		Define(connect.ConfigKey{Name: OptType, Type: connect.ConfigString, Default: "BYTES",
			Doc: "Type of the single column: BYTES, STRING, BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT or DOUBLE " +
				"(Flink SQL names, e.g. VARCHAR and VARBINARY, work too)."}).
		Define(connect.ConfigKey{Name: OptCharset, Type: connect.ConfigString, Default: "UTF-8",
			Doc: "Charset of STRING values: UTF-8 (default), ISO-8859-1 (latin1), US-ASCII, UTF-16BE, UTF-16LE or UTF-16."}).
		Define(connect.ConfigKey{Name: OptEndianness, Type: connect.ConfigString, Default: "big-endian",
			Validator:   connect.OneOf(true, "big-endian", "little-endian"),
			Recommended: []string{"big-endian", "little-endian"},
			Doc:         "Byte order of numeric values: big-endian (default) or little-endian."}).
		Define(connect.ConfigKey{Name: OptLineDelimiter, Type: connect.ConfigString,
			Doc: "Optional line delimiter (Java escapes such as '\\n' or '\\r\\n' work): decoding splits each message " +
				"into one row per line, encoding appends it to each value."})
}

func init() {
	formats.Register(formats.Format{
		Name:    Name,
		Options: Options(),
		Binary:  true,
		NewDecoder: func(c *connect.Config) (formats.Decoder, error) {
			return newCodec(c)
		},
		NewEncoder: func(c *connect.Config) (formats.Encoder, error) {
			return newCodec(c)
		},
	})
	connect.Register(connect.Plugin{
		Class:   ConverterClass,
		Aliases: []string{Name},
		New:     func() any { return formats.NewRowConverter(Name) },
	})
}

type kind uint8

const (
	kBytes kind = iota
	kString
	kBool
	kInt8
	kInt16
	kInt32
	kInt64
	kFloat32
	kFloat64
)

var kindNames = [...]string{"BYTES", "STRING", "BOOLEAN", "TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "DOUBLE"}

// sizes are the message sizes of the fixed-size kinds.
var sizes = [...]int{kBool: 1, kInt8: 1, kInt16: 2, kInt32: 4, kInt64: 8, kFloat32: 4, kFloat64: 8}

// codec is the decoder and encoder; it keeps no per-message state.
type codec struct {
	kind   kind
	schema *connect.Schema
	cs     *charset
	order  binary.ByteOrder
	// delim is raw.line-delimiter as text and as bytes in the charset; nil without one.
	delim      string
	delimBytes []byte
}

func newCodec(c *connect.Config) (*codec, error) {
	cd := &codec{order: binary.BigEndian}
	t, err := formats.ParseType(c.String(OptType))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", OptType, err)
	}
	switch {
	case t.Name != "":
		return nil, fmt.Errorf("%s: the raw format does not support %s", OptType, formats.FormatType(t))
	case t.Type == connect.TypeBytes:
		cd.kind = kBytes
	case t.Type == connect.TypeString:
		cd.kind = kString
	case t.Type == connect.TypeBoolean:
		cd.kind = kBool
	case t.Type == connect.TypeInt8:
		cd.kind = kInt8
	case t.Type == connect.TypeInt16:
		cd.kind = kInt16
	case t.Type == connect.TypeInt32:
		cd.kind = kInt32
	case t.Type == connect.TypeInt64:
		cd.kind = kInt64
	case t.Type == connect.TypeFloat32:
		cd.kind = kFloat32
	case t.Type == connect.TypeFloat64:
		cd.kind = kFloat64
	default:
		return nil, fmt.Errorf("%s: the raw format holds one scalar column, not %s", OptType, formats.FormatType(t))
	}
	// The value may be null whatever the type says: a Kafka null is a null column.
	cd.schema = &connect.Schema{Type: t.Type, Optional: true}
	if cd.cs, err = lookupCharset(c.String(OptCharset)); err != nil {
		return nil, fmt.Errorf("%s: %w", OptCharset, err)
	}
	if strings.EqualFold(c.String(OptEndianness), "little-endian") {
		cd.order = binary.LittleEndian
	}
	if d, set := c.Originals()[OptLineDelimiter]; set {
		if cd.delim, err = formats.UnescapeJava(d); err != nil {
			return nil, fmt.Errorf("%s: %w", OptLineDelimiter, err)
		}
		if cd.delim == "" {
			return nil, fmt.Errorf("%s must not be empty", OptLineDelimiter)
		}
		if cd.delimBytes, err = cd.cs.encode(nil, cd.delim); err != nil {
			return nil, fmt.Errorf("%s in %s: %w", OptLineDelimiter, cd.cs.name, err)
		}
	}
	return cd, nil
}

// Decode returns the message as one row, or one row per line with raw.line-delimiter.
func (cd *codec) Decode(data []byte) ([]formats.Row, error) {
	if data == nil {
		return []formats.Row{{Op: formats.Insert, Schema: cd.schema}}, nil
	}
	if cd.delim == "" {
		v, err := cd.value(data)
		if err != nil {
			return nil, err
		}
		return []formats.Row{{Op: formats.Insert, Schema: cd.schema, Value: v}}, nil
	}
	text, err := cd.cs.decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cd.cs.name, err)
	}
	parts := strings.Split(text, cd.delim)
	if parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	rows := make([]formats.Row, len(parts))
	for i, p := range parts {
		var v any = p
		if cd.kind != kString {
			b, err := cd.cs.encode(nil, p)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", i+1, err)
			}
			if v, err = cd.value(b); err != nil {
				return nil, fmt.Errorf("line %d: %w", i+1, err)
			}
		}
		rows[i] = formats.Row{Op: formats.Insert, Schema: cd.schema, Value: v}
	}
	return rows, nil
}

func (cd *codec) value(b []byte) (any, error) {
	if cd.kind >= kBool {
		if want := sizes[cd.kind]; len(b) != want {
			return nil, fmt.Errorf("a %s message must have %d bytes, this one has %d", kindNames[cd.kind], want, len(b))
		}
	}
	switch cd.kind {
	case kBytes:
		out := make([]byte, len(b)) // a copy: callers may reuse the message buffer
		copy(out, b)
		return out, nil
	case kString:
		s, err := cd.cs.decode(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cd.cs.name, err)
		}
		return s, nil
	case kBool:
		return b[0] != 0, nil
	case kInt8:
		return int8(b[0]), nil
	case kInt16:
		return int16(cd.order.Uint16(b)), nil
	case kInt32:
		return int32(cd.order.Uint32(b)), nil
	case kInt64:
		return int64(cd.order.Uint64(b)), nil
	case kFloat32:
		return math.Float32frombits(cd.order.Uint32(b)), nil
	}
	return math.Float64frombits(cd.order.Uint64(b)), nil
}

// Encode writes each Insert and UpdateAfter row's value as one message. A row may hold the value
// itself, or a struct or map with exactly one field (a one-column table from another format).
// Raw bytes hold no change operation (Flink's raw format is insert-only): formats.EncodeInsertOnly
// skips an UpdateBefore row and refuses a Delete or a DDL row. A row without a value, or whose
// one column is null, becomes a nil message (a tombstone).
func (cd *codec) Encode(rows []formats.Row) ([][]byte, error) {
	return formats.EncodeInsertOnly(Name, rows, cd.encode)
}

func (cd *codec) encode(r *formats.Row) ([]byte, error) {
	v := r.Value
	switch x := v.(type) {
	case *connect.Struct:
		fs := x.Schema().Fields
		if len(fs) != 1 {
			return nil, fmt.Errorf("the raw format holds one column; the row has %d (%s)", len(fs), formats.FormatColumns(x.Schema()))
		}
		v = x.GetIndex(0)
	case map[string]any:
		if len(x) != 1 {
			return nil, fmt.Errorf("the raw format holds one column; the row has %d fields", len(x))
		}
		for _, e := range x {
			v = e
		}
	}
	if v == nil {
		return nil, nil
	}
	var dst []byte
	switch cd.kind {
	case kBytes:
		switch x := v.(type) {
		case []byte:
			dst = append(make([]byte, 0, len(x)+len(cd.delimBytes)), x...)
		case string:
			// Text becomes its bytes in the charset (not base64, which Coerce would read).
			var err error
			if dst, err = cd.cs.encode(make([]byte, 0, len(x)+len(cd.delimBytes)), x); err != nil {
				return nil, fmt.Errorf("%s: %w", cd.cs.name, err)
			}
		default:
			return nil, fmt.Errorf("cannot write %T as BYTES", v)
		}
	case kString:
		s, ok := v.(string)
		if !ok {
			if b, isBytes := v.([]byte); isBytes {
				var err error
				if s, err = cd.cs.decode(b); err != nil {
					return nil, fmt.Errorf("%s: %w", cd.cs.name, err)
				}
			} else {
				cv, err := formats.Coerce(cd.schema, v)
				if err != nil {
					return nil, err
				}
				s = cv.(string)
			}
		}
		var err error
		if dst, err = cd.cs.encode(make([]byte, 0, len(s)+len(cd.delimBytes)), s); err != nil {
			return nil, fmt.Errorf("%s: %w", cd.cs.name, err)
		}
	default:
		cv, err := formats.Coerce(cd.schema, v)
		if err != nil {
			return nil, err
		}
		dst = make([]byte, sizes[cd.kind], sizes[cd.kind]+len(cd.delimBytes))
		switch x := cv.(type) {
		case bool:
			if x {
				dst[0] = 1
			}
		case int8:
			dst[0] = byte(x)
		case int16:
			cd.order.PutUint16(dst, uint16(x))
		case int32:
			cd.order.PutUint32(dst, uint32(x))
		case int64:
			cd.order.PutUint64(dst, uint64(x))
		case float32:
			cd.order.PutUint32(dst, math.Float32bits(x))
		case float64:
			cd.order.PutUint64(dst, math.Float64bits(x))
		}
	}
	return append(dst, cd.delimBytes...), nil
}
