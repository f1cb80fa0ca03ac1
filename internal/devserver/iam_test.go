package devserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// The requests below are signed by the AWS SDK for Go's own SigV4 signer
// (aws-sdk-go-v2/aws/signer/v4), as an application would sign them, and
// sent over a real connection to a gateway whose guards are the runner's;
// the function is replaced by a hook that records the event.

// iamServer serves an API whose routes are AWS_IAM, with a gateway
// response per type the IAM guard answers with, each naming itself.
type iamServer struct {
	url   string
	g     *gateway
	calls eventLog
}

func startIAMServer(t testing.TB, o Options) *iamServer {
	t.Helper()
	api := &loader.API{Stack: "IAMStack", LogicalID: "Api", Stage: "v1", EndpointType: "REGIONAL", GatewayResponses: map[string]*loader.GatewayResponse{}}
	for _, typ := range []string{"DEFAULT_4XX", "MISSING_AUTHENTICATION_TOKEN", "INVALID_SIGNATURE", "EXPIRED_TOKEN", "ACCESS_DENIED"} {
		api.GatewayResponses[typ] = &loader.GatewayResponse{Headers: map[string]string{
			"Access-Control-Allow-Origin": "method.request.header.Origin", "X-Gateway-Response": "'" + typ + "'"}}
	}
	fn := &loader.Function{LogicalID: "Fn", Timeout: 3}
	for _, r := range []struct{ method, path, auth string }{
		{"GET", "/files/{name}", "AWS_IAM"}, {"POST", "/files", "AWS_IAM"}, {"GET", "/open", "NONE"},
	} {
		api.Routes = append(api.Routes, &loader.Route{API: api, Method: r.method, Path: r.path, Resource: r.path, Authorization: r.auth,
			Integration: "AWS_PROXY", TimeoutMillis: 29000, Function: fn})
	}
	o.IAMIgnoreDeveloperKeys = true
	gs, _, err := newGuards([]*loader.API{api}, o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s := &iamServer{}
	s.g = &gateway{api: api, logs: io.Discard, guards: gs, recent: &requestLog{}}
	s.url = serveGateway(t, s.g, &s.calls) + "/v1"
	return s
}

// invoked returns the events the function got since the last call.
func (s *iamServer) invoked() [][]byte { return s.calls.take() }

var (
	localCreds   = aws.Credentials{AccessKeyID: LocalAccessKeyID, SecretAccessKey: LocalSecretAccessKey}
	sessionCreds = aws.Credentials{AccessKeyID: LocalSessionAccessKeyID, SecretAccessKey: LocalSessionSecretAccessKey, SessionToken: LocalSessionToken}
)

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// sign signs r as the AWS SDK does for execute-api.
func sign(t testing.TB, r *http.Request, body []byte, creds aws.Credentials, region, service string, at time.Time) {
	t.Helper()
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hashOf(body), service, region, at); err != nil {
		t.Fatal(err)
	}
}

func newRequest(t testing.TB, method, url string, body []byte) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Origin", "https://app.example")
	return r
}

