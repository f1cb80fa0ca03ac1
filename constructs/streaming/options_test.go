package streaming_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/apiauth"
	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/constructs/wafsize"
	"github.com/streamgate/streamgate/internal/cdktest"
	"github.com/streamgate/streamgate/lambda/cors"
)

var (
	options *synthed
	shared  awslogs.LogGroup
	authFn  awslambda.Function
)

// optionsStack sets every option of the API and its routes.
func optionsStack(t *testing.T) *synthed {
	if options != nil {
		return options
	}
	app := cdktest.NewApp(false)
	stack := awscdk.NewStack(app, jsii.String("Options"), nil)
	pool := awscognito.NewUserPool(stack, jsii.String("Pool"), nil)
	shared = awslogs.NewLogGroup(stack, jsii.String("Shared"), nil)
	authFn = awslambda.NewFunction(stack, jsii.String("Authorizer"), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_PROVIDED_AL2023(), Handler: jsii.String("bootstrap"),
		Code: awslambda.Code_FromAsset(jsii.String("testdata/prebuilt"), nil),
	})
	token := awsapigateway.NewTokenAuthorizer(stack, jsii.String("Token"), &awsapigateway.TokenAuthorizerProps{Handler: authFn})
	api := streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{
		IntegrationTimeout:   awscdk.Duration_Minutes(jsii.Number(5)),
		Authorization:        apiauth.CognitoUserPools(pool).WithScopes("api/read"),
		Cors:                 &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com")},
		AccessLogGroup:       shared,
		LogRetention:         awslogs.RetentionDays_ONE_WEEK,
		LoggingLevel:         awsapigateway.MethodLoggingLevel_INFO,
		ThrottlingRateLimit:  jsii.Number(10),
		ThrottlingBurstLimit: jsii.Number(20),
		RestApiProps: &awsapigateway.RestApiProps{
			RestApiName:   jsii.String("team-streams"),
			EndpointTypes: &[]awsapigateway.EndpointType{awsapigateway.EndpointType_EDGE},
			DeployOptions: &awsapigateway.StageOptions{StageName: jsii.String("v1")},
		},
		Routes: &[]*streaming.RouteProps{{
			Method: jsii.String("GET"), Path: jsii.String("/records"), Entry: jsii.String(handler),
			MemorySize:        jsii.Number(1024),
			Environment:       &map[string]*string{"MODE": jsii.String("fast")},
			RequestParameters: &map[string]*bool{"method.request.querystring.count": jsii.Bool(false)},
		}, {
			Method: jsii.String("GET"), Path: jsii.String("/open"), Entry: jsii.String(handler),
			Authorization: apiauth.None(),
		}, {
			Method: jsii.String("GET"), Path: jsii.String("/custom"), Code: awslambda.Code_FromAsset(jsii.String("testdata/prebuilt"), nil),
			Authorization:      apiauth.Lambda(token),
			IntegrationTimeout: awscdk.Duration_Seconds(jsii.Number(90)),
			FunctionTimeout:    awscdk.Duration_Minutes(jsii.Number(2)),
		}, {
			Method: jsii.String("POST"), Path: jsii.String("/slow"), Entry: jsii.String(handler),
			TransferMode:       awsapigateway.ResponseTransferMode_BUFFERED,
			IntegrationTimeout: awscdk.Duration_Seconds(jsii.Number(20)), // an EDGE API: 29 s at most
		}, {
			Method: jsii.String("POST"), Path: jsii.String("/transform"), Entry: jsii.String(handler),
			TransferMode: awsapigateway.ResponseTransferMode_BUFFERED, Proxy: jsii.Bool(false),
			IntegrationResponses: &[]*awsapigateway.IntegrationResponse{{StatusCode: jsii.String("200"),
				ResponseTemplates: &map[string]*string{"application/json": jsii.String(`{"ok":true}`)}}},
		}},
	})
	options = synth(t, stack, api)
	return options
}

func TestOptionCustomIntegrationTimeout(t *testing.T) {
	s := optionsStack(t)
	want(t, "TimeoutInMillis", get(methodOf(t, s, "GET", "/records"), "Integration", "TimeoutInMillis"), 300000)
	want(t, "handler Timeout follows the integration timeout", s.props(t, s.api.Route("GET", "/records").Function)["Timeout"], 300)
	want(t, "route TimeoutInMillis", get(methodOf(t, s, "GET", "/custom"), "Integration", "TimeoutInMillis"), 90000)
	want(t, "route FunctionTimeout", s.props(t, s.api.Route("GET", "/custom").Function)["Timeout"], 120)
}

