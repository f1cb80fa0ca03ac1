package devserver

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamgate/streamgate/internal/assemblytest"
	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// loadWAFTemplate loads a template (its Resources) as a one-stack cloud
// assembly and returns the web ACL of each API, by the API's logical id,
// and the loader's notices.
func loadWAFTemplate(t testing.TB, resources map[string]any) (map[string]*loader.WebACL, []string) {
	t.Helper()
	a, err := loader.Load(assemblytest.Template(t, "WafStack", resources))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*loader.WebACL{}
	for _, api := range a.APIs {
		if api.WAF != nil {
			out[api.LogicalID] = api.WAF
		}
	}
	return out, a.Unsupported
}

// sizeLimitedACLs are the web ACLs constructs/wafsize synthesized for the
// team app (16 KB body limit, a rate limit, the common rule set) and the
// upload demo (10 MB: the Content-Length rule), copied from the goldens.
func sizeLimitedACLs(t testing.TB) (team, uploads *loader.WebACL, notices []string) {
	t.Helper()
	b, err := os.ReadFile("testdata/waf/sizelimited.template.json")
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct{ Resources map[string]any }
	if err := json.Unmarshal(b, &tmpl); err != nil {
		t.Fatal(err)
	}
	acls, notices := loadWAFTemplate(t, tmpl.Resources)
	if acls["TeamApi"] == nil || acls["UploadsApi"] == nil {
		t.Fatalf("web ACLs: %v\n%s", acls, strings.Join(notices, "\n"))
	}
	return acls["TeamApi"], acls["UploadsApi"], notices
}

// wafAPI is an API with a Lambda route and the web ACL on its stage.
func wafAPI(acl *loader.WebACL) *loader.API {
	api := &loader.API{Stack: "WafStack", LogicalID: "Api", Stage: "prod", EndpointType: "REGIONAL", GatewayResponses: testResponses(), WAF: acl}
	addRoute(api, "ANY", "/{proxy+}", nil)
	addRoute(api, "POST", "/mock", func(r *loader.Route) { r.Integration, r.Function, r.MockStatus = "MOCK", nil, 200 })
	return api
}

