package compliance_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/compliance"
	"github.com/streamgate/streamgate/internal/cdktest"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

// The strict profile for a regulated account, applied to every streamgate
// construct of the app: functions in the VPC, logs kept a year and
// encrypted with the stack's key, buckets versioned.
func ExampleStrict() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Regulated"), nil)
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{MaxAzs: jsii.Number(2), NatGateways: jsii.Number(0)})

	profile := compliance.Strict(&compliance.StrictProps{
		Vpc:          vpc,
		VpcEndpoints: jsii.Bool(true),
	})
	compliance.Apply(app, profile)
	// ... the streamgate constructs of the app, created after Apply.

	fmt.Println(profile.LogRetention, *profile.ObjectLockRetention.ToDays(nil), compliance.Of(stack, nil) == profile)

	// Output: ONE_YEAR 1 true
}
