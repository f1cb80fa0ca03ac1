// Package httpstream runs any net/http handler (a ServeMux, a chi or echo
// router, a Connect service, an MCP server) as a streaming Lambda function
// behind API Gateway REST API routes with ResponseTransferMode STREAM:
//
//	func main() { httpstream.Start(mux) }
//
// aws-lambda-go's lambdaurl adapts http.Handler for Function URLs only,
// which sit outside API Gateway (no authorizers, WAF, throttling or custom
// domains); this is the same for REST API proxy events, streamed.
//
// What the handler sees is NewRequest's mapping of the event: the path
// within the API (no stage, no custom-domain base path), the query,
// multi-value headers, cookies, the body (decoded from base64), RemoteAddr,
// the Lambda deadline as the context's deadline, and the event itself
// through stream.Request and RequestContext.
//
// What the client gets: the status and headers (multi-value ones, and
// Set-Cookie as cookies; as net/http, the first WriteHeader's status and
// the headers set before it) in the streaming prelude on the first Write or
// Flush, or when the handler returns; then the body as the handler writes
// it, through lambda/stream's body writer: buffered in 32 KiB and sent at
// least every 2 ms (Options.Stream), so a handler that never flushes still
// streams in bounded memory, and http.Flusher and http.ResponseController
// send at once. A Content-Type the handler does not set is sniffed from the
// first bytes, as net/http does (not when it set Content-Encoding). Compression (Options.Stream.Encodings) and
// CORS (the API's Cors, as lambda/stream's Start does it) come from the
// same code as lambda/stream's.
//
// A panic before the first byte answers 500 with a JSON error; after it,
// the stream is cut (API Gateway cannot change the status any more) and
// the function's error trailers name the panic. The process lives on for
// the next request either way.
//
// Not available through API Gateway: request bodies stream (API Gateway
// buffers them, 10 MB at most), WebSockets and Hijack, HTTP/2 server push,
// and response trailers.
package httpstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"runtime/debug"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/streamgate/streamgate/lambda/stream"
)

// Options tune the adapter. The zero value (or nil) is what most handlers
// want.
type Options struct {
	// Stream configures the body writer (lambda/stream.Options): BufferSize,
	// FlushEvery, FlushInterval, DeadlineMargin, Encodings (compression
	// when the handler does not encode itself), Logf. Its StatusCode,
	// Headers, MultiValueHeaders and Cookies are ignored: the handler's
	// count. Default: lambda/stream's defaults, no compression.
	Stream stream.Options
}

// Start runs h as the function's handler: the one line a main needs.
func Start(h http.Handler, opts ...lambda.Option) {
	stream.Start(Handler(h, nil), opts...)
}

// Handler turns h into a streaming route's Lambda handler, for Start,
// stream.Wrap, or a test that calls it with an event.
func Handler(h http.Handler, o *Options) stream.Handler {
	var opts Options
	if o != nil {
		opts = *o
	}
	logf := opts.Stream.Logf
	if logf == nil {
		logf = log.Printf
	}
	return func(ctx context.Context, ev events.APIGatewayProxyRequest) (*events.APIGatewayProxyStreamingResponse, error) {
		// The handler's request gets w's context, derived from this one:
		// the event goes here, so that it has it called directly too.
		ctx = stream.WithRequest(ctx, &ev)
		r, err := NewRequest(ctx, ev)
		if err != nil {
			return stream.Error(http.StatusBadRequest, "InvalidRequest", err.Error()), nil
		}
		w := newResponseWriter(ctx, opts.Stream, logf)
		r = r.WithContext(w.reqCtx)
		go w.serve(h, r)
		select {
		case resp := <-w.ready:
			return resp, nil
		case <-w.failed:
			return stream.Error(http.StatusInternalServerError, "InternalError", "the handler failed before it answered"), nil
		case <-ctx.Done():
			w.abandon()
			select {
			case resp := <-w.ready: // answered at the last moment: nobody reads it now
				resp.Body.(io.Closer).Close()
			default:
			}
			return nil, fmt.Errorf("httpstream: the handler had not answered when the invocation ended: %w", context.Cause(ctx))
		}
	}
}

// serve runs the handler and ends the response when it returns or panics.
func (w *responseWriter) serve(h http.Handler, r *http.Request) {
	defer w.cancelReq(errors.New("httpstream: the handler returned"))
	defer func() {
		v := recover()
		if v == nil {
			w.finish(nil)
			return
		}
		if !w.committed() {
			if v != http.ErrAbortHandler { // net/http's way to end a response quietly
				w.logf("httpstream: panic serving %s %s: %v\n%s", r.Method, r.URL.Path, v, debug.Stack())
			}
			close(w.failed)
			return
		}
		// The stream logs it with this stack, and cuts the response.
		w.finish(&stream.PanicError{Value: v, Stack: debug.Stack()})
	}()
	h.ServeHTTP(w, r)
}
