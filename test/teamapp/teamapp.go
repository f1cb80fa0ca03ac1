// Command teamapp is the team's CDK app: `cdk synth` runs it (cdk.json).
// TEAMAPP_FAIL=<case> synthesizes one misuse instead, for the tests of
// what a user sees when synth fails.
package main

import (
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"example.com/teamapp/stacks"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	awscdk.Aspects_Of(app).Add(cdknag.NewServerlessChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	if c := os.Getenv("TEAMAPP_FAIL"); c != "" {
		stacks.Misuse(app, c)
	} else {
		stacks.NewStreams(app, "TeamStreams", &awscdk.StackProps{Env: stacks.Pinned})
		stacks.NewUploads(app, "TeamUploads", nil)
	}
	app.Synth(nil)
}
