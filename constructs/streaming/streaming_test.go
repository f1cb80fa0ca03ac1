package streaming_test

import (
	"encoding/json"
	"fmt"
	"strings"
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

func TestMain(m *testing.M) { cdktest.Main(m) }

const handler = "github.com/streamgate/streamgate/examples/demo/records"

// synthed is a stack built once and shared by the tests that read it.
type synthed struct {
	*cdktest.Template
	api  *streaming.StreamingRestApi
	tmpl assertions.Template
}

func synth(t *testing.T, stack awscdk.Stack, api *streaming.StreamingRestApi) *synthed {
	t.Helper()
	tp := cdktest.Synth(t, stack)
	return &synthed{Template: tp, api: api, tmpl: assertions.Template_FromStack(stack, nil)}
}

func (s *synthed) props(t *testing.T, c constructs.IConstruct) map[string]any { return s.Props(t, c) }
func (s *synthed) logicalID(c constructs.IConstruct) string                   { return s.LogicalID(c) }
func (s *synthed) ofType(typ string) []map[string]any                         { return s.PropsOfType(typ) }

var (
	get  = cdktest.Get
	js   = cdktest.JSON
	want = cdktest.Want
)

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

// TestMovedEntryBuildsTheNewPathAndWarns: a route whose Entry names a
// handler where it was before it moved (lambda/records, as test/teamapp
// and the README's example once did) gets its function, with one warning
// that names the new path; a route that names the new path gets none.
func TestMovedEntryBuildsTheNewPathAndWarns(t *testing.T) {
	stack := awscdk.NewStack(cdktest.NewApp(false), jsii.String("Moved"), nil)
	api := streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{
		Routes: &[]*streaming.RouteProps{
			{Method: jsii.String("GET"), Path: jsii.String("/old"), Entry: jsii.String("github.com/streamgate/streamgate/lambda/records")},
			{Method: jsii.String("GET"), Path: jsii.String("/new"), Entry: jsii.String(handler)},
		},
	})
	if api.Route("GET", "/old").Function == nil {
		t.Fatal("the route on the old path has no function")
	}
	var got []string
	for _, w := range *assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("has moved to"))) {
		got = append(got, *w.Id+": "+fmt.Sprint(w.Entry.Data))
	}
	if len(got) != 1 || !strings.Contains(got[0], `Entry "github.com/streamgate/streamgate/lambda/records" has moved to "`+handler+`"`) ||
		!strings.Contains(got[0], "GetOld") {
		t.Errorf("warnings: %q; want one, on the /old route's function, naming %s", got, handler)
	}
}
