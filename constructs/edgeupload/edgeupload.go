// Package edgeupload defines EdgeUploadEndpoint: one plain authenticated
// PUT URL for callers who will not do two steps, through CloudFront to S3,
// past Lambda's 6 MB and API Gateway's 10 MB request limits:
//
//	ep := edgeupload.NewEdgeUploadEndpoint(stack, jsii.String("PartnerUploads"), &edgeupload.EdgeUploadEndpointProps{
//		MaxObjectSize: awscdk.Size_Gibibytes(jsii.Number(2)),
//	})
//
// A caller then uploads with one request:
//
//	curl -T file.bin -L -H "Authorization: Bearer $TOKEN" https://d111.cloudfront.net/u/file.bin
//
// Callers carry a short-lived HMAC token (package lambda/edgetoken) that
// the team's backend issues. In ModeRedirect (default) a Lambda@Edge
// function checks it and answers 307 with a presigned PUT; in ModeThrough a
// CloudFront Function checks it and the body passes through CloudFront to
// S3 under origin access control. The server chooses the key:
// <KeyPrefix><sub>/<upload id>/<name>.
//
// Defaults: the bucket as PresignedUploadApi makes it; CloudFront with
// caching disabled, HTTPS only, TLSv1.2_2021 with your certificate, access
// logs to a bucket of their own; only PUT (and OPTIONS) pass the function;
// the Lambda@Edge function retained on delete (its replicas outlive the
// stack for hours) and its logs kept ONE_MONTH in the regions you list.
package edgeupload

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront/experimental"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53targets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/customdomain"
	"github.com/streamgate/streamgate/constructs/internal/cfndeps"
	"github.com/streamgate/streamgate/constructs/internal/nagack"
	"github.com/streamgate/streamgate/constructs/internal/propcheck"
	"github.com/streamgate/streamgate/constructs/internal/uploadbucket"
	"github.com/streamgate/streamgate/constructs/uploaddefaults"
	"github.com/streamgate/streamgate/internal/edge"
)

// EdgeUploadEndpoint is a CloudFront distribution that takes authenticated
// PUT /u/<name> uploads into an S3 bucket.
type EdgeUploadEndpoint struct {
	constructs.Construct

	// Distribution serves the endpoint.
	Distribution awscloudfront.Distribution
	// Bucket receives the uploads: the new bucket or Props.Bucket.
	Bucket awss3.IBucket
	// AccessLogsBucket receives the new bucket's server access logs; nil
	// with an existing Bucket and no AccessLogsBucket.
	AccessLogsBucket awss3.IBucket
	// CdnLogsBucket receives the distribution's access logs.
	CdnLogsBucket awss3.Bucket
	// EdgeFunction is the Lambda@Edge function (ModeRedirect), else nil.
	EdgeFunction experimental.EdgeFunction
	// TokenKeys holds the keys (ModeRedirect), else nil.
	TokenKeys awssecretsmanager.ISecret
	// CloudFrontFunction is the CloudFront Function (ModeThrough), else nil.
	CloudFrontFunction awscloudfront.Function
	// KeyValueStore holds the keys (ModeThrough), else nil.
	KeyValueStore awscloudfront.IKeyValueStore
	// Url is where uploads go: https://<domain>/u/ (also a stack output).
	Url *string
	// Mode is the endpoint's mode.
	Mode Mode
}

// ToString is the construct's path.
func (e *EdgeUploadEndpoint) ToString() *string { return e.Node().Path() }

type resolved struct {
	mode         Mode
	cfg          edge.Config
	incoming     awscdk.Duration
	removal      awscdk.RemovalPolicy
	logRegions   []string
	logRetention awslogs.RetentionDays
	region       string
	hash         string
}

