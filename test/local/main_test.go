// Package local tests the local runner end to end: a stack of
// StreamingRestApi and PresignedUploadApi routes is synthesized with
// bundling (the Go handlers built as cdk deploy would ship them), and the
// real runner (cmd/sgdev, a separate process) serves that cloud assembly;
// plain HTTP clients, and headless Chromium, talk to it on 127.0.0.1.
package local

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/apps/stacks"
	"github.com/streamgate/streamgate/constructs/apiauth"
	"github.com/streamgate/streamgate/constructs/edgeupload"
	"github.com/streamgate/streamgate/constructs/gofunction"
	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/constructs/uploads"
	"github.com/streamgate/streamgate/internal/cdktest"
	"github.com/streamgate/streamgate/internal/devserver/runtimes"
	"github.com/streamgate/streamgate/internal/s3server"
)

const faulty = "github.com/streamgate/streamgate/examples/demo/testdata/faulty"

var (
	backendURL   string                // an HTTP backend the HTTP_PROXY route streams from
	streamsURL   string                // the streaming API's stage URL
	uploadsURL   string                // the upload API's stage URL
	uppyURL      string                // the upload API with Uppy's Companion routes
	directURL    string                // an upload API with DirectUpload and its web ACL, open to the pages' origin
	serversURL   string                // net/http servers behind lambda/httpstream
	throttledURL string                // a stage throttled to 2 requests a second, bursts of 3
	s3URL        string                // the runner's S3 server
	s3Metrics    string                // its Prometheus metrics
	edgeURLs     = map[string]string{} // the edge upload endpoints by mode
	runner       *exec.Cmd
	runnerBin    string   // the sgdev binary the tests built
	runnerArgs   []string // its arguments
	s3Args       []string // its S3 server's flags (-s3, -s3-bin)
	s3Data       string   // its S3 server's data directory
	runnerLogs   = &syncBuffer{}
	nodeMissing  string // why the runner cannot run Node.js functions here; "" when it can
	// pythons are the Python runtimes of the test stack as the runner
	// finds them here (runtimes.PythonRuntimes); pythonMissing is why it cannot
	// run them, "" when it can.
	pythons       map[string]*runtimes.Python
	pythonMissing string
)

// needNode skips a test that calls a Node.js function where the runner
// cannot run them (TestMain repeats the reason after the run).
func needNode(t testing.TB) {
	t.Helper()
	if nodeMissing != "" {
		t.Skip("SKIPPED: Node.js functions cannot run on this host: " + nodeMissing)
	}
}

// needPython skips a test that calls a Python function where the runner
// cannot run them (TestMain repeats the reason after the run).
func needPython(t testing.TB) {
	t.Helper()
	if pythonMissing != "" {
		t.Skip("SKIPPED: Python functions cannot run on this host: " + pythonMissing)
	}
}

func TestMain(m *testing.M) {
	cdktest.DisableValidation()
	backend := httptest.NewServer(http.HandlerFunc(streamingBackend))
	backendURL = backend.URL
	defer backend.Close()
	// The browser tests' pages, on another origin than every API (their
	// origin must be known to the constructs, at synth).
	pageServer := startPages()
	defer pageServer.Close()
	dir, err := synthesize()
	jsii.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
	if err := startRunner(dir); err != nil {
		fmt.Fprintln(os.Stderr, "local:", err, "\n", runnerLogs.String())
		os.Exit(1)
	}
	code := m.Run()
	runner.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { runner.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		runner.Process.Kill()
	}
	if code != 0 {
		fmt.Fprintf(os.Stderr, "runner log:\n%s\n", runnerLogs.String())
	}
	os.RemoveAll(s3Data)
	cdktest.RemoveTemp()
	if nodeMissing != "" {
		// Loud, so a green run on such a host is not read as a full one.
		fmt.Fprintf(os.Stderr, "\n*** local: the Node.js function tests were SKIPPED: %s ***\n\n", nodeMissing)
	}
	if pythonMissing != "" {
		fmt.Fprintf(os.Stderr, "\n*** local: the Python function tests were SKIPPED: %s ***\n\n", pythonMissing)
	}
	if pyClientsMissing != "" {
		fmt.Fprintf(os.Stderr, "\n*** local: the Python client test was SKIPPED: %s ***\n\n", pyClientsMissing)
	}
	os.Exit(code)
}

