package devserver

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamgate/streamgate/internal/devserver/lambdaenv"
	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/internal/devserver/pool"
	"github.com/streamgate/streamgate/internal/devserver/runtimes"
)

// The Lambda authorizer tests run testdata/authorizer (or
// testdata/authorizer-node) as a real function process through the
// runner's pool, behind a real listener; the route's own function is
// replaced by sendEvent, which records the event it would have got.

var (
	authzBinOnce sync.Once
	authzBin     string
	authzBinErr  error
)

// authzBinary builds testdata/authorizer once per run, into the user cache
// (go build only relinks when it changed).
func authzBinary(tb testing.TB) string {
	tb.Helper()
	authzBinOnce.Do(func() {
		dir, err := os.UserCacheDir()
		if err != nil {
			dir = os.TempDir()
		}
		authzBin = filepath.Join(dir, "streamgate", "devserver-test", "authorizer", "bootstrap")
		if out, err := exec.Command("go", "build", "-o", authzBin, "./testdata/authorizer").CombinedOutput(); err != nil {
			authzBinErr = fmt.Errorf("go build ./testdata/authorizer: %v\n%s", err, out)
		}
	})
	if authzBinErr != nil {
		tb.Fatal(authzBinErr)
	}
	return authzBin
}

type authzServer struct {
	url   string
	g     *gateway
	pool  *pool.Pool
	logs  *lockedBuffer
	clock atomic.Int64 // seconds added to the guard's clock
	calls eventLog
}

// The authorizers of authzAPI, by logical id.
const (
	authzToken          = "TokenAuth"        // TOKEN, Authorization, validation [a-z0-9.-]+, TTL 300
	authzTokenNoCache   = "TokenAuthNoCache" // TOKEN, Authorization, TTL 0
	authzRequest        = "RequestAuth"      // REQUEST, X-Token and ?tenant, TTL 300
	authzRequestNoCache = "RequestAuthNoCache"
)

// authzAPI is a REGIONAL API on stage v1 whose gateway responses say
// their type (X-Gateway-Response) and echo the Origin, as the constructs'
// CORS gateway responses do.
func authzAPI(fn *loader.Function) *loader.API {
	api := &loader.API{Stack: "AuthzStack", LogicalID: "Api", Stage: "v1", EndpointType: "REGIONAL",
		StageVariables: map[string]string{"env": "local"}, GatewayResponses: map[string]*loader.GatewayResponse{}}
	for _, typ := range []string{"DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED", "ACCESS_DENIED", "AUTHORIZER_CONFIGURATION_ERROR"} {
		api.GatewayResponses[typ] = &loader.GatewayResponse{Headers: map[string]string{
			"Access-Control-Allow-Origin": "method.request.header.Origin", "X-Gateway-Response": "'" + typ + "'"}}
	}
	auth := map[string]*loader.Authorizer{
		authzToken:          {Type: "TOKEN", IdentitySource: "method.request.header.Authorization", IdentityValidationExpression: "[a-z0-9.-]+", TTL: 300},
		authzTokenNoCache:   {Type: "TOKEN", IdentitySource: "method.request.header.Authorization", TTL: 0},
		authzRequest:        {Type: "REQUEST", IdentitySource: "method.request.header.X-Token, method.request.querystring.tenant", TTL: 300},
		authzRequestNoCache: {Type: "REQUEST", IdentitySource: "method.request.header.X-Token, method.request.querystring.tenant", TTL: 0},
	}
	for id, au := range auth {
		au.Stack, au.LogicalID, au.Name, au.Function = "AuthzStack", id, id, fn
	}
	for _, r := range []struct{ method, path, auth string }{
		{"GET", "/items/{id}", authzToken}, {"POST", "/items", authzToken}, {"GET", "/fresh/{id}", authzTokenNoCache},
		{"GET", "/req/{id}", authzRequest}, {"GET", "/req-fresh/{id}", authzRequestNoCache}, {"GET", "/open", ""},
	} {
		route := &loader.Route{API: api, Method: r.method, Path: r.path, Resource: r.path, Authorization: "NONE",
			Integration: "AWS_PROXY", TimeoutMillis: 29000, Function: &loader.Function{LogicalID: "Fn", Timeout: 3}}
		if r.auth != "" {
			route.Authorization, route.Authorizer = "CUSTOM", auth[r.auth]
		}
		api.Routes = append(api.Routes, route)
	}
	return api
}

