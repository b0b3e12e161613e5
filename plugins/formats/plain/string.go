package plain

import (
	"fmt"
	"maps"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats/javatext"
)

// EncodingConfig is StringConverter's charset setting.
const EncodingConfig = "converter.encoding"

// StringConverter is Kafka's StringConverter: it writes any value as its string form (the
// schema is ignored) in the configured charset, and reads bytes as an optional STRING. It is
// safe for concurrent use once configured.
type StringConverter struct {
	cs *charset
}

// NewStringConverter returns a UTF-8 string converter, ready to use without Configure.
func NewStringConverter() *StringConverter {
	return &StringConverter{cs: utf8Charset}
}

// ConfigDef describes the converter's settings.
func (c *StringConverter) ConfigDef() *connect.ConfigDef {
	return converterConfigDef().Define(connect.ConfigKey{
		Name: EncodingConfig, Type: connect.ConfigString, Default: "UTF-8",
		Importance: connect.High, Width: connect.WidthMedium, DisplayName: "Encoding",
		Doc: "The name of the Java character set to use for encoding strings as byte arrays.",
	})
}

// Configure applies the settings; isKey sets converter.type as Kafka does.
func (c *StringConverter) Configure(config map[string]string, isKey bool) error {
	return c.configure(withType(config, converterType(isKey), true))
}

func (c *StringConverter) configure(config map[string]string) error {
	cfg, err := c.ConfigDef().Parse(config)
	if err != nil {
		return err
	}
	cs, err := lookupCharset(cfg.String(EncodingConfig))
	if err != nil {
		return fmt.Errorf("%s: %w", EncodingConfig, err)
	}
	c.cs = cs
	return nil
}

// FromConnectData writes the value's string form; nil stays nil.
func (c *StringConverter) FromConnectData(_ string, _ *connect.Headers, _ *connect.Schema, value any) ([]byte, error) {
	if value == nil {
		return nil, nil
	}
	if s, ok := value.(string); ok {
		if c.cs == utf8Charset {
			return []byte(s), nil
		}
		return c.cs.encode(make([]byte, 0, 2*len(s)+2), s), nil
	}
	return c.cs.encode(nil, JavaString(value)), nil
}

// ToConnectData reads the bytes as text: an optional STRING schema with the string, or with nil
// for nil bytes.
func (c *StringConverter) ToConnectData(_ string, _ connect.Headers, data []byte) (connect.SchemaAndValue, error) {
	if data == nil {
		return connect.SchemaAndValue{Schema: connect.OptionalStringSchema}, nil
	}
	return connect.SchemaAndValue{Schema: connect.OptionalStringSchema, Value: c.cs.decode(data)}, nil
}

// FromConnectHeader writes a header value as FromConnectData writes a record value.
func (c *StringConverter) FromConnectHeader(topic, _ string, schema *connect.Schema, value any) ([]byte, error) {
	return c.FromConnectData(topic, nil, schema, value)
}

// ToConnectHeader reads a header value as ToConnectData reads a record value.
func (c *StringConverter) ToConnectHeader(topic, _ string, data []byte) (connect.SchemaAndValue, error) {
	return c.ToConnectData(topic, nil, data)
}

// Close releases nothing.
func (c *StringConverter) Close() error { return nil }

// AsHeaderConverter returns the converter's header-converter face.
func (c *StringConverter) AsHeaderConverter() connect.HeaderConverter { return headerFace{c} }

var _ connect.Converter = (*StringConverter)(nil)

// JavaString returns the string form Java's toString gives the Connect value: numbers as Java
// prints them ("1.0", "1.0E10"), decimals as BigDecimal does, lists as "[a, b]", maps as
// "{k=v, k2=v2}" (keys sorted), structs as "Struct{a=1,b=x}", times as Date.toString in UTC. Bytes
// are taken as text: Java would print an array identity ("[B@1b6d3586"), which is of no use.
func JavaString(v any) string {
	var sb strings.Builder
	appendJavaString(&sb, v)
	return sb.String()
}

func appendJavaString(sb *strings.Builder, v any) {
	var buf [32]byte
	switch x := v.(type) {
	case nil:
		sb.WriteString("null")
	case string:
		sb.WriteString(x)
	case bool:
		sb.WriteString(strconv.FormatBool(x))
	case int8:
		sb.Write(strconv.AppendInt(buf[:0], int64(x), 10))
	case int16:
		sb.Write(strconv.AppendInt(buf[:0], int64(x), 10))
	case int32:
		sb.Write(strconv.AppendInt(buf[:0], int64(x), 10))
	case int64:
		sb.Write(strconv.AppendInt(buf[:0], x, 10))
	case int:
		sb.Write(strconv.AppendInt(buf[:0], int64(x), 10))
	case float32:
		sb.Write(javatext.AppendFloat(buf[:0], x))
	case float64:
		sb.Write(javatext.AppendDouble(buf[:0], x))
	case []byte:
		sb.Write(x)
	case connect.Decimal:
		sb.Write(javatext.AppendBigDecimal(buf[:0], x))
	case *big.Int:
		sb.WriteString(x.String())
	case time.Time:
		// java.util.Date.toString, in UTC: "Thu Jan 01 00:00:00 UTC 1970".
		sb.WriteString(x.UTC().Format("Mon Jan 02 15:04:05 MST 2006"))
	case []any:
		sb.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				sb.WriteString(", ")
			}
			appendJavaString(sb, e)
		}
		sb.WriteByte(']')
	case map[string]any:
		sb.WriteByte('{')
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(k)
			sb.WriteByte('=')
			appendJavaString(sb, x[k])
		}
		sb.WriteByte('}')
	case *connect.Struct:
		sb.WriteString("Struct{")
		first := true
		for i, f := range x.Schema().Fields {
			fv := x.RawIndex(i)
			if fv == nil {
				continue
			}
			if !first {
				sb.WriteByte(',')
			}
			first = false
			sb.WriteString(f.Name)
			sb.WriteByte('=')
			appendJavaString(sb, fv)
		}
		sb.WriteByte('}')
	case fmt.Stringer:
		sb.WriteString(x.String())
	default:
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Map:
			entries := sortedEntries(rv, func(k any) string { return JavaString(k) })
			sb.WriteByte('{')
			for i, e := range entries {
				if i > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString(e.text)
				sb.WriteByte('=')
				appendJavaString(sb, e.val)
			}
			sb.WriteByte('}')
		case reflect.Slice, reflect.Array:
			sb.WriteByte('[')
			for i := 0; i < rv.Len(); i++ {
				if i > 0 {
					sb.WriteString(", ")
				}
				appendJavaString(sb, rv.Index(i).Interface())
			}
			sb.WriteByte(']')
		default:
			fmt.Fprint(sb, v)
		}
	}
}

// entry is a map entry with its key's text, for writing maps in a stable order.
type entry struct {
	text string
	key  any
	val  any
}

// sortedEntries returns a map's entries ordered by the text of their keys.
func sortedEntries(rv reflect.Value, keyText func(any) string) []entry {
	out := make([]entry, 0, rv.Len())
	it := rv.MapRange()
	for it.Next() {
		k := it.Key().Interface()
		out = append(out, entry{text: keyText(k), key: k, val: it.Value().Interface()})
	}
	slices.SortFunc(out, func(a, b entry) int { return strings.Compare(a.text, b.text) })
	return out
}
