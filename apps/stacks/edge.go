package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/edgeupload"
)

// EdgeDemo is the edge upload demo stack: one plain authenticated PUT
// endpoint per mode, for third parties who will not do two steps. Redirect
// mode makes a Lambda@Edge function, so the stack has an explicit region
// (CDK adds the us-east-1 stack of the function).
type EdgeDemo struct {
	awscdk.Stack
	Redirect *edgeupload.EdgeUploadEndpoint
	Through  *edgeupload.EdgeUploadEndpoint
}

// NewEdgeDemo defines the edge upload demo stack.
func NewEdgeDemo(scope constructs.Construct, id string, props *awscdk.StackProps) *EdgeDemo {
	stack := awscdk.NewStack(scope, jsii.String(id), props)
	redirect := edgeupload.NewEdgeUploadEndpoint(stack, jsii.String("PartnerUploads"), &edgeupload.EdgeUploadEndpointProps{
		MaxObjectSize: awscdk.Size_Gibibytes(jsii.Number(5)),
		Cors:          &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com")},
	})
	through := edgeupload.NewEdgeUploadEndpoint(stack, jsii.String("DeviceUploads"), &edgeupload.EdgeUploadEndpointProps{
		Mode:                edgeupload.ModeThrough,
		MaxObjectSize:       awscdk.Size_Mebibytes(jsii.Number(512)),
		AllowedContentTypes: jsii.Strings("video/mp4", "application/octet-stream"),
		KeyPrefix:           jsii.String("devices/"),
	})
	return &EdgeDemo{Stack: stack, Redirect: redirect, Through: through}
}
