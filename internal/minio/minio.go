// Package minio starts the MinIO server that scripts/minio.sh builds, on a
// loopback port with a data directory, for the local runner and the tests:
// one launcher, with the same flags and the same wait for health.
package minio

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Process is one MinIO server. Set the fields, then Start; Start again
// after it exited runs it on the same address and data.
type Process struct {
	// Bin is the minio binary.
	Bin string
	// Addr is the loopback address it listens on (FreeAddr picks one).
	Addr string
	// Data is its data directory.
	Data string
	// User and Password are the root credentials.
	User, Password string
	// Env are further environment variables (MINIO_API_CORS_ALLOW_ORIGIN).
	Env []string
	// SysProcAttr, when set, is the child's (the runner's kill-with-parent).
	SysProcAttr *syscall.SysProcAttr

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	logs   bytes.Buffer
}

// FreeAddr is a free 127.0.0.1 port's address.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// URL is the server's endpoint, http://Addr.
func (p *Process) URL() string { return "http://" + p.Addr }

// Start runs MinIO and waits (30 s at most) until it answers its health
// check; a MinIO that exits or does not answer is an error with its output.
func (p *Process) Start() error {
	cmd := exec.Command(p.Bin, "server", "--quiet", "--address", p.Addr, "--console-address", "127.0.0.1:0", p.Data)
	cmd.Env = append(append(os.Environ(), "MINIO_ROOT_USER="+p.User, "MINIO_ROOT_PASSWORD="+p.Password, "MINIO_BROWSER=off"), p.Env...)
	p.mu.Lock()
	p.logs.Reset()
	p.mu.Unlock()
	cmd.Stdout, cmd.Stderr = (*lockedWriter)(p), (*lockedWriter)(p)
	cmd.SysProcAttr = p.SysProcAttr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting MinIO (%s): %w (scripts/minio.sh install builds it)", p.Bin, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	p.mu.Lock()
	p.cmd, p.exited = cmd, exited
	p.mu.Unlock()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(p.URL() + "/minio/health/live"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("MinIO exited on start (%s, data %s):\n%s", p.Addr, p.Data, p.Logs())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-exited
			return fmt.Errorf("MinIO did not start on %s:\n%s", p.Addr, p.Logs())
		}
	}
}

// Exited is closed when the running process exits.
func (p *Process) Exited() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exited
}

// Kill stops MinIO at once (SIGKILL, as a crash would) and waits for it;
// its data stays.
func (p *Process) Kill() {
	p.mu.Lock()
	cmd, exited := p.cmd, p.exited
	p.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	cmd.Process.Kill()
	<-exited
}

// Pid is the running process's id, 0 before Start.
func (p *Process) Pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// State is how the last process ended ("" while it runs).
func (p *Process) State() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.cmd.ProcessState == nil {
		return ""
	}
	return p.cmd.ProcessState.String()
}

// Logs is the output of the current (or last) process.
func (p *Process) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

type lockedWriter Process

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.logs.Write(b)
}
