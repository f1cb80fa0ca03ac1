// Package presign is the upload API's handler logic: it checks an upload
// request against the configured limits, makes the object key (the client
// never chooses it) and answers with presigned S3 URLs that only accept
// exactly what was asked for: a presigned PUT whose signed headers pin the
// length, type, checksum and If-None-Match, a presigned POST whose policy
// does the same, or a multipart upload with one URL per part.
//
// The wire types, routes, environment variables and limits are package
// contract's (lambda/presign/contract), which has none of the AWS SDK and
// is what the constructs and client/upload import; they carry the same
// names here. The constructs refer to the handler by path
// (handlers/presign).
package presign

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/streamgate/streamgate/lambda/cors"
)

// S3API is the part of the S3 client the handler calls.
type S3API interface {
	CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput, opts ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
	ListParts(ctx context.Context, in *s3.ListPartsInput, opts ...func(*s3.Options)) (*s3.ListPartsOutput, error)
}

// Presigner is the part of s3.PresignClient the handler uses.
type Presigner interface {
	PresignPutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.PresignOptions)) (*v4.PresignedHTTPRequest, error)
	PresignUploadPart(ctx context.Context, in *s3.UploadPartInput, opts ...func(*s3.PresignOptions)) (*v4.PresignedHTTPRequest, error)
	PresignPostObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.PresignPostOptions)) (*s3.PresignedPostRequest, error)
}

// Handler answers the upload API's routes. One Handler (and so one
// PresignClient) serves every invocation of a Lambda process.
type Handler struct {
	// Config is what the handler enforces (ConfigFromEnv reads it).
	Config Config
	// S3 makes the multipart calls (create, list, complete, abort).
	S3 S3API
	// Presigner signs the URLs.
	Presigner Presigner
	// Now is the clock. Default: time.Now.
	Now func() time.Time
	// Random supplies the random part of keys. Default: crypto/rand.
	Random io.Reader
}

// NewPresignClient is the presign client the handler needs: headers stay
// signed headers instead of being hoisted into the query string, where S3
// would not check them (aws-sdk-go-v2 #2610).
func NewPresignClient(client *s3.Client) *s3.PresignClient {
	return s3.NewPresignClient(client, func(o *s3.PresignOptions) {
		o.Presigner = v4.NewSigner(func(so *v4.SignerOptions) { so.DisableHeaderHoisting = true })
	})
}

// New returns a handler for cfg that calls S3 with client.
func New(cfg Config, client *s3.Client) *Handler {
	return &Handler{Config: cfg, S3: client, Presigner: NewPresignClient(client)}
}

// Handle routes an API Gateway proxy request. It never panics: a bug
// becomes a 500 with a JSON body, and is logged. Every answer to a request
// from an origin that Config.CORS allows carries the CORS headers (API
// Gateway adds none to a Lambda proxy answer).
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayProxyRequest) (resp events.APIGatewayProxyResponse, _ error) {
	defer func() {
		if v := recover(); v != nil {
			log.Printf("presign: panic: %v\n%s", v, debug.Stack())
			resp = errorResponse(&RequestError{Status: 500, Code: "InternalError", Message: "the upload service failed; try again"})
		}
		resp.Headers = h.Config.CORS.Apply(resp.Headers, cors.Origin(req.Headers))
	}()
	out, err := h.route(ctx, req)
	if err != nil {
		var re *RequestError
		if !errors.As(err, &re) {
			log.Printf("presign: %s %s: %v", req.HTTPMethod, req.Path, err)
			re = &RequestError{Status: 502, Code: "StorageError", Message: "the storage service failed; try again"}
		}
		return errorResponse(re), nil
	}
	return jsonResponse(200, out), nil
}

