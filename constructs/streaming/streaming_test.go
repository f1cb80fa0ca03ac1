package streaming_test

import (
	"encoding/json"
	"os"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/internal/cdktest"
)

func TestMain(m *testing.M) {
	cdktest.DisableValidation()
	code := m.Run()
	jsii.Close()
	cdktest.RemoveTemp()
	os.Exit(code)
}

const handler = "github.com/streamgate/streamgate/lambda/records"

// synthed is a stack built once and shared by the tests that read it.
type synthed struct {
	stack awscdk.Stack
	api   *streaming.StreamingRestApi
	tmpl  assertions.Template
	res   map[string]map[string]any // logical id -> resource
}

func synth(t *testing.T, stack awscdk.Stack, api *streaming.StreamingRestApi) *synthed {
	t.Helper()
	tmpl := assertions.Template_FromStack(stack, nil)
	var doc struct {
		Resources map[string]map[string]any
	}
	b, _ := json.Marshal(tmpl.ToJSON())
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return &synthed{stack: stack, api: api, tmpl: tmpl, res: doc.Resources}
}

// props are the CloudFormation properties of the resource c defines (c
// itself, or its default child).
func (s *synthed) props(t *testing.T, c constructs.IConstruct) map[string]any {
	t.Helper()
	el, ok := c.(awscdk.CfnElement)
	if !ok {
		el, ok = c.Node().DefaultChild().(awscdk.CfnElement)
	}
	if !ok {
		t.Fatalf("%s has no CloudFormation resource", *c.Node().Path())
	}
	id := *s.stack.GetLogicalId(el)
	r, ok := s.res[id]
	if !ok {
		t.Fatalf("no resource %s in the template", id)
	}
	p, _ := r["Properties"].(map[string]any)
	return p
}

func (s *synthed) logicalID(c constructs.IConstruct) string {
	el, ok := c.(awscdk.CfnElement)
	if !ok {
		el = c.Node().DefaultChild().(awscdk.CfnElement)
	}
	return *s.stack.GetLogicalId(el)
}

func (s *synthed) ofType(typ string) []map[string]any {
	var out []map[string]any
	for _, r := range s.res {
		if r["Type"] == typ {
			p, _ := r["Properties"].(map[string]any)
			out = append(out, p)
		}
	}
	return out
}

func get(m any, path ...string) any {
	for _, k := range path {
		mm, ok := m.(map[string]any)
		if !ok {
			return nil
		}
		m = mm[k]
	}
	return m
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func want(t *testing.T, what string, got, exp any) {
	t.Helper()
	if js(got) != js(exp) {
		t.Errorf("%s = %s, want %s", what, js(got), js(exp))
	}
}

var (
	defaultsOnce sync.Once
	defaults     *synthed
	existingFn   awslambda.Function
)

// defaultStack: every route kind with default props.
func defaultStack(t *testing.T) *synthed {
	defaultsOnce.Do(func() {
		app := cdktest.NewApp(false)
		stack := awscdk.NewStack(app, jsii.String("Defaults"), nil)
		existingFn = awslambda.NewFunction(stack, jsii.String("Existing"), &awslambda.FunctionProps{
			Runtime: awslambda.Runtime_PROVIDED_AL2023(), Handler: jsii.String("bootstrap"),
			Code:    awslambda.Code_FromAsset(jsii.String("testdata/prebuilt"), nil),
			Timeout: awscdk.Duration_Minutes(jsii.Number(15)),
		})
		api := streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{
			Routes: &[]*streaming.RouteProps{
				{Method: jsii.String("GET"), Path: jsii.String("/records"), Entry: jsii.String(handler)},
				{Method: jsii.String("get"), Path: jsii.String("/jobs/{id}/progress"), Function: existingFn},
				{Method: jsii.String("GET"), Path: jsii.String("/legacy/{item}"), HttpUrl: jsii.String("https://backend.example.com/items/{item}")},
			},
		})
		api.AddRoute(&streaming.RouteProps{
			Method: jsii.String("POST"), Path: jsii.String("/"), Entry: jsii.String(handler),
			TransferMode: awsapigateway.ResponseTransferMode_BUFFERED,
		})
		defaults = synth(t, stack, api)
	})
	if defaults == nil {
		t.Fatal("the defaults stack did not synthesize")
	}
	return defaults
}

func methodOf(t *testing.T, s *synthed, method, path string) map[string]any {
	t.Helper()
	r := s.api.Route(method, path)
	if r == nil {
		t.Fatalf("no route %s %s", method, path)
	}
	return s.props(t, r.ApiMethod)
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
