// Command authorizer is a Lambda authorizer (TOKEN or REQUEST) for the
// devserver tests, run as a real function process through the runner's
// pool. What it answers depends on the token (TOKEN) or the X-Token header
// (REQUEST): the part before the first "." is the mode, the rest makes
// tokens of one mode distinct for the cache.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Type               string            `json:"type"`
	AuthorizationToken string            `json:"authorizationToken"`
	MethodArn          string            `json:"methodArn"`
	Headers            map[string]string `json:"headers"`
}

func policy(principal string, statements ...map[string]any) map[string]any {
	return map[string]any{
		"principalId":    principal,
		"policyDocument": map[string]any{"Version": "2012-10-17", "Statement": statements},
	}
}

func statement(effect string, resource any) map[string]any {
	return map[string]any{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var ev event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	token := ev.AuthorizationToken
	if ev.Type == "REQUEST" {
		token = ev.Headers["X-Token"]
	}
	mode, _, _ := strings.Cut(token, ".")
	principal := "user-" + token
	switch mode {
	case "allow":
		out := policy(principal, statement("Allow", ev.MethodArn))
		out["context"] = map[string]any{"str": "s", "num": 42, "bool": true, "float": 1.5, "null": nil}
		out["usageIdentifierKey"] = "usage-key-1"
		return out, nil
	case "allow-get": // every GET of every API and stage: a cached policy covers other GETs, not a POST
		return policy(principal, statement("Allow", "arn:aws:execute-api:*:*:*/*/GET/*")), nil
	case "deny": // an Allow of everything, and a Deny of this method: the Deny wins
		return policy(principal, statement("Allow", "*"), statement("Deny", ev.MethodArn)), nil
	case "nomatch":
		return policy(principal, statement("Allow", ev.MethodArn+"/other")), nil
	case "echo": // the authorizer's own event, for the test to read in the integration's
		out := policy(principal, statement("Allow", ev.MethodArn))
		out["context"] = map[string]any{"event": string(raw)}
		return out, nil
	case "unauthorized":
		return nil, errors.New("Unauthorized")
	case "error":
		return nil, errors.New("the user database is down")
	case "garbage":
		return "not a policy", nil
	case "nopolicy":
		return map[string]any{"principalId": principal}, nil
	case "object-context":
		out := policy(principal, statement("Allow", ev.MethodArn))
		out["context"] = map[string]any{"user": map[string]any{"id": 1}}
		return out, nil
	case "array-context":
		out := policy(principal, statement("Allow", ev.MethodArn))
		out["context"] = map[string]any{"roles": []string{"admin"}}
		return out, nil
	case "huge": // past Lambda's 6 MB for a buffered answer
		out := policy(principal, statement("Allow", ev.MethodArn))
		out["context"] = map[string]any{"big": strings.Repeat("x", 7<<20)}
		return out, nil
	case "sleep": // past the function's timeout
		time.Sleep(30 * time.Second)
		return policy(principal, statement("Allow", ev.MethodArn)), nil
	case "crash":
		os.Exit(2)
	}
	return nil, errors.New("Unauthorized")
}

func main() { lambda.Start(handle) }
