// Command mcp is a Model Context Protocol server built with the official Go
// SDK (github.com/modelcontextprotocol/go-sdk), Streamable HTTP and
// stateless, so that any Lambda instance can answer any request, as a
// streaming Lambda function behind a StreamingRestApi route: a tool call's
// progress notifications reach the client while the tool works, then its
// result, in one server-sent event stream.
package main

import (
	"github.com/streamgate/streamgate/examples/mcp/tools"
	"github.com/streamgate/streamgate/lambda/httpstream"
)

func main() { httpstream.Start(tools.Handler()) }
