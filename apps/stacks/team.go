package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/constructs/uploads"
	"github.com/streamgate/streamgate/constructs/wafsize"
)

// Team is the composed stack a team would run: a streaming API and an upload
// API in one stack, behind one web ACL and writing one access log group.
type Team struct {
	awscdk.Stack
	AccessLogs awslogs.LogGroup
	WebAcl     *wafsize.SizeLimitedWebAcl
	Streams    *streaming.StreamingRestApi
	Uploads    *uploads.PresignedUploadApi
}

// NewTeam defines the team stack.
func NewTeam(scope constructs.Construct, id string, props *awscdk.StackProps) *Team {
	stack := awscdk.NewStack(scope, jsii.String(id), props)
	logs := awslogs.NewLogGroup(stack, jsii.String("AccessLogs"), &awslogs.LogGroupProps{Retention: awslogs.RetentionDays_THREE_MONTHS})
	acl := wafsize.NewSizeLimitedWebAcl(stack, jsii.String("WebAcl"), &wafsize.SizeLimitedWebAclProps{
		MaxBodySize:   awscdk.Size_Kibibytes(jsii.Number(16)), // both APIs take small JSON requests only...
		RateLimit:     jsii.Number(2000),
		CommonRuleSet: jsii.Bool(true),
		// ...but for the multipart complete request, which lists every part
		// (the upload handler holds it to 2 MiB).
		ExemptPostPathSuffixes: jsii.Strings(uploads.CompletePathSuffix),
	})
	streams := streaming.NewStreamingRestApi(stack, jsii.String("Streams"), &streaming.StreamingRestApiProps{
		AccessLogGroup: logs,
		WebAcl:         acl,
		Routes: &[]*streaming.RouteProps{
			{Method: jsii.String("GET"), Path: jsii.String("/records"), Entry: jsii.String(RecordsEntry)},
			{Method: jsii.String("GET"), Path: jsii.String("/jobs/{id}/progress"), Entry: jsii.String(ProgressEntry)},
		},
	})
	up := uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), &uploads.PresignedUploadApiProps{
		Mode:           uploads.ModeMultipart,
		MaxObjectSize:  awscdk.Size_Gibibytes(jsii.Number(50)),
		AccessLogGroup: logs,
		WebAcl:         acl,
	})
	return &Team{Stack: stack, AccessLogs: logs, WebAcl: acl, Streams: streams, Uploads: up}
}
