// Package devtools says where the local runner finds the programs it runs
// besides Go and Node.js (AWS's Runtime Interface Clients for Node.js and
// Python, and the S3-compatible servers), and installs them with
// streamgate's own scripts.
//
// Inside streamgate's repository they live in its .tools folder, where make
// puts them. Anywhere else (a team's module that runs `go tool sgdev`, a
// team's Go test that starts localrun) they live in one folder per user,
// the user cache directory's streamgate/tools, or STREAMGATE_TOOLS:
//
//	// nocompile: an internal package; the doc check imports the public ones
//	loc, _ := devtools.Find("")
//	ric := loc.Path(devtools.NodeRIC) // .../streamgate/tools/noderic/node_modules/aws-lambda-ric/index.mjs
//	if !loc.Installed(devtools.NodeRIC) {
//		fmt.Println(loc.InstallHint(devtools.NodeRIC)) // `sgdev install noderic` installs it ...
//	}
package devtools

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/streamgate/streamgate/internal/s3server"
)

// Module is streamgate's module path.
const Module = "github.com/streamgate/streamgate"

// EnvDir names the environment variable that moves the tools folder
// (outside and inside the repository alike).
const EnvDir = "STREAMGATE_TOOLS"

// Tool is a program sgdev can install.
type Tool string

const (
	// NodeRIC is AWS's Runtime Interface Client for Node.js (npm
	// aws-lambda-ric, pinned), with which the runner runs functions on the
	// Node.js runtimes; scripts/noderic.sh builds its native part.
	NodeRIC Tool = "noderic"
	// PythonRIC is AWS's Runtime Interface Client for Python (awslambdaric,
	// vendored), with which the runner runs functions on the Python
	// runtimes; scripts/pyric.sh builds it.
	PythonRIC Tool = "pyric"
	// SeaweedFS is the S3-compatible server sgdev starts by default,
	// built from source with Go by scripts/s3server.sh.
	SeaweedFS Tool = "seaweedfs"
	// MinIO is the other S3-compatible server sgdev can start (-s3 minio).
	MinIO Tool = "minio"
)

// Tools are every tool, in the order `sgdev install` with no argument
// installs the default ones (DefaultTools).
func Tools() []Tool { return []Tool{NodeRIC, PythonRIC, SeaweedFS, MinIO} }

// DefaultTools are what `sgdev install` installs when no tool is named:
// the runtime clients and the default S3 server.
func DefaultTools() []Tool { return []Tool{NodeRIC, PythonRIC, SeaweedFS} }

// ParseTool reads a tool's name as `sgdev install` takes it.
func ParseTool(s string) (Tool, error) {
	for _, t := range Tools() {
		if string(t) == strings.ToLower(s) {
			return t, nil
		}
	}
	names := make([]string, 0, len(Tools()))
	for _, t := range Tools() {
		names = append(names, string(t))
	}
	return "", fmt.Errorf("%q is not a tool sgdev installs; allowed: %s", s, strings.Join(names, ", "))
}

// what each tool is, how long its first install takes here (2 cores), and
// what the runner cannot do without it.
var about = map[Tool]struct{ name, takes, without string }{
	NodeRIC:   {"AWS's Runtime Interface Client for Node.js", "about a minute", "functions on the Node.js runtimes are listed as not run"},
	PythonRIC: {"AWS's Runtime Interface Client for Python", "about 15 seconds", "functions on the Python runtimes are listed as not run"},
	SeaweedFS: {"SeaweedFS (the default S3 server)", "15 to 25 minutes: it is built from source", "the templates' buckets are not served: functions that use them fail, and edge upload endpoints are not served"},
	MinIO:     {"MinIO", "5 to 15 minutes: it is built from source", "the templates' buckets are not served"},
}

