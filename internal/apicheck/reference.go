package apicheck

import (
	"fmt"
	"go/ast"
	"go/types"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
)

// The README's reference tables are generated from the code's doc comments
// between markers, so that they cannot drift from the API:
//
//	<!-- reference: streaming.StreamingRestApiProps -->
//	| Prop | Type | Default | What it does |
//	...
//	<!-- /reference -->
//
// A type whose name ends in Props gets a props table (each exported field:
// name, type, the first sentence of its doc, and its "Default:" clause);
// any other struct an outputs table (each exported field: name, type,
// what it is) followed by its exported methods. UpdateReference rewrites
// every such region; `go run ./internal/cmd/apicheck -w` writes the
// README, and TestReferenceIsCurrent fails when it is stale.

var (
	refOpen  = regexp.MustCompile(`^<!--\s*reference:\s*(\S+)\s*-->\s*$`)
	refClose = regexp.MustCompile(`^<!--\s*/reference\s*-->\s*$`)
)

// UpdateReference returns md with the region after each reference marker
// regenerated from pkgs (loaded by Load). A marker that names no exported
// struct of a public package, or that is not closed, is an error.
func UpdateReference(md string, pkgs []*packages.Package) (string, error) {
	lines := strings.Split(md, "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		out = append(out, lines[i])
		m := refOpen.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		end := -1
		for j := i + 1; j < len(lines); j++ {
			if refClose.MatchString(lines[j]) {
				end = j
				break
			}
			if refOpen.MatchString(lines[j]) {
				break
			}
		}
		if end < 0 {
			return "", fmt.Errorf("line %d: <!-- reference: %s --> has no <!-- /reference --> before the next marker", i+1, m[1])
		}
		table, err := Reference(m[1], pkgs)
		if err != nil {
			return "", fmt.Errorf("line %d: %v", i+1, err)
		}
		out = append(out, table...)
		out = append(out, lines[end])
		i = end
	}
	return strings.Join(out, "\n"), nil
}

// Reference is the Markdown table of name ("pkg.Type"), as lines.
func Reference(name string, pkgs []*packages.Package) ([]string, error) {
	pkgName, typeName, ok := strings.Cut(name, ".")
	if !ok {
		return nil, fmt.Errorf("reference %q: want package.Type, e.g. streaming.StreamingRestApiProps", name)
	}
	for _, p := range pkgs {
		if !Public(p) || p.Name != pkgName {
			continue
		}
		obj, _ := p.Types.Scope().Lookup(typeName).(*types.TypeName)
		if obj == nil || !obj.Exported() {
			continue
		}
		st, ok := obj.Type().Underlying().(*types.Struct)
		if !ok {
			return nil, fmt.Errorf("reference %s: not a struct", name)
		}
		docs := fieldDocs(p, typeName)
		q := func(other *types.Package) string {
			if other == p.Types {
				return ""
			}
			return other.Name()
		}
		if strings.HasSuffix(typeName, "Props") {
			return propsTable(name, st, docs, q)
		}
		return outputsTable(obj, st, docs, q, methodDocs(p, typeName)), nil
	}
	return nil, fmt.Errorf("reference %s: no exported type %s in a public package named %s", name, typeName, pkgName)
}

func propsTable(name string, st *types.Struct, docs map[string]string, q types.Qualifier) ([]string, error) {
	out := []string{"| Prop | Type | Default | What it does |", "|---|---|---|---|"}
	var missing []string
	for i := 0; i < st.NumFields(); i++ {
		f := st.Field(i)
		if !f.Exported() || f.Embedded() {
			continue
		}
		what, def := splitDefault(docs[f.Name()])
		if def == "" {
			if !strings.Contains(what, "Required") && !strings.Contains(what, "required") {
				missing = append(missing, f.Name())
			}
			def = "required"
		}
		out = append(out, fmt.Sprintf("| `%s` | `%s` | %s | %s |", f.Name(), types.TypeString(f.Type(), q), cell(def), cell(sentence(f.Name(), what))))
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("reference %s: %s: the doc comment says neither \"Default: ...\" nor that the prop is required", name, strings.Join(missing, ", "))
	}
	return out, nil
}

