package edgeupload_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/customdomain"
	"github.com/streamgate/streamgate/constructs/edgeupload"
	"github.com/streamgate/streamgate/internal/cdktest"
	"github.com/streamgate/streamgate/internal/edge"
	"github.com/streamgate/streamgate/templatetest"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

var (
	get  = cdktest.Get
	js   = cdktest.JSON
	want = cdktest.Want
)

var region = &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("eu-west-1")}}

// synthesized is one app with an endpoint in each mode, with defaults and
// with every option, synthesized once for the whole package.
var synthesized struct {
	dir                                  string
	redirect, through, options, existing *edgeupload.EdgeUploadEndpoint
	main, edgeStack                      *cdktest.Template
	stackName                            string
}

func app(t *testing.T) {
	t.Helper()
	if synthesized.dir != "" {
		return
	}
	a := cdktest.NewApp(false)
	templatetest.ApplyNagPacks(a)
	stack := awscdk.NewStack(a, jsii.String("Edge"), region)
	s := &synthesized
	s.redirect = edgeupload.NewEdgeUploadEndpoint(stack, jsii.String("Redirect"), nil)
	s.through = edgeupload.NewEdgeUploadEndpoint(stack, jsii.String("Through"), &edgeupload.EdgeUploadEndpointProps{Mode: edgeupload.ModeThrough})
	s.options = edgeupload.NewEdgeUploadEndpoint(stack, jsii.String("Options"), &edgeupload.EdgeUploadEndpointProps{
		MaxObjectSize:       awscdk.Size_Mebibytes(jsii.Number(100)),
		AllowedContentTypes: jsii.Strings("video/mp4"),
		KeyPrefix:           jsii.String("partners/"),
		MaxTokenLifetime:    awscdk.Duration_Minutes(jsii.Number(10)),
		UrlExpiration:       awscdk.Duration_Minutes(jsii.Number(2)),
		KeyCacheTime:        awscdk.Duration_Seconds(jsii.Number(30)),
		Domain:              &customdomain.DomainProps{DomainName: jsii.String("uploads.example.com"), Certificate: awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("Cert"), jsii.String("arn:aws:acm:us-east-1:111111111111:certificate/abc"))},
		WebAclArn:           jsii.String("arn:aws:wafv2:us-east-1:111111111111:global/webacl/edge/0123"),
		PriceClass:          awscloudfront.PriceClass_PRICE_CLASS_ALL,
		LogRetention:        awslogs.RetentionDays_ONE_YEAR,
		LogRegions:          jsii.Strings("eu-central-1"),
		RemovalPolicy:       awscdk.RemovalPolicy_DESTROY,
		Cors:                &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com")},
	})
	s.existing = edgeupload.NewEdgeUploadEndpoint(stack, jsii.String("Existing"), &edgeupload.EdgeUploadEndpointProps{
		Bucket:    awss3.Bucket_FromBucketName(stack, jsii.String("Team"), jsii.String("team-uploads")),
		TokenKeys: awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("Keys"), jsii.String("team/edge-keys")),
	})
	s.stackName = *stack.StackName()
	s.main = cdktest.Synth(t, stack)
	s.dir = *a.Synth(nil).Directory()
	templatetest.NagClean(t, a)
	matches, _ := filepath.Glob(filepath.Join(s.dir, "edge-lambda-stack-*.template.json"))
	if len(matches) != 1 {
		t.Fatalf("edge stacks: %v, want one (us-east-1)", matches)
	}
	s.edgeStack = &cdktest.Template{Resources: resources(t, matches[0])}
}

func resources(t *testing.T, path string) map[string]map[string]any {
	var tmpl struct {
		Resources map[string]map[string]any
	}
	data, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(data, &tmpl)
	}
	if err != nil {
		t.Fatal(err)
	}
	return tmpl.Resources
}

func distribution(t *testing.T, e *edgeupload.EdgeUploadEndpoint) map[string]any {
	return get(synthesized.main.Props(t, e.Distribution), "DistributionConfig").(map[string]any)
}

