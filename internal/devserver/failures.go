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
