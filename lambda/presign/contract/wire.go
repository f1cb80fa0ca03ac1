// Package contract is what the presign handler shares with the code around
// it, without the handler's dependencies (the AWS SDK for Go): the JSON
// wire types of the upload API (client/upload speaks them), its routes, the
// environment the PresignedUploadApi construct sets, the upload modes and
// S3's limits. Package presign holds the same names (aliases and
// constants), so handler code reads presign.Request; a CDK app and a client
// that import only this package compile none of the SDK.
package contract

import "time"

// Mode is how an upload reaches S3: the construct's PresignedUploadApiProps.Mode
// (uploads.Mode, with the same values) sets it for the handler.
type Mode string

// Upload modes.
const (
	// ModePut is one presigned PUT URL, up to 5 GiB.
	ModePut Mode = "PUT"
	// ModePost is a presigned POST form with a size-range policy, up to 5 GiB.
	ModePost Mode = "POST"
	// ModeMultipart is a multipart upload with a presigned URL per part, up
	// to MaxObjectSize (48.8 TiB).
	ModeMultipart Mode = "MULTIPART"
)

// Limits of S3
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html) and
// of the presign request.
const (
	MaxSinglePutSize = 5 << 30 // 5 GiB
	MinPartSize      = 5 << 20 // 5 MiB, except the last part
	MaxPartSize      = 5 << 30 // 5 GiB
	MaxParts         = 10_000  //
	// MaxObjectSize is S3's largest object, 10,000 parts of 5 GiB: 50,000
	// GiB, which the page above gives as 48.8 TiB (it long said 5 TiB).
	MaxObjectSize  = MaxParts * MaxPartSize
	MaxRequestBody = 16 << 10 // a presign request is a few hundred bytes
	// MaxCompleteRequestBody bounds the body of a complete request
	// (RouteComplete, RouteCompanionComplete), which lists every part: up
	// to MaxParts of them, about 130 bytes each with a checksum.
	MaxCompleteRequestBody = 2 << 20
	// MaxChecksumsPerRequest bounds the part checksums of one parts
	// request, which keeps it within MaxRequestBody.
	MaxChecksumsPerRequest = 200
)

// ChecksumSHA256 is the checksum algorithm the API signs: S3 refuses bytes
// whose SHA-256 is not the one the URL pins.
const ChecksumSHA256 = "SHA256"

// Request asks for an upload URL (POST /uploads).
type Request struct {
	// FileName is the client's name for the file; only its sanitised base
	// name ends up in the key.
	FileName string `json:"fileName"`
	// ContentType of the object; must be one of the allowed types.
	ContentType string `json:"contentType"`
	// Size of the object in bytes, at most the configured maximum.
	Size int64 `json:"size"`
	// ChecksumSHA256 is the base64 SHA-256 of the whole object; S3 rejects
	// an upload whose bytes do not match. Optional. In MULTIPART mode, where
	// S3 has no whole-object SHA-256, it asks for per-part checksums
	// instead, as ChecksumAlgorithm does.
	ChecksumSHA256 string `json:"checksumSha256,omitempty"`
	// ChecksumAlgorithm "SHA256" asks S3 to check every byte: in PUT and
	// POST mode against ChecksumSHA256 (then required), in MULTIPART mode
	// against each part's SHA-256, which the client sends when it asks for
	// the part URLs (PartsRequest.ChecksumsSHA256). Optional.
	ChecksumAlgorithm string `json:"checksumAlgorithm,omitempty"`
	// PartSize asks for a multipart part size in bytes (5 MiB..5 GiB).
	// Optional: the server picks one.
	PartSize int64 `json:"partSize,omitempty"`
}

// Response tells the client how to upload.
type Response struct {
	// Mode is PUT, POST or MULTIPART.
	Mode Mode `json:"mode"`
	// Method is the HTTP method to send the bytes with (PUT or POST).
	Method string `json:"method"`
	// URL to send the bytes to (PUT, POST).
	URL string `json:"url,omitempty"`
	// Headers to send with the PUT, exactly: they are signed.
	Headers map[string]string `json:"headers,omitempty"`
	// Fields of the POST form, before the file field.
	Fields map[string]string `json:"fields,omitempty"`
	// Key of the object in the bucket.
	Key string `json:"key"`
	// Bucket the object goes to.
	Bucket string `json:"bucket"`
	// ExpiresAt is when the URLs stop working.
	ExpiresAt time.Time `json:"expiresAt"`

	// UploadID of a multipart upload.
	UploadID string `json:"uploadId,omitempty"`
	// PartSize of every part but the last.
	PartSize int64 `json:"partSize,omitempty"`
	// Parts to PUT, each with its own URL and signed headers.
	Parts []Part `json:"parts,omitempty"`
	// ChecksumAlgorithm is "SHA256" when every part URL must sign its
	// part's checksum: Parts is then empty, and the client asks for the
	// URLs with the checksums (PartsRequest.ChecksumsSHA256).
	ChecksumAlgorithm string `json:"checksumAlgorithm,omitempty"`
	// Complete is the API path to POST a CompleteRequest to once every part is up.
	Complete string `json:"complete,omitempty"`
	// Abort is the API path to DELETE to give up the upload.
	Abort string `json:"abort,omitempty"`
}

