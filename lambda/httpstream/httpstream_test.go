package httpstream

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/streamgate/streamgate/lambda/cors"
	"github.com/streamgate/streamgate/lambda/stream"
)

func event(method, resource, path string, params map[string]string) events.APIGatewayProxyRequest {
	return events.APIGatewayProxyRequest{HTTPMethod: method, Resource: resource, Path: path, PathParameters: params,
		RequestContext: events.APIGatewayProxyRequestContext{RequestID: "req-1", Stage: "prod", DomainName: "abc.execute-api.eu-west-1.amazonaws.com",
			Identity: events.APIGatewayRequestIdentity{SourceIP: "203.0.113.7"}, Authorizer: map[string]any{"claims": map[string]any{"sub": "alice"}}}}
}

func TestNewRequestMapsTheEvent(t *testing.T) {
	// A REST API passes path parameters as the client encoded them.
	ev := event("POST", "/files/{name}/{proxy+}", "/v1/files/a%20b/c/d%20%C3%A9", map[string]string{"name": "a%20b", "proxy": "c/d%20%C3%A9"})
	ev.MultiValueQueryStringParameters = map[string][]string{"tag": {"x", "y&z"}, "q": {"1"}}
	ev.MultiValueHeaders = map[string][]string{"Accept": {"text/event-stream", "application/json"}, "Cookie": {"a=1; b=2"}, "Host": {"streams.example.com"},
		"X-Forwarded-Proto": {"https"}}
	ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 255}), true
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(time.Minute))
	defer cancel()
	r, err := NewRequest(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	cookie, _ := r.Cookie("b")
	rc, _ := RequestContext(r.Context())
	dl, _ := r.Context().Deadline()
	for what, got := range map[string][2]any{
		"method":     {r.Method, "POST"},
		"path":       {r.URL.Path, "/files/a b/c/d é"}, // the custom domain's base path (v1) is not the API's
		"raw path":   {r.URL.EscapedPath(), "/files/a%20b/c/d%20%C3%A9"},
		"query":      {r.URL.RawQuery, "q=1&tag=x&tag=y%26z"},
		"tags":       {strings.Join(r.URL.Query()["tag"], ","), "x,y&z"},
		"accept":     {strings.Join(r.Header.Values("Accept"), ","), "text/event-stream,application/json"},
		"cookie":     {cookie.Value, "2"},
		"host":       {r.Host, "streams.example.com"},
		"body":       {string(body), "\x00\x01\x02\xff"},
		"length":     {r.ContentLength, int64(4)},
		"remote":     {r.RemoteAddr, "203.0.113.7:0"},
		"request id": {rc.RequestID, "req-1"},
		"claims":     {rc.Authorizer["claims"].(map[string]any)["sub"], "alice"},
		"deadline":   {dl.Equal(func() time.Time { d, _ := ctx.Deadline(); return d }()), true},
		"uri":        {r.RequestURI, "/files/a%20b/c/d%20%C3%A9?q=1&tag=x&tag=y%26z"},
	} {
		if got[0] != got[1] {
			t.Errorf("%s = %#v, want %#v", what, got[0], got[1])
		}
	}
	// A stage in the event's path is not the API's either; nor is a test's
	// hand-made event without a resource refused.
	r, _ = NewRequest(ctx, events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/records", Resource: "/records"})
	r2, _ := NewRequest(ctx, events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/x/y"})
	if r.URL.Path != "/records" || r2.URL.Path != "/x/y" {
		t.Errorf("paths %q %q", r.URL.Path, r2.URL.Path)
	}
	if _, err := NewRequest(ctx, events.APIGatewayProxyRequest{HTTPMethod: "POST", Body: "%%%", IsBase64Encoded: true}); err == nil {
		t.Error("a body that is not base64 was accepted")
	}
}

// TestHandlerSeesTheEvent: a net/http handler served by Handler, called
// as Start calls it (under stream.Wrap) or as a test does (directly), finds
// the event in its request's context with stream.Request, the one key both
// packages use, and the deprecated Event and RequestContext read the same.
func TestHandlerSeesTheEvent(t *testing.T) {
	seen := make(chan [3]bool, 1)
	inner := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, ok := stream.Request(r.Context())
		old, oldOK := Event(r.Context())
		rc, rcOK := RequestContext(r.Context())
		seen <- [3]bool{ok && ev.Path == "/v1/records", oldOK && old == ev, rcOK && rc.RequestID == "req-1"}
		io.WriteString(w, "ok")
	}), nil)
	for name, h := range map[string]stream.Handler{"direct": inner, "wrapped": stream.Wrap(inner)} {
		ev := event("GET", "/records", "/v1/records", nil)
		if _, body, err := call(t, h, ev); err != nil || body != "ok" {
			t.Fatalf("%s: body %q, %v", name, body, err)
		}
		if got := <-seen; got != [3]bool{true, true, true} {
			t.Errorf("%s: stream.Request, Event, RequestContext found the event: %v, want all true", name, got)
		}
	}
}

