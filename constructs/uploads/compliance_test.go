package uploads_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/compliance"
	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/constructs/uploads"
	"github.com/streamgate/streamgate/internal/cdktest"
)

var regulated struct {
	tp        *template
	put, mp   *uploads.PresignedUploadApi
	api       *streaming.StreamingRestApi
	unchanged *template // a second stack of the same app, without the profile
}

// regulatedStack: the profile applied to one stack; a PUT and a multipart
// upload API and a streaming API pick it up.
func regulatedStack(t *testing.T) *template {
	if regulated.tp == nil {
		app := cdktest.NewApp(false)
		stack := awscdk.NewStack(app, jsii.String("Regulated"), nil)
		vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{MaxAzs: jsii.Number(2), NatGateways: jsii.Number(0),
			SubnetConfiguration:          &[]*awsec2.SubnetConfiguration{{Name: jsii.String("Fn"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}},
			RestrictDefaultSecurityGroup: jsii.Bool(false)})
		compliance.Apply(stack, compliance.Strict(&compliance.StrictProps{Vpc: vpc, VpcEndpoints: jsii.Bool(true)}))
		regulated.put = uploads.NewPresignedUploadApi(stack, jsii.String("Documents"), nil)
		regulated.mp = uploads.NewPresignedUploadApi(stack, jsii.String("Videos"), &uploads.PresignedUploadApiProps{Mode: uploads.ModeMultipart,
			MaxObjectSize: awscdk.Size_Gibibytes(jsii.Number(50)), LogRetention: awslogs.RetentionDays_TWO_YEARS})
		regulated.api = streaming.NewStreamingRestApi(stack, jsii.String("Streams"), &streaming.StreamingRestApiProps{
			Routes: &[]*streaming.RouteProps{{Method: jsii.String("GET"), Path: jsii.String("/records"), Entry: jsii.String(uploads.HandlerEntry)}},
		})
		other := awscdk.NewStack(app, jsii.String("Other"), nil)
		uploads.NewPresignedUploadApi(other, jsii.String("Documents"), nil)
		regulated.tp = synth(t, stack)
		regulated.unchanged = synth(t, other)
	}
	return regulated.tp
}

func TestComplianceLogGroupsAreEncryptedAndKeptAYear(t *testing.T) {
	tp := regulatedStack(t)
	keys := tp.ofType("AWS::KMS::Key")
	var logKey string
	for id, k := range keys {
		if strings.Contains(js(k), "logs.") {
			logKey = id
			want(t, "log key rotation", get(k, "Properties", "EnableKeyRotation"), true)
			if p := js(get(k, "Properties", "KeyPolicy")); !strings.Contains(p, `"kms:EncryptionContext:aws:logs:arn"`) || !strings.Contains(p, `":log-group:*"`) {
				t.Errorf("log key policy does not limit CloudWatch Logs to this account's log groups: %s", p)
			}
		}
	}
	if logKey == "" {
		t.Fatalf("no log key among %d keys", len(keys))
	}
	groups := tp.ofType("AWS::Logs::LogGroup")
	if len(groups) < 8 {
		t.Errorf("%d log groups", len(groups))
	}
	for id, g := range groups {
		want(t, id+" KmsKeyId", get(g, "Properties", "KmsKeyId"), map[string]any{"Fn::GetAtt": []string{logKey, "Arn"}})
		days, _ := get(g, "Properties", "RetentionInDays").(float64)
		if days < 365 {
			t.Errorf("%s: RetentionInDays %v, want at least 365", id, days)
		}
		if strings.HasPrefix(id, "VideosHandlerLogs") && days != 731 {
			t.Errorf("%s: RetentionInDays %v, want the asked-for two years", id, days)
		}
	}
}

