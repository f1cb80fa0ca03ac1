// Command uploads is the upload demo app: a PresignedUploadApi with its
// bucket, web ACL and direct-upload route.
//
//	cdk synth --app "go run ./apps/uploads"
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/apps/stacks"
)

func main() {
	defer jsii.Close()
	app := stacks.NewApp(false)
	stacks.NewUploadDemo(app, "StreamgateUploadDemo", &awscdk.StackProps{
		Description: jsii.String("streamgate demo: presigned uploads of any size straight to S3"),
	})
	app.Synth(nil)
}
