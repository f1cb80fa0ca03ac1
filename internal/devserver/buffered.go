package devserver

// Buffered replies (ResponseTransferMode BUFFERED): the whole reply read,
// checked against the limits, then written.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
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
	defer closeWhenDone(ctx, body)()
	raw, err := io.ReadAll(io.LimitReader(body, MaxBufferedResponse+1))
	if f, failed := g.bufferedFailure(ctx, route, tag, inv, err); failed {
		g.failIntegration(w, r, f)
		return
	}
	var reply *proxyReply
	var why string
	if inv.Response.ContentType == runtimeapi.StreamingContentType {
		reply, why = streamReplyBuffered(raw)
	} else {
		reply, why = g.proxyResponse(route, tag, raw)
	}
	if why != "" {
		g.logFunction(route, tag, "%s", why)
		g.failIntegration(w, r, functionFailed)
		return
	}
	reply.write(w)
}

// bufferedFailure is how the invocation failed, if it did: API Gateway's
// timeout, or the function's error (its error trailers, a crash, its own
// timeout), or a body that could not be read.
func (g *gateway) bufferedFailure(ctx context.Context, route *loader.Route, tag string, inv *pool.Invocation, readErr error) (integrationFailure, bool) {
	if ctx.Err() == context.DeadlineExceeded || integrationTimedOut(inv.Err(), route) {
		return timedOut, true
	}
	if typ, _ := inv.Response.Trailers(); readErr != nil || typ != "" || inv.Err() != nil {
		g.logFunction(route, tag, "the function failed: %v %s %v", readErr, typ, inv.Err())
		return functionFailed, true
	}
	return 0, false
}

// proxyReply is the status, headers and body API Gateway answers with.
type proxyReply struct {
	status  int
	header  map[string]string
	multi   map[string][]string
	cookies []string
	body    []byte
}

func (p *proxyReply) write(w http.ResponseWriter) {
	writeHeaders(w, p.header, p.multi, p.cookies)
	w.WriteHeader(p.status)
	w.Write(p.body)
}

// streamReplyBuffered is the reply of a streaming handler behind a
// BUFFERED route: API Gateway reads the whole stream, then answers with
// it; why says what API Gateway could not use.
func streamReplyBuffered(raw []byte) (reply *proxyReply, why string) {
	if len(raw) > MaxBufferedResponse {
		return nil, "the response is over 10 MB, API Gateway's buffered limit"
	}
	br := bufio.NewReader(bytes.NewReader(raw))
	prelude, err := ReadPrelude(br)
	if err != nil {
		return nil, err.Error()
	}
	rest, _ := io.ReadAll(br)
	return &proxyReply{prelude.StatusCode, prelude.Headers, prelude.MultiValueHeaders, prelude.Cookies, rest}, ""
}

// proxyResponse is the reply of a Lambda proxy response (JSON with
// statusCode, headers, body); why says what API Gateway could not use.
func (g *gateway) proxyResponse(route *loader.Route, tag string, raw []byte) (reply *proxyReply, why string) {
	if len(raw) > MaxLambdaBuffered {
		return nil, fmt.Sprintf("the response is %d bytes, over Lambda's 6 MB for a buffered invocation", len(raw))
	}
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(raw, &resp); err != nil || resp.StatusCode == 0 {
		return nil, fmt.Sprintf("malformed Lambda proxy response: %.200s", raw)
	}
	reply = &proxyReply{status: resp.StatusCode, header: resp.Headers, multi: resp.MultiValueHeaders, body: []byte(resp.Body)}
	// An API without binary media types never converts a response: the
	// client gets the base64 text
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/lambda-proxy-binary-media.html).
	if resp.IsBase64Encoded && len(g.api.BinaryTypes) == 0 {
		g.logFunction(route, tag, "the response is base64-encoded but the API has no binary media types: API Gateway sends the base64 text as it is (set RestApiProps.BinaryMediaTypes)")
	} else if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			b = nil // nothing of a body that is not base64
		}
		reply.body = b
	}
	return reply, ""
}

// writeHeaders sets a reply's headers: the single-value ones, then the
// multi-value ones in their place, then the cookies.
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
