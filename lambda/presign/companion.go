package presign

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// CompanionParams is the answer of RouteCompanionParams.
type CompanionParams struct {
	// Method is the HTTP method of the upload: "POST" (a form, with Fields)
	// or "PUT".
	Method string `json:"method"`
	// URL is where the file is sent.
	URL string `json:"url"`
	// Fields are the form fields of a POST; the file is sent after
	// them, as the last field.
	Fields map[string]string `json:"fields"`
	// Expires is how long the URL stays valid, in seconds.
	Expires int64 `json:"expires"`
}

// CompanionCreateRequest starts a multipart upload. Metadata is accepted
// and not stored: the key keeps the sanitised file name and the object its
// content type.
type CompanionCreateRequest struct {
	// FileName is the client's name for the file; only its sanitised base
	// name reaches the key.
	FileName string `json:"filename"`
	// Type is the file's media type, one the API allows.
	Type string `json:"type"`
	// Metadata is Uppy's file metadata: accepted, not stored.
	Metadata map[string]any `json:"metadata,omitempty"`
}

// CompanionUpload is the answer of RouteCompanionCreate.
type CompanionUpload struct {
	// Key is the object key the upload completes to.
	Key string `json:"key"`
	// UploadID is S3's multipart upload id.
	UploadID string `json:"uploadId"`
	// Bucket is the bucket's name.
	Bucket string `json:"bucket"`
}

// CompanionPart is a part in Companion's spelling.
type CompanionPart struct {
	// PartNumber is the part's number, from 1.
	PartNumber int `json:"PartNumber"`
	// ETag is the ETag S3 answered the part's PUT with.
	ETag string `json:"ETag"`
	// Size is the part's size in bytes, when listed.
	Size int64 `json:"Size,omitempty"`
}

// CompanionCompleteRequest completes a multipart upload.
type CompanionCompleteRequest struct {
	// Parts are every part of the upload, each with the ETag S3 gave it.
	Parts []CompanionPart `json:"parts"`
}

// CompanionPartURL is the answer of RouteCompanionPart.
type CompanionPartURL struct {
	// URL is the presigned PUT URL of one part.
	URL string `json:"url"`
	// Expires is how long the URL stays valid, in seconds.
	Expires int64 `json:"expires"`
}

// CompanionBatch is the answer of RouteCompanionBatch.
type CompanionBatch struct {
	// PresignedURLs maps each asked-for part number to its presigned PUT URL.
	PresignedURLs map[string]string `json:"presignedUrls"`
}

// CompanionCompleted is the answer of RouteCompanionComplete.
type CompanionCompleted struct {
	// Location is the object's URL.
	Location string `json:"location"`
	// Key is the object key.
	Key string `json:"key"`
	// Bucket is the bucket's name.
	Bucket string `json:"bucket"`
}

func (h *Handler) companion(ctx context.Context, caller, resource string, req events.APIGatewayProxyRequest) (any, error) {
	q := req.QueryStringParameters
	uploadID := req.PathParameters["uploadId"]
	switch {
	case resource == RouteCompanionParams && req.HTTPMethod == http.MethodGet:
		return h.companionParams(ctx, caller, q["filename"], q["type"])
	case resource == RouteCompanionCreate && req.HTTPMethod == http.MethodPost:
		var c CompanionCreateRequest
		if err := decodeBody(req, &c, MaxRequestBody); err != nil {
			return nil, err
		}
		return h.companionCreate(ctx, caller, &c)
	case resource == RouteCompanionUpload && req.HTTPMethod == http.MethodGet:
		list, err := h.ListParts(ctx, caller, uploadID, q["key"])
		if err != nil {
			return nil, err
		}
		parts := make([]CompanionPart, len(list.Parts))
		for i, p := range list.Parts {
			parts[i] = CompanionPart{PartNumber: p.Number, ETag: p.ETag, Size: p.Size}
		}
		return parts, nil
	case resource == RouteCompanionUpload && req.HTTPMethod == http.MethodDelete:
		if err := h.Abort(ctx, caller, uploadID, q["key"]); err != nil {
			return nil, err
		}
		return struct{}{}, nil
	case resource == RouteCompanionBatch && req.HTTPMethod == http.MethodGet:
		return h.companionBatch(ctx, caller, uploadID, q["key"], q["partNumbers"])
	case resource == RouteCompanionPart && req.HTTPMethod == http.MethodGet:
		if err := h.checkUpload(caller, uploadID, q["key"]); err != nil {
			return nil, err
		}
		n, err := h.companionPartNumber("partNumber", req.PathParameters["partNumber"])
		if err != nil {
			return nil, err
		}
		u, err := h.companionPartURL(ctx, uploadID, q["key"], n)
		if err != nil {
			return nil, err
		}
		return CompanionPartURL{URL: u, Expires: int64(h.Config.URLExpiration.Seconds())}, nil
	case resource == RouteCompanionComplete && req.HTTPMethod == http.MethodPost:
		var c CompanionCompleteRequest
		if err := decodeBody(req, &c, MaxCompleteRequestBody); err != nil {
			return nil, err
		}
		return h.companionComplete(ctx, caller, uploadID, q["key"], &c)
	}
	return nil, &RequestError{Status: 404, Code: "NotFound", Message: fmt.Sprintf("no Companion route %s %s", req.HTTPMethod, resource)}
}

// companionFile checks a Companion request's file name and type.
func (h *Handler) companionFile(fileName, contentType string) (name, mediaType string, err error) {
	if name, err = SanitizeFileName(fileName); err != nil {
		err.(*RequestError).Field = "filename"
		return "", "", err
	}
	if contentType == "" {
		contentType = "application/octet-stream" // what Uppy sends for a file without a type
	}
	if mediaType, err = h.Config.checkContentType(contentType); err != nil {
		err.(*RequestError).Field = "type"
		return "", "", err
	}
	return name, mediaType, nil
}

