package devserver

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// The JSON Web Tokens of Amazon Cognito user pools: three base64url parts,
// a header naming the signing key (kid) and the algorithm, always RS256,
// the claims, and an RSASSA-PKCS1-v1_5 SHA-256 signature. The standard
// library verifies them in a few lines, which keeps a JWT module (and its
// choices of algorithms) out of the runner.
// https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html

// maxTokenBytes bounds what the parser reads. API Gateway's quota on all
// of a request's headers (MaxHeaderBytes, 10240 bytes) already refuses a
// longer Authorization header; the bound keeps the parser's work small
// whatever calls it. Cognito's tokens are 1 to 2 KB, with many groups 4 KB.
const maxTokenBytes = 8 << 10

// jwtHeader is a token's JOSE header.
type jwtHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

// jwt is a parsed, not yet verified, token.
type jwt struct {
	Header jwtHeader
	// Claims are the payload's members; numbers are json.Number, so that
	// a large integer claim keeps every digit when the claims are
	// written as strings for the event.
	Claims map[string]any
	signed string // header.payload, what the signature covers
	sig    []byte
}

// tokenError says why a token was refused, for the log and the page; the
// client is told less ("Unauthorized").
type tokenError string

func (e tokenError) Error() string { return string(e) }

// parseJWT splits and decodes a compact JWS. It checks the form only: the
// signature, issuer and times are the guard's.
func parseJWT(s string) (*jwt, error) {
	if len(s) > maxTokenBytes {
		return nil, tokenError(fmt.Sprintf("the token is %d bytes; the runner reads at most %d", len(s), maxTokenBytes))
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return nil, tokenError(fmt.Sprintf("not a JWT: %d dot-separated parts, want 3 (header.payload.signature)", len(parts)))
	}
	head, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, tokenError("the JWT header is not base64url: " + err.Error())
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, tokenError("the JWT payload is not base64url: " + err.Error())
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, tokenError("the JWT signature is not base64url: " + err.Error())
	}
	t := &jwt{signed: parts[0] + "." + parts[1], sig: sig}
	if err := json.Unmarshal(head, &t.Header); err != nil {
		return nil, tokenError("the JWT header is not a JSON object: " + err.Error())
	}
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	if err := d.Decode(&t.Claims); err != nil || t.Claims == nil {
		return nil, tokenError(fmt.Sprintf("the JWT payload is not a JSON object (%v)", err))
	}
	if d.More() {
		return nil, tokenError("the JWT payload has data after its JSON object")
	}
	return t, nil
}

// verify checks the RS256 signature with key.
func (t *jwt) verify(key *rsa.PublicKey) error {
	h := sha256.Sum256([]byte(t.signed))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, h[:], t.sig); err != nil {
		return tokenError("the signature does not match the payload (tampered, or signed by another key with the same kid)")
	}
	return nil
}

// str is a string claim ("" when absent or not a string).
func (t *jwt) str(name string) string {
	s, _ := t.Claims[name].(string)
	return s
}

// unix is a NumericDate claim (seconds since the epoch); ok is false when
// it is absent or not a number.
func (t *jwt) unix(name string) (int64, bool) {
	n, ok := t.Claims[name].(json.Number)
	if !ok {
		return 0, false
	}
	if i, err := n.Int64(); err == nil {
		return i, true
	}
	f, err := n.Float64()
	return int64(f), err == nil
}

// signRS256 makes a compact JWS of claims, signed with key under kid.
func signRS256(key *rsa.PrivateKey, kid string, claims map[string]any) (string, error) {
	head, _ := json.Marshal(jwtHeader{Alg: "RS256", Kid: kid})
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signed := base64.RawURLEncoding.EncodeToString(head) + "." + base64.RawURLEncoding.EncodeToString(payload)
	h := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, h[:])
	if err != nil {
		return "", err
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// jwk is one key of a JSON Web Key Set as Cognito publishes it at
// https://cognito-idp.{region}.amazonaws.com/{userPoolId}/.well-known/jwks.json:
// {"alg":"RS256","e":"AQAB","kid":"...","kty":"RSA","n":"...","use":"sig"}.
type jwk struct {
	Alg string `json:"alg"`
	E   string `json:"e"`
	Kid string `json:"kid"`
	Kty string `json:"kty"`
	N   string `json:"n"`
	Use string `json:"use"`
}

// jwkSet is a JSON Web Key Set.
type jwkSet struct {
	Keys []jwk `json:"keys"`
}

func newJWK(pub *rsa.PublicKey, kid string) jwk {
	return jwk{Alg: "RS256", Kty: "RSA", Use: "sig", Kid: kid,
		N: base64.RawURLEncoding.EncodeToString(pub.N.Bytes()), E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}
}

// publicKey is the RSA key of k; an error for other key types, and for
// moduli under 2048 bits, which no Cognito pool uses.
func (k jwk) publicKey() (*rsa.PublicKey, error) {
	if k.Kty != "RSA" {
		return nil, fmt.Errorf("key %q: type %q, want RSA", k.Kid, k.Kty)
	}
	n, err := base64.RawURLEncoding.DecodeString(k.N)
	if err != nil {
		return nil, fmt.Errorf("key %q: modulus: %w", k.Kid, err)
	}
	e, err := base64.RawURLEncoding.DecodeString(k.E)
	if err != nil || len(e) == 0 || len(e) > 4 {
		return nil, fmt.Errorf("key %q: exponent %q is not an RSA exponent", k.Kid, k.E)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	if pub.N.BitLen() < 2048 || pub.E < 3 {
		return nil, fmt.Errorf("key %q: a %d-bit modulus with exponent %d is not a key Cognito signs with", k.Kid, pub.N.BitLen(), pub.E)
	}
	return pub, nil
}

// keys reads the RSA keys of a set by kid; keys it cannot use are errors.
func (s jwkSet) keys() (map[string]*rsa.PublicKey, error) {
	out := map[string]*rsa.PublicKey{}
	var errs []error
	for _, k := range s.Keys {
		pub, err := k.publicKey()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[k.Kid] = pub
	}
	if len(out) == 0 {
		errs = append(errs, errors.New("no usable RSA key"))
	}
	return out, errors.Join(errs...)
}

// thumbprint is the RFC 7638 SHA-256 thumbprint of pub, base64url: a kid
// that names the key itself, so that it stays the same for a kept key.
func thumbprint(pub *rsa.PublicKey) string {
	k := newJWK(pub, "")
	h := sha256.Sum256([]byte(`{"e":"` + k.E + `","kty":"RSA","n":"` + k.N + `"}`))
	return base64.RawURLEncoding.EncodeToString(h[:])
}
