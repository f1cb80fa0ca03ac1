package uploads_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/apiauth"
	"github.com/streamgate/streamgate/constructs/uploaddefaults"
	"github.com/streamgate/streamgate/constructs/uploads"
	"github.com/streamgate/streamgate/constructs/wafsize"
	"github.com/streamgate/streamgate/internal/cdktest"
	"github.com/streamgate/streamgate/lambda/cors"
	"github.com/streamgate/streamgate/lambda/presign"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

// template is a synthesized stack read as plain Go values.
type template struct{ *cdktest.Template }

func synth(t *testing.T, stack awscdk.Stack) *template { return &template{cdktest.Synth(t, stack)} }

func (tp *template) id(c constructs.IConstruct) string { return tp.LogicalID(c) }

func (tp *template) props(t *testing.T, c constructs.IConstruct) map[string]any {
	return tp.Props(t, c)
}

func (tp *template) ofType(typ string) map[string]map[string]any { return tp.OfType(typ) }

func (tp *template) res(id string) map[string]any { return tp.Resources[id] }

// policyStatements are the statements of the inline policies of role.
func (tp *template) policyStatements(role string) []any {
	var out []any
	for _, r := range tp.ofType("AWS::IAM::Policy") {
		if strings.Contains(js(get(r, "Properties", "Roles")), `"`+role+`"`) {
			out = append(out, get(r, "Properties", "PolicyDocument", "Statement").([]any)...)
		}
	}
	return out
}

var (
	get  = cdktest.Get
	js   = cdktest.JSON
	want = cdktest.Want
)

func newStack(name string) awscdk.Stack {
	return awscdk.NewStack(cdktest.NewApp(false), jsii.String(name), nil)
}

var defaults struct {
	tp *template
	up *uploads.PresignedUploadApi
}

func defaultStack(t *testing.T) (*template, *uploads.PresignedUploadApi) {
	if defaults.tp == nil {
		stack := newStack("Defaults")
		defaults.up = uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), nil)
		defaults.tp = synth(t, stack)
	}
	return defaults.tp, defaults.up
}

