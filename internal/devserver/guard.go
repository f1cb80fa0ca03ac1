package devserver

import (
	"fmt"
	"io"
	"net/http"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// The guards run between finding a request's route and its integration, as
// API Gateway authorizes a method request: the method's authorization
// (AWS_IAM, a Lambda authorizer, a Cognito user pool), then its API key and
// the key's usage plan. A request a guard refuses never reaches the
// function.

// principal is who the guards found a request came from.
type principal struct {
	// Guard names what let the request through, for the log and the page:
	// "AWS_IAM", "CUSTOM TOKEN Authorizer", "COGNITO_USER_POOLS Pool",
	// "+ API key"; "NONE" for an open route.
	Guard string
	// Caller is who, for the log and the page: an access key and user ARN,
	// a principalId, a user name; "" when unknown.
	Caller string
	// Identity are the requestContext.identity keys a guard fills; the
	// others stay null.
	Identity callerIdentity
	// Authorizer is requestContext.authorizer; nil: the key is absent, as
	// on a method without an authorizer.
	Authorizer map[string]any
	// UsageKey is the API key usage plans count this request against:
	// x-api-key, or a Lambda authorizer's usageIdentifierKey.
	UsageKey string
}

// callerIdentity are the requestContext.identity keys that the guards fill.
type callerIdentity struct {
	AccessKey, AccountID, Caller, User, UserArn *string
	CognitoIdentityPoolID, CognitoIdentityID    *string
	CognitoAuthenticationType                   *string
	CognitoAuthenticationProvider               *string
	PrincipalOrgID                              *string
	// APIKey and APIKeyID are sent only when the method requires a key.
	APIKey, APIKeyID *string
}

// refusal is a guard's answer instead of the integration's: API Gateway's
// status and message, the gateway response type whose headers it carries
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html)
// and its x-amzn-ErrorType.
type refusal struct {
	Status       int
	Message      string
	ResponseType string // UNAUTHORIZED, ACCESS_DENIED, INVALID_SIGNATURE, ...
	ErrorType    string // x-amzn-ErrorType: AccessDeniedException, ...
	// Body is the JSON body when API Gateway's is not {"message": Message}
	// (a Lambda authorizer's deny has {"Message": ...}, its failure
	// {"message": null}); nil: that one.
	Body any
	// Why is the runner's own explanation, for the log and the page (what
	// was wrong and how to fix it); AWS tells the client less.
	Why string
	// Guard is the guard that refused.
	Guard string
}

// guards hold what the guards of one runner share: the credentials it
// knows, the authorizers' caches, the trusted token keys, the usage plans'
// counters.
type guards struct {
	iam        *iamGuard
	authorizer *authorizerGuard
	cognito    *cognitoGuard
	apiKeys    *apiKeyGuard
}

// newGuards prepares the guards for the APIs; notices say what each knows
// (the credentials, the generated keys) and what it does not check.
func newGuards(apis []*loader.API, o Options, logs io.Writer) (*guards, []string, error) {
	gs := &guards{}
	var notices []string
	var err error
	var n []string
	if gs.iam, n, err = newIAMGuard(apis, o); err != nil {
		return nil, nil, err
	}
	notices = append(notices, n...)
	if gs.authorizer, n, err = newAuthorizerGuard(apis, o); err != nil {
		return nil, nil, err
	}
	notices = append(notices, n...)
	if gs.cognito, n, err = newCognitoGuard(apis, o); err != nil {
		return nil, nil, err
	}
	notices = append(notices, n...)
	if gs.apiKeys, n, err = newAPIKeyGuard(apis, o); err != nil {
		return nil, nil, err
	}
	notices = append(notices, n...)
	return gs, notices, nil
}

// guard runs the route's guards on r (whose body has been read: SigV4
// signs it); the principal when r may pass, else the refusal.
func (g *gateway) guard(r *http.Request, route *loader.Route, body []byte, requestID string) (*principal, *refusal) {
	p := &principal{Guard: "NONE"}
	if g.guards == nil {
		return p, nil
	}
	var ref *refusal
	switch route.Authorization {
	case "", "NONE":
	case "AWS_IAM":
		p.Guard = "AWS_IAM"
		ref = g.guards.iam.check(g, r, route, body, p)
	case "CUSTOM":
		p.Guard = "CUSTOM"
		if au := route.Authorizer; au != nil {
			p.Guard = "CUSTOM " + au.Type + " " + au.LogicalID
		}
		ref = g.guards.authorizer.check(g, r, route, requestID, p)
	case "COGNITO_USER_POOLS":
		p.Guard = "COGNITO_USER_POOLS"
		if au := route.Authorizer; au != nil {
			p.Guard += " " + au.LogicalID
		}
		ref = g.guards.cognito.check(g, r, route, p)
	default:
		ref = &refusal{Status: 500, Message: "Internal server error", ResponseType: "AUTHORIZER_CONFIGURATION_ERROR",
			ErrorType: "AuthorizerConfigurationException", Why: fmt.Sprintf("authorization type %q is not one API Gateway knows", route.Authorization)}
	}
	if ref == nil && route.APIKeyRequired {
		p.Guard += " + API key"
		ref = g.guards.apiKeys.check(g, r, route, p)
	}
	if ref != nil {
		if ref.Guard == "" {
			ref.Guard = p.Guard
		}
		return nil, ref
	}
	return p, nil
}

// refuse answers as API Gateway does when a guard refuses: a JSON
// {"message": ...} with the headers of the API's gateway response for the
// refusal's type (or DEFAULT_4XX, DEFAULT_5XX), such as the CORS headers
// the constructs put there.
func (g *gateway) refuse(w http.ResponseWriter, r *http.Request, ref *refusal) {
	var body any = map[string]string{"message": ref.Message}
	if ref.Body != nil {
		body = ref.Body
	}
	g.answerErrorBody(w, r, ref.Status, body, ref.ResponseType, ref.ErrorType)
}
