// Command hello is the team's own streaming handler: n greetings (query
// parameter n, default 5, at most 100) as NDJSON, 100 ms apart.
package main

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/streamgate/streamgate/lambda/stream"
)

type greeting struct {
	N    int    `json:"n"`
	Text string `json:"text"`
}

func handle(ctx context.Context, req events.APIGatewayProxyRequest) (*events.APIGatewayProxyStreamingResponse, error) {
	n := 5
	if v, ok := req.QueryStringParameters["n"]; ok {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 || n > 100 {
			return stream.Error(400, "BadRequest", "n must be a number from 1 to 100"), nil
		}
	}
	return stream.NDJSON(ctx, nil, func(ctx context.Context, w *stream.NDJSONWriter) error {
		for i := 0; i < n; i++ {
			if i > 0 {
				time.Sleep(100 * time.Millisecond)
			}
			if err := w.Encode(greeting{N: i, Text: "hello from the team"}); err != nil {
				return err
			}
		}
		return nil
	}), nil
}

func main() { lambda.Start(handle) }
