package streaming

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/streamgate/streamgate/constructs/customdomain"
	"github.com/streamgate/streamgate/constructs/gofunction"
	"github.com/streamgate/streamgate/constructs/internal/propcheck"
)

var methods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true, "ANY": true}

// A path is "/" or "/"-separated segments of URL-safe characters or
// {param}; a greedy {param+} may only be the last segment.
var (
	// aws-cdk's Resource allows path parts of [a-zA-Z0-9:._-$] or {param}.
	segment      = regexp.MustCompile(`^([A-Za-z0-9._:$-]+|\{[A-Za-z_][A-Za-z0-9_]*\})$`)
	greedy       = regexp.MustCompile(`^\{[A-Za-z_][A-Za-z0-9_]*\+\}$`)
	allowedPaths = `"/" or "/"-separated segments of letters, digits and -._:$ or {param}, with an optional greedy {param+} last, e.g. "/exports/{name}"`
)

// validPath reports whether path is a valid API Gateway resource path.
func validPath(path string) bool {
	if path == "/" {
		return true
	}
	if !strings.HasPrefix(path, "/") || strings.HasSuffix(path, "/") {
		return false
	}
	segs := strings.Split(path[1:], "/")
	for i, s := range segs {
		if segment.MatchString(s) || (i == len(segs)-1 && greedy.MatchString(s)) {
			continue
		}
		return false
	}
	return true
}

func validateApi(p *propcheck.Problems, scope constructs.IConstruct, sp *StreamingRestApiProps) {
	if sp.ExistingRestApi != nil {
		validateExisting(p, sp)
	}
	if sp.Monitoring != nil {
		p.AddErr(sp.Monitoring.Validate("Monitoring"))
	}
	servedBy := customdomain.Regional
	if sp.RestApiProps != nil && isEdge(sp.RestApiProps) {
		servedBy = customdomain.CloudFront
	}
	p.CheckCors("Cors", sp.Cors, propcheck.CorsFields{AnyOrigin: true, Methods: true, Headers: true, Options: true})
	if sp.Domain != nil {
		p.AddErr(sp.Domain.Validate("Domain", scope, servedBy))
	}
	if sp.WebAcl != nil && sp.MaxRequestBodySize != nil {
		p.Add("MaxRequestBodySize", "set together with WebAcl", "one of them", "drop MaxRequestBodySize: the shared WebAcl has its own limit")
	}
	validateTimeout(p, "IntegrationTimeout", sp.IntegrationTimeout, awsapigateway.ResponseTransferMode_STREAM)
	if sp.Authorization != nil {
		p.AddErr(sp.Authorization.Validate("Authorization"))
	}
	for _, l := range []struct {
		name string
		v    *float64
	}{{"ThrottlingRateLimit", sp.ThrottlingRateLimit}, {"ThrottlingBurstLimit", sp.ThrottlingBurstLimit}} {
		if l.v != nil && propcheck.Resolved(l.v) && *l.v < 0 {
			p.Add(l.name, fmt.Sprint(*l.v), "0 or more requests", "set a non-negative limit")
		}
	}
	// The stage's MethodSetting takes the burst as an Integer.
	if b := sp.ThrottlingBurstLimit; b != nil && propcheck.Resolved(b) && *b >= 0 && *b != math.Trunc(*b) {
		p.Add("ThrottlingBurstLimit", fmt.Sprint(*b), "a whole number of requests", "round it")
	}
	if sp.RestApiProps != nil {
		validateRestAPIProps(p, sp.RestApiProps)
	}
	if n := sp.RoutesPerStack; n != nil {
		// Routes are placed at synth: a Token (known at deploy) cannot place them.
		if !propcheck.Resolved(n) || *n < 0 || *n != math.Trunc(*n) {
			p.Add("RoutesPerStack", fmt.Sprint(*n), "a whole number of routes known at synth, 0 or more (0: every route in the API's stack)",
				"leave it unset to let the API open nested stacks when its stack is full")
		}
	}
}

