package presign

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/streamgate/streamgate/lambda/cors"
)

// Config is what the handler enforces.
type Config struct {
	// Bucket is the name of the bucket uploads land in.
	Bucket        string
	Prefix        string        // key prefix, "incoming/" style: no leading slash, one trailing slash
	MaxSize       int64         // bytes
	ContentTypes  []string      // exact, lower case
	URLExpiration time.Duration // of the URLs
	Mode          Mode          // ModePut, ModePost or ModeMultipart
	KMSKeyID      string        // SSE-KMS key; empty for the bucket's default encryption
	// RequireChecksum refuses PUT and POST requests without checksumSha256
	// (the bucket has object lock, and S3 then requires a checksum).
	RequireChecksum bool
	// Companion serves the Companion S3 routes (Uppy's companionEndpoint)
	// under CompanionPrefix.
	Companion bool
	// CORS is which browser origins may read the answers (cors.EnvConfig,
	// set by the construct from its CORS prop); nil: no CORS headers.
	CORS *cors.Policy
}

// ConfigFromEnv reads the configuration the construct sets.
func ConfigFromEnv() (Config, error) {
	c := Config{
		Bucket:   os.Getenv(EnvBucket),
		Prefix:   os.Getenv(EnvPrefix),
		Mode:     Mode(strings.ToUpper(os.Getenv(EnvMode))),
		KMSKeyID: os.Getenv(EnvKMSKeyID),

		RequireChecksum: os.Getenv(EnvRequireChecksum) == "true",
		Companion:       os.Getenv(EnvCompanion) == "true",
	}
	var err error
	if c.CORS, err = cors.FromEnv(); err != nil {
		return c, err
	}
	for _, t := range strings.Split(os.Getenv(EnvContentTypes), ",") {
		if t = strings.TrimSpace(t); t != "" {
			c.ContentTypes = append(c.ContentTypes, t)
		}
	}
	if c.MaxSize, err = strconv.ParseInt(os.Getenv(EnvMaxSize), 10, 64); err != nil {
		return c, fmt.Errorf("%s=%q: %v", EnvMaxSize, os.Getenv(EnvMaxSize), err)
	}
	secs, err := strconv.Atoi(os.Getenv(EnvURLExpiration))
	if err != nil {
		return c, fmt.Errorf("%s=%q: %v", EnvURLExpiration, os.Getenv(EnvURLExpiration), err)
	}
	c.URLExpiration = time.Duration(secs) * time.Second
	return c, c.Validate()
}

// Validate checks the configuration; the construct checks the same at synth.
func (c *Config) Validate() error {
	var problems []string
	if c.Bucket == "" {
		problems = append(problems, "bucket is empty")
	}
	if !ValidPrefix(c.Prefix) {
		problems = append(problems, fmt.Sprintf("prefix %q is not letters, digits and !-_.*'() segments ending with /", c.Prefix))
	}
	switch c.Mode {
	case ModePut, ModePost:
		if c.MaxSize > MaxSinglePutSize {
			problems = append(problems, fmt.Sprintf("max size %d is above the 5 GiB of a single %s", c.MaxSize, c.Mode))
		}
	case ModeMultipart:
		if c.MaxSize > MaxObjectSize {
			problems = append(problems, fmt.Sprintf("max size %d is above S3's %d (48.8 TiB)", c.MaxSize, int64(MaxObjectSize)))
		}
	default:
		problems = append(problems, fmt.Sprintf("mode %q is not PUT, POST or MULTIPART", c.Mode))
	}
	if c.MaxSize <= 0 {
		problems = append(problems, "max size is not positive")
	}
	if len(c.ContentTypes) == 0 {
		problems = append(problems, "no content types are allowed")
	}
	if c.URLExpiration < time.Minute || c.URLExpiration > 7*24*time.Hour {
		problems = append(problems, fmt.Sprintf("URL expiry %v is outside 1 minute..7 days", c.URLExpiration))
	}
	if len(problems) > 0 {
		return fmt.Errorf("presign configuration: %s", strings.Join(problems, "; "))
	}
	return nil
}