// synthesize builds the test stack into a cloud assembly, handlers bundled.
func synthesize() (dir string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("synth: %v", r)
		}
	}()
	app := cdktest.NewApp(true)
	// A region, for the Redirect edge endpoint (its Lambda@Edge function).
	stack := awscdk.NewStack(app, jsii.String("LocalTest"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-east-1")}})
	route := func(method, path, entry string, mode awsapigateway.ResponseTransferMode, integration, fn float64) *streaming.RouteProps {
		r := &streaming.RouteProps{Method: jsii.String(method), Path: jsii.String(path), Entry: jsii.String(entry), TransferMode: mode,
			Environment: &map[string]*string{"GREETING": jsii.String("hello from the template")}}
		if integration > 0 {
			r.IntegrationTimeout = awscdk.Duration_Seconds(jsii.Number(integration))
			r.FunctionTimeout = awscdk.Duration_Seconds(jsii.Number(fn))
		}
		return r
	}
	streams := streaming.NewStreamingRestApi(stack, jsii.String("Streams"), &streaming.StreamingRestApiProps{
		Authorization: apiauth.None(),
		Cors:          &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings(pageOrigin)},
		Routes: &[]*streaming.RouteProps{
			route("GET", "/records", stacks.RecordsEntry, "", 0, 0),
			route("GET", "/buffered/records", stacks.RecordsEntry, awsapigateway.ResponseTransferMode_BUFFERED, 0, 0),
			route("ANY", "/faulty/{mode}", faulty, "", 3, 3),
			route("GET", "/buffered/faulty/{mode}", faulty, awsapigateway.ResponseTransferMode_BUFFERED, 3, 3),
			route("GET", "/short/faulty/{mode}", faulty, awsapigateway.ResponseTransferMode_BUFFERED, 1, 3),
			{Method: jsii.String("GET"), Path: jsii.String("/proxied/{id}"), HttpUrl: jsii.String(backendURL + "/items/{id}")},
			route("GET", "/jobs/{id}/progress", stacks.ProgressEntry, "", 0, 0),
			route("GET", "/reserved/records", stacks.RecordsEntry, "", 0, 0),
		},
	})
	// Node.js functions on the managed runtime, written as AWS's
	// documentation shows: streaming and buffered routes of this stack, and
	// a streaming function of another stack (a cross-stack reference).
	nodeFn := func(scope constructs.Construct, id, handler string) awslambda.Function {
		return awslambda.NewFunction(scope, jsii.String(id), &awslambda.FunctionProps{Runtime: awslambda.Runtime_NODEJS_22_X(),
			Handler: jsii.String(handler), Timeout: awscdk.Duration_Minutes(jsii.Number(15)),
			Code: awslambda.Code_FromAsset(jsii.String(filepath.Join(cdktest.ModuleRoot(), "test", "local", "nodefn")), nil)})
	}
	other := awscdk.NewStack(app, jsii.String("LocalNode"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-east-1")}})
	elsewhere := nodeFn(other, "Streaming", "index.handler")
	streams.AddRoute(&streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String("/node/records"), Function: nodeFn(stack, "NodeStreaming", "index.handler")})
	streams.AddRoute(&streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String("/node/buffered"), Function: nodeFn(stack, "NodeBuffered", "index.buffered"),
		TransferMode: awsapigateway.ResponseTransferMode_BUFFERED})
	streams.AddRoute(&streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String("/node/elsewhere"),
		Function: awslambda.Function_FromFunctionAttributes(stack, jsii.String("Elsewhere"), &awslambda.FunctionAttributes{
			FunctionArn: elsewhere.FunctionArn(), SameEnvironment: jsii.Bool(true)})})
	addPythonRoutes(stack, streams)
	reserved := streams.Route("GET", "/reserved/records").Function.(awslambda.Function)
	reserved.Node().DefaultChild().(awslambda.CfnFunction).SetReservedConcurrentExecutions(jsii.Number(1))
	// A stage that takes 2 requests a second, in bursts of 3.
	streaming.NewStreamingRestApi(stack, jsii.String("Throttled"), &streaming.StreamingRestApiProps{
		Authorization: apiauth.None(), ThrottlingRateLimit: jsii.Number(2), ThrottlingBurstLimit: jsii.Number(3),
		Routes: &[]*streaming.RouteProps{route("GET", "/records", stacks.RecordsEntry, "", 0, 0)},
	})
	// Existing net/http servers, each main one line (lambda/httpstream):
	// a ServeMux behind ANY /{proxy+}, and a chi router, a Connect service
	// and an MCP server behind explicit routes.
	server := func(method, path, entry string) *streaming.RouteProps {
		return &streaming.RouteProps{Method: jsii.String(method), Path: jsii.String(path), Entry: jsii.String(entry)}
	}
	streaming.NewStreamingRestApi(stack, jsii.String("Servers"), &streaming.StreamingRestApiProps{
		Authorization: apiauth.None(),
		// Binary bodies (Connect's protobuf, uploads) reach the function
		// base64-encoded, which the adapter decodes.
		RestApiProps: &awsapigateway.RestApiProps{BinaryMediaTypes: jsii.Strings("*/*")},
		Routes: &[]*streaming.RouteProps{
			server("ANY", "/{proxy+}", "github.com/streamgate/streamgate/examples/mux"),
			server("GET", "/shop/items/{id}", "github.com/streamgate/streamgate/examples/chi"),
			server("GET", "/shop/orders/{id}/status", "github.com/streamgate/streamgate/examples/chi"),
			server("POST", "/streamgate.demo.v1.CounterService/Count", "github.com/streamgate/streamgate/examples/connect"),
			server("ANY", "/mcp", "github.com/streamgate/streamgate/examples/mcp"),
		},
	})
	uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), &uploads.PresignedUploadApiProps{
		Authorization: apiauth.None(), Mode: uploads.ModePut, DisableWebAcl: jsii.Bool(true),
		Cors: &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings(pageOrigin)},
	})
	uppy := uploads.NewPresignedUploadApi(stack, jsii.String("Uppy"), &uploads.PresignedUploadApiProps{
		Authorization: apiauth.None(), Mode: uploads.ModeMultipart, DisableWebAcl: jsii.Bool(true),
		CompanionRoutes:     jsii.Bool(true),
		Cors:                &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings(pageOrigin)},
		MaxObjectSize:       awscdk.Size_Mebibytes(jsii.Number(uppyMaxMiB)),
		AllowedContentTypes: jsii.Strings("application/octet-stream", "text/plain"),
	})
	// Each completed upload reaches the example event function, wired as
	// the regulated app wires it (clients_test.go).
	uppy.OnUploadedFunction(jsii.String(onUploadID), &gofunction.GoFunctionProps{
		Entry: jsii.String(stacks.OnUploadEntry), Timeout: awscdk.Duration_Minutes(jsii.Number(1)),
	})
	// DirectUpload with its default web ACL (10 MiB), for a page on
	// another origin (clients_test.go).
	uploads.NewPresignedUploadApi(stack, jsii.String("Direct"), &uploads.PresignedUploadApiProps{
		Authorization: apiauth.None(), DirectUpload: jsii.Bool(true),
		Cors: &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings(pageOrigin)},
	})
	// The upload demo itself (apps/uploads): AWS_IAM, DirectUpload and its
	// SizeLimitedWebAcl, for the Python client (clients_test.go).
	stacks.NewUploadDemo(app, uploadDemoStack, &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-east-1")}})
	addGuardedAPIs(app)
	for _, mode := range []edgeupload.Mode{edgeupload.ModeRedirect, edgeupload.ModeThrough} {
		edgeupload.NewEdgeUploadEndpoint(stack, jsii.String("Edge"+string(mode)), &edgeupload.EdgeUploadEndpointProps{
			Mode: mode, MaxObjectSize: awscdk.Size_Gibibytes(jsii.Number(2)),
		})
	}
	return *app.Synth(nil).Directory(), nil
}

