package formats

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
)

// The registry is process-wide, so test formats carry a "test-" prefix and register once.
func init() {
	opts := connect.NewConfigDef().
		Define(connect.ConfigKey{Name: "test-upper.suffix", Type: connect.ConfigString, Default: ""}).
		Define(connect.ConfigKey{Name: "test-upper.fail", Type: connect.ConfigBoolean, Default: false}).
		Define(connect.ConfigKey{Name: "test-upper.limit", Type: connect.ConfigInt, Default: 100})
	Register(Format{
		Name:    "test-upper",
		Options: opts,
		NewDecoder: func(c *connect.Config) (Decoder, error) {
			if c.Bool("test-upper.fail") {
				return nil, errors.New("asked to fail")
			}
			return upperCodec{suffix: c.String("test-upper.suffix"), limit: c.Int("test-upper.limit")}, nil
		},
		NewEncoder: func(c *connect.Config) (Encoder, error) {
			return upperCodec{suffix: c.String("test-upper.suffix"), limit: c.Int("test-upper.limit")}, nil
		},
	})
	// test-pair decodes every message to two rows, as a CDC update does.
	Register(Format{
		Name: "test-pair",
		NewDecoder: func(*connect.Config) (Decoder, error) {
			return DecoderFunc(func(data []byte) ([]Row, error) {
				return []Row{{Op: UpdateBefore, Value: string(data)}, {Op: UpdateAfter, Value: string(data)}}, nil
			}), nil
		},
		NewEncoder: func(*connect.Config) (Encoder, error) {
			return EncoderFunc(func(rows []Row) ([][]byte, error) {
				out := make([][]byte, len(rows))
				for i, r := range rows {
					out[i] = []byte(fmt.Sprint(r.Value))
				}
				return out, nil
			}), nil
		},
	})
	// test-nodecode has no decoder.
	Register(Format{Name: "test-nodecode"})
}

// upperCodec decodes text to its upper case plus a suffix and encodes by lowering the case.
type upperCodec struct {
	suffix string
	limit  int
}

func (u upperCodec) Decode(data []byte) ([]Row, error) {
	if len(data) > u.limit {
		return nil, fmt.Errorf("message of %d bytes exceeds limit %d", len(data), u.limit)
	}
	if len(data) == 0 {
		return nil, nil
	}
	return []Row{{Op: Insert, Schema: connect.OptionalStringSchema, Value: strings.ToUpper(string(data)) + u.suffix}}, nil
}

func (u upperCodec) Encode(rows []Row) ([][]byte, error) {
	out := make([][]byte, 0, len(rows))
	for _, r := range rows {
		s, ok := r.Value.(string)
		if !ok {
			return nil, fmt.Errorf("want a string, got %T", r.Value)
		}
		out = append(out, []byte(strings.ToLower(s)))
	}
	return out, nil
}

func TestRegistry(t *testing.T) {
	names := Names()
	for _, want := range []string{"test-nodecode", "test-pair", "test-upper"} {
		if !slices.Contains(names, want) {
			t.Errorf("Names() = %v, missing %s", names, want)
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("Names() = %v, not sorted", names)
	}
	f, err := Lookup("test-upper")
	if err != nil || f.Name != "test-upper" {
		t.Fatalf("Lookup(test-upper) = %v, %v", f.Name, err)
	}
	if _, ok := f.Options.Key("test-upper.suffix"); !ok {
		t.Error("test-upper lost its options")
	}
	// A format registered without options gets an empty definition, never nil.
	nd, _ := Lookup("test-nodecode")
	if nd.Options == nil {
		t.Error("Options of a format registered without them is nil")
	}
	_, err = Lookup("no-such-format")
	if err == nil || !strings.Contains(err.Error(), `"no-such-format"`) || !strings.Contains(err.Error(), "test-upper") {
		t.Errorf("Lookup(unknown) error = %v; want it to name the format and list known ones", err)
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "test-upper") {
			t.Errorf("recover() = %v; want a panic naming test-upper", r)
		}
	}()
	Register(Format{Name: "test-upper"})
}

func TestOpString(t *testing.T) {
	for op, want := range map[Op]string{Insert: "+I", UpdateBefore: "-U", UpdateAfter: "+U", Delete: "-D", Op(9): "Op(9)"} {
		if got := op.String(); got != want {
			t.Errorf("Op(%d).String() = %q, want %q", int8(op), got, want)
		}
	}
}