func TestComplianceFunctionsRunInTheVpc(t *testing.T) {
	tp := regulatedStack(t)
	fns := tp.ofType("AWS::Lambda::Function")
	if len(fns) != 3 {
		t.Errorf("%d functions", len(fns))
	}
	var sg string
	for id, f := range fns {
		vc := js(get(f, "Properties", "VpcConfig"))
		if !strings.Contains(vc, `"SubnetIds"`) || !strings.Contains(vc, `"SecurityGroupIds"`) {
			t.Errorf("%s: VpcConfig %s", id, vc)
		}
		sg = vc
	}
	groups := tp.ofType("AWS::EC2::SecurityGroup")
	for id, g := range groups {
		if !strings.Contains(sg, id) {
			continue
		}
		if get(g, "Properties", "SecurityGroupIngress") != nil {
			t.Errorf("%s: the functions' group has ingress", id)
		}
		want(t, id+" egress", get(g, "Properties", "SecurityGroupEgress"), []map[string]any{{"CidrIp": "0.0.0.0/0", "Description": "HTTPS to AWS APIs (VPC endpoints or NAT)",
			"FromPort": 443, "IpProtocol": "tcp", "ToPort": 443}})
	}
	endpoints := map[string]bool{}
	for _, e := range tp.ofType("AWS::EC2::VPCEndpoint") {
		endpoints[js(get(e, "Properties", "ServiceName"))+" "+js(get(e, "Properties", "VpcEndpointType"))] = true
	}
	if len(endpoints) != 3 || !strings.Contains(js(endpoints), ".s3") || !strings.Contains(js(endpoints), "com.amazonaws.") {
		t.Errorf("endpoints: %v", endpoints)
	}
	for _, r := range tp.ofType("AWS::EC2::SecurityGroupIngress") {
		if get(r, "Properties", "SourceSecurityGroupId") == nil || get(r, "Properties", "FromPort") != 443.0 {
			t.Errorf("endpoint ingress: %s", js(r))
		}
	}
}

func TestComplianceUploadBuckets(t *testing.T) {
	tp := regulatedStack(t)
	put := tp.props(t, regulated.put.Bucket)
	want(t, "versioning", put["VersioningConfiguration"], map[string]string{"Status": "Enabled"})
	want(t, "object lock", put["ObjectLockEnabled"], true)
	want(t, "retention", put["ObjectLockConfiguration"], map[string]any{"ObjectLockEnabled": "Enabled",
		"Rule": map[string]any{"DefaultRetention": map[string]any{"Days": 1, "Mode": "GOVERNANCE"}}})
	if enc := js(put["BucketEncryption"]); !strings.Contains(enc, `"aws:kms"`) || !strings.Contains(enc, `"BucketKeyEnabled":true`) {
		t.Errorf("encryption: %s", enc)
	}
	rules := js(put["LifecycleConfiguration"])
	for _, w := range []string{`"NoncurrentVersionExpiration":{"NoncurrentDays":1}`, `"ExpiredObjectDeleteMarker":true`, `"ExpirationInDays":7`} {
		if !strings.Contains(rules, w) {
			t.Errorf("lifecycle lacks %s: %s", w, rules)
		}
	}
	logs := tp.props(t, regulated.put.AccessLogsBucket)
	want(t, "log bucket versioning", logs["VersioningConfiguration"], map[string]string{"Status": "Enabled"})
	if get(logs, "ObjectLockEnabled") != nil {
		t.Error("the access log bucket has object lock: S3 refuses log delivery to a bucket with default retention")
	}
	env := js(tp.props(t, regulated.put.Function)["Environment"])
	if !strings.Contains(env, `"UPLOAD_REQUIRE_CHECKSUM":"true"`) || !strings.Contains(env, `"UPLOAD_KMS_KEY_ID"`) {
		t.Errorf("PUT handler environment: %s", env)
	}
	// Multipart parts carry no checksum: no object lock there.
	mp := tp.props(t, regulated.mp.Bucket)
	if mp["ObjectLockEnabled"] != nil || strings.Contains(js(tp.props(t, regulated.mp.Function)["Environment"]), "UPLOAD_REQUIRE_CHECKSUM") {
		t.Error("multipart bucket locks objects, or its handler requires a checksum")
	}
	want(t, "multipart versioning", mp["VersioningConfiguration"], map[string]string{"Status": "Enabled"})
}

