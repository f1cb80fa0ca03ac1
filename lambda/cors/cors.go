// Package cors gives a Lambda function's answers the CORS headers a browser
// on another origin needs to read them.
//
// API Gateway adds no CORS header to what a Lambda proxy integration
// returns: the preflight (OPTIONS) is answered by the API, but the answer to
// the request itself carries only the headers the function sent, so without
// Access-Control-Allow-Origin the browser hides it from the page ("CORS
// error", status 0). The constructs that set CORS on an API tell the Go
// functions they build which origins are allowed, in the environment
// variable EnvConfig; FromEnv reads it, and Policy.Apply adds the headers to
// an answer for a request from an allowed origin:
//
//	policy, _ := cors.FromEnv()
//	headers = policy.Apply(headers, cors.Origin(req.Headers))
//
// lambda/stream's Wrap and the presign handler do this for every answer.
// See https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html
// ("for a Lambda proxy integration ... your backend is responsible for
// returning the Access-Control-Allow-Origin ... headers").
package cors

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/streamgate/streamgate/lambda/internal/header"
)

// EnvConfig is the environment variable that carries a Policy as JSON. The
// constructs set it on the Go functions they build for an API with CORS.
const EnvConfig = "STREAMGATE_CORS"

// AnyOrigin allows every origin.
const AnyOrigin = "*"

// Policy is which origins may read the answers, and what they may read.
type Policy struct {
	// AllowOrigins are exact origins ("https://app.example.com"), or
	// AnyOrigin alone.
	AllowOrigins []string `json:"allowOrigins"`
	// AllowCredentials lets pages send cookies and read the answer
	// (Access-Control-Allow-Credentials: true). Default: false.
	AllowCredentials bool `json:"allowCredentials,omitempty"`
	// ExposeHeaders are response headers beyond the CORS-safelisted ones
	// that pages may read. Default: none.
	ExposeHeaders []string `json:"exposeHeaders,omitempty"`
}

// FromEnv reads the policy the construct set in EnvConfig; nil (and no
// error) when the variable is unset: the API has no CORS.
func FromEnv() (*Policy, error) {
	v := os.Getenv(EnvConfig)
	if v == "" {
		return nil, nil
	}
	return Parse(v)
}

// Parse reads a policy written by Encode.
func Parse(v string) (*Policy, error) {
	var p Policy
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return nil, fmt.Errorf("%s=%q: not a CORS policy: %v", EnvConfig, v, err)
	}
	if len(p.AllowOrigins) == 0 {
		return nil, fmt.Errorf("%s=%q: allowOrigins is empty; allowed: origins like \"https://app.example.com\", or \"*\"", EnvConfig, v)
	}
	return &p, nil
}

// Encode is the policy as EnvConfig's value.
func (p *Policy) Encode() string {
	b, _ := json.Marshal(p)
	return string(b)
}

// any reports whether every origin may read the answers without credentials.
func (p *Policy) any() bool {
	for _, o := range p.AllowOrigins {
		if o == AnyOrigin {
			return true
		}
	}
	return false
}

// Allows reports whether a request from origin may read the answer.
func (p *Policy) Allows(origin string) bool {
	if p == nil || origin == "" {
		return false
	}
	if p.any() {
		return true
	}
	for _, o := range p.AllowOrigins {
		if o == origin {
			return true
		}
	}
	return false
}

// Apply adds the CORS headers for a request from origin to headers (which
// may be nil) and returns them: Access-Control-Allow-Origin (the origin
// itself, or "*" when any origin may read and no credentials are sent),
// Vary: Origin (caches must keep one answer per origin), and the policy's
// credentials and exposed headers. An origin that is not allowed gets no
// CORS header, so the browser keeps the answer from the page, but still
// Vary: Origin. A nil policy changes nothing, and headers that the
// function set itself are kept.
func (p *Policy) Apply(headers map[string]string, origin string) map[string]string {
	if p == nil {
		return headers
	}
	if headers == nil {
		headers = map[string]string{}
	}
	if _, set := header.Lookup(headers, "Access-Control-Allow-Origin"); set {
		return headers // the function answered CORS itself
	}
	wildcard := p.any() && !p.AllowCredentials
	if !wildcard {
		header.AddVary(headers, "Origin")
	}
	if !p.Allows(origin) {
		return headers
	}
	if wildcard {
		headers["Access-Control-Allow-Origin"] = AnyOrigin
	} else {
		headers["Access-Control-Allow-Origin"] = origin
	}
	if p.AllowCredentials {
		headers["Access-Control-Allow-Credentials"] = "true"
	}
	if len(p.ExposeHeaders) > 0 {
		headers["Access-Control-Expose-Headers"] = strings.Join(p.ExposeHeaders, ",")
	}
	return headers
}

// Origin is the request's Origin header (API Gateway keeps the client's
// spelling of header names in the proxy event).
func Origin(headers map[string]string) string {
	v, _ := header.Lookup(headers, "Origin")
	return v
}
