package loader

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

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
	// MONTH) per key (0: none); QuotaOffset is the day a period starts
	// (WEEK: 0 Sunday, 1 Monday; MONTH: days after the first).
	ThrottleRate  float64
	ThrottleBurst int
	Quota         int
	QuotaPeriod   string
	QuotaOffset   int
	// Stages are the plan's API stages of this assembly. A plan's throttle
	// and quota count a key's requests to all of them together.
	Stages []*PlanStage
}

// PlanStage is one of a usage plan's ApiStages: an API's stage, with
// per-method throttles of that stage for each key.
type PlanStage struct {
	API *API
	// Methods are throttles per key of single methods, by "/path/METHOD"
	// as the template writes them ("/records/GET").
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
// keys into the APIs their stages belong to: what API Gateway checks for a
// method with ApiKeyRequired
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html).
func (a *Assembly) loadUsagePlans(stack string, res map[string]cfnResource, apis map[string]*API) {
	ids := make([]string, 0, len(res))
	for id := range res {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	// A plan names a stage by its name or by the Stage resource's Ref.
	stageNames := map[string]string{}
	for _, id := range ids {
		if r := res[id]; r.Type == "AWS::ApiGateway::Stage" {
			stageNames[id] = str(r.Properties["StageName"])
		}
	}
	keys := map[string]*APIKey{}
	plans := map[string]*UsagePlan{}
	for _, id := range ids {
		r := res[id]
		switch r.Type {
		case "AWS::ApiGateway::ApiKey":
			// Enabled is false unless the template says otherwise, as
			// CreateApiKey's default; aws-cdk's ApiKey writes true.
			k := &APIKey{Stack: stack, LogicalID: id, Name: str(r.Properties["Name"]), Value: str(r.Properties["Value"])}
			k.Enabled, _ = r.Properties["Enabled"].(bool)
			if v, ok := r.Properties["Value"]; ok && k.Value == "" {
				a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: API key whose Value is not a literal (%s): it gets a local value as a generated key does", stack, id, compact(v)))
			}
			if len(list(r.Properties["StageKeys"])) > 0 {
				a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: API key StageKeys (deprecated for usage plans; only usage plans admit a key locally)", stack, id))
			}
			keys[id] = k
		case "AWS::ApiGateway::UsagePlan":
			plans[id] = a.loadUsagePlan(stack, id, r, apis, stageNames)
		}
	}
	for _, id := range ids {
		r := res[id]
		if r.Type != "AWS::ApiGateway::UsagePlanKey" {
			continue
		}
		plan, key := plans[assembly.Ref(r.Properties["UsagePlanId"])], keys[assembly.Ref(r.Properties["KeyId"])]
		if plan == nil || key == nil {
			a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: usage plan key whose plan or key is not in this stack (%s, %s): not applied", stack, id,
				compact(r.Properties["UsagePlanId"]), compact(r.Properties["KeyId"])))
			continue
		}
		plan.Keys = append(plan.Keys, key)
	}
	for _, id := range ids {
		plan := plans[id]
		if plan == nil {
			continue
		}
		for _, s := range plan.Stages {
			s.API.UsagePlans = append(s.API.UsagePlans, plan)
		}
	}
}

// loadUsagePlan reads an AWS::ApiGateway::UsagePlan (its keys come later).
func (a *Assembly) loadUsagePlan(stack, id string, r cfnResource, apis map[string]*API, stageNames map[string]string) *UsagePlan {
	p := &UsagePlan{Stack: stack, LogicalID: id, Name: str(r.Properties["UsagePlanName"])}
	if t, ok := r.Properties["Throttle"].(map[string]any); ok {
		th := throttle(t)
		p.ThrottleRate, p.ThrottleBurst = th.Rate, th.Burst
	}
	if q, ok := r.Properties["Quota"].(map[string]any); ok {
		p.Quota, p.QuotaOffset, p.QuotaPeriod = number(q["Limit"]), number(q["Offset"]), str(q["Period"])
		if p.Quota > 0 && p.QuotaPeriod != "DAY" && p.QuotaPeriod != "WEEK" && p.QuotaPeriod != "MONTH" {
			a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: quota period %q is not DAY, WEEK or MONTH: the quota is not applied", stack, id, p.QuotaPeriod))
			p.Quota = 0
		}
	}
	for _, s := range list(r.Properties["ApiStages"]) {
		sm, _ := s.(map[string]any)
		api := apis[assembly.Ref(sm["ApiId"])]
		if api == nil {
			a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: usage plan stage of an API outside this stack (%s): not applied", stack, id, compact(sm["ApiId"])))
			continue
		}
		stage := str(sm["Stage"])
		if ref := assembly.Ref(sm["Stage"]); ref != "" {
			stage = stageNames[ref]
		}
		if want := apiStage(api); stage != want {
			a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: usage plan stage %q of %s, which is served as stage %q: not applied", stack, id, stage, api.LogicalID, want))
			continue
		}
		ps := &PlanStage{API: api}
		if methods, ok := sm["Throttle"].(map[string]any); ok {
			ps.Methods = map[string]Throttle{}
			for path, t := range methods {
				tm, _ := t.(map[string]any)
				ps.Methods[path] = throttle(tm)
			}
		}
		p.Stages = append(p.Stages, ps)
	}
	return p
}

// apiStage is the stage the runner serves api as (prod when the template
// has no Stage for it).
func apiStage(api *API) string {
	if api.Stage == "" {
		return "prod"
	}
	return api.Stage
}

// throttle reads ThrottleSettings: RateLimit (a double) and BurstLimit.
func throttle(t map[string]any) Throttle {
	rate, _ := t["RateLimit"].(float64)
	if s, ok := t["RateLimit"].(string); ok {
		rate, _ = strconv.ParseFloat(s, 64)
	}
	return Throttle{Rate: rate, Burst: number(t["BurstLimit"])}
}

// number is an integer property, written as a JSON number or a string.
func number(v any) int {
	switch x := v.(type) {
	case float64:
		return int(x)
	case string:
		n, _ := strconv.Atoi(x)
		return n
	}
	return 0
}

// compact is a template value as one line of JSON, for notices.
func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
