package demo

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/streamgate/streamgate/internal/runtimeapi"
	"github.com/streamgate/streamgate/lambda/stream"
)

// These tests run the real handler binaries under the real aws-lambda-go
// runtime client, against a Runtime API served by internal/runtimeapi: what
// they check is what the Lambda service would receive.

// function is a handler process and its Runtime API.
type function struct {
	api *runtimeapi.Server
	cmd *exec.Cmd
}

var (
	builtMu sync.Mutex
	built   = map[string]string{} // package -> binary, built once per test run
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, bin := range built {
		os.RemoveAll(filepath.Dir(bin))
	}
	os.Exit(code)
}

func binary(t *testing.T, pkg string) string {
	t.Helper()
	builtMu.Lock()
	defer builtMu.Unlock()
	if bin, ok := built[pkg]; ok {
		return bin
	}
	dir, err := os.MkdirTemp("", "demo-bin-")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "bootstrap")
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	built[pkg] = bin
	return bin
}

func startFunction(t *testing.T, pkg string) *function {
	t.Helper()
	bin := binary(t, pkg)
	api, err := runtimeapi.Start()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "AWS_LAMBDA_RUNTIME_API="+api.Addr(), "AWS_LAMBDA_FUNCTION_NAME=test", "_HANDLER=bootstrap")
	var logs strings.Builder // the function's log, shown when a test fails
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		api.Close()
		if t.Failed() {
			t.Logf("function log:\n%s", logs.String())
		}
	})
	return &function{api: api, cmd: cmd}
}

var invocations int

func (f *function) invoke(t *testing.T, req events.APIGatewayProxyRequest, timeout time.Duration) *runtimeapi.Response {
	t.Helper()
	payload, _ := json.Marshal(req)
	invocations++
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := f.api.Invoke(ctx, runtimeapi.Invocation{
		RequestID: fmt.Sprintf("req-%d", invocations), Payload: payload, Deadline: time.Now().Add(timeout),
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.ContentType != runtimeapi.StreamingContentType {
		t.Fatalf("content type %q, want %q", resp.ContentType, runtimeapi.StreamingContentType)
	}
	return resp
}

// timedLines reads the body after the prelude line by line, with the time
// each line arrived.
func timedLines(t *testing.T, r io.Reader) (prelude string, lines []string, at []time.Time) {
	t.Helper()
	br := bufio.NewReader(r)
	head, err := br.ReadString(0)
	for err == nil && !strings.HasSuffix(head, stream.Delimiter) {
		var more string
		more, err = br.ReadString(0)
		head += more
	}
	if err != nil {
		t.Fatalf("reading the prelude: %v (%q)", err, head)
	}
	prelude = strings.TrimSuffix(head, stream.Delimiter)
	for {
		l, err := br.ReadString('\n')
		if l != "" {
			lines = append(lines, strings.TrimSuffix(l, "\n"))
			at = append(at, time.Now())
		}
		if err != nil {
			return
		}
	}
}

func TestRuntimeRecordsStreamRecordByRecord(t *testing.T) {
	f := startFunction(t, "github.com/streamgate/streamgate/examples/demo/records")
	start := time.Now()
	resp := f.invoke(t, events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/records",
		QueryStringParameters: map[string]string{"count": "30", "interval_ms": "10"}}, time.Minute)
	prelude, lines, at := timedLines(t, resp.Body)
	var p struct {
		StatusCode int
		Headers    map[string]string
	}
	if err := json.Unmarshal([]byte(prelude), &p); err != nil || p.StatusCode != 200 || p.Headers["Content-Type"] != stream.NDJSONContentType {
		t.Fatalf("prelude %q (%v)", prelude, err)
	}
	if len(lines) != 31 || lines[30] != `{"done":true,"records":30}` {
		t.Fatalf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
	// 30 records 10 ms apart take at least 290 ms to produce: if the first
	// arrived with the last, the response was buffered somewhere.
	first, last := at[0].Sub(start), at[29].Sub(start)
	t.Logf("first record after %v, last after %v", first, last)
	if last-first < 200*time.Millisecond {
		t.Errorf("records arrived together (first %v, last %v): the stream was buffered", first, last)
	}
	if typ, _ := resp.Trailers(); typ != "" {
		t.Errorf("error trailer %q on a clean stream", typ)
	}
}

func TestRuntimeProducerPanicIsInBandAndProcessSurvives(t *testing.T) {
	f := startFunction(t, "./testdata/faulty")
	resp := f.invoke(t, events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/panic"}, time.Minute)
	_, lines, _ := timedLines(t, resp.Body)
	if len(lines) != 4 {
		t.Fatalf("lines = %q, want 3 records and the error record", lines)
	}
	if !strings.Contains(lines[3], `"code":"Panic"`) || !strings.Contains(lines[3], "index out of range") {
		t.Errorf("last line = %s", lines[3])
	}
	typ, body := resp.Trailers()
	decoded, _ := base64.StdEncoding.DecodeString(body)
	if typ == "" || !strings.Contains(string(decoded), "panicked") {
		t.Errorf("trailers: type %q, body %q", typ, decoded)
	}
	// The same process serves the next invocation: no crash, no cold start.
	resp = f.invoke(t, events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/panic"}, time.Minute)
	if _, lines, _ := timedLines(t, resp.Body); len(lines) != 4 {
		t.Errorf("second invocation: %q", lines)
	}
	if f.cmd.ProcessState != nil {
		t.Error("the function process exited")
	}
}

func TestRuntimeDeadlineEndsStreamBeforeTimeout(t *testing.T) {
	f := startFunction(t, "./testdata/faulty")
	start := time.Now()
	deadline := 1500 * time.Millisecond
	resp := f.invoke(t, events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/slow"}, deadline)
	_, lines, at := timedLines(t, resp.Body)
	last := lines[len(lines)-1]
	if !strings.Contains(last, `"code":"DeadlineExceeded"`) {
		t.Fatalf("last line = %s", last)
	}
	if end := at[len(at)-1].Sub(start); end >= deadline {
		t.Errorf("error record arrived after %v, past the %v deadline", end, deadline)
	}
	if typ, _ := resp.Trailers(); typ == "" {
		t.Error("no error trailer on a stream cut by the deadline")
	}
}

// TestRuntimeReaderClosedStopsProducer: when the reader of a stream goes
// away, the Runtime API ends the function's response early; aws-lambda-go
// closes the stream, the producer stops, and the same process serves the
// next invocation.
func TestRuntimeReaderClosedStopsProducer(t *testing.T) {
	f := startFunction(t, "github.com/streamgate/streamgate/examples/demo/records")
	resp := f.invoke(t, events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/records",
		QueryStringParameters: map[string]string{"count": "100000", "interval_ms": "5"}}, time.Minute)
	buf := make([]byte, 4096)
	if _, err := io.ReadAtLeast(resp.Body, buf, 200); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	start := time.Now()
	next := f.invoke(t, events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/records",
		QueryStringParameters: map[string]string{"count": "2", "interval_ms": "0"}}, time.Minute)
	_, lines, _ := timedLines(t, next.Body)
	if len(lines) != 3 {
		t.Fatalf("next invocation: %q", lines)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("the next invocation waited %v: the abandoned producer kept the process busy", waited)
	}
	if f.cmd.ProcessState != nil {
		t.Error("the process exited: the next invocation would be a cold start")
	}
}
