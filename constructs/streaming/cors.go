package streaming

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/internal/propcheck"
	"github.com/streamgate/streamgate/lambda/cors"
)

// handlerEnvironment is a Go handler's environment: the route's own, and
// the API's CORS policy unless the route sets cors.EnvConfig itself.
func (a *StreamingRestApi) handlerEnvironment(env *map[string]*string) *map[string]*string {
	if a.corsPolicy == "" {
		return env
	}
	out := map[string]*string{cors.EnvConfig: jsii.String(a.corsPolicy)}
	if env != nil {
		for k, v := range *env {
			out[k] = v
		}
	}
	return &out
}

// corsGatewayResponseIDs are the ids of the gateway responses that carry
// CORS headers, under the RestApi: API Gateway's own 4XX answers (403 for
// a missing route or a denied IAM, Cognito or authorizer check, 413, 429
// when throttled) and 5XX answers (502 when a function fails, 504 when it
// times out).
var corsGatewayResponseIDs = []string{"CorsDefault4XX", "CorsDefault5XX"}

// corsGatewayResponses gives API Gateway's own error answers the CORS
// headers, so that a page on an allowed origin can read their status and
// body instead of an opaque CORS failure: API Gateway adds CORS headers to
// its own errors only through gateway responses
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html#apigateway-enable-cors-gateway-responses).
// A header value is a literal or a request parameter, never a comparison:
// with one origin (or "*") the header names it; with several, it repeats
// the request's Origin, which lets any page read API Gateway's generic
// error messages (never a function's answer, which the function checks).
func corsGatewayResponses(api awsapigateway.RestApi, c *awsapigateway.CorsOptions) {
	if c.AllowOrigins == nil || len(*c.AllowOrigins) == 0 {
		return
	}
	origin, credentials := propcheck.AllowOrigin(c)
	headers := map[string]*string{}
	switch origin {
	case cors.AnyOrigin:
		headers["Access-Control-Allow-Origin"] = jsii.String("'*'")
	case "":
		headers["Access-Control-Allow-Origin"] = jsii.String("method.request.header.Origin")
		headers["Vary"] = jsii.String("'Origin'")
	default:
		headers["Access-Control-Allow-Origin"] = jsii.String("'" + origin + "'")
		headers["Vary"] = jsii.String("'Origin'")
	}
	if credentials {
		headers["Access-Control-Allow-Credentials"] = jsii.String("'true'")
	}
	expose := []string{"x-amzn-RequestId", "x-amzn-ErrorType"}
	headers["Access-Control-Expose-Headers"] = jsii.String("'" + strings.Join(expose, ",") + "'")
	for i, t := range []awsapigateway.ResponseType{awsapigateway.ResponseType_DEFAULT_4XX(), awsapigateway.ResponseType_DEFAULT_5XX()} {
		api.AddGatewayResponse(jsii.String(corsGatewayResponseIDs[i]), &awsapigateway.GatewayResponseOptions{
			Type:            t,
			ResponseHeaders: &headers,
			// API Gateway's default body, kept: {"message": "..."}.
			Templates: &map[string]*string{"application/json": jsii.String(`{"message":$context.error.messageString}`)},
		})
	}
}
