// Package s3server starts an S3-compatible server that scripts/s3server.sh
// builds (SeaweedFS or MinIO), on loopback ports with a data directory, for
// the local runner and the tests: one launcher, whichever the server, with
// the same wait for readiness and the same credentials.
//
//	p := &s3server.Process{Kind: s3server.SeaweedFS, Bin: ".tools/bin/weed", Addr: addr, Data: dir,
//		AccessKey: "streamgate", SecretKey: "streamgate-local-secret"}
//	if err := p.Start(); err != nil { ... }
//	defer p.Kill()
//	client := s3.New(s3.Options{BaseEndpoint: aws.String(p.URL()), UsePathStyle: true, ...})
package s3server

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Kind names a server.
type Kind string

const (
	// SeaweedFS (Apache-2.0, maintained): `weed server` with its filer and
	// S3 gateway, built from the Go module proxy.
	SeaweedFS Kind = "seaweedfs"
	// MinIO, whose repository its owners archived on 2026-04-25 (no
	// releases or security fixes since); kept selectable.
	MinIO Kind = "minio"
)

// Default is the server `make test`, `make dev` and sgdev use unless told
// otherwise; the README's table of S3 servers says why.
const Default = SeaweedFS

// Kinds are the servers the launcher can start, the default first.
func Kinds() []Kind { return []Kind{SeaweedFS, MinIO} }

// ParseKind reads a server's name as the -s3 flag takes it.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds() {
		if string(k) == strings.ToLower(s) {
			return k, nil
		}
	}
	names := make([]string, 0, len(Kinds()))
	for _, k := range Kinds() {
		names = append(names, string(k))
	}
	return "", fmt.Errorf("S3 server %q: allowed: %s", s, strings.Join(names, ", "))
}

// Binary is the file name of the server's program in .tools/bin.
func (k Kind) Binary() string {
	if k == SeaweedFS {
		return "weed"
	}
	return string(k)
}

// Title is the server's name in messages.
func (k Kind) Title() string {
	switch k {
	case SeaweedFS:
		return "SeaweedFS"
	case MinIO:
		return "MinIO"
	}
	return string(k)
}

// ToolsBin is where scripts/s3server.sh installs the server's binary under
// the tools directory (.tools).
func (k Kind) ToolsBin(tools string) string { return filepath.Join(tools, "bin", k.Binary()) }

// Process is one server. Set the fields, then Start; Start again after it
// exited runs it on the same ports and data.
type Process struct {
	// Kind is the server.
	Kind Kind
	// Bin is its binary.
	Bin string
	// Addr is the loopback address of its S3 API (FreeAddr picks one).
	Addr string
	// Data is its data directory.
	Data string
	// AccessKey and SecretKey are the credentials it accepts (SigV4).
	AccessKey, SecretKey string
	// Env are further environment variables (MinIO's
	// MINIO_API_CORS_ALLOW_ORIGIN, for example).
	Env []string
	// Webhook, when set, is a URL the server posts its bucket events to,
	// where it can (see Capabilities' notifications row): MinIO's webhook
	// target WebhookARN.
	Webhook string
	// SysProcAttr, when set, is the child's (the runner's kill-with-parent).
	SysProcAttr *syscall.SysProcAttr

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	logs   bytes.Buffer
	ports  []string // the other loopback ports a server needs, kept across restarts
	// volumesAt is when a starting SeaweedFS first had volumes.
	volumesAt time.Time
}

// WebhookARN is the queue ARN a bucket's notification configuration names
// to reach Process.Webhook on MinIO.
const WebhookARN = "arn:minio:sqs::STREAMGATE:webhook"

// FreeAddr is a free 127.0.0.1 port's address.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// freePorts is n free 127.0.0.1 ports, all different and none of them
// except. Each is held open until all are picked: a port closed at once
// can be the kernel's next answer, and two of a server's parts on one
// port fail its start ("bind: address already in use").
func freePorts(n int, except string) ([]string, error) {
	var ports []string
	for tries := 0; len(ports) < n; tries++ {
		if tries == 4*n {
			return nil, fmt.Errorf("no %d free ports on 127.0.0.1 after %d tries", n, tries)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer ln.Close()
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		if port != except {
			ports = append(ports, port)
		}
	}
	return ports, nil
}

// URL is the server's S3 endpoint, http://Addr.
func (p *Process) URL() string { return "http://" + p.Addr }

// Client is an S3 client for the server, signed with its root credentials
// (AccessKey, SecretKey), path-style, in us-east-1.
func (p *Process) Client() *s3.Client {
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(p.URL()), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(p.AccessKey, p.SecretKey, "")})
}