func (h *Handler) companionParams(ctx context.Context, caller, fileName, contentType string) (*CompanionParams, error) {
	name, mediaType, err := h.companionFile(fileName, contentType)
	if err != nil {
		return nil, err
	}
	if h.Config.RequireChecksum {
		return nil, badRequest("ChecksumRequired", "checksumSha256", "the bucket locks objects (S3 object lock) and S3 refuses uploads "+
			"without a checksum, which Uppy does not send; use the API's POST /uploads with checksumSha256")
	}
	key, err := h.newKey(caller, name)
	if err != nil {
		return nil, err
	}
	url, fields, err := h.presignPost(ctx, key, mediaType, 1, min(h.Config.MaxSize, MaxSinglePutSize), "")
	if err != nil {
		return nil, err
	}
	return &CompanionParams{Method: http.MethodPost, URL: url, Fields: fields, Expires: int64(h.Config.URLExpiration.Seconds())}, nil
}

func (h *Handler) companionCreate(ctx context.Context, caller string, c *CompanionCreateRequest) (*CompanionUpload, error) {
	name, mediaType, err := h.companionFile(c.FileName, c.Type)
	if err != nil {
		return nil, err
	}
	key, err := h.newKey(caller, name)
	if err != nil {
		return nil, err
	}
	id, err := h.createMultipart(ctx, key, mediaType, false)
	if err != nil {
		return nil, err
	}
	return &CompanionUpload{Key: key, UploadID: id, Bucket: h.Config.Bucket}, nil
}

// maxCompanionPart is the highest part number a file of at most MaxSize
// can reach: every part but the last has at least MinPartSize bytes.
func (h *Handler) maxCompanionPart() int {
	return int(min(int64(MaxParts), (h.Config.MaxSize+MinPartSize-1)/MinPartSize))
}

func (h *Handler) companionPartNumber(field, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if max := h.maxCompanionPart(); err != nil || n < 1 || n > max {
		return 0, &RequestError{Status: 400, Code: "InvalidPartNumber", Field: field, Message: fmt.Sprintf(
			"part number %q; allowed: 1 to %d (parts of at least 5 MiB, up to the API's %d-byte limit)", s, max, h.Config.MaxSize)}
	}
	return n, nil
}

// companionPartURL signs one part; S3 takes parts of 5 MiB to 5 GiB, and
// the size of the whole is checked before completion.
func (h *Handler) companionPartURL(ctx context.Context, uploadID, key string, n int) (string, error) {
	p, err := h.Presigner.PresignUploadPart(ctx, &s3.UploadPartInput{
		Bucket: aws.String(h.Config.Bucket), Key: aws.String(key), UploadId: aws.String(uploadID), PartNumber: aws.Int32(int32(n)),
	}, s3.WithPresignExpires(h.Config.URLExpiration))
	if err != nil {
		return "", err
	}
	return p.URL, nil
}

func (h *Handler) companionBatch(ctx context.Context, caller, uploadID, key, numbers string) (*CompanionBatch, error) {
	if err := h.checkUpload(caller, uploadID, key); err != nil {
		return nil, err
	}
	list := strings.Split(numbers, ",")
	if numbers == "" || len(list) > MaxPartsPerResponse {
		return nil, badRequest("InvalidPartNumbers", "partNumbers", "partNumbers has %d numbers; allowed: 1 to %d, comma-separated", len(list), MaxPartsPerResponse)
	}
	out := &CompanionBatch{PresignedURLs: map[string]string{}}
	for _, s := range list {
		n, err := h.companionPartNumber("partNumbers", strings.TrimSpace(s))
		if err != nil {
			return nil, err
		}
		if out.PresignedURLs[strconv.Itoa(n)], err = h.companionPartURL(ctx, uploadID, key, n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// companionComplete completes the upload once the parts S3 has add up to no
// more than MaxSize; an oversize upload is aborted, so its parts do not
// wait for the lifecycle rule.
func (h *Handler) companionComplete(ctx context.Context, caller, uploadID, key string, c *CompanionCompleteRequest) (*CompanionCompleted, error) {
	if err := h.checkUpload(caller, uploadID, key); err != nil {
		return nil, err
	}
	if len(c.Parts) == 0 || len(c.Parts) > MaxParts {
		return nil, badRequest("InvalidParts", "parts", "%d parts; allowed: 1 to %d", len(c.Parts), MaxParts)
	}
	parts := make([]types.CompletedPart, len(c.Parts))
	for i, p := range c.Parts {
		if p.PartNumber < 1 || i > 0 && p.PartNumber <= c.Parts[i-1].PartNumber || p.ETag == "" {
			return nil, badRequest("InvalidParts", fmt.Sprintf("parts[%d]", i), "part %d has PartNumber %d and ETag %q; allowed: ascending part numbers, each with the ETag of its PUT", i, p.PartNumber, p.ETag)
		}
		parts[i] = types.CompletedPart{PartNumber: aws.Int32(int32(p.PartNumber)), ETag: aws.String(p.ETag)}
	}
	if err := h.abortOverMaxSize(ctx, uploadID, key); err != nil {
		return nil, err
	}
	out, err := h.complete(ctx, uploadID, key, parts)
	if err != nil {
		return nil, err
	}
	return &CompanionCompleted{Location: aws.ToString(out.Location), Key: key, Bucket: h.Config.Bucket}, nil
}
