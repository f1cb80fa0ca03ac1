package devserver

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// FuzzCognitoToken feeds the Authorization header of a Cognito method:
// parseJWT, the Bearer prefix, the algorithm, issuer and kid lookups, the
// signature and the claims' conversion must never panic, and only a token
// the runner signed may pass.
func FuzzCognitoToken(f *testing.F) {
	api := cognitoAPI()
	gs, _, err := newGuards([]*loader.API{api}, Options{CognitoKeyFile: filepath.Join(f.TempDir(), "k.pem")}, nil)
	if err != nil {
		f.Fatal(err)
	}
	valid, _ := gs.cognito.mint(CognitoToken{Pool: "PoolA", Groups: []string{"a", "b"}, Claims: map[string]any{"custom:n": 1.5, "custom:o": map[string]any{"x": []any{1, nil}}}})
	parts := strings.Split(valid, ".")
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, seed := range []string{
		valid, "Bearer " + valid, "bearer " + valid, "", "a.b.c", "..", "...", "Bearer ",
		enc(`{"alg":"none"}`) + "." + parts[1] + ".",
		enc(`{"alg":"RS256","kid":7}`) + "." + parts[1] + "." + parts[2],
		parts[0] + "." + enc(`{"exp":1e400,"iss":null}`) + "." + parts[2],
		parts[0] + "." + enc(`{"exp":"soon","token_use":["id"]}`) + "." + parts[2],
		parts[0] + "." + enc(`[]`) + "." + parts[2],
		parts[0] + "." + enc(`null`) + "." + parts[2],
		parts[0] + "." + parts[1] + "." + parts[2][:10],
		parts[0] + "=." + parts[1] + "." + parts[2],
	} {
		f.Add(seed)
	}
	route := api.Routes[0]
	f.Fuzz(func(t *testing.T, raw string) {
		v, why := gs.cognito.verified(route.Authorizer, raw)
		if why == "" {
			if tok := raw[max(0, len(raw)-len(valid)):]; tok != valid || len(raw) != len(valid) && !strings.EqualFold(raw[:len(raw)-len(valid)], "Bearer ") {
				t.Fatalf("a token the runner did not sign passed the signature check: %q", raw)
			}
			v.allows(route, nil, time.Now())
			return
		}
		if v != nil {
			t.Fatalf("refused (%s), yet a token", why)
		}
		// The claims' conversion takes whatever a payload holds.
		if tok, err := parseJWT(raw); err == nil {
			for k, s := range eventClaims(tok.Claims) {
				_ = k + s
			}
		}
	})
}

// FuzzJWKS feeds a real pool's JWKS document: reading it never panics, and
// only RSA keys of 2048 bits or more are kept.
func FuzzJWKS(f *testing.F) {
	iss, _, err := loadIssuer(filepath.Join(f.TempDir(), "k.pem"))
	if err != nil {
		f.Fatal(err)
	}
	good, _ := json.Marshal(iss.jwks())
	for _, seed := range []string{
		string(good), `{"keys":[]}`, `{"keys":[{"kty":"EC","kid":"a"}]}`, `{"keys":[{"kty":"RSA","kid":"a","n":"AQAB","e":"AQAB"}]}`,
		`{"keys":[{"kty":"RSA","kid":"a","n":"` + strings.Repeat("_", 400) + `","e":"AAAAAAAAAA"}]}`, `{"keys":null}`, `[]`, `{`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(doc) }))
		defer srv.Close()
		j, err := newRemoteJWKS(srv.URL + "/us-east-1_Fuzz/.well-known/jwks.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := j.refresh(); err != nil {
			return
		}
		for kid, k := range j.keys {
			if k.N.BitLen() < 2048 || k.E < 3 {
				t.Fatalf("key %q kept: %d bits, e=%d", kid, k.N.BitLen(), k.E)
			}
		}
	})
}
