// Package s3client makes the S3 client a handler uses: the function's role
// credentials and region from the environment Lambda sets, with
// path-style URLs when the local runner points it at an S3-compatible
// server on 127.0.0.1.
//
// It reads the environment itself instead of aws-sdk-go-v2's
// config.LoadDefaultConfig, which links the SSO, SSO OIDC, STS, sign-in and
// instance-metadata clients and the shared-file parsers that a Lambda
// function never uses: 1.9 MB of each S3 handler's bootstrap, and their
// initialisation at every cold start.
package s3client

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// EnvPathStyle set to "true" makes the client use path-style URLs; the
// local runner sets it, with AWS_ENDPOINT_URL_S3, for its S3 server.
const EnvPathStyle = "STREAMGATE_S3_PATH_STYLE"

// New returns an S3 client for the function's environment: the region in
// AWS_REGION, the role's credentials in AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (Lambda sets them for the
// execution environment), and AWS_ENDPOINT_URL_S3 when set. Create one per
// process, outside the handler, so that invocations reuse it.
func New(ctx context.Context) (*s3.Client, error) {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = os.Getenv("AWS_DEFAULT_REGION")
	}
	key, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if region == "" || key == "" || secret == "" {
		return nil, fmt.Errorf("s3client: AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set, as Lambda sets them for a function "+
			"(region %q, access key set: %t)", region, key != "")
	}
	o := s3.Options{
		Region:       region,
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(key, secret, os.Getenv("AWS_SESSION_TOKEN"))),
		UsePathStyle: os.Getenv(EnvPathStyle) == "true",
	}
	if endpoint := os.Getenv("AWS_ENDPOINT_URL_S3"); endpoint != "" {
		o.BaseEndpoint = aws.String(endpoint)
	}
	return s3.New(o), nil
}
