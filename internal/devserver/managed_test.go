package devserver

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamgate/streamgate/internal/assemblytest"
	"github.com/streamgate/streamgate/internal/devserver/runtimes"
)

// TestManagedRuntimesFromRelativePaths: sgdev's defaults are relative
// (-assembly cdk.out, -node-ric .tools/noderic/..., -python-ric
// .tools/pyric/runtime), while a Node.js or Python process runs in its
// function's folder: the runner hands them absolute paths, so the
// functions answer (they failed to find the client, or their handler,
// before).
func TestManagedRuntimesFromRelativePaths(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	nodeRIC := filepath.Join(root, ".tools", "noderic", "node_modules", "aws-lambda-ric", "index.mjs")
	pythonRIC := filepath.Join(root, ".tools", "pyric", "runtime")
	_, nodeMissing := runtimes.NodeRuntime(nodeRIC)
	pyMissing := runtimes.PythonRuntimes(pythonRIC, "python3.12")["python3.12"].Missing
	if nodeMissing != "" && pyMissing != "" {
		t.Skipf("SKIPPED: neither Node.js (%s) nor Python (%s) functions run here", nodeMissing, pyMissing)
	}
	fn := func(runtime, asset string) map[string]any {
		return map[string]any{"Type": "AWS::Lambda::Function", "Properties": map[string]any{"Runtime": runtime,
			"Handler": "index.handler", "Code": map[string]any{"S3Key": asset + ".zip"}}}
	}
	proxy := func(fn string) map[string]any {
		return map[string]any{"Type": "AWS_PROXY", "Uri": map[string]any{"Fn::Join": []any{"", []any{
			"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/", map[string]any{"Fn::GetAtt": []string{fn, "Arn"}}, "/invocations"}}}}
	}
	res := apiResources("Api")
	res["Js"], res["Py"] = fn("nodejs22.x", "js"), fn("python3.12", "py")
	res["RJs"], res["RPy"] = resource("Api", "RJs", "", "js"), resource("Api", "RPy", "", "py")
	res["MJs"], res["MPy"] = method("Api", "RJs", "GET", proxy("Js")), method("Api", "RPy", "GET", proxy("Py"))
	dir := assemblytest.Template(t, "S", res)
	for name, code := range map[string]string{
		"asset.js/index.mjs": `export const handler = async (event) => ({ statusCode: 200, body: "node " + event.path });`,
		"asset.py/index.py":  "def handler(event, context):\n    return {\"statusCode\": 200, \"body\": \"python \" + event[\"path\"]}\n",
	} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(code), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	parent := filepath.Dir(dir)
	rel := func(p string) string {
		r, err := filepath.Rel(parent, p)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	t.Chdir(parent)
	var logs lockedBuffer
	s, err := Start(context.Background(), Options{Assemblies: []string{filepath.Base(dir)}, NodeRIC: rel(nodeRIC), PythonRIC: rel(pythonRIC),
		SkipIAM: true, IAMIgnoreDeveloperKeys: true, Logs: &logs})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for path, missing := range map[string]string{"/js": nodeMissing, "/py": pyMissing} {
		if missing != "" {
			t.Logf("SKIPPED %s: %s", path, missing)
			continue
		}
		resp, err := http.Get(s.APIs[0].URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasSuffix(string(body), " "+path) {
			t.Errorf("%s: %d %s\n%s", path, resp.StatusCode, body, logs.String())
		}
	}
}
