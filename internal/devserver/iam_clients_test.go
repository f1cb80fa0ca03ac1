package devserver

import (
	"encoding/json"
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

	"github.com/streamgate/streamgate/client/sigv4"
)

// The requests below are signed by clients nobody here wrote: curl's own
// SigV4 (--aws-sigv4) and the AWS SDK for JavaScript's signer
// (@smithy/signature-v4, testdata/sigv4js).

// curlIAM runs curl against the IAM server and returns the status and body.
func curlIAM(t *testing.T, args ...string) (int, string) {
	t.Helper()
	out, err := exec.Command("curl", append([]string{"-sS", "-w", "\n%{http_code}"}, args...)...).Output()
	if err != nil {
		t.Fatalf("curl %q: %v", args, err)
	}
	s := string(out)
	i := strings.LastIndexByte(s, '\n')
	var status int
	if err := json.Unmarshal([]byte(s[i+1:]), &status); err != nil {
		t.Fatalf("curl status %q", s[i+1:])
	}
	return status, s[:i]
}

func TestIAMAcceptsCurlSigV4(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	if help, _ := exec.Command("curl", "--help", "all").Output(); !strings.Contains(string(help), "--aws-sigv4") {
		t.Skip("this curl has no --aws-sigv4 (curl 7.75 or later has it)")
	}
	s := startIAMServer(t, Options{})
	sig := []string{"--aws-sigv4", "aws:amz:us-east-1:execute-api", "--user", LocalAccessKeyID + ":" + LocalSecretAccessKey}
	for _, tc := range []struct {
		name    string
		args    []string
		status  int
		message string // the start of the refusal's message
	}{
		{"a GET", append(sig, s.url+"/files/a"), 200, ""},
		{"a POST with a JSON body", append(sig, "-H", "Content-Type: application/json", "-d", `{"file":"a.txt"}`, s.url+"/files"), 200, ""},
		// In name order: curl 7.88 signs the query as written, not
		// sorted, so AWS (and the runner) refuse "?size=1&name=x" from it.
		{"a query", append(sig, s.url+"/files/a?name=x&size=1"), 200, ""},
		{"another secret", []string{"--aws-sigv4", "aws:amz:us-east-1:execute-api", "--user", LocalAccessKeyID + ":wrong", s.url + "/files/a"}, 403,
			"The request signature we calculated does not match the signature you provided."},
		{"another region", []string{"--aws-sigv4", "aws:amz:eu-west-1:execute-api", "--user", LocalAccessKeyID + ":" + LocalSecretAccessKey, s.url + "/files/a"}, 403,
			"Credential should be scoped to a valid region, not 'eu-west-1'. "},
		{"unsigned", []string{s.url + "/files/a"}, 403, "Missing Authentication Token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := curlIAM(t, tc.args...)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			ev := s.invoked()
			if tc.status == 200 {
				if len(ev) != 1 {
					t.Fatalf("%d invocations", len(ev))
				}
				if id := identityOf(t, ev[0]); id["userArn"] != LocalUserARN || id["accessKey"] != LocalAccessKeyID {
					t.Errorf("identity %v", id)
				}
				return
			}
			var got struct{ Message string }
			if err := json.Unmarshal([]byte(body), &got); err != nil || !strings.HasPrefix(got.Message, tc.message) {
				t.Errorf("body %q, want a message starting %q", body, tc.message)
			}
			if len(ev) != 0 {
				t.Errorf("the function was invoked")
			}
		})
	}
}

// jsSigner is the command that runs testdata/sigv4js/sign.mjs, or a
// reason to skip.
func jsSigner(t *testing.T) (node, script string) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "sigv4js"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@smithy", "signature-v4")); err != nil {
		t.Skip("SKIPPED, NOT PROVEN with the AWS SDK for JavaScript's signer: its npm packages are not installed; run scripts/sigv4js.sh")
	}
	node = filepath.Join("..", "..", ".tools", "node_modules", ".bin", "node") // the project's Node.js, when scripts installed it
	if _, err := os.Stat(node); err != nil {
		if node, err = exec.LookPath("node"); err != nil {
			t.Skip("SKIPPED, NOT PROVEN with the AWS SDK for JavaScript's signer: no node on PATH")
		}
	}
	return node, filepath.Join(dir, "sign.mjs")
}

