package wafsize_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/wafsize"
	"github.com/streamgate/streamgate/internal/cdktest"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

var js = cdktest.JSON

// acls builds one stack with a web ACL per limit and returns each ACL's
// properties.
var built map[string]map[string]any
var stack awscdk.Stack
var acls map[string]*wafsize.SizeLimitedWebAcl

func aclProps(t *testing.T, name string) map[string]any {
	if built == nil {
		stack = awscdk.NewStack(cdktest.NewApp(false), jsii.String("Waf"), nil)
		api := awsapigateway.NewRestApi(stack, jsii.String("Api"), &awsapigateway.RestApiProps{CloudWatchRole: jsii.Bool(false)})
		api.Root().AddMethod(jsii.String("GET"), awsapigateway.NewMockIntegration(nil), nil)
		other := awsapigateway.NewRestApi(stack, jsii.String("Other"), &awsapigateway.RestApiProps{CloudWatchRole: jsii.Bool(false)})
		other.Root().AddMethod(jsii.String("GET"), awsapigateway.NewMockIntegration(nil), nil)
		acls = map[string]*wafsize.SizeLimitedWebAcl{
			"8KB":  wafsize.NewSizeLimitedWebAcl(stack, jsii.String("Small"), &wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(8)), CommonRuleSet: jsii.Bool(true)}),
			"20KB": wafsize.NewSizeLimitedWebAcl(stack, jsii.String("Medium"), &wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(20)), RateLimit: jsii.Number(500)}),
			"64KB": wafsize.NewSizeLimitedWebAcl(stack, jsii.String("Edge"), &wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(64))}),
			"10MB": wafsize.NewSizeLimitedWebAcl(stack, jsii.String("Large"), &wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Mebibytes(jsii.Number(10)), CommonRuleSet: jsii.Bool(true)}),
		}
		acls["8KB"].Associate(api.DeploymentStage())
		acls["8KB"].Associate(other.DeploymentStage())
		tmpl := assertions.Template_FromStack(stack, nil)
		var doc struct{ Resources map[string]map[string]any }
		b, _ := json.Marshal(tmpl.ToJSON())
		json.Unmarshal(b, &doc)
		built = map[string]map[string]any{}
		for name, acl := range acls {
			id := *stack.GetLogicalId(acl.CfnWebACL)
			built[name] = doc.Resources[id]["Properties"].(map[string]any)
		}
		built["resources"] = map[string]any{}
		for id, r := range doc.Resources {
			built["resources"][id] = r
		}
	}
	return built[name]
}

func rules(t *testing.T, name string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, r := range aclProps(t, name)["Rules"].([]any) {
		out[r.(map[string]any)["Name"].(string)] = r.(map[string]any)
	}
	return out
}

func TestBodyRuleWithSmallestCoveringInspectionLimit(t *testing.T) {
	for name, limit := range map[string]string{"8KB": "KB_16", "20KB": "KB_32", "64KB": "KB_64"} {
		p := aclProps(t, name)
		if got := js(p["AssociationConfig"]); got != `{"RequestBody":{"API_GATEWAY":{"DefaultSizeInspectionLimit":"`+limit+`"}}}` {
			t.Errorf("%s: AssociationConfig %s, want %s", name, got, limit)
		}
		body := rules(t, name)["BodyOverLimit"]
		if body == nil {
			t.Fatalf("%s: no body rule", name)
		}
		want := map[string]int{"8KB": 8192, "20KB": 20480, "64KB": 65536}[name]
		if got := js(body["Statement"]); got != `{"SizeConstraintStatement":{"ComparisonOperator":"GT","FieldToMatch":{"Body":{"OversizeHandling":"MATCH"}},"Size":`+js(want)+`,"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}` {
			t.Errorf("%s: statement %s", name, got)
		}
		if rules(t, name)["ContentLengthOverLimit"] != nil {
			t.Errorf("%s: a Content-Length rule below 64 KB", name)
		}
	}
}

