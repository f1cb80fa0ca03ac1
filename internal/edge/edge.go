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
)

// MetadataKey marks an EdgeUploadEndpoint's distribution in the template,
// with the endpoint's mode and Config, for the local runner (sgdev).
const MetadataKey = "streamgate:edgeUpload"

// Path is where the endpoint takes uploads: PUT /u/<file name>.
const Path = "/u/"

// FunctionCodeLimit is CloudFront Functions' code size limit in bytes.
const FunctionCodeLimit = 10 * 1024

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

	// Redirect mode only.

	// Expires is the presigned URL's lifetime in seconds.
	Expires int64 `json:"expires,omitempty"`
	// Bucket is the bucket's name; "{account}" is replaced by the
	// function's account at run time.
	Bucket string `json:"bucket,omitempty"`
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

// ThroughCode is the CloudFront Function of Through mode: through.js's
// imports, then SGT_CONFIG and SGT_KVS_ID (the KeyValueStore's id, which
// may be a CDK token), token.js and the rest of through.js, with comment
// lines and indentation dropped to stay well under FunctionCodeLimit.
func ThroughCode(cfg Config, kvsID string) string {
	var imports, rest strings.Builder
	for _, line := range strings.Split(ThroughJS, "\n") {
		if strings.HasPrefix(line, "import ") {
			imports.WriteString(line + "\n")
		}
	}
	for _, line := range strings.Split(TokenJS+"\n"+ThroughJS, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "//") && !strings.HasPrefix(line, "import ") {
			rest.WriteString(line + "\n")
		}
	}
	c, _ := json.Marshal(cfg)
	k, _ := json.Marshal(kvsID)
	return imports.String() + "var SGT_CONFIG = " + string(c) + ";\nvar SGT_KVS_ID = " + string(k) + ";\n" + rest.String()
}

// RedirectFiles are the files of the Lambda@Edge function of Redirect
// mode, by name: index.js (handler "index.handler"), its modules and
// config.json.
func RedirectFiles(cfg Config) map[string]string {
	c, _ := json.MarshalIndent(cfg, "", "  ")
	return map[string]string{"index.js": RedirectJS, "token.js": TokenJS, "sigv4.js": SigV4JS, "config.json": string(c) + "\n"}
}

// DevKey is the token key of the local runner (sgdev): the edge endpoints
// it serves verify tokens with it, and `sgupload token` signs with it by default. It is
// public, so it must never be deployed: the constructs never use it.
var DevKey = edgetoken.Key{ID: "dev", Secret: []byte("streamgate-local-development-key-never-deploy")}
