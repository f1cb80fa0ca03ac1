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

// TestReferenceIsCurrent fails when README.md's reference tables (props,
// outputs, methods) differ from what the doc comments give: regenerate
// them with `go run ./internal/cmd/apicheck -w`.
func TestReferenceIsCurrent(t *testing.T) {
	root, _ := filepath.Abs("../..")
	raw, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := UpdateReference(string(raw), load(t))
	if err != nil {
		t.Fatal(err)
	}
	if got != string(raw) {
		w := strings.Split(string(raw), "\n")
		g := strings.Split(got, "\n")
		t.Errorf("README.md's reference tables are stale: run `go run ./internal/cmd/apicheck -w` (-README +code):\n%s", strings.Join(Diff(w, g), "\n"))
	}
	if n := strings.Count(string(raw), "<!-- reference: "); n < 10 {
		t.Errorf("README.md has %d reference tables; want one per construct's props and outputs", n)
	}
}

// TestReferenceTables pins the tables' shape, and that a prop without a
// default is refused.
func TestReferenceTables(t *testing.T) {
	pkgs := load(t)
	props, err := Reference("streaming.RouteProps", pkgs)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(props, "\n")
	for _, want := range []string{
		"| Prop | Type | Default | What it does |",
		"| `Method` | `*string` | required |",
		"| `TransferMode` | `awsapigateway.ResponseTransferMode` | STREAM |",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("streaming.RouteProps's table lacks %q:\n%s", want, text)
		}
	}
	outs, err := Reference("streaming.StreamingRestApi", pkgs)
	if err != nil {
		t.Fatal(err)
	}
	text = strings.Join(outs, "\n")
	for _, want := range []string{"| `Stage` | `awsapigateway.Stage` |", "| `AddRoute(r *RouteProps) *Route` |"} {
		if !strings.Contains(text, want) {
			t.Errorf("streaming.StreamingRestApi's table lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "ToString") || strings.Contains(text, "Node()") {
		t.Errorf("the outputs list jsii's or aws-cdk's methods:\n%s", text)
	}
	if _, err := Reference("streaming.NoSuchProps", pkgs); err == nil {
		t.Error("a type that does not exist gives a table")
	}
	if _, err := UpdateReference("<!-- reference: streaming.RouteProps -->\ntext\n", pkgs); err == nil {
		t.Error("an unclosed marker is accepted")
	}
	for doc, want := range map[string][2]string{
		"Routes to create. Default: none.":                       {"Routes to create.", "none"},
		"Params, e.g. {\"a\": true}; more. Default: the path's.": {"Params, e.g. {\"a\": true}; more.", "the path's"},
		"Timeout, 50 ms..15 min. Default: 15 minutes. Longer.":   {"Timeout, 50 ms..15 min.", "15 minutes"},
	} {
		what, def := splitDefault(doc)
		if firstSentence(what) != want[0] || def != want[1] {
			t.Errorf("%q: %q, %q; want %q, %q", doc, firstSentence(what), def, want[0], want[1])
		}
	}
}

// TestNamesInProseExist: the Markdown files name only identifiers the API
// has (pkg.Name, pkg.Type.Member, Type.Member in code spans).
func TestNamesInProseExist(t *testing.T) {
	root, _ := filepath.Abs("../..")
	pkgs := load(t)
	files, err := MarkdownFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range CheckNames(string(raw), f, pkgs) {
			t.Error(e)
		}
	}
	// The check finds what it must.
	canary := "`streaming.StreamingRestApiProps.RestAPIProps` and `edgetoken.ParseKey` and `StreamingRestApi.DeploymentStage` and `awsapigateway.Nope` and `api.Nope`\n" +
		"```go fragment\n`streaming.Nope`\n```\n"
	errs := CheckNames(canary, "canary.md", pkgs)
	if len(errs) != 3 || !strings.Contains(errs[0], "has no field or method RestAPIProps") ||
		!strings.Contains(errs[1], "package edgetoken has no ParseKey") || !strings.Contains(errs[2], "has no field or method DeploymentStage") {
		t.Errorf("the canary: %q", errs)
	}
}

// TestMarkdownAnchors: every link to a heading of a Markdown file leads to
// one (tests and other pages link the README's headings).
func TestMarkdownAnchors(t *testing.T) {
	root, _ := filepath.Abs("../..")
	files, err := MarkdownFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append(files, "CHANGELOG.md") {
		errs, err := CheckAnchors(root, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range errs {
			t.Error(e)
		}
	}
	a := Anchors("# T\n## In a browser: CORS, fetch and Uppy\n## Why not just `LambdaIntegration` with `STREAM`?\n```\n## not a heading\n```\n## Notes\n## Notes\n")
	for _, want := range []string{"in-a-browser-cors-fetch-and-uppy", "why-not-just-lambdaintegration-with-stream", "notes", "notes-1"} {
		if !a[want] {
			t.Errorf("no anchor %s in %v", want, a)
		}
	}
	if a["not-a-heading"] {
		t.Error("a line in a code block is a heading")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "A.md"), []byte("# A\n## Here\n[ok](#here) [bad](#there) [ok](B.md#b) [bad](B.md#c) [web](https://x.example/y.md#z)\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "B.md"), []byte("# B\n"), 0o644)
	errs, err := CheckAnchors(dir, "A.md")
	if err != nil || len(errs) != 2 || !strings.Contains(errs[0], "#there") || !strings.Contains(errs[1], "B.md#c") {
		t.Errorf("the canary: %q, %v", errs, err)
	}
}
