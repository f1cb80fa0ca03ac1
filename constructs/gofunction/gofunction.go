// Package gofunction defines Go Lambda functions built from source at synth
// time, with the local Go toolchain and no Docker:
//
//	fn := gofunction.NewGoFunction(stack, jsii.String("Records"), &gofunction.GoFunctionProps{
//		Entry: jsii.String("./handlers/records"), // a directory or an import path
//	})
//
// The handler is compiled with reproducible flags
// (GOOS=linux CGO_ENABLED=0 go build -trimpath -tags lambda.norpc
// -ldflags "-s -w -buildid=" -buildvcs=false) into the bootstrap of a
// provided.al2023 arm64 function, so the asset hash changes only when the
// binary does. CI that builds its artifacts elsewhere passes Code instead.
//
// Where Entry is built (see internal/gobuild): a handler that ships with
// streamgate (an import path under github.com/streamgate/streamgate) in
// streamgate's own module, with its go.mod and go.sum, whatever module the
// app is in; any other Entry in the app's module, so that the app's go.mod
// decides versions. A relative Entry ("./handlers/records") is relative to
// the app's module root (the directory of the go.mod above the directory
// synth runs in), not to the working directory, so a stack resolves the
// same under `cdk synth` and under `go test` in any subpackage.
//
// When a stack needs its assets (`cdk synth`, or a test app that bundles),
// the handler is built while the construct is created, and a failed build
// stops synth with the package and the compiler's first lines. Stacks whose
// assets are skipped ("aws:cdk:bundling-stacks": []) resolve Entry but do
// not build it.
package gofunction

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/compliance"
	"github.com/streamgate/streamgate/constructs/internal/cfndeps"
	"github.com/streamgate/streamgate/constructs/internal/nagack"
	cprofile "github.com/streamgate/streamgate/constructs/internal/profile"
	"github.com/streamgate/streamgate/constructs/internal/propcheck"
	"github.com/streamgate/streamgate/internal/gobuild"
)

// GoFunctionProps configure a Go function. Entry or Code is required.
type GoFunctionProps struct {
	// Entry is the Go main package of the handler: a directory relative to
	// the app's module root ("./handlers/records"), an absolute directory, or
	// an import path. Default: none; Code must be given.
	Entry *string
	// Code is a prebuilt handler (a zip or directory with a `bootstrap`
	// executable) used instead of building Entry. Default: Entry built at synth.
	Code awslambda.Code
	// Architecture of the function and of the build. Default: ARM_64.
	Architecture awslambda.Architecture
	// MemorySize in MB. Default: 512.
	MemorySize *float64
	// Timeout of an invocation. Default: 15 minutes, the longest a stream may last.
	Timeout awscdk.Duration
	// Environment variables. Default: none.
	Environment *map[string]*string
	// Description of the function. Default: none.
	Description *string
	// LogRetention of the function's log group, which is created with the
	// function. Default: ONE_MONTH.
	LogRetention awslogs.RetentionDays
	// Tracing mode. Default: ACTIVE (X-Ray).
	Tracing awslambda.Tracing
	// ReservedConcurrentExecutions caps the function's concurrency.
	// Default: none (the account's unreserved pool), or the compliance
	// profile's ReservedConcurrency.
	ReservedConcurrentExecutions *float64
	// DeadLetterQueue receives the events of asynchronous invocations the
	// function failed on after Lambda's retries. Default: none (API Gateway
	// invokes route handlers synchronously).
	DeadLetterQueue awssqs.IQueue
	// Compliance is the profile for regulated accounts (see package
	// compliance): an encrypted log group kept at least a year, the function
	// in the profile's VPC. Default: the profile applied to the scope with
	// compliance.Apply, else none.
	Compliance *compliance.Profile
}

// GoFunction is a Go Lambda function with its log group and role.
type GoFunction struct {
	// Function is the Lambda function (escape hatch: Function.Node().DefaultChild()).
	Function awslambda.Function
	// LogGroup receives the function's logs, with the configured retention.
	LogGroup awslogs.LogGroup
	// Role is the execution role: it may write to LogGroup (and X-Ray); add
	// what the handler needs with Function.AddToRolePolicy or grants.
	Role awsiam.Role
}