func TestParseOptions(t *testing.T) {
	f, _ := Lookup("test-upper")
	tests := []struct {
		name    string
		config  map[string]string
		suffix  string
		limit   int
		wantErr string
	}{
		{name: "defaults", config: nil, suffix: "", limit: 100},
		{name: "prefixed", config: map[string]string{"test-upper.suffix": "!", "test-upper.limit": "5"}, suffix: "!", limit: 5},
		{name: "unprefixed", config: map[string]string{"suffix": "?", "limit": "7"}, suffix: "?", limit: 7},
		{name: "runtime keys ignored", config: map[string]string{"converter.type": "value", "schemas.enable": "false"}, limit: 100},
		{name: "bad value", config: map[string]string{"limit": "many"}, wantErr: "test-upper.limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseOptions(f, tc.config)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "format test-upper") {
					t.Fatalf("error = %v; want one naming format test-upper and %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.String("test-upper.suffix") != tc.suffix || c.Int("test-upper.limit") != tc.limit {
				t.Errorf("suffix, limit = %q, %d; want %q, %d", c.String("test-upper.suffix"), c.Int("test-upper.limit"), tc.suffix, tc.limit)
			}
		})
	}
}

func TestRowConverter(t *testing.T) {
	c := NewRowConverter("test-upper")
	if err := c.Configure(map[string]string{"suffix": "!"}, false); err != nil {
		t.Fatal(err)
	}
	var _ connect.Converter = c
	if c.ConfigDef() == nil {
		t.Error("ConfigDef() is nil")
	}

	sv, err := c.ToConnectData("t", nil, []byte("abc"))
	if err != nil {
		t.Fatal(err)
	}
	if sv.Value != "ABC!" || sv.Schema != connect.OptionalStringSchema {
		t.Errorf("ToConnectData = %v %v; want ABC! with the row's schema", sv.Schema, sv.Value)
	}
	// A message that decodes to no row (a skipped one) is a null value.
	sv, err = c.ToConnectData("t", nil, []byte{})
	if err != nil || sv.Value != nil || sv.Schema != nil {
		t.Errorf("ToConnectData(empty) = %v, %v; want a null value", sv, err)
	}
	sv, err = c.ToConnectData("t", nil, nil)
	if err != nil || sv.Value != nil {
		t.Errorf("ToConnectData(nil) = %v, %v; want a null value", sv, err)
	}
	// Decode errors are DataErrors naming the topic and format, so errors.tolerance applies.
	_, err = c.ToConnectData("orders", nil, bytes.Repeat([]byte("x"), 101))
	var de *connect.DataError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "topic orders") || !strings.Contains(err.Error(), "exceeds limit") {
		t.Errorf("ToConnectData(too long) error = %v; want a DataError naming the topic and cause", err)
	}

	b, err := c.FromConnectData("t", nil, connect.StringSchema, "XyZ")
	if err != nil || string(b) != "xyz" {
		t.Errorf("FromConnectData = %q, %v; want xyz", b, err)
	}
	b, err = c.FromConnectData("t", nil, nil, nil)
	if err != nil || b != nil {
		t.Errorf("FromConnectData(nil, nil) = %q, %v; want a tombstone", b, err)
	}
	_, err = c.FromConnectData("orders", nil, connect.Int32Schema, int32(5))
	if err == nil || !strings.Contains(err.Error(), "topic orders") || !strings.Contains(err.Error(), "want a string") {
		t.Errorf("FromConnectData(int) error = %v; want one naming the topic and cause", err)
	}
}

func TestRowConverterMultiRow(t *testing.T) {
	c := NewRowConverter("test-pair")
	if err := c.Configure(nil, true); err != nil {
		t.Fatal(err)
	}
	_, err := c.ToConnectData("t", nil, []byte("x"))
	if err == nil || !strings.Contains(err.Error(), "2 rows") {
		t.Errorf("ToConnectData of a two-row message: error = %v; want it to say 2 rows", err)
	}
	// test-pair's encoder returns one message per row; a single value is one message.
	b, err := c.FromConnectData("t", nil, connect.StringSchema, "v")
	if err != nil || string(b) != "v" {
		t.Errorf("FromConnectData = %q, %v", b, err)
	}
}

func TestRowConverterErrors(t *testing.T) {
	c := NewRowConverter("test-upper")
	err := c.Configure(map[string]string{"fail": "true"}, false)
	if err == nil || !strings.Contains(err.Error(), "test-upper decoder") || !strings.Contains(err.Error(), "asked to fail") {
		t.Errorf("Configure error = %v; want the decoder's error wrapped", err)
	}
	if err := c.Configure(map[string]string{"limit": "x"}, false); err == nil {
		t.Error("Configure accepted limit=x")
	}

	nd := NewRowConverter("test-nodecode")
	if err := nd.Configure(nil, false); err != nil {
		t.Fatal(err)
	}
	if _, err := nd.ToConnectData("t", nil, []byte("x")); err == nil || !strings.Contains(err.Error(), "cannot decode") {
		t.Errorf("ToConnectData without decoder: %v", err)
	}
	if _, err := nd.FromConnectData("t", nil, connect.StringSchema, "x"); err == nil || !strings.Contains(err.Error(), "cannot encode") {
		t.Errorf("FromConnectData without encoder: %v", err)
	}

	defer func() {
		if r := recover(); r == nil {
			t.Error("NewRowConverter(unknown) did not panic")
		}
	}()
	NewRowConverter("no-such-format")
}
