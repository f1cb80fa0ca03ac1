// Package streaming defines StreamingRestApi: a REST API whose routes stream
// their responses (ResponseTransferMode STREAM) from Go Lambda handlers,
// existing functions or HTTP backends, for up to 15 minutes and past the
// 10 MB buffered response limit.
//
//	api := streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{
//		Routes: &[]*streaming.RouteProps{{
//			Method: jsii.String("GET"),
//			Path:   jsii.String("/records"),
//			Entry:  jsii.String("github.com/streamgate/streamgate/examples/demo/records"),
//		}},
//	})
//	api.AddRoute(&streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String("/legacy"), HttpUrl: jsii.String("https://legacy.example.com/feed")})
//
// The defaults are the ones streaming needs on AWS: a REGIONAL endpoint
// (EDGE cuts streams idle for 30 s), 15-minute integration timeouts with
// handler timeouts to match, the response-streaming Lambda URI, JSON access
// logs with the transfer mode and time to first content, execution logs at
// ERROR without data tracing, X-Ray, stage throttling, a request validator,
// log retention and IAM authorization. Props that cannot work with
// streaming are rejected at synth time, all problems at once.
//
// A route with its own Go handler costs eight resources (function, role,
// policy, log group, resource, method, two Lambda permissions), so a stack
// passes CloudFormation's 500 at about 62 such routes. Routes are planned
// before they are built: the route that would pass 500 resources or a 1 MB
// template goes into a nested stack of the API (RoutesPerStack), or, with
// RoutesPerStack 0, stops synth with the counts by type and the ways out
// (one function shared by many routes with RouteProps.Function, which costs
// two resources per route; one "/{proxy+}" route served by
// lambda/httpstream; nested stacks). A function shared by more than MaxMethodScopedRoutes
// routes gets one Lambda permission for the API rather than two per route,
// which would overflow its 20 KB resource policy.
package streaming

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/apiauth"
	"github.com/streamgate/streamgate/constructs/compliance"
	"github.com/streamgate/streamgate/constructs/gofunction"
	"github.com/streamgate/streamgate/constructs/internal/nagack"
	"github.com/streamgate/streamgate/constructs/internal/profile"
	"github.com/streamgate/streamgate/constructs/internal/propcheck"
	"github.com/streamgate/streamgate/constructs/monitoring"
	"github.com/streamgate/streamgate/constructs/wafsize"
	"github.com/streamgate/streamgate/lambda/cors"
)

// Limits of API Gateway REST API integrations, from
// https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html and
// https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html,
// and the stage's defaults.
const (
	// MinIntegrationTimeoutMillis is the shortest integration timeout: 50 ms.
	MinIntegrationTimeoutMillis = 50
	// MaxStreamingTimeoutMillis is a streamed integration's longest
	// timeout: 15 minutes.
	MaxStreamingTimeoutMillis = 15 * 60 * 1000
	// DefaultBufferedTimeoutMillis is a buffered integration's default
	// (and, without a raised quota, longest) timeout: 29 s.
	DefaultBufferedTimeoutMillis = 29 * 1000
	// DefaultThrottlingRateLimit is the stage's default steady rate, in
	// requests per second.
	DefaultThrottlingRateLimit = 100.0
	// DefaultThrottlingBurstLimit is the stage's default burst, in
	// requests.
	DefaultThrottlingBurstLimit = 200.0
	// DefaultStageName is the stage's default name.
	DefaultStageName                 = "prod"
	defaultStreamingTimeoutInMinutes = 15
)

// WarningEdgeIdleTimeout is the id of the warning annotation for an EDGE endpoint.
const WarningEdgeIdleTimeout = "@streamgate/streaming:edgeIdleTimeout"

// WarningNoTimeToFirstContent is the id of the warning annotation for
// Monitoring on a stage whose access log the construct does not configure.
const WarningNoTimeToFirstContent = "@streamgate/streaming:noTimeToFirstByte"

// WarningBufferedTimeout is the id of the warning annotation for a BUFFERED
// route whose timeout needs a quota increase.
const WarningBufferedTimeout = "@streamgate/streaming:bufferedTimeout"

// WarningWebAclWithoutCors is the id of the warning annotation for a web
// ACL whose 413 some of the API's Cors origins cannot read: a shared
// WebAcl that does not name them, or the API's own when it allows
// credentials from several origins.
const WarningWebAclWithoutCors = "@streamgate/streaming:webAclWithoutCors"

