package devserver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// iamGuard checks AWS_IAM methods as API Gateway does: a SigV4 signature
// for execute-api in the runner's region (sigv4.go), made with a key the
// runner knows (iamkeys.go). Every known key may invoke every method:
// there are no IAM policies locally, so execute-api:Invoke is not checked
// (on AWS a principal without it gets 403 AccessDeniedException, "User:
// arn:aws:iam::...:user/... is not authorized to perform:
// execute-api:Invoke on resource: arn:aws:execute-api:...").
type iamGuard struct {
	skip   bool
	region string
	keys   map[string]IAMKey
	now    func() time.Time
}

// DefaultIAMRegion is the region signatures are scoped to unless
// Options.IAMRegion says otherwise: the functions' AWS_REGION.
const DefaultIAMRegion = "us-east-1"

func newIAMGuard(apis []*loader.API, o Options) (*iamGuard, []string, error) {
	ig := &iamGuard{skip: o.SkipIAM, region: o.IAMRegion, keys: map[string]IAMKey{}, now: time.Now}
	if ig.region == "" {
		ig.region = DefaultIAMRegion
	}
	// The first source of an access key id wins: the local credentials,
	// then Options.IAMKeys (-iam-key), the environment, the shared files.
	keys := localKeys()
	for _, k := range o.IAMKeys {
		if k.AccessKeyID == "" || k.SecretAccessKey == "" {
			return nil, nil, fmt.Errorf("IAM key %q: an access key id and a secret are both needed", k.AccessKeyID)
		}
		if k.ARN != "" {
			if _, _, err := arnPrincipal(k.ARN); err != nil {
				return nil, nil, fmt.Errorf("IAM key %s: %v", k.AccessKeyID, err)
			}
		}
		if k.Source == "" {
			k.Source = "Options.IAMKeys"
		}
		keys = append(keys, k)
	}
	var notices []string
	if !o.IAMIgnoreDeveloperKeys {
		dev, notes := developerKeys(os.Getenv)
		keys = append(keys, dev...)
		notices = append(notices, notes...)
	}
	var known []string
	for _, k := range keys {
		if _, dup := ig.keys[k.AccessKeyID]; dup {
			continue
		}
		k = k.withDefaults()
		ig.keys[k.AccessKeyID] = k
		known = append(known, fmt.Sprintf("AWS_IAM: key %s (%s) signs as %s", k.AccessKeyID, k.Source, k.ARN))
	}
	if !hasIAMRoutes(apis) {
		return ig, nil, nil
	}
	if ig.skip {
		return ig, []string{"AWS_IAM: NOT checked (-iam=false): requests need no signature, and requestContext.identity's accessKey, accountId, caller, user and userArn are null"}, nil
	}
	head := []string{fmt.Sprintf("AWS_IAM: SigV4 for %s in %s, with the keys below (-iam-key ACCESS_KEY_ID:SECRET[:ACCOUNT[:ARN]] adds one)", sigv4Service, ig.region)}
	head = append(head, known...)
	head = append(head, "AWS_IAM: not emulated: IAM policies and resource policies (every known key may invoke every method; AWS also checks execute-api:Invoke)")
	notices = append(head, notices...)
	return ig, notices, nil
}

func hasIAMRoutes(apis []*loader.API) bool {
	for _, api := range apis {
		for _, r := range api.Routes {
			if r.Authorization == "AWS_IAM" {
				return true
			}
		}
	}
	return false
}

// check verifies r's signature; on success p carries the key's identity.
func (ig *iamGuard) check(g *gateway, r *http.Request, route *loader.Route, body []byte, p *principal) *refusal {
	if ig == nil || ig.skip {
		return nil
	}
	rawPath, rawQuery := rawTarget(r)
	key, ref := ig.verify(r, rawPath, rawQuery, body)
	if ref != nil {
		return ref
	}
	p.Identity = key.identity()
	p.Caller = key.AccessKeyID + " " + key.ARN
	return nil
}