// startAuthzServer serves authzAPI with fn (run by cmd) as every
// authorizer's function.
func startAuthzServer(tb testing.TB, fn *loader.Function, cmd []string, env ...string) *authzServer {
	tb.Helper()
	api := authzAPI(fn)
	s := &authzServer{logs: &lockedBuffer{}}
	gs, _, err := newGuards([]*loader.API{api}, Options{}, s.logs)
	if err != nil {
		tb.Fatal(err)
	}
	gs.authorizer.now = func() time.Time { return time.Now().Add(time.Duration(s.clock.Load()) * time.Second) }
	s.pool = pool.New(fn, cmd, append(lambdaenv.Env(fn, nil), env...), 8, s.logs)
	tb.Cleanup(s.pool.Close)
	s.g = &gateway{api: api, pools: map[*loader.Function]*pool.Pool{fn: s.pool}, logs: s.logs, guards: gs, recent: &requestLog{}}
	s.url = serveGateway(tb, s.g, &s.calls) + "/v1"
	return s
}

func startGoAuthzServer(tb testing.TB) *authzServer {
	tb.Helper()
	fn := &loader.Function{Stack: "AuthzStack", LogicalID: "AuthFn", Timeout: 1, MemoryMB: 128, Reserved: -1, Runtime: "provided.al2023", Handler: "bootstrap"}
	return startAuthzServer(tb, fn, []string{authzBinary(tb)})
}

// events returns the integration events since the last call.
func (s *authzServer) events() [][]byte { return s.calls.take() }

type authzReply struct {
	status  int
	header  http.Header
	body    []byte
	invoked int64 // authorizer invocations it caused
	events  [][]byte
	// refused is the access log's explanation of a refusal ("" when none).
	refused string
}

// do sends one request and says what it caused.
func (s *authzServer) do(tb testing.TB, method, path string, header map[string]string) authzReply {
	tb.Helper()
	req, err := http.NewRequest(method, s.url+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = []string{v} // as written: an empty value is sent too
	}
	before, logged := s.pool.Invocations(), len(s.logs.String())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	reply := authzReply{resp.StatusCode, resp.Header, body, s.pool.Invocations() - before, s.events(), ""}
	// The access line is written once the answer is: wait for it.
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if line := accessLine(s.logs.String()[logged:], method); line != "" {
			if _, why, ok := strings.Cut(line, " refused: "); ok {
				reply.refused = why
			}
			break
		}
	}
	return reply
}

// The answers of API Gateway's default gateway responses.
const (
	bodyUnauthorized = `{"message":"Unauthorized"}`
	bodyExplicitDeny = `{"Message":"User is not authorized to access this resource with an explicit deny"}`
	bodyImplicitDeny = `{"Message":"User is not authorized to access this resource"}`
	bodyFailed       = `{"message":null}`
)

