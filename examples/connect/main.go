// Command connect is a Connect (connectrpc.com/connect) service with a
// server-streaming RPC, as a streaming Lambda function behind a
// StreamingRestApi route: each message the RPC sends reaches the client as
// it is sent. The messages are protobuf's well-known wrapper types, so the
// example needs no code generation; a team's service mounts its generated
// handler the same way.
package main

import (
	"github.com/streamgate/streamgate/examples/connect/counter"
	"github.com/streamgate/streamgate/lambda/httpstream"
)

func main() { httpstream.Start(counter.Handler()) }