// s3Kind is the S3 server the tests' runners start: the default, or
// STREAMGATE_S3's.
var s3Kind = func() s3server.Kind {
	if k, err := s3server.ParseKind(os.Getenv("STREAMGATE_S3")); err == nil {
		return k
	}
	return s3server.Default
}()

// tools is the tools directory (TOOLS, or the module's .tools).
func tools() string {
	if t := os.Getenv("TOOLS"); t != "" {
		return t
	}
	return filepath.Join(cdktest.ModuleRoot(), ".tools")
}

// startRunner builds cmd/sgdev and runs it on free ports.
func startRunner(dir string) error {
	root := cdktest.ModuleRoot()
	bin := filepath.Join(os.TempDir(), fmt.Sprintf("sgdev-test-%d", os.Getpid()))
	args := []string{"build", "-o", bin}
	if os.Getenv("SGDEV_RACE") != "" {
		args = append(args, "-race") // SGDEV_RACE=1 go test ./test/local: the runner under the race detector
	}
	if out, err := exec.Command("go", append(args, "github.com/streamgate/streamgate/cmd/sgdev")...).CombinedOutput(); err != nil {
		return fmt.Errorf("go build sgdev: %v\n%s", err, out)
	}
	// make test builds the S3 servers in the background: wait for it (or build it).
	if out, err := exec.Command(filepath.Join(root, "scripts", "s3server.sh"), "wait", string(s3Kind)).CombinedOutput(); err != nil {
		return fmt.Errorf("scripts/s3server.sh wait %s: %v\n%s", s3Kind, err, out)
	}
	// make test installs AWS's Runtime Interface Client for Node.js in the
	// background: wait for it (or install it). On a host where its native
	// part cannot be built, the runner lists the Node.js functions as not
	// run, and the tests that call them skip, saying why.
	if out, err := exec.Command(filepath.Join(root, "scripts", "noderic.sh"), "wait").CombinedOutput(); err != nil {
		return fmt.Errorf("scripts/noderic.sh wait: %v\n%s", err, out)
	}
	nodeRIC := filepath.Join(tools(), "noderic", "node_modules", "aws-lambda-ric", "index.mjs")
	_, nodeMissing = runtimes.NodeRuntime(nodeRIC)
	// Likewise AWS's Runtime Interface Client for Python.
	if out, err := exec.Command(filepath.Join(root, "scripts", "pyric.sh"), "wait").CombinedOutput(); err != nil {
		return fmt.Errorf("scripts/pyric.sh wait: %v\n%s", err, out)
	}
	pythonRIC := filepath.Join(tools(), "pyric", "runtime")
	pythons = runtimes.PythonRuntimes(pythonRIC, pythonRuntimes...)
	for _, rt := range pythonRuntimes {
		if m := pythons[rt].Missing; m != "" && pythonMissing == "" {
			pythonMissing = rt + ": " + m
		}
	}
	var err error
	if s3Data, err = os.MkdirTemp("", "sgdev-test-s3-"); err != nil {
		return err
	}
	// The cap of streams past 6 MB is tested with a runner of its own: the
	// others move hundreds of MB.
	s3Args = []string{"-s3", string(s3Kind), "-s3-bin", s3Kind.ToolsBin(tools())}
	args = append([]string{"-assembly", dir, "-port", "0", "-s3-data", s3Data, "-no-throttle",
		"-node-ric", nodeRIC, "-python-ric", pythonRIC}, s3Args...)
	args = append(args, "-cognito-key", cognitoKeyFile(dir)) // shared with sgdev token (guards_test.go)
	runnerBin, runnerArgs = bin, args
	if p := os.Getenv("SGDEV_CPUPROFILE"); p != "" {
		args = append(args, "-cpuprofile", p) // SGDEV_CPUPROFILE=/tmp/sgdev.prof go test -bench . ./test/local
	}
	runner = exec.Command(bin, args...)
	runner.Dir = root // rebuilt handlers are cached in .tools/devbuild
	// MinIO's byte counters, for the Uppy resume test (SeaweedFS's are public).
	runner.Env = append(os.Environ(), "MINIO_PROMETHEUS_AUTH_TYPE=public")
	stdout, _ := runner.StdoutPipe()
	runner.Stderr = runnerLogs
	if err := runner.Start(); err != nil {
		return err
	}
	s3Line := regexp.MustCompile(`^notice: S3: \w+ at (http://127\.0\.0\.1:\d+) \(user \w+; metrics (\S+)\)`)
	urls := regexp.MustCompile(`^LocalTest/(\w+)\s+(http://127\.0\.0\.1:\d+/prod)`)
	edges := regexp.MustCompile(`^LocalTest/\w+\s+(http://127\.0\.0\.1:\d+/u/)\s+\(edge upload endpoint, (\w+) mode`)
	sc := bufio.NewScanner(stdout)
	ready := make(chan error, 1)
	go func() {
		for sc.Scan() {
			line := sc.Text()
			runnerLogs.Write([]byte(line + "\n"))
			if m := urls.FindStringSubmatch(line); m != nil {
				switch {
				case strings.HasPrefix(m[1], "Streams"):
					streamsURL = m[2]
				case strings.HasPrefix(m[1], "Uppy"):
					uppyURL = m[2]
				case strings.HasPrefix(m[1], "Servers"):
					serversURL = m[2]
				case strings.HasPrefix(m[1], "Throttled"):
					throttledURL = m[2]
				case strings.HasPrefix(m[1], "Direct"):
					directURL = m[2]
				default:
					uploadsURL = m[2]
				}
			}
			if m := edges.FindStringSubmatch(line); m != nil {
				edgeURLs[m[2]] = m[1]
			}
			if m := s3Line.FindStringSubmatch(line); m != nil {
				s3URL, s3Metrics = m[1], m[2]
			}
			if line == "ready" {
				ready <- nil
			}
		}
		ready <- fmt.Errorf("the runner exited before it was ready")
	}()
	select {
	case err := <-ready:
		return err
	case <-time.After(8 * time.Minute): // a cold build of the handlers for this machine
		return fmt.Errorf("the runner was not ready after 8 minutes")
	}
}

