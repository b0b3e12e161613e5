package avro

import (
	"fmt"
	"time"

	"github.com/raftconnect/raftconnect/connect"
)

// maxZeroSizeItems bounds the items of one array or map whose items take no bytes (nulls,
// empty records), which input cannot otherwise bound: a 10-byte count must not allocate
// exabytes.
const maxZeroSizeItems = 1 << 16

const (
	msPerDay     = 24 * 60 * 60 * 1000
	microsPerDay = msPerDay * 1000
)

// decode reads one value at this position and returns it as a Connect value.
func (n *node) decode(r *reader) (any, error) {
	switch n.kind {
	case kNull:
		return nil, nil
	case kBoolean:
		v, err := r.boolean()
		if err != nil {
			return nil, err
		}
		return v, nil
	case kInt:
		start := r.pos
		v, err := r.int()
		if err != nil {
			return nil, err
		}
		switch n.logical {
		case lDate:
			return connect.DaysToDate(v), nil
		case lTimeMillis:
			// Kafka's Time refuses values outside one day; so do we, on both sides.
			if v < 0 || v > msPerDay {
				r.pos = start
				return nil, r.errorf("time-millis %d is not within a day", v)
			}
			return connect.MillisToTime(v), nil
		}
		switch n.ctype {
		case connect.TypeInt8:
			if v < -128 || v > 127 {
				r.pos = start
				return nil, r.errorf("int %d out of range for int8", v)
			}
			return int8(v), nil
		case connect.TypeInt16:
			if v < -32768 || v > 32767 {
				r.pos = start
				return nil, r.errorf("int %d out of range for int16", v)
			}
			return int16(v), nil
		}
		return v, nil
	case kLong:
		start := r.pos
		v, err := r.long()
		if err != nil {
			return nil, err
		}
		switch n.logical {
		case lTimestampMillis:
			return time.UnixMilli(v).UTC(), nil
		case lTimestampMicros:
			return time.UnixMicro(v).UTC(), nil
		case lTimeMicros:
			if v < 0 || v > microsPerDay {
				r.pos = start
				return nil, r.errorf("time-micros %d is not within a day", v)
			}
			return time.UnixMicro(v).UTC(), nil
		}
		return v, nil
	case kFloat:
		v, err := r.float()
		if err != nil {
			return nil, err
		}
		return v, nil
	case kDouble:
		v, err := r.double()
		if err != nil {
			return nil, err
		}
		return v, nil
	case kString:
		v, err := r.string()
		if err != nil {
			return nil, err
		}
		return v, nil
	case kBytes:
		if n.logical == lDecimal {
			start := r.pos
			raw, err := r.rawBytes()
			if err != nil {
				return nil, err
			}
			d := connect.DecimalFromBytes(raw, n.scale)
			if err := n.checkPrecision(d.Unscaled); err != nil {
				r.pos = start
				return nil, r.errorf("%v", err)
			}
			return d, nil
		}
		v, err := r.bytes()
		if err != nil {
			return nil, err
		}
		return v, nil
	case kFixed:
		a, b, err := r.fixed(n.size)
		if err != nil {
			return nil, err
		}
		if n.logical == lDecimal {
			d := connect.DecimalFromBytes(r.buf[a:b], n.scale)
			if err := n.checkPrecision(d.Unscaled); err != nil {
				r.pos = a
				return nil, r.errorf("%v", err)
			}
			return d, nil
		}
		return r.owned(a, b), nil
	case kEnum:
		start := r.pos
		i, err := r.int()
		if err != nil {
			return nil, err
		}
		if i < 0 || int(i) >= len(n.symbols) {
			r.pos = start
			return nil, r.errorf("enum index %d out of range for %s with %d symbols", i, n.what, len(n.symbols))
		}
		return n.symbolAny[i], nil
	case kArray:
		return n.decodeArray(r)
	case kMap:
		return n.decodeMap(r)
	case kMapEntries:
		return n.decodeEntries(r)
	case kRecord:
		st := connect.NewStruct(n.connect)
		for i := range n.fields {
			f := &n.fields[i]
			v, err := f.node.decode(r)
			if err != nil {
				return nil, fmt.Errorf("field %q: %w", f.name, err)
			}
			if v != nil {
				if err := st.PutIndex(i, v); err != nil {
					return nil, fmt.Errorf("field %q: %w", f.name, err)
				}
			}
		}
		return st, nil
	case kUnion:
		start := r.pos
		idx, err := r.long()
		if err != nil {
			return nil, err
		}
		if idx < 0 || idx >= int64(len(n.branches)) {
			r.pos = start
			return nil, r.errorf("union branch %d out of range for %s", idx, n.what)
		}
		b := n.branches[idx]
		if b.kind == kNull {
			return nil, nil
		}
		v, err := b.decode(r)
		if err != nil || n.optional {
			return v, err
		}
		st := connect.NewStruct(n.connect)
		if err := st.PutIndex(n.branchField[idx], v); err != nil {
			return nil, err
		}
		return st, nil
	}
	return nil, fmt.Errorf("unknown node kind %d", n.kind)
}

