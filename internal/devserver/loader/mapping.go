package loader

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/streamgate/streamgate/internal/assembly"
	"github.com/streamgate/streamgate/internal/devserver/vtl"
)

// Mapping is a non-proxy integration (MOCK, AWS, HTTP): how API Gateway
// maps the method request to the integration request and the
// integration's response to the method response
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-data-transformations.html).
type Mapping struct {
	// Service is the AWS service of an AWS integration ("s3"); "" for MOCK
	// and HTTP.
	Service string
	// HTTPMethod is IntegrationHttpMethod (AWS, HTTP).
	HTTPMethod string
	// Path is an S3 integration's "bucket/key/{param}" (the URI's path
	// after s3:path/), with the template's bucket named by its local name.
	Path string
	// URL is an HTTP integration's endpoint, {params} and all.
	URL string
	// Parameters map integration.request.{path,querystring,header}.Name to
	// their source: 'literal', method.request.{path,querystring,header}.Name,
	// stageVariables.Name or context.Name.
	Parameters map[string]string
	// Templates are the request templates by content type.
	Templates map[string]*vtl.Template
	// Passthrough is PassthroughBehavior: WHEN_NO_MATCH (the default),
	// WHEN_NO_TEMPLATES or NEVER.
	Passthrough string
	// ContentHandling converts the request payload: CONVERT_TO_TEXT,
	// CONVERT_TO_BINARY or "" (pass it as it is).
	ContentHandling string
	// Responses are the integration responses, in the template's order.
	Responses []*IntegrationResponse
	// Unsupported says why the route answers 500 instead of running: a
	// part of the integration the runner does not emulate; "" when it runs.
	Unsupported string
}

// IntegrationResponse is one of an integration's responses.
type IntegrationResponse struct {
	StatusCode int
	// Pattern is SelectionPattern, anchored (it must match the whole
	// status code); nil for the default response.
	Pattern *regexp.Regexp
	// Parameters map method.response.header.Name to their source: 'literal',
	// integration.response.header.Name, integration.response.body[.JSONPath],
	// stageVariables.Name or context.Name.
	Parameters      map[string]string
	Templates       map[string]*vtl.Template
	ContentHandling string
}

// loadMapping reads a MOCK, AWS or HTTP integration. Problems go to the
// notices, and the route still loads: it answers 500 naming them.
func (a *Assembly) loadMapping(stack string, integ map[string]any, where string) *Mapping {
	m := &Mapping{HTTPMethod: str(integ["IntegrationHttpMethod"]), Parameters: map[string]string{}, Templates: map[string]*vtl.Template{},
		Passthrough: str(integ["PassthroughBehavior"]), ContentHandling: str(integ["ContentHandling"])}
	if m.Passthrough == "" {
		m.Passthrough = "WHEN_NO_MATCH"
	}
	var p problems
	switch str(integ["Type"]) {
	case "AWS":
		a.loadAWSTarget(stack, integ, where, m, &p)
	case "HTTP":
		m.URL = str(integ["Uri"])
		if m.URL == "" {
			p.add("HTTP integration with a URL known only at deploy time")
		}
	}
	loadRequestMapping(integ, m, &p)
	for _, r := range list(integ["IntegrationResponses"]) {
		if ir := loadIntegrationResponse(r, &p); ir != nil {
			m.Responses = append(m.Responses, ir)
		}
	}
	if len(p) > 0 {
		sort.Strings(p)
		m.Unsupported = strings.Join(p, "; ")
		a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s: not emulated, the route answers 500: %s", where, m.Unsupported))
	}
	return m
}

// problems are what of an integration the runner does not emulate.
type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// loadAWSTarget reads an AWS integration's URI
// (arn:aws:apigateway:{region}:{service}:path/{path} or
// :action/{action}): only S3 path integrations run locally.
func (a *Assembly) loadAWSTarget(stack string, integ map[string]any, where string, m *Mapping, p *problems) {
	uri, ok := a.resolve(stack, integ["Uri"])
	if !ok {
		p.add("an integration URI with references the runner cannot resolve")
		return
	}
	parts := strings.SplitN(uri, ":", 6)
	if len(parts) < 6 {
		p.add("integration URI %q", uri)
		return
	}
	service, kind := parts[4], parts[5]
	if path, ok := strings.CutPrefix(kind, "path/"); ok && service == "s3" {
		m.Service, m.Path = service, path
	} else {
		p.add("AWS integration with %s (%s): only S3 path integrations (s3:path/bucket/key) run locally", service, strings.SplitN(kind, "/", 2)[0])
	}
	if integ["Credentials"] != nil {
		a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s: S3 integration: the credentials role's IAM policy is not evaluated (the runner calls its S3 with the server's own credentials)", where))
	}
}

