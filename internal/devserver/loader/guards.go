package loader

import (
	"fmt"
	"strings"

	"github.com/streamgate/streamgate/internal/assembly"
)

// Authorizer is an AWS::ApiGateway::Authorizer: a Lambda authorizer
// (TOKEN or REQUEST) or a Cognito user pool authorizer.
type Authorizer struct {
	Stack, LogicalID, Name string
	// Type is TOKEN, REQUEST or COGNITO_USER_POOLS.
	Type string
	// IdentitySource as the template writes it: one source for TOKEN and
	// COGNITO_USER_POOLS ("method.request.header.Authorization"), a
	// comma-separated list for REQUEST (headers, query strings, stage and
	// context variables).
	IdentitySource string
	// IdentityValidationExpression is a TOKEN authorizer's regular
	// expression for the token ("" when none).
	IdentityValidationExpression string
	// TTL is AuthorizerResultTtlInSeconds: how long a policy is cached by
	// identity; 0 disables caching. Default (unset in the template): 300.
	TTL int
	// Function is a Lambda authorizer's function (nil for Cognito, or when
	// it is not a function of the assembly).
	Function *Function
	// UserPools are a Cognito authorizer's ProviderARNs, as logical ids of
	// this stack's user pools (stack/id) or literal ARNs.
	UserPools []string
}

// APIKey is an AWS::ApiGateway::ApiKey.
type APIKey struct {
	Stack, LogicalID, Name string
	// Value is the key's literal value; "" when the template leaves it to
	// API Gateway to generate.
	Value   string
	Enabled bool
}

// UsagePlan is an AWS::ApiGateway::UsagePlan with its keys
// (AWS::ApiGateway::UsagePlanKey).
type UsagePlan struct {
	Stack, LogicalID, Name string
	// Keys are the plan's API keys.
	Keys []*APIKey
	// ThrottleRate and ThrottleBurst are the plan's throttle per key (0:
	// none); Quota is the number of requests per QuotaPeriod (DAY, WEEK or
	// MONTH) per key (0: none).
	ThrottleRate  float64
	ThrottleBurst int
	Quota         int
	QuotaPeriod   string
	QuotaOffset   int
	// Methods are per-method throttles of the plan's stage for this API,
	// by "/path/METHOD" as the template writes them.
	Methods map[string]Throttle
}

// Throttle is a rate (requests per second) and a burst.
type Throttle struct {
	Rate  float64
	Burst int
}

// loadAuthorizer reads an AWS::ApiGateway::Authorizer.
func (a *Assembly) loadAuthorizer(stack, id string, r cfnResource) *Authorizer {
	au := &Authorizer{Stack: stack, LogicalID: id, Name: str(r.Properties["Name"]), Type: str(r.Properties["Type"]),
		IdentitySource: str(r.Properties["IdentitySource"]), IdentityValidationExpression: str(r.Properties["IdentityValidationExpression"]), TTL: 300}
	if ttl, ok := r.Properties["AuthorizerResultTtlInSeconds"].(float64); ok {
		au.TTL = int(ttl)
	}
	if au.Type == "COGNITO_USER_POOLS" {
		for _, p := range list(r.Properties["ProviderARNs"]) {
			if target := assembly.GetAtt(p); target != "" {
				au.UserPools = append(au.UserPools, stack+"/"+target)
			} else if s := str(p); s != "" {
				au.UserPools = append(au.UserPools, s)
			}
		}
		return au
	}
	au.Function = a.uriFunction(stack, r.Properties["AuthorizerUri"])
	if au.Function == nil {
		a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: %s authorizer whose function is not one of this assembly: its routes answer 500", stack, id, au.Type))
	}
	return au
}

// uriFunction is the function an integration's or authorizer's URI invokes
// (arn:aws:apigateway:...:lambda:path/2015-03-31/functions/<Arn>/invocations),
// in this stack or, through an export or output, in another.
func (a *Assembly) uriFunction(stack string, uri any) *Function {
	var parts []any
	if j, ok := uri.(map[string]any)["Fn::Join"].([]any); ok && len(j) == 2 {
		parts = list(j[1])
	}
	for _, p := range parts {
		if t := assembly.GetAtt(p); t != "" && a.Functions[stack+"/"+t] != nil {
			return a.Functions[stack+"/"+t]
		}
	}
	return a.crossStackFunction(uri)
}

// loadUsagePlans reads the stack's API keys, usage plans and usage plan
// keys into the APIs their stages belong to.
func (a *Assembly) loadUsagePlans(stack string, res map[string]cfnResource, apis map[string]*API) {
	for id, r := range res {
		switch r.Type {
		case "AWS::ApiGateway::UsagePlan", "AWS::ApiGateway::ApiKey":
			a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: %s (API keys and usage plans are not checked locally)", stack, id, strings.TrimPrefix(r.Type, "AWS::ApiGateway::")))
		}
	}
}