func (h *Handler) route(ctx context.Context, req events.APIGatewayProxyRequest) (any, error) {
	resource := req.Resource
	if resource == "" {
		resource = req.Path
	}
	caller := CallerID(req.RequestContext)
	uploadID := req.PathParameters["uploadId"]
	switch {
	case resource == RouteUploads && req.HTTPMethod == http.MethodPost:
		var r Request
		if err := decodeBody(req, &r, MaxRequestBody); err != nil {
			return nil, err
		}
		return h.Presign(ctx, caller, &r)
	case resource == RouteComplete && req.HTTPMethod == http.MethodPost:
		var c CompleteRequest
		if err := decodeBody(req, &c, MaxCompleteRequestBody); err != nil {
			return nil, err
		}
		return h.Complete(ctx, caller, uploadID, &c)
	case resource == RouteParts && req.HTTPMethod == http.MethodPost:
		var p PartsRequest
		if err := decodeBody(req, &p, MaxRequestBody); err != nil {
			return nil, err
		}
		return h.MoreParts(ctx, caller, uploadID, &p)
	case resource == RouteParts && req.HTTPMethod == http.MethodGet:
		return h.ListParts(ctx, caller, uploadID, req.QueryStringParameters["key"])
	case resource == RouteAbort && req.HTTPMethod == http.MethodDelete:
		key := req.QueryStringParameters["key"]
		if err := h.Abort(ctx, caller, uploadID, key); err != nil {
			return nil, err
		}
		return map[string]string{"aborted": key}, nil
	case h.Config.Companion && strings.HasPrefix(resource, CompanionPrefix):
		return h.companion(ctx, caller, resource, req)
	}
	routes := fmt.Sprintf("POST %s, POST and GET %s, POST %s, DELETE %s", RouteUploads, RouteParts, RouteComplete, RouteAbort)
	if h.Config.Companion {
		routes += ", and the Companion S3 routes under " + CompanionPrefix
	}
	return nil, &RequestError{Status: 404, Code: "NotFound", Message: fmt.Sprintf("no route %s %s; allowed: %s", req.HTTPMethod, resource, routes)}
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// newKey is prefix/caller/random/name.
func (h *Handler) newKey(caller, fileName string) (string, error) {
	var id [16]byte
	r := h.Random
	if r == nil {
		r = rand.Reader
	}
	if _, err := io.ReadFull(r, id[:]); err != nil {
		return "", err
	}
	return h.Config.Prefix + caller + "/" + hex.EncodeToString(id[:]) + "/" + fileName, nil
}

// ownedKey checks that key was made by newKey for caller. A key that is
// not the caller's is answered as an upload that does not exist: whether
// another caller's upload exists is not for this caller to learn.
func (h *Handler) ownedKey(caller, key string) error {
	if key == "" {
		return badRequest("MissingKey", "key", "key is required: the key the upload API answered when the upload started")
	}
	notFound := &RequestError{Status: 404, Code: "NoSuchUpload", Field: "key", Message: "this caller has no upload with this key"}
	rest, ok := strings.CutPrefix(key, h.Config.Prefix+caller+"/")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 2 || len(parts[0]) != 32 {
		return notFound
	}
	if _, err := hex.DecodeString(parts[0]); err != nil {
		return notFound
	}
	if name, err := SanitizeFileName(parts[1]); err != nil || name != parts[1] {
		return notFound
	}
	return nil
}

// MaxUploadIDLength bounds the upload ids the API passes on to S3, whose
// own are a few hundred characters at most.
const MaxUploadIDLength = 1024

// checkUpload checks the key and the shape of the upload id of caller's
// multipart upload, before S3 is asked.
func (h *Handler) checkUpload(caller, uploadID, key string) error {
	if err := h.ownedKey(caller, key); err != nil {
		return err
	}
	switch {
	case uploadID == "":
		return badRequest("MissingUploadId", "uploadId", "the path needs the upload id")
	case len(uploadID) > MaxUploadIDLength:
		return badRequest("InvalidUploadId", "uploadId", "the upload id is %d bytes; allowed: at most %d, as the upload API answered it", len(uploadID), MaxUploadIDLength)
	}
	for _, r := range uploadID {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~+/=", r)) {
			return badRequest("InvalidUploadId", "uploadId", "the upload id has the character %q; allowed: letters, digits and -._~+/=, as the upload API answered it", r)
		}
	}
	return nil
}