// Defaults for a FunctionProps left empty.
const (
	// DefaultMemorySizeMB is the function's memory, in MB.
	DefaultMemorySizeMB = 512.0
	// DefaultTimeoutMinutes is the function's timeout, in minutes: Lambda's
	// longest, which a 15-minute stream needs.
	DefaultTimeoutMinutes = 15.0
	// DefaultLogRetention is how long the function's log group keeps logs.
	DefaultLogRetention = awslogs.RetentionDays_ONE_MONTH
)

// WarningEntryMoved is the id of the warning annotation for an Entry that
// names one of streamgate's handlers at the path it had before it moved:
// the handler is built from its new path, which the warning names.
const WarningEntryMoved = "@streamgate/gofunction:entryMoved"

// NewGoFunction creates a provided.al2023 function whose bootstrap is built
// from Entry (or taken from Code), its log group `<id>Logs` and its execution
// role `<id>Role`, which uses no managed policy.
func NewGoFunction(scope constructs.Construct, id *string, p *GoFunctionProps) *GoFunction {
	defer propcheck.Guard("gofunction.GoFunction", scope, id)
	pkg := validate(scope, id, p)
	r := resolve(scope, id, p, pkg)
	logs := awslogs.NewLogGroup(scope, jsii.String(*id+"Logs"), compliance.LogGroupProps(scope, r.profile, r.retention, nil))
	role := newRole(scope, id, logs)
	r.network(scope)
	fn := awslambda.NewFunction(scope, id, &awslambda.FunctionProps{
		Role:                         role,
		Runtime:                      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:                 r.arch,
		Handler:                      jsii.String("bootstrap"),
		Code:                         r.code,
		MemorySize:                   r.memory,
		Timeout:                      r.timeout,
		Environment:                  p.Environment,
		Description:                  p.Description,
		Tracing:                      r.tracing,
		LogGroup:                     logs,
		ReservedConcurrentExecutions: r.concurrency,
		DeadLetterQueue:              p.DeadLetterQueue,
		Vpc:                          r.vpc,
		VpcSubnets:                   r.subnets,
		SecurityGroups:               r.groups,
	})
	warnIfMoved(fn, pkg)
	// No DependsOn on the role the Role property names (cfn-lint W3005).
	cfndeps.Drop(fn.Node().DefaultChild().(awscdk.CfnResource), role.Node().DefaultChild().(awscdk.CfnResource))
	if r.profile != nil {
		acknowledgeRegulated(fn, role, r.concurrency == nil)
	}
	if r.tracing == awslambda.Tracing_ACTIVE {
		nagack.Acknowledge(role.Node().FindChild(jsii.String("DefaultPolicy")).Node().DefaultChild(), nagack.Rule{
			Id:        "AwsSolutions-IAM5",
			Reason:    "X-Ray tracing (Tracing: ACTIVE): xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so their resource is *.",
			AppliesTo: []any{"Resource::*"},
		})
	}
	return &GoFunction{Function: fn, LogGroup: logs, Role: role}
}

// warnIfMoved tells the user who wrote an old path of a streamgate handler
// (gobuild.Moved) where it is now; the build already uses the new path.
func warnIfMoved(fn awslambda.Function, pkg gobuild.Package) {
	if pkg.MovedFrom == "" {
		return
	}
	awscdk.Annotations_Of(fn).AddWarningV2(jsii.String(WarningEntryMoved), jsii.String(fmt.Sprintf(
		"Entry %q has moved to %q, which is built instead (the same handler); write the new path, as the old one is kept only for a while", pkg.MovedFrom, pkg.ImportPath)), nil)
}

