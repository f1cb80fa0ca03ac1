package devserver

// API Gateway's and Lambda's limits on a request and its reply, and the
// quotas on a request's URL and headers the gateway checks first.

import (
	"fmt"
	"net/http"
	"time"
)

// Limits API Gateway and Lambda enforce.
const (
	// MaxRequestPayload is API Gateway's request payload limit, 10 MB
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
	MaxRequestPayload = 10 << 20
	// MaxBufferedResponse is API Gateway's buffered response limit, 10 MB.
	MaxBufferedResponse = 10 << 20
	// MaxLambdaBuffered is Lambda's buffered (non-streamed) response limit,
	// 6 MB (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
	MaxLambdaBuffered = 6 << 20
	// MaxInvokePayload is Lambda's synchronous invocation request limit:
	// the event must be smaller than 6,291,456 bytes (Lambda's quotas page,
	// and Invoke's RequestEntityTooLargeException), which a body of a few
	// MB reaches first as base64.
	MaxInvokePayload = 6 << 20
	// MaxStreamedResponse is Lambda's limit on a streamed response, 200 MB
	// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html):
	// past it the stream is cut.
	MaxStreamedResponse = 200 << 20
	// StreamRate is the bandwidth of a stream past its uncapped start:
	// 2 MB/s, for Lambda past the first 6 MB of a streamed response (the
	// page above) and for API Gateway past the first 10 MB
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html).
	StreamRate = 2 << 20
	// LambdaUncapped and GatewayUncapped are the bytes each sends before
	// the 2 MB/s cap: a Lambda route is capped after 6 MB, an HTTP route
	// after 10 MB.
	LambdaUncapped    = 6 << 20
	GatewayUncapped   = 10 << 20
	MaxStreamDuration = 15 * time.Minute
	// MaxHeaderBytes is API Gateway's quota on the total size of a REST
	// API request's headers (names, values, line terminators and
	// whitespace): 10240 bytes, 8000 for a private API
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html).
	MaxHeaderBytes        = 10240
	MaxPrivateHeaderBytes = 8000
)

// MaxURLLength is API Gateway's quota on the length of a REST API's URL,
// in characters: 8192 for EDGE and PRIVATE endpoints, 10240 for REGIONAL
// (the quota page above).
func MaxURLLength(endpointType string) int {
	if endpointType == "REGIONAL" {
		return 10240
	}
	return 8192
}

// overQuota is the status and message of a request past API Gateway's URL
// or header quotas; "" when within them. AWS documents the quotas, not the
// status it answers with: 414 for a URL (what it answers for a method ARN
// that grows too long) and 431 for headers are the runner's choice.
func overQuota(r *http.Request, endpointType string) (int, string) {
	url := "https://" + r.Host + r.URL.RequestURI()
	if n, max := len(url), MaxURLLength(endpointType); n > max {
		return 414, fmt.Sprintf("the URL is %d characters; API Gateway allows %d for a %s API", n, max, endpointType)
	}
	size := len("Host: \r\n") + len(r.Host)
	for k, vs := range r.Header {
		for _, v := range vs {
			size += len(k) + len(": ") + len(v) + len("\r\n")
		}
	}
	max := MaxHeaderBytes
	if endpointType == "PRIVATE" {
		max = MaxPrivateHeaderBytes
	}
	if size > max {
		return 431, fmt.Sprintf("the headers are %d bytes; API Gateway allows %d in all", size, max)
	}
	return 0, ""
}

// IdleTimeout is how long API Gateway lets a stream send nothing.
func IdleTimeout(endpointType string) time.Duration {
	if endpointType == "EDGE" {
		return 30 * time.Second
	}
	return 5 * time.Minute
}
