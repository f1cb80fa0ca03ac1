package streaming_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/compliance"
	"github.com/streamgate/streamgate/constructs/monitoring"
	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/internal/cdktest"
)

// lambdaPolicyLimit is the size Lambda allows a function's resource-based
// policy: 20 KB (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
const lambdaPolicyLimit = 20 * 1024

// scaleStacks are synthesized once, in one app: 300 routes on one shared
// function with the defaults ("Shared") and with every permission scoped
// to its method ("PerMethod", past the resource limit on purpose), and a
// mix of route kinds whose planned resources are compared with the
// template ("Mix", with "MixBase", the same API without routes).
type scaleStacks struct {
	shared, perMethod, mix, mixBase *cdktest.Template
	regulated                       *cdktest.Template
	regulatedFn                     awslambda.Function
	regulatedAPI                    *streaming.StreamingRestApi
	sharedFn, perMethodFn           awslambda.Function
	smallFn, pinnedFn               awslambda.Function
	mixAPI                          *streaming.StreamingRestApi
	sharedTmpl                      assertions.Template
}

var (
	scaleOnce sync.Once
	scale     *scaleStacks
)

// methods are the eight methods a path can have, so that 300 routes need
// only 38 resources (paths) and stay under 500 resources.
var methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}

func manyRoutes(n int, fn awslambda.IFunction, scoped *bool) []*streaming.RouteProps {
	routes := make([]*streaming.RouteProps, n)
	for i := range routes {
		routes[i] = &streaming.RouteProps{Method: jsii.String(methods[i%len(methods)]), Path: jsii.String(fmt.Sprintf("/items%d", i/len(methods))),
			Function: fn, ScopePermissionToMethod: scoped}
	}
	return routes
}

func prebuiltFunction(stack awscdk.Stack, id string) awslambda.Function {
	return awslambda.NewFunction(stack, jsii.String(id), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_PROVIDED_AL2023(), Handler: jsii.String("bootstrap"),
		Code:    awslambda.Code_FromAsset(jsii.String("testdata/prebuilt"), nil),
		Timeout: awscdk.Duration_Minutes(jsii.Number(15)),
	})
}

