package local

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/jsii-runtime-go"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/streamgate/streamgate/apps/stacks"
	"github.com/streamgate/streamgate/client/sigv4"
	"github.com/streamgate/streamgate/constructs/apiauth"
	"github.com/streamgate/streamgate/constructs/gofunction"
	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/localrun"
)

// The guards end to end: an API whose routes are guarded as a team writes
// it with apiauth (AWS_IAM, a Cognito user pool with and without scopes, a
// Go TOKEN authorizer, an API key with usage plans), served by the tests'
// runner process and called with the clients teams use: the AWS SDK for
// Go's signer, the curl binary, the MCP Go SDK, `sgdev token`, Chromium.

// guardsScope is the OAuth scope the scoped route requires.
const guardsScope = "guarded/read"

// The usage plans' limits.
const (
	quotaPerDay = 3 // the quota key's plan
)

// addGuardedAPIs adds the guarded API, in a stack of its own so that its
// pool is the assembly's only one (sgdev token's default).
func addGuardedAPIs(app awscdk.App) {
	stack := awscdk.NewStack(app, jsii.String("LocalGuards"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-east-1")}})
	pool := awscognito.NewUserPool(stack, jsii.String("Users"), nil)
	pool.AddResourceServer(jsii.String("Api"), &awscognito.UserPoolResourceServerOptions{Identifier: jsii.String("guarded"),
		Scopes: &[]awscognito.ResourceServerScope{awscognito.NewResourceServerScope(&awscognito.ResourceServerScopeProps{
			ScopeName: jsii.String("read"), ScopeDescription: jsii.String("read the guarded API")})}})
	authorizerFn := gofunction.NewGoFunction(stack, jsii.String("AuthorizerFn"), &gofunction.GoFunctionProps{
		Entry: jsii.String("github.com/streamgate/streamgate/examples/authorizer"), Timeout: awscdk.Duration_Seconds(jsii.Number(10)),
	})
	tokenAuthorizer := awsapigateway.NewTokenAuthorizer(stack, jsii.String("TokenAuthorizer"), &awsapigateway.TokenAuthorizerProps{
		Handler: authorizerFn.Function, ResultsCacheTtl: awscdk.Duration_Minutes(jsii.Number(5)),
	})
	// One function answers every echo route with the event it got.
	echo := gofunction.NewGoFunction(stack, jsii.String("Echo"), &gofunction.GoFunctionProps{
		Entry: jsii.String(faulty), Timeout: awscdk.Duration_Seconds(jsii.Number(30)),
	})
	route := func(method, path string, auth *apiauth.Authorization) *streaming.RouteProps {
		r := &streaming.RouteProps{Method: jsii.String(method), Path: jsii.String(path), Authorization: auth}
		switch {
		case strings.HasSuffix(path, "/echo"):
			r.Function = echo.Function
		case path == "/mcp":
			r.Entry = jsii.String(stacks.McpServerEntry)
		default:
			r.Entry = jsii.String(stacks.RecordsEntry)
		}
		return r
	}
	users := apiauth.CognitoUserPools(pool)
	api := streaming.NewStreamingRestApi(stack, jsii.String("Guarded"), &streaming.StreamingRestApiProps{
		IntegrationTimeout: awscdk.Duration_Seconds(jsii.Number(30)),
		Cors:               &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings(pageOrigin)},
		Routes: &[]*streaming.RouteProps{
			route("GET", "/iam/echo", apiauth.Iam()),
			route("GET", "/iam/records", apiauth.Iam()),
			route("ANY", "/mcp", apiauth.Iam()),
			route("GET", "/cognito/echo", users),
			route("GET", "/cognito/records", users),
			route("GET", "/scoped/echo", apiauth.CognitoUserPools(pool).WithScopes(guardsScope)),
			route("GET", "/token/echo", apiauth.Lambda(tokenAuthorizer)),
			route("GET", "/keyed/echo", apiauth.None()),
		},
	})
	// The construct has no API-key prop: aws-cdk's own escape hatch.
	api.Route("GET", "/keyed/echo").ApiMethod.Node().DefaultChild().(awsapigateway.CfnMethod).SetApiKeyRequired(jsii.Bool(true))
	stage := &awsapigateway.UsagePlanPerApiStage{Api: api.RestApi, Stage: api.Stage}
	quota := api.RestApi.AddUsagePlan(jsii.String("QuotaPlan"), &awsapigateway.UsagePlanProps{ApiStages: &[]*awsapigateway.UsagePlanPerApiStage{stage},
		Quota: &awsapigateway.QuotaSettings{Limit: jsii.Number(quotaPerDay), Period: awsapigateway.Period_DAY}})
	quota.AddApiKey(api.RestApi.AddApiKey(jsii.String("QuotaKey"), nil), nil)
	burst := api.RestApi.AddUsagePlan(jsii.String("BurstPlan"), &awsapigateway.UsagePlanProps{ApiStages: &[]*awsapigateway.UsagePlanPerApiStage{stage},
		Throttle: &awsapigateway.ThrottleSettings{RateLimit: jsii.Number(1), BurstLimit: jsii.Number(1)}})
	burst.AddApiKey(api.RestApi.AddApiKey(jsii.String("BurstKey"), nil), nil)
}

// cognitoKey is the local issuer's key file the tests' runner and `sgdev
// token` share, next to the assembly (removed with it).
var cognitoKey string

func cognitoKeyFile(assembly string) string {
	cognitoKey = filepath.Join(filepath.Dir(assembly), "cognito-issuer-key.pem")
	return cognitoKey
}

// guardedURL is the guarded API's stage URL, from the runner's listing.
func guardedURL(t testing.TB) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^LocalGuards/Guarded\w*\s+(http://127\.0\.0\.1:\d+/prod)\s`).FindStringSubmatch(runnerLogs.String())
	if m == nil {
		t.Fatal("the runner did not list LocalGuards/Guarded")
	}
	return m[1]
}

// printedAPIKey is the value the runner printed for the API key whose
// logical id contains name.
func printedAPIKey(t testing.TB, name string) string {
	t.Helper()
	for _, m := range regexp.MustCompile(`(?m)^notice: API key LocalGuards/(\w+)[^:\n]*: x-api-key (\S+)`).FindAllStringSubmatch(runnerLogs.String(), -1) {
		if strings.Contains(m[1], name) {
			return m[2]
		}
	}
	t.Fatalf("the runner printed no value for API key %s*", name)
	return ""
}

// sgdevToken runs `sgdev token` (the runner's binary) on the tests'
// assembly and key file.
func sgdevToken(t testing.TB, args ...string) string {
	t.Helper()
	assembly := ""
	for i, a := range runnerArgs {
		if a == "-assembly" {
			assembly = runnerArgs[i+1]
		}
	}
	out, err := exec.Command(runnerBin, append([]string{"token", "-assembly", assembly, "-cognito-key", cognitoKey}, args...)...).Output()
	if err != nil {
		t.Fatalf("sgdev token %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

// signed is an HTTP client that signs with SigV4 for execute-api as the
// AWS SDK for Go does, with the given secret for the local access key.
func signed(secret string) *http.Client {
	return &http.Client{Transport: &sigv4.Transport{
		Credentials: credentials.StaticCredentialsProvider{Value: aws.Credentials{AccessKeyID: localrun.LocalAccessKeyID, SecretAccessKey: secret}},
	}}
}

// echoed is what the echo function saw of the request.
type echoed struct {
	Event struct {
		Path           string
		RequestContext struct {
			Identity   map[string]any `json:"identity"`
			Authorizer map[string]any `json:"authorizer"`
		} `json:"requestContext"`
	} `json:"event"`
}

// invocations is how many invocations the function whose logical id
// starts with prefix has had (the runner's /_streamgate/stats).
func invocations(t testing.TB, prefix string) int64 {
	t.Helper()
	resp, err := http.Get(strings.TrimSuffix(guardedURL(t), "/prod") + "/_streamgate/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var stats map[string]struct{ Invocations int64 }
	json.NewDecoder(resp.Body).Decode(&stats)
	for id, s := range stats {
		if strings.HasPrefix(id, prefix) {
			return s.Invocations
		}
	}
	t.Fatalf("no function %s* in the runner's stats", prefix)
	return 0
}

// answer is a response's status, API Gateway's error type and body.
type answer struct {
	status    int
	errorType string
	body      []byte
	requestID string
}

func call(t testing.TB, c *http.Client, url string, header map[string]string) answer {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), bytes.TrimSpace(b), resp.Header.Get("x-amzn-RequestId")}
}

// echo is what the function saw; it fails the test unless a is a 200.
func (a answer) echo(t testing.TB) echoed {
	t.Helper()
	var e echoed
	if a.status != 200 {
		t.Fatalf("status %d, want 200: %s", a.status, a.body)
	}
	if err := json.Unmarshal(a.body, &e); err != nil || e.Event.Path == "" {
		t.Fatalf("not the echo function's answer (%v): %s", err, a.body)
	}
	return e
}

// message is API Gateway's {"message": ...} (a Lambda authorizer's deny
// says "Message").
func (a answer) message() string {
	var m map[string]*string
	json.Unmarshal(a.body, &m)
	for _, k := range []string{"message", "Message"} {
		if v := m[k]; v != nil {
			return *v
		}
	}
	return ""
}

// TestIAMRouteVerifiesSigV4: an AWS_IAM route refuses an unsigned request
// and a wrong secret with API Gateway's answers, and a request the AWS SDK
// for Go's signer signed with the local credential reaches the function as
// the local IAM user.
func TestIAMRouteVerifiesSigV4(t *testing.T) {
	url := guardedURL(t) + "/iam/echo"
	for _, tc := range []struct {
		name               string
		client             *http.Client
		status             int
		errorType          string
		messagePrefix      string
		userArn, accessKey string
	}{
		{name: "unsigned", client: http.DefaultClient, status: 403, errorType: "MissingAuthenticationTokenException", messagePrefix: "Missing Authentication Token"},
		{name: "signed with the local credential", client: signed(localrun.LocalSecretAccessKey), status: 200,
			userArn: localrun.LocalUserARN, accessKey: localrun.LocalAccessKeyID},
		{name: "signed with a wrong secret", client: signed("not/the/secret/of/the/local/credential0"), status: 403, errorType: "InvalidSignatureException",
			messagePrefix: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := call(t, tc.client, url, nil)
			if tc.status != 200 {
				if a.status != tc.status || a.errorType != tc.errorType || !strings.HasPrefix(a.message(), tc.messagePrefix) {
					t.Errorf("%d %s %s, want %d %s %q...", a.status, a.errorType, a.body, tc.status, tc.errorType, tc.messagePrefix)
				}
				if tc.name == "unsigned" && string(a.body) != `{"message":"Missing Authentication Token"}` {
					t.Errorf("body %s, want API Gateway's exact answer", a.body)
				}
				return
			}
			id := a.echo(t).Event.RequestContext.Identity
			if id["userArn"] != tc.userArn || id["accessKey"] != tc.accessKey || id["accountId"] != localrun.LocalAccountID {
				t.Errorf("requestContext.identity = %v, want the local user %s", id, tc.userArn)
			}
		})
	}
}

// TestCurlSignsForAnIAMRoute: the curl binary's own SigV4 (--aws-sigv4)
// reaches an AWS_IAM streaming route, and the records arrive as they are
// written; with a wrong secret curl gets API Gateway's signature message.
func TestCurlSignsForAnIAMRoute(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is not installed")
	}
	// The query in sorted order: curl 7.88 (Debian 12's) signs it as
	// written, where SigV4 sorts it.
	url := guardedURL(t) + "/iam/records?count=5&interval_ms=200"
	cmd := exec.Command("curl", "-sS", "-N", "--fail-with-body", "--aws-sigv4", "aws:amz:us-east-1:execute-api",
		"--user", localrun.LocalAccessKeyID+":"+localrun.LocalSecretAccessKey, url)
	stdout, _ := cmd.StdoutPipe()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var at []time.Duration
	var last string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		var rec struct{ Seq *int }
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Seq != nil && *rec.Seq == len(at) {
			at = append(at, time.Since(start))
		}
		last = sc.Text()
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("curl: %v", err)
	}
	t.Logf("curl --aws-sigv4: records at %v", at)
	if len(at) != 5 || at[4]-at[0] < 600*time.Millisecond || last != `{"done":true,"records":5}` {
		t.Errorf("records at %v, then %s: want 5 in order, the first long before the last (200 ms apart), then the end record", at, last)
	}

	// -w puts the status after the body, on a line of its own.
	out, err := exec.Command("curl", "-sS", "-w", "\n%{http_code}", "--aws-sigv4", "aws:amz:us-east-1:execute-api",
		"--user", localrun.LocalAccessKeyID+":wrong-secret", url).Output()
	text := string(out)
	body, code := text[:max(strings.LastIndexByte(text, '\n'), 0)], text[strings.LastIndexByte(text, '\n')+1:]
	if err != nil || code != "403" || !strings.Contains(body, `"message":"The request signature we calculated does not match the signature you provided.`) {
		t.Errorf("curl with a wrong secret: %v %s %s", err, code, body)
	}
}