// send sends method path with body (chunked when chunked) and headers
// (name, value, ...).
func (s *guardedAPI) send(t testing.TB, method, path string, body []byte, chunked bool, headers ...string) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
		if chunked {
			rd = io.MultiReader(rd) // hides the length: Transfer-Encoding chunked
		}
	}
	r, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Origin", "https://app.example")
	for i := 0; i+1 < len(headers); i += 2 {
		if strings.EqualFold(headers[i], "Content-Length") {
			continue
		}
		r.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// lastRecord is the newest request the page lists.
func (s *guardedAPI) lastRecord(t testing.TB) RequestRecord {
	t.Helper()
	recs := s.g.recent.list("")
	if len(recs) == 0 {
		t.Fatal("no request recorded")
	}
	return recs[0]
}

func TestSizeLimitedWebACLBlocksBodiesAsWAFDoes(t *testing.T) {
	team, uploads, _ := sizeLimitedACLs(t)
	teamAPI := startGuardedAPI(t, wafAPI(team), Options{})
	uploadAPI := startGuardedAPI(t, wafAPI(uploads), Options{})
	const teamBody = `{"error":{"code":"PayloadTooLarge","message":"the request body is over the 16384-byte limit; upload large files with a presigned URL"}}`
	const uploadBody = `{"error":{"code":"PayloadTooLarge","message":"the request body is over the 10485760-byte limit; upload large files with a presigned URL"}}`
	for _, tc := range []struct {
		name    string
		api     *guardedAPI
		path    string
		size    int
		chunked bool
		status  int
		body    string // "" : the function answered
		waf     string
	}{
		{"GIVEN a 16 KB limit WHEN the body is 100 bytes THEN the function answers", teamAPI, "/upload", 100, false, 200, "", "Allow (default action)"},
		{"GIVEN a 16 KB limit WHEN the body is exactly 16384 bytes THEN it passes (GT)", teamAPI, "/upload", 16384, false, 200, "", "Allow (default action)"},
		{"GIVEN a 16 KB limit WHEN the body is 16385 bytes THEN 413 with the ACL's body", teamAPI, "/upload", 16385, false, 413, teamBody, "Block by BodyOverLimit (priority 0)"},
		{"GIVEN a 16 KB limit WHEN a chunked body is 20000 bytes THEN WAF measures it and answers 413", teamAPI, "/upload", 20000, true, 413, teamBody, "Block by BodyOverLimit (priority 0)"},
		// The team's ACL spares the multipart complete request (ExemptPostPathSuffixes).
		{"GIVEN a 16 KB limit that spares /complete WHEN a complete request is 100000 bytes THEN the function answers", teamAPI, "/uploads/u1/complete", 100000, false, 200, "", "Allow (default action)"},
		{"GIVEN a 16 KB limit that spares /complete WHEN the body of another path ending in complete is 16385 bytes THEN 413", teamAPI, "/uploads/u1/incomplete", 16385, false, 413, teamBody, "Block by BodyOverLimit (priority 0)"},
		// A mock route: a 10 MB event is over Lambda's 6 MB invocation limit.
		{"GIVEN a 10 MB limit WHEN Content-Length is 10485760 THEN it passes", uploadAPI, "/mock", 10 << 20, false, 200, "", "Allow (default action)"},
		{"GIVEN a 10 MB limit WHEN Content-Length is 10485761 THEN the Content-Length rule answers 413", uploadAPI, "/upload", 10<<20 + 1, false, 413, uploadBody, "Block by ContentLengthOverLimit (priority 0)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.api.send(t, "POST", tc.path, bytes.Repeat([]byte("x"), tc.size), tc.chunked)
			reached := len(tc.api.invoked())
			if tc.path == "/mock" {
				reached++ // answered by the mock integration
			}
			if a.status != tc.status {
				t.Fatalf("status %d %.200s, want %d", a.status, a.body, tc.status)
			}
			if tc.body == "" {
				if reached != 1 {
					t.Errorf("the function ran %d times, want 1", reached)
				}
			} else {
				if reached != 0 {
					t.Errorf("the function ran %d times: WAF should have stopped the request", reached)
				}
				if a.body != tc.body || a.header.Get("Content-Type") != "application/json" {
					t.Errorf("answer %q (%s), want the ACL's custom response body %q (application/json)", a.body, a.header.Get("Content-Type"), tc.body)
				}
				// The rule's own headers (the upload demo's ACL names its CORS
				// origin), never the gateway responses' (WAF's answer takes
				// precedence).
				want := map[*guardedAPI]string{teamAPI: "", uploadAPI: "https://app.example.com"}[tc.api]
				if got := a.header.Get("Access-Control-Allow-Origin"); got != want {
					t.Errorf("Access-Control-Allow-Origin %q, want the custom response's own %q", got, want)
				}
				if log := tc.api.logs.take(); !strings.Contains(log, "[WAF "+tc.waf+"]") {
					t.Errorf("log lacks the rule:\n%s", log)
				}
			}
			if rec := tc.api.lastRecord(t); rec.WAF != tc.waf {
				t.Errorf("RequestRecord.WAF %q, want %q", rec.WAF, tc.waf)
			}
		})
	}
	t.Run("GIVEN a 10 MB limit WHEN a chunked body is over 10 MB THEN WAF cannot see its size and API Gateway's own 413 answers", func(t *testing.T) {
		a := uploadAPI.send(t, "POST", "/upload", bytes.Repeat([]byte("x"), 10<<20+1), true)
		checkRefusal(t, a, 413, "Request Entity Too Large", "RequestEntityTooLarge", "DEFAULT_4XX")
		if n := len(uploadAPI.invoked()); n != 0 {
			t.Errorf("the function ran %d times", n)
		}
	})
}

