package control

import (
	"strings"
	"testing"
)

// TestReadOffsetInUserTerms is the store writer's part of runtime's TestMessagesInUserTerms: a
// source partition JSON cannot hold is refused with a message in the user's terms.
func TestReadOffsetInUserTerms(t *testing.T) {
	bad := map[string]any{"f": func() {}, "ch": make(chan int)}
	if _, err := (&storeWriter{}).ReadOffset("c", bad); err == nil || !strings.Contains(err.Error(), "cannot be stored as JSON") {
		t.Errorf("ReadOffset of a partition JSON cannot hold: %v", err)
	}
}