// split reads a streamed response: its prelude fields and body.
func call(t *testing.T, h stream.Handler, ev events.APIGatewayProxyRequest) (*events.APIGatewayProxyStreamingResponse, string, error) {
	t.Helper()
	resp, err := h(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

func TestResponsePrelude(t *testing.T) {
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		w.Header().Set("X-One", "1")
		http.SetCookie(w, &http.Cookie{Name: "s", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "t", Value: "2"})
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, "<html><body>hi</body></html>")
	}), nil)
	resp, body, err := call(t, h, event("GET", "/", "/", nil))
	if err != nil || body != "<html><body>hi</body></html>" {
		t.Fatalf("body %q, %v", body, err)
	}
	if resp.StatusCode != 201 || resp.Headers["X-One"] != "1" || strings.Join(resp.MultiValueHeaders["X-Multi"], ",") != "a,b" ||
		strings.Join(resp.Cookies, ";") != "s=1;t=2" || resp.Headers["Content-Type"] != "text/html; charset=utf-8" {
		t.Errorf("prelude %d %v %v %v", resp.StatusCode, resp.Headers, resp.MultiValueHeaders, resp.Cookies)
	}
	if _, ok := resp.Headers["Cache-Control"]; ok {
		t.Error("the adapter added a header the handler did not set")
	}
}

// TestFlushReachesTheReaderBeforeTheHandlerEnds: the handler waits, after
// each flush, until the reader has what it flushed.
func TestFlushReachesTheReaderBeforeTheHandlerEnds(t *testing.T) {
	got := make(chan string)
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		for i := 0; i < 3; i++ {
			io.WriteString(w, "data: x\n\n")
			if i%2 == 0 {
				w.(http.Flusher).Flush()
			} else if err := rc.Flush(); err != nil {
				t.Errorf("ResponseController.Flush: %v", err)
			}
			select {
			case <-got:
			case <-time.After(10 * time.Second):
				t.Error("the reader did not get the flushed event")
				return
			}
		}
	}), &Options{Stream: stream.Options{FlushInterval: -1}}) // no timer: only the flushes send
	resp, err := h(context.Background(), event("GET", "/events", "/events", nil))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	for i := 0; i < 3; i++ {
		n, err := resp.Body.Read(buf)
		if err != nil || string(buf[:n]) != "data: x\n\n" {
			t.Fatalf("read %d: %q %v", i, buf[:n], err)
		}
		got <- string(buf[:n])
	}
	if rest, err := io.ReadAll(resp.Body); err != nil || len(rest) != 0 {
		t.Errorf("after the events: %q %v", rest, err)
	}
}

func TestNeverFlushingHandlerStreamsInBoundedMemory(t *testing.T) {
	const total = 256 << 20
	chunk := bytes.Repeat([]byte("y"), 4096)
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for sent := 0; sent < total; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}), nil)
	runtime.GC()
	var before, m runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := h(context.Background(), event("GET", "/download", "/download", nil))
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	var peak uint64
	buf := make([]byte, 64<<10)
	for {
		k, err := resp.Body.Read(buf)
		n += int64(k)
		if n%(16<<20) < int64(k) {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
		}
		if err != nil {
			break
		}
	}
	grown := int64(peak) - int64(before.HeapAlloc)
	t.Logf("streamed %d MiB, heap %.1f MiB above the start", n>>20, float64(grown)/(1<<20))
	if n != total || grown > 8<<20 {
		t.Errorf("streamed %d bytes with the heap %d bytes above the start; want %d and under 8 MiB", n, grown, total)
	}
}

