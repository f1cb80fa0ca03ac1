// Command servers is the "your own HTTP server" demo app: an MCP server and
// a chi router, unchanged but for their one-line mains, streaming behind a
// StreamingRestApi.
//
//	cdk synth --app "go run ./apps/servers"
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/apps/stacks"
)

func main() {
	defer jsii.Close()
	app := stacks.NewApp(false)
	stacks.NewServersDemo(app, "StreamgateServersDemo", &awscdk.StackProps{
		Description: jsii.String("streamgate demo: an MCP server and a chi router, net/http handlers streaming through API Gateway"),
	})
	app.Synth(nil)
}