func TestDefaultBucketIsLockedDown(t *testing.T) {
	tp, up := defaultStack(t)
	b := tp.props(t, up.Bucket)
	want(t, "PublicAccessBlockConfiguration", b["PublicAccessBlockConfiguration"], map[string]bool{
		"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true})
	want(t, "BucketEncryption", b["BucketEncryption"], map[string]any{"ServerSideEncryptionConfiguration": []any{
		map[string]any{"ServerSideEncryptionByDefault": map[string]string{"SSEAlgorithm": "AES256"}}}})
	want(t, "LoggingConfiguration", b["LoggingConfiguration"], map[string]any{
		"DestinationBucketName": map[string]string{"Ref": tp.id(up.AccessLogsBucket)}, "LogFilePrefix": "uploads/"})
	want(t, "OwnershipControls", b["OwnershipControls"], map[string]any{"Rules": []any{map[string]string{"ObjectOwnership": "BucketOwnerEnforced"}}})
	want(t, "LifecycleConfiguration", b["LifecycleConfiguration"], map[string]any{"Rules": []any{
		map[string]any{"AbortIncompleteMultipartUpload": map[string]int{"DaysAfterInitiation": 1}, "Id": "AbortIncompleteMultipartUploads", "Status": "Enabled"},
		map[string]any{"ExpirationInDays": 7, "Id": "ExpireIncoming", "Prefix": "incoming/", "Status": "Enabled"},
	}})
	if b["CorsConfiguration"] != nil {
		t.Errorf("CORS without origins: %s", js(b["CorsConfiguration"]))
	}
	if r := tp.res(tp.id(up.Bucket)); r["DeletionPolicy"] != "Retain" || r["UpdateReplacePolicy"] != "Retain" {
		t.Errorf("removal: %v %v", r["DeletionPolicy"], r["UpdateReplacePolicy"])
	}
}

func TestDefaultBucketPolicyRequiresTLS(t *testing.T) {
	tp, up := defaultStack(t)
	var policy string
	for _, r := range tp.ofType("AWS::S3::BucketPolicy") {
		if js(get(r, "Properties", "Bucket")) == js(map[string]string{"Ref": tp.id(up.Bucket)}) {
			policy = js(get(r, "Properties", "PolicyDocument"))
		}
	}
	for _, want := range []string{`"aws:SecureTransport":"false"`, `"s3:TlsVersion":1.2`, `"Effect":"Deny"`} {
		if !strings.Contains(policy, want) {
			t.Errorf("bucket policy lacks %s: %s", want, policy)
		}
	}
}

func TestDefaultHandler(t *testing.T) {
	tp, up := defaultStack(t)
	fn := tp.props(t, up.Function)
	want(t, "Runtime", fn["Runtime"], "provided.al2023")
	want(t, "Architectures", fn["Architectures"], []string{"arm64"})
	want(t, "Timeout", fn["Timeout"], 30)
	env := get(fn, "Environment", "Variables").(map[string]any)
	want(t, "UPLOAD_BUCKET", env["UPLOAD_BUCKET"], map[string]string{"Ref": tp.id(up.Bucket)})
	for k, v := range map[string]string{"UPLOAD_PREFIX": "incoming/", "UPLOAD_MAX_SIZE": "1073741824", "UPLOAD_URL_EXPIRY_SECONDS": "900", "UPLOAD_MODE": "PUT",
		"UPLOAD_CONTENT_TYPES": strings.Join(uploaddefaults.ContentTypes(), ",")} {
		want(t, k, env[k], v)
	}
	if _, ok := env["UPLOAD_KMS_KEY_ID"]; ok {
		t.Error("a KMS key id without a key")
	}
}

// TestHandlerMayOnlyWriteUnderPrefix: no managed policy, and one S3
// statement, on prefix/* only.
func TestHandlerMayOnlyWriteUnderPrefix(t *testing.T) {
	tp, up := defaultStack(t)
	role := get(tp.props(t, up.Function), "Role", "Fn::GetAtt").([]any)[0].(string)
	if mp := get(tp.res(role), "Properties", "ManagedPolicyArns"); mp != nil {
		t.Errorf("managed policies: %s", js(mp))
	}
	var s3 []any
	for _, st := range tp.policyStatements(role) {
		if strings.Contains(js(get(st, "Action")), "s3:") {
			s3 = append(s3, st)
		}
	}
	want(t, "S3 statements", s3, []any{map[string]any{
		"Action": []string{"s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:PutObject"}, "Effect": "Allow", "Sid": "WriteUploadsUnderPrefix",
		"Resource": map[string]any{"Fn::Join": []any{"", []any{map[string]any{"Fn::GetAtt": []string{tp.id(up.Bucket), "Arn"}}, "/incoming/*"}}},
	}})
}

func TestDefaultRoutesAreBufferedProxyToTheHandler(t *testing.T) {
	tp, up := defaultStack(t)
	routes := map[string]bool{}
	for _, r := range up.StreamingRestApi.Routes {
		routes[r.Method+" "+r.Path] = true
		m := tp.props(t, r.ApiMethod)
		want(t, r.Path+" AuthorizationType", m["AuthorizationType"], "AWS_IAM")
		want(t, r.Path+" Type", get(m, "Integration", "Type"), "AWS_PROXY")
		want(t, r.Path+" TimeoutInMillis", get(m, "Integration", "TimeoutInMillis"), 29000)
		if uri := js(get(m, "Integration", "Uri")); !strings.Contains(uri, tp.id(up.Function)) || !strings.Contains(uri, "2015-03-31") {
			t.Errorf("%s Uri = %s", r.Path, uri)
		}
	}
	want(t, "routes", routes, map[string]bool{"POST /uploads": true, "POST /uploads/{uploadId}/parts": true, "GET /uploads/{uploadId}/parts": true,
		"POST /uploads/{uploadId}/complete": true, "DELETE /uploads/{uploadId}": true})
	want(t, "endpoint", tp.props(t, up.RestApi)["EndpointConfiguration"], map[string]any{"Types": []string{"REGIONAL"}})
	if len(tp.ofType("AWS::ApiGateway::Method")) != 5 {
		t.Errorf("%d methods: no CORS and no direct upload by default", len(tp.ofType("AWS::ApiGateway::Method")))
	}
}

func TestDefaultWebAclGuardsTheStage(t *testing.T) {
	tp, up := defaultStack(t)
	acl := tp.props(t, up.WebAcl.CfnWebACL)
	want(t, "Scope", acl["Scope"], "REGIONAL")
	want(t, "inspection limit", get(acl, "AssociationConfig", "RequestBody", "API_GATEWAY"), map[string]string{"DefaultSizeInspectionLimit": "KB_16"})
	rule := get(acl, "Rules").([]any)[0]
	want(t, "body rule", get(rule, "Statement", "SizeConstraintStatement"), map[string]any{
		"ComparisonOperator": "GT", "FieldToMatch": map[string]any{"Body": map[string]string{"OversizeHandling": "MATCH"}},
		"Size": 16384, "TextTransformations": []any{map[string]any{"Priority": 0, "Type": "NONE"}},
	})
	assoc := tp.ofType("AWS::WAFv2::WebACLAssociation")
	if len(assoc) != 1 {
		t.Fatalf("%d associations", len(assoc))
	}
	for _, a := range assoc {
		arn := js(get(a, "Properties", "ResourceArn"))
		if !strings.Contains(arn, "::/restapis/") || !strings.Contains(arn, tp.id(up.RestApi)) || !strings.Contains(arn, tp.id(up.StreamingRestApi.Stage)) {
			t.Errorf("ResourceArn = %s", arn)
		}
	}
}

func TestOptionsKmsCorsModeAndPrefix(t *testing.T) {
	stack := newStack("Options")
	key := awskms.NewKey(stack, jsii.String("Key"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
	up := uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), &uploads.PresignedUploadApiProps{
		Mode:                        uploads.ModeMultipart,
		MaxObjectSize:               awscdk.Size_Gibibytes(jsii.Number(100)),
		AllowedContentTypes:         jsii.Strings("video/mp4"),
		UrlExpiration:               awscdk.Duration_Hours(jsii.Number(1)),
		KeyPrefix:                   jsii.String("teams/video/"),
		IncomingObjectExpiration:    awscdk.Duration_Days(jsii.Number(3)),
		AbortIncompleteUploadsAfter: awscdk.Duration_Days(jsii.Number(2)),
		EncryptionKey:               key,
		Cors:                        &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com")},
		Authorization:               apiauth.None(),
		MaxRequestBodySize:          awscdk.Size_Kibibytes(jsii.Number(8)),
		RemovalPolicy:               awscdk.RemovalPolicy_DESTROY,
	})
	tp := synth(t, stack)
	b := tp.props(t, up.Bucket)
	want(t, "KMS encryption", get(b, "BucketEncryption", "ServerSideEncryptionConfiguration"), []any{map[string]any{
		"BucketKeyEnabled":              true,
		"ServerSideEncryptionByDefault": map[string]any{"KMSMasterKeyID": map[string]any{"Fn::GetAtt": []string{tp.id(key), "Arn"}}, "SSEAlgorithm": "aws:kms"},
	}})
	want(t, "Cors", get(b, "CorsConfiguration", "CorsRules"), []any{map[string]any{
		"AllowedHeaders": []string{"*"}, "AllowedMethods": []string{"PUT", "POST"}, "AllowedOrigins": []string{"https://app.example.com"},
		"ExposedHeaders": []string{"ETag"}, "MaxAge": 3000,
	}})
	want(t, "lifecycle", get(b, "LifecycleConfiguration", "Rules"), []any{
		map[string]any{"AbortIncompleteMultipartUpload": map[string]int{"DaysAfterInitiation": 2}, "Id": "AbortIncompleteMultipartUploads", "Status": "Enabled"},
		map[string]any{"ExpirationInDays": 3, "Id": "ExpireIncoming", "Prefix": "teams/video/", "Status": "Enabled"},
	})
	if tp.res(tp.id(up.Bucket))["DeletionPolicy"] != "Delete" {
		t.Error("RemovalPolicy DESTROY not applied")
	}
	env := get(tp.props(t, up.Function), "Environment", "Variables").(map[string]any)
	for k, v := range map[string]any{"UPLOAD_MODE": "MULTIPART", "UPLOAD_PREFIX": "teams/video/", "UPLOAD_MAX_SIZE": "107374182400",
		"UPLOAD_URL_EXPIRY_SECONDS": "3600", "UPLOAD_CONTENT_TYPES": "video/mp4",
		"UPLOAD_KMS_KEY_ID": map[string]any{"Fn::GetAtt": []string{tp.id(key), "Arn"}},
		// The handler answers the origins the API allows (API Gateway adds no CORS header to a proxy answer).
		cors.EnvConfig: `{"allowOrigins":["https://app.example.com"]}`} {
		want(t, k, env[k], v)
	}
	if _, on := env[presign.EnvCompanion]; on {
		t.Error("Companion routes on without CompanionRoutes")
	}
	// API Gateway's own errors carry the origin too.
	responses := map[string]any{}
	for _, r := range tp.ofType("AWS::ApiGateway::GatewayResponse") {
		responses[get(r, "Properties", "ResponseType").(string)] = get(r, "Properties", "ResponseParameters", "gatewayresponse.header.Access-Control-Allow-Origin")
	}
	want(t, "gateway responses", responses, map[string]any{"DEFAULT_4XX": "'https://app.example.com'", "DEFAULT_5XX": "'https://app.example.com'"})
	role := get(tp.props(t, up.Function), "Role", "Fn::GetAtt").([]any)[0].(string)
	if sts := js(tp.policyStatements(role)); !strings.Contains(sts, `"Action":["kms:Decrypt","kms:Encrypt","kms:GenerateDataKey"]`) ||
		!strings.Contains(sts, `"/teams/video/*"`) {
		t.Errorf("handler statements: %s", sts)
	}
	// CORS preflight on the API, and the open authorization asked for by name.
	options := 0
	for _, m := range tp.ofType("AWS::ApiGateway::Method") {
		switch get(m, "Properties", "HttpMethod") {
		case "OPTIONS":
			options++
		default:
			want(t, "AuthorizationType", get(m, "Properties", "AuthorizationType"), "NONE")
		}
	}
	if options == 0 {
		t.Error("no CORS preflight methods on the API")
	}
	// Multipart: the complete request, which lists every part, is spared
	// the 8 KB limit (the handler has its own).
	sizeRule := get(tp.props(t, up.WebAcl.CfnWebACL), "Rules").([]any)[0].(map[string]any)["Statement"].(map[string]any)["AndStatement"].(map[string]any)["Statements"].([]any)
	want(t, "WAF body limit", sizeRule[0].(map[string]any)["SizeConstraintStatement"].(map[string]any)["Size"], 8192)
	if got := js(sizeRule[1]); !strings.Contains(got, `"NotStatement"`) || !strings.Contains(got, `"SearchString":"/complete"`) || !strings.Contains(got, `"SearchString":"POST"`) {
		t.Errorf("the size rule's exemption: %s", got)
	}
	want(t, "ExemptPostPathSuffixes", up.WebAcl.ExemptPostPathSuffixes, []string{uploads.CompletePathSuffix})
	// WAF's 413 replaces API Gateway's answer and its CORS gateway responses.
	want(t, "the 413's CORS header", get(tp.props(t, up.WebAcl.CfnWebACL), "Rules").([]any)[0].(map[string]any)["Action"].(map[string]any)["Block"].(map[string]any)["CustomResponse"].(map[string]any)["ResponseHeaders"],
		[]any{map[string]any{"Name": "Access-Control-Allow-Origin", "Value": "https://app.example.com"}})
}

// TestOptionCompanionRoutes: the routes Uppy's companionEndpoint calls,
// behind the API's authorization, served by the presign handler.
func TestOptionCompanionRoutes(t *testing.T) {
	stack := newStack("Companion")
	up := uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), &uploads.PresignedUploadApiProps{
		CompanionRoutes: jsii.Bool(true),
		Cors:            &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com", "http://localhost:5173")},
	})
	tp := synth(t, stack)
	for _, route := range presign.CompanionRoutes() {
		r := up.StreamingRestApi.Route(route[0], route[1])
		if r == nil {
			t.Errorf("no route %s %s", route[0], route[1])
			continue
		}
		m := tp.props(t, r.ApiMethod)
		want(t, route[1]+" AuthorizationType", m["AuthorizationType"], "AWS_IAM")
		if uri := js(get(m, "Integration", "Uri")); !strings.Contains(uri, tp.id(up.Function)) {
			t.Errorf("%s %s Uri = %s", route[0], route[1], uri)
		}
	}
	env := get(tp.props(t, up.Function), "Environment", "Variables").(map[string]any)
	want(t, presign.EnvCompanion, env[presign.EnvCompanion], "true")
	want(t, cors.EnvConfig, env[cors.EnvConfig], `{"allowOrigins":["https://app.example.com","http://localhost:5173"]}`)
	// Two origins: a gateway response cannot compare, so it repeats the request's.
	for _, r := range tp.ofType("AWS::ApiGateway::GatewayResponse") {
		want(t, "gateway response origin", get(r, "Properties", "ResponseParameters", "gatewayresponse.header.Access-Control-Allow-Origin"), "method.request.header.Origin")
	}
	// WAF's 413 is a literal: with two origins, any page may read it.
	want(t, "the 413's CORS header", get(tp.props(t, up.WebAcl.CfnWebACL), "Rules").([]any)[0].(map[string]any)["Action"].(map[string]any)["Block"].(map[string]any)["CustomResponse"].(map[string]any)["ResponseHeaders"],
		[]any{map[string]any{"Name": "Access-Control-Allow-Origin", "Value": "*"}})
}

