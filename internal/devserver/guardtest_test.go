package devserver

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// guardedAPI serves an API through the runner's gateway and guards on a
// real listener; the function is a hook that records each event, so a
// test sees whether a request reached it and what it was given.
type guardedAPI struct {
	url   string
	g     *gateway
	gs    *guards
	logs  *lockedBuffer
	calls eventLog
}

// lockedBuffer is the gateway's log, read by the tests while it writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything logged so far (since the last take).
func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// take returns what was logged since the last call.
func (l *lockedBuffer) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	l.b.Reset()
	return s
}

// testResponses are gateway responses for each type the Cognito and API
// key guards answer with, each naming itself in X-Gateway-Response, with
// the CORS header the constructs add.
func testResponses() map[string]*loader.GatewayResponse {
	out := map[string]*loader.GatewayResponse{}
	for _, typ := range []string{"DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED", "INVALID_API_KEY", "THROTTLED", "QUOTA_EXCEEDED"} {
		out[typ] = &loader.GatewayResponse{Headers: map[string]string{
			"Access-Control-Allow-Origin": "method.request.header.Origin", "X-Gateway-Response": "'" + typ + "'"}}
	}
	return out
}

// route adds an AWS_PROXY route to api.
func addRoute(api *loader.API, method, path string, set func(r *loader.Route)) *loader.Route {
	r := &loader.Route{API: api, Method: method, Path: path, Resource: path, Authorization: "NONE", Integration: "AWS_PROXY",
		TimeoutMillis: 29000, Function: &loader.Function{LogicalID: "Fn", Timeout: 3}}
	if set != nil {
		set(r)
	}
	api.Routes = append(api.Routes, r)
	return r
}

// startGuardedAPI serves api; prepare may change the guards (their clocks)
// before the first request.
func startGuardedAPI(t testing.TB, api *loader.API, o Options, prepare ...func(*guards)) *guardedAPI {
	t.Helper()
	gs, _, err := newGuards([]*loader.API{api}, o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range prepare {
		p(gs)
	}
	s := &guardedAPI{gs: gs, logs: &lockedBuffer{}}
	s.g = &gateway{api: api, logs: s.logs, guards: gs, recent: &requestLog{}, waf: newWAFEvaluator(api.WAF, o)}
	s.url = serveGateway(t, s.g, &s.calls) + "/" + api.Stage
	return s
}

// eventLog keeps the events a gateway's function was given, for a test to
// take.
type eventLog struct {
	mu     sync.Mutex
	events [][]byte
}

func (l *eventLog) add(payload []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, payload)
}

// take returns the events since the last call.
func (l *eventLog) take() [][]byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev := l.events
	l.events = nil
	return ev
}

// serveGateway serves g on a new loopback listener until the test ends,
// its function replaced by calls, which keeps each invocation's event (the
// request then answers 200); it returns http://127.0.0.1:port.
func serveGateway(tb testing.TB, g *gateway, calls *eventLog) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	g.sendEvent = func(w *statusRecorder, r *http.Request, route *loader.Route, requestID string, payload []byte) {
		calls.add(payload)
		w.WriteHeader(200)
	}
	srv := &http.Server{Handler: g, ReadHeaderTimeout: 10 * time.Second}
	go g.serve(srv, ln)
	tb.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// testClock is a guard's clock that a test moves while requests run.
type testClock struct{ ns atomic.Int64 }

func newTestClock(t time.Time) *testClock {
	c := &testClock{}
	c.set(t)
	return c
}

func (c *testClock) now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *testClock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *testClock) add(d time.Duration) { c.ns.Add(int64(d)) }

// invoked returns the events the function got since the last call.
func (s *guardedAPI) invoked() [][]byte { return s.calls.take() }

// answer is what a client got.
type answer struct {
	status int
	header http.Header
	body   string
}

// get sends GET path with the headers (name, value, name, value...).
func (s *guardedAPI) get(t testing.TB, path string, headers ...string) answer {
	t.Helper()
	r, err := http.NewRequest("GET", s.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Origin", "https://app.example")
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// checkRefusal fails t unless a is API Gateway's refusal: status, exactly
// {"message": message}, x-amzn-ErrorType and the gateway response's
// headers.
func checkRefusal(t testing.TB, a answer, status int, message, errorType, responseType string) {
	t.Helper()
	want, _ := json.Marshal(map[string]string{"message": message})
	if a.status != status || strings.TrimSpace(a.body) != string(want) {
		t.Errorf("answer %d %s, want %d %s", a.status, a.body, status, want)
	}
	if got := a.header.Get("x-amzn-ErrorType"); got != errorType {
		t.Errorf("x-amzn-ErrorType %q, want %q", got, errorType)
	}
	if got := a.header.Get("X-Gateway-Response"); got != responseType {
		t.Errorf("gateway response %q, want %q", got, responseType)
	}
	if got := a.header.Get("Access-Control-Allow-Origin"); got != "https://app.example" {
		t.Errorf("Access-Control-Allow-Origin %q: the gateway response's headers are missing", got)
	}
	if got := a.header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q", got)
	}
}

// requestContext is the event's requestContext.
func requestContext(t testing.TB, event []byte) map[string]any {
	t.Helper()
	var ev struct {
		RequestContext map[string]any `json:"requestContext"`
	}
	if err := json.Unmarshal(event, &ev); err != nil {
		t.Fatal(err)
	}
	return ev.RequestContext
}