func TestIAMAcceptsTheJavaScriptSDKSigner(t *testing.T) {
	node, script := jsSigner(t)
	s := startIAMServer(t, Options{})
	local := map[string]any{"accessKeyId": LocalAccessKeyID, "secretAccessKey": LocalSecretAccessKey}
	session := map[string]any{"accessKeyId": LocalSessionAccessKeyID, "secretAccessKey": LocalSessionSecretAccessKey, "sessionToken": LocalSessionToken}
	with := func(base map[string]any, kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name    string
		request map[string]any
		status  int
		userArn string
		message string // the start of the refusal's message
	}{
		{"a GET", with(local, "url", s.url+"/files/a"), 200, LocalUserARN, ""},
		{"a POST with a body", with(local, "url", s.url+"/files", "method", "POST", "body", `{"file":"a.txt"}`,
			"headers", map[string]string{"content-type": "application/json"}), 200, LocalUserARN, ""},
		{"an encoded path and an unsorted, repeated query", with(local, "url", s.url+"/files/a%20b%C3%A4?z=1&tag=b&tag=a&q=x%2By"), 200, LocalUserARN, ""},
		{"the session credential", with(session, "url", s.url+"/files/a"), 200, LocalSessionRoleARN, ""},
		{"a presigned URL", with(session, "url", s.url+"/files/a?x=1", "presign", true), 200, LocalSessionRoleARN, ""},
		{"another secret", with(local, "url", s.url+"/files/a", "secretAccessKey", "wrong"), 403, "",
			"The request signature we calculated does not match the signature you provided."},
		{"another region", with(local, "url", s.url+"/files/a", "region", "eu-west-1"), 403, "",
			"Credential should be scoped to a valid region, not 'eu-west-1'. "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			arg, _ := json.Marshal(tc.request)
			out, err := exec.Command(node, script, string(arg)).Output()
			if err != nil {
				var stderr []byte
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = ee.Stderr
				}
				t.Fatalf("node sign.mjs: %v\n%s", err, stderr)
			}
			var got struct {
				Status int
				Body   string
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("sign.mjs printed %q", out)
			}
			if got.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", got.Status, tc.status, got.Body)
			}
			ev := s.invoked()
			if tc.status == 200 {
				if len(ev) != 1 {
					t.Fatalf("%d invocations", len(ev))
				}
				if arn := identityOf(t, ev[0])["userArn"]; arn != tc.userArn {
					t.Errorf("identity.userArn %v, want %s", arn, tc.userArn)
				}
				return
			}
			var msg struct{ Message string }
			if err := json.Unmarshal([]byte(got.Body), &msg); err != nil || !strings.HasPrefix(msg.Message, tc.message) {
				t.Errorf("body %q, want a message starting %q", got.Body, tc.message)
			}
			if len(ev) != 0 {
				t.Errorf("the function was invoked")
			}
		})
	}
}

// TestIAMSigningTransport: client/sigv4's Transport, which localrun hands
// to a team's tests, signs so that the runner lets the request through
// with its body intact.
func TestIAMSigningTransport(t *testing.T) {
	s := startIAMServer(t, Options{})
	for _, tc := range []struct {
		name   string
		creds  aws.Credentials
		method string
		path   string
		body   string
		arn    string
	}{
		{"a GET with the local credential", LocalCredentials(), "GET", "/files/a?b=2&a=1", "", LocalUserARN},
		{"a POST with the local session credential", LocalSessionCredentials(), "POST", "/files", `{"file":"a.txt"}`, LocalSessionRoleARN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &http.Client{Transport: &sigv4.Transport{Credentials: credentials.StaticCredentialsProvider{Value: tc.creds}}}
			req, _ := http.NewRequest(tc.method, s.url+tc.path, strings.NewReader(tc.body))
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("%d %s", resp.StatusCode, msg)
			}
			ev := s.invoked()
			if len(ev) != 1 {
				t.Fatalf("%d invocations", len(ev))
			}
			var got struct{ Body *string }
			json.Unmarshal(ev[0], &got)
			if arn := identityOf(t, ev[0])["userArn"]; arn != tc.arn {
				t.Errorf("identity.userArn %v, want %s", arn, tc.arn)
			}
			if tc.body != "" && (got.Body == nil || *got.Body != tc.body) {
				t.Errorf("the function got the body %v, want %q", got.Body, tc.body)
			}
		})
	}
	// Without credentials it says so instead of sending the request.
	c := &http.Client{Transport: &sigv4.Transport{}}
	if _, err := c.Get(s.url + "/files/a"); err == nil || !strings.Contains(err.Error(), "Credentials is nil") {
		t.Errorf("no credentials: %v", err)
	}
	if ev := s.invoked(); len(ev) != 0 {
		t.Errorf("%d invocations without credentials", len(ev))
	}
}

// BenchmarkIAMGuard: what verifying a signature adds to a request, as the
// ratio of a signed request to an AWS_IAM route to a request to an open
// route, in the same run over the same connection. The signed request is
// signed once and replayed (its date stays within the 5 minutes).
func BenchmarkIAMGuard(b *testing.B) {
	s := startIAMServer(b, Options{})
	signed := newRequest(b, "GET", s.url+"/files/a?size=1", nil)
	sign(b, signed, nil, LocalCredentials(), "us-east-1", "execute-api", time.Now())
	open := newRequest(b, "GET", s.url+"/open", nil)
	c := &http.Client{}
	do := func(r *http.Request) time.Duration {
		start := time.Now()
		resp, err := c.Do(r)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("%s: %d", r.URL.Path, resp.StatusCode)
		}
		return time.Since(start)
	}
	do(signed)
	do(open)
	var iam, plain time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		iam += do(signed)
		plain += do(open)
		if i%1024 == 0 {
			s.invoked()
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(iam.Nanoseconds())/float64(b.N), "iam-ns/req")
	b.ReportMetric(float64(plain.Nanoseconds())/float64(b.N), "open-ns/req")
	b.ReportMetric(float64(iam)/float64(plain), "iam/open")
}
