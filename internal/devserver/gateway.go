package devserver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/streamgate/streamgate/internal/devserver/lambdaenv"
	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/internal/devserver/pool"
	"github.com/streamgate/streamgate/internal/runtimeapi"
)

// Limits API Gateway and Lambda enforce.
const (
	// MaxRequestPayload is API Gateway's request payload limit, 10 MB
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
	MaxRequestPayload = 10 << 20
	// MaxBufferedResponse is API Gateway's buffered response limit, 10 MB.
	MaxBufferedResponse = 10 << 20
	// MaxLambdaBuffered is Lambda's buffered (non-streamed) response limit,
	// 6 MB (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
	MaxLambdaBuffered = 6 << 20
	// MaxInvokePayload is Lambda's synchronous invocation request limit:
	// the event must be smaller than 6,291,456 bytes (Lambda's quotas page,
	// and Invoke's RequestEntityTooLargeException), which a body of a few
	// MB reaches first as base64.
	MaxInvokePayload = 6 << 20
	// MaxStreamedResponse is Lambda's limit on a streamed response, 200 MB
	// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html):
	// past it the stream is cut.
	MaxStreamedResponse = 200 << 20
	// StreamRate is the bandwidth of a stream past its uncapped start:
	// 2 MB/s, for Lambda past the first 6 MB of a streamed response (the
	// page above) and for API Gateway past the first 10 MB
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html).
	StreamRate = 2 << 20
	// LambdaUncapped and GatewayUncapped are the bytes each sends before
	// the 2 MB/s cap: a Lambda route is capped after 6 MB, an HTTP route
	// after 10 MB.
	LambdaUncapped    = 6 << 20
	GatewayUncapped   = 10 << 20
	MaxStreamDuration = 15 * time.Minute
	// MaxHeaderBytes is API Gateway's quota on the total size of a REST
	// API request's headers (names, values, line terminators and
	// whitespace): 10240 bytes, 8000 for a private API
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html).
	MaxHeaderBytes        = 10240
	MaxPrivateHeaderBytes = 8000
)

// MaxURLLength is API Gateway's quota on the length of a REST API's URL,
// in characters: 8192 for EDGE and PRIVATE endpoints, 10240 for REGIONAL
// (the quota page above).
func MaxURLLength(endpointType string) int {
	if endpointType == "REGIONAL" {
		return 10240
	}
	return 8192
}

// overQuota is the status and message of a request past API Gateway's URL
// or header quotas; "" when within them. AWS documents the quotas, not the
// status it answers with: 414 for a URL (what it answers for a method ARN
// that grows too long) and 431 for headers are the runner's choice.
func overQuota(r *http.Request, endpointType string) (int, string) {
	url := "https://" + r.Host + r.URL.RequestURI()
	if n, max := len(url), MaxURLLength(endpointType); n > max {
		return 414, fmt.Sprintf("the URL is %d characters; API Gateway allows %d for a %s API", n, max, endpointType)
	}
	size := len("Host: \r\n") + len(r.Host)
	for k, vs := range r.Header {
		for _, v := range vs {
			size += len(k) + len(": ") + len(v) + len("\r\n")
		}
	}
	max := MaxHeaderBytes
	if endpointType == "PRIVATE" {
		max = MaxPrivateHeaderBytes
	}
	if size > max {
		return 431, fmt.Sprintf("the headers are %d bytes; API Gateway allows %d in all", size, max)
	}
	return 0, ""
}

// IdleTimeout is how long API Gateway lets a stream send nothing.
func IdleTimeout(endpointType string) time.Duration {
	if endpointType == "EDGE" {
		return 30 * time.Second
	}
	return 5 * time.Minute
}

