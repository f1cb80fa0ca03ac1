// Package uploadbucket creates the bucket every upload construct writes
// to, so that PresignedUploadApi and EdgeUploadEndpoint share its secure
// defaults.
package uploadbucket

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/compliance"
	"github.com/streamgate/streamgate/constructs/internal/nagack"
)

// Props configure New. KeyPrefix and the two
// durations are required (PresignedUploadApi and EdgeUploadEndpoint
// validate and default them first); the rest is optional.
type Props struct {
	// KeyPrefix is where uploads land; objects left there expire.
	KeyPrefix string
	// IncomingObjectExpiration deletes objects under KeyPrefix this long
	// after they were written (whole days).
	IncomingObjectExpiration awscdk.Duration
	// AbortIncompleteUploadsAfter removes the parts of multipart uploads
	// never completed (whole days).
	AbortIncompleteUploadsAfter awscdk.Duration
	// BucketProps override the defaults. Default: none.
	BucketProps *awss3.BucketProps
	// EncryptionKey turns on SSE-KMS with this key. Default: SSE-S3.
	EncryptionKey awskms.IKey
	// AccessLogsBucket receives the server access logs. Default: a new
	// logs bucket, "AccessLogs".
	AccessLogsBucket awss3.IBucket
	// RemovalPolicy of the new buckets. Default: RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
	// CorsOrigins may PUT and POST from browsers. Default: none.
	CorsOrigins []string
	// Compliance versions both buckets and expires noncurrent versions (see
	// package compliance). Default: none.
	Compliance *compliance.Profile
	// ObjectLock turns on object lock in governance mode for the
	// Compliance profile's retention (needs Compliance). Default: false.
	ObjectLock bool
}

// AccessLogNoncurrentDays is how long, under the compliance profile, an
// access-log object's replaced versions are kept.
const AccessLogNoncurrentDays = 90

// New creates, in scope, the bucket uploads land in ("Bucket")
// with PresignedUploadApi's secure defaults (all public access blocked,
// TLS 1.2+ only, SSE-S3 or SSE-KMS, object ownership enforced, lifecycle
// rules that abort incomplete multipart uploads and expire what is left
// under the prefix, RETAIN on removal) and, unless AccessLogsBucket is
// given, the bucket of its server access logs ("AccessLogs"). Every upload
// construct builds its bucket here, so they all share the defaults.
func New(scope constructs.Construct, p *Props) (bucket awss3.Bucket, accessLogs awss3.IBucket) {
	removal := p.RemovalPolicy
	if removal == "" {
		removal = awscdk.RemovalPolicy_RETAIN
	}
	logs := p.AccessLogsBucket
	if logs == nil {
		logs = newAccessLogsBucket(scope, p.Compliance, removal)
	}
	bp := withSecureDefaults(p, logs, removal)
	withLifecycleRules(&bp, p)
	if len(p.CorsOrigins) > 0 && bp.Cors == nil {
		bp.Cors = &[]*awss3.CorsRule{browserUploads(p.CorsOrigins)}
	}
	bucket = awss3.NewBucket(scope, jsii.String("Bucket"), &bp)
	if p.Compliance != nil {
		nagack.Acknowledge(bucket, nagack.Regulated("S3BucketReplicationEnabled", "The bucket receives uploads for processing, "+
			"and what is not processed expires under the prefix within days (lifecycle rules); versioning and object lock protect it meanwhile. "+
			"Durable copies belong to the team's processing, and cross-region replication is the account's backup choice.")...)
	}
	return bucket, logs
}

// newAccessLogsBucket creates the bucket of the upload bucket's server
// access logs ("AccessLogs"): SSE-S3, as log delivery requires; under a
// compliance profile, versioned, and acknowledged where AWS rules out what
// the profile's rules ask of a log destination.
func newAccessLogsBucket(scope constructs.Construct, profile *compliance.Profile, removal awscdk.RemovalPolicy) awss3.Bucket {
	lp := &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED, // log delivery cannot use KMS keys
		EnforceSSL:        jsii.Bool(true),
		MinimumTLSVersion: jsii.Number(1.2),
		RemovalPolicy:     removal,
	}
	// With "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy" (new apps),
	// log delivery is granted by bucket policy and ACLs can be disabled;
	// without it CDK grants the LogDeliveryWrite ACL, which needs
	// ObjectWriter ownership (CDK's default then).
	if *awscdk.FeatureFlags_Of(scope).IsEnabled(jsii.String("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy")) {
		lp.ObjectOwnership = awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED
	}
	if profile != nil {
		lp.Versioned = jsii.Bool(true)
		lp.LifecycleRules = &[]*awss3.LifecycleRule{{Id: jsii.String("ExpireNoncurrentVersions"),
			NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(AccessLogNoncurrentDays))}}
	}
	logs := awss3.NewBucket(scope, jsii.String("AccessLogs"), lp)
	if profile != nil {
		acknowledgeLogDestination(logs)
	}
	return logs
}

