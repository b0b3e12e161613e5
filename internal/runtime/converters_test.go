package runtime

// The runtime's tests use the minimal converters of internal/testplugins, so they do not
// depend on the format plugins.
import _ "github.com/raftconnect/raftconnect/internal/testplugins"