// validate stops synth on invalid props, and resolves Entry to its
// package.
func validate(scope constructs.Construct, id *string, p *GoFunctionProps) gobuild.Package {
	problems := propcheck.NewProblems("gofunction.GoFunction", scope, id)
	problems.CheckUnique(scope, id)
	var pkg gobuild.Package
	switch {
	case p == nil || (p.Entry == nil && p.Code == nil):
		problems.Add("Entry/Code", "unset", "a Go main package in Entry or a prebuilt Code", "set Entry to the handler's directory or import path")
	case p.Entry != nil && p.Code != nil:
		problems.Add("Entry/Code", "both set", "one of them", "drop Code to build Entry, or drop Entry to use the prebuilt Code")
	case p.Entry != nil:
		var err error
		if pkg, err = gobuild.Resolve(*p.Entry); err != nil {
			problems.Addf("%v.", err)
		}
	}
	if p != nil {
		problems.CheckLambdaTimeout("Timeout", p.Timeout)
	}
	problems.Check()
	return pkg
}

// resolved are the function's settings: the props, or their defaults,
// and the compliance profile's.
type resolved struct {
	arch        awslambda.Architecture
	code        awslambda.Code
	memory      *float64
	timeout     awscdk.Duration
	retention   awslogs.RetentionDays
	tracing     awslambda.Tracing
	profile     *compliance.Profile
	concurrency *float64
	vpc         awsec2.IVpc
	subnets     *awsec2.SubnetSelection
	groups      *[]awsec2.ISecurityGroup
}

func resolve(scope constructs.Construct, id *string, p *GoFunctionProps, pkg gobuild.Package) *resolved {
	r := &resolved{arch: p.Architecture, code: p.Code, memory: p.MemorySize, timeout: p.Timeout, retention: p.LogRetention, tracing: p.Tracing,
		profile: compliance.Of(scope, p.Compliance), concurrency: p.ReservedConcurrentExecutions}
	if r.arch == nil {
		r.arch = awslambda.Architecture_ARM_64()
	}
	if r.code == nil {
		r.code = codeFor(scope, id, pkg, r.arch)
	}
	if r.memory == nil {
		r.memory = jsii.Number(DefaultMemorySizeMB)
	}
	if r.timeout == nil {
		r.timeout = awscdk.Duration_Minutes(jsii.Number(DefaultTimeoutMinutes))
	}
	if r.retention == "" {
		r.retention = DefaultLogRetention
	}
	if r.tracing == "" {
		r.tracing = awslambda.Tracing_ACTIVE
	}
	if r.profile != nil {
		if r.concurrency == nil {
			r.concurrency = r.profile.ReservedConcurrency
		}
	}
	return r
}

// network puts the function in the profile's VPC, with the stack's
// function security group and VPC endpoints (created on first use).
func (r *resolved) network(scope constructs.Construct) {
	if r.profile == nil {
		return
	}
	r.vpc, r.subnets, r.groups = r.profile.Vpc, r.profile.VpcSubnets, cprofile.FunctionSecurityGroups(scope, r.profile)
	cprofile.Endpoints(scope, r.profile)
}

// newRole is a role of the function's own instead of CDK's default, which
// attaches the managed AWSLambdaBasicExecutionRole policy (logs:* on every
// log group): this one may only write to the function's own log group.
func newRole(scope constructs.Construct, id *string, logs awslogs.LogGroup) awsiam.Role {
	role := awsiam.NewRole(scope, jsii.String(*id+"Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("execution role of " + *id + ": writes its own log group"),
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("WriteOwnLogs"),
		Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: jsii.Strings(*logs.LogGroupArn()),
	}))
	return role
}

// acknowledgeRegulated acknowledges, under the compliance profile, what the
// regulated packs find on a function's role and policy.
func acknowledgeRegulated(fn awslambda.Function, role awsiam.Role, noConcurrency bool) {
	policy := role.Node().FindChild(jsii.String("DefaultPolicy")).Node().DefaultChild()
	nagack.Acknowledge(policy, nagack.Regulated("IAMNoInlinePolicy", "The policy belongs to this one role, made for one function: "+
		"it is created, changed and deleted with the function in the same CloudFormation stack (versioned there), and no other principal can be given it, "+
		"which a managed policy would allow.")...)
	nagack.Acknowledge(role, nagack.Rule{Id: "AwsSolutions-IAM4", Reason: "Lambda attaches AWSLambdaVPCAccessExecutionRole to a function in a VPC: " +
		"creating and deleting its network interfaces (ec2:CreateNetworkInterface, DeleteNetworkInterface, DescribeNetworkInterfaces) has no narrower resource.",
		AppliesTo: []any{"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"}})
	if noConcurrency {
		nagack.Acknowledge(fn, nagack.Regulated("LambdaConcurrency", "Concurrency is bounded before the function: the API Gateway stage "+
			"that invokes it throttles requests (rate and burst limits), and reserving concurrency would take it from every other function of the account. "+
			"Set the profile's ReservedConcurrency to reserve it.")...)
	}
}

