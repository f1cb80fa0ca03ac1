package templatetest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// recorder collects what a check reports, so that the checks' failures can
// be tested.
type recorder struct {
	testing.TB
	errors, logs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, a ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, a...))
}
func (r *recorder) Logf(format string, a ...any) { r.logs = append(r.logs, fmt.Sprintf(format, a...)) }

func decode(t *testing.T, s string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestStreamingRoutesWiredReportsMistakes(t *testing.T) {
	tmpl := decode(t, `{"Resources":{
		"Api":{"Type":"AWS::ApiGateway::RestApi","Properties":{"MinimumCompressionSize":0}},
		"Stage":{"Type":"AWS::ApiGateway::Stage","Properties":{"RestApiId":{"Ref":"Api"},"CacheClusterEnabled":true}},
		"OldUri":{"Type":"AWS::ApiGateway::Method","Properties":{"RestApiId":{"Ref":"Api"},"Integration":{"Type":"AWS_PROXY","ResponseTransferMode":"STREAM",
			"TimeoutInMillis":960000,"Uri":"arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn/invocations"}}},
		"Mock":{"Type":"AWS::ApiGateway::Method","Properties":{"RestApiId":{"Ref":"Api"},"Integration":{"Type":"AWS","ResponseTransferMode":"STREAM",
			"IntegrationResponses":[{"StatusCode":"200","ResponseTemplates":{"application/json":"{}"}}]}}},
		"Buffered":{"Type":"AWS::ApiGateway::Method","Properties":{"Integration":{"Type":"AWS","ResponseTransferMode":"BUFFERED"}}}
	}}`)
	r := &recorder{}
	if n := CheckStreamingRoutes(r, tmpl); n != 2 {
		t.Errorf("checked %d methods, want the 2 streaming ones", n)
	}
	all := strings.Join(r.errors, "\n")
	for _, want := range []string{"OldUri: streams with the Lambda URI", "OldUri: TimeoutInMillis 960000", "Mock: streams with a AWS integration",
		"Mock: response templates", "compresses responses", "caches responses"} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in:\n%s", want, all)
		}
	}
	if !strings.Contains(strings.Join(r.logs, "\n"), "EDGE") {
		t.Errorf("no EDGE warning: %v", r.logs)
	}
}

func TestUploadSizeLimitedReportsUnguardedStages(t *testing.T) {
	tmpl := decode(t, `{"Resources":{
		"Api":{"Type":"AWS::ApiGateway::RestApi","Properties":{}},
		"Stage":{"Type":"AWS::ApiGateway::Stage","Properties":{"RestApiId":{"Ref":"Api"}}},
		"Put":{"Type":"AWS::ApiGateway::Method","Properties":{"HttpMethod":"PUT","RestApiId":{"Ref":"Api"}}},
		"Acl":{"Type":"AWS::WAFv2::WebACL","Properties":{"Rules":[{"Name":"RateOnly","Statement":{"RateBasedStatement":{}}}]}},
		"Assoc":{"Type":"AWS::WAFv2::WebACLAssociation","Properties":{"WebACLArn":{"Fn::GetAtt":["Acl","Arn"]},
			"ResourceArn":{"Fn::Join":["",["arn:",{"Ref":"Api"},"/stages/",{"Ref":"Stage"}]]}}},
		"Presign":{"Type":"AWS::Lambda::Function","Properties":{"Environment":{"Variables":{"UPLOAD_MAX_SIZE":"0"}}}}
	}}`)
	r := &recorder{}
	if n := CheckUploadSizeLimits(r, tmpl); n != 2 {
		t.Errorf("checked %d, want 2", n)
	}
	all := strings.Join(r.errors, "\n")
	for _, want := range []string{"stage Stage of API Api takes request bodies but no web ACL with a size rule guards it", "presign handler Presign: UPLOAD_MAX_SIZE 0"} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in:\n%s", want, all)
		}
	}
}