// NewEdgeUploadEndpoint creates the bucket (or takes Props.Bucket), the
// edge code, its keys' store and the distribution. Invalid props stop
// synth with every problem listed.
func NewEdgeUploadEndpoint(scope constructs.Construct, id *string, p *EdgeUploadEndpointProps) *EdgeUploadEndpoint {
	defer propcheck.Guard("EdgeUploadEndpoint", scope, id)
	if p == nil {
		p = &EdgeUploadEndpointProps{}
	}
	problems := propcheck.NewProblems("EdgeUploadEndpoint", scope, id)
	problems.CheckUnique(scope, id)
	r := validate(problems, scope, id, p)
	problems.Check()

	e := &EdgeUploadEndpoint{Mode: r.mode}
	constructs.NewConstruct_Override(e, scope, id)
	e.newBuckets(p, r)
	behavior := &awscloudfront.BehaviorOptions{
		AllowedMethods:       awscloudfront.AllowedMethods_ALLOW_ALL(), // the only set with PUT; the edge code refuses all but PUT and OPTIONS
		CachedMethods:        awscloudfront.CachedMethods_CACHE_GET_HEAD(),
		CachePolicy:          awscloudfront.CachePolicy_CACHING_DISABLED(),
		ViewerProtocolPolicy: awscloudfront.ViewerProtocolPolicy_HTTPS_ONLY, // a redirect would lose the body
		Compress:             jsii.Bool(false),
	}
	if r.mode == ModeRedirect {
		e.addRedirect(p, r, behavior)
	} else {
		e.addThrough(p, r, behavior)
	}
	e.newDistribution(p, r, behavior)
	e.addURL(p, r)
	dropProviderRoleDependencies(awscdk.Stack_Of(e))
	return e
}

// newBuckets is the upload bucket (Props.Bucket, or a new one with the
// upload constructs' defaults), its access logs, and the CDN logs bucket.
func (e *EdgeUploadEndpoint) newBuckets(p *EdgeUploadEndpointProps, r *resolved) {
	e.Bucket, e.AccessLogsBucket = p.Bucket, p.AccessLogsBucket
	if e.Bucket == nil {
		bp := awss3.BucketProps{}
		if p.BucketProps != nil {
			bp = *p.BucketProps
		}
		if r.mode == ModeRedirect && bp.BucketName == nil {
			// The Lambda@Edge function lives in us-east-1 and cannot
			// reference this stack: it rebuilds the name (r.cfg.Bucket)
			// from its own account id.
			before, after, _ := strings.Cut(r.cfg.Bucket, edge.AccountPlaceholder)
			bp.BucketName = awscdk.Fn_Join(jsii.String(""), jsii.Strings(before, *awscdk.Aws_ACCOUNT_ID(), after))
		}
		e.Bucket, e.AccessLogsBucket = uploadbucket.New(e, &uploadbucket.Props{
			KeyPrefix:                   r.cfg.Prefix,
			IncomingObjectExpiration:    r.incoming,
			AbortIncompleteUploadsAfter: awscdk.Duration_Days(jsii.Number(uploaddefaults.AbortIncompleteUploadsAfterDays)),
			BucketProps:                 &bp,
			AccessLogsBucket:            p.AccessLogsBucket,
			RemovalPolicy:               r.removal,
			CorsOrigins:                 r.cfg.CorsOrigins,
		})
	}
	e.CdnLogsBucket = e.newCdnLogsBucket(r)
}

// newDistribution is the CloudFront distribution with behavior, marked
// for the local runner with the edge code's config.
func (e *EdgeUploadEndpoint) newDistribution(p *EdgeUploadEndpointProps, r *resolved, behavior *awscloudfront.BehaviorOptions) {
	priceClass := p.PriceClass
	if priceClass == "" {
		priceClass = awscloudfront.PriceClass_PRICE_CLASS_100
	}
	domainNames, cert := e.domainCertificate(p.Domain)
	e.Distribution = awscloudfront.NewDistribution(e, jsii.String("Distribution"), &awscloudfront.DistributionProps{
		Comment:                jsii.String(truncate("streamgate edge uploads: "+*e.Node().Path(), 128)),
		DefaultBehavior:        behavior,
		DomainNames:            domainNames,
		Certificate:            cert,
		MinimumProtocolVersion: minimumProtocol(p),
		HttpVersion:            awscloudfront.HttpVersion_HTTP2_AND_3,
		EnableLogging:          jsii.Bool(true),
		LogBucket:              e.CdnLogsBucket,
		LogFilePrefix:          jsii.String("cdn/"),
		PriceClass:             priceClass,
		WebAclId:               p.WebAclArn,
	})
	cfn := e.Distribution.Node().DefaultChild().(awscloudfront.CfnDistribution)
	cfn.AddMetadata(jsii.String(edge.MetadataKey), map[string]any{"mode": string(r.mode), "config": plain(r.cfg.Complete())})
	e.acknowledgeDistribution(p)
}

