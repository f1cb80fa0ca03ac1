// Command team is the composed team app: StreamingRestApi and
// PresignedUploadApi in one stack, sharing one web ACL and one access log group.
//
//	cdk synth --app "go run ./apps/team"
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/apps/stacks"
)

func main() {
	defer jsii.Close()
	app := stacks.NewApp(false)
	stacks.NewTeam(app, "StreamgateTeam", &awscdk.StackProps{
		Description: jsii.String("streamgate team stack: streams and uploads behind one web ACL"),
	})
	app.Synth(nil)
}