func TestSizeLimitedWebACLRateLimitPerIP(t *testing.T) {
	team, _, _ := sizeLimitedACLs(t)
	api := wafAPI(team)
	s := startGuardedAPI(t, api, Options{})
	clock := newTestClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	s.g.waf.now = clock.now
	// GIVEN 2000 requests from 127.0.0.1 within 5 minutes (RateLimit 2000)
	probe, _ := http.NewRequest("GET", "/prod/items", nil)
	probe.RemoteAddr = "127.0.0.1:5555"
	for i := 0; i < 2000; i++ {
		if v := s.g.waf.evaluate(probe, nil); v.blocked() {
			t.Fatalf("request %d blocked: %s", i+1, v)
		}
		clock.add(100 * time.Millisecond)
	}
	// WHEN the 2001st arrives THEN the rate rule answers with its 429
	a := s.send(t, "GET", "/items", nil, false)
	if a.status != 429 || a.body != `{"error":{"code":"TooManyRequests","message":"more than 2000 requests from this IP address in 5 minutes; wait, then retry"}}` ||
		a.header.Get("Content-Type") != "application/json" || len(s.invoked()) != 0 {
		t.Fatalf("2001st request: %d %s", a.status, a.body)
	}
	if rec := s.lastRecord(t); rec.WAF != "Block by RateLimitPerIp (priority 1)" || rec.Mode != "WAF" {
		t.Errorf("record: %+v", rec)
	}
	// WHEN the 5-minute window has passed THEN requests pass again
	clock.add(301 * time.Second)
	if a := s.send(t, "GET", "/items", nil, false); a.status != 200 {
		t.Errorf("after the window: %d %s", a.status, a.body)
	}
}

func TestWebACLNoticeSaysWhatIsEvaluated(t *testing.T) {
	_, _, notices := sizeLimitedACLs(t)
	all := strings.Join(notices, "\n")
	for _, want := range []string{
		"WafStack/WebAclE76B067C: WAF web ACL on WafStack/TeamApi stage prod: evaluated locally before the guards (body inspection limit 16 KB, default action ALLOW): rules BodyOverLimit, RateLimitPerIp; NOT evaluated: AWSManagedRulesCommonRuleSet (managed rule group AWS/AWSManagedRulesCommonRuleSet: not evaluated locally, matches nothing)",
		"WafStack/UploadsWebAcl8924A64B: WAF web ACL on WafStack/UploadsApi stage prod: evaluated locally before the guards (body inspection limit 64 KB, default action ALLOW): rules ContentLengthOverLimit",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("notices lack\n%s\ngot:\n%s", want, all)
		}
	}
	if strings.Contains(all, "its rules do not run locally") {
		t.Errorf("the old notice is still there:\n%s", all)
	}
}