// TestSharedAclThatLimitsCompleteWarns: a multipart API given a shared web
// ACL whose limit a complete request can pass, without the exemption, is
// warned; one with the exemption, a large enough limit, or PUT uploads is
// not.
func TestSharedAclThatLimitsCompleteWarns(t *testing.T) {
	stack := newStack("SharedComplete")
	acl := func(id string, kib float64, suffixes ...string) *wafsize.SizeLimitedWebAcl {
		p := &wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(kib))}
		if suffixes != nil {
			p.ExemptPostPathSuffixes = jsii.Strings(suffixes...)
		}
		return wafsize.NewSizeLimitedWebAcl(stack, jsii.String(id), p)
	}
	small, exempt, large := acl("Small", 16), acl("Exempt", 16, uploads.CompletePathSuffix), acl("Large", 4096)
	api := func(id string, webAcl *wafsize.SizeLimitedWebAcl, mode uploads.Mode) {
		uploads.NewPresignedUploadApi(stack, jsii.String(id), &uploads.PresignedUploadApiProps{WebAcl: webAcl, Mode: mode,
			MaxObjectSize: awscdk.Size_Gibibytes(jsii.Number(1)), Code: awslambda.Code_FromAsset(jsii.String("testdata/prebuilt"), nil)})
	}
	api("Limited", small, uploads.ModeMultipart)
	api("Exempted", exempt, uploads.ModeMultipart)
	api("LargeEnough", large, uploads.ModeMultipart)
	api("Put", small, uploads.ModePut)
	warned := map[string]string{}
	for _, w := range *assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_AnyValue()) {
		if msg := js(w.Entry.Data); strings.Contains(msg, uploads.WarningWebAclLimitsComplete) {
			warned[strings.Split(*w.Id, "/")[2]] = msg
		}
	}
	if len(warned) != 1 || !strings.Contains(warned["Limited"], "WebAcl SharedComplete/Small refuses bodies over 16384 bytes") ||
		!strings.Contains(warned["Limited"], "Fix: make the SizeLimitedWebAcl with ExemptPostPathSuffixes: jsii.Strings(uploads.CompletePathSuffix)") {
		t.Errorf("warned %v, want Limited only", warned)
	}
}

