package devserver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Signature Version 4 as API Gateway verifies it for execute-api, after
// "Create a signed AWS API request"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html)
// and "Troubleshoot signed requests for AWS APIs"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/signature-v4-troubleshooting.html:
// the scope, date, "Signature expired" and "Signature not yet current"
// messages), and what API Gateway answers, as recorded by its users. The canonical
// request API Gateway expects is in its own answers to a wrong signature
// ("The Canonical String for this request should have been ...": mhart/aws4
// #33 and #110, postmanlabs/postman-app-support #1663 and #5815,
// aws-samples/sigv4-signing-examples #14):
//
//   - the path as the client sent it, URI-encoded once more: a client's
//     /path/%C3%A4 is /path/%25C3%25A4 in the canonical string
//     (furaiev/amazon-cognito-identity-dart-2 #5; amazonka #529 for
//     @connections; aws-sdk-js #853 for the other non-S3 services). The AWS
//     SDKs sign it so (aws-sdk-go-v2's signer escapes the escaped path);
//   - the query decoded and encoded again, sorted by name, then value;
//   - the signed headers, lower-case, values trimmed, runs of spaces as one;
//   - the SHA-256 of the body as received. UNSIGNED-PAYLOAD is Amazon S3's
//     option ("Signature Calculations for the Authorization Header",
//     Amazon S3 API reference): API Gateway hashes the body itself, so a
//     request signed with it gets the signature mismatch
//     (aws/aws-sdk-js-v3 #308 sent X-Amz-Content-Sha256: UNSIGNED-PAYLOAD to
//     execute-api and got it).
//
// The date is X-Amz-Date, else Date ("Handling dates in Signature Version
// 4": AWS looks first for x-amz-date, then the date header; the credential
// scope's date must match it), within 5 minutes of the clock.

const (
	sigv4Algorithm  = "AWS4-HMAC-SHA256"
	sigv4Service    = "execute-api"
	sigv4Terminator = "aws4_request"
	amzDateFormat   = "20060102T150405Z"
	// clockSkew is how far a request's date may be from the clock: "(... -
	// 5 min.)" in API Gateway's answer.
	clockSkew = 5 * time.Minute
)

// sigv4Auth is what a request says about its signature, from its
// Authorization header or, presigned, its query string.
type sigv4Auth struct {
	Presigned     bool
	Algorithm     string
	Credential    string // the whole Credential value
	AccessKeyID   string
	ScopeDate     string // YYYYMMDD
	Region        string
	Service       string
	Terminator    string
	SignedHeaders []string
	Signature     string
	// AmzDate is the request's date as sent (X-Amz-Date, else Date), and
	// Time that date parsed.
	AmzDate string
	Time    time.Time
	// Expires is a presigned URL's X-Amz-Expires in seconds; without it
	// (HasExpires false) the URL is held to the 5 minutes of a header.
	Expires       int
	HasExpires    bool
	SecurityToken string
}

// sigv4Error is a signature API Gateway refuses before it looks at the key:
// its message and x-amzn-ErrorType.
type sigv4Error struct {
	Message, ErrorType string
}

func (e *sigv4Error) Error() string { return e.ErrorType + ": " + e.Message }

func incomplete(format string, a ...any) *sigv4Error {
	return &sigv4Error{Message: fmt.Sprintf(format, a...), ErrorType: "IncompleteSignatureException"}
}

func invalidSignature(format string, a ...any) *sigv4Error {
	return &sigv4Error{Message: fmt.Sprintf(format, a...), ErrorType: "InvalidSignatureException"}
}

// hasSigv4 tells whether r tries to authenticate at all: an Authorization
// header or the query parameters of a presigned URL. Without either, API
// Gateway answers "Missing Authentication Token".
func hasSigv4(r *http.Request, rawQuery string) bool {
	if _, ok := r.Header["Authorization"]; ok {
		return true
	}
	for _, p := range []string{"X-Amz-Algorithm=", "X-Amz-Credential=", "X-Amz-Signature="} {
		if strings.HasPrefix(rawQuery, p) || strings.Contains(rawQuery, "&"+p) {
			return true
		}
	}
	return false
}

