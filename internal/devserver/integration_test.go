package devserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamgate/streamgate/internal/assemblytest"
	"github.com/streamgate/streamgate/internal/corsvtl"
	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/internal/s3server"
)

func apiResources(api string) map[string]any {
	return map[string]any{
		api:     map[string]any{"Type": "AWS::ApiGateway::RestApi", "Properties": map[string]any{"Name": "uploads"}},
		"Stage": map[string]any{"Type": "AWS::ApiGateway::Stage", "Properties": map[string]any{"RestApiId": map[string]any{"Ref": api}, "StageName": "v1"}},
	}
}

func resource(api, id, parent, part string) map[string]any {
	p := any(map[string]any{"Fn::GetAtt": []string{api, "RootResourceId"}})
	if parent != "" {
		p = map[string]any{"Ref": parent}
	}
	return map[string]any{"Type": "AWS::ApiGateway::Resource", "Properties": map[string]any{"RestApiId": map[string]any{"Ref": api}, "ParentId": p, "PathPart": part}}
}

func method(api, res, verb string, integration map[string]any) map[string]any {
	return map[string]any{"Type": "AWS::ApiGateway::Method", "Properties": map[string]any{"RestApiId": map[string]any{"Ref": api},
		"ResourceId": map[string]any{"Ref": res}, "HttpMethod": verb, "AuthorizationType": "NONE", "Integration": integration}}
}

// directUploadAssembly is PresignedUploadApi's DirectUpload route as
// constructs/uploads synthesizes it (testdata/directupload/method.json,
// taken from test/testdata/upload-demo.golden.json), with its bucket, and
// the same integration into a bucket that does not exist.
func directUploadAssembly(t *testing.T) string {
	b, err := os.ReadFile("testdata/directupload/method.json")
	if err != nil {
		t.Fatal(err)
	}
	var put map[string]any
	if err := json.Unmarshal(b, &put); err != nil {
		t.Fatal(err)
	}
	const api = "UploadsApi3F3FF827"
	res := apiResources(api)
	res["UploadsBucketC4B27CC7"] = map[string]any{"Type": "AWS::S3::Bucket", "Properties": map[string]any{}}
	res["UploadsApiobjects"] = resource(api, "UploadsApiobjects", "", "objects")
	res["UploadsApiobjectsname3F2E4977"] = resource(api, "UploadsApiobjectsname3F2E4977", "UploadsApiobjects", "{name}")
	res["UploadsApiobjectsnamePUT7D5C1BE7"] = put
	// The same integration, into a bucket S3 does not have.
	var missing map[string]any
	json.Unmarshal(b, &missing)
	integ := missing["Properties"].(map[string]any)["Integration"].(map[string]any)
	integ["Uri"] = "arn:aws:apigateway:us-east-1:s3:path/no-such-bucket-here/incoming/direct/{name}"
	missing["Properties"].(map[string]any)["ResourceId"] = map[string]any{"Ref": "Missingname"}
	res["Missing"] = resource(api, "Missing", "", "missing")
	res["Missingname"] = resource(api, "Missingname", "Missing", "{name}")
	res["MissingPUT"] = missing
	return assemblytest.Template(t, "S", res)
}

var weedBin = "/tmp/cold/.tools/bin/weed"

