package httpstream

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/streamgate/streamgate/lambda/stream"
)

// responseWriter is the http.ResponseWriter (and http.Flusher) a handler
// writes to: the prelude goes out on the first Write or Flush, or when the
// handler returns, and the body through lambda/stream's writer.
type responseWriter struct {
	ctx       context.Context // the invocation's
	reqCtx    context.Context // the handler's: cancelled when the stream can take no more
	cancelReq context.CancelCauseFunc
	opts      stream.Options
	logf      func(string, ...any)

	header http.Header
	status int
	sent   http.Header // the header as WriteHeader found it, nil before

	mu        sync.Mutex // guards the commit
	isCommit  bool
	abandoned bool // the invocation ended before the handler answered
	body      stream.Writer

	ready     chan *events.APIGatewayProxyStreamingResponse
	failed    chan struct{} // the handler panicked before it answered
	bodyReady chan struct{}
	done      chan error // how the handler ended, for the body's producer
}

func newResponseWriter(ctx context.Context, opts stream.Options, logf func(string, ...any)) *responseWriter {
	w := &responseWriter{ctx: ctx, opts: opts, logf: logf, header: http.Header{},
		ready: make(chan *events.APIGatewayProxyStreamingResponse, 1), failed: make(chan struct{}),
		bodyReady: make(chan struct{}), done: make(chan error, 1)}
	w.reqCtx, w.cancelReq = context.WithCancelCause(ctx)
	return w
}

// Header is the response's header map, sent with the first byte.
func (w *responseWriter) Header() http.Header { return w.header }

// WriteHeader sets the status, and the headers as they are now; both are
// sent with the first byte. Later calls, later changes to the header map,
// and informational (1xx) statuses are ignored, as net/http ignores them.
func (w *responseWriter) WriteHeader(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.isCommit || w.status != 0 || code < 200 || code > 999 {
		return
	}
	w.status, w.sent = code, w.header.Clone()
}

// Write sends the prelude first, then p through the stream's buffer. It
// fails once the stream can take no more (the client went away, the
// invocation's deadline is near).
func (w *responseWriter) Write(p []byte) (int, error) {
	w.commit(p)
	return w.body.Write(p)
}

// Flush sends the prelude and what the handler wrote so far
// (http.Flusher).
func (w *responseWriter) Flush() { _ = w.FlushError() }

// FlushError is Flush with its error (http.ResponseController uses it).
func (w *responseWriter) FlushError() error {
	w.commit(nil)
	return w.body.Flush()
}

func (w *responseWriter) committed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.isCommit
}

// commit starts the streamed response with the status and headers the
// handler set, once; first is the first body bytes, to sniff a missing
// Content-Type from as net/http does.
func (w *responseWriter) commit(first []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.isCommit {
		return
	}
	w.isCommit = true
	if w.abandoned {
		w.body = discard{}
		return
	}
	status, header := w.status, w.sent
	if status == 0 {
		status, header = http.StatusOK, w.header
	}
	// Not for an encoded body (net/http's rule: golang.org/issue/31753).
	if _, set := header["Content-Type"]; !set && len(first) > 0 && bodyAllowed(status) && header.Get("Content-Encoding") == "" {
		header.Set("Content-Type", http.DetectContentType(first))
	}
	opts := w.opts
	opts.StatusCode, opts.Headers, opts.MultiValueHeaders, opts.Cookies = status, map[string]string{}, nil, nil
	for k, vs := range header {
		switch {
		case len(vs) == 0:
		case strings.EqualFold(k, "Set-Cookie"):
			opts.Cookies = append(opts.Cookies, vs...)
		case len(vs) == 1:
			opts.Headers[k] = vs[0]
		default:
			if opts.MultiValueHeaders == nil {
				opts.MultiValueHeaders = map[string][]string{}
			}
			opts.MultiValueHeaders[k] = vs
		}
	}
	w.ready <- stream.Respond(w.ctx, &opts, w.produce)
	<-w.bodyReady
}

// produce is the stream's producer: it hands the body writer over, passes
// the end of the stream on to the handler's context, and ends the stream
// as the handler ended.
func (w *responseWriter) produce(ctx context.Context, body stream.Writer) error {
	w.body = body
	close(w.bodyReady)
	stop := context.AfterFunc(ctx, func() { w.cancelReq(context.Cause(ctx)) })
	defer stop()
	return <-w.done
}

// finish ends the response: err nil for a handler that returned, a
// *stream.PanicError for one that panicked after the first byte.
func (w *responseWriter) finish(err error) {
	w.commit(nil)
	w.done <- err
}

// abandon is called when the invocation ended before the handler
// answered: what it writes later goes nowhere.
func (w *responseWriter) abandon() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.abandoned = true
}

func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified && (status < 100 || status >= 200)
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) Flush() error                { return nil }

var _ io.Writer = discard{}
