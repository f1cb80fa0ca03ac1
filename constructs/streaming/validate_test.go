package streaming_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/apiauth"
	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/internal/cdktest"
)

var validationStack awscdk.Stack

// stack is a scratch stack for constructs that are expected to fail before
// they create anything.
func stack() awscdk.Stack {
	if validationStack == nil {
		validationStack = awscdk.NewStack(cdktest.NewApp(false), jsii.String("Validation"), nil)
	}
	return validationStack
}

func get200(path string) *streaming.RouteProps {
	return &streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String(path), Entry: jsii.String(handler)}
}

func failsWith(t *testing.T, props *streaming.StreamingRestApiProps, fragments ...string) string {
	t.Helper()
	msg := cdktest.PanicMessage(t, func() { streaming.NewStreamingRestApi(stack(), jsii.String("Api"), props) })
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Errorf("message lacks %q:\n%s", f, msg)
		}
	}
	return msg
}

func withRoute(r *streaming.RouteProps) *streaming.StreamingRestApiProps {
	return &streaming.StreamingRestApiProps{Routes: &[]*streaming.RouteProps{r}}
}

func TestFailsIntegrationTimeoutOutOfRange(t *testing.T) {
	failsWith(t, &streaming.StreamingRestApiProps{IntegrationTimeout: awscdk.Duration_Minutes(jsii.Number(16))},
		`StreamingRestApi "Validation/Api" has 1 invalid prop:`, "IntegrationTimeout is 16 minutes; allowed: 50 milliseconds to 15 minutes (stream route). Fix:")
	r := get200("/records")
	r.IntegrationTimeout = awscdk.Duration_Millis(jsii.Number(10))
	failsWith(t, withRoute(r), "Routes[0].IntegrationTimeout is 10 millis; allowed: 50 milliseconds to 15 minutes")
}

func TestFailsFunctionTimeoutShorterThanIntegration(t *testing.T) {
	r := get200("/records")
	r.FunctionTimeout = awscdk.Duration_Minutes(jsii.Number(1))
	failsWith(t, withRoute(r), "Routes[0].FunctionTimeout is 1 minute; allowed: at least the integration timeout (15 minutes)", "Fix: raise the function's timeout")

	short := awslambda.NewFunction(stack(), jsii.String("ThreeSeconds"), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_PROVIDED_AL2023(), Handler: jsii.String("bootstrap"),
		Code: awslambda.Code_FromAsset(jsii.String("testdata/prebuilt"), nil),
	})
	failsWith(t, withRoute(&streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String("/x"), Function: short}),
		"Routes[0].Function.Timeout is 3 seconds; allowed: at least the integration timeout (15 minutes)")
}

func TestFailsStageCaching(t *testing.T) {
	failsWith(t, &streaming.StreamingRestApiProps{RestApiProps: &awsapigateway.RestApiProps{
		DeployOptions: &awsapigateway.StageOptions{
			CacheClusterEnabled: jsii.Bool(true),
			MethodOptions:       &map[string]*awsapigateway.MethodDeploymentOptions{"/records/GET": {CachingEnabled: jsii.Bool(true)}},
		},
	}}, "2 invalid props",
		"RestApiProps.DeployOptions.CachingEnabled/CacheClusterEnabled is true; allowed: false: a stage cache cannot hold a streamed response",
		`RestApiProps.DeployOptions.MethodOptions["/records/GET"].CachingEnabled is true`)
}

func TestFailsMinimumCompressionSize(t *testing.T) {
	failsWith(t, &streaming.StreamingRestApiProps{RestApiProps: &awsapigateway.RestApiProps{MinCompressionSize: awscdk.Size_Kibibytes(jsii.Number(1))}},
		"RestApiProps.MinCompressionSize is set; allowed: unset: API Gateway cannot compress")
	failsWith(t, &streaming.StreamingRestApiProps{RestApiProps: &awsapigateway.RestApiProps{MinimumCompressionSize: jsii.Number(0)}},
		"RestApiProps.MinCompressionSize is set")
}