// StreamingRestApi is a REST API whose routes stream their responses.
type StreamingRestApi struct {
	constructs.Construct

	// Api is the REST API the routes are on: the new one, or ExistingRestApi.
	Api awsapigateway.IRestApi
	// RestApi is the new REST API (escape hatch); nil with ExistingRestApi.
	RestApi awsapigateway.RestApi
	// Stage is the new API's deployment stage; nil with ExistingRestApi.
	Stage awsapigateway.Stage
	// AccessLogGroup receives the stage's access logs; nil with ExistingRestApi.
	AccessLogGroup awslogs.ILogGroup
	// RequestValidator validates the parameters and bodies of every route.
	RequestValidator awsapigateway.RequestValidator
	// Routes are the API's routes, in the order they were added.
	Routes []*Route
	// WebAcl guards the stage; nil unless WebAcl or MaxRequestBodySize was given.
	WebAcl *wafsize.SizeLimitedWebAcl
	// Url is the new stage's URL (also a stack output); nil with ExistingRestApi.
	Url *string
	// Monitor holds the alarms, their topic and the dashboard; nil without
	// the Monitoring prop.
	Monitor *monitoring.Monitor
	// Domain is the custom domain; nil without the Domain prop.
	Domain *Domain
	// NestedStacks are the nested stacks that hold routes (see
	// RoutesPerStack), in order: the first in the API's stack, each next
	// one in the one before; empty while every route is in the API's
	// stack.
	NestedStacks []awscdk.NestedStack

	timeout      awscdk.Duration
	auth         *apiauth.Authorization
	cors         *awsapigateway.CorsOptions // preflights still to add per resource (ExistingRestApi)
	corsPolicy   string                     // cors.EnvConfig of the Go handlers; "" without CORS
	corsPaths    map[string]bool
	logRetention awslogs.RetentionDays
	keys         map[string]bool // "GET /path"
	ids          map[string]string
	varParts     map[string]string // parent path -> its one variable child
	edge         bool              // a new EDGE API
	compliance   *compliance.Profile
	firstContent bool // the access log has the fields the time-to-first-content metric filter reads
	preflightAll bool // the new API adds an OPTIONS method to every resource
	planner      *planner
	// methodScoped are the methods of a shared function whose Lambda
	// permissions aws-cdk scoped to them, by the function's path.
	methodScoped map[string][]awsapigateway.Method
}

// ToString is the construct's path; it also lets the Go struct stand in for
// the construct it wraps when passed to the CDK as a scope.
func (a *StreamingRestApi) ToString() *string { return a.Node().Path() }

// NewStreamingRestApi creates the API (or takes ExistingRestApi) and its
// routes. Invalid props stop synth with every problem listed.
func NewStreamingRestApi(scope constructs.Construct, id *string, p *StreamingRestApiProps) *StreamingRestApi {
	defer propcheck.Guard("StreamingRestApi", scope, id)
	if p == nil {
		p = &StreamingRestApiProps{}
	}
	a := withDefaults(p)
	var routes []*RouteProps
	if p.Routes != nil {
		routes = *p.Routes
	}
	a.validate(scope, id, p, routes)

	constructs.NewConstruct_Override(a, scope, id)
	a.compliance = compliance.Of(a, p.Compliance)
	if p.ExistingRestApi != nil {
		a.Api = p.ExistingRestApi
	} else {
		a.createApi(p)
	}
	a.addWebAcl(p)
	a.RequestValidator = awsapigateway.NewRequestValidator(a, jsii.String("RequestValidator"), &awsapigateway.RequestValidatorProps{
		RestApi:                   a.Api,
		ValidateRequestBody:       jsii.Bool(true),
		ValidateRequestParameters: jsii.Bool(true),
	})
	a.addRoutes(routes)
	a.Node().AddValidation(&resourceLimitCheck{a})
	return a
}

// withDefaults is the construct's state before it exists: p's settings,
// or their defaults (a 15-minute integration timeout, IAM, the functions'
// log retention), and empty route tables.
func withDefaults(p *StreamingRestApiProps) *StreamingRestApi {
	a := &StreamingRestApi{
		timeout:      p.IntegrationTimeout,
		auth:         p.Authorization,
		cors:         p.Cors,
		corsPolicy:   propcheck.CorsPolicy(p.Cors),
		corsPaths:    map[string]bool{},
		logRetention: p.LogRetention,
		keys:         map[string]bool{},
		ids:          map[string]string{},
		varParts:     map[string]string{},
		edge:         p.RestApiProps != nil && isEdge(p.RestApiProps),
		planner:      newPlanner(p.RoutesPerStack),
		methodScoped: map[string][]awsapigateway.Method{},
	}
	if a.timeout == nil {
		a.timeout = awscdk.Duration_Minutes(jsii.Number(defaultStreamingTimeoutInMinutes))
	}
	if a.auth == nil {
		a.auth = apiauth.Iam()
	}
	if a.logRetention == "" {
		a.logRetention = gofunction.DefaultLogRetention
	}
	return a
}