func TestPanics(t *testing.T) {
	var logs strings.Builder
	quiet := &Options{Stream: stream.Options{Logf: func(f string, a ...any) { logs.WriteString(f) }}}
	before := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("before the first byte") }), quiet)
	resp, body, err := call(t, before, event("GET", "/", "/", nil))
	var e struct{ Error struct{ Code string } }
	if err != nil || resp.StatusCode != 500 || json.Unmarshal([]byte(body), &e) != nil || e.Error.Code != "InternalError" {
		t.Errorf("panic before: %d %q %v", resp.StatusCode, body, err)
	}
	after := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		panic("after the first byte")
	}), quiet)
	resp, body, err = call(t, after, event("GET", "/", "/", nil))
	var pe *stream.PanicError
	if resp.StatusCode != 200 || body != "partial" || !errors.As(err, &pe) {
		t.Errorf("panic after: %d %q %v (want the body cut with a PanicError, for the trailers)", resp.StatusCode, body, err)
	}
	if strings.Count(logs.String(), "panic serving") != 1 || !strings.Contains(logs.String(), "stream: %v") {
		t.Errorf("each panic logged once, by the adapter before the first byte and by the stream after it: %q", logs.String())
	}
}

// TestClientGoneCancelsTheHandler: closing the body (the runtime does when
// the client goes) cancels the request's context and fails writes.
func TestClientGoneCancelsTheHandler(t *testing.T) {
	ended := make(chan error, 1)
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.(http.Flusher).Flush()
		<-r.Context().Done()
		_, err := w.Write([]byte("late"))
		ended <- err
	}), nil)
	resp, err := h(context.Background(), event("GET", "/", "/", nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.(io.Closer).Close()
	select {
	case err := <-ended:
		if !errors.Is(err, stream.ErrClientClosed) {
			t.Errorf("write after close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the handler's context was not cancelled")
	}
}

func TestCompressionAndCORSAsLambdaStreamDoesThem(t *testing.T) {
	t.Setenv(cors.EnvConfig, (&cors.Policy{AllowOrigins: []string{"https://app.example.com"}}).Encode())
	h := stream.Wrap(Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.Header().Set("Content-Length", "6")
		io.WriteString(w, "{}\n{}\n")
	}), &Options{Stream: stream.Options{Encodings: []string{stream.Gzip}}}))
	ev := event("GET", "/", "/", nil)
	ev.Headers = map[string]string{"Accept-Encoding": "gzip", "Origin": "https://app.example.com"}
	resp, body, err := call(t, h, ev)
	if err != nil {
		t.Fatal(err)
	}
	z, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(z)
	if string(plain) != "{}\n{}\n" || resp.Headers["Content-Encoding"] != "gzip" || resp.Headers["Content-Length"] != "" ||
		resp.Headers["Access-Control-Allow-Origin"] != "https://app.example.com" || resp.Headers["Vary"] != "Accept-Encoding, Origin" {
		t.Errorf("%q with headers %v", plain, resp.Headers)
	}
	// A handler that encodes itself is not encoded again.
	h = Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "br")
		io.WriteString(w, "brotli bytes")
	}), &Options{Stream: stream.Options{Encodings: []string{stream.Gzip}}})
	if resp, body, _ := call(t, h, ev); body != "brotli bytes" || resp.Headers["Content-Encoding"] != "br" {
		t.Errorf("encoded twice: %q %v", body, resp.Headers)
	}
}

