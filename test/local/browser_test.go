package local

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamgate/streamgate/internal/cdktest"
)

// The browser tests' own page server: it serves test/local/browser on a
// loopback port that no API uses. Reached as pageOrigin (http://localhost:N)
// it is the origin the APIs allow; reached as otherOrigin
// (http://127.0.0.1:N) it is an origin they do not, so Chromium refuses
// what it reads from them, as a browser would on AWS.
var (
	pageOrigin  string
	otherOrigin string
	pageReports = &reportBox{}
)

// uppyMaxMiB is the Uppy API's MaxObjectSize.
const uppyMaxMiB = 70

type reportBox struct {
	mu     sync.Mutex
	report map[string]any
}

func (b *reportBox) set(r map[string]any) { b.mu.Lock(); b.report = r; b.mu.Unlock() }
func (b *reportBox) get() map[string]any  { b.mu.Lock(); defer b.mu.Unlock(); return b.report }

func startPages() *httptest.Server {
	dir := filepath.Join(cdktest.ModuleRoot(), "test", "local", "browser")
	var bundle []byte
	var bundleErr error
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/report":
			var rep map[string]any
			json.NewDecoder(r.Body).Decode(&rep)
			pageReports.set(rep)
		case "/uppy.js":
			once.Do(func() { bundle, bundleErr = bundleUppy(dir) })
			if bundleErr != nil {
				http.Error(w, bundleErr.Error(), 500)
				return
			}
			w.Header().Set("Content-Type", "text/javascript")
			w.Write(bundle)
		case "/cross.html", "/uppy.html", "/guarded.html", "/waf.html", "/attempt.js":
			http.ServeFile(w, r, filepath.Join(dir, r.URL.Path))
		default:
			http.NotFound(w, r)
		}
	}))
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	pageOrigin = fmt.Sprintf("http://localhost:%d", port)
	otherOrigin = fmt.Sprintf("http://127.0.0.1:%d", port)
	return srv
}

// bundleUppy installs the pinned npm packages (scripts/browser.sh) and
// bundles the Uppy page's script with esbuild.
func bundleUppy(dir string) ([]byte, error) {
	if out, err := exec.Command(filepath.Join(cdktest.ModuleRoot(), "scripts", "browser.sh")).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("scripts/browser.sh: %v\n%s", err, out)
	}
	out := filepath.Join(os.TempDir(), fmt.Sprintf("uppy-%d.js", os.Getpid()))
	defer os.Remove(out)
	cmd := exec.Command(filepath.Join(dir, "node_modules", ".bin", "esbuild"), "uppy-entry.js", "--bundle", "--format=iife", "--log-level=warning", "--outfile="+out)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("esbuild: %v\n%s", err, b)
	}
	return os.ReadFile(out)
}

var (
	chromiumOnce sync.Once
	chromiumErr  error
)

// chromium opens pageURL in headless Chromium (Debian's, installed by
// scripts/chromium.sh) and waits for report to return the page's report.
func chromium(t testing.TB, pageURL string, report func() map[string]any, timeout time.Duration) map[string]any {
	t.Helper()
	// make test installs Chromium in the background: wait for it (or install it).
	chromiumOnce.Do(func() {
		if out, err := exec.Command(filepath.Join(cdktest.ModuleRoot(), "scripts", "chromium.sh"), "wait").CombinedOutput(); err != nil {
			chromiumErr = fmt.Errorf("scripts/chromium.sh wait: %v\n%s", err, out)
		}
	})
	if chromiumErr != nil {
		t.Fatal(chromiumErr)
	}
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: run scripts/chromium.sh (make test does)")
	}
	profile, err := os.MkdirTemp("", "chromium-profile-")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir="+profile, "--remote-debugging-port=0", pageURL)
	cmd.Stdout, cmd.Stderr = nil, nil
	// Its own process group, so that its renderer and helper processes go too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		time.Sleep(100 * time.Millisecond)
		os.RemoveAll(profile) // best effort: a helper may still be exiting
	}()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if r := report(); r != nil {
			return r
		}
	}
	t.Fatalf("the page sent no report within %v (%s)", timeout, pageURL)
	return nil
}

// openPage opens a page of the page server, on origin, and returns its report.
func openPage(t testing.TB, origin, page string, query url.Values) map[string]any {
	t.Helper()
	pageReports.set(nil)
	return chromium(t, origin+"/"+page+"?"+query.Encode(), pageReports.get, 120*time.Second)
}

func field(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		mm, _ := v.(map[string]any)
		v = mm[p]
	}
	return v
}

