// Package uploads tests the whole two-step upload end to end against a real
// S3-compatible server (MinIO, built by scripts/minio.sh into .tools/bin),
// started on 127.0.0.1 for the run and stopped after it: the presign
// handler's own code signs URLs for that server, and real HTTP clients (the
// client/upload package and hand-made requests) upload with them. MinIO
// checks SigV4 signatures, signed headers, checksums, If-None-Match and POST
// policies, so each rejection below is the server's.
package uploads

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamgate/streamgate/internal/minio"
	"github.com/streamgate/streamgate/lambda/presign"
)

const (
	bucket   = "uploads"
	user     = "streamgate"
	password = "streamgate-test-secret"
)

var (
	endpoint string     // MinIO's URL
	s3c      *s3.Client // signs with MinIO's root credentials, like the Lambda role would
)

func TestMain(m *testing.M) {
	stop, err := startMinIO()
	if err != nil {
		fmt.Fprintln(os.Stderr, "uploads:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

func moduleRoot() string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		dir = filepath.Dir(dir)
	}
}

// server is the test's MinIO, which a test may kill and start again on the
// same address and data.
var server *minio.Process

// startMinIO runs the MinIO built by scripts/minio.sh on a free loopback
// port with a fresh data directory, and creates the bucket.
func startMinIO() (stop func(), err error) {
	// make test builds MinIO in the background: wait for it (or build it).
	if out, err := exec.Command(filepath.Join(moduleRoot(), "scripts", "minio.sh"), "wait").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("scripts/minio.sh wait: %v\n%s", err, out)
	}
	bin := filepath.Join(moduleRoot(), ".tools", "bin", "minio")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("%s is missing: run `scripts/minio.sh install` (make test does)", bin)
	}
	addr, err := minio.FreeAddr()
	if err != nil {
		return nil, err
	}
	data, err := os.MkdirTemp("", "minio-data-")
	if err != nil {
		return nil, err
	}
	server = &minio.Process{Bin: bin, Addr: addr, Data: data, User: user, Password: password}
	stop = func() {
		server.Kill()
		os.RemoveAll(data)
	}
	if err := server.Start(); err != nil {
		stop()
		return nil, err
	}
	endpoint = "http://" + addr
	s3c = s3.New(s3.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(user, password, ""),
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
	})
	if _, err := s3c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		stop()
		return nil, fmt.Errorf("creating the bucket: %w", err)
	}
	return stop, nil
}

// handler is the real presign handler, signing for MinIO.
func handler(mode presign.Mode, expiry time.Duration) *presign.Handler {
	return presign.New(presign.Config{
		Bucket: bucket, Prefix: "incoming/", MaxSize: 64 << 20, Mode: mode,
		ContentTypes: []string{"text/plain", "application/octet-stream"}, Expiry: expiry,
	}, s3c)
}

// apiServer serves the handler over HTTP the way API Gateway would hand it
// requests (REST proxy events with the resource path), for the client package.
func apiServer(t testing.TB, h *presign.Handler) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev := events.APIGatewayProxyRequest{HTTPMethod: r.Method, Path: r.URL.Path, Body: string(body),
			QueryStringParameters: map[string]string{}, PathParameters: map[string]string{}}
		for k, v := range r.URL.Query() {
			ev.QueryStringParameters[k] = v[0]
		}
		seg := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		switch {
		case len(seg) == 1:
			ev.Resource = presign.RouteUploads
		case len(seg) == 2:
			ev.Resource, ev.PathParameters["uploadId"] = presign.RouteAbort, seg[1]
		case len(seg) == 3 && seg[2] == "complete":
			ev.Resource, ev.PathParameters["uploadId"] = presign.RouteComplete, seg[1]
		case len(seg) == 3 && seg[2] == "parts":
			ev.Resource, ev.PathParameters["uploadId"] = presign.RouteParts, seg[1]
		}
		ev.RequestContext.Identity.UserArn = "arn:aws:iam::123456789012:user/e2e"
		resp, err := h.Handle(r.Context(), ev)
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		for k, v := range resp.Headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(resp.StatusCode)
		io.WriteString(w, resp.Body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// presignFor asks the handler directly for URLs.
func presignFor(t *testing.T, h *presign.Handler, r presign.Request) *presign.Response {
	t.Helper()
	b, _ := json.Marshal(r)
	resp, err := h.Handle(context.Background(), events.APIGatewayProxyRequest{HTTPMethod: "POST", Resource: presign.RouteUploads, Body: string(b)})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("presign: %d %s %v", resp.StatusCode, resp.Body, err)
	}
	var p presign.Response
	if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

// object reads an object back from MinIO.
func object(t *testing.T, key string) []byte {
	t.Helper()
	out, err := s3c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