func TestLambdaAuthorizerAnswersAsAPIGateway(t *testing.T) {
	s := startGoAuthzServer(t)
	for i, tc := range []struct {
		name         string
		path         string
		header       map[string]string // Origin is added
		status       int
		body         string // "" for a request that reaches the function
		errorType    string
		responseType string
		invoked      int64
		why          string // in the access log's refusal
	}{
		{"TOKEN Allow", "/items/1", map[string]string{"Authorization": "allow.%d"}, 200, "", "", "", 1, ""},
		{"TOKEN without the header: 401 without invoking", "/items/1", nil, 401, bodyUnauthorized, "UnauthorizedException", "UNAUTHORIZED", 0, "no method.request.header.Authorization"},
		{"TOKEN with an empty header: 401 without invoking", "/items/1", map[string]string{"Authorization": ""}, 401, bodyUnauthorized, "UnauthorizedException", "UNAUTHORIZED", 0, "no method.request.header.Authorization"},
		{"TOKEN not matching the validation expression: 401 without invoking", "/items/1", map[string]string{"Authorization": "Bearer allow.%d"}, 401, bodyUnauthorized, "UnauthorizedException", "UNAUTHORIZED", 0, "does not match the validation expression"},
		{"TOKEN without a validation expression takes any token", "/fresh/1", map[string]string{"Authorization": "allow.Bearer %d"}, 200, "", "", "", 1, ""},
		{"explicit Deny beats an Allow of *", "/items/1", map[string]string{"Authorization": "deny.%d"}, 403, bodyExplicitDeny, "AccessDeniedException", "ACCESS_DENIED", 1, "statement 1 (Deny"},
		{"no statement matches the method ARN", "/items/1", map[string]string{"Authorization": "nomatch.%d"}, 403, bodyImplicitDeny, "AccessDeniedException", "ACCESS_DENIED", 1, "no statement allows arn:aws:execute-api:us-east-1:000000000000:"},
		{"the function's error Unauthorized", "/items/1", map[string]string{"Authorization": "unauthorized.%d"}, 401, bodyUnauthorized, "UnauthorizedException", "UNAUTHORIZED", 1, `answered the error "Unauthorized"`},
		{"another error", "/items/1", map[string]string{"Authorization": "error.%d"}, 500, bodyFailed, "AuthorizerConfigurationException", "AUTHORIZER_CONFIGURATION_ERROR", 1, "the user database is down"},
		{"an answer that is not an object", "/items/1", map[string]string{"Authorization": "garbage.%d"}, 500, bodyFailed, "AuthorizerConfigurationException", "AUTHORIZER_CONFIGURATION_ERROR", 1, "not a JSON object"},
		{"no policyDocument", "/items/1", map[string]string{"Authorization": "nopolicy.%d"}, 500, bodyFailed, "AuthorizerConfigurationException", "AUTHORIZER_CONFIGURATION_ERROR", 1, "no policyDocument"},
		{"an object in the context", "/items/1", map[string]string{"Authorization": "object-context.%d"}, 500, bodyFailed, "AuthorizerConfigurationException", "AUTHORIZER_CONFIGURATION_ERROR", 1, `context key "user"`},
		{"an array in the context", "/items/1", map[string]string{"Authorization": "array-context.%d"}, 500, bodyFailed, "AuthorizerConfigurationException", "AUTHORIZER_CONFIGURATION_ERROR", 1, `context key "roles"`},
		{"an answer over 6 MB", "/items/1", map[string]string{"Authorization": "huge.%d"}, 500, bodyFailed, "AuthorizerConfigurationException", "AUTHORIZER_CONFIGURATION_ERROR", 1, "6 MB"},
		{"a crash", "/items/1", map[string]string{"Authorization": "crash.%d"}, 500, bodyFailed, "AuthorizerConfigurationException", "AUTHORIZER_CONFIGURATION_ERROR", 1, "exited"},
		{"a timeout", "/items/1", map[string]string{"Authorization": "sleep.%d"}, 500, bodyFailed, "AuthorizerConfigurationException", "AUTHORIZER_CONFIGURATION_ERROR", 1, "timed out"},
		{"REQUEST Allow", "/req/1?tenant=t%d", map[string]string{"X-Token": "allow.%d"}, 200, "", "", "", 1, ""},
		{"REQUEST with caching, a source missing: 401 without invoking", "/req/1", map[string]string{"X-Token": "allow.%d"}, 401, bodyUnauthorized, "UnauthorizedException", "UNAUTHORIZED", 0, "no method.request.querystring.tenant"},
		{"REQUEST with caching, a source empty: 401 without invoking", "/req/1?tenant=", map[string]string{"X-Token": "allow.%d"}, 401, bodyUnauthorized, "UnauthorizedException", "UNAUTHORIZED", 0, "no method.request.querystring.tenant"},
		{"REQUEST without caching, a source missing: invoked", "/req-fresh/1", map[string]string{"X-Token": "allow.%d"}, 200, "", "", "", 1, ""},
		{"REQUEST without caching, every source missing: invoked, and it says Unauthorized", "/req-fresh/1", nil, 401, bodyUnauthorized, "UnauthorizedException", "UNAUTHORIZED", 1, `answered the error "Unauthorized"`},
		{"REQUEST explicit Deny", "/req/1?tenant=t%d", map[string]string{"X-Token": "deny.%d"}, 403, bodyExplicitDeny, "AccessDeniedException", "ACCESS_DENIED", 1, "a Deny wins over any Allow"},
		{"a method ARN over 1600 bytes: 414 without invoking", "/items/" + strings.Repeat("x", 1600), map[string]string{"Authorization": "allow.%d"}, 414, `{"message":"Request-URI Too Long"}`, "", "DEFAULT_4XX", 0, "API Gateway authorizes at most 1600"},
		{"an open route is not authorized", "/open", nil, 200, "", "", "", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			header := map[string]string{"Origin": "http://app.test"}
			for k, v := range tc.header {
				if strings.Contains(v, "%d") {
					v = fmt.Sprintf(v, i) // a token of its own: no case answers from another's cache
				}
				header[k] = v
			}
			path := tc.path
			if strings.Contains(path, "%d") {
				path = fmt.Sprintf(path, i)
			}
			got := s.do(t, "GET", path, header)
			if got.status != tc.status {
				t.Errorf("status %d, want %d (body %.200s)", got.status, tc.status, got.body)
			}
			if got.invoked != tc.invoked {
				t.Errorf("the authorizer was invoked %d times, want %d", got.invoked, tc.invoked)
			}
			if tc.body == "" {
				if len(got.events) != 1 {
					t.Errorf("the function got %d events, want 1", len(got.events))
				}
				return
			}
			if len(got.events) != 0 {
				t.Errorf("a refused request reached the function")
			}
			if b := strings.TrimSpace(string(got.body)); b != tc.body {
				t.Errorf("body %s, want %s", b, tc.body)
			}
			if e := got.header.Get("x-amzn-ErrorType"); e != tc.errorType {
				t.Errorf("x-amzn-ErrorType %q, want %q", e, tc.errorType)
			}
			if gr := got.header.Get("X-Gateway-Response"); gr != tc.responseType {
				t.Errorf("gateway response %q, want %q", gr, tc.responseType)
			}
			if o := got.header.Get("Access-Control-Allow-Origin"); o != "http://app.test" {
				t.Errorf("the gateway response's CORS header is %q", o)
			}
			t.Logf("refused: %s", got.refused)
			if !strings.Contains(got.refused, tc.why) {
				t.Errorf("the refusal's explanation %q does not say %q", got.refused, tc.why)
			}
		})
	}
}

