package raftstore

// Open refuses a store whose files cannot prove they hold every write the
// store acknowledged, instead of starting with some of them forgotten (or
// panicking inside Raft, or hanging every write). The checks run before the
// files are handed to raft-wal and Raft, and read everything once; nothing
// is added to the write path (no extra fsync, no extra file per Apply).
//
// What raft-wal v0.4.1 writes, and so what is checked:
//
//   - wal/wal-meta.db (bbolt) lists the live segment files with, for each, its
//     first index, its size limit and, once sealed, its last index and the
//     offset of its index frame.
//   - A segment file is created with its full size limit preallocated
//     (fallocate, or ftruncate where that is unsupported), so it is never
//     shorter than its limit: a shorter file lost its end. The only
//     exception is a zero-length file, left by a crash between creating the
//     file and preallocating it, before anything was written to it.
//   - After a 32-byte header, a segment is a sequence of 8-byte aligned
//     frames: entries, at most one index frame (written when the segment is
//     sealed) and commit frames. Each Append writes its frames and a commit
//     frame in one write and then fsyncs; the commit frame holds the CRC-32C
//     of every byte since the previous commit frame (the first one covers
//     the header). raft-wal itself only checks the last commit of the
//     last segment, to tell a torn final write from a complete one. Here
//     every commit of every segment is checked, so a byte changed anywhere in
//     acknowledged data is found.
//   - A crash during an Append leaves, after the last good commit, the start
//     of one unfinished write (never acknowledged: its fsync did not
//     return), and after restarts possibly leftovers of earlier unfinished
//     writes, partly overwritten. None of these can contain a complete batch
//     (entry frames followed by a commit frame whose checksum matches)
//     that starts right after a commit frame: each write has a single commit
//     frame, at its end, and a write whose checksum matches would have been
//     found by the walk. So bytes after the last good commit are accepted as
//     an unfinished write unless such a batch is found among them, which
//     proves acknowledged writes lie beyond damaged bytes.
//   - Sealed segments must reach their index frame through good commits.
//
// Then, through raft-wal, every entry from the first index to the last is
// read once and must carry its own index, with terms never decreasing (Raft
// panics at start on a missing entry). Snapshots (snapshots/<id>/meta.json
// and state.bin) must parse, match their CRC-64 and size, and decode into a
// scratch state. The log must continue the newest snapshot without a gap,
// and the latest cluster configuration (from the log, or from the snapshot)
// must contain this node's id.

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/crc64"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	msgpack "github.com/hashicorp/go-msgpack/v2/codec"
	"github.com/hashicorp/raft"
	wal "github.com/hashicorp/raft-wal"
	"github.com/hashicorp/raft-wal/metadb"
	"github.com/hashicorp/raft-wal/segment"
	"github.com/hashicorp/raft-wal/types"
)

var (
	// ErrDamaged is returned by Open when the store's files are damaged or do
	// not belong to this node, so they cannot prove they hold every write the
	// store acknowledged. The message names the file and what is wrong.
	ErrDamaged = errors.New("raftstore: damaged store")
	// ErrInUse is returned by Open when another process has the store's
	// directory open.
	ErrInUse = errors.New("raftstore: data directory in use")
)

// recoverHint is what an operator does about a damaged store.
const recoverHint = "the store cannot prove it holds every acknowledged write; " +
	"restore the data directory from a backup or, in a cluster, remove it and rejoin from peers"

// damageError is a damaged or foreign store: msg says which file and what
// is wrong, hint what to do about it.
type damageError struct{ msg, hint string }

func (e *damageError) Error() string        { return e.msg + ": " + cmp.Or(e.hint, recoverHint) }
func (e *damageError) Is(target error) bool { return target == ErrDamaged }

func damaged(format string, args ...any) error {
	return &damageError{msg: fmt.Sprintf(format, args...)}
}

type inUseError struct{ dir, pid string }

func (e *inUseError) Error() string {
	by := "another worker process"
	if e.pid != "" {
		by += " (pid " + e.pid + ")"
	}
	return fmt.Sprintf("data directory %s is in use by %s; run one worker per data directory", e.dir, by)
}

func (e *inUseError) Is(target error) bool { return target == ErrInUse }

