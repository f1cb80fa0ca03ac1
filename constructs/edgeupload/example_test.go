package edgeupload_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/edgeupload"
)

// One PUT URL for partners, through CloudFront: a Lambda@Edge function
// checks the bearer token and redirects the PUT to a presigned S3 URL.
// Redirect mode needs the stack's region (the edge function lives in
// us-east-1, in a stack CDK adds).
func ExampleNewEdgeUploadEndpoint() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Partners"), &awscdk.StackProps{
		Env: &awscdk.Environment{Region: jsii.String("eu-west-1")},
	})
	ep := edgeupload.NewEdgeUploadEndpoint(stack, jsii.String("PartnerUploads"), &edgeupload.EdgeUploadEndpointProps{
		MaxObjectSize: awscdk.Size_Gibibytes(jsii.Number(5)),
	})
	fmt.Println(ep.Mode, ep.EdgeFunction != nil, ep.CloudFrontFunction == nil)
	// Output: REDIRECT true true
}