// accessLine is the runner's access log line in logs ("15:04:05.000 GET
// /v1/... 401 ..."), among the function's own lines.
func accessLine(logs, method string) string {
	for _, line := range strings.Split(logs, "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[1] == method && strings.HasPrefix(f[2], "/v1/") {
			return line
		}
	}
	return ""
}

// authorizerOf is requestContext.authorizer of an integration event, and
// the event.
func authorizerOf(t *testing.T, event []byte) (map[string]any, map[string]any) {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(event, &ev); err != nil {
		t.Fatal(err)
	}
	rc, _ := ev["requestContext"].(map[string]any)
	au, ok := rc["authorizer"].(map[string]any)
	if !ok {
		t.Fatalf("no requestContext.authorizer in %s", event)
	}
	return au, ev
}

func keysOf(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// TestLambdaAuthorizerContextReachesTheFunction: principalId, the context
// stringified (a null stays null), integrationLatency a number.
func TestLambdaAuthorizerContextReachesTheFunction(t *testing.T) {
	s := startGoAuthzServer(t)
	for _, tc := range []struct{ name, path, header, token string }{
		{"TOKEN", "/items/42", "Authorization", "allow.ctx"},
		{"REQUEST", "/req/42?tenant=acme", "X-Token", "allow.ctx"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := s.do(t, "GET", tc.path, map[string]string{tc.header: tc.token})
			if got.status != 200 || len(got.events) != 1 {
				t.Fatalf("status %d, %d events", got.status, len(got.events))
			}
			au, _ := authorizerOf(t, got.events[0])
			latency, ok := au["integrationLatency"].(float64)
			if !ok || latency < 0 {
				t.Errorf("integrationLatency %v (%T), want a number", au["integrationLatency"], au["integrationLatency"])
			}
			delete(au, "integrationLatency")
			want := map[string]any{"principalId": "user-allow.ctx", "str": "s", "num": "42", "bool": "true", "float": "1.5", "null": nil}
			if !reflect.DeepEqual(au, want) {
				t.Errorf("requestContext.authorizer mismatch (-want +got):\n- %v\n+ %v", want, au)
			}
		})
	}
}

