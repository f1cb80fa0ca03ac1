// Package stacks is a team's CDK app built on streamgate, as a team would
// write it in its own module: its own handlers under handlers/, composed
// with streamgate's constructs in two stacks.
package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/streamgate/streamgate/constructs/apiauth"
	"github.com/streamgate/streamgate/constructs/edgeupload"
	"github.com/streamgate/streamgate/constructs/gofunction"
	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/constructs/uploads"
	"github.com/streamgate/streamgate/constructs/wafsize"
)

// Pinned is the account and region the streaming stack is deployed to.
var Pinned = &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")}

// Streams is the team's streaming stack.
type Streams struct {
	awscdk.Stack
	Api    *streaming.StreamingRestApi
	Admin  *streaming.StreamingRestApi
	WebAcl *wafsize.SizeLimitedWebAcl
	// Partners is a one-PUT upload URL for partners' systems (Lambda@Edge:
	// the stack's pinned region allows it).
	Partners *edgeupload.EdgeUploadEndpoint
}

// NewStreams defines a streaming API whose routes are the team's own
// handler, a function it already had, and a legacy HTTP backend, plus
// admin routes added to the same API by a second construct.
func NewStreams(scope constructs.Construct, id string, props *awscdk.StackProps) *Streams {
	stack := awscdk.NewStack(scope, jsii.String(id), props)
	acl := wafsize.NewSizeLimitedWebAcl(stack, jsii.String("WebAcl"), &wafsize.SizeLimitedWebAclProps{
		MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(8)),
	})
	report := gofunction.NewGoFunction(stack, jsii.String("Report"), &gofunction.GoFunctionProps{
		Entry:   jsii.String("./handlers/report"),
		Timeout: awscdk.Duration_Minutes(jsii.Number(15)),
	})
	// The team invokes it synchronously only, through the API.
	cdknag.NagSuppressions_AddResourceSuppressions(report.Function, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("Serverless-LambdaDLQ"), Reason: jsii.String("Invoked synchronously by API Gateway only; a DLQ only receives failed asynchronous invocations."),
	}}, nil)
	api := streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{
		WebAcl:       acl,
		LogRetention: awslogs.RetentionDays_THREE_MONTHS,
		Routes: &[]*streaming.RouteProps{
			{Method: jsii.String("GET"), Path: jsii.String("/hello"), Entry: jsii.String("./handlers/hello"), Authorization: apiauth.None()},
			{Method: jsii.String("GET"), Path: jsii.String("/report"), Function: report.Function},
			{Method: jsii.String("GET"), Path: jsii.String("/legacy/{id}"), HttpUrl: jsii.String("https://legacy.example.com/feeds/{id}")},
			// streamgate's reference workload, as the README's example adds it.
			{Method: jsii.String("GET"), Path: jsii.String("/records"), Entry: jsii.String("github.com/streamgate/streamgate/lambda/records")},
		},
	})
	admin := streaming.NewStreamingRestApi(stack, jsii.String("Admin"), &streaming.StreamingRestApiProps{
		ExistingRestApi: api.RestApi,
		Routes: &[]*streaming.RouteProps{
			{Method: jsii.String("GET"), Path: jsii.String("/admin/hello"), Entry: jsii.String("example.com/teamapp/handlers/hello"),
				IntegrationTimeout: awscdk.Duration_Minutes(jsii.Number(5))},
		},
	})
	partners := edgeupload.NewEdgeUploadEndpoint(stack, jsii.String("Partners"), &edgeupload.EdgeUploadEndpointProps{
		MaxObjectSize:       awscdk.Size_Gibibytes(jsii.Number(2)),
		AllowedContentTypes: jsii.Strings("text/csv", "application/json"),
		KeyPrefix:           jsii.String("partners/"),
	})
	return &Streams{Stack: stack, Api: api, Admin: admin, WebAcl: acl, Partners: partners}
}

// Uploads is the team's upload stack.
type Uploads struct {
	awscdk.Stack
	Put, Post, Multipart *uploads.PresignedUploadApi
	WebAcl               *wafsize.SizeLimitedWebAcl
}

// NewUploads defines three upload APIs, one per mode, two of them behind
// one shared web ACL.
func NewUploads(scope constructs.Construct, id string, props *awscdk.StackProps) *Uploads {
	stack := awscdk.NewStack(scope, jsii.String(id), props)
	acl := wafsize.NewSizeLimitedWebAcl(stack, jsii.String("WebAcl"), &wafsize.SizeLimitedWebAclProps{
		MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(16)), RateLimit: jsii.Number(1000),
	})
	put := uploads.NewPresignedUploadApi(stack, jsii.String("Documents"), &uploads.PresignedUploadApiProps{
		AllowedContentTypes: jsii.Strings("application/pdf"),
		WebAcl:              acl,
	})
	post := uploads.NewPresignedUploadApi(stack, jsii.String("Avatars"), &uploads.PresignedUploadApiProps{
		Mode:                uploads.ModePost,
		MaxObjectSize:       awscdk.Size_Mebibytes(jsii.Number(5)),
		AllowedContentTypes: jsii.Strings("image/png", "image/jpeg"),
		Cors:                &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com")},
		WebAcl:              acl,
	})
	multipart := uploads.NewPresignedUploadApi(stack, jsii.String("Videos"), &uploads.PresignedUploadApiProps{
		Mode:          uploads.ModeMultipart,
		MaxObjectSize: awscdk.Size_Gibibytes(jsii.Number(50)),
		DirectUpload:  jsii.Bool(true),
	})
	return &Uploads{Stack: stack, Put: put, Post: post, Multipart: multipart, WebAcl: acl}
}