// Presign answers an upload request for caller.
func (h *Handler) Presign(ctx context.Context, caller string, r *Request) (*Response, error) {
	cfg := &h.Config
	contentType, fileName, err := cfg.validate(r)
	if err != nil {
		return nil, err
	}
	key, err := h.newKey(caller, fileName)
	if err != nil {
		return nil, err
	}
	resp := &Response{Mode: cfg.Mode, Key: key, Bucket: cfg.Bucket, ExpiresAt: h.expiresAt()}
	switch cfg.Mode {
	case ModePut:
		in := &s3.PutObjectInput{
			Bucket:        aws.String(cfg.Bucket),
			Key:           aws.String(key),
			ContentLength: aws.Int64(r.Size),
			ContentType:   aws.String(contentType),
			IfNoneMatch:   aws.String("*"),
		}
		if r.ChecksumSHA256 != "" {
			in.ChecksumSHA256 = aws.String(r.ChecksumSHA256)
		}
		h.encryption(in)
		p, err := h.Presigner.PresignPutObject(ctx, in, s3.WithPresignExpires(cfg.URLExpiration))
		if err != nil {
			return nil, err
		}
		resp.Method, resp.URL, resp.Headers = http.MethodPut, p.URL, signedHeaders(p.SignedHeader)
	case ModePost:
		url, fields, err := h.presignPost(ctx, key, contentType, r.Size, r.Size, r.ChecksumSHA256)
		if err != nil {
			return nil, err
		}
		resp.Method, resp.URL, resp.Fields = http.MethodPost, url, fields
	case ModeMultipart:
		ps, err := partSize(r.Size, r.PartSize)
		if err != nil {
			return nil, err
		}
		perPart := r.ChecksumSHA256 != "" || r.ChecksumAlgorithm != ""
		id, err := h.createMultipart(ctx, key, contentType, perPart)
		if err != nil {
			return nil, err
		}
		resp.Method, resp.UploadID, resp.PartSize = http.MethodPut, id, ps
		resp.Complete = strings.Replace(RouteComplete, "{uploadId}", url.PathEscape(id), 1)
		resp.Abort = strings.Replace(RouteAbort, "{uploadId}", url.PathEscape(id), 1) + "?key=" + url.QueryEscape(key)
		if perPart {
			// Each part URL must sign its part's checksum, which the client
			// sends with the parts request.
			resp.ChecksumAlgorithm = ChecksumSHA256
			return resp, nil
		}
		if resp.Parts, err = h.presignParts(ctx, key, id, r.Size, ps, 1, MaxPartsPerResponse, nil); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

func (h *Handler) expiresAt() time.Time {
	return h.now().Add(h.Config.URLExpiration).UTC().Truncate(time.Second)
}

// presignPost signs a POST form for key whose policy pins the length range,
// the content type, the key, the checksum when given and the encryption.
func (h *Handler) presignPost(ctx context.Context, key, contentType string, minSize, maxSize int64, checksum string) (string, map[string]string, error) {
	cfg := &h.Config
	conditions := []any{
		[]any{"content-length-range", minSize, maxSize},
		map[string]string{"Content-Type": contentType},
	}
	fields := map[string]string{"Content-Type": contentType}
	if checksum != "" {
		conditions = append(conditions,
			map[string]string{"x-amz-checksum-algorithm": ChecksumSHA256},
			map[string]string{"x-amz-checksum-sha256": checksum})
		fields["x-amz-checksum-algorithm"] = ChecksumSHA256
		fields["x-amz-checksum-sha256"] = checksum
	}
	if cfg.KMSKeyID != "" {
		conditions = append(conditions,
			map[string]string{"x-amz-server-side-encryption": "aws:kms"},
			map[string]string{"x-amz-server-side-encryption-aws-kms-key-id": cfg.KMSKeyID})
		fields["x-amz-server-side-encryption"] = "aws:kms"
		fields["x-amz-server-side-encryption-aws-kms-key-id"] = cfg.KMSKeyID
	}
	p, err := h.Presigner.PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String(cfg.Bucket), Key: aws.String(key)},
		func(o *s3.PresignPostOptions) { o.Expires = cfg.URLExpiration; o.Conditions = conditions })
	if err != nil {
		return "", nil, err
	}
	for k, v := range p.Values {
		fields[k] = v
	}
	return p.URL, fields, nil
}

// createMultipart starts a multipart upload of key; with perPart, S3 checks
// each part against the SHA-256 its URL signs.
func (h *Handler) createMultipart(ctx context.Context, key, contentType string, perPart bool) (string, error) {
	in := &s3.CreateMultipartUploadInput{Bucket: aws.String(h.Config.Bucket), Key: aws.String(key), ContentType: aws.String(contentType)}
	if h.Config.KMSKeyID != "" {
		in.ServerSideEncryption, in.SSEKMSKeyId = types.ServerSideEncryptionAwsKms, aws.String(h.Config.KMSKeyID)
	}
	if perPart {
		in.ChecksumAlgorithm = types.ChecksumAlgorithmSha256
	}
	created, err := h.S3.CreateMultipartUpload(ctx, in)
	if err != nil {
		return "", s3RequestError(err, "")
	}
	return aws.ToString(created.UploadId), nil
}

