package devserver

import (
	"fmt"
	"io"
	"net/http"
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

// exchange is one request on its way through the gateway: what each step
// learned, for the steps after it and for the access log line.
type exchange struct {
	r         *http.Request
	w         *statusRecorder
	requestID string
	start     time.Time
	// mode is how the request was answered, for the log and the page:
	// STREAMED, BUFFERED, MOCK, THROTTLED, REFUSED, WAF; "-" until known.
	mode string
	// body is the request's body once bodyRead: at most one byte past
	// MaxRequestPayload.
	body     []byte
	bodyRead bool
	waf      *wafVerdict // the web ACL's verdict; nil without one
	route    *loader.Route
	path     string            // below the stage, as received (requestPath)
	params   map[string]string // the route's path parameters
	who      *principal        // whom the guards let through
	refused  *refusal          // why a guard refused the request
}

// ServeHTTP answers as API Gateway answers a stage: its checks before the
// integration, in its order (quotas, the web ACL, the route, throttling,
// the payload limit, the method's guards), then the route's integration.
// A step that stops the request answers it.
func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_streamgate/") && g.extras != nil {
		g.extras.ServeHTTP(w, r)
		return
	}
	x := g.begin(w, r)
	defer g.record(x)
	if g.withinQuotas(x) && g.passWAF(x) && g.findRoute(x) && g.takeToken(x) && g.readBody(x) && g.withinPayload(x) && g.passGuards(x) {
		g.integrate(x)
	}
}

// begin gives the request its id, which the answer carries as
// x-amzn-RequestId, and a recorder of the answer.
func (g *gateway) begin(w http.ResponseWriter, r *http.Request) *exchange {
	start := time.Now()
	x := &exchange{r: r, requestID: lambdaenv.NewRequestID(), start: start, mode: "-"}
	w.Header().Set("x-amzn-RequestId", x.requestID)
	x.w = &statusRecorder{ResponseWriter: w, start: start}
	return x
}

// withinQuotas refuses a request past API Gateway's URL or header quotas.
func (g *gateway) withinQuotas(x *exchange) bool {
	status, why := overQuota(x.r, g.api.EndpointType)
	if status == 0 {
		return true
	}
	fmt.Fprintf(g.logs, "%s %s: %s\n", x.r.Method, x.r.URL.Path, why)
	x.w.ended(why)
	g.fail(x.w, x.r, status, map[int]string{414: "Request-URI Too Long", 431: "Request Header Fields Too Large"}[status])
	return false
}

// passWAF evaluates the stage's web ACL, which sees the request, body
// included, before API Gateway finds its route (waf.go); the headers its
// rules insert reach the integration.
func (g *gateway) passWAF(x *exchange) bool {
	if g.waf == nil {
		return true
	}
	if !g.readBody(x) {
		return false
	}
	if x.waf = g.waf.evaluate(x.r, x.body); x.waf.blocked() {
		x.mode = "WAF"
		x.w.ended("WAF: " + x.waf.String())
		g.answerWAF(x.w, x.r, x.waf)
		return false
	}
	x.r = insertHeaders(x.r, x.waf.Insert)
	return true
}

// findRoute finds the method the path below the stage names; API Gateway
// answers 403 Missing Authentication Token for a path outside the stage or
// a method it does not have.
func (g *gateway) findRoute(x *exchange) bool {
	path, ok := stagePath(x.r, g.api.Stage)
	if ok {
		x.route, x.params = match(g.api.Routes, x.r.Method, path)
	}
	if x.route == nil {
		g.fail(x.w, x.r, 403, "Missing Authentication Token")
		return false
	}
	x.path = path
	return true
}

// takeToken applies the stage's rate and burst (a token bucket), as API
// Gateway applies them:
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
func (g *gateway) takeToken(x *exchange) bool {
	if g.throttle.take(time.Now()) {
		return true
	}
	x.mode = "THROTTLED"
	g.fail(x.w, x.r, 429, "Too Many Requests")
	return false
}

// readBody reads the request's body once, up to one byte past API
// Gateway's payload limit (withinPayload refuses it then).
func (g *gateway) readBody(x *exchange) bool {
	if x.bodyRead {
		return true
	}
	body, err := io.ReadAll(io.LimitReader(x.r.Body, MaxRequestPayload+1))
	if err != nil {
		g.fail(x.w, x.r, 400, "could not read the request body")
		return false
	}
	x.body, x.bodyRead = body, true
	return true
}

// withinPayload refuses a body over API Gateway's 10 MB.
func (g *gateway) withinPayload(x *exchange) bool {
	if len(x.body) <= MaxRequestPayload {
		return true
	}
	g.fail(x.w, x.r, 413, "Request Entity Too Large")
	return false
}

// passGuards runs the method's guards (guard.go): IAM, an authorizer, an
// API key and its usage plan.
func (g *gateway) passGuards(x *exchange) bool {
	if x.who, x.refused = g.guard(x.r, x.route, x.body, x.requestID); x.refused == nil {
		return true
	}
	x.mode = "REFUSED"
	x.w.ended(x.refused.Why)
	g.refuse(x.w, x.r, x.refused)
	return false
}

// integrate hands the request to its route's integration.
func (g *gateway) integrate(x *exchange) {
	switch x.route.Integration {
	case "MOCK", "AWS", "HTTP":
		x.mode = "BUFFERED"
		if x.route.Integration == "MOCK" {
			x.mode = "MOCK"
		}
		if x.route.Mapping != nil {
			g.mapped(x)
			return
		}
		g.mock(x)
	case "HTTP_PROXY":
		x.mode = transferMode(x.route)
		g.proxyHTTP(x.w, x.r, x.route, x.params, x.body)
	case "AWS_PROXY":
		x.mode = transferMode(x.route)
		g.lambdaProxy(x)
	}
}
