package devserver

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// Offline, the runner is the issuer of every user pool of the assembly: it
// signs tokens shaped as Cognito's with one RSA key of its own, kept in a
// file so that a token stays valid when the runner restarts, and serves
// that key as each pool's JWKS. A pool gets a local id in Cognito's format
// (us-east-1_ and 9 letters or digits) derived from its logical id, so the
// same template gives the same ids, issuers and subs on every machine.

// localRegion is the region of the runner's pools (its functions get
// AWS_REGION us-east-1 too).
const localRegion = "us-east-1"

// CognitoKeyPath is the default file of the local issuer's key: the user
// cache directory's streamgate/sgdev-cognito/issuer-key.pem.
func CognitoKeyPath() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(cache, "streamgate", "sgdev-cognito", "issuer-key.pem"), nil
}

// localIssuer signs the local pools' tokens.
type localIssuer struct {
	key  *rsa.PrivateKey
	kid  string
	path string
}

// loadIssuer reads the issuer's key from path (CognitoKeyPath when ""),
// creating it when the file does not exist; created says so.
func loadIssuer(path string) (iss *localIssuer, created bool, err error) {
	if path == "" {
		if path, err = CognitoKeyPath(); err != nil {
			return nil, false, err
		}
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if b, err = createKeyFile(path); err != nil {
			return nil, false, fmt.Errorf("creating the local Cognito issuer's key %s: %w", path, err)
		}
		created = true
	} else if err != nil {
		return nil, false, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, false, fmt.Errorf("%s: no PEM block; delete the file and the runner makes a new key (tokens signed with the old one are then refused)", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", path, err)
	}
	key, ok := k.(*rsa.PrivateKey)
	if !ok || key.N.BitLen() < 2048 {
		return nil, false, fmt.Errorf("%s: not an RSA key of 2048 bits or more, which Cognito's RS256 tokens need", path)
	}
	return &localIssuer{key: key, kid: thumbprint(&key.PublicKey), path: path}, created, nil
}

// createKeyFile writes a new 2048-bit key (Cognito's size) to path, unless
// another process (the runner, sgdev token) got there first: then that
// process's key is the one read back.
func createKeyFile(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	b := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	tmp, err := os.CreateTemp(filepath.Dir(path), ".issuer-key-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return os.ReadFile(path)
		}
		return nil, err
	}
	return b, nil
}

// jwks is the issuer's key as a JSON Web Key Set.
func (li *localIssuer) jwks() jwkSet { return jwkSet{Keys: []jwk{newJWK(&li.key.PublicKey, li.kid)}} }

// key is the issuer's public key when kid names it.
func (li *localIssuer) publicKey(kid string) (*rsa.PublicKey, error) {
	if kid != li.kid {
		return nil, tokenError(fmt.Sprintf("kid %q is not the local issuer's key (%s, in %s)", kid, li.kid, li.path))
	}
	return &li.key.PublicKey, nil
}

// userPool is a Cognito user pool that an authorizer names.
type userPool struct {
	// ID is the pool's id: from a literal ARN, or the local id of a pool
	// of the template.
	ID, Region string
	// Source is where the authorizer names it: stack/logical id of the
	// template's pool, or the ARN.
	Source string
	// ClientID is the app client id of the tokens minted for the pool.
	ClientID string
}

// Issuer is the iss claim of the pool's tokens.
func (p *userPool) Issuer() string {
	return fmt.Sprintf("https://cognito-idp.%s.amazonaws.com/%s", p.Region, p.ID)
}

// JWKSPath is where each API's port serves the pool's keys.
func (p *userPool) JWKSPath() string {
	return "/_streamgate/cognito/" + p.ID + "/.well-known/jwks.json"
}

// poolFor is the pool that an authorizer's ProviderARNs entry names.
func poolFor(source string) *userPool {
	// arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123
	if f := strings.Split(source, ":"); len(f) == 6 && f[2] == "cognito-idp" && strings.HasPrefix(f[5], "userpool/") {
		return &userPool{ID: strings.TrimPrefix(f[5], "userpool/"), Region: f[3], Source: source, ClientID: localID("cognito-client/"+source, 26)}
	}
	return &userPool{ID: localRegion + "_" + poolSuffix(source), Region: localRegion, Source: source, ClientID: localID("cognito-client/"+source, 26)}
}

// poolSuffix is the 9 letters and digits after a local pool id's region
// and underscore, derived from the pool's logical id: the same template,
// the same ids on every machine.
func poolSuffix(source string) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	h := sha256.Sum256([]byte("cognito-pool/" + source))
	x := new(big.Int).SetBytes(h[:])
	base := big.NewInt(int64(len(alphabet)))
	out := make([]byte, 9)
	for i := range out {
		var r big.Int
		x.DivMod(x, base, &r)
		out[i] = alphabet[r.Int64()]
	}
	return string(out)
}

