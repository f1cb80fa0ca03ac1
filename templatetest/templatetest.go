// Package templatetest tests synthesized CloudFormation templates in a
// team's CI: golden snapshots (a template is normalised, with asset hashes
// and other values that change from build to build replaced by
// placeholders, keys sorted, and compared with a file under testdata/),
// cdk-nag findings, AWS Control Tower's proactive controls, and checks of
// streaming routes and upload limits.
//
//	func TestStreamsStack(t *testing.T) {
//		app := templatetest.NewApp(t, nil) // cdk.json's context, as `cdk synth` has it
//		stack := mystacks.NewStreams(app, "Streams", nil) // your stacks
//		templatetest.Golden(t, "testdata/streams.golden.json", templatetest.FromStack(stack))
//	}
//
// `TEMPLATETEST_UPDATE=1 go test ./...` (or `go test -update` in a package
// that imports templatetest) rewrites the golden files; a mismatch shows a
// (-want +got) line diff.
package templatetest

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/streamgate/streamgate/internal/assembly"
	"github.com/streamgate/streamgate/internal/gobuild"
)

// update is set by `go test -update`. The package registers the -update
// flag itself: a test package that imports it uses that flag rather than
// defining its own (which would be a second definition). `go test ./...
// -update` fails in modules where some test package does not import
// templatetest; set UpdateEnv instead.
var update = flag.Bool("update", false, "rewrite golden template snapshots")

// UpdateEnv is the environment variable that, set to anything but "" or
// "0", makes Golden rewrite the golden files in every package of a module:
// `TEMPLATETEST_UPDATE=1 go test ./...`.
const UpdateEnv = "TEMPLATETEST_UPDATE"

// UpdatingGoldenFiles reports whether Golden rewrites the golden files
// instead of comparing with them: `go test -update`, or UpdateEnv set.
// Default: false.
func UpdatingGoldenFiles() bool {
	v := os.Getenv(UpdateEnv)
	return *update || (v != "" && v != "0")
}

// AppOptions configure NewApp.
type AppOptions struct {
	// CdkJson is the cdk.json whose "context" the app gets, as `cdk synth`
	// gives it to the app. Default: cdk.json in the module root (the
	// directory of the go.mod above the working directory); no context if
	// there is none.
	CdkJson string
	// Bundle builds the Go handlers and stages assets. Default: false, which
	// sets "aws:cdk:bundling-stacks": [] (templates are the same, asset
	// hashes aside, and synth is much faster).
	Bundle bool
	// Context adds to or overrides cdk.json's context. Default: none.
	Context map[string]any
	// Outdir is where the app writes its cloud assembly. Default: a
	// directory removed when the test ends.
	Outdir string
}

// CdkJsonContext is the "context" object of the cdk.json at path: the
// feature flags and settings `cdk synth` gives the app.
func CdkJsonContext(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cfg struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if cfg.Context == nil {
		cfg.Context = map[string]any{}
	}
	return cfg.Context, nil
}

// NewApp is an app for a test that synthesizes what `cdk synth` ships: with
// cdk.json's context (feature flags change templates; awscdk.NewApp(nil)
// has none of them), without bundling unless asked.
func NewApp(t testing.TB, o *AppOptions) awscdk.App {
	t.Helper()
	if o == nil {
		o = &AppOptions{}
	}
	path := o.CdkJson
	if path == "" {
		root, err := gobuild.AppModuleRoot()
		if err != nil {
			t.Fatalf("templatetest.NewApp: %v", err)
		}
		path = filepath.Join(root, "cdk.json")
	}
	ctx, err := CdkJsonContext(path)
	switch {
	case os.IsNotExist(err) && o.CdkJson == "":
		ctx = map[string]any{}
	case err != nil:
		t.Fatalf("templatetest.NewApp: %v", err)
	}
	// As the cdk CLI gives every app: resources carry their construct path
	// (which also enters API deployment ids). Its asset metadata is a local
	// path, which Normalize drops.
	ctx["aws:cdk:enable-path-metadata"] = true
	if !o.Bundle {
		ctx["aws:cdk:bundling-stacks"] = []string{}
	}
	for k, v := range o.Context {
		ctx[k] = v
	}
	outdir := o.Outdir
	if outdir == "" {
		outdir = t.TempDir()
	}
	return awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: &outdir})
}

// FromStack synthesizes stack and returns its template.
func FromStack(stack awscdk.Stack) map[string]any {
	return *assertions.Template_FromStack(stack, nil).ToJSON()
}

// FromFile reads a synthesized template (e.g. cdk.out/Stack.template.json).
func FromFile(t testing.TB, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// Normalize returns the template as indented JSON with sorted keys, asset
// hashes replaced by "<asset-hash>" and the CDKMetadata resource (which
// encodes the library versions) removed.
func Normalize(template map[string]any) []byte { return assembly.Normalize(template) }

// Golden compares the normalised template with the golden file at path, or
// rewrites the file under -update.
func Golden(t testing.TB, path string, template map[string]any) {
	t.Helper()
	got := Normalize(template)
	if UpdatingGoldenFiles() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `TEMPLATETEST_UPDATE=1 go test` to create the snapshot)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("template differs from %s (-want +got); run `TEMPLATETEST_UPDATE=1 go test` if the change is intended:\n%s", path, Diff(string(want), string(got)))
	}
}

// Diff is a line diff of want and got: changed lines with a few lines of
// context, "-" for want and "+" for got.
func Diff(want, got string) string { return assembly.Diff(want, got) }
