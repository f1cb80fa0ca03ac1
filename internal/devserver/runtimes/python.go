package runtimes

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Python is what runs the functions of one Python managed runtime: an
// interpreter from PATH with AWS's Runtime Interface Client for Python
// (awslambdaric, built into a folder by scripts/pyric.sh), as Lambda's
// Python runtimes run `python -m awslambdaric <handler>` with the client
// on PYTHONPATH.
type Python struct {
	// Runtime is the template's ("python3.12").
	Runtime string
	// Cmd is the interpreter and `-m awslambdaric`, to which the handler is
	// added; {""} when Missing says why nothing can run the runtime.
	Cmd []string
	// Env puts the client's folder on PYTHONPATH, as LAMBDA_RUNTIME_DIR
	// (/var/runtime on Lambda), and keeps Python from writing bytecode.
	Env []string
	// Version is the interpreter's ("3.11.7").
	Version string
	// Note, when set, says that the interpreter is not the runtime's
	// version, which one it is, and why.
	Note string
	// Missing, when set, says why the runtime's functions cannot run.
	Missing string
}

// minPython is the oldest Python awslambdaric 4.0.1 runs on (its
// setup.py's python_requires).
const minPython = 9

// PythonRuntimes finds, for each runtime ("python3.11" to "python3.14"),
// the interpreter that runs it: python3.X from PATH when it runs and is
// 3.X, else python3 (the Note names the difference); and the client's
// runtime_client extension built for that interpreter (ric holds one per
// Python's extension suffix) or why there is none. Each interpreter is
// asked once, all at once: a pyenv shim takes most of a second.
func PythonRuntimes(ric string, runtimes ...string) map[string]*Python {
	out := map[string]*Python{}
	asked := map[string]*interpreter{}
	if pythonClientMissing(ric) == "" {
		asked = askPythons(append(slices.Clone(runtimes), "python3"))
	}
	for _, rt := range runtimes {
		if _, done := out[rt]; done {
			continue
		}
		py := &Python{Runtime: rt, Cmd: []string{""}}
		out[rt] = py
		if py.Missing = pythonClientMissing(ric); py.Missing != "" {
			continue
		}
		in := asked[rt]
		if in.err != nil {
			fallback := asked["python3"]
			if fallback.err != nil {
				py.Missing = fmt.Sprintf("no Python to run it: %v; %v", in.err, fallback.err)
				continue
			}
			py.Note = fmt.Sprintf("run on Python %s (%s), the python3 on PATH: %v", fallback.version, fallback.exe, in.err)
			in = fallback
		}
		py.Version = in.version
		var minor int
		fmt.Sscanf(in.version, "3.%d", &minor)
		if minor < minPython {
			py.Missing = fmt.Sprintf("%s is Python %s; AWS's Runtime Interface Client for Python 4.0.1 needs 3.%d or newer", in.exe, in.version, minPython)
			continue
		}
		ext := filepath.Join(ric, "runtime_client"+in.suffix)
		if _, err := os.Stat(ext); err != nil {
			py.Missing = fmt.Sprintf("AWS's Runtime Interface Client for Python has no runtime_client for Python %s (%s) in %s: `sgdev install pyric` (in streamgate's repository `make pyric`) builds one for each python3.11 to python3.14 and python3 on PATH when it runs (its log: %s)",
				in.version, in.exe, ric, filepath.Join(filepath.Dir(ric), "build.log"))
			continue
		}
		py.Cmd = []string{in.exe, "-m", "awslambdaric"}
		// No bytecode written: Lambda's task root is read-only, and a
		// __pycache__ in a cdk.out asset would ship with the next deploy.
		py.Env = []string{"PYTHONPATH=" + ric, "LAMBDA_RUNTIME_DIR=" + ric, "PYTHONDONTWRITEBYTECODE=1"}
	}
	return out
}

// pythonClientMissing says why ric is not a built client folder, or "".
func pythonClientMissing(ric string) string {
	if ric == "" {
		return "the runner needs AWS's Runtime Interface Client for Python (`sgdev install pyric` builds it, in streamgate's repository `make pyric`; -python-ric DIR)"
	}
	if b, err := os.ReadFile(filepath.Join(ric, "NOT-BUILT.txt")); err == nil {
		return strings.TrimSpace(string(b))
	}
	if _, err := os.Stat(filepath.Join(ric, "awslambdaric", "__main__.py")); err != nil {
		return fmt.Sprintf("%s has no awslambdaric (`sgdev install pyric` builds it, in streamgate's repository `make pyric`): %v", ric, err)
	}
	return ""
}

// askPythons asks each named Python at the same time: python3.12 must be
// 3.12, python3 may be any.
func askPythons(names []string) map[string]*interpreter {
	slices.Sort(names)
	names = slices.Compact(names)
	found := make([]*interpreter, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			want := strings.TrimPrefix(name, "python")
			if name == "python3" {
				want = ""
			}
			found[i] = askPython(name, want)
		})
	}
	wg.Wait()
	out := map[string]*interpreter{}
	for i, name := range names {
		out[name] = found[i]
	}
	return out
}

// interpreter is a Python found on PATH.
type interpreter struct {
	exe, version, suffix string // sys.executable, "3.12.1", the extension suffix
	err                  error  // why it cannot be used
}

// askPython runs the Python named name and asks its executable, version
// and extension suffix; want ("3.12"), when set, is the version it must
// be (a pyenv shim for a version that is installed but not selected exits
// with an error instead).
func askPython(name, want string) *interpreter {
	path, err := exec.LookPath(name)
	if err != nil {
		return &interpreter{err: fmt.Errorf("no %s on PATH", name)}
	}
	out, err := exec.Command(path, "-c", `import sys, sysconfig
print(sys.executable)
print("%d.%d.%d" % sys.version_info[:3])
print(sysconfig.get_config_var("EXT_SUFFIX"))`).Output()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err != nil || len(lines) != 3 {
		return &interpreter{err: fmt.Errorf("%s (%s) does not run: %v", name, path, err)}
	}
	in := &interpreter{exe: lines[0], version: lines[1], suffix: lines[2]}
	if want != "" && !strings.HasPrefix(in.version+".", want+".") {
		return &interpreter{err: fmt.Errorf("%s (%s) is Python %s", name, path, in.version)}
	}
	return in
}
