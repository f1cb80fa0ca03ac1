package apicheck

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/go/packages"
)

var (
	loadOnce sync.Once
	loaded   []*packages.Package
	loadErr  error
)

// load loads the module's packages once for both tests.
func load(t *testing.T) []*packages.Package {
	loadOnce.Do(func() {
		root, _ := filepath.Abs("../..")
		loaded, loadErr = Load(root)
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return loaded
}

// TestAPIIsAccepted fails when the exported API of the public packages
// differs from api/streamgate.txt, and prints the difference.
func TestAPIIsAccepted(t *testing.T) {
	root, _ := filepath.Abs("../..")
	got := Lines(load(t))
	raw, err := os.ReadFile(filepath.Join(root, File))
	if err != nil {
		t.Fatalf("%v: write it with `go run ./internal/cmd/apicheck -w`", err)
	}
	want := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if d := Diff(want, got); len(d) > 0 {
		t.Errorf("the exported API differs from %s (-accepted +code):\n%s\n\n"+
			"If the change is intended: run `go run ./internal/cmd/apicheck -w`, and list it in CHANGELOG.md "+
			"(a removal or rename under Changed or Removed, with its replacement).", File, strings.Join(d, "\n"))
	}
	// The check reads what it must: known identifiers, and nothing internal.
	text := strings.Join(got, "\n")
	for _, w := range []string{
		"pkg github.com/streamgate/streamgate/lambda/stream, func NDJSON",
		"pkg github.com/streamgate/streamgate/constructs/streaming, func NewStreamingRestApi(",
		"pkg github.com/streamgate/streamgate/constructs/streaming, type RouteProps struct, Path *string",
		"pkg github.com/streamgate/streamgate/templatetest, func ControlTowerClean(",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("no %q among %d lines", w, len(got))
		}
	}
	if strings.Contains(text, "/internal/") || strings.Contains(text, "streamgate/apps/") {
		t.Error("an internal or demo package is listed")
	}
}

func TestDiff(t *testing.T) {
	d := Diff([]string{"a", "b", "c"}, []string{"a", "c", "d"})
	if strings.Join(d, " ") != "-b +d" {
		t.Errorf("%q", d)
	}
}

// TestEveryExportedIdentifierIsDocumented: what a user can reach says what
// it does.
func TestEveryExportedIdentifierIsDocumented(t *testing.T) {
	for _, m := range Undocumented(load(t)) {
		t.Errorf("no doc comment: %s", m)
	}
}