// TestMCPClientSignsItsRequests: the MCP Go SDK's client, its HTTP client
// signing with SigV4, initializes and calls a tool on an AWS_IAM /mcp
// route; unsigned, the first request is refused with 403.
func TestMCPClientSignsItsRequests(t *testing.T) {
	endpoint := guardedURL(t) + "/mcp"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := mcp.NewClient(&mcp.Implementation{Name: "streamgate-guards-test", Version: "1.0.0"}, nil)
	session, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: signed(localrun.LocalSecretAccessKey)}, nil)
	if err != nil {
		t.Fatalf("signed initialize: %v", err)
	}
	defer session.Close()
	if got := session.InitializeResult(); got == nil || got.ServerInfo == nil || got.ServerInfo.Name == "" {
		t.Errorf("initialize result: %+v", got)
	}
	res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "count", Arguments: map[string]any{"steps": 2, "interval_ms": 50}})
	if err != nil || res.IsError || res.Content[0].(*mcp.TextContent).Text != "counted to 2" {
		t.Fatalf("signed tool call: %v %v", res, err)
	}

	_, err = mcp.NewClient(&mcp.Implementation{Name: "streamgate-guards-test", Version: "1.0.0"}, nil).
		Connect(ctx, &mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: &http.Client{}}, nil)
	// The SDK names the status by its text.
	if err == nil || !strings.Contains(err.Error(), http.StatusText(403)) {
		t.Errorf("unsigned initialize: %v, want a 403 Forbidden", err)
	}
}

