package teammodule

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/streamgate/streamgate/internal/apicheck"
	"github.com/streamgate/streamgate/internal/devserver"
)

// quickstart is what the README's quick start consists of: the fences
// marked quickstart, in order.
func quickstart(t *testing.T) []apicheck.Fence {
	t.Helper()
	fences, err := apicheck.MarkdownFences(filepath.Join(root, "README.md"), "README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []apicheck.Fence
	for _, f := range fences {
		if _, ok := f.Attrs["quickstart"]; ok {
			out = append(out, f)
		}
	}
	return out
}

// commands are the shell commands of a fence: continuation lines joined,
// blank lines and comment lines left out.
func commands(code string) []string {
	var out []string
	cur := ""
	for _, line := range strings.Split(code, "\n") {
		if strings.HasSuffix(line, "\\") {
			cur += strings.TrimSuffix(line, "\\")
			continue
		}
		cur += line
		if c := strings.TrimSpace(cur); c != "" && !strings.HasPrefix(c, "#") {
			out = append(out, c)
		}
		cur = ""
	}
	return out
}

// bare is a command without its trailing comment, for matching.
func bare(cmd string) string {
	if i := strings.Index(cmd, "  #"); i >= 0 {
		cmd = cmd[:i]
	}
	return strings.TrimSpace(cmd)
}

var (
	mkdirCd   = regexp.MustCompile(`^mkdir (\S+) && cd (\S+)$`)
	getModule = regexp.MustCompile(`^go get github\.com/streamgate/streamgate@\S+$`)
	getTool   = regexp.MustCompile(`^go get -tool (github\.com/streamgate/streamgate/cmd/\w+)$`)
	assign    = regexp.MustCompile(`^(URL|REGION)=\S+$`)
)

// TestQuickStart follows the README's quick start in a new module outside
// this repository: the files its blocks hold are written as they are, and
// its shell lines are run as they are, in order, with these exceptions,
// each for a reason a line of the test names:
//   - `go get` of streamgate and of its tools: the module is this checkout
//     (a replace), which go get cannot fetch, so go.mod is edited as go get
//     would have;
//   - `go tool sgdev` runs in the background, on a free port (-port), as a
//     reader runs it in another terminal; 127.0.0.1:3000 in later lines
//     becomes that port;
//   - `cdk bootstrap` and `cdk deploy` need an AWS account and are not run;
//     the deployed call is made to the runner instead: URL is the runner's
//     stage, REGION us-east-1, and `aws configure export-credentials`'s
//     variables are the runner's local session credential (a session
//     token, as the AWS CLI exports for SSO or a role).
//
// A line the test does not know how to run is run as is. The quick start
// must end with the three records and the done record, signed locally and
// signed as on AWS.
func TestQuickStart(t *testing.T) {
	t.Parallel()
	blocks := quickstart(t)
	if len(blocks) < 5 {
		t.Fatalf("the README has %d quickstart blocks; its quick start is marked with ```sh quickstart and ```go file=PATH quickstart", len(blocks))
	}
	// A fixed place per checkout, so that Go's build cache serves the app's
	// compile on the next run (the path is part of the build's key).
	sum := sha256.Sum256([]byte(root))
	parent := filepath.Join(os.TempDir(), "streamgate-quickstart-"+hex.EncodeToString(sum[:])[:8])
	os.RemoveAll(parent)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := parent
	port := freePort(t)
	var env []string
	var sgdev *exec.Cmd
	sgdevLogs := &syncBuffer{}
	t.Cleanup(func() { stopGroup(sgdev) })
	var calls []string // the curl outputs, in order
	files := 0

	for _, b := range blocks {
		if path := b.Attrs["file"]; path != "" {
			p := filepath.Join(dir, filepath.FromSlash(path))
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte(b.Code), 0o644); err != nil {
				t.Fatal(err)
			}
			files++
			continue
		}
		if b.Lang != "sh" {
			t.Fatalf("README.md:%d: a quickstart block is %q without file=PATH: the test writes files and runs sh blocks", b.Line, b.Lang)
		}
		for _, cmd := range commands(b.Code) {
			c := bare(cmd)
			switch {
			case mkdirCd.MatchString(c):
				m := mkdirCd.FindStringSubmatch(c)
				if m[1] != m[2] {
					t.Fatalf("README.md:%d: %q makes one folder and enters another", b.Line, c)
				}
				dir = filepath.Join(parent, m[1])
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			case getModule.MatchString(c):
				// This checkout, not a published version: go get cannot fetch it.
				run(t, dir, env, "go", "mod", "edit", "-replace=github.com/streamgate/streamgate="+root)
			case getTool.MatchString(c):
				run(t, dir, env, "go", "mod", "edit", "-tool="+getTool.FindStringSubmatch(c)[1])
			case c == "cdk bootstrap" || c == "cdk deploy":
				t.Logf("not run, it needs an AWS account: %s", c)
			case strings.HasPrefix(c, `eval "$(aws configure export-credentials`):
				// The runner's session credential stands for the account's.
				env = append(env, "AWS_ACCESS_KEY_ID="+devserver.LocalSessionAccessKeyID,
					"AWS_SECRET_ACCESS_KEY="+devserver.LocalSessionSecretAccessKey, "AWS_SESSION_TOKEN="+devserver.LocalSessionToken)
			case assign.MatchString(c):
				name := assign.FindStringSubmatch(c)[1]
				value := map[string]string{"URL": fmt.Sprintf("http://127.0.0.1:%d/prod", port), "REGION": "us-east-1"}[name]
				env = append(env, name+"="+value)
			case c == "go tool sgdev":
				sgdev = startSgdev(t, dir, env, port, sgdevLogs)
			default:
				c = strings.ReplaceAll(cmd, "127.0.0.1:3000", fmt.Sprintf("127.0.0.1:%d", port))
				out := run(t, dir, env, "bash", "-c", c)
				if strings.HasPrefix(c, "curl") {
					calls = append(calls, out)
				}
			}
		}
	}
	if files < 3 {
		t.Errorf("the quick start wrote %d files; want main.go, the handler and cdk.json", files)
	}
	if sgdev == nil {
		t.Fatal("the quick start never runs `go tool sgdev`")
	}
	want := `{"n":1,"text":"hello"}` + "\n" + `{"n":2,"text":"hello"}` + "\n" + `{"n":3,"text":"hello"}` + "\n" + `{"done":true,"records":3}` + "\n"
	if len(calls) != 2 {
		t.Fatalf("the quick start made %d calls; want 2 (signed locally, signed as on AWS)", len(calls))
	}
	for i, got := range calls {
		if got != want {
			t.Errorf("call %d answered %q, want %q\nsgdev:\n%s", i+1, got, want, sgdevLogs.String())
		}
	}
	// What the README says of an unsigned call.
	out, _ := exec.Command("curl", "-s", fmt.Sprintf("http://127.0.0.1:%d/prod/hello", port)).Output()
	if !strings.Contains(string(out), `{"message":"Missing Authentication Token"}`) {
		t.Errorf("unsigned: %s", out)
	}
	// A first API has no bucket: no S3 server, and nothing to say of one.
	if strings.Contains(sgdevLogs.String(), "without S3") {
		t.Errorf("sgdev talked of S3 for an API without buckets:\n%s", sgdevLogs.String())
	}
}

