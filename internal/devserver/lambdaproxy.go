package devserver

// The Lambda proxy integration (AWS_PROXY): the function invoked with
// the proxy event, its reply streamed or buffered per the route's
// transfer mode.

import (
	"context"
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
	integration := time.Duration(route.TimeoutMillis) * time.Millisecond
	ctx, cancel := context.WithTimeout(r.Context(), integration)
	defer cancel()
	tag := fmt.Sprintf("%s %s %s", r.Method, route.Path, requestID[:8])
	inv, err := g.pools[route.Function].Invoke(ctx, requestID, tag, payload)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		g.fail(w, r, 504, "Endpoint request timed out")
		return
	case errors.Is(err, pool.ErrThrottled):
		// API Gateway answers a Lambda throttle on a proxy integration with
		// 500, not 429
		// (https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html).
		g.fail(w, r, 500, "Internal server error")
		return
	case err != nil:
		fmt.Fprintf(g.logs, "%s [%s] %v\n", route.Function.LogicalID, tag, err)
		g.fail(w, r, 502, "Internal server error")
		return
	}
	defer inv.Done()
	resp := inv.Response
	if resp.FunctionError {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		fmt.Fprintf(g.logs, "%s [%s] function error: %s\n", route.Function.LogicalID, tag, b)
		g.fail(w, r, 502, "Internal server error")
		return
	}
	if streams(route) {
		g.stream(w, r, route, tag, inv, ctx)
		return
	}
	g.buffered(w, r, route, tag, inv, ctx)
}
