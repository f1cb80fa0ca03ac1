// Package teammodule tests streamgate as a team consumes it: test/teamapp,
// a CDK app in its own Go module (example.com/teamapp) with its own
// handlers, is copied out of this module, pointed at this checkout with a
// replace, tidied with a plain `go mod tidy`, synthesized with the pinned
// cdk CLI, tested with its own `go test` (templatetest as the README shows
// it), served by sgdev, and made to fail in the ways a team can get wrong,
// each of which must print one clean error.
//
// This package imports no CDK: every step is a separate process, as on a
// team's machine.
package teammodule

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/streamgate/streamgate/internal/assembly"
)

var (
	root string // this checkout
	mod  string // the team module's copy
)

func TestMain(m *testing.M) {
	wd, _ := os.Getwd()
	root = filepath.Dir(filepath.Dir(wd))
	// A fixed place per checkout, so that Go's caches serve the next run
	// too, and two checkouts tested at once do not share (and delete) it.
	sum := sha256.Sum256([]byte(root))
	mod = filepath.Join(os.TempDir(), "streamgate-teamapp-"+hex.EncodeToString(sum[:])[:8])
	os.Exit(m.Run())
}

var (
	prepareOnce sync.Once
	prepareErr  string
)

// prepare copies test/teamapp to mod, replaces streamgate with this
// checkout and runs `go mod tidy`, once.
func prepare(t *testing.T) {
	t.Helper()
	prepareOnce.Do(func() {
		os.RemoveAll(mod)
		if err := copyDir(filepath.Join(root, "test", "teamapp"), mod); err != nil {
			prepareErr = err.Error()
			return
		}
		for _, args := range [][]string{
			{"go", "mod", "edit", "-replace=github.com/streamgate/streamgate=" + root},
			{"go", "mod", "tidy"},
		} {
			if out, err := command(mod, nil, args...).CombinedOutput(); err != nil {
				prepareErr = strings.Join(args, " ") + ": " + err.Error() + "\n" + string(out)
				return
			}
		}
	})
	if prepareErr != "" {
		t.Fatal(prepareErr)
	}
}

