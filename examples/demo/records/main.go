// Command records is the reference workload handler: 1000 JSON records, one
// every 10 ms, streamed as NDJSON (see demo.Records).
package main

import (
	"github.com/streamgate/streamgate/examples/demo"
	"github.com/streamgate/streamgate/lambda/stream"
)

func main() { stream.Start(demo.Records) }
