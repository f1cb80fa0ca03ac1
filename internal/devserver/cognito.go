package devserver

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// cognitoGuard checks COGNITO_USER_POOLS methods as API Gateway does
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-integrate-with-cognito.html):
// the token in the authorizer's identity source header must be a JWT that
// one of the authorizer's user pools signed (RS256, a key of the pool's
// JWKS, the pool's issuer), not expired; an ID token on a method without
// authorization scopes, an access token whose scope holds one of the
// method's scopes otherwise
// (https://repost.aws/knowledge-center/api-gateway-cognito-401-unauthorized).
// Anything else is a 401 {"message":"Unauthorized"}, and the function is
// not invoked. A token that passes reaches the function as
// requestContext.authorizer.claims.
type cognitoGuard struct {
	// trust are the pools each authorizer accepts tokens of.
	trust map[*loader.Authorizer][]*trustedPool
	// local are the pools the runner is the issuer of (none with
	// Options.CognitoJWKS), by id.
	local  map[string]*userPool
	pools  []*userPool
	issuer *localIssuer
	// audience is each authorizer's IdentityValidationExpression, which an
	// ID token's aud must match.
	audience map[*loader.Authorizer]*regexp.Regexp
	cache    *tokenCache
	now      func() time.Time
}

// trustedPool is a pool's issuer and where its keys come from.
type trustedPool struct {
	pool   *userPool
	issuer string
	keys   keySource
}

// keySource finds a pool's public key by kid.
type keySource interface {
	publicKey(kid string) (*rsa.PublicKey, error)
}

// newCognitoGuard prepares the APIs' Cognito user pool authorizers: each
// trusts the pools it names, signed by the local issuer, or the real pools
// of Options.CognitoJWKS instead; the notices say which and how to mint a
// token.
func newCognitoGuard(apis []*loader.API, o Options) (*cognitoGuard, []string, error) {
	cg := &cognitoGuard{trust: map[*loader.Authorizer][]*trustedPool{}, local: map[string]*userPool{},
		audience: map[*loader.Authorizer]*regexp.Regexp{}, cache: newTokenCache(), now: time.Now}
	all, byAuthorizer := pools(apis)
	if len(byAuthorizer) == 0 {
		return cg, nil, nil
	}
	cg.pools = all
	authorizers := slices.SortedFunc(maps.Keys(byAuthorizer), func(a, b *loader.Authorizer) int {
		return strings.Compare(a.Stack+"/"+a.LogicalID, b.Stack+"/"+b.LogicalID)
	})
	notices, err := cg.readAuthorizers(authorizers)
	if err != nil {
		return nil, nil, err
	}
	var more []string
	if len(o.CognitoJWKS) > 0 {
		more, err = cg.trustRemotePools(authorizers, o.CognitoJWKS)
	} else {
		more, err = cg.trustLocalIssuer(authorizers, all, byAuthorizer, o.CognitoKeyFile)
	}
	if err != nil {
		return nil, nil, err
	}
	return cg, append(notices, more...), nil
}

// readAuthorizers compiles each authorizer's audience expression
// (IdentityValidationExpression); the notices name the identity sources
// that are not a header, whose methods answer 401.
func (cg *cognitoGuard) readAuthorizers(authorizers []*loader.Authorizer) ([]string, error) {
	var notices []string
	for _, au := range authorizers {
		if expr := au.IdentityValidationExpression; expr != "" {
			re, err := regexp.Compile("^(?:" + expr + ")$")
			if err != nil {
				return nil, fmt.Errorf("%s/%s: IdentityValidationExpression %q: %w", au.Stack, au.LogicalID, expr, err)
			}
			cg.audience[au] = re
		}
		if headerOf(au.IdentitySource) == "" {
			notices = append(notices, fmt.Sprintf("%s/%s: identity source %q is not a header: its methods answer 401", au.Stack, au.LogicalID, au.IdentitySource))
		}
	}
	return notices, nil
}