// TestBrowserOnAnotherOrigin: a page on an allowed origin reads an NDJSON
// stream as it arrives, follows an SSE stream with EventSource, uploads
// with the two-step flow, and reads the status and body of API Gateway's
// own 403 and of the presign handler's 415, all with CORS enforced.
func TestBrowserOnAnotherOrigin(t *testing.T) {
	r := openPage(t, pageOrigin, "cross.html", url.Values{"streams": {streamsURL}, "uploads": {uploadsURL}})
	t.Logf("report from %s: %v", pageOrigin, r)
	if first, end := field(r, "ndjson", "firstMs"), field(r, "ndjson", "endMs"); field(r, "ndjson", "lines") != float64(41) ||
		first == nil || first.(float64) > end.(float64)-500 {
		t.Errorf("NDJSON: %v (want 41 lines, the first long before the end)", r["ndjson"])
	}
	if field(r, "sse", "progress") != float64(3) || field(r, "sse", "complete") != true {
		t.Errorf("EventSource: %v", r["sse"])
	}
	if field(r, "upload", "presignStatus") != float64(200) || field(r, "upload", "putStatus") != float64(200) {
		t.Fatalf("two-step upload: %v", r["upload"])
	}
	head, err := localS3().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucketOf(t, "localtest-uploads")),
		Key: aws.String(field(r, "upload", "key").(string)), ChecksumMode: "ENABLED"})
	if err != nil || aws.ToInt64(head.ContentLength) != 1<<20 {
		t.Errorf("the uploaded object: %v %v", head, err)
	}
	if field(r, "gatewayError", "status") != float64(403) || field(r, "gatewayError", "body", "message") != "Missing Authentication Token" {
		t.Errorf("API Gateway's 403: %v", r["gatewayError"])
	}
	if field(r, "presignError", "status") != float64(415) || field(r, "presignError", "body", "error", "field") != "contentType" {
		t.Errorf("the handler's 415: %v", r["presignError"])
	}
}

// TestBrowserOnADisallowedOrigin: the same page on an origin the APIs do
// not allow reads nothing: Chromium blocks every answer.
func TestBrowserOnADisallowedOrigin(t *testing.T) {
	r := openPage(t, otherOrigin, "cross.html", url.Values{"streams": {streamsURL}, "uploads": {uploadsURL}})
	t.Logf("report from %s: %v", otherOrigin, r)
	for _, check := range []string{"ndjson", "upload", "gatewayError", "presignError"} {
		if field(r, check, "blocked") == nil {
			t.Errorf("%s was not blocked: %v", check, r[check])
		}
	}
	if field(r, "sse", "error") != true || field(r, "sse", "progress") != float64(0) {
		t.Errorf("EventSource was not refused: %v", r["sse"])
	}
}

// bucketOf finds the local bucket whose name contains part.
func bucketOf(t *testing.T, part string) string {
	t.Helper()
	return bucketAt(t, localS3(), part)
}

// bucketAt finds the bucket of client whose name contains part.
func bucketAt(t *testing.T, client *s3.Client, part string) string {
	t.Helper()
	out, err := client.ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range out.Buckets {
		if n := aws.ToString(b.Name); strings.Contains(n, part) && !strings.Contains(n, "logs") {
			return n
		}
	}
	t.Fatalf("no bucket like %q", part)
	return ""
}

// pattern is the Uppy page's bytes (uppy-entry.js): xorshift32 words.
func pattern(size int, seed uint32) []byte {
	b := make([]byte, size)
	x := seed
	for i := 0; i+4 <= size; i += 4 {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		binary.LittleEndian.PutUint32(b[i:], x)
	}
	return b
}

type uppyFile struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Size   int    `json:"size"`
	Seed   uint32 `json:"seed"`
	Single bool   `json:"single,omitempty"`
}

func uppy(t *testing.T, files []uppyFile, pause int) map[string]any {
	t.Helper()
	b, _ := json.Marshal(files)
	// With an Authorization header, as behind Cognito: every request is
	// preflighted, and the API's CORS must allow the header (the runner
	// does not check the token).
	q := url.Values{"api": {uppyURL}, "files": {string(b)}, "token": {"Bearer local-test-token"}}
	if pause > 0 {
		q.Set("pause", strconv.Itoa(pause))
	}
	r := openPage(t, pageOrigin, "uppy.html", q)
	if r["error"] != nil {
		t.Fatalf("the Uppy page failed: %v", r["error"])
	}
	return r
}

// uploaded reads an object Uppy uploaded and compares it with the file.
func uploaded(t *testing.T, r map[string]any, f uppyFile) {
	t.Helper()
	res, _ := field(r, "files", f.Name).(map[string]any)
	if res == nil || res["ok"] != true {
		t.Fatalf("%s: %v", f.Name, res)
	}
	out, err := localS3().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucketOf(t, "uppy")), Key: aws.String(res["key"].(string))})
	if err != nil {
		t.Fatalf("%s: %v", f.Name, err)
	}
	defer out.Body.Close()
	got, _ := io.ReadAll(out.Body)
	if !bytes.Equal(got, pattern(f.Size, f.Seed)) || aws.ToString(out.ContentType) != f.Type {
		t.Errorf("%s: the object (%d bytes, %s) is not the file", f.Name, len(got), aws.ToString(out.ContentType))
	}
	if !keyShape.MatchString(res["key"].(string)) {
		t.Errorf("%s: key %q is not the server's", f.Name, res["key"])
	}
}

