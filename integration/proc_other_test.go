//go:build !linux

package integration

import "syscall"

// sysProcAttr has no parent-death signal to ask for outside Linux; the tests' cleanups still
// kill every child.
func sysProcAttr() *syscall.SysProcAttr { return nil }