// trustRemotePools makes every authorizer trust the real pools whose JWKS
// URLs are given, instead of the local issuer.
func (cg *cognitoGuard) trustRemotePools(authorizers []*loader.Authorizer, jwks []string) ([]string, error) {
	var remote []*trustedPool
	var notices []string
	for _, u := range jwks {
		rp, err := newRemoteJWKS(u)
		if err != nil {
			return nil, err
		}
		remote = append(remote, &trustedPool{pool: &userPool{ID: rp.poolID(), Source: u}, issuer: rp.issuer, keys: rp})
		n := fmt.Sprintf("Cognito: every user pool authorizer trusts the pool of %s (issuer %s) instead of the local issuer", u, rp.issuer)
		if err := rp.refresh(); err != nil {
			n += fmt.Sprintf("; its keys could not be read yet (%v): the runner tries again when a token comes", err)
		}
		notices = append(notices, n)
	}
	for _, au := range authorizers {
		cg.trust[au] = remote
	}
	return notices, nil
}

// trustLocalIssuer makes each authorizer trust its pools as the local
// issuer, whose key is in keyFile (made when missing), signs them.
func (cg *cognitoGuard) trustLocalIssuer(authorizers []*loader.Authorizer, all []*userPool, byAuthorizer map[*loader.Authorizer][]*userPool, keyFile string) ([]string, error) {
	iss, created, err := loadIssuer(keyFile)
	if err != nil {
		return nil, err
	}
	cg.issuer = iss
	for _, p := range all {
		cg.local[p.ID] = p
	}
	// The pools' lines below say what the authorizers trust; one line per
	// authorizer would repeat them.
	for _, au := range authorizers {
		for _, p := range byAuthorizer[au] {
			cg.trust[au] = append(cg.trust[au], &trustedPool{pool: p, issuer: p.Issuer(), keys: iss})
		}
	}
	keyNote := "kept in " + iss.path
	if created {
		keyNote = "new, kept in " + iss.path
	}
	var notices []string
	for _, p := range all {
		notices = append(notices, fmt.Sprintf("Cognito: user pool %s is %s locally (issuer %s; keys at %s): sgdev token -pool %s -user NAME [-groups G] [-scopes S] mints a token",
			p.Source, p.ID, p.Issuer(), p.JWKSPath(), p.ID))
	}
	return append(notices, "Cognito: the local issuer's key is "+keyNote+" (-cognito-key moves it; -cognito-jwks URL trusts a real pool instead)"), nil
}

// headerOf is the header an identity source names
// (method.request.header.Authorization); "" when it names something else.
func headerOf(source string) string {
	if source == "" {
		return "Authorization"
	}
	h, ok := strings.CutPrefix(strings.TrimSpace(source), "method.request.header.")
	if !ok {
		return ""
	}
	return h
}

func (cg *cognitoGuard) check(g *gateway, r *http.Request, route *loader.Route, p *principal) *refusal {
	au := route.Authorizer
	if au == nil || cg.trust[au] == nil {
		return &refusal{Status: 500, Message: "Internal server error", ResponseType: "AUTHORIZER_CONFIGURATION_ERROR", ErrorType: "AuthorizerConfigurationException",
			Why: "the method's AuthorizerId names no COGNITO_USER_POOLS authorizer of the template"}
	}
	header := headerOf(au.IdentitySource)
	raw := ""
	if header != "" {
		raw = r.Header.Get(header)
	}
	if raw == "" {
		return unauthorized(fmt.Sprintf("no %s header: this method needs a token of user pool %s", header, cg.poolIDs(au)))
	}
	v, why := cg.verified(au, raw)
	if why == "" {
		why = v.allows(route, cg.audience[au], cg.now())
	}
	if why != "" {
		return unauthorized(why)
	}
	p.Authorizer = map[string]any{"claims": v.claims}
	p.Caller = v.caller
	return nil
}

// unauthorized is API Gateway's answer to a missing or refused token
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html,
// UNAUTHORIZED).
func unauthorized(why string) *refusal {
	return &refusal{Status: 401, Message: "Unauthorized", ResponseType: "UNAUTHORIZED", ErrorType: "UnauthorizedException", Why: why}
}

