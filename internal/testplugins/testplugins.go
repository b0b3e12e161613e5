// Package testplugins registers minimal plugins for the tests of the runtime and the control
// plane: a string converter that fails on "poison" values and a header converter. Only tests
// import it.
package testplugins

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/raftconnect/raftconnect/connect"
)

// StringConverter is a minimal string converter, so the runtime and control plane are tested
// without depending on the format plugins. Values starting with "poison" fail to convert.
type StringConverter struct{}

func (StringConverter) Configure(map[string]string, bool) error { return nil }
func (StringConverter) FromConnectData(_ string, _ *connect.Headers, _ *connect.Schema, v any) ([]byte, error) {
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
func (StringConverter) ToConnectData(_ string, _ connect.Headers, b []byte) (connect.SchemaAndValue, error) {
	if b == nil {
		return connect.SchemaAndValue{}, nil
	}
	if bytes.HasPrefix(b, []byte("poison")) {
		return connect.SchemaAndValue{}, connect.NewDataError("poison bytes "+string(b), nil)
	}
	return connect.SchemaAndValue{Schema: connect.OptionalStringSchema, Value: string(b)}, nil
}
func (StringConverter) ConfigDef() *connect.ConfigDef { return connect.NewConfigDef() }

// HeaderConverter renders header values as text.
type HeaderConverter struct{}

func (HeaderConverter) Configure(map[string]string) error { return nil }
func (HeaderConverter) ToConnectHeader(_, _ string, b []byte) (connect.SchemaAndValue, error) {
	return connect.SchemaAndValue{Schema: connect.OptionalStringSchema, Value: string(b)}, nil
}
func (HeaderConverter) FromConnectHeader(_, _ string, _ *connect.Schema, v any) ([]byte, error) {
	return []byte(fmt.Sprint(v)), nil
}
func (HeaderConverter) ConfigDef() *connect.ConfigDef { return connect.NewConfigDef() }
func (HeaderConverter) Close() error                  { return nil }

// The class names tests configure as key.converter, value.converter and header.converter.
const (
	StringConverterClass = "test.worker.StringConverter"
	HeaderConverterClass = "test.worker.HeaderConverter"
)

func init() {
	connect.Register(connect.Plugin{Class: StringConverterClass, New: func() any { return StringConverter{} }})
	connect.Register(connect.Plugin{Class: HeaderConverterClass, New: func() any { return HeaderConverter{} }})
}