// TestLambdaAuthorizerEvents: the authorizer's input, as the input page
// shows it, read back from what the function echoed into its context.
func TestLambdaAuthorizerEvents(t *testing.T) {
	s := startGoAuthzServer(t)
	apiID := localAPIID(s.g.api)

	got := s.do(t, "GET", "/items/42", map[string]string{"Authorization": "echo.1"})
	if got.status != 200 || len(got.events) != 1 {
		t.Fatalf("TOKEN: status %d, %d events", got.status, len(got.events))
	}
	au, _ := authorizerOf(t, got.events[0])
	var tok map[string]any
	if err := json.Unmarshal([]byte(au["event"].(string)), &tok); err != nil {
		t.Fatal(err)
	}
	wantTok := map[string]any{"type": "TOKEN", "authorizationToken": "echo.1",
		"methodArn": "arn:aws:execute-api:us-east-1:000000000000:" + apiID + "/v1/GET/items/42"}
	if !reflect.DeepEqual(tok, wantTok) {
		t.Errorf("TOKEN event mismatch (-want +got):\n- %v\n+ %v", wantTok, tok)
	}

	got = s.do(t, "GET", "/req/42?tenant=acme&tag=a&tag=b", map[string]string{"X-Token": "echo.2", "X-Extra": "x"})
	if got.status != 200 || len(got.events) != 1 {
		t.Fatalf("REQUEST: status %d, %d events", got.status, len(got.events))
	}
	au, proxy := authorizerOf(t, got.events[0])
	var req map[string]any
	if err := json.Unmarshal([]byte(au["event"].(string)), &req); err != nil {
		t.Fatal(err)
	}
	wantKeys := []string{"headers", "httpMethod", "methodArn", "multiValueHeaders", "multiValueQueryStringParameters", "path",
		"pathParameters", "queryStringParameters", "requestContext", "resource", "stageVariables", "type"}
	if k := keysOf(req); !slices.Equal(k, wantKeys) {
		t.Errorf("REQUEST event keys %v, want %v", k, wantKeys)
	}
	for key, want := range map[string]any{
		"type": "REQUEST", "methodArn": "arn:aws:execute-api:us-east-1:000000000000:" + apiID + "/v1/GET/req/42",
		"resource": "/req/{id}", "path": "/req/42", "httpMethod": "GET",
		"pathParameters":                  map[string]any{"id": "42"},
		"stageVariables":                  map[string]any{"env": "local"},
		"queryStringParameters":           map[string]any{"tenant": "acme", "tag": "b"},
		"multiValueQueryStringParameters": map[string]any{"tenant": []any{"acme"}, "tag": []any{"a", "b"}},
	} {
		if !reflect.DeepEqual(req[key], want) {
			t.Errorf("REQUEST event %s = %v, want %v", key, req[key], want)
		}
	}
	if h, _ := req["headers"].(map[string]any); h["X-Token"] != "echo.2" || h["X-Extra"] != "x" {
		t.Errorf("REQUEST event headers %v", h)
	}
	rc, _ := req["requestContext"].(map[string]any)
	prc, _ := proxy["requestContext"].(map[string]any)
	if _, ok := rc["authorizer"]; ok {
		t.Error("the authorizer's own requestContext has an authorizer key")
	}
	if rc["requestId"] != prc["requestId"] || rc["apiId"] != apiID || rc["resourcePath"] != "/req/{id}" || rc["stage"] != "v1" {
		t.Errorf("REQUEST requestContext %v; the integration's requestId %v", rc, prc["requestId"])
	}
}

