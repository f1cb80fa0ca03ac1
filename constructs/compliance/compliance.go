// Package compliance is the profile for regulated accounts that
// StreamingRestApi, PresignedUploadApi, SizeLimitedWebAcl and gofunction
// share. Off by default; turned on once per app or stack:
//
//	compliance.Apply(stack, compliance.Strict(&compliance.StrictProps{
//		Vpc:          vpc,             // functions run in it, still streaming
//		VpcEndpoints: jsii.Bool(true), // S3 gateway, KMS and X-Ray interface endpoints
//	}))
//	streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{}) // picks the profile up
//
// or per construct with the Compliance prop. With the profile, the
// constructs:
//
//   - encrypt every log group they create with one customer managed KMS key
//     per stack (rotation on, a key policy for CloudWatch Logs in the stack's
//     account and region only) and keep logs at least a year;
//   - put their functions in the VPC, in one security group per stack that
//     allows no ingress and HTTPS egress only (where it can go is the
//     subnets' routes: the endpoints created on request, or a NAT);
//   - give upload buckets versioning, SSE-KMS with a key of their own, object
//     lock (governance mode, a default retention) where the upload mode can
//     send the checksum S3 then requires, and lifecycle rules that also
//     expire noncurrent versions;
//   - add SourceAccount to the Lambda permissions API Gateway uses;
//   - give each REST API stage a client certificate (for HTTP backends);
//   - acknowledge, on the narrowest resource and with the reason, what the
//     NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 packs of cdk-nag find
//     and a streaming or upload design cannot change (see the README).
package compliance

import (
	"fmt"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/internal/perstack"
	"github.com/streamgate/streamgate/constructs/internal/propcheck"
)

// Defaults of the strict profile.
const (
	// MinLogRetentionDays is the least retention the profile allows (Control
	// Tower's CloudWatch control asks for a year).
	MinLogRetentionDays = 365
	// DefaultObjectLockRetentionDays is the governance-mode retention of new
	// uploads.
	DefaultObjectLockRetentionDays = 1
)

// StrictProps configure the strict profile.
type StrictProps struct {
	// LogRetention of every log group the constructs create: at least
	// ONE_YEAR. Default: ONE_YEAR.
	LogRetention awslogs.RetentionDays
	// Vpc the constructs' functions run in. Required.
	Vpc awsec2.IVpc
	// VpcSubnets the functions use. Default: the VPC's private subnets with
	// egress, else its isolated ones (CDK's default selection).
	VpcSubnets *awsec2.SubnetSelection
	// SecurityGroups of the functions. Default: one group per stack for
	// streamgate's functions, with no ingress and HTTPS egress only.
	SecurityGroups *[]awsec2.ISecurityGroup
	// VpcEndpoints creates, once per stack, the endpoints the handlers need
	// without a NAT: S3 (gateway, free) and KMS and X-Ray (interface, billed
	// per hour and AZ, reachable from the functions' security group only).
	// Default: false (the functions reach AWS through the VPC's NAT).
	VpcEndpoints *bool
	// ObjectLockRetention is the governance-mode default retention of
	// uploaded objects (PUT and POST modes), at least a day and shorter than
	// the upload API's IncomingObjectExpiration. Default: 1 day.
	ObjectLockRetention awscdk.Duration
	// ReservedConcurrency of each function the constructs create. Default:
	// none (concurrency is bounded by the stage's throttling; acknowledged).
	ReservedConcurrency *float64
}

// Profile is a resolved compliance profile (StrictProps with their
// defaults); a nil *Profile means off.
type Profile struct {
	// LogRetention of the log groups the constructs create: at least this.
	LogRetention awslogs.RetentionDays
	// Vpc the functions run in.
	Vpc awsec2.IVpc
	// VpcSubnets the functions use; nil for CDK's default selection.
	VpcSubnets *awsec2.SubnetSelection
	// SecurityGroups of the functions; nil for the stack's streamgate group.
	SecurityGroups *[]awsec2.ISecurityGroup
	// VpcEndpoints: create the S3, KMS and X-Ray endpoints.
	VpcEndpoints bool
	// ObjectLockRetention of uploaded objects, governance mode.
	ObjectLockRetention awscdk.Duration
	// ReservedConcurrency of each function; nil for none.
	ReservedConcurrency *float64
}

