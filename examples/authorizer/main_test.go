package main

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestAuthorize(t *testing.T) {
	const arn = "arn:aws:execute-api:us-east-1:000000000000:abc123/prod/GET/token/echo"
	for _, tc := range []struct {
		name, token       string
		effect, principal string
		unauthorized      bool
	}{
		{name: "allow", token: "Bearer allow-alice", effect: "Allow", principal: "user-alice"},
		{name: "deny", token: "Bearer deny-bob", effect: "Deny", principal: "anonymous"},
		{name: "allow without a name", token: "Bearer allow-", effect: "Deny", principal: "anonymous"},
		{name: "not a bearer token", token: "Basic YWxpY2U6c2VjcmV0", unauthorized: true},
		{name: "empty bearer", token: "Bearer ", unauthorized: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Authorize(context.Background(), events.APIGatewayCustomAuthorizerRequest{
				Type: "TOKEN", AuthorizationToken: tc.token, MethodArn: arn})
			if tc.unauthorized {
				if !errors.Is(err, errUnauthorized) || err.Error() != "Unauthorized" {
					t.Fatalf("err = %v, want Unauthorized", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			st := got.PolicyDocument.Statement
			if got.PrincipalID != tc.principal || len(st) != 1 || st[0].Effect != tc.effect ||
				st[0].Resource[0] != "arn:aws:execute-api:us-east-1:000000000000:abc123/prod/*" {
				t.Errorf("answer: %+v", got)
			}
			if got.Context["tenant"] != "acme" || got.Context["allowed"] != (tc.effect == "Allow") {
				t.Errorf("context: %v", got.Context)
			}
		})
	}
}