func scaleStack(t *testing.T) *scaleStacks {
	scaleOnce.Do(func() {
		s := &scaleStacks{}
		app := cdktest.NewApp(false)

		shared := awscdk.NewStack(app, jsii.String("Shared"), nil)
		s.sharedFn = prebuiltFunction(shared, "Handler")
		routes := manyRoutes(300, s.sharedFn, nil)
		s.pinnedFn = prebuiltFunction(shared, "Pinned")
		for i := 0; i < streaming.MaxMethodScopedRoutes+1; i++ { // past the threshold, but each route asks for its method
			routes = append(routes, &streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String(fmt.Sprintf("/pinned/p%d", i)),
				Function: s.pinnedFn, ScopePermissionToMethod: jsii.Bool(true)})
		}
		s.smallFn = prebuiltFunction(shared, "Small")
		routes = append(routes, manyRoutes(streaming.MaxMethodScopedRoutes, s.smallFn, nil)[:streaming.MaxMethodScopedRoutes]...)
		for _, r := range routes[len(routes)-streaming.MaxMethodScopedRoutes:] {
			r.Path = jsii.String("/small" + *r.Path)
		}
		streaming.NewStreamingRestApi(shared, jsii.String("Api"), &streaming.StreamingRestApiProps{Routes: &routes})

		perMethod := awscdk.NewStack(app, jsii.String("PerMethod"), nil)
		perMethod.Node().SetContext(jsii.String(streaming.StackResourceLimitContext), 0)
		s.perMethodFn = prebuiltFunction(perMethod, "Handler")
		routes = manyRoutes(300, s.perMethodFn, jsii.Bool(true))
		streaming.NewStreamingRestApi(perMethod, jsii.String("Api"), &streaming.StreamingRestApiProps{Routes: &routes})

		mixProps := func() *streaming.StreamingRestApiProps {
			return &streaming.StreamingRestApiProps{
				Cors:       &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com")},
				Monitoring: &monitoring.MonitorProps{},
			}
		}
		base := awscdk.NewStack(app, jsii.String("MixBase"), nil)
		streaming.NewStreamingRestApi(base, jsii.String("Api"), mixProps())
		mix := awscdk.NewStack(app, jsii.String("Mix"), nil)
		mixFn := prebuiltFunction(mix, "Shared")
		p := mixProps()
		p.Routes = &[]*streaming.RouteProps{
			{Method: jsii.String("GET"), Path: jsii.String("/a/b/c"), Entry: jsii.String(handler)},
			{Method: jsii.String("POST"), Path: jsii.String("/a/b"), Entry: jsii.String(handler), TransferMode: awsapigateway.ResponseTransferMode_BUFFERED},
			{Method: jsii.String("GET"), Path: jsii.String("/h/{item}"), HttpUrl: jsii.String("https://backend.example.com/{item}")},
			{Method: jsii.String("GET"), Path: jsii.String("/"), Entry: jsii.String(handler), ScopePermissionToMethod: jsii.Bool(false)},
		}
		s.mixAPI = streaming.NewStreamingRestApi(mix, jsii.String("Api"), p)
		for i := 0; i < streaming.MaxMethodScopedRoutes+3; i++ { // crosses the threshold in AddRoute
			s.mixAPI.AddRoute(&streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String(fmt.Sprintf("/s%d", i)), Function: mixFn})
		}

		reg := awscdk.NewStack(app, jsii.String("Regulated"), nil)
		vpc := awsec2.NewVpc(reg, jsii.String("Vpc"), &awsec2.VpcProps{MaxAzs: jsii.Number(2)})
		s.regulatedFn = prebuiltFunction(reg, "Handler")
		routes = nil
		for i := 0; i <= streaming.MaxMethodScopedRoutes; i++ {
			routes = append(routes, &streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String(fmt.Sprintf("/c%d", i)), Function: s.regulatedFn})
		}
		s.regulatedAPI = streaming.NewStreamingRestApi(reg, jsii.String("Api"), &streaming.StreamingRestApiProps{Routes: &routes,
			Compliance: compliance.Strict(&compliance.StrictProps{Vpc: vpc})})

		s.regulated = cdktest.Synth(t, reg)
		s.shared, s.perMethod = cdktest.Synth(t, shared), cdktest.Synth(t, perMethod)
		s.mix, s.mixBase = cdktest.Synth(t, mix), cdktest.Synth(t, base)
		s.sharedTmpl = assertions.Template_FromStack(shared, nil)
		scale = s
	})
	if scale == nil {
		t.Fatal("the scale stacks did not synthesize")
	}
	return scale
}

// permissionsOf are the Lambda permissions of the function with logical id fn.
func permissionsOf(tp *cdktest.Template, fn string) []map[string]any {
	var out []map[string]any
	for _, id := range sortedKeys(tp.OfType("AWS::Lambda::Permission")) {
		p, _ := tp.Resources[id]["Properties"].(map[string]any)
		if js(get(p, "FunctionName", "Fn::GetAtt")) == js([]string{fn, "Arn"}) {
			p = copyMap(p)
			p["__logicalId"] = id
			out = append(out, p)
		}
	}
	return out
}