// parseAuthorization reads an Authorization header as API Gateway does:
// the first word is the algorithm; the rest, split at commas and spaces,
// are key=value pairs. Its messages, as recorded from AWS:
//
//   - "'<part>' not a valid key=value pair (missing equal-sign) in
//     Authorization header: '<header>'." (IncompleteSignatureException:
//     aws/aws-sdk-go #289, iann0036/cloud9-sync #10 for a space after
//     Credential=; "Bearer <token>" on an IAM route, the same message for
//     the token);
//   - "Authorization header requires 'Credential' parameter. Authorization
//     header requires 'Signature' parameter. Authorization header requires
//     'SignedHeaders' parameter. Authorization header requires existence of
//     either a 'X-Amz-Date' or a 'Date' header. Authorization=<header>"
//     (aws/chalice #828 and bKash-developer/webhook-endpoint-php #3, from
//     API Gateway; brendanhay/amazonka #316 for the missing ones only).
func parseAuthorization(header string, hasDate bool) (*sigv4Auth, *sigv4Error) {
	v := strings.TrimSpace(header)
	algorithm, rest, _ := strings.Cut(v, " ")
	fields := map[string]string{}
	for _, part := range strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			return nil, incomplete("'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", part, header)
		}
		if _, seen := fields[k]; !seen {
			fields[k] = val
		}
	}
	var missing []string
	for _, k := range []string{"Credential", "Signature", "SignedHeaders"} {
		if _, ok := fields[k]; !ok {
			missing = append(missing, fmt.Sprintf("Authorization header requires '%s' parameter.", k))
		}
	}
	if !hasDate {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if len(missing) > 0 {
		return nil, incomplete("%s Authorization=%s", strings.Join(missing, " "), header)
	}
	if algorithm != sigv4Algorithm {
		// Not recorded from AWS: the runner's words for a header with
		// every parameter under another algorithm's name.
		return nil, incomplete("Unsupported AWS 'algorithm': '%s'. Authorization=%s", algorithm, header)
	}
	a := &sigv4Auth{Algorithm: algorithm, Credential: fields["Credential"], Signature: fields["Signature"]}
	if sh := fields["SignedHeaders"]; sh != "" {
		a.SignedHeaders = strings.Split(sh, ";")
	}
	if err := a.parseCredential(); err != nil {
		return nil, err
	}
	return a, nil
}

// parsePresigned reads a presigned URL's X-Amz-* query parameters. AWS
// names each missing one ("AWS query-string parameters must include
// 'X-Amz-Date'. Re-examine the query-string parameters.", as AWS's JSON
// services answer a presigned request without it).
func parsePresigned(q map[string][]string) (*sigv4Auth, *sigv4Error) {
	get := func(k string) (string, bool) {
		v, ok := q[k]
		if !ok || len(v) == 0 {
			return "", false
		}
		return v[0], true
	}
	var missing []string
	for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		if _, ok := get(k); !ok {
			missing = append(missing, fmt.Sprintf("AWS query-string parameters must include '%s'.", k))
		}
	}
	if len(missing) > 0 {
		return nil, incomplete("%s Re-examine the query-string parameters.", strings.Join(missing, " "))
	}
	a := &sigv4Auth{Presigned: true}
	a.Algorithm, _ = get("X-Amz-Algorithm")
	a.Credential, _ = get("X-Amz-Credential")
	a.Signature, _ = get("X-Amz-Signature")
	sh, _ := get("X-Amz-SignedHeaders")
	a.SignedHeaders = strings.Split(sh, ";")
	a.AmzDate, _ = get("X-Amz-Date")
	a.SecurityToken, _ = get("X-Amz-Security-Token")
	if a.Algorithm != sigv4Algorithm {
		return nil, incomplete("Unsupported AWS 'algorithm': '%s'. Re-examine the query-string parameters.", a.Algorithm)
	}
	if exp, ok := get("X-Amz-Expires"); ok {
		n, err := strconv.Atoi(exp)
		if err != nil || n < 0 {
			return nil, incomplete("X-Amz-Expires should be a number of seconds, not '%s'.", exp)
		}
		// SigV4's longest presigned URL is 7 days (604800 seconds).
		if n > 604800 {
			return nil, incomplete("X-Amz-Expires must be less than a week (in seconds) that is 604800")
		}
		a.Expires, a.HasExpires = n, true
	}
	if err := a.parseCredential(); err != nil {
		return nil, err
	}
	return a, nil
}

