//go:build unix

package raftstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lockFileName is the lock file in the store's directory. It holds the pid
// of the process that has the store open, for the error a second process
// gets.
const lockFileName = "lock"

// dirLock is an exclusive advisory lock (flock) on a store directory, held
// for the life of the store. The kernel drops it when the process dies, so
// a crash never leaves a stale lock behind.
type dirLock struct{ f *os.File }

// lockDir takes the lock without waiting: a second worker on the same data
// directory must fail at once, not block inside raft-wal's own lock.
func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, lockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock data directory %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		pid := readPid(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &inUseError{dir: dir, pid: pid}
		}
		return nil, fmt.Errorf("lock data directory %s: %w", dir, err)
	}
	// The pid is informational only (the flock is the lock), so a failure
	// to record it is not fatal, but it is reported.
	if err := writePid(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock data directory %s: record pid in %s: %w", dir, path, err)
	}
	return &dirLock{f: f}, nil
}

func readPid(f *os.File) string {
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	pid := strings.TrimSpace(string(b[:n]))
	if _, err := strconv.Atoi(pid); err != nil {
		return ""
	}
	return pid
}

func writePid(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}

// Close releases the lock. The pid stays in the file: the next owner
// overwrites it, and it is never trusted without the flock.
func (l *dirLock) Close() error { return l.f.Close() }