// validate stops synth when the API's props or any of routes are
// invalid, listing every problem, before any construct exists.
func (a *StreamingRestApi) validate(scope constructs.Construct, id *string, p *StreamingRestApiProps, routes []*RouteProps) {
	problems := propcheck.NewProblems("StreamingRestApi", scope, id)
	problems.CheckUnique(scope, id)
	validateApi(problems, scope, p)
	planned := map[string]bool{}
	plannedIDs := map[string]string{}
	for i, r := range routes {
		a.validateRoute(problems, fmt.Sprintf("Routes[%d]", i), r, planned, plannedIDs, a.varParts)
	}
	problems.Check()
}

// addWebAcl associates the web ACL (WebAcl, or a new SizeLimitedWebAcl
// for MaxRequestBodySize) with the stage, or acknowledges that WAF is
// opt-in when there is none.
func (a *StreamingRestApi) addWebAcl(p *StreamingRestApiProps) {
	switch {
	case p.WebAcl != nil:
		a.WebAcl = p.WebAcl
		a.warnWebAclCors(p)
	case p.MaxRequestBodySize != nil:
		// The pages that call the API can read the web ACL's 413.
		acl := &wafsize.SizeLimitedWebAclProps{MaxBodySize: p.MaxRequestBodySize, LogRetention: a.logRetention, Compliance: a.compliance,
			Cors: propcheck.WebAclCors(p.Cors)}
		a.WebAcl = wafsize.NewSizeLimitedWebAcl(a, jsii.String("WebAcl"), acl)
		// Only credentials from several origins (or any) go unread.
		a.warnWebAclCors(p)
	}
	if a.WebAcl != nil {
		a.WebAcl.Associate(a.Stage)
		if a.Monitor != nil {
			a.Monitor.WebAcl(a.WebAcl.MetricName)
		}
	} else if a.Stage != nil {
		// The reason is template text, kept as deployed stacks have it: it
		// spells the construct and WebAcl as they were named before issue 28.
		nagack.Acknowledge(a.Stage, nagack.Rule{Id: "AwsSolutions-APIG3", Reason: "WAF is opt-in on StreamingRestAPI: its routes " +
			"take small requests and stream large responses, which WAF does not inspect. Set MaxRequestBodySize or WebACL to associate a size-limiting web ACL."})
	}
}

// warnWebAclCors warns when the web ACL's 413 cannot be read by a page on
// each Cors origin (with credentials, when the API allows them): WAF's
// answer replaces API Gateway's, CORS headers included, so such a page
// sees a network error, not the size limit. The ACL an API makes for
// MaxRequestBodySize names the API's origins, so it warns only when pages
// on several origins (or any) send credentials.
func (a *StreamingRestApi) warnWebAclCors(p *StreamingRestApiProps) {
	origins := propcheck.Origins(p.Cors)
	if len(origins) == 0 {
		return
	}
	acl := a.WebAcl
	one, credentials := propcheck.AllowOrigin(p.Cors)
	var unread []string
	for _, o := range origins {
		readable := acl.AllowOrigin == cors.AnyOrigin || acl.AllowOrigin == o
		if credentials {
			readable = acl.AllowCredentials && acl.AllowOrigin == o
		}
		if !readable && o == cors.AnyOrigin {
			unread = append(unread, "any origin")
		} else if !readable {
			unread = append(unread, o)
		}
	}
	if len(unread) == 0 {
		return
	}
	names := "no origin"
	if acl.AllowOrigin != "" {
		names = "only " + acl.AllowOrigin
	}
	if credentials && !acl.AllowCredentials {
		names += " and no Access-Control-Allow-Credentials (the API allows credentials)"
	}
	fix := "make the SizeLimitedWebAcl with Cors: &awsapigateway.CorsOptions{AllowOrigins: ...} naming the pages of every API it guards " +
		"(AllowCredentials needs one origin per web ACL)"
	if credentials && one == "" {
		fix = "with credentials, a web ACL's 413 answers one origin only (WAF's headers are literals and cannot name the request's own origin): " +
			"serve each origin's pages from an API with its own web ACL, or drop Cors.AllowCredentials if those pages need not send cookies or Authorization"
	}
	awscdk.Annotations_Of(a).AddWarningV2(jsii.String(WarningWebAclWithoutCors), jsii.String(fmt.Sprintf(
		"WebAcl %s names %s in its 413's CORS headers, so a page on %s sees a network error instead of the size limit's 413 "+
			"(WAF's answer replaces API Gateway's, CORS headers included). Fix: %s.",
		*acl.Node().Path(), names, strings.Join(unread, ", "), fix)), nil)
}