func TestContentLengthRuleAbove64KB(t *testing.T) {
	r := rules(t, "10MB")
	if r["BodyOverLimit"] != nil {
		t.Error("a body rule above the inspection limit would refuse legal bodies")
	}
	cl := js(r["ContentLengthOverLimit"]["Statement"])
	for _, want := range []string{`"OrStatement"`, `"SingleHeader":{"Name":"content-length"}`, `"ComparisonOperator":"GT","FieldToMatch":{"SingleHeader":{"Name":"content-length"}},"Size":8`,
		`"RegexString":"^(?:[2-9][0-9]{7}|1[1-9][0-9]{6}`} {
		if !strings.Contains(cl, want) {
			t.Errorf("Content-Length rule lacks %s:\n%s", want, cl)
		}
	}
	if got := js(aclProps(t, "10MB")["AssociationConfig"]); !strings.Contains(got, "KB_64") {
		t.Errorf("AssociationConfig %s", got)
	}
}

func TestBlocksWith413AndJSON(t *testing.T) {
	p := aclProps(t, "20KB")
	body := rules(t, "20KB")["BodyOverLimit"]
	if got := js(body["Action"]); got != `{"Block":{"CustomResponse":{"CustomResponseBodyKey":"payload-too-large","ResponseCode":413}}}` {
		t.Errorf("Action %s", got)
	}
	resp := p["CustomResponseBodies"].(map[string]any)["payload-too-large"].(map[string]any)
	var parsed map[string]any
	if resp["ContentType"] != "APPLICATION_JSON" || json.Unmarshal([]byte(resp["Content"].(string)), &parsed) != nil || !strings.Contains(resp["Content"].(string), "20480-byte limit") {
		t.Errorf("response body %s", js(resp))
	}
	if js(p["DefaultAction"]) != `{"Allow":{}}` || p["Scope"] != "REGIONAL" {
		t.Errorf("DefaultAction %s Scope %v", js(p["DefaultAction"]), p["Scope"])
	}
}

func TestMetricsOnEveryRule(t *testing.T) {
	for _, name := range []string{"8KB", "20KB", "10MB"} {
		p := aclProps(t, name)
		if v := js(p["VisibilityConfig"]); !strings.Contains(v, `"CloudWatchMetricsEnabled":true`) || !strings.Contains(v, `"SampledRequestsEnabled":true`) {
			t.Errorf("%s VisibilityConfig %s", name, v)
		}
		for rn, r := range rules(t, name) {
			if v := js(r["VisibilityConfig"]); !strings.Contains(v, `"CloudWatchMetricsEnabled":true`) {
				t.Errorf("%s rule %s VisibilityConfig %s", name, rn, v)
			}
		}
	}
}

func TestCommonRuleSetCountsSizeRestrictionsAbove8KB(t *testing.T) {
	small := js(rules(t, "8KB")["AWSManagedRulesCommonRuleSet"])
	if !strings.Contains(small, `"Name":"AWSManagedRulesCommonRuleSet","VendorName":"AWS"`) || strings.Contains(small, "RuleActionOverrides") {
		t.Errorf("8 KB: %s", small)
	}
	large := js(rules(t, "10MB")["AWSManagedRulesCommonRuleSet"]["Statement"])
	if !strings.Contains(large, `"RuleActionOverrides":[{"ActionToUse":{"Count":{}},"Name":"SizeRestrictions_BODY"}]`) {
		t.Errorf("10 MB: %s", large)
	}
	if js(rules(t, "8KB")["AWSManagedRulesCommonRuleSet"]["OverrideAction"]) != `{"None":{}}` {
		t.Error("the managed group's own actions must apply")
	}
}