// blockItems validates a block count against the input left, so that a corrupt count fails
// instead of allocating.
func (n *node) blockItems(r *reader, count int64, itemMin int, total int) (int, error) {
	left := int64(len(r.buf) - r.pos)
	if itemMin > 0 {
		if count > left/int64(itemMin) {
			return 0, fmt.Errorf("byte offset %d: block of %d items cannot fit in the %d bytes left: %w", r.pos, count, left, errTruncated)
		}
	} else if count > maxZeroSizeItems || int64(total)+count > maxZeroSizeItems {
		return 0, r.errorf("block of %d empty items exceeds the limit of %d", count, maxZeroSizeItems)
	}
	return int(count), nil
}

// blocks reads the blocks of an array or map through the empty block that ends it, calling
// block with each block's item count once blockItems has checked it (itemMin bytes an item).
func (n *node) blocks(r *reader, itemMin int, block func(c int) error) error {
	total := 0
	for {
		count, err := r.blockCount()
		if err != nil {
			return err
		}
		if count == 0 {
			return nil
		}
		c, err := n.blockItems(r, count, itemMin, total)
		if err != nil {
			return err
		}
		if err := block(c); err != nil {
			return err
		}
		total += c
	}
}

func (n *node) decodeArray(r *reader) (any, error) {
	var out []any
	err := n.blocks(r, n.items.minSize, func(c int) error {
		if out == nil {
			out = make([]any, 0, c)
		}
		for range c {
			v, err := n.items.decode(r)
			if err != nil {
				return fmt.Errorf("[%d]: %w", len(out), err)
			}
			out = append(out, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

func (n *node) decodeMap(r *reader) (any, error) {
	var out map[string]any
	err := n.blocks(r, 1+n.items.minSize, func(c int) error {
		if out == nil {
			out = make(map[string]any, c)
		}
		for range c {
			k, err := r.string()
			if err != nil {
				return fmt.Errorf("map key: %w", err)
			}
			v, err := n.items.decode(r)
			if err != nil {
				return fmt.Errorf("[%q]: %w", k, err)
			}
			out[k] = v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = map[string]any{}
	}
	return out, nil
}

func (n *node) decodeEntries(r *reader) (any, error) {
	var out map[any]any
	seen := 0
	err := n.blocks(r, n.key.minSize+n.val.minSize, func(c int) error {
		if out == nil {
			out = make(map[any]any, c)
		}
		for range c {
			k, err := n.key.decode(r)
			if err != nil {
				return fmt.Errorf("[%d] key: %w", seen, err)
			}
			v, err := n.val.decode(r)
			if err != nil {
				return fmt.Errorf("[%v]: %w", k, err)
			}
			out[k] = v
			seen++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = map[any]any{}
	}
	return out, nil
}