// addRoutes plans every route, and checks the stack's room, before the
// first handler is built; then it adds them.
func (a *StreamingRestApi) addRoutes(routes []*RouteProps) {
	a.planner.stack = countResources(awscdk.Stack_Of(a))
	plans := make([]routePlan, len(routes))
	for i, r := range routes {
		plans[i] = a.planRoute(r)
		a.placeRoute(fmt.Sprintf("Routes[%d] (%s %s)", i, strings.ToUpper(*r.Method), *r.Path), &plans[i])
	}
	a.warnResourceQuota()
	for i, r := range routes {
		a.addRoute(r, plans[i])
	}
}

func (a *StreamingRestApi) createApi(p *StreamingRestApiProps) {
	rp, ownRole := a.restApiProps(p)
	stage := a.stageOptions(p, &rp)
	rp.DeployOptions = &stage
	if isEdge(&rp) {
		awscdk.Annotations_Of(a).AddWarningV2(jsii.String(WarningEdgeIdleTimeout), jsii.String(
			"EDGE endpoint: CloudFront closes a stream that sends nothing for 30 seconds (REGIONAL and PRIVATE allow 5 minutes). "+
				"Use a REGIONAL endpoint (the default), or send an SSE comment at least every 15 seconds."), nil)
	}
	a.preflightAll = rp.DefaultCorsPreflightOptions != nil
	a.RestApi = awsapigateway.NewRestApi(a, jsii.String("Resource"), &rp)
	a.Api = a.RestApi
	if p.Cors != nil {
		corsGatewayResponses(a.RestApi, p.Cors)
	}
	a.Stage = a.RestApi.DeploymentStage()
	a.Url = a.RestApi.Url()
	if p.Domain != nil {
		a.Domain = a.addDomain(p.Domain, isEdge(&rp))
	}
	if p.Monitoring != nil {
		a.addMonitoring(p, rp.RestApiName, stage.StageName)
	}
	if ownRole {
		a.Stage.Node().AddDependency(accountLogging(a, a.compliance != nil))
	}
	if a.compliance != nil {
		nagack.Acknowledge(a.Stage, nagack.Regulated("APIGWCacheEnabledAndEncrypted", "Streamed responses (ResponseTransferMode STREAM) cannot be cached: "+
			"API Gateway does not support a stage cache with response streaming, and responses of these APIs are per caller (records, presigned URLs), "+
			"which a cache must not serve to another caller.")...)
	}
}

// restApiProps are Props.RestApiProps with the construct's defaults: the
// name from the construct path, a REGIONAL endpoint, CORS preflights, and
// no CloudWatch role of CDK's (ownRole: the stack's one is used instead).
func (a *StreamingRestApi) restApiProps(p *StreamingRestApiProps) (rp awsapigateway.RestApiProps, ownRole bool) {
	if p.RestApiProps != nil {
		rp = *p.RestApiProps
	}
	if rp.RestApiName == nil {
		// The construct path, not the id: the API's metrics are keyed by
		// name (ApiName), and two APIs with one id in a stack (two
		// PresignedUploadApis' "Api") would otherwise mix them.
		rp.RestApiName = jsii.String(strings.ReplaceAll(*a.Node().Path(), "/", "-"))
	}
	if rp.EndpointTypes == nil && rp.EndpointConfiguration == nil {
		rp.EndpointTypes = &[]awsapigateway.EndpointType{awsapigateway.EndpointType_REGIONAL}
	}
	ownRole = rp.CloudWatchRole == nil
	if ownRole {
		// Execution logs need the account's CloudWatch role: one per stack
		// without a managed policy (accountLogging), not one per API.
		rp.CloudWatchRole = jsii.Bool(false)
	}
	if rp.DefaultCorsPreflightOptions == nil && a.cors != nil {
		rp.DefaultCorsPreflightOptions = a.cors
		a.cors = nil // the API adds preflights to every resource itself
	}
	return rp, ownRole
}