func (h *Handler) encryption(in *s3.PutObjectInput) {
	if h.Config.KMSKeyID != "" {
		in.ServerSideEncryption, in.SSEKMSKeyId = types.ServerSideEncryptionAwsKms, aws.String(h.Config.KMSKeyID)
	}
}

// presignParts signs up to count parts from part number first; each URL
// pins its part's Content-Length, so the parts add up to the declared size,
// and its SHA-256 when checksums (of parts first, first+1, ...) are given.
func (h *Handler) presignParts(ctx context.Context, key, uploadID string, size, ps int64, first, count int, checksums []string) ([]Part, error) {
	total := int((size + ps - 1) / ps)
	var parts []Part
	for n := first; n <= total && n < first+count; n++ {
		in := &s3.UploadPartInput{
			Bucket: aws.String(h.Config.Bucket), Key: aws.String(key), UploadId: aws.String(uploadID),
			PartNumber: aws.Int32(int32(n)), ContentLength: aws.Int64(min(ps, size-int64(n-1)*ps)),
		}
		if checksums != nil {
			in.ChecksumSHA256 = aws.String(checksums[n-first])
		}
		p, err := h.Presigner.PresignUploadPart(ctx, in, s3.WithPresignExpires(h.Config.URLExpiration))
		if err != nil {
			return nil, err
		}
		parts = append(parts, Part{Number: n, Size: *in.ContentLength, URL: p.URL, Headers: signedHeaders(p.SignedHeader)})
	}
	return parts, nil
}

// MoreParts presigns further parts of caller's multipart upload.
func (h *Handler) MoreParts(ctx context.Context, caller, uploadID string, p *PartsRequest) (*Response, error) {
	if err := h.checkUpload(caller, uploadID, p.Key); err != nil {
		return nil, err
	}
	if p.Size <= 0 || p.Size > h.Config.MaxSize {
		return nil, badRequest("InvalidSize", "size", "size is %d; allowed: 1 to %d", p.Size, h.Config.MaxSize)
	}
	if _, err := partSize(p.Size, p.PartSize); err != nil || p.PartSize == 0 {
		return nil, badRequest("InvalidPartSize", "partSize", "partSize is %d; allowed: the part size of the upload", p.PartSize)
	}
	if len(p.ChecksumsSHA256) > 0 {
		if len(p.ChecksumsSHA256) > MaxChecksumsPerRequest {
			return nil, badRequest("TooManyChecksums", "checksumsSha256", "%d checksums; allowed: at most %d per request", len(p.ChecksumsSHA256), MaxChecksumsPerRequest)
		}
		if p.Count != 0 && p.Count != len(p.ChecksumsSHA256) {
			return nil, badRequest("InvalidPartRange", "count", "count is %d with %d checksums; allowed: one checksum per part (or count left out)", p.Count, len(p.ChecksumsSHA256))
		}
		p.Count = len(p.ChecksumsSHA256)
		for i, c := range p.ChecksumsSHA256 {
			if !validSHA256(c) {
				return nil, badRequest("InvalidChecksum", fmt.Sprintf("checksumsSha256[%d]", i), "the checksum of part %d is not the base64 of a 32-byte SHA-256 digest", p.From+i)
			}
		}
	}
	total := int((p.Size + p.PartSize - 1) / p.PartSize)
	if p.Count == 0 && len(p.ChecksumsSHA256) == 0 {
		p.Count = MaxPartsPerResponse // as many as a first answer gives
	}
	switch {
	case p.From < 1 || p.From > total:
		return nil, badRequest("InvalidPartRange", "from", "from is %d; allowed: a part number from 1 to %d", p.From, total)
	case p.Count < 1 || p.Count > MaxPartsPerResponse || len(p.ChecksumsSHA256) > 0 && p.From+p.Count-1 > total:
		return nil, badRequest("InvalidPartRange", "count", "parts %d+%d; allowed: count 1..%d, or left out, and with checksums only parts up to %d", p.From, p.Count, MaxPartsPerResponse, total)
	}
	parts, err := h.presignParts(ctx, p.Key, uploadID, p.Size, p.PartSize, p.From, p.Count, p.ChecksumsSHA256)
	if err != nil {
		return nil, err
	}
	return &Response{Mode: ModeMultipart, Method: http.MethodPut, Key: p.Key, Bucket: h.Config.Bucket, UploadID: uploadID,
		PartSize: p.PartSize, Parts: parts, ExpiresAt: h.expiresAt()}, nil
}

