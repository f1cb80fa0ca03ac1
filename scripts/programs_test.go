package scripts

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

// TestEveryProgramIsInstalledOrNamed is the check a machine that already
// has things cannot fool: it reads which external programs the set-up
// scripts, the Makefile, CI and the tests run (from their source, not from
// what this machine has), and fails when one is neither installed by the
// README's two commands nor named as something the user installs first,
// for every host of the README's set-up table.
func TestEveryProgramIsInstalledOrNamed(t *testing.T) {
	used := usedPrograms(t)
	hosts := hostTable(t)
	for _, want := range []string{"Linux x86-64", "Linux arm64", "macOS arm64", "macOS x86-64"} {
		if !slices.ContainsFunc(hosts, func(h host) bool { return strings.HasPrefix(h.host, want) }) {
			t.Errorf("README's set-up table has no row for %s", want)
		}
	}
	for _, prog := range sortedKeys(used) {
		for _, h := range hosts {
			if !h.named[prog] {
				t.Errorf("%s is run by %s, but README's set-up table does not say, for %s, that the two commands install it or that the user installs it first",
					prog, strings.Join(used[prog], ", "), h.host)
			}
		}
	}
	// The other way round: a program the user is told to install that
	// nothing runs is a stale cell (or this scan missed a use; then teach
	// it). What the commands install is checked by
	// TestInstalledProgramsHaveAnInstaller.
	for _, h := range hosts {
		for prog := range h.named {
			if _, ok := used[prog]; !ok && !h.other[prog] && !h.installed[prog] {
				t.Errorf("README's set-up table names %s for %s, but no script, Makefile recipe or test runs it", prog, h.host)
			}
		}
	}
	t.Logf("%d programs, each named for %d hosts: %s", len(used), len(hosts), strings.Join(sortedKeys(used), " "))
}

// TestInstalledProgramsHaveAnInstaller: every program the table says the
// two commands install on Linux is installed by one of the scripts.
func TestInstalledProgramsHaveAnInstaller(t *testing.T) {
	apt := aptInstalled(t)
	// Programs the scripts build or fetch themselves, and the script that
	// does it (checked to name the package it installs).
	own := map[string][2]string{
		"node":      {"node-package.sh", "node-linux-"},
		"cdk":       {"setup.sh", "aws-cdk@"},
		"minio":     {"s3server.sh", "github.com/minio/minio"},
		"weed":      {"s3server.sh", "github.com/seaweedfs/seaweedfs"},
		"cfn-guard": {"cfnguard.sh", "cdk-validator-cfnguard"},
		"esbuild":   {"browser.sh", "esbuild"},
	}
	for _, h := range hostTable(t) {
		if !strings.HasPrefix(h.host, "Linux") {
			continue
		}
		for prog := range h.installed {
			if apt[prog] {
				continue
			}
			o, ok := own[prog]
			if !ok {
				t.Errorf("%s: the table says the two commands install %s, but no script installs it", h.host, prog)
				continue
			}
			b, err := os.ReadFile(o[0])
			if err != nil || !strings.Contains(string(b), o[1]) {
				t.Errorf("%s: the table says the two commands install %s, but %s does not name %s", h.host, prog, o[0], o[1])
			}
			if o[1] == "esbuild" {
				if b, err := os.ReadFile("../test/local/browser/package.json"); err != nil || !strings.Contains(string(b), `"esbuild"`) {
					t.Errorf("esbuild is not pinned in test/local/browser/package.json")
				}
			}
		}
	}
}

// aptInstalled is every command the scripts install with host_install
// (scripts/hostpkgs.sh): its literal arguments, and the BUILD_TOOLS of
// noderic.sh and pyric.sh.
func aptInstalled(t *testing.T) map[string]bool {
	out := map[string]bool{}
	for _, b := range aptBuildTools(t) {
		out[b] = true
	}
	for _, f := range shellFiles(t) {
		syntax.Walk(parseShell(t, f.name, f.src), func(n syntax.Node) bool {
			if c, ok := n.(*syntax.CallExpr); ok && len(c.Args) > 2 && c.Args[0].Lit() == "host_install" {
				for _, a := range c.Args[2:] {
					if l := a.Lit(); l != "" {
						out[l] = true
					}
				}
			}
			return true
		})
	}
	return out
}

// host is one row of README's set-up table.
type host struct {
	host      string
	installed map[string]bool // the two commands install it
	named     map[string]bool // installed, or the user installs it first, or the row says why it is not needed
	other     map[string]bool // named in the row's last column (not needed on this host)
}

var backticked = regexp.MustCompile("`([^`]+)`")

