// Package uploadevent reads the event PresignedUploadApi.OnUploaded
// delivers: S3's "Object Created" EventBridge event for an object under the
// upload prefix.
//
//	func handle(ctx context.Context, e events.CloudWatchEvent) error {
//		up, err := uploadevent.Parse(e)
//		if err != nil {
//			return err // not an upload event: goes to the dead-letter queue after retries
//		}
//		return process(ctx, up.Bucket, up.Key, up.Size)
//	}
package uploadevent

import (
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/aws/aws-lambda-go/events"
)

// Upload is a completed upload.
type Upload struct {
	// Bucket is the bucket's name.
	Bucket string
	Key    string // the object key, decoded
	// Size is the object's size in bytes.
	Size int64
	// ETag is the object's ETag.
	ETag string
	// VersionID is the object's version, "" in a bucket without versioning.
	VersionID string
	// Reason is how it was written: PutObject, PostObject,
	// CompleteMultipartUpload or CopyObject.
	Reason string
}

// Parse reads e, which must be S3's "Object Created" event.
func Parse(e events.CloudWatchEvent) (Upload, error) {
	if e.Source != "aws.s3" || e.DetailType != "Object Created" {
		return Upload{}, fmt.Errorf("uploadevent: got %q from %q; want \"Object Created\" from \"aws.s3\"", e.DetailType, e.Source)
	}
	var d struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key       string `json:"key"`
			Size      int64  `json:"size"`
			ETag      string `json:"etag"`
			VersionID string `json:"version-id"`
		} `json:"object"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal(e.Detail, &d); err != nil {
		return Upload{}, fmt.Errorf("uploadevent: detail: %w", err)
	}
	if d.Bucket.Name == "" || d.Object.Key == "" {
		return Upload{}, fmt.Errorf("uploadevent: detail without bucket name or object key: %s", e.Detail)
	}
	// S3 URL-encodes keys in event notifications (a space is "+").
	key, err := url.QueryUnescape(d.Object.Key)
	if err != nil {
		return Upload{}, fmt.Errorf("uploadevent: object key %q: %w", d.Object.Key, err)
	}
	return Upload{Bucket: d.Bucket.Name, Key: key, Size: d.Object.Size, ETag: d.Object.ETag, VersionID: d.Object.VersionID, Reason: d.Reason}, nil
}
