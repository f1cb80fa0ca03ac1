package devserver

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// apiKeyGuard checks the API key of a method with ApiKeyRequired and
// applies the key's usage plan, as API Gateway does
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html):
// the key comes from the x-api-key header, or from a Lambda authorizer's
// usageIdentifierKey when the API's ApiKeySourceType is AUTHORIZER; a
// missing, unknown or disabled key, or one in no usage plan of the API's
// stage, is a 403 {"message":"Forbidden"}; past the plan's throttle (per
// key, and per key and method where the plan's stage sets one) a 429
// {"message":"Too Many Requests"}; past its quota a 429
// {"message":"Limit Exceeded"}
// (https://repost.aws/knowledge-center/api-gateway-429-limit). Each plan
// counts a key's requests to all of its stages together.
type apiKeyGuard struct {
	byValue map[string]*liveKey
	// plans are each API's usage plans, by key.
	plans map[*loader.API]map[*loader.APIKey]*livePlan
	// stages are each plan's stage of each API, for its method throttles.
	stages map[*livePlan]map[*loader.API]*loader.PlanStage
	now    func() time.Time
}

// liveKey is an API key with its local value and id.
type liveKey struct {
	key   *loader.APIKey
	value string
	// id is the apiKeyId API Gateway would have given it: 10 letters and
	// digits.
	id string
}

// livePlan is a usage plan's counters.
type livePlan struct {
	plan *loader.UsagePlan

	mu      sync.Mutex
	buckets map[string]*tokenBucket // by key id, and key id + " " + "/path/METHOD"
	used    map[string]int          // requests of the current quota period, by key id
	period  time.Time               // start of the current quota period
}

// newAPIKeyGuard makes the API keys and usage plans of the APIs live; the
// notices give each key without a literal value the value it has here.
func newAPIKeyGuard(apis []*loader.API, o Options) (*apiKeyGuard, []string, error) {
	b := &keyGuardBuild{o: o, keys: map[*loader.APIKey]*liveKey{}, live: map[*loader.UsagePlan]*livePlan{}, used: map[string]bool{},
		kg: &apiKeyGuard{byValue: map[string]*liveKey{}, plans: map[*loader.API]map[*loader.APIKey]*livePlan{},
			stages: map[*livePlan]map[*loader.API]*loader.PlanStage{}, now: time.Now}}
	for _, api := range apis {
		for _, plan := range api.UsagePlans {
			lp := b.livePlan(plan)
			for _, k := range plan.Keys {
				b.addKey(api, lp, k)
			}
		}
	}
	if err := b.unusedKeyNames(); err != nil {
		return nil, nil, err
	}
	b.noticeKeylessStages(apis)
	sort.Strings(b.notices)
	return b.kg, b.notices, nil
}

// keyGuardBuild is newAPIKeyGuard's work in progress: the keys and plans
// made so far, the -api-key names used, and the notices.
type keyGuardBuild struct {
	kg      *apiKeyGuard
	o       Options
	keys    map[*loader.APIKey]*liveKey
	live    map[*loader.UsagePlan]*livePlan
	used    map[string]bool // -api-key names that gave a key its value
	notices []string
}

func (b *keyGuardBuild) notice(format string, args ...any) {
	b.notices = append(b.notices, fmt.Sprintf(format, args...))
}

// livePlan is plan's state (its buckets and quota counts), made once, with
// the stages it covers.
func (b *keyGuardBuild) livePlan(plan *loader.UsagePlan) *livePlan {
	lp := b.live[plan]
	if lp == nil {
		lp = &livePlan{plan: plan, buckets: map[string]*tokenBucket{}, used: map[string]int{}}
		b.live[plan] = lp
		b.kg.stages[lp] = map[*loader.API]*loader.PlanStage{}
	}
	for _, s := range plan.Stages {
		b.kg.stages[lp][s.API] = s
	}
	return lp
}

// addKey puts k in plan lp for api's stage; a key in two plans of the same
// stage, which API Gateway refuses, stays in the first.
func (b *keyGuardBuild) addKey(api *loader.API, lp *livePlan, k *loader.APIKey) {
	if b.keys[k] == nil {
		b.keys[k] = b.liveKey(k)
	}
	plans := b.kg.plans[api]
	if plans == nil {
		plans = map[*loader.APIKey]*livePlan{}
		b.kg.plans[api] = plans
	}
	if other := plans[k]; other != nil && other != lp {
		b.notice("API key %s is in usage plans %s and %s of the same stage, which API Gateway refuses: the runner applies %s",
			k.LogicalID, other.plan.LogicalID, lp.plan.LogicalID, other.plan.LogicalID)
		return
	}
	plans[k] = lp
}

