package uploads

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamgate/streamgate/client/upload"
	"github.com/streamgate/streamgate/internal/s3server"
	"github.com/streamgate/streamgate/lambda/presign"
)

// partCounter counts the bytes of part PUTs sent to S3, and the parts S3
// stored, per part number.
type partCounter struct {
	mu       sync.Mutex
	sent     map[int]int64
	stored   map[int]bool
	onStored func(stored int)
}

func newPartCounter() *partCounter {
	return &partCounter{sent: map[int]int64{}, stored: map[int]bool{}}
}

func (c *partCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	n, _ := strconv.Atoi(r.URL.Query().Get("partNumber"))
	if r.Method == http.MethodPut && n > 0 && r.Body != nil {
		r.Body = &countingBody{ReadCloser: r.Body, add: func(k int) { c.mu.Lock(); c.sent[n] += int64(k); c.mu.Unlock() }}
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && n > 0 && r.Method == http.MethodPut && resp.StatusCode == 200 {
		c.mu.Lock()
		c.stored[n] = true
		stored, fn := len(c.stored), c.onStored
		c.mu.Unlock()
		if fn != nil {
			fn(stored)
		}
	}
	return resp, err
}

func (c *partCounter) total() (sum int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, b := range c.sent {
		sum += b
	}
	return sum
}

type countingBody struct {
	io.ReadCloser
	add func(int)
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.add(n)
	return n, err
}

// TestResumeAfterStorageDies: the S3 server is killed (SIGKILL) during a
// 64 MiB multipart upload with per-part checksums; the upload fails and
// keeps its state. Once the server is back, the same call resumes: the
// parts S3 stored are not sent again, and the object is byte for byte the
// file.
func TestResumeAfterStorageDies(t *testing.T) { eachServer(t, testResumeAfterStorageDies) }

func testResumeAfterStorageDies(t *testing.T, s *server) {
	s.needs(t, s3server.CapMultipart)
	data := randomBytes(64 << 20)
	api := apiServer(t, s.handler(presign.ModeMultipart, 15*time.Minute))
	file := upload.File{Name: "big.bin", ContentType: "application/octet-stream", Size: int64(len(data)), Body: bytes.NewReader(data),
		ID: upload.FileID(t.Name(), int64(len(data)), time.Now())}
	first := newPartCounter()
	c := &upload.Client{Endpoint: api, StateDir: t.TempDir(), Checksum: true, Concurrency: 2, Retries: 1, HTTPClient: &http.Client{Transport: first}}
	var killed sync.Once
	first.onStored = func(stored int) {
		if stored == 3 {
			killed.Do(s.proc.Kill)
		}
	}
	restarted := false
	t.Cleanup(func() {
		if !restarted { // the other tests need it
			s.proc.Start()
		}
	})
	if _, err := c.Upload(context.Background(), file, nil); err == nil {
		t.Fatalf("the upload succeeded with %s killed midway", s.kind.Title())
	} else if strings.Contains(err.Error(), "X-Amz-Signature") || strings.Contains(err.Error(), "X-Amz-Credential") {
		t.Errorf("the error shows a presigned URL's credentials: %v", err)
	}
	if !c.Resumable(file) {
		t.Fatal("no state kept for the interrupted upload")
	}
	if err := s.proc.Start(); err != nil {
		t.Fatal(err)
	}
	restarted = true

	second := newPartCounter()
	c.HTTPClient = &http.Client{Transport: second}
	res, err := c.Upload(context.Background(), file, nil)
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	for n := range first.stored {
		if second.sent[n] > 0 {
			t.Errorf("part %d was stored before %s died, and sent again", n, s.kind.Title())
		}
	}
	if res.ResumedParts < len(first.stored) || res.ResumedBytes+second.total() != int64(len(data)) {
		t.Errorf("resumed %d parts (%d bytes), sent %d more; stored before: %d parts", res.ResumedParts, res.ResumedBytes, second.total(), len(first.stored))
	}
	resent := first.total() + second.total() - int64(len(data))
	t.Logf("resume: %d of 8 parts were in S3 (%d bytes); %d bytes sent twice in all (the parts in flight when %s died)", res.ResumedParts, res.ResumedBytes, resent, s.kind.Title())
	if !bytes.Equal(s.object(t, res.Key), data) {
		t.Error("the resumed object differs from the file")
	}
	if c.Resumable(file) {
		t.Error("the state outlived the completed upload")
	}
}

// TestCommandLineUploaderEveryMode: sgupload's defaults (checksums on)
// work against every mode of the API: the file's SHA-256 for PUT and
// POST, each part's for multipart.
func TestCommandLineUploaderEveryMode(t *testing.T) {
	bin := sgupload(t)
	eachServer(t, func(t *testing.T, s *server) { testCommandLineUploaderEveryMode(t, s, bin) })
}

func testCommandLineUploaderEveryMode(t *testing.T, s *server, bin string) {
	dir := t.TempDir()
	data := randomBytes(10 << 20) // two parts in multipart mode
	file := dir + "/data.bin"
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []presign.Mode{presign.ModePut, presign.ModePost, presign.ModeMultipart} {
		if reason, lacks := s.kind.Lacks(modeNeeds[mode]); lacks {
			t.Logf("%s: skipped: %s lacks %q (README, S3 servers): %s", mode, s.kind.Title(), modeNeeds[mode], reason)
			continue
		}
		cmd := exec.Command(bin, "-api", apiServer(t, s.handler(mode, 15*time.Minute)), file)
		cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+dir, "HOME="+dir)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Errorf("%s: %v\n%s", mode, err, stderr.String())
			continue
		}
		key, _ := strings.CutPrefix(strings.TrimSpace(stdout.String()), "s3://"+bucket+"/")
		if !bytes.Equal(s.object(t, key), data) {
			t.Errorf("%s: stored bytes differ", mode)
		}
	}
}

