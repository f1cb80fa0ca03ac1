package devserver

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/streamgate/streamgate/internal/devserver/lambdaenv"
	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/internal/devserver/pool"
)

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
