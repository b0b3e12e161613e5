package control

import (
	"strings"
	"testing"
	"time"

	"github.com/raftconnect/raftconnect/raftstore"
)

type fakeVoters struct {
	servers []raftstore.Server
	failing map[string]time.Time
}

func (f fakeVoters) Servers() ([]raftstore.Server, error) { return f.servers, nil }
func (f fakeVoters) FailingPeers() map[string]time.Time   { return f.failing }

func TestQuorumAfterRemoval(t *testing.T) {
	voters := func(ids ...string) []raftstore.Server {
		var out []raftstore.Server
		for _, id := range ids {
			out = append(out, raftstore.Server{ID: id, Voter: true})
		}
		return out
	}
	down := func(ids ...string) map[string]time.Time {
		m := map[string]time.Time{}
		for _, id := range ids {
			m[id] = time.Now()
		}
		return m
	}
	cases := []struct {
		name    string
		view    fakeVoters
		leaving string
		refuse  bool
	}{
		{"all healthy", fakeVoters{voters("w1", "w2", "w3"), down()}, "w2", false},
		{"another voter down: the leaver's vote is needed", fakeVoters{voters("w1", "w2", "w3"), down("w1")}, "w2", true},
		{"the leaver itself failing does not count", fakeVoters{voters("w1", "w2", "w3"), down("w2")}, "w2", false},
		{"five voters, one down", fakeVoters{voters("w1", "w2", "w3", "w4", "w5"), down("w1")}, "w2", false},
		{"five voters, two down", fakeVoters{voters("w1", "w2", "w3", "w4", "w5"), down("w1", "w4")}, "w2", true},
		{"non-voters do not count", fakeVoters{append(voters("w1", "w2"), raftstore.Server{ID: "n1"}), down("n1")}, "w2", false},
	}
	for _, c := range cases {
		why := quorumAfterRemoval(c.view, c.leaving)
		if (why != "") != c.refuse {
			t.Errorf("%s: quorumAfterRemoval = %q, want refused=%v", c.name, why, c.refuse)
		}
		if c.refuse && !strings.Contains(why, "not answering") {
			t.Errorf("%s: the reason %q does not name the voters that are down", c.name, why)
		}
	}
}