func TestFailsResponseTemplatesOnStreamingRoute(t *testing.T) {
	r := get200("/records")
	r.IntegrationResponses = &[]*awsapigateway.IntegrationResponse{{StatusCode: jsii.String("200"),
		ResponseTemplates: &map[string]*string{"application/json": jsii.String("{}")}}}
	failsWith(t, withRoute(r), "Routes[0].IntegrationResponses[0].ResponseTemplates is set on a STREAM route; allowed: no response templates")
}

func TestFailsNonProxyStreamingRoute(t *testing.T) {
	r := get200("/records")
	r.Proxy = jsii.Bool(false)
	failsWith(t, withRoute(r), "Routes[0].Proxy is false on a STREAM route; allowed: a proxy integration (AWS_PROXY or HTTP_PROXY)")
}

func TestFailsDuplicateRoute(t *testing.T) {
	failsWith(t, &streaming.StreamingRestApiProps{Routes: &[]*streaming.RouteProps{get200("/records"), {
		Method: jsii.String("get"), Path: jsii.String("/records"), HttpUrl: jsii.String("https://example.com"),
	}}}, "Routes[1] is a second GET /records route; allowed: one route per method and path")

	app := cdktest.NewApp(false)
	api := streaming.NewStreamingRestApi(awscdk.NewStack(app, jsii.String("Dup"), nil), jsii.String("Api"), withRoute(get200("/records")))
	msg := cdktest.PanicMessage(t, func() { api.AddRoute(get200("/records")) })
	if !strings.Contains(msg, "AddRoute is a second GET /records route") {
		t.Errorf("AddRoute duplicate: %s", msg)
	}
}

func TestFailsInvalidPathOrMethod(t *testing.T) {
	for _, path := range []string{"records", "/records/", "/a//b", "/{proxy+}/x", "/files/{}", "/a b", "/{1st}"} {
		failsWith(t, withRoute(get200(path)), "Routes[0].Path is \""+path+"\"; allowed: \"/\" or \"/\"-separated segments")
	}
	r := get200("/records")
	r.Method = jsii.String("FETCH")
	failsWith(t, withRoute(r), `Routes[0].Method is "FETCH"; allowed: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY`)
}

func TestFailsBackendCount(t *testing.T) {
	failsWith(t, withRoute(&streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String("/x")}),
		"Routes[0] is a route with 0 backends; allowed: exactly one of Entry (or Code), Function and HttpUrl")
	r := get200("/x")
	r.HttpUrl = jsii.String("ftp://example.com")
	failsWith(t, withRoute(r), "Routes[0] is a route with 2 backends", `Routes[0].HttpUrl is "ftp://example.com"; allowed: an http:// or https:// URL`)
}

func TestFailsHandlerSettingsWithoutHandler(t *testing.T) {
	failsWith(t, withRoute(&streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String("/x"),
		HttpUrl: jsii.String("https://example.com"), MemorySize: jsii.Number(256)}),
		"Routes[0].MemorySize is set on a route without a Go handler")
}

func TestFailsExistingApiWithApiProps(t *testing.T) {
	existing := awsapigateway.RestApi_FromRestApiAttributes(stack(), jsii.String("Imported"), &awsapigateway.RestApiAttributes{
		RestApiId: jsii.String("abc123"), RootResourceId: jsii.String("root1"),
	})
	failsWith(t, &streaming.StreamingRestApiProps{ExistingRestApi: existing, RestApiProps: &awsapigateway.RestApiProps{}},
		"RestApiProps is set together with ExistingRestApi; allowed: one of them")
}

func TestFailsNoDeployment(t *testing.T) {
	failsWith(t, &streaming.StreamingRestApiProps{RestApiProps: &awsapigateway.RestApiProps{Deploy: jsii.Bool(false)}},
		"RestApiProps.Deploy is false")
}

