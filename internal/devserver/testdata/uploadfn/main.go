// Command uploadfn is an upload-event function for the devserver tests,
// run as a real function process: it reads S3's "Object Created" event
// with lambda/uploadevent, prints what it got, and fails on keys that
// contain "fail" (to exercise Lambda's retries and dead-letter queue).
package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/streamgate/streamgate/lambda/uploadevent"
)

func handle(ctx context.Context, e events.CloudWatchEvent) error {
	up, err := uploadevent.Parse(e)
	if err != nil {
		return err
	}
	if strings.Contains(up.Key, "fail") {
		return fmt.Errorf("refusing %s", up.Key)
	}
	fmt.Printf("UPLOAD bucket=%s key=%s size=%d etag=%s reason=%s\n", up.Bucket, up.Key, up.Size, up.ETag, up.Reason)
	return nil
}

func main() { lambda.Start(handle) }