// TestCognitoTokensOfSgdevToken: tokens `sgdev token` mints with the
// runner's key file pass its Cognito authorizers, and the claims reach the
// function as API Gateway hands them (strings); no token, or an ID token
// where the method wants a scope, is a 401.
func TestCognitoTokensOfSgdevToken(t *testing.T) {
	base := guardedURL(t)
	idToken := sgdevToken(t, "-user", "alice", "-groups", "admins,editors")
	for _, tc := range []struct {
		name, path, token string
		status            int
		claims            map[string]string
	}{
		{name: "ID token", path: "/cognito/echo", token: idToken, status: 200,
			claims: map[string]string{"cognito:username": "alice", "cognito:groups": "admins,editors", "token_use": "id"}},
		{name: "no token", path: "/cognito/echo", status: 401},
		{name: "not a token", path: "/cognito/echo", token: "Bearer allow-alice", status: 401},
		{name: "ID token on a scoped route", path: "/scoped/echo", token: idToken, status: 401},
		{name: "access token without the scope", path: "/scoped/echo", token: sgdevToken(t, "-user", "alice", "-scopes", "guarded/write"), status: 401},
		{name: "access token with the scope", path: "/scoped/echo", token: sgdevToken(t, "-user", "alice", "-scopes", guardsScope), status: 200,
			claims: map[string]string{"username": "alice", "scope": guardsScope, "token_use": "access"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			header := map[string]string{}
			if tc.token != "" {
				header["Authorization"] = tc.token
			}
			a := call(t, http.DefaultClient, base+tc.path, header)
			if tc.status != 200 {
				if a.status != tc.status || string(a.body) != `{"message":"Unauthorized"}` || a.errorType != "UnauthorizedException" {
					t.Errorf("%d %s %s, want %d Unauthorized", a.status, a.errorType, a.body, tc.status)
				}
				return
			}
			claims, _ := a.echo(t).Event.RequestContext.Authorizer["claims"].(map[string]any)
			for k, want := range tc.claims {
				if claims[k] != want {
					t.Errorf("claims[%q] = %#v, want %q (claims: %v)", k, claims[k], want, claims)
				}
			}
		})
	}
}

