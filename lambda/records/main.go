// Command records is the reference workload handler: 1000 JSON records, one
// every 10 ms, streamed as NDJSON (see demo.Records).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/streamgate/streamgate/lambda/demo"
)

func main() { lambda.Start(demo.Records) }
