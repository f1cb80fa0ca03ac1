// Package uploaddefaults holds the defaults that both upload constructs
// share: PresignedUploadApi (constructs/uploads) and EdgeUploadEndpoint
// (constructs/edgeupload) write objects under the same key prefix, allow
// the same media types, and build their bucket with the same lifecycle
// rules, so that a team can switch from one to the other, or run both on
// one bucket, without changing its processing.
//
// The values are plain numbers: building CDK values at package
// initialisation would start the jsii kernel on import.
package uploaddefaults

const (
	// KeyPrefix is the S3 key prefix objects are written under, KeyPrefix's
	// default: "incoming/".
	KeyPrefix = "incoming/"
	// IncomingObjectExpirationDays is how many days after its upload an
	// object under KeyPrefix is deleted, IncomingObjectExpiration's
	// default: 7.
	IncomingObjectExpirationDays = 7
	// AbortIncompleteUploadsAfterDays is how many days after it started
	// a multipart upload never completed has its parts removed:
	// PresignedUploadApi's AbortIncompleteUploadsAfter default, and what
	// EdgeUploadEndpoint's bucket always does. 1.
	AbortIncompleteUploadsAfterDays = 1
)

// ContentTypes are the media types allowed when AllowedContentTypes is
// unset: a new slice on each call.
func ContentTypes() []string {
	return []string{"application/octet-stream", "application/pdf", "application/json", "text/csv", "text/plain", "image/png", "image/jpeg", "video/mp4"}
}
