// Package localrun runs the REST APIs of a synthesized cloud assembly on
// 127.0.0.1, as the sgdev command does, from a Go program or a team's own
// tests: real streaming, the templates' routes, each function's bootstrap
// as a process behind a local Lambda Runtime API, AWS's limits applied.
//
// In a test, synthesize the app with its handlers built, start the runner,
// and talk to the API:
//
//	app := templatetest.NewApp(t, &templatetest.AppOptions{Bundle: true})
//	mystacks.NewStreams(app, "TeamStreams", nil) // your stacks
//	dir := *app.Synth(nil).Directory()
//
//	r := localrun.Start(t, localrun.Options{Assemblies: []string{dir}})
//	resp, _ := r.Client().Get(r.URL("TeamStreams") + "/hello?n=3")
//
// Routes are guarded as on AWS: r.Client() signs with SigV4 for AWS_IAM
// routes (with the local credential, LocalCredentials), r.CognitoToken
// mints a token for a Cognito-protected route, r.APIKey names the value
// of an API key, and Lambda authorizers run as functions of their own.
//
// The runner stops with t.Cleanup. It never imports the CDK: it reads the
// templates and asset folders.
package localrun

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamgate/streamgate/internal/devserver"
	"github.com/streamgate/streamgate/internal/devserver/pool"
	"github.com/streamgate/streamgate/internal/devtools"
	"github.com/streamgate/streamgate/internal/s3server"
)

// DefaultConcurrency bounds the processes of a function whose template
// reserves no concurrency, unless Options.Concurrency says otherwise.
const DefaultConcurrency = pool.DefaultConcurrency

