package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/streamgate/streamgate/constructs/compliance"
	"github.com/streamgate/streamgate/constructs/customdomain"
	"github.com/streamgate/streamgate/constructs/gofunction"
	"github.com/streamgate/streamgate/constructs/monitoring"
	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/constructs/uploads"
)

// Regulated is the stack of a regulated account: the streaming and upload
// APIs under the strict compliance profile, their functions in a VPC
// without internet access that reaches AWS through VPC endpoints.
type Regulated struct {
	awscdk.Stack
	Vpc     awsec2.Vpc
	Streams *streaming.StreamingRestApi
	Uploads *uploads.PresignedUploadApi
}

// RegulatedEnv is the account and region the regulated app pins, as
// regulated teams do: checks such as AWS Control Tower's proactive controls
// read literal account ids only. A placeholder account: cdk.json holds its
// availability zones (as cdk.context.json would after a lookup), so synth
// needs no credentials.
var RegulatedEnv = &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")}

// NewRegulated defines the regulated stack.
func NewRegulated(scope constructs.Construct, id string, props *awscdk.StackProps) *Regulated {
	stack := awscdk.NewStack(scope, jsii.String(id), props)
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{
		MaxAzs:      jsii.Number(2),
		NatGateways: jsii.Number(0),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{
			{Name: jsii.String("Functions"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED, CidrMask: jsii.Number(24)},
		},
		// The default security group keeps no rules without the custom
		// resource this would add (a Node.js function of its own).
		RestrictDefaultSecurityGroup: jsii.Bool(false),
	})
	profile := compliance.Strict(&compliance.StrictProps{Vpc: vpc, VpcEndpoints: jsii.Bool(true)})
	flowLogs := awslogs.NewLogGroup(stack, jsii.String("FlowLogs"), compliance.LogGroupProps(stack, profile, awslogs.RetentionDays_ONE_YEAR, nil))
	vpc.AddFlowLog(jsii.String("FlowLog"), &awsec2.FlowLogOptions{Destination: awsec2.FlowLogDestination_ToCloudWatchLogs(flowLogs, nil)})
	flowLogPolicy := "The flow log's role, made by CDK for this one flow log, writes to its log group only; it is versioned with the VPC in this stack."
	cdknag.NagSuppressions_AddResourceSuppressions(vpc, &[]*cdknag.NagPackSuppression{
		{Id: jsii.String("NIST.800.53.R5-IAMNoInlinePolicy"), Reason: jsii.String(flowLogPolicy)},
		{Id: jsii.String("HIPAA.Security-IAMNoInlinePolicy"), Reason: jsii.String(flowLogPolicy)},
		{Id: jsii.String("PCI.DSS.321-IAMNoInlinePolicy"), Reason: jsii.String(flowLogPolicy)},
		{Id: jsii.String("NIST.800.53.R5-VPCDefaultSecurityGroupClosed"), Reason: jsii.String(defaultSGReason)},
		{Id: jsii.String("HIPAA.Security-VPCDefaultSecurityGroupClosed"), Reason: jsii.String(defaultSGReason)},
		{Id: jsii.String("PCI.DSS.321-VPCDefaultSecurityGroupClosed"), Reason: jsii.String(defaultSGReason)},
	}, jsii.Bool(true))

	compliance.Apply(stack, profile)
	zone := awsroute53.HostedZone_FromHostedZoneAttributes(stack, jsii.String("Zone"), &awsroute53.HostedZoneAttributes{
		HostedZoneId: jsii.String(RegulatedZoneId), ZoneName: jsii.String(RegulatedZoneName),
	})
	streams := streaming.NewStreamingRestApi(stack, jsii.String("Streams"), &streaming.StreamingRestApiProps{
		Routes: &[]*streaming.RouteProps{
			{Method: jsii.String("GET"), Path: jsii.String("/records"), Entry: jsii.String(RecordsEntry)},
			{Method: jsii.String("GET"), Path: jsii.String("/jobs/{id}/progress"), Entry: jsii.String(ProgressEntry)},
		},
		MaxRequestBodySize: awscdk.Size_Kibibytes(jsii.Number(8)),
		Monitoring:         &monitoring.MonitorProps{}, // alarms, time-to-first-content metric, dashboard, a new topic
		Domain:             &customdomain.DomainProps{DomainName: jsii.String("streams." + RegulatedZoneName), HostedZone: zone, BasePath: jsii.String("v1")},
	})
	up := uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), &uploads.PresignedUploadApiProps{
		MaxObjectSize: awscdk.Size_Gibibytes(jsii.Number(2)),
		Monitoring:    &monitoring.MonitorProps{AlarmTopic: streams.Monitor.Topic}, // one topic for both APIs
	})
	// Each completed upload reaches a Go function (in the VPC, like the rest).
	up.OnUploadedFunction(jsii.String("OnUpload"), &gofunction.GoFunctionProps{
		Entry: jsii.String(OnUploadEntry), Timeout: awscdk.Duration_Minutes(jsii.Number(1)), MemorySize: jsii.Number(256),
	})
	return &Regulated{Stack: stack, Vpc: vpc, Streams: streams, Uploads: up}
}

// OnUploadEntry is the example upload-event handler.
const OnUploadEntry = "github.com/streamgate/streamgate/examples/onupload"

// The regulated app's Route 53 zone (an example: replace with yours).
const (
	RegulatedZoneName = "regulated.example.com"
	RegulatedZoneId   = "Z0EXAMPLE1234567890"
)

const defaultSGReason = "Nothing uses the VPC's default security group: every function has a security group of its own without ingress. " +
	"Removing its default rules takes a custom resource (a Node.js function outside the VPC), which this stack leaves out."
