package avro

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// encode appends the Avro binary form of v. v is a Connect value (as a *connect.Struct of any
// schema whose fields the record has) or a schemaless one as encoding/json produces it
// (map[string]any, []any, float64, json.Number, string, bool, nil). Numbers convert between
// widths only when the value fits exactly; nothing is rounded except float64 → Avro float.
func (n *node) encode(b []byte, v any) ([]byte, error) {
	if v == nil {
		if n.kind == kNull {
			return b, nil
		}
		if n.kind == kUnion && n.nullIdx >= 0 {
			return appendLong(b, int64(n.nullIdx)), nil
		}
		return nil, fmt.Errorf("null for non-nullable Avro %s", n.what)
	}
	switch n.kind {
	case kNull:
		return nil, fmt.Errorf("Avro null cannot hold %T", v)
	case kBoolean:
		if x, ok := v.(bool); ok {
			return appendBool(b, x), nil
		}
	case kInt:
		return n.encodeInt(b, v)
	case kLong:
		return n.encodeLong(b, v)
	case kFloat:
		switch x := v.(type) {
		case float32:
			return appendFloat(b, x), nil
		case float64:
			return appendFloat(b, float32(x)), nil
		case json.Number:
			// Rounded once, straight to float32.
			f, err := strconv.ParseFloat(string(x), 32)
			if err != nil {
				return nil, fmt.Errorf("%s is not a float", x)
			}
			return appendFloat(b, float32(f)), nil
		case connect.Decimal:
			return appendFloat(b, float32(decimalFloat(x, 32))), nil
		}
		if f, ok := toFloat(v); ok {
			return appendFloat(b, float32(f)), nil
		}
	case kDouble:
		switch x := v.(type) {
		case float64:
			return appendDouble(b, x), nil
		case float32:
			return appendDouble(b, float64(x)), nil
		}
		if f, ok := toFloat(v); ok {
			return appendDouble(b, f), nil
		}
	case kString:
		if s, ok := v.(string); ok {
			return appendString(b, s), nil
		}
	case kBytes:
		if n.logical == lDecimal {
			u, err := n.decimalUnscaled(v)
			if err != nil {
				return nil, err
			}
			return appendBytes(b, connect.DecimalToBytes(connect.Decimal{Unscaled: u, Scale: n.scale})), nil
		}
		switch x := v.(type) {
		case []byte:
			return appendBytes(b, x), nil
		case string:
			raw, err := base64.StdEncoding.DecodeString(x)
			if err != nil {
				return nil, fmt.Errorf("string for Avro bytes is not base64: %w", err)
			}
			return appendBytes(b, raw), nil
		}
	case kFixed:
		return n.encodeFixed(b, v)
	case kEnum:
		if s, ok := v.(string); ok {
			i, ok := n.symbolIdx[s]
			if !ok {
				return nil, fmt.Errorf("%q is not a symbol of Avro %s (%s)", s, n.what, strings.Join(n.symbols, ", "))
			}
			return appendLong(b, int64(i)), nil
		}
	case kArray:
		if arr, ok := v.([]any); ok {
			if len(arr) == 0 {
				return append(b, 0), nil
			}
			b = appendLong(b, int64(len(arr)))
			var err error
			for i, e := range arr {
				if b, err = n.items.encode(b, e); err != nil {
					return nil, fmt.Errorf("[%d]: %w", i, err)
				}
			}
			return append(b, 0), nil
		}
	case kMap:
		return n.encodeMap(b, v)
	case kMapEntries:
		return n.encodeEntries(b, v)
	case kRecord:
		switch x := v.(type) {
		case *connect.Struct:
			return n.encodeStruct(b, x)
		case map[string]any:
			return n.encodeObject(b, x)
		}
	case kUnion:
		return n.encodeUnion(b, v)
	}
	return nil, fmt.Errorf("Avro %s cannot hold %T", n.what, v)
}