// addURL is the endpoint's URL, on Props.Domain (with its alias records)
// or the distribution's own name, and the stack output "Url".
func (e *EdgeUploadEndpoint) addURL(p *EdgeUploadEndpointProps, r *resolved) {
	host := e.Distribution.DistributionDomainName()
	if p.Domain != nil {
		host = p.Domain.DomainName
		e.addAliasRecords(p.Domain)
	}
	e.Url = jsii.String("https://" + *host + edge.Path)
	awscdk.NewCfnOutput(e, jsii.String("Url"), &awscdk.CfnOutputProps{
		Value:       e.Url,
		Description: jsii.String("PUT <Url><file name> with Authorization: Bearer <token> (" + string(r.mode) + " mode)"),
	})
}

// dropProviderRoleDependencies removes, from the functions aws-cdk adds to
// the stack for this construct (LogRetention's, and EdgeFunction's
// cross-region parameter reader), the DependsOn on the role their Role
// property already names (cfn-lint W3005). Both are singletons of the
// stack, found by aws-cdk's construct ids; absent ones are skipped.
func dropProviderRoleDependencies(stack awscdk.Stack) {
	for _, p := range []struct{ id, fn, role string }{
		{"LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a", "Resource", "ServiceRole"},
		{"Custom::CrossRegionStringParameterReaderCustomResourceProvider", "Handler", "Role"},
	} {
		c := stack.Node().TryFindChild(jsii.String(p.id))
		if c == nil {
			continue
		}
		fnRes, ok1 := c.Node().TryFindChild(jsii.String(p.fn)).(awscdk.CfnResource)
		role := c.Node().TryFindChild(jsii.String(p.role))
		roleRes, ok2 := role.(awscdk.CfnResource) // the provider's role is a CfnResource,
		if !ok2 && role != nil {                  // LogRetention's an iam.Role
			roleRes, ok2 = role.Node().DefaultChild().(awscdk.CfnResource)
		}
		if ok1 && ok2 {
			cfndeps.Drop(fnRes, roleRes)
		}
	}
}

// newCdnLogsBucket is where CloudFront writes access logs: standard
// logging needs ACLs, so it cannot share the upload bucket's logs bucket
// (ownership enforced).
func (e *EdgeUploadEndpoint) newCdnLogsBucket(r *resolved) awss3.Bucket {
	lp := &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED, // CloudFront cannot write SSE-KMS log objects without a key grant
		EnforceSSL:        jsii.Bool(true),
		MinimumTLSVersion: jsii.Number(1.2),
		ObjectOwnership:   awss3.ObjectOwnership_OBJECT_WRITER,
		RemovalPolicy:     r.removal,
		LifecycleRules:    &[]*awss3.LifecycleRule{{Id: jsii.String("ExpireCdnLogs"), Expiration: awscdk.Duration_Days(jsii.Number(365))}},
	}
	if e.AccessLogsBucket != nil {
		lp.ServerAccessLogsBucket = e.AccessLogsBucket
		lp.ServerAccessLogsPrefix = jsii.String("cdn-logs/")
	}
	b := awss3.NewBucket(e, jsii.String("CdnLogs"), lp)
	if e.AccessLogsBucket == nil {
		nagack.Acknowledge(b, nagack.Rule{Id: "AwsSolutions-S1", Reason: "This bucket holds the distribution's access logs; with an existing upload Bucket " +
			"and no AccessLogsBucket there is no bucket to log its own accesses to (pass AccessLogsBucket)."})
	}
	return b
}