// Location is where the tools are, and why there.
type Location struct {
	// Dir is the tools folder.
	Dir string
	// Repo is streamgate's repository root when the working directory is
	// inside it; empty elsewhere.
	Repo string
	// From says why Dir: "STREAMGATE_TOOLS", "the repository's .tools" or
	// "the user cache directory".
	From string
}

// Find locates the tools for a runner started in wd (the working directory
// when empty): STREAMGATE_TOOLS when set; inside streamgate's repository
// (the nearest go.mod above wd declares Module), its .tools; elsewhere the
// user cache directory's streamgate/tools.
func Find(wd string) (Location, error) {
	if wd == "" {
		var err error
		if wd, err = os.Getwd(); err != nil {
			return Location{}, err
		}
	}
	loc := Location{Repo: RepoRoot(wd)}
	switch {
	case os.Getenv(EnvDir) != "":
		dir, err := filepath.Abs(os.Getenv(EnvDir))
		if err != nil {
			return Location{}, err
		}
		loc.Dir, loc.From = dir, EnvDir
	case loc.Repo != "":
		loc.Dir, loc.From = filepath.Join(loc.Repo, ".tools"), "the repository's .tools"
	default:
		cache, err := os.UserCacheDir()
		if err != nil {
			return Location{}, fmt.Errorf("no user cache directory for the tools (%v): set %s to a folder", err, EnvDir)
		}
		loc.Dir, loc.From = filepath.Join(cache, "streamgate", "tools"), "the user cache directory"
	}
	return loc, nil
}

// RepoRoot is streamgate's repository root if dir is inside it (the nearest
// go.mod above dir declares Module), else "".
func RepoRoot(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		if f, err := os.Open(filepath.Join(dir, "go.mod")); err == nil {
			mod := modulePath(f)
			f.Close()
			if mod == Module {
				return dir
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// modulePath is the path of the module line of a go.mod.
func modulePath(f *os.File) string {
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module"); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// Path is where t is installed under l.Dir: the Node.js client's
// index.mjs, the Python client's folder, or the server's binary (the
// paths streamgate's scripts install to).
func (l Location) Path(t Tool) string {
	switch t {
	case NodeRIC:
		return filepath.Join(l.Dir, "noderic", "node_modules", "aws-lambda-ric", "index.mjs")
	case PythonRIC:
		return filepath.Join(l.Dir, "pyric", "runtime")
	case SeaweedFS, MinIO:
		return s3server.Kind(t).ToolsBin(l.Dir)
	}
	return ""
}

// Installed reports whether t's files are at Path. A runtime client whose
// native part could not be built on this host counts as installed: the
// runner then says why (its NOT-BUILT.txt).
func (l Location) Installed(t Tool) bool {
	p := l.Path(t)
	if t == PythonRIC {
		p = filepath.Join(p, "awslambdaric", "__main__.py")
		if _, err := os.Stat(filepath.Join(l.Path(t), "NOT-BUILT.txt")); err == nil {
			return true
		}
	}
	_, err := os.Stat(p)
	return err == nil
}

// InstallCommand is the command that installs t into l.Dir: inside the
// repository, make's target or script; elsewhere `sgdev install`.
func (l Location) InstallCommand(t Tool) string {
	if l.Repo != "" && l.From != EnvDir {
		switch t {
		case NodeRIC, PythonRIC:
			return "make " + string(t)
		default:
			return "scripts/s3server.sh install " + string(t)
		}
	}
	return "sgdev install " + string(t)
}

// InstallHint says that t is missing from Path, which command installs it,
// how long that takes, and what the runner does meanwhile.
func (l Location) InstallHint(t Tool) string {
	a := about[t]
	return fmt.Sprintf("%s is not in %s (tools folder: %s). `%s` installs it (once; %s). Meanwhile %s",
		a.name, l.Path(t), l.From, l.InstallCommand(t), a.takes, a.without)
}

// ErrNoSource is returned by Source when streamgate's sources cannot be
// found.
var ErrNoSource = errors.New("streamgate's module sources not found")
