package devserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/streamgate/streamgate/internal/devserver/lambdaenv"
	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/internal/runtimeapi"
)

// Lambda authorizers (TOKEN and REQUEST) as API Gateway runs them for a
// REST API (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html):
//
//  1. the identity sources are read from the request; a TOKEN authorizer's
//     token that is missing, empty or not matched by the validation
//     expression, or a REQUEST authorizer's source that is missing or empty
//     when caching is on, is answered 401 without invoking the function;
//  2. a policy cached for the same identity (TTL seconds,
//     AuthorizerResultTtlInSeconds, 0: no cache) is used without invoking
//     the function; else the function is invoked with the event of
//     api-gateway-lambda-authorizer-input.html;
//  3. its error "Unauthorized" answers 401, any other error, a timeout or
//     an answer that is not a valid output answers 500;
//  4. the policy is evaluated against the method ARN of this request (a
//     cached policy too: a policy cached for one method may deny another),
//     an explicit Deny or no matching Allow answers 403;
//  5. principalId and the context reach the integration as
//     requestContext.authorizer.
//
// Every answer goes through the API's gateway responses (UNAUTHORIZED,
// ACCESS_DENIED, AUTHORIZER_CONFIGURATION_ERROR), so their CORS headers come
// along.

// The answers, as API Gateway sends them with its default gateway
// responses (types from
// https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html):
//   - 401 {"message":"Unauthorized"} for a missing or unvalidated identity
//     and for the function's error "Unauthorized", and only that error
//     (https://repost.aws/knowledge-center/api-gateway-401-error-lambda-authorizer);
//   - 403 for a deny, explicit or implicit
//     (https://repost.aws/knowledge-center/api-gateway-403-error-lambda-authorizer,
//     which writes the key in lower case; deployed APIs answer {"Message":
//     ...} with a capital M, as measured in
//     https://dev.to/marcogrcr/api-gateway-lambda-authorizer-lambda-proxy-integration-failure-modes-52bc);
//   - 500 {"message": null} with x-amzn-ErrorType
//     AuthorizerConfigurationException for any other error, an answer it
//     cannot read ("Could not parse policy" in its execution log) and a
//     timeout (the same measurements). AWS does not say which gateway
//     response type a timeout takes: AUTHORIZER_CONFIGURATION_ERROR here,
//     falling back to DEFAULT_5XX like every type.
var (
	refuseUnauthorized = refusal{Status: 401, Message: "Unauthorized", ResponseType: "UNAUTHORIZED", ErrorType: "UnauthorizedException"}
	refuseExplicitDeny = refusal{Status: 403, Body: map[string]string{"Message": "User is not authorized to access this resource with an explicit deny"},
		ResponseType: "ACCESS_DENIED", ErrorType: "AccessDeniedException"}
	refuseImplicitDeny = refusal{Status: 403, Body: map[string]string{"Message": "User is not authorized to access this resource"},
		ResponseType: "ACCESS_DENIED", ErrorType: "AccessDeniedException"}
	refuseAuthorizerFailed = refusal{Status: 500, Body: map[string]any{"message": nil},
		ResponseType: "AUTHORIZER_CONFIGURATION_ERROR", ErrorType: "AuthorizerConfigurationException"}
)

// maxMethodARN is the longest method ARN API Gateway authorizes: "For an
// authorization-enabled method ARN ... the maximum length is 1600 bytes ...
// the API client receives a 414 Request URI too long response" (the output
// page, and the quotas page's important notes).
const maxMethodARN = 1600

// authorizerGuard runs the Lambda authorizers of the APIs.
type authorizerGuard struct {
	authorizers map[*loader.Authorizer]*lambdaAuthorizer
	// invoke runs an authorizer's function with payload and returns its
	// answer, or the error message it reported (fnErr), or why it could
	// not run (err). Tests replace it.
	invoke func(ctx context.Context, g *gateway, au *loader.Authorizer, payload []byte) (answer []byte, fnErr string, err error)
	now    func() time.Time
}

// lambdaAuthorizer is one authorizer with what the runner prepared for it.
type lambdaAuthorizer struct {
	*loader.Authorizer
	sources    []identitySource
	validation *regexp.Regexp // TOKEN only; nil: none, or not one Go can run
	cache      *policyCache   // nil: TTL 0
}

