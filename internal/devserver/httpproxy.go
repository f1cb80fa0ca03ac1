package devserver

// The HTTP proxy integration (HTTP_PROXY): the request forwarded to its
// backend, the answer streamed back or not per the route.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// cappedWriter holds an HTTP backend's stream to API Gateway's rate.
type cappedWriter struct {
	*statusRecorder
	cap *streamCap
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	c.cap.wait(len(p))
	return c.statusRecorder.Write(p)
}

// proxyHTTP forwards to an HTTP backend (HTTP_PROXY), streaming or not.
func (g *gateway) proxyHTTP(w *statusRecorder, r *http.Request, route *loader.Route, params map[string]string, body []byte) {
	u, err := url.Parse(substitute(route.HTTPURL, params))
	if err != nil {
		g.failIntegration(w, r, backendFailed)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Duration(route.TimeoutMillis)*time.Millisecond)
	defer cancel()
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL = u
			pr.Out.URL.RawQuery = r.URL.RawQuery
			pr.Out.Host = u.Host
			pr.Out.Body = io.NopCloser(bytes.NewReader(body))
			pr.Out.ContentLength = int64(len(body))
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			f := backendFailed
			if errors.Is(err, context.DeadlineExceeded) {
				f = timedOut
			}
			g.failIntegration(w, r, f)
		},
	}
	var out http.ResponseWriter = w
	if route.Stream {
		proxy.FlushInterval = -1
		out = &cappedWriter{statusRecorder: w, cap: &streamCap{uncapped: GatewayUncapped, off: g.fast}}
	}
	proxy.ServeHTTP(out, r.WithContext(ctx))
}