// Part is one part of a multipart upload.
type Part struct {
	// Number is the part's number, from 1.
	Number int `json:"number"`
	// Size is how many bytes the part holds: the part size, less for the
	// last.
	Size int64 `json:"size"`
	// URL is the presigned PUT URL of the part.
	URL string `json:"url"`
	// Headers are the headers the PUT must send as signed (the part's
	// checksum, when parts are checked).
	Headers map[string]string `json:"headers,omitempty"`
}

// CompleteRequest completes a multipart upload
// (POST /uploads/{uploadId}/complete).
type CompleteRequest struct {
	// Key is the upload's object key, as the create answer gave it.
	Key string `json:"key"`
	// Parts are every part of the upload, in any order.
	Parts []CompletedPart `json:"parts"`
}

// CompletedPart is a part's number and the ETag S3 answered its PUT with.
type CompletedPart struct {
	// Number is the part's number, from 1.
	Number int `json:"number"`
	// ETag is the ETag S3 answered the part's PUT with.
	ETag string `json:"etag"`
	// ChecksumSHA256 of the part, required when the upload checks parts
	// (Response.ChecksumAlgorithm).
	ChecksumSHA256 string `json:"checksumSha256,omitempty"`
}

// PartsRequest asks for more part URLs of a multipart upload
// (POST /uploads/{uploadId}/parts): parts From..From+Count-1.
type PartsRequest struct {
	// Key is the upload's object key.
	Key string `json:"key"`
	// Size is the whole file's size in bytes.
	Size int64 `json:"size"`
	// PartSize is the part size the create answer chose.
	PartSize int64 `json:"partSize"`
	// From is the first part number wanted.
	From int `json:"from"`
	// Count is how many part URLs are wanted. Default: as many as the first
	// answer gave.
	Count int `json:"count,omitempty"`
	// ChecksumsSHA256 are the base64 SHA-256 of parts From, From+1, ...
	// (at most MaxChecksumsPerRequest): each URL then signs its part's, and
	// Count is their number. Required when the upload checks parts.
	ChecksumsSHA256 []string `json:"checksumsSha256,omitempty"`
}

// PartsList is what S3 has of a multipart upload
// (GET /uploads/{uploadId}/parts?key=): the parts a resumed upload need not
// send again.
type PartsList struct {
	// UploadID is S3's multipart upload id.
	UploadID string `json:"uploadId"`
	// Key is the upload's object key.
	Key string `json:"key"`
	// Parts are the parts S3 has, by number.
	Parts []ListedPart `json:"parts"`
}

// ListedPart is a part S3 has.
type ListedPart struct {
	// Number is the part's number, from 1.
	Number int `json:"number"`
	// Size is the part's size in bytes.
	Size int64 `json:"size"`
	// ETag is the part's ETag, for CompleteRequest.
	ETag string `json:"etag"`
	// ChecksumSHA256 is the part's base64 SHA-256, when S3 checked one.
	ChecksumSHA256 string `json:"checksumSha256,omitempty"`
}

// CompleteResponse confirms a completed upload.
type CompleteResponse struct {
	// Key is the object key of the completed upload.
	Key string `json:"key"`
	// ETag is the object's ETag.
	ETag string `json:"etag"`
}

// ErrorResponse is the body of every 4xx and 5xx answer.
type ErrorResponse struct {
	// Error says what was wrong.
	Error ErrorBody `json:"error"`
}

// ErrorBody names the problem: a code, the field at fault and a message that
// says what is allowed.
type ErrorBody struct {
	// Code names the problem, e.g. "TooLarge" or "ContentTypeNotAllowed".
	Code string `json:"code"`
	// Field is the request field at fault, "" when the problem is not one
	// field's.
	Field string `json:"field,omitempty"`
	// Message says what is allowed and how to fix the request.
	Message string `json:"message"`
}
