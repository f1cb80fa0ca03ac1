package devtools

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// module writes a go.mod declaring path into a new folder and returns it,
// with a subfolder to start from.
func module(t *testing.T, path string) (root, sub string) {
	t.Helper()
	root = t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module "+path+"\n\ngo 1.26.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub = filepath.Join(root, "stacks", "deep")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	return root, sub
}

func TestFindInsideTheRepository(t *testing.T) {
	t.Setenv(EnvDir, "")
	root, sub := module(t, Module)
	loc, err := Find(sub)
	if err != nil {
		t.Fatal(err)
	}
	if loc.Repo != root || loc.Dir != filepath.Join(root, ".tools") {
		t.Errorf("inside the repository: got %+v, want Repo %s and Dir %s/.tools", loc, root, root)
	}
	if got := loc.InstallCommand(NodeRIC); got != "make noderic" {
		t.Errorf("inside the repository, noderic installs with %q, want make noderic", got)
	}
	if got := loc.InstallCommand(SeaweedFS); got != "scripts/s3server.sh install seaweedfs" {
		t.Errorf("inside the repository, seaweedfs installs with %q", got)
	}
}

func TestFindInATeamModule(t *testing.T) {
	t.Setenv(EnvDir, "")
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache) // os.UserCacheDir on Linux
	t.Setenv("HOME", cache)           // and on macOS: $HOME/Library/Caches
	_, sub := module(t, "example.com/teamapp")
	loc, err := Find(sub)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.UserCacheDir()
	want = filepath.Join(want, "streamgate", "tools")
	if loc.Repo != "" || loc.Dir != want || loc.From != "the user cache directory" {
		t.Errorf("in a team module: got %+v, want Dir %s", loc, want)
	}
	if got := loc.InstallCommand(PythonRIC); got != "sgdev install pyric" {
		t.Errorf("outside the repository, pyric installs with %q, want sgdev install pyric", got)
	}
	// A module path that only starts like streamgate's is not the repository.
	_, sub = module(t, Module+"-fork")
	if loc, _ := Find(sub); loc.Repo != "" {
		t.Errorf("a module named %s-fork counts as the repository", Module)
	}
}

func TestFindHonoursTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvDir, dir)
	for _, path := range []string{Module, "example.com/teamapp"} {
		_, sub := module(t, path)
		loc, err := Find(sub)
		if err != nil {
			t.Fatal(err)
		}
		if loc.Dir != dir || loc.From != EnvDir {
			t.Errorf("%s: got %+v, want Dir %s from %s", path, loc, dir, EnvDir)
		}
		if got := loc.InstallCommand(MinIO); got != "sgdev install minio" {
			t.Errorf("%s: with %s, minio installs with %q, want sgdev install minio (the scripts' own default is .tools)", path, EnvDir, got)
		}
	}
}

func TestPathsAreWhereTheScriptsInstall(t *testing.T) {
	l := Location{Dir: "/t"}
	for tool, want := range map[Tool]string{
		NodeRIC:   "/t/noderic/node_modules/aws-lambda-ric/index.mjs", // scripts/noderic.sh: $TOOLS/noderic
		PythonRIC: "/t/pyric/runtime",                                 // scripts/pyric.sh: $TOOLS/pyric/runtime
		SeaweedFS: "/t/bin/weed",                                      // scripts/s3server.sh: $TOOLS/bin
		MinIO:     "/t/bin/minio",
	} {
		if got := l.Path(tool); got != want {
			t.Errorf("%s: %s, want %s", tool, got, want)
		}
	}
	// The scripts name the same places.
	for script, want := range map[string]string{
		"noderic.sh":  `DEST="$TOOLS/noderic"`,
		"pyric.sh":    `RUNTIME="$DEST/runtime"`,
		"s3server.sh": `seaweedfs) echo "$TOOLS/bin/weed"`,
	} {
		b, err := os.ReadFile(filepath.Join("..", "..", "scripts", script))
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("scripts/%s does not install where Path says (%q): %v", script, want, err)
		}
	}
}