// TestBrowserReadsACognitoStream: a page on another origin than the API
// fetches the Cognito-protected streaming route with a token of `sgdev
// token` and reads the NDJSON record by record; without the token it
// reads API Gateway's 401 (the gateway response's CORS headers).
func TestBrowserReadsACognitoStream(t *testing.T) {
	r := openPage(t, pageOrigin, "guarded.html", url.Values{"api": {guardedURL(t)}, "token": {sgdevToken(t, "-user", "browser-user")}})
	t.Logf("report from %s: %v", pageOrigin, r)
	at, _ := field(r, "stream", "at").([]any)
	if field(r, "stream", "status") != float64(200) || len(at) != 8 || field(r, "stream", "inOrder") != true {
		t.Fatalf("the stream: %v (want 200 and records 0..7)", r["stream"])
	}
	if first, last := at[0].(float64), at[7].(float64); last-first < 700 {
		t.Errorf("records at %v ms: want them as written, 150 ms apart", at)
	}
	if field(r, "noToken", "status") != float64(401) || field(r, "noToken", "body", "message") != "Unauthorized" {
		t.Errorf("without a token: %v", r["noToken"])
	}
}

// TestLambdaAuthorizerRunsAsAFunction: the Go TOKEN authorizer
// (examples/authorizer) runs as a function of its own: its allow
// reaches the route's function with principalId and context, its deny is
// a 403, a missing header a 401 without invoking it, and its answer is
// cached per token for the authorizer's TTL.
func TestLambdaAuthorizerRunsAsAFunction(t *testing.T) {
	url := guardedURL(t) + "/token/echo"
	// Tokens of this run only: answers of an earlier one stay cached.
	run := fmt.Sprint(time.Now().UnixNano())
	for _, tc := range []struct {
		name, header string
		status       int
		message      string
		invoked      int64
	}{
		{name: "allowed", header: "Bearer allow-alice-" + run, status: 200, invoked: 1},
		{name: "allowed again, cached", header: "Bearer allow-alice-" + run, status: 200, invoked: 0},
		{name: "denied", header: "Bearer deny-" + run, status: 403, message: "User is not authorized to access this resource with an explicit deny", invoked: 1},
		{name: "not a bearer token", header: "Basic " + run, status: 401, message: "Unauthorized", invoked: 1},
		{name: "no header", status: 401, message: "Unauthorized", invoked: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := invocations(t, "AuthorizerFn")
			header := map[string]string{}
			if tc.header != "" {
				header["Authorization"] = tc.header
			}
			a := call(t, http.DefaultClient, url, header)
			if invoked := invocations(t, "AuthorizerFn") - before; invoked != tc.invoked {
				t.Errorf("the authorizer ran %d times, want %d", invoked, tc.invoked)
			}
			if tc.status != 200 {
				if a.status != tc.status || a.message() != tc.message {
					t.Errorf("%d %s, want %d %q", a.status, a.body, tc.status, tc.message)
				}
				return
			}
			au := a.echo(t).Event.RequestContext.Authorizer
			if au["principalId"] != "user-alice-"+run || au["tenant"] != "acme" || au["tokenName"] != "alice-"+run {
				t.Errorf("requestContext.authorizer = %v", au)
			}
		})
	}
}