func TestFailsDerivedIdCollision(t *testing.T) {
	failsWith(t, &streaming.StreamingRestApiProps{Routes: &[]*streaming.RouteProps{get200("/a-b"), get200("/a_b")}},
		`Routes[1].Id is "GetAB" (derived from GET /a_b); allowed: a construct id not used by GET /a-b. Fix: set Id`)
}

func TestFailsEmptyAuthorization(t *testing.T) {
	failsWith(t, &streaming.StreamingRestApiProps{Authorization: apiauth.CognitoUserPools()},
		"Authorization is apiauth.CognitoUserPools() with no pool")
	r := get200("/x")
	r.Authorization = apiauth.Iam().WithScopes("read")
	failsWith(t, withRoute(r), "Routes[0].Authorization has scopes with IAM authorization")
}

func TestFailsReportsEveryProblemAtOnce(t *testing.T) {
	bad := get200("records")
	bad.Method = jsii.String("FETCH")
	bad.Proxy = jsii.Bool(false)
	msg := failsWith(t, &streaming.StreamingRestApiProps{
		IntegrationTimeout: awscdk.Duration_Minutes(jsii.Number(20)),
		Routes:             &[]*streaming.RouteProps{bad},
	}, "4 invalid props", "IntegrationTimeout is 20 minutes", "Routes[0].Method", "Routes[0].Path", "Routes[0].Proxy")
	if strings.Count(msg, "\n  - ") != 4 {
		t.Errorf("want one line per problem:\n%s", msg)
	}
}

func TestTokensAreNotMisvalidated(t *testing.T) {
	app := cdktest.NewApp(false)
	st := awscdk.NewStack(app, jsii.String("Tokens"), nil)
	seconds := awscdk.NewCfnParameter(st, jsii.String("Timeout"), &awscdk.CfnParameterProps{Type: jsii.String("Number"), Default: 60})
	url := awscdk.NewCfnParameter(st, jsii.String("Backend"), &awscdk.CfnParameterProps{Type: jsii.String("String")})
	fnSeconds := awscdk.NewCfnParameter(st, jsii.String("FunctionTimeout"), &awscdk.CfnParameterProps{Type: jsii.String("Number"), Default: 900})
	timeout := awscdk.Duration_Millis(seconds.ValueAsNumber())
	api := streaming.NewStreamingRestApi(st, jsii.String("Api"), &streaming.StreamingRestApiProps{
		IntegrationTimeout: timeout,
		Routes: &[]*streaming.RouteProps{
			{Method: jsii.String("GET"), Path: jsii.String("/proxy"), HttpUrl: url.ValueAsString()},
			{Method: jsii.String("GET"), Path: jsii.String("/buffered"), HttpUrl: jsii.String("https://example.com"),
				TransferMode: awsapigateway.ResponseTransferMode_BUFFERED, IntegrationTimeout: timeout},
			{Method: jsii.String("GET"), Path: jsii.String("/handler"), Entry: jsii.String(handler)},
			{Method: jsii.String("GET"), Path: jsii.String("/handler/own"), Entry: jsii.String(handler), FunctionTimeout: awscdk.Duration_Seconds(fnSeconds.ValueAsNumber())},
		},
	})
	if len(api.Routes) != 4 {
		t.Fatalf("routes = %d", len(api.Routes))
	}
	s := synth(t, st, api)
	want(t, "token timeout", get(methodOf(t, s, "GET", "/proxy"), "Integration", "TimeoutInMillis"), map[string]string{"Ref": "Timeout"})
	want(t, "token URL", get(methodOf(t, s, "GET", "/proxy"), "Integration", "Uri"), map[string]string{"Ref": "Backend"})
	// A Go handler behind a Token timeout runs up to the 15 minutes that
	// always cover it; its own Token timeout passes through.
	want(t, "handler timeout", get(methodOf(t, s, "GET", "/handler"), "Integration", "TimeoutInMillis"), map[string]string{"Ref": "Timeout"})
	want(t, "handler's function timeout", s.props(t, api.Route("GET", "/handler").Function)["Timeout"], 900)
	want(t, "token function timeout", s.props(t, api.Route("GET", "/handler/own").Function)["Timeout"], map[string]string{"Ref": "FunctionTimeout"})
}

