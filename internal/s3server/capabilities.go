package s3server

// Capability is one thing streamgate relies on an S3 server for: a row of
// the README's table of S3 servers, measured by internal/s3probe.
type Capability string

// The capabilities, in the table's order.
const (
	// CapSigV4: a presigned URL with another signature, signed with another
	// secret, or expired is refused.
	CapSigV4 Capability = "sigv4"
	// CapPresignedPut: a presigned PUT pins Content-Length, Content-Type and
	// x-amz-checksum-sha256 (PresignedUploadApi's PUT mode).
	CapPresignedPut Capability = "put"
	// CapPresignedPost: a POST policy's content-length-range and its eq
	// conditions (type, key, checksum) are enforced, a tampered policy is
	// refused (POST mode).
	CapPresignedPost Capability = "post"
	// CapMultipart: multipart uploads with per-part SHA-256 checksums (a
	// part with other bytes is refused), ListParts (numbers, sizes, ETags)
	// and a complete that names each part's checksum (MULTIPART mode,
	// resumable uploads, Uppy).
	CapMultipart Capability = "multipart"
	// CapIfNoneMatchPut: PUT with If-None-Match: * answers 412 when the key
	// exists (a presigned PUT cannot overwrite).
	CapIfNoneMatchPut Capability = "if-none-match-put"
	// CapIfNoneMatchComplete: CompleteMultipartUpload with If-None-Match: *
	// answers 412 when the key exists.
	CapIfNoneMatchComplete Capability = "if-none-match-complete"
	// CapBucketCORS: PutBucketCors is honoured per bucket for a browser's
	// preflight (the upload bucket's CORS origins).
	CapBucketCORS Capability = "cors"
	// CapVersioning: bucket versioning keeps every version (the compliance
	// profile).
	CapVersioning Capability = "versioning"
	// CapObjectLock: object lock with a default governance retention
	// protects a version from deletion (the compliance profile).
	CapObjectLock Capability = "object-lock"
	// CapNotifications: an object-created event reaches a webhook on
	// 127.0.0.1 (what delivering upload events locally would take).
	CapNotifications Capability = "notifications"
)

// Row is one capability with what it is in words.
type Row struct {
	Capability Capability
	// Title is the table's first column.
	Title string
	// UsedBy says which part of streamgate relies on it.
	UsedBy string
}

// Capabilities are the table's rows, in order.
var Capabilities = []Row{
	{CapSigV4, "SigV4 of presigned URLs checked (other signature, other secret, expired: refused)", "every presigned upload"},
	{CapPresignedPut, "presigned PUT pins Content-Length, Content-Type and x-amz-checksum-sha256", "PUT mode"},
	{CapPresignedPost, "presigned POST: content-length-range, eq on type, key and checksum; tampered policy refused", "POST mode"},
	{CapMultipart, "multipart: per-part x-amz-checksum-sha256 checked, ListParts lists the parts, complete with part checksums", "MULTIPART mode, resume, Uppy"},
	{CapIfNoneMatchPut, "If-None-Match: * on PUT: 412 when the key exists", "PUT mode (no overwrite)"},
	{CapIfNoneMatchComplete, "If-None-Match: * on CompleteMultipartUpload: 412 when the key exists", "MULTIPART mode (no overwrite)"},
	{CapBucketCORS, "PutBucketCors per bucket, honoured for a preflight", "browser uploads (bucket CORS origins)"},
	{CapVersioning, "versioning: every version kept and readable", "compliance profile"},
	{CapObjectLock, "object lock: default governance retention, a locked version cannot be deleted", "compliance profile"},
	{CapNotifications, "bucket event notifications: an object-created event reaches a webhook", "upload events (OnUploaded), delivered by the runner"},
}

// Gaps are the capabilities a server lacks, as internal/s3probe measured
// them and the README's table shows them, with the reason. The upload
// tests skip what needs a gap on that server and log the reason; any other
// difference between servers fails them.
var Gaps = map[Kind]map[Capability]string{
	SeaweedFS: {
		CapNotifications: "no S3 bucket notifications (PutBucketNotificationConfiguration answers 501 NotImplemented); " +
			"its filer posts its own metadata events to a webhook instead, from which the runner makes the upload events " +
			"(without POST or copy as their reason, nor a version id)",
	},
	MinIO: {
		CapBucketCORS: "no PutBucketCors (501 NotImplemented): one list of origins for every bucket, " +
			"MINIO_API_CORS_ALLOW_ORIGIN, which the runner sets to every bucket's origins",
	},
}

// Lacks says whether k lacks c, and why.
func (k Kind) Lacks(c Capability) (reason string, lacks bool) {
	reason, lacks = Gaps[k][c]
	return reason, lacks
}
