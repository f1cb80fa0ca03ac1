package local

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/apiauth"
	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/internal/cdktest"
)

// The Python runtimes of the test stack's functions: the route's, and the
// authorizer's.
var pythonRuntimes = []string{"python3.13", "python3.11"}

// pythonTimeout is the route function's timeout, at least its STREAM
// route's integration timeout (the construct checks).
const pythonTimeout = 15 * time.Minute

// addPythonRoutes adds Python functions on the managed runtimes, written as
// AWS's documentation shows (test/local/pyfn), from a plain
// Code.fromAsset folder as a CDK Python app deploys them: a BUFFERED route,
// the same function behind a Python TOKEN authorizer, and on a STREAM route
// (which the runner answers buffered: Lambda does not stream from Python).
func addPythonRoutes(stack awscdk.Stack, streams *streaming.StreamingRestApi) {
	code := awslambda.Code_FromAsset(jsii.String(filepath.Join(cdktest.ModuleRoot(), "test", "local", "pyfn")), nil)
	fn := awslambda.NewFunction(stack, jsii.String("PythonHello"), &awslambda.FunctionProps{Runtime: awslambda.Runtime_PYTHON_3_13(),
		Handler: jsii.String("index.lambda_handler"), Code: code, Timeout: awscdk.Duration_Minutes(jsii.Number(pythonTimeout.Minutes())),
		Environment: &map[string]*string{"GREETING": jsii.String("hello from the template")}})
	authorizer := awsapigateway.NewTokenAuthorizer(stack, jsii.String("PythonTokenAuthorizer"), &awsapigateway.TokenAuthorizerProps{
		Handler: awslambda.NewFunction(stack, jsii.String("PythonAuthorizer"), &awslambda.FunctionProps{Runtime: awslambda.Runtime_PYTHON_3_11(),
			Handler: jsii.String("authorizer.lambda_handler"), Code: code}),
		ResultsCacheTtl: awscdk.Duration_Seconds(jsii.Number(0)), // every request asks it
	})
	buffered := awsapigateway.ResponseTransferMode_BUFFERED
	streams.AddRoute(&streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String("/python/hello"), Function: fn, TransferMode: buffered})
	streams.AddRoute(&streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String("/python/guarded"), Function: fn, TransferMode: buffered,
		Authorization: apiauth.Lambda(authorizer)})
	streams.AddRoute(&streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String("/python/stream"), Function: fn})
}

// pythonAnswer is what test/local/pyfn/index.py answers.
type pythonAnswer struct {
	Path            string  `json:"path"`
	Python          string  `json:"python"`
	RequestID       string  `json:"requestId"`
	FunctionName    string  `json:"functionName"`
	RemainingMillis int64   `json:"remainingMillis"`
	PrincipalID     *string `json:"principalId"`
	Greeting        string  `json:"greeting"`
}

func getPython(t *testing.T, path, token string) (*http.Response, pythonAnswer) {
	t.Helper()
	req, _ := http.NewRequest("GET", streamsURL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out pythonAnswer
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("%s: %v: %s", path, err, body)
		}
	}
	return resp, out
}