func TestComplianceApiSettings(t *testing.T) {
	tp := regulatedStack(t)
	perms := tp.ofType("AWS::Lambda::Permission")
	if len(perms) == 0 {
		t.Fatal("no permissions")
	}
	for id, p := range perms {
		if get(p, "Properties", "SourceAccount") == nil || get(p, "Properties", "SourceArn") == nil {
			t.Errorf("%s: SourceAccount %v, SourceArn %v", id, get(p, "Properties", "SourceAccount"), get(p, "Properties", "SourceArn"))
		}
	}
	// Three APIs share the stack's account role: its policy is
	// acknowledged once per rule, not once per API.
	for id, r := range tp.ofType("AWS::IAM::Policy") {
		if !strings.HasPrefix(id, "StreamgateApiGatewayAccount") {
			continue
		}
		if n := strings.Count(js(get(r, "Metadata")), `"NIST.800.53.R5-IAMNoInlinePolicy"`); n != 1 {
			t.Errorf("%s: the inline-policy rule is acknowledged %d times", id, n)
		}
	}
	for id, s := range tp.ofType("AWS::ApiGateway::Stage") {
		if get(s, "Properties", "ClientCertificateId") == nil {
			t.Errorf("%s: no client certificate", id)
		}
		if md := js(get(s, "Metadata")); !strings.Contains(md, "NIST.800.53.R5-APIGWCacheEnabledAndEncrypted") {
			t.Errorf("%s: the cache finding is not acknowledged: %s", id, md)
		}
	}
}

// TestComplianceIsScopedAndOffByDefault: the stack next to the regulated
// one in the same app is untouched.
func TestComplianceIsScopedAndOffByDefault(t *testing.T) {
	regulatedStack(t)
	tp := regulated.unchanged
	for _, typ := range []string{"AWS::KMS::Key", "AWS::EC2::SecurityGroup", "AWS::ApiGateway::ClientCertificate", "AWS::EC2::VPCEndpoint"} {
		if n := len(tp.ofType(typ)); n != 0 {
			t.Errorf("%d %s in the stack without the profile", n, typ)
		}
	}
	for id, g := range tp.ofType("AWS::Logs::LogGroup") {
		if get(g, "Properties", "KmsKeyId") != nil {
			t.Errorf("%s is encrypted without the profile", id)
		}
	}
}

func TestComplianceFailsWeakSettings(t *testing.T) {
	msg := cdktest.PanicMessage(t, func() {
		compliance.Strict(&compliance.StrictProps{LogRetention: awslogs.RetentionDays_ONE_MONTH, ObjectLockRetention: awscdk.Duration_Hours(jsii.Number(5)),
			ReservedConcurrency: jsii.Number(0)})
	})
	for _, w := range []string{"compliance.Strict has 4 invalid props", "LogRetention is ONE_MONTH; allowed: ONE_YEAR or longer", "Vpc is unset",
		"ObjectLockRetention is 5 hours; allowed: whole days", "ReservedConcurrency is 0"} {
		if !strings.Contains(msg, w) {
			t.Errorf("message lacks %q:\n%s", w, msg)
		}
	}
	stack := newStack("LockLongerThanExpiry")
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{MaxAzs: jsii.Number(1), NatGateways: jsii.Number(0),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{Name: jsii.String("Fn"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}}})
	profile := compliance.Strict(&compliance.StrictProps{Vpc: vpc, ObjectLockRetention: awscdk.Duration_Days(jsii.Number(10))})
	msg = cdktest.PanicMessage(t, func() {
		uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), &uploads.PresignedUploadApiProps{Compliance: profile})
	})
	if !strings.Contains(msg, "IncomingObjectExpiration is 7 days; allowed: longer than the compliance profile's object lock retention (10 days)") {
		t.Errorf("message: %s", msg)
	}
	msg = cdktest.PanicMessage(t, func() {
		uploads.NewPresignedUploadApi(stack, jsii.String("Uppy"), &uploads.PresignedUploadApiProps{Compliance: profile, CompanionRoutes: jsii.Bool(true),
			IncomingObjectExpiration: awscdk.Duration_Days(jsii.Number(30))})
	})
	if !strings.Contains(msg, "CompanionRoutes is true under the compliance profile in PUT mode; allowed: uploads with a checksum") || !strings.Contains(msg, "Mode: uploads.ModeMultipart") {
		t.Errorf("message: %s", msg)
	}
}

