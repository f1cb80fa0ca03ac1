package apicheck

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/doc/comment"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"
)

// Prelude declares the names that statement and declaration blocks may use
// without declaring them: the app, the stack and the values an example
// assumes its reader already has. mystacks stands for the reader's own
// package of stacks.
const Prelude = `var (
	app   awscdk.App
	stack awscdk.Stack
	scope constructs.Construct

	api      *streaming.StreamingRestApi
	up       *uploads.PresignedUploadApi
	fn       awslambda.IFunction
	ordersFn awslambda.IFunction
	profile  *compliance.Profile

	opsTopic        awssns.ITopic
	queue           awssqs.IQueue
	vpc             awsec2.IVpc
	zone            awsroute53.IHostedZone
	pool            awscognito.IUserPool
	tokenAuthorizer awsapigateway.IAuthorizer

	ctx          context.Context
	t            *testing.T
	r            *localrun.Runner
	mux          http.Handler
	req          events.APIGatewayProxyRequest
	headers      map[string]string
	secretString string
	handle       func(context.Context, events.APIGatewayProxyRequest) (*events.APIGatewayProxyStreamingResponse, error)
	process      func(ctx context.Context, bucket, key string, size int64) error

	mystacks struct {
		NewStreams func(scope constructs.Construct, id string, props *awscdk.StackProps) awscdk.Stack
	}
)
`

// Imports maps the package names that blocks use to import paths, besides
// the module's public packages (their own names, added by Check).
var Imports = map[string]string{
	"bytes":                 "bytes",
	"context":               "context",
	"errors":                "errors",
	"fmt":                   "fmt",
	"http":                  "net/http",
	"io":                    "io",
	"json":                  "encoding/json",
	"log":                   "log",
	"os":                    "os",
	"strings":               "strings",
	"testing":               "testing",
	"time":                  "time",
	"config":                "github.com/aws/aws-sdk-go-v2/config",
	"credentials":           "github.com/aws/aws-sdk-go-v2/credentials",
	"events":                "github.com/aws/aws-lambda-go/events",
	"lambda":                "github.com/aws/aws-lambda-go/lambda",
	"jsii":                  "github.com/aws/jsii-runtime-go",
	"awscdk":                "github.com/aws/aws-cdk-go/awscdk/v2",
	"constructs":            "github.com/aws/constructs-go/constructs/v10",
	"assertions":            "github.com/aws/aws-cdk-go/awscdk/v2/assertions",
	"awsapigateway":         "github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway",
	"awscertificatemanager": "github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager",
	"awscloudfront":         "github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront",
	"awscognito":            "github.com/aws/aws-cdk-go/awscdk/v2/awscognito",
	"awsec2":                "github.com/aws/aws-cdk-go/awscdk/v2/awsec2",
	"awsevents":             "github.com/aws/aws-cdk-go/awscdk/v2/awsevents",
	"awseventstargets":      "github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets",
	"awskms":                "github.com/aws/aws-cdk-go/awscdk/v2/awskms",
	"awslambda":             "github.com/aws/aws-cdk-go/awscdk/v2/awslambda",
	"awslogs":               "github.com/aws/aws-cdk-go/awscdk/v2/awslogs",
	"awsroute53":            "github.com/aws/aws-cdk-go/awscdk/v2/awsroute53",
	"awss3":                 "github.com/aws/aws-cdk-go/awscdk/v2/awss3",
	"awssecretsmanager":     "github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager",
	"awssns":                "github.com/aws/aws-cdk-go/awscdk/v2/awssns",
	"awssqs":                "github.com/aws/aws-cdk-go/awscdk/v2/awssqs",
}

// Block is a code block of the documentation.
type Block struct {
	File string // relative to the module root
	Line int    // of the block's first line of code
	Code string
	Skip string // why it is not compiled; empty if it is

	// Markdown only, from the fence's info string (```go fragment
	// example=ExampleNewStreamingRestApi).
	Fragment bool   // statements or declarations, compiled with the Prelude
	Example  string // the Example function the block is the body of
	Path     string // file=PATH: a file of a module the tests write (the quick start)
}

// Kinds of Skip.
const (
	SkipNotGo = "not Go"
)

var (
	fenceRE     = regexp.MustCompile("^```\\s*(\\S*)\\s*(.*)$")
	nocompileMD = regexp.MustCompile(`^<!--\s*nocompile:\s*(.*?)\s*-->\s*$`)
	nocompileGo = regexp.MustCompile(`^//\s*nocompile:\s*(.*)$`)
)