// parseCredential splits the Credential into key id and scope. A scope of
// the wrong shape is incomplete; the wrong service or terminator is refused
// later, with the region, by checkScope.
func (a *sigv4Auth) parseCredential() *sigv4Error {
	parts := strings.Split(a.Credential, "/")
	if len(parts) != 5 {
		// AWS's JSON services' words for a scope of the wrong shape.
		return incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", a.Credential)
	}
	a.AccessKeyID, a.ScopeDate, a.Region, a.Service, a.Terminator = parts[0], parts[1], parts[2], parts[3], parts[4]
	return nil
}

// checkScope refuses a credential scoped to another region, service or
// terminator, as API Gateway does ("Credential should be scoped to a valid
// region, not 'eu-west-1'. ": joona/aws-es-curl #15, aws/aws-sdk-js #792
// from an execute-api endpoint; "Credential should be scoped to correct
// service: 'execute-api'. ": aws/aws-sdk-js-v3 #1831, aws/aws-sdk-js #3571;
// both InvalidSignatureException: aws/aws-sdk-js #4545, #4097).
func (a *sigv4Auth) checkScope(region string) *sigv4Error {
	if a.Region != region {
		return invalidSignature("Credential should be scoped to a valid region, not '%s'. ", a.Region)
	}
	if a.Service != sigv4Service {
		return invalidSignature("Credential should be scoped to correct service: '%s'. ", sigv4Service)
	}
	if a.Terminator != sigv4Terminator {
		return invalidSignature("Credential should be scoped with a valid terminator: '%s', not '%s'. ", sigv4Terminator, a.Terminator)
	}
	return nil
}

// checkDate parses the request's date and checks it against the scope and
// the clock: "Signature expired: 20170517T062414Z is now earlier than
// 20170517T062840Z (20170517T063340Z - 5 min.)" (InvalidSignatureException,
// 403, from API Gateway: kouhan.cn's write-up of the error, and
// hashnode's, with x-amzn-ErrorType InvalidSignatureException); "Signature
// not yet current: ... is still later than ... (... + 5 min.)" for a date
// ahead of the clock. A presigned URL also expires X-Amz-Expires seconds
// after its date.
func (a *sigv4Auth) checkDate(now time.Time) *sigv4Error {
	t, err := time.Parse(amzDateFormat, a.AmzDate)
	if err != nil {
		if t, err = http.ParseTime(a.AmzDate); err != nil {
			return incomplete("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", a.AmzDate)
		}
	}
	a.Time = t.UTC()
	if d := a.Time.Format("20060102"); d != a.ScopeDate {
		return invalidSignature("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", a.ScopeDate, d, a.AmzDate)
	}
	now = now.UTC()
	f := func(t time.Time) string { return t.Format(amzDateFormat) }
	if a.Presigned && a.HasExpires {
		if end := a.Time.Add(time.Duration(a.Expires) * time.Second); now.After(end) {
			return invalidSignature("Signature expired: %s is now earlier than %s (%s - 5 min.)", f(end), f(now.Add(-clockSkew)), f(now))
		}
	} else if a.Time.Before(now.Add(-clockSkew)) {
		return invalidSignature("Signature expired: %s is now earlier than %s (%s - 5 min.)", f(a.Time), f(now.Add(-clockSkew)), f(now))
	}
	if a.Time.After(now.Add(clockSkew)) {
		return invalidSignature("Signature not yet current: %s is still later than %s (%s + 5 min.)", f(a.Time), f(now.Add(clockSkew)), f(now))
	}
	return nil
}

