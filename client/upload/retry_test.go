package upload

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/streamgate/streamgate/lambda/presign/contract"
)

// flaky is a fake upload API and S3 for a two-part multipart upload, whose
// answers fail as the test says: fails[route] is how many times that
// route answers status before it works.
type flaky struct {
	mu       sync.Mutex
	fails    map[string]int
	status   map[string]int
	calls    map[string]int
	aborted  bool
	complete contract.CompleteRequest
	expired  bool // part 2's first URL has expired
}

func (f *flaky) fail(w http.ResponseWriter, route string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[route]++
	if f.fails[route] == 0 {
		return false
	}
	f.fails[route]--
	if route == "s3" {
		w.WriteHeader(f.status[route])
		fmt.Fprintf(w, `<Error><Code>RequestTimeout</Code><Message>Your socket connection to the server was not read from or written to within the timeout period.</Message></Error>`)
		return true
	}
	w.Header().Set("Retry-After", "0")
	w.WriteHeader(f.status[route])
	fmt.Fprintf(w, `{"error":{"code":"Flaky","message":"try again"}}`)
	return true
}

func (f *flaky) servers(t *testing.T) (api *httptest.Server) {
	s3 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.fail(w, "s3") {
			return
		}
		if f.expired && r.URL.Query().Get("partNumber") == "2" && r.URL.Query().Get("fresh") == "" {
			w.WriteHeader(403)
			fmt.Fprint(w, `<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>`)
			return
		}
		w.Header().Set("ETag", `"etag-`+r.URL.Query().Get("partNumber")+`"`)
	}))
	t.Cleanup(s3.Close)
	api = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "POST" && r.URL.Path == "/uploads":
			json.NewEncoder(w).Encode(contract.Response{Mode: contract.ModeMultipart, Method: "PUT", Key: "k", UploadID: "u1", PartSize: 5 << 20,
				Parts: []contract.Part{{Number: 1, Size: 5 << 20, URL: s3.URL + "/k?partNumber=1"}}, Complete: "/uploads/u1/complete", Abort: "/uploads/u1?key=k"})
		case r.Method == "POST" && r.URL.Path == "/uploads/u1/parts":
			if f.fail(w, "parts") {
				return
			}
			u := s3.URL + "/k?partNumber=2"
			if f.calls["parts"] > 1 {
				u += "&fresh=1" // signed now
			}
			json.NewEncoder(w).Encode(contract.Response{Mode: contract.ModeMultipart, Parts: []contract.Part{{Number: 2, Size: 1, URL: u}}})
		case r.Method == "POST" && r.URL.Path == "/uploads/u1/complete":
			if f.fail(w, "complete") {
				return
			}
			json.NewDecoder(r.Body).Decode(&f.complete)
			json.NewEncoder(w).Encode(contract.CompleteResponse{Key: "k", ETag: `"all"`})
		case r.Method == "DELETE":
			f.mu.Lock()
			f.aborted = true
			f.mu.Unlock()
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(api.Close)
	return api
}

// TestRetriesWhatFailedOnTheWay: a throttled complete (429), a parts call
// that failed on the server's side (500) and S3's RequestTimeout (a 400)
// are tried again and the upload completes; a complete that failed with a
// 503 is not re-sent (the handler may have completed it).
func TestRetriesWhatFailedOnTheWay(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 5<<20+1)
	f := &flaky{fails: map[string]int{"complete": 1, "parts": 1, "s3": 1}, status: map[string]int{"complete": 429, "parts": 500, "s3": 400}, calls: map[string]int{}}
	c := &Client{Endpoint: f.servers(t).URL, Concurrency: 1}
	res, err := c.Upload(context.Background(), File{Name: "a.bin", Size: int64(len(body)), Body: bytes.NewReader(body)}, nil)
	if err != nil || res.ETag != `"all"` || f.aborted || len(f.complete.Parts) != 2 {
		t.Fatalf("upload: %v %+v, aborted %v, completed %+v", err, res, f.aborted, f.complete)
	}
	if f.calls["complete"] != 2 || f.calls["parts"] != 2 || f.calls["s3"] != 3 {
		t.Errorf("calls %v, want complete 2, parts 2, s3 3", f.calls)
	}

	f = &flaky{fails: map[string]int{"complete": 1}, status: map[string]int{"complete": 503}, calls: map[string]int{}}
	c = &Client{Endpoint: f.servers(t).URL, Concurrency: 1}
	_, err = c.Upload(context.Background(), File{Name: "a.bin", Size: int64(len(body)), Body: bytes.NewReader(body)}, nil)
	if err == nil || !strings.Contains(err.Error(), "503") || f.calls["complete"] != 1 {
		t.Errorf("a complete that failed with 503: %v, %d calls", err, f.calls["complete"])
	}
}

// TestExpiredPartURLIsRenewed: a part whose URL expired before the upload
// reached it (S3's 403 "Request has expired") gets a new URL and is sent;
// the upload completes and nothing is aborted.
func TestExpiredPartURLIsRenewed(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 5<<20+1)
	f := &flaky{fails: map[string]int{}, status: map[string]int{}, calls: map[string]int{}, expired: true}
	c := &Client{Endpoint: f.servers(t).URL, Concurrency: 1}
	res, err := c.Upload(context.Background(), File{Name: "a.bin", Size: int64(len(body)), Body: bytes.NewReader(body)}, nil)
	if err != nil || res.ETag != `"all"` || f.aborted || f.calls["parts"] != 2 || len(f.complete.Parts) != 2 {
		t.Fatalf("upload: %v %+v, aborted %v, parts calls %d", err, res, f.aborted, f.calls["parts"])
	}
}