// TestRateLimitPerIP: a client over the rate limit is told so (429 and
// its own body), not that its body is too large.
func TestRateLimitPerIP(t *testing.T) {
	rate := rules(t, "20KB")["RateLimitPerIp"]
	if got := js(rate["Statement"]); got != `{"RateBasedStatement":{"AggregateKeyType":"IP","Limit":500}}` {
		t.Errorf("rate rule %s", got)
	}
	if got := js(rate["Action"]); got != `{"Block":{"CustomResponse":{"CustomResponseBodyKey":"too-many-requests","ResponseCode":429}}}` {
		t.Errorf("rate rule's action %s", got)
	}
	if got := js(aclProps(t, "20KB")["CustomResponseBodies"].(map[string]any)[wafsize.RateLimitResponseBodyKey]); got !=
		`{"Content":"{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"more than 500 requests from this IP address in 5 minutes; wait, then retry\"}}","ContentType":"APPLICATION_JSON"}` {
		t.Errorf("429 body %s", got)
	}
	if rules(t, "8KB")["RateLimitPerIp"] != nil {
		t.Error("a rate rule without RateLimit")
	}
	if _, ok := aclProps(t, "8KB")["CustomResponseBodies"].(map[string]any)[wafsize.RateLimitResponseBodyKey]; ok {
		t.Error("a 429 body without RateLimit")
	}
}

func TestLoggingAndAssociations(t *testing.T) {
	aclProps(t, "8KB")
	res := built["resources"]
	var logging, groups, assoc []string
	for _, r := range res {
		r := r.(map[string]any)
		switch r["Type"] {
		case "AWS::WAFv2::LoggingConfiguration":
			logging = append(logging, js(r["Properties"]))
		case "AWS::Logs::LogGroup":
			groups = append(groups, js(r["Properties"]))
		case "AWS::WAFv2::WebACLAssociation":
			assoc = append(assoc, js(r["Properties"]))
			// The ARN refers to the stage: a DependsOn on it would be
			// redundant (cfn-lint W3005).
			if r["DependsOn"] != nil {
				t.Errorf("association DependsOn %v: the stage's Ref in its ARN orders it already", r["DependsOn"])
			}
		}
	}
	if len(logging) != 4 || len(groups) != 4 {
		t.Fatalf("%d logging configurations, %d log groups, want 4 each", len(logging), len(groups))
	}
	for _, l := range logging {
		if !strings.Contains(l, `":log-group:",{"Ref":`) || strings.Contains(l, ":*") {
			t.Errorf("log destination must be the group ARN without :*: %s", l)
		}
	}
	for _, g := range groups {
		if !strings.Contains(g, `"LogGroupName":"aws-waf-logs-`) || !strings.Contains(g, `"RetentionInDays":30`) {
			t.Errorf("log group %s", g)
		}
	}
	if len(assoc) != 2 {
		t.Fatalf("%d associations, want 2 (one ACL on two stages)", len(assoc))
	}
	for _, a := range assoc {
		if !strings.Contains(a, `":apigateway:",{"Ref":"AWS::Region"},"::/restapis/",{"Ref":`) || !strings.Contains(a, `"/stages/",{"Ref":`) {
			t.Errorf("association %s", a)
		}
	}
}

