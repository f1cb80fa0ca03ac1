// Command uploads is the PresignedUploadApi's handler: it answers
// POST /uploads with presigned S3 URLs and completes or aborts multipart
// uploads (see package presign). It is configured by the environment
// variables the construct sets (presign.Env*); one S3 client and one
// presign client serve every invocation.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamgate/streamgate/lambda/presign"
)

func main() {
	cfg, err := presign.ConfigFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	awsCfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatalf("loading AWS configuration: %v", err)
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.UsePathStyle = os.Getenv(presign.EnvPathStyle) == "true"
	})
	lambda.Start(presign.New(cfg, client).Handle)
}
