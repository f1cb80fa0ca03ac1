// Package s3client makes the S3 client a handler uses: the default AWS
// configuration (the function's role on Lambda), with path-style URLs when
// the local runner points it at an S3-compatible server on 127.0.0.1.
package s3client

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// EnvPathStyle set to "true" makes the client use path-style URLs; the
// local runner sets it, with AWS_ENDPOINT_URL_S3, for its MinIO.
const EnvPathStyle = "STREAMGATE_S3_PATH_STYLE"

// New loads the default configuration and returns an S3 client. Create one
// per process, outside the handler, so that invocations reuse it.
func New(ctx context.Context) (*s3.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = os.Getenv(EnvPathStyle) == "true"
	}), nil
}
