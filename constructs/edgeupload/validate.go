package edgeupload

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/streamgate/streamgate/constructs/customdomain"
	"github.com/streamgate/streamgate/constructs/internal/propcheck"
	"github.com/streamgate/streamgate/constructs/uploaddefaults"
	"github.com/streamgate/streamgate/internal/edge"
)

var (
	regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	hostPattern   = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	webAclPattern = regexp.MustCompile(`^arn:aws[a-z-]*:wafv2:us-east-1:[0-9]{12}:global/webacl/[^/]+/[^/]+$`)
)

func validate(p *propcheck.Problems, scope constructs.Construct, id *string, ep *EdgeUploadEndpointProps) *resolved {
	r := &resolved{mode: ep.Mode, removal: ep.RemovalPolicy}
	stack := awscdk.Stack_Of(scope)
	// A name for what the edge function must find without a cross-region
	// reference: unique per stack and construct path.
	r.hash = shortHash(*stack.StackName() + "/" + *scope.Node().Path() + "/" + propcheck.Quote(id))
	if r.removal == "" {
		r.removal = awscdk.RemovalPolicy_RETAIN
	}
	r.cfg.Path = edge.Path
	r.validateMode(p, stack, ep)
	r.cfg.MaxSize = maxObjectSize(p, ep.MaxObjectSize)
	r.cfg.Types = p.MediaTypes("AllowedContentTypes", ep.AllowedContentTypes, uploaddefaults.ContentTypes())
	r.cfg.Prefix = p.KeyPrefix("KeyPrefix", ep.KeyPrefix, uploaddefaults.KeyPrefix)
	r.cfg.CorsOrigins = p.CheckCors("Cors", ep.Cors, propcheck.CorsFields{Why: "the endpoint's methods and headers are fixed by its protocol"})
	r.cfg.MaxLifetime = seconds(p, "MaxTokenLifetime", ep.MaxTokenLifetime, DefaultMaxTokenLifetimeMinutes*60, 60, 24*3600, "1 minute to 24 hours")
	r.incoming = p.WholeDays("IncomingObjectExpiration", ep.IncomingObjectExpiration, uploaddefaults.IncomingObjectExpirationDays)
	r.validateModeSettings(p, ep)
	if r.mode == ModeRedirect {
		r.validateRedirect(p, ep)
	}
	r.validateBucket(p, ep)
	r.validateDistribution(p, scope, ep)
	return r
}

// validateMode resolves Mode, and the stack's region, which Redirect mode
// needs.
func (r *resolved) validateMode(p *propcheck.Problems, stack awscdk.Stack, ep *EdgeUploadEndpointProps) {
	switch r.mode {
	case "":
		r.mode = ModeRedirect
	case ModeRedirect, ModeThrough:
	default:
		p.Add("Mode", fmt.Sprintf("%q", ep.Mode), "edgeupload.ModeRedirect or ModeThrough", "use one of those modes")
	}
	if region := stack.Region(); !*awscdk.Token_IsUnresolved(region) {
		r.region = *region
	} else if r.mode == ModeRedirect {
		p.Add("Mode", "ModeRedirect in a stack without an explicit region", "a stack with env.Region set: the Lambda@Edge function is made in us-east-1 "+
			"by a stack CDK derives from this one, and must know the bucket's region",
			`give the stack Env: &awscdk.Environment{Region: jsii.String("eu-west-1")}, or use Mode: edgeupload.ModeThrough`)
	}
}

// maxObjectSize is v in bytes, DefaultMaxObjectSize when unset.
func maxObjectSize(p *propcheck.Problems, v awscdk.Size) int64 {
	if v == nil {
		return DefaultMaxObjectSize
	}
	if *v.IsUnresolved() {
		p.Add("MaxObjectSize", "a Token", "a size known at synth time (the edge code checks it)", "use a literal awscdk.Size")
	} else if n := int64(*v.ToBytes(nil)); n <= 0 || n > MaxSinglePutSize {
		p.Add("MaxObjectSize", propcheck.Bytes(n), "1 byte to 5 GiB: one S3 PUT", "lower MaxObjectSize, or use uploads.PresignedUploadApi with ModeMultipart for larger objects")
	} else {
		return n
	}
	return DefaultMaxObjectSize
}