func sortedKeys(m map[string]map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func copyMap(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// policyBytes is the size of the resource-based policy Lambda would hold
// for these permissions: the compact JSON document GetPolicy returns,
// {"Version":"2012-10-17","Id":"default","Statement":[...]}, one statement
// per permission as CloudFormation sends it (AddPermission), with the
// values CloudFormation would resolve at deploy at their longest usual
// size: the statement id is the permission's physical id
// ("<stack>-<logical id>-<12 characters>"), the function's name 64
// characters, the region "ap-southeast-2", a 12-digit account, a 10-character
// API id, the stage "prod".
func policyBytes(t *testing.T, stack string, perms []map[string]any) int {
	t.Helper()
	fnArn := "arn:aws:lambda:ap-southeast-2:123456789012:function:" + strings.Repeat("f", 64)
	var statements []any
	for _, p := range perms {
		cond := map[string]any{"ArnLike": map[string]any{"AWS:SourceArn": resolveIntrinsic(p["SourceArn"])}}
		if acct, ok := p["SourceAccount"]; ok {
			cond["StringEquals"] = map[string]any{"AWS:SourceAccount": resolveIntrinsic(acct)}
		}
		statements = append(statements, map[string]any{
			"Sid":       stack + "-" + p["__logicalId"].(string) + "-ABCDEFGHIJKL",
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": p["Principal"]},
			"Action":    p["Action"],
			"Resource":  fnArn,
			"Condition": cond,
		})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any{"Version": "2012-10-17", "Id": "default", "Statement": statements}); err != nil {
		t.Fatal(err)
	}
	return buf.Len() - 1 // the encoder's newline
}

// resolveIntrinsic resolves the intrinsics of a SourceArn as
// CloudFormation would (see policyBytes).
func resolveIntrinsic(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if j, ok := x["Fn::Join"].([]any); ok {
			parts := j[1].([]any)
			s := make([]string, len(parts))
			for i, p := range parts {
				s[i] = fmt.Sprint(resolveIntrinsic(p))
			}
			return strings.Join(s, j[0].(string))
		}
		if r, ok := x["Ref"].(string); ok {
			switch {
			case r == "AWS::Partition":
				return "aws"
			case r == "AWS::Region":
				return "ap-southeast-2"
			case r == "AWS::AccountId":
				return "123456789012"
			case strings.Contains(r, "DeploymentStage"):
				return "prod"
			}
			return "a1b2c3d4e5" // the REST API's id
		}
	}
	return v
}

func TestSharedFunctionFitsLambdasPolicyLimitWith300Routes(t *testing.T) {
	// GIVEN 300 routes on one function, WHEN the defaults apply
	s := scaleStack(t)
	after := permissionsOf(s.shared, s.shared.LogicalID(s.sharedFn))
	before := permissionsOf(s.perMethod, s.perMethod.LogicalID(s.perMethodFn))

	// THEN one permission for the API, and a policy far under 20 KB,
	// where aws-cdk's two per route overflow it.
	if len(after) != 1 {
		t.Fatalf("the shared function has %d permissions, want 1 for the API", len(after))
	}
	want(t, "SourceArn", after[0]["SourceArn"], map[string]any{"Fn::Join": []any{"", []any{
		"arn:", map[string]any{"Ref": "AWS::Partition"}, ":execute-api:", map[string]any{"Ref": "AWS::Region"}, ":",
		map[string]any{"Ref": "AWS::AccountId"}, ":", map[string]any{"Ref": s.shared.LogicalID(s.shared.Stack.Node().FindChild(jsii.String("Api")).Node().FindChild(jsii.String("Resource")))}, "/*/*/*"}}})
	if len(before) != 600 {
		t.Fatalf("scoped to their methods, 300 routes have %d permissions, want 600", len(before))
	}
	a, b := policyBytes(t, "Shared", after), policyBytes(t, "PerMethod", before)
	t.Logf("policy of 300 routes on one function: %d bytes scoped to each method, %d bytes with one API-wide permission (limit %d)", b, a, lambdaPolicyLimit)
	if b <= lambdaPolicyLimit {
		t.Errorf("per-method policy = %d bytes, expected over %d: the test measures the wrong thing", b, lambdaPolicyLimit)
	}
	if a > lambdaPolicyLimit/20 {
		t.Errorf("API-wide policy = %d bytes, want under %d", a, lambdaPolicyLimit/20)
	}
}

func TestSharedFunctionUpToThresholdKeepsPermissionsPerMethod(t *testing.T) {
	s := scaleStack(t)
	perms := permissionsOf(s.shared, s.shared.LogicalID(s.smallFn))
	if len(perms) != 2*streaming.MaxMethodScopedRoutes {
		t.Fatalf("a function with %d routes has %d permissions, want two per route", streaming.MaxMethodScopedRoutes, len(perms))
	}
	for _, p := range perms {
		if arn := js(p["SourceArn"]); strings.Contains(arn, `"/*/*/*"`) || !strings.Contains(arn, "/small/items") {
			t.Errorf("%s: SourceArn %s is not its method's", p["__logicalId"], arn)
		}
	}
}

func TestScopePermissionToMethodTrueKeepsPerMethodPastThreshold(t *testing.T) {
	s := scaleStack(t)
	if n, w := len(permissionsOf(s.shared, s.shared.LogicalID(s.pinnedFn))), 2*(streaming.MaxMethodScopedRoutes+1); n != w {
		t.Errorf("pinned function: %d permissions, want %d", n, w)
	}
}

func TestCrossingThresholdInAddRouteRemovesEarlierPermissions(t *testing.T) {
	// GIVEN a shared function whose 13th route comes through AddRoute
	s := scaleStack(t)
	fn := s.mix.Stack.Node().FindChild(jsii.String("Shared"))
	perms := permissionsOf(s.mix, s.mix.LogicalID(fn))
	// THEN the 12 earlier routes' 24 permissions are gone: one remains.
	if len(perms) != 1 || !strings.HasSuffix(js(perms[0]["SourceArn"]), `"/*/*/*"]]}`) {
		t.Errorf("permissions = %s, want one for the API", js(perms))
	}
	for _, m := range s.mixAPI.Routes {
		if m.Function == nil || *m.Function.Node().Path() != *fn.Node().Path() {
			continue
		}
		for _, c := range *m.ApiMethod.Node().Children() {
			if _, ok := c.(awslambda.CfnPermission); ok {
				t.Errorf("%s %s still has a permission under its method", m.Method, m.Path)
			}
		}
	}
}

func TestApiWidePermissionHasSourceAccountUnderCompliance(t *testing.T) {
	// GIVEN the compliance profile and a function with 13 routes
	s := scaleStack(t)
	perms := permissionsOf(s.regulated, s.regulated.LogicalID(s.regulatedFn))
	// THEN its one permission, for the API, names the account, as the
	// per-method ones did (Control Tower's CT.LAMBDA.PR.2).
	if len(perms) != 1 || !strings.Contains(js(perms[0]["SourceArn"]), `"/*/*/*"`) {
		t.Fatalf("permissions = %s, want one for the API", js(perms))
	}
	want(t, "SourceAccount", perms[0]["SourceAccount"], map[string]any{"Ref": "AWS::AccountId"})
	// AND the plan counted one permission: 12 per method (one each under
	// the profile) planned, then removed.
	want(t, "planned permissions", streaming.PlannedResources(s.regulatedAPI)["AWS::Lambda::Permission"], 1)
}

func TestScopePermissionToMethodFalseOnOwnFunction(t *testing.T) {
	s := scaleStack(t)
	r := s.mixAPI.Route("GET", "/")
	perms := permissionsOf(s.mix, s.mix.LogicalID(r.Function))
	if len(perms) != 1 || !strings.Contains(js(perms[0]["SourceArn"]), `"/*/*/*"`) {
		t.Errorf("permissions = %s, want one for the API", js(perms))
	}
	if w := assertions.Annotations_FromStack(s.mix.Stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("allowTestInvoke"))); len(*w) != 0 {
		t.Errorf("aws-cdk warned: %s", js(w))
	}
}