// stageOptions are rp's DeployOptions with the construct's defaults: the
// stage name, access logs (a log group of the construct's unless given),
// logging, metrics, tracing, throttling, and under the compliance profile
// a client certificate.
func (a *StreamingRestApi) stageOptions(p *StreamingRestApiProps, rp *awsapigateway.RestApiProps) awsapigateway.StageOptions {
	stage := awsapigateway.StageOptions{}
	if rp.DeployOptions != nil {
		stage = *rp.DeployOptions
	}
	if stage.StageName == nil {
		stage.StageName = jsii.String(DefaultStageName)
	}
	if stage.AccessLogDestination == nil {
		logs := p.AccessLogGroup
		if logs == nil {
			logs = awslogs.NewLogGroup(a, jsii.String("AccessLogs"), compliance.LogGroupProps(a, a.compliance, a.logRetention, nil))
		}
		a.AccessLogGroup = logs
		stage.AccessLogDestination = awsapigateway.NewLogGroupLogDestination(logs)
	}
	if stage.AccessLogFormat == nil {
		if p.Monitoring != nil {
			// The time-to-first-content metric filter tells this API's
			// requests from others' in a shared log group by apiId.
			stage.AccessLogFormat = accessLogFormat(true)
			a.firstContent = true
		} else {
			stage.AccessLogFormat = AccessLogFormat()
		}
	}
	if stage.LoggingLevel == "" {
		stage.LoggingLevel = p.LoggingLevel
		if stage.LoggingLevel == "" {
			stage.LoggingLevel = awsapigateway.MethodLoggingLevel_ERROR
		}
	}
	if stage.DataTraceEnabled == nil {
		stage.DataTraceEnabled = jsii.Bool(false)
	}
	if stage.MetricsEnabled == nil {
		stage.MetricsEnabled = jsii.Bool(true)
	}
	if stage.TracingEnabled == nil {
		stage.TracingEnabled = jsii.Bool(true)
	}
	if stage.ThrottlingRateLimit == nil {
		stage.ThrottlingRateLimit = orNumber(p.ThrottlingRateLimit, DefaultThrottlingRateLimit)
	}
	if stage.ThrottlingBurstLimit == nil {
		stage.ThrottlingBurstLimit = orNumber(p.ThrottlingBurstLimit, DefaultThrottlingBurstLimit)
	}
	if a.compliance != nil && stage.ClientCertificateId == nil {
		// API Gateway presents it to HTTP backends, which can then tell
		// its requests from others' (NIST/HIPAA/PCI APIGWSSLEnabled).
		cert := awsapigateway.NewCfnClientCertificate(a, jsii.String("ClientCertificate"), &awsapigateway.CfnClientCertificateProps{
			Description: jsii.String("streamgate: " + *a.Node().Path() + " to its HTTP backends"),
		})
		stage.ClientCertificateId = cert.Ref()
	}
	return stage
}

// addMonitoring creates the monitor, its stage alarms and, when the
// construct owns the access log format, the time-to-first-content metric.
func (a *StreamingRestApi) addMonitoring(p *StreamingRestApiProps, apiName, stageName *string) {
	mp := *p.Monitoring
	mp.ApiName, mp.StageName = apiName, stageName
	a.Monitor = monitoring.NewMonitor(a, jsii.String("Monitoring"), &mp)
	if a.compliance != nil && a.Monitor.TopicKey != nil {
		compliance.LimitGrantsToAwsServices(a.Monitor.TopicKey)
	}
	a.Monitor.Stage(a.timeout)
	if a.firstContent && a.AccessLogGroup != nil {
		a.Monitor.TimeToFirstContent(a.AccessLogGroup, a.RestApi.RestApiId())
	} else {
		awscdk.Annotations_Of(a).AddWarningV2(jsii.String(WarningNoTimeToFirstContent), jsii.String(
			"Monitoring: the stage has its own access log format or destination, so the time-to-first-content metric and its alarms are not created."), nil)
	}
}

func orNumber(v *float64, def float64) *float64 {
	if v != nil {
		return v
	}
	return jsii.Number(def)
}

// AccessLogFormat is the JSON access log format of StreamingRestApi stages:
// the standard fields plus the transfer mode (BUFFERED or STREAMED), the time
// to all headers and to first content, and the latencies. With Monitoring,
// the API's id comes first.
func AccessLogFormat() awsapigateway.AccessLogFormat { return accessLogFormat(false) }

func accessLogFormat(apiID bool) awsapigateway.AccessLogFormat {
	fields := [][2]string{
		{"requestId", "$context.requestId"},
		{"extendedRequestId", "$context.extendedRequestId"},
		{"ip", "$context.identity.sourceIp"},
		{"caller", "$context.identity.caller"},
		{"user", "$context.identity.user"},
		{"requestTime", "$context.requestTime"},
		{"httpMethod", "$context.httpMethod"},
		{"resourcePath", "$context.resourcePath"},
		{"status", "$context.status"},
		{"protocol", "$context.protocol"},
		{"responseLength", "$context.responseLength"},
		{"responseTransferMode", "$context.integration.responseTransferMode"},
		{"timeToAllHeaders", "$context.integration.timeToAllHeaders"},
		{"timeToFirstContent", "$context.integration.timeToFirstContent"},
		{"latency", "$context.responseLatency"},
		{"integrationLatency", "$context.integration.latency"},
		{"integrationStatus", "$context.integration.status"},
		{"errorMessage", "$context.error.message"},
	}
	if apiID {
		fields = append([][2]string{{"apiId", "$context.apiId"}}, fields...)
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = fmt.Sprintf("%q:%q", f[0], f[1])
	}
	return awsapigateway.AccessLogFormat_Custom(jsii.String("{" + strings.Join(parts, ",") + "}"))
}

