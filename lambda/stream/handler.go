package stream

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/streamgate/streamgate/lambda/cors"
)

// Handler is a streaming route's handler.
type Handler func(ctx context.Context, req events.APIGatewayProxyRequest) (*events.APIGatewayProxyStreamingResponse, error)

// Start runs h as the function's handler, through Wrap: the one line a
// streaming route's main needs.
//
//	func main() { stream.Start(handle) }
func Start(h Handler, opts ...lambda.Option) {
	lambda.StartWithOptions(Wrap(h), opts...)
}

// Wrap gives h what every streaming route needs from its request, so that
// the handler itself writes none of it:
//
//   - CORS: when the API has CORS (StreamingRestApiProps.Cors sets the
//     allowed origins in the function's environment, cors.EnvConfig), every
//     answer to a request from an allowed origin carries
//     Access-Control-Allow-Origin, Vary: Origin and the exposed headers, in
//     the prelude, before the first byte streams; errors from Error and
//     JSON too. API Gateway adds none to a Lambda proxy answer.
//   - The request, in the context (Request), from which NDJSON, SSE and Raw
//     take Accept-Encoding when Options.Encodings is set and
//     Options.AcceptEncoding is not.
//
// A handler that sets Access-Control-Allow-Origin itself is left alone.
func Wrap(h Handler) Handler {
	policy, err := cors.FromEnv()
	if err != nil {
		log.Printf("stream: %v: answering without CORS headers", err)
	}
	return func(ctx context.Context, req events.APIGatewayProxyRequest) (*events.APIGatewayProxyStreamingResponse, error) {
		resp, err := h(WithRequest(ctx, &req), req)
		if err != nil || resp == nil {
			return resp, err
		}
		resp.Headers = policy.Apply(resp.Headers, cors.Origin(req.Headers))
		return resp, nil
	}
}

type requestKey struct{}

// WithRequest is ctx carrying req, the API Gateway event being answered,
// which Request reads back. Wrap gives every handler such a context, and
// lambda/httpstream puts its event under the same key, so that one key holds
// the event whichever package serves the route.
func WithRequest(ctx context.Context, req *events.APIGatewayProxyRequest) context.Context {
	return context.WithValue(ctx, requestKey{}, req)
}

// Request is the API Gateway event being answered: set by Wrap (and so by
// Start), by WithRequest, and by lambda/httpstream for a net/http handler's
// request (r.Context()). ok is false in a context that has none.
func Request(ctx context.Context) (*events.APIGatewayProxyRequest, bool) {
	r, ok := ctx.Value(requestKey{}).(*events.APIGatewayProxyRequest)
	return r, ok
}
