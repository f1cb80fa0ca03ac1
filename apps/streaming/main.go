// Command streaming is the streaming demo app (cdk.json runs it): one stack
// with the reference workload, job progress and S3 export routes.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/apps/stacks"
)

func main() {
	defer jsii.Close()
	app := stacks.NewApp(false)
	stacks.NewStreamingDemo(app, "StreamgateStreamingDemo", &awscdk.StackProps{
		Description: jsii.String("streamgate demo: NDJSON, SSE and S3 export routes that stream through API Gateway"),
	})
	app.Synth(nil)
}
