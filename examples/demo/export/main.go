// Command export streams a large export from the S3 bucket named by
// EXPORT_BUCKET (see demo.Exporter). One S3 client serves every invocation.
package main

import (
	"context"
	"log"
	"os"

	"github.com/streamgate/streamgate/examples/demo"
	"github.com/streamgate/streamgate/lambda/s3client"
	"github.com/streamgate/streamgate/lambda/stream"
)

func main() {
	bucket := os.Getenv("EXPORT_BUCKET")
	if bucket == "" {
		log.Fatal("EXPORT_BUCKET is not set: it names the bucket the exports are read from")
	}
	client, err := s3client.New(context.Background())
	if err != nil {
		log.Fatalf("loading AWS configuration: %v", err)
	}
	e := &demo.Exporter{S3: client, Bucket: bucket}
	stream.Start(e.Handle)
}
