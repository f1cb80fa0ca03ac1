package streaming_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/apiauth"
	"github.com/streamgate/streamgate/constructs/monitoring"
	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/internal/cdktest"
	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/templatetest"
)

// nestedAPI is an API of routes on one shared function, except every 25th
// and the last, which have a function of their own (prebuilt Code, as
// Entry would build), each on its own path under /v1. The one of 300
// routes (301 API Gateway resources, no authorization to keep its golden
// small) is synthesized once, with automatic RoutesPerStack.
type nestedAPI struct {
	api      *streaming.StreamingRestApi
	stack    awscdk.Stack
	dir      string                    // the cloud assembly
	parent   map[string]any            // the API's stack's template
	nested   map[string]map[string]any // nested templates by construct id
	bytes    map[string]int            // template sizes by stack
	seconds  float64                   // the synth's duration
	warnings []string
}

var (
	nested300Once sync.Once
	nested300     *nestedAPI
)

const nestedRoutes = 300

func nestedRouteProps(stack awscdk.Stack, n int, shared awslambda.IFunction) []*streaming.RouteProps {
	routes := make([]*streaming.RouteProps, n)
	for i := range routes {
		routes[i] = &streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String(fmt.Sprintf("/v1/r%d", i)), Function: shared}
		if i%25 == 24 || i == n-1 {
			routes[i].Function = nil
			routes[i].Code = awslambda.Code_FromAsset(jsii.String("testdata/prebuilt"), nil)
		}
	}
	return routes
}

// synthNested builds an app with one API of n routes (nestedRouteProps) and
// reads its templates.
func synthNested(t testing.TB, n int, p *streaming.StreamingRestApiProps) *nestedAPI {
	start := time.Now()
	app := cdktest.NewApp(false)
	stack := awscdk.NewStack(app, jsii.String("Nested"), nil)
	shared := prebuiltFunction(stack, "Handler")
	routes := nestedRouteProps(stack, n, shared)
	if p == nil {
		p = &streaming.StreamingRestApiProps{}
	}
	p.Routes = &routes
	s := &nestedAPI{stack: stack, nested: map[string]map[string]any{}, bytes: map[string]int{}}
	s.api = streaming.NewStreamingRestApi(stack, jsii.String("Api"), p)
	asm := app.Synth(nil)
	s.seconds = time.Since(start).Seconds()
	s.dir = *asm.Directory()
	read := func(file string) map[string]any {
		b, err := os.ReadFile(filepath.Join(s.dir, file))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		s.bytes[file] = len(b)
		return m
	}
	s.parent = read("Nested.template.json")
	for _, ns := range s.api.NestedStacks {
		s.nested[*ns.Node().Id()] = read(*ns.TemplateFile())
	}
	for _, w := range *assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_AnyValue()) {
		s.warnings = append(s.warnings, fmt.Sprint(w.Entry.Data))
	}
	return s
}

func nestedStack300(t *testing.T) *nestedAPI {
	nested300Once.Do(func() {
		nested300 = synthNested(t, nestedRoutes, &streaming.StreamingRestApiProps{Authorization: apiauth.None()})
	})
	if nested300 == nil {
		t.Fatal("the 300-route API did not synthesize")
	}
	return nested300
}

func resourcesOfType(tmpl map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	res, _ := tmpl["Resources"].(map[string]any)
	for id, r := range res {
		if m, _ := r.(map[string]any); m["Type"] == typ {
			out[id] = m
		}
	}
	return out
}

func TestNested300RoutesGolden(t *testing.T) {
	s := nestedStack300(t)
	templatetest.Golden(t, "testdata/nested300.golden.json", s.parent)
	for id, tmpl := range s.nested {
		templatetest.Golden(t, "testdata/nested300-"+strings.ToLower(id)+".golden.json", tmpl)
	}
}

