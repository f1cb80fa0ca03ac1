// Package cdktest helps the project's tests build CDK apps the way `cdk
// synth` does: with cdk.json's context (awscdk.NewApp does not read it) and,
// for unit tests, without bundling assets.
package cdktest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/internal/assembly"
	"github.com/streamgate/streamgate/internal/gobuild"
	"github.com/streamgate/streamgate/templatetest"
)

// ModuleRoot is the directory of the module's go.mod, found from the
// working directory up.
func ModuleRoot() string {
	root, err := gobuild.AppModuleRoot()
	if err != nil {
		panic(err)
	}
	return root
}

// Context is cdk.json's context. With bundle false it also skips asset
// bundling (no `go build` of handlers), which unit tests do not need.
func Context(bundle bool) map[string]any {
	ctx, err := templatetest.CdkJsonContext(filepath.Join(ModuleRoot(), "cdk.json"))
	if err != nil {
		panic(fmt.Errorf("cdktest: %w", err))
	}
	if !bundle {
		ctx["aws:cdk:bundling-stacks"] = []string{}
	}
	return ctx
}

// NewApp is an app with cdk.json's context that writes to a temporary
// directory (see RemoveTemp); bundle says whether Go handlers are built.
// Apps outlive the test that makes them, so that tests can share one synth.
func NewApp(bundle bool) awscdk.App {
	ctx := Context(bundle)
	outdir, err := os.MkdirTemp(tempRoot(), "app-")
	if err != nil {
		panic(err)
	}
	return awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: &outdir})
}

var (
	tempOnce sync.Once
	temp     string
)

func tempRoot() string {
	tempOnce.Do(func() {
		var err error
		if temp, err = os.MkdirTemp("", "cdktest-"); err != nil {
			panic(err)
		}
	})
	return temp
}

// RemoveTemp removes the apps' output directories; call it at the end of TestMain.
func RemoveTemp() {
	if temp != "" {
		os.RemoveAll(temp)
	}
}

// DisableValidation turns off aws-cdk-lib's CloudFormation validation
// plugin for the process's jsii kernel (it saves seconds per synth). Call it
// in TestMain before the first CDK call: the kernel reads it when it starts.
func DisableValidation() { os.Setenv("CDK_VALIDATION", "false") }

// PanicMessage runs f and returns what it panicked with, or fails the test
// when it did not panic.
func PanicMessage(t testing.TB, f func()) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatalf("expected a panic, got none")
		}
		msg = fmt.Sprint(r)
	}()
	f()
	return ""
}

// Main runs a CDK test package: validation off (one explicit package keeps
// it on), the tests, then the jsii kernel and the apps' output removed.
// Setting CDK_VALIDATION here has been seen not to reach aws-cdk's synth;
// make test sets it before the test binaries start (scripts/gotest.sh).
func Main(m *testing.M) {
	DisableValidation()
	code := m.Run()
	jsii.Close()
	RemoveTemp()
	os.Exit(code)
}

// Template is a synthesized stack's template as plain Go values, with the
// stack to find logical ids in.
type Template struct {
	Stack     awscdk.Stack
	Resources map[string]map[string]any // logical id -> resource
	Outputs   map[string]map[string]any // logical id -> output
}

// Synth synthesizes stack and reads its template.
func Synth(t testing.TB, stack awscdk.Stack) *Template {
	t.Helper()
	var doc struct {
		Resources map[string]map[string]any
		Outputs   map[string]map[string]any
	}
	b, _ := json.Marshal(assertions.Template_FromStack(stack, nil).ToJSON())
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return &Template{Stack: stack, Resources: doc.Resources, Outputs: doc.Outputs}
}

// LogicalID is the logical id of the resource c defines (c itself or its
// default child).
func (tp *Template) LogicalID(c constructs.IConstruct) string {
	el, ok := c.(awscdk.CfnElement)
	if !ok {
		el = c.Node().DefaultChild().(awscdk.CfnElement)
	}
	return *tp.Stack.GetLogicalId(el)
}

// Props are the properties of the resource c defines.
func (tp *Template) Props(t testing.TB, c constructs.IConstruct) map[string]any {
	t.Helper()
	r, ok := tp.Resources[tp.LogicalID(c)]
	if !ok {
		t.Fatalf("no resource for %s in the template", *c.Node().Path())
	}
	p, _ := r["Properties"].(map[string]any)
	return p
}

// OfType are the resources of a type, by logical id.
func (tp *Template) OfType(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range tp.Resources {
		if r["Type"] == typ {
			out[id] = r
		}
	}
	return out
}

// PropsOfType are the properties of every resource of a type.
func (tp *Template) PropsOfType(typ string) []map[string]any {
	var out []map[string]any
	for _, r := range tp.OfType(typ) {
		p, _ := r["Properties"].(map[string]any)
		out = append(out, p)
	}
	return out
}

// Get walks decoded JSON by keys; nil when a key is missing.
func Get(m any, path ...string) any { return assembly.Get(m, path...) }

// JSON is v as compact JSON, for comparisons and messages.
func JSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Want fails the test when got and exp differ as JSON.
func Want(t testing.TB, what string, got, exp any) {
	t.Helper()
	if JSON(got) != JSON(exp) {
		t.Errorf("%s = %s, want %s", what, JSON(got), JSON(exp))
	}
}