func TestPlannedResourcesMatchTemplate(t *testing.T) {
	// GIVEN routes of every kind (own functions, nested paths, CORS,
	// monitoring, an HTTP backend, a shared function past the threshold)
	s := scaleStack(t)
	got := map[string]int{}
	for _, r := range s.mix.Resources {
		got[r["Type"].(string)]++
	}
	for _, r := range s.mixBase.Resources {
		got[r["Type"].(string)]--
	}
	// The shared function, made by the test, with its role and (cdk.json's
	// @aws-cdk/aws-lambda:useCdkManagedLogGroup) log group.
	for _, typ := range []string{"AWS::Lambda::Function", "AWS::IAM::Role", "AWS::Logs::LogGroup"} {
		got[typ]--
	}
	for k, v := range got {
		if v == 0 {
			delete(got, k)
		}
	}
	// THEN the plan that the limit is checked against is the template's.
	want(t, "resources the routes added", got, streaming.PlannedResources(s.mixAPI))
}

func TestFailsBeforeStackResourceLimit(t *testing.T) {
	// GIVEN routes with their own functions, added one at a time, and no
	// nested stacks
	app := cdktest.NewApp(false)
	stack := awscdk.NewStack(app, jsii.String("Grow"), nil)
	api := streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{RoutesPerStack: jsii.Number(0)})
	added := 0
	msg := cdktest.PanicMessage(t, func() {
		for i := 0; i < 100; i++ {
			api.AddRoute(&streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String(fmt.Sprintf("/r%d", i)), Entry: jsii.String(handler)})
			added++
		}
	})
	// THEN the route that would pass 500 stops synth, in the usual shape.
	for _, part := range []string{
		fmt.Sprintf(`StreamingRestApi "Grow/Api": AddRoute(GET /r%d), the API's route %d, would bring stack "Grow" to 50`, added, added+1),
		"allowed: at most 500 per stack (CloudFormation's quota).",
		fmt.Sprintf("The API's routes have %d resources: AWS::Lambda::Permission (%d), AWS::ApiGateway::Method (%d), AWS::ApiGateway::Resource (%d), AWS::IAM::Policy (%d)",
			added*8, 2*added, added, added, added),
		"The route adds 8: AWS::Lambda::Permission (2), AWS::ApiGateway::Method (1)",
		"Fix: one of", "RouteProps.Function", `"/{proxy+}"`, "lambda/httpstream", "leave RoutesPerStack unset",
	} {
		if !strings.Contains(msg, part) {
			t.Errorf("the error lacks %q:\n%s", part, msg)
		}
	}
	// AND the routes before it fit: one more would not.
	n := len(cdktest.Synth(t, stack).Resources)
	if n > 500 || n+8 <= 500 {
		t.Errorf("stopped with %d resources in the template, want the last route that fits", n)
	}
}

