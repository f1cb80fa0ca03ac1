package test

import (
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/apps/stacks"
	"github.com/streamgate/streamgate/constructs/gofunction"
	"github.com/streamgate/streamgate/internal/assembly"
	"github.com/streamgate/streamgate/internal/cdktest"
	"github.com/streamgate/streamgate/templatetest"
)

func TestMain(m *testing.M) {
	if os.Getenv("CDK_VALIDATION") == "false" {
		// This package exists to synthesize with validation on, and
		// unsetting the variable here does not turn it back on (seen:
		// aws-cdk still skipped validation), so make test runs this package
		// without it (scripts/gotest.sh).
		fmt.Fprintln(os.Stderr, "test: CDK_VALIDATION=false is set, but this package synthesizes with CloudFormation validation on: run it without (scripts/gotest.sh does)")
		os.Exit(1)
	}
	code := m.Run()
	jsii.Close()
	cdktest.RemoveTemp()
	os.Exit(code)
}

var (
	appsOnce sync.Once
	appsDir  string
)

// appsAssembly synthesizes every app under apps/ into one cloud assembly,
// once per test run: with cdk.json's context, bundling (the Go handlers are
// built) and CloudFormation validation on.
func appsAssembly(t *testing.T) string {
	appsOnce.Do(func() {
		app := cdktest.NewApp(true)
		stacks.NewStreamingDemo(app, "StreamgateStreamingDemo", nil)
		stacks.NewUploadDemo(app, "StreamgateUploadDemo", nil)
		stacks.NewTeam(app, "StreamgateTeam", nil)
		stacks.NewRegulated(app, "StreamgateRegulated", &awscdk.StackProps{Env: stacks.RegulatedEnv})
		stacks.NewEdgeDemo(app, "StreamgateEdgeDemo", &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("eu-west-1")}})
		stacks.NewServersDemo(app, "StreamgateServersDemo", nil)
		appsDir = *app.Synth(nil).Directory()
	})
	if appsDir == "" {
		t.Fatal("the apps did not synthesize")
	}
	return appsDir
}

func TestAppsSynthesizeWithZeroValidationFindings(t *testing.T) {
	dir := appsAssembly(t)
	if !assembly.HasValidationReport(dir) {
		t.Fatal("no validation-report.json: CloudFormation validation did not run")
	}
	findings, err := assembly.Findings(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Error(f)
	}
}

func TestGoldenTemplates(t *testing.T) {
	dir := appsAssembly(t)
	for stack, golden := range map[string]string{
		"StreamgateStreamingDemo": "streaming-demo",
		"StreamgateUploadDemo":    "upload-demo",
		"StreamgateTeam":          "team",
		"StreamgateRegulated":     "regulated",
		"StreamgateEdgeDemo":      "edge-demo",
		"StreamgateServersDemo":   "servers-demo",
	} {
		t.Run(golden, func(t *testing.T) {
			templatetest.Golden(t, "testdata/"+golden+".golden.json", templatetest.FromFile(t, filepath.Join(dir, stack+".template.json")))
		})
	}
}

// TestDemoHandlersAreBuiltForLambda checks the bundled assets: one
// bootstrap per handler, a static linux/arm64 executable.
func TestDemoHandlersAreBuiltForLambda(t *testing.T) {
	dir := appsAssembly(t)
	assets, _ := filepath.Glob(filepath.Join(dir, "asset.*"))
	var bootstraps int
	for _, a := range assets {
		f, err := elf.Open(filepath.Join(a, "bootstrap"))
		if err != nil {
			continue
		}
		bootstraps++
		if f.Machine != elf.EM_AARCH64 {
			t.Errorf("%s: machine %v, want arm64", a, f.Machine)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("%s: dynamically linked; want CGO_ENABLED=0", a)
			}
		}
		f.Close()
	}
	if bootstraps != 7 {
		t.Errorf("%d bootstrap assets, want 7 (records, progress, export, presign, onupload, the MCP server, the chi router; the regulated app's others are the same binaries)", bootstraps)
	}
}

// TestAppsPassTheTemplateChecks runs the checks users run on their stacks.
func TestAppsPassTheTemplateChecks(t *testing.T) {
	dir := appsAssembly(t)
	for stack, want := range map[string]struct{ streams, uploads int }{
		"StreamgateStreamingDemo": {3, 0},
		"StreamgateUploadDemo":    {0, 2},
		"StreamgateTeam":          {2, 2},
		"StreamgateRegulated":     {2, 2},
		"StreamgateServersDemo":   {2, 1}, // ANY routes take bodies: the web ACL limits them
	} {
		tmpl := templatetest.FromFile(t, filepath.Join(dir, stack+".template.json"))
		if n := templatetest.CheckStreamingRoutes(t, tmpl); n != want.streams {
			t.Errorf("%s: %d streaming routes checked, want %d", stack, n, want.streams)
		}
		if n := templatetest.CheckUploadSizeLimits(t, tmpl); n != want.uploads {
			t.Errorf("%s: %d upload stages and handlers checked, want %d", stack, n, want.uploads)
		}
	}
}

// TestCodeIsBuiltWhenCdkBundles: gofunction.Code, for functions made
// without NewFunction, builds the handler when CDK stages the asset.
func TestCodeIsBuiltWhenCdkBundles(t *testing.T) {
	app := cdktest.NewApp(true)
	stack := awscdk.NewStack(app, jsii.String("Code"), nil)
	fn := awslambda.NewFunction(stack, jsii.String("Records"), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_PROVIDED_AL2023(), Architecture: awslambda.Architecture_X86_64(), Handler: jsii.String("bootstrap"),
		Code: gofunction.Code(stacks.RecordsEntry, awslambda.Architecture_X86_64()),
	})
	dir := *app.Synth(nil).Directory()
	key, _ := assembly.Get(templatetest.FromFile(t, filepath.Join(dir, "Code.template.json")), "Resources",
		*stack.GetLogicalId(fn.Node().DefaultChild().(awscdk.CfnElement)), "Properties", "Code", "S3Key").(string)
	f, err := elf.Open(filepath.Join(dir, "asset."+strings.TrimSuffix(key, ".zip"), "bootstrap"))
	if err != nil {
		t.Fatalf("no bootstrap for S3Key %q: %v", key, err)
	}
	defer f.Close()
	if f.Machine != elf.EM_X86_64 {
		t.Errorf("machine %v, want x86-64", f.Machine)
	}
}