// validateExisting refuses what only applies to a new API.
func validateExisting(p *propcheck.Problems, sp *StreamingRestApiProps) {
	if sp.RestApiProps != nil {
		p.Add("RestApiProps", "set together with ExistingRestApi", "one of them", "drop RestApiProps, or drop ExistingRestApi to create a new API")
	}
	if sp.WebAcl != nil || sp.MaxRequestBodySize != nil {
		p.Add("WebAcl/MaxRequestBodySize", "set together with ExistingRestApi", "a web ACL only for a new API's stage",
			"associate a wafsize.SizeLimitedWebAcl with the existing API's stage yourself (Associate)")
	}
	if sp.AccessLogGroup != nil {
		p.Add("AccessLogGroup", "set together with ExistingRestApi", "an access log group only for a new API", "configure access logs on the existing API's stage")
	}
	if sp.Monitoring != nil {
		p.Add("Monitoring", "set together with ExistingRestApi", "monitoring only for a new API, whose stage and access log the construct makes",
			"monitor the API in the stack that creates it, or drop Monitoring")
	}
	if sp.Domain != nil {
		p.Add("Domain", "set together with ExistingRestApi", "a custom domain only for a new API, whose stage the construct makes",
			"map the existing API's stage to a domain where it is created, or drop Domain")
	}
}

// validateRestAPIProps refuses the RestApiProps that break streaming or
// take what the construct sets.
func validateRestAPIProps(p *propcheck.Problems, rp *awsapigateway.RestApiProps) {
	if rp.MinCompressionSize != nil || rp.MinimumCompressionSize != nil {
		p.Add("RestApiProps.MinCompressionSize", "set", "unset: API Gateway cannot compress (content-encode) a streamed response",
			"remove it; compress in the handler if you must, and set Content-Encoding yourself")
	}
	if rp.Deploy != nil && !*rp.Deploy {
		p.Add("RestApiProps.Deploy", "false", "true: the construct configures the stage's logs, tracing and throttling",
			"leave Deploy unset, or create the API yourself and pass it as ExistingRestApi")
	}
	if rp.DefaultIntegration != nil || rp.DefaultMethodOptions != nil {
		p.Add("RestApiProps.DefaultIntegration/DefaultMethodOptions", "set", "unset: each route sets its own streaming integration and authorization",
			"describe the routes in Routes, and authorization in Authorization")
	}
	if d := rp.DeployOptions; d != nil {
		if isTrue(d.CachingEnabled) || isTrue(d.CacheClusterEnabled) {
			p.Add("RestApiProps.DeployOptions.CachingEnabled/CacheClusterEnabled", "true", "false: a stage cache cannot hold a streamed response",
				"turn caching off; cache in the backend or in CloudFront in front of the API if you need to")
		}
		if d.MethodOptions != nil {
			for path, m := range *d.MethodOptions {
				if m != nil && isTrue(m.CachingEnabled) {
					p.Add(fmt.Sprintf("RestApiProps.DeployOptions.MethodOptions[%q].CachingEnabled", path), "true",
						"false: a stage cache cannot hold a streamed response", "turn caching off for the method")
				}
			}
		}
	}
}

func isTrue(b *bool) bool { return b != nil && *b }

// validateTimeout checks an integration timeout against the limits of its
// transfer mode. A Token passes to CloudFormation (which checks the range at
// deploy) when it is given in milliseconds, the unit of TimeoutInMillis: a
// Token in another unit cannot be converted at synth time.
func validateTimeout(p *propcheck.Problems, prop string, d awscdk.Duration, mode awsapigateway.ResponseTransferMode) {
	if d != nil && *d.IsUnresolved() {
		if unit := *d.UnitLabel(); unit != "millis" {
			p.Add(prop, "a Token in "+unit, "a literal duration, or a Token in milliseconds (TimeoutInMillis takes milliseconds, and a Token cannot be converted at synth time)",
				"pass awscdk.Duration_Millis(token), e.g. awscdk.Duration_Millis(param.ValueAsNumber())")
		}
		return
	}
	ms, ok := propcheck.Millis(d)
	if !ok {
		return
	}
	if ms < MinIntegrationTimeoutMillis || ms > MaxStreamingTimeoutMillis {
		p.Add(prop, propcheck.Human(d), fmt.Sprintf("50 milliseconds to 15 minutes (%s route)", strings.ToLower(string(mode))),
			"set a timeout in that range; a stream that needs more than 15 minutes must be split, or resumed by the client")
	}
}

