package devserver

import "syscall"

// childProcAttr makes the runner's children (functions, MinIO) die with
// the runner, even when it is killed with SIGKILL and cannot stop them.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