// ListParts lists the parts S3 has of caller's multipart upload, every page:
// what a client resuming the upload need not send again.
func (h *Handler) ListParts(ctx context.Context, caller, uploadID, key string) (*PartsList, error) {
	if err := h.checkUpload(caller, uploadID, key); err != nil {
		return nil, err
	}
	out := &PartsList{UploadID: uploadID, Key: key, Parts: []ListedPart{}}
	err := h.eachPart(ctx, uploadID, key, func(p types.Part) {
		out.Parts = append(out.Parts, ListedPart{Number: int(aws.ToInt32(p.PartNumber)), Size: aws.ToInt64(p.Size),
			ETag: aws.ToString(p.ETag), ChecksumSHA256: aws.ToString(p.ChecksumSHA256)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eachPart calls fn with every part S3 lists, page after page.
func (h *Handler) eachPart(ctx context.Context, uploadID, key string, fn func(types.Part)) error {
	var marker *string
	for page := 0; page <= MaxParts/1000; page++ {
		out, err := h.S3.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(h.Config.Bucket), Key: aws.String(key),
			UploadId: aws.String(uploadID), PartNumberMarker: marker})
		if err != nil {
			return s3RequestError(err, "uploadId")
		}
		for _, p := range out.Parts {
			fn(p)
		}
		if !aws.ToBool(out.IsTruncated) || out.NextPartNumberMarker == nil {
			return nil
		}
		marker = out.NextPartNumberMarker
	}
	return nil
}

// Complete completes caller's multipart upload with its parts, given in any
// order: numbers 1 to n, once each. Parts that add up to more than MaxSize
// abort the upload (each part's URL pins its length, but a client may ask
// for part URLs of another declared size); S3 refuses if the key already
// exists (If-None-Match) or the parts do not match.
func (h *Handler) Complete(ctx context.Context, caller, uploadID string, c *CompleteRequest) (*CompleteResponse, error) {
	if err := h.checkUpload(caller, uploadID, c.Key); err != nil {
		return nil, err
	}
	if len(c.Parts) == 0 || len(c.Parts) > MaxParts {
		return nil, badRequest("InvalidParts", "parts", "%d parts; allowed: 1 to %d, each with its number and ETag", len(c.Parts), MaxParts)
	}
	// S3 wants them in ascending order of number.
	order := make([]int, len(c.Parts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(c.Parts[a].Number, c.Parts[b].Number) })
	parts := make([]types.CompletedPart, len(c.Parts))
	for n, i := range order {
		p := c.Parts[i]
		if p.Number != n+1 || p.ETag == "" {
			why := fmt.Sprintf("part %d has no ETag", p.Number)
			if p.Number < 1 || p.Number > len(c.Parts) {
				why = fmt.Sprintf("%d is not a part number from 1 to %d", p.Number, len(c.Parts))
			} else if p.Number < n+1 {
				why = fmt.Sprintf("part %d is given twice", p.Number)
			} else if p.Number > n+1 {
				why = fmt.Sprintf("part %d is missing", n+1)
			}
			return nil, badRequest("InvalidParts", fmt.Sprintf("parts[%d]", i), "parts[%d] has number %d and ETag %q: %s; allowed: numbers 1 to %d, each once, in any order, each with the ETag of its PUT",
				i, p.Number, p.ETag, why, len(c.Parts))
		}
		if p.ChecksumSHA256 != "" && !validSHA256(p.ChecksumSHA256) {
			return nil, badRequest("InvalidChecksum", fmt.Sprintf("parts[%d].checksumSha256", i), "the checksum of part %d is not the base64 of a 32-byte SHA-256 digest", p.Number)
		}
		parts[n] = types.CompletedPart{PartNumber: aws.Int32(int32(p.Number)), ETag: aws.String(p.ETag)}
		if p.ChecksumSHA256 != "" {
			parts[n].ChecksumSHA256 = aws.String(p.ChecksumSHA256)
		}
	}
	if err := h.abortOverMaxSize(ctx, uploadID, c.Key); err != nil {
		return nil, err
	}
	out, err := h.complete(ctx, uploadID, c.Key, parts)
	if err != nil {
		return nil, err
	}
	return &CompleteResponse{Key: c.Key, ETag: aws.ToString(out.ETag)}, nil
}

// abortOverMaxSize aborts the upload, with a 413, when the parts S3 has add
// up to more than MaxSize.
func (h *Handler) abortOverMaxSize(ctx context.Context, uploadID, key string) error {
	var total int64
	if err := h.eachPart(ctx, uploadID, key, func(p types.Part) { total += aws.ToInt64(p.Size) }); err != nil {
		return err
	}
	if total <= h.Config.MaxSize {
		return nil
	}
	if _, err := h.S3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(h.Config.Bucket), Key: aws.String(key), UploadId: aws.String(uploadID)}); err != nil {
		return s3RequestError(err, "uploadId")
	}
	return &RequestError{Status: 413, Code: "SizeTooLarge", Field: "parts", Message: fmt.Sprintf(
		"the parts add up to %d bytes; allowed: at most %d. The upload was aborted", total, h.Config.MaxSize)}
}

func (h *Handler) complete(ctx context.Context, uploadID, key string, parts []types.CompletedPart) (*s3.CompleteMultipartUploadOutput, error) {
	out, err := h.S3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(h.Config.Bucket), Key: aws.String(key), UploadId: aws.String(uploadID),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		IfNoneMatch:     aws.String("*"),
	})
	if err != nil {
		return nil, s3RequestError(err, "uploadId") // the part errors name "parts" themselves
	}
	return out, nil
}