func (a *StreamingRestApi) validateRoute(p *propcheck.Problems, prop string, r *RouteProps, keys map[string]bool, ids, vars map[string]string) {
	if r == nil {
		p.Add(prop, "nil", "a RouteProps with Method, Path and a backend", "remove the entry or fill it in")
		return
	}
	method, path := validateMethodPath(p, prop, r)
	if method == "OPTIONS" && a.corsPolicy != "" {
		p.Add(prop+".Method", "OPTIONS with Cors set", "another method: Cors adds the OPTIONS preflight to every path itself",
			"drop the OPTIONS route, or drop Cors and answer preflights in it")
	}
	if path != "" {
		validateVariableParts(p, prop+".Path", path, vars)
	}
	backends := validateBackend(p, prop, r)
	a.validateTransfer(p, prop, r)
	if r.Authorization != nil {
		p.AddErr(r.Authorization.Validate(prop + ".Authorization"))
	}
	if method != "" && path != "" {
		validateUnique(p, prop, r, method+" "+path, backends == 1, keys, ids)
	}
}

// validateVariableParts records the variable part ({id}, {proxy+}) of each
// level of path in vars (parent path -> part), and refuses a second,
// different one under the same parent: API Gateway allows one variable
// child per resource ("A sibling ({id}) of this resource already has a
// variable path part -- only one is allowed").
func validateVariableParts(p *propcheck.Problems, prop, path string, vars map[string]string) {
	if path == "/" {
		return
	}
	parent := ""
	for _, part := range strings.Split(path[1:], "/") {
		if strings.HasPrefix(part, "{") {
			key := parent + "/"
			if other, ok := vars[key]; ok && other != part {
				p.Add(prop, fmt.Sprintf("%q, whose %s is a sibling of another route's %s under %q", path, part, other, key),
					"one variable path part per level: API Gateway refuses a second", fmt.Sprintf("name it %s as in the other route", other))
				return
			}
			vars[key] = part
		}
		parent += "/" + part
	}
}

// validateMethodPath checks the route's method and path, and returns them
// ("" for one that is invalid).
func validateMethodPath(p *propcheck.Problems, prop string, r *RouteProps) (method, path string) {
	switch {
	case r.Method == nil:
		p.Add(prop+".Method", "unset", "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY", "set the route's method")
	case !propcheck.Resolved(r.Method):
		p.Add(prop+".Method", "a Token", "a method known at synth time: API Gateway methods are created from it", "use a literal method")
	case !methods[strings.ToUpper(*r.Method)]:
		p.Add(prop+".Method", propcheck.Quote(r.Method), "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY", "use one of those methods")
	default:
		method = strings.ToUpper(*r.Method)
	}
	switch {
	case r.Path == nil:
		p.Add(prop+".Path", "unset", allowedPaths, "set the route's path")
	case !propcheck.Resolved(r.Path):
		p.Add(prop+".Path", "a Token", "a path known at synth time: resources are created from it", "use a literal path")
	case !validPath(*r.Path):
		p.Add(prop+".Path", propcheck.Quote(r.Path), allowedPaths, "fix the path")
	default:
		path = *r.Path
	}
	return method, path
}

// validateBackend checks that the route has one backend, and the props
// that belong to it; it returns how many backends are set.
func validateBackend(p *propcheck.Problems, prop string, r *RouteProps) int {
	backends := 0
	for _, set := range []bool{r.Entry != nil || r.Code != nil, r.Function != nil, r.HttpUrl != nil} {
		if set {
			backends++
		}
	}
	if backends != 1 {
		p.Add(prop, fmt.Sprintf("a route with %d backends", backends), "exactly one of Entry (or Code), Function and HttpUrl",
			"give the route one backend")
	}
	if r.Entry != nil && r.Code == nil {
		if err := gofunction.CheckEntry(*r.Entry); err != nil {
			p.Addf("%s.%v.", prop, err) // the error starts with "Entry ..."
		}
	}
	if r.HttpUrl != nil && propcheck.Resolved(r.HttpUrl) && !strings.HasPrefix(*r.HttpUrl, "https://") && !strings.HasPrefix(*r.HttpUrl, "http://") {
		p.Add(prop+".HttpUrl", propcheck.Quote(r.HttpUrl), "an http:// or https:// URL", "give the backend's full URL")
	}
	if r.HttpUrl != nil && r.ScopePermissionToMethod != nil {
		p.Add(prop+".ScopePermissionToMethod", "set on an HTTP route", "only on a route with a Lambda function (Entry, Code or Function)",
			"drop ScopePermissionToMethod: API Gateway needs no Lambda permission for an HTTP backend")
	}
	if r.Entry == nil && r.Code == nil {
		for _, f := range []struct {
			name string
			set  bool
		}{{"MemorySize", r.MemorySize != nil}, {"Environment", r.Environment != nil}, {"FunctionTimeout", r.FunctionTimeout != nil}} {
			if f.set {
				p.Add(prop+"."+f.name, "set on a route without a Go handler", "only with Entry or Code, for the function the construct builds",
					"configure your own function, or drop "+f.name)
			}
		}
	}
	return backends
}