func TestFailsBeforeBuildingAnyHandlerWhenRoutesDoNotFit(t *testing.T) {
	app := cdktest.NewApp(false)
	stack := awscdk.NewStack(app, jsii.String("Big"), nil)
	routes := make([]*streaming.RouteProps, 100)
	for i := range routes {
		routes[i] = &streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String(fmt.Sprintf("/r%d", i)), Entry: jsii.String(handler)}
	}
	msg := cdktest.PanicMessage(t, func() {
		streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{Routes: &routes, RoutesPerStack: jsii.Number(0)})
	})
	if !strings.Contains(msg, `StreamingRestApi "Big/Api": Routes[61] (GET /r61) would bring`) || !strings.Contains(msg, `would bring stack "Big" to 50`) {
		t.Errorf("unexpected error:\n%s", msg)
	}
	for _, c := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if _, ok := c.(awslambda.CfnFunction); ok {
			t.Fatalf("%s was made before the error", *c.Node().Path())
		}
	}
}

func TestSynthFailsCleanlyWhenOthersFillTheStack(t *testing.T) {
	// GIVEN an API that fits, and 500 more resources added after it
	app := cdktest.NewApp(false)
	stack := awscdk.NewStack(app, jsii.String("Full"), nil)
	streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{Routes: &[]*streaming.RouteProps{
		{Method: jsii.String("GET"), Path: jsii.String("/r"), Entry: jsii.String(handler)}}})
	for i := 0; i < 500; i++ {
		awscdk.NewCfnWaitConditionHandle(stack, jsii.String(fmt.Sprintf("H%d", i)), nil)
	}
	// THEN synth stops with the construct's error, not aws-cdk's panic.
	msg := cdktest.PanicMessage(t, func() { app.Synth(nil) })
	for _, part := range []string{`StreamingRestApi "Full/Api": stack "Full" has 5`, "allowed: at most 500 per stack",
		"AWS::CloudFormation::WaitConditionHandle (500)", "The API's routes have: AWS::Lambda::Permission (2)", "Fix: one of"} {
		if !strings.Contains(msg, part) {
			t.Errorf("the error lacks %q:\n%s", part, msg)
		}
	}
	if strings.Contains(msg, "TooManyResourcesInStack") {
		t.Errorf("aws-cdk's own error came first:\n%s", msg)
	}
}

