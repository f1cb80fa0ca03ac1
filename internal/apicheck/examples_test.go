package apicheck

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestDocExamplesCompile type-checks the Go code blocks of README.md and of
// the package docs against the current API (the convention is in
// examples.go: which blocks, the Prelude, the imports). go test -v lists
// how many blocks of each file were checked and skipped, and why.
func TestDocExamplesCompile(t *testing.T) {
	root, _ := filepath.Abs("../..")
	pkgs := load(t)
	blocks, err := MarkdownBlocks(filepath.Join(root, "README.md"), "README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks = append(blocks, DocBlocks(pkgs, root)...)
	names, err := ModuleImports(pkgs)
	if err != nil {
		t.Fatal(err)
	}
	// Canaries, checked with the rest: the check must report a field the
	// API does not have (the defect this test was written for), and must
	// not report a local an example declares and leaves unused.
	canaries := []Block{
		{File: "canary/wrongfield", Line: 1, Code: "app := templatetest.NewApp(t, &templatetest.AppOptions{Bundling: true})\n"},
		{File: "canary/unused", Line: 1, Code: "fn := gofunction.NewGoFunction(stack, jsii.String(\"F\"), nil)\n"},
		{File: "canary/decls", Line: 1, Code: "func TestX(t *testing.T) { mystacks.NewStreams(app, \"S\", nil).StackName() }\n"},
	}
	start := time.Now()
	rep, err := Check(root, append(blocks, canaries...), names)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)

	var canaryErrs []string
	for _, e := range rep.Errors {
		if strings.HasPrefix(e, "canary/") {
			canaryErrs = append(canaryErrs, e)
			continue
		}
		t.Error(e)
	}
	if len(canaryErrs) != 1 || !strings.HasPrefix(canaryErrs[0], "canary/wrongfield:1:") || !strings.Contains(canaryErrs[0], "Bundling") {
		t.Errorf("the canaries: want one error, canary/wrongfield:1: unknown field Bundling; got %q", canaryErrs)
	}

	type count struct{ checked, skipped int }
	byFile := map[string]*count{}
	at := func(f string) *count {
		if byFile[f] == nil {
			byFile[f] = &count{}
		}
		return byFile[f]
	}
	checked, skipped := 0, 0
	for _, b := range rep.Checked {
		if !strings.HasPrefix(b.File, "canary/") {
			at(b.File).checked++
			checked++
		}
	}
	for _, b := range rep.Skipped {
		at(b.File).skipped++
		skipped++
		t.Logf("skipped %s:%d (%s)", b.File, b.Line, b.Skip)
	}
	files := make([]string, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		t.Logf("%-44s %2d checked, %2d skipped", f, byFile[f].checked, byFile[f].skipped)
	}
	t.Logf("%d blocks checked, %d skipped, in %v", checked, skipped, elapsed.Round(time.Millisecond))

	// The extraction finds what it must: the README's examples and the
	// package docs that show a construct.
	for _, f := range []string{"README.md", "constructs/streaming/streaming.go", "constructs/monitoring/monitoring.go", "localrun/localrun.go", "lambda/stream/stream.go"} {
		if byFile[f] == nil || byFile[f].checked == 0 {
			t.Errorf("no block of %s was checked", f)
		}
	}
}

// TestDocBlockKinds pins which blocks are compiled, skipped, or reported
// as Go that does not parse.
func TestDocBlockKinds(t *testing.T) {
	imports := map[string]string{"jsii": "", "streaming": ""}
	for _, c := range []struct {
		file, code string
		skip, err  string
	}{
		{"a.go", "apiauth.Iam()\napiauth.None()\n", "", ""},
		{"a.go", "func main() { stream.Start(handle) }\n", "", ""},
		{"a.go", "package main\n\nfunc main() {}\n", "", ""},
		{"a.go", "curl -T file.bin https://d111.cloudfront.net/u/file.bin\n", SkipNotGo, ""},
		{"a.go", "\"Metadata\": {\"control_tower\": {}}\n", SkipNotGo, ""},
		{"a.go", "streaming.NewStreamingRestApi(stack, jsii.String(\"Api\"), ...)\n", "", "does not parse"},
		{"a.go", "// nocompile: a sketch\nstreaming.NewStreamingRestApi(stack, ...)\n", "nocompile: a sketch", ""},
		{"a.go", "// nocompile:\nx(...)\n", "", "needs a reason"},
		{"README.md", "$ curl -N http://127.0.0.1:3000/prod/records\n", "", "does not parse"},
	} {
		skip, err := classifySkip(Block{File: c.file, Line: 1, Code: c.code}, imports)
		if skip != c.skip || (err == nil) != (c.err == "") || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s %q: got skip %q, error %v; want skip %q, error %q", c.file, c.code, skip, err, c.skip, c.err)
		}
	}
}

// TestMarkdownBlocks pins what counts as a Go block of a Markdown file.
func TestMarkdownBlocks(t *testing.T) {
	md := "# T\n\n```go\na := 1\n```\n\n<!-- nocompile: output of a run -->\n\n```go\nx\n```\n\n```sh\n```go\n```\n\n```\nplain\n```\n"
	path := filepath.Join(t.TempDir(), "R.md")
	if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := MarkdownBlocks(path, "R.md")
	if err != nil {
		t.Fatal(err)
	}
	want := []Block{
		{File: "R.md", Line: 4, Code: "a := 1\n"},
		{File: "R.md", Line: 10, Code: "x\n", Skip: "nocompile: output of a run"},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
