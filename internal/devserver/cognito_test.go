package devserver

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// Tokens below come from two signers: the runner's own (cognito mint), and
// golang-jwt/jwt/v5, a JWT library nobody here wrote, signing with the
// runner's key file, a stranger's key, or no key at all. They are sent
// over a real connection to a gateway whose guards are the runner's.

// cognitoAPI has methods behind three Cognito authorizers: PoolAuth (pool
// A, Authorization header), OtherAuth (pool B), AudAuth (pool A, an
// IdentityValidationExpression on aud) and HeaderAuth (pool A, X-Token,
// no cache).
func cognitoAPI() *loader.API {
	api := &loader.API{Stack: "CogStack", LogicalID: "Api", Stage: "v1", EndpointType: "REGIONAL", APIKeySource: "HEADER", GatewayResponses: testResponses()}
	authorizer := func(id, pool string, set func(*loader.Authorizer)) *loader.Authorizer {
		au := &loader.Authorizer{Stack: "CogStack", LogicalID: id, Type: "COGNITO_USER_POOLS", IdentitySource: "method.request.header.Authorization",
			TTL: 300, UserPools: []string{"CogStack/" + pool}}
		if set != nil {
			set(au)
		}
		return au
	}
	poolAuth := authorizer("PoolAuth", "PoolA", nil)
	cognito := func(au *loader.Authorizer, scopes ...string) func(r *loader.Route) {
		return func(r *loader.Route) {
			r.Authorization, r.Authorizer, r.AuthorizationScopes = "COGNITO_USER_POOLS", au, scopes
		}
	}
	addRoute(api, "GET", "/profile", cognito(poolAuth))
	addRoute(api, "GET", "/records", cognito(poolAuth, "records/read", "records/write"))
	addRoute(api, "GET", "/other", cognito(authorizer("OtherAuth", "PoolB", nil)))
	addRoute(api, "GET", "/aud", cognito(authorizer("AudAuth", "PoolA", func(au *loader.Authorizer) { au.IdentityValidationExpression = "web-.*" })))
	addRoute(api, "GET", "/custom", cognito(authorizer("HeaderAuth", "PoolA", func(au *loader.Authorizer) {
		au.IdentitySource, au.TTL = "method.request.header.X-Token", 0
	})))
	addRoute(api, "GET", "/open", nil)
	return api
}

// cognitoFixture is a served cognitoAPI with its issuer's key file.
type cognitoFixture struct {
	*guardedAPI
	keyFile string
	key     *rsa.PrivateKey // the runner's, read by golang-jwt from keyFile
	kid     string
	poolA   *userPool
	poolB   *userPool
}

func startCognito(t testing.TB, prepare ...func(*guards)) *cognitoFixture {
	t.Helper()
	keyFile := filepath.Join(t.TempDir(), "issuer-key.pem")
	s := startGuardedAPI(t, cognitoAPI(), Options{CognitoKeyFile: keyFile}, prepare...)
	pem, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatalf("the runner made no key file: %v", err)
	}
	key, err := jwtlib.ParseRSAPrivateKeyFromPEM(pem)
	if err != nil {
		t.Fatal(err)
	}
	f := &cognitoFixture{guardedAPI: s, keyFile: keyFile, key: key, kid: s.gs.cognito.issuer.kid}
	if f.poolA, err = findPool(s.gs.cognito.pools, "PoolA"); err != nil {
		t.Fatal(err)
	}
	if f.poolB, err = findPool(s.gs.cognito.pools, "PoolB"); err != nil {
		t.Fatal(err)
	}
	return f
}

