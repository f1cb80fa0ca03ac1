package edgeupload

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"

	"github.com/streamgate/streamgate/constructs/customdomain"
	"github.com/streamgate/streamgate/lambda/presign/contract"
)

// Mode is how the bytes travel from the caller to S3.
type Mode string

// The modes.
const (
	// ModeRedirect: a Lambda@Edge function (viewer request) checks the token
	// and answers 307 with a presigned S3 PUT URL; the client re-sends the
	// body straight to S3. The stack needs an explicit region.
	ModeRedirect Mode = "REDIRECT"
	// ModeThrough: a CloudFront Function checks the token against keys in
	// a KeyValueStore and rewrites the path; the body passes through
	// CloudFront to S3, signed by origin access control with write access
	// only. No Lambda@Edge. Its PUT signing is verified on templates only.
	ModeThrough Mode = "THROUGH"
)

// Defaults of EdgeUploadEndpointProps (plain numbers: building CDK values
// at package initialisation would start the jsii kernel on import).
const (
	DefaultMaxObjectSize           = 1 << 30 // 1 GiB
	DefaultUrlExpirationMinutes    = 5
	DefaultMaxTokenLifetimeMinutes = 60
	DefaultKeyCacheTimeMinutes     = 5
	// MaxSinglePutSize is S3's single PUT limit, 5 GiB
	// (presign.MaxSinglePutSize), the upper bound of MaxObjectSize: every
	// upload through the endpoint is one PUT.
	MaxSinglePutSize = contract.MaxSinglePutSize
)

// EdgeUploadEndpointProps configure an EdgeUploadEndpoint. Every field is
// optional.
type EdgeUploadEndpointProps struct {
	// Mode of the endpoint. Default: ModeRedirect.
	Mode Mode
	// MaxObjectSize is the largest body, at most 5 GiB (one S3 PUT); a
	// token may lower it. Default: 1 GiB.
	MaxObjectSize awscdk.Size
	// AllowedContentTypes are the exact media types callers may send (a
	// request without Content-Type counts as application/octet-stream); a
	// token may narrow them to one. Default: uploaddefaults.ContentTypes().
	AllowedContentTypes *[]*string
	// KeyPrefix under which objects are written, as in PresignedUploadApi:
	// the key is <KeyPrefix><token sub>/<upload id>/<file name>. Default:
	// "incoming/".
	KeyPrefix *string
	// MaxTokenLifetime caps how long a token may still have to live when it
	// is used, 1 minute to 24 hours, so a backend cannot hand out tokens
	// that work for days. Default: 1 hour.
	MaxTokenLifetime awscdk.Duration
	// UrlExpiration is how long the presigned URL of a 307 works (Redirect
	// mode), 1 minute to 1 hour: it is signed with the function's role
	// session. Default: 5 minutes.
	UrlExpiration awscdk.Duration
	// KeyCacheTime is how long the Lambda@Edge function keeps the keys it
	// read from Secrets Manager (Redirect mode), up to 1 hour: a rotated
	// key takes effect after it. Default: 5 minutes.
	KeyCacheTime awscdk.Duration
	// Cors lets browsers on the origins in AllowOrigins
	// ("https://app.example.com") upload with fetch in Through mode: the
	// edge code answers their preflights and adds CORS headers to its
	// answers. In Redirect mode it does too, and the new bucket gets a CORS
	// rule for the PUT that follows a 307 (an existing Bucket needs its
	// own), but a browser sends that PUT with "Origin: null" (the Fetch
	// standard's tainted origin after a redirect to a third origin), which
	// the rule does not allow: browsers need Through mode. Only AllowOrigins
	// applies, with exact origins: the endpoint's methods and headers are
	// fixed by its protocol. Default: no CORS.
	Cors *awsapigateway.CorsOptions
	// IncomingObjectExpiration deletes objects under KeyPrefix this long
	// after they were uploaded. Whole days. Default: 7 days.
	IncomingObjectExpiration awscdk.Duration

	// Bucket is an existing bucket to write into (same region as the
	// stack); in Redirect mode its name must be known at synth time
	// (awss3.Bucket_FromBucketName). In Through mode CDK cannot add the
	// distribution's write grant to an imported bucket's policy: add it
	// yourself (CDK warns at synth). Default: a new bucket with
	// PresignedUploadApi's secure defaults (the same code builds both).
	Bucket awss3.IBucket
	// BucketProps override the new bucket's defaults. Never with Bucket.
	// Default: none (the new bucket's secure defaults, as in Bucket).
	BucketProps *awss3.BucketProps
	// AccessLogsBucket receives the new bucket's server access logs and
	// those of the CDN log bucket. Default: a new logs bucket.
	AccessLogsBucket awss3.IBucket
	// RemovalPolicy of the new buckets and the key secret. Default: RETAIN.
	RemovalPolicy awscdk.RemovalPolicy

	// TokenKeys is an existing Secrets Manager secret in the stack's region
	// holding the keys as {"<key id>":"<secret>"} (Redirect mode); its name
	// must be known at synth time. Default: a new secret with one generated
	// key, "k1".
	TokenKeys awssecretsmanager.ISecret
	// KeyValueStore is an existing store holding the keys under
	// "sgt1:<key id>" (Through mode). Default: a new, empty store: put a
	// key before the first upload (see the README).
	KeyValueStore awscloudfront.IKeyValueStore

	// Domain serves the endpoint on your own host name
	// (Domain.DomainName), with the viewer policy TLSv1.2_2021:
	// Domain.Certificate is an ACM certificate in us-east-1 (or, in a
	// us-east-1 stack, a new one validated by DNS in Domain.HostedZone);
	// with Domain.HostedZone, alias A and AAAA records point the name at the
	// distribution. BasePath does not apply (uploads go to /u/). Default:
	// the distribution's *.cloudfront.net name.
	Domain *customdomain.DomainProps
	// WebAclArn is a WAF web ACL with CLOUDFRONT scope (made in us-east-1)
	// that guards the distribution. Default: none.
	WebAclArn *string
	// PriceClass of the distribution. Default: PRICE_CLASS_100 (North
	// America and Europe edge locations).
	PriceClass awscloudfront.PriceClass

	// LogRetention of the Lambda@Edge function's log groups. Default:
	// ONE_MONTH.
	LogRetention awslogs.RetentionDays
	// LogRegions are the regions where the Lambda@Edge function's log
	// groups (/aws/lambda/us-east-1.<function>) get LogRetention: it logs
	// in every region that ran it. Default: the stack's region and
	// us-east-1.
	LogRegions *[]*string
}