// gateway serves one API on its own listener, as API Gateway serves a stage.
type gateway struct {
	api    *loader.API
	pools  map[*loader.Function]*pool.Pool
	logs   io.Writer
	extras http.Handler // the /_streamgate/ page and endpoints
	// idle overrides IdleTimeout (tests shorten it).
	idle time.Duration
	// throttle is the stage's token bucket; nil: no throttling.
	throttle *tokenBucket
	// fast lifts the 2 MB/s cap of streams (-no-throttle).
	fast bool
	// recent are the last requests, for the page.
	recent *requestLog
	// guards check the methods' authorization, API keys and usage plans;
	// nil: every route is open.
	guards *guards
	// waf evaluates the stage's web ACL before anything else; nil: none.
	waf *wafEvaluator
	// s3 is where S3 service integrations go; nil: the runner has no S3.
	s3 *s3Target
	// sendEvent replaces invoke (tests read the event it is given).
	sendEvent func(w *statusRecorder, r *http.Request, route *loader.Route, requestID string, payload []byte)
}

// tokenBucket is API Gateway's throttling: burst tokens at most, refilled
// at rate per second; a request takes one, or is refused.
type tokenBucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newTokenBucket(rate float64, burst int) *tokenBucket {
	if rate <= 0 {
		return nil
	}
	b := float64(max(burst, 1))
	return &tokenBucket{rate: rate, burst: b, tokens: b}
}

func (b *tokenBucket) take(now time.Time) bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// fail answers as API Gateway does with an error of its own: a JSON
// {"message": ...}, with the headers of the API's gateway response for
// the error's type (or DEFAULT_4XX, DEFAULT_5XX), such as the CORS headers
// the constructs put there, and none that AWS would not add.
func (g *gateway) fail(w http.ResponseWriter, r *http.Request, status int, message string) {
	g.answerError(w, r, status, message, gatewayResponseTypes[status], map[int]string{403: "MissingAuthenticationTokenException", 413: "RequestEntityTooLarge",
		429: "TooManyRequestsException", 500: "InternalServerErrorException", 502: "InternalServerErrorException", 504: "IntegrationTimeout"}[status])
}

// answerError writes API Gateway's error answer: status and message, the
// headers of the gateway response of responseType (else DEFAULT_4XX or
// DEFAULT_5XX) and x-amzn-ErrorType errorType.
func (g *gateway) answerError(w http.ResponseWriter, r *http.Request, status int, message, responseType, errorType string) {
	g.answerErrorBody(w, r, status, map[string]string{"message": message}, responseType, errorType)
}

