// Command edge is the edge upload demo app: an EdgeUploadEndpoint in each
// mode, and the us-east-1 stack CDK makes for the Lambda@Edge function.
//
//	cdk synth --app "go run ./apps/edge"
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/apps/stacks"
)

func main() {
	defer jsii.Close()
	app := stacks.NewApp(false)
	stacks.NewEdgeDemo(app, "StreamgateEdgeDemo", &awscdk.StackProps{
		Description: jsii.String("streamgate demo: one authenticated PUT URL through CloudFront to S3"),
		Env:         &awscdk.Environment{Region: jsii.String("eu-west-1")},
	})
	app.Synth(nil)
}
