package uploads

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"

	"github.com/streamgate/streamgate/constructs/apiauth"
	"github.com/streamgate/streamgate/constructs/compliance"
	"github.com/streamgate/streamgate/constructs/customdomain"
	"github.com/streamgate/streamgate/constructs/monitoring"
	"github.com/streamgate/streamgate/constructs/wafsize"
	"github.com/streamgate/streamgate/lambda/presign/contract"
)

// Mode is how clients send the bytes to S3; the values are the handler's
// (presign.Mode).
type Mode string

// The upload modes.
const (
	// ModePut: one presigned PUT whose signed headers pin the length, the
	// content type, the checksum and If-None-Match. Up to 5 GB.
	ModePut = Mode(contract.ModePut)
	// ModePost: a presigned POST form whose policy pins the length range, the
	// content type, the key and the checksum; for browsers. Up to 5 GB.
	ModePost = Mode(contract.ModePost)
	// ModeMultipart: a multipart upload with one presigned URL per part, sent
	// in parallel; up to 48.8 TiB (S3's largest object).
	ModeMultipart = Mode(contract.ModeMultipart)
)

// Defaults of PresignedUploadApiProps (plain numbers: building CDK values
// at package initialisation would start the jsii kernel on import); those
// it shares with EdgeUploadEndpointProps are in package uploaddefaults.
const (
	DefaultMaxObjectSize        = 1 << 30 // 1 GiB
	DefaultUrlExpirationMinutes = 15
	// DefaultMaxRequestBodySize is MaxRequestBodySize's default, the WAF
	// body limit of the API itself: presign requests are a few hundred
	// bytes.
	DefaultMaxRequestBodySize = 16 << 10
	// DefaultDirectUploadMaxRequestBodySize is MaxRequestBodySize's default
	// with DirectUpload: API Gateway's 10 MB cap.
	DefaultDirectUploadMaxRequestBodySize = 10 << 20
)