// TestPathParametersArriveEncoded: a REST API passes path parameters as the
// client encoded them; the request's path decodes them once, and its
// escaped path keeps what the client sent (an encoded slash stays one
// segment). A value that is not valid percent-encoding is taken literally.
func TestPathParametersArriveEncoded(t *testing.T) {
	for _, c := range []struct{ param, path, escaped string }{
		{"a%2Bb", "/files/a+b", "/files/a%2Bb"},
		{"a%2Fb", "/files/a/b", "/files/a%2Fb"},
		{"a%2520b", "/files/a%20b", "/files/a%2520b"},
		{"100%", "/files/100%", "/files/100%25"},
		{"plain", "/files/plain", "/files/plain"},
	} {
		r, err := NewRequest(context.Background(), event("GET", "/files/{name}", "/files/"+c.param, map[string]string{"name": c.param}))
		if err != nil {
			t.Fatal(err)
		}
		if r.URL.Path != c.path || r.URL.EscapedPath() != c.escaped {
			t.Errorf("%q: path %q, escaped %q; want %q, %q", c.param, r.URL.Path, r.URL.EscapedPath(), c.path, c.escaped)
		}
	}
}

// TestWriteHeaderAsNetHTTP: the first WriteHeader wins, and the headers are
// the ones set before it, as net/http sends them; a handler that encodes
// its body itself gets no sniffed Content-Type (net/http's rule).
func TestWriteHeaderAsNetHTTP(t *testing.T) {
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Early", "1")
		w.WriteHeader(http.StatusNotFound)
		w.WriteHeader(http.StatusInternalServerError)
		w.Header().Set("X-Late", "1")
		io.WriteString(w, "<html>not found</html>")
	}), nil)
	resp, body, err := call(t, h, event("GET", "/", "/", nil))
	if err != nil || body != "<html>not found</html>" || resp.StatusCode != 404 || resp.Headers["X-Early"] != "1" || resp.Headers["X-Late"] != "" ||
		resp.Headers["Content-Type"] != "text/html; charset=utf-8" {
		t.Errorf("%d %v %q %v", resp.StatusCode, resp.Headers, body, err)
	}
	h = Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		z := gzip.NewWriter(w)
		io.WriteString(z, "<html>hi</html>")
		z.Close()
	}), nil)
	if resp, _, _ := call(t, h, event("GET", "/", "/", nil)); resp.Headers["Content-Type"] != "" {
		t.Errorf("sniffed %q from an encoded body", resp.Headers["Content-Type"])
	}
}

// TestNoCompressionWithoutABodyOrForARange: with gzip offered and accepted,
// a 204, a 304, a HEAD answer, a 206 and a Content-Range answer are sent
// as the handler wrote them (a range's offsets count unencoded bytes).
func TestNoCompressionWithoutABodyOrForARange(t *testing.T) {
	content := strings.NewReader(strings.Repeat("0123456789", 100))
	h := stream.Wrap(Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/204":
			w.WriteHeader(http.StatusNoContent)
		default: // 304 with If-None-Match, 206 with Range, HEAD
			w.Header().Set("ETag", `"v1"`)
			http.ServeContent(w, r, "data.txt", time.Time{}, content)
		}
	}), &Options{Stream: stream.Options{Encodings: []string{stream.Gzip}}}))
	for _, tc := range []struct {
		method, path, header, value string
		status                      int
		body                        string
	}{
		{"GET", "/204", "", "", 204, ""},
		{"GET", "/data", "If-None-Match", `"v1"`, 304, ""},
		{"HEAD", "/data", "", "", 200, ""},
		{"GET", "/data", "Range", "bytes=10-19", 206, "0123456789"},
	} {
		ev := event(tc.method, "/{proxy+}", tc.path, map[string]string{"proxy": tc.path[1:]})
		ev.Headers = map[string]string{"Accept-Encoding": "gzip"}
		if tc.header != "" {
			ev.Headers[tc.header] = tc.value
		}
		resp, body, err := call(t, h, ev)
		// Vary as the compressed 200 has it (RFC 9110 section 15.4.5 for the 304).
		if err != nil || resp.StatusCode != tc.status || body != tc.body || resp.Headers["Content-Encoding"] != "" || resp.Headers["Vary"] != "Accept-Encoding" {
			t.Errorf("%s %s %s: %d %v %q %v", tc.method, tc.path, tc.header, resp.StatusCode, resp.Headers, body, err)
		}
	}
}