// TestDirectUploadThroughTheRunner runs DirectUpload's S3 integration
// against a real SeaweedFS through the runner: the object lands with the
// key, type and size the integration maps, and the client gets what the
// integration responses map, S3's errors included.
func TestDirectUploadThroughTheRunner(t *testing.T) {
	if _, err := os.Stat(weedBin); err != nil {
		t.Skipf("no SeaweedFS at %s (scripts/s3server.sh builds it)", weedBin)
	}
	var logs lockedBuffer
	s, err := Start(context.Background(), Options{Assemblies: []string{directUploadAssembly(t)}, S3: s3server.SeaweedFS, S3Bin: weedBin,
		S3Data: t.TempDir(), SkipIAM: true, IAMIgnoreDeveloperKeys: true, Logs: &logs})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	notices := strings.Join(s.Notices, "\n")
	if !strings.Contains(notices, "the credentials role's IAM policy is not evaluated") {
		t.Errorf("notices do not say the role is not evaluated:\n%s", notices)
	}
	if strings.Contains(notices, "AWS integration") {
		t.Errorf("DirectUpload is listed as not emulated:\n%s", notices)
	}
	base := s.APIs[0].URL
	bucket := loaderBucket(t, s)
	client := s.s3.client()
	put := func(path, contentType string, body []byte) (int, string, http.Header) {
		req, _ := http.NewRequest("PUT", base+path, bytes.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	head := func(key string) *s3.HeadObjectOutput {
		t.Helper()
		out, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("HeadObject %s: %v", key, err)
		}
		return out
	}

	t.Run("GIVEN a CSV WHEN it is PUT THEN it lands under incoming/direct/ with its type and size", func(t *testing.T) {
		status, body, h := put("/objects/report.csv", "text/csv", []byte("a,b\n1,2\n"))
		if status != 200 || body != `{"key":"incoming/direct/report.csv"}` || h.Get("Content-Type") != "application/json" {
			t.Fatalf("%d %s %v\n%s", status, body, h, logs.String())
		}
		o := head("incoming/direct/report.csv")
		if aws.ToString(o.ContentType) != "text/csv" || aws.ToInt64(o.ContentLength) != 8 {
			t.Errorf("object: %s, %d bytes", aws.ToString(o.ContentType), aws.ToInt64(o.ContentLength))
		}
	})
	t.Run("GIVEN binary bytes WHEN they are PUT THEN S3 holds the same bytes", func(t *testing.T) {
		data := make([]byte, 1<<20)
		rand.Read(data)
		if status, body, _ := put("/objects/blob.bin", "application/octet-stream", data); status != 200 {
			t.Fatalf("%d %s", status, body)
		}
		got, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("incoming/direct/blob.bin")})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(got.Body)
		if !bytes.Equal(b, data) {
			t.Errorf("S3 holds %d bytes, not the %d sent", len(b), len(data))
		}
	})
	t.Run("GIVEN an encoded name THEN the key is the decoded name", func(t *testing.T) {
		if status, body, _ := put("/objects/two%20words.txt", "text/plain", []byte("x")); status != 200 || body != `{"key":"incoming/direct/two%20words.txt"}` {
			t.Fatalf("%d %s", status, body)
		}
		head("incoming/direct/two words.txt")
	})
	t.Run("GIVEN the name exists WHEN it is PUT again THEN S3's 412 maps to AlreadyExists", func(t *testing.T) {
		status, body, _ := put("/objects/report.csv", "text/csv", []byte("other"))
		if status != 412 || !strings.Contains(body, `"AlreadyExists"`) {
			t.Fatalf("%d %s\n%s", status, body, logs.String())
		}
		if n := aws.ToInt64(head("incoming/direct/report.csv").ContentLength); n != 8 {
			t.Errorf("the object was overwritten: %d bytes", n)
		}
	})
	t.Run("GIVEN a bucket S3 does not have THEN its 404 maps to Rejected (4\\d{2})", func(t *testing.T) {
		status, body, _ := put("/missing/x.csv", "text/csv", []byte("x"))
		if status != 400 || body != `{"error":{"code":"Rejected","message":"the storage service rejected the upload"}}` {
			t.Fatalf("%d %s\n%s", status, body, logs.String())
		}
	})
	t.Run("GIVEN curl --upload-file THEN the file lands", func(t *testing.T) {
		curl, err := exec.LookPath("curl")
		if err != nil {
			t.Skip("no curl")
		}
		file := filepath.Join(t.TempDir(), "photo.jpg")
		os.WriteFile(file, bytes.Repeat([]byte{0xff, 0xd8, 0x00}, 5000), 0o644)
		out, err := exec.Command(curl, "-sS", "--fail-with-body", "--upload-file", file, "-H", "Content-Type: image/jpeg", base+"/objects/photo.jpg").CombinedOutput()
		if err != nil || string(out) != `{"key":"incoming/direct/photo.jpg"}` {
			t.Fatalf("curl: %v: %s", err, out)
		}
		if o := head("incoming/direct/photo.jpg"); aws.ToString(o.ContentType) != "image/jpeg" || aws.ToInt64(o.ContentLength) != 15000 {
			t.Errorf("object: %s, %d bytes", aws.ToString(o.ContentType), aws.ToInt64(o.ContentLength))
		}
	})
}

