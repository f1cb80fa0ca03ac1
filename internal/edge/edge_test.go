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
	for _, want := range []string{"function sgtCheck(", "async function handler(event)", `var SGT_KVS_ID = "${Token[TOKEN.123]}";`} {
		if !strings.Contains(code, want) {
			t.Errorf("the code lacks %q", want)
		}
	}
	if strings.Contains(code, "\n//") || strings.Contains(code, "require(") {
		t.Error("comments or require() left in the CloudFront Function")
	}
	t.Logf("CloudFront Function: %d of %d bytes", len(code), FunctionCodeLimit)
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
