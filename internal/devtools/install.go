package devtools

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
)

// Source is the folder of streamgate's sources whose scripts install the
// tools: the repository itself when wd is inside it; else the module the
// main module of wd requires (the module cache's copy, or a replace's
// folder), downloaded if need be; else the version this program was built
// from (`go install ...@version`).
func Source(wd string) (string, error) {
	if root := RepoRoot(wd); root != "" {
		return root, nil
	}
	var tried []string
	// The version wd's module requires. A module without streamgate, or
	// no module at all, says so on stderr: that is the next case.
	list := exec.Command("go", "list", "-m", "-f", "{{with .Replace}}{{.Dir}}{{else}}{{.Dir}}{{end}}", Module)
	list.Dir = wd
	if out, err := list.Output(); err == nil {
		if dir := strings.TrimSpace(string(out)); dir != "" {
			if !filepath.IsAbs(dir) { // a replace by a relative path
				dir = filepath.Join(wd, dir)
			}
			return dir, nil
		}
		if dir, err := download(wd, Module); err == nil {
			return dir, nil
		} else {
			tried = append(tried, err.Error())
		}
	} else {
		tried = append(tried, fmt.Sprintf("go list -m %s in %s: %v", Module, wd, firstLine(err)))
	}
	if v := builtVersion(); v != "" {
		dir, err := download(os.TempDir(), Module+"@"+v)
		if err == nil {
			return dir, nil
		}
		tried = append(tried, err.Error())
	}
	return "", fmt.Errorf("%w: %s. Fix: run sgdev install in a module that requires %s (after `go get -tool %s/cmd/sgdev`), or in a clone of its repository",
		ErrNoSource, strings.Join(tried, "; "), Module, Module)
}

// download runs `go mod download -json mod` in dir and returns the
// module's folder.
func download(dir, mod string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", mod)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.Output()
	var m struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &m); jerr == nil && m.Error != "" {
		return "", fmt.Errorf("go mod download %s: %s", mod, m.Error)
	}
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %v", mod, firstLine(err))
	}
	if m.Dir == "" {
		return "", fmt.Errorf("go mod download %s: no folder", mod)
	}
	return m.Dir, nil
}

// builtVersion is the version of streamgate this program was built from,
// when it was built from a published version.
func builtVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	if info.Main.Path == Module {
		return published(info.Main)
	}
	for _, d := range info.Deps {
		if d.Path == Module {
			if d.Replace != nil {
				return ""
			}
			return published(*d)
		}
	}
	return ""
}

func published(m debug.Module) string {
	if m.Version == "" || m.Version == "(devel)" || strings.HasPrefix(m.Version, "v0.0.0-00010101000000") {
		return ""
	}
	return m.Version
}

func firstLine(err error) string {
	s := err.Error()
	if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
		s = strings.TrimSpace(string(ee.Stderr))
	}
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// Command is the command that installs t from the sources in src into
// l.Dir: streamgate's script for it, run with bash (a module cache keeps no
// executable bits) and TOOLS set to l.Dir.
func (l Location) Command(src string, t Tool) *exec.Cmd {
	var args []string
	switch t {
	case NodeRIC:
		args = []string{filepath.Join(src, "scripts", "noderic.sh"), "install"}
	case PythonRIC:
		args = []string{filepath.Join(src, "scripts", "pyric.sh"), "install"}
	default:
		args = []string{filepath.Join(src, "scripts", "s3server.sh"), "install", string(t)}
	}
	cmd := exec.Command("bash", args...)
	cmd.Env = append(os.Environ(), "TOOLS="+l.Dir)
	return cmd
}

// Install installs tools into l.Dir, one after the other, with the scripts
// of the sources in src, their output to w. It stops at the first that
// fails.
func (l Location) Install(src string, tools []Tool, w io.Writer) error {
	if err := os.MkdirAll(l.Dir, 0o755); err != nil {
		return err
	}
	for _, t := range tools {
		if t == NodeRIC {
			if _, err := exec.LookPath("npm"); err != nil {
				return fmt.Errorf("%s: npm is not on PATH: install Node.js 22 or newer (with npm), then run sgdev install %s again", t, t)
			}
		}
		fmt.Fprintf(w, "sgdev install: %s into %s (%s)\n", about[t].name, l.Dir, about[t].takes)
		cmd := l.Command(src, t)
		cmd.Stdout, cmd.Stderr = w, w
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %s: %v (its output is above)", t, strings.Join(cmd.Args, " "), err)
		}
	}
	return nil
}