func loaderBucket(t *testing.T, s *Server) string {
	for _, r := range s.APIs[0].Routes {
		if r.Mapping != nil && r.Path == "/objects/{name}" {
			return strings.SplitN(r.Mapping.Path, "/", 2)[0]
		}
	}
	t.Fatal("no DirectUpload route")
	return ""
}

// mockGateway serves an assembly's first API without S3 or functions.
func mockGateway(t *testing.T, res map[string]any) (*gateway, []string) {
	t.Helper()
	a, err := loader.Load(assemblytest.Template(t, "S", res))
	if err != nil {
		t.Fatal(err)
	}
	return &gateway{api: a.APIs[0], logs: io.Discard}, a.Unsupported
}

func serve(g *gateway, method, path string, header map[string]string, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	g.ServeHTTP(w, r)
	return w
}

// TestMockIntegrations: a MOCK integration's request template picks the
// integration response by its statusCode; response templates, parameters
// and $context.responseOverride shape the answer.
func TestMockIntegrations(t *testing.T) {
	const api = "Api"
	res := apiResources(api)
	res["Hello"] = resource(api, "Hello", "", "hello")
	res["HelloGET"] = method(api, "Hello", "GET", map[string]any{"Type": "MOCK",
		"RequestTemplates": map[string]any{"application/json": `{"statusCode": #if($input.params('fail') == "yes")503#else 200#end}`},
		"IntegrationResponses": []any{
			map[string]any{"StatusCode": "200", "ResponseParameters": map[string]any{"method.response.header.X-Stage": "context.stage", "method.response.header.X-Lit": "'v'"},
				"ResponseTemplates": map[string]any{"application/json": `{"hello": "$util.escapeJavaScript($input.params('who'))", "request": "$context.requestId"}`}},
			map[string]any{"StatusCode": "503", "SelectionPattern": "5\\d{2}", "ResponseTemplates": map[string]any{"application/json": `#set($context.responseOverride.header.Retry-After = "5")
{"error": "down"}`}},
		}})
	// aws-cdk's preflight (aws-apigateway lib/resource.ts addCorsPreflight)
	// for two origins.
	res["HelloOPTIONS"] = method(api, "Hello", "OPTIONS", map[string]any{"Type": "MOCK",
		"RequestTemplates": map[string]any{"application/json": "{ statusCode: 200 }"},
		"IntegrationResponses": []any{map[string]any{"StatusCode": "204",
			"ResponseParameters": map[string]any{"method.response.header.Access-Control-Allow-Origin": "'https://a.example'", "method.response.header.Vary": "'Origin'"},
			"ResponseTemplates": map[string]any{"application/json": `#set($origin = $input.params().header.get("Origin"))
#if($origin == "") #set($origin = $input.params().header.get("origin")) #end
#if($origin == "https://b.example")
  #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)
#end`}}}})
	res["Strict"] = resource(api, "Strict", "", "strict")
	res["StrictPOST"] = method(api, "Strict", "POST", map[string]any{"Type": "MOCK", "PassthroughBehavior": "WHEN_NO_TEMPLATES",
		"RequestTemplates":     map[string]any{"application/json": `{"statusCode": 200}`},
		"IntegrationResponses": []any{map[string]any{"StatusCode": "200", "ResponseTemplates": map[string]any{"application/json": `{"ok": true}`}}}})
	g, notices := mockGateway(t, res)
	if len(notices) != 0 {
		t.Errorf("notices: %v", notices)
	}

	// $util.escapeJavaScript escapes ' as \', which JSON does not allow, as
	// AWS's reference page warns.
	w := serve(g, "GET", "/v1/hello?who=O'Brien", nil, "")
	if want := `{"hello": "O\'Brien", "request": "` + w.Header().Get("x-amzn-RequestId") + `"}`; w.Code != 200 || w.Body.String() != want {
		t.Errorf("GET: %d %s, want %s", w.Code, w.Body, want)
	}
	if w.Header().Get("X-Stage") != "v1" || w.Header().Get("X-Lit") != "v" || w.Header().Get("Content-Type") != "application/json" {
		t.Errorf("GET headers: %v", w.Header())
	}
	w = serve(g, "GET", "/v1/hello?fail=yes", nil, "")
	if w.Code != 503 || strings.TrimSpace(w.Body.String()) != `{"error": "down"}` || w.Header().Get("Retry-After") != "5" || w.Header().Get("X-Lit") != "" {
		t.Errorf("failing GET: %d %v %s", w.Code, w.Header(), w.Body)
	}
	for origin, want := range map[string]string{"https://b.example": "https://b.example", "https://c.example": "https://a.example"} {
		w = serve(g, "OPTIONS", "/v1/hello", map[string]string{"Origin": origin}, "")
		if w.Code != 204 || w.Header().Get("Access-Control-Allow-Origin") != want || w.Header().Get("Vary") != "Origin" {
			t.Errorf("preflight from %s: %d %v", origin, w.Code, w.Header())
		}
	}
	// WHEN_NO_TEMPLATES with a template for another type: 415
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html).
	if w = serve(g, "POST", "/v1/strict", map[string]string{"Content-Type": "text/plain"}, "x"); w.Code != 415 {
		t.Errorf("text/plain to WHEN_NO_TEMPLATES: %d %s", w.Code, w.Body)
	}
	if w = serve(g, "POST", "/v1/strict", nil, "{}"); w.Code != 200 || w.Body.String() != `{"ok": true}` {
		t.Errorf("no Content-Type is application/json: %d %s", w.Code, w.Body)
	}
}

