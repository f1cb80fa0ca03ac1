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
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/internal/devserver/pool"
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

// Start loads the assemblies, prepares the functions, starts the local S3
// server when the templates have buckets, and serves every API.
func Start(ctx context.Context, o Options) (*Server, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{pools: map[*loader.Function]*pool.Pool{}, logs: o.Logs, failed: make(chan error, 1)}
	if err := s.start(ctx, o); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// withDefaults is o with the defaults Options documents; a host that is
// not loopback is an error.
func (o Options) withDefaults() (Options, error) {
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.Host != "127.0.0.1" && o.Host != "localhost" && o.Host != "::1" {
		return o, fmt.Errorf("host %q: the runner only listens on loopback", o.Host)
	}
	if o.Concurrency <= 0 {
		o.Concurrency = pool.DefaultConcurrency
	}
	if o.Logs == nil {
		o.Logs = os.Stderr
	}
	return o, nil
}

// start runs the runner's stages: load the assemblies, plan the guards and
// the events, open the APIs' listeners, start the S3 server and prepare the
// functions, then serve the APIs and the edge endpoints. Start cleans up
// after an error.
func (s *Server) start(ctx context.Context, o Options) error {
	if err := s.makeCacheDir(&o); err != nil {
		return err
	}
	p, err := s.load(o.Assemblies)
	if err != nil {
		return err
	}
	if err := s.plan(p, o); err != nil {
		return err
	}
	// The APIs' listeners first: their origins (the runner's own page) are
	// among those the local S3 answers CORS requests from.
	listeners, err := listen(o, len(p.apis))
	if err != nil {
		return err
	}
	if err := s.startFunctions(ctx, o, p, pageOrigins(listeners)); err != nil {
		closeAll(listeners)
		return err
	}
	s.serveAPIs(o, p.apis, listeners)
	return s.startEdges(ctx, o, p.edges, len(p.apis))
}

// makeCacheDir makes a temporary CacheDir, removed on Close, when o has none.
func (s *Server) makeCacheDir(o *Options) error {
	if o.CacheDir != "" {
		return nil
	}
	dir, err := os.MkdirTemp("", "sgdev-build-")
	if err != nil {
		return err
	}
	o.CacheDir = dir
	s.tmp = append(s.tmp, dir)
	return nil
}

// served is what the assemblies hold for the runner to serve.
type served struct {
	apis    []*loader.API
	edges   []*loader.EdgeEndpoint
	buckets map[string]*loader.Bucket // by stack/logical id
	rules   []*loader.Rule
	queues  map[string]*loader.Queue // by stack/logical id
}

// load reads every assembly; what the loader does not emulate becomes
// notices.
func (s *Server) load(dirs []string) (*served, error) {
	p := &served{buckets: map[string]*loader.Bucket{}, queues: map[string]*loader.Queue{}}
	for _, dir := range dirs {
		a, err := loader.Load(dir)
		if err != nil {
			return nil, err
		}
		s.Notices = append(s.Notices, a.Unsupported...)
		p.apis = append(p.apis, a.APIs...)
		p.edges = append(p.edges, a.Edges...)
		maps.Copy(p.buckets, a.Buckets)
		p.rules = append(p.rules, a.Rules...)
		maps.Copy(p.queues, a.Queues)
	}
	return p, nil
}

// plan makes what the gateways share (the guards of every API's methods)
// and the bus of the rules' events, with the notices of what is not
// evaluated and of the streams' cap; an assembly with nothing to serve is
// an error.
func (s *Server) plan(p *served, o Options) error {
	gs, notices, err := newGuards(p.apis, o, o.Logs)
	if err != nil {
		return err
	}
	s.Notices = append(s.Notices, notices...)
	s.guards = gs
	if o.SkipWAF {
		for _, api := range p.apis {
			if api.WAF != nil {
				s.Notices = append(s.Notices, fmt.Sprintf("%s/%s: WAF web ACL %s NOT evaluated (-waf=false)", api.Stack, api.LogicalID, api.WAF.LogicalID))
			}
		}
	}
	if bus, notices := newEventBus(p.rules, p.buckets, p.queues, s.pools, o); len(bus.rules) > 0 || len(notices) > 0 {
		s.Notices = append(s.Notices, notices...)
		s.events = bus
	}
	if o.DisableStreamCap {
		s.Notices = append(s.Notices, "streams: NOT capped (-no-throttle); on AWS they get 2 MB/s past their first 6 MB (Lambda) or 10 MB (HTTP backends): a 200 MB export takes about 100 s there")
	} else {
		s.Notices = append(s.Notices, "streams: capped at 2 MB/s past their first 6 MB (Lambda) or 10 MB (HTTP backends), as on AWS (-no-throttle lifts it)")
	}
	if len(p.apis) == 0 && len(p.edges) == 0 {
		return fmt.Errorf("no REST API or edge upload endpoint in %s", strings.Join(o.Assemblies, ", "))
	}
	return nil
}

// listen opens one listener per API on o.Host: o.Port and the ports after
// it, or free ports.
func listen(o Options, n int) ([]net.Listener, error) {
	var listeners []net.Listener
	for i := range n {
		addr := net.JoinHostPort(o.Host, "0")
		if o.Port > 0 {
			addr = net.JoinHostPort(o.Host, fmt.Sprint(o.Port+i))
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			closeAll(listeners)
			return nil, err
		}
		listeners = append(listeners, ln)
	}
	return listeners, nil
}

func closeAll(listeners []net.Listener) {
	for _, l := range listeners {
		l.Close()
	}
}

// pageOrigins are the origins of the runner's page on the listeners.
func pageOrigins(listeners []net.Listener) []string {
	var origins []string
	for _, ln := range listeners {
		port := ln.Addr().(*net.TCPAddr).Port
		origins = append(origins, fmt.Sprintf("http://127.0.0.1:%d", port), fmt.Sprintf("http://localhost:%d", port))
	}
	return origins
}

// startFunctions starts the local S3 server when a route, an edge
// endpoint or an upload event needs it, then prepares every function's
// pool with the environment that points at it.
func (s *Server) startFunctions(ctx context.Context, o Options, p *served, origins []string) error {
	env := map[string]string{"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}
	if s.events != nil && o.S3 == "" && o.S3Endpoint == "" {
		s.Notices = append(s.Notices, "upload events: not delivered (no local S3 server: the rules' events come from its notifications)")
	}
	if (o.S3 != "" || o.S3Endpoint != "") && (needsS3(p.apis) || len(p.edges) > 0 || s.events != nil) {
		if err := s.startS3(ctx, o, p.buckets, origins); err != nil {
			return err
		}
		maps.Copy(env, s.s3.env())
	}
	var eventFns []*loader.Function
	if s.events != nil {
		eventFns = s.events.functions()
	}
	return s.preparePools(p.apis, eventFns, p.buckets, env, o)
}

// serveAPIs serves each API's gateway on its listener.
func (s *Server) serveAPIs(o Options, apis []*loader.API, listeners []net.Listener) {
	for i, api := range apis {
		ln := listeners[i]
		running := &Running{API: api, URL: fmt.Sprintf("http://%s/%s", ln.Addr(), api.Stage)}
		recent := &requestLog{}
		g := &gateway{api: api, pools: s.pools, logs: o.Logs, idle: o.IdleTimeout, extras: s.extras(running, recent),
			throttle: newTokenBucket(api.ThrottleRate, api.ThrottleBurst), fast: o.DisableStreamCap, recent: recent, guards: s.guards,
			waf: newWAFEvaluator(api.WAF, o), s3: s.s3}
		srv := &http.Server{Handler: g, ReadHeaderTimeout: 10 * time.Second}
		go g.serve(srv, ln)
		s.servers = append(s.servers, srv)
		s.APIs = append(s.APIs, running)
	}
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
