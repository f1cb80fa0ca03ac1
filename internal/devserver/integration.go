package devserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/internal/devserver/vtl"
)

// mapped runs a MOCK, AWS or HTTP integration as API Gateway does: the
// method request's parameters and body mapped to the integration request
// (request parameters, a request template or the body passed through),
// the integration called (nothing for MOCK, the runner's S3 for an S3
// integration, the URL for HTTP), then the integration response chosen by
// its selection pattern, and its parameters and template applied
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-data-transformations.html).
func (g *gateway) mapped(x *exchange) {
	c := g.newMappedCall(x)
	if u := c.m.Unsupported; u != "" {
		c.logf("not emulated: %s", u)
		g.fail(x.w, x.r, 500, "Internal server error (the local runner does not emulate this integration: "+u+")")
		return
	}
	payload, ok := c.requestPayload()
	if !ok {
		return
	}
	reqCtx := c.newContext()
	if payload, ok = c.renderRequest(payload, reqCtx); !ok {
		return
	}
	res, ok := c.call(c.integrationRequest(payload, reqCtx))
	if !ok {
		return
	}
	chosen := selectResponse(c.m.Responses, res.status)
	if chosen == nil {
		c.logf("the integration answered %s and no integration response matches it, nor is there a default one: API Gateway answers 500 (\"No match for output mapping and no default output mapping\")", res.status)
		g.fail(x.w, x.r, 500, "Internal server error")
		return
	}
	c.answer(chosen, res)
}

// mappedCall is one request through a MOCK, AWS or HTTP integration.
type mappedCall struct {
	g   *gateway
	x   *exchange
	m   *loader.Mapping
	tag string
	// ev is the request as the proxy event has it, which the parameters
	// and the templates' $input and $context read.
	ev        proxyEvent
	in        *vtl.Input
	stageVars *vtl.Map
}

func (g *gateway) newMappedCall(x *exchange) *mappedCall {
	ev := g.event(x.r, x.route, x.path, x.params, nil, x.requestID, x.start, x.who)
	return &mappedCall{g: g, x: x, m: x.route.Mapping, tag: fmt.Sprintf("%s %s %s", x.r.Method, x.route.Path, x.requestID[:8]), ev: ev,
		in:        &vtl.Input{Path: vtl.MapOf(ev.PathParameters), Query: vtl.MapOf(ev.QueryStringParameters), Header: vtl.MapOf(ev.Headers)},
		stageVars: vtl.MapOf(g.api.StageVariables)}
}

// logf writes a line about the call.
func (c *mappedCall) logf(format string, args ...any) {
	fmt.Fprintf(c.g.logs, "[%s] "+format+"\n", append([]any{c.tag}, args...)...)
}

// newContext is a template's $context: the proxy event's requestContext,
// with empty requestOverride and responseOverride a template may set.
func (c *mappedCall) newContext() *vtl.Map {
	b, _ := json.Marshal(c.ev.RequestContext)
	v, _ := vtl.ParseJSON(b)
	ctx, _ := v.(*vtl.Map)
	if ctx == nil {
		ctx = vtl.NewMap()
	}
	for _, o := range []string{"requestOverride", "responseOverride"} {
		over := vtl.NewMap()
		over.Put("header", vtl.NewMap())
		over.Put("querystring", vtl.NewMap())
		over.Put("path", vtl.NewMap())
		ctx.Put(o, over)
	}
	return ctx
}

// requestPayload is the body as the integration request's ContentHandling
// converts it: to base64 text (CONVERT_TO_TEXT) from a binary media type,
// or from base64 (CONVERT_TO_BINARY) to bytes.
func (c *mappedCall) requestPayload() ([]byte, bool) {
	body, contentType := c.x.body, c.x.r.Header.Get("Content-Type")
	switch {
	case c.m.ContentHandling == "CONVERT_TO_TEXT" && c.g.binary(contentType):
		return []byte(base64.StdEncoding.EncodeToString(body)), true
	case c.m.ContentHandling == "CONVERT_TO_BINARY" && !c.g.binary(contentType):
		b, err := base64.StdEncoding.DecodeString(string(body))
		if err != nil {
			c.logf("CONVERT_TO_BINARY: the body is not base64: %v", err)
			c.g.fail(c.x.w, c.x.r, 500, "Internal server error")
			return nil, false
		}
		return b, true
	}
	return body, true
}

