package file

import (
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
)

func TestSourceAlterOffsets(t *testing.T) {
	part := map[string]any{FilenameField: "/tmp/in.txt"}
	tests := []struct {
		name string
		off  connect.SourceOffset
		want string // "" = accepted
	}{
		{"position", connect.SourceOffset{Partition: part, Offset: map[string]any{PositionField: int64(42)}}, ""},
		{"reset", connect.SourceOffset{Partition: part}, ""},
		{"whole float", connect.SourceOffset{Partition: part, Offset: map[string]any{PositionField: 42.0}}, ""},
		{"negative", connect.SourceOffset{Partition: part, Offset: map[string]any{PositionField: int64(-7)}}, "must not be negative"},
		{"not a number", connect.SourceOffset{Partition: part, Offset: map[string]any{PositionField: "abc"}}, "integer byte position"},
		{"fraction", connect.SourceOffset{Partition: part, Offset: map[string]any{PositionField: 1.5}}, "integer byte position"},
		{"wrong key", connect.SourceOffset{Partition: part, Offset: map[string]any{"pos": int64(1)}}, `must contain the key "position"`},
		{"no filename", connect.SourceOffset{Partition: map[string]any{}, Offset: map[string]any{PositionField: int64(1)}}, `must contain the key "filename"`},
	}
	for _, tt := range tests {
		ok, err := new(SourceConnector).AlterOffsets(nil, []connect.SourceOffset{tt.off})
		if tt.want == "" {
			if err != nil || !ok {
				t.Errorf("%s: %v, %v", tt.name, ok, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}