// TestAllowOriginTemplate: the lines corsvtl.AllowOrigin writes (which
// PresignedUploadApi's direct upload puts in front of its response
// templates for several Cors origins, or "*" with credentials) name each
// allowed origin that asks, and no other, and print nothing into the body.
func TestAllowOriginTemplate(t *testing.T) {
	allowed := []string{"https://a.example", "https://b.example:8443"}
	for _, c := range []struct {
		origins []string
		answers map[string]string // Origin sent -> Access-Control-Allow-Origin
	}{
		{allowed, map[string]string{allowed[0]: allowed[0], allowed[1]: allowed[1], "https://c.example": "", "https://a.example.evil": "", "": ""}},
		{[]string{"*"}, map[string]string{allowed[0]: allowed[0], "https://c.example": "https://c.example", "": ""}},
	} {
		res := apiResources("Api")
		res["Item"] = resource("Api", "Item", "", "item")
		res["ItemGET"] = method("Api", "Item", "GET", map[string]any{"Type": "MOCK",
			"RequestTemplates": map[string]any{"application/json": `{"statusCode": 200}`},
			"IntegrationResponses": []any{map[string]any{"StatusCode": "200",
				"ResponseParameters": map[string]any{"method.response.header.Vary": "'Origin'"},
				"ResponseTemplates":  map[string]any{"application/json": corsvtl.AllowOrigin(c.origins) + `{"ok": true}`}}}})
		g, _ := mockGateway(t, res)
		for origin, want := range c.answers {
			header := map[string]string{}
			if origin != "" {
				header["Origin"] = origin
			}
			w := serve(g, "GET", "/v1/item", header, "")
			if w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"ok": true}` || w.Header().Get("Access-Control-Allow-Origin") != want || w.Header().Get("Vary") != "Origin" {
				t.Errorf("allowed %v, Origin %q: %d %v %q, want Access-Control-Allow-Origin %q and the body alone", c.origins, origin, w.Code, w.Header(), w.Body, want)
			}
		}
	}
}

// TestIntegrationsOutsideTheSubset: what the runner does not emulate is a
// notice naming the route and the feature at load, and a 500 that says so.
func TestIntegrationsOutsideTheSubset(t *testing.T) {
	const api = "Api"
	res := apiResources(api)
	res["Q"] = resource(api, "Q", "", "q")
	res["QPOST"] = method(api, "Q", "POST", map[string]any{"Type": "AWS", "IntegrationHttpMethod": "POST",
		"Uri": "arn:aws:apigateway:us-east-1:sqs:path/000000000000/queue"})
	res["M"] = resource(api, "M", "", "m")
	res["MGET"] = method(api, "M", "GET", map[string]any{"Type": "MOCK",
		"RequestTemplates":     map[string]any{"application/json": `#macro(x)#end{"statusCode": 200}`},
		"IntegrationResponses": []any{map[string]any{"StatusCode": "200", "ResponseTemplates": map[string]any{"application/json": `$util.toJson($input.body)`}}}})
	g, notices := mockGateway(t, res)
	all := strings.Join(notices, "\n")
	for _, want := range []string{"S/QPOST (POST /q): not emulated, the route answers 500: AWS integration with sqs (path)",
		"S/MGET (GET /m): not emulated", "directive #macro is not in the VTL subset", "$util.toJson() (outside the runner's VTL subset)"} {
		if !strings.Contains(all, want) {
			t.Errorf("notices lack %q:\n%s", want, all)
		}
	}
	for _, p := range []string{"/v1/q", "/v1/m"} {
		w := serve(g, map[string]string{"/v1/q": "POST", "/v1/m": "GET"}[p], p, nil, "{}")
		if w.Code != 500 || !strings.Contains(w.Body.String(), "does not emulate") {
			t.Errorf("%s: %d %s", p, w.Code, w.Body)
		}
	}
}