// acknowledgeLogDestination records, on the access-log bucket, why the
// compliance profile's rules that AWS itself rules out for a server
// access log destination do not apply, and sends its events to
// EventBridge (CT.S3.PR.4).
func acknowledgeLogDestination(logs awss3.Bucket) {
	nagack.Acknowledge(logs, nagack.Regulated("S3DefaultEncryptionKMS", "S3 server access logs can only be delivered to a bucket encrypted "+
		"with SSE-S3 (AES-256); SSE-KMS is not supported for the target bucket of server access logging.")...)
	nagack.Acknowledge(logs, nagack.Regulated("S3BucketReplicationEnabled", "Server access logs of the upload bucket; versioning keeps "+
		"overwritten and deleted log objects, and cross-region replication is the account's backup choice (configure it on this bucket if you need it).")...)
	// AWS Control Tower's proactive controls that AWS itself rules
	// out for the destination bucket of server access logs.
	nagack.ControlTower(logs,
		nagack.Rule{Id: "CT.S3.PR.2", Reason: "This bucket is the destination of the upload bucket's server access logs. Logging it to " +
			"itself creates an infinite loop of logs (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html), and logging " +
			"it to another bucket only moves the question to that bucket: some destination must go without server access logging."},
		nagack.Rule{Id: "CT.S3.PR.10", Reason: "The target bucket of server access logs can only use SSE-S3 (AES-256) default encryption: " +
			"AWS does not support SSE-KMS on a server access logging destination bucket."},
		nagack.Rule{Id: "CT.S3.PR.9", Reason: "S3 buckets with Object Lock cannot be destination buckets for server access logs " +
			"(https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html); versioning keeps overwritten and " +
			"deleted log objects instead."},
	)
	// CT.S3.PR.4: S3 sends the bucket's events to EventBridge (free
	// for AWS service events on the default bus), set on the
	// CloudFormation resource: BucketProps.EventBridgeEnabled would
	// add CDK's notifications custom resource, a Lambda function.
	logs.Node().DefaultChild().(awss3.CfnBucket).AddPropertyOverride(jsii.String("NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled"), true)
}

// withSecureDefaults is p.BucketProps with every security setting the
// caller left unset filled in: public access blocked, TLS 1.2+ only,
// SSE-KMS with p.EncryptionKey or SSE-S3, object ownership enforced,
// server access logs to logs, removal.
func withSecureDefaults(p *Props, logs awss3.IBucket, removal awscdk.RemovalPolicy) awss3.BucketProps {
	bp := awss3.BucketProps{}
	if p.BucketProps != nil {
		bp = *p.BucketProps
	}
	if bp.BlockPublicAccess == nil {
		bp.BlockPublicAccess = awss3.BlockPublicAccess_BLOCK_ALL()
	}
	if bp.EnforceSSL == nil {
		bp.EnforceSSL = jsii.Bool(true)
	}
	if bp.MinimumTLSVersion == nil {
		bp.MinimumTLSVersion = jsii.Number(1.2)
	}
	if bp.Encryption == "" && bp.EncryptionKey == nil {
		if p.EncryptionKey != nil {
			bp.Encryption, bp.EncryptionKey, bp.BucketKeyEnabled = awss3.BucketEncryption_KMS, p.EncryptionKey, jsii.Bool(true)
		} else {
			bp.Encryption = awss3.BucketEncryption_S3_MANAGED
		}
	}
	if bp.ObjectOwnership == "" {
		bp.ObjectOwnership = awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED
	}
	if bp.ServerAccessLogsBucket == nil {
		bp.ServerAccessLogsBucket = logs
		bp.ServerAccessLogsPrefix = jsii.String("uploads/")
	}
	if bp.RemovalPolicy == "" {
		bp.RemovalPolicy = removal
	}
	return bp
}

// withLifecycleRules puts the upload rules before the caller's own in bp:
// abort incomplete multipart uploads, expire what is left under the
// prefix and, under a compliance profile, version the bucket (expiring
// noncurrent versions and delete markers too) with object lock if asked.
func withLifecycleRules(bp *awss3.BucketProps, p *Props) {
	rules := []*awss3.LifecycleRule{
		{Id: jsii.String("AbortIncompleteMultipartUploads"), AbortIncompleteMultipartUploadAfter: p.AbortIncompleteUploadsAfter},
		{Id: jsii.String("ExpireIncoming"), Prefix: jsii.String(p.KeyPrefix), Expiration: p.IncomingObjectExpiration},
	}
	if p.Compliance != nil {
		// Versioned: expiring an object leaves a noncurrent version, which
		// must expire too, and a delete marker, which is then cleaned up.
		if bp.Versioned == nil {
			bp.Versioned = jsii.Bool(true)
		}
		rules[1].NoncurrentVersionExpiration = awscdk.Duration_Days(jsii.Number(1))
		rules = append(rules, &awss3.LifecycleRule{Id: jsii.String("RemoveExpiredDeleteMarkers"), Prefix: jsii.String(p.KeyPrefix), ExpiredObjectDeleteMarker: jsii.Bool(true)})
		if p.ObjectLock && bp.ObjectLockDefaultRetention == nil {
			bp.ObjectLockEnabled = jsii.Bool(true)
			bp.ObjectLockDefaultRetention = awss3.ObjectLockRetention_Governance(p.Compliance.ObjectLockRetention)
		}
	}
	if bp.LifecycleRules != nil {
		rules = append(rules, *bp.LifecycleRules...)
	}
	bp.LifecycleRules = &rules
}

// browserUploads is the CORS rule that lets pages on origins PUT and POST
// to the bucket and read the ETag of each part.
func browserUploads(origins []string) *awss3.CorsRule {
	return &awss3.CorsRule{
		AllowedOrigins: jsii.Strings(origins...),
		AllowedMethods: &[]awss3.HttpMethods{awss3.HttpMethods_PUT, awss3.HttpMethods_POST},
		AllowedHeaders: jsii.Strings("*"),
		ExposedHeaders: jsii.Strings("ETag"),
		MaxAge:         jsii.Number(3000),
	}
}
