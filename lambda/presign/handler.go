package presign

import (
	"context"
	"crypto/rand"
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
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// Routes of the upload API, as API Gateway resource paths.
const (
	RouteUploads  = "/uploads"
	RouteParts    = "/uploads/{uploadId}/parts"
	RouteComplete = "/uploads/{uploadId}/complete"
	RouteAbort    = "/uploads/{uploadId}"
)

// S3API is the part of the S3 client the handler calls.
type S3API interface {
	CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput, opts ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
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
	Config    Config
	S3        S3API
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
// becomes a 500 with a JSON body, and is logged.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayProxyRequest) (resp events.APIGatewayProxyResponse, _ error) {
	defer func() {
		if v := recover(); v != nil {
			log.Printf("presign: panic: %v\n%s", v, debug.Stack())
			resp = errorResponse(&RequestError{Status: 500, Code: "InternalError", Message: "the upload service failed; try again"})
		}
	}()
	out, err := h.route(ctx, req)
	if err != nil {
		var re *RequestError
		if !errors.As(err, &re) {
			log.Printf("presign: %s %s: %v", req.HTTPMethod, req.Path, err)
			re = &RequestError{Status: 502, Code: "StorageError", Message: "the storage service refused the request; try again"}
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
	switch {
	case resource == RouteUploads && req.HTTPMethod == http.MethodPost:
		var r Request
		if err := decodeBody(req, &r); err != nil {
			return nil, err
		}
		return h.Presign(ctx, CallerID(req.RequestContext), &r)
	case resource == RouteComplete && req.HTTPMethod == http.MethodPost:
		var c CompleteRequest
		if err := decodeBody(req, &c); err != nil {
			return nil, err
		}
		return h.Complete(ctx, CallerID(req.RequestContext), req.PathParameters["uploadId"], &c)
	case resource == RouteParts && req.HTTPMethod == http.MethodPost:
		var p PartsRequest
		if err := decodeBody(req, &p); err != nil {
			return nil, err
		}
		return h.MoreParts(ctx, CallerID(req.RequestContext), req.PathParameters["uploadId"], &p)
	case resource == RouteAbort && req.HTTPMethod == http.MethodDelete:
		key := req.QueryStringParameters["key"]
		if err := h.Abort(ctx, CallerID(req.RequestContext), req.PathParameters["uploadId"], key); err != nil {
			return nil, err
		}
		return map[string]string{"aborted": key}, nil
	}
	return nil, &RequestError{Status: 404, Code: "NotFound", Message: fmt.Sprintf("no route %s %s; allowed: POST %s, POST %s, POST %s, DELETE %s",
		req.HTTPMethod, resource, RouteUploads, RouteParts, RouteComplete, RouteAbort)}
}

// decodeBody decodes the JSON body (base64 when API Gateway says so) into v,
// refusing unknown fields and trailing data.
func decodeBody(req events.APIGatewayProxyRequest, v any) error {
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(req.Body); err != nil {
			return badRequest("InvalidBody", "", "the body is marked base64 but does not decode")
		}
	}
	if len(body) > MaxRequestBody {
		return &RequestError{Status: 413, Code: "BodyTooLarge", Message: fmt.Sprintf("the body is %d bytes; allowed: at most %d", len(body), MaxRequestBody)}
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("InvalidJSON", "", "the body is not the expected JSON object: %v", err)
	}
	if dec.More() {
		return badRequest("InvalidJSON", "", "the body has data after the JSON object")
	}
	return nil
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

// ownedKey checks that key was made by newKey for caller.
func (h *Handler) ownedKey(caller, key string) error {
	rest, ok := strings.CutPrefix(key, h.Config.Prefix+caller+"/")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 2 || len(parts[0]) != 32 {
		return &RequestError{Status: 403, Code: "NotYourUpload", Field: "key", Message: "the key does not belong to an upload of this caller"}
	}
	if _, err := hex.DecodeString(parts[0]); err != nil {
		return &RequestError{Status: 403, Code: "NotYourUpload", Field: "key", Message: "the key does not belong to an upload of this caller"}
	}
	if name, err := SanitizeFileName(parts[1]); err != nil || name != parts[1] {
		return &RequestError{Status: 403, Code: "NotYourUpload", Field: "key", Message: "the key does not belong to an upload of this caller"}
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
	resp := &Response{Mode: cfg.Mode, Key: key, Bucket: cfg.Bucket, ExpiresAt: h.now().Add(cfg.Expiry).UTC().Truncate(time.Second)}
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
		p, err := h.Presigner.PresignPutObject(ctx, in, s3.WithPresignExpires(cfg.Expiry))
		if err != nil {
			return nil, err
		}
		resp.Method, resp.URL, resp.Headers = http.MethodPut, p.URL, signedHeaders(p.SignedHeader)
	case ModePost:
		conditions := []any{
			[]any{"content-length-range", r.Size, r.Size},
			map[string]string{"Content-Type": contentType},
		}
		fields := map[string]string{"Content-Type": contentType}
		if r.ChecksumSHA256 != "" {
			conditions = append(conditions,
				map[string]string{"x-amz-checksum-algorithm": "SHA256"},
				map[string]string{"x-amz-checksum-sha256": r.ChecksumSHA256})
			fields["x-amz-checksum-algorithm"] = "SHA256"
			fields["x-amz-checksum-sha256"] = r.ChecksumSHA256
		}
		if cfg.KMSKeyID != "" {
			conditions = append(conditions,
				map[string]string{"x-amz-server-side-encryption": "aws:kms"},
				map[string]string{"x-amz-server-side-encryption-aws-kms-key-id": cfg.KMSKeyID})
			fields["x-amz-server-side-encryption"] = "aws:kms"
			fields["x-amz-server-side-encryption-aws-kms-key-id"] = cfg.KMSKeyID
		}
		p, err := h.Presigner.PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String(cfg.Bucket), Key: aws.String(key)},
			func(o *s3.PresignPostOptions) { o.Expires = cfg.Expiry; o.Conditions = conditions })
		if err != nil {
			return nil, err
		}
		for k, v := range p.Values {
			fields[k] = v
		}
		resp.Method, resp.URL, resp.Fields = http.MethodPost, p.URL, fields
	case ModeMultipart:
		ps, err := partSize(r.Size, r.PartSize)
		if err != nil {
			return nil, err
		}
		in := &s3.CreateMultipartUploadInput{Bucket: aws.String(cfg.Bucket), Key: aws.String(key), ContentType: aws.String(contentType)}
		if cfg.KMSKeyID != "" {
			in.ServerSideEncryption, in.SSEKMSKeyId = types.ServerSideEncryptionAwsKms, aws.String(cfg.KMSKeyID)
		}
		created, err := h.S3.CreateMultipartUpload(ctx, in)
		if err != nil {
			return nil, err
		}
		id := aws.ToString(created.UploadId)
		resp.Method, resp.UploadID, resp.PartSize = http.MethodPut, id, ps
		resp.Complete = strings.Replace(RouteComplete, "{uploadId}", url.PathEscape(id), 1)
		resp.Abort = strings.Replace(RouteAbort, "{uploadId}", url.PathEscape(id), 1) + "?key=" + url.QueryEscape(key)
		if resp.Parts, err = h.presignParts(ctx, key, id, r.Size, ps, 1, MaxPartsPerResponse); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

func (h *Handler) encryption(in *s3.PutObjectInput) {
	if h.Config.KMSKeyID != "" {
		in.ServerSideEncryption, in.SSEKMSKeyId = types.ServerSideEncryptionAwsKms, aws.String(h.Config.KMSKeyID)
	}
}

// presignParts signs up to count parts from part number first; each URL
// pins its part's Content-Length, so the parts add up to the declared size.
func (h *Handler) presignParts(ctx context.Context, key, uploadID string, size, ps int64, first, count int) ([]Part, error) {
	total := int((size + ps - 1) / ps)
	var parts []Part
	for n := first; n <= total && n < first+count; n++ {
		partLen := min(ps, size-int64(n-1)*ps)
		p, err := h.Presigner.PresignUploadPart(ctx, &s3.UploadPartInput{
			Bucket: aws.String(h.Config.Bucket), Key: aws.String(key), UploadId: aws.String(uploadID),
			PartNumber: aws.Int32(int32(n)), ContentLength: aws.Int64(partLen),
		}, s3.WithPresignExpires(h.Config.Expiry))
		if err != nil {
			return nil, err
		}
		parts = append(parts, Part{Number: n, Size: partLen, URL: p.URL, Headers: signedHeaders(p.SignedHeader)})
	}
	return parts, nil
}

// PartsRequest asks for more part URLs of a multipart upload
// (POST /uploads/{uploadId}/parts): parts From..From+Count-1.
type PartsRequest struct {
	Key      string `json:"key"`
	Size     int64  `json:"size"`
	PartSize int64  `json:"partSize"`
	From     int    `json:"from"`
	Count    int    `json:"count"`
}

// MoreParts presigns further parts of caller's multipart upload.
func (h *Handler) MoreParts(ctx context.Context, caller, uploadID string, p *PartsRequest) (*Response, error) {
	if err := h.ownedKey(caller, p.Key); err != nil {
		return nil, err
	}
	if uploadID == "" {
		return nil, badRequest("MissingUploadId", "uploadId", "the path needs the upload id")
	}
	if p.Size <= 0 || p.Size > h.Config.MaxSize {
		return nil, badRequest("InvalidSize", "size", "size is %d; allowed: 1 to %d", p.Size, h.Config.MaxSize)
	}
	if _, err := partSize(p.Size, p.PartSize); err != nil || p.PartSize == 0 {
		return nil, badRequest("InvalidPartSize", "partSize", "partSize is %d; allowed: the part size of the upload", p.PartSize)
	}
	total := int((p.Size + p.PartSize - 1) / p.PartSize)
	if p.From < 1 || p.From > total || p.Count < 1 || p.Count > MaxPartsPerResponse {
		return nil, badRequest("InvalidPartRange", "from", "parts %d+%d; allowed: from 1..%d, count 1..%d", p.From, p.Count, total, MaxPartsPerResponse)
	}
	parts, err := h.presignParts(ctx, p.Key, uploadID, p.Size, p.PartSize, p.From, p.Count)
	if err != nil {
		return nil, err
	}
	return &Response{Mode: ModeMultipart, Method: http.MethodPut, Key: p.Key, Bucket: h.Config.Bucket, UploadID: uploadID,
		PartSize: p.PartSize, Parts: parts, ExpiresAt: h.now().Add(h.Config.Expiry).UTC().Truncate(time.Second)}, nil
}

// Complete completes caller's multipart upload; S3 refuses if the key
// already exists (If-None-Match) or the parts do not match.
func (h *Handler) Complete(ctx context.Context, caller, uploadID string, c *CompleteRequest) (*CompleteResponse, error) {
	if err := h.ownedKey(caller, c.Key); err != nil {
		return nil, err
	}
	if uploadID == "" {
		return nil, badRequest("MissingUploadId", "uploadId", "the path needs the upload id")
	}
	if len(c.Parts) == 0 || len(c.Parts) > MaxParts {
		return nil, badRequest("InvalidParts", "parts", "%d parts; allowed: 1 to %d, each with its number and ETag", len(c.Parts), MaxParts)
	}
	parts := make([]types.CompletedPart, len(c.Parts))
	for i, p := range c.Parts {
		if p.Number != i+1 || p.ETag == "" {
			return nil, badRequest("InvalidParts", "parts", "part %d has number %d and ETag %q; allowed: numbers 1, 2, 3... in order, each with the ETag of its PUT", i, p.Number, p.ETag)
		}
		parts[i] = types.CompletedPart{PartNumber: aws.Int32(int32(p.Number)), ETag: aws.String(p.ETag)}
	}
	out, err := h.S3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(h.Config.Bucket), Key: aws.String(c.Key), UploadId: aws.String(uploadID),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		IfNoneMatch:     aws.String("*"),
	})
	if err != nil {
		return nil, s3RequestError(err)
	}
	return &CompleteResponse{Key: c.Key, ETag: aws.ToString(out.ETag)}, nil
}

// Abort abandons caller's multipart upload.
func (h *Handler) Abort(ctx context.Context, caller, uploadID, key string) error {
	if err := h.ownedKey(caller, key); err != nil {
		return err
	}
	if uploadID == "" {
		return badRequest("MissingUploadId", "uploadId", "the path needs the upload id")
	}
	_, err := h.S3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket: aws.String(h.Config.Bucket), Key: aws.String(key), UploadId: aws.String(uploadID),
	})
	return s3RequestError(err)
}

// s3RequestError turns S3's answers to a client's mistakes into 4xx.
func s3RequestError(err error) error {
	var api smithy.APIError
	if err == nil || !errors.As(err, &api) {
		return err
	}
	switch api.ErrorCode() {
	case "NoSuchUpload":
		return &RequestError{Status: 404, Code: "NoSuchUpload", Field: "uploadId", Message: "no such multipart upload (completed, aborted or expired)"}
	case "InvalidPart", "InvalidPartOrder", "EntityTooSmall":
		return &RequestError{Status: 400, Code: api.ErrorCode(), Field: "parts", Message: api.ErrorMessage()}
	case "PreconditionFailed":
		return &RequestError{Status: 412, Code: "AlreadyExists", Field: "key", Message: "an object with this key exists already"}
	}
	return err
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
