package runtimes

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// NodeRuntime is the command that runs a Node.js function (the handler is
// added): the node on PATH with AWS's Runtime Interface Client; or why
// there is none. The client's index.mjs loads its native part,
// rapid-client.node, from its own folder: without it the client exits on
// its first call, so a client whose native part was not built (its build
// needs Linux: scripts/noderic.sh records why in NOT-BUILT.txt) counts as
// missing.
func NodeRuntime(ric string) (cmd []string, missing string) {
	if ric == "" {
		return []string{""}, "the runner needs AWS's Runtime Interface Client for Node.js (`sgdev install noderic` installs it, in streamgate's repository `make noderic`; -node-ric PATH)"
	}
	if _, err := os.Stat(ric); err != nil {
		return []string{""}, fmt.Sprintf("%s: %v (`sgdev install noderic` installs it, in streamgate's repository `make noderic`)", ric, err)
	}
	dir := filepath.Dir(ric)
	if _, err := os.Stat(filepath.Join(dir, "rapid-client.node")); err != nil {
		why := "`sgdev install noderic` builds it"
		if b, err := os.ReadFile(filepath.Join(dir, "NOT-BUILT.txt")); err == nil {
			why = strings.TrimSpace(string(b))
		}
		return []string{""}, "AWS's Runtime Interface Client for Node.js has no native part (rapid-client.node) in " + dir + ": " + why
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return []string{""}, "node is not on PATH (Node.js 22 or newer; make dev puts the project's first)"
	}
	return []string{node, ric}, ""
}