// handACL is a web ACL with the statements teams add by hand, one rule per
// kind, each selected by the request's path or a test header.
func handACL(defaultAction map[string]any) map[string]any {
	none := []any{map[string]any{"Priority": 0, "Type": "NONE"}}
	header := func(name string) map[string]any { return map[string]any{"SingleHeader": map[string]any{"Name": name}} }
	byteMatch := func(field map[string]any, search, pos string, tts ...string) map[string]any {
		t := none
		if len(tts) > 0 {
			t = nil
			for i, tt := range tts {
				t = append(t, map[string]any{"Priority": i, "Type": tt})
			}
		}
		return map[string]any{"ByteMatchStatement": map[string]any{"FieldToMatch": field, "SearchString": search, "PositionalConstraint": pos, "TextTransformations": t}}
	}
	path := func(p string) map[string]any {
		return byteMatch(map[string]any{"UriPath": map[string]any{}}, p, "STARTS_WITH")
	}
	and := func(s ...any) map[string]any { return map[string]any{"AndStatement": map[string]any{"Statements": s}} }
	rule := func(name string, prio int, action map[string]any, st map[string]any, labels ...string) map[string]any {
		r := map[string]any{"Name": name, "Priority": prio, "Action": action, "Statement": st,
			"VisibilityConfig": map[string]any{"CloudWatchMetricsEnabled": true, "MetricName": name, "SampledRequestsEnabled": true}}
		for _, l := range labels {
			r["RuleLabels"] = append(asList(r["RuleLabels"]), map[string]any{"Name": l})
		}
		return r
	}
	block := map[string]any{"Block": map[string]any{}}
	return map[string]any{"Type": "AWS::WAFv2::WebACL", "Properties": map[string]any{
		"Name": "hand", "Scope": "REGIONAL", "DefaultAction": defaultAction,
		"CustomResponseBodies": map[string]any{"slow-down": map[string]any{"ContentType": "TEXT_PLAIN", "Content": "slow down"}},
		"Rules": []any{
			rule("AllowHealth", 0, map[string]any{"Allow": map[string]any{}}, byteMatch(map[string]any{"UriPath": map[string]any{}}, "/prod/health", "EXACTLY")),
			rule("BlockLocalIPSet", 1, block, and(map[string]any{"IPSetReferenceStatement": map[string]any{"Arn": map[string]any{"Fn::GetAtt": []any{"LocalIPs", "Arn"}}}}, path("/prod/ipset"))),
			rule("BlockForwardedIPSet", 2, map[string]any{"Block": map[string]any{"CustomResponse": map[string]any{"ResponseCode": 429, "CustomResponseBodyKey": "slow-down",
				"ResponseHeaders": []any{map[string]any{"Name": "Retry-After", "Value": "60"}}}}},
				map[string]any{"IPSetReferenceStatement": map[string]any{"Arn": map[string]any{"Fn::GetAtt": []any{"DocIPs", "Arn"}},
					"IPSetForwardedIPConfig": map[string]any{"HeaderName": "X-Forwarded-For", "FallbackBehavior": "NO_MATCH", "Position": "FIRST"}}}),
			rule("CountScanner", 3, map[string]any{"Count": map[string]any{"CustomRequestHandling": map[string]any{"InsertHeaders": []any{map[string]any{"Name": "scanner", "Value": "yes"}}}}},
				map[string]any{"RegexMatchStatement": map[string]any{"FieldToMatch": header("User-Agent"), "RegexString": "^sqlmap/",
					"TextTransformations": []any{map[string]any{"Priority": 0, "Type": "LOWERCASE"}}}}, "scanner:probe"),
			rule("BlockScannerDeletes", 4, block, and(map[string]any{"LabelMatchStatement": map[string]any{"Scope": "LABEL", "Key": "probe"}},
				byteMatch(map[string]any{"Method": map[string]any{}}, "DELETE", "EXACTLY"))),
			rule("BlockScannerPatches", 5, block, and(map[string]any{"LabelMatchStatement": map[string]any{"Scope": "NAMESPACE", "Key": "scanner:"}},
				byteMatch(map[string]any{"Method": map[string]any{}}, "PATCH", "EXACTLY"))),
			rule("GeoAllowList", 6, block, map[string]any{"NotStatement": map[string]any{"Statement": map[string]any{"GeoMatchStatement": map[string]any{"CountryCodes": []any{"US", "CA"}}}}}),
			rule("BlockDropWord", 7, block, byteMatch(map[string]any{"AllQueryArguments": map[string]any{}}, "drop", "CONTAINS_WORD", "URL_DECODE", "LOWERCASE")),
			rule("RateSearch", 8, block, map[string]any{"RateBasedStatement": map[string]any{"Limit": 10, "AggregateKeyType": "IP", "EvaluationWindowSec": 60,
				"ScopeDownStatement": path("/prod/search")}}),
			rule("RateForwarded", 9, block, map[string]any{"RateBasedStatement": map[string]any{"Limit": 10, "AggregateKeyType": "FORWARDED_IP",
				"ForwardedIPConfig": map[string]any{"HeaderName": "X-Forwarded-For", "FallbackBehavior": "NO_MATCH"}, "ScopeDownStatement": path("/prod/fwd")}}),
			rule("Captcha", 10, map[string]any{"Captcha": map[string]any{}}, byteMatch(header("x-test"), "captcha", "EXACTLY")),
			rule("BodyContinue", 11, block, map[string]any{"ByteMatchStatement": map[string]any{"FieldToMatch": map[string]any{"Body": map[string]any{"OversizeHandling": "CONTINUE"}},
				"SearchString": "evil-continue", "PositionalConstraint": "CONTAINS", "TextTransformations": none}}),
			rule("BodyNoMatch", 12, block, map[string]any{"ByteMatchStatement": map[string]any{"FieldToMatch": map[string]any{"Body": map[string]any{"OversizeHandling": "NO_MATCH"}},
				"SearchString": "evil-nomatch", "PositionalConstraint": "CONTAINS", "TextTransformations": none}}),
			rule("BodySizeContinue", 13, block, map[string]any{"SizeConstraintStatement": map[string]any{"FieldToMatch": map[string]any{"Body": map[string]any{}},
				"ComparisonOperator": "GT", "Size": 20000, "TextTransformations": none}}),
			map[string]any{"Name": "Managed", "Priority": 14, "OverrideAction": map[string]any{"None": map[string]any{}},
				"Statement": map[string]any{"ManagedRuleGroupStatement": map[string]any{"VendorName": "AWS", "Name": "AWSManagedRulesSQLiRuleSet"}}},
		},
	}}
}