// addRedirect makes the Lambda@Edge function, its key secret and its
// permissions (ModeRedirect).
func (e *EdgeUploadEndpoint) addRedirect(p *EdgeUploadEndpointProps, r *resolved, behavior *awscloudfront.BehaviorOptions) {
	r.cfg.SecretID = e.tokenKeys(p, r)
	r.cfg.SecretRegion = r.region
	fn := e.newEdgeFunction(r)
	e.addEdgeLogRetention(r, fn)
	behavior.EdgeLambdas = &[]*awscloudfront.EdgeLambda{{
		EventType:       awscloudfront.LambdaEdgeEventType_VIEWER_REQUEST,
		FunctionVersion: fn.CurrentVersion(),
		IncludeBody:     jsii.Bool(false), // the body never passes through the function
	}}
	// The function answers every request, so CloudFront never reaches the
	// origin; it gets no access to the bucket (no OAC, no bucket policy).
	behavior.Origin = awscloudfrontorigins.S3BucketOrigin_WithBucketDefaults(e.Bucket, nil)
}

// tokenKeys is the name of the secret that holds the token keys:
// Props.TokenKeys, or a new secret ("TokenKeys") with one generated key.
func (e *EdgeUploadEndpoint) tokenKeys(p *EdgeUploadEndpointProps, r *resolved) string {
	hash := r.hash
	e.TokenKeys = p.TokenKeys
	var secretName string
	if e.TokenKeys != nil {
		secretName = *e.TokenKeys.SecretName() // validated: known at synth time
	} else {
		// Named, because SecretName of a new secret is a Token that the
		// us-east-1 stack cannot resolve.
		secretName = "streamgate/edge-upload/" + hash
		secret := awssecretsmanager.NewSecret(e, jsii.String("TokenKeys"), &awssecretsmanager.SecretProps{
			SecretName:  jsii.String(secretName),
			Description: jsii.String("streamgate edge upload keys of " + *e.Node().Path() + ` as {"<key id>":"<secret>"}`),
			GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
				SecretStringTemplate: jsii.String("{}"),
				GenerateStringKey:    jsii.String("k1"),
				PasswordLength:       jsii.Number(48),
				ExcludePunctuation:   jsii.Bool(true),
			},
			RemovalPolicy: r.removal,
		})
		nagack.Acknowledge(secret, nagack.Rule{Id: "AwsSolutions-SMG4", Reason: "Token keys rotate by key id, not by Secrets Manager rotation: " +
			"add a key, issue tokens with it, remove the old one once its tokens have expired (README, edge uploads)."})
		e.TokenKeys = secret
	}
	return secretName
}