// TestPartChecksumsAreChecked: a part URL signs its part's SHA-256, and
// the server refuses other bytes.
func TestPartChecksumsAreChecked(t *testing.T) { eachServer(t, testPartChecksumsAreChecked) }

func testPartChecksumsAreChecked(t *testing.T, s *server) {
	s.needs(t, s3server.CapMultipart)
	h := s.handler(presign.ModeMultipart, 15*time.Minute)
	data := randomBytes(6 << 20)
	api := apiServer(t, h)
	var p presign.Response
	resp, err := http.Post(api+"uploads", "application/json", strings.NewReader(`{"fileName":"parts.bin","contentType":"application/octet-stream","size":`+
		strconv.Itoa(len(data))+`,"partSize":5242880,"checksumAlgorithm":"SHA256"}`))
	if err != nil {
		t.Fatal(err)
	}
	decodeJSON(t, resp, &p)
	if p.ChecksumAlgorithm != presign.ChecksumSHA256 || len(p.Parts) != 0 {
		t.Fatalf("answer %+v", p)
	}
	part1, part2 := data[:5<<20], data[5<<20:]
	var more presign.Response
	body := `{"key":"` + p.Key + `","size":` + strconv.Itoa(len(data)) + `,"partSize":5242880,"from":1,"checksumsSha256":["` + sha(part1) + `","` + sha([]byte("other")) + `"]}`
	resp, err = http.Post(api+"uploads/"+p.UploadID+"/parts", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	decodeJSON(t, resp, &more)
	if len(more.Parts) != 2 {
		t.Fatalf("parts %+v", more)
	}
	if status, body := put(t, more.Parts[0].URL, more.Parts[0].Headers, part1); status != 200 {
		t.Errorf("part 1 with its checksum: %d %s", status, body)
	}
	if status, body := put(t, more.Parts[1].URL, more.Parts[1].Headers, part2); status != 400 || !strings.Contains(body, "BadDigest") && !strings.Contains(body, "Checksum") {
		t.Errorf("part 2 with another checksum: %d %s, want 400 BadDigest", status, body)
	}
}

func decodeJSON(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || json.Unmarshal(b, v) != nil {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}

// TestPostFormReplayOverwrites pins what the README says of POST mode: S3's
// POST uploads take no If-None-Match, so the same form sent again within
// its expiry is accepted (204) and writes the key again; the policy still
// pins the size, type and (with a checksum) the very bytes, so a replay
// can only store the same object again.
func TestPostFormReplayOverwrites(t *testing.T) { eachServer(t, testPostFormReplayOverwrites) }

func testPostFormReplayOverwrites(t *testing.T, s *server) {
	s.needs(t, s3server.CapPresignedPost)
	h := s.handler(presign.ModePost, 15*time.Minute)
	data := randomBytes(1000)
	p := presignFor(t, h, presign.Request{FileName: "again.bin", ContentType: "application/octet-stream", Size: int64(len(data)), ChecksumSHA256: sha(data)})
	for i := 0; i < 2; i++ {
		if status, body := postForm(t, p, nil, data); status != 204 {
			t.Fatalf("post %d: %d %s", i+1, status, body)
		}
	}
	other := randomBytes(1000)
	if status, _ := postForm(t, p, nil, other); status != 400 {
		t.Errorf("a replay with other bytes: %d, want 400 (the checksum)", status)
	}
	if !bytes.Equal(s.object(t, p.Key), data) {
		t.Error("the object changed")
	}
}

// TestUploadIdsS3RefusesAre4xx: an upload id that does not exist, one of
// 1,000 characters and a malformed one are the client's mistakes (4xx
// naming uploadId), never a 502.
func TestUploadIdsS3RefusesAre4xx(t *testing.T) { eachServer(t, testUploadIdsS3RefusesAre4xx) }

func testUploadIdsS3RefusesAre4xx(t *testing.T, s *server) {
	s.needs(t, s3server.CapMultipart)
	api := apiServer(t, s.handler(presign.ModeMultipart, 15*time.Minute))
	var p presign.Response
	resp, err := http.Post(api+"uploads", "application/json", strings.NewReader(`{"fileName":"ids.bin","contentType":"application/octet-stream","size":6291456}`))
	if err != nil {
		t.Fatal(err)
	}
	decodeJSON(t, resp, &p)
	for _, tc := range []struct {
		id     string
		status int
	}{
		{"bm90LWFuLXVwbG9hZA", 404},
		{strings.Repeat("A", 1000), 0}, // MinIO: NoSuchUpload or XMinioInvalidObjectName, a 4xx either way
		{"x.y", 0},
	} {
		for _, method := range []string{"DELETE", "GET", "POST"} {
			u := api + "uploads/" + tc.id + "?key=" + url.QueryEscape(p.Key)
			var body io.Reader
			switch method {
			case "GET":
				u = api + "uploads/" + tc.id + "/parts?key=" + url.QueryEscape(p.Key)
			case "POST":
				u = api + "uploads/" + tc.id + "/complete"
				body = strings.NewReader(`{"key":"` + p.Key + `","parts":[{"number":1,"etag":"abc"}]}`)
			}
			req, _ := http.NewRequest(method, u, body)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var e presign.ErrorResponse
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			json.Unmarshal(b, &e)
			if resp.StatusCode/100 != 4 || tc.status != 0 && resp.StatusCode != tc.status || e.Error.Field != "uploadId" {
				t.Errorf("%s with upload id %.20q: %d %s", method, tc.id, resp.StatusCode, b)
			}
		}
	}
}