func asList(v any) []any { l, _ := v.([]any); return l }

// handTemplate is handACL on an API's stage, with its IP sets.
func handTemplate(defaultAction map[string]any) map[string]any {
	return map[string]any{
		"Api":      map[string]any{"Type": "AWS::ApiGateway::RestApi", "Properties": map[string]any{"Name": "hand"}},
		"Stage":    map[string]any{"Type": "AWS::ApiGateway::Stage", "Properties": map[string]any{"RestApiId": map[string]any{"Ref": "Api"}, "StageName": "prod"}},
		"Acl":      handACL(defaultAction),
		"LocalIPs": map[string]any{"Type": "AWS::WAFv2::IPSet", "Properties": map[string]any{"Addresses": []any{"127.0.0.0/8"}, "IPAddressVersion": "IPV4", "Scope": "REGIONAL"}},
		"DocIPs":   map[string]any{"Type": "AWS::WAFv2::IPSet", "Properties": map[string]any{"Addresses": []any{"198.51.100.0/24"}, "IPAddressVersion": "IPV4", "Scope": "REGIONAL"}},
		"Assoc": map[string]any{"Type": "AWS::WAFv2::WebACLAssociation", "Properties": map[string]any{
			"ResourceArn": map[string]any{"Fn::Join": []any{"", []any{"arn:aws:apigateway:us-east-1::/restapis/", map[string]any{"Ref": "Api"}, "/stages/", map[string]any{"Ref": "Stage"}}}},
			"WebACLArn":   map[string]any{"Fn::GetAtt": []any{"Acl", "Arn"}}}},
	}
}

