package uploads

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamgate/streamgate/client/upload"
	"github.com/streamgate/streamgate/internal/s3probe"
	"github.com/streamgate/streamgate/internal/s3server"
	"github.com/streamgate/streamgate/lambda/presign"
)

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

// put sends body to a presigned PUT URL with the given headers.
func put(t *testing.T, url string, headers map[string]string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func with(headers map[string]string, k, v string) map[string]string {
	out := map[string]string{}
	for hk, hv := range headers {
		out[hk] = hv
	}
	out[k] = v
	return out
}

func TestPresignedPut(t *testing.T) { eachServer(t, testPresignedPut) }

func testPresignedPut(t *testing.T, s *server) {
	s.needs(t, s3server.CapPresignedPut)
	h := s.handler(presign.ModePut, 15*time.Minute)
	data := randomBytes(100_000)
	p := presignFor(t, h, presign.Request{FileName: "data.bin", ContentType: "application/octet-stream", Size: int64(len(data)), ChecksumSHA256: sha(data)})

	t.Run("one byte over the size is refused", func(t *testing.T) {
		if status, body := put(t, p.URL, p.Headers, append(data, 'x')); status != 403 {
			t.Errorf("status %d, want 403: %s", status, body)
		}
	})
	t.Run("a wrong content type is refused", func(t *testing.T) {
		if status, body := put(t, p.URL, with(p.Headers, "Content-Type", "text/plain"), data); status != 403 {
			t.Errorf("status %d, want 403: %s", status, body)
		}
	})
	t.Run("bytes that do not match the checksum are refused", func(t *testing.T) {
		other := append([]byte{}, data...)
		other[0] ^= 0xff
		status, body := put(t, p.URL, p.Headers, other)
		if status != 400 || !strings.Contains(body, "BadDigest") && !strings.Contains(body, "Checksum") {
			t.Errorf("status %d, want 400 BadDigest: %s", status, body)
		}
	})
	t.Run("within limits succeeds and the bytes match", func(t *testing.T) {
		if status, body := put(t, p.URL, p.Headers, data); status != 200 {
			t.Fatalf("status %d: %s", status, body)
		}
		if got := s.object(t, p.Key); !bytes.Equal(got, data) {
			t.Errorf("stored %d bytes that differ from the %d sent", len(got), len(data))
		}
	})
	t.Run("a second PUT to the same key is refused", func(t *testing.T) {
		s.needs(t, s3server.CapIfNoneMatchPut)
		if status, body := put(t, p.URL, p.Headers, data); status != 412 {
			t.Errorf("status %d, want 412 (If-None-Match: *): %s", status, body)
		}
	})
}

func TestPresignedPutExpires(t *testing.T) {
	// One wait for every server: the URLs are signed first.
	data := []byte("late")
	urls := map[s3server.Kind]*presign.Response{}
	for _, s := range servers {
		urls[s.kind] = presignFor(t, s.handler(presign.ModePut, time.Second), presign.Request{FileName: "late.txt", ContentType: "text/plain", Size: 4})
	}
	time.Sleep(2100 * time.Millisecond)
	eachServer(t, func(t *testing.T, s *server) {
		s.needs(t, s3server.CapSigV4)
		p := urls[s.kind]
		status, body := put(t, p.URL, p.Headers, data)
		// client/upload renews a part URL on this answer (AccessDenied,
		// a message that says expired).
		if status != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") || !regexp.MustCompile(`<Message>[^<]*(?i:expired)`).MatchString(body) {
			t.Errorf("status %d, want 403 AccessDenied (expired): %s", status, body)
		}
	})
}

// postForm sends a presigned POST with the fields (changed by edit) and data.
func postForm(t *testing.T, p *presign.Response, edit map[string]string, data []byte) (int, string) {
	t.Helper()
	status, body, err := s3probe.PostForm(p, edit, data)
	if err != nil {
		t.Fatal(err)
	}
	return status, body
}

func TestPresignedPost(t *testing.T) { eachServer(t, testPresignedPost) }

