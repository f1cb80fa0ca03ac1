package devserver

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// keyAPI has methods that require an API key, under two usage plans:
// ThrottledPlan (rate 1, burst 2 per key; GET /slow rate 1, burst 1) with a
// literal, a generated, a given and a disabled key; QuotaPlan (2 requests
// a day) with QuotaKey. OtherPlan admits OrphanKey to another API only.
func keyAPI() (api, other *loader.API) {
	api = &loader.API{Stack: "KeyStack", LogicalID: "Api", Stage: "v1", EndpointType: "REGIONAL", APIKeySource: "HEADER", GatewayResponses: testResponses()}
	other = &loader.API{Stack: "KeyStack", LogicalID: "OtherApi", Stage: "prod", APIKeySource: "HEADER"}
	keyed := func(r *loader.Route) { r.APIKeyRequired = true }
	addRoute(api, "GET", "/keyed", keyed)
	addRoute(api, "GET", "/slow", keyed)
	addRoute(api, "GET", "/quota", keyed)
	addRoute(api, "GET", "/open", nil)
	addRoute(other, "GET", "/keyed", keyed)
	key := func(id, value string, enabled bool) *loader.APIKey {
		return &loader.APIKey{Stack: "KeyStack", LogicalID: id, Value: value, Enabled: enabled}
	}
	given := key("GivenKey", "", true)
	given.Name = "partner"
	throttled := &loader.UsagePlan{Stack: "KeyStack", LogicalID: "ThrottledPlan", ThrottleRate: 1, ThrottleBurst: 2,
		Keys:   []*loader.APIKey{key("LiteralKey", "literal-key-0123456789abcdef", true), key("GeneratedKey", "", true), given, key("DisabledKey", "disabled-key-0123456789", false)},
		Stages: []*loader.PlanStage{{API: api, Methods: map[string]loader.Throttle{"/slow/GET": {Rate: 1, Burst: 1}}}}}
	quota := &loader.UsagePlan{Stack: "KeyStack", LogicalID: "QuotaPlan", Quota: 2, QuotaPeriod: "DAY",
		Keys: []*loader.APIKey{key("QuotaKey", "quota-key-0123456789abcdef", true)}, Stages: []*loader.PlanStage{{API: api}}}
	orphan := &loader.UsagePlan{Stack: "KeyStack", LogicalID: "OtherPlan",
		Keys: []*loader.APIKey{key("OrphanKey", "orphan-key-0123456789abcdef", true)}, Stages: []*loader.PlanStage{{API: other}}}
	api.UsagePlans = []*loader.UsagePlan{throttled, quota}
	other.UsagePlans = []*loader.UsagePlan{orphan}
	return api, other
}

func TestAPIKeysAndUsagePlansAsAPIGatewayAnswers(t *testing.T) {
	api, _ := keyAPI()
	clock := newTestClock(time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC))
	s := startGuardedAPI(t, api, Options{APIKeys: map[string]string{"partner": "given-key-value-0123456789"}}, func(gs *guards) { gs.apiKeys.now = clock.now })
	generated := s.gs.apiKeys.keyValue("GeneratedKey")
	if !regexp.MustCompile(`^local[0-9a-f]{35}$`).MatchString(generated) {
		t.Fatalf("generated key value %q", generated)
	}
	const literal, given, quota = "literal-key-0123456789abcdef", "given-key-value-0123456789", "quota-key-0123456789abcdef"
	forbidden := func(why string) []string {
		return []string{"403", "Forbidden", "ForbiddenException", "INVALID_API_KEY", why}
	}
	for i, step := range []struct {
		advance   time.Duration
		path, key string
		want      []string // nil: 200 and the key in the event; else status, message, x-amzn-ErrorType, gateway response, the log's why
	}{
		{0, "/keyed", "", forbidden("no x-api-key header: the method requires an API key")},
		{0, "/keyed", "nope", forbidden("the x-api-key header is not the value of an API key of the templates")},
		{0, "/keyed", "disabled-key-0123456789", forbidden("API key DisabledKey is not enabled")},
		{0, "/open", "", nil},
		{0, "/keyed", literal, nil},
		{0, "/keyed", literal, nil},
		{0, "/keyed", literal, []string{"429", "Too Many Requests", "TooManyRequestsException", "THROTTLED",
			"API key LiteralKey is past usage plan ThrottledPlan's throttle (rate 1, burst 2)"}},
		{0, "/keyed", generated, nil}, // a bucket per key
		{time.Second, "/keyed", literal, nil},
		{0, "/slow", given, nil},
		{0, "/slow", given, []string{"429", "Too Many Requests", "TooManyRequestsException", "THROTTLED",
			"API key GivenKey is past usage plan ThrottledPlan's throttle of GET /slow (rate 1, burst 1)"}},
		{0, "/quota", quota, nil},
		{0, "/quota", quota, nil},
		{0, "/quota", quota, []string{"429", "Limit Exceeded", "LimitExceededException", "QUOTA_EXCEEDED",
			"API key QuotaKey has used usage plan QuotaPlan's quota of 2 requests a day; it renews at 2026-03-05T00:00:00Z"}},
		{12 * time.Hour, "/quota", quota, nil},
	} {
		clock.add(step.advance)
		var headers []string
		if step.key != "" {
			headers = []string{"x-api-key", step.key}
		}
		a := s.get(t, step.path, headers...)
		events := s.invoked()
		log := s.logs.take()
		if step.want != nil {
			checkRefusal(t, a, map[string]int{"403": 403, "429": 429}[step.want[0]], step.want[1], step.want[2], step.want[3])
			if !strings.Contains(log, step.want[4]) {
				t.Errorf("step %d: the log does not explain %q:\n%s", i, step.want[4], log)
			}
			if len(events) != 0 {
				t.Errorf("step %d: refused, yet the function was invoked", i)
			}
			continue
		}
		if a.status != 200 || len(events) != 1 {
			t.Fatalf("step %d: %s %s: %d %s, %d events\n%s", i, step.path, step.key, a.status, a.body, len(events), log)
		}
		id, _ := requestContext(t, events[0])["identity"].(map[string]any)
		if step.key == "" {
			if _, ok := id["apiKey"]; ok {
				t.Errorf("step %d: identity.apiKey on a method without ApiKeyRequired: %v", i, id)
			}
			continue
		}
		if id["apiKey"] != step.key || !regexp.MustCompile(`^[0-9a-z]{10}$`).MatchString(id["apiKeyId"].(string)) {
			t.Errorf("step %d: identity apiKey %v, apiKeyId %v", i, id["apiKey"], id["apiKeyId"])
		}
	}
}

