package loader

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamgate/streamgate/internal/assemblytest"
	"github.com/streamgate/streamgate/internal/edge"
)

func TestLoadReportsWhatItDoesNotEmulate(t *testing.T) {
	dir, write := assemblytest.OneStack(t, "S")
	api := map[string]any{"Ref": "Api"}
	write("S.template.json", map[string]any{"Resources": map[string]any{
		"Api": map[string]any{"Type": "AWS::ApiGateway::RestApi", "Properties": map[string]any{"EndpointConfiguration": map[string]any{"Types": []string{"EDGE"}}}},
		"Stage": map[string]any{"Type": "AWS::ApiGateway::Stage", "Properties": map[string]any{"RestApiId": api, "StageName": "v1",
			"Variables": map[string]any{"env": "dev", "fromDeploy": map[string]any{"Ref": "Other"}}}},
		"Files": map[string]any{"Type": "AWS::ApiGateway::Resource", "Properties": map[string]any{"RestApiId": api, "PathPart": "files",
			"ParentId": map[string]any{"Fn::GetAtt": []string{"Api", "RootResourceId"}}}},
		"Put": map[string]any{"Type": "AWS::ApiGateway::Method", "Properties": map[string]any{"RestApiId": api, "HttpMethod": "PUT",
			"ResourceId": map[string]any{"Ref": "Files"}, "AuthorizationType": "AWS_IAM", "Integration": map[string]any{"Type": "AWS"}}},
		"Opt": map[string]any{"Type": "AWS::ApiGateway::Method", "Properties": map[string]any{"RestApiId": api, "HttpMethod": "OPTIONS",
			"ResourceId": map[string]any{"Ref": "Files"}, "Integration": map[string]any{"Type": "MOCK",
				"IntegrationResponses": []any{map[string]any{"StatusCode": "204",
					"ResponseParameters": map[string]any{"method.response.header.Access-Control-Allow-Origin": "'https://app.example.com'"},
					"ResponseTemplates": map[string]any{"application/json": `#set($origin = $input.params().header.get("Origin"))` + "\n" +
						`#if($origin == "http://localhost:5173" || $origin == "https://b.example")` + "\n" +
						`  #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)` + "\n#end"}}}}}},
		"Cors4XX": map[string]any{"Type": "AWS::ApiGateway::GatewayResponse", "Properties": map[string]any{"RestApiId": api, "ResponseType": "DEFAULT_4XX",
			"ResponseParameters": map[string]any{"gatewayresponse.header.Access-Control-Allow-Origin": "method.request.header.Origin"}}},
		"Auth": map[string]any{"Type": "AWS::ApiGateway::Authorizer", "Properties": map[string]any{"Type": "COGNITO_USER_POOLS"}},
		"Acl":  map[string]any{"Type": "AWS::WAFv2::WebACL", "Properties": map[string]any{}},
		"Uploaded": map[string]any{"Type": "AWS::Events::Rule", "Properties": map[string]any{"EventPattern": map[string]any{"source": []string{"aws.s3"}},
			"Targets": []any{map[string]any{"Id": "Topic", "Arn": map[string]any{"Ref": "Topic"}}}}},
		"Nightly": map[string]any{"Type": "AWS::Events::Rule", "Properties": map[string]any{"ScheduleExpression": "rate(1 day)"}},
		"Domain":  map[string]any{"Type": "AWS::ApiGateway::DomainName", "Properties": map[string]any{"DomainName": "streams.example.com"}},
		"Site":    map[string]any{"Type": "AWS::CloudFront::Distribution", "Properties": map[string]any{}},
		"Errors":  map[string]any{"Type": "AWS::CloudWatch::Alarm", "Properties": map[string]any{}},
		"Either":  map[string]any{"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": map[string]any{}},
		"Bucket":  map[string]any{"Type": "AWS::S3::Bucket", "Properties": map[string]any{}},
		"Edge": map[string]any{"Type": "AWS::CloudFront::Distribution", "Properties": map[string]any{"DistributionConfig": map[string]any{"Origins": []any{
			map[string]any{"DomainName": map[string]any{"Fn::GetAtt": []string{"Bucket", "RegionalDomainName"}}}}}},
			"Metadata": map[string]any{edge.MetadataKey: map[string]any{"mode": "THROUGH", "config": map[string]any{"prefix": "in/", "path": "/u/", "maxSize": 10, "types": []string{"text/csv"}, "maxLifetime": 60}}}},
	}})
	a, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(a.Unsupported, "\n")
	for _, want := range []string{"S/Put (PUT /files): not emulated, the route answers 500: an integration URI", "S/Acl: WAF web ACL",
		`S/Uploaded target Topic ({"Ref":"Topic"}): only Lambda functions and SQS queues of the assembly are delivered to locally`,
		"S/Nightly: scheduled rule rate(1 day) (schedules do not run locally", "S/Domain: custom domain streams.example.com",
		"S/Site: CloudFront distribution (not served locally)", "S: 2 CloudWatch alarms (Either, Errors): not emulated"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notices lack %q:\n%s", want, notes)
		}
	}
	if len(a.APIs) != 1 || a.APIs[0].Stage != "v1" || a.APIs[0].EndpointType != "EDGE" || len(a.APIs[0].Routes) != 2 {
		t.Fatalf("APIs: %+v", a.APIs)
	}
	if v := a.APIs[0].StageVariables; len(v) != 1 || v["env"] != "dev" {
		t.Errorf("stage variables (the literal ones): %v", v)
	}
	r := a.APIs[0].Routes[0]
	if r.Method != "OPTIONS" || r.Path != "/files" || r.MockStatus != 204 || r.MockHeaders["Access-Control-Allow-Origin"] != "https://app.example.com" ||
		strings.Join(r.MockOrigins, " ") != "http://localhost:5173 https://b.example" {
		t.Errorf("mock route: %+v", r)
	}
	if gr := a.APIs[0].GatewayResponses["DEFAULT_4XX"]; gr == nil || gr.Headers["Access-Control-Allow-Origin"] != "method.request.header.Origin" {
		t.Errorf("gateway responses: %+v", a.APIs[0].GatewayResponses)
	}
	if strings.Contains(notes, "mock response templates") {
		t.Errorf("aws-cdk's CORS template is emulated, not a notice:\n%s", notes)
	}
	if len(a.Edges) != 1 || a.Edges[0].LogicalID != "Edge" || a.Edges[0].Mode != "THROUGH" || a.Edges[0].Bucket != a.Buckets["S/Bucket"] ||
		a.Edges[0].Config.Prefix != "in/" || a.Edges[0].Config.Types[0] != "text/csv" {
		t.Errorf("edge endpoints: %+v", a.Edges)
	}
	if strings.Contains(notes, "S/Edge") {
		t.Errorf("the edge endpoint is served, not a notice:\n%s", notes)
	}
}