// TestLambdaAuthorizerCache: a policy is cached by identity for the TTL and
// evaluated against each method it is used for; failures are not cached;
// TTL 0 invokes every time.
func TestLambdaAuthorizerCache(t *testing.T) {
	s := startGoAuthzServer(t)
	type step struct {
		name, method, path string
		header             map[string]string
		advance            int64 // seconds the clock moves first
		status             int
		invoked            int64
	}
	tok := func(v string) map[string]string { return map[string]string{"Authorization": v} }
	req := func(v string) map[string]string { return map[string]string{"X-Token": v} }
	for _, st := range []step{
		{"first request: a miss", "GET", "/items/1", tok("allow-get.a"), 0, 200, 1},
		{"same token, another GET: a hit", "GET", "/items/2", tok("allow-get.a"), 0, 200, 0},
		{"same token, a POST the cached policy does not cover: 403 from the cache", "POST", "/items", tok("allow-get.a"), 0, 403, 0},
		{"another token: a miss", "GET", "/items/2", tok("allow-get.b"), 0, 200, 1},
		{"within the TTL: a hit", "GET", "/items/3", tok("allow-get.a"), 299, 200, 0},
		{"past the TTL: a miss", "GET", "/items/3", tok("allow-get.a"), 2, 200, 1},
		{"a Deny is cached too", "GET", "/items/1", tok("deny.c"), 0, 403, 1},
		{"the cached Deny", "GET", "/items/1", tok("deny.c"), 0, 403, 0},
		{"an error is not cached", "GET", "/items/1", tok("error.d"), 0, 500, 1},
		{"the error again", "GET", "/items/1", tok("error.d"), 0, 500, 1},
		{"Unauthorized is not cached", "GET", "/items/1", tok("unauthorized.e"), 0, 401, 1},
		{"Unauthorized again", "GET", "/items/1", tok("unauthorized.e"), 0, 401, 1},
		{"TTL 0: invoked", "GET", "/fresh/1", tok("allow.f"), 0, 200, 1},
		{"TTL 0: invoked again", "GET", "/fresh/1", tok("allow.f"), 0, 200, 1},
		{"REQUEST: a miss", "GET", "/req/1?tenant=a", req("allow-get.g"), 0, 200, 1},
		{"REQUEST, same sources: a hit", "GET", "/req/2?tenant=a", req("allow-get.g"), 0, 200, 0},
		{"REQUEST, another value of one source: a miss", "GET", "/req/2?tenant=b", req("allow-get.g"), 0, 200, 1},
		{"REQUEST TTL 0: invoked", "GET", "/req-fresh/1?tenant=a", req("allow-get.g"), 0, 200, 1},
		{"REQUEST TTL 0: invoked again", "GET", "/req-fresh/1?tenant=a", req("allow-get.g"), 0, 200, 1},
	} {
		s.clock.Add(st.advance)
		got := s.do(t, st.method, st.path, st.header)
		if got.status != st.status || got.invoked != st.invoked {
			t.Errorf("%s: status %d, %d invocations; want %d, %d", st.name, got.status, got.invoked, st.status, st.invoked)
		}
	}
	if log := s.logs.String(); !strings.Contains(log, "cached for the identity by an earlier request") {
		t.Errorf("the 403 from the cache does not say the policy was cached:\n%s", log)
	}
}

// TestLambdaAuthorizerNode runs testdata/authorizer-node/index.mjs with
// AWS's Runtime Interface Client for Node.js, when scripts/noderic.sh has
// installed it.
func TestLambdaAuthorizerNode(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	ric := filepath.Join(root, ".tools", "noderic", "node_modules", "aws-lambda-ric", "index.mjs")
	cmd, missing := runtimes.NodeRuntime(ric)
	if missing != "" {
		t.Skipf("SKIPPED: no Node.js authorizer test: %s", missing)
	}
	dir, err := filepath.Abs("testdata/authorizer-node")
	if err != nil {
		t.Fatal(err)
	}
	fn := &loader.Function{Stack: "AuthzStack", LogicalID: "NodeAuthFn", Timeout: 3, MemoryMB: 128, Reserved: -1,
		Runtime: "nodejs22.x", Handler: "index.handler", AssetDir: dir}
	s := startAuthzServer(t, fn, append(slices.Clone(cmd), fn.Handler))
	for _, tc := range []struct {
		token  string
		status int
	}{{"allow.1", 200}, {"deny.1", 403}, {"unauthorized.1", 401}, {"error.1", 500}} {
		if got := s.do(t, "GET", "/fresh/1", map[string]string{"Authorization": tc.token}); got.status != tc.status || got.invoked != 1 {
			t.Errorf("%s: status %d, %d invocations; want %d, 1", tc.token, got.status, got.invoked, tc.status)
		}
	}
	got := s.do(t, "GET", "/fresh/1", map[string]string{"Authorization": "allow.2"})
	if len(got.events) != 1 {
		t.Fatalf("%d events", len(got.events))
	}
	if au, _ := authorizerOf(t, got.events[0]); au["principalId"] != "user-allow.2" || au["num"] != "42" {
		t.Errorf("requestContext.authorizer %v", au)
	}
}

