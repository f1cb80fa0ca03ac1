// Command authorizer is a Lambda TOKEN authorizer for a StreamingRestApi,
// written with aws-lambda-go's own types, to copy and adapt:
//
//	fn := gofunction.NewGoFunction(stack, jsii.String("Authorizer"), &gofunction.GoFunctionProps{
//		Entry: jsii.String("github.com/streamgate/streamgate/examples/authorizer"),
//	})
//	auth := awsapigateway.NewTokenAuthorizer(stack, jsii.String("TokenAuthorizer"), &awsapigateway.TokenAuthorizerProps{
//		Handler: fn.Function,
//	})
//	streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{
//		Authorization: apiauth.Lambda(auth),
//		Routes: &[]*streaming.RouteProps{
//			{Method: jsii.String("GET"), Path: jsii.String("/reports"), Entry: jsii.String("./handlers/reports")},
//		},
//	})
//
// API Gateway calls it with the Authorization header of a request
// (events.APIGatewayCustomAuthorizerRequest) and keeps its answer for the
// authorizer's ResultsCacheTtl (5 minutes by default) per token. It lets
// "Bearer allow-NAME" through as principal "user-NAME", with context values
// that reach the route's function as requestContext.authorizer; any other
// bearer token is denied (403), and a header that is not a bearer token is
// Unauthorized (401). A real one verifies the token (a JWT's signature, a
// session in a table) where this one reads its prefix.
//
// The local runner (sgdev, localrun) runs it as a function of its own,
// with the same caching.
package main

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// errUnauthorized is the one error API Gateway turns into 401
// {"message":"Unauthorized"}; any other error is a 500
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html).
var errUnauthorized = errors.New("Unauthorized")

// Authorize answers a TOKEN authorizer request with an IAM policy for the
// caller.
func Authorize(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	token, ok := strings.CutPrefix(req.AuthorizationToken, "Bearer ")
	if !ok || token == "" {
		return events.APIGatewayCustomAuthorizerResponse{}, errUnauthorized
	}
	name, allowed := strings.CutPrefix(token, "allow-")
	allowed = allowed && name != ""
	effect, principal := "Deny", "anonymous"
	if allowed {
		effect, principal = "Allow", "user-"+name
	}
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: principal,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action:   []string{"execute-api:Invoke"},
				Effect:   effect,
				Resource: []string{anyMethod(req.MethodArn)},
			}},
		},
		// Strings, numbers and booleans only: API Gateway refuses an
		// answer with objects or arrays in its context.
		Context: map[string]any{"tenant": "acme", "tokenName": name, "allowed": allowed},
	}, nil
}

// anyMethod widens a method ARN
// (arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH) to every
// method of the stage. API Gateway caches the policy per token, not per
// method: a policy naming only the first method called would deny the
// token's next calls to other methods until the cache expires.
func anyMethod(methodArn string) string {
	parts := strings.SplitN(methodArn, "/", 3)
	if len(parts) < 2 {
		return methodArn
	}
	return parts[0] + "/" + parts[1] + "/*"
}

func main() { lambda.Start(Authorize) }
