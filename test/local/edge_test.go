package local

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamgate/streamgate/client/upload"
	"github.com/streamgate/streamgate/internal/cdktest"
	"github.com/streamgate/streamgate/internal/devserver"
	"github.com/streamgate/streamgate/internal/edge"
	"github.com/streamgate/streamgate/lambda/edgetoken"
)

func edgeURL(t testing.TB, mode string) string {
	t.Helper()
	u := edgeURLs[mode]
	if u == "" {
		t.Fatalf("the runner serves no %s edge endpoint:\n%s", mode, runnerLogs.String())
	}
	return u
}

func devToken(t testing.TB, c edgetoken.Claims) string {
	t.Helper()
	if c.Subject == "" {
		c.Subject = "partner-1"
	}
	if c.Expires == 0 {
		c.Expires = time.Now().Add(5 * time.Minute).Unix()
	}
	tok, err := edgetoken.Issue(edge.DevKey, c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func localS3() *s3.Client { return s3At(s3URL) }

// s3At is a client of a runner's S3 server at endpoint.
func s3At(endpoint string) *s3.Client {
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(devserver.S3User, devserver.S3Password, "")})
}

// stored finds key in any of the runner's buckets and returns its bytes
// and content type.
func stored(t *testing.T, key string) ([]byte, string) {
	t.Helper()
	client := localS3()
	buckets, err := client.ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range buckets.Buckets {
		obj, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: b.Name, Key: aws.String(key)})
		if err == nil {
			defer obj.Body.Close()
			data, _ := io.ReadAll(obj.Body)
			return data, aws.ToString(obj.ContentType)
		}
	}
	t.Fatalf("no object %s in the local S3", key)
	return nil, ""
}

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// TestEdgeRedirectUploadArrives: the Go client follows the 307 with the
// body, which never passes through the edge code; the object lands under
// the key the server chose.
func TestEdgeRedirectUploadArrives(t *testing.T) {
	body := random(5 << 20)
	var last int64
	c := &upload.Client{}
	res, err := c.EdgeUpload(context.Background(), edgeURL(t, "REDIRECT"), devToken(t, edgetoken.Claims{Name: "report.pdf"}),
		upload.File{Name: "report.pdf", ContentType: "application/pdf", Size: int64(len(body)), Body: bytes.NewReader(body)},
		func(sent, total int64) { last = sent })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Key, "incoming/partner-1/") || !strings.HasSuffix(res.Key, "/report.pdf") || res.Mode != "EDGE-REDIRECT" {
		t.Errorf("result %+v", res)
	}
	if last != int64(len(body)) {
		t.Errorf("progress ended at %d of %d (bytes counted twice or lost)", last, len(body))
	}
	got, typ := stored(t, res.Key)
	if !bytes.Equal(got, body) || typ != "application/pdf" {
		t.Errorf("stored %d bytes of type %q; want the %d bytes sent as application/pdf", len(got), typ, len(body))
	}
}

// redirectFor asks the Redirect endpoint for a URL and returns its
// Location without following it.
func redirectFor(t *testing.T, name, contentType string, size int) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, edgeURL(t, "REDIRECT")+name, http.NoBody)
	req.ContentLength = int64(size)
	req.Header.Set("Content-Length", "") // set by ContentLength
	req.Header.Set("Authorization", "Bearer "+devToken(t, edgetoken.Claims{}))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("If-None-Match", "*")
	req.Header.Set("Expect", "100-continue")
	req.Body = io.NopCloser(bytes.NewReader(make([]byte, size)))
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	return resp.Header.Get("Location")
}

