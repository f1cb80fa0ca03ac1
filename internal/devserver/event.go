package devserver

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// The REST API (v1) Lambda proxy event, key for key as API Gateway sends it.
// Its shape and values follow AWS's documentation and events recorded from
// deployed REST APIs:
//
//   - [docs] "Lambda proxy integrations in API Gateway", input format
//     (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html);
//   - [lambda-docs] the event recorded in "Using Lambda with API Gateway"
//     (https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway.html):
//     API 70ixmpl4fl, a browser GET, REGIONAL;
//   - [py-requests] an event recorded on 2024-06-05 from REGIONAL API
//     tv1wdm122i (eu-west-3) and published on GitHub: python-requests/2.32.3
//     POSTing JSON;
//   - [voker] hotsock/voker vokerhttp/testdata (apigwv1-request.json and
//     ingress-paths.json), captured on 2026-07-10 from a REST API in
//     us-west-2 with curl: an encoded path, repeated query keys and headers
//     (its identity keys are "" rather than null: it was logged through a
//     Go struct, as its README says);
//   - [aws-lambda-go] events/testdata/apigw-request.json, the docs' EDGE example.
//
// The recordings are of REGIONAL APIs. An EDGE API's function also gets
// CloudFront's headers (Via, X-Amz-Cf-Id, CloudFront-Is-*-Viewer,
// CloudFront-Viewer-Country, CloudFront-Forwarded-Proto; [aws-lambda-go])
// and the edge's address in X-Forwarded-For: the runner does not make those
// up, whatever the endpoint type.
//
// aws-lambda-go's events.APIGatewayProxyRequest cannot write null or leave a
// key out where API Gateway does, so the runner has its own type; the JSON
// still decodes into aws-lambda-go's.
type proxyEvent struct {
	proxyRequest
	// Body is null without a body ([lambda-docs]); isBase64Encoded is
	// always there.
	Body            *string `json:"body"`
	IsBase64Encoded bool    `json:"isBase64Encoded"`
}

