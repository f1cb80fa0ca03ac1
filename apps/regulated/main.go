// Command regulated is the regulated-account app: the streaming and upload
// APIs under the strict compliance profile, checked on every synth by
// cdk-nag's AwsSolutions, Serverless, NIST 800-53 R5, HIPAA Security and
// PCI DSS 3.2.1 packs.
//
//	cdk synth --app "go run ./apps/regulated"
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/apps/stacks"
)

func main() {
	defer jsii.Close()
	app := stacks.NewApp(true)
	stacks.NewRegulated(app, "StreamgateRegulated", &awscdk.StackProps{
		Description: jsii.String("streamgate demo: streaming and uploads under the strict compliance profile"),
		Env:         stacks.RegulatedEnv,
	})
	app.Synth(nil)
}
