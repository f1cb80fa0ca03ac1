package scripts

import (
	"go/ast"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// maxFuncLines is the longest a function of the project's own code may be:
// a longer one reads as a wall, and is made an orchestration of named
// steps instead (most functions stay under 30 lines).
const maxFuncLines = 60

// TestFunctionsReadAsSteps fails on a non-test function longer than
// maxFuncLines, outside vendored code (third_party) and the tools' and
// browsers' folders.
func TestFunctionsReadAsSteps(t *testing.T) {
	vendored := filepath.Join("..", "third_party") + string(filepath.Separator)
	parseRepoGo(t, func(path string, fset *token.FileSet, f *ast.File) {
		if strings.HasSuffix(path, "_test.go") || strings.HasPrefix(path, vendored) {
			return
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			if n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1; n > maxFuncLines {
				t.Errorf("%s: %s is %d lines; allowed: %d. Fix: split it into named steps, each a function that does one thing", fset.Position(fn.Pos()), fn.Name.Name, n, maxFuncLines)
			}
		}
	})
}
