// Package profile applies the compliance profile's per-stack parts for the
// constructs: VPC endpoints, the functions' security group, and the
// SourceAccount of Lambda permissions.
package profile

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/compliance"
	"github.com/streamgate/streamgate/constructs/internal/perstack"
)

// Endpoints creates, once per stack, the VPC endpoints the handlers use
// without a NAT: S3 (gateway) and KMS and X-Ray (interface, private DNS,
// reachable on 443 from the functions' security groups only).
func Endpoints(scope constructs.IConstruct, p *compliance.Profile) {
	if p == nil || !p.VpcEndpoints || p.Vpc == nil {
		return
	}
	h := perstack.Holder(scope)
	if h.Node().TryFindChild(jsii.String("S3Endpoint")) != nil {
		return
	}
	var subnets *[]*awsec2.SubnetSelection
	if p.VpcSubnets != nil {
		subnets = &[]*awsec2.SubnetSelection{p.VpcSubnets}
	}
	awsec2.NewGatewayVpcEndpoint(h, jsii.String("S3Endpoint"), &awsec2.GatewayVpcEndpointProps{
		Vpc: p.Vpc, Service: awsec2.GatewayVpcEndpointAwsService_S3(), Subnets: subnets,
	})
	sg := awsec2.NewSecurityGroup(h, jsii.String("EndpointSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc: p.Vpc, AllowAllOutbound: jsii.Bool(false),
		Description: jsii.String("streamgate: the KMS and X-Ray endpoints, HTTPS from the functions only"),
	})
	for _, fg := range functionGroups(scope, p) {
		sg.AddIngressRule(fg, awsec2.Port_Tcp(jsii.Number(443)), jsii.String("HTTPS from streamgate functions"), nil)
	}
	for _, e := range []struct {
		id  string
		svc awsec2.InterfaceVpcEndpointAwsService
	}{{"KmsEndpoint", awsec2.InterfaceVpcEndpointAwsService_KMS()}, {"XRayEndpoint", awsec2.InterfaceVpcEndpointAwsService_XRAY()}} {
		awsec2.NewInterfaceVpcEndpoint(h, jsii.String(e.id), &awsec2.InterfaceVpcEndpointProps{
			Vpc: p.Vpc, Service: e.svc, Subnets: p.VpcSubnets, PrivateDnsEnabled: jsii.Bool(true),
			Open: jsii.Bool(false), SecurityGroups: &[]awsec2.ISecurityGroup{sg},
		})
	}
}

// FunctionSecurityGroups are the security groups of the functions under
// the profile: the profile's own, else the stack's one streamgate function
// group (created on first use), which allows no ingress and HTTPS egress
// only (where it can go is the subnets' routes: the endpoints, or a NAT).
func FunctionSecurityGroups(scope constructs.IConstruct, p *compliance.Profile) *[]awsec2.ISecurityGroup {
	groups := functionGroups(scope, p)
	return &groups
}

func functionGroups(scope constructs.IConstruct, p *compliance.Profile) []awsec2.ISecurityGroup {
	if p.SecurityGroups != nil {
		return *p.SecurityGroups
	}
	h := perstack.Holder(scope)
	if c := h.Node().TryFindChild(jsii.String("FunctionSecurityGroup")); c != nil {
		return []awsec2.ISecurityGroup{c.(awsec2.ISecurityGroup)}
	}
	sg := awsec2.NewSecurityGroup(h, jsii.String("FunctionSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              p.Vpc,
		AllowAllOutbound: jsii.Bool(false),
		Description:      jsii.String("streamgate functions: no ingress, HTTPS egress only"),
	})
	sg.AddEgressRule(awsec2.Peer_AnyIpv4(), awsec2.Port_Tcp(jsii.Number(443)), jsii.String("HTTPS to AWS APIs (VPC endpoints or NAT)"), nil)
	return []awsec2.ISecurityGroup{sg}
}

// PermissionsWithSourceAccount adds SourceAccount (the stack's account) to
// the Lambda permissions under scope, which API Gateway's Lambda
// integrations create with SourceArn only, so that checks that cannot
// resolve the API's ARN can read the account. Control Tower's CT.LAMBDA.PR.2
// reads only a literal: in a stack with a pinned account SourceAccount is
// that string; in an env-agnostic stack it is {"Ref": "AWS::AccountId"},
// and the stack gets a warning (compliance.WarningEnvAgnosticPermissions) that says
// so.
func PermissionsWithSourceAccount(scope constructs.IConstruct) {
	stack := awscdk.Stack_Of(scope)
	account := stack.Account()
	var added bool
	for _, c := range *scope.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if perm, ok := c.(awslambda.CfnPermission); ok && perm.SourceAccount() == nil {
			perm.SetSourceAccount(account)
			added = true
		}
	}
	if added && *awscdk.Token_IsUnresolved(account) {
		warnEnvAgnostic(stack)
	}
}

func warnEnvAgnostic(stack awscdk.Stack) {
	h := perstack.Holder(stack) // a plain construct: nothing in the template
	if h.Node().TryFindChild(jsii.String("EnvAgnosticWarned")) != nil {
		return
	}
	constructs.NewConstruct(h, jsii.String("EnvAgnosticWarned"))
	awscdk.Annotations_Of(stack).AddWarningV2(jsii.String(compliance.WarningEnvAgnosticPermissions), jsii.String(
		"compliance: the stack's account is not pinned, so its Lambda permissions carry SourceAccount {\"Ref\": \"AWS::AccountId\"}, "+
			"which AWS Control Tower's proactive control CT.LAMBDA.PR.2 cannot read and reports as a failure; "+
			"pin the account (StackProps.Env.Account) as regulated deployments do, or acknowledge the warning"), nil)
}
