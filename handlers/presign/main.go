// Command uploads is the PresignedUploadApi's handler: it answers
// POST /uploads with presigned S3 URLs and completes or aborts multipart
// uploads (see package presign). It is configured by the environment
// variables the construct sets (presign.Env*); one S3 client and one
// presign client serve every invocation.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/streamgate/streamgate/lambda/presign"
	"github.com/streamgate/streamgate/lambda/s3client"
)

func main() {
	cfg, err := presign.ConfigFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	client, err := s3client.New(context.Background())
	if err != nil {
		log.Fatalf("loading AWS configuration: %v", err)
	}
	lambda.Start(presign.New(cfg, client).Handle)
}
