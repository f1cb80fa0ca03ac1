package local

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamgate/streamgate/client/upload"
	"github.com/streamgate/streamgate/examples/demo"
)

// TestReferenceWorkloadArrivesRecordByRecord: 1000 records 10 ms apart
// reach a plain HTTP client one by one: the first within tens of
// milliseconds, the last seconds later.
func TestReferenceWorkloadArrivesRecordByRecord(t *testing.T) {
	resp, start := get(t, streamsURL+"/records")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines, err := readLines(resp, start)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != demo.ReferenceRecords+1 || lines[len(lines)-1].text != `{"done":true,"records":1000}` {
		t.Fatalf("%d lines, last %q", len(lines), lines[len(lines)-1].text)
	}
	first, last := lines[0].at, lines[demo.ReferenceRecords-1].at
	t.Logf("reference workload: first record after %v, last after %v", first, last)
	if first > 2*time.Second { // tens of milliseconds here; generous for a busy CI machine
		t.Errorf("the first record took %v", first)
	}
	if last-first < 9*time.Second {
		t.Errorf("records arrived within %v of each other: buffered", last-first)
	}
}

// TestHTTPProxyRouteStreamsTheBackend: an HTTPURL route (HTTP_PROXY)
// passes its path parameter to the backend and streams the backend's
// lines as they come, 200 ms apart.
func TestHTTPProxyRouteStreamsTheBackend(t *testing.T) {
	resp, start := get(t, streamsURL+"/proxied/7")
	lines, err := readLines(resp, start)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	if len(lines) != 3 || lines[0].text != "/items/7 0" || lines[2].text != "/items/7 2" {
		t.Fatalf("lines %v, want the backend's three for /items/7", lines)
	}
	if gap := lines[2].at - lines[0].at; gap < 300*time.Millisecond {
		t.Errorf("the backend's lines arrived %v apart, want about 400 ms: buffered", gap)
	}
}

// TestBufferedRouteDeliversNothingUntilTheEnd: the same handler behind a
// BUFFERED route.
func TestBufferedRouteDeliversNothingUntilTheEnd(t *testing.T) {
	start := time.Now()
	resp, err := http.Get(streamsURL + "/buffered/records?count=50&interval_ms=20")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	headers := time.Since(start)
	lines, err := readLines(resp, start)
	if err != nil || len(lines) != 51 {
		t.Fatalf("%d lines, %v", len(lines), err)
	}
	t.Logf("buffered: headers after %v, first record after %v", headers, lines[0].at)
	if headers < 900*time.Millisecond || lines[50].at-lines[0].at > 100*time.Millisecond {
		t.Errorf("headers after %v, records spread over %v: not buffered", headers, lines[50].at-lines[0].at)
	}
}

// TestLargeStreamKeepsMemoryBounded: 200 MB through the runner and the
// function, each with a bounded peak resident size.
func TestLargeStreamKeepsMemoryBounded(t *testing.T) {
	resp, _ := get(t, streamsURL+"/faulty/big?mb=200")
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || n != 200<<20 {
		t.Fatalf("%d bytes, %v", n, err)
	}
	runnerPeak := peakRSS(t, runner.Process.Pid)
	var fnPeak int64
	for _, pid := range children(t, "bootstrap") {
		fnPeak = max(fnPeak, peakRSS(t, pid))
	}
	t.Logf("200 MB streamed: runner peak RSS %d MiB, function peak RSS %d MiB", runnerPeak>>20, fnPeak>>20)
	if runnerPeak > 150<<20 || fnPeak > 64<<20 || fnPeak == 0 {
		t.Errorf("peak RSS: runner %d MiB (want < 150), function %d MiB (want < 64)", runnerPeak>>20, fnPeak>>20)
	}
}

// TestClosingTheClientStopsTheProducer: the function's producer stops, and
// its process is free (busy 0) soon after the client goes away.
func TestClosingTheClientStopsTheProducer(t *testing.T) {
	resp, start := get(t, streamsURL+"/records?count=100000&interval_ms=5")
	buf := make([]byte, 1024)
	if _, err := io.ReadAtLeast(resp.Body, buf, 500); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if s := functionFor(t, "StreamsGetRecords"); s.Busy == 0 {
			t.Logf("the producer stopped %v after the request started", time.Since(start))
			return
		}
	}
	t.Errorf("the function is still busy 5 s after the client left (the stream would last 500 s)")
}