func TestOptionExistingBucketSharedAclAndPrebuiltCode(t *testing.T) {
	stack := newStack("Existing")
	bucket := awss3.Bucket_FromBucketName(stack, jsii.String("Team"), jsii.String("team-bucket"))
	acl := wafsize.NewSizeLimitedWebAcl(stack, jsii.String("Shared"), &wafsize.SizeLimitedWebAclProps{MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(32))})
	up := uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), &uploads.PresignedUploadApiProps{
		Bucket: bucket, WebAcl: acl, Code: awslambda.Code_FromAsset(jsii.String("testdata/prebuilt"), nil),
	})
	tp := synth(t, stack)
	if n := len(tp.ofType("AWS::S3::Bucket")); n != 0 {
		t.Errorf("%d buckets created for an existing bucket", n)
	}
	if n := len(tp.ofType("AWS::WAFv2::WebACL")); n != 1 || up.WebAcl != acl {
		t.Errorf("%d web ACLs; the shared one must be used", n)
	}
	role := get(tp.props(t, up.Function), "Role", "Fn::GetAtt").([]any)[0].(string)
	if sts := js(tp.policyStatements(role)); !strings.Contains(sts, `":s3:::team-bucket/incoming/*"`) || strings.Count(sts, "s3:PutObject") != 1 {
		t.Errorf("statements: %s", sts)
	}
}