// validateModeSettings refuses the settings of the other mode.
func (r *resolved) validateModeSettings(p *propcheck.Problems, ep *EdgeUploadEndpointProps) {
	onlyIn := func(field string, set bool, mode Mode, fix string) {
		if set && r.mode != mode {
			p.Add(field, "set in "+string(r.mode)+" mode", "a setting of "+string(mode)+" mode only", fix)
		}
	}
	onlyIn("UrlExpiration", ep.UrlExpiration != nil, ModeRedirect, "drop UrlExpiration: in Through mode no URL is presigned")
	onlyIn("KeyCacheTime", ep.KeyCacheTime != nil, ModeRedirect, "drop KeyCacheTime: the CloudFront Function reads the KeyValueStore on each request")
	onlyIn("TokenKeys", ep.TokenKeys != nil, ModeRedirect, "put the keys into a KeyValueStore and pass KeyValueStore")
	onlyIn("LogRegions", ep.LogRegions != nil, ModeRedirect, "drop LogRegions: CloudFront Functions log to us-east-1 only")
	onlyIn("LogRetention", ep.LogRetention != "", ModeRedirect, "drop LogRetention: there is no Lambda@Edge function in Through mode")
	onlyIn("KeyValueStore", ep.KeyValueStore != nil, ModeThrough, "store the keys in a Secrets Manager secret and pass TokenKeys")
}

// validateRedirect resolves the settings of Redirect mode: the URLs'
// expiry, the key cache, and the Lambda@Edge function's logs.
func (r *resolved) validateRedirect(p *propcheck.Problems, ep *EdgeUploadEndpointProps) {
	r.cfg.Expires = seconds(p, "UrlExpiration", ep.UrlExpiration, DefaultUrlExpirationMinutes*60, 60, 3600, "1 minute to 1 hour (the URL is signed with the function's role session)")
	r.cfg.KeyCacheSeconds = seconds(p, "KeyCacheTime", ep.KeyCacheTime, DefaultKeyCacheTimeMinutes*60, 0, 3600, "0 to 1 hour")
	r.cfg.Region = r.region
	r.logRetention = ep.LogRetention
	if r.logRetention == "" {
		r.logRetention = awslogs.RetentionDays_ONE_MONTH
	}
	r.logRegions = []string{}
	if ep.LogRegions == nil {
		if r.region != "" {
			r.logRegions = append(r.logRegions, r.region)
		}
		if r.region != "us-east-1" {
			r.logRegions = append(r.logRegions, "us-east-1")
		}
	} else {
		if len(*ep.LogRegions) == 0 {
			p.Add("LogRegions", "an empty list", "one or more region names", "list the regions whose viewers upload, or leave it unset for the stack's region and us-east-1")
		}
		for i, region := range *ep.LogRegions {
			if region == nil || !regionPattern.MatchString(*region) {
				p.Add(fmt.Sprintf("LogRegions[%d]", i), propcheck.Quote(region), "a region name such as \"eu-west-1\"", "write the region's code")
				continue
			}
			r.logRegions = append(r.logRegions, *region)
		}
	}
}