func isEdge(rp *awsapigateway.RestApiProps) bool {
	var types []awsapigateway.EndpointType
	if rp.EndpointTypes != nil {
		types = append(types, *rp.EndpointTypes...)
	}
	if rp.EndpointConfiguration != nil && rp.EndpointConfiguration.Types != nil {
		types = append(types, *rp.EndpointConfiguration.Types...)
	}
	for _, t := range types {
		if t == awsapigateway.EndpointType_EDGE {
			return true
		}
	}
	return false
}

// AddRoute adds a route to the API. An invalid route stops synth with every
// problem listed.
func (a *StreamingRestApi) AddRoute(r *RouteProps) *Route {
	defer propcheck.Guard("StreamingRestApi", a.Node().Scope(), a.Node().Id())
	problems := propcheck.NewProblems("StreamingRestApi", a.Node().Scope(), a.Node().Id())
	a.validateRoute(problems, "AddRoute", r, a.keys, a.ids, a.varParts)
	problems.Check()
	plan := a.planRoute(r)
	a.placeRoute(fmt.Sprintf("AddRoute(%s %s), the API's route %d,", strings.ToUpper(*r.Method), *r.Path, len(a.Routes)+1), &plan)
	a.warnResourceQuota()
	return a.addRoute(r, plan)
}

// Route returns the route with method and path, or nil.
func (a *StreamingRestApi) Route(method, path string) *Route {
	for _, r := range a.Routes {
		if r.Method == strings.ToUpper(method) && r.Path == path {
			return r
		}
	}
	return nil
}

func (a *StreamingRestApi) addRoute(r *RouteProps, plan routePlan) *Route {
	method := strings.ToUpper(*r.Method)
	path := *r.Path
	mode := transferMode(r)
	timeout := a.routeTimeout(r)
	a.keys[method+" "+path] = true
	if ms, ok := propcheck.Millis(timeout); ok && mode == awsapigateway.ResponseTransferMode_BUFFERED && ms > DefaultBufferedTimeoutMillis {
		awscdk.Annotations_Of(a).AddWarningV2(jsii.String(WarningBufferedTimeout), jsii.String(fmt.Sprintf(
			"%s %s: a BUFFERED integration timeout of %s needs a raised quota (the default maximum is 29 seconds); STREAM allows 15 minutes without one.",
			method, path, propcheck.Human(timeout))), nil)
	}

	route := &Route{Method: method, Path: path, TransferMode: mode, IntegrationTimeout: timeout}
	var integration awsapigateway.Integration
	var fnTimeout awscdk.Duration // the handler's timeout, for the duration alarm
	scope := a.routeScope(plan)
	if r.HttpUrl != nil {
		integration = httpIntegration(r, method, path, mode, timeout)
	} else {
		integration, fnTimeout = a.lambdaIntegration(scope, r, route, plan)
	}
	a.addMethod(scope, r, route, integration)
	if r.HttpUrl == nil {
		a.scopePermissions(route, plan)
		if plan.room != nil {
			a.unstagePermissions(route)
		}
	}
	a.planner.pending -= plan.pending
	if a.Monitor != nil {
		a.Monitor.Route(method, path, mode, route.Function, fnTimeout)
	}
	a.Routes = append(a.Routes, route)
	return route
}

// httpIntegration proxies the route to its HttpUrl.
func httpIntegration(r *RouteProps, method, path string, mode awsapigateway.ResponseTransferMode, timeout awscdk.Duration) awsapigateway.Integration {
	return awsapigateway.NewHttpIntegration(r.HttpUrl, &awsapigateway.HttpIntegrationProps{
		Proxy:      jsii.Bool(r.Proxy == nil || *r.Proxy),
		HttpMethod: jsii.String(method),
		Options: &awsapigateway.IntegrationOptions{
			ResponseTransferMode: mode,
			Timeout:              timeout,
			RequestParameters:    httpPathParameters(path, *r.HttpUrl),
			IntegrationResponses: r.IntegrationResponses,
		},
	})
}

