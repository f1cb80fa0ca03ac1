// Command faulty is a test handler that misbehaves on purpose: GET /panic
// panics in its producer after three records, GET /slow streams until the
// invoke deadline stops it.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/streamgate/streamgate/lambda/stream"
)

func handle(ctx context.Context, req events.APIGatewayProxyRequest) (*events.APIGatewayProxyStreamingResponse, error) {
	return stream.NDJSON(ctx, nil, func(ctx context.Context, w *stream.NDJSONWriter) error {
		for i := 0; ; i++ {
			if req.Path == "/panic" && i == 3 {
				var records []int
				_ = records[i] // index out of range
			}
			if err := w.Encode(map[string]int{"n": i}); err != nil {
				return err
			}
			time.Sleep(50 * time.Millisecond)
		}
	}), nil
}

func main() { lambda.Start(handle) }
