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
	"mime"
	"net/http"
	"net/url"
	"regexp"
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
func (g *gateway) mapped(w *statusRecorder, r *http.Request, route *loader.Route, path string, params map[string]string, body []byte,
	requestID string, start time.Time, who *principal) {
	m := route.Mapping
	tag := fmt.Sprintf("%s %s %s", r.Method, route.Path, requestID[:8])
	if m.Unsupported != "" {
		fmt.Fprintf(g.logs, "[%s] not emulated: %s\n", tag, m.Unsupported)
		g.fail(w, r, 500, "Internal server error (the local runner does not emulate this integration: "+m.Unsupported+")")
		return
	}
	ev := g.event(r, route, path, params, nil, requestID, start, who)
	in := &vtl.Input{Path: vtl.MapOf(ev.PathParameters), Query: vtl.MapOf(ev.QueryStringParameters), Header: vtl.MapOf(ev.Headers)}
	newContext := func() *vtl.Map {
		b, _ := json.Marshal(ev.RequestContext)
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
	stageVars := vtl.MapOf(g.api.StageVariables)

	// The integration request.
	contentType := "application/json" // API Gateway's default when the client sends none
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			contentType = strings.ToLower(mt)
		}
	}
	payload := body
	switch {
	case m.ContentHandling == "CONVERT_TO_TEXT" && g.binary(r.Header.Get("Content-Type")):
		payload = []byte(base64.StdEncoding.EncodeToString(body))
	case m.ContentHandling == "CONVERT_TO_BINARY" && !g.binary(r.Header.Get("Content-Type")):
		b, err := base64.StdEncoding.DecodeString(string(body))
		if err != nil {
			fmt.Fprintf(g.logs, "[%s] CONVERT_TO_BINARY: the body is not base64: %v\n", tag, err)
			g.fail(w, r, 500, "Internal server error")
			return
		}
		payload = b
	}
	reqCtx := newContext()
	if t := m.Templates[contentType]; t != nil {
		in.Body = payload
		out, err := t.Execute(vtl.Vars(in, reqCtx, stageVars))
		if err != nil {
			fmt.Fprintf(g.logs, "[%s] request template %s: %v\n", tag, contentType, err)
			g.fail(w, r, 500, "Internal server error (request template: "+err.Error()+")")
			return
		}
		payload = []byte(out)
	} else if m.Passthrough == "NEVER" || m.Passthrough == "WHEN_NO_TEMPLATES" && len(m.Templates) > 0 {
		// https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html
		fmt.Fprintf(g.logs, "[%s] no request template for %s and PassthroughBehavior %s: 415\n", tag, contentType, m.Passthrough)
		g.answerError(w, r, 415, "Unsupported Media Type", "UNSUPPORTED_MEDIA_TYPE", "UnsupportedMediaTypeException")
		return
	}
	req := integrationRequest{path: map[string]string{}, query: url.Values{}, header: http.Header{}, body: payload}
	for k, src := range m.Parameters {
		v, ok := g.requestValue(src, r, ev)
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
		for _, k := range mapKeys(over.Get("header")) {
			req.header.Set(k, fmt.Sprint(over.Get("header").(*vtl.Map).Get(k)))
		}
		for _, k := range mapKeys(over.Get("querystring")) {
			req.query.Set(k, fmt.Sprint(over.Get("querystring").(*vtl.Map).Get(k)))
		}
		for _, k := range mapKeys(over.Get("path")) {
			req.path[k] = fmt.Sprint(over.Get("path").(*vtl.Map).Get(k))
		}
	}

	// The integration.
	var res *integrationResponse
	switch {
	case route.Integration == "MOCK":
		// The request template's statusCode picks the integration response.
		status := "200"
		if mm := mockStatus.FindSubmatch(payload); mm != nil {
			status = string(mm[1])
		}
		res = &integrationResponse{status: status, header: http.Header{}}
	default:
		ctx, cancel := context.WithTimeout(r.Context(), time.Duration(route.TimeoutMillis)*time.Millisecond)
		defer cancel()
		hr, err := g.integrationHTTPRequest(ctx, m, req)
		if err != nil {
			fmt.Fprintf(g.logs, "[%s] %v\n", tag, err)
			g.fail(w, r, 500, "Internal server error ("+err.Error()+")")
			return
		}
		resp, err := http.DefaultClient.Do(hr)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				g.fail(w, r, 504, "Endpoint request timed out")
				return
			}
			fmt.Fprintf(g.logs, "[%s] %s %s: %v\n", tag, hr.Method, hr.URL.Redacted(), err)
			g.fail(w, r, 500, "Internal server error")
			return
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBufferedResponse+1))
		resp.Body.Close()
		if err != nil || len(b) > MaxBufferedResponse {
			fmt.Fprintf(g.logs, "[%s] the integration's response could not be read or is over 10 MB: %v\n", tag, err)
			g.fail(w, r, 502, "Internal server error")
			return
		}
		res = &integrationResponse{status: strconv.Itoa(resp.StatusCode), header: resp.Header, body: b}
		fmt.Fprintf(g.logs, "[%s] integration %s %s: %d\n", tag, hr.Method, hr.URL.Path, resp.StatusCode)
	}

	// The integration response: the first whose selection pattern matches
	// the status code, else the default one (no pattern). AWS's integration
	// responses are keyed by status code and it does not document which of
	// two matching patterns wins; the runner takes the template's order.
	var chosen, def *loader.IntegrationResponse
	for _, ir := range m.Responses {
		if ir.Pattern == nil {
			if def == nil {
				def = ir
			}
			continue
		}
		if chosen == nil && ir.Pattern.MatchString(res.status) {
			chosen = ir
		}
	}
	if chosen == nil {
		chosen = def
	}
	if chosen == nil {
		fmt.Fprintf(g.logs, "[%s] the integration answered %s and no integration response matches it, nor is there a default one: API Gateway answers 500 (\"No match for output mapping and no default output mapping\")\n", tag, res.status)
		g.fail(w, r, 500, "Internal server error")
		return
	}
	out := res.body
	switch chosen.ContentHandling {
	case "CONVERT_TO_TEXT":
		out = []byte(base64.StdEncoding.EncodeToString(out))
	case "CONVERT_TO_BINARY":
		b, err := base64.StdEncoding.DecodeString(string(out))
		if err != nil {
			fmt.Fprintf(g.logs, "[%s] CONVERT_TO_BINARY: the integration's response is not base64: %v\n", tag, err)
			g.fail(w, r, 500, "Internal server error")
			return
		}
		out = b
	}
	status := chosen.StatusCode
	header := http.Header{}
	header.Set("Content-Type", "application/json") // a method response's default
	respCtx := newContext()
	if ct, t := responseTemplate(chosen.Templates, r.Header.Get("Accept")); t != nil {
		in.Body = out
		rendered, err := t.Execute(vtl.Vars(in, respCtx, stageVars))
		if err != nil {
			fmt.Fprintf(g.logs, "[%s] response template %s: %v\n", tag, ct, err)
			g.fail(w, r, 500, "Internal server error (response template: "+err.Error()+")")
			return
		}
		out = []byte(rendered)
		header.Set("Content-Type", ct)
	}
	names := make([]string, 0, len(chosen.Parameters))
	for k := range chosen.Parameters {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if v, ok := g.responseValue(chosen.Parameters[k], res, ev); ok {
			header.Set(strings.TrimPrefix(k, "method.response.header."), v)
		}
	}
	if over, _ := respCtx.Get("responseOverride").(*vtl.Map); over != nil {
		for _, k := range mapKeys(over.Get("header")) {
			header.Set(k, fmt.Sprint(over.Get("header").(*vtl.Map).Get(k)))
		}
		if s, err := strconv.Atoi(fmt.Sprint(over.Get("status"))); err == nil && s >= 100 && s <= 599 {
			status = s
		}
	}
	if status == 0 {
		status = 200
	}
	for k, vs := range header {
		w.Header()[k] = vs
	}
	w.WriteHeader(status)
	w.Write(out)
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
