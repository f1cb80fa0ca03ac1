package streaming_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/streaming"
)

// The README's minimal example: a streaming route served by a Go handler
// built from source.
func ExampleNewStreamingRestApi() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Streams"), nil)

	api := streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{
		Routes: &[]*streaming.RouteProps{{
			Method: jsii.String("GET"),
			Path:   jsii.String("/records"),
			Entry:  jsii.String("github.com/streamgate/streamgate/examples/demo/records"),
		}},
	})
	api.AddRoute(&streaming.RouteProps{
		Method:  jsii.String("GET"),
		Path:    jsii.String("/legacy/{id}"),
		HttpUrl: jsii.String("https://legacy.example.com/feeds/{id}"),
	})

	for _, r := range api.Routes {
		fmt.Println(r.Method, r.Path, r.TransferMode, *r.IntegrationTimeout.ToHumanString())
	}
	// app.Synth(nil) writes cdk.out; `cdk deploy` deploys it.

	// Output:
	// GET /records STREAM 15 minutes
	// GET /legacy/{id} STREAM 15 minutes
}
