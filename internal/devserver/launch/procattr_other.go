//go:build !linux

package launch

import "syscall"

// ChildProcAttr: other systems have no parent-death signal; the runner
// stops its children when it stops (SIGTERM, Ctrl-C).
func ChildProcAttr() *syscall.SysProcAttr { return nil }