func (n *node) encodeStruct(b []byte, st *connect.Struct) ([]byte, error) {
	m, err := n.mapping(st.Schema())
	if err != nil {
		return nil, err
	}
	for i := range n.fields {
		f := &n.fields[i]
		j := m.idx[i]
		if j < 0 {
			if !f.hasDefault {
				return nil, fmt.Errorf("field %q: the struct lacks it and the Avro field has no default", f.name)
			}
			b = append(b, f.defaultEnc...)
			continue
		}
		if b, err = f.node.encode(b, st.GetIndex(j)); err != nil {
			return nil, fmt.Errorf("field %q: %w", f.name, err)
		}
	}
	return b, nil
}

// encodeObject writes a schemaless object: keys match field names, unknown keys are ignored
// (as Flink's JSON formats ignore them), and a missing key takes the field default, or null.
func (n *node) encodeObject(b []byte, m map[string]any) ([]byte, error) {
	var err error
	for i := range n.fields {
		f := &n.fields[i]
		v, ok := m[f.name]
		if !ok && f.hasDefault {
			b = append(b, f.defaultEnc...)
			continue
		}
		if b, err = f.node.encode(b, v); err != nil {
			return nil, fmt.Errorf("field %q: %w", f.name, err)
		}
	}
	return b, nil
}

func (n *node) encodeUnion(b []byte, v any) ([]byte, error) {
	if n.optional {
		i := 1 - n.nullIdx
		return n.branches[i].encode(appendLong(b, int64(i)), v)
	}
	if st, ok := v.(*connect.Struct); ok && st.Schema().Name == UnionName {
		s := st.Schema()
		for j := range s.Fields {
			fv := st.GetIndex(j)
			if fv == nil {
				continue
			}
			bi := -1
			if j < len(n.fieldBranch) && n.connect.Fields[j].Name == s.Fields[j].Name {
				bi = n.fieldBranch[j]
			} else if f := n.connect.Field(s.Fields[j].Name); f != nil {
				bi = n.fieldBranch[f.Index]
			}
			if bi < 0 {
				return nil, fmt.Errorf("union member %q is not a branch of Avro %s", s.Fields[j].Name, n.what)
			}
			return n.branches[bi].encode(appendLong(b, int64(bi)), fv)
		}
		if n.nullIdx >= 0 {
			return appendLong(b, int64(n.nullIdx)), nil
		}
		return nil, fmt.Errorf("union struct has no member set and Avro %s has no null branch", n.what)
	}
	// A plain value: the first branch that takes it.
	for i, br := range n.branches {
		if br.kind == kNull || !br.accepts(v) {
			continue
		}
		if out, err := br.encode(appendLong(b, int64(i)), v); err == nil {
			return out, nil
		}
	}
	return nil, fmt.Errorf("no branch of Avro %s takes %T", n.what, v)
}

// accepts reports whether a value's Go type suits a union branch, so that a schemaless value
// picks the branch that was meant for it (a string goes to the string branch, not to bytes).
func (n *node) accepts(v any) bool {
	switch v.(type) {
	case bool:
		return n.kind == kBoolean
	case string:
		return n.kind == kString || n.kind == kEnum
	case []byte:
		return n.kind == kBytes || n.kind == kFixed
	case connect.Decimal:
		// An exact decimal, or a number as schemaless JSON reads it by default.
		return n.logical == lDecimal || n.logical == lNone && (n.kind == kDouble || n.kind == kFloat || n.kind == kLong || n.kind == kInt)
	case time.Time:
		return n.logical != lNone && n.logical != lDecimal
	case int8, int16, int32:
		return n.kind == kInt || n.kind == kLong
	case int, int64, uint, uint8, uint16, uint32, uint64:
		return n.kind == kLong || n.kind == kInt
	case float32, float64, json.Number:
		return n.kind == kDouble || n.kind == kFloat || n.kind == kLong || n.kind == kInt
	case []any:
		return n.kind == kArray
	case map[string]any:
		return n.kind == kMap || n.kind == kRecord || n.kind == kMapEntries
	case map[any]any:
		return n.kind == kMapEntries || n.kind == kMap
	case *connect.Struct:
		return n.kind == kRecord || n.kind == kUnion
	}
	return false
}