// liveKey is k with its value: the template's, else the one -api-key
// gives, else one derived from its logical id (a notice says which).
func (b *keyGuardBuild) liveKey(k *loader.APIKey) *liveKey {
	lk := &liveKey{key: k, value: k.Value, id: localID("api-key/"+k.Stack+"/"+k.LogicalID, 10)}
	if lk.value == "" {
		name := ""
		lk.value, name = givenValue(b.o.APIKeys, k)
		b.used[name] = name != ""
		how := "given by -api-key " + name
		if lk.value == "" {
			lk.value, how = generatedKeyValue(k), "generated; -api-key "+k.LogicalID+"=VALUE sets another"
		}
		b.notice("API key %s/%s%s: x-api-key %s (%s)", k.Stack, k.LogicalID, nameNote(k), lk.value, how)
	}
	if other := b.kg.byValue[lk.value]; other != nil && other.key != k {
		b.notice("API keys %s and %s have the same value: API Gateway takes them for one key, and so does the runner (the first)", other.key.LogicalID, k.LogicalID)
	} else {
		b.kg.byValue[lk.value] = lk
	}
	if !k.Enabled {
		b.notice("API key %s/%s is not enabled: requests with it answer 403", k.Stack, k.LogicalID)
	}
	return lk
}

// unusedKeyNames refuses an -api-key name that gave no key its value,
// listing the keys there are.
func (b *keyGuardBuild) unusedKeyNames() error {
	var unknown []string
	for name := range b.o.APIKeys {
		if !b.used[name] {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	var names []string
	for k := range b.keys {
		names = append(names, k.LogicalID+nameNote(k))
	}
	sort.Strings(names)
	return fmt.Errorf("-api-key %s: no API key of a usage plan without a literal Value has that logical id or name (the templates' keys: %s)",
		strings.Join(unknown, ", "), strings.Join(names, ", "))
}

// noticeKeylessStages says which APIs have methods that require a key
// no usage plan of their stage has: they answer 403.
func (b *keyGuardBuild) noticeKeylessStages(apis []*loader.API) {
	for _, api := range apis {
		for _, r := range api.Routes {
			if r.APIKeyRequired && len(b.kg.plans[api]) == 0 {
				b.notice("%s/%s: methods require an API key, but no usage plan of stage %s has a key: they answer 403 Forbidden", api.Stack, api.LogicalID, api.Stage)
				break
			}
		}
	}
}

func nameNote(k *loader.APIKey) string {
	if k.Name == "" {
		return ""
	}
	return " (" + k.Name + ")"
}

// givenValue is the value Options.APIKeys gives k, and the name it was
// given under.
func givenValue(given map[string]string, k *loader.APIKey) (string, string) {
	for _, name := range []string{k.Stack + "/" + k.LogicalID, k.LogicalID, k.Name} {
		if v, ok := given[name]; ok && name != "" {
			return v, name
		}
	}
	return "", ""
}

// generatedKeyValue is the local value of a key API Gateway would
// generate: 40 letters and digits (API Gateway's are 20 to 128), derived
// from the key's logical id so that it stays the same across restarts.
func generatedKeyValue(k *loader.APIKey) string {
	h := sha256.Sum256([]byte("streamgate-local-api-key/" + k.Stack + "/" + k.LogicalID))
	return "local" + hex.EncodeToString(h[:])[:35]
}

// forbidden is API Gateway's answer to a missing or refused API key
// (gateway response INVALID_API_KEY,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
func forbidden(why string) *refusal {
	return &refusal{Status: 403, Message: "Forbidden", ResponseType: "INVALID_API_KEY", ErrorType: "ForbiddenException", Why: why}
}

func (kg *apiKeyGuard) check(g *gateway, r *http.Request, route *loader.Route, p *principal) *refusal {
	value, from := r.Header.Get("x-api-key"), "x-api-key header"
	if g.api.APIKeySource == "AUTHORIZER" {
		value, from = p.UsageKey, "Lambda authorizer's usageIdentifierKey"
	}
	if value == "" {
		if from == "x-api-key header" {
			return forbidden("no x-api-key header: the method requires an API key; send one of the values the runner printed at start (x-api-key: VALUE)")
		}
		return forbidden("the Lambda authorizer returned no usageIdentifierKey, and the API's ApiKeySourceType is AUTHORIZER: return the key as usageIdentifierKey")
	}
	lk := kg.byValue[value]
	if lk == nil {
		return forbidden(fmt.Sprintf("the %s is not the value of an API key of the templates (the runner printed each key's value at start; -api-key NAME=VALUE sets a key without a literal Value)", from))
	}
	if !lk.key.Enabled {
		return forbidden(fmt.Sprintf("API key %s is not enabled: set its Enabled to true (aws-cdk's ApiKey does)", lk.key.LogicalID))
	}
	lp := kg.plans[g.api][lk.key]
	if lp == nil {
		return forbidden(fmt.Sprintf("API key %s is in no usage plan of stage %s of %s: add the key to a usage plan with that stage (UsagePlanKey)", lk.key.LogicalID, g.api.Stage, g.api.LogicalID))
	}
	var method *loader.Throttle
	if s := kg.stages[lp][g.api]; s != nil {
		if t, ok := s.Methods[route.Path+"/"+route.Method]; ok {
			method = &t
		}
	}
	if ref := lp.take(lk, route, method, kg.now()); ref != nil {
		return ref
	}
	p.Identity.APIKey, p.Identity.APIKeyID = &lk.value, &lk.id
	p.Caller = strings.TrimSpace(p.Caller + " key " + lk.key.LogicalID)
	return nil
}

// take counts a request of key k against the plan: its throttles, then
// its quota; a refusal when one is spent.
func (lp *livePlan) take(k *liveKey, route *loader.Route, method *loader.Throttle, now time.Time) *refusal {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	plan := lp.plan
	if method != nil && method.Rate > 0 {
		name := k.id + " " + route.Path + "/" + route.Method
		b := lp.buckets[name]
		if b == nil {
			b = newTokenBucket(method.Rate, method.Burst)
			lp.buckets[name] = b
		}
		if !b.take(now) {
			return throttled(fmt.Sprintf("API key %s is past usage plan %s's throttle of %s %s (rate %g, burst %d): retry with backoff, or raise the method's RateLimit and BurstLimit", k.key.LogicalID, plan.LogicalID,
				route.Method, route.Path, method.Rate, method.Burst))
		}
	}
	if plan.ThrottleRate > 0 {
		b := lp.buckets[k.id]
		if b == nil {
			b = newTokenBucket(plan.ThrottleRate, plan.ThrottleBurst)
			lp.buckets[k.id] = b
		}
		if !b.take(now) {
			return throttled(fmt.Sprintf("API key %s is past usage plan %s's throttle (rate %g, burst %d): retry with backoff, or raise the plan's Throttle", k.key.LogicalID, plan.LogicalID, plan.ThrottleRate, plan.ThrottleBurst))
		}
	}
	if plan.Quota <= 0 {
		return nil
	}
	start := periodStart(plan.QuotaPeriod, plan.QuotaOffset, now)
	if !start.Equal(lp.period) {
		lp.period, lp.used = start, map[string]int{}
	}
	if lp.used[k.id] >= plan.Quota {
		return &refusal{Status: 429, Message: "Limit Exceeded", ResponseType: "QUOTA_EXCEEDED", ErrorType: "LimitExceededException",
			Why: fmt.Sprintf("API key %s has used usage plan %s's quota of %d requests a %s; it renews at %s (restart the runner to reset the count, or raise Quota.Limit)",
				k.key.LogicalID, plan.LogicalID, plan.Quota, strings.ToLower(plan.QuotaPeriod), nextPeriod(plan.QuotaPeriod, start).Format(time.RFC3339))}
	}
	lp.used[k.id]++
	return nil
}

// throttled is API Gateway's answer past a usage plan's throttle (gateway
// response THROTTLED).
func throttled(why string) *refusal {
	return &refusal{Status: 429, Message: "Too Many Requests", ResponseType: "THROTTLED", ErrorType: "TooManyRequestsException", Why: why}
}

// periodStart is the start of the quota period holding now, in UTC:
// the day; the week from Sunday plus offset days; the month from its
// first day plus offset days. QuotaSettings.offset is "the day that a
// time period starts. For example, with a time period of WEEK, an offset
// of 0 starts on Sunday, and an offset of 1 starts on Monday"
// (https://docs.aws.amazon.com/apigateway/latest/api/API_QuotaSettings.html).
// AWS documents no time zone; UTC is the runner's choice.
func periodStart(period string, offset int, now time.Time) time.Time {
	y, m, d := now.UTC().Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch period {
	case "WEEK":
		back := (int(day.Weekday()) - offset%7 + 7) % 7
		return day.AddDate(0, 0, -back)
	case "MONTH":
		start := time.Date(y, m, 1+offset, 0, 0, 0, 0, time.UTC)
		if start.After(day) {
			start = time.Date(y, m-1, 1+offset, 0, 0, 0, 0, time.UTC)
		}
		return start
	}
	return day
}

func nextPeriod(period string, start time.Time) time.Time {
	switch period {
	case "WEEK":
		return start.AddDate(0, 0, 7)
	case "MONTH":
		return start.AddDate(0, 1, 0)
	}
	return start.AddDate(0, 0, 1)
}

// keyValue is the local value of the API key named by name (logical id,
// stack/logical id or Name); "" when none.
func (kg *apiKeyGuard) keyValue(name string) string {
	if kg == nil {
		return ""
	}
	for v, lk := range kg.byValue {
		k := lk.key
		if name == k.LogicalID || name == k.Stack+"/"+k.LogicalID || name != "" && name == k.Name {
			return v
		}
	}
	return ""
}

// APIKey is the value the runner takes for the templates' API key name
// (logical id, stack/logical id or Name): its literal Value, the one
// Options.APIKeys gave, or the generated one; "" when no usage plan has
// such a key.
func (s *Server) APIKey(name string) string {
	if s.guards == nil {
		return ""
	}
	return s.guards.apiKeys.keyValue(name)
}
