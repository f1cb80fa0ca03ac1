package stream

import (
	"context"
	"io"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/streamgate/streamgate/lambda/cors"
)

// TestWrapAnswersCORS: under Wrap, with the policy the construct sets in
// the environment, every answer to an allowed origin carries the CORS
// headers in its prelude (a stream and an error before it alike), and a
// disallowed origin gets none.
func TestWrapAnswersCORS(t *testing.T) {
	t.Setenv(cors.EnvConfig, (&cors.Policy{AllowOrigins: []string{"https://app.example.com"}}).Encode())
	h := Wrap(func(ctx context.Context, req events.APIGatewayProxyRequest) (*events.APIGatewayProxyStreamingResponse, error) {
		if req.Path == "/missing" {
			return Error(404, "NotFound", "no such thing"), nil
		}
		return NDJSON(ctx, &Options{Encodings: []string{Gzip}}, func(ctx context.Context, w *NDJSONWriter) error {
			return w.Encode(map[string]int{"n": 1})
		}), nil
	})
	for _, tc := range []struct {
		path, origin, acao, encoding string
	}{
		{"/records", "https://app.example.com", "https://app.example.com", ""},
		{"/missing", "https://app.example.com", "https://app.example.com", ""},
		{"/records", "https://evil.example.com", "", ""},
	} {
		resp, err := h(context.Background(), events.APIGatewayProxyRequest{Path: tc.path, Headers: map[string]string{"origin": tc.origin}})
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		if resp.Headers["Access-Control-Allow-Origin"] != tc.acao {
			t.Errorf("%s from %s: Access-Control-Allow-Origin %q, want %q", tc.path, tc.origin, resp.Headers["Access-Control-Allow-Origin"], tc.acao)
		}
		if v, _ := Header(resp.Headers, "Vary"); tc.path == "/records" && v != "Accept-Encoding, Origin" || tc.path == "/missing" && v != "Origin" {
			t.Errorf("%s: Vary %q", tc.path, v)
		}
	}
}

// TestWrapTakesAcceptEncodingFromTheRequest: a handler under Wrap need not
// pass Accept-Encoding on.
func TestWrapTakesAcceptEncodingFromTheRequest(t *testing.T) {
	h := Wrap(func(ctx context.Context, req events.APIGatewayProxyRequest) (*events.APIGatewayProxyStreamingResponse, error) {
		if r, ok := Request(ctx); !ok || r.Path != "/records" {
			t.Errorf("Request(ctx) = %v, %v", r, ok)
		}
		return NDJSON(ctx, &Options{Encodings: []string{Brotli, Gzip}}, func(ctx context.Context, w *NDJSONWriter) error { return nil }), nil
	})
	resp, _ := h(context.Background(), events.APIGatewayProxyRequest{Path: "/records", Headers: map[string]string{"Accept-Encoding": "gzip"}})
	io.Copy(io.Discard, resp.Body)
	if resp.Headers["Content-Encoding"] != Gzip || resp.Headers["Access-Control-Allow-Origin"] != "" {
		t.Errorf("headers %v", resp.Headers)
	}
}
