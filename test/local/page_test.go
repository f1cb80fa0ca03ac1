package local

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// browse opens the runner's own page in headless Chromium and waits for
// the page's self-test report.
func browse(t *testing.T, base, query string) map[string]any {
	t.Helper()
	http.Post(base+"/_streamgate/report", "application/json", strings.NewReader("null")) // clear
	return chromium(t, base+"/_streamgate/?"+query, func() map[string]any {
		resp, err := http.Get(base + "/_streamgate/report")
		if err != nil {
			return nil
		}
		defer resp.Body.Close()
		var report map[string]any
		json.NewDecoder(resp.Body).Decode(&report)
		return report
	}, 60*time.Second)
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
	// The page's own figures: the first byte, the chart, the prelude, and
	// the runner's account of the end; the list of what is not emulated.
	t.Logf("page figures: first byte %v ms (runner: %v ms), %v records/s, %v chart points, %v headers, end %q, %v notices",
		r["firstByteMs"], r["serverFirstByteMs"], r["recordsPerSec"], r["chartPoints"], r["headers"], r["serverEnd"], r["notices"])
	if r["serverEnd"] != "complete" || r["firstByteMs"].(float64) > first || r["chartPoints"].(float64) < 30 ||
		r["headers"].(float64) < 3 || r["notices"].(float64) < 1 || r["recordsPerSec"].(float64) < 10 {
		t.Errorf("page figures: %v", r)
	}
}

// TestPageShowsHowAStreamWasCut: a stream cut by the function's error
// trailers shows as such on the page, as the runner saw it. The records
// are 300 ms apart: 20 ms apart, on a busy machine, the page once read none
// of them before the cut ended its fetch.
func TestPageShowsHowAStreamWasCut(t *testing.T) {
	needNode(t)
	base := strings.TrimSuffix(streamsURL, "/prod")
	r := browse(t, base, "selftest=stream&path=/node/records&query=count%3D6%26interval_ms%3D300%26fail%3D2")
	if end, _ := r["serverEnd"].(string); !strings.HasPrefix(end, "cut: the function's error trailers") || r["lines"] != float64(2) {
		t.Errorf("page report: %v", r)
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