// TestPanicMidStreamEndsWithTheErrorRecord: status and records arrive, then
// the in-band error record, then the connection is cut.
func TestPanicMidStreamEndsWithTheErrorRecord(t *testing.T) {
	resp, start := get(t, streamsURL+"/faulty/panic")
	lines, err := readLines(resp, start)
	if resp.StatusCode != 200 || len(lines) != 4 {
		t.Fatalf("%d, lines %v", resp.StatusCode, lines)
	}
	if !strings.Contains(lines[3].text, `"code":"Panic"`) {
		t.Errorf("last line %s", lines[3].text)
	}
	if err == nil {
		t.Error("the stream ended cleanly; API Gateway cuts a failed stream")
	}
	// The process survived the panic: the next request is served warm.
	before := functionFor(t, "StreamsAnyFaultyMode").Started
	r2, _ := get(t, streamsURL+"/faulty/tiny")
	io.Copy(io.Discard, r2.Body)
	if after := functionFor(t, "StreamsAnyFaultyMode").Started; after != before {
		t.Errorf("a new process started after the panic (%d -> %d)", before, after)
	}
}

// TestFunctionOverItsTimeout: a stream whose producer is stuck still ends
// at lambda/stream's deadline margin (1 s before the 3 s timeout), with the
// DeadlineExceeded record, and is cut; a handler stuck before it answers
// is killed at its 3 s timeout: a buffered route, whose integration timeout
// is the same 3 s (and started first, with the request), answers 504, and
// so does an integration timeout shorter than the function's.
func TestFunctionOverItsTimeout(t *testing.T) {
	resp, start := get(t, streamsURL+"/faulty/hang")
	lines, err := readLines(resp, start)
	if resp.StatusCode != 200 || len(lines) != 3 || !strings.Contains(lines[len(lines)-1].text, `"code":"DeadlineExceeded"`) || err == nil {
		t.Errorf("stream: %d, %d lines %v, end %v", resp.StatusCode, len(lines), lines, err)
	}
	if took := time.Since(start); took < 1500*time.Millisecond || took > 5*time.Second {
		t.Errorf("stream cut after %v, want about 2 s (the 3 s timeout less the 1 s margin)", took)
	}
	for _, tc := range []struct {
		path   string
		status int
		after  time.Duration
	}{
		// A stuck producer's stream ends at the margin with the
		// function's error, which a buffered route answers with 502.
		{"/buffered/faulty/hang", 502, 2 * time.Second},
		{"/buffered/faulty/block", 504, 3 * time.Second},
		{"/short/faulty/block", 504, time.Second},
	} {
		start := time.Now()
		resp, err := http.Get(streamsURL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if resp.StatusCode != tc.status || took < tc.after-300*time.Millisecond || took > tc.after+3*time.Second {
			t.Errorf("%s: %d %s after %v, want %d after about %v", tc.path, resp.StatusCode, body, took, tc.status, tc.after)
		}
	}
	waitFor(t, runnerLogs.String, "Task timed out after 3 seconds: killing the process", 5*time.Second)
}

// TestCrashGives502AndAFreshProcess.
func TestCrashGives502AndAFreshProcess(t *testing.T) {
	resp, _ := get(t, streamsURL+"/faulty/crash")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 502 || !strings.Contains(string(body), "Internal server error") {
		t.Errorf("crash: %d %s", resp.StatusCode, body)
	}
	r2, _ := get(t, streamsURL+"/faulty/tiny")
	b2, _ := io.ReadAll(r2.Body)
	if r2.StatusCode != 200 || string(b2) != `{"ok":true}` {
		t.Errorf("after the crash: %d %s", r2.StatusCode, b2)
	}
}

// TestProxyEventAndEnvironment: what the function receives. The Streams
// API has no binary media types, so a body that is not UTF-8 arrives as
// text, garbled as API Gateway garbles it, and the runner says why
// (TestServeMuxBehindProxyRoute sends one through binary media types).
func TestProxyEventAndEnvironment(t *testing.T) {
	req, _ := http.NewRequest("POST", streamsURL+"/faulty/echo?a=1&a=2&b=x", bytes.NewReader([]byte{0xff, 0x00, 0x01}))
	req.Header.Set("X-Team", "video")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Event struct {
			Resource, Path, HTTPMethod  string
			Headers                     map[string]string
			QueryStringParameters       map[string]string
			MultiValueQueryStringParams map[string][]string `json:"multiValueQueryStringParameters"`
			PathParameters              map[string]string
			RequestContext              struct{ Stage, RequestID, ResourcePath, Path string }
			Body                        string
			IsBase64Encoded             bool
		}
		Greeting string
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	e := got.Event
	if e.Resource != "/faulty/{mode}" || e.Path != "/faulty/echo" || e.HTTPMethod != "POST" || e.PathParameters["mode"] != "echo" ||
		e.QueryStringParameters["a"] != "2" || len(e.MultiValueQueryStringParams["a"]) != 2 || e.Headers["X-Team"] != "video" ||
		e.RequestContext.Stage != "prod" || e.RequestContext.RequestID != resp.Header.Get("x-amzn-RequestId") ||
		e.RequestContext.Path != "/prod/faulty/echo" || e.IsBase64Encoded || e.Body != "\uFFFD\x00\x01" {
		t.Errorf("event: %+v", e)
	}
	if got.Greeting != "hello from the template" {
		t.Errorf("GREETING = %q", got.Greeting)
	}
	// The function's log line is copied from its stderr, which may reach
	// the runner's log after the response has reached the client.
	logLine := "[POST /faulty/{mode} " + resp.Header.Get("x-amzn-RequestId")[:8] + "] "
	waitFor(t, runnerLogs.String, logLine, 5*time.Second)
	waitFor(t, runnerLogs.String, "the body is not UTF-8 and its Content-Type \"\" is not among the API's binary media types", 5*time.Second)
}

func TestGatewayErrors(t *testing.T) {
	resp, err := http.Post(streamsURL+"/faulty/tiny", "application/octet-stream", bytes.NewReader(make([]byte, 10<<20+1)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("a body over 10 MB: %d, want 413", resp.StatusCode)
	}
	for _, path := range []string{"/nothing", "/records/extra"} {
		r, _ := get(t, streamsURL+path)
		if r.StatusCode != 403 {
			t.Errorf("%s: %d, want 403 Missing Authentication Token", path, r.StatusCode)
		}
	}
	r, _ := get(t, strings.TrimSuffix(streamsURL, "/prod")+"/records")
	if r.StatusCode != 403 {
		t.Errorf("no stage in the path: %d, want 403", r.StatusCode)
	}
}

// TestUploadThroughTheRunner: the whole two-step upload against the local
// upload API and its S3 server.
func TestUploadThroughTheRunner(t *testing.T) {
	data := bytes.Repeat([]byte("streamgate"), 100_000)
	c := &upload.Client{Endpoint: uploadsURL + "/", Checksum: true}
	res, err := c.Upload(context.Background(), upload.File{Name: "local.txt", ContentType: "text/plain", Size: int64(len(data)), Body: bytes.NewReader(data)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Key, "incoming/") || !strings.Contains(res.Bucket, "uploadsbucket") {
		t.Errorf("%+v", res)
	}
}

// TestMalformedResponsesOnAStreamingRoute answer 502, as API Gateway does
// when the metadata prelude is missing or broken.
func TestMalformedResponsesOnAStreamingRoute(t *testing.T) {
	for _, mode := range []string{"plain", "garbage"} {
		resp, _ := get(t, streamsURL+"/faulty/"+mode)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 502 || !strings.Contains(string(body), "Internal server error") {
			t.Errorf("%s: %d %s", mode, resp.StatusCode, body)
		}
	}
}

// TestConcurrentRequestsGetTheirOwnProcesses: two streams at once run in
// two processes, side by side: each one's first record arrives before
// either stream ends (one process would serve them one after the other).
func TestConcurrentRequestsGetTheirOwnProcesses(t *testing.T) {
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firsts, ends []time.Duration
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(streamsURL + "/records?count=20&interval_ms=50")
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			lines, err := readLines(resp, start)
			if err != nil || len(lines) != 21 {
				t.Errorf("%d lines, %v", len(lines), err)
				return
			}
			mu.Lock()
			firsts, ends = append(firsts, lines[0].at), append(ends, lines[20].at)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(firsts) != 2 {
		t.FailNow()
	}
	if max(firsts[0], firsts[1]) >= min(ends[0], ends[1]) {
		t.Errorf("first records at %v, ends at %v: the streams ran one after the other", firsts, ends)
	}
	if s := functionFor(t, "StreamsGetRecords"); s.Started < 2 {
		t.Errorf("%d processes for two concurrent streams", s.Started)
	}
}

// TestCompressedSSEArrivesLive: the demo's progress handler compresses for
// clients that accept gzip; the runner passes the encoded bytes through, and
// each event decodes as it arrives, long before the stream ends.
func TestCompressedSSEArrivesLive(t *testing.T) {
	req, _ := http.NewRequest("GET", streamsURL+"/jobs/42/progress?steps=3&interval_ms=300", nil)
	req.Header.Set("Accept-Encoding", "gzip") // set by hand: Go's client then leaves the body encoded
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding, Origin" { // the API allows the page origin: Vary: Origin too
		t.Fatalf("headers: %v", resp.Header)
	}
	z, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(z)
	var firstAt time.Duration
	events := 0
	for {
		line, err := br.ReadString('\n')
		if strings.HasPrefix(line, "event: progress") {
			if events == 0 {
				firstAt = time.Since(start)
			}
			events++
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	total := time.Since(start)
	if events != 3 {
		t.Errorf("%d progress events, want 3", events)
	}
	if firstAt > total-400*time.Millisecond {
		t.Errorf("first event after %v of %v: it waited for the end", firstAt, total)
	}
	t.Logf("gzip SSE through the runner: first event after %v, end after %v", firstAt, total)
}