// TestExemptPostPathSuffixes: the size rule (body or Content-Length) spares
// POST requests whose path ends with a suffix, and nothing else; without
// suffixes the rule is the plain size statement.
func TestExemptPostPathSuffixes(t *testing.T) {
	st := awscdk.NewStack(cdktest.NewApp(false), jsii.String("Exempt"), nil)
	cases := []struct {
		kib      float64
		suffixes []string
		rule     string
		path     string // the path statement's JSON
	}{
		{16, []string{"/complete"}, wafsize.RuleBodySize,
			`{"ByteMatchStatement":{"FieldToMatch":{"UriPath":{}},"PositionalConstraint":"ENDS_WITH","SearchString":"/complete","TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`},
		{1024, []string{"/complete", "/batch"}, wafsize.RuleContentLength,
			`{"OrStatement":{"Statements":[{"ByteMatchStatement":{"FieldToMatch":{"UriPath":{}},"PositionalConstraint":"ENDS_WITH","SearchString":"/complete","TextTransformations":[{"Priority":0,"Type":"NONE"}]}},` +
				`{"ByteMatchStatement":{"FieldToMatch":{"UriPath":{}},"PositionalConstraint":"ENDS_WITH","SearchString":"/batch","TextTransformations":[{"Priority":0,"Type":"NONE"}]}}]}}`},
	}
	for _, tc := range cases {
		acl := wafsize.NewSizeLimitedWebAcl(st, jsii.String(fmt.Sprintf("Acl%d", int(tc.kib))), &wafsize.SizeLimitedWebAclProps{
			MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(tc.kib)), ExemptPostPathSuffixes: jsii.Strings(tc.suffixes...)})
		if strings.Join(acl.ExemptPostPathSuffixes, ",") != strings.Join(tc.suffixes, ",") {
			t.Errorf("ExemptPostPathSuffixes %v", acl.ExemptPostPathSuffixes)
		}
	}
	acls := *assertions.Template_FromStack(st, nil).FindResources(jsii.String("AWS::WAFv2::WebACL"), nil)
	for _, tc := range cases {
		var stmt struct {
			AndStatement struct{ Statements []json.RawMessage }
		}
		for _, r := range acls {
			if !strings.Contains(js((*r)["Properties"]), fmt.Sprintf("request bodies up to %d bytes", int(tc.kib*1024))) {
				continue
			}
			for _, rule := range (*r)["Properties"].(map[string]any)["Rules"].([]any) {
				if rule.(map[string]any)["Name"] == tc.rule {
					json.Unmarshal([]byte(js(rule.(map[string]any)["Statement"])), &stmt)
				}
			}
		}
		if len(stmt.AndStatement.Statements) != 2 {
			t.Fatalf("%s: statement %+v", tc.rule, stmt)
		}
		size := string(stmt.AndStatement.Statements[0])
		if tc.rule == wafsize.RuleBodySize && !strings.Contains(size, `"SizeConstraintStatement"`) || tc.rule == wafsize.RuleContentLength && !strings.Contains(size, `"content-length"`) {
			t.Errorf("%s: the size statement %s", tc.rule, size)
		}
		want := `{"NotStatement":{"Statement":{"AndStatement":{"Statements":[{"ByteMatchStatement":{"FieldToMatch":{"Method":{}},"PositionalConstraint":"EXACTLY","SearchString":"POST",` +
			`"TextTransformations":[{"Priority":0,"Type":"NONE"}]}},` + tc.path + `]}}}}`
		if got := string(stmt.AndStatement.Statements[1]); got != want {
			t.Errorf("%s: the exemption\n got %s\nwant %s", tc.rule, got, want)
		}
	}
	if got := js(rules(t, "8KB")[wafsize.RuleBodySize]["Statement"]); !strings.HasPrefix(got, `{"SizeConstraintStatement"`) {
		t.Errorf("without suffixes: %s", got)
	}
}