func TestFailsScopePermissionToMethodOnHTTPRoute(t *testing.T) {
	failsWith(t, &streaming.StreamingRestApiProps{Routes: &[]*streaming.RouteProps{{Method: jsii.String("GET"), Path: jsii.String("/h"),
		HttpUrl: jsii.String("https://example.com"), ScopePermissionToMethod: jsii.Bool(false)}}},
		"Routes[0].ScopePermissionToMethod is set on an HTTP route; allowed: only on a route with a Lambda function")
}

func TestFailsBeforeTemplateByteLimit(t *testing.T) {
	// GIVEN monitored routes in a stack whose resource limit was raised
	app := cdktest.NewApp(false)
	stack := awscdk.NewStack(app, jsii.String("Wide"), nil)
	stack.Node().SetContext(jsii.String(streaming.StackResourceLimitContext), 5000)
	api := streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{Monitoring: &monitoring.MonitorProps{}, RoutesPerStack: jsii.Number(0)})
	added := 0
	msg := cdktest.PanicMessage(t, func() {
		for i := 0; i < 200; i++ {
			api.AddRoute(&streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String(fmt.Sprintf("/reports/r%d/{id}", i)), Entry: jsii.String(handler)})
			added++
		}
	})
	// THEN the route that would pass 1 MB stops synth
	for _, part := range []string{fmt.Sprintf("AddRoute(GET /reports/r%d/{id}), the API's route %d,", added, added+1), `would bring stack "Wide"'s template to about `,
		"allowed: at most 1000000 (CloudFormation's quota)", "Fix: one of"} {
		if !strings.Contains(msg, part) {
			t.Errorf("the error lacks %q:\n%s", part, msg)
		}
	}
	// AND the template of the routes before it is under 1 MB, by less
	// than a fifth: the estimate is close.
	tmpl, err := os.ReadFile(*app.Synth(nil).GetStackByName(jsii.String("Wide")).TemplateFullPath())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d routes: template %d bytes", added, len(tmpl))
	if len(tmpl) > streaming.MaxTemplateBytes || len(tmpl) < streaming.MaxTemplateBytes*4/5 {
		t.Errorf("stopped at a template of %d bytes, want under %d and near it", len(tmpl), streaming.MaxTemplateBytes)
	}
}

func TestNestedStackResourcesCountInTheirOwnStack(t *testing.T) {
	// GIVEN a stack whose nested stack holds 499 resources, and an API
	// added to the parent after it
	app := cdktest.NewApp(false)
	stack := awscdk.NewStack(app, jsii.String("Parent"), nil)
	nested := awscdk.NewNestedStack(stack, jsii.String("Nested"), nil)
	for i := 0; i < 499; i++ {
		awscdk.NewCfnWaitConditionHandle(nested, jsii.String(fmt.Sprintf("H%d", i)), nil)
	}
	streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{Routes: &[]*streaming.RouteProps{
		{Method: jsii.String("GET"), Path: jsii.String("/r"), Entry: jsii.String(handler)}}})
	// THEN neither the route nor synth counts them against the parent,
	// which has its own 500 (as the nested stack has).
	if n := len(cdktest.Synth(t, stack).Resources); n > 30 {
		t.Errorf("the parent has %d resources", n)
	}
}
