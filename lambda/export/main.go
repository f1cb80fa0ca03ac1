// Command export streams a large export from the S3 bucket named by
// EXPORT_BUCKET (see demo.Exporter). One S3 client serves every invocation.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamgate/streamgate/lambda/demo"
)

func main() {
	bucket := os.Getenv("EXPORT_BUCKET")
	if bucket == "" {
		log.Fatal("EXPORT_BUCKET is not set: it names the bucket the exports are read from")
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatalf("loading AWS configuration: %v", err)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		// Set by the local runner, whose S3 server is on 127.0.0.1.
		o.UsePathStyle = os.Getenv("STREAMGATE_S3_PATH_STYLE") == "true"
	})
	e := &demo.Exporter{S3: client, Bucket: bucket}
	lambda.Start(e.Handle)
}
