// Package devserver runs a synthesized cloud assembly's REST APIs on
// 127.0.0.1: it reads the templates and asset folders of cdk.out, serves
// every AWS::ApiGateway::Method with a Lambda proxy, HTTP proxy, mock, HTTP
// or S3 service integration (mapping templates rendered by package vtl;
// S3 calls go to the local S3 server), and runs each function's built bootstrap as a process that
// talks to a local Lambda Runtime API (internal/runtimeapi). Responses follow
// the route's transfer mode as API Gateway does: STREAM reads the metadata
// prelude and forwards each chunk as it arrives; BUFFERED waits for the end.
//
// It never imports the CDK: what runs is what the template says.
package devserver

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/streamgate/streamgate/internal/devserver/lambdaenv"
	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/internal/devserver/pool"
	"github.com/streamgate/streamgate/internal/devserver/runtimes"
	"github.com/streamgate/streamgate/internal/s3server"
)

// Options configure a Server.
type Options struct {
	// Assemblies are the cloud assembly directories to serve (cdk.out).
	Assemblies []string
	// Host to listen on. Default: 127.0.0.1 (nothing else is allowed).
	Host string
	// Port is the first API's port; the next APIs take the next ports
	// (in the order of Assemblies, each in its stacks' order), then the
	// edge upload endpoints (REDIRECT before THROUGH, then by stack and
	// logical id). 0 picks free ports. Default: 0.
	Port int
	// Concurrency bounds the processes of a function whose template
	// reserves no concurrency (a reserved concurrency is applied as is).
	// Default: DefaultConcurrency.
	Concurrency int
	// CacheDir holds handlers rebuilt for this machine's architecture.
	// Default: a temporary directory.
	CacheDir string
	// S3 is the local S3-compatible server for the buckets of the
	// templates (s3server.SeaweedFS or s3server.MinIO), run from S3Bin;
	// empty runs without S3 emulation (functions that use S3 then fail),
	// unless S3Endpoint is set.
	S3 s3server.Kind
	// S3Bin is the server's binary (scripts/s3server.sh builds it).
	S3Bin string
	// S3Endpoint is an S3 to use instead of starting a server (a real
	// account's, LocalStack), with the credentials and region of the
	// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and
	// AWS_REGION variables; missing buckets are created. Default: "".
	S3Endpoint string
	// S3Data is the server's data directory, kept when the runner stops, so
	// that objects survive a restart. Default: S3DataDir, the user cache
	// directory's streamgate/sgdev-s3/<server>/<hash of the assemblies' paths>.
	S3Data string
	// CleanS3 empties S3Data before the server starts. Default: false.
	CleanS3 bool
	// EventRetryDelay is the wait before the first retry of an upload
	// event's failed delivery or failed asynchronous invocation; each next
	// wait doubles (Lambda waits 1 then 2 minutes). Default:
	// DefaultEventRetryDelay.
	EventRetryDelay time.Duration
	// IdleTimeout overrides the endpoint type's idle timeout (for tests).
	IdleTimeout time.Duration
	// NodeRIC is the index.mjs of AWS's Runtime Interface Client for
	// Node.js (npm aws-lambda-ric; scripts/noderic.sh installs it), which
	// runs the functions on Node.js managed runtimes with the node on PATH.
	// Default: "", those functions are not run (a notice says so).
	NodeRIC string
	// PythonRIC is the folder scripts/pyric.sh builds AWS's Runtime
	// Interface Client for Python into (awslambdaric with its
	// runtime_client extension for each Python found), which runs the
	// functions on the python3.11 to python3.14 runtimes with python3.X
	// from PATH, else python3. Default: "", those functions are not run (a
	// notice says so).
	PythonRIC string
	// DisableStreamCap lifts the 2 MB/s cap streams have on AWS past their first
	// 6 MB (Lambda) or 10 MB (HTTP backends), for speed. Default: false,
	// capped as on AWS.
	DisableStreamCap bool
	// Logs receives access logs, function logs and notices. Default: stderr.
	Logs io.Writer

	// Cognito user pool authorizers and API keys (cognito.go, apikey.go).
	//
	// CognitoKeyFile is the local issuer's RSA key (PEM), made when the
	// file is missing; the runner signs and trusts tokens of every user
	// pool of the assemblies with it, and a kept key keeps tokens valid
	// across restarts. Default: CognitoKeyPath(), in the user cache
	// directory.
	CognitoKeyFile string
	// CognitoJWKS are JWKS URLs of real user pools
	// (https://cognito-idp.{region}.amazonaws.com/{poolId}/.well-known/jwks.json)
	// whose tokens every Cognito authorizer takes instead of the local
	// issuer's. Default: none.
	CognitoJWKS []string
	// APIKeys are values of the templates' API keys that have no literal
	// Value, by logical id, stack/logical id or Name. Default: a value
	// derived from the key's logical id, printed at start.
	APIKeys map[string]string

	// AWS_IAM methods (iam.go). SkipIAM lets every request to them through
	// unsigned (sgdev -iam=false); requestContext.identity's IAM keys are
	// then null. Default: false, SigV4 verified as API Gateway does.
	SkipIAM bool
	// IAMKeys are credentials the runner accepts besides the local ones
	// (LocalAccessKeyID, LocalSessionAccessKeyID) and the developer's.
	// Default: none.
	IAMKeys []IAMKey
	// IAMRegion is the region signatures must be scoped to. Default:
	// DefaultIAMRegion, the functions' AWS_REGION.
	IAMRegion string
	// IAMIgnoreDeveloperKeys leaves the developer's credentials (the
	// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN
	// variables, the shared credentials and config files) out of the keys
	// the runner knows, for tests that must not depend on the machine.
	// Default: false.
	IAMIgnoreDeveloperKeys bool

	// WAF web ACLs (waf.go). SkipWAF lets every request past the stages'
	// web ACLs (sgdev -waf=false). Default: false, each stage's web ACL is
	// evaluated before its guards.
	SkipWAF bool
	// WAFCountry is the ISO 3166 country code every client address is in
	// for geo match statements (the runner has no geolocation database).
	// Default: DefaultWAFCountry, "US".
	WAFCountry string
}

