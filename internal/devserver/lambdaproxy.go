package devserver

// The Lambda proxy integration (AWS_PROXY): the function invoked with
// the proxy event, its reply streamed or buffered per the route's
// transfer mode.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/internal/devserver/pool"
)

func transferMode(r *loader.Route) string {
	if streams(r) {
		return "STREAMED"
	}
	return "BUFFERED"
}

// streams reports whether the runner streams route's answer: a STREAM
// route's, unless its function is on a Python runtime, which Lambda cannot
// stream from; the runner answers those buffered, with a start-up notice
// (pythonStreamNote).
func streams(r *loader.Route) bool {
	return r.Stream && (r.Function == nil || !r.Function.Python())
}

// invoke runs the function and answers per the route's transfer mode.
func (g *gateway) invoke(w *statusRecorder, r *http.Request, route *loader.Route, requestID string, payload []byte) {
	ctx, cancel := context.WithTimeout(r.Context(), time.Duration(route.TimeoutMillis)*time.Millisecond)
	defer cancel()
	tag := fmt.Sprintf("%s %s %s", r.Method, route.Path, requestID[:8])
	inv, err := g.pools[route.Function].Invoke(ctx, requestID, tag, payload)
	if err != nil {
		f := invocationFailure(err, route)
		if f == functionFailed {
			g.logFunction(route, tag, "%v", err)
		}
		g.failIntegration(w, r, f)
		return
	}
	defer inv.Done()
	if inv.Response.FunctionError {
		b, _ := io.ReadAll(io.LimitReader(inv.Response.Body, 64<<10))
		g.logFunction(route, tag, "function error: %s", b)
		g.failIntegration(w, r, functionFailed)
		return
	}
	if streams(route) {
		g.stream(w, r, route, tag, inv, ctx)
		return
	}
	g.buffered(w, r, route, tag, inv, ctx)
}

// invocationFailure is the failure an error of Pool.Invoke is: the
// integration's timeout (integrationTimedOut too), Lambda's throttle
// (which API Gateway answers with 500 on a proxy integration, not 429), or
// a function that could not run.
func invocationFailure(err error, route *loader.Route) integrationFailure {
	switch {
	case errors.Is(err, context.DeadlineExceeded), integrationTimedOut(err, route):
		return timedOut
	case errors.Is(err, pool.ErrThrottled):
		return invocationRejected
	}
	return functionFailed
}

// integrationTimedOut says whether err is the function killed at a
// timeout no longer than route's integration timeout, which on AWS ends at
// the same moment or later: API Gateway's clock starts first, with the
// request, so it answers 504 (here the two timers race).
func integrationTimedOut(err error, route *loader.Route) bool {
	return errors.Is(err, pool.ErrFunctionTimeout) && route.Function != nil && route.TimeoutMillis <= route.Function.Timeout*1000
}

// logFunction writes a line about route's function in the invocation
// tagged tag.
func (g *gateway) logFunction(route *loader.Route, tag, format string, args ...any) {
	fmt.Fprintf(g.logs, "%s [%s] "+format+"\n", append([]any{route.Function.LogicalID, tag}, args...)...)
}

// closeWhenDone closes c when ctx ends, until stop is called: a reply
// whose integration timeout passes is abandoned.
func closeWhenDone(ctx context.Context, c io.Closer) (stop func()) {
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			c.Close()
		case <-done:
		}
	}()
	return func() { close(done) }
}

// lambdaProxy sends the route's function the proxy event of x (event.go);
// Lambda refuses an event of 6,291,456 bytes or more.
func (g *gateway) lambdaProxy(x *exchange) {
	event := g.event(x.r, x.route, x.path, x.params, x.body, x.requestID, x.start, x.who)
	payload, _ := json.Marshal(event)
	if len(payload) >= MaxInvokePayload {
		fmt.Fprintf(g.logs, "%s [%s %s] the event is %d bytes: Lambda refuses invocations of 6,291,456 bytes or more (RequestEntityTooLargeException)\n",
			x.route.Function.LogicalID, x.r.Method, x.route.Path, len(payload))
		g.fail(x.w, x.r, 413, "Request Entity Too Large")
		return
	}
	invoke := g.invoke
	if g.sendEvent != nil {
		invoke = g.sendEvent
	}
	invoke(x.w, x.r, x.route, x.requestID, payload)
}