// raft-wal v0.4.1's segment format (segment/format.go).
const (
	segHeaderLen   = 32
	segMagic       = 0x58eb6b0d
	segVersion     = 0
	frameHeaderLen = 8
	frameZero      = 0
	frameEntry     = 1
	frameIndex     = 2
	frameCommit    = 3
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// segmentWalk is what walking a segment's frames from its start found.
type segmentWalk struct {
	header   [segHeaderLen]byte
	commits  int   // commit frames whose checksum matched
	good     int64 // offset just past the last good commit frame (0: none)
	entries  int   // entry frames in good batches
	indexAt  int64 // offset of the index frame's header in a good batch, or -1
	stop     int64 // offset where the walk stopped
	stopWhy  string
	pending  bool // frames after the last good commit (an unfinished write)
	clean    bool // stopped at zeros or the end of the file, nothing pending
	atEOF    bool // stopped because the file ends (mid-frame or before a header)
	fileSize int64
}

// walkFrames walks frames from start (0: the file header) and checks each
// commit frame's checksum. It stops at the first zero header, the end of the
// file, a frame that cannot be read or a checksum that does not match, or,
// with maxCommits > 0, after that many good commits.
func walkFrames(f io.ReaderAt, start, size int64, maxCommits int) segmentWalk {
	w := segmentWalk{indexAt: -1, fileSize: size}
	br := bufio.NewReaderSize(io.NewSectionReader(f, start, size-start), 1<<20)
	h := crc32.New(castagnoli)
	off := start
	stop := func(why string) segmentWalk {
		w.stop, w.stopWhy = off, why
		w.clean = why == "" && !w.pending
		return w
	}
	if start == 0 {
		if size < segHeaderLen {
			return stop("")
		}
		if _, err := io.ReadFull(br, w.header[:]); err != nil {
			return stop(fmt.Sprintf("read error: %v", err))
		}
		h.Write(w.header[:])
		off = segHeaderLen
	}
	pendingEntries, pendingIndex := 0, int64(-1)
	var hb [frameHeaderLen]byte
	for {
		if off+frameHeaderLen > size {
			w.atEOF = true
			return stop("")
		}
		if _, err := io.ReadFull(br, hb[:]); err != nil {
			return stop(fmt.Sprintf("read error: %v", err))
		}
		if hb[1] != 0 || hb[2] != 0 || hb[3] != 0 {
			return stop("unreadable frame header")
		}
		switch hb[0] {
		case frameZero:
			if binary.LittleEndian.Uint32(hb[4:]) != 0 {
				return stop("unreadable frame header")
			}
			return stop("")
		case frameEntry, frameIndex:
			n := int64(binary.LittleEndian.Uint32(hb[4:]))
			padded := n + (frameHeaderLen-n%frameHeaderLen)%frameHeaderLen
			if n > segment.MaxEntrySize {
				return stop(fmt.Sprintf("frame length %d is impossible", n))
			}
			if off+frameHeaderLen+padded > size {
				w.atEOF = true
				return stop(fmt.Sprintf("frame length %d runs past the end of the file", n))
			}
			h.Write(hb[:])
			if _, err := io.CopyN(h, br, padded); err != nil {
				return stop(fmt.Sprintf("read error: %v", err))
			}
			if hb[0] == frameEntry {
				pendingEntries++
			} else {
				pendingIndex = off
			}
			w.pending = true
			off += frameHeaderLen + padded
		case frameCommit:
			if h.Sum32() != binary.LittleEndian.Uint32(hb[4:]) {
				w.pending = true
				return stop("checksum mismatch")
			}
			off += frameHeaderLen
			w.commits++
			w.good, w.entries = off, w.entries+pendingEntries
			if pendingIndex >= 0 {
				w.indexAt = pendingIndex
			}
			pendingEntries, pendingIndex, w.pending = 0, -1, false
			h.Reset()
			if maxCommits > 0 && w.commits >= maxCommits {
				return stop("")
			}
		default:
			return stop(fmt.Sprintf("unknown frame type %d", hb[0]))
		}
	}
}

// laterBatch looks for proof of acknowledged data after from: a commit
// frame (at an 8-byte aligned offset) directly followed by a batch with at
// least one entry and a commit frame whose checksum matches. It returns the
// offset of that batch, or -1.
func laterBatch(f io.ReaderAt, from, size int64) (int64, error) {
	const chunk = 1 << 20
	buf := make([]byte, chunk)
	for base := from; base < size; base += chunk {
		n, err := f.ReadAt(buf[:min(chunk, size-base)], base)
		if err != nil && !errors.Is(err, io.EOF) {
			return -1, err
		}
		b := buf[:n]
		for i := 0; i+frameHeaderLen <= len(b); {
			j := bytes.IndexByte(b[i:], frameCommit)
			if j < 0 {
				break
			}
			p := i + j
			i = p + 1
			if (base+int64(p))%frameHeaderLen != 0 || p+4 > len(b) || b[p+1] != 0 || b[p+2] != 0 || b[p+3] != 0 {
				continue
			}
			start := base + int64(p) + frameHeaderLen
			if start >= size {
				continue
			}
			if w := walkFrames(f, start, size, 1); w.commits == 1 && w.entries > 0 {
				return start, nil
			}
		}
	}
	return -1, nil
}

// verifyWALFiles checks the raft-wal files in walDir before raft-wal opens
// them. haveSnapshots says whether the store holds snapshots (they need
// the log that follows them).
func verifyWALFiles(log *slog.Logger, walDir string, haveSnapshots bool) error {
	metaPath := filepath.Join(walDir, metadb.FileName)
	segs, err := filepath.Glob(filepath.Join(walDir, "*.wal"))
	if err != nil {
		return fmt.Errorf("list %s: %w", walDir, err)
	}
	if _, err := os.Stat(metaPath); errors.Is(err, os.ErrNotExist) {
		switch {
		case len(segs) > 0:
			return damaged("raft log metadata %s is missing but %s holds %d log segments", metaPath, walDir, len(segs))
		case haveSnapshots:
			return damaged("raft log in %s is missing (no %s) but the store holds snapshots, which the log must continue", walDir, metaPath)
		}
		return nil // a new store
	} else if err != nil {
		return fmt.Errorf("raft log metadata %s: %w", metaPath, err)
	}
	var mdb metadb.BoltMetaDB
	state, err := mdb.Load(walDir)
	if cerr := mdb.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return damaged("raft log metadata %s cannot be read (%v)", metaPath, err)
	}
	for i, si := range state.Segments {
		tail := i == len(state.Segments)-1 && si.SealTime.IsZero()
		if err := verifySegment(log, walDir, si, tail); err != nil {
			return err
		}
	}
	return nil
}

