package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/streamgate/streamgate/internal/nagpacks"
)

// NewApp is the app of every command under apps/: cdk-nag's AwsSolutions
// and Serverless packs (and with regulated the NIST 800-53 R5, HIPAA
// Security and PCI DSS 3.2.1 packs) run on every synth, which fails on any
// unacknowledged finding (the security review's rules, checked where the
// code is written).
func NewApp(regulated bool) awscdk.App {
	app := awscdk.NewApp(nil)
	nagpacks.Apply(app, regulated)
	return app
}