// Fence is a fenced code block of a Markdown file.
type Fence struct {
	File string // relative to the module root
	Line int    // of the block's first line of code
	Lang string // the info string's first word: go, sh, json, js
	// Attrs are the info string's further words: a word alone maps to "",
	// key=value to value (```go file=main.go quickstart).
	Attrs map[string]string
	Code  string
	// Nocompile is the reason of a <!-- nocompile: reason --> line before
	// the fence (blank lines aside).
	Nocompile string
}

// MarkdownFences returns the fenced code blocks of the Markdown file path,
// named rel. A fence that is never closed is an error.
func MarkdownFences(path, rel string) ([]Fence, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var (
		out     []Fence
		cur     *Fence
		code    []string
		lastRaw string // the last non-blank line outside a fence
	)
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		m := fenceRE.FindStringSubmatch(line)
		switch {
		case cur != nil && m != nil && m[1] == "" && m[2] == "":
			cur.Code = strings.Join(code, "\n") + "\n"
			out = append(out, *cur)
			cur, code, lastRaw = nil, nil, ""
		case cur != nil:
			code = append(code, line)
		case m != nil:
			cur = &Fence{File: rel, Line: n + 1, Lang: m[1], Attrs: map[string]string{}}
			for _, w := range strings.Fields(m[2]) {
				k, v, _ := strings.Cut(w, "=")
				cur.Attrs[k] = v
			}
			if mm := nocompileMD.FindStringSubmatch(lastRaw); mm != nil {
				cur.Nocompile = mm[1]
			}
		case strings.TrimSpace(line) != "":
			lastRaw = line
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("%s:%d: a ``` fence is not closed", rel, cur.Line-1)
	}
	return out, sc.Err()
}

// goAttrs are the words a ```go fence may carry.
var goAttrs = map[string]bool{"fragment": true, "example": true, "file": true, "quickstart": true}

// MarkdownBlocks returns the ```go blocks of the Markdown file path, named
// rel, with what their info strings say. An unknown word in a go fence's
// info string is an error: a typo must not turn a check off.
func MarkdownBlocks(path, rel string) ([]Block, error) {
	fences, err := MarkdownFences(path, rel)
	if err != nil {
		return nil, err
	}
	var out []Block
	for _, f := range fences {
		if f.Lang != "go" {
			continue
		}
		for k := range f.Attrs {
			if !goAttrs[k] {
				return nil, fmt.Errorf("%s:%d: ```go %s: unknown word %q (allowed: fragment, example=ExampleName, file=PATH, quickstart)", rel, f.Line-1, k, k)
			}
		}
		_, frag := f.Attrs["fragment"]
		b := Block{File: rel, Line: f.Line, Code: f.Code, Fragment: frag, Example: f.Attrs["example"], Path: f.Attrs["file"]}
		if f.Nocompile != "" {
			b.Skip = "nocompile: " + f.Nocompile
		}
		out = append(out, b)
	}
	return out, nil
}

// MarkdownFiles are the Markdown files of the module whose Go blocks are
// compiled (relative to root): every *.md outside .tools, node_modules,
// third_party, testdata and cdk.out*, but CHANGELOG.md, whose entries
// name the API of their day.
func MarkdownFiles(root string) ([]string, error) {
	var out []string
	err := walkSources(root, func(path string) error {
		if name := filepath.Base(path); strings.HasSuffix(name, ".md") && name != "CHANGELOG.md" {
			rel, _ := filepath.Rel(root, path)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// walkSources calls f with each file under root, but in the folders that
// hold no documentation or examples of the API: hidden ones (.tools,
// .git), cdk.out*, node_modules, third_party and testdata.
func walkSources(root string, f func(path string) error) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "cdk.out") ||
				name == "node_modules" || name == "third_party" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		return f(path)
	})
}