var keyShape = regexp.MustCompile(`^incoming/[0-9a-f]{16}/[0-9a-f]{32}/[A-Za-z0-9._-]+$`)

// s3Received is how many bytes of S3 requests the runner's S3 server has
// received so far: its Prometheus counter (MinIO's made public for the
// tests' runner with MINIO_PROMETHEUS_AUTH_TYPE, on the v3 endpoint, which
// v2's cache does not delay; SeaweedFS's per bucket, summed).
func s3Received(t *testing.T) float64 {
	t.Helper()
	resp, err := http.Get(s3Metrics)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var sum float64
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "minio_api_requests_traffic_received_bytes{") && strings.Contains(line, `type="s3"`) ||
			strings.HasPrefix(line, "SeaweedFS_s3_bucket_traffic_received_bytes_total{") {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			sum += v
		}
	}
	return sum // 0: nothing received yet
}

// TestUppyUploadsThroughCompanionRoutes: the real @uppy/core and
// @uppy/aws-s3 in Chromium, on another origin, with companionEndpoint set
// to the API: a 1 MiB file in one POST form, a 64 MiB file in parts.
func TestUppyUploadsThroughCompanionRoutes(t *testing.T) {
	small := uppyFile{Name: "small.bin", Type: "application/octet-stream", Size: 1 << 20, Seed: 7}
	big := uppyFile{Name: "big.bin", Type: "application/octet-stream", Size: 64 << 20, Seed: 11}
	r := uppy(t, []uppyFile{small, big}, 0)
	uploaded(t, r, small)
	uploaded(t, r, big)
	t.Logf("Uppy: 1 MiB + 64 MiB in %.0f ms (%.1f MB/s)", r["ms"], float64(small.Size+big.Size)/(r["ms"].(float64)/1000)/1e6)
	logs := runnerLogs.String()
	if !strings.Contains(logs, "GET /prod/s3/params?") || !strings.Contains(logs, "POST /prod/s3/multipart ") || !strings.Contains(logs, "OPTIONS /prod/s3/params?") {
		t.Error("the runner's log shows no Companion route, or no preflight for the Authorization header")
	}
}

// TestUppyPausesAndResumes: paused after 22 MiB of 64 and resumed, Uppy
// asks the list-parts route what S3 has and sends only the rest: the S3
// server receives the file once, plus at most the part in flight at the pause.
func TestUppyPausesAndResumes(t *testing.T) {
	f := uppyFile{Name: "paused.bin", Type: "application/octet-stream", Size: 64 << 20, Seed: 13}
	before := s3Received(t)
	r := uppy(t, []uppyFile{f}, 22<<20) // mid-part: parts are 5 MiB
	received := s3Received(t) - before
	uploaded(t, r, f)
	if at, _ := r["pausedAt"].(float64); at < 5<<20 || at >= float64(f.Size) {
		t.Fatalf("paused at %v bytes: want a pause after the first part and before the end", r["pausedAt"])
	}
	resent := received - float64(f.Size)
	t.Logf("Uppy paused at %.0f bytes and resumed: %s received %.0f bytes for a %d-byte file: %.0f bytes again (the part in flight: at most 5 MiB)",
		r["pausedAt"], s3Kind.Title(), received, f.Size, resent)
	if received < float64(f.Size) || resent > 5<<20 {
		t.Errorf("%s received %.0f bytes for %d: %.0f bytes again, want at most the 5 MiB part in flight", s3Kind.Title(), received, f.Size, resent)
	}
	if !regexp.MustCompile(`GET /prod/s3/multipart/[^/ ?]+\?key=\S+ 200`).MatchString(runnerLogs.String()) {
		t.Error("the resume did not list the parts")
	}
}

// TestUppyRefusals: what the API refuses, Uppy reports as failed, and
// nothing is stored: a type not allowed, and files over MaxObjectSize in
// one form (the POST policy) and in parts (part URLs past the limit).
func TestUppyRefusals(t *testing.T) {
	files := []uppyFile{
		{Name: "tool.exe", Type: "application/x-msdownload", Size: 1 << 10, Seed: 3},
		{Name: "huge-form.bin", Type: "application/octet-stream", Size: (uppyMaxMiB + 2) << 20, Seed: 5, Single: true},
		{Name: "huge-parts.bin", Type: "application/octet-stream", Size: (uppyMaxMiB + 6) << 20, Seed: 9},
	}
	r := uppy(t, files, 0)
	for _, f := range files {
		if res, _ := field(r, "files", f.Name).(map[string]any); res == nil || res["ok"] != false {
			t.Errorf("%s was not refused: %v", f.Name, res)
		}
	}
	out, err := localS3().ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucketOf(t, "uppy"))})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range out.Contents {
		for _, f := range files {
			if strings.HasSuffix(aws.ToString(o.Key), "/"+f.Name) {
				t.Errorf("%s was stored: %s", f.Name, aws.ToString(o.Key))
			}
		}
	}
}
