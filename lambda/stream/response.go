package stream

import (
	"bytes"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"
)

// JSON returns a complete, small response on a streaming route: an error
// before the stream starts (404, 400) or a short answer. Streaming routes
// need the streaming response type even when nothing streams.
func JSON(statusCode int, v any) *events.APIGatewayProxyStreamingResponse {
	b, err := json.Marshal(v)
	if err != nil {
		statusCode = 500
		b, _ = json.Marshal(map[string]errorBody{"error": {"InternalError", "response could not be encoded: " + err.Error()}})
	}
	return &events.APIGatewayProxyStreamingResponse{
		StatusCode: statusCode,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       bytes.NewReader(b),
	}
}

// Error returns a JSON error response: {"error":{"code":code,"message":message}}.
func Error(statusCode int, code, message string) *events.APIGatewayProxyStreamingResponse {
	return JSON(statusCode, map[string]errorBody{"error": {code, message}})
}
