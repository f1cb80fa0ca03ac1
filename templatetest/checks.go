package templatetest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/streamgate/streamgate/internal/assembly"
)

// CheckStreamingRoutes checks every method of template whose integration
// streams (ResponseTransferMode STREAM) and fails t (t.Errorf) for each
// problem: it wants a proxy integration (AWS_PROXY or HTTP_PROXY), the
// Lambda response-streaming URI
// (2021-11-15/.../response-streaming-invocations), a timeout of 50 ms to 15
// minutes, no response templates, no stage cache or compression on its API.
// An EDGE endpoint is logged as a warning (its 30 s idle timeout cuts slow
// streams). It returns the number of streaming methods it checked, so that
// a test can fail on zero too.
func CheckStreamingRoutes(t testing.TB, template map[string]any) int {
	t.Helper()
	res := resources(template)
	n := 0
	for id, r := range res {
		if r.Type != "AWS::ApiGateway::Method" {
			continue
		}
		integ, _ := r.Properties["Integration"].(map[string]any)
		if integ["ResponseTransferMode"] != "STREAM" {
			continue
		}
		n++
		switch typ := integ["Type"]; typ {
		case "AWS_PROXY":
			uri := compact(integ["Uri"])
			if strings.Contains(uri, ":lambda:path/") && (!strings.Contains(uri, "2021-11-15/functions/") || !strings.Contains(uri, "/response-streaming-invocations")) {
				t.Errorf("%s: streams with the Lambda URI %s; want .../2021-11-15/functions/{arn}/response-streaming-invocations", id, uri)
			}
		case "HTTP_PROXY":
		default:
			t.Errorf("%s: streams with a %v integration; only AWS_PROXY and HTTP_PROXY can stream", id, typ)
		}
		if ms, ok := integ["TimeoutInMillis"].(float64); ok && (ms < 50 || ms > 900000) {
			t.Errorf("%s: TimeoutInMillis %v is outside 50..900000", id, ms)
		}
		if strings.Contains(compact(integ["IntegrationResponses"]), "ResponseTemplates") {
			t.Errorf("%s: response templates on a streaming integration (API Gateway cannot transform a stream)", id)
		}
		api := assembly.Ref(r.Properties["RestApiId"])
		if a, ok := res[api]; ok {
			if _, set := a.Properties["MinimumCompressionSize"]; set {
				t.Errorf("%s: API %s compresses responses (MinimumCompressionSize); streams cannot be content-encoded", id, api)
			}
			if strings.Contains(compact(a.Properties["EndpointConfiguration"]), "EDGE") || a.Properties["EndpointConfiguration"] == nil {
				t.Logf("warning: %s: API %s has an EDGE endpoint, whose 30 s idle timeout cuts slow streams; prefer REGIONAL", id, api)
			}
		}
		for sid, s := range res {
			if s.Type == "AWS::ApiGateway::Stage" && assembly.Ref(s.Properties["RestApiId"]) == api {
				if s.Properties["CacheClusterEnabled"] == true || strings.Contains(compact(s.Properties["MethodSettings"]), `"CachingEnabled":true`) {
					t.Errorf("%s: stage %s caches responses; streamed responses cannot be cached", id, sid)
				}
			}
		}
	}
	return n
}

// CheckUploadSizeLimits checks that no upload path of template bypasses a
// size limit, and fails t (t.Errorf) for each that does: every stage of an
// API with a method that takes a body (POST, PUT, PATCH, ANY) must be
// guarded by a web ACL with a size rule, and every presign handler
// (UPLOAD_MAX_SIZE) must have a positive limit. It returns the number of
// stages and handlers it checked.
func CheckUploadSizeLimits(t testing.TB, template map[string]any) int {
	t.Helper()
	res := resources(template)
	bodyAPIs := map[string]bool{}
	for _, r := range res {
		if r.Type == "AWS::ApiGateway::Method" {
			switch r.Properties["HttpMethod"] {
			case "POST", "PUT", "PATCH", "ANY":
				bodyAPIs[assembly.Ref(r.Properties["RestApiId"])] = true
			}
		}
	}
	sizeACLs := map[string]bool{}
	for id, r := range res {
		if r.Type == "AWS::WAFv2::WebACL" && strings.Contains(compact(r.Properties["Rules"]), "SizeConstraintStatement") {
			sizeACLs[id] = true
		}
	}
	n := 0
	for sid, s := range res {
		api := assembly.Ref(s.Properties["RestApiId"])
		if s.Type != "AWS::ApiGateway::Stage" || !bodyAPIs[api] {
			continue
		}
		n++
		guarded := false
		for _, a := range res {
			if a.Type != "AWS::WAFv2::WebACLAssociation" {
				continue
			}
			arn := compact(a.Properties["ResourceArn"])
			acl := assembly.GetAtt(a.Properties["WebACLArn"])
			if strings.Contains(arn, `{"Ref":"`+api+`"}`) && strings.Contains(arn, `{"Ref":"`+sid+`"}`) && sizeACLs[acl] {
				guarded = true
			}
		}
		if !guarded {
			t.Errorf("stage %s of API %s takes request bodies but no web ACL with a size rule guards it", sid, api)
		}
	}
	for id, r := range res {
		if r.Type != "AWS::Lambda::Function" {
			continue
		}
		env, _ := r.Properties["Environment"].(map[string]any)
		vars, _ := env["Variables"].(map[string]any)
		if v, ok := vars["UPLOAD_MAX_SIZE"]; ok {
			n++
			if s, _ := v.(string); s == "" || s == "0" || strings.HasPrefix(s, "-") {
				t.Errorf("presign handler %s: UPLOAD_MAX_SIZE %v is not a positive limit", id, v)
			}
		}
	}
	return n
}

type resource struct {
	Type       string
	Properties map[string]any
}

func resources(template map[string]any) map[string]resource {
	out := map[string]resource{}
	rs, _ := template["Resources"].(map[string]any)
	for id, r := range rs {
		m, _ := r.(map[string]any)
		typ, _ := m["Type"].(string)
		props, _ := m["Properties"].(map[string]any)
		out[id] = resource{Type: typ, Properties: props}
	}
	return out
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