// command runs in dir with the project's Node.js and cdk CLI first on PATH.
func command(dir string, env []string, args ...string) *exec.Cmd {
	name := args[0]
	if name == "cdk" {
		name = filepath.Join(root, ".tools", "node_modules", ".bin", "cdk")
	}
	cmd := exec.Command(name, args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+filepath.Join(root, ".tools", "node_modules", ".bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			if d.Name() == "cdk.out" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
}

// TestTidyLeavesHandlerDependenciesOut pins the situation the team is in:
// after `go mod tidy`, the app's go.sum lacks what streamgate's presign
// handler needs (aws-sdk-go-v2/config), so that handler must be built in
// streamgate's module, not the app's.
func TestTidyLeavesHandlerDependenciesOut(t *testing.T) {
	prepare(t)
	sum, err := os.ReadFile(filepath.Join(mod, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sum, []byte("github.com/aws/aws-sdk-go-v2/config ")) {
		t.Error("the tidy go.sum has aws-sdk-go-v2/config: this test no longer shows that streamgate's handlers build without the app's go.sum")
	}
}

var (
	synthOnce sync.Once
	synthOut  string
	synthErr  error
)

// synth runs `cdk synth` in the team module once.
func synth(t *testing.T) {
	t.Helper()
	prepare(t)
	synthOnce.Do(func() {
		os.RemoveAll(filepath.Join(mod, "cdk.out"))
		out, err := command(mod, nil, "cdk", "synth", "--quiet").CombinedOutput()
		synthOut, synthErr = string(out), err
	})
	if synthErr != nil {
		t.Fatalf("cdk synth: %v\n%s", synthErr, synthOut)
	}
}

// TestCdkSynth: the app synthesizes with cdk-nag on (an unacknowledged
// finding would fail it); streamgate's presign handler is built in
// streamgate's module and the team's handlers in the team's.
func TestCdkSynth(t *testing.T) {
	synth(t)
	for _, s := range []string{"TeamStreams", "TeamUploads"} {
		if _, err := os.Stat(filepath.Join(mod, "cdk.out", s+".template.json")); err != nil {
			t.Error(err)
		}
	}
	mains := map[string]string{} // package -> main module
	assets, _ := filepath.Glob(filepath.Join(mod, "cdk.out", "asset.*", "bootstrap"))
	for _, a := range assets {
		info, err := buildinfo.ReadFile(a)
		if err != nil {
			t.Errorf("%s: %v", a, err)
			continue
		}
		mains[info.Path] = info.Main.Path
	}
	for pkg, main := range map[string]string{
		"github.com/streamgate/streamgate/handlers/presign": "github.com/streamgate/streamgate",
		// teamapp's Entry still names lambda/records, the path it had
		// before it moved (gobuild.Moved): built from the new one.
		"github.com/streamgate/streamgate/examples/demo/records": "github.com/streamgate/streamgate",
		"example.com/teamapp/handlers/hello":                     "example.com/teamapp",
		"example.com/teamapp/handlers/report":                    "example.com/teamapp",
	} {
		if mains[pkg] != main {
			t.Errorf("%s: built in module %q, want %q (all: %v)", pkg, mains[pkg], main, mains)
		}
	}
}

// TestGoldenMatchesWhatCdkSynthShips: the team's golden snapshots, written
// by its `go test` with templatetest.NewApp (cdk.json's context, no
// bundling), are what `cdk synth` writes for the same stacks.
func TestGoldenMatchesWhatCdkSynthShips(t *testing.T) {
	synth(t)
	for stack, golden := range map[string]string{"TeamStreams": "streams", "TeamUploads": "uploads"} {
		b, err := os.ReadFile(filepath.Join(mod, "cdk.out", stack+".template.json"))
		if err != nil {
			t.Fatal(err)
		}
		var tmpl map[string]any
		if err := json.Unmarshal(b, &tmpl); err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(mod, "stacks", "testdata", golden+".golden.json"))
		if err != nil {
			t.Fatal(err)
		}
		if got := assembly.Normalize(tmpl); !bytes.Equal(got, want) {
			t.Errorf("%s: cdk synth's template differs from the golden snapshot (-want +got):\n%s", stack, assembly.Diff(string(want), string(got)))
		}
	}
}

// TestTeamTests runs the team's own tests: templatetest as the README shows
// it, a golden snapshot, and a noncompliant stack that NagClean must fail.
func TestTeamTests(t *testing.T) {
	prepare(t)
	out, err := command(mod, nil, "go", "test", "-count=1", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go test ./... in the team module: %v\n%s", err, out)
	}
}

// TestServedBySgdev adds sgdev as a tool of the team module, as the README
// says, and streams the team's own handler through it with every flag's
// default: outside this repository, the tools sgdev runs besides Go are
// looked for in the user's tools folder (here an empty STREAMGATE_TOOLS),
// and the missing S3 server is a notice that names the command that
// installs it, not a failure.
func TestServedBySgdev(t *testing.T) {
	synth(t)
	// `go get -tool github.com/streamgate/streamgate/cmd/sgdev` for a
	// published version; with the replace of this checkout, go get would ask
	// the module proxy about the path, so the tool line is added by hand.
	for _, args := range [][]string{{"go", "mod", "edit", "-tool=github.com/streamgate/streamgate/cmd/sgdev"}, {"go", "mod", "tidy"}} {
		if out, err := command(mod, nil, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	emptyTools := t.TempDir()
	runner := command(mod, []string{"STREAMGATE_TOOLS=" + emptyTools}, "go", "tool", "sgdev", "-assembly", "cdk.out", "-port", "0")
	runner.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // go tool runs sgdev as its child: stop both
	stdout, _ := runner.StdoutPipe()
	logs := &syncBuffer{}
	runner.Stderr = logs
	if err := runner.Start(); err != nil {
		t.Fatal(err)
	}
	defer stopGroup(runner)
	url := regexp.MustCompile(`^TeamStreams/Api\S*\s+(http://127\.0\.0\.1:\d+/prod)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		api := ""
		for sc.Scan() {
			if m := url.FindStringSubmatch(sc.Text()); m != nil {
				api = m[1]
			}
			if sc.Text() == "ready" {
				found <- api
			}
		}
		close(found)
	}()
	var api string
	select {
	case api = <-found:
	case <-time.After(5 * time.Minute):
		t.Fatalf("sgdev not ready after 5 minutes:\n%s", logs.String())
	}
	if api == "" {
		t.Fatalf("sgdev listed no TeamStreams/Api URL:\n%s", logs.String())
	}
	start := time.Now()
	resp, err := http.Get(api + "/hello?n=5")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	first, err := br.ReadString('\n')
	firstAt := time.Since(start)
	if err != nil || !strings.Contains(first, `"text":"hello from the team"`) {
		t.Fatalf("first line %q, %v\n%s", first, err, logs.String())
	}
	rest, _ := io.ReadAll(br)
	total := time.Since(start)
	if n := strings.Count(string(rest), "hello from the team"); n != 4 {
		t.Errorf("%d more greetings, want 4: %s", n, rest)
	}
	// Five records 100 ms apart: the first must not wait for the last.
	if firstAt > total-300*time.Millisecond {
		t.Errorf("first record after %v of %v: not streamed", firstAt, total)
	}
	t.Logf("team handler through sgdev: first record after %v, stream ended after %v", firstAt, total)
	// TeamUploads has a bucket, and the default server is not installed:
	// sgdev says what it skips and which command installs it.
	for _, want := range []string{"running without S3", filepath.Join(emptyTools, "bin", "weed"), "`sgdev install seaweedfs`", "-s3 none"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("sgdev's notice lacks %q:\n%s", want, logs.String())
		}
	}
}

// TestSgdevToolsOutsideTheRepository: in a team's module, sgdev's tool
// flags default to the user's tools folder (not this repository's
// .tools), and `sgdev install` installs there with streamgate's own scripts
// from the module streamgate is required as: here the Python client,
// which is the quickest to build.
func TestSgdevToolsOutsideTheRepository(t *testing.T) {
	prepare(t)
	if out, err := command(mod, nil, "go", "mod", "edit", "-tool=github.com/streamgate/streamgate/cmd/sgdev").CombinedOutput(); err != nil {
		t.Fatalf("go mod edit -tool: %v\n%s", err, out)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Skip("no user cache directory here:", err)
	}
	help, _ := command(mod, nil, "go", "tool", "sgdev", "-h").CombinedOutput()
	for _, want := range []string{
		filepath.Join(cache, "streamgate", "tools", "noderic", "node_modules", "aws-lambda-ric", "index.mjs"),
		filepath.Join(cache, "streamgate", "tools", "pyric", "runtime"),
		"sgdev install noderic installs it",
		"(the user cache directory; sgdev install -h)",
	} {
		if !strings.Contains(string(help), want) {
			t.Errorf("sgdev -h in a team module lacks %q:\n%s", want, help)
		}
	}
	if strings.Contains(string(help), ".tools") {
		t.Errorf("sgdev -h in a team module names a .tools folder:\n%s", help)
	}

	tools := t.TempDir()
	env := []string{"STREAMGATE_TOOLS=" + tools}
	dry, err := command(mod, env, "go", "tool", "sgdev", "install", "-n").Output()
	if err != nil {
		t.Fatalf("sgdev install -n: %v", err)
	}
	for _, s := range []string{"noderic.sh install", "pyric.sh install", "s3server.sh install seaweedfs"} {
		if want := "TOOLS=" + tools + " bash " + filepath.Join(root, "scripts", s); !strings.Contains(string(dry), want) {
			t.Errorf("sgdev install -n: no %q in\n%s", want, dry)
		}
	}
	// make test builds this repository's Python client in the background,
	// with the host packages it needs: wait for it, so that two builds do not
	// ask the package manager at once.
	if out, err := exec.Command(filepath.Join(root, "scripts", "pyric.sh"), "wait").CombinedOutput(); err != nil {
		t.Fatalf("scripts/pyric.sh wait: %v\n%s", err, out)
	}
	start := time.Now()
	if out, err := command(mod, env, "go", "tool", "sgdev", "install", "pyric").CombinedOutput(); err != nil {
		t.Fatalf("sgdev install pyric: %v\n%s", err, out)
	}
	t.Logf("sgdev install pyric: %v", time.Since(start).Round(time.Second))
	built := []string{filepath.Join(tools, "pyric", "runtime", "awslambdaric", "__main__.py"), filepath.Join(tools, "pyric", "runtime", "NOT-BUILT.txt")}
	if _, err := os.Stat(built[0]); err != nil {
		if _, err2 := os.Stat(built[1]); err2 != nil {
			t.Errorf("after sgdev install pyric, neither %s nor %s", built[0], built[1])
		}
	}
	help, _ = command(mod, env, "go", "tool", "sgdev", "-h").CombinedOutput()
	if want := `(default "` + filepath.Join(tools, "pyric", "runtime") + `")`; !strings.Contains(string(help), want) {
		t.Errorf("sgdev -h with STREAMGATE_TOOLS lacks %q:\n%s", want, help)
	}
}

// goSource is a Go source location, as in a goroutine trace.
var goSource = regexp.MustCompile(`\.go:\d+`)

// TestMisuseGivesOneCleanError: each mistake stops `cdk synth` with one
// error that names the construct path, the prop and the fix, and none of
// the internals (goroutine traces, Node.js stacks, jsii's own lines).
func TestMisuseGivesOneCleanError(t *testing.T) {
	prepare(t)
	// A handler that does not compile, for the "build" case.
	broken := filepath.Join(mod, "handlers", "broken")
	os.MkdirAll(broken, 0o755)
	if err := os.WriteFile(filepath.Join(broken, "main.go"), []byte("package main\n\nfunc main() { undefinedHandler() }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(broken) })
	for _, c := range []struct {
		name string
		want []string
	}{
		{"props", []string{`StreamingRestApi "TeamFail/Api" has 1 invalid prop`, "IntegrationTimeout is 16 minutes", "Fix:"}},
		{"build", []string{`gofunction.GoFunction "TeamFail/Api/GetX"`, "building handler example.com/teamapp/handlers/broken for linux/arm64", "undefined: undefinedHandler", "Fix:"}},
		{"entry-empty", []string{`StreamingRestApi "TeamFail/Api"`, `Routes[0].Entry is ""`, "Fix:"}},
		{"entry-app", []string{`Routes[0].Entry "." is a CDK app`, "Fix:"}},
		{"entry-missing", []string{`Routes[0].Entry "./handlers/nosuch" is not a Go package`, "relative to the app's module root", "Fix:"}},
		{"token-seconds", []string{"IntegrationTimeout is a Token in seconds", "awscdk.Duration_Millis"}},
		{"associate-nil", []string{`SizeLimitedWebAcl "TeamFail/Acl": Associate(nil)`, "Fix:"}},
		{"nil-id", []string{`PresignedUploadApi (no id) in "TeamFail"`, "id is nil", "Fix:"}},
		{"metric-prefix", []string{`SizeLimitedWebAcl "TeamFail/Acl"`, `MetricPrefix is "team acl"`, "Fix:"}},
		{"waf-log-group", []string{`LogGroup is "team-waf"`, "aws-waf-logs-", "Fix:"}},
		{"edge-region", []string{`EdgeUploadEndpoint "TeamFail/Partners" has 1 invalid prop`, "without an explicit region", "Fix:"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, err := command(mod, []string{"TEAMAPP_FAIL=" + c.name}, "cdk", "synth", "--quiet", "--output", "cdk.out.fail-"+c.name).CombinedOutput()
			if err == nil {
				t.Fatalf("cdk synth succeeded:\n%s", out)
			}
			s := string(out)
			for _, w := range c.want {
				if !strings.Contains(s, w) {
					t.Errorf("output lacks %q", w)
				}
			}
			for _, noise := range []string{"goroutine ", "panic:", "EPIPE", "Runtime process exited", "node:internal", "    at ", "@jsii", "jsii-kernel"} {
				if strings.Contains(s, noise) {
					t.Errorf("output has %q", noise)
				}
			}
			if c.name != "build" && goSource.MatchString(s) { // the compiler's lines name the file
				t.Errorf("output names Go source: %q", goSource.FindString(s))
			}
			if t.Failed() {
				t.Logf("output:\n%s", s)
			}
		})
	}
}
