package gobuild

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolveOwnHandlersInStreamgatesModule(t *testing.T) {
	p, err := Resolve("github.com/streamgate/streamgate/examples/demo/records")
	if err != nil {
		t.Fatal(err)
	}
	root, _ := AppModuleRoot()
	if !p.Own || p.ModuleDir != root || p.Dir != filepath.Join(root, "examples", "demo", "records") {
		t.Errorf("%+v (module root %s)", p, root)
	}
}

// TestRelativeEntriesAreRelativeToTheModuleRoot: from a subdirectory (as
// `go test` runs in a package's directory), "./examples/demo/records" still means
// the module root's examples/demo/records.
// TestMovedHandlersResolveToTheirNewPaths: an Entry that names a handler
// where it was before it moved (test/teamapp names lambda/records, as the
// README's example did) builds the handler at its new path, marked so that
// the constructs can warn; the new paths are the ones the constructs and
// apps pin.
func TestMovedHandlersResolveToTheirNewPaths(t *testing.T) {
	for from, to := range Moved {
		p, err := Resolve(from)
		if err != nil {
			t.Errorf("%s: %v", from, err)
			continue
		}
		if p.ImportPath != to || p.MovedFrom != from || !p.Own {
			t.Errorf("Resolve(%q) = %+v; want ImportPath %q, MovedFrom set, Own", from, p, to)
		}
		if now, err := Resolve(to); err != nil || now.MovedFrom != "" {
			t.Errorf("Resolve(%q) = %+v, %v; want no MovedFrom", to, now, err)
		}
	}
}

func TestRelativeEntriesAreRelativeToTheModuleRoot(t *testing.T) {
	root, err := AppModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if wd, _ := os.Getwd(); wd == root {
		t.Fatal("the test must run below the module root")
	}
	p, err := Resolve("./examples/demo/records")
	if err != nil {
		t.Fatal(err)
	}
	if p.Own || p.ImportPath != "github.com/streamgate/streamgate/examples/demo/records" || p.ModuleDir != root {
		t.Errorf("%+v", p)
	}
}

func TestResolveRefusals(t *testing.T) {
	for entry, want := range map[string]string{
		"":                  `Entry is ""; allowed: a handler's main package`,
		"./no/such/handler": "relative to the app's module root",
		"github.com/streamgate/streamgate/lambda/stream":  `is package "stream"; allowed: a main package`,
		"github.com/streamgate/streamgate/apps/streaming": "is a CDK app (it imports github.com/aws/aws-cdk-go/awscdk/v2)",
	} {
		_, err := Resolve(entry)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "Fix:") {
			t.Errorf("Resolve(%q) = %v; want %q and a fix", entry, err, want)
		}
	}
}

func TestBuildErrorShowsThePackageAndTheFirstCompilerLines(t *testing.T) {
	var out []string
	for i := 1; i <= 30; i++ {
		out = append(out, fmt.Sprintf("handlers/x/main.go:%d:1: undefined: thing%d", i, i))
	}
	msg := (&BuildError{ImportPath: "example.com/app/handlers/x", GOARCH: "arm64", Dir: "/src/app", Output: strings.Join(out, "\n")}).Error()
	for _, want := range []string{"building handler example.com/app/handlers/x for linux/arm64 (in /src/app) failed:", "undefined: thing1\n", "undefined: thing20\n",
		"... 10 more lines", "Fix: make `GOOS=linux GOARCH=arm64 go build example.com/app/handlers/x` succeed"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "thing21") {
		t.Errorf("message has more than 20 compiler lines:\n%s", msg)
	}
}

// TestBuildCachedIsContentAddressed: the same source builds to the same
// directory, which then holds only the binary.
func TestBuildCachedIsContentAddressed(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a handler")
	}
	p, err := Resolve("github.com/streamgate/streamgate/examples/demo/records")
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	a, err := BuildCached(p, "arm64", cache)
	if err != nil {
		t.Fatal(err)
	}
	forgetBuilds() // as another process would: build again, land in the same directory
	b, err := BuildCached(p, "arm64", cache)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(a)
	if a != b || len(entries) != 1 || entries[0].Name() != "bootstrap" {
		t.Errorf("%s, %s: %v", a, b, entries)
	}
	if dirs, _ := os.ReadDir(cache); len(dirs) != 1 {
		t.Errorf("%d entries in the cache, want 1 (no leftover build directories)", len(dirs))
	}
}

func forgetBuilds() {
	builtMu.Lock()
	built = map[string]*onceBuild{}
	builtMu.Unlock()
}

// TestBuildCachedBuildsOncePerProcess: the second function naming a
// package reuses the first build without running the toolchain (here the
// source is broken in between, and the second call still succeeds), per
// architecture.
func TestBuildCachedBuildsOncePerProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a handler")
	}
	mod := t.TempDir()
	os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/once\n\ngo 1.22\n"), 0o644)
	main := filepath.Join(mod, "main.go")
	os.WriteFile(main, []byte("package main\n\nfunc main() {}\n"), 0o644)
	p := Package{ImportPath: "example.com/once", ModuleDir: mod, Dir: mod}
	cache := t.TempDir()
	first, err := BuildCached(p, "arm64", cache)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(main, []byte("package main\n\nfunc main() { broken }\n"), 0o644)
	again, err := BuildCached(p, "arm64", cache)
	if err != nil || again != first {
		t.Errorf("second build of the same package: %q, %v; want %q from the first", again, err, first)
	}
	if _, err := BuildCached(p, "amd64", cache); err == nil {
		t.Error("another architecture reused the arm64 build; want a build of its own (which fails on the broken source)")
	}
}
