package devserver

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// The events the runner sends are compared key by key with golden events in
// testdata/events/*.json, modelled on events recorded from deployed REST
// APIs (the sources are listed at the top of event.go). A golden string
// "$NAME" stands for a value the runner cannot know in advance: each is
// checked for its format (and type) instead; every other key, type and
// value must be equal, and no key may be missing or added.

// eventCase is one request, written byte for byte as a client would send it.
type eventCase struct {
	name   string
	golden string // testdata/events/<golden>.json
	// raw is the request with $HOST for the runner's host:port.
	raw string
}

var eventCases = []eventCase{
	// python-requests' defaults (requests.post(url, json=...)): Connection
	// and Content-Length do not reach the function; X-Forwarded-* and
	// X-Amzn-Trace-Id are added ([py-requests]).
	{"python-requests POST", "python-requests-post", "POST /prod/files HTTP/1.1\r\nHost: $HOST\r\nUser-Agent: python-requests/2.32.3\r\nAccept-Encoding: gzip, deflate\r\nAccept: */*\r\nConnection: keep-alive\r\nContent-Length: 13\r\nContent-Type: application/json\r\n\r\n{\"file\": \"f\"}"},
	// Header names keep the client's case; Host and User-Agent are API
	// Gateway's own ([voker], [lambda-docs]).
	{"odd header casing", "header-casing", "GET /prod/files/report HTTP/1.1\r\nhost: $HOST\r\ntEsT-HEADeR: v1\r\nuser-agent: curl/8.7.1\r\naccept: */*\r\ncontent-type: application/json\r\n\r\n"},
	// A repeated header: the last value in headers, all in multiValueHeaders ([voker]).
	{"repeated header", "repeated-header", "GET /prod/files/report HTTP/1.1\r\nHost: $HOST\r\nx-probe: first\r\nUser-Agent: t\r\nx-probe: second\r\n\r\n"},
	// Repeated and encoded query keys ([voker]).
	{"repeated query keys", "repeated-query", "GET /prod/files/report?repeat=one&empty=&encodedPlus=a%2Bb&literalPlus=a+b&redirect=https%3A%2F%2Fexample.com%2Fa%2Fb&repeat=two HTTP/1.1\r\nHost: $HOST\r\nUser-Agent: t\r\n\r\n"},
	// A semicolon splits the query as & does (API Gateway important notes).
	{"semicolon in the query", "semicolon-query", "GET /prod/files/report?a=1;b=2 HTTP/1.1\r\nHost: $HOST\r\nUser-Agent: t\r\n\r\n"},
	// %2B stays %2B in path, pathParameters and requestContext.path ([voker]).
	{"percent-encoded path", "encoded-path", "GET /prod/files/a%2Bb HTTP/1.1\r\nHost: $HOST\r\nUser-Agent: t\r\n\r\n"},
	// A greedy parameter keeps the encoding too ([voker]: {"proxy": "capture/space%20value"}).
	{"encoded greedy path", "encoded-proxy", "POST /prod/capture/space%20value HTTP/1.1\r\nHost: $HOST\r\nUser-Agent: curl/8.7.1\r\naccept: */*\r\ncontent-type: application/json\r\nContent-Length: 2\r\n\r\n{}"},
	// Doubled slashes, after the stage and before it: collapsed, and the
	// function is invoked.
	{"doubled slash after the stage", "doubled-slash", "GET /prod//files//report HTTP/1.1\r\nHost: $HOST\r\nUser-Agent: t\r\n\r\n"},
	{"doubled slash before the stage", "doubled-slash", "GET //prod/files/report HTTP/1.1\r\nHost: $HOST\r\nUser-Agent: t\r\n\r\n"},
	// The root resource, no query, no body: nulls ([lambda-docs]).
	{"root resource", "root", "GET /prod/ HTTP/1.1\r\nHost: $HOST\r\nUser-Agent: Mozilla/5.0\r\naccept-language: en-US,en;q=0.9\r\n\r\n"},
	// A chunked body: no Transfer-Encoding in the event.
	{"chunked body", "chunked-body", "POST /prod/files HTTP/1.1\r\nHost: $HOST\r\nUser-Agent: t\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"},
	// The client's own X-Forwarded-For and trace header.
	{"client forwarding headers", "client-forwarded", "GET /prod/files/report HTTP/1.1\r\nHost: $HOST\r\nUser-Agent: t\r\nx-forwarded-for: 203.0.113.7\r\nX-Amzn-Trace-Id: Root=1-5f2330a4-6a0de1cd0e17c0508d386a64\r\nX-Forwarded-Proto: ftp\r\n\r\n"},
	// A binary media type: base64 and isBase64Encoded true.
	{"binary body", "binary-body", "PUT /prod/files/blob HTTP/1.1\r\nHost: $HOST\r\nUser-Agent: t\r\nContent-Type: image/png\r\nContent-Length: 4\r\n\r\n\x89PNG"},
}