// hostTable reads README's set-up table: the rows after the header row
// whose first cell is "Host". In each cell, every `backticked` name is a
// program; a row "Every host" adds its names to each of the others.
func hostTable(t *testing.T) []host {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows []host
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if !strings.HasPrefix(strings.TrimSpace(line), "|") {
			if in {
				break
			}
			continue
		}
		if strings.TrimSpace(cells[0]) == "Host" {
			in = true
			continue
		}
		if !in || strings.HasPrefix(strings.TrimSpace(cells[0]), "--") {
			continue
		}
		if len(cells) != 4 {
			t.Fatalf("README set-up table row %q: want 4 cells (host, installed by the two commands, you install first, not needed here)", line)
		}
		h := host{host: strings.TrimSpace(cells[0]), installed: map[string]bool{}, named: map[string]bool{}, other: map[string]bool{}}
		for i, c := range cells[1:] {
			for _, m := range backticked.FindAllStringSubmatch(c, -1) {
				prog := m[1]
				if strings.ContainsAny(prog, " /") {
					t.Fatalf("README set-up table, %s: %q: a backticked name in the table is one program (commands go below the table)", h.host, prog)
				}
				h.named[prog] = true
				switch i {
				case 0:
					h.installed[prog] = true
				case 2:
					h.other[prog] = true
				}
			}
		}
		rows = append(rows, h)
	}
	// The row "Every host" holds for each of the others.
	var hosts []host
	var every *host
	for i := range rows {
		if rows[i].host == "Every host" {
			every = &rows[i]
		} else {
			hosts = append(hosts, rows[i])
		}
	}
	if every != nil {
		for _, h := range hosts {
			for _, m := range [][2]map[string]bool{{h.installed, every.installed}, {h.named, every.named}, {h.other, every.other}} {
				for k := range m[1] {
					m[0][k] = true
				}
			}
		}
	}
	return hosts
}

type shellFile struct{ name, src string }

// shellFiles are the set-up scripts, CI's script and the Makefile's
// recipes (as shell, with make's variables replaced by what they hold).
func shellFiles(t *testing.T) []shellFile {
	var files []shellFile
	scripts, _ := filepath.Glob("*.sh")
	for _, s := range append(scripts, "../.ci/run") {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, shellFile{s, string(b)})
	}
	mk, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, shellFile{"Makefile", makeRecipes(string(mk))})
	return files
}

