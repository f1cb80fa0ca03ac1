// Command team is the composed team app: StreamingRestApi and
// PresignedUploadApi in one stack, sharing one web ACL and one access log group.
//
//	cdk synth --app "go run ./apps/team"
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/streamgate/streamgate/apps/stacks"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	// The security review's rule packs: synth fails on any unacknowledged finding.
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	awscdk.Aspects_Of(app).Add(cdknag.NewServerlessChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	stacks.NewTeam(app, "StreamgateTeam", &awscdk.StackProps{
		Description: jsii.String("streamgate team stack: streams and uploads behind one web ACL"),
	})
	app.Synth(nil)
}