func TestNestedStacksEachUnderTheLimits(t *testing.T) {
	// GIVEN 300 routes that need about 620 resources, WHEN RoutesPerStack
	// is left automatic
	s := nestedStack300(t)
	// THEN the routes spill into nested stacks, and every stack is under
	// 500 resources and 1 MB.
	if len(s.api.NestedStacks) == 0 {
		t.Fatal("no nested stack")
	}
	all := map[string]map[string]any{"Nested": s.parent}
	for id, tmpl := range s.nested {
		all[id] = tmpl
	}
	methods := 0
	for id, tmpl := range all {
		n := len(tmpl["Resources"].(map[string]any))
		t.Logf("%s: %d resources", id, n)
		if n > streaming.MaxStackResources {
			t.Errorf("%s has %d resources, over %d", id, n, streaming.MaxStackResources)
		}
		for _, m := range resourcesOfType(tmpl, "AWS::ApiGateway::Method") {
			if js(get(m, "Properties", "HttpMethod")) == `"GET"` {
				methods++
			}
		}
	}
	for file, b := range s.bytes {
		if b > streaming.MaxTemplateBytes {
			t.Errorf("%s is %d bytes", file, b)
		}
	}
	if methods != nestedRoutes {
		t.Errorf("%d GET methods in all the templates, want %d", methods, nestedRoutes)
	}
	// AND the API's stack holds the REST API, its stage and deployment.
	for _, typ := range []string{"AWS::ApiGateway::RestApi", "AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment"} {
		if len(resourcesOfType(s.parent, typ)) != 1 {
			t.Errorf("the API's stack has no %s", typ)
		}
		for id, tmpl := range s.nested {
			if len(resourcesOfType(tmpl, typ)) != 0 {
				t.Errorf("nested stack %s has a %s", id, typ)
			}
		}
	}
}

// TestNestedStacksDoNotDependOnTheStage: the stage's deployment depends on
// the nested stacks, so nothing in them may refer to the stage (a method
// ARN with the stage's name would: aws-cdk's method-scoped permission), or
// CloudFormation refuses the cycle.
func TestNestedStacksDoNotDependOnTheStage(t *testing.T) {
	s := nestedStack300(t)
	stages := resourcesOfType(s.parent, "AWS::ApiGateway::Stage")
	for id, st := range resourcesOfType(s.parent, "AWS::CloudFormation::Stack") {
		params := js(get(st, "Properties", "Parameters"))
		for stage := range stages {
			if strings.Contains(params, `"`+stage+`"`) {
				t.Errorf("nested stack %s takes the stage %s: %s", id, stage, params)
			}
		}
	}
	for id, tmpl := range s.nested {
		for pid, p := range resourcesOfType(tmpl, "AWS::Lambda::Permission") {
			if arn := js(get(p, "Properties", "SourceArn")); !strings.Contains(arn, `/*/GET/`) && !strings.Contains(arn, "test-invoke-stage") {
				t.Errorf("%s/%s: SourceArn %s, want any stage of the API (/*/GET/...)", id, pid, arn)
			}
		}
	}
}

func TestDeploymentDependsOnTheNestedStacks(t *testing.T) {
	// GIVEN routes for three nested stacks
	s := synthNested(t, 8, &streaming.StreamingRestApiProps{RoutesPerStack: jsii.Number(2)})
	want(t, "nested stacks", len(s.api.NestedStacks), 3)
	// THEN the API's stack holds the first, each holds the next (the API's
	// stack, full, needs room for one only)
	for i, tmpl := range []map[string]any{s.parent, s.nested["Routes1"], s.nested["Routes2"], s.nested["Routes3"]} {
		n := len(resourcesOfType(tmpl, "AWS::CloudFormation::Stack"))
		if w := map[bool]int{true: 1, false: 0}[i < 3]; n != w {
			t.Errorf("stack %d holds %d nested stacks, want %d", i, n, w)
		}
	}
	// AND the deployment depends on the first, which CloudFormation
	// completes with the ones inside it: new methods are deployed first.
	first := ""
	for id := range resourcesOfType(s.parent, "AWS::CloudFormation::Stack") {
		first = id
	}
	for _, d := range resourcesOfType(s.parent, "AWS::ApiGateway::Deployment") {
		if deps := js(d["DependsOn"]); first == "" || !strings.Contains(deps, `"`+first+`"`) {
			t.Errorf("the deployment does not depend on %q: %s", first, deps)
		}
	}
}

func TestNewNestedRouteMakesANewDeployment(t *testing.T) {
	// GIVEN the same API with a route more, in a nested stack
	deployment := func(n int) string {
		s := synthNested(t, n, &streaming.StreamingRestApiProps{RoutesPerStack: jsii.Number(2)})
		if len(s.api.NestedStacks) == 0 {
			t.Fatal("no nested stack")
		}
		for id := range resourcesOfType(s.parent, "AWS::ApiGateway::Deployment") {
			return id
		}
		t.Fatal("no deployment")
		return ""
	}
	// THEN the deployment's logical id changes: CloudFormation makes a new
	// deployment, and the stage serves the new route.
	if a, b := deployment(3), deployment(4); a == b {
		t.Errorf("the deployment is %s with and without the fourth route", a)
	}
}

func TestWarnsPastAPIGatewayResourceQuota(t *testing.T) {
	s := nestedStack300(t)
	found := false
	for _, w := range s.warnings {
		if strings.Contains(w, "the routes create 301 API Gateway resources") && strings.Contains(w, streaming.WarningResourceQuota) {
			found = true
		}
	}
	if !found {
		t.Errorf("no resource quota warning in %q", s.warnings)
	}
}