var retentionDays = map[awslogs.RetentionDays]int{
	awslogs.RetentionDays_ONE_DAY: 1, awslogs.RetentionDays_THREE_DAYS: 3, awslogs.RetentionDays_FIVE_DAYS: 5,
	awslogs.RetentionDays_ONE_WEEK: 7, awslogs.RetentionDays_TWO_WEEKS: 14, awslogs.RetentionDays_ONE_MONTH: 30,
	awslogs.RetentionDays_TWO_MONTHS: 60, awslogs.RetentionDays_THREE_MONTHS: 90, awslogs.RetentionDays_FOUR_MONTHS: 120,
	awslogs.RetentionDays_FIVE_MONTHS: 150, awslogs.RetentionDays_SIX_MONTHS: 180, awslogs.RetentionDays_ONE_YEAR: 365,
	awslogs.RetentionDays_THIRTEEN_MONTHS: 400, awslogs.RetentionDays_EIGHTEEN_MONTHS: 545, awslogs.RetentionDays_TWO_YEARS: 731,
	awslogs.RetentionDays_THREE_YEARS: 1096, awslogs.RetentionDays_FIVE_YEARS: 1827, awslogs.RetentionDays_SIX_YEARS: 2192,
	awslogs.RetentionDays_SEVEN_YEARS: 2557, awslogs.RetentionDays_EIGHT_YEARS: 2922, awslogs.RetentionDays_NINE_YEARS: 3288,
	awslogs.RetentionDays_TEN_YEARS: 3653, awslogs.RetentionDays_INFINITE: 1 << 30,
}

// Strict is the profile for regulated accounts. Invalid props stop synth
// with every problem listed.
func Strict(p *StrictProps) *Profile {
	problems := propcheck.NewNamedProblems("compliance.Strict")
	if p == nil {
		p = &StrictProps{}
	}
	pr := &Profile{
		LogRetention: p.LogRetention, Vpc: p.Vpc, VpcSubnets: p.VpcSubnets, SecurityGroups: p.SecurityGroups,
		VpcEndpoints: p.VpcEndpoints != nil && *p.VpcEndpoints, ObjectLockRetention: p.ObjectLockRetention,
		ReservedConcurrency: p.ReservedConcurrency,
	}
	if pr.LogRetention == "" {
		pr.LogRetention = awslogs.RetentionDays_ONE_YEAR
	}
	if d, ok := retentionDays[pr.LogRetention]; !ok || d < MinLogRetentionDays {
		problems.Add("LogRetention", string(pr.LogRetention), "ONE_YEAR or longer (Control Tower: CloudWatch log groups retained at least a year)",
			"set awslogs.RetentionDays_ONE_YEAR or longer, or leave LogRetention unset")
	}
	if pr.Vpc == nil {
		problems.Add("Vpc", "unset", "the VPC the functions run in (NIST/HIPAA/PCI: Lambda functions inside a VPC)",
			"pass your VPC, e.g. awsec2.Vpc_FromLookup(...) or a new awsec2.Vpc")
	}
	if pr.ObjectLockRetention == nil {
		pr.ObjectLockRetention = awscdk.Duration_Days(jsii.Number(DefaultObjectLockRetentionDays))
	} else if ms, ok := propcheck.Millis(pr.ObjectLockRetention); !ok || ms < 24*3600_000 || ms != float64(int64(ms/(24*3600_000)))*24*3600_000 {
		problems.Add("ObjectLockRetention", propcheck.Human(pr.ObjectLockRetention), "whole days, at least 1, known at synth time (S3 object lock retention is in days)",
			"use awscdk.Duration_Days(jsii.Number(n))")
	}
	if r := pr.ReservedConcurrency; r != nil && propcheck.Resolved(r) && (*r < 1 || *r != float64(int64(*r))) {
		problems.Add("ReservedConcurrency", fmt.Sprint(*r), "a whole number of at least 1", "set a count, or leave it unset")
	}
	problems.Check()
	return pr
}

type applied struct {
	root    constructs.IConstruct
	path    string
	profile *Profile
}