func TestOptionDirectUpload(t *testing.T) {
	stack := newStack("Direct")
	up := uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), &uploads.PresignedUploadApiProps{DirectUpload: jsii.Bool(true)})
	tp := synth(t, stack)
	want(t, "BinaryMediaTypes", tp.props(t, up.RestApi)["BinaryMediaTypes"], []string{"*/*"})
	var put map[string]any
	for _, m := range tp.ofType("AWS::ApiGateway::Method") {
		if get(m, "Properties", "HttpMethod") == "PUT" {
			put = m["Properties"].(map[string]any)
		}
	}
	if put == nil {
		t.Fatal("no PUT /objects/{name}")
	}
	integ := put["Integration"]
	want(t, "Type", get(integ, "Type"), "AWS")
	want(t, "IntegrationHttpMethod", get(integ, "IntegrationHttpMethod"), "PUT")
	want(t, "Credentials", get(integ, "Credentials"), map[string]any{"Fn::GetAtt": []string{tp.id(up.DirectUploadRole), "Arn"}})
	if uri := js(get(integ, "Uri")); !strings.Contains(uri, ":s3:path/") || !strings.Contains(uri, "/incoming/direct/{name}") {
		t.Errorf("Uri = %s", uri)
	}
	want(t, "If-None-Match", get(integ, "RequestParameters", "integration.request.header.If-None-Match"), "'*'")
	want(t, "AuthorizationType", put["AuthorizationType"], "AWS_IAM")
	if sts := js(tp.policyStatements(tp.id(up.DirectUploadRole))); !strings.Contains(sts, `"Action":"s3:PutObject"`) || !strings.Contains(sts, `/incoming/direct/*`) || strings.Contains(sts, `"s3:*"`) {
		t.Errorf("direct role statements: %s", sts)
	}
	rule := get(tp.props(t, up.WebAcl.CfnWebACL), "Rules").([]any)[0]
	want(t, "10 MB rule", get(rule, "Name"), "ContentLengthOverLimit")
	if s := js(put["MethodResponses"]) + js(get(integ, "IntegrationResponses")); strings.Contains(s, "Access-Control") || strings.Contains(s, "responseOverride") {
		t.Errorf("without Cors, the answers carry CORS: %s", s)
	}
}

