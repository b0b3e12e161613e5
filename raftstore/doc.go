// Package raftstore is the Raft-replicated store of a raftconnect worker
// cluster.
//
// It holds the desired state of the cluster (connector configs, target
// states, task configs, the assignment of connectors and tasks to workers)
// and the observed state (connector and task statuses, source offsets,
// registered workers, restart requests). It knows nothing of HTTP or of the
// connector plugin API: it stores plain data, and the runtime reacts to it.
//
// Every write is a batch of typed [Command] values that goes through
// [Store.Apply] as ONE Raft log entry, so many offset commits or status
// updates cost one fsync. The FSM applies each command deterministically and
// returns a [Result] per command. Reads come from the local copy of the state
// and return deep copies; [Store.Subscribe] tells readers that something
// changed so they can re-read and reconcile.
//
// A single worker is a one-node cluster: [Open] bootstraps it on first start
// and reopens it afterwards. The same code serves multi-node clusters, which
// are grown with [Store.Join] on the leader: up to [Config.MaxVoters] voters
// (5 by default), further nodes as non-voters, promoted when a voter leaves
// ([Store.RemoveServer], [Store.Rebalance]). Their Raft connections are
// authenticated with [Config.Secret] (authentication, not encryption: see
// auth.go). A follower forwards a write to the leader as bytes
// ([EncodeCommands], [Store.ApplyEncoded], [EncodeResults], [DecodeResults])
// and reads it back after [Store.WaitApplied]; the leader sees failing peers
// in [Store.FailingPeers], a follower its leader's silence in
// [Store.LastLeaderContact], and a leaving leader hands over with
// [Store.TransferLeadership].
package raftstore