func newAuthorizerGuard(apis []*loader.API, o Options) (*authorizerGuard, []string, error) {
	ag := &authorizerGuard{authorizers: map[*loader.Authorizer]*lambdaAuthorizer{}, now: time.Now}
	ag.invoke = invokeAuthorizer
	var notices []string
	for _, api := range apis {
		for _, r := range api.Routes {
			au := r.Authorizer
			if au == nil || au.Type == "COGNITO_USER_POOLS" || ag.authorizers[au] != nil {
				continue
			}
			la, n := prepareAuthorizer(au)
			ag.authorizers[au] = la
			notices = append(notices, n...)
		}
	}
	if len(ag.authorizers) > 0 {
		notices = append(notices, "Lambda authorizers: policy statements with Condition, NotAction or NotResource are skipped, not evaluated; "+
			"method ARNs name region us-east-1 and account "+localAccountID)
	}
	return ag, notices, nil
}

// describe is the one start-up line that says what the runner knows of an
// authorizer it runs; "" for one without a function, which the loader
// reports.
func (la *lambdaAuthorizer) describe() string {
	if la.Function == nil {
		return ""
	}
	srcs := "none"
	if len(la.sources) > 0 {
		var exprs []string
		for _, s := range la.sources {
			exprs = append(exprs, s.Expr)
		}
		srcs = strings.Join(exprs, ", ")
	}
	line := fmt.Sprintf("%s/%s: %s authorizer, function %s, identity %s", la.Stack, la.LogicalID, la.Type, la.Function.LogicalID, srcs)
	if la.validation != nil {
		line += fmt.Sprintf(", validation %q", la.IdentityValidationExpression)
	}
	if la.TTL > 0 {
		return line + fmt.Sprintf(", results cached %d s by identity", la.TTL)
	}
	return line + ", not cached (TTL 0)"
}

// prepareAuthorizer parses an authorizer's identity sources and validation
// expression; the notices say what of them the runner cannot check.
func prepareAuthorizer(au *loader.Authorizer) (*lambdaAuthorizer, []string) {
	la := &lambdaAuthorizer{Authorizer: au}
	name := au.Stack + "/" + au.LogicalID
	var notices []string
	sources, errs := parseIdentitySources(au.IdentitySource)
	for _, err := range errs {
		notices = append(notices, fmt.Sprintf("%s: %v: not checked locally", name, err))
	}
	for _, s := range sources {
		if s.Kind == "context" && !knownContextSource(s.Name) {
			notices = append(notices, fmt.Sprintf("%s: identity source context.%s is not emulated: not checked locally, nor part of the cache key", name, s.Name))
			continue
		}
		la.sources = append(la.sources, s)
	}
	if au.Type == "TOKEN" && (len(la.sources) != 1 || la.sources[0].Kind != "header") {
		notices = append(notices, fmt.Sprintf("%s: a TOKEN authorizer's identity source must be one header (method.request.header.Name), not %q: its routes answer 500", name, au.IdentitySource))
		la.sources = nil
	}
	if au.Type == "TOKEN" && au.IdentityValidationExpression != "" {
		// API Gateway matches the whole token (Java's Pattern.matches); Go's
		// RE2 has no lookaround or backreferences.
		re, err := regexp.Compile(`^(?:` + au.IdentityValidationExpression + `)$`)
		if err != nil {
			notices = append(notices, fmt.Sprintf("%s: the validation expression %q is not one Go's regexp can run (%v): tokens are not validated locally", name, au.IdentityValidationExpression, err))
		}
		la.validation = re
	}
	if au.TTL > 0 {
		la.cache = &policyCache{entries: map[string]cachedPolicy{}}
	}
	if d := la.describe(); d != "" {
		notices = append([]string{d}, notices...)
	}
	return la, notices
}

// policyCache holds an authorizer's answers by identity for its TTL.
type policyCache struct {
	mu      sync.Mutex
	entries map[string]cachedPolicy
}

type cachedPolicy struct {
	out     *authorizerOutput
	expires time.Time
}

// maxCached bounds a cache that a client sending a new token each time
// would grow; past it, expired entries go first, then all.
const maxCached = 10000