// canonicalRequest is the canonical request of r as API Gateway builds it:
// rawPath and rawQuery as the client sent them, the signed headers' values,
// the body's hash.
func canonicalRequest(r *http.Request, rawPath, rawQuery string, a *sigv4Auth, body []byte) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	if rawPath == "" {
		rawPath = "/"
	}
	b.WriteString(uriEncode(rawPath, true))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(rawQuery, a.Presigned))
	b.WriteByte('\n')
	for _, h := range a.SignedHeaders {
		b.WriteString(h)
		b.WriteByte(':')
		b.WriteString(headerValue(r, h))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(a.SignedHeaders, ";"))
	b.WriteByte('\n')
	sum := sha256.Sum256(body)
	b.WriteString(hex.EncodeToString(sum[:]))
	return b.String()
}

// stringToSign is the string the signature is the HMAC of.
func (a *sigv4Auth) stringToSign(canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return sigv4Algorithm + "\n" + a.Time.Format(amzDateFormat) + "\n" + a.ScopeDate + "/" + a.Region + "/" + a.Service + "/" + a.Terminator + "\n" + hex.EncodeToString(sum[:])
}

// signature is the hex HMAC-SHA256 of stringToSign with secret's signing
// key for the scope.
func (a *sigv4Auth) signature(secret, stringToSign string) string {
	mac := func(key []byte, s string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(s))
		return h.Sum(nil)
	}
	k := mac([]byte("AWS4"+secret), a.ScopeDate)
	k = mac(k, a.Region)
	k = mac(k, a.Service)
	k = mac(k, a.Terminator)
	return hex.EncodeToString(mac(k, stringToSign))
}

// headerValue is a signed header's canonical value: the values joined by
// commas, each trimmed, runs of spaces as one. The values are read from the
// request head as received (rawhead.go), which is what the client signed;
// without it, from net/http's header map, which moves Host,
// Content-Length and Transfer-Encoding out of the map.
func headerValue(r *http.Request, name string) string {
	var vals []string
	if h := requestRawHead(r); h != nil {
		for _, f := range h.fields {
			if strings.EqualFold(f.name, name) {
				vals = append(vals, f.value)
			}
		}
	}
	if vals == nil {
		switch name {
		case "host":
			vals = []string{r.Host}
		case "transfer-encoding":
			vals = r.TransferEncoding
		default:
			vals = r.Header.Values(name)
			if len(vals) == 0 && name == "content-length" && r.ContentLength > 0 {
				vals = []string{strconv.FormatInt(r.ContentLength, 10)}
			}
		}
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}

// canonicalQuery sorts the query's parameters by name, then value, each
// decoded and URI-encoded again; a presigned URL's X-Amz-Signature is left
// out.
func canonicalQuery(rawQuery string, presigned bool) string {
	if rawQuery == "" {
		return ""
	}
	type kv struct{ k, v string }
	var params []kv
	for _, p := range strings.Split(rawQuery, "&") {
		if p == "" {
			continue
		}
		// Decoded as event.go decodes the query ('+' is a space, as the
		// AWS SDKs read it; a malformed escape stays as sent).
		k, v, _ := strings.Cut(p, "=")
		k, v = queryUnescape(k), queryUnescape(v)
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		params = append(params, kv{uriEncode(k, false), uriEncode(v, false)})
	}
	sort.Slice(params, func(i, j int) bool {
		if params[i].k != params[j].k {
			return params[i].k < params[j].k
		}
		return params[i].v < params[j].v
	})
	parts := make([]string, len(params))
	for i, p := range params {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

// parseQuery reads the query's parameters, decoded, keeping every value.
func parseQuery(rawQuery string) map[string][]string {
	out := map[string][]string{}
	for _, p := range strings.Split(rawQuery, "&") {
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		out[queryUnescape(k)] = append(out[queryUnescape(k)], queryUnescape(v))
	}
	return out
}

// uriEncode percent-encodes every byte but the unreserved characters
// (A-Z a-z 0-9 - _ . ~), and '/' when keepSlash, in upper-case hex, as
// SigV4's UriEncode does.
func uriEncode(s string, keepSlash bool) string {
	const hexdigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' && keepSlash {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexdigits[c>>4])
		b.WriteByte(hexdigits[c&15])
	}
	return b.String()
}