// proxyRequest is the request as both the proxy event and a REQUEST
// authorizer's event carry it, key for key.
type proxyRequest struct {
	Resource          string              `json:"resource"`
	Path              string              `json:"path"`
	HTTPMethod        string              `json:"httpMethod"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	// The maps below are null, not {}, when empty ([lambda-docs], [py-requests]).
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	RequestContext                  proxyRequestContext `json:"requestContext"`
}

// proxyRequestContext has no authorizer key: API Gateway leaves it out when
// the method has no authorizer ([lambda-docs], [py-requests]).
type proxyRequestContext struct {
	ResourceID        string        `json:"resourceId"`
	ResourcePath      string        `json:"resourcePath"`
	HTTPMethod        string        `json:"httpMethod"`
	ExtendedRequestID string        `json:"extendedRequestId"`
	RequestTime       string        `json:"requestTime"`
	Path              string        `json:"path"`
	AccountID         string        `json:"accountId"`
	Protocol          string        `json:"protocol"`
	Stage             string        `json:"stage"`
	DomainPrefix      string        `json:"domainPrefix"`
	RequestTimeEpoch  int64         `json:"requestTimeEpoch"`
	RequestID         string        `json:"requestId"`
	Identity          proxyIdentity `json:"identity"`
	DomainName        string        `json:"domainName"`
	DeploymentID      string        `json:"deploymentId"`
	APIID             string        `json:"apiId"`
	// Authorizer is what a Lambda authorizer returned (principalId,
	// context, integrationLatency) or a Cognito authorizer's claims;
	// absent on a method without an authorizer.
	Authorizer map[string]any `json:"authorizer,omitempty"`
}

// proxyIdentity: without IAM, Cognito or an API key, API Gateway sends these
// keys as null, and no apiKey/apiKeyId ([lambda-docs], [py-requests]).
type proxyIdentity struct {
	CognitoIdentityPoolID         *string `json:"cognitoIdentityPoolId"`
	AccountID                     *string `json:"accountId"`
	CognitoIdentityID             *string `json:"cognitoIdentityId"`
	Caller                        *string `json:"caller"`
	SourceIP                      string  `json:"sourceIp"`
	PrincipalOrgID                *string `json:"principalOrgId"`
	AccessKey                     *string `json:"accessKey"`
	CognitoAuthenticationType     *string `json:"cognitoAuthenticationType"`
	CognitoAuthenticationProvider *string `json:"cognitoAuthenticationProvider"`
	UserArn                       *string `json:"userArn"`
	UserAgent                     *string `json:"userAgent"`
	User                          *string `json:"user"`
	// APIKey and APIKeyID are there only when the method requires a key.
	APIKey   *string `json:"apiKey,omitempty"`
	APIKeyID *string `json:"apiKeyId,omitempty"`
}

// localAccountID is the account the runner's APIs belong to.
const localAccountID = "000000000000"

// hopByHop are the request headers API Gateway does not pass to a Lambda
// proxy integration: the hop-by-hop headers of RFC 9110 section 7.6.1, and
// Content-Length, which describes the client's message, not the event.
// Recorded REGIONAL events of requests that had both show neither Connection
// nor Content-Length ([py-requests]: python-requests sends "Connection:
// keep-alive" and a Content-Length; [voker]: curl's POST), nor does the
// docs' EDGE example of a POST with a body ([aws-lambda-go]).
var hopByHop = []string{"Connection", "Content-Length", "Expect", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade"}

// replaced are the headers API Gateway writes itself: Host and User-Agent
// under these names whatever case the client used ([lambda-docs] and
// [voker], whose clients sent lower-case names over HTTP/2: "accept" stays
// lower-case there, "Host" and "User-Agent" do not), and the X-Forwarded-*
// and X-Amzn-Trace-Id headers it adds ([lambda-docs], [py-requests], [voker]).
var replaced = []string{"Host", "User-Agent", "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto", "X-Amzn-Trace-Id"}

// event is the proxy event of request r for route, whose path below the
// stage is path (as received, encoding kept, slashes collapsed) with the
// path parameters params.
func (g *gateway) event(r *http.Request, route *loader.Route, path string, params map[string]string, body []byte, requestID string, now time.Time, who *principal) proxyEvent {
	ev := proxyEvent{proxyRequest: proxyRequest{
		Resource:   route.Resource,
		Path:       path,
		HTTPMethod: r.Method,
	}}
	ev.Headers, ev.MultiValueHeaders = eventHeaders(r)
	ev.QueryStringParameters, ev.MultiValueQueryStringParameters = eventQuery(r.URL.RawQuery)
	if len(params) > 0 {
		ev.PathParameters = params
	}
	if len(g.api.StageVariables) > 0 {
		ev.StageVariables = g.api.StageVariables
	}
	if len(body) > 0 {
		text, base64Encoded := g.eventBody(r, route, body, requestID)
		ev.Body, ev.IsBase64Encoded = &text, base64Encoded
	}
	apiID := localAPIID(g.api)
	ev.RequestContext = proxyRequestContext{
		ResourceID:        localResourceID(apiID, route.Resource),
		ResourcePath:      route.Resource,
		HTTPMethod:        r.Method,
		ExtendedRequestID: newExtendedRequestID(),
		RequestTime:       now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
		Path:              "/" + g.api.Stage + path,
		AccountID:         localAccountID,
		Protocol:          r.Proto,
		Stage:             g.api.Stage,
		// On AWS the domain's first label, which is the API's id on its
		// execute-api domain; the runner's domain is 127.0.0.1:port.
		DomainPrefix:     apiID,
		RequestTimeEpoch: now.UnixMilli(),
		RequestID:        requestID,
		Identity:         proxyIdentity{SourceIP: sourceIP(r)},
		DomainName:       requestHost(r),
		DeploymentID:     localID(apiID+"/deployment", 6),
		APIID:            apiID,
	}
	if ua, ok := ev.Headers["User-Agent"]; ok {
		ev.RequestContext.Identity.UserAgent = &ua
	}
	if who != nil {
		ev.RequestContext.Identity.setCaller(who.Identity)
		ev.RequestContext.Authorizer = who.Authorizer
	}
	return ev
}

// eventBody is the body as the function gets it. A body whose
// Content-Type is among the API's binary media types reaches the function
// base64-encoded; any other is passed as UTF-8 text, and bytes that are
// not UTF-8 do not survive: "By default, API Gateway treats the message
// body as a text payload"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html).
// AWS does not document what becomes of them; the runner replaces each
// invalid sequence with U+FFFD and says so, so the mistake shows here.
func (g *gateway) eventBody(r *http.Request, route *loader.Route, body []byte, requestID string) (text string, base64Encoded bool) {
	switch {
	case g.binary(r.Header.Get("Content-Type")):
		return base64.StdEncoding.EncodeToString(body), true
	case utf8.Valid(body):
		return string(body), false
	}
	fmt.Fprintf(g.logs, "%s [%s %s %s] the body is not UTF-8 and its Content-Type %q is not among the API's binary media types %q: API Gateway passes it as text and the function receives it garbled (set RestApiProps.BinaryMediaTypes)\n",
		route.Function.LogicalID, r.Method, route.Path, requestID[:8], r.Header.Get("Content-Type"), g.api.BinaryTypes)
	return strings.ToValidUTF8(string(body), "\uFFFD"), false
}

// setCaller sets the keys of the identity the guards found (IAM, Cognito,
// an API key); the others stay null.
func (id *proxyIdentity) setCaller(c callerIdentity) {
	id.AccessKey, id.AccountID, id.Caller, id.User, id.UserArn = c.AccessKey, c.AccountID, c.Caller, c.User, c.UserArn
	id.CognitoIdentityPoolID, id.CognitoIdentityID = c.CognitoIdentityPoolID, c.CognitoIdentityID
	id.CognitoAuthenticationType, id.CognitoAuthenticationProvider = c.CognitoAuthenticationType, c.CognitoAuthenticationProvider
	id.PrincipalOrgID, id.APIKey, id.APIKeyID = c.PrincipalOrgID, c.APIKey, c.APIKeyID
}

// eventHeaders are the request's headers as API Gateway passes them: names
// as the client wrote them (from the raw head; net/http's canonical names
// when it could not be read), the last value of a repeated header in
// headers and all of them in multiValueHeaders ([voker]: "x-voker-probe"
// sent twice), without the hop-by-hop ones, and with the headers API Gateway
// adds.
func eventHeaders(r *http.Request) (map[string]string, map[string][]string) {
	single, multi := map[string]string{}, map[string][]string{}
	add := func(name, value string) {
		single[name] = value
		multi[name] = append(multi[name], value)
	}
	var userAgent, forwardedFor, traceID []string
	for _, f := range headerFields(r) {
		switch {
		case oneOf(f.name, hopByHop):
		case strings.EqualFold(f.name, "User-Agent"):
			userAgent = append(userAgent, f.value)
		case strings.EqualFold(f.name, "X-Forwarded-For"):
			forwardedFor = append(forwardedFor, f.value)
		case strings.EqualFold(f.name, "X-Amzn-Trace-Id"):
			traceID = append(traceID, f.value)
		case oneOf(f.name, replaced):
		default:
			add(f.name, f.value)
		}
	}
	add("Host", requestHost(r))
	for _, ua := range userAgent {
		add("User-Agent", ua)
	}
	add("X-Forwarded-For", xForwardedFor(r, forwardedFor))
	add("X-Forwarded-Port", localPort(r))
	add("X-Forwarded-Proto", "http")
	add("X-Amzn-Trace-Id", traceHeader(traceID))
	return single, multi
}

// headerFields are the request's header fields as the client wrote them:
// from the raw head, with the headers the web ACL inserted; net/http's
// canonical names when the raw head could not be read.
func headerFields(r *http.Request) []rawField {
	if h := requestRawHead(r); h != nil {
		return append(h.fields[:len(h.fields):len(h.fields)], wafInserted(r)...)
	}
	var fields []rawField
	for name, vs := range r.Header {
		for _, v := range vs {
			fields = append(fields, rawField{name, v})
		}
	}
	return fields
}

// xForwardedFor is the client's own X-Forwarded-For list, if any, with the
// address the runner received the request from appended. A proxy appends
// it (RFC 7239 section 7.4 describes the header); AWS does not say what API
// Gateway does with a list the client sent: the runner appends, as proxies
// do.
func xForwardedFor(r *http.Request, sent []string) string {
	xff := sourceIP(r)
	if len(sent) > 0 {
		xff = strings.Join(sent, ", ") + ", " + xff
	}
	return xff
}

// localPort is the port the client connected to: 443 on AWS, the runner's
// own locally, so that a function building links from X-Forwarded-Port and
// X-Forwarded-Proto links back to the runner.
func localPort(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(a.String()); err == nil {
			return p
		}
	}
	return "80"
}

// traceHeader is X-Ray's trace header: a client's own is continued (its
// Root kept), else a new root
// (https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader).
func traceHeader(sent []string) string {
	if len(sent) > 0 && strings.Contains(sent[len(sent)-1], "Root=") {
		return sent[len(sent)-1]
	}
	return newTraceID(time.Now())
}

func oneOf(name string, names []string) bool {
	for _, n := range names {
		if strings.EqualFold(name, n) {
			return true
		}
	}
	return false
}

// eventQuery decodes the query string as API Gateway does: values
// percent-decoded with + as a space ([voker]: "a%2Bb" arrives as "a+b",
// "a+b" as "a b"), the last value of a repeated key in
// queryStringParameters and all of them in multiValueQueryStringParameters,
// both null without a query. A semicolon separates parameters as & does
// ("The semicolon character (;) is not supported for any request URL query
// string and results in the data being split", Amazon API Gateway important
// notes, https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html).
// AWS does not document an invalid escape; the runner keeps it as sent.
func eventQuery(raw string) (map[string]string, map[string][]string) {
	var single map[string]string
	var multi map[string][]string
	for _, part := range strings.FieldsFunc(raw, func(c rune) bool { return c == '&' || c == ';' }) {
		k, v, _ := strings.Cut(part, "=")
		k, v = queryUnescape(k), queryUnescape(v)
		if single == nil {
			single, multi = map[string]string{}, map[string][]string{}
		}
		single[k] = v
		multi[k] = append(multi[k], v)
	}
	return single, multi
}

func queryUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// requestHost is the Host the client asked for (the runner's address when
// an HTTP/1.0 client sent none).
func requestHost(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		return a.String()
	}
	return "127.0.0.1"
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// localAPIID is the API's id: ten lower-case letters and digits, as
// API Gateway's are, stable for a stack and logical id.
func localAPIID(api *loader.API) string {
	return localID(api.Stack+"/"+api.LogicalID, 10)
}

// localResourceID is a resource's id: one per resource path, six
// characters (API Gateway's are; [lambda-docs], [py-requests], [voker]),
// ten for the root resource, whose id API Gateway makes like an API's
// ("krznpq9xpg" in the docs' AWS CLI walkthrough).
func localResourceID(apiID, resourcePath string) string {
	if resourcePath == "/" {
		return localID(apiID+"/", 10)
	}
	return localID(apiID+resourcePath, 6)
}

// localID is n characters of [0-9a-z] derived from key.
func localID(key string, n int) string {
	sum := sha256.Sum256([]byte(key))
	s := new(big.Int).SetBytes(sum[:]).Text(36)
	for len(s) < n {
		s = "0" + s
	}
	return s[:n]
}

// newExtendedRequestID looks like API Gateway's: 16 characters of base64
// ending in "=" ("Y5HaQFJXCGYEQvA=" in [py-requests]).
func newExtendedRequestID() string {
	var b [11]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// newTraceID is an X-Ray root trace id: Root=1-{epoch seconds, 8 hex
// digits}-{96 random bits, 24 hex digits}.
func newTraceID(now time.Time) string {
	var b [12]byte
	rand.Read(b[:])
	return "Root=1-" + strconv.FormatInt(now.Unix(), 16) + "-" + hex.EncodeToString(b[:])
}

// binary reports whether API Gateway would pass a body of this type to the
// function base64-encoded (the API's binary media types).
func (g *gateway) binary(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	for _, b := range g.api.BinaryTypes {
		if b == "*/*" || b == mt || strings.HasSuffix(b, "/*") && strings.HasPrefix(mt, strings.TrimSuffix(b, "*")) {
			return true
		}
	}
	return false
}