// lambdaIntegration integrates the route with its Function, or with the Go
// function it builds from Entry or Code (recorded in route), and returns
// the function's timeout when known.
func (a *StreamingRestApi) lambdaIntegration(scope constructs.Construct, r *RouteProps, route *Route, plan routePlan) (awsapigateway.Integration, awscdk.Duration) {
	fn, fnTimeout := r.Function, awscdk.Duration(nil)
	if fn == nil {
		var built *gofunction.GoFunction
		built, fnTimeout = a.newRouteFunction(scope, r, route)
		fn = built.Function
		route.FunctionLogGroup = built.LogGroup
	} else {
		fnTimeout, _ = functionTimeout(fn)
	}
	route.Function = fn
	opts := &awsapigateway.LambdaIntegrationOptions{
		Proxy:                jsii.Bool(r.Proxy == nil || *r.Proxy),
		ResponseTransferMode: route.TransferMode,
		Timeout:              route.IntegrationTimeout,
		IntegrationResponses: r.IntegrationResponses,
		// The compliance profile grants API Gateway's console no
		// test-invoke permission: one Lambda permission fewer per
		// route for Control Tower's CT.LAMBDA.PR.2 to read.
		AllowTestInvoke: allowTestInvoke(a.compliance),
	}
	if plan.apiScoped {
		// One permission for the whole API (test-invoke stage included,
		// so AllowTestInvoke, which aws-cdk ignores then, stays unset):
		// https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_apigateway.LambdaIntegrationOptions.html#scopepermissiontomethod
		opts.ScopePermissionToMethod = jsii.Bool(false)
		opts.AllowTestInvoke = nil
	}
	return awsapigateway.NewLambdaIntegration(fn, opts), fnTimeout
}

// scopePermissions follows the route's plan for its function's Lambda
// permissions once its method exists: it records the automatic per-method
// ones of a shared function, and when the function got its API-wide
// permission, removes those of earlier routes and, under the compliance
// profile, gives the new permission its SourceAccount.
func (a *StreamingRestApi) scopePermissions(route *Route, plan routePlan) {
	switch {
	case plan.autoMethodScoped:
		a.methodScoped[plan.fnKey] = append(a.methodScoped[plan.fnKey], route.ApiMethod)
	case plan.dropMethodScoped:
		for _, m := range a.methodScoped[plan.fnKey] {
			removeMethodPermissions(m)
		}
		delete(a.methodScoped, plan.fnKey)
	}
	if plan.apiScoped && a.compliance != nil {
		// aws-cdk's id for the permission (LambdaIntegration.bind), under the API.
		id := "ApiPermission.ApiScoped." + *awscdk.Names_NodeUniqueId(route.Function.Node()) + "." + *awscdk.Names_NodeUniqueId(a.Api.Node())
		if perm := a.Api.Node().TryFindChild(jsii.String(id)); perm != nil {
			profile.PermissionsWithSourceAccount(perm)
		}
	}
}

// newRouteFunction builds the route's Go function in scope (the API, or
// its nested stack), with a timeout that covers the integration's unless
// FunctionTimeout is set.
func (a *StreamingRestApi) newRouteFunction(scope constructs.Construct, r *RouteProps, route *Route) (*gofunction.GoFunction, awscdk.Duration) {
	fnID := routeID(r)
	a.ids[fnID] = route.Method + " " + route.Path
	fnTimeout := r.FunctionTimeout
	if fnTimeout == nil {
		if ms, ok := propcheck.Millis(route.IntegrationTimeout); ok {
			fnTimeout = awscdk.Duration_Seconds(jsii.Number(math.Ceil(ms / 1000)))
		} else {
			// A Token integration timeout is only known at deploy:
			// the longest a function may run always covers it.
			fnTimeout = awscdk.Duration_Minutes(jsii.Number(defaultStreamingTimeoutInMinutes))
		}
	}
	built := gofunction.NewGoFunction(scope, jsii.String(fnID), &gofunction.GoFunctionProps{
		Entry:        r.Entry,
		Code:         r.Code,
		MemorySize:   r.MemorySize,
		Timeout:      fnTimeout,
		Environment:  a.handlerEnvironment(r.Environment),
		Description:  jsii.String(fmt.Sprintf("%s %s (%s)", route.Method, route.Path, route.TransferMode)),
		LogRetention: a.logRetention,
		Compliance:   a.compliance,
	})
	nagack.Acknowledge(built.Function, ackSyncOnlyDLQ)
	if a.compliance != nil {
		nagack.Acknowledge(built.Function, nagack.Regulated("LambdaDLQ", ackSyncOnlyDLQ.Reason)...)
	}
	return built, fnTimeout
}

