//go:build !linux

package devserver

import "syscall"

// childProcAttr: other systems have no parent-death signal; the runner
// stops its children when it stops (SIGTERM, Ctrl-C).
func childProcAttr() *syscall.SysProcAttr { return nil }