var (
	mu       sync.Mutex
	profiles []applied
)

// Apply makes profile the default of every streamgate construct created
// under scope (an app, a stage or a stack) afterwards; a construct's own
// Compliance prop wins. Call it before creating the constructs.
func Apply(scope constructs.IConstruct, profile *Profile) {
	mu.Lock()
	defer mu.Unlock()
	profiles = append(profiles, applied{root: scope.Node().Root(), path: *scope.Node().Path(), profile: profile})
}

// Of is the profile that applies to a construct created in scope: own (its
// Compliance prop) when set, else the one Applied to the nearest enclosing
// scope, else nil (off).
func Of(scope constructs.IConstruct, own *Profile) *Profile {
	if own != nil {
		return own
	}
	root, path := scope.Node().Root(), *scope.Node().Path()
	mu.Lock()
	defer mu.Unlock()
	var best *Profile
	bestLen := -1
	for _, a := range profiles {
		if a.root != root {
			continue
		}
		if (a.path == "" || path == a.path || len(path) > len(a.path) && path[:len(a.path)+1] == a.path+"/") && len(a.path) > bestLen {
			best, bestLen = a.profile, len(a.path)
		}
	}
	return best
}

// LogKey is the stack's customer managed key for log groups, created on
// first use: rotation on, and a key policy that lets CloudWatch Logs of the
// stack's account and region use it for log groups of that account only.
func LogKey(scope constructs.IConstruct) awskms.IKey {
	h := perstack.Holder(scope)
	if k := h.Node().TryFindChild(jsii.String("LogKey")); k != nil {
		return k.(awskms.IKey)
	}
	stack := awscdk.Stack_Of(scope)
	key := awskms.NewKey(h, jsii.String("LogKey"), &awskms.KeyProps{
		Description:       jsii.String("streamgate: encrypts the log groups of stack " + *stack.StackName()),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN, // retained logs stay readable
	})
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchLogsOfThisAccount"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("logs."+*stack.Region()+".amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"ArnLike": map[string]any{
			"kms:EncryptionContext:aws:logs:arn": stack.FormatArn(&awscdk.ArnComponents{
				Service: jsii.String("logs"), Resource: jsii.String("log-group"), ResourceName: jsii.String("*"), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
			}),
		}},
	}), jsii.Bool(true))
	LimitGrantsToAwsServices(key)
	return key
}

// LimitGrantsToAwsServices adds to key's policy the statement AWS Control
// Tower's proactive control CT.KMS.PR.3 asks for: kms:CreateGrant is
// denied to every principal unless an AWS service integrated with KMS
// creates the grant (kms:GrantIsForAWSResource) or the caller is an AWS
// service principal (aws:PrincipalIsAWSService). CloudWatch Logs, S3 and
// SNS use the profile's keys without grants of their own. See
// https://docs.aws.amazon.com/controltower/latest/controlreference/ct-kms-pv-1.html
// and https://docs.aws.amazon.com/kms/latest/developerguide/grant-authorization.html.
func LimitGrantsToAwsServices(key awskms.IKey) {
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("GrantsOnlyForAWSServices"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("kms:CreateGrant"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"BoolIfExists": map[string]any{
			"kms:GrantIsForAWSResource": "false",
			"aws:PrincipalIsAWSService": "false",
		}},
	}), jsii.Bool(true))
}

// LogGroupProps are the props of a log group the constructs create: with
// the profile, the stack's log key and the profile's retention (at least
// the retention asked for); without it, retention alone.
func LogGroupProps(scope constructs.IConstruct, p *Profile, retention awslogs.RetentionDays, name *string) *awslogs.LogGroupProps {
	lp := &awslogs.LogGroupProps{Retention: retention, LogGroupName: name}
	if p == nil {
		return lp
	}
	if retentionDays[retention] < retentionDays[p.LogRetention] {
		lp.Retention = p.LogRetention
	}
	lp.EncryptionKey = LogKey(scope)
	return lp
}

// WarningEnvAgnosticPermissions is the id of the warning on a stack under
// the profile whose account is not pinned.
const WarningEnvAgnosticPermissions = "@streamgate/compliance:envAgnosticPermissions"