// PresignedUploadApiProps configure a PresignedUploadApi. Every field is
// optional.
type PresignedUploadApiProps struct {
	// Mode of the uploads. Default: ModePut.
	Mode Mode
	// MaxObjectSize is the largest object a client may upload: at most 5 GiB
	// with PUT and POST, 48.8 TiB with MULTIPART. Default: 1 GiB.
	MaxObjectSize awscdk.Size
	// AllowedContentTypes are the exact media types clients may upload.
	// Default: uploaddefaults.ContentTypes().
	AllowedContentTypes *[]*string
	// UrlExpiration is how long presigned URLs work, 1 minute to 7 days (URLs
	// signed with the handler's role credentials die with its session, after
	// at most a few hours). Default: 15 minutes.
	UrlExpiration awscdk.Duration
	// KeyPrefix under which objects are written ("incoming/"): letters,
	// digits and !-_.*'() segments, ending with "/". Default: "incoming/".
	KeyPrefix *string
	// IncomingObjectExpiration deletes objects left under KeyPrefix this long
	// after they were uploaded (process and move them before). Whole days.
	// Default: 7 days.
	IncomingObjectExpiration awscdk.Duration
	// AbortIncompleteUploadsAfter removes the parts of multipart uploads
	// never completed. Whole days. Default: 1 day.
	AbortIncompleteUploadsAfter awscdk.Duration

	// Bucket is an existing bucket to upload into; the construct then only
	// grants access to KeyPrefix. Never with BucketProps. Default: a new
	// bucket with secure defaults.
	Bucket awss3.IBucket
	// BucketProps override the new bucket's defaults. Never with Bucket.
	// Default: the defaults (see the package documentation).
	BucketProps *awss3.BucketProps
	// EncryptionKey encrypts the objects with SSE-KMS; the handler is granted
	// what it needs. Default: S3-managed keys (SSE-S3).
	EncryptionKey awskms.IKey
	// AccessLogsBucket receives the new bucket's server access logs.
	// Default: a new logs bucket.
	AccessLogsBucket awss3.IBucket
	// RemovalPolicy of the new buckets. Default: RETAIN.
	RemovalPolicy awscdk.RemovalPolicy

	// Cors lets browsers on the origins in AllowOrigins
	// ("https://app.example.com", or awsapigateway.Cors_ALL_ORIGINS() for
	// any) call the API and PUT or POST to the bucket. The construct sets
	// AllowMethods from its routes; AllowHeaders are added to the ones the
	// upload protocol needs (Content-Type, Authorization and SigV4's); the
	// other options apply as on StreamingRestApi. Default: no CORS.
	Cors *awsapigateway.CorsOptions

	// Authorization of the API's routes. Default: apiauth.Iam().
	Authorization *apiauth.Authorization

	// CompanionRoutes serves, beside the API's own routes, the Companion S3
	// routes under /s3/ that Uppy's @uppy/aws-s3 calls with its
	// companionEndpoint option set to the API's URL: a POST form for small
	// files, multipart uploads with pause and resume for large ones. They
	// keep every limit of the API: the server chooses the key, the content
	// types, URL expiry, and MaxObjectSize, which Uppy does not send (the
	// POST policy's length range, part numbers, and a check of the parts
	// before completion that aborts an oversize upload). Not with the
	// compliance profile's object lock (PUT and POST modes): S3 then needs a
	// checksum, which Uppy does not send. Default: false.
	CompanionRoutes *bool

	// DirectUpload adds PUT /objects/{name}: API Gateway writes the body
	// straight to S3 under KeyPrefix + "direct/", for clients that cannot do
	// two steps. API Gateway caps such bodies at 10 MB. With Cors, its
	// answers (the key, or the error) carry Access-Control-Allow-Origin for
	// the Cors origins, so that a page can read them. Default: false.
	DirectUpload *bool

	// WebAcl guards the API's stage with a SizeLimitedWebAcl shared with other
	// APIs. Default: a new one with MaxRequestBodySize.
	WebAcl *wafsize.SizeLimitedWebAcl
	// MaxRequestBodySize is the new web ACL's body limit; its 413 is
	// readable by the pages of the CORS origins. Default: 16 KB, or 10 MB
	// with DirectUpload.
	MaxRequestBodySize awscdk.Size
	// DisableWebAcl leaves the API without a web ACL. Default: false.
	DisableWebAcl *bool

	// AccessLogGroup receives the API's access logs (share one between APIs).
	// Default: a new group.
	AccessLogGroup awslogs.ILogGroup
	// LogRetention of the log groups the construct creates. Default: ONE_MONTH.
	LogRetention awslogs.RetentionDays
	// Code is a prebuilt presign handler (a `bootstrap`). Default:
	// handlers/presign built from source at synth.
	Code awslambda.Code
	// RestApiProps override the API's defaults (as in StreamingRestApi).
	// Default: none (StreamingRestApi's defaults).
	RestApiProps *awsapigateway.RestApiProps
	// Compliance is the profile for regulated accounts (see package
	// compliance): the new bucket versioned, SSE-KMS with a key of its own,
	// object lock in governance mode (PUT and POST modes without
	// DirectUpload: the handler then requires checksumSha256, which S3
	// needs for locked objects), noncurrent versions expired; encrypted logs
	// kept a year; the handler in a VPC. Default: the profile applied to the
	// scope with compliance.Apply, else none.
	Compliance *compliance.Profile
	// Monitoring creates alarms (5xx share per route and stage, 4xx and p99
	// latency on the stage, the presign handler's errors, throttles and
	// duration, the web ACL's blocked requests), a dashboard and an SNS topic
	// (see package monitoring). Default: none.
	Monitoring *monitoring.MonitorProps
	// Domain serves the upload API on a custom domain, as
	// StreamingRestApiProps.Domain does. Default: none.
	Domain *customdomain.DomainProps
}
