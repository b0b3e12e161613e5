package jsonformat

import (
	"fmt"
	"strings"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// ParseRowSchema reads the json.schema option: either a Kafka JsonConverter schema (JSON text
// starting with '{', as the "schema" of the envelope) or a column list in Flink SQL syntax
// (formats.ParseColumns), such as
//
//	id BIGINT NOT NULL, name STRING, price DECIMAL(10,2), ts TIMESTAMP(3), at TIMESTAMP_LTZ(3)
//
// Columns declared TIMESTAMP_LTZ or TIMESTAMP WITH [LOCAL] TIME ZONE, at any depth, get the
// LocalTimeZoneParameter mark (formats.ParseColumns sets it). Blank text is no schema (nil).
func ParseRowSchema(text string) (*connect.Schema, error) {
	t := strings.TrimSpace(text)
	if t == "" {
		return nil, nil
	}
	if t[0] == '{' {
		s, err := NewDecoder(DefaultOptions()).ParseSchema([]byte(t))
		if err != nil {
			return nil, fmt.Errorf("schema JSON: %w", err)
		}
		return s, nil
	}
	return formats.ParseColumns(t)
}
