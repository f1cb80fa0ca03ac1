package streaming

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/internal/nagack"
)

// AccountLoggingId is the construct id, under the stack, of the API Gateway
// account settings that every streamgate API in the stack shares.
const AccountLoggingId = "StreamgateApiGatewayAccount"

// accountLogging returns the stack's API Gateway account settings, created
// on first use: the CloudWatch role that execution logs need. It replaces
// RestApi's cloudWatchRole, which attaches the AWS-managed
// AmazonAPIGatewayPushToCloudWatchLogs policy and makes one account resource
// per API (the setting is one per account and region).
//
// regulated acknowledges, for the compliance profile, what the regulated
// packs find on the role's inline policy (once, whichever API asks first).
func accountLogging(scope constructs.Construct, regulated bool) awsapigateway.CfnAccount {
	stack := awscdk.Stack_Of(scope)
	c := stack.Node().TryFindChild(jsii.String(AccountLoggingId))
	if c == nil {
		c = newAccountLogging(scope)
	}
	if regulated {
		nagack.Acknowledge(c.Node().FindChild(jsii.String("CloudWatchRole")).Node().FindChild(jsii.String("DefaultPolicy")),
			nagack.Regulated("IAMNoInlinePolicy", "The policy belongs to the account's API Gateway logging role alone, is versioned with it in this stack, and no other principal can be given it.")...)
	}
	return c.Node().FindChild(jsii.String("Resource")).(awsapigateway.CfnAccount)
}

// newAccountLogging creates the holder of the account settings, its role
// and the account resource.
func newAccountLogging(scope constructs.Construct) constructs.Construct {
	stack := awscdk.Stack_Of(scope)
	holder := constructs.NewConstruct(stack, jsii.String(AccountLoggingId))
	role := awsiam.NewRole(holder, jsii.String("CloudWatchRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("apigateway.amazonaws.com"), nil),
		Description: jsii.String("API Gateway execution logging for the account and region (streamgate)"),
	})
	// Other APIs of the account may log through it: keep it when the stack goes.
	role.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN)
	groups := awscdk.Stack_Of(scope).FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("logs"), Resource: jsii.String("log-group"), ResourceName: jsii.String("API-Gateway-Execution-Logs_*"),
		ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
	})
	anyGroup := awscdk.Stack_Of(scope).FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("logs"), Resource: jsii.String("log-group"), ResourceName: jsii.String("*"),
		ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("WriteExecutionLogs"),
		Actions:   jsii.Strings("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents"),
		Resources: &[]*string{groups},
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("FindLogGroups"),
		Actions:   jsii.Strings("logs:DescribeLogGroups"),
		Resources: &[]*string{anyGroup},
	}))
	nagack.Acknowledge(role.Node().FindChild(jsii.String("DefaultPolicy")).Node().DefaultChild(), nagack.Rule{
		Id: "AwsSolutions-IAM5",
		Reason: "API Gateway writes execution logs of every API in the account and region to groups it names " +
			"API-Gateway-Execution-Logs_{api-id}/{stage}, through this one account-level role; DescribeLogGroups takes no narrower resource.",
		// The partition, region and account are tokens in an env-agnostic
		// stack and literals in a stack with a pinned env: match both.
		AppliesTo: []any{nagack.Regex(`/^Resource::arn:` + nagack.ArnEnv + `:logs:` + nagack.ArnRegion + `:` + nagack.ArnAccount + `:log-group:(API-Gateway-Execution-Logs_)?\*$/`)},
	})
	account := awsapigateway.NewCfnAccount(holder, jsii.String("Resource"), &awsapigateway.CfnAccountProps{CloudWatchRoleArn: role.RoleArn()})
	// CloudWatchRoleArn orders the account after the role; the role's
	// policy, which API Gateway needs to write logs, is not referenced.
	// Depending on the role as well would be redundant (cfn-lint W3005).
	account.Node().AddDependency(role.Node().FindChild(jsii.String("DefaultPolicy")))
	return holder
}
