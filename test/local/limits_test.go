package local

import (
	"bufio"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLambdaRefusesEventsOf6MB: a body whose event reaches Lambda's 6 MB
// invocation limit is refused with 413 before the function runs; a smaller
// one passes.
func TestLambdaRefusesEventsOf6MB(t *testing.T) {
	for _, tc := range []struct {
		size   int
		status int
	}{{5 << 20, 200}, {6<<20 + 1, 413}} {
		resp, err := http.Post(streamsURL+"/faulty/echo", "text/plain", strings.NewReader(strings.Repeat("a", tc.size)))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("a %d-byte body: %d %.100s, want %d", tc.size, resp.StatusCode, body, tc.status)
		}
	}
	// The runner's log reaches the test through a pipe, after the answer.
	waitFor(t, runnerLogs.String, "Lambda refuses invocations of 6,291,456 bytes or more", 5*time.Second)
}

// TestStreamsEndAtLambdas200MB: a streamed response is cut at 200 MB.
func TestStreamsEndAtLambdas200MB(t *testing.T) {
	resp, _ := get(t, streamsURL+"/faulty/big?mb=201")
	n, err := io.Copy(io.Discard, resp.Body)
	if n != 200<<20 || err == nil {
		t.Errorf("%d bytes, end %v: want the stream cut at exactly 200 MiB", n, err)
	}
}

// TestStreamsAreCappedAt2MBs: a runner with its defaults (the shared one
// runs with -no-throttle) sends a Lambda stream's first 6 MB at once and
// the rest at 2 MB/s, as Lambda does: 10 MB take 2 s, not 0.1.
func TestStreamsAreCappedAt2MBs(t *testing.T) {
	cmd := exec.Command(runnerBin, "-assembly", runnerArgs[1], "-port", "0", "-s3", "none")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	sc := bufio.NewScanner(out)
	streams := regexp.MustCompile(`^LocalTest/Streams\w*\s+(http://127\.0\.0\.1:\d+/prod)`)
	var url, banner string
	for sc.Scan() {
		if m := streams.FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
		}
		if strings.HasPrefix(sc.Text(), "notice: streams:") {
			banner = sc.Text()
		}
		if sc.Text() == "ready" {
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if !strings.Contains(banner, "capped at 2 MB/s") {
		t.Errorf("start-up banner: %q", banner)
	}
	start := time.Now()
	// 10 MiB: 4 MiB past the uncapped 6 take 2 s, within the faulty
	// function's 3 s timeout (which, as on Lambda, counts the throttled time).
	resp, err := http.Get(url + "/faulty/big?mb=10")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 64<<10)
	var n int64
	var at6MB time.Duration
	for {
		k, err := resp.Body.Read(buf)
		n += int64(k)
		if at6MB == 0 && n >= 6<<20 {
			at6MB = time.Since(start)
		}
		if err != nil {
			break
		}
	}
	took := time.Since(start)
	t.Logf("10 MiB: the first 6 MiB after %v, all after %v (uncapped: about 0.1 s)", at6MB.Round(time.Millisecond), took.Round(time.Millisecond))
	if n != 10<<20 || took < 1900*time.Millisecond {
		t.Errorf("%d bytes in %v: want 10 MiB in at least 2 s (4 MiB at 2 MiB/s after the first 6)", n, took)
	}
}

// TestAPIGatewayURLAndHeaderQuotas: a REGIONAL API takes URLs up to 10240
// characters and 10240 bytes of headers in all; past them it refuses.
func TestAPIGatewayURLAndHeaderQuotas(t *testing.T) {
	do := func(url string, headers map[string]string) int {
		req, _ := http.NewRequest("GET", url, nil)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	base := streamsURL + "/records?count=1&interval_ms=0&pad="
	long := "https://" + strings.TrimPrefix(base, "http://")
	if got := do(base+strings.Repeat("a", 10240-len(long)), nil); got != 200 {
		t.Errorf("a URL of 10240 characters: %d", got)
	}
	if got := do(base+strings.Repeat("a", 10241-len(long)), nil); got != 414 {
		t.Errorf("a URL of 10241 characters: %d, want 414", got)
	}
	if got := do(streamsURL+"/records?count=1", map[string]string{"X-Big": strings.Repeat("h", 11000)}); got != 431 {
		t.Errorf("11 KB of headers: %d, want 431", got)
	}
	if got := do(streamsURL+"/records?count=1", map[string]string{"X-Some": strings.Repeat("h", 8000)}); got != 200 {
		t.Errorf("8 KB of headers: %d", got)
	}
}