// TestCrossStackFunctions: a route's function in another stack of the
// assembly, named by Fn::ImportValue of its export or by
// Fn::GetStackOutput, is that stack's function; Node.js functions run from
// their asset folder.
func TestCrossStackFunctions(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, v any) {
		b, _ := json.Marshal(v)
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	os.MkdirAll(filepath.Join(dir, "asset.abc"), 0o755)
	write("manifest.json", map[string]any{"artifacts": map[string]any{
		"A": map[string]any{"type": "aws:cloudformation:stack", "properties": map[string]any{"templateFile": "A.template.json"}},
		"B": map[string]any{"type": "aws:cloudformation:stack", "properties": map[string]any{"templateFile": "B.template.json"}},
	}})
	write("B.template.json", map[string]any{
		"Resources": map[string]any{"Fn": map[string]any{"Type": "AWS::Lambda::Function", "Properties": map[string]any{
			"Runtime": "nodejs22.x", "Handler": "index.handler", "Code": map[string]any{"S3Key": "abc.zip"}}}},
		"Outputs": map[string]any{"FnArn": map[string]any{"Value": map[string]any{"Fn::GetAtt": []string{"Fn", "Arn"}},
			"Export": map[string]any{"Name": "B:ExportsOutputFnGetAttFnArn"}}},
	})
	api := map[string]any{"Ref": "Api"}
	method := func(path string, ref any) map[string]any {
		return map[string]any{"Type": "AWS::ApiGateway::Method", "Properties": map[string]any{"RestApiId": api, "HttpMethod": "GET",
			"ResourceId": map[string]any{"Ref": path}, "Integration": map[string]any{"Type": "AWS_PROXY", "Uri": map[string]any{
				"Fn::Join": []any{"", []any{"arn:aws:apigateway:us-east-1:lambda:path/2021-11-15/functions/", ref, "/response-streaming-invocations"}}}}}}
	}
	resource := func(part string) map[string]any {
		return map[string]any{"Type": "AWS::ApiGateway::Resource", "Properties": map[string]any{"RestApiId": api, "PathPart": part,
			"ParentId": map[string]any{"Fn::GetAtt": []string{"Api", "RootResourceId"}}}}
	}
	write("A.template.json", map[string]any{"Resources": map[string]any{
		"Api":      map[string]any{"Type": "AWS::ApiGateway::RestApi", "Properties": map[string]any{}},
		"Imported": resource("imported"),
		"Output":   resource("output"),
		"M1":       method("Imported", map[string]any{"Fn::ImportValue": "B:ExportsOutputFnGetAttFnArn"}),
		"M2":       method("Output", map[string]any{"Fn::GetStackOutput": map[string]any{"StackName": "B", "OutputName": "FnArn"}}),
	}})
	a, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.APIs) != 1 || len(a.APIs[0].Routes) != 2 {
		t.Fatalf("routes: %+v\n%s", a.APIs, strings.Join(a.Unsupported, "\n"))
	}
	for _, r := range a.APIs[0].Routes {
		if r.Function == nil || r.Function.Stack != "B" || !r.Function.Node() || r.Function.Handler != "index.handler" || r.Function.AssetDir == "" {
			t.Errorf("%s: function %+v", r.Path, r.Function)
		}
	}
}

