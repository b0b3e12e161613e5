package integration

import "syscall"

// sysProcAttr makes the kernel kill a child when the test binary dies, so not even a test
// binary killed by go test's -timeout leaves a worker or broker behind.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