func verifySegment(log *slog.Logger, walDir string, si types.SegmentInfo, tail bool) error {
	path := filepath.Join(walDir, segment.FileName(si))
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		if tail {
			// raft-wal recreates a missing tail: a crash right after it
			// recorded a new segment and before it created the file leaves
			// exactly this. The log/snapshot checks that follow catch a tail
			// whose loss is visible.
			return nil
		}
		return damaged("raft log segment %s is missing (listed in %s)", path, metadb.FileName)
	}
	if err != nil {
		return fmt.Errorf("raft log segment %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("raft log segment %s: %w", path, err)
	}
	size := fi.Size()
	if size < int64(si.SizeLimit) && (size > 0 || !tail) {
		return damaged("raft log segment %s is truncated (%d of %d bytes)", path, size, si.SizeLimit)
	}
	w := walkFrames(f, 0, size, 0)
	if w.commits > 0 || !tail {
		if err := checkSegmentHeader(w.header, si); err != nil {
			return damaged("raft log segment %s has a damaged header (%v)", path, err)
		}
	}
	if !tail {
		if w.indexAt < 0 && w.atEOF {
			return damaged("raft log segment %s is truncated (%d bytes, its data ends at byte %d or later)", path, size, si.IndexStart)
		}
		if w.indexAt < 0 || uint64(w.indexAt)+frameHeaderLen != si.IndexStart {
			return damaged("raft log segment %s is damaged at byte %d (%s) before its end at byte %d",
				path, w.stop, cmp.Or(w.stopWhy, "data ends early"), si.IndexStart)
		}
		if si.MaxIndex > 0 && si.MaxIndex > si.BaseIndex+uint64(w.entries)-1 {
			return damaged("raft log segment %s holds entries %d to %d but should hold up to %d",
				path, si.BaseIndex, si.BaseIndex+uint64(w.entries)-1, si.MaxIndex)
		}
		return nil
	}
	if w.clean {
		// The usual case: zeros after the last commit. Leftovers of earlier
		// unfinished writes may still lie further on; look for proof of more.
		if w.stop+frameHeaderLen >= size {
			return nil
		}
	}
	at, err := laterBatch(f, w.good, size)
	if err != nil {
		return fmt.Errorf("raft log segment %s: %w", path, err)
	}
	if at >= 0 {
		return damaged("raft log segment %s is damaged at byte %d (%s) and acknowledged writes follow at byte %d",
			path, w.stop, cmp.Or(w.stopWhy, "unexpected zeros"), at)
	}
	if !w.clean {
		log.Warn("discarding an unfinished write at the end of the raft log (the worker stopped during a write; it was never acknowledged)",
			"file", path, "at_byte", w.good)
	}
	return nil
}