// renderRequest applies the request template of the request's content
// type (application/json, API Gateway's default, when it names none), or
// passes the payload through as PassthroughBehavior allows
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html).
func (c *mappedCall) renderRequest(payload []byte, reqCtx *vtl.Map) ([]byte, bool) {
	contentType := "application/json"
	if ct := c.x.r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			contentType = strings.ToLower(mt)
		}
	}
	if t := c.m.Templates[contentType]; t != nil {
		c.in.Body = payload
		out, err := t.Execute(vtl.Vars(c.in, reqCtx, c.stageVars))
		if err != nil {
			c.logf("request template %s: %v", contentType, err)
			c.g.fail(c.x.w, c.x.r, 500, "Internal server error (request template: "+err.Error()+")")
			return nil, false
		}
		return []byte(out), true
	}
	if c.m.Passthrough == "NEVER" || c.m.Passthrough == "WHEN_NO_TEMPLATES" && len(c.m.Templates) > 0 {
		c.logf("no request template for %s and PassthroughBehavior %s: 415", contentType, c.m.Passthrough)
		c.g.answerError(c.x.w, c.x.r, 415, "Unsupported Media Type", "UNSUPPORTED_MEDIA_TYPE", "UnsupportedMediaTypeException")
		return nil, false
	}
	return payload, true
}

// integrationRequest is the request the integration gets: the payload,
// the request parameters' values, then what the template's
// $context.requestOverride set.
func (c *mappedCall) integrationRequest(payload []byte, reqCtx *vtl.Map) integrationRequest {
	req := integrationRequest{path: map[string]string{}, query: url.Values{}, header: http.Header{}, body: payload}
	for k, src := range c.m.Parameters {
		v, ok := c.g.requestValue(src, c.x.r, c.ev)
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(k, "integration.request.path."):
			req.path[strings.TrimPrefix(k, "integration.request.path.")] = v
		case strings.HasPrefix(k, "integration.request.querystring."):
			req.query.Set(strings.TrimPrefix(k, "integration.request.querystring."), v)
		default:
			req.header.Set(strings.TrimPrefix(k, "integration.request.header."), v)
		}
	}
	if over, _ := reqCtx.Get("requestOverride").(*vtl.Map); over != nil {
		overrides(over, "header", req.header.Set)
		overrides(over, "querystring", req.query.Set)
		overrides(over, "path", func(k, v string) { req.path[k] = v })
	}
	return req
}

// overrides calls set with each key and value of the override map's
// section (header, querystring, path).
func overrides(over *vtl.Map, section string, set func(k, v string)) {
	for _, k := range mapKeys(over.Get(section)) {
		set(k, fmt.Sprint(over.Get(section).(*vtl.Map).Get(k)))
	}
}

// call runs the integration: a MOCK's request template picks the
// integration response by its statusCode; an AWS or HTTP integration's
// request goes out within the integration's timeout.
func (c *mappedCall) call(req integrationRequest) (*integrationResponse, bool) {
	if c.x.route.Integration == "MOCK" {
		status := "200"
		if mm := mockStatus.FindSubmatch(req.body); mm != nil {
			status = string(mm[1])
		}
		return &integrationResponse{status: status, header: http.Header{}}, true
	}
	ctx, cancel := context.WithTimeout(c.x.r.Context(), time.Duration(c.x.route.TimeoutMillis)*time.Millisecond)
	defer cancel()
	hr, err := c.g.integrationHTTPRequest(ctx, c.m, req)
	if err != nil {
		c.logf("%v", err)
		c.g.fail(c.x.w, c.x.r, 500, "Internal server error ("+err.Error()+")")
		return nil, false
	}
	res, f, err := send(hr)
	if err != nil {
		if f != timedOut {
			c.logf("%v", err)
		}
		c.g.failIntegration(c.x.w, c.x.r, f)
		return nil, false
	}
	c.logf("integration %s %s: %s", hr.Method, hr.URL.Path, res.status)
	return res, true
}

// send sends an integration's request and reads its answer; the failure
// says what API Gateway answers when it cannot.
func send(hr *http.Request) (*integrationResponse, integrationFailure, error) {
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, timedOut, err
		}
		return nil, requestNotSent, fmt.Errorf("%s %s: %v", hr.Method, hr.URL.Redacted(), err)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBufferedResponse+1))
	resp.Body.Close()
	if err != nil || len(b) > MaxBufferedResponse {
		return nil, replyUnreadable, fmt.Errorf("the integration's response could not be read or is over 10 MB: %v", err)
	}
	return &integrationResponse{status: strconv.Itoa(resp.StatusCode), header: resp.Header, body: b}, 0, nil
}

