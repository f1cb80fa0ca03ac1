package devserver

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// BenchmarkCognitoGuard measures, in one run over a real listener, what a
// Cognito authorizer and an API key add to a request: each iteration sends
// GET /open (no guard), /custom (an ID token verified in full: RS256, its
// authorizer caches nothing), /profile (the same kind of token, cached for
// the authorizer's 300 s) and /keyed (an API key with a throttle and a
// quota). It reports each one's time and its ratio to the open route, and
// the guards' own time without the network (guard-*-ns).
func BenchmarkCognitoGuard(b *testing.B) {
	api := cognitoAPI()
	addRoute(api, "GET", "/keyed", func(r *loader.Route) { r.APIKeyRequired = true })
	api.UsagePlans = []*loader.UsagePlan{{Stack: "CogStack", LogicalID: "Plan", ThrottleRate: 1e9, ThrottleBurst: 1e9, Quota: 1 << 40, QuotaPeriod: "DAY",
		Keys: []*loader.APIKey{{Stack: "CogStack", LogicalID: "Key", Value: "bench-key-0123456789abcdef", Enabled: true}}, Stages: []*loader.PlanStage{{API: api}}}}
	f := startGuardedAPI(b, api, Options{CognitoKeyFile: b.TempDir() + "/k.pem"})
	tok, err := f.gs.cognito.mint(CognitoToken{Pool: "PoolA", User: "bench", Groups: []string{"a", "b"}, TTL: 24 * time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	var custom, keyed *loader.Route
	for _, r := range api.Routes {
		switch r.Path {
		case "/custom":
			custom = r
		case "/keyed":
			keyed = r
		}
	}
	tokenRequest := httptest.NewRequest("GET", "/v1/custom", nil)
	tokenRequest.Header.Set("X-Token", tok)
	keyRequest := httptest.NewRequest("GET", "/v1/keyed", nil)
	keyRequest.Header.Set("x-api-key", "bench-key-0123456789abcdef")

	var open, full, cached, apiKey, guardCognito, guardKey time.Duration
	timed := func(sum *time.Duration, do func()) {
		t := time.Now()
		do()
		*sum += time.Since(t)
	}
	check := func(a answer) {
		if a.status != 200 {
			b.Fatalf("%d %s", a.status, a.body)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		timed(&open, func() { check(f.get(b, "/open")) })
		timed(&full, func() { check(f.get(b, "/custom", "X-Token", tok)) })
		timed(&cached, func() { check(f.get(b, "/profile", "Authorization", tok)) })
		timed(&apiKey, func() { check(f.get(b, "/keyed", "x-api-key", "bench-key-0123456789abcdef")) })
		timed(&guardCognito, func() {
			if _, ref := f.g.guard(tokenRequest, custom, nil, "id"); ref != nil {
				b.Fatal(ref.Why)
			}
		})
		timed(&guardKey, func() {
			if _, ref := f.g.guard(keyRequest, keyed, nil, "id"); ref != nil {
				b.Fatal(ref.Why)
			}
		})
		f.invoked()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(open)/n, "open-ns")
	b.ReportMetric(float64(full)/float64(open), "cognito/open")
	b.ReportMetric(float64(cached)/float64(open), "cognito-cached/open")
	b.ReportMetric(float64(apiKey)/float64(open), "apikey/open")
	b.ReportMetric(float64(guardCognito)/n, "guard-cognito-ns")
	b.ReportMetric(float64(guardKey)/n, "guard-apikey-ns")
	b.ReportMetric(0, "ns/op") // the sum of six measurements says nothing
}
