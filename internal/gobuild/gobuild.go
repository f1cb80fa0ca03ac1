// Package gobuild finds and builds Go Lambda handlers the way streamgate
// ships them, for the constructs (at synth) and for the local runner (which
// rebuilds assets for the host). It never imports the CDK.
//
// Two module contexts decide a handler's dependency versions:
//
//   - A handler that ships with streamgate (an import path under
//     github.com/streamgate/streamgate, such as handlers/presign) is built in
//     streamgate's own module: its go.mod and go.sum, found with
//     `go list -m` from the app's module, with GOWORK=off. An app's
//     `go mod tidy` keeps the handler's dependencies out of the app's go.sum,
//     so building it there would fail.
//   - Any other Entry is built in the app's module (the main module of the
//     directory synth runs in, `go env GOMOD`), so that the app's go.mod
//     decides versions. A relative Entry ("./handlers/records") is relative
//     to that module's root, wherever in the module the process runs (a
//     `go test` in a subpackage runs in the package's directory).
package gobuild

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// StreamgateModule is the module path of streamgate.
const StreamgateModule = "github.com/streamgate/streamgate"

// Flags are the reproducible `go build` flags of every handler: the binary,
// and so the asset hash, changes only when the code or a dependency does.
var Flags = []string{"-trimpath", "-buildvcs=false", "-tags", "lambda.norpc", "-ldflags", "-s -w -buildid="}

// Package is a resolved handler: a main package and the module it is built in.
type Package struct {
	// Dir is the package's source directory.
	Dir string
	// ImportPath is the package's import path.
	ImportPath string
	// ModuleDir is the directory the build runs in: streamgate's module for
	// its own handlers, else the app's module root.
	ModuleDir string
	// Own reports whether the handler ships with streamgate.
	Own bool
	// MovedFrom is the Entry as written when it named a handler at the
	// path it had before it moved (see Moved), which a construct warns
	// about; "" otherwise.
	MovedFrom string
}

// Moved maps the import paths that streamgate's handlers had before issue
// 28 gave each kind of package its own folder (libraries in lambda/, the
// handlers the constructs ship in handlers/, the demo and the examples in
// examples/) to their paths now. Resolve builds an old path from the new
// place, so that an app that names one, as the README's examples did,
// keeps building the same handler.
var Moved = map[string]string{
	StreamgateModule + "/lambda/uploads":             StreamgateModule + "/handlers/presign",
	StreamgateModule + "/lambda/records":             StreamgateModule + "/examples/demo/records",
	StreamgateModule + "/lambda/progress":            StreamgateModule + "/examples/demo/progress",
	StreamgateModule + "/lambda/export":              StreamgateModule + "/examples/demo/export",
	StreamgateModule + "/lambda/onupload":            StreamgateModule + "/examples/onupload",
	StreamgateModule + "/lambda/examples/authorizer": StreamgateModule + "/examples/authorizer",
	StreamgateModule + "/lambda/examples/chi":        StreamgateModule + "/examples/chi",
	StreamgateModule + "/lambda/examples/connect":    StreamgateModule + "/examples/connect",
	StreamgateModule + "/lambda/examples/mcp":        StreamgateModule + "/examples/mcp",
	StreamgateModule + "/lambda/examples/mux":        StreamgateModule + "/examples/mux",
}

// Go is the go command: $GOROOT/bin/go when GOROOT is set, else go on PATH.
func Go() string {
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			return p
		}
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

var (
	rootOnce sync.Once
	root     string
	rootErr  error
)

// AppModuleRoot is the directory of the main module's go.mod as seen from
// the working directory (`go env GOMOD`): the app's module root.
func AppModuleRoot() (string, error) {
	rootOnce.Do(func() {
		out, err := run("", nil, Go(), "env", "GOMOD")
		gomod := strings.TrimSpace(out)
		switch {
		case err != nil:
			rootErr = err
		case gomod == "" || gomod == os.DevNull:
			rootErr = fmt.Errorf("%s is not inside a Go module (no go.mod from here up)", cwd())
		default:
			root = filepath.Dir(gomod)
		}
	})
	return root, rootErr
}

var moduleDirs sync.Map // module path -> dir

// ModuleDir is the directory of module path as the app's module sees it: a
// `replace` target, a workspace module, or the module cache.
func ModuleDir(path string) (string, error) {
	if d, ok := moduleDirs.Load(path); ok {
		return d.(string), nil
	}
	app, err := AppModuleRoot()
	if err != nil {
		return "", err
	}
	out, err := run(app, nil, Go(), "list", "-m", "-f", "{{.Dir}}", path)
	dir := strings.TrimSpace(out)
	if err != nil {
		return "", fmt.Errorf("`go list -m %s` in %s: %w", path, app, err)
	}
	if dir == "" {
		return "", fmt.Errorf("`go list -m %s` in %s found no source directory (run `go mod download %s`)", path, app, path)
	}
	moduleDirs.Store(path, dir)
	return dir, nil
}

