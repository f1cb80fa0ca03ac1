// Command streaming is the streaming demo app (cdk.json runs it): one stack
// with the reference workload, job progress and S3 export routes.
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
	stacks.NewStreamingDemo(app, "StreamgateStreamingDemo", &awscdk.StackProps{
		Description: jsii.String("streamgate demo: NDJSON, SSE and S3 export routes that stream through API Gateway"),
	})
	app.Synth(nil)
}