// TestComplianceAnswersControlTower: what the profile sets for AWS Control
// Tower's proactive controls (test/controltower_test.go runs the controls
// themselves on the apps).
func TestComplianceAnswersControlTower(t *testing.T) {
	tp := regulatedStack(t)
	// CT.KMS.PR.3: every key denies CreateGrant unless for AWS services.
	for id, k := range tp.ofType("AWS::KMS::Key") {
		if p := js(get(k, "Properties", "KeyPolicy")); !strings.Contains(p, `{"Action":"kms:CreateGrant","Condition":{"BoolIfExists":{"aws:PrincipalIsAWSService":"false","kms:GrantIsForAWSResource":"false"}},"Effect":"Deny","Principal":{"AWS":"*"},"Resource":"*","Sid":"GrantsOnlyForAWSServices"}`) {
			t.Errorf("%s: no CreateGrant limit in %s", id, p)
		}
	}
	// CT.LAMBDA.PR.2: no console test-invoke permissions; in this
	// env-agnostic stack SourceAccount is a Ref, and a warning says so.
	for id, p := range tp.ofType("AWS::Lambda::Permission") {
		if strings.Contains(js(get(p, "Properties", "SourceArn")), "test-invoke-stage") {
			t.Errorf("%s: a test-invoke permission under the profile", id)
		}
		want(t, id+" SourceAccount", get(p, "Properties", "SourceAccount"), map[string]any{"Ref": "AWS::AccountId"})
	}
	warnings := assertions.Annotations_FromStack(awscdk.Stack_Of(regulated.api)).FindWarning(jsii.String("/Regulated"),
		assertions.Match_StringLikeRegexp(jsii.String("CT.LAMBDA.PR.2 cannot read")))
	if len(*warnings) != 1 {
		t.Errorf("%d warnings about the env-agnostic account, want 1 for the stack", len(*warnings))
	}
	// CT.S3.PR.4 answered, CT.S3.PR.2, 9 and 10 acknowledged on the log
	// destination.
	logs := tp.res(tp.id(regulated.put.AccessLogsBucket.Node().DefaultChild()))
	want(t, "log bucket events", get(logs, "Properties", "NotificationConfiguration"), map[string]any{"EventBridgeConfiguration": map[string]any{"EventBridgeEnabled": true}})
	ack := js(get(logs, "Metadata", "control_tower"))
	for _, id := range []string{"CT.S3.PR.2", "CT.S3.PR.9", "CT.S3.PR.10"} {
		if !strings.Contains(ack, `"id":"`+id+`"`) {
			t.Errorf("log bucket: %s not acknowledged: %s", id, ack)
		}
	}
	// Without the profile: the test-invoke permissions stay (aws-cdk's
	// default), and nothing is acknowledged.
	var testInvoke int
	for _, p := range regulated.unchanged.ofType("AWS::Lambda::Permission") {
		if strings.Contains(js(get(p, "Properties", "SourceArn")), "test-invoke-stage") {
			testInvoke++
		}
	}
	if testInvoke == 0 {
		t.Error("the stack without the profile lost its test-invoke permissions")
	}
	if n := strings.Count(js(regulated.unchanged.Resources), "control_tower"); n != 0 {
		t.Errorf("%d control_tower acknowledgements without the profile", n)
	}
}