func metadataConfig(t *testing.T, e *edgeupload.EdgeUploadEndpoint) edge.Config {
	res := synthesized.main.Resources[synthesized.main.LogicalID(e.Distribution)]
	var c edge.Config
	if err := json.Unmarshal([]byte(js(get(res, "Metadata", edge.MetadataKey, "config"))), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestNagClean: every endpoint above, in both stacks (the us-east-1 one
// too), passes AwsSolutions and Serverless; CloudFormation validation of the
// same resources runs in package test (the edge demo app).
func TestNagClean(t *testing.T) {
	app(t) // NagClean ran on the whole app
}

func TestRedirectDefaults(t *testing.T) {
	app(t)
	e := synthesized.redirect
	d := distribution(t, e)
	b := get(d, "DefaultCacheBehavior")
	want(t, "ViewerProtocolPolicy", get(b, "ViewerProtocolPolicy"), "https-only")
	want(t, "CachePolicyId (CachingDisabled)", get(b, "CachePolicyId"), "4135ea2d-6df8-44a3-9df3-4b5a84be39ad")
	want(t, "Compress", get(b, "Compress"), false)
	assoc := first(get(b, "LambdaFunctionAssociations"))
	want(t, "edge association", js(assoc["EventType"])+js(assoc["IncludeBody"]), `"viewer-request"false`)
	want(t, "PriceClass", get(d, "PriceClass"), "PriceClass_100")
	want(t, "HttpVersion", get(d, "HttpVersion"), "http2and3")
	want(t, "Logging prefix", get(d, "Logging", "Prefix"), "cdn/")
	want(t, "Logging bucket", js(get(d, "Logging", "Bucket")), js(map[string]any{"Fn::GetAtt": []any{synthesized.main.LogicalID(e.CdnLogsBucket), "RegionalDomainName"}}))
	if get(d, "WebACLId") != nil || get(d, "Aliases") != nil {
		t.Errorf("no web ACL and no aliases by default: %s", js(d))
	}
	// The bucket is named so that the edge function can rebuild the name.
	bucket := synthesized.main.Props(t, e.Bucket)
	cfg := metadataConfig(t, e)
	wantName := strings.Split(cfg.Bucket, "{account}")
	want(t, "BucketName", js(bucket["BucketName"]), js(map[string]any{"Fn::Join": []any{"", []any{wantName[0], map[string]any{"Ref": "AWS::AccountId"}, wantName[1]}}}))
	want(t, "bucket ownership", js(first(get(bucket, "OwnershipControls", "Rules"))["ObjectOwnership"]), `"BucketOwnerEnforced"`)
	want(t, "bucket encryption", js(get(first(get(bucket, "BucketEncryption", "ServerSideEncryptionConfiguration")), "ServerSideEncryptionByDefault", "SSEAlgorithm")), `"AES256"`)
	want(t, "config", cfg, edge.Config{Prefix: "incoming/", Path: "/u/", MaxSize: 1 << 30, Types: cfg.Types, MaxLifetime: 3600, Expires: 300,
		Bucket: cfg.Bucket, Region: "eu-west-1", SecretID: cfg.SecretID, SecretRegion: "eu-west-1", KeyCacheSeconds: 300,
		TokenVersion: "sgt1", KeyStorePrefix: "sgt1:", AccountPlaceholder: "{account}"})
	if !strings.HasPrefix(cfg.SecretID, "streamgate/edge-upload/") || len(cfg.Types) != 8 {
		t.Errorf("config: %+v", cfg)
	}
	secret := synthesized.main.Props(t, e.TokenKeys)
	want(t, "secret name", secret["Name"], cfg.SecretID)
	want(t, "secret generator", js(secret["GenerateSecretString"]), `{"ExcludePunctuation":true,"GenerateStringKey":"k1","PasswordLength":48,"SecretStringTemplate":"{}"}`)
	if r := synthesized.main.Resources[synthesized.main.LogicalID(e.TokenKeys)]; r["DeletionPolicy"] != "Retain" {
		t.Errorf("key secret DeletionPolicy = %v, want Retain", r["DeletionPolicy"])
	}
	var regions []string
	for _, r := range synthesized.main.PropsOfType("Custom::LogRetention") {
		if js(r["LogGroupName"]) == `"/aws/lambda/us-east-1.sg-edge-upload-`+strings.TrimPrefix(cfg.SecretID, "streamgate/edge-upload/")+`"` && r["RetentionInDays"] == 30.0 {
			regions = append(regions, r["LogGroupRegion"].(string))
		}
	}
	sort.Strings(regions)
	want(t, "log retention regions", strings.Join(regions, ","), "eu-west-1,us-east-1")
	if !strings.HasPrefix(*e.Url, "https://") || !strings.HasSuffix(*e.Url, "/u/") {
		t.Errorf("URL = %s", *e.Url)
	}
}

func TestRedirectEdgeFunction(t *testing.T) {
	app(t)
	hash := strings.TrimPrefix(metadataConfig(t, synthesized.redirect).SecretID, "streamgate/edge-upload/")
	var fn, policy map[string]any
	for _, r := range synthesized.edgeStack.Resources {
		switch {
		case r["Type"] == "AWS::Lambda::Function" && get(r, "Properties", "FunctionName") == "sg-edge-upload-"+hash:
			fn = r
		case r["Type"] == "AWS::IAM::Policy" && strings.Contains(js(r), "streamgate/edge-upload/"+hash):
			policy = r
		}
	}
	if fn == nil || policy == nil {
		t.Fatalf("edge stack lacks the function or its policy")
	}
	p := fn["Properties"].(map[string]any)
	want(t, "Runtime", p["Runtime"], "nodejs22.x")
	want(t, "MemorySize", p["MemorySize"], 128.0)
	want(t, "Timeout", p["Timeout"], 5.0)
	want(t, "Handler", p["Handler"], "index.handler")
	want(t, "DeletionPolicy", fn["DeletionPolicy"], "Retain")
	if p["Environment"] != nil {
		t.Error("Lambda@Edge functions cannot have environment variables")
	}
	statements := js(get(policy, "Properties", "PolicyDocument", "Statement"))
	for _, w := range []string{`"Action":"s3:PutObject"`, `-eu-west-1/incoming/*"`, `"Action":"secretsmanager:GetSecretValue"`, `:secret:streamgate/edge-upload/`, `-??????"`} {
		if !strings.Contains(statements, w) {
			t.Errorf("edge policy lacks %s: %s", w, statements)
		}
	}
	// Three edge functions share the us-east-1 stack; each reads only its
	// own prefix and secret, and there are exactly those statements.
	if n := strings.Count(statements, `"Effect":"Allow"`); n != 2 {
		t.Errorf("%d statements in the function's policy, want 2", n)
	}
	if n := len(synthesized.edgeStack.OfType("AWS::Lambda::Function")); n != 3 {
		t.Errorf("%d functions in the edge stack, want 3 (one per Redirect endpoint)", n)
	}
}

func TestThroughDefaults(t *testing.T) {
	app(t)
	e := synthesized.through
	d := distribution(t, e)
	b := get(d, "DefaultCacheBehavior")
	want(t, "function association", js(first(get(b, "FunctionAssociations"))["EventType"]), `"viewer-request"`)
	if get(b, "LambdaFunctionAssociations") != nil {
		t.Error("Through mode has no Lambda@Edge")
	}
	fn := synthesized.main.Props(t, e.CloudFrontFunction)
	want(t, "Runtime", get(fn, "FunctionConfig", "Runtime"), "cloudfront-js-2.0")
	want(t, "KeyValueStoreAssociations", js(first(get(fn, "FunctionConfig", "KeyValueStoreAssociations"))["KeyValueStoreARN"]),
		js(map[string]any{"Fn::GetAtt": []any{synthesized.main.LogicalID(e.KeyValueStore), "Arn"}}))
	code := js(fn["FunctionCode"])
	if n := len(code); n > edge.FunctionCodeLimit {
		t.Errorf("FunctionCode is %d bytes; CloudFront allows %d", n, edge.FunctionCodeLimit)
	}
	if !strings.Contains(code, `"Fn::GetAtt":["`+synthesized.main.LogicalID(e.KeyValueStore)+`","Id"]`) {
		t.Errorf("the code does not name the store: %.300s", code)
	}
	// Origin access control may write, nothing else.
	var statement string
	for _, pol := range synthesized.main.PropsOfType("AWS::S3::BucketPolicy") {
		if js(pol["Bucket"]) == js(map[string]any{"Ref": synthesized.main.LogicalID(e.Bucket)}) {
			for _, s := range get(pol, "PolicyDocument", "Statement").([]any) {
				if strings.Contains(js(s), "cloudfront.amazonaws.com") {
					statement = js(s)
				}
			}
		}
	}
	for _, w := range []string{`"Action":"s3:PutObject"`, `"AWS:SourceArn"`, `"Service":"cloudfront.amazonaws.com"`} {
		if !strings.Contains(statement, w) {
			t.Errorf("OAC statement lacks %s: %s", w, statement)
		}
	}
	if strings.Contains(statement, "s3:GetObject") || strings.Contains(statement, "s3:DeleteObject") {
		t.Errorf("OAC may only write: %s", statement)
	}
	orp := synthesized.main.PropsOfType("AWS::CloudFront::OriginRequestPolicy")
	if len(orp) != 1 || js(get(orp[0], "OriginRequestPolicyConfig", "HeadersConfig")) != `{"HeaderBehavior":"whitelist","Headers":["Content-Type","If-None-Match"]}` {
		t.Errorf("origin request policy: %s", js(orp))
	}
	if _, ok := synthesized.main.Props(t, e.Bucket)["BucketName"]; ok {
		t.Error("Through mode needs no fixed bucket name")
	}
	if e.EdgeFunction != nil || e.TokenKeys != nil {
		t.Error("Through mode makes no edge function and no secret")
	}
}

func TestOptions(t *testing.T) {
	app(t)
	e := synthesized.options
	d := distribution(t, e)
	want(t, "Aliases", js(d["Aliases"]), `["uploads.example.com"]`)
	want(t, "ViewerCertificate", js(d["ViewerCertificate"]), `{"AcmCertificateArn":"arn:aws:acm:us-east-1:111111111111:certificate/abc","MinimumProtocolVersion":"TLSv1.2_2021","SslSupportMethod":"sni-only"}`)
	want(t, "WebACLId", d["WebACLId"], "arn:aws:wafv2:us-east-1:111111111111:global/webacl/edge/0123")
	want(t, "PriceClass", d["PriceClass"], "PriceClass_All")
	cfg := metadataConfig(t, e)
	want(t, "config", cfg, edge.Config{Prefix: "partners/", Path: "/u/", MaxSize: 100 << 20, Types: []string{"video/mp4"}, MaxLifetime: 600, Expires: 120,
		CorsOrigins: []string{"https://app.example.com"},
		Bucket:      cfg.Bucket, Region: "eu-west-1", SecretID: cfg.SecretID, SecretRegion: "eu-west-1", KeyCacheSeconds: 30,
		TokenVersion: "sgt1", KeyStorePrefix: "sgt1:", AccountPlaceholder: "{account}"})
	want(t, "URL", *e.Url, "https://uploads.example.com/u/")
	cors := first(get(synthesized.main.Props(t, e.Bucket), "CorsConfiguration", "CorsRules"))
	want(t, "bucket CORS origins", js(cors["AllowedOrigins"]), `["https://app.example.com"]`)
	want(t, "bucket CORS methods", js(cors["AllowedMethods"]), `["PUT","POST"]`)
	var regions []string
	for _, r := range synthesized.main.PropsOfType("Custom::LogRetention") {
		if r["RetentionInDays"] == 365.0 {
			regions = append(regions, r["LogGroupRegion"].(string))
		}
	}
	want(t, "log regions", strings.Join(regions, ","), "eu-central-1")
	if r := synthesized.main.Resources[synthesized.main.LogicalID(e.Bucket)]; r["DeletionPolicy"] != "Delete" {
		t.Errorf("RemovalPolicy DESTROY: bucket DeletionPolicy = %v", r["DeletionPolicy"])
	}
}

func TestExistingBucketAndKeys(t *testing.T) {
	app(t)
	e := synthesized.existing
	cfg := metadataConfig(t, e)
	want(t, "bucket", cfg.Bucket, "team-uploads")
	want(t, "secret", cfg.SecretID, "team/edge-keys")
	if e.AccessLogsBucket != nil {
		t.Error("no access logs bucket is made for an existing bucket")
	}
	for id := range synthesized.main.OfType("AWS::S3::Bucket") {
		if strings.HasPrefix(id, "ExistingBucket") {
			t.Errorf("an existing bucket was recreated: %s", id)
		}
	}
}

func TestGolden(t *testing.T) {
	app(t)
	templatetest.Golden(t, "testdata/edge.golden.json", templatetest.FromFile(t, filepath.Join(synthesized.dir, synthesized.stackName+".template.json")))
}

var scratch awscdk.Stack

func failsWith(t *testing.T, stack awscdk.Stack, p *edgeupload.EdgeUploadEndpointProps, fragments ...string) {
	t.Helper()
	if stack == nil {
		if scratch == nil {
			scratch = awscdk.NewStack(cdktest.NewApp(false), jsii.String("Validation"), region)
		}
		stack = scratch
	}
	msg := cdktest.PanicMessage(t, func() { edgeupload.NewEdgeUploadEndpoint(stack, jsii.String("Ep"), p) })
	for _, f := range append([]string{`EdgeUploadEndpoint "` + *stack.Node().Path() + `/Ep"`, "Fix:"}, fragments...) {
		if !strings.Contains(msg, f) {
			t.Errorf("message lacks %q:\n%s", f, msg)
		}
	}
}

func TestRedirectNeedsAnExplicitRegion(t *testing.T) {
	agnostic := awscdk.NewStack(cdktest.NewApp(false), jsii.String("Agnostic"), nil)
	failsWith(t, agnostic, nil, "Mode is ModeRedirect in a stack without an explicit region", `Env: &awscdk.Environment{Region: jsii.String("eu-west-1")}`)
	// Through mode has no Lambda@Edge, so it needs no region.
	edgeupload.NewEdgeUploadEndpoint(agnostic, jsii.String("Through"), &edgeupload.EdgeUploadEndpointProps{Mode: edgeupload.ModeThrough})
}

func TestFailsEachInvalidProp(t *testing.T) {
	stack := awscdk.NewStack(cdktest.NewApp(false), jsii.String("Props"), region)
	for _, tc := range []struct {
		name  string
		props *edgeupload.EdgeUploadEndpointProps
		want  []string
	}{
		{"mode", &edgeupload.EdgeUploadEndpointProps{Mode: "PROXY"}, []string{`Mode is "PROXY"`}},
		{"size over 5 GB", &edgeupload.EdgeUploadEndpointProps{MaxObjectSize: awscdk.Size_Gibibytes(jsii.Number(6))}, []string{"MaxObjectSize is 6 GiB", "1 byte to 5 GiB", "ModeMultipart"}},
		{"size zero", &edgeupload.EdgeUploadEndpointProps{MaxObjectSize: awscdk.Size_Bytes(jsii.Number(0))}, []string{"MaxObjectSize is 0 bytes"}},
		{"prefix with leading slash", &edgeupload.EdgeUploadEndpointProps{KeyPrefix: jsii.String("/in/")}, []string{`KeyPrefix is "/in/"`}},
		{"prefix with dot dot", &edgeupload.EdgeUploadEndpointProps{KeyPrefix: jsii.String("a/../b/")}, []string{`KeyPrefix is "a/../b/"`}},
		{"prefix without slash", &edgeupload.EdgeUploadEndpointProps{KeyPrefix: jsii.String("in")}, []string{`KeyPrefix is "in"`}},
		{"url expiry too long", &edgeupload.EdgeUploadEndpointProps{UrlExpiration: awscdk.Duration_Hours(jsii.Number(2))}, []string{"UrlExpiration is 2 hours", "1 minute to 1 hour"}},
		{"url expiry too short", &edgeupload.EdgeUploadEndpointProps{UrlExpiration: awscdk.Duration_Seconds(jsii.Number(10))}, []string{"UrlExpiration is 10 seconds"}},
		{"token lifetime", &edgeupload.EdgeUploadEndpointProps{MaxTokenLifetime: awscdk.Duration_Days(jsii.Number(2))}, []string{"MaxTokenLifetime is 2 days", "1 minute to 24 hours"}},
		{"key cache", &edgeupload.EdgeUploadEndpointProps{KeyCacheTime: awscdk.Duration_Hours(jsii.Number(3))}, []string{"KeyCacheTime is 3 hours"}},
		{"expiry in days", &edgeupload.EdgeUploadEndpointProps{IncomingObjectExpiration: awscdk.Duration_Hours(jsii.Number(36))}, []string{"IncomingObjectExpiration is 1 day 12 hours", "whole days"}},
		{"wildcard type", &edgeupload.EdgeUploadEndpointProps{AllowedContentTypes: jsii.Strings("video/*")}, []string{`AllowedContentTypes[0] is "video/*"`}},
		{"no types", &edgeupload.EdgeUploadEndpointProps{AllowedContentTypes: jsii.Strings()}, []string{"AllowedContentTypes is an empty list"}},
		{"url expiry in Through", &edgeupload.EdgeUploadEndpointProps{Mode: edgeupload.ModeThrough, UrlExpiration: awscdk.Duration_Minutes(jsii.Number(5))}, []string{"UrlExpiration is set in THROUGH mode"}},
		{"log regions in Through", &edgeupload.EdgeUploadEndpointProps{Mode: edgeupload.ModeThrough, LogRegions: jsii.Strings("eu-west-1")}, []string{"LogRegions is set in THROUGH mode"}},
		{"store in Redirect", &edgeupload.EdgeUploadEndpointProps{KeyValueStore: awscloudfront.KeyValueStore_FromKeyValueStoreArn(stack, jsii.String("Kvs"),
			jsii.String("arn:aws:cloudfront::111111111111:key-value-store/0c1d4b4a-8b4a-4d2e-9f0e-0a1b2c3d4e5f"))}, []string{"KeyValueStore is set in REDIRECT mode"}},
		{"wildcard origin", &edgeupload.EdgeUploadEndpointProps{Cors: &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("*")}}, []string{`Cors.AllowOrigins[0] is "*"`, "an exact origin"}},
		{"origin with a path", &edgeupload.EdgeUploadEndpointProps{Cors: &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com/")}}, []string{`Cors.AllowOrigins[0] is "https://app.example.com/"`}},
		{"plain http off localhost", &edgeupload.EdgeUploadEndpointProps{Cors: &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("http://localhost:5173", "http://app.example.com")}}, []string{`Cors.AllowOrigins[1] is "http://app.example.com"`, "or http://localhost"}},
		{"bad region", &edgeupload.EdgeUploadEndpointProps{LogRegions: jsii.Strings("Europe")}, []string{`LogRegions[0] is "Europe"`}},
		{"no regions", &edgeupload.EdgeUploadEndpointProps{LogRegions: jsii.Strings()}, []string{"LogRegions is an empty list"}},
		{"domain without certificate", &edgeupload.EdgeUploadEndpointProps{Domain: &customdomain.DomainProps{DomainName: jsii.String("uploads.example.com")}},
			[]string{"Domain.Certificate/HostedZone is both unset"}},
		{"bad domain", &edgeupload.EdgeUploadEndpointProps{Domain: &customdomain.DomainProps{DomainName: jsii.String("https://x.example.com/"), BasePath: jsii.String("v1"),
			Certificate: awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("C"), jsii.String("arn:aws:acm:us-east-1:111111111111:certificate/x"))}},
			[]string{`Domain.DomainName is "https://x.example.com/"`, `Domain.BasePath is "v1"; allowed: unset`}},
		{"regional certificate", &edgeupload.EdgeUploadEndpointProps{Domain: &customdomain.DomainProps{DomainName: jsii.String("uploads.example.com"),
			Certificate: awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("C2"), jsii.String("arn:aws:acm:eu-west-1:111111111111:certificate/x"))}},
			[]string{"Domain.Certificate is in eu-west-1", "a certificate in us-east-1"}},
		{"new certificate outside us-east-1", &edgeupload.EdgeUploadEndpointProps{Domain: &customdomain.DomainProps{DomainName: jsii.String("uploads.example.com"),
			HostedZone: awsroute53.HostedZone_FromHostedZoneAttributes(stack, jsii.String("Z"), &awsroute53.HostedZoneAttributes{HostedZoneId: jsii.String("Z1"), ZoneName: jsii.String("example.com")})}},
			[]string{"Domain.Certificate is unset in a stack in eu-west-1", "which this stack cannot create", "Fix: pass a us-east-1 certificate"}},
		{"methods on CORS", &edgeupload.EdgeUploadEndpointProps{Cors: &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com"), AllowMethods: jsii.Strings("GET")}},
			[]string{"Cors.AllowMethods is set; allowed: unset: the endpoint's methods and headers are fixed by its protocol"}},
		{"regional web ACL", &edgeupload.EdgeUploadEndpointProps{WebAclArn: jsii.String("arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/a/b")}, []string{"WebAclArn is", "CLOUDFRONT scope"}},
		{"bucket name token", &edgeupload.EdgeUploadEndpointProps{Bucket: awss3.NewBucket(stack, jsii.String("Own"), nil)}, []string{"Bucket is a bucket whose name is a Token", "Bucket_FromBucketName"}},
		{"bucket and props", &edgeupload.EdgeUploadEndpointProps{Bucket: awss3.Bucket_FromBucketName(stack, jsii.String("B"), jsii.String("bbb")), BucketProps: &awss3.BucketProps{}}, []string{"BucketProps is set together with Bucket"}},
		{"kms", &edgeupload.EdgeUploadEndpointProps{BucketProps: &awss3.BucketProps{Encryption: awss3.BucketEncryption_KMS_MANAGED}}, []string{"BucketProps.Encryption is KMS_MANAGED", "SSE-S3"}},
		{"too many types for a CloudFront Function", &edgeupload.EdgeUploadEndpointProps{Mode: edgeupload.ModeThrough, AllowedContentTypes: manyTypes(200)}, []string{"AllowedContentTypes is 200 types", "10240 bytes"}},
	} {
		t.Run(tc.name, func(t *testing.T) { failsWith(t, stack, tc.props, tc.want...) })
	}
}

func TestAllProblemsAtOnce(t *testing.T) {
	failsWith(t, nil, &edgeupload.EdgeUploadEndpointProps{MaxObjectSize: awscdk.Size_Gibibytes(jsii.Number(6)), KeyPrefix: jsii.String("x")}, "has 2 invalid props", "MaxObjectSize", "KeyPrefix")
}

// first is the first element of a list in a template.
func first(v any) map[string]any {
	if l, ok := v.([]any); ok && len(l) > 0 {
		if m, ok := l[0].(map[string]any); ok {
			return m
		}
	}
	return map[string]any{}
}

func manyTypes(n int) *[]*string {
	out := make([]*string, n)
	for i := range out {
		out[i] = jsii.String("application/x-streamgate-test-type-" + strings.Repeat("x", i%10) + string(rune('a'+i%26)) + string(rune('a'+i/26)))
	}
	return &out
}

// TestDomainWithHostedZone: in a us-east-1 stack, Domain with a hosted
// zone and no certificate gets a certificate validated by DNS in that
// zone, and alias A and AAAA records that point the name at the
// distribution.
func TestDomainWithHostedZone(t *testing.T) {
	a := cdktest.NewApp(false)
	stack := awscdk.NewStack(a, jsii.String("EdgeDomain"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-east-1")}})
	zone := awsroute53.HostedZone_FromHostedZoneAttributes(stack, jsii.String("Zone"), &awsroute53.HostedZoneAttributes{
		HostedZoneId: jsii.String("Z0123456789"), ZoneName: jsii.String("example.com")})
	e := edgeupload.NewEdgeUploadEndpoint(stack, jsii.String("Uploads"), &edgeupload.EdgeUploadEndpointProps{
		Mode:   edgeupload.ModeThrough,
		Domain: &customdomain.DomainProps{DomainName: jsii.String("uploads.example.com"), HostedZone: zone},
	})
	tmpl := cdktest.Synth(t, stack)
	certs := tmpl.OfType("AWS::CertificateManager::Certificate")
	if len(certs) != 1 {
		t.Fatalf("certificates: %s", js(certs))
	}
	for _, c := range certs {
		if get(c, "Properties", "DomainName") != "uploads.example.com" || get(c, "Properties", "ValidationMethod") != "DNS" {
			t.Errorf("certificate: %s", js(c))
		}
	}
	dist := tmpl.LogicalID(e.Distribution)
	for _, typ := range []string{"A", "AAAA"} {
		found := false
		for _, r := range tmpl.OfType("AWS::Route53::RecordSet") {
			if get(r, "Properties", "Type") == typ && get(r, "Properties", "Name") == "uploads.example.com." &&
				strings.Contains(js(get(r, "Properties", "AliasTarget", "DNSName")), dist) {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s alias of uploads.example.com to the distribution: %s", typ, js(tmpl.OfType("AWS::Route53::RecordSet")))
		}
	}
	want(t, "URL", *e.Url, "https://uploads.example.com/u/")
}
