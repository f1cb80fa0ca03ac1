package wafsize_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/wafsize"
)

// One web ACL that refuses bodies over 1 MB, guarding an API's stage.
func ExampleNewSizeLimitedWebAcl() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Edge"), nil)
	api := awsapigateway.NewRestApi(stack, jsii.String("Api"), nil)
	api.Root().AddMethod(jsii.String("POST"), awsapigateway.NewMockIntegration(nil), nil)

	acl := wafsize.NewSizeLimitedWebAcl(stack, jsii.String("Waf"), &wafsize.SizeLimitedWebAclProps{
		MaxBodySize: awscdk.Size_Mebibytes(jsii.Number(1)),
		RateLimit:   jsii.Number(2000),
	})
	acl.Associate(api.DeploymentStage())
	fmt.Println(acl.MaxBodySize, acl.InspectionLimit)

	// Output: 1048576 KB_64
}
