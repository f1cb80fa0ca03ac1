package streaming_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

func TestDefaultEndpointIsRegional(t *testing.T) {
	s := defaultStack(t)
	p := s.props(t, s.api.RestApi)
	want(t, "EndpointConfiguration", p["EndpointConfiguration"], map[string]any{"Types": []string{"REGIONAL"}})
	want(t, "Name", p["Name"], "Defaults-Api") // the construct path: unique in the stack
	if n := len(s.ofType("AWS::ApiGateway::RestApi")); n != 1 {
		t.Errorf("%d REST APIs, want 1", n)
	}
}

func TestLambdaRouteStreamsWithStreamingURI(t *testing.T) {
	s := defaultStack(t)
	for _, path := range []string{"/records", "/jobs/{id}/progress"} {
		integ := get(methodOf(t, s, "GET", path), "Integration")
		want(t, path+" Type", get(integ, "Type"), "AWS_PROXY")
		want(t, path+" ResponseTransferMode", get(integ, "ResponseTransferMode"), "STREAM")
		want(t, path+" TimeoutInMillis", get(integ, "TimeoutInMillis"), 900000)
		want(t, path+" IntegrationHttpMethod", get(integ, "IntegrationHttpMethod"), "POST")
		uri := js(get(integ, "Uri"))
		if !strings.Contains(uri, ":lambda:path/2021-11-15/functions/") || !strings.Contains(uri, "/response-streaming-invocations") {
			t.Errorf("%s Uri = %s, want the 2021-11-15 response-streaming-invocations URI", path, uri)
		}
	}
}

func TestBufferedRouteOptIn(t *testing.T) {
	s := defaultStack(t)
	integ := get(methodOf(t, s, "POST", "/"), "Integration")
	if m := get(integ, "ResponseTransferMode"); m != nil && m != "BUFFERED" {
		t.Errorf("ResponseTransferMode = %v, want BUFFERED", m)
	}
	want(t, "TimeoutInMillis", get(integ, "TimeoutInMillis"), 29000)
	if uri := js(get(integ, "Uri")); !strings.Contains(uri, "2015-03-31/functions/") || !strings.HasSuffix(strings.TrimSuffix(uri, `"]]}`), `/invocations`) {
		t.Errorf("Uri = %s, want the 2015-03-31 invocations URI", uri)
	}
	fn := s.props(t, s.api.Route("POST", "/").Function)
	want(t, "buffered handler Timeout", fn["Timeout"], 29)
}

func TestGoHandlerFunctionDefaults(t *testing.T) {
	s := defaultStack(t)
	r := s.api.Route("GET", "/records")
	fn := s.props(t, r.Function)
	want(t, "Runtime", fn["Runtime"], "provided.al2023")
	want(t, "Architectures", fn["Architectures"], []string{"arm64"})
	want(t, "Handler", fn["Handler"], "bootstrap")
	want(t, "Timeout", fn["Timeout"], 900)
	want(t, "MemorySize", fn["MemorySize"], 512)
	want(t, "TracingConfig", fn["TracingConfig"], map[string]string{"Mode": "Active"})
	want(t, "LoggingConfig", fn["LoggingConfig"], map[string]any{"LogGroup": map[string]any{"Ref": s.logicalID(r.FunctionLogGroup)}})
	want(t, "handler log retention", s.props(t, r.FunctionLogGroup)["RetentionInDays"], 30)
	want(t, "Environment", fn["Environment"], nil) // no CORS policy without Cors
	s.tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::GatewayResponse"), jsii.Number(0))
}

func TestStageDefaults(t *testing.T) {
	s := defaultStack(t)
	st := s.props(t, s.api.Stage)
	want(t, "StageName", st["StageName"], "prod")
	want(t, "TracingEnabled", st["TracingEnabled"], true)
	want(t, "MethodSettings", st["MethodSettings"], []map[string]any{{
		"DataTraceEnabled": false, "HttpMethod": "*", "LoggingLevel": "ERROR", "MetricsEnabled": true,
		"ResourcePath": "/*", "ThrottlingBurstLimit": 200, "ThrottlingRateLimit": 100,
	}})
	if c := st["CacheClusterEnabled"]; c == true {
		t.Error("the stage has a cache cluster")
	}
	want(t, "access log destination", get(st, "AccessLogSetting", "DestinationArn"),
		map[string]any{"Fn::GetAtt": []string{s.logicalID(s.api.AccessLogGroup), "Arn"}})
	want(t, "access log retention", s.props(t, s.api.AccessLogGroup)["RetentionInDays"], 30)
}

func TestAccessLogFormatIsJSONWithStreamingFields(t *testing.T) {
	s := defaultStack(t)
	format, _ := get(s.props(t, s.api.Stage), "AccessLogSetting", "Format").(string)
	var fields map[string]string
	if err := jsonUnmarshal(format, &fields); err != nil {
		t.Fatalf("access log format is not JSON: %v\n%s", err, format)
	}
	for k, v := range map[string]string{
		"requestId":            "$context.requestId",
		"responseTransferMode": "$context.integration.responseTransferMode",
		"timeToFirstContent":   "$context.integration.timeToFirstContent",
		"timeToAllHeaders":     "$context.integration.timeToAllHeaders",
		"latency":              "$context.responseLatency",
		"status":               "$context.status",
	} {
		if fields[k] != v {
			t.Errorf("access log field %q = %q, want %q", k, fields[k], v)
		}
	}
}

