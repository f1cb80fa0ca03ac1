// Command progress streams a long-running job's progress as server-sent
// events (see demo.JobProgress).
package main

import (
	"github.com/streamgate/streamgate/examples/demo"
	"github.com/streamgate/streamgate/lambda/stream"
	_ "github.com/streamgate/streamgate/lambda/stream/brotli" // the progress stream offers brotli
)

func main() { stream.Start(demo.JobProgress) }