func (c *policyCache) get(key string, now time.Time) *authorizerOutput {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !now.Before(e.expires) {
		return nil
	}
	return e.out
}

func (c *policyCache) put(key string, out *authorizerOutput, now time.Time, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCached {
		for k, e := range c.entries {
			if !e.expires.After(now) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxCached {
			clear(c.entries)
		}
	}
	c.entries[key] = cachedPolicy{out, now.Add(ttl)}
}

// check runs the route's Lambda authorizer for r, in API Gateway's steps:
// the method ARN's length, the identity sources, the policy (cached, or
// the function's answer), its evaluation against the method ARN; p gets
// the principal and the context the integration sees.
func (ag *authorizerGuard) check(g *gateway, r *http.Request, route *loader.Route, requestID string, p *principal) *refusal {
	la := ag.authorizers[route.Authorizer]
	if la == nil || la.Function == nil || la.Type == "TOKEN" && la.sources == nil {
		// The loader and newAuthorizerGuard said why at start-up.
		return failed(refuseAuthorizerFailed, "the route's authorizer cannot be run locally (see the start-up notices)")
	}
	path, _ := stagePath(r, g.api.Stage)
	arn := methodARN(g.api, r.Method, path)
	if len(arn) > maxMethodARN {
		return &refusal{Status: 414, Message: "Request-URI Too Long",
			Why: fmt.Sprintf("the method ARN is %d bytes; API Gateway authorizes at most %d (a long path parameter makes it grow)", len(arn), maxMethodARN)}
	}
	values, missing := la.identity(g, r)
	if ref := la.checkIdentity(values, missing); ref != nil {
		return ref
	}
	call := authorizerCall{g: g, r: r, route: route, path: path, arn: arn, values: values, requestID: requestID}
	out, latency, cached, ref := ag.policy(la, call)
	if ref != nil {
		return ref
	}
	if cached {
		p.Guard += " (cached)"
	}
	p.Caller = out.PrincipalID
	if ref := la.decide(out, arn, cached, p.Guard); ref != nil {
		return ref
	}
	auth := map[string]any{}
	for k, v := range out.Context {
		auth[k] = v
	}
	auth["principalId"] = out.PrincipalID
	auth["integrationLatency"] = latency.Milliseconds()
	p.Authorizer = auth
	if out.UsageIdentifierKey != "" {
		p.UsageKey = out.UsageIdentifierKey
	}
	return nil
}

// checkIdentity refuses, as API Gateway does without invoking the
// authorizer, a TOKEN authorizer's missing token or one its validation
// expression does not match, and a REQUEST authorizer's missing identity
// source when caching is on.
func (la *lambdaAuthorizer) checkIdentity(values []string, missing string) *refusal {
	if la.Type == "TOKEN" {
		switch {
		case missing != "":
			return failed(refuseUnauthorized, fmt.Sprintf("no %s: API Gateway answers 401 without invoking the authorizer; send the token in that header", missing))
		case la.validation != nil && !la.validation.MatchString(values[0]):
			return failed(refuseUnauthorized, fmt.Sprintf("the token does not match the validation expression %q (the whole token must match): API Gateway answers 401 without invoking the authorizer; "+
				"send a token it matches, or change the authorizer's validation regex", la.IdentityValidationExpression))
		}
	} else if missing != "" && la.cache != nil {
		// Only when caching is on: "For the REQUEST authorizer, this is
		// required when authorization caching is enabled ... runtime
		// validation of the REQUEST authorizer by verifying all of the
		// identity-related request parameters are present, not null and
		// non-empty" (identitySource in the API reference,
		// https://docs.aws.amazon.com/apigateway/latest/api/API_Authorizer.html).
		return failed(refuseUnauthorized, fmt.Sprintf("no %s: with caching on (TTL %d s) API Gateway requires every identity source of a REQUEST authorizer, "+
			"and answers 401 without invoking it; send it, or set the authorizer's TTL to 0", missing, la.TTL))
	}
	return nil
}

// authorizerCall is the request an authorizer is asked about.
type authorizerCall struct {
	g         *gateway
	r         *http.Request
	route     *loader.Route
	path, arn string
	values    []string // the identity sources' values
	requestID string
}

// policy is the authorizer's answer for the call's identity: cached, or
// the function's (then cached for the authorizer's TTL); latency is how
// long the function took.
func (ag *authorizerGuard) policy(la *lambdaAuthorizer, c authorizerCall) (out *authorizerOutput, latency time.Duration, cached bool, ref *refusal) {
	key := strings.Join(c.values, "\x00")
	if la.cache != nil {
		if out = la.cache.get(key, ag.now()); out != nil {
			return out, 0, true, nil
		}
	}
	payload := la.event(c.g, c.r, c.route, c.path, c.arn, c.values, c.requestID)
	start := time.Now()
	answer, fnErr, err := ag.invoke(c.r.Context(), c.g, la.Authorizer, payload)
	latency = time.Since(start)
	switch {
	case err != nil:
		return nil, 0, false, failed(refuseAuthorizerFailed, fmt.Sprintf("the authorizer %s failed: %v (timeout %d s): API Gateway answers 500", la.Function.LogicalID, err, la.Function.Timeout))
	case fnErr == "Unauthorized":
		return nil, 0, false, failed(refuseUnauthorized, fmt.Sprintf("the authorizer %s answered the error \"Unauthorized\": API Gateway answers 401 to that error, and only to it", la.Function.LogicalID))
	case fnErr != "":
		return nil, 0, false, failed(refuseAuthorizerFailed, fmt.Sprintf("the authorizer %s answered the error %q: API Gateway answers 500 to any error but \"Unauthorized\" "+
			"(fix the error, or fail with exactly \"Unauthorized\" to refuse the caller with 401)", la.Function.LogicalID, fnErr))
	}
	if out, err = parseAuthorizerOutput(answer); err != nil {
		return nil, 0, false, failed(refuseAuthorizerFailed, fmt.Sprintf("the authorizer %s answered %.200q: %v; API Gateway answers 500 to an answer it cannot read "+
			"(it wants {\"principalId\": \"...\", \"policyDocument\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Action\": \"execute-api:Invoke\", \"Effect\": \"Allow\", \"Resource\": \"arn:...\"}]}}, "+
			"with an optional context of strings, numbers and booleans)", la.Function.LogicalID, answer, err))
	}
	if la.cache != nil {
		la.cache.put(key, out, ag.now(), time.Duration(la.TTL)*time.Second)
	}
	return out, latency, false, nil
}

// decide evaluates the policy against the method ARN: an explicit Deny,
// or no Allow that covers it, refuses with 403.
func (la *lambdaAuthorizer) decide(out *authorizerOutput, arn string, cached bool, guard string) *refusal {
	decision, i, skipped := evaluate(out.Statements, arn)
	var note string
	if len(skipped) > 0 {
		note = fmt.Sprintf(" (statements %v have %s, which the runner does not evaluate: skipped)", skipped, out.Statements[skipped[0]].Unsupported)
	}
	switch decision {
	case explicitDeny:
		return failedAs(refuseExplicitDeny, guard, fmt.Sprintf("principal %q: statement %d (Deny %v) matches %s, and a Deny wins over any Allow%s", out.PrincipalID, i, out.Statements[i].Resource, arn, note))
	case implicitDeny:
		why := fmt.Sprintf("principal %q: no statement allows %s (resources allowed: %.300s)%s; return an Allow whose Resource covers it (a * matches any characters)",
			out.PrincipalID, arn, allowedResources(out.Statements), note)
		if cached {
			// The classic surprise of a {proxy+} route behind a caching
			// authorizer: https://repost.aws/knowledge-center/api-gateway-lambda-authorization-errors
			why += fmt.Sprintf("; this policy was cached for the identity by an earlier request (TTL %d s) and is evaluated against every method it calls: "+
				"return a policy whose resources cover them all (a wildcard), or set the authorizer's TTL to 0", la.TTL)
		}
		return failedAs(refuseImplicitDeny, guard, why)
	}
	return nil
}

// allowedResources lists the Resource of the policy's Allow statements,
// for an implicit deny's explanation.
func allowedResources(statements []policyStatement) string {
	var rs []string
	for _, st := range statements {
		if st.Effect == "Allow" {
			rs = append(rs, st.Resource...)
		}
	}
	if len(rs) == 0 {
		return "none"
	}
	return strings.Join(rs, ", ")
}

// failed is one of the answers above with the runner's explanation.
func failed(ref refusal, why string) *refusal {
	ref.Why = why
	return &ref
}

func failedAs(ref refusal, guard, why string) *refusal {
	ref.Guard = guard
	return failed(ref, why)
}

// methodARN is the ARN API Gateway authorizes a request by:
// arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}, the
// path as received below the stage ("/" for the root: .../GET/), with the
// region, account and API id of the proxy event (event.go).
func methodARN(api *loader.API, method, path string) string {
	return "arn:aws:execute-api:us-east-1:" + localAccountID + ":" + localAPIID(api) + "/" + api.Stage + "/" + method + path
}

// identity reads the authorizer's identity sources from r, in their order;
// missing names the first that is missing or empty.
func (la *lambdaAuthorizer) identity(g *gateway, r *http.Request) (values []string, missing string) {
	var query map[string][]string
	for _, s := range la.sources {
		var v string
		switch s.Kind {
		case "header":
			if vs := r.Header.Values(s.Name); len(vs) > 0 {
				v = vs[len(vs)-1] // the last, as the event's headers map has it
			}
		case "multivalueheader":
			v = strings.Join(r.Header.Values(s.Name), ",")
		case "querystring", "multivaluequerystring":
			if query == nil {
				_, query = eventQuery(r.URL.RawQuery)
			}
			if vs := query[s.Name]; len(vs) > 0 {
				v = vs[len(vs)-1]
				if s.Kind == "multivaluequerystring" {
					v = strings.Join(vs, ",")
				}
			}
		case "stageVariables":
			v = g.api.StageVariables[s.Name]
		case "context":
			v = contextSource(g, r, s.Name)
		}
		if v == "" && missing == "" {
			missing = s.Expr
		}
		values = append(values, v)
	}
	return values, missing
}

// identitySource is one of an authorizer's IdentitySource expressions.
type identitySource struct {
	Expr string // as the template writes it
	// Kind is header, multivalueheader, querystring,
	// multivaluequerystring, stageVariables or context.
	Kind, Name string
}

// parseIdentitySources reads a comma-separated IdentitySource
// ("method.request.header.Auth, method.request.querystring.Name"): the
// mapping expressions of the request parameters, stage variables and
// context variables a REQUEST authorizer may name
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/configure-api-gateway-lambda-authorization.html);
// the errors are the expressions it does not know.
func parseIdentitySources(s string) ([]identitySource, []error) {
	var out []identitySource
	var errs []error
	for _, expr := range strings.Split(s, ",") {
		expr = strings.TrimSpace(expr)
		if expr == "" {
			continue
		}
		src := identitySource{Expr: expr}
		for _, prefix := range []string{"method.request.header.", "method.request.multivalueheader.", "method.request.querystring.",
			"method.request.multivaluequerystring.", "stageVariables.", "context."} {
			if name, ok := strings.CutPrefix(expr, prefix); ok && name != "" && !strings.ContainsAny(name, " \t") {
				src.Kind, src.Name = strings.TrimSuffix(strings.TrimPrefix(prefix, "method.request."), "."), name
				break
			}
		}
		if src.Kind == "" {
			errs = append(errs, fmt.Errorf("identity source %q is not a header, query string, stage variable or context variable", expr))
			continue
		}
		out = append(out, src)
	}
	return out, errs
}

