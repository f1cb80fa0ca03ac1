// Command faulty is a test handler that misbehaves on purpose, by path:
//
//	/panic   panics in its producer after three records
//	/slow    streams until the invoke deadline stops it (in band)
//	/hang    sends two records, then its producer blocks, ignoring every
//	         deadline (lambda/stream still ends the stream at its margin)
//	/block   blocks before answering, ignoring every deadline (killed at
//	         the function's timeout)
//	/crash   exits the process before answering
//	/big     streams ?mb= megabytes of data
//	/tiny    answers a few bytes (for overhead measurements)
//	/echo    answers with the event it received and its GREETING variable
//	/plain   answers a buffered proxy response (not a stream)
//	/garbage streams bytes that are not a metadata prelude
package main

import (
	"context"
	"io"
	"log"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/streamgate/streamgate/lambda/stream"
)

func handle(ctx context.Context, req events.APIGatewayProxyRequest) (*events.APIGatewayProxyStreamingResponse, error) {
	mode := req.Path[strings.LastIndexByte(req.Path, '/')+1:]
	switch mode {
	case "crash":
		os.Exit(3)
	case "block":
		select {} // stuck before the response exists: only the timeout ends it
	case "plain", "garbage":
		return nil, errAnswer(mode)
	case "tiny":
		return stream.JSON(200, map[string]bool{"ok": true}), nil
	case "echo":
		log.Printf("echo %s %s", req.HTTPMethod, req.Path)
		return stream.JSON(200, map[string]any{"event": req, "greeting": os.Getenv("GREETING")}), nil
	case "big":
		mb, _ := strconv.Atoi(req.QueryStringParameters["mb"])
		return stream.Raw(ctx, "application/octet-stream", nil, func(ctx context.Context, w io.Writer) error {
			chunk := make([]byte, 64<<10)
			for i := range chunk {
				chunk[i] = byte(i)
			}
			for n := 0; n < mb*16; n++ {
				if _, err := w.Write(chunk); err != nil {
					return err
				}
			}
			return nil
		}), nil
	}
	return stream.NDJSON(ctx, nil, func(ctx context.Context, w *stream.NDJSONWriter) error {
		for i := 0; ; i++ {
			if mode == "panic" && i == 3 {
				var records []int
				_ = records[i] // index out of range
			}
			if mode == "hang" && i == 2 {
				select {} // stuck: no write, no deadline check
			}
			if err := w.Encode(map[string]int{"n": i}); err != nil {
				return err
			}
			time.Sleep(50 * time.Millisecond)
		}
	}), nil
}

type errAnswer string

func (e errAnswer) Error() string { return string(e) }

// garbage is an io.Reader the runtime streams as is, with the streaming
// content type, but without the metadata prelude.
type garbage struct{ *strings.Reader }

func (garbage) ContentType() string { return "application/vnd.awslambda.http-integration-response" }

// route answers /plain and /garbage with other response types than the
// streaming one handle returns.
func route(ctx context.Context, req events.APIGatewayProxyRequest) (any, error) {
	switch {
	case strings.HasSuffix(req.Path, "/plain"):
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: "buffered"}, nil
	case strings.HasSuffix(req.Path, "/garbage"):
		return garbage{strings.NewReader("this is not JSON metadata and has no delimiter")}, nil
	}
	return handle(ctx, req)
}

func main() { lambda.Start(route) }