// TestFailsTokenTimeoutsInTheWrongUnit: a Token cannot be converted at
// synth time, so a timeout must be given in the unit CloudFormation takes.
func TestFailsTokenTimeoutsInTheWrongUnit(t *testing.T) {
	n := awscdk.NewCfnParameter(stack(), jsii.String("Number"), &awscdk.CfnParameterProps{Type: jsii.String("Number")}).ValueAsNumber()
	r := get200("/x")
	r.IntegrationTimeout = awscdk.Duration_Minutes(n)
	r.FunctionTimeout = awscdk.Duration_Millis(n)
	failsWith(t, &streaming.StreamingRestApiProps{IntegrationTimeout: awscdk.Duration_Seconds(n), Routes: &[]*streaming.RouteProps{r}},
		"IntegrationTimeout is a Token in seconds; allowed: a literal duration, or a Token in milliseconds", "Fix: pass awscdk.Duration_Millis(token)",
		"Routes[0].IntegrationTimeout is a Token in minutes", "Routes[0].FunctionTimeout is a Token in millis; allowed: a literal duration, or a Token in seconds")
}

// TestFailsBadIds: ids become resource and metric names.
func TestFailsBadIds(t *testing.T) {
	msg := cdktest.PanicMessage(t, func() { streaming.NewStreamingRestApi(stack(), jsii.String("team api"), nil) })
	if !strings.Contains(msg, `id is "team api"; allowed: 1 to 128 letters, digits, ., - and _`) {
		t.Errorf("message: %s", msg)
	}
	msg = cdktest.PanicMessage(t, func() { streaming.NewStreamingRestApi(stack(), nil, nil) })
	if !strings.Contains(msg, `StreamingRestApi (no id) in "Validation" has 1 invalid prop:`) || !strings.Contains(msg, "id is nil") {
		t.Errorf("message: %s", msg)
	}
}

func TestFailsTokenMethodOrPath(t *testing.T) {
	p := awscdk.NewCfnParameter(stack(), jsii.String("Word"), &awscdk.CfnParameterProps{Type: jsii.String("String")})
	failsWith(t, withRoute(&streaming.RouteProps{Method: p.ValueAsString(), Path: p.ValueAsString(), HttpUrl: jsii.String("https://example.com")}),
		"Routes[0].Method is a Token; allowed: a method known at synth time", "Routes[0].Path is a Token; allowed: a path known at synth time")
}

func TestFailsEntryThatIsNotAMainPackage(t *testing.T) {
	r := get200("/x")
	r.Entry = jsii.String("github.com/streamgate/streamgate/lambda/stream")
	msg := cdktest.PanicMessage(t, func() { streaming.NewStreamingRestApi(stack(), jsii.String("NotMain"), withRoute(r)) })
	if !strings.Contains(msg, `Routes[0].Entry "github.com/streamgate/streamgate/lambda/stream" is package "stream"; allowed: a main package`) {
		t.Errorf("message: %s", msg)
	}
	r.Entry = jsii.String("./no/such/dir")
	msg = cdktest.PanicMessage(t, func() { streaming.NewStreamingRestApi(stack(), jsii.String("Missing"), withRoute(r)) })
	if !strings.Contains(msg, `Routes[0].Entry "./no/such/dir" is not a Go package that `+"`go list`"+` can find`) ||
		!strings.Contains(msg, "relative to the app's module root") || !strings.Contains(msg, "Fix:") {
		t.Errorf("message: %s", msg)
	}
	r.Entry = jsii.String("")
	msg = cdktest.PanicMessage(t, func() { streaming.NewStreamingRestApi(stack(), jsii.String("Empty"), withRoute(r)) })
	if !strings.Contains(msg, `Routes[0].Entry is ""; allowed: a handler's main package`) {
		t.Errorf("message: %s", msg)
	}
	r.Entry = jsii.String("github.com/streamgate/streamgate/apps/streaming")
	msg = cdktest.PanicMessage(t, func() { streaming.NewStreamingRestApi(stack(), jsii.String("App"), withRoute(r)) })
	if !strings.Contains(msg, `is a CDK app (it imports github.com/aws/aws-cdk-go/awscdk/v2), not a Lambda handler`) {
		t.Errorf("message: %s", msg)
	}
}