// Options configure a Runner; they are sgdev's flags.
type Options struct {
	// Assemblies are the cloud assembly directories to serve (cdk.out);
	// sgdev's -assembly. Required: Run fails when they hold no REST API
	// and no edge upload endpoint.
	Assemblies []string
	// Port is the first API's port; the next APIs take the next ports, then
	// the edge upload endpoints (sgdev's -port). Default: 0, free ports.
	Port int
	// S3 is the local S3-compatible server for the templates' buckets:
	// "seaweedfs" or "minio", run from S3Bin (`sgdev install seaweedfs` or
	// `sgdev install minio` builds it; the README's table of S3 servers
	// compares them). Default: "",
	// no S3 (functions that use S3 then fail, and edge endpoints are not
	// served), unless S3Endpoint is set.
	S3 string
	// S3Bin is that server's binary. Default: weed or minio in the bin
	// folder of the tools folder sgdev uses (the repository's .tools inside
	// streamgate's repository; elsewhere the user cache directory's
	// streamgate/tools, or $STREAMGATE_TOOLS), where `sgdev install` puts
	// it.
	S3Bin string
	// S3Endpoint is an S3 to use instead of starting a server (a real
	// account's, LocalStack), with the credentials and region of the
	// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and
	// AWS_REGION variables; the buckets that are missing are created.
	// Default: "".
	S3Endpoint string
	// MinIO is the path of a MinIO binary, as S3 "minio" with that S3Bin.
	//
	// Deprecated: set S3 and S3Bin.
	MinIO string
	// S3Data is the server's data directory. Default: with Run, the user
	// cache directory's streamgate/sgdev-s3/<server>/<hash of Assembly>,
	// kept between runs (CleanS3 empties it; deleting streamgate/sgdev-s3
	// frees them all); with Start, a directory of the test's, removed when
	// the test ends.
	S3Data string
	// CleanS3 empties S3Data first. Default: false.
	CleanS3 bool
	// Concurrency bounds the processes of a function whose template
	// reserves no concurrency. Default: DefaultConcurrency (64).
	Concurrency int
	// NodeRIC is the index.mjs of AWS's Runtime Interface Client for
	// Node.js (npm aws-lambda-ric; `sgdev install noderic` installs it
	// where sgdev -h shows), with which functions on the Node.js 20 to 24
	// runtimes run, on the node found on PATH (22 or newer). Default: "",
	// those functions are not run (a notice says so).
	NodeRIC string
	// PythonRIC is the folder `sgdev install pyric` builds AWS's Runtime
	// Interface Client for Python into (pyric/runtime in sgdev's tools
	// folder: awslambdaric, vendored, with its runtime_client extension for each
	// Python it finds), with which functions on the Python 3.11 to 3.14
	// runtimes run, on python3.X from PATH, else python3 (a notice names
	// the difference). Lambda does not stream Python's responses: their
	// STREAM routes are answered buffered, with a notice. Default: "",
	// those functions are not run (a notice says so).
	PythonRIC string
	// DisableStreamCap lifts the 2 MB/s cap of streams past their first 6 MB
	// (Lambda) or 10 MB (HTTP backends), for speed. Default: false, capped
	// as on AWS.
	DisableStreamCap bool
	// IdleTimeout overrides the endpoint type's idle timeout. Default:
	// API Gateway's (5 minutes, EDGE 30 s).
	IdleTimeout time.Duration
	// CacheDir holds handlers rebuilt for this machine's architecture.
	// Default: a temporary directory.
	CacheDir string
	// Logs receives the access log, the functions' logs and the notices.
	// Default: Start writes them to the test log; Run to os.Stderr.
	Logs io.Writer

	// SkipIAM lets requests to AWS_IAM methods through unsigned; their
	// requestContext.identity then has no caller. Default: false, SigV4 is
	// verified as API Gateway does (Client signs).
	SkipIAM bool
	// IAMKeys are credentials AWS_IAM methods accept besides the local one
	// (LocalCredentials) and the developer's (the AWS_* variables, the
	// shared credentials and config files). Default: none.
	IAMKeys []IAMKey
	// IAMRegion is the region signatures are scoped to. Default:
	// us-east-1, the region the functions see.
	IAMRegion string
	// CognitoKeyFile is the local token issuer's RSA key (PEM), made when
	// missing. Default: streamgate/sgdev-cognito/issuer-key.pem in the user
	// cache directory, shared with sgdev and `sgdev token`.
	CognitoKeyFile string
	// CognitoJWKS are the JWKS URLs of real user pools whose tokens the
	// Cognito authorizers take instead of the local issuer's. Default: none.
	CognitoJWKS []string
	// SkipWAF lets requests past the stages' WAF web ACLs unevaluated.
	// Default: false, their rules run before the route, as on AWS.
	SkipWAF bool
	// WAFCountry is the ISO country code every client address is in, for
	// geo match statements. Default: "US".
	WAFCountry string
	// APIKeys are values for the templates' API keys that have none
	// (CloudFormation generates them on AWS), by logical id, stack/logical
	// id or Name. Default: values the runner makes (Runner.APIKey).
	APIKeys map[string]string
}

// API is one served REST API.
type API struct {
	// Stack and LogicalID name it in the template; Name is its RestApi name.
	Stack, LogicalID, Name string
	// URL is the stage's base URL: http://127.0.0.1:<port>/<stage>.
	URL string
}

// Runner is a running set of APIs.
type Runner struct {
	srv    *devserver.Server
	region string // the region AWS_IAM signatures are scoped to
}

