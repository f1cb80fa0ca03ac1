// Package stacks defines the demo and team stacks of streamgate's apps, so
// that the apps under apps/ and the snapshot tests under test/ build the
// very same stacks.
package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/streamgate/streamgate/constructs/streaming"
)

// Handler sources of the demo routes, as import paths so that they build
// from any directory of the module (or of a module that requires it).
const (
	RecordsEntry  = "github.com/streamgate/streamgate/examples/demo/records"
	ProgressEntry = "github.com/streamgate/streamgate/examples/demo/progress"
	ExportEntry   = "github.com/streamgate/streamgate/examples/demo/export"
)

// StreamingDemo is the streaming demo stack: the reference workload as
// NDJSON, a job's progress as SSE and large exports piped from S3.
type StreamingDemo struct {
	awscdk.Stack
	Api     *streaming.StreamingRestApi
	Exports awss3.Bucket
}

// NewStreamingDemo defines the streaming demo stack.
func NewStreamingDemo(scope constructs.Construct, id string, props *awscdk.StackProps) *StreamingDemo {
	stack := awscdk.NewStack(scope, jsii.String(id), props)
	secure := func(logs awss3.IBucket) *awss3.BucketProps {
		return &awss3.BucketProps{
			BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
			Encryption:             awss3.BucketEncryption_S3_MANAGED,
			EnforceSSL:             jsii.Bool(true),
			MinimumTLSVersion:      jsii.Number(1.2),
			ObjectOwnership:        awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
			RemovalPolicy:          awscdk.RemovalPolicy_RETAIN,
			ServerAccessLogsBucket: logs,
		}
	}
	exports := awss3.NewBucket(stack, jsii.String("Exports"), secure(awss3.NewBucket(stack, jsii.String("ExportsAccessLogs"), secure(nil))))
	api := streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{
		// The routes are GETs: nothing legitimate sends more than a few KB.
		MaxRequestBodySize: awscdk.Size_Kibibytes(jsii.Number(16)),
		Routes: &[]*streaming.RouteProps{
			{Method: jsii.String("GET"), Path: jsii.String("/records"), Entry: jsii.String(RecordsEntry)},
			{Method: jsii.String("GET"), Path: jsii.String("/jobs/{id}/progress"), Entry: jsii.String(ProgressEntry)},
			{
				Method:      jsii.String("GET"),
				Path:        jsii.String("/exports/{name}"),
				Entry:       jsii.String(ExportEntry),
				Environment: &map[string]*string{"EXPORT_BUCKET": exports.BucketName()},
			},
		},
	})
	// Read exports/* and nothing else (GrantRead would add s3:List* and
	// s3:GetBucket* on the bucket).
	exporter := api.Route("GET", "/exports/{name}").Function.(awslambda.Function)
	exporter.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadExports"),
		Actions:   jsii.Strings("s3:GetObject"),
		Resources: jsii.Strings(*exports.ArnForObjects(jsii.String("exports/*"))),
	}))
	cdknag.NagSuppressions_AddResourceSuppressions(exporter.Role().Node().FindChild(jsii.String("DefaultPolicy")), &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String("The export route streams any object under exports/ by the name in its path: it may read that prefix and nothing else."),
		AppliesTo: &[]interface{}{&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::.*\/exports\/\*$/`)}},
	}}, jsii.Bool(true))
	return &StreamingDemo{Stack: stack, Api: api, Exports: exports}
}
