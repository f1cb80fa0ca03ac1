package test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/apps/stacks"
	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/constructs/uploads"
	"github.com/streamgate/streamgate/internal/cdktest"
	"github.com/streamgate/streamgate/templatetest"
)

func TestAppsAreNagClean(t *testing.T) {
	app := cdktest.NewApp(false)
	templatetest.ApplyNagPacks(app)
	stacks.NewStreamingDemo(app, "StreamgateStreamingDemo", nil)
	stacks.NewUploadDemo(app, "StreamgateUploadDemo", nil)
	stacks.NewTeam(app, "StreamgateTeam", nil)
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