// pools are the user pools of the authorizers of apis, each once, and the
// pools of each authorizer. An authorizer whose pools are not named (an
// imported ARN) gets a local pool of its own, derived from its logical id.
func pools(apis []*loader.API) ([]*userPool, map[*loader.Authorizer][]*userPool) {
	byAuthorizer := map[*loader.Authorizer][]*userPool{}
	bySource := map[string]*userPool{}
	var all []*userPool
	for _, api := range apis {
		for _, r := range api.Routes {
			au := r.Authorizer
			if au == nil || au.Type != "COGNITO_USER_POOLS" || byAuthorizer[au] != nil {
				continue
			}
			sources := au.UserPools
			if len(sources) == 0 {
				sources = []string{au.Stack + "/" + au.LogicalID}
			}
			for _, src := range sources {
				p := bySource[src]
				if p == nil {
					p = poolFor(src)
					bySource[src] = p
					all = append(all, p)
				}
				byAuthorizer[au] = append(byAuthorizer[au], p)
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Source < all[j].Source })
	return all, byAuthorizer
}

// CognitoToken says what a token of the local issuer holds. The claims
// are those Cognito puts in its ID and access tokens
// (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html,
// .../amazon-cognito-user-pools-using-the-access-token.html).
type CognitoToken struct {
	// Pool is the user pool: its local id (us-east-1_...), the logical id
	// of the template's pool, or stack/logical id. Default: the only pool
	// of the assemblies.
	Pool string
	// User is cognito:username (ID token) or username (access token); sub
	// is derived from it and the pool. Default: "local-user".
	User string
	// Groups are cognito:groups. Default: none (the claim is left out, as
	// Cognito does).
	Groups []string
	// Scopes are an access token's scope. Default: the scope Cognito gives
	// a sign-in through its API, aws.cognito.signin.user.admin.
	Scopes []string
	// Access mints an access token, as a method with authorization scopes
	// needs; Scopes imply it. Default: an ID token.
	Access bool
	// Email is an ID token's email (email_verified true). Default: none.
	Email string
	// Claims are further claims ("custom:tenant": "acme"); they replace
	// the ones above of the same name.
	Claims map[string]any
	// TTL is the token's lifetime. Default: one hour, Cognito's default.
	TTL time.Duration
	// Now is when the token is issued. Default: now.
	Now time.Time
}

// mint signs a token for pool.
func (li *localIssuer) mint(pool *userPool, o CognitoToken) (string, error) {
	if o.User == "" {
		o.User = "local-user"
	}
	if o.TTL == 0 {
		o.TTL = time.Hour
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	now := o.Now.Unix()
	c := map[string]any{
		"sub":        uuidFrom(pool.ID + "/" + o.User),
		"iss":        pool.Issuer(),
		"origin_jti": randomUUID(),
		"event_id":   randomUUID(),
		"auth_time":  now,
		"iat":        now,
		"exp":        o.Now.Add(o.TTL).Unix(),
		"jti":        randomUUID(),
	}
	if len(o.Groups) > 0 {
		c["cognito:groups"] = o.Groups
	}
	if o.Access || len(o.Scopes) > 0 {
		scopes := o.Scopes
		if len(scopes) == 0 {
			scopes = []string{"aws.cognito.signin.user.admin"}
		}
		c["token_use"], c["scope"], c["client_id"], c["username"], c["version"] = "access", strings.Join(scopes, " "), pool.ClientID, o.User, 2
	} else {
		c["token_use"], c["aud"], c["cognito:username"] = "id", pool.ClientID, o.User
		if o.Email != "" {
			c["email"], c["email_verified"] = o.Email, true
		}
	}
	for k, v := range o.Claims {
		c[k] = v
	}
	return signRS256(li.key, li.kid, c)
}

// noPoolError is the answer to a token asked of assemblies without a
// Cognito authorizer.
const noPoolError = "no Cognito user pool authorizer in the assemblies: a token is minted for a method whose authorization is COGNITO_USER_POOLS; fix: pass the cloud assembly of the stack that has one (-assembly), or synthesize it first"

// findPool is the pool that name (a pool id, stack/logical id or logical
// id) names among all; "" names the only one.
func findPool(all []*userPool, name string) (*userPool, error) {
	var ids []string
	for _, p := range all {
		ids = append(ids, p.ID+" ("+p.Source+")")
	}
	if name == "" {
		if len(all) == 1 {
			return all[0], nil
		}
		if len(all) == 0 {
			return nil, errors.New(noPoolError)
		}
		return nil, fmt.Errorf("%d user pools; name one with -pool (CognitoToken.Pool): %s", len(all), strings.Join(ids, ", "))
	}
	var found []*userPool
	for _, p := range all {
		if p.ID == name || p.Source == name || strings.HasSuffix(p.Source, "/"+name) {
			found = append(found, p)
		}
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("pool %q names %d of the user pools %s", name, len(found), strings.Join(ids, ", "))
	}
	return found[0], nil
}

// MintCognitoToken signs a token with the local issuer's key (keyFile, or
// CognitoKeyPath), for a user pool of the assemblies' Cognito authorizers,
// without a running runner: what `sgdev token` prints.
func MintCognitoToken(assemblies []string, keyFile string, o CognitoToken) (string, error) {
	var apis []*loader.API
	for _, dir := range assemblies {
		a, err := loader.Load(dir)
		if err != nil {
			return "", err
		}
		apis = append(apis, a.APIs...)
	}
	all, _ := pools(apis)
	pool, err := findPool(all, o.Pool)
	if err != nil {
		return "", err
	}
	iss, _, err := loadIssuer(keyFile)
	if err != nil {
		return "", err
	}
	return iss.mint(pool, o)
}

// uuidFrom is a UUID (version 8, name-based) derived from name.
func uuidFrom(name string) string {
	h := sha256.Sum256([]byte(name))
	return formatUUID(h[:16], 0x80)
}

func randomUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return formatUUID(b, 0x40)
}

func formatUUID(b []byte, version byte) string {
	b[6] = b[6]&0x0f | version
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b)
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}