func TestFailsInvalidLimits(t *testing.T) {
	st := awscdk.NewStack(cdktest.NewApp(false), jsii.String("Fails"), nil)
	for _, tc := range []struct {
		props *wafsize.SizeLimitedWebAclProps
		want  []string
	}{
		{&wafsize.SizeLimitedWebAclProps{}, []string{`SizeLimitedWebAcl "Fails/Acl" has 1 invalid prop`, "MaxBodySize is unset; allowed: 1 byte to 10 MB"}},
		{&wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Bytes(jsii.Number(0))}, []string{"MaxBodySize is 0 bytes; allowed: 1 byte to 10 MB"}},
		{&wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Mebibytes(jsii.Number(11))}, []string{"MaxBodySize is 11534336 bytes; allowed: 1 byte to 10 MB (10485760 bytes, API Gateway's cap)", "presigned URLs"}},
		{&wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(40)), InspectionLimit: wafsize.KB32}, []string{"InspectionLimit is KB_32; allowed: at least the 40960-byte MaxBodySize"}},
		{&wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(4)), InspectionLimit: "KB_8"}, []string{`InspectionLimit is "KB_8"; allowed: KB_16, KB_32, KB_48 or KB_64`}},
		{&wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(4)), RateLimit: jsii.Number(1)}, []string{"RateLimit is 1; allowed: a whole number of requests per IP in 5 minutes, 10 to 2,000,000,000"}},
		// WAF's Limit is an integer: CloudFormation would refuse 100.5.
		{&wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(4)), RateLimit: jsii.Number(100.5)}, []string{"RateLimit is 100.5; allowed: a whole number"}},
		// A rule's metric name (prefix + rule name) has at most 128 characters.
		{&wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(4)), CommonRuleSet: jsii.Bool(true), MetricPrefix: jsii.String(strings.Repeat("m", 101))},
			[]string{"MetricPrefix is 101 characters long; allowed: at most 100, so that the prefix and the longest rule name (AWSManagedRulesCommonRuleSet) fit"}},
		{&wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(4)), MetricPrefix: jsii.String(strings.Repeat("m", 107))},
			[]string{"MetricPrefix is 107 characters long; allowed: at most 106, so that the prefix and the longest rule name (ContentLengthOverLimit) fit"}},
		{&wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(4)), ExemptPostPathSuffixes: jsii.Strings("complete", "/a?b", "/c", "/c", "/")},
			[]string{`ExemptPostPathSuffixes[0] is "complete"; allowed: a literal path ending that starts with "/"`, `ExemptPostPathSuffixes[1] is "/a?b"`,
				`ExemptPostPathSuffixes[4] is "/"`,
				`ExemptPostPathSuffixes[3] is "/c"; allowed: each ending once`}},
		{&wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(4)),
			LogGroup: awslogs.LogGroup_FromLogGroupName(st, jsii.String("Plain"), jsii.String("my-logs"))}, []string{`LogGroup is "my-logs"; allowed: a log group whose name starts with "aws-waf-logs-"`}},
		// Groups defined in the app: their names are Tokens, read from the resource.
		{&wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(4)),
			LogGroup: awslogs.NewLogGroup(st, jsii.String("Named"), &awslogs.LogGroupProps{LogGroupName: jsii.String("team-waf")})}, []string{`LogGroup is "team-waf"; allowed: a log group whose name starts with "aws-waf-logs-"`}},
		{&wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(4)),
			LogGroup: awslogs.NewLogGroup(st, jsii.String("Unnamed"), nil)}, []string{`LogGroup is a group without LogGroupName`}},
		{&wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(4)), MetricPrefix: jsii.String("team acl")},
			[]string{`MetricPrefix is "team acl"; allowed: 1 to 128 letters, digits and _ # : . - / (WAF's metric names), no spaces`}},
	} {
		msg := cdktest.PanicMessage(t, func() { wafsize.NewSizeLimitedWebAcl(st, jsii.String("Acl"), tc.props) })
		for _, w := range tc.want {
			if !strings.Contains(msg, w) {
				t.Errorf("message lacks %q:\n%s", w, msg)
			}
		}
	}
}

// TestAcceptsANamedLogGroupOfTheApp: a group created with an aws-waf-logs-
// name passes.
func TestAcceptsANamedLogGroupOfTheApp(t *testing.T) {
	st := awscdk.NewStack(cdktest.NewApp(false), jsii.String("Named"), nil)
	logs := awslogs.NewLogGroup(st, jsii.String("Logs"), &awslogs.LogGroupProps{LogGroupName: jsii.String("aws-waf-logs-team")})
	acl := wafsize.NewSizeLimitedWebAcl(st, jsii.String("Acl"), &wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(4)), LogGroup: logs})
	if acl.LogGroup != logs {
		t.Error("the ACL does not log to the given group")
	}
}

func TestFailsAssociateNil(t *testing.T) {
	st := awscdk.NewStack(cdktest.NewApp(false), jsii.String("Nil"), nil)
	acl := wafsize.NewSizeLimitedWebAcl(st, jsii.String("Acl"), &wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(4))})
	msg := cdktest.PanicMessage(t, func() { acl.Associate(nil) })
	if !strings.Contains(msg, `SizeLimitedWebAcl "Nil/Acl": Associate(nil); allowed: an API Gateway stage`) || !strings.Contains(msg, "Fix:") {
		t.Errorf("message: %s", msg)
	}
}