var (
	makeVar    = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)
	makeAssign = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\s*[:?]?=\s*(.*)$`)
)

// makeRecipes turns a Makefile's recipe lines into one shell script, with
// the Makefile's variables replaced by their values ($(GO) is go, as the
// Makefile defaults it) and $$ by $.
func makeRecipes(mk string) string {
	vars := map[string]string{"CURDIR": "."}
	var sb strings.Builder
	lines := strings.Split(mk, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		for strings.HasSuffix(line, "\\") && i+1 < len(lines) {
			i++
			line = strings.TrimSuffix(line, "\\") + " " + strings.TrimSpace(lines[i])
		}
		if !strings.HasPrefix(line, "\t") {
			if m := makeAssign.FindStringSubmatch(strings.TrimPrefix(line, "export ")); m != nil {
				vars[m[1]] = m[2]
			}
			continue
		}
		line = strings.TrimLeft(strings.TrimSpace(line), "@-")
		for range 5 { // variables hold variables
			line = makeVar.ReplaceAllStringFunc(line, func(v string) string {
				if val, ok := vars[makeVar.FindStringSubmatch(v)[1]]; ok {
					return val
				}
				return "makevar"
			})
		}
		sb.WriteString(strings.ReplaceAll(line, "$$", "$") + "\n")
	}
	return sb.String()
}

func parseShell(t *testing.T, name, src string) *syntax.File {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

// Bash's builtins and keywords, which are not programs.
var builtins = strings.Fields(`. : [ [[ alias bg bind break builtin caller cd command compgen complete
	continue declare dirs disown echo enable eval exec exit export false fc fg getopts hash help history
	jobs kill let local logout mapfile popd printf pushd pwd read readarray readonly return set shift
	shopt source suspend test times trap true type typeset ulimit umask unalias unset wait`)

// Commands that run their first argument: the argument is the program.
var wrappers = map[string]bool{"exec": true, "env": true, "nohup": true, "sudo": true, "time": true, "xargs": true}

// usedPrograms maps each external program that a script, recipe or test
// runs by name to where.
func usedPrograms(t *testing.T) map[string][]string {
	used := map[string][]string{}
	add := func(prog, where string) {
		if !slices.Contains(used[prog], where) {
			used[prog] = append(used[prog], where)
		}
	}
	for prog, where := range shellPrograms(t, shellFiles(t)) {
		for _, w := range where {
			add(prog, w)
		}
	}
	for _, b := range aptBuildTools(t) {
		add(b, "the Runtime Interface Clients' builds (BUILD_TOOLS of noderic.sh, pyric.sh)")
	}
	for prog, where := range goPrograms(t) {
		for _, w := range where {
			add(prog, w)
		}
	}
	return used
}

// shellPrograms maps the programs that the shell files run by name to the
// files: the first word of each command, past wrappers such as exec and
// env, unless it is a builtin, a function of one of the files, a path or
// an assignment.
func shellPrograms(t *testing.T, files []shellFile) map[string][]string {
	used := map[string][]string{}
	funcs := map[string]bool{}
	parsed := make([]*syntax.File, len(files))
	for i, f := range files {
		parsed[i] = parseShell(t, f.name, f.src)
		syntax.Walk(parsed[i], func(n syntax.Node) bool {
			if fd, ok := n.(*syntax.FuncDecl); ok {
				funcs[fd.Name.Value] = true
			}
			return true
		})
	}
	for i, f := range parsed {
		syntax.Walk(f, func(n syntax.Node) bool {
			call, ok := n.(*syntax.CallExpr)
			if !ok {
				return true
			}
			args := call.Args
			for len(args) > 0 {
				w := args[0].Lit()
				if wrappers[w] || (w == "command" && len(args) > 1 && args[1].Lit() != "-v") {
					args = args[1:]
					for len(args) > 0 && (strings.HasPrefix(args[0].Lit(), "-") || strings.Contains(args[0].Lit(), "=")) {
						args = args[1:] // the wrapper's options, env's assignments
					}
					continue
				}
				if w == "" || strings.Contains(w, "/") || funcs[w] || slices.Contains(builtins, w) {
					break
				}
				if !slices.Contains(used[w], files[i].name) {
					used[w] = append(used[w], files[i].name)
				}
				break
			}
			return true
		})
	}
	return used
}

// TestShellScanFindsPrograms: the scan sees through wrappers, functions
// and make's variables, and skips builtins and checks for a command.
func TestShellScanFindsPrograms(t *testing.T) {
	mk := "GO ?= go\nX := awk '{print}'\nall:\n\t@$(GO) test ./... | $(X)\n\t-exec cmake \\\n\t  --version\n"
	got := shellPrograms(t, []shellFile{
		{"a.sh", "f() { g++ -v; }\nf\ncommand -v zz >/dev/null && echo ok\nenv A=1 nohup tar xf a\nif ! xz -t a; then ./local.sh; fi\n"},
		{"Makefile", makeRecipes(mk)},
	})
	want := []string{"awk", "cmake", "g++", "go", "tar", "xz"}
	if keys := sortedKeys(got); !slices.Equal(keys, want) {
		t.Errorf("programs %v, want %v", keys, want)
	}
}

// aptBuildTools are the BUILD_TOOLS of noderic.sh and pyric.sh: what the
// third-party builds they run call.
func aptBuildTools(t *testing.T) []string {
	var out []string
	for _, script := range []string{"noderic.sh", "pyric.sh"} {
		b, err := os.ReadFile(script)
		if err != nil {
			t.Fatal(err)
		}
		n := len(out)
		syntax.Walk(parseShell(t, script, string(b)), func(n syntax.Node) bool {
			if a, ok := n.(*syntax.Assign); ok && a.Name != nil && a.Name.Value == "BUILD_TOOLS" && a.Array != nil {
				for _, e := range a.Array.Elems {
					out = append(out, e.Value.Lit())
				}
			}
			return true
		})
		if len(out) == n {
			t.Fatalf("%s has no BUILD_TOOLS array", script)
		}
	}
	return out
}

// goPrograms maps the programs Go code runs by a literal name
// (exec.Command, exec.CommandContext, exec.LookPath) to the files.
func goPrograms(t *testing.T) map[string][]string {
	out := map[string][]string{}
	parseRepoGo(t, func(path string, _ *token.FileSet, f *ast.File) {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "exec" {
				return true
			}
			arg := 0
			switch sel.Sel.Name {
			case "Command", "LookPath":
			case "CommandContext":
				arg = 1
			default:
				return true
			}
			if len(call.Args) <= arg {
				return true
			}
			a := call.Args[arg]
			// exec.Command(filepath.Join(dir, ".bin", "esbuild")): the last element.
			if j, ok := a.(*ast.CallExpr); ok && len(j.Args) > 0 {
				if sel, ok := j.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Join" {
					a = j.Args[len(j.Args)-1]
				}
			}
			lit, ok := a.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			prog, _ := strconv.Unquote(lit.Value)
			if strings.HasSuffix(prog, ".sh") {
				return true // the project's own scripts, scanned above
			}
			rel := strings.TrimPrefix(filepath.ToSlash(path), "../")
			if !strings.Contains(prog, "/") && !slices.Contains(out[prog], rel) {
				out[prog] = append(out[prog], rel)
			}
			return true
		})
	})
	return out
}

// parseRepoGo parses each Go file of the repository, but in hidden folders
// (.tools, .git), node_modules and cdk.out*, and calls f with it.
func parseRepoGo(t *testing.T, f func(path string, fset *token.FileSet, file *ast.File)) {
	t.Helper()
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != ".." && (strings.HasPrefix(n, ".") || n == "node_modules" || strings.HasPrefix(n, "cdk.out")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		f(path, fset, file)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