// run runs a command in dir and returns its standard output; a failure
// ends the test with both outputs.
func run(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := command(dir, env, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s (in %s): %v\n%s%s", strings.Join(args, " "), dir, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startSgdev runs `go tool sgdev -port port` in its own process group and
// waits until it is ready.
func startSgdev(t *testing.T, dir string, env []string, port int, logs *syncBuffer) *exec.Cmd {
	t.Helper()
	cmd := command(dir, env, "go", "tool", "sgdev", "-port", fmt.Sprint(port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // go tool runs sgdev as its child: stop both
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			logs.WriteString(sc.Text() + "\n")
			if sc.Text() == "ready" {
				ready <- true
			}
		}
		close(ready)
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("go tool sgdev ended before it was ready:\n%s", logs.String())
		}
	case <-time.After(5 * time.Minute):
		t.Fatalf("go tool sgdev not ready after 5 minutes:\n%s", logs.String())
	}
	return cmd
}

// syncBuffer is a bytes.Buffer that a process's stdout reader and its
// stderr copier may write at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) WriteString(p string) {
	s.Write([]byte(p))
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// stopGroup interrupts cmd's process group (itself and its children), as
// Ctrl-C does, and kills it if it is still there after 10 s.
func stopGroup(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	pgid := cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGINT)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-pgid, syscall.SIGKILL)
	}
}