func TestOptionCognitoAuthorization(t *testing.T) {
	s := optionsStack(t)
	s.tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::Authorizer"), jsii.Number(2)) // Cognito (shared by routes) + token
	s.tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Authorizer"), map[string]any{"Type": "COGNITO_USER_POOLS"})
	m := methodOf(t, s, "GET", "/records")
	want(t, "AuthorizationType", m["AuthorizationType"], "COGNITO_USER_POOLS")
	want(t, "AuthorizationScopes", m["AuthorizationScopes"], []string{"api/read"})
	if m["AuthorizerId"] == nil {
		t.Error("no AuthorizerId")
	}
	want(t, "a second Cognito route shares the authorizer", methodOf(t, s, "POST", "/slow")["AuthorizerId"], m["AuthorizerId"])
}

func TestOptionRouteAuthorizationOverrides(t *testing.T) {
	s := optionsStack(t)
	want(t, "None", methodOf(t, s, "GET", "/open")["AuthorizationType"], "NONE")
	m := methodOf(t, s, "GET", "/custom")
	want(t, "Lambda authorizer", m["AuthorizationType"], "CUSTOM")
	s.tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Authorizer"), map[string]any{"Type": "TOKEN"})
}

func TestOptionCors(t *testing.T) {
	s := optionsStack(t)
	s.tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), map[string]any{
		"HttpMethod": "OPTIONS",
		"Integration": assertions.Match_ObjectLike(&map[string]any{
			"IntegrationResponses": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"ResponseParameters": assertions.Match_ObjectLike(&map[string]any{
					"method.response.header.Access-Control-Allow-Origin": "'https://app.example.com'",
				}),
			})}),
		}),
	})
}

// TestOptionCorsGatewayResponses: API Gateway's own 4XX and 5XX answers
// carry the origin, so that a page reads their status.
func TestOptionCorsGatewayResponses(t *testing.T) {
	s := optionsStack(t)
	for _, typ := range []string{"DEFAULT_4XX", "DEFAULT_5XX"} {
		s.tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::GatewayResponse"), map[string]any{
			"ResponseType": typ,
			"RestApiId":    map[string]any{"Ref": s.logicalID(s.api.RestApi)},
			"ResponseParameters": map[string]any{
				"gatewayresponse.header.Access-Control-Allow-Origin":   "'https://app.example.com'",
				"gatewayresponse.header.Vary":                          "'Origin'",
				"gatewayresponse.header.Access-Control-Expose-Headers": "'x-amzn-RequestId,x-amzn-ErrorType'",
			},
			"ResponseTemplates": map[string]any{"application/json": `{"message":$context.error.messageString}`},
		})
	}
}

func TestOptionSharedAccessLogGroupAndRetention(t *testing.T) {
	s := optionsStack(t)
	want(t, "DestinationArn", get(s.props(t, s.api.Stage), "AccessLogSetting", "DestinationArn"),
		map[string]any{"Fn::GetAtt": []string{s.logicalID(shared), "Arn"}})
	if s.logicalID(s.api.AccessLogGroup) != s.logicalID(shared) {
		t.Error("AccessLogGroup is not the shared group")
	}
	want(t, "handler log retention", s.props(t, s.api.Route("GET", "/records").FunctionLogGroup)["RetentionInDays"], 7)
	if n := len(s.ofType("AWS::Logs::LogGroup")); n != 1+5+1 {
		t.Errorf("%d log groups, want 7 (the shared one, one per handler, the authorizer's): no access log group of its own", n)
	}
}

func TestOptionStageSettings(t *testing.T) {
	s := optionsStack(t)
	st := s.props(t, s.api.Stage)
	want(t, "StageName", st["StageName"], "v1")
	ms := get(st, "MethodSettings").([]any)[0]
	want(t, "LoggingLevel", get(ms, "LoggingLevel"), "INFO")
	want(t, "DataTraceEnabled", get(ms, "DataTraceEnabled"), false)
	want(t, "ThrottlingRateLimit", get(ms, "ThrottlingRateLimit"), 10)
	want(t, "ThrottlingBurstLimit", get(ms, "ThrottlingBurstLimit"), 20)
	want(t, "Name", s.props(t, s.api.RestApi)["Name"], "team-streams")
}

