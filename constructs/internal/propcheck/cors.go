package propcheck

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/lambda/cors"
)

// origin is an exact browser origin: https://host[:port] in lower case
// without a path, or for development http://localhost, 127.0.0.1 or [::1]
// with an optional port.
var origin = regexp.MustCompile(`^(https://[a-z0-9]([a-z0-9.-]*[a-z0-9])?|http://(localhost|127\.0\.0\.1|\[::1\]))(:[0-9]{1,5})?$`)

// CorsFields says which fields of awsapigateway.CorsOptions a construct
// honours besides AllowOrigins; the others are refused with a problem.
type CorsFields struct {
	// AnyOrigin accepts awsapigateway.Cors_ALL_ORIGINS() ("*").
	AnyOrigin bool
	// Methods, Headers and Options (AllowCredentials, ExposeHeaders,
	// MaxAge, StatusCode, DisableCache) are honoured when true.
	Methods, Headers, Options bool
	// Credentials honours AllowCredentials alone (Options includes it).
	Credentials bool
	// Why the refused fields cannot apply, for the message.
	Why string
}

// CheckCors records a problem for each origin of c (prop, e.g. "Cors") that
// is not exact, for an empty AllowOrigins and for each field of c that the
// construct does not honour (f). It returns the valid origins, ["*"] for
// any origin, or nil without CORS.
func (p *Problems) CheckCors(prop string, c *awsapigateway.CorsOptions, f CorsFields) []string {
	if c == nil {
		return nil
	}
	if c.AllowOrigins == nil || len(*c.AllowOrigins) == 0 {
		p.Add(prop+".AllowOrigins", "empty", "the origins your pages are served from, or awsapigateway.Cors_ALL_ORIGINS()", "name the origins, or drop "+prop)
		return nil
	}
	for _, refused := range []struct {
		name string
		set  bool
	}{
		{"AllowMethods", !f.Methods && c.AllowMethods != nil},
		{"AllowHeaders", !f.Headers && c.AllowHeaders != nil},
		{"AllowCredentials", !f.Options && !f.Credentials && c.AllowCredentials != nil},
		{"ExposeHeaders", !f.Options && c.ExposeHeaders != nil},
		{"MaxAge", !f.Options && c.MaxAge != nil},
		{"StatusCode", !f.Options && c.StatusCode != nil},
		{"DisableCache", !f.Options && c.DisableCache != nil},
	} {
		if refused.set {
			p.Add(prop+"."+refused.name, "set", "unset: "+f.Why, "drop "+prop+"."+refused.name)
		}
	}
	var ok []string
	for i, o := range *c.AllowOrigins {
		if o != nil && (origin.MatchString(*o) || *o == cors.AnyOrigin && f.AnyOrigin && len(*c.AllowOrigins) == 1) {
			ok = append(ok, *o)
			continue
		}
		fix := "name each origin your pages are served from, exactly as the browser sends it"
		if o != nil && *o == cors.AnyOrigin && f.AnyOrigin {
			fix = "use awsapigateway.Cors_ALL_ORIGINS() alone if any site may call it"
		}
		p.Add(fmt.Sprintf("%s.AllowOrigins[%d]", prop, i), Quote(o), `an exact origin: https://host[:port] in lower case, no path or wildcard ("https://app.example.com"), `+
			`or http://localhost, 127.0.0.1 or [::1] with a port for development`, fix)
	}
	return ok
}

// CorsPolicy is the cors.EnvConfig value that tells the Go handlers a
// construct builds which origins may read their answers; "" without CORS.
func CorsPolicy(c *awsapigateway.CorsOptions) string {
	if c == nil || c.AllowOrigins == nil || len(*c.AllowOrigins) == 0 {
		return ""
	}
	p := cors.Policy{AllowCredentials: c.AllowCredentials != nil && *c.AllowCredentials}
	for _, o := range *c.AllowOrigins {
		p.AllowOrigins = append(p.AllowOrigins, *o)
	}
	if c.ExposeHeaders != nil {
		for _, h := range *c.ExposeHeaders {
			p.ExposeHeaders = append(p.ExposeHeaders, *h)
		}
	}
	return p.Encode()
}

// Origins are c's AllowOrigins as strings; nil without CORS.
func Origins(c *awsapigateway.CorsOptions) []string {
	if c == nil || c.AllowOrigins == nil {
		return nil
	}
	var out []string
	for _, o := range *c.AllowOrigins {
		if o != nil {
			out = append(out, *o)
		}
	}
	return out
}

// AllowOrigin is the literal Access-Control-Allow-Origin that answers
// every page c allows, and whether c allows credentials: "*" for any
// origin without credentials, the origin when c has one, and "" when an
// answer must name the request's own origin (several origins, or any
// origin with credentials, for which browsers refuse "*"). c has origins
// (CheckCors's).
func AllowOrigin(c *awsapigateway.CorsOptions) (origin string, credentials bool) {
	origins := Origins(c)
	credentials = c.AllowCredentials != nil && *c.AllowCredentials
	if len(origins) != 1 || origins[0] == cors.AnyOrigin && credentials {
		return "", credentials
	}
	return origins[0], credentials
}

// WebAclCors is the Cors that an API with CORS c passes to the web ACL it
// creates: its origins, and AllowCredentials when the API allows
// credentials from one exact origin, the one case in which WAF's literal
// 413 headers can answer a credentialed request; nil without origins.
func WebAclCors(c *awsapigateway.CorsOptions) *awsapigateway.CorsOptions {
	origins := Origins(c)
	if len(origins) == 0 {
		return nil
	}
	out := &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings(origins...)}
	if origin, credentials := AllowOrigin(c); credentials && origin != "" {
		out.AllowCredentials = jsii.Bool(true)
	}
	return out
}