func TestIAMRefusesAsAPIGatewayDoes(t *testing.T) {
	s := startIAMServer(t, Options{IAMKeys: []IAMKey{
		{AccessKeyID: "ASIAEXPIREDSESSION01", SecretAccessKey: "expired-secret", SessionToken: "expired-token", Expires: time.Now().Add(-time.Minute)},
	}})
	now := time.Now()
	body := []byte(`{"file":"a.txt"}`)
	const mismatch = "^The request signature we calculated does not match the signature you provided\\. Check your AWS Secret Access Key and signing method\\. Consult the service documentation for details\\.\n\nThe Canonical String for this request should have been\n'"
	for _, tc := range []struct {
		name    string
		request func() *http.Request
		// message is a regular expression the whole message matches.
		message, errorType, responseType string
	}{
		{"unsigned", func() *http.Request { return newRequest(t, "GET", s.url+"/files/a", nil) },
			"^Missing Authentication Token$", "MissingAuthenticationTokenException", "MISSING_AUTHENTICATION_TOKEN"},
		{"a bearer token", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			r.Header.Set("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig")
			return r
		}, `^'eyJhbGciOiJIUzI1NiJ9\.e30\.sig' not a valid key=value pair \(missing equal-sign\) in Authorization header: 'Bearer eyJhbGciOiJIUzI1NiJ9\.e30\.sig'\.$`,
			"IncompleteSignatureException", "DEFAULT_4XX"},
		{"a bare token", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			r.Header.Set("Authorization", "eyJhbGciOiJIUzI1NiJ9")
			return r
		}, `^Authorization header requires 'Credential' parameter\. Authorization header requires 'Signature' parameter\. Authorization header requires 'SignedHeaders' parameter\. ` +
			`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header\. Authorization=eyJhbGciOiJIUzI1NiJ9$`,
			"IncompleteSignatureException", "DEFAULT_4XX"},
		{"a space after Credential=", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			sign(t, r, nil, localCreds, "us-east-1", "execute-api", now)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Credential=", "Credential= ", 1))
			return r
		}, `^'AKIASTREAMGATELOCAL0/\d{8}/us-east-1/execute-api/aws4_request' not a valid key=value pair \(missing equal-sign\) in Authorization header: 'AWS4-HMAC-SHA256 Credential= AKIA`,
			"IncompleteSignatureException", "DEFAULT_4XX"},
		{"no date", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			sign(t, r, nil, localCreds, "us-east-1", "execute-api", now)
			r.Header.Del("X-Amz-Date")
			return r
		}, `^Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header\. Authorization=AWS4-HMAC-SHA256 Credential=AKIASTREAMGATELOCAL0/`,
			"IncompleteSignatureException", "DEFAULT_4XX"},
		{"a short credential", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			sign(t, r, nil, localCreds, "us-east-1", "execute-api", now)
			r.Header.Set("Authorization", regexp.MustCompile(`/us-east-1/execute-api/aws4_request`).ReplaceAllString(r.Header.Get("Authorization"), "/us-east-1"))
			return r
		}, `^Credential must have exactly 5 slash-delimited elements, e\.g\. keyid/date/region/service/term, got 'AKIASTREAMGATELOCAL0/\d{8}/us-east-1'$`,
			"IncompleteSignatureException", "DEFAULT_4XX"},
		{"another region", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			sign(t, r, nil, localCreds, "eu-west-1", "execute-api", now)
			return r
		}, `^Credential should be scoped to a valid region, not 'eu-west-1'\. $`, "InvalidSignatureException", "INVALID_SIGNATURE"},
		{"another service", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			sign(t, r, nil, localCreds, "us-east-1", "apigateway", now)
			return r
		}, `^Credential should be scoped to correct service: 'execute-api'\. $`, "InvalidSignatureException", "INVALID_SIGNATURE"},
		{"signed 6 minutes ago", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			sign(t, r, nil, localCreds, "us-east-1", "execute-api", now.Add(-6*time.Minute))
			return r
		}, `^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$`, "InvalidSignatureException", "INVALID_SIGNATURE"},
		{"signed 6 minutes ahead", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			sign(t, r, nil, localCreds, "us-east-1", "execute-api", now.Add(6*time.Minute))
			return r
		}, `^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$`, "InvalidSignatureException", "INVALID_SIGNATURE"},
		{"an unknown key", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			sign(t, r, nil, aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, "us-east-1", "execute-api", now)
			return r
		}, `^The security token included in the request is invalid\.$`, "AccessDeniedException", "ACCESS_DENIED"},
		{"a session key without its token", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			sign(t, r, nil, aws.Credentials{AccessKeyID: sessionCreds.AccessKeyID, SecretAccessKey: sessionCreds.SecretAccessKey}, "us-east-1", "execute-api", now)
			return r
		}, `^The security token included in the request is invalid\.$`, "AccessDeniedException", "ACCESS_DENIED"},
		{"a session key with another token", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			c := sessionCreds
			c.SessionToken = strings.Repeat("A", 2000) // an oversized token is just another token
			sign(t, r, nil, c, "us-east-1", "execute-api", now)
			return r
		}, `^The security token included in the request is invalid\.$`, "AccessDeniedException", "ACCESS_DENIED"},
		{"a long-term key with a token", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			c := localCreds
			c.SessionToken = "made-up"
			sign(t, r, nil, c, "us-east-1", "execute-api", now)
			return r
		}, `^The security token included in the request is invalid\.$`, "AccessDeniedException", "ACCESS_DENIED"},
		{"an expired session", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			sign(t, r, nil, aws.Credentials{AccessKeyID: "ASIAEXPIREDSESSION01", SecretAccessKey: "expired-secret", SessionToken: "expired-token"}, "us-east-1", "execute-api", now)
			return r
		}, `^The security token included in the request is expired$`, "ExpiredTokenException", "EXPIRED_TOKEN"},
		{"another secret", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			sign(t, r, nil, aws.Credentials{AccessKeyID: LocalAccessKeyID, SecretAccessKey: "not-the-secret"}, "us-east-1", "execute-api", now)
			return r
		}, mismatch + "GET\n/v1/files/a\n\n", "InvalidSignatureException", "INVALID_SIGNATURE"},
		{"a tampered body", func() *http.Request {
			r := newRequest(t, "POST", s.url+"/files", []byte(`{"file":"b.txt"}`))
			sign(t, r, body, localCreds, "us-east-1", "execute-api", now)
			return r
		}, mismatch + "POST\n/v1/files\n\n(?s:.*)\n" + hashOf([]byte(`{"file":"b.txt"}`)) + "'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n\\d{8}T\\d{6}Z\n\\d{8}/us-east-1/execute-api/aws4_request\n[0-9a-f]{64}'\n$",
			"InvalidSignatureException", "INVALID_SIGNATURE"},
		{"UNSIGNED-PAYLOAD", func() *http.Request {
			r := newRequest(t, "POST", s.url+"/files", body)
			r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
			if err := v4.NewSigner().SignHTTP(context.Background(), localCreds, r, "UNSIGNED-PAYLOAD", "execute-api", "us-east-1", now); err != nil {
				t.Fatal(err)
			}
			return r
		}, mismatch + "POST\n/v1/files\n\n(?s:.*)\n" + hashOf(body) + "'\n", "InvalidSignatureException", "INVALID_SIGNATURE"},
		{"a tampered query", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a?size=1", nil)
			sign(t, r, nil, localCreds, "us-east-1", "execute-api", now)
			r.URL.RawQuery = "size=1000"
			return r
		}, mismatch + "GET\n/v1/files/a\nsize=1000\n", "InvalidSignatureException", "INVALID_SIGNATURE"},
		{"host not signed", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			sign(t, r, nil, localCreds, "us-east-1", "execute-api", now)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "SignedHeaders=host;", "SignedHeaders=", 1))
			return r
		}, `^'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization\.$`, "InvalidSignatureException", "INVALID_SIGNATURE"},
		{"an expired presigned URL", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a?X-Amz-Expires=60", nil)
			u, _, err := v4.NewSigner().PresignHTTP(context.Background(), localCreds, r, hashOf(nil), "execute-api", "us-east-1", now.Add(-2*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			return newRequest(t, "GET", u, nil)
		}, `^Signature expired: `, "InvalidSignatureException", "INVALID_SIGNATURE"},
		{"a presigned URL without X-Amz-Expires, 6 minutes old", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			u, _, err := v4.NewSigner().PresignHTTP(context.Background(), localCreds, r, hashOf(nil), "execute-api", "us-east-1", now.Add(-6*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			return newRequest(t, "GET", u, nil)
		}, `^Signature expired: `, "InvalidSignatureException", "INVALID_SIGNATURE"},
		{"a presigned URL without its signature", func() *http.Request {
			return newRequest(t, "GET", s.url+"/files/a?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIASTREAMGATELOCAL0%2F20260101%2Fus-east-1%2Fexecute-api%2Faws4_request", nil)
		}, `^AWS query-string parameters must include 'X-Amz-Signature'\. AWS query-string parameters must include 'X-Amz-SignedHeaders'\. AWS query-string parameters must include 'X-Amz-Date'\. Re-examine the query-string parameters\.$`,
			"IncompleteSignatureException", "DEFAULT_4XX"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(tc.request())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got struct{ Message string }
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 403 {
				t.Errorf("status %d, want 403", resp.StatusCode)
			}
			if !regexp.MustCompile(tc.message).MatchString(got.Message) {
				t.Errorf("message %q, want /%s/", got.Message, tc.message)
			}
			if e := resp.Header.Get("x-amzn-ErrorType"); e != tc.errorType {
				t.Errorf("x-amzn-ErrorType %q, want %q", e, tc.errorType)
			}
			if gr, acao := resp.Header.Get("X-Gateway-Response"), resp.Header.Get("Access-Control-Allow-Origin"); gr != tc.responseType || acao != "https://app.example" {
				t.Errorf("gateway response %q with Access-Control-Allow-Origin %q, want %q's with https://app.example", gr, acao, tc.responseType)
			}
			if ev := s.invoked(); len(ev) != 0 {
				t.Errorf("the function was invoked: %s", ev[0])
			}
		})
	}
}

