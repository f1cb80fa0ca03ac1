// Command progress streams a long-running job's progress as server-sent
// events (see demo.JobProgress).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/streamgate/streamgate/lambda/demo"
)

func main() { lambda.Start(demo.JobProgress) }
