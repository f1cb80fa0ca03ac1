package uploads_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/uploads"
)

// Video uploads of up to 50 GiB from a browser app, in parallel parts
// straight to S3.
func ExampleNewPresignedUploadApi() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Uploads"), nil)

	up := uploads.NewPresignedUploadApi(stack, jsii.String("Videos"), &uploads.PresignedUploadApiProps{
		Mode:                uploads.ModeMultipart,
		MaxObjectSize:       awscdk.Size_Gibibytes(jsii.Number(50)),
		AllowedContentTypes: jsii.Strings("video/mp4"),
		Cors:                &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com")},
	})
	for _, r := range up.StreamingRestApi.Routes {
		fmt.Println(r.Method, r.Path)
	}
	fmt.Println("web ACL body limit:", up.WebAcl.MaxBodySize)

	// Output:
	// POST /uploads
	// POST /uploads/{uploadId}/parts
	// GET /uploads/{uploadId}/parts
	// POST /uploads/{uploadId}/complete
	// DELETE /uploads/{uploadId}
	// web ACL body limit: 16384
}
