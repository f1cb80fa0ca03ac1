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
	mds, err := MarkdownFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []Block
	for _, md := range mds {
		bs, err := MarkdownBlocks(filepath.Join(root, md), md)
		if err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, bs...)
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
		{File: "canary/unmarked.md", Line: 1, Code: "apiauth.None()\n"},
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
	if len(canaryErrs) != 2 || !strings.HasPrefix(canaryErrs[1], "canary/wrongfield:1:") || !strings.Contains(canaryErrs[1], "Bundling") ||
		!strings.HasPrefix(canaryErrs[0], "canary/unmarked.md:1:") || !strings.Contains(canaryErrs[0], "```go fragment") {
		t.Errorf("the canaries: want two errors, canary/unmarked.md:1: must say so: ```go fragment, and canary/wrongfield:1: unknown field Bundling; got %q", canaryErrs)
	}

	// The blocks that say they are an Example's body are.
	exErrs, err := CheckExamples(root, append(blocks,
		Block{File: "canary/example.md", Line: 1, Code: "api.AddRoute(nil)\n", Example: "ExampleNewStreamingRestApi"}))
	if err != nil {
		t.Fatal(err)
	}
	examples := 0
	for _, b := range blocks {
		if b.Example != "" {
			examples++
		}
	}
	for _, e := range exErrs {
		if !strings.HasPrefix(e, "canary/") {
			t.Error(e)
		}
	}
	if len(exErrs) == 0 || !strings.HasPrefix(exErrs[len(exErrs)-1], "canary/example.md:1: the block is not a part of ExampleNewStreamingRestApi") {
		t.Errorf("the Example canary: got %q", exErrs)
	}
	if examples == 0 {
		t.Error("no Markdown block says it is an Example's body (example=)")
	}
	t.Logf("%d blocks are an Example's body", examples)

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

// TestMarkdownBlocks pins what counts as a Go block of a Markdown file,
// and what its info string says.
func TestMarkdownBlocks(t *testing.T) {
	md := "# T\n\n```go fragment\na := 1\n```\n\n<!-- nocompile: output of a run -->\n\n```go\nx\n```\n\n```sh\n```go\n```\n\n```\nplain\n```\n" +
		"\n```go file=main.go quickstart\npackage main\n```\n\n```go fragment example=ExampleX\ny()\n```\n"
	path := filepath.Join(t.TempDir(), "R.md")
	if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := MarkdownBlocks(path, "R.md")
	if err != nil {
		t.Fatal(err)
	}
	want := []Block{
		{File: "R.md", Line: 4, Code: "a := 1\n", Fragment: true},
		{File: "R.md", Line: 10, Code: "x\n", Skip: "nocompile: output of a run"},
		{File: "R.md", Line: 22, Code: "package main\n", Path: "main.go"},
		{File: "R.md", Line: 26, Code: "y()\n", Fragment: true, Example: "ExampleX"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("block %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	// A typo in the info string is an error, not a block left unchecked.
	if err := os.WriteFile(path, []byte("```go fragmnet\nx\n```\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := MarkdownBlocks(path, "R.md"); err == nil || !strings.Contains(err.Error(), `unknown word "fragmnet"`) {
		t.Errorf("a misspelt word: %v", err)
	}
}

// TestFragmentsAreMarked: in Markdown, a fragment says so and a whole file
// does not.
func TestFragmentsAreMarked(t *testing.T) {
	for _, c := range []struct {
		b    Block
		k    kind
		want string
	}{
		{Block{File: "R.md", Fragment: true}, kindStmts, ""},
		{Block{File: "R.md", Fragment: true}, kindDecls, ""},
		{Block{File: "R.md"}, kindFile, ""},
		{Block{File: "R.md"}, kindStmts, "```go fragment"},
		{Block{File: "R.md", Fragment: true}, kindFile, "drop the word"},
		{Block{File: "R.md", Fragment: true, Path: "main.go"}, kindStmts, "make it the whole file"},
		{Block{File: "a.go"}, kindStmts, ""}, // doc comments are fragments by convention
	} {
		err := markedAsWhatItIs(c.b, c.k)
		if (err == nil) != (c.want == "") || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v as %d: %v, want %q", c.b, c.k, err, c.want)
		}
	}
}

// TestTokensIgnoreCommentsAndLayout: what CheckExamples compares.
func TestTokensIgnoreCommentsAndLayout(t *testing.T) {
	a := tokens("x := f(1, // one\n\t2)\ny()\n")
	b := tokens("x := f(1,\n2) // two\n\ny()")
	if !contains(a, b) || !contains(tokens("z()\n"+"x := f(1, 2)\ny()\nw()"), b) {
		t.Error("the same code, laid out and commented otherwise, does not match")
	}
	if contains(a, tokens("x := f(1, 3)")) || contains(a, tokens("y()\nx := f(1, 2)")) {
		t.Error("other code matches")
	}
}
