package streaming

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"

	"github.com/streamgate/streamgate/constructs/apiauth"
	"github.com/streamgate/streamgate/constructs/compliance"
	"github.com/streamgate/streamgate/constructs/customdomain"
	"github.com/streamgate/streamgate/constructs/monitoring"
	"github.com/streamgate/streamgate/constructs/wafsize"
)

// StreamingRestApiProps configure a StreamingRestApi. Every field is
// optional; nil props give a regional, IAM-authorized API with no routes.
type StreamingRestApiProps struct {
	// Routes to create with the API. More can be added with AddRoute.
	// Default: none.
	Routes *[]*RouteProps

	// IntegrationTimeout of streaming routes, 50 ms to 15 minutes.
	// Default: 15 minutes, the longest a stream may last.
	IntegrationTimeout awscdk.Duration

	// Authorization of every route that does not set its own.
	// Default: apiauth.Iam() (SigV4-signed requests).
	Authorization *apiauth.Authorization

	// Cors lets browsers on other origins call the API: preflight (OPTIONS)
	// methods; API Gateway's own error answers (4XX and 5XX gateway
	// responses) with Access-Control-Allow-Origin, so that a page reads a
	// 403 or 429 instead of a CORS failure; and the allowed origins in the
	// environment (cors.EnvConfig) of the Go handlers the construct builds,
	// which lambda/stream's Start and Wrap read to put the CORS headers on
	// every answer. API Gateway adds none to a Lambda proxy's answer: an
	// existing Function or an HTTP backend must send them itself, and an
	// ExistingRestApi gets preflights only. Default: no CORS.
	Cors *awsapigateway.CorsOptions

	// AccessLogGroup receives the stage's JSON access logs; pass one to share
	// it between APIs. Default: a new log group with LogRetention.
	AccessLogGroup awslogs.ILogGroup

	// LogRetention of the log groups the construct creates (access logs and
	// the Go handlers' logs). Default: ONE_MONTH.
	LogRetention awslogs.RetentionDays

	// LoggingLevel of the stage's execution logs (data tracing stays off).
	// Default: ERROR.
	LoggingLevel awsapigateway.MethodLoggingLevel

	// ThrottlingRateLimit is the stage's steady-state request rate, per second.
	// Default: 100.
	ThrottlingRateLimit *float64

	// ThrottlingBurstLimit is the stage's burst of requests. Default: 200.
	ThrottlingBurstLimit *float64

	// WebAcl guards the stage with a SizeLimitedWebAcl that other APIs may
	// share. Never with MaxRequestBodySize. Default: no web ACL.
	WebAcl *wafsize.SizeLimitedWebAcl

	// MaxRequestBodySize creates a SizeLimitedWebAcl for the stage that
	// refuses larger request bodies with 413, which the pages of the CORS
	// origins can read (a credentialed page only when Cors names one
	// origin: WarningWebAclWithoutCors says when not). Default: no web ACL.
	MaxRequestBodySize awscdk.Size

	// RestApiProps are passed to the new awsapigateway.RestApi after the
	// defaults above are applied to the fields left unset (endpoint REGIONAL,
	// stage "prod" with access logs, execution logs, metrics, X-Ray tracing
	// and throttling, CloudWatch role). Settings that break streaming
	// (stage caching, minimum compression size) are rejected.
	// Default: the defaults above.
	RestApiProps *awsapigateway.RestApiProps

	// ExistingRestApi adds the routes to an API that already exists instead of
	// creating one; its stage, logs and endpoint stay as they are. Never with
	// RestApiProps or AccessLogGroup. Default: a new API.
	ExistingRestApi awsapigateway.IRestApi
	// Compliance is the profile for regulated accounts (see package
	// compliance): encrypted log groups kept at least a year, handlers in a
	// VPC, a client certificate on the stage, SourceAccount on Lambda
	// permissions. Default: the profile applied to the scope with
	// compliance.Apply, else none.
	Compliance *compliance.Profile
	// Monitoring creates alarms per route (5xx share, handler errors,
	// throttles and duration, p90 time to first content), per stage (4xx, 5xx,
	// p99 latency) and on the web ACL, a time-to-first-content metric from the
	// access log, a dashboard and an SNS topic (see package monitoring). Not
	// with ExistingRestApi. Default: none.
	Monitoring *monitoring.MonitorProps
	// Domain serves the API on a custom domain: REGIONAL, TLS 1.2, the
	// stage mapped under a base path, a Route 53 alias with a hosted zone,
	// the custom URL as a stack output. Not with ExistingRestApi. Default:
	// none (the execute-api URL only).
	Domain *customdomain.DomainProps
	// RoutesPerStack is the most routes the API puts in one CloudFormation
	// stack. The API's own stack takes the first ones; the others go, in
	// order, into nested stacks (awscdk.NestedStack, ids "Routes1",
	// "Routes2", ...: the first in the API's stack, each next one in the
	// one before) with their resources, methods and Go handlers, each
	// stack with its own 500 resources and 1 MB template.
	// The REST API, its stage, deployment, web ACL, domain, monitoring and
	// CORS gateway responses stay in the API's stack; each nested stack's
	// methods are dependencies of the deployment, so a deploy puts new
	// routes live. A stack is also closed early when the next route would
	// not fit its limits. 0 keeps every route in the API's stack: a route
	// that does not fit stops synth. A whole number, 0 or more.
	// Default: automatic: routes go into the API's stack while they fit its
	// limits; from the first one that does not (which would otherwise stop
	// synth), into nested stacks, each filled to its limits. An API that
	// fits its stack gets no nested stack, and its template does not
	// change.
	RoutesPerStack *float64
}