// selectResponse is the integration response for status: the first
// whose selection pattern matches it, else the default one (no pattern);
// nil when neither. AWS's integration responses are keyed by status code
// and it does not document which of two matching patterns wins; the
// runner takes the template's order.
func selectResponse(responses []*loader.IntegrationResponse, status string) *loader.IntegrationResponse {
	var def *loader.IntegrationResponse
	for _, ir := range responses {
		if ir.Pattern == nil {
			if def == nil {
				def = ir
			}
			continue
		}
		if ir.Pattern.MatchString(status) {
			return ir
		}
	}
	return def
}

// answer answers with the chosen integration response: the integration's
// body as its ContentHandling converts it and its template renders it, its
// parameters' headers, then what the template's
// $context.responseOverride set.
func (c *mappedCall) answer(chosen *loader.IntegrationResponse, res *integrationResponse) {
	out, ok := c.responseBody(chosen, res)
	if !ok {
		return
	}
	header := http.Header{}
	header.Set("Content-Type", "application/json") // a method response's default
	respCtx := c.newContext()
	if ct, t := responseTemplate(chosen.Templates, c.x.r.Header.Get("Accept")); t != nil {
		c.in.Body = out
		rendered, err := t.Execute(vtl.Vars(c.in, respCtx, c.stageVars))
		if err != nil {
			c.logf("response template %s: %v", ct, err)
			c.g.fail(c.x.w, c.x.r, 500, "Internal server error (response template: "+err.Error()+")")
			return
		}
		out = []byte(rendered)
		header.Set("Content-Type", ct)
	}
	for _, k := range slices.Sorted(maps.Keys(chosen.Parameters)) {
		if v, ok := c.g.responseValue(chosen.Parameters[k], res, c.ev); ok {
			header.Set(strings.TrimPrefix(k, "method.response.header."), v)
		}
	}
	status := responseOverride(respCtx, header, chosen.StatusCode)
	for k, vs := range header {
		c.x.w.Header()[k] = vs
	}
	c.x.w.WriteHeader(status)
	c.x.w.Write(out)
}

// responseBody is the integration's body as the integration response's
// ContentHandling converts it.
func (c *mappedCall) responseBody(chosen *loader.IntegrationResponse, res *integrationResponse) ([]byte, bool) {
	switch chosen.ContentHandling {
	case "CONVERT_TO_TEXT":
		return []byte(base64.StdEncoding.EncodeToString(res.body)), true
	case "CONVERT_TO_BINARY":
		b, err := base64.StdEncoding.DecodeString(string(res.body))
		if err != nil {
			c.logf("CONVERT_TO_BINARY: the integration's response is not base64: %v", err)
			c.g.fail(c.x.w, c.x.r, 500, "Internal server error")
			return nil, false
		}
		return b, true
	}
	return res.body, true
}

// responseOverride applies a response template's
// $context.responseOverride to header and status (a valid status only);
// the status is 200 when neither the integration response nor the
// template sets one.
func responseOverride(respCtx *vtl.Map, header http.Header, status int) int {
	if over, _ := respCtx.Get("responseOverride").(*vtl.Map); over != nil {
		overrides(over, "header", header.Set)
		if s, err := strconv.Atoi(fmt.Sprint(over.Get("status"))); err == nil && s >= 100 && s <= 599 {
			status = s
		}
	}
	if status == 0 {
		status = 200
	}
	return status
}

// mockStatus finds a MOCK request template's statusCode; aws-cdk's
// preflight template is "{ statusCode: 200 }", which is not JSON.
var mockStatus = regexp.MustCompile(`"?statusCode"?\s*:\s*"?(\d{3})`)

type integrationRequest struct {
	path   map[string]string
	query  url.Values
	header http.Header
	body   []byte
}

type integrationResponse struct {
	status string
	header http.Header
	body   []byte
}

func mapKeys(v any) []string {
	m, _ := v.(*vtl.Map)
	if m == nil {
		return nil
	}
	return m.Keys()
}