// eventAPI is the API the cases run against; stream sets every route's
// transfer mode.
func eventAPI(stream bool) *loader.API {
	api := &loader.API{Stack: "EventStack", LogicalID: "Api", Stage: "prod", EndpointType: "REGIONAL",
		BinaryTypes: []string{"image/png"}, StageVariables: map[string]string{"env": "local"}}
	fn := &loader.Function{LogicalID: "Fn", Timeout: 3}
	for _, r := range []struct{ method, path string }{
		{"GET", "/"}, {"POST", "/files"}, {"GET", "/files/{name}"}, {"PUT", "/files/{name}"}, {"ANY", "/{proxy+}"},
	} {
		api.Routes = append(api.Routes, &loader.Route{API: api, Method: r.method, Path: r.path, Resource: r.path,
			Integration: "AWS_PROXY", Stream: stream, TimeoutMillis: 29000, Function: fn})
	}
	return api
}

// eventServer serves api on a loopback port as the runner does, and hands
// each event to the test instead of a function.
type eventServer struct {
	addr   string
	mu     sync.Mutex
	events [][]byte
}

func startEventServer(t *testing.T, api *loader.API) *eventServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	es := &eventServer{addr: ln.Addr().String()}
	g := &gateway{api: api, logs: io.Discard}
	g.sendEvent = func(w *statusRecorder, r *http.Request, route *loader.Route, requestID string, payload []byte) {
		es.mu.Lock()
		es.events = append(es.events, payload)
		es.mu.Unlock()
		w.WriteHeader(200)
	}
	srv := &http.Server{Handler: g, ReadHeaderTimeout: 10 * time.Second}
	go g.serve(srv, ln)
	t.Cleanup(func() { srv.Close() })
	return es
}

func (es *eventServer) take(t *testing.T) []byte {
	t.Helper()
	es.mu.Lock()
	defer es.mu.Unlock()
	if len(es.events) == 0 {
		t.Fatal("the function was not invoked")
	}
	ev := es.events[0]
	es.events = es.events[1:]
	return ev
}