// TestPythonFunctionAnswersThroughAWSsClient: a handler as AWS's
// documentation writes it answers through AWS's Runtime Interface Client
// for Python: its status, headers and body; the context's request id (the
// runner's, as in its access log) and remaining time under the function's
// timeout; the template's environment; the runtime's AWS_EXECUTION_ENV;
// and the Python the runner chose for python3.13, with a notice when that
// is another version. The start-up notices list no Python function as not
// run.
func TestPythonFunctionAnswersThroughAWSsClient(t *testing.T) {
	needPython(t)
	resp, out := getPython(t, "/python/hello", "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("X-Runtime") != "AWS_Lambda_python3.13" {
		t.Fatalf("%d %v\n%s", resp.StatusCode, resp.Header, runnerLogs.String())
	}
	py := pythons["python3.13"]
	if out.Path != "/python/hello" || out.Greeting != "hello from the template" || out.Python != py.Version ||
		!strings.HasPrefix(out.FunctionName, "PythonHello") || out.PrincipalID != nil {
		t.Errorf("answer %+v; want Python %s", out, py.Version)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(out.RequestID) {
		t.Errorf("context.aws_request_id %q is no request id", out.RequestID)
	}
	// The access log's line for the request, written once it is answered.
	waitFor(t, runnerLogs.String, "("+out.RequestID+")", 5*time.Second)
	if out.RemainingMillis <= 0 || out.RemainingMillis > pythonTimeout.Milliseconds() {
		t.Errorf("context.get_remaining_time_in_millis() = %d; want within the %v timeout", out.RemainingMillis, pythonTimeout)
	}
	t.Logf("python3.13 runs on Python %s (%s); %d ms left of %v", py.Version, py.Cmd[0], out.RemainingMillis, pythonTimeout)
	logs := runnerLogs.String()
	if py.Note != "" && !strings.Contains(logs, "notice: python3.13 functions run on Python "+py.Version) {
		t.Errorf("no notice that python3.13 runs on Python %s:\n%s", py.Version, logs)
	}
	for _, line := range strings.Split(logs, "\n") {
		if strings.HasPrefix(line, "notice: ") && strings.Contains(line, "Python") &&
			(strings.Contains(line, "is not run") || strings.Contains(line, "no code the runner can run")) {
			t.Errorf("a Python function is listed as not run: %s", line)
		}
	}
}

// TestPythonAuthorizerGuardsARoute: a Python TOKEN authorizer, as API
// Gateway's documentation writes one, guards a Python function's route:
// its Allow reaches the function with its principalId, its Deny is 403,
// its "Unauthorized" 401 (and so is a request without the token), any
// other error 500.
func TestPythonAuthorizerGuardsARoute(t *testing.T) {
	needPython(t)
	resp, out := getPython(t, "/python/guarded", "allow")
	if resp.StatusCode != 200 || out.PrincipalID == nil || *out.PrincipalID != "user" {
		t.Errorf("allow: %d %+v\n%s", resp.StatusCode, out, runnerLogs.String())
	}
	for _, c := range []struct {
		token  string
		status int
	}{{"deny", 403}, {"unauthorized", 401}, {"", 401}, {"boom", 500}} {
		if resp, _ := getPython(t, "/python/guarded", c.token); resp.StatusCode != c.status {
			t.Errorf("token %q: %d, want %d", c.token, resp.StatusCode, c.status)
		}
	}
}

// TestPythonExceptionIsA502WithItsTraceback: a handler that raises is
// Lambda's function error, which API Gateway answers 502; the runner's log
// shows the Python traceback, a line each, as the client prints it.
func TestPythonExceptionIsA502WithItsTraceback(t *testing.T) {
	needPython(t)
	resp, _ := getPython(t, "/python/hello?fail=1", "")
	if resp.StatusCode != 502 {
		t.Errorf("%d, want 502", resp.StatusCode)
	}
	waitFor(t, runnerLogs.String, `function error: {"errorMessage": "failed on purpose", "errorType": "ValueError"`, 5*time.Second)
	logs := runnerLogs.String()
	for _, want := range []string{"] [ERROR] ValueError: failed on purpose\n", "] Traceback (most recent call last):\n",
		`index.py", line 13, in lambda_handler`, "raise ValueError(\"failed on purpose\")\n"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the runner's log lacks %q:\n%s", want, logs)
		}
	}
	// The process lives on, as Lambda keeps the environment after a
	// function error: the next request answers.
	if resp, _ := getPython(t, "/python/hello", ""); resp.StatusCode != 200 {
		t.Errorf("after the error: %d", resp.StatusCode)
	}
}

// TestPythonOnAStreamRouteIsAnsweredBuffered: Lambda has no response
// streaming for Python, so the runner answers a Python function's STREAM
// route buffered, and says so at start with what to change.
func TestPythonOnAStreamRouteIsAnsweredBuffered(t *testing.T) {
	needPython(t)
	resp, out := getPython(t, "/python/stream", "")
	if resp.StatusCode != 200 || out.Path != "/python/stream" {
		t.Errorf("%d %+v", resp.StatusCode, out)
	}
	notice := regexp.MustCompile(`(?m)^notice: GET /python/stream: PythonHello\w* \(python3\.13\) on a STREAM route is answered buffered: Lambda's Python runtimes have no response streaming .*make the route BUFFERED`)
	if !notice.MatchString(runnerLogs.String()) {
		t.Errorf("no notice for the STREAM route:\n%s", runnerLogs.String())
	}
	if !regexp.MustCompile(`(?m)^  GET +/python/stream +BUFFERED `).MatchString(runnerLogs.String()) {
		t.Errorf("the route is not listed as BUFFERED")
	}
}
