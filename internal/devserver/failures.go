package devserver

// API Gateway's own answers: its errors as gateway responses shape them,
// and what it answers when an integration fails.

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// fail answers as API Gateway does with an error of its own: a JSON
// {"message": ...}, with the headers of the API's gateway response for
// the error's type (or DEFAULT_4XX, DEFAULT_5XX), such as the CORS headers
// the constructs put there, and none that AWS would not add.
func (g *gateway) fail(w http.ResponseWriter, r *http.Request, status int, message string) {
	g.answerError(w, r, status, message, gatewayResponseTypes[status], map[int]string{403: "MissingAuthenticationTokenException", 413: "RequestEntityTooLarge",
		429: "TooManyRequestsException", 500: "InternalServerErrorException", 502: "InternalServerErrorException", 504: "IntegrationTimeout"}[status])
}

// answerError writes API Gateway's error answer: status and message, the
// headers of the gateway response of responseType (else DEFAULT_4XX or
// DEFAULT_5XX) and x-amzn-ErrorType errorType.
func (g *gateway) answerError(w http.ResponseWriter, r *http.Request, status int, message, responseType, errorType string) {
	g.answerErrorBody(w, r, status, map[string]string{"message": message}, responseType, errorType)
}

// answerErrorBody is answerError with another JSON body than
// {"message": ...}.
func (g *gateway) answerErrorBody(w http.ResponseWriter, r *http.Request, status int, body any, responseType, errorType string) {
	if gr := g.gatewayResponse(status, responseType); gr != nil {
		for name, v := range gr.Headers {
			if val := mappedValue(r, v); val != "" {
				w.Header().Set(name, val)
			}
		}
		if gr.Status != 0 {
			status = gr.Status
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if errorType != "" {
		w.Header().Set("x-amzn-ErrorType", errorType)
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// gatewayResponseTypes are the gateway response types of the errors the
// runner answers itself; the others fall back to DEFAULT_4XX or DEFAULT_5XX
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
var gatewayResponseTypes = map[int]string{403: "MISSING_AUTHENTICATION_TOKEN", 413: "REQUEST_TOO_LARGE", 429: "THROTTLED", 504: "INTEGRATION_TIMEOUT"}

func (g *gateway) gatewayResponse(status int, responseType string) *loader.GatewayResponse {
	if gr := g.api.GatewayResponses[responseType]; gr != nil {
		return gr
	}
	if status >= 500 {
		return g.api.GatewayResponses["DEFAULT_5XX"]
	}
	return g.api.GatewayResponses["DEFAULT_4XX"]
}

// mappedValue is a gateway response header's value for r: a quoted
// literal, or a request header (method.request.header.Name).
func mappedValue(r *http.Request, v string) string {
	if len(v) >= 2 && strings.HasPrefix(v, "'") && strings.HasSuffix(v, "'") {
		return v[1 : len(v)-1]
	}
	if name, ok := strings.CutPrefix(v, "method.request.header."); ok {
		return r.Header.Get(name)
	}
	return ""
}

// integrationFailure is a way an integration fails once API Gateway has
// called it. What API Gateway answers to each is decided here, in
// integrationFailures, for the Lambda proxy's streamed and buffered
// replies, the HTTP proxy and the AWS and HTTP integrations alike.
type integrationFailure int

const (
	// timedOut: the integration's timeout (TimeoutInMillis, 29 s by
	// default) passed before the reply, or a streamed reply's prelude,
	// arrived.
	timedOut integrationFailure = iota
	// invocationRejected: Lambda refused the invocation (throttled: the
	// function's reserved concurrency is in use).
	invocationRejected
	// functionFailed: the function could not start, crashed, timed out
	// after the integration's timeout, returned an error, or answered what
	// API Gateway cannot use (malformed, without a prelude, over a limit).
	functionFailed
	// backendFailed: an HTTP proxy's backend could not be reached (or its
	// URL does not parse), or its answer broke off.
	backendFailed
	// requestNotSent: an AWS or HTTP integration's request could not be
	// sent.
	requestNotSent
	// replyUnreadable: an AWS or HTTP integration's answer could not be
	// read, or is over API Gateway's 10 MB.
	replyUnreadable
)

// integrationFailures is API Gateway's answer to each integrationFailure.
// Lambda's guide: "If the Lambda API rejects the invocation request, API
// Gateway returns a 500 error code. If the function runs but returns an
// error, or returns a response in the wrong format, API Gateway returns a
// 502", both with {"message": "Internal server error"}
// (https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html);
// a timeout is the INTEGRATION_TIMEOUT gateway response, 504
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
var integrationFailures = [...]struct {
	status  int
	message string
}{
	timedOut:           {504, "Endpoint request timed out"},
	invocationRejected: {500, "Internal server error"},
	functionFailed:     {502, "Internal server error"},
	backendFailed:      {502, "Internal server error"},
	requestNotSent:     {500, "Internal server error"},
	replyUnreadable:    {502, "Internal server error"},
}

// failIntegration answers f as API Gateway does.
func (g *gateway) failIntegration(w http.ResponseWriter, r *http.Request, f integrationFailure) {
	a := integrationFailures[f]
	g.fail(w, r, a.status, a.message)
}