func testPresignedPost(t *testing.T, s *server) {
	s.needs(t, s3server.CapPresignedPost)
	h := s.handler(presign.ModePost, 15*time.Minute)
	data := randomBytes(50_000)
	p := presignFor(t, h, presign.Request{FileName: "form.bin", ContentType: "application/octet-stream", Size: int64(len(data)), ChecksumSHA256: sha(data)})

	t.Run("one byte over the size is refused by the policy", func(t *testing.T) {
		status, body := postForm(t, p, nil, append(data, 'x'))
		if status != 400 || !strings.Contains(body, "EntityTooLarge") {
			t.Errorf("status %d, want 400 EntityTooLarge: %s", status, body)
		}
	})
	t.Run("a wrong content type is refused by the policy", func(t *testing.T) {
		if status, body := postForm(t, p, map[string]string{"Content-Type": "text/plain"}, data); status != 403 {
			t.Errorf("status %d, want 403: %s", status, body)
		}
	})
	t.Run("another key is refused by the policy", func(t *testing.T) {
		if status, body := postForm(t, p, map[string]string{"key": "incoming/mine.bin"}, data); status != 403 {
			t.Errorf("status %d, want 403: %s", status, body)
		}
	})
	t.Run("a tampered checksum is refused by the policy", func(t *testing.T) {
		if status, body := postForm(t, p, map[string]string{"x-amz-checksum-sha256": sha([]byte("other"))}, data); status != 403 {
			t.Errorf("status %d, want 403: %s", status, body)
		}
	})
	t.Run("bytes that do not match the checksum are refused", func(t *testing.T) {
		other := append([]byte{}, data...)
		other[0] ^= 0xff
		if status, body := postForm(t, p, nil, other); status != 400 {
			t.Errorf("status %d, want 400: %s", status, body)
		}
	})
	t.Run("within limits succeeds and the bytes match", func(t *testing.T) {
		if status, body := postForm(t, p, nil, data); status/100 != 2 {
			t.Fatalf("status %d: %s", status, body)
		}
		if got := s.object(t, p.Key); !bytes.Equal(got, data) {
			t.Errorf("stored bytes differ")
		}
	})
}

func TestClientUploadsEveryMode(t *testing.T) { eachServer(t, testClientUploadsEveryMode) }

func testClientUploadsEveryMode(t *testing.T, s *server) {
	data := randomBytes(12<<20 + 12345) // more than two 5 MiB parts
	for _, mode := range []presign.Mode{presign.ModePut, presign.ModePost, presign.ModeMultipart} {
		t.Run(string(mode), func(t *testing.T) {
			s.needs(t, modeNeeds[mode])
			c := &upload.Client{Endpoint: apiServer(t, s.handler(mode, 15*time.Minute)), Checksum: mode != presign.ModeMultipart, Concurrency: 3}
			var last, calls atomic.Int64
			req := presign.Request{FileName: "video.bin", ContentType: "application/octet-stream", Size: int64(len(data))}
			if mode == presign.ModeMultipart {
				req.PartSize = 5 << 20
			} else {
				req.ChecksumSHA256 = sha(data)
			}
			res, err := c.UploadWith(context.Background(), req, upload.File{Name: "video.bin", ContentType: "application/octet-stream", Size: int64(len(data)), Body: bytes.NewReader(data)},
				func(sent, total int64) { last.Store(sent); calls.Add(1) })
			if err != nil {
				t.Fatal(err)
			}
			if res.Mode != string(mode) || !strings.HasPrefix(res.Key, "incoming/") {
				t.Errorf("result %+v", res)
			}
			if got := s.object(t, res.Key); !bytes.Equal(got, data) {
				t.Errorf("stored %d bytes that differ from the %d sent", len(got), len(data))
			}
			if last.Load() != int64(len(data)) || calls.Load() < 3 {
				t.Errorf("progress ended at %d after %d calls, want %d", last.Load(), calls.Load(), len(data))
			}
		})
	}
}

// flaky fails the first attempt of every part, after sending some bytes.
type flaky struct {
	mu     sync.Mutex
	failed map[string]bool
}

