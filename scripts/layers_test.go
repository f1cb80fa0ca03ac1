package scripts

import (
	"encoding/json"
	"os"
	"os/exec"
	"slices"
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
	// Every CDK app compiles what the constructs import: through
	// lambda/presign, the AWS SDK for Go added 70 packages to each app
	// and 16 s (32 CPU-seconds) to a cold build of apps/streaming on two
	// cores. The constructs take the handlers' names from the handlers'
	// SDK-free packages (lambda/presign/contract, lambda/cors, ...).
	packages:  []string{"./constructs/...", "./templatetest/...", "./apps/..."},
	forbidden: []string{"github.com/aws/aws-sdk-go-v2", "github.com/aws/aws-lambda-go"},
	why:       "construct code takes a handler's names from its SDK-free package (such as lambda/presign/contract), not from the handler's library",
}}

// TestLayers fails when a package depends on a module its layer forbids,
// naming the package's own import that brings it in, and when a layer's
// pattern matches no package (a folder that moved).
func TestLayers(t *testing.T) {
	module := strings.TrimSpace(goList(t, "-m"))
	for _, l := range layers {
		pkgs := listDeps(t, l.packages)
		for _, pattern := range l.packages {
			prefix := module + "/" + strings.TrimSuffix(strings.TrimPrefix(pattern, "./"), "/...")
			if !slices.ContainsFunc(pkgs, func(p listedPackage) bool { return !p.DepOnly && strings.HasPrefix(p.ImportPath, prefix) }) {
				t.Errorf("the pattern %s matches no package: update the layers of scripts/layers_test.go", pattern)
			}
		}
		byPath := map[string]listedPackage{}
		for _, p := range pkgs {
			byPath[p.ImportPath] = p
		}
		for _, p := range pkgs {
			if p.Error != nil {
				t.Errorf("%s: %s", p.ImportPath, p.Error.Err)
			}
			if p.DepOnly {
				continue
			}
			dep := firstForbidden(p.Deps, l.forbidden)
			if dep == "" {
				continue
			}
			via := dep
			for _, imp := range p.Imports {
				if imp == dep || slices.Contains(byPath[imp].Deps, dep) {
					via = imp
					break
				}
			}
			t.Errorf("%s depends on %s through its import of %s: %s", p.ImportPath, dep, via, l.why)
		}
	}
}

// listedPackage is what TestLayers reads of `go list -deps -json`.
type listedPackage struct {
	ImportPath    string
	DepOnly       bool
	Imports, Deps []string
	Error         *struct{ Err string }
}

// listDeps lists the packages of patterns and every package they depend
// on.
func listDeps(t *testing.T, patterns []string) []listedPackage {
	out := goList(t, append([]string{"-e", "-deps", "-json=ImportPath,DepOnly,Imports,Deps,Error"}, patterns...)...)
	var pkgs []listedPackage
	for dec := json.NewDecoder(strings.NewReader(out)); dec.More(); {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// goList runs `go list args` in the repository's root.
func goList(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = ".."
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
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