// DocBlocks returns the code blocks of the package docs and of the docs of
// exported identifiers in pkgs (loaded by Load), with file names relative
// to root. A block that does not parse as Go is marked SkipNotGo.
func DocBlocks(pkgs []*packages.Package, root string) []Block {
	var out []Block
	for _, p := range pkgs {
		for _, f := range p.Syntax {
			name := p.Fset.File(f.Pos()).Name()
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			rel, err := filepath.Rel(root, name)
			if err != nil {
				rel = name
			}
			for _, cg := range exportedDocs(f) {
				out = append(out, commentBlocks(p.Fset, cg, filepath.ToSlash(rel))...)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out
}

// exportedDocs are f's package doc and the docs of its exported
// identifiers.
func exportedDocs(f *ast.File) []*ast.CommentGroup {
	out := []*ast.CommentGroup{f.Doc}
	fields := func(l *ast.FieldList) {
		for _, fl := range l.List {
			for _, n := range fl.Names {
				if n.IsExported() {
					out = append(out, fl.Doc)
					break
				}
			}
		}
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Name.IsExported() {
				out = append(out, d.Doc)
			}
		case *ast.GenDecl:
			exported := false
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					if !s.Name.IsExported() {
						continue
					}
					exported = true
					out = append(out, s.Doc)
					switch t := s.Type.(type) {
					case *ast.StructType:
						fields(t.Fields)
					case *ast.InterfaceType:
						fields(t.Methods)
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() {
							exported = true
							out = append(out, s.Doc)
							break
						}
					}
				}
			}
			if exported {
				out = append(out, d.Doc)
			}
		}
	}
	return out
}

// commentBlocks are the code blocks of cg, as go/doc/comment reads them,
// each with the line of its first line in the file.
func commentBlocks(fset *token.FileSet, cg *ast.CommentGroup, rel string) []Block {
	if cg == nil {
		return nil
	}
	// The comment's lines as written (markers removed), with their lines in
	// the file, to find where each block starts.
	type rawLine struct {
		text string
		line int
	}
	var lines []rawLine
	for _, c := range cg.List {
		start := fset.Position(c.Pos()).Line
		text := c.Text
		if strings.HasPrefix(text, "//") {
			lines = append(lines, rawLine{text[2:], start})
			continue
		}
		for i, l := range strings.Split(strings.TrimSuffix(strings.TrimPrefix(text, "/*"), "*/"), "\n") {
			lines = append(lines, rawLine{l, start + i})
		}
	}
	var (
		out  []Block
		next int
		p    comment.Parser
	)
	for _, b := range p.Parse(cg.Text()).Content {
		code, ok := b.(*comment.Code)
		if !ok {
			continue
		}
		first := strings.TrimSpace(strings.SplitN(code.Text, "\n", 2)[0])
		line := 0
		for i := next; i < len(lines); i++ {
			t := lines[i].text
			indent := t[:len(t)-len(strings.TrimLeft(t, " \t"))]
			if indent != "" && indent != " " && strings.TrimSpace(t) == first {
				line, next = lines[i].line, i+1
				break
			}
		}
		out = append(out, Block{File: rel, Line: line, Code: code.Text})
	}
	return out
}

var preludeSrc = "package p\n" + Prelude

// Report is what Check found.
type Report struct {
	Checked []Block
	Skipped []Block
	Errors  []string // file:line:col: message, in the documentation's lines
}

type kind int

const (
	kindFile  kind = iota // a whole file, package clause included
	kindDecls             // top-level declarations
	kindStmts             // statements: a func body
)

