package contract

import "net/http"

// Routes of the upload API, as API Gateway resource paths.
const (
	// RouteUploads: POST a Request, get a Response.
	RouteUploads = "/uploads"
	// RouteParts: POST a PartsRequest for more part URLs; GET ?key= for the
	// parts S3 has of the upload (PartsList), to resume it.
	RouteParts = "/uploads/{uploadId}/parts"
	// RouteComplete: POST a CompleteRequest.
	RouteComplete = "/uploads/{uploadId}/complete"
	// RouteAbort: DELETE ?key= gives the upload up.
	RouteAbort = "/uploads/{uploadId}"
)

// The Companion S3 routes: what Uppy's @uppy/aws-s3 calls with its
// companionEndpoint option (the shapes of Companion's
// packages/@uppy/companion/src/server/controllers/s3.js), served when
// presign.Config.Companion is on. They keep every rule of the API's own
// routes: the server chooses the key (prefix/caller/random/name), only the
// allowed content types, URLs that expire with presign.Config.URLExpiration,
// and the size limit, which Uppy does not send: the POST policy's
// content-length-range, no part URL past the part a file of
// presign.Config.MaxSize can reach, and a check of the parts S3 has before the upload is completed,
// which aborts an oversize one.
const (
	// CompanionPrefix is the path under which the Companion routes live:
	// Uppy's companionEndpoint is the API's stage URL.
	CompanionPrefix = "/s3/"
	// RouteCompanionParams: GET ?filename=&type= answers a POST form
	// {method, url, fields, expires} for a single-request upload.
	RouteCompanionParams = "/s3/params"
	// RouteCompanionCreate: POST {filename, type, metadata} starts a
	// multipart upload: {key, uploadId, bucket}.
	RouteCompanionCreate = "/s3/multipart"
	// RouteCompanionUpload: GET ?key= lists the parts S3 has (every page)
	// as [{PartNumber, ETag, Size}]; DELETE ?key= aborts the upload: {}.
	RouteCompanionUpload = "/s3/multipart/{uploadId}"
	// RouteCompanionBatch: GET ?key=&partNumbers=1,2 answers
	// {presignedUrls: {"1": url, "2": url}}.
	RouteCompanionBatch = "/s3/multipart/{uploadId}/batch"
	// RouteCompanionPart: GET ?key= answers {url, expires} for one part.
	RouteCompanionPart = "/s3/multipart/{uploadId}/{partNumber}"
	// RouteCompanionComplete: POST ?key= {parts: [{PartNumber, ETag}]}
	// completes the upload: {location, key, bucket}.
	RouteCompanionComplete = "/s3/multipart/{uploadId}/complete"
)

// CompanionRoutes are the methods and resource paths of the Companion
// routes, for the API that serves them: a new slice on each call.
func CompanionRoutes() [][2]string {
	return [][2]string{
		{http.MethodGet, RouteCompanionParams},
		{http.MethodPost, RouteCompanionCreate},
		{http.MethodGet, RouteCompanionUpload},
		{http.MethodDelete, RouteCompanionUpload},
		{http.MethodGet, RouteCompanionBatch},
		{http.MethodGet, RouteCompanionPart},
		{http.MethodPost, RouteCompanionComplete},
	}
}

// MaxPartsPerResponse bounds the part URLs in one answer, which keeps it
// far below Lambda's 6 MB response limit; more come from the parts route.
const MaxPartsPerResponse = 1000