// TestFailsCleanlyOnAnAwsCdkError: a value streamgate passes on to aws-cdk
// as is, which aws-cdk refuses through jsii, stops synth with an error that
// names the construct and the value, not a jsii panic.
func TestFailsCleanlyOnAnAwsCdkError(t *testing.T) {
	msg := failsWith(t, &streaming.StreamingRestApiProps{Cors: &awsapigateway.CorsOptions{
		AllowOrigins: jsii.Strings("https://app.example.com"), MaxAge: awscdk.Duration_Millis(jsii.Number(1500))}},
		`StreamingRestApi "Validation/Api": aws-cdk refused a value while creating it: '1500 millis' cannot be converted into a whole number of seconds`,
		"Fix: correct the prop it names")
	if strings.Contains(msg, "goroutine") || strings.Contains(msg, "    at ") {
		t.Errorf("message carries a stack:\n%s", msg)
	}
}

// TestFailsWhatAPIGatewayOrTheCDKWouldRefuse: problems that surfaced only
// at deploy (sibling variable parts, a fractional burst, a BUFFERED
// timeout past 29 s on EDGE) or as aws-cdk's own one-at-a-time error
// (path characters, OPTIONS next to Cors) are listed at synth, each with
// its field.
func TestFailsWhatAPIGatewayOrTheCDKWouldRefuse(t *testing.T) {
	two := func(a, b string) *streaming.StreamingRestApiProps {
		return &streaming.StreamingRestApiProps{Routes: &[]*streaming.RouteProps{get200(a), get200(b)}}
	}
	failsWith(t, two("/items/{id}", "/items/{name}/parts"),
		`Routes[1].Path is "/items/{name}/parts", whose {name} is a sibling of another route's {id} under "/items/"; allowed: one variable path part per level`,
		"Fix: name it {id} as in the other route")
	failsWith(t, two("/files/{proxy+}", "/files/{id}"), `Routes[1].Path is "/files/{id}", whose {id} is a sibling of another route's {proxy+}`)
	failsWith(t, withRoute(get200("/a~b")), `Routes[0].Path is "/a~b"; allowed: "/" or "/"-separated segments of letters, digits and -._:$`)
	p := withRoute(&streaming.RouteProps{Method: jsii.String("OPTIONS"), Path: jsii.String("/x"), HttpUrl: jsii.String("https://example.com/x")})
	p.Cors = &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com")}
	failsWith(t, p, "Routes[0].Method is OPTIONS with Cors set; allowed: another method: Cors adds the OPTIONS preflight to every path itself")
	p = withRoute(get200("/r"))
	p.ThrottlingBurstLimit = jsii.Number(2.5)
	failsWith(t, p, "ThrottlingBurstLimit is 2.5; allowed: a whole number of requests")
	edge := get200("/slow")
	edge.TransferMode, edge.IntegrationTimeout = awsapigateway.ResponseTransferMode_BUFFERED, awscdk.Duration_Minutes(jsii.Number(2))
	p = withRoute(edge)
	p.RestApiProps = &awsapigateway.RestApiProps{EndpointTypes: &[]awsapigateway.EndpointType{awsapigateway.EndpointType_EDGE}}
	failsWith(t, p, "Routes[0].IntegrationTimeout is 2 minutes; allowed: at most 29 seconds for a BUFFERED route of an EDGE API")
}