// IsOwn reports whether entry names a package that ships with streamgate.
func IsOwn(entry string) bool {
	return entry == StreamgateModule || strings.HasPrefix(entry, StreamgateModule+"/")
}

func isRelative(entry string) bool {
	return entry == "." || entry == ".." || strings.HasPrefix(entry, "./") || strings.HasPrefix(entry, "../")
}

var resolved sync.Map // entry -> Package

// ownEnv makes streamgate's go.mod and go.sum alone decide the build of its
// handlers: no workspace of the app's, and none of the app's GOFLAGS (such
// as -mod=vendor, which streamgate's module directory has no vendor for).
var ownEnv = []string{"GOWORK=off", "GOFLAGS=-mod=readonly"}

// Resolve finds the main package entry names: a directory relative to the
// app's module root ("./handlers/records"), an absolute directory, or an
// import path (one in Moved resolves to its new path, with MovedFrom set).
// It refuses an empty entry, packages that are not main, and a package
// that imports the CDK (the app itself, a ~100 MB binary that starts
// Node.js, is no Lambda handler).
func Resolve(entry string) (Package, error) {
	if p, ok := resolved.Load(entry); ok {
		return p.(Package), nil
	}
	if to, ok := Moved[entry]; ok {
		p, err := Resolve(to)
		if err != nil {
			return Package{}, err
		}
		p.MovedFrom = entry
		resolved.Store(entry, p)
		return p, nil
	}
	if strings.TrimSpace(entry) == "" {
		return Package{}, errors.New(`Entry is ""; allowed: a handler's main package, e.g. "./handlers/records" (relative to the app's module root) or an import path. Fix: set Entry, or pass prebuilt Code`)
	}
	p := Package{Own: IsOwn(entry)}
	env := []string(nil)
	target := entry
	app, err := AppModuleRoot()
	if err != nil {
		return Package{}, fmt.Errorf("Entry %q: %v; allowed: a handler in the app's Go module. Fix: run synth from inside the app's module", entry, err)
	}
	switch {
	case p.Own:
		if p.ModuleDir, err = ModuleDir(StreamgateModule); err != nil {
			return Package{}, fmt.Errorf("Entry %q ships with streamgate, whose module could not be found: %v. Fix: `go get %s`", entry, err, StreamgateModule)
		}
		env = ownEnv
	case isRelative(entry):
		p.ModuleDir = app
		target = filepath.Join(app, entry)
	default:
		p.ModuleDir = app
	}
	out, err := run(p.ModuleDir, env, Go(), "list", "-f", "{{.Dir}}\n{{.ImportPath}}\n{{.Name}}\n{{join .Imports \" \"}}", target)
	if err != nil {
		where := "a main package: an import path, or a directory relative to the app's module root " + app + " (not the working directory)"
		if isRelative(entry) {
			where += ", here " + target
		}
		return Package{}, fmt.Errorf("Entry %q is not a Go package that `go list` can find: %v; allowed: %s. Fix: check the path, or pass prebuilt Code", entry, err, where)
	}
	f := strings.SplitN(strings.TrimRight(out, "\n"), "\n", 4)
	for len(f) < 4 {
		f = append(f, "")
	}
	if f[2] != "main" {
		return Package{}, fmt.Errorf("Entry %q is package %q; allowed: a main package (one that calls lambda.Start). Fix: point Entry at the handler's main package", entry, f[2])
	}
	for _, imp := range strings.Fields(f[3]) {
		if strings.HasPrefix(imp, "github.com/aws/aws-cdk-go/") || strings.HasPrefix(imp, "github.com/aws/jsii-runtime-go") || strings.HasPrefix(imp, "github.com/aws/constructs-go/") {
			return Package{}, fmt.Errorf("Entry %q is a CDK app (it imports %s), not a Lambda handler; allowed: a main package that calls lambda.Start and does not import the CDK. Fix: point Entry at the handler's directory, e.g. \"./handlers/records\"", entry, imp)
		}
	}
	p.Dir, p.ImportPath = f[0], f[1]
	resolved.Store(entry, p)
	return p, nil
}

// BuildError is a failed handler build: the package, the target and the
// compiler's first lines.
type BuildError struct {
	ImportPath, GOARCH, Dir string
	Output                  string
}

// maxBuildLines is how much of the compiler's output an error shows.
const maxBuildLines = 20

func (e *BuildError) Error() string {
	lines := strings.Split(strings.TrimSpace(e.Output), "\n")
	more := ""
	if len(lines) > maxBuildLines {
		more = fmt.Sprintf("\n    ... %d more lines", len(lines)-maxBuildLines)
		lines = lines[:maxBuildLines]
	}
	return fmt.Sprintf("building handler %s for linux/%s (in %s) failed:\n    %s%s\nFix: make `GOOS=linux GOARCH=%s go build %s` succeed, or pass prebuilt Code",
		e.ImportPath, e.GOARCH, e.Dir, strings.Join(lines, "\n    "), more, e.GOARCH, e.ImportPath)
}