// Running is one served API.
type Running struct {
	*loader.API
	// URL is the stage's base URL, like https://{id}.execute-api.../{stage}.
	URL string
}

// Server serves the assemblies' APIs.
type Server struct {
	APIs []*Running
	// Edges are the edge upload endpoints, after the APIs' ports.
	Edges []*RunningEdge
	// S3Endpoint is the local S3-compatible server, if started.
	S3Endpoint string
	// Notices are the start-up notices (unsupported features, rebuilt handlers).
	Notices []string

	pools   map[*loader.Function]*pool.Pool
	servers []*http.Server
	s3proc  *s3Proc   // the S3 server the runner started
	s3      *s3Target // where the functions' S3 calls go
	tmp     []string
	logs    io.Writer

	reportMu sync.Mutex
	report   []byte

	failed chan error // a part the runner cannot do without stopped for good

	guards *guards // the APIs' authorizers and API keys

	events *eventBus // upload events to the rules' targets; nil without rules
}

// Failed delivers the error of a part the runner cannot do without (the S3
// server, when it cannot be restarted): the runner should stop.
func (s *Server) Failed() <-chan error { return s.failed }

// Local S3 credentials, for the runner's S3 server and the functions.
const (
	S3User     = "streamgate"
	S3Password = "streamgate-local-secret"
)

//go:embed page/index.html
var pageFS embed.FS