func checkSegmentHeader(h [segHeaderLen]byte, si types.SegmentInfo) error {
	switch {
	case binary.LittleEndian.Uint32(h[0:4]) != segMagic || h[4] != 0 || h[5] != 0 || h[6] != 0 || h[7] != segVersion:
		return errors.New("not a raft log segment")
	case binary.LittleEndian.Uint64(h[8:16]) != si.BaseIndex:
		return fmt.Errorf("first index %d, expected %d", binary.LittleEndian.Uint64(h[8:16]), si.BaseIndex)
	case binary.LittleEndian.Uint64(h[16:24]) != si.ID:
		return fmt.Errorf("segment id %d, expected %d", binary.LittleEndian.Uint64(h[16:24]), si.ID)
	case binary.LittleEndian.Uint64(h[24:32]) != si.Codec:
		return fmt.Errorf("encoding %d, expected %d", binary.LittleEndian.Uint64(h[24:32]), si.Codec)
	}
	return nil
}

// snapshotInfo is a verified snapshot.
type snapshotInfo struct {
	meta raft.SnapshotMeta
	dir  string
}

// snapshotMetaFile is the content of raft's snapshots/<id>/meta.json.
type snapshotMetaFile struct {
	raft.SnapshotMeta
	CRC []byte
}

// verifySnapshots checks every complete snapshot in dir/snapshots (raft
// writes a snapshot under <id>.tmp and renames it when complete, after
// fsyncing both files, so a complete one is never legitimately damaged) and
// returns the newest, as raft orders them, or nil when there is none.
func verifySnapshots(dir string) (*snapshotInfo, error) {
	root := filepath.Join(dir, "snapshots")
	ents, err := os.ReadDir(root)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list snapshots in %s: %w", root, err)
	}
	var newest *snapshotInfo
	for _, e := range ents {
		if !e.IsDir() || strings.HasSuffix(e.Name(), ".tmp") {
			continue
		}
		sd := filepath.Join(root, e.Name())
		meta, err := verifySnapshot(sd)
		if err != nil {
			return nil, err
		}
		if newest == nil || cmp.Or(cmp.Compare(meta.Term, newest.meta.Term), cmp.Compare(meta.Index, newest.meta.Index),
			cmp.Compare(meta.ID, newest.meta.ID)) > 0 {
			newest = &snapshotInfo{meta: meta, dir: sd}
		}
	}
	return newest, nil
}

func verifySnapshot(sd string) (raft.SnapshotMeta, error) {
	metaPath := filepath.Join(sd, "meta.json")
	b, err := os.ReadFile(metaPath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return raft.SnapshotMeta{}, damaged("raft snapshot %s has no meta.json", sd)
		}
		return raft.SnapshotMeta{}, fmt.Errorf("raft snapshot %s: %w", metaPath, err)
	}
	var m snapshotMetaFile
	if err := json.Unmarshal(b, &m); err != nil {
		return raft.SnapshotMeta{}, damaged("raft snapshot metadata %s is corrupt (%v)", metaPath, err)
	}
	switch {
	case m.Version < raft.SnapshotVersionMin || m.Version > raft.SnapshotVersionMax:
		return raft.SnapshotMeta{}, damaged("raft snapshot metadata %s has version %d, which this worker cannot read (it reads %d to %d)",
			metaPath, m.Version, raft.SnapshotVersionMin, raft.SnapshotVersionMax)
	case m.Index == 0 || m.Term == 0 || len(m.CRC) != crc64.Size:
		return raft.SnapshotMeta{}, damaged("raft snapshot metadata %s is corrupt (index %d, term %d, %d-byte checksum)",
			metaPath, m.Index, m.Term, len(m.CRC))
	}
	statePath := filepath.Join(sd, "state.bin")
	data, err := os.ReadFile(statePath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return raft.SnapshotMeta{}, damaged("raft snapshot state %s is missing", statePath)
		}
		return raft.SnapshotMeta{}, fmt.Errorf("raft snapshot state %s: %w", statePath, err)
	}
	if int64(len(data)) != m.Size {
		return raft.SnapshotMeta{}, damaged("raft snapshot state %s has %d bytes, its metadata says %d", statePath, len(data), m.Size)
	}
	h := crc64.New(crc64.MakeTable(crc64.ECMA))
	h.Write(data)
	if !bytes.Equal(h.Sum(nil), m.CRC) {
		return raft.SnapshotMeta{}, damaged("raft snapshot state %s does not match its checksum in meta.json", statePath)
	}
	st, err := decodeSnapshot(data)
	if err != nil {
		return raft.SnapshotMeta{}, damaged("raft snapshot state %s cannot be read (%v)", statePath, err)
	}
	if st.Index > m.Index {
		return raft.SnapshotMeta{}, damaged("raft snapshot state %s is at index %d, after the snapshot's index %d", statePath, st.Index, m.Index)
	}
	return m.SnapshotMeta, nil
}

