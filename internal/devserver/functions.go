package devserver

// The functions' pools: what runs each function here, with what
// environment.

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/streamgate/streamgate/internal/devserver/lambdaenv"
	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/internal/devserver/pool"
	"github.com/streamgate/streamgate/internal/devserver/runtimes"
)

// preparePools makes each function's pool: the functions of the routes,
// of their Lambda authorizers and of the upload events' rules, each run by
// what runs its runtime here (a bootstrap built for this machine, Node.js
// or Python with AWS's Runtime Interface Client) with Lambda's
// environment and the runner's.
func (s *Server) preparePools(apis []*loader.API, eventFns []*loader.Function, buckets map[string]*loader.Bucket, env map[string]string, o Options) error {
	fns := poolFunctions(apis, eventFns)
	rs := s.findRunners(fns, o)
	notes := map[string]bool{}
	for i, fn := range fns {
		b := rs.builds[i]
		if b.err != nil {
			return b.err
		}
		if b.note != "" && !notes[b.note] {
			notes[b.note] = true
			s.Notices = append(s.Notices, fn.LogicalID+": "+b.note)
		}
		cmd, fnEnv := s.command(fn, rs, b.bin, s.functionEnv(fn, env, buckets))
		s.pools[fn] = pool.New(fn, cmd, fnEnv, o.Concurrency, o.Logs)
	}
	s.noticeBufferedStreams(apis)
	return nil
}

// poolFunctions are the functions that run in pools, each once: those
// upload events go to, then each route's and its Lambda authorizer's.
func poolFunctions(apis []*loader.API, eventFns []*loader.Function) []*loader.Function {
	seen := map[*loader.Function]bool{}
	var fns []*loader.Function
	add := func(fn *loader.Function) {
		if fn != nil && !seen[fn] {
			seen[fn] = true
			fns = append(fns, fn)
		}
	}
	for _, fn := range eventFns {
		add(fn)
	}
	for _, api := range apis {
		for _, r := range api.Routes {
			add(r.Function)
			add(authorizerFunction(r))
		}
	}
	return fns
}

// runners is what runs the functions of this start.
type runners struct {
	builds      []built // by function, in order; zero for a managed runtime
	node        []string
	nodeMissing string // why nothing runs Node.js functions
	pythons     map[string]*runtimes.Python
}

// built is a function's bootstrap for this machine, a note when it was
// rebuilt, or why it could not be.
type built struct {
	bin, note string
	err       error
}

// findRunners builds the bootstraps and finds Node.js and the Pythons the
// functions need; the notices say which Python runs which runtime when it
// is not the runtime's own version.
func (s *Server) findRunners(fns []*loader.Function, o Options) *runners {
	rs := &runners{builds: buildBootstraps(fns, o.CacheDir), pythons: map[string]*runtimes.Python{}}
	// The clients' paths are absolute: a Node.js or Python process runs in
	// its function's folder, and sgdev's defaults are relative.
	rs.node, rs.nodeMissing = runtimes.NodeRuntime(absPath(o.NodeRIC))
	var pyRuntimes []string
	for _, fn := range fns {
		if fn.Python() {
			pyRuntimes = append(pyRuntimes, fn.Runtime)
		}
	}
	if len(pyRuntimes) > 0 {
		rs.pythons = runtimes.PythonRuntimes(absPath(o.PythonRIC), pyRuntimes...)
	}
	for _, rt := range slices.Sorted(maps.Keys(rs.pythons)) {
		if py := rs.pythons[rt]; py.Note != "" && py.Missing == "" {
			s.Notices = append(s.Notices, fmt.Sprintf("%s functions %s", rt, py.Note))
		}
	}
	return rs
}

// buildBootstraps finds a runnable bootstrap per function that is not on
// a managed runtime (rebuilding for this machine when the asset is for
// another architecture), once per asset. One build at a time: go build is
// parallel itself, and the first build for this architecture compiles the
// standard library the others reuse.
func buildBootstraps(fns []*loader.Function, cacheDir string) []built {
	results := make([]built, len(fns))
	byAsset := map[string]built{}
	for i, fn := range fns {
		if fn.Managed() {
			continue // run by Node.js or Python with AWS's Runtime Interface Client: nothing to build
		}
		b, ok := byAsset[fn.AssetDir]
		if !ok {
			b.bin, b.note, b.err = runtimes.Executable(fn, cacheDir)
			byAsset[fn.AssetDir] = b
		}
		results[i] = b
	}
	return results
}

// functionEnv is the runner's environment for fn: env, and the names of
// the buckets its variables refer to (a notice for each reference the
// runner does not emulate).
func (s *Server) functionEnv(fn *loader.Function, env map[string]string, buckets map[string]*loader.Bucket) map[string]string {
	extra := maps.Clone(env)
	for name, target := range fn.EnvRefs {
		if b := buckets[fn.Stack+"/"+target]; b != nil && s.S3Endpoint != "" {
			extra[name] = b.Name
			continue
		}
		s.Notices = append(s.Notices, fmt.Sprintf("%s: %s refers to %s, which is not emulated locally: left unset", fn.LogicalID, name, target))
	}
	return extra
}

// command is the process that runs fn (bin, or Node.js or Python with the
// handler) and its environment: Lambda's, then extra. A notice says why a
// Node.js or Python function cannot run here.
func (s *Server) command(fn *loader.Function, rs *runners, bin string, extra map[string]string) (cmd, env []string) {
	cmd = []string{bin}
	if fn.Node() {
		if rs.nodeMissing != "" {
			s.Notices = append(s.Notices, fmt.Sprintf("%s (%s) is not run: %s", fn.LogicalID, fn.Runtime, rs.nodeMissing))
		}
		cmd = append(slices.Clone(rs.node), fn.Handler)
	}
	env = lambdaenv.Env(fn, extra)
	if fn.Python() {
		py := rs.pythons[fn.Runtime]
		if py.Missing != "" {
			s.Notices = append(s.Notices, fmt.Sprintf("%s (%s) is not run: %s", fn.LogicalID, fn.Runtime, py.Missing))
		}
		cmd = append(slices.Clone(py.Cmd), fn.Handler)
		// Last: the client must be importable whatever the template sets.
		env = append(env, py.Env...)
	}
	return cmd, env
}

// noticeBufferedStreams says which STREAM routes are answered buffered:
// those of Python functions (pythonStreamNote).
func (s *Server) noticeBufferedStreams(apis []*loader.API) {
	for _, api := range apis {
		for _, r := range api.Routes {
			if r.Stream && !streams(r) {
				s.Notices = append(s.Notices, fmt.Sprintf("%s %s: %s (%s) on a STREAM route is answered buffered: %s", r.Method, r.Path, r.Function.LogicalID, r.Function.Runtime, pythonStreamNote))
			}
		}
	}
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
