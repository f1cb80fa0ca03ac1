// Package gofunction defines Go Lambda functions built from source at synth
// time, with the local Go toolchain and no Docker:
//
//	fn := gofunction.NewFunction(stack, jsii.String("Records"), &gofunction.FunctionProps{
//		Entry: jsii.String("./lambda/records"), // a directory or an import path
//	})
//
// The handler is compiled with reproducible flags
// (GOOS=linux CGO_ENABLED=0 go build -trimpath -tags lambda.norpc
// -ldflags "-s -w -buildid=" -buildvcs=false) into the bootstrap of a
// provided.al2023 arm64 function, so the asset hash changes only when the
// binary does. CI that builds its artifacts elsewhere passes Code instead.
//
// Entry is resolved with `go list` from the directory synth runs in, so an
// import path of a dependency (github.com/streamgate/streamgate/lambda/records)
// is built with the versions the app's go.mod pins.
package gofunction

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/internal/nagack"
)

// FunctionProps configure a Go function. Entry or Code is required.
type FunctionProps struct {
	// Entry is the Go main package of the handler: a directory ("./lambda/records")
	// or an import path. Default: none; Code must be given.
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
	// Default: none (the account's unreserved pool).
	ReservedConcurrentExecutions *float64
}

// Function is a Go Lambda function with its log group and role.
type Function struct {
	// Function is the Lambda function (escape hatch: Function.Node().DefaultChild()).
	Function awslambda.Function
	// LogGroup receives the function's logs, with the configured retention.
	LogGroup awslogs.LogGroup
	// Role is the execution role: it may write to LogGroup (and X-Ray); add
	// what the handler needs with Function.AddToRolePolicy or grants.
	Role awsiam.Role
}

// Defaults for a FunctionProps left empty.
var (
	DefaultMemorySize   = 512.0
	DefaultTimeout      = 15.0 // minutes
	DefaultLogRetention = awslogs.RetentionDays_ONE_MONTH
)

// NewFunction creates a provided.al2023 function whose bootstrap is built
// from Entry (or taken from Code), its log group `<id>Logs` and its execution
// role `<id>Role`, which uses no managed policy.
func NewFunction(scope constructs.Construct, id *string, props *FunctionProps) *Function {
	if props == nil || (props.Entry == nil && props.Code == nil) {
		panic(fmt.Errorf("gofunction %q: Entry and Code are both unset; allowed: a Go main package in Entry or a prebuilt Code. Fix: set Entry to the handler's directory or import path", *id))
	}
	arch := props.Architecture
	if arch == nil {
		arch = awslambda.Architecture_ARM_64()
	}
	code := props.Code
	if code == nil {
		code = Code(*props.Entry, arch)
	}
	memory := props.MemorySize
	if memory == nil {
		memory = jsii.Number(DefaultMemorySize)
	}
	timeout := props.Timeout
	if timeout == nil {
		timeout = awscdk.Duration_Minutes(jsii.Number(DefaultTimeout))
	}
	retention := props.LogRetention
	if retention == "" {
		retention = DefaultLogRetention
	}
	tracing := props.Tracing
	if tracing == "" {
		tracing = awslambda.Tracing_ACTIVE
	}
	logs := awslogs.NewLogGroup(scope, jsii.String(*id+"Logs"), &awslogs.LogGroupProps{Retention: retention})
	// A role of its own instead of CDK's default, which attaches the managed
	// AWSLambdaBasicExecutionRole policy (logs:* on every log group): this
	// one may only write to the function's own log group.
	role := awsiam.NewRole(scope, jsii.String(*id+"Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("execution role of " + *id + ": writes its own log group"),
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("WriteOwnLogs"),
		Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: jsii.Strings(*logs.LogGroupArn()),
	}))
	fn := awslambda.NewFunction(scope, id, &awslambda.FunctionProps{
		Role:                         role,
		Runtime:                      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:                 arch,
		Handler:                      jsii.String("bootstrap"),
		Code:                         code,
		MemorySize:                   memory,
		Timeout:                      timeout,
		Environment:                  props.Environment,
		Description:                  props.Description,
		Tracing:                      tracing,
		LogGroup:                     logs,
		ReservedConcurrentExecutions: props.ReservedConcurrentExecutions,
	})
	if tracing == awslambda.Tracing_ACTIVE {
		nagack.Acknowledge(role.Node().FindChild(jsii.String("DefaultPolicy")).Node().DefaultChild(), nagack.Rule{
			ID:        "AwsSolutions-IAM5",
			Reason:    "X-Ray tracing (Tracing: ACTIVE): xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so their resource is *.",
			AppliesTo: []any{"Resource::*"},
		})
	}
	return &Function{Function: fn, LogGroup: logs, Role: role}
}

