package apicheck

import (
	"fmt"
	"go/ast"

	"golang.org/x/tools/go/packages"
)

// Undocumented lists the exported identifiers of the public packages among
// pkgs (loaded by Load) that have no doc comment: functions, methods of
// exported types, types, struct fields (a trailing comment counts),
// constants and variables (a comment on their group counts).
func Undocumented(pkgs []*packages.Package) []string {
	var out []string
	for _, p := range pkgs {
		if !Public(p) {
			continue
		}
		miss := func(kind, name string) { out = append(out, fmt.Sprintf("%s: %s %s", p.PkgPath, kind, name)) }
		for _, f := range p.Syntax {
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					if d.Name.IsExported() && d.Doc == nil && (d.Recv == nil || exportedRecv(d)) {
						miss("func", d.Name.Name)
					}
				case *ast.GenDecl:
					for _, s := range d.Specs {
						switch s := s.(type) {
						case *ast.TypeSpec:
							if !s.Name.IsExported() {
								continue
							}
							if s.Doc == nil && d.Doc == nil {
								miss("type", s.Name.Name)
							}
							if st, ok := s.Type.(*ast.StructType); ok {
								for _, fl := range st.Fields.List {
									for _, n := range fl.Names {
										if n.IsExported() && fl.Doc == nil && fl.Comment == nil {
											miss("field", s.Name.Name+"."+n.Name)
										}
									}
								}
							}
						case *ast.ValueSpec:
							for _, n := range s.Names {
								if n.IsExported() && s.Doc == nil && s.Comment == nil && d.Doc == nil {
									miss("value", n.Name)
								}
							}
						}
					}
				}
			}
		}
	}
	return out
}

func exportedRecv(d *ast.FuncDecl) bool {
	t := d.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.IsExported()
}