func (n *node) encodeInt(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case int32:
		if err := n.checkInt(int64(x)); err != nil {
			return nil, err
		}
		return appendLong(b, int64(x)), nil
	case int8:
		return appendLong(b, int64(x)), nil
	case int16:
		if err := n.checkInt(int64(x)); err != nil {
			return nil, err
		}
		return appendLong(b, int64(x)), nil
	case time.Time:
		switch n.logical {
		case lDate:
			d, err := connect.DateToDays(x)
			if err != nil {
				return nil, err
			}
			return appendLong(b, int64(d)), nil
		case lTimeMillis:
			ms, err := connect.TimeToMillis(x)
			if err != nil {
				return nil, err
			}
			return appendLong(b, int64(ms)), nil
		}
		return nil, fmt.Errorf("Avro %s cannot hold a time", n.what)
	case string:
		if n.logical != lNone {
			t, err := parseTime(n.logical, x)
			if err != nil {
				return nil, err
			}
			return n.encodeInt(b, t)
		}
	}
	return n.encodeInteger(b, v)
}

func (n *node) encodeLong(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case int64:
		if n.logical == lTimeMicros {
			if err := n.checkInt(x); err != nil {
				return nil, err
			}
		}
		return appendLong(b, x), nil
	case time.Time:
		switch n.logical {
		case lTimestampMillis:
			return appendLong(b, x.UnixMilli()), nil
		case lTimestampMicros:
			return appendLong(b, x.UnixMicro()), nil
		case lTimeMicros:
			us := x.UnixMicro()
			if us < 0 || us > microsPerDay {
				return nil, fmt.Errorf("time %s is not on 1970-01-01 UTC", x.UTC().Format(time.RFC3339Nano))
			}
			return appendLong(b, us), nil
		}
		return nil, fmt.Errorf("Avro %s cannot hold a time", n.what)
	case string:
		if n.logical != lNone {
			t, err := parseTime(n.logical, x)
			if err != nil {
				return nil, err
			}
			return n.encodeLong(b, t)
		}
	}
	return n.encodeInteger(b, v)
}

// encodeInteger writes, for an int or long node, any other Go integer, an integral float or a
// json.Number, once checkInt allows it.
func (n *node) encodeInteger(b []byte, v any) ([]byte, error) {
	i, ok, err := toInt64(v)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("Avro %s cannot hold %T", n.what, v)
	}
	if err := n.checkInt(i); err != nil {
		return nil, err
	}
	return appendLong(b, i), nil
}

// checkInt refuses a plain number that the decoder would refuse: outside the int, int8 or
// int16 range, or a time outside one day.
func (n *node) checkInt(i int64) error {
	switch {
	case n.kind == kInt && (i < math.MinInt32 || i > math.MaxInt32):
		return fmt.Errorf("%d out of range for Avro int", i)
	case n.ctype == connect.TypeInt8 && (i < -128 || i > 127), n.ctype == connect.TypeInt16 && (i < -32768 || i > 32767):
		return fmt.Errorf("%d out of range for %s", i, n.ctype)
	case n.logical == lTimeMillis && (i < 0 || i > msPerDay), n.logical == lTimeMicros && (i < 0 || i > microsPerDay):
		return fmt.Errorf("%d is not a time within a day", i)
	}
	return nil
}

