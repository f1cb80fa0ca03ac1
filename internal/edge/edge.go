// Package edge holds the JavaScript of the edge upload endpoint
// (constructs/edgeupload) (the
// Lambda@Edge function of Redirect mode, the CloudFront Function of Through
// mode, the token check both share) and assembles it from a Config. It
// imports no CDK, so the construct and the local runner ship the same code.
package edge

import (
	_ "embed"
	"encoding/json"
	"strings"

	"github.com/streamgate/streamgate/lambda/edgetoken"
)

// The JavaScript sources (tested with node --test edge.test.js).
var (
	//go:embed token.js
	TokenJS string
	//go:embed sigv4.js
	SigV4JS string
	//go:embed redirect.js
	RedirectJS string
	//go:embed through.js
	ThroughJS string
	// ThroughMinJS is token.js and through.js without their imports,
	// minified by esbuild (TestThroughMinifiedIsCurrent regenerates and
	// compares it): the body of the CloudFront Function.
	//go:embed through.min.js
	ThroughMinJS string
)

// MetadataKey marks an EdgeUploadEndpoint's distribution in the template,
// with the endpoint's mode and Config, for the local runner (sgdev).
const MetadataKey = "streamgate:edgeUpload"

// Path is where the endpoint takes uploads: PUT /u/<file name>.
const Path = "/u/"

// FunctionCodeLimit is CloudFront Functions' code size limit in bytes.
const FunctionCodeLimit = 10 * 1024

// The names the Go side and the JavaScript share; Complete writes them
// into a Config, so the JavaScript reads each from its config and spells
// none of them itself.
const (
	// AccountPlaceholder in Config.Bucket is replaced by the function's
	// account at run time (the construct names the bucket before the
	// account is known).
	AccountPlaceholder = "{account}"
	// KeyStorePrefix is the prefix of the token keys in the KeyValueStore
	// of Through mode: "sgt1:<key id>".
	KeyStorePrefix = edgetoken.Version + ":"
)

// Config is what the edge code knows of its endpoint: config.json next to
// the Lambda@Edge function, SGT_CONFIG in the CloudFront Function.
type Config struct {
	// Prefix is the key prefix uploads land under ("incoming/").
	Prefix string `json:"prefix"`
	// Path is the URL path uploads go to (Path).
	Path string `json:"path"`
	// MaxSize is the largest body in bytes.
	MaxSize int64 `json:"maxSize"`
	// Types are the Content-Types allowed (lower case).
	Types []string `json:"types"`
	// MaxLifetime is how long, in seconds, a token may still have to live.
	MaxLifetime int64 `json:"maxLifetime"`
	// CorsOrigins are the browser origins answered with CORS headers.
	CorsOrigins []string `json:"corsOrigins,omitempty"`
	// TokenVersion is the tokens' first part (edgetoken.Version); set by
	// Complete.
	TokenVersion string `json:"tokenVersion"`
	// KeyStorePrefix is KeyStorePrefix; set by Complete.
	KeyStorePrefix string `json:"keyStorePrefix"`

	// Redirect mode only.

	// Expires is the presigned URL's lifetime in seconds.
	Expires int64 `json:"expires,omitempty"`
	// Bucket is the bucket's name; AccountPlaceholder is replaced by the
	// function's account at run time.
	Bucket string `json:"bucket,omitempty"`
	// AccountPlaceholder is AccountPlaceholder; set by Complete.
	AccountPlaceholder string `json:"accountPlaceholder,omitempty"`
	// Region is the bucket's region.
	Region string `json:"region,omitempty"`
	// SecretID names the Secrets Manager secret holding the keys.
	SecretID string `json:"secretId,omitempty"`
	// SecretRegion is the secret's region.
	SecretRegion string `json:"secretRegion,omitempty"`
	// KeyCacheSeconds is how long the function keeps the keys it read.
	KeyCacheSeconds int64 `json:"keyCacheSeconds,omitempty"`
	// Endpoint is an S3-compatible server addressed path-style (the local
	// runner's MinIO); empty for AWS.
	Endpoint string `json:"endpoint,omitempty"`
}

// Complete is c with the names the JavaScript shares with Go.
func (c Config) Complete() Config {
	c.TokenVersion, c.KeyStorePrefix = edgetoken.Version, KeyStorePrefix
	if c.Bucket != "" {
		c.AccountPlaceholder = AccountPlaceholder
	}
	return c
}

// ThroughCode is the CloudFront Function of Through mode: through.js's
// imports, then SGT_CONFIG (cfg, completed) and SGT_KVS_ID (the
// KeyValueStore's id, which may be a CDK token), then ThroughMinJS.
func ThroughCode(cfg Config, kvsID string) string {
	var imports strings.Builder
	for _, line := range strings.Split(ThroughJS, "\n") {
		if strings.HasPrefix(line, "import ") {
			imports.WriteString(line + "\n")
		}
	}
	c, _ := json.Marshal(cfg.Complete())
	k, _ := json.Marshal(kvsID)
	return imports.String() + "var SGT_CONFIG = " + string(c) + ";\nvar SGT_KVS_ID = " + string(k) + ";\n" + ThroughMinJS
}

// ThroughSource is what ThroughMinJS is minified from: token.js, then
// through.js, without import lines.
func ThroughSource() string {
	var b strings.Builder
	for _, line := range strings.Split(TokenJS+"\n"+ThroughJS, "\n") {
		if !strings.HasPrefix(line, "import ") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// RedirectFiles are the files of the Lambda@Edge function of Redirect
// mode, by name: index.js (handler "index.handler"), its modules and
// config.json.
func RedirectFiles(cfg Config) map[string]string {
	c, _ := json.MarshalIndent(cfg.Complete(), "", "  ")
	return map[string]string{"index.js": RedirectJS, "token.js": TokenJS, "sigv4.js": SigV4JS, "config.json": string(c) + "\n"}
}

// DevKey is the token key of the local runner (sgdev): the edge endpoints
// it serves verify tokens with it, and `sgupload token` signs with it by default. It is
// public, so it must never be deployed: the constructs never use it.
var DevKey = edgetoken.Key{ID: "dev", Secret: []byte("streamgate-local-development-key-never-deploy")}
