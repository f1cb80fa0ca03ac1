package contract

import "strings"

// Environment variables the PresignedUploadApi construct sets on the handler.
const (
	EnvBucket        = "UPLOAD_BUCKET"
	EnvPrefix        = "UPLOAD_PREFIX"
	EnvMaxSize       = "UPLOAD_MAX_SIZE"
	EnvContentTypes  = "UPLOAD_CONTENT_TYPES"
	EnvURLExpiration = "UPLOAD_URL_EXPIRY_SECONDS"
	EnvMode          = "UPLOAD_MODE"
	EnvKMSKeyID      = "UPLOAD_KMS_KEY_ID"
	// EnvRequireChecksum, "true", makes checksumSha256 required: S3 refuses
	// uploads into an object-lock bucket without a checksum.
	EnvRequireChecksum = "UPLOAD_REQUIRE_CHECKSUM"
	// EnvCompanion, "true", serves the Companion S3 routes under
	// CompanionPrefix (Uppy's companionEndpoint).
	EnvCompanion = "UPLOAD_COMPANION"
)

// ValidPrefix reports whether p is a key prefix the handler accepts:
// "/"-terminated segments of S3's safe characters, no "." or ".." segment,
// at most 256 bytes.
func ValidPrefix(p string) bool {
	if p == "" || len(p) > 256 || !strings.HasSuffix(p, "/") || strings.HasPrefix(p, "/") {
		return false
	}
	for _, seg := range strings.Split(strings.TrimSuffix(p, "/"), "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
		for _, r := range seg {
			if !safeKeyRune(r) {
				return false
			}
		}
	}
	return true
}

// safeKeyRune is S3's "safe characters" for object keys.
func safeKeyRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!-_.*'()", r)
}