// answerErrorBody is answerError with another JSON body than
// {"message": ...}.
func (g *gateway) answerErrorBody(w http.ResponseWriter, r *http.Request, status int, body any, responseType, errorType string) {
	if gr := g.gatewayResponse(status, responseType); gr != nil {
		for name, v := range gr.Headers {
			if val := mappedValue(r, v); val != "" {
				w.Header().Set(name, val)
			}
		}
		if gr.Status != 0 {
			status = gr.Status
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if errorType != "" {
		w.Header().Set("x-amzn-ErrorType", errorType)
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// gatewayResponseTypes are the gateway response types of the errors the
// runner answers itself; the others fall back to DEFAULT_4XX or DEFAULT_5XX
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
var gatewayResponseTypes = map[int]string{403: "MISSING_AUTHENTICATION_TOKEN", 413: "REQUEST_TOO_LARGE", 429: "THROTTLED", 504: "INTEGRATION_TIMEOUT"}

func (g *gateway) gatewayResponse(status int, responseType string) *loader.GatewayResponse {
	if gr := g.api.GatewayResponses[responseType]; gr != nil {
		return gr
	}
	if status >= 500 {
		return g.api.GatewayResponses["DEFAULT_5XX"]
	}
	return g.api.GatewayResponses["DEFAULT_4XX"]
}

// mappedValue is a gateway response header's value for r: a quoted
// literal, or a request header (method.request.header.Name).
func mappedValue(r *http.Request, v string) string {
	if len(v) >= 2 && strings.HasPrefix(v, "'") && strings.HasSuffix(v, "'") {
		return v[1 : len(v)-1]
	}
	if name, ok := strings.CutPrefix(v, "method.request.header."); ok {
		return r.Header.Get(name)
	}
	return ""
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_streamgate/") && g.extras != nil {
		g.extras.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	requestID := lambdaenv.NewRequestID()
	w.Header().Set("x-amzn-RequestId", requestID)
	rec := &statusRecorder{ResponseWriter: w, start: start}
	mode := "-"
	var who *principal
	var refused *refusal
	var waf *wafVerdict
	defer func() {
		guard := ""
		switch {
		case refused != nil:
			guard = fmt.Sprintf(" [%s refused: %s]", refused.Guard, refused.Why)
		case who != nil && who.Guard != "NONE":
			guard = fmt.Sprintf(" [%s: %s]", who.Guard, who.Caller)
		}
		if waf != nil && (waf.Rule != nil || len(waf.Counted) > 0 || waf.blocked()) {
			guard += " [WAF " + waf.String() + "]"
		}
		fmt.Fprintf(g.logs, "%s %s %s %d %s %dB %v (%s)%s\n", start.Format("15:04:05.000"), r.Method, r.URL.RequestURI(), rec.status, mode, rec.bytes,
			time.Since(start).Round(time.Millisecond), requestID, guard)
		g.recent.add(requestRecord(r, rec, mode, requestID, start, who, refused, waf))
	}()

	if status, why := overQuota(r, g.api.EndpointType); status != 0 {
		fmt.Fprintf(g.logs, "%s %s: %s\n", r.Method, r.URL.Path, why)
		rec.ended(why)
		g.fail(rec, r, status, map[int]string{414: "Request-URI Too Long", 431: "Request Header Fields Too Large"}[status])
		return
	}
	var body []byte
	bodyRead := false
	if g.waf != nil {
		// WAF sees the request before API Gateway finds its route (waf.go),
		// body included: read it as the gateway does below.
		var err error
		if body, err = io.ReadAll(io.LimitReader(r.Body, MaxRequestPayload+1)); err != nil {
			g.fail(rec, r, 400, "could not read the request body")
			return
		}
		bodyRead = true
		if waf = g.waf.evaluate(r, body); waf.blocked() {
			mode = "WAF"
			rec.ended("WAF: " + waf.String())
			g.answerWAF(rec, r, waf)
			return
		}
		r = insertHeaders(r, waf.Insert)
	}
	stagePrefix := "/" + g.api.Stage
	path, ok := strings.CutPrefix(requestPath(r), stagePrefix)
	if !ok || path != "" && !strings.HasPrefix(path, "/") {
		g.fail(rec, r, 403, "Missing Authentication Token")
		return
	}
	if path == "" {
		path = "/"
	}
	route, params := match(g.api.Routes, r.Method, path)
	if route == nil {
		g.fail(rec, r, 403, "Missing Authentication Token")
		return
	}
	if !g.throttle.take(time.Now()) {
		// The stage's rate and burst (a token bucket), as API Gateway
		// applies them: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
		mode = "THROTTLED"
		g.fail(rec, r, 429, "Too Many Requests")
		return
	}
	if !bodyRead {
		var err error
		if body, err = io.ReadAll(io.LimitReader(r.Body, MaxRequestPayload+1)); err != nil {
			g.fail(rec, r, 400, "could not read the request body")
			return
		}
	}
	if len(body) > MaxRequestPayload {
		g.fail(rec, r, 413, "Request Entity Too Large")
		return
	}
	if who, refused = g.guard(r, route, body, requestID); refused != nil {
		mode = "REFUSED"
		rec.ended(refused.Why)
		g.refuse(rec, r, refused)
		return
	}
	switch route.Integration {
	case "MOCK", "AWS", "HTTP":
		mode = "BUFFERED"
		if route.Integration == "MOCK" {
			mode = "MOCK"
		}
		if route.Mapping != nil {
			g.mapped(rec, r, route, path, params, body, requestID, start, who)
			return
		}
		if route.Integration != "MOCK" {
			g.fail(rec, r, 500, "Internal server error")
			return
		}
		for k, v := range route.MockHeaders {
			rec.Header().Set(k, v)
		}
		if origin := r.Header.Get("Origin"); origin != "" && slices.Contains(route.MockOrigins, origin) {
			rec.Header().Set("Access-Control-Allow-Origin", origin)
		}
		rec.WriteHeader(route.MockStatus)
	case "HTTP_PROXY":
		mode = transferMode(route)
		g.proxyHTTP(rec, r, route, params, body)
	case "AWS_PROXY":
		mode = transferMode(route)
		event := g.event(r, route, path, params, body, requestID, start, who)
		payload, _ := json.Marshal(event)
		if len(payload) >= MaxInvokePayload {
			fmt.Fprintf(g.logs, "%s [%s %s] the event is %d bytes: Lambda refuses invocations of 6,291,456 bytes or more (RequestEntityTooLargeException)\n",
				route.Function.LogicalID, r.Method, route.Path, len(payload))
			g.fail(rec, r, 413, "Request Entity Too Large")
			return
		}
		invoke := g.invoke
		if g.sendEvent != nil {
			invoke = g.sendEvent
		}
		invoke(rec, r, route, requestID, payload)
	}
}

// requestPath is the path of r's request-target as the client sent it,
// percent-encoding kept (API Gateway passes "%2B" on as "%2B" in path,
// pathParameters and requestContext.path: [voker] in event.go, and the
// captures of its ingress-paths.json), with each run of slashes collapsed
// to one, as API Gateway does before it finds the stage and the resource.
func requestPath(r *http.Request) string {
	p := r.RequestURI
	if p == "" || p == "*" {
		p = r.URL.EscapedPath()
	} else if !strings.HasPrefix(p, "/") {
		// absolute-form: scheme://authority/path
		if u, err := url.Parse(p); err == nil {
			p = u.EscapedPath()
		}
	}
	p, _, _ = strings.Cut(p, "?")
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && i > 0 && p[i-1] == '/' {
			continue
		}
		b.WriteByte(p[i])
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

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

// match finds the route for method and path: literal segments before
// {params}, {proxy+} last, as API Gateway chooses; ANY matches every method.
func match(routes []*loader.Route, method, path string) (*loader.Route, map[string]string) {
	segs := splitPath(path)
	var best *loader.Route
	var bestParams map[string]string
	bestScore := -1
	for _, rt := range routes {
		if rt.Method != method && rt.Method != "ANY" {
			continue
		}
		params, score, ok := matchPath(splitPath(rt.Path), segs)
		if !ok {
			continue
		}
		if rt.Method == method {
			score++ // an exact method beats ANY on the same resource
		}
		if score > bestScore {
			best, bestParams, bestScore = rt, params, score
		}
	}
	return best, bestParams
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// matchPath scores a match: 4 per literal segment, 2 per parameter, 0 for
// a greedy tail.
func matchPath(tmpl, segs []string) (map[string]string, int, bool) {
	params := map[string]string{}
	score := 0
	for i, t := range tmpl {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "+}") {
			if i >= len(segs) {
				return nil, 0, false
			}
			params[t[1:len(t)-2]] = strings.Join(segs[i:], "/")
			return params, score, true
		}
		if i >= len(segs) {
			return nil, 0, false
		}
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			// As received: API Gateway does not decode path parameters
			// ([voker] in event.go: {"proxy": "capture/space%20value"}).
			params[t[1:len(t)-1]] = segs[i]
			score += 2
			continue
		}
		if lit, err := url.PathUnescape(segs[i]); t != segs[i] && (err != nil || t != lit) {
			return nil, 0, false
		}
		score += 4
	}
	if len(tmpl) != len(segs) {
		return nil, 0, false
	}
	return params, score*16 + len(tmpl), true
}

// binary reports whether API Gateway would pass a body of this type to the
// function base64-encoded (the API's binary media types).
func (g *gateway) binary(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	for _, b := range g.api.BinaryTypes {
		if b == "*/*" || b == mt || strings.HasSuffix(b, "/*") && strings.HasPrefix(mt, strings.TrimSuffix(b, "*")) {
			return true
		}
	}
	return false
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

// Buffers of streamed responses, reused: a tiny response should not cost
// its size in garbage.
var (
	streamReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}
	streamBuffers = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}
)

// stream forwards a streamed response as API Gateway does with STREAM:
// status and headers from the prelude, then each chunk as it arrives.
func (g *gateway) stream(w *statusRecorder, r *http.Request, route *loader.Route, tag string, inv *pool.Invocation, ctx context.Context) {
	body := inv.Response.Body
	defer body.Close()
	// Until the prelude arrives, the integration timeout applies; after it,
	// the idle timeout between chunks and 15 minutes in all.
	preludeCh := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			body.Close()
		case <-preludeCh:
		}
	}()
	br := streamReaders.Get().(*bufio.Reader)
	br.Reset(body)
	defer func() { br.Reset(nil); streamReaders.Put(br) }()
	if inv.Response.ContentType != runtimeapi.StreamingContentType {
		// A buffered proxy response on a streaming route: API Gateway
		// finds no prelude in it.
		fmt.Fprintf(g.logs, "%s [%s] the function answered %q, not a streamed response; API Gateway answers 502\n", route.Function.LogicalID, tag, inv.Response.ContentType)
		g.fail(w, r, 502, "Internal server error")
		return
	}
	prelude, err := ReadPrelude(br)
	close(preludeCh)
	if err != nil {
		status := 502
		switch {
		case ctx.Err() == context.DeadlineExceeded:
			status = 504
		case inv.Err() != nil:
			err = inv.Err()
		}
		fmt.Fprintf(g.logs, "%s [%s] %v\n", route.Function.LogicalID, tag, err)
		if status == 504 {
			g.fail(w, r, 504, "Endpoint request timed out")
		} else {
			g.fail(w, r, 502, "Internal server error")
		}
		return
	}
	writeHeaders(w, prelude.Headers, prelude.MultiValueHeaders, prelude.Cookies)
	w.WriteHeader(prelude.StatusCode)
	flusher, _ := w.ResponseWriter.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}
	idle := g.idle
	if idle == 0 {
		idle = IdleTimeout(route.API.EndpointType)
	}
	total := min(time.Duration(route.TimeoutMillis)*time.Millisecond, MaxStreamDuration)
	idleTimer := time.AfterFunc(idle, func() {
		fmt.Fprintf(g.logs, "%s [%s] nothing sent for %v: API Gateway's idle timeout for %s cuts the stream\n", route.Function.LogicalID, tag, idle, route.API.EndpointType)
		w.ended(fmt.Sprintf("cut: idle timeout (%v)", idle))
		body.Close()
	})
	defer idleTimer.Stop()
	totalTimer := time.AfterFunc(total, func() {
		fmt.Fprintf(g.logs, "%s [%s] the stream reached %v: cut\n", route.Function.LogicalID, tag, total)
		w.ended(fmt.Sprintf("cut: %v in all", total))
		body.Close()
	})
	defer totalTimer.Stop()
	// Flush when nothing more is waiting: a fast function's chunks go to
	// the client in one write and flush, a slow one's each at once.
	pending, _ := body.(interface{ Pending() bool })
	bp := streamBuffers.Get().(*[]byte)
	defer streamBuffers.Put(bp)
	buf := *bp
	capper := &streamCap{uncapped: LambdaUncapped, off: g.fast}
	for {
		n, err := br.Read(buf)
		if n > 0 {
			if capper.sent+int64(n) > MaxStreamedResponse {
				// Lambda ends a streamed response at 200 MB: the client sees
				// the stream cut.
				fmt.Fprintf(g.logs, "%s [%s] the stream passed Lambda's 200 MB streamed response limit: cut\n", route.Function.LogicalID, tag)
				w.ended("cut: Lambda's 200 MB limit")
				w.Write(buf[:MaxStreamedResponse-capper.sent])
				panic(http.ErrAbortHandler)
			}
			capper.wait(n)
			idleTimer.Reset(idle)
			if _, werr := w.Write(buf[:n]); werr != nil {
				w.ended("client went away")
				return // the client went away: closing the body stops the producer
			}
			if flusher != nil && (pending == nil || br.Buffered() == 0 && !pending.Pending()) {
				flusher.Flush()
			}
		}
		if err != nil {
			typ, errBody := inv.Response.Trailers()
			if err == io.EOF && typ == "" && inv.Err() == nil {
				w.ended("complete")
				return
			}
			cause := err
			if typ != "" {
				decoded, _ := base64.StdEncoding.DecodeString(errBody)
				cause = fmt.Errorf("%s: %s", typ, decoded)
			} else if e := inv.Err(); e != nil {
				cause = e
			}
			// Status and headers are gone: all API Gateway can do is cut the
			// connection, and the client sees a stream that ends too early.
			fmt.Fprintf(g.logs, "%s [%s] stream failed midway: %v\n", route.Function.LogicalID, tag, cause)
			if typ != "" {
				w.ended("cut: the function's error trailers: " + typ)
			} else {
				w.ended(fmt.Sprintf("cut: %v", cause))
			}
			panic(http.ErrAbortHandler)
		}
	}
}