// toInt64 converts any Go integer, an integral float or a json.Number to int64. ok is false
// for other types; err reports a value of the right type that does not fit.
func toInt64(v any) (int64, bool, error) {
	switch x := v.(type) {
	case int:
		return int64(x), true, nil
	case int8:
		return int64(x), true, nil
	case int16:
		return int64(x), true, nil
	case int32:
		return int64(x), true, nil
	case int64:
		return x, true, nil
	case uint8:
		return int64(x), true, nil
	case uint16:
		return int64(x), true, nil
	case uint32:
		return int64(x), true, nil
	case uint:
		if uint64(x) > math.MaxInt64 {
			return 0, true, fmt.Errorf("%d out of range for Avro long", x)
		}
		return int64(x), true, nil
	case uint64:
		if x > math.MaxInt64 {
			return 0, true, fmt.Errorf("%d out of range for Avro long", x)
		}
		return int64(x), true, nil
	case float64:
		if x != math.Trunc(x) || x < -(1<<63) || x >= 1<<63 {
			return 0, true, fmt.Errorf("%v is not an integer", x)
		}
		return int64(x), true, nil
	case float32:
		f := float64(x)
		if f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
			return 0, true, fmt.Errorf("%v is not an integer", x)
		}
		return int64(f), true, nil
	case json.Number:
		i, err := strconv.ParseInt(string(x), 10, 64)
		if err == nil {
			return i, true, nil
		}
		// 1.0 and 1e3 are integers too, as they are when parsed into float64.
		if f, ferr := strconv.ParseFloat(string(x), 64); ferr == nil && f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 &&
			strings.ContainsAny(string(x), ".eE") {
			return int64(f), true, nil
		}
		return 0, true, fmt.Errorf("%s is not a 64-bit integer", x)
	case connect.Decimal:
		// A schemaless JSON number read exactly: integral values only, exactly.
		if i, ok := decimalInt64(x); ok {
			return i, true, nil
		}
		return 0, true, fmt.Errorf("%s is not a 64-bit integer", x.String())
	}
	return 0, false, nil
}

// decimalInt64 returns d as an int64 if it is integral and within range.
func decimalInt64(d connect.Decimal) (int64, bool) {
	if d.Unscaled == nil {
		return 0, true
	}
	if d.Scale > 0 {
		i, err := d.Rescale(0)
		if err != nil {
			return 0, false
		}
		d = i
	}
	if d.Scale < -19 {
		return 0, d.Unscaled.Sign() == 0
	}
	u := new(big.Int).Set(d.Unscaled)
	if d.Scale < 0 {
		u.Mul(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-d.Scale)), nil))
	}
	return u.Int64(), u.IsInt64()
}

// decimalFloat returns the float of the given bit size nearest to d, rounded once.
func decimalFloat(d connect.Decimal, bits int) float64 {
	if d.Unscaled == nil {
		return 0
	}
	f, _ := strconv.ParseFloat(d.Unscaled.String()+"e"+strconv.FormatInt(-int64(d.Scale), 10), bits)
	return f
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return f, err == nil
	case connect.Decimal:
		return decimalFloat(x, 64), true
	}
	if i, ok, err := toInt64(v); ok && err == nil {
		return float64(i), true
	}
	return 0, false
}

// decimalUnscaled returns v's unscaled value at the node's scale. A value at another scale is
// rescaled only when no digit is lost; a value with more digits than the precision is refused.
func (n *node) decimalUnscaled(v any) (*big.Int, error) {
	var d connect.Decimal
	switch x := v.(type) {
	case connect.Decimal:
		d = x
	case string:
		p, err := connect.ParseDecimal(x)
		if err != nil {
			return nil, err
		}
		d = p
	case json.Number:
		p, err := connect.ParseDecimal(string(x))
		if err != nil {
			return nil, err
		}
		d = p
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%v is not a decimal", x)
		}
		p, err := connect.ParseDecimal(strconv.FormatFloat(x, 'f', -1, 64))
		if err != nil {
			return nil, err
		}
		d = p
	case []byte:
		// Already the unscaled two's complement, as Kafka's Decimal stores it.
		d = connect.DecimalFromBytes(x, n.scale)
	default:
		i, ok, err := toInt64(v)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("Avro decimal cannot hold %T", v)
		}
		d = connect.NewDecimal(i, 0)
	}
	if d.Unscaled == nil {
		d.Unscaled = new(big.Int)
	}
	if d.Scale != n.scale {
		r, err := d.Rescale(n.scale)
		if err != nil {
			return nil, err
		}
		d = r
	}
	if err := n.checkPrecision(d.Unscaled); err != nil {
		return nil, err
	}
	return d.Unscaled, nil
}