func (f *flaky) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && strings.Contains(r.URL.RawQuery, "partNumber=") {
		f.mu.Lock()
		part := r.URL.Query().Get("partNumber")
		first := !f.failed[part]
		f.failed[part] = true
		f.mu.Unlock()
		if first {
			io.CopyN(io.Discard, r.Body, 1<<20)
			r.Body.Close()
			return nil, errors.New("connection reset by a flaky network")
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestClientRetriesFailedParts(t *testing.T) { eachServer(t, testClientRetriesFailedParts) }

func testClientRetriesFailedParts(t *testing.T, s *server) {
	s.needs(t, s3server.CapMultipart)
	data := randomBytes(11 << 20)
	f := &flaky{failed: map[string]bool{}}
	c := &upload.Client{Endpoint: apiServer(t, s.handler(presign.ModeMultipart, 15*time.Minute)), HTTPClient: &http.Client{Transport: f}}
	var last atomic.Int64
	res, err := c.UploadWith(context.Background(),
		presign.Request{FileName: "retry.bin", ContentType: "application/octet-stream", Size: int64(len(data)), PartSize: 5 << 20},
		upload.File{Name: "retry.bin", ContentType: "application/octet-stream", Size: int64(len(data)), Body: bytes.NewReader(data)},
		func(sent, total int64) { last.Store(sent) })
	if err != nil {
		t.Fatal(err)
	}
	if len(f.failed) != 3 {
		t.Errorf("%d parts failed once, want 3", len(f.failed))
	}
	if !bytes.Equal(s.object(t, res.Key), data) {
		t.Error("stored bytes differ")
	}
	if last.Load() != int64(len(data)) {
		t.Errorf("progress ended at %d, want %d: retried bytes were counted twice or lost", last.Load(), len(data))
	}
}

func TestClientReportsAPIErrors(t *testing.T) { eachServer(t, testClientReportsAPIErrors) }

func testClientReportsAPIErrors(t *testing.T, s *server) {
	c := &upload.Client{Endpoint: apiServer(t, s.handler(presign.ModePut, 15*time.Minute))}
	_, err := c.Upload(context.Background(), upload.File{Name: "a.exe", ContentType: "application/x-msdownload", Size: 1, Body: bytes.NewReader([]byte{1})}, nil)
	var ae *upload.APIError
	if !errors.As(err, &ae) || ae.Status != 415 || ae.Field != "contentType" {
		t.Errorf("err = %v", err)
	}
}

func TestCommandLineUploader(t *testing.T) {
	bin := sgupload(t)
	eachServer(t, func(t *testing.T, s *server) { testCommandLineUploader(t, s, bin) })
}

// sgupload builds cmd/sgupload for the test.
func sgupload(t *testing.T) string {
	t.Helper()
	bin := t.TempDir() + "/sgupload"
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/streamgate/streamgate/cmd/sgupload").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func testCommandLineUploader(t *testing.T, s *server, bin string) {
	s.needs(t, s3server.CapPresignedPut)
	dir := t.TempDir()
	data := randomBytes(3 << 20)
	file := dir + "/notes.txt"
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-api", apiServer(t, s.handler(presign.ModePut, 15*time.Minute)), file)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	key, ok := strings.CutPrefix(strings.TrimSpace(stdout.String()), "s3://"+bucket+"/")
	if !ok || !strings.HasSuffix(key, "/notes.txt") {
		t.Fatalf("stdout = %q", stdout.String())
	}
	if !strings.Contains(stderr.String(), "100% 3.0MiB/3.0MiB") || !strings.Contains(stderr.String(), "done") {
		t.Errorf("progress bar: %q", stderr.String())
	}
	if !bytes.Equal(s.object(t, key), data) {
		t.Error("stored bytes differ")
	}
}

// modeNeeds is what each upload mode needs of S3.
var modeNeeds = map[presign.Mode]s3server.Capability{
	presign.ModePut: s3server.CapPresignedPut, presign.ModePost: s3server.CapPresignedPost, presign.ModeMultipart: s3server.CapMultipart,
}