// OwnTags are the build tags of the handlers that ship with streamgate:
// lambda.norpc, and nethttpomithttp2, which leaves HTTP/2 out of net/http
// (0.4 MB of a bootstrap): they speak HTTP/1.1 to the Lambda Runtime API
// and to S3, which has no HTTP/2. Teams' handlers keep Flags' tags, and
// HTTP/2, which some AWS APIs (bidirectional streams) need.
const OwnTags = "lambda.norpc,nethttpomithttp2"

// Build compiles p for linux/goarch into out (a file path) with Flags
// (OwnTags for streamgate's own handlers).
func Build(p Package, goarch, out string) error {
	args := append([]string{"build"}, Flags...)
	if p.Own {
		for i := range args {
			if args[i] == "-tags" {
				args[i+1] = OwnTags
			}
		}
	}
	args = append(args, "-o", out, p.ImportPath)
	env := []string{"GOOS=linux", "GOARCH=" + goarch, "CGO_ENABLED=0"}
	if p.Own {
		env = append(env, ownEnv...)
	}
	if stdout, stderr, err := runFull(p.ModuleDir, env, Go(), args...); err != nil {
		return &BuildError{ImportPath: p.ImportPath, GOARCH: goarch, Dir: p.ModuleDir, Output: strings.TrimSpace(stdout + stderr + "\n(" + err.Error() + ")")}
	}
	return nil
}

// BuildCached builds p for linux/goarch into a directory holding only
// `bootstrap`, under cacheRoot/<sha256 of the binary>: a directory whose
// content never changes once made, so that it can serve as an asset source.
//
// Within one process a package is built once per architecture, flags and
// cache root, however many functions name it: the later calls return the
// first build's directory (or its error) without running the toolchain,
// which a synth of hundreds of routes sharing one Entry would otherwise
// run once per route.
func BuildCached(p Package, goarch, cacheRoot string) (string, error) {
	key := strings.Join(append([]string{p.ModuleDir, p.ImportPath, fmt.Sprint(p.Own), goarch, cacheRoot}, Flags...), "\x00")
	builtMu.Lock()
	b, ok := built[key]
	if !ok {
		b = &onceBuild{}
		built[key] = b
	}
	builtMu.Unlock()
	b.once.Do(func() { b.dir, b.err = buildCached(p, goarch, cacheRoot) })
	if b.err == nil && !fileExists(filepath.Join(b.dir, "bootstrap")) {
		return buildCached(p, goarch, cacheRoot) // the cache was emptied meanwhile
	}
	return b.dir, b.err
}

// built are this process's BuildCached results, by package, architecture,
// flags and cache root.
var (
	builtMu sync.Mutex
	built   = map[string]*onceBuild{}
)

type onceBuild struct {
	once sync.Once
	dir  string
	err  error
}

func buildCached(p Package, goarch, cacheRoot string) (string, error) {
	if err := os.MkdirAll(cacheRoot, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(cacheRoot, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "bootstrap")
	if err := Build(p, goarch, bin); err != nil {
		return "", err
	}
	f, err := os.Open(bin)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	_, err = io.Copy(h, f)
	f.Close()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cacheRoot, hex.EncodeToString(h.Sum(nil)))
	if fileExists(filepath.Join(dir, "bootstrap")) {
		return dir, nil
	}
	if err := os.Rename(tmp, dir); err != nil && !fileExists(filepath.Join(dir, "bootstrap")) {
		return "", err
	}
	return dir, nil
}

// CacheRoot is where BuildCached keeps handler binaries:
// $STREAMGATE_BUILD_CACHE, else streamgate/handlers in the user's cache
// directory, else in the system's temporary directory.
func CacheRoot() string {
	if d := os.Getenv("STREAMGATE_BUILD_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "streamgate", "handlers")
	}
	return filepath.Join(os.TempDir(), "streamgate-handlers")
}

// Rebuild builds the main package importPath of module mainModule (as a
// binary's build info records them) for linux/goarch into out, in the
// module that built it: streamgate's own for its handlers, else the app's.
func Rebuild(mainModule, importPath, goarch, out string) error {
	p := Package{ImportPath: importPath, Own: IsOwn(mainModule) && IsOwn(importPath)}
	var err error
	if p.Own {
		p.ModuleDir, err = ModuleDir(StreamgateModule)
	} else {
		p.ModuleDir, err = AppModuleRoot()
	}
	if err != nil {
		return err
	}
	return Build(p, goarch, out)
}

func cwd() string {
	d, _ := os.Getwd()
	return d
}

// run runs a command in dir with extra environment and returns its
// standard output; a failure's error carries the first lines of its
// standard error.
func run(dir string, env []string, name string, args ...string) (string, error) {
	out, stderr, err := runFull(dir, env, name, args...)
	if err != nil && strings.TrimSpace(stderr) != "" {
		return out, fmt.Errorf("%v: %s", err, firstLines(strings.TrimSpace(stderr), 8))
	}
	return out, err
}

func runFull(dir string, env []string, name string, args ...string) (stdout, stderr string, err error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = append(lines[:n], "...")
	}
	return strings.Join(lines, "; ")
}