// TestAPIKeyOfAnotherStage: a key that exists, but in no usage plan of the
// API's stage, is refused as an unknown one.
func TestAPIKeyOfAnotherStage(t *testing.T) {
	api, other := keyAPI()
	gs, _, err := newGuards([]*loader.API{api, other}, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := &gateway{api: api, logs: &lockedBuffer{}, guards: gs, recent: &requestLog{}}
	r := httptest.NewRequest("GET", "/v1/keyed", nil)
	r.Header.Set("x-api-key", "orphan-key-0123456789abcdef")
	_, ref := g.guard(r, api.Routes[0], nil, "id")
	if ref == nil || ref.Status != 403 || ref.Message != "Forbidden" || !strings.Contains(ref.Why, "API key OrphanKey is in no usage plan of stage v1 of Api") {
		t.Errorf("refusal %+v", ref)
	}
	g.api = other
	if p, ref := g.guard(r, other.Routes[0], nil, "id"); ref != nil || *p.Identity.APIKey != "orphan-key-0123456789abcdef" {
		t.Errorf("the key on its own stage: %+v %+v", p, ref)
	}
}

// TestAPIKeyFromAuthorizer: with ApiKeySourceType AUTHORIZER, the key is a
// Lambda authorizer's usageIdentifierKey, and x-api-key is ignored.
func TestAPIKeyFromAuthorizer(t *testing.T) {
	api, _ := keyAPI()
	api.APIKeySource = "AUTHORIZER"
	gs, _, err := newGuards([]*loader.API{api}, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := &gateway{api: api}
	r := httptest.NewRequest("GET", "/v1/keyed", nil)
	r.Header.Set("x-api-key", "literal-key-0123456789abcdef")
	p := &principal{}
	if ref := gs.apiKeys.check(g, r, api.Routes[0], p); ref == nil || ref.Status != 403 || !strings.Contains(ref.Why, "returned no usageIdentifierKey") {
		t.Errorf("x-api-key without a usageIdentifierKey: %+v", ref)
	}
	p.UsageKey = "quota-key-0123456789abcdef"
	if ref := gs.apiKeys.check(g, r, api.Routes[0], p); ref != nil || *p.Identity.APIKey != p.UsageKey {
		t.Errorf("usageIdentifierKey: %+v, identity %+v", ref, p.Identity)
	}
}

func TestAPIKeyNotices(t *testing.T) {
	api, _ := keyAPI()
	_, notices, err := newGuards([]*loader.API{api}, Options{APIKeys: map[string]string{"partner": "given-key-value-0123456789"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(notices, "\n")
	for _, want := range []string{
		"API key KeyStack/GeneratedKey: x-api-key local",
		"(generated; -api-key GeneratedKey=VALUE sets another)",
		"API key KeyStack/GivenKey (partner): x-api-key given-key-value-0123456789 (given by -api-key partner)",
		"API key KeyStack/DisabledKey is not enabled: requests with it answer 403",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("notices lack %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "literal-key-0123456789abcdef") {
		t.Errorf("a literal key is in the template already; the notices repeat it:\n%s", all)
	}
	_, _, err = newGuards([]*loader.API{api}, Options{APIKeys: map[string]string{"Partner": "x"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "-api-key Partner: no API key") || !strings.Contains(err.Error(), "GivenKey (partner)") {
		t.Errorf("an -api-key that names no key: %v", err)
	}
}

func TestQuotaPeriods(t *testing.T) {
	// Wednesday 4 March 2026.
	now := time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC)
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		period     string
		offset     int
		start, end time.Time
	}{
		{"DAY", 0, day(3, 4), day(3, 5)},
		{"WEEK", 0, day(3, 1), day(3, 8)}, // from Sunday
		{"WEEK", 1, day(3, 2), day(3, 9)}, // from Monday
		{"WEEK", 3, day(3, 4), day(3, 11)},
		{"WEEK", 4, day(2, 26), day(3, 5)}, // Thursday: last week's
		{"MONTH", 0, day(3, 1), day(4, 1)},
		{"MONTH", 3, day(3, 4), day(4, 4)},
		{"MONTH", 5, day(2, 6), day(3, 6)},
	} {
		start := periodStart(tc.period, tc.offset, now)
		if !start.Equal(tc.start) || !nextPeriod(tc.period, start).Equal(tc.end) {
			t.Errorf("%s offset %d: %s .. %s, want %s .. %s", tc.period, tc.offset, start, nextPeriod(tc.period, start), tc.start, tc.end)
		}
	}
}