// contextSources are the $context variables the runner can give as
// identity sources.
var contextSources = map[string]func(g *gateway, r *http.Request) string{
	"httpMethod":        func(g *gateway, r *http.Request) string { return r.Method },
	"stage":             func(g *gateway, r *http.Request) string { return g.api.Stage },
	"apiId":             func(g *gateway, r *http.Request) string { return localAPIID(g.api) },
	"accountId":         func(g *gateway, r *http.Request) string { return localAccountID },
	"domainName":        func(g *gateway, r *http.Request) string { return requestHost(r) },
	"protocol":          func(g *gateway, r *http.Request) string { return r.Proto },
	"identity.sourceIp": func(g *gateway, r *http.Request) string { return sourceIP(r) },
	"identity.userAgent": func(g *gateway, r *http.Request) string {
		return r.Header.Get("User-Agent")
	},
	"path": func(g *gateway, r *http.Request) string { return requestPath(r) },
}

func knownContextSource(name string) bool { return contextSources[name] != nil }

func contextSource(g *gateway, r *http.Request, name string) string {
	if f := contextSources[name]; f != nil {
		return f(g, r)
	}
	return ""
}

// tokenAuthorizerEvent is a TOKEN authorizer's input, key for key as the
// input page shows it.
type tokenAuthorizerEvent struct {
	Type               string `json:"type"`
	AuthorizationToken string `json:"authorizationToken"`
	MethodArn          string `json:"methodArn"`
}