// TestHTTPIntegration: a non-proxy HTTP integration gets only what its
// parameters and template map, CONVERT_TO_TEXT turns a binary body into
// base64 text, and the response template maps the backend's answer.
func TestHTTPIntegration(t *testing.T) {
	var got struct {
		path, query, header, contentType string
		body                             []byte
	}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.path, got.query, got.header, got.contentType = r.URL.Path, r.URL.RawQuery, r.Header.Get("X-Tenant"), r.Header.Get("Content-Type")
		got.body, _ = io.ReadAll(r.Body)
		w.Header().Set("X-Backend", "b1")
		w.WriteHeader(201)
		io.WriteString(w, `{"id": "n-1", "size": 3}`)
	}))
	defer backend.Close()
	const api = "Api"
	res := apiResources(api)
	res["Api"].(map[string]any)["Properties"].(map[string]any)["BinaryMediaTypes"] = []string{"application/octet-stream"}
	res["Notes"] = resource(api, "Notes", "", "notes")
	res["Id"] = resource(api, "Id", "Notes", "{id}")
	res["IdPUT"] = method(api, "Id", "PUT", map[string]any{"Type": "HTTP", "IntegrationHttpMethod": "POST", "Uri": backend.URL + "/store/{id}",
		"ContentHandling": "CONVERT_TO_TEXT",
		"RequestParameters": map[string]any{"integration.request.path.id": "method.request.path.id", "integration.request.querystring.v": "method.request.querystring.version",
			"integration.request.header.X-Tenant": "'acme'"},
		"IntegrationResponses": []any{map[string]any{"StatusCode": "200", "SelectionPattern": "2\\d{2}",
			"ResponseParameters": map[string]any{"method.response.header.X-Id": "integration.response.body.id", "method.response.header.X-From": "integration.response.header.X-Backend"},
			"ResponseTemplates":  map[string]any{"application/json": `#set($r = $input.path('$')){"stored": "$r.id", "bytes": $r.size}`}}}})
	g, notices := mockGateway(t, res)
	if len(notices) != 0 {
		t.Errorf("notices: %v", notices)
	}
	w := serve(g, "PUT", "/v1/notes/7?version=3", map[string]string{"Content-Type": "application/octet-stream", "Authorization": "secret"}, "\x00\x01\x02")
	if w.Code != 200 || w.Body.String() != `{"stored": "n-1", "bytes": 3}` || w.Header().Get("X-Id") != "n-1" || w.Header().Get("X-From") != "b1" {
		t.Errorf("answer: %d %v %s", w.Code, w.Header(), w.Body)
	}
	if got.path != "/store/7" || got.query != "v=3" || got.header != "acme" || string(got.body) != "AAEC" || got.contentType != "" {
		t.Errorf("the backend got %+v", got)
	}
}