// Start loads the assemblies, prepares the functions, starts the local S3
// server when the templates have buckets, and serves every API.
func Start(ctx context.Context, o Options) (*Server, error) {
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.Host != "127.0.0.1" && o.Host != "localhost" && o.Host != "::1" {
		return nil, fmt.Errorf("host %q: the runner only listens on loopback", o.Host)
	}
	if o.Concurrency <= 0 {
		o.Concurrency = pool.DefaultConcurrency
	}
	if o.Logs == nil {
		o.Logs = os.Stderr
	}
	s := &Server{pools: map[*loader.Function]*pool.Pool{}, logs: o.Logs, failed: make(chan error, 1)}
	if o.CacheDir == "" {
		dir, err := os.MkdirTemp("", "sgdev-build-")
		if err != nil {
			return nil, err
		}
		o.CacheDir = dir
		s.tmp = append(s.tmp, dir)
	}
	var apis []*loader.API
	var edges []*loader.EdgeEndpoint
	buckets := map[string]*loader.Bucket{}
	var rules []*loader.Rule
	queues := map[string]*loader.Queue{}
	for _, dir := range o.Assemblies {
		a, err := loader.Load(dir)
		if err != nil {
			return nil, err
		}
		s.Notices = append(s.Notices, a.Unsupported...)
		apis = append(apis, a.APIs...)
		edges = append(edges, a.Edges...)
		for k, b := range a.Buckets {
			buckets[k] = b
		}
		rules = append(rules, a.Rules...)
		maps.Copy(queues, a.Queues)
	}
	gs, notices, err := newGuards(apis, o, o.Logs)
	if err != nil {
		return nil, err
	}
	s.Notices = append(s.Notices, notices...)
	s.guards = gs
	if o.SkipWAF {
		for _, api := range apis {
			if api.WAF != nil {
				s.Notices = append(s.Notices, fmt.Sprintf("%s/%s: WAF web ACL %s NOT evaluated (-waf=false)", api.Stack, api.LogicalID, api.WAF.LogicalID))
			}
		}
	}
	if bus, notices := newEventBus(rules, buckets, queues, s.pools, o); len(bus.rules) > 0 || len(notices) > 0 {
		s.Notices = append(s.Notices, notices...)
		s.events = bus
	}
	if o.DisableStreamCap {
		s.Notices = append(s.Notices, "streams: NOT capped (-no-throttle); on AWS they get 2 MB/s past their first 6 MB (Lambda) or 10 MB (HTTP backends): a 200 MB export takes about 100 s there")
	} else {
		s.Notices = append(s.Notices, "streams: capped at 2 MB/s past their first 6 MB (Lambda) or 10 MB (HTTP backends), as on AWS (-no-throttle lifts it)")
	}
	if len(apis) == 0 && len(edges) == 0 {
		return nil, fmt.Errorf("no REST API or edge upload endpoint in %s", strings.Join(o.Assemblies, ", "))
	}

	// The APIs' listeners first: their origins (the runner's own page) are
	// among those the local S3 answers CORS requests from.
	var listeners []net.Listener
	var pageOrigins []string
	for i := range apis {
		addr := net.JoinHostPort(o.Host, "0")
		if o.Port > 0 {
			addr = net.JoinHostPort(o.Host, fmt.Sprint(o.Port+i))
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			for _, l := range listeners {
				l.Close()
			}
			s.Close()
			return nil, err
		}
		listeners = append(listeners, ln)
		port := ln.Addr().(*net.TCPAddr).Port
		pageOrigins = append(pageOrigins, fmt.Sprintf("http://127.0.0.1:%d", port), fmt.Sprintf("http://localhost:%d", port))
	}

	env := map[string]string{"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}
	if s.events != nil && o.S3 == "" && o.S3Endpoint == "" {
		s.Notices = append(s.Notices, "upload events: not delivered (no local S3 server: the rules' events come from its notifications)")
	}
	if (o.S3 != "" || o.S3Endpoint != "") && (needsS3(apis) || len(edges) > 0 || s.events != nil) {
		if err := s.startS3(ctx, o, buckets, pageOrigins); err != nil {
			for _, l := range listeners {
				l.Close()
			}
			s.Close()
			return nil, err
		}
		maps.Copy(env, s.s3.env())
	}
	var eventFns []*loader.Function
	if s.events != nil {
		eventFns = s.events.functions()
	}
	if err := s.preparePools(apis, eventFns, buckets, env, o); err != nil {
		for _, l := range listeners {
			l.Close()
		}
		s.Close()
		return nil, err
	}
	for i, api := range apis {
		ln := listeners[i]
		running := &Running{API: api, URL: fmt.Sprintf("http://%s/%s", ln.Addr(), api.Stage)}
		recent := &requestLog{}
		g := &gateway{api: api, pools: s.pools, logs: o.Logs, idle: o.IdleTimeout, extras: s.extras(running, recent),
			throttle: newTokenBucket(api.ThrottleRate, api.ThrottleBurst), fast: o.DisableStreamCap, recent: recent, guards: gs,
			waf: newWAFEvaluator(api.WAF, o), s3: s.s3}
		srv := &http.Server{Handler: g, ReadHeaderTimeout: 10 * time.Second}
		go g.serve(srv, ln)
		s.servers = append(s.servers, srv)
		s.APIs = append(s.APIs, running)
	}
	sort.SliceStable(edges, func(i, j int) bool { return edgeOrder(edges[i]) < edgeOrder(edges[j]) })
	node, unservable := s.edgeNode()
	for i, e := range edges {
		if unservable != "" {
			s.Notices = append(s.Notices, fmt.Sprintf("%s/%s: edge upload endpoint not served: %s", e.Stack, e.LogicalID, unservable))
			continue
		}
		running, err := s.startEdge(ctx, node, e, edgePort(o.Port, len(apis)+i))
		if err != nil {
			s.Close()
			return nil, err
		}
		s.Edges = append(s.Edges, running)
	}
	return s, nil
}

func needsS3(apis []*loader.API) bool {
	for _, api := range apis {
		for _, r := range api.Routes {
			if r.Function != nil && len(r.Function.EnvRefs) > 0 || r.Mapping != nil && r.Mapping.Service == "s3" {
				return true
			}
		}
	}
	return false
}

// preparePools finds a runnable bootstrap per function (rebuilding for this
// machine when the asset is for another architecture) and its environment.
func (s *Server) preparePools(apis []*loader.API, eventFns []*loader.Function, buckets map[string]*loader.Bucket, env map[string]string, o Options) error {
	var fns []*loader.Function
	// The functions upload events go to run in pools of their own too.
	for _, fn := range eventFns {
		if _, seen := s.pools[fn]; !seen {
			s.pools[fn] = nil
			fns = append(fns, fn)
		}
	}
	for _, api := range apis {
		for _, r := range api.Routes {
			// A Lambda authorizer's function runs in a pool of its own too.
			for _, fn := range []*loader.Function{r.Function, authorizerFunction(r)} {
				if _, seen := s.pools[fn]; fn != nil && !seen {
					s.pools[fn] = nil
					fns = append(fns, fn)
				}
			}
		}
	}
	type built struct {
		bin, note string
		err       error
	}
	// One build at a time: go build is parallel itself, and the first build
	// for this architecture compiles the standard library the others reuse.
	results := make([]built, len(fns))
	byAsset := map[string]built{}
	var pyRuntimes []string
	for i, fn := range fns {
		if fn.Python() {
			pyRuntimes = append(pyRuntimes, fn.Runtime)
		}
		if fn.Managed() {
			continue // run by Node.js or Python with AWS's Runtime Interface Client: nothing to build
		}
		b, ok := byAsset[fn.AssetDir]
		if !ok {
			b.bin, b.note, b.err = runtimes.Executable(fn, o.CacheDir)
			byAsset[fn.AssetDir] = b
		}
		results[i] = b
	}
	// The clients' paths are absolute: a Node.js or Python process runs in
	// its function's folder, and sgdev's defaults are relative.
	nodeCmd, nodeMissing := runtimes.NodeRuntime(absPath(o.NodeRIC))
	pythons := map[string]*runtimes.Python{}
	if len(pyRuntimes) > 0 {
		pythons = runtimes.PythonRuntimes(absPath(o.PythonRIC), pyRuntimes...)
	}
	for _, rt := range slices.Sorted(maps.Keys(pythons)) {
		if py := pythons[rt]; py.Note != "" && py.Missing == "" {
			s.Notices = append(s.Notices, fmt.Sprintf("%s functions %s", rt, py.Note))
		}
	}
	notes := map[string]bool{}
	for i, fn := range fns {
		if results[i].err != nil {
			return results[i].err
		}
		if n := results[i].note; n != "" && !notes[n] {
			notes[n] = true
			s.Notices = append(s.Notices, fn.LogicalID+": "+n)
		}
		extra := map[string]string{}
		for k, v := range env {
			extra[k] = v
		}
		for name, target := range fn.EnvRefs {
			if b := buckets[fn.Stack+"/"+target]; b != nil && s.S3Endpoint != "" {
				extra[name] = b.Name
				continue
			}
			s.Notices = append(s.Notices, fmt.Sprintf("%s: %s refers to %s, which is not emulated locally: left unset", fn.LogicalID, name, target))
		}
		cmd := []string{results[i].bin}
		if fn.Node() {
			if nodeMissing != "" {
				s.Notices = append(s.Notices, fmt.Sprintf("%s (%s) is not run: %s", fn.LogicalID, fn.Runtime, nodeMissing))
			}
			cmd = append(slices.Clone(nodeCmd), fn.Handler)
		}
		fnEnv := lambdaenv.Env(fn, extra)
		if fn.Python() {
			py := pythons[fn.Runtime]
			if py.Missing != "" {
				s.Notices = append(s.Notices, fmt.Sprintf("%s (%s) is not run: %s", fn.LogicalID, fn.Runtime, py.Missing))
			}
			cmd = append(slices.Clone(py.Cmd), fn.Handler)
			// Last: the client must be importable whatever the template sets.
			fnEnv = append(fnEnv, py.Env...)
		}
		s.pools[fn] = pool.New(fn, cmd, fnEnv, o.Concurrency, o.Logs)
	}
	for _, api := range apis {
		for _, r := range api.Routes {
			if r.Stream && !streams(r) {
				s.Notices = append(s.Notices, fmt.Sprintf("%s %s: %s (%s) on a STREAM route is answered buffered: %s", r.Method, r.Path, r.Function.LogicalID, r.Function.Runtime, pythonStreamNote))
			}
		}
	}
	return nil
}

// absPath is p made absolute; "" stays "" (no client).
func absPath(p string) string {
	if p == "" {
		return ""
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// pythonStreamNote is why a Python function's STREAM route is answered
// buffered, and what to change.
const pythonStreamNote = "Lambda's Python runtimes have no response streaming " +
	"(https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html lists the runtimes that stream), and API Gateway's STREAM mode needs " +
	"the function to write its streaming format " +
	"(https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode-lambda.html), which a Python handler's " +
	"return value is not: make the route BUFFERED (TransferMode) for the same answer on AWS"

func authorizerFunction(r *loader.Route) *loader.Function {
	if r.Authorizer == nil {
		return nil
	}
	return r.Authorizer.Function
}

// authorization says how the runner guards route, for the start-up
// listing: "open", "AWS_IAM", "cognito Pool [scopes]", "TOKEN Authz",
// "REQUEST Authz", each "+ API key" when the method requires one.
func authorization(r *loader.Route) string {
	a := "open"
	switch r.Authorization {
	case "AWS_IAM":
		a = "AWS_IAM"
	case "COGNITO_USER_POOLS":
		a = "cognito"
		if r.Authorizer != nil {
			a += " " + r.Authorizer.LogicalID
		}
		if len(r.AuthorizationScopes) > 0 {
			a += " [" + strings.Join(r.AuthorizationScopes, " ") + "]"
		}
	case "CUSTOM":
		a = "lambda authorizer"
		if r.Authorizer != nil {
			a = r.Authorizer.Type + " " + r.Authorizer.LogicalID
		}
	}
	if r.APIKeyRequired {
		a += " + API key"
	}
	return a
}

// ProcessesStarted is the number of function processes started so far.
func (s *Server) ProcessesStarted() int64 {
	var n int64
	for _, p := range s.pools {
		if p != nil {
			n += p.Started()
		}
	}
	return n
}

// QueueMessages are the messages of the local SQS queue named name (its
// QueueName, logical id, or stack/logical id), oldest first; ok is false
// when there is no such queue.
func (s *Server) QueueMessages(name string) (msgs []QueueMessage, ok bool) {
	if s.events == nil {
		return nil, false
	}
	q := s.events.queue(name)
	if q == nil {
		return nil, false
	}
	return q.list(), true
}

// Close stops the APIs, the functions and the S3 server.
func (s *Server) Close() {
	for _, srv := range s.servers {
		srv.Close()
	}
	for _, e := range s.Edges {
		e.stop()
	}
	for _, p := range s.pools {
		if p != nil {
			p.Close()
		}
	}
	if s.events != nil {
		s.events.close()
	}
	if s.s3proc != nil {
		s.s3proc.stop()
	}
	for _, d := range s.tmp {
		os.RemoveAll(d)
	}
}

// extras serves the page and its endpoints under /_streamgate/ on each API.
func (s *Server) extras(running *Running, recent *requestLog) http.Handler {
	mux := http.NewServeMux()
	// The last requests, newest first (?id= one): status, prelude headers,
	// first byte, bytes, how each ended.
	mux.HandleFunc("GET /_streamgate/requests", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(recent.list(r.URL.Query().Get("id")))
	})
	// What the runner does not emulate, and the limits in force.
	mux.HandleFunc("GET /_streamgate/notices", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s.Notices)
	})
	s.guardEndpoints(mux)
	// The local SQS queues (upload events' targets and dead-letter queues):
	// their names and message counts, or one queue's messages.
	mux.HandleFunc("GET /_streamgate/queues", func(w http.ResponseWriter, r *http.Request) {
		out := map[string]int{}
		if s.events != nil {
			for q, lq := range s.events.queues {
				out[q.Name] = len(lq.list())
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("GET /_streamgate/queues/{name...}", func(w http.ResponseWriter, r *http.Request) {
		msgs, ok := s.QueueMessages(r.PathValue("name"))
		if !ok {
			http.Error(w, "no such queue: "+r.PathValue("name"), 404)
			return
		}
		if msgs == nil {
			msgs = []QueueMessage{}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(msgs)
	})
	mux.HandleFunc("GET /_streamgate/{$}", func(w http.ResponseWriter, r *http.Request) {
		b, _ := pageFS.ReadFile("page/index.html")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(b)
	})
	mux.HandleFunc("GET /_streamgate/routes", func(w http.ResponseWriter, r *http.Request) {
		type route struct {
			Method, Path, Mode, Integration string
			// Authorization is how the runner guards the route, as the
			// start-up listing says it.
			Authorization string
		}
		out := struct {
			API, Stage, URL string
			Routes          []route
		}{running.Stack + "/" + running.LogicalID, running.Stage, running.URL, nil}
		for _, rt := range running.Routes {
			out.Routes = append(out.Routes, route{rt.Method, rt.Path, transferMode(rt), rt.Integration, authorization(rt)})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	})
	// Processes started, invocations running and invocations so far, per
	// function.
	mux.HandleFunc("GET /_streamgate/stats", func(w http.ResponseWriter, r *http.Request) {
		type stats struct {
			Started     int64 `json:"started"`
			Busy        int64 `json:"busy"`
			Invocations int64 `json:"invocations"`
		}
		out := map[string]stats{}
		for fn, p := range s.pools {
			if p != nil {
				out[fn.LogicalID] = stats{p.Started(), p.Busy(), p.Invocations()}
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	})
	// The page posts what it saw (self-test mode); tests read it back.
	mux.HandleFunc("POST /_streamgate/report", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		s.reportMu.Lock()
		s.report = b
		s.reportMu.Unlock()
		w.WriteHeader(204)
	})
	mux.HandleFunc("GET /_streamgate/report", func(w http.ResponseWriter, r *http.Request) {
		s.reportMu.Lock()
		defer s.reportMu.Unlock()
		if s.report == nil {
			w.WriteHeader(404)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(s.report)
	})
	return mux
}

// Describe writes the start-up table: each API's URL and routes, then the
// notices.
func (s *Server) Describe(w io.Writer) {
	for _, api := range s.APIs {
		fmt.Fprintf(w, "%s/%s  %s  (%s endpoint; page: %s)\n", api.Stack, api.LogicalID, api.URL, api.EndpointType,
			strings.TrimSuffix(api.URL, "/"+api.Stage)+"/_streamgate/")
		for _, r := range api.Routes {
			target := r.HTTPURL
			if r.Function != nil {
				target = r.Function.LogicalID + " (" + filepath.Base(r.Function.AssetDir) + ")"
			}
			switch {
			case r.Integration == "MOCK":
				target = "mock"
			case r.Mapping != nil && r.Mapping.Service != "":
				target = fmt.Sprintf("%s %s %s", r.Mapping.Service, r.Mapping.HTTPMethod, r.Mapping.Path)
			case r.Mapping != nil:
				target = "HTTP " + r.Mapping.HTTPMethod + " " + r.Mapping.URL
			}
			if r.Mapping != nil && r.Mapping.Unsupported != "" {
				target += " (answers 500: not emulated)"
			}
			fmt.Fprintf(w, "  %-7s %-32s %-8s %-24s %s\n", r.Method, r.Path, transferMode(r), authorization(r), target)
		}
	}
	for _, e := range s.Edges {
		fmt.Fprintf(w, "%s/%s  %s  (edge upload endpoint, %s mode, bucket %s; token: go run ./cmd/sgupload token)\n", e.Stack, e.LogicalID, e.URL, e.Mode, e.Bucket.Name)
	}
	for _, n := range s.Notices {
		fmt.Fprintf(w, "notice: %s\n", n)
	}
}
