package runtime

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/raftconnect/raftconnect/connect"
)

// testConverter is a minimal string converter registered only in this package's tests, so
// the runtime is tested without depending on the format plugins.
type testConverter struct{}

func (testConverter) Configure(map[string]string, bool) error { return nil }
func (testConverter) FromConnectData(_ string, _ *connect.Headers, _ *connect.Schema, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		if strings.HasPrefix(x, "poison") {
			return nil, connect.NewDataError("poison value "+x, nil)
		}
		return []byte(x), nil
	}
	return []byte(fmt.Sprint(v)), nil
}
func (testConverter) ToConnectData(_ string, _ connect.Headers, b []byte) (connect.SchemaAndValue, error) {
	if b == nil {
		return connect.SchemaAndValue{}, nil
	}
	if bytes.HasPrefix(b, []byte("poison")) {
		return connect.SchemaAndValue{}, connect.NewDataError("poison bytes "+string(b), nil)
	}
	return connect.SchemaAndValue{Schema: connect.OptionalStringSchema, Value: string(b)}, nil
}
func (testConverter) ConfigDef() *connect.ConfigDef { return connect.NewConfigDef() }

type testHeaderConverter struct{}

func (testHeaderConverter) Configure(map[string]string) error { return nil }
func (testHeaderConverter) ToConnectHeader(_, _ string, b []byte) (connect.SchemaAndValue, error) {
	return connect.SchemaAndValue{Schema: connect.OptionalStringSchema, Value: string(b)}, nil
}
func (testHeaderConverter) FromConnectHeader(_, _ string, _ *connect.Schema, v any) ([]byte, error) {
	return []byte(fmt.Sprint(v)), nil
}
func (testHeaderConverter) ConfigDef() *connect.ConfigDef { return connect.NewConfigDef() }
func (testHeaderConverter) Close() error                  { return nil }

func init() {
	connect.Register(connect.Plugin{Class: "test.worker.StringConverter", New: func() any { return testConverter{} }})
	connect.Register(connect.Plugin{Class: "test.worker.HeaderConverter", New: func() any { return testHeaderConverter{} }})
}
