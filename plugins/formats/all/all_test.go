package all

import (
	"strings"
	"testing"

	"github.com/raftconnect/raftconnect/connect"
	"github.com/raftconnect/raftconnect/plugins/formats"
)

// TestFormatsConform checks what every registered format owes the convert command and the
// converters: options named "<format>.<option>", both codecs, and (for the short-named
// converters) a converter plugin.
func TestFormatsConform(t *testing.T) {
	names := formats.Names()
	for _, want := range []string{"csv", "raw"} {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("format %s is not registered (have %v)", want, names)
		}
	}
	for _, n := range names {
		f, err := formats.Lookup(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range f.Options.Keys() {
			if !strings.HasPrefix(k.Name, n+".") {
				t.Errorf("format %s: option %q lacks the %q prefix", n, k.Name, n+".")
			}
		}
		if f.NewDecoder == nil || f.NewEncoder == nil {
			t.Errorf("format %s: decoder %v, encoder %v", n, f.NewDecoder != nil, f.NewEncoder != nil)
		}
	}
	for _, alias := range []string{"csv", "raw"} {
		if _, err := connect.LookupType(alias, connect.PluginConverter); err != nil {
			t.Errorf("converter %s: %v", alias, err)
		}
	}
}