// Code is an asset built from the Go main package entry (a directory or an
// import path) for arch, with the local Go toolchain at synth time. The asset
// hash is the binary's, which the reproducible flags keep stable.
func Code(entry string, arch awslambda.Architecture) awslambda.Code {
	pkg, err := resolve(entry)
	if err != nil {
		panic(err)
	}
	goarch := "arm64"
	if arch != nil && *arch.Name() == *awslambda.Architecture_X86_64().Name() {
		goarch = "amd64"
	}
	return awslambda.Code_FromAsset(jsii.String(pkg.Dir), &awss3assets.AssetOptions{
		AssetHashType: awscdk.AssetHashType_OUTPUT,
		Bundling: &awscdk.BundlingOptions{
			// Never pulled: the local bundler below always builds or fails.
			Image: awscdk.DockerImage_FromRegistry(jsii.String("golang")),
			Local: &localBuild{importPath: pkg.ImportPath, goarch: goarch},
		},
	})
}

type goPackage struct{ Dir, ImportPath string }

// CheckEntry reports why entry cannot be built as a handler (not found by
// `go list`, or not a main package), or nil. Constructs call it while they
// validate their props, before anything is created.
func CheckEntry(entry string) error {
	_, err := resolve(entry)
	return err
}

var resolved sync.Map // entry -> goPackage: `go list` once per entry and process

// resolve finds a main package's directory and import path with `go list`,
// run where synth runs so that the app's module decides versions.
func resolve(entry string) (goPackage, error) {
	if p, ok := resolved.Load(entry); ok {
		return p.(goPackage), nil
	}
	cmd := exec.Command(goTool(), "list", "-f", "{{.Dir}}\n{{.ImportPath}}\n{{.Name}}", entry)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return goPackage{}, fmt.Errorf("gofunction: Entry %q is not a Go package that `go list` can find from %s: %v: %s; allowed: a main package directory or import path. Fix: check the path, or pass prebuilt Code", entry, cwd(), err, strings.TrimSpace(stderr.String()))
	}
	f := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(f) != 3 || f[2] != "main" {
		return goPackage{}, fmt.Errorf("gofunction: Entry %q is package %q; allowed: a main package (one that calls lambda.Start). Fix: point Entry at the handler's main package", entry, f[len(f)-1])
	}
	p := goPackage{Dir: f[0], ImportPath: f[1]}
	resolved.Store(entry, p)
	return p, nil
}

func cwd() string {
	d, _ := os.Getwd()
	return d
}

// goTool is the go command: $GOROOT/bin/go when GOROOT is set, else go on PATH.
func goTool() string {
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			return p
		}
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// localBuild builds the handler with the Go toolchain; it implements
// awscdk.ILocalBundling.
type localBuild struct {
	importPath string
	goarch     string
}

// BuildFlags are the reproducible `go build` flags of every handler.
var BuildFlags = []string{"-trimpath", "-buildvcs=false", "-tags", "lambda.norpc", "-ldflags", "-s -w -buildid="}

// TryBundle builds bootstrap into outputDir. A failed build stops synth with
// the compiler's output instead of falling back to Docker.
func (b *localBuild) TryBundle(outputDir *string, _ *awscdk.BundlingOptions) *bool {
	args := append([]string{"build"}, BuildFlags...)
	args = append(args, "-o", filepath.Join(*outputDir, "bootstrap"), b.importPath)
	cmd := exec.Command(goTool(), args...)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+b.goarch, "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		panic(fmt.Errorf("gofunction: building %s for linux/%s failed: %v\n%s", b.importPath, b.goarch, err, out))
	}
	return jsii.Bool(true)
}