// Check type-checks the blocks that are meant to compile against the
// module at root, with go/types and the export data the go command builds
// (and caches) for the packages they import. pkgNames adds to Imports
// (Check's caller passes the module's public packages, ModuleImports).
// Blocks whose Skip is set, and those classifySkip finds are not Go, are
// not compiled.
//
// Which blocks Check type-checks, and how:
//
//   - Markdown (MarkdownFiles: README.md, ARCHITECTURE.md, BENCHMARKS.md,
//     ...): every ```go fence. A whole file (a package clause) is compiled
//     as it is; any other block must be opened with ```go fragment, and
//     is compiled as declarations or statements with the Prelude's names
//     (a fragment not so marked, or a file so marked, is an error: a
//     reader must see which code compiles alone). ```go fragment
//     example=ExampleName also says that the block is a part of that
//     Example function's body, which `go test` runs (CheckExamples
//     compares them); file=PATH names a file of the quick start, which
//     test/teammodule writes into a new module and runs. A fence preceded
//     (blank lines aside) by <!-- nocompile: reason --> is skipped; fences
//     of other languages are not Go.
//   - Go doc comments: the indented code blocks of package docs and of the
//     docs of exported identifiers (struct fields and interface methods
//     included), in every non-test file of the module. A block that parses
//     as Go is checked; one that does not is not Go (shell, JSON, a
//     grammar) and is skipped, unless it uses a package of Imports as a
//     qualifier (jsii.String), which fails the check: Go that does not
//     parse is a broken example.
//   - In either, a block whose first line is "// nocompile: reason" is
//     skipped.
//
// A block is one of:
//
//   - a file: it starts with a package clause; it is compiled as it is,
//     imports included, in a package of its own;
//   - declarations (funcs, types, vars): compiled in a package of their
//     own, with the Prelude's names they do not declare themselves;
//   - statements: the body of a func, in a package shared with the other
//     statement blocks and the Prelude.
//
// Declarations and statements name packages by their usual names, without
// import lines: Imports maps those names to import paths, and each block
// gets the imports of the names it uses. A local variable a block declares
// but does not use is not an error (an example often stops at the value it
// shows); any other type error is.
func Check(root string, blocks []Block, pkgNames map[string]string) (*Report, error) {
	src, err := newSources(root, pkgNames)
	if err != nil {
		return nil, err
	}
	rep := &Report{}
	for i, b := range blocks {
		if b.Skip == "" {
			b.Skip, err = classifySkip(b, src.imports)
			if err != nil {
				rep.Errors = append(rep.Errors, err.Error())
				continue
			}
		}
		if b.Skip != "" {
			rep.Skipped = append(rep.Skipped, b)
			continue
		}
		k, _ := classify(b.Code)
		if err := markedAsWhatItIs(b, k); err != nil {
			rep.Errors = append(rep.Errors, err.Error())
			continue
		}
		rep.Checked = append(rep.Checked, b)
		src.add(i, b)
	}
	pkgs := src.packages()
	if len(pkgs) == 0 {
		return rep, nil
	}
	exports, err := exportData(root, src.paths)
	if err != nil {
		return nil, err
	}
	typeErrs, err := typeCheck(root, pkgs, exports)
	if err != nil {
		return nil, err
	}
	rep.Errors = append(rep.Errors, typeErrs...)
	sort.Strings(rep.Errors)
	return rep, nil
}

// docPkg is a package of generated sources that Check type-checks: one
// per file or declarations block, and one for all the statement blocks
// (each the body of a func _) and the Prelude.
type docPkg struct {
	name  string
	kind  kind
	files []string // sources
}

// sources turns blocks into docPkgs, and collects the import paths whose
// export data they need.
type sources struct {
	root         string
	imports      map[string]string // package name -> import path
	preludeNames map[string]bool
	preludeFile  *ast.File
	paths        map[string]bool
	pkgs         []*docPkg
	frag         *docPkg
}

// newSources starts with Imports and pkgNames as the names blocks may use.
func newSources(root string, pkgNames map[string]string) (*sources, error) {
	s := &sources{root: root, imports: map[string]string{}, paths: map[string]bool{}, frag: &docPkg{name: "frag", kind: kindStmts}}
	for n, p := range Imports {
		s.imports[n] = p
	}
	for n, p := range pkgNames {
		s.imports[n] = p
	}
	var err error
	s.preludeNames, s.preludeFile, err = parsePrelude()
	return s, err
}

// importBlock is the import declaration of ps, which it records as needed.
func (s *sources) importBlock(ps []string) string {
	for _, p := range ps {
		s.paths[p] = true
	}
	return importDecl(ps)
}

// add makes block i, b, a package of its own (a file, declarations) or a
// func of the statements' package. Its errors are reported at its lines
// in its file.
func (s *sources) add(i int, b Block) {
	k, f := classify(b.Code)
	at := fmt.Sprintf("//line %s:%d\n", filepath.Join(s.root, b.File), b.Line)
	if k == kindFile || k == kindDecls {
		for _, is := range f.Imports {
			p, _ := strconv.Unquote(is.Path.Value)
			s.paths[p] = true
		}
	}
	switch k {
	case kindFile:
		s.pkgs = append(s.pkgs, &docPkg{name: f.Name.Name, kind: k, files: []string{at + b.Code}})
	case kindDecls:
		s.pkgs = append(s.pkgs, s.declsPackage(fmt.Sprintf("d%03d", i), f, at+b.Code))
	case kindStmts:
		s.frag.files = append(s.frag.files, "package frag\n\n"+s.importBlock(needed(f, s.imports, s.preludeNames))+"func _() {\n"+at+b.Code+"\n}\n")
	}
}

