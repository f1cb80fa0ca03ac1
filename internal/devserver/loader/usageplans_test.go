package loader

import (
	"strings"
	"testing"

	"github.com/streamgate/streamgate/internal/assemblytest"
)

// TestLoadUsagePlans reads API keys, usage plans and usage plan keys as
// aws-cdk's ApiKey, UsagePlan and addApiKey write them.
func TestLoadUsagePlans(t *testing.T) {
	dir, write := assemblytest.OneStack(t, "S")
	ref := func(id string) map[string]any { return map[string]any{"Ref": id} }
	planKey := func(plan, key string) map[string]any {
		return map[string]any{"Type": "AWS::ApiGateway::UsagePlanKey", "Properties": map[string]any{"KeyId": ref(key), "KeyType": "API_KEY", "UsagePlanId": ref(plan)}}
	}
	write("S.template.json", map[string]any{"Resources": map[string]any{
		"Api":   map[string]any{"Type": "AWS::ApiGateway::RestApi", "Properties": map[string]any{}},
		"Stage": map[string]any{"Type": "AWS::ApiGateway::Stage", "Properties": map[string]any{"RestApiId": ref("Api"), "StageName": "v1"}},
		"Literal": map[string]any{"Type": "AWS::ApiGateway::ApiKey", "Properties": map[string]any{"Enabled": true, "Value": "literal-value-0123456789",
			"Name": "partner"}},
		"Generated": map[string]any{"Type": "AWS::ApiGateway::ApiKey", "Properties": map[string]any{"Enabled": true}},
		"Computed": map[string]any{"Type": "AWS::ApiGateway::ApiKey", "Properties": map[string]any{
			"Value": map[string]any{"Fn::Join": []any{"", []any{"k-", ref("AWS::StackName")}}}}},
		"Plan": map[string]any{"Type": "AWS::ApiGateway::UsagePlan", "Properties": map[string]any{
			"UsagePlanName": "gold",
			"ApiStages": []any{map[string]any{"ApiId": ref("Api"), "Stage": ref("Stage"),
				"Throttle": map[string]any{"/files/GET": map[string]any{"BurstLimit": 10, "RateLimit": 5}}}},
			"Quota":    map[string]any{"Limit": 1000, "Offset": 1, "Period": "WEEK"},
			"Throttle": map[string]any{"BurstLimit": 200, "RateLimit": 100.5}}},
		"WrongStage": map[string]any{"Type": "AWS::ApiGateway::UsagePlan", "Properties": map[string]any{
			"ApiStages": []any{map[string]any{"ApiId": ref("Api"), "Stage": "prod"}},
			"Quota":     map[string]any{"Limit": 5, "Period": "YEAR"}}},
		"PlanLiteral":   planKey("Plan", "Literal"),
		"PlanGenerated": planKey("Plan", "Generated"),
		"PlanComputed":  planKey("Plan", "Computed"),
		"Dangling":      planKey("Plan", "Elsewhere"),
	}})
	a, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(a.Unsupported, "\n")
	if len(a.APIs) != 1 || len(a.APIs[0].UsagePlans) != 1 {
		t.Fatalf("usage plans: %+v\n%s", a.APIs, notes)
	}
	p := a.APIs[0].UsagePlans[0]
	if p.LogicalID != "Plan" || p.Name != "gold" || p.ThrottleRate != 100.5 || p.ThrottleBurst != 200 || p.Quota != 1000 || p.QuotaPeriod != "WEEK" || p.QuotaOffset != 1 {
		t.Errorf("plan %+v", p)
	}
	if len(p.Stages) != 1 || p.Stages[0].API != a.APIs[0] || p.Stages[0].Methods["/files/GET"] != (Throttle{Rate: 5, Burst: 10}) {
		t.Errorf("plan stages %+v", p.Stages)
	}
	var keys []string
	for _, k := range p.Keys {
		keys = append(keys, k.LogicalID+"="+k.Value+"/"+map[bool]string{true: "on", false: "off"}[k.Enabled])
	}
	if got := strings.Join(keys, " "); got != "Computed=/off Generated=/on Literal=literal-value-0123456789/on" {
		t.Errorf("keys %s", got)
	}
	for _, want := range []string{
		`S/Computed: API key whose Value is not a literal ({"Fn::Join":`,
		`S/WrongStage: usage plan stage "prod" of Api, which is served as stage "v1": not applied`,
		`S/WrongStage: quota period "YEAR" is not DAY, WEEK or MONTH`,
		`S/Dangling: usage plan key whose plan or key is not in this stack`,
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notices lack %q:\n%s", want, notes)
		}
	}
	if strings.Contains(notes, "API keys and usage plans are not checked locally") {
		t.Errorf("usage plans are emulated now:\n%s", notes)
	}
}