// TestPythonFunctionsRunFromTheirAsset: a function on python3.11 to
// python3.14 runs from its asset folder (no bootstrap in it), as Node.js
// functions do; one on a runtime the runner does not run is a notice that
// names the runtime, not a question about bundling.
func TestPythonFunctionsRunFromTheirAsset(t *testing.T) {
	dir, write := assemblytest.OneStack(t, "S")
	os.MkdirAll(filepath.Join(dir, "asset.py"), 0o755)
	api := map[string]any{"Ref": "Api"}
	fn := func(runtime string) map[string]any {
		return map[string]any{"Type": "AWS::Lambda::Function", "Properties": map[string]any{
			"Runtime": runtime, "Handler": "index.handler", "Code": map[string]any{"S3Key": "py.zip"}}}
	}
	method := func(path, fn string) map[string]any {
		return map[string]any{"Type": "AWS::ApiGateway::Method", "Properties": map[string]any{"RestApiId": api, "HttpMethod": "GET",
			"ResourceId": map[string]any{"Ref": path}, "Integration": map[string]any{"Type": "AWS_PROXY", "Uri": map[string]any{
				"Fn::Join": []any{"", []any{"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/",
					map[string]any{"Fn::GetAtt": []string{fn, "Arn"}}, "/invocations"}}}}}}
	}
	resource := func(part string) map[string]any {
		return map[string]any{"Type": "AWS::ApiGateway::Resource", "Properties": map[string]any{"RestApiId": api, "PathPart": part,
			"ParentId": map[string]any{"Fn::GetAtt": []string{"Api", "RootResourceId"}}}}
	}
	write("S.template.json", map[string]any{"Resources": map[string]any{
		"Api":   map[string]any{"Type": "AWS::ApiGateway::RestApi", "Properties": map[string]any{}},
		"New":   resource("new"),
		"Old":   resource("old"),
		"Py314": fn("python3.14"),
		"Py310": fn("python3.10"),
		"M1":    method("New", "Py314"),
		"M2":    method("Old", "Py310"),
	}})
	a, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(a.Unsupported, "\n")
	if len(a.APIs) != 1 || len(a.APIs[0].Routes) != 1 {
		t.Fatalf("want the python3.14 route only: %+v\n%s", a.APIs, notes)
	}
	if f := a.APIs[0].Routes[0].Function; !f.Python() || !f.Managed() || f.Node() || f.AssetDir != filepath.Join(dir, "asset.py") {
		t.Errorf("python3.14 function: %+v", f)
	}
	if want := "S/M2 (GET /old): function Py310 is on python3.10, which the runner does not run (the runner runs a bootstrap, or a handler on nodejs20.x to nodejs24.x or python3.11 to python3.14)"; !strings.Contains(notes, want) {
		t.Errorf("notices lack %q:\n%s", want, notes)
	}
}

