//go:build unix

package httpserve

import "syscall"

// openFileLimit returns the process's open-file limit (the soft RLIMIT_NOFILE, which the Go
// runtime raises to the hard limit at start), and false if it cannot be read.
func openFileLimit() (uint64, bool) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, false
	}
	return uint64(rl.Cur), true
}
