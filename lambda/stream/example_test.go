package stream_test

import (
	"context"
	"fmt"
	"io"

	"github.com/streamgate/streamgate/lambda/stream"
)

// A handler that streams three records as NDJSON, each sent as it is
// written; the stream ends with a summary line. In a Lambda function,
// return the response from the handler passed to stream.Start.
func ExampleNDJSON() {
	resp := stream.NDJSON(context.Background(), nil, func(ctx context.Context, w *stream.NDJSONWriter) error {
		for i := 1; i <= 3; i++ {
			if err := w.Encode(map[string]int{"n": i}); err != nil {
				return err // the client left, or the invocation's deadline is near
			}
		}
		return nil
	})
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, resp.Headers["Content-Type"])
	fmt.Print(string(body))
	// Output:
	// 200 application/x-ndjson
	// {"n":1}
	// {"n":2}
	// {"n":3}
	// {"done":true,"records":3}
}

// Server-sent events, one per progress step, for a browser's EventSource.
func ExampleSSE() {
	resp := stream.SSE(context.Background(), nil, func(ctx context.Context, w *stream.SSEWriter) error {
		for pct := 50; pct <= 100; pct += 50 {
			if err := w.Send(stream.Event{Event: "progress", Data: map[string]int{"percent": pct}}); err != nil {
				return err
			}
		}
		return nil
	})
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Headers["Content-Type"])
	fmt.Print(string(body))
	// Output:
	// text/event-stream
	// event: progress
	// data: {"percent":50}
	//
	// event: progress
	// data: {"percent":100}
	//
	// event: done
	// data: {"records":2}
}