// TestAPIKeysAndUsagePlans: a method that requires an API key refuses a
// request without one or with an unknown one (403 Forbidden), takes the
// values the runner printed (the key reaching the function), and answers
// 429 past a plan's quota or throttle.
func TestAPIKeysAndUsagePlans(t *testing.T) {
	url := guardedURL(t) + "/keyed/echo"
	quotaKey, burstKey := printedAPIKey(t, "QuotaKey"), printedAPIKey(t, "BurstKey")
	for _, tc := range []struct {
		name, key string
		status    int
		message   string
	}{
		{name: "no key", status: 403, message: "Forbidden"},
		{name: "unknown key", key: "not-a-key-of-the-template-0123", status: 403, message: "Forbidden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			header := map[string]string{}
			if tc.key != "" {
				header["x-api-key"] = tc.key
			}
			if a := call(t, http.DefaultClient, url, header); a.status != tc.status || a.message() != tc.message || a.errorType != "ForbiddenException" {
				t.Errorf("%d %s %s, want %d %q", a.status, a.errorType, a.body, tc.status, tc.message)
			}
		})
	}
	t.Run("quota", func(t *testing.T) {
		for i := 0; i < quotaPerDay; i++ {
			id := call(t, http.DefaultClient, url, map[string]string{"x-api-key": quotaKey}).echo(t).Event.RequestContext.Identity
			if id["apiKey"] != quotaKey || id["apiKeyId"] == nil {
				t.Errorf("request %d: identity %v, want apiKey %s", i+1, id, quotaKey)
			}
		}
		if a := call(t, http.DefaultClient, url, map[string]string{"x-api-key": quotaKey}); a.status != 429 || a.message() != "Limit Exceeded" {
			t.Errorf("past the quota of %d: %d %s, want 429 Limit Exceeded", quotaPerDay, a.status, a.body)
		}
	})
	t.Run("throttle", func(t *testing.T) {
		// Rate 1, burst 1: of two requests at once, the second waits for
		// a token that comes a second later.
		var statuses []int
		for i := 0; i < 2; i++ {
			a := call(t, http.DefaultClient, url, map[string]string{"x-api-key": burstKey})
			statuses = append(statuses, a.status)
			if a.status == 429 && a.message() != "Too Many Requests" {
				t.Errorf("throttled: %s", a.body)
			}
		}
		if statuses[0] != 200 || statuses[1] != 429 {
			t.Errorf("statuses %v, want [200 429]", statuses)
		}
	})
}