func TestInstalled(t *testing.T) {
	l := Location{Dir: t.TempDir()}
	for _, tool := range Tools() {
		if l.Installed(tool) {
			t.Errorf("%s counts as installed in an empty folder", tool)
		}
	}
	// A Python client folder without the package is not installed; with a
	// NOT-BUILT.txt (macOS) it is, and the runner says why.
	os.MkdirAll(l.Path(PythonRIC), 0o755)
	if l.Installed(PythonRIC) {
		t.Error("an empty pyric/runtime counts as installed")
	}
	os.WriteFile(filepath.Join(l.Path(PythonRIC), "NOT-BUILT.txt"), []byte("macOS"), 0o644)
	if !l.Installed(PythonRIC) {
		t.Error("a pyric/runtime with NOT-BUILT.txt does not count as installed")
	}
	os.MkdirAll(filepath.Dir(l.Path(SeaweedFS)), 0o755)
	os.WriteFile(l.Path(SeaweedFS), nil, 0o755)
	if !l.Installed(SeaweedFS) {
		t.Error("bin/weed does not count as installed")
	}
}

func TestInstallHintNamesTheCommandAndWhatIsSkipped(t *testing.T) {
	l := Location{Dir: "/home/u/.cache/streamgate/tools", From: "the user cache directory"}
	hint := l.InstallHint(SeaweedFS)
	for _, want := range []string{"/home/u/.cache/streamgate/tools/bin/weed", "`sgdev install seaweedfs`", "minutes", "buckets are not served"} {
		if !strings.Contains(hint, want) {
			t.Errorf("the hint lacks %q: %s", want, hint)
		}
	}
}

func TestParseTool(t *testing.T) {
	if got, err := ParseTool("NodeRIC"); err != nil || got != NodeRIC {
		t.Errorf("NodeRIC: %v %v", got, err)
	}
	_, err := ParseTool("weed")
	if err == nil || !strings.Contains(err.Error(), `"weed"`) || !strings.Contains(err.Error(), "noderic, pyric, seaweedfs, minio") {
		t.Errorf("weed: %v (want the value and the allowed names)", err)
	}
}

func TestCommandRunsTheScriptWithBashAndTools(t *testing.T) {
	l := Location{Dir: "/t"}
	cmd := l.Command("/src", SeaweedFS)
	if got := strings.Join(cmd.Args, " "); got != "bash /src/scripts/s3server.sh install seaweedfs" {
		t.Errorf("args: %s", got)
	}
	if cmd.Env[len(cmd.Env)-1] != "TOOLS=/t" {
		t.Errorf("env ends with %q, want TOOLS=/t", cmd.Env[len(cmd.Env)-1])
	}
	for _, s := range []string{"noderic.sh", "pyric.sh", "s3server.sh"} {
		if _, err := os.Stat(filepath.Join("..", "..", "scripts", s)); err != nil {
			t.Error(err)
		}
	}
}

// TestSourceInsideTheRepository: the repository's own scripts.
func TestSourceInsideTheRepository(t *testing.T) {
	src, err := Source(".")
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("../..")
	if src != abs {
		t.Errorf("got %s, want %s", src, abs)
	}
}

// TestSourceOfATeamModule: the folder of the streamgate its module
// requires (here a replace of this checkout, as test/teammodule has it).
func TestSourceOfATeamModule(t *testing.T) {
	root, sub := module(t, "example.com/teamapp")
	checkout, _ := filepath.Abs("../..")
	gomod := "module example.com/teamapp\n\ngo 1.26.0\n\nrequire " + Module + " v0.0.0-00010101000000-000000000000\n\nreplace " + Module + " => " + checkout + "\n"
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := Source(sub)
	if err != nil {
		t.Fatal(err)
	}
	if src != checkout {
		t.Errorf("got %s, want %s", src, checkout)
	}
	// A folder in no module cannot say which streamgate: the error says what to do.
	if _, err := Source(t.TempDir()); err == nil || !strings.Contains(err.Error(), "go get -tool") {
		t.Errorf("outside any module: %v", err)
	}
}