// validateTransfer checks the transfer mode and what it constrains: the
// timeouts (the function's at least the integration's), proxy
// integration and no response templates on a STREAM route.
func (a *StreamingRestApi) validateTransfer(p *propcheck.Problems, prop string, r *RouteProps) {
	mode := transferMode(r)
	stream := mode == awsapigateway.ResponseTransferMode_STREAM
	if mode != awsapigateway.ResponseTransferMode_STREAM && mode != awsapigateway.ResponseTransferMode_BUFFERED {
		p.Add(prop+".TransferMode", fmt.Sprintf("%q", mode), "STREAM or BUFFERED", "use awsapigateway.ResponseTransferMode_STREAM or _BUFFERED")
	}
	if r.IntegrationTimeout != nil {
		validateTimeout(p, prop+".IntegrationTimeout", r.IntegrationTimeout, mode)
	}
	p.CheckLambdaTimeout(prop+".FunctionTimeout", r.FunctionTimeout)
	if r.Proxy != nil && !*r.Proxy && stream {
		p.Add(prop+".Proxy", "false on a STREAM route", "a proxy integration (AWS_PROXY or HTTP_PROXY): only those can stream",
			"leave Proxy unset, or set TransferMode BUFFERED")
	}
	if stream && r.IntegrationResponses != nil {
		for i, ir := range *r.IntegrationResponses {
			if ir != nil && ir.ResponseTemplates != nil && len(*ir.ResponseTemplates) > 0 {
				p.Add(fmt.Sprintf("%s.IntegrationResponses[%d].ResponseTemplates", prop, i), "set on a STREAM route",
					"no response templates: API Gateway cannot transform a streamed response with VTL",
					"shape the response in the handler, or set TransferMode BUFFERED")
			}
		}
	}
	timeout := a.routeTimeout(r)
	want, ok := propcheck.Millis(timeout)
	if !ok {
		return
	}
	fnTimeout, fnProp := r.FunctionTimeout, prop+".FunctionTimeout"
	if r.Function != nil {
		fnTimeout, _ = functionTimeout(r.Function)
		fnProp = prop + ".Function.Timeout"
	}
	// Only Regional and private APIs can raise a BUFFERED timeout past 29 s:
	// https://aws.amazon.com/about-aws/whats-new/2024/06/amazon-api-gateway-integration-timeout-limit-29-seconds/
	if !stream && a.edge && want > DefaultBufferedTimeoutMillis {
		p.Add(prop+".IntegrationTimeout", propcheck.Human(timeout), "at most 29 seconds for a BUFFERED route of an EDGE API (only Regional and private APIs can raise it)",
			"set TransferMode STREAM (15 minutes), a REGIONAL endpoint, or a timeout of at most 29 seconds")
	}
	if got, ok := propcheck.Millis(fnTimeout); ok && got < want {
		p.Add(fnProp, propcheck.Human(fnTimeout),
			fmt.Sprintf("at least the integration timeout (%s), or the function stops while API Gateway still streams", propcheck.Human(timeout)),
			"raise the function's timeout, or lower IntegrationTimeout")
	}
}

// validateUnique checks that key (method and path) is the API's only such
// route, and that a route whose function the construct builds has a
// construct id no other route has.
func validateUnique(p *propcheck.Problems, prop string, r *RouteProps, key string, oneBackend bool, keys map[string]bool, ids map[string]string) {
	if keys[key] {
		p.Add(prop, fmt.Sprintf("a second %s route", key), "one route per method and path", "remove the duplicate, or change its method or path")
		return
	}
	keys[key] = true
	if oneBackend && r.Function == nil && r.HttpUrl == nil {
		id := routeID(r)
		if other, taken := ids[id]; taken {
			p.Add(prop+".Id", fmt.Sprintf("%q (derived from %s)", id, key), fmt.Sprintf("a construct id not used by %s", other),
				"set Id on one of the routes")
		}
		ids[id] = key
	}
}