func TestLoaderServesEveryRouteOfNestedStacks(t *testing.T) {
	// GIVEN the cloud assembly of the 300-route API
	s := nestedStack300(t)
	a, err := loader.Load(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	// THEN the local runner's loader finds each route, in the nested
	// stacks too, with its function and that function's code.
	if len(a.APIs) != 1 {
		t.Fatalf("%d APIs", len(a.APIs))
	}
	got := map[string]bool{}
	for _, r := range a.APIs[0].Routes {
		if r.Method != "GET" {
			continue
		}
		got[r.Path] = true
		if r.Function == nil || r.Function.AssetDir == "" || !r.Stream {
			t.Errorf("GET %s: function %+v", r.Path, r.Function)
		}
	}
	for i := 0; i < nestedRoutes; i++ {
		if !got[fmt.Sprintf("/v1/r%d", i)] {
			t.Errorf("GET /v1/r%d is not served", i)
		}
	}
	if len(a.Unsupported) != 0 {
		t.Errorf("not emulated:\n%s", strings.Join(a.Unsupported, "\n"))
	}
}

func TestNestedStacksWithMonitoringWebACLAndCORS(t *testing.T) {
	// GIVEN a monitored API with a web ACL, CORS and two routes per stack
	s := synthNested(t, 6, &streaming.StreamingRestApiProps{
		RoutesPerStack:     jsii.Number(2),
		Monitoring:         &monitoring.MonitorProps{},
		MaxRequestBodySize: awscdk.Size_Kibibytes(jsii.Number(64)),
		Cors:               &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com")},
	})
	// THEN two nested stacks hold four routes
	want(t, "nested stacks", len(s.api.NestedStacks), 2)
	// AND a CORS preflight (OPTIONS) on each of their resources
	for _, id := range []string{"Routes1", "Routes2"} {
		methods := map[string]int{}
		for _, m := range resourcesOfType(s.nested[id], "AWS::ApiGateway::Method") {
			methods[js(get(m, "Properties", "HttpMethod"))]++
		}
		want(t, id+" methods", methods, map[string]int{`"GET"`: 2, `"OPTIONS"`: 2})
	}
	if len(resourcesOfType(s.parent, "AWS::ApiGateway::GatewayResponse")) == 0 {
		t.Error("the API's stack lost its CORS gateway responses")
	}
	// AND the alarms, the dashboard and the web ACL's association are in
	// the API's stack, on its stage.
	for id, tmpl := range s.nested {
		for _, typ := range []string{"AWS::CloudWatch::Alarm", "AWS::CloudWatch::Dashboard", "AWS::WAFv2::WebACLAssociation"} {
			if len(resourcesOfType(tmpl, typ)) != 0 {
				t.Errorf("%s has a %s", id, typ)
			}
		}
	}
	if n := len(resourcesOfType(s.parent, "AWS::CloudWatch::Alarm")); n < 6*2 {
		t.Errorf("the API's stack has %d alarms, want at least two per route", n)
	}
	assoc := resourcesOfType(s.parent, "AWS::WAFv2::WebACLAssociation")
	if len(assoc) != 1 || !strings.Contains(js(assoc), "DeploymentStageprod") {
		t.Errorf("web ACL association: %s", js(assoc))
	}
	// AND each alarm on a nested handler names it through the nested
	// stack's output.
	alarms := js(resourcesOfType(s.parent, "AWS::CloudWatch::Alarm"))
	if !strings.Contains(alarms, "Outputs.") {
		t.Errorf("no alarm names a nested stack's function: %s", alarms)
	}
}

func TestRoutesPerStackZeroKeepsOneStack(t *testing.T) {
	s := synthNested(t, 30, &streaming.StreamingRestApiProps{RoutesPerStack: jsii.Number(0)})
	if len(s.api.NestedStacks) != 0 || len(resourcesOfType(s.parent, "AWS::CloudFormation::Stack")) != 0 {
		t.Errorf("nested stacks: %d", len(s.api.NestedStacks))
	}
}

func TestFailsRoutesPerStackNotAWholeNumber(t *testing.T) {
	for _, n := range []float64{-1, 2.5} {
		failsWith(t, &streaming.StreamingRestApiProps{RoutesPerStack: jsii.Number(n)},
			fmt.Sprintf("RoutesPerStack is %g; allowed: a whole number of routes known at synth, 0 or more", n))
	}
}

// TestMeasureNestedAPIs logs, for APIs of 10 to 1,000 routes on one
// shared function (every 25th with its own), the stacks, resources,
// template bytes and synth seconds (README's table). Run it with
// STREAMGATE_MEASURE=1; STREAMGATE_MEASURE_OUT=dir keeps the 1,000-route
// assembly there.
func TestMeasureNestedAPIs(t *testing.T) {
	if os.Getenv("STREAMGATE_MEASURE") == "" {
		t.Skip("set STREAMGATE_MEASURE=1 to measure")
	}
	for _, n := range []int{10, 50, 100, 200, 300, 500, 1000} {
		s := synthNested(t, n, nil)
		files := make([]string, 0, len(s.bytes))
		for f := range s.bytes {
			files = append(files, f)
		}
		sort.Strings(files)
		var sizes []string
		total := 0
		for _, f := range files {
			total += s.bytes[f]
		}
		sizes = append(sizes, fmt.Sprintf("API's stack %d resources, %d bytes", len(s.parent["Resources"].(map[string]any)), s.bytes["Nested.template.json"]))
		for _, ns := range s.api.NestedStacks {
			tmpl := s.nested[*ns.Node().Id()]
			sizes = append(sizes, fmt.Sprintf("%s %d resources, %d bytes", *ns.Node().Id(), len(tmpl["Resources"].(map[string]any)), s.bytes[*ns.TemplateFile()]))
		}
		t.Logf("%d routes: %d stacks, %d template bytes in all, synth %.1f s; %s", n, 1+len(s.api.NestedStacks), total, s.seconds, strings.Join(sizes, "; "))
		if out := os.Getenv("STREAMGATE_MEASURE_OUT"); out != "" && n == 1000 {
			// The assembly of the largest API, for the runner's start-up.
			if err := os.CopyFS(out, os.DirFS(s.dir)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestResourcesOfStacksNestedTwiceCountInTheirOwnStack(t *testing.T) {
	// GIVEN a nested stack in a nested stack with 499 resources
	app := cdktest.NewApp(false)
	stack := awscdk.NewStack(app, jsii.String("Parent"), nil)
	inner := awscdk.NewNestedStack(awscdk.NewNestedStack(stack, jsii.String("Outer"), nil), jsii.String("Inner"), nil)
	for i := 0; i < 499; i++ {
		awscdk.NewCfnWaitConditionHandle(inner, jsii.String(fmt.Sprintf("H%d", i)), nil)
	}
	streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{Routes: &[]*streaming.RouteProps{
		{Method: jsii.String("GET"), Path: jsii.String("/r"), Entry: jsii.String(handler)}}})
	// THEN the parent's check at synth does not count them.
	if n := len(cdktest.Synth(t, stack).Resources); n > 30 {
		t.Errorf("the parent has %d resources", n)
	}
}

// TestSecondMethodOnAPathOfAnotherStack: GIVEN 70 GET routes, then a POST
// on each of their paths, with RoutesPerStack automatic, WHEN the POSTs
// spill into a nested stack THEN each POST's method and its permissions
// are in the stack that holds its function (not on the path's resource in
// the API's stack, which would overfill it), and every stack stays under
// 500 resources.
func TestSecondMethodOnAPathOfAnotherStack(t *testing.T) {
	app := cdktest.NewApp(false)
	stack := awscdk.NewStack(app, jsii.String("TwoMethods"), nil)
	var routes []*streaming.RouteProps
	for _, m := range []string{"GET", "POST"} {
		for i := range 70 {
			routes = append(routes, &streaming.RouteProps{Method: jsii.String(m), Path: jsii.String(fmt.Sprintf("/r%d", i)),
				Code: awslambda.Code_FromAsset(jsii.String("testdata/prebuilt"), nil)})
		}
	}
	api := streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{Authorization: apiauth.None(), Routes: &routes})
	if len(api.NestedStacks) == 0 {
		t.Fatal("no nested stack")
	}
	asm := app.Synth(nil)
	for _, r := range api.Routes {
		methodStack := *awscdk.Stack_Of(r.ApiMethod).Node().Path()
		if fn := r.Function; fn != nil && *awscdk.Stack_Of(fn).Node().Path() != methodStack {
			t.Errorf("%s %s: method in %s, function in %s", r.Method, r.Path, methodStack, *awscdk.Stack_Of(fn).Node().Path())
		}
	}
	count := func(file string) int {
		b, err := os.ReadFile(filepath.Join(*asm.Directory(), file))
		if err != nil {
			t.Fatal(err)
		}
		var tmpl struct{ Resources map[string]any }
		json.Unmarshal(b, &tmpl)
		return len(tmpl.Resources)
	}
	if n := count("TwoMethods.template.json"); n > 500 {
		t.Errorf("the API's stack has %d resources", n)
	}
	for _, ns := range api.NestedStacks {
		if n := count(*ns.TemplateFile()); n > 500 {
			t.Errorf("%s has %d resources", *ns.Node().Id(), n)
		}
	}
}