// requestAuthorizerEvent is a REQUEST authorizer's input, with the keys of
// the input page's example. The page's requestContext is abridged ("...");
// the runner sends the proxy event's (event.go), the same request's id and
// identity, without authorizer. pathParameters is {} when the resource has
// none, as in the page's example (the proxy event has null).
type requestAuthorizerEvent struct {
	Type      string `json:"type"`
	MethodArn string `json:"methodArn"`
	proxyRequest
}

// event is the authorizer's input for r
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html).
func (la *lambdaAuthorizer) event(g *gateway, r *http.Request, route *loader.Route, path, arn string, values []string, requestID string) []byte {
	if la.Type == "TOKEN" {
		b, _ := json.Marshal(tokenAuthorizerEvent{Type: "TOKEN", AuthorizationToken: values[0], MethodArn: arn})
		return b
	}
	_, params := match([]*loader.Route{route}, r.Method, path)
	pe := g.event(r, route, path, params, nil, requestID, time.Now(), nil)
	ev := requestAuthorizerEvent{Type: "REQUEST", MethodArn: arn, proxyRequest: pe.proxyRequest}
	if ev.PathParameters == nil {
		ev.PathParameters = map[string]string{}
	}
	if route.APIKeyRequired {
		// The key the client sent, as the page's example has it; whether it
		// is a valid one is for the API key check after the authorizer.
		if k := r.Header.Get("x-api-key"); k != "" {
			ev.RequestContext.Identity.APIKey = &k
		}
	}
	b, _ := json.Marshal(ev)
	return b
}