// TestLambdaAuthorizerPython runs testdata/authorizer-python/index.py with
// AWS's Runtime Interface Client for Python, when scripts/pyric.sh has
// built it: allowed, denied, unauthorized and failing as API Gateway
// answers, and the policy's context reaches the route's function.
func TestLambdaAuthorizerPython(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	py := runtimes.PythonRuntimes(filepath.Join(root, ".tools", "pyric", "runtime"), "python3.12")["python3.12"]
	if py.Missing != "" {
		t.Skipf("SKIPPED: no Python authorizer test: %s", py.Missing)
	}
	dir, err := filepath.Abs("testdata/authorizer-python")
	if err != nil {
		t.Fatal(err)
	}
	fn := &loader.Function{Stack: "AuthzStack", LogicalID: "PythonAuthFn", Timeout: 3, MemoryMB: 128, Reserved: -1,
		Runtime: "python3.12", Handler: "index.lambda_handler", AssetDir: dir}
	s := startAuthzServer(t, fn, append(slices.Clone(py.Cmd), fn.Handler), py.Env...)
	for _, tc := range []struct {
		token  string
		status int
	}{{"allow.1", 200}, {"deny.1", 403}, {"unauthorized.1", 401}, {"error.1", 500}} {
		if got := s.do(t, "GET", "/fresh/1", map[string]string{"Authorization": tc.token}); got.status != tc.status || got.invoked != 1 {
			t.Errorf("%s: status %d, %d invocations; want %d, 1\n%s", tc.token, got.status, got.invoked, tc.status, s.logs.String())
		}
	}
	got := s.do(t, "GET", "/fresh/1", map[string]string{"Authorization": "allow.2"})
	if len(got.events) != 1 {
		t.Fatalf("%d events", len(got.events))
	}
	if au, _ := authorizerOf(t, got.events[0]); au["principalId"] != "user-allow.2" || au["num"] != "42" || au["bool"] != "true" {
		t.Errorf("requestContext.authorizer %v", au)
	}
	// Lambda's task root is read-only: no bytecode written into it.
	if _, err := os.Stat(filepath.Join(dir, "__pycache__")); err == nil {
		os.RemoveAll(filepath.Join(dir, "__pycache__"))
		t.Errorf("Python wrote __pycache__ into the function's folder")
	}
	// The failing authorizer's traceback, one log line per line.
	if log := s.logs.String(); !strings.Contains(log, "[ERROR] RuntimeError: the user database is down") ||
		!regexp.MustCompile(`(?m)PythonAuthFn \[[^\]]*\] Traceback \(most recent call last\):$`).MatchString(log) {
		t.Errorf("no Python traceback in the log:\n%s", log)
	}
}

// BenchmarkLambdaAuthorizer: the latency a TOKEN authorizer adds through
// the runner, as ratios to an open route measured in the same loop: a
// cache hit (no invocation) and a cache miss (a warm authorizer process).
func BenchmarkLambdaAuthorizer(b *testing.B) {
	s := startGoAuthzServer(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	get := func(path, token string) {
		req, _ := http.NewRequest("GET", s.url+path, nil)
		if token != "" {
			req.Header.Set("Authorization", token)
		}
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("%s %s: %d", path, token, resp.StatusCode)
		}
	}
	get("/items/1", "allow-get.hit") // warm the process and the cache
	get("/open", "")
	before := s.pool.Invocations()
	var open, hit, miss time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// The three in turns, so that none always follows the miss (whose
		// process is still going back to the pool).
		for k := range 3 {
			t0 := time.Now()
			switch (i + k) % 3 {
			case 0:
				get("/open", "")
				open += time.Since(t0)
			case 1:
				get("/items/1", "allow-get.hit")
				hit += time.Since(t0)
			case 2:
				get("/items/1", fmt.Sprintf("allow-get.miss%d", i))
				miss += time.Since(t0)
			}
		}
	}
	b.StopTimer()
	if n := s.pool.Invocations() - before; n != int64(b.N) {
		b.Fatalf("%d invocations for %d misses and %d hits: a cache hit invoked the authorizer", n, b.N, b.N)
	}
	s.events()
	n := float64(b.N)
	b.ReportMetric(float64(open.Microseconds())/n, "open-us/op")
	b.ReportMetric(float64(hit.Microseconds())/n, "hit-us/op")
	b.ReportMetric(float64(miss.Microseconds())/n, "miss-us/op")
	b.ReportMetric(float64(hit)/float64(open), "hit/open")
	b.ReportMetric(float64(miss)/float64(open), "miss/open")
}

