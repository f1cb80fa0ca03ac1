package loader

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/streamgate/streamgate/internal/assemblytest"
)

// loadACLTemplate loads an API whose stage has the web ACL with rules.
func loadACLTemplate(t *testing.T, acl map[string]any) (*Assembly, error) {
	t.Helper()
	return Load(assemblytest.Template(t, "S", map[string]any{
		"Api":   map[string]any{"Type": "AWS::ApiGateway::RestApi", "Properties": map[string]any{}},
		"Stage": map[string]any{"Type": "AWS::ApiGateway::Stage", "Properties": map[string]any{"RestApiId": map[string]any{"Ref": "Api"}, "StageName": "v1"}},
		"Acl":   map[string]any{"Type": "AWS::WAFv2::WebACL", "Properties": acl},
		"Assoc": map[string]any{"Type": "AWS::WAFv2::WebACLAssociation", "Properties": map[string]any{
			"ResourceArn": map[string]any{"Fn::Join": []any{"", []any{"arn:aws:apigateway:us-east-1::/restapis/", map[string]any{"Ref": "Api"}, "/stages/", map[string]any{"Ref": "Stage"}}}},
			"WebACLArn":   map[string]any{"Fn::GetAtt": []any{"Acl", "Arn"}}}},
	}))
}

func TestWebACLFailsOnMalformedRulesNamingThem(t *testing.T) {
	body := map[string]any{"Body": map[string]any{}}
	none := []any{map[string]any{"Priority": 0, "Type": "NONE"}}
	rule := func(st any) map[string]any {
		return map[string]any{"DefaultAction": map[string]any{"Allow": map[string]any{}}, "Rules": []any{
			map[string]any{"Name": "Bad", "Priority": 0, "Action": map[string]any{"Block": map[string]any{}}, "Statement": st}}}
	}
	for _, tc := range []struct {
		name string
		acl  map[string]any
		want string
	}{
		{"fails on a regex that does not compile", rule(map[string]any{"RegexMatchStatement": map[string]any{"RegexString": "(", "FieldToMatch": body, "TextTransformations": none}}),
			`S/Acl: WAF web ACL, rule "Bad": RegexMatchStatement RegexString "(" does not compile`},
		{"fails on an unknown comparison", rule(map[string]any{"SizeConstraintStatement": map[string]any{"ComparisonOperator": "BIGGER", "Size": 1, "FieldToMatch": body, "TextTransformations": none}}),
			`rule "Bad": SizeConstraintStatement ComparisonOperator "BIGGER"; allowed: EQ, NE, LE, LT, GE, GT`},
		{"fails on a statement of two kinds", rule(map[string]any{"GeoMatchStatement": map[string]any{}, "NotStatement": map[string]any{}}),
			`rule "Bad": a Statement must hold exactly one statement, got [GeoMatchStatement NotStatement]`},
		{"fails on a statement that is not an object", rule("GeoMatchStatement"), `rule "Bad": a Statement must hold exactly one statement, got string`},
		{"fails on a rate limit below 10", rule(map[string]any{"RateBasedStatement": map[string]any{"Limit": 5, "AggregateKeyType": "IP"}}),
			`rule "Bad": RateBasedStatement Limit 5; allowed: 10 to 2,000,000,000`},
		{"fails on an evaluation window WAF does not offer", rule(map[string]any{"RateBasedStatement": map[string]any{"Limit": 100, "AggregateKeyType": "IP", "EvaluationWindowSec": 30}}),
			`EvaluationWindowSec 30; allowed: 60, 120, 300, 600`},
		{"fails on an unknown transformation", rule(map[string]any{"ByteMatchStatement": map[string]any{"SearchString": "a", "PositionalConstraint": "CONTAINS", "FieldToMatch": body,
			"TextTransformations": []any{map[string]any{"Priority": 0, "Type": "ROT13"}}}}), `text transformation "ROT13" is not one WAF has`},
		{"fails on an unknown oversize handling", rule(map[string]any{"SizeConstraintStatement": map[string]any{"ComparisonOperator": "GT", "Size": 1,
			"FieldToMatch": map[string]any{"Body": map[string]any{"OversizeHandling": "DROP"}}, "TextTransformations": none}}), `Body OversizeHandling "DROP"`},
		{"fails on a custom response body key the ACL lacks", map[string]any{"DefaultAction": map[string]any{"Allow": map[string]any{}}, "Rules": []any{
			map[string]any{"Name": "Bad", "Priority": 0, "Action": map[string]any{"Block": map[string]any{"CustomResponse": map[string]any{"ResponseCode": 413, "CustomResponseBodyKey": "nope"}}},
				"Statement": map[string]any{"GeoMatchStatement": map[string]any{"CountryCodes": []any{"US"}}}}}},
			`rule "Bad": action: CustomResponseBodyKey "nope" is not one of the ACL's CustomResponseBodies`},
		{"fails on two rules with one priority", map[string]any{"DefaultAction": map[string]any{"Allow": map[string]any{}}, "Rules": []any{
			map[string]any{"Name": "A", "Priority": 1, "Action": map[string]any{"Count": map[string]any{}}, "Statement": map[string]any{"GeoMatchStatement": map[string]any{"CountryCodes": []any{"US"}}}},
			map[string]any{"Name": "B", "Priority": 1, "Action": map[string]any{"Count": map[string]any{}}, "Statement": map[string]any{"GeoMatchStatement": map[string]any{"CountryCodes": []any{"US"}}}}}},
			`rules "A" and "B" have the same Priority 1`},
		{"fails on a rule without an action", map[string]any{"DefaultAction": map[string]any{"Allow": map[string]any{}}, "Rules": []any{
			map[string]any{"Name": "Bad", "Priority": 0, "Statement": map[string]any{"GeoMatchStatement": map[string]any{"CountryCodes": []any{"US"}}}}}},
			`rule "Bad": neither Action nor OverrideAction`},
		{"fails on a default action WAF has not", map[string]any{"DefaultAction": map[string]any{"Count": map[string]any{}}}, `DefaultAction COUNT; allowed: Allow or Block`},
		{"fails on an inspection limit WAF does not offer", map[string]any{"DefaultAction": map[string]any{"Allow": map[string]any{}},
			"AssociationConfig": map[string]any{"RequestBody": map[string]any{"API_GATEWAY": map[string]any{"DefaultSizeInspectionLimit": "KB_128"}}}},
			`DefaultSizeInspectionLimit KB_128; allowed: KB_16, KB_32, KB_48, KB_64`},
		{"fails on a rule that is not an object", map[string]any{"DefaultAction": map[string]any{"Allow": map[string]any{}}, "Rules": []any{"Bad"}}, `Rules[0] is not an object`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadACLTemplate(t, tc.acl)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestWebACLListsWhatItDoesNotEvaluate(t *testing.T) {
	a, err := loadACLTemplate(t, map[string]any{"DefaultAction": map[string]any{"Allow": map[string]any{}}, "Rules": []any{
		map[string]any{"Name": "Json", "Priority": 0, "Action": map[string]any{"Block": map[string]any{}}, "Statement": map[string]any{"ByteMatchStatement": map[string]any{
			"SearchString": "a", "PositionalConstraint": "CONTAINS", "FieldToMatch": map[string]any{"JsonBody": map[string]any{}},
			"TextTransformations": []any{map[string]any{"Priority": 0, "Type": "NONE"}}}}},
		map[string]any{"Name": "Sqli", "Priority": 1, "Action": map[string]any{"Block": map[string]any{}}, "Statement": map[string]any{"SqliMatchStatement": map[string]any{}}},
		map[string]any{"Name": "ForeignSet", "Priority": 2, "Action": map[string]any{"Block": map[string]any{}},
			"Statement": map[string]any{"IPSetReferenceStatement": map[string]any{"Arn": "arn:aws:wafv2:us-east-1:1:regional/ipset/x/y"}}},
		map[string]any{"Name": "Group", "Priority": 3, "OverrideAction": map[string]any{"Count": map[string]any{}},
			"Statement": map[string]any{"RuleGroupReferenceStatement": map[string]any{"Arn": "arn:aws:wafv2:us-east-1:1:regional/rulegroup/x/y"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(a.Unsupported, "\n")
	for _, want := range []string{"S/Acl: WAF web ACL on S/Api stage v1: evaluated locally before the guards (body inspection limit 16 KB, default action ALLOW): rules none; NOT evaluated: ",
		"Json (ByteMatchStatement of JsonBody: not evaluated locally, matches nothing)", "Sqli (SqliMatchStatement: not evaluated locally, matches nothing)",
		"ForeignSet (IP set arn:aws:wafv2:us-east-1:1:regional/ipset/x/y is not in this template)",
		"Group (rule group arn:aws:wafv2:us-east-1:1:regional/rulegroup/x/y: not evaluated locally, matches nothing)"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notices lack %q:\n%s", want, notes)
		}
	}
	if api := a.APIs[0]; !api.WebACL || api.WAF == nil || len(api.WAF.Rules) != 4 {
		t.Errorf("API: %+v", api)
	}
}

// FuzzLoadWebACL: whatever a template's web ACL holds, loading it returns
// an ACL or an error, never panics.
func FuzzLoadWebACL(f *testing.F) {
	f.Add(`{"DefaultAction":{"Allow":{}},"Rules":[{"Name":"R","Priority":0,"Action":{"Block":{}},"Statement":{"SizeConstraintStatement":{"ComparisonOperator":"GT","Size":1,"FieldToMatch":{"Body":{"OversizeHandling":"MATCH"}},"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}}]}`)
	f.Add(`{"DefaultAction":{"Block":{"CustomResponse":{"ResponseCode":"x"}}},"Rules":[{"Statement":{"AndStatement":{"Statements":[{},{"NotStatement":{"Statement":null}}]}}}]}`)
	f.Add(`{"DefaultAction":{"Allow":{}},"Rules":[{"Name":"R","Priority":0,"Action":{"Count":{}},"Statement":{"RateBasedStatement":{"Limit":10,"AggregateKeyType":"FORWARDED_IP","ForwardedIPConfig":{},"ScopeDownStatement":{"LabelMatchStatement":{"Scope":"LABEL"}}}}}]}`)
	f.Fuzz(func(t *testing.T, props string) {
		var p map[string]any
		if json.Unmarshal([]byte(props), &p) != nil {
			return
		}
		res := map[string]cfnResource{"Acl": {Type: "AWS::WAFv2::WebACL", Properties: p}}
		acl, err := loadWebACL("S", "Acl", res)
		if err == nil && (acl == nil || acl.DefaultAction == nil) {
			t.Fatalf("no error and no usable ACL for %s", props)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "S/Acl: WAF web ACL") {
			t.Fatalf("error does not name the ACL: %v", err)
		}
	})
}