// newEdgeFunction is the Lambda@Edge function of Redirect mode, made by CDK
// in us-east-1, with its code and config as an asset and a role that may
// write under the prefix and read the token keys.
func (e *EdgeUploadEndpoint) newEdgeFunction(r *resolved) experimental.EdgeFunction {
	hash, bucketName, secretName := r.hash, r.cfg.Bucket, r.cfg.SecretID
	dir := writeAsset(edge.RedirectFiles(r.cfg))

	fnName := edgeFunctionName(r)
	// CDK creates the function under this id in the one us-east-1 stack
	// that every edge function of the app shares: it must be unique there.
	fn := experimental.NewEdgeFunction(e, jsii.String("EdgeFunction"+hash), &experimental.EdgeFunctionProps{
		FunctionName: jsii.String(fnName),
		Description:  jsii.String(truncate("streamgate edge upload (Redirect): "+*e.Node().Path(), 256)),
		Code:         awslambda.Code_FromAsset(jsii.String(dir), nil),
		Handler:      jsii.String("index.handler"),
		Runtime:      awslambda.Runtime_NODEJS_22_X(),
		MemorySize:   jsii.Number(128),
		Timeout:      awscdk.Duration_Seconds(jsii.Number(5)), // Lambda@Edge's viewer-request maximum
	})
	e.EdgeFunction = fn
	// Retained on delete: CloudFront keeps replicas of the function for
	// hours after the distribution lets go of it, and deleting it before
	// fails the whole stack deletion.
	fn.Lambda().Node().DefaultChild().(awscdk.CfnResource).ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)

	partition, account := *awscdk.Aws_PARTITION(), *awscdk.Aws_ACCOUNT_ID()
	objects := "arn:" + partition + ":s3:::" + strings.ReplaceAll(bucketName, edge.AccountPlaceholder, account) + "/" + r.cfg.Prefix + "*"
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("PresignUploadsUnderPrefix"),
		Actions:   jsii.Strings("s3:PutObject"),
		Resources: jsii.Strings(objects),
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadTokenKeys"),
		Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: jsii.Strings("arn:" + partition + ":secretsmanager:" + r.region + ":" + account + ":secret:" + secretName + "-??????"),
	}))
	role := fn.Lambda().Node().FindChild(jsii.String("ServiceRole"))                                                      // EdgeFunction.Role() is nil across regions
	cfndeps.Drop(fn.Lambda().Node().DefaultChild().(awscdk.CfnResource), role.Node().DefaultChild().(awscdk.CfnResource)) // cfn-lint W3005
	nagack.Acknowledge(role, nagack.Rule{Id: "AwsSolutions-IAM4", Reason: "The Lambda@Edge function's role uses AWSLambdaBasicExecutionRole, " +
		"which CDK's EdgeFunction attaches so the function can log in every region that runs it.",
		AppliesTo: []any{"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}})
	nagack.Acknowledge(role.Node().FindChild(jsii.String("DefaultPolicy")).Node().DefaultChild(), nagack.Rule{Id: "AwsSolutions-IAM5",
		Reason: "The presigned URLs the function issues carry its permissions: it may write any key under the upload prefix " + r.cfg.Prefix +
			", because each key is made per upload (prefix/sub/upload id/name); it has no other S3 access.",
		AppliesTo: []any{nagack.Regex("/^Resource::arn:<AWS::Partition>:s3:::.*" + regexp.QuoteMeta("/"+r.cfg.Prefix+"*") + "$/")}})
	const edgeRuntime = "Lambda@Edge gets Node.js 22, the runtime this code is written and tested for (node --test); " +
		"newer Lambda runtimes reach Lambda@Edge later, and the code uses nothing newer."
	nagack.Acknowledge(fn.Lambda(),
		nagack.Rule{Id: "AwsSolutions-L1", Reason: edgeRuntime},
		nagack.Rule{Id: "Serverless-LambdaLatestVersion", Reason: edgeRuntime},
		nagack.Rule{Id: "Serverless-LambdaDLQ", Reason: "CloudFront invokes the function synchronously for each viewer request and returns its errors; a dead-letter queue only receives asynchronous failures."},
		nagack.Rule{Id: "Serverless-LambdaTracing", Reason: "Lambda@Edge does not support X-Ray active tracing."},
		nagack.Rule{Id: "Serverless-LambdaDefaultMemorySize", Reason: "128 MB is Lambda@Edge's viewer-request maximum; the function signs a URL and needs no more."},
	)
	return fn
}

// edgeFunctionName is the Lambda@Edge function's name, unique per stack
// and construct path.
func edgeFunctionName(r *resolved) string { return truncate("sg-edge-upload-"+r.hash, 64) }

// addEdgeLogRetention sets the retention of the function's log group in
// each region whose viewers it serves (Lambda@Edge logs where it runs).
func (e *EdgeUploadEndpoint) addEdgeLogRetention(r *resolved, fn experimental.EdgeFunction) {
	fnName := edgeFunctionName(r)
	for i, region := range r.logRegions {
		awslogs.NewLogRetention(e, jsii.String(fmt.Sprintf("EdgeLogRetention%d", i)), &awslogs.LogRetentionProps{
			LogGroupName:   jsii.String("/aws/lambda/us-east-1." + fnName),
			LogGroupRegion: jsii.String(region),
			Retention:      r.logRetention,
		})
	}
	acknowledgeLogRetention(awscdk.Stack_Of(e))
}

// addThrough makes the CloudFront Function and its key store; the body
// passes through to S3 under origin access control (ModeThrough).
func (e *EdgeUploadEndpoint) addThrough(p *EdgeUploadEndpointProps, r *resolved, behavior *awscloudfront.BehaviorOptions) {
	e.KeyValueStore = p.KeyValueStore
	if e.KeyValueStore == nil {
		e.KeyValueStore = awscloudfront.NewKeyValueStore(e, jsii.String("Keys"), &awscloudfront.KeyValueStoreProps{
			Comment: jsii.String(truncate("streamgate edge upload keys (sgt1:<key id>) of "+*e.Node().Path(), 128)),
		})
	}
	e.CloudFrontFunction = awscloudfront.NewFunction(e, jsii.String("ViewerRequest"), &awscloudfront.FunctionProps{
		Comment:       jsii.String(truncate("streamgate edge upload (Through): "+*e.Node().Path(), 128)),
		Code:          awscloudfront.FunctionCode_FromInline(jsii.String(edge.ThroughCode(r.cfg, *e.KeyValueStore.KeyValueStoreId()))),
		Runtime:       awscloudfront.FunctionRuntime_JS_2_0(),
		KeyValueStore: e.KeyValueStore,
	})
	behavior.FunctionAssociations = &[]*awscloudfront.FunctionAssociation{{
		EventType: awscloudfront.FunctionEventType_VIEWER_REQUEST,
		Function:  e.CloudFrontFunction,
	}}
	forward := jsii.Strings("Content-Type", "If-None-Match")
	if len(r.cfg.CorsOrigins) > 0 {
		*forward = append(*forward, jsii.String("Origin")) // S3 adds the CORS headers to its answer
	}
	behavior.OriginRequestPolicy = awscloudfront.NewOriginRequestPolicy(e, jsii.String("OriginRequest"), &awscloudfront.OriginRequestPolicyProps{
		Comment:             jsii.String("streamgate edge uploads: only the headers S3 needs for the PUT"),
		HeaderBehavior:      awscloudfront.OriginRequestHeaderBehavior_AllowList(*forward...),
		QueryStringBehavior: awscloudfront.OriginRequestQueryStringBehavior_None(),
		CookieBehavior:      awscloudfront.OriginRequestCookieBehavior_None(),
	})
	behavior.Origin = awscloudfrontorigins.S3BucketOrigin_WithOriginAccessControl(e.Bucket, &awscloudfrontorigins.S3BucketOriginWithOACProps{
		OriginAccessLevels: &[]awscloudfront.AccessLevel{awscloudfront.AccessLevel_WRITE},
	})
}

func (e *EdgeUploadEndpoint) acknowledgeDistribution(p *EdgeUploadEndpointProps) {
	rules := []nagack.Rule{{Id: "AwsSolutions-CFR1", Reason: "Uploads are authenticated per request by a short-lived token; " +
		"which countries callers upload from is the team's policy (add a GeoRestriction through the escape hatch if it has one)."}}
	if e.Mode == ModeRedirect {
		rules = append(rules, nagack.Rule{Id: "AwsSolutions-CFR7", Reason: "In Redirect mode the Lambda@Edge function answers every request with a 307 " +
			"or an error, so CloudFront never reaches the bucket; the origin is given no access at all, not even through origin access control."})
	}
	if p.WebAclArn == nil {
		// The reason is template text, kept as deployed stacks have it: it
		// spells WebAclArn as it was named before issue 28.
		rules = append(rules, nagack.Rule{Id: "AwsSolutions-CFR2", Reason: "Every request is authenticated at the edge before it reaches S3, " +
			"and a web ACL cannot inspect upload bodies past 64 KB; pass WebACLARN (a CLOUDFRONT-scope ACL) for rate limits or IP rules."})
	}
	if p.Domain == nil {
		rules = append(rules, nagack.Rule{Id: "AwsSolutions-CFR4", Reason: "Without Domain the distribution uses the *.cloudfront.net " +
			"certificate, whose viewer policy CloudFront fixes at TLSv1; with Domain the construct sets TLSv1.2_2021."})
	}
	nagack.Acknowledge(e.Distribution, rules...)
}

// acknowledgeLogRetention acknowledges, once per stack, the findings on
// CDK's LogRetention function (a singleton that sets retention on log
// groups in other regions).
func acknowledgeLogRetention(stack awscdk.Stack) {
	fn := stack.Node().TryFindChild(jsii.String("LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a"))
	if fn == nil {
		return
	}
	role := fn.Node().FindChild(jsii.String("ServiceRole"))
	nagack.Acknowledge(role, nagack.Rule{Id: "AwsSolutions-IAM4", Reason: "CDK's LogRetention function (it sets the retention of the edge function's log groups in other regions) " +
		"uses AWSLambdaBasicExecutionRole for its own logs.", AppliesTo: []any{"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}})
	nagack.Acknowledge(role.Node().FindChild(jsii.String("DefaultPolicy")), nagack.Rule{Id: "AwsSolutions-IAM5", Reason: "CDK's LogRetention function sets retention on log groups that exist only once the edge function " +
		"has run in a region, so its policy cannot name them.", AppliesTo: []any{"Resource::*"}})
}

// writeAsset writes files into a directory named after their content, so
// that the same files give the same asset.
func writeAsset(files map[string]string) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00%s", n, len(files[n]), files[n])
	}
	dir := filepath.Join(os.TempDir(), "streamgate-edge-"+hex.EncodeToString(h.Sum(nil))[:16])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		propcheck.Fail(fmt.Errorf("EdgeUploadEndpoint: writing the edge function's code: %w", err))
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(files[n]), 0o644); err != nil {
			propcheck.Fail(fmt.Errorf("EdgeUploadEndpoint: writing the edge function's code: %w", err))
		}
	}
	return dir
}

// domainCertificate are the distribution's names and certificate: none
// without d, else d's name and certificate, or a new certificate validated
// by DNS in d.HostedZone ("Certificate"; validation allows it only in a
// us-east-1 stack).
func (e *EdgeUploadEndpoint) domainCertificate(d *customdomain.DomainProps) (*[]*string, awscertificatemanager.ICertificate) {
	if d == nil {
		return nil, nil
	}
	cert := d.Certificate
	if cert == nil {
		cert = awscertificatemanager.NewCertificate(e, jsii.String("Certificate"), &awscertificatemanager.CertificateProps{
			DomainName: d.DomainName,
			Validation: awscertificatemanager.CertificateValidation_FromDns(d.HostedZone),
		})
	}
	return &[]*string{d.DomainName}, cert
}

// addAliasRecords points d's name at the distribution, IPv4 and IPv6
// ("DomainAlias", "DomainAliasIpv6"), when d has a hosted zone.
func (e *EdgeUploadEndpoint) addAliasRecords(d *customdomain.DomainProps) {
	if d.HostedZone == nil {
		return
	}
	target := awsroute53.RecordTarget_FromAlias(awsroute53targets.NewCloudFrontTarget(e.Distribution))
	awsroute53.NewARecord(e, jsii.String("DomainAlias"), &awsroute53.ARecordProps{Zone: d.HostedZone, RecordName: d.DomainName, Target: target})
	awsroute53.NewAaaaRecord(e, jsii.String("DomainAliasIpv6"), &awsroute53.AaaaRecordProps{Zone: d.HostedZone, RecordName: d.DomainName, Target: target})
}

// minimumProtocol is TLSv1.2_2021 with a certificate of the team's; the
// *.cloudfront.net certificate's policy is fixed (and CDK warns if set).
func minimumProtocol(p *EdgeUploadEndpointProps) awscloudfront.SecurityPolicyProtocol {
	if p.Domain == nil {
		return ""
	}
	return awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2021
}

// plain is v as JSON values (maps, slices, strings, numbers), which jsii
// can pass to the CDK; it cannot pass Go structs as "any".
func plain(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:10]
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