// TestOptionDirectUploadCors: with Cors, each of the direct upload's
// answers (200, 412, 400, 502) names the page's origin, so that a page can
// read them: statically for one origin or "*", by the request's Origin for
// several, or for "*" with AllowCredentials (where a literal "*" is not
// allowed), which also adds Access-Control-Allow-Credentials.
func TestOptionDirectUploadCors(t *testing.T) {
	cases := []struct {
		origins     []string
		credentials bool
		static      string // Access-Control-Allow-Origin's mapping; "" when VTL picks it
		conds       []string
	}{
		{[]string{"https://app.example.com"}, false, "'https://app.example.com'", nil},
		{[]string{"*"}, false, "'*'", nil},
		{[]string{"https://a.example.com", "https://b.example.com:8443"}, false, "", []string{`$origin == "https://a.example.com"`, `$origin == "https://b.example.com:8443"`}},
		{[]string{"https://app.example.com"}, true, "'https://app.example.com'", nil},
		{[]string{"*"}, true, "", []string{`"$!origin" != ""`}},
	}
	for i, c := range cases {
		stack := newStack("DirectCors" + strconv.Itoa(i))
		options := &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings(c.origins...)}
		if c.credentials {
			options.AllowCredentials = jsii.Bool(true)
		}
		uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), &uploads.PresignedUploadApiProps{DirectUpload: jsii.Bool(true), Cors: options})
		tp := synth(t, stack)
		var put map[string]any
		for _, m := range tp.ofType("AWS::ApiGateway::Method") {
			if get(m, "Properties", "HttpMethod") == "PUT" {
				put = m["Properties"].(map[string]any)
			}
		}
		responses := get(put, "Integration", "IntegrationResponses").([]any)
		if len(responses) != 4 {
			t.Fatalf("%v: %d integration responses, want 4", c.origins, len(responses))
		}
		for _, ir := range responses {
			what := fmt.Sprintf("%v (credentials %v) %v", c.origins, c.credentials, get(ir, "StatusCode"))
			allow := get(ir, "ResponseParameters", "method.response.header.Access-Control-Allow-Origin")
			template, _ := get(ir, "ResponseTemplates", "application/json").(string)
			if c.static != "" {
				want(t, what+" Access-Control-Allow-Origin", allow, c.static)
			} else if allow != nil {
				t.Errorf("%s: Access-Control-Allow-Origin mapped to %v, want it picked by the template", what, allow)
			}
			for _, cond := range c.conds {
				if !strings.Contains(template, cond) || !strings.Contains(template, "$context.responseOverride.header.Access-Control-Allow-Origin = $origin") {
					t.Errorf("%s: the template does not answer %s with its origin:\n%s", what, cond, template)
				}
			}
			if c.conds == nil && strings.Contains(template, "responseOverride") {
				t.Errorf("%s: a template picks the origin, want the static mapping alone:\n%s", what, template)
			}
			if got := get(ir, "ResponseParameters", "method.response.header.Access-Control-Allow-Credentials"); (got == "'true'") != c.credentials {
				t.Errorf("%s: Access-Control-Allow-Credentials %v", what, got)
			}
		}
		for _, mr := range put["MethodResponses"].([]any) {
			if get(mr, "ResponseParameters", "method.response.header.Access-Control-Allow-Origin") != true {
				t.Errorf("%v: method response %v does not declare Access-Control-Allow-Origin", c.origins, get(mr, "StatusCode"))
			}
		}
	}
}

