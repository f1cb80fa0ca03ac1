package scripts

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// layers are the two import rules that keep builds small. A package on the
// left may not depend, directly or through others, on a module on the
// right.
var layers = []struct {
	packages  []string
	forbidden []string
	why       string
}{{
	// A handler that links aws-cdk-go is a ~100 MB binary that starts
	// Node.js; the runner and the clients have no use for the CDK either.
	packages:  []string{"./lambda/...", "./handlers/...", "./client/...", "./examples/...", "./localrun/...", "./cmd/...", "./internal/devserver/..."},
	forbidden: []string{"github.com/aws/aws-cdk-go/", "github.com/aws/jsii-runtime-go", "github.com/aws/constructs-go/"},
	why:       "handler, client and runner code refers to nothing of the CDK; constructs refer to handlers by path",
}, {
	// Every CDK app compiles what the constructs import: the AWS SDK for Go
	// is 155 packages and about 50 CPU-seconds of a cold `make synth` on
	// two cores. The constructs take the handlers' names from the handlers'
	// SDK-free packages (lambda/presign/contract, lambda/cors, ...).
	packages:  []string{"./constructs/...", "./templatetest/...", "./apps/..."},
	forbidden: []string{"github.com/aws/aws-sdk-go-v2", "github.com/aws/aws-lambda-go"},
	why:       "construct code takes a handler's names from its SDK-free package (such as lambda/presign/contract), not from the handler's library",
}}

// TestLayers fails when a package depends on a module its layer forbids,
// and names the import chain's first step that brings it in.
func TestLayers(t *testing.T) {
	for _, l := range layers {
		args := append([]string{"list", "-e", "-f", "{{.ImportPath}} {{join .Deps \" \"}}"}, l.packages...)
		cmd := exec.Command("go", args...)
		cmd.Dir = ".."
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go %s: %v", strings.Join(args, " "), err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) < 5 {
			t.Fatalf("go list %v listed %d packages; the patterns match nothing?", l.packages, len(lines))
		}
		for _, line := range lines {
			pkg, deps, _ := strings.Cut(line, " ")
			if dep := firstForbidden(strings.Fields(deps), l.forbidden); dep != "" {
				t.Errorf("%s depends on %s: %s (see `go list -deps %s`)", pkg, dep, l.why, pkg)
			}
		}
	}
}

// firstForbidden is the first of deps under one of the forbidden prefixes,
// or "".
func firstForbidden(deps, forbidden []string) string {
	for _, dep := range deps {
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				return dep
			}
		}
	}
	return ""
}