// declsPackage is the package name of a declarations block f (code its
// source), with the imports it needs and the Prelude's names it uses but
// does not declare.
func (s *sources) declsPackage(name string, f *ast.File, code string) *docPkg {
	declared := topLevelNames(f)
	var used []string
	for _, id := range f.Unresolved {
		if s.preludeNames[id.Name] && !declared[id.Name] {
			used = append(used, id.Name)
		}
	}
	p := &docPkg{name: name, kind: kindDecls, files: []string{"package " + name + "\n\n" + s.importBlock(needed(f, s.imports, s.preludeNames)) + code}}
	if pre, preImports := preludeFor(s.preludeFile, used, s.imports); pre != "" {
		p.files = append(p.files, "package "+name+"\n\n"+s.importBlock(preImports)+pre)
	}
	return p
}

// packages are the packages of the blocks added, the statements' last,
// with the whole Prelude.
func (s *sources) packages() []*docPkg {
	if len(s.frag.files) == 0 {
		return s.pkgs
	}
	all := make([]string, 0, len(s.preludeNames))
	for n := range s.preludeNames {
		all = append(all, n)
	}
	pre, preImports := preludeFor(s.preludeFile, all, s.imports)
	s.frag.files = append(s.frag.files, "package frag\n\n"+s.importBlock(preImports)+pre)
	return append(s.pkgs, s.frag)
}

// typeCheck type-checks pkgs against the export data of their imports
// and returns the errors as file:line:col: message, at the blocks' lines;
// a generated file that does not parse is the error. A local an example
// declares to show a value is not an error.
func typeCheck(root string, pkgs []*docPkg, exports map[string]string) ([]string, error) {
	var errs []string
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(f)
	})
	for i, p := range pkgs {
		var files []*ast.File
		for j, src := range p.files {
			name := filepath.Join(root, fmt.Sprintf("_doccheck/%d/%d.go", i, j)) // never written
			f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
			if err != nil {
				return nil, fmt.Errorf("a generated file does not parse: %v\n%s", err, src)
			}
			files = append(files, f)
		}
		conf := types.Config{
			Importer: imp,
			Error: func(err error) {
				te := err.(types.Error)
				if p.kind != kindFile && te.Soft && strings.Contains(te.Msg, "declared and not used") {
					return
				}
				pos := strings.TrimPrefix(te.Fset.Position(te.Pos).String(), root+string(filepath.Separator))
				errs = append(errs, pos+": "+te.Msg)
			},
		}
		conf.Check(p.name, fset, files, nil) // errors go to conf.Error
	}
	return errs, nil
}

// markedAsWhatItIs checks a Markdown block's marking against its kind k: a
// block that is not a whole file says it is a fragment (```go fragment),
// so a reader knows it will not compile alone; a whole file does not.
func markedAsWhatItIs(b Block, k kind) error {
	if !strings.HasSuffix(b.File, ".md") {
		return nil // doc comments: fragments by Go's convention
	}
	switch {
	case k == kindFile && b.Fragment:
		return fmt.Errorf("%s:%d: a whole Go file (it has a package clause) is marked fragment: drop the word", b.File, b.Line)
	case k != kindFile && !b.Fragment:
		return fmt.Errorf("%s:%d: a Go block that is not a whole file (no package clause) must say so: open it with ```go fragment "+
			"(it then compiles with the Prelude's names: app, stack, api, ...), or make it a whole file", b.File, b.Line)
	case k != kindFile && b.Path != "":
		return fmt.Errorf("%s:%d: file=%s names a file, but the block is a fragment: make it the whole file", b.File, b.Line, b.Path)
	}
	return nil
}

// exportData maps each of paths, and their dependencies, to its export
// data file, which go list builds (from the build cache when warm).
func exportData(root string, paths map[string]bool) (map[string]string, error) {
	args := []string{"list", "-e", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}\t{{with .Error}}{{.Err}}{{end}}"}
	for p := range paths {
		args = append(args, p)
	}
	sort.Strings(args[6:])
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -export: %v\n%s", err, stderr.String())
	}
	exports := map[string]string{}
	var errs []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(line, "\t", 3)
		if len(f) == 3 && f[2] != "" {
			errs = append(errs, f[0]+": "+f[2])
		}
		if len(f) >= 2 && f[1] != "" {
			exports[f[0]] = f[1]
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("go list -export: %s", strings.Join(errs, "; "))
	}
	return exports, nil
}

// ModuleImports maps the names of the module's public packages among pkgs
// to their paths; two public packages with one name are an error.
func ModuleImports(pkgs []*packages.Package) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range pkgs {
		if !Public(p) {
			continue
		}
		if q, dup := out[p.Name]; dup {
			return nil, fmt.Errorf("packages %s and %s are both named %s: a doc example cannot say which it uses", q, p.PkgPath, p.Name)
		}
		out[p.Name] = p.PkgPath
	}
	return out, nil
}

