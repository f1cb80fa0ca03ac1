// Package apiauth says how the methods of a streamgate API authorize their
// callers. The constructs default to IAM (SigV4-signed requests); a Cognito
// user pool or a Lambda authorizer are the alternatives, and an open API
// must be asked for by name:
//
//	apiauth.Iam()                                   // the default
//	apiauth.CognitoUserPools(pool).WithScopes("api/read")
//	apiauth.Lambda(tokenAuthorizer)                 // an awsapigateway.TokenAuthorizer or RequestAuthorizer
//	apiauth.None()                                  // anyone on the internet may call it
package apiauth

import (
	"fmt"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Kind names an authorization mode.
type Kind string

// The authorization modes.
const (
	KindIam     Kind = "IAM"
	KindCognito Kind = "COGNITO_USER_POOLS"
	KindLambda  Kind = "CUSTOM"
	KindNone    Kind = "NONE"
)

// Authorization is how an API's methods authorize callers. Build one with
// Iam, CognitoUserPools, Lambda or None; the zero value is not valid.
type Authorization struct {
	kind       Kind
	pools      []awscognito.IUserPool
	authorizer awsapigateway.IAuthorizer
	scopes     []*string

	mu      sync.Mutex
	created map[string]awsapigateway.IAuthorizer // Cognito authorizer per API, by node path
}

// Iam requires SigV4-signed requests from principals allowed
// execute-api:Invoke. It is the default of every streamgate API.
func Iam() *Authorization { return &Authorization{kind: KindIam} }

// CognitoUserPools requires an ID or access token from one of the pools in
// the Authorization header. One CognitoUserPoolsAuthorizer is created per API.
func CognitoUserPools(pools ...awscognito.IUserPool) *Authorization {
	return &Authorization{kind: KindCognito, pools: pools}
}

// Lambda uses a Lambda authorizer (an awsapigateway.TokenAuthorizer or
// RequestAuthorizer) created by the caller.
func Lambda(authorizer awsapigateway.IAuthorizer) *Authorization {
	return &Authorization{kind: KindLambda, authorizer: authorizer}
}

// None leaves the methods open to anyone who knows the URL. Use it only for
// public data, and consider the WAF rate limit.
func None() *Authorization { return &Authorization{kind: KindNone} }

// WithScopes sets the OAuth scopes a Cognito access token must carry.
func (a *Authorization) WithScopes(scopes ...string) *Authorization {
	a.scopes = *jsii.Strings(scopes...)
	return a
}

// Kind is the authorization mode.
func (a *Authorization) Kind() Kind { return a.kind }

// Validate reports a misconfigured authorization: no pools, no authorizer,
// or scopes on a mode without them. prop names the prop in messages.
func (a *Authorization) Validate(prop string) error {
	switch {
	case a.kind == "":
		return fmt.Errorf("%s is an empty Authorization; allowed: apiauth.Iam(), apiauth.CognitoUserPools(...), apiauth.Lambda(...) or apiauth.None(). Fix: build it with one of those", prop)
	case a.kind == KindCognito && len(a.pools) == 0:
		return fmt.Errorf("%s is apiauth.CognitoUserPools() with no pool; allowed: one or more user pools. Fix: pass the pools, e.g. apiauth.CognitoUserPools(pool)", prop)
	case a.kind == KindLambda && a.authorizer == nil:
		return fmt.Errorf("%s is apiauth.Lambda(nil); allowed: a TokenAuthorizer or RequestAuthorizer. Fix: pass the authorizer", prop)
	case len(a.scopes) > 0 && a.kind != KindCognito:
		return fmt.Errorf("%s has scopes with %s authorization; allowed: scopes with Cognito user pools only. Fix: drop WithScopes or use apiauth.CognitoUserPools", prop, a.kind)
	}
	return nil
}

// MethodOptions returns the method options that apply the authorization to
// methods of api; scope owns the Cognito authorizer, created once per API.
// It is for construct authors; users pass an Authorization in props.
func (a *Authorization) MethodOptions(scope constructs.Construct, api awsapigateway.IRestApi) *awsapigateway.MethodOptions {
	switch a.kind {
	case KindIam:
		return &awsapigateway.MethodOptions{AuthorizationType: awsapigateway.AuthorizationType_IAM}
	case KindNone:
		return &awsapigateway.MethodOptions{AuthorizationType: awsapigateway.AuthorizationType_NONE}
	case KindLambda:
		return &awsapigateway.MethodOptions{AuthorizationType: awsapigateway.AuthorizationType_CUSTOM, Authorizer: a.authorizer}
	case KindCognito:
		opts := &awsapigateway.MethodOptions{
			AuthorizationType: awsapigateway.AuthorizationType_COGNITO,
			Authorizer:        a.cognitoAuthorizer(scope, api),
		}
		if len(a.scopes) > 0 {
			opts.AuthorizationScopes = &a.scopes
		}
		return opts
	}
	panic(a.Validate("Authorization"))
}

func (a *Authorization) cognitoAuthorizer(scope constructs.Construct, api awsapigateway.IRestApi) awsapigateway.IAuthorizer {
	a.mu.Lock()
	defer a.mu.Unlock()
	key := *api.Node().Path()
	if auth, ok := a.created[key]; ok {
		return auth
	}
	// One authorizer per Authorization and API: a second Cognito
	// Authorization on the same API (a route's own pools) gets the next id.
	id := "CognitoAuthorizer"
	for n := 2; scope.Node().TryFindChild(jsii.String(id)) != nil; n++ {
		id = fmt.Sprintf("CognitoAuthorizer%d", n)
	}
	auth := awsapigateway.NewCognitoUserPoolsAuthorizer(scope, jsii.String(id), &awsapigateway.CognitoUserPoolsAuthorizerProps{
		CognitoUserPools: &a.pools,
	})
	if a.created == nil {
		a.created = map[string]awsapigateway.IAuthorizer{}
	}
	a.created[key] = auth
	return auth
}
