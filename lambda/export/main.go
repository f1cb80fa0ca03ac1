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
	e := &demo.Exporter{S3: s3.NewFromConfig(cfg), Bucket: bucket}
	lambda.Start(e.Handle)
}
