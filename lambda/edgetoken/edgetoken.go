// Package edgetoken issues and verifies the short-lived upload tokens of an
// edge upload endpoint (constructs/edgeupload). A team's backend issues them
// with a key it shares with the endpoint; the endpoint's JavaScript (a
// Lambda@Edge function or a CloudFront Function, which cannot run Go)
// verifies them with the same rules, pinned by the test vectors in
// testdata/vectors.json that the Go and the JavaScript tests both run.
//
// # Token format (version sgt1)
//
//		sgt1.<kid>.<claims>.<signature>
//
//	  - kid: the key id, 1-32 of [A-Za-z0-9_-]; it picks the key, so keys
//	    rotate by id (add the new key, issue with it, drop the old one once
//	    its tokens have expired).
//	  - claims: base64url (no padding) of a JSON object:
//	    "sub" caller id (1-64 of [A-Za-z0-9._-], part of the object key),
//	    "exp" expiry in Unix seconds, and optionally "name" (the exact file
//	    name allowed, or a name prefix ending in "*"), "max" (the largest
//	    body in bytes) and "type" (the one Content-Type allowed).
//	  - signature: base64url (no padding) of HMAC-SHA256(key, "sgt1.<kid>.<claims>"),
//	    the key being the UTF-8 bytes of the key's secret string.
//
// The object key an upload lands at is chosen by the endpoint, never by
// the caller: <KeyPrefix><sub>/<upload id>/<name>.
package edgetoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Version is the token format's prefix.
const Version = "sgt1"

// MaxSecretLen is the longest key secret, in bytes: a CloudFront
// KeyValueStore value holds at most 1 KB.
const MaxSecretLen = 1024

var (
	kidPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
	// A subject is a segment of the object key: never "." or "..".
	subPattern  = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$`)
	namePattern = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}$`)
)

// ValidName reports whether name is a file name an edge endpoint accepts in
// its path (/u/<name>): 1-255 of [A-Za-z0-9._-], not starting with ".".
func ValidName(name string) bool { return namePattern.MatchString(name) }

// Claims are what a token allows.
type Claims struct {
	// Subject identifies the caller; it becomes a segment of the object key.
	Subject string `json:"sub"`
	// Expires is when the token stops working, in Unix seconds.
	Expires int64 `json:"exp"`
	// Name is the exact file name the caller may upload, or a prefix of it
	// ending in "*" ("report-*"). Empty: any valid name.
	Name string `json:"name,omitempty"`
	// MaxSize is the largest body in bytes; the endpoint's own limit applies
	// too. Zero: the endpoint's limit.
	MaxSize int64 `json:"max,omitempty"`
	// ContentType is the one Content-Type allowed (it must also be one the
	// endpoint allows). Empty: any the endpoint allows.
	ContentType string `json:"type,omitempty"`
}

// Key is one signing key.
type Key struct {
	// ID names the key in tokens: 1-32 of [A-Za-z0-9_-].
	ID string
	// Secret is the key material: at least 32 bytes, at most MaxSecretLen.
	Secret []byte
}

// Keys are the keys a verifier accepts, by id.
type Keys map[string][]byte

// ParseKeys reads keys stored as a JSON object of id to secret string, the
// shape of the endpoint's Secrets Manager secret ({"k1":"..."}).
func ParseKeys(data []byte) (Keys, error) {
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("edgetoken: keys are not a JSON object of id to secret string: %w", err)
	}
	keys := Keys{}
	for id, secret := range m {
		if err := (Key{ID: id, Secret: []byte(secret)}).check(); err != nil {
			return nil, err
		}
		keys[id] = []byte(secret)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("edgetoken: no keys; allowed: one or more {\"id\":\"secret\"} entries")
	}
	return keys, nil
}

func (k Key) check() error {
	switch {
	case !kidPattern.MatchString(k.ID):
		return fmt.Errorf("edgetoken: key id %q is invalid; allowed: 1-32 of letters, digits, '_' and '-'", k.ID)
	case len(k.Secret) < 32 || len(k.Secret) > MaxSecretLen:
		return fmt.Errorf("edgetoken: key %q has a %d-byte secret; allowed: 32 to %d bytes (generate one with `openssl rand -base64 48`)", k.ID, len(k.Secret), MaxSecretLen)
	}
	return nil
}

// maxSafeInt is the largest integer JavaScript's numbers hold exactly: the
// verifier in JavaScript refuses larger exp and max, so Go does too.
const maxSafeInt = 1<<53 - 1