// RouteProps configure one route: a method, a path and exactly one backend
// (Entry or Code for a Go handler built by the construct, Function for an
// existing Lambda function, HttpUrl for an HTTP backend).
type RouteProps struct {
	// Method is the HTTP method: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY.
	// Required.
	Method *string
	// Path of the route, e.g. "/exports/{name}" or "/files/{proxy+}".
	// Required.
	Path *string

	// Entry is the Go main package of the handler, built at synth: a directory
	// ("./handlers/records") or an import path. Default: none.
	Entry *string
	// Code is a prebuilt handler (with a `bootstrap` executable) used instead
	// of building Entry. Default: Entry built at synth.
	Code awslambda.Code
	// Function is an existing Lambda function to invoke (with
	// InvokeWithResponseStream when the route streams). Its timeout must not be
	// shorter than the integration timeout. Default: none.
	Function awslambda.IFunction
	// HttpUrl is an HTTP backend URL, proxied with HTTP_PROXY. Path parameters
	// named in both the route and the URL ("{id}") are passed through.
	// Default: none.
	HttpUrl *string

	// TransferMode of the integration response. Default: STREAM.
	TransferMode awsapigateway.ResponseTransferMode
	// IntegrationTimeout of this route. Default: the API's IntegrationTimeout
	// for streaming routes, 29 seconds for BUFFERED ones.
	IntegrationTimeout awscdk.Duration
	// Proxy selects a proxy integration (AWS_PROXY or HTTP_PROXY), the only
	// kind that can stream. Default: true.
	Proxy *bool
	// IntegrationResponses for a non-proxy BUFFERED route. Streaming routes
	// cannot transform responses. Default: none.
	IntegrationResponses *[]*awsapigateway.IntegrationResponse
	// RequestParameters the method requires or accepts, e.g.
	// {"method.request.querystring.from": true}; the request validator rejects
	// requests that lack a required one. Path parameters are added by
	// themselves. Default: the path parameters.
	RequestParameters *map[string]*bool
	// Authorization of this route. Default: the API's.
	Authorization *apiauth.Authorization

	// Environment of the Go handler. Default: none.
	Environment *map[string]*string
	// MemorySize of the Go handler in MB. Default: 512.
	MemorySize *float64
	// FunctionTimeout of the Go handler, never shorter than the integration
	// timeout. Default: the integration timeout.
	FunctionTimeout awscdk.Duration

	// ScopePermissionToMethod scopes the Lambda permissions that let API
	// Gateway invoke the route's function to the route's method (aws-cdk's
	// LambdaIntegrationOptions.ScopePermissionToMethod): two permissions per
	// route (one under the compliance profile) in the function's resource
	// policy, which Lambda caps at 20 KB. false gives the function one
	// permission for every method of the API instead, shared by all its
	// routes that are not scoped. Default: scoped to the method, unless
	// the function is shared (Function) and serves more than
	// MaxMethodScopedRoutes routes of the API: then one permission for the
	// API, and the per-method ones of its earlier routes are removed.
	ScopePermissionToMethod *bool

	// Id is the construct id of the route's Go handler. Default: derived from
	// the method and the path ("GET /jobs/{id}/progress" -> "GetJobsIdProgress").
	Id *string
}

// Route is a route of the API, with its resources.
type Route struct {
	// Method is the HTTP method, upper case.
	Method string
	// Path is the route's path.
	Path string
	// TransferMode is the integration's response transfer mode.
	TransferMode awsapigateway.ResponseTransferMode
	// IntegrationTimeout is the integration's timeout.
	IntegrationTimeout awscdk.Duration
	// Function is the Lambda function behind the route; nil for HTTP routes.
	Function awslambda.IFunction
	// FunctionLogGroup is the log group of a Go handler built by the
	// construct; nil otherwise.
	FunctionLogGroup awslogs.ILogGroup
	// ApiMethod is the API Gateway method (escape hatch:
	// ApiMethod.Node().DefaultChild().(awsapigateway.CfnMethod)).
	ApiMethod awsapigateway.Method
}