// addMethod adds the route's method to its resource, made in scope's stack
// if new (with a CORS preflight the first time a path is seen), with the
// route's authorization.
func (a *StreamingRestApi) addMethod(scope constructs.Construct, r *RouteProps, route *Route, integration awsapigateway.Integration) {
	auth := a.auth
	if r.Authorization != nil {
		auth = r.Authorization
	}
	opts := auth.MethodOptions(a, a.Api)
	opts.RequestValidator = a.RequestValidator
	opts.RequestParameters = methodParameters(route.Path, r.RequestParameters)

	resource := a.resourceFor(scope, route.Path)
	if a.cors != nil && !a.corsPaths[route.Path] {
		resource.AddCorsPreflight(a.cors)
		a.corsPaths[route.Path] = true
	}
	if stack := awscdk.Stack_Of(scope); *awscdk.Stack_Of(resource).Node().Path() != *stack.Node().Path() {
		// The path exists in another stack (the API's, or an earlier
		// nested one): the method, and its Lambda permissions, are made in
		// the route's own stack on that resource, where the planner
		// counted them (aws-cdk's Resource.AddMethod would make them in
		// the resource's stack).
		// "|" is in no path part: "/v1.2" and "/v1/2" stay two ids.
		id := "Method|" + route.Method + "|" + strings.ReplaceAll(route.Path, "/", "|")
		route.ApiMethod = awsapigateway.NewMethod(scope, jsii.String(id), &awsapigateway.MethodProps{
			Resource: resource, HttpMethod: jsii.String(route.Method), Integration: integration, Options: opts})
	} else {
		route.ApiMethod = resource.AddMethod(jsii.String(route.Method), integration, opts)
	}
	if a.compliance != nil {
		profile.PermissionsWithSourceAccount(route.ApiMethod)
	}
	nagack.Acknowledge(route.ApiMethod, nagack.ForAuthorization(auth.Kind())...)
}

// ackSyncOnlyDLQ acknowledges cdk-nag's DLQ rule on route handlers.
var ackSyncOnlyDLQ = nagack.Rule{Id: "Serverless-LambdaDLQ", Reason: "API Gateway invokes the handler synchronously and gets its errors " +
	"(a 5xx for the client, in-band error records for streams); a dead-letter queue only ever receives failed asynchronous invocations."}

func transferMode(r *RouteProps) awsapigateway.ResponseTransferMode {
	if r.TransferMode == "" {
		return awsapigateway.ResponseTransferMode_STREAM
	}
	return r.TransferMode
}

func (a *StreamingRestApi) routeTimeout(r *RouteProps) awscdk.Duration {
	switch {
	case r.IntegrationTimeout != nil:
		return r.IntegrationTimeout
	case transferMode(r) == awsapigateway.ResponseTransferMode_BUFFERED:
		return awscdk.Duration_Millis(jsii.Number(DefaultBufferedTimeoutMillis))
	default:
		return a.timeout
	}
}

var word = regexp.MustCompile(`[A-Za-z0-9]+`)

var pathParam = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\+?)\}`)

// methodParameters declares the route's path parameters as required, plus
// the caller's own parameters.
func methodParameters(path string, user *map[string]*bool) *map[string]*bool {
	m := map[string]*bool{}
	for _, p := range pathParam.FindAllStringSubmatch(path, -1) {
		m["method.request.path."+p[1]] = jsii.Bool(true)
	}
	if user != nil {
		for k, v := range *user {
			m[k] = v
		}
	}
	if len(m) == 0 {
		return nil
	}
	return &m
}

// httpPathParameters maps path parameters named in both the route and the
// backend URL.
func httpPathParameters(path, url string) *map[string]*string {
	inURL := map[string]bool{}
	for _, p := range pathParam.FindAllStringSubmatch(url, -1) {
		inURL[p[1]] = true
	}
	m := map[string]*string{}
	for _, p := range pathParam.FindAllStringSubmatch(path, -1) {
		if inURL[p[1]] {
			m["integration.request.path."+p[1]] = jsii.String("method.request.path." + p[1])
		}
	}
	if len(m) == 0 {
		return nil
	}
	return &m
}

// routeID is the construct id of a route's handler: "GET /jobs/{id}/progress"
// becomes "GetJobsIdProgress", "GET /" becomes "GetRoot".
func routeID(r *RouteProps) string {
	if r.Id != nil {
		return *r.Id
	}
	m := strings.ToUpper(*r.Method)
	id := m[:1] + strings.ToLower(m[1:])
	words := 0
	for _, w := range word.FindAllString(*r.Path, -1) {
		id += strings.ToUpper(w[:1]) + w[1:]
		words++
	}
	if words == 0 {
		id += "Root"
	}
	return id
}

// functionTimeout is fn's timeout when fn is a Function defined in this app.
func functionTimeout(fn awslambda.IFunction) (awscdk.Duration, bool) {
	f, ok := fn.(awslambda.Function)
	if !ok {
		return nil, false
	}
	t := f.Timeout()
	if t == nil {
		t = awscdk.Duration_Seconds(jsii.Number(3)) // Lambda's default
	}
	return t, true
}

// allowTestInvoke is nil (aws-cdk's default: allowed) without the profile,
// false with it.
func allowTestInvoke(p *compliance.Profile) *bool {
	if p == nil {
		return nil
	}
	return jsii.Bool(false)
}
