package test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/apps/stacks"
	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/constructs/uploads"
	"github.com/streamgate/streamgate/internal/cdktest"
	"github.com/streamgate/streamgate/internal/nagpacks"
	"github.com/streamgate/streamgate/templatetest"
)

func TestAppsAreNagClean(t *testing.T) {
	app := cdktest.NewApp(false)
	templatetest.ApplyNagPacks(app)
	stacks.NewStreamingDemo(app, "StreamgateStreamingDemo", nil)
	stacks.NewUploadDemo(app, "StreamgateUploadDemo", nil)
	stacks.NewTeam(app, "StreamgateTeam", nil)
	stacks.NewEdgeDemo(app, "StreamgateEdgeDemo", &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("eu-west-1")}})
	stacks.NewServersDemo(app, "StreamgateServersDemo", nil)
	templatetest.NagClean(t, app)
}

// TestRegulatedAppPassesFivePacks: under the compliance profile the
// regulated app has no unacknowledged finding in AwsSolutions, Serverless,
// NIST 800-53 R5, HIPAA Security or PCI DSS 3.2.1; pinned to an account and
// region too.
func TestRegulatedAppPassesFivePacks(t *testing.T) {
	app := cdktest.NewApp(false)
	nagpacks.Apply(app, true)
	stacks.NewRegulated(app, "StreamgateRegulated", nil)
	stacks.NewRegulated(app, "PinnedRegulated", &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")}})
	templatetest.NagClean(t, app)
}

// TestDefaultPropsInheritNagCleanliness: a team's stack that uses the
// constructs with default props passes cdk-nag with nothing to acknowledge.
func TestDefaultPropsInheritNagCleanliness(t *testing.T) {
	app := cdktest.NewApp(false)
	templatetest.ApplyNagPacks(app)
	stack := awscdk.NewStack(app, jsii.String("TeamDefaults"), nil)
	streaming.NewStreamingRestApi(stack, jsii.String("Streams"), &streaming.StreamingRestApiProps{
		Routes: &[]*streaming.RouteProps{{Method: jsii.String("GET"), Path: jsii.String("/records"), Entry: jsii.String(stacks.RecordsEntry)}},
	})
	uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), nil)
	templatetest.NagClean(t, app)
}

// TestDefaultPropsWithoutFeatureFlags: an app without cdk.json's context
// (awscdk.NewApp(nil), as in many teams' unit tests) synthesizes the
// constructs too, and passes cdk-nag the same.
func TestDefaultPropsWithoutFeatureFlags(t *testing.T) {
	outdir := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: &outdir, Context: &map[string]any{"aws:cdk:bundling-stacks": []string{}}})
	templatetest.ApplyNagPacks(app)
	stack := awscdk.NewStack(app, jsii.String("NoFlags"), nil)
	streaming.NewStreamingRestApi(stack, jsii.String("Streams"), &streaming.StreamingRestApiProps{
		Routes: &[]*streaming.RouteProps{{Method: jsii.String("GET"), Path: jsii.String("/records"), Entry: jsii.String(stacks.RecordsEntry)}},
	})
	uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), nil)
	templatetest.NagClean(t, app)
}

// TestPinnedEnvIsNagClean: every acknowledgement also holds when the
// stacks' account and region are literals instead of pseudo parameters.
func TestPinnedEnvIsNagClean(t *testing.T) {
	app := cdktest.NewApp(false)
	templatetest.ApplyNagPacks(app)
	pinned := &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")}}
	stacks.NewStreamingDemo(app, "PinnedStreamingDemo", pinned)
	stacks.NewUploadDemo(app, "PinnedUploadDemo", pinned)
	stacks.NewTeam(app, "PinnedTeam", pinned)
	stacks.NewEdgeDemo(app, "PinnedEdgeDemo", pinned)
	stacks.NewServersDemo(app, "PinnedServersDemo", pinned)
	templatetest.NagClean(t, app)
}

// recorder is a testing.TB that keeps what a check reports.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper()           {}
func (r *recorder) Error(args ...any) { r.errors = append(r.errors, fmt.Sprint(args...)) }
func (r *recorder) Errorf(f string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(f, args...))
}
func (r *recorder) Fatalf(f string, args ...any) { r.Errorf(f, args...) }

// TestNagCleanCannotPassVacuously: a bucket without logs or a TLS-only
// policy fails NagClean with cdk.json's context (findings in the validation
// report) and without it (findings in <Stack>.metadata.json); an app
// without a nag pack fails it too.
func TestNagCleanCannotPassVacuously(t *testing.T) {
	bare := func(app awscdk.App) {
		awss3.NewBucket(awscdk.NewStack(app, jsii.String("Bare"), nil), jsii.String("Plain"), nil)
	}
	for name, newApp := range map[string]func() awscdk.App{
		"cdk.json context": func() awscdk.App { return cdktest.NewApp(false) },
		"no context": func() awscdk.App {
			outdir := t.TempDir()
			return awscdk.NewApp(&awscdk.AppProps{Outdir: &outdir})
		},
	} {
		app := newApp()
		templatetest.ApplyNagPacks(app)
		bare(app)
		r := &recorder{TB: t}
		templatetest.NagClean(r, app)
		if all := strings.Join(r.errors, "\n"); !strings.Contains(all, "AwsSolutions-S1") || !strings.Contains(all, "AwsSolutions-S10") {
			t.Errorf("%s: NagClean reported:\n%s", name, all)
		}
	}
	app := cdktest.NewApp(false)
	bare(app)
	r := &recorder{TB: t}
	templatetest.NagClean(r, app)
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "no cdk-nag pack is applied") {
		t.Errorf("without packs, NagClean reported: %v", r.errors)
	}
}