// send writes raw requests on one connection and reads as many responses.
func (es *eventServer) send(t *testing.T, n int, raw string) []*http.Response {
	t.Helper()
	c, err := net.Dial("tcp", es.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, strings.ReplaceAll(raw, "$HOST", es.addr)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	var out []*http.Response
	for range n {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		out = append(out, resp)
	}
	return out
}

func TestEventAsAPIGatewaySendsIt(t *testing.T) {
	for _, mode := range []string{"BUFFERED", "STREAM"} {
		es := startEventServer(t, eventAPI(mode == "STREAM"))
		for _, tc := range eventCases {
			t.Run(mode+"/"+tc.name, func(t *testing.T) {
				start := time.Now()
				resp := es.send(t, 1, tc.raw)[0]
				if resp.StatusCode != 200 {
					t.Fatalf("status %d", resp.StatusCode)
				}
				got := es.take(t)
				want := readGolden(t, tc.golden, es.addr)
				checks := placeholderChecks(es.addr, resp.Header.Get("x-amzn-RequestId"), start, time.Now())
				if diffs := diffJSON("", want, decodeJSON(t, got), checks); len(diffs) > 0 {
					t.Errorf("event differs from testdata/events/%s.json (-want +got):\n%s\nevent: %s", tc.golden, strings.Join(diffs, "\n"), got)
				}
				// Handlers read it with aws-lambda-go.
				var ev events.APIGatewayProxyRequest
				if err := json.Unmarshal(got, &ev); err != nil {
					t.Fatalf("does not decode into events.APIGatewayProxyRequest: %v", err)
				}
				if ev.RequestContext.Stage != "prod" || ev.Headers["Host"] != es.addr {
					t.Errorf("decoded: %+v", ev)
				}
			})
		}
	}
}

// TestEventsOfPipelinedRequests: requests sent back to back on one
// connection, with bodies of both framings, each get their own raw head.
func TestEventsOfPipelinedRequests(t *testing.T) {
	es := startEventServer(t, eventAPI(false))
	raw := "POST /prod/files HTTP/1.1\r\nHost: $HOST\r\nx-ONE: 1\r\nContent-Length: 5\r\n\r\nhello" +
		"POST /prod/files HTTP/1.1\r\nHost: $HOST\r\nx-TWO: 2\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n" +
		"\r\nGET /prod/files/a%2Bb HTTP/1.1\r\nHost: $HOST\r\nx-THREE: 3\r\nX-Big: " + strings.Repeat("b", 9000) + "\r\n\r\n"
	for i, resp := range es.send(t, 3, raw) {
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
	}
	for i, want := range []struct{ header, body, path string }{{"x-ONE", "hello", "/files"}, {"x-TWO", "world", "/files"}, {"x-THREE", "", "/files/a%2Bb"}} {
		var ev struct {
			Path    string
			Body    *string
			Headers map[string]string
		}
		json.Unmarshal(es.take(t), &ev)
		if _, ok := ev.Headers[want.header]; !ok || ev.Path != want.path || (ev.Body == nil) != (want.body == "") || ev.Body != nil && *ev.Body != want.body {
			t.Errorf("request %d: path %q, body %v, headers %v; want %s, %q, %q", i, ev.Path, ev.Body, keys(ev.Headers), want.path, want.body, want.header)
		}
	}
}

// TestEventResourceIDs: one id per resource, shared by its methods, six
// characters (ten for the root), as API Gateway's.
func TestEventResourceIDs(t *testing.T) {
	es := startEventServer(t, eventAPI(false))
	ids := map[string]string{}
	for _, req := range []string{"GET /prod/", "POST /prod/files", "GET /prod/files/a", "PUT /prod/files/b", "DELETE /prod/other/x"} {
		es.send(t, 1, req+" HTTP/1.1\r\nHost: $HOST\r\nContent-Length: 0\r\n\r\n")
		var ev events.APIGatewayProxyRequest
		json.Unmarshal(es.take(t), &ev)
		rc := ev.RequestContext
		n := 6
		if rc.ResourcePath == "/" {
			n = 10
		}
		if !regexp.MustCompile(fmt.Sprintf(`^[0-9a-z]{%d}$`, n)).MatchString(rc.ResourceID) {
			t.Errorf("%s: resourceId %q", req, rc.ResourceID)
		}
		if prev, ok := ids[rc.ResourcePath]; ok && prev != rc.ResourceID {
			t.Errorf("%s: resource %s has ids %q and %q", req, rc.ResourcePath, prev, rc.ResourceID)
		}
		for path, id := range ids {
			if path != rc.ResourcePath && id == rc.ResourceID {
				t.Errorf("resources %s and %s share the id %q", path, rc.ResourcePath, id)
			}
		}
		ids[rc.ResourcePath] = rc.ResourceID
	}
	if len(ids) != 4 {
		t.Errorf("resources: %v", ids)
	}
}

// TestEventWithoutRawHead: a request whose head the runner could not read
// (here: one made without a connection) still gets a whole event, with
// net/http's canonical names.
func TestEventWithoutRawHead(t *testing.T) {
	api := eventAPI(false)
	var got []byte
	g := &gateway{api: api, logs: io.Discard, sendEvent: func(w *statusRecorder, r *http.Request, route *loader.Route, requestID string, payload []byte) {
		got = payload
		w.WriteHeader(200)
	}}
	r := httptest.NewRequest("GET", "/prod/files/report", nil)
	r.Header.Set("x-test", "1")
	g.ServeHTTP(httptest.NewRecorder(), r)
	var ev map[string]any
	if err := json.Unmarshal(got, &ev); err != nil {
		t.Fatal(err)
	}
	h, _ := ev["headers"].(map[string]any)
	if h["X-Test"] != "1" || h["Host"] != "example.com" || ev["body"] != nil || ev["isBase64Encoded"] != false {
		t.Errorf("event: %s", got)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func readGolden(t *testing.T, name, host string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "events", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(host)
	b = bytes.ReplaceAll(b, []byte("$HOST"), []byte(host))
	b = bytes.ReplaceAll(b, []byte("$PORT"), []byte(port))
	return decodeJSON(t, b)
}

func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

// placeholderChecks check the values a golden event cannot spell out.
func placeholderChecks(host, requestID string, start, end time.Time) map[string]func(any) bool {
	str := func(re string) func(any) bool {
		return func(v any) bool { s, ok := v.(string); return ok && regexp.MustCompile(re).MatchString(s) }
	}
	return map[string]func(any) bool{
		// The id the client also gets in x-amzn-RequestId.
		"$REQUEST_ID": func(v any) bool {
			return v == requestID && str(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)(v)
		},
		"$EXTENDED_REQUEST_ID": str(`^[A-Za-z0-9+/]{15}=$`),
		"$TRACE_ID":            str(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$`),
		"$REQUEST_TIME": func(v any) bool {
			s, _ := v.(string)
			tm, err := time.Parse("02/Jan/2006:15:04:05 -0700", s)
			return err == nil && strings.HasSuffix(s, " +0000") && !tm.Before(start.Truncate(time.Second)) && !tm.After(end)
		},
		"$REQUEST_TIME_EPOCH": func(v any) bool {
			n, ok := v.(json.Number)
			ms, err := strconv.ParseInt(string(n), 10, 64)
			return ok && err == nil && ms >= start.UnixMilli() && ms <= end.UnixMilli()
		},
	}
}

// diffJSON lists every difference between want and got: a missing or extra
// key, another type (null included), another value. A want string naming
// a placeholder is checked by its function.
func diffJSON(path string, want, got any, checks map[string]func(any) bool) []string {
	if s, ok := want.(string); ok && strings.HasPrefix(s, "$") {
		if check, ok := checks[s]; ok {
			if !check(got) {
				return []string{fmt.Sprintf("%s: want %s, got %s", path, s, show(got))}
			}
			return nil
		}
	}
	if reflect.TypeOf(want) != reflect.TypeOf(got) {
		return []string{fmt.Sprintf("%s:\n-  %s\n+  %s", path, show(want), show(got))}
	}
	var out []string
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		for _, k := range keys(w) {
			if _, ok := g[k]; !ok {
				out = append(out, fmt.Sprintf("%s.%s: missing (want %s)", path, k, show(w[k])))
				continue
			}
			out = append(out, diffJSON(path+"."+k, w[k], g[k], checks)...)
		}
		for _, k := range keys(g) {
			if _, ok := w[k]; !ok {
				out = append(out, fmt.Sprintf("%s.%s: unexpected, %s", path, k, show(g[k])))
			}
		}
	case []any:
		g := got.([]any)
		if len(w) != len(g) {
			return []string{fmt.Sprintf("%s:\n-  %s\n+  %s", path, show(want), show(got))}
		}
		for i := range w {
			out = append(out, diffJSON(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], checks)...)
		}
	default:
		if want != got {
			out = append(out, fmt.Sprintf("%s:\n-  %s\n+  %s", path, show(want), show(got)))
		}
	}
	return out
}

func show(v any) string {
	b, _ := json.Marshal(v)
	return fmt.Sprintf("%s (%T)", b, v)
}

// TestDiffJSONFailsOnEveryKind: the comparison is only worth its goldens if
// it catches each kind of difference.
func TestDiffJSONFailsOnEveryKind(t *testing.T) {
	base := `{"a":"x","n":1,"z":null,"m":{"k":["1","2"]}}`
	for _, got := range []string{
		`{"a":"x","n":1,"m":{"k":["1","2"]}}`,                   // a null key missing
		`{"a":"x","n":1,"z":"","m":{"k":["1","2"]}}`,            // null became ""
		`{"a":"x","n":"1","z":null,"m":{"k":["1","2"]}}`,        // number became string
		`{"a":"y","n":1,"z":null,"m":{"k":["1","2"]}}`,          // another value
		`{"a":"x","n":1,"z":null,"m":{"k":["1"]}}`,              // a value fewer
		`{"a":"x","n":1,"z":null,"m":{"k":["1","2"]},"e":true}`, // an extra key
		`{"a":"x","n":1,"z":null,"m":{"K":["1","2"]}}`,          // a key in another case
	} {
		if d := diffJSON("", decodeJSON(t, []byte(base)), decodeJSON(t, []byte(got)), nil); len(d) == 0 {
			t.Errorf("no difference found between %s and %s", base, got)
		}
	}
	if d := diffJSON("", decodeJSON(t, []byte(base)), decodeJSON(t, []byte(base)), nil); len(d) != 0 {
		t.Errorf("differences in equal documents: %v", d)
	}
}
