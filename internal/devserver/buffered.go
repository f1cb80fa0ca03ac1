package devserver

// Buffered replies (ResponseTransferMode BUFFERED): the whole reply read,
// checked against the limits, then written.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/internal/devserver/pool"
	"github.com/streamgate/streamgate/internal/runtimeapi"
)

// buffered waits for the whole response, as API Gateway does with BUFFERED.
func (g *gateway) buffered(w *statusRecorder, r *http.Request, route *loader.Route, tag string, inv *pool.Invocation, ctx context.Context) {
	body := inv.Response.Body
	defer body.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			body.Close()
		case <-done:
		}
	}()
	raw, err := io.ReadAll(io.LimitReader(body, MaxBufferedResponse+1))
	// A function timeout no longer than the integration's ends at the same
	// moment or later on AWS: API Gateway's clock starts first, with the
	// request, so it answers 504 (here the two timers race).
	timedOut := errors.Is(inv.Err(), pool.ErrFunctionTimeout) && route.TimeoutMillis <= route.Function.Timeout*1000
	if ctx.Err() == context.DeadlineExceeded || timedOut {
		g.fail(w, r, 504, "Endpoint request timed out")
		return
	}
	if typ, _ := inv.Response.Trailers(); err != nil || typ != "" || inv.Err() != nil {
		fmt.Fprintf(g.logs, "%s [%s] the function failed: %v %s %v\n", route.Function.LogicalID, tag, err, typ, inv.Err())
		g.fail(w, r, 502, "Internal server error")
		return
	}
	if inv.Response.ContentType == runtimeapi.StreamingContentType {
		// A streaming handler behind a BUFFERED route: API Gateway reads the
		// whole stream, then answers with it.
		if len(raw) > MaxBufferedResponse {
			fmt.Fprintf(g.logs, "%s [%s] the response is over 10 MB, API Gateway's buffered limit\n", route.Function.LogicalID, tag)
			g.fail(w, r, 502, "Internal server error")
			return
		}
		br := bufio.NewReader(bytes.NewReader(raw))
		prelude, err := ReadPrelude(br)
		if err != nil {
			fmt.Fprintf(g.logs, "%s [%s] %v\n", route.Function.LogicalID, tag, err)
			g.fail(w, r, 502, "Internal server error")
			return
		}
		rest, _ := io.ReadAll(br)
		writeHeaders(w, prelude.Headers, prelude.MultiValueHeaders, prelude.Cookies)
		w.WriteHeader(prelude.StatusCode)
		w.Write(rest)
		return
	}
	if len(raw) > MaxLambdaBuffered {
		fmt.Fprintf(g.logs, "%s [%s] the response is %d bytes, over Lambda's 6 MB for a buffered invocation\n", route.Function.LogicalID, tag, len(raw))
		g.fail(w, r, 502, "Internal server error")
		return
	}
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(raw, &resp); err != nil || resp.StatusCode == 0 {
		fmt.Fprintf(g.logs, "%s [%s] malformed Lambda proxy response: %.200s\n", route.Function.LogicalID, tag, raw)
		g.fail(w, r, 502, "Internal server error")
		return
	}
	writeHeaders(w, resp.Headers, resp.MultiValueHeaders, nil)
	w.WriteHeader(resp.StatusCode)
	// An API without binary media types never converts a response: the
	// client gets the base64 text
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/lambda-proxy-binary-media.html).
	if resp.IsBase64Encoded && len(g.api.BinaryTypes) == 0 {
		fmt.Fprintf(g.logs, "%s [%s] the response is base64-encoded but the API has no binary media types: API Gateway sends the base64 text as it is (set RestApiProps.BinaryMediaTypes)\n", route.Function.LogicalID, tag)
	} else if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err == nil {
			w.Write(b)
		}
		return
	}
	io.WriteString(w, resp.Body)
}

func writeHeaders(w http.ResponseWriter, single map[string]string, multi map[string][]string, cookies []string) {
	h := w.Header()
	for k, v := range single {
		h.Set(k, v)
	}
	for k, vs := range multi {
		h.Del(k)
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for _, c := range cookies {
		h.Add("Set-Cookie", c)
	}
}