func TestOptionRouteFunctionSettings(t *testing.T) {
	s := optionsStack(t)
	fn := s.props(t, s.api.Route("GET", "/records").Function)
	want(t, "MemorySize", fn["MemorySize"], 1024)
	want(t, "Environment", fn["Environment"], map[string]any{"Variables": map[string]string{"MODE": "fast",
		// The API's CORS, for lambda/stream's Wrap.
		cors.EnvConfig: `{"allowOrigins":["https://app.example.com"]}`}})
	want(t, "RequestParameters", methodOf(t, s, "GET", "/records")["RequestParameters"], map[string]bool{"method.request.querystring.count": false})
}

func TestOptionEdgeEndpointWarns(t *testing.T) {
	s := optionsStack(t)
	want(t, "EndpointConfiguration", s.props(t, s.api.RestApi)["EndpointConfiguration"], map[string]any{"Types": []string{"EDGE"}})
	warnings := assertions.Annotations_FromStack(s.Stack).FindWarning(jsii.String("/Options/Api"), assertions.Match_StringLikeRegexp(jsii.String("30 seconds")))
	if len(*warnings) != 1 {
		t.Errorf("%d EDGE warnings on /Options/Api, want 1", len(*warnings))
	}
}

func TestOptionBufferedRoutes(t *testing.T) {
	s := optionsStack(t)
	slow := get(methodOf(t, s, "POST", "/slow"), "Integration")
	want(t, "BUFFERED TimeoutInMillis", get(slow, "TimeoutInMillis"), 20000)
	// A Regional API may raise a BUFFERED timeout past 29 s, with a quota.
	regional := awscdk.NewStack(cdktest.NewApp(false), jsii.String("Regional"), nil)
	slowRoute := get200("/slow")
	slowRoute.TransferMode, slowRoute.IntegrationTimeout = awsapigateway.ResponseTransferMode_BUFFERED, awscdk.Duration_Seconds(jsii.Number(60))
	streaming.NewStreamingRestApi(regional, jsii.String("Api"), &streaming.StreamingRestApiProps{Routes: &[]*streaming.RouteProps{slowRoute}})
	warnings := assertions.Annotations_FromStack(regional).FindWarning(jsii.String("/Regional/Api"), assertions.Match_StringLikeRegexp(jsii.String("GET /slow: a BUFFERED integration timeout of 1 minute needs a raised quota")))
	if len(*warnings) != 1 {
		t.Errorf("%d quota warnings, want 1", len(*warnings))
	}
	tr := get(methodOf(t, s, "POST", "/transform"), "Integration")
	want(t, "non-proxy Type", get(tr, "Type"), "AWS")
	if !strings.Contains(js(get(tr, "IntegrationResponses")), `{\"ok\":true}`) {
		t.Errorf("IntegrationResponses = %s", js(get(tr, "IntegrationResponses")))
	}
}

func TestOptionExistingRestApi(t *testing.T) {
	app := cdktest.NewApp(false)
	stack := awscdk.NewStack(app, jsii.String("Existing"), nil)
	team := awsapigateway.NewRestApi(stack, jsii.String("TeamApi"), &awsapigateway.RestApiProps{CloudWatchRole: jsii.Bool(false)})
	team.Root().AddResource(jsii.String("health"), nil).AddMethod(jsii.String("GET"), awsapigateway.NewMockIntegration(nil), nil)
	api := streaming.NewStreamingRestApi(stack, jsii.String("Streams"), &streaming.StreamingRestApiProps{
		ExistingRestApi: team,
		Cors:            &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com")},
		Routes: &[]*streaming.RouteProps{
			{Method: jsii.String("GET"), Path: jsii.String("/v2/records"), Entry: jsii.String(handler)},
			{Method: jsii.String("POST"), Path: jsii.String("/v2/records"), Entry: jsii.String(handler)},
		},
	})
	s := synth(t, stack, api)
	s.tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::RestApi"), jsii.Number(1))
	if api.RestApi != nil || api.Stage != nil || api.AccessLogGroup != nil {
		t.Error("RestApi, Stage and AccessLogGroup should be nil on an existing API")
	}
	m := methodOf(t, s, "GET", "/v2/records")
	want(t, "RestApiId", m["RestApiId"], map[string]string{"Ref": s.logicalID(team)})
	want(t, "ResponseTransferMode", get(m, "Integration", "ResponseTransferMode"), "STREAM")
	if n := len(s.ofType("AWS::Logs::LogGroup")); n != 2 {
		t.Errorf("%d log groups, want only the 2 handler log groups", n)
	}
	options := 0
	for _, m := range s.ofType("AWS::ApiGateway::Method") {
		if m["HttpMethod"] == "OPTIONS" {
			options++
		}
	}
	if options != 1 {
		t.Errorf("%d OPTIONS methods, want one preflight for /v2/records", options)
	}
}

