// Package uploads tests the whole two-step upload end to end against real
// S3-compatible servers (SeaweedFS and MinIO, built by scripts/s3server.sh
// into .tools/bin), started on 127.0.0.1 for the run and stopped after it:
// the presign handler's own code signs URLs for each server, and real HTTP
// clients (the client/upload package and hand-made requests) upload with
// them. The servers check SigV4 signatures, signed headers, checksums,
// If-None-Match and POST policies, so each rejection below is the server's.
//
// Every test runs once per server (a subtest named after it), so that a
// difference between servers is a failing test; a test that needs what a
// server lacks (s3server.Gaps, the README's table of S3 servers) is skipped
// there, naming the server and the reason. STREAMGATE_S3=minio (or
// seaweedfs) runs the suite against one server only.
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
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamgate/streamgate/internal/s3probe"
	"github.com/streamgate/streamgate/internal/s3server"
	"github.com/streamgate/streamgate/lambda/presign"
)

const (
	bucket   = "uploads"
	user     = "streamgate"
	password = "streamgate-test-secret"
)

// server is one S3 server the suite runs against.
type server struct {
	kind     s3server.Kind
	proc     *s3server.Process // a test may kill it and start it again on the same address and data
	endpoint string
	s3c      *s3.Client       // signs with the server's credentials, like the Lambda role would
	webhook  *s3probe.Webhook // receives the server's bucket events
}

var (
	servers []*server

	timeMu    sync.Mutex
	timeSpent = map[s3server.Kind]time.Duration{} // by the tests, per server
)

func TestMain(m *testing.M) {
	kinds := s3server.Kinds()
	if only := os.Getenv("STREAMGATE_S3"); only != "" {
		k, err := s3server.ParseKind(only)
		if err != nil {
			fmt.Fprintln(os.Stderr, "uploads: STREAMGATE_S3:", err)
			os.Exit(2)
		}
		kinds = []s3server.Kind{k}
	}
	stop, err := startServers(kinds)
	if err != nil {
		stop()
		fmt.Fprintln(os.Stderr, "uploads:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	var spent []string
	for _, s := range servers {
		spent = append(spent, fmt.Sprintf("%s %.1f s", s.kind.Title(), timeSpent[s.kind].Seconds()))
	}
	fmt.Printf("uploads: time in the tests per server: %s\n", strings.Join(spent, ", "))
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

// startServers runs each server built by scripts/s3server.sh on a free
// loopback port with a fresh data directory, and creates the bucket;
// stop stops them and removes their data.
func startServers(kinds []s3server.Kind) (stop func(), err error) {
	var stops []func()
	stop = func() {
		for _, f := range stops {
			f()
		}
	}
	// make test builds the servers in the background: wait for them (or build them).
	args := []string{"wait"}
	for _, k := range kinds {
		args = append(args, string(k))
	}
	if out, err := exec.Command(filepath.Join(moduleRoot(), "scripts", "s3server.sh"), args...).CombinedOutput(); err != nil {
		return stop, fmt.Errorf("scripts/s3server.sh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	tools := os.Getenv("TOOLS")
	if tools == "" {
		tools = filepath.Join(moduleRoot(), ".tools")
	}
	for _, k := range kinds {
		bin := k.ToolsBin(tools)
		if _, err := os.Stat(bin); err != nil {
			return stop, fmt.Errorf("%s is missing: run `scripts/s3server.sh install %s` (make test does)", bin, k)
		}
		addr, err := s3server.FreeAddr()
		if err != nil {
			return stop, err
		}
		data, err := os.MkdirTemp("", "uploads-"+string(k)+"-")
		if err != nil {
			return stop, err
		}
		hook := s3probe.NewWebhook()
		p := &s3server.Process{Kind: k, Bin: bin, Addr: addr, Data: data, AccessKey: user, SecretKey: password, Webhook: hook.URL()}
		stops = append(stops, func() {
			p.Kill()
			hook.Close()
			os.RemoveAll(data)
		})
		if err := p.Start(); err != nil {
			return stop, err
		}
		s := &server{kind: k, proc: p, endpoint: p.URL(), webhook: hook, s3c: p.Client()}
		if _, err := s.s3c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			return stop, fmt.Errorf("%s: creating the bucket: %w", k.Title(), err)
		}
		servers = append(servers, s)
	}
	return stop, nil
}

// eachServer runs test once per server, as a subtest named after it.
func eachServer(t *testing.T, test func(t *testing.T, s *server)) {
	t.Helper()
	for _, s := range servers {
		t.Run(string(s.kind), func(t *testing.T) {
			start := time.Now()
			defer func() {
				timeMu.Lock()
				timeSpent[s.kind] += time.Since(start)
				timeMu.Unlock()
			}()
			test(t, s)
		})
	}
}

// needs skips the test on a server that lacks c, as the README's table
// says; anywhere else it runs, and fails if the server does not do c.
func (s *server) needs(t testing.TB, c s3server.Capability) {
	t.Helper()
	if reason, lacks := s.kind.Lacks(c); lacks {
		t.Skipf("%s lacks %q (README, S3 servers): %s", s.kind.Title(), c, reason)
	}
}

// handler is the real presign handler, signing for the server.
func (s *server) handler(mode presign.Mode, expiry time.Duration) *presign.Handler {
	return presign.New(presign.Config{
		Bucket: bucket, Prefix: "incoming/", MaxSize: 64 << 20, Mode: mode,
		ContentTypes: []string{"text/plain", "application/octet-stream"}, URLExpiration: expiry,
	}, s.s3c)
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

// object reads an object back from the server.
func (s *server) object(t *testing.T, key string) []byte {
	t.Helper()
	out, err := s.s3c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
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
