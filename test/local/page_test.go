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
