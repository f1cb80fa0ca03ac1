// Package launch holds what the local runner's launchers share: the
// attributes that tie a child process (a function, MinIO, Node.js) to the
// runner's life.
package launch

import "syscall"

// ChildProcAttr makes the runner's children (functions, MinIO) die with
// the runner, even when it is killed with SIGKILL and cannot stop them.
func ChildProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
