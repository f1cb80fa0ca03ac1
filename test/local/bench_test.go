package local

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/streamgate/streamgate/internal/runtimeapi"
)

// BenchmarkReferenceWorkload: time to first byte and total time of the
// reference workload (1000 records, 10 ms apart) through the runner, STREAM
// against BUFFERED, in the same run.
func BenchmarkReferenceWorkload(b *testing.B) {
	measure := func(url string) (ttfb, total time.Duration) {
		start := time.Now()
		resp, err := http.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		one := make([]byte, 1)
		if _, err := io.ReadFull(resp.Body, one); err != nil {
			b.Fatal(err)
		}
		ttfb = time.Since(start)
		io.Copy(io.Discard, resp.Body)
		return ttfb, time.Since(start)
	}
	var sTTFB, sTotal, bTTFB, bTotal time.Duration
	for i := 0; i < b.N; i++ {
		t1, t2 := measure(streamsURL + "/records")
		t3, t4 := measure(streamsURL + "/buffered/records")
		sTTFB, sTotal, bTTFB, bTotal = sTTFB+t1, sTotal+t2, bTTFB+t3, bTotal+t4
	}
	n := float64(b.N)
	b.ReportMetric(float64(sTTFB.Milliseconds())/n, "ms-ttfb-STREAM")
	b.ReportMetric(float64(sTotal.Milliseconds())/n, "ms-total-STREAM")
	b.ReportMetric(float64(bTTFB.Milliseconds())/n, "ms-ttfb-BUFFERED")
	b.ReportMetric(float64(bTotal.Milliseconds())/n, "ms-total-BUFFERED")
}

// plainServer streams the same bytes as the faulty handler's /big from a
// plain Go HTTP server on loopback, and answers /tiny like it: the floor.
func plainServer(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = byte(i)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		f := w.(http.Flusher)
		for n := 0; n < 200*16; n++ {
			w.Write(chunk)
			f.Flush()
		}
	})
	mux.HandleFunc("/tiny", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// functionAlone runs the faulty handler, built for this machine, against
// an in-process Lambda Runtime API and returns a reader of /big's stream
// (prelude included): the function's own ceiling, with no gateway and no
// client connection.
func functionAlone(b *testing.B) func(mb int) io.ReadCloser {
	bin := filepath.Join(b.TempDir(), "faulty")
	if out, err := exec.Command("go", "build", "-o", bin, faulty).CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	api, err := runtimeapi.Start()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "AWS_LAMBDA_RUNTIME_API="+api.Addr(), "_HANDLER=bootstrap", "AWS_LAMBDA_FUNCTION_NAME=faulty")
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); api.Close() })
	n := 0
	return func(mb int) io.ReadCloser {
		n++
		payload := fmt.Sprintf(`{"path":"/faulty/big","queryStringParameters":{"mb":"%d"}}`, mb)
		resp, err := api.Invoke(context.Background(), runtimeapi.Invocation{RequestID: fmt.Sprint("bench-", n), Payload: []byte(payload), Deadline: time.Now().Add(time.Minute)})
		if err != nil {
			b.Fatal(err)
		}
		return resp.Body
	}
}

// BenchmarkStreamThroughput: MB/s of 200 MB streamed through runner and
// function, against a plain Go HTTP server streaming the same bytes, and
// against the function alone (its stream read straight off the runtime
// API, no gateway and no client): what the runner can at best reach.
func BenchmarkStreamThroughput(b *testing.B) {
	plain := plainServer(b)
	invoke := functionAlone(b)
	read := func(url string) time.Duration {
		start := time.Now()
		resp, err := http.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if n != 200<<20 {
			b.Fatalf("%s: %d bytes", url, n)
		}
		return time.Since(start)
	}
	var viaRunner, direct, alone time.Duration
	for i := 0; i < b.N; i++ {
		viaRunner += read(streamsURL + "/faulty/big?mb=200")
		direct += read(plain + "/big")
		start := time.Now()
		body := invoke(200)
		n, _ := io.Copy(io.Discard, body)
		body.Close()
		alone += time.Since(start)
		if n < 200<<20 {
			b.Fatalf("function alone: %d bytes", n)
		}
	}
	mb := 200.0 * float64(b.N)
	b.ReportMetric(mb/viaRunner.Seconds(), "MB/s-runner+function")
	b.ReportMetric(mb/direct.Seconds(), "MB/s-plain-server")
	b.ReportMetric(mb/alone.Seconds(), "MB/s-function-alone")
	b.ReportMetric(float64(viaRunner)/float64(direct), "runner/plain")
	b.ReportMetric(float64(viaRunner)/float64(alone), "runner/function-alone")
}

// BenchmarkTinyInvocation: the runner's per-invocation overhead for a tiny
// response (warm process), against a plain Go HTTP server.
func BenchmarkTinyInvocation(b *testing.B) {
	plain := plainServer(b)
	get := func(url string) {
		resp, err := http.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	get(streamsURL + "/faulty/tiny") // warm
	var viaRunner, direct time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		get(streamsURL + "/faulty/tiny")
		viaRunner += time.Since(start)
		start = time.Now()
		get(plain + "/tiny")
		direct += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(float64(viaRunner.Microseconds())/n, "us-runner")
	b.ReportMetric(float64(direct.Microseconds())/n, "us-plain")
	b.ReportMetric(float64(viaRunner-direct)/n/1000, "us-overhead")
}

// BenchmarkUppyAgainstSgupload uploads the same 64 MiB through the same
// API (multipart, the Companion routes for Uppy) with Uppy in headless
// Chromium and with sgupload, in one run: MB/s of each, and their ratio.
func BenchmarkUppyAgainstSgupload(b *testing.B) {
	const size = 64 << 20
	data := pattern(size, 21)
	dir := b.TempDir()
	file := filepath.Join(dir, "same.bin")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(dir, "sgupload")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/streamgate/streamgate/cmd/sgupload").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	var uppyMS, sgMS float64
	for i := 0; i < b.N; i++ {
		files, _ := json.Marshal([]uppyFile{{Name: "same.bin", Type: "application/octet-stream", Size: size, Seed: 21}})
		r := openPage(b, pageOrigin, "uppy.html", url.Values{"api": {uppyURL}, "files": {string(files)}})
		ms, ok := r["ms"].(float64)
		if !ok || field(r, "files", "same.bin", "ok") != true {
			b.Fatalf("Uppy: %v", r)
		}
		uppyMS += ms
		start := time.Now()
		cmd := exec.Command(bin, "-api", uppyURL+"/", file)
		cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+dir, "HOME="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("sgupload: %v\n%s", err, out)
		}
		sgMS += float64(time.Since(start).Milliseconds())
	}
	mbps := func(ms float64) float64 { return float64(size) * float64(b.N) / (ms / 1000) / 1e6 }
	b.ReportMetric(mbps(uppyMS), "uppy-MB/s")
	b.ReportMetric(mbps(sgMS), "sgupload-MB/s")
	b.ReportMetric(mbps(uppyMS)/mbps(sgMS), "uppy/sgupload")
}