func outputsTable(obj *types.TypeName, st *types.Struct, docs map[string]string, q types.Qualifier, mdocs map[string]string) []string {
	out := []string{"| Field | Type | What it is |", "|---|---|---|"}
	for i := 0; i < st.NumFields(); i++ {
		f := st.Field(i)
		if !f.Exported() || f.Embedded() {
			continue
		}
		what, _ := splitDefault(docs[f.Name()])
		out = append(out, fmt.Sprintf("| `%s` | `%s` | %s |", f.Name(), types.TypeString(f.Type(), q), cell(sentence(f.Name(), what))))
	}
	ms := types.NewMethodSet(types.NewPointer(obj.Type()))
	var rows []string
	for i := 0; i < ms.Len(); i++ {
		fn := ms.At(i).Obj().(*types.Func)
		// ToString is the jsii override every construct carries; methods
		// promoted from the embedded construct are aws-cdk's.
		if !fn.Exported() || fn.Name() == "ToString" || len(ms.At(i).Index()) != 1 {
			continue
		}
		sig := strings.TrimPrefix(types.TypeString(fn.Type(), q), "func")
		rows = append(rows, fmt.Sprintf("| `%s%s` | %s |", fn.Name(), sig, cell(sentence(fn.Name(), mdocs[fn.Name()]))))
	}
	if len(rows) > 0 {
		sort.Strings(rows)
		out = append(out, "", "| Method | What it does |", "|---|---|")
		out = append(out, rows...)
	}
	return out
}

// fieldDocs are the doc comments of the fields of type name in p, as one
// line each.
func fieldDocs(p *packages.Package, name string) map[string]string {
	out := map[string]string{}
	for _, f := range p.Syntax {
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok || ts.Name.Name != name {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return false
			}
			for _, fl := range st.Fields.List {
				cg := fl.Doc
				if cg == nil {
					cg = fl.Comment
				}
				for _, n := range fl.Names {
					out[n.Name] = oneLine(cg)
				}
			}
			return false
		})
	}
	return out
}

// methodDocs are the doc comments of the methods of type name in p.
func methodDocs(p *packages.Package, name string) map[string]string {
	out := map[string]string{}
	for _, f := range p.Syntax {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || len(fd.Recv.List) == 0 {
				continue
			}
			t := fd.Recv.List[0].Type
			if s, ok := t.(*ast.StarExpr); ok {
				t = s.X
			}
			if id, ok := t.(*ast.Ident); ok && id.Name == name {
				out[fd.Name.Name] = oneLine(fd.Doc)
			}
		}
	}
	return out
}

func oneLine(cg *ast.CommentGroup) string {
	if cg == nil {
		return ""
	}
	return strings.Join(strings.Fields(cg.Text()), " ")
}

// splitDefault splits a doc at its "Default:" clause: what the field is,
// and the clause's first sentence.
func splitDefault(doc string) (what, def string) {
	i := strings.Index(doc, "Default:")
	if i < 0 {
		return doc, ""
	}
	def = firstSentence(strings.TrimSpace(doc[i+len("Default:"):]))
	return strings.TrimSpace(doc[:i]), strings.TrimSuffix(def, ".")
}

// sentence is the first sentence of doc, without a leading "Name is".
func sentence(name, doc string) string {
	s := firstSentence(doc)
	for _, verb := range []string{" is ", " are ", " returns "} {
		if rest, ok := strings.CutPrefix(s, name+verb); ok && rest != "" {
			if verb == " returns " {
				return "returns " + rest
			}
			return rest
		}
	}
	return s
}

// firstSentence ends at the first period followed by a space (or the
// end) that does not close an abbreviation (e.g., i.e.).
func firstSentence(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] != '.' || (i+1 < len(s) && s[i+1] != ' ') {
			continue
		}
		before := s[:i]
		if strings.HasSuffix(before, "e.g") || strings.HasSuffix(before, "i.e") || strings.HasSuffix(before, ".") {
			continue
		}
		return s[:i+1]
	}
	return s
}

// cell escapes s for a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}