// TestIntegrationFailuresAsAPIGatewayAnswersThem: a backend that is down,
// slower than the integration's timeout or answering more than 10 MB gets
// API Gateway's answer (integrationFailures) through the HTTP proxy and the
// HTTP integration alike: real backends on 127.0.0.1, a real closed port.
func TestIntegrationFailuresAsAPIGatewayAnswersThem(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			w.Write(make([]byte, MaxBufferedResponse+1))
			return
		}
		select { // slow: past the 50 ms timeout below
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer backend.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	down := closed.URL
	closed.Close()
	const api = "Api"
	res := apiResources(api)
	for _, rt := range []struct{ id, typ, uri string }{
		{"ProxyDown", "HTTP_PROXY", down + "/x"}, {"ProxySlow", "HTTP_PROXY", backend.URL + "/slow"},
		{"HttpDown", "HTTP", down + "/x"}, {"HttpSlow", "HTTP", backend.URL + "/slow"}, {"HttpBig", "HTTP", backend.URL + "/big"},
	} {
		res[rt.id] = resource(api, rt.id, "", strings.ToLower(rt.id))
		integ := map[string]any{"Type": rt.typ, "IntegrationHttpMethod": "GET", "Uri": rt.uri, "IntegrationResponses": []any{map[string]any{"StatusCode": "200"}}}
		if strings.HasSuffix(rt.id, "Slow") {
			integ["TimeoutInMillis"] = 50
		}
		res[rt.id+"GET"] = method(api, rt.id, "GET", integ)
	}
	g, notices := mockGateway(t, res)
	if len(notices) != 0 {
		t.Errorf("notices: %v", notices)
	}
	for _, tc := range []struct {
		path, message, errorType string
		status                   int
	}{
		{"/v1/proxydown", "Internal server error", "InternalServerErrorException", 502},
		{"/v1/proxyslow", "Endpoint request timed out", "IntegrationTimeout", 504},
		{"/v1/httpdown", "Internal server error", "InternalServerErrorException", 500},
		{"/v1/httpslow", "Endpoint request timed out", "IntegrationTimeout", 504},
		{"/v1/httpbig", "Internal server error", "InternalServerErrorException", 502},
	} {
		w := serve(g, "GET", tc.path, nil, "")
		var body struct{ Message string }
		json.Unmarshal(w.Body.Bytes(), &body)
		if w.Code != tc.status || body.Message != tc.message || w.Header().Get("x-amzn-ErrorType") != tc.errorType {
			t.Errorf("%s: %d %s %v, want %d %q %s", tc.path, w.Code, w.Body, w.Header(), tc.status, tc.message, tc.errorType)
		}
	}
}
