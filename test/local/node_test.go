package local

import (
	"encoding/json"
	"io"
	"testing"
	"time"
)

// TestNodeFunctionStreamsRecordByRecord: a Node.js function on the managed
// runtime (awslambda.streamifyResponse, AWS's Runtime Interface Client)
// streams through the runner as on Lambda: its records arrive as written,
// 100 ms apart, the first before the last is written.
func TestNodeFunctionStreamsRecordByRecord(t *testing.T) {
	needNode(t)
	for _, path := range []string{"/node/records", "/node/elsewhere"} { // this stack's, and another stack's
		resp, start := get(t, streamsURL+path+"?count=6&interval_ms=100")
		lines, err := readLines(resp, start)
		if err != nil || resp.StatusCode != 200 || len(lines) != 6 {
			t.Fatalf("%s: %d, %d lines, %v\n%s", path, resp.StatusCode, len(lines), err, runnerLogs.String())
		}
		t.Logf("%s (%s): first record after %v, last after %v", path, resp.Header.Get("X-Runtime"), lines[0].at.Round(time.Millisecond), lines[5].at.Round(time.Millisecond))
		// Streamed means the first record arrived before the function wrote
		// the last (each record carries the Unix milliseconds it was written
		// at, on this machine's clock): a buffered answer cannot, however
		// slow a loaded machine makes the process's start.
		var last struct{ At int64 }
		json.Unmarshal([]byte(lines[5].text), &last)
		firstArrived := start.Add(lines[0].at)
		if !firstArrived.Before(time.UnixMilli(last.At)) || resp.Header.Get("X-Runtime") != "AWS_Lambda_nodejs22.x" {
			t.Errorf("%s: records at %v, runtime %q: the first arrived after the last was written: not streamed one by one from Node.js 22", path, lines, resp.Header.Get("X-Runtime"))
		}
	}
}

// TestNodeFunctionBuffered: a buffered Node.js handler on a BUFFERED route.
func TestNodeFunctionBuffered(t *testing.T) {
	needNode(t)
	resp, _ := get(t, streamsURL+"/node/buffered")
	var out map[string]string
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != 200 || out["path"] != "/node/buffered" || out["runtime"] != "AWS_Lambda_nodejs22.x" {
		t.Errorf("%d %v", resp.StatusCode, out)
	}
}

// TestNodeFunctionFailingMidStream: an error after the first records
// reaches the runtime as the error trailers, and the client sees the stream
// cut, as API Gateway cuts it.
func TestNodeFunctionFailingMidStream(t *testing.T) {
	needNode(t)
	resp, start := get(t, streamsURL+"/node/records?count=6&interval_ms=20&fail=2")
	lines, err := readLines(resp, start)
	io.Copy(io.Discard, resp.Body)
	if len(lines) != 2 || err == nil {
		t.Errorf("%d lines, end %v: want 2 records and a cut", len(lines), err)
	}
	// The runner logs the trailers as the cut reaches the client: wait for it.
	waitFor(t, runnerLogs.String, `stream failed midway: Error: {"errorType":"Error","errorMessage":"failed after 2 records"`, 5*time.Second)
}