// identityOf reads requestContext.identity from an event.
func identityOf(t *testing.T, event []byte) map[string]any {
	t.Helper()
	var ev struct {
		RequestContext struct {
			Identity map[string]any `json:"identity"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(event, &ev); err != nil {
		t.Fatal(err)
	}
	return ev.RequestContext.Identity
}

func TestIAMLetsSignedRequestsThroughWithTheirIdentity(t *testing.T) {
	s := startIAMServer(t, Options{IAMKeys: []IAMKey{
		{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ARN: "arn:aws:iam::123456789012:user/alice"},
		{AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: "role-secret", SessionToken: "role-token", ARN: "arn:aws:sts::123456789012:assumed-role/Deployer/ci-42",
			Expires: time.Now().Add(time.Hour)},
	}})
	now := time.Now()
	user := map[string]any{"accessKey": LocalAccessKeyID, "accountId": "000000000000", "caller": LocalUserID, "user": LocalUserID, "userArn": LocalUserARN}
	for _, tc := range []struct {
		name    string
		request func() *http.Request
		want    map[string]any
	}{
		{"a GET", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			sign(t, r, nil, localCreds, "us-east-1", "execute-api", now)
			return r
		}, user},
		{"a POST with a body", func() *http.Request {
			b := []byte(`{"file":"a.txt"}`)
			r := newRequest(t, "POST", s.url+"/files", b)
			sign(t, r, b, localCreds, "us-east-1", "execute-api", now)
			return r
		}, user},
		{"an encoded path and a query of repeated, encoded keys", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a%20b%2Bc%C3%A4?tag=b&tag=a&q=x+y&redirect=https%3A%2F%2Fexample.com%2F&empty=", nil)
			sign(t, r, nil, localCreds, "us-east-1", "execute-api", now)
			return r
		}, user},
		{"repeated headers, runs of spaces and a header in its own case", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			r.Header["X-Tags"] = []string{"a   b", " c "}
			r.Header["x-lower-case"] = []string{"v"}
			sign(t, r, nil, localCreds, "us-east-1", "execute-api", now)
			return r
		}, user},
		{"signed 4 minutes ago", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			sign(t, r, nil, localCreds, "us-east-1", "execute-api", now.Add(-4*time.Minute))
			return r
		}, user},
		{"the local session credential", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			sign(t, r, nil, sessionCreds, "us-east-1", "execute-api", now)
			return r
		}, map[string]any{"accessKey": LocalSessionAccessKeyID, "accountId": "000000000000", "caller": LocalSessionCaller, "user": LocalSessionCaller, "userArn": LocalSessionRoleARN}},
		{"a presigned URL", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a?X-Amz-Expires=300&x=1", nil)
			u, _, err := v4.NewSigner().PresignHTTP(context.Background(), sessionCreds, r, hashOf(nil), "execute-api", "us-east-1", now)
			if err != nil {
				t.Fatal(err)
			}
			return newRequest(t, "GET", u, nil)
		}, map[string]any{"accessKey": LocalSessionAccessKeyID, "accountId": "000000000000", "caller": LocalSessionCaller, "user": LocalSessionCaller, "userArn": LocalSessionRoleARN}},
		{"a presigned URL without X-Amz-Expires, 4 minutes old", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			u, _, err := v4.NewSigner().PresignHTTP(context.Background(), localCreds, r, hashOf(nil), "execute-api", "us-east-1", now.Add(-4*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			return newRequest(t, "GET", u, nil)
		}, user},
		{"a key given with its ARN", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			sign(t, r, nil, aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, "us-east-1", "execute-api", now)
			return r
		}, map[string]any{"accessKey": "AKIAIOSFODNN7EXAMPLE", "accountId": "123456789012", "caller": "$AIDA", "user": "$AIDA", "userArn": "arn:aws:iam::123456789012:user/alice"}},
		{"a role session given with its ARN", func() *http.Request {
			r := newRequest(t, "GET", s.url+"/files/a", nil)
			sign(t, r, nil, aws.Credentials{AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: "role-secret", SessionToken: "role-token"}, "us-east-1", "execute-api", now)
			return r
		}, map[string]any{"accessKey": "ASIAIOSFODNN7EXAMPLE", "accountId": "123456789012", "caller": "$AROA:ci-42", "user": "$AROA:ci-42", "userArn": "arn:aws:sts::123456789012:assumed-role/Deployer/ci-42"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(tc.request())
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
			id := identityOf(t, ev[0])
			for k, want := range tc.want {
				got, _ := id[k].(string)
				if w := want.(string); strings.HasPrefix(w, "$") {
					// A unique id IAM would make: its prefix and length.
					prefix, session, _ := strings.Cut(w[1:], ":")
					if !regexp.MustCompile("^" + prefix + "[A-Z2-7]{17}" + regexp.QuoteMeta(strings.TrimSuffix(":"+session, ":")) + "$").MatchString(got) {
						t.Errorf("identity.%s = %q, want %s plus 17 characters%s", k, got, prefix, strings.TrimSuffix(":"+session, ":"))
					}
				} else if got != w {
					t.Errorf("identity.%s = %q, want %q", k, got, w)
				}
			}
			for _, k := range []string{"cognitoIdentityPoolId", "cognitoIdentityId", "cognitoAuthenticationType", "cognitoAuthenticationProvider", "principalOrgId"} {
				if v, ok := id[k]; !ok || v != nil {
					t.Errorf("identity.%s = %v, want null", k, v)
				}
			}
		})
	}
}

// TestIAMOffLetsEverythingThrough: -iam=false, and an open route, need no
// signature, and the identity's IAM keys stay null.
func TestIAMOffLetsEverythingThrough(t *testing.T) {
	for _, tc := range []struct {
		name string
		skip bool
		path string
	}{{"-iam=false", true, "/files/a"}, {"an open route", false, "/open"}} {
		t.Run(tc.name, func(t *testing.T) {
			s := startIAMServer(t, Options{SkipIAM: tc.skip})
			resp, err := http.Get(s.url + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			ev := s.invoked()
			if resp.StatusCode != 200 || len(ev) != 1 {
				t.Fatalf("%d, %d invocations", resp.StatusCode, len(ev))
			}
			for _, k := range []string{"accessKey", "accountId", "caller", "user", "userArn"} {
				if v, ok := identityOf(t, ev[0])[k]; !ok || v != nil {
					t.Errorf("identity.%s = %v, want null", k, v)
				}
			}
		})
	}
}

func TestIAMNoticesNameTheKeysNeverTheSecrets(t *testing.T) {
	api := &loader.API{Routes: []*loader.Route{{Method: "GET", Path: "/", Authorization: "AWS_IAM"}}}
	_, notices, err := newIAMGuard([]*loader.API{api}, Options{IAMIgnoreDeveloperKeys: true, IAMKeys: []IAMKey{{AccessKeyID: "AKIAFLAGKEY000000001", SecretAccessKey: "flag-secret"}}})
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(notices, "\n")
	for _, want := range []string{"\nAWS_IAM: key AKIASTREAMGATELOCAL0 (the local credential) signs as arn:aws:iam::000000000000:user/streamgate-local\n",
		"\nAWS_IAM: key ASIASTREAMGATELOCAL0 (the local session credential) signs as arn:aws:sts::000000000000:assumed-role/streamgate-local/sgdev\n",
		"\nAWS_IAM: key AKIAFLAGKEY000000001 (Options.IAMKeys) signs as arn:aws:iam::000000000000:user/sgdev-local-Options-IAMKeys\n",
		"execute-api in us-east-1", "\nAWS_IAM: not emulated: IAM policies"} {
		if !strings.Contains(all, want) {
			t.Errorf("notices do not say %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "flag-secret") || strings.Contains(all, LocalSecretAccessKey) {
		t.Errorf("a notice shows a secret:\n%s", all)
	}
	_, notices, _ = newIAMGuard([]*loader.API{api}, Options{SkipIAM: true, IAMIgnoreDeveloperKeys: true})
	if len(notices) != 1 || !strings.Contains(notices[0], "NOT checked") {
		t.Errorf("-iam=false notices: %q", notices)
	}
	if _, notices, _ = newIAMGuard(nil, Options{IAMIgnoreDeveloperKeys: true}); len(notices) != 0 {
		t.Errorf("no AWS_IAM route, yet notices: %q", notices)
	}
}

func TestParseIAMKey(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want IAMKey
		err  string
	}{
		{in: "AKIAIOSFODNN7EXAMPLE:secret", want: IAMKey{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "secret", Source: "-iam-key"}},
		{in: "AKIAIOSFODNN7EXAMPLE:secret:123456789012", want: IAMKey{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "secret", AccountID: "123456789012", Source: "-iam-key"}},
		{in: "AKIAIOSFODNN7EXAMPLE:secret:123456789012:arn:aws:iam::123456789012:user/alice", want: IAMKey{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "secret",
			AccountID: "123456789012", ARN: "arn:aws:iam::123456789012:user/alice", Source: "-iam-key"}},
		{in: "AKIAIOSFODNN7EXAMPLE", err: "want ACCESS_KEY_ID:SECRET"},
		{in: "AKIAIOSFODNN7EXAMPLE:", err: "want ACCESS_KEY_ID:SECRET"},
		{in: "AKIAIOSFODNN7EXAMPLE:secret:1234", err: "account \"1234\" is not 12 digits"},
		{in: "AKIAIOSFODNN7EXAMPLE:secret:123456789012:arn:aws:s3:::bucket", err: "is not an IAM user, role session or root ARN"},
	} {
		got, err := ParseIAMKey(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseIAMKey(%q): %v, want an error saying %q", tc.in, err, tc.err)
			}
			if err != nil && strings.Contains(err.Error(), "secret:") {
				t.Errorf("ParseIAMKey(%q): the error shows the secret: %v", tc.in, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseIAMKey(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

// TestDeveloperKeys reads the variables and the shared files as the AWS
// CLI writes them.
func TestDeveloperKeys(t *testing.T) {
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	os.WriteFile(creds, []byte("[default]\naws_access_key_id = AKIADEFAULT000000001\naws_secret_access_key = default-secret\n\n"+
		"# a comment\n[work]\naws_access_key_id=ASIAWORK000000000001\naws_secret_access_key=work-secret\naws_session_token=work-token\n"), 0o600)
	config := filepath.Join(dir, "config")
	os.WriteFile(config, []byte("[default]\nregion = eu-west-1\ns3 =\n  max_concurrent_requests = 10\n[profile static]\naws_access_key_id = AKIASTATIC0000000001\naws_secret_access_key = static-secret\n"+
		"[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\n[sso-session corp]\nsso_start_url = https://corp.example/start\n"), 0o600)
	env := map[string]string{
		"AWS_ACCESS_KEY_ID": "ASIAENV0000000000001", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "env-token",
		"AWS_CREDENTIAL_EXPIRATION": "2030-01-02T03:04:05Z", "AWS_SHARED_CREDENTIALS_FILE": creds, "AWS_CONFIG_FILE": config,
	}
	keys, notes := developerKeys(func(k string) string { return env[k] })
	var got []string
	for _, k := range keys {
		got = append(got, k.AccessKeyID+"/"+k.SecretAccessKey+"/"+k.SessionToken+"/"+k.Source)
	}
	want := []string{"ASIAENV0000000000001/env-secret/env-token/AWS_ACCESS_KEY_ID", "AKIADEFAULT000000001/default-secret//profile default",
		"ASIAWORK000000000001/work-secret/work-token/profile work", "AKIASTATIC0000000001/static-secret//profile static"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("keys\n%v\nwant\n%v", got, want)
	}
	if keys[0].Expires.Format(time.RFC3339) != "2030-01-02T03:04:05Z" {
		t.Errorf("AWS_CREDENTIAL_EXPIRATION: %v", keys[0].Expires)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "profiles sso") {
		t.Errorf("notes %q, want one naming the sso profile", notes)
	}
	// The identity the runner reports for them says it is local.
	if id := keys[1].withDefaults().identity(); *id.UserArn != "arn:aws:iam::000000000000:user/sgdev-local-profile-default" || !strings.HasPrefix(*id.Caller, "AIDA") {
		t.Errorf("profile default: %s %s", *id.UserArn, *id.Caller)
	}
	if id := keys[0].withDefaults().identity(); *id.UserArn != "arn:aws:sts::000000000000:assumed-role/sgdev-local-AWS_ACCESS_KEY_ID/local-session" ||
		!regexp.MustCompile(`^AROA[A-Z2-7]{17}:local-session$`).MatchString(*id.Caller) {
		t.Errorf("AWS_ACCESS_KEY_ID: %s %s", *id.UserArn, *id.Caller)
	}
	if keys, _ := developerKeys(func(string) string { return "" }); len(keys) != 0 {
		t.Errorf("no variables, no HOME: %v", keys)
	}
}

// FuzzSigV4Parsers: whatever the Authorization header and query, the
// guard answers 403 with a message and never lets the request through, and
// the canonical forms stay in SigV4's alphabet.
func FuzzSigV4Parsers(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIASTREAMGATELOCAL0/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "a=1&b=%20", "20260101T000000Z")
	f.Add("Bearer abc", "", "")
	f.Add("Credential=,,Signature= = ", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb&X-Amz-Expires=-1", "Mon, 02 Jan 2006 15:04:05 GMT")
	f.Add("", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIASTREAMGATELOCAL0%2F20260101%2Fus-east-1%2Fexecute-api%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Expires=99999999999999999999", "")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f, SignedHeaders=;;, Signature=", "%zz=%&&=", "2026")
	ig, _, err := newIAMGuard(nil, Options{IAMIgnoreDeveloperKeys: true})
	if err != nil {
		f.Fatal(err)
	}
	ig.now = func() time.Time { return time.Date(2026, 1, 1, 0, 1, 0, 0, time.UTC) }
	encoded := regexp.MustCompile(`^[A-Za-z0-9\-_.~%=&/]*$`)
	f.Fuzz(func(t *testing.T, authorization, rawQuery, date string) {
		r, err := http.NewRequest("GET", "http://127.0.0.1:1/v1/files/a", nil)
		if err != nil {
			t.Skip()
		}
		r.RequestURI = "/v1/files/a?" + rawQuery
		if authorization != "" {
			r.Header["Authorization"] = []string{authorization}
		}
		if date != "" {
			r.Header["X-Amz-Date"] = []string{date}
		}
		key, ref := ig.verify(r, "/v1/files/a", rawQuery, nil)
		if ref == nil {
			t.Fatalf("let through as %s: Authorization %q, query %q, date %q", key.AccessKeyID, authorization, rawQuery, date)
		}
		if ref.Status != 403 || ref.Message == "" || ref.ErrorType == "" {
			t.Fatalf("refusal %+v", ref)
		}
		if q := canonicalQuery(rawQuery, true); !encoded.MatchString(q) {
			t.Fatalf("canonical query %q of %q", q, rawQuery)
		}
		if p := uriEncode(authorization, true); !encoded.MatchString(p) || strings.Contains(p, "=") || strings.Contains(p, "&") {
			t.Fatalf("uriEncode(%q) = %q", authorization, p)
		}
	})
}

// FuzzParseIAMKey: -iam-key's value either parses into a key whose id and
// secret are set, or is refused with an error that never shows the secret.
func FuzzParseIAMKey(f *testing.F) {
	for _, s := range []string{"AKIAIOSFODNN7EXAMPLE:secret", "AKIAIOSFODNN7EXAMPLE:secret:123456789012:arn:aws:iam::123456789012:user/alice",
		"ASIA:s:123456789012:arn:aws:sts::123456789012:assumed-role/R/s", ":", "a:b:c", "a:b:000000000000:arn:aws:iam::0:root", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseIAMKey(s)
		if err != nil {
			// The secret must not show: the same value with another secret
			// shows the secret's text as often (in the account, the ARN, the
			// example, the wording), or the error leaks it.
			parts := strings.SplitN(s, ":", 3)
			if len(parts) < 2 || parts[1] == "" || strings.Contains(parts[1], "\x00") {
				return
			}
			parts2 := slices.Clone(parts)
			parts2[1] = "\x00\x00"
			_, err2 := ParseIAMKey(strings.Join(parts2, ":"))
			if err2 == nil || strings.Count(err.Error(), parts[1]) > strings.Count(err2.Error(), parts[1]) {
				t.Fatalf("the error shows the secret %q: %v", parts[1], err)
			}
			return
		}
		if k.AccessKeyID == "" || k.SecretAccessKey == "" {
			t.Fatalf("%q parsed into %+v", s, k)
		}
		if id := k.withDefaults().identity(); *id.UserArn == "" || *id.AccountID == "" || *id.Caller == "" {
			t.Fatalf("%q: identity %+v", s, id)
		}
	})
}

// FuzzReadINI: any shared config or credentials file reads without a panic,
// and a profile's keys come out trimmed.
func FuzzReadINI(f *testing.F) {
	f.Add("[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n[profile x]\nregion=eu-west-1\ns3 =\n  max_concurrent_requests = 10\n")
	f.Add("# c\n; c\n[\n]\n=\nk=v\n[a]]\n\tk = v\n")
	f.Fuzz(func(t *testing.T, content string) {
		path := filepath.Join(t.TempDir(), "config")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		profiles, err := readINI(path)
		if err != nil {
			return // a line longer than bufio.Scanner takes
		}
		for name, p := range profiles {
			for k, v := range p {
				if k != strings.ToLower(strings.TrimSpace(k)) || v != strings.TrimSpace(v) {
					t.Fatalf("[%s] %q = %q is not trimmed", name, k, v)
				}
			}
		}
	})
}