// TestThe413CarriesCORSForTheAPIsPages: WAF's 413 replaces API Gateway's
// answer, its CORS gateway responses included, so the rule's own response
// names the origin (one), or "*" (several, or any); without CORS it names
// none.
func TestThe413CarriesCORSForTheAPIsPages(t *testing.T) {
	for i, tc := range []struct {
		name        string
		origins     []string
		credentials bool
		limit       float64 // KiB: below 64 the body rule, above it the Content-Length rule
		want        string  // the header's value; "" none
	}{
		{name: "one origin, body rule", origins: []string{"https://app.example.com"}, limit: 16, want: "https://app.example.com"},
		{name: "one origin, Content-Length rule", origins: []string{"http://localhost:5173"}, limit: 1024, want: "http://localhost:5173"},
		{name: "several origins", origins: []string{"https://a.example.com", "https://b.example.com"}, limit: 16, want: "*"},
		{name: "any origin", origins: []string{"*"}, limit: 16, want: "*"},
		{name: "no CORS", limit: 16},
		{name: "one origin with credentials", origins: []string{"https://app.example.com"}, credentials: true, limit: 16, want: "https://app.example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := awscdk.NewStack(cdktest.NewApp(false), jsii.String(fmt.Sprintf("Cors%d", i)), nil)
			p := &wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(tc.limit)), RateLimit: jsii.Number(100)}
			if tc.origins != nil {
				p.Cors = &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings(tc.origins...)}
				if tc.credentials {
					p.Cors.AllowCredentials = jsii.Bool(true)
				}
			}
			acl := wafsize.NewSizeLimitedWebAcl(st, jsii.String("Acl"), p)
			if acl.AllowOrigin != tc.want || acl.AllowCredentials != tc.credentials {
				t.Errorf("AllowOrigin %q, AllowCredentials %v; want %q, %v", acl.AllowOrigin, acl.AllowCredentials, tc.want, tc.credentials)
			}
			var parsed []struct {
				Name   string
				Action struct {
					Block struct{ CustomResponse map[string]any }
				}
			}
			for _, r := range *assertions.Template_FromStack(st, nil).FindResources(jsii.String("AWS::WAFv2::WebACL"), nil) {
				b, _ := json.Marshal((*r)["Properties"].(map[string]any)["Rules"])
				json.Unmarshal(b, &parsed)
			}
			if len(parsed) != 2 {
				t.Fatalf("rules %+v", parsed)
			}
			for _, r := range parsed {
				got := js(r.Action.Block.CustomResponse["ResponseHeaders"])
				want := "null"
				if tc.want != "" {
					want = `[{"Name":"Access-Control-Allow-Origin","Value":"` + tc.want + `"}]`
				}
				if tc.credentials {
					want = strings.TrimSuffix(want, "]") + `,{"Name":"Access-Control-Allow-Credentials","Value":"true"}]`
				}
				status := float64(413)
				if r.Name == wafsize.RuleRateLimit {
					status = 429
				}
				if got != want || r.Action.Block.CustomResponse["ResponseCode"] != status {
					t.Errorf("%s: the %v's headers %s, want %s", r.Name, r.Action.Block.CustomResponse["ResponseCode"], got, want)
				}
			}
		})
	}
}

func TestFailsCorsItCannotAnswer(t *testing.T) {
	st := awscdk.NewStack(cdktest.NewApp(false), jsii.String("FailsCors"), nil)
	for _, tc := range []struct {
		cors *awsapigateway.CorsOptions
		want string
	}{
		{&awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com/")}, `Cors.AllowOrigins[0] is "https://app.example.com/"; allowed: an exact origin`},
		{&awsapigateway.CorsOptions{AllowOrigins: jsii.Strings()}, "Cors.AllowOrigins is empty"},
		{&awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://a.example.com", "https://b.example.com"), AllowCredentials: jsii.Bool(true)},
			`Cors.AllowCredentials is true with AllowOrigins ["https://a.example.com" "https://b.example.com"]; allowed: one exact origin`},
		{&awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com"), MaxAge: awscdk.Duration_Minutes(jsii.Number(5))},
			"Cors.MaxAge is set; allowed: unset: the web ACL's 413 names the origins that may read it"},
	} {
		msg := cdktest.PanicMessage(t, func() {
			wafsize.NewSizeLimitedWebAcl(st, jsii.String("Acl"), &wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(4)), Cors: tc.cors})
		})
		if !strings.Contains(msg, tc.want) || !strings.Contains(msg, "Fix:") {
			t.Errorf("message lacks %q:\n%s", tc.want, msg)
		}
	}
}