func TestAddRouteAfterCreation(t *testing.T) {
	app := cdktest.NewApp(false)
	stack := awscdk.NewStack(app, jsii.String("Later"), nil)
	api := streaming.NewStreamingRestApi(stack, jsii.String("Api"), nil)
	r := api.AddRoute(&streaming.RouteProps{Method: jsii.String("ANY"), Path: jsii.String("/files/{proxy+}"), HttpUrl: jsii.String("http://files.internal/{proxy}")})
	if r.Method != "ANY" || len(api.Routes) != 1 {
		t.Fatalf("route = %+v, routes = %d", r, len(api.Routes))
	}
	s := synth(t, stack, api)
	integ := get(methodOf(t, s, "ANY", "/files/{proxy+}"), "Integration")
	want(t, "IntegrationHttpMethod", get(integ, "IntegrationHttpMethod"), "ANY")
	want(t, "RequestParameters", get(integ, "RequestParameters"), map[string]string{"integration.request.path.proxy": "method.request.path.proxy"})
}

func TestOptionWebACL(t *testing.T) {
	app := cdktest.NewApp(false)
	stack := awscdk.NewStack(app, jsii.String("Waf"), nil)
	api := streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{
		MaxRequestBodySize: awscdk.Size_Kibibytes(jsii.Number(4)),
		Cors:               &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com")},
		Routes:             &[]*streaming.RouteProps{get200("/records")},
	})
	s := synth(t, stack, api)
	if api.WebAcl == nil || api.WebAcl.MaxBodySize != 4096 {
		t.Fatalf("WebAcl = %+v", api.WebAcl)
	}
	// WAF's 413 replaces API Gateway's answer and its CORS gateway responses.
	if h := js(awscdk.Stack_Of(api).Resolve(api.WebAcl.CfnWebACL.Rules())); !strings.Contains(h, `"name":"Access-Control-Allow-Origin","value":"https://app.example.com"`) {
		t.Errorf("the 413 does not name the API's CORS origin: %s", h)
	}
	assoc := s.ofType("AWS::WAFv2::WebACLAssociation")
	if len(assoc) != 1 || !strings.Contains(js(assoc[0]["ResourceArn"]), s.logicalID(api.Stage)) || !strings.Contains(js(assoc[0]["WebACLArn"]), s.logicalID(api.WebAcl.CfnWebACL)) {
		t.Errorf("associations %s", js(assoc))
	}
	failsWith(t, &streaming.StreamingRestApiProps{WebAcl: api.WebAcl, MaxRequestBodySize: awscdk.Size_Kibibytes(jsii.Number(1))},
		"MaxRequestBodySize is set together with WebAcl; allowed: one of them")
}

