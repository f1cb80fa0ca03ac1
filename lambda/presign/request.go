package presign

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// RequestError is a bad request: the HTTP status, a code, the field at fault
// and what is allowed.
type RequestError struct {
	// Status is the HTTP status of the answer, a 4xx.
	Status int
	// Code names the problem (ErrorBody.Code).
	Code string
	// Field is the request field at fault, "" when none is.
	Field string
	// Message says what is allowed.
	Message string
}

// Error is the code and the message.
func (e *RequestError) Error() string { return e.Code + ": " + e.Message }

func badRequest(code, field, format string, args ...any) *RequestError {
	return &RequestError{Status: 400, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// MaxFileNameLength is the longest sanitised file name kept in a key.
const MaxFileNameLength = 100

// SanitizeFileName returns the part of a client's file name that may go
// into a key: letters, digits, '.', '-' and '_', other characters replaced by
// '_', at most MaxFileNameLength bytes with the extension kept. Names that
// try to be paths (a '/', a '\', "." or "..", control characters) are
// rejected, not repaired.
func SanitizeFileName(name string) (string, error) {
	switch {
	case name == "":
		return "", badRequest("MissingFileName", "fileName", "fileName is required: the name of the file, e.g. \"report.pdf\"")
	case len(name) > 1024:
		return "", badRequest("InvalidFileName", "fileName", "fileName is %d bytes; allowed: at most 1024", len(name))
	case !utf8.ValidString(name):
		return "", badRequest("InvalidFileName", "fileName", "fileName is not valid UTF-8")
	case strings.ContainsAny(name, `/\`):
		return "", badRequest("InvalidFileName", "fileName", "fileName %q contains a path separator; allowed: a plain file name, the server chooses the path", name)
	case name == "." || name == ".." || strings.HasPrefix(name, ".."):
		return "", badRequest("InvalidFileName", "fileName", "fileName %q is a relative path; allowed: a plain file name", name)
	}
	var b strings.Builder
	lastUnderscore := false
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return "", badRequest("InvalidFileName", "fileName", "fileName contains control characters; allowed: printable characters")
		}
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			b.WriteRune(r)
			lastUnderscore = false
		} else if !lastUnderscore {
			b.WriteByte('_')
			lastUnderscore = true
		}
	}
	s := strings.TrimLeft(b.String(), "._-")
	if s == "" {
		s = "file"
	}
	if len(s) > MaxFileNameLength {
		ext := ""
		if i := strings.LastIndexByte(s, '.'); i > 0 && len(s)-i <= 16 {
			ext = s[i:]
		}
		s = s[:MaxFileNameLength-len(ext)] + ext
	}
	return s, nil
}

// CallerID is a stable, path-safe id of the caller: a hash of the identity
// API Gateway established (Cognito subject, Lambda authorizer principal, IAM
// ARN), so that keys group by caller without exposing who they are.
func CallerID(rc events.APIGatewayProxyRequestContext) string {
	id := "anonymous"
	if claims, ok := rc.Authorizer["claims"].(map[string]any); ok {
		if sub, ok := claims["sub"].(string); ok && sub != "" {
			id = "cognito:" + sub
		}
	} else if p, ok := rc.Authorizer["principalId"].(string); ok && p != "" {
		id = "lambda:" + p
	} else if rc.Identity.UserArn != "" {
		id = "iam:" + rc.Identity.UserArn
	} else if rc.Identity.Caller != "" {
		id = "iam:" + rc.Identity.Caller
	}
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:8])
}

// validate checks a request against the configuration and returns the
// normalised content type and file name.
func (c *Config) validate(r *Request) (contentType, fileName string, err error) {
	fileName, err = SanitizeFileName(r.FileName)
	if err != nil {
		return "", "", err
	}
	if r.Size <= 0 {
		return "", "", badRequest("MissingSize", "size", "size is %d; allowed: the object's size in bytes, 1 to %d", r.Size, c.MaxSize)
	}
	if r.Size > c.MaxSize {
		return "", "", &RequestError{Status: 413, Code: "SizeTooLarge", Field: "size",
			Message: fmt.Sprintf("size is %d bytes; allowed: at most %d", r.Size, c.MaxSize)}
	}
	if _, err := c.checkContentType(r.ContentType); err != nil {
		return "", "", err
	}
	contentType = r.ContentType
	switch r.ChecksumAlgorithm {
	case "", ChecksumSHA256:
	default:
		return "", "", badRequest("InvalidChecksumAlgorithm", "checksumAlgorithm", "checksumAlgorithm is %q; allowed: %q, or none", r.ChecksumAlgorithm, ChecksumSHA256)
	}
	if r.ChecksumSHA256 != "" && !validSHA256(r.ChecksumSHA256) {
		return "", "", badRequest("InvalidChecksum", "checksumSha256", "checksumSha256 is not the base64 of a 32-byte SHA-256 digest")
	}
	if r.ChecksumSHA256 == "" && c.Mode != ModeMultipart {
		switch {
		case c.RequireChecksum:
			return "", "", badRequest("ChecksumRequired", "checksumSha256", "checksumSha256 is required: the bucket locks objects (S3 object lock), "+
				"and S3 refuses such uploads without a checksum; send the base64 SHA-256 of the file")
		case r.ChecksumAlgorithm != "":
			return "", "", badRequest("ChecksumRequired", "checksumSha256", "checksumAlgorithm %s in %s mode needs checksumSha256, the base64 SHA-256 of the file", r.ChecksumAlgorithm, c.Mode)
		}
	}
	if r.PartSize != 0 && c.Mode != ModeMultipart {
		return "", "", badRequest("PartSizeNotSupported", "partSize", "partSize is for MULTIPART uploads; this API uploads with %s", c.Mode)
	}
	return contentType, fileName, nil
}

// checkContentType checks a client's content type against the allowed
// types and returns its media type.
func (c *Config) checkContentType(contentType string) (string, error) {
	// The value is signed as given, and sent as a header: none of what a
	// header cannot carry, nor spaces around it.
	if strings.TrimSpace(contentType) != contentType || strings.ContainsFunc(contentType, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", badRequest("InvalidContentType", "contentType", "contentType %q has a line break, a control character or spaces around it; allowed: a media type like \"image/png\", as the upload sends it", contentType)
	}
	mt, params, perr := mime.ParseMediaType(contentType)
	if perr != nil || !strings.Contains(mt, "/") || len(params) > 0 && strings.Join(paramKeys(params), ",") != "charset" {
		return "", badRequest("InvalidContentType", "contentType", "contentType %q is not a media type like \"image/png\"", contentType)
	}
	if !c.allows(mt) {
		return "", &RequestError{Status: 415, Code: "ContentTypeNotAllowed", Field: "contentType",
			Message: fmt.Sprintf("contentType %q is not allowed; allowed: %s", mt, strings.Join(c.ContentTypes, ", "))}
	}
	return mt, nil
}

func paramKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func (c *Config) allows(mediaType string) bool {
	for _, t := range c.ContentTypes {
		if strings.EqualFold(t, mediaType) {
			return true
		}
	}
	return false
}

// partSize picks the part size: the client's, if valid, or the smallest
// whole MiB of at least 8 MiB that needs at most MaxPartsPerResponse parts.
func partSize(size, asked int64) (int64, error) {
	if asked != 0 {
		if asked < MinPartSize || asked > MaxPartSize {
			return 0, badRequest("InvalidPartSize", "partSize", "partSize is %d; allowed: %d (5 MiB) to %d (5 GiB)", asked, MinPartSize, MaxPartSize)
		}
		if n := (size + asked - 1) / asked; n > MaxParts {
			return 0, badRequest("TooManyParts", "partSize", "a size of %d in parts of %d is %d parts; allowed: at most %d. Fix: a part size of at least %d", size, asked, n, MaxParts, (size+MaxParts-1)/MaxParts)
		}
		return asked, nil
	}
	ps := int64(8 << 20)
	if min := (size + MaxPartsPerResponse - 1) / MaxPartsPerResponse; min > ps {
		ps = (min + (1 << 20) - 1) &^ ((1 << 20) - 1)
	}
	return min(ps, MaxPartSize), nil
}