// classifySkip says why b is not compiled: a "// nocompile: reason" first
// line, or a doc comment's block that is not Go. Go that does not parse is
// an error.
func classifySkip(b Block, imports map[string]string) (string, error) {
	first := strings.TrimSpace(strings.SplitN(strings.TrimLeft(b.Code, "\n"), "\n", 2)[0])
	if m := nocompileGo.FindStringSubmatch(first); m != nil {
		if strings.TrimSpace(m[1]) == "" {
			return "", fmt.Errorf("%s:%d: nocompile needs a reason", b.File, b.Line)
		}
		return "nocompile: " + m[1], nil
	}
	if k, _ := classify(b.Code); k >= 0 {
		return "", nil
	}
	// Report the error of the most likely reading: statements.
	_, perr := parser.ParseFile(token.NewFileSet(), "", "package p\nfunc _() {\n"+b.Code+"\n}\n", 0)
	if strings.HasSuffix(b.File, ".md") || looksLikeGo(b.Code, imports) {
		return "", fmt.Errorf("%s:%d: the example does not parse as Go (%v): fix it, or begin it with // nocompile: reason", b.File, b.Line, perr)
	}
	return SkipNotGo, nil
}

// looksLikeGo reports whether code uses a package of imports as a
// qualifier, as in jsii.String(.
func looksLikeGo(code string, imports map[string]string) bool {
	names := make([]string, 0, len(imports))
	for n := range imports {
		names = append(names, regexp.QuoteMeta(n))
	}
	sort.Strings(names)
	return regexp.MustCompile(`\b(` + strings.Join(names, "|") + `)\.[A-Z]`).MatchString(code)
}

// classify parses code as a file, declarations or statements, in that
// order; k is -1 if it is none of them. f is the parsed code, without
// imports (declarations and statements) or as it is (a file).
func classify(code string) (k kind, f *ast.File) {
	fset := token.NewFileSet()
	if f, err := parser.ParseFile(fset, "", code, 0); err == nil {
		return kindFile, f
	}
	if f, err := parser.ParseFile(fset, "", "package p\n"+code, 0); err == nil {
		return kindDecls, f
	}
	if f, err := parser.ParseFile(fset, "", "package p\nfunc _() {\n"+code+"\n}\n", 0); err == nil {
		return kindStmts, f
	}
	return -1, nil
}

// topLevelNames are the names f declares at package level.
func topLevelNames(f *ast.File) map[string]bool {
	out := map[string]bool{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				out[d.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					out[s.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range s.Names {
						out[n.Name] = true
					}
				}
			}
		}
	}
	return out
}

// needed are the import paths of the package names f uses but does not
// declare, other than the Prelude's.
func needed(f *ast.File, imports map[string]string, prelude map[string]bool) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range f.Unresolved {
		if p, ok := imports[id.Name]; ok && !prelude[id.Name] && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func importDecl(paths []string) string {
	if len(paths) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("import (\n")
	for _, p := range paths {
		b.WriteString("\t" + strconv.Quote(p) + "\n")
	}
	b.WriteString(")\n\n")
	return b.String()
}

// parsePrelude returns the names the Prelude declares, and the Prelude
// parsed.
func parsePrelude() (map[string]bool, *ast.File, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "prelude", preludeSrc, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("Prelude: %v", err)
	}
	return topLevelNames(f), f, nil
}

// preludeFor is the part of the Prelude (f, parsed from preludeSrc) that
// declares names, with the import paths it needs.
func preludeFor(f *ast.File, names []string, imports map[string]string) (string, []string) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var b strings.Builder
	for _, d := range f.Decls {
		for _, s := range d.(*ast.GenDecl).Specs {
			if want[s.(*ast.ValueSpec).Names[0].Name] {
				// Positions are 1-based offsets into preludeSrc (one file).
				b.WriteString("var " + preludeSrc[s.Pos()-1:s.End()-1] + "\n")
			}
		}
	}
	if b.Len() == 0 {
		return "", nil
	}
	pf, err := parser.ParseFile(token.NewFileSet(), "", "package p\n"+b.String(), 0)
	if err != nil {
		panic(err) // a part of the Prelude, which parsed
	}
	return b.String(), needed(pf, imports, nil)
}