// logSummary is what reading the whole log found.
type logSummary struct {
	first, last uint64
	// conf is the latest configuration entry after the snapshot (when
	// confIndex > 0).
	conf      raft.Configuration
	confIndex uint64
}

// verifyLog reads every entry of the log once, through raft-wal, after its
// files passed verifyWALFiles. Entries up to after (the snapshot's index)
// are read too but their configurations are superseded by the snapshot's.
func verifyLog(l *wal.WAL, walDir string, after uint64) (logSummary, error) {
	var s logSummary
	var err error
	if s.first, err = l.FirstIndex(); err != nil {
		return s, fmt.Errorf("raft log in %s: %w", walDir, err)
	}
	if s.last, err = l.LastIndex(); err != nil {
		return s, fmt.Errorf("raft log in %s: %w", walDir, err)
	}
	if s.last == 0 {
		return s, nil
	}
	var prevTerm uint64
	var e raft.Log
	for i := s.first; i <= s.last; i++ {
		if err := l.GetLog(i, &e); err != nil {
			return s, damaged("raft log in %s cannot read entry %d of %d to %d (%v)", walDir, i, s.first, s.last, err)
		}
		if e.Index != i {
			return s, damaged("raft log in %s holds entry %d where entry %d belongs", walDir, e.Index, i)
		}
		if e.Term < prevTerm {
			return s, damaged("raft log in %s has entry %d of term %d after an entry of term %d", walDir, i, e.Term, prevTerm)
		}
		prevTerm = e.Term
		if e.Type == raft.LogConfiguration && i > after {
			var c raft.Configuration
			if err := msgpack.NewDecoderBytes(e.Data, &msgpack.MsgpackHandle{}).Decode(&c); err != nil {
				return s, damaged("raft log in %s has an unreadable cluster configuration in entry %d (%v)", walDir, i, err)
			}
			s.conf, s.confIndex = c, i
		}
	}
	return s, nil
}

// checkContinuity checks that the log continues the newest snapshot (or
// starts at the beginning when there is none) and that this node is a
// member of the latest configuration. existing says whether the store holds
// Raft state; mustHaveConf whether that state must hold a configuration
// (a node that bootstraps itself always writes one).
func checkContinuity(dir, nodeID string, snap *snapshotInfo, lg logSummary, term uint64, mustHaveConf bool) error {
	walDir := filepath.Join(dir, "wal")
	var snapIndex uint64
	if snap != nil {
		snapIndex = snap.meta.Index
	}
	switch {
	case lg.last == 0:
		// Empty log: new, or just installed a snapshot from the leader
		// (Raft then empties the log).
	case snap == nil && lg.first > 1:
		return damaged("raft log in %s starts at entry %d, but there is no snapshot holding entries 1 to %d", walDir, lg.first, lg.first-1)
	case snap != nil && lg.first > snapIndex+1:
		return damaged("raft log in %s starts at entry %d, but the newest snapshot %s ends at entry %d: entries %d to %d are missing",
			walDir, lg.first, snap.dir, snapIndex, snapIndex+1, lg.first-1)
	case snap != nil && lg.last < snapIndex:
		return damaged("raft log in %s ends at entry %d, before the newest snapshot %s (entry %d): the log lost its end",
			walDir, lg.last, snap.dir, snapIndex)
	}

	conf := lg.conf
	if lg.confIndex == 0 && snap != nil {
		conf = snap.meta.Configuration
	}
	if len(conf.Servers) == 0 {
		if mustHaveConf && (term > 0 || lg.last > 0 || snap != nil) {
			return damaged("raft log in %s holds no cluster configuration although the store was in use (term %d, last entry %d)",
				walDir, term, lg.last)
		}
		return nil
	}
	var members []string
	for _, srv := range conf.Servers {
		if srv.ID == raft.ServerID(nodeID) {
			return nil
		}
		members = append(members, fmt.Sprintf("%q", srv.ID))
	}
	slices.Sort(members)
	return &damageError{
		msg: fmt.Sprintf("this node's id %q is not a member of the Raft cluster stored in %s (members: %s)",
			nodeID, dir, strings.Join(members, ", ")),
		hint: "the node id changed since the store was written (for a worker: its node-id file in the data directory) " +
			"or the node was removed from the cluster; restore the original node id, " +
			"or remove the store's directory and rejoin the cluster as a new node",
	}
}
