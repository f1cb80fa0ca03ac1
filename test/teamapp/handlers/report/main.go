// Command report is a function the team already had: a plain-text report,
// streamed line by line.
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/streamgate/streamgate/lambda/stream"
)

func handle(ctx context.Context, req events.APIGatewayProxyRequest) (*events.APIGatewayProxyStreamingResponse, error) {
	return stream.Raw(ctx, "text/plain; charset=utf-8", nil, func(ctx context.Context, w io.Writer) error {
		for i := 1; i <= 3; i++ {
			if _, err := fmt.Fprintf(w, "report line %d\n", i); err != nil {
				return err
			}
		}
		return nil
	}), nil
}

func main() { lambda.Start(handle) }
