// Package apicheck writes the exported API of streamgate's public packages
// as sorted lines, one per identifier, in the manner of Go's own api/
// files:
//
//	pkg github.com/streamgate/streamgate/lambda/stream, func NDJSON[$0 any](...) ...
//	pkg github.com/streamgate/streamgate/constructs/streaming, type RouteProps struct, Path *string
//
// api/streamgate.txt holds the lines of the last accepted API; a test fails
// when the code's differ (go run ./internal/cmd/apicheck -w accepts them).
//
// Check type-checks the Go code blocks of README.md and of the package docs
// against that API, so an example cannot drift from the code it shows;
// its doc says which blocks, how fragments are compiled, and how a block
// opts out.
package apicheck

import (
	"fmt"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
)

// Module is the module path whose public packages are checked.
const Module = "github.com/streamgate/streamgate"

// File is the accepted API, relative to the module root.
const File = "api/streamgate.txt"

// Public reports whether a package of the module is public API: not a
// command, not internal, not a demo, test or example.
func Public(p *packages.Package) bool {
	if p.Name == "main" || !strings.HasPrefix(p.PkgPath, Module+"/") {
		return false
	}
	rel := strings.TrimPrefix(p.PkgPath, Module+"/")
	for _, part := range strings.Split(rel, "/") {
		switch part {
		case "internal", "test", "testdata", "apps", "cmd", "examples", "demo", "scripts":
			return false
		}
	}
	return true
}

// Load loads the module's packages from dir, with their types and syntax,
// for Lines and Undocumented; a package that does not compile is an error.
func Load(dir string) ([]*packages.Package, error) {
	cfg := &packages.Config{Dir: dir, Mode: packages.NeedName | packages.NeedTypes | packages.NeedSyntax}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		return nil, err
	}
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			return nil, fmt.Errorf("%s: %v", p.PkgPath, p.Errors[0])
		}
	}
	return pkgs, nil
}

// Lines are the sorted API lines of the public packages among pkgs.
func Lines(pkgs []*packages.Package) []string {
	var out []string
	for _, p := range pkgs {
		if Public(p) {
			out = append(out, pkgLines(p.Types)...)
		}
	}
	sort.Strings(out)
	return out
}

func pkgLines(pkg *types.Package) []string {
	prefix := "pkg " + pkg.Path() + ", "
	q := func(other *types.Package) string {
		if other == pkg {
			return ""
		}
		return other.Name()
	}
	var out []string
	add := func(s string) { out = append(out, prefix+s) }
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		switch o := obj.(type) {
		case *types.Const:
			add(fmt.Sprintf("const %s %s = %s", name, types.TypeString(o.Type(), q), o.Val().ExactString()))
		case *types.Var:
			add(fmt.Sprintf("var %s %s", name, types.TypeString(o.Type(), q)))
		case *types.Func:
			add("func " + name + strings.TrimPrefix(types.ObjectString(o, q), "func "+name))
		case *types.TypeName:
			out = append(out, typeLines(prefix, o, q)...)
		}
	}
	return out
}

func typeLines(prefix string, o *types.TypeName, q types.Qualifier) []string {
	name := o.Name()
	var out []string
	add := func(s string) { out = append(out, prefix+s) }
	if o.IsAlias() {
		add(fmt.Sprintf("type %s = %s", name, types.TypeString(types.Unalias(o.Type()), q))) // Unalias: the aliased type, not the alias itself
		return out
	}
	named, ok := o.Type().(*types.Named)
	if !ok {
		return out
	}
	tparams := ""
	if tp := named.TypeParams(); tp != nil && tp.Len() > 0 {
		var ps []string
		for i := 0; i < tp.Len(); i++ {
			ps = append(ps, tp.At(i).Obj().Name()+" "+types.TypeString(tp.At(i).Constraint(), q))
		}
		tparams = "[" + strings.Join(ps, ", ") + "]"
	}
	switch u := named.Underlying().(type) {
	case *types.Struct:
		add(fmt.Sprintf("type %s%s struct", name, tparams))
		for i := 0; i < u.NumFields(); i++ {
			f := u.Field(i)
			switch {
			case f.Embedded():
				add(fmt.Sprintf("type %s struct, embedded %s", name, types.TypeString(f.Type(), q)))
			case f.Exported():
				add(fmt.Sprintf("type %s struct, %s %s", name, f.Name(), types.TypeString(f.Type(), q)))
			}
		}
	case *types.Interface:
		add(fmt.Sprintf("type %s%s interface", name, tparams))
		for i := 0; i < u.NumExplicitMethods(); i++ {
			m := u.ExplicitMethod(i)
			if m.Exported() {
				add(fmt.Sprintf("type %s interface, %s%s", name, m.Name(), strings.TrimPrefix(types.TypeString(m.Type(), q), "func")))
			}
		}
		for i := 0; i < u.NumEmbeddeds(); i++ {
			add(fmt.Sprintf("type %s interface, embedded %s", name, types.TypeString(u.EmbeddedType(i), q)))
		}
	default:
		add(fmt.Sprintf("type %s%s %s", name, tparams, types.TypeString(u, q)))
	}
	for i := 0; i < named.NumMethods(); i++ {
		m := named.Method(i)
		if !m.Exported() {
			continue
		}
		sig := m.Type().(*types.Signature)
		recv := name
		if _, ptr := sig.Recv().Type().(*types.Pointer); ptr {
			recv = "*" + name
		}
		add(fmt.Sprintf("method (%s) %s%s", recv, m.Name(), strings.TrimPrefix(types.TypeString(sig, q), "func")))
	}
	return out
}

// Diff is the lines only in want (removed, "-") and only in got (added,
// "+"), in order.
func Diff(want, got []string) []string {
	have := map[string]int{}
	for _, l := range got {
		have[l]++
	}
	for _, l := range want {
		have[l]--
	}
	var out []string
	for _, l := range want {
		if have[l] < 0 {
			out = append(out, "-"+l)
		}
	}
	for _, l := range got {
		if have[l] > 0 {
			out = append(out, "+"+l)
		}
	}
	return out
}