func failsWith(t *testing.T, p *uploads.PresignedUploadApiProps, fragments ...string) {
	t.Helper()
	msg := cdktest.PanicMessage(t, func() { uploads.NewPresignedUploadApi(newStack("Fails"), jsii.String("Uploads"), p) })
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Errorf("message lacks %q:\n%s", f, msg)
		}
	}
}

func TestFailsSizeAboveSingleUploadWithoutMultipart(t *testing.T) {
	failsWith(t, &uploads.PresignedUploadApiProps{MaxObjectSize: awscdk.Size_Gibibytes(jsii.Number(6))},
		`PresignedUploadApi "Fails/Uploads" has 1 invalid prop`, "MaxObjectSize is 6 GiB (6442450944 bytes); allowed: at most 5 GiB with PUT", "Fix: set Mode: uploads.ModeMultipart")
	failsWith(t, &uploads.PresignedUploadApiProps{Mode: uploads.ModeMultipart, MaxObjectSize: awscdk.Size_Tebibytes(jsii.Number(49))},
		"MaxObjectSize is 49 TiB (53876069761024 bytes); allowed: at most 48.8 TiB (50,000 GiB)")
	failsWith(t, &uploads.PresignedUploadApiProps{Mode: "STREAM"}, `Mode is "STREAM"; allowed: uploads.ModePut, ModePost or ModeMultipart`)
}

func TestFailsUrlExpirationOutOfBounds(t *testing.T) {
	failsWith(t, &uploads.PresignedUploadApiProps{UrlExpiration: awscdk.Duration_Days(jsii.Number(8))}, "UrlExpiration is 8 days; allowed: 1 minute to 7 days")
	failsWith(t, &uploads.PresignedUploadApiProps{UrlExpiration: awscdk.Duration_Seconds(jsii.Number(30))}, "UrlExpiration is 30 seconds; allowed: 1 minute to 7 days")
}

func TestFailsContentTypes(t *testing.T) {
	failsWith(t, &uploads.PresignedUploadApiProps{AllowedContentTypes: &[]*string{}}, "AllowedContentTypes is an empty list; allowed: one or more media types")
	failsWith(t, &uploads.PresignedUploadApiProps{AllowedContentTypes: jsii.Strings("image/*", "text/csv; charset=utf-8", "png")},
		"3 invalid props", `AllowedContentTypes[0] is "image/*"`, `AllowedContentTypes[2] is "png"; allowed: an exact media type`)
}

func TestFailsBadPrefix(t *testing.T) {
	for _, prefix := range []string{"/abs/", "noslash", "a/../b/", "a//", "spaces here/", ""} {
		failsWith(t, &uploads.PresignedUploadApiProps{KeyPrefix: jsii.String(prefix)}, "KeyPrefix is \""+prefix+"\"; allowed:")
	}
}

func TestFailsBucketAndBucketProps(t *testing.T) {
	stack := newStack("Both")
	failsWith(t, &uploads.PresignedUploadApiProps{
		Bucket:      awss3.Bucket_FromBucketName(stack, jsii.String("B"), jsii.String("team-bucket")),
		BucketProps: &awss3.BucketProps{Versioned: jsii.Bool(true)},
	}, "BucketProps is set together with Bucket; allowed: settings of a new bucket only")
	failsWith(t, &uploads.PresignedUploadApiProps{BucketProps: &awss3.BucketProps{PublicReadAccess: jsii.Bool(true)}},
		"BucketProps.PublicReadAccess is true; allowed: false")
}

func TestFailsCorsWildcardUnlessAskedByName(t *testing.T) {
	failsWith(t, &uploads.PresignedUploadApiProps{Cors: &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("*", "http://evil.example.com", "https://app.example.com/upload")}},
		`Cors.AllowOrigins[0] is "*"; allowed: an exact origin: https://host[:port]`, "use awsapigateway.Cors_ALL_ORIGINS() alone",
		`Cors.AllowOrigins[1] is "http://evil.example.com"`, `Cors.AllowOrigins[2] is "https://app.example.com/upload"`)
}

func TestCorsAnyOriginByName(t *testing.T) {
	stack := newStack("AnyOrigin")
	up := uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), &uploads.PresignedUploadApiProps{Cors: &awsapigateway.CorsOptions{AllowOrigins: awsapigateway.Cors_ALL_ORIGINS()}})
	tp := synth(t, stack)
	want(t, "AllowedOrigins", get(tp.props(t, up.Bucket), "CorsConfiguration", "CorsRules").([]any)[0].(map[string]any)["AllowedOrigins"], []string{"*"})
}