// cappedWriter holds an HTTP backend's stream to API Gateway's rate.
type cappedWriter struct {
	*statusRecorder
	cap *streamCap
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	c.cap.wait(len(p))
	return c.statusRecorder.Write(p)
}

// streamCap holds a stream to StreamRate once its uncapped start is sent.
type streamCap struct {
	uncapped int64
	off      bool
	sent     int64
	since    time.Time // when the cap began
}

// wait sleeps until n more bytes may leave, and counts them.
func (c *streamCap) wait(n int) {
	c.sent += int64(n)
	if c.off || c.sent <= c.uncapped {
		return
	}
	if c.since.IsZero() {
		c.since = time.Now()
	}
	due := c.since.Add(time.Duration(float64(c.sent-c.uncapped) / StreamRate * float64(time.Second)))
	if d := time.Until(due); d > 0 {
		time.Sleep(d)
	}
}

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

// proxyHTTP forwards to an HTTP backend (HTTP_PROXY), streaming or not.
func (g *gateway) proxyHTTP(w *statusRecorder, r *http.Request, route *loader.Route, params map[string]string, body []byte) {
	target := route.HTTPURL
	for k, v := range params {
		target = strings.ReplaceAll(target, "{"+k+"}", v)
	}
	u, err := url.Parse(target)
	if err != nil {
		g.fail(w, r, 502, "Internal server error")
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
			if errors.Is(err, context.DeadlineExceeded) {
				g.fail(w, r, 504, "Endpoint request timed out")
				return
			}
			g.fail(w, r, 502, "Internal server error")
		},
	}
	var out http.ResponseWriter = w
	if route.Stream {
		proxy.FlushInterval = -1
		out = &cappedWriter{statusRecorder: w, cap: &streamCap{uncapped: GatewayUncapped, off: g.fast}}
	}
	proxy.ServeHTTP(out, r.WithContext(ctx))
}

// statusRecorder remembers the status, size, first byte and end of an
// answer, for the access log line and the page's request list.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	start  time.Time
	first  time.Duration // first body byte, since start
	end    atomic.Pointer[string]
}

// ended says how the answer ended, once (the first reason stands).
func (s *statusRecorder) ended(why string) { s.end.CompareAndSwap(nil, &why) }

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = 200
	}
	if s.first == 0 && len(b) > 0 {
		s.first = max(time.Since(s.start), time.Microsecond)
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