// TestPageShowsGuardAndCaller: the runner's page records who a signed
// request came from and why an unsigned one was refused.
func TestPageShowsGuardAndCaller(t *testing.T) {
	base := guardedURL(t)
	ok := call(t, signed(localrun.LocalSecretAccessKey), base+"/iam/echo", nil)
	refused := call(t, http.DefaultClient, base+"/iam/echo", nil)
	for _, tc := range []struct {
		name        string
		a           answer
		status      int
		caller      string
		refusedWhat string
	}{
		{name: "signed", a: ok, status: 200, caller: localrun.LocalAccessKeyID + " " + localrun.LocalUserARN},
		{name: "unsigned", a: refused, status: 403, refusedWhat: "no Authorization header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Get(strings.TrimSuffix(base, "/prod") + "/_streamgate/requests?id=" + tc.a.requestID)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var recs []struct {
				Status                 int
				Guard, Caller, Refused string
			}
			json.NewDecoder(resp.Body).Decode(&recs)
			if len(recs) != 1 {
				t.Fatalf("request %s: %d records", tc.a.requestID, len(recs))
			}
			r := recs[0]
			if r.Status != tc.status || r.Guard != "AWS_IAM" || r.Caller != tc.caller || !strings.Contains(r.Refused, tc.refusedWhat) ||
				(tc.refusedWhat == "") != (r.Refused == "") {
				t.Errorf("record %+v, want status %d, guard AWS_IAM, caller %q, refused %q", r, tc.status, tc.caller, tc.refusedWhat)
			}
		})
	}
}