// Code is an asset built from the Go main package entry (resolved as
// FunctionProps.Entry is) for arch, with the local Go toolchain when CDK
// bundles the asset. The asset hash is the binary's, which the reproducible
// flags keep stable. NewFunction builds Entry while the construct is created
// instead, which reports a failed build more plainly.
func Code(entry string, arch awslambda.Architecture) awslambda.Code {
	pkg, err := gobuild.Resolve(entry)
	if err != nil {
		propcheck.Fail(fmt.Errorf("gofunction.Code: %w", err))
	}
	return lazyCode(pkg, goarch(arch))
}

func goarch(arch awslambda.Architecture) string {
	if arch != nil && *arch.Name() == *awslambda.Architecture_X86_64().Name() {
		return "amd64"
	}
	return "arm64"
}

// codeFor builds pkg now when scope's stack bundles its assets, and the
// asset is the directory of the binary; otherwise the asset is the package
// directory, with a bundler that CDK does not call. A failed build names
// the function's own path (scope's path and id).
func codeFor(scope constructs.Construct, id *string, pkg gobuild.Package, arch awslambda.Architecture) awslambda.Code {
	ga := goarch(arch)
	if !*awscdk.Stack_Of(scope).BundlingRequired() {
		return lazyCode(pkg, ga)
	}
	dir, err := gobuild.BuildCached(pkg, ga, gobuild.CacheRoot())
	if err != nil {
		propcheck.Fail(fmt.Errorf("gofunction.GoFunction %q: %w", strings.TrimPrefix(*scope.Node().Path()+"/"+*id, "/"), err))
	}
	return awslambda.Code_FromAsset(jsii.String(dir), nil)
}

func lazyCode(pkg gobuild.Package, goarch string) awslambda.Code {
	return awslambda.Code_FromAsset(jsii.String(pkg.Dir), &awss3assets.AssetOptions{
		AssetHashType: awscdk.AssetHashType_OUTPUT,
		Bundling: &awscdk.BundlingOptions{
			// Never pulled: the local bundler below always builds or fails.
			Image: awscdk.DockerImage_FromRegistry(jsii.String("golang")),
			Local: &localBuild{pkg: pkg, goarch: goarch},
		},
	})
}

// CheckEntry reports why entry cannot be built as a handler (empty, not
// found by `go list`, not a main package, or the CDK app itself), or nil.
// Constructs call it while they validate their props, before anything is
// created.
func CheckEntry(entry string) error {
	_, err := gobuild.Resolve(entry)
	return err
}

// BuildFlags returns (a copy of) the reproducible `go build` flags of every
// handler; the handlers that ship with streamgate build with their own
// tags instead (HTTP/2 left out of net/http).
func BuildFlags() []string { return append([]string(nil), gobuild.Flags...) }

// localBuild builds the handler with the Go toolchain when CDK bundles an
// asset made by Code; it implements awscdk.ILocalBundling.
type localBuild struct {
	pkg    gobuild.Package
	goarch string
}

// TryBundle builds bootstrap into outputDir. A failed build stops synth
// with the compiler's output instead of falling back to Docker: outside
// tests it prints the error and exits (propcheck.Fail), because an error
// returned through jsii reaches the user wrapped in Node.js stacks.
func (b *localBuild) TryBundle(outputDir *string, _ *awscdk.BundlingOptions) *bool {
	if err := gobuild.Build(b.pkg, b.goarch, *outputDir+"/bootstrap"); err != nil {
		propcheck.Fail(fmt.Errorf("gofunction.Code: %w", err))
	}
	return jsii.Bool(true)
}
