// Package nagpacks is streamgate's one list of cdk-nag rule packs: the two
// every app and templatetest run (AwsSolutions, Serverless) and the three a
// regulated account adds (NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1),
// with the rule-id prefix of each. The prefixes live in package
// nagpacks/prefix, which does not load cdk-nag (the constructs use it to
// write acknowledgements).
package nagpacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Apply adds the core packs to scope (an app or a stack) as aspects, and
// the regulated packs too when regulated is true; every finding is
// reported with its explanation (Verbose). Call it before the first synth.
func Apply(scope constructs.IConstruct, regulated bool) {
	verbose := &cdknag.NagPackProps{Verbose: jsii.Bool(true)}
	aspects := awscdk.Aspects_Of(scope)
	aspects.Add(cdknag.NewAwsSolutionsChecks(verbose), nil)
	aspects.Add(cdknag.NewServerlessChecks(verbose), nil)
	if regulated {
		aspects.Add(cdknag.NewNIST80053R5Checks(verbose), nil)
		aspects.Add(cdknag.NewHIPAASecurityChecks(verbose), nil)
		aspects.Add(cdknag.NewPCIDSS321Checks(verbose), nil)
	}
}