// TestLambdaAuthorizerNotices: one line per authorizer with what the runner
// knows of it, a line for each part of its template the runner cannot
// check, and what is not evaluated.
func TestLambdaAuthorizerNotices(t *testing.T) {
	fn := &loader.Function{Stack: "AuthzStack", LogicalID: "AuthFn", Timeout: 1}
	api := authzAPI(fn)
	bad := []*loader.Authorizer{
		{Stack: "AuthzStack", LogicalID: "PathToken", Type: "TOKEN", IdentitySource: "method.request.path.id", TTL: 300, Function: fn},
		{Stack: "AuthzStack", LogicalID: "Lookbehind", Type: "TOKEN", IdentitySource: "method.request.header.Authorization", IdentityValidationExpression: "(?<=a)b", TTL: 0, Function: fn},
		{Stack: "AuthzStack", LogicalID: "Orphan", Type: "REQUEST", IdentitySource: "context.requestOverride.header.x", TTL: 0},
	}
	for i, au := range bad {
		api.Routes = append(api.Routes, &loader.Route{API: api, Method: "GET", Path: fmt.Sprintf("/bad%d", i), Resource: fmt.Sprintf("/bad%d", i),
			Authorization: "CUSTOM", Authorizer: au, Integration: "AWS_PROXY", TimeoutMillis: 29000})
	}
	_, notices, err := newGuards([]*loader.API{api}, Options{}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`AuthzStack/TokenAuth: TOKEN authorizer, function AuthFn, identity method.request.header.Authorization, validation "[a-z0-9.-]+", results cached 300 s by identity`,
		`AuthzStack/RequestAuthNoCache: REQUEST authorizer, function AuthFn, identity method.request.header.X-Token, method.request.querystring.tenant, not cached (TTL 0)`,
		`AuthzStack/PathToken: identity source "method.request.path.id" is not a header, query string, stage variable or context variable: not checked locally`,
		`AuthzStack/PathToken: a TOKEN authorizer's identity source must be one header (method.request.header.Name), not "method.request.path.id": its routes answer 500`,
		`AuthzStack/Lookbehind: the validation expression "(?<=a)b" is not one Go's regexp can run`,
		`AuthzStack/PathToken: TOKEN authorizer, function AuthFn, identity none, results cached 300 s by identity`,
		`AuthzStack/Orphan: identity source context.requestOverride.header.x is not emulated`,
		`Lambda authorizers: policy statements with Condition, NotAction or NotResource are skipped`,
	} {
		if !slices.ContainsFunc(notices, func(n string) bool { return strings.HasPrefix(n, want) }) {
			t.Errorf("no notice %q in:\n%s", want, strings.Join(notices, "\n"))
		}
	}
	// The loader reports an authorizer without a function (Orphan).
	if n := len(notices); n != 6+4+1 {
		t.Errorf("%d notices, want 11 (one per authorizer with a function, four problems, one summary):\n%s", n, strings.Join(notices, "\n"))
	}
}

// TestLambdaAuthorizerPrincipal: what the guard hands the API key check
// and the log: the principalId as the caller, usageIdentifierKey as the
// key usage plans count, and whether the policy came from the cache.
func TestLambdaAuthorizerPrincipal(t *testing.T) {
	s := startGoAuthzServer(t)
	var route *loader.Route
	for _, r := range s.g.api.Routes {
		if r.Path == "/items/{id}" {
			route = r
		}
	}
	for _, want := range []string{"CUSTOM TOKEN TokenAuth", "CUSTOM TOKEN TokenAuth (cached)"} {
		r, err := http.NewRequest("GET", s.url+"/items/7", nil)
		if err != nil {
			t.Fatal(err)
		}
		r.RequestURI = "/v1/items/7"
		r.RemoteAddr = "127.0.0.1:5555"
		r.Header.Set("Authorization", "allow.principal")
		p, ref := s.g.guard(r, route, nil, lambdaenv.NewRequestID())
		if ref != nil {
			t.Fatalf("refused: %+v", ref)
		}
		if p.Guard != want || p.Caller != "user-allow.principal" || p.UsageKey != "usage-key-1" {
			t.Errorf("principal %q, caller %q, usage key %q; want %q, user-allow.principal, usage-key-1", p.Guard, p.Caller, p.UsageKey, want)
		}
	}
}