// MetricsURL is where the server's Prometheus metrics are: SeaweedFS's
// (S3 bytes received per bucket: SeaweedFS_s3_bucket_traffic_received_bytes_total),
// or MinIO's (minio_api_requests_traffic_received_bytes; public only when
// its environment has MINIO_PROMETHEUS_AUTH_TYPE=public). Known after Start.
func (p *Process) MetricsURL() string {
	if p.Kind == SeaweedFS {
		p.mu.Lock()
		defer p.mu.Unlock()
		if len(p.ports) < 8 {
			return ""
		}
		return "http://127.0.0.1:" + p.ports[7] + "/metrics"
	}
	return p.URL() + "/minio/metrics/v3/api/requests"
}

// Start runs the server and waits (60 s at most) until it can store
// objects; a server that exits or is not ready is an error with its output.
// SeaweedFS's own ports are picked at its first start and kept for later
// ones; when another process takes one of them before the server binds it,
// the first start picks them again (three tries in all).
func (p *Process) Start() error {
	fresh := p.Kind == SeaweedFS && len(p.ports) == 0
	for try := 1; ; try++ {
		err := p.start()
		if err == nil || !fresh || try == 3 || !p.lostPortRace() {
			return err
		}
		p.ports = nil
	}
}

// lostPortRace says whether the server exited because one of the ports
// picked for it was taken, and not its S3 address (which the caller chose).
func (p *Process) lostPortRace() bool {
	logs := p.Logs()
	return strings.Contains(logs, "bind: address already in use") && !strings.Contains(logs, p.Addr+": bind:")
}

// start is one try of Start.
func (p *Process) start() error {
	args, env, err := p.command()
	if err != nil {
		return err
	}
	bin := p.Bin
	if strings.ContainsRune(bin, filepath.Separator) {
		bin, _ = filepath.Abs(bin)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), env...), p.Env...)
	// In its data directory: SeaweedFS reads ./filer.toml and the like
	// from where it runs.
	cmd.Dir = p.Data
	p.mu.Lock()
	p.logs.Reset()
	p.volumesAt = time.Time{}
	p.mu.Unlock()
	cmd.Stdout, cmd.Stderr = (*lockedWriter)(p), (*lockedWriter)(p)
	cmd.SysProcAttr = p.SysProcAttr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s (%s): %w (scripts/s3server.sh install %s builds it)", p.Kind.Title(), p.Bin, err, p.Kind)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		p.removeSockets() // also when it died by itself
		close(exited)
	}()
	p.mu.Lock()
	p.cmd, p.exited = cmd, exited
	p.mu.Unlock()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if p.ready() {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("%s exited on start (%s, data %s):\n%s", p.Kind.Title(), p.Addr, p.Data, p.Logs())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-exited
			return fmt.Errorf("%s was not ready on %s within 60 s:\n%s", p.Kind.Title(), p.Addr, p.Logs())
		}
	}
}

// command is the server's command line and environment.
func (p *Process) command() (args, env []string, err error) {
	switch p.Kind {
	case MinIO:
		args, env = p.minio()
		return args, env, nil
	case SeaweedFS:
		return p.seaweedFS()
	}
	return nil, nil, fmt.Errorf("S3 server %q: allowed: %s, %s", p.Kind, SeaweedFS, MinIO)
}

// ready says whether the server answers, and for SeaweedFS whether it can
// store an object (its S3 gateway answers before its volume server joins).
func (p *Process) ready() bool {
	path := "/minio/health/live"
	if p.Kind == SeaweedFS {
		path = "/healthz"
	}
	resp, err := http.Get(p.URL() + path)
	if err != nil {
		return false
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return false
	}
	if p.Kind == SeaweedFS {
		return p.seaweedFSWritable()
	}
	return true
}

// Exited is closed when the running process exits.
func (p *Process) Exited() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exited
}

// Kill stops the server at once (SIGKILL, as a crash would) and waits for
// it; its data stays.
func (p *Process) Kill() {
	p.mu.Lock()
	cmd, exited := p.cmd, p.exited
	p.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	cmd.Process.Kill()
	<-exited
	p.removeSockets()
}

// removeSockets removes what a killed server leaves under /tmp.
func (p *Process) removeSockets() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range p.seaweedFSSockets() {
		os.Remove(f)
	}
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