func TestFailsLifecycleAndWafConflicts(t *testing.T) {
	failsWith(t, &uploads.PresignedUploadApiProps{IncomingObjectExpiration: awscdk.Duration_Hours(jsii.Number(12))},
		"IncomingObjectExpiration is 12 hours; allowed: whole days, at least 1")
	failsWith(t, &uploads.PresignedUploadApiProps{DisableWebAcl: jsii.Bool(true), MaxRequestBodySize: awscdk.Size_Kibibytes(jsii.Number(1))},
		"DisableWebAcl is true together with WebAcl or MaxRequestBodySize")
	stack := newStack("Kms")
	failsWith(t, &uploads.PresignedUploadApiProps{
		EncryptionKey: awskms.NewKey(stack, jsii.String("K"), nil),
		BucketProps:   &awss3.BucketProps{Encryption: awss3.BucketEncryption_S3_MANAGED},
	}, "EncryptionKey is set together with BucketProps.Encryption")
}

func TestDisableWebACL(t *testing.T) {
	stack := newStack("NoWaf")
	up := uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), &uploads.PresignedUploadApiProps{DisableWebAcl: jsii.Bool(true)})
	tp := synth(t, stack)
	if up.WebAcl != nil || len(tp.ofType("AWS::WAFv2::WebACL")) != 0 {
		t.Error("a web ACL despite DisableWebAcl")
	}
}

// TestTwoApisInAStackHaveTheirOwnNames: API Gateway's metrics are keyed by
// API name, so two upload APIs must not share one.
func TestTwoApisInAStackHaveTheirOwnNames(t *testing.T) {
	st := newStack("TwoApis")
	a := uploads.NewPresignedUploadApi(st, jsii.String("Documents"), &uploads.PresignedUploadApiProps{DisableWebAcl: jsii.Bool(true)})
	b := uploads.NewPresignedUploadApi(st, jsii.String("Videos"), &uploads.PresignedUploadApiProps{DisableWebAcl: jsii.Bool(true)})
	tp := synth(t, st)
	for c, want := range map[constructs.IConstruct]string{a.RestApi: "TwoApis-Documents-Api", b.RestApi: "TwoApis-Videos-Api"} {
		if got := tp.props(t, c)["Name"]; got != want {
			t.Errorf("Name = %v, want %q", got, want)
		}
	}
}

// TestCorsOptionsOnTheUploadAPI: the caller's CORS options reach the
// preflights (their headers added to the protocol's) and the handler's
// policy; the methods are the routes', so AllowMethods is refused.
func TestCorsOptionsOnTheUploadAPI(t *testing.T) {
	stack := newStack("CorsOptions")
	up := uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), &uploads.PresignedUploadApiProps{Cors: &awsapigateway.CorsOptions{
		AllowOrigins:     jsii.Strings("https://app.example.com"),
		AllowHeaders:     jsii.Strings("content-type", "X-Team"),
		AllowCredentials: jsii.Bool(true),
		ExposeHeaders:    jsii.Strings("ETag"),
	}})
	tp := synth(t, stack)
	preflights := 0
	for _, m := range tp.ofType("AWS::ApiGateway::Method") {
		if get(m, "Properties", "HttpMethod") != "OPTIONS" {
			continue
		}
		preflights++
		headers := js(get(get(m, "Properties", "Integration", "IntegrationResponses").([]any)[0], "ResponseParameters", "method.response.header.Access-Control-Allow-Headers"))
		want(t, "preflight headers", headers, `"'Content-Type,Authorization,X-Amz-Date,X-Amz-Security-Token,X-Amz-Content-Sha256,X-Team'"`)
	}
	if preflights == 0 {
		t.Fatal("no preflight methods")
	}
	env := get(tp.props(t, up.Function), "Environment", "Variables").(map[string]any)
	want(t, cors.EnvConfig, env[cors.EnvConfig], `{"allowOrigins":["https://app.example.com"],"allowCredentials":true,"exposeHeaders":["ETag"]}`)

	failsWith(t, &uploads.PresignedUploadApiProps{Cors: &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com"), AllowMethods: jsii.Strings("GET")}},
		"Cors.AllowMethods is set; allowed: unset: the construct allows the methods of its routes. Fix: drop Cors.AllowMethods")
	failsWith(t, &uploads.PresignedUploadApiProps{Cors: &awsapigateway.CorsOptions{}}, "Cors.AllowOrigins is empty")
}