func (cg *cognitoGuard) poolIDs(au *loader.Authorizer) string {
	var ids []string
	for _, t := range cg.trust[au] {
		ids = append(ids, t.pool.ID)
	}
	return strings.Join(ids, " or ")
}

// verifiedToken is a token whose signature and issuer an authorizer
// accepted; what depends on the method (scopes) and the time is checked
// on each request.
type verifiedToken struct {
	token  *jwt
	claims map[string]string
	caller string
	pool   *userPool
}

// verified parses raw and checks what makes it a token of one of au's
// pools: the algorithm, the issuer, the key and the signature.
func (cg *cognitoGuard) verified(au *loader.Authorizer, raw string) (*verifiedToken, string) {
	if v := cg.cache.get(au, raw, cg.now()); v != nil {
		return v, ""
	}
	// API Gateway reads the bare token, and takes it after "Bearer " too:
	// AWS's workshops and Cognito's guide send "Bearer <token>"
	// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-accessing-resources-api-gateway-and-lambda.html).
	token := raw
	if len(token) > 7 && strings.EqualFold(token[:7], "Bearer ") {
		token = token[7:]
	}
	t, err := parseJWT(token)
	if err != nil {
		return nil, err.Error()
	}
	if t.Header.Alg != "RS256" {
		return nil, fmt.Sprintf("alg %q: Cognito signs its tokens with RS256, and API Gateway takes no other (alg none and HMAC tokens are refused)", t.Header.Alg)
	}
	iss := t.str("iss")
	var tp *trustedPool
	for _, p := range cg.trust[au] {
		if p.issuer == iss {
			tp = p
		}
	}
	if tp == nil {
		var want []string
		for _, p := range cg.trust[au] {
			want = append(want, p.issuer)
		}
		return nil, fmt.Sprintf("issuer %q is not a user pool of authorizer %s/%s (it takes %s): use a token of one of those pools", iss, au.Stack, au.LogicalID, strings.Join(want, ", "))
	}
	key, err := tp.keys.publicKey(t.Header.Kid)
	if err != nil {
		return nil, err.Error()
	}
	if err := t.verify(key); err != nil {
		return nil, err.Error()
	}
	v := &verifiedToken{token: t, claims: eventClaims(t.Claims), pool: tp.pool}
	v.caller = firstOf(t.str("cognito:username"), t.str("username"), t.str("sub")) + " (" + t.str("token_use") + " token of " + tp.pool.ID + ")"
	if au.TTL > 0 {
		cg.cache.put(au, raw, v, cg.now().Add(time.Duration(au.TTL)*time.Second))
	}
	return v, ""
}

// allows checks what the method and the clock decide: the token's times,
// its use and scopes, and the authorizer's audience expression.
func (v *verifiedToken) allows(route *loader.Route, audience *regexp.Regexp, now time.Time) string {
	t := v.token
	exp, ok := t.unix("exp")
	if !ok {
		return "the token has no exp claim"
	}
	if now.Unix() >= exp {
		return fmt.Sprintf("the token expired at %s (%s ago): sign in again, or mint a new one (sgdev token)", time.Unix(exp, 0).UTC().Format(time.RFC3339), now.Sub(time.Unix(exp, 0)).Round(time.Second))
	}
	if nbf, ok := t.unix("nbf"); ok && now.Unix() < nbf {
		return fmt.Sprintf("the token is not valid before %s", time.Unix(nbf, 0).UTC().Format(time.RFC3339))
	}
	use := t.str("token_use")
	if len(route.AuthorizationScopes) == 0 {
		if use != "id" {
			return fmt.Sprintf("token_use %q: a method without authorization scopes takes ID tokens (sgdev token mints one without -access or -scopes)", use)
		}
	} else {
		if use != "access" {
			return fmt.Sprintf("token_use %q: a method with authorization scopes (%s) takes access tokens (sgdev token -scopes ...)", use, strings.Join(route.AuthorizationScopes, " "))
		}
		has := strings.Fields(t.str("scope"))
		if !slices.ContainsFunc(route.AuthorizationScopes, func(s string) bool { return slices.Contains(has, s) }) {
			return fmt.Sprintf("the token's scope %q has none of the method's scopes %s: request one of them when signing in (sgdev token -scopes ...)", t.str("scope"), strings.Join(route.AuthorizationScopes, ", "))
		}
	}
	if audience != nil {
		// An access token has no aud, so an expression refuses it.
		if aud := t.str("aud"); !audience.MatchString(aud) {
			return fmt.Sprintf("aud %q does not match the authorizer's IdentityValidationExpression %s", aud, audience)
		}
	}
	return ""
}

