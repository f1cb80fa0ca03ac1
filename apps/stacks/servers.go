package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/streaming"
)

// Handler sources of the servers demo: ordinary net/http servers whose
// mains are one line (lambda/httpstream).
const (
	McpServerEntry = "github.com/streamgate/streamgate/examples/mcp"
	ChiRouterEntry = "github.com/streamgate/streamgate/examples/chi"
)

// ServersDemo is the "your own HTTP server" demo stack: a Model Context
// Protocol server (the official Go SDK, Streamable HTTP, stateless) and an
// existing chi router, each behind routes of one StreamingRestApi with IAM
// authorization. MCP clients that cannot sign requests with SigV4 reach it
// through AWS's MCP Proxy for AWS, or the API uses Cognito (see the README).
type ServersDemo struct {
	awscdk.Stack
	Api *streaming.StreamingRestApi
}

// NewServersDemo defines the servers demo stack.
func NewServersDemo(scope constructs.Construct, id string, props *awscdk.StackProps) *ServersDemo {
	stack := awscdk.NewStack(scope, jsii.String(id), props)
	api := streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{
		// MCP requests are JSON-RPC messages of a few KB.
		MaxRequestBodySize: awscdk.Size_Kibibytes(jsii.Number(64)),
		Routes: &[]*streaming.RouteProps{
			// Streamable HTTP: POST carries the messages; GET and DELETE
			// reach the server too, which answers 405 when stateless.
			{Method: jsii.String("ANY"), Path: jsii.String("/mcp"), Entry: jsii.String(McpServerEntry), Id: jsii.String("McpServer")},
			{Method: jsii.String("ANY"), Path: jsii.String("/shop/{proxy+}"), Entry: jsii.String(ChiRouterEntry), Id: jsii.String("Shop")},
		},
	})
	return &ServersDemo{Stack: stack, Api: api}
}