// TestNestedStackRoutes: a nested stack's template, found by its asset
// path metadata or by the hash its TemplateURL ends in (the asset
// manifest), is read with its parent: its methods are routes of the
// parent's API, its parameters the parent's values (a resource of the
// parent, a function's ARN), its functions run from their asset.
func TestNestedStackRoutes(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, v any) {
		b, _ := json.Marshal(v)
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	os.MkdirAll(filepath.Join(dir, "asset.fn"), 0o755)
	os.WriteFile(filepath.Join(dir, "asset.fn", "bootstrap"), []byte("#!/bin/sh\n"), 0o755)
	hash := strings.Repeat("ab", 32)
	write("manifest.json", map[string]any{"artifacts": map[string]any{
		"P":        map[string]any{"type": "aws:cloudformation:stack", "properties": map[string]any{"templateFile": "P.template.json"}},
		"P.assets": map[string]any{"type": "cdk:asset-manifest", "properties": map[string]any{"file": "P.assets.json"}},
	}})
	write("P.assets.json", map[string]any{"files": map[string]any{hash: map[string]any{"source": map[string]any{"path": "PByHash.nested.template.json", "packaging": "file"}}}})
	fnProps := map[string]any{"Runtime": "provided.al2023", "Handler": "bootstrap", "Code": map[string]any{"S3Key": "fn.zip"}}
	integration := func(arn any) map[string]any {
		return map[string]any{"Type": "AWS_PROXY", "ResponseTransferMode": "STREAM", "Uri": map[string]any{"Fn::Join": []any{"", []any{
			"arn:aws:apigateway:us-east-1:lambda:path/2021-11-15/functions/", arn, "/response-streaming-invocations"}}}}
	}
	write("P.template.json", map[string]any{"Resources": map[string]any{
		"Api":    map[string]any{"Type": "AWS::ApiGateway::RestApi", "Properties": map[string]any{}},
		"Shared": map[string]any{"Type": "AWS::Lambda::Function", "Properties": fnProps},
		"V1": map[string]any{"Type": "AWS::ApiGateway::Resource", "Properties": map[string]any{"RestApiId": map[string]any{"Ref": "Api"}, "PathPart": "v1",
			"ParentId": map[string]any{"Fn::GetAtt": []string{"Api", "RootResourceId"}}}},
		"ByPath": map[string]any{"Type": "AWS::CloudFormation::Stack", "Metadata": map[string]any{"aws:asset:path": "PByPath.nested.template.json"},
			"Properties": map[string]any{"Parameters": map[string]any{"api": map[string]any{"Ref": "Api"}, "parent": map[string]any{"Ref": "V1"},
				"fn": map[string]any{"Fn::GetAtt": []string{"Shared", "Arn"}}}}},
		"ByHash": map[string]any{"Type": "AWS::CloudFormation::Stack", "Properties": map[string]any{
			"Parameters":  map[string]any{"api": map[string]any{"Ref": "Api"}, "parent": map[string]any{"Ref": "V1"}},
			"TemplateURL": map[string]any{"Fn::Join": []any{"", []any{"https://s3.", map[string]any{"Ref": "AWS::Region"}, ".amazonaws.com/bucket/" + hash + ".json"}}}}},
		"Lost": map[string]any{"Type": "AWS::CloudFormation::Stack", "Properties": map[string]any{"TemplateURL": "https://example.com/t.json"}},
	}})
	nestedRoute := func(part string, arn any, extra map[string]any) map[string]any {
		res := map[string]any{
			"R": map[string]any{"Type": "AWS::ApiGateway::Resource", "Properties": map[string]any{"RestApiId": map[string]any{"Ref": "api"},
				"ParentId": map[string]any{"Ref": "parent"}, "PathPart": part}},
			"M": map[string]any{"Type": "AWS::ApiGateway::Method", "Properties": map[string]any{"RestApiId": map[string]any{"Ref": "api"},
				"ResourceId": map[string]any{"Ref": "R"}, "HttpMethod": "GET", "AuthorizationType": "NONE", "Integration": integration(arn)}},
		}
		for k, v := range extra {
			res[k] = v
		}
		return map[string]any{"Parameters": map[string]any{"api": map[string]any{"Type": "String"}}, "Resources": res}
	}
	write("PByPath.nested.template.json", nestedRoute("shared", map[string]any{"Ref": "fn"}, nil))
	write("PByHash.nested.template.json", nestedRoute("own", map[string]any{"Fn::GetAtt": []string{"Own", "Arn"}},
		map[string]any{"Own": map[string]any{"Type": "AWS::Lambda::Function", "Properties": fnProps}}))
	a, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.APIs) != 1 || len(a.APIs[0].Routes) != 2 {
		t.Fatalf("APIs: %+v\n%s", a.APIs, strings.Join(a.Unsupported, "\n"))
	}
	want := map[string]string{"/v1/own": "ByHash.Own", "/v1/shared": "Shared"}
	for _, r := range a.APIs[0].Routes {
		if r.Function == nil || r.Function.LogicalID != want[r.Path] || r.Function.AssetDir == "" || !r.Stream {
			t.Errorf("GET %s: function %+v, want %s", r.Path, r.Function, want[r.Path])
		}
	}
	if notes := strings.Join(a.Unsupported, "\n"); len(a.Unsupported) != 1 || !strings.Contains(notes, "P/Lost: nested stack whose template is not in the assembly") {
		t.Errorf("notices:\n%s", notes)
	}
}