// javaDate is how API Gateway writes exp and iat in the claims: Java's
// Date.toString in UTC ("Fri Jul 29 18:52:53 UTC 2016"), as recorded in
// https://github.com/amazon-archives/amazon-cognito-identity-js/issues/92
// and https://repost.aws/questions/QUFJRBaEJRSmmqarNrvCWoQA/aws-cognito-group.
const javaDate = "Mon Jan 02 15:04:05 UTC 2006"

// eventClaims are a token's claims as API Gateway hands them to the
// function in requestContext.authorizer.claims: every value a string
// (https://github.com/awsdocs/amazon-api-gateway-developer-guide/issues/158).
// exp and iat become dates, other numbers their digits (auth_time
// "1469814773"), booleans "true"/"false", and a list its elements joined
// with commas (cognito:groups "admins,editors", as reported in
// https://openillumi.com/en/en-api-gateway-cognito-jwt-claim-conversion-zero-trust;
// one group is just its name). An object is written as JSON, which is what
// a federated user's identities claim looks like in recorded events.
func eventClaims(claims map[string]any) map[string]string {
	out := make(map[string]string, len(claims))
	for k, v := range claims {
		if n, ok := v.(json.Number); ok && (k == "exp" || k == "iat") {
			if sec, err := n.Int64(); err == nil {
				out[k] = time.Unix(sec, 0).UTC().Format(javaDate)
				continue
			}
		}
		out[k] = claimString(v, true)
	}
	return out
}

func claimString(v any, top bool) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	case []any:
		if top {
			parts := make([]string, len(x))
			for i, e := range x {
				parts[i] = claimString(e, false)
			}
			return strings.Join(parts, ",")
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// tokenCache keeps the tokens an authorizer verified for its
// AuthorizerResultTtlInSeconds, as API Gateway caches an authorizer's
// result; the signature is then not checked again. A token's expiry still
// is, on every request.
type tokenCache struct {
	mu      sync.Mutex
	entries map[cacheKey]cacheEntry
}

type cacheKey struct {
	au    *loader.Authorizer
	token string
}

type cacheEntry struct {
	v     *verifiedToken
	until time.Time
}

// maxCachedTokens bounds the cache; past it, it starts again empty.
const maxCachedTokens = 4096

func newTokenCache() *tokenCache { return &tokenCache{entries: map[cacheKey]cacheEntry{}} }

func (c *tokenCache) get(au *loader.Authorizer, token string, now time.Time) *verifiedToken {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[cacheKey{au, token}]
	if !ok || !now.Before(e.until) {
		return nil
	}
	return e.v
}

func (c *tokenCache) put(au *loader.Authorizer, token string, v *verifiedToken, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCachedTokens {
		c.entries = map[cacheKey]cacheEntry{}
	}
	c.entries[cacheKey{au, token}] = cacheEntry{v, until}
}

// jwksFor serves the keys of a local pool (nil when id is not one).
func (cg *cognitoGuard) jwksFor(id string) *jwkSet {
	if cg == nil || cg.issuer == nil || cg.local[id] == nil {
		return nil
	}
	s := cg.issuer.jwks()
	return &s
}

// mint signs a token for a local pool.
func (cg *cognitoGuard) mint(o CognitoToken) (string, error) {
	if cg == nil || len(cg.pools) == 0 {
		return "", errors.New(noPoolError)
	}
	if cg.issuer == nil {
		return "", fmt.Errorf("the runner trusts real user pools (CognitoJWKS), not a local issuer: sign in to the pool for a token")
	}
	pool, err := findPool(cg.pools, o.Pool)
	if err != nil {
		return "", err
	}
	return cg.issuer.mint(pool, o)
}

// remoteJWKS are the keys of a real user pool, read from its JWKS URL
// (https://cognito-idp.{region}.amazonaws.com/{poolId}/.well-known/jwks.json)
// and read again, at most every refetchEvery, when a token names a kid
// they lack (a pool rotates its keys).
type remoteJWKS struct {
	url, issuer string
	client      *http.Client

	mu      sync.Mutex
	keys    map[string]*rsa.PublicKey
	fetched time.Time
}

const refetchEvery = 30 * time.Second

func newRemoteJWKS(u string) (*remoteJWKS, error) {
	issuer, ok := strings.CutSuffix(u, "/.well-known/jwks.json")
	if !ok || !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return nil, fmt.Errorf("-cognito-jwks %q: want a user pool's JWKS URL, https://cognito-idp.{region}.amazonaws.com/{poolId}/.well-known/jwks.json (its issuer is the URL before /.well-known)", u)
	}
	return &remoteJWKS{url: u, issuer: issuer, client: &http.Client{Timeout: 10 * time.Second}}, nil
}

