package demo

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/streamgate/streamgate/internal/gobuild"
)

// The handlers streamgate ships (the one the constructs build, the demo's
// and the example upload-event handler), and the two baselines, by their
// path in the module.
var (
	shipped = []string{"examples/demo/records", "examples/demo/progress", "examples/demo/export", "handlers/presign", "examples/onupload"}
	bare    = "examples/demo/testdata/hello"
	adapter = "examples/demo/testdata/hellohttp"
	// The examples carry their frameworks (protobuf, the MCP SDK), not
	// streamgate's weight: measured, not held to the limit.
	examples = []string{"examples/mux", "examples/chi", "examples/connect", "examples/mcp"}
)

// MaxBootstrapBytes is the size a shipped handler may reach.
const MaxBootstrapBytes = 8_000_000

var (
	buildsMu sync.Mutex
	builds   = map[string]string{}
)

// build compiles the package at path name in the module for linux/goarch exactly as the constructs
// do (internal/gobuild: the flags, streamgate's own build tags).
func build(tb testing.TB, name, goarch string) string {
	tb.Helper()
	buildsMu.Lock()
	defer buildsMu.Unlock()
	key := name + "/" + goarch
	if bin, ok := builds[key]; ok {
		return bin
	}
	root, err := gobuild.ModuleDir(gobuild.StreamgateModule)
	if err != nil {
		tb.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "size-")
	if err != nil {
		tb.Fatal(err)
	}
	bin := filepath.Join(dir, "bootstrap")
	p := gobuild.Package{ImportPath: gobuild.StreamgateModule + "/" + name, ModuleDir: root, Own: true}
	if err := gobuild.Build(p, goarch, bin); err != nil {
		tb.Fatal(err)
	}
	builds[key] = bin
	built[key] = bin // removed by TestMain
	return bin
}

func size(tb testing.TB, bin string) int64 {
	st, err := os.Stat(bin)
	if err != nil {
		tb.Fatal(err)
	}
	return st.Size()
}

// TestShippedHandlersAreLean: every handler streamgate ships, and the
// adapter around a hello handler, is at most 8 MB for arm64, as deployed.
func TestShippedHandlersAreLean(t *testing.T) {
	for _, name := range append(shipped, adapter) {
		if n := size(t, build(t, name, "arm64")); n > MaxBootstrapBytes {
			t.Errorf("%s: bootstrap is %d bytes; allowed: at most %d", name, n, MaxBootstrapBytes)
		}
	}
}

// initTime starts bin against a Runtime API endpoint and returns the time
// from the process start to its first /next request: the cold start a
// function pays before it can take an invocation.
func initTime(tb testing.TB, bin string) time.Duration {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	next := make(chan time.Time, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case next <- time.Now():
		default:
		}
		<-r.Context().Done() // no invocation: the process is killed
	})}
	go srv.Serve(ln)
	defer srv.Close()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "AWS_LAMBDA_RUNTIME_API="+ln.Addr().String(), "AWS_LAMBDA_FUNCTION_NAME=bench", "_HANDLER=bootstrap",
		// What the S3 handlers read at init, as Lambda and the construct set it.
		"AWS_REGION=eu-west-1", "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_SESSION_TOKEN=token",
		"EXPORT_BUCKET=exports", "UPLOAD_BUCKET=uploads", "UPLOAD_PREFIX=incoming/", "UPLOAD_MAX_SIZE=1073741824",
		"UPLOAD_CONTENT_TYPES=text/plain", "UPLOAD_URL_EXPIRY_SECONDS=900", "UPLOAD_MODE=PUT")
	start := time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	select {
	case at := <-next:
		return at.Sub(start)
	case <-time.After(10 * time.Second):
		tb.Fatalf("%s did not call /next within 10 s", bin)
		return 0
	}
}

// BenchmarkHandlerSizeAndInit prints, for every handler streamgate ships,
// the adapter around a hello handler and the examples: the bootstrap's
// size for arm64 and its init time here (process start to the first
// /next), as a ratio to a bare aws-lambda-go hello built the same way,
// measured alternately in one run (the median of b.N starts each).
func BenchmarkHandlerSizeAndInit(b *testing.B) {
	names := append(append(append([]string{}, shipped...), adapter), examples...)
	host := runtime.GOARCH
	bareBin := build(b, bare, host)
	b.Logf("%-24s %9s %9s %9s", "handler", "MB", "init", "init/bare")
	bareSize := size(b, build(b, bare, "arm64"))
	b.Logf("%-24s %9.2f %9s %9s", "bare hello", float64(bareSize)/1e6, "", "1.00")
	for _, name := range names {
		bin, armBin := build(b, name, host), build(b, name, "arm64")
		var mine, base []time.Duration
		for i := 0; i < max(b.N, 15); i++ {
			base = append(base, initTime(b, bareBin))
			mine = append(mine, initTime(b, bin))
		}
		m, bb := median(mine), median(base)
		b.Logf("%-24s %9.2f %9s %9.2f", name, float64(size(b, armBin))/1e6, m.Round(10*time.Microsecond), float64(m)/float64(bb))
		b.ReportMetric(float64(m)/float64(bb), fmt.Sprintf("%s-init/bare", filepath.Base(name)))
	}
}

func median(d []time.Duration) time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2]
}
