package edge

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func testConfig(t *testing.T) Config {
	t.Helper()
	data, err := os.ReadFile("testdata/config.json")
	if err != nil {
		t.Fatal(err)
	}
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestJavaScript runs the edge code's tests (edge.test.js) with the
// project's Node.js, on the CloudFront Function exactly as ThroughCode
// assembles it.
func TestJavaScript(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not on PATH: run the tests with `make test`, which puts the project's Node.js 24 (.tools) first")
	}
	file := filepath.Join(t.TempDir(), "through.js")
	if err := os.WriteFile(file, []byte(ThroughCode(testConfig(t), "kvs-123")), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "--test", "--test-reporter=spec", "edge.test.js")
	cmd.Env = append(os.Environ(), "SGT_THROUGH_FILE="+file)
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("node --test edge.test.js: %v", err)
	}
	if !strings.Contains(string(out), "pass") {
		t.Fatal("node --test ran no tests")
	}
}

func TestThroughCodeFitsCloudFront(t *testing.T) {
	code := ThroughCode(testConfig(t), "${Token[TOKEN.123]}")
	if n := len(code); n > FunctionCodeLimit {
		t.Fatalf("the CloudFront Function is %d bytes; CloudFront allows %d", n, FunctionCodeLimit)
	}
	if !strings.HasPrefix(code, "import cf from 'cloudfront';\nimport crypto from 'crypto';\nvar SGT_CONFIG = {") {
		t.Errorf("the imports do not come first:\n%.200s", code)
	}
	for _, want := range []string{"function sgtCheck(", "async function handler(e)", `var SGT_KVS_ID = "${Token[TOKEN.123]}";`} {
		if !strings.Contains(code, want) {
			t.Errorf("the code lacks %q", want)
		}
	}
	if strings.Contains(code, "\n//") || strings.Contains(code, "/*") || strings.Contains(code, "require(") {
		t.Error("comments or require() left in the CloudFront Function")
	}
	t.Logf("CloudFront Function: %d of %d bytes", len(code), FunctionCodeLimit)
}

// TestTestdataConfigIsComplete: the config the JavaScript tests use carries
// the names Go shares with the JavaScript, as Complete writes them.
func TestTestdataConfigIsComplete(t *testing.T) {
	c := testConfig(t)
	if got := c.Complete(); got.TokenVersion != c.TokenVersion || got.KeyStorePrefix != c.KeyStorePrefix || got.AccountPlaceholder != c.AccountPlaceholder {
		t.Errorf("testdata/config.json has %q %q %q; Complete writes %q %q %q", c.TokenVersion, c.KeyStorePrefix, c.AccountPlaceholder,
			got.TokenVersion, got.KeyStorePrefix, got.AccountPlaceholder)
	}
}

func TestRedirectFilesCarryTheConfig(t *testing.T) {
	files := RedirectFiles(testConfig(t))
	var c Config
	if err := json.Unmarshal([]byte(files["config.json"]), &c); err != nil || c.Bucket != "uploads-{account}-eu-west-1" {
		t.Fatalf("config.json = %s (%v)", files["config.json"], err)
	}
	for _, name := range []string{"index.js", "token.js", "sigv4.js"} {
		if files[name] == "" {
			t.Errorf("%s missing", name)
		}
	}
	if !strings.Contains(files["index.js"], "require('./config.json')") {
		t.Error("index.js does not read config.json")
	}
}

// esbuildDir is the pinned esbuild that scripts/browser.sh installs with
// the browser tests' packages (test/local/browser/package-lock.json).
const esbuildDir = "../../test/local/browser"

// minify is esbuild's minification of ThroughSource: whitespace, syntax
// and local names; top-level names (handler, SGT_CONFIG) are kept, as a
// script's are. The target keeps async functions and adds nothing that
// cloudfront-js-2.0 lacks (no ?. or ??).
func minify(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(esbuildDir, "node_modules/esbuild/package.json")); err != nil {
		t.Skip("esbuild is not installed: scripts/browser.sh installs it (make test runs it first)")
	}
	script := `const src = require('fs').readFileSync(0, 'utf8');
const out = require('esbuild').transformSync(src, { minify: true, target: 'es2017', charset: 'utf8', legalComments: 'none' });
process.stdout.write(out.code);`
	cmd := exec.Command("node", "-e", script)
	cmd.Dir = esbuildDir
	cmd.Stdin = strings.NewReader(ThroughSource())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("esbuild: %v\n%s", err, stderr.String())
	}
	return string(out)
}

// TestThroughMinifiedIsCurrent: through.min.js is esbuild's output for
// today's token.js and through.js. TEMPLATETEST_UPDATE=1 rewrites it.
func TestThroughMinifiedIsCurrent(t *testing.T) {
	got := minify(t)
	if os.Getenv("TEMPLATETEST_UPDATE") == "1" {
		if err := os.WriteFile("through.min.js", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != ThroughMinJS {
		t.Fatal("through.min.js is not esbuild's output for token.js and through.js: run `TEMPLATETEST_UPDATE=1 go test ./internal/edge -run TestThroughMinifiedIsCurrent`")
	}
	t.Logf("CloudFront Function body: %d bytes minified from %d", len(got), len(ThroughSource()))
}
