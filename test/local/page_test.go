package local

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// browse opens url in headless Chromium (Debian's, installed by
// scripts/chromium.sh) and waits for the page's self-test report.
func browse(t *testing.T, base, query string) map[string]any {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: run scripts/chromium.sh (make test does)")
	}
	http.Post(base+"/_streamgate/report", "application/json", strings.NewReader("null")) // clear
	profile, err := os.MkdirTemp("", "chromium-profile-")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir="+profile, "--remote-debugging-port=0", base+"/_streamgate/?"+query)
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
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(base + "/_streamgate/report")
		if err != nil {
			continue
		}
		var report map[string]any
		json.NewDecoder(resp.Body).Decode(&report)
		resp.Body.Close()
		if report != nil {
			return report
		}
	}
	t.Fatalf("the page sent no report within 60 s (%s)", query)
	return nil
}

// TestPageShowsRecordsBeforeTheStreamEnds: in a real browser, the page's
// stream reader receives the first record long before the last.
func TestPageShowsRecordsBeforeTheStreamEnds(t *testing.T) {
	base := strings.TrimSuffix(streamsURL, "/prod")
	r := browse(t, base, "selftest=stream&path=/records&query=count%3D60%26interval_ms%3D25")
	if r["error"] != nil {
		t.Fatalf("page error: %v", r["error"])
	}
	first, end, lines := r["firstMs"].(float64), r["endMs"].(float64), r["lines"].(float64)
	t.Logf("in Chromium: first record after %.0f ms, stream ended after %.0f ms, %v lines in %v chunks", first, end, lines, r["chunks"])
	if lines != 61 || first > end-800 {
		t.Errorf("first record at %.0f ms, end at %.0f ms, %v lines: the records did not appear before the end", first, end, lines)
	}
}

// TestPageUploadsThroughPresign: the page's upload form runs the two-step
// flow with progress events, and the object lands in the local S3.
func TestPageUploadsThroughPresign(t *testing.T) {
	base := strings.TrimSuffix(uploadsURL, "/prod")
	const size = 3_000_000
	r := browse(t, base, fmt.Sprintf("selftest=upload&size=%d", size))
	if r["error"] != nil {
		t.Fatalf("page error: %v", r["error"])
	}
	if r["status"] != float64(200) || r["progress"].(float64) < 1 {
		t.Fatalf("report %v", r)
	}
	key := r["key"].(string)
	client := localS3()
	var found bool
	buckets, err := client.ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range buckets.Buckets {
		head, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: b.Name, Key: aws.String(key)})
		if err == nil && aws.ToInt64(head.ContentLength) == size {
			found = true
		}
	}
	if !found {
		t.Errorf("no object %s of %d bytes in the local S3", key, size)
	}
}