func (n *node) encodeFixed(b []byte, v any) ([]byte, error) {
	if n.logical == lDecimal {
		u, err := n.decimalUnscaled(v)
		if err != nil {
			return nil, err
		}
		raw := connect.DecimalToBytes(connect.Decimal{Unscaled: u, Scale: n.scale})
		if len(raw) > n.size {
			return nil, fmt.Errorf("decimal needs %d bytes, more than the %d of Avro %s", len(raw), n.size, n.what)
		}
		pad := byte(0)
		if raw[0]&0x80 != 0 {
			pad = 0xff
		}
		for range n.size - len(raw) {
			b = append(b, pad)
		}
		return append(b, raw...), nil
	}
	var raw []byte
	switch x := v.(type) {
	case []byte:
		raw = x
	case string:
		r, err := base64.StdEncoding.DecodeString(x)
		if err != nil {
			return nil, fmt.Errorf("string for Avro %s is not base64: %w", n.what, err)
		}
		raw = r
	default:
		return nil, fmt.Errorf("Avro %s cannot hold %T", n.what, v)
	}
	if len(raw) != n.size {
		return nil, fmt.Errorf("%d bytes for Avro %s of size %d", len(raw), n.what, n.size)
	}
	return append(b, raw...), nil
}

// encodeMap writes keys in sorted order so that equal maps give equal bytes.
func (n *node) encodeMap(b []byte, v any) ([]byte, error) {
	var keys []string
	var get func(string) any
	switch m := v.(type) {
	case map[string]any:
		keys = make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		get = func(k string) any { return m[k] }
	case map[any]any:
		keys = make([]string, 0, len(m))
		for k := range m {
			s, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("Avro map key must be a string, not %T", k)
			}
			keys = append(keys, s)
		}
		get = func(k string) any { return m[k] }
	default:
		return nil, fmt.Errorf("Avro %s cannot hold %T", n.what, v)
	}
	if len(keys) == 0 {
		return append(b, 0), nil
	}
	slices.Sort(keys)
	b = appendLong(b, int64(len(keys)))
	var err error
	for _, k := range keys {
		b = appendString(b, k)
		if b, err = n.items.encode(b, get(k)); err != nil {
			return nil, fmt.Errorf("[%q]: %w", k, err)
		}
	}
	return append(b, 0), nil
}

// encodeEntries writes a map with non-string keys as Confluent's array of key/value records,
// ordered by the keys' encoded bytes so that equal maps give equal bytes.
func (n *node) encodeEntries(b []byte, v any) ([]byte, error) {
	type entry struct {
		key []byte
		val any
	}
	var entries []entry
	add := func(k, val any) error {
		kb, err := n.key.encode(nil, k)
		if err != nil {
			return fmt.Errorf("key %v: %w", k, err)
		}
		entries = append(entries, entry{kb, val})
		return nil
	}
	switch m := v.(type) {
	case map[any]any:
		for k, val := range m {
			if err := add(k, val); err != nil {
				return nil, err
			}
		}
	case map[string]any:
		for k, val := range m {
			if err := add(k, val); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("Avro %s cannot hold %T", n.what, v)
	}
	if len(entries) == 0 {
		return append(b, 0), nil
	}
	slices.SortFunc(entries, func(a, c entry) int { return bytes.Compare(a.key, c.key) })
	b = appendLong(b, int64(len(entries)))
	var err error
	for _, e := range entries {
		b = append(b, e.key...)
		if b, err = n.val.encode(b, e.val); err != nil {
			return nil, fmt.Errorf("value: %w", err)
		}
	}
	return append(b, 0), nil
}
