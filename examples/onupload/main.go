// Command onupload is an example upload-event handler for
// PresignedUploadApi.OnUploadedFunction: it logs each completed upload. A
// team's own handler processes the object instead (it may read it: the
// function is granted s3:GetObject under the upload prefix).
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/streamgate/streamgate/lambda/uploadevent"
)

func handle(_ context.Context, e events.CloudWatchEvent) error {
	up, err := uploadevent.Parse(e)
	if err != nil {
		return err // retried, then kept in the dead-letter queue
	}
	log.Printf("uploaded s3://%s/%s (%d bytes, %s)", up.Bucket, up.Key, up.Size, up.Reason)
	return nil
}

func main() { lambda.Start(handle) }