// poolID is the last part of the issuer: the pool id of a Cognito URL.
func (j *remoteJWKS) poolID() string { return j.issuer[strings.LastIndexByte(j.issuer, '/')+1:] }

// refresh reads the keys again.
func (j *remoteJWKS) refresh() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.fetchLocked()
}

func (j *remoteJWKS) fetchLocked() error {
	j.fetched = time.Now()
	req, _ := http.NewRequestWithContext(context.Background(), "GET", j.url, nil)
	resp, err := j.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %s", j.url, resp.Status)
	}
	var set jwkSet
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return fmt.Errorf("GET %s: not a JWKS: %w", j.url, err)
	}
	keys, err := set.keys()
	if len(keys) == 0 {
		return fmt.Errorf("GET %s: %w", j.url, err)
	}
	j.keys = keys
	return nil
}

func (j *remoteJWKS) publicKey(kid string) (*rsa.PublicKey, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if k := j.keys[kid]; k != nil {
		return k, nil
	}
	if time.Since(j.fetched) >= refetchEvery || j.keys == nil && time.Since(j.fetched) >= time.Second {
		if err := j.fetchLocked(); err != nil {
			return nil, tokenError(fmt.Sprintf("kid %q: the pool's keys could not be read: %v", kid, err))
		}
		if k := j.keys[kid]; k != nil {
			return k, nil
		}
	}
	return nil, tokenError(fmt.Sprintf("kid %q is not a key of %s", kid, j.url))
}

// guardEndpoints serves what clients of the guards read from each API's
// port: the local user pools' keys, at a path shaped as Cognito's.
func (s *Server) guardEndpoints(mux *http.ServeMux) {
	mux.HandleFunc("GET /_streamgate/cognito/{pool}/.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		var set *jwkSet
		if s.guards != nil {
			set = s.guards.cognito.jwksFor(r.PathValue("pool"))
		}
		if set == nil {
			http.Error(w, "not a user pool the runner issues tokens for", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(set)
	})
}

// CognitoToken mints a token of the local issuer for a user pool of the
// assemblies, which the runner's Cognito authorizers accept (unless
// Options.CognitoJWKS made them trust real pools).
func (s *Server) CognitoToken(o CognitoToken) (string, error) {
	if s.guards == nil {
		return "", fmt.Errorf("the runner has no guards")
	}
	return s.guards.cognito.mint(o)
}

// UserPools are the local ids of the user pools the runner issues tokens
// for, by the authorizers' names for them (stack/logical id, or an ARN).
func (s *Server) UserPools() map[string]string {
	out := map[string]string{}
	if s.guards != nil && s.guards.cognito.issuer != nil {
		for _, p := range s.guards.cognito.pools {
			out[p.Source] = p.ID
		}
	}
	return out
}
