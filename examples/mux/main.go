// Command mux is a plain net/http server, unchanged but for its main, as a
// streaming Lambda function behind a StreamingRestApi (lambda/httpstream):
// Go 1.22 patterns, server-sent events flushed per event, a large
// download and a binary upload. See package server for the handlers.
package main

import (
	"github.com/streamgate/streamgate/examples/mux/server"
	"github.com/streamgate/streamgate/lambda/httpstream"
)

func main() { httpstream.Start(server.New()) }
