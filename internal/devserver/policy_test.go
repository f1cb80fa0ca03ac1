package devserver

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

const testARN = "arn:aws:execute-api:us-east-1:000000000000:abc123defg/prod/GET/items/42"

func TestPolicyEvaluation(t *testing.T) {
	allow := func(resources ...string) policyStatement {
		return policyStatement{Effect: "Allow", Action: []string{"execute-api:Invoke"}, Resource: resources}
	}
	deny := func(resources ...string) policyStatement {
		return policyStatement{Effect: "Deny", Action: []string{"execute-api:Invoke"}, Resource: resources}
	}
	for _, tc := range []struct {
		name       string
		statements []policyStatement
		want       policyDecision
		statement  int
	}{
		{"exact Allow", []policyStatement{allow(testARN)}, allowed, 0},
		{"no statement", nil, implicitDeny, -1},
		{"Allow of another method", []policyStatement{allow(strings.Replace(testARN, "GET", "POST", 1))}, implicitDeny, -1},
		{"Allow of another path", []policyStatement{allow(testARN + "/sub")}, implicitDeny, -1},
		{"Allow of a prefix without wildcard", []policyStatement{allow(strings.TrimSuffix(testARN, "42"))}, implicitDeny, -1},
		{"Allow *", []policyStatement{allow("*")}, allowed, 0},
		{"Allow every method and path of the stage", []policyStatement{allow("arn:aws:execute-api:us-east-1:000000000000:abc123defg/prod/*")}, allowed, 0},
		{"* for the method, literal path", []policyStatement{allow("arn:aws:execute-api:us-east-1:000000000000:abc123defg/prod/*/items/42")}, allowed, 0},
		{"* spans slashes (/GET/items/* also covers deeper paths)", []policyStatement{allow("arn:aws:execute-api:us-east-1:000000000000:abc123defg/prod/GET/*")}, allowed, 0},
		{"* for region, account and API", []policyStatement{allow("arn:aws:execute-api:*:*:*/prod/GET/items/42")}, allowed, 0},
		{"? one character", []policyStatement{allow("arn:aws:execute-api:us-east-1:000000000000:abc123defg/prod/GET/items/4?")}, allowed, 0},
		{"? is exactly one character", []policyStatement{allow("arn:aws:execute-api:us-east-1:000000000000:abc123defg/prod/GET/items/?")}, implicitDeny, -1},
		{"resources are case-sensitive", []policyStatement{allow(strings.Replace(testARN, "items", "Items", 1))}, implicitDeny, -1},
		{"a Resource list", []policyStatement{allow("arn:aws:execute-api:*:*:*/prod/POST/items", testARN)}, allowed, 0},
		{"explicit Deny", []policyStatement{deny(testARN)}, explicitDeny, 0},
		{"Deny beats an earlier Allow", []policyStatement{allow("*"), deny("arn:aws:execute-api:*:*:*/*/GET/items/*")}, explicitDeny, 1},
		{"Deny beats a later Allow", []policyStatement{deny(testARN), allow(testARN)}, explicitDeny, 0},
		{"Deny of another path leaves the Allow", []policyStatement{allow("*"), deny("arn:aws:execute-api:*:*:*/*/POST/*")}, allowed, 0},
		{"Action execute-api:*", []policyStatement{{Effect: "Allow", Action: []string{"execute-api:*"}, Resource: []string{"*"}}}, allowed, 0},
		{"Action *", []policyStatement{{Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"}}}, allowed, 0},
		{"actions match without case", []policyStatement{{Effect: "Allow", Action: []string{"Execute-API:invoke"}, Resource: []string{"*"}}}, allowed, 0},
		{"another action does not allow", []policyStatement{{Effect: "Allow", Action: []string{"execute-api:ManageConnections"}, Resource: []string{"*"}}}, implicitDeny, -1},
		{"an Action list", []policyStatement{{Effect: "Allow", Action: []string{"s3:GetObject", "execute-api:Invoke"}, Resource: []string{"*"}}}, allowed, 0},
		{"a Condition is skipped", []policyStatement{{Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"}, Unsupported: "Condition"}}, implicitDeny, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, i, _ := evaluate(tc.statements, testARN)
			if got != tc.want || i != tc.statement {
				t.Errorf("decision %d by statement %d; want %d by %d", got, i, tc.want, tc.statement)
			}
		})
	}
}

func TestParseAuthorizerOutput(t *testing.T) {
	const policy = `"policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]}`
	for _, tc := range []struct {
		name, answer string
		want         *authorizerOutput // nil: invalid
	}{
		{"the output page's example, context stringified", `{"principalId":"yyyyyyyy",` + policy +
			`,"context":{"stringKey":"value","numberKey":1,"booleanKey":true,"big":1.5e3,"null":null},"usageIdentifierKey":"key-1"}`,
			&authorizerOutput{PrincipalID: "yyyyyyyy", Statements: []policyStatement{{Effect: "Allow", Action: []string{"execute-api:Invoke"}, Resource: []string{"*"}}},
				Context: map[string]any{"stringKey": "value", "numberKey": "1", "booleanKey": "true", "big": "1.5e3", "null": nil}, UsageIdentifierKey: "key-1"}},
		{"aws-lambda-go's lists and a single statement object", `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":{"Action":["execute-api:Invoke"],"Effect":"Deny","Resource":["a","b"]}}}`,
			&authorizerOutput{PrincipalID: "u", Statements: []policyStatement{{Effect: "Deny", Action: []string{"execute-api:Invoke"}, Resource: []string{"a", "b"}}}}},
		{"an empty principalId", `{"principalId":"",` + policy + `}`,
			&authorizerOutput{Statements: []policyStatement{{Effect: "Allow", Action: []string{"execute-api:Invoke"}, Resource: []string{"*"}}}}},
		{"a Condition is kept, marked", `{"principalId":"u","policyDocument":{"Statement":[{"Action":"*","Effect":"Allow","Resource":"*","Condition":{"IpAddress":{}}}]}}`,
			&authorizerOutput{PrincipalID: "u", Statements: []policyStatement{{Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"}, Unsupported: "Condition"}}}},
		{"a context object", `{"principalId":"u",` + policy + `,"context":{"user":{"id":3}}}`, nil},
		{"a context array", `{"principalId":"u",` + policy + `,"context":{"roles":["a"]}}`, nil},
		{"no principalId", `{` + policy + `}`, nil},
		{"a numeric principalId", `{"principalId":7,` + policy + `}`, nil},
		{"no policyDocument", `{"principalId":"u"}`, nil},
		{"a null policyDocument", `{"principalId":"u","policyDocument":null}`, nil},
		{"an Effect misspelled", `{"principalId":"u","policyDocument":{"Statement":[{"Action":"*","Effect":"allow","Resource":"*"}]}}`, nil},
		{"no Resource", `{"principalId":"u","policyDocument":{"Statement":[{"Action":"*","Effect":"Allow"}]}}`, nil},
		{"an empty Resource list", `{"principalId":"u","policyDocument":{"Statement":[{"Action":"*","Effect":"Allow","Resource":[]}]}}`, nil},
		{"a proxy response instead", `{"statusCode":401,"body":"no"}`, nil},
		{"null", `null`, nil},
		{"not JSON", `Unauthorized`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseAuthorizerOutput([]byte(tc.answer))
			if tc.want == nil {
				if err == nil || !errors.Is(err, errAuthorizerOutput) {
					t.Fatalf("accepted, or another error: %+v, %v", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("mismatch (-want +got):\n- %+v\n+ %+v", tc.want, got)
			}
		})
	}
}

func TestParseIdentitySources(t *testing.T) {
	got, errs := parseIdentitySources("method.request.header.Authorization, method.request.querystring.QueryString1,stageVariables.StageVar1 ," +
		"context.httpMethod,method.request.multivalueheader.X-Multi,method.request.multivaluequerystring.tag,method.request.path.id,,bogus,method.request.header.")
	want := []identitySource{
		{"method.request.header.Authorization", "header", "Authorization"},
		{"method.request.querystring.QueryString1", "querystring", "QueryString1"},
		{"stageVariables.StageVar1", "stageVariables", "StageVar1"},
		{"context.httpMethod", "context", "httpMethod"},
		{"method.request.multivalueheader.X-Multi", "multivalueheader", "X-Multi"},
		{"method.request.multivaluequerystring.tag", "multivaluequerystring", "tag"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sources mismatch (-want +got):\n- %+v\n+ %+v", want, got)
	}
	// Path parameters cannot be identity sources (the input page's note).
	if len(errs) != 3 || !strings.Contains(errs[0].Error(), "method.request.path.id") || !strings.Contains(errs[1].Error(), "bogus") {
		t.Errorf("errors: %v", errs)
	}
}

// globRegexp is wildcardMatch's specification as a regular expression.
func globRegexp(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}

// FuzzIdentitySources: a template's IdentitySource never panics the
// parser, and every source it keeps has a kind and a name.
func FuzzIdentitySources(f *testing.F) {
	f.Add("method.request.header.Authorization")
	f.Add("method.request.header.A,  stageVariables.s,context.,method.request.querystring.q")
	f.Add(",,method.request.path.id,bogus,method.request.multivaluequerystring.t")
	f.Fuzz(func(t *testing.T, sources string) {
		got, _ := parseIdentitySources(sources)
		for _, s := range got {
			if s.Kind == "" || s.Name == "" || !strings.Contains(sources, s.Expr) {
				t.Fatalf("source %+v from %q", s, sources)
			}
		}
	})
}

// FuzzAuthorizerOutput: whatever an authorizer function answers, the parser
// does not panic; an answer it accepts has no object or array left in its
// context, and its policy decides one method ARN the same way twice.
func FuzzAuthorizerOutput(f *testing.F) {
	f.Add(`{"principalId":"u","policyDocument":{"Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:*/prod/GET/*"}]},"context":{"n":1}}`, testARN)
	f.Add(`{"principalId":"u","policyDocument":{"Statement":{"Action":["*"],"Effect":"Deny","Resource":["?","*"]}}}`, "a")
	f.Add(`{"principalId":"u","policyDocument":{"Statement":[]},"context":{"a":[1],"b":{}}}`, "")
	f.Add(`{"principalId":null}`, "arn:aws:execute-api:x:y:z/prod/GET/\u00e9")
	f.Add(`"Unauthorized"`, testARN)
	f.Fuzz(func(t *testing.T, answer, arn string) {
		out, err := parseAuthorizerOutput([]byte(answer))
		if err != nil {
			return
		}
		for k, v := range out.Context {
			if _, ok := v.(string); !ok && v != nil {
				t.Fatalf("context %q is %T", k, v)
			}
		}
		d1, i1, _ := evaluate(out.Statements, arn)
		d2, i2, _ := evaluate(out.Statements, arn)
		if d1 != d2 || i1 != i2 {
			t.Fatalf("two decisions for one policy: %d/%d, %d/%d", d1, i1, d2, i2)
		}
	})
}

// FuzzWildcardMatch: the policy's resource matcher agrees with its
// specification as a regular expression.
func FuzzWildcardMatch(f *testing.F) {
	f.Add("arn:*/prod/GET/*", testARN)
	f.Add("**a*b?", "xxaxxbz")
	f.Add("*\u00e9", "arn:aws:execute-api:x:y:z/prod/GET/\u00e9")
	f.Add("?", "")
	f.Fuzz(func(t *testing.T, pattern, arn string) {
		if len(pattern) > 200 || len(arn) > 400 {
			return // the regexp oracle's cost, not the matcher's
		}
		if !utf8.ValidString(pattern) || !utf8.ValidString(arn) {
			return // the oracle reads runes (a stray byte is U+FFFD), the matcher bytes
		}
		if got, want := wildcardMatch(pattern, arn), globRegexp(pattern).MatchString(arn); got != want {
			t.Fatalf("wildcardMatch(%q, %q) = %v; the pattern as a regexp says %v", pattern, arn, got, want)
		}
	})
}
