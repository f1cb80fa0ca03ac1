package apicheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// exampleFunc is an Example function of the module's tests.
type exampleFunc struct {
	file string // relative to the module root
	body []tok  // its body's tokens
}

// tok is a token with its text, as compared by CheckExamples.
type tok struct {
	t   token.Token
	lit string
}

// tokens are src's tokens without comments and without the semicolons Go
// inserts at line ends: the code, whatever its layout.
func tokens(src string) []tok {
	fset := token.NewFileSet()
	f := fset.AddFile("", -1, len(src))
	var s scanner.Scanner
	s.Init(f, []byte(src), func(token.Position, string) {}, 0)
	var out []tok
	for {
		_, t, lit := s.Scan()
		if t == token.EOF {
			return out
		}
		if t == token.SEMICOLON && lit == "\n" {
			continue
		}
		if !t.IsLiteral() {
			lit = ""
		}
		out = append(out, tok{t, lit})
	}
}

// exampleFuncs finds the Example functions of the _test.go files under
// root (outside the folders MarkdownFiles skips), by name.
func exampleFuncs(root string) (map[string][]exampleFunc, error) {
	out := map[string][]exampleFunc{}
	fset := token.NewFileSet()
	err := walkSources(root, func(path string) error {
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || fn.Body == nil || !strings.HasPrefix(fn.Name.Name, "Example") {
				continue
			}
			body := src[fset.Position(fn.Body.Lbrace).Offset+1 : fset.Position(fn.Body.Rbrace).Offset]
			out[fn.Name.Name] = append(out[fn.Name.Name], exampleFunc{file: filepath.ToSlash(rel), body: tokens(string(body))})
		}
		return nil
	})
	return out, err
}

// CheckExamples reports the Markdown blocks whose example=Name is not so:
// no Example function of that name in the module's tests, two of them, or
// a block that is not a contiguous part of its body, compared token by
// token (comments and layout aside). Such a block is what `go test` runs,
// its output checked.
func CheckExamples(root string, blocks []Block) ([]string, error) {
	var want []Block
	for _, b := range blocks {
		if b.Example != "" {
			want = append(want, b)
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	funcs, err := exampleFuncs(root)
	if err != nil {
		return nil, err
	}
	var errs []string
	for _, b := range want {
		fs := funcs[b.Example]
		switch len(fs) {
		case 0:
			errs = append(errs, fmt.Sprintf("%s:%d: example=%s: no such Example function in the module's tests", b.File, b.Line, b.Example))
			continue
		case 1:
		default:
			var files []string
			for _, f := range fs {
				files = append(files, f.file)
			}
			sort.Strings(files)
			errs = append(errs, fmt.Sprintf("%s:%d: example=%s: one in each of %s; rename one", b.File, b.Line, b.Example, strings.Join(files, ", ")))
			continue
		}
		if !contains(fs[0].body, tokens(b.Code)) {
			errs = append(errs, fmt.Sprintf("%s:%d: the block is not a part of %s's body (%s), token for token, comments aside: copy it from there, or change both",
				b.File, b.Line, b.Example, fs[0].file))
		}
	}
	return errs, nil
}

// contains reports whether part is a contiguous run of whole.
func contains(whole, part []tok) bool {
	if len(part) == 0 {
		return false
	}
	for i := 0; i+len(part) <= len(whole); i++ {
		match := true
		for j := range part {
			if whole[i+j] != part[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