// substitute fills the {name} placeholders of an integration's path.
func substitute(s string, params map[string]string) string {
	for k, v := range params {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

// integrationHTTPRequest is the call an AWS (S3) or HTTP integration makes.
func (g *gateway) integrationHTTPRequest(ctx context.Context, m *loader.Mapping, req integrationRequest) (*http.Request, error) {
	if m.Service == "" {
		u, err := url.Parse(substitute(m.URL, req.path))
		if err != nil {
			return nil, fmt.Errorf("HTTP integration URL: %v", err)
		}
		q := u.Query()
		for k, vs := range req.query {
			q[k] = vs
		}
		u.RawQuery = q.Encode()
		hr, err := http.NewRequestWithContext(ctx, m.HTTPMethod, u.String(), bytes.NewReader(req.body))
		if err != nil {
			return nil, err
		}
		hr.Header = req.header
		return hr, nil
	}
	if g.s3 == nil {
		return nil, fmt.Errorf("S3 integration, but the runner has no S3 (start it with -s3 seaweedfs, or -s3-endpoint)")
	}
	u, err := url.Parse(strings.TrimSuffix(g.s3.Endpoint, "/") + "/" + substitute(m.Path, req.path))
	if err != nil {
		return nil, fmt.Errorf("S3 integration path: %v", err)
	}
	u.RawQuery = req.query.Encode()
	hr, err := http.NewRequestWithContext(ctx, m.HTTPMethod, u.String(), bytes.NewReader(req.body))
	if err != nil {
		return nil, err
	}
	hr.Header = req.header
	sum := sha256.Sum256(req.body)
	hash := hex.EncodeToString(sum[:])
	hr.Header.Set("X-Amz-Content-Sha256", hash)
	creds := aws.Credentials{AccessKeyID: g.s3.AccessKey, SecretAccessKey: g.s3.SecretKey, SessionToken: g.s3.SessionToken}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(ctx, creds, hr, hash, "s3", g.s3.Region, time.Now()); err != nil {
		return nil, err
	}
	return hr, nil
}

// requestValue is a request parameter's value from its source; ok is false
// when the method request has none.
func (g *gateway) requestValue(src string, r *http.Request, ev proxyEvent) (string, bool) {
	if len(src) >= 2 && strings.HasPrefix(src, "'") && strings.HasSuffix(src, "'") {
		return src[1 : len(src)-1], true
	}
	if name, ok := strings.CutPrefix(src, "method.request.path."); ok {
		v, ok := ev.PathParameters[name]
		return v, ok
	}
	if name, ok := strings.CutPrefix(src, "method.request.querystring."); ok {
		v, ok := ev.QueryStringParameters[name]
		return v, ok
	}
	if name, ok := strings.CutPrefix(src, "method.request.header."); ok {
		vs := r.Header.Values(name)
		if len(vs) == 0 {
			return "", false
		}
		return vs[len(vs)-1], true
	}
	return g.commonValue(src, ev)
}

// responseValue is a response parameter's value from its source.
func (g *gateway) responseValue(src string, res *integrationResponse, ev proxyEvent) (string, bool) {
	if len(src) >= 2 && strings.HasPrefix(src, "'") && strings.HasSuffix(src, "'") {
		return src[1 : len(src)-1], true
	}
	if name, ok := strings.CutPrefix(src, "integration.response.header."); ok {
		vs := res.header.Values(name)
		if len(vs) == 0 {
			return "", false
		}
		return vs[len(vs)-1], true
	}
	if src == "integration.response.body" {
		return string(res.body), true
	}
	if p, ok := strings.CutPrefix(src, "integration.response.body."); ok {
		v, found, err := vtl.Select(res.body, "$."+p)
		return v, found && err == nil
	}
	return g.commonValue(src, ev)
}

func (g *gateway) commonValue(src string, ev proxyEvent) (string, bool) {
	if name, ok := strings.CutPrefix(src, "stageVariables."); ok {
		v, ok := g.api.StageVariables[name]
		return v, ok
	}
	if name, ok := strings.CutPrefix(src, "context."); ok {
		b, _ := json.Marshal(ev.RequestContext)
		v, found, err := vtl.Select(b, "$."+name)
		return v, found && err == nil && v != "null"
	}
	return "", false
}

// responseTemplate picks the response template for the client's Accept
// header: the first media type it names that has a template, else
// application/json's, else the first by name.
func responseTemplate(ts map[string]*vtl.Template, accept string) (string, *vtl.Template) {
	if len(ts) == 0 {
		return "", nil
	}
	for _, part := range strings.Split(accept, ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil {
			if t := ts[strings.ToLower(mt)]; t != nil {
				return mt, t
			}
		}
	}
	if t := ts["application/json"]; t != nil {
		return "application/json", t
	}
	keys := make([]string, 0, len(ts))
	for k := range ts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys[0], ts[keys[0]]
}

// mock answers a MOCK integration that has no mapping templates: the
// status and literal headers of its first integration response, and a
// CORS preflight's origin when it is one the template allows.
func (g *gateway) mock(x *exchange) {
	if x.route.Integration != "MOCK" {
		g.fail(x.w, x.r, 500, "Internal server error")
		return
	}
	for k, v := range x.route.MockHeaders {
		x.w.Header().Set(k, v)
	}
	if origin := x.r.Header.Get("Origin"); origin != "" && slices.Contains(x.route.MockOrigins, origin) {
		x.w.Header().Set("Access-Control-Allow-Origin", origin)
	}
	x.w.WriteHeader(x.route.MockStatus)
}