func TestHandWrittenWebACLStatements(t *testing.T) {
	acls, notices := loadWAFTemplate(t, handTemplate(map[string]any{"Allow": map[string]any{}}))
	acl := acls["Api"]
	if acl == nil {
		t.Fatalf("no web ACL on the API:\n%s", strings.Join(notices, "\n"))
	}
	s := startGuardedAPI(t, wafAPI(acl), Options{})
	clock := newTestClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	s.g.waf.now = clock.now
	big := func(prefix string, at int) []byte {
		b := bytes.Repeat([]byte("x"), 20000)
		copy(b[at:], prefix)
		return b
	}
	type want struct {
		status int
		waf    string
	}
	for _, tc := range []struct {
		name    string
		method  string
		path    string
		body    []byte
		headers []string
		want    want
	}{
		{"an open request passes", "GET", "/items", nil, nil, want{200, "Allow (default action)"}},
		{"Allow ends the evaluation before a later Block", "GET", "/health", nil, []string{"x-test", "captcha"}, want{200, "Allow by AllowHealth (priority 0)"}},
		{"an IP set holding 127.0.0.1 blocks with WAF's 403", "GET", "/ipset", nil, nil, want{403, "Block by BlockLocalIPSet (priority 1)"}},
		{"an IP set reads X-Forwarded-For when its config says so", "GET", "/items", nil, []string{"X-Forwarded-For", "198.51.100.7, 10.0.0.1"}, want{429, "Block by BlockForwardedIPSet (priority 2)"}},
		{"Position FIRST: a later forwarded address does not count", "GET", "/items", nil, []string{"X-Forwarded-For", "10.0.0.1, 198.51.100.7"}, want{200, "Allow (default action)"}},
		{"Count adds a label and goes on", "GET", "/items", nil, []string{"User-Agent", "SQLMap/1.7"}, want{200, "Count by CountScanner (priority 3); Allow (default action)"}},
		{"a later rule matches the Count's label (LABEL)", "DELETE", "/items", nil, []string{"User-Agent", "sqlmap/1.7"}, want{403, "Count by CountScanner (priority 3); Block by BlockScannerDeletes (priority 4)"}},
		{"a later rule matches the Count's namespace (NAMESPACE)", "PATCH", "/items", nil, []string{"User-Agent", "sqlmap/1.7"}, want{403, "Count by CountScanner (priority 3); Block by BlockScannerPatches (priority 5)"}},
		{"no label: the label rule does not match", "DELETE", "/items", nil, nil, want{200, "Allow (default action)"}},
		{"byte match with URL_DECODE and LOWERCASE, CONTAINS_WORD", "GET", "/items?q=DROP%20table", nil, nil, want{403, "Block by BlockDropWord (priority 7)"}},
		{"CONTAINS_WORD needs a word boundary", "GET", "/items?q=dropbox", nil, nil, want{200, "Allow (default action)"}},
		{"CAPTCHA answers 405 to a request without a token", "GET", "/items", nil, []string{"x-test", "captcha"}, want{405, "Captcha by Captcha (priority 10)"}},
		{"CONTINUE inspects the first 16 KB of an oversize body", "POST", "/items", big("evil-continue", 0), nil, want{403, "Block by BodyContinue (priority 11)"}},
		{"CONTINUE does not see past the inspection limit", "POST", "/items", big("evil-continue", 17000), nil, want{200, "Allow (default action)"}},
		{"NO_MATCH: an oversize body does not match", "POST", "/items", big("evil-nomatch", 0), nil, want{200, "Allow (default action)"}},
		{"NO_MATCH: a body within the limit is inspected", "POST", "/items", []byte("an evil-nomatch body"), nil, want{403, "Block by BodyNoMatch (priority 12)"}},
		{"a size constraint on an oversize body with CONTINUE measures the inspected 16 KB", "POST", "/items", big("", 0), nil, want{200, "Allow (default action)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := s.send(t, tc.method, tc.path, tc.body, false, tc.headers...)
			events := s.invoked()
			if a.status != tc.want.status {
				t.Fatalf("status %d %.200s, want %d", a.status, a.body, tc.want.status)
			}
			if rec := s.lastRecord(t); rec.WAF != tc.want.waf {
				t.Errorf("RequestRecord.WAF %q, want %q", rec.WAF, tc.want.waf)
			}
			if tc.want.status == 200 {
				if len(events) != 1 {
					t.Fatalf("the function ran %d times", len(events))
				}
				inserted := strings.Contains(string(events[0]), `"x-amzn-waf-scanner":"yes"`)
				if counted := strings.Contains(tc.want.waf, "CountScanner"); inserted != counted {
					t.Errorf("x-amzn-waf-scanner inserted: %v, want %v: %s", inserted, counted, events[0])
				}
				return
			}
			if len(events) != 0 {
				t.Errorf("the function ran %d times: WAF should have stopped the request", len(events))
			}
			switch tc.want.status {
			case 403:
				checkRefusal(t, a, 403, "Forbidden", "ForbiddenException", "DEFAULT_4XX")
			case 429:
				if a.body != "slow down" || a.header.Get("Content-Type") != "text/plain" || a.header.Get("Retry-After") != "60" {
					t.Errorf("custom response: %q %v", a.body, a.header)
				}
			case 405:
				if a.header.Get("x-amzn-waf-action") != "captcha" {
					t.Errorf("x-amzn-waf-action %q", a.header.Get("x-amzn-waf-action"))
				}
			}
		})
	}

	t.Run("a rate-based rule with a scope-down counts per IP over its window", func(t *testing.T) {
		for i := 1; i <= 10; i++ {
			if a := s.send(t, "GET", "/search", nil, false); a.status != 200 {
				t.Fatalf("request %d: %d", i, a.status)
			}
		}
		if a := s.send(t, "GET", "/search", nil, false); a.status != 403 || s.lastRecord(t).WAF != "Block by RateSearch (priority 8)" {
			t.Fatalf("11th request in 60 s: %d %s", a.status, s.lastRecord(t).WAF)
		}
		if a := s.send(t, "GET", "/items", nil, false); a.status != 200 {
			t.Errorf("out of the scope-down statement's scope: %d", a.status)
		}
		clock.add(61 * time.Second)
		if a := s.send(t, "GET", "/search", nil, false); a.status != 200 {
			t.Errorf("after the 60 s window: %d", a.status)
		}
		s.invoked()
	})
	t.Run("FORWARDED_IP counts each forwarded address apart, and not requests without one (NO_MATCH)", func(t *testing.T) {
		for i := 1; i <= 10; i++ {
			s.send(t, "GET", "/fwd", nil, false, "X-Forwarded-For", "192.0.2.1")
		}
		if a := s.send(t, "GET", "/fwd", nil, false, "X-Forwarded-For", "192.0.2.1"); a.status != 403 {
			t.Errorf("11th from 192.0.2.1: %d", a.status)
		}
		if a := s.send(t, "GET", "/fwd", nil, false, "X-Forwarded-For", "192.0.2.2"); a.status != 200 {
			t.Errorf("first from 192.0.2.2: %d", a.status)
		}
		for i := 0; i < 12; i++ {
			if a := s.send(t, "GET", "/fwd", nil, false); a.status != 200 {
				t.Fatalf("without X-Forwarded-For, request %d: %d", i+1, a.status)
			}
		}
		s.invoked()
	})
	t.Run("geo match uses the configured local country", func(t *testing.T) {
		fr := startGuardedAPI(t, wafAPI(acl), Options{WAFCountry: "fr"})
		if a := fr.send(t, "GET", "/items", nil, false); a.status != 403 || fr.lastRecord(t).WAF != "Block by GeoAllowList (priority 6)" {
			t.Errorf("from FR: %d %q", a.status, fr.lastRecord(t).WAF)
		}
		off := startGuardedAPI(t, wafAPI(acl), Options{WAFCountry: "FR", SkipWAF: true})
		if a := off.send(t, "GET", "/items", nil, false); a.status != 200 || off.lastRecord(t).WAF != "" {
			t.Errorf("SkipWAF: %d %q", a.status, off.lastRecord(t).WAF)
		}
	})
	if all := strings.Join(notices, "\n"); !strings.Contains(all, "NOT evaluated: Managed (managed rule group AWS/AWSManagedRulesSQLiRuleSet: not evaluated locally, matches nothing)") {
		t.Errorf("notices:\n%s", all)
	}
}