// loadRequestMapping reads the request parameters and templates.
func loadRequestMapping(integ map[string]any, m *Mapping, p *problems) {
	for k, v := range asMap(integ["RequestParameters"]) {
		if !strings.HasPrefix(k, "integration.request.path.") && !strings.HasPrefix(k, "integration.request.querystring.") &&
			!strings.HasPrefix(k, "integration.request.header.") {
			p.add("request parameter %s", k)
			continue
		}
		if !mappableSource(str(v), "method.request.") {
			p.add("request parameter %s from %q", k, str(v))
			continue
		}
		m.Parameters[k] = str(v)
	}
	for ct, src := range asMap(integ["RequestTemplates"]) {
		t, msg := template(str(src))
		if msg != "" {
			p.add("request template %s: %s", ct, msg)
			continue
		}
		m.Templates[strings.ToLower(ct)] = t
	}
}

// loadIntegrationResponse reads one integration response; nil when its
// selection pattern is not one Go's regexp can run.
func loadIntegrationResponse(r any, p *problems) *IntegrationResponse {
	rm, _ := r.(map[string]any)
	ir := &IntegrationResponse{Parameters: map[string]string{}, Templates: map[string]*vtl.Template{}, ContentHandling: str(rm["ContentHandling"])}
	ir.StatusCode, _ = strconv.Atoi(str(rm["StatusCode"]))
	if pattern := str(rm["SelectionPattern"]); pattern != "" {
		re, err := regexp.Compile(`^(?:` + pattern + `)$`)
		if err != nil {
			p.add("selection pattern %q: %v", pattern, err)
			return nil
		}
		ir.Pattern = re
	}
	for k, v := range asMap(rm["ResponseParameters"]) {
		if !strings.HasPrefix(k, "method.response.header.") || !mappableSource(str(v), "integration.response.") {
			p.add("response parameter %s from %q", k, str(v))
			continue
		}
		ir.Parameters[k] = str(v)
	}
	for ct, src := range asMap(rm["ResponseTemplates"]) {
		if str(src) == "" {
			continue // an empty template passes the body through
		}
		t, msg := template(str(src))
		if msg != "" {
			p.add("response template %s of %s: %s", ct, str(rm["StatusCode"]), msg)
			continue
		}
		ir.Templates[strings.ToLower(ct)] = t
	}
	return ir
}

// template parses a mapping template, or says what in it the runner does
// not emulate.
func template(src string) (*vtl.Template, string) {
	t, err := vtl.Parse(src)
	if err != nil {
		return nil, err.Error()
	}
	if unsupported := t.Check(); len(unsupported) > 0 {
		return nil, strings.Join(unsupported, ", ") + " (outside the runner's VTL subset)"
	}
	return t, ""
}

// mappableSource reports whether the runner maps a parameter from v: a
// 'literal', <prefix>{path,querystring,header}.Name (or a response's
// header.Name and body[.JSONPath]), stageVariables.Name, context.Name.
func mappableSource(v, prefix string) bool {
	if len(v) >= 2 && strings.HasPrefix(v, "'") && strings.HasSuffix(v, "'") {
		return true
	}
	if strings.HasPrefix(v, "stageVariables.") || strings.HasPrefix(v, "context.") {
		return true
	}
	rest, ok := strings.CutPrefix(v, prefix)
	if !ok {
		return false
	}
	if prefix == "integration.response." {
		return strings.HasPrefix(rest, "header.") || rest == "body" || strings.HasPrefix(rest, "body.")
	}
	return strings.HasPrefix(rest, "path.") || strings.HasPrefix(rest, "querystring.") || strings.HasPrefix(rest, "header.")
}

// resolve renders a template string value: a literal, or an Fn::Join of
// literals, the pseudo parameters and Refs to the template's buckets (as
// their local names).
func (a *Assembly) resolve(stack string, v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case map[string]any:
		if j, ok := x["Fn::Join"].([]any); ok && len(j) == 2 {
			var b strings.Builder
			for i, p := range list(j[1]) {
				s, ok := a.resolve(stack, p)
				if !ok {
					return "", false
				}
				if i > 0 {
					b.WriteString(str(j[0]))
				}
				b.WriteString(s)
			}
			return b.String(), true
		}
		switch ref := assembly.Ref(x); ref {
		case "":
		case "AWS::Partition":
			return "aws", true
		case "AWS::Region":
			return "us-east-1", true
		case "AWS::URLSuffix":
			return "amazonaws.com", true
		case "AWS::AccountId":
			return "000000000000", true
		default:
			if b := a.Buckets[stack+"/"+ref]; b != nil {
				return b.Name, true
			}
		}
	}
	return "", false
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
