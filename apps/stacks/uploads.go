package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/uploads"
)

// UploadDemo is the upload demo stack: presigned PUT uploads of up to 1 GiB
// from a browser app at https://app.example.com, plus direct uploads of up to
// 10 MB for clients that cannot do two steps.
type UploadDemo struct {
	awscdk.Stack
	Uploads *uploads.PresignedUploadApi
}

// NewUploadDemo defines the upload demo stack.
func NewUploadDemo(scope constructs.Construct, id string, props *awscdk.StackProps) *UploadDemo {
	stack := awscdk.NewStack(scope, jsii.String(id), props)
	up := uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), &uploads.PresignedUploadApiProps{
		Cors:         &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com")},
		DirectUpload: jsii.Bool(true),
	})
	return &UploadDemo{Stack: stack, Uploads: up}
}