func TestIAMAuthorizationAndRequestValidatorOnEveryMethod(t *testing.T) {
	s := defaultStack(t)
	validator := s.logicalID(s.api.RequestValidator)
	want(t, "validator", s.props(t, s.api.RequestValidator), map[string]any{
		"RestApiId": map[string]string{"Ref": s.logicalID(s.api.RestApi)}, "ValidateRequestBody": true, "ValidateRequestParameters": true,
	})
	methods := s.ofType("AWS::ApiGateway::Method")
	if len(methods) != 4 {
		t.Fatalf("%d methods, want 4", len(methods))
	}
	for _, m := range methods {
		want(t, js(m["HttpMethod"])+" AuthorizationType", m["AuthorizationType"], "AWS_IAM")
		want(t, js(m["HttpMethod"])+" RequestValidatorId", m["RequestValidatorId"], map[string]string{"Ref": validator})
	}
}

func TestPathParametersAreRequired(t *testing.T) {
	s := defaultStack(t)
	want(t, "RequestParameters", methodOf(t, s, "GET", "/jobs/{id}/progress")["RequestParameters"], map[string]bool{"method.request.path.id": true})
	if p := methodOf(t, s, "GET", "/records")["RequestParameters"]; p != nil {
		t.Errorf("RequestParameters on a route without parameters = %s", js(p))
	}
}

func TestHttpRouteIsStreamingHttpProxy(t *testing.T) {
	s := defaultStack(t)
	integ := get(methodOf(t, s, "GET", "/legacy/{item}"), "Integration")
	want(t, "Integration", integ, map[string]any{
		"IntegrationHttpMethod": "GET",
		"RequestParameters":     map[string]string{"integration.request.path.item": "method.request.path.item"},
		"ResponseTransferMode":  "STREAM",
		"TimeoutInMillis":       900000,
		"Type":                  "HTTP_PROXY",
		"Uri":                   "https://backend.example.com/items/{item}",
	})
	if s.api.Route("GET", "/legacy/{item}").Function != nil {
		t.Error("an HTTP route has a Function")
	}
}

func TestExistingFunctionIsInvokedNotRebuilt(t *testing.T) {
	s := defaultStack(t)
	r := s.api.Route("GET", "/jobs/{id}/progress")
	if s.logicalID(r.Function) != s.logicalID(existingFn) {
		t.Errorf("route function = %s, want the existing function", s.logicalID(r.Function))
	}
	s.tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), map[string]any{
		"Action":       "lambda:InvokeFunction",
		"FunctionName": map[string]any{"Fn::GetAtt": []string{s.logicalID(existingFn), "Arn"}},
		"Principal":    "apigateway.amazonaws.com",
	})
	if n := len(s.ofType("AWS::Lambda::Function")); n != 3 {
		t.Errorf("%d functions, want 3 (two built handlers and the existing one)", n)
	}
}

func TestUrlIsAStackOutput(t *testing.T) {
	s := defaultStack(t)
	if s.api.Url == nil {
		t.Fatal("URL is nil")
	}
	outputs := s.tmpl.FindOutputs(jsii.String("*"), map[string]any{"Value": assertions.Match_ObjectLike(&map[string]any{
		"Fn::Join": assertions.Match_AnyValue(),
	})})
	found := false
	for _, o := range *outputs {
		if strings.Contains(js(o), "execute-api") && strings.Contains(js(o), s.logicalID(s.api.Stage)) {
			found = true
		}
	}
	if !found {
		t.Errorf("no output with the stage URL in %s", js(outputs))
	}
}

func TestCloudWatchRoleForExecutionLogs(t *testing.T) {
	s := defaultStack(t)
	if n := len(s.ofType("AWS::ApiGateway::Account")); n != 1 {
		t.Errorf("%d AWS::ApiGateway::Account, want 1 (execution logs need the account's CloudWatch role)", n)
	}
}

func TestGoHandlerRoleHasNoManagedPolicy(t *testing.T) {
	s := defaultStack(t)
	r := s.api.Route("GET", "/records")
	role := get(s.props(t, r.Function), "Role", "Fn::GetAtt").([]any)[0].(string)
	if mp := get(s.Resources[role], "Properties", "ManagedPolicyArns"); mp != nil {
		t.Errorf("handler role has managed policies %s", js(mp))
	}
	var logStatement any
	for _, res := range s.Resources {
		if res["Type"] == "AWS::IAM::Policy" && strings.Contains(js(get(res, "Properties", "Roles")), role) {
			for _, st := range get(res, "Properties", "PolicyDocument", "Statement").([]any) {
				if get(st, "Sid") == "WriteOwnLogs" {
					logStatement = st
				}
			}
		}
	}
	want(t, "log statement", logStatement, map[string]any{
		"Sid": "WriteOwnLogs", "Effect": "Allow", "Action": []string{"logs:CreateLogStream", "logs:PutLogEvents"},
		"Resource": map[string]any{"Fn::GetAtt": []string{s.logicalID(r.FunctionLogGroup), "Arn"}},
	})
}