// streamingBackend sends three lines 200 ms apart, naming the path it got.
func streamingBackend(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	for i := 0; i < 3; i++ {
		fmt.Fprintf(w, "%s %d\n", r.URL.Path, i)
		w.(http.Flusher).Flush()
		time.Sleep(200 * time.Millisecond)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
	// ends are where each write ended and when it arrived, for latencies
	// read off the log (arrival).
	ends []logWrite
}

type logWrite struct {
	end int
	at  time.Time
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	s.ends = append(s.ends, logWrite{s.b.Len(), time.Now()})
	return n, err
}

// arrival is when the first occurrence of what had arrived whole (the
// time of the write that completed it); false while it is not there.
func (s *syncBuffer) arrival(what string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := strings.Index(s.b.String(), what)
	if i < 0 {
		return time.Time{}, false
	}
	end := i + len(what)
	w := sort.Search(len(s.ends), func(k int) bool { return s.ends[k].end >= end })
	return s.ends[w].at, true
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// timed is a line and when it arrived.
type timed struct {
	text string
	at   time.Duration
}

// readLines reads a response line by line with arrival times; err is how the
// body ended (nil at a clean end).
func readLines(resp *http.Response, start time.Time) (lines []timed, err error) {
	br := bufio.NewReader(resp.Body)
	for {
		l, e := br.ReadString('\n')
		if l != "" {
			lines = append(lines, timed{strings.TrimSuffix(l, "\n"), time.Since(start)})
		}
		if e == io.EOF {
			return lines, nil
		}
		if e != nil {
			return lines, e
		}
	}
}

func get(t *testing.T, url string) (*http.Response, time.Time) {
	t.Helper()
	start := time.Now()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp, start
}

type functionStats struct {
	Started int64 `json:"started"`
	Busy    int64 `json:"busy"`
}

// stats reads the runner's per-function process counts.
func stats(t *testing.T) map[string]functionStats {
	t.Helper()
	resp, err := http.Get(strings.TrimSuffix(streamsURL, "/prod") + "/_streamgate/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]functionStats{}
	json.NewDecoder(resp.Body).Decode(&out)
	return out
}

// functionFor finds the stats key of the function whose id starts with prefix.
func functionFor(t *testing.T, prefix string) functionStats {
	t.Helper()
	for id, s := range stats(t) {
		if strings.HasPrefix(id, prefix) {
			return s
		}
	}
	t.Fatalf("no function %s* in the runner", prefix)
	return functionStats{}
}

// peakRSS is a process's peak resident memory in bytes (VmHWM).
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no VmHWM for %d", pid)
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}

// children are the runner's child processes whose command ends with name.
func children(t *testing.T, name string) []int {
	t.Helper()
	out, _ := exec.Command("pgrep", "-P", strconv.Itoa(runner.Process.Pid)).Output()
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		pid, _ := strconv.Atoi(f)
		cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if strings.Contains(string(cmd), name) {
			pids = append(pids, pid)
		}
	}
	return pids
}