// Abort abandons caller's multipart upload; one that does not exist (never
// started, completed, aborted or expired) is a 404, which S3's
// AbortMultipartUpload does not always say.
func (h *Handler) Abort(ctx context.Context, caller, uploadID, key string) error {
	if err := h.checkUpload(caller, uploadID, key); err != nil {
		return err
	}
	_, err := h.S3.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(h.Config.Bucket), Key: aws.String(key),
		UploadId: aws.String(uploadID), MaxParts: aws.Int32(1)})
	if err != nil {
		return s3RequestError(err, "uploadId")
	}
	_, err = h.S3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket: aws.String(h.Config.Bucket), Key: aws.String(key), UploadId: aws.String(uploadID),
	})
	return s3RequestError(err, "uploadId")
}

// s3RequestError turns S3's refusals into 4xx answers naming the field at
// fault (field, unless S3's code names another); what remains (S3 down,
// the handler's own permissions refused) is the server's fault, a 5xx.
func s3RequestError(err error, field string) error {
	var api smithy.APIError
	if err == nil || !errors.As(err, &api) {
		return err
	}
	switch api.ErrorCode() {
	case "NoSuchUpload":
		return &RequestError{Status: 404, Code: "NoSuchUpload", Field: "uploadId", Message: "no such multipart upload (never started, completed, aborted or expired)"}
	case "InvalidPart", "InvalidPartOrder", "EntityTooSmall", "EntityTooLarge", "BadDigest", "InvalidDigest":
		return &RequestError{Status: 400, Code: api.ErrorCode(), Field: "parts", Message: api.ErrorMessage()}
	case "PreconditionFailed":
		return &RequestError{Status: 412, Code: "AlreadyExists", Field: "key", Message: "an object with this key exists already"}
	case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "NoSuchBucket":
		return err // the handler's own configuration or credentials: not the client's doing
	}
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) && resp.HTTPStatusCode()/100 == 4 && resp.HTTPStatusCode() != 429 {
		return &RequestError{Status: 400, Code: "StorageRejected", Field: field,
			Message: fmt.Sprintf("the storage service refused the request (%s): %s", api.ErrorCode(), api.ErrorMessage())}
	}
	return err
}

func validSHA256(s string) bool {
	// The decoder skips \r and \n, which a header value cannot carry:
	// only the canonical 44 characters pass.
	sum, err := base64.StdEncoding.DecodeString(s)
	return err == nil && len(sum) == sha256.Size && base64.StdEncoding.EncodeToString(sum) == s
}

// signedHeaders are the headers the client must send with a presigned
// request (Host is set by its HTTP client).
func signedHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		if strings.EqualFold(k, "Host") {
			continue
		}
		out[http.CanonicalHeaderKey(k)] = strings.Join(v, ",")
	}
	return out
}

func jsonResponse(status int, v any) events.APIGatewayProxyResponse {
	b, _ := json.Marshal(v)
	return events.APIGatewayProxyResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store"},
		Body:       string(b),
	}
}

func errorResponse(e *RequestError) events.APIGatewayProxyResponse {
	return jsonResponse(e.Status, ErrorResponse{Error: ErrorBody{Code: e.Code, Field: e.Field, Message: e.Message}})
}