func TestWebACLDefaultActionBlock(t *testing.T) {
	acls, _ := loadWAFTemplate(t, handTemplate(map[string]any{"Block": map[string]any{"CustomResponse": map[string]any{"ResponseCode": 401}}}))
	s := startGuardedAPI(t, wafAPI(acls["Api"]), Options{})
	if a := s.send(t, "GET", "/items", nil, false); a.status != 401 || a.body != "" || len(s.invoked()) != 0 || s.lastRecord(t).WAF != "Block (default action)" {
		t.Errorf("default Block: %d %q %q", a.status, a.body, s.lastRecord(t).WAF)
	}
	if a := s.send(t, "GET", "/health", nil, false); a.status != 200 || len(s.invoked()) != 1 {
		t.Errorf("an Allow rule before the default Block: %d", a.status)
	}
}

// BenchmarkWAF measures, in one run over a real listener, what the
// SizeLimitedWebAcl of the team app (body size, rate limit per IP, the
// common rule set listed as not evaluated) adds to a POST with a 1 KB
// body: the protected route's time, its ratio to the same route without a
// web ACL, and the evaluation alone (waf-eval-ns). The rate rule's clock
// moves a second per request so its 2000-per-5-minutes limit is never
// reached and its counting is measured.
func BenchmarkWAF(b *testing.B) {
	team, _, _ := sizeLimitedACLs(b)
	protected := startGuardedAPI(b, wafAPI(team), Options{})
	open := startGuardedAPI(b, wafAPI(nil), Options{})
	var tick atomic.Int64
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	protected.g.waf.now = func() time.Time { return t0.Add(time.Duration(tick.Add(1)) * time.Second) }
	body := bytes.Repeat([]byte("x"), 1024)
	probe, _ := http.NewRequest("POST", "/prod/upload", nil)
	probe.RemoteAddr = "127.0.0.1:5555"
	var tOpen, tWAF, tEval time.Duration
	timed := func(sum *time.Duration, do func()) {
		t := time.Now()
		do()
		*sum += time.Since(t)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		timed(&tOpen, func() {
			if a := open.send(b, "POST", "/upload", body, false); a.status != 200 {
				b.Fatal(a.status)
			}
		})
		timed(&tWAF, func() {
			if a := protected.send(b, "POST", "/upload", body, false); a.status != 200 {
				b.Fatal(a.status, a.body)
			}
		})
		timed(&tEval, func() {
			if v := protected.g.waf.evaluate(probe, body); v.blocked() {
				b.Fatal(v)
			}
		})
		open.invoked()
		protected.invoked()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(tOpen)/n, "open-ns")
	b.ReportMetric(float64(tWAF)/n, "waf-ns")
	b.ReportMetric(float64(tWAF)/float64(tOpen), "waf/open")
	b.ReportMetric(float64(tEval)/n, "waf-eval-ns")
	b.ReportMetric(0, "ns/op") // the sum of three measurements says nothing
}

