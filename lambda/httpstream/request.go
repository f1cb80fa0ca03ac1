package httpstream

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/streamgate/streamgate/lambda/stream"
)

// NewRequest makes the *http.Request a net/http handler sees from a REST
// API proxy event:
//
//   - Method, and the path within the API: the route's resource with its
//     path parameters filled in ("/files/{name}" and name "a b" give
//     "/files/a%20b"; a greedy "{proxy+}" its whole value), so that neither
//     the stage (execute-api URLs) nor a custom domain's base path, which
//     API Gateway leaves in the event's path, reaches the handler. Without
//     a resource (a test's hand-made event), the event's path.
//   - The query from the multi-value parameters (API Gateway decodes them;
//     they are encoded again, sorted by name), else the single-value ones.
//   - Headers from the multi-value headers, else the single ones; Host from
//     the Host header or the request context's domain name; cookies are in
//     the Cookie header, as the client sent them.
//   - The body, decoded from base64 when API Gateway says so (binary media
//     types), with its ContentLength.
//   - RemoteAddr from the request context's source IP (port 0), RequestURI,
//     Proto HTTP/1.1, and URL.Scheme and Host as the client asked
//     (X-Forwarded-Proto, https by default).
//   - The context: ctx (the Lambda deadline is its deadline), with the event
//     (stream.Request, the key lambda/stream's Wrap sets too) and its
//     request context (RequestContext: identity, authorizer claims, request
//     id).
func NewRequest(ctx context.Context, ev events.APIGatewayProxyRequest) (*http.Request, error) {
	path, rawPath := resourcePath(ev)
	u := &url.URL{Path: path, RawPath: rawPath, RawQuery: rawQuery(ev)}
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
			return nil, fmt.Errorf("the body is marked base64 but does not decode: %w", err)
		}
	}
	r, err := http.NewRequestWithContext(stream.WithRequest(ctx, &ev), ev.HTTPMethod, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", ev.HTTPMethod, u, err)
	}
	r.Body = http.NoBody
	if len(body) > 0 {
		r.Body = readCloser{strings.NewReader(string(body))}
		r.GetBody = func() (io.ReadCloser, error) { return readCloser{strings.NewReader(string(body))}, nil }
	}
	r.ContentLength = int64(len(body))
	r.Header = http.Header{}
	if len(ev.MultiValueHeaders) > 0 {
		for k, vs := range ev.MultiValueHeaders {
			for _, v := range vs {
				r.Header.Add(k, v)
			}
		}
	} else {
		for k, v := range ev.Headers {
			r.Header.Set(k, v)
		}
	}
	r.Host = r.Header.Get("Host")
	if r.Host == "" {
		r.Host = ev.RequestContext.DomainName
	}
	r.Header.Del("Host") // net/http keeps it in r.Host only
	r.URL.Host = r.Host
	r.URL.Scheme = "https"
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		r.URL.Scheme = p
	}
	r.RequestURI = r.URL.RequestURI()
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1
	if ip := ev.RequestContext.Identity.SourceIP; ip != "" {
		r.RemoteAddr = net.JoinHostPort(ip, "0")
	}
	return r, nil
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

// resourcePath is the request's path within the API, decoded and escaped.
// A REST API passes path parameters as the client encoded them (a%20b,
// a%2Fb): the decoded path and the escaped one are both built from them.
// A value that is not valid percent-encoding is taken as it is.
func resourcePath(ev events.APIGatewayProxyRequest) (path, rawPath string) {
	if ev.Resource == "" {
		u, err := url.Parse(ev.Path)
		if err != nil || ev.Path == "" {
			return "/", ""
		}
		return u.Path, u.RawPath
	}
	var plain, escaped strings.Builder
	for _, seg := range strings.Split(strings.TrimPrefix(ev.Resource, "/"), "/") {
		if seg == "" {
			continue
		}
		if !strings.HasPrefix(seg, "{") || !strings.HasSuffix(seg, "}") {
			plain.WriteString("/" + seg)
			escaped.WriteString("/" + url.PathEscape(seg))
			continue
		}
		name, greedy := strings.CutSuffix(seg[1:len(seg)-1], "+")
		parts := []string{ev.PathParameters[name]}
		if greedy {
			parts = strings.Split(parts[0], "/") // {proxy+} spans segments
		}
		for _, p := range parts {
			dec, err := url.PathUnescape(p)
			if err != nil {
				dec, p = p, url.PathEscape(p)
			}
			plain.WriteString("/" + dec)
			escaped.WriteString("/" + p)
		}
	}
	if plain.Len() == 0 {
		return "/", ""
	}
	if plain.String() == escaped.String() {
		return plain.String(), ""
	}
	return plain.String(), escaped.String()
}

// rawQuery encodes the event's query parameters again.
func rawQuery(ev events.APIGatewayProxyRequest) string {
	values := url.Values{}
	if len(ev.MultiValueQueryStringParameters) > 0 {
		for k, vs := range ev.MultiValueQueryStringParameters {
			values[k] = vs
		}
	} else {
		for k, v := range ev.QueryStringParameters {
			values.Set(k, v)
		}
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range values[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(v))
		}
	}
	return b.String()
}

// Event is the API Gateway event the request was made from.
//
// Deprecated: use stream.Request, which reads the same context key: the
// event had a key of its own here, and one in lambda/stream.
func Event(ctx context.Context) (*events.APIGatewayProxyRequest, bool) {
	return stream.Request(ctx)
}

// RequestContext is the event's request context: the caller's identity
// (IAM), the authorizer's claims or principal (Cognito, Lambda
// authorizers), the request id, the stage.
func RequestContext(ctx context.Context) (events.APIGatewayProxyRequestContext, bool) {
	ev, ok := stream.Request(ctx)
	if !ok {
		return events.APIGatewayProxyRequestContext{}, false
	}
	return ev.RequestContext, true
}
