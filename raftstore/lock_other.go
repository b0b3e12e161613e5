//go:build !unix

package raftstore

// dirLock is a no-op where flock is not available: one process per data
// directory is then the operator's responsibility.
type dirLock struct{}

func lockDir(string) (*dirLock, error) { return &dirLock{}, nil }

func (*dirLock) Close() error { return nil }