// invokeAuthorizer runs the authorizer's function in the runner's pool for
// it, as a buffered invocation bounded by the function's timeout (the
// method's integration timeout does not apply to an authorizer: measured in
// https://zenn.dev/mn87/articles/8ffc61d9f585a6).
func invokeAuthorizer(ctx context.Context, g *gateway, au *loader.Authorizer, payload []byte) ([]byte, string, error) {
	p := g.pools[au.Function]
	if p == nil {
		return nil, "", fmt.Errorf("no process pool for %s", au.Function.LogicalID)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(au.Function.Timeout)*time.Second+time.Second)
	defer cancel()
	lambdaID := lambdaenv.NewRequestID()
	inv, err := p.Invoke(ctx, lambdaID, "authorizer "+au.LogicalID+" "+lambdaID[:8], payload)
	if err != nil {
		return nil, "", err
	}
	defer inv.Done()
	body, err := io.ReadAll(io.LimitReader(inv.Response.Body, MaxLambdaBuffered+1))
	inv.Response.Body.Close()
	if e := inv.Err(); e != nil {
		return nil, "", e
	}
	switch {
	case err != nil:
		return nil, "", err
	case len(body) > MaxLambdaBuffered:
		return nil, "", errors.New("its answer is over Lambda's 6 MB for a buffered invocation")
	case inv.Response.FunctionError:
		var e struct {
			ErrorMessage string `json:"errorMessage"`
			ErrorType    string `json:"errorType"`
		}
		if json.Unmarshal(body, &e) != nil || e.ErrorMessage == "" && e.ErrorType == "" {
			return nil, fmt.Sprintf("%.200s", body), nil
		}
		if e.ErrorMessage == "" {
			return nil, e.ErrorType, nil
		}
		return nil, e.ErrorMessage, nil
	case inv.Response.ContentType == runtimeapi.StreamingContentType:
		return nil, "", errors.New("it streamed its answer; an authorizer answers with one JSON document")
	}
	return body, "", nil
}