// validateBucket checks Bucket and BucketProps, and names the bucket the
// Lambda@Edge function of Redirect mode writes to.
func (r *resolved) validateBucket(p *propcheck.Problems, ep *EdgeUploadEndpointProps) {
	redirect := r.mode == ModeRedirect
	if ep.Bucket != nil {
		if ep.BucketProps != nil {
			p.Add("BucketProps", "set together with Bucket", "settings of a new bucket only", "drop BucketProps, or drop Bucket to let the construct create one")
		}
		if redirect {
			if name := ep.Bucket.BucketName(); *awscdk.Token_IsUnresolved(name) {
				p.Add("Bucket", "a bucket whose name is a Token", "in Redirect mode, a bucket whose name is known at synth time: the Lambda@Edge function in us-east-1 cannot reference this stack",
					`import it with awss3.Bucket_FromBucketName(stack, jsii.String("Uploads"), jsii.String("my-bucket")), or leave Bucket unset`)
			} else {
				r.cfg.Bucket = *name
			}
		}
	}
	if bp := ep.BucketProps; bp != nil {
		if bp.Encryption == awss3.BucketEncryption_KMS || bp.Encryption == awss3.BucketEncryption_KMS_MANAGED || bp.Encryption == awss3.BucketEncryption_DSSE || bp.EncryptionKey != nil {
			p.Add("BucketProps.Encryption", string(bp.Encryption), "SSE-S3 (S3_MANAGED): the edge code is given no KMS key", "drop the encryption setting, or use uploads.PresignedUploadApi with EncryptionKey")
		}
		if redirect && bp.BucketName != nil {
			if *awscdk.Token_IsUnresolved(bp.BucketName) {
				p.Add("BucketProps.BucketName", "a Token", "in Redirect mode, a name known at synth time", "use a literal name, or leave it unset")
			} else {
				r.cfg.Bucket = *bp.BucketName
			}
		}
	}
	if redirect && r.cfg.Bucket == "" && ep.Bucket == nil {
		r.cfg.Bucket = "sg-edge-" + r.hash + "-" + edge.AccountPlaceholder + "-" + r.region
	}
	if redirect && ep.TokenKeys != nil && *awscdk.Token_IsUnresolved(ep.TokenKeys.SecretName()) {
		p.Add("TokenKeys", "a secret whose name is a Token", "a secret whose name is known at synth time (the edge function reads it by name)",
			`import it with awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("Keys"), jsii.String("my/keys"))`)
	}

}

// validateDistribution checks the distribution's domain and web ACL, and
// that the CloudFront Function of Through mode fits CloudFront's limit.
func (r *resolved) validateDistribution(p *propcheck.Problems, scope constructs.Construct, ep *EdgeUploadEndpointProps) {
	if d := ep.Domain; d != nil {
		p.AddErr(d.Validate("Domain", scope, customdomain.CloudFront))
		if d.BasePath != nil {
			p.Add("Domain.BasePath", propcheck.Quote(d.BasePath), "unset: uploads go to "+edge.Path+" on the domain's root", "drop Domain.BasePath")
		}
	}
	if a := ep.WebAclArn; a != nil && propcheck.Resolved(a) && !webAclPattern.MatchString(*a) {
		p.Add("WebAclArn", fmt.Sprintf("%q", *a), "the ARN of a WAFv2 web ACL with CLOUDFRONT scope (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>)",
			"create the web ACL in us-east-1 with Scope CLOUDFRONT")
	}
	if r.mode == ModeThrough {
		// A KeyValueStore id is a 36-character UUID.
		if n := len(edge.ThroughCode(r.cfg, "00000000-0000-0000-0000-000000000000")); n > edge.FunctionCodeLimit {
			p.Add("AllowedContentTypes", fmt.Sprintf("%d types", len(r.cfg.Types)), fmt.Sprintf("a configuration that keeps the CloudFront Function within %d bytes (it would be %d)",
				edge.FunctionCodeLimit, n), "allow fewer content types, or a shorter KeyPrefix")
		}
	}
}

// seconds is d in whole seconds within [min, max], or def when d is nil.
func seconds(p *propcheck.Problems, prop string, d awscdk.Duration, def, min, max int64, allowed string) int64 {
	if d == nil {
		return def
	}
	ms, ok := propcheck.Millis(d)
	if !ok {
		p.Add(prop, "a Token", "a duration known at synth time (the edge code is given it)", "use a literal duration")
		return def
	}
	s := int64(ms / 1000)
	if s < min || s > max || float64(s)*1000 != ms {
		p.Add(prop, propcheck.Human(d), allowed+", in whole seconds", "set a duration in that range")
	}
	return s
}
