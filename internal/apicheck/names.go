package apicheck

import (
	"fmt"
	"go/types"
	"regexp"
	"strings"

	"golang.org/x/tools/go/packages"
)

var (
	codeSpan = regexp.MustCompile("`([^`\n]+)`")
	// pkg.Name or pkg.Type.Member, or Type.Member, at a span's start.
	qualified = regexp.MustCompile(`^([A-Za-z_]\w*)\.([A-Z]\w*)(?:\.([A-Z]\w*))?`)
)

// CheckNames reports the code spans of the Markdown text md (file rel)
// that name an identifier of a public package that does not exist: a span
// that begins with pkg.Name or pkg.Type.Member, where pkg is a public
// package's name, or with Type.Member, where Type is an exported type of
// exactly one public package. Prose names the API as code does, so a
// rename that misses the prose fails the check. Code blocks are compiled
// instead (Check); other packages (aws-cdk's), variables (api.Stage) and
// types that two packages declare (Options) are not checked.
func CheckNames(md, rel string, pkgs []*packages.Package) []string {
	byPkg := map[string]*types.Package{}
	byType := map[string][]*types.TypeName{}
	for _, p := range pkgs {
		if !Public(p) {
			continue
		}
		byPkg[p.Name] = p.Types
		for _, n := range p.Types.Scope().Names() {
			if tn, ok := p.Types.Scope().Lookup(n).(*types.TypeName); ok && tn.Exported() {
				byType[n] = append(byType[n], tn)
			}
		}
	}
	var errs []string
	inFence := false
	for i, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		for _, span := range codeSpan.FindAllStringSubmatch(line, -1) {
			m := qualified.FindStringSubmatch(span[1])
			if m == nil {
				continue
			}
			at := fmt.Sprintf("%s:%d: `%s`", rel, i+1, span[1])
			if p := byPkg[m[1]]; p != nil {
				obj := p.Scope().Lookup(m[2])
				if obj == nil || !obj.Exported() {
					errs = append(errs, fmt.Sprintf("%s: package %s has no %s", at, m[1], m[2]))
					continue
				}
				if m[3] != "" {
					if err := member(obj, m[3]); err != "" {
						errs = append(errs, at+": "+m[1]+"."+m[2]+" "+err)
					}
				}
				continue
			}
			if ts := byType[m[1]]; len(ts) == 1 {
				if err := member(ts[0], m[2]); err != "" {
					errs = append(errs, fmt.Sprintf("%s: %s.%s %s", at, ts[0].Pkg().Name(), m[1], err))
				}
			}
		}
	}
	return errs
}

// member says why name is not a field or method of obj's type, or "".
func member(obj types.Object, name string) string {
	tn, ok := obj.(*types.TypeName)
	if !ok {
		return "" // a function or value: its member is its result's, unchecked
	}
	if f, _, _ := types.LookupFieldOrMethod(types.NewPointer(tn.Type()), true, tn.Pkg(), name); f == nil {
		return "has no field or method " + name
	}
	return ""
}