func putTo(t *testing.T, url, contentType string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("If-None-Match", "*")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestEdgeRedirectURLIsPinned: the S3 server itself refuses what the 307's URL
// does not allow: one byte more, another type, a second PUT to the key, an
// expired URL (the same refusals as the presigned PUT tests).
func TestEdgeRedirectURLIsPinned(t *testing.T) {
	const size = 1000
	body := random(size)
	loc := redirectFor(t, "pinned.bin", "application/octet-stream", size)
	if status, msg := putTo(t, loc, "application/octet-stream", append(body, 'x')); status != http.StatusForbidden || !strings.Contains(msg, "SignatureDoesNotMatch") {
		t.Errorf("one byte more: %d %s", status, msg)
	}
	if status, msg := putTo(t, loc, "text/plain", body); status != http.StatusForbidden || !strings.Contains(msg, "SignatureDoesNotMatch") {
		t.Errorf("another type: %d %s", status, msg)
	}
	if status, msg := putTo(t, loc, "application/octet-stream", body); status != http.StatusOK {
		t.Fatalf("the pinned upload: %d %s", status, msg)
	}
	if status, msg := putTo(t, loc, "application/octet-stream", body); status != http.StatusPreconditionFailed {
		t.Errorf("a second PUT to the key: %d %s", status, msg)
	}
	// The same edge code with its clock two minutes back signs a URL that
	// expired a minute ago (its config: 60 s URLs).
	script := `
const { makeHandler } = require(process.argv[1] + '/redirect.js');
const cfg = Object.assign(JSON.parse(process.argv[2]), { expires: 60 });
const h = makeHandler(cfg, { keys: async () => ({ dev: process.argv[3] }), credentials: () => ({ accessKeyId: process.argv[4], secretAccessKey: process.argv[5] }), now: () => Date.now() - 120000 });
const tok = process.argv[6];
h({ Records: [{ cf: { request: { method: 'PUT', uri: '/u/late.bin', querystring: '', headers: {
  authorization: [{ key: 'Authorization', value: 'Bearer ' + tok }], 'content-length': [{ key: 'Content-Length', value: '10' }],
  'content-type': [{ key: 'Content-Type', value: 'application/octet-stream' }] } } } }] }, {}).then((r) => console.log(r.headers.location[0].value));`
	cfg, _ := json.Marshal(edge.Config{Prefix: "incoming/", Path: "/u/", MaxSize: 100, Types: []string{"application/octet-stream"}, MaxLifetime: 3600,
		Bucket: "streamgate-expired-test", Region: "us-east-1", Endpoint: s3URL}.Complete())
	past := devToken(t, edgetoken.Claims{Expires: time.Now().Add(-90 * time.Second).Unix()})
	out, err := exec.Command("node", "-e", script, filepath.Join(cdktest.ModuleRoot(), "internal/edge"), string(cfg), string(edge.DevKey.Secret),
		devserver.S3User, devserver.S3Password, past).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	if status, msg := putTo(t, strings.TrimSpace(string(out)), "application/octet-stream", random(10)); status != http.StatusForbidden || !strings.Contains(msg, "expired") {
		t.Errorf("an expired URL: %d %s", status, msg)
	}
}

// TestEdgeThroughUploadArrives: in Through mode the body passes the
// endpoint (as it passes CloudFront) to the S3 server under the chosen key; a
// second upload with the same token and name is refused (If-None-Match).
func TestEdgeThroughUploadArrives(t *testing.T) {
	body := random(3 << 20)
	tok := devToken(t, edgetoken.Claims{Subject: "device-9"})
	c := &upload.Client{}
	f := upload.File{Name: "clip.mp4", ContentType: "video/mp4", Size: int64(len(body)), Body: bytes.NewReader(body)}
	res, err := c.EdgeUpload(context.Background(), edgeURL(t, "THROUGH"), tok, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Mode != "EDGE-THROUGH" || res.ETag == "" {
		t.Errorf("result %+v", res)
	}
	got, typ := stored(t, "incoming/device-9/"+edgetoken.UploadID(tok)+"/clip.mp4")
	if !bytes.Equal(got, body) || typ != "video/mp4" {
		t.Errorf("stored %d bytes of %q", len(got), typ)
	}
	_, err = c.EdgeUpload(context.Background(), edgeURL(t, "THROUGH"), tok, f, nil)
	var se *upload.StorageError
	if !errors.As(err, &se) || se.Status != http.StatusPreconditionFailed {
		t.Errorf("second upload: %v, want S3's 412", err)
	}
}

// TestEdgeRefusalsAreJSON: both modes answer bad requests at the edge with
// the status and JSON error the construct's tests pin.
func TestEdgeRefusalsAreJSON(t *testing.T) {
	for _, mode := range []string{"REDIRECT", "THROUGH"} {
		for _, tc := range []struct {
			name, path, token string
			size              int
			status            int
			code              string
		}{
			{"expired", "a.bin", devToken(t, edgetoken.Claims{Expires: time.Now().Add(-time.Second).Unix()}), 10, 401, edgetoken.CodeExpired},
			{"tampered", "a.bin", devToken(t, edgetoken.Claims{})[:40] + "x" + devToken(t, edgetoken.Claims{})[41:], 10, 401, ""},
			{"oversize for the token", "a.bin", devToken(t, edgetoken.Claims{MaxSize: 5}), 10, 413, "TooLarge"},
			{"name not allowed", "b.bin", devToken(t, edgetoken.Claims{Name: "a.bin"}), 10, 403, "NameNotAllowed"},
			{"path trick", "..%2Fa.bin", devToken(t, edgetoken.Claims{}), 10, 400, "InvalidFileName"},
		} {
			t.Run(mode+"/"+tc.name, func(t *testing.T) {
				c := &upload.Client{}
				_, err := c.EdgeUpload(context.Background(), edgeURL(t, mode), tc.token,
					upload.File{Name: tc.path, ContentType: "application/octet-stream", Size: int64(tc.size), Body: bytes.NewReader(make([]byte, tc.size))}, nil)
				var ae *upload.APIError
				if !errors.As(err, &ae) || ae.Status != tc.status || (tc.code != "" && ae.Code != tc.code) || ae.Message == "" {
					t.Errorf("error %v; want %d %s with a message", err, tc.status, tc.code)
				}
			})
		}
	}
}

// TestCurlFollowsTheRedirect is the README's command: curl -T file -L
// with a token from `sgupload token`.
func TestCurlFollowsTheRedirect(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed here; the Go client tests cover the same flow")
	}
	file := filepath.Join(t.TempDir(), "file.bin")
	body := random(2 << 20)
	os.WriteFile(file, body, 0o644)
	tok, err := exec.Command("go", "run", "github.com/streamgate/streamgate/cmd/sgupload", "token", "-sub", "curl-user").Output()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(curl, "-sS", "-T", file, "-L", "-H", "Authorization: Bearer "+strings.TrimSpace(string(tok)),
		"-w", "%{http_code} %{num_redirects}", edgeURL(t, "REDIRECT")+"file.bin").CombinedOutput()
	if err != nil || !strings.HasSuffix(string(out), "200 1") {
		t.Fatalf("curl: %v: %s", err, out)
	}
	got, _ := stored(t, "incoming/curl-user/"+edgetoken.UploadID(strings.TrimSpace(string(tok)))+"/file.bin")
	if !bytes.Equal(got, body) {
		t.Errorf("stored %d bytes, want %d", len(got), len(body))
	}
}

// TestSguploadEdge: the command-line uploader sends a file to the Through
// endpoint in one PUT with a token from its own token command.
func TestSguploadEdge(t *testing.T) {
	file := filepath.Join(t.TempDir(), "clip.mp4")
	body := random(1 << 20)
	os.WriteFile(file, body, 0o644)
	tok, err := exec.Command("go", "run", "github.com/streamgate/streamgate/cmd/sgupload", "token", "-sub", "cli-user", "-name", "clip.mp4").Output()
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(tok))
	cmd := exec.Command("go", "run", "github.com/streamgate/streamgate/cmd/sgupload", "-edge", edgeURL(t, "THROUGH"), "-token", token, file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || !strings.Contains(string(out), "uploaded (ETag") || !strings.Contains(stderr.String(), "100%") {
		t.Fatalf("sgupload: %v\nstdout: %s\nstderr: %s", err, out, stderr.String())
	}
	got, typ := stored(t, "incoming/cli-user/"+edgetoken.UploadID(token)+"/clip.mp4")
	if !bytes.Equal(got, body) || typ != "video/mp4" {
		t.Errorf("stored %d bytes of %q", len(got), typ)
	}
}