func TestWebACLRunsBeforeTheGuards(t *testing.T) {
	acls, _ := loadWAFTemplate(t, handTemplate(map[string]any{"Allow": map[string]any{}}))
	api := wafAPI(acls["Api"])
	addRoute(api, "GET", "/secure", func(r *loader.Route) { r.Authorization = "AWS_IAM" })
	s := startGuardedAPI(t, api, Options{IAMIgnoreDeveloperKeys: true, CognitoKeyFile: t.TempDir() + "/k.pem"})
	// GIVEN an unsigned request to an AWS_IAM route WHEN a WAF rule blocks it THEN WAF answers, not IAM.
	a := s.send(t, "GET", "/secure", nil, false, "x-test", "captcha")
	if rec := s.lastRecord(t); a.status != 405 || rec.Guard != "" || rec.Mode != "WAF" {
		t.Errorf("WAF block of a guarded route: %d, record %+v", a.status, rec)
	}
	// WHEN WAF allows it THEN the guard refuses it.
	a = s.send(t, "GET", "/secure", nil, false)
	if rec := s.lastRecord(t); a.status != 403 || rec.Refused == "" || rec.WAF != "Allow (default action)" {
		t.Errorf("allowed by WAF, refused by IAM: %d, record %+v", a.status, rec)
	}
	if n := len(s.invoked()); n != 0 {
		t.Errorf("the function ran %d times", n)
	}
}