// TestOptionSharedWebAclCorsWarns: an API whose Cors names an origin that
// its shared WebAcl's 413 does not name gets WarningWebAclWithoutCors,
// naming the WebAcl and the origins; an ACL that names every origin, or
// "*", or an API without Cors, gets none.
func TestOptionSharedWebAclCorsWarns(t *testing.T) {
	stack := awscdk.NewStack(cdktest.NewApp(false), jsii.String("SharedAcl"), nil)
	acl := func(id string, origins ...string) *wafsize.SizeLimitedWebAcl {
		p := &wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(16))}
		if len(origins) > 0 {
			p.Cors = &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings(origins...)}
		}
		return wafsize.NewSizeLimitedWebAcl(stack, jsii.String(id), p)
	}
	none, app, any := acl("AclNone"), acl("AclApp", "https://app.example.com"), acl("AclAny", "*")
	api := func(id string, webAcl *wafsize.SizeLimitedWebAcl, origins ...string) {
		p := &streaming.StreamingRestApiProps{WebAcl: webAcl, Routes: &[]*streaming.RouteProps{get200("/r")}}
		if len(origins) > 0 {
			p.Cors = &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings(origins...)}
		}
		streaming.NewStreamingRestApi(stack, jsii.String(id), p)
	}
	api("Unread", none, "https://app.example.com")
	api("PartlyRead", app, "https://app.example.com", "https://admin.example.com")
	api("Read", app, "https://app.example.com")
	api("AnyRead", any, "https://app.example.com", "https://admin.example.com")
	api("NoCors", none)
	// With AllowCredentials, only an ACL that names the one origin and
	// allows credentials answers a credentialed page; the ACL an API makes
	// for its one origin does.
	credentials := func(id string, webAcl *wafsize.SizeLimitedWebAcl, limit awscdk.Size) *streaming.StreamingRestApi {
		return streaming.NewStreamingRestApi(stack, jsii.String(id), &streaming.StreamingRestApiProps{WebAcl: webAcl, MaxRequestBodySize: limit,
			Cors:   &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com"), AllowCredentials: jsii.Bool(true)},
			Routes: &[]*streaming.RouteProps{get200("/r")}})
	}
	credentials("CredsUnread", app, nil)
	credentials("CredsRead", credentials("OwnAcl", nil, awscdk.Size_Kibibytes(jsii.Number(4))).WebAcl, nil)
	// The ACL an API makes names its origins ("*" for several), which a
	// credentialed page on one of several origins cannot read.
	own := func(id string, allowCredentials bool, origins ...string) {
		streaming.NewStreamingRestApi(stack, jsii.String(id), &streaming.StreamingRestApiProps{MaxRequestBodySize: awscdk.Size_Kibibytes(jsii.Number(4)),
			Cors:   &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings(origins...), AllowCredentials: jsii.Bool(allowCredentials)},
			Routes: &[]*streaming.RouteProps{get200("/r")}})
	}
	own("OwnSeveral", false, "https://app.example.com", "https://admin.example.com")
	own("OwnSeveralCreds", true, "https://app.example.com", "https://admin.example.com")
	own("OwnAnyCreds", true, "*")
	warned := map[string]string{}
	for _, w := range *assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_AnyValue()) {
		if msg := js(w.Entry.Data); strings.Contains(msg, streaming.WarningWebAclWithoutCors) {
			warned[strings.Split(*w.Id, "/")[2]] = msg
		}
	}
	if len(warned) != 5 {
		t.Errorf("warned %v, want Unread, PartlyRead, CredsUnread, OwnSeveralCreds and OwnAnyCreds only", warned)
	}
	for id, fragments := range map[string][]string{
		"Unread":     {"WebAcl SharedAcl/AclNone names no origin", "a page on https://app.example.com sees a network error", "Fix: make the SizeLimitedWebAcl with Cors"},
		"PartlyRead": {"WebAcl SharedAcl/AclApp names only https://app.example.com", "a page on https://admin.example.com sees"},
		"CredsUnread": {"WebAcl SharedAcl/AclApp names only https://app.example.com and no Access-Control-Allow-Credentials (the API allows credentials)",
			"a page on https://app.example.com sees"},
		"OwnSeveralCreds": {"WebAcl SharedAcl/OwnSeveralCreds/WebAcl names only * and no Access-Control-Allow-Credentials",
			"a page on https://app.example.com, https://admin.example.com sees", "Fix: with credentials, a web ACL's 413 answers one origin only"},
		"OwnAnyCreds": {"a page on any origin sees", "drop Cors.AllowCredentials"},
	} {
		for _, f := range fragments {
			if !strings.Contains(warned[id], f) {
				t.Errorf("%s's warning lacks %q: %s", id, f, warned[id])
			}
		}
	}
}

func TestOptionTwoCognitoAuthorizationsOnOneApi(t *testing.T) {
	stack := awscdk.NewStack(cdktest.NewApp(false), jsii.String("TwoPools"), nil)
	staff := awscognito.NewUserPool(stack, jsii.String("Staff"), nil)
	customers := awscognito.NewUserPool(stack, jsii.String("Customers"), nil)
	r := get200("/admin")
	r.Authorization = apiauth.CognitoUserPools(staff)
	api := streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{
		Authorization: apiauth.CognitoUserPools(customers),
		Routes:        &[]*streaming.RouteProps{get200("/records"), r},
	})
	s := synth(t, stack, api)
	if n := len(s.ofType("AWS::ApiGateway::Authorizer")); n != 2 {
		t.Errorf("%d authorizers, want one per pool set", n)
	}
	if js(methodOf(t, s, "GET", "/admin")["AuthorizerId"]) == js(methodOf(t, s, "GET", "/records")["AuthorizerId"]) {
		t.Error("the route's own pools share the API's authorizer")
	}
}