// mint is a token of the runner's issuer.
func (f *cognitoFixture) mint(t testing.TB, o CognitoToken) string {
	t.Helper()
	tok, err := f.gs.cognito.mint(o)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// libToken is a token golang-jwt signs with method and key under kid.
func libToken(t testing.TB, method jwtlib.SigningMethod, key any, kid string, claims jwtlib.MapClaims) string {
	t.Helper()
	tok := jwtlib.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// idClaims are the claims of an ID token of pool, as Cognito writes them.
func idClaims(pool *userPool, now time.Time) jwtlib.MapClaims {
	return jwtlib.MapClaims{"sub": "5f1b0c1e-3a55-4d0a-9c3e-111111111111", "iss": pool.Issuer(), "aud": pool.ClientID, "token_use": "id",
		"cognito:username": "lib-user", "auth_time": now.Unix(), "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
}

func TestCognitoRefusesAsAPIGatewayDoes(t *testing.T) {
	f := startCognito(t)
	now := time.Now()
	stranger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	idToken := f.mint(t, CognitoToken{Pool: "PoolA", User: "alice"})
	parts := strings.Split(idToken, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"alice"`, `"admin"`, 1))) + "." + parts[2]
	withoutExp := idClaims(f.poolA, now)
	delete(withoutExp, "exp")
	notYet := idClaims(f.poolA, now)
	notYet["nbf"] = now.Add(time.Hour).Unix()
	noneToken := libToken(t, jwtlib.SigningMethodNone, jwtlib.UnsafeAllowNoneSignatureType, f.kid, idClaims(f.poolA, now))
	// The public key's bytes as an HMAC secret: the algorithm-confusion
	// attack on verifiers that let the token choose the algorithm.
	pubDER := f.key.PublicKey.N.Bytes()

	for _, tc := range []struct {
		name, path, header, token string
		why                       string // the log's explanation holds this
	}{
		{"no token", "/profile", "", "", "no Authorization header: this method needs a token of user pool " + f.poolA.ID},
		{"not a JWT", "/profile", "Authorization", "hello", "not a JWT: 1 dot-separated parts"},
		{"Bearer and nothing", "/profile", "Authorization", "Bearer x.y", "not a JWT: 2 dot-separated parts"},
		{"alg none", "/profile", "Authorization", noneToken, `alg "none": Cognito signs its tokens with RS256`},
		{"alg none, signature stripped", "/profile", "Authorization", parts[0][:0] + base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + ".", `alg "none"`},
		{"HS256 keyed with the public key", "/profile", "Authorization", libToken(t, jwtlib.SigningMethodHS256, pubDER, f.kid, idClaims(f.poolA, now)), `alg "HS256"`},
		{"RS512 with the right key", "/profile", "Authorization", libToken(t, jwtlib.SigningMethodRS512, f.key, f.kid, idClaims(f.poolA, now)), `alg "RS512"`},
		{"tampered payload", "/profile", "Authorization", tampered, "the signature does not match the payload"},
		{"a stranger's key under the runner's kid", "/profile", "Authorization", libToken(t, jwtlib.SigningMethodRS256, stranger, f.kid, idClaims(f.poolA, now)),
			"the signature does not match the payload"},
		{"an unknown kid", "/profile", "Authorization", libToken(t, jwtlib.SigningMethodRS256, stranger, "other-kid", idClaims(f.poolA, now)),
			`kid "other-kid" is not the local issuer's key`},
		{"another pool's token", "/profile", "Authorization", f.mint(t, CognitoToken{Pool: "PoolB"}),
			fmt.Sprintf("issuer %q is not a user pool of authorizer CogStack/PoolAuth", f.poolB.Issuer())},
		{"pool A's token on pool B's method", "/other", "Authorization", idToken, "is not a user pool of authorizer CogStack/OtherAuth"},
		{"expired", "/profile", "Authorization", f.mint(t, CognitoToken{Pool: "PoolA", Now: now.Add(-2 * time.Hour)}), "the token expired at"},
		{"no exp", "/profile", "Authorization", libToken(t, jwtlib.SigningMethodRS256, f.key, f.kid, withoutExp), "the token has no exp claim"},
		{"not yet valid", "/profile", "Authorization", libToken(t, jwtlib.SigningMethodRS256, f.key, f.kid, notYet), "the token is not valid before"},
		{"ID token where scopes are required", "/records", "Authorization", idToken,
			`token_use "id": a method with authorization scopes (records/read records/write) takes access tokens`},
		{"access token without the method's scopes", "/records", "Authorization", f.mint(t, CognitoToken{Pool: "PoolA", Scopes: []string{"records/delete", "openid"}}),
			`the token's scope "records/delete openid" has none of the method's scopes records/read, records/write`},
		{"access token where no scopes are set", "/profile", "Authorization", f.mint(t, CognitoToken{Pool: "PoolA", Access: true}),
			`token_use "access": a method without authorization scopes takes ID tokens`},
		{"aud not matching IdentityValidationExpression", "/aud", "Authorization", idToken,
			fmt.Sprintf("aud %q does not match the authorizer's IdentityValidationExpression", f.poolA.ClientID)},
		{"token in Authorization, authorizer reads X-Token", "/custom", "Authorization", idToken, "no X-Token header"},
		{"oversized", "/profile", "Authorization", "eyJ" + strings.Repeat("A", 9000) + ".e30.x", "the token is 9009 bytes; the runner reads at most 8192"},
		{"payload with data after it", "/profile", "Authorization",
			parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"x"} {}`)) + "." + parts[2], "the JWT payload has data after its JSON object"},
		{"payload not JSON", "/profile", "Authorization", parts[0] + ".bm90IGpzb24." + parts[2], "the JWT payload is not a JSON object"},
		{"header not base64url", "/profile", "Authorization", "e+J." + parts[1] + "." + parts[2], "the JWT header is not base64url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			if tc.header != "" {
				headers = []string{tc.header, tc.token}
			}
			a := f.get(t, tc.path, headers...)
			checkRefusal(t, a, 401, "Unauthorized", "UnauthorizedException", "UNAUTHORIZED")
			if ev := f.invoked(); len(ev) != 0 {
				t.Errorf("the function was invoked %d times", len(ev))
			}
			if log := f.logs.take(); !strings.Contains(log, tc.why) {
				t.Errorf("the log does not explain %q:\n%s", tc.why, log)
			}
		})
	}
}

// javaDateRE is Java's Date.toString in UTC, as API Gateway writes exp
// and iat.
var javaDateRE = regexp.MustCompile(`^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d\d \d\d:\d\d:\d\d UTC \d{4}$`)

func TestCognitoLetsValidTokensThroughWithTheirClaims(t *testing.T) {
	f := startCognito(t)
	now := time.Now()
	lib := idClaims(f.poolA, now)
	lib["custom:tenant"], lib["cognito:groups"], lib["email_verified"], lib["custom:big"] = "acme", []string{"admin"}, false, json.Number("123456789012345678901")
	webAud := idClaims(f.poolA, now)
	webAud["aud"] = "web-app"

	for _, tc := range []struct {
		name, path, header, token string
		claims                    map[string]string // a subset of requestContext.authorizer.claims
	}{
		{"runner ID token", "/profile", "Authorization", f.mint(t, CognitoToken{Pool: "PoolA", User: "alice", Groups: []string{"admin", "dev"}, Email: "a@example.com"}),
			map[string]string{"cognito:username": "alice", "cognito:groups": "admin,dev", "email": "a@example.com", "email_verified": "true",
				"token_use": "id", "iss": f.poolA.Issuer(), "aud": f.poolA.ClientID, "sub": uuidFrom(f.poolA.ID + "/alice")}},
		{"runner ID token after Bearer", "/profile", "Authorization", "Bearer " + f.mint(t, CognitoToken{Pool: "PoolA", User: "bob"}),
			map[string]string{"cognito:username": "bob"}},
		{"runner access token with one of the scopes", "/records", "Authorization", f.mint(t, CognitoToken{Pool: "PoolA", User: "carol", Scopes: []string{"openid", "records/write"}}),
			map[string]string{"username": "carol", "scope": "openid records/write", "token_use": "access", "client_id": f.poolA.ClientID, "version": "2"}},
		{"golang-jwt ID token with the runner's key", "/profile", "Authorization", libToken(t, jwtlib.SigningMethodRS256, f.key, f.kid, lib),
			map[string]string{"cognito:username": "lib-user", "custom:tenant": "acme", "cognito:groups": "admin", "email_verified": "false",
				"custom:big": "123456789012345678901", "auth_time": fmt.Sprint(now.Unix())}},
		{"pool B's token on pool B's method", "/other", "Authorization", f.mint(t, CognitoToken{Pool: f.poolB.ID}), map[string]string{"iss": f.poolB.Issuer()}},
		{"aud matching IdentityValidationExpression", "/aud", "Authorization", libToken(t, jwtlib.SigningMethodRS256, f.key, f.kid, webAud),
			map[string]string{"aud": "web-app"}},
		{"the authorizer's own header", "/custom", "X-Token", f.mint(t, CognitoToken{Pool: "PoolA", User: "dave"}), map[string]string{"cognito:username": "dave"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := f.get(t, tc.path, tc.header, tc.token)
			if a.status != 200 {
				t.Fatalf("answer %d %s; log:\n%s", a.status, a.body, f.logs.take())
			}
			events := f.invoked()
			if len(events) != 1 {
				t.Fatalf("%d events, want 1", len(events))
			}
			rc := requestContext(t, events[0])
			au, _ := rc["authorizer"].(map[string]any)
			claims, _ := au["claims"].(map[string]any)
			if claims == nil || len(au) != 1 {
				t.Fatalf("requestContext.authorizer %v, want {claims: {...}} only", rc["authorizer"])
			}
			for k, v := range claims {
				if _, ok := v.(string); !ok {
					t.Errorf("claim %s is %T %v: API Gateway hands every claim as a string", k, v, v)
				}
			}
			for k, want := range tc.claims {
				if claims[k] != want {
					t.Errorf("claim %s = %v, want %q", k, claims[k], want)
				}
			}
			for _, k := range []string{"exp", "iat"} {
				if s, _ := claims[k].(string); !javaDateRE.MatchString(s) {
					t.Errorf("claim %s = %q, want a date such as \"Fri Jul 29 18:52:53 UTC 2016\"", k, s)
				}
			}
			id, _ := rc["identity"].(map[string]any)
			if id["apiKey"] != nil || id["apiKeyId"] != nil || id["cognitoIdentityId"] != nil {
				t.Errorf("identity %v: a user pool authorizer fills none of these", id)
			}
		})
	}

	a := f.get(t, "/open")
	if a.status != 200 {
		t.Fatalf("open route: %d", a.status)
	}
	if rc := requestContext(t, f.invoked()[0]); rc["authorizer"] != nil {
		t.Errorf("open route: requestContext.authorizer %v, want none", rc["authorizer"])
	}
}

// TestCognitoCacheStillChecksExpiry: a cached token (TTL 300) is taken
// without its signature being checked again, but not past its exp.
func TestCognitoCacheStillChecksExpiry(t *testing.T) {
	start := time.Now()
	clock := newTestClock(start)
	f := startCognito(t, func(gs *guards) { gs.cognito.now = clock.now })
	tok := f.mint(t, CognitoToken{Pool: "PoolA", TTL: time.Minute, Now: start})
	if a := f.get(t, "/profile", "Authorization", tok); a.status != 200 {
		t.Fatalf("fresh token: %d %s", a.status, a.body)
	}
	if n := len(f.gs.cognito.cache.entries); n != 1 {
		t.Fatalf("%d cached tokens, want 1", n)
	}
	clock.add(2 * time.Minute) // within the cache's 300 s, past exp
	checkRefusal(t, f.get(t, "/profile", "Authorization", tok), 401, "Unauthorized", "UnauthorizedException", "UNAUTHORIZED")
	if log := f.logs.take(); !strings.Contains(log, "the token expired at") {
		t.Errorf("log:\n%s", log)
	}
	if n := len(f.invoked()); n != 1 {
		t.Errorf("%d invocations, want 1 (the fresh token's)", n)
	}
}

// TestCognitoJWKSServesTheIssuersKey: a JWT library verifies the runner's
// tokens with the keys the runner serves at a path shaped as Cognito's.
func TestCognitoJWKSServesTheIssuersKey(t *testing.T) {
	f := startCognito(t)
	s := &Server{guards: f.gs}
	mux := http.NewServeMux()
	s.guardEndpoints(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Get(srv.URL + f.poolA.JWKSPath())
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || resp.StatusCode != 200 || len(set.Keys) != 1 {
		t.Fatalf("%s: %d, %v, %v", f.poolA.JWKSPath(), resp.StatusCode, set, err)
	}
	resp.Body.Close()
	k := set.Keys[0]
	if k["alg"] != "RS256" || k["kty"] != "RSA" || k["use"] != "sig" || k["kid"] != f.kid {
		t.Errorf("key %v, want Cognito's shape (alg RS256, kty RSA, use sig, kid %s)", k, f.kid)
	}
	n, _ := base64.RawURLEncoding.DecodeString(k["n"])
	e, _ := base64.RawURLEncoding.DecodeString(k["e"])
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}

	for _, o := range []CognitoToken{{Pool: "PoolA", User: "alice", Groups: []string{"g"}}, {Pool: "PoolA", Scopes: []string{"records/read"}}} {
		tok := f.mint(t, o)
		parsed, err := jwtlib.Parse(tok, func(*jwtlib.Token) (any, error) { return pub, nil },
			jwtlib.WithValidMethods([]string{"RS256"}), jwtlib.WithIssuer(f.poolA.Issuer()), jwtlib.WithExpirationRequired(), jwtlib.WithIssuedAt())
		if err != nil {
			t.Fatalf("golang-jwt refuses the runner's token: %v", err)
		}
		if parsed.Header["kid"] != f.kid {
			t.Errorf("kid %v", parsed.Header["kid"])
		}
		c := parsed.Claims.(jwtlib.MapClaims)
		wantUse := "id"
		if len(o.Scopes) > 0 {
			wantUse = "access"
		}
		if c["token_use"] != wantUse || c["sub"] == "" {
			t.Errorf("claims %v", c)
		}
	}
	for _, path := range []string{"/_streamgate/cognito/us-east-1_nothere/.well-known/jwks.json", "/_streamgate/cognito/" + f.poolB.ID + "/.well-known/jwks.json"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := map[bool]int{true: 404, false: 200}[strings.Contains(path, "nothere")]; resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}

// TestCognitoKeyFileSurvivesRestarts: a second runner with the same key
// file takes the first one's tokens; a runner with another key does not.
func TestCognitoKeyFileSurvivesRestarts(t *testing.T) {
	f := startCognito(t)
	tok := f.mint(t, CognitoToken{Pool: "PoolA"})
	again := startGuardedAPI(t, cognitoAPI(), Options{CognitoKeyFile: f.keyFile})
	if a := again.get(t, "/profile", "Authorization", tok); a.status != 200 {
		t.Errorf("same key file: %d %s", a.status, a.body)
	}
	other := startGuardedAPI(t, cognitoAPI(), Options{CognitoKeyFile: filepath.Join(t.TempDir(), "k.pem")})
	checkRefusal(t, other.get(t, "/profile", "Authorization", tok), 401, "Unauthorized", "UnauthorizedException", "UNAUTHORIZED")
	if log := other.logs.take(); !strings.Contains(log, "is not the local issuer's key") {
		t.Errorf("log:\n%s", log)
	}
	bad := filepath.Join(t.TempDir(), "bad.pem")
	if err := os.WriteFile(bad, []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := newGuards([]*loader.API{cognitoAPI()}, Options{CognitoKeyFile: bad}, nil); err == nil || !strings.Contains(err.Error(), "no PEM block") {
		t.Errorf("a key file that is not PEM: %v", err)
	}
}

// TestCognitoTrustsARealPool: with CognitoJWKS, the authorizers take the
// real pool's tokens (here a pool served by a test server, signed by
// golang-jwt) and no longer the local issuer's.
func TestCognitoTrustsARealPool(t *testing.T) {
	poolKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	fetches := 0
	pool := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/us-east-1_RealPool1/.well-known/jwks.json" {
			http.NotFound(w, r)
			return
		}
		fetches++
		json.NewEncoder(w).Encode(jwkSet{Keys: []jwk{newJWK(&poolKey.PublicKey, "real-kid")}})
	}))
	defer pool.Close()
	issuer := pool.URL + "/us-east-1_RealPool1"
	keyFile := filepath.Join(t.TempDir(), "issuer-key.pem")
	s := startGuardedAPI(t, cognitoAPI(), Options{CognitoKeyFile: keyFile, CognitoJWKS: []string{issuer + "/.well-known/jwks.json"}})
	now := time.Now()
	claims := jwtlib.MapClaims{"sub": "s", "iss": issuer, "aud": "client", "token_use": "id", "cognito:username": "real", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	tok := libToken(t, jwtlib.SigningMethodRS256, poolKey, "real-kid", claims)
	for _, path := range []string{"/profile", "/other"} {
		if a := s.get(t, path, "Authorization", tok); a.status != 200 {
			t.Errorf("%s with the real pool's token: %d %s\n%s", path, a.status, a.body, s.logs.take())
		}
	}
	if fetches != 1 {
		t.Errorf("the JWKS was read %d times, want once (at start)", fetches)
	}
	checkRefusal(t, s.get(t, "/profile", "Authorization", libToken(t, jwtlib.SigningMethodRS256, poolKey, "rotated-kid", claims)),
		401, "Unauthorized", "UnauthorizedException", "UNAUTHORIZED")
	if log := s.logs.take(); !strings.Contains(log, `kid "rotated-kid" is not a key of `+issuer) {
		t.Errorf("log:\n%s", log)
	}
	if _, err := s.gs.cognito.mint(CognitoToken{Pool: "PoolA"}); err == nil {
		t.Error("the runner mints local tokens while it trusts a real pool")
	}
	if _, err := os.Stat(keyFile); err == nil {
		t.Error("the runner made a local key it does not use")
	}
	if _, _, err := newGuards([]*loader.API{cognitoAPI()}, Options{CognitoJWKS: []string{"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x"}}, nil); err == nil {
		t.Error("a JWKS URL without /.well-known/jwks.json is taken")
	}
}

func TestCognitoNotices(t *testing.T) {
	_, notices, err := newGuards([]*loader.API{cognitoAPI()}, Options{CognitoKeyFile: filepath.Join(t.TempDir(), "k.pem")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(notices, "\n")
	for _, want := range []string{
		"Cognito: user pool CogStack/PoolA is us-east-1_", "sgdev token -pool us-east-1_",
		"Cognito: the local issuer's key is new, kept in ",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("notices lack %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "not authorized locally") {
		t.Errorf("a notice still says Cognito is not emulated:\n%s", all)
	}
}

func TestFindPool(t *testing.T) {
	all, _ := pools([]*loader.API{cognitoAPI()})
	if len(all) != 2 {
		t.Fatalf("%d pools, want 2 (A and B, each once)", len(all))
	}
	a := poolFor("CogStack/PoolA")
	for _, tc := range []struct{ name, want, err string }{
		{"PoolA", a.ID, ""},
		{"CogStack/PoolA", a.ID, ""},
		{a.ID, a.ID, ""},
		{"", "", "2 user pools; name one"},
		{"PoolC", "", `pool "PoolC" names 0 of the user pools`},
	} {
		p, err := findPool(all, tc.name)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || p.ID != tc.want {
			t.Errorf("%q: %v %v, want %s", tc.name, p, err, tc.want)
		}
	}
	if !regexp.MustCompile(`^us-east-1_[0-9A-Za-z]{9}$`).MatchString(a.ID) || a.ID != poolFor("CogStack/PoolA").ID {
		t.Errorf("local pool id %q: want Cognito's form, the same for the same logical id", a.ID)
	}
	real := poolFor("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123")
	if real.ID != "eu-west-1_AbCdEf123" || real.Issuer() != "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123" {
		t.Errorf("pool of a literal ARN: %+v, issuer %s", real, real.Issuer())
	}
}