// The refusals, with API Gateway's status (403 for each), message and
// x-amzn-ErrorType, as AWS's knowledge center lists them ("How do I
// troubleshoot HTTP 403 errors from API Gateway?",
// https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden:
// "Missing Authentication Token" MissingAuthenticationTokenException; "The
// security token included in the request is invalid." AccessDeniedException;
// "Signature expired" InvalidSignatureException; and "How do I troubleshoot
// signature mismatch errors when making SigV4 signed requests with IAM
// authentication to API Gateway?",
// https://repost.aws/knowledge-center/api-gateway-iam-sigv4-mismatch, for
// the signature mismatch), and the gateway response type whose headers
// they carry
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html:
// MISSING_AUTHENTICATION_TOKEN, INVALID_SIGNATURE, EXPIRED_TOKEN; an unknown
// key is an AccessDeniedException, so ACCESS_DENIED, which AWS does not
// spell out; an incomplete signature has no type of its own: DEFAULT_4XX).
// The other messages are cited where they are made (sigv4.go).
const (
	msgMissingToken  = "Missing Authentication Token"
	msgInvalidToken  = "The security token included in the request is invalid."
	msgExpiredToken  = "The security token included in the request is expired"
	msgSignatureHead = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

func sigv4Refusal(e *sigv4Error, why string) *refusal {
	ref := &refusal{Status: 403, Message: e.Message, ErrorType: e.ErrorType, Why: why}
	if e.ErrorType == "InvalidSignatureException" {
		ref.ResponseType = "INVALID_SIGNATURE"
	}
	return ref
}

// verify is the check itself, in API Gateway's order as far as its answers
// show it: is there a signature, is it complete, its scope, its date, the
// key, the session token, the signature.
func (ig *iamGuard) verify(r *http.Request, rawPath, rawQuery string, body []byte) (IAMKey, *refusal) {
	if !hasSigv4(r, rawQuery) {
		return IAMKey{}, &refusal{Status: 403, Message: msgMissingToken, ResponseType: "MISSING_AUTHENTICATION_TOKEN",
			ErrorType: "MissingAuthenticationTokenException", Why: "no Authorization header or X-Amz-* query parameters: " + ig.hint()}
	}
	a, err := readSignature(r, rawQuery)
	if err != nil {
		return IAMKey{}, sigv4Refusal(err, "the signature is incomplete: "+ig.hint())
	}
	now := ig.now()
	if ref := ig.checkSignatureFields(a, now); ref != nil {
		return IAMKey{}, ref
	}
	key, ref := ig.checkKey(a, now)
	if ref != nil {
		return IAMKey{}, ref
	}
	canonical := canonicalRequest(r, rawPath, rawQuery, a, body)
	toSign := a.stringToSign(canonical)
	if want := a.signature(key.SecretAccessKey, toSign); !hmac.Equal([]byte(want), []byte(a.Signature)) {
		// API Gateway tells the client what it expected
		// ("...\n\nThe Canonical String for this request should have
		// been\n'...'\n\nThe String-to-Sign should have been\n'...'\n":
		// mhart/aws4 #33, postmanlabs/postman-app-support #1663).
		msg := msgSignatureHead + "\n\nThe Canonical String for this request should have been\n'" + canonical +
			"'\n\nThe String-to-Sign should have been\n'" + toSign + "'\n"
		return IAMKey{}, sigv4Refusal(invalidSignature("%s", msg), mismatchWhy(r, body, a))
	}
	return key, nil
}

// hint says how to sign a request the runner accepts.
func (ig *iamGuard) hint() string {
	return fmt.Sprintf("sign it with SigV4 for service %s in %s with a key the runner knows, e.g. curl --aws-sigv4 aws:amz:%s:%s --user %s:%s, or the AWS SDK's signer with devserver.LocalCredentials()",
		sigv4Service, ig.region, ig.region, sigv4Service, LocalAccessKeyID, LocalSecretAccessKey)
}

// readSignature reads the request's SigV4 signature: the Authorization
// header with X-Amz-Date (or Date) and X-Amz-Security-Token, or a
// presigned URL's X-Amz-* query parameters.
func readSignature(r *http.Request, rawQuery string) (*sigv4Auth, *sigv4Error) {
	auth, ok := r.Header["Authorization"]
	if !ok {
		return parsePresigned(parseQuery(rawQuery))
	}
	date := r.Header.Get("X-Amz-Date")
	if date == "" {
		date = r.Header.Get("Date")
	}
	a, err := parseAuthorization(strings.Join(auth, ","), date != "")
	if a != nil {
		a.AmzDate, a.SecurityToken = date, r.Header.Get("X-Amz-Security-Token")
	}
	return a, err
}

// checkSignatureFields refuses a signature scoped to another region or
// service, dated too far from now, or that does not cover Host.
func (ig *iamGuard) checkSignatureFields(a *sigv4Auth, now time.Time) *refusal {
	if err := a.checkScope(ig.region); err != nil {
		return sigv4Refusal(err, fmt.Sprintf("the credential is scoped to %s/%s/%s; the runner's APIs want %s/%s/%s (-iam-region changes the region)",
			a.Region, a.Service, a.Terminator, ig.region, sigv4Service, sigv4Terminator))
	}
	if err := a.checkDate(now); err != nil {
		return sigv4Refusal(err, fmt.Sprintf("the request is dated %s; this machine's clock says %s", a.AmzDate, now.UTC().Format(amzDateFormat)))
	}
	if !slices.Contains(a.SignedHeaders, "host") {
		// AWS's words for a signature that does not cover Host.
		return sigv4Refusal(invalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."), "the signature must cover the Host header")
	}
	return nil
}

// checkKey finds the signature's key among those the runner knows, and
// refuses a session token that is not the key's, or a session credential
// that expired.
func (ig *iamGuard) checkKey(a *sigv4Auth, now time.Time) (IAMKey, *refusal) {
	key, ok := ig.keys[a.AccessKeyID]
	if !ok {
		return IAMKey{}, &refusal{Status: 403, Message: msgInvalidToken, ResponseType: "ACCESS_DENIED", ErrorType: "AccessDeniedException",
			Why: fmt.Sprintf("access key %s is not one the runner knows (its start-up notice lists them; -iam-key ACCESS:SECRET adds one)", a.AccessKeyID)}
	}
	if a.SecurityToken != key.SessionToken {
		why := "the request's X-Amz-Security-Token is not the session token of " + a.AccessKeyID
		switch {
		case key.SessionToken == "":
			why = a.AccessKeyID + " is a long-term key: the request must carry no X-Amz-Security-Token"
		case a.SecurityToken == "":
			why = a.AccessKeyID + " is a session credential: the request must carry its session token in X-Amz-Security-Token"
		}
		return IAMKey{}, &refusal{Status: 403, Message: msgInvalidToken, ResponseType: "ACCESS_DENIED", ErrorType: "AccessDeniedException", Why: why}
	}
	if !key.Expires.IsZero() && now.After(key.Expires) {
		return IAMKey{}, &refusal{Status: 403, Message: msgExpiredToken, ResponseType: "EXPIRED_TOKEN", ErrorType: "ExpiredTokenException",
			Why: fmt.Sprintf("the session credential %s expired at %s", a.AccessKeyID, key.Expires.UTC().Format(time.RFC3339))}
	}
	return key, nil
}

// mismatchWhy guesses why a signature did not match, for the log.
func mismatchWhy(r *http.Request, body []byte, a *sigv4Auth) string {
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	switch claimed := r.Header.Get("X-Amz-Content-Sha256"); {
	case claimed == "UNSIGNED-PAYLOAD":
		return "signed with UNSIGNED-PAYLOAD, which only Amazon S3 accepts: API Gateway hashes the body"
	case claimed != "" && claimed != hash:
		return "the body is not the one signed: its SHA-256 is " + hash + ", X-Amz-Content-Sha256 says " + claimed
	}
	return "another secret, or a request changed after signing (path or query encoded differently, a signed header rewritten, the body): compare the client's canonical request with the one in the answer"
}

// rawTarget is the path and query of r's request-target as the client sent
// them, which is what the client signed.
func rawTarget(r *http.Request) (path, query string) {
	t := r.RequestURI
	if t == "" || t == "*" {
		return r.URL.EscapedPath(), r.URL.RawQuery
	}
	if !strings.HasPrefix(t, "/") {
		if u, err := url.Parse(t); err == nil {
			return u.EscapedPath(), u.RawQuery
		}
	}
	path, query, _ = strings.Cut(t, "?")
	return path, query
}