// Run starts the runner; Close stops it.
func Run(ctx context.Context, o Options) (*Runner, error) {
	kind, bin := o.S3, o.S3Bin
	if o.MinIO != "" && kind == "" {
		kind, bin = string(s3server.MinIO), o.MinIO
	}
	var k s3server.Kind
	if kind != "" {
		var err error
		if k, err = s3server.ParseKind(kind); err != nil {
			return nil, err
		}
		if bin == "" {
			loc, err := devtools.Find("")
			if err != nil {
				return nil, err
			}
			tool := devtools.SeaweedFS
			if k == s3server.MinIO {
				tool = devtools.MinIO
			}
			bin = loc.Path(tool)
		}
	}
	srv, err := devserver.Start(ctx, devserver.Options{
		Assemblies:       o.Assemblies,
		Port:             o.Port,
		Concurrency:      o.Concurrency,
		CacheDir:         o.CacheDir,
		S3:               k,
		S3Bin:            bin,
		S3Endpoint:       o.S3Endpoint,
		S3Data:           o.S3Data,
		CleanS3:          o.CleanS3,
		IdleTimeout:      o.IdleTimeout,
		DisableStreamCap: o.DisableStreamCap,
		NodeRIC:          o.NodeRIC,
		PythonRIC:        o.PythonRIC,
		Logs:             o.Logs,
		SkipIAM:          o.SkipIAM,
		IAMKeys:          iamKeys(o.IAMKeys),
		IAMRegion:        o.IAMRegion,
		CognitoKeyFile:   o.CognitoKeyFile,
		CognitoJWKS:      o.CognitoJWKS,
		APIKeys:          o.APIKeys,
		SkipWAF:          o.SkipWAF,
		WAFCountry:       o.WAFCountry,
	})
	if err != nil {
		return nil, err
	}
	region := o.IAMRegion
	if region == "" {
		region = devserver.DefaultIAMRegion
	}
	return &Runner{srv: srv, region: region}, nil
}

// Start runs the runner for a test (or benchmark) and stops it when the
// test ends; a failure to start fails the test.
func Start(t testing.TB, o Options) *Runner {
	t.Helper()
	if o.S3Data == "" {
		// Not the user cache directory's folder for these assemblies: a
		// test's assemblies are new temporary directories every run, and
		// each would leave a folder there.
		o.S3Data = t.TempDir()
	}
	var tl *testLog
	if o.Logs == nil {
		tl = &testLog{t: t}
		o.Logs = tl
	}
	r, err := Run(context.Background(), o)
	if err != nil {
		t.Fatalf("localrun: %v", err)
	}
	t.Cleanup(func() {
		r.Close()
		if tl != nil {
			tl.stop() // a process's last lines may come later: not to a finished test
		}
	})
	return r
}

// APIs are the served APIs.
func (r *Runner) APIs() []API {
	var out []API
	for _, a := range r.srv.APIs {
		out = append(out, API{Stack: a.Stack, LogicalID: a.LogicalID, Name: a.Name, URL: a.URL})
	}
	return out
}

// URL is the stage URL of the one API whose stack, logical id or name
// contains name ("TeamStreams", "TeamStreams/Api"); "" when none or several
// do.
func (r *Runner) URL(name string) string {
	found := ""
	for _, a := range r.APIs() {
		if strings.Contains(a.Stack+"/"+a.LogicalID, name) || strings.Contains(a.Name, name) {
			if found != "" {
				return ""
			}
			found = a.URL
		}
	}
	return found
}

// S3Endpoint is the URL of the runner's S3 (its server's, or
// Options.S3Endpoint); "" without one.
func (r *Runner) S3Endpoint() string { return r.srv.S3Endpoint }

// Describe writes the APIs, their routes and the start-up notices (what is
// not emulated, the limits in force), as sgdev prints them.
func (r *Runner) Describe(w io.Writer) { r.srv.Describe(w) }

// Failed delivers an error when a part the runner cannot do without stops
// for good (an S3 server that cannot be restarted).
func (r *Runner) Failed() <-chan error { return r.srv.Failed() }

// Close stops the APIs, the functions and the S3 server (whose data stays).
func (r *Runner) Close() { r.srv.Close() }

// testLog writes the runner's log lines to the test log, until stopped.
type testLog struct {
	mu      sync.Mutex
	t       testing.TB
	stopped bool
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped {
		return len(p), nil
	}
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		l.t.Log(line)
	}
	return len(p), nil
}

func (l *testLog) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = true
}

// String names the runner's APIs, for messages.
func (r *Runner) String() string {
	var names []string
	for _, a := range r.APIs() {
		names = append(names, fmt.Sprintf("%s/%s %s", a.Stack, a.LogicalID, a.URL))
	}
	return strings.Join(names, ", ")
}