// Check reports the first claim that no endpoint would accept.
func (c Claims) Check() error {
	switch {
	case !subPattern.MatchString(c.Subject):
		return fmt.Errorf("edgetoken: Subject %q is invalid; allowed: 1-64 of letters, digits, '.', '_' and '-', not starting with '.' (it becomes a segment of the object's key)", c.Subject)
	case c.Expires <= 0 || c.Expires > maxSafeInt:
		return fmt.Errorf("edgetoken: Expires is %d; set it to a Unix time in seconds, e.g. time.Now().Add(5*time.Minute).Unix()", c.Expires)
	case c.MaxSize < 0 || c.MaxSize > maxSafeInt:
		return fmt.Errorf("edgetoken: MaxSize is %d; allowed: 0 (the endpoint's limit) or a positive number of bytes", c.MaxSize)
	case c.Name != "" && !ValidName(strings.TrimSuffix(c.Name, "*")) && c.Name != "*":
		return fmt.Errorf("edgetoken: Name %q is invalid; allowed: a file name of letters, digits, '.', '_' and '-' (not starting with '.'), optionally ending in '*' for a prefix", c.Name)
	case strings.ContainsAny(c.ContentType, " ,;*") || (c.ContentType != "" && strings.Count(c.ContentType, "/") != 1):
		return fmt.Errorf("edgetoken: ContentType %q is invalid; allowed: one exact media type such as \"video/mp4\"", c.ContentType)
	}
	return nil
}

// Issue signs claims with key.
func Issue(key Key, c Claims) (string, error) {
	if err := key.check(); err != nil {
		return "", err
	}
	if err := c.Check(); err != nil {
		return "", err
	}
	c.ContentType = strings.ToLower(c.ContentType)
	body, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	signed := Version + "." + key.ID + "." + b64(body)
	return signed + "." + b64(sign(key.Secret, signed)), nil
}

// New issues a token for sub that expires after ttl.
func New(key Key, sub string, ttl time.Duration) (string, error) {
	return Issue(key, Claims{Subject: sub, Expires: time.Now().Add(ttl).Unix()})
}

// Error is why a token was refused. Code is one of the Code* constants; the
// JavaScript verifier uses the same codes.
type Error struct {
	// Code is one of the Code* constants.
	Code string
	// Message says why.
	Message string
}

// Error is the code and the message.
func (e *Error) Error() string { return "edgetoken: " + e.Code + ": " + e.Message }

// The codes of Error (Error.Code), the same strings as the JavaScript
// verifier's; named Code* like lambda/stream's, since Go keeps Err* for
// error values.
const (
	// CodeMalformed: not four dot-separated parts starting with Version, or
	// claims that are not valid.
	CodeMalformed = "MalformedToken"
	// CodeUnknownKey: the key id is not one of the keys given.
	CodeUnknownKey = "UnknownKey"
	// CodeBadSignature: the signature does not match the token.
	CodeBadSignature = "BadSignature"
	// CodeExpired: the token's expiry has passed.
	CodeExpired = "ExpiredToken"
)

// Verify checks token's format, key id, signature and expiry against now
// and returns its claims.
func Verify(token string, keys Keys, now time.Time) (Claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 4 || parts[0] != Version || !kidPattern.MatchString(parts[1]) {
		return Claims{}, &Error{CodeMalformed, "a token has four dot-separated parts and starts with " + Version + "."}
	}
	secret, ok := keys[parts[1]]
	if !ok {
		return Claims{}, &Error{CodeUnknownKey, fmt.Sprintf("key id %q is not one the endpoint holds (rotated out?)", parts[1])}
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(parts[3])
	if err != nil || !hmac.Equal(sig, sign(secret, token[:len(token)-len(parts[3])-1])) {
		return Claims{}, &Error{CodeBadSignature, "the signature does not match the token"}
	}
	body, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	var c Claims
	if err == nil {
		err = json.Unmarshal(body, &c)
	}
	if err == nil {
		err = c.Check()
	}
	if err != nil {
		return Claims{}, &Error{CodeMalformed, "the claims are not valid: " + strings.TrimPrefix(err.Error(), "edgetoken: ")}
	}
	if now.Unix() >= c.Expires {
		return Claims{}, &Error{CodeExpired, fmt.Sprintf("the token expired at %s", time.Unix(c.Expires, 0).UTC().Format(time.RFC3339))}
	}
	return c, nil
}

// UploadID is the object key segment an upload with token gets: the first
// 22 characters of its signature (132 bits), so each token can write each
// name once (the endpoint also sends If-None-Match: *).
func UploadID(token string) string {
	sig := token[strings.LastIndexByte(token, '.')+1:]
	if len(sig) > 22 {
		sig = sig[:22]
	}
	return sig
}

func sign(secret []byte, s string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(s))
	return m.Sum(nil)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
