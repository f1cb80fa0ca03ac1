package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Pack makes one cdk-nag rule pack.
type Pack func(*cdknag.NagPackProps) cdknag.NagPack

// RegulatedPacks are cdk-nag's NIST 800-53 R5, HIPAA Security and PCI DSS
// 3.2.1 packs, which the regulated app runs too.
var RegulatedPacks = []Pack{
	func(p *cdknag.NagPackProps) cdknag.NagPack { return cdknag.NewNIST80053R5Checks(p) },
	func(p *cdknag.NagPackProps) cdknag.NagPack { return cdknag.NewHIPAASecurityChecks(p) },
	func(p *cdknag.NagPackProps) cdknag.NagPack { return cdknag.NewPCIDSS321Checks(p) },
}

// NewApp is the app of every command under apps/: cdk-nag's AwsSolutions
// and Serverless packs, and the extra packs given, run on every synth,
// which fails on any unacknowledged finding (the security review's rules,
// checked where the code is written).
func NewApp(extra ...Pack) awscdk.App {
	app := awscdk.NewApp(nil)
	ApplyPacks(app, extra...)
	return app
}

// ApplyPacks adds AwsSolutions, Serverless and the extra packs to app.
func ApplyPacks(app awscdk.App, extra ...Pack) {
	verbose := &cdknag.NagPackProps{Verbose: jsii.Bool(true)}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(verbose), nil)
	awscdk.Aspects_Of(app).Add(cdknag.NewServerlessChecks(verbose), nil)
	for _, p := range extra {
		awscdk.Aspects_Of(app).Add(p(verbose), nil)
	}
}
